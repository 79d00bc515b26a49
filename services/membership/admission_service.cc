#include "services/membership/admission_service.h"

namespace partydev::membership {

AdmissionServiceImpl::AdmissionServiceImpl(
    std::shared_ptr<MembershipContext> context)
    : context_(std::move(context)) {}

#define PARTYDEV_FORWARD(Rpc, Request, Response)                            \
  grpc::ServerUnaryReactor* AdmissionServiceImpl::Rpc(                      \
      grpc::CallbackServerContext* context, const Request* request,         \
      Response* response) {                                                 \
    return context_->runtime().Unary(                                       \
        context, #Rpc, [=](const CallContext& call) {                       \
          absl::StatusOr<bool> replayed =                                   \
              ReplayRecordedResponse(context_->redis(), context_->prefix(), \
                                     #Rpc, *request, *response);            \
          if (!replayed.ok()) return replayed.status();                     \
          if (*replayed) return absl::OkStatus();                           \
          return Do##Rpc(call, *request, *response);                        \
        });                                                                 \
  }
PARTYDEV_FORWARD(AssignMentor, v1::AssignMentorRequest, v1::Person)
PARTYDEV_FORWARD(RecordTraining, v1::RecordTrainingRequest, v1::Person)
PARTYDEV_FORWARD(RecordApplication, v1::RecordApplicationRequest, v1::Person)
PARTYDEV_FORWARD(RecordBackgroundVerification,
                 v1::RecordBackgroundVerificationRequest, v1::Person)
PARTYDEV_FORWARD(RecordIntroductions, v1::RecordIntroductionsRequest,
                 v1::Person)
PARTYDEV_FORWARD(RecordCellResolution, v1::RecordCellResolutionRequest,
                 v1::Person)
PARTYDEV_FORWARD(RecordCommitteeResolution,
                 v1::RecordCommitteeResolutionRequest, v1::Person)
PARTYDEV_FORWARD(RecordAdmissionDecision, v1::RecordAdmissionDecisionRequest,
                 v1::Person)
PARTYDEV_FORWARD(RecordCeremony, v1::RecordCeremonyRequest, v1::Person)
PARTYDEV_FORWARD(RecordRecognitionVote, v1::RecordRecognitionVoteRequest,
                 v1::Person)
PARTYDEV_FORWARD(RecogniseMember, v1::RecogniseMemberRequest, v1::Person)
PARTYDEV_FORWARD(RemoveFromProbation, v1::RemoveFromProbationRequest,
                 v1::Person)
PARTYDEV_FORWARD(ExtendDeadline, v1::ExtendDeadlineRequest, v1::Person)
PARTYDEV_FORWARD(WithdrawCandidacy, v1::WithdrawCandidacyRequest, v1::Person)
PARTYDEV_FORWARD(RejectCandidacy, v1::RejectCandidacyRequest, v1::Person)
PARTYDEV_FORWARD(RestartCandidacy, v1::RestartCandidacyRequest, v1::Person)
PARTYDEV_FORWARD(CreateAdmissionException, v1::CreateAdmissionExceptionRequest,
                 v1::AdmissionException)
PARTYDEV_FORWARD(GetAdmissionException, v1::GetAdmissionExceptionRequest,
                 v1::AdmissionException)
PARTYDEV_FORWARD(ListAdmissionExceptions, v1::ListAdmissionExceptionsRequest,
                 v1::ListAdmissionExceptionsResponse)
PARTYDEV_FORWARD(CreateEvaluation, v1::CreateEvaluationRequest, v1::Evaluation)
PARTYDEV_FORWARD(GetEvaluation, v1::GetEvaluationRequest, v1::Evaluation)
PARTYDEV_FORWARD(ListEvaluations, v1::ListEvaluationsRequest,
                 v1::ListEvaluationsResponse)
PARTYDEV_FORWARD(UpdateEvaluation, v1::UpdateEvaluationRequest, v1::Evaluation)
PARTYDEV_FORWARD(ListOverdueEvaluations, v1::ListOverdueEvaluationsRequest,
                 v1::ListOverdueEvaluationsResponse)
PARTYDEV_FORWARD(CreateTrainingClass, v1::CreateTrainingClassRequest,
                 v1::TrainingClass)
PARTYDEV_FORWARD(GetTrainingClass, v1::GetTrainingClassRequest,
                 v1::TrainingClass)
PARTYDEV_FORWARD(ListTrainingClasses, v1::ListTrainingClassesRequest,
                 v1::ListTrainingClassesResponse)
PARTYDEV_FORWARD(UpdateTrainingClass, v1::UpdateTrainingClassRequest,
                 v1::TrainingClass)
PARTYDEV_FORWARD(CancelTrainingClass, v1::CancelTrainingClassRequest,
                 v1::TrainingClass)
PARTYDEV_FORWARD(CreateEnrollment, v1::CreateEnrollmentRequest, v1::Enrollment)
PARTYDEV_FORWARD(GetEnrollment, v1::GetEnrollmentRequest, v1::Enrollment)
PARTYDEV_FORWARD(ListEnrollments, v1::ListEnrollmentsRequest,
                 v1::ListEnrollmentsResponse)
PARTYDEV_FORWARD(AssessEnrollment, v1::AssessEnrollmentRequest, v1::Enrollment)
PARTYDEV_FORWARD(IssueCertificate, v1::IssueCertificateRequest, v1::Enrollment)
PARTYDEV_FORWARD(WithdrawEnrollment, v1::WithdrawEnrollmentRequest,
                 v1::Enrollment)
#undef PARTYDEV_FORWARD

}  // namespace partydev::membership
