// Tests of the worker: the retry schedule and the dead letters, replay with
// the same idempotency key, no second send after a redelivery, claiming the
// jobs of a crashed worker (a raw reader that never acknowledges, and a
// worker process killed in the middle of a batch), poison jobs, rate
// limits, deferrals and metrics.

#include <gtest/gtest.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/streams.h"
#include "google/protobuf/duration.pb.h"
#include "services/notification/queue/dead_letters.h"
#include "services/notification/queue/queue_metrics.h"
#include "tests/notification/queue/queue_fixture.h"

namespace partydev::notification {
namespace {

google::protobuf::Duration Proto(absl::Duration d) {
  google::protobuf::Duration out;
  out.set_seconds(absl::ToInt64Seconds(d));
  return out;
}

v1::ChannelPolicy WebhookPolicy() {
  v1::ChannelPolicy policy;
  policy.set_channel(v1::CHANNEL_TYPE_WEBHOOK);
  policy.set_max_attempts(4);
  *policy.add_retry_delays() = Proto(absl::Seconds(5));
  *policy.add_retry_delays() = Proto(absl::Minutes(5));
  *policy.add_retry_delays() = Proto(absl::Minutes(30));
  policy.set_jitter_fraction(0);
  *policy.mutable_max_retry_after() = Proto(absl::Hours(1));
  return policy;
}

class WorkerTest : public QueueTest {
 protected:
  std::unique_ptr<JobWorker> PolicyWorker(const std::string& consumer,
                                          JobWorker::Handler handler,
                                          v1::ChannelPolicy policy) {
    return MakeWorker(consumer, std::move(handler),
                      [policy](JobWorkerOptions& o) {
                        o.policy = [policy](v1::ChannelType) { return policy; };
                      });
  }
  // The due time (ms) of a delayed job, or -1.
  int64_t DueMs(const storage::v1::Job& job) {
    absl::StatusOr<RedisReply> r = redis_->Command(
        {"ZSCORE", keys_.Delayed(), DelayedMember(job.priority(), job.id())});
    if (!r.ok() || r->is_nil()) return -1;
    return static_cast<int64_t>(std::stod(r->str()));
  }
  storage::v1::Job DelayedJob(const std::string& id) {
    absl::StatusOr<VersionedRecord> record = ReadRecord(*redis_, keys_.Job(id));
    storage::v1::Job job;
    if (record.ok()) job.ParseFromString(record->data);
    return job;
  }
};

TEST_F(WorkerTest, FailingJobFollowsTheBackoffThenDies) {
  storage::v1::Job job =
      MakeJob("hook1", v1::MESSAGE_PRIORITY_NORMAL, v1::CHANNEL_TYPE_WEBHOOK);
  job.set_id(Enqueue(job));
  auto worker =
      PolicyWorker("w1",
                   Recording(*redis_,
                             [](const storage::v1::Job&) {
                               return JobResult::Retry("HTTP 503", 503);
                             }),
                   WebhookPolicy());
  const std::vector<absl::Duration> delays = {
      absl::Seconds(5), absl::Minutes(5), absl::Minutes(30)};
  for (size_t attempt = 1; attempt <= delays.size(); ++attempt) {
    ASSERT_TRUE(worker->RunOnce().ok());
    EXPECT_EQ(Calls("hook1"), static_cast<int64_t>(attempt));
    const absl::Time due = clock_.Now() + delays[attempt - 1];
    EXPECT_EQ(DueMs(job), absl::ToUnixMillis(due)) << attempt;
    storage::v1::Job delayed = DelayedJob(job.id());
    EXPECT_EQ(delayed.attempt(), static_cast<int>(attempt));
    EXPECT_EQ(delayed.last_http_status(), 503);
    EXPECT_EQ(Integer({"SCARD", keys_.DelayedRetries()}), 1);
    // Not a millisecond early.
    clock_.Set(due - absl::Milliseconds(1));
    ASSERT_TRUE(worker->RunOnce().ok());
    EXPECT_EQ(Calls("hook1"), static_cast<int64_t>(attempt));
    clock_.Set(due);
  }
  ASSERT_TRUE(worker->RunOnce().ok());  // the 4th attempt: max_attempts
  EXPECT_EQ(Calls("hook1"), 4);
  EXPECT_EQ(Integer({"ZCARD", keys_.Delayed()}), 0);
  EXPECT_EQ(Integer({"SCARD", keys_.DelayedRetries()}), 0);
  EXPECT_EQ(PendingOf(v1::MESSAGE_PRIORITY_NORMAL), 0);

  DeadLetters dead(*redis_, keys_, clock_);
  absl::StatusOr<DeadLetterPage> page = dead.List({});
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->dead_letters.size(), 1u);
  const v1::DeadLetter& letter = page->dead_letters[0];
  EXPECT_EQ(letter.reason(), v1::DEAD_LETTER_REASON_ATTEMPTS_EXHAUSTED);
  EXPECT_EQ(letter.state(), v1::DEAD_LETTER_STATE_DEAD);
  EXPECT_EQ(letter.attempt_count(), 4);
  EXPECT_EQ(letter.last_http_status(), 503);
  EXPECT_EQ(letter.last_error(), "HTTP 503");
  EXPECT_EQ(letter.idempotency_key(), "hook1");
  EXPECT_EQ(letter.channel_type(), v1::CHANNEL_TYPE_WEBHOOK);
  EXPECT_EQ(letter.job_kind(), v1::JOB_KIND_CHANNEL_DELIVERY);
  EXPECT_EQ(letter.recipient(), "recipients/r1");
  EXPECT_EQ(FromTimestamp(letter.enqueue_time()), Start());
  EXPECT_EQ(FromTimestamp(letter.dead_letter_time()), clock_.Now());
  EXPECT_TRUE(absl::StrContains(letter.payload_json(), "hook1"));
  EXPECT_EQ(metrics_.Value(kRetriesTotal, {{"channel", "webhook"}}), 3);
  EXPECT_EQ(
      metrics_.Value(kDeadLettersTotal, {{"reason", "attempts_exhausted"}}), 1);
  EXPECT_EQ(Integer({"EXISTS", keys_.Done("hook1")}), 0);
}

TEST_F(WorkerTest, RetryAfterIsHonouredAndCapped) {
  storage::v1::Job job =
      MakeJob("hook", v1::MESSAGE_PRIORITY_NORMAL, v1::CHANNEL_TYPE_WEBHOOK);
  job.set_id(Enqueue(job));
  absl::Duration retry_after = absl::Minutes(2);
  auto worker = PolicyWorker(
      "w1",
      [&](const storage::v1::Job&) {
        return JobResult::Retry("HTTP 429", 429, retry_after);
      },
      WebhookPolicy());
  ASSERT_TRUE(worker->RunOnce().ok());
  EXPECT_EQ(DueMs(job), absl::ToUnixMillis(clock_.Now() + absl::Minutes(2)));
  clock_.Advance(absl::Minutes(2));
  retry_after = absl::Hours(5);  // capped by max_retry_after = 1 h
  ASSERT_TRUE(worker->RunOnce().ok());
  EXPECT_EQ(DueMs(job), absl::ToUnixMillis(clock_.Now() + absl::Hours(1)));
}

TEST_F(WorkerTest, PermanentFailureDiesAtOnce) {
  Enqueue(
      MakeJob("gone", v1::MESSAGE_PRIORITY_URGENT, v1::CHANNEL_TYPE_WEBHOOK));
  auto worker = MakeWorker("w1", [](const storage::v1::Job&) {
    return JobResult::Dead(v1::DEAD_LETTER_REASON_ENDPOINT_GONE, "HTTP 410",
                           410);
  });
  ASSERT_TRUE(worker->RunOnce().ok());
  DeadLetters dead(*redis_, keys_, clock_);
  absl::StatusOr<DeadLetterPage> page = dead.List({});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->dead_letters.size(), 1u);
  EXPECT_EQ(page->dead_letters[0].reason(),
            v1::DEAD_LETTER_REASON_ENDPOINT_GONE);
  EXPECT_EQ(page->dead_letters[0].priority(), v1::MESSAGE_PRIORITY_URGENT);
  EXPECT_EQ(page->dead_letters[0].attempt_count(), 1);
  EXPECT_EQ(metrics_.Value(kDeliveriesTotal, {{"channel", "webhook"},
                                              {"outcome", "dead_lettered"}}),
            1);
}

