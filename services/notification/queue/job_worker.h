// File: services/notification/queue/job_worker.h
//
// A worker of the delivery engine: takes jobs from the priority streams
// through the consumer group and hands each to a handler, at least once,
// and — through the idempotency key — with its effect at most once.
//
// One poll (RunOnce):
//   1. re-reads this consumer's own pending jobs after a restart (the
//      consumer name is stable: host + slot), then claims jobs idle for
//      longer than `claim_min_idle` in other consumers (XAUTOCLAIM: a
//      crashed worker); a job delivered more than 1 + `max_claims` times
//      goes to the dead letters (TOO_MANY_CLAIMS: a poison job that crashes
//      every worker that takes it; BullMQ's maxStalledCount);
//   2. promotes the delayed jobs that are due (exactly once, see JobQueue);
//   3. when 1. found nothing, reads new jobs, urgent before normal before
//      digest. The due lookup of 2. shares a round trip with the urgent
//      read (new_jobs_read.h); jobs it promoted are read in the same poll
//      when the batch has room.
// The jobs of a batch are handled by priority, urgent first.
// For each job:
//   - a job whose done key (q:done:<idempotency key>) exists is
//     acknowledged without calling the handler: a redelivery or a replay
//     never sends twice;
//   - a job over its recipient's rate limit on its channel
//     (max_per_recipient_per_minute) is deferred to the next minute without
//     calling the handler and without counting an attempt (urgent jobs are
//     not limited);
//   - otherwise the handler's JobResult is applied in one Lua script that
//     also acknowledges (and deletes) the stream entry: Done sets the done
//     key for the idempotency retention; Retry reschedules with the
//     channel's backoff and jitter, or dead-letters (ATTEMPTS_EXHAUSTED)
//     once max_attempts attempts failed; Defer reschedules without counting
//     an attempt; Dead dead-letters. Nothing is acknowledged before it is
//     delivered or dead-lettered; a crash in between means a redelivery,
//     which the done key (or the handler's own idempotency) absorbs.
// Acknowledged entries are deleted (XDEL) in the same script: a job stream
// is a work queue, not a history (deliveries are recorded elsewhere), so
// the stream's length is its depth and memory is freed at once;
// TrimStreams (queue_maintenance.h) stays as the safety net.
//
//   JobWorker worker(redis, keys, clock, metrics,
//                    {.consumer = "notifyd-host1-0"}, handler);
//   worker.Start();  ...  worker.Stop();
//
// A batch is handled one job after the other; the idle time Redis keeps for
// each pending job runs from its read, so while a batch is worked through,
// the worker resets the idle time of the jobs still waiting in it (XCLAIM
// JUSTID of its own entries, every claim_min_idle / 3; the lock renewal of
// BullMQ), so that other workers do not claim them as if it had crashed.
//
// Thread-safety: RunOnce must not run concurrently with itself or with the
// background thread. One handler call must not take longer than
// claim_min_idle, or another worker takes the job while it is still being
// handled (the done key then keeps the second call from sending again only
// if the first has finished).

#ifndef PARTYDEV_SERVICES_NOTIFICATION_QUEUE_JOB_WORKER_H_
#define PARTYDEV_SERVICES_NOTIFICATION_QUEUE_JOB_WORKER_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "common/redis_client.h"
#include "common/streams.h"
#include "partydev/notification/v1/rule_sets.pb.h"
#include "partydev/storage/v1/jobs.pb.h"
#include "services/notification/queue/job_queue.h"
#include "services/notification/queue/job_result.h"
#include "services/notification/queue/new_jobs_read.h"
#include "services/notification/queue/queue_keys.h"

