// File: services/membership/domain/standing.h
//
// A person's standing on a past date: where she belonged, at which stage
// and with which status, read from the dated facts of her record. It lets
// a committee count and list its people as they were at the end of a
// period (the yearly report prepared in January counts 31 December), not
// only as they are today.
//
// The record keeps every act with its date (domain.md "The candidate
// pipeline"), so the stage on a day is the last act of the case, in
// pipeline order, dated on or before it: sourced, mentor assigned,
// training certificate issued, application filed, background concluded,
// introduced (the later of the two introductions), cell and committee
// resolutions (the first ballot that passed), admission decision signed,
// ceremony held (probation, Party Charter art. 5), official date. Acts the
// record does not have (a member registered with her existing membership
// has no candidate steps) are skipped. A case closed (withdrawn, rejected,
// removed from probation) on or before the day has the closure's stage;
// earlier cases (previous_admissions) answer for days before the current
// one began. A departure (removal, expulsion, resignation, death, transfer
// out of the tree) on or before the day gives today's stage and status.
//
// What the record does not date is taken as it is today: the categories,
// and statuses other than exemption (only the current exemption is kept,
// so an exemption that ended before today does not show on its days).
// The official date is the end of probation even when the recognition
// came later (Party Charter art. 5: the official date counts from the end
// of probation), so a day between the two counts the member as official.
//
//   std::optional<Standing> then = StandingOn(person, absl::CivilDay(2025,
//                                             12, 31));
//   if (then) Count(then->stage, then->status);

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_STANDING_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_STANDING_H_

#include <optional>
#include <string>

#include "absl/time/civil_time.h"
#include "partydev/membership/v1/people.pb.h"

namespace partydev::membership::domain {

struct Standing {
  ::partydev::common::v1::Stage stage =
      ::partydev::common::v1::STAGE_UNSPECIFIED;
  v1::PersonStatus status = v1::PERSON_STATUS_UNSPECIFIED;
};

// The person's stage and status on `day`; nullopt when she was not yet on
// the rolls (before the first dated act of her first case).
std::optional<Standing> StandingOn(const v1::Person& person,
                                   absl::CivilDay day);

// Where the person belonged on `day`: the organisation id ("org" of
// "organizations/org") of her home affiliation covering it, and of the
// host cell of a temporary transfer covering it ("" when none).
struct AffiliationsOn {
  std::string home;
  std::string host;
};
AffiliationsOn AffiliationOn(const v1::Person& person, absl::CivilDay day);

}  // namespace partydev::membership::domain

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_STANDING_H_