TEST_F(WorkerTest, ReplayDeliversWithTheSameIdempotencyKey) {
  bool healthy = false;
  std::vector<storage::v1::Job> seen;
  auto worker = MakeWorker(
      "w1", Recording(*redis_, [&](const storage::v1::Job& job) {
        seen.push_back(job);
        return healthy
                   ? JobResult::Done()
                   : JobResult::Dead(v1::DEAD_LETTER_REASON_PERMANENT_FAILURE,
                                     "HTTP 400", 400);
      }));
  for (int i = 0; i < 3; ++i) Enqueue(MakeJob(absl::StrCat("k", i)));
  ASSERT_TRUE(worker->Drain().ok());
  EXPECT_EQ(EffectCount(), 0);

  DeadLetters dead(*redis_, keys_, clock_);
  absl::StatusOr<DeadLetterPage> page = dead.List({});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->dead_letters.size(), 3u);
  EXPECT_EQ(page->total_size, 3);
  // Newest first.
  EXPECT_EQ(page->dead_letters[0].idempotency_key(), "k2");
  EXPECT_EQ(page->dead_letters[2].idempotency_key(), "k0");
  EXPECT_EQ(*dead.CountDead(), 3);

  healthy = true;
  common::v1::ChangeStamp stamp;
  stamp.set_actor("users/operator");
  stamp.set_reason("receiver fixed");
  const std::string name = page->dead_letters[2].name();
  absl::StatusOr<v1::DeadLetter> replayed = dead.Replay(name, stamp);
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  EXPECT_EQ(replayed->state(), v1::DEAD_LETTER_STATE_REPLAYED);
  EXPECT_EQ(replayed->replay_count(), 1);
  EXPECT_EQ(replayed->last_action_stamp().actor(), "users/operator");
  // Twice: refused.
  EXPECT_EQ(dead.Replay(name, stamp).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(dead.Discard(name, stamp).status().code(),
            absl::StatusCode::kFailedPrecondition);

  seen.clear();
  ASSERT_TRUE(worker->Drain().ok());
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].idempotency_key(), "k0");
  EXPECT_EQ(seen[0].replay_count(), 1);
  EXPECT_EQ(seen[0].attempt(), 0);
  EXPECT_TRUE(HasEffect("k0"));

  // Replay all: the two others; nothing left DEAD.
  absl::StatusOr<std::vector<std::string>> all = dead.ReplayAll(0, stamp);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->size(), 2u);
  EXPECT_EQ(*dead.CountDead(), 0);
  ASSERT_TRUE(worker->Drain().ok());
  EXPECT_EQ(EffectCount(), 3);
  EXPECT_EQ(Calls("k1"), 2);  // the failed attempt and the replay

  // Lists by state.
  DeadLetterQuery query;
  query.state = v1::DEAD_LETTER_STATE_DEAD;
  EXPECT_TRUE(dead.List(query)->dead_letters.empty());
  query.state = v1::DEAD_LETTER_STATE_REPLAYED;
  EXPECT_EQ(dead.List(query)->dead_letters.size(), 3u);
}

