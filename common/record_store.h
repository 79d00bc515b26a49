// File: common/record_store.h
//
// Where a service keeps its versioned resources (membership: people and
// everything below a person, training classes; quota: terms, targets,
// allocation decisions, plans, checkpoints, the admissions ledger). The only
// code of these resources that speaks Redis. Keys (P is the service's
// hash-tagged prefix):
//
//   P r:<resource name>        hash {v: version, d: message bytes}, e.g.
//                              "P r:people/abc/transfers/t1"
//   P c:<parent>/<collection>  zset, score 0, of the ids of a collection,
//                              e.g. "P c:people/abc/transfers" (lexicographic
//                              order: stable paging resumes after an id)
//   P o:<org id>:<collection>  zset, score 0, of the resource names of a
//                              collection held by an organisation (its
//                              people's transfers...), for "people/-" lists
//
// Resources are read with their version (the etag) and written by staging
// into a Change (journal.h): Expect the version read, Put the new bytes, add
// index entries; the commit aborts if anything read has changed since.

#ifndef PARTYDEV_COMMON_RECORD_STORE_H_
#define PARTYDEV_COMMON_RECORD_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/atomic_write.h"
#include "common/redis_client.h"
#include "google/protobuf/message.h"

namespace partydev {

// AIP-122 resource ids: ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$
bool IsValidResourceId(absl::string_view id);

// Sets the message's `etag` field, if it has one, from `version`.
void ApplyEtag(google::protobuf::Message& message, int64_t version);

// A resource as stored, with the version its etag is made from.
template <typename Message>
struct Stored {
  Message message;
  int64_t version = 0;  // 0: absent
};

// One page of ids (or names) of an index.
struct IdPage {
  std::vector<std::string> ids;
  std::string next_cursor;  // empty: the last page
  int total_size = 0;
};

class RecordStore {
 public:
  RecordStore(RedisClient& redis, std::string prefix);

  RedisClient& redis() { return redis_; }
  const std::string& prefix() const { return prefix_; }

  std::string RecordKey(absl::string_view name) const;
  std::string CollectionKey(absl::string_view parent,
                            absl::string_view collection) const;
  std::string OrganizationIndexKey(absl::string_view org_id,
                                   absl::string_view collection) const;

  // Reads the record named `name` into `message`: NOT_FOUND naming the
  // resource when absent, DATA_LOSS when its bytes do not parse.
  template <typename Message>
  absl::StatusOr<Stored<Message>> Get(absl::string_view name) {
    Stored<Message> stored;
    absl::StatusOr<int64_t> version = Read(name, stored.message);
    if (!version.ok()) return version.status();
    stored.version = *version;
    return stored;
  }

  // Reads many records in one round trip; absent ones are skipped.
  template <typename Message>
  absl::StatusOr<std::vector<Stored<Message>>> GetMany(
      const std::vector<std::string>& names) {
    std::vector<std::string> keys;
    keys.reserve(names.size());
    for (const auto& n : names) keys.push_back(RecordKey(n));
    absl::StatusOr<std::vector<VersionedRecord>> records =
        ReadRecords(redis_, keys);
    if (!records.ok()) return records.status();
    std::vector<Stored<Message>> out;
    out.reserve(records->size());
    for (size_t i = 0; i < records->size(); ++i) {
      if (!(*records)[i].exists()) continue;
      Stored<Message> s;
      if (!s.message.ParseFromString((*records)[i].data)) {
        return absl::DataLossError(names[i] + " is not a valid record");
      }
      s.version = (*records)[i].version;
      ApplyEtag(s.message, s.version);
      out.push_back(std::move(s));
    }
    return out;
  }

  // Ids of a zset index in lexicographic order after `cursor` (exclusive;
  // "" from the start), at most `limit`, with the index's size.
  absl::StatusOr<IdPage> Page(const std::string& index_key,
                              const std::string& cursor, int limit);
  // Every member of a zset index, in order.
  absl::StatusOr<std::vector<std::string>> All(const std::string& index_key);

  // Stages the write of `message` as `name`, read at `version` (0: new):
  // the commit aborts if the record changed since. The etag field is not
  // stored (Get sets it from the version).
  void StagePut(AtomicWrite& write, absl::string_view name, int64_t version,
                const google::protobuf::Message& message) const;

 private:
  absl::StatusOr<int64_t> Read(absl::string_view name,
                               google::protobuf::Message& message);

  RedisClient& redis_;
  const std::string prefix_;
};

}  // namespace partydev

#endif  // PARTYDEV_COMMON_RECORD_STORE_H_
