// Tests of services/notification/channels/webhook_sender.h against a real
// local HTTP receiver (webhook_receiver.py): what arrives (headers, body,
// signature checked by VerifyWebhook and by the npm `standardwebhooks`
// reference verifier), and how each answer is classified.

#include "services/notification/channels/webhook_sender.h"

#include <atomic>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "services/notification/channels/webhook_signature.h"
#include "tests/notification/channels/local_servers.h"

namespace partydev::notification {
namespace {

using test::WebhookReceiver;

constexpr char kVerifierInstall[] =
    "npm ci --prefix tests/notification/channels/verifier";

// Senders for tests: plain http to 127.0.0.1 (development settings).
WebhookSender LocalSender() {
  WebhookSenderOptions options;
  options.allow_http = true;
  options.allow_private_networks = true;
  return WebhookSender(options);
}

std::string MustSecret() {
  absl::StatusOr<std::string> secret = NewWebhookSecret();
  EXPECT_TRUE(secret.ok()) << secret.status();
  return secret.value_or("");
}

WebhookRequest RequestTo(const WebhookReceiver& receiver,
                         const std::string& secret) {
  WebhookRequest r;
  r.url = receiver.url();
  r.body = R"({"type":"partydev.notification.directive","timestamp":)"
           R"("2025-03-04T08:00:00Z","data":{"title":)"
           R"("Công văn số 1849-CV/ĐUK về việc đôn đốc kết nạp đảng viên"}})";
  r.message_id = "msg_directive-1849.org-42";
  r.secrets = {secret};
  r.timeout = absl::Seconds(5);
  return r;
}

// Runs the reference verifier over the receiver's log; fails (never skips)
// when it is not installed.
test::CommandResult RunNodeVerifier(const std::string& log,
                                    const std::vector<std::string>& secrets) {
  const std::string dir = test::ScriptPath("verifier");
  if (!test::FileExists(dir + "/node_modules/standardwebhooks")) {
    ADD_FAILURE() << "the npm package standardwebhooks is not installed in "
                  << dir << "; run `" << kVerifierInstall
                  << "` from the repository root";
    return {};
  }
  std::string command = absl::StrCat("node ", dir, "/verify.js ", log);
  for (const std::string& s : secrets) absl::StrAppend(&command, " '", s, "'");
  return test::RunCommand(command);
}

TEST(WebhookSenderTest, DeliveredWithStandardWebhooksHeaders) {
  WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start({"--statuses", "204"}).ok());
  const std::string secret = MustSecret();
  WebhookRequest request = RequestTo(receiver, secret);
  request.extra_headers = {{"x-partydev-category", "directive"}};
  const absl::Time before = absl::Now();
  ChannelOutcome outcome = LocalSender().Send(request);
  EXPECT_EQ(outcome.kind, OutcomeKind::kDelivered) << outcome.error;
  EXPECT_EQ(outcome.http_status, 204);
  EXPECT_TRUE(outcome.error.empty());
  EXPECT_GT(outcome.elapsed, absl::ZeroDuration());

  std::vector<nlohmann::json> got = receiver.Requests();
  ASSERT_EQ(got.size(), 1u);
  const nlohmann::json& h = got[0]["headers"];
  EXPECT_EQ(got[0]["method"], "POST");
  EXPECT_EQ(got[0]["path"], "/hooks/partydev");
  EXPECT_EQ(got[0]["body"], request.body);
  EXPECT_EQ(h["content-type"], "application/json");
  EXPECT_EQ(h["user-agent"], "partydev-notifyd");
  EXPECT_EQ(h["webhook-id"], request.message_id);
  EXPECT_EQ(h["x-partydev-category"], "directive");
  const int64_t ts = std::stoll(h["webhook-timestamp"].get<std::string>());
  EXPECT_LE(std::abs(ts - absl::ToUnixSeconds(before)), 2);
  EXPECT_FALSE(h.contains("expect"));

  // The receiver's documented check, in C++.
  WebhookHeaders received{h["webhook-id"].get<std::string>(),
                          h["webhook-timestamp"].get<std::string>(),
                          h["webhook-signature"].get<std::string>()};
  EXPECT_TRUE(VerifyWebhook({secret}, received,
                            got[0]["body"].get<std::string>(), absl::Now())
                  .ok());
  // A forged body and a stale replay of the same request are detected.
  EXPECT_FALSE(
      VerifyWebhook({secret}, received, R"({"type":"forged"})", absl::Now())
          .ok());
  EXPECT_FALSE(VerifyWebhook({secret}, received,
                             got[0]["body"].get<std::string>(),
                             absl::Now() + absl::Minutes(6))
                   .ok());

