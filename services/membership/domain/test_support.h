// File: services/membership/domain/test_support.h
//
// Helpers shared by the domain's unit tests (not part of the library): the
// shipped rule sets and calendar loaded from services/membership/rules/, so
// that every test also checks the configuration that goes to production,
// and small builders of dates and people.

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_TEST_SUPPORT_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_TEST_SUPPORT_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/dates.h"
#include "common/errors.h"
#include "partydev/membership/v1/people.pb.h"
#include "partydev/membership/v1/types.pb.h"
#include "services/membership/domain/rule_sets.h"
#include "services/membership/domain/working_days.h"

namespace partydev::membership::domain::testing {

inline std::string RulesDir() { return PARTYDEV_MEMBERSHIP_RULES_DIR; }

// The shipped rule sets.
inline const RuleSetRegistry& Registry() {
  static const RuleSetRegistry* const registry = [] {
    absl::StatusOr<RuleSetRegistry> loaded =
        RuleSetRegistry::LoadDirectory(RulesDir() + "/rule_sets");
    if (!loaded.ok()) {
      ADD_FAILURE() << loaded.status();
      std::abort();
    }
    return new RuleSetRegistry(*std::move(loaded));
  }();
  return *registry;
}

// The rule set of 294-QĐ/TW (from 2025-07-01).
inline const v1::RuleSet& Rules() {
  return **Registry().ForDay(absl::CivilDay(2025, 7, 1));
}

// The rule set of 24-QĐ/TW (2021-07-30 .. 2025-06-30).
inline const v1::RuleSet& Rules2021() {
  return **Registry().ForDay(absl::CivilDay(2021, 7, 30));
}

// The shipped Vietnamese working-day calendar.
inline const WorkingDayCalendar& Calendar() {
  static const WorkingDayCalendar* const calendar = [] {
    absl::StatusOr<WorkingDayCalendar> loaded =
        WorkingDayCalendar::LoadFile(RulesDir() + "/calendar_vn.json");
    if (!loaded.ok()) {
      ADD_FAILURE() << loaded.status();
      std::abort();
    }
    return new WorkingDayCalendar(*std::move(loaded));
  }();
  return *calendar;
}

inline Date D(int year, int month, int day) {
  return MakeDate(year, month, day);
}

inline absl::CivilDay C(int year, int month, int day) {
  return absl::CivilDay(year, month, day);
}

// The rule ids of `violations`, in order.
inline std::vector<std::string> RuleIds(
    const std::vector<RuleViolation>& violations) {
  std::vector<std::string> ids;
  for (const RuleViolation& v : violations) ids.push_back(v.rule);
  return ids;
}

// Whether `violations` name `rule`.
inline bool Has(const std::vector<RuleViolation>& violations,
                const std::string& rule) {
  const std::vector<std::string> ids = RuleIds(violations);
  return std::find(ids.begin(), ids.end(), rule) != ids.end();
}

// The description of the first violation of `rule` ("" if none).
inline std::string DescriptionOf(const std::vector<RuleViolation>& violations,
                                 const std::string& rule) {
  for (const RuleViolation& v : violations) {
    if (v.rule == rule) return v.description;
  }
  return "";
}

// A candidate of cell "organizations/cell-1".
inline v1::Person Candidate(const Date& born) {
  v1::Person person;
  person.set_name("people/candidate");
  person.set_full_name("Nguyễn Thị Hoa");
  *person.mutable_date_of_birth() = born;
  person.set_general_education(v1::GENERAL_EDUCATION_UPPER_SECONDARY);
  person.set_organization("organizations/cell-1");
  return person;
}

// A candidate whose case is complete and valid for a cell vote on `vote`:
// certificate 12 months before, application 3 months before, background 2
// months before, two introductions 1 month before.
inline v1::Person ReadyCase(const Date& born, absl::CivilDay vote) {
  v1::Person person = Candidate(born);
  v1::Admission* a = person.mutable_admission();
  a->set_organization(person.organization());
  a->mutable_training_certificate()->set_number("12-GCN");
  *a->mutable_training_certificate()->mutable_issued_on() =
      FromCivilDay(AddMonths(vote, -12));
  *a->mutable_application()->mutable_filed_on() =
      FromCivilDay(AddMonths(vote, -3));
  *a->mutable_application()->mutable_background_form_on() =
      FromCivilDay(AddMonths(vote, -3));
  *a->mutable_background()->mutable_concluded_on() =
      FromCivilDay(AddMonths(vote, -2));
  for (const char* who : {"people/a", "people/b"}) {
    v1::Introduction* intro = a->add_introductions();
    intro->set_route(v1::INTRODUCTION_ROUTE_PARTY_MEMBER);
    intro->set_introducer(who);
    *intro->mutable_introduced_on() = FromCivilDay(AddMonths(vote, -1));
  }
  return person;
}

// A ballot held on `day`.
inline v1::Ballot MakeBallot(absl::CivilDay day, int votes_for, int against,
                             int present, int total) {
  v1::Ballot ballot;
  *ballot.mutable_held_on() = FromCivilDay(day);
  ballot.set_votes_for(votes_for);
  ballot.set_votes_against(against);
  ballot.set_present(present);
  ballot.set_total(total);
  return ballot;
}

}  // namespace partydev::membership::domain::testing

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_TEST_SUPPORT_H_
