// File: services/quota/domain/allocation.h
//
// The rules of an allocation decision (allocations.proto,
// CreateAllocationDecisionRequest): a committee splits its effective
// target for a period among its direct subordinates. Every unmet rule is
// returned at once, so that validate_only shows them all. Pure: no I/O.
//
//   AllocationInput in;
//   in.committee = "organizations/duk";
//   in.committee_display_name = "Đảng bộ Khối";
//   in.committee_target = effective.figures;    // nullopt: none
//   in.rule_set_mode = rules->allocation().mode();
//   in.check_categories = rules->allocation().check_categories();
//   in.requested_mode = request.allocation_decision().mode();
//   in.subordinates = tree.ChildrenOn("organizations/duk", signed_on);
//   in.signed_on = signed_on;
//   FieldChecker check;
//   AllocationCheck result = CheckAllocation(in, decision.lines(),
//                                            "allocation_decision.lines",
//                                            check);
//   // check: malformed lines (INVALID_ARGUMENT); result.violations: rules.

#ifndef PARTYDEV_SERVICES_QUOTA_DOMAIN_ALLOCATION_H_
#define PARTYDEV_SERVICES_QUOTA_DOMAIN_ALLOCATION_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/errors.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "partydev/quota/v1/allocations.pb.h"
#include "partydev/quota/v1/types.pb.h"

namespace partydev::quota::domain {

struct AllocationInput {
  // The deciding committee's organisation and its display name (messages).
  std::string committee;
  std::string committee_display_name;
  // Its effective target for the period; nullopt when it has none (rule
  // `quota.allocation.committee_target`).
  std::optional<v1::TargetFigures> committee_target;
  // The rule set in force on the signing date (QuotaRuleSet.allocation).
  v1::AllocationMode rule_set_mode = v1::ALLOCATION_MODE_AT_MOST;
  bool check_categories = true;
  // What the request asks (UNSPECIFIED: the rule set's mode).
  v1::AllocationMode requested_mode = v1::ALLOCATION_MODE_UNSPECIFIED;
  // The committee's direct subordinates on the signing date.
  std::vector<std::string> subordinates;
  absl::CivilDay signed_on;
};

struct AllocationCheck {
  // The mode applied: the request's tightening to EXACTLY, else the rule
  // set's.
  v1::AllocationMode mode = v1::ALLOCATION_MODE_UNSPECIFIED;
  // The sum of the lines, in total and per category (by category number).
  v1::TargetFigures allocated_sum;
  // committee_target minus allocated_sum, in total and per category of the
  // target (negative where over-allocated); empty without a target.
  v1::TargetFigures unallocated;
  // Every unmet rule (empty: the allocation may be written).
  std::vector<RuleViolation> violations;
};

// The mode applied for `requested` under a rule set saying `rule_set`, and
// whether the request is allowed (asking AT_MOST where the rule set says
// EXACTLY is not: rule `quota.allocation.mode`).
v1::AllocationMode AppliedMode(v1::AllocationMode rule_set,
                               v1::AllocationMode requested);

// Checks the lines (at request path `lines_field`) against the rules:
// malformed lines go to `check` (at least one line; each organisation
// named, at most once; figures >= 0, categories once), rule violations to
// the result: quota.target.category_within_total (per line),
// quota.allocation.committee_target, .mode, .direct_subordinate,
// .category_in_target, .within_target (AT_MOST: total, and each category
// of the target when check_categories) and .equals_target (EXACTLY: total
// and each category that has a sub-target).
AllocationCheck CheckAllocation(
    const AllocationInput& input,
    const google::protobuf::RepeatedPtrField<v1::AllocationLine>& lines,
    absl::string_view lines_field, FieldChecker& check);

// Whether `lines` still satisfy `mode` against `committee_target` (total,
// and the categories as CheckAllocation checks them): what
// AllocationDecision.within_target_now shows.
bool WithinTarget(
    const v1::TargetFigures& committee_target,
    const google::protobuf::RepeatedPtrField<v1::AllocationLine>& lines,
    v1::AllocationMode mode, bool check_categories);

}  // namespace partydev::quota::domain

#endif  // PARTYDEV_SERVICES_QUOTA_DOMAIN_ALLOCATION_H_
