// File: tests/support/membership_events.h
//
// Membership's events for the tests of the services that consume them
// (quotad, notifyd): appended to membership's stream ("{pd:membership}:
// events") exactly as membershipd writes them (one field "e" holding the
// serialized events.v1.Event, its type set from the payload), so the
// consumer under test reads what production reads.
//
// It remembers the path of every organisation it published, so an
// organisation's events carry its path (root first) like membershipd's.
//
//   testing::MembershipEvents events(redis, "{pd:membership}:events");
//   events.PublishOrganization("organizations/lam-dong", "", "Đảng bộ tỉnh",
//                              "PROVINCIAL_COMMITTEE", "PROVINCE", {}, on);
//   events.PublishOrganization("organizations/duk", "organizations/lam-dong",
//                              ...);
//   events.PathOf("organizations/duk");  // {lam-dong, duk}
//
// Thread-safety: not thread-safe (one test thread).

#ifndef PARTYDEV_TESTS_SUPPORT_MEMBERSHIP_EVENTS_H_
#define PARTYDEV_TESTS_SUPPORT_MEMBERSHIP_EVENTS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/redis_client.h"
#include "partydev/common/v1/categories.pb.h"
#include "partydev/common/v1/types.pb.h"
#include "partydev/events/v1/events.pb.h"

namespace partydev::testing {

class MembershipEvents {
 public:
  // Appends to `stream` on `redis` (borrowed; must outlive this).
  MembershipEvents(RedisClient& redis, std::string stream);

  const std::string& stream() const { return stream_; }

  // Appends `event`, completed as membershipd completes it: an id when
  // empty, producer "membership", actor "people/secretary", recorded_at now
  // and the type from the payload. Returns the event as appended.
  absl::StatusOr<events::v1::Event> Publish(events::v1::Event event);

  // Publishes OrganizationCreated of `name` under `parent` ("" for a root)
  // on `on` (its act date and valid_from), a party organisation with the
  // given display name, kind and level codes and sector tags. `parent` must
  // have been published here first (its path is the prefix of `name`'s).
  absl::StatusOr<events::v1::Event> PublishOrganization(
      const std::string& name, const std::string& parent,
      const std::string& display_name, const std::string& kind,
      const std::string& level, std::vector<common::v1::SectorTag> tags,
      const common::v1::Date& on);

  // The path of an organisation published here, root first, ending with
  // it; empty when it was not published here.
  std::vector<std::string> PathOf(const std::string& organization) const;

 private:
  RedisClient& redis_;
  const std::string stream_;
  std::map<std::string, std::vector<std::string>> paths_;
};

}  // namespace partydev::testing

#endif  // PARTYDEV_TESTS_SUPPORT_MEMBERSHIP_EVENTS_H_
