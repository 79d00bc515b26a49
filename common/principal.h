// File: common/principal.h
//
// Who is calling: the subject of the caller's token, the organisation it is
// bound to, and its roles. Every service authorises with it: a caller bound
// to organisation X acts only within X's subtree.

#ifndef PARTYDEV_COMMON_PRINCIPAL_H_
#define PARTYDEV_COMMON_PRINCIPAL_H_

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace partydev {

// Role names carried in the token's `roles` claim.
namespace roles {
// Operates the whole installation (with an empty organisation: everything).
inline constexpr absl::string_view kAdmin = "admin";
// Organisation board (ban tổ chức) of a committee: targets, allocations,
// the admission pipeline of its subtree.
inline constexpr absl::string_view kOrganizationBoard = "organization_board";
// Cell secretary or committee office: records steps, meetings, dues.
inline constexpr absl::string_view kSecretary = "secretary";
// Reads reports and records of the subtree, changes nothing.
inline constexpr absl::string_view kReader = "reader";
// A party member acting for herself (the member handbook).
inline constexpr absl::string_view kMember = "member";
// May read personal data (citizen id, date of birth) in its subtree.
inline constexpr absl::string_view kPersonalData = "personal_data";
// Another agency's system or a partydev service.
inline constexpr absl::string_view kSystem = "system";
// Runs the delivery engine of the installation (dead letters, queue
// statistics) without the admin's other powers.
inline constexpr absl::string_view kOperator = "operator";
}  // namespace roles

struct Principal {
  // Token subject: a person ("people/123") or a system ("svc:quotad").
  std::string subject;
  // Resource name of the organisation the caller is bound to
  // ("organizations/duk-lam-dong"); empty only for installation admins.
  std::string organization;
  std::vector<std::string> roles;
  // The caller's name and title as shown on records that say who acted
  // (an acknowledgement's "who"): the token's OIDC "name" claim ("Nguyễn Thị
  // Lan") and its "title" claim ("Bí thư chi bộ"); empty when absent.
  // (Default-initialised so that {subject, organization, roles} still
  // builds a Principal.)
  std::string display_name{};
  std::string title{};
  // True when the identity came from the development mode, not a token.
  bool development = false;

  bool HasRole(absl::string_view role) const {
    return std::find(roles.begin(), roles.end(), role) != roles.end();
  }
  bool HasAnyRole(std::initializer_list<absl::string_view> wanted) const {
    for (absl::string_view r : wanted) {
      if (HasRole(r)) return true;
    }
    return false;
  }
};

}  // namespace partydev

#endif  // PARTYDEV_COMMON_PRINCIPAL_H_
