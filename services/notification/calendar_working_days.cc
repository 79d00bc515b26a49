#include "services/notification/calendar_working_days.h"

namespace partydev::notification {

absl::StatusOr<CalendarWorkingDays> CalendarWorkingDays::LoadFile(
    const std::string& path) {
  absl::StatusOr<membership::domain::WorkingDayCalendar> calendar =
      membership::domain::WorkingDayCalendar::LoadFile(path);
  if (!calendar.ok()) return calendar.status();
  return CalendarWorkingDays(*std::move(calendar));
}

absl::StatusOr<absl::CivilDay> CalendarWorkingDays::AddWorkingDays(
    absl::CivilDay from, int n) const {
  if (n >= 0) return calendar_.AddWorkingDays(from, n);
  absl::CivilDay day = from;
  for (int left = -n; left > 0;) {
    --day;
    absl::StatusOr<bool> working = calendar_.IsWorkingDay(day);
    if (!working.ok()) return working.status();
    if (*working) --left;
  }
  return day;
}

}  // namespace partydev::notification
