// File: services/notification/services.h
//
// The wiring of notifyd: its configuration (rule sets, reminder rules and
// default templates from the configuration directory) and its services over
// one shared NotificationContext. main.cc and the tests build the server
// through the same functions, so what is tested is what runs.
//
//   absl::StatusOr<NotificationConfig> config =
//       LoadNotificationConfig(runtime.config().config_dir);
//   absl::StatusOr<NotificationServices> notification =
//       MakeNotificationServices(runtime, *config);
//   return std::move(notification->registrations);

#ifndef PARTYDEV_SERVICES_NOTIFICATION_SERVICES_H_
#define PARTYDEV_SERVICES_NOTIFICATION_SERVICES_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "common/service_main.h"
#include "common/service_runtime.h"
#include "services/notification/notification_context.h"

namespace partydev::notification {

struct NotificationConfig {
  NotificationRules rules;
  // The clock of every decision by time; null: the system clock. Tests pass
  // a ManualClock.
  std::shared_ptr<const Clock> clock;
  // Whether notifyd runs its delivery worker in the background (main.cc);
  // tests leave it false and drive JobWorkers themselves.
  bool run_workers = false;
};

// Reads `config_dir`/rule_sets/*.json, reminder_rules/*.json and
// templates/index.json; a bad file (or a default template that does not
// render with its own sample context) stops notifyd, naming the file.
absl::StatusOr<NotificationConfig> LoadNotificationConfig(
    const std::string& config_dir);

struct NotificationServices {
  // Shared by the services; tests drive it directly.
  std::shared_ptr<NotificationContext> context;
  std::vector<ServiceRegistration> registrations;
};

// Every service of partydev.notification.v1 over one context.
absl::StatusOr<NotificationServices> MakeNotificationServices(
    ServiceRuntime& runtime, NotificationConfig config);

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_SERVICES_H_
