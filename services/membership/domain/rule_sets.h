// File: services/membership/domain/rule_sets.h
//
// The versioned rule sets (partydev.membership.v1.RuleSet): every number of
// the membership rules with the date from which it is in force. The Party's
// rules change every few years (Quy định 29 → 24-QĐ/TW 2021 → 232-QĐ/TW Jan
// 2025 → 294-QĐ/TW from 1 Jul 2025; yearly evaluation 124-QĐ/TW →
// 366-QĐ/TW), and an act is judged by the rules in force on its date: a cell
// resolution voted in 2023 is judged by the rules of 2023 even when it is
// recorded in 2026. So no number of the rules is a constant in code; code
// asks the registry for the rule set of the act's date.
//
// Rule sets are configuration: one JSON file per rule set (the proto3 JSON
// form of RuleSet) in services/membership/rules/rule_sets/. Each is
// validated at load (every number present and sane, effective_from set, no
// two rule sets from the same day); a bad file stops the service at start.
// The next rule set's effective_from ends the previous one (effective_until
// is computed, never written by hand).
//
// Example:
//   absl::StatusOr<RuleSetRegistry> registry =
//       RuleSetRegistry::LoadDirectory("services/membership/rules/rule_sets");
//   absl::StatusOr<const v1::RuleSet*> rules =
//       registry->ForDate(ballot.held_on());
//   int min_age = (*rules)->admission().min_age_months();  // 216

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_RULE_SETS_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_RULE_SETS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "partydev/common/v1/types.pb.h"
#include "partydev/membership/v1/rules.pb.h"

namespace partydev::membership::domain {

// Parses one rule set from its JSON form. INVALID_ARGUMENT naming `origin`
// for malformed JSON or an unknown field. Does not validate the numbers.
absl::StatusOr<v1::RuleSet> ParseRuleSetJson(absl::string_view json,
                                             absl::string_view origin);

// Checks one rule set: effective_from is a valid date; every count, month
// and working-day number is > 0 (booleans may be false); each Fraction has
// 0 < numerator <= denominator; ranges are ordered (min age < max age,
// youth-union ages, classification thresholds completed < good < excellent
// <= max, early warnings reminder < follow-up < removal proposal); the
// criteria of members and of organisations each add up to max_score; the
// organisation vocabulary is consistent (levels and kinds defined once, every
// level a kind or a parent names is defined, a parent ranks above its child);
// every source has a rule id and a citation, and each group of fields
// (admission, transfers, removal, dues, classification, meetings,
// early_warnings, evaluations, organization) has a source. Returns
// INVALID_ARGUMENT listing every bad field ("admission.probation_months":
// "must be > 0").
absl::Status ValidateRuleSet(const v1::RuleSet& rule_set);

// The citation of rule `rule_id` in `rule_set`: the source whose rule_id is
// `rule_id`, else the one of its group ("admission.*"), else "". With
// " (chưa xác nhận)" appended when the source is marked unconfirmed.
std::string CitationOf(const v1::RuleSet& rule_set, absl::string_view rule_id);

// The rule sets in force over time, oldest first. Immutable after loading;
// safe to read from many threads.
class RuleSetRegistry {
 public:
  // Loads every "*.json" file of `directory` (other files are ignored).
  // NOT_FOUND when the directory cannot be read or holds no rule set;
  // INVALID_ARGUMENT naming the file and field for a bad rule set.
  static absl::StatusOr<RuleSetRegistry> LoadDirectory(
      const std::string& directory);

  // Validates and orders `rule_sets`: fills `name` ("ruleSets/2025-07-01",
  // from effective_from, when empty) and `effective_until` (the day before
  // the next one's effective_from). INVALID_ARGUMENT for an invalid rule
  // set, two with the same effective_from or the same name, or an
  // effective_until given in the input that disagrees with the next set.
  static absl::StatusOr<RuleSetRegistry> FromRuleSets(
      std::vector<v1::RuleSet> rule_sets);

  // The rule set in force on `day`: the one with the latest effective_from
  // on or before it. NOT_FOUND when `day` precedes every rule set.
  absl::StatusOr<const v1::RuleSet*> ForDay(absl::CivilDay day) const;

  // ForDay of a Date; INVALID_ARGUMENT naming `field` for an invalid date.
  absl::StatusOr<const v1::RuleSet*> ForDate(
      const ::partydev::common::v1::Date& date,
      absl::string_view field = "date") const;

  // ForDate, except that a date before every rule set gets the earliest
  // one. For recording acts older than partydev's oldest rule set whose
  // rules are only a vocabulary (an organisation founded in 1990 is placed
  // in the tree by the earliest levels and kinds known); never for judging
  // a candidate's step, which needs the rules of its own date.
  absl::StatusOr<const v1::RuleSet*> ForDateOrEarliest(
      const ::partydev::common::v1::Date& date,
      absl::string_view field = "date") const;

  // The rule set named `name` ("ruleSets/2021-07-30"); NOT_FOUND otherwise.
  absl::StatusOr<const v1::RuleSet*> Get(absl::string_view name) const;

  // Every rule set, oldest first (what AdministrationService lists).
  const std::vector<v1::RuleSet>& rule_sets() const { return rule_sets_; }

 private:
  std::vector<v1::RuleSet> rule_sets_;
};

}  // namespace partydev::membership::domain

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_RULE_SETS_H_
