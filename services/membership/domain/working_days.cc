#include "services/membership/domain/working_days.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/errors.h"
#include "common/json_config.h"
#include "nlohmann/json.hpp"

namespace partydev::membership::domain {
namespace {

int IsoWeekday(absl::CivilDay day) {
  return static_cast<int>(absl::GetWeekday(day)) + 1;  // monday == 0.
}

absl::Status NotCovered(int64_t year) {
  return absl::FailedPreconditionError(absl::StrCat(
      "the working-day calendar has no year ", year,
      "; add it (UpdateWorkingDayCalendar) with that year's holidays"));
}

}  // namespace

absl::StatusOr<WorkingDayCalendar> WorkingDayCalendar::LoadFile(
    const std::string& path) {
  absl::StatusOr<std::string> text = ReadTextFile(path);
  if (!text.ok()) return text.status();
  absl::StatusOr<WorkingDayCalendar> calendar = ParseJson(*text);
  if (!calendar.ok()) {
    return absl::Status(calendar.status().code(),
                        absl::StrCat(path, ": ", calendar.status().message()));
  }
  return calendar;
}

absl::StatusOr<WorkingDayCalendar> WorkingDayCalendar::ParseJson(
    absl::string_view json) {
  const nlohmann::json root = nlohmann::json::parse(
      json.begin(), json.end(), /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object() || !root.contains("calendars") ||
      !root["calendars"].is_array()) {
    return InvalidField("calendars",
                        "the file must be a JSON object with an array "
                        "\"calendars\"");
  }
  std::vector<v1::WorkingDayCalendar> years;
  std::vector<int> estimated;
  int i = 0;
  for (const nlohmann::json& entry : root["calendars"]) {
    const std::string where = absl::StrCat("calendars[", i++, "]");
    if (!entry.is_object() || !entry.contains("calendar")) {
      return InvalidField(where, "must be an object with \"calendar\"");
    }
    const std::string status = entry.value("status", "");
    if (status != "ANNOUNCED" && status != "ESTIMATED") {
      return InvalidField(absl::StrCat(where, ".status"),
                          "must be \"ANNOUNCED\" or \"ESTIMATED\"");
    }
    v1::WorkingDayCalendar year;
    absl::Status parsed = ParseProtoJson(
        entry["calendar"].dump(), absl::StrCat(where, ".calendar"), &year);
    if (!parsed.ok()) return parsed;
    if (status == "ESTIMATED") estimated.push_back(year.year());
    years.push_back(std::move(year));
  }
  return FromYears(std::move(years), std::move(estimated));
}

absl::StatusOr<WorkingDayCalendar> WorkingDayCalendar::FromYears(
    std::vector<v1::WorkingDayCalendar> years, std::vector<int> estimated) {
  std::sort(years.begin(), years.end(),
            [](const auto& a, const auto& b) { return a.year() < b.year(); });
  WorkingDayCalendar out;
  for (v1::WorkingDayCalendar& msg : years) {
    const std::string field = absl::StrCat("calendars[year=", msg.year(), "]");
    if (msg.year() < 1900 || msg.year() > 9999) {
      return InvalidField(absl::StrCat(field, ".year"), "must be 1900..9999");
    }
    if (out.by_year_.count(msg.year()) > 0) {
      return InvalidField(field, "appears twice");
    }
    Year year;
    year.estimated = std::find(estimated.begin(), estimated.end(),
                               msg.year()) != estimated.end();
    if (msg.weekend_days().empty()) {
      msg.add_weekend_days(6);
      msg.add_weekend_days(7);
    }
    for (int weekday : msg.weekend_days()) {
      if (weekday < 1 || weekday > 7) {
        return InvalidField(absl::StrCat(field, ".weekend_days"),
                            "ISO weekdays are 1 (Monday) to 7 (Sunday)");
      }
      year.weekend_days.insert(weekday);
    }
    for (int h = 0; h < msg.holidays_size(); ++h) {
      const v1::Holiday& holiday = msg.holidays(h);
      const std::string hfield = absl::StrCat(field, ".holidays[", h, "]");
      absl::StatusOr<absl::CivilDay> day =
          ToCivilDay(holiday.date(), absl::StrCat(hfield, ".date"));
      if (!day.ok()) return day.status();
      if (day->year() != msg.year()) {
        return InvalidField(absl::StrCat(hfield, ".date"),
                            "is not in the calendar's year");
      }
      if (year.weekend_days.count(IsoWeekday(*day)) > 0) {
        return InvalidField(absl::StrCat(hfield, ".date"),
                            absl::StrCat(FormatDay(*day),
                                         " is a weekend day; record the "
                                         "compensatory day off instead"));
      }
      if (holiday.kind() == v1::HOLIDAY_KIND_UNSPECIFIED) {
        return InvalidField(absl::StrCat(hfield, ".kind"), "is required");
      }
      if (holiday.name().empty()) {
        return InvalidField(absl::StrCat(hfield, ".name"), "is required");
      }
      if (!year.days_off.insert(*day).second) {
        return InvalidField(absl::StrCat(hfield, ".date"), "appears twice");
      }
    }
    for (int m = 0; m < msg.make_up_working_days_size(); ++m) {
      const std::string mfield =
          absl::StrCat(field, ".make_up_working_days[", m, "]");
      absl::StatusOr<absl::CivilDay> day =
          ToCivilDay(msg.make_up_working_days(m), mfield);
      if (!day.ok()) return day.status();
      if (day->year() != msg.year() ||
          year.weekend_days.count(IsoWeekday(*day)) == 0) {
        return InvalidField(mfield, absl::StrCat(FormatDay(*day),
                                                 " is not a weekend day of "
                                                 "the calendar's year"));
      }
      year.make_up_days.insert(*day);
    }
    if (msg.name().empty()) {
      msg.set_name(absl::StrCat("workingDayCalendars/", msg.year()));
    }
    int working = 0;
    for (absl::CivilDay d(msg.year(), 1, 1); d.year() == msg.year(); ++d) {
      const bool weekend = year.weekend_days.count(IsoWeekday(d)) > 0;
      if (year.make_up_days.count(d) > 0 ||
          (!weekend && year.days_off.count(d) == 0)) {
        ++working;
      }
    }
    msg.set_working_days(working);
    out.by_year_.emplace(msg.year(), std::move(year));
  }
  out.years_ = std::move(years);
  return out;
}

bool WorkingDayCalendar::CoversYear(int year) const {
  return by_year_.count(year) > 0;
}

bool WorkingDayCalendar::IsEstimated(int year) const {
  auto it = by_year_.find(year);
  return it != by_year_.end() && it->second.estimated;
}

absl::StatusOr<bool> WorkingDayCalendar::IsWorkingDay(
    absl::CivilDay day) const {
  auto it = by_year_.find(static_cast<int>(day.year()));
  if (it == by_year_.end()) return NotCovered(day.year());
  const Year& year = it->second;
  if (year.make_up_days.count(day) > 0) return true;
  if (year.weekend_days.count(IsoWeekday(day)) > 0) return false;
  return year.days_off.count(day) == 0;
}

absl::StatusOr<absl::CivilDay> WorkingDayCalendar::AddWorkingDays(
    absl::CivilDay from, int n) const {
  if (n < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("working days to add must be >= 0, got ", n));
  }
  absl::CivilDay day = from;
  for (int counted = 0; counted < n;) {
    ++day;
    absl::StatusOr<bool> working = IsWorkingDay(day);
    if (!working.ok()) return working.status();
    if (*working) ++counted;
  }
  return day;
}

absl::StatusOr<int> WorkingDayCalendar::WorkingDaysBetween(
    absl::CivilDay a, absl::CivilDay b) const {
  if (b < a) {
    absl::StatusOr<int> reverse = WorkingDaysBetween(b, a);
    if (!reverse.ok()) return reverse.status();
    return -*reverse;
  }
  int count = 0;
  for (absl::CivilDay day = a + 1; day <= b; ++day) {
    absl::StatusOr<bool> working = IsWorkingDay(day);
    if (!working.ok()) return working.status();
    if (*working) ++count;
  }
  return count;
}

}  // namespace partydev::membership::domain
