// PersonService: the member lifecycle (transfers, exemption, removal,
// resignation, death, disciplines, improvement periods, party age).

#include "services/membership/person_service.h"

namespace partydev::membership {

absl::Status PersonServiceImpl::DoCreateTransfer(
    const CallContext&, const v1::CreateTransferRequest&, v1::Transfer&) {
  return absl::UnimplementedError("CreateTransfer is not implemented yet");
}

absl::Status PersonServiceImpl::DoGetTransfer(const CallContext&,
                                              const v1::GetTransferRequest&,
                                              v1::Transfer&) {
  return absl::UnimplementedError("GetTransfer is not implemented yet");
}

absl::Status PersonServiceImpl::DoListTransfers(const CallContext&,
                                                const v1::ListTransfersRequest&,
                                                v1::ListTransfersResponse&) {
  return absl::UnimplementedError("ListTransfers is not implemented yet");
}

absl::Status PersonServiceImpl::DoIssueTransferLetter(
    const CallContext&, const v1::IssueTransferLetterRequest&, v1::Transfer&) {
  return absl::UnimplementedError("IssueTransferLetter is not implemented yet");
}

absl::Status PersonServiceImpl::DoReceiveTransfer(
    const CallContext&, const v1::ReceiveTransferRequest&, v1::Transfer&) {
  return absl::UnimplementedError("ReceiveTransfer is not implemented yet");
}

absl::Status PersonServiceImpl::DoEndTemporaryTransfer(
    const CallContext&, const v1::EndTemporaryTransferRequest&, v1::Transfer&) {
  return absl::UnimplementedError(
      "EndTemporaryTransfer is not implemented yet");
}

absl::Status PersonServiceImpl::DoCancelTransfer(
    const CallContext&, const v1::CancelTransferRequest&, v1::Transfer&) {
  return absl::UnimplementedError("CancelTransfer is not implemented yet");
}

absl::Status PersonServiceImpl::DoExemptMember(const CallContext&,
                                               const v1::ExemptMemberRequest&,
                                               v1::Person&) {
  return absl::UnimplementedError("ExemptMember is not implemented yet");
}

absl::Status PersonServiceImpl::DoEndExemption(const CallContext&,
                                               const v1::EndExemptionRequest&,
                                               v1::Person&) {
  return absl::UnimplementedError("EndExemption is not implemented yet");
}

absl::Status PersonServiceImpl::DoRemoveMember(const CallContext&,
                                               const v1::RemoveMemberRequest&,
                                               v1::Person&) {
  return absl::UnimplementedError("RemoveMember is not implemented yet");
}

absl::Status PersonServiceImpl::DoRecordResignation(
    const CallContext&, const v1::RecordResignationRequest&, v1::Person&) {
  return absl::UnimplementedError("RecordResignation is not implemented yet");
}

absl::Status PersonServiceImpl::DoRecordDeath(const CallContext&,
                                              const v1::RecordDeathRequest&,
                                              v1::Person&) {
  return absl::UnimplementedError("RecordDeath is not implemented yet");
}

absl::Status PersonServiceImpl::DoCreateDiscipline(
    const CallContext&, const v1::CreateDisciplineRequest&, v1::Discipline&) {
  return absl::UnimplementedError("CreateDiscipline is not implemented yet");
}

absl::Status PersonServiceImpl::DoGetDiscipline(const CallContext&,
                                                const v1::GetDisciplineRequest&,
                                                v1::Discipline&) {
  return absl::UnimplementedError("GetDiscipline is not implemented yet");
}

absl::Status PersonServiceImpl::DoListDisciplines(
    const CallContext&, const v1::ListDisciplinesRequest&,
    v1::ListDisciplinesResponse&) {
  return absl::UnimplementedError("ListDisciplines is not implemented yet");
}

absl::Status PersonServiceImpl::DoUpdateDiscipline(
    const CallContext&, const v1::UpdateDisciplineRequest&, v1::Discipline&) {
  return absl::UnimplementedError("UpdateDiscipline is not implemented yet");
}

absl::Status PersonServiceImpl::DoCreateImprovementPeriod(
    const CallContext&, const v1::CreateImprovementPeriodRequest&,
    v1::ImprovementPeriod&) {
  return absl::UnimplementedError(
      "CreateImprovementPeriod is not implemented yet");
}

absl::Status PersonServiceImpl::DoGetImprovementPeriod(
    const CallContext&, const v1::GetImprovementPeriodRequest&,
    v1::ImprovementPeriod&) {
  return absl::UnimplementedError(
      "GetImprovementPeriod is not implemented yet");
}

absl::Status PersonServiceImpl::DoListImprovementPeriods(
    const CallContext&, const v1::ListImprovementPeriodsRequest&,
    v1::ListImprovementPeriodsResponse&) {
  return absl::UnimplementedError(
      "ListImprovementPeriods is not implemented yet");
}

absl::Status PersonServiceImpl::DoReviewImprovementPeriod(
    const CallContext&, const v1::ReviewImprovementPeriodRequest&,
    v1::ImprovementPeriod&) {
  return absl::UnimplementedError(
      "ReviewImprovementPeriod is not implemented yet");
}

absl::Status PersonServiceImpl::DoCloseImprovementPeriod(
    const CallContext&, const v1::CloseImprovementPeriodRequest&,
    v1::ImprovementPeriod&) {
  return absl::UnimplementedError(
      "CloseImprovementPeriod is not implemented yet");
}

absl::Status PersonServiceImpl::DoGetPartyAge(const CallContext&,
                                              const v1::GetPartyAgeRequest&,
                                              v1::PartyAge&) {
  return absl::UnimplementedError("GetPartyAge is not implemented yet");
}

absl::Status PersonServiceImpl::DoRecordPartyAgeGap(
    const CallContext&, const v1::RecordPartyAgeGapRequest&, v1::PartyAge&) {
  return absl::UnimplementedError("RecordPartyAgeGap is not implemented yet");
}
}  // namespace partydev::membership
