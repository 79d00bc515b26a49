#include "services/membership/domain/readmission.h"

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "services/membership/domain/violations.h"

namespace partydev::membership::domain {
namespace {

std::string DepartureTitle(v1::PriorDepartureReason reason) {
  switch (reason) {
    case v1::PRIOR_DEPARTURE_REASON_ABANDONED_ACTIVITY:
      return "bỏ sinh hoạt đảng";
    case v1::PRIOR_DEPARTURE_REASON_RESIGNED:
      return "xin ra khỏi Đảng";
    case v1::PRIOR_DEPARTURE_REASON_SERIOUS_DISUNITY:
      return "gây mất đoàn kết nghiêm trọng";
    case v1::PRIOR_DEPARTURE_REASON_CORRUPTION_OR_SERIOUS_CRIME:
      return "bị kết án về tội tham nhũng hoặc tội nghiêm trọng";
    case v1::PRIOR_DEPARTURE_REASON_MINOR_CRIME_CLEARED:
      return "bị kết án tội ít nghiêm trọng, đã được xóa án tích";
    default:
      return "bị xóa tên hoặc khai trừ vì lý do khác";
  }
}

void CheckApprovingLevel(absl::string_view approving_level,
                         const v1::RuleSet& rules, Violations& unmet) {
  if (approving_level != rules.admission().exception_approving_level()) {
    unmet.Add(
        "admission.exception_approving_level", "approval",
        absl::StrCat(
            "Ngoại lệ do cấp ",
            approving_level.empty() ? "không xác định" : approving_level,
            " chấp thuận; phải do cấp ủy cấp ",
            rules.admission().exception_approving_level(), " chấp thuận"));
  }
}

}  // namespace

const v1::AdmissionException* FindActiveException(
    const std::vector<v1::AdmissionException>& exceptions,
    v1::AdmissionExceptionKind kind) {
  for (const v1::AdmissionException& e : exceptions) {
    if (e.kind() == kind && e.state() == v1::ADMISSION_EXCEPTION_STATE_ACTIVE) {
      return &e;
    }
  }
  return nullptr;
}

absl::StatusOr<std::vector<RuleViolation>> CheckAdmissionException(
    const v1::AdmissionException& exception, absl::string_view approving_level,
    const v1::RuleSet& rules) {
  FieldChecker check;
  if (exception.kind() == v1::ADMISSION_EXCEPTION_KIND_UNSPECIFIED) {
    check.Add("admission_exception.kind", "is required");
  }
  if (exception.approval().number().empty()) {
    check.Add("admission_exception.approval.number", "is required");
  }
  CheckDate(exception.approval().signed_on(),
            "admission_exception.approval.signed_on", check);
  if (exception.kind() == v1::ADMISSION_EXCEPTION_KIND_READMISSION) {
    CheckDate(exception.readmission().left_on(),
              "admission_exception.readmission.left_on", check);
    if (exception.readmission().departure_reason() ==
        v1::PRIOR_DEPARTURE_REASON_UNSPECIFIED) {
      check.Add("admission_exception.readmission.departure_reason",
                "is required");
    }
  }
  if (!check.ok()) return check.status();
  Violations unmet(rules);
  CheckApprovingLevel(approving_level, rules, unmet);
  return unmet.Take();
}

std::vector<RuleViolation> CheckReadmission(
    const v1::AdmissionException* exception, const ReadmissionFacts& facts,
    absl::CivilDay on, const v1::RuleSet& rules) {
  Violations unmet(rules);
  const v1::AdmissionRules& r = rules.admission();
  if (facts.previous_readmissions >= r.readmission_max_times()) {
    unmet.Add(
        "admission.readmission_max_times", "readmission_exception",
        absl::StrCat("Người này đã được kết nạp lại ",
                     facts.previous_readmissions, " lần; chỉ được kết nạp lại ",
                     r.readmission_max_times(), " lần"));
  }
  if (exception == nullptr ||
      exception->kind() != v1::ADMISSION_EXCEPTION_KIND_READMISSION ||
      exception->state() != v1::ADMISSION_EXCEPTION_STATE_ACTIVE ||
      !IsValidDate(exception->readmission().left_on())) {
    unmet.Add("readmission.exception", "readmission_exception",
              "Người từng là đảng viên chỉ được xem xét kết nạp lại khi có ý "
              "kiến đồng ý (còn hiệu lực) của cấp ủy có thẩm quyền");
    return unmet.Take();
  }
  CheckApprovingLevel(facts.approving_level, rules, unmet);
  const v1::ReadmissionDetails& details = exception->readmission();
  const auto reason = details.departure_reason();
  for (int barred : r.readmission_barred_reasons()) {
    if (barred == reason) {
      unmet.Add("admission.readmission_barred_reasons",
                "readmission.departure_reason",
                absl::StrCat("Người ra khỏi Đảng vì ", DepartureTitle(reason),
                             " không được kết nạp lại"));
    }
  }
  const bool cleared = reason == v1::PRIOR_DEPARTURE_REASON_MINOR_CRIME_CLEARED;
  const int wait = cleared ? r.readmission_wait_months_after_cleared_record()
                           : r.readmission_wait_months();
  const absl::CivilDay left = CivilDayOf(details.left_on());
  const int months = FullMonthsBetween(left, on);
  if (months < wait) {
    unmet.Add(cleared ? "admission.readmission_wait_months_after_cleared_record"
                      : "admission.readmission_wait_months",
              "readmission.left_on",
              absl::StrCat("Ra khỏi Đảng ngày ", FormatDay(left), ", đến ngày ",
                           FormatDay(on), " mới được ", months,
                           " tháng; cần ít "
                           "nhất ",
                           wait, " tháng (được xét từ ngày ",
                           FormatDay(AddMonths(left, wait)), ")"));
  }
  return unmet.Take();
}

}  // namespace partydev::membership::domain
