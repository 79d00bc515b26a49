// File: services/quota/allocation_service.h
//
// Allocation decisions (allocations.proto): a committee splits its
// effective target for a period among its direct subordinates. The
// service reads what the rules need (the committee's target record, the
// period's active decision, the superseded decision, the tree on the
// signing date), decides with domain/allocation.h, and writes everything in
// ONE AtomicWrite that expects each of those reads unchanged: the new
// decision (ACTIVE), the superseded one (SUPERSEDED), the period's active
// pointer, the subordinates' TermTarget/YearTarget `allocated` figures
// (created where missing, cleared for subordinates the new decision drops)
// and the AllocationDecided event. Two officers allocating the same period
// at once: one commits, the other gets ABORTED (CONCURRENT_CHANGE).

#ifndef PARTYDEV_SERVICES_QUOTA_ALLOCATION_SERVICE_H_
#define PARTYDEV_SERVICES_QUOTA_ALLOCATION_SERVICE_H_

#include <memory>

#include "absl/time/time.h"
#include "common/service_runtime.h"
#include "partydev/quota/v1/allocations.grpc.pb.h"
#include "services/quota/quota_context.h"

namespace partydev::quota {

class AllocationServiceImpl final
    : public v1::AllocationService::CallbackService {
 public:
  explicit AllocationServiceImpl(std::shared_ptr<QuotaContext> context);

  grpc::ServerUnaryReactor* CreateAllocationDecision(
      grpc::CallbackServerContext* context,
      const v1::CreateAllocationDecisionRequest* request,
      v1::AllocationDecision* response) override;
  grpc::ServerUnaryReactor* GetAllocationDecision(
      grpc::CallbackServerContext* context,
      const v1::GetAllocationDecisionRequest* request,
      v1::AllocationDecision* response) override;
  grpc::ServerUnaryReactor* ListAllocationDecisions(
      grpc::CallbackServerContext* context,
      const v1::ListAllocationDecisionsRequest* request,
      v1::ListAllocationDecisionsResponse* response) override;

 private:
  absl::Status DoCreateAllocationDecision(
      const CallContext& call, const v1::CreateAllocationDecisionRequest& r,
      v1::AllocationDecision& out);
  absl::Status DoGetAllocationDecision(
      const CallContext& call, const v1::GetAllocationDecisionRequest& r,
      v1::AllocationDecision& out);
  absl::Status DoListAllocationDecisions(
      const CallContext& call, const v1::ListAllocationDecisionsRequest& r,
      v1::ListAllocationDecisionsResponse& out);

  // Sets within_target_now of `decisions` (all of one committee) against
  // the committee's effective targets now.
  absl::Status FillWithinTargetNow(
      const std::string& committee,
      std::vector<v1::AllocationDecision*> decisions);

  std::shared_ptr<QuotaContext> context_;
};

}  // namespace partydev::quota

#endif  // PARTYDEV_SERVICES_QUOTA_ALLOCATION_SERVICE_H_
