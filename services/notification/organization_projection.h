// File: services/notification/organization_projection.h
//
// notifyd's own projection of membership's organisation tree (design.md:
// each service keeps its copy, fed by the organisation events, so that a
// directive is disseminated "down to every cell" (phổ biến đến chi bộ), a
// caller's subtree is checked and an escalation finds the superior
// committee without calling membership, and while membership is down).
//
// It reads membership's event stream through the consumer group
// "notifyd-organizations" (common/event_consumer.h) and applies each
// organisation event (common/org_tree.h OrgTreeStore) in one AtomicWrite
// together with the marker of its event id and, for an organisation first
// seen, the creation of its office's recipient (`recipients/org-{id}`,
// recipient_store.h), so a redelivered event changes nothing and a crash
// between the write and the acknowledgement loses nothing.
//
// Keys (P is notifyd's hash-tagged prefix):
//   P organizations:...        the OrgTreeStore's histories
//   P organizations:seen:<id>  marker of an applied event id (kept: no
//                              TTL, a replay months later still finds it)
//   P organizations:parked     stream of events parked after repeated
//                              failures (on the source's Redis, beside the
//                              group; common/event_consumer.h)
//
//   OrganizationProjection projection(redis, membership_redis,
//       {.prefix = "{pd:notification}:",
//        .membership_stream = "{pd:membership}:events",
//        .consumer = "notifyd-host-0"});
//   projection.Start();
//   absl::StatusOr<std::shared_ptr<const OrgTree>> tree = projection.Tree();
//
// Thread-safety: every method may be called from any thread, except that
// DrainAll must not run while the background consumer runs.

#ifndef PARTYDEV_SERVICES_NOTIFICATION_ORGANIZATION_PROJECTION_H_
#define PARTYDEV_SERVICES_NOTIFICATION_ORGANIZATION_PROJECTION_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/org_tree.h"
#include "common/redis_client.h"

namespace partydev::notification {

struct OrganizationProjectionOptions {
  // notifyd's hash-tagged key prefix ("{pd:notification}:").
  std::string prefix;
  // Membership's event stream ("{pd:membership}:events").
  std::string membership_stream;
  // This process's consumer name in the group (stable per replica slot).
  std::string consumer;
};

class OrganizationProjection {
 public:
  // `redis` holds notifyd's keys; `source` holds membership's stream (the
  // same client when both live on one Redis).
  OrganizationProjection(RedisClient& redis, RedisClient& source,
                         OrganizationProjectionOptions options);
  ~OrganizationProjection();  // Stop()s

  OrganizationProjection(const OrganizationProjection&) = delete;
  OrganizationProjection& operator=(const OrganizationProjection&) = delete;

  // The current tree (cached; reloaded when the projection changed).
  absl::StatusOr<std::shared_ptr<const OrgTree>> Tree();

  // Applies everything the stream holds now (tests, tools); returns how
  // many entries were handled.
  absl::StatusOr<int> DrainAll();

  // Starts the background consumer; Stop() joins it.
  void Start();
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_ORGANIZATION_PROJECTION_H_
