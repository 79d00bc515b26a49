// File: services/notification/channels/channel_outcome.h
//
// The result of one attempt to deliver a job through an outbound channel
// (webhook or e-mail), independent of the delivery engine that schedules
// attempts. A channel only says what happened and what the other side asked
// for; the engine decides when (and whether) to try again.
//
// The classification follows the issue and Standard Webhooks v1 ("Retry
// schedule" and "Status codes" in the spec): 2xx is delivered; 410 Gone
// disables the endpoint; any other 4xx than 408 Request Timeout and 429 Too
// Many Requests fails for good; everything else (1xx, 3xx — redirects are
// never followed —, 408, 429, 5xx, timeouts, connection errors) is
// transient and retried. For SMTP (RFC 5321 §4.2.1) a 2xx reply is accepted,
// 4yz is a transient negative completion (retry) and 5yz a permanent one.
//
// Example:
//   ChannelOutcome outcome = sender.Send(request);
//   notification::v1::DeliveryAttempt attempt;
//   FillDeliveryAttempt(outcome, attempt);   // outcome, status, error...
//   if (outcome.kind == OutcomeKind::kGone) { /* disable the channel */ }

#ifndef PARTYDEV_SERVICES_NOTIFICATION_CHANNELS_CHANNEL_OUTCOME_H_
#define PARTYDEV_SERVICES_NOTIFICATION_CHANNELS_CHANNEL_OUTCOME_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "partydev/notification/v1/channels.pb.h"

namespace partydev::notification {

// What the engine must do after an attempt.
enum class OutcomeKind {
  // Accepted by the other side (HTTP 2xx, SMTP 250 after DATA).
  kDelivered,
  // Transient failure: 5xx, 408, 429, 3xx, timeouts, connection errors,
  // SMTP 4yz. Try again on the schedule, not before `retry_after`.
  kRetry,
  // Permanent failure: other 4xx, SMTP 5yz (e.g. 550 address rejected), or
  // a request we could never send (bad URL, header injection). Dead-letter.
  kPermanent,
  // HTTP 410 Gone: the endpoint asks to be disabled (Standard Webhooks).
  kGone,
};

// "DELIVERED", "RETRY", "PERMANENT", "GONE" (logs and test messages).
absl::string_view OutcomeKindName(OutcomeKind kind);

// The result of one attempt.
struct ChannelOutcome {
  OutcomeKind kind = OutcomeKind::kRetry;
  // The HTTP status answered by a webhook; 0 when there was no answer
  // (timeout, connection error) or for e-mail.
  int http_status = 0;
  // The code of the SMTP server's last reply (250, 451, 550...); 0 when
  // there was none, or for webhooks.
  int smtp_code = 0;
  // The SMTP server's last reply line ("250 2.0.0 Ok: queued"), with any
  // e-mail address in it masked (personal data, Decree 13/2023).
  std::string smtp_reply;
  // The delay the other side asked for (Retry-After), if any.
  std::optional<absl::Duration> retry_after;
  // Why it failed, empty when delivered. Never contains secrets, message
  // content or e-mail addresses: it is stored in the attempts log.
  std::string error;
  // True when the attempt ran out of time.
  bool timed_out = false;
  // How long the attempt took.
  absl::Duration elapsed = absl::ZeroDuration();
};

// The kind of an HTTP status answered by a webhook endpoint (see above).
OutcomeKind ClassifyHttpStatus(int status);

// The kind of an SMTP reply code: 2yz delivered, 4yz retry, 5yz permanent,
// anything else (no reply) retry.
OutcomeKind ClassifySmtpCode(int code);

// The delay asked for by a Retry-After header value (RFC 9110 §10.2.3):
// either delay-seconds ("120") or an HTTP-date in any of the three forms a
// recipient must accept (§5.6.7: IMF-fixdate "Sun, 06 Nov 1994 08:49:37
// GMT", obsolete RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT", asctime "Sun Nov
// 6 08:49:37 1994"), taken relative to `now`. A date in the past gives
// zero. A value that is empty or malformed gives nullopt: RFC 9110 lets a
// recipient ignore a header it cannot parse, and the retry schedule then
// applies. Capping by the rule set's max_retry_after is the engine's job.
std::optional<absl::Duration> ParseRetryAfter(absl::string_view value,
                                              absl::Time now);

// The notification.v1.AttemptOutcome of `outcome`: DELIVERED,
// RETRY_SCHEDULED (THROTTLED for an HTTP 429), FAILED_PERMANENTLY or
// ENDPOINT_GONE. ATTEMPTS_EXHAUSTED is the engine's call (it knows the
// attempt number).
v1::AttemptOutcome ToAttemptOutcome(const ChannelOutcome& outcome);

// Fills the fields of `attempt` that the channel knows: outcome, duration,
// http_status, smtp_reply, error, retry_after. The engine fills the rest
// (name, channel, attempt number, times, worker, dead letter).
void FillDeliveryAttempt(const ChannelOutcome& outcome,
                         v1::DeliveryAttempt& attempt);

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_CHANNELS_CHANNEL_OUTCOME_H_
