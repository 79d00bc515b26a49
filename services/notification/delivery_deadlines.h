// File: services/notification/delivery_deadlines.h
//
// The deadline sweep of directive deliveries (issue 6: "nhắc 3 ngày trước
// hạn, đúng ngày, rồi mỗi 7 ngày; quá số lần nhắc thì báo cấp ủy cấp
// trên"). Every period it reads the deliveries whose open duty
// (acknowledgement, else the next implementation report) is due within the
// look-ahead (DeliveryStore::DueBy; late ones stay in that index until the
// duty is done) and, for each one:
//
//  - marks it late (overdue_step, state LATE) from the day after its due
//    date (domain::OverdueStepAt), through DeliveryStore::StageChange, so
//    the tracking counters and the late list follow;
//  - sends each reminder of the applicable reminder rule whose planned time
//    (domain::PlanReminders) has come since the last sweep: the directive's
//    escalation.reminder_rule when it is of the duty's deadline kind, else
//    the rule set's default rule for DIRECTIVE_ACKNOWLEDGEMENT or
//    DIRECTIVE_REPORT. Each reminder is an in-app message to the delivery's
//    recipient (InboxStore::Append) under the dedup key
//    "<delivery>:<kind>:<due>:<step>:<repeat>", so a repeated or concurrent
//    sweep never sends one twice; reminders_sent counts the messages
//    actually created and next_reminder_time is the next planned send.
//    When several planned sends have come since the last sweep (notifyd
//    was down, or a rehearsal moved the clock), the recipient gets one
//    reminder, the latest, not a burst;
//  - at the escalation point tells the superior: the parent of the
//    recipient organisation on that day (ESCALATION_TARGET_SUPERIOR_OF_
//    RECIPIENT, the default), the issuer (ISSUER) or the named organisation
//    (NAMED), with an in-app message to that organisation's office
//    (`recipients/org-{id}`), records an Escalation and moves the delivery
//    to ESCALATED. Not when the directive's escalation.disabled is set.
//    The escalation point is the K-th send after the due date when the
//    directive sets escalation.escalate_after_reminders = K; else the
//    rule's own `escalate` step; else (a rule without one) the rule set's
//    default_escalate_after_reminders.
//
// A delivery whose cause is gone (domain::IsCauseGone: acknowledged,
// period reported, cancelled) gets nothing. The texts come from the shipped
// templates directive-ack-reminder, directive-report-reminder and
// directive-escalation (their current revisions), with a plain Vietnamese
// text built in one place (delivery_deadlines.cc) if one is missing.
//
// Writes: the messages first (each exactly once by its dedup key), then the
// delivery in one AtomicWrite expecting the version read; a concurrent
// change (an acknowledgement) aborts that write and the next sweep decides
// again. A crash between the two loses at most a reminders_sent increment,
// never a message nor a duplicate.
//
//   DeliveryDeadlines deadlines(context, absl::Minutes(15));
//   deadlines.Start();   // ... deadlines.Stop() before the context goes
//
// Thread-safety: SweepOnce may run from any thread; Start/Stop from one.

#ifndef PARTYDEV_SERVICES_NOTIFICATION_DELIVERY_DEADLINES_H_
#define PARTYDEV_SERVICES_NOTIFICATION_DELIVERY_DEADLINES_H_

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/notification/notification_context.h"

namespace partydev::notification {

class DeliveryDeadlines {
 public:
  // Days ahead of today the sweep looks: the largest lead of the shipped
  // directive reminder rules ("3 days before") with room to spare.
  static constexpr int kLookAheadDays = 7;
  // Deliveries handled per sweep at most (the rest wait for the next one).
  static constexpr int kBatch = 10000;

  // Borrows `context` (it must outlive this); `period` is the time between
  // two sweeps of the background thread.
  DeliveryDeadlines(NotificationContext& context, absl::Duration period);
  ~DeliveryDeadlines();  // Stop()s

  DeliveryDeadlines(const DeliveryDeadlines&) = delete;
  DeliveryDeadlines& operator=(const DeliveryDeadlines&) = delete;

  // One sweep at context.clock().Now(): returns how many messages it
  // created (reminders and escalations); 0 when repeated at the same time.
  // A delivery that fails is logged and skipped; only a failure to read
  // the due index is an error.
  absl::StatusOr<int> SweepOnce();

  // Starts the background thread (a sweep now, then every period); Stop()
  // wakes and joins it. Both are idempotent.
  void Start();
  void Stop();

 private:
  class Sweep;

  NotificationContext& context_;
  const absl::Duration period_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_DELIVERY_DEADLINES_H_
