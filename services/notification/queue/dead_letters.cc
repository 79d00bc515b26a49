#include "services/notification/queue/dead_letters.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/lua_script.h"
#include "common/streams.h"
#include "google/protobuf/util/json_util.h"
#include "partydev/storage/v1/jobs.pb.h"
#include "services/notification/queue/job_queue.h"

namespace partydev::notification {
namespace {

constexpr char kPrefix[] = "deadLetters/";

// KEYS: 1 state hash, 2 replays hash, 3 live set, 4 target stream, 5 action
// hash. ARGV: 1 entry id, 2 new state, 3 job bytes ('' : no replay),
// 4 action stamp bytes. The state must still be DEAD (1).
constexpr char kTransitionScript[] = R"lua(
local state = redis.call('HGET', KEYS[1], ARGV[1])
if not state then return {'missing'} end
if state ~= '1' then return {'state', state} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SREM', KEYS[3], ARGV[1])
redis.call('HSET', KEYS[5], ARGV[1], ARGV[4])
if ARGV[3] ~= '' then
  redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
  redis.call('XADD', KEYS[4], '*', 'j', ARGV[3])
end
return {'ok'}
)lua";

// KEYS: dead stream, state, replays, action hashes, live set. ARGV: ids.
constexpr char kPurgeScript[] = R"lua(
for i = 1, #ARGV do
  redis.call('XDEL', KEYS[1], ARGV[i])
  redis.call('HDEL', KEYS[2], ARGV[i])
  redis.call('HDEL', KEYS[3], ARGV[i])
  redis.call('HDEL', KEYS[4], ARGV[i])
  redis.call('SREM', KEYS[5], ARGV[i])
end
return #ARGV
)lua";

bool IsEntryId(absl::string_view id) {
  const size_t dash = id.find('-');
  if (dash == absl::string_view::npos || dash == 0 || dash + 1 == id.size()) {
    return false;
  }
  for (size_t i = 0; i < id.size(); ++i) {
    if (i != dash && !absl::ascii_isdigit(static_cast<unsigned char>(id[i]))) {
      return false;
    }
  }
  return true;
}

int64_t ToInt(const RedisReply& reply, int64_t fallback) {
  int64_t value = fallback;
  if (reply.type() == RedisReply::Type::kInteger) return reply.integer();
  if (!absl::SimpleAtoi(reply.str(), &value)) return fallback;
  return value;
}

std::string Etag(v1::DeadLetterState state, int32_t replays) {
  return absl::StrCat("\"", static_cast<int>(state), ".", replays, "\"");
}

// Builds the resource from its stream entry and state.
v1::DeadLetter ToDeadLetter(const StreamEntry& entry, int64_t state,
                            int64_t replays, const std::string& action) {
  storage::v1::Job job;
  job.ParseFromString(entry.Field("j"));
  v1::DeadLetter dead;
  dead.set_name(DeadLetterName(entry.id));
  dead.set_job_kind(job.kind());
  dead.set_priority(EffectivePriority(job.priority()));
  dead.set_recipient(job.recipient());
  dead.set_message(job.message());
  dead.set_channel(job.channel());
  dead.set_channel_type(job.channel_type());
  dead.set_delivery(job.delivery());
  dead.set_scheduled_reminder(job.scheduled_reminder());
  dead.set_event_id(job.event_id());
  dead.set_idempotency_key(job.idempotency_key());
  int64_t reason = 0;
  (void)absl::SimpleAtoi(entry.Field("r"), &reason);
  dead.set_reason(v1::DeadLetterReason_IsValid(static_cast<int>(reason))
                      ? static_cast<v1::DeadLetterReason>(reason)
                      : v1::DEAD_LETTER_REASON_UNSPECIFIED);
  dead.set_attempt_count(job.attempt());
  dead.set_last_error(job.last_error());
  dead.set_last_http_status(job.last_http_status());
  if (job.has_enqueue_time()) *dead.mutable_enqueue_time() = job.enqueue_time();
  int64_t time_ms = 0;
  (void)absl::SimpleAtoi(entry.Field("t"), &time_ms);
  *dead.mutable_dead_letter_time() = ToTimestamp(absl::FromUnixMillis(time_ms));
  dead.set_state(v1::DeadLetterState_IsValid(static_cast<int>(state))
                     ? static_cast<v1::DeadLetterState>(state)
                     : v1::DEAD_LETTER_STATE_UNSPECIFIED);
  dead.set_replay_count(static_cast<int32_t>(replays));
  if (!action.empty())
    dead.mutable_last_action_stamp()->ParseFromString(action);
  std::string json;
  if (google::protobuf::util::MessageToJsonString(job, &json).ok()) {
    dead.set_payload_json(std::move(json));
  }
  dead.set_etag(Etag(dead.state(), dead.replay_count()));
  return dead;
}

}  // namespace

