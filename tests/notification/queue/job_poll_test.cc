// Tests of what one poll of a worker reads and settles, now that it does so
// in fewer round trips (issue #6, new_jobs_read.h): due delayed jobs are
// promoted with the read and handled in their place by priority, a lower
// priority is not read while a higher one fills the batch, the done keys of
// a batch are looked up together, the channel policy once per poll, and
// batched Done results still count every delivery of every channel.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/notification/queue/queue_metrics.h"
#include "tests/notification/queue/queue_fixture.h"

namespace partydev::notification {
namespace {

using PollTest = QueueTest;

storage::v1::Job DueAt(storage::v1::Job job, absl::Time due) {
  *job.mutable_not_before() = ToTimestamp(due);
  return job;
}

// An urgent reminder that falls due while normal jobs wait is handled
// before them in the poll that promotes it, although the streams were read
// before it was promoted.
TEST_F(PollTest, PromotedUrgentJobGoesBeforeNormalJobsOfThePoll) {
  Enqueue(DueAt(MakeJob("u", v1::MESSAGE_PRIORITY_URGENT),
                Start() + absl::Minutes(1)));
  Enqueue(MakeJob("n1"));
  Enqueue(MakeJob("n2"));
  clock_.Advance(absl::Minutes(1));
  auto worker = MakeWorker("w1", Recording(*redis_));
  absl::StatusOr<int> settled = worker->RunOnce();
  ASSERT_TRUE(settled.ok()) << settled.status();
  EXPECT_EQ(*settled, 3);
  EXPECT_EQ(Order(), (std::vector<std::string>{"u", "n1", "n2"}));
  EXPECT_EQ(Integer({"ZCARD", keys_.Delayed()}), 0);
}

// Due jobs are promoted even when new jobs fill the batch; they are read by
// the next poll.
TEST_F(PollTest, DueJobsArePromotedWhenTheBatchIsFull) {
  Enqueue(DueAt(MakeJob("later"), Start() + absl::Seconds(30)));
  Enqueue(MakeJob("n1"));
  Enqueue(MakeJob("n2"));
  clock_.Advance(absl::Seconds(30));
  auto worker = MakeWorker("w1", Recording(*redis_),
                           [](JobWorkerOptions& o) { o.batch = 2; });
  absl::StatusOr<int> settled = worker->RunOnce();
  ASSERT_TRUE(settled.ok()) << settled.status();
  EXPECT_EQ(*settled, 2);
  EXPECT_EQ(Calls("later"), 0);
  EXPECT_EQ(Integer({"ZCARD", keys_.Delayed()}), 0);
  EXPECT_EQ(Integer({"XLEN", keys_.Stream(v1::MESSAGE_PRIORITY_NORMAL)}), 1);
  settled = worker->RunOnce();
  ASSERT_TRUE(settled.ok()) << settled.status();
  EXPECT_EQ(*settled, 1);
  EXPECT_EQ(Calls("later"), 1);
}

// A delayed job is not promoted a millisecond early, and is in the poll at
// its due time.
TEST_F(PollTest, DelayedJobIsReadByThePollAtItsDueTime) {
  Enqueue(DueAt(MakeJob("at-nine"), Start() + absl::Hours(1)));
  auto worker = MakeWorker("w1", Recording(*redis_));
  clock_.Advance(absl::Hours(1) - absl::Milliseconds(1));
  absl::StatusOr<int> settled = worker->RunOnce();
  ASSERT_TRUE(settled.ok()) << settled.status();
  EXPECT_EQ(*settled, 0);
  EXPECT_EQ(Integer({"ZCARD", keys_.Delayed()}), 1);
  clock_.Advance(absl::Milliseconds(1));
  settled = worker->RunOnce();
  ASSERT_TRUE(settled.ok()) << settled.status();
  EXPECT_EQ(*settled, 1);
  EXPECT_EQ(Calls("at-nine"), 1);
}

// Reading a lower priority in the same round trip as a higher one would
// take jobs the poll cannot reach; they would wait, pending, behind the
// urgent jobs that come meanwhile. Nothing is read from the normal stream
// while urgent jobs fill the batch.
TEST_F(PollTest, LowerPriorityIsNotReadWhileAHigherOneFillsTheBatch) {
  Enqueue(MakeJob("n1"));
  Enqueue(MakeJob("u1", v1::MESSAGE_PRIORITY_URGENT));
  Enqueue(MakeJob("u2", v1::MESSAGE_PRIORITY_URGENT));
  auto worker = MakeWorker("w1", Recording(*redis_),
                           [](JobWorkerOptions& o) { o.batch = 2; });
  absl::StatusOr<int> settled = worker->RunOnce();
  ASSERT_TRUE(settled.ok()) << settled.status();
  EXPECT_EQ(*settled, 2);
  EXPECT_EQ(Order(), (std::vector<std::string>{"u1", "u2"}));
  EXPECT_EQ(PendingOf(v1::MESSAGE_PRIORITY_NORMAL), 0);
  EXPECT_EQ(Integer({"XLEN", keys_.Stream(v1::MESSAGE_PRIORITY_NORMAL)}), 1);
  ASSERT_TRUE(worker->Drain().ok());
  EXPECT_EQ(Order(), (std::vector<std::string>{"u1", "u2", "n1"}));
}

// The done keys of a batch are looked up together: each answer belongs to
// its own job.
TEST_F(PollTest, DoneKeysOfABatchAreMatchedToTheirJobs) {
  for (const char* key : {"a", "b", "c", "d"}) Enqueue(MakeJob(key));
  ASSERT_TRUE(redis_->Command({"SET", keys_.Done("b"), "1"}).ok());
  ASSERT_TRUE(redis_->Command({"SET", keys_.Done("d"), "1"}).ok());
  auto worker = MakeWorker("w1", Recording(*redis_));
  absl::StatusOr<int> settled = worker->RunOnce();
  ASSERT_TRUE(settled.ok()) << settled.status();
  EXPECT_EQ(*settled, 4);
  EXPECT_EQ(Order(), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(metrics_.Value(kDeliveriesTotal,
                           {{"channel", "in_app"}, {"outcome", "duplicate"}}),
            2);
  EXPECT_EQ(PendingOf(v1::MESSAGE_PRIORITY_NORMAL), 0);
}

// The rule set's policy is asked once per channel type and poll, not once
// per job; a change reaches the next poll.
TEST_F(PollTest, ChannelPolicyIsLookedUpOncePerPoll) {
  for (int i = 0; i < 6; ++i) Enqueue(MakeJob(absl::StrCat("j", i)));
  Enqueue(MakeJob("mail", v1::MESSAGE_PRIORITY_NORMAL, v1::CHANNEL_TYPE_EMAIL));
  int lookups = 0;
  auto worker = MakeWorker("w1", Recording(*redis_), [&](JobWorkerOptions& o) {
    o.policy = [&lookups](v1::ChannelType channel) {
      ++lookups;
      v1::ChannelPolicy policy;
      policy.set_channel(channel);
      return policy;
    };
  });
  ASSERT_TRUE(worker->RunOnce().ok());
  EXPECT_EQ(EffectCount(), 7);
  EXPECT_EQ(lookups, 2);  // in-app and e-mail
  Enqueue(MakeJob("next"));
  ASSERT_TRUE(worker->RunOnce().ok());
  EXPECT_EQ(lookups, 3);
}

// Done results settled a batch at a time still count every delivery, per
// channel, and observe each one's latency.
TEST_F(PollTest, BatchedDoneResultsCountEveryChannel) {
  Enqueue(MakeJob("a"));
  Enqueue(MakeJob("m", v1::MESSAGE_PRIORITY_NORMAL, v1::CHANNEL_TYPE_EMAIL));
  Enqueue(MakeJob("b"));
  auto worker = MakeWorker("w1", Recording(*redis_),
                           [](JobWorkerOptions& o) { o.settle_batch = 10; });
  clock_.Advance(absl::Seconds(2));
  ASSERT_TRUE(worker->Drain().ok());
  EXPECT_EQ(metrics_.Value(kDeliveriesTotal,
                           {{"channel", "in_app"}, {"outcome", "delivered"}}),
            2);
  EXPECT_EQ(metrics_.Value(kDeliveriesTotal,
                           {{"channel", "email"}, {"outcome", "delivered"}}),
            1);
  const std::string text = metrics_.Render();
  EXPECT_NE(text.find("partydev_notification_delivery_latency_seconds_count{"
                      "channel=\"in_app\"} 2"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("partydev_notification_delivery_latency_seconds_count{"
                      "channel=\"email\"} 1"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace partydev::notification
