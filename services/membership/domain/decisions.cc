#include "services/membership/domain/decisions.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/dates.h"

namespace partydev::membership::domain {
namespace {

namespace cv1 = ::partydev::common::v1;

std::string ExtensionWords(int extension) {
  return extension > 0
             ? absl::StrCat(" (đã gia hạn ", extension, " ngày làm việc)")
             : "";
}

}  // namespace

void ValidateDecisionRef(const cv1::DecisionRef& ref, const std::string& field,
                         FieldChecker& check) {
  if (ref.number().empty()) check.Add(field + ".number", "is required");
  CheckDate(ref.signed_on(), field + ".signed_on", check);
  if (ref.deciding_organization().empty()) {
    check.Add(field + ".deciding_organization", "is required");
  }
}

const v1::Ballot* LastPassed(
    const google::protobuf::RepeatedPtrField<v1::Ballot>& ballots) {
  const v1::Ballot* last = nullptr;
  for (const v1::Ballot& b : ballots) {
    if (b.passed()) last = &b;
  }
  return last;
}

void CheckAuthority(v1::DecisionAuthority authority,
                    const AuthorityFacts& facts, absl::string_view rule,
                    absl::string_view subject, Violations& unmet) {
  const bool superior = facts.decider_is_superior_standing_committee;
  const bool delegated =
      facts.decider_is_own_grassroots && facts.grassroots_delegated;
  switch (authority) {
    case v1::DECISION_AUTHORITY_SUPERIOR_STANDING_COMMITTEE:
      if (!superior) {
        unmet.Add(rule, subject,
                  "Tổ chức ký quyết định không phải ban thường vụ cấp ủy cấp "
                  "trên trực tiếp của tổ chức cơ sở đảng nơi quần chúng sinh "
                  "hoạt");
      }
      return;
    case v1::DECISION_AUTHORITY_DELEGATED_GRASSROOTS_COMMITTEE:
      if (!facts.decider_is_own_grassroots) {
        unmet.Add(rule, subject,
                  "Tổ chức ký quyết định không phải đảng ủy cơ sở nơi quần "
                  "chúng sinh hoạt");
      } else if (!facts.grassroots_delegated) {
        unmet.Add(rule, subject,
                  "Đảng ủy cơ sở chưa được cấp ủy cấp trên ủy quyền quyết định "
                  "kết nạp đảng viên");
      }
      return;
    default:
      if (!superior && !delegated) {
        unmet.Add(rule, subject,
                  "Quyết định phải do ban thường vụ cấp ủy cấp trên cơ sở, "
                  "hoặc đảng ủy cơ sở được ủy quyền, ký");
      }
  }
}

absl::StatusOr<BallotOutcome> CheckCommitteeResolution(
    const v1::Admission& admission, const v1::Ballot& ballot,
    bool cell_is_grassroots, int committee_members, const v1::RuleSet& rules) {
  if (absl::Status s = ValidateBallot(ballot, "ballot"); !s.ok()) return s;
  Violations unmet(rules);
  if (cell_is_grassroots) {
    unmet.Add(
        "committee.applicable", "ballot",
        "Chi bộ cơ sở không có bước đảng ủy cơ sở xét; chuyển thẳng hồ sơ "
        "lên cấp ủy cấp trên");
  }
  const v1::Ballot* cell = LastPassed(admission.cell_ballots());
  if (cell == nullptr) {
    unmet.Add("committee.after_cell_resolution", "ballot",
              "Hồ sơ chưa có nghị quyết đề nghị kết nạp của chi bộ");
  } else if (CivilDayOf(ballot.held_on()) < CivilDayOf(cell->held_on())) {
    unmet.Add("committee.after_cell_resolution", "ballot.held_on",
              absl::StrCat("Đảng ủy họp ngày ", FormatDate(ballot.held_on()),
                           ", trước ngày chi bộ có nghị quyết ",
                           FormatDate(cell->held_on())));
  }
  CheckBallot(ballot, "ballot", committee_members, "đảng ủy viên", unmet);
  BallotOutcome outcome;
  Judge(ballot, committee_members, rules.admission().committee_threshold(),
        outcome);
  outcome.unmet = unmet.Take();
  return outcome;
}

absl::StatusOr<absl::CivilDay> AdmissionDecisionDue(
    absl::CivilDay cell_resolved_on, int extension_working_days,
    const WorkingDayCalendar& calendar, const v1::RuleSet& rules) {
  return calendar.AddWorkingDays(
      cell_resolved_on, rules.admission().decision_deadline_working_days() +
                            extension_working_days);
}

absl::StatusOr<std::vector<RuleViolation>> CheckAdmissionDecision(
    const v1::Admission& admission,
    const v1::RecordAdmissionDecisionRequest& request,
    const DecisionFacts& facts, const WorkingDayCalendar& calendar,
    const v1::RuleSet& rules) {
  FieldChecker check;
  ValidateDecisionRef(request.decision(), "decision", check);
  if (request.authority() == v1::DECISION_AUTHORITY_UNSPECIFIED) {
    check.Add("authority", "is required");
  }
  CheckDate(request.received_on(), "received_on", check);
  if (!check.ok()) return check.status();
  Violations unmet(rules);
  const v1::AdmissionRules& r = rules.admission();
  const absl::CivilDay signed_on = CivilDayOf(request.decision().signed_on());
  CheckAuthority(request.authority(), facts.authority, "decision.authority",
                 "decision.deciding_organization", unmet);
  if (CivilDayOf(request.received_on()) < signed_on) {
    unmet.Add("decision.received_after_signed", "received_on",
              absl::StrCat("Ngày chi bộ nhận quyết định (",
                           FormatDate(request.received_on()),
                           ") trước ngày ký quyết định (", FormatDay(signed_on),
                           ")"));
  }
  const v1::Ballot* committee = LastPassed(admission.committee_ballots());
  if (!facts.cell_is_grassroots && committee == nullptr) {
    unmet.Add("decision.committee_resolution", "committee_ballots",
              "Chi bộ trực thuộc đảng ủy cơ sở: cần có nghị quyết đề nghị kết "
              "nạp của đảng ủy cơ sở trước khi cấp trên quyết định");
  }
  if (committee != nullptr && signed_on < CivilDayOf(committee->held_on())) {
    unmet.Add("decision.after_resolutions", "decision.signed_on",
              absl::StrCat("Quyết định ký ngày ", FormatDay(signed_on),
                           ", trước nghị quyết của đảng ủy cơ sở ngày ",
                           FormatDate(committee->held_on())));
  }
  const v1::Ballot* cell = LastPassed(admission.cell_ballots());
  if (cell == nullptr) {
    unmet.Add("decision.after_resolutions", "cell_ballots",
              "Hồ sơ chưa có nghị quyết đề nghị kết nạp của chi bộ");
    return unmet.Take();
  }
  const absl::CivilDay resolved = CivilDayOf(cell->held_on());
  if (signed_on < resolved) {
    unmet.Add("decision.after_resolutions", "decision.signed_on",
              absl::StrCat("Quyết định ký ngày ", FormatDay(signed_on),
                           ", trước nghị quyết của chi bộ ngày ",
                           FormatDay(resolved)));
  }
  int extension = facts.extension_working_days;
  if (extension > r.decision_extension_max_working_days()) {
    unmet.Add("admission.decision_extension_max_working_days", "deadlines",
              absl::StrCat(
                  "Thời hạn quyết định kết nạp đã được gia hạn ", extension,
                  " ngày làm việc; chỉ được gia hạn tối đa ",
                  r.decision_extension_max_working_days(), " ngày làm việc"));
    extension = r.decision_extension_max_working_days();
  }
  absl::StatusOr<absl::CivilDay> due =
      AdmissionDecisionDue(resolved, extension, calendar, rules);
  if (!due.ok()) return due.status();
  if (signed_on > *due) {
    unmet.Add(
        "admission.decision_deadline_working_days", "decision.signed_on",
        absl::StrCat("Quyết định kết nạp ký ngày ", FormatDay(signed_on),
                     ", quá thời hạn ", r.decision_deadline_working_days(),
                     " ngày làm việc kể từ ngày chi bộ có nghị quyết (",
                     FormatDay(resolved), ")", ExtensionWords(extension),
                     "; hạn cuối là ngày ", FormatDay(*due)));
  }
  return unmet.Take();
}

absl::StatusOr<CeremonyOutcome> CheckCeremony(
    const v1::Admission& admission, const v1::RecordCeremonyRequest& request,
    int approved_extension_working_days, const WorkingDayCalendar& calendar,
    const v1::RuleSet& rules) {
  if (absl::Status s = ValidateDate(request.held_on(), "held_on"); !s.ok()) {
    return s;
  }
  Violations unmet(rules);
  CeremonyOutcome outcome;
  const v1::AdmissionRules& r = rules.admission();
  const absl::CivilDay held = CivilDayOf(request.held_on());
  outcome.probation_ends_on = AddMonths(held, r.probation_months());
  if (!IsValidDate(admission.decision_received_on()) ||
      !IsValidDate(admission.admission_decision().signed_on())) {
    unmet.Add(
        "ceremony.not_before_decision", "admission_decision",
        "Hồ sơ chưa có quyết định kết nạp và ngày chi bộ nhận quyết định");
    outcome.unmet = unmet.Take();
    return outcome;
  }
  const absl::CivilDay received = CivilDayOf(admission.decision_received_on());
  const absl::CivilDay signed_on =
      CivilDayOf(admission.admission_decision().signed_on());
  if (held < received || held < signed_on) {
    unmet.Add("ceremony.not_before_decision", "held_on",
              absl::StrCat("Lễ kết nạp ngày ", FormatDay(held),
                           " trước khi có quyết định kết nạp (ký ngày ",
                           FormatDay(signed_on), ", chi bộ nhận ngày ",
                           FormatDay(received), ")"));
  }
  absl::StatusOr<absl::CivilDay> due =
      calendar.AddWorkingDays(received, r.ceremony_deadline_working_days() +
                                            approved_extension_working_days);
  if (!due.ok()) return due.status();
  outcome.due_on = *due;
  if (held > *due) {
    unmet.Add(
        "admission.ceremony_deadline_working_days", "held_on",
        absl::StrCat("Lễ kết nạp ngày ", FormatDay(held), ", quá thời hạn ",
                     r.ceremony_deadline_working_days(),
                     " ngày làm việc kể từ ngày chi bộ nhận quyết định (",
                     FormatDay(received), ")",
                     ExtensionWords(approved_extension_working_days),
                     "; hạn cuối là ngày ", FormatDay(*due),
                     "; tổ chức muộn hơn phải được cấp ủy cấp trên đồng "
                     "ý"));
  }
  outcome.unmet = unmet.Take();
  return outcome;
}

absl::StatusOr<std::vector<RuleViolation>> CheckExtension(
    cv1::DeadlineKind kind, Stage stage, int working_days, int already_extended,
    const v1::RuleSet& rules, int* granted) {
  if (working_days < 0) return InvalidField("working_days", "must be >= 0");
  const v1::AdmissionRules& r = rules.admission();
  Violations unmet(rules);
  int max = 0;  // 0: no maximum.
  const char* max_rule = "";
  bool allowed = false;
  switch (kind) {
    case cv1::DEADLINE_KIND_ADMISSION_DECISION_DUE:
      allowed = stage == cv1::STAGE_CELL_RESOLVED ||
                stage == cv1::STAGE_COMMITTEE_RESOLVED;
      max = r.decision_extension_max_working_days();
      max_rule = "admission.decision_extension_max_working_days";
      break;
    case cv1::DEADLINE_KIND_CEREMONY_DUE:
      allowed = stage == cv1::STAGE_ADMISSION_DECIDED;
      if (working_days == 0) {
        return InvalidField("working_days",
                            "is required to extend the ceremony deadline");
      }
      break;
    case cv1::DEADLINE_KIND_RECOGNITION_DECISION_DUE:
      allowed = stage == cv1::STAGE_PROBATION;
      max = r.recognition_decision_extension_max_working_days();
      max_rule = "admission.recognition_decision_extension_max_working_days";
      break;
    default:
      return InvalidField("kind",
                          "must be ADMISSION_DECISION_DUE, CEREMONY_DUE or "
                          "RECOGNITION_DECISION_DUE");
  }
  if (!allowed) {
    unmet.Add("extension.kind_extendable", "kind",
              absl::StrCat("Thời hạn ", cv1::DeadlineKind_Name(kind),
                           " không đang chạy khi hồ sơ ở bước \"",
                           StageTitle(stage), "\""));
  }
  *granted =
      working_days > 0 ? working_days : std::max(0, max - already_extended);
  if (max > 0 && already_extended + *granted > max) {
    unmet.Add(max_rule, "working_days",
              absl::StrCat("Đã gia hạn ", already_extended,
                           " ngày làm việc, xin thêm ", *granted,
                           "; tổng thời gian gia hạn tối đa là ", max,
                           " ngày làm việc"));
  }
  if (max > 0 && *granted == 0) {
    unmet.Add(max_rule, "working_days",
              absl::StrCat("Đã gia hạn hết ", max, " ngày làm việc cho phép"));
  }
  return unmet.Take();
}

}  // namespace partydev::membership::domain
