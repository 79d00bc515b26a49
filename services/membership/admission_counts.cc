#include "services/membership/admission_counts.h"

#include <set>
#include <string>

#include "services/membership/domain/admission_results.h"
#include "services/membership/organization_tree.h"

namespace partydev::membership {
absl::StatusOr<int> CountAdmissionsInYear(MembershipContext& context,
                                          const v1::Organization& org,
                                          int year) {
  absl::StatusOr<std::vector<std::string>> ids =
      context.organizations().SubtreeIds(org);
  if (!ids.ok()) return ids.status();
  const std::set<std::string> subtree(ids->begin(), ids->end());
  auto in_subtree = [&](const std::string& organization) {
    return subtree.count(OrganizationId(organization)) > 0;
  };

  int admitted = 0;
  if (absl::Status s = context.people().ForEachEverAtHome(
          *ids,
          [&](const v1::Person& person) {
            admitted += domain::AdmissionsInYear(person, year, in_subtree);
            return absl::OkStatus();
          });
      !s.ok()) {
    return s;
  }
  return admitted;
}

}  // namespace partydev::membership
