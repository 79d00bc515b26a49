// File: services/notification/event_reminders.h
//
// Reminders from events (issue 6): notifyd turns membership's and quota's
// events into scheduled reminders (scheduled_reminder_store.h), sends them
// when they are due, cancels them when their cause goes, and turns quota's
// lagging list into an urging letter (công văn đôn đốc, in the style of
// 1849-CV/ĐUK).
//
// It reads two streams through consumer groups (common/event_consumer.h):
// membership's ("notifyd-reminders") and quota's ("notifyd-urging"). Each
// event is applied in ONE AtomicWrite together with the marker of its id
// (P reminders:seen:{event id}, kept forever), then acknowledged, as the
// organisation projection does (organization_projection.h): a redelivered
// event finds its marker and changes nothing.
//
//  - DeadlineApproaching: the rule of trigger deadline_kind = kind, enabled,
//    with the deepest scope covering the responsible organisation (an
//    unscoped rule covers everything) is planned for due_on
//    (domain::PlanReminders, working days from the context's calendar);
//    each send still ahead is scheduled; when every send is past, the first
//    one is scheduled now (a deadline learnt late still gets one reminder).
//    Ids derive from (kind, subject, due date, rule, step, repeat), so the
//    next DeadlineApproaching of the same deadline schedules nothing twice.
//  - MemberWarningRaised, MeetingAnnounced (and any payload a rule names as
//    its event_type): the rule's steps, offset from the event's act date. A
//    rule may be keyed on the event's variant, "{type}#{variant}": a
//    meeting's change ("...MeetingAnnounced#scheduled", "#changed",
//    "#cancelled") or a warning's level ("...MemberWarningRaised#level-2");
//    a cancellation is announced only by a rule keyed on "cancelled". The
//    shipped rules send these notices at once (step at 00:00 of the day).
//  - A MeetingAnnounced "scheduled" or "changed" is also the
//    MEETING_UPCOMING deadline of the meeting, due on its day: the rule of
//    that kind plans the reminders before it (none when all are past); a
//    change cancels those of the old schedule first.
//  - Cancellation: an event whose type is in a rule's
//    cancel_on_event_types cancels that rule's SCHEDULED reminders about
//    the event's subject; the built-in causes (CausesGone in the .cc: a
//    person's stage moving past a deadline's stage, withdrawal, rejection,
//    leaving, a transfer completed, a meeting cancelled, an organisation
//    dissolved) cancel the subject's reminders of the kinds they end. A
//    cancelled reminder keeps its cancel_reason ("... (event {id})") and is
//    never sent.
//  - OrganizationLagging: with an enabled rule of event_type
//    "partydev.events.v1.OrganizationLagging" and an enabled urging_letter,
//    ONE Directive (OFFICIAL_LETTER, origin set) per checkpoint (id
//    "urging-" + a hash of the checkpoint) from urging_organization, drafted
//    from the rule's urging_letter.defaults (issuer code, place, signer,
//    the copy lines of "Nơi nhận" as in 1849-CV/ĐUK); each lagging
//    organisation is an addressee line (ACT), placed before the copy lines,
//    with `values` (admitted, target, admission_rate "42%", remaining, term)
//    and `extra_text` rendered from extra_text_template; later events of
//    the same checkpoint add lines to the same DRAFT, and the letter's body
//    is rendered again with every lagging line. Without auto_issue the draft
//    waits for the committee office (IssueDirective); with it, the draft is
//    due `issue_delay` (10 minutes by default) after it was drafted and
//    SweepDue issues it through DirectiveIssuing (directive_issuing.h, the
//    same path as IssueDirective: number, reference, fan-out job), removing
//    it from the due index in the same write. A draft that cannot be issued
//    (e.g. a recipient no longer in the tree) stays a draft, logged. An
//    event arriving after its checkpoint's letter was issued is logged, not
//    added.
//
// SweepDue issues the urging letters that are due, then sends what is due
// at context.clock().Now(): each recipient of
// the step's audience gets one in-app message (InboxStore::Append, dedup
// key "{reminder name}:{recipient}", so a second sweep sends nothing), and
// the reminder becomes SENT with its recipients and messages; a reminder
// whose rule is now disabled, or whose organisation is dissolved, becomes
// CANCELLED instead; one whose template does not render or that reaches no
// recipient becomes FAILED with `error`.
//
//   EventReminders reminders(context, runtime.membership_redis(),
//       runtime.quota_redis(),
//       {.membership_stream = "{pd:membership}:events",
//        .quota_stream = "{pd:quota}:events", .consumer = "notifyd-1"});
//   reminders.Start();  // both consumers and a sweep every minute
//
// Thread-safety: DrainAll and SweepDue must not run while Start()ed.

#ifndef PARTYDEV_SERVICES_NOTIFICATION_EVENT_REMINDERS_H_
#define PARTYDEV_SERVICES_NOTIFICATION_EVENT_REMINDERS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/redis_client.h"
#include "services/notification/notification_context.h"

namespace partydev::notification {

struct EventRemindersOptions {
  // Membership's event stream ("{pd:membership}:events").
  std::string membership_stream;
  // Quota's event stream ("{pd:quota}:events").
  std::string quota_stream;
  // This process's consumer name in both groups.
  std::string consumer;
  // Time between two sweeps of the background thread.
  absl::Duration sweep_period = absl::Minutes(1);
};

// The consumer groups, on the sources' streams.
inline constexpr char kRemindersGroup[] = "notifyd-reminders";
inline constexpr char kUrgingGroup[] = "notifyd-urging";

class EventReminders {
 public:
  // Borrows `context` and the two Redis clients (they must outlive this).
  EventReminders(NotificationContext& context, RedisClient& membership,
                 RedisClient& quota, EventRemindersOptions options);
  ~EventReminders();  // Stop()s

  EventReminders(const EventReminders&) = delete;
  EventReminders& operator=(const EventReminders&) = delete;

  // Applies everything both streams hold now; returns how many entries
  // were handled.
  absl::StatusOr<int> DrainAll();

  // Sends (or cancels) every reminder due at context.clock().Now();
  // returns how many messages it created (0 when repeated at once).
  absl::StatusOr<int> SweepDue();

  // Starts both consumers and the sweep thread; Stop() joins them. Both
  // are idempotent.
  void Start();
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_EVENT_REMINDERS_H_
