// Tests of the queue statistics against a situation built by hand: every
// number of QueueStats is checked, and the gauges exported from it.

#include "services/notification/queue/queue_stats.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/streams.h"
#include "services/notification/queue/queue_metrics.h"
#include "tests/notification/queue/queue_fixture.h"

namespace partydev::notification {
namespace {

absl::Duration FromProto(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

TEST_F(QueueTest, StatsDescribeAKnownSituation) {
  // A webhook job that fails once (a retry scheduled in 5 s by default) and
  // one that dies.
  auto worker = MakeWorker("w1", [](const storage::v1::Job& job) {
    return job.idempotency_key() == "retry"
               ? JobResult::Retry("HTTP 502", 502)
               : JobResult::Dead(v1::DEAD_LETTER_REASON_PERMANENT_FAILURE,
                                 "HTTP 400", 400);
  });
  Enqueue(
      MakeJob("retry", v1::MESSAGE_PRIORITY_NORMAL, v1::CHANNEL_TYPE_WEBHOOK));
  Enqueue(
      MakeJob("dies", v1::MESSAGE_PRIORITY_NORMAL, v1::CHANNEL_TYPE_WEBHOOK));
  ASSERT_TRUE(worker->Drain().ok());
  // A reminder due in 2 hours.
  storage::v1::Job reminder = MakeJob("reminder");
  *reminder.mutable_not_before() = ToTimestamp(Start() + absl::Hours(2));
  Enqueue(reminder);

  // Urgent: two jobs at T0, one read by "c1" and not acknowledged.
  Enqueue(MakeJob("u1", v1::MESSAGE_PRIORITY_URGENT));
  Enqueue(MakeJob("u2", v1::MESSAGE_PRIORITY_URGENT));
  Streams streams(*redis_);
  ASSERT_EQ(streams
                .ReadGroup(keys_.Stream(v1::MESSAGE_PRIORITY_URGENT),
                           keys_.group(), "c1", 1, absl::ZeroDuration())
                ->size(),
            1u);
  // Normal: three waiting, enqueued at T0 + 30 s.
  clock_.Advance(absl::Seconds(30));
  for (int i = 0; i < 3; ++i) Enqueue(MakeJob(absl::StrCat("n", i)));
  clock_.Advance(absl::Seconds(60));  // now T0 + 90 s

  absl::StatusOr<v1::QueueStats> stats =
      ReadQueueStats(*redis_, keys_, clock_.Now(), &metrics_);
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->name(), "queueStats");
  ASSERT_EQ(stats->queues_size(), 3);
  const v1::PriorityQueueStats& urgent = stats->queues(0);
  EXPECT_EQ(urgent.priority(), v1::MESSAGE_PRIORITY_URGENT);
  EXPECT_EQ(urgent.depth(), 2);
  EXPECT_EQ(urgent.waiting(), 1);
  EXPECT_EQ(urgent.pending(), 1);
  EXPECT_EQ(urgent.consumers(), 2);  // w1 and c1
  EXPECT_EQ(FromProto(urgent.oldest_pending_age()), absl::Seconds(90));
  const v1::PriorityQueueStats& normal = stats->queues(1);
  EXPECT_EQ(normal.priority(), v1::MESSAGE_PRIORITY_NORMAL);
  EXPECT_EQ(normal.depth(), 3);
  EXPECT_EQ(normal.waiting(), 3);
  EXPECT_EQ(normal.pending(), 0);
  EXPECT_EQ(FromProto(normal.oldest_pending_age()), absl::Seconds(60));
  const v1::PriorityQueueStats& digest = stats->queues(2);
  EXPECT_EQ(digest.depth(), 0);
  EXPECT_EQ(FromProto(digest.oldest_pending_age()), absl::ZeroDuration());

  EXPECT_EQ(stats->delayed(), 2);
  EXPECT_EQ(stats->retries_scheduled(), 1);
  EXPECT_EQ(FromTimestamp(stats->next_delayed_time()),
            Start() + absl::Seconds(5));
  EXPECT_EQ(stats->dead_letter_count(), 1);
  EXPECT_EQ(FromTimestamp(stats->compute_time()), clock_.Now());

  int c1_pending = -1;
  for (const v1::ConsumerStats& c : stats->consumers()) {
    if (c.name() == "c1" && c.priority() == v1::MESSAGE_PRIORITY_URGENT) {
      c1_pending = static_cast<int>(c.pending());
    }
  }
  EXPECT_EQ(c1_pending, 1);
  bool webhook_seen = false;
  for (const v1::ChannelDeliveryStats& c : stats->channels()) {
    if (c.channel() != v1::CHANNEL_TYPE_WEBHOOK) continue;
    webhook_seen = true;
    EXPECT_EQ(c.delivered(), 0);
    EXPECT_EQ(c.retries(), 1);
    EXPECT_EQ(c.dead_lettered(), 1);
  }
  EXPECT_TRUE(webhook_seen);

  ExportQueueGauges(*stats, metrics_);
  EXPECT_EQ(metrics_.Value(kQueueDepth, {{"priority", "normal"}}), 3);
  EXPECT_EQ(metrics_.Value(kOldestPendingAge, {{"priority", "urgent"}}), 90);
  EXPECT_EQ(metrics_.Value(kDelayedJobs, {}), 2);
  EXPECT_EQ(metrics_.Value(kDeadLetterGauge, {}), 1);

  // Handling everything empties the queues.
  clock_.Advance(absl::Hours(3));
  auto drain = MakeWorker("w1", Recording(*redis_), [](JobWorkerOptions& o) {
    o.claim_min_idle = absl::Milliseconds(1);
  });
  absl::SleepFor(absl::Milliseconds(5));
  ASSERT_TRUE(drain->Drain().ok());
  stats = ReadQueueStats(*redis_, keys_, clock_.Now(), nullptr);
  ASSERT_TRUE(stats.ok());
  for (const auto& q : stats->queues()) EXPECT_EQ(q.depth(), 0);
  EXPECT_EQ(stats->delayed(), 0);
  EXPECT_EQ(stats->retries_scheduled(), 0);
}

}  // namespace
}  // namespace partydev::notification
