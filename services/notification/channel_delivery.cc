#include "services/notification/channel_delivery.h"

#include <cstdlib>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/errors.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "services/notification/channel_store.h"

namespace partydev::notification {
namespace {

constexpr absl::string_view kCategoryPrefix = "MESSAGE_CATEGORY_";

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && value[0] != '\0' ? value : fallback;
}

// True for a literal IPv4 address in a loopback, private (RFC 1918),
// CGNAT (RFC 6598), link-local or "this network" block.
bool IsPrivateIpv4(absl::string_view host) {
  std::vector<absl::string_view> parts = absl::StrSplit(host, '.');
  if (parts.size() != 4) return false;
  int b[4];
  for (int i = 0; i < 4; ++i) {
    if (!absl::SimpleAtoi(parts[i], &b[i]) || b[i] < 0 || b[i] > 255) {
      return false;
    }
  }
  return b[0] == 0 || b[0] == 10 || b[0] == 127 ||
         (b[0] == 172 && b[1] >= 16 && b[1] <= 31) ||
         (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254) ||
         (b[0] == 100 && b[1] >= 64 && b[1] <= 127);
}

}  // namespace

ChannelDeliveryOptions ChannelDeliveryOptionsFor(const ServiceConfig& config) {
  ChannelDeliveryOptions options;
  const bool development = config.auth_mode == AuthMode::kDev;
  options.webhook.allow_http = development;
  options.webhook.allow_private_networks = development;
  options.smtp.url = EnvOr("PARTYDEV_SMTP_URL", "");
  options.from.address = EnvOr("PARTYDEV_SMTP_FROM", options.from.address);
  return options;
}

std::string WebhookEventType(v1::MessageCategory category) {
  absl::string_view name = v1::MessageCategory_Name(category);
  absl::ConsumePrefix(&name, kCategoryPrefix);
  return absl::StrCat("partydev.notification.", absl::AsciiStrToLower(name));
}

absl::StatusOr<std::string> WebhookBody(absl::string_view type, absl::Time time,
                                        const google::protobuf::Message& data) {
  std::string data_json;
  if (!google::protobuf::util::MessageToJsonString(data, &data_json).ok()) {
    return absl::InternalError("the event data cannot be printed as JSON");
  }
  try {
    nlohmann::json body;
    body["type"] = std::string(type);
    body["timestamp"] =
        absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone());
    body["data"] = nlohmann::json::parse(data_json);
    return body.dump();
  } catch (const std::exception& e) {  // nlohmann reports by exceptions
    return absl::InternalError(absl::StrCat("webhook body: ", e.what()));
  }
}

absl::Status CheckWebhookUrl(absl::string_view url,
                             const WebhookSenderOptions& options,
                             absl::string_view field) {
  absl::string_view rest = url;
  const bool https = absl::ConsumePrefix(&rest, "https://");
  const bool http = !https && absl::ConsumePrefix(&rest, "http://");
  if (!https && !(http && options.allow_http)) {
    return InvalidField(field, options.allow_http
                                   ? "must be an https:// or http:// URL"
                                   : "must be an https:// URL (http:// only "
                                     "in development mode)");
  }
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) {
      return InvalidField(field,
                          "must not contain spaces or control "
                          "characters");
    }
  }
  absl::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (absl::StrContains(authority, '@')) {
    return InvalidField(field, "must not carry user information");
  }
  absl::string_view host = authority;
  if (absl::StartsWith(host, "[")) {
    host = host.substr(0, host.find(']') + 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  if (host.empty()) return InvalidField(field, "has no host");
  if (!options.allow_private_networks) {
    const std::string lower = absl::AsciiStrToLower(host);
    if (lower == "localhost" || absl::EndsWith(lower, ".localhost") ||
        IsPrivateIpv4(lower) || absl::StartsWith(lower, "[")) {
      return InvalidField(field,
                          "points to a loopback or private network address, "
                          "which the configuration does not allow");
    }
  }
  return absl::OkStatus();
}

ChannelSender::ChannelSender(ChannelDeliveryOptions options)
    : options_(std::move(options)),
      webhook_(options_.webhook),
      email_(options_.smtp) {}

ChannelOutcome ChannelSender::PostWebhook(
    const storage::v1::StoredChannel& stored, absl::string_view type,
    const google::protobuf::Message& data, absl::string_view message_id,
    absl::Time now, absl::Duration timeout) const {
  ChannelOutcome failed;
  failed.kind = OutcomeKind::kPermanent;
  absl::StatusOr<std::string> body = WebhookBody(type, now, data);
  if (!body.ok()) {
    failed.error = std::string(body.status().message());
    return failed;
  }
  WebhookRequest request;
  request.url = stored.channel().webhook().url();
  request.body = std::move(*body);
  request.message_id = std::string(message_id);
  // webhook-timestamp: the real time of the attempt (receivers compare it
  // with their own clock), not the service's decision clock.
  request.secrets = ActiveSecrets(stored, now);
  request.timeout = timeout;
  return webhook_.Send(request);
}

ChannelOutcome ChannelSender::SendEmail(
    const storage::v1::StoredChannel& stored, absl::string_view subject,
    absl::string_view body, absl::string_view message_id, absl::Time now,
    absl::Duration timeout) const {
  if (options_.smtp.url.empty()) {
    ChannelOutcome outcome;
    outcome.kind = OutcomeKind::kRetry;
    outcome.error = "no SMTP relay configured (PARTYDEV_SMTP_URL)";
    return outcome;
  }
  EmailContent content;
  content.from = options_.from;
  content.to = {{stored.channel().email().address(),
                 stored.channel().email().display_name()}};
  content.subject = std::string(subject);
  content.text_body = std::string(body);
  content.idempotency_key = std::string(message_id);
  content.date = now;
  return email_.Send(content, timeout);
}

ChannelOutcome ChannelSender::SendMessage(
    const storage::v1::StoredChannel& stored, const v1::Message& message,
    absl::string_view message_id, absl::Time now,
    absl::Duration timeout) const {
  if (stored.channel().has_webhook()) {
    return PostWebhook(stored, WebhookEventType(message.category()), message,
                       message_id, now, timeout);
  }
  if (stored.channel().has_email()) {
    return SendEmail(stored, message.subject(), message.body(), message_id, now,
                     timeout);
  }
  ChannelOutcome outcome;
  outcome.kind = OutcomeKind::kPermanent;
  outcome.error = "not a webhook or e-mail channel";
  return outcome;
}

}  // namespace partydev::notification
