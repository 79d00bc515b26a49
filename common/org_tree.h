// File: common/org_tree.h
//
// A service's own projection of membership's organisation tree, with its
// history (design.md: quotad and notifyd keep their own copy, fed by the
// organisation events, so that rolling counts up to ancestors or expanding
// "every cell below this committee" needs no call to membership and works
// while membership is down).
//
// OrgTreeStore applies organisation events (created, updated, moved,
// merged, split, dissolved) to the histories kept in Redis, staging each
// change into the AtomicWrite of the event's application (so the change, the
// event-id marker and the consumer's bookkeeping are one write). OrgTree is
// an immutable in-memory snapshot of every history, cached by the store and
// reloaded only when the projection changed: reports over tens of thousands
// of organisations walk memory, not Redis.
//
// Keys (K is the key prefix given to the store, e.g.
// "{pd:quota}:organizations:g1:"):
//   K r:organizations/<id>   record {v, d: storage.v1.OrganizationHistory}
//   K index                  zset (score 0) of every organisation's name
//   K meta                   hash {changes: count of applied changes}
//
//   OrgTreeStore store(redis, prefix + "organizations:g1:");
//   AtomicWrite write;
//   absl::StatusOr<bool> tree_event = store.StageApply(event, write);
//   ... write.Commit(redis);
//   absl::StatusOr<std::shared_ptr<const OrgTree>> tree = store.Snapshot();
//   std::vector<std::string> below = (*tree)->SubtreeOn(name, day);
//
// Thread-safety: OrgTree is immutable; OrgTreeStore may be used from any
// thread.

#ifndef PARTYDEV_COMMON_ORG_TREE_H_
#define PARTYDEV_COMMON_ORG_TREE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "common/atomic_write.h"
#include "common/redis_client.h"
#include "partydev/events/v1/events.pb.h"
#include "partydev/storage/v1/projections.pb.h"

namespace partydev {

class OrgTree {
 public:
  // Builds the snapshot from the histories (any order).
  explicit OrgTree(std::vector<storage::v1::OrganizationHistory> histories,
                   int64_t changes);

  // How many changes of the projection the snapshot includes.
  int64_t changes() const { return changes_; }
  // Number of organisations ever known.
  size_t size() const { return histories_.size(); }

  // True when the organisation was ever known (created by an event).
  bool Known(absl::string_view name) const;
  // The organisation's shape on `day`; nullptr when it did not exist then
  // (before its creation, after its dissolution) or is unknown.
  const events::v1::OrganizationSnapshot* On(absl::string_view name,
                                             absl::CivilDay day) const;
  // Its current (latest) shape, even if it has since been dissolved;
  // nullptr when unknown.
  const events::v1::OrganizationSnapshot* Latest(absl::string_view name) const;
  // The first day it existed, and its last (absl::CivilDay::max() while it
  // exists). Undefined for an unknown name.
  absl::CivilDay ValidFrom(absl::string_view name) const;
  absl::CivilDay ValidUntil(absl::string_view name) const;
  // The full history; nullptr when unknown.
  const storage::v1::OrganizationHistory* History(absl::string_view name) const;

  // Root first, ending with `name`, as the tree stood on `day`; empty when
  // the organisation did not exist then.
  std::vector<std::string> PathOn(absl::string_view name,
                                  absl::CivilDay day) const;
  // The direct subordinates on `day`, by name.
  std::vector<std::string> ChildrenOn(absl::string_view name,
                                      absl::CivilDay day) const;
  // `name` and everything below it on `day`, depth first (pre-order,
  // children by name): the "path" order of reports.
  std::vector<std::string> SubtreeOn(absl::string_view name,
                                     absl::CivilDay day) const;
  // The organisations without a parent on `day`, by name.
  std::vector<std::string> RootsOn(absl::CivilDay day) const;
  // True when `ancestor` is `name` or above it on `day`.
  bool CoversOn(absl::string_view ancestor, absl::string_view name,
                absl::CivilDay day) const;

 private:
  absl::flat_hash_map<std::string, storage::v1::OrganizationHistory> histories_;
  // Every name that ever had the key as a parent (filtered by day on read).
  absl::flat_hash_map<std::string, std::vector<std::string>> ever_children_;
  int64_t changes_ = 0;
};

class OrgTreeStore {
 public:
  // `key_prefix` carries the service's hash tag and the projection's
  // generation.
  OrgTreeStore(RedisClient& redis, std::string key_prefix);

  const std::string& key_prefix() const { return key_prefix_; }

  // Stages the effect of `event` on the histories into `write` (reading the
  // histories it changes, which the write then expects unchanged). Returns
  // false, staging nothing, when the event is not an organisation event.
  // Events are applied in stream order; an event about an unknown
  // organisation creates its history from the event's snapshot (a projection
  // started after the organisation was created still learns it).
  absl::StatusOr<bool> StageApply(const events::v1::Event& event,
                                  AtomicWrite& write);

  // The current snapshot: reloaded from Redis when the change counter moved
  // since the cached one (one round trip when nothing changed).
  absl::StatusOr<std::shared_ptr<const OrgTree>> Snapshot();

 private:
  RedisClient& redis_;
  const std::string key_prefix_;
  absl::Mutex mutex_;
  std::shared_ptr<const OrgTree> cached_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace partydev

#endif  // PARTYDEV_COMMON_ORG_TREE_H_
