// File: services/quota/year_results.h
//
// AchievementService.ComputeYearResults (achievements.proto): the year's
// admission results of a committee's subordinates, ranked by rate then
// admitted, flagged below the rule set's completion threshold and marked for
// commendation or correction. Computed by the shared progress arithmetic
// (progress_report.h); the RPC override in achievement_service.cc only calls
// ComputeYearResults.

#ifndef PARTYDEV_SERVICES_QUOTA_YEAR_RESULTS_H_
#define PARTYDEV_SERVICES_QUOTA_YEAR_RESULTS_H_

#include "absl/status/status.h"
#include "common/service_runtime.h"
#include "partydev/quota/v1/achievements.pb.h"
#include "services/quota/quota_context.h"

namespace partydev::quota {

// Checks the caller (any role within the committee's subtree), computes the
// rows and fills `response` with the requested page.
absl::Status ComputeYearResults(QuotaContext& context, const CallContext& call,
                                const v1::ComputeYearResultsRequest& request,
                                v1::YearResults* response);

}  // namespace partydev::quota

#endif  // PARTYDEV_SERVICES_QUOTA_YEAR_RESULTS_H_
