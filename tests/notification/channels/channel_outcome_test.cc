// Tests of services/notification/channels/channel_outcome.h: the status
// classification table, Retry-After in both forms, and the mapping to
// notification.v1.AttemptOutcome / DeliveryAttempt.

#include "services/notification/channels/channel_outcome.h"

#include "gtest/gtest.h"

namespace partydev::notification {
namespace {

struct StatusCase {
  int status;
  OutcomeKind kind;
};

TEST(ClassifyHttpStatusTest, FollowsTheIssueAndStandardWebhooks) {
  const StatusCase cases[] = {
      {200, OutcomeKind::kDelivered},
      {201, OutcomeKind::kDelivered},
      {202, OutcomeKind::kDelivered},
      {204, OutcomeKind::kDelivered},
      {299, OutcomeKind::kDelivered},
      {410, OutcomeKind::kGone},
      {408, OutcomeKind::kRetry},
      {429, OutcomeKind::kRetry},
      {400, OutcomeKind::kPermanent},
      {401, OutcomeKind::kPermanent},
      {403, OutcomeKind::kPermanent},
      {404, OutcomeKind::kPermanent},
      {409, OutcomeKind::kPermanent},
      {411, OutcomeKind::kPermanent},
      {413, OutcomeKind::kPermanent},
      {422, OutcomeKind::kPermanent},
      {499, OutcomeKind::kPermanent},
      {500, OutcomeKind::kRetry},
      {502, OutcomeKind::kRetry},
      {503, OutcomeKind::kRetry},
      {504, OutcomeKind::kRetry},
      {599, OutcomeKind::kRetry},
      // Redirects are failures (never followed), retried.
      {301, OutcomeKind::kRetry},
      {302, OutcomeKind::kRetry},
      {307, OutcomeKind::kRetry},
      {100, OutcomeKind::kRetry},
      {0, OutcomeKind::kRetry},
  };
  for (const StatusCase& c : cases) {
    EXPECT_EQ(ClassifyHttpStatus(c.status), c.kind)
        << "HTTP " << c.status << " gave "
        << OutcomeKindName(ClassifyHttpStatus(c.status)) << ", want "
        << OutcomeKindName(c.kind);
  }
}

TEST(ClassifySmtpCodeTest, TwoIsDeliveredFourRetriesFiveIsPermanent) {
  EXPECT_EQ(ClassifySmtpCode(250), OutcomeKind::kDelivered);
  EXPECT_EQ(ClassifySmtpCode(421), OutcomeKind::kRetry);
  EXPECT_EQ(ClassifySmtpCode(451), OutcomeKind::kRetry);
  EXPECT_EQ(ClassifySmtpCode(452), OutcomeKind::kRetry);
  EXPECT_EQ(ClassifySmtpCode(550), OutcomeKind::kPermanent);
  EXPECT_EQ(ClassifySmtpCode(553), OutcomeKind::kPermanent);
  EXPECT_EQ(ClassifySmtpCode(554), OutcomeKind::kPermanent);
  EXPECT_EQ(ClassifySmtpCode(0), OutcomeKind::kRetry);
}

TEST(ParseRetryAfterTest, DelaySeconds) {
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  EXPECT_EQ(ParseRetryAfter("120", now), absl::Seconds(120));
  EXPECT_EQ(ParseRetryAfter("0", now), absl::ZeroDuration());
  EXPECT_EQ(ParseRetryAfter("  30 ", now), absl::Seconds(30));
  // Huge values saturate instead of overflowing.
  std::optional<absl::Duration> huge =
      ParseRetryAfter("99999999999999999999999", now);
  ASSERT_TRUE(huge.has_value());
  EXPECT_GT(*huge, absl::Hours(24 * 365));
}

TEST(ParseRetryAfterTest, HttpDateInAllThreeForms) {
  // Sun, 06 Nov 1994 08:49:37 GMT is Unix 784111777.
  const absl::Time now = absl::FromUnixSeconds(784111777 - 90);
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now),
            absl::Seconds(90));
  EXPECT_EQ(ParseRetryAfter("Sunday, 06-Nov-94 08:49:37 GMT", now),
            absl::Seconds(90));
  EXPECT_EQ(ParseRetryAfter("Sun Nov  6 08:49:37 1994", now),
            absl::Seconds(90));
}

