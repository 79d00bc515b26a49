// File: services/notification/channel_delivery.h
//
// How one message leaves notifyd through a recipient's webhook or e-mail
// channel: what the delivery engine (delivery_dispatcher.h) and the
// channel RPCs that send at once (VerifyChannel, TestChannel) share. Builds
// the Standard Webhooks event body and the e-mail content, then makes one
// attempt with the senders of channels/ (webhook_sender.h,
// email_sender.h); the outcome is classified there (channel_outcome.h).
//
// Webhook body (channels.proto WebhookConfig): {"type":
// "partydev.notification.<category>", "timestamp": RFC 3339, "data": the
// Message as proto3 JSON}. The webhook-id is the caller's message id (the
// job's idempotency key: the same on every attempt, Standard Webhooks
// "idempotency").
//
// Configuration. channels.proto allows http:// URLs and private addresses
// only in development mode: ChannelDeliveryOptionsFor allows both exactly
// when the service runs with development authentication (AuthMode::kDev).
// The SMTP relay and the From address come from the environment
// (PARTYDEV_SMTP_URL, e.g. "smtp://mail.partydev.vn:587", and
// PARTYDEV_SMTP_FROM, an address), because the shared ServiceConfig has no
// e-mail settings yet; without a relay, e-mail attempts fail transiently
// ("no SMTP relay configured") and wait in the engine's backoff.

#ifndef PARTYDEV_SERVICES_NOTIFICATION_CHANNEL_DELIVERY_H_
#define PARTYDEV_SERVICES_NOTIFICATION_CHANNEL_DELIVERY_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/config.h"
#include "google/protobuf/message.h"
#include "partydev/notification/v1/inbox.pb.h"
#include "partydev/storage/v1/channels.pb.h"
#include "services/notification/channels/channel_outcome.h"
#include "services/notification/channels/email_message.h"
#include "services/notification/channels/email_sender.h"
#include "services/notification/channels/webhook_sender.h"

namespace partydev::notification {

// What the senders need from the configuration.
struct ChannelDeliveryOptions {
  WebhookSenderOptions webhook;
  // The relay; an empty url means e-mail cannot be sent.
  SmtpOptions smtp;
  // The From of every e-mail.
  EmailAddress from{"thongbao@partydev.invalid", "Hệ thống thông báo"};
};

// The options of a service run with `config` (see the file comment).
ChannelDeliveryOptions ChannelDeliveryOptionsFor(const ServiceConfig& config);

// "partydev.notification.directive" for MESSAGE_CATEGORY_DIRECTIVE: the
// category's name in lower case without its prefix.
std::string WebhookEventType(v1::MessageCategory category);

// The JSON body of a webhook event of `type` at `time` carrying `data`.
// INTERNAL if `data` cannot be printed as JSON.
absl::StatusOr<std::string> WebhookBody(absl::string_view type, absl::Time time,
                                        const google::protobuf::Message& data);

// Checks a webhook URL given by a user: https:// (http:// only when
// `options.allow_http`), a host, and — unless
// `options.allow_private_networks` — no literal loopback or private
// address nor "localhost" (the sender checks the resolved address again at
// connect time). INVALID_ARGUMENT naming `field`.
absl::Status CheckWebhookUrl(absl::string_view url,
                             const WebhookSenderOptions& options,
                             absl::string_view field);

// Makes single attempts through webhook and e-mail channels. Thread-safe.
class ChannelSender {
 public:
  explicit ChannelSender(ChannelDeliveryOptions options);
  ChannelSender(const ChannelSender&) = delete;
  ChannelSender& operator=(const ChannelSender&) = delete;

  const ChannelDeliveryOptions& options() const { return options_; }

  // Posts an event of `type` carrying `data` to the webhook of `stored`,
  // signed with its active secrets at `now`, with webhook-id `message_id`.
  ChannelOutcome PostWebhook(const storage::v1::StoredChannel& stored,
                             absl::string_view type,
                             const google::protobuf::Message& data,
                             absl::string_view message_id, absl::Time now,
                             absl::Duration timeout) const;

  // Sends `subject` / `body` to the e-mail address of `stored`; the
  // Message-ID derives from `message_id`.
  ChannelOutcome SendEmail(const storage::v1::StoredChannel& stored,
                           absl::string_view subject, absl::string_view body,
                           absl::string_view message_id, absl::Time now,
                           absl::Duration timeout) const;

  // One attempt of `message` through `stored` (webhook or e-mail).
  ChannelOutcome SendMessage(const storage::v1::StoredChannel& stored,
                             const v1::Message& message,
                             absl::string_view message_id, absl::Time now,
                             absl::Duration timeout) const;

 private:
  ChannelDeliveryOptions options_;
  WebhookSender webhook_;
  EmailSender email_;
};

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_CHANNEL_DELIVERY_H_
