// File: services/notification/delivery_dispatcher.h
//
// The handler of the delivery engine's jobs (queue/job_worker.h): a job of
// kind CHANNEL_DELIVERY goes to its channel. For IN_APP the payload is the
// rendered message (a serialized v1::Message), appended to the recipient's
// inbox exactly once per the job's idempotency key (inbox_store.h: one Lua
// script checks and writes the dedup key, the message, the inbox stream and
// the unread counter), so a redelivered or replayed job never makes a second
// message — even when the worker's own done key was lost.
//
// WEBHOOK and EMAIL jobs (staged by SendNotification, one per verified,
// enabled channel whose preferences allow the category) carry the same
// payload and name their channel (job.channel). The dispatcher loads the
// channel: a deleted, paused, unverified or disabled one is skipped (Done,
// attempt SKIPPED_CHANNEL_OFF), as is a category the recipient has muted on
// that channel type since (SKIPPED_OPTED_OUT). Otherwise it makes one
// attempt (channel_delivery.h) with webhook-id = the job's idempotency key,
// the same on every attempt, and maps the outcome (channel_outcome.h):
//   2xx / SMTP 250          Done
//   410 Gone                the channel becomes DISABLED; Dead(ENDPOINT_GONE)
//   other 4xx, SMTP 5yz     Dead(PERMANENT_FAILURE)
//   anything else           Retry, honouring Retry-After (the worker caps it
//                           and dead-letters after max_attempts)
// Each attempt is recorded (channel_store.h: outcome, HTTP status, error,
// latencies) and updates the channel's ChannelHealth; a channel failing for
// the policy's disable_after_failing_for since its last success (or its
// verification) is DISABLED too.
//
// Before that attempt, a message the recipient's preferences hold for the
// daily digest (channel_preferences.h HeldForDigest: digest on, not urgent,
// not mandatory, DIGEST priority or a gathered category) is not sent: it
// joins the recipient's pending digest (digest.h) and the job is Done with
// the attempt HELD_FOR_DIGEST. DIGEST jobs go to digest.h: the recipient's
// daily digest, one inbox message and one job per digest channel.
//
// FAN_OUT jobs go to directive_fan_out.h: the deliveries of an issued,
// amended or withdrawn directive.
//
// DeliveryWorkers owns notifyd's background worker: one JobWorker named
// "notifyd-<host>-<slot>" (stable across restarts) with this handler and
// the channel policies of the rule set in force today.
//
//   DeliveryDispatcher dispatcher(context);
//   JobWorker worker(redis, keys, clock, metrics, options,
//                    dispatcher.AsHandler());

#ifndef PARTYDEV_SERVICES_NOTIFICATION_DELIVERY_DISPATCHER_H_
#define PARTYDEV_SERVICES_NOTIFICATION_DELIVERY_DISPATCHER_H_

#include <functional>
#include <memory>
#include <string>

#include "partydev/storage/v1/jobs.pb.h"
#include "services/notification/channel_delivery.h"
#include "services/notification/channel_store.h"
#include "services/notification/digest.h"
#include "services/notification/directive_fan_out.h"
#include "services/notification/inbox_store.h"
#include "services/notification/notification_context.h"
#include "services/notification/queue/job_result.h"
#include "services/notification/queue/job_worker.h"

namespace partydev::notification {

class DeliveryDispatcher {
 public:
  // Sends with ChannelDeliveryOptionsFor(the runtime's configuration).
  explicit DeliveryDispatcher(NotificationContext& context);
  // `policy`: the channel policies the worker applies (the same function
  // as JobWorkerOptions::policy), so that the attempts log tells the last
  // attempt (ATTEMPTS_EXHAUSTED); null: the rule set in force.
  DeliveryDispatcher(
      NotificationContext& context, ChannelDeliveryOptions options,
      std::function<v1::ChannelPolicy(v1::ChannelType)> policy = nullptr);

  // Delivers one job: Done when its effect happened (now or before) or the
  // channel is skipped; Retry on a Redis error or a transient failure;
  // Dead(MALFORMED_JOB) when the job cannot be understood (wrong kind, no
  // recipient, a payload that does not parse, no channel for an outbound
  // job); Dead(ENDPOINT_GONE / PERMANENT_FAILURE) as the file comment says.
  JobResult Handle(const storage::v1::Job& job);

  // Handle as a JobWorker::Handler (borrows this dispatcher).
  JobWorker::Handler AsHandler();

 private:
  JobResult HandleInApp(const storage::v1::Job& job);
  JobResult HandleOutbound(const storage::v1::Job& job);
  // Records a skipped job (no attempt made) and answers Done.
  JobResult Skip(const storage::v1::Job& job, v1::AttemptOutcome outcome,
                 const std::string& why);
  // After a failed attempt: the new health, and DISABLED when the channel
  // answered 410 or has failed for the policy's disable period.
  void AfterFailure(const storage::v1::Job& job, const ChannelOutcome& outcome,
                    const v1::ChannelPolicy& policy, absl::Time now);
  // Sets the channel's state to DISABLED with `reason` (a few tries
  // against concurrent updates; best effort).
  void Disable(const std::string& channel, const std::string& reason);

  NotificationContext& context_;
  InboxStore inbox_;
  // FAN_OUT jobs: the deliveries of an issued directive.
  DirectiveFanOut fan_out_;
  // DIGEST jobs, and the holding of messages for them.
  Digests digests_;
  ChannelStore channels_;
  ChannelSender sender_;
  std::function<v1::ChannelPolicy(v1::ChannelType)> policy_;
};

// The options of notifyd's worker in slot `slot`: consumer name
// "notifyd-<host>-<slot>", policies and idempotency retention from the
// rule set in force on the context's clock's day (domain::PolicyFor).
JobWorkerOptions DeliveryWorkerOptions(NotificationContext& context, int slot);

// notifyd's background delivery: the dispatcher and its worker, started on
// construction, stopped on destruction.
class DeliveryWorkers {
 public:
  explicit DeliveryWorkers(NotificationContext& context);
  ~DeliveryWorkers();
  DeliveryWorkers(const DeliveryWorkers&) = delete;
  DeliveryWorkers& operator=(const DeliveryWorkers&) = delete;

 private:
  DeliveryDispatcher dispatcher_;
  std::unique_ptr<JobWorker> worker_;
};

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_DELIVERY_DISPATCHER_H_