namespace partydev::notification {

struct JobWorkerOptions {
  // This worker's consumer name: stable across restarts (host + slot), so a
  // restarted worker finds its own pending jobs and consumers do not pile
  // up in the group.
  std::string consumer;
  // Jobs read per XREADGROUP.
  int batch = 50;
  // How long a poll of the background thread waits for new jobs.
  absl::Duration block = absl::Seconds(1);
  // Jobs pending in a consumer for longer than this are claimed. Must
  // exceed the longest attempt (the policies' attempt_timeout).
  absl::Duration claim_min_idle = absl::Minutes(5);
  // Claims (re-deliveries) after which a job is dead-lettered with
  // TOO_MANY_CLAIMS.
  int max_claims = 3;
  // The policy of a channel type (max_attempts, retry_delays,
  // jitter_fraction, max_retry_after, max_per_recipient_per_minute), from
  // the rule set in force. Unset: defaults (exponential backoff, no rate
  // limit, `default_max_attempts`).
  std::function<v1::ChannelPolicy(v1::ChannelType)> policy;
  // Used when a policy has max_attempts 0.
  int default_max_attempts = 5;
  // How long done keys are kept (the rule set's idempotency_retention).
  absl::Duration idempotency_retention = absl::Hours(72);
  // Done results settled together, in one pipelined round trip, up to this
  // many (1: each as it happens). More is faster; a crash then re-delivers
  // up to this many jobs already handled, which the channels' own
  // idempotency absorbs (the inbox's key, the receiver's webhook-id), not
  // the done key.
  int settle_batch = 1;
  // Delayed jobs promoted per poll.
  int promote_limit = 100;
  // How often the background thread trims the streams and removes idle
  // consumers without pending jobs (queue_maintenance.h); zero: never.
  absl::Duration maintenance_interval = absl::Minutes(1);
  // Consumers idle for this long (retired worker slots) are removed.
  absl::Duration consumer_retention = absl::Hours(24);
};

class JobWorker {
 public:
  using Handler = std::function<JobResult(const storage::v1::Job& job)>;

  JobWorker(RedisClient& redis, QueueKeys keys, const Clock& clock,
            Metrics& metrics, JobWorkerOptions options, Handler handler);
  ~JobWorker();  // Stop()s
  JobWorker(const JobWorker&) = delete;
  JobWorker& operator=(const JobWorker&) = delete;

  const JobWorkerOptions& options() const { return options_; }

  // One poll (see the file comment), waiting up to `block` for new jobs
  // when there was nothing else to do. Returns how many jobs it settled
  // (done, skipped as duplicates, rescheduled or dead-lettered).
  absl::StatusOr<int> RunOnce(absl::Duration block = absl::ZeroDuration());

  // Polls until a poll settles nothing (tests, shutdown); returns the total.
  absl::StatusOr<int> Drain();

  // Starts the background thread (polls; after a Redis error waits a
  // little and polls again; every maintenance_interval trims the streams
  // and removes retired consumers). Stop() finishes the job in hand and joins;
  // jobs read but not handled stay pending for the next start.
  void Start();
  void Stop();

 private:
  // A job read from a stream.
  struct Delivery {
    v1::MessagePriority priority;
    StreamEntry entry;
    int64_t deliveries = 1;  // times delivered (1: first read)
    bool lost = false;       // claimed by another worker meanwhile
    bool done = false;       // its done key existed when the batch was read
    // The job, decoded once (by CheckDone) when `decoded`.
    bool decoded = false;
    storage::v1::Job job = {};
  };
  // A Done result waiting to be settled with others (settle_batch).
  struct PendingDone {
    std::string stream;
    std::string entry_id;
    std::string done_key;
    std::string channel;
    absl::Time enqueued;
  };
  enum class SettleAction { kDone, kSkip, kDelay, kDead };

