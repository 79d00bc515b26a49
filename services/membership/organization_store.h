// File: services/membership/organization_store.h
//
// Where the organisation tree lives in Redis; the only code of the tree that
// speaks Redis. Keys (P is the hash-tagged prefix, e.g. "{pd:membership}:"):
//
//   P org:<id>            hash {v: version, d: Organization bytes}
//   P org:<id>:children   zset of the ids of its active children
//   P org:<id>:revs       list of OrganizationRevision bytes, oldest first
//   P roots               zset of the ids of active roots
//   P paths               zset, score 0, of every organisation's path key
//                         ("root!child!grandchild"): a subtree is one
//                         lexicographic range, in depth-first order
//   P events              the membership event stream (never trimmed:
//                         consumers build their projections from it)
//   P audit:<id>:own      audit entries of changes to <id> itself
//   P audit:<id>:subtree  audit entries of changes anywhere in its subtree
//   P req:<method>:<id>   responses of idempotent requests (AIP-155)
//
// Every change is one OrganizationChange committed by one Lua script
// (common/atomic_write.h): state, indexes, revisions, events, audit entries
// and the idempotency record together, guarded by the versions read.

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_ORGANIZATION_STORE_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_ORGANIZATION_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/atomic_write.h"
#include "common/redis_client.h"
#include "partydev/events/v1/events.pb.h"
#include "partydev/membership/v1/audit.pb.h"
#include "partydev/membership/v1/organizations.pb.h"
#include "services/membership/journal.h"
#include "services/membership/person_store.h"

namespace partydev::membership {

// An organisation as stored, with the version its etag is made from.
struct StoredOrganization {
  v1::Organization organization;
  int64_t version = 0;
};

// Everything one request changes in the tree.
struct OrganizationChange {
  // Organisations written, each with the version it had when read (0: new).
  std::vector<StoredOrganization> writes;
  // Path-index members to remove and add (moves rewrite a subtree's paths).
  std::vector<std::string> paths_removed;
  std::vector<std::string> paths_added;
  // Child links: (parent id or "" for a root, child id).
  std::vector<std::pair<std::string, std::string>> children_removed;
  std::vector<std::pair<std::string, std::string>> children_added;
  // Revisions to append, each to its organisation's history.
  std::vector<v1::OrganizationRevision> revisions;
  // People whose organisation changes with the tree (merge, split,
  // dissolve with a receiver): each as read and as it is to be written.
  // Committed with every index and counter PersonStore::StageWrite derives,
  // in the same script as the tree, so a restructuring is never half done.
  std::vector<std::pair<StoredPerson, v1::Person>> people;
  // Its events, audit entry and idempotency record.
  Journal journal;

  bool empty() const { return writes.empty() && people.empty(); }
};

// A page of a listing, in path order.
struct OrganizationPage {
  std::vector<StoredOrganization> organizations;
  std::string next_cursor;  // empty: the last page
  int total_size = 0;
};

class OrganizationStore {
 public:
  OrganizationStore(RedisClient& redis, std::string prefix);

  // NOT_FOUND (naming the resource) when absent.
  absl::StatusOr<StoredOrganization> Get(const std::string& id);
  // Absent ids are skipped.
  absl::StatusOr<std::vector<StoredOrganization>> GetMany(
      const std::vector<std::string>& ids);

  // Direct children of `parent_id` ("" for the roots), ordered by id,
  // after `cursor` (an id).
  absl::StatusOr<OrganizationPage> ListChildren(const std::string& parent_id,
                                                const std::string& cursor,
                                                int limit);
  // Every organisation below the one with path key `path_key`, depth first,
  // after `cursor` (a path key).
  absl::StatusOr<OrganizationPage> ListSubtree(const std::string& path_key,
                                               const std::string& cursor,
                                               int limit);
  // The ids of `root` and of every organisation below it, root first, in
  // depth-first order: what a subtree-wide query covers.
  absl::StatusOr<std::vector<std::string>> SubtreeIds(
      const v1::Organization& root);
  // The path keys of the subtree below `path_key` (for moves).
  absl::StatusOr<std::vector<std::string>> SubtreePaths(
      const std::string& path_key);
  // Number of active children.
  absl::StatusOr<int> CountChildren(const std::string& id);

  // Revisions newest first, skipping `offset`.
  absl::StatusOr<std::vector<v1::OrganizationRevision>> Revisions(
      const std::string& id, int offset, int limit, int* total);

  // Audit entries of `id` (own, or its whole subtree) newest first, before
  // stream id `cursor` ("" from the newest).
  absl::StatusOr<std::vector<v1::AuditEntry>> AuditEntries(
      const std::string& id, bool subtree, const std::string& cursor,
      int limit);

  // One audit entry by its stream id, from the organisation's own stream or
  // its subtree stream; NOT_FOUND when neither holds it.
  absl::StatusOr<v1::AuditEntry> GetAuditEntry(const std::string& id,
                                               const std::string& entry_id);

  // Commits a change atomically. ABORTED when an organisation's or a
  // person's version changed since it was read; ALREADY_EXISTS when the
  // request id was used by a concurrent duplicate. `people` stages
  // change.people (required when there are any; it shares this store's key
  // prefix, hence its hash slot).
  absl::Status Commit(const OrganizationChange& change,
                      const PersonStore* people = nullptr);

  const std::string& prefix() const { return prefix_; }
  std::string EventsKey() const { return membership::EventsKey(prefix_); }

 private:
  std::string OrgKey(const std::string& id) const {
    return prefix_ + "org:" + id;
  }
  std::string ChildrenKey(const std::string& parent_id) const {
    return parent_id.empty() ? prefix_ + "roots"
                             : prefix_ + "org:" + parent_id + ":children";
  }
  absl::StatusOr<OrganizationPage> Fetch(std::vector<std::string> ids,
                                         std::string next_cursor, int total);

  RedisClient& redis_;
  const std::string prefix_;
};

}  // namespace partydev::membership

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_ORGANIZATION_STORE_H_
