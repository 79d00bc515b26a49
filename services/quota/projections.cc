#include "services/quota/projections.h"

namespace partydev::quota {

// Skeleton: filled by the projections work (issue #5).
class Projections::Impl {};

Projections::Projections(RedisClient&, ProjectionsOptions,
                         const domain::QuotaRuleSetRegistry&)
    : impl_(std::make_unique<Impl>()) {}
Projections::~Projections() = default;
void Projections::Start() {}
void Projections::Stop() {}
absl::StatusOr<int> Projections::DrainAll() {
  return absl::UnimplementedError("projections");
}

}  // namespace partydev::quota
