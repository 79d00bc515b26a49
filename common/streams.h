// File: common/streams.h
//
// Redis Streams with consumer groups: how one service hands events and jobs
// to another without losing them. An entry is read by one consumer of a
// group, stays pending until acknowledged, and is claimed by another
// consumer when its reader died (XAUTOCLAIM after an idle time).
//
//   Streams streams(redis);
//   streams.EnsureGroup("pd:membership:events", "quota", "0");
//   auto batch = streams.ReadGroup("pd:membership:events", "quota", "quotad-0",
//                                  100, absl::Seconds(1));
//   for (const StreamEntry& e : *batch) { Apply(e); streams.Ack(..., e.id); }

#ifndef PARTYDEV_COMMON_STREAMS_H_
#define PARTYDEV_COMMON_STREAMS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/redis_client.h"

namespace partydev {

// One stream entry: its id ("1700000000000-0") and field/value pairs.
struct StreamEntry {
  std::string id;
  std::vector<std::pair<std::string, std::string>> fields;

  // The value of `field`, or "" when absent.
  std::string Field(absl::string_view field) const;
};

// The result of XAUTOCLAIM: the entries now owned by the claimer, and the
// cursor to continue from ("0-0" when the scan is complete).
struct ClaimResult {
  std::vector<StreamEntry> entries;
  std::string next_cursor;
  // Ids that were pending but whose entries were deleted (trimmed).
  std::vector<std::string> deleted_ids;
};

// Summary of a group's pending entries (XPENDING without range).
struct PendingSummary {
  int64_t count = 0;
  std::string oldest_id;  // empty when nothing is pending
  std::string newest_id;
};

// One consumer group as XINFO GROUPS reports it.
struct GroupInfo {
  std::string name;
  int64_t consumers = 0;
  int64_t pending = 0;
  std::string last_delivered_id;
  // -1 when Redis does not know (older Redis, or after XGROUP SETID
  // without ENTRIESREAD).
  int64_t entries_read = -1;
  int64_t lag = -1;
};

// A stream as XINFO STREAM reports it (Redis 7 fields are -1 / empty on
// older servers).
struct StreamInfo {
  bool exists = false;
  int64_t length = 0;
  std::string last_generated_id;
  std::string max_deleted_entry_id;  // "0-0": nothing ever deleted
  int64_t entries_added = -1;        // every entry ever appended
  std::string first_entry_id;        // empty when the stream is empty
  std::string last_entry_id;
};

class Streams {
 public:
  explicit Streams(RedisClient& redis) : redis_(redis) {}

  // XADD key * field value...; returns the new entry's id. Services that
  // append an event together with a state change do it inside their Lua
  // script instead (see common/lua_script.h).
  absl::StatusOr<std::string> Append(
      const std::string& key,
      const std::vector<std::pair<std::string, std::string>>& fields);

  // Creates the group (and the stream) if absent; `start_id` is where a new
  // group starts ("0" for the whole history, "$" for new entries only).
  // An existing group is left as it is.
  absl::Status EnsureGroup(const std::string& key, const std::string& group,
                           const std::string& start_id);

  // XREADGROUP ... STREAMS key >: entries never delivered to the group,
  // waiting up to `block` for one (zero: do not wait).
  absl::StatusOr<std::vector<StreamEntry>> ReadGroup(
      const std::string& key, const std::string& group,
      const std::string& consumer, int count, absl::Duration block);

  // XREADGROUP ... STREAMS key 0: entries delivered to this consumer and
  // not yet acknowledged (its own backlog after a restart).
  absl::StatusOr<std::vector<StreamEntry>> ReadOwnPending(
      const std::string& key, const std::string& group,
      const std::string& consumer, int count);

  // XACK; returns how many were acknowledged.
  absl::StatusOr<int64_t> Ack(const std::string& key, const std::string& group,
                              const std::vector<std::string>& ids);

  // XAUTOCLAIM: takes over entries pending for longer than `min_idle` in
  // other consumers (a crashed worker), starting at `cursor` ("0-0").
  absl::StatusOr<ClaimResult> Claim(const std::string& key,
                                    const std::string& group,
                                    const std::string& consumer,
                                    absl::Duration min_idle,
                                    const std::string& cursor, int count);

  absl::StatusOr<PendingSummary> Pending(const std::string& key,
                                         const std::string& group);

  // XLEN.
  absl::StatusOr<int64_t> Length(const std::string& key);

  // XRANGE key start end COUNT count.
  absl::StatusOr<std::vector<StreamEntry>> Range(const std::string& key,
                                                 const std::string& start,
                                                 const std::string& end,
                                                 int count);

  // XINFO GROUPS; empty when the stream does not exist.
  absl::StatusOr<std::vector<GroupInfo>> Groups(const std::string& key);

  // XINFO STREAM; `exists` false when the stream does not exist.
  absl::StatusOr<StreamInfo> Info(const std::string& key);

  // XGROUP SETID key group id [ENTRIESREAD n]: moves the group's last
  // delivered id (entries_read < 0: not given).
  absl::Status SetGroupId(const std::string& key, const std::string& group,
                          const std::string& id, int64_t entries_read = -1);

 private:
  RedisClient& redis_;
};

// Parses an array of [id, [field, value, ...]] pairs.
std::vector<StreamEntry> ParseStreamEntries(const RedisReply& reply);

}  // namespace partydev

#endif  // PARTYDEV_COMMON_STREAMS_H_
