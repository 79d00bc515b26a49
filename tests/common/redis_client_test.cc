#include "common/redis_client.h"

#include <gtest/gtest.h>

#include <thread>

#include "absl/time/clock.h"
#include "common/lua_script.h"
#include "common/streams.h"
#include "tests/support/redis_server.h"

namespace partydev {
namespace {

using testing::RedisServer;

class RedisClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new RedisServer();
    ASSERT_TRUE(server_->Start().ok());
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    if (!server_->running()) {
      ASSERT_TRUE(server_->Start().ok());
    }
    ASSERT_TRUE(server_->FlushAll().ok());
  }
  RedisOptions Options() const {
    RedisOptions options = *ParseRedisUrl(server_->url());
    options.pool_size = 4;
    options.min_backoff = absl::Milliseconds(10);
    options.max_backoff = absl::Milliseconds(100);
    return options;
  }
  static RedisServer* server_;
};
RedisServer* RedisClientTest::server_ = nullptr;

TEST_F(RedisClientTest, CommandsAndReplies) {
  RedisClient redis(Options());
  ASSERT_TRUE(redis.Command({"SET", "k", std::string("a\0b", 3)}).ok());
  auto value = redis.Command({"GET", "k"});
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(value->str(), std::string("a\0b", 3));  // binary-safe
  auto missing = redis.Command({"GET", "nope"});
  ASSERT_TRUE(missing.ok());
  EXPECT_TRUE(missing->is_nil());
  auto n = redis.Command({"INCRBY", "n", "5"});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->integer(), 5);
  auto wrong = redis.Command({"LPUSH", "k", "x"});
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInternal);
  EXPECT_NE(wrong.status().message().find("WRONGTYPE"),
            absl::string_view::npos);
}

TEST_F(RedisClientTest, PipelineKeepsOrderAndPerCommandErrors) {
  RedisClient redis(Options());
  std::vector<RedisCommand> commands;
  for (int i = 0; i < 100; ++i)
    commands.push_back({"RPUSH", "list", std::to_string(i)});
  commands.push_back({"INCR", "list"});  // wrong type: an error reply
  commands.push_back({"LLEN", "list"});
  auto replies = redis.Pipeline(commands);
  ASSERT_TRUE(replies.ok()) << replies.status();
  ASSERT_EQ(replies->size(), 102u);
  EXPECT_EQ((*replies)[99].integer(), 100);
  EXPECT_TRUE((*replies)[100].is_error());
  EXPECT_EQ((*replies)[101].integer(), 100);
}

TEST_F(RedisClientTest, ManyThreadsShareThePool) {
  RedisClient redis(Options());
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i)
        ASSERT_TRUE(redis.Command({"INCR", "c"}).ok());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(redis.Command({"GET", "c"})->str(), "1600");
  EXPECT_LE(redis.connects(), 4);
}

TEST_F(RedisClientTest, FailsFastWhileDownAndReconnectsAfterRestart) {
  RedisClient redis(Options());
  ASSERT_TRUE(redis.Command({"SET", "before", "1"}).ok());
  server_->Stop();
  const absl::Time start = absl::Now();
  auto down = redis.Command({"GET", "before"});
  EXPECT_EQ(down.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
  ASSERT_TRUE(server_->Start().ok());
  // The first call may still meet the backoff; within a second it is back.
  absl::StatusOr<RedisReply> reply;
  const absl::Time until = absl::Now() + absl::Seconds(5);
  do {
    reply = redis.Command({"GET", "before"});
    if (reply.ok()) break;
    absl::SleepFor(absl::Milliseconds(20));
  } while (absl::Now() < until);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->str(), "1");  // AOF kept the acknowledged write
  EXPECT_GE(redis.connects(), 2);
}

TEST_F(RedisClientTest, PasswordIsSentWithAuth) {
  ASSERT_TRUE(RedisClient(Options())
                  .Command({"CONFIG", "SET", "requirepass", "pw"})
                  .ok());
  RedisOptions wrong = Options();
  EXPECT_EQ(RedisClient(wrong).Command({"PING"}).status().code(),
            absl::StatusCode::kInternal);  // NOAUTH: a configuration error
  RedisOptions right = *ParseRedisUrl("redis://:pw@127.0.0.1:" +
                                      std::to_string(server_->port()));
  RedisClient authed(right);
  EXPECT_TRUE(authed.Ping().ok());
  ASSERT_TRUE(authed.Command({"CONFIG", "SET", "requirepass", ""}).ok());
}

