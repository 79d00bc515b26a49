#include "services/membership/organization_store.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/errors.h"
#include "services/membership/organization_tree.h"

namespace partydev::membership {

OrganizationStore::OrganizationStore(RedisClient& redis, std::string prefix)
    : redis_(redis), prefix_(std::move(prefix)) {}

absl::StatusOr<StoredOrganization> OrganizationStore::Get(
    const std::string& id) {
  absl::StatusOr<VersionedRecord> record = ReadRecord(redis_, OrgKey(id));
  if (!record.ok()) return record.status();
  if (!record->exists()) {
    return WithMetadata(
        absl::NotFoundError(absl::StrCat("organizations/", id, " not found")),
        "resource", absl::StrCat("organizations/", id));
  }
  StoredOrganization stored;
  stored.version = record->version;
  if (!stored.organization.ParseFromString(record->data)) {
    return absl::DataLossError(
        absl::StrCat("organizations/", id, " is not a valid record"));
  }
  stored.organization.set_etag(EtagOf(stored.version));
  return stored;
}

absl::StatusOr<std::vector<StoredOrganization>> OrganizationStore::GetMany(
    const std::vector<std::string>& ids) {
  std::vector<std::string> keys;
  keys.reserve(ids.size());
  for (const auto& id : ids) keys.push_back(OrgKey(id));
  absl::StatusOr<std::vector<VersionedRecord>> records =
      ReadRecords(redis_, keys);
  if (!records.ok()) return records.status();
  std::vector<StoredOrganization> out;
  out.reserve(records->size());
  for (const VersionedRecord& record : *records) {
    if (!record.exists()) continue;
    StoredOrganization stored;
    stored.version = record.version;
    if (!stored.organization.ParseFromString(record.data)) {
      return absl::DataLossError("an organisation record is not valid");
    }
    stored.organization.set_etag(EtagOf(stored.version));
    out.push_back(std::move(stored));
  }
  return out;
}

absl::StatusOr<OrganizationPage> OrganizationStore::Fetch(
    std::vector<std::string> ids, std::string next_cursor, int total) {
  absl::StatusOr<std::vector<StoredOrganization>> orgs = GetMany(ids);
  if (!orgs.ok()) return orgs.status();
  OrganizationPage page;
  page.organizations = *std::move(orgs);
  page.next_cursor = std::move(next_cursor);
  page.total_size = total;
  return page;
}

absl::StatusOr<OrganizationPage> OrganizationStore::ListChildren(
    const std::string& parent_id, const std::string& cursor, int limit) {
  const std::string key = ChildrenKey(parent_id);
  const std::string min = cursor.empty() ? "-" : absl::StrCat("(", cursor);
  absl::StatusOr<std::vector<RedisReply>> replies =
      redis_.Pipeline({{"ZRANGE", key, min, "+", "BYLEX", "LIMIT", "0",
                        absl::StrCat(limit + 1)},
                       {"ZCARD", key}});
  if (!replies.ok()) return replies.status();
  std::vector<std::string> ids;
  for (const RedisReply& r : (*replies)[0].elements()) ids.push_back(r.str());
  std::string next;
  if (static_cast<int>(ids.size()) > limit) {
    ids.resize(limit);
    next = ids.back();
  }
  return Fetch(std::move(ids), std::move(next),
               static_cast<int>((*replies)[1].integer()));
}

absl::StatusOr<OrganizationPage> OrganizationStore::ListSubtree(
    const std::string& path_key, const std::string& cursor, int limit) {
  const std::string key = prefix_ + "paths";
  const std::string lower = absl::StrCat(path_key, "!");
  const std::string upper = absl::StrCat("[", lower, "\xff");
  const std::string min =
      cursor.empty() ? absl::StrCat("[", lower) : absl::StrCat("(", cursor);
  absl::StatusOr<std::vector<RedisReply>> replies =
      redis_.Pipeline({{"ZRANGE", key, min, upper, "BYLEX", "LIMIT", "0",
                        absl::StrCat(limit + 1)},
                       {"ZLEXCOUNT", key, absl::StrCat("[", lower), upper}});
  if (!replies.ok()) return replies.status();
  std::vector<std::string> paths;
  for (const RedisReply& r : (*replies)[0].elements()) {
    paths.push_back(r.str());
  }
  std::string next;
  if (static_cast<int>(paths.size()) > limit) {
    paths.resize(limit);
    next = paths.back();
  }
  std::vector<std::string> ids;
  for (const auto& p : paths) {
    ids.push_back(std::string(absl::string_view(p).substr(p.rfind('!') + 1)));
  }
  return Fetch(std::move(ids), std::move(next),
               static_cast<int>((*replies)[1].integer()));
}

absl::StatusOr<std::vector<std::string>> OrganizationStore::SubtreePaths(
    const std::string& path_key) {
  const std::string lower = absl::StrCat(path_key, "!");
  absl::StatusOr<RedisReply> reply =
      redis_.Command({"ZRANGE", prefix_ + "paths", absl::StrCat("[", lower),
                      absl::StrCat("[", lower, "\xff"), "BYLEX"});
  if (!reply.ok()) return reply.status();
  std::vector<std::string> paths;
  for (const RedisReply& r : reply->elements()) paths.push_back(r.str());
  return paths;
}

absl::StatusOr<int> OrganizationStore::CountChildren(const std::string& id) {
  absl::StatusOr<RedisReply> reply = redis_.Command({"ZCARD", ChildrenKey(id)});
  if (!reply.ok()) return reply.status();
  return static_cast<int>(reply->integer());
}

absl::StatusOr<std::vector<v1::OrganizationRevision>>
OrganizationStore::Revisions(const std::string& id, int offset, int limit,
                             int* total) {
  const std::string key = OrgKey(id) + ":revs";
  // Newest first: index -1 is the newest.
  absl::StatusOr<std::vector<RedisReply>> replies =
      redis_.Pipeline({{"LRANGE", key, absl::StrCat(-offset - limit),
                        absl::StrCat(-offset - 1)},
                       {"LLEN", key}});
  if (!replies.ok()) return replies.status();
  *total = static_cast<int>((*replies)[1].integer());
  std::vector<v1::OrganizationRevision> revisions;
  const auto& items = (*replies)[0].elements();
  for (auto it = items.rbegin(); it != items.rend(); ++it) {
    v1::OrganizationRevision revision;
    if (!revision.ParseFromString(it->str())) {
      return absl::DataLossError("a revision record is not valid");
    }
    revisions.push_back(std::move(revision));
  }
  return revisions;
}

namespace {

// Audit entries of an XRANGE/XREVRANGE reply, named under organisation `id`.
absl::StatusOr<std::vector<v1::AuditEntry>> ParseAuditEntries(
    const RedisReply& reply, const std::string& id) {
  std::vector<v1::AuditEntry> entries;
  for (const RedisReply& item : reply.elements()) {
    if (item.elements().size() != 2) continue;
    const auto& fields = item.elements()[1].elements();
    for (size_t i = 0; i + 1 < fields.size(); i += 2) {
      if (fields[i].str() != "a") continue;
      v1::AuditEntry entry;
      if (!entry.ParseFromString(fields[i + 1].str())) {
        return absl::DataLossError("an audit entry is not valid");
      }
      entry.set_name(absl::StrCat("organizations/", id, "/auditEntries/",
                                  item.elements()[0].str()));
      entries.push_back(std::move(entry));
    }
  }
  return entries;
}

}  // namespace

absl::StatusOr<std::vector<v1::AuditEntry>> OrganizationStore::AuditEntries(
    const std::string& id, bool subtree, const std::string& cursor, int limit) {
  const std::string key =
      subtree ? SubtreeAuditKey(prefix_, id) : OwnAuditKey(prefix_, id);
  absl::StatusOr<RedisReply> reply = redis_.Command(
      {"XREVRANGE", key, cursor.empty() ? "+" : absl::StrCat("(", cursor), "-",
       "COUNT", absl::StrCat(limit)});
  if (!reply.ok()) return reply.status();
  return ParseAuditEntries(*reply, id);
}

absl::StatusOr<v1::AuditEntry> OrganizationStore::GetAuditEntry(
    const std::string& id, const std::string& entry_id) {
  for (const std::string& stream :
       {OwnAuditKey(prefix_, id), SubtreeAuditKey(prefix_, id)}) {
    absl::StatusOr<RedisReply> reply =
        redis_.Command({"XRANGE", stream, entry_id, entry_id});
    if (!reply.ok()) {
      // A malformed id is the caller's mistake, not Redis's.
      if (absl::IsInternal(reply.status())) {
        return InvalidField("name", "the entry id is not a valid audit id");
      }
      return reply.status();
    }
    absl::StatusOr<std::vector<v1::AuditEntry>> entries =
        ParseAuditEntries(*reply, id);
    if (!entries.ok()) return entries.status();
    if (!entries->empty()) return entries->front();
  }
  return absl::NotFoundError(absl::StrCat(
      "organizations/", id, "/auditEntries/", entry_id, " not found"));
}

absl::Status OrganizationStore::Commit(const OrganizationChange& change,
                                       const PersonStore* people) {
  if (!change.people.empty() && people == nullptr) {
    return absl::InternalError(
        "a change that moves people needs the person store to commit");
  }
  AtomicWrite write;
  for (const StoredOrganization& w : change.writes) {
    const std::string id =
        std::string(absl::string_view(w.organization.name())
                        .substr(sizeof("organizations/") - 1));
    write.Expect(OrgKey(id), w.version);
    v1::Organization stored = w.organization;
    stored.clear_etag();  // derived from the version on read
    write.Put(OrgKey(id), stored.SerializeAsString());
  }
  for (const auto& p : change.paths_removed) write.ZRem(prefix_ + "paths", p);
  for (const auto& p : change.paths_added) write.ZAdd(prefix_ + "paths", 0, p);
  for (const auto& [parent, child] : change.children_removed) {
    write.ZRem(ChildrenKey(parent), child);
  }
  for (const auto& [parent, child] : change.children_added) {
    write.ZAdd(ChildrenKey(parent), 0, child);
  }
  for (const auto& revision : change.revisions) {
    const std::string& name = revision.snapshot().name();
    write.RPush(OrgKey(name.substr(sizeof("organizations/") - 1)) + ":revs",
                revision.SerializeAsString());
  }
  for (const auto& [before, after] : change.people) {
    people->StageWrite(write, &before, after);
  }
  change.journal.StageInto(prefix_, write);
  absl::StatusOr<WriteResult> result = write.Commit(redis_);
  return result.status();
}

absl::StatusOr<std::vector<std::string>> OrganizationStore::SubtreeIds(
    const v1::Organization& root) {
  std::vector<std::string> ids = {OrganizationId(root.name())};
  const std::string key = PathKey(root);
  std::string cursor;
  do {
    absl::StatusOr<OrganizationPage> page = ListSubtree(key, cursor, 1000);
    if (!page.ok()) return page.status();
    for (const auto& o : page->organizations) {
      ids.push_back(OrganizationId(o.organization.name()));
    }
    cursor = page->next_cursor;
  } while (!cursor.empty());
  return ids;
}

}  // namespace partydev::membership
