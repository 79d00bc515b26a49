// ChannelService's channels, preferences and attempts log, wired into the
// delivery engine, on a real notifyd, Redis, webhook receiver and SMTP sink
// (tests/notification/channels/local_servers.h): a webhook created, verified
// and delivered to with valid Standard Webhooks signatures; retries then a
// dead letter; 410 disabling the endpoint; e-mail through the SMTP sink;
// secret rotation signing with both secrets; opt-outs and quiet hours;
// refusals naming the field or the permission, with nothing written.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/errors.h"
#include "common/metrics.h"
#include "partydev/notification/v1/channels.grpc.pb.h"
#include "partydev/notification/v1/inbox.grpc.pb.h"
#include "services/notification/channel_delivery.h"
#include "services/notification/channel_store.h"
#include "services/notification/channels/webhook_signature.h"
#include "services/notification/delivery_dispatcher.h"
#include "services/notification/queue/job_worker.h"
#include "services/notification/recipient_store.h"
// local_servers.h finds its scripts under PARTYDEV_SOURCE_DIR, which only
// the channels' test binary defines; derive it from the rules directory
// (services/notification/rules) this binary is given.
#ifndef PARTYDEV_SOURCE_DIR
#define PARTYDEV_SOURCE_DIR PARTYDEV_NOTIFICATION_RULES_DIR "/../../.."
#endif
#include "tests/notification/channels/local_servers.h"
#include "tests/notification/notification_fixture.h"

namespace partydev::notification {
namespace {

constexpr char kOther[] = "organizations/tinh-khac";
constexpr char kP1[] = "recipients/person-p1";

class ChannelServiceTest : public NotificationFixture {
 protected:
  void SetUp() override {
    NotificationFixture::SetUp();
    channels_ = v1::ChannelService::NewStub(server_->channel());
    inbox_ = v1::InboxService::NewStub(server_->channel());
    RecipientStore store(*context_);
    ASSERT_TRUE(store.EnsurePerson("people/p1", kCell, "Nguyễn Văn A").ok());
    SetToday(2024, 3, 12);
  }
  void TearDown() override {
    worker_.reset();
    NotificationFixture::TearDown();
  }

  // A worker whose webhook and e-mail policies allow `max_attempts`
  // attempts, 10 s apart, with no rate limit; e-mail through `smtp_url`.
  void StartWorker(int max_attempts = 5, const std::string& smtp_url = "") {
    ChannelDeliveryOptions options =
        ChannelDeliveryOptionsFor(context_->runtime().config());
    options.smtp.url = smtp_url;
    options.from = {"thongbao@partydev.vn", "Văn phòng"};
    JobWorkerOptions worker = DeliveryWorkerOptions(*context_, 7);
    worker.block = absl::Milliseconds(20);
    worker.policy = [max_attempts](v1::ChannelType) {
      v1::ChannelPolicy policy;
      policy.set_max_attempts(max_attempts);
      policy.add_retry_delays()->set_seconds(10);
      policy.mutable_attempt_timeout()->set_seconds(5);
      return policy;
    };
    dispatcher_ =
        std::make_unique<DeliveryDispatcher>(*context_, options, worker.policy);
    worker_ = std::make_unique<JobWorker>(
        context_->redis(), context_->queue_keys(), context_->clock(), metrics_,
        worker, dispatcher_->AsHandler());
  }
  int Deliver() {
    absl::StatusOr<int> n = worker_->Drain();
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? *n : -1;
  }

  static Caller P1() { return {"people/p1", kCell, "member"}; }

  static v1::SendNotificationRequest Text(
      const std::string& key,
      v1::MessagePriority priority = v1::MESSAGE_PRIORITY_NORMAL) {
    v1::SendNotificationRequest request;
    request.add_recipients(kP1);
    request.set_category(v1::MESSAGE_CATEGORY_MEETING_INVITATION);
    request.set_priority(priority);
    request.mutable_content()->mutable_text()->set_subject("Họp chi bộ");
    request.mutable_content()->mutable_text()->set_body(
        "Kính mời đồng chí dự họp chi bộ thường kỳ.");
    request.set_idempotency_key(key);
    return request;
  }
  void MustSend(const v1::SendNotificationRequest& request) {
    v1::SendNotificationResponse response;
    grpc::Status s =
        inbox_->SendNotification(As(Operator(kCell)).get(), request, &response);
    ASSERT_TRUE(s.ok()) << Describe(s);
  }
  size_t InboxSize() {
    v1::ListMessagesRequest request;
    request.set_parent(kP1);
    v1::ListMessagesResponse response;
    grpc::Status s =
        inbox_->ListMessages(As(Admin()).get(), request, &response);
    EXPECT_TRUE(s.ok()) << Describe(s);
    return response.messages_size();
  }

