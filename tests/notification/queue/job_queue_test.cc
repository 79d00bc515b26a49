// Tests of enqueueing and delivering: the outbox (a job is written with the
// change that caused it, or not at all), priorities, delayed jobs that fire
// at their time exactly once even with two workers racing, and no accepted
// job lost when Redis is killed (AOF, appendfsync always).

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/atomic_write.h"
#include "common/streams.h"
#include "tests/notification/queue/queue_fixture.h"

namespace partydev::notification {
namespace {

TEST_F(QueueTest, EnqueuedJobIsDeliveredOnceAndAcknowledged) {
  storage::v1::Job job = MakeJob("k1");
  const std::string id = Enqueue(job);
  ASSERT_FALSE(id.empty());

  storage::v1::Job seen;
  auto worker = MakeWorker("w1", [&](const storage::v1::Job& j) {
    seen = j;
    return JobResult::Done();
  });
  absl::StatusOr<int> settled = worker->RunOnce();
  ASSERT_TRUE(settled.ok()) << settled.status();
  EXPECT_EQ(*settled, 1);
  EXPECT_EQ(seen.id(), id);
  EXPECT_EQ(seen.idempotency_key(), "k1");
  EXPECT_EQ(seen.payload(), "payload-k1");
  EXPECT_EQ(FromTimestamp(seen.enqueue_time()), Start());
  // Acknowledged and deleted; the effect is remembered.
  EXPECT_EQ(PendingOf(v1::MESSAGE_PRIORITY_NORMAL), 0);
  EXPECT_EQ(Integer({"XLEN", keys_.Stream(v1::MESSAGE_PRIORITY_NORMAL)}), 0);
  EXPECT_EQ(Integer({"EXISTS", keys_.Done("k1")}), 1);
  EXPECT_GT(Integer({"PTTL", keys_.Done("k1")}), 0);
  // Nothing more to do.
  settled = worker->RunOnce();
  ASSERT_TRUE(settled.ok());
  EXPECT_EQ(*settled, 0);
}

TEST_F(QueueTest, IdAndIdempotencyKeyAreFilledWhenMissing) {
  storage::v1::Job job = MakeJob("");
  job.clear_idempotency_key();
  const std::string id = Enqueue(job);
  storage::v1::Job seen;
  auto worker = MakeWorker("w1", [&](const storage::v1::Job& j) {
    seen = j;
    return JobResult::Done();
  });
  ASSERT_TRUE(worker->RunOnce().ok());
  EXPECT_EQ(seen.id(), id);
  EXPECT_EQ(id.size(), 36u);
  EXPECT_EQ(seen.idempotency_key(), id);
}

TEST_F(QueueTest, JobIsWrittenOnlyWithTheChangeThatCausedIt) {
  const std::string record = Key("messages/m1");
  AtomicWrite write;
  write.Expect(record, 5);  // stale: the record does not exist
  write.Put(record, "message");
  queue_->StageEnqueue(write, MakeJob("k1"), clock_.Now());
  absl::StatusOr<WriteResult> result = write.Commit(*redis_);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(Integer({"XLEN", keys_.Stream(v1::MESSAGE_PRIORITY_NORMAL)}), 0);

  AtomicWrite ok;
  ok.Expect(record, 0);
  ok.Put(record, "message");
  storage::v1::Job later = MakeJob("k2");
  *later.mutable_not_before() = ToTimestamp(clock_.Now() + absl::Hours(1));
  queue_->StageEnqueue(ok, MakeJob("k1"), clock_.Now());
  queue_->StageEnqueue(ok, later, clock_.Now());
  ASSERT_TRUE(ok.Commit(*redis_).ok());
  EXPECT_EQ(Integer({"XLEN", keys_.Stream(v1::MESSAGE_PRIORITY_NORMAL)}), 1);
  EXPECT_EQ(Integer({"ZCARD", keys_.Delayed()}), 1);
}

TEST_F(QueueTest, UrgentBeforeNormalBeforeDigest) {
  Enqueue(MakeJob("d1", v1::MESSAGE_PRIORITY_DIGEST));
  Enqueue(MakeJob("n1", v1::MESSAGE_PRIORITY_NORMAL));
  Enqueue(MakeJob("d2", v1::MESSAGE_PRIORITY_DIGEST));
  Enqueue(MakeJob("u1", v1::MESSAGE_PRIORITY_URGENT));
  Enqueue(MakeJob("n2", v1::MESSAGE_PRIORITY_UNSPECIFIED));  // = normal
  Enqueue(MakeJob("u2", v1::MESSAGE_PRIORITY_URGENT));
  auto worker = MakeWorker("w1", Recording(*redis_),
                           [](JobWorkerOptions& o) { o.batch = 2; });
  absl::StatusOr<int> total = worker->Drain();
  ASSERT_TRUE(total.ok()) << total.status();
  EXPECT_EQ(*total, 6);
  EXPECT_EQ(Order(),
            (std::vector<std::string>{"u1", "u2", "n1", "n2", "d1", "d2"}));
}

TEST_F(QueueTest, UrgentEnqueuedLaterOvertakesWaitingNormalJobs) {
  for (int i = 0; i < 4; ++i) Enqueue(MakeJob(absl::StrCat("n", i)));
  auto worker = MakeWorker("w1", Recording(*redis_),
                           [](JobWorkerOptions& o) { o.batch = 2; });
  ASSERT_TRUE(worker->RunOnce().ok());  // n0, n1
  Enqueue(MakeJob("u", v1::MESSAGE_PRIORITY_URGENT));
  ASSERT_TRUE(worker->Drain().ok());
  EXPECT_EQ(Order(), (std::vector<std::string>{"n0", "n1", "u", "n2", "n3"}));
}

TEST_F(QueueTest, DelayedJobFiresAtItsTime) {
  storage::v1::Job job = MakeJob("reminder");
  *job.mutable_not_before() = ToTimestamp(Start() + absl::Minutes(10));
  Enqueue(job);
  auto worker = MakeWorker("w1", Recording(*redis_));
  ASSERT_TRUE(worker->RunOnce().ok());
  EXPECT_EQ(Calls("reminder"), 0);
  EXPECT_EQ(Integer({"ZCARD", keys_.Delayed()}), 1);

  clock_.Advance(absl::Minutes(10) - absl::Milliseconds(1));
  ASSERT_TRUE(worker->RunOnce().ok());
  EXPECT_EQ(Calls("reminder"), 0);

  clock_.Advance(absl::Milliseconds(1));
  absl::StatusOr<int> settled = worker->RunOnce();
  ASSERT_TRUE(settled.ok());
  EXPECT_EQ(*settled, 1);
  EXPECT_EQ(Calls("reminder"), 1);
  EXPECT_EQ(Integer({"ZCARD", keys_.Delayed()}), 0);
  EXPECT_EQ(Integer({"EXISTS", keys_.Job(job.id())}), 0);

  clock_.Advance(absl::Hours(1));
  ASSERT_TRUE(worker->Drain().ok());
  EXPECT_EQ(Calls("reminder"), 1);
}

TEST_F(QueueTest, DelayedJobsArePromotedExactlyOnceByRacingWorkers) {
  constexpr int kJobs = 300;
  for (int i = 0; i < kJobs; ++i) {
    storage::v1::Job job = MakeJob(absl::StrCat("r", i));
    *job.mutable_not_before() = ToTimestamp(Start() + absl::Seconds(1 + i % 7));
    Enqueue(job);
  }
  clock_.Advance(absl::Minutes(1));
  // Two queues promoting at the same time, many small batches each.
  std::atomic<int> moved{0};
  auto promote = [&] {
    JobQueue queue(*redis_, keys_, clock_);
    while (true) {
      absl::StatusOr<int> n = queue.PromoteDue(7);
      ASSERT_TRUE(n.ok()) << n.status();
      moved += *n;
      absl::StatusOr<RedisReply> left =
          redis_->Command({"ZCARD", keys_.Delayed()});
      ASSERT_TRUE(left.ok());
      if (left->integer() == 0) return;
    }
  };
  std::thread a(promote), b(promote);
  a.join();
  b.join();
  EXPECT_EQ(moved.load(), kJobs);
  // Appended once each, ever (entries-added counts every XADD).
  Streams streams(*redis_);
  absl::StatusOr<StreamInfo> info =
      streams.Info(keys_.Stream(v1::MESSAGE_PRIORITY_NORMAL));
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->entries_added, kJobs);
  EXPECT_EQ(info->length, kJobs);
}

TEST_F(QueueTest, TwoWorkersFireEachDelayedJobOnce) {
  constexpr int kJobs = 60;
  for (int i = 0; i < kJobs; ++i) {
    storage::v1::Job job = MakeJob(absl::StrCat("r", i));
    *job.mutable_not_before() = ToTimestamp(Start() + absl::Minutes(5));
    Enqueue(job);
  }
  // Claims are not what this test is about: a loaded machine must not turn
  // a slow batch into a claim.
  auto long_idle = [](JobWorkerOptions& o) {
    o.claim_min_idle = absl::Seconds(30);
  };
  auto w1 = MakeWorker("w1", Recording(*redis_), long_idle);
  auto w2 = MakeWorker("w2", Recording(*redis_), long_idle);
  ASSERT_TRUE(w1->RunOnce().ok());
  ASSERT_TRUE(w2->RunOnce().ok());
  EXPECT_EQ(EffectCount(), 0);
  clock_.Advance(absl::Minutes(5));
  w1->Start();
  w2->Start();
  for (int i = 0; i < 200 && EffectCount() < kJobs; ++i) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  w1->Stop();
  w2->Stop();
  EXPECT_EQ(EffectCount(), kJobs);
  for (int i = 0; i < kJobs; ++i) {
    EXPECT_EQ(Calls(absl::StrCat("r", i)), 1) << i;
  }
  Streams streams(*redis_);
  absl::StatusOr<StreamInfo> info =
      streams.Info(keys_.Stream(v1::MESSAGE_PRIORITY_NORMAL));
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->entries_added, kJobs);
}

