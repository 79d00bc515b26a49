// File: services/membership/domain/classification.h
//
// The yearly quality classification of members and organisations
// (domain.md; Quy định 366-QĐ/TW by default, every number from the rule
// set's ClassificationRules):
//  - Four levels from the score out of 100: EXCELLENT from 90 with every
//    task of the year done (a high score alone is not excellence: without
//    all tasks done it is GOOD), GOOD from 70, COMPLETED from 50, below
//    NOT_COMPLETED.
//  - Forced NOT_COMPLETED, whatever the score: a criterion rated poor,
//    discipline in the year, degeneration, breaking the rules members must
//    keep; for leaders, the unit completing under 1/2 of its targets.
//  - Not classified: members exempt from work and meetings, suspended, or
//    admitted less than 6 months before the year's end (counted from the
//    admission decision to 31 December, in full months).
//  - EXCELLENT may not exceed 1/5 of those rated GOOD in the body's scope
//    (whether the base counts the excellent ones is the rule set's choice):
//    "excellent * 5 <= good", rounding down, so 9 good allow 1 excellent.
//
// Example:
//   absl::StatusOr<v1::QualityLevel> level =
//       ComputedLevel(classification.criteria(), true,
//                     classification.all_tasks_completed(),
//                     classification.triggers(), rules.classification());
//   v1::ClassificationCapCheck cap = CheckExcellentCap(records, rules);

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_CLASSIFICATION_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_CLASSIFICATION_H_

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "common/errors.h"
#include "google/protobuf/repeated_field.h"
#include "partydev/common/v1/types.pb.h"
#include "partydev/membership/v1/classification.pb.h"
#include "partydev/membership/v1/rules.pb.h"

namespace partydev::membership::domain {

// The level a score allows, before triggers.
v1::QualityLevel LevelForScore(double score, bool all_tasks_completed,
                               const v1::ClassificationRules& rules);

// The total of `criteria`, checked against the rule set's criteria of
// members (`for_members`) or organisations: INVALID_ARGUMENT naming
// "criteria[i]" for an unknown or repeated criterion or a score outside
// 0..max_score.
absl::StatusOr<double> TotalScore(
    const google::protobuf::RepeatedPtrField<v1::CriterionScore>& criteria,
    bool for_members, const v1::ClassificationRules& rules);

// The highest level allowed (MemberClassification.computed_level):
// LevelForScore of the total, forced to NOT_COMPLETED by any trigger or
// any criterion marked poor.
absl::StatusOr<v1::QualityLevel> ComputedLevel(
    const google::protobuf::RepeatedPtrField<v1::CriterionScore>& criteria,
    bool for_members, bool all_tasks_completed,
    const google::protobuf::RepeatedField<int>& triggers,
    const v1::ClassificationRules& rules);

// Whether a leader's unit completing `completed` of `targets` triggers
// NOT_COMPLETED_TRIGGER_UNIT_UNDER_TARGETS (under leader_targets_minimum;
// false when there is no target).
bool UnitUnderTargets(int completed, int targets,
                      const v1::ClassificationRules& rules);

// A member's situation in the classified year.
struct MemberYearFacts {
  int year = 0;
  bool exempt = false;     // Exempt from work and meetings.
  bool suspended = false;  // Suspended from party activity.
  // The (latest) admission decision date; unset for a member admitted long
  // ago whose date is unknown.
  ::partydev::common::v1::Date admitted_on;
};

// Why the member is not classified for the year, or nullopt when they are.
std::optional<v1::NotClassifiedReason> NotClassifiedReasonFor(
    const MemberYearFacts& facts, const v1::ClassificationRules& rules);

// One classification record of the scope the cap applies to.
struct RatedRecord {
  bool classified = true;
  v1::QualityLevel level = v1::QUALITY_LEVEL_UNSPECIFIED;
  bool decided = false;  // State DECIDED (else DRAFT).
};

// The cap check over `records` (fills every count of
// ClassificationCapCheck except organization, year, subject, rule_set).
v1::ClassificationCapCheck CheckExcellentCap(
    const std::vector<RatedRecord>& records,
    const v1::ClassificationRules& rules);

// "classification.excellent_cap" when `check` is over the cap, with the
// numbers; empty otherwise.
std::vector<RuleViolation> CapViolations(
    const v1::ClassificationCapCheck& check, const v1::RuleSet& rules);

}  // namespace partydev::membership::domain

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_CLASSIFICATION_H_
