// File: services/membership/domain/working_days.h
//
// The working-day calendar that every deadline "in working days" counts
// with: the admission decision within 60 working days of the cell's
// resolution, the ceremony within 30 of receiving the decision, the
// recognition vote within 30 after probation (domain.md). A working day is a
// day that is not a weekend day (Saturday and Sunday by default) and not a
// day off (public holiday, compensatory day off, swapped day), unless it is
// a make-up working day (a Saturday worked in exchange for a swapped day).
//
// The calendar is configuration: services/membership/rules/calendar_vn.json
// holds the Vietnamese public holidays of each year (Bộ luật Lao động 2019,
// Điều 112) with the days the Prime Minister swapped. Tết Nguyên đán and Giỗ
// Tổ Hùng Vương follow the lunar calendar, so their solar dates differ every
// year and must be checked against the government's yearly announcement; the
// file marks which years are announced and which are estimated. Years are
// edited through AdministrationService.UpdateWorkingDayCalendar.
//
// A day outside the years the calendar holds is an error (FAILED_PRECONDITION
// naming the year), never silently a working day: a deadline computed with a
// missing Tết would be wrong by a week.
//
// Example:
//   absl::StatusOr<WorkingDayCalendar> calendar =
//       WorkingDayCalendar::LoadFile("services/membership/rules/calendar_vn.json");
//   // The 60th working day after the cell's resolution of 2024-01-15 is the
//   // last day on which the admission decision is on time.
//   absl::StatusOr<absl::CivilDay> due =
//       calendar->AddWorkingDays(absl::CivilDay(2024, 1, 15), 60);

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_WORKING_DAYS_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_WORKING_DAYS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "partydev/membership/v1/administration.pb.h"

namespace partydev::membership::domain {

class WorkingDayCalendar {
 public:
  // Reads a calendar file (see ParseJson for the format). NOT_FOUND when
  // the file cannot be read.
  static absl::StatusOr<WorkingDayCalendar> LoadFile(const std::string& path);

  // Parses the calendar file format:
  //   {"calendars": [{"status": "ANNOUNCED" | "ESTIMATED",
  //                   "note": "...",
  //                   "calendar": <partydev.membership.v1.WorkingDayCalendar
  //                                in proto JSON>}, ...],
  //    ...other top-level keys are comments}
  // INVALID_ARGUMENT naming the entry for a malformed entry.
  static absl::StatusOr<WorkingDayCalendar> ParseJson(absl::string_view json);

  // Builds a calendar from one message per year. `estimated_years` are the
  // years whose days off are not yet announced. INVALID_ARGUMENT naming the
  // field when a year appears twice, a date is invalid or in another year,
  // a holiday falls on a weekend day, a make-up day is not a weekend day,
  // or a weekday is outside 1..7.
  static absl::StatusOr<WorkingDayCalendar> FromYears(
      std::vector<v1::WorkingDayCalendar> years,
      std::vector<int> estimated_years = {});

  // True when the calendar holds `year`.
  bool CoversYear(int year) const;

  // True when the days off of `year` are estimated rather than announced
  // (false for a year the calendar does not hold).
  bool IsEstimated(int year) const;

  // Whether `day` is a working day; FAILED_PRECONDITION when its year is
  // not in the calendar.
  absl::StatusOr<bool> IsWorkingDay(absl::CivilDay day) const;

  // The n-th working day after `from` (`from` itself not counted; n = 0
  // gives `from`). The act is on time on the returned day and late the day
  // after: "within 60 working days of the resolution" is
  // AddWorkingDays(resolution, 60). INVALID_ARGUMENT for n < 0;
  // FAILED_PRECONDITION when the count leaves the calendar's years.
  absl::StatusOr<absl::CivilDay> AddWorkingDays(absl::CivilDay from,
                                                int n) const;

  // The working days d with a < d <= b, so that
  // WorkingDaysBetween(a, AddWorkingDays(a, n)) == n; negative when b < a.
  // FAILED_PRECONDITION when a day counted is outside the calendar.
  absl::StatusOr<int> WorkingDaysBetween(absl::CivilDay a,
                                         absl::CivilDay b) const;

  // The messages of every year, oldest first, with `name`, `year`,
  // default `weekend_days` and `working_days` filled in (what
  // AdministrationService.GetWorkingDayCalendar returns).
  const std::vector<v1::WorkingDayCalendar>& years() const { return years_; }

 private:
  struct Year {
    absl::flat_hash_set<int> weekend_days;  // ISO weekdays, 1 = Monday.
    absl::flat_hash_set<absl::CivilDay> days_off;
    absl::flat_hash_set<absl::CivilDay> make_up_days;
    bool estimated = false;
  };

  std::vector<v1::WorkingDayCalendar> years_;
  std::map<int, Year> by_year_;
};

}  // namespace partydev::membership::domain

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_WORKING_DAYS_H_
