// Tests of the progress arithmetic (services/quota/domain/progress.h):
// thresholds merged with overrides, the figures, the status boundaries and
// the ranking of siblings.

#include <gtest/gtest.h>

#include "common/errors.h"
#include "services/quota/domain/periods.h"
#include "services/quota/domain/progress.h"

namespace partydev::quota::domain {
namespace {

v1::ProgressThresholds Shipped() {
  v1::ProgressThresholds t;
  t.set_lagging_rate(0.5);
  t.set_lagging_basis(v1::LAGGING_BASIS_OF_TARGET);
  t.set_lagging_min_elapsed_share(0.5);
  t.set_on_track_ratio(0.9);
  return t;
}

PeriodClock At(double share, double months_left = 10) {
  return {share, months_left};
}

TEST(MergeThresholdsTest, UnsetOverridesTakeTheRuleSetValues) {
  absl::StatusOr<v1::ProgressThresholds> merged =
      MergeThresholds(Shipped(), v1::ProgressThresholds());
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_EQ(merged->lagging_rate(), 0.5);
  EXPECT_EQ(merged->lagging_basis(), v1::LAGGING_BASIS_OF_TARGET);
  EXPECT_EQ(merged->lagging_min_elapsed_share(), 0.5);
  EXPECT_EQ(merged->on_track_ratio(), 0.9);
}

TEST(MergeThresholdsTest, OverridesReplaceAndNegativeMinimumMeansNone) {
  v1::ProgressThresholds o;
  o.set_lagging_rate(0.4);
  o.set_lagging_basis(v1::LAGGING_BASIS_OF_EXPECTED);
  o.set_lagging_min_elapsed_share(-1);
  o.set_on_track_ratio(1);
  absl::StatusOr<v1::ProgressThresholds> merged = MergeThresholds(Shipped(), o);
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_EQ(merged->lagging_rate(), 0.4);
  EXPECT_EQ(merged->lagging_basis(), v1::LAGGING_BASIS_OF_EXPECTED);
  EXPECT_EQ(merged->lagging_min_elapsed_share(), 0);
  EXPECT_EQ(merged->on_track_ratio(), 1);
}

TEST(MergeThresholdsTest, OutOfRangeOverridesNameTheField) {
  for (double bad : {1.01, -0.5, 2.0}) {
    v1::ProgressThresholds o;
    o.set_lagging_rate(bad);
    absl::StatusOr<v1::ProgressThresholds> merged =
        MergeThresholds(Shipped(), o);
    ASSERT_EQ(merged.status().code(), absl::StatusCode::kInvalidArgument);
    std::vector<FieldViolation> v = FieldViolationsOf(merged.status());
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].field, "thresholds.lagging_rate");
  }
  v1::ProgressThresholds o;
  o.set_on_track_ratio(1.5);
  o.set_lagging_min_elapsed_share(1.2);
  absl::StatusOr<v1::ProgressThresholds> merged = MergeThresholds(Shipped(), o);
  ASSERT_EQ(merged.status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<FieldViolation> v = FieldViolationsOf(merged.status());
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].field, "thresholds.on_track_ratio");
  EXPECT_EQ(v[1].field, "thresholds.lagging_min_elapsed_share");
  // Exactly 1 is allowed.
  v1::ProgressThresholds one;
  one.set_lagging_rate(1);
  EXPECT_TRUE(MergeThresholds(Shipped(), one).ok());
}

TEST(ProgressFiguresTest, FiguresAreExact) {
  // Target 120, 45 admitted, 60% of the period elapsed, 24 months left.
  ProgressFigures f = ComputeProgressFigures(120, 45, At(0.6, 24), Shipped());
  EXPECT_EQ(f.target, 120);
  EXPECT_EQ(f.admitted, 45);
  EXPECT_DOUBLE_EQ(f.rate, 0.375);
  EXPECT_EQ(f.remaining, 75);
  EXPECT_DOUBLE_EQ(f.expected_by_now, 72);
  EXPECT_DOUBLE_EQ(f.gap_to_expected, -27);
  EXPECT_DOUBLE_EQ(f.forecast, 75);
  EXPECT_DOUBLE_EQ(f.forecast_rate, 0.625);
  EXPECT_DOUBLE_EQ(f.required_per_month, 75.0 / 24);
  EXPECT_EQ(f.status, v1::PROGRESS_STATUS_BELOW_HALF);
}

