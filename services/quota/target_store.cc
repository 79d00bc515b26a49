#include "services/quota/target_store.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "services/quota/domain/targets.h"
#include "services/quota/quota_access.h"

namespace partydev::quota {
namespace {

constexpr absl::string_view kTerms = "terms/";

int Yyyymmdd(absl::CivilDay day) {
  return static_cast<int>(day.year() * 10000 + day.month() * 100 + day.day());
}

template <typename Target>
EffectiveTarget EffectiveOfRecord(const Target& target,
                                  v1::TargetPrecedence precedence) {
  const domain::EffectiveFigures e = domain::Effective(
      target.has_own() ? &target.own() : nullptr,
      target.has_allocated() ? &target.allocated() : nullptr, precedence);
  EffectiveTarget out;
  out.figures = e.figures;
  out.source = e.source;
  if (e.source == v1::TARGET_SOURCE_ALLOCATED ||
      e.source == v1::TARGET_SOURCE_LARGER_OF_BOTH) {
    out.allocation_decision = target.allocation_decision();
  }
  return out;
}

// The own figures of the stored target records, by organisation.
template <typename Target>
absl::StatusOr<absl::flat_hash_map<std::string, v1::TargetFigures>> OwnFigures(
    RecordStore& records, const std::vector<std::string>& names) {
  absl::StatusOr<std::vector<Stored<Target>>> stored =
      records.GetMany<Target>(names);
  if (!stored.ok()) return stored.status();
  absl::flat_hash_map<std::string, v1::TargetFigures> own;
  for (const Stored<Target>& s : *stored) {
    if (s.message.has_own()) own[s.message.organization()] = s.message.own();
  }
  return own;
}

}  // namespace

EffectiveTarget EffectiveOf(const v1::TermTarget& target,
                            v1::TargetPrecedence precedence) {
  return EffectiveOfRecord(target, precedence);
}

EffectiveTarget EffectiveOf(const v1::YearTarget& target,
                            v1::TargetPrecedence precedence) {
  return EffectiveOfRecord(target, precedence);
}

std::string TermName(absl::string_view term_id) {
  return absl::StrCat(kTerms, term_id);
}

std::string TermIdOf(absl::string_view term_name) {
  if (!absl::StartsWith(term_name, kTerms)) return "";
  absl::string_view id = term_name.substr(kTerms.size());
  return IsValidResourceId(id) ? std::string(id) : "";
}

std::string TermTargetName(absl::string_view organization,
                           absl::string_view term_id) {
  return absl::StrCat(organization, "/targets/", term_id);
}

std::string YearTargetName(absl::string_view organization,
                           absl::string_view term_id, int year) {
  return absl::StrCat(organization, "/targets/", term_id, "/years/", year);
}

std::string PlanName(absl::string_view organization, int year) {
  return absl::StrCat(organization, "/plans/", year);
}

std::string DecisionName(absl::string_view organization,
                         absl::string_view decision_id) {
  return absl::StrCat(organization, "/allocationDecisions/", decision_id);
}

std::string DecidingOrganizationOf(absl::string_view decision_name) {
  const size_t at = decision_name.find("/allocationDecisions/");
  return at == absl::string_view::npos
             ? ""
             : std::string(decision_name.substr(0, at));
}

std::string PeriodTargetName(absl::string_view organization,
                             absl::string_view term_id, int year) {
  return year == 0 ? TermTargetName(organization, term_id)
                   : YearTargetName(organization, term_id, year);
}

TargetStore::TargetStore(RecordStore& records) : records_(records) {}

std::string TargetStore::TermsIndexKey() const {
  return absl::StrCat(records_.prefix(), "c:terms");
}

std::string TargetStore::TermTargetsIndexKey(
    absl::string_view organization) const {
  return records_.CollectionKey(organization, "targets");
}

std::string TargetStore::YearTargetsIndexKey(absl::string_view organization,
                                             absl::string_view term_id) const {
  return records_.CollectionKey(TermTargetName(organization, term_id), "years");
}

std::string TargetStore::DecisionsIndexKey(
    absl::string_view organization) const {
  return records_.CollectionKey(organization, "allocationDecisions");
}

std::string TargetStore::PlansIndexKey(absl::string_view organization) const {
  return records_.CollectionKey(organization, "plans");
}

std::string TargetStore::PeriodDecisionsKey(absl::string_view organization,
                                            absl::string_view term_id,
                                            int year) const {
  return absl::StrCat(records_.prefix(), "alloc:", OrganizationId(organization),
                      ":", term_id, ":", year);
}

std::string TargetStore::ActiveDecisionKey(absl::string_view organization,
                                           absl::string_view term_id,
                                           int year) const {
  return absl::StrCat(records_.prefix(),
                      "allocactive:", OrganizationId(organization), ":",
                      term_id, ":", year);
}

void TargetStore::StageTerm(AtomicWrite& write, const v1::Term& term,
                            int64_t version) const {
  v1::Term stored = term;
  stored.clear_state();  // computed from today on every read
  records_.StagePut(write, term.name(), version, stored);
  if (version == 0) write.ZAdd(TermsIndexKey(), 0, TermIdOf(term.name()));
}

void TargetStore::StageTermTarget(AtomicWrite& write,
                                  const v1::TermTarget& target,
                                  int64_t version) const {
  v1::TermTarget stored = target;
  // Computed on every read (the rule set in force and the yearly targets
  // change without this record changing).
  stored.clear_effective();
  stored.clear_effective_source();
  stored.clear_years_total();
  records_.StagePut(write, target.name(), version, stored);
  if (version == 0) {
    write.ZAdd(TermTargetsIndexKey(target.organization()), 0,
               TermIdOf(target.term()));
  }
}

void TargetStore::StageYearTarget(AtomicWrite& write,
                                  const v1::YearTarget& target,
                                  int64_t version) const {
  v1::YearTarget stored = target;
  stored.clear_effective();
  stored.clear_effective_source();
  records_.StagePut(write, target.name(), version, stored);
  if (version == 0) {
    const std::string term_id = TermIdOf(target.term());
    write.ZAdd(YearTargetsIndexKey(target.organization(), term_id), 0,
               absl::StrCat(target.year()));
    write.HIncrBy(absl::StrCat(records_.prefix(), "termyears:", term_id),
                  absl::StrCat(target.year()), 1);
  }
}

void TargetStore::StagePlan(AtomicWrite& write, const v1::Plan& plan,
                            int64_t version) const {
  v1::Plan stored = plan;
  stored.clear_actual();  // computed at read time
  stored.clear_actual_as_of();
  records_.StagePut(write, plan.name(), version, stored);
  if (version == 0) {
    write.ZAdd(PlansIndexKey(plan.organization()), 0,
               absl::StrCat(plan.year()));
  }
}

void TargetStore::StageDecision(AtomicWrite& write,
                                const v1::AllocationDecision& d,
                                int64_t version, int ordinal) const {
  v1::AllocationDecision stored = d;
  stored.clear_within_target_now();  // computed at read time
  records_.StagePut(write, d.name(), version, stored);
  if (version != 0) return;
  const std::string organization = DecidingOrganizationOf(d.name());
  write.ZAdd(DecisionsIndexKey(organization), 0,
             d.name().substr(d.name().rfind('/') + 1));
  const double score = Yyyymmdd(CivilDayOf(d.decision().signed_on())) +
                       std::min(ordinal, 9999) / 1e4;
  write.ZAdd(PeriodDecisionsKey(organization, TermIdOf(d.period().term()),
                                d.period().year()),
             score, d.name());
}

void TargetStore::StageActiveDecision(AtomicWrite& write,
                                      absl::string_view organization,
                                      absl::string_view term_id, int year,
                                      int64_t pointer_version,
                                      absl::string_view name) const {
  const std::string key = ActiveDecisionKey(organization, term_id, year);
  write.Expect(key, pointer_version);
  write.Put(key, name);
}

absl::StatusOr<int64_t> TargetStore::TermsVersion() {
  absl::StatusOr<VersionedRecord> record =
      ReadRecord(records_.redis(), absl::StrCat(records_.prefix(), "termsv"));
  if (!record.ok()) return record.status();
  return record->version;
}

void TargetStore::StageTermsVersion(AtomicWrite& write, int64_t version) const {
  const std::string key = absl::StrCat(records_.prefix(), "termsv");
  write.Expect(key, version);
  write.Put(key, "");
}

absl::StatusOr<std::vector<int>> TargetStore::YearsWithTargets(
    absl::string_view term_id) {
  absl::StatusOr<RedisReply> reply = records_.redis().Command(
      {"HGETALL", absl::StrCat(records_.prefix(), "termyears:", term_id)});
  if (!reply.ok()) return reply.status();
  std::vector<int> years;
  const auto& e = reply->elements();
  for (size_t i = 0; i + 1 < e.size(); i += 2) {
    int year = 0;
    int64_t count = 0;
    if (absl::SimpleAtoi(e[i].str(), &year) &&
        absl::SimpleAtoi(e[i + 1].str(), &count) && count > 0) {
      years.push_back(year);
    }
  }
  std::sort(years.begin(), years.end());
  return years;
}

absl::StatusOr<ActiveDecision> TargetStore::ActiveDecisionOf(
    absl::string_view organization, absl::string_view term_id, int year) {
  absl::StatusOr<std::vector<RedisReply>> replies = records_.redis().Pipeline(
      {{"HMGET", ActiveDecisionKey(organization, term_id, year), "v", "d"},
       {"ZCARD", PeriodDecisionsKey(organization, term_id, year)}});
  if (!replies.ok()) return replies.status();
  for (const RedisReply& r : *replies) {
    if (r.is_error()) return absl::InternalError(r.str());
  }
  ActiveDecision active;
  const RedisReply& pointer = (*replies)[0];
  if (pointer.is_array() && pointer.elements().size() == 2 &&
      !pointer.elements()[0].is_nil()) {
    if (!absl::SimpleAtoi(pointer.elements()[0].str(), &active.version)) {
      return absl::DataLossError(absl::StrCat("the active decision pointer of ",
                                              organization, " is malformed"));
    }
    active.name = pointer.elements()[1].str();
  }
  active.decisions = static_cast<int>((*replies)[1].integer());
  return active;
}

absl::StatusOr<std::vector<std::string>> TargetStore::DecisionNames(
    absl::string_view organization) {
  absl::StatusOr<std::vector<std::string>> ids =
      records_.All(DecisionsIndexKey(organization));
  if (!ids.ok()) return ids.status();
  std::vector<std::string> names;
  names.reserve(ids->size());
  for (const std::string& id : *ids) {
    names.push_back(DecisionName(organization, id));
  }
  return names;
}

absl::StatusOr<Stored<v1::Term>> TargetStore::GetTerm(const std::string& name) {
  return records_.Get<v1::Term>(name);
}

absl::StatusOr<std::vector<v1::Term>> TargetStore::Terms() {
  absl::StatusOr<std::vector<std::string>> ids = records_.All(TermsIndexKey());
  if (!ids.ok()) return ids.status();
  std::vector<std::string> names;
  for (const std::string& id : *ids) names.push_back(TermName(id));
  absl::StatusOr<std::vector<Stored<v1::Term>>> stored =
      records_.GetMany<v1::Term>(names);
  if (!stored.ok()) return stored.status();
  std::vector<v1::Term> terms;
  terms.reserve(stored->size());
  for (Stored<v1::Term>& s : *stored) terms.push_back(std::move(s.message));
  std::sort(terms.begin(), terms.end(),
            [](const v1::Term& a, const v1::Term& b) {
              return CivilDayOf(a.start_date()) < CivilDayOf(b.start_date());
            });
  return terms;
}

absl::StatusOr<v1::Term> TargetStore::TermOn(absl::CivilDay day) {
  absl::StatusOr<std::vector<v1::Term>> terms = Terms();
  if (!terms.ok()) return terms.status();
  for (v1::Term& term : *terms) {
    if (CivilDayOf(term.start_date()) <= day &&
        day <= CivilDayOf(term.end_date())) {
      return std::move(term);
    }
  }
  return absl::NotFoundError(
      absl::StrCat("no congress term contains ", FormatDay(day)));
}

absl::StatusOr<absl::flat_hash_map<std::string, EffectiveTarget>>
TargetStore::EffectiveTargets(
    const std::vector<std::string>& organization_names, const v1::Term& term,
    int year, absl::CivilDay as_of, const OrgTree& tree,
    v1::TargetPrecedence precedence) {
  const std::string term_id = TermIdOf(term.name());
  // 1. The own figures: one GetMany.
  std::vector<std::string> record_names;
  record_names.reserve(organization_names.size());
  for (const std::string& name : organization_names) {
    record_names.push_back(PeriodTargetName(name, term_id, year));
  }
  absl::StatusOr<absl::flat_hash_map<std::string, v1::TargetFigures>> own =
      year == 0 ? OwnFigures<v1::TermTarget>(records_, record_names)
                : OwnFigures<v1::YearTarget>(records_, record_names);
  if (!own.ok()) return own.status();

  // 2. The decision of each parent in force on as_of: one pipeline.
  std::vector<std::string> parents;
  absl::flat_hash_set<std::string> seen;
  for (const std::string& name : organization_names) {
    const events::v1::OrganizationSnapshot* shape = tree.On(name, as_of);
    if (shape == nullptr || shape->parent().empty()) continue;
    if (seen.insert(shape->parent()).second) parents.push_back(shape->parent());
  }
  const std::string upper = absl::StrCat("(", Yyyymmdd(as_of) + 1);
  std::vector<RedisCommand> commands;
  commands.reserve(parents.size());
  for (const std::string& parent : parents) {
    commands.push_back({"ZREVRANGEBYSCORE",
                        PeriodDecisionsKey(parent, term_id, year), upper,
                        "-inf", "LIMIT", "0", "1"});
  }
  std::vector<std::string> decision_names;
  if (!commands.empty()) {
    absl::StatusOr<std::vector<RedisReply>> replies =
        records_.redis().Pipeline(commands);
    if (!replies.ok()) return replies.status();
    for (const RedisReply& reply : *replies) {
      if (reply.is_error()) return absl::InternalError(reply.str());
      if (!reply.elements().empty()) {
        decision_names.push_back(reply.elements()[0].str());
      }
    }
  }

  // 3. Their lines: one GetMany.
  struct Allocated {
    v1::TargetFigures figures;
    std::string decision;
  };
  absl::flat_hash_map<std::string, Allocated> allocated;
  if (!decision_names.empty()) {
    absl::StatusOr<std::vector<Stored<v1::AllocationDecision>>> decisions =
        records_.GetMany<v1::AllocationDecision>(decision_names);
    if (!decisions.ok()) return decisions.status();
    for (const Stored<v1::AllocationDecision>& d : *decisions) {
      const std::string decider = DecidingOrganizationOf(d.message.name());
      for (const v1::AllocationLine& line : d.message.lines()) {
        // A line counts only in the decision of the organisation's parent
        // on as_of.
        const events::v1::OrganizationSnapshot* shape =
            tree.On(line.organization(), as_of);
        if (shape == nullptr || shape->parent() != decider) continue;
        allocated[line.organization()] = {line.figures(), d.message.name()};
      }
    }
  }

  absl::flat_hash_map<std::string, EffectiveTarget> out;
  out.reserve(organization_names.size());
  for (const std::string& name : organization_names) {
    const auto o = own->find(name);
    const auto a = allocated.find(name);
    const bool has_allocated = a != allocated.end();
    const domain::EffectiveFigures e = domain::Effective(
        o != own->end() ? &o->second : nullptr,
        has_allocated ? &a->second.figures : nullptr, precedence);
    EffectiveTarget& target = out[name];
    target.figures = e.figures;
    target.source = e.source;
    if (has_allocated && e.source != v1::TARGET_SOURCE_OWN) {
      target.allocation_decision = a->second.decision;
    }
  }
  return out;
}

}  // namespace partydev::quota