TEST_F(RedisClientTest, ScriptRunsAgainAfterNoScript) {
  RedisClient redis(Options());
  LuaScript script("return redis.call('INCRBY', KEYS[1], ARGV[1])");
  auto first = script.Run(redis, {"{s}:n"}, {"2"});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->integer(), 2);
  // The script is cached now: EVALSHA alone works.
  EXPECT_TRUE(
      redis.Command({"EVALSHA", script.sha1(), "1", "{s}:n", "1"}).ok());
  ASSERT_TRUE(redis.Command({"SCRIPT", "FLUSH"}).ok());
  EXPECT_EQ(redis.Command({"EVALSHA", script.sha1(), "1", "{s}:n", "1"})
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  auto again = script.Run(redis, {"{s}:n"}, {"10"});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->integer(), 13);
  auto exists = redis.Command({"SCRIPT", "EXISTS", script.sha1()});
  ASSERT_TRUE(exists.ok());
  EXPECT_EQ(exists->elements()[0].integer(), 1);  // reloaded by EVAL
}

TEST_F(RedisClientTest, ScriptSurvivesARedisRestart) {
  RedisClient redis(Options());
  LuaScript script("return redis.call('INCR', KEYS[1])");
  ASSERT_TRUE(script.Run(redis, {"{r}:n"}, {}).ok());
  ASSERT_TRUE(server_->Restart().ok());
  absl::StatusOr<RedisReply> reply;
  for (int i = 0; i < 100; ++i) {
    reply = script.Run(redis, {"{r}:n"}, {});
    if (reply.ok()) break;
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->integer(), 2);
}

TEST_F(RedisClientTest, StreamGroupReadAckAndClaimOfADeadConsumer) {
  RedisClient redis(Options());
  Streams streams(redis);
  const std::string key = "{q}:events";
  ASSERT_TRUE(streams.EnsureGroup(key, "workers", "0").ok());
  ASSERT_TRUE(streams.EnsureGroup(key, "workers", "0").ok());  // idempotent
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    auto id = streams.Append(key, {{"e", "event-" + std::to_string(i)}});
    ASSERT_TRUE(id.ok());
    ids.push_back(*id);
  }
  // Worker A reads three entries and "crashes" without acknowledging.
  auto a =
      streams.ReadGroup(key, "workers", "worker-a", 3, absl::ZeroDuration());
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->size(), 3u);
  EXPECT_EQ((*a)[0].Field("e"), "event-0");
  // Worker B reads the rest and acknowledges them.
  auto b =
      streams.ReadGroup(key, "workers", "worker-b", 10, absl::Milliseconds(50));
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(b->size(), 2u);
  EXPECT_EQ(*streams.Ack(key, "workers", {(*b)[0].id, (*b)[1].id}), 2);
  auto pending = streams.Pending(key, "workers");
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(pending->count, 3);
  EXPECT_EQ(pending->oldest_id, ids[0]);
  // Not idle long enough: nothing is claimed.
  auto early =
      streams.Claim(key, "workers", "worker-b", absl::Seconds(60), "0-0", 10);
  ASSERT_TRUE(early.ok());
  EXPECT_TRUE(early->entries.empty());
  absl::SleepFor(absl::Milliseconds(120));
  auto claimed = streams.Claim(key, "workers", "worker-b",
                               absl::Milliseconds(100), "0-0", 10);
  ASSERT_TRUE(claimed.ok()) << claimed.status();
  ASSERT_EQ(claimed->entries.size(), 3u);
  EXPECT_EQ(claimed->entries[2].Field("e"), "event-2");
  EXPECT_EQ(claimed->next_cursor, "0-0");
  // B now owns them: its own backlog shows them after a restart.
  auto own = streams.ReadOwnPending(key, "workers", "worker-b", 10);
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(own->size(), 3u);
  std::vector<std::string> claimed_ids;
  for (const auto& e : claimed->entries) claimed_ids.push_back(e.id);
  EXPECT_EQ(*streams.Ack(key, "workers", claimed_ids), 3);
  EXPECT_EQ(streams.Pending(key, "workers")->count, 0);
  EXPECT_EQ(*streams.Length(key), 5);
  auto range = streams.Range(key, "-", "+", 2);
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(range->size(), 2u);
}

TEST_F(RedisClientTest, BlockingReadWaitsForANewEntry) {
  RedisClient redis(Options());
  Streams streams(redis);
  ASSERT_TRUE(streams.EnsureGroup("{b}:s", "g", "$").ok());
  std::thread producer([&] {
    absl::SleepFor(absl::Milliseconds(100));
    ASSERT_TRUE(streams.Append("{b}:s", {{"e", "late"}}).ok());
  });
  auto got = streams.ReadGroup("{b}:s", "g", "c", 1, absl::Seconds(3));
  producer.join();
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].Field("e"), "late");
}

}  // namespace
}  // namespace partydev