TEST(ProgressFiguresTest, NothingElapsedAndPeriodEnded) {
  ProgressFigures before = ComputeProgressFigures(10, 0, At(0, 60), Shipped());
  EXPECT_EQ(before.forecast, 0);
  EXPECT_EQ(before.expected_by_now, 0);
  EXPECT_EQ(before.status, v1::PROGRESS_STATUS_ON_TRACK);
  ProgressFigures ended = ComputeProgressFigures(10, 4, At(1, 0), Shipped());
  EXPECT_EQ(ended.required_per_month, 0);
  EXPECT_EQ(ended.remaining, 6);
  EXPECT_DOUBLE_EQ(ended.forecast, 4);
  ProgressFigures reached =
      ComputeProgressFigures(10, 12, At(0.5, 30), Shipped());
  EXPECT_EQ(reached.remaining, 0);
  EXPECT_EQ(reached.required_per_month, 0);
}

TEST(ProgressFiguresTest, NoTargetHasNoRateButShowsFigures) {
  ProgressFigures f = ComputeProgressFigures(0, 7, At(0.5), Shipped());
  EXPECT_EQ(f.status, v1::PROGRESS_STATUS_NO_TARGET);
  EXPECT_EQ(f.rate, 0);
  EXPECT_EQ(f.forecast_rate, 0);
  EXPECT_EQ(f.admitted, 7);
  EXPECT_DOUBLE_EQ(f.forecast, 14);
}

TEST(ProgressStatusTest, FiftyPercentIsNotBelowHalf) {
  // 499/1000 = 49.9% is below 50%; 500/1000 is not.
  EXPECT_EQ(StatusOf(1000, 499, At(0.9), Shipped()),
            v1::PROGRESS_STATUS_BELOW_HALF);
  EXPECT_EQ(StatusOf(1000, 500, At(0.9), Shipped()),
            v1::PROGRESS_STATUS_BEHIND);
  EXPECT_EQ(StatusOf(2, 1, At(0.9), Shipped()), v1::PROGRESS_STATUS_BEHIND);
}

TEST(ProgressStatusTest, BelowHalfOnlyFromTheMinimumElapsedShare) {
  // 20% of the target: before mid-term it is only behind, from mid-term it
  // is below half.
  EXPECT_EQ(StatusOf(100, 20, At(0.4999), Shipped()),
            v1::PROGRESS_STATUS_BEHIND);
  EXPECT_EQ(StatusOf(100, 20, At(0.5), Shipped()),
            v1::PROGRESS_STATUS_BELOW_HALF);
  // Ahead of the pace before the minimum share: on track, although under
  // 50% of the whole target.
  EXPECT_EQ(StatusOf(100, 40, At(0.4), Shipped()),
            v1::PROGRESS_STATUS_ON_TRACK);
  // No minimum: below half of the whole target at once, however early.
  v1::ProgressThresholds none = Shipped();
  none.set_lagging_min_elapsed_share(0);
  EXPECT_EQ(StatusOf(100, 20, At(0.1), none), v1::PROGRESS_STATUS_BELOW_HALF);
  EXPECT_EQ(StatusOf(100, 50, At(0.1), none), v1::PROGRESS_STATUS_ON_TRACK);
}

