// File: services/membership/deadline_watch.h
//
// Emits DeadlineApproaching events (events.proto) for the open deadlines
// of people: once when a deadline comes within `lead_working_days`
// working days, and once more when it has passed. The notification
// service turns them into reminders (issue #6); the membership record
// only says what is due, where, and by when.
//
// Exactly once, with any number of membershipd replicas: each emission
// writes a marker record ("P dl:<person>:<kind>:<subject>:<due>:<phase>")
// expected absent, in the same atomic write as its event; a second
// scanner of the same deadline aborts and writes nothing. A deadline that
// moves (an extension) has a new due date and is announced again.
//
//   DeadlineWatch watch(context, {.lead_working_days = 5});
//   absl::StatusOr<int> emitted = watch.ScanOnce(today);  // tests, tools
//   watch.Start(absl::Minutes(1));  // membershipd: --sweep_period_seconds

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_DEADLINE_WATCH_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_DEADLINE_WATCH_H_

#include <memory>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/membership/membership_context.h"

namespace partydev::membership {

struct DeadlineWatchOptions {
  // Announce a deadline this many working days before it is due.
  int lead_working_days = 5;
  // At most this many deadlines per scan (the rest wait for the next).
  int batch = 500;
  // The background scan's "today" is taken this far ahead of the real
  // time (--clock_offset_days: rehearsals only).
  absl::Duration clock_offset = absl::ZeroDuration();
};

class DeadlineWatch {
 public:
  DeadlineWatch(std::shared_ptr<MembershipContext> context,
                DeadlineWatchOptions options);
  ~DeadlineWatch();  // stops the background scan, if started

  DeadlineWatch(const DeadlineWatch&) = delete;
  DeadlineWatch& operator=(const DeadlineWatch&) = delete;

  // One pass over the deadlines due by `today` plus the lead: returns how
  // many events it emitted.
  absl::StatusOr<int> ScanOnce(absl::CivilDay today);

  // Scans every `period` on a thread of its own until destroyed; errors
  // (Redis away) are logged and retried at the next period.
  void Start(absl::Duration period);

 private:
  std::shared_ptr<MembershipContext> context_;
  const DeadlineWatchOptions options_;
  absl::Notification stop_;
  std::unique_ptr<std::thread> thread_;
};

}  // namespace partydev::membership

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_DEADLINE_WATCH_H_
