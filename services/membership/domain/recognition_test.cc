#include "services/membership/domain/recognition.h"

#include <gtest/gtest.h>

#include "services/membership/domain/test_support.h"

namespace partydev::membership::domain {
namespace {

using testing::C;
using testing::Calendar;
using testing::D;
using testing::Has;
using testing::MakeBallot;
using testing::Registry;
using testing::RuleIds;

// Ceremony on 2024-01-31: probation ends 2025-01-31 (month-end rule).
v1::Admission OnProbation() {
  v1::Admission a;
  *a.mutable_ceremony_on() = D(2024, 1, 31);
  *a.mutable_new_member_certificate()->mutable_issued_on() = D(2024, 6, 1);
  return a;
}

const v1::RuleSet& RulesOn(absl::CivilDay day) {
  return **Registry().ForDay(day);
}

RecognitionVoteOutcome Vote(const v1::Admission& a, absl::CivilDay day,
                            int votes_for, int total = 9) {
  auto outcome = CheckRecognitionVote(
      a, MakeBallot(day, votes_for, total - votes_for, total, total),
      VotingRoll{total, 0, 0}, Calendar(), RulesOn(day));
  EXPECT_TRUE(outcome.ok()) << outcome.status();
  return outcome.ok() ? *outcome : RecognitionVoteOutcome();
}

TEST(RecognitionVoteTest, NotBeforeTheEndOfProbation) {
  RecognitionVoteOutcome early = Vote(OnProbation(), C(2025, 1, 30), 9);
  EXPECT_EQ(RuleIds(early.ballot.unmet),
            std::vector<std::string>{"admission.probation_months"});
  EXPECT_NE(early.ballot.unmet[0].description.find("31/01/2025"),
            std::string::npos);
  RecognitionVoteOutcome on_day = Vote(OnProbation(), C(2025, 1, 31), 9);
  EXPECT_TRUE(on_day.ballot.unmet.empty());
  EXPECT_TRUE(on_day.ballot.passed);
  EXPECT_EQ(on_day.official_on, C(2025, 1, 31));
}

// The vote is due 30 working days after probation (2025-03-13); a late
// vote is recorded and flagged, and the official date stays the end of
// probation.
TEST(RecognitionVoteTest, LateVoteKeepsTheOfficialDate) {
  RecognitionVoteOutcome due = Vote(OnProbation(), C(2025, 3, 13), 9);
  EXPECT_FALSE(due.late);
  EXPECT_EQ(due.vote_due_on, C(2025, 3, 13));
  RecognitionVoteOutcome late = Vote(OnProbation(), C(2025, 3, 14), 9);
  EXPECT_TRUE(late.ballot.unmet.empty());
  EXPECT_TRUE(late.late);
  EXPECT_EQ(late.official_on, C(2025, 1, 31));
}

TEST(RecognitionVoteTest, TwoThirdsOfTheCell) {
  EXPECT_TRUE(Vote(OnProbation(), C(2025, 2, 3), 6, 9).ballot.passed);
  EXPECT_FALSE(Vote(OnProbation(), C(2025, 2, 3), 5, 8).ballot.passed);
}

TEST(RecognitionVoteTest, NeedsTheNewMemberCourse) {
  v1::Admission a = OnProbation();
  a.clear_new_member_certificate();
  EXPECT_EQ(RuleIds(Vote(a, C(2025, 2, 3), 9).ballot.unmet),
            std::vector<std::string>{"recognition.new_member_course"});
}

// Failed votes count; the third escalates the case.
TEST(RecognitionVoteTest, ThirdFailedVoteEscalates) {
  v1::Admission a = OnProbation();
  RecognitionVoteOutcome first = Vote(a, C(2025, 2, 3), 3);
  EXPECT_EQ(first.attempt, 1);
  EXPECT_EQ(first.failed_votes, 1);
  EXPECT_FALSE(first.escalate);
  *a.add_recognition_ballots() = MakeBallot(C(2025, 2, 3), 3, 6, 9, 9);
  RecognitionVoteOutcome second = Vote(a, C(2025, 3, 3), 3);
  EXPECT_EQ(second.failed_votes, 2);
  EXPECT_FALSE(second.escalate);
  *a.add_recognition_ballots() = MakeBallot(C(2025, 3, 3), 3, 6, 9, 9);
  RecognitionVoteOutcome third = Vote(a, C(2025, 4, 1), 3);
  EXPECT_EQ(third.attempt, 3);
  EXPECT_EQ(third.failed_votes, 3);
  EXPECT_TRUE(third.escalate);
  // A third vote that passes does not escalate.
  EXPECT_FALSE(Vote(a, C(2025, 4, 1), 9).escalate);
  // After escalation the cell no longer votes.
  a.set_recognition_escalated(true);
  EXPECT_TRUE(
      Has(Vote(a, C(2025, 5, 5), 9).ballot.unmet, "recognition.escalated"));
}

v1::Admission VotedOn(absl::CivilDay day) {
  v1::Admission a = OnProbation();
  v1::Ballot* b = a.add_recognition_ballots();
  *b = MakeBallot(day, 8, 1, 9, 9);
  b->set_passed(true);
  return a;
}

v1::RecogniseMemberRequest Recognise(const Date& signed_on) {
  v1::RecogniseMemberRequest request;
  request.mutable_decision()->set_number("301-QĐ/ĐU");
  *request.mutable_decision()->mutable_signed_on() = signed_on;
  request.mutable_decision()->set_deciding_organization("organizations/up");
  return request;
}

AuthorityFacts Superior() {
  AuthorityFacts facts;
  facts.decider_is_superior_standing_committee = true;
  return facts;
}

RecognitionOutcome Decide(const v1::Admission& a, const Date& signed_on,
                          const AuthorityFacts& who, int extension = 0) {
  auto outcome = CheckRecognition(a, Recognise(signed_on), who, extension,
                                  Calendar(), RulesOn(C(2025, 3, 13)));
  EXPECT_TRUE(outcome.ok()) << outcome.status();
  return outcome.ok() ? *outcome : RecognitionOutcome();
}

// Voted 2025-03-13: the 30th working day after is 2025-04-25; the next
// working day is the make-up Saturday 2025-04-26, already late.
TEST(RecogniseTest, DecisionDeadline) {
  const v1::Admission a = VotedOn(C(2025, 3, 13));
  RecognitionOutcome ok = Decide(a, D(2025, 4, 25), Superior());
  EXPECT_TRUE(ok.unmet.empty());
  EXPECT_EQ(ok.official_on, C(2025, 1, 31));
  EXPECT_EQ(RuleIds(Decide(a, D(2025, 4, 26), Superior()).unmet),
            std::vector<std::string>{
                "admission.recognition_decision_deadline_working_days"});
  EXPECT_TRUE(Decide(a, D(2025, 4, 26), Superior(), 5).unmet.empty());
  EXPECT_EQ(RuleIds(Decide(a, D(2025, 4, 25), Superior(), 31).unmet),
            std::vector<std::string>{
                "admission.recognition_decision_extension_max_working_days"});
}

TEST(RecogniseTest, NeedsAPassedVoteAndTheAuthority) {
  v1::Admission failed = OnProbation();
  *failed.add_recognition_ballots() = MakeBallot(C(2025, 2, 3), 3, 6, 9, 9);
  EXPECT_EQ(RuleIds(Decide(failed, D(2025, 2, 10), AuthorityFacts()).unmet),
            (std::vector<std::string>{"recognition.vote_passed",
                                      "recognition.authority"}));
  // Escalated: the superior decides without a passed vote.
  failed.set_recognition_escalated(true);
  EXPECT_TRUE(Decide(failed, D(2025, 5, 10), Superior()).unmet.empty());
  AuthorityFacts delegated;
  delegated.decider_is_own_grassroots = true;
  delegated.grassroots_delegated = true;
  EXPECT_EQ(RuleIds(Decide(failed, D(2025, 5, 10), delegated).unmet),
            std::vector<std::string>{"recognition.vote_passed"});
}

TEST(RecogniseTest, NotBeforeProbationEndsAndCommitteeBallot) {
  const v1::Admission a = VotedOn(C(2025, 1, 31));
  EXPECT_EQ(RuleIds(Decide(a, D(2025, 1, 30), Superior()).unmet),
            std::vector<std::string>{"admission.probation_months"});
  v1::RecogniseMemberRequest request = Recognise(D(2025, 2, 10));
  *request.mutable_committee_ballot() = MakeBallot(C(2025, 2, 5), 4, 3, 7, 7);
  auto outcome = CheckRecognition(a, request, Superior(), 0, Calendar(),
                                  RulesOn(C(2025, 2, 5)));
  EXPECT_EQ(RuleIds(outcome->unmet),
            std::vector<std::string>{"admission.committee_threshold"});
}

TEST(RemoveFromProbationTest, ReasonDecisionAndAuthority) {
  v1::RemoveFromProbationRequest request;
  absl::Status status =
      CheckRemoveFromProbation(request, Superior(), RulesOn(C(2025, 8, 1)))
          .status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldViolationsOf(status).size(), 5u);
  request.set_reason("Vi phạm tư cách đảng viên");
  request.mutable_decision()->set_number("12-QĐ/ĐU");
  *request.mutable_decision()->mutable_signed_on() = D(2025, 8, 1);
  request.mutable_decision()->set_deciding_organization("organizations/up");
  *request.mutable_effective_on() = D(2025, 8, 1);
  EXPECT_TRUE(
      CheckRemoveFromProbation(request, Superior(), RulesOn(C(2025, 8, 1)))
          ->empty());
  EXPECT_EQ(RuleIds(*CheckRemoveFromProbation(request, AuthorityFacts(),
                                              RulesOn(C(2025, 8, 1)))),
            std::vector<std::string>{"probation.removal_authority"});
}

}  // namespace
}  // namespace partydev::membership::domain
