// File: common/authorization.h
//
// Authorisation by organisation subtree (design.md "Security"): a caller
// bound to organisation X sees and changes only X and what lies below it.
// Services call these in their service layer, with the path of the
// organisation a request touches (root first, as stored with every
// organisation and carried by every event).

#ifndef PARTYDEV_COMMON_AUTHORIZATION_H_
#define PARTYDEV_COMMON_AUTHORIZATION_H_

#include <initializer_list>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/principal.h"

namespace partydev {

// True when the caller's organisation is on `path` (the target or one of
// its ancestors), or the caller is an installation admin with no
// organisation.
bool CoversPath(const Principal& caller, const std::vector<std::string>& path);

// PERMISSION_DENIED (OUTSIDE_SUBTREE) naming the target when the caller's
// subtree does not hold it. The message does not reveal whether the target
// exists.
absl::Status RequireWithinSubtree(const Principal& caller,
                                  const std::vector<std::string>& path,
                                  absl::string_view target);

// PERMISSION_DENIED (ROLE_REQUIRED) unless the caller has one of `roles`
// (admin always qualifies).
absl::Status RequireAnyRole(const Principal& caller,
                            std::initializer_list<absl::string_view> roles,
                            absl::string_view action);

}  // namespace partydev

#endif  // PARTYDEV_COMMON_AUTHORIZATION_H_