TEST_F(WorkerTest, ReplayOfAJobAlreadyDeliveredDoesNotSendAgain) {
  // The effect happened but the worker dead-lettered it anyway (e.g. the
  // receiver answered 500 after storing it); a later delivery with the same
  // key set the done key. Replaying must not send a second time.
  int calls = 0;
  auto worker = MakeWorker("w1", [&](const storage::v1::Job&) {
    ++calls;
    return calls == 1
               ? JobResult::Dead(v1::DEAD_LETTER_REASON_PERMANENT_FAILURE,
                                 "HTTP 500", 500)
               : JobResult::Done();
  });
  Enqueue(MakeJob("same"));
  ASSERT_TRUE(worker->Drain().ok());
  Enqueue(MakeJob("same"));  // the same event delivered twice
  ASSERT_TRUE(worker->Drain().ok());
  EXPECT_EQ(calls, 2);
  DeadLetters dead(*redis_, keys_, clock_);
  absl::StatusOr<DeadLetterPage> page = dead.List({});
  ASSERT_EQ(page->dead_letters.size(), 1u);
  ASSERT_TRUE(dead.Replay(page->dead_letters[0].name(), {}).ok());
  ASSERT_TRUE(worker->Drain().ok());
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(metrics_.Value(kDeliveriesTotal,
                           {{"channel", "in_app"}, {"outcome", "duplicate"}}),
            1);
}

