// File: services/membership/domain/candidate_steps.h
//
// The checks of the first pipeline steps, before the introductions: the
// mentor (đảng viên theo dõi, giúp đỡ), the training class certificate, the
// application and the background verification (or its exemption).
//
// Every check returns EVERY unmet rule of its step, not only the first
// (AIP-193: the secretary fixes the whole file at once), as RuleViolations
// whose rule ids are the RuleSet field paths ("admission.certificate_
// validity_months") or, for rules without a number, their names
// ("mentor.same_cell"). A malformed request (a missing or impossible date)
// is INVALID_ARGUMENT naming the field instead. Whether the step is allowed
// from the person's stage is pipeline.h's question, asked first.
//
// Example:
//   absl::StatusOr<std::vector<RuleViolation>> unmet =
//       CheckAssignMentor(person, request, mentor_facts, rules);
//   if (!unmet.ok()) return unmet.status();
//   if (absl::Status s = StatusOf(*unmet); !s.ok()) return s;

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_CANDIDATE_STEPS_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_CANDIDATE_STEPS_H_

#include <vector>

#include "absl/status/statusor.h"
#include "common/errors.h"
#include "partydev/common/v1/types.pb.h"
#include "partydev/membership/v1/admission.pb.h"
#include "partydev/membership/v1/people.pb.h"
#include "partydev/membership/v1/rules.pb.h"
#include "services/membership/domain/step_facts.h"

namespace partydev::membership::domain {

// AssignMentor. Rules: "mentor.not_self", "mentor.official_member" (an
// official member on assigned_on: the cell entrusts a candidate to someone
// whose own membership is confirmed, letter 1849-CV/ĐUK),
// "mentor.same_cell" (of the candidate's cell that day, who can follow the
// candidate's work and life). `mentor` describes request.mentor().
absl::StatusOr<std::vector<RuleViolation>> CheckAssignMentor(
    const v1::Person& person, const v1::AssignMentorRequest& request,
    const MemberFacts& mentor, const v1::RuleSet& rules);

// RecordTraining, recorded on `today`. Rules: "training.certificate_issued"
// (a CERTIFIED enrollment; not dated after today), "training.kind" (an
// ADMISSION_CANDIDATES class), "training.same_person",
// "admission.certificate_validity_months" (still valid today).
absl::StatusOr<std::vector<RuleViolation>> CheckRecordTraining(
    const v1::Person& person, const CertificateFacts& certificate,
    const ::partydev::common::v1::Date& today, const v1::RuleSet& rules);

// RecordApplication. Rules: "admission.certificate_validity_months" (the
// certificate recorded in the case is valid on filed_on: the application
// follows the class), "application.form_not_after_filing" (the background
// form is completed on or before the filing).
absl::StatusOr<std::vector<RuleViolation>> CheckRecordApplication(
    const v1::Person& person, const v1::RecordApplicationRequest& request,
    const v1::RuleSet& rules);

// RecordBackgroundVerification. A verification: "background.
// verifying_committee" (the grassroots committee of the candidate's cell),
// "background.subjects" (every relative the candidate has among those the
// rule set lists). An exemption: "background.exemption_relative" (a close
// relative, parent, spouse or adult child, who is a party member),
// "background.exemption_file_complete".
absl::StatusOr<std::vector<RuleViolation>> CheckRecordBackgroundVerification(
    const v1::Person& person,
    const v1::RecordBackgroundVerificationRequest& request,
    const BackgroundFacts& facts, const v1::RuleSet& rules);

}  // namespace partydev::membership::domain

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_CANDIDATE_STEPS_H_
