#include "common/dates.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/errors.h"

namespace partydev {
namespace {

int DaysInMonth(int64_t year, int month) {
  const absl::CivilMonth next = absl::CivilMonth(year, month) + 1;
  return static_cast<int>(absl::CivilDay(next) - absl::CivilDay(next - 1));
}

}  // namespace

Date MakeDate(int year, int month, int day) {
  Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

bool IsUnset(const Date& date) {
  return date.year() == 0 && date.month() == 0 && date.day() == 0;
}

bool IsValidDate(const Date& date) {
  if (date.year() < 1900 || date.year() > 9999) return false;
  if (date.month() < 1 || date.month() > 12) return false;
  return date.day() >= 1 &&
         date.day() <= DaysInMonth(date.year(), date.month());
}

absl::Status ValidateDate(const Date& date, absl::string_view field) {
  FieldChecker check;
  CheckDate(date, field, check);
  return check.status();
}

void CheckDate(const Date& date, absl::string_view field, FieldChecker& check) {
  if (IsUnset(date)) {
    check.Add(field, "is required");
  } else if (!IsValidDate(date)) {
    check.Add(field, absl::StrFormat("%04d-%02d-%02d is not a valid date",
                                     date.year(), date.month(), date.day()));
  }
}

absl::StatusOr<absl::CivilDay> ToCivilDay(const Date& date,
                                          absl::string_view field) {
  absl::Status valid = ValidateDate(date, field);
  if (!valid.ok()) return valid;
  return CivilDayOf(date);
}

absl::CivilDay CivilDayOf(const Date& date) {
  return absl::CivilDay(date.year(), date.month(), date.day());
}

Date FromCivilDay(absl::CivilDay day) {
  return MakeDate(static_cast<int>(day.year()), day.month(), day.day());
}

absl::CivilDay AddMonths(absl::CivilDay day, int months) {
  const absl::CivilMonth target = absl::CivilMonth(day) + months;
  const int last = DaysInMonth(target.year(), target.month());
  return absl::CivilDay(target.year(), target.month(),
                        day.day() < last ? day.day() : last);
}

int FullMonthsBetween(absl::CivilDay from, absl::CivilDay to) {
  if (to < from) return 0;
  // The calendar-month difference is an upper bound; step back while the
  // anniversary falls after `to` (at most once).
  int months = static_cast<int>(absl::CivilMonth(to) - absl::CivilMonth(from));
  while (months > 0 && AddMonths(from, months) > to) --months;
  return months;
}

int FullYearsBetween(absl::CivilDay from, absl::CivilDay to) {
  return FullMonthsBetween(from, to) / 12;
}

absl::CivilDay ValidUntil(absl::CivilDay issued, int months) {
  return AddMonths(issued, months);
}

std::string FormatDay(absl::CivilDay day) {
  return absl::StrFormat("%02d/%02d/%04d", day.day(), day.month(), day.year());
}

std::string FormatDate(const Date& date) { return FormatDay(CivilDayOf(date)); }

std::string FormatMonths(int months) {
  if (months < 12) {
    return absl::StrCat(months, " tháng");
  }
  const int years = months / 12;
  const int rest = months % 12;
  if (rest == 0) return absl::StrCat(months, " tháng (", years, " năm)");
  return absl::StrCat(months, " tháng (", years, " năm ", rest, " tháng)");
}

}  // namespace partydev
