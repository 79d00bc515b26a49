// File: services/quota/quota_context.h
//
// What every service of quotad shares: the runtime, the record store, the
// target store, the projections of membership's events and the rule sets.
// Built once by MakeQuotaServices (services.h) and borrowed by each service;
// it owns the stores and the projections' consumers.

#ifndef PARTYDEV_SERVICES_QUOTA_QUOTA_CONTEXT_H_
#define PARTYDEV_SERVICES_QUOTA_QUOTA_CONTEXT_H_

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/record_store.h"
#include "common/service_runtime.h"
#include "services/quota/domain/rule_sets.h"
#include "services/quota/projections.h"
#include "services/quota/target_store.h"

namespace partydev::quota {

class QuotaContext {
 public:
  QuotaContext(ServiceRuntime& runtime,
               std::shared_ptr<const domain::QuotaRuleSetRegistry> rules,
               std::string consumer_name)
      : runtime_(runtime),
        prefix_(HashTaggedPrefix(runtime.config().key_prefix)),
        rules_(std::move(rules)),
        records_(runtime.redis(), prefix_),
        targets_(records_),
        projections_(runtime.redis(), runtime.membership_redis(),
                     {prefix_,
                      HashTaggedPrefix(runtime.config().membership_key_prefix) +
                          "events",
                      std::move(consumer_name)},
                     *rules_) {}

  QuotaContext(const QuotaContext&) = delete;
  QuotaContext& operator=(const QuotaContext&) = delete;

  ServiceRuntime& runtime() { return runtime_; }
  RedisClient& redis() { return runtime_.redis(); }
  // "{pd:quota}:"
  const std::string& prefix() const { return prefix_; }
  // quotad's own event stream (AllocationDecided, OrganizationLagging,
  // TermDefined), read by notifyd.
  std::string events_key() const { return prefix_ + "events"; }
  const domain::QuotaRuleSetRegistry& rules() const { return *rules_; }
  RecordStore& records() { return records_; }
  TargetStore& targets() { return targets_; }
  Projections& projections() { return projections_; }

 private:
  ServiceRuntime& runtime_;
  const std::string prefix_;
  std::shared_ptr<const domain::QuotaRuleSetRegistry> rules_;
  RecordStore records_;
  TargetStore targets_;
  Projections projections_;
};

}  // namespace partydev::quota

#endif  // PARTYDEV_SERVICES_QUOTA_QUOTA_CONTEXT_H_
