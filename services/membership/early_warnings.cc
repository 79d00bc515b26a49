#include "services/membership/cell_life_records.h"

namespace partydev::membership {
absl::Status StageEarlyWarnings(MembershipContext&, PersonChangeRecorder&, Change&, const v1::Person&, const CountedMonths&, const common::v1::Date&) {
  return absl::UnimplementedError("StageEarlyWarnings");
}
absl::StatusOr<std::vector<Stored<v1::EarlyWarning>>> ReadWarningsOf(MembershipContext&, const std::string&, int) {
  return absl::UnimplementedError("ReadWarningsOf");
}
}  // namespace partydev::membership
