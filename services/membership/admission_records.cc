#include "services/membership/admission_service.h"

namespace partydev::membership {

absl::Status AdmissionServiceImpl::DoCreateEvaluation(
    const CallContext&, const v1::CreateEvaluationRequest&, v1::Evaluation&) {
  return absl::UnimplementedError("CreateEvaluation is not implemented yet");
}

absl::Status AdmissionServiceImpl::DoGetEvaluation(
    const CallContext&, const v1::GetEvaluationRequest&, v1::Evaluation&) {
  return absl::UnimplementedError("GetEvaluation is not implemented yet");
}

absl::Status AdmissionServiceImpl::DoListEvaluations(
    const CallContext&, const v1::ListEvaluationsRequest&,
    v1::ListEvaluationsResponse&) {
  return absl::UnimplementedError("ListEvaluations is not implemented yet");
}

absl::Status AdmissionServiceImpl::DoUpdateEvaluation(
    const CallContext&, const v1::UpdateEvaluationRequest&, v1::Evaluation&) {
  return absl::UnimplementedError("UpdateEvaluation is not implemented yet");
}

absl::Status AdmissionServiceImpl::DoListOverdueEvaluations(
    const CallContext&, const v1::ListOverdueEvaluationsRequest&,
    v1::ListOverdueEvaluationsResponse&) {
  return absl::UnimplementedError(
      "ListOverdueEvaluations is not implemented yet");
}

absl::Status AdmissionServiceImpl::DoCreateTrainingClass(
    const CallContext&, const v1::CreateTrainingClassRequest&,
    v1::TrainingClass&) {
  return absl::UnimplementedError("CreateTrainingClass is not implemented yet");
}

absl::Status AdmissionServiceImpl::DoGetTrainingClass(
    const CallContext&, const v1::GetTrainingClassRequest&,
    v1::TrainingClass&) {
  return absl::UnimplementedError("GetTrainingClass is not implemented yet");
}

absl::Status AdmissionServiceImpl::DoListTrainingClasses(
    const CallContext&, const v1::ListTrainingClassesRequest&,
    v1::ListTrainingClassesResponse&) {
  return absl::UnimplementedError("ListTrainingClasses is not implemented yet");
}

absl::Status AdmissionServiceImpl::DoUpdateTrainingClass(
    const CallContext&, const v1::UpdateTrainingClassRequest&,
    v1::TrainingClass&) {
  return absl::UnimplementedError("UpdateTrainingClass is not implemented yet");
}

absl::Status AdmissionServiceImpl::DoCancelTrainingClass(
    const CallContext&, const v1::CancelTrainingClassRequest&,
    v1::TrainingClass&) {
  return absl::UnimplementedError("CancelTrainingClass is not implemented yet");
}

absl::Status AdmissionServiceImpl::DoCreateEnrollment(
    const CallContext&, const v1::CreateEnrollmentRequest&, v1::Enrollment&) {
  return absl::UnimplementedError("CreateEnrollment is not implemented yet");
}

absl::Status AdmissionServiceImpl::DoGetEnrollment(
    const CallContext&, const v1::GetEnrollmentRequest&, v1::Enrollment&) {
  return absl::UnimplementedError("GetEnrollment is not implemented yet");
}

absl::Status AdmissionServiceImpl::DoListEnrollments(
    const CallContext&, const v1::ListEnrollmentsRequest&,
    v1::ListEnrollmentsResponse&) {
  return absl::UnimplementedError("ListEnrollments is not implemented yet");
}

absl::Status AdmissionServiceImpl::DoAssessEnrollment(
    const CallContext&, const v1::AssessEnrollmentRequest&, v1::Enrollment&) {
  return absl::UnimplementedError("AssessEnrollment is not implemented yet");
}

absl::Status AdmissionServiceImpl::DoIssueCertificate(
    const CallContext&, const v1::IssueCertificateRequest&, v1::Enrollment&) {
  return absl::UnimplementedError("IssueCertificate is not implemented yet");
}

absl::Status AdmissionServiceImpl::DoWithdrawEnrollment(
    const CallContext&, const v1::WithdrawEnrollmentRequest&, v1::Enrollment&) {
  return absl::UnimplementedError("WithdrawEnrollment is not implemented yet");
}
}  // namespace partydev::membership
