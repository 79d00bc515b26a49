// File: services/quota/target_store.h
//
// Where quotad keeps congress terms, targets, allocation decisions and
// plans (RecordStore records, "P r:<resource name>"), and the one way every
// report learns an organisation's effective target for a period. The only
// code of these resources that speaks Redis. Keys (P = "{pd:quota}:"):
//   P r:terms/<term>                                    Term
//   P r:organizations/<org>/targets/<term>              TermTarget
//   P r:organizations/<org>/targets/<term>/years/<y>    YearTarget
//   P r:organizations/<org>/allocationDecisions/<id>    AllocationDecision
//   P r:organizations/<org>/plans/<year>                Plan
//   P c:...                                             collection indexes
//   P alloc:<org id>:<term id>:<year>   zset of the org's decisions for the
//                                       period (names), score yyyymmdd of
//                                       signing + n/10^4 for the n-th
//                                       decision of the period (decisions
//                                       signed on one day keep their order)
//   P termsv                            record {v}: version of the set of
//                                       terms
//   P termyears:<term id>               hash year -> number of yearly
//                                       targets of the term for that year
//   P allocactive:<org id>:<term id>:<year>  record {v, d: name of the
//                                       ACTIVE decision of the period}: the
//                                       pointer every new decision of the
//                                       period expects unchanged
//   Collection indexes (zsets, score 0): P c:terms (term ids),
//   P c:organizations/<org>/targets (term ids),
//   P c:organizations/<org>/targets/<term>/years (years),
//   P c:organizations/<org>/allocationDecisions (ids),
//   P c:organizations/<org>/plans (years).
//
// Effective targets as of a day: the own figure as recorded now (targets
// keep no history of their own figures), the allocated figure from the
// line for the organisation in the decision of its parent (on that day)
// that was in force on the day: the latest signed on or before it. A
// superseded decision thus still answers for the days it was in force.

#ifndef PARTYDEV_SERVICES_QUOTA_TARGET_STORE_H_
#define PARTYDEV_SERVICES_QUOTA_TARGET_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/org_tree.h"
#include "common/record_store.h"
#include "partydev/quota/v1/allocations.pb.h"
#include "partydev/quota/v1/plans.pb.h"
#include "partydev/quota/v1/rule_sets.pb.h"
#include "partydev/quota/v1/targets.pb.h"
#include "partydev/quota/v1/terms.pb.h"

namespace partydev::quota {

// The figure progress is measured against, and where it comes from.
struct EffectiveTarget {
  v1::TargetFigures figures;
  v1::TargetSource source = v1::TARGET_SOURCE_NONE;
  // The decision the allocated figure comes from, if any.
  std::string allocation_decision;
  bool has_target() const {
    return source != v1::TARGET_SOURCE_NONE && figures.total() > 0;
  }
};

// The effective target of a target record as it stands now (its own
// figure and the allocated figure recorded on it), under `precedence`.
EffectiveTarget EffectiveOf(const v1::TermTarget& target,
                            v1::TargetPrecedence precedence);
EffectiveTarget EffectiveOf(const v1::YearTarget& target,
                            v1::TargetPrecedence precedence);

// Resource names.
std::string TermName(absl::string_view term_id);            // terms/<id>
std::string TermIdOf(absl::string_view term_name);          // "" if bad
std::string TermTargetName(absl::string_view organization,  // <org>/targets/<t>
                           absl::string_view term_id);
std::string YearTargetName(absl::string_view organization,
                           absl::string_view term_id, int year);
std::string PlanName(absl::string_view organization, int year);
std::string DecisionName(absl::string_view organization,
                         absl::string_view decision_id);
// "organizations/{org}" of "organizations/{org}/allocationDecisions/{id}".
std::string DecidingOrganizationOf(absl::string_view decision_name);
// The target record of a period: TermTargetName (year 0) or YearTargetName.
std::string PeriodTargetName(absl::string_view organization,
                             absl::string_view term_id, int year);

// The active allocation decision of an organisation for a period, as read.
struct ActiveDecision {
  std::string name;     // "" when none is active
  int64_t version = 0;  // of the pointer (0: never written)
  int decisions = 0;    // decisions of the period so far (history)
};

class TargetStore {
 public:
  explicit TargetStore(RecordStore& records);

