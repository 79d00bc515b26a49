#include "services/quota/domain/periods.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/errors.h"

namespace partydev::quota::domain {

std::vector<int> YearsOf(absl::CivilDay start, absl::CivilDay end) {
  std::vector<int> years;
  for (int64_t y = start.year(); y <= end.year(); ++y) {
    years.push_back(static_cast<int>(y));
  }
  return years;
}

absl::StatusOr<PeriodSpan> SpanOf(const v1::Term& term, int year,
                                  absl::string_view year_field) {
  PeriodSpan span{CivilDayOf(term.start_date()), CivilDayOf(term.end_date())};
  if (year == 0) return span;
  if (year < span.start.year() || year > span.end.year()) {
    return RulesViolated(
        {{"quota.target.year_in_term", std::string(year_field),
          absl::StrCat("Năm ", year, " không thuộc ", term.display_name(), " (",
                       FormatDate(term.start_date()), " – ",
                       FormatDate(term.end_date()), ")")}});
  }
  span.start = std::max(span.start, absl::CivilDay(year, 1, 1));
  span.end = std::min(span.end, absl::CivilDay(year, 12, 31));
  return span;
}

double ElapsedShare(const PeriodSpan& span, absl::CivilDay as_of) {
  if (as_of < span.start) return 0;
  if (as_of >= span.end) return 1;
  return static_cast<double>((as_of - span.start) + 1) / span.Days();
}

double MonthsLeft(const PeriodSpan& span, absl::CivilDay as_of) {
  if (as_of >= span.end) return 0;
  const absl::CivilDay from = std::max(as_of, span.start - 1);
  return static_cast<double>(span.end - from) / (365.25 / 12);
}

v1::Term::State StateOf(const v1::Term& term, absl::CivilDay today) {
  if (today < CivilDayOf(term.start_date())) return v1::Term::STATE_UPCOMING;
  if (today > CivilDayOf(term.end_date())) return v1::Term::STATE_ENDED;
  return v1::Term::STATE_CURRENT;
}

}  // namespace partydev::quota::domain
