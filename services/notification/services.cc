#include "services/notification/services.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "partydev/notification/v1/channels.grpc.pb.h"
#include "partydev/notification/v1/directive_service.grpc.pb.h"
#include "partydev/notification/v1/inbox.grpc.pb.h"
#include "partydev/notification/v1/operations.grpc.pb.h"
#include "services/notification/calendar_working_days.h"
#include "services/notification/channel_service.h"
#include "services/notification/delivery_dispatcher.h"
#include "services/notification/directive_service.h"
#include "services/notification/domain/reminder_rules.h"
#include "services/notification/event_reminders.h"
#include "services/notification/inbox_service.h"
#include "services/notification/operations_service.h"
#include "services/notification/reminder_service.h"
#include "services/notification/template_service.h"
#include "services/notification/templates/template_renderer.h"

namespace partydev::notification {

absl::StatusOr<NotificationConfig> LoadNotificationConfig(
    const std::string& config_dir) {
  absl::StatusOr<domain::NotificationRuleSetRegistry> rule_sets =
      domain::NotificationRuleSetRegistry::LoadDirectory(config_dir +
                                                         "/rule_sets");
  if (!rule_sets.ok()) return rule_sets.status();
  absl::StatusOr<std::vector<v1::ReminderRule>> reminder_rules =
      domain::LoadReminderRules(config_dir + "/reminder_rules");
  if (!reminder_rules.ok()) return reminder_rules.status();
  absl::StatusOr<templates::TemplateLibrary> library =
      templates::LoadTemplateLibrary(config_dir + "/templates");
  if (!library.ok()) return library.status();
  // A shipped template that does not render is a broken release.
  for (const v1::Template& t : library->templates) {
    if (absl::Status s = templates::ValidateTemplate(t, library->partials);
        !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          config_dir, "/templates: ", t.name(), ": ", s.message()));
    }
  }
  absl::StatusOr<CalendarWorkingDays> calendar =
      CalendarWorkingDays::LoadFile(config_dir + "/calendar_vn.json");
  if (!calendar.ok()) return calendar.status();
  NotificationConfig config;
  config.rules.working_days =
      std::make_shared<const CalendarWorkingDays>(*std::move(calendar));
  config.rules.rule_sets =
      std::make_shared<const domain::NotificationRuleSetRegistry>(
          *std::move(rule_sets));
  config.rules.reminder_rules = *std::move(reminder_rules);
  config.rules.templates =
      std::make_shared<const templates::TemplateLibrary>(*std::move(library));
  return config;
}

absl::StatusOr<NotificationServices> MakeNotificationServices(
    ServiceRuntime& runtime, NotificationConfig config) {
  if (config.rules.rule_sets == nullptr || config.rules.templates == nullptr ||
      config.rules.working_days == nullptr) {
    return absl::InvalidArgumentError(
        "notifyd needs its rule sets and default templates");
  }
  const bool run_workers = config.run_workers;
  NotificationServices notification;
  notification.context = std::make_shared<NotificationContext>(
      runtime, std::move(config.rules),
      config.clock != nullptr ? config.clock
      : runtime.config().clock_offset != absl::ZeroDuration()
          ? std::shared_ptr<const Clock>(std::make_shared<const OffsetClock>(
                runtime.config().clock_offset))
          : std::make_shared<const SystemClock>(),
      // One consumer name per process: the group tells replicas apart by it.
      ConsumerNameOf(runtime.config(), "projection"));
  auto& services = notification.registrations;
  services.push_back(
      {std::make_unique<TemplateServiceImpl>(notification.context),
       v1::TemplateService::service_full_name()});
  auto reminders = std::make_unique<ReminderServiceImpl>(notification.context);
  if (run_workers) {
    // Reminders and urging letters from membership's and quota's events,
    // and the sweep that sends the due ones, every sweep period.
    reminders->AttachEventReminders(std::make_unique<EventReminders>(
        *notification.context, runtime.membership_redis(),
        runtime.quota_redis(),
        EventRemindersOptions{
            HashTaggedPrefix(runtime.config().membership_key_prefix) + "events",
            HashTaggedPrefix(runtime.config().quota_key_prefix) + "events",
            ConsumerNameOf(runtime.config(), "reminders"),
            runtime.config().sweep_period}));
  }
  services.push_back(
      {std::move(reminders), v1::ReminderService::service_full_name()});
  auto directives = std::make_unique<DirectiveServiceImpl>(
      notification.context,
      std::make_shared<DirectiveFanOut>(*notification.context));
  if (run_workers) {
    // Reminders, lateness and escalation of deliveries, every sweep
    // period (a minute by default).
    directives->AttachDeadlines(std::make_unique<DeliveryDeadlines>(
        *notification.context, runtime.config().sweep_period));
  }
  services.push_back(
      {std::move(directives), v1::DirectiveService::service_full_name()});
  auto inbox = std::make_unique<InboxServiceImpl>(notification.context);
  if (run_workers) {
    // The organisation tree from membership's events, in the background;
    // tests drain it themselves (context->organizations().DrainAll()).
    notification.context->organizations().Start();
    // The in-app deliveries in the background; tests drive workers
    // themselves (run_workers false).
    inbox->AttachWorkers(
        std::make_unique<DeliveryWorkers>(*notification.context));
  }
  services.push_back({std::move(inbox), v1::InboxService::service_full_name()});
  services.push_back(
      {std::make_unique<ChannelServiceImpl>(notification.context),
       v1::ChannelService::service_full_name()});
  services.push_back(
      {std::make_unique<OperationsServiceImpl>(notification.context),
       v1::OperationsService::service_full_name()});
  return notification;
}

}  // namespace partydev::notification