TEST_F(WorkerTest, DoneKeyStopsARedelivery) {
  Enqueue(MakeJob("k1"));
  ASSERT_TRUE(redis_->Command({"SET", keys_.Done("k1"), "1"}).ok());
  auto worker = MakeWorker("w1", Recording(*redis_));
  absl::StatusOr<int> settled = worker->RunOnce();
  ASSERT_TRUE(settled.ok());
  EXPECT_EQ(*settled, 1);
  EXPECT_EQ(Calls("k1"), 0);
  EXPECT_EQ(PendingOf(v1::MESSAGE_PRIORITY_NORMAL), 0);
}

TEST_F(WorkerTest, DiscardKeepsTheLetterOutOfReplays) {
  auto worker = MakeWorker("w1", [](const storage::v1::Job&) {
    return JobResult::Dead(v1::DEAD_LETTER_REASON_RECIPIENT_GONE, "gone");
  });
  Enqueue(MakeJob("k1"));
  ASSERT_TRUE(worker->Drain().ok());
  DeadLetters dead(*redis_, keys_, clock_);
  const std::string name = dead.List({})->dead_letters[0].name();
  common::v1::ChangeStamp stamp;
  stamp.set_reason("recipient left the party cell");
  absl::StatusOr<v1::DeadLetter> discarded = dead.Discard(name, stamp);
  ASSERT_TRUE(discarded.ok());
  EXPECT_EQ(discarded->state(), v1::DEAD_LETTER_STATE_DISCARDED);
  EXPECT_EQ(dead.ReplayAll(0, stamp)->size(), 0u);
  EXPECT_EQ(*dead.CountDead(), 0);
  EXPECT_EQ(dead.Get("deadLetters/x").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(dead.Get("deadLetters/1-0").status().code(),
            absl::StatusCode::kNotFound);
  // A stale etag is refused.
  EXPECT_EQ(dead.Replay(name, stamp, "\"1.0\"").status().code(),
            absl::StatusCode::kAborted);
}

TEST_F(WorkerTest, DeadLettersArePaged) {
  auto worker = MakeWorker("w1", [](const storage::v1::Job&) {
    return JobResult::Dead(v1::DEAD_LETTER_REASON_RENDER_FAILED, "no var");
  });
  for (int i = 0; i < 7; ++i) Enqueue(MakeJob(absl::StrCat("k", i)));
  ASSERT_TRUE(worker->Drain().ok());
  DeadLetters dead(*redis_, keys_, clock_);
  DeadLetterQuery query;
  query.page_size = 3;
  std::vector<std::string> keys;
  for (int page_no = 0; page_no < 5; ++page_no) {
    absl::StatusOr<DeadLetterPage> page = dead.List(query);
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_EQ(page->total_size, 7);
    for (const auto& d : page->dead_letters)
      keys.push_back(d.idempotency_key());
    if (page->next_page_token.empty()) break;
    query.page_token = page->next_page_token;
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"k6", "k5", "k4", "k3", "k2", "k1",
                                            "k0"}));
  query.page_token = "bad";
  EXPECT_EQ(dead.List(query).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(WorkerTest, OldDeadLettersArePurged) {
  auto worker = MakeWorker("w1", [](const storage::v1::Job&) {
    return JobResult::Dead(v1::DEAD_LETTER_REASON_RENDER_FAILED, "no var");
  });
  for (int i = 0; i < 3; ++i) Enqueue(MakeJob(absl::StrCat("k", i)));
  ASSERT_TRUE(worker->Drain().ok());
  DeadLetters dead(*redis_, keys_, clock_);
  // Entry ids carry Redis's wall clock.
  EXPECT_EQ(*dead.PurgeBefore(absl::Now() - absl::Hours(1)), 0);
  EXPECT_EQ(*dead.CountDead(), 3);
  EXPECT_EQ(*dead.PurgeBefore(absl::Now() + absl::Seconds(1)), 3);
  EXPECT_EQ(*dead.CountDead(), 0);
  EXPECT_EQ(Integer({"XLEN", keys_.Dead()}), 0);
  EXPECT_EQ(Integer({"HLEN", keys_.DeadState()}), 0);
}

// A reader takes a batch with XREADGROUP and dies before acknowledging:
// another worker claims the jobs once they are idle long enough.
TEST_F(WorkerTest, JobsOfADeadReaderAreClaimedAfterTheIdleTime) {
  for (int i = 0; i < 5; ++i) Enqueue(MakeJob(absl::StrCat("k", i)));
  ASSERT_TRUE(queue_->EnsureGroups().ok());
  Streams streams(*redis_);
  absl::StatusOr<std::vector<StreamEntry>> read =
      streams.ReadGroup(keys_.Stream(v1::MESSAGE_PRIORITY_NORMAL),
                        keys_.group(), "dead-reader", 10, absl::ZeroDuration());
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->size(), 5u);

  auto worker = MakeWorker("w2", Recording(*redis_), [](JobWorkerOptions& o) {
    o.claim_min_idle = absl::Milliseconds(300);
  });
  absl::StatusOr<int> settled = worker->RunOnce();
  ASSERT_TRUE(settled.ok());
  EXPECT_EQ(*settled, 0);  // not idle long enough: maybe still working
  absl::SleepFor(absl::Milliseconds(350));
  settled = worker->RunOnce();
  ASSERT_TRUE(settled.ok());
  EXPECT_EQ(*settled, 5);
  EXPECT_EQ(EffectCount(), 5);
  EXPECT_EQ(PendingOf(v1::MESSAGE_PRIORITY_NORMAL), 0);
}

