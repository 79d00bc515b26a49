// Tests of services/notification/channels/webhook_signature.h: a known
// answer (the vector below was computed independently by the npm
// `standardwebhooks` reference library and by `openssl dgst -sha256 -mac
// HMAC`; the test recomputes it with the openssl command line too), the
// receiver's check refusing forged, re-signed, stale and incomplete
// messages, and secret rotation.

#include "services/notification/channels/webhook_signature.h"

#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "services/notification/channels/base64.h"
#include "tests/notification/channels/local_servers.h"

namespace partydev::notification {
namespace {

// The example of the Standard Webhooks reference libraries' test suites.
constexpr char kSecret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr char kId[] = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr int64_t kTimestamp = 1614265330;
constexpr char kBody[] = R"({"test": 2432232314})";
constexpr char kSignature[] = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

absl::Time At(int64_t unix_seconds) {
  return absl::FromUnixSeconds(unix_seconds);
}

std::string MustSecret() {
  absl::StatusOr<std::string> secret = NewWebhookSecret();
  EXPECT_TRUE(secret.ok()) << secret.status();
  return secret.value_or("");
}

WebhookHeaders Signed(const std::vector<std::string>& secrets,
                      absl::string_view id, int64_t ts,
                      absl::string_view body) {
  absl::StatusOr<std::string> sig = SignWebhook(secrets, id, ts, body);
  EXPECT_TRUE(sig.ok()) << sig.status();
  return {std::string(id), absl::StrCat(ts), sig.value_or("")};
}

TEST(WebhookSignatureTest, KnownAnswer) {
  absl::StatusOr<std::string> sig =
      SignWebhookWith(kSecret, kId, kTimestamp, kBody);
  ASSERT_TRUE(sig.ok()) << sig.status();
  EXPECT_EQ(*sig, kSignature);
  EXPECT_TRUE(VerifyWebhook({kSecret}, {kId, "1614265330", kSignature}, kBody,
                            At(kTimestamp + 10))
                  .ok());
}

TEST(WebhookSignatureTest, AgreesWithTheOpensslCommandLine) {
  const std::string secret = MustSecret();
  const std::string body = R"({"type":"partydev.notification.directive",)"
                           R"("data":{"title":"Công văn số 1849-CV/ĐUK"}})";
  absl::StatusOr<std::string> key = DecodeWebhookSecret(secret);
  ASSERT_TRUE(key.ok());
  std::string hex;
  for (unsigned char c : *key)
    absl::StrAppend(&hex, absl::Hex(c, absl::kZeroPad2));
  const std::string dir = test::MakeTempDir("partydev-sig");
  ASSERT_FALSE(dir.empty());
  ASSERT_TRUE(test::WriteFile(dir + "/content",
                              absl::StrCat("msg_42.1700000000.", body)));
  test::CommandResult openssl = test::RunCommand(
      absl::StrCat("openssl dgst -sha256 -mac HMAC -macopt hexkey:", hex,
                   " -binary ", dir, "/content | base64 -w0"));
  ASSERT_EQ(openssl.exit_code, 0) << openssl.output;
  absl::StatusOr<std::string> sig =
      SignWebhookWith(secret, "msg_42", 1700000000, body);
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(*sig, "v1," + openssl.output);
  std::filesystem::remove_all(dir);
}

TEST(WebhookSignatureTest, NewSecretsAreWellFormedAndDistinct) {
  const std::string a = MustSecret();
  const std::string b = MustSecret();
  EXPECT_NE(a, b);
  EXPECT_TRUE(absl::StartsWith(a, "whsec_"));
  absl::StatusOr<std::string> key = DecodeWebhookSecret(a);
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->size(), kNewWebhookKeyBytes);
}

TEST(WebhookSignatureTest, MalformedSecretsAreRefusedNamingTheField) {
  for (const char* bad : {"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",  // no prefix
                          "whsec_not base64!!",                // alphabet
                          "whsec_c2hvcnQ=",  // 5 bytes, below 24
                          "whsec_"}) {
    absl::StatusOr<std::string> key =
        DecodeWebhookSecret(bad, "webhook.secret");
    ASSERT_FALSE(key.ok()) << bad;
    EXPECT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StrContains(key.status().ToString(), "webhook.secret"))
        << key.status();
  }
  // 65 bytes: above channels.proto's 64.
  EXPECT_FALSE(
      DecodeWebhookSecret("whsec_" + Base64Encode(std::string(65, 'k'))).ok());
  EXPECT_TRUE(
      DecodeWebhookSecret("whsec_" + Base64Encode(std::string(64, 'k'))).ok());
}

TEST(WebhookSignatureTest, SignRefusesBadIdsAndNoSecret) {
  EXPECT_FALSE(SignWebhook({}, kId, kTimestamp, kBody).ok());
  EXPECT_FALSE(SignWebhook({kSecret}, "", kTimestamp, kBody).ok());
  EXPECT_FALSE(
      SignWebhook({kSecret}, "msg\r\nx-evil: 1", kTimestamp, kBody).ok());
  EXPECT_FALSE(SignWebhook({kSecret}, "msg 1", kTimestamp, kBody).ok());
}

TEST(VerifyWebhookTest, RejectsAForgedBody) {
  const std::string secret = MustSecret();
  WebhookHeaders h = Signed({secret}, "msg_1", 1700000000, R"({"a":1})");
  absl::Status s = VerifyWebhook({secret}, h, R"({"a":2})", At(1700000000));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(absl::StrContains(s.message(), "no signature matches")) << s;
  // The same check passes on the real body: the rejection is the body's.
  EXPECT_TRUE(VerifyWebhook({secret}, h, R"({"a":1})", At(1700000000)).ok());
}

