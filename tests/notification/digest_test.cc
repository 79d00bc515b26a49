// The daily digest (services/notification/digest.h) on a real notifyd,
// Redis and SMTP sink (tests/notification/channels/local_servers.h), with
// the fixture's ManualClock: messages the preferences hold are not e-mailed
// one by one (urgent and mandatory ones still are), the digest job at
// send_at puts one DIGEST message in the inbox listing them and e-mails it
// once; it runs once per day however many times, or by however many
// workers, it is run; with the digest off messages go as before, and what
// was pending when it was turned off still goes out.

#include "services/notification/digest.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/metrics.h"
#include "partydev/notification/v1/channels.grpc.pb.h"
#include "partydev/notification/v1/inbox.grpc.pb.h"
#include "services/notification/channel_delivery.h"
#include "services/notification/channel_preferences.h"
#include "services/notification/channel_store.h"
#include "services/notification/delivery_dispatcher.h"
#include "services/notification/queue/job_worker.h"
#include "services/notification/recipient_store.h"
// local_servers.h finds its scripts under PARTYDEV_SOURCE_DIR, which only
// the channels' test binary defines; derive it from the rules directory.
#ifndef PARTYDEV_SOURCE_DIR
#define PARTYDEV_SOURCE_DIR PARTYDEV_NOTIFICATION_RULES_DIR "/../../.."
#endif
#include "tests/notification/channels/local_servers.h"
#include "tests/notification/notification_fixture.h"

namespace partydev::notification {
namespace {

constexpr char kP1[] = "recipients/person-p1";

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}
std::vector<std::string> Strings(
    const google::protobuf::RepeatedPtrField<std::string>& v) {
  return {v.begin(), v.end()};
}

class DigestTest : public NotificationFixture {
 protected:
  void SetUp() override {
    NotificationFixture::SetUp();
    channels_ = v1::ChannelService::NewStub(server_->channel());
    inbox_ = v1::InboxService::NewStub(server_->channel());
    RecipientStore store(*context_);
    ASSERT_TRUE(store.EnsurePerson("people/p1", kCell, "Nguyễn Văn A").ok());
    SetToday(2024, 3, 12);
    ASSERT_TRUE(sink_.Start({}).ok());
  }
  void TearDown() override {
    workers_.clear();
    dispatchers_.clear();
    NotificationFixture::TearDown();
  }

  // A worker (consumer slot `slot`) and its dispatcher, e-mail to the sink.
  JobWorker& AddWorker(int slot) {
    ChannelDeliveryOptions options =
        ChannelDeliveryOptionsFor(context_->runtime().config());
    options.smtp.url = sink_.url();
    options.from = {"thongbao@partydev.vn", "Văn phòng"};
    JobWorkerOptions worker = DeliveryWorkerOptions(*context_, slot);
    worker.block = absl::Milliseconds(20);
    worker.policy = [](v1::ChannelType) {
      v1::ChannelPolicy policy;
      policy.set_max_attempts(3);
      policy.add_retry_delays()->set_seconds(10);
      policy.mutable_attempt_timeout()->set_seconds(5);
      return policy;
    };
    dispatchers_.push_back(std::make_unique<DeliveryDispatcher>(
        *context_, options, worker.policy));
    workers_.push_back(std::make_unique<JobWorker>(
        context_->redis(), context_->queue_keys(), context_->clock(), metrics_,
        worker, dispatchers_.back()->AsHandler()));
    return *workers_.back();
  }
  int Deliver() {
    if (workers_.empty()) AddWorker(7);
    absl::StatusOr<int> n = workers_.front()->Drain();
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? *n : -1;
  }

  static Caller P1() { return {"people/p1", kCell, "member"}; }

