#include "services/membership/domain/standing.h"

#include <gtest/gtest.h>

#include "services/membership/domain/test_support.h"

namespace partydev::membership::domain {
namespace {

namespace cv1 = ::partydev::common::v1;
using testing::C;
using testing::D;

// A candidate sourced in 2024 who became an official member in 2025, with
// every act of the pipeline dated.
v1::Person Admitted() {
  v1::Person p;
  p.set_stage(cv1::STAGE_OFFICIAL);
  p.set_status(v1::PERSON_STATUS_ACTIVE);
  v1::Admission* a = p.mutable_admission();
  *a->mutable_source()->mutable_sourced_on() = D(2024, 6, 3);
  *a->add_mentors()->mutable_assigned_on() = D(2024, 6, 10);
  *a->mutable_training_certificate()->mutable_issued_on() = D(2024, 7, 1);
  *a->mutable_application()->mutable_filed_on() = D(2024, 8, 1);
  *a->mutable_background()->mutable_concluded_on() = D(2024, 8, 20);
  *a->add_introductions()->mutable_introduced_on() = D(2024, 9, 2);
  *a->add_introductions()->mutable_introduced_on() = D(2024, 9, 4);
  v1::Ballot* failed = a->add_cell_ballots();
  *failed->mutable_held_on() = D(2024, 9, 6);
  v1::Ballot* passed = a->add_cell_ballots();
  *passed->mutable_held_on() = D(2024, 9, 10);
  passed->set_passed(true);
  v1::Ballot* committee = a->add_committee_ballots();
  *committee->mutable_held_on() = D(2024, 9, 17);
  committee->set_passed(true);
  *a->mutable_admission_decision()->mutable_signed_on() = D(2024, 10, 1);
  *a->mutable_ceremony_on() = D(2024, 10, 15);
  *a->mutable_official_on() = D(2025, 10, 15);
  v1::Affiliation* home = p.add_affiliations();
  home->set_organization("organizations/cb-toan");
  home->set_role(v1::AFFILIATION_ROLE_HOME);
  *home->mutable_starts_on() = D(2024, 6, 3);
  return p;
}

cv1::Stage StageOn(const v1::Person& p, absl::CivilDay day) {
  std::optional<Standing> s = StandingOn(p, day);
  return s.has_value() ? s->stage : cv1::STAGE_UNSPECIFIED;
}

TEST(StandingTest, EachActMovesTheStageOnItsDay) {
  const v1::Person p = Admitted();
  EXPECT_FALSE(StandingOn(p, C(2024, 6, 2)).has_value());  // not yet sourced
  EXPECT_EQ(StageOn(p, C(2024, 6, 3)), cv1::STAGE_SOURCED);
  EXPECT_EQ(StageOn(p, C(2024, 6, 10)), cv1::STAGE_MENTOR_ASSIGNED);
  EXPECT_EQ(StageOn(p, C(2024, 7, 31)), cv1::STAGE_TRAINING_PASSED);
  EXPECT_EQ(StageOn(p, C(2024, 8, 1)), cv1::STAGE_APPLICATION_FILED);
  EXPECT_EQ(StageOn(p, C(2024, 8, 20)), cv1::STAGE_BACKGROUND_VERIFIED);
  // Introduced once the second introduction is in.
  EXPECT_EQ(StageOn(p, C(2024, 9, 3)), cv1::STAGE_BACKGROUND_VERIFIED);
  EXPECT_EQ(StageOn(p, C(2024, 9, 4)), cv1::STAGE_INTRODUCED);
  // The failed cell ballot of 6 September moves nothing.
  EXPECT_EQ(StageOn(p, C(2024, 9, 9)), cv1::STAGE_INTRODUCED);
  EXPECT_EQ(StageOn(p, C(2024, 9, 10)), cv1::STAGE_CELL_RESOLVED);
  EXPECT_EQ(StageOn(p, C(2024, 9, 17)), cv1::STAGE_COMMITTEE_RESOLVED);
  EXPECT_EQ(StageOn(p, C(2024, 10, 1)), cv1::STAGE_ADMISSION_DECIDED);
  // Party Charter art. 5: probation runs from the ceremony for 12 months.
  EXPECT_EQ(StageOn(p, C(2024, 10, 15)), cv1::STAGE_PROBATION);
  EXPECT_EQ(StageOn(p, C(2025, 10, 14)), cv1::STAGE_PROBATION);
  EXPECT_EQ(StageOn(p, C(2025, 10, 15)), cv1::STAGE_OFFICIAL);
  EXPECT_EQ(StandingOn(p, C(2026, 1, 1))->status, v1::PERSON_STATUS_ACTIVE);
}

TEST(StandingTest, AnExistingMemberHasOnlyHerDecisionAndCeremony) {
  v1::Person p;
  p.set_stage(cv1::STAGE_OFFICIAL);
  v1::Admission* a = p.mutable_admission();
  *a->mutable_admission_decision()->mutable_signed_on() = D(2015, 3, 2);
  *a->mutable_ceremony_on() = D(2015, 3, 10);
  *a->mutable_official_on() = D(2016, 3, 10);
  EXPECT_FALSE(StandingOn(p, C(2015, 3, 1)).has_value());
  EXPECT_EQ(StageOn(p, C(2015, 3, 2)), cv1::STAGE_ADMISSION_DECIDED);
  EXPECT_EQ(StageOn(p, C(2015, 12, 31)), cv1::STAGE_PROBATION);
  EXPECT_EQ(StageOn(p, C(2016, 12, 31)), cv1::STAGE_OFFICIAL);
}

TEST(StandingTest, AClosedCaseHasTheClosuresStageFromItsDay) {
  v1::Person p = Admitted();
  v1::Admission* a = p.mutable_admission();
  a->clear_ceremony_on();
  a->clear_official_on();
  a->mutable_closure()->set_stage(cv1::STAGE_WITHDRAWN);
  *a->mutable_closure()->mutable_closed_on() = D(2024, 10, 20);
  p.set_stage(cv1::STAGE_WITHDRAWN);
  p.set_status(v1::PERSON_STATUS_CLOSED);
  EXPECT_EQ(StageOn(p, C(2024, 10, 19)), cv1::STAGE_ADMISSION_DECIDED);
  const std::optional<Standing> after = StandingOn(p, C(2024, 10, 20));
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->stage, cv1::STAGE_WITHDRAWN);
  EXPECT_EQ(after->status, v1::PERSON_STATUS_CLOSED);
}

TEST(StandingTest, AnEarlierCaseAnswersForDaysBeforeTheCurrentOne) {
  v1::Person p = Admitted();
  v1::Admission earlier;
  *earlier.mutable_source()->mutable_sourced_on() = D(2020, 1, 6);
  earlier.mutable_closure()->set_stage(cv1::STAGE_REJECTED);
  *earlier.mutable_closure()->mutable_closed_on() = D(2021, 5, 4);
  *p.add_previous_admissions() = earlier;
  EXPECT_EQ(StageOn(p, C(2020, 6, 1)), cv1::STAGE_SOURCED);
  EXPECT_EQ(StageOn(p, C(2022, 1, 1)), cv1::STAGE_REJECTED);
  EXPECT_EQ(StageOn(p, C(2024, 6, 3)), cv1::STAGE_SOURCED);  // the new case
}

TEST(StandingTest, DepartureAndExemptionOnTheirDays) {
  v1::Person p = Admitted();
  v1::Exemption* e = p.mutable_exemption();
  e->set_scope(v1::EXEMPTION_SCOPE_WORK_AND_MEETINGS);
  *e->mutable_starts_on() = D(2026, 1, 1);
  EXPECT_EQ(StandingOn(p, C(2025, 12, 31))->status, v1::PERSON_STATUS_ACTIVE);
  EXPECT_EQ(StandingOn(p, C(2026, 1, 1))->status, v1::PERSON_STATUS_EXEMPT);
  // Exempt from work only: still takes part in meetings, ACTIVE.
  e->set_scope(v1::EXEMPTION_SCOPE_WORK);
  EXPECT_EQ(StandingOn(p, C(2026, 1, 1))->status, v1::PERSON_STATUS_ACTIVE);

  p.set_stage(cv1::STAGE_LEFT);
  p.set_status(v1::PERSON_STATUS_DECEASED);
  p.mutable_departure()->set_kind(cv1::DEPARTURE_KIND_DEATH);
  *p.mutable_departure()->mutable_left_on() = D(2026, 3, 1);
  EXPECT_EQ(StageOn(p, C(2026, 2, 28)), cv1::STAGE_OFFICIAL);
  EXPECT_EQ(StageOn(p, C(2026, 3, 1)), cv1::STAGE_LEFT);
  EXPECT_EQ(StandingOn(p, C(2026, 3, 1))->status, v1::PERSON_STATUS_DECEASED);
}

TEST(StandingTest, AffiliationsOnADay) {
  v1::Person p = Admitted();
  p.mutable_affiliations(0)->mutable_ends_on()->CopyFrom(D(2025, 9, 1));
  v1::Affiliation* next = p.add_affiliations();
  next->set_organization("organizations/cb-ly");
  next->set_role(v1::AFFILIATION_ROLE_HOME);
  *next->mutable_starts_on() = D(2025, 9, 1);
  v1::Affiliation* host = p.add_affiliations();
  host->set_organization("organizations/cb-kp3");
  host->set_role(v1::AFFILIATION_ROLE_TEMPORARY_HOST);
  *host->mutable_starts_on() = D(2026, 2, 1);
  *host->mutable_ends_on() = D(2026, 8, 1);
  EXPECT_EQ(AffiliationOn(p, C(2024, 6, 2)).home, "");
  EXPECT_EQ(AffiliationOn(p, C(2025, 8, 31)).home, "cb-toan");
  // The day of a transfer belongs to the receiving cell.
  EXPECT_EQ(AffiliationOn(p, C(2025, 9, 1)).home, "cb-ly");
  EXPECT_EQ(AffiliationOn(p, C(2026, 3, 1)).host, "cb-kp3");
  EXPECT_EQ(AffiliationOn(p, C(2026, 8, 2)).host, "");
}

}  // namespace
}  // namespace partydev::membership::domain
