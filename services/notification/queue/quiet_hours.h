// File: services/notification/queue/quiet_hours.h
//
// Quiet hours (QuietHours in channels.proto): hours of the recipient's day
// during which non-urgent messages wait. Urgent messages (documents marked
// "Khẩn", "Thượng khẩn", "Hỏa tốc") are never held. The handler of a
// delivery job, which knows the recipient's preferences, asks this helper
// and answers JobResult::Defer(until) when the time is quiet; a deferral is
// not an attempt.

#ifndef PARTYDEV_SERVICES_NOTIFICATION_QUEUE_QUIET_HOURS_H_
#define PARTYDEV_SERVICES_NOTIFICATION_QUEUE_QUIET_HOURS_H_

#include "absl/time/time.h"
#include "partydev/notification/v1/channels.pb.h"
#include "partydev/notification/v1/types.pb.h"

namespace partydev::notification {

// When a message of `priority` may be sent, at `now`: `now` itself when the
// quiet hours are off, the message is urgent, or `now` is outside them;
// otherwise the end of the quiet hours in `zone` (start inclusive, end
// exclusive; an end before the start crosses midnight, 22:00–06:00). Start
// equal to end means no quiet hours.
absl::Time EndOfQuietHours(
    absl::Time now, const v1::QuietHours& quiet_hours, absl::TimeZone zone,
    v1::MessagePriority priority = v1::MESSAGE_PRIORITY_NORMAL);

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_QUEUE_QUIET_HOURS_H_