TEST(ParseRetryAfterTest, PastDateIsZero) {
  const absl::Time now = absl::FromUnixSeconds(784111777 + 3600);
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now),
            absl::ZeroDuration());
}

TEST(ParseRetryAfterTest, MalformedIsIgnored) {
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  EXPECT_FALSE(ParseRetryAfter("", now).has_value());
  EXPECT_FALSE(ParseRetryAfter("-5", now).has_value());
  EXPECT_FALSE(ParseRetryAfter("1.5", now).has_value());
  EXPECT_FALSE(ParseRetryAfter("soon", now).has_value());
  EXPECT_FALSE(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37", now).has_value());
  EXPECT_FALSE(
      ParseRetryAfter("Sun, 32 Nov 1994 08:49:37 GMT", now).has_value());
}

TEST(ToAttemptOutcomeTest, MapsEveryKind) {
  ChannelOutcome o;
  o.kind = OutcomeKind::kDelivered;
  EXPECT_EQ(ToAttemptOutcome(o), v1::ATTEMPT_OUTCOME_DELIVERED);
  o.kind = OutcomeKind::kRetry;
  o.http_status = 503;
  EXPECT_EQ(ToAttemptOutcome(o), v1::ATTEMPT_OUTCOME_RETRY_SCHEDULED);
  o.http_status = 429;
  EXPECT_EQ(ToAttemptOutcome(o), v1::ATTEMPT_OUTCOME_THROTTLED);
  o.kind = OutcomeKind::kPermanent;
  o.http_status = 404;
  EXPECT_EQ(ToAttemptOutcome(o), v1::ATTEMPT_OUTCOME_FAILED_PERMANENTLY);
  o.kind = OutcomeKind::kGone;
  o.http_status = 410;
  EXPECT_EQ(ToAttemptOutcome(o), v1::ATTEMPT_OUTCOME_ENDPOINT_GONE);
}

TEST(FillDeliveryAttemptTest, CopiesWhatTheChannelKnows) {
  ChannelOutcome o;
  o.kind = OutcomeKind::kRetry;
  o.http_status = 429;
  o.retry_after = absl::Seconds(120);
  o.error = "HTTP 429";
  o.elapsed = absl::Milliseconds(1500);
  v1::DeliveryAttempt attempt;
  attempt.set_webhook_id("msg_1");  // the engine's fields stay
  FillDeliveryAttempt(o, attempt);
  EXPECT_EQ(attempt.outcome(), v1::ATTEMPT_OUTCOME_THROTTLED);
  EXPECT_EQ(attempt.http_status(), 429);
  EXPECT_EQ(attempt.error(), "HTTP 429");
  EXPECT_EQ(attempt.retry_after().seconds(), 120);
  EXPECT_EQ(attempt.duration().seconds(), 1);
  EXPECT_EQ(attempt.duration().nanos(), 500000000);
  EXPECT_EQ(attempt.webhook_id(), "msg_1");

  ChannelOutcome smtp;
  smtp.kind = OutcomeKind::kDelivered;
  smtp.smtp_code = 250;
  smtp.smtp_reply = "250 2.0.0 Ok: queued";
  FillDeliveryAttempt(smtp, attempt);
  EXPECT_EQ(attempt.outcome(), v1::ATTEMPT_OUTCOME_DELIVERED);
  EXPECT_EQ(attempt.smtp_reply(), "250 2.0.0 Ok: queued");
  EXPECT_FALSE(attempt.has_retry_after());
  EXPECT_EQ(attempt.http_status(), 0);
}

}  // namespace
}  // namespace partydev::notification
