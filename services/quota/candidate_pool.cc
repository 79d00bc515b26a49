#include "services/quota/candidate_pool.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/dates.h"

namespace partydev::quota {
namespace {

constexpr absl::string_view kOrganizations = "organizations/";
constexpr absl::string_view kPeople = "people/";
// People read per round trip by CandidatesUnder.
constexpr size_t kReadBatch = 1000;

std::string LastSegment(absl::string_view name) {
  const size_t slash = name.rfind('/');
  return std::string(slash == absl::string_view::npos ? name
                                                      : name.substr(slash + 1));
}

// True when the candidate already holds a step of `event_id` (defensive:
// the projection applies each event id once).
bool Holds(const storage::v1::PoolCandidate& candidate,
           const std::string& event_id) {
  for (const auto& t : candidate.transitions()) {
    if (t.event_id() == event_id) return true;
  }
  for (const auto& e : candidate.enrollments()) {
    if (e.event_id() == event_id) return true;
  }
  return false;
}

// Inserts `item` into `list` (sorted by date) after every item of the same
// or an earlier date; returns its index.
template <typename Item>
int InsertByDate(google::protobuf::RepeatedPtrField<Item>& list, Item item) {
  const absl::CivilDay day = CivilDayOf(item.on());
  int at = list.size();
  while (at > 0 && CivilDayOf(list.Get(at - 1).on()) > day) --at;
  list.Add(std::move(item));
  for (int i = list.size() - 1; i > at; --i) list.SwapElements(i, i - 1);
  return at;
}

}  // namespace

CandidatePool::CandidatePool(RedisClient& redis, std::string key_prefix)
    : redis_(redis),
      key_prefix_(std::move(key_prefix)),
      records_(redis, key_prefix_) {}

std::string CandidatePool::UnderKey(absl::string_view organization_name) const {
  absl::string_view id = organization_name;
  if (absl::StartsWith(id, kOrganizations))
    id.remove_prefix(kOrganizations.size());
  return absl::StrCat(key_prefix_, "under:", id);
}

absl::StatusOr<bool> CandidatePool::StageApply(const events::v1::Event& event,
                                               AtomicWrite& write) {
  std::string person;
  switch (event.payload_case()) {
    case events::v1::Event::kPersonStageChanged:
      person = event.person_stage_changed().person();
      break;
    case events::v1::Event::kPersonCategoriesChanged:
      person = event.person_categories_changed().person();
      break;
    case events::v1::Event::kTrainingEnrollmentChanged:
      person = event.training_enrollment_changed().person();
      break;
    default:
      return false;
  }
  if (!absl::StartsWith(person, kPeople) || person.size() == kPeople.size()) {
    // Nothing to key the candidate by: the event is applied as a no-op.
    return true;
  }
  absl::StatusOr<Stored<storage::v1::PoolCandidate>> stored =
      records_.Get<storage::v1::PoolCandidate>(person);
  if (!stored.ok() && !absl::IsNotFound(stored.status())) {
    return stored.status();
  }
  storage::v1::PoolCandidate candidate;
  int64_t version = 0;
  if (stored.ok()) {
    candidate = std::move(stored->message);
    version = stored->version;
  }
  if (!event.id().empty() && Holds(candidate, event.id())) return true;
  candidate.set_person(person);

  std::vector<std::string> path(event.organization_path().begin(),
                                event.organization_path().end());
  switch (event.payload_case()) {
    case events::v1::Event::kPersonStageChanged: {
      const auto& changed = event.person_stage_changed();
      storage::v1::StageTransition t;
      *t.mutable_on() = event.act_date();
      t.set_from_stage(changed.from_stage());
      t.set_to_stage(changed.to_stage());
      *t.mutable_organization_path() = event.organization_path();
      t.set_event_id(event.id());
      const int at =
          InsertByDate(*candidate.mutable_transitions(), std::move(t));
      if (at == candidate.transitions_size() - 1) {
        // The latest step says where the candidate is now.
        candidate.set_organization(changed.organization().empty()
                                       ? (path.empty() ? "" : path.back())
                                       : changed.organization());
        *candidate.mutable_organization_path() = event.organization_path();
        *candidate.mutable_categories() = changed.categories();
      }
      break;
    }
    case events::v1::Event::kPersonCategoriesChanged: {
      const auto& changed = event.person_categories_changed();
      *candidate.mutable_categories() = changed.categories();
      if (candidate.organization().empty()) {
        candidate.set_organization(changed.organization());
        *candidate.mutable_organization_path() = event.organization_path();
      }
      break;
    }
    case events::v1::Event::kTrainingEnrollmentChanged: {
      const auto& changed = event.training_enrollment_changed();
      storage::v1::EnrollmentStep e;
      *e.mutable_on() = event.act_date();
      e.set_training_class(changed.training_class());
      e.set_enrollment(changed.enrollment());
      e.set_state(changed.state());
      *e.mutable_organization_path() = event.organization_path();
      e.set_event_id(event.id());
      InsertByDate(*candidate.mutable_enrollments(), std::move(e));
      if (candidate.categories_size() == 0) {
        *candidate.mutable_categories() = changed.categories();
      }
      if (candidate.organization().empty()) {
        candidate.set_organization(changed.organization());
        *candidate.mutable_organization_path() = event.organization_path();
      }
      break;
    }
    default:
      break;
  }
  records_.StagePut(write, person, version, candidate);
  for (const std::string& organization : path) {
    write.SAdd(UnderKey(organization), LastSegment(person));
  }
  return true;
}

absl::StatusOr<std::vector<storage::v1::PoolCandidate>>
CandidatePool::CandidatesUnder(const std::string& organization_name) {
  absl::StatusOr<std::vector<std::vector<storage::v1::PoolCandidate>>> each =
      CandidatesUnderEach({organization_name});
  if (!each.ok()) return each.status();
  return std::move(each->front());
}

absl::StatusOr<std::vector<std::vector<storage::v1::PoolCandidate>>>
CandidatePool::CandidatesUnderEach(
    const std::vector<std::string>& organization_names) {
  std::vector<RedisCommand> commands;
  commands.reserve(organization_names.size());
  for (const std::string& org : organization_names) {
    commands.push_back({"SMEMBERS", UnderKey(org)});
  }
  absl::StatusOr<std::vector<RedisReply>> members = redis_.Pipeline(commands);
  if (!members.ok()) return members.status();
  // Each organisation's candidates by name, sorted; and every name once.
  std::vector<std::vector<std::string>> names_of(organization_names.size());
  std::vector<std::string> distinct;
  for (size_t i = 0; i < members->size(); ++i) {
    for (const auto& m : (*members)[i].elements()) {
      names_of[i].push_back(absl::StrCat(kPeople, m.str()));
    }
    std::sort(names_of[i].begin(), names_of[i].end());
    distinct.insert(distinct.end(), names_of[i].begin(), names_of[i].end());
  }
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  absl::flat_hash_map<std::string, storage::v1::PoolCandidate> by_name;
  by_name.reserve(distinct.size());
  for (size_t from = 0; from < distinct.size(); from += kReadBatch) {
    std::vector<std::string> batch(
        distinct.begin() + from,
        distinct.begin() + std::min(distinct.size(), from + kReadBatch));
    absl::StatusOr<std::vector<Stored<storage::v1::PoolCandidate>>> read =
        records_.GetMany<storage::v1::PoolCandidate>(batch);
    if (!read.ok()) return read.status();
    for (auto& s : *read) {
      std::string person = s.message.person();
      by_name.emplace(std::move(person), std::move(s.message));
    }
  }
  std::vector<std::vector<storage::v1::PoolCandidate>> out(
      organization_names.size());
  for (size_t i = 0; i < names_of.size(); ++i) {
    out[i].reserve(names_of[i].size());
    for (const std::string& name : names_of[i]) {
      auto it = by_name.find(name);
      if (it != by_name.end()) out[i].push_back(it->second);
    }
  }
  return out;
}

}  // namespace partydev::quota
