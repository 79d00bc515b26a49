// File: services/quota/domain/periods.h
//
// The spans that targets, counts and reports refer to: a congress term, or
// one calendar year of it clipped to the term's dates (the year a term
// starts or ends in is a partial year), and the arithmetic of time elapsed
// in them. Pure: no I/O.
//
//   absl::StatusOr<PeriodSpan> span = SpanOf(term, 2024);   // 2024 in
//   2020-2025 double share = ElapsedShare(*span, absl::CivilDay(2024, 7, 1));

#ifndef PARTYDEV_SERVICES_QUOTA_DOMAIN_PERIODS_H_
#define PARTYDEV_SERVICES_QUOTA_DOMAIN_PERIODS_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "partydev/quota/v1/terms.pb.h"

namespace partydev::quota::domain {

// First and last day of a period, both inclusive.
struct PeriodSpan {
  absl::CivilDay start;
  absl::CivilDay end;

  bool Contains(absl::CivilDay day) const { return start <= day && day <= end; }
  // Number of days, inclusive of both ends.
  int Days() const { return static_cast<int>(end - start) + 1; }
};

// The calendar years overlapping [start, end], ascending.
std::vector<int> YearsOf(absl::CivilDay start, absl::CivilDay end);

// The span of `term` (year 0), or of `year` clipped to the term.
// INVALID_ARGUMENT naming `year_field` (rule `quota.target.year_in_term`)
// when the year does not overlap the term.
absl::StatusOr<PeriodSpan> SpanOf(const v1::Term& term, int year,
                                  absl::string_view year_field = "period.year");

// Share of the span elapsed on `as_of`, in [0, 1]: the days from start to
// as_of inclusive over the span's days (0 before the start, 1 from the end
// on).
double ElapsedShare(const PeriodSpan& span, absl::CivilDay as_of);

// Months left after `as_of` until the span's end, counted in days / (365.25
// / 12); 0 from the end on.
double MonthsLeft(const PeriodSpan& span, absl::CivilDay as_of);

// The term's state on `today`.
v1::Term::State StateOf(const v1::Term& term, absl::CivilDay today);

}  // namespace partydev::quota::domain

#endif  // PARTYDEV_SERVICES_QUOTA_DOMAIN_PERIODS_H_
