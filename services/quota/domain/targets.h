// File: services/quota/domain/targets.h
//
// The arithmetic of admission targets (targets.proto): what a valid set of
// figures is, which of an organisation's own and allocated figures is its
// effective target (QuotaRuleSet.targets.precedence), and small helpers
// over TargetFigures. Pure: no I/O.
//
//   FieldChecker check;
//   std::vector<RuleViolation> unmet =
//       ValidateFigures(request.term_target().own(), "term_target.own", check);
//   if (!check.ok()) return check.status();          // INVALID_ARGUMENT
//   if (!unmet.empty()) return RulesViolated(unmet); // FAILED_PRECONDITION
//   EffectiveFigures e = Effective(&own, nullptr,
//                                  v1::TARGET_PRECEDENCE_ALLOCATED_FIRST);
//   // e.source == TARGET_SOURCE_OWN

#ifndef PARTYDEV_SERVICES_QUOTA_DOMAIN_TARGETS_H_
#define PARTYDEV_SERVICES_QUOTA_DOMAIN_TARGETS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/errors.h"
#include "partydev/common/v1/categories.pb.h"
#include "partydev/quota/v1/rule_sets.pb.h"
#include "partydev/quota/v1/types.pb.h"

namespace partydev::quota::domain {

// Checks `figures` given at request path `field` (e.g. "term_target.own"):
//  - total and every category count >= 0, each category set (not
//    UNSPECIFIED) and listed once: problems are added to `check`
//    (INVALID_ARGUMENT naming e.g. "term_target.own.categories[1].count");
//  - each category count <= total: returned as violations of rule
//    `quota.target.category_within_total` (FAILED_PRECONDITION), subject
//    the category's field path.
std::vector<RuleViolation> ValidateFigures(const v1::TargetFigures& figures,
                                           absl::string_view field,
                                           FieldChecker& check);

// The effective target and where it comes from.
struct EffectiveFigures {
  v1::TargetFigures figures;
  v1::TargetSource source = v1::TARGET_SOURCE_NONE;
};

// The effective target of an organisation from its own figure and its
// allocated figure (nullptr: not set), under `precedence`
// (rule_sets.proto): ALLOCATED_FIRST (also UNSPECIFIED) takes the
// allocated figure when there is one, else the own; OWN_FIRST the reverse;
// LARGER takes, when both are set, the larger total and for each category
// the larger count (source LARGER_OF_BOTH), else the one that is set.
// Neither set: empty figures, TARGET_SOURCE_NONE.
EffectiveFigures Effective(const v1::TargetFigures* own,
                           const v1::TargetFigures* allocated,
                           v1::TargetPrecedence precedence);

// The count of `category` in `figures`, or nullopt without a sub-target.
std::optional<int> CategoryCount(const v1::TargetFigures& figures,
                                 common::v1::Category category);

// Sets the count of `category` (adding the entry when missing).
void SetCategoryCount(v1::TargetFigures& figures, common::v1::Category category,
                      int count);

// Adds `b` to `a`: totals, and per category (categories of `b` missing in
// `a` are added); categories stay ordered by their number.
void AddFigures(v1::TargetFigures& a, const v1::TargetFigures& b);

// The categories of `figures` ordered by number.
void SortCategories(v1::TargetFigures& figures);

// Vietnamese label of a category ("sinh viên, học sinh", "đoàn viên").
std::string CategoryLabel(common::v1::Category category);

// "100 (sinh viên, học sinh: 30)": figures in words for messages.
std::string FormatFigures(const v1::TargetFigures& figures);

}  // namespace partydev::quota::domain

#endif  // PARTYDEV_SERVICES_QUOTA_DOMAIN_TARGETS_H_
