// File: services/membership/calendar_store.h
//
// The working-day calendar as admins update it (UpdateWorkingDayCalendar,
// e.g. when the government announces the Tết days off): each updated year
// is a record "workingDayCalendars/{year}" that replaces the shipped file's
// year (services/membership/rules/calendar_vn.json). Every replica puts the
// stored years in force when it refreshes: at start, after an update, and
// at each deadline scan.
//
// Keys (P is membership's prefix):
//   P r:workingDayCalendars/<year>   record {v, d: v1.WorkingDayCalendar}
//   P calendars                      zset (score 0) of the updated years'
//                                    names
//
// Deadlines already recorded keep the dates they were announced with;
// deadlines computed after an update use the updated calendar.

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_CALENDAR_STORE_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_CALENDAR_STORE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/atomic_write.h"
#include "partydev/membership/v1/administration.pb.h"
#include "services/membership/domain/working_days.h"
#include "services/membership/membership_context.h"

namespace partydev::membership {

// The shipped calendar with `updated` years replacing (or adding) its
// years; updated years are announced, not estimated. INVALID_ARGUMENT
// naming the field when a year is not valid (FromYears's rules).
absl::StatusOr<domain::WorkingDayCalendar> MergeCalendar(
    const domain::WorkingDayCalendar& shipped,
    const std::vector<v1::WorkingDayCalendar>& updated);

// The record name of a year's calendar.
std::string CalendarName(int year);

// The index of updated years.
std::string CalendarIndexKey(const std::string& prefix);

// Loads the updated years and puts the merged calendar in force in
// `context` when they changed since its last refresh (two reads when
// nothing changed).
absl::Status RefreshCalendar(MembershipContext& context);

// The updated record of `year`, if any (version 0 when the year was never
// updated).
absl::StatusOr<Stored<v1::WorkingDayCalendar>> StoredCalendarYear(
    MembershipContext& context, int year);

}  // namespace partydev::membership

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_CALENDAR_STORE_H_