  static v1::SendNotificationRequest Text(
      const std::string& key, const std::string& subject,
      v1::MessagePriority priority = v1::MESSAGE_PRIORITY_NORMAL,
      v1::MessageCategory category = v1::MESSAGE_CATEGORY_MEETING_INVITATION) {
    v1::SendNotificationRequest request;
    request.add_recipients(kP1);
    request.set_category(category);
    request.set_priority(priority);
    request.mutable_content()->mutable_text()->set_subject(subject);
    request.mutable_content()->mutable_text()->set_body("Nội dung: " + subject);
    request.set_idempotency_key(key);
    return request;
  }
  void MustSend(const v1::SendNotificationRequest& request) {
    v1::SendNotificationResponse response;
    grpc::Status s =
        inbox_->SendNotification(As(Operator(kCell)).get(), request, &response);
    ASSERT_TRUE(s.ok()) << Describe(s);
  }
  std::vector<v1::Message> Inbox() {
    v1::ListMessagesRequest request;
    request.set_parent(kP1);
    v1::ListMessagesResponse response;
    grpc::Status s =
        inbox_->ListMessages(As(Admin()).get(), request, &response);
    EXPECT_TRUE(s.ok()) << Describe(s);
    return {response.messages().begin(), response.messages().end()};
  }
  std::vector<v1::Message> DigestsInInbox() {
    std::vector<v1::Message> out;
    for (const v1::Message& m : Inbox()) {
      if (m.category() == v1::MESSAGE_CATEGORY_DIGEST) out.push_back(m);
    }
    return out;
  }
  // The name of the inbox message with `subject`, or "".
  std::string NameOf(const std::string& subject) {
    for (const v1::Message& m : Inbox()) {
      if (m.subject() == subject) return m.name();
    }
    return "";
  }

  // An e-mail channel of P1, made active through the store (the code of
  // VerifyChannel travels by e-mail).
  void MustCreateEmail(const std::string& id, const std::string& address) {
    v1::CreateChannelRequest request;
    request.set_parent(kP1);
    request.set_channel_id(id);
    request.mutable_channel()->mutable_email()->set_address(address);
    v1::Channel created;
    grpc::Status s =
        channels_->CreateChannel(As(P1()).get(), request, &created);
    ASSERT_TRUE(s.ok()) << Describe(s);
    ChannelStore store(*context_);
    absl::StatusOr<Stored<storage::v1::StoredChannel>> stored =
        store.Get(created.name());
    ASSERT_TRUE(stored.ok()) << stored.status();
    stored->message.mutable_channel()->set_state(v1::CHANNEL_STATE_ACTIVE);
    AtomicWrite write;
    store.StagePut(write, stored->message, stored->version);
    ASSERT_TRUE(write.Commit(context_->redis()).ok());
  }

  // Turns the digest on (18:00, MEETING_INVITATION gathered too, e-mailed)
  // or off.
  void SetDigest(bool enabled) {
    v1::UpdatePreferencesRequest request;
    request.mutable_preferences()->set_name(absl::StrCat(kP1, "/preferences"));
    v1::DigestSettings* digest =
        request.mutable_preferences()->mutable_digest();
    digest->set_enabled(enabled);
    digest->mutable_send_at()->set_hours(18);
    digest->add_categories(v1::MESSAGE_CATEGORY_MEETING_INVITATION);
    digest->add_channels(v1::CHANNEL_TYPE_EMAIL);
    request.mutable_update_mask()->add_paths("digest");
    v1::Preferences preferences;
    grpc::Status s =
        channels_->UpdatePreferences(As(P1()).get(), request, &preferences);
    ASSERT_TRUE(s.ok()) << Describe(s);
  }

  // The decoded e-mails of the sink (check_mime.py): subject and text.
  std::vector<nlohmann::json> Mails() {
    std::vector<nlohmann::json> out;
    for (const std::string& path : sink_.Messages()) {
      test::CommandResult r = test::RunCommand(absl::StrCat(
          test::kPython, " ", test::ScriptPath("check_mime.py"), " ", path));
      EXPECT_EQ(r.exit_code, 0) << r.output;
      if (r.exit_code == 0) out.push_back(nlohmann::json::parse(r.output));
    }
    return out;
  }
  std::vector<std::string> MailSubjects() {
    std::vector<std::string> out;
    for (const nlohmann::json& mail : Mails()) {
      out.push_back(mail["subject"].get<std::string>());
    }
    return out;
  }

