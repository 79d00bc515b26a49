#include "services/membership/domain/meetings.h"

#include <gtest/gtest.h>

#include "services/membership/domain/test_support.h"

namespace partydev::membership::domain {
namespace {

using testing::D;
using testing::Has;
using testing::Rules;

v1::Fraction TwoThirds() { return Rules().meetings().quorum(); }

RollMember Member(const std::string& id) {
  RollMember m;
  m.person = "people/" + id;
  m.member_on_rolls = true;
  return m;
}

v1::YearMonth Month(int y, int m) {
  v1::YearMonth ym;
  ym.set_year(y);
  ym.set_month(m);
  return ym;
}

v1::Organization Cell() {
  v1::Organization org;
  org.set_name("organizations/cell");
  org.set_display_name("Chi bộ Khoa Toán");
  org.set_organization_class(v1::ORGANIZATION_CLASS_PARTY_CELL);
  org.add_path("organizations/province");
  org.add_path("organizations/college");
  org.add_path("organizations/cell");
  return org;
}

v1::Meeting Scheduled(v1::MeetingKind kind) {
  v1::Meeting m;
  m.set_name("organizations/cell/meetings/m1");
  m.set_kind(kind);
  *m.mutable_period() = Month(2026, 3);
  return m;
}

// Exempt members, candidates and members away at a host are not invited;
// hosted temporary members are, not counted in quorum; officials and
// guests are invited, not expected; each person once.
TEST(MeetingRulesTest, InviteesFromTheRolls) {
  RollMember exempt = Member("exempt");
  exempt.exempt = true;
  RollMember candidate = Member("candidate");
  candidate.member_on_rolls = false;
  RollMember away = Member("away");
  away.away = true;
  google::protobuf::RepeatedPtrField<v1::AssignedOfficial> officials;
  v1::AssignedOfficial* o = officials.Add();
  o->set_person("people/official");
  o->set_organization("organizations/college");
  google::protobuf::RepeatedPtrField<std::string> guests;
  guests.Add("people/guest");
  guests.Add("people/a");  // already a member: invited once, as member
  std::vector<v1::Invitee> invitees =
      Invitees({Member("a"), exempt, candidate, away}, {Member("hosted")},
               officials, guests);
  ASSERT_EQ(invitees.size(), 4u);
  EXPECT_EQ(invitees[0].person(), "people/a");
  EXPECT_EQ(invitees[0].role(), v1::INVITEE_ROLE_MEMBER);
  EXPECT_TRUE(invitees[0].expected());
  EXPECT_EQ(invitees[1].person(), "people/hosted");
  EXPECT_EQ(invitees[1].role(), v1::INVITEE_ROLE_TEMPORARY_MEMBER);
  EXPECT_TRUE(invitees[1].expected());
  EXPECT_EQ(invitees[2].role(), v1::INVITEE_ROLE_SUPERIOR_OFFICIAL);
  EXPECT_FALSE(invitees[2].expected());
  EXPECT_EQ(invitees[2].assignment().organization(), "organizations/college");
  EXPECT_EQ(invitees[3].person(), "people/guest");
  EXPECT_EQ(invitees[3].role(), v1::INVITEE_ROLE_GUEST);
}

// 3 members called → 2 required (2/3): 2 present reach it, 1 does not;
// the temporary member present does not count.
TEST(MeetingRulesTest, QuorumAtItsBoundary) {
  google::protobuf::RepeatedPtrField<v1::Invitee> invitees;
  for (const auto& id : {"a", "b", "c"}) {
    v1::Invitee* i = invitees.Add();
    i->set_person(std::string("people/") + id);
    i->set_role(v1::INVITEE_ROLE_MEMBER);
    i->set_expected(true);
  }
  v1::Invitee* t = invitees.Add();
  t->set_person("people/t");
  t->set_role(v1::INVITEE_ROLE_TEMPORARY_MEMBER);
  t->set_expected(true);
  std::map<std::string, v1::AttendanceStatus> status = {
      {"people/a", v1::ATTENDANCE_STATUS_PRESENT},
      {"people/b", v1::ATTENDANCE_STATUS_PRESENT},
      {"people/c", v1::ATTENDANCE_STATUS_ABSENT},
      {"people/t", v1::ATTENDANCE_STATUS_PRESENT}};
  v1::Quorum q = QuorumOf(invitees, status, TwoThirds());
  EXPECT_EQ(q.called(), 3);
  EXPECT_EQ(q.required(), 2);
  EXPECT_EQ(q.present(), 2);
  EXPECT_TRUE(q.reached());
  status["people/b"] = v1::ATTENDANCE_STATUS_EXCUSED;
  q = QuorumOf(invitees, status, TwoThirds());
  EXPECT_EQ(q.present(), 1);
  EXPECT_FALSE(q.reached());
}

TEST(MeetingRulesTest, ScheduleRules) {
  ScheduleFacts facts;
  facts.organization = Cell();
  facts.existing_people = {"people/official"};
  v1::Meeting m = Scheduled(v1::MEETING_KIND_THEMATIC);
  EXPECT_TRUE(Has(CheckSchedule(m, facts, Rules()), "meeting.theme_required"));
  m.set_theme("Học tập và làm theo tư tưởng Hồ Chí Minh");
  EXPECT_TRUE(CheckSchedule(m, facts, Rules()).empty());

  // From the superior level: fine. The cell itself, a side branch, or an
  // unknown person: refused.
  v1::AssignedOfficial* o = m.add_assigned_officials();
  o->set_person("people/official");
  o->set_organization("organizations/college");
  EXPECT_TRUE(CheckSchedule(m, facts, Rules()).empty());
  o->set_organization("organizations/cell");
  EXPECT_TRUE(
      Has(CheckSchedule(m, facts, Rules()), "meeting.official_assignment"));
  o->set_organization("organizations/other-cell");
  EXPECT_TRUE(
      Has(CheckSchedule(m, facts, Rules()), "meeting.official_assignment"));
  o->set_organization("organizations/province");
  o->set_person("people/nobody");
  EXPECT_TRUE(
      Has(CheckSchedule(m, facts, Rules()), "meeting.official_assignment"));

  m.clear_assigned_officials();
  facts.organization.set_organization_class(
      v1::ORGANIZATION_CLASS_MASS_ORGANIZATION);
  EXPECT_TRUE(
      Has(CheckSchedule(m, facts, Rules()), "meeting.party_organization"));
}

TEST(MeetingRulesTest, OutcomeRules) {
  v1::MeetingOutcome outcome;
  *outcome.mutable_held_on() = D(2026, 11, 25);
  auto unmet = CheckOutcome("m", outcome, D(2026, 11, 24), Rules());
  EXPECT_TRUE(Has(unmet, "meeting.not_in_future"));
  EXPECT_TRUE(Has(unmet, "meeting.minutes_required"));
  EXPECT_TRUE(Has(unmet, "meeting.quality_required"));
  *outcome.mutable_held_on() = D(2026, 11, 24);  // today: allowed
  outcome.mutable_minutes()->set_number("05-BB/CB");
  outcome.set_quality(v1::MEETING_QUALITY_GOOD);
  EXPECT_TRUE(CheckOutcome("m", outcome, D(2026, 11, 24), Rules()).empty());
}

TEST(MeetingRulesTest, AttendanceRules) {
  v1::Meeting m = Scheduled(v1::MEETING_KIND_REGULAR);
  for (const auto& [id, expected] :
       {std::pair<const char*, bool>{"a", true}, {"b", true}, {"g", false}}) {
    v1::Invitee* i = m.add_invitees();
    i->set_person(std::string("people/") + id);
    i->set_expected(expected);
  }
  google::protobuf::RepeatedPtrField<v1::AttendanceEntry> entries;
  v1::AttendanceEntry* a = entries.Add();
  a->set_person("people/a");
  a->set_status(v1::ATTENDANCE_STATUS_EXCUSED);
  v1::AttendanceEntry* x = entries.Add();
  x->set_person("people/x");
  x->set_status(v1::ATTENDANCE_STATUS_PRESENT);
  auto unmet = CheckAttendances(m, entries, Rules());
  EXPECT_TRUE(Has(unmet, "attendance.excuse_reason"));
  EXPECT_TRUE(Has(unmet, "attendance.invitee"));
  EXPECT_TRUE(Has(unmet, "attendance.complete"));  // b missing
  a->set_excuse_reason("Ốm");
  x->set_person("people/b");
  // The guest is optional.
  EXPECT_TRUE(CheckAttendances(m, entries, Rules()).empty());
}

TEST(MeetingRulesTest, FlagsFollowTheMeeting) {
  v1::Meeting m = Scheduled(v1::MEETING_KIND_REGULAR);
  EXPECT_TRUE(FlagsOf(m, false).empty());
  EXPECT_FALSE(MonthEndedBefore(m.period(), D(2026, 3, 31)));
  EXPECT_TRUE(MonthEndedBefore(m.period(), D(2026, 4, 1)));
  m.set_state(v1::MEETING_STATE_HELD);
  *m.mutable_outcome()->mutable_held_on() = D(2026, 4, 2);  // late
  EXPECT_EQ(FlagsOf(m, false),
            (std::vector<v1::MeetingFlag>{v1::MEETING_FLAG_NOT_HELD_IN_MONTH,
                                          v1::MEETING_FLAG_ATTENDANCE_MISSING,
                                          v1::MEETING_FLAG_QUALITY_MISSING}));
  *m.mutable_outcome()->mutable_held_on() = D(2026, 3, 30);
  m.mutable_outcome()->set_quality(v1::MEETING_QUALITY_FAIR);
  m.mutable_quorum()->set_reached(false);
  EXPECT_EQ(FlagsOf(m, true),
            std::vector<v1::MeetingFlag>{v1::MEETING_FLAG_NO_QUORUM});
  m.mutable_quorum()->set_reached(true);
  EXPECT_TRUE(FlagsOf(m, true).empty());
  // Raised by the watch: kept.
  m.add_flags(v1::MEETING_FLAG_NOT_HELD_IN_MONTH);
  EXPECT_EQ(FlagsOf(m, true),
            std::vector<v1::MeetingFlag>{v1::MEETING_FLAG_NOT_HELD_IN_MONTH});
}

AttendanceFact Fact(v1::MeetingKind kind, int y, int m,
                    v1::AttendanceStatus status) {
  AttendanceFact f;
  f.kind = kind;
  f.period = Month(y, m);
  f.status = status;
  f.expected = true;
  return f;
}

// Only absences without reason from the regular meeting count, once a
// month, in the year asked.
TEST(MeetingRulesTest, AbsenceMonthsAndTally) {
  const std::vector<AttendanceFact> facts = {
      Fact(v1::MEETING_KIND_REGULAR, 2026, 3, v1::ATTENDANCE_STATUS_ABSENT),
      Fact(v1::MEETING_KIND_EXTRAORDINARY, 2026, 3,
           v1::ATTENDANCE_STATUS_ABSENT),
      Fact(v1::MEETING_KIND_THEMATIC, 2026, 4, v1::ATTENDANCE_STATUS_ABSENT),
      Fact(v1::MEETING_KIND_REGULAR, 2026, 5, v1::ATTENDANCE_STATUS_EXCUSED),
      Fact(v1::MEETING_KIND_REGULAR, 2026, 6, v1::ATTENDANCE_STATUS_PRESENT),
      Fact(v1::MEETING_KIND_REGULAR, 2026, 7, v1::ATTENDANCE_STATUS_ABSENT),
      Fact(v1::MEETING_KIND_REGULAR, 2025, 8, v1::ATTENDANCE_STATUS_ABSENT)};
  EXPECT_EQ(AbsenceMonths(facts, 2026), (std::vector<int>{3, 7}));
  EXPECT_EQ(AbsenceMonths(facts, 2025), (std::vector<int>{8}));

  v1::MemberAttendanceRate rate;
  TallyAttendance(facts, 2026, 0, rate);
  EXPECT_EQ(rate.expected(), 6);
  EXPECT_EQ(rate.present(), 1);
  EXPECT_EQ(rate.excused(), 1);
  EXPECT_EQ(rate.absent(), 4);
  EXPECT_DOUBLE_EQ(rate.rate_percent(), 100.0 / 6);
  ASSERT_EQ(rate.absent_months_size(), 2);
  EXPECT_EQ(rate.absent_months(1).month(), 7);
  TallyAttendance(facts, 2026, 6, rate);
  EXPECT_EQ(rate.expected(), 1);
  EXPECT_DOUBLE_EQ(rate.rate_percent(), 100.0);
  EXPECT_EQ(rate.absent_months_size(), 0);
}

TEST(MeetingRulesTest, Title) {
  v1::Meeting m = Scheduled(v1::MEETING_KIND_THEMATIC);
  m.set_theme("Chuyển đổi số");
  EXPECT_EQ(MeetingTitle(m),
            "Sinh hoạt chuyên đề \"Chuyển đổi số\" tháng 3/2026");
  EXPECT_EQ(MeetingTitle(Scheduled(v1::MEETING_KIND_REGULAR)),
            "Sinh hoạt chi bộ thường kỳ tháng 3/2026");
}

}  // namespace
}  // namespace partydev::membership::domain
