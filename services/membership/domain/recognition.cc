#include "services/membership/domain/recognition.h"

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "services/membership/domain/decisions.h"
#include "services/membership/domain/violations.h"

namespace partydev::membership::domain {
namespace {

// The end of probation: recorded, else computed from the ceremony.
std::optional<absl::CivilDay> ProbationEnd(const v1::Admission& admission,
                                           const v1::RuleSet& rules) {
  if (IsValidDate(admission.probation_ends_on())) {
    return CivilDayOf(admission.probation_ends_on());
  }
  if (IsValidDate(admission.ceremony_on())) {
    return AddMonths(CivilDayOf(admission.ceremony_on()),
                     rules.admission().probation_months());
  }
  return std::nullopt;
}

void AddNoCeremony(Violations& unmet) {
  unmet.Add("admission.probation_months", "admission.ceremony_on",
            "Hồ sơ chưa có ngày lễ kết nạp nên chưa xác định được thời gian dự "
            "bị");
}

}  // namespace

absl::StatusOr<RecognitionVoteOutcome> CheckRecognitionVote(
    const v1::Admission& admission, const v1::Ballot& ballot,
    const VotingRoll& roll, const WorkingDayCalendar& calendar,
    const v1::RuleSet& rules) {
  if (absl::Status s = ValidateBallot(ballot, "ballot"); !s.ok()) return s;
  const v1::AdmissionRules& r = rules.admission();
  Violations unmet(rules);
  RecognitionVoteOutcome outcome;
  const absl::CivilDay held = CivilDayOf(ballot.held_on());
  const std::optional<absl::CivilDay> end = ProbationEnd(admission, rules);
  if (!end.has_value()) {
    AddNoCeremony(unmet);
  } else {
    outcome.official_on = *end;
    if (held < *end) {
      unmet.Add(
          "admission.probation_months", "ballot.held_on",
          absl::StrCat("Chi bộ biểu quyết ngày ", FormatDay(held),
                       ", trước khi đảng viên dự bị hết ", r.probation_months(),
                       " tháng dự bị (ngày ", FormatDay(*end), ")"));
    }
    absl::StatusOr<absl::CivilDay> due = calendar.AddWorkingDays(
        *end, r.recognition_vote_deadline_working_days());
    if (!due.ok()) return due.status();
    outcome.vote_due_on = *due;
    outcome.late = held > *due;
  }
  if (!IsValidDate(admission.new_member_certificate().issued_on())) {
    unmet.Add("recognition.new_member_course",
              "admission.new_member_certificate",
              "Đảng viên dự bị chưa có giấy chứng nhận lớp bồi dưỡng đảng viên "
              "mới");
  }
  if (admission.recognition_escalated()) {
    unmet.Add("recognition.escalated", "admission.recognition_escalated",
              absl::StrCat("Chi bộ đã biểu quyết không đạt ",
                           r.recognition_failed_votes_to_escalate(),
                           " lần; hồ sơ đã chuyển cấp ủy cấp trên xem xét, chi "
                           "bộ không biểu quyết tiếp"));
  }
  const int total = CountedTotal(roll, r);
  CheckBallot(ballot, "ballot", total, "đảng viên chính thức của chi bộ",
              unmet);
  Judge(ballot, total, r.recognition_threshold(), outcome.ballot);
  outcome.ballot.unmet = unmet.Take();
  int failed = 0;
  for (const v1::Ballot& earlier : admission.recognition_ballots()) {
    if (!earlier.passed()) ++failed;
  }
  outcome.attempt = admission.recognition_ballots_size() + 1;
  outcome.failed_votes = failed + (outcome.ballot.passed ? 0 : 1);
  outcome.escalate =
      !outcome.ballot.passed &&
      outcome.failed_votes >= r.recognition_failed_votes_to_escalate();
  return outcome;
}

absl::StatusOr<RecognitionOutcome> CheckRecognition(
    const v1::Admission& admission, const v1::RecogniseMemberRequest& request,
    const AuthorityFacts& authority, int extension_working_days,
    const WorkingDayCalendar& calendar, const v1::RuleSet& rules) {
  FieldChecker check;
  ValidateDecisionRef(request.decision(), "decision", check);
  if (request.has_committee_ballot()) {
    if (absl::Status s =
            ValidateBallot(request.committee_ballot(), "committee_ballot");
        !s.ok()) {
      return s;
    }
  }
  if (!check.ok()) return check.status();
  const v1::AdmissionRules& r = rules.admission();
  Violations unmet(rules);
  RecognitionOutcome outcome;
  const absl::CivilDay signed_on = CivilDayOf(request.decision().signed_on());
  const std::optional<absl::CivilDay> end = ProbationEnd(admission, rules);
  if (!end.has_value()) {
    AddNoCeremony(unmet);
  } else {
    outcome.official_on = *end;
    if (signed_on < *end) {
      unmet.Add(
          "admission.probation_months", "decision.signed_on",
          absl::StrCat("Quyết định công nhận ký ngày ", FormatDay(signed_on),
                       ", trước khi hết thời gian dự bị (ngày ",
                       FormatDay(*end), ")"));
    }
  }
  const v1::Ballot* vote = LastPassed(admission.recognition_ballots());
  const bool escalated = admission.recognition_escalated();
  if (escalated) {
    if (!authority.decider_is_superior_standing_committee) {
      unmet.Add(
          "recognition.vote_passed", "decision.deciding_organization",
          "Hồ sơ đã chuyển cấp ủy cấp trên sau nhiều lần chi bộ biểu "
          "quyết không đạt; chỉ ban thường vụ cấp ủy cấp trên quyết định");
    }
  } else {
    const int n = admission.recognition_ballots_size();
    if (n == 0 || !admission.recognition_ballots(n - 1).passed()) {
      unmet.Add("recognition.vote_passed", "recognition_ballots",
                absl::StrCat("Chưa có nghị quyết của chi bộ đề nghị công nhận "
                             "đảng viên chính thức với ít nhất ",
                             FormatFraction(r.recognition_threshold()),
                             " số đảng viên chính thức tán thành"));
    }
    CheckAuthority(v1::DECISION_AUTHORITY_UNSPECIFIED, authority,
                   "recognition.authority", "decision.deciding_organization",
                   unmet);
  }
  if (request.has_committee_ballot()) {
    const v1::Ballot& b = request.committee_ballot();
    if (!Reaches(b.votes_for(), b.total(), r.committee_threshold())) {
      unmet.Add("admission.committee_threshold", "committee_ballot",
                absl::StrCat("Đảng ủy cơ sở: ", b.votes_for(), "/", b.total(),
                             " đảng ủy viên tán thành; cần ít nhất ",
                             FormatFraction(r.committee_threshold()), " (",
                             LeastReaching(b.total(), r.committee_threshold()),
                             " người)"));
    }
  }
  int extension = extension_working_days;
  const int max = r.recognition_decision_extension_max_working_days();
  if (extension > max) {
    unmet.Add(
        "admission.recognition_decision_extension_max_working_days",
        "deadlines",
        absl::StrCat("Thời hạn quyết định công nhận đã gia hạn ", extension,
                     " ngày làm việc; tối đa ", max, " ngày làm việc"));
    extension = max;
  }
  if (vote != nullptr) {
    const absl::CivilDay voted = CivilDayOf(vote->held_on());
    absl::StatusOr<absl::CivilDay> due = calendar.AddWorkingDays(
        voted, r.recognition_decision_deadline_working_days() + extension);
    if (!due.ok()) return due.status();
    outcome.decision_due_on = *due;
    if (signed_on > *due) {
      unmet.Add(
          "admission.recognition_decision_deadline_working_days",
          "decision.signed_on",
          absl::StrCat(
              "Quyết định công nhận ký ngày ", FormatDay(signed_on),
              ", quá thời hạn ", r.recognition_decision_deadline_working_days(),
              " ngày làm việc kể từ ngày chi bộ biểu quyết (", FormatDay(voted),
              ")",
              extension > 0
                  ? absl::StrCat(" (đã gia hạn ", extension, " ngày làm việc)")
                  : "",
              "; hạn cuối là ngày ", FormatDay(*due)));
    }
  }
  outcome.unmet = unmet.Take();
  return outcome;
}

absl::StatusOr<std::vector<RuleViolation>> CheckRemoveFromProbation(
    const v1::RemoveFromProbationRequest& request,
    const AuthorityFacts& authority, const v1::RuleSet& rules) {
  FieldChecker check;
  if (request.reason().empty()) check.Add("reason", "is required");
  ValidateDecisionRef(request.decision(), "decision", check);
  CheckDate(request.effective_on(), "effective_on", check);
  if (!check.ok()) return check.status();
  if (request.has_cell_ballot()) {
    if (absl::Status s = ValidateBallot(request.cell_ballot(), "cell_ballot");
        !s.ok()) {
      return s;
    }
  }
  Violations unmet(rules);
  CheckAuthority(v1::DECISION_AUTHORITY_UNSPECIFIED, authority,
                 "probation.removal_authority",
                 "decision.deciding_organization", unmet);
  return unmet.Take();
}

}  // namespace partydev::membership::domain
