#include "services/membership/domain/classification.h"

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "services/membership/domain/violations.h"

namespace partydev::membership::domain {

v1::QualityLevel LevelForScore(double score, bool all_tasks_completed,
                               const v1::ClassificationRules& rules) {
  if (score >= rules.excellent_min_score() && all_tasks_completed) {
    return v1::QUALITY_LEVEL_EXCELLENT;
  }
  if (score >= rules.good_min_score()) return v1::QUALITY_LEVEL_GOOD;
  if (score >= rules.completed_min_score()) return v1::QUALITY_LEVEL_COMPLETED;
  return v1::QUALITY_LEVEL_NOT_COMPLETED;
}

absl::StatusOr<double> TotalScore(
    const google::protobuf::RepeatedPtrField<v1::CriterionScore>& criteria,
    bool for_members, const v1::ClassificationRules& rules) {
  FieldChecker check;
  std::set<std::string> seen;
  double total = 0;
  for (int i = 0; i < criteria.size(); ++i) {
    const v1::CriterionScore& score = criteria.Get(i);
    const std::string field = absl::StrCat("criteria[", i, "]");
    const v1::CriterionDefinition* definition = nullptr;
    for (const auto& d : rules.criteria()) {
      if (d.code() == score.criterion() && d.for_members() == for_members) {
        definition = &d;
      }
    }
    if (definition == nullptr) {
      check.Add(field + ".criterion",
                absl::StrCat("unknown criterion \"", score.criterion(), "\""));
      continue;
    }
    if (!seen.insert(score.criterion()).second) {
      check.Add(field + ".criterion", "appears twice");
    }
    if (score.score() < 0 || score.score() > definition->max_score()) {
      check.Add(field + ".score",
                absl::StrCat("must be 0..", definition->max_score()));
    }
    total += score.score();
  }
  if (!check.ok()) return check.status();
  return total;
}

absl::StatusOr<v1::QualityLevel> ComputedLevel(
    const google::protobuf::RepeatedPtrField<v1::CriterionScore>& criteria,
    bool for_members, bool all_tasks_completed,
    const google::protobuf::RepeatedField<int>& triggers,
    const v1::ClassificationRules& rules) {
  absl::StatusOr<double> total = TotalScore(criteria, for_members, rules);
  if (!total.ok()) return total.status();
  bool forced = false;
  for (int trigger : triggers) {
    forced = forced || trigger != v1::NOT_COMPLETED_TRIGGER_UNSPECIFIED;
  }
  for (const v1::CriterionScore& score : criteria) {
    forced = forced || score.poor();
  }
  if (forced) return v1::QUALITY_LEVEL_NOT_COMPLETED;
  return LevelForScore(*total, all_tasks_completed, rules);
}

bool UnitUnderTargets(int completed, int targets,
                      const v1::ClassificationRules& rules) {
  if (targets <= 0) return false;
  return !Reaches(completed, targets, rules.leader_targets_minimum());
}

std::optional<v1::NotClassifiedReason> NotClassifiedReasonFor(
    const MemberYearFacts& facts, const v1::ClassificationRules& rules) {
  if (facts.exempt) return v1::NOT_CLASSIFIED_REASON_EXEMPT;
  if (facts.suspended) return v1::NOT_CLASSIFIED_REASON_SUSPENDED;
  if (IsValidDate(facts.admitted_on)) {
    const absl::CivilDay year_end(facts.year, 12, 31);
    const absl::CivilDay admitted = CivilDayOf(facts.admitted_on);
    if (admitted > year_end || FullMonthsBetween(admitted, year_end) <
                                   rules.min_months_since_admission()) {
      return v1::NOT_CLASSIFIED_REASON_ADMITTED_RECENTLY;
    }
  }
  return std::nullopt;
}

v1::ClassificationCapCheck CheckExcellentCap(
    const std::vector<RatedRecord>& records,
    const v1::ClassificationRules& rules) {
  v1::ClassificationCapCheck check;
  int good = 0;
  for (const RatedRecord& r : records) {
    if (!r.classified) {
      check.set_not_classified(check.not_classified() + 1);
      continue;
    }
    check.set_classified(check.classified() + 1);
    if (r.level == v1::QUALITY_LEVEL_EXCELLENT) {
      check.set_excellent(check.excellent() + 1);
      if (r.decided) check.set_excellent_decided(check.excellent_decided() + 1);
    } else if (r.level == v1::QUALITY_LEVEL_GOOD) {
      ++good;
    }
  }
  const int base =
      good + (rules.cap_base_includes_excellent() ? check.excellent() : 0);
  const v1::Fraction& cap = rules.excellent_cap();
  const int max = static_cast<int>(static_cast<int64_t>(cap.numerator()) *
                                   base / cap.denominator());
  check.set_cap_base(base);
  *check.mutable_cap() = cap;
  check.set_max_excellent(max);
  check.set_within_cap(check.excellent() <= max);
  check.set_excess(check.excellent() > max ? check.excellent() - max : 0);
  return check;
}

std::vector<RuleViolation> CapViolations(
    const v1::ClassificationCapCheck& check, const v1::RuleSet& rules) {
  Violations unmet(rules);
  if (!check.within_cap()) {
    unmet.Add(
        "classification.excellent_cap",
        check.organization().empty() ? "classifications" : check.organization(),
        absl::StrCat(check.excellent(),
                     " trường hợp được xếp loại Hoàn thành xuất sắc nhiệm "
                     "vụ, vượt tỷ lệ ",
                     FormatFraction(check.cap()), " của ", check.cap_base(),
                     " trường hợp Hoàn thành tốt nhiệm vụ (tối đa ",
                     check.max_excellent(), "); cần giảm ", check.excess()));
  }
  return unmet.Take();
}

}  // namespace partydev::membership::domain