  // The reference verifier of the spec accepts it.
  test::CommandResult node = RunNodeVerifier(receiver.log_path(), {secret});
  EXPECT_EQ(node.exit_code, 0) << node.output;
  EXPECT_TRUE(absl::StrContains(node.output, "request 0 secret 0: ok"))
      << node.output;
}

TEST(WebhookSenderTest, ReferenceVerifierRefusesATamperedCopy) {
  WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start({"--statuses", "200"}).ok());
  const std::string secret = MustSecret();
  ASSERT_EQ(LocalSender().Send(RequestTo(receiver, secret)).kind,
            OutcomeKind::kDelivered);
  std::vector<nlohmann::json> got = receiver.Requests();
  ASSERT_EQ(got.size(), 1u);

  nlohmann::json tampered = got[0];
  tampered["body"] = R"({"type":"partydev.notification.directive","data":{}})";
  const std::string tampered_log = receiver.dir() + "/tampered.jsonl";
  ASSERT_TRUE(test::WriteFile(tampered_log, tampered.dump() + "\n"));
  test::CommandResult forged = RunNodeVerifier(tampered_log, {secret});
  EXPECT_EQ(forged.exit_code, 1) << forged.output;
  EXPECT_TRUE(absl::StrContains(forged.output, "FAILED")) << forged.output;

  // The right body with another secret is refused too.
  test::CommandResult wrong =
      RunNodeVerifier(receiver.log_path(), {MustSecret()});
  EXPECT_EQ(wrong.exit_code, 1) << wrong.output;
}

TEST(WebhookSenderTest, RotatedSecretsBothVerifyAndTheIdStaysTheSame) {
  WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start({"--statuses", "500,200"}).ok());
  const std::string previous = MustSecret();
  const std::string current = MustSecret();
  WebhookRequest request = RequestTo(receiver, current);
  request.secrets = {current, previous};
  WebhookSender sender = LocalSender();
  EXPECT_EQ(sender.Send(request).kind, OutcomeKind::kRetry);
  EXPECT_EQ(sender.Send(request).kind, OutcomeKind::kDelivered);
  std::vector<nlohmann::json> got = receiver.Requests();
  ASSERT_EQ(got.size(), 2u);
  // webhook-id is the idempotency key: identical on every attempt.
  EXPECT_EQ(got[0]["headers"]["webhook-id"], got[1]["headers"]["webhook-id"]);
  test::CommandResult node =
      RunNodeVerifier(receiver.log_path(), {current, previous});
  EXPECT_EQ(node.exit_code, 0) << node.output;
}

struct StatusCase {
  const char* statuses;
  const char* retry_after;
  OutcomeKind kind;
  int http_status;
  v1::AttemptOutcome attempt_outcome;
};

class WebhookStatusTest : public ::testing::TestWithParam<StatusCase> {};

