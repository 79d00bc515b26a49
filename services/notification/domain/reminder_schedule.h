// File: services/notification/domain/reminder_schedule.h
//
// When a reminder rule sends (reminders.proto ReminderRule, ReminderStep):
// each step fires at its offset from the due date (negative before, 0 on the
// day, positive after; calendar or working days) at its time of day in the
// recipient's time zone (default Asia/Ho_Chi_Minh, UTC+7, 08:00), then
// repeats every N days up to its maximum. Issue 6's example: 3 days before,
// on the day, every 7 days after, and after a configured number of
// reminders past the due date the superior committee is told (escalation).
// PreviewReminderSchedule shows exactly PlanReminders' result; the engine
// schedules the same sends. Quiet hours are applied later, per recipient.
//
// Whether a planned reminder is still wanted is decided when it fires: a
// reminder whose cause has gone is cancelled, not sent. The causes visible
// from a delivery's own data are checked here (IsCauseGone).
//
//   PlanOptions options;
//   options.escalate_after_reminders = 3;
//   absl::StatusOr<std::vector<PlannedSend>> sends =
//       PlanReminders(rule, absl::CivilDay(2024, 3, 15), options);

#ifndef PARTYDEV_SERVICES_NOTIFICATION_DOMAIN_REMINDER_SCHEDULE_H_
#define PARTYDEV_SERVICES_NOTIFICATION_DOMAIN_REMINDER_SCHEDULE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "partydev/notification/v1/deliveries.pb.h"
#include "partydev/notification/v1/reminders.pb.h"
#include "services/notification/domain/working_days.h"

namespace partydev::notification::domain {

// Checks a rule's shape (INVALID_ARGUMENT naming each field): a trigger, at
// least one step, unique non-empty step ids, an audience and a template
// ("templates/{id}") per step, repeat_every_days and max_repeats >= 0,
// max_repeats only with repeat_every_days, send_at a valid time of day, an
// enabled urging letter with both templates.
absl::Status ValidateReminderRule(const v1::ReminderRule& rule);

// How to plan.
struct PlanOptions {
  // The recipient's time zone; default Vietnam (UTC+7).
  absl::TimeZone time_zone;
  // Needed when a step counts working days; nullptr otherwise.
  const WorkingDays* working_days = nullptr;
  // Sends of an open-ended repeat (max_repeats 0) to plan: the preview
  // shows ten (reminders.proto PreviewReminderScheduleResponse).
  int open_ended_repeats = 10;
  // When > 0: the K-th send strictly after the due date escalates, whatever
  // the steps say (EscalationPolicy.escalate_after_reminders or the rule
  // set's default); the steps' own `escalate` flags are then ignored. 0:
  // the steps' flags decide.
  int escalate_after_reminders = 0;
  // When set, sends after this instant are dropped (the engine plans what
  // is still ahead; a cause-gone check cancels the rest).
  absl::Time not_after = absl::InfiniteFuture();

  PlanOptions();
};

// One planned send (PlannedReminder).
struct PlannedSend {
  std::string step_id;
  int repeat_index = 0;  // 0 for the step's first send, then 1, 2...
  absl::CivilDay day;    // The civil day it fires, in the time zone.
  absl::Time fire_time;
  bool escalation = false;
  bool after_due = false;  // Fires on a day after the due date.
};

// The sends of `rule` for a deadline due on `due`, in time order (ties by
// step order). FAILED_PRECONDITION when a step counts working days and no
// calendar is given or the calendar lacks a year; INVALID_ARGUMENT for a
// rule ValidateReminderRule refuses.
absl::StatusOr<std::vector<PlannedSend>> PlanReminders(
    const v1::ReminderRule& rule, absl::CivilDay due,
    const PlanOptions& options);

// The first escalating send of `sends`, or nullptr: the escalation point.
const PlannedSend* EscalationPoint(const std::vector<PlannedSend>& sends);

// Whether the cause of a reminder about `delivery` has gone, so the
// reminder is cancelled rather than sent: for DIRECTIVE_ACKNOWLEDGEMENT,
// the delivery is acknowledged (or needs no acknowledgement); for
// DIRECTIVE_REPORT, a report answering `due` exists and is not superseded
// (or no report is required); for both, the delivery is cancelled (the
// directive was withdrawn or the recipient removed). Other kinds' causes
// live in membership's and quota's data and are told by their events.
bool IsCauseGone(common::v1::DeadlineKind kind, const v1::Delivery& delivery,
                 absl::CivilDay due);

}  // namespace partydev::notification::domain

#endif  // PARTYDEV_SERVICES_NOTIFICATION_DOMAIN_REMINDER_SCHEDULE_H_
