#include "services/notification/inbox_store.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/errors.h"
#include "common/lua_script.h"
#include "common/streams.h"

namespace partydev::notification {
namespace {

constexpr absl::string_view kMessages = "/messages/";

// KEYS: dedup key, inbox stream, unread hash.
// ARGV: record key prefix (P r:R/messages/), message bytes, category.
// Returns {message id, 1 if it existed before}.
constexpr char kAppendScript[] = R"lua(
local existing = redis.call('GET', KEYS[1])
if existing then return {existing, 1} end
local id = redis.call('XADD', KEYS[2], '*', 'c', ARGV[3])
redis.call('HSET', ARGV[1] .. id, 'v', 1, 'd', ARGV[2])
redis.call('SET', KEYS[1], id)
redis.call('HINCRBY', KEYS[3], ARGV[3], 1)
return {id, 0}
)lua";

const LuaScript& AppendScript() {
  static const LuaScript* script = new LuaScript(kAppendScript);
  return *script;
}

bool IsStreamId(absl::string_view id) {
  const size_t dash = id.find('-');
  if (dash == absl::string_view::npos) return false;
  uint64_t ms = 0, seq = 0;
  return absl::SimpleAtoi(id.substr(0, dash), &ms) &&
         absl::SimpleAtoi(id.substr(dash + 1), &seq);
}

std::vector<std::string> IdsOf(const RedisReply& reply) {
  std::vector<std::string> ids;
  for (const StreamEntry& e : ParseStreamEntries(reply)) ids.push_back(e.id);
  return ids;
}

}  // namespace

absl::StatusOr<MessageName> ParseMessageName(absl::string_view name,
                                             absl::string_view field) {
  const size_t at = name.find(kMessages);
  if (at == absl::string_view::npos || !absl::StartsWith(name, "recipients/")) {
    return InvalidField(field,
                        "must be recipients/{recipient}/messages/{message}");
  }
  MessageName parsed{std::string(name.substr(0, at)),
                     std::string(name.substr(at + kMessages.size()))};
  if (!IsStreamId(parsed.id)) {
    return InvalidField(field, "the message id is not a valid message id");
  }
  return parsed;
}

InboxStore::InboxStore(NotificationContext& context) : context_(context) {}

std::string InboxStore::StreamKey(absl::string_view recipient) const {
  return absl::StrCat(context_.prefix(), "inbox:", recipient);
}

std::string InboxStore::UnreadKey(absl::string_view recipient) const {
  return absl::StrCat(context_.prefix(), "inbox:", recipient, ":unread");
}

std::string InboxStore::DedupKey(absl::string_view idempotency_key) const {
  return absl::StrCat(context_.prefix(), "inbox:dedup:", idempotency_key);
}

absl::StatusOr<InboxStore::Appended> InboxStore::Append(
    absl::string_view recipient, const v1::Message& message,
    absl::string_view dedup_key) {
  v1::Message stored = message;
  stored.clear_name();
  stored.clear_etag();
  absl::StatusOr<RedisReply> reply = AppendScript().Run(
      context_.redis(),
      {DedupKey(dedup_key), StreamKey(recipient), UnreadKey(recipient)},
      {context_.records().RecordKey(absl::StrCat(recipient, kMessages)),
       stored.SerializeAsString(),
       absl::StrCat(static_cast<int>(message.category()))});
  if (!reply.ok()) return reply.status();
  if (!reply->is_array() || reply->elements().size() != 2) {
    return absl::InternalError("inbox append: unexpected reply");
  }
  Appended appended;
  appended.name =
      absl::StrCat(recipient, kMessages, reply->elements()[0].str());
  appended.duplicate = reply->elements()[1].integer() == 1;
  return appended;
}

void InboxStore::StageAppend(AtomicWrite& write, absl::string_view recipient,
                             const v1::Message& message,
                             absl::string_view link_key,
                             absl::string_view link_field) const {
  v1::Message stored = message;
  stored.clear_name();
  stored.clear_etag();
  const std::string category =
      absl::StrCat(static_cast<int>(message.category()));
  const std::string messages = absl::StrCat(recipient, kMessages);
  // The same layout as kAppendScript: entry field c, record {v, d}, the
  // unread counter of the category.
  write.XAddRecord(StreamKey(recipient), {{"c", category}},
                   context_.records().RecordKey(messages),
                   stored.SerializeAsString(), link_key, link_field, messages);
  write.HIncrBy(UnreadKey(recipient), category, 1);
}

absl::StatusOr<std::vector<std::string>> InboxStore::Delivered(
    const std::vector<std::string>& recipients,
    const std::vector<std::string>& dedup_keys) {
  std::vector<RedisCommand> commands;
  for (const std::string& key : dedup_keys) {
    commands.push_back({"GET", DedupKey(key)});
  }
  std::vector<std::string> names(dedup_keys.size());
  if (commands.empty()) return names;
  absl::StatusOr<std::vector<RedisReply>> replies =
      context_.redis().Pipeline(commands);
  if (!replies.ok()) return replies.status();
  for (size_t i = 0; i < replies->size() && i < recipients.size(); ++i) {
    const RedisReply& r = (*replies)[i];
    if (r.is_error()) return absl::InternalError(r.str());
    if (!r.is_nil()) names[i] = absl::StrCat(recipients[i], kMessages, r.str());
  }
  return names;
}