  // Creates a webhook channel of P1 to `url` and verifies it; returns it
  // with its secret.
  v1::Channel MustCreateWebhook(const std::string& url,
                                const std::string& id = "he-thong",
                                int max_requests_per_minute = 0) {
    v1::CreateChannelRequest request;
    request.set_parent(kP1);
    request.set_channel_id(id);
    request.mutable_channel()->set_display_name("Hệ thống CSDL");
    request.mutable_channel()->mutable_webhook()->set_url(url);
    request.mutable_channel()->mutable_webhook()->set_max_requests_per_minute(
        max_requests_per_minute);
    v1::Channel created;
    grpc::Status s =
        channels_->CreateChannel(As(P1()).get(), request, &created);
    EXPECT_TRUE(s.ok()) << Describe(s);
    EXPECT_EQ(created.state(), v1::CHANNEL_STATE_PENDING_VERIFICATION);
    EXPECT_TRUE(absl::StartsWith(created.webhook().secret(), "whsec_"));
    v1::VerifyChannelRequest verify;
    verify.set_name(created.name());
    v1::Channel verified;
    s = channels_->VerifyChannel(As(P1()).get(), verify, &verified);
    EXPECT_TRUE(s.ok()) << Describe(s);
    EXPECT_EQ(verified.state(), v1::CHANNEL_STATE_ACTIVE);
    created.set_state(verified.state());
    return created;
  }
  v1::Channel GetChannel(const std::string& name) {
    v1::GetChannelRequest request;
    request.set_name(name);
    v1::Channel channel;
    grpc::Status s = channels_->GetChannel(As(P1()).get(), request, &channel);
    EXPECT_TRUE(s.ok()) << Describe(s);
    return channel;
  }
  std::vector<v1::DeliveryAttempt> Attempts(const std::string& filter = "") {
    v1::ListDeliveryAttemptsRequest request;
    request.set_parent(absl::StrCat(kP1, "/messages/-"));
    request.set_filter(filter);
    v1::ListDeliveryAttemptsResponse response;
    grpc::Status s =
        channels_->ListDeliveryAttempts(As(P1()).get(), request, &response);
    EXPECT_TRUE(s.ok()) << Describe(s);
    return {response.delivery_attempts().begin(),
            response.delivery_attempts().end()};
  }
  // The requests the receiver saw after the verification ping.
  static std::vector<nlohmann::json> Posts(const test::WebhookReceiver& r) {
    std::vector<nlohmann::json> all = r.Requests();
    std::vector<nlohmann::json> out;
    for (const auto& j : all) {
      if (!absl::StrContains(j["body"].get<std::string>(), "verification")) {
        out.push_back(j);
      }
    }
    return out;
  }
  static absl::Status Verify(const std::vector<std::string>& secrets,
                             const nlohmann::json& request) {
    WebhookHeaders headers;
    headers.id = request["headers"].value("webhook-id", "");
    headers.timestamp = request["headers"].value("webhook-timestamp", "");
    headers.signature = request["headers"].value("webhook-signature", "");
    return VerifyWebhook(secrets, headers, request["body"].get<std::string>(),
                         absl::Now());
  }

  Metrics metrics_;
  std::unique_ptr<v1::ChannelService::Stub> channels_;
  std::unique_ptr<v1::InboxService::Stub> inbox_;
  std::unique_ptr<DeliveryDispatcher> dispatcher_;
  std::unique_ptr<JobWorker> worker_;
};

TEST_F(ChannelServiceTest, WebhookIsDeliveredSignedWithTheChannelSecret) {
  test::WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start({}).ok());
  StartWorker();
  v1::Channel channel = MustCreateWebhook(receiver.url());
  ASSERT_EQ(receiver.Requests().size(), 1u) << "the verification ping";
  ASSERT_TRUE(
      Verify({channel.webhook().secret()}, receiver.Requests()[0]).ok());

