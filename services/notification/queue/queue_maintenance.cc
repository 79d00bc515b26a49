#include "services/notification/queue/queue_maintenance.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/lua_script.h"
#include "common/streams.h"
#include "services/notification/queue/stream_ids.h"

namespace partydev::notification {
namespace {

// KEYS: stream. ARGV: group, consumer. Removes the consumer only when it
// owns no pending entry (checked atomically with the removal).
constexpr char kDelConsumerScript[] = R"lua(
local pending = redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2])
if #pending > 0 then return 0 end
redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
return 1
)lua";

bool IsNoGroup(const absl::Status& status) {
  return absl::StrContains(status.message(), "NOGROUP") ||
         absl::StrContains(status.message(), "no such key");
}

// Flat [name, value, ...] -> value of `name`.
const RedisReply* Field(const RedisReply& reply, absl::string_view name) {
  const auto& e = reply.elements();
  for (size_t i = 0; i + 1 < e.size(); i += 2) {
    if (e[i].str() == name) return &e[i + 1];
  }
  return nullptr;
}

}  // namespace

absl::StatusOr<std::string> SafeTrimId(RedisClient& redis,
                                       const QueueKeys& keys,
                                       v1::MessagePriority priority) {
  Streams streams(redis);
  const std::string stream = keys.Stream(priority);
  absl::StatusOr<std::vector<GroupInfo>> groups = streams.Groups(stream);
  if (!groups.ok()) return groups.status();
  const GroupInfo* group = nullptr;
  for (const GroupInfo& g : *groups) {
    if (g.name == keys.group()) group = &g;
  }
  if (group == nullptr) return std::string();
  StreamId last_delivered;
  if (!StreamId::Parse(group->last_delivered_id, &last_delivered)) {
    return std::string();
  }
  // Everything up to the last delivered id, unless unread or pending.
  StreamId min_id = last_delivered.Next();
  absl::StatusOr<RedisReply> unread = redis.Command(
      {"XRANGE", stream, absl::StrCat("(", last_delivered.ToString()), "+",
       "COUNT", "1"});
  if (!unread.ok()) return unread.status();
  std::vector<StreamEntry> first_unread = ParseStreamEntries(*unread);
  StreamId id;
  if (!first_unread.empty() && StreamId::Parse(first_unread[0].id, &id) &&
      id < min_id) {
    min_id = id;
  }
  absl::StatusOr<PendingSummary> pending =
      streams.Pending(stream, keys.group());
  if (!pending.ok()) return pending.status();
  if (pending->count > 0 && StreamId::Parse(pending->oldest_id, &id) &&
      id < min_id) {
    min_id = id;
  }
  return min_id.ToString();
}

absl::StatusOr<int64_t> TrimStreams(RedisClient& redis, const QueueKeys& keys) {
  int64_t trimmed = 0;
  for (v1::MessagePriority priority : kPriorities) {
    absl::StatusOr<std::string> min_id = SafeTrimId(redis, keys, priority);
    if (!min_id.ok()) return min_id.status();
    if (min_id->empty()) continue;
    absl::StatusOr<RedisReply> reply =
        redis.Command({"XTRIM", keys.Stream(priority), "MINID", "=", *min_id});
    if (!reply.ok()) return reply.status();
    trimmed += reply->integer();
  }
  return trimmed;
}

absl::StatusOr<std::vector<std::string>> RemoveIdleConsumers(
    RedisClient& redis, const QueueKeys& keys, absl::Duration idle) {
  static const LuaScript* const script = new LuaScript(kDelConsumerScript);
  std::vector<std::string> removed;
  const int64_t idle_ms = absl::ToInt64Milliseconds(idle);
  for (v1::MessagePriority priority : kPriorities) {
    const std::string stream = keys.Stream(priority);
    absl::StatusOr<RedisReply> consumers =
        redis.Command({"XINFO", "CONSUMERS", stream, keys.group()});
    if (!consumers.ok()) {
      if (IsNoGroup(consumers.status())) continue;
      return consumers.status();
    }
    for (const RedisReply& consumer : consumers->elements()) {
      const RedisReply* name = Field(consumer, "name");
      const RedisReply* pending = Field(consumer, "pending");
      const RedisReply* consumer_idle = Field(consumer, "idle");
      if (name == nullptr || pending == nullptr || consumer_idle == nullptr) {
        continue;
      }
      if (pending->integer() > 0 || consumer_idle->integer() < idle_ms) {
        continue;
      }
      absl::StatusOr<RedisReply> done =
          script->Run(redis, {stream}, {keys.group(), name->str()});
      if (!done.ok()) return done.status();
      if (done->integer() == 1) {
        removed.push_back(absl::StrCat(stream, "/", name->str()));
      }
    }
  }
  return removed;
}

}  // namespace partydev::notification
