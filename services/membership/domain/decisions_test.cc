#include "services/membership/domain/decisions.h"

#include <gtest/gtest.h>

#include "services/membership/domain/test_support.h"

namespace partydev::membership::domain {
namespace {

namespace cv1 = ::partydev::common::v1;
using testing::C;
using testing::Calendar;
using testing::D;
using testing::DescriptionOf;
using testing::Has;
using testing::MakeBallot;
using testing::RuleIds;
using testing::Rules;
using testing::Rules2021;

// A case the cell resolved on Monday 2024-01-15 and the committee on
// 2024-01-25. The 60th working day after the resolution, across Tết Giáp
// Thìn, is 2024-04-15.
v1::Admission Resolved() {
  v1::Admission a;
  v1::Ballot* cell = a.add_cell_ballots();
  *cell = MakeBallot(C(2024, 1, 15), 7, 0, 7, 9);
  cell->set_passed(true);
  v1::Ballot* committee = a.add_committee_ballots();
  *committee = MakeBallot(C(2024, 1, 25), 5, 0, 5, 7);
  committee->set_passed(true);
  return a;
}

v1::RecordAdmissionDecisionRequest Decision(const Date& signed_on) {
  v1::RecordAdmissionDecisionRequest request;
  request.mutable_decision()->set_number("125-QĐ/ĐUK");
  *request.mutable_decision()->mutable_signed_on() = signed_on;
  request.mutable_decision()->set_deciding_organization("organizations/bloc");
  request.set_authority(v1::DECISION_AUTHORITY_SUPERIOR_STANDING_COMMITTEE);
  *request.mutable_received_on() = signed_on;
  return request;
}

DecisionFacts Superior() {
  DecisionFacts facts;
  facts.authority.decider_is_superior_standing_committee = true;
  return facts;
}

std::vector<RuleViolation> CheckDecision(const v1::Admission& a,
                                         const Date& signed_on,
                                         const DecisionFacts& facts) {
  auto unmet = CheckAdmissionDecision(a, Decision(signed_on), facts, Calendar(),
                                      Rules2021());
  EXPECT_TRUE(unmet.ok()) << unmet.status();
  return unmet.ok() ? *unmet : std::vector<RuleViolation>{};
}

// The 60th working day is on time, the 61st is late.
TEST(AdmissionDecisionTest, SixtiethVersusSixtyFirstWorkingDay) {
  EXPECT_TRUE(CheckDecision(Resolved(), D(2024, 4, 15), Superior()).empty());
  std::vector<RuleViolation> late =
      CheckDecision(Resolved(), D(2024, 4, 16), Superior());
  EXPECT_EQ(RuleIds(late), std::vector<std::string>{
                               "admission.decision_deadline_working_days"});
  EXPECT_NE(late[0].description.find("hạn cuối là ngày 15/04/2024"),
            std::string::npos)
      << late[0].description;
}

// A recorded extension of up to 30 working days moves the due day.
TEST(AdmissionDecisionTest, Extension) {
  DecisionFacts facts = Superior();
  facts.extension_working_days = 30;
  EXPECT_TRUE(CheckDecision(Resolved(), D(2024, 5, 30), facts).empty());
  EXPECT_TRUE(Has(CheckDecision(Resolved(), D(2024, 5, 31), facts),
                  "admission.decision_deadline_working_days"));
  facts.extension_working_days = 31;
  EXPECT_EQ(RuleIds(CheckDecision(Resolved(), D(2024, 5, 30), facts)),
            std::vector<std::string>{
                "admission.decision_extension_max_working_days"});
  auto due = AdmissionDecisionDue(C(2024, 1, 15), 0, Calendar(), Rules2021());
  EXPECT_EQ(*due, C(2024, 4, 15));
}

TEST(AdmissionDecisionTest, Authority) {
  DecisionFacts none;
  EXPECT_EQ(RuleIds(CheckDecision(Resolved(), D(2024, 3, 1), none)),
            std::vector<std::string>{"decision.authority"});
  // A grassroots committee decides only with a delegation.
  v1::RecordAdmissionDecisionRequest request = Decision(D(2024, 3, 1));
  request.set_authority(v1::DECISION_AUTHORITY_DELEGATED_GRASSROOTS_COMMITTEE);
  DecisionFacts own;
  own.authority.decider_is_own_grassroots = true;
  auto unmet =
      CheckAdmissionDecision(Resolved(), request, own, Calendar(), Rules2021());
  EXPECT_EQ(RuleIds(*unmet), std::vector<std::string>{"decision.authority"});
  EXPECT_NE(unmet->front().description.find("chưa được cấp ủy cấp trên ủy "
                                            "quyền"),
            std::string::npos);
  own.authority.grassroots_delegated = true;
  EXPECT_TRUE(
      CheckAdmissionDecision(Resolved(), request, own, Calendar(), Rules2021())
          ->empty());
}

TEST(AdmissionDecisionTest, CommitteeResolutionUnlessGrassrootsCell) {
  v1::Admission a = Resolved();
  a.clear_committee_ballots();
  EXPECT_EQ(RuleIds(CheckDecision(a, D(2024, 3, 1), Superior())),
            std::vector<std::string>{"decision.committee_resolution"});
  DecisionFacts grassroots_cell = Superior();
  grassroots_cell.cell_is_grassroots = true;
  EXPECT_TRUE(CheckDecision(a, D(2024, 3, 1), grassroots_cell).empty());
}

TEST(AdmissionDecisionTest, OrderOfDates) {
  EXPECT_EQ(RuleIds(CheckDecision(Resolved(), D(2024, 1, 20), Superior())),
            std::vector<std::string>{"decision.after_resolutions"});
  v1::RecordAdmissionDecisionRequest request = Decision(D(2024, 3, 1));
  *request.mutable_received_on() = D(2024, 2, 28);
  EXPECT_EQ(RuleIds(*CheckAdmissionDecision(Resolved(), request, Superior(),
                                            Calendar(), Rules2021())),
            std::vector<std::string>{"decision.received_after_signed"});
  EXPECT_EQ(
      CheckAdmissionDecision(Resolved(), v1::RecordAdmissionDecisionRequest(),
                             Superior(), Calendar(), Rules2021())
          .status()
          .code(),
      absl::StatusCode::kInvalidArgument);
}

TEST(AdmissionDecisionTest, OutsideTheCalendarIsAnError) {
  v1::Admission a;
  v1::Ballot* cell = a.add_cell_ballots();
  *cell = MakeBallot(C(2030, 12, 1), 7, 0, 7, 9);
  cell->set_passed(true);
  DecisionFacts facts = Superior();
  facts.cell_is_grassroots = true;
  EXPECT_EQ(CheckAdmissionDecision(a, Decision(D(2031, 1, 5)), facts,
                                   Calendar(), Rules())
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

// 2/3 of the committee's members: 5 of 7 passes, 4 of 7 fails.
TEST(CommitteeResolutionTest, TwoThirdsOfTheCommittee) {
  auto five = CheckCommitteeResolution(Resolved(),
                                       MakeBallot(C(2024, 1, 25), 5, 2, 7, 7),
                                       false, 7, Rules2021());
  ASSERT_TRUE(five.ok());
  EXPECT_TRUE(five->unmet.empty());
  EXPECT_TRUE(five->passed);
  auto four = CheckCommitteeResolution(Resolved(),
                                       MakeBallot(C(2024, 1, 25), 4, 3, 7, 7),
                                       false, 7, Rules2021());
  EXPECT_FALSE(four->passed);
}

TEST(CommitteeResolutionTest, NotForAGrassrootsCellNorBeforeTheCell) {
  auto outcome = CheckCommitteeResolution(
      Resolved(), MakeBallot(C(2024, 1, 10), 5, 0, 5, 6), true, 7, Rules2021());
  EXPECT_EQ(RuleIds(outcome->unmet),
            (std::vector<std::string>{"committee.applicable",
                                      "committee.after_cell_resolution",
                                      "ballot.total_matches_roll"}));
}

v1::Admission Decided(const Date& received) {
  v1::Admission a = Resolved();
  *a.mutable_admission_decision()->mutable_signed_on() = received;
  *a.mutable_decision_received_on() = received;
  return a;
}

v1::RecordCeremonyRequest Ceremony(const Date& held) {
  v1::RecordCeremonyRequest request;
  *request.mutable_held_on() = held;
  return request;
}

// Received 2025-01-10: the 30th working day, across Tết Ất Tỵ and the
// make-up Saturday 08 February, is 2025-02-27.
TEST(CeremonyTest, ThirtiethVersusThirtyFirstWorkingDay) {
  auto on_time =
      CheckCeremony(Decided(D(2025, 1, 10)), Ceremony(D(2025, 2, 27)), 0,
                    Calendar(), Rules2021());
  ASSERT_TRUE(on_time.ok());
  EXPECT_TRUE(on_time->unmet.empty());
  EXPECT_EQ(on_time->due_on, C(2025, 2, 27));
  auto late = CheckCeremony(Decided(D(2025, 1, 10)), Ceremony(D(2025, 2, 28)),
                            0, Calendar(), Rules2021());
  EXPECT_EQ(
      RuleIds(late->unmet),
      std::vector<std::string>{"admission.ceremony_deadline_working_days"});
  // With the superior's approval of 5 more working days.
  EXPECT_TRUE(CheckCeremony(Decided(D(2025, 1, 10)), Ceremony(D(2025, 2, 28)),
                            5, Calendar(), Rules2021())
                  ->unmet.empty());
}

TEST(CeremonyTest, NotBeforeTheDecision) {
  auto outcome = CheckCeremony(Decided(D(2025, 1, 10)), Ceremony(D(2025, 1, 9)),
                               0, Calendar(), Rules2021());
  EXPECT_EQ(RuleIds(outcome->unmet),
            std::vector<std::string>{"ceremony.not_before_decision"});
  EXPECT_TRUE(Has(CheckCeremony(v1::Admission(), Ceremony(D(2025, 1, 9)), 0,
                                Calendar(), Rules2021())
                      ->unmet,
                  "ceremony.not_before_decision"));
}

// Probation is 12 months from the ceremony, with the month-end rule.
TEST(CeremonyTest, ProbationEndsTwelveMonthsLater) {
  auto jan31 = CheckCeremony(Decided(D(2024, 1, 10)), Ceremony(D(2024, 1, 31)),
                             0, Calendar(), Rules2021());
  EXPECT_EQ(jan31->probation_ends_on, C(2025, 1, 31));
  auto feb29 = CheckCeremony(Decided(D(2024, 2, 20)), Ceremony(D(2024, 2, 29)),
                             0, Calendar(), Rules2021());
  EXPECT_EQ(feb29->probation_ends_on, C(2025, 2, 28));
}

TEST(ExtensionTest, KindsStagesAndMaximum) {
  int granted = -1;
  auto ok =
      CheckExtension(cv1::DEADLINE_KIND_ADMISSION_DECISION_DUE,
                     cv1::STAGE_COMMITTEE_RESOLVED, 0, 0, Rules(), &granted);
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->empty());
  EXPECT_EQ(granted, 30);  // Default: the rule set's maximum.
  auto over =
      CheckExtension(cv1::DEADLINE_KIND_ADMISSION_DECISION_DUE,
                     cv1::STAGE_CELL_RESOLVED, 11, 20, Rules(), &granted);
  EXPECT_EQ(RuleIds(*over),
            std::vector<std::string>{
                "admission.decision_extension_max_working_days"});
  auto wrong =
      CheckExtension(cv1::DEADLINE_KIND_RECOGNITION_DECISION_DUE,
                     cv1::STAGE_ADMISSION_DECIDED, 10, 0, Rules(), &granted);
  EXPECT_EQ(RuleIds(*wrong),
            std::vector<std::string>{"extension.kind_extendable"});
  auto ceremony =
      CheckExtension(cv1::DEADLINE_KIND_CEREMONY_DUE,
                     cv1::STAGE_ADMISSION_DECIDED, 45, 0, Rules(), &granted);
  EXPECT_TRUE(ceremony->empty());
  EXPECT_EQ(granted, 45);
  EXPECT_FALSE(CheckExtension(cv1::DEADLINE_KIND_CEREMONY_DUE,
                              cv1::STAGE_ADMISSION_DECIDED, 0, 0, Rules(),
                              &granted)
                   .ok());
  EXPECT_FALSE(CheckExtension(cv1::DEADLINE_KIND_EVALUATION_DUE,
                              cv1::STAGE_PROBATION, 5, 0, Rules(), &granted)
                   .ok());
}

}  // namespace
}  // namespace partydev::membership::domain