  // Reads never return the secret, only its hint.
  v1::Channel read = GetChannel(channel.name());
  EXPECT_TRUE(read.webhook().secret().empty());
  EXPECT_EQ(
      read.webhook().secret_hint(),
      channel.webhook().secret().substr(channel.webhook().secret().size() - 4));

  MustSend(Text("meeting-1"));
  EXPECT_EQ(Deliver(), 2);  // in-app and webhook
  EXPECT_EQ(InboxSize(), 1u);
  std::vector<nlohmann::json> posts = Posts(receiver);
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_TRUE(Verify({channel.webhook().secret()}, posts[0]).ok())
      << Verify({channel.webhook().secret()}, posts[0]);
  nlohmann::json body =
      nlohmann::json::parse(posts[0]["body"].get<std::string>());
  EXPECT_EQ(body["type"], "partydev.notification.meeting_invitation");
  EXPECT_EQ(body["data"]["subject"], "Họp chi bộ");
  const std::string webhook_id = posts[0]["headers"]["webhook-id"];
  // Another secret does not verify it.
  absl::StatusOr<std::string> other = NewWebhookSecret();
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(Verify({*other}, posts[0]).ok());

  std::vector<v1::DeliveryAttempt> attempts = Attempts();
  ASSERT_GE(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].outcome(), v1::ATTEMPT_OUTCOME_DELIVERED);
  EXPECT_EQ(attempts[0].http_status(), 204);
  EXPECT_EQ(attempts[0].webhook_id(), webhook_id);
  EXPECT_EQ(attempts[0].channel(), channel.name());
  EXPECT_TRUE(GetChannel(channel.name()).health().has_last_success_time());
}

TEST_F(ChannelServiceTest, EndpointGetsNoMoreRequestsThanItsLimit) {
  test::WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start({}).ok());
  StartWorker();
  MustCreateWebhook(receiver.url(), "he-thong", /*max_requests_per_minute=*/2);
  MustSend(Text("meeting-1"));
  MustSend(Text("meeting-2"));
  MustSend(Text("meeting-3", v1::MESSAGE_PRIORITY_URGENT));
  Deliver();
  // Every inbox message at once; two requests this minute, even for an
  // urgent message: the endpoint said it takes no more.
  EXPECT_EQ(InboxSize(), 3u);
  EXPECT_EQ(Posts(receiver).size(), 2u);
  // The next minute, the third.
  clock_->Advance(absl::Minutes(1));
  Deliver();
  EXPECT_EQ(Posts(receiver).size(), 3u);
  for (const v1::DeliveryAttempt& a : Attempts()) {
    EXPECT_EQ(a.outcome(), v1::ATTEMPT_OUTCOME_DELIVERED);
  }
}

TEST_F(ChannelServiceTest, FailingEndpointIsRetriedThenDeadLettered) {
  test::WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start({"--statuses", "204,500"}).ok());
  StartWorker(/*max_attempts=*/2);
  v1::Channel channel = MustCreateWebhook(receiver.url());
  MustSend(Text("meeting-2"));
  Deliver();
  ASSERT_EQ(Posts(receiver).size(), 1u);
  clock_->Advance(absl::Seconds(30));  // past the 10 s retry delay (+jitter)
  Deliver();
  std::vector<nlohmann::json> posts = Posts(receiver);
  ASSERT_EQ(posts.size(), 2u);
  // Standard Webhooks: the same webhook-id on every attempt.
  EXPECT_EQ(posts[0]["headers"]["webhook-id"],
            posts[1]["headers"]["webhook-id"]);
  clock_->Advance(absl::Minutes(10));
  EXPECT_EQ(Deliver(), 0) << "dead-lettered, not retried again";
  EXPECT_EQ(Posts(receiver).size(), 2u);

  std::vector<v1::DeliveryAttempt> attempts = Attempts();
  ASSERT_GE(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].outcome(), v1::ATTEMPT_OUTCOME_ATTEMPTS_EXHAUSTED);
  EXPECT_EQ(attempts[0].attempt_number(), 2);
  EXPECT_EQ(attempts[1].outcome(), v1::ATTEMPT_OUTCOME_RETRY_SCHEDULED);
  EXPECT_EQ(attempts[1].http_status(), 500);
  // AIP-160 over channel_type, start_time, http_status.
  const std::vector<v1::DeliveryAttempt> failed = Attempts("http_status = 500");
  ASSERT_FALSE(failed.empty());
  for (const v1::DeliveryAttempt& a : failed) EXPECT_EQ(a.http_status(), 500);
  EXPECT_EQ(failed.size() + Attempts("http_status != 500").size(),
            attempts.size());
  EXPECT_EQ(Attempts("channel_type = WEBHOOK AND "
                     "start_time > \"2000-01-01T00:00:00Z\"")
                .size(),
            attempts.size());
  EXPECT_TRUE(Attempts("start_time < \"2000-01-01T00:00:00Z\"").empty());
  v1::Channel read = GetChannel(channel.name());
  EXPECT_EQ(read.health().consecutive_failures(), 2);
  EXPECT_EQ(read.health().last_http_status(), 500);
  EXPECT_EQ(read.state(), v1::CHANNEL_STATE_ACTIVE);
}