// A worker process killed in the middle of a batch, after the effect of a
// job and before its acknowledgement: restarted under its stable name, it
// finishes the batch at once, and every job's effect happens exactly once.
TEST_F(WorkerTest, WorkerKilledMidBatchLosesNothingAndDoublesNothing) {
  constexpr int kJobs = 10;
  for (int i = 0; i < kJobs; ++i) Enqueue(MakeJob(absl::StrCat("k", i)));
  const std::string url = server_->url();
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    RedisClient redis(*ParseRedisUrl(url));
    Metrics metrics;
    int handled = 0;
    JobWorkerOptions options = Options("w1");
    // Dies inside the 4th handler call, after its effect.
    JobWorker crashing(redis, keys_, clock_, metrics, options,
                       [&](const storage::v1::Job& job) {
                         JobResult r = Recording(redis)(job);
                         if (++handled == 4) _exit(3);
                         return r;
                       });
    (void)crashing.RunOnce();
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 3);
  EXPECT_EQ(EffectCount(), 4);
  EXPECT_EQ(PendingOf(v1::MESSAGE_PRIORITY_NORMAL), kJobs - 3);

  // Restarted with the same name: its own pending jobs come first, without
  // waiting for the claim idle time.
  auto restarted = MakeWorker(
      "w1", Recording(*redis_),
      [](JobWorkerOptions& o) { o.claim_min_idle = absl::Hours(1); });
  ASSERT_TRUE(restarted->Drain().ok());
  EXPECT_EQ(EffectCount(), kJobs);
  EXPECT_EQ(PendingOf(v1::MESSAGE_PRIORITY_NORMAL), 0);
  int64_t total_calls = 0;
  for (int i = 0; i < kJobs; ++i) total_calls += Calls(absl::StrCat("k", i));
  // Exactly one job was handled twice (the one in hand at the crash); its
  // effect was added once.
  EXPECT_EQ(total_calls, kJobs + 1);
  EXPECT_EQ(Calls("k3"), 2);
}

TEST_F(WorkerTest, WorkerStoppedMidBatchLeavesTheRestForAnother) {
  for (int i = 0; i < 6; ++i) Enqueue(MakeJob(absl::StrCat("k", i)));
  std::unique_ptr<JobWorker> first;
  int handled = 0;
  first = MakeWorker("w1", Recording(*redis_, [&](const storage::v1::Job&) {
                       if (++handled == 2) {
                         // Stop from inside: the batch is abandoned after this
                         // job.
                         first->Stop();
                       }
                       return JobResult::Done();
                     }));
  ASSERT_TRUE(first->RunOnce().ok());
  EXPECT_EQ(EffectCount(), 2);
  EXPECT_EQ(PendingOf(v1::MESSAGE_PRIORITY_NORMAL), 4);
  first.reset();
  absl::SleepFor(absl::Milliseconds(150));
  auto second = MakeWorker("w2", Recording(*redis_));
  ASSERT_TRUE(second->Drain().ok());
  EXPECT_EQ(EffectCount(), 6);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(Calls(absl::StrCat("k", i)), 1);
}

