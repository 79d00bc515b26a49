// File: bench/org_tree_setup.h
//
// A generated party organisation tree for the benchmarks that need one
// (quota's progress reports, notifyd's fan-out down to every cell):
// province > districts (2,500 organisations each) > 50 grassroots
// organisations per district > cells, published as membershipd publishes
// it (OrganizationCreated events on membership's stream), so each service
// builds its own projection exactly as in production.

#ifndef PARTYDEV_BENCH_ORG_TREE_SETUP_H_
#define PARTYDEV_BENCH_ORG_TREE_SETUP_H_

#include <algorithm>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "bench/bench_setup.h"
#include "common/change.h"
#include "common/ids.h"
#include "common/redis_client.h"
#include "partydev/events/v1/events.pb.h"

namespace partydev::bench {

// Membership's event stream (default key prefix).
inline constexpr char kMembershipStream[] = "{pd:membership}:events";

inline common::v1::Date BenchDate(int y, int m, int d) {
  common::v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

// The generated tree: names root first, with each one's path.
struct Tree {
  std::string province;
  std::vector<std::string> grassroots;
  std::vector<std::vector<std::string>> cell_paths;
  int size = 0;
};

inline events::v1::Event OrganizationEvent(const std::vector<std::string>& path,
                                           const std::string& display,
                                           const std::string& kind,
                                           const std::string& level) {
  events::v1::Event event;
  event.set_id(NewUuid());
  event.set_producer("membership");
  event.set_actor("people/admin");
  *event.mutable_recorded_at() = NowTimestamp();
  *event.mutable_act_date() = BenchDate(2015, 1, 1);
  for (const auto& p : path) event.add_organization_path(p);
  auto* org = event.mutable_organization_created()->mutable_organization();
  org->set_name(path.back());
  org->set_parent(path.size() > 1 ? path[path.size() - 2] : "");
  org->set_display_name(display);
  org->set_kind(kind);
  org->set_level(level);
  org->set_is_party_organization(true);
  *org->mutable_valid_from() = BenchDate(2015, 1, 1);
  SetType(event);
  return event;
}

// Appends events to membership's stream, as membershipd writes them.
inline absl::StatusOr<std::string> PublishAll(
    RedisClient& redis, const std::vector<events::v1::Event>& events) {
  std::vector<std::string> values;
  values.reserve(events.size());
  for (const auto& e : events) values.push_back(e.SerializeAsString());
  return XAddAll(redis, kMembershipStream, "e", values);
}

// Province > districts > grassroots > cells, about `orgs` in all.
inline Tree MakeTree(int orgs, std::vector<events::v1::Event>& events) {
  Tree tree;
  tree.province = "organizations/tinh";
  events.push_back(OrganizationEvent({tree.province}, "Đảng bộ tỉnh",
                                     "PROVINCIAL_COMMITTEE", "PROVINCE"));
  const int districts = std::max(1, orgs / 2500);
  const int grassroots_per_district = 50;
  const int cells_per_grassroots =
      std::max(1, (orgs - 1 - districts * (1 + grassroots_per_district)) /
                      (districts * grassroots_per_district));
  for (int d = 0; d < districts; ++d) {
    const std::vector<std::string> district = {
        tree.province, absl::StrCat("organizations/huyen-", d)};
    events.push_back(OrganizationEvent(district,
                                       absl::StrCat("Đảng bộ huyện ", d),
                                       "DISTRICT_COMMITTEE", "DISTRICT"));
    for (int g = 0; g < grassroots_per_district; ++g) {
      std::vector<std::string> grassroots = district;
      grassroots.push_back(absl::StrCat("organizations/cs-", d, "-", g));
      events.push_back(OrganizationEvent(
          grassroots, absl::StrCat("Đảng bộ cơ sở ", d, "-", g),
          "GRASSROOTS_COMMITTEE", "GRASSROOTS"));
      tree.grassroots.push_back(grassroots.back());
      for (int c = 0; c < cells_per_grassroots; ++c) {
        std::vector<std::string> cell = grassroots;
        cell.push_back(absl::StrCat("organizations/cb-", d, "-", g, "-", c));
        events.push_back(OrganizationEvent(
            cell, absl::StrCat("Chi bộ ", d, "-", g, "-", c), "CELL", "CELL"));
        tree.cell_paths.push_back(std::move(cell));
      }
    }
  }
  tree.size = static_cast<int>(events.size());
  return tree;
}

}  // namespace partydev::bench

#endif  // PARTYDEV_BENCH_ORG_TREE_SETUP_H_
