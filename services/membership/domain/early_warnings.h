// File: services/membership/domain/early_warnings.h
//
// Early warnings that a member is drifting away (cảnh báo sớm; directive
// 06-CT/TU): from the months of one year in which a member was absent
// without reason from the regular meeting, or left the dues unpaid, decide
// which warnings stand. With the thresholds of RuleSet.early_warnings
// (default 1, 2, 3 months):
//  - each level reached is raised once per member, cause and year (the ids
//    are derived: "2026-absence-reminder", "2026-dues-follow-up"...), the
//    lower open ones of the cause marked ESCALATED;
//  - three months in a year is a removal proposal for the cell to decide
//    (Party Charter, art. 8: a member who without good reason does not
//    attend party meetings or pay dues for three months in a year is
//    removed from the rolls), one per member and year whatever the cause
//    ("2026-removal-proposal"): the other cause joins it in
//    additional_causes, with its months and evidence;
//  - a level no longer reached (an attendance corrected, a payment
//    recorded late) closes as RECORDS_CORRECTED.
// Never a removal by the system: the cell decides (PersonService.
// RemoveMember citing the proposal).
//
// Example:
//   std::vector<PlannedWarning> plan = PlanWarnings(
//       v1::WARNING_CAUSE_ABSENCE, 2026, {3, 5}, evidence,
//       rules.early_warnings(), existing);
//   for (const PlannedWarning& w : plan) ... store w.warning as w.id ...

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_EARLY_WARNINGS_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_EARLY_WARNINGS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "partydev/membership/v1/lifecycle.pb.h"
#include "partydev/membership/v1/rules.pb.h"
#include "partydev/membership/v1/warnings.pb.h"
#include "services/membership/domain/violations.h"

namespace partydev::membership::domain {

// The derived id of the warning of `level` for `cause` in `year`; the
// removal proposal's id names no cause (one per member and year).
std::string WarningId(int year, v1::WarningCause cause, v1::WarningLevel level);

// The highest level `months` counted months reach (UNSPECIFIED: none). A
// threshold of 0 in the rule set disables its level.
v1::WarningLevel LevelReached(int months, const v1::EarlyWarningRules& rules);

// The ground of a cause as MemberWarningRaised names it: "attendance" or
// "dues".
std::string GroundOf(v1::WarningCause cause);

// True when `evidence` (an attendance or a dues statement name) belongs to
// `cause`.
bool IsEvidenceOf(v1::WarningCause cause, absl::string_view evidence);

// A warning to store, new or changed.
struct PlannedWarning {
  std::string id;            // its derived id
  v1::EarlyWarning warning;  // name, organization, stamps, rule_set unset
                             // when new (the caller's to fill)
  bool is_new = false;
  // A MemberWarningRaised event is due: the level that now stands was
  // raised, or the cause joined a removal proposal. The lower levels
  // raised at the same time (born ESCALATED) are not announced, so a
  // member whose three months are found at once is told once.
  bool announce = false;
};

// What `months` (1..12, any order, duplicates ignored) of `cause` in
// `year`, with their `evidence`, mean given the person's `existing`
// warnings of that year (by id): the warnings to write. Empty when nothing
// changes, so a replay writes nothing. RESOLVED warnings are never
// changed.
std::vector<PlannedWarning> PlanWarnings(
    v1::WarningCause cause, int year, const std::vector<int>& months,
    const std::vector<std::string>& evidence,
    const v1::EarlyWarningRules& rules,
    const std::map<std::string, v1::EarlyWarning>& existing);

// Whether a warning may receive a follow-up (OPEN or FOLLOWED_UP), and be
// resolved by a caller (not RESOLVED; not with MEMBER_REMOVED, which only
// RemoveMember sets): "" when allowed, else why, in Vietnamese.
std::string FollowUpRefusal(const v1::EarlyWarning& warning);
std::string ResolveRefusal(const v1::EarlyWarning& warning,
                           v1::WarningResolution resolution);

// removal.months_in_year (Party Charter, art. 8: a member who without good
// reason misses party meetings, or does not pay dues, for three months in a
// year): the attendance ground (ABANDONED_ACTIVITY) and the dues ground
// (DUES_UNPAID) of a removal stand only on a standing removal proposal of
// that cause in the year of the cell's vote or the year before. The server
// raises that proposal itself, from the member's attendances and dues
// statements, when the months of one year reach the rule set's number, and
// closes it when the records are corrected or a good reason is accepted;
// so the months are checked from the records, not taken from the request.
// Adds to `unmet` one violation per such ground without one.
void CheckRemovalMonths(const google::protobuf::RepeatedField<int>& grounds,
                        const std::vector<v1::EarlyWarning>& warnings,
                        int vote_year, const std::string& subject,
                        Violations& unmet);

}  // namespace partydev::membership::domain

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_EARLY_WARNINGS_H_
