#include "tests/support/membership_events.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/change.h"
#include "common/ids.h"
#include "common/streams.h"

namespace partydev::testing {

MembershipEvents::MembershipEvents(RedisClient& redis, std::string stream)
    : redis_(redis), stream_(std::move(stream)) {}

absl::StatusOr<events::v1::Event> MembershipEvents::Publish(
    events::v1::Event event) {
  if (event.id().empty()) event.set_id(NewUuid());
  if (event.producer().empty()) event.set_producer("membership");
  if (event.actor().empty()) event.set_actor("people/secretary");
  if (!event.has_recorded_at()) *event.mutable_recorded_at() = NowTimestamp();
  SetType(event);
  Streams streams(redis_);
  absl::StatusOr<std::string> id =
      streams.Append(stream_, {{"e", event.SerializeAsString()}});
  if (!id.ok()) return id.status();
  return event;
}

absl::StatusOr<events::v1::Event> MembershipEvents::PublishOrganization(
    const std::string& name, const std::string& parent,
    const std::string& display_name, const std::string& kind,
    const std::string& level, std::vector<common::v1::SectorTag> tags,
    const common::v1::Date& on) {
  std::vector<std::string> path;
  if (!parent.empty()) {
    path = PathOf(parent);
    if (path.empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the parent ", parent, " of ", name, " was not published first"));
    }
  }
  path.push_back(name);
  events::v1::Event event;
  *event.mutable_act_date() = on;
  for (const std::string& p : path) event.add_organization_path(p);
  auto* org = event.mutable_organization_created()->mutable_organization();
  org->set_name(name);
  org->set_parent(parent);
  org->set_display_name(display_name);
  org->set_kind(kind);
  org->set_level(level);
  org->set_is_party_organization(true);
  for (auto tag : tags) org->add_sector_tags(tag);
  *org->mutable_valid_from() = on;
  absl::StatusOr<events::v1::Event> published = Publish(std::move(event));
  if (published.ok()) paths_[name] = std::move(path);
  return published;
}

std::vector<std::string> MembershipEvents::PathOf(
    const std::string& organization) const {
  auto it = paths_.find(organization);
  return it == paths_.end() ? std::vector<std::string>{} : it->second;
}

}  // namespace partydev::testing
