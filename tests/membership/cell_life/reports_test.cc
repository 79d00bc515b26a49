// The report on meeting life (ReportMeetingLife) and the member's own view
// (GetMyOverview) against a real membershipd and Redis: a subtree whose
// cells held their meeting, held it without quorum, or did not hold it,
// with the total, the filter of problems and paging; the overview as the
// member herself, and every refusal.

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/errors.h"
#include "common/grpc_status.h"
#include "tests/membership/membership_fixture.h"

namespace partydev::membership {
namespace {

class ReportsTest : public MembershipFixture {
 protected:
  static v1::Meeting Meeting(v1::MeetingKind kind, int year, int month) {
    v1::Meeting m;
    m.set_kind(kind);
    m.mutable_period()->set_year(year);
    m.mutable_period()->set_month(month);
    if (kind == v1::MEETING_KIND_THEMATIC) {
      m.set_theme(
          "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh");
    }
    *m.mutable_starts_at() = At(year, month, 10, 8);
    m.set_place("Phòng họp");
    m.add_agenda("Kiểm điểm công tác tháng");
    v1::DocumentRef* d = m.add_documents();
    d->set_directive("directives/06-ct-tu");
    d->set_number("06-CT/TU");
    return m;
  }

  v1::Meeting MustSchedule(const std::string& cell, const v1::Meeting& m) {
    v1::CreateMeetingRequest r;
    r.set_parent(cell);
    *r.mutable_meeting() = m;
    v1::Meeting out;
    grpc::Status s =
        cell_life_->CreateMeeting(As(Secretary(cell)).get(), r, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  // Holds `m` of `cell` on the 10th of its month with the attendance of
  // `present` (the others of `members` absent without reason), attended
  // by the superior officials `officials`.
  v1::Meeting MustHold(const std::string& cell, const v1::Meeting& m,
                       const std::vector<v1::Person>& members,
                       const std::set<std::string>& present,
                       const std::vector<std::string>& officials = {}) {
    v1::RecordMeetingHeldRequest r;
    r.set_name(m.name());
    v1::MeetingOutcome* o = r.mutable_outcome();
    *o->mutable_held_on() = D(m.period().year(), m.period().month(), 10);
    o->mutable_minutes()->set_number("10-BB/CB");
    o->set_quality(v1::MEETING_QUALITY_GOOD);
    for (const std::string& p : officials) o->add_officials_attended(p);
    for (const v1::Person& p : members) {
      v1::AttendanceEntry* e = r.add_attendances();
      e->set_person(p.name());
      e->set_status(present.count(p.name()) > 0 ? v1::ATTENDANCE_STATUS_PRESENT
                                                : v1::ATTENDANCE_STATUS_ABSENT);
    }
    v1::Meeting out;
    grpc::Status s =
        cell_life_->RecordMeetingHeld(As(Secretary(cell)).get(), r, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  grpc::Status Report(const Caller& caller, const std::string& org, int year,
                      int month, v1::MeetingLifeReport* out,
                      bool only_problems = false, int page_size = 0,
                      const std::string& page_token = "") {
    v1::ReportMeetingLifeRequest r;
    r.set_organization(org);
    r.mutable_period()->set_year(year);
    r.mutable_period()->set_month(month);
    r.set_only_problems(only_problems);
    r.set_page_size(page_size);
    r.set_page_token(page_token);
    return cell_life_->ReportMeetingLife(As(caller).get(), r, out);
  }

  grpc::Status Overview(const Caller& caller, const std::string& name,
                        v1::MemberOverview* out) {
    v1::GetMyOverviewRequest r;
    r.set_name(name);
    return cell_life_->GetMyOverview(As(caller).get(), r, out);
  }

  static const v1::MeetingLifeRow* RowOf(const v1::MeetingLifeReport& report,
                                         const std::string& org) {
    for (const v1::MeetingLifeRow& row : report.cells()) {
      if (row.organization() == org) return &row;
    }
    return nullptr;
  }

  // March 2026 in the college: cell_a_ held its regular meeting with
  // quorum (2 of 3), attended by a committee member, and a thematic one in
  // February; cell_b_ held its regular meeting without quorum (1 of 3);
  // cell_c_ held nothing.
  void MakeMarch() {
    for (const char* n : {"An", "Bình", "Chi"}) {
      a_.push_back(
          MustCreateOfficialMember(cell_a_, std::string("Nguyễn Văn ") + n,
                                   "07900100000" + std::to_string(a_.size())));
      b_.push_back(
          MustCreateOfficialMember(cell_b_, std::string("Trần Thị ") + n,
                                   "07900200000" + std::to_string(b_.size())));
    }
    cell_c_ = MustCreateOrganization(college_, "cb-khoa-su", "Chi bộ Khoa Sử",
                                     "CELL", "CELL")
                  .name();
    MustHold(cell_a_,
             MustSchedule(cell_a_, Meeting(v1::MEETING_KIND_THEMATIC, 2026, 2)),
             a_, {a_[0].name(), a_[1].name(), a_[2].name()});
    MustHold(cell_a_,
             MustSchedule(cell_a_, Meeting(v1::MEETING_KIND_REGULAR, 2026, 3)),
             a_, {a_[0].name(), a_[1].name()}, {"people/uv-btv-dang-uy"});
    MustHold(cell_b_,
             MustSchedule(cell_b_, Meeting(v1::MEETING_KIND_REGULAR, 2026, 3)),
             b_, {b_[0].name()});
  }

  std::vector<v1::Person> a_;
  std::vector<v1::Person> b_;
  std::string cell_c_;
};

TEST_F(ReportsTest, MeetingLifeOfASubtreeWithItsTotal) {
  MakeMarch();
  v1::MeetingLifeReport report;
  grpc::Status s = Report(Reader(college_), college_, 2026, 3, &report);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(report.organization(), college_);
  EXPECT_EQ(report.total_size(), 3);
  ASSERT_EQ(report.cells_size(), 3);
  EXPECT_FALSE(report.rule_sets().empty());

  const v1::MeetingLifeRow* a = RowOf(report, cell_a_);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->regular_expected(), 1);
  EXPECT_EQ(a->regular_held(), 1);
  EXPECT_TRUE(a->months_not_held().empty());
  // March closes the first quarter: its thematic meeting (February) counts.
  EXPECT_EQ(a->thematic_expected(), 1);
  EXPECT_EQ(a->thematic_held(), 1);
  EXPECT_EQ(a->held_without_quorum(), 0);
  EXPECT_NEAR(a->attendance_rate_percent(), 200.0 / 3, 1e-6);
  EXPECT_EQ(a->attended_by_superiors(), 1);
  EXPECT_EQ(a->superior_officials(), 1);
  EXPECT_EQ(a->warnings_reminder(), 1);  // Chi, absent in March

  const v1::MeetingLifeRow* b = RowOf(report, cell_b_);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->regular_held(), 1);
  EXPECT_EQ(b->held_without_quorum(), 1);  // 1 of 3, 2 required
  EXPECT_EQ(b->thematic_held(), 0);
  EXPECT_NEAR(b->attendance_rate_percent(), 100.0 / 3, 1e-6);
  EXPECT_EQ(b->warnings_reminder(), 2);

  const v1::MeetingLifeRow* c = RowOf(report, cell_c_);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->regular_held(), 0);
  ASSERT_EQ(c->months_not_held_size(), 1);
  EXPECT_EQ(c->months_not_held(0).month(), 3);
  EXPECT_EQ(c->attendance_rate_percent(), 0.0);

  const v1::MeetingLifeRow& total = report.total();
  EXPECT_EQ(total.organization(), college_);
  EXPECT_EQ(total.regular_expected(), 3);
  EXPECT_EQ(total.regular_held(), 2);
  ASSERT_EQ(total.months_not_held_size(), 1);
  EXPECT_EQ(total.thematic_expected(), 3);
  EXPECT_EQ(total.thematic_held(), 1);
  EXPECT_EQ(total.held_without_quorum(), 1);
  EXPECT_NEAR(total.attendance_rate_percent(), 50.0, 1e-6);
  EXPECT_EQ(total.superior_officials(), 1);
  EXPECT_EQ(total.warnings_reminder(), 3);
  EXPECT_EQ(
      total.dues_expected_vnd(),
      a->dues_expected_vnd() + b->dues_expected_vnd() + c->dues_expected_vnd());

  // A cell reports on itself; the province sees the same cell.
  v1::MeetingLifeReport one;
  s = Report(Secretary(cell_b_), cell_b_, 2026, 3, &one);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(one.cells_size(), 1);
  EXPECT_EQ(one.total().held_without_quorum(), 1);
}

TEST_F(ReportsTest, TheSameReportAsCsv) {
  MakeMarch();
  v1::ExportCsvRequest request;
  request.set_organization(college_);
  request.set_kind(v1::EXPORT_KIND_MEETING_LIFE);
  request.set_year(2026);
  request.set_month(3);
  grpc::ClientContext context;
  context.AddMetadata("x-partydev-sub", "people/reader");
  context.AddMetadata("x-partydev-org", college_);
  context.AddMetadata("x-partydev-roles", "reader");
  std::unique_ptr<grpc::ClientReader<v1::ExportCsvChunk>> reader =
      administration_->ExportCsv(&context, request);
  std::string file;
  std::string file_name;
  v1::ExportCsvChunk chunk;
  while (reader->Read(&chunk)) {
    file += chunk.data();
    if (!chunk.file_name().empty()) file_name = chunk.file_name();
  }
  grpc::Status s = reader->Finish();
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_NE(file_name.find("sinh-hoat-chi-bo"), std::string::npos);
  std::vector<std::string> lines = absl::StrSplit(file, "\r\n");
  // Header, three cells, the total, and the empty string after the last
  // line end.
  ASSERT_EQ(lines.size(), 6u) << file;
  EXPECT_NE(lines[0].find("held_without_quorum"), std::string::npos);
  // The cell that did not meet names its month; the total row is last.
  bool not_held = false;
  for (size_t i = 1; i < 4; ++i) {
    not_held |= lines[i].find(cell_c_ + ",") == 0 &&
                lines[i].find("2026-03") != std::string::npos;
  }
  EXPECT_TRUE(not_held) << file;
  EXPECT_EQ(lines[4].find(college_ + ","), 0u) << lines[4];

  // Another province's reader is refused.
  grpc::ClientContext outside;
  outside.AddMetadata("x-partydev-sub", "people/reader");
  outside.AddMetadata("x-partydev-org", other_province_);
  outside.AddMetadata("x-partydev-roles", "reader");
  reader = administration_->ExportCsv(&outside, request);
  while (reader->Read(&chunk)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ReportsTest, OnlyProblemsAndPagingOverCells) {
  MakeMarch();
  v1::MeetingLifeReport problems;
  grpc::Status s = Report(Board(college_), college_, 2026, 3, &problems, true);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(problems.total_size(), 2);  // b without quorum, c not held
  ASSERT_EQ(problems.cells_size(), 2);
  EXPECT_EQ(RowOf(problems, cell_a_), nullptr);
  EXPECT_EQ(problems.total().regular_expected(), 3);  // every cell counted

  v1::MeetingLifeReport first;
  s = Report(Board(college_), college_, 2026, 3, &first, false, 2);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(first.cells_size(), 2);
  ASSERT_FALSE(first.next_page_token().empty());
  v1::MeetingLifeReport second;
  s = Report(Board(college_), college_, 2026, 3, &second, false, 2,
             first.next_page_token());
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(second.cells_size(), 1);
  EXPECT_TRUE(second.next_page_token().empty());
  // A token of another request is refused.
  v1::MeetingLifeReport other;
  EXPECT_EQ(Report(Board(college_), college_, 2026, 3, &other, true, 2,
                   first.next_page_token())
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ReportsTest, TheReportIsRefusedOutsideTheSubtreeAndToAMember) {
  v1::MeetingLifeReport report;
  EXPECT_EQ(
      Report(Reader(other_province_), college_, 2026, 3, &report).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Report(Secretary(cell_a_), cell_b_, 2026, 3, &report).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Report(Member("people/x", cell_a_), cell_a_, 2026, 3, &report)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::Status s = Report(Reader(college_), college_, 1999, 13, &report);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldsOf(s),
            (std::set<std::string>{"period.year", "period.month"}));
  s = Report(Reader(college_), college_, 2027, 0, &report);  // the future
  EXPECT_EQ(FieldsOf(s), std::set<std::string>{"period.year"});
  s = Report(Reader(college_), "", 2026, 0, &report);
  EXPECT_EQ(FieldsOf(s), std::set<std::string>{"organization"});
}

TEST_F(ReportsTest, TheMemberSeesHerOwnOverview) {
  MakeMarch();
  const v1::Person& an = a_[0];
  v1::Meeting next = Meeting(v1::MEETING_KIND_REGULAR, 2026, 12);
  next = MustSchedule(cell_a_, next);
  v1::CreateActionProgrammeRequest programme;
  programme.set_parent(an.name());
  programme.set_action_programme_id("2026");
  programme.mutable_action_programme()->add_commitments()->set_title(
      "Giới thiệu một quần chúng ưu tú");
  *programme.mutable_action_programme()->mutable_registered_on() =
      D(2026, 1, 15);
  v1::ActionProgramme registered;
  grpc::Status s = classification_->CreateActionProgramme(
      As(Secretary(cell_a_)).get(), programme, &registered);
  ASSERT_TRUE(s.ok()) << s.error_message();

  v1::MemberOverview mine;
  s = Overview(Member(an.name(), cell_a_), "people/me/overview", &mine);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(mine.name(), an.name() + "/overview");
  EXPECT_EQ(mine.person().name(), an.name());
  EXPECT_EQ(mine.cell().name(), cell_a_);
  EXPECT_TRUE(mine.host_cell().name().empty());
  ASSERT_EQ(mine.upcoming_meetings_size(), 1);  // the held ones are past
  EXPECT_EQ(mine.upcoming_meetings(0).name(), next.name());
  ASSERT_EQ(mine.upcoming_meetings(0).documents_size(), 1);
  EXPECT_EQ(mine.attendance().expected(), 2);
  EXPECT_EQ(mine.attendance().present(), 2);
  EXPECT_EQ(mine.dues().year(), 2026);
  EXPECT_EQ(mine.action_programme().name(), registered.name());
  EXPECT_TRUE(mine.open_warnings().empty());
  EXPECT_GE(mine.party_age().years(), 11);  // admitted 2015
  EXPECT_EQ(mine.inbox_recipient(), "recipients/person-" + an.name().substr(7));
  EXPECT_EQ(mine.as_of().year(), 2026);

  // Her own name works as well as "me"; Chi sees her open warning.
  s = Overview(Member(an.name(), cell_a_), an.name() + "/overview", &mine);
  EXPECT_TRUE(s.ok()) << s.error_message();
  v1::MemberOverview chi;
  s = Overview(Member(a_[2].name(), cell_a_), "people/me/overview", &chi);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(chi.open_warnings_size(), 1);
  EXPECT_EQ(chi.open_warnings(0).level(), v1::WARNING_LEVEL_REMINDER);
}

TEST_F(ReportsTest, AnotherMembersOverviewIsRefused) {
  const v1::Person an =
      MustCreateOfficialMember(cell_a_, "Nguyễn Văn An", "079001000001");
  const v1::Person binh =
      MustCreateOfficialMember(cell_a_, "Lê Văn Bình", "079001000002");
  v1::MemberOverview out;
  EXPECT_EQ(
      Overview(Member(an.name(), cell_a_), binh.name() + "/overview", &out)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  // Not even the secretary reads a member's handbook view.
  EXPECT_EQ(
      Overview(Secretary(cell_a_), an.name() + "/overview", &out).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  grpc::Status s = Overview(Member(an.name(), cell_a_),
                            an.name() + "/classifications", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldsOf(s), std::set<std::string>{"name"});
}

}  // namespace
}  // namespace partydev::membership
