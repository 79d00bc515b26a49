// File: services/quota/domain/progress.h
//
// The arithmetic of progress against a target (progress.proto): the
// thresholds in force (the rule set's, with a request's overrides), the
// figures of one organisation or category for a period as of a day (rate,
// remaining, expected by now, forecast, required per month, status) and the
// ranking of siblings. Pure: no I/O. Every report of quotad (progress, its
// export, the lagging list, checkpoints, yearly results) computes through
// these functions, so the same figures always get the same status.
//
//   absl::StatusOr<v1::ProgressThresholds> thresholds =
//       MergeThresholds(rule_set.progress(), request.thresholds());
//   PeriodClock clock = ClockOf(span, as_of);
//   ProgressFigures f = ComputeProgressFigures(120, 45, clock, *thresholds);
//   // f.status == PROGRESS_STATUS_BELOW_HALF past mid-term (45/120 < 50%)

#ifndef PARTYDEV_SERVICES_QUOTA_DOMAIN_PROGRESS_H_
#define PARTYDEV_SERVICES_QUOTA_DOMAIN_PROGRESS_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "partydev/quota/v1/types.pb.h"
#include "services/quota/domain/periods.h"

namespace partydev::quota::domain {

// The rule set's thresholds with the request's overrides applied: a field
// left 0 (UNSPECIFIED) takes the rule set's value; a negative
// lagging_min_elapsed_share means no minimum (0). INVALID_ARGUMENT naming
// `field`.<name> (e.g. "thresholds.lagging_rate") for an override outside
// its range: lagging_rate and on_track_ratio in (0, 1],
// lagging_min_elapsed_share at most 1. A rule set value outside its range
// is FAILED_PRECONDITION (the loader refuses such sets; checked anyway).
absl::StatusOr<v1::ProgressThresholds> MergeThresholds(
    const v1::ProgressThresholds& rule_set,
    const v1::ProgressThresholds& overrides,
    absl::string_view field = "thresholds");

// Where the report's day stands in its period.
struct PeriodClock {
  // Days from the period's start to as_of inclusive over its days, 0..1.
  double elapsed_share = 0;
  // Months left after as_of until the period's end; 0 from the end on.
  double months_left = 0;
};
PeriodClock ClockOf(const PeriodSpan& span, absl::CivilDay as_of);

// The figures of one organisation (or one category of it).
struct ProgressFigures {
  int target = 0;
  int admitted = 0;
  double rate = 0;                // admitted / target; 0 without a target
  int remaining = 0;              // max(0, target - admitted)
  double expected_by_now = 0;     // target x elapsed share
  double gap_to_expected = 0;     // admitted - expected_by_now
  double forecast = 0;            // admitted / elapsed share; 0 if none elapsed
  double forecast_rate = 0;       // forecast / target; 0 without a target
  double required_per_month = 0;  // remaining / months left; 0 when reached
                                  // or ended
  v1::ProgressStatus status = v1::PROGRESS_STATUS_NO_TARGET;
};

// Computes the figures and the status, by precedence:
//  NO_TARGET   target <= 0;
//  ACHIEVED    admitted >= target;
//  BELOW_HALF  once elapsed_share >= lagging_min_elapsed_share: basis
//              OF_TARGET rate < lagging_rate, OF_EXPECTED admitted /
//              expected_by_now < lagging_rate (before the minimum share
//              such an organisation is judged by the next two rules only);
//  ON_TRACK    admitted >= on_track_ratio x expected_by_now;
//  BEHIND      otherwise.
// `thresholds` must be merged (MergeThresholds).
ProgressFigures ComputeProgressFigures(
    int target, int admitted, const PeriodClock& clock,
    const v1::ProgressThresholds& thresholds);

// The status alone (as ComputeProgressFigures decides it).
v1::ProgressStatus StatusOf(int target, int admitted, const PeriodClock& clock,
                            const v1::ProgressThresholds& thresholds);

// One sibling to rank.
struct RankEntry {
  bool ranked = false;  // has a target
  double rate = 0;
  int admitted = 0;
};

// Competition ranks of the entries (in the same order): among the ranked
// ones, by rate descending then admitted descending; equal figures share a
// rank (1, 2, 2, 4). Unranked entries get 0.
std::vector<int> RankSiblings(const std::vector<RankEntry>& entries);

// True when a ranks strictly before b by the ranking's order.
bool RanksBefore(const RankEntry& a, const RankEntry& b);

}  // namespace partydev::quota::domain

#endif  // PARTYDEV_SERVICES_QUOTA_DOMAIN_PROGRESS_H_
