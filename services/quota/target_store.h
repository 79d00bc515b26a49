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
//                                       period, score yyyymmdd of signing
//
// Effective targets as of a day: the own figure as recorded now (targets
// keep no history of their own figures), the allocated figure from the
// line for the organisation in the decision of its parent (on that day)
// that was in force on the day: the latest signed on or before it. A
// superseded decision thus still answers for the days it was in force.

#ifndef PARTYDEV_SERVICES_QUOTA_TARGET_STORE_H_
#define PARTYDEV_SERVICES_QUOTA_TARGET_STORE_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/org_tree.h"
#include "common/record_store.h"
#include "partydev/quota/v1/allocations.pb.h"
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

class TargetStore {
 public:
  explicit TargetStore(RecordStore& records);

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
