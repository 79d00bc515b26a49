// File: services/membership/domain/ballots.h
//
// Votes of party bodies (partydev.membership.v1.Ballot): the cell's
// resolution on an admission and on a recognition, the grassroots
// committee's resolution. A ballot passes when the votes in favour reach the
// rule set's fraction (2/3 by default, Charter art. 4.3 and 5) of ALL the
// body's voting members, not of those present: "ít nhất hai phần ba số đảng
// viên chính thức tán thành". The fraction is compared exactly: 6 of 9
// passes (6 * 3 >= 2 * 9), 5 of 8 fails (15 < 16).
//
// The total is checked against the service's roll (rule
// "ballot.total_matches_roll"): the minutes may not shrink the denominator.
// Whether members exempt from meetings or away on a temporary transfer count
// in the total is a rule-set choice (admission.ballot_total_excludes_*).
//
// Example:
//   int total = CountedTotal(roll, rules.admission());
//   CheckBallot(ballot, "ballot", total, "chi bộ", unmet);
//   bool passed = Reaches(ballot.votes_for(), total,
//                         rules.admission().cell_threshold());

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_BALLOTS_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_BALLOTS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "partydev/membership/v1/rules.pb.h"
#include "partydev/membership/v1/types.pb.h"
#include "services/membership/domain/step_facts.h"
#include "services/membership/domain/violations.h"

namespace partydev::membership::domain {

// The outcome of a ballot step: the unmet rules (the step is refused when
// any), and when none, whether the ballot passed. A ballot that did not pass
// is still recorded (with passed = false); the stage stays.
struct BallotOutcome {
  std::vector<RuleViolation> unmet;
  bool passed = false;
  int total = 0;         // Voting members counted by the rule set.
  int least_needed = 0;  // Votes in favour needed to pass.
  v1::Fraction threshold;
};

// The voting members a ballot's total must equal: members less those
// exempt and temporarily away when the rule set leaves them out.
int CountedTotal(const VotingRoll& roll, const v1::AdmissionRules& rules);

// INVALID_ARGUMENT naming the field when `ballot` (at request path `field`)
// lacks a valid held_on or has a negative count.
absl::Status ValidateBallot(const v1::Ballot& ballot, absl::string_view field);

// Adds "ballot.counts_consistent" (for + against <= present <= total) and
// "ballot.total_matches_roll" (total == counted_total) to `unmet`. `body`
// names the voting body in words ("chi bộ", "đảng ủy").
void CheckBallot(const v1::Ballot& ballot, absl::string_view field,
                 int counted_total, absl::string_view body, Violations& unmet);

// Judges a ballot against `threshold` of `counted_total`, after the checks:
// fills the outcome's passed, total, least_needed and threshold.
void Judge(const v1::Ballot& ballot, int counted_total,
           const v1::Fraction& threshold, BallotOutcome& outcome);

}  // namespace partydev::membership::domain

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_BALLOTS_H_
