#include "services/notification/queue/quiet_hours.h"

namespace partydev::notification {

absl::Time EndOfQuietHours(absl::Time now, const v1::QuietHours& quiet_hours,
                           absl::TimeZone zone, v1::MessagePriority priority) {
  if (!quiet_hours.enabled() || priority == v1::MESSAGE_PRIORITY_URGENT) {
    return now;
  }
  const int start =
      quiet_hours.start().hours() * 60 + quiet_hours.start().minutes();
  const int end = quiet_hours.end().hours() * 60 + quiet_hours.end().minutes();
  if (start == end) return now;
  const absl::CivilSecond local = absl::ToCivilSecond(now, zone);
  const int minute = local.hour() * 60 + local.minute();
  const absl::CivilDay today(local);
  // The civil day on which the current quiet period ends, if quiet.
  absl::CivilDay end_day;
  if (start < end) {
    if (minute < start || minute >= end) return now;
    end_day = today;
  } else {  // crosses midnight
    if (minute >= start) {
      end_day = today + 1;
    } else if (minute < end) {
      end_day = today;
    } else {
      return now;
    }
  }
  const absl::CivilSecond end_time(end_day.year(), end_day.month(),
                                   end_day.day(), end / 60, end % 60, 0);
  return absl::FromCivil(end_time, zone);
}

}  // namespace partydev::notification
