#include "services/membership/cell_life_service.h"

#include <utility>

#include "services/membership/cell_life_watch.h"
#include "services/membership/rpc_forwarding.h"

namespace partydev::membership {

CellLifeServiceImpl::CellLifeServiceImpl(
    std::shared_ptr<MembershipContext> context)
    : context_(std::move(context)) {}

CellLifeServiceImpl::~CellLifeServiceImpl() = default;

void CellLifeServiceImpl::OwnWatch(std::unique_ptr<CellLifeWatch> watch) {
  watch_ = std::move(watch);
}

PARTYDEV_MEMBERSHIP_FORWARD(CellLifeServiceImpl, CreateMeeting,
                            v1::CreateMeetingRequest, v1::Meeting)
PARTYDEV_MEMBERSHIP_FORWARD(CellLifeServiceImpl, GetMeeting,
                            v1::GetMeetingRequest, v1::Meeting)
PARTYDEV_MEMBERSHIP_FORWARD(CellLifeServiceImpl, ListMeetings,
                            v1::ListMeetingsRequest, v1::ListMeetingsResponse)
PARTYDEV_MEMBERSHIP_FORWARD(CellLifeServiceImpl, UpdateMeeting,
                            v1::UpdateMeetingRequest, v1::Meeting)
PARTYDEV_MEMBERSHIP_FORWARD(CellLifeServiceImpl, CancelMeeting,
                            v1::CancelMeetingRequest, v1::Meeting)
PARTYDEV_MEMBERSHIP_FORWARD(CellLifeServiceImpl, RecordMeetingHeld,
                            v1::RecordMeetingHeldRequest, v1::Meeting)
PARTYDEV_MEMBERSHIP_FORWARD(CellLifeServiceImpl, BatchCreateAttendances,
                            v1::BatchCreateAttendancesRequest,
                            v1::BatchCreateAttendancesResponse)
PARTYDEV_MEMBERSHIP_FORWARD(CellLifeServiceImpl, ListAttendances,
                            v1::ListAttendancesRequest,
                            v1::ListAttendancesResponse)
PARTYDEV_MEMBERSHIP_FORWARD(CellLifeServiceImpl, CorrectAttendance,
                            v1::CorrectAttendanceRequest, v1::Attendance)
PARTYDEV_MEMBERSHIP_FORWARD(CellLifeServiceImpl, ListMemberAttendanceRates,
                            v1::ListMemberAttendanceRatesRequest,
                            v1::ListMemberAttendanceRatesResponse)
PARTYDEV_MEMBERSHIP_FORWARD(CellLifeServiceImpl, ReportMeetingLife,
                            v1::ReportMeetingLifeRequest, v1::MeetingLifeReport)
PARTYDEV_MEMBERSHIP_FORWARD(CellLifeServiceImpl, CreateDuesPayment,
                            v1::CreateDuesPaymentRequest, v1::DuesPayment)
PARTYDEV_MEMBERSHIP_FORWARD(CellLifeServiceImpl, GetDuesPayment,
                            v1::GetDuesPaymentRequest, v1::DuesPayment)
PARTYDEV_MEMBERSHIP_FORWARD(CellLifeServiceImpl, ListDuesPayments,
                            v1::ListDuesPaymentsRequest,
                            v1::ListDuesPaymentsResponse)
PARTYDEV_MEMBERSHIP_FORWARD(CellLifeServiceImpl, UpdateDuesPayment,
                            v1::UpdateDuesPaymentRequest, v1::DuesPayment)
PARTYDEV_MEMBERSHIP_FORWARD(CellLifeServiceImpl, GetDuesStatement,
                            v1::GetDuesStatementRequest, v1::DuesStatement)
PARTYDEV_MEMBERSHIP_FORWARD(CellLifeServiceImpl, GetDuesCollection,
                            v1::GetDuesCollectionRequest, v1::DuesCollection)
PARTYDEV_MEMBERSHIP_FORWARD(CellLifeServiceImpl, ListDuesCollections,
                            v1::ListDuesCollectionsRequest,
                            v1::ListDuesCollectionsResponse)
PARTYDEV_MEMBERSHIP_FORWARD(CellLifeServiceImpl, RemitDuesCollection,
                            v1::RemitDuesCollectionRequest, v1::DuesCollection)
PARTYDEV_MEMBERSHIP_FORWARD(CellLifeServiceImpl, GetEarlyWarning,
                            v1::GetEarlyWarningRequest, v1::EarlyWarning)
PARTYDEV_MEMBERSHIP_FORWARD(CellLifeServiceImpl, ListEarlyWarnings,
                            v1::ListEarlyWarningsRequest,
                            v1::ListEarlyWarningsResponse)
PARTYDEV_MEMBERSHIP_FORWARD(CellLifeServiceImpl, RecordWarningFollowUp,
                            v1::RecordWarningFollowUpRequest, v1::EarlyWarning)
PARTYDEV_MEMBERSHIP_FORWARD(CellLifeServiceImpl, ResolveEarlyWarning,
                            v1::ResolveEarlyWarningRequest, v1::EarlyWarning)
PARTYDEV_MEMBERSHIP_FORWARD(CellLifeServiceImpl, CreateResidentialRegistration,
                            v1::CreateResidentialRegistrationRequest,
                            v1::ResidentialRegistration)
PARTYDEV_MEMBERSHIP_FORWARD(CellLifeServiceImpl, ListResidentialRegistrations,
                            v1::ListResidentialRegistrationsRequest,
                            v1::ListResidentialRegistrationsResponse)
PARTYDEV_MEMBERSHIP_FORWARD(CellLifeServiceImpl, EndResidentialRegistration,
                            v1::EndResidentialRegistrationRequest,
                            v1::ResidentialRegistration)
PARTYDEV_MEMBERSHIP_FORWARD(CellLifeServiceImpl, CreateResidentialComment,
                            v1::CreateResidentialCommentRequest,
                            v1::ResidentialComment)
PARTYDEV_MEMBERSHIP_FORWARD(CellLifeServiceImpl, ListResidentialComments,
                            v1::ListResidentialCommentsRequest,
                            v1::ListResidentialCommentsResponse)
PARTYDEV_MEMBERSHIP_FORWARD(CellLifeServiceImpl, GetMyOverview,
                            v1::GetMyOverviewRequest, v1::MemberOverview)

}  // namespace partydev::membership