TEST_F(ChannelServiceTest, GoneDisablesTheEndpoint) {
  test::WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start({"--statuses", "204,410"}).ok());
  StartWorker();
  v1::Channel channel = MustCreateWebhook(receiver.url());
  MustSend(Text("meeting-3"));
  Deliver();
  ASSERT_EQ(Posts(receiver).size(), 1u);
  v1::Channel read = GetChannel(channel.name());
  EXPECT_EQ(read.state(), v1::CHANNEL_STATE_DISABLED);
  EXPECT_TRUE(absl::StrContains(read.state_reason(), "410"));
  ASSERT_FALSE(Attempts().empty());
  EXPECT_EQ(Attempts()[0].outcome(), v1::ATTEMPT_OUTCOME_ENDPOINT_GONE);
  // A disabled channel gets no more jobs; in-app still does.
  MustSend(Text("meeting-4"));
  Deliver();
  EXPECT_EQ(Posts(receiver).size(), 1u);
  EXPECT_EQ(InboxSize(), 2u);
}

TEST_F(ChannelServiceTest, EmailGoesThroughTheSmtpRelay) {
  test::SmtpSink sink;
  ASSERT_TRUE(sink.Start({}).ok());
  StartWorker(5, sink.url());
  v1::CreateChannelRequest request;
  request.set_parent(kP1);
  request.set_channel_id("thu");
  request.mutable_channel()->mutable_email()->set_address("vanphong@dukhoi.vn");
  v1::Channel created;
  grpc::Status s = channels_->CreateChannel(As(P1()).get(), request, &created);
  ASSERT_TRUE(s.ok()) << Describe(s);
  // A wrong code is refused naming the field.
  v1::VerifyChannelRequest verify;
  verify.set_name(created.name());
  verify.set_code("000000");
  v1::Channel verified;
  s = channels_->VerifyChannel(As(P1()).get(), verify, &verified);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "code")) << Describe(s);
  // Pending: SendNotification does not use it.
  MustSend(Text("meeting-5"));
  EXPECT_EQ(Deliver(), 1);
  EXPECT_TRUE(sink.Messages().empty());
  // Verified (through the store: the code travels by e-mail), it does.
  ChannelStore store(*context_);
  absl::StatusOr<Stored<storage::v1::StoredChannel>> stored =
      store.Get(created.name());
  ASSERT_TRUE(stored.ok());
  stored->message.mutable_channel()->set_state(v1::CHANNEL_STATE_ACTIVE);
  AtomicWrite write;
  store.StagePut(write, stored->message, stored->version);
  ASSERT_TRUE(write.Commit(context_->redis()).ok());
  MustSend(Text("meeting-6"));
  EXPECT_EQ(Deliver(), 2);
  ASSERT_EQ(sink.Messages().size(), 1u);
  const std::string mail = test::ReadFile(sink.Messages()[0]);
  EXPECT_TRUE(absl::StrContains(mail, "vanphong@dukhoi.vn"));
  EXPECT_TRUE(absl::StrContains(mail, "Message-ID:") ||
              absl::StrContains(mail, "Message-Id:"));
  ASSERT_FALSE(Attempts().empty());
  EXPECT_EQ(Attempts()[0].outcome(), v1::ATTEMPT_OUTCOME_DELIVERED);
  EXPECT_EQ(Attempts()[0].channel_type(), v1::CHANNEL_TYPE_EMAIL);
}