// Redis killed (SIGKILL) right after accepting jobs: with appendfsync
// always, every accepted job is still there after the restart.
TEST_F(QueueTest, AcceptedJobsSurviveARedisCrash) {
  constexpr int kNow = 40;
  for (int i = 0; i < kNow; ++i) Enqueue(MakeJob(absl::StrCat("j", i)));
  for (int i = 0; i < 5; ++i) {
    storage::v1::Job job = MakeJob(absl::StrCat("later", i));
    *job.mutable_not_before() = ToTimestamp(Start() + absl::Hours(1));
    Enqueue(job);
  }
  // A worker takes a batch and handles part of it before the crash.
  auto worker = MakeWorker("w1", Recording(*redis_),
                           [](JobWorkerOptions& o) { o.batch = 5; });
  ASSERT_TRUE(worker->RunOnce().ok());
  EXPECT_EQ(EffectCount(), 5);

  server_->Kill();
  EXPECT_FALSE(worker->RunOnce().ok());
  ASSERT_TRUE(server_->Start().ok());

  clock_.Advance(absl::Hours(1));
  absl::StatusOr<int> drained;
  for (int i = 0; i < 50; ++i) {  // the client reconnects with backoff
    drained = worker->Drain();
    if (drained.ok()) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_TRUE(drained.ok()) << drained.status();
  EXPECT_EQ(EffectCount(), kNow + 5);
  for (int i = 0; i < kNow; ++i) {
    EXPECT_EQ(Calls(absl::StrCat("j", i)), 1) << i;
  }
  EXPECT_EQ(PendingOf(v1::MESSAGE_PRIORITY_NORMAL), 0);
}

}  // namespace
}  // namespace partydev::notification

