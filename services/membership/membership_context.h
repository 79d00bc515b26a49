// File: services/membership/membership_context.h
//
// What every service of membershipd shares: the runtime, the stores and
// the configuration (rule sets by date, the working-day calendar). Built
// once by main.cc (or a test) and borrowed by each service; it owns the
// stores, the services own nothing of it.

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_MEMBERSHIP_CONTEXT_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_MEMBERSHIP_CONTEXT_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/ids.h"
#include "common/record_store.h"
#include "common/service_runtime.h"
#include "partydev/membership/v1/rules.pb.h"
#include "services/membership/domain/working_days.h"
#include "services/membership/organization_store.h"
#include "services/membership/person_store.h"

namespace partydev::membership {

// The rule set in force on a date (an act is judged by the rules of its
// date).
using RuleSetLookup =
    std::function<absl::StatusOr<const v1::RuleSet*>(const common::v1::Date&)>;

class MembershipContext {
 public:
  MembershipContext(ServiceRuntime& runtime, RuleSetLookup rules,
                    std::shared_ptr<const domain::WorkingDayCalendar> calendar)
      : runtime_(runtime),
        prefix_(HashTaggedPrefix(runtime.config().key_prefix)),
        records_(runtime.redis(), prefix_),
        people_(records_),
        organizations_(runtime.redis(), prefix_),
        rules_(std::move(rules)),
        calendar_(std::move(calendar)) {}

  MembershipContext(const MembershipContext&) = delete;
  MembershipContext& operator=(const MembershipContext&) = delete;

  ServiceRuntime& runtime() { return runtime_; }
  RedisClient& redis() { return runtime_.redis(); }
  const std::string& prefix() const { return prefix_; }
  RecordStore& records() { return records_; }
  PersonStore& people() { return people_; }
  OrganizationStore& organizations() { return organizations_; }
  const RuleSetLookup& rules() const { return rules_; }
  const domain::WorkingDayCalendar& calendar() const { return *calendar_; }

 private:
  ServiceRuntime& runtime_;
  const std::string prefix_;
  RecordStore records_;
  PersonStore people_;
  OrganizationStore organizations_;
  RuleSetLookup rules_;
  std::shared_ptr<const domain::WorkingDayCalendar> calendar_;
};

}  // namespace partydev::membership

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_MEMBERSHIP_CONTEXT_H_
