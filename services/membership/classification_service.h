// File: services/membership/classification_service.h
//
// partydev.membership.v1.ClassificationService: yearly quality
// classification of members and organisations (four levels, scores, the
// cap on "excellent", who is not classified) and yearly personal action
// programmes. A thin translation of each RPC to its Do<Rpc> method.
//
// An organisation's admission results (OrganizationClassification
// .admission_results; letter 1849-CV/ĐUK makes them a criterion of the
// yearly classification) are counted here, membership being the system of
// record of admissions: on Create, and on Update with "admission_results"
// in the mask, `admitted` is filled with the admissions whose decision was
// signed in the year by organisations of the classified one's subtree
// (admission_counts.h, domain/admission_results.h) and `percent` derived
// from it and the client's `target`, which must be > 0 (INVALID_ARGUMENT
// on classification.admission_results.target). A non-zero `admitted` from
// the client that differs from the count is FAILED_PRECONDITION, rule
// classification.admission_results_from_records, naming both numbers.
// validate_only counts and writes nothing.

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_CLASSIFICATION_SERVICE_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_CLASSIFICATION_SERVICE_H_

#include <memory>

#include "absl/status/status.h"
#include "common/service_runtime.h"
#include "partydev/membership/v1/classification.grpc.pb.h"
#include "services/membership/membership_context.h"

namespace partydev::membership {

class ClassificationServiceImpl final
    : public v1::ClassificationService::CallbackService {
 public:
  explicit ClassificationServiceImpl(
      std::shared_ptr<MembershipContext> context);

  grpc::ServerUnaryReactor* CreateMemberClassification(
      grpc::CallbackServerContext* context,
      const v1::CreateMemberClassificationRequest* request,
      v1::MemberClassification* response) override;
  grpc::ServerUnaryReactor* GetMemberClassification(
      grpc::CallbackServerContext* context,
      const v1::GetMemberClassificationRequest* request,
      v1::MemberClassification* response) override;
  grpc::ServerUnaryReactor* ListMemberClassifications(
      grpc::CallbackServerContext* context,
      const v1::ListMemberClassificationsRequest* request,
      v1::ListMemberClassificationsResponse* response) override;
  grpc::ServerUnaryReactor* UpdateMemberClassification(
      grpc::CallbackServerContext* context,
      const v1::UpdateMemberClassificationRequest* request,
      v1::MemberClassification* response) override;
  grpc::ServerUnaryReactor* CreateOrganizationClassification(
      grpc::CallbackServerContext* context,
      const v1::CreateOrganizationClassificationRequest* request,
      v1::OrganizationClassification* response) override;
  grpc::ServerUnaryReactor* GetOrganizationClassification(
      grpc::CallbackServerContext* context,
      const v1::GetOrganizationClassificationRequest* request,
      v1::OrganizationClassification* response) override;
  grpc::ServerUnaryReactor* ListOrganizationClassifications(
      grpc::CallbackServerContext* context,
      const v1::ListOrganizationClassificationsRequest* request,
      v1::ListOrganizationClassificationsResponse* response) override;
  grpc::ServerUnaryReactor* UpdateOrganizationClassification(
      grpc::CallbackServerContext* context,
      const v1::UpdateOrganizationClassificationRequest* request,
      v1::OrganizationClassification* response) override;
  grpc::ServerUnaryReactor* CheckClassificationCap(
      grpc::CallbackServerContext* context,
      const v1::CheckClassificationCapRequest* request,
      v1::ClassificationCapCheck* response) override;
  grpc::ServerUnaryReactor* CreateActionProgramme(
      grpc::CallbackServerContext* context,
      const v1::CreateActionProgrammeRequest* request,
      v1::ActionProgramme* response) override;
  grpc::ServerUnaryReactor* GetActionProgramme(
      grpc::CallbackServerContext* context,
      const v1::GetActionProgrammeRequest* request,
      v1::ActionProgramme* response) override;
  grpc::ServerUnaryReactor* ListActionProgrammes(
      grpc::CallbackServerContext* context,
      const v1::ListActionProgrammesRequest* request,
      v1::ListActionProgrammesResponse* response) override;
  grpc::ServerUnaryReactor* UpdateActionProgramme(
      grpc::CallbackServerContext* context,
      const v1::UpdateActionProgrammeRequest* request,
      v1::ActionProgramme* response) override;
  grpc::ServerUnaryReactor* EvaluateActionProgramme(
      grpc::CallbackServerContext* context,
      const v1::EvaluateActionProgrammeRequest* request,
      v1::ActionProgramme* response) override;

  // ListMemberClassifications' work, shared with the CSV export
  // EXPORT_KIND_MEMBER_CLASSIFICATIONS (csv_exports.h).
  absl::Status DoListMemberClassifications(
      const CallContext& call,
      const v1::ListMemberClassificationsRequest& request,
      v1::ListMemberClassificationsResponse& response);

 private:
  // The work of each RPC, run on the worker pool by runtime().Unary.
  absl::Status DoCreateMemberClassification(
      const CallContext& call,
      const v1::CreateMemberClassificationRequest& request,
      v1::MemberClassification& response);
  absl::Status DoGetMemberClassification(
      const CallContext& call,
      const v1::GetMemberClassificationRequest& request,
      v1::MemberClassification& response);
  absl::Status DoUpdateMemberClassification(
      const CallContext& call,
      const v1::UpdateMemberClassificationRequest& request,
      v1::MemberClassification& response);
  absl::Status DoCreateOrganizationClassification(
      const CallContext& call,
      const v1::CreateOrganizationClassificationRequest& request,
      v1::OrganizationClassification& response);
  absl::Status DoGetOrganizationClassification(
      const CallContext& call,
      const v1::GetOrganizationClassificationRequest& request,
      v1::OrganizationClassification& response);
  absl::Status DoListOrganizationClassifications(
      const CallContext& call,
      const v1::ListOrganizationClassificationsRequest& request,
      v1::ListOrganizationClassificationsResponse& response);
  absl::Status DoUpdateOrganizationClassification(
      const CallContext& call,
      const v1::UpdateOrganizationClassificationRequest& request,
      v1::OrganizationClassification& response);
  absl::Status DoCheckClassificationCap(
      const CallContext& call, const v1::CheckClassificationCapRequest& request,
      v1::ClassificationCapCheck& response);
  absl::Status DoCreateActionProgramme(
      const CallContext& call, const v1::CreateActionProgrammeRequest& request,
      v1::ActionProgramme& response);
  absl::Status DoGetActionProgramme(
      const CallContext& call, const v1::GetActionProgrammeRequest& request,
      v1::ActionProgramme& response);
  absl::Status DoListActionProgrammes(
      const CallContext& call, const v1::ListActionProgrammesRequest& request,
      v1::ListActionProgrammesResponse& response);
  absl::Status DoUpdateActionProgramme(
      const CallContext& call, const v1::UpdateActionProgrammeRequest& request,
      v1::ActionProgramme& response);
  absl::Status DoEvaluateActionProgramme(
      const CallContext& call,
      const v1::EvaluateActionProgrammeRequest& request,
      v1::ActionProgramme& response);

  std::shared_ptr<MembershipContext> context_;
};

}  // namespace partydev::membership

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_CLASSIFICATION_SERVICE_H_
