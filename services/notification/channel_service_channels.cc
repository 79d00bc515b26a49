// ChannelService, the channel RPCs: Create/Get/List/Update/Delete,
// Verify, Test and RotateChannelSecret (see channel_service.h).

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/authorization.h"
#include "common/change.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/paging.h"
#include "services/notification/channel_service.h"
#include "services/notification/channels/curl_support.h"
#include "services/notification/channels/webhook_signature.h"
#include "services/notification/notification_access.h"
#include "services/notification/queue/job_queue.h"

namespace partydev::notification {
namespace {

// How long an e-mail verification code is accepted.
constexpr absl::Duration kCodeLifetime = absl::Hours(24);
// The default overlap of a rotated secret (channels.proto).
constexpr absl::Duration kDefaultOverlap = absl::Hours(24);
// The time limit of a verification or test attempt.
constexpr absl::Duration kImmediateTimeout = absl::Seconds(15);

absl::Duration FromProto(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

// The channel as clients see it: never a secret.
v1::Channel Public(const storage::v1::StoredChannel& stored) {
  v1::Channel channel = stored.channel();
  if (channel.has_webhook()) channel.mutable_webhook()->clear_secret();
  return channel;
}

// A six-digit code from the CSPRNG behind NewUuid.
std::string NewCode() {
  const std::string hex = Sha256Hex(NewUuid());
  uint64_t n = std::stoull(hex.substr(0, 12), nullptr, 16);
  std::string code = std::to_string(n % 1000000);
  return std::string(6 - code.size(), '0') + code;
}

}  // namespace

PARTYDEV_UNARY_METHOD(ChannelServiceImpl, CreateChannel,
                      v1::CreateChannelRequest, v1::Channel)
PARTYDEV_UNARY_METHOD(ChannelServiceImpl, GetChannel, v1::GetChannelRequest,
                      v1::Channel)
PARTYDEV_UNARY_METHOD(ChannelServiceImpl, ListChannels, v1::ListChannelsRequest,
                      v1::ListChannelsResponse)
PARTYDEV_UNARY_METHOD(ChannelServiceImpl, UpdateChannel,
                      v1::UpdateChannelRequest, v1::Channel)
PARTYDEV_UNARY_METHOD(ChannelServiceImpl, DeleteChannel,
                      v1::DeleteChannelRequest, google::protobuf::Empty)
PARTYDEV_UNARY_METHOD(ChannelServiceImpl, VerifyChannel,
                      v1::VerifyChannelRequest, v1::Channel)
PARTYDEV_UNARY_METHOD(ChannelServiceImpl, TestChannel, v1::TestChannelRequest,
                      v1::TestChannelResponse)
PARTYDEV_UNARY_METHOD(ChannelServiceImpl, RotateChannelSecret,
                      v1::RotateChannelSecretRequest,
                      v1::RotateChannelSecretResponse)

absl::StatusOr<v1::Recipient> ChannelServiceImpl::ManagedRecipient(
    const CallContext& call, absl::string_view name, absl::string_view field) {
  absl::StatusOr<std::string> resolved =
      ResolveRecipientName(call.principal, name, field);
  if (!resolved.ok()) return resolved.status();
  if (resolved->find('/', std::string("recipients/").size()) !=
      std::string::npos) {
    return InvalidField(field, "must be recipients/{recipient}");
  }
  absl::StatusOr<Stored<v1::Recipient>> stored = recipients_.Get(*resolved);
  if (absl::IsNotFound(stored.status())) {
    return call.principal.HasRole(roles::kAdmin)
               ? stored.status()
               : RecipientDenied(call.principal, *resolved);
  }
  if (!stored.ok()) return stored.status();
  absl::StatusOr<TreeOnDay> tree = CurrentTree(*context_);
  if (!tree.ok()) return tree.status();
  if (!MayManageRecipient(*tree, call.principal, stored->message)) {
    return RecipientDenied(call.principal, *resolved);
  }
  return std::move(stored->message);
}

absl::StatusOr<Stored<storage::v1::StoredChannel>>
ChannelServiceImpl::ManagedChannel(const CallContext& call,
                                   absl::string_view name,
                                   absl::string_view field,
                                   ChannelName& parsed) {
  absl::StatusOr<std::string> resolved =
      ResolveRecipientName(call.principal, name, field);
  if (!resolved.ok()) return resolved.status();
  absl::StatusOr<ChannelName> channel = ParseChannelName(*resolved, field);
  if (!channel.ok()) return channel.status();
  parsed = *channel;
  absl::StatusOr<v1::Recipient> recipient =
      ManagedRecipient(call, parsed.recipient, field);
  if (!recipient.ok()) return recipient.status();
  if (parsed.id == kInAppChannelId) {
    Stored<storage::v1::StoredChannel> in_app;
    *in_app.message.mutable_channel() = InAppChannel(parsed.recipient);
    return in_app;  // version 0: no record
  }
  return channels_.Get(parsed.full());
}

absl::Status ChannelServiceImpl::CheckChannelConfig(
    const v1::Channel& channel, const google::protobuf::FieldMask* mask) {
  auto wanted = [mask](absl::string_view path) {
    return mask == nullptr || InMask(*mask, path);
  };
  FieldChecker check;
  if (wanted("display_name") && HasLineBreak(channel.display_name())) {
    check.Add("channel.display_name", "must be one line");
  }
  if (channel.has_webhook()) {
    const v1::WebhookConfig& w = channel.webhook();
    if (wanted("webhook.url")) {
      if (w.url().empty()) {
        check.Add("channel.webhook.url", "is required");
      } else if (absl::Status s =
                     CheckWebhookUrl(w.url(), sender_->options().webhook,
                                     "channel.webhook.url");
                 !s.ok()) {
        check.Add("channel.webhook.url",
                  FieldViolationsOf(s).empty()
                      ? std::string(s.message())
                      : FieldViolationsOf(s).front().description);
      }
    }
    if (wanted("webhook.event_types")) {
      for (int i = 0; i < w.event_types_size(); ++i) {
        if (w.event_types(i) == v1::MESSAGE_CATEGORY_UNSPECIFIED) {
          check.Add(absl::StrCat("channel.webhook.event_types[", i, "]"),
                    "must be a message category");
        }
      }
    }
    if (wanted("webhook.timeout") && w.has_timeout() &&
        FromProto(w.timeout()) <= absl::ZeroDuration()) {
      check.Add("channel.webhook.timeout", "must be positive");
    }
    if (wanted("webhook.max_requests_per_minute") &&
        w.max_requests_per_minute() < 0) {
      check.Add("channel.webhook.max_requests_per_minute",
                "must not be negative");
    }
    if (mask == nullptr && !w.secret().empty()) {
      absl::StatusOr<std::string> key =
          DecodeWebhookSecret(w.secret(), "channel.webhook.secret");
      if (!key.ok()) {
        check.Add("channel.webhook.secret",
                  "must be \"whsec_\" + base64 of 24 to 64 bytes");
      }
    }
  } else if (channel.has_email()) {
    const v1::EmailConfig& e = channel.email();
    if (wanted("email.address")) {
      if (e.address().empty()) {
        check.Add("channel.email.address", "is required");
      } else if (absl::Status s =
                     ValidateEmailAddress(e.address(), "channel.email.address");
                 !s.ok()) {
        check.Add("channel.email.address", "is not a valid address");
      }
    }
    if (wanted("email.display_name") && HasLineBreak(e.display_name())) {
      check.Add("channel.email.display_name", "must be one line");
    }
  } else if (mask == nullptr) {
    check.Add("channel.config",
              channel.has_in_app()
                  ? "the in-app channel is created by the server"
                  : "is required: webhook or email");
  }
  return check.ok() ? absl::OkStatus() : check.status();
}

v1::DeliveryAttempt ChannelServiceImpl::AttemptOf(const ChannelOutcome& outcome,
                                                  const std::string& channel,
                                                  v1::ChannelType type,
                                                  const std::string& id,
                                                  absl::Time start) {
  v1::DeliveryAttempt attempt;
  FillDeliveryAttempt(outcome, attempt);
  const std::string recipient = channel.substr(0, channel.find("/channels/"));
  attempt.set_name(absl::StrCat(recipient, "/messages/", id, "/attempts/1"));
  attempt.set_channel(channel);
  attempt.set_channel_type(type);
  attempt.set_attempt_number(1);
  *attempt.mutable_start_time() = ToTimestamp(start);
  if (type == v1::CHANNEL_TYPE_WEBHOOK) attempt.set_webhook_id(id);
  channels_.RecordAttempt(attempt).IgnoreError();
  return attempt;
}

absl::Status ChannelServiceImpl::DoCreateChannel(
    const CallContext& call, const v1::CreateChannelRequest& request,
    v1::Channel& response) {
  absl::StatusOr<std::string> parent =
      ResolveRecipientName(call.principal, request.parent(), "parent");
  if (!parent.ok()) return parent.status();
  FieldChecker check;
  if (!request.channel_id().empty() &&
      !IsValidResourceId(request.channel_id())) {
    check.Add("channel_id", "must match ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$");
  } else if (request.channel_id() == kInAppChannelId) {
    check.Add("channel_id", "\"in-app\" is the server's in-app channel");
  }
  if (!check.ok()) return check.status();
  if (absl::Status s = CheckChannelConfig(request.channel(), nullptr);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<v1::Recipient> recipient =
      ManagedRecipient(call, *parent, "parent");
  if (!recipient.ok()) return recipient.status();
  const std::string id =
      request.channel_id().empty() ? NewUuid() : request.channel_id();
  const v1::Channel& in = request.channel();
  return RunStagedChange(
      context_->redis(), context_->prefix(), context_->events_key(),
      "CreateChannel", request.request_id(), request, response,
      [&](StagedChange& change) -> absl::Status {
        storage::v1::StoredChannel stored;
        v1::Channel& channel = *stored.mutable_channel();
        channel.set_name(absl::StrCat(*parent, "/channels/", id));
        absl::StatusOr<Stored<storage::v1::StoredChannel>> existing =
            channels_.Get(channel.name());
        if (existing.ok()) {
          return absl::AlreadyExistsError(
              absl::StrCat(channel.name(), " already exists"));
        }
        if (!absl::IsNotFound(existing.status())) return existing.status();
        channel.set_display_name(in.display_name());
        channel.set_paused(in.paused());
        if (in.has_webhook()) {
          channel.set_type(v1::CHANNEL_TYPE_WEBHOOK);
          v1::WebhookConfig& w = *channel.mutable_webhook();
          w.set_url(in.webhook().url());
          *w.mutable_event_types() = in.webhook().event_types();
          if (in.webhook().has_timeout()) {
            *w.mutable_timeout() = in.webhook().timeout();
          }
          w.set_max_requests_per_minute(in.webhook().max_requests_per_minute());
          if (in.webhook().secret().empty()) {
            absl::StatusOr<std::string> secret = NewWebhookSecret();
            if (!secret.ok()) return secret.status();
            stored.set_secret(*secret);
          } else {
            stored.set_secret(in.webhook().secret());
          }
          w.set_secret_hint(SecretHint(stored.secret()));
        } else {
          channel.set_type(v1::CHANNEL_TYPE_EMAIL);
          *channel.mutable_email() = in.email();
        }
        channel.set_state(v1::CHANNEL_STATE_PENDING_VERIFICATION);
        channel.set_state_reason("not verified yet: call VerifyChannel");
        *channel.mutable_create_stamp() =
            Stamp(call, request.request_id(), "CreateChannel");
        *channel.mutable_update_stamp() = channel.create_stamp();
        response = channel;
        ApplyEtag(response, 1);
        // The only read that returns the secret (channels.proto).
        if (in.has_webhook()) {
          response.mutable_webhook()->set_secret(stored.secret());
        }
        if (request.validate_only()) return absl::OkStatus();
        channels_.StagePut(change.write, stored, 0);
        return absl::OkStatus();
      });
}

absl::Status ChannelServiceImpl::DoGetChannel(
    const CallContext& call, const v1::GetChannelRequest& request,
    v1::Channel& response) {
  ChannelName parsed;
  absl::StatusOr<Stored<storage::v1::StoredChannel>> stored =
      ManagedChannel(call, request.name(), "name", parsed);
  if (!stored.ok()) return stored.status();
  response = Public(stored->message);
  return absl::OkStatus();
}

absl::Status ChannelServiceImpl::DoListChannels(
    const CallContext& call, const v1::ListChannelsRequest& request,
    v1::ListChannelsResponse& response) {
  absl::StatusOr<OffsetPage> page =
      OffsetPage::Of(request, request.page_size(), request.page_token());
  if (!page.ok()) return page.status();
  absl::StatusOr<v1::Recipient> recipient =
      ManagedRecipient(call, request.parent(), "parent");
  if (!recipient.ok()) return recipient.status();
  absl::StatusOr<std::vector<Stored<storage::v1::StoredChannel>>> list =
      channels_.List(recipient->name());
  if (!list.ok()) return list.status();
  std::vector<v1::Channel> rows = {InAppChannel(recipient->name())};
  for (const auto& s : *list) rows.push_back(Public(s.message));
  page->Fill(rows.size(), response,
             [&](int i) { *response.add_channels() = rows[i]; });
  return absl::OkStatus();
}

absl::Status ChannelServiceImpl::DoUpdateChannel(
    const CallContext& call, const v1::UpdateChannelRequest& request,
    v1::Channel& response) {
  if (absl::Status s = CheckUpdateMask(
          request.update_mask(),
          {"display_name", "paused", "webhook.url", "webhook.event_types",
           "webhook.timeout", "webhook.max_requests_per_minute",
           "email.address", "email.display_name"});
      !s.ok()) {
    return s;
  }
  const v1::Channel& in = request.channel();
  if (absl::Status s = CheckChannelConfig(in, &request.update_mask());
      !s.ok()) {
    return s;
  }
  return RunStagedChange(
      context_->redis(), context_->prefix(), context_->events_key(),
      "UpdateChannel", request.request_id(), request, response,
      [&](StagedChange& change) -> absl::Status {
        ChannelName parsed;
        absl::StatusOr<Stored<storage::v1::StoredChannel>> stored =
            ManagedChannel(call, in.name(), "channel.name", parsed);
        if (!stored.ok()) return stored.status();
        if (parsed.id == kInAppChannelId) {
          return InvalidField("channel.name",
                              "the in-app channel has no settings to change");
        }
        if (absl::Status s =
                CheckEtag(in.etag(), stored->version, parsed.full());
            !s.ok()) {
          return s;
        }
        const auto& mask = request.update_mask();
        FieldChecker kind;
        for (const std::string& path : mask.paths()) {
          if ((absl::StartsWith(path, "webhook.") &&
               !stored->message.channel().has_webhook()) ||
              (absl::StartsWith(path, "email.") &&
               !stored->message.channel().has_email())) {
            kind.Add("update_mask",
                     absl::StrCat(path,
                                  " does not apply to this channel's "
                                  "kind (immutable)"));
          }
        }
        if (!kind.ok()) return kind.status();
        storage::v1::StoredChannel updated = stored->message;
        v1::Channel& c = *updated.mutable_channel();
        bool reverify = false;
        if (InMask(mask, "display_name")) c.set_display_name(in.display_name());
        if (InMask(mask, "paused")) c.set_paused(in.paused());
        if (InMask(mask, "webhook.url") &&
            c.webhook().url() != in.webhook().url()) {
          c.mutable_webhook()->set_url(in.webhook().url());
          reverify = true;
        }
        if (InMask(mask, "webhook.event_types")) {
          *c.mutable_webhook()->mutable_event_types() =
              in.webhook().event_types();
        }
        if (InMask(mask, "webhook.timeout")) {
          if (in.webhook().has_timeout()) {
            *c.mutable_webhook()->mutable_timeout() = in.webhook().timeout();
          } else {
            c.mutable_webhook()->clear_timeout();
          }
        }
        if (InMask(mask, "webhook.max_requests_per_minute")) {
          c.mutable_webhook()->set_max_requests_per_minute(
              in.webhook().max_requests_per_minute());
        }
        if (InMask(mask, "email.address") &&
            c.email().address() != in.email().address()) {
          c.mutable_email()->set_address(in.email().address());
          reverify = true;
        }
        if (InMask(mask, "email.display_name")) {
          c.mutable_email()->set_display_name(in.email().display_name());
        }
        if (reverify) {
          // channels.proto: a new URL or address must be verified again.
          c.set_state(v1::CHANNEL_STATE_PENDING_VERIFICATION);
          c.set_state_reason("the endpoint changed: verify it again");
          updated.clear_verification_code_sha256();
        }
        *c.mutable_update_stamp() =
            Stamp(call, request.request_id(), "UpdateChannel");
        response = Public(updated);
        ApplyEtag(response, request.validate_only() ? stored->version
                                                    : stored->version + 1);
        if (request.validate_only()) return absl::OkStatus();
        channels_.StagePut(change.write, updated, stored->version);
        return absl::OkStatus();
      });
}

absl::Status ChannelServiceImpl::DoDeleteChannel(
    const CallContext& call, const v1::DeleteChannelRequest& request,
    google::protobuf::Empty& response) {
  return RunStagedChange(
      context_->redis(), context_->prefix(), context_->events_key(),
      "DeleteChannel", request.request_id(), request, response,
      [&](StagedChange& change) -> absl::Status {
        ChannelName parsed;
        absl::StatusOr<Stored<storage::v1::StoredChannel>> stored =
            ManagedChannel(call, request.name(), "name", parsed);
        if (!stored.ok()) return stored.status();
        if (parsed.id == kInAppChannelId) {
          return RulesViolated({{"notification.in_app_channel", parsed.full(),
                                 "the in-app channel is never deleted"}});
        }
        if (absl::Status s =
                CheckEtag(request.etag(), stored->version, parsed.full());
            !s.ok()) {
          return s;
        }
        // Its queued jobs find no channel and are skipped (dispatcher).
        channels_.StageDelete(change.write, parsed, stored->version);
        return absl::OkStatus();
      });
}

absl::Status ChannelServiceImpl::DoVerifyChannel(
    const CallContext& call, const v1::VerifyChannelRequest& request,
    v1::Channel& response) {
  return RunStagedChange(
      context_->redis(), context_->prefix(), context_->events_key(),
      "VerifyChannel", request.request_id(), request, response,
      [&](StagedChange& change) -> absl::Status {
        ChannelName parsed;
        absl::StatusOr<Stored<storage::v1::StoredChannel>> stored =
            ManagedChannel(call, request.name(), "name", parsed);
        if (!stored.ok()) return stored.status();
        if (parsed.id == kInAppChannelId) {
          response = stored->message.channel();  // always verified
          return absl::OkStatus();
        }
        storage::v1::StoredChannel updated = stored->message;
        v1::Channel& c = *updated.mutable_channel();
        const absl::Time now = context_->clock().Now();
        if (c.has_webhook()) {
          // A signed ping answered 2xx proves the endpoint and its secret.
          v1::Channel ping;
          ping.set_name(c.name());
          const std::string id = absl::StrCat("verify-", NewUuid());
          ChannelOutcome outcome = sender_->PostWebhook(
              updated, "partydev.notification.verification", ping, id, now,
              kImmediateTimeout);
          AttemptOf(outcome, c.name(), c.type(), id, now);
          if (outcome.kind != OutcomeKind::kDelivered) {
            return RulesViolated(
                {{"notification.webhook_verification", c.name(),
                  absl::StrCat("the endpoint did not accept the signed "
                               "verification event: ",
                               outcome.error.empty()
                                   ? absl::StrCat("HTTP ", outcome.http_status)
                                   : outcome.error)}});
          }
        } else if (request.code().empty()) {
          // E-mail, step 1: send a code to the address.
          const std::string code = NewCode();
          const std::string id = absl::StrCat("verify-", NewUuid());
          ChannelOutcome outcome = sender_->SendEmail(
              updated, "Mã xác minh địa chỉ thư điện tử",
              absl::StrCat("Mã xác minh của đồng chí: ", code,
                           "\nMã có hiệu lực trong 24 giờ."),
              id, now, kImmediateTimeout);
          AttemptOf(outcome, c.name(), c.type(), id, now);
          if (outcome.kind != OutcomeKind::kDelivered) {
            return absl::UnavailableError(absl::StrCat(
                "the verification code could not be sent: ", outcome.error));
          }
          updated.set_verification_code_sha256(Sha256Hex(code));
          *updated.mutable_verification_code_expire_time() =
              ToTimestamp(now + kCodeLifetime);
          c.set_state_reason("a verification code was sent to the address");
          response = Public(updated);
          ApplyEtag(response, stored->version + 1);
          channels_.StagePut(change.write, updated, stored->version);
          return absl::OkStatus();
        } else if (updated.verification_code_sha256().empty() ||
                   FromTimestamp(updated.verification_code_expire_time()) <
                       now ||
                   Sha256Hex(request.code()) !=
                       updated.verification_code_sha256()) {
          return InvalidField("code",
                              "does not match the code sent, or it expired");
        }
        updated.clear_verification_code_sha256();
        updated.clear_verification_code_expire_time();
        c.set_state(v1::CHANNEL_STATE_ACTIVE);
        c.clear_state_reason();
        *c.mutable_verify_time() = ToTimestamp(now);
        *c.mutable_update_stamp() =
            Stamp(call, request.request_id(), "VerifyChannel");
        response = Public(updated);
        ApplyEtag(response, stored->version + 1);
        channels_.StagePut(change.write, updated, stored->version);
        return absl::OkStatus();
      });
}

absl::Status ChannelServiceImpl::DoTestChannel(
    const CallContext& call, const v1::TestChannelRequest& request,
    v1::TestChannelResponse& response) {
  if (absl::Status s = ValidateRequestId(request.request_id()); !s.ok()) {
    return s;
  }
  ChannelName parsed;
  absl::StatusOr<Stored<storage::v1::StoredChannel>> stored =
      ManagedChannel(call, request.name(), "name", parsed);
  if (!stored.ok()) return stored.status();
  const v1::Channel& c = stored->message.channel();
  if (parsed.id == kInAppChannelId) {
    return InvalidField("name",
                        "test messages go to webhook or e-mail "
                        "channels; the inbox needs no test");
  }
  v1::Message message;
  message.set_category(v1::MESSAGE_CATEGORY_SYSTEM);
  message.set_priority(v1::MESSAGE_PRIORITY_NORMAL);
  message.set_subject("Thư thử kênh nhận thông báo");
  message.set_body("Đây là thông báo thử của hệ thống partydev.");
  const std::string id = absl::StrCat(
      "test-", request.request_id().empty() ? NewUuid() : request.request_id());
  message.set_idempotency_key(id);
  const absl::Time now = context_->clock().Now();
  // Once, no retries (channels.proto); a retried request_id sends again
  // with the same webhook-id, which the receiver deduplicates.
  ChannelOutcome outcome = sender_->SendMessage(stored->message, message, id,
                                                now, kImmediateTimeout);
  *response.mutable_attempt() = AttemptOf(outcome, c.name(), c.type(), id, now);
  return absl::OkStatus();
}

absl::Status ChannelServiceImpl::DoRotateChannelSecret(
    const CallContext& call, const v1::RotateChannelSecretRequest& request,
    v1::RotateChannelSecretResponse& response) {
  FieldChecker check;
  if (!request.secret().empty() &&
      !DecodeWebhookSecret(request.secret(), "secret").ok()) {
    check.Add("secret", "must be \"whsec_\" + base64 of 24 to 64 bytes");
  }
  absl::Duration overlap = kDefaultOverlap;
  if (request.has_overlap()) {
    overlap = FromProto(request.overlap());
    if (overlap < absl::ZeroDuration()) {
      check.Add("overlap", "must not be negative");
    }
  }
  if (!check.ok()) return check.status();
  return RunStagedChange(
      context_->redis(), context_->prefix(), context_->events_key(),
      "RotateChannelSecret", request.request_id(), request, response,
      [&](StagedChange& change) -> absl::Status {
        ChannelName parsed;
        absl::StatusOr<Stored<storage::v1::StoredChannel>> stored =
            ManagedChannel(call, request.name(), "name", parsed);
        if (!stored.ok()) return stored.status();
        if (!stored->message.channel().has_webhook()) {
          return InvalidField("name", "is not a webhook channel");
        }
        if (absl::Status s =
                CheckEtag(request.etag(), stored->version, parsed.full());
            !s.ok()) {
          return s;
        }
        std::string secret = request.secret();
        if (secret.empty()) {
          absl::StatusOr<std::string> fresh = NewWebhookSecret();
          if (!fresh.ok()) return fresh.status();
          secret = *fresh;
        }
        const absl::Time now = context_->clock().Now();
        storage::v1::StoredChannel updated = stored->message;
        v1::WebhookConfig& w = *updated.mutable_channel()->mutable_webhook();
        // Standard Webhooks zero-downtime rotation: the old secret keeps
        // signing beside the new one for the overlap.
        if (overlap > absl::ZeroDuration()) {
          updated.set_previous_secret(updated.secret());
          *w.mutable_previous_secret_expire_time() = ToTimestamp(now + overlap);
        } else {
          updated.clear_previous_secret();
          w.clear_previous_secret_expire_time();
        }
        updated.set_secret(secret);
        w.set_secret_hint(SecretHint(secret));
        *updated.mutable_channel()->mutable_update_stamp() =
            Stamp(call, request.request_id(), "RotateChannelSecret");
        *response.mutable_channel() = Public(updated);
        ApplyEtag(*response.mutable_channel(), stored->version + 1);
        response.set_secret(secret);
        channels_.StagePut(change.write, updated, stored->version);
        return absl::OkStatus();
      });
}

}  // namespace partydev::notification
