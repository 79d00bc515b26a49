#include "services/membership/person_store.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/membership/domain/names.h"
#include "services/membership/domain/pipeline.h"

namespace partydev::membership {
namespace {

constexpr char kSeparator = '\x1f';

std::string RollMember(const v1::Person& person) {
  return absl::StrCat(person.folded_name(), std::string(1, kSeparator),
                      LastSegment(person.name()));
}

int DayNumber(const common::v1::Date& d) {
  return d.year() * 10000 + d.month() * 100 + d.day();
}

std::string DeadlineMember(const v1::Person& person,
                           const v1::Deadline& deadline) {
  return absl::StrCat(LastSegment(person.name()), std::string(1, kSeparator),
                      static_cast<int>(deadline.kind()),
                      std::string(1, kSeparator), deadline.subject());
}

bool IsMemberStage(common::v1::Stage stage) {
  return stage == common::v1::STAGE_PROBATION ||
         stage == common::v1::STAGE_OFFICIAL;
}

}  // namespace

std::string LastSegment(const std::string& name) {
  const size_t slash = name.rfind('/');
  return slash == std::string::npos ? name : name.substr(slash + 1);
}

std::vector<std::string> CounterFields(const v1::Person& person) {
  std::vector<std::string> fields;
  fields.push_back(absl::StrCat("stage:", static_cast<int>(person.stage())));
  fields.push_back(absl::StrCat("status:", static_cast<int>(person.status())));
  const bool member = IsMemberStage(person.stage());
  const bool candidate = domain::IsCandidateStage(person.stage());
  if (member || candidate) {
    std::set<int> categories(person.categories().begin(),
                             person.categories().end());
    for (int c : categories) {
      fields.push_back(absl::StrCat(member ? "mcat:" : "ccat:", c));
    }
  }
  return fields;
}

PersonStore::PersonStore(RecordStore& records) : records_(records) {}

std::string PersonStore::RollKey(const std::string& org_id, Roll roll) const {
  switch (roll) {
    case Roll::kHome:
      return records_.OrganizationIndexKey(org_id, "people");
    case Roll::kHosted:
      return records_.OrganizationIndexKey(org_id, "hosted");
    case Roll::kFormer:
      return records_.OrganizationIndexKey(org_id, "former");
  }
  return "";
}

std::string PersonStore::CountersKey(const std::string& org_id) const {
  return records_.OrganizationIndexKey(org_id, "counts");
}

absl::StatusOr<StoredPerson> PersonStore::Get(const std::string& name) {
  return records_.Get<v1::Person>(name);
}

absl::StatusOr<std::vector<StoredPerson>> PersonStore::GetMany(
    const std::vector<std::string>& names) {
  return records_.GetMany<v1::Person>(names);
}

absl::StatusOr<std::optional<std::string>> PersonStore::FindByCitizenId(
    const std::string& citizen_id) {
  absl::StatusOr<VersionedRecord> record =
      ReadRecord(records_.redis(),
                 absl::StrCat(records_.prefix(), "citizen:", citizen_id));
  if (!record.ok()) return record.status();
  if (!record->exists()) return std::optional<std::string>();
  return std::optional<std::string>(record->data);
}

void PersonStore::StageWrite(AtomicWrite& write, const StoredPerson* before,
                             const v1::Person& after) const {
  const v1::Person* old = before != nullptr ? &before->message : nullptr;
  records_.StagePut(write, after.name(), before ? before->version : 0, after);

  // Citizen id: one person per number.
  const std::string prefix = records_.prefix();
  if (old == nullptr || old->citizen_id() != after.citizen_id()) {
    if (old != nullptr && !old->citizen_id().empty()) {
      write.Delete(absl::StrCat(prefix, "citizen:", old->citizen_id()));
    }
    if (!after.citizen_id().empty()) {
      const std::string key =
          absl::StrCat(prefix, "citizen:", after.citizen_id());
      write.Expect(key, 0);
      write.Put(key, after.name());
    }
  }

  // Home roll, former roll and counters.
  const std::string new_home = LastSegment(after.organization());
  if (old != nullptr) {
    const std::string old_home = LastSegment(old->organization());
    if (old_home != new_home || RollMember(*old) != RollMember(after)) {
      write.ZRem(RollKey(old_home, Roll::kHome), RollMember(*old));
    }
    if (old_home != new_home) {
      write.ZAdd(RollKey(old_home, Roll::kFormer), 0, RollMember(*old));
    }
    for (const auto& field : CounterFields(*old)) {
      write.HIncrBy(CountersKey(old_home), field, -1);
    }
    if (!old->host_organization().empty()) {
      const std::string host = LastSegment(old->host_organization());
      write.ZRem(RollKey(host, Roll::kHosted), RollMember(*old));
      write.HIncrBy(CountersKey(host), "hosted", -1);
    }
    for (const auto& d : old->deadlines()) {
      write.ZRem(absl::StrCat(prefix, "deadlines"), DeadlineMember(*old, d));
    }
  }
  if (!new_home.empty()) {
    write.ZAdd(RollKey(new_home, Roll::kHome), 0, RollMember(after));
    for (const auto& field : CounterFields(after)) {
      write.HIncrBy(CountersKey(new_home), field, 1);
    }
  }
  if (!after.host_organization().empty()) {
    const std::string host = LastSegment(after.host_organization());
    write.ZAdd(RollKey(host, Roll::kHosted), 0, RollMember(after));
    write.HIncrBy(CountersKey(host), "hosted", 1);
  }
  for (const auto& d : after.deadlines()) {
    write.ZAdd(absl::StrCat(prefix, "deadlines"), DayNumber(d.due_on()),
               DeadlineMember(after, d));
  }
}

absl::StatusOr<PersonIdPage> PersonStore::Page(
    const std::vector<std::string>& org_ids, Roll roll,
    const std::string& cursor, const std::string& folded_query, int limit) {
  PersonIdPage page;
  // Each roll is sorted: read a batch past the cursor from every roll,
  // merge, filter by name, and go on until the page is full or every roll
  // is exhausted.
  std::string position = cursor;
  const int batch = std::max(limit + 1, 64);
  while (static_cast<int>(page.ids.size()) <= limit) {
    std::vector<RedisCommand> commands;
    commands.reserve(org_ids.size());
    for (const auto& org : org_ids) {
      commands.push_back({"ZRANGE", RollKey(org, roll),
                          position.empty() ? "-" : absl::StrCat("(", position),
                          "+", "BYLEX", "LIMIT", "0", absl::StrCat(batch)});
    }
    absl::StatusOr<std::vector<RedisReply>> replies =
        records_.redis().Pipeline(commands);
    if (!replies.ok()) return replies.status();
    std::vector<std::string> merged;
    // The smallest "last element" of a full batch bounds what is safe to
    // take now: past it another roll may have entries not yet read.
    std::optional<std::string> bound;
    for (const auto& reply : *replies) {
      for (const auto& e : reply.elements()) merged.push_back(e.str());
      if (static_cast<int>(reply.elements().size()) == batch) {
        const std::string& last = reply.elements().back().str();
        if (!bound.has_value() || last < *bound) bound = last;
      }
    }
    std::sort(merged.begin(), merged.end());
    if (merged.empty()) break;
    for (const auto& member : merged) {
      if (bound.has_value() && member > *bound) break;
      position = member;
      const size_t sep = member.rfind(kSeparator);
      if (!domain::MatchesNameQuery(member.substr(0, sep), folded_query)) {
        continue;
      }
      if (static_cast<int>(page.ids.size()) == limit) {
        // One more match exists: the page ends at the previous one.
        page.ids.push_back("");
        break;
      }
      page.ids.push_back(member.substr(sep + 1));
      page.positions.push_back(member);
      page.next_cursor = member;
    }
    if (!bound.has_value()) break;  // every roll was read to its end
  }
  if (static_cast<int>(page.ids.size()) > limit) {
    page.ids.pop_back();
  } else {
    page.next_cursor.clear();
  }
  return page;
}

absl::Status PersonStore::ForEachEverAtHome(
    const std::vector<std::string>& org_ids,
    const std::function<absl::Status(const v1::Person&)>& visit) {
  // People read per round trip.
  constexpr int kBatch = 1000;
  // A person both at home and formerly at home here is on two rolls.
  std::set<std::string> names;
  for (Roll roll : {Roll::kHome, Roll::kFormer}) {
    std::string cursor;
    while (true) {
      absl::StatusOr<PersonIdPage> page =
          Page(org_ids, roll, cursor, "", kBatch);
      if (!page.ok()) return page.status();
      for (const auto& id : page->ids) names.insert("people/" + id);
      if (page->next_cursor.empty() || page->ids.empty()) break;
      cursor = page->next_cursor;
    }
  }
  std::vector<std::string> batch;
  auto flush = [&]() -> absl::Status {
    absl::StatusOr<std::vector<StoredPerson>> people = GetMany(batch);
    if (!people.ok()) return people.status();
    batch.clear();
    for (const StoredPerson& p : *people) {
      if (absl::Status s = visit(p.message); !s.ok()) return s;
    }
    return absl::OkStatus();
  };
  for (const std::string& name : names) {
    batch.push_back(name);
    if (static_cast<int>(batch.size()) == kBatch) {
      if (absl::Status s = flush(); !s.ok()) return s;
    }
  }
  return batch.empty() ? absl::OkStatus() : flush();
}

absl::StatusOr<int64_t> PersonStore::Count(
    const std::vector<std::string>& org_ids, Roll roll) {
  std::vector<RedisCommand> commands;
  for (const auto& org : org_ids)
    commands.push_back({"ZCARD", RollKey(org, roll)});
  if (commands.empty()) return 0;
  absl::StatusOr<std::vector<RedisReply>> replies =
      records_.redis().Pipeline(commands);
  if (!replies.ok()) return replies.status();
  int64_t total = 0;
  for (const auto& r : *replies) total += r.integer();
  return total;
}

absl::StatusOr<std::vector<std::map<std::string, int64_t>>>
PersonStore::Counters(const std::vector<std::string>& org_ids) {
  std::vector<RedisCommand> commands;
  for (const auto& org : org_ids)
    commands.push_back({"HGETALL", CountersKey(org)});
  std::vector<std::map<std::string, int64_t>> out;
  if (commands.empty()) return out;
  absl::StatusOr<std::vector<RedisReply>> replies =
      records_.redis().Pipeline(commands);
  if (!replies.ok()) return replies.status();
  for (const auto& reply : *replies) {
    std::map<std::string, int64_t> counters;
    const auto& e = reply.elements();
    for (size_t i = 0; i + 1 < e.size(); i += 2) {
      int64_t n = 0;
      if (absl::SimpleAtoi(e[i + 1].str(), &n)) counters[e[i].str()] = n;
    }
    out.push_back(std::move(counters));
  }
  return out;
}

absl::StatusOr<std::vector<PersonStore::DueDeadline>>
PersonStore::DeadlinesDueBy(int day, int limit) {
  absl::StatusOr<RedisReply> reply = records_.redis().Command(
      {"ZRANGE", absl::StrCat(records_.prefix(), "deadlines"), "-inf",
       absl::StrCat(day), "BYSCORE", "LIMIT", "0", absl::StrCat(limit),
       "WITHSCORES"});
  if (!reply.ok()) return reply.status();
  std::vector<DueDeadline> out;
  const auto& e = reply->elements();
  for (size_t i = 0; i + 1 < e.size(); i += 2) {
    std::vector<std::string> parts =
        absl::StrSplit(e[i].str(), absl::MaxSplits(kSeparator, 2));
    if (parts.size() != 3) continue;
    DueDeadline d;
    d.person_id = parts[0];
    if (!absl::SimpleAtoi(parts[1], &d.kind)) continue;
    d.subject = parts[2];
    double score = 0;
    if (absl::SimpleAtod(e[i + 1].str(), &score))
      d.due = static_cast<int>(score);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace partydev::membership
