// File: services/quota/allocation_service.h
//
// Allocation decisions (allocations.proto).
// The service class only translates between protobuf and the stores and
// domain rules; every RPC checks the caller's organisation subtree.

#ifndef PARTYDEV_SERVICES_QUOTA_ALLOCATION_SERVICE_H_
#define PARTYDEV_SERVICES_QUOTA_ALLOCATION_SERVICE_H_

#include <memory>

#include "absl/time/time.h"
#include "partydev/quota/v1/allocations.grpc.pb.h"
#include "services/quota/quota_context.h"

namespace partydev::quota {

class AllocationServiceImpl final
    : public v1::AllocationService::CallbackService {
 public:
  explicit AllocationServiceImpl(std::shared_ptr<QuotaContext> context);

 private:
  std::shared_ptr<QuotaContext> context_;
};

}  // namespace partydev::quota

#endif  // PARTYDEV_SERVICES_QUOTA_ALLOCATION_SERVICE_H_
