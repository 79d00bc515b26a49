// File: services/quota/plan_service.h
//
// Yearly sourcing and admission plans with their actual figures (plans.proto).
// The service class only translates between protobuf and the stores and
// domain rules; every RPC checks the caller's organisation subtree.

#ifndef PARTYDEV_SERVICES_QUOTA_PLAN_SERVICE_H_
#define PARTYDEV_SERVICES_QUOTA_PLAN_SERVICE_H_

#include <memory>

#include "absl/time/time.h"
#include "partydev/quota/v1/plans.grpc.pb.h"
#include "services/quota/quota_context.h"

namespace partydev::quota {

class PlanServiceImpl final : public v1::PlanService::CallbackService {
 public:
  explicit PlanServiceImpl(std::shared_ptr<QuotaContext> context);

 private:
  std::shared_ptr<QuotaContext> context_;
};

}  // namespace partydev::quota

#endif  // PARTYDEV_SERVICES_QUOTA_PLAN_SERVICE_H_
