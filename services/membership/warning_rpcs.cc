#include "services/membership/cell_life_service.h"
#include "services/membership/cell_life_records.h"

namespace partydev::membership {

absl::Status CellLifeServiceImpl::DoGetEarlyWarning(const CallContext&, const v1::GetEarlyWarningRequest&, v1::EarlyWarning&) {
  return absl::UnimplementedError("GetEarlyWarning is not implemented yet");
}

absl::Status CellLifeServiceImpl::DoListEarlyWarnings(const CallContext&, const v1::ListEarlyWarningsRequest&, v1::ListEarlyWarningsResponse&) {
  return absl::UnimplementedError("ListEarlyWarnings is not implemented yet");
}

absl::Status CellLifeServiceImpl::DoRecordWarningFollowUp(const CallContext&, const v1::RecordWarningFollowUpRequest&, v1::EarlyWarning&) {
  return absl::UnimplementedError("RecordWarningFollowUp is not implemented yet");
}

absl::Status CellLifeServiceImpl::DoResolveEarlyWarning(const CallContext&, const v1::ResolveEarlyWarningRequest&, v1::EarlyWarning&) {
  return absl::UnimplementedError("ResolveEarlyWarning is not implemented yet");
}

}  // namespace partydev::membership
