#include "services/membership/classification_service.h"

namespace partydev::membership {

ClassificationServiceImpl::ClassificationServiceImpl(
    std::shared_ptr<MembershipContext> context)
    : context_(std::move(context)) {}

#define PARTYDEV_FORWARD(Rpc, Request, Response)                    \
  grpc::ServerUnaryReactor* ClassificationServiceImpl::Rpc(         \
      grpc::CallbackServerContext* context, const Request* request, \
      Response* response) {                                         \
    return context_->runtime().Unary(                               \
        context, #Rpc, [=](const CallContext& call) {               \
          return Do##Rpc(call, *request, *response);                \
        });                                                         \
  }
PARTYDEV_FORWARD(CreateMemberClassification,
                 v1::CreateMemberClassificationRequest,
                 v1::MemberClassification)
PARTYDEV_FORWARD(GetMemberClassification, v1::GetMemberClassificationRequest,
                 v1::MemberClassification)
PARTYDEV_FORWARD(ListMemberClassifications,
                 v1::ListMemberClassificationsRequest,
                 v1::ListMemberClassificationsResponse)
PARTYDEV_FORWARD(UpdateMemberClassification,
                 v1::UpdateMemberClassificationRequest,
                 v1::MemberClassification)
PARTYDEV_FORWARD(CreateOrganizationClassification,
                 v1::CreateOrganizationClassificationRequest,
                 v1::OrganizationClassification)
PARTYDEV_FORWARD(GetOrganizationClassification,
                 v1::GetOrganizationClassificationRequest,
                 v1::OrganizationClassification)
PARTYDEV_FORWARD(ListOrganizationClassifications,
                 v1::ListOrganizationClassificationsRequest,
                 v1::ListOrganizationClassificationsResponse)
PARTYDEV_FORWARD(UpdateOrganizationClassification,
                 v1::UpdateOrganizationClassificationRequest,
                 v1::OrganizationClassification)
PARTYDEV_FORWARD(CheckClassificationCap, v1::CheckClassificationCapRequest,
                 v1::ClassificationCapCheck)
PARTYDEV_FORWARD(CreateActionProgramme, v1::CreateActionProgrammeRequest,
                 v1::ActionProgramme)
PARTYDEV_FORWARD(GetActionProgramme, v1::GetActionProgrammeRequest,
                 v1::ActionProgramme)
PARTYDEV_FORWARD(ListActionProgrammes, v1::ListActionProgrammesRequest,
                 v1::ListActionProgrammesResponse)
PARTYDEV_FORWARD(UpdateActionProgramme, v1::UpdateActionProgrammeRequest,
                 v1::ActionProgramme)
PARTYDEV_FORWARD(EvaluateActionProgramme, v1::EvaluateActionProgrammeRequest,
                 v1::ActionProgramme)
#undef PARTYDEV_FORWARD

absl::Status ClassificationServiceImpl::DoCreateMemberClassification(
    const CallContext&, const v1::CreateMemberClassificationRequest&,
    v1::MemberClassification&) {
  return absl::UnimplementedError(
      "CreateMemberClassification is not implemented yet");
}

absl::Status ClassificationServiceImpl::DoGetMemberClassification(
    const CallContext&, const v1::GetMemberClassificationRequest&,
    v1::MemberClassification&) {
  return absl::UnimplementedError(
      "GetMemberClassification is not implemented yet");
}

absl::Status ClassificationServiceImpl::DoListMemberClassifications(
    const CallContext&, const v1::ListMemberClassificationsRequest&,
    v1::ListMemberClassificationsResponse&) {
  return absl::UnimplementedError(
      "ListMemberClassifications is not implemented yet");
}

absl::Status ClassificationServiceImpl::DoUpdateMemberClassification(
    const CallContext&, const v1::UpdateMemberClassificationRequest&,
    v1::MemberClassification&) {
  return absl::UnimplementedError(
      "UpdateMemberClassification is not implemented yet");
}

absl::Status ClassificationServiceImpl::DoCreateOrganizationClassification(
    const CallContext&, const v1::CreateOrganizationClassificationRequest&,
    v1::OrganizationClassification&) {
  return absl::UnimplementedError(
      "CreateOrganizationClassification is not implemented yet");
}

absl::Status ClassificationServiceImpl::DoGetOrganizationClassification(
    const CallContext&, const v1::GetOrganizationClassificationRequest&,
    v1::OrganizationClassification&) {
  return absl::UnimplementedError(
      "GetOrganizationClassification is not implemented yet");
}

absl::Status ClassificationServiceImpl::DoListOrganizationClassifications(
    const CallContext&, const v1::ListOrganizationClassificationsRequest&,
    v1::ListOrganizationClassificationsResponse&) {
  return absl::UnimplementedError(
      "ListOrganizationClassifications is not implemented yet");
}

absl::Status ClassificationServiceImpl::DoUpdateOrganizationClassification(
    const CallContext&, const v1::UpdateOrganizationClassificationRequest&,
    v1::OrganizationClassification&) {
  return absl::UnimplementedError(
      "UpdateOrganizationClassification is not implemented yet");
}

absl::Status ClassificationServiceImpl::DoCheckClassificationCap(
    const CallContext&, const v1::CheckClassificationCapRequest&,
    v1::ClassificationCapCheck&) {
  return absl::UnimplementedError(
      "CheckClassificationCap is not implemented yet");
}

absl::Status ClassificationServiceImpl::DoCreateActionProgramme(
    const CallContext&, const v1::CreateActionProgrammeRequest&,
    v1::ActionProgramme&) {
  return absl::UnimplementedError(
      "CreateActionProgramme is not implemented yet");
}

absl::Status ClassificationServiceImpl::DoGetActionProgramme(
    const CallContext&, const v1::GetActionProgrammeRequest&,
    v1::ActionProgramme&) {
  return absl::UnimplementedError("GetActionProgramme is not implemented yet");
}

absl::Status ClassificationServiceImpl::DoListActionProgrammes(
    const CallContext&, const v1::ListActionProgrammesRequest&,
    v1::ListActionProgrammesResponse&) {
  return absl::UnimplementedError(
      "ListActionProgrammes is not implemented yet");
}

absl::Status ClassificationServiceImpl::DoUpdateActionProgramme(
    const CallContext&, const v1::UpdateActionProgrammeRequest&,
    v1::ActionProgramme&) {
  return absl::UnimplementedError(
      "UpdateActionProgramme is not implemented yet");
}

absl::Status ClassificationServiceImpl::DoEvaluateActionProgramme(
    const CallContext&, const v1::EvaluateActionProgrammeRequest&,
    v1::ActionProgramme&) {
  return absl::UnimplementedError(
      "EvaluateActionProgramme is not implemented yet");
}
}  // namespace partydev::membership
