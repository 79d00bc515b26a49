// File: services/notification/queue/new_jobs_read.h
//
// What a worker's poll asks Redis for when it has no pending or claimed
// jobs of its own: the delayed jobs due now (to promote) and the new jobs
// of the priority streams, urgent before normal before digest, `count` in
// all. A lower priority is read only when the higher ones had fewer than
// `count` (the order of job_worker.h).
//
// The due lookup and the urgent read go in one pipeline; the normal and
// digest reads follow only while the batch has room. A busy worker polls
// every few milliseconds and each round trip costs more than the reads
// themselves (issue #6: the delayed zset used to be looked up in a round
// trip of its own on every poll). The due jobs are moved by JobQueue::
// PromoteMembers, whose script names every key it touches (the job
// records). Reading the streams inside a script instead would save the
// round trips of the lower priorities, but copying every job's bytes into
// Lua and back cost Redis more CPU than those round trips (bench/README.md).
//
//   absl::StatusOr<NewJobsRead> read =
//       ReadDueAndNew(redis, keys, "notifyd-host1-0", 50, now, 100);

#ifndef PARTYDEV_SERVICES_NOTIFICATION_QUEUE_NEW_JOBS_READ_H_
#define PARTYDEV_SERVICES_NOTIFICATION_QUEUE_NEW_JOBS_READ_H_

#include <array>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/redis_client.h"
#include "common/streams.h"
#include "services/notification/queue/queue_keys.h"

namespace partydev::notification {

struct NewJobsRead {
  // Members of the delayed zset due at `now` (at most `due_limit`).
  std::vector<std::string> due;
  // The entries read, per priority in the order of kPriorities; now
  // pending in `consumer`.
  std::array<std::vector<StreamEntry>, kPriorities.size()> entries;
};

// Reads (XREADGROUP ... >, without blocking) up to `count` new jobs for
// `consumer` of the group of `keys`, and the first `due_limit` delayed
// members due at `now` (none when `due_limit` <= 0).
absl::StatusOr<NewJobsRead> ReadDueAndNew(RedisClient& redis,
                                          const QueueKeys& keys,
                                          absl::string_view consumer, int count,
                                          absl::Time now, int due_limit);

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_QUEUE_NEW_JOBS_READ_H_
