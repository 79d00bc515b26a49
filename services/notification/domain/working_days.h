// File: services/notification/domain/working_days.h
//
// The working-day arithmetic that acknowledgement deadlines and working-day
// reminder offsets need ("xác nhận trong 3 ngày làm việc"), as an interface.
// The calendar itself (weekends, Vietnamese public holidays, swapped days)
// is configuration owned by membership (services/membership/domain/
// working_days.h, WorkingDayCalendar); notifyd's rules take it through this
// interface so that the pure domain neither copies the calendar nor links
// membership. The service adapts the calendar named by the rule set's
// `working_day_calendar`; tests give a weekend-only one.

#ifndef PARTYDEV_SERVICES_NOTIFICATION_DOMAIN_WORKING_DAYS_H_
#define PARTYDEV_SERVICES_NOTIFICATION_DOMAIN_WORKING_DAYS_H_

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

namespace partydev::notification::domain {

class WorkingDays {
 public:
  virtual ~WorkingDays() = default;

  // The n-th working day after `from` (`from` itself not counted; n = 0
  // gives `from`); for n < 0 the |n|-th working day before `from`.
  // FAILED_PRECONDITION when the count leaves the calendar's years (a
  // missing Tết must never silently become a working day).
  virtual absl::StatusOr<absl::CivilDay> AddWorkingDays(absl::CivilDay from,
                                                        int n) const = 0;
};

}  // namespace partydev::notification::domain

#endif  // PARTYDEV_SERVICES_NOTIFICATION_DOMAIN_WORKING_DAYS_H_
