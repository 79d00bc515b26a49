#include "services/notification/queue/queue_metrics.h"

#include <vector>

namespace partydev::notification {

void DescribeQueueMetrics(Metrics& metrics) {
  metrics.DescribeCounter(kDeliveriesTotal,
                          "Delivery attempts by channel type and outcome");
  metrics.DescribeCounter(kRetriesTotal, "Retries scheduled by channel type");
  metrics.DescribeCounter(kDeadLettersTotal, "Jobs dead-lettered by reason");
  // Deliveries wait seconds to hours (quiet hours, retries): buckets from
  // 10 ms to a day.
  metrics.DescribeHistogram(
      kDeliveryLatency, "Time from enqueue to delivery",
      {0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800, 3600, 4 * 3600.0, 86400});
  metrics.DescribeGauge(kQueueDepth, "Jobs waiting or pending per priority");
  metrics.DescribeGauge(kOldestPendingAge,
                        "Age of the oldest unacknowledged job per priority");
  metrics.DescribeGauge(kDelayedJobs, "Jobs waiting for their time");
  metrics.DescribeGauge(kDeadLetterGauge, "Dead letters in state DEAD");
}

}  // namespace partydev::notification