std::string DeadLetterName(absl::string_view entry_id) {
  return absl::StrCat(kPrefix, entry_id);
}

absl::StatusOr<std::string> DeadLetterEntryId(absl::string_view name) {
  if (!absl::StartsWith(name, kPrefix) ||
      !IsEntryId(name.substr(sizeof(kPrefix) - 1))) {
    return InvalidField("name",
                        "must be deadLetters/{entry}, e.g. "
                        "deadLetters/1700000000000-0");
  }
  return std::string(name.substr(sizeof(kPrefix) - 1));
}

DeadLetters::DeadLetters(RedisClient& redis, QueueKeys keys, const Clock& clock)
    : redis_(redis), keys_(std::move(keys)), clock_(clock) {}

absl::StatusOr<std::vector<v1::DeadLetter>> DeadLetters::LoadEntries(
    const RedisReply& reply) const {
  std::vector<StreamEntry> entries = ParseStreamEntries(reply);
  std::vector<v1::DeadLetter> out;
  if (entries.empty()) return out;
  std::vector<RedisCommand> commands;
  for (const StreamEntry& entry : entries) {
    commands.push_back({"HGET", keys_.DeadState(), entry.id});
    commands.push_back({"HGET", keys_.DeadReplays(), entry.id});
    commands.push_back({"HGET", keys_.DeadAction(), entry.id});
  }
  absl::StatusOr<std::vector<RedisReply>> replies = redis_.Pipeline(commands);
  if (!replies.ok()) return replies.status();
  for (size_t i = 0; i < entries.size(); ++i) {
    out.push_back(ToDeadLetter(entries[i], ToInt((*replies)[3 * i], 0),
                               ToInt((*replies)[3 * i + 1], 0),
                               (*replies)[3 * i + 2].str()));
  }
  return out;
}

absl::StatusOr<v1::DeadLetter> DeadLetters::Load(
    const std::string& entry_id) const {
  absl::StatusOr<RedisReply> reply =
      redis_.Command({"XRANGE", keys_.Dead(), entry_id, entry_id});
  if (!reply.ok()) return reply.status();
  absl::StatusOr<std::vector<v1::DeadLetter>> loaded = LoadEntries(*reply);
  if (!loaded.ok()) return loaded.status();
  if (loaded->empty()) {
    return absl::NotFoundError(
        absl::StrCat("dead letter ", DeadLetterName(entry_id), " not found"));
  }
  return std::move(loaded->front());
}

