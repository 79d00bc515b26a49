#include "services/membership/domain/meeting_life.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace partydev::membership::domain {
namespace {

common::v1::Date D(int y, int m, int d) {
  common::v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

v1::ReportPeriod Period(int year, int month) {
  v1::ReportPeriod p;
  p.set_year(year);
  p.set_month(month);
  return p;
}

v1::Meeting Held(const std::string& id, v1::MeetingKind kind, int month,
                 bool quorum = true) {
  v1::Meeting m;
  m.set_name("organizations/cell/meetings/" + id);
  m.set_kind(kind);
  m.mutable_period()->set_year(2026);
  m.mutable_period()->set_month(month);
  m.set_state(v1::MEETING_STATE_HELD);
  m.mutable_quorum()->set_reached(quorum);
  return m;
}

v1::Attendance Record(v1::AttendanceStatus status, bool expected = true) {
  v1::Attendance a;
  a.set_status(status);
  a.set_expected(expected);
  return a;
}

v1::EarlyWarning Warning(const std::string& person, v1::WarningLevel level,
                         v1::WarningState state) {
  v1::EarlyWarning w;
  w.set_name("people/" + person + "/earlyWarnings/2026-x-" +
             std::to_string(level));
  w.set_level(level);
  w.set_state(state);
  return w;
}

TEST(MeetingLifeTest, OnlyBegunMonthsAreExpectedAndEndedOnesJudged) {
  const ReportMonths year = MonthsOf(Period(2026, 0), D(2026, 11, 24));
  EXPECT_EQ(year.begun.size(), 11u);  // December has not begun
  EXPECT_EQ(year.ended.size(), 10u);  // November has not ended
  EXPECT_EQ(year.ended.count(11), 0u);
  const ReportMonths past = MonthsOf(Period(2025, 0), D(2026, 11, 24));
  EXPECT_EQ(past.ended.size(), 12u);
  const ReportMonths march = MonthsOf(Period(2026, 3), D(2026, 11, 24));
  ASSERT_EQ(march.begun, std::vector<int>{3});
  EXPECT_EQ(march.ended.count(3), 1u);
}

TEST(MeetingLifeTest, CountsHeldNotHeldQuorumAndAttendance) {
  MeetingLifeTally tally(MonthsOf(Period(2026, 0), D(2026, 4, 10)));
  v1::Meeting jan = Held("jan", v1::MEETING_KIND_REGULAR, 1);
  jan.mutable_outcome()->add_officials_attended("people/uv-btv");
  v1::Meeting feb = Held("feb", v1::MEETING_KIND_REGULAR, 2, false);
  v1::Meeting theme = Held("q1", v1::MEETING_KIND_THEMATIC, 2);
  theme.mutable_outcome()->add_officials_attended("people/uv-btv");
  theme.mutable_outcome()->add_officials_attended("people/chuyen-vien");
  v1::Meeting march = Held("mar", v1::MEETING_KIND_REGULAR, 3);
  march.set_state(v1::MEETING_STATE_SCHEDULED);  // never held
  v1::Meeting other_year = Held("old", v1::MEETING_KIND_REGULAR, 3);
  other_year.mutable_period()->set_year(2025);
  std::map<std::string, std::vector<v1::Attendance>> attendances;
  attendances[jan.name()] = {Record(v1::ATTENDANCE_STATUS_PRESENT),
                             Record(v1::ATTENDANCE_STATUS_PRESENT),
                             Record(v1::ATTENDANCE_STATUS_EXCUSED),
                             Record(v1::ATTENDANCE_STATUS_PRESENT, false)};
  attendances[feb.name()] = {Record(v1::ATTENDANCE_STATUS_ABSENT),
                             Record(v1::ATTENDANCE_STATUS_PRESENT),
                             Record(v1::ATTENDANCE_STATUS_ABSENT),
                             Record(v1::ATTENDANCE_STATUS_ABSENT)};
  tally.AddMeetings({jan, feb, theme, march, other_year}, attendances);

  v1::MeetingLifeRow row;
  tally.Fill(row);
  EXPECT_EQ(row.regular_expected(), 4);  // January to April (begun)
  EXPECT_EQ(row.regular_held(), 2);
  ASSERT_EQ(row.months_not_held_size(), 1);  // April has not ended
  EXPECT_EQ(row.months_not_held(0).month(), 3);
  EXPECT_EQ(row.thematic_expected(), 2);  // Q1 and Q2 have begun
  EXPECT_EQ(row.thematic_held(), 1);
  EXPECT_NEAR(row.thematic_share_percent(), 100.0 / 3, 1e-9);
  EXPECT_EQ(row.held_without_quorum(), 1);
  EXPECT_NEAR(row.attendance_rate_percent(), 3 * 100.0 / 7, 1e-9);
  EXPECT_EQ(row.attended_by_superiors(), 2);
  EXPECT_EQ(row.superior_officials(), 2);
  EXPECT_TRUE(tally.HasProblem());
}

TEST(MeetingLifeTest, AQuarterWithoutThematicMeetingIsAProblemOnceEnded) {
  const std::vector<v1::Meeting> regular = {
      Held("jan", v1::MEETING_KIND_REGULAR, 1),
      Held("feb", v1::MEETING_KIND_REGULAR, 2),
      Held("mar", v1::MEETING_KIND_REGULAR, 3)};
  MeetingLifeTally open_quarter(MonthsOf(Period(2026, 3), D(2026, 3, 31)));
  open_quarter.AddMeetings(regular, {});
  EXPECT_FALSE(open_quarter.HasProblem());  // March has not ended

  MeetingLifeTally ended(MonthsOf(Period(2026, 3), D(2026, 4, 1)));
  ended.AddMeetings(regular, {});
  EXPECT_TRUE(ended.HasProblem());
  v1::MeetingLifeRow row;
  ended.Fill(row);
  EXPECT_EQ(row.thematic_expected(), 1);
  EXPECT_EQ(row.thematic_held(), 0);

  // A thematic meeting in February counts for the quarter's report of
  // March.
  std::vector<v1::Meeting> with_theme = regular;
  with_theme.push_back(Held("q1", v1::MEETING_KIND_THEMATIC, 2));
  MeetingLifeTally met(MonthsOf(Period(2026, 3), D(2026, 4, 1)));
  met.AddMeetings(with_theme, {});
  EXPECT_FALSE(met.HasProblem());
  met.Fill(row);
  EXPECT_EQ(row.thematic_held(), 1);
  EXPECT_EQ(row.thematic_share_percent(), 0.0);  // none held in March
}

TEST(MeetingLifeTest, RulesOfTheMonthSetTheExpectations) {
  MeetingLifeTally tally(MonthsOf(Period(2026, 0), D(2026, 7, 1)));
  v1::MeetingRules twice;
  twice.set_regular_per_month(2);
  twice.set_thematic_per_quarter(2);
  tally.SetRules(6, twice);
  tally.AddMeetings({}, {});
  v1::MeetingLifeRow row;
  tally.Fill(row);
  EXPECT_EQ(row.regular_expected(), 8);   // 7 months, June counts 2
  EXPECT_EQ(row.thematic_expected(), 4);  // Q1 1, Q2 2 (June), Q3 1
}

TEST(MeetingLifeTest, MembersCountOnceAtTheirHighestOpenLevel) {
  MeetingLifeTally tally(MonthsOf(Period(2026, 0), D(2026, 7, 1)));
  tally.AddWarnings(
      {Warning("a", v1::WARNING_LEVEL_REMINDER, v1::WARNING_STATE_ESCALATED),
       Warning("a", v1::WARNING_LEVEL_FOLLOW_UP, v1::WARNING_STATE_OPEN),
       Warning("b", v1::WARNING_LEVEL_REMINDER, v1::WARNING_STATE_OPEN),
       Warning("b", v1::WARNING_LEVEL_REMOVAL_PROPOSAL,
               v1::WARNING_STATE_FOLLOWED_UP),
       Warning("c", v1::WARNING_LEVEL_REMINDER, v1::WARNING_STATE_RESOLVED),
       Warning("d", v1::WARNING_LEVEL_REMINDER, v1::WARNING_STATE_OPEN)});
  v1::MeetingLifeRow row;
  tally.Fill(row);
  EXPECT_EQ(row.warnings_reminder(), 1);          // d
  EXPECT_EQ(row.warnings_follow_up(), 1);         // a
  EXPECT_EQ(row.warnings_removal_proposal(), 1);  // b
}

TEST(MeetingLifeTest, TheTotalSumsCellsAndCountsOfficialsOnce) {
  const ReportMonths months = MonthsOf(Period(2026, 1), D(2026, 3, 1));
  MeetingLifeTally a(months);
  v1::Meeting held = Held("jan", v1::MEETING_KIND_REGULAR, 1);
  held.mutable_outcome()->add_officials_attended("people/uv-btv");
  a.AddMeetings({held},
                {{held.name(), {Record(v1::ATTENDANCE_STATUS_PRESENT)}}});
  v1::DuesCollection dues;
  dues.set_expected_vnd(100000);
  dues.set_collected_vnd(80000);
  dues.mutable_remittance()->set_amount_remitted_vnd(56000);
  a.AddDues(dues);
  MeetingLifeTally b(months);
  v1::Meeting other = held;
  other.set_name("organizations/cell-b/meetings/jan");
  b.AddMeetings({other},
                {{other.name(), {Record(v1::ATTENDANCE_STATUS_ABSENT)}}});
  MeetingLifeTally c(months);
  c.AddMeetings({}, {});
  MeetingLifeTally total(months);
  total.Merge(a);
  total.Merge(b);
  total.Merge(c);
  v1::MeetingLifeRow row;
  total.Fill(row);
  EXPECT_EQ(row.regular_expected(), 3);
  EXPECT_EQ(row.regular_held(), 2);
  ASSERT_EQ(row.months_not_held_size(), 1);  // c's January
  EXPECT_EQ(row.attendance_rate_percent(), 50.0);
  EXPECT_EQ(row.attended_by_superiors(), 2);
  EXPECT_EQ(row.superior_officials(), 1);
  EXPECT_EQ(row.dues_expected_vnd(), 100000);
  EXPECT_EQ(row.dues_collected_vnd(), 80000);
  EXPECT_EQ(row.dues_remitted_vnd(), 56000);
  EXPECT_TRUE(total.HasProblem());
  EXPECT_FALSE(a.HasProblem());
}

}  // namespace
}  // namespace partydev::membership::domain
