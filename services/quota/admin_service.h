// File: services/quota/admin_service.h
//
// Quota rule sets and the projections' status and rebuild (admin.proto).
// The service class only translates between protobuf and the stores and
// domain rules. Rule sets are read by any authenticated caller; the
// projections' status by "admin" or "reader"; a rebuild or replay only by
// an installation admin (role "admin" bound to no organisation): a
// projection spans every organisation, so no committee's subtree covers it.

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

  grpc::ServerUnaryReactor* GetQuotaRuleSet(
      grpc::CallbackServerContext* context,
      const v1::GetQuotaRuleSetRequest* request,
      v1::QuotaRuleSet* response) override;
  grpc::ServerUnaryReactor* ListQuotaRuleSets(
      grpc::CallbackServerContext* context,
      const v1::ListQuotaRuleSetsRequest* request,
      v1::ListQuotaRuleSetsResponse* response) override;
  grpc::ServerUnaryReactor* ResolveQuotaRuleSet(
      grpc::CallbackServerContext* context,
      const v1::ResolveQuotaRuleSetRequest* request,
      v1::QuotaRuleSet* response) override;
  grpc::ServerUnaryReactor* GetProjection(
      grpc::CallbackServerContext* context,
      const v1::GetProjectionRequest* request,
      v1::Projection* response) override;
  grpc::ServerUnaryReactor* ListProjections(
      grpc::CallbackServerContext* context,
      const v1::ListProjectionsRequest* request,
      v1::ListProjectionsResponse* response) override;
  grpc::ServerUnaryReactor* RebuildProjection(
      grpc::CallbackServerContext* context,
      const v1::RebuildProjectionRequest* request,
      v1::Projection* response) override;

 private:
  absl::Status Rebuild(const CallContext& call,
                       const v1::RebuildProjectionRequest& request,
                       v1::Projection& response);

  std::shared_ptr<QuotaContext> context_;
};

}  // namespace partydev::quota

#endif  // PARTYDEV_SERVICES_QUOTA_ADMIN_SERVICE_H_
