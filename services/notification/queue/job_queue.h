// File: services/notification/queue/job_queue.h
//
// Putting jobs on the delivery engine's queues. A job is enqueued in the
// same atomic step as the change that caused it (the outbox of design.md):
// the caller stages it into its own AtomicWrite, beside the records it
// writes, and commits once. A job due now goes to the stream of its
// priority; a later one to the delayed zset (with its bytes under
// q:job:<id>), from which PromoteDue moves it to its stream when due —
// exactly once, whichever and however many workers promote, because one
// Lua script removes it from the zset and appends it only if the removal
// happened.
//
//   JobQueue queue(redis, QueueKeys("{pd:notification}:"), clock);
//   AtomicWrite write;
//   write.Put(message_key, message.SerializeAsString());
//   queue.StageEnqueue(write, job, clock.Now());
//   write.Commit(redis);
//
// Thread-safe.

#ifndef PARTYDEV_SERVICES_NOTIFICATION_QUEUE_JOB_QUEUE_H_
#define PARTYDEV_SERVICES_NOTIFICATION_QUEUE_JOB_QUEUE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/atomic_write.h"
#include "common/clock.h"
#include "common/redis_client.h"
#include "google/protobuf/timestamp.pb.h"
#include "partydev/storage/v1/jobs.pb.h"
#include "services/notification/queue/queue_keys.h"

namespace partydev::notification {

// Timestamps of jobs. An unset Timestamp is absl::InfinitePast().
google::protobuf::Timestamp ToTimestamp(absl::Time time);
absl::Time FromTimestamp(const google::protobuf::Timestamp& timestamp);

class JobQueue {
 public:
  JobQueue(RedisClient& redis, QueueKeys keys, const Clock& clock);

  const QueueKeys& keys() const { return keys_; }

  // Creates the consumer group of every priority stream (and the streams)
  // when absent, starting at the beginning, so that jobs enqueued before
  // the first worker started are read too. Idempotent.
  absl::Status EnsureGroups();

  // Stages `job` into `write`: fills what is missing (id: a new UUID;
  // idempotency_key: the id; enqueue_time: `now`), then XADD to its
  // priority stream when due (not_before unset or <= now), else adds it to
  // the delayed zset. Returns the job id.
  std::string StageEnqueue(AtomicWrite& write, storage::v1::Job job,
                           absl::Time now) const;

  // StageEnqueue in a write of its own, committed at once.
  absl::StatusOr<std::string> Enqueue(storage::v1::Job job);

  // Moves up to `limit` delayed jobs due at the clock's now to their
  // streams. Returns how many this call moved (others may have been moved
  // by another worker at the same time: each exactly once).
  absl::StatusOr<int> PromoteDue(int limit = 100);

  // Moves these members of the delayed zset (as read from it, e.g. by a
  // worker's poll: new_jobs_read.h) to their streams, each only if it is
  // still there and due at `now`: exactly once, as PromoteDue. Returns how
  // many this call moved.
  absl::StatusOr<int> PromoteMembers(const std::vector<std::string>& members,
                                     absl::Time now);

 private:
  RedisClient& redis_;
  const QueueKeys keys_;
  const Clock& clock_;
};

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_QUEUE_JOB_QUEUE_H_