  RecordStore& records() { return records_; }

  // ---- Index keys.
  std::string TermsIndexKey() const;
  std::string TermTargetsIndexKey(absl::string_view organization) const;
  std::string YearTargetsIndexKey(absl::string_view organization,
                                  absl::string_view term_id) const;
  std::string DecisionsIndexKey(absl::string_view organization) const;
  std::string PlansIndexKey(absl::string_view organization) const;
  std::string PeriodDecisionsKey(absl::string_view organization,
                                 absl::string_view term_id, int year) const;
  std::string ActiveDecisionKey(absl::string_view organization,
                                absl::string_view term_id, int year) const;

  // ---- Staging (each expects the record at `version`, 0: new, and adds
  // the record to its collection index).
  void StageTerm(AtomicWrite& write, const v1::Term& term,
                 int64_t version) const;
  void StageTermTarget(AtomicWrite& write, const v1::TermTarget& target,
                       int64_t version) const;
  void StageYearTarget(AtomicWrite& write, const v1::YearTarget& target,
                       int64_t version) const;
  void StagePlan(AtomicWrite& write, const v1::Plan& plan,
                 int64_t version) const;
  // A decision; a new one (version 0) is also indexed in the period's zset
  // as its `ordinal`-th decision (ActiveDecision::decisions).
  void StageDecision(AtomicWrite& write, const v1::AllocationDecision& d,
                     int64_t version, int ordinal) const;
  // Points the period's ACTIVE decision at `name`, the pointer read at
  // `pointer_version` (0: never written).
  void StageActiveDecision(AtomicWrite& write, absl::string_view organization,
                           absl::string_view term_id, int year,
                           int64_t pointer_version,
                           absl::string_view name) const;

  // The version of the set of terms (bumped by every term written, so that
  // two overlapping terms written at once cannot both pass
  // `quota.term.no_overlap`), and its staging.
  absl::StatusOr<int64_t> TermsVersion();
  void StageTermsVersion(AtomicWrite& write, int64_t version) const;
  // The years of a term that yearly targets use (any organisation).
  absl::StatusOr<std::vector<int>> YearsWithTargets(absl::string_view term_id);

  // ---- Reads.
  absl::StatusOr<ActiveDecision> ActiveDecisionOf(
      absl::string_view organization, absl::string_view term_id, int year);
  // The names of an organisation's decisions (any period), by id.
  absl::StatusOr<std::vector<std::string>> DecisionNames(
      absl::string_view organization);

  // A term ("terms/{term}"); NOT_FOUND naming it.
  absl::StatusOr<Stored<v1::Term>> GetTerm(const std::string& name);
  // Every term, by start date.
  absl::StatusOr<std::vector<v1::Term>> Terms();
  // The term whose dates contain `day`; NOT_FOUND when none does.
  absl::StatusOr<v1::Term> TermOn(absl::CivilDay day);

  // The effective targets of `organization_names` for `term` (year 0) or
  // one of its years, as of `as_of`, under `precedence`; one entry per
  // name (TARGET_SOURCE_NONE when there is none). A few round trips
  // whatever the number of organisations.
  absl::StatusOr<absl::flat_hash_map<std::string, EffectiveTarget>>
  EffectiveTargets(const std::vector<std::string>& organization_names,
                   const v1::Term& term, int year, absl::CivilDay as_of,
                   const OrgTree& tree, v1::TargetPrecedence precedence);

 private:
  RecordStore& records_;
};

}  // namespace partydev::quota

#endif  // PARTYDEV_SERVICES_QUOTA_TARGET_STORE_H_
