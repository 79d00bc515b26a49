// File: common/dates.h
//
// Civil dates for the rules of every service: partydev.common.v1.Date (the wire
// type of every act: decisions, ballots, ceremonies) converted to and from
// absl::CivilDay (the type the rules compute with), and the two month
// computations the Charter's periods need: full months between two dates
// (ages, shared months, waiting periods) and a date some months later
// (probation, validity of documents).
//
// Example:
//   absl::StatusOr<absl::CivilDay> born = ToCivilDay(person.date_of_birth(),
//                                                    "person.date_of_birth");
//   if (!born.ok()) return born.status();  // INVALID_ARGUMENT naming it.
//   int age = FullMonthsBetween(*born, absl::CivilDay(2024, 3, 31));
//   // Born 2006-03-31: age == 216, full 18 years on 2024-03-31.
//   absl::CivilDay ends = AddMonths(absl::CivilDay(2024, 1, 31), 1);
//   // ends == 2024-02-29: February has no 31st, so its last day.
//
// The month-end rule. A period of months ends on the day of the last month
// that has the same number as the day it started from; when that month has
// no such day, it ends on the month's last day. This is Bộ luật Dân sự 2015
// (Civil Code), Điều 148 khoản 3, which Party documents follow for periods
// in months ("12 tháng kể từ ngày kết nạp"). Hence:
//   AddMonths(2024-01-31, 1)  == 2024-02-29
//   AddMonths(2024-01-31, 12) == 2025-01-31
//   AddMonths(2024-02-29, 12) == 2025-02-28
// and FullMonthsBetween(a, b) is the largest n with AddMonths(a, n) <= b, so
// that a person born 2004-02-29 is full 18 years (216 months) on 2022-02-28
// and a person born 2006-03-31 is 215 months old on 2024-03-30.

#ifndef PARTYDEV_COMMON_DATES_H_
#define PARTYDEV_COMMON_DATES_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/errors.h"
#include "partydev/common/v1/types.pb.h"

namespace partydev {

using Date = ::partydev::common::v1::Date;

// Returns a Date with the given fields (no validation).
Date MakeDate(int year, int month, int day);

// True when no field of `date` is set (proto3's "empty": the field was not
// given).
bool IsUnset(const Date& date);

// True when `date` is a real day of the Gregorian calendar with a year in
// 1900..9999 (the range types.proto documents).
bool IsValidDate(const Date& date);

// OK for a valid date; INVALID_ARGUMENT naming `field` otherwise ("is
// required" for an unset date, "is not a valid date" for 2023-02-29).
absl::Status ValidateDate(const Date& date, absl::string_view field);

// Adds the problem of `date` at request path `field` to `check`, if any
// (the same problems as ValidateDate), so that a request's every bad date
// is reported at once.
void CheckDate(const Date& date, absl::string_view field, FieldChecker& check);

// The civil day of a valid `date`, or INVALID_ARGUMENT naming `field`.
absl::StatusOr<absl::CivilDay> ToCivilDay(const Date& date,
                                          absl::string_view field);

// The civil day of a date the caller has already validated. A date that is
// not valid gives absl::CivilDay's normalisation (2023-02-29 → 2023-03-01);
// use ToCivilDay for input.
absl::CivilDay CivilDayOf(const Date& date);

// The Date of `day`.
Date FromCivilDay(absl::CivilDay day);

// `day` plus `months` (may be negative), with the month-end rule above.
absl::CivilDay AddMonths(absl::CivilDay day, int months);

// Full months from `from` to `to`: the largest n >= 0 with
// AddMonths(from, n) <= to; 0 when `to` is before `from`.
int FullMonthsBetween(absl::CivilDay from, absl::CivilDay to);

// Full years from `from` to `to` (FullMonthsBetween / 12).
int FullYearsBetween(absl::CivilDay from, absl::CivilDay to);

// The last day a document is valid when it is valid for `months` from
// `issued`: AddMonths(issued, months). A certificate issued 2020-01-15 and
// valid 60 months is valid up to and including 2025-01-15 (Civil Code art.
// 148: the period ends at the end of the corresponding day).
absl::CivilDay ValidUntil(absl::CivilDay issued, int months);

// "31/03/2024": the day/month/year form a cell secretary reads.
std::string FormatDay(absl::CivilDay day);

// FormatDay of a validated date.
std::string FormatDate(const Date& date);

// "8 tháng", "216 tháng (18 năm)", "27 tháng (2 năm 3 tháng)": a month
// count in words.
std::string FormatMonths(int months);

}  // namespace partydev

#endif  // PARTYDEV_COMMON_DATES_H_
