// OperationsService over a real Redis and notifyd in process
// (NotificationFixture: the wiring main.cc uses): dead letters made by the real
// delivery engine are listed, filtered, replayed (once, with the same
// idempotency key) and discarded, and only operators may do so.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/metrics.h"
#include "partydev/notification/v1/operations.grpc.pb.h"
#include "services/notification/queue/job_worker.h"
#include "tests/notification/notification_fixture.h"

namespace partydev::notification {
namespace {

class OperationsServiceTest : public NotificationFixture {
 protected:
  void SetUp() override {
    NotificationFixture::SetUp();
    operations_ = v1::OperationsService::NewStub(server_->channel());
    ASSERT_TRUE(context_->queue().EnsureGroups().ok());
  }

  // Enqueues a job that the engine will hand to `handler`.
  std::string Enqueue(const std::string& key, v1::ChannelType channel) {
    storage::v1::Job job;
    job.set_kind(v1::JOB_KIND_CHANNEL_DELIVERY);
    job.set_priority(v1::MESSAGE_PRIORITY_NORMAL);
    job.set_channel_type(channel);
    job.set_recipient("recipients/r1");
    job.set_idempotency_key(key);
    job.set_payload("Công văn 1849-CV/ĐUK");
    absl::StatusOr<std::string> id = context_->queue().Enqueue(job);
    EXPECT_TRUE(id.ok()) << id.status();
    return id.ok() ? *id : "";
  }

  // Runs a worker of the real engine until nothing is left.
  void Work(const JobWorker::Handler& handler) {
    JobWorkerOptions options;
    options.consumer = "test-worker";
    options.block = absl::Milliseconds(10);
    JobWorker worker(context_->redis(), context_->queue_keys(), *clock_,
                     metrics_, options, handler);
    absl::StatusOr<int> drained = worker.Drain();
    ASSERT_TRUE(drained.ok()) << drained.status();
  }

  // An operator of the installation with `roles`.
  static std::unique_ptr<grpc::ClientContext> As(const std::string& roles) {
    return NotificationFixture::As({"people/ops", "", roles});
  }

