// File: services/membership/admission_counts.h
//
// Admissions counted from the membership record, the system of record of
// admissions, by organisation subtree and calendar year: what an
// organisation's yearly classification takes as its admission results
// (letter 1849-CV/ĐUK; the rule of what counts is
// domain/admission_results.h).
//
// Whoever was admitted in an organisation of the subtree is on its home
// roll or, having left it since, on its former roll (person_store.h), so
// those rolls of the subtree's organisations are read and every admission
// case of those people judged. The subtree is the tree as it stands today;
// quotad rolls admissions up the tree as it stood on each decision, so the
// two differ only for an organisation moved to another committee since.
//
// Example:
//   absl::StatusOr<int> admitted =
//       CountAdmissionsInYear(context, org->organization, 2025);

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_ADMISSION_COUNTS_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_ADMISSION_COUNTS_H_

#include "absl/status/statusor.h"
#include "partydev/membership/v1/organizations.pb.h"
#include "services/membership/membership_context.h"

namespace partydev::membership {

// The admissions whose decision was signed in `year` by an organisation
// of `org`'s subtree (`org` included).
absl::StatusOr<int> CountAdmissionsInYear(MembershipContext& context,
                                          const v1::Organization& org,
                                          int year);

}  // namespace partydev::membership

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_ADMISSION_COUNTS_H_
