// File: services/membership/organization_service.h
//
// partydev.membership.v1.OrganizationService: validates each request,
// authorises it against the caller's subtree, applies the tree's rules
// (organization_tree.h, with the vocabulary of the rule set in force on the
// act's date) and commits the change with its revision, event and audit
// entry in one atomic write (organization_store.h).
//
// Implemented: Get, List, Create, Update, Move, Merge, Split, Dissolve,
// ListOrganizationRevisions, ListOrganizationAncestors, CountPeople (from
// the counters the person store keeps in the same write as each change).
// Merge, Split and Dissolve with a receiving organisation move people
// between cells: the people, their indexes and counters are written in the
// same atomic write as the tree (OrganizationChange::people).

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_ORGANIZATION_SERVICE_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_ORGANIZATION_SERVICE_H_

#include <functional>
#include <memory>

#include "absl/status/statusor.h"
#include "common/service_runtime.h"
#include "partydev/membership/v1/organizations.grpc.pb.h"
#include "partydev/membership/v1/rules.pb.h"
#include "services/membership/membership_context.h"
#include "services/membership/organization_store.h"

namespace partydev::membership {

// CreateOrganization's work, shared with the CSV import of the tree
// (IMPORT_KIND_ORGANIZATIONS): validates, authorises (the parent within the
// caller's subtree, the role organization_board; a root for installation
// admins only), applies the tree's rules of the rule set in force on
// `valid_from` (no cell under a cell, levels as data...) and commits the
// organisation with its revision, event and audit entry in one atomic
// write, once per request id.
absl::Status RegisterOrganization(MembershipContext& context,
                                  const CallContext& call,
                                  const v1::CreateOrganizationRequest& request,
                                  v1::Organization& response);

class OrganizationServiceImpl final
    : public v1::OrganizationService::CallbackService {
 public:
  explicit OrganizationServiceImpl(std::shared_ptr<MembershipContext> context);

  grpc::ServerUnaryReactor* GetOrganization(
      grpc::CallbackServerContext* context,
      const v1::GetOrganizationRequest* request,
      v1::Organization* response) override;
  grpc::ServerUnaryReactor* ListOrganizations(
      grpc::CallbackServerContext* context,
      const v1::ListOrganizationsRequest* request,
      v1::ListOrganizationsResponse* response) override;
  grpc::ServerUnaryReactor* CreateOrganization(
      grpc::CallbackServerContext* context,
      const v1::CreateOrganizationRequest* request,
      v1::Organization* response) override;
  grpc::ServerUnaryReactor* UpdateOrganization(
      grpc::CallbackServerContext* context,
      const v1::UpdateOrganizationRequest* request,
      v1::Organization* response) override;
  grpc::ServerUnaryReactor* MoveOrganization(
      grpc::CallbackServerContext* context,
      const v1::MoveOrganizationRequest* request,
      v1::Organization* response) override;
  grpc::ServerUnaryReactor* MergeOrganizations(
      grpc::CallbackServerContext* context,
      const v1::MergeOrganizationsRequest* request,
      v1::MergeOrganizationsResponse* response) override;
  grpc::ServerUnaryReactor* SplitOrganization(
      grpc::CallbackServerContext* context,
      const v1::SplitOrganizationRequest* request,
      v1::SplitOrganizationResponse* response) override;
  grpc::ServerUnaryReactor* DissolveOrganization(
      grpc::CallbackServerContext* context,
      const v1::DissolveOrganizationRequest* request,
      v1::Organization* response) override;
  grpc::ServerUnaryReactor* ListOrganizationRevisions(
      grpc::CallbackServerContext* context,
      const v1::ListOrganizationRevisionsRequest* request,
      v1::ListOrganizationRevisionsResponse* response) override;
  grpc::ServerUnaryReactor* ListOrganizationAncestors(
      grpc::CallbackServerContext* context,
      const v1::ListOrganizationAncestorsRequest* request,
      v1::ListOrganizationAncestorsResponse* response) override;
  grpc::ServerUnaryReactor* CountPeople(grpc::CallbackServerContext* context,
                                        const v1::CountPeopleRequest* request,
                                        v1::PeopleCounts* response) override;

  // CountPeople's work, shared with the CSV export EXPORT_KIND_PEOPLE_COUNTS
  // (csv_exports.h), so that the file says what the screen says.
  absl::Status Count(const CallContext& call,
                     const v1::CountPeopleRequest& request,
                     v1::PeopleCounts& response);

 private:
  absl::Status Get(const CallContext& call,
                   const v1::GetOrganizationRequest& request,
                   v1::Organization& response);
  absl::Status List(const CallContext& call,
                    const v1::ListOrganizationsRequest& request,
                    v1::ListOrganizationsResponse& response);
  absl::Status Create(const CallContext& call,
                      const v1::CreateOrganizationRequest& request,
                      v1::Organization& response);
  absl::Status Update(const CallContext& call,
                      const v1::UpdateOrganizationRequest& request,
                      v1::Organization& response);
  absl::Status Move(const CallContext& call,
                    const v1::MoveOrganizationRequest& request,
                    v1::Organization& response);
  absl::Status Merge(const CallContext& call,
                     const v1::MergeOrganizationsRequest& request,
                     v1::MergeOrganizationsResponse& response);
  absl::Status Split(const CallContext& call,
                     const v1::SplitOrganizationRequest& request,
                     v1::SplitOrganizationResponse& response);
  absl::Status Dissolve(const CallContext& call,
                        const v1::DissolveOrganizationRequest& request,
                        v1::Organization& response);
  absl::Status Revisions(const CallContext& call,
                         const v1::ListOrganizationRevisionsRequest& request,
                         v1::ListOrganizationRevisionsResponse& response);
  absl::Status Ancestors(const CallContext& call,
                         const v1::ListOrganizationAncestorsRequest& request,
                         v1::ListOrganizationAncestorsResponse& response);

  // Reads an organisation named in `field` and checks that the caller's
  // subtree holds it.
  absl::StatusOr<StoredOrganization> ReadAuthorized(const CallContext& call,
                                                    const std::string& name,
                                                    absl::string_view field);

  std::shared_ptr<MembershipContext> context_;
  ServiceRuntime& runtime_;
  OrganizationStore& store_;
  const RuleSetLookup& rules_;
};

}  // namespace partydev::membership

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_ORGANIZATION_SERVICE_H_
