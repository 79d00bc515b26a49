// File: services/membership/membership_context.h
//
// What every service of membershipd shares: the runtime, the stores and
// the configuration (rule sets by date, the working-day calendar). Built
// once by main.cc (or a test) and borrowed by each service; it owns the
// stores, the services own nothing of it.

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_MEMBERSHIP_CONTEXT_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_MEMBERSHIP_CONTEXT_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
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
        shipped_calendar_(std::move(calendar)),
        calendars_{shipped_calendar_},
        current_calendar_(shipped_calendar_.get()) {}

  MembershipContext(const MembershipContext&) = delete;
  MembershipContext& operator=(const MembershipContext&) = delete;

  ServiceRuntime& runtime() { return runtime_; }
  RedisClient& redis() { return runtime_.redis(); }
  const std::string& prefix() const { return prefix_; }
  RecordStore& records() { return records_; }
  PersonStore& people() { return people_; }
  OrganizationStore& organizations() { return organizations_; }
  const RuleSetLookup& rules() const { return rules_; }
  // The working-day calendar in force: the shipped file's years, with the
  // years an admin has updated (UpdateWorkingDayCalendar) replacing them.
  const domain::WorkingDayCalendar& calendar() const {
    return *current_calendar_.load();
  }
  // The fingerprint of the calendar in force ("" for the shipped one).
  std::string calendar_fingerprint() {
    absl::MutexLock lock(&calendar_mutex_);
    return calendar_fingerprint_;
  }
  // The shipped calendar, before updates.
  const domain::WorkingDayCalendar& shipped_calendar() const {
    return *shipped_calendar_;
  }
  // Puts `calendar` in force. The calendars it replaces stay alive (they
  // are few: one per update), so a request that started with one finishes
  // with it.
  // `fingerprint` names the stored years it was built from.
  void ReplaceCalendar(domain::WorkingDayCalendar calendar,
                       std::string fingerprint) {
    absl::MutexLock lock(&calendar_mutex_);
    calendar_fingerprint_ = std::move(fingerprint);
    calendars_.push_back(std::make_shared<const domain::WorkingDayCalendar>(
        std::move(calendar)));
    current_calendar_.store(calendars_.back().get());
  }

 private:
  ServiceRuntime& runtime_;
  const std::string prefix_;
  RecordStore records_;
  PersonStore people_;
  OrganizationStore organizations_;
  RuleSetLookup rules_;
  const std::shared_ptr<const domain::WorkingDayCalendar> shipped_calendar_;
  absl::Mutex calendar_mutex_;
  std::vector<std::shared_ptr<const domain::WorkingDayCalendar>> calendars_
      ABSL_GUARDED_BY(calendar_mutex_);
  std::string calendar_fingerprint_ ABSL_GUARDED_BY(calendar_mutex_);
  std::atomic<const domain::WorkingDayCalendar*> current_calendar_;
};

}  // namespace partydev::membership

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_MEMBERSHIP_CONTEXT_H_