absl::StatusOr<DeadLetterPage> DeadLetters::List(
    const DeadLetterQuery& query) const {
  const int page_size =
      query.page_size <= 0 ? 50 : std::min(query.page_size, 1000);
  if (!query.page_token.empty() && !IsEntryId(query.page_token)) {
    return InvalidField("page_token", "is not a token of this list");
  }
  DeadLetterPage page;
  // Total: every entry, or those in the state asked for.
  if (query.state == v1::DEAD_LETTER_STATE_UNSPECIFIED) {
    absl::StatusOr<RedisReply> len = redis_.Command({"XLEN", keys_.Dead()});
    if (!len.ok()) return len.status();
    page.total_size = len->integer();
  } else {
    absl::StatusOr<RedisReply> states =
        redis_.Command({"HVALS", keys_.DeadState()});
    if (!states.ok()) return states.status();
    for (const RedisReply& s : states->elements()) {
      if (ToInt(s, 0) == query.state) ++page.total_size;
    }
  }
  std::string cursor = query.page_token;
  while (static_cast<int>(page.dead_letters.size()) < page_size) {
    const int want = std::max(page_size, 100);
    RedisCommand command;
    if (query.oldest_first) {
      command = {"XRANGE",
                 keys_.Dead(),
                 cursor.empty() ? "-" : absl::StrCat("(", cursor),
                 "+",
                 "COUNT",
                 absl::StrCat(want)};
    } else {
      command = {"XREVRANGE",
                 keys_.Dead(),
                 cursor.empty() ? "+" : absl::StrCat("(", cursor),
                 "-",
                 "COUNT",
                 absl::StrCat(want)};
    }
    absl::StatusOr<RedisReply> reply = redis_.Command(command);
    if (!reply.ok()) return reply.status();
    absl::StatusOr<std::vector<v1::DeadLetter>> batch = LoadEntries(*reply);
    if (!batch.ok()) return batch.status();
    if (batch->empty()) {
      cursor.clear();
      break;
    }
    bool full = false;
    for (v1::DeadLetter& dead : *batch) {
      cursor = dead.name().substr(sizeof(kPrefix) - 1);
      if (query.state != v1::DEAD_LETTER_STATE_UNSPECIFIED &&
          dead.state() != query.state) {
        continue;
      }
      page.dead_letters.push_back(std::move(dead));
      if (static_cast<int>(page.dead_letters.size()) == page_size) {
        full = true;
        break;
      }
    }
    if (static_cast<int>(batch->size()) < want && !full) {
      cursor.clear();
      break;
    }
  }
  page.next_page_token = cursor;
  return page;
}

absl::StatusOr<v1::DeadLetter> DeadLetters::Get(absl::string_view name) const {
  absl::StatusOr<std::string> id = DeadLetterEntryId(name);
  if (!id.ok()) return id.status();
  return Load(*id);
}

absl::StatusOr<v1::DeadLetter> DeadLetters::Transition(
    absl::string_view name, v1::DeadLetterState to,
    const common::v1::ChangeStamp& stamp, absl::string_view etag) {
  absl::StatusOr<std::string> id = DeadLetterEntryId(name);
  if (!id.ok()) return id.status();
  absl::StatusOr<v1::DeadLetter> dead = Load(*id);
  if (!dead.ok()) return dead.status();
  if (!etag.empty() && etag != dead->etag()) {
    return absl::AbortedError(absl::StrCat("the dead letter ", name,
                                           " changed since it was read (etag ",
                                           dead->etag(), "); read it again"));
  }
  if (dead->state() != v1::DEAD_LETTER_STATE_DEAD) {
    return RulesViolated({{"notification.dead_letter.state", std::string(name),
                           "only a DEAD dead letter can be replayed or "
                           "discarded; this one is " +
                               v1::DeadLetterState_Name(dead->state())}});
  }
  std::string job_bytes;
  v1::MessagePriority priority = dead->priority();
  if (to == v1::DEAD_LETTER_STATE_REPLAYED) {
    if (dead->reason() == v1::DEAD_LETTER_REASON_MALFORMED_JOB) {
      return RulesViolated(
          {{"notification.dead_letter.malformed", std::string(name),
            "a job that could not be decoded cannot be "
            "replayed; discard it"}});
    }
    absl::StatusOr<RedisReply> reply =
        redis_.Command({"XRANGE", keys_.Dead(), *id, *id});
    if (!reply.ok()) return reply.status();
    std::vector<StreamEntry> entries = ParseStreamEntries(*reply);
    if (entries.empty()) {
      return absl::NotFoundError(
          absl::StrCat("dead letter ", name, " not found"));
    }
    storage::v1::Job job;
    job.ParseFromString(entries[0].Field("j"));
    // Fresh attempts, same id and idempotency key.
    job.set_attempt(0);
    job.set_replay_count(job.replay_count() + 1);
    job.clear_not_before();
    job.clear_last_error();
    job.set_last_http_status(0);
    priority = job.priority();
    job_bytes = job.SerializeAsString();
  }
  common::v1::ChangeStamp action = stamp;
  if (!action.has_time()) *action.mutable_time() = ToTimestamp(clock_.Now());
  static const LuaScript* const script = new LuaScript(kTransitionScript);
  absl::StatusOr<RedisReply> reply =
      script->Run(redis_,
                  {keys_.DeadState(), keys_.DeadReplays(), keys_.DeadLive(),
                   keys_.Stream(priority), keys_.DeadAction()},
                  {*id, absl::StrCat(static_cast<int>(to)), job_bytes,
                   action.SerializeAsString()});
  if (!reply.ok()) return reply.status();
  const std::string outcome =
      reply->elements().empty() ? "" : reply->elements()[0].str();
  if (outcome == "missing") {
    return absl::NotFoundError(
        absl::StrCat("dead letter ", name, " not found"));
  }
  if (outcome == "state") {
    return absl::AbortedError(absl::StrCat(
        "the dead letter ", name, " was replayed or discarded concurrently"));
  }
  return Load(*id);
}