// A batch that takes longer than the claim idle time to work through: the
// worker keeps its waiting jobs fresh, so a second worker polling all the
// while claims none of them.
TEST_F(WorkerTest, ASlowBatchIsNotClaimedWhileItIsWorkedThrough) {
  constexpr int kJobs = 6;
  for (int i = 0; i < kJobs; ++i) Enqueue(MakeJob(absl::StrCat("k", i)));
  auto tune = [](JobWorkerOptions& o) {
    o.claim_min_idle = absl::Milliseconds(150);
  };
  std::atomic<bool> started{false};
  auto slow = MakeWorker(
      "slow",
      Recording(*redis_,
                [&](const storage::v1::Job&) {
                  started = true;  // the batch is read: the other may poll
                  absl::SleepFor(absl::Milliseconds(60));  // 360 ms in all
                  return JobResult::Done();
                }),
      tune);
  auto other = MakeWorker("other", Recording(*redis_), tune);
  std::atomic<bool> done{false};
  std::thread poller([&] {
    while (!started.load()) absl::SleepFor(absl::Milliseconds(1));
    while (!done.load()) {
      EXPECT_TRUE(other->RunOnce().ok());
      absl::SleepFor(absl::Milliseconds(10));
    }
  });
  absl::StatusOr<int> settled = slow->RunOnce();
  done = true;
  poller.join();
  ASSERT_TRUE(settled.ok()) << settled.status();
  EXPECT_EQ(*settled, kJobs);
  for (int i = 0; i < kJobs; ++i) EXPECT_EQ(Calls(absl::StrCat("k", i)), 1);
}

// Redis fails between the handler and the acknowledgement: the worker
// re-reads its own pending job without counting a delivery (a Redis outage
// is not a crash), so even with max_claims 0 the job is handled, not
// dead-lettered.
TEST_F(WorkerTest, ARedisErrorMidPollIsNotCountedAsAClaim) {
  Enqueue(MakeJob("k"));
  int calls = 0;
  auto worker = MakeWorker(
      "w1",
      [&](const storage::v1::Job&) {
        if (++calls == 1) server_->Kill();  // the settle will fail
        return JobResult::Done();
      },
      [](JobWorkerOptions& o) {
        o.max_claims = 0;
        o.claim_min_idle = absl::Hours(1);
      });
  EXPECT_FALSE(worker->RunOnce().ok());
  ASSERT_TRUE(server_->Start().ok());
  absl::StatusOr<int> settled;
  for (int i = 0; i < 50; ++i) {
    settled = worker->RunOnce();
    if (settled.ok()) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_TRUE(settled.ok()) << settled.status();
  EXPECT_EQ(*settled, 1);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(Integer({"EXISTS", keys_.Done("k")}), 1);
  EXPECT_EQ(Integer({"XLEN", keys_.Dead()}), 0);
  EXPECT_EQ(PendingOf(v1::MESSAGE_PRIORITY_NORMAL), 0);
}

// Restarted under the same name, a worker re-reads its own pending jobs and
// that counts as a delivery: a poison job that crashes its worker every
// time reaches max_claims even without another worker claiming it.
TEST_F(WorkerTest, RestartsUnderTheSameNameCountAsDeliveries) {
  Enqueue(MakeJob("poison"));
  ASSERT_TRUE(queue_->EnsureGroups().ok());
  Streams streams(*redis_);
  ASSERT_EQ(streams
                .ReadGroup(keys_.Stream(v1::MESSAGE_PRIORITY_NORMAL),
                           keys_.group(), "w1", 1, absl::ZeroDuration())
                ->size(),
            1u);
  auto tune = [](JobWorkerOptions& o) {
    o.max_claims = 1;
    o.claim_min_idle = absl::Hours(1);
  };
  // First restart: delivered twice, within max_claims; it "crashes" again
  // (the worker is stopped before the job is settled).
  {
    std::unique_ptr<JobWorker> w;
    w = MakeWorker(
        "w1",
        [&](const storage::v1::Job&) {
          ADD_FAILURE() << "handled";
          return JobResult::Done();
        },
        tune);
    w->Stop();  // stopping: reads, but handles nothing
    ASSERT_TRUE(w->RunOnce().ok());
  }
  auto again = MakeWorker("w1", Recording(*redis_), tune);
  ASSERT_TRUE(again->RunOnce().ok());
  EXPECT_EQ(Calls("poison"), 0);
  EXPECT_EQ(Integer({"XLEN", keys_.Dead()}), 1);
}

TEST_F(WorkerTest, PoisonJobIsDeadLetteredAfterTooManyClaims) {
  Enqueue(MakeJob("poison"));
  ASSERT_TRUE(queue_->EnsureGroups().ok());
  const std::string stream = keys_.Stream(v1::MESSAGE_PRIORITY_NORMAL);
  Streams streams(*redis_);
  absl::StatusOr<std::vector<StreamEntry>> read = streams.ReadGroup(
      stream, keys_.group(), "crash-1", 1, absl::ZeroDuration());
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->size(), 1u);
  // Two more workers took it and crashed (each claim counts a delivery).
  for (const char* consumer : {"crash-2", "crash-3"}) {
    ASSERT_TRUE(redis_
                    ->Command({"XCLAIM", stream, keys_.group(), consumer, "0",
                               read->front().id})
                    .ok());
  }
  auto worker = MakeWorker("w1", Recording(*redis_), [](JobWorkerOptions& o) {
    o.max_claims = 2;
    o.claim_min_idle = absl::Milliseconds(10);
  });
  absl::SleepFor(absl::Milliseconds(20));
  ASSERT_TRUE(worker->RunOnce().ok());
  EXPECT_EQ(Calls("poison"), 0);
  DeadLetters dead(*redis_, keys_, clock_);
  absl::StatusOr<DeadLetterPage> page = dead.List({});
  ASSERT_EQ(page->dead_letters.size(), 1u);
  EXPECT_EQ(page->dead_letters[0].reason(),
            v1::DEAD_LETTER_REASON_TOO_MANY_CLAIMS);
  EXPECT_EQ(PendingOf(v1::MESSAGE_PRIORITY_NORMAL), 0);
}