namespace partydev::notification {
namespace {

TEST_F(QueueTest, DoneResultsSettledABatchAtATime) {
  // 25 jobs over two priorities, and one key that comes twice (a replay
  // beside its original): settled 10 at a time, every job once.
  for (int i = 0; i < 20; ++i) Enqueue(MakeJob(absl::StrCat("n", i)));
  for (int i = 0; i < 5; ++i) {
    Enqueue(MakeJob(absl::StrCat("u", i), v1::MESSAGE_PRIORITY_URGENT));
  }
  Enqueue(MakeJob("n3"));
  auto worker = MakeWorker("w-batch", Recording(*redis_),
                           [](JobWorkerOptions& o) { o.settle_batch = 10; });
  absl::StatusOr<int> drained = worker->Drain();
  ASSERT_TRUE(drained.ok()) << drained.status();
  EXPECT_EQ(*drained, 26);
  EXPECT_EQ(EffectCount(), 25);
  EXPECT_EQ(Calls("n3"), 1);  // the second n3 was a duplicate
  for (v1::MessagePriority p :
       {v1::MESSAGE_PRIORITY_NORMAL, v1::MESSAGE_PRIORITY_URGENT}) {
    EXPECT_EQ(PendingOf(p), 0);
    EXPECT_EQ(Integer({"XLEN", keys_.Stream(p)}), 0);
  }
  EXPECT_EQ(Integer({"EXISTS", keys_.Done("u4")}), 1);
  EXPECT_GT(Integer({"PTTL", keys_.Done("n19")}), 0);
  EXPECT_EQ(metrics_.Value("partydev_notification_deliveries_total",
                           {{"channel", "in_app"}, {"outcome", "delivered"}}),
            25);
}

}  // namespace
}  // namespace partydev::notification
