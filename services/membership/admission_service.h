// File: services/membership/admission_service.h
//
// partydev.membership.v1.AdmissionService: a thin translation of each RPC
// to its Do<Rpc> method.
//
// admission_steps.cc: the pipeline steps (AssignMentor .. RestartCandidacy)
// and admission exceptions, each checked by the pure rules of domain/ with
// the facts the service looks up (domain/step_facts.h).
// admission_records.cc: evaluations, training classes and enrollments.

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_ADMISSION_SERVICE_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_ADMISSION_SERVICE_H_

#include <memory>

#include "absl/status/status.h"
#include "common/service_runtime.h"
#include "partydev/membership/v1/admission.grpc.pb.h"
#include "services/membership/membership_context.h"

namespace partydev::membership {

class AdmissionServiceImpl final
    : public v1::AdmissionService::CallbackService {
 public:
  explicit AdmissionServiceImpl(std::shared_ptr<MembershipContext> context);

  grpc::ServerUnaryReactor* AssignMentor(grpc::CallbackServerContext* context,
                                         const v1::AssignMentorRequest* request,
                                         v1::Person* response) override;
  grpc::ServerUnaryReactor* RecordTraining(
      grpc::CallbackServerContext* context,
      const v1::RecordTrainingRequest* request, v1::Person* response) override;
  grpc::ServerUnaryReactor* RecordApplication(
      grpc::CallbackServerContext* context,
      const v1::RecordApplicationRequest* request,
      v1::Person* response) override;
  grpc::ServerUnaryReactor* RecordBackgroundVerification(
      grpc::CallbackServerContext* context,
      const v1::RecordBackgroundVerificationRequest* request,
      v1::Person* response) override;
  grpc::ServerUnaryReactor* RecordIntroductions(
      grpc::CallbackServerContext* context,
      const v1::RecordIntroductionsRequest* request,
      v1::Person* response) override;
  grpc::ServerUnaryReactor* RecordCellResolution(
      grpc::CallbackServerContext* context,
      const v1::RecordCellResolutionRequest* request,
      v1::Person* response) override;
  grpc::ServerUnaryReactor* RecordCommitteeResolution(
      grpc::CallbackServerContext* context,
      const v1::RecordCommitteeResolutionRequest* request,
      v1::Person* response) override;
  grpc::ServerUnaryReactor* RecordAdmissionDecision(
      grpc::CallbackServerContext* context,
      const v1::RecordAdmissionDecisionRequest* request,
      v1::Person* response) override;
  grpc::ServerUnaryReactor* RecordCeremony(
      grpc::CallbackServerContext* context,
      const v1::RecordCeremonyRequest* request, v1::Person* response) override;
  grpc::ServerUnaryReactor* RecordRecognitionVote(
      grpc::CallbackServerContext* context,
      const v1::RecordRecognitionVoteRequest* request,
      v1::Person* response) override;
  grpc::ServerUnaryReactor* RecogniseMember(
      grpc::CallbackServerContext* context,
      const v1::RecogniseMemberRequest* request, v1::Person* response) override;
  grpc::ServerUnaryReactor* RemoveFromProbation(
      grpc::CallbackServerContext* context,
      const v1::RemoveFromProbationRequest* request,
      v1::Person* response) override;
  grpc::ServerUnaryReactor* ExtendDeadline(
      grpc::CallbackServerContext* context,
      const v1::ExtendDeadlineRequest* request, v1::Person* response) override;
  grpc::ServerUnaryReactor* WithdrawCandidacy(
      grpc::CallbackServerContext* context,
      const v1::WithdrawCandidacyRequest* request,
      v1::Person* response) override;
  grpc::ServerUnaryReactor* RejectCandidacy(
      grpc::CallbackServerContext* context,
      const v1::RejectCandidacyRequest* request, v1::Person* response) override;
  grpc::ServerUnaryReactor* RestartCandidacy(
      grpc::CallbackServerContext* context,
      const v1::RestartCandidacyRequest* request,
      v1::Person* response) override;
  grpc::ServerUnaryReactor* CreateAdmissionException(
      grpc::CallbackServerContext* context,
      const v1::CreateAdmissionExceptionRequest* request,
      v1::AdmissionException* response) override;
  grpc::ServerUnaryReactor* GetAdmissionException(
      grpc::CallbackServerContext* context,
      const v1::GetAdmissionExceptionRequest* request,
      v1::AdmissionException* response) override;
  grpc::ServerUnaryReactor* ListAdmissionExceptions(
      grpc::CallbackServerContext* context,
      const v1::ListAdmissionExceptionsRequest* request,
      v1::ListAdmissionExceptionsResponse* response) override;
  grpc::ServerUnaryReactor* CreateEvaluation(
      grpc::CallbackServerContext* context,
      const v1::CreateEvaluationRequest* request,
      v1::Evaluation* response) override;
  grpc::ServerUnaryReactor* GetEvaluation(
      grpc::CallbackServerContext* context,
      const v1::GetEvaluationRequest* request,
      v1::Evaluation* response) override;
  grpc::ServerUnaryReactor* ListEvaluations(
      grpc::CallbackServerContext* context,
      const v1::ListEvaluationsRequest* request,
      v1::ListEvaluationsResponse* response) override;
  grpc::ServerUnaryReactor* UpdateEvaluation(
      grpc::CallbackServerContext* context,
      const v1::UpdateEvaluationRequest* request,
      v1::Evaluation* response) override;
  grpc::ServerUnaryReactor* ListOverdueEvaluations(
      grpc::CallbackServerContext* context,
      const v1::ListOverdueEvaluationsRequest* request,
      v1::ListOverdueEvaluationsResponse* response) override;
  grpc::ServerUnaryReactor* CreateTrainingClass(
      grpc::CallbackServerContext* context,
      const v1::CreateTrainingClassRequest* request,
      v1::TrainingClass* response) override;
  grpc::ServerUnaryReactor* GetTrainingClass(
      grpc::CallbackServerContext* context,
      const v1::GetTrainingClassRequest* request,
      v1::TrainingClass* response) override;
  grpc::ServerUnaryReactor* ListTrainingClasses(
      grpc::CallbackServerContext* context,
      const v1::ListTrainingClassesRequest* request,
      v1::ListTrainingClassesResponse* response) override;
  grpc::ServerUnaryReactor* UpdateTrainingClass(
      grpc::CallbackServerContext* context,
      const v1::UpdateTrainingClassRequest* request,
      v1::TrainingClass* response) override;
  grpc::ServerUnaryReactor* CancelTrainingClass(
      grpc::CallbackServerContext* context,
      const v1::CancelTrainingClassRequest* request,
      v1::TrainingClass* response) override;
  grpc::ServerUnaryReactor* CreateEnrollment(
      grpc::CallbackServerContext* context,
      const v1::CreateEnrollmentRequest* request,
      v1::Enrollment* response) override;
  grpc::ServerUnaryReactor* GetEnrollment(
      grpc::CallbackServerContext* context,
      const v1::GetEnrollmentRequest* request,
      v1::Enrollment* response) override;
  grpc::ServerUnaryReactor* ListEnrollments(
      grpc::CallbackServerContext* context,
      const v1::ListEnrollmentsRequest* request,
      v1::ListEnrollmentsResponse* response) override;
  grpc::ServerUnaryReactor* AssessEnrollment(
      grpc::CallbackServerContext* context,
      const v1::AssessEnrollmentRequest* request,
      v1::Enrollment* response) override;
  grpc::ServerUnaryReactor* IssueCertificate(
      grpc::CallbackServerContext* context,
      const v1::IssueCertificateRequest* request,
      v1::Enrollment* response) override;
  grpc::ServerUnaryReactor* WithdrawEnrollment(
      grpc::CallbackServerContext* context,
      const v1::WithdrawEnrollmentRequest* request,
      v1::Enrollment* response) override;

 private:
  // The work of each RPC, run on the worker pool by runtime().Unary.
  absl::Status DoAssignMentor(const CallContext& call,
                              const v1::AssignMentorRequest& request,
                              v1::Person& response);
  absl::Status DoRecordTraining(const CallContext& call,
                                const v1::RecordTrainingRequest& request,
                                v1::Person& response);
  absl::Status DoRecordApplication(const CallContext& call,
                                   const v1::RecordApplicationRequest& request,
                                   v1::Person& response);
  absl::Status DoRecordBackgroundVerification(
      const CallContext& call,
      const v1::RecordBackgroundVerificationRequest& request,
      v1::Person& response);
  absl::Status DoRecordIntroductions(
      const CallContext& call, const v1::RecordIntroductionsRequest& request,
      v1::Person& response);
  absl::Status DoRecordCellResolution(
      const CallContext& call, const v1::RecordCellResolutionRequest& request,
      v1::Person& response);
  absl::Status DoRecordCommitteeResolution(
      const CallContext& call,
      const v1::RecordCommitteeResolutionRequest& request,
      v1::Person& response);
  absl::Status DoRecordAdmissionDecision(
      const CallContext& call,
      const v1::RecordAdmissionDecisionRequest& request, v1::Person& response);
  absl::Status DoRecordCeremony(const CallContext& call,
                                const v1::RecordCeremonyRequest& request,
                                v1::Person& response);
  absl::Status DoRecordRecognitionVote(
      const CallContext& call, const v1::RecordRecognitionVoteRequest& request,
      v1::Person& response);
  absl::Status DoRecogniseMember(const CallContext& call,
                                 const v1::RecogniseMemberRequest& request,
                                 v1::Person& response);
  absl::Status DoRemoveFromProbation(
      const CallContext& call, const v1::RemoveFromProbationRequest& request,
      v1::Person& response);
  absl::Status DoExtendDeadline(const CallContext& call,
                                const v1::ExtendDeadlineRequest& request,
                                v1::Person& response);
  absl::Status DoWithdrawCandidacy(const CallContext& call,
                                   const v1::WithdrawCandidacyRequest& request,
                                   v1::Person& response);
  absl::Status DoRejectCandidacy(const CallContext& call,
                                 const v1::RejectCandidacyRequest& request,
                                 v1::Person& response);
  absl::Status DoRestartCandidacy(const CallContext& call,
                                  const v1::RestartCandidacyRequest& request,
                                  v1::Person& response);
  absl::Status DoCreateAdmissionException(
      const CallContext& call,
      const v1::CreateAdmissionExceptionRequest& request,
      v1::AdmissionException& response);
  absl::Status DoGetAdmissionException(
      const CallContext& call, const v1::GetAdmissionExceptionRequest& request,
      v1::AdmissionException& response);
  absl::Status DoListAdmissionExceptions(
      const CallContext& call,
      const v1::ListAdmissionExceptionsRequest& request,
      v1::ListAdmissionExceptionsResponse& response);
  absl::Status DoCreateEvaluation(const CallContext& call,
                                  const v1::CreateEvaluationRequest& request,
                                  v1::Evaluation& response);
  absl::Status DoGetEvaluation(const CallContext& call,
                               const v1::GetEvaluationRequest& request,
                               v1::Evaluation& response);
  absl::Status DoListEvaluations(const CallContext& call,
                                 const v1::ListEvaluationsRequest& request,
                                 v1::ListEvaluationsResponse& response);
  absl::Status DoUpdateEvaluation(const CallContext& call,
                                  const v1::UpdateEvaluationRequest& request,
                                  v1::Evaluation& response);
  absl::Status DoListOverdueEvaluations(
      const CallContext& call, const v1::ListOverdueEvaluationsRequest& request,
      v1::ListOverdueEvaluationsResponse& response);
  absl::Status DoCreateTrainingClass(
      const CallContext& call, const v1::CreateTrainingClassRequest& request,
      v1::TrainingClass& response);
  absl::Status DoGetTrainingClass(const CallContext& call,
                                  const v1::GetTrainingClassRequest& request,
                                  v1::TrainingClass& response);
  absl::Status DoListTrainingClasses(
      const CallContext& call, const v1::ListTrainingClassesRequest& request,
      v1::ListTrainingClassesResponse& response);
  absl::Status DoUpdateTrainingClass(
      const CallContext& call, const v1::UpdateTrainingClassRequest& request,
      v1::TrainingClass& response);
  absl::Status DoCancelTrainingClass(
      const CallContext& call, const v1::CancelTrainingClassRequest& request,
      v1::TrainingClass& response);
  absl::Status DoCreateEnrollment(const CallContext& call,
                                  const v1::CreateEnrollmentRequest& request,
                                  v1::Enrollment& response);
  absl::Status DoGetEnrollment(const CallContext& call,
                               const v1::GetEnrollmentRequest& request,
                               v1::Enrollment& response);
  absl::Status DoListEnrollments(const CallContext& call,
                                 const v1::ListEnrollmentsRequest& request,
                                 v1::ListEnrollmentsResponse& response);
  absl::Status DoAssessEnrollment(const CallContext& call,
                                  const v1::AssessEnrollmentRequest& request,
                                  v1::Enrollment& response);
  absl::Status DoIssueCertificate(const CallContext& call,
                                  const v1::IssueCertificateRequest& request,
                                  v1::Enrollment& response);
  absl::Status DoWithdrawEnrollment(
      const CallContext& call, const v1::WithdrawEnrollmentRequest& request,
      v1::Enrollment& response);

  std::shared_ptr<MembershipContext> context_;
};

}  // namespace partydev::membership

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_ADMISSION_SERVICE_H_
