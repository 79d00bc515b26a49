// File: services/notification/digest.h
//
// The daily digest of a recipient (channels.proto DigestSettings, issue #6
// item 4). The in-app inbox keeps receiving every message at once (it is
// the record); the digest is about the outbound channels (webhook, e-mail)
// and one summary message. When the recipient's preferences hold a message
// for the digest (channel_preferences.h HeldForDigest: digest on, not
// urgent, not of a mandatory category, DIGEST priority or a category listed
// in digest.categories), the delivery dispatcher does not send its outbound
// jobs: it calls Hold, records the attempt as HELD_FOR_DIGEST, and the job
// is done. The digest job (JOB_KIND_DIGEST) then, at the recipient's next
// send_at, puts ONE message of category DIGEST in the inbox, listing the
// held messages (digested_messages: their inbox names; the body: one line
// per subject), and stages one outbound job carrying it per channel whose
// type is in digest.channels and that is verified, enabled and not paused.
//
// Keys (P = "{pd:notification}:", R = "recipients/{r}", I = an item: the
// held message's inbox dedup key, DeliveryKey(R, its idempotency key), the
// same for all the channels of one message):
//
//   P digest:pending:R          zset I -> held time (ms): what the next
//                               digest gathers, oldest first
//   P digest:item:I             record {v, d}: the held message (its
//                               subject, category, idempotency key)
//   P digest:held:I             marker (TTL: the idempotency retention):
//                               the message was given to a digest, so a
//                               second channel's job, or a redelivered one,
//                               does not hold it again
//   P digest:scheduled:R:D      marker: the digest job of day D is staged
//   P digest:built:R:D          marker: the digest of day D was built
//
// Nothing lost, nothing twice. Hold commits, in one AtomicWrite, the held
// marker, the pending entry, the item and — when the marker of that day is
// absent — the digest job itself (a delayed job at NextDigestTime with
// idempotency key "digest:R:yyyy-mm-dd", payload the day), so however many
// messages are held, one job per day is staged; a crash before the commit
// leaves the outbound job unacknowledged (redelivered, held then), after it
// the redelivery finds the held marker. The markers are guards of the
// write (RecordResponse: the commit fails with ALREADY_EXISTS when one
// appeared concurrently; then Hold reads again and decides again). The
// digest job reads the pending items and commits, in one AtomicWrite, the
// built marker, the inbox message (InboxStore::StageAppend), the outbound
// jobs and the removal of exactly the items it gathered; a second run, or
// a second worker running it at the same time, finds the built marker (or
// loses the commit on it) and does nothing. A digest with nothing pending
// does nothing. Items held while it ran stay pending, and it stages the
// next day's job for them.
//
// A recipient who turns the digest off: messages are no longer held, and
// what is pending goes out at the digest job already staged (it does not
// look at `enabled`). A send_at changed after a job was staged applies from
// the next day. The digest message is NORMAL priority, category DIGEST,
// text built in (Vietnamese; see BuildDigestMessage); the outbound jobs
// respect quiet hours and the channel's opt-outs like any message. A held
// message whose in-app job has not run yet when the digest is built is
// listed in the body but has no name in digested_messages. Holding
// happens on the outbound jobs: a recipient without an outbound channel
// has nothing held and gets no digest (the inbox has every message).
//
// Metrics: partydev_notification_digest_held_total (messages held),
// partydev_notification_digests_total (digests built) and
// partydev_notification_digested_messages_total (messages they gathered).
//
//   Digests digests(context);
//   absl::StatusOr<bool> held = digests.Hold(job, message, preferences);
//   JobResult result = digests.Handle(digest_job);   // JOB_KIND_DIGEST

#ifndef PARTYDEV_SERVICES_NOTIFICATION_DIGEST_H_
#define PARTYDEV_SERVICES_NOTIFICATION_DIGEST_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "partydev/notification/v1/channels.pb.h"
#include "partydev/notification/v1/inbox.pb.h"
#include "partydev/storage/v1/jobs.pb.h"
#include "services/notification/notification_context.h"
#include "services/notification/queue/job_result.h"

namespace partydev::notification {

// The digest message of `day` gathering `held` (in the order held) whose
// inbox names are `names` ("" when unknown): subject "Tổng hợp thông báo
// ngày dd/mm/yyyy: N thông báo", body one line "- <subject>" per message.
v1::Message BuildDigestMessage(absl::CivilDay day,
                               const std::vector<v1::Message>& held,
                               const std::vector<std::string>& names);

class Digests {
 public:
  explicit Digests(NotificationContext& context);

  std::string PendingKey(absl::string_view recipient) const;
  std::string ItemKey(absl::string_view item) const;
  std::string HeldKey(absl::string_view item) const;
  std::string ScheduledKey(absl::string_view recipient,
                           absl::CivilDay day) const;
  std::string BuiltKey(absl::string_view recipient, absl::CivilDay day) const;
  // "digest:{recipient}:{yyyy-mm-dd}": the digest job's idempotency key.
  static std::string JobKey(absl::string_view recipient, absl::CivilDay day);

  // Decides whether `message` of the outbound `job` is held for the
  // recipient's digest (HeldForDigest with `preferences` and the rule set
  // in force) and, if so, holds it (see the file comment). True: held (now
  // or before), the job must not send it. An error: nothing was decided,
  // retry.
  absl::StatusOr<bool> Hold(const storage::v1::Job& job,
                            const v1::Message& message,
                            const v1::Preferences& preferences);

  // Runs a JOB_KIND_DIGEST job: Done when the digest was built (now or
  // before) or nothing was pending; Retry on a Redis error;
  // Dead(MALFORMED_JOB) without a recipient or a day.
  JobResult Handle(const storage::v1::Job& job);

  // The item keys pending for `recipient`, oldest first.
  absl::StatusOr<std::vector<std::string>> Pending(absl::string_view recipient);

 private:
  // The recipient's time zone (NOT_FOUND recipient: Vietnam).
  absl::StatusOr<absl::TimeZone> ZoneOf(const std::string& recipient);
  // Stages the digest job of `recipient` at `at` (day `day`) and its
  // scheduled marker (the commit fails with ALREADY_EXISTS when the marker
  // exists: the caller checks it first).
  void StageDigestJob(AtomicWrite& write, const std::string& recipient,
                      absl::CivilDay day, absl::Time at, absl::Time now) const;
  // Stages the job for the next send_at if none is staged for that day
  // (after a digest that left items pending); best effort.
  void EnsureScheduled(const std::string& recipient);
  absl::StatusOr<bool> Exists(const std::string& key);
  absl::Duration Retention() const;

  NotificationContext& context_;
};

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_DIGEST_H_
