// File: common/vietnam_time.h
//
// Vietnam's civil time, in which every date of the Party's rules is
// counted (an act's date, a month's end, a deadline's day): UTC+7 all year.
// Asia/Ho_Chi_Minh as a fixed zone, so no tzdata is needed: Vietnam has kept
// UTC+7 without daylight saving since 1975.

#ifndef PARTYDEV_COMMON_VIETNAM_TIME_H_
#define PARTYDEV_COMMON_VIETNAM_TIME_H_

#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace partydev {

inline absl::TimeZone VietnamTimeZone() {
  return absl::FixedTimeZone(7 * 60 * 60);
}

// The civil day of `instant` in Vietnam.
inline absl::CivilDay VietnamDayOf(absl::Time instant) {
  return absl::ToCivilDay(instant, VietnamTimeZone());
}

}  // namespace partydev

#endif  // PARTYDEV_COMMON_VIETNAM_TIME_H_
