#include "services/membership/admission_service.h"

namespace partydev::membership {

absl::Status AdmissionServiceImpl::DoAssignMentor(
    const CallContext&, const v1::AssignMentorRequest&, v1::Person&) {
  return absl::UnimplementedError("AssignMentor is not implemented yet");
}

absl::Status AdmissionServiceImpl::DoRecordTraining(
    const CallContext&, const v1::RecordTrainingRequest&, v1::Person&) {
  return absl::UnimplementedError("RecordTraining is not implemented yet");
}

absl::Status AdmissionServiceImpl::DoRecordApplication(
    const CallContext&, const v1::RecordApplicationRequest&, v1::Person&) {
  return absl::UnimplementedError("RecordApplication is not implemented yet");
}

absl::Status AdmissionServiceImpl::DoRecordBackgroundVerification(
    const CallContext&, const v1::RecordBackgroundVerificationRequest&,
    v1::Person&) {
  return absl::UnimplementedError(
      "RecordBackgroundVerification is not implemented yet");
}

absl::Status AdmissionServiceImpl::DoRecordIntroductions(
    const CallContext&, const v1::RecordIntroductionsRequest&, v1::Person&) {
  return absl::UnimplementedError("RecordIntroductions is not implemented yet");
}

absl::Status AdmissionServiceImpl::DoRecordCellResolution(
    const CallContext&, const v1::RecordCellResolutionRequest&, v1::Person&) {
  return absl::UnimplementedError(
      "RecordCellResolution is not implemented yet");
}

absl::Status AdmissionServiceImpl::DoRecordCommitteeResolution(
    const CallContext&, const v1::RecordCommitteeResolutionRequest&,
    v1::Person&) {
  return absl::UnimplementedError(
      "RecordCommitteeResolution is not implemented yet");
}

absl::Status AdmissionServiceImpl::DoRecordAdmissionDecision(
    const CallContext&, const v1::RecordAdmissionDecisionRequest&,
    v1::Person&) {
  return absl::UnimplementedError(
      "RecordAdmissionDecision is not implemented yet");
}

absl::Status AdmissionServiceImpl::DoRecordCeremony(
    const CallContext&, const v1::RecordCeremonyRequest&, v1::Person&) {
  return absl::UnimplementedError("RecordCeremony is not implemented yet");
}

absl::Status AdmissionServiceImpl::DoRecordRecognitionVote(
    const CallContext&, const v1::RecordRecognitionVoteRequest&, v1::Person&) {
  return absl::UnimplementedError(
      "RecordRecognitionVote is not implemented yet");
}

absl::Status AdmissionServiceImpl::DoRecogniseMember(
    const CallContext&, const v1::RecogniseMemberRequest&, v1::Person&) {
  return absl::UnimplementedError("RecogniseMember is not implemented yet");
}

absl::Status AdmissionServiceImpl::DoRemoveFromProbation(
    const CallContext&, const v1::RemoveFromProbationRequest&, v1::Person&) {
  return absl::UnimplementedError("RemoveFromProbation is not implemented yet");
}

absl::Status AdmissionServiceImpl::DoExtendDeadline(
    const CallContext&, const v1::ExtendDeadlineRequest&, v1::Person&) {
  return absl::UnimplementedError("ExtendDeadline is not implemented yet");
}

absl::Status AdmissionServiceImpl::DoWithdrawCandidacy(
    const CallContext&, const v1::WithdrawCandidacyRequest&, v1::Person&) {
  return absl::UnimplementedError("WithdrawCandidacy is not implemented yet");
}

absl::Status AdmissionServiceImpl::DoRejectCandidacy(
    const CallContext&, const v1::RejectCandidacyRequest&, v1::Person&) {
  return absl::UnimplementedError("RejectCandidacy is not implemented yet");
}

absl::Status AdmissionServiceImpl::DoRestartCandidacy(
    const CallContext&, const v1::RestartCandidacyRequest&, v1::Person&) {
  return absl::UnimplementedError("RestartCandidacy is not implemented yet");
}

absl::Status AdmissionServiceImpl::DoCreateAdmissionException(
    const CallContext&, const v1::CreateAdmissionExceptionRequest&,
    v1::AdmissionException&) {
  return absl::UnimplementedError(
      "CreateAdmissionException is not implemented yet");
}

absl::Status AdmissionServiceImpl::DoGetAdmissionException(
    const CallContext&, const v1::GetAdmissionExceptionRequest&,
    v1::AdmissionException&) {
  return absl::UnimplementedError(
      "GetAdmissionException is not implemented yet");
}

absl::Status AdmissionServiceImpl::DoListAdmissionExceptions(
    const CallContext&, const v1::ListAdmissionExceptionsRequest&,
    v1::ListAdmissionExceptionsResponse&) {
  return absl::UnimplementedError(
      "ListAdmissionExceptions is not implemented yet");
}
}  // namespace partydev::membership
