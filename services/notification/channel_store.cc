#include "services/notification/channel_store.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "services/notification/queue/job_queue.h"

namespace partydev::notification {
namespace {

constexpr absl::string_view kRecipients = "recipients/";
constexpr absl::string_view kChannels = "/channels/";

}  // namespace

absl::StatusOr<ChannelName> ParseChannelName(absl::string_view name,
                                             absl::string_view field) {
  const size_t at = name.find(kChannels);
  if (!absl::StartsWith(name, kRecipients) || at == absl::string_view::npos) {
    return InvalidField(field,
                        "must be recipients/{recipient}/channels/{channel}");
  }
  ChannelName parsed;
  parsed.recipient = std::string(name.substr(0, at));
  parsed.id = std::string(name.substr(at + kChannels.size()));
  const absl::string_view recipient_id =
      absl::string_view(parsed.recipient).substr(kRecipients.size());
  if (!IsValidResourceId(recipient_id) || !IsValidResourceId(parsed.id)) {
    return InvalidField(field,
                        "must be recipients/{recipient}/channels/{channel}");
  }
  return parsed;
}

v1::Channel InAppChannel(absl::string_view recipient) {
  v1::Channel channel;
  channel.set_name(absl::StrCat(recipient, kChannels, kInAppChannelId));
  channel.set_display_name("Hộp thư");  // the in-app inbox
  channel.set_type(v1::CHANNEL_TYPE_IN_APP);
  channel.mutable_in_app();
  channel.set_state(v1::CHANNEL_STATE_ACTIVE);
  return channel;
}

std::vector<std::string> ActiveSecrets(const storage::v1::StoredChannel& stored,
                                       absl::Time now) {
  std::vector<std::string> secrets;
  if (!stored.channel().has_webhook() || stored.secret().empty()) {
    return secrets;
  }
  secrets.push_back(stored.secret());
  const v1::WebhookConfig& webhook = stored.channel().webhook();
  if (!stored.previous_secret().empty() &&
      webhook.has_previous_secret_expire_time() &&
      FromTimestamp(webhook.previous_secret_expire_time()) > now) {
    secrets.push_back(stored.previous_secret());
  }
  return secrets;
}

std::string SecretHint(absl::string_view secret) {
  return std::string(secret.size() > 4 ? secret.substr(secret.size() - 4)
                                       : secret);
}

ChannelStore::ChannelStore(NotificationContext& context) : context_(context) {}

std::string ChannelStore::IndexKey(absl::string_view recipient) const {
  return context_.records().CollectionKey(recipient, "channels");
}

std::string ChannelStore::HealthKey(absl::string_view name) const {
  return absl::StrCat(context_.prefix(), "chhealth:", name);
}

std::string ChannelStore::AttemptsKey(absl::string_view recipient) const {
  return absl::StrCat(context_.prefix(), "attempts:", recipient);
}

absl::Status ChannelStore::FillHealth(
    std::vector<Stored<storage::v1::StoredChannel>>& channels) {
  if (channels.empty()) return absl::OkStatus();
  std::vector<RedisCommand> commands;
  for (const auto& c : channels) {
    commands.push_back({"GET", HealthKey(c.message.channel().name())});
  }
  absl::StatusOr<std::vector<RedisReply>> replies =
      context_.redis().Pipeline(commands);
  if (!replies.ok()) return replies.status();
  for (size_t i = 0; i < channels.size(); ++i) {
    v1::Channel& channel = *channels[i].message.mutable_channel();
    channel.clear_health();
    const RedisReply& reply = (*replies)[i];
    if (reply.is_error()) return absl::InternalError(reply.str());
    if (!reply.is_nil() &&
        !channel.mutable_health()->ParseFromString(reply.str())) {
      return absl::DataLossError(
          absl::StrCat("the health of ", channel.name(), " is not valid"));
    }
    ApplyEtag(channel, channels[i].version);
  }
  return absl::OkStatus();
}

absl::StatusOr<Stored<storage::v1::StoredChannel>> ChannelStore::Get(
    absl::string_view name) {
  absl::StatusOr<Stored<storage::v1::StoredChannel>> stored =
      context_.records().Get<storage::v1::StoredChannel>(name);
  if (!stored.ok()) return stored.status();
  std::vector<Stored<storage::v1::StoredChannel>> one;
  one.push_back(std::move(*stored));
  if (absl::Status s = FillHealth(one); !s.ok()) return s;
  return std::move(one.front());
}

absl::StatusOr<std::vector<Stored<storage::v1::StoredChannel>>>
ChannelStore::List(absl::string_view recipient) {
  absl::StatusOr<std::vector<std::string>> ids =
      context_.records().All(IndexKey(recipient));
  if (!ids.ok()) return ids.status();
  std::vector<std::string> names;
  names.reserve(ids->size());
  for (const std::string& id : *ids) {
    names.push_back(absl::StrCat(recipient, kChannels, id));
  }
  absl::StatusOr<std::vector<Stored<storage::v1::StoredChannel>>> channels =
      context_.records().GetMany<storage::v1::StoredChannel>(names);
  if (!channels.ok()) return channels.status();
  if (absl::Status s = FillHealth(*channels); !s.ok()) return s;
  return channels;
}

void ChannelStore::StagePut(AtomicWrite& write,
                            const storage::v1::StoredChannel& stored,
                            int64_t version) const {
  storage::v1::StoredChannel record = stored;
  record.mutable_channel()->clear_health();
  record.mutable_channel()->clear_etag();
  if (record.channel().has_webhook()) {
    record.mutable_channel()->mutable_webhook()->clear_secret();
  }
  absl::StatusOr<ChannelName> name =
      ParseChannelName(record.channel().name(), "name");
  context_.records().StagePut(write, record.channel().name(), version, record);
  if (name.ok()) write.ZAdd(IndexKey(name->recipient), 0, name->id);
}

void ChannelStore::StageDelete(AtomicWrite& write, const ChannelName& name,
                               int64_t version) const {
  const std::string record_key = context_.records().RecordKey(name.full());
  write.Expect(record_key, version);
  write.Delete(record_key);
  write.ZRem(IndexKey(name.recipient), name.id);
  write.Delete(HealthKey(name.full()));
}

absl::Status ChannelStore::PutHealth(absl::string_view name,
                                     const v1::ChannelHealth& health) {
  absl::StatusOr<RedisReply> reply = context_.redis().Command(
      {"SET", HealthKey(name), health.SerializeAsString()});
  if (!reply.ok()) return reply.status();
  if (reply->is_error()) return absl::InternalError(reply->str());
  return absl::OkStatus();
}

absl::StatusOr<Stored<v1::Preferences>> ChannelStore::GetPreferences(
    absl::string_view recipient) {
  const std::string name = absl::StrCat(recipient, "/preferences");
  absl::StatusOr<Stored<v1::Preferences>> stored =
      context_.records().Get<v1::Preferences>(name);
  if (absl::IsNotFound(stored.status())) {
    Stored<v1::Preferences> defaults;
    defaults.message.set_name(name);
    return defaults;
  }
  return stored;
}

void ChannelStore::StagePutPreferences(AtomicWrite& write,
                                       const v1::Preferences& preferences,
                                       int64_t version) const {
  context_.records().StagePut(write, preferences.name(), version, preferences);
}

absl::Status ChannelStore::RecordAttempt(const v1::DeliveryAttempt& attempt) {
  absl::StatusOr<ChannelName> channel =
      ParseChannelName(attempt.channel(), "channel");
  if (!channel.ok()) return channel.status();
  const std::string key = AttemptsKey(channel->recipient);
  absl::StatusOr<std::vector<RedisReply>> replies = context_.redis().Pipeline(
      {{"LPUSH", key, attempt.SerializeAsString()},
       {"LTRIM", key, "0", absl::StrCat(kMaxAttemptsPerRecipient - 1)}});
  if (!replies.ok()) return replies.status();
  for (const RedisReply& r : *replies) {
    if (r.is_error()) return absl::InternalError(r.str());
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::DeliveryAttempt>> ChannelStore::Attempts(
    absl::string_view recipient) {
  absl::StatusOr<RedisReply> reply =
      context_.redis().Command({"LRANGE", AttemptsKey(recipient), "0", "-1"});
  if (!reply.ok()) return reply.status();
  if (reply->is_error()) return absl::InternalError(reply->str());
  std::vector<v1::DeliveryAttempt> out;
  for (const RedisReply& e : reply->elements()) {
    v1::DeliveryAttempt attempt;
    if (!attempt.ParseFromString(e.str())) {
      return absl::DataLossError(
          absl::StrCat("an attempt of ", recipient, " is not valid"));
    }
    out.push_back(std::move(attempt));
  }
  return out;
}

}  // namespace partydev::notification
