// File: services/notification/queue/queue_keys.h
//
// The Redis keys of the delivery engine, all under one prefix that carries a
// hash tag (e.g. "{pd:notification}:"), so that every Lua script of the
// engine touches one Redis Cluster slot:
//
//   q:urgent, q:normal, q:digest   streams of due jobs, one per priority
//                                  (field "j" = a serialized storage Job),
//                                  read by the consumer group `group`
//   q:delayed                      zset of jobs waiting for their time:
//                                  score = due time (ms), member =
//                                  "<priority>:<job id>"
//   q:delayed:retries              set of the delayed members that are retries
//   q:job:<id>                     the bytes of a delayed job ({v, d} record)
//   q:dead                         dead-letter stream (j, r = reason, t = ms)
//   q:dead:state / :replays / :action   per dead letter (field = entry id):
//                                  state, replay count, last action stamp
//   q:dead:live                    set of the entries in state DEAD
//   q:done:<idempotency key>       the job's effect happened (expires after
//                                  the rule set's idempotency retention)
//   q:rate:<channel>:<recipient>:<minute>   rate-limit counters
//   q:erate:<channel name>:<minute>         per-endpoint counters

#ifndef PARTYDEV_SERVICES_NOTIFICATION_QUEUE_QUEUE_KEYS_H_
#define PARTYDEV_SERVICES_NOTIFICATION_QUEUE_QUEUE_KEYS_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "partydev/notification/v1/types.pb.h"

namespace partydev::notification {

// The priorities in the order workers serve them.
inline constexpr std::array<v1::MessagePriority, 3> kPriorities = {
    v1::MESSAGE_PRIORITY_URGENT, v1::MESSAGE_PRIORITY_NORMAL,
    v1::MESSAGE_PRIORITY_DIGEST};

// A priority as stored: unset (or unknown) is NORMAL.
v1::MessagePriority EffectivePriority(v1::MessagePriority priority);

class QueueKeys {
 public:
  // `prefix` should end with ':' and contain a hash tag.
  explicit QueueKeys(std::string prefix, std::string group = "notifyd");

  const std::string& prefix() const { return prefix_; }
  // The consumer group of the three priority streams.
  const std::string& group() const { return group_; }

  std::string Stream(v1::MessagePriority priority) const;
  std::string Delayed() const { return prefix_ + "q:delayed"; }
  std::string DelayedRetries() const { return prefix_ + "q:delayed:retries"; }
  std::string Job(absl::string_view job_id) const;
  std::string Dead() const { return prefix_ + "q:dead"; }
  std::string DeadState() const { return prefix_ + "q:dead:state"; }
  std::string DeadReplays() const { return prefix_ + "q:dead:replays"; }
  std::string DeadAction() const { return prefix_ + "q:dead:action"; }
  std::string DeadLive() const { return prefix_ + "q:dead:live"; }
  std::string Done(absl::string_view idempotency_key) const;
  // The counter of (channel type, recipient) in the minute starting at
  // `window_start_ms`.
  std::string Rate(v1::ChannelType channel, absl::string_view recipient,
                   int64_t window_start_ms) const;
  // The requests to one endpoint (`recipients/{r}/channels/{c}`) in the
  // minute starting at `window_start_ms` (WebhookConfig.
  // max_requests_per_minute).
  std::string EndpointRate(absl::string_view channel,
                           int64_t window_start_ms) const;

 private:
  std::string prefix_;
  std::string group_;
};

// The member of a job in the delayed zset: "<priority number>:<job id>" (the
// promotion script finds the stream from the priority without decoding the
// job).
std::string DelayedMember(v1::MessagePriority priority,
                          absl::string_view job_id);
// The job id of a delayed member ("" when malformed).
std::string JobIdOfMember(absl::string_view member);

// Lower-case short names for metric labels: "urgent", "webhook",
// "attempts_exhausted".
std::string PriorityLabel(v1::MessagePriority priority);
std::string ChannelLabel(v1::ChannelType channel);

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_QUEUE_QUEUE_KEYS_H_
