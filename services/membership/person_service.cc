#include "services/membership/person_service.h"

namespace partydev::membership {

PersonServiceImpl::PersonServiceImpl(std::shared_ptr<MembershipContext> context)
    : context_(std::move(context)) {}

#define PARTYDEV_FORWARD(Rpc, Request, Response)                    \
  grpc::ServerUnaryReactor* PersonServiceImpl::Rpc(                 \
      grpc::CallbackServerContext* context, const Request* request, \
      Response* response) {                                         \
    return context_->runtime().Unary(                               \
        context, #Rpc, [=](const CallContext& call) {               \
          return Do##Rpc(call, *request, *response);                \
        });                                                         \
  }
PARTYDEV_FORWARD(GetPerson, v1::GetPersonRequest, v1::Person)
PARTYDEV_FORWARD(ListPeople, v1::ListPeopleRequest, v1::ListPeopleResponse)
PARTYDEV_FORWARD(CreatePerson, v1::CreatePersonRequest, v1::Person)
PARTYDEV_FORWARD(UpdatePerson, v1::UpdatePersonRequest, v1::Person)
PARTYDEV_FORWARD(CreateTransfer, v1::CreateTransferRequest, v1::Transfer)
PARTYDEV_FORWARD(GetTransfer, v1::GetTransferRequest, v1::Transfer)
PARTYDEV_FORWARD(ListTransfers, v1::ListTransfersRequest,
                 v1::ListTransfersResponse)
PARTYDEV_FORWARD(IssueTransferLetter, v1::IssueTransferLetterRequest,
                 v1::Transfer)
PARTYDEV_FORWARD(ReceiveTransfer, v1::ReceiveTransferRequest, v1::Transfer)
PARTYDEV_FORWARD(EndTemporaryTransfer, v1::EndTemporaryTransferRequest,
                 v1::Transfer)
PARTYDEV_FORWARD(CancelTransfer, v1::CancelTransferRequest, v1::Transfer)
PARTYDEV_FORWARD(ExemptMember, v1::ExemptMemberRequest, v1::Person)
PARTYDEV_FORWARD(EndExemption, v1::EndExemptionRequest, v1::Person)
PARTYDEV_FORWARD(RemoveMember, v1::RemoveMemberRequest, v1::Person)
PARTYDEV_FORWARD(RecordResignation, v1::RecordResignationRequest, v1::Person)
PARTYDEV_FORWARD(RecordDeath, v1::RecordDeathRequest, v1::Person)
PARTYDEV_FORWARD(CreateDiscipline, v1::CreateDisciplineRequest, v1::Discipline)
PARTYDEV_FORWARD(GetDiscipline, v1::GetDisciplineRequest, v1::Discipline)
PARTYDEV_FORWARD(ListDisciplines, v1::ListDisciplinesRequest,
                 v1::ListDisciplinesResponse)
PARTYDEV_FORWARD(UpdateDiscipline, v1::UpdateDisciplineRequest, v1::Discipline)
PARTYDEV_FORWARD(CreateImprovementPeriod, v1::CreateImprovementPeriodRequest,
                 v1::ImprovementPeriod)
PARTYDEV_FORWARD(GetImprovementPeriod, v1::GetImprovementPeriodRequest,
                 v1::ImprovementPeriod)
PARTYDEV_FORWARD(ListImprovementPeriods, v1::ListImprovementPeriodsRequest,
                 v1::ListImprovementPeriodsResponse)
PARTYDEV_FORWARD(ReviewImprovementPeriod, v1::ReviewImprovementPeriodRequest,
                 v1::ImprovementPeriod)
PARTYDEV_FORWARD(CloseImprovementPeriod, v1::CloseImprovementPeriodRequest,
                 v1::ImprovementPeriod)
PARTYDEV_FORWARD(GetPartyAge, v1::GetPartyAgeRequest, v1::PartyAge)
PARTYDEV_FORWARD(RecordPartyAgeGap, v1::RecordPartyAgeGapRequest, v1::PartyAge)
#undef PARTYDEV_FORWARD

absl::Status PersonServiceImpl::DoGetPerson(const CallContext&,
                                            const v1::GetPersonRequest&,
                                            v1::Person&) {
  return absl::UnimplementedError("GetPerson is not implemented yet");
}

absl::Status PersonServiceImpl::DoListPeople(const CallContext&,
                                             const v1::ListPeopleRequest&,
                                             v1::ListPeopleResponse&) {
  return absl::UnimplementedError("ListPeople is not implemented yet");
}

absl::Status PersonServiceImpl::DoCreatePerson(const CallContext&,
                                               const v1::CreatePersonRequest&,
                                               v1::Person&) {
  return absl::UnimplementedError("CreatePerson is not implemented yet");
}

absl::Status PersonServiceImpl::DoUpdatePerson(const CallContext&,
                                               const v1::UpdatePersonRequest&,
                                               v1::Person&) {
  return absl::UnimplementedError("UpdatePerson is not implemented yet");
}
}  // namespace partydev::membership
