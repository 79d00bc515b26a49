#include "common/org_tree.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/vietnam_time.h"

namespace partydev {
namespace {

using events::v1::OrganizationSnapshot;
using storage::v1::OrganizationHistory;
using storage::v1::OrganizationVersion;

// Dates compared as yyyymmdd numbers: cheap, no civil-time arithmetic on
// the read paths.
int DayKey(const common::v1::Date& date) {
  return date.year() * 10000 + date.month() * 100 + date.day();
}
int DayKey(absl::CivilDay day) {
  return static_cast<int>(day.year()) * 10000 + day.month() * 100 + day.day();
}

bool Contains(const OrganizationVersion& version, int day) {
  if (DayKey(version.valid_from()) > day) return false;
  return !version.has_valid_until() || IsUnset(version.valid_until()) ||
         day <= DayKey(version.valid_until());
}

bool Open(const OrganizationVersion& version) {
  return !version.has_valid_until() || IsUnset(version.valid_until());
}

// The day of the act an event reports: its act date, else the day it was
// recorded (Vietnam's calendar, UTC+7).
absl::CivilDay ActDay(const events::v1::Event& event) {
  if (event.has_act_date() && !IsUnset(event.act_date())) {
    return CivilDayOf(event.act_date());
  }
  const absl::Time recorded =
      absl::FromUnixSeconds(event.recorded_at().seconds());
  return absl::ToCivilDay(recorded, VietnamTimeZone());
}

// The first day of the shape `snapshot` describes: for an organisation the
// projection already knows, the act's date (the snapshot's valid_from is
// the organisation's creation date); for one it learns now, the
// snapshot's valid_from when set (its whole life), else the act's date.
absl::CivilDay StartOf(const OrganizationSnapshot& snapshot, bool known,
                       const events::v1::Event& event) {
  const bool has_from =
      snapshot.has_valid_from() && !IsUnset(snapshot.valid_from());
  if (has_from &&
      (!known || !event.has_act_date() || IsUnset(event.act_date()))) {
    return CivilDayOf(snapshot.valid_from());
  }
  return ActDay(event);
}

// A new shape from `start` on: versions starting on or after `start` are
// superseded (the event's snapshot is the organisation as it is now), the
// version before ends the day before.
void Upsert(OrganizationHistory& history, const OrganizationSnapshot& snapshot,
            absl::CivilDay start) {
  const int start_key = DayKey(start);
  auto* versions = history.mutable_versions();
  while (!versions->empty() &&
         DayKey(versions->rbegin()->valid_from()) >= start_key) {
    versions->RemoveLast();
  }
  if (!versions->empty()) {
    OrganizationVersion& last = *versions->rbegin();
    if (Open(last) || DayKey(last.valid_until()) >= start_key) {
      *last.mutable_valid_until() = FromCivilDay(start - 1);
    }
  }
  OrganizationVersion* version = versions->Add();
  *version->mutable_snapshot() = snapshot;
  *version->mutable_valid_from() = FromCivilDay(start);
  history.set_name(snapshot.name());
}

// The organisation ceased to exist on `act`: its last version ends the day
// before. Versions starting on or after `act` are dropped (no empty span),
// except when nothing would remain: the first one is kept with an empty
// span, so that Latest() still knows the organisation's shape.
void End(OrganizationHistory& history, absl::CivilDay act) {
  const int act_key = DayKey(act);
  auto* versions = history.mutable_versions();
  if (versions->empty()) return;
  while (versions->size() > 1 &&
         DayKey(versions->rbegin()->valid_from()) >= act_key) {
    versions->RemoveLast();
  }
  OrganizationVersion& last = *versions->rbegin();
  if (Open(last) || DayKey(last.valid_until()) >= act_key) {
    *last.mutable_valid_until() = FromCivilDay(act - 1);
  }
}

}  // namespace

// ---------------------------------------------------------------- OrgTree

OrgTree::OrgTree(std::vector<OrganizationHistory> histories, int64_t changes)
    : changes_(changes) {
  histories_.reserve(histories.size());
  for (OrganizationHistory& history : histories) {
    std::string name = history.name();
    histories_[name] = std::move(history);
  }
  for (const auto& [name, history] : histories_) {
    for (const OrganizationVersion& version : history.versions()) {
      const std::string& parent = version.snapshot().parent();
      if (parent.empty()) continue;
      ever_children_[parent].push_back(name);
    }
  }
  for (auto& [parent, children] : ever_children_) {
    std::sort(children.begin(), children.end());
    children.erase(std::unique(children.begin(), children.end()),
                   children.end());
  }
}

bool OrgTree::Known(absl::string_view name) const {
  return histories_.contains(name);
}

const events::v1::OrganizationSnapshot* OrgTree::On(absl::string_view name,
                                                    absl::CivilDay day) const {
  auto it = histories_.find(name);
  if (it == histories_.end()) return nullptr;
  const int key = DayKey(day);
  const auto& versions = it->second.versions();
  for (int i = versions.size() - 1; i >= 0; --i) {
    const OrganizationVersion& version = versions.Get(i);
    if (DayKey(version.valid_from()) > key) continue;
    return Contains(version, key) ? &version.snapshot() : nullptr;
  }
  return nullptr;
}

const events::v1::OrganizationSnapshot* OrgTree::Latest(
    absl::string_view name) const {
  auto it = histories_.find(name);
  if (it == histories_.end() || it->second.versions().empty()) return nullptr;
  return &it->second.versions().rbegin()->snapshot();
}

absl::CivilDay OrgTree::ValidFrom(absl::string_view name) const {
  auto it = histories_.find(name);
  if (it == histories_.end() || it->second.versions().empty()) {
    return absl::CivilDay();
  }
  return CivilDayOf(it->second.versions(0).valid_from());
}

absl::CivilDay OrgTree::ValidUntil(absl::string_view name) const {
  auto it = histories_.find(name);
  if (it == histories_.end() || it->second.versions().empty()) {
    return absl::CivilDay();
  }
  const OrganizationVersion& last = *it->second.versions().rbegin();
  return Open(last) ? absl::CivilDay::max() : CivilDayOf(last.valid_until());
}

const storage::v1::OrganizationHistory* OrgTree::History(
    absl::string_view name) const {
  auto it = histories_.find(name);
  return it == histories_.end() ? nullptr : &it->second;
}

std::vector<std::string> OrgTree::PathOn(absl::string_view name,
                                         absl::CivilDay day) const {
  std::vector<std::string> path;
  const OrganizationSnapshot* current = On(name, day);
  if (current == nullptr) return path;
  path.emplace_back(name);
  // A well-formed tree is far shallower; the bound stops a cycle of bad
  // data.
  while (!current->parent().empty() && path.size() < 256) {
    const OrganizationSnapshot* parent = On(current->parent(), day);
    if (parent == nullptr) break;  // the parent is unknown on that day
    path.push_back(current->parent());
    current = parent;
  }
  std::reverse(path.begin(), path.end());
  return path;
}

std::vector<std::string> OrgTree::ChildrenOn(absl::string_view name,
                                             absl::CivilDay day) const {
  std::vector<std::string> children;
  auto it = ever_children_.find(name);
  if (it == ever_children_.end()) return children;
  for (const std::string& child : it->second) {
    const OrganizationSnapshot* snapshot = On(child, day);
    if (snapshot != nullptr && snapshot->parent() == name) {
      children.push_back(child);
    }
  }
  return children;
}

std::vector<std::string> OrgTree::SubtreeOn(absl::string_view name,
                                            absl::CivilDay day) const {
  std::vector<std::string> out;
  if (On(name, day) == nullptr) return out;
  absl::flat_hash_set<std::string> seen;
  std::vector<std::string> stack = {std::string(name)};
  while (!stack.empty()) {
    std::string current = std::move(stack.back());
    stack.pop_back();
    if (!seen.insert(current).second) continue;
    std::vector<std::string> children = ChildrenOn(current, day);
    for (auto it = children.rbegin(); it != children.rend(); ++it) {
      stack.push_back(std::move(*it));
    }
    out.push_back(std::move(current));
  }
  return out;
}

std::vector<std::string> OrgTree::RootsOn(absl::CivilDay day) const {
  std::vector<std::string> roots;
  for (const auto& [name, history] : histories_) {
    const OrganizationSnapshot* snapshot = On(name, day);
    if (snapshot == nullptr) continue;
    // An organisation whose parent the projection does not know on that
    // day is a root too: nothing becomes unreachable.
    if (snapshot->parent().empty() || On(snapshot->parent(), day) == nullptr) {
      roots.push_back(name);
    }
  }
  std::sort(roots.begin(), roots.end());
  return roots;
}

bool OrgTree::CoversOn(absl::string_view ancestor, absl::string_view name,
                       absl::CivilDay day) const {
  const OrganizationSnapshot* current = On(name, day);
  if (current == nullptr) return false;
  if (ancestor == name) return true;
  for (int depth = 0; depth < 256 && !current->parent().empty(); ++depth) {
    if (current->parent() == ancestor) return On(ancestor, day) != nullptr;
    current = On(current->parent(), day);
    if (current == nullptr) return false;
  }
  return false;
}

// ----------------------------------------------------------- OrgTreeStore

OrgTreeStore::OrgTreeStore(RedisClient& redis, std::string key_prefix)
    : redis_(redis), key_prefix_(std::move(key_prefix)) {}

absl::StatusOr<bool> OrgTreeStore::StageApply(const events::v1::Event& event,
                                              AtomicWrite& write) {
  // What the event does, as a list of upserts and ends.
  struct Step {
    bool end = false;
    std::string name;
    const OrganizationSnapshot* snapshot = nullptr;
  };
  std::vector<Step> steps;
  switch (event.payload_case()) {
    case events::v1::Event::kOrganizationCreated:
      steps.push_back({false,
                       event.organization_created().organization().name(),
                       &event.organization_created().organization()});
      break;
    case events::v1::Event::kOrganizationUpdated:
      steps.push_back({false,
                       event.organization_updated().organization().name(),
                       &event.organization_updated().organization()});
      break;
    case events::v1::Event::kOrganizationMoved:
      steps.push_back({false, event.organization_moved().organization().name(),
                       &event.organization_moved().organization()});
      break;
    case events::v1::Event::kOrganizationsMerged: {
      const auto& merged = event.organizations_merged();
      for (const std::string& source : merged.sources()) {
        if (source != merged.result().name()) {
          steps.push_back({true, source, nullptr});
        }
      }
      steps.push_back({false, merged.result().name(), &merged.result()});
      break;
    }
    case events::v1::Event::kOrganizationSplit: {
      const auto& split = event.organization_split();
      bool source_is_result = false;
      for (const auto& result : split.results()) {
        source_is_result = source_is_result || result.name() == split.source();
      }
      if (!split.source_continues() && !source_is_result) {
        steps.push_back({true, split.source(), nullptr});
      }
      for (const auto& result : split.results()) {
        steps.push_back({false, result.name(), &result});
      }
      break;
    }
    case events::v1::Event::kOrganizationDissolved:
      steps.push_back(
          {true, event.organization_dissolved().organization(), nullptr});
      break;
    default:
      return false;
  }
  for (const Step& step : steps) {
    if (step.name.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "organisation event ", event.id(), " names no organisation"));
    }
  }

  // Read every history the event touches, once.
  std::vector<std::string> names;
  for (const Step& step : steps) {
    if (std::find(names.begin(), names.end(), step.name) == names.end()) {
      names.push_back(step.name);
    }
  }
  std::vector<std::string> keys;
  keys.reserve(names.size());
  for (const std::string& name : names) {
    keys.push_back(absl::StrCat(key_prefix_, "r:", name));
  }
  absl::StatusOr<std::vector<VersionedRecord>> records =
      ReadRecords(redis_, keys);
  if (!records.ok()) return records.status();
  std::vector<OrganizationHistory> histories(names.size());
  std::vector<bool> changed(names.size(), false);
  for (size_t i = 0; i < names.size(); ++i) {
    const VersionedRecord& record = (*records)[i];
    if (record.exists() && !histories[i].ParseFromString(record.data)) {
      return absl::DataLossError(
          absl::StrCat(keys[i], " is not a valid organisation history"));
    }
    write.Expect(keys[i], record.version);
  }

  const absl::CivilDay act = ActDay(event);
  for (const Step& step : steps) {
    const size_t i =
        std::find(names.begin(), names.end(), step.name) - names.begin();
    OrganizationHistory& history = histories[i];
    if (step.end) {
      if (history.versions().empty()) continue;  // never known: nothing ends
      End(history, act);
    } else {
      Upsert(history, *step.snapshot,
             StartOf(*step.snapshot, !history.versions().empty(), event));
    }
    changed[i] = true;
  }

  bool any = false;
  for (size_t i = 0; i < names.size(); ++i) {
    if (!changed[i]) continue;
    any = true;
    write.Put(keys[i], histories[i].SerializeAsString());
    write.ZAdd(absl::StrCat(key_prefix_, "index"), 0, names[i]);
  }
  if (any) write.HIncrBy(absl::StrCat(key_prefix_, "meta"), "changes", 1);
  return true;
}

