#include "services/membership/domain/cell_resolution.h"

#include <gtest/gtest.h>

#include "services/membership/domain/test_support.h"

namespace partydev::membership::domain {
namespace {

using testing::C;
using testing::D;
using testing::DescriptionOf;
using testing::Has;
using testing::MakeBallot;
using testing::ReadyCase;
using testing::RuleIds;
using testing::Rules;

const absl::CivilDay kVote = C(2025, 8, 15);

CellResolutionFacts Roll(int members, int exempt = 0, int away = 0) {
  CellResolutionFacts facts;
  facts.roll = {members, exempt, away};
  return facts;
}

BallotOutcome Check(const v1::Person& person, const v1::Ballot& ballot,
                    const CellResolutionFacts& facts) {
  absl::StatusOr<BallotOutcome> outcome =
      CheckCellResolution(person, ballot, facts, Rules());
  EXPECT_TRUE(outcome.ok()) << outcome.status();
  return outcome.ok() ? *outcome : BallotOutcome();
}

v1::AdmissionException Exception(v1::AdmissionExceptionKind kind,
                                 v1::AdmissionExceptionState state) {
  v1::AdmissionException e;
  e.set_kind(kind);
  e.set_state(state);
  return e;
}

// 2/3 of the cell's official members: 6 of 9 passes, 5 of 9 fails.
TEST(CellResolutionTest, TwoThirdsOfNine) {
  const v1::Person person = ReadyCase(D(2000, 1, 1), kVote);
  BallotOutcome six = Check(person, MakeBallot(kVote, 6, 2, 8, 9), Roll(9));
  EXPECT_TRUE(six.unmet.empty()) << six.unmet.front().description;
  EXPECT_TRUE(six.passed);
  EXPECT_EQ(six.least_needed, 6);
  BallotOutcome five = Check(person, MakeBallot(kVote, 5, 3, 8, 9), Roll(9));
  EXPECT_TRUE(five.unmet.empty());
  EXPECT_FALSE(five.passed);
}

// 5 of 8 is under 2/3 (15 < 16); 6 of 8 reaches it.
TEST(CellResolutionTest, TwoThirdsOfEight) {
  const v1::Person person = ReadyCase(D(2000, 1, 1), kVote);
  EXPECT_FALSE(Check(person, MakeBallot(kVote, 5, 0, 5, 8), Roll(8)).passed);
  EXPECT_TRUE(Check(person, MakeBallot(kVote, 6, 0, 6, 8), Roll(8)).passed);
}

// The threshold is of all official members, not of those present: 6 of 7
// present out of 10 fails.
TEST(CellResolutionTest, CountsAgainstAllOfficialMembers) {
  const v1::Person person = ReadyCase(D(2000, 1, 1), kVote);
  EXPECT_FALSE(Check(person, MakeBallot(kVote, 6, 1, 7, 10), Roll(10)).passed);
}

// Exempt members are left out of the total by the default rule set;
// members away on a temporary transfer are not.
TEST(CellResolutionTest, TotalFollowsTheRuleSet) {
  const v1::Person person = ReadyCase(D(2000, 1, 1), kVote);
  BallotOutcome exempt =
      Check(person, MakeBallot(kVote, 6, 0, 6, 9), Roll(10, 1, 0));
  EXPECT_TRUE(exempt.unmet.empty());
  EXPECT_TRUE(exempt.passed);
  BallotOutcome away =
      Check(person, MakeBallot(kVote, 6, 0, 6, 9), Roll(10, 0, 1));
  EXPECT_EQ(RuleIds(away.unmet),
            std::vector<std::string>{"ballot.total_matches_roll"});
}

TEST(CellResolutionTest, InconsistentCounts) {
  const v1::Person person = ReadyCase(D(2000, 1, 1), kVote);
  EXPECT_EQ(
      RuleIds(Check(person, MakeBallot(kVote, 7, 2, 8, 9), Roll(9)).unmet),
      std::vector<std::string>{"ballot.counts_consistent"});
}

// Full 18 years on the day of the vote: born 2007-08-15 may be considered
// on 2025-08-15; born a day later may not.
TEST(CellResolutionTest, MinimumAgeBoundary) {
  EXPECT_TRUE(Check(ReadyCase(D(2007, 8, 15), kVote),
                    MakeBallot(kVote, 9, 0, 9, 9), Roll(9))
                  .unmet.empty());
  BallotOutcome young = Check(ReadyCase(D(2007, 8, 16), kVote),
                              MakeBallot(kVote, 9, 0, 9, 9), Roll(9));
  EXPECT_EQ(RuleIds(young.unmet),
            std::vector<std::string>{"admission.min_age_months"});
  EXPECT_NE(young.unmet[0].description.find("mới 215 tháng (17 năm 11 tháng)"),
            std::string::npos)
      << young.unmet[0].description;
}

// Born on 29 February: full 18 years on 28 February of a common year.
TEST(CellResolutionTest, LeapDayBirthday) {
  const absl::CivilDay vote = C(2025, 2, 28);
  EXPECT_TRUE(Check(ReadyCase(D(2007, 2, 28), vote),
                    MakeBallot(vote, 9, 0, 9, 9), Roll(9))
                  .unmet.empty());
  const v1::Person leap = ReadyCase(D(2004, 2, 29), C(2022, 2, 28));
  absl::StatusOr<BallotOutcome> outcome =
      CheckCellResolution(leap, MakeBallot(C(2022, 2, 28), 9, 0, 9, 9), Roll(9),
                          testing::Rules2021());
  ASSERT_TRUE(outcome.ok());
  EXPECT_TRUE(outcome->unmet.empty());
}

// Full 60 years is the last day; 60 years and one day needs the
// provincial committee's exception.
TEST(CellResolutionTest, MaximumAgeBoundary) {
  EXPECT_TRUE(Check(ReadyCase(D(1965, 8, 15), kVote),
                    MakeBallot(kVote, 9, 0, 9, 9), Roll(9))
                  .unmet.empty());
  const v1::Person old = ReadyCase(D(1965, 8, 14), kVote);
  BallotOutcome refused = Check(old, MakeBallot(kVote, 9, 0, 9, 9), Roll(9));
  EXPECT_EQ(RuleIds(refused.unmet),
            std::vector<std::string>{"admission.max_age_months"});
  EXPECT_NE(refused.unmet[0].description.find("từ ngày 15/08/2025"),
            std::string::npos);
  CellResolutionFacts facts = Roll(9);
  facts.exceptions.push_back(
      Exception(v1::ADMISSION_EXCEPTION_KIND_OVER_AGE_LIMIT,
                v1::ADMISSION_EXCEPTION_STATE_REVOKED));
  EXPECT_FALSE(Check(old, MakeBallot(kVote, 9, 0, 9, 9), facts).unmet.empty());
  facts.exceptions.push_back(
      Exception(v1::ADMISSION_EXCEPTION_KIND_OVER_AGE_LIMIT,
                v1::ADMISSION_EXCEPTION_STATE_ACTIVE));
  EXPECT_TRUE(Check(old, MakeBallot(kVote, 9, 0, 9, 9), facts).unmet.empty());
}

TEST(CellResolutionTest, EducationOrItsException) {
  v1::Person person = ReadyCase(D(2000, 1, 1), kVote);
  person.set_general_education(v1::GENERAL_EDUCATION_PRIMARY);
  EXPECT_EQ(
      RuleIds(Check(person, MakeBallot(kVote, 9, 0, 9, 9), Roll(9)).unmet),
      std::vector<std::string>{"admission.min_general_education"});
  CellResolutionFacts facts = Roll(9);
  facts.exceptions.push_back(Exception(v1::ADMISSION_EXCEPTION_KIND_EDUCATION,
                                       v1::ADMISSION_EXCEPTION_STATE_ACTIVE));
  EXPECT_TRUE(
      Check(person, MakeBallot(kVote, 9, 0, 9, 9), facts).unmet.empty());
  person.set_general_education(v1::GENERAL_EDUCATION_LOWER_SECONDARY);
  EXPECT_TRUE(
      Check(person, MakeBallot(kVote, 9, 0, 9, 9), Roll(9)).unmet.empty());
}

// The application is valid 12 months: filed 2024-08-15 it is still valid
// on 2025-08-15, filed 2024-08-14 it is not.
TEST(CellResolutionTest, DocumentsValidOnTheDayOfTheVote) {
  v1::Person person = ReadyCase(D(2000, 1, 1), kVote);
  v1::ApplicationRecord* application =
      person.mutable_admission()->mutable_application();
  *application->mutable_filed_on() = D(2024, 8, 15);
  *application->mutable_background_form_on() = D(2024, 8, 15);
  EXPECT_TRUE(
      Check(person, MakeBallot(kVote, 9, 0, 9, 9), Roll(9)).unmet.empty());
  *application->mutable_background_form_on() = D(2024, 8, 14);
  BallotOutcome expired = Check(person, MakeBallot(kVote, 9, 0, 9, 9), Roll(9));
  EXPECT_EQ(RuleIds(expired.unmet),
            std::vector<std::string>{"admission.application_validity_months"});
  // Certificate 60 months, introductions and background 12.
  *application->mutable_background_form_on() = D(2024, 8, 15);
  v1::Admission* a = person.mutable_admission();
  *a->mutable_training_certificate()->mutable_issued_on() = D(2020, 8, 14);
  *a->mutable_introductions(1)->mutable_introduced_on() = D(2024, 8, 14);
  *a->mutable_background()->mutable_concluded_on() = D(2024, 8, 14);
  EXPECT_EQ(
      RuleIds(Check(person, MakeBallot(kVote, 9, 0, 9, 9), Roll(9)).unmet),
      (std::vector<std::string>{"admission.certificate_validity_months",
                                "admission.introduction_validity_months",
                                "admission.background_validity_months"}));
}

TEST(CellResolutionTest, EveryUnmetRuleAtOnce) {
  v1::Person person = ReadyCase(D(2007, 9, 1), kVote);
  person.set_general_education(v1::GENERAL_EDUCATION_PRIMARY);
  person.mutable_admission()->clear_introductions();
  BallotOutcome outcome =
      Check(person, MakeBallot(kVote, 9, 0, 9, 10), Roll(9));
  EXPECT_EQ(RuleIds(outcome.unmet),
            (std::vector<std::string>{"admission.min_age_months",
                                      "admission.min_general_education",
                                      "admission.introduction_validity_months",
                                      "ballot.total_matches_roll"}));
  EXPECT_NE(DescriptionOf(outcome.unmet, "ballot.total_matches_roll")
                .find("Biên bản ghi tổng số 10"),
            std::string::npos);
}

TEST(CellResolutionTest, FormerMemberNeedsAReadmissionException) {
  CellResolutionFacts facts = Roll(9);
  facts.readmission = ReadmissionFacts{0, "PROVINCE"};
  BallotOutcome outcome = Check(ReadyCase(D(1980, 1, 1), kVote),
                                MakeBallot(kVote, 9, 0, 9, 9), facts);
  EXPECT_TRUE(Has(outcome.unmet, "readmission.exception"));
}

TEST(CellResolutionTest, MalformedInput) {
  const v1::Person person = ReadyCase(D(2000, 1, 1), kVote);
  v1::Ballot ballot = MakeBallot(kVote, -1, 0, 9, 9);
  ballot.clear_held_on();
  absl::Status status =
      CheckCellResolution(person, ballot, Roll(9), Rules()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldViolationsOf(status).size(), 2u);
  v1::Person no_birth = person;
  no_birth.clear_date_of_birth();
  EXPECT_FALSE(CheckCellResolution(no_birth, MakeBallot(kVote, 9, 0, 9, 9),
                                   Roll(9), Rules())
                   .ok());
}

}  // namespace
}  // namespace partydev::membership::domain
