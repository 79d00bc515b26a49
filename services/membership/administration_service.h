// File: services/membership/administration_service.h
//
// partydev.membership.v1.AdministrationService: the rule sets in force (read
// by every authenticated caller, so a secretary can see which numbers judge
// an act) and the audit log of an organisation and its subtree (read by the
// organisation and its superiors). The working-day calendar and the CSV
// import and export answer UNIMPLEMENTED until they land (issue #4).

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_ADMINISTRATION_SERVICE_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_ADMINISTRATION_SERVICE_H_

#include <memory>

#include "common/service_runtime.h"
#include "partydev/membership/v1/administration.grpc.pb.h"
#include "services/membership/domain/rule_sets.h"
#include "services/membership/organization_store.h"

namespace partydev::membership {

class AdministrationServiceImpl final
    : public v1::AdministrationService::CallbackService {
 public:
  AdministrationServiceImpl(
      ServiceRuntime& runtime,
      std::shared_ptr<const domain::RuleSetRegistry> rule_sets);

  grpc::ServerUnaryReactor* GetRuleSet(grpc::CallbackServerContext* context,
                                       const v1::GetRuleSetRequest* request,
                                       v1::RuleSet* response) override;
  grpc::ServerUnaryReactor* ListRuleSets(
      grpc::CallbackServerContext* context,
      const v1::ListRuleSetsRequest* request,
      v1::ListRuleSetsResponse* response) override;
  grpc::ServerUnaryReactor* ListAuditEntries(
      grpc::CallbackServerContext* context,
      const v1::ListAuditEntriesRequest* request,
      v1::ListAuditEntriesResponse* response) override;
  grpc::ServerUnaryReactor* GetAuditEntry(
      grpc::CallbackServerContext* context,
      const v1::GetAuditEntryRequest* request,
      v1::AuditEntry* response) override;

 private:
  absl::Status AuditEntries(const CallContext& call,
                            const v1::ListAuditEntriesRequest& request,
                            v1::ListAuditEntriesResponse& response);
  absl::Status AuditEntry(const CallContext& call,
                          const v1::GetAuditEntryRequest& request,
                          v1::AuditEntry& response);

  ServiceRuntime& runtime_;
  const std::shared_ptr<const domain::RuleSetRegistry> rule_sets_;
  OrganizationStore store_;
};

}  // namespace partydev::membership

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_ADMINISTRATION_SERVICE_H_
