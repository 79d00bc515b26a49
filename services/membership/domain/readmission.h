// File: services/membership/domain/readmission.h
//
// Recorded exceptions to the admission rules (over 60 years, education,
// re-admission) and the re-admission conditions (domain.md "Re-admission"):
// at least 36 months after leaving (60 after a cleared minor criminal
// record), with the provincial-level committee's consent, only once, and
// never for those who left by abandoning activity, resigning, serious
// disunity, or a corruption or serious-crime conviction. Every number and
// the barred reasons come from the rule set.
//
// An exception is approved by the committee of the level the rule set names
// (admission.exception_approving_level, "PROVINCE"): the approval is what
// lets a step the ordinary rules would refuse go on, so it is checked when
// the exception is recorded and again when it is relied on.
//
// Example:
//   const v1::AdmissionException* readmission = FindActiveException(
//       exceptions, v1::ADMISSION_EXCEPTION_KIND_READMISSION);
//   absl::StatusOr<std::vector<RuleViolation>> unmet =
//       CheckReadmission(readmission, facts, request_day, rules);

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_READMISSION_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_READMISSION_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/errors.h"
#include "partydev/membership/v1/pipeline.pb.h"
#include "partydev/membership/v1/rules.pb.h"
#include "services/membership/domain/step_facts.h"

namespace partydev::membership::domain {

// The first ACTIVE exception of `kind` among `exceptions`, or nullptr.
const v1::AdmissionException* FindActiveException(
    const std::vector<v1::AdmissionException>& exceptions,
    v1::AdmissionExceptionKind kind);

// CreateAdmissionException. INVALID_ARGUMENT for a missing kind, approval
// number or date, or missing re-admission details (left_on,
// departure_reason) of a READMISSION. Rule "admission.exception_approving_
// level": `approving_level` (the level code of approval.
// deciding_organization) is the rule set's.
absl::StatusOr<std::vector<RuleViolation>> CheckAdmissionException(
    const v1::AdmissionException& exception, absl::string_view approving_level,
    const v1::RuleSet& rules);

// The re-admission conditions on `on` (the day the candidacy restarts, and
// again the day the cell votes). Rules: "readmission.exception" (an ACTIVE
// READMISSION exception is given), "admission.exception_approving_level",
// "admission.readmission_barred_reasons",
// "admission.readmission_wait_months" (or
// "admission.readmission_wait_months_after_cleared_record" for
// MINOR_CRIME_CLEARED), "admission.readmission_max_times".
std::vector<RuleViolation> CheckReadmission(
    const v1::AdmissionException* exception, const ReadmissionFacts& facts,
    absl::CivilDay on, const v1::RuleSet& rules);

}  // namespace partydev::membership::domain

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_READMISSION_H_