absl::StatusOr<v1::DeadLetter> DeadLetters::Replay(
    absl::string_view name, const common::v1::ChangeStamp& stamp,
    absl::string_view etag) {
  return Transition(name, v1::DEAD_LETTER_STATE_REPLAYED, stamp, etag);
}

absl::StatusOr<v1::DeadLetter> DeadLetters::Discard(
    absl::string_view name, const common::v1::ChangeStamp& stamp,
    absl::string_view etag) {
  return Transition(name, v1::DEAD_LETTER_STATE_DISCARDED, stamp, etag);
}

absl::StatusOr<std::vector<std::string>> DeadLetters::ReplayAll(
    int max_entries, const common::v1::ChangeStamp& stamp) {
  const int limit = max_entries <= 0 ? 1000 : max_entries;
  std::vector<std::string> replayed;
  DeadLetterQuery query;
  query.state = v1::DEAD_LETTER_STATE_DEAD;
  query.oldest_first = true;
  query.page_size = std::min(limit, 200);
  while (static_cast<int>(replayed.size()) < limit) {
    absl::StatusOr<DeadLetterPage> page = List(query);
    if (!page.ok()) return page.status();
    for (const v1::DeadLetter& dead : page->dead_letters) {
      if (static_cast<int>(replayed.size()) >= limit) break;
      if (dead.reason() == v1::DEAD_LETTER_REASON_MALFORMED_JOB) continue;
      absl::StatusOr<v1::DeadLetter> done = Replay(dead.name(), stamp);
      if (done.ok()) {
        replayed.push_back(dead.name());
      } else if (done.status().code() != absl::StatusCode::kAborted &&
                 done.status().code() !=
                     absl::StatusCode::kFailedPrecondition) {
        return done.status();  // Redis down: the caller retries
      }
    }
    if (page->next_page_token.empty()) break;
    query.page_token = page->next_page_token;
  }
  return replayed;
}

absl::StatusOr<int64_t> DeadLetters::CountDead() const {
  absl::StatusOr<RedisReply> reply =
      redis_.Command({"SCARD", keys_.DeadLive()});
  if (!reply.ok()) return reply.status();
  return reply->integer();
}

absl::StatusOr<int64_t> DeadLetters::PurgeBefore(absl::Time before) {
  static const LuaScript* const script = new LuaScript(kPurgeScript);
  const int64_t before_ms = absl::ToUnixMillis(before);
  if (before_ms <= 0) return 0;
  int64_t purged = 0;
  while (true) {
    absl::StatusOr<RedisReply> reply =
        redis_.Command({"XRANGE", keys_.Dead(), "-",
                        absl::StrCat("(", before_ms, "-0"), "COUNT", "500"});
    if (!reply.ok()) return reply.status();
    std::vector<StreamEntry> entries = ParseStreamEntries(*reply);
    if (entries.empty()) return purged;
    std::vector<std::string> ids;
    for (const StreamEntry& entry : entries) ids.push_back(entry.id);
    absl::StatusOr<RedisReply> done =
        script->Run(redis_,
                    {keys_.Dead(), keys_.DeadState(), keys_.DeadReplays(),
                     keys_.DeadAction(), keys_.DeadLive()},
                    ids);
    if (!done.ok()) return done.status();
    purged += static_cast<int64_t>(ids.size());
  }
}

}  // namespace partydev::notification
