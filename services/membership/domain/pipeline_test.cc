#include "services/membership/domain/pipeline.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "common/errors.h"

namespace partydev::membership::domain {
namespace {

namespace cv1 = ::partydev::common::v1;

// The expected transitions, written out by hand from domain.md and
// admission.proto (not derived from the code under test): for each step,
// the stages it is allowed from and where it leads. Every pair not listed
// must be refused.
const std::map<Step, std::map<Stage, Stage>>& Expected() {
  static const auto* const kExpected = [] {
    auto* t = new std::map<Step, std::map<Stage, Stage>>;
    const Stage kCandidate[] = {cv1::STAGE_SOURCED,
                                cv1::STAGE_MENTOR_ASSIGNED,
                                cv1::STAGE_TRAINING_PASSED,
                                cv1::STAGE_APPLICATION_FILED,
                                cv1::STAGE_BACKGROUND_VERIFIED,
                                cv1::STAGE_INTRODUCED,
                                cv1::STAGE_CELL_RESOLVED,
                                cv1::STAGE_COMMITTEE_RESOLVED,
                                cv1::STAGE_ADMISSION_DECIDED};
    // AssignMentor: SOURCED advances; later candidate stages and probation
    // replace the mentor.
    for (Stage s : kCandidate) (*t)[Step::kAssignMentor][s] = s;
    (*t)[Step::kAssignMentor][cv1::STAGE_SOURCED] = cv1::STAGE_MENTOR_ASSIGNED;
    (*t)[Step::kAssignMentor][cv1::STAGE_PROBATION] = cv1::STAGE_PROBATION;
    // Documents: advance once, renewable until the cell votes.
    (*t)[Step::kRecordTraining] = {
        {cv1::STAGE_MENTOR_ASSIGNED, cv1::STAGE_TRAINING_PASSED},
        {cv1::STAGE_TRAINING_PASSED, cv1::STAGE_TRAINING_PASSED},
        {cv1::STAGE_APPLICATION_FILED, cv1::STAGE_APPLICATION_FILED},
        {cv1::STAGE_BACKGROUND_VERIFIED, cv1::STAGE_BACKGROUND_VERIFIED},
        {cv1::STAGE_INTRODUCED, cv1::STAGE_INTRODUCED}};
    (*t)[Step::kRecordApplication] = {
        {cv1::STAGE_TRAINING_PASSED, cv1::STAGE_APPLICATION_FILED},
        {cv1::STAGE_APPLICATION_FILED, cv1::STAGE_APPLICATION_FILED},
        {cv1::STAGE_BACKGROUND_VERIFIED, cv1::STAGE_BACKGROUND_VERIFIED},
        {cv1::STAGE_INTRODUCED, cv1::STAGE_INTRODUCED}};
    (*t)[Step::kRecordBackgroundVerification] = {
        {cv1::STAGE_APPLICATION_FILED, cv1::STAGE_BACKGROUND_VERIFIED},
        {cv1::STAGE_BACKGROUND_VERIFIED, cv1::STAGE_BACKGROUND_VERIFIED},
        {cv1::STAGE_INTRODUCED, cv1::STAGE_INTRODUCED}};
    (*t)[Step::kRecordIntroductions] = {
        {cv1::STAGE_BACKGROUND_VERIFIED, cv1::STAGE_INTRODUCED},
        {cv1::STAGE_INTRODUCED, cv1::STAGE_INTRODUCED}};
    (*t)[Step::kRecordCellResolution] = {
        {cv1::STAGE_INTRODUCED, cv1::STAGE_CELL_RESOLVED}};
    (*t)[Step::kRecordCommitteeResolution] = {
        {cv1::STAGE_CELL_RESOLVED, cv1::STAGE_COMMITTEE_RESOLVED}};
    // A grassroots cell's case goes from CELL_RESOLVED to the decision.
    (*t)[Step::kRecordAdmissionDecision] = {
        {cv1::STAGE_CELL_RESOLVED, cv1::STAGE_ADMISSION_DECIDED},
        {cv1::STAGE_COMMITTEE_RESOLVED, cv1::STAGE_ADMISSION_DECIDED}};
    (*t)[Step::kRecordCeremony] = {
        {cv1::STAGE_ADMISSION_DECIDED, cv1::STAGE_PROBATION}};
    (*t)[Step::kRecordRecognitionVote] = {
        {cv1::STAGE_PROBATION, cv1::STAGE_PROBATION}};
    (*t)[Step::kRecogniseMember] = {
        {cv1::STAGE_PROBATION, cv1::STAGE_OFFICIAL}};
    (*t)[Step::kRemoveFromProbation] = {
        {cv1::STAGE_PROBATION, cv1::STAGE_REMOVED_FROM_PROBATION}};
    (*t)[Step::kExtendDeadline] = {
        {cv1::STAGE_CELL_RESOLVED, cv1::STAGE_CELL_RESOLVED},
        {cv1::STAGE_COMMITTEE_RESOLVED, cv1::STAGE_COMMITTEE_RESOLVED},
        {cv1::STAGE_ADMISSION_DECIDED, cv1::STAGE_ADMISSION_DECIDED},
        {cv1::STAGE_PROBATION, cv1::STAGE_PROBATION}};
    for (Stage s : kCandidate) {
      (*t)[Step::kWithdrawCandidacy][s] = cv1::STAGE_WITHDRAWN;
      (*t)[Step::kRejectCandidacy][s] = cv1::STAGE_REJECTED;
    }
    for (Stage s : {cv1::STAGE_WITHDRAWN, cv1::STAGE_REJECTED,
                    cv1::STAGE_REMOVED_FROM_PROBATION, cv1::STAGE_LEFT}) {
      (*t)[Step::kRestartCandidacy][s] = cv1::STAGE_SOURCED;
    }
    return t;
  }();
  return *kExpected;
}

TEST(PipelineTest, ListsEveryStepAndStage) {
  EXPECT_EQ(AllSteps().size(), 16u);
  EXPECT_EQ(AllStages().size(), 15u);
  EXPECT_EQ(AllStages().front(), cv1::STAGE_SOURCED);
  EXPECT_EQ(AllStages().back(), cv1::STAGE_LEFT);
  EXPECT_EQ(Expected().size(), AllSteps().size());
}

// Every stage × every step: allowed pairs lead where the table says,
// refused pairs fail with FAILED_PRECONDITION naming the stage and step.
TEST(PipelineTest, EveryTransitionAllowedOrRefusedExhaustively) {
  int allowed = 0, refused = 0;
  std::vector<Stage> stages = AllStages();
  stages.push_back(cv1::STAGE_UNSPECIFIED);
  for (Stage stage : stages) {
    for (Step step : AllSteps()) {
      SCOPED_TRACE(StepName(step) + " from " + cv1::Stage_Name(stage));
      const auto& row = Expected().at(step);
      auto it = row.find(stage);
      absl::StatusOr<Stage> next = NextStage(step, stage);
      if (it != row.end()) {
        ++allowed;
        ASSERT_TRUE(next.ok()) << next.status();
        EXPECT_EQ(*next, it->second);
        EXPECT_FALSE(StageViolation(step, stage).has_value());
      } else {
        ++refused;
        ASSERT_FALSE(next.ok());
        EXPECT_EQ(next.status().code(), absl::StatusCode::kFailedPrecondition);
        EXPECT_EQ(ReasonOf(next.status()), "RULE_VIOLATED");
        std::vector<RuleViolation> v = RuleViolationsOf(next.status());
        ASSERT_EQ(v.size(), 1u);
        EXPECT_EQ(v[0].rule, "pipeline.stage_allows_step");
        EXPECT_EQ(v[0].subject, cv1::Stage_Name(stage));
        EXPECT_NE(v[0].description.find(StepName(step)), std::string::npos);
        EXPECT_NE(v[0].description.find(StageTitle(stage)), std::string::npos);
      }
    }
  }
  EXPECT_EQ(allowed + refused, 16 * 16);
  EXPECT_EQ(allowed, 58);
}

TEST(PipelineTest, AllowedStepsMatchTheTable) {
  for (Stage stage : AllStages()) {
    std::vector<Step> expected;
    for (Step step : AllSteps()) {
      if (Expected().at(step).count(stage) > 0) expected.push_back(step);
    }
    EXPECT_EQ(AllowedSteps(stage), expected) << cv1::Stage_Name(stage);
  }
  EXPECT_TRUE(AllowedSteps(cv1::STAGE_OFFICIAL).empty());
  EXPECT_TRUE(AllowedSteps(cv1::STAGE_UNSPECIFIED).empty());
}

// The main road from source to official member.
TEST(PipelineTest, WalksTheWholePipeline) {
  Stage stage = cv1::STAGE_SOURCED;
  for (Step step :
       {Step::kAssignMentor, Step::kRecordTraining, Step::kRecordApplication,
        Step::kRecordBackgroundVerification, Step::kRecordIntroductions,
        Step::kRecordCellResolution, Step::kRecordCommitteeResolution,
        Step::kRecordAdmissionDecision, Step::kRecordCeremony,
        Step::kRecordRecognitionVote, Step::kRecogniseMember}) {
    absl::StatusOr<Stage> next = NextStage(step, stage);
    ASSERT_TRUE(next.ok()) << StepName(step);
    stage = *next;
  }
  EXPECT_EQ(stage, cv1::STAGE_OFFICIAL);
}

TEST(PipelineTest, ClassifiesStages) {
  std::set<Stage> candidate, closed;
  for (Stage s : AllStages()) {
    if (IsCandidateStage(s)) candidate.insert(s);
    if (IsClosedStage(s)) closed.insert(s);
  }
  EXPECT_EQ(candidate.size(), 9u);
  EXPECT_EQ(closed, (std::set<Stage>{cv1::STAGE_WITHDRAWN, cv1::STAGE_REJECTED,
                                     cv1::STAGE_REMOVED_FROM_PROBATION,
                                     cv1::STAGE_LEFT}));
  EXPECT_FALSE(IsCandidateStage(cv1::STAGE_PROBATION));
}

TEST(PipelineTest, NamesAndTitlesAreDistinct) {
  std::set<std::string> names, titles;
  for (Step step : AllSteps()) {
    names.insert(StepName(step));
    titles.insert(StepTitle(step));
  }
  EXPECT_EQ(names.size(), AllSteps().size());
  EXPECT_EQ(titles.size(), AllSteps().size());
  std::set<std::string> stage_titles;
  for (Stage s : AllStages()) stage_titles.insert(StageTitle(s));
  EXPECT_EQ(stage_titles.size(), AllStages().size());
}

}  // namespace
}  // namespace partydev::membership::domain