TEST_P(WebhookStatusTest, IsClassified) {
  const StatusCase& c = GetParam();
  WebhookReceiver receiver;
  std::vector<std::string> args = {"--statuses", c.statuses};
  if (*c.retry_after != '\0') {
    args.insert(args.end(), {"--retry-after", c.retry_after});
  }
  ASSERT_TRUE(receiver.Start(args).ok());
  ChannelOutcome outcome =
      LocalSender().Send(RequestTo(receiver, MustSecret()));
  EXPECT_EQ(outcome.kind, c.kind)
      << OutcomeKindName(outcome.kind) << " " << outcome.error;
  EXPECT_EQ(outcome.http_status, c.http_status);
  EXPECT_EQ(outcome.error, absl::StrCat("HTTP ", c.http_status));
  EXPECT_EQ(ToAttemptOutcome(outcome), c.attempt_outcome);
  EXPECT_EQ(receiver.Requests().size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(
    Answers, WebhookStatusTest,
    ::testing::Values(StatusCase{"500", "", OutcomeKind::kRetry, 500,
                                 v1::ATTEMPT_OUTCOME_RETRY_SCHEDULED},
                      StatusCase{"503", "", OutcomeKind::kRetry, 503,
                                 v1::ATTEMPT_OUTCOME_RETRY_SCHEDULED},
                      StatusCase{"410", "", OutcomeKind::kGone, 410,
                                 v1::ATTEMPT_OUTCOME_ENDPOINT_GONE},
                      StatusCase{"404", "", OutcomeKind::kPermanent, 404,
                                 v1::ATTEMPT_OUTCOME_FAILED_PERMANENTLY},
                      StatusCase{"400", "", OutcomeKind::kPermanent, 400,
                                 v1::ATTEMPT_OUTCOME_FAILED_PERMANENTLY},
                      StatusCase{"408", "", OutcomeKind::kRetry, 408,
                                 v1::ATTEMPT_OUTCOME_RETRY_SCHEDULED},
                      // A redirect is not followed: a failed attempt.
                      StatusCase{"302", "", OutcomeKind::kRetry, 302,
                                 v1::ATTEMPT_OUTCOME_RETRY_SCHEDULED}));

TEST(WebhookSenderTest, TooManyRequestsWithRetryAfterSeconds) {
  WebhookReceiver receiver;
  ASSERT_TRUE(
      receiver.Start({"--statuses", "429", "--retry-after", "120"}).ok());
  ChannelOutcome outcome =
      LocalSender().Send(RequestTo(receiver, MustSecret()));
  EXPECT_EQ(outcome.kind, OutcomeKind::kRetry);
  EXPECT_EQ(outcome.http_status, 429);
  ASSERT_TRUE(outcome.retry_after.has_value());
  EXPECT_EQ(*outcome.retry_after, absl::Seconds(120));
  EXPECT_EQ(ToAttemptOutcome(outcome), v1::ATTEMPT_OUTCOME_THROTTLED);
  v1::DeliveryAttempt attempt;
  FillDeliveryAttempt(outcome, attempt);
  EXPECT_EQ(attempt.retry_after().seconds(), 120);
  EXPECT_EQ(attempt.http_status(), 429);
}

TEST(WebhookSenderTest, ServiceUnavailableWithRetryAfterDate) {
  const std::string date =
      absl::FormatTime("%a, %d %b %Y %H:%M:%S GMT",
                       absl::Now() + absl::Minutes(10), absl::UTCTimeZone());
  WebhookReceiver receiver;
  ASSERT_TRUE(
      receiver.Start({"--statuses", "503", "--retry-after", date}).ok());
  ChannelOutcome outcome =
      LocalSender().Send(RequestTo(receiver, MustSecret()));
  EXPECT_EQ(outcome.kind, OutcomeKind::kRetry);
  ASSERT_TRUE(outcome.retry_after.has_value());
  EXPECT_GT(*outcome.retry_after, absl::Minutes(9));
  EXPECT_LE(*outcome.retry_after, absl::Minutes(10));
}

TEST(WebhookSenderTest, ReceiverThatNeverAnswersTimesOutAsRetry) {
  WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start({"--hang"}).ok());
  WebhookRequest request = RequestTo(receiver, MustSecret());
  request.timeout = absl::Seconds(1);
  ChannelOutcome outcome = LocalSender().Send(request);
  EXPECT_EQ(outcome.kind, OutcomeKind::kRetry);
  EXPECT_TRUE(outcome.timed_out);
  EXPECT_EQ(outcome.http_status, 0);
  EXPECT_TRUE(absl::StrContains(outcome.error, "timed out")) << outcome.error;
  EXPECT_GE(outcome.elapsed, absl::Milliseconds(900));
  EXPECT_LT(outcome.elapsed, absl::Seconds(3));
  EXPECT_EQ(receiver.Requests().size(), 1u);
}

TEST(WebhookSenderTest, ConnectionRefusedIsRetry) {
  WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start({}).ok());
  WebhookRequest request = RequestTo(receiver, MustSecret());
  request.url = "http://127.0.0.1:1/hooks";  // nothing listens on port 1
  ChannelOutcome outcome = LocalSender().Send(request);
  EXPECT_EQ(outcome.kind, OutcomeKind::kRetry);
  EXPECT_EQ(outcome.http_status, 0);
  EXPECT_FALSE(outcome.error.empty());
}

