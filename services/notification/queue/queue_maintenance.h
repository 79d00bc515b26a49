// File: services/notification/queue/queue_maintenance.h
//
// Housekeeping of the priority streams, safe against Redis Streams'
// pitfalls (see /work/shared/anchors/notification.md, Redis Streams):
//
// - Trimming. Redis 7 XTRIM / XADD MINID delete entries whatever the
//   consumer group's state (pending entries lose their bodies, unread ones
//   are lost: redis/redis#6199). So the MINID is computed from the group:
//   the smaller of the oldest pending id (XPENDING) and the first entry
//   after the group's last-delivered id (entries not yet read). Only
//   entries below both — read and acknowledged — go. The three values are
//   read in an order that only makes the MINID smaller when the group moves
//   meanwhile (group info, then the first unread, then the pending summary;
//   the pending set only loses members below the last-delivered id).
//   The worker deletes acknowledged entries itself (XDEL with XACK), so
//   this is a safety net for entries acknowledged by other means.
//
// - Consumers. XGROUP DELCONSUMER drops the consumer's pending entries
//   silently (redis/redis#9745): a consumer is removed only when it has
//   none, checked in the same Lua script that removes it. Workers keep
//   stable names, so only consumers of retired worker slots pile up.

#ifndef PARTYDEV_SERVICES_NOTIFICATION_QUEUE_QUEUE_MAINTENANCE_H_
#define PARTYDEV_SERVICES_NOTIFICATION_QUEUE_QUEUE_MAINTENANCE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/redis_client.h"
#include "partydev/notification/v1/types.pb.h"
#include "services/notification/queue/queue_keys.h"

namespace partydev::notification {

// The id below which every entry of the priority stream is read and
// acknowledged; "" when nothing can be trimmed yet (no group).
absl::StatusOr<std::string> SafeTrimId(RedisClient& redis,
                                       const QueueKeys& keys,
                                       v1::MessagePriority priority);

// Trims every priority stream to its SafeTrimId (exact MINID). Returns the
// number of entries removed.
absl::StatusOr<int64_t> TrimStreams(RedisClient& redis, const QueueKeys& keys);

// Removes the consumers of the priority streams' group that have been idle
// for at least `idle` and have no pending entry. Returns "<stream>/<name>"
// of each removed.
absl::StatusOr<std::vector<std::string>> RemoveIdleConsumers(
    RedisClient& redis, const QueueKeys& keys, absl::Duration idle);

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_QUEUE_QUEUE_MAINTENANCE_H_
