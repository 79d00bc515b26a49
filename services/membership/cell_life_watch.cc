#include "services/membership/cell_life_watch.h"

#include <utility>

namespace partydev::membership {

CellLifeWatch::CellLifeWatch(std::shared_ptr<MembershipContext> context)
    : context_(std::move(context)) {}

CellLifeWatch::~CellLifeWatch() {
  stop_.Notify();
  if (thread_ != nullptr) thread_->join();
}

absl::StatusOr<int> CellLifeWatch::SweepOnce(const common::v1::Date&) {
  return absl::UnimplementedError("CellLifeWatch is not implemented yet");
}

void CellLifeWatch::Start(absl::Duration) {}

}  // namespace partydev::membership