  std::vector<v1::DeliveryAttempt> Attempts() {
    v1::ListDeliveryAttemptsRequest request;
    request.set_parent(absl::StrCat(kP1, "/messages/-"));
    v1::ListDeliveryAttemptsResponse response;
    grpc::Status s =
        channels_->ListDeliveryAttempts(As(P1()).get(), request, &response);
    EXPECT_TRUE(s.ok()) << Describe(s);
    return {response.delivery_attempts().begin(),
            response.delivery_attempts().end()};
  }
  int AttemptsWith(v1::AttemptOutcome outcome) {
    int n = 0;
    for (const v1::DeliveryAttempt& a : Attempts()) n += a.outcome() == outcome;
    return n;
  }

  size_t PendingCount() {
    Digests digests(*context_);
    absl::StatusOr<std::vector<std::string>> pending = digests.Pending(kP1);
    EXPECT_TRUE(pending.ok()) << pending.status();
    return pending.ok() ? pending->size() : 0;
  }
  // The delayed digest jobs of the queue (their records, before they are
  // due).
  int DelayedDigestJobs() {
    absl::StatusOr<RedisReply> keys =
        redis_client_->Command({"KEYS", context_->queue_keys().Job("*")});
    EXPECT_TRUE(keys.ok());
    int n = 0;
    for (const RedisReply& key : keys->elements()) {
      absl::StatusOr<VersionedRecord> record =
          ReadRecord(*redis_client_, key.str());
      storage::v1::Job job;
      if (record.ok() && job.ParseFromString(record->data) &&
          job.kind() == v1::JOB_KIND_DIGEST) {
        ++n;
      }
    }
    return n;
  }
  // The digest job of P1 for 2024-03-12, as the queue stages it.
  static storage::v1::Job DigestJob() {
    storage::v1::Job job;
    job.set_id("manual");
    job.set_kind(v1::JOB_KIND_DIGEST);
    job.set_priority(v1::MESSAGE_PRIORITY_DIGEST);
    job.set_recipient(kP1);
    job.set_idempotency_key(Digests::JobKey(kP1, absl::CivilDay(2024, 3, 12)));
    job.set_payload("2024-03-12");
    return job;
  }