  v1::ListDeadLettersResponse List(const std::string& filter,
                                   const std::string& roles = "operator") {
    v1::ListDeadLettersRequest request;
    request.set_filter(filter);
    v1::ListDeadLettersResponse response;
    grpc::Status s =
        operations_->ListDeadLetters(As(roles).get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response;
  }

  Metrics metrics_;
  std::unique_ptr<v1::OperationsService::Stub> operations_;
};

JobResult Gone(const storage::v1::Job&) {
  return JobResult::Dead(v1::DEAD_LETTER_REASON_ENDPOINT_GONE, "410 Gone", 410);
}

TEST_F(OperationsServiceTest, DeadLettersAreListedFilteredAndRedacted) {
  Enqueue("k1", v1::CHANNEL_TYPE_WEBHOOK);
  Enqueue("k2", v1::CHANNEL_TYPE_EMAIL);
  Work([](const storage::v1::Job& job) {
    return job.channel_type() == v1::CHANNEL_TYPE_WEBHOOK
               ? Gone(job)
               : JobResult::Dead(v1::DEAD_LETTER_REASON_PERMANENT_FAILURE,
                                 "550 mailbox unavailable");
  });
  v1::ListDeadLettersResponse all = List("");
  ASSERT_EQ(all.total_size(), 2);
  ASSERT_EQ(all.dead_letters_size(), 2);
  // Newest first by default; no payload without the personal_data role.
  EXPECT_EQ(all.dead_letters(0).idempotency_key(), "k2");
  EXPECT_TRUE(all.dead_letters(0).payload_json().empty());
  v1::ListDeadLettersResponse webhooks = List(
      "reason = DEAD_LETTER_REASON_ENDPOINT_GONE", "operator,personal_data");
  ASSERT_EQ(webhooks.dead_letters_size(), 1);
  EXPECT_EQ(webhooks.dead_letters(0).last_http_status(), 410);
  EXPECT_FALSE(webhooks.dead_letters(0).payload_json().empty());
  // A filter on a field the API does not document is refused.
  v1::ListDeadLettersRequest bad;
  bad.set_filter("last_error = \"x\"");
  v1::ListDeadLettersResponse out;
  EXPECT_EQ(operations_->ListDeadLetters(As("operator").get(), bad, &out)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(OperationsServiceTest, OnlyOperatorsSeeAndTouchDeadLetters) {
  Enqueue("k1", v1::CHANNEL_TYPE_WEBHOOK);
  Work(Gone);
  const std::string name = List("").dead_letters(0).name();
  for (const std::string roles : {"reader", "organization_board", "member"}) {
    v1::GetDeadLetterRequest get;
    get.set_name(name);
    v1::DeadLetter d;
    EXPECT_EQ(operations_->GetDeadLetter(As(roles).get(), get, &d).error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << roles;
    v1::ReplayDeadLetterRequest replay;
    replay.set_name(name);
    EXPECT_EQ(
        operations_->ReplayDeadLetter(As(roles).get(), replay, &d).error_code(),
        grpc::StatusCode::PERMISSION_DENIED)
        << roles;
  }
  // Nothing was replayed.
  EXPECT_EQ(List("").dead_letters(0).state(), v1::DEAD_LETTER_STATE_DEAD);
}

TEST_F(OperationsServiceTest, AReplayDeliversOnceWithTheSameKey) {
  Enqueue("k-replay", v1::CHANNEL_TYPE_WEBHOOK);
  Work(Gone);
  const std::string name = List("").dead_letters(0).name();

  v1::ReplayDeadLetterRequest request;
  request.set_name(name);
  request.set_request_id("replay-1");
  request.set_validate_only(true);
  v1::DeadLetter checked;
  ASSERT_TRUE(
      operations_->ReplayDeadLetter(As("operator").get(), request, &checked)
          .ok());
  EXPECT_EQ(checked.state(), v1::DEAD_LETTER_STATE_DEAD);  // nothing written

  request.set_validate_only(false);
  v1::DeadLetter replayed;
  grpc::Status s =
      operations_->ReplayDeadLetter(As("operator").get(), request, &replayed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(replayed.state(), v1::DEAD_LETTER_STATE_REPLAYED);
  EXPECT_EQ(replayed.replay_count(), 1);
  EXPECT_EQ(replayed.last_action_stamp().actor(), "people/ops");
  // The retry of the same request answers as the first did.
  v1::DeadLetter again;
  s = operations_->ReplayDeadLetter(As("operator").get(), request, &again);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(again.replay_count(), 1);
  // Another replay of a letter no longer DEAD is refused.
  request.set_request_id("replay-2");
  s = operations_->ReplayDeadLetter(As("operator").get(), request, &again);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  std::vector<std::string> handled;
  Work([&handled](const storage::v1::Job& job) {
    handled.push_back(job.idempotency_key());
    return JobResult::Done();
  });
  EXPECT_EQ(handled, std::vector<std::string>{"k-replay"});
}

TEST_F(OperationsServiceTest, ReplayByFilterAndDiscardWithAReason) {
  for (int i = 0; i < 3; ++i) {
    Enqueue("gone-" + std::to_string(i), v1::CHANNEL_TYPE_WEBHOOK);
  }
  Enqueue("mail", v1::CHANNEL_TYPE_EMAIL);
  Work([](const storage::v1::Job& job) {
    return job.channel_type() == v1::CHANNEL_TYPE_WEBHOOK
               ? Gone(job)
               : JobResult::Dead(v1::DEAD_LETTER_REASON_PERMANENT_FAILURE,
                                 "550");
  });

  v1::ReplayDeadLettersRequest request;
  v1::ReplayDeadLettersResponse response;
  // A filter is required ("*" for all).
  EXPECT_EQ(
      operations_->ReplayDeadLetters(As("operator").get(), request, &response)
          .error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  request.set_filter("channel_type = CHANNEL_TYPE_WEBHOOK");
  request.set_max_entries(2);
  request.set_validate_only(true);
  ASSERT_TRUE(
      operations_->ReplayDeadLetters(As("operator").get(), request, &response)
          .ok());
  EXPECT_EQ(response.matched_count(), 3);
  EXPECT_EQ(response.replayed_count(), 0);
  EXPECT_TRUE(response.more_remaining());
  EXPECT_EQ(List("state = DEAD_LETTER_STATE_DEAD").total_size(), 4);

  request.set_validate_only(false);
  response.Clear();
  ASSERT_TRUE(
      operations_->ReplayDeadLetters(As("operator").get(), request, &response)
          .ok());
  EXPECT_EQ(response.replayed_count(), 2);
  EXPECT_EQ(response.dead_letters_size(), 2);
  EXPECT_EQ(List("state = DEAD_LETTER_STATE_REPLAYED").total_size(), 2);

  // Discard needs a reason; then the letter is DISCARDED.
  const std::string mail = List("reason = DEAD_LETTER_REASON_PERMANENT_FAILURE")
                               .dead_letters(0)
                               .name();
  v1::DiscardDeadLetterRequest discard;
  discard.set_name(mail);
  v1::DeadLetter d;
  EXPECT_EQ(operations_->DiscardDeadLetter(As("operator").get(), discard, &d)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  discard.set_reason("địa chỉ e-mail đã ngừng sử dụng");
  ASSERT_TRUE(
      operations_->DiscardDeadLetter(As("operator").get(), discard, &d).ok());
  EXPECT_EQ(d.state(), v1::DEAD_LETTER_STATE_DISCARDED);
  EXPECT_EQ(d.last_action_stamp().reason(), "địa chỉ e-mail đã ngừng sử dụng");
}

TEST_F(OperationsServiceTest, QueueStatsCountWhatWaits) {
  Enqueue("a", v1::CHANNEL_TYPE_IN_APP);
  Enqueue("b", v1::CHANNEL_TYPE_IN_APP);
  v1::GetQueueStatsRequest request;
  v1::QueueStats stats;
  EXPECT_EQ(operations_->GetQueueStats(As("operator").get(), request, &stats)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  request.set_name("queueStats");
  ASSERT_TRUE(
      operations_->GetQueueStats(As("operator").get(), request, &stats).ok());
  int64_t depth = 0;
  for (const auto& q : stats.queues()) depth += q.depth();
  EXPECT_EQ(depth, 2);
  EXPECT_EQ(stats.dead_letter_count(), 0);
}

}  // namespace
}  // namespace partydev::notification