TEST_F(ChannelServiceTest, RotatedSecretSignsBesideThePreviousOne) {
  test::WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start({}).ok());
  StartWorker();
  v1::Channel channel = MustCreateWebhook(receiver.url());
  const std::string old_secret = channel.webhook().secret();
  v1::RotateChannelSecretRequest rotate;
  rotate.set_name(channel.name());
  rotate.mutable_overlap()->set_seconds(3600);
  v1::RotateChannelSecretResponse rotated;
  grpc::Status s =
      channels_->RotateChannelSecret(As(P1()).get(), rotate, &rotated);
  ASSERT_TRUE(s.ok()) << Describe(s);
  const std::string new_secret = rotated.secret();
  ASSERT_TRUE(absl::StartsWith(new_secret, "whsec_"));
  EXPECT_NE(new_secret, old_secret);
  EXPECT_TRUE(rotated.channel().webhook().secret().empty());
  EXPECT_TRUE(rotated.channel().webhook().has_previous_secret_expire_time());

  MustSend(Text("meeting-7"));
  Deliver();
  std::vector<nlohmann::json> posts = Posts(receiver);
  ASSERT_EQ(posts.size(), 1u);
  const std::string signature = posts[0]["headers"]["webhook-signature"];
  EXPECT_EQ(std::vector<std::string>(absl::StrSplit(signature, ' ')).size(), 2u)
      << signature;
  EXPECT_TRUE(Verify({old_secret}, posts[0]).ok());
  EXPECT_TRUE(Verify({new_secret}, posts[0]).ok());

  // After the overlap only the new secret signs.
  clock_->Advance(absl::Hours(2));
  MustSend(Text("meeting-8"));
  Deliver();
  posts = Posts(receiver);
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_TRUE(Verify({new_secret}, posts[1]).ok());
  EXPECT_FALSE(Verify({old_secret}, posts[1]).ok());
}

TEST_F(ChannelServiceTest, MutedCategoryStopsTheWebhookButNotTheInbox) {
  test::WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start({}).ok());
  StartWorker();
  MustCreateWebhook(receiver.url());
  v1::UpdatePreferencesRequest request;
  request.mutable_preferences()->set_name("recipients/me/preferences");
  v1::CategoryPreference* muted =
      request.mutable_preferences()->add_categories();
  muted->set_category(v1::MESSAGE_CATEGORY_MEETING_INVITATION);
  muted->add_disabled_channels(v1::CHANNEL_TYPE_WEBHOOK);
  request.mutable_update_mask()->add_paths("categories");
  v1::Preferences preferences;
  grpc::Status s =
      channels_->UpdatePreferences(As(P1()).get(), request, &preferences);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(preferences.categories_size(), 1);

  MustSend(Text("meeting-9"));
  EXPECT_EQ(Deliver(), 1);
  EXPECT_TRUE(Posts(receiver).empty());
  EXPECT_EQ(InboxSize(), 1u);

  // The in-app channel cannot be opted out of a mandatory category.
  muted->set_category(v1::MESSAGE_CATEGORY_DIRECTIVE);
  muted->add_disabled_channels(v1::CHANNEL_TYPE_IN_APP);
  s = channels_->UpdatePreferences(As(P1()).get(), request, &preferences);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << Describe(s);
}

