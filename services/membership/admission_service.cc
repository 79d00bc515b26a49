#include "services/membership/admission_service.h"

#include "services/membership/rpc_forwarding.h"

namespace partydev::membership {

AdmissionServiceImpl::AdmissionServiceImpl(
    std::shared_ptr<MembershipContext> context)
    : context_(std::move(context)) {}

PARTYDEV_MEMBERSHIP_FORWARD(AdmissionServiceImpl, AssignMentor,
                            v1::AssignMentorRequest, v1::Person)
PARTYDEV_MEMBERSHIP_FORWARD(AdmissionServiceImpl, RecordTraining,
                            v1::RecordTrainingRequest, v1::Person)
PARTYDEV_MEMBERSHIP_FORWARD(AdmissionServiceImpl, RecordApplication,
                            v1::RecordApplicationRequest, v1::Person)
PARTYDEV_MEMBERSHIP_FORWARD(AdmissionServiceImpl, RecordBackgroundVerification,
                            v1::RecordBackgroundVerificationRequest, v1::Person)
PARTYDEV_MEMBERSHIP_FORWARD(AdmissionServiceImpl, RecordIntroductions,
                            v1::RecordIntroductionsRequest, v1::Person)
PARTYDEV_MEMBERSHIP_FORWARD(AdmissionServiceImpl, RecordCellResolution,
                            v1::RecordCellResolutionRequest, v1::Person)
PARTYDEV_MEMBERSHIP_FORWARD(AdmissionServiceImpl, RecordCommitteeResolution,
                            v1::RecordCommitteeResolutionRequest, v1::Person)
PARTYDEV_MEMBERSHIP_FORWARD(AdmissionServiceImpl, RecordAdmissionDecision,
                            v1::RecordAdmissionDecisionRequest, v1::Person)
PARTYDEV_MEMBERSHIP_FORWARD(AdmissionServiceImpl, RecordCeremony,
                            v1::RecordCeremonyRequest, v1::Person)
PARTYDEV_MEMBERSHIP_FORWARD(AdmissionServiceImpl, RecordRecognitionVote,
                            v1::RecordRecognitionVoteRequest, v1::Person)
PARTYDEV_MEMBERSHIP_FORWARD(AdmissionServiceImpl, RecogniseMember,
                            v1::RecogniseMemberRequest, v1::Person)
PARTYDEV_MEMBERSHIP_FORWARD(AdmissionServiceImpl, RemoveFromProbation,
                            v1::RemoveFromProbationRequest, v1::Person)
PARTYDEV_MEMBERSHIP_FORWARD(AdmissionServiceImpl, ExtendDeadline,
                            v1::ExtendDeadlineRequest, v1::Person)
PARTYDEV_MEMBERSHIP_FORWARD(AdmissionServiceImpl, WithdrawCandidacy,
                            v1::WithdrawCandidacyRequest, v1::Person)
PARTYDEV_MEMBERSHIP_FORWARD(AdmissionServiceImpl, RejectCandidacy,
                            v1::RejectCandidacyRequest, v1::Person)
PARTYDEV_MEMBERSHIP_FORWARD(AdmissionServiceImpl, RestartCandidacy,
                            v1::RestartCandidacyRequest, v1::Person)
PARTYDEV_MEMBERSHIP_FORWARD(AdmissionServiceImpl, CreateAdmissionException,
                            v1::CreateAdmissionExceptionRequest,
                            v1::AdmissionException)
PARTYDEV_MEMBERSHIP_FORWARD(AdmissionServiceImpl, GetAdmissionException,
                            v1::GetAdmissionExceptionRequest,
                            v1::AdmissionException)
PARTYDEV_MEMBERSHIP_FORWARD(AdmissionServiceImpl, ListAdmissionExceptions,
                            v1::ListAdmissionExceptionsRequest,
                            v1::ListAdmissionExceptionsResponse)
PARTYDEV_MEMBERSHIP_FORWARD(AdmissionServiceImpl, CreateEvaluation,
                            v1::CreateEvaluationRequest, v1::Evaluation)
PARTYDEV_MEMBERSHIP_FORWARD(AdmissionServiceImpl, GetEvaluation,
                            v1::GetEvaluationRequest, v1::Evaluation)
PARTYDEV_MEMBERSHIP_FORWARD(AdmissionServiceImpl, ListEvaluations,
                            v1::ListEvaluationsRequest,
                            v1::ListEvaluationsResponse)
PARTYDEV_MEMBERSHIP_FORWARD(AdmissionServiceImpl, UpdateEvaluation,
                            v1::UpdateEvaluationRequest, v1::Evaluation)
PARTYDEV_MEMBERSHIP_FORWARD(AdmissionServiceImpl, ListOverdueEvaluations,
                            v1::ListOverdueEvaluationsRequest,
                            v1::ListOverdueEvaluationsResponse)
PARTYDEV_MEMBERSHIP_FORWARD(AdmissionServiceImpl, CreateTrainingClass,
                            v1::CreateTrainingClassRequest, v1::TrainingClass)
PARTYDEV_MEMBERSHIP_FORWARD(AdmissionServiceImpl, GetTrainingClass,
                            v1::GetTrainingClassRequest, v1::TrainingClass)
PARTYDEV_MEMBERSHIP_FORWARD(AdmissionServiceImpl, ListTrainingClasses,
                            v1::ListTrainingClassesRequest,
                            v1::ListTrainingClassesResponse)
PARTYDEV_MEMBERSHIP_FORWARD(AdmissionServiceImpl, UpdateTrainingClass,
                            v1::UpdateTrainingClassRequest, v1::TrainingClass)
PARTYDEV_MEMBERSHIP_FORWARD(AdmissionServiceImpl, CancelTrainingClass,
                            v1::CancelTrainingClassRequest, v1::TrainingClass)
PARTYDEV_MEMBERSHIP_FORWARD(AdmissionServiceImpl, CreateEnrollment,
                            v1::CreateEnrollmentRequest, v1::Enrollment)
PARTYDEV_MEMBERSHIP_FORWARD(AdmissionServiceImpl, GetEnrollment,
                            v1::GetEnrollmentRequest, v1::Enrollment)
PARTYDEV_MEMBERSHIP_FORWARD(AdmissionServiceImpl, ListEnrollments,
                            v1::ListEnrollmentsRequest,
                            v1::ListEnrollmentsResponse)
PARTYDEV_MEMBERSHIP_FORWARD(AdmissionServiceImpl, AssessEnrollment,
                            v1::AssessEnrollmentRequest, v1::Enrollment)
PARTYDEV_MEMBERSHIP_FORWARD(AdmissionServiceImpl, IssueCertificate,
                            v1::IssueCertificateRequest, v1::Enrollment)
PARTYDEV_MEMBERSHIP_FORWARD(AdmissionServiceImpl, WithdrawEnrollment,
                            v1::WithdrawEnrollmentRequest, v1::Enrollment)

}  // namespace partydev::membership
