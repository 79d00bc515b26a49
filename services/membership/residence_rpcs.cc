#include "services/membership/cell_life_service.h"
#include "services/membership/cell_life_records.h"

namespace partydev::membership {

absl::Status CellLifeServiceImpl::DoCreateResidentialRegistration(const CallContext&, const v1::CreateResidentialRegistrationRequest&, v1::ResidentialRegistration&) {
  return absl::UnimplementedError("CreateResidentialRegistration is not implemented yet");
}

absl::Status CellLifeServiceImpl::DoListResidentialRegistrations(const CallContext&, const v1::ListResidentialRegistrationsRequest&, v1::ListResidentialRegistrationsResponse&) {
  return absl::UnimplementedError("ListResidentialRegistrations is not implemented yet");
}

absl::Status CellLifeServiceImpl::DoEndResidentialRegistration(const CallContext&, const v1::EndResidentialRegistrationRequest&, v1::ResidentialRegistration&) {
  return absl::UnimplementedError("EndResidentialRegistration is not implemented yet");
}

absl::Status CellLifeServiceImpl::DoCreateResidentialComment(const CallContext&, const v1::CreateResidentialCommentRequest&, v1::ResidentialComment&) {
  return absl::UnimplementedError("CreateResidentialComment is not implemented yet");
}

absl::Status CellLifeServiceImpl::DoListResidentialComments(const CallContext&, const v1::ListResidentialCommentsRequest&, v1::ListResidentialCommentsResponse&) {
  return absl::UnimplementedError("ListResidentialComments is not implemented yet");
}

}  // namespace partydev::membership

namespace partydev::membership {
absl::StatusOr<std::optional<v1::ResidentialRegistration>> ActiveRegistrationOf(MembershipContext&, const std::string&) {
  return absl::UnimplementedError("ActiveRegistrationOf");
}
}  // namespace partydev::membership
