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
// Not wired yet (issue #6): webhook and e-mail channels. SendNotification
// does not enqueue them, so the dispatcher never sees them; one that does
// arrive (a replayed dead letter, a future producer) is retried, so that it
// waits in the engine's backoff instead of being lost.
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

#include <memory>
#include <string>

#include "partydev/storage/v1/jobs.pb.h"
#include "services/notification/inbox_store.h"
#include "services/notification/notification_context.h"
#include "services/notification/queue/job_result.h"
#include "services/notification/queue/job_worker.h"

namespace partydev::notification {

class DeliveryDispatcher {
 public:
  explicit DeliveryDispatcher(NotificationContext& context);

  // Delivers one job: Done when its effect happened (now or before);
  // Retry on a Redis error; Dead(MALFORMED_JOB) when the job cannot be
  // understood (wrong kind, no recipient, a payload that does not parse).
  JobResult Handle(const storage::v1::Job& job);

  // Handle as a JobWorker::Handler (borrows this dispatcher).
  JobWorker::Handler AsHandler();

 private:
  NotificationContext& context_;
  InboxStore inbox_;
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
