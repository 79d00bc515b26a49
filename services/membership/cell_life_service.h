// File: services/membership/cell_life_service.h
//
// partydev.membership.v1.CellLifeService: the life of a cell (directive
// 06-CT/TU): meetings and attendance, dues, early warnings that a member is
// drifting away, registration with the residential cell (Quy định
// 213-QĐ/TW), the committees' report on meeting life, and a member's own
// view. A thin translation of each RPC to its Do<Rpc> method; the methods
// live in one file per concept (named below), and what they share in
// cell_life_records.h.

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_CELL_LIFE_SERVICE_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_CELL_LIFE_SERVICE_H_

#include <memory>

#include "absl/status/status.h"
#include "common/service_runtime.h"
#include "partydev/membership/v1/cell_life.grpc.pb.h"
#include "services/membership/membership_context.h"

namespace partydev::membership {

class CellLifeWatch;

class CellLifeServiceImpl final : public v1::CellLifeService::CallbackService {
 public:
  explicit CellLifeServiceImpl(std::shared_ptr<MembershipContext> context);
  ~CellLifeServiceImpl() override;

  // Keeps the daily watch (cell_life_watch.h) alive as long as the service.
  void OwnWatch(std::unique_ptr<CellLifeWatch> watch);

  grpc::ServerUnaryReactor* CreateMeeting(
      grpc::CallbackServerContext* context,
      const v1::CreateMeetingRequest* request, v1::Meeting* response) override;
  grpc::ServerUnaryReactor* GetMeeting(grpc::CallbackServerContext* context,
                                       const v1::GetMeetingRequest* request,
                                       v1::Meeting* response) override;
  grpc::ServerUnaryReactor* ListMeetings(
      grpc::CallbackServerContext* context,
      const v1::ListMeetingsRequest* request,
      v1::ListMeetingsResponse* response) override;
  grpc::ServerUnaryReactor* UpdateMeeting(
      grpc::CallbackServerContext* context,
      const v1::UpdateMeetingRequest* request, v1::Meeting* response) override;
  grpc::ServerUnaryReactor* CancelMeeting(
      grpc::CallbackServerContext* context,
      const v1::CancelMeetingRequest* request, v1::Meeting* response) override;
  grpc::ServerUnaryReactor* RecordMeetingHeld(
      grpc::CallbackServerContext* context,
      const v1::RecordMeetingHeldRequest* request,
      v1::Meeting* response) override;
  grpc::ServerUnaryReactor* BatchCreateAttendances(
      grpc::CallbackServerContext* context,
      const v1::BatchCreateAttendancesRequest* request,
      v1::BatchCreateAttendancesResponse* response) override;
  grpc::ServerUnaryReactor* ListAttendances(
      grpc::CallbackServerContext* context,
      const v1::ListAttendancesRequest* request,
      v1::ListAttendancesResponse* response) override;
  grpc::ServerUnaryReactor* CorrectAttendance(
      grpc::CallbackServerContext* context,
      const v1::CorrectAttendanceRequest* request,
      v1::Attendance* response) override;
  grpc::ServerUnaryReactor* ListMemberAttendanceRates(
      grpc::CallbackServerContext* context,
      const v1::ListMemberAttendanceRatesRequest* request,
      v1::ListMemberAttendanceRatesResponse* response) override;
  grpc::ServerUnaryReactor* ReportMeetingLife(
      grpc::CallbackServerContext* context,
      const v1::ReportMeetingLifeRequest* request,
      v1::MeetingLifeReport* response) override;
  grpc::ServerUnaryReactor* CreateDuesPayment(
      grpc::CallbackServerContext* context,
      const v1::CreateDuesPaymentRequest* request,
      v1::DuesPayment* response) override;
  grpc::ServerUnaryReactor* GetDuesPayment(
      grpc::CallbackServerContext* context,
      const v1::GetDuesPaymentRequest* request,
      v1::DuesPayment* response) override;
  grpc::ServerUnaryReactor* ListDuesPayments(
      grpc::CallbackServerContext* context,
      const v1::ListDuesPaymentsRequest* request,
      v1::ListDuesPaymentsResponse* response) override;
  grpc::ServerUnaryReactor* UpdateDuesPayment(
      grpc::CallbackServerContext* context,
      const v1::UpdateDuesPaymentRequest* request,
      v1::DuesPayment* response) override;
  grpc::ServerUnaryReactor* GetDuesStatement(
      grpc::CallbackServerContext* context,
      const v1::GetDuesStatementRequest* request,
      v1::DuesStatement* response) override;
  grpc::ServerUnaryReactor* GetDuesCollection(
      grpc::CallbackServerContext* context,
      const v1::GetDuesCollectionRequest* request,
      v1::DuesCollection* response) override;
  grpc::ServerUnaryReactor* ListDuesCollections(
      grpc::CallbackServerContext* context,
      const v1::ListDuesCollectionsRequest* request,
      v1::ListDuesCollectionsResponse* response) override;
  grpc::ServerUnaryReactor* RemitDuesCollection(
      grpc::CallbackServerContext* context,
      const v1::RemitDuesCollectionRequest* request,
      v1::DuesCollection* response) override;
  grpc::ServerUnaryReactor* GetEarlyWarning(
      grpc::CallbackServerContext* context,
      const v1::GetEarlyWarningRequest* request,
      v1::EarlyWarning* response) override;
  grpc::ServerUnaryReactor* ListEarlyWarnings(
      grpc::CallbackServerContext* context,
      const v1::ListEarlyWarningsRequest* request,
      v1::ListEarlyWarningsResponse* response) override;
  grpc::ServerUnaryReactor* RecordWarningFollowUp(
      grpc::CallbackServerContext* context,
      const v1::RecordWarningFollowUpRequest* request,
      v1::EarlyWarning* response) override;
  grpc::ServerUnaryReactor* ResolveEarlyWarning(
      grpc::CallbackServerContext* context,
      const v1::ResolveEarlyWarningRequest* request,
      v1::EarlyWarning* response) override;
  grpc::ServerUnaryReactor* CreateResidentialRegistration(
      grpc::CallbackServerContext* context,
      const v1::CreateResidentialRegistrationRequest* request,
      v1::ResidentialRegistration* response) override;
  grpc::ServerUnaryReactor* ListResidentialRegistrations(
      grpc::CallbackServerContext* context,
      const v1::ListResidentialRegistrationsRequest* request,
      v1::ListResidentialRegistrationsResponse* response) override;
  grpc::ServerUnaryReactor* EndResidentialRegistration(
      grpc::CallbackServerContext* context,
      const v1::EndResidentialRegistrationRequest* request,
      v1::ResidentialRegistration* response) override;
  grpc::ServerUnaryReactor* CreateResidentialComment(
      grpc::CallbackServerContext* context,
      const v1::CreateResidentialCommentRequest* request,
      v1::ResidentialComment* response) override;
  grpc::ServerUnaryReactor* ListResidentialComments(
      grpc::CallbackServerContext* context,
      const v1::ListResidentialCommentsRequest* request,
      v1::ListResidentialCommentsResponse* response) override;
  grpc::ServerUnaryReactor* GetMyOverview(
      grpc::CallbackServerContext* context,
      const v1::GetMyOverviewRequest* request,
      v1::MemberOverview* response) override;

