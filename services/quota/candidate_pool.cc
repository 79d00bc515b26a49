#include "services/quota/candidate_pool.h"

namespace partydev::quota {

// Skeleton: filled by the pipeline work (issue #5).
CandidatePool::CandidatePool(RedisClient& redis, std::string key_prefix)
    : redis_(redis),
      key_prefix_(std::move(key_prefix)),
      records_(redis, key_prefix_) {}

absl::StatusOr<bool> CandidatePool::StageApply(const events::v1::Event&,
                                               AtomicWrite&) {
  return false;
}

}  // namespace partydev::quota
