// File: services/notification/notification_access.h
//
// Who may reach which organisation in notifyd (design.md "Security"): a
// caller bound to organisation X acts within X's subtree, that is X and
// every organisation below X as the tree stands today. notifyd learns the
// tree from its own projection of membership's events
// (organization_projection.h), never by asking membership, so the check
// works while membership is down. An installation admin (admin role, no
// organisation) reaches everything.
//
// The one subtree check of notifyd: recipients (recipient_store.h
// MayManageRecipient), directives and their dissemination ("phổ biến đến
// chi bộ": an issuer may address only its own subtree) call these.
//
//   if (absl::Status s = CheckCovers(context, call.principal,
//                                    request.parent(), "parent");
//       !s.ok()) {
//     return s;  // PERMISSION_DENIED, reason OUTSIDE_SUBTREE
//   }
//
// For many checks in one request, take the tree once:
//
//   absl::StatusOr<TreeOnDay> tree = CurrentTree(context);
//   for (...) if (!Covers(*tree, call.principal, owner)) continue;
//
// An organisation the projection does not know yet (membership's event has
// not arrived) is treated as a root: only a caller bound to it, or the
// admin, covers it. The answer never reveals whether an organisation exists.
//
// Thread-safety: TreeOnDay is immutable; every function may be called from
// any thread.

#ifndef PARTYDEV_SERVICES_NOTIFICATION_NOTIFICATION_ACCESS_H_
#define PARTYDEV_SERVICES_NOTIFICATION_NOTIFICATION_ACCESS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/org_tree.h"
#include "common/principal.h"

namespace partydev::notification {

class NotificationContext;

// The organisation tree as one request sees it: a snapshot of notifyd's
// projection and the day (in Vietnam, by the service's clock) the subtree is
// taken on.
struct TreeOnDay {
  std::shared_ptr<const OrgTree> tree;
  absl::CivilDay day;
};

// The projection's current snapshot and today. UNAVAILABLE (or the Redis
// error) when the projection cannot be read.
absl::StatusOr<TreeOnDay> CurrentTree(NotificationContext& context);

// The path of `organization` on the tree's day, root first, ending with it.
// A dissolved organisation is placed where it stood on its last day (its
// recipients and directives outlive it); an unknown one is its own root.
std::vector<std::string> PathOf(const TreeOnDay& tree,
                                absl::string_view organization);

// True when `ancestor` is `organization` or above it (the meaning of every
// `under_organization` filter of notifyd).
bool IsWithin(const TreeOnDay& tree, absl::string_view ancestor,
              absl::string_view organization);

// True when `caller`'s subtree holds `organization`: the admin without an
// organisation, or a caller bound to `organization` or to an ancestor of it.
bool Covers(const TreeOnDay& tree, const Principal& caller,
            absl::string_view organization);

// OK when `caller`'s subtree holds `organization` (request field `field`)
// today. INVALID_ARGUMENT naming `field` when it is empty or not
// "organizations/{id}"; PERMISSION_DENIED with reason OUTSIDE_SUBTREE
// (common/authorization.h RequireWithinSubtree's wording and metadata)
// otherwise; the projection's error when the tree cannot be read.
absl::Status CheckCovers(NotificationContext& context, const Principal& caller,
                         absl::string_view organization,
                         absl::string_view field);

// The same on a tree already taken for the request.
absl::Status CheckCovers(const TreeOnDay& tree, const Principal& caller,
                         absl::string_view organization,
                         absl::string_view field);

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_NOTIFICATION_ACCESS_H_
