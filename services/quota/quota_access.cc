#include "services/quota/quota_access.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/authorization.h"
#include "common/change.h"
#include "common/dates.h"
#include "common/errors.h"
#include "common/principal.h"

namespace partydev::quota {
namespace {

constexpr absl::string_view kOrganizations = "organizations/";

}  // namespace

std::string OrganizationId(absl::string_view organization_name) {
  if (!absl::StartsWith(organization_name, kOrganizations)) return "";
  return std::string(organization_name.substr(kOrganizations.size()));
}

absl::StatusOr<std::vector<std::string>> AuthorizeOrganization(
    const CallContext& call, const OrgTree& tree, const std::string& name,
    absl::string_view field) {
  if (name.empty()) return InvalidField(field, "is required");
  if (OrganizationId(name).empty()) {
    return InvalidField(field, "must be \"organizations/{organization}\"");
  }
  if (!tree.Known(name)) {
    return RulesViolated(
        {{"quota.organization.known", name,
          absl::StrCat(name,
                       " is not known to quotad's projection of the "
                       "organisation tree (membership's event may not have "
                       "arrived yet)")}});
  }
  absl::CivilDay day = CivilDayOf(Today());
  if (day > tree.ValidUntil(name)) day = tree.ValidUntil(name);
  if (day < tree.ValidFrom(name)) day = tree.ValidFrom(name);
  std::vector<std::string> path = tree.PathOn(name, day);
  if (path.empty()) path.push_back(name);
  if (absl::Status s = RequireWithinSubtree(call.principal, path, name);
      !s.ok()) {
    return s;
  }
  return path;
}

absl::Status RequireBoard(const CallContext& call, absl::string_view action) {
  return RequireAnyRole(call.principal, {roles::kOrganizationBoard}, action);
}

bool IsGrassroots(const events::v1::OrganizationSnapshot& organization) {
  if (!organization.is_party_organization()) return false;
  return organization.kind() == "GRASSROOTS_COMMITTEE" ||
         organization.kind() == "GRASSROOTS_CELL" ||
         organization.level() == "GRASSROOTS";
}

v1::OrganizationInfo InfoOf(const OrgTree& tree, const std::string& name,
                            absl::CivilDay day, int relative_depth) {
  v1::OrganizationInfo info;
  info.set_name(name);
  info.set_relative_depth(relative_depth);
  const events::v1::OrganizationSnapshot* shape = tree.On(name, day);
  if (shape == nullptr) shape = tree.Latest(name);
  if (shape == nullptr) return info;
  info.set_display_name(shape->display_name());
  info.set_parent(shape->parent());
  info.set_level(shape->level());
  info.set_grassroots(IsGrassroots(*shape));
  for (int tag : shape->sector_tags()) {
    info.add_sector_tags(static_cast<common::v1::SectorTag>(tag));
  }
  std::vector<std::string> path = tree.PathOn(name, day);
  if (!path.empty()) path.pop_back();  // the ancestors only
  for (const std::string& ancestor : path) {
    info.add_ancestors(ancestor);
    const events::v1::OrganizationSnapshot* a = tree.On(ancestor, day);
    info.add_ancestor_display_names(a != nullptr ? a->display_name() : "");
  }
  *info.mutable_valid_from() = FromCivilDay(tree.ValidFrom(name));
  if (tree.ValidUntil(name) != absl::CivilDay::max()) {
    *info.mutable_valid_until() = FromCivilDay(tree.ValidUntil(name));
  }
  return info;
}

}  // namespace partydev::quota