TEST(ProgressStatusTest, AchievedTakesPrecedence) {
  EXPECT_EQ(StatusOf(10, 10, At(0.01), Shipped()),
            v1::PROGRESS_STATUS_ACHIEVED);
  EXPECT_EQ(StatusOf(10, 11, At(1), Shipped()), v1::PROGRESS_STATUS_ACHIEVED);
  v1::ProgressThresholds all = Shipped();
  all.set_lagging_rate(1);
  EXPECT_EQ(StatusOf(10, 10, At(1), all), v1::PROGRESS_STATUS_ACHIEVED);
  EXPECT_EQ(StatusOf(10, 9, At(1), all), v1::PROGRESS_STATUS_BELOW_HALF);
  EXPECT_EQ(StatusOf(0, 0, At(1), all), v1::PROGRESS_STATUS_NO_TARGET);
}

TEST(ProgressStatusTest, OnTrackBoundary) {
  // Expected by now 50 (half of 100); on track from 0.9 x 50 = 45.
  v1::ProgressThresholds t = Shipped();
  t.set_lagging_min_elapsed_share(0.9);  // keep BELOW_HALF out of the way
  EXPECT_EQ(StatusOf(100, 45, At(0.5), t), v1::PROGRESS_STATUS_ON_TRACK);
  EXPECT_EQ(StatusOf(100, 44, At(0.5), t), v1::PROGRESS_STATUS_BEHIND);
  // 0.9 x 5 = 4.5 (up to rounding): 4 is behind, 5 on track.
  EXPECT_EQ(StatusOf(10, 4, At(0.5), t), v1::PROGRESS_STATUS_BEHIND);
  EXPECT_EQ(StatusOf(10, 5, At(0.5), t), v1::PROGRESS_STATUS_ON_TRACK);
}

TEST(ProgressStatusTest, OfExpectedBasis) {
  v1::ProgressThresholds t = Shipped();
  t.set_lagging_basis(v1::LAGGING_BASIS_OF_EXPECTED);
  // Expected 60 at 60%: below half of it under 30.
  EXPECT_EQ(StatusOf(100, 29, At(0.6), t), v1::PROGRESS_STATUS_BELOW_HALF);
  EXPECT_EQ(StatusOf(100, 30, At(0.6), t), v1::PROGRESS_STATUS_BEHIND);
  EXPECT_EQ(StatusOf(100, 54, At(0.6), t), v1::PROGRESS_STATUS_ON_TRACK);
  // 45% of the whole target but 75% of where it should be: not lagging.
  EXPECT_EQ(StatusOf(100, 45, At(0.6), t), v1::PROGRESS_STATUS_BEHIND);
}

TEST(ClockTest, FromSpanAndDay) {
  PeriodSpan span{absl::CivilDay(2024, 1, 1), absl::CivilDay(2024, 12, 31)};
  PeriodClock clock = ClockOf(span, absl::CivilDay(2024, 1, 1));
  EXPECT_DOUBLE_EQ(clock.elapsed_share, 1.0 / 366);
  EXPECT_EQ(ClockOf(span, absl::CivilDay(2025, 1, 1)).elapsed_share, 1);
  EXPECT_EQ(ClockOf(span, absl::CivilDay(2025, 1, 1)).months_left, 0);
  EXPECT_EQ(ClockOf(span, absl::CivilDay(2023, 6, 1)).elapsed_share, 0);
}

TEST(RankSiblingsTest, TiesShareARankAndUnrankedGetZero) {
  std::vector<RankEntry> entries = {
      {true, 0.5, 5},  // 2
      {true, 0.8, 8},  // 1
      {false, 0, 3},   // unranked
      {true, 0.5, 5},  // 2 (tie)
      {true, 0.5, 4},  // 4: same rate, fewer admitted
      {true, 0.1, 1},  // 5
  };
  EXPECT_EQ(RankSiblings(entries), (std::vector<int>{2, 1, 0, 2, 4, 5}));
  EXPECT_EQ(RankSiblings({}), std::vector<int>{});
  EXPECT_EQ(RankSiblings({{false, 0, 0}}), std::vector<int>{0});
}

}  // namespace
}  // namespace partydev::quota::domain
