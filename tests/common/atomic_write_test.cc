#include "common/atomic_write.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "common/idempotency.h"
#include "common/paging.h"
#include "common/streams.h"
#include "partydev/testing/v1/echo.pb.h"
#include "tests/support/redis_server.h"

namespace partydev {
namespace {

class AtomicWriteTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new testing::RedisServer();
    ASSERT_TRUE(server_->Start().ok());
  }
  static void TearDownTestSuite() { delete server_; }
  void SetUp() override {
    ASSERT_TRUE(server_->FlushAll().ok());
    redis_ = std::make_unique<RedisClient>(*ParseRedisUrl(server_->url()));
  }
  static testing::RedisServer* server_;
  std::unique_ptr<RedisClient> redis_;
};
testing::RedisServer* AtomicWriteTest::server_ = nullptr;

TEST_F(AtomicWriteTest, WritesStateIndexesAndEventTogether) {
  AtomicWrite write;
  write.Expect("{t}:org:a", 0);
  write.Put("{t}:org:a", "A1");
  write.ZAdd("{t}:paths", 0, "a");
  write.XAdd("{t}:events", {{"e", "created a"}});
  auto result = write.Commit(*redis_);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->stream_ids.size(), 1u);
  auto record = ReadRecord(*redis_, "{t}:org:a");
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->version, 1);
  EXPECT_EQ(record->data, "A1");
  EXPECT_EQ(redis_->Command({"ZCARD", "{t}:paths"})->integer(), 1);
  EXPECT_EQ(redis_->Command({"XLEN", "{t}:events"})->integer(), 1);
}

TEST_F(AtomicWriteTest, CountersMoveAndVanishAtZero) {
  AtomicWrite add;
  add.HIncrBy("{t}:counts", "stage:1", 2);
  add.HIncrBy("{t}:counts", "stage:2", 1);
  ASSERT_TRUE(add.Commit(*redis_).ok());
  AtomicWrite move;
  move.HIncrBy("{t}:counts", "stage:1", -2);
  move.HIncrBy("{t}:counts", "stage:2", 1);
  ASSERT_TRUE(move.Commit(*redis_).ok());
  EXPECT_EQ(redis_->Command({"HGET", "{t}:counts", "stage:2"})->str(), "2");
  EXPECT_EQ(redis_->Command({"HEXISTS", "{t}:counts", "stage:1"})->integer(),
            0);
}

TEST_F(AtomicWriteTest, AStaleVersionWritesNothingAtAll) {
  AtomicWrite create;
  create.Put("{t}:org:a", "A1");
  ASSERT_TRUE(create.Commit(*redis_).ok());
  AtomicWrite stale;
  stale.Put("{t}:other", "x");  // listed before the guard: still not written
  stale.Expect("{t}:org:a", 0);
  stale.Put("{t}:org:a", "A2");
  stale.XAdd("{t}:events", {{"e", "never"}});
  auto result = stale.Commit(*redis_);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(ReadRecord(*redis_, "{t}:org:a")->data, "A1");
  EXPECT_TRUE(redis_->Command({"GET", "{t}:other"})->is_nil());
  EXPECT_EQ(redis_->Command({"XLEN", "{t}:events"})->integer(), 0);
}

TEST_F(AtomicWriteTest, ConcurrentWritersOfOneVersionExactlyOneWins) {
  AtomicWrite seed;
  seed.Put("{t}:case", "v1");
  ASSERT_TRUE(seed.Commit(*redis_).ok());
  std::atomic<int> wins{0}, aborted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      AtomicWrite w;
      w.Expect("{t}:case", 1);
      w.Put("{t}:case", "by-" + std::to_string(i));
      w.XAdd("{t}:events", {{"e", std::to_string(i)}});
      auto r = w.Commit(*redis_);
      if (r.ok()) ++wins;
      if (absl::IsAborted(r.status())) ++aborted;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(aborted.load(), 7);
  EXPECT_EQ(redis_->Command({"XLEN", "{t}:events"})->integer(), 1);
}

