#include "services/membership/domain/ballots.h"

#include <gtest/gtest.h>

#include "services/membership/domain/test_support.h"

namespace partydev::membership::domain {
namespace {

using testing::C;
using testing::MakeBallot;
using testing::RuleIds;
using testing::Rules;

v1::Fraction TwoThirds() {
  v1::Fraction f;
  f.set_numerator(2);
  f.set_denominator(3);
  return f;
}

// Exactly 2/3 passes; just under fails.
TEST(BallotsTest, ExactFractions) {
  EXPECT_TRUE(Reaches(6, 9, TwoThirds()));
  EXPECT_FALSE(Reaches(5, 9, TwoThirds()));
  EXPECT_FALSE(Reaches(5, 8, TwoThirds()));
  EXPECT_TRUE(Reaches(6, 8, TwoThirds()));
  EXPECT_TRUE(Reaches(2, 3, TwoThirds()));
  EXPECT_FALSE(Reaches(1, 3, TwoThirds()));
  EXPECT_EQ(LeastReaching(9, TwoThirds()), 6);
  EXPECT_EQ(LeastReaching(8, TwoThirds()), 6);
  EXPECT_EQ(LeastReaching(3, TwoThirds()), 2);
  EXPECT_EQ(FormatFraction(TwoThirds()), "2/3");
}

TEST(BallotsTest, CountedTotalFollowsTheRuleSet) {
  v1::AdmissionRules rules = Rules().admission();
  EXPECT_EQ(CountedTotal({10, 1, 2}, rules), 9);
  rules.set_ballot_total_excludes_temporarily_away(true);
  EXPECT_EQ(CountedTotal({10, 1, 2}, rules), 7);
  rules.set_ballot_total_excludes_exempt(false);
  EXPECT_EQ(CountedTotal({10, 1, 2}, rules), 8);
}

TEST(BallotsTest, ChecksCountsAndRoll) {
  Violations unmet(Rules());
  CheckBallot(MakeBallot(C(2025, 8, 1), 5, 5, 9, 9), "ballot", 10, "chi bộ",
              unmet);
  EXPECT_EQ(RuleIds(unmet.list()),
            (std::vector<std::string>{"ballot.counts_consistent",
                                      "ballot.total_matches_roll"}));
  Violations ok(Rules());
  CheckBallot(MakeBallot(C(2025, 8, 1), 6, 3, 9, 9), "ballot", 9, "chi bộ", ok);
  EXPECT_TRUE(ok.empty());
}

TEST(BallotsTest, Judge) {
  BallotOutcome outcome;
  Judge(MakeBallot(C(2025, 8, 1), 6, 3, 9, 9), 9, TwoThirds(), outcome);
  EXPECT_TRUE(outcome.passed);
  EXPECT_EQ(outcome.total, 9);
  EXPECT_EQ(outcome.least_needed, 6);
}

TEST(BallotsTest, ViolationsCarryTheCitation) {
  Violations unmet(Rules());
  unmet.Add("admission.cell_threshold", "people/1", "Chỉ có 5/9 tán thành");
  EXPECT_EQ(unmet.list()[0].description,
            "Chỉ có 5/9 tán thành (Điều lệ Đảng 2011, Điều 4).");
  EXPECT_TRUE(StatusOf({}).ok());
  EXPECT_EQ(StatusOf(unmet.Take()).code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace partydev::membership::domain