absl::StatusOr<Stored<v1::Message>> InboxStore::Get(absl::string_view name) {
  absl::StatusOr<Stored<v1::Message>> stored =
      context_.records().Get<v1::Message>(name);
  if (stored.ok()) stored->message.set_name(std::string(name));
  return stored;
}

absl::StatusOr<std::vector<Stored<v1::Message>>> InboxStore::GetMany(
    absl::string_view recipient, const std::vector<std::string>& ids) {
  std::vector<std::string> names;
  names.reserve(ids.size());
  for (const std::string& id : ids) {
    names.push_back(absl::StrCat(recipient, kMessages, id));
  }
  // GetMany skips absent records: match names by position of what exists.
  std::vector<std::string> keys;
  for (const std::string& n : names)
    keys.push_back(context_.records().RecordKey(n));
  absl::StatusOr<std::vector<VersionedRecord>> records =
      ReadRecords(context_.redis(), keys);
  if (!records.ok()) return records.status();
  std::vector<Stored<v1::Message>> out;
  for (size_t i = 0; i < records->size(); ++i) {
    if (!(*records)[i].exists()) continue;
    Stored<v1::Message> s;
    if (!s.message.ParseFromString((*records)[i].data)) {
      return absl::DataLossError(names[i] + " is not a valid record");
    }
    s.version = (*records)[i].version;
    ApplyEtag(s.message, s.version);
    s.message.set_name(names[i]);
    out.push_back(std::move(s));
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> InboxStore::IdsNewestFirst(
    absl::string_view recipient, absl::string_view before, int limit) {
  const std::string end = before.empty() ? "+" : absl::StrCat("(", before);
  absl::StatusOr<RedisReply> reply =
      context_.redis().Command({"XREVRANGE", StreamKey(recipient), end, "-",
                                "COUNT", absl::StrCat(limit)});
  if (!reply.ok()) return reply.status();
  return IdsOf(*reply);
}

absl::StatusOr<std::vector<std::string>> InboxStore::IdsAfter(
    absl::string_view recipient, absl::string_view after, int limit,
    absl::Duration block) {
  const std::string start = after.empty() ? "0-0" : std::string(after);
  if (block <= absl::ZeroDuration()) {
    absl::StatusOr<RedisReply> reply = context_.redis().Command(
        {"XRANGE", StreamKey(recipient), absl::StrCat("(", start), "+", "COUNT",
         absl::StrCat(limit)});
    if (!reply.ok()) return reply.status();
    return IdsOf(*reply);
  }
  absl::StatusOr<RedisReply> reply =
      context_.redis().Command({"XREAD", "COUNT", absl::StrCat(limit), "BLOCK",
                                absl::StrCat(absl::ToInt64Milliseconds(block)),
                                "STREAMS", StreamKey(recipient), start},
                               block + absl::Seconds(2));
  if (!reply.ok()) return reply.status();
  if (reply->is_nil() || !reply->is_array() || reply->elements().empty()) {
    return std::vector<std::string>();
  }
  const RedisReply& stream = reply->elements()[0];
  if (!stream.is_array() || stream.elements().size() != 2) {
    return std::vector<std::string>();
  }
  return IdsOf(stream.elements()[1]);
}

absl::StatusOr<std::string> InboxStore::LatestId(absl::string_view recipient) {
  absl::StatusOr<std::vector<std::string>> ids =
      IdsNewestFirst(recipient, "", 1);
  if (!ids.ok()) return ids.status();
  return ids->empty() ? std::string("0-0") : ids->front();
}

absl::StatusOr<std::map<v1::MessageCategory, int>> InboxStore::UnreadCounts(
    absl::string_view recipient) {
  absl::StatusOr<RedisReply> reply =
      context_.redis().Command({"HGETALL", UnreadKey(recipient)});
  if (!reply.ok()) return reply.status();
  std::map<v1::MessageCategory, int> counts;
  const auto& e = reply->elements();
  for (size_t i = 0; i + 1 < e.size(); i += 2) {
    int category = 0, count = 0;
    if (absl::SimpleAtoi(e[i].str(), &category) &&
        absl::SimpleAtoi(e[i + 1].str(), &count) && count > 0 &&
        v1::MessageCategory_IsValid(category)) {
      counts[static_cast<v1::MessageCategory>(category)] = count;
    }
  }
  return counts;
}

void InboxStore::StageUpdate(AtomicWrite& write, const v1::Message& message,
                             int64_t version, int unread_delta) const {
  context_.records().StagePut(write, message.name(), version, message);
  if (unread_delta != 0) {
    absl::StatusOr<MessageName> parsed =
        ParseMessageName(message.name(), "name");
    if (parsed.ok()) {
      write.HIncrBy(UnreadKey(parsed->recipient),
                    absl::StrCat(static_cast<int>(message.category())),
                    unread_delta);
    }
  }
}

bool InboxStore::CountsUnread(const v1::Message& message) {
  return !message.has_read_time() && !message.has_archive_time();
}

}  // namespace partydev::notification