absl::StatusOr<std::shared_ptr<const OrgTree>> OrgTreeStore::Snapshot() {
  const std::string meta_key = absl::StrCat(key_prefix_, "meta");
  absl::StatusOr<RedisReply> reply =
      redis_.Command({"HGET", meta_key, "changes"});
  if (!reply.ok()) return reply.status();
  int64_t changes = 0;
  if (!reply->is_nil() && !absl::SimpleAtoi(reply->str(), &changes)) {
    return absl::DataLossError(
        absl::StrCat("bad change counter at ", meta_key));
  }
  absl::MutexLock lock(&mutex_);
  if (cached_ != nullptr && cached_->changes() == changes) return cached_;

  // Reload: every name, then every history in one pipelined round trip.
  // The records may hold changes after `changes`; the next call then sees
  // a moved counter and reloads again (never a stale snapshot kept).
  absl::StatusOr<RedisReply> index =
      redis_.Command({"ZRANGE", absl::StrCat(key_prefix_, "index"), "0", "-1"});
  if (!index.ok()) return index.status();
  std::vector<std::string> keys;
  keys.reserve(index->elements().size());
  for (const RedisReply& name : index->elements()) {
    keys.push_back(absl::StrCat(key_prefix_, "r:", name.str()));
  }
  absl::StatusOr<std::vector<VersionedRecord>> records =
      ReadRecords(redis_, keys);
  if (!records.ok()) return records.status();
  std::vector<OrganizationHistory> histories;
  histories.reserve(records->size());
  for (size_t i = 0; i < records->size(); ++i) {
    const VersionedRecord& record = (*records)[i];
    if (!record.exists()) continue;
    OrganizationHistory history;
    if (!history.ParseFromString(record.data)) {
      return absl::DataLossError(
          absl::StrCat(keys[i], " is not a valid organisation history"));
    }
    histories.push_back(std::move(history));
  }
  cached_ = std::make_shared<const OrgTree>(std::move(histories), changes);
  return cached_;
}

}  // namespace partydev
