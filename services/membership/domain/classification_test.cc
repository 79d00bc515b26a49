#include "services/membership/domain/classification.h"

#include <gtest/gtest.h>

#include "services/membership/domain/test_support.h"

namespace partydev::membership::domain {
namespace {

using testing::D;
using testing::RuleIds;
using testing::Rules;

const v1::ClassificationRules& CR() { return Rules().classification(); }

TEST(ClassificationTest, ScoreThresholds) {
  EXPECT_EQ(LevelForScore(90, true, CR()), v1::QUALITY_LEVEL_EXCELLENT);
  EXPECT_EQ(LevelForScore(100, true, CR()), v1::QUALITY_LEVEL_EXCELLENT);
  // Excellence needs every task done.
  EXPECT_EQ(LevelForScore(95, false, CR()), v1::QUALITY_LEVEL_GOOD);
  EXPECT_EQ(LevelForScore(89.9, true, CR()), v1::QUALITY_LEVEL_GOOD);
  EXPECT_EQ(LevelForScore(70, false, CR()), v1::QUALITY_LEVEL_GOOD);
  EXPECT_EQ(LevelForScore(69.9, true, CR()), v1::QUALITY_LEVEL_COMPLETED);
  EXPECT_EQ(LevelForScore(50, true, CR()), v1::QUALITY_LEVEL_COMPLETED);
  EXPECT_EQ(LevelForScore(49.9, true, CR()), v1::QUALITY_LEVEL_NOT_COMPLETED);
}

google::protobuf::RepeatedPtrField<v1::CriterionScore> Scores(double politics,
                                                              double ethics,
                                                              double discipline,
                                                              double tasks) {
  google::protobuf::RepeatedPtrField<v1::CriterionScore> scores;
  const std::pair<const char*, double> all[] = {{"politics", politics},
                                                {"ethics", ethics},
                                                {"discipline", discipline},
                                                {"tasks", tasks}};
  for (const auto& [code, value] : all) {
    v1::CriterionScore* s = scores.Add();
    s->set_criterion(code);
    s->set_score(value);
  }
  return scores;
}

TEST(ClassificationTest, TriggersForceNotCompleted) {
  google::protobuf::RepeatedField<int> none;
  EXPECT_EQ(*ComputedLevel(Scores(20, 20, 18, 37), true, true, none, CR()),
            v1::QUALITY_LEVEL_EXCELLENT);
  google::protobuf::RepeatedField<int> disciplined;
  disciplined.Add(v1::NOT_COMPLETED_TRIGGER_DISCIPLINED_IN_YEAR);
  EXPECT_EQ(
      *ComputedLevel(Scores(20, 20, 18, 37), true, true, disciplined, CR()),
      v1::QUALITY_LEVEL_NOT_COMPLETED);
  auto poor = Scores(20, 20, 18, 37);
  poor.Mutable(1)->set_poor(true);
  EXPECT_EQ(*ComputedLevel(poor, true, true, none, CR()),
            v1::QUALITY_LEVEL_NOT_COMPLETED);
}

TEST(ClassificationTest, ScoresAreChecked) {
  EXPECT_EQ(*TotalScore(Scores(20, 15, 10, 30), true, CR()), 75);
  auto unknown = Scores(20, 15, 10, 30);
  unknown.Mutable(0)->set_criterion("charm");
  EXPECT_EQ(TotalScore(unknown, true, CR()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      FieldViolationsOf(TotalScore(Scores(21, 15, 10, -1), true, CR()).status())
          .size(),
      2u);
  // Members' criteria are not organisations'.
  EXPECT_FALSE(TotalScore(Scores(20, 15, 10, 30), false, CR()).ok());
}

// A leader's unit under 1/2 of its targets.
TEST(ClassificationTest, UnitUnderTargets) {
  EXPECT_TRUE(UnitUnderTargets(4, 10, CR()));
  EXPECT_FALSE(UnitUnderTargets(5, 10, CR()));
  EXPECT_FALSE(UnitUnderTargets(0, 0, CR()));
}

// Admitted less than 6 months before the year's end: 2024-06-30 has six
// full months to 31 December, 2024-07-01 only five.
TEST(ClassificationTest, NotClassified) {
  EXPECT_EQ(NotClassifiedReasonFor({2024, true, false, D(2000, 1, 1)}, CR()),
            v1::NOT_CLASSIFIED_REASON_EXEMPT);
  EXPECT_EQ(NotClassifiedReasonFor({2024, false, true, D(2000, 1, 1)}, CR()),
            v1::NOT_CLASSIFIED_REASON_SUSPENDED);
  EXPECT_EQ(NotClassifiedReasonFor({2024, false, false, D(2024, 7, 1)}, CR()),
            v1::NOT_CLASSIFIED_REASON_ADMITTED_RECENTLY);
  EXPECT_EQ(NotClassifiedReasonFor({2024, false, false, D(2024, 6, 30)}, CR()),
            std::nullopt);
  EXPECT_EQ(NotClassifiedReasonFor({2024, false, false, D(2025, 1, 5)}, CR()),
            v1::NOT_CLASSIFIED_REASON_ADMITTED_RECENTLY);
  EXPECT_EQ(NotClassifiedReasonFor({2024, false, false, Date()}, CR()),
            std::nullopt);
}

std::vector<RatedRecord> Records(int excellent, int good, int other = 0) {
  std::vector<RatedRecord> records;
  for (int i = 0; i < excellent; ++i) {
    records.push_back({true, v1::QUALITY_LEVEL_EXCELLENT, i == 0});
  }
  for (int i = 0; i < good; ++i) {
    records.push_back({true, v1::QUALITY_LEVEL_GOOD, false});
  }
  for (int i = 0; i < other; ++i) {
    records.push_back({true, v1::QUALITY_LEVEL_COMPLETED, false});
  }
  records.push_back({false, v1::QUALITY_LEVEL_UNSPECIFIED, false});
  return records;
}

// Excellent at most 1/5 of those rated good.
TEST(ClassificationTest, ExcellentCap) {
  v1::ClassificationCapCheck within =
      CheckExcellentCap(Records(2, 10, 3), CR());
  EXPECT_TRUE(within.within_cap());
  EXPECT_EQ(within.max_excellent(), 2);
  EXPECT_EQ(within.cap_base(), 10);
  EXPECT_EQ(within.classified(), 15);
  EXPECT_EQ(within.not_classified(), 1);
  EXPECT_EQ(within.excellent_decided(), 1);
  EXPECT_TRUE(CapViolations(within, Rules()).empty());
  v1::ClassificationCapCheck over = CheckExcellentCap(Records(2, 9), CR());
  EXPECT_FALSE(over.within_cap());
  EXPECT_EQ(over.max_excellent(), 1);
  EXPECT_EQ(over.excess(), 1);
  std::vector<RuleViolation> unmet = CapViolations(over, Rules());
  EXPECT_EQ(RuleIds(unmet),
            std::vector<std::string>{"classification.excellent_cap"});
  EXPECT_NE(unmet[0].description.find("tối đa 1"), std::string::npos);
  v1::ClassificationRules including = CR();
  including.set_cap_base_includes_excellent(true);
  EXPECT_TRUE(CheckExcellentCap(Records(2, 8), including).within_cap());
  EXPECT_FALSE(CheckExcellentCap(Records(2, 8), CR()).within_cap());
}

}  // namespace
}  // namespace partydev::membership::domain