TEST(WebhookSenderTest, ProductionSettingsRefuseHttpAndPrivateAddresses) {
  WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start({}).ok());
  WebhookSender strict{WebhookSenderOptions{}};
  ChannelOutcome plain = strict.Send(RequestTo(receiver, MustSecret()));
  EXPECT_EQ(plain.kind, OutcomeKind::kPermanent);
  EXPECT_TRUE(absl::StrContains(plain.error, "https")) << plain.error;

  WebhookSenderOptions http_only;
  http_only.allow_http = true;  // but not private networks
  ChannelOutcome loopback =
      WebhookSender(http_only).Send(RequestTo(receiver, MustSecret()));
  EXPECT_EQ(loopback.kind, OutcomeKind::kPermanent);
  EXPECT_TRUE(absl::StrContains(loopback.error, "private")) << loopback.error;
  EXPECT_TRUE(receiver.Requests().empty()) << "nothing may reach it";
}

TEST(WebhookSenderTest, OneSenderServesManyThreads) {
  WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start({"--statuses", "200"}).ok());
  const std::string secret = MustSecret();
  const WebhookSender sender = LocalSender();
  constexpr int kThreads = 6;
  constexpr int kEach = 5;
  std::atomic<int> delivered{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        WebhookRequest request = RequestTo(receiver, secret);
        request.message_id = absl::StrCat("msg_", t, "_", i);
        if (sender.Send(request).kind == OutcomeKind::kDelivered) ++delivered;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(delivered.load(), kThreads * kEach);
  std::vector<nlohmann::json> got = receiver.Requests();
  ASSERT_EQ(got.size(), static_cast<size_t>(kThreads * kEach));
  for (const nlohmann::json& r : got) {
    WebhookHeaders h{r["headers"]["webhook-id"].get<std::string>(),
                     r["headers"]["webhook-timestamp"].get<std::string>(),
                     r["headers"]["webhook-signature"].get<std::string>()};
    EXPECT_TRUE(
        VerifyWebhook({secret}, h, r["body"].get<std::string>(), absl::Now())
            .ok())
        << h.id;
  }
}

TEST(WebhookSenderTest, UnsendableRequestsArePermanentAndSendNothing) {
  WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start({}).ok());
  const std::string secret = MustSecret();
  WebhookSender sender = LocalSender();

  WebhookRequest injected = RequestTo(receiver, secret);
  injected.extra_headers = {{"x-note", "a\r\nwebhook-id: other"}};
  ChannelOutcome o1 = sender.Send(injected);
  EXPECT_EQ(o1.kind, OutcomeKind::kPermanent);
  EXPECT_TRUE(absl::StrContains(o1.error, "extra_headers")) << o1.error;

  WebhookRequest override_sig = RequestTo(receiver, secret);
  override_sig.extra_headers = {{"Webhook-Signature", "v1,forged"}};
  EXPECT_EQ(sender.Send(override_sig).kind, OutcomeKind::kPermanent);

  WebhookRequest bad_id = RequestTo(receiver, secret);
  bad_id.message_id = "msg\r\nx-evil: 1";
  EXPECT_EQ(sender.Send(bad_id).kind, OutcomeKind::kPermanent);

  WebhookRequest no_secret = RequestTo(receiver, secret);
  no_secret.secrets.clear();
  ChannelOutcome o4 = sender.Send(no_secret);
  EXPECT_EQ(o4.kind, OutcomeKind::kPermanent);
  EXPECT_FALSE(absl::StrContains(o4.error, "whsec_")) << "no secret in errors";

  WebhookRequest bad_secret = RequestTo(receiver, secret);
  bad_secret.secrets = {"whsec_dG9vIHNob3J0"};
  ChannelOutcome o5 = sender.Send(bad_secret);
  EXPECT_EQ(o5.kind, OutcomeKind::kPermanent);
  EXPECT_FALSE(absl::StrContains(o5.error, "dG9vIHNob3J0")) << o5.error;

  WebhookRequest ftp = RequestTo(receiver, secret);
  ftp.url = "ftp://127.0.0.1/x";
  EXPECT_EQ(sender.Send(ftp).kind, OutcomeKind::kPermanent);

  EXPECT_TRUE(receiver.Requests().empty());
}

}  // namespace
}  // namespace partydev::notification
