// File: services/membership/domain/decisions.h
//
// From the cell's resolution to the ceremony: the grassroots committee's
// resolution, the admission decision and its deadline, the ceremony and its
// deadline, and the extension of a running deadline (domain.md "The
// candidate pipeline and its deadlines"):
//  - Committee resolution: at least 2/3 of the committee's members in
//    favour; a grassroots cell (chi bộ cơ sở) has no such step.
//  - Admission decision: within 60 working days of the cell's resolution,
//    extendable by at most 30 working days (with the outcome sent to the
//    cell); decided by the standing committee of the superior level, or by
//    a grassroots committee delegated the authority.
//  - Ceremony: within 30 working days of receiving the decision; later only
//    with the superior's approval (a recorded extension). Probation is 12
//    months from the ceremony (Charter art. 5.1), ending on
//    AddMonths(ceremony, 12) with the month-end rule of dates.h.
//
// Deadlines count working days (working_days.h) from the day the clock
// started, with the numbers of the rule set in force on that day
// (types.proto Deadline: "from the rule set in force on counted_from"): pass
// the rule set of the cell's resolution date to CheckAdmissionDecision, and
// that of the decision's receipt to CheckCeremony. The act is on time on
// the due day itself: the 60th working day after the resolution is on time,
// the 61st is late.
//
// Example:
//   absl::StatusOr<std::vector<RuleViolation>> unmet = CheckAdmissionDecision(
//       person.admission(), request, facts, calendar, rules_of_resolution);

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_DECISIONS_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_DECISIONS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/errors.h"
#include "partydev/common/v1/deadlines.pb.h"
#include "partydev/common/v1/types.pb.h"
#include "partydev/membership/v1/admission.pb.h"
#include "partydev/membership/v1/pipeline.pb.h"
#include "partydev/membership/v1/rules.pb.h"
#include "services/membership/domain/ballots.h"
#include "services/membership/domain/pipeline.h"
#include "services/membership/domain/step_facts.h"
#include "services/membership/domain/violations.h"
#include "services/membership/domain/working_days.h"

namespace partydev::membership::domain {

// Adds to `check` the missing parts of a signed decision at request path
// `field`: number, a valid signed_on, deciding_organization.
void ValidateDecisionRef(const ::partydev::common::v1::DecisionRef& ref,
                         const std::string& field, FieldChecker& check);

// The last passed ballot of `ballots` (oldest first), or nullptr.
const v1::Ballot* LastPassed(
    const google::protobuf::RepeatedPtrField<v1::Ballot>& ballots);

// Adds the authority rule `rule` when neither the superior level's
// standing committee nor a delegated own grassroots committee decided.
// `authority` is the authority the decision claims (UNSPECIFIED: either).
void CheckAuthority(v1::DecisionAuthority authority,
                    const AuthorityFacts& facts, absl::string_view rule,
                    absl::string_view subject, Violations& unmet);

// RecordCommitteeResolution. Rules: "committee.applicable" (not for a
// grassroots cell), "committee.after_cell_resolution" (held on or after the
// cell's passed resolution), "ballot.counts_consistent",
// "ballot.total_matches_roll" (the committee's members). Threshold:
// admission.committee_threshold of the committee's members.
absl::StatusOr<BallotOutcome> CheckCommitteeResolution(
    const v1::Admission& admission, const v1::Ballot& ballot,
    bool cell_is_grassroots, int committee_members, const v1::RuleSet& rules);

// The last day the admission decision is on time: the rule set's
// decision_deadline_working_days plus `extension_working_days` after
// `cell_resolved_on`.
absl::StatusOr<absl::CivilDay> AdmissionDecisionDue(
    absl::CivilDay cell_resolved_on, int extension_working_days,
    const WorkingDayCalendar& calendar, const v1::RuleSet& rules);

// RecordAdmissionDecision. Rules: "decision.authority",
// "decision.committee_resolution" (a passed committee resolution unless the
// cell is a grassroots cell), "decision.after_resolutions" (signed on or
// after them), "decision.received_after_signed",
// "admission.decision_extension_max_working_days" (recorded extensions
// within the maximum), "admission.decision_deadline_working_days" (signed
// by the due day). `rules`: in force on the cell's resolution date.
absl::StatusOr<std::vector<RuleViolation>> CheckAdmissionDecision(
    const v1::Admission& admission,
    const v1::RecordAdmissionDecisionRequest& request,
    const DecisionFacts& facts, const WorkingDayCalendar& calendar,
    const v1::RuleSet& rules);

// What the ceremony step yields besides its unmet rules.
struct CeremonyOutcome {
  std::vector<RuleViolation> unmet;
  absl::CivilDay due_on;             // Last day the ceremony was on time.
  absl::CivilDay probation_ends_on;  // AddMonths(held_on, probation_months).
};

// RecordCeremony. Rules: "ceremony.not_before_decision" (on or after the
// decision's signature and receipt), "admission.ceremony_deadline_
// working_days" (by the rule set's working days after receipt, plus
// `approved_extension_working_days` granted by the superior). `rules`: in
// force on the decision's receipt; the probation length is taken from it
// too (Charter art. 5.1 has not changed it).
absl::StatusOr<CeremonyOutcome> CheckCeremony(
    const v1::Admission& admission, const v1::RecordCeremonyRequest& request,
    int approved_extension_working_days, const WorkingDayCalendar& calendar,
    const v1::RuleSet& rules);

// ExtendDeadline. Rules: "extension.kind_extendable" (ADMISSION_DECISION_DUE
// at CELL_RESOLVED or COMMITTEE_RESOLVED, CEREMONY_DUE at ADMISSION_DECIDED,
// RECOGNITION_DECISION_DUE at PROBATION), and the maximum in total
// ("admission.decision_extension_max_working_days",
// "admission.recognition_decision_extension_max_working_days"; the
// ceremony's extension has no maximum: the superior decides).
// `working_days` 0 means the rule set's maximum; `already_extended` is the
// total granted before. Sets `*granted` to the working days to add.
absl::StatusOr<std::vector<RuleViolation>> CheckExtension(
    ::partydev::common::v1::DeadlineKind kind, Stage stage, int working_days,
    int already_extended, const v1::RuleSet& rules, int* granted);

}  // namespace partydev::membership::domain

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_DECISIONS_H_
