// Who may read and record a cell's life (cell_life_records.h "Access").

#include <optional>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/authorization.h"
#include "common/errors.h"
#include "services/membership/cell_life_records.h"
#include "services/membership/organization_tree.h"

namespace partydev::membership {

std::string ResolveMe(const CallContext& call, const std::string& name) {
  constexpr absl::string_view kMe = "people/me";
  if (!absl::StartsWith(name, kMe)) return name;
  const absl::string_view rest = absl::string_view(name).substr(kMe.size());
  if (!rest.empty() && rest.front() != '/') return name;
  if (!absl::StartsWith(call.principal.subject, "people/")) return name;
  return absl::StrCat(call.principal.subject, rest);
}

bool IsMemberOnly(const Principal& caller) {
  return caller.HasRole(roles::kMember) &&
         !caller.HasAnyRole({roles::kAdmin, roles::kOrganizationBoard,
                             roles::kSecretary, roles::kReader,
                             roles::kSystem});
}

absl::StatusOr<StoredPerson> ReadPersonForCellLife(MembershipContext& context,
                                                   const CallContext& call,
                                                   const std::string& name,
                                                   absl::string_view field) {
  const std::string resolved = ResolveMe(call, name);
  if (IsMemberOnly(call.principal) && resolved != call.principal.subject) {
    // A member reads her own records only (directive 06-CT/TU's member
    // handbook), whatever her cell holds.
    return WithMetadata(
        WithReason(absl::PermissionDeniedError(absl::StrCat(
                       field, ": a member reads only her own records; ",
                       resolved, " is not the caller")),
                   "OUTSIDE_SUBTREE"),
        "resource", resolved);
  }
  return ReadPersonForRead(context, call, resolved, field);
}

absl::StatusOr<StoredOrganization> ReadOrganizationForCellLife(
    MembershipContext& context, const CallContext& call,
    const std::string& name, absl::string_view field, bool for_recording) {
  FieldChecker check;
  CheckOrganizationRef(check, name, field);
  if (!check.ok()) return check.status();
  if (IsMemberOnly(call.principal)) {
    return WithMetadata(
        WithReason(absl::PermissionDeniedError(absl::StrCat(
                       field,
                       ": a member reads her own records through "
                       "people/me; ",
                       name, " needs the role secretary, reader or above")),
                   "ROLE_REQUIRED"),
        "resource", name);
  }
  if (for_recording) {
    if (absl::Status s = RequireRecorder(
            call.principal,
            "record the meetings, attendance and dues of " + name);
        !s.ok()) {
      return s;
    }
  }
  absl::StatusOr<StoredOrganization> org =
      context.organizations().Get(OrganizationId(name));
  if (!org.ok()) return org.status();
  const std::vector<std::string> path(org->organization.path().begin(),
                                      org->organization.path().end());
  if (absl::Status s = RequireWithinSubtree(call.principal, path, name);
      !s.ok()) {
    return s;
  }
  return org;
}

std::optional<v1::YearMonth> ParseYearMonthId(absl::string_view id) {
  int year = 0;
  int month = 0;
  if (id.size() != 7 || id[4] != '-' ||
      !absl::SimpleAtoi(id.substr(0, 4), &year) ||
      !absl::SimpleAtoi(id.substr(5, 2), &month) || year < 1900 || month < 1 ||
      month > 12) {
    return std::nullopt;
  }
  v1::YearMonth ym;
  ym.set_year(year);
  ym.set_month(month);
  return ym;
}

std::string YearMonthId(int year, int month) {
  return absl::StrFormat("%04d-%02d", year, month);
}

}  // namespace partydev::membership
