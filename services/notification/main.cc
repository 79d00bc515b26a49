// notifyd: the notification service of partydev (see README.md and
// protos/partydev/notification/v1/). A thin main: configuration, runtime,
// server and signals live in common/; the rule sets, reminder rules and
// default templates come from PARTYDEV_CONFIG_DIR
// (services/notification/rules/ by default); services.h wires the services.

#include "common/service_main.h"
#include "services/notification/services.h"

int main(int argc, char** argv) {
  return partydev::RunServiceMain(
      argc, argv,
      {"notifyd", 50053, 9093,
       "pd:notification:", PARTYDEV_NOTIFICATION_CONFIG_DIR},
      [](partydev::ServiceRuntime& runtime)
          -> absl::StatusOr<std::vector<partydev::ServiceRegistration>> {
        absl::StatusOr<partydev::notification::NotificationConfig> config =
            partydev::notification::LoadNotificationConfig(
                runtime.config().config_dir);
        if (!config.ok()) return config.status();
        config->run_workers = true;  // the in-app deliveries
        absl::StatusOr<partydev::notification::NotificationServices>
            notification = partydev::notification::MakeNotificationServices(
                runtime, *std::move(config));
        if (!notification.ok()) return notification.status();
        return std::move(notification->registrations);
      });
}
