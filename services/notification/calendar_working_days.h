// File: services/notification/calendar_working_days.h
//
// notifyd's working days (domain/working_days.h) over membership's
// working-day calendar (services/membership/domain/working_days.h: weekends,
// Vietnamese public holidays, swapped days), so that "acknowledge within 3
// working days" counts the same days in both services from one calendar
// file (rules/calendar_vn.json is a link to membership's).

#ifndef PARTYDEV_SERVICES_NOTIFICATION_CALENDAR_WORKING_DAYS_H_
#define PARTYDEV_SERVICES_NOTIFICATION_CALENDAR_WORKING_DAYS_H_

#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "services/membership/domain/working_days.h"
#include "services/notification/domain/working_days.h"

namespace partydev::notification {

class CalendarWorkingDays final : public domain::WorkingDays {
 public:
  explicit CalendarWorkingDays(membership::domain::WorkingDayCalendar calendar)
      : calendar_(std::move(calendar)) {}

  // Loads the calendar file (membership's JSON format).
  static absl::StatusOr<CalendarWorkingDays> LoadFile(const std::string& path);

  // Forwards for n >= 0; for n < 0 walks back over the calendar's days.
  absl::StatusOr<absl::CivilDay> AddWorkingDays(absl::CivilDay from,
                                                int n) const override;

 private:
  membership::domain::WorkingDayCalendar calendar_;
};

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_CALENDAR_WORKING_DAYS_H_
