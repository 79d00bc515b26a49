#include "services/membership/domain/admission_results.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "services/membership/domain/test_support.h"

namespace partydev::membership::domain {
namespace {

using testing::D;

// A person at home in `org` since `since`, admitted there on `signed_on`.
v1::Person Admitted(const std::string& org, const Date& since,
                    const Date& signed_on) {
  v1::Person p;
  p.set_name("people/p1");
  p.set_organization(org);
  v1::Affiliation* home = p.add_affiliations();
  home->set_organization(org);
  home->set_role(v1::AFFILIATION_ROLE_HOME);
  *home->mutable_starts_on() = since;
  p.mutable_admission()->set_organization(org);
  *p.mutable_admission()->mutable_admission_decision()->mutable_signed_on() =
      signed_on;
  return p;
}

// Moves `p` from its home to `to` on `on`.
void Transfer(v1::Person& p, const std::string& to, const Date& on) {
  *p.mutable_affiliations(p.affiliations_size() - 1)->mutable_ends_on() = on;
  v1::Affiliation* home = p.add_affiliations();
  home->set_organization(to);
  home->set_role(v1::AFFILIATION_ROLE_HOME);
  *home->mutable_starts_on() = on;
  p.set_organization(to);
}

const std::set<std::string> kSubtree = {"organizations/cell-a",
                                        "organizations/cell-b"};
bool InSubtree(const std::string& org) { return kSubtree.count(org) > 0; }

TEST(AdmissionResultsTest, CountsTheDecisionsOfTheYearInTheSubtree) {
  EXPECT_EQ(AdmissionsInYear(
                Admitted("organizations/cell-a", D(2024, 1, 1), D(2025, 6, 1)),
                2025, InSubtree),
            1);
  // Another year, another subtree, no decision: not counted.
  EXPECT_EQ(AdmissionsInYear(Admitted("organizations/cell-a", D(2024, 1, 1),
                                      D(2024, 12, 31)),
                             2025, InSubtree),
            0);
  EXPECT_EQ(AdmissionsInYear(
                Admitted("organizations/other", D(2024, 1, 1), D(2025, 6, 1)),
                2025, InSubtree),
            0);
  v1::Person candidate =
      Admitted("organizations/cell-a", D(2024, 1, 1), D(2025, 6, 1));
  candidate.mutable_admission()->clear_admission_decision();
  EXPECT_EQ(AdmissionsInYear(candidate, 2025, InSubtree), 0);
}

TEST(AdmissionResultsTest, CountsWhereThePersonBelongedAtTheDecision) {
  // Admitted in cell-a, transferred out afterwards: still cell-a's.
  v1::Person left =
      Admitted("organizations/cell-a", D(2024, 1, 1), D(2025, 3, 1));
  Transfer(left, "organizations/other", D(2025, 9, 1));
  EXPECT_EQ(AdmittingOrganization(left, left.admission()),
            "organizations/cell-a");
  EXPECT_EQ(AdmissionsInYear(left, 2025, InSubtree), 1);
  // Admitted elsewhere, transferred in afterwards: not the subtree's.
  v1::Person came =
      Admitted("organizations/other", D(2024, 1, 1), D(2025, 3, 1));
  Transfer(came, "organizations/cell-b", D(2025, 9, 1));
  EXPECT_EQ(AdmissionsInYear(came, 2025, InSubtree), 0);
  // A member entered with an earlier admission: the case's organisation.
  v1::Person entered =
      Admitted("organizations/cell-b", D(2025, 10, 1), D(2025, 2, 1));
  EXPECT_EQ(AdmittingOrganization(entered, entered.admission()),
            "organizations/cell-b");
}

TEST(AdmissionResultsTest, CountsEveryAdmissionCaseOfTheYear) {
  v1::Person p =
      Admitted("organizations/cell-a", D(2020, 1, 1), D(2025, 11, 1));
  v1::Admission* earlier = p.add_previous_admissions();
  earlier->set_organization("organizations/cell-a");
  *earlier->mutable_admission_decision()->mutable_signed_on() = D(2025, 1, 10);
  EXPECT_EQ(AdmissionsInYear(p, 2025, InSubtree), 2);
}

TEST(AdmissionResultsTest, AdmittedMustBeTheRecordsCount) {
  EXPECT_TRUE(CheckAdmittedFromRecords(0, 3, "x", 2025).empty());
  EXPECT_TRUE(CheckAdmittedFromRecords(3, 3, "x", 2025).empty());
  std::vector<RuleViolation> unmet = CheckAdmittedFromRecords(5, 3, "x", 2025);
  ASSERT_EQ(unmet.size(), 1u);
  EXPECT_EQ(unmet[0].rule, kAdmissionResultsFromRecords);
  // Both numbers named.
  EXPECT_NE(unmet[0].description.find("ghi 3 "), std::string::npos)
      << unmet[0].description;
  EXPECT_NE(unmet[0].description.find("không phải 5 "), std::string::npos)
      << unmet[0].description;
}

TEST(AdmissionResultsTest, PercentIsDerivedFromTheCountAndTarget) {
  v1::AdmissionResultsCriterion c;
  c.set_target(4);
  c.set_admitted(9);
  ApplyAdmissionCount(3, c);
  EXPECT_EQ(c.admitted(), 3);
  EXPECT_DOUBLE_EQ(c.percent(), 75);
  c.set_target(0);
  ApplyAdmissionCount(3, c);
  EXPECT_DOUBLE_EQ(c.percent(), 0);
}

}  // namespace
}  // namespace partydev::membership::domain
