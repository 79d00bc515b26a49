// The early-warning engine: thresholds at their boundaries, escalation,
// one removal proposal per member and year whatever the cause, replay
// writing nothing, corrections closing what no longer holds.

#include "services/membership/domain/early_warnings.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace partydev::membership::domain {
namespace {

v1::EarlyWarningRules Rules() {
  v1::EarlyWarningRules r;  // the shipped defaults (rule_sets/*.json)
  r.set_reminder_months(1);
  r.set_follow_up_months(2);
  r.set_removal_proposal_months(3);
  return r;
}

using Warnings = std::map<std::string, v1::EarlyWarning>;

// Applies a plan to `stored`, as the service would.
void Apply(const std::vector<PlannedWarning>& plan, Warnings& stored) {
  for (const auto& p : plan) stored[p.id] = p.warning;
}

const PlannedWarning* Find(const std::vector<PlannedWarning>& plan,
                           const std::string& id) {
  for (const auto& p : plan) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

const std::vector<std::string> kAbsent = {
    "organizations/c/meetings/m1/attendances/p"};
const std::vector<std::string> kDues = {"people/p/duesStatements/2026"};

TEST(EarlyWarningsTest, IdsAreDerivedPerCauseLevelAndYear) {
  EXPECT_EQ(
      WarningId(2026, v1::WARNING_CAUSE_ABSENCE, v1::WARNING_LEVEL_REMINDER),
      "2026-absence-reminder");
  EXPECT_EQ(WarningId(2026, v1::WARNING_CAUSE_DUES_UNPAID,
                      v1::WARNING_LEVEL_FOLLOW_UP),
            "2026-dues-follow-up");
  EXPECT_EQ(WarningId(2026, v1::WARNING_CAUSE_DUES_UNPAID,
                      v1::WARNING_LEVEL_REMOVAL_PROPOSAL),
            "2026-removal-proposal");
  EXPECT_EQ(GroundOf(v1::WARNING_CAUSE_ABSENCE), "attendance");
  EXPECT_EQ(GroundOf(v1::WARNING_CAUSE_DUES_UNPAID), "dues");
}

TEST(EarlyWarningsTest, LevelsAtTheirThresholds) {
  EXPECT_EQ(LevelReached(0, Rules()), v1::WARNING_LEVEL_UNSPECIFIED);
  EXPECT_EQ(LevelReached(1, Rules()), v1::WARNING_LEVEL_REMINDER);
  EXPECT_EQ(LevelReached(2, Rules()), v1::WARNING_LEVEL_FOLLOW_UP);
  EXPECT_EQ(LevelReached(3, Rules()), v1::WARNING_LEVEL_REMOVAL_PROPOSAL);
  EXPECT_EQ(LevelReached(7, Rules()), v1::WARNING_LEVEL_REMOVAL_PROPOSAL);
  v1::EarlyWarningRules stricter = Rules();
  stricter.set_removal_proposal_months(4);  // versioned configuration
  EXPECT_EQ(LevelReached(3, stricter), v1::WARNING_LEVEL_FOLLOW_UP);
}

TEST(EarlyWarningsTest, NoMonthNoWarning) {
  EXPECT_TRUE(PlanWarnings(v1::WARNING_CAUSE_ABSENCE, 2026, {}, {}, Rules(), {})
                  .empty());
  // Months outside 1..12 do not count.
  EXPECT_TRUE(
      PlanWarnings(v1::WARNING_CAUSE_ABSENCE, 2026, {0, 13}, {}, Rules(), {})
          .empty());
}

TEST(EarlyWarningsTest, TwoMonthsFollowUpNotProposal) {
  Warnings stored;
  Apply(PlanWarnings(v1::WARNING_CAUSE_ABSENCE, 2026, {3}, kAbsent, Rules(),
                     stored),
        stored);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored["2026-absence-reminder"].state(), v1::WARNING_STATE_OPEN);

  std::vector<PlannedWarning> plan = PlanWarnings(
      v1::WARNING_CAUSE_ABSENCE, 2026, {3, 5, 5}, kAbsent, Rules(), stored);
  const PlannedWarning* follow = Find(plan, "2026-absence-follow-up");
  ASSERT_NE(follow, nullptr);
  EXPECT_TRUE(follow->is_new);
  EXPECT_TRUE(follow->announce);
  ASSERT_EQ(follow->warning.months_size(), 2);  // duplicates ignored
  EXPECT_EQ(follow->warning.months(1).month(), 5);
  EXPECT_EQ(Find(plan, "2026-removal-proposal"), nullptr);
  const PlannedWarning* reminder = Find(plan, "2026-absence-reminder");
  ASSERT_NE(reminder, nullptr);
  EXPECT_FALSE(reminder->announce);
  EXPECT_EQ(reminder->warning.state(), v1::WARNING_STATE_ESCALATED);
}

TEST(EarlyWarningsTest, ThreeMonthsRaiseTheProposalOnceAnnouncedOnce) {
  std::vector<PlannedWarning> plan = PlanWarnings(
      v1::WARNING_CAUSE_DUES_UNPAID, 2026, {1, 2, 3}, kDues, Rules(), {});
  ASSERT_EQ(plan.size(), 3u);
  int announced = 0;
  for (const auto& p : plan) announced += p.announce ? 1 : 0;
  EXPECT_EQ(announced, 1);  // the member is told once, of the proposal
  const PlannedWarning* proposal = Find(plan, "2026-removal-proposal");
  ASSERT_NE(proposal, nullptr);
  EXPECT_TRUE(proposal->announce);
  EXPECT_EQ(proposal->warning.cause(), v1::WARNING_CAUSE_DUES_UNPAID);
  EXPECT_EQ(proposal->warning.state(), v1::WARNING_STATE_OPEN);
  EXPECT_EQ(Find(plan, "2026-dues-reminder")->warning.state(),
            v1::WARNING_STATE_ESCALATED);
  EXPECT_EQ(Find(plan, "2026-dues-follow-up")->warning.state(),
            v1::WARNING_STATE_ESCALATED);
}

TEST(EarlyWarningsTest, ReplayPlansNothing) {
  Warnings stored;
  Apply(PlanWarnings(v1::WARNING_CAUSE_ABSENCE, 2026, {1, 2, 3}, kAbsent,
                     Rules(), stored),
        stored);
  EXPECT_TRUE(PlanWarnings(v1::WARNING_CAUSE_ABSENCE, 2026, {1, 2, 3}, kAbsent,
                           Rules(), stored)
                  .empty());
}

TEST(EarlyWarningsTest, SecondCauseJoinsTheProposal) {
  Warnings stored;
  Apply(PlanWarnings(v1::WARNING_CAUSE_ABSENCE, 2026, {1, 2, 3}, kAbsent,
                     Rules(), stored),
        stored);
  std::vector<PlannedWarning> plan = PlanWarnings(
      v1::WARNING_CAUSE_DUES_UNPAID, 2026, {4, 5, 6}, kDues, Rules(), stored);
  const PlannedWarning* proposal = Find(plan, "2026-removal-proposal");
  ASSERT_NE(proposal, nullptr);
  EXPECT_FALSE(proposal->is_new);
  EXPECT_TRUE(proposal->announce);
  EXPECT_EQ(proposal->warning.cause(), v1::WARNING_CAUSE_ABSENCE);
  ASSERT_EQ(proposal->warning.additional_causes_size(), 1);
  EXPECT_EQ(proposal->warning.additional_causes(0),
            v1::WARNING_CAUSE_DUES_UNPAID);
  EXPECT_EQ(proposal->warning.months_size(), 6);
  EXPECT_EQ(proposal->warning.evidence_size(), 2);
  // The dues levels below are raised and give way at once.
  EXPECT_EQ(Find(plan, "2026-dues-follow-up")->warning.state(),
            v1::WARNING_STATE_ESCALATED);
  Apply(plan, stored);
  // Once joined, a replay of either cause writes nothing.
  EXPECT_TRUE(PlanWarnings(v1::WARNING_CAUSE_DUES_UNPAID, 2026, {4, 5, 6},
                           kDues, Rules(), stored)
                  .empty());
  EXPECT_TRUE(PlanWarnings(v1::WARNING_CAUSE_ABSENCE, 2026, {1, 2, 3}, kAbsent,
                           Rules(), stored)
                  .empty());
}

TEST(EarlyWarningsTest, CorrectionClosesLevelsNoLongerReached) {
  Warnings stored;
  Apply(PlanWarnings(v1::WARNING_CAUSE_ABSENCE, 2026, {1, 2, 3}, kAbsent,
                     Rules(), stored),
        stored);
  // An absence corrected to excused: two months remain.
  std::vector<PlannedWarning> plan = PlanWarnings(
      v1::WARNING_CAUSE_ABSENCE, 2026, {1, 3}, kAbsent, Rules(), stored);
  Apply(plan, stored);
  EXPECT_EQ(stored["2026-removal-proposal"].state(),
            v1::WARNING_STATE_RESOLVED);
  EXPECT_EQ(stored["2026-removal-proposal"].resolution(),
            v1::WARNING_RESOLUTION_RECORDS_CORRECTED);
  EXPECT_EQ(stored["2026-absence-follow-up"].state(), v1::WARNING_STATE_OPEN);
  EXPECT_EQ(stored["2026-absence-follow-up"].months_size(), 2);
  EXPECT_EQ(stored["2026-absence-reminder"].state(),
            v1::WARNING_STATE_ESCALATED);
  for (const auto& p : plan) EXPECT_FALSE(p.announce) << p.id;
}

TEST(EarlyWarningsTest, CorrectionOfOneCauseKeepsTheOthersProposal) {
  Warnings stored;
  Apply(PlanWarnings(v1::WARNING_CAUSE_ABSENCE, 2026, {1, 2, 3}, kAbsent,
                     Rules(), stored),
        stored);
  Apply(PlanWarnings(v1::WARNING_CAUSE_DUES_UNPAID, 2026, {4, 5, 6}, kDues,
                     Rules(), stored),
        stored);
  Apply(PlanWarnings(v1::WARNING_CAUSE_ABSENCE, 2026, {}, {}, Rules(), stored),
        stored);
  const v1::EarlyWarning& proposal = stored["2026-removal-proposal"];
  EXPECT_EQ(proposal.state(), v1::WARNING_STATE_OPEN);
  EXPECT_EQ(proposal.cause(), v1::WARNING_CAUSE_DUES_UNPAID);
  EXPECT_EQ(proposal.additional_causes_size(), 0);
  ASSERT_EQ(proposal.evidence_size(), 1);
  EXPECT_EQ(proposal.evidence(0), kDues[0]);
  EXPECT_EQ(stored["2026-absence-reminder"].resolution(),
            v1::WARNING_RESOLUTION_RECORDS_CORRECTED);
}

TEST(EarlyWarningsTest, ResolvedWarningsAreNeverReopened) {
  Warnings stored;
  Apply(PlanWarnings(v1::WARNING_CAUSE_ABSENCE, 2026, {1, 2, 3}, kAbsent,
                     Rules(), stored),
        stored);
  stored["2026-removal-proposal"].set_state(v1::WARNING_STATE_RESOLVED);
  stored["2026-removal-proposal"].set_resolution(
      v1::WARNING_RESOLUTION_REMOVAL_DECLINED);
  // A fourth month: the declined proposal is neither reopened nor changed.
  std::vector<PlannedWarning> plan = PlanWarnings(
      v1::WARNING_CAUSE_ABSENCE, 2026, {1, 2, 3, 4}, kAbsent, Rules(), stored);
  EXPECT_TRUE(plan.empty());
}

TEST(EarlyWarningsTest, FollowUpAndResolveRules) {
  v1::EarlyWarning w;
  w.set_level(v1::WARNING_LEVEL_FOLLOW_UP);
  w.set_state(v1::WARNING_STATE_OPEN);
  EXPECT_EQ(FollowUpRefusal(w), "");
  w.set_state(v1::WARNING_STATE_FOLLOWED_UP);
  EXPECT_EQ(FollowUpRefusal(w), "");
  w.set_state(v1::WARNING_STATE_ESCALATED);
  EXPECT_NE(FollowUpRefusal(w), "");
  EXPECT_EQ(ResolveRefusal(w, v1::WARNING_RESOLUTION_MEMBER_RESUMED), "");
  EXPECT_NE(ResolveRefusal(w, v1::WARNING_RESOLUTION_MEMBER_REMOVED), "");
  EXPECT_NE(ResolveRefusal(w, v1::WARNING_RESOLUTION_REMOVAL_DECLINED), "");
  w.set_state(v1::WARNING_STATE_RESOLVED);
  EXPECT_NE(FollowUpRefusal(w), "");
  EXPECT_NE(ResolveRefusal(w, v1::WARNING_RESOLUTION_MEMBER_RESUMED), "");
}

}  // namespace
}  // namespace partydev::membership::domain
