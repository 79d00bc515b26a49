#include "common/authorization.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/errors.h"

namespace partydev {

bool CoversPath(const Principal& caller, const std::vector<std::string>& path) {
  if (caller.organization.empty()) return caller.HasRole(roles::kAdmin);
  return std::find(path.begin(), path.end(), caller.organization) != path.end();
}

absl::Status RequireWithinSubtree(const Principal& caller,
                                  const std::vector<std::string>& path,
                                  absl::string_view target) {
  if (CoversPath(caller, path)) return absl::OkStatus();
  return WithMetadata(
      WithReason(absl::PermissionDeniedError(absl::StrCat(
                     target, " is outside the subtree of ",
                     caller.organization.empty() ? "(no organisation)"
                                                 : caller.organization,
                     ", the caller's organisation")),
                 "OUTSIDE_SUBTREE"),
      "resource", target);
}

absl::Status RequireAnyRole(const Principal& caller,
                            std::initializer_list<absl::string_view> wanted,
                            absl::string_view action) {
  if (caller.HasRole(roles::kAdmin)) return absl::OkStatus();
  for (absl::string_view role : wanted) {
    if (caller.HasRole(role)) return absl::OkStatus();
  }
  return WithReason(
      absl::PermissionDeniedError(absl::StrCat(
          action, " needs one of the roles: ", absl::StrJoin(wanted, ", "))),
      "ROLE_REQUIRED");
}

}  // namespace partydev
