// Tests of common/event_consumer.h against a real Redis: every event is
// handled at least once and none is lost, whatever crashes; a consumer's
// own backlog is re-read after a restart, a dead consumer's entries are
// claimed by another, a poisonous event is parked after max_attempts.

#include "common/event_consumer.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/redis_client.h"
#include "common/redis_options.h"
#include "common/streams.h"
#include "tests/support/redis_server.h"

namespace partydev {
namespace {

constexpr char kStream[] = "{pd:membership}:events";
constexpr char kGroup[] = "quotad-test";

class EventConsumerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    redis_server_ = new testing::RedisServer();
    ASSERT_TRUE(redis_server_->Start().ok());
  }
  static void TearDownTestSuite() {
    delete redis_server_;
    redis_server_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(redis_server_->FlushAll().ok());
    redis_ =
        std::make_unique<RedisClient>(*ParseRedisUrl(redis_server_->url()));
    streams_ = std::make_unique<Streams>(*redis_);
  }

  // Appends events e1..en; returns their entry ids.
  std::vector<std::string> Publish(int n, int first = 1) {
    std::vector<std::string> ids;
    for (int i = first; i < first + n; ++i) {
      events::v1::Event event;
      event.set_id(absl::StrCat("e", i));
      event.set_type("partydev.events.v1.MemberAdmitted");
      absl::StatusOr<std::string> id =
          streams_->Append(kStream, {{"e", event.SerializeAsString()}});
      EXPECT_TRUE(id.ok());
      ids.push_back(*id);
    }
    return ids;
  }

  EventConsumerOptions Options(const std::string& consumer) {
    EventConsumerOptions options;
    options.stream = kStream;
    options.group = kGroup;
    options.consumer = consumer;
    options.batch = 3;  // several polls per drain
    options.block = absl::Milliseconds(50);
    options.max_attempts = 3;
    return options;
  }

  int64_t PendingCount() {
    absl::StatusOr<PendingSummary> pending = streams_->Pending(kStream, kGroup);
    EXPECT_TRUE(pending.ok());
    return pending.ok() ? pending->count : -1;
  }

  // What handlers saw: event id -> times.
  struct Seen {
    absl::Mutex mu;
    std::map<std::string, int> times;
    void Add(const std::string& id) {
      absl::MutexLock lock(&mu);
      ++times[id];
    }
    std::map<std::string, int> Get() {
      absl::MutexLock lock(&mu);
      return times;
    }
  };

  EventConsumer::Handler Recording(Seen& seen) {
    return [&seen](const StreamEntry&, const events::v1::Event& event) {
      seen.Add(event.id());
      return absl::OkStatus();
    };
  }

  static testing::RedisServer* redis_server_;
  std::unique_ptr<RedisClient> redis_;
  std::unique_ptr<Streams> streams_;
};

testing::RedisServer* EventConsumerTest::redis_server_ = nullptr;

TEST_F(EventConsumerTest, HandlesEveryEventOnceAndAcknowledges) {
  Publish(10);
  Seen seen;
  EventConsumer consumer(*redis_, Options("c1"), Recording(seen));
  absl::StatusOr<int> drained = consumer.Drain();
  ASSERT_TRUE(drained.ok()) << drained.status();
  EXPECT_EQ(*drained, 10);
  auto times = seen.Get();
  EXPECT_EQ(times.size(), 10u);
  for (const auto& [id, n] : times) EXPECT_EQ(n, 1) << id;
  EXPECT_EQ(PendingCount(), 0);
  EXPECT_EQ(consumer.stats().handled, 10);
  // Nothing new: nothing handled.
  absl::StatusOr<int> again = consumer.PollOnce(absl::ZeroDuration());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
}

TEST_F(EventConsumerTest, ACrashBeforeTheAckRedeliversToTheSameConsumer) {
  Publish(5);
  {
    // Read and never acknowledged: the process died before the ack.
    ASSERT_TRUE(streams_->EnsureGroup(kStream, kGroup, "0").ok());
    absl::StatusOr<std::vector<StreamEntry>> read =
        streams_->ReadGroup(kStream, kGroup, "c1", 3, absl::ZeroDuration());
    ASSERT_TRUE(read.ok());
    ASSERT_EQ(read->size(), 3u);
  }
  EXPECT_EQ(PendingCount(), 3);
  Seen seen;
  EventConsumer restarted(*redis_, Options("c1"), Recording(seen));
  ASSERT_TRUE(restarted.Drain().ok());
  auto times = seen.Get();
  EXPECT_EQ(times.size(), 5u);
  EXPECT_EQ(PendingCount(), 0);
}

TEST_F(EventConsumerTest, AnotherConsumerClaimsADeadConsumersEntries) {
  Publish(4);
  {
    // c1 reads everything, handles e1 and e2, and dies handling e3.
    Seen seen;
    int calls = 0;
    EventConsumerOptions options = Options("c1");
    options.batch = 10;
    EventConsumer dying(
        *redis_, options,
        [&](const StreamEntry&, const events::v1::Event& event) {
          if (++calls > 2) return absl::UnavailableError("crashed");
          seen.Add(event.id());
          return absl::OkStatus();
        });
    ASSERT_TRUE(dying.PollOnce(absl::ZeroDuration()).ok());
    EXPECT_EQ(seen.Get().size(), 2u);
  }  // c1 is gone with e3, e4 pending
  EXPECT_EQ(PendingCount(), 2);

  Seen seen;
  EventConsumerOptions options = Options("c2");
  options.claim_idle = absl::Milliseconds(1);
  absl::SleepFor(absl::Milliseconds(20));
  EventConsumer survivor(*redis_, options, Recording(seen));
  ASSERT_TRUE(survivor.Drain().ok());
  auto times = seen.Get();
  EXPECT_EQ(times.size(), 2u);
  EXPECT_EQ(times.count("e3"), 1u);
  EXPECT_EQ(times.count("e4"), 1u);
  EXPECT_EQ(PendingCount(), 0);
}

