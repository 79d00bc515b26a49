// File: tests/notification/domain/test_support.h
//
// Helpers of notifyd's domain tests: a working-day calendar with weekends
// and listed days off, and an organisation tree built from plain rows.

#ifndef PARTYDEV_TESTS_NOTIFICATION_DOMAIN_TEST_SUPPORT_H_
#define PARTYDEV_TESTS_NOTIFICATION_DOMAIN_TEST_SUPPORT_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/dates.h"
#include "common/org_tree.h"
#include "services/notification/domain/working_days.h"

namespace partydev::notification::domain::testing {

// Saturday and Sunday off, plus `days_off`.
class WeekendCalendar : public WorkingDays {
 public:
  explicit WeekendCalendar(std::vector<absl::CivilDay> days_off = {})
      : days_off_(days_off.begin(), days_off.end()) {}

  bool IsWorking(absl::CivilDay day) const {
    const absl::Weekday w = absl::GetWeekday(day);
    return w != absl::Weekday::saturday && w != absl::Weekday::sunday &&
           !days_off_.contains(day);
  }

  absl::StatusOr<absl::CivilDay> AddWorkingDays(absl::CivilDay from,
                                                int n) const override {
    const int step = n < 0 ? -1 : 1;
    for (int left = n < 0 ? -n : n; left > 0;) {
      from += step;
      if (IsWorking(from)) --left;
    }
    return from;
  }

 private:
  absl::flat_hash_set<absl::CivilDay> days_off_;
};

// One organisation version: name, parent, level, party or not, from/until.
struct OrgRow {
  std::string name;
  std::string parent;
  std::string level;
  bool party = true;
  absl::CivilDay from = absl::CivilDay(2000, 1, 1);
  // Last day; CivilDay::max() while it exists.
  absl::CivilDay until = absl::CivilDay::max();
  std::string kind = "";
};

// A tree of the rows; several rows with one name are successive versions
// (in order).
inline std::unique_ptr<OrgTree> BuildTree(const std::vector<OrgRow>& rows) {
  std::vector<storage::v1::OrganizationHistory> histories;
  absl::flat_hash_map<std::string, size_t> index;
  histories.reserve(rows.size());
  for (const OrgRow& row : rows) {
    auto [it, inserted] = index.try_emplace(row.name, histories.size());
    if (inserted) {
      histories.emplace_back();
      histories.back().set_name(row.name);
    }
    storage::v1::OrganizationVersion* v = histories[it->second].add_versions();
    events::v1::OrganizationSnapshot* s = v->mutable_snapshot();
    s->set_name(row.name);
    s->set_parent(row.parent);
    s->set_display_name("Tên " + row.name.substr(row.name.find('/') + 1));
    s->set_level(row.level);
    s->set_kind(row.kind.empty() ? row.level : row.kind);
    s->set_is_party_organization(row.party);
    *v->mutable_valid_from() = FromCivilDay(row.from);
    if (row.until != absl::CivilDay::max()) {
      *v->mutable_valid_until() = FromCivilDay(row.until);
    }
  }
  return std::make_unique<OrgTree>(std::move(histories), 1);
}

}  // namespace partydev::notification::domain::testing

#endif  // PARTYDEV_TESTS_NOTIFICATION_DOMAIN_TEST_SUPPORT_H_
