// File: services/quota/admin_service.h
//
// Quota rule sets and the projections' status and rebuild (admin.proto).
// The service class only translates between protobuf and the stores and
// domain rules; every RPC checks the caller's organisation subtree.

#ifndef PARTYDEV_SERVICES_QUOTA_ADMIN_SERVICE_H_
#define PARTYDEV_SERVICES_QUOTA_ADMIN_SERVICE_H_

#include <memory>

#include "absl/time/time.h"
#include "partydev/quota/v1/admin.grpc.pb.h"
#include "services/quota/quota_context.h"

namespace partydev::quota {

class QuotaAdminServiceImpl final
    : public v1::QuotaAdminService::CallbackService {
 public:
  explicit QuotaAdminServiceImpl(std::shared_ptr<QuotaContext> context);

 private:
  std::shared_ptr<QuotaContext> context_;
};

}  // namespace partydev::quota

#endif  // PARTYDEV_SERVICES_QUOTA_ADMIN_SERVICE_H_
