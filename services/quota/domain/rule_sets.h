// File: services/quota/domain/rule_sets.h
//
// The versioned quota rule sets (rule_sets.proto): thresholds, the
// allocation rule, counting rules, the checkpoint schedule. The numbers of
// the domain are configuration (domain.md): each set applies from its
// effective date until the next set's, and an act or a report is judged by
// the set in force on its date. Loaded from JSON files (the proto3 JSON
// mapping of QuotaRuleSet, one per file) at start; a bad file stops quotad.
//
//   absl::StatusOr<QuotaRuleSetRegistry> registry =
//       QuotaRuleSetRegistry::LoadDirectory(config_dir + "/rule_sets");
//   absl::StatusOr<const v1::QuotaRuleSet*> rules =
//       registry->ForDay(absl::CivilDay(2023, 9, 17));

#ifndef PARTYDEV_SERVICES_QUOTA_DOMAIN_RULE_SETS_H_
#define PARTYDEV_SERVICES_QUOTA_DOMAIN_RULE_SETS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "partydev/quota/v1/rule_sets.pb.h"

namespace partydev::quota::domain {

class QuotaRuleSetRegistry {
 public:
  // Reads every *.json of `directory`. Each file holds one QuotaRuleSet;
  // `name` is required ("quotaRuleSets/{id}"), effective_from is required
  // and unique, thresholds are validated (lagging_rate and on_track_ratio
  // in (0, 1], mode and precedence set). effective_until, config_source and
  // load_time are filled by the loader.
  static absl::StatusOr<QuotaRuleSetRegistry> LoadDirectory(
      const std::string& directory);
  // From already-parsed sets (tests); validated as LoadDirectory does.
  static absl::StatusOr<QuotaRuleSetRegistry> FromSets(
      std::vector<v1::QuotaRuleSet> sets);

  // The set in force on `day`; FAILED_PRECONDITION (rule
  // `quota.rule_set.exists`) when `day` is before the first set.
  absl::StatusOr<const v1::QuotaRuleSet*> ForDay(absl::CivilDay day) const;
  // The set named "quotaRuleSets/{id}", or NOT_FOUND.
  absl::StatusOr<const v1::QuotaRuleSet*> ByName(const std::string& name) const;
  // Every set, by effective_from ascending.
  const std::vector<v1::QuotaRuleSet>& all() const { return sets_; }

 private:
  std::vector<v1::QuotaRuleSet> sets_;
};

}  // namespace partydev::quota::domain

#endif  // PARTYDEV_SERVICES_QUOTA_DOMAIN_RULE_SETS_H_
