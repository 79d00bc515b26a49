// File: services/notification/queue/queue_stats.h
//
// A snapshot of the delivery engine (notification.v1.QueueStats): per
// priority the depth (waiting + pending), the oldest unacknowledged job's
// age and the workers; the delayed jobs (and of them the retries) with the
// next due time; the dead letters in state DEAD; per worker its pending
// jobs and idle time; per channel, from the metrics, what this process
// delivered, retried and dead-lettered.
//
// Ages are measured with the engine's clock from the job's own times
// (the later of enqueue_time and not_before: a retry waits from its due
// time), not from the stream ids, which carry Redis's clock.

#ifndef PARTYDEV_SERVICES_NOTIFICATION_QUEUE_QUEUE_STATS_H_
#define PARTYDEV_SERVICES_NOTIFICATION_QUEUE_QUEUE_STATS_H_

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/metrics.h"
#include "common/redis_client.h"
#include "partydev/notification/v1/operations.pb.h"
#include "services/notification/queue/queue_keys.h"

namespace partydev::notification {

// Reads the snapshot at `now`. `metrics` (may be null) fills `channels`.
absl::StatusOr<v1::QueueStats> ReadQueueStats(RedisClient& redis,
                                              const QueueKeys& keys,
                                              absl::Time now,
                                              const Metrics* metrics);

// Sets the gauges of queue_metrics.h from a snapshot (queue depth and
// oldest pending age per priority, delayed jobs, dead letters).
void ExportQueueGauges(const v1::QueueStats& stats, Metrics& metrics);

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_QUEUE_QUEUE_STATS_H_