TEST_F(WorkerTest, ClaimedOnceIsStillHandled) {
  Enqueue(MakeJob("k"));
  ASSERT_TRUE(queue_->EnsureGroups().ok());
  Streams streams(*redis_);
  ASSERT_TRUE(streams
                  .ReadGroup(keys_.Stream(v1::MESSAGE_PRIORITY_NORMAL),
                             keys_.group(), "crash-1", 1, absl::ZeroDuration())
                  .ok());
  auto worker = MakeWorker("w1", Recording(*redis_), [](JobWorkerOptions& o) {
    o.max_claims = 2;
    o.claim_min_idle = absl::Milliseconds(10);
  });
  absl::SleepFor(absl::Milliseconds(20));
  ASSERT_TRUE(worker->RunOnce().ok());
  EXPECT_TRUE(HasEffect("k"));
}

TEST_F(WorkerTest, MalformedJobIsDeadLettered) {
  ASSERT_TRUE(queue_->EnsureGroups().ok());
  ASSERT_TRUE(redis_
                  ->Command({"XADD", keys_.Stream(v1::MESSAGE_PRIORITY_NORMAL),
                             "*", "j", "\xff\xff not a job"})
                  .ok());
  auto worker = MakeWorker("w1", Recording(*redis_));
  ASSERT_TRUE(worker->RunOnce().ok());
  DeadLetters dead(*redis_, keys_, clock_);
  absl::StatusOr<DeadLetterPage> page = dead.List({});
  ASSERT_EQ(page->dead_letters.size(), 1u);
  EXPECT_EQ(page->dead_letters[0].reason(),
            v1::DEAD_LETTER_REASON_MALFORMED_JOB);
  EXPECT_EQ(dead.Replay(page->dead_letters[0].name(), {}).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(WorkerTest, RateLimitDefersTheExcessToTheNextMinute) {
  v1::ChannelPolicy policy;
  policy.set_max_per_recipient_per_minute(2);
  policy.set_max_attempts(3);
  clock_.Set(Start() + absl::Seconds(20));
  std::vector<storage::v1::Job> jobs;
  for (int i = 0; i < 5; ++i) {
    storage::v1::Job job = MakeJob(absl::StrCat("k", i));
    job.set_id(Enqueue(job));
    jobs.push_back(job);
  }
  Enqueue(MakeJob("other", v1::MESSAGE_PRIORITY_NORMAL, v1::CHANNEL_TYPE_IN_APP,
                  "recipients/r2"));
  Enqueue(MakeJob("urgent", v1::MESSAGE_PRIORITY_URGENT));
  auto worker = PolicyWorker("w1", Recording(*redis_), policy);
  ASSERT_TRUE(worker->Drain().ok());
  // r1: 2 of 5 (urgent is not limited); r2: its own limit.
  EXPECT_EQ(EffectCount(), 4);
  EXPECT_TRUE(HasEffect("urgent"));
  EXPECT_TRUE(HasEffect("other"));
  EXPECT_EQ(Integer({"ZCARD", keys_.Delayed()}), 3);
  EXPECT_EQ(Integer({"SCARD", keys_.DelayedRetries()}), 0);
  for (int i = 2; i < 5; ++i) {
    EXPECT_EQ(DueMs(jobs[i]), absl::ToUnixMillis(Start() + absl::Minutes(1)));
    EXPECT_EQ(DelayedJob(jobs[i].id()).attempt(), 0);  // not an attempt
    EXPECT_EQ(Calls(jobs[i].idempotency_key()), 0);
  }
  clock_.Set(Start() + absl::Minutes(1));
  ASSERT_TRUE(worker->Drain().ok());
  EXPECT_EQ(EffectCount(), 6);
  clock_.Set(Start() + absl::Minutes(2));
  ASSERT_TRUE(worker->Drain().ok());
  EXPECT_EQ(EffectCount(), 7);
  EXPECT_EQ(metrics_.Value(kDeliveriesTotal,
                           {{"channel", "in_app"}, {"outcome", "throttled"}}),
            3 + 1);  // 3 in the first minute, 1 in the second
}

TEST_F(WorkerTest, DeferIsNotAnAttempt) {
  storage::v1::Job job = MakeJob("quiet");
  job.set_id(Enqueue(job));
  const absl::Time morning = Start() + absl::Hours(8);
  auto worker =
      MakeWorker("w1", Recording(*redis_, [&](const storage::v1::Job&) {
                   return clock_.Now() < morning ? JobResult::Defer(morning)
                                                 : JobResult::Done();
                 }));
  ASSERT_TRUE(worker->RunOnce().ok());
  EXPECT_EQ(DueMs(job), absl::ToUnixMillis(morning));
  EXPECT_EQ(DelayedJob(job.id()).attempt(), 0);
  clock_.Set(morning);
  ASSERT_TRUE(worker->Drain().ok());
  EXPECT_TRUE(HasEffect("quiet"));
  EXPECT_EQ(metrics_.Value(kDeliveriesTotal,
                           {{"channel", "in_app"}, {"outcome", "deferred"}}),
            1);
}

TEST_F(WorkerTest, MetricsMove) {
  Enqueue(MakeJob("a"));
  Enqueue(MakeJob("b", v1::MESSAGE_PRIORITY_NORMAL, v1::CHANNEL_TYPE_EMAIL));
  auto worker = MakeWorker("w1", Recording(*redis_));
  clock_.Advance(absl::Seconds(3));
  ASSERT_TRUE(worker->Drain().ok());
  EXPECT_EQ(metrics_.Value(kDeliveriesTotal,
                           {{"channel", "in_app"}, {"outcome", "delivered"}}),
            1);
  EXPECT_EQ(metrics_.Value(kDeliveriesTotal,
                           {{"channel", "email"}, {"outcome", "delivered"}}),
            1);
  const std::string text = metrics_.Render();
  EXPECT_TRUE(absl::StrContains(text,
                                "partydev_notification_delivery_latency_"
                                "seconds_count{channel=\"in_app\"} 1"))
      << text;
  // 3 s falls in the (1, 5] bucket, not in (0.5, 1].
  EXPECT_TRUE(
      absl::StrContains(text,
                        "partydev_notification_delivery_latency_seconds_bucket{"
                        "channel=\"in_app\",le=\"1\"} 0"))
      << text;
  EXPECT_TRUE(
      absl::StrContains(text,
                        "partydev_notification_delivery_latency_seconds_bucket{"
                        "channel=\"in_app\",le=\"5\"} 1"))
      << text;
}

}  // namespace
}  // namespace partydev::notification
