// File: services/membership/domain/pipeline.h
//
// The candidate pipeline as an explicit state machine over
// partydev.common.v1.Stage (domain.md "The candidate pipeline"):
//
//   SOURCED → MENTOR_ASSIGNED → TRAINING_PASSED → APPLICATION_FILED →
//   BACKGROUND_VERIFIED → INTRODUCED → CELL_RESOLVED → COMMITTEE_RESOLVED →
//   ADMISSION_DECIDED → PROBATION → OFFICIAL | REMOVED_FROM_PROBATION,
//   WITHDRAWN or REJECTED from any candidate stage (SOURCED ..
//   ADMISSION_DECIDED), and a new candidacy (SOURCED) after WITHDRAWN,
//   REJECTED, REMOVED_FROM_PROBATION or LEFT.
//
// This file answers only "may this step be taken from this stage, and where
// does it lead"; whether the step's conditions are met is checked by the
// step's own function (candidate_steps.h, introductions.h,
// cell_resolution.h, decisions.h, recognition.h, readmission.h). The table
// is total: every (stage, step) pair is either a transition or a refusal,
// and the tests walk all of them.
//
// Transitions that keep the stage, and why:
//  - AssignMentor after SOURCED replaces the mentor (admission.proto), and
//    in PROBATION assigns the probationary member's mentor (Charter art. 5:
//    a mentor follows the new member).
//  - RecordTraining, RecordApplication, RecordBackgroundVerification and
//    RecordIntroductions may be taken again at later candidate stages up to
//    INTRODUCED to renew a document that expired (validity 60 / 12 months):
//    the cell judges them valid on the day of its vote, so an expired one
//    must be replaceable without restarting the case.
//  - RecordCellResolution and RecordCommitteeResolution lead to the next
//    stage only when the ballot passes; a failed ballot is recorded and the
//    stage stays (the caller uses the ballot's outcome, NextStage gives the
//    stage of a passed ballot).
//  - RecordRecognitionVote and ExtendDeadline keep the stage.
//  - A grassroots cell (chi bộ cơ sở) has no committee resolution: its
//    cases go from CELL_RESOLVED to RecordAdmissionDecision, which is
//    allowed from both CELL_RESOLVED and COMMITTEE_RESOLVED; the decision's
//    check (decisions.h) requires the committee's resolution for a cell
//    under a grassroots committee.
//
// Example:
//   absl::StatusOr<Stage> next =
//       NextStage(Step::kRecordCeremony, person.stage());
//   if (!next.ok()) return next.status();  // FAILED_PRECONDITION, rule
//                                           // "pipeline.stage_allows_step".

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_PIPELINE_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_PIPELINE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/errors.h"
#include "partydev/common/v1/categories.pb.h"

namespace partydev::membership::domain {

using Stage = ::partydev::common::v1::Stage;

// The steps of AdmissionService that move a case, one per RPC.
enum class Step {
  kAssignMentor,
  kRecordTraining,
  kRecordApplication,
  kRecordBackgroundVerification,
  kRecordIntroductions,
  kRecordCellResolution,
  kRecordCommitteeResolution,
  kRecordAdmissionDecision,
  kRecordCeremony,
  kRecordRecognitionVote,
  kRecogniseMember,
  kRemoveFromProbation,
  kExtendDeadline,
  kWithdrawCandidacy,
  kRejectCandidacy,
  kRestartCandidacy,
};

// Every step, in the order above (for tables and exhaustive tests).
const std::vector<Step>& AllSteps();

// Every stage except STAGE_UNSPECIFIED, in enum order.
const std::vector<Stage>& AllStages();

// The RPC name of a step ("RecordCeremony").
std::string StepName(Step step);

// The step in a secretary's words ("ghi nhận lễ kết nạp").
std::string StepTitle(Step step);

// The stage in a secretary's words ("đã có quyết định kết nạp").
std::string StageTitle(Stage stage);

// True for a stage of a candidate (SOURCED .. ADMISSION_DECIDED).
bool IsCandidateStage(Stage stage);

// True for a stage no step leaves except RestartCandidacy (WITHDRAWN,
// REJECTED, REMOVED_FROM_PROBATION, LEFT).
bool IsClosedStage(Stage stage);

// The steps allowed from `stage`, in Step order (empty for OFFICIAL,
// whose life goes on in the lifecycle RPCs, and for UNSPECIFIED).
std::vector<Step> AllowedSteps(Stage stage);

// The stage after `step` succeeds from `stage`. FAILED_PRECONDITION with
// the rule "pipeline.stage_allows_step" naming the current stage and the
// step when the step is not allowed from it.
absl::StatusOr<Stage> NextStage(Step step, Stage stage);

// The violation NextStage reports, or nullopt when the step is allowed;
// for a validate_only answer that lists it with the step's other unmet
// rules.
std::optional<RuleViolation> StageViolation(Step step, Stage stage);

}  // namespace partydev::membership::domain

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_PIPELINE_H_
