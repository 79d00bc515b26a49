#include "services/membership/domain/pipeline.h"

#include "absl/strings/str_cat.h"

namespace partydev::membership::domain {
namespace {

namespace cv1 = ::partydev::common::v1;

// The transition table: the stage after `step` from `stage`, or
// STAGE_UNSPECIFIED when the step is not allowed there.
Stage Transition(Step step, Stage stage) {
  const Stage kRefused = cv1::STAGE_UNSPECIFIED;
  const bool candidate = IsCandidateStage(stage);
  // Candidate stages up to INTRODUCED: documents may be renewed there.
  const bool before_vote =
      stage >= cv1::STAGE_TRAINING_PASSED && stage <= cv1::STAGE_INTRODUCED;
  switch (step) {
    case Step::kAssignMentor:
      if (stage == cv1::STAGE_SOURCED) return cv1::STAGE_MENTOR_ASSIGNED;
      if (candidate || stage == cv1::STAGE_PROBATION) return stage;
      return kRefused;
    case Step::kRecordTraining:
      if (stage == cv1::STAGE_MENTOR_ASSIGNED)
        return cv1::STAGE_TRAINING_PASSED;
      return before_vote ? stage : kRefused;
    case Step::kRecordApplication:
      if (stage == cv1::STAGE_TRAINING_PASSED) {
        return cv1::STAGE_APPLICATION_FILED;
      }
      return before_vote && stage > cv1::STAGE_TRAINING_PASSED ? stage
                                                               : kRefused;
    case Step::kRecordBackgroundVerification:
      if (stage == cv1::STAGE_APPLICATION_FILED) {
        return cv1::STAGE_BACKGROUND_VERIFIED;
      }
      return before_vote && stage > cv1::STAGE_APPLICATION_FILED ? stage
                                                                 : kRefused;
    case Step::kRecordIntroductions:
      if (stage == cv1::STAGE_BACKGROUND_VERIFIED) return cv1::STAGE_INTRODUCED;
      return stage == cv1::STAGE_INTRODUCED ? stage : kRefused;
    case Step::kRecordCellResolution:
      return stage == cv1::STAGE_INTRODUCED ? cv1::STAGE_CELL_RESOLVED
                                            : kRefused;
    case Step::kRecordCommitteeResolution:
      return stage == cv1::STAGE_CELL_RESOLVED ? cv1::STAGE_COMMITTEE_RESOLVED
                                               : kRefused;
    case Step::kRecordAdmissionDecision:
      return stage == cv1::STAGE_CELL_RESOLVED ||
                     stage == cv1::STAGE_COMMITTEE_RESOLVED
                 ? cv1::STAGE_ADMISSION_DECIDED
                 : kRefused;
    case Step::kRecordCeremony:
      return stage == cv1::STAGE_ADMISSION_DECIDED ? cv1::STAGE_PROBATION
                                                   : kRefused;
    case Step::kRecordRecognitionVote:
      return stage == cv1::STAGE_PROBATION ? stage : kRefused;
    case Step::kRecogniseMember:
      return stage == cv1::STAGE_PROBATION ? cv1::STAGE_OFFICIAL : kRefused;
    case Step::kRemoveFromProbation:
      return stage == cv1::STAGE_PROBATION ? cv1::STAGE_REMOVED_FROM_PROBATION
                                           : kRefused;
    case Step::kExtendDeadline:
      // The admission decision (CELL_RESOLVED, COMMITTEE_RESOLVED), the
      // ceremony (ADMISSION_DECIDED), the recognition decision (PROBATION).
      return stage >= cv1::STAGE_CELL_RESOLVED && stage <= cv1::STAGE_PROBATION
                 ? stage
                 : kRefused;
    case Step::kWithdrawCandidacy:
      return candidate ? cv1::STAGE_WITHDRAWN : kRefused;
    case Step::kRejectCandidacy:
      return candidate ? cv1::STAGE_REJECTED : kRefused;
    case Step::kRestartCandidacy:
      return IsClosedStage(stage) ? cv1::STAGE_SOURCED : kRefused;
  }
  return kRefused;
}

}  // namespace

const std::vector<Step>& AllSteps() {
  static const auto* const kSteps = new std::vector<Step>{
      Step::kAssignMentor,
      Step::kRecordTraining,
      Step::kRecordApplication,
      Step::kRecordBackgroundVerification,
      Step::kRecordIntroductions,
      Step::kRecordCellResolution,
      Step::kRecordCommitteeResolution,
      Step::kRecordAdmissionDecision,
      Step::kRecordCeremony,
      Step::kRecordRecognitionVote,
      Step::kRecogniseMember,
      Step::kRemoveFromProbation,
      Step::kExtendDeadline,
      Step::kWithdrawCandidacy,
      Step::kRejectCandidacy,
      Step::kRestartCandidacy,
  };
  return *kSteps;
}

const std::vector<Stage>& AllStages() {
  static const auto* const kStages = [] {
    auto* stages = new std::vector<Stage>;
    for (int s = cv1::Stage_MIN; s <= cv1::Stage_MAX; ++s) {
      if (cv1::Stage_IsValid(s) && s != cv1::STAGE_UNSPECIFIED) {
        stages->push_back(static_cast<Stage>(s));
      }
    }
    return stages;
  }();
  return *kStages;
}

std::string StepName(Step step) {
  switch (step) {
    case Step::kAssignMentor:
      return "AssignMentor";
    case Step::kRecordTraining:
      return "RecordTraining";
    case Step::kRecordApplication:
      return "RecordApplication";
    case Step::kRecordBackgroundVerification:
      return "RecordBackgroundVerification";
    case Step::kRecordIntroductions:
      return "RecordIntroductions";
    case Step::kRecordCellResolution:
      return "RecordCellResolution";
    case Step::kRecordCommitteeResolution:
      return "RecordCommitteeResolution";
    case Step::kRecordAdmissionDecision:
      return "RecordAdmissionDecision";
    case Step::kRecordCeremony:
      return "RecordCeremony";
    case Step::kRecordRecognitionVote:
      return "RecordRecognitionVote";
    case Step::kRecogniseMember:
      return "RecogniseMember";
    case Step::kRemoveFromProbation:
      return "RemoveFromProbation";
    case Step::kExtendDeadline:
      return "ExtendDeadline";
    case Step::kWithdrawCandidacy:
      return "WithdrawCandidacy";
    case Step::kRejectCandidacy:
      return "RejectCandidacy";
    case Step::kRestartCandidacy:
      return "RestartCandidacy";
  }
  return "UnknownStep";
}

std::string StepTitle(Step step) {
  switch (step) {
    case Step::kAssignMentor:
      return "phân công đảng viên theo dõi, giúp đỡ";
    case Step::kRecordTraining:
      return "ghi nhận giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng";
    case Step::kRecordApplication:
      return "ghi nhận đơn xin vào Đảng và lý lịch";
    case Step::kRecordBackgroundVerification:
      return "ghi nhận thẩm tra lý lịch";
    case Step::kRecordIntroductions:
      return "ghi nhận người giới thiệu";
    case Step::kRecordCellResolution:
      return "ghi nhận nghị quyết đề nghị kết nạp của chi bộ";
    case Step::kRecordCommitteeResolution:
      return "ghi nhận nghị quyết của đảng ủy cơ sở";
    case Step::kRecordAdmissionDecision:
      return "ghi nhận quyết định kết nạp";
    case Step::kRecordCeremony:
      return "ghi nhận lễ kết nạp";
    case Step::kRecordRecognitionVote:
      return "ghi nhận biểu quyết công nhận đảng viên chính thức";
    case Step::kRecogniseMember:
      return "ghi nhận quyết định công nhận đảng viên chính thức";
    case Step::kRemoveFromProbation:
      return "xóa tên trong danh sách đảng viên dự bị";
    case Step::kExtendDeadline:
      return "gia hạn thời hạn";
    case Step::kWithdrawCandidacy:
      return "rút hồ sơ";
    case Step::kRejectCandidacy:
      return "không xem xét kết nạp";
    case Step::kRestartCandidacy:
      return "mở lại hồ sơ (tạo nguồn mới)";
  }
  return "bước không xác định";
}

std::string StageTitle(Stage stage) {
  switch (stage) {
    case cv1::STAGE_SOURCED:
      return "tạo nguồn";
    case cv1::STAGE_MENTOR_ASSIGNED:
      return "đã phân công đảng viên giúp đỡ";
    case cv1::STAGE_TRAINING_PASSED:
      return "đã qua lớp bồi dưỡng nhận thức về Đảng";
    case cv1::STAGE_APPLICATION_FILED:
      return "đã nộp đơn xin vào Đảng";
    case cv1::STAGE_BACKGROUND_VERIFIED:
      return "đã thẩm tra lý lịch";
    case cv1::STAGE_INTRODUCED:
      return "đã có người giới thiệu";
    case cv1::STAGE_CELL_RESOLVED:
      return "chi bộ đã đề nghị kết nạp";
    case cv1::STAGE_COMMITTEE_RESOLVED:
      return "đảng ủy cơ sở đã đề nghị kết nạp";
    case cv1::STAGE_ADMISSION_DECIDED:
      return "đã có quyết định kết nạp";
    case cv1::STAGE_PROBATION:
      return "đảng viên dự bị";
    case cv1::STAGE_OFFICIAL:
      return "đảng viên chính thức";
    case cv1::STAGE_WITHDRAWN:
      return "đã rút hồ sơ";
    case cv1::STAGE_REJECTED:
      return "không được xem xét kết nạp";
    case cv1::STAGE_REMOVED_FROM_PROBATION:
      return "đã bị xóa tên trong danh sách đảng viên dự bị";
    case cv1::STAGE_LEFT:
      return "đã ra khỏi Đảng";
    default:
      return "chưa xác định";
  }
}

bool IsCandidateStage(Stage stage) {
  return stage >= cv1::STAGE_SOURCED && stage <= cv1::STAGE_ADMISSION_DECIDED;
}

bool IsClosedStage(Stage stage) {
  return stage == cv1::STAGE_WITHDRAWN || stage == cv1::STAGE_REJECTED ||
         stage == cv1::STAGE_REMOVED_FROM_PROBATION || stage == cv1::STAGE_LEFT;
}

std::vector<Step> AllowedSteps(Stage stage) {
  std::vector<Step> steps;
  for (Step step : AllSteps()) {
    if (Transition(step, stage) != cv1::STAGE_UNSPECIFIED) {
      steps.push_back(step);
    }
  }
  return steps;
}

std::optional<RuleViolation> StageViolation(Step step, Stage stage) {
  if (Transition(step, stage) != cv1::STAGE_UNSPECIFIED) return std::nullopt;
  return RuleViolation{
      "pipeline.stage_allows_step", cv1::Stage_Name(stage),
      absl::StrCat("Không thể ", StepTitle(step), " (", StepName(step),
                   ") khi hồ sơ đang ở bước \"", StageTitle(stage), "\" (",
                   cv1::Stage_Name(stage), ").")};
}

absl::StatusOr<Stage> NextStage(Step step, Stage stage) {
  std::optional<RuleViolation> refused = StageViolation(step, stage);
  if (refused.has_value()) return RulesViolated({*std::move(refused)});
  return Transition(step, stage);
}

}  // namespace partydev::membership::domain
