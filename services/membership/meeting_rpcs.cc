#include "services/membership/cell_life_service.h"
#include "services/membership/cell_life_records.h"

namespace partydev::membership {

absl::Status CellLifeServiceImpl::DoCreateMeeting(const CallContext&, const v1::CreateMeetingRequest&, v1::Meeting&) {
  return absl::UnimplementedError("CreateMeeting is not implemented yet");
}

absl::Status CellLifeServiceImpl::DoGetMeeting(const CallContext&, const v1::GetMeetingRequest&, v1::Meeting&) {
  return absl::UnimplementedError("GetMeeting is not implemented yet");
}

absl::Status CellLifeServiceImpl::DoListMeetings(const CallContext&, const v1::ListMeetingsRequest&, v1::ListMeetingsResponse&) {
  return absl::UnimplementedError("ListMeetings is not implemented yet");
}

absl::Status CellLifeServiceImpl::DoUpdateMeeting(const CallContext&, const v1::UpdateMeetingRequest&, v1::Meeting&) {
  return absl::UnimplementedError("UpdateMeeting is not implemented yet");
}

absl::Status CellLifeServiceImpl::DoCancelMeeting(const CallContext&, const v1::CancelMeetingRequest&, v1::Meeting&) {
  return absl::UnimplementedError("CancelMeeting is not implemented yet");
}

absl::Status CellLifeServiceImpl::DoRecordMeetingHeld(const CallContext&, const v1::RecordMeetingHeldRequest&, v1::Meeting&) {
  return absl::UnimplementedError("RecordMeetingHeld is not implemented yet");
}

}  // namespace partydev::membership

namespace partydev::membership {
absl::StatusOr<std::vector<Stored<v1::Meeting>>> ReadMeetingsOf(MembershipContext&, const std::string&) {
  return absl::UnimplementedError("ReadMeetingsOf");
}
absl::StatusOr<int> FlagMeetingsNotHeld(MembershipContext&, const std::string&, const common::v1::Date&) {
  return absl::UnimplementedError("FlagMeetingsNotHeld");
}
}  // namespace partydev::membership
