// Meetings and attendance of CellLifeService against a real membershipd and
// Redis: the invitees computed from the cell's rolls, every scheduling,
// outcome and attendance rule broken, the quorum at its boundary, the
// announcements on the membership stream, corrections audited, the daily
// flag of meetings not held, attendance rates, and who may do what.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/errors.h"
#include "common/grpc_status.h"
#include "services/membership/cell_life_records.h"
#include "services/membership/services.h"
#include "tests/membership/membership_fixture.h"

namespace partydev::membership {
namespace {

class CellLifeMeetingsTest : public MembershipFixture {
 protected:
  void SetUp() override {
    MembershipFixture::SetUp();
    context_ = MakeContext();
    ASSERT_NE(context_, nullptr);
  }

  // The regular meeting of `month` of 2026, on the 10th at 8:00.
  static v1::Meeting Regular(int month) {
    v1::Meeting m;
    m.set_kind(v1::MEETING_KIND_REGULAR);
    m.mutable_period()->set_year(2026);
    m.mutable_period()->set_month(month);
    *m.mutable_starts_at() = At(2026, month, 10, 8);
    m.set_place("Phòng họp Khoa Toán");
    m.add_agenda("Kiểm điểm công tác tháng");
    v1::DocumentRef* d = m.add_documents();
    d->set_directive("directives/06-ct-tu");
    d->set_number("06-CT/TU");
    return m;
  }

  grpc::Status Schedule(const Caller& caller, const std::string& cell,
                        const v1::Meeting& meeting, v1::Meeting* out,
                        bool validate_only = false) {
    v1::CreateMeetingRequest r;
    r.set_parent(cell);
    *r.mutable_meeting() = meeting;
    r.set_validate_only(validate_only);
    return cell_life_->CreateMeeting(As(caller).get(), r, out);
  }

