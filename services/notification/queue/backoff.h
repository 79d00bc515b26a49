// File: services/notification/queue/backoff.h
//
// When a failed job is tried again. The channel policy of the rule set
// gives the delays (ChannelPolicy.retry_delays: the first retry uses the
// first entry, the last entry repeats; for webhooks the Standard Webhooks /
// Svix schedule 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h) and a jitter
// fraction; a random extra of up to that fraction spreads the retries of
// many jobs that failed together (a receiver coming back is not hit by all
// of them in the same second). A policy without delays backs off
// exponentially (BullMQ's `exponential`: base * 2^(attempt-1)).
//
// Pure functions: the caller gives the random number, so tests are exact.

#ifndef PARTYDEV_SERVICES_NOTIFICATION_QUEUE_BACKOFF_H_
#define PARTYDEV_SERVICES_NOTIFICATION_QUEUE_BACKOFF_H_

#include "absl/time/time.h"
#include "partydev/notification/v1/rule_sets.pb.h"

namespace partydev::notification {

// Exponential backoff used when a policy lists no delays.
inline constexpr absl::Duration kDefaultBaseDelay = absl::Seconds(5);
inline constexpr absl::Duration kDefaultMaxDelay = absl::Hours(10);

// The delay before the retry that follows `attempts_made` failed attempts
// (1 = the first attempt failed). `random01` in [0, 1) scales the jitter:
// delay * (1 + jitter_fraction * random01). `retry_after` is what the
// channel asked for (HTTP Retry-After; zero: nothing): it is capped by the
// policy's max_retry_after (when set) and wins when longer than the
// policy's delay, since the receiver said it cannot take the job sooner.
absl::Duration RetryDelay(const v1::ChannelPolicy& policy, int attempts_made,
                          double random01,
                          absl::Duration retry_after = absl::ZeroDuration());

// The start of the minute after `now` (rate-limit windows are calendar
// minutes in UTC).
absl::Time NextMinute(absl::Time now);
// The start of the minute containing `now`.
absl::Time MinuteStart(absl::Time now);

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_QUEUE_BACKOFF_H_
