#include "services/membership/calendar_store.h"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"

namespace partydev::membership {

std::string CalendarName(int year) {
  return absl::StrCat("workingDayCalendars/", year);
}

std::string CalendarIndexKey(const std::string& prefix) {
  return prefix + "calendars";
}

absl::StatusOr<domain::WorkingDayCalendar> MergeCalendar(
    const domain::WorkingDayCalendar& shipped,
    const std::vector<v1::WorkingDayCalendar>& updated) {
  std::map<int, v1::WorkingDayCalendar> years;
  std::vector<int> estimated;
  for (const auto& year : shipped.years()) years[year.year()] = year;
  for (const auto& year : updated) years[year.year()] = year;
  for (const auto& [year, calendar] : years) {
    bool was_updated = false;
    for (const auto& u : updated) was_updated |= u.year() == year;
    if (!was_updated && shipped.IsEstimated(year)) estimated.push_back(year);
  }
  std::vector<v1::WorkingDayCalendar> merged;
  for (auto& [year, calendar] : years) {
    // Output-only fields are recomputed by FromYears.
    calendar.clear_working_days();
    calendar.clear_etag();
    merged.push_back(std::move(calendar));
  }
  return domain::WorkingDayCalendar::FromYears(std::move(merged),
                                               std::move(estimated));
}

absl::Status RefreshCalendar(MembershipContext& context) {
  RecordStore& records = context.records();
  absl::StatusOr<std::vector<std::string>> names =
      records.All(CalendarIndexKey(context.prefix()));
  if (!names.ok()) return names.status();
  absl::StatusOr<std::vector<Stored<v1::WorkingDayCalendar>>> stored =
      records.GetMany<v1::WorkingDayCalendar>(*names);
  if (!stored.ok()) return stored.status();
  std::string fingerprint;
  std::vector<v1::WorkingDayCalendar> updated;
  for (auto& s : *stored) {
    absl::StrAppend(&fingerprint, s.message.name(), "@", s.version, ";");
    updated.push_back(std::move(s.message));
  }
  if (fingerprint == context.calendar_fingerprint()) return absl::OkStatus();
  absl::StatusOr<domain::WorkingDayCalendar> merged =
      MergeCalendar(context.shipped_calendar(), updated);
  if (!merged.ok()) return merged.status();
  context.ReplaceCalendar(*std::move(merged), std::move(fingerprint));
  return absl::OkStatus();
}

absl::StatusOr<Stored<v1::WorkingDayCalendar>> StoredCalendarYear(
    MembershipContext& context, int year) {
  absl::StatusOr<Stored<v1::WorkingDayCalendar>> stored =
      context.records().Get<v1::WorkingDayCalendar>(CalendarName(year));
  if (absl::IsNotFound(stored.status())) {
    return Stored<v1::WorkingDayCalendar>{};
  }
  return stored;
}

}  // namespace partydev::membership
