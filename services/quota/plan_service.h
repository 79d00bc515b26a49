// File: services/quota/plan_service.h
//
// Yearly sourcing and admission plans with their actual figures
// (plans.proto). Planned figures are the organisation's records
// (target_store.h); actual figures are computed at read time from quotad's
// projections: admissions from the admissions ledger's counters (what the
// achievement counts use), sourcing, training and certification from the
// candidate pool. Every RPC checks the caller's subtree; writing needs the
// organisation board role.

#ifndef PARTYDEV_SERVICES_QUOTA_PLAN_SERVICE_H_
#define PARTYDEV_SERVICES_QUOTA_PLAN_SERVICE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/service_runtime.h"
#include "partydev/quota/v1/plans.grpc.pb.h"
#include "partydev/storage/v1/projections.pb.h"
#include "services/quota/admission_ledger.h"
#include "services/quota/quota_context.h"

namespace partydev::quota {

// The actual figures of `organization` ("organizations/{org}", its
// subtree as the tree stood on each act's date) for calendar `year`, from
// 1 January to `as_of` (callers pass min(31 December, today)): admitted and
// admitted_by_category from the admissions counters (counted, the sum of
// the deltas), sourced (reached STAGE_SOURCED), sent_to_training
// (enrolments) and certified (reached STAGE_TRAINING_PASSED) from the
// candidate pool. All zero when as_of is before the year.
absl::StatusOr<v1::PlanFigures> ActualPlanFigures(
    QuotaContext& context, const std::string& organization, int year,
    absl::CivilDay as_of);

// The same from what was read already (reports read many organisations at
// once): the organisation's counts (nullptr: none) and its candidates.
v1::PlanFigures ActualPlanFiguresOf(
    const OrganizationCounts* counts,
    const std::vector<storage::v1::PoolCandidate>& candidates,
    const std::string& organization, int year, absl::CivilDay as_of);

class PlanServiceImpl final : public v1::PlanService::CallbackService {
 public:
  explicit PlanServiceImpl(std::shared_ptr<QuotaContext> context);

  grpc::ServerUnaryReactor* GetPlan(grpc::CallbackServerContext* context,
                                    const v1::GetPlanRequest* request,
                                    v1::Plan* response) override;
  grpc::ServerUnaryReactor* ListPlans(grpc::CallbackServerContext* context,
                                      const v1::ListPlansRequest* request,
                                      v1::ListPlansResponse* response) override;
  grpc::ServerUnaryReactor* CreatePlan(grpc::CallbackServerContext* context,
                                       const v1::CreatePlanRequest* request,
                                       v1::Plan* response) override;
  grpc::ServerUnaryReactor* UpdatePlan(grpc::CallbackServerContext* context,
                                       const v1::UpdatePlanRequest* request,
                                       v1::Plan* response) override;

 private:
  absl::Status DoGetPlan(const CallContext& call, const v1::GetPlanRequest& r,
                         v1::Plan& out);
  absl::Status DoListPlans(const CallContext& call,
                           const v1::ListPlansRequest& r,
                           v1::ListPlansResponse& out);
  absl::Status DoCreatePlan(const CallContext& call,
                            const v1::CreatePlanRequest& r, v1::Plan& out);
  absl::Status DoUpdatePlan(const CallContext& call,
                            const v1::UpdatePlanRequest& r, v1::Plan& out);

  // Sets actual and actual_as_of of `plan`.
  absl::Status FillActual(v1::Plan& plan);

  std::shared_ptr<QuotaContext> context_;
};

}  // namespace partydev::quota

#endif  // PARTYDEV_SERVICES_QUOTA_PLAN_SERVICE_H_
