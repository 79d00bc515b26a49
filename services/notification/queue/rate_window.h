// File: services/notification/queue/rate_window.h
//
// A fixed one-minute window of a rate limit, counted in Redis: the worker's
// per-recipient limit on a channel type (ChannelPolicy.
// max_per_recipient_per_minute) and the dispatcher's per-endpoint limit
// (WebhookConfig.max_requests_per_minute) both take their slots here. The
// counter lives two minutes (the window and the next), so a process that
// dies leaves nothing behind.
//
//   absl::StatusOr<bool> taken = TakeWindowSlot(redis, keys.Rate(...), 60);
//   if (taken.ok() && !*taken) { /* wait for NextMinute(now) */ }

#ifndef PARTYDEV_SERVICES_NOTIFICATION_QUEUE_RATE_WINDOW_H_
#define PARTYDEV_SERVICES_NOTIFICATION_QUEUE_RATE_WINDOW_H_

#include <string>

#include "absl/status/statusor.h"
#include "common/redis_client.h"

namespace partydev::notification {

// Takes one of the `limit` slots of the window counted at `key` (a key per
// window: its start is part of the name). True when taken; false, without
// taking one, when all are taken. `limit` <= 0 means no limit (true, and
// nothing is counted).
absl::StatusOr<bool> TakeWindowSlot(RedisClient& redis, const std::string& key,
                                    int limit);

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_QUEUE_RATE_WINDOW_H_
