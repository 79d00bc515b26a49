#include "services/membership/cell_life_service.h"
#include "services/membership/cell_life_records.h"

namespace partydev::membership {

absl::Status CellLifeServiceImpl::DoReportMeetingLife(const CallContext&, const v1::ReportMeetingLifeRequest&, v1::MeetingLifeReport&) {
  return absl::UnimplementedError("ReportMeetingLife is not implemented yet");
}

absl::Status CellLifeServiceImpl::DoGetMyOverview(const CallContext&, const v1::GetMyOverviewRequest&, v1::MemberOverview&) {
  return absl::UnimplementedError("GetMyOverview is not implemented yet");
}

}  // namespace partydev::membership