TEST_F(EventConsumerTest, EntriesAreNotClaimedBeforeTheyAreIdleLongEnough) {
  Publish(2);
  ASSERT_TRUE(streams_->EnsureGroup(kStream, kGroup, "0").ok());
  ASSERT_TRUE(
      streams_->ReadGroup(kStream, kGroup, "c1", 10, absl::ZeroDuration())
          .ok());
  Seen seen;
  EventConsumerOptions options = Options("c2");
  options.claim_idle = absl::Minutes(10);
  EventConsumer other(*redis_, options, Recording(seen));
  ASSERT_TRUE(other.Drain().ok());
  EXPECT_TRUE(seen.Get().empty());
  EXPECT_EQ(PendingCount(), 2);
}

TEST_F(EventConsumerTest, AFailingHandlerIsRetriedThenSucceeds) {
  Publish(3);
  Seen seen;
  int failures = 0;
  EventConsumer consumer(
      *redis_, Options("c1"),
      [&](const StreamEntry&, const events::v1::Event& event) {
        if (event.id() == "e2" && failures < 2) {
          ++failures;
          return absl::InternalError("not yet");
        }
        seen.Add(event.id());
        return absl::OkStatus();
      });
  absl::StatusOr<int> drained = consumer.Drain();
  ASSERT_TRUE(drained.ok()) << drained.status();
  EXPECT_EQ(seen.Get().size(), 3u);
  EXPECT_EQ(seen.Get()["e2"], 1);
  EXPECT_EQ(consumer.stats().failed, 2);
  EXPECT_EQ(consumer.stats().parked, 0);
  EXPECT_EQ(PendingCount(), 0);
}

TEST_F(EventConsumerTest, APoisonousEventIsParkedAfterMaxAttempts) {
  std::vector<std::string> ids = Publish(4);
  Seen seen;
  EventConsumer consumer(
      *redis_, Options("c1"),
      [&](const StreamEntry&, const events::v1::Event& event) {
        if (event.id() == "e3") return absl::InvalidArgumentError("bad data");
        seen.Add(event.id());
        return absl::OkStatus();
      });
  absl::StatusOr<int> drained = consumer.Drain();
  ASSERT_TRUE(drained.ok()) << drained.status();
  EXPECT_EQ(seen.Get().size(), 3u);
  EXPECT_EQ(consumer.stats().parked, 1);
  EXPECT_EQ(consumer.stats().failed, 3);
  EXPECT_EQ(PendingCount(), 0);
  const std::string parked = std::string(kStream) + ":parked:" + kGroup;
  absl::StatusOr<std::vector<StreamEntry>> entries =
      streams_->Range(parked, "-", "+", 10);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].Field("id"), ids[2]);
  EXPECT_NE((*entries)[0].Field("error").find("bad data"), std::string::npos);
  events::v1::Event event;
  ASSERT_TRUE(event.ParseFromString((*entries)[0].Field("e")));
  EXPECT_EQ(event.id(), "e3");
}

TEST_F(EventConsumerTest, UnavailableFailuresAreNeverParked) {
  Publish(1);
  EventConsumer consumer(*redis_, Options("c1"),
                         [&](const StreamEntry&, const events::v1::Event&) {
                           return absl::UnavailableError("redis down");
                         });
  absl::StatusOr<int> drained = consumer.Drain();
  EXPECT_FALSE(drained.ok());
  EXPECT_EQ(consumer.stats().parked, 0);
  EXPECT_EQ(PendingCount(), 1);  // kept for a later retry
}

TEST_F(EventConsumerTest, EntriesWithoutAnEventAreSkipped) {
  ASSERT_TRUE(streams_->Append(kStream, {{"x", "y"}}).ok());
  ASSERT_TRUE(streams_->Append(kStream, {{"e", "\xff\xff not a proto"}}).ok());
  Publish(1);
  Seen seen;
  EventConsumer consumer(*redis_, Options("c1"), Recording(seen));
  ASSERT_TRUE(consumer.Drain().ok());
  EXPECT_EQ(seen.Get().size(), 1u);
  EXPECT_EQ(consumer.stats().skipped, 2);
  EXPECT_EQ(PendingCount(), 0);
}

TEST_F(EventConsumerTest, TheBackgroundThreadHandlesNewEventsUntilStopped) {
  Seen seen;
  EventConsumer consumer(*redis_, Options("c1"), Recording(seen));
  consumer.Start();
  Publish(5);
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (seen.Get().size() < 5 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  consumer.Stop();
  EXPECT_EQ(seen.Get().size(), 5u);
  Publish(1, 6);
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(seen.Get().size(), 5u);  // stopped
}

TEST_F(EventConsumerTest, ConcurrentConsumersTogetherHandleEverythingOnce) {
  Publish(60);
  Seen seen;
  EventConsumer a(*redis_, Options("a"), Recording(seen));
  EventConsumer b(*redis_, Options("b"), Recording(seen));
  a.Start();
  b.Start();
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (seen.Get().size() < 60 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  a.Stop();
  b.Stop();
  auto times = seen.Get();
  EXPECT_EQ(times.size(), 60u);
  for (const auto& [id, n] : times) EXPECT_EQ(n, 1) << id;
  EXPECT_EQ(PendingCount(), 0);
}

}  // namespace
}  // namespace partydev
