#include "services/notification/queue/backoff.h"

#include <algorithm>

#include "google/protobuf/duration.pb.h"

namespace partydev::notification {
namespace {

absl::Duration FromProto(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

}  // namespace

absl::Duration RetryDelay(const v1::ChannelPolicy& policy, int attempts_made,
                          double random01, absl::Duration retry_after) {
  const int n = std::max(attempts_made, 1);
  absl::Duration delay;
  if (policy.retry_delays_size() > 0) {
    const int index = std::min(n, policy.retry_delays_size()) - 1;
    delay = FromProto(policy.retry_delays(index));
  } else {
    delay = kDefaultBaseDelay;
    for (int i = 1; i < n && delay < kDefaultMaxDelay; ++i) delay *= 2;
    delay = std::min(delay, kDefaultMaxDelay);
  }
  const double fraction = std::clamp(policy.jitter_fraction(), 0.0, 1.0);
  const double r = std::clamp(random01, 0.0, 1.0);
  delay += delay * (fraction * r);
  if (retry_after > absl::ZeroDuration()) {
    const absl::Duration cap = FromProto(policy.max_retry_after());
    if (cap > absl::ZeroDuration()) retry_after = std::min(retry_after, cap);
    delay = std::max(delay, retry_after);
  }
  return delay;
}

absl::Time MinuteStart(absl::Time now) {
  const int64_t ms = absl::ToUnixMillis(now);
  int64_t start = ms - (ms % 60000);
  if (ms < 0 && ms % 60000 != 0) start -= 60000;
  return absl::FromUnixMillis(start);
}

absl::Time NextMinute(absl::Time now) {
  return MinuteStart(now) + absl::Minutes(1);
}

}  // namespace partydev::notification
