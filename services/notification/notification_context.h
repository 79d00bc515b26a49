// File: services/notification/notification_context.h
//
// What every service of notifyd shares: the runtime, the record store of
// notifyd's own keys ("{pd:notification}:"), the rule sets, the reminder
// rules and default templates shipped with the service, and the clock
// (common/clock.h: tests drive time), and the delivery engine's queues. Built
// once by MakeNotificationServices (services.h) and borrowed by each service.

#ifndef PARTYDEV_SERVICES_NOTIFICATION_NOTIFICATION_CONTEXT_H_
#define PARTYDEV_SERVICES_NOTIFICATION_NOTIFICATION_CONTEXT_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/ids.h"
#include "common/record_store.h"
#include "common/service_runtime.h"
#include "partydev/notification/v1/reminders.pb.h"
#include "services/notification/domain/rule_sets.h"
#include "services/notification/domain/working_days.h"
#include "services/notification/organization_projection.h"
#include "services/notification/queue/job_queue.h"
#include "services/notification/queue/queue_keys.h"
#include "services/notification/templates/default_templates.h"

namespace partydev::notification {

// What notifyd loads from its configuration directory at start.
struct NotificationRules {
  std::shared_ptr<const domain::NotificationRuleSetRegistry> rule_sets;
  // The shipped reminder rules (rules/reminder_rules/*.json).
  std::vector<v1::ReminderRule> reminder_rules;
  // The shipped templates (rules/templates/index.json).
  std::shared_ptr<const templates::TemplateLibrary> templates;
  // The working-day calendar (rules/calendar_vn.json, membership's).
  std::shared_ptr<const domain::WorkingDays> working_days;
};

class NotificationContext {
 public:
  NotificationContext(ServiceRuntime& runtime, NotificationRules rules,
                      std::shared_ptr<const Clock> clock,
                      std::string consumer_name)
      : runtime_(runtime),
        prefix_(HashTaggedPrefix(runtime.config().key_prefix)),
        rules_(std::move(rules)),
        clock_(std::move(clock)),
        records_(runtime.redis(), prefix_),
        queue_(runtime.redis(), QueueKeys(prefix_), *clock_),
        organizations_(
            runtime.redis(), runtime.membership_redis(),
            {prefix_,
             HashTaggedPrefix(runtime.config().membership_key_prefix) +
                 "events",
             std::move(consumer_name)}) {}

  NotificationContext(const NotificationContext&) = delete;
  NotificationContext& operator=(const NotificationContext&) = delete;

  ServiceRuntime& runtime() { return runtime_; }
  RedisClient& redis() { return runtime_.redis(); }
  // "{pd:notification}:"
  const std::string& prefix() const { return prefix_; }
  // notifyd's own event stream.
  std::string events_key() const { return prefix_ + "events"; }
  const NotificationRules& rules() const { return rules_; }
  const domain::NotificationRuleSetRegistry& rule_sets() const {
    return *rules_.rule_sets;
  }
  const Clock& clock() const { return *clock_; }
  const domain::WorkingDays& working_days() const {
    return *rules_.working_days;
  }
  RecordStore& records() { return records_; }
  // The delivery engine's queues (queue/job_queue.h): jobs are staged into
  // the same AtomicWrite as the change that causes them.
  JobQueue& queue() { return queue_; }
  const QueueKeys& queue_keys() const { return queue_.keys(); }
  // notifyd's projection of the organisation tree (dissemination, subtree
  // checks, escalation targets).
  OrganizationProjection& organizations() { return organizations_; }

 private:
  ServiceRuntime& runtime_;
  const std::string prefix_;
  const NotificationRules rules_;
  const std::shared_ptr<const Clock> clock_;
  RecordStore records_;
  JobQueue queue_;
  OrganizationProjection organizations_;
};

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_NOTIFICATION_CONTEXT_H_
