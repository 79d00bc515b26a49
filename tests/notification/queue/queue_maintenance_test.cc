// Tests of trimming and consumer clean-up: trimming never removes a job
// that is pending or not yet read (Redis 7 XTRIM would), and a consumer is
// removed only when it owns no pending job.

#include "services/notification/queue/queue_maintenance.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/streams.h"
#include "tests/notification/queue/queue_fixture.h"

namespace partydev::notification {
namespace {

class MaintenanceTest : public QueueTest {
 protected:
  std::string Stream() { return keys_.Stream(v1::MESSAGE_PRIORITY_NORMAL); }
  std::vector<std::string> Ids() {
    Streams streams(*redis_);
    std::vector<std::string> ids;
    absl::StatusOr<std::vector<StreamEntry>> all =
        streams.Range(Stream(), "-", "+", 1000);
    EXPECT_TRUE(all.ok());
    for (const StreamEntry& e : *all) ids.push_back(e.id);
    return ids;
  }
};

TEST_F(MaintenanceTest, TrimKeepsPendingAndUnreadEntries) {
  for (int i = 0; i < 6; ++i) Enqueue(MakeJob(absl::StrCat("k", i)));
  ASSERT_TRUE(queue_->EnsureGroups().ok());
  const std::vector<std::string> ids = Ids();
  ASSERT_EQ(ids.size(), 6u);
  Streams streams(*redis_);
  // A consumer reads 4 (ids 0..3 pending), 4 and 5 stay unread.
  ASSERT_EQ(
      streams.ReadGroup(Stream(), keys_.group(), "c1", 4, absl::ZeroDuration())
          ->size(),
      4u);
  // Entries 0 and 2 acknowledged (without deletion): 1 is still pending,
  // so only 0 may go.
  ASSERT_TRUE(streams.Ack(Stream(), keys_.group(), {ids[0], ids[2]}).ok());
  absl::StatusOr<int64_t> trimmed = TrimStreams(*redis_, keys_);
  ASSERT_TRUE(trimmed.ok()) << trimmed.status();
  EXPECT_EQ(*trimmed, 1);
  EXPECT_EQ(Ids(),
            (std::vector<std::string>{ids[1], ids[2], ids[3], ids[4], ids[5]}));
  // 1 and 3 acknowledged: nothing pending; 4 and 5 are unread and stay.
  ASSERT_TRUE(streams.Ack(Stream(), keys_.group(), {ids[1], ids[3]}).ok());
  trimmed = TrimStreams(*redis_, keys_);
  ASSERT_TRUE(trimmed.ok());
  EXPECT_EQ(*trimmed, 3);
  EXPECT_EQ(Ids(), (std::vector<std::string>{ids[4], ids[5]}));
  // The unread ones are still delivered.
  auto worker = MakeWorker("w1", Recording(*redis_));
  ASSERT_TRUE(worker->Drain().ok());
  EXPECT_TRUE(HasEffect("k4"));
  EXPECT_TRUE(HasEffect("k5"));
}

TEST_F(MaintenanceTest, TrimRemovesEverythingReadAndAcknowledged) {
  for (int i = 0; i < 3; ++i) Enqueue(MakeJob(absl::StrCat("k", i)));
  ASSERT_TRUE(queue_->EnsureGroups().ok());
  const std::vector<std::string> ids = Ids();
  Streams streams(*redis_);
  ASSERT_TRUE(
      streams.ReadGroup(Stream(), keys_.group(), "c1", 10, absl::ZeroDuration())
          .ok());
  ASSERT_TRUE(streams.Ack(Stream(), keys_.group(), ids).ok());
  absl::StatusOr<int64_t> trimmed = TrimStreams(*redis_, keys_);
  ASSERT_TRUE(trimmed.ok());
  EXPECT_EQ(*trimmed, 3);
  EXPECT_TRUE(Ids().empty());
  // A job enqueued afterwards is not affected.
  Enqueue(MakeJob("k9"));
  ASSERT_TRUE(TrimStreams(*redis_, keys_).ok());
  EXPECT_EQ(Ids().size(), 1u);
}

TEST_F(MaintenanceTest, NothingIsTrimmedWithoutAGroup) {
  for (int i = 0; i < 3; ++i) Enqueue(MakeJob(absl::StrCat("k", i)));
  absl::StatusOr<int64_t> trimmed = TrimStreams(*redis_, keys_);
  ASSERT_TRUE(trimmed.ok()) << trimmed.status();
  EXPECT_EQ(*trimmed, 0);
  EXPECT_EQ(Ids().size(), 3u);
}

TEST_F(MaintenanceTest, ConsumerIsRemovedOnlyWithoutPendingJobs) {
  for (int i = 0; i < 2; ++i) Enqueue(MakeJob(absl::StrCat("k", i)));
  ASSERT_TRUE(queue_->EnsureGroups().ok());
  Streams streams(*redis_);
  // "busy" holds one job; "idle" read one and acknowledged it.
  ASSERT_EQ(
      streams
          .ReadGroup(Stream(), keys_.group(), "busy", 1, absl::ZeroDuration())
          ->size(),
      1u);
  absl::StatusOr<std::vector<StreamEntry>> second = streams.ReadGroup(
      Stream(), keys_.group(), "idle", 1, absl::ZeroDuration());
  ASSERT_EQ(second->size(), 1u);
  ASSERT_TRUE(streams.Ack(Stream(), keys_.group(), {second->front().id}).ok());
  absl::SleepFor(absl::Milliseconds(30));

  // Not idle long enough: nobody is removed.
  absl::StatusOr<std::vector<std::string>> removed =
      RemoveIdleConsumers(*redis_, keys_, absl::Hours(1));
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_TRUE(removed->empty());

  removed = RemoveIdleConsumers(*redis_, keys_, absl::Milliseconds(20));
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, (std::vector<std::string>{Stream() + "/idle"}));
  absl::StatusOr<std::vector<GroupInfo>> groups = streams.Groups(Stream());
  ASSERT_TRUE(groups.ok());
  ASSERT_EQ(groups->size(), 1u);
  EXPECT_EQ(groups->front().consumers, 1);
  EXPECT_EQ(groups->front().pending, 1);  // the busy one's job is kept

  // Once its job is claimed by another worker, "busy" can go.
  auto worker = MakeWorker("w1", Recording(*redis_), [](JobWorkerOptions& o) {
    o.claim_min_idle = absl::Milliseconds(10);
  });
  ASSERT_TRUE(worker->Drain().ok());
  EXPECT_EQ(EffectCount(), 1);
  absl::SleepFor(absl::Milliseconds(30));
  removed = RemoveIdleConsumers(*redis_, keys_, absl::Milliseconds(20));
  ASSERT_TRUE(removed.ok());
  EXPECT_NE(std::find(removed->begin(), removed->end(), Stream() + "/busy"),
            removed->end());
}

}  // namespace
}  // namespace partydev::notification