TEST(VerifyWebhookTest, RejectsAnAlteredIdOrTimestamp) {
  const std::string secret = MustSecret();
  WebhookHeaders h = Signed({secret}, "msg_1", 1700000000, "{}");
  WebhookHeaders other_id = h;
  other_id.id = "msg_2";
  EXPECT_EQ(VerifyWebhook({secret}, other_id, "{}", At(1700000000)).code(),
            absl::StatusCode::kUnauthenticated);
  WebhookHeaders other_ts = h;
  other_ts.timestamp = "1700000001";
  EXPECT_EQ(VerifyWebhook({secret}, other_ts, "{}", At(1700000000)).code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(VerifyWebhookTest, RejectsTheWrongSecret) {
  const std::string secret = MustSecret();
  const std::string attacker = MustSecret();
  WebhookHeaders h = Signed({attacker}, "msg_1", 1700000000, "{}");
  absl::Status s = VerifyWebhook({secret}, h, "{}", At(1700000000));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(absl::StrContains(s.message(), "no signature matches")) << s;
}

TEST(VerifyWebhookTest, RejectsStaleAndFutureTimestamps) {
  const std::string secret = MustSecret();
  WebhookHeaders h = Signed({secret}, "msg_1", 1700000000, "{}");
  // Exactly at the tolerance is accepted, one second beyond is not.
  EXPECT_TRUE(VerifyWebhook({secret}, h, "{}", At(1700000000 + 300)).ok());
  EXPECT_TRUE(VerifyWebhook({secret}, h, "{}", At(1700000000 - 300)).ok());
  absl::Status old = VerifyWebhook({secret}, h, "{}", At(1700000000 + 301));
  EXPECT_EQ(old.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(absl::StrContains(old.message(), "too old")) << old;
  absl::Status ahead = VerifyWebhook({secret}, h, "{}", At(1700000000 - 301));
  EXPECT_EQ(ahead.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(absl::StrContains(ahead.message(), "too new")) << ahead;
  // A replay a day later, correctly signed, is still refused.
  EXPECT_FALSE(VerifyWebhook({secret}, h, "{}", At(1700000000 + 86400)).ok());
}

TEST(VerifyWebhookTest, RejectsMissingOrMalformedHeadersNamingThem) {
  const std::string secret = MustSecret();
  const WebhookHeaders h = Signed({secret}, "msg_1", 1700000000, "{}");
  struct Case {
    WebhookHeaders headers;
    const char* field;
  };
  WebhookHeaders no_id = h, no_ts = h, no_sig = h, bad_ts = h;
  no_id.id.clear();
  no_ts.timestamp.clear();
  no_sig.signature.clear();
  bad_ts.timestamp = "yesterday";
  for (const Case& c :
       {Case{no_id, "webhook-id"}, Case{no_ts, "webhook-timestamp"},
        Case{no_sig, "webhook-signature"}, Case{bad_ts, "webhook-timestamp"}}) {
    absl::Status s = VerifyWebhook({secret}, c.headers, "{}", At(1700000000));
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_TRUE(absl::StrContains(s.ToString(), c.field)) << s;
  }
}

TEST(VerifyWebhookTest, IgnoresOtherSchemesAndGarbage) {
  const std::string secret = MustSecret();
  WebhookHeaders h = Signed({secret}, "msg_1", 1700000000, "{}");
  const std::string b64 = h.signature.substr(3);
  WebhookHeaders v1a = h;
  v1a.signature = "v1a," + b64;  // asymmetric scheme: not ours
  EXPECT_FALSE(VerifyWebhook({secret}, v1a, "{}", At(1700000000)).ok());
  WebhookHeaders padded = h;
  padded.signature = "v2,xyz garbage " + h.signature + " v1,!!!";
  EXPECT_TRUE(VerifyWebhook({secret}, padded, "{}", At(1700000000)).ok());
  WebhookHeaders truncated = h;
  truncated.signature = "v1," + Base64Encode(Base64Decode(b64)->substr(0, 16));
  EXPECT_FALSE(VerifyWebhook({secret}, truncated, "{}", At(1700000000)).ok());
}

TEST(VerifyWebhookTest, AcceptsEitherSecretDuringRotation) {
  const std::string previous = MustSecret();
  const std::string current = MustSecret();
  WebhookHeaders h = Signed({current, previous}, "msg_1", 1700000000, "{}");
  std::vector<std::string> parts = absl::StrSplit(h.signature, ' ');
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_TRUE(absl::StartsWith(parts[0], "v1,"));
  EXPECT_TRUE(absl::StartsWith(parts[1], "v1,"));
  // A receiver still on the old secret, one already on the new one, and one
  // that knows both all accept it.
  EXPECT_TRUE(VerifyWebhook({previous}, h, "{}", At(1700000000)).ok());
  EXPECT_TRUE(VerifyWebhook({current}, h, "{}", At(1700000000)).ok());
  EXPECT_TRUE(VerifyWebhook({current, previous}, h, "{}", At(1700000000)).ok());
  // A receiver that rotated to a secret never used for signing refuses it.
  EXPECT_FALSE(VerifyWebhook({MustSecret()}, h, "{}", At(1700000000)).ok());
  // The receiver's own list may hold a stale malformed entry.
  EXPECT_TRUE(
      VerifyWebhook({"whsec_bad", current}, h, "{}", At(1700000000)).ok());
  EXPECT_EQ(VerifyWebhook({"whsec_bad"}, h, "{}", At(1700000000)).code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace partydev::notification
