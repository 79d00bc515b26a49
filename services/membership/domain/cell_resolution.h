// File: services/membership/domain/cell_resolution.h
//
// The cell's vote on an admission (Charter art. 4.3), the step where every
// admission condition is checked on the day the cell considers the case
// (the ballot's held_on), by the rule set in force that day:
//  - Age: from the day the candidate is full min_age_months (216 = 18
//    years) to the day they are full max_age_months (720 = 60 years),
//    counted to the day with the month-end rule of dates.h: born
//    2006-03-31 is eligible from 2024-03-31; born 1964-03-31 is eligible up
//    to 2024-03-31 and over age from 2024-04-01 unless an ACTIVE
//    OVER_AGE_LIMIT exception approved by the provincial level exists.
//  - Education: lower secondary or higher, or an ACTIVE EDUCATION
//    exception.
//  - The certificate, the application and form, the introductions and the
//    background still valid that day (validity.h).
//  - A former member: the re-admission conditions (readmission.h).
//  - The ballot: consistent counts, the total equal to the cell's official
//    members counted as the rule set says (ballots.h).
// The ballot passes with votes in favour reaching the threshold (2/3) of
// the cell's official members; a ballot that does not pass is recorded
// and the stage stays.
//
// Example:
//   absl::StatusOr<BallotOutcome> outcome =
//       CheckCellResolution(person, request.ballot(), facts, rules);
//   if (!outcome.ok()) return outcome.status();          // Malformed.
//   if (!outcome->unmet.empty()) return StatusOf(outcome->unmet);
//   next_stage = outcome->passed ? STAGE_CELL_RESOLVED : person.stage();

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_CELL_RESOLUTION_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_CELL_RESOLUTION_H_

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "partydev/membership/v1/people.pb.h"
#include "partydev/membership/v1/pipeline.pb.h"
#include "partydev/membership/v1/rules.pb.h"
#include "partydev/membership/v1/types.pb.h"
#include "services/membership/domain/ballots.h"
#include "services/membership/domain/step_facts.h"
#include "services/membership/domain/violations.h"

namespace partydev::membership::domain {

// What the service looks up for the cell's vote.
struct CellResolutionFacts {
  VotingRoll roll;  // The cell's official members on held_on.
  // The candidate's recorded exceptions (any state; only ACTIVE count).
  std::vector<v1::AdmissionException> exceptions;
  // Set when the candidate is a former member (a re-admission).
  std::optional<ReadmissionFacts> readmission;
};

// Adds "admission.min_age_months" / "admission.max_age_months" when
// `person` is outside the age range on `on` (over the maximum is allowed
// with an ACTIVE OVER_AGE_LIMIT exception among `exceptions`).
void CheckAge(const v1::Person& person, absl::CivilDay on,
              const std::vector<v1::AdmissionException>& exceptions,
              const v1::RuleSet& rules, Violations& unmet);

// Adds "admission.min_general_education" when `person`'s education is
// below the rule set's minimum without an ACTIVE EDUCATION exception.
void CheckEducation(const v1::Person& person,
                    const std::vector<v1::AdmissionException>& exceptions,
                    const v1::RuleSet& rules, Violations& unmet);

// RecordCellResolution: every condition above. INVALID_ARGUMENT for a
// malformed ballot or a person without a valid date of birth.
absl::StatusOr<BallotOutcome> CheckCellResolution(
    const v1::Person& person, const v1::Ballot& ballot,
    const CellResolutionFacts& facts, const v1::RuleSet& rules);

}  // namespace partydev::membership::domain

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_CELL_RESOLUTION_H_
