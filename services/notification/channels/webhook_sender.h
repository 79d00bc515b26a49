// File: services/notification/channels/webhook_sender.h
//
// Posts one webhook attempt to another agency's system (libcurl), signed
// the Standard Webhooks v1 way (webhook_signature.h), and classifies the
// answer (channel_outcome.h). The delivery engine calls Send once per
// attempt and keeps the schedule; the sender never retries by itself.
//
// Each POST carries (channels.proto, WebhookConfig):
//   content-type: application/json
//   webhook-id: the job's idempotency key, the same on every attempt, so
//     the receiver can drop a duplicate delivery;
//   webhook-timestamp: Unix seconds of this attempt (not of the first one:
//     receivers refuse timestamps older than 5 minutes, and a retry may
//     come hours later);
//   webhook-signature: one "v1,<base64>" per active secret;
//   user-agent: partydev-notifyd.
// Redirects are not followed (a 3xx is a failed attempt, Standard Webhooks
// "Status codes"); the Retry-After of the answer is read (RFC 9110).
//
// Server-side request forgery. Webhook URLs come from users, so by default
// the sender refuses plain http and any connection to a loopback, private,
// link-local, shared or multicast address — checked on the address libcurl
// actually connects to (after DNS), so a name that resolves to 10.0.0.1 is
// caught too. Tests and development mode allow both through the options.
// Environment proxies (http_proxy...) are ignored; set `proxy` for an
// egress proxy (e.g. smokescreen), which then does the filtering.
//
// Thread safety: Send is const and uses its own libcurl easy handle per
// call, so one sender may serve every worker thread. curl_global_init is
// done once by the constructor (curl_support.h).
//
// Example:
//   WebhookSender sender(WebhookSenderOptions{});
//   WebhookRequest request;
//   request.url = "https://hethong.example.vn/hooks/partydev";
//   request.body = R"({"type":"partydev.notification.directive",...})";
//   request.message_id = job.idempotency_key();
//   request.secrets = {current_secret};   // + previous while overlapping
//   request.timeout = absl::Seconds(15);
//   ChannelOutcome outcome = sender.Send(request);

#ifndef PARTYDEV_SERVICES_NOTIFICATION_CHANNELS_WEBHOOK_SENDER_H_
#define PARTYDEV_SERVICES_NOTIFICATION_CHANNELS_WEBHOOK_SENDER_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "services/notification/channels/channel_outcome.h"

namespace partydev::notification {

// How the sender connects, from the service configuration.
struct WebhookSenderOptions {
  // Allow http:// URLs (development mode only); https:// otherwise.
  bool allow_http = false;
  // Allow loopback and private addresses (tests, development).
  bool allow_private_networks = false;
  // An egress proxy URL ("http://smokescreen:4750"); empty = direct. When
  // set, address filtering is left to the proxy.
  std::string proxy;
  // A CA bundle file; empty = the system's.
  std::string ca_file;
  // The user-agent header.
  std::string user_agent = "partydev-notifyd";
  // The longest time to establish the connection (capped by the request's
  // timeout).
  absl::Duration connect_timeout = absl::Seconds(10);
};

// One attempt to post a message.
struct WebhookRequest {
  // Required. The endpoint (WebhookConfig.url).
  std::string url;
  // Required. The JSON body, sent byte for byte as signed.
  std::string body;
  // Required. webhook-id: the job's idempotency key, identical on every
  // attempt. Printable ASCII.
  std::string message_id;
  // Optional. webhook-timestamp; default the time of the attempt.
  std::optional<absl::Time> timestamp;
  // Required. The active secrets ("whsec_..."), current first.
  std::vector<std::string> secrets;
  // Optional. More headers (name, value). The headers above cannot be
  // overridden; names must be HTTP tokens and values hold no CR/LF.
  std::vector<std::pair<std::string, std::string>> extra_headers;
  // Required. The whole attempt's time limit (ChannelPolicy
  // attempt_timeout, or WebhookConfig.timeout when shorter).
  absl::Duration timeout = absl::Seconds(15);
};

// Posts webhook attempts. See the file comment.
class WebhookSender {
 public:
  explicit WebhookSender(WebhookSenderOptions options);
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  // Makes one attempt and classifies it: kDelivered on 2xx, kGone on 410,
  // kPermanent on other 4xx than 408/429 and on a request that can never
  // be sent (bad URL, scheme or address refused, malformed secret, header
  // injection), kRetry otherwise (5xx, 3xx, 408, 429, timeout, connection
  // error). Fills http_status, retry_after, error, timed_out and elapsed.
  ChannelOutcome Send(const WebhookRequest& request) const;

 private:
  WebhookSenderOptions options_;
};

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_CHANNELS_WEBHOOK_SENDER_H_