TEST_F(ChannelServiceTest, QuietHoursDelayNormalMessagesNotUrgentOnes) {
  test::WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start({}).ok());
  StartWorker();
  MustCreateWebhook(receiver.url());
  v1::UpdatePreferencesRequest request;
  request.mutable_preferences()->set_name(absl::StrCat(kP1, "/preferences"));
  v1::QuietHours* quiet = request.mutable_preferences()->mutable_quiet_hours();
  quiet->set_enabled(true);
  quiet->mutable_start()->set_hours(22);
  quiet->mutable_end()->set_hours(6);
  request.mutable_update_mask()->add_paths("quiet_hours");
  v1::Preferences preferences;
  grpc::Status s =
      channels_->UpdatePreferences(As(P1()).get(), request, &preferences);
  ASSERT_TRUE(s.ok()) << Describe(s);

  clock_->Set(VietnamTime(2024, 3, 12, 23, 0));
  MustSend(Text("late-normal"));
  MustSend(Text("late-urgent", v1::MESSAGE_PRIORITY_URGENT));
  Deliver();
  EXPECT_EQ(InboxSize(), 2u) << "the inbox is not held";
  std::vector<nlohmann::json> posts = Posts(receiver);
  ASSERT_EQ(posts.size(), 1u) << "only the urgent one at night";
  clock_->Set(VietnamTime(2024, 3, 13, 5, 59));
  Deliver();
  EXPECT_EQ(Posts(receiver).size(), 1u);
  clock_->Set(VietnamTime(2024, 3, 13, 6, 0));
  Deliver();
  EXPECT_EQ(Posts(receiver).size(), 2u) << "sent when the quiet hours end";
}

TEST_F(ChannelServiceTest, RefusalsNameTheFieldAndWriteNothing) {
  const auto before = Snapshot();
  struct Case {
    std::string what;
    v1::CreateChannelRequest request;
    Caller caller;
    grpc::StatusCode code;
    std::string field;
  };
  std::vector<Case> cases;
  auto base = [] {
    v1::CreateChannelRequest r;
    r.set_parent(kP1);
    r.mutable_channel()->mutable_webhook()->set_url(
        "https://hethong.example.vn/hooks");
    return r;
  };
  {
    Case c{"not http(s)", base(), P1(), grpc::StatusCode::INVALID_ARGUMENT,
           "channel.webhook.url"};
    c.request.mutable_channel()->mutable_webhook()->set_url("ftp://x.vn/h");
    cases.push_back(c);
  }
  {
    Case c{"no url", base(), P1(), grpc::StatusCode::INVALID_ARGUMENT,
           "channel.webhook.url"};
    c.request.mutable_channel()->mutable_webhook()->clear_url();
    cases.push_back(c);
  }
  {
    Case c{"bad secret", base(), P1(), grpc::StatusCode::INVALID_ARGUMENT,
           "channel.webhook.secret"};
    c.request.mutable_channel()->mutable_webhook()->set_secret(
        "whsec_c2hvcnQ=");
    cases.push_back(c);
  }
  {
    Case c{"bad address", base(), P1(), grpc::StatusCode::INVALID_ARGUMENT,
           "channel.email.address"};
    c.request.mutable_channel()->mutable_email()->set_address("không hợp lệ");
    cases.push_back(c);
  }
  {
    Case c{"no config", base(), P1(), grpc::StatusCode::INVALID_ARGUMENT,
           "channel.config"};
    c.request.mutable_channel()->clear_config();
    cases.push_back(c);
  }
  {
    Case c{"bad id", base(), P1(), grpc::StatusCode::INVALID_ARGUMENT,
           "channel_id"};
    c.request.set_channel_id("Không_hợp_lệ");
    cases.push_back(c);
  }
  cases.push_back({"another organisation", base(), Operator(kOther),
                   grpc::StatusCode::PERMISSION_DENIED, ""});
  for (const Case& c : cases) {
    v1::Channel response;
    grpc::Status s =
        channels_->CreateChannel(As(c.caller).get(), c.request, &response);
    EXPECT_EQ(s.error_code(), c.code) << c.what << ": " << Describe(s);
    if (!c.field.empty()) {
      EXPECT_TRUE(absl::StrContains(Describe(s), c.field))
          << c.what << ": " << Describe(s);
    }
  }
  // Reads of another organisation's recipient are refused too.
  v1::ListChannelsRequest list;
  list.set_parent(kP1);
  v1::ListChannelsResponse listed;
  grpc::Status s =
      channels_->ListChannels(As(Operator(kOther)).get(), list, &listed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Describe(s);
  EXPECT_EQ(Snapshot(), before);

  // The caller itself sees the implicit in-app channel.
  s = channels_->ListChannels(As(P1()).get(), list, &listed);
  ASSERT_TRUE(s.ok()) << Describe(s);
  ASSERT_EQ(listed.channels_size(), 1);
  EXPECT_EQ(listed.channels(0).type(), v1::CHANNEL_TYPE_IN_APP);
}

}  // namespace
}  // namespace partydev::notification
