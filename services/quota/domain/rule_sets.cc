#include "services/quota/domain/rule_sets.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/change.h"
#include "common/dates.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/json_config.h"

namespace partydev::quota::domain {
namespace {

constexpr absl::string_view kPrefix = "quotaRuleSets/";

bool IsFraction(double value) { return value > 0 && value <= 1; }

// Every problem of one set, named by its field paths.
absl::Status Validate(const v1::QuotaRuleSet& set) {
  FieldChecker check;
  if (!absl::StartsWith(set.name(), kPrefix) ||
      set.name().size() == kPrefix.size()) {
    check.Add("name", "must be \"quotaRuleSets/{id}\"");
  }
  CheckDate(set.effective_from(), "effective_from", check);
  if (set.allocation().mode() == v1::ALLOCATION_MODE_UNSPECIFIED) {
    check.Add("allocation.mode", "is required (AT_MOST or EXACTLY)");
  }
  if (set.targets().precedence() == v1::TARGET_PRECEDENCE_UNSPECIFIED) {
    check.Add("targets.precedence", "is required");
  }
  const v1::ProgressThresholds& p = set.progress();
  if (!IsFraction(p.lagging_rate())) {
    check.Add("progress.lagging_rate", "must lie in (0, 1]");
  }
  if (p.lagging_basis() == v1::LAGGING_BASIS_UNSPECIFIED) {
    check.Add("progress.lagging_basis", "is required");
  }
  if (p.lagging_min_elapsed_share() < 0 || p.lagging_min_elapsed_share() > 1) {
    check.Add("progress.lagging_min_elapsed_share", "must lie in [0, 1]");
  }
  if (!IsFraction(p.on_track_ratio())) {
    check.Add("progress.on_track_ratio", "must lie in (0, 1]");
  }
  if (set.counting().counting_date() ==
      v1::ADMISSION_COUNTING_DATE_UNSPECIFIED) {
    check.Add("counting.counting_date", "is required");
  }
  if (set.counting().probation_removal() ==
      v1::PROBATION_REMOVAL_COUNTING_UNSPECIFIED) {
    check.Add("counting.probation_removal", "is required");
  }
  if (set.pool().low_conversion_ratio() < 0 ||
      set.pool().low_conversion_ratio() > 1) {
    check.Add("pool.low_conversion_ratio", "must lie in [0, 1]");
  }
  if (set.lagging().university_min_student_share() < 0 ||
      set.lagging().university_min_student_share() > 1) {
    check.Add("lagging.university_min_student_share", "must lie in [0, 1]");
  }
  for (int i = 0; i < set.lagging().checkpoints_size(); ++i) {
    const auto& rule = set.lagging().checkpoints(i);
    const std::string field = absl::StrCat("lagging.checkpoints[", i, "]");
    if (rule.id().empty()) check.Add(field + ".id", "is required");
    if (rule.cadence() == v1::CHECKPOINT_CADENCE_UNSPECIFIED) {
      check.Add(field + ".cadence", "is required");
    }
    if (rule.period_kind() == v1::CHECKPOINT_PERIOD_KIND_UNSPECIFIED) {
      check.Add(field + ".period_kind", "is required");
    }
    for (int d = 0; d < rule.dates_size(); ++d) {
      CheckDate(rule.dates(d), absl::StrCat(field, ".dates[", d, "]"), check);
    }
  }
  const double min_rate = set.classification().min_completion_rate();
  if (min_rate < 0 || min_rate > 1) {
    check.Add("classification.min_completion_rate", "must lie in [0, 1]");
  }
  return check.ok() ? absl::OkStatus() : check.status();
}

absl::Status Prefixed(const absl::Status& status, absl::string_view origin) {
  return absl::Status(status.code(),
                      absl::StrCat(origin, ": ", status.message()));
}

}  // namespace

absl::StatusOr<QuotaRuleSetRegistry> QuotaRuleSetRegistry::LoadDirectory(
    const std::string& directory) {
  absl::StatusOr<std::vector<ConfigFile>> files = ReadJsonFiles(directory);
  if (!files.ok()) return files.status();
  std::vector<v1::QuotaRuleSet> sets;
  for (const ConfigFile& file : *files) {
    v1::QuotaRuleSet set;
    if (absl::Status s = ParseProtoJson(file.text, file.path, &set); !s.ok()) {
      return s;
    }
    if (absl::Status s = Validate(set); !s.ok()) return Prefixed(s, file.path);
    set.set_config_source(
        absl::StrCat(file.path, " sha256:", Sha256Hex(file.text)));
    *set.mutable_load_time() = NowTimestamp();
    sets.push_back(std::move(set));
  }
  return FromSets(std::move(sets));
}

absl::StatusOr<QuotaRuleSetRegistry> QuotaRuleSetRegistry::FromSets(
    std::vector<v1::QuotaRuleSet> sets) {
  if (sets.empty()) {
    return absl::FailedPreconditionError("no quota rule set is configured");
  }
  for (const auto& set : sets) {
    if (absl::Status s = Validate(set); !s.ok()) return Prefixed(s, set.name());
  }
  std::sort(sets.begin(), sets.end(), [](const auto& a, const auto& b) {
    return CivilDayOf(a.effective_from()) < CivilDayOf(b.effective_from());
  });
  for (size_t i = 0; i + 1 < sets.size(); ++i) {
    const absl::CivilDay next = CivilDayOf(sets[i + 1].effective_from());
    if (next == CivilDayOf(sets[i].effective_from())) {
      return absl::InvalidArgumentError(absl::StrCat(
          sets[i].name(), " and ", sets[i + 1].name(),
          " take effect on the same day; effective_from must be unique"));
    }
    *sets[i].mutable_effective_until() = FromCivilDay(next - 1);
  }
  sets.back().clear_effective_until();
  QuotaRuleSetRegistry registry;
  registry.sets_ = std::move(sets);
  return registry;
}

absl::StatusOr<const v1::QuotaRuleSet*> QuotaRuleSetRegistry::ForDay(
    absl::CivilDay day) const {
  const v1::QuotaRuleSet* found = nullptr;
  for (const auto& set : sets_) {
    if (CivilDayOf(set.effective_from()) <= day) found = &set;
  }
  if (found == nullptr) {
    return RulesViolated(
        {{"quota.rule_set.exists", FormatDay(day),
          absl::StrCat("no quota rule set applies to ", FormatDay(day),
                       ": the first takes effect on ",
                       FormatDate(sets_.front().effective_from()))}});
  }
  return found;
}

absl::StatusOr<const v1::QuotaRuleSet*> QuotaRuleSetRegistry::ByName(
    const std::string& name) const {
  for (const auto& set : sets_) {
    if (set.name() == name) return &set;
  }
  return absl::NotFoundError(absl::StrCat(name, " does not exist"));
}

}  // namespace partydev::quota::domain
