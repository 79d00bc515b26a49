#include "services/notification/channels/channel_outcome.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "google/protobuf/util/time_util.h"

namespace partydev::notification {
namespace {

// The three HTTP-date forms of RFC 9110 §5.6.7, all in GMT. %e accepts the
// space-padded day of asctime.
constexpr const char* kHttpDateFormats[] = {
    "%a, %d %b %Y %H:%M:%S GMT",  // IMF-fixdate (preferred)
    "%A, %d-%b-%y %H:%M:%S GMT",  // obsolete RFC 850
    "%a %b %e %H:%M:%S %Y",       // ANSI C asctime()
};

bool AllDigits(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

absl::string_view OutcomeKindName(OutcomeKind kind) {
  switch (kind) {
    case OutcomeKind::kDelivered:
      return "DELIVERED";
    case OutcomeKind::kRetry:
      return "RETRY";
    case OutcomeKind::kPermanent:
      return "PERMANENT";
    case OutcomeKind::kGone:
      return "GONE";
  }
  return "UNKNOWN";
}

OutcomeKind ClassifyHttpStatus(int status) {
  if (status >= 200 && status <= 299) return OutcomeKind::kDelivered;
  if (status == 410) return OutcomeKind::kGone;
  // 408: the server gave up waiting for us; 429: it asks us to slow down.
  if (status == 408 || status == 429) return OutcomeKind::kRetry;
  if (status >= 400 && status <= 499) return OutcomeKind::kPermanent;
  // 1xx, 3xx (never followed: Standard Webhooks counts them as failures),
  // 5xx, and anything out of range.
  return OutcomeKind::kRetry;
}

OutcomeKind ClassifySmtpCode(int code) {
  if (code >= 200 && code <= 299) return OutcomeKind::kDelivered;
  if (code >= 500 && code <= 599) return OutcomeKind::kPermanent;
  return OutcomeKind::kRetry;
}

std::optional<absl::Duration> ParseRetryAfter(absl::string_view value,
                                              absl::Time now) {
  value = absl::StripAsciiWhitespace(value);
  if (value.empty()) return std::nullopt;
  if (AllDigits(value)) {
    // delay-seconds = 1*DIGIT. Saturate absurdly long values rather than
    // overflow; the engine caps them anyway.
    uint64_t seconds = 0;
    if (value.size() > 12 || !absl::SimpleAtoi(value, &seconds)) {
      return absl::Hours(24 * 365 * 100);
    }
    return absl::Seconds(static_cast<int64_t>(seconds));
  }
  for (const char* format : kHttpDateFormats) {
    absl::Time when;
    std::string error;
    if (absl::ParseTime(format, value, absl::UTCTimeZone(), &when, &error)) {
      const absl::Duration delay = when - now;
      return delay < absl::ZeroDuration() ? absl::ZeroDuration() : delay;
    }
  }
  return std::nullopt;
}

v1::AttemptOutcome ToAttemptOutcome(const ChannelOutcome& outcome) {
  switch (outcome.kind) {
    case OutcomeKind::kDelivered:
      return v1::ATTEMPT_OUTCOME_DELIVERED;
    case OutcomeKind::kRetry:
      // AttemptOutcome: THROTTLED is "held by the rate limit (429...)".
      return outcome.http_status == 429 ? v1::ATTEMPT_OUTCOME_THROTTLED
                                        : v1::ATTEMPT_OUTCOME_RETRY_SCHEDULED;
    case OutcomeKind::kPermanent:
      return v1::ATTEMPT_OUTCOME_FAILED_PERMANENTLY;
    case OutcomeKind::kGone:
      return v1::ATTEMPT_OUTCOME_ENDPOINT_GONE;
  }
  return v1::ATTEMPT_OUTCOME_UNSPECIFIED;
}

void FillDeliveryAttempt(const ChannelOutcome& outcome,
                         v1::DeliveryAttempt& attempt) {
  using google::protobuf::util::TimeUtil;
  attempt.set_outcome(ToAttemptOutcome(outcome));
  attempt.set_http_status(outcome.http_status);
  attempt.set_smtp_reply(outcome.smtp_reply);
  attempt.set_error(outcome.error);
  *attempt.mutable_duration() = TimeUtil::NanosecondsToDuration(
      absl::ToInt64Nanoseconds(outcome.elapsed));
  if (outcome.retry_after.has_value()) {
    *attempt.mutable_retry_after() = TimeUtil::NanosecondsToDuration(
        absl::ToInt64Nanoseconds(*outcome.retry_after));
  } else {
    attempt.clear_retry_after();
  }
}

}  // namespace partydev::notification
