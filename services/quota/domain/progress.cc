#include "services/quota/domain/progress.h"

#include <algorithm>
#include <numeric>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/errors.h"

namespace partydev::quota::domain {
namespace {

// Comparisons of a count with a product of fractions tolerate the rounding
// of the product (0.9 x 5.0 is not exactly 4.5 in binary).
constexpr double kEpsilon = 1e-9;

bool InUnitInterval(double v) { return v > 0 && v <= 1; }

}  // namespace

absl::StatusOr<v1::ProgressThresholds> MergeThresholds(
    const v1::ProgressThresholds& rule_set,
    const v1::ProgressThresholds& overrides, absl::string_view field) {
  FieldChecker check;
  const std::string prefix = field.empty() ? "" : absl::StrCat(field, ".");
  if (overrides.lagging_rate() != 0 &&
      !InUnitInterval(overrides.lagging_rate())) {
    check.Add(absl::StrCat(prefix, "lagging_rate"),
              absl::StrCat("must lie in (0, 1] (0.5 = 50%); got ",
                           overrides.lagging_rate()));
  }
  if (overrides.on_track_ratio() != 0 &&
      !InUnitInterval(overrides.on_track_ratio())) {
    check.Add(
        absl::StrCat(prefix, "on_track_ratio"),
        absl::StrCat("must lie in (0, 1]; got ", overrides.on_track_ratio()));
  }
  if (overrides.lagging_min_elapsed_share() > 1) {
    check.Add(absl::StrCat(prefix, "lagging_min_elapsed_share"),
              absl::StrCat("must be at most 1 (a share of the period); got ",
                           overrides.lagging_min_elapsed_share()));
  }
  if (!v1::LaggingBasis_IsValid(overrides.lagging_basis())) {
    check.Add(absl::StrCat(prefix, "lagging_basis"), "is not a known basis");
  }
  if (!check.ok()) return check.status();

  v1::ProgressThresholds merged = rule_set;
  if (overrides.lagging_rate() != 0) {
    merged.set_lagging_rate(overrides.lagging_rate());
  }
  if (overrides.lagging_basis() != v1::LAGGING_BASIS_UNSPECIFIED) {
    merged.set_lagging_basis(overrides.lagging_basis());
  }
  if (overrides.lagging_min_elapsed_share() < 0) {
    merged.set_lagging_min_elapsed_share(0);
  } else if (overrides.lagging_min_elapsed_share() > 0) {
    merged.set_lagging_min_elapsed_share(overrides.lagging_min_elapsed_share());
  }
  if (overrides.on_track_ratio() != 0) {
    merged.set_on_track_ratio(overrides.on_track_ratio());
  }
  if (merged.lagging_basis() == v1::LAGGING_BASIS_UNSPECIFIED) {
    merged.set_lagging_basis(v1::LAGGING_BASIS_OF_TARGET);
  }
  if (merged.lagging_min_elapsed_share() < 0) {
    merged.set_lagging_min_elapsed_share(0);
  }
  if (!InUnitInterval(merged.lagging_rate()) ||
      !InUnitInterval(merged.on_track_ratio()) ||
      merged.lagging_min_elapsed_share() > 1) {
    return RulesViolated(
        {{"quota.rule_set.thresholds", std::string(field),
          "the rule set's progress thresholds are out of range (lagging_rate "
          "and on_track_ratio must lie in (0, 1]); override them or fix the "
          "rule set"}});
  }
  return merged;
}

PeriodClock ClockOf(const PeriodSpan& span, absl::CivilDay as_of) {
  return {ElapsedShare(span, as_of), MonthsLeft(span, as_of)};
}

v1::ProgressStatus StatusOf(int target, int admitted, const PeriodClock& clock,
                            const v1::ProgressThresholds& thresholds) {
  if (target <= 0) return v1::PROGRESS_STATUS_NO_TARGET;
  if (admitted >= target) return v1::PROGRESS_STATUS_ACHIEVED;
  const double expected = target * clock.elapsed_share;
  if (clock.elapsed_share + kEpsilon >=
      thresholds.lagging_min_elapsed_share()) {
    bool below = false;
    if (thresholds.lagging_basis() == v1::LAGGING_BASIS_OF_EXPECTED) {
      // admitted / expected < lagging_rate, without dividing by 0 (nothing
      // expected yet: nobody is below it).
      below = expected > 0 &&
              admitted < thresholds.lagging_rate() * expected - kEpsilon;
    } else {
      // The rate exactly as reported (admitted / target): 49.9% is below
      // 50%, 50% is not.
      below =
          static_cast<double>(admitted) / target < thresholds.lagging_rate();
    }
    if (below) return v1::PROGRESS_STATUS_BELOW_HALF;
  }
  if (admitted + kEpsilon >= thresholds.on_track_ratio() * expected) {
    return v1::PROGRESS_STATUS_ON_TRACK;
  }
  return v1::PROGRESS_STATUS_BEHIND;
}

ProgressFigures ComputeProgressFigures(
    int target, int admitted, const PeriodClock& clock,
    const v1::ProgressThresholds& thresholds) {
  ProgressFigures f;
  f.target = std::max(0, target);
  f.admitted = admitted;
  f.remaining = std::max(0, f.target - admitted);
  f.expected_by_now = f.target * clock.elapsed_share;
  f.gap_to_expected = admitted - f.expected_by_now;
  f.forecast = clock.elapsed_share > 0 ? admitted / clock.elapsed_share : 0;
  if (f.target > 0) {
    f.rate = static_cast<double>(admitted) / f.target;
    f.forecast_rate = f.forecast / f.target;
  }
  f.required_per_month = (f.remaining > 0 && clock.months_left > 0)
                             ? f.remaining / clock.months_left
                             : 0;
  f.status = StatusOf(f.target, admitted, clock, thresholds);
  return f;
}

bool RanksBefore(const RankEntry& a, const RankEntry& b) {
  if (a.rate != b.rate) return a.rate > b.rate;
  return a.admitted > b.admitted;
}

std::vector<int> RankSiblings(const std::vector<RankEntry>& entries) {
  std::vector<int> ranks(entries.size(), 0);
  std::vector<size_t> order;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].ranked) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return RanksBefore(entries[a], entries[b]);
  });
  for (size_t k = 0; k < order.size(); ++k) {
    const RankEntry& e = entries[order[k]];
    if (k > 0) {
      const RankEntry& prev = entries[order[k - 1]];
      if (!RanksBefore(prev, e)) {  // equal figures share the rank
        ranks[order[k]] = ranks[order[k - 1]];
        continue;
      }
    }
    ranks[order[k]] = static_cast<int>(k) + 1;
  }
  return ranks;
}

}  // namespace partydev::quota::domain