  Metrics metrics_;
  test::SmtpSink sink_;
  std::unique_ptr<v1::ChannelService::Stub> channels_;
  std::unique_ptr<v1::InboxService::Stub> inbox_;
  std::vector<std::unique_ptr<DeliveryDispatcher>> dispatchers_;
  std::vector<std::unique_ptr<JobWorker>> workers_;
};

TEST_F(DigestTest, HeldMessagesGoOutInOneDigestAtSendAt) {
  MustCreateEmail("thu", "vanphong@dukhoi.vn");
  SetDigest(true);
  Metrics& metrics = context_->runtime().metrics();
  const double digests_before =
      metrics.Value("partydev_notification_digests_total", {});

  MustSend(Text("k1", "Bản tin tuần", v1::MESSAGE_PRIORITY_DIGEST,
                v1::MESSAGE_CATEGORY_PIPELINE_REMINDER));
  MustSend(Text("k2", "Họp chi bộ tháng 3"));  // a gathered category
  MustSend(Text("k3", "Họp khẩn", v1::MESSAGE_PRIORITY_URGENT));
  MustSend(Text("k4", "Chỉ thị số 5", v1::MESSAGE_PRIORITY_DIGEST,
                v1::MESSAGE_CATEGORY_DIRECTIVE));  // mandatory
  MustSend(Text("k5", "Nhắc hạn đánh giá", v1::MESSAGE_PRIORITY_NORMAL,
                v1::MESSAGE_CATEGORY_PIPELINE_REMINDER));  // not gathered
  Deliver();

  EXPECT_EQ(Inbox().size(), 5u) << "the inbox gets every message at once";
  std::vector<std::string> subjects = MailSubjects();
  EXPECT_EQ(subjects.size(), 3u);
  EXPECT_EQ(Sorted(subjects),
            Sorted({"Họp khẩn", "Chỉ thị số 5", "Nhắc hạn đánh giá"}));
  EXPECT_EQ(AttemptsWith(v1::ATTEMPT_OUTCOME_HELD_FOR_DIGEST), 2);
  EXPECT_EQ(PendingCount(), 2u);
  EXPECT_EQ(DelayedDigestJobs(), 1) << "one digest job however many held";
  EXPECT_GE(metrics.Value("partydev_notification_digest_held_total", {}), 2);

  // Not before send_at.
  clock_->Set(VietnamTime(2024, 3, 12, 17, 59));
  Deliver();
  EXPECT_TRUE(DigestsInInbox().empty());
  EXPECT_EQ(sink_.Messages().size(), 3u);

  clock_->Set(VietnamTime(2024, 3, 12, 18, 0));
  Deliver();
  std::vector<v1::Message> digests = DigestsInInbox();
  ASSERT_EQ(digests.size(), 1u);
  const v1::Message& digest = digests[0];
  EXPECT_EQ(digest.subject(),
            "Tổng hợp thông báo ngày 12/03/2024: 2 thông báo");
  EXPECT_EQ(Strings(digest.digested_messages()),
            std::vector<std::string>(
                {NameOf("Bản tin tuần"), NameOf("Họp chi bộ tháng 3")}));
  EXPECT_FALSE(NameOf("Bản tin tuần").empty());
  EXPECT_TRUE(absl::StrContains(digest.body(), "- Bản tin tuần\n"));
  EXPECT_TRUE(absl::StrContains(digest.body(), "- Họp chi bộ tháng 3\n"));
  EXPECT_FALSE(absl::StrContains(digest.body(), "Họp khẩn"));

  std::vector<nlohmann::json> mails = Mails();
  ASSERT_EQ(mails.size(), 4u);
  const nlohmann::json* digest_mail = nullptr;
  for (const nlohmann::json& mail : mails) {
    if (absl::StartsWith(mail["subject"].get<std::string>(), "Tổng hợp")) {
      digest_mail = &mail;
    }
  }
  ASSERT_NE(digest_mail, nullptr);
  const std::string text = (*digest_mail)["text"].get<std::string>();
  EXPECT_TRUE(absl::StrContains(text, "Bản tin tuần")) << text;
  EXPECT_TRUE(absl::StrContains(text, "Họp chi bộ tháng 3")) << text;
  EXPECT_EQ(PendingCount(), 0u) << "the held set is emptied by the digest";
  EXPECT_EQ(metrics.Value("partydev_notification_digests_total", {}),
            digests_before + 1);

  // The next day: nothing pending, nothing sent.
  clock_->Set(VietnamTime(2024, 3, 13, 18, 30));
  Deliver();
  EXPECT_EQ(DigestsInInbox().size(), 1u);
  EXPECT_EQ(sink_.Messages().size(), 4u);
}

TEST_F(DigestTest, RunTwiceOrByTwoWorkersGivesOneDigest) {
  MustCreateEmail("thu", "vanphong@dukhoi.vn");
  SetDigest(true);
  MustSend(Text("k1", "Bản tin 1", v1::MESSAGE_PRIORITY_DIGEST));
  MustSend(Text("k2", "Bản tin 2", v1::MESSAGE_PRIORITY_DIGEST));
  Deliver();
  EXPECT_TRUE(sink_.Messages().empty());
  ASSERT_EQ(PendingCount(), 2u);

  clock_->Set(VietnamTime(2024, 3, 12, 18, 0));
  // Two dispatchers run the same digest job at the same time, as two
  // workers that both took it (a claim after a stall) would.
  AddWorker(1);
  AddWorker(2);
  std::vector<JobResult> results(2);
  {
    std::thread a([&] { results[0] = dispatchers_[0]->Handle(DigestJob()); });
    std::thread b([&] { results[1] = dispatchers_[1]->Handle(DigestJob()); });
    a.join();
    b.join();
  }
  EXPECT_EQ(results[0].kind, JobResult::Kind::kDone) << results[0].error;
  EXPECT_EQ(results[1].kind, JobResult::Kind::kDone) << results[1].error;
  // And again, then the staged job itself, by both workers at once.
  EXPECT_EQ(dispatchers_[0]->Handle(DigestJob()).kind, JobResult::Kind::kDone);
  {
    std::thread a([&] { workers_[0]->Drain().IgnoreError(); });
    std::thread b([&] { workers_[1]->Drain().IgnoreError(); });
    a.join();
    b.join();
  }
  Deliver();

  std::vector<v1::Message> digests = DigestsInInbox();
  ASSERT_EQ(digests.size(), 1u);
  EXPECT_EQ(digests[0].digested_messages_size(), 2);
  std::vector<std::string> subjects = MailSubjects();
  ASSERT_EQ(subjects.size(), 1u);
  EXPECT_EQ(subjects[0], "Tổng hợp thông báo ngày 12/03/2024: 2 thông báo");
  EXPECT_EQ(PendingCount(), 0u);
}

TEST_F(DigestTest, OneMessageOnTwoChannelsIsHeldOnce) {
  MustCreateEmail("thu", "vanphong@dukhoi.vn");
  MustCreateEmail("thu-2", "bithu@dukhoi.vn");
  SetDigest(true);
  MustSend(Text("k1", "Bản tin tuần", v1::MESSAGE_PRIORITY_DIGEST));
  Deliver();
  EXPECT_TRUE(sink_.Messages().empty());
  EXPECT_EQ(AttemptsWith(v1::ATTEMPT_OUTCOME_HELD_FOR_DIGEST), 2);
  EXPECT_EQ(PendingCount(), 1u);

  clock_->Set(VietnamTime(2024, 3, 12, 18, 0));
  Deliver();
  std::vector<v1::Message> digests = DigestsInInbox();
  ASSERT_EQ(digests.size(), 1u);
  EXPECT_EQ(digests[0].subject(),
            "Tổng hợp thông báo ngày 12/03/2024: 1 thông báo");
  // One digest per e-mail channel of the digest.
  EXPECT_EQ(sink_.Messages().size(), 2u);
}

TEST_F(DigestTest, DigestOffSendsAsNormal) {
  MustCreateEmail("thu", "vanphong@dukhoi.vn");
  SetDigest(false);
  MustSend(Text("k1", "Bản tin tuần", v1::MESSAGE_PRIORITY_DIGEST));
  MustSend(Text("k2", "Họp chi bộ tháng 3"));
  Deliver();
  EXPECT_EQ(Sorted(MailSubjects()),
            Sorted({"Bản tin tuần", "Họp chi bộ tháng 3"}));
  EXPECT_EQ(PendingCount(), 0u);
  EXPECT_EQ(DelayedDigestJobs(), 0);
  EXPECT_EQ(AttemptsWith(v1::ATTEMPT_OUTCOME_HELD_FOR_DIGEST), 0);
}

TEST_F(DigestTest, TurnedOffStillSendsWhatWasPending) {
  MustCreateEmail("thu", "vanphong@dukhoi.vn");
  SetDigest(true);
  MustSend(Text("k1", "Bản tin tuần", v1::MESSAGE_PRIORITY_DIGEST));
  Deliver();
  EXPECT_TRUE(sink_.Messages().empty());
  SetDigest(false);
  MustSend(Text("k2", "Bản tin tháng", v1::MESSAGE_PRIORITY_DIGEST));
  Deliver();
  EXPECT_EQ(MailSubjects(), std::vector<std::string>({"Bản tin tháng"}));

  clock_->Set(VietnamTime(2024, 3, 12, 18, 0));
  Deliver();
  std::vector<v1::Message> digests = DigestsInInbox();
  ASSERT_EQ(digests.size(), 1u);
  EXPECT_EQ(Strings(digests[0].digested_messages()),
            std::vector<std::string>({NameOf("Bản tin tuần")}));
  EXPECT_EQ(MailSubjects().size(), 2u);
  EXPECT_EQ(PendingCount(), 0u);
}

TEST(DigestRulesTest, NextSendAtIsInTheRecipientsZone) {
  v1::DigestSettings digest;
  digest.set_enabled(true);
  digest.mutable_send_at()->set_hours(18);
  digest.mutable_send_at()->set_minutes(30);
  const absl::TimeZone vietnam = RecipientTimeZone("");
  // 12:00 in Vietnam: today at 18:30; 18:30 itself: tomorrow.
  const absl::Time noon =
      absl::FromCivil(absl::CivilMinute(2024, 3, 12, 12, 0), vietnam);
  EXPECT_EQ(NextDigestTime(digest, vietnam, noon),
            absl::FromCivil(absl::CivilMinute(2024, 3, 12, 18, 30), vietnam));
  const absl::Time at =
      absl::FromCivil(absl::CivilMinute(2024, 3, 12, 18, 30), vietnam);
  EXPECT_EQ(NextDigestTime(digest, vietnam, at), at + absl::Hours(24));
  // Another zone (Tokyo, UTC+9): 18:30 there is two hours earlier.
  const absl::TimeZone tokyo = RecipientTimeZone("Asia/Tokyo");
  EXPECT_EQ(NextDigestTime(digest, tokyo, noon),
            absl::FromCivil(absl::CivilMinute(2024, 3, 12, 18, 30), tokyo));
  EXPECT_EQ(NextDigestTime(digest, tokyo, noon) + absl::Hours(2),
            NextDigestTime(digest, vietnam, noon));
}

TEST(DigestRulesTest, WhatIsHeld) {
  v1::Preferences p;
  p.mutable_digest()->set_enabled(true);
  p.mutable_digest()->add_categories(v1::MESSAGE_CATEGORY_MEETING_INVITATION);
  v1::NotificationRuleSet rules;
  rules.add_mandatory_categories(v1::MESSAGE_CATEGORY_DIRECTIVE);
  EXPECT_TRUE(HeldForDigest(p, v1::MESSAGE_CATEGORY_PIPELINE_REMINDER,
                            v1::MESSAGE_PRIORITY_DIGEST, &rules));
  EXPECT_TRUE(HeldForDigest(p, v1::MESSAGE_CATEGORY_MEETING_INVITATION,
                            v1::MESSAGE_PRIORITY_NORMAL, &rules));
  EXPECT_FALSE(HeldForDigest(p, v1::MESSAGE_CATEGORY_PIPELINE_REMINDER,
                             v1::MESSAGE_PRIORITY_NORMAL, &rules));
  EXPECT_FALSE(HeldForDigest(p, v1::MESSAGE_CATEGORY_MEETING_INVITATION,
                             v1::MESSAGE_PRIORITY_URGENT, &rules));
  EXPECT_FALSE(HeldForDigest(p, v1::MESSAGE_CATEGORY_DIRECTIVE,
                             v1::MESSAGE_PRIORITY_DIGEST, &rules));
  EXPECT_FALSE(HeldForDigest(p, v1::MESSAGE_CATEGORY_DIGEST,
                             v1::MESSAGE_PRIORITY_DIGEST, &rules));
  p.mutable_digest()->set_enabled(false);
  EXPECT_FALSE(HeldForDigest(p, v1::MESSAGE_CATEGORY_PIPELINE_REMINDER,
                             v1::MESSAGE_PRIORITY_DIGEST, &rules));
}

}  // namespace
}  // namespace partydev::notification
