// File: services/quota/quota_access.h
//
// Who may read and change what in quotad (design.md "Security"): a caller
// bound to organisation X reads X's subtree's targets, counts and reports
// and, with the organisation board role (ban tổ chức), records targets,
// allocations, plans and checkpoints there. Organisations are known from
// quotad's own projection of the tree (common/org_tree.h), never by asking
// membership. Also builds the OrganizationInfo every report row carries.

#ifndef PARTYDEV_SERVICES_QUOTA_QUOTA_ACCESS_H_
#define PARTYDEV_SERVICES_QUOTA_QUOTA_ACCESS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/org_tree.h"
#include "common/service_runtime.h"
#include "partydev/events/v1/events.pb.h"
#include "partydev/quota/v1/types.pb.h"

namespace partydev::quota {

// The organisation id of "organizations/{id}" ("" when malformed).
std::string OrganizationId(absl::string_view organization_name);

// Checks that `name` (request field `field`) is "organizations/{id}",
// that the projection knows it (FAILED_PRECONDITION, rule
// `quota.organization.known`: it may not have reached quotad yet), and that
// the caller's organisation is it or above it as the tree stands today (or
// stood on its last day, for a dissolved one): PERMISSION_DENIED
// (OUTSIDE_SUBTREE) otherwise. Returns its path, root first.
absl::StatusOr<std::vector<std::string>> AuthorizeOrganization(
    const CallContext& call, const OrgTree& tree, const std::string& name,
    absl::string_view field);

// PERMISSION_DENIED (ROLE_REQUIRED) unless the caller may record targets,
// allocations, plans and checkpoints: the organisation board role (or an
// admin).
absl::Status RequireBoard(const CallContext& call, absl::string_view action);

// True for a grassroots party organisation (tổ chức cơ sở đảng: đảng bộ cơ
// sở or chi bộ cơ sở), the level letter 1849-CV/ĐUK is addressed to.
bool IsGrassroots(const events::v1::OrganizationSnapshot& organization);

// The OrganizationInfo of `name` as the tree stood on `day` (its latest
// shape when it did not exist then), `relative_depth` below the report's
// root.
v1::OrganizationInfo InfoOf(const OrgTree& tree, const std::string& name,
                            absl::CivilDay day, int relative_depth);

}  // namespace partydev::quota

#endif  // PARTYDEV_SERVICES_QUOTA_QUOTA_ACCESS_H_
