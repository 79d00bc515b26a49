// File: tests/notification/queue/queue_fixture.h
//
// The fixture of the delivery-engine tests: a real redis-server (AOF on,
// shared by the tests of a binary, flushed before each), a client, a
// manual clock, the engine's keys, and a handler that records what it did
// in Redis: `calls` (hash: idempotency key -> times the handler ran) shows
// at-least-once, `effects` (set of idempotency keys, added once) shows the
// effect happened, and `order` (list) the order of handling.

#ifndef PARTYDEV_TESTS_NOTIFICATION_QUEUE_QUEUE_FIXTURE_H_
#define PARTYDEV_TESTS_NOTIFICATION_QUEUE_QUEUE_FIXTURE_H_

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "common/redis_client.h"
#include "common/redis_options.h"
#include "partydev/storage/v1/jobs.pb.h"
#include "services/notification/queue/job_queue.h"
#include "services/notification/queue/job_worker.h"
#include "services/notification/queue/queue_keys.h"
#include "tests/support/redis_server.h"

namespace partydev::notification {

inline constexpr char kPrefix[] = "{pd:notification}:";

class QueueTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new testing::RedisServer("always");
    ASSERT_TRUE(server_->Start().ok());
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(server_->FlushAll().ok());
    redis_ = std::make_unique<RedisClient>(*ParseRedisUrl(server_->url()));
    queue_ = std::make_unique<JobQueue>(*redis_, keys_, clock_);
  }

  static absl::Time Start() {
    return absl::FromCivil(absl::CivilSecond(2026, 1, 5, 9, 0, 0),
                           absl::UTCTimeZone());
  }

  static storage::v1::Job MakeJob(
      const std::string& key,
      v1::MessagePriority priority = v1::MESSAGE_PRIORITY_NORMAL,
      v1::ChannelType channel = v1::CHANNEL_TYPE_IN_APP,
      const std::string& recipient = "recipients/r1") {
    storage::v1::Job job;
    job.set_idempotency_key(key);
    job.set_kind(v1::JOB_KIND_CHANNEL_DELIVERY);
    job.set_priority(priority);
    job.set_channel_type(channel);
    job.set_recipient(recipient);
    job.set_message(recipient + "/messages/" + key);
    job.set_payload("payload-" + key);
    return job;
  }

  std::string Enqueue(const storage::v1::Job& job) {
    absl::StatusOr<std::string> id = queue_->Enqueue(job);
    EXPECT_TRUE(id.ok()) << id.status();
    return id.ok() ? *id : "";
  }

  JobWorkerOptions Options(const std::string& consumer) const {
    JobWorkerOptions options;
    options.consumer = consumer;
    options.batch = 10;
    options.block = absl::Milliseconds(20);
    options.claim_min_idle = absl::Milliseconds(100);
    options.max_claims = 3;
    return options;
  }

  // Records the handling of a job in Redis (calls, effects, order) through
  // `redis`, then returns what `decide` says (Done when unset).
  static JobWorker::Handler Recording(
      RedisClient& redis,
      std::function<JobResult(const storage::v1::Job&)> decide = nullptr) {
    return [&redis, decide](const storage::v1::Job& job) {
      const std::string& key = job.idempotency_key();
      EXPECT_TRUE(redis
                      .Command({"HINCRBY", absl::StrCat(kPrefix, "test:calls"),
                                key, "1"})
                      .ok());
      EXPECT_TRUE(
          redis.Command({"RPUSH", absl::StrCat(kPrefix, "test:order"), key})
              .ok());
      JobResult result = decide ? decide(job) : JobResult::Done();
      if (result.kind == JobResult::Kind::kDone) {
        // The effect, idempotent by the key (as a real channel must be).
        EXPECT_TRUE(
            redis.Command({"SADD", absl::StrCat(kPrefix, "test:effects"), key})
                .ok());
      }
      return result;
    };
  }

  std::unique_ptr<JobWorker> MakeWorker(
      const std::string& consumer, JobWorker::Handler handler,
      std::function<void(JobWorkerOptions&)> tune = nullptr) {
    JobWorkerOptions options = Options(consumer);
    if (tune) tune(options);
    return std::make_unique<JobWorker>(*redis_, keys_, clock_, metrics_,
                                       options, std::move(handler));
  }

  int64_t Calls(const std::string& key) {
    absl::StatusOr<RedisReply> r =
        redis_->Command({"HGET", absl::StrCat(kPrefix, "test:calls"), key});
    int64_t n = 0;
    if (r.ok()) (void)absl::SimpleAtoi(r->str(), &n);
    return n;
  }
  int64_t EffectCount() { return Integer({"SCARD", Key("test:effects")}); }
  bool HasEffect(const std::string& key) {
    return Integer({"SISMEMBER", Key("test:effects"), key}) == 1;
  }
  std::vector<std::string> Order() {
    std::vector<std::string> out;
    absl::StatusOr<RedisReply> r =
        redis_->Command({"LRANGE", Key("test:order"), "0", "-1"});
    if (r.ok()) {
      for (const RedisReply& e : r->elements()) out.push_back(e.str());
    }
    return out;
  }
  int64_t Integer(const RedisCommand& command) {
    absl::StatusOr<RedisReply> r = redis_->Command(command);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->integer() : -1;
  }
  static std::string Key(absl::string_view suffix) {
    return absl::StrCat(kPrefix, suffix);
  }
  int64_t PendingOf(v1::MessagePriority priority) {
    absl::StatusOr<RedisReply> r =
        redis_->Command({"XPENDING", keys_.Stream(priority), keys_.group()});
    if (!r.ok() || r->elements().empty()) return -1;
    return r->elements()[0].integer();
  }

  static testing::RedisServer* server_;
  std::unique_ptr<RedisClient> redis_;
  ManualClock clock_{Start()};
  QueueKeys keys_{kPrefix};
  Metrics metrics_;
  std::unique_ptr<JobQueue> queue_;
};

inline testing::RedisServer* QueueTest::server_ = nullptr;

}  // namespace partydev::notification

#endif  // PARTYDEV_TESTS_NOTIFICATION_QUEUE_QUEUE_FIXTURE_H_