  v1::Meeting MustSchedule(const std::string& cell, const v1::Meeting& m) {
    v1::Meeting out;
    grpc::Status s = Schedule(Secretary(cell), cell, m, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  static v1::MeetingOutcome Outcome(const common::v1::Date& held_on) {
    v1::MeetingOutcome o;
    *o.mutable_held_on() = held_on;
    o.mutable_minutes()->set_number("10-BB/CB");
    o.set_quality(v1::MEETING_QUALITY_GOOD);
    return o;
  }

  grpc::Status Hold(const Caller& caller, const v1::Meeting& m,
                    const v1::MeetingOutcome& outcome, v1::Meeting* out) {
    v1::RecordMeetingHeldRequest r;
    r.set_name(m.name());
    *r.mutable_outcome() = outcome;
    return cell_life_->RecordMeetingHeld(As(caller).get(), r, out);
  }

  v1::Meeting MustHold(const v1::Meeting& m, const common::v1::Date& on) {
    v1::Meeting out;
    grpc::Status s = Hold(Secretary(m.name().substr(0, m.name().find("/meet"))),
                          m, Outcome(on), &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  static v1::AttendanceEntry Entry(const v1::Person& p,
                                   v1::AttendanceStatus status,
                                   const std::string& reason = "") {
    v1::AttendanceEntry e;
    e.set_person(p.name());
    e.set_status(status);
    e.set_excuse_reason(reason);
    return e;
  }

  grpc::Status Attend(const Caller& caller, const v1::Meeting& m,
                      const std::vector<v1::AttendanceEntry>& entries,
                      v1::BatchCreateAttendancesResponse* out) {
    v1::BatchCreateAttendancesRequest r;
    r.set_parent(m.name());
    for (const auto& e : entries) *r.add_attendances() = e;
    return cell_life_->BatchCreateAttendances(As(caller).get(), r, out);
  }

  v1::Meeting MustGetMeeting(const std::string& name) {
    v1::GetMeetingRequest r;
    r.set_name(name);
    v1::Meeting out;
    grpc::Status s = cell_life_->GetMeeting(As(Admin()).get(), r, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  common::v1::DecisionRef Decision(const std::string& number,
                                   const common::v1::Date& signed_on) {
    common::v1::DecisionRef d;
    d.set_number(number);
    *d.mutable_signed_on() = signed_on;
    d.set_deciding_organization(college_);
    return d;
  }

  v1::Person MustExempt(const v1::Person& p) {
    v1::ExemptMemberRequest r;
    r.set_name(p.name());
    r.set_ground(v1::EXEMPTION_GROUND_OLD_AGE);
    r.set_scope(v1::EXEMPTION_SCOPE_WORK_AND_MEETINGS);
    *r.mutable_decision() = Decision("5-NQ/CB", D(2026, 10, 1));
    *r.mutable_starts_on() = D(2026, 10, 1);
    v1::Person out;
    grpc::Status s =
        people_->ExemptMember(As(Secretary(p.organization())).get(), r, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  // Moves `p` of cell_b_ temporarily to cell_a_ (hosted there).
  void MustHostInCellA(const v1::Person& p) {
    v1::CreateTransferRequest r;
    r.set_parent(p.name());
    v1::Transfer* t = r.mutable_transfer();
    t->set_kind(v1::TRANSFER_KIND_TEMPORARY);
    t->set_reason(v1::TRANSFER_REASON_WORK_ASSIGNMENT);
    t->set_to_organization(cell_a_);
    *t->mutable_moved_on() = D(2026, 9, 1);
    *t->mutable_expected_end_on() = D(2027, 3, 1);
    v1::Transfer created;
    grpc::Status s =
        people_->CreateTransfer(As(Secretary(cell_b_)).get(), r, &created);
    ASSERT_TRUE(s.ok()) << s.error_message();
    v1::IssueTransferLetterRequest issue;
    issue.set_name(created.name());
    *issue.mutable_letter() = Decision("15-GGT/ĐU", D(2026, 9, 5));
    v1::Transfer issued;
    s = people_->IssueTransferLetter(As(Secretary(cell_b_)).get(), issue,
                                     &issued);
    ASSERT_TRUE(s.ok()) << s.error_message();
    v1::ReceiveTransferRequest receive;
    receive.set_name(created.name());
    *receive.mutable_received_on() = D(2026, 9, 15);
    v1::Transfer received;
    s = people_->ReceiveTransfer(As(Secretary(cell_a_)).get(), receive,
                                 &received);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // The MeetingAnnounced events of the membership stream, in order.
  std::vector<events::v1::MeetingAnnounced> Announcements() {
    std::vector<events::v1::MeetingAnnounced> out;
    absl::StatusOr<RedisReply> reply = redis_client_->Command(
        {"XRANGE", EventsKey("{pd:membership}:"), "-", "+"});
    if (!reply.ok()) return out;
    for (const auto& entry : reply->elements()) {
      const auto& fields = entry.elements()[1].elements();
      events::v1::Event e;
      if (fields.size() >= 2 && e.ParseFromString(fields[1].str()) &&
          e.has_meeting_announced()) {
        out.push_back(e.meeting_announced());
      }
    }
    return out;
  }

  // The audit entries of the organisation `org_id` itself, oldest first.
  std::vector<v1::AuditEntry> OwnAudit(const std::string& org_id) {
    std::vector<v1::AuditEntry> out;
    absl::StatusOr<RedisReply> reply = redis_client_->Command(
        {"XRANGE", OwnAuditKey("{pd:membership}:", org_id), "-", "+"});
    if (!reply.ok()) return out;
    for (const auto& entry : reply->elements()) {
      const auto& fields = entry.elements()[1].elements();
      v1::AuditEntry a;
      if (fields.size() >= 2 && a.ParseFromString(fields[1].str())) {
        out.push_back(a);
      }
    }
    return out;
  }

  std::shared_ptr<MembershipContext> context_;
};

class MeetingsTest : public CellLifeMeetingsTest {};
class AttendanceTest : public CellLifeMeetingsTest {};

const v1::Invitee* InviteeOf(const v1::Meeting& m, const std::string& person) {
  for (const auto& i : m.invitees()) {
    if (i.person() == person) return &i;
  }
  return nullptr;
}

TEST_F(MeetingsTest, InviteesFromTheRollsAndTheAssignment) {
  v1::Person an =
      MustCreateOfficialMember(cell_a_, "Nguyễn Văn An", "079085100001");
  v1::Person old =
      MustCreateOfficialMember(cell_a_, "Trần Văn Lão", "079085100002");
  MustExempt(old);
  v1::Person candidate =
      MustCreateCandidate(cell_a_, "Lê Thị Cảm", "079085100003");
  v1::Person hosted =
      MustCreateOfficialMember(cell_b_, "Phạm Thị Khách", "079085100004");
  MustHostInCellA(hosted);
  v1::Person official =
      MustCreateOfficialMember(cell_b_, "Võ Văn Ủy", "079085100005");

  v1::Meeting m = Regular(10);
  v1::AssignedOfficial* o = m.add_assigned_officials();
  o->set_person(official.name());
  o->set_organization(college_);
  o->set_title("Ủy viên Ban Thường vụ Đảng ủy");
  m.add_guests(candidate.name());

  const int64_t events_before = EventCount();
  v1::Meeting dry;
  grpc::Status s = Schedule(Secretary(cell_a_), cell_a_, m, &dry, true);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(dry.invitees_size(), 4);
  EXPECT_EQ(EventCount(), events_before);  // validate_only writes nothing

  v1::Meeting out = MustSchedule(cell_a_, m);
  EXPECT_EQ(out.state(), v1::MEETING_STATE_SCHEDULED);
  EXPECT_EQ(out.announcement_revision(), 1);
  EXPECT_FALSE(out.rule_set().empty());
  EXPECT_FALSE(out.etag().empty());
  ASSERT_EQ(out.invitees_size(), 4);
  ASSERT_NE(InviteeOf(out, an.name()), nullptr);
  EXPECT_EQ(InviteeOf(out, an.name())->role(), v1::INVITEE_ROLE_MEMBER);
  EXPECT_TRUE(InviteeOf(out, an.name())->expected());
  EXPECT_EQ(InviteeOf(out, old.name()), nullptr);  // exempt: never invited
  ASSERT_NE(InviteeOf(out, hosted.name()), nullptr);
  EXPECT_EQ(InviteeOf(out, hosted.name())->role(),
            v1::INVITEE_ROLE_TEMPORARY_MEMBER);
  EXPECT_TRUE(InviteeOf(out, hosted.name())->expected());
  ASSERT_NE(InviteeOf(out, official.name()), nullptr);
  EXPECT_EQ(InviteeOf(out, official.name())->role(),
            v1::INVITEE_ROLE_SUPERIOR_OFFICIAL);
  EXPECT_FALSE(InviteeOf(out, official.name())->expected());
  EXPECT_EQ(InviteeOf(out, official.name())->assignment().title(),
            "Ủy viên Ban Thường vụ Đảng ủy");
  ASSERT_NE(InviteeOf(out, candidate.name()), nullptr);
  EXPECT_EQ(InviteeOf(out, candidate.name())->role(), v1::INVITEE_ROLE_GUEST);

  // The hosted member is invited at the host, not at home.
  v1::Meeting at_home = MustSchedule(cell_b_, Regular(10));
  EXPECT_EQ(InviteeOf(at_home, hosted.name()), nullptr);
  EXPECT_NE(InviteeOf(at_home, official.name()), nullptr);

  // Announced with every invitee and the documents.
  std::vector<events::v1::MeetingAnnounced> a = Announcements();
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].meeting(), out.name());
  EXPECT_EQ(a[0].change(), "scheduled");
  EXPECT_EQ(a[0].invitees_size(), 4);
  ASSERT_EQ(a[0].documents_size(), 1);
  EXPECT_EQ(a[0].documents(0), "directives/06-ct-tu");
  EXPECT_EQ(a[0].title(), "Sinh hoạt chi bộ thường kỳ tháng 10/2026");
}

TEST_F(MeetingsTest, EverySchedulingRuleBroken) {
  v1::Person official =
      MustCreateOfficialMember(cell_b_, "Võ Văn Ủy", "079085100011");
  v1::Meeting out;
  // Fields: kind, period, starts_at.
  v1::Meeting empty;
  grpc::Status s = Schedule(Secretary(cell_a_), cell_a_, empty, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldsOf(s),
            (std::set<std::string>{"meeting.kind", "meeting.period",
                                   "meeting.starts_at"}));
  // A thematic meeting needs its theme.
  v1::Meeting thematic = Regular(10);
  thematic.set_kind(v1::MEETING_KIND_THEMATIC);
  s = Schedule(Secretary(cell_a_), cell_a_, thematic, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(RulesOf(s).count("meeting.theme_required"));
  thematic.set_theme("Học tập và làm theo tư tưởng Hồ Chí Minh");
  EXPECT_TRUE(Schedule(Secretary(cell_a_), cell_a_, thematic, &out).ok());
  // The youth union is not a party organisation.
  s = Schedule(Admin(), youth_union_, Regular(10), &out);
  EXPECT_TRUE(RulesOf(s).count("meeting.party_organization"));
  // An official of a side branch (the other cell), and one who does not
  // exist.
  v1::Meeting side = Regular(10);
  v1::AssignedOfficial* o = side.add_assigned_officials();
  o->set_person(official.name());
  o->set_organization(cell_b_);
  s = Schedule(Secretary(cell_a_), cell_a_, side, &out);
  EXPECT_TRUE(RulesOf(s).count("meeting.official_assignment"));
  o->set_organization(cell_a_);  // the cell itself is not above it
  s = Schedule(Secretary(cell_a_), cell_a_, side, &out);
  EXPECT_TRUE(RulesOf(s).count("meeting.official_assignment"));
  o->set_organization(bloc_);
  o->set_person("people/nobody");
  s = Schedule(Secretary(cell_a_), cell_a_, side, &out);
  EXPECT_TRUE(RulesOf(s).count("meeting.official_assignment"));
  o->set_person(official.name());
  EXPECT_TRUE(Schedule(Secretary(cell_a_), cell_a_, side, &out).ok());
}

TEST_F(MeetingsTest, WhoMaySchedule) {
  v1::Meeting out;
  // The secretary of the other cell, a caller of the other province, a
  // reader: refused.
  grpc::Status s = Schedule(Secretary(cell_b_), cell_a_, Regular(10), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = Schedule(Secretary(other_province_), cell_a_, Regular(10), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = Schedule(Reader(cell_a_), cell_a_, Regular(10), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // The committee above: allowed.
  ASSERT_TRUE(Schedule(Board(college_), cell_a_, Regular(10), &out).ok());

  // A member-only caller cannot list the cell's meetings, but reads one
  // she is invited to.
  v1::Person an =
      MustCreateOfficialMember(cell_a_, "Nguyễn Thị An", "079085100021");
  v1::Meeting invited = MustSchedule(cell_a_, Regular(11));
  v1::ListMeetingsRequest list;
  list.set_parent(cell_a_);
  v1::ListMeetingsResponse listed;
  s = cell_life_->ListMeetings(As(Member(an.name(), cell_a_)).get(), list,
                               &listed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::GetMeetingRequest get;
  get.set_name(invited.name());
  v1::Meeting got;
  s = cell_life_->GetMeeting(As(Member(an.name(), cell_a_)).get(), get, &got);
  ASSERT_TRUE(s.ok()) << s.error_message();
  get.set_name(out.name());  // scheduled before she joined: not invited
  s = cell_life_->GetMeeting(As(Member(an.name(), cell_a_)).get(), get, &got);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // The other province cannot read it.
  s = cell_life_->GetMeeting(As(Reader(other_province_)).get(), get, &got);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(MeetingsTest, ChangeAndCancellationAreAnnounced) {
  MustCreateOfficialMember(cell_a_, "Nguyễn Văn An", "079085100031");
  MustCreateOfficialMember(cell_a_, "Trần Thị Bình", "079085100032");
  v1::Meeting m = MustSchedule(cell_a_, Regular(12));

  v1::UpdateMeetingRequest update;
  *update.mutable_meeting() = m;
  update.mutable_meeting()->set_place("Hội trường A");
  *update.mutable_meeting()->mutable_starts_at() = At(2026, 12, 12, 14);
  update.mutable_update_mask()->add_paths("place");
  update.mutable_update_mask()->add_paths("starts_at");
  update.set_reason("Trùng lịch giảng dạy");
  v1::Meeting changed;
  grpc::Status s =
      cell_life_->UpdateMeeting(As(Secretary(cell_a_)).get(), update, &changed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(changed.place(), "Hội trường A");
  EXPECT_EQ(changed.announcement_revision(), 2);
  // A field outside the mask's list, and a stale etag.
  update.mutable_update_mask()->add_paths("kind");
  s = cell_life_->UpdateMeeting(As(Secretary(cell_a_)).get(), update, &changed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  v1::CancelMeetingRequest cancel;
  cancel.set_name(m.name());
  v1::Meeting cancelled;
  s = cell_life_->CancelMeeting(As(Secretary(cell_a_)).get(), cancel,
                                &cancelled);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(FieldsOf(s).count("reason"));
  cancel.set_reason("Chi bộ tham gia hội nghị của Đảng ủy");
  cancel.set_etag(m.etag());  // before the change: stale
  s = cell_life_->CancelMeeting(As(Secretary(cell_a_)).get(), cancel,
                                &cancelled);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  cancel.set_etag(changed.etag());
  s = cell_life_->CancelMeeting(As(Secretary(cell_a_)).get(), cancel,
                                &cancelled);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(cancelled.state(), v1::MEETING_STATE_CANCELLED);
  EXPECT_EQ(cancelled.cancel_reason(), cancel.reason());
  EXPECT_EQ(cancelled.announcement_revision(), 3);

  std::vector<events::v1::MeetingAnnounced> a = Announcements();
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[1].change(), "changed");
  EXPECT_EQ(a[1].place(), "Hội trường A");
  EXPECT_EQ(a[2].change(), "cancelled");
  EXPECT_EQ(a[2].meeting(), m.name());
  std::set<std::string> invitees(a[2].invitees().begin(),
                                 a[2].invitees().end());
  std::set<std::string> expected;
  for (const auto& i : m.invitees()) expected.insert(i.person());
  EXPECT_EQ(invitees, expected);
  EXPECT_EQ(invitees.size(), 2u);
  // Audited on the cell.
  std::vector<v1::AuditEntry> audit = OwnAudit("cb-khoa-toan");
  ASSERT_FALSE(audit.empty());
  EXPECT_EQ(audit.back().method(),
            "partydev.membership.v1.CellLifeService.CancelMeeting");

  // Only a scheduled meeting is cancelled, changed or held.
  cancel.clear_etag();
  s = cell_life_->CancelMeeting(As(Secretary(cell_a_)).get(), cancel,
                                &cancelled);
  EXPECT_TRUE(RulesOf(s).count("meeting.scheduled"));
  update.mutable_update_mask()->clear_paths();
  update.mutable_update_mask()->add_paths("place");
  update.mutable_meeting()->clear_etag();
  s = cell_life_->UpdateMeeting(As(Secretary(cell_a_)).get(), update, &changed);
  EXPECT_TRUE(RulesOf(s).count("meeting.scheduled"));
  v1::Meeting held;
  s = Hold(Secretary(cell_a_), m, Outcome(D(2026, 11, 20)), &held);
  EXPECT_TRUE(RulesOf(s).count("meeting.scheduled"));
  EXPECT_EQ(Announcements().size(), 3u);
}

TEST_F(MeetingsTest, EveryOutcomeRuleBroken) {
  MustCreateOfficialMember(cell_a_, "Nguyễn Văn An", "079085100041");
  v1::Meeting m = MustSchedule(cell_a_, Regular(10));
  v1::Meeting out;
  // In the future (Today() is the real clock, in Vietnam's time zone).
  v1::MeetingOutcome o = Outcome(D(2026, 12, 31));
  o.clear_minutes();
  o.clear_quality();
  grpc::Status s = Hold(Secretary(cell_a_), m, o, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(RulesOf(s), (std::set<std::string>{"meeting.not_in_future",
                                               "meeting.minutes_required",
                                               "meeting.quality_required"}));
  // Held in November for October: held, flagged as not held in its month,
  // attendance missing.
  out = MustHold(m, D(2026, 11, 2));
  EXPECT_EQ(out.state(), v1::MEETING_STATE_HELD);
  std::set<int> flags(out.flags().begin(), out.flags().end());
  EXPECT_EQ(flags, (std::set<int>{v1::MEETING_FLAG_NOT_HELD_IN_MONTH,
                                  v1::MEETING_FLAG_ATTENDANCE_MISSING}));
  // Another secretary cannot record it.
  v1::Meeting m2 = MustSchedule(cell_a_, Regular(11));
  s = Hold(Secretary(cell_b_), m2, Outcome(D(2026, 11, 20)), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(MeetingsTest, ListOverTheSubtree) {
  MustSchedule(cell_a_, Regular(9));
  v1::Meeting oct = MustSchedule(cell_a_, Regular(10));
  MustSchedule(cell_b_, Regular(11));
  MustHold(oct, D(2026, 10, 10));

  v1::ListMeetingsRequest r;
  r.set_parent(college_);
  v1::ListMeetingsResponse out;
  ASSERT_TRUE(
      cell_life_->ListMeetings(As(Reader(college_)).get(), r, &out).ok());
  EXPECT_EQ(out.total_size(), 0);  // the committee itself holds none
  r.set_include_descendants(true);
  r.set_order_by("starts_at desc");
  r.set_page_size(2);
  ASSERT_TRUE(
      cell_life_->ListMeetings(As(Reader(college_)).get(), r, &out).ok());
  EXPECT_EQ(out.total_size(), 3);
  ASSERT_EQ(out.meetings_size(), 2);
  EXPECT_EQ(out.meetings(0).period().month(), 11);
  EXPECT_EQ(out.meetings(1).period().month(), 10);
  ASSERT_FALSE(out.next_page_token().empty());
  r.set_page_token(out.next_page_token());
  ASSERT_TRUE(
      cell_life_->ListMeetings(As(Reader(college_)).get(), r, &out).ok());
  ASSERT_EQ(out.meetings_size(), 1);
  EXPECT_EQ(out.meetings(0).period().month(), 9);

  v1::ListMeetingsRequest held;
  held.set_parent(college_);
  held.set_include_descendants(true);
  held.set_filter("state = HELD AND kind = REGULAR");
  ASSERT_TRUE(
      cell_life_->ListMeetings(As(Reader(college_)).get(), held, &out).ok());
  ASSERT_EQ(out.meetings_size(), 1);
  EXPECT_EQ(out.meetings(0).name(), oct.name());
  held.set_filter("flags:ATTENDANCE_MISSING");
  ASSERT_TRUE(
      cell_life_->ListMeetings(As(Reader(college_)).get(), held, &out).ok());
  EXPECT_EQ(out.meetings_size(), 1);
  held.set_filter("place = \"x\"");  // not a documented filter field
  EXPECT_EQ(cell_life_->ListMeetings(As(Reader(college_)).get(), held, &out)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // Not in the other province's subtree.
  held.clear_filter();
  EXPECT_EQ(
      cell_life_->ListMeetings(As(Reader(other_province_)).get(), held, &out)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(MeetingsTest, FlagMeetingsNotHeldFlagsOnce) {
  v1::Meeting oct = MustSchedule(cell_a_, Regular(10));
  v1::Meeting nov = MustSchedule(cell_a_, Regular(11));
  v1::Meeting sep = MustSchedule(cell_a_, Regular(9));
  MustHold(sep, D(2026, 9, 10));
  absl::StatusOr<int> first =
      FlagMeetingsNotHeld(*context_, "cb-khoa-toan", D(2026, 11, 24));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, 1);
  absl::StatusOr<int> second =
      FlagMeetingsNotHeld(*context_, "cb-khoa-toan", D(2026, 11, 24));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(*second, 0);
  const v1::Meeting flagged = MustGetMeeting(oct.name());
  ASSERT_EQ(flagged.flags_size(), 1);
  EXPECT_EQ(flagged.flags(0), v1::MEETING_FLAG_NOT_HELD_IN_MONTH);
  EXPECT_EQ(MustGetMeeting(nov.name()).flags_size(), 0);
  // The month of November ends: flagged then.
  absl::StatusOr<int> december =
      FlagMeetingsNotHeld(*context_, "cb-khoa-toan", D(2026, 12, 1));
  ASSERT_TRUE(december.ok());
  EXPECT_EQ(*december, 1);
  // Held late, it keeps the flag.
  v1::Meeting held = MustHold(flagged, D(2026, 11, 5));
  std::set<int> flags(held.flags().begin(), held.flags().end());
  EXPECT_TRUE(flags.count(v1::MEETING_FLAG_NOT_HELD_IN_MONTH));
}

TEST_F(MeetingsTest, ValidateOnlyWritesNothingAndRetriesAnswerAlike) {
  v1::Person a =
      MustCreateOfficialMember(cell_a_, "Nguyễn Văn An", "079085100061");
  v1::CreateMeetingRequest create;
  create.set_parent(cell_a_);
  *create.mutable_meeting() = Regular(10);
  create.set_request_id("5f0c6a9e-1b2c-4d3e-8f90-0123456789ab");
  v1::Meeting first;
  v1::Meeting again;
  ASSERT_TRUE(
      cell_life_->CreateMeeting(As(Secretary(cell_a_)).get(), create, &first)
          .ok());
  ASSERT_TRUE(
      cell_life_->CreateMeeting(As(Secretary(cell_a_)).get(), create, &again)
          .ok());
  EXPECT_EQ(first.name(), again.name());
  EXPECT_EQ(Announcements().size(), 1u);

  const int64_t events = EventCount();
  v1::RecordMeetingHeldRequest hold;
  hold.set_name(first.name());
  *hold.mutable_outcome() = Outcome(D(2026, 10, 10));
  *hold.add_attendances() = Entry(a, v1::ATTENDANCE_STATUS_ABSENT);
  hold.set_validate_only(true);
  v1::Meeting dry;
  grpc::Status s =
      cell_life_->RecordMeetingHeld(As(Secretary(cell_a_)).get(), hold, &dry);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(dry.state(), v1::MEETING_STATE_HELD);
  EXPECT_FALSE(dry.quorum().reached());
  EXPECT_EQ(EventCount(), events);
  EXPECT_EQ(MustGetMeeting(first.name()).state(), v1::MEETING_STATE_SCHEDULED);
  v1::ListAttendancesRequest list;
  list.set_parent(first.name());
  v1::ListAttendancesResponse listed;
  ASSERT_TRUE(
      cell_life_->ListAttendances(As(Reader(cell_a_)).get(), list, &listed)
          .ok());
  EXPECT_EQ(listed.total_size(), 0);
}

// ---- Attendance -----------------------------------------------------------

TEST_F(AttendanceTest, QuorumAtItsBoundary) {
  v1::Person a =
      MustCreateOfficialMember(cell_a_, "Nguyễn Văn An", "079085200001");
  v1::Person b =
      MustCreateOfficialMember(cell_a_, "Trần Thị Bình", "079085200002");
  v1::Person c =
      MustCreateOfficialMember(cell_a_, "Lê Văn Cường", "079085200003");
  v1::Person hosted =
      MustCreateOfficialMember(cell_b_, "Phạm Thị Khách", "079085200004");
  MustHostInCellA(hosted);

  // 3 members called → 2 required: 2 present reach it.
  v1::Meeting sep = MustHold(MustSchedule(cell_a_, Regular(9)), D(2026, 9, 10));
  v1::BatchCreateAttendancesResponse out;
  grpc::Status s =
      Attend(Secretary(cell_a_), sep,
             {Entry(a, v1::ATTENDANCE_STATUS_PRESENT),
              Entry(b, v1::ATTENDANCE_STATUS_PRESENT),
              Entry(c, v1::ATTENDANCE_STATUS_EXCUSED, "Đi công tác"),
              Entry(hosted, v1::ATTENDANCE_STATUS_PRESENT)},
             &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.quorum().called(), 3);
  EXPECT_EQ(out.quorum().required(), 2);
  EXPECT_EQ(out.quorum().present(), 2);
  EXPECT_TRUE(out.quorum().reached());
  ASSERT_EQ(out.attendances_size(), 4);
  EXPECT_EQ(MustGetMeeting(sep.name()).flags_size(), 0);

  // One present: no quorum (the hosted member does not count).
  v1::Meeting oct =
      MustHold(MustSchedule(cell_a_, Regular(10)), D(2026, 10, 10));
  s = Attend(Secretary(cell_a_), oct,
             {Entry(a, v1::ATTENDANCE_STATUS_PRESENT),
              Entry(b, v1::ATTENDANCE_STATUS_EXCUSED, "Ốm"),
              Entry(c, v1::ATTENDANCE_STATUS_EXCUSED, "Đi học"),
              Entry(hosted, v1::ATTENDANCE_STATUS_PRESENT)},
             &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.quorum().present(), 1);
  EXPECT_FALSE(out.quorum().reached());
  const v1::Meeting without = MustGetMeeting(oct.name());
  ASSERT_EQ(without.flags_size(), 1);
  EXPECT_EQ(without.flags(0), v1::MEETING_FLAG_NO_QUORUM);
  EXPECT_EQ(without.quorum().threshold().numerator(), 2);
  EXPECT_EQ(without.quorum().threshold().denominator(), 3);
}

TEST_F(AttendanceTest, RecordedOnceCompletelyAndOnlyForInvitees) {
  v1::Person a =
      MustCreateOfficialMember(cell_a_, "Nguyễn Văn An", "079085200011");
  v1::Person b =
      MustCreateOfficialMember(cell_a_, "Trần Thị Bình", "079085200012");
  v1::Person stranger =
      MustCreateOfficialMember(cell_b_, "Đỗ Văn Lạ", "079085200013");
  v1::Meeting m = MustSchedule(cell_a_, Regular(10));
  v1::BatchCreateAttendancesResponse out;
  // Not held yet.
  grpc::Status s = Attend(Secretary(cell_a_), m,
                          {Entry(a, v1::ATTENDANCE_STATUS_PRESENT),
                           Entry(b, v1::ATTENDANCE_STATUS_PRESENT)},
                          &out);
  EXPECT_TRUE(RulesOf(s).count("attendance.meeting_held"));
  m = MustHold(m, D(2026, 10, 10));
  // Incomplete, a stranger, an excuse without its reason.
  s = Attend(Secretary(cell_a_), m,
             {Entry(a, v1::ATTENDANCE_STATUS_EXCUSED),
              Entry(stranger, v1::ATTENDANCE_STATUS_PRESENT)},
             &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(RulesOf(s), (std::set<std::string>{"attendance.excuse_reason",
                                               "attendance.invitee",
                                               "attendance.complete"}));
  // A person twice, a missing status: field errors.
  v1::AttendanceEntry no_status = Entry(b, v1::ATTENDANCE_STATUS_PRESENT);
  no_status.clear_status();
  s = Attend(Secretary(cell_a_), m,
             {Entry(a, v1::ATTENDANCE_STATUS_PRESENT),
              Entry(a, v1::ATTENDANCE_STATUS_PRESENT), no_status},
             &out);
  EXPECT_EQ(FieldsOf(s), (std::set<std::string>{"attendances[1].person",
                                                "attendances[2].status"}));
  // Who records: not the other cell's secretary, the other province, a
  // reader or the member herself; the committee above does.
  const std::vector<v1::AttendanceEntry> entries = {
      Entry(a, v1::ATTENDANCE_STATUS_PRESENT),
      Entry(b, v1::ATTENDANCE_STATUS_PRESENT)};
  for (const Caller& refused : {Secretary(cell_b_), Secretary(other_province_),
                                Reader(cell_a_), Member(a.name(), cell_a_)}) {
    s = Attend(refused, m, entries, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << refused.organization << " " << refused.roles;
  }
  s = Attend(Board(college_), m, entries, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(out.quorum().reached());
  // Once.
  s = Attend(Secretary(cell_a_), m, entries, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
}

TEST_F(AttendanceTest, RecordedWithTheOutcome) {
  v1::Person a =
      MustCreateOfficialMember(cell_a_, "Nguyễn Văn An", "079085200021");
  v1::Meeting m = MustSchedule(cell_a_, Regular(10));
  v1::RecordMeetingHeldRequest r;
  r.set_name(m.name());
  *r.mutable_outcome() = Outcome(D(2026, 10, 12));
  *r.add_attendances() = Entry(a, v1::ATTENDANCE_STATUS_PRESENT);
  v1::Meeting held;
  grpc::Status s =
      cell_life_->RecordMeetingHeld(As(Secretary(cell_a_)).get(), r, &held);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(held.quorum().called(), 1);
  EXPECT_TRUE(held.quorum().reached());
  EXPECT_EQ(held.flags_size(), 0);
  v1::BatchCreateAttendancesResponse out;
  s = Attend(Secretary(cell_a_), held,
             {Entry(a, v1::ATTENDANCE_STATUS_PRESENT)}, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
}

TEST_F(AttendanceTest, CorrectionIsKeptAndAudited) {
  v1::Person a =
      MustCreateOfficialMember(cell_a_, "Nguyễn Văn An", "079085200031");
  v1::Person b =
      MustCreateOfficialMember(cell_a_, "Trần Thị Bình", "079085200032");
  v1::Meeting m = MustHold(MustSchedule(cell_a_, Regular(10)), D(2026, 10, 10));
  v1::BatchCreateAttendancesResponse out;
  ASSERT_TRUE(Attend(Secretary(cell_a_), m,
                     {Entry(a, v1::ATTENDANCE_STATUS_PRESENT),
                      Entry(b, v1::ATTENDANCE_STATUS_PRESENT)},
                     &out)
                  .ok());
  std::string name;
  for (const auto& r : out.attendances()) {
    if (r.person() == b.name()) name = r.name();
  }
  ASSERT_FALSE(name.empty());

  v1::CorrectAttendanceRequest r;
  r.set_name(name);
  r.set_status(v1::ATTENDANCE_STATUS_EXCUSED);
  v1::Attendance corrected;
  grpc::Status s = cell_life_->CorrectAttendance(As(Secretary(cell_a_)).get(),
                                                 r, &corrected);
  EXPECT_EQ(FieldsOf(s), (std::set<std::string>{"reason"}));
  r.set_reason("Đồng chí Bình xin phép vắng từ trước, ghi nhầm");
  s = cell_life_->CorrectAttendance(As(Secretary(cell_a_)).get(), r,
                                    &corrected);
  EXPECT_TRUE(RulesOf(s).count("attendance.excuse_reason"));
  r.set_excuse_reason("Ốm");
  s = cell_life_->CorrectAttendance(As(Secretary(cell_b_)).get(), r,
                                    &corrected);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  r.set_etag("v9");
  s = cell_life_->CorrectAttendance(As(Secretary(cell_a_)).get(), r,
                                    &corrected);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  r.clear_etag();
  s = cell_life_->CorrectAttendance(As(Secretary(cell_a_)).get(), r,
                                    &corrected);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(corrected.status(), v1::ATTENDANCE_STATUS_EXCUSED);
  EXPECT_EQ(corrected.excuse_reason(), "Ốm");
  ASSERT_EQ(corrected.corrections_size(), 1);
  EXPECT_EQ(corrected.corrections(0).previous_status(),
            v1::ATTENDANCE_STATUS_PRESENT);
  EXPECT_EQ(corrected.corrections(0).reason(), r.reason());
  EXPECT_EQ(corrected.corrections(0).stamp().actor(), "people/secretary");
  // The quorum follows: 1 of 2 present, 2 required.
  const v1::Meeting after = MustGetMeeting(m.name());
  EXPECT_EQ(after.quorum().present(), 1);
  EXPECT_FALSE(after.quorum().reached());
  // Audited on the cell, naming the record.
  std::vector<v1::AuditEntry> audit = OwnAudit("cb-khoa-toan");
  ASSERT_FALSE(audit.empty());
  EXPECT_EQ(audit.back().method(),
            "partydev.membership.v1.CellLifeService.CorrectAttendance");
  EXPECT_EQ(audit.back().target(), name);
  EXPECT_EQ(audit.back().stamp().reason(), r.reason());

  // Listed with its correction; filtered by person over every meeting.
  v1::ListAttendancesRequest list;
  list.set_parent(cell_a_ + "/meetings/-");
  list.set_filter("person = \"" + b.name() + "\"");
  v1::ListAttendancesResponse listed;
  s = cell_life_->ListAttendances(As(Reader(cell_a_)).get(), list, &listed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(listed.attendances_size(), 1);
  EXPECT_EQ(listed.attendances(0).corrections_size(), 1);
  list.set_parent(m.name());
  list.set_filter("status = PRESENT");
  s = cell_life_->ListAttendances(As(Reader(cell_a_)).get(), list, &listed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(listed.attendances_size(), 1);
  EXPECT_EQ(listed.attendances(0).person(), a.name());
  s = cell_life_->ListAttendances(As(Member(a.name(), cell_a_)).get(), list,
                                  &listed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(AttendanceTest, RatesPerMemberAndMonth) {
  v1::Person a =
      MustCreateOfficialMember(cell_a_, "Nguyễn Văn An", "079085200041");
  v1::Person b =
      MustCreateOfficialMember(cell_a_, "Trần Thị Bình", "079085200042");
  v1::Person old =
      MustCreateOfficialMember(cell_a_, "Hoàng Văn Lão", "079085200043");
  MustExempt(old);
  v1::Meeting sep = MustHold(MustSchedule(cell_a_, Regular(9)), D(2026, 9, 10));
  v1::Meeting oct =
      MustHold(MustSchedule(cell_a_, Regular(10)), D(2026, 10, 10));
  v1::BatchCreateAttendancesResponse out;
  ASSERT_TRUE(Attend(Secretary(cell_a_), sep,
                     {Entry(a, v1::ATTENDANCE_STATUS_PRESENT),
                      Entry(b, v1::ATTENDANCE_STATUS_PRESENT)},
                     &out)
                  .ok());
  ASSERT_TRUE(Attend(Secretary(cell_a_), oct,
                     {Entry(a, v1::ATTENDANCE_STATUS_PRESENT),
                      Entry(b, v1::ATTENDANCE_STATUS_EXCUSED, "Ốm")},
                     &out)
                  .ok());

  v1::ListMemberAttendanceRatesRequest r;
  r.set_organization(college_);
  r.mutable_period()->set_year(2026);
  v1::ListMemberAttendanceRatesResponse rates;
  grpc::Status s = cell_life_->ListMemberAttendanceRates(
      As(Reader(college_)).get(), r, &rates);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(rates.total_size(), 2);  // the exempt member is not listed
  EXPECT_EQ(rates.rates(0).person(), b.name());  // lowest rate first
  EXPECT_EQ(rates.rates(0).expected(), 2);
  EXPECT_EQ(rates.rates(0).excused(), 1);
  EXPECT_DOUBLE_EQ(rates.rates(0).rate_percent(), 50.0);
  EXPECT_EQ(rates.rates(0).organization(), cell_a_);
  EXPECT_EQ(rates.rates(1).person(), a.name());
  EXPECT_DOUBLE_EQ(rates.rates(1).rate_percent(), 100.0);
  r.mutable_period()->set_month(9);
  r.set_order_by("folded_name");
  ASSERT_TRUE(
      cell_life_
          ->ListMemberAttendanceRates(As(Reader(college_)).get(), r, &rates)
          .ok());
  ASSERT_EQ(rates.rates_size(), 2);
  EXPECT_EQ(rates.rates(0).person(), a.name());  // "nguyen" < "tran"
  EXPECT_DOUBLE_EQ(rates.rates(1).rate_percent(), 100.0);
  EXPECT_EQ(rates.rates(1).expected(), 1);
  // Refused: a member-only caller, the other province, a bad period.
  s = cell_life_->ListMemberAttendanceRates(As(Member(a.name(), cell_a_)).get(),
                                            r, &rates);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = cell_life_->ListMemberAttendanceRates(As(Reader(other_province_)).get(),
                                            r, &rates);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  r.mutable_period()->set_month(13);
  s = cell_life_->ListMemberAttendanceRates(As(Reader(college_)).get(), r,
                                            &rates);
  EXPECT_TRUE(FieldsOf(s).count("period.month"));

  // The member's own row, as the member view reads it.
  v1::ReportPeriod year;
  year.set_year(2026);
  absl::StatusOr<v1::MemberAttendanceRate> own =
      AttendanceRateOf(*context_, b, year);
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_EQ(own->present(), 1);
}

// Absence without reason from the regular meeting counts per month and
// raises the early warnings (StageEarlyWarnings, early_warnings.cc).
TEST_F(AttendanceTest, AbsenceMonthsFeedTheWarnings) {
  v1::Person a =
      MustCreateOfficialMember(cell_a_, "Nguyễn Văn An", "079085200051");
  v1::Person b =
      MustCreateOfficialMember(cell_a_, "Trần Thị Bình", "079085200052");
  v1::Meeting sep = MustHold(MustSchedule(cell_a_, Regular(9)), D(2026, 9, 10));
  v1::BatchCreateAttendancesResponse out;
  grpc::Status s = Attend(Secretary(cell_a_), sep,
                          {Entry(a, v1::ATTENDANCE_STATUS_PRESENT),
                           Entry(b, v1::ATTENDANCE_STATUS_ABSENT)},
                          &out);
  if (s.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
    GTEST_SKIP() << "StageEarlyWarnings has not landed: " << s.error_message();
  }
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::Meeting thematic_meeting = Regular(10);
  thematic_meeting.set_kind(v1::MEETING_KIND_THEMATIC);
  thematic_meeting.set_theme("Chuyển đổi số");
  v1::Meeting thematic =
      MustHold(MustSchedule(cell_a_, thematic_meeting), D(2026, 10, 10));
  ASSERT_TRUE(Attend(Secretary(cell_a_), thematic,
                     {Entry(a, v1::ATTENDANCE_STATUS_PRESENT),
                      Entry(b, v1::ATTENDANCE_STATUS_ABSENT)},
                     &out)
                  .ok());
  v1::ReportPeriod year;
  year.set_year(2026);
  absl::StatusOr<v1::MemberAttendanceRate> rate =
      AttendanceRateOf(*context_, b, year);
  ASSERT_TRUE(rate.ok()) << rate.status();
  EXPECT_EQ(rate->absent(), 2);
  // Only the regular meeting's month counts.
  ASSERT_EQ(rate->absent_months_size(), 1);
  EXPECT_EQ(rate->absent_months(0).month(), 9);
  absl::StatusOr<std::vector<Stored<v1::EarlyWarning>>> warnings =
      ReadWarningsOf(*context_, b.name(), 2026);
  ASSERT_TRUE(warnings.ok()) << warnings.status();
  EXPECT_FALSE(warnings->empty());
  absl::StatusOr<std::vector<Stored<v1::EarlyWarning>>> none =
      ReadWarningsOf(*context_, a.name(), 2026);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  // The warning joins the audit entry of the attendance that raised it.
  bool related = false;
  for (const auto& entry : OwnAudit("cb-khoa-toan")) {
    for (const auto& r : entry.related()) {
      related = related || r == (*warnings)[0].message.name();
    }
  }
  EXPECT_TRUE(related);

  // Corrected to excused: the month no longer counts, the warning closes.
  v1::CorrectAttendanceRequest correct;
  correct.set_name(sep.name() + "/attendances/" +
                   b.name().substr(std::string("people/").size()));
  correct.set_status(v1::ATTENDANCE_STATUS_EXCUSED);
  correct.set_excuse_reason("Nằm viện, có giấy ra viện");
  correct.set_reason("Chi bộ chấp nhận lý do");
  v1::Attendance corrected;
  s = cell_life_->CorrectAttendance(As(Secretary(cell_a_)).get(), correct,
                                    &corrected);
  ASSERT_TRUE(s.ok()) << s.error_message();
  rate = AttendanceRateOf(*context_, b, year);
  ASSERT_TRUE(rate.ok());
  EXPECT_EQ(rate->absent_months_size(), 0);
  warnings = ReadWarningsOf(*context_, b.name(), 2026);
  ASSERT_TRUE(warnings.ok()) << warnings.status();
  for (const auto& w : *warnings) {
    EXPECT_NE(w.message.state(), v1::WARNING_STATE_OPEN) << w.message.name();
  }
}

}  // namespace
}  // namespace partydev::membership
