// File: services/quota/target_service.h
//
// Congress terms and the term and yearly admission targets (targets.proto,
// terms.proto). The service class only translates between protobuf and the
// stores and domain rules; every RPC checks the caller's organisation subtree.

#ifndef PARTYDEV_SERVICES_QUOTA_TARGET_SERVICE_H_
#define PARTYDEV_SERVICES_QUOTA_TARGET_SERVICE_H_

#include <memory>

#include "absl/time/time.h"
#include "partydev/quota/v1/targets.grpc.pb.h"
#include "services/quota/quota_context.h"

namespace partydev::quota {

class TargetServiceImpl final : public v1::TargetService::CallbackService {
 public:
  explicit TargetServiceImpl(std::shared_ptr<QuotaContext> context);

 private:
  std::shared_ptr<QuotaContext> context_;
};

}  // namespace partydev::quota

#endif  // PARTYDEV_SERVICES_QUOTA_TARGET_SERVICE_H_
