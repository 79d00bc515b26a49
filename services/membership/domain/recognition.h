// File: services/membership/domain/recognition.h
//
// The end of probation (Charter art. 5; domain.md): the cell votes on
// official recognition within 30 working days after the 12 months of
// probation (at least 2/3 of its official members in favour); the official
// date is the end of probation even if the vote is late (a late vote is
// flagged, never refused: the member is not made to pay for the cell's
// delay); the decision follows within 30 working days of the vote
// (extendable by 30). Three failed votes send the case to the superior
// committee. A member found not qualified is removed from the probationary
// list (never expelled: expulsion is for official members).
//
// The vote may be held from the day probation ends (probation_ends_on,
// the official date) onwards: the 12 months are complete at the end of that
// day's counterpart (dates.h), and the cell considers the whole period.
//
// Deadlines here count from the end of probation and from the vote, with
// the rule set in force on those days.
//
// Example:
//   absl::StatusOr<RecognitionVoteOutcome> vote = CheckRecognitionVote(
//       person.admission(), request.ballot(), roll, calendar, rules);
//   if (vote->escalate) { /* recognition_escalated = true, notify superior */ }

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_RECOGNITION_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_RECOGNITION_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/errors.h"
#include "partydev/membership/v1/admission.pb.h"
#include "partydev/membership/v1/pipeline.pb.h"
#include "partydev/membership/v1/rules.pb.h"
#include "partydev/membership/v1/types.pb.h"
#include "services/membership/domain/ballots.h"
#include "services/membership/domain/step_facts.h"
#include "services/membership/domain/working_days.h"

namespace partydev::membership::domain {

// The outcome of a recognition vote.
struct RecognitionVoteOutcome {
  BallotOutcome ballot;        // unmet rules, passed, threshold.
  int attempt = 0;             // 1 for the first recognition vote.
  int failed_votes = 0;        // Failed votes including this one.
  bool escalate = false;       // The failed votes reached the rule set's.
  bool late = false;           // Held after vote_due_on.
  absl::CivilDay vote_due_on;  // The last day the vote was on time.
  absl::CivilDay official_on;  // The end of probation.
};

// RecordRecognitionVote. Rules: "admission.probation_months" (held on or
// after the end of probation), "recognition.new_member_course" (the
// new-member course certificate is recorded), "recognition.escalated" (no
// cell vote after the case went to the superior), "ballot.
// counts_consistent", "ballot.total_matches_roll". Threshold:
// admission.recognition_threshold. `admission` holds the earlier votes.
absl::StatusOr<RecognitionVoteOutcome> CheckRecognitionVote(
    const v1::Admission& admission, const v1::Ballot& ballot,
    const VotingRoll& roll, const WorkingDayCalendar& calendar,
    const v1::RuleSet& rules);

// What the recognition decision yields besides its unmet rules.
struct RecognitionOutcome {
  std::vector<RuleViolation> unmet;
  absl::CivilDay official_on;  // The end of probation, whatever the dates.
  absl::CivilDay decision_due_on;
};

// RecogniseMember. Rules: "recognition.vote_passed" (the cell's last vote
// passed, or the case was escalated and the superior decides),
// "recognition.authority" (the superior level's standing committee, or the
// delegated grassroots committee), "admission.probation_months" (not signed
// before probation ends), "admission.committee_threshold" (a committee
// ballot given must pass), "admission.recognition_decision_extension_max_
// working_days", "admission.recognition_decision_deadline_working_days"
// (signed by the due day, counted from the passed vote).
// `extension_working_days`: recorded extensions of the decision deadline.
absl::StatusOr<RecognitionOutcome> CheckRecognition(
    const v1::Admission& admission, const v1::RecogniseMemberRequest& request,
    const AuthorityFacts& authority, int extension_working_days,
    const WorkingDayCalendar& calendar, const v1::RuleSet& rules);

// RemoveFromProbation. INVALID_ARGUMENT without a reason, a decision or a
// valid effective_on. Rule "probation.removal_authority" (the body
// competent to admit decides the removal).
absl::StatusOr<std::vector<RuleViolation>> CheckRemoveFromProbation(
    const v1::RemoveFromProbationRequest& request,
    const AuthorityFacts& authority, const v1::RuleSet& rules);

}  // namespace partydev::membership::domain

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_RECOGNITION_H_
