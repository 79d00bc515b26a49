// File: services/membership/domain/party_age.h
//
// Party age (tuổi đảng): membership seniority, counted from the date the
// first admission decision was signed, minus the gaps that do not count
// (expelled or removed until a re-admission, out of contact, between
// transfers). A re-admitted member counts from the FIRST admission, the
// time away being a gap. Party age decides the 30-, 40-, 50-... year badges
// and the end of dues (free from 50 years by default).
//
// How gaps are subtracted: the days of the gaps (each inclusive of both
// ends, clipped to the counted period, overlaps counted once) move the
// start forward; the party age is then the full months from that moved
// start to the day asked (dates.h's month-end rule). Counting days rather
// than months keeps two short gaps from being rounded away or doubled.
//   Admitted 2000-01-10, gap 2005-01-01..2007-12-31 (1,095 days): the start
//   moves to 2003-01-09, so on 2024-01-10 the party age is 252 months (21
//   years), and dues stop on 2053-01-09 (50 years) if no gap follows.
//
// Example:
//   absl::StatusOr<v1::PartyAge> age = ComputePartyAge(
//       person.first_admitted_on(), gaps, today, rules.dues());
//   int years = age->years();

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_PARTY_AGE_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_PARTY_AGE_H_

#include <vector>

#include "absl/status/statusor.h"
#include "partydev/common/v1/types.pb.h"
#include "partydev/membership/v1/lifecycle.pb.h"
#include "partydev/membership/v1/rules.pb.h"

namespace partydev::membership::domain {

// The party age on `as_of`: PartyAge with as_of, first_admitted_on, the
// gaps (sorted oldest first), months, years and dues_free_from (the day
// the party age reaches dues.free_from_party_age_years, assuming no gap
// after `as_of`). A day before the admission gives 0. INVALID_ARGUMENT
// naming "first_admitted_on", "as_of" or "gaps[i].starts_on"/"ends_on" for
// an invalid date or a gap that ends before it starts.
absl::StatusOr<v1::PartyAge> ComputePartyAge(
    const ::partydev::common::v1::Date& first_admitted_on,
    const std::vector<v1::PartyAgeGap>& gaps,
    const ::partydev::common::v1::Date& as_of, const v1::DuesRules& dues);

}  // namespace partydev::membership::domain

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_PARTY_AGE_H_