  absl::StatusOr<int> Poll(absl::Duration block);
  absl::Status ReadPendingAndClaimed(std::vector<Delivery>& out);
  // This consumer's pending entries of a stream, without counting a
  // delivery.
  absl::StatusOr<std::vector<StreamEntry>> PeekOwnPending(
      const std::string& stream);
  // Promotes the due delayed jobs and reads new ones (new_jobs_read.h);
  // waits up to `block` on the streams when there was nothing.
  absl::Status ReadNew(absl::Duration block, std::vector<Delivery>& out);
  // Appends the entries of a read to `out`.
  static void AppendRead(NewJobsRead& read, std::vector<Delivery>& out);
  // Fills `deliveries` of entries this consumer owns (XPENDING).
  absl::Status FillDeliveryCounts(v1::MessagePriority priority,
                                  std::vector<Delivery>& deliveries);
  // Keeps the jobs of a batch from looking idle while earlier ones are
  // handled: resets the idle time of deliveries[from..] still owned by this
  // consumer and marks the others lost (another worker claimed them).
  absl::Status KeepOwnership(std::vector<Delivery>& deliveries, size_t from);
  // Handles one job (moves the decoded job out of `delivery`).
  absl::Status Handle(Delivery& delivery);
  absl::Status DeadLetter(const Delivery& delivery, storage::v1::Job job,
                          v1::DeadLetterReason reason,
                          absl::string_view raw = "");
  absl::Status Delay(const Delivery& delivery, const storage::v1::Job& job,
                     absl::Time due, bool is_retry);
  // Looks up the done keys of a batch in one round trip (Delivery::done).
  absl::Status CheckDone(std::vector<Delivery>& deliveries);
  // Settles the Done results waiting in pending_done_: one script call per
  // stream acknowledges, deletes and marks done all of them.
  absl::Status FlushDone();
  // The settle script's keys and arguments.
  std::pair<std::vector<std::string>, std::vector<std::string>> SettleCall(
      const Delivery& delivery, const storage::v1::Job* job,
      SettleAction action, std::vector<std::string> args) const;
  // Runs the settle script; returns whether this call acknowledged the
  // entry.
  absl::StatusOr<bool> Settle(const Delivery& delivery,
                              const storage::v1::Job* job, SettleAction action,
                              std::vector<std::string> args);
  // Whether the job is over its rate limit; counts it when not.
  absl::StatusOr<bool> OverRateLimit(const storage::v1::Job& job,
                                     const v1::ChannelPolicy& policy,
                                     absl::Time now);
  v1::ChannelPolicy PolicyOf(v1::ChannelType channel) const;
  // PolicyOf, looked up once per channel type and poll: a rule set that
  // changes applies from the next poll.
  const v1::ChannelPolicy& PolicyInPoll(v1::ChannelType channel);
  void Run();

  RedisClient& redis_;
  const QueueKeys keys_;
  const Clock& clock_;
  Metrics& metrics_;
  const JobWorkerOptions options_;
  Handler handler_;
  JobQueue queue_;
  Streams streams_;
  bool groups_ready_ = false;
  // Whether this consumer may own pending jobs it is not working on. After
  // a (re)start they are re-read with XREADGROUP 0, which counts a delivery
  // (a poison job that crashes its worker again and again reaches
  // max_claims even under a stable name); after a Redis error inside a poll
  // they are re-read without counting (XPENDING + XRANGE): a flapping Redis
  // must not turn good jobs into TOO_MANY_CLAIMS.
  enum class OwnPending { kNone, kAfterStart, kAfterError };
  OwnPending own_pending_ = OwnPending::kAfterStart;
  std::array<std::string, 3> claim_cursors_ = {"0-0", "0-0", "0-0"};
  std::mt19937_64 random_;
  std::vector<PendingDone> pending_done_;
  // When other consumers' idle jobs were last looked for (wall clock, as
  // Redis's idle times are).
  absl::Time last_claim_scan_ = absl::InfinitePast();
  // Idempotency keys handled in the current batch: a key that comes twice
  // in one batch (a replay beside its original) is sent once.
  std::set<std::string> done_in_batch_;
  std::map<v1::ChannelType, v1::ChannelPolicy> policies_in_poll_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_QUEUE_JOB_WORKER_H_
