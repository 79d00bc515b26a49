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
  std::vector<Op> ops_;
};

}  // namespace partydev

#endif  // PARTYDEV_COMMON_ATOMIC_WRITE_H_
