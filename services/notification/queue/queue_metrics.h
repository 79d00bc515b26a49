// File: services/notification/queue/queue_metrics.h
//
// The Prometheus metrics of the delivery engine (common/metrics.h):
//   partydev_notification_deliveries_total{channel,outcome}   outcome =
//       delivered | retry | deferred | throttled | dead_lettered | duplicate
//   partydev_notification_retries_total{channel}
//   partydev_notification_dead_letters_total{reason}
//   partydev_notification_delivery_latency_seconds{channel}   enqueue -> done
//   partydev_notification_queue_depth{priority}               gauges, set by
//   partydev_notification_oldest_pending_age_seconds{priority}  ExportQueue-
//   partydev_notification_delayed_jobs, ..._dead_letters        Gauges

#ifndef PARTYDEV_SERVICES_NOTIFICATION_QUEUE_QUEUE_METRICS_H_
#define PARTYDEV_SERVICES_NOTIFICATION_QUEUE_QUEUE_METRICS_H_

#include "common/metrics.h"

namespace partydev::notification {

inline constexpr char kDeliveriesTotal[] =
    "partydev_notification_deliveries_total";
inline constexpr char kRetriesTotal[] = "partydev_notification_retries_total";
inline constexpr char kDeadLettersTotal[] =
    "partydev_notification_dead_letters_total";
inline constexpr char kDeliveryLatency[] =
    "partydev_notification_delivery_latency_seconds";
inline constexpr char kQueueDepth[] = "partydev_notification_queue_depth";
inline constexpr char kOldestPendingAge[] =
    "partydev_notification_oldest_pending_age_seconds";
inline constexpr char kDelayedJobs[] = "partydev_notification_delayed_jobs";
inline constexpr char kDeadLetterGauge[] = "partydev_notification_dead_letters";

// Outcome label values.
inline constexpr char kOutcomeDelivered[] = "delivered";
inline constexpr char kOutcomeRetry[] = "retry";
inline constexpr char kOutcomeDeferred[] = "deferred";
inline constexpr char kOutcomeThrottled[] = "throttled";
inline constexpr char kOutcomeDeadLettered[] = "dead_lettered";
inline constexpr char kOutcomeDuplicate[] = "duplicate";

// Describes every metric above (help texts, histogram buckets).
void DescribeQueueMetrics(Metrics& metrics);

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_QUEUE_QUEUE_METRICS_H_
