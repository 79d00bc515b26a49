#include "services/membership/domain/party_age.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/errors.h"

namespace partydev::membership::domain {

absl::StatusOr<v1::PartyAge> ComputePartyAge(
    const ::partydev::common::v1::Date& first_admitted_on,
    const std::vector<v1::PartyAgeGap>& gaps,
    const ::partydev::common::v1::Date& as_of, const v1::DuesRules& dues) {
  FieldChecker check;
  CheckDate(first_admitted_on, "first_admitted_on", check);
  CheckDate(as_of, "as_of", check);
  for (size_t i = 0; i < gaps.size(); ++i) {
    const std::string field = absl::StrCat("gaps[", i, "]");
    CheckDate(gaps[i].starts_on(), field + ".starts_on", check);
    CheckDate(gaps[i].ends_on(), field + ".ends_on", check);
    if (IsValidDate(gaps[i].starts_on()) && IsValidDate(gaps[i].ends_on()) &&
        CivilDayOf(gaps[i].ends_on()) < CivilDayOf(gaps[i].starts_on())) {
      check.Add(field + ".ends_on", "is before starts_on");
    }
  }
  if (!check.ok()) return check.status();

  const absl::CivilDay first = CivilDayOf(first_admitted_on);
  const absl::CivilDay day = CivilDayOf(as_of);
  // Gap periods clipped to [first, day], merged, counted once.
  std::vector<std::pair<absl::CivilDay, absl::CivilDay>> spans;
  for (const v1::PartyAgeGap& gap : gaps) {
    const absl::CivilDay from = std::max(first, CivilDayOf(gap.starts_on()));
    const absl::CivilDay to = std::min(day, CivilDayOf(gap.ends_on()));
    if (from <= to) spans.emplace_back(from, to);
  }
  std::sort(spans.begin(), spans.end());
  int64_t gap_days = 0;
  absl::CivilDay covered_to = first - 1;
  for (const auto& [from, to] : spans) {
    const absl::CivilDay start = std::max(from, covered_to + 1);
    if (start <= to) gap_days += (to - start) + 1;
    covered_to = std::max(covered_to, to);
  }
  const absl::CivilDay moved_start = first + gap_days;

  v1::PartyAge age;
  *age.mutable_as_of() = as_of;
  *age.mutable_first_admitted_on() = first_admitted_on;
  std::vector<v1::PartyAgeGap> sorted = gaps;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const v1::PartyAgeGap& a, const v1::PartyAgeGap& b) {
                     return CivilDayOf(a.starts_on()) <
                            CivilDayOf(b.starts_on());
                   });
  for (v1::PartyAgeGap& gap : sorted) *age.add_gaps() = std::move(gap);
  const int months = FullMonthsBetween(moved_start, day);
  age.set_months(months);
  age.set_years(months / 12);
  if (dues.free_from_party_age_years() > 0) {
    *age.mutable_dues_free_from() = FromCivilDay(
        AddMonths(moved_start, dues.free_from_party_age_years() * 12));
  }
  return age;
}

}  // namespace partydev::membership::domain
