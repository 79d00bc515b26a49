// File: services/notification/scheduled_reminder_store.h
//
// Where notifyd keeps the reminders its rules scheduled (reminders.proto
// ScheduledReminder): the only code of scheduled reminders that speaks
// Redis. Keys (P is notifyd's prefix "{pd:notification}:", records as in
// common/record_store.h):
//
//   P r:scheduledReminders/{id}     the reminder (its etag: the version)
//   P c:/scheduledReminders         zset, score 0: every id (List pages)
//   P sr:due                        zset, score = fire time (unix seconds):
//                                   the ids still SCHEDULED (the due scan)
//   P sr:subject:{subject}          zset, score 0: the ids about a subject
//                                   ("people/p1"), for cancellation
//   P r:reminderCauses/{event id}   the event that scheduled reminders
//                                   (events.v1.Event): the facts their
//                                   text is rendered from at send time
//
// Ids are derived, never random (ScheduledReminderId): the same cause, rule,
// step and repeat always give the same id, so a redelivered event, or a
// second DeadlineApproaching of the same deadline (membership emits one per
// offset), finds the reminder there and schedules nothing twice.
//
// Every write is staged into the caller's AtomicWrite (StagePut keeps the
// indexes in step with the state: only SCHEDULED reminders are in the due
// set), so a reminder, its indexes and the event-id marker of what caused
// the change are written together or not at all.

#ifndef PARTYDEV_SERVICES_NOTIFICATION_SCHEDULED_REMINDER_STORE_H_
#define PARTYDEV_SERVICES_NOTIFICATION_SCHEDULED_REMINDER_STORE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/atomic_write.h"
#include "common/record_store.h"
#include "partydev/events/v1/events.pb.h"
#include "partydev/notification/v1/reminders.pb.h"

namespace partydev::notification {

// "scheduledReminders/{id}".
std::string ScheduledReminderNameOf(absl::string_view id);

// The id of `name`, or INVALID_ARGUMENT naming `field` unless it is
// "scheduledReminders/{id}" with a valid id.
absl::StatusOr<std::string> ParseScheduledReminderName(absl::string_view name,
                                                       absl::string_view field);

// The id of the reminder that `rule` schedules for step `step_id`, repeat
// `repeat_index`, of the cause `cause_key` (a deadline: kind, subject and
// due date; an event: its id): "sr-" and 40 hex digits of a SHA-256, so it
// is a valid resource id and the same inputs always give it.
std::string ScheduledReminderId(absl::string_view cause_key,
                                absl::string_view rule,
                                absl::string_view step_id, int repeat_index);

class ScheduledReminderStore {
 public:
  explicit ScheduledReminderStore(RecordStore& records);

  std::string IndexKey() const;
  std::string DueKey() const;
  std::string SubjectKey(absl::string_view subject) const;

  // The reminder named `name` (etag set), or NOT_FOUND naming it.
  absl::StatusOr<Stored<v1::ScheduledReminder>> Get(absl::string_view name);
  // The reminders that exist among `names`, in order (absent skipped).
  absl::StatusOr<std::vector<Stored<v1::ScheduledReminder>>> GetMany(
      const std::vector<std::string>& names);
  // Every reminder, in id order.
  absl::StatusOr<std::vector<Stored<v1::ScheduledReminder>>> All();
  // The reminders about `subject` (any state), in id order.
  absl::StatusOr<std::vector<Stored<v1::ScheduledReminder>>> BySubject(
      absl::string_view subject);
  // The names of the SCHEDULED reminders whose fire time is at or before
  // `now`, earliest first, at most `limit`.
  absl::StatusOr<std::vector<std::string>> DueBy(absl::Time now, int limit);

  // Stages `reminder` (named) read at `version` (0: new; the commit aborts
  // if it changed since) with its index entries: in the due set while
  // SCHEDULED, out of it otherwise.
  void StagePut(AtomicWrite& write, const v1::ScheduledReminder& reminder,
                int64_t version) const;

  // The cause event stored under `event_id`, or NOT_FOUND.
  absl::StatusOr<events::v1::Event> GetCause(absl::string_view event_id);
  // Stages `event` as a cause, unless stored before (`exists`).
  void StageCause(AtomicWrite& write, const events::v1::Event& event,
                  bool exists) const;
  // Whether the cause of `event_id` is stored.
  absl::StatusOr<bool> CauseExists(absl::string_view event_id);

 private:
  std::string CauseName(absl::string_view event_id) const;

  RecordStore& records_;
};

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_SCHEDULED_REMINDER_STORE_H_
