#include "services/membership/cell_life_service.h"
#include "services/membership/cell_life_records.h"

namespace partydev::membership {

absl::Status CellLifeServiceImpl::DoCreateDuesPayment(const CallContext&, const v1::CreateDuesPaymentRequest&, v1::DuesPayment&) {
  return absl::UnimplementedError("CreateDuesPayment is not implemented yet");
}

absl::Status CellLifeServiceImpl::DoGetDuesPayment(const CallContext&, const v1::GetDuesPaymentRequest&, v1::DuesPayment&) {
  return absl::UnimplementedError("GetDuesPayment is not implemented yet");
}

absl::Status CellLifeServiceImpl::DoListDuesPayments(const CallContext&, const v1::ListDuesPaymentsRequest&, v1::ListDuesPaymentsResponse&) {
  return absl::UnimplementedError("ListDuesPayments is not implemented yet");
}

absl::Status CellLifeServiceImpl::DoUpdateDuesPayment(const CallContext&, const v1::UpdateDuesPaymentRequest&, v1::DuesPayment&) {
  return absl::UnimplementedError("UpdateDuesPayment is not implemented yet");
}

absl::Status CellLifeServiceImpl::DoGetDuesStatement(const CallContext&, const v1::GetDuesStatementRequest&, v1::DuesStatement&) {
  return absl::UnimplementedError("GetDuesStatement is not implemented yet");
}

absl::Status CellLifeServiceImpl::DoGetDuesCollection(const CallContext&, const v1::GetDuesCollectionRequest&, v1::DuesCollection&) {
  return absl::UnimplementedError("GetDuesCollection is not implemented yet");
}

absl::Status CellLifeServiceImpl::DoListDuesCollections(const CallContext&, const v1::ListDuesCollectionsRequest&, v1::ListDuesCollectionsResponse&) {
  return absl::UnimplementedError("ListDuesCollections is not implemented yet");
}

absl::Status CellLifeServiceImpl::DoRemitDuesCollection(const CallContext&, const v1::RemitDuesCollectionRequest&, v1::DuesCollection&) {
  return absl::UnimplementedError("RemitDuesCollection is not implemented yet");
}

}  // namespace partydev::membership

namespace partydev::membership {
absl::StatusOr<v1::DuesStatement> ComputeDuesStatement(MembershipContext&, const v1::Person&, int, const common::v1::Date&) {
  return absl::UnimplementedError("ComputeDuesStatement");
}
absl::StatusOr<v1::DuesCollection> ComputeDuesCollection(MembershipContext&, const std::string&, int, int, const common::v1::Date&) {
  return absl::UnimplementedError("ComputeDuesCollection");
}
}  // namespace partydev::membership
