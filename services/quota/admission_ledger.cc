#include "services/quota/admission_ledger.h"

namespace partydev::quota {

// Skeleton: filled by the admissions work (issue #5).
AdmissionLedger::AdmissionLedger(RedisClient& redis, std::string key_prefix,
                                 const domain::QuotaRuleSetRegistry& rules)
    : redis_(redis),
      key_prefix_(std::move(key_prefix)),
      records_(redis, key_prefix_),
      rules_(rules) {}

absl::StatusOr<bool> AdmissionLedger::StageApply(const std::string&,
                                                 const events::v1::Event&,
                                                 AtomicWrite&) {
  return false;
}

}  // namespace partydev::quota