  // The RPCs' bodies the CSV imports and exports of AdministrationService
  // go through (csv_imports.h, csv_exports.h), so that a row meets exactly
  // the rules and access checks of the RPC: dues_rpcs.cc,
  // attendance_rpcs.cc, warning_rpcs.cc.
  absl::Status DoCreateDuesPayment(const CallContext& call,
                                   const v1::CreateDuesPaymentRequest& request,
                                   v1::DuesPayment& response);
  absl::Status DoListDuesPayments(const CallContext& call,
                                  const v1::ListDuesPaymentsRequest& request,
                                  v1::ListDuesPaymentsResponse& response);
  absl::Status DoListDuesCollections(
      const CallContext& call, const v1::ListDuesCollectionsRequest& request,
      v1::ListDuesCollectionsResponse& response);
  absl::Status DoListMemberAttendanceRates(
      const CallContext& call,
      const v1::ListMemberAttendanceRatesRequest& request,
      v1::ListMemberAttendanceRatesResponse& response);
  absl::Status DoListEarlyWarnings(const CallContext& call,
                                   const v1::ListEarlyWarningsRequest& request,
                                   v1::ListEarlyWarningsResponse& response);

 private:
  // Meetings (meeting_rpcs.cc).
  absl::Status DoCreateMeeting(const CallContext& call,
                               const v1::CreateMeetingRequest& request,
                               v1::Meeting& response);
  absl::Status DoGetMeeting(const CallContext& call,
                            const v1::GetMeetingRequest& request,
                            v1::Meeting& response);
  absl::Status DoListMeetings(const CallContext& call,
                              const v1::ListMeetingsRequest& request,
                              v1::ListMeetingsResponse& response);
  absl::Status DoUpdateMeeting(const CallContext& call,
                               const v1::UpdateMeetingRequest& request,
                               v1::Meeting& response);
  absl::Status DoCancelMeeting(const CallContext& call,
                               const v1::CancelMeetingRequest& request,
                               v1::Meeting& response);
  absl::Status DoRecordMeetingHeld(const CallContext& call,
                                   const v1::RecordMeetingHeldRequest& request,
                                   v1::Meeting& response);
  // Attendance (attendance_rpcs.cc).
  absl::Status DoBatchCreateAttendances(
      const CallContext& call, const v1::BatchCreateAttendancesRequest& request,
      v1::BatchCreateAttendancesResponse& response);
  absl::Status DoListAttendances(const CallContext& call,
                                 const v1::ListAttendancesRequest& request,
                                 v1::ListAttendancesResponse& response);
  absl::Status DoCorrectAttendance(const CallContext& call,
                                   const v1::CorrectAttendanceRequest& request,
                                   v1::Attendance& response);
  // Reports and the member's own view (cell_life_reports.cc).
  absl::Status DoReportMeetingLife(const CallContext& call,
                                   const v1::ReportMeetingLifeRequest& request,
                                   v1::MeetingLifeReport& response);
  absl::Status DoGetMyOverview(const CallContext& call,
                               const v1::GetMyOverviewRequest& request,
                               v1::MemberOverview& response);
  // Dues (dues_rpcs.cc).
  absl::Status DoGetDuesPayment(const CallContext& call,
                                const v1::GetDuesPaymentRequest& request,
                                v1::DuesPayment& response);
  absl::Status DoUpdateDuesPayment(const CallContext& call,
                                   const v1::UpdateDuesPaymentRequest& request,
                                   v1::DuesPayment& response);
  absl::Status DoGetDuesStatement(const CallContext& call,
                                  const v1::GetDuesStatementRequest& request,
                                  v1::DuesStatement& response);
  absl::Status DoGetDuesCollection(const CallContext& call,
                                   const v1::GetDuesCollectionRequest& request,
                                   v1::DuesCollection& response);
  absl::Status DoRemitDuesCollection(
      const CallContext& call, const v1::RemitDuesCollectionRequest& request,
      v1::DuesCollection& response);
  // Early warnings (warning_rpcs.cc).
  absl::Status DoGetEarlyWarning(const CallContext& call,
                                 const v1::GetEarlyWarningRequest& request,
                                 v1::EarlyWarning& response);
  absl::Status DoRecordWarningFollowUp(
      const CallContext& call, const v1::RecordWarningFollowUpRequest& request,
      v1::EarlyWarning& response);
  absl::Status DoResolveEarlyWarning(
      const CallContext& call, const v1::ResolveEarlyWarningRequest& request,
      v1::EarlyWarning& response);
  // Where members live (residence_rpcs.cc).
  absl::Status DoCreateResidentialRegistration(
      const CallContext& call,
      const v1::CreateResidentialRegistrationRequest& request,
      v1::ResidentialRegistration& response);
  absl::Status DoListResidentialRegistrations(
      const CallContext& call,
      const v1::ListResidentialRegistrationsRequest& request,
      v1::ListResidentialRegistrationsResponse& response);
  absl::Status DoEndResidentialRegistration(
      const CallContext& call,
      const v1::EndResidentialRegistrationRequest& request,
      v1::ResidentialRegistration& response);
  absl::Status DoCreateResidentialComment(
      const CallContext& call,
      const v1::CreateResidentialCommentRequest& request,
      v1::ResidentialComment& response);
  absl::Status DoListResidentialComments(
      const CallContext& call,
      const v1::ListResidentialCommentsRequest& request,
      v1::ListResidentialCommentsResponse& response);

  std::shared_ptr<MembershipContext> context_;
  std::unique_ptr<CellLifeWatch> watch_;
};

}  // namespace partydev::membership

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_CELL_LIFE_SERVICE_H_
