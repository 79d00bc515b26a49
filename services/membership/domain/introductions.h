// File: services/membership/domain/introductions.h
//
// The introductions of a candidate (Charter art. 4.2; domain.md): two
// official members who have worked, studied or lived with the candidate in
// the same unit for at least the rule set's months (12), or one of the
// union routes:
//  - Youth-union route: a candidate of youth-union age (16..30 full years
//    by default) where a youth union branch exists must be a youth union
//    member, introduced by the branch's executive committee plus one
//    official member.
//  - Trade-union route: a candidate of youth-union age where there is no
//    youth union branch but a trade union, who is a trade union member, is
//    introduced by the trade union committee plus one official member.
//    (Read from domain.md "where there is no youth union": the route
//    replaces the youth-union route, so it applies within the youth-union
//    age; older candidates are introduced by two members.)
// A replacement introducer (for one who moved, was disciplined or died) is
// exempt from the shared months.
//
// Ages and shared months are counted on introduced_on, in full months
// (dates.h).
//
// Example:
//   absl::StatusOr<std::vector<RuleViolation>> unmet =
//       CheckRecordIntroductions(person, request, facts, rules);

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_INTRODUCTIONS_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_INTRODUCTIONS_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/errors.h"
#include "partydev/membership/v1/admission.pb.h"
#include "partydev/membership/v1/people.pb.h"
#include "partydev/membership/v1/rules.pb.h"
#include "services/membership/domain/step_facts.h"

namespace partydev::membership::domain {

// The union route the candidate must take on `on`: YOUTH_UNION,
// TRADE_UNION, or PARTY_MEMBER (two member introducers). `trade_union_member`
// tells whether the candidate is a trade union member that day.
v1::IntroductionRoute RequiredRoute(const v1::Person& person, absl::CivilDay on,
                                    const IntroductionFacts& facts,
                                    bool trade_union_member,
                                    const v1::RuleSet& rules);

// Whether `person` is a member of union `organization` on `on`
// (Person.union_memberships: joined on or before, not left by then).
bool IsUnionMember(const v1::Person& person, const std::string& organization,
                   absl::CivilDay on);

// RecordIntroductions. Rules: "introduction.count" (exactly two, distinct,
// at most one by a union committee, not the candidate),
// "introduction.official_member" (each member introducer is official on
// introduced_on), "admission.introducer_shared_months" (shared_since at
// least the rule set's months before introduced_on unless replacement),
// "introduction.youth_union_route", "introduction.trade_union_route" (the
// required route is taken, by the right kind of union, whose member the
// candidate is). INVALID_ARGUMENT for a missing date, introducer, union
// organisation or resolution, or a member introducer without shared_since
// who is not a replacement.
absl::StatusOr<std::vector<RuleViolation>> CheckRecordIntroductions(
    const v1::Person& person, const v1::RecordIntroductionsRequest& request,
    const IntroductionFacts& facts, const v1::RuleSet& rules);

// Sets each introduction's output shared_months (full months from
// shared_since to introduced_on; 0 for a replacement without shared_since).
// Dates must be valid (CheckRecordIntroductions first).
void FillSharedMonths(v1::RecordIntroductionsRequest& request);

}  // namespace partydev::membership::domain

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_INTRODUCTIONS_H_
