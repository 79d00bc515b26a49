#include "services/notification/notification_access.h"

#include <algorithm>
#include <utility>

#include "absl/strings/strip.h"
#include "common/authorization.h"
#include "common/errors.h"
#include "common/record_store.h"
#include "services/notification/domain/vietnamese_dates.h"
#include "services/notification/notification_context.h"

namespace partydev::notification {
namespace {

// INVALID_ARGUMENT naming `field` unless `organization` is
// "organizations/{id}".
absl::Status CheckOrganizationName(absl::string_view organization,
                                   absl::string_view field) {
  if (organization.empty()) return InvalidField(field, "is required");
  absl::string_view id = organization;
  if (!absl::ConsumePrefix(&id, "organizations/") || !IsValidResourceId(id)) {
    return InvalidField(field, "must be organizations/{organization}");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TreeOnDay> CurrentTree(NotificationContext& context) {
  absl::StatusOr<std::shared_ptr<const OrgTree>> tree =
      context.organizations().Tree();
  if (!tree.ok()) return tree.status();
  return TreeOnDay{
      *std::move(tree),
      absl::ToCivilDay(context.clock().Now(), domain::VietnamTimeZone())};
}

std::vector<std::string> PathOf(const TreeOnDay& tree,
                                absl::string_view organization) {
  std::vector<std::string> path;
  if (tree.tree != nullptr && tree.tree->Known(organization)) {
    // Quotad does the same (quota_access.cc AuthorizeOrganization): an
    // organisation outside its lifetime is placed by its nearest day.
    absl::CivilDay day = tree.day;
    day = std::min(day, tree.tree->ValidUntil(organization));
    day = std::max(day, tree.tree->ValidFrom(organization));
    path = tree.tree->PathOn(organization, day);
  }
  if (path.empty()) path.emplace_back(organization);
  return path;
}

bool IsWithin(const TreeOnDay& tree, absl::string_view ancestor,
              absl::string_view organization) {
  if (ancestor.empty() || organization.empty()) return false;
  const std::vector<std::string> path = PathOf(tree, organization);
  return std::find(path.begin(), path.end(), ancestor) != path.end();
}

bool Covers(const TreeOnDay& tree, const Principal& caller,
            absl::string_view organization) {
  if (organization.empty()) {
    return caller.organization.empty() && caller.HasRole(roles::kAdmin);
  }
  return CoversPath(caller, PathOf(tree, organization));
}

absl::Status CheckCovers(const TreeOnDay& tree, const Principal& caller,
                         absl::string_view organization,
                         absl::string_view field) {
  if (absl::Status s = CheckOrganizationName(organization, field); !s.ok()) {
    return s;
  }
  return RequireWithinSubtree(caller, PathOf(tree, organization), organization);
}

absl::Status CheckCovers(NotificationContext& context, const Principal& caller,
                         absl::string_view organization,
                         absl::string_view field) {
  // The field first: a malformed request is refused without reading Redis.
  if (absl::Status s = CheckOrganizationName(organization, field); !s.ok()) {
    return s;
  }
  absl::StatusOr<TreeOnDay> tree = CurrentTree(context);
  if (!tree.ok()) return tree.status();
  return CheckCovers(*tree, caller, organization, field);
}

}  // namespace partydev::notification