TEST_F(AtomicWriteTest, RequestIdReturnsTheFirstAnswerAndRefusesReuse) {
  testing::v1::EchoRequest request;
  request.set_message("create X");
  IdempotencyKey key("{t}:", "Create", "req-1", request);
  ASSERT_TRUE(key.active());
  auto before = key.Lookup(*redis_);
  ASSERT_TRUE(before.ok());
  EXPECT_FALSE(before->has_value());
  testing::v1::EchoResponse response;
  response.set_message("created X");
  AtomicWrite write;
  write.Put("{t}:x", "X");
  write.RecordResponse(key.redis_key(), key.Wrap(response), kRequestIdTtl);
  ASSERT_TRUE(write.Commit(*redis_).ok());
  // A duplicate that raced past the lookup loses and changes nothing.
  AtomicWrite duplicate;
  duplicate.Put("{t}:x", "X again");
  duplicate.RecordResponse(key.redis_key(), key.Wrap(response), kRequestIdTtl);
  EXPECT_EQ(duplicate.Commit(*redis_).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ReadRecord(*redis_, "{t}:x")->version, 1);
  auto cached = key.Lookup(*redis_);
  ASSERT_TRUE(cached.ok() && cached->has_value());
  testing::v1::EchoResponse parsed;
  ASSERT_TRUE(parsed.ParseFromString(**cached));
  EXPECT_EQ(parsed.message(), "created X");
  testing::v1::EchoRequest other;
  other.set_message("create Y");
  auto reused =
      IdempotencyKey("{t}:", "Create", "req-1", other).Lookup(*redis_);
  EXPECT_EQ(reused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(IdempotencyKey("{t}:", "Create", "", request).active());
  EXPECT_FALSE(ValidateRequestId(std::string(200, 'a')).ok());
  EXPECT_FALSE(ValidateRequestId("has space").ok());
  EXPECT_TRUE(ValidateRequestId("7d1f2c9e-0a7b-4c1e-9f1e-3b2a1c0d9e8f").ok());
}

TEST_F(AtomicWriteTest, EventSurvivesARedisRestartWithItsState) {
  // AOF: an acknowledged write and its event come back together.
  AtomicWrite write;
  write.Put("{t}:org:b", "B1");
  write.XAdd("{t}:events", {{"e", "created b"}});
  ASSERT_TRUE(write.Commit(*redis_).ok());
  ASSERT_TRUE(server_->Restart().ok());
  absl::StatusOr<VersionedRecord> record;
  for (int i = 0; i < 100 && !(record = ReadRecord(*redis_, "{t}:org:b")).ok();
       ++i) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->data, "B1");
  EXPECT_EQ(redis_->Command({"XLEN", "{t}:events"})->integer(), 1);
}

TEST(PagingTest, PageSizeFollowsAip158) {
  EXPECT_EQ(*ResolvePageSize(0), kDefaultPageSize);
  EXPECT_EQ(*ResolvePageSize(10), 10);
  EXPECT_EQ(*ResolvePageSize(5000), kMaxPageSize);
  EXPECT_EQ(ResolvePageSize(-1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(PagingTest, TokensAreBoundToTheirRequest) {
  testing::v1::EchoRequest a;
  a.set_message("filter a");
  testing::v1::EchoRequest b;
  b.set_message("filter b");
  const std::string fa = RequestFingerprint(a);
  const std::string token = EncodePageToken("cursor-42", fa);
  EXPECT_EQ(token.find("cursor"), std::string::npos);  // not readable as is
  EXPECT_EQ(*DecodePageToken(token, fa), "cursor-42");
  EXPECT_EQ(*DecodePageToken("", fa), "");
  EXPECT_EQ(DecodePageToken(token, RequestFingerprint(b)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodePageToken("!!garbage!!", fa).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace partydev
