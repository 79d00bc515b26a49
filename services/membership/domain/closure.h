// File: services/membership/domain/closure.h
//
// Ending a candidacy without admission: withdrawal (by the candidate or the
// cell) and rejection (by the body that considered the case), from any
// candidate stage (SOURCED .. ADMISSION_DECIDED; pipeline.h), always with a
// reason in words: a closed case is read years later, at a re-admission or
// an audit, and "why" must be on it. A probationary member is not
// withdrawn but removed from the probationary list (recognition.h).
//
// Example:
//   if (absl::Status s = ValidateWithdrawal(request); !s.ok()) return s;
//   absl::StatusOr<Stage> next =
//       NextStage(Step::kWithdrawCandidacy, person.stage());
//   if (!next.ok()) return next.status();
//   *admission.mutable_closure() = WithdrawalClosure(request, person.stage());

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_CLOSURE_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_CLOSURE_H_

#include "absl/status/status.h"
#include "partydev/membership/v1/admission.pb.h"
#include "partydev/membership/v1/pipeline.pb.h"
#include "services/membership/domain/pipeline.h"

namespace partydev::membership::domain {

// INVALID_ARGUMENT naming every missing field: reason (not blank),
// withdrawn_by, a valid withdrawn_on.
absl::Status ValidateWithdrawal(const v1::WithdrawCandidacyRequest& request);

// INVALID_ARGUMENT naming every missing field: reason (not blank), a valid
// rejected_on.
absl::Status ValidateRejection(const v1::RejectCandidacyRequest& request);

// The closure recorded on the case (stage WITHDRAWN, closed at `at`).
v1::CaseClosure WithdrawalClosure(const v1::WithdrawCandidacyRequest& request,
                                  Stage at);

// The closure recorded on the case (stage REJECTED, closed at `at`).
v1::CaseClosure RejectionClosure(const v1::RejectCandidacyRequest& request,
                                 Stage at);

}  // namespace partydev::membership::domain

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_CLOSURE_H_
