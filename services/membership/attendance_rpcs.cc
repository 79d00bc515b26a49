#include "services/membership/cell_life_service.h"
#include "services/membership/cell_life_records.h"

namespace partydev::membership {

absl::Status CellLifeServiceImpl::DoBatchCreateAttendances(const CallContext&, const v1::BatchCreateAttendancesRequest&, v1::BatchCreateAttendancesResponse&) {
  return absl::UnimplementedError("BatchCreateAttendances is not implemented yet");
}

absl::Status CellLifeServiceImpl::DoListAttendances(const CallContext&, const v1::ListAttendancesRequest&, v1::ListAttendancesResponse&) {
  return absl::UnimplementedError("ListAttendances is not implemented yet");
}

absl::Status CellLifeServiceImpl::DoCorrectAttendance(const CallContext&, const v1::CorrectAttendanceRequest&, v1::Attendance&) {
  return absl::UnimplementedError("CorrectAttendance is not implemented yet");
}

absl::Status CellLifeServiceImpl::DoListMemberAttendanceRates(const CallContext&, const v1::ListMemberAttendanceRatesRequest&, v1::ListMemberAttendanceRatesResponse&) {
  return absl::UnimplementedError("ListMemberAttendanceRates is not implemented yet");
}

}  // namespace partydev::membership

namespace partydev::membership {
absl::StatusOr<std::vector<PersonAttendance>> ReadAttendancesOf(MembershipContext&, const std::string&, int) {
  return absl::UnimplementedError("ReadAttendancesOf");
}
absl::StatusOr<v1::MemberAttendanceRate> AttendanceRateOf(MembershipContext&, const v1::Person&, const v1::ReportPeriod&) {
  return absl::UnimplementedError("AttendanceRateOf");
}
}  // namespace partydev::membership
