// File: common/atomic_write.h
//
// One atomic write of a service's state, its events and its idempotency
// record: the outbox pattern of design.md. The service reads what it needs,
// decides in C++ (domain rules), then commits everything it decided in one
// Lua script that first checks that nothing it read has changed since
// (optimistic concurrency on record versions). Either every change and every
// event is written, or nothing is.
//
// Records are Redis hashes {v: version, d: bytes}; the version is the etag
// clients see. A version of 0 means "must not exist yet".
//
//   AtomicWrite write;
//   write.Expect(org_key, 3);                     // as read; else ABORTED
//   write.Put(org_key, org.SerializeAsString());  // version becomes 4
//   write.ZAdd(index_key, 0, path);
//   write.XAdd(events_key, {{"e", event.SerializeAsString()}});
//   write.RecordResponse(request_key, response_bytes, absl::Hours(72));
//   absl::StatusOr<WriteResult> r = write.Commit(redis);
//
// Every key must carry the same hash tag (Redis Cluster runs a script on one
// slot only).

#ifndef PARTYDEV_COMMON_ATOMIC_WRITE_H_
#define PARTYDEV_COMMON_ATOMIC_WRITE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/redis_client.h"

namespace partydev {

// A record as stored: its version and bytes. Version 0: absent.
struct VersionedRecord {
  int64_t version = 0;
  std::string data;
  bool exists() const { return version > 0; }
};

// Reads one record (HMGET key v d).
absl::StatusOr<VersionedRecord> ReadRecord(RedisClient& redis,
                                           const std::string& key);

// Reads many records in one round trip, in order.
absl::StatusOr<std::vector<VersionedRecord>> ReadRecords(
    RedisClient& redis, const std::vector<std::string>& keys);

// What a commit returns.
struct WriteResult {
  // Ids of the stream entries appended, in the order of the XAdd calls.
  std::vector<std::string> stream_ids;
};

class AtomicWrite {
 public:
  // The record at `key` must still have `version` (0: must not exist).
  void Expect(absl::string_view key, int64_t version);
  // Writes the record's bytes and increments its version.
  void Put(absl::string_view key, absl::string_view data);
  // Deletes a key.
  void Delete(absl::string_view key);
  void ZAdd(absl::string_view key, double score, absl::string_view member);
  void ZRem(absl::string_view key, absl::string_view member);
  void SAdd(absl::string_view key, absl::string_view member);
  void SRem(absl::string_view key, absl::string_view member);
  void RPush(absl::string_view key, absl::string_view value);
  // Adds `delta` to a hash field (HINCRBY); a field that reaches 0 is
  // removed, so counter hashes hold only what is there.
  void HIncrBy(absl::string_view key, absl::string_view field, int64_t delta);
  // Appends a stream entry (XADD key * field value ...).
  void XAdd(absl::string_view key,
            std::vector<std::pair<std::string, std::string>> fields);
  // Appends a stream entry (XADD key * field value ...) and stores a record
  // {v: 1, d: `data`} at `record_key_prefix` + the new entry's id: records
  // named by their stream id, such as inbox messages. When `link_key` is not
  // empty, also sets hash field `link_field` of `link_key` to
  // `link_value_prefix` + the id (a pointer to the record from elsewhere).
  // Every key involved must carry the write's hash tag.
  void XAddRecord(absl::string_view key,
                  std::vector<std::pair<std::string, std::string>> fields,
                  absl::string_view record_key_prefix, absl::string_view data,
                  absl::string_view link_key = "",
                  absl::string_view link_field = "",
                  absl::string_view link_value_prefix = "");
  // Stores the response of an idempotent request (AIP-155): the key must
  // not exist yet (a concurrent duplicate loses with kAlreadyExists), and
  // expires after `ttl`.
  void RecordResponse(absl::string_view key, absl::string_view response,
                      absl::Duration ttl);

  bool empty() const { return ops_.empty(); }

  // Runs the script. Errors: kAborted naming the key whose version changed
  // (the caller re-reads and decides again, or tells the client);
  // kAlreadyExists when the request key of RecordResponse exists (a
  // duplicate request won the race: return its response); kUnavailable when
  // Redis is unreachable (nothing was written, or, if the connection broke
  // after the script ran, everything: the request id makes the retry safe).
  absl::StatusOr<WriteResult> Commit(RedisClient& redis) const;

 private:
  struct Op {
    std::string code;  // see the script in atomic_write.cc
    std::vector<std::string> args;
    int key_index = 0;  // 1-based index into keys_
  };
  int KeyIndex(absl::string_view key);

  std::vector<std::string> keys_;
  // keys_ by key, so a write of thousands of keys (a directive's fan-out)
  // indexes each in constant time.
  absl::flat_hash_map<std::string, int> key_indexes_;
  std::vector<Op> ops_;
};

}  // namespace partydev

#endif  // PARTYDEV_COMMON_ATOMIC_WRITE_H_
