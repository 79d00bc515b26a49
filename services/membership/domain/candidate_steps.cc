#include "services/membership/domain/candidate_steps.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/dates.h"
#include "services/membership/domain/validity.h"
#include "services/membership/domain/violations.h"

namespace partydev::membership::domain {
namespace {

std::string RelativeTitle(v1::RelativeKind kind) {
  switch (kind) {
    case v1::RELATIVE_KIND_SELF:
      return "bản thân";
    case v1::RELATIVE_KIND_PARENTS:
      return "cha, mẹ";
    case v1::RELATIVE_KIND_PARENTS_IN_LAW:
      return "cha, mẹ vợ (chồng)";
    case v1::RELATIVE_KIND_SPOUSE:
      return "vợ (chồng)";
    case v1::RELATIVE_KIND_ADULT_CHILDREN:
      return "con đã trưởng thành";
    default:
      return "người thân";
  }
}

// Close relatives whose membership exempts the candidate from verification
// where the file is complete (domain.md): parents, spouse, adult children.
bool IsCloseRelative(v1::RelativeKind kind) {
  return kind == v1::RELATIVE_KIND_PARENTS ||
         kind == v1::RELATIVE_KIND_SPOUSE ||
         kind == v1::RELATIVE_KIND_ADULT_CHILDREN;
}

template <typename Container>
bool Contains(const Container& c, v1::RelativeKind kind) {
  for (auto k : c) {
    if (static_cast<int>(k) == static_cast<int>(kind)) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<std::vector<RuleViolation>> CheckAssignMentor(
    const v1::Person& person, const v1::AssignMentorRequest& request,
    const MemberFacts& mentor, const v1::RuleSet& rules) {
  FieldChecker check;
  if (request.mentor().empty()) check.Add("mentor", "is required");
  CheckDate(request.assigned_on(), "assigned_on", check);
  if (!check.ok()) return check.status();
  Violations unmet(rules);
  const std::string who = NameOr(mentor.full_name, request.mentor());
  const std::string on = FormatDate(request.assigned_on());
  if (request.mentor() == person.name()) {
    unmet.Add("mentor.not_self", request.mentor(),
              "Quần chúng không thể tự theo dõi, giúp đỡ chính mình");
  }
  if (!mentor.official) {
    unmet.Add(
        "mentor.official_member", request.mentor(),
        absl::StrCat("Người được phân công ", who,
                     " không phải đảng viên chính thức vào ngày ", on,
                     "; chỉ đảng viên chính thức được phân công theo dõi, "
                     "giúp đỡ quần chúng"));
  }
  if (mentor.organization != person.organization()) {
    unmet.Add("mentor.same_cell", request.mentor(),
              absl::StrCat("Đảng viên ", who,
                           " không sinh hoạt ở chi bộ của "
                           "quần chúng vào ngày ",
                           on, "; người theo dõi, giúp đỡ phải cùng chi bộ"));
  }
  return unmet.Take();
}

absl::StatusOr<std::vector<RuleViolation>> CheckRecordTraining(
    const v1::Person& person, const CertificateFacts& facts,
    const ::partydev::common::v1::Date& today, const v1::RuleSet& rules) {
  FieldChecker check;
  CheckDate(facts.certificate.issued_on(), "certificate.issued_on", check);
  if (facts.certificate.number().empty()) {
    check.Add("certificate.number", "is required");
  }
  CheckDate(today, "today", check);
  if (!check.ok()) return check.status();
  Violations unmet(rules);
  const std::string subject = person.name();
  if (!facts.external) {
    if (!facts.enrollment_certified) {
      unmet.Add("training.certificate_issued", subject,
                "Học viên chưa được cấp giấy chứng nhận của lớp bồi dưỡng "
                "(kết quả học tập chưa được ghi nhận là đạt và cấp giấy)");
    }
    if (!facts.admission_class) {
      unmet.Add("training.kind", subject,
                "Lớp học không phải lớp bồi dưỡng nhận thức về Đảng dành cho "
                "quần chúng ưu tú");
    }
    if (!facts.same_person) {
      unmet.Add("training.same_person", subject,
                "Giấy chứng nhận cấp cho người khác, không phải quần chúng "
                "này");
    }
  }
  const absl::CivilDay issued = CivilDayOf(facts.certificate.issued_on());
  const absl::CivilDay now = CivilDayOf(today);
  if (issued > now) {
    unmet.Add("training.certificate_issued", subject,
              absl::StrCat("Giấy chứng nhận số ", facts.certificate.number(),
                           " đề ngày ", FormatDay(issued),
                           ", sau ngày ghi nhận ", FormatDay(now)));
  }
  const absl::CivilDay until = CertificateValidUntil(facts.certificate, rules);
  if (now > until) {
    unmet.Add("admission.certificate_validity_months", subject,
              absl::StrCat("Giấy chứng nhận số ", facts.certificate.number(),
                           " cấp ngày ", FormatDay(issued), " có giá trị ",
                           rules.admission().certificate_validity_months(),
                           " tháng, đến hết ngày ", FormatDay(until),
                           "; đã hết hạn"));
  }
  return unmet.Take();
}

absl::StatusOr<std::vector<RuleViolation>> CheckRecordApplication(
    const v1::Person& person, const v1::RecordApplicationRequest& request,
    const v1::RuleSet& rules) {
  FieldChecker check;
  CheckDate(request.filed_on(), "filed_on", check);
  CheckDate(request.background_form_on(), "background_form_on", check);
  if (!check.ok()) return check.status();
  Violations unmet(rules);
  const absl::CivilDay filed = CivilDayOf(request.filed_on());
  const absl::CivilDay form = CivilDayOf(request.background_form_on());
  if (form > filed) {
    unmet.Add("application.form_not_after_filing", "background_form_on",
              absl::StrCat("Lý lịch hoàn thành ngày ", FormatDay(form),
                           ", sau ngày nộp đơn ", FormatDay(filed),
                           "; lý lịch phải nộp cùng đơn"));
  }
  const v1::TrainingCertificate& cert =
      person.admission().training_certificate();
  if (!IsValidDate(cert.issued_on())) {
    unmet.Add("admission.certificate_validity_months", person.name(),
              "Hồ sơ chưa có giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng");
  } else {
    const absl::CivilDay until = CertificateValidUntil(cert, rules);
    if (filed > until) {
      unmet.Add("admission.certificate_validity_months", person.name(),
                absl::StrCat("Giấy chứng nhận lớp bồi dưỡng cấp ngày ",
                             FormatDate(cert.issued_on()), " hết giá trị ngày ",
                             FormatDay(until), ", trước ngày nộp đơn ",
                             FormatDay(filed)));
    }
  }
  return unmet.Take();
}

absl::StatusOr<std::vector<RuleViolation>> CheckRecordBackgroundVerification(
    const v1::Person& person,
    const v1::RecordBackgroundVerificationRequest& request,
    const BackgroundFacts& facts, const v1::RuleSet& rules) {
  FieldChecker check;
  Violations unmet(rules);
  if (request.has_verification()) {
    const v1::VerificationResult& v = request.verification();
    CheckDate(v.concluded_on(), "verification.concluded_on", check);
    if (v.verifying_organization().empty()) {
      check.Add("verification.verifying_organization", "is required");
    }
    if (v.conclusion().empty()) {
      check.Add("verification.conclusion", "is required");
    }
    if (!check.ok()) return check.status();
    if (v.verifying_organization() != facts.grassroots_committee) {
      unmet.Add(
          "background.verifying_committee",
          "verification.verifying_organization",
          absl::StrCat("Việc thẩm tra lý lịch do ", v.verifying_organization(),
                       " thực hiện; phải do cấp ủy cơ sở của chi bộ (",
                       facts.grassroots_committee, ") thực hiện"));
    }
    std::vector<std::string> missing;
    for (int subject : rules.admission().background_subjects()) {
      const auto kind = static_cast<v1::RelativeKind>(subject);
      if (Contains(facts.relatives, kind) && !Contains(v.subjects(), kind)) {
        missing.push_back(RelativeTitle(kind));
      }
    }
    if (!missing.empty()) {
      unmet.Add("background.subjects", "verification.subjects",
                absl::StrCat("Chưa thẩm tra lý lịch của: ",
                             absl::StrJoin(missing, "; ")));
    }
  } else if (request.has_exemption()) {
    const v1::VerificationExemption& e = request.exemption();
    CheckDate(e.recorded_on(), "exemption.recorded_on", check);
    if (e.relative_case() == v1::VerificationExemption::RELATIVE_NOT_SET) {
      check.Add("exemption.relative",
                "member_relative or member_relative_details is required");
    }
    if (!check.ok()) return check.status();
    const bool member = e.has_member_relative() ? facts.relative_is_member
                                                : true;  // Declared outside.
    if (!IsCloseRelative(e.relationship()) || !member) {
      unmet.Add("background.exemption_relative", "exemption.relationship",
                absl::StrCat("Chỉ được miễn thẩm tra khi cha, mẹ, vợ (chồng) "
                             "hoặc con của quần chúng là đảng viên; người khai "
                             "là ",
                             RelativeTitle(e.relationship()),
                             member ? "" : " và không phải đảng viên"));
    }
    if (!e.file_complete()) {
      unmet.Add("background.exemption_file_complete", "exemption.file_complete",
                "Cấp ủy chưa xác nhận hồ sơ lý lịch đầy đủ, rõ ràng nên chưa "
                "được miễn thẩm tra");
    }
  } else {
    return InvalidField("outcome", "verification or exemption is required");
  }
  (void)person;
  return unmet.Take();
}

}  // namespace partydev::membership::domain
