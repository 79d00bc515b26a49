#include "services/notification/domain/vietnamese_dates.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace partydev::notification::domain {

std::string VietnameseLongDate(absl::CivilDay day) {
  const std::string d = absl::StrFormat("%02d", day.day());
  const std::string m = day.month() <= 2 ? absl::StrFormat("%02d", day.month())
                                         : absl::StrCat(day.month());
  return absl::StrCat("ngày ", d, " tháng ", m, " năm ", day.year());
}

std::string DatedLine(absl::string_view place, absl::CivilDay day) {
  return absl::StrCat(place, ", ", VietnameseLongDate(day));
}

}  // namespace partydev::notification::domain
