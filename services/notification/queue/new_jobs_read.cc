#include "services/notification/queue/new_jobs_read.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace partydev::notification {
namespace {

RedisCommand ReadCommand(const QueueKeys& keys, absl::string_view consumer,
                         int count, v1::MessagePriority priority) {
  return {"XREADGROUP", "GROUP",
          keys.group(), std::string(consumer),
          "COUNT",      absl::StrCat(count),
          "STREAMS",    keys.Stream(priority),
          ">"};
}

// XREADGROUP answers [[key, [entries...]]] or nil.
std::vector<StreamEntry> EntriesOf(const RedisReply& reply) {
  if (!reply.is_array() || reply.elements().empty()) return {};
  const RedisReply& stream = reply.elements()[0];
  if (!stream.is_array() || stream.elements().size() != 2) return {};
  return ParseStreamEntries(stream.elements()[1]);
}

absl::Status ErrorOf(const RedisReply& reply) {
  if (!reply.is_error()) return absl::OkStatus();
  return absl::InternalError(absl::StrCat("redis: ", reply.str()));
}

}  // namespace

absl::StatusOr<NewJobsRead> ReadDueAndNew(RedisClient& redis,
                                          const QueueKeys& keys,
                                          absl::string_view consumer, int count,
                                          absl::Time now, int due_limit) {
  NewJobsRead read;
  std::vector<RedisCommand> first;
  if (due_limit > 0) {
    first.push_back({"ZRANGEBYSCORE", keys.Delayed(), "-inf",
                     absl::StrCat(absl::ToUnixMillis(now)), "LIMIT", "0",
                     absl::StrCat(due_limit)});
  }
  first.push_back(ReadCommand(keys, consumer, count, kPriorities[0]));
  absl::StatusOr<std::vector<RedisReply>> replies = redis.Pipeline(first);
  if (!replies.ok()) return replies.status();
  for (const RedisReply& reply : *replies) {
    if (absl::Status error = ErrorOf(reply); !error.ok()) return error;
  }
  if (due_limit > 0) {
    for (const RedisReply& member : replies->front().elements()) {
      read.due.push_back(member.str());
    }
  }
  read.entries[0] = EntriesOf(replies->back());
  int want = count - static_cast<int>(read.entries[0].size());
  // A lower priority only when the higher ones left room: reading it in the
  // same pipeline would take jobs this poll may not reach (they would wait,
  // pending in this consumer, behind urgent jobs that come meanwhile).
  for (size_t i = 1; i < kPriorities.size() && want > 0; ++i) {
    absl::StatusOr<RedisReply> reply =
        redis.Command(ReadCommand(keys, consumer, want, kPriorities[i]));
    if (!reply.ok()) return reply.status();
    read.entries[i] = EntriesOf(*reply);
    want -= static_cast<int>(read.entries[i].size());
  }
  return read;
}

}  // namespace partydev::notification
