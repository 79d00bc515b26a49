// File: services/membership/domain/step_facts.h
//
// The facts a pipeline step's check needs that are not in the request or
// the candidate's Person: what the service looks up in its stores (the
// roll of a cell on a date, an introducer's membership, the organisation
// tree, the candidate's exceptions) and hands to the pure check. Each is a
// plain struct of the smallest facts the rule needs, so that the rules are
// tested without a store and the service's lookups are explicit.
//
// Every fact is "as of the date of the act" (the ballot's held_on, the
// introduction's introduced_on...): the roll and the tree as they stood that
// day, never today's.
//
// Example (the service, before RecordIntroductions):
//   IntroductionFacts facts;
//   for (const auto& intro : request.introductions()) {
//     if (intro.route() == v1::INTRODUCTION_ROUTE_PARTY_MEMBER)
//       facts.introducers.push_back(store.MemberOn(intro.introducer(),
//                                                  intro.introduced_on()));
//   }
//   facts.youth_union_branch_exists = tree.HasYouthUnionBranch(cell, day);

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_STEP_FACTS_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_STEP_FACTS_H_

#include <map>
#include <string>
#include <vector>

#include "partydev/membership/v1/admission.pb.h"
#include "partydev/membership/v1/pipeline.pb.h"

namespace partydev::membership::domain {

// A party member (a mentor, an introducer) on the date of the act.
struct MemberFacts {
  std::string name;          // "people/{person}"
  std::string full_name;     // "Nguyễn Văn B", for the descriptions.
  bool official = false;     // An official (chính thức) member that day.
  std::string organization;  // The home cell that day, "organizations/{org}".
};

// The training certificate being recorded, resolved by the service from
// the enrollment or from the external certificate of the request.
struct CertificateFacts {
  v1::TrainingCertificate certificate;  // number and issued_on at least.
  bool external = false;  // Issued outside partydev (the three flags below
                          // are then not checked).
  bool enrollment_certified = false;  // The enrollment is CERTIFIED.
  bool admission_class = false;  // The class is an ADMISSION_CANDIDATES class.
  bool same_person = false;      // The enrollment is this candidate's.
};

// What background verification must cover, and the relative of an
// exemption.
struct BackgroundFacts {
  // The grassroots committee of the candidate's cell, "organizations/{org}"
  // (the cell itself for a grassroots cell): who verifies.
  std::string grassroots_committee;
  // The relatives the candidate has (SELF and PARENTS always; SPOUSE and
  // PARENTS_IN_LAW when married; ADULT_CHILDREN when any). Verification
  // must cover those of them the rule set lists.
  std::vector<v1::RelativeKind> relatives;
  // For an exemption naming a member_relative in partydev: that person is
  // a party member on the recorded date.
  bool relative_is_member = false;
};

// The introducers and the unions around the candidate on the date of the
// introductions.
struct IntroductionFacts {
  // Every party-member introducer named in the request.
  std::vector<MemberFacts> introducers;
  // The kind code ("YOUTH_UNION", "TRADE_UNION"...) of each union
  // organisation named in the request or in the candidate's
  // union_memberships, keyed by "organizations/{org}".
  std::map<std::string, std::string> union_kinds;
  // A youth union branch (chi đoàn) exists where the candidate works,
  // studies or lives.
  bool youth_union_branch_exists = false;
  // A trade union (công đoàn cơ sở) exists there.
  bool trade_union_exists = false;
};

// The voting members of a body on the day of a ballot. For a cell: its
// official members, of whom some are exempt from meetings or away on a
// temporary transfer (the rule set says whether those are left out of the
// total). For a committee: its members (exempt and away are 0).
struct VotingRoll {
  int members = 0;           // All official members (or committee members).
  int exempt = 0;            // Of them, exempt from work and meetings.
  int temporarily_away = 0;  // Of them, away on a temporary transfer.
};

// Who signed a decision (admission, recognition, removal from probation),
// as the organisation tree stood on its date.
struct AuthorityFacts {
  // The deciding organisation is the superior level (cấp trên cơ sở) of the
  // candidate's grassroots organisation, and its standing committee decided.
  bool decider_is_superior_standing_committee = false;
  // The deciding organisation is the candidate's own grassroots committee.
  bool decider_is_own_grassroots = false;
  // That grassroots committee holds a delegation of the authority to admit
  // (Organization.admission_authority.delegated).
  bool grassroots_delegated = false;
};

// Facts of the admission decision.
struct DecisionFacts {
  AuthorityFacts authority;
  // The candidate's cell is a grassroots cell (chi bộ cơ sở): no committee
  // resolution.
  bool cell_is_grassroots = false;
  // Working days of recorded extensions of the decision deadline.
  int extension_working_days = 0;
};

// Facts of a re-admission.
struct ReadmissionFacts {
  // Re-admissions the person already had (Person.previous_admissions with
  // readmission set and an admission decision).
  int previous_readmissions = 0;
  // Level code of the organisation that approved the READMISSION exception
  // ("PROVINCE").
  std::string approving_level;
};

}  // namespace partydev::membership::domain

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_STEP_FACTS_H_
