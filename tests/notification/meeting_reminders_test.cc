// Cell life on notifyd's side (issue 9, directive 06-CT/TU) with the
// shipped rules and templates: a meeting announced on membership's stream
// sends an invitation with its documents to every invitee at once and plans
// the reminders before it; a change sends a change notice and plans them
// again; a cancellation sends a cancellation to every invitee and drops
// every pending reminder. Early warnings reach the member and the cell
// (levels 1 and 2) or the cell and the grassroots committee (level 3).

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "partydev/notification/v1/inbox.pb.h"
#include "services/notification/event_reminders.h"
#include "services/notification/inbox_store.h"
#include "tests/notification/event_reminders_fixture.h"

namespace partydev::notification {
namespace {

constexpr char kMeeting[] = "organizations/cb-toan/meetings/2024-03-regular";
const char* const kInvitees[] = {"people/p1", "people/p2", "people/official"};

class MeetingRemindersTest : public EventRemindersFixture {
 protected:
  // The regular meeting of cb-toan for March 2024, on `day` at 14:00.
  events::v1::Event Announced(const std::string& change, int day,
                              const common::v1::Date& act_date) {
    events::v1::Event e;
    *e.mutable_act_date() = act_date;
    for (const std::string& p : membership_->PathOf(cell_toan_)) {
      e.add_organization_path(p);
    }
    auto* m = e.mutable_meeting_announced();
    m->set_meeting(kMeeting);
    m->set_change(change);
    const absl::Time starts = VietnamTime(2024, 3, day, 14);
    m->mutable_starts_at()->set_seconds(absl::ToUnixSeconds(starts));
    m->set_place("Phòng họp số 2");
    m->set_title("Sinh hoạt chi bộ định kỳ tháng 3/2024");
    for (const char* p : kInvitees) m->add_invitees(p);
    m->add_documents("directives/06-ct-tu");
    return e;
  }

  events::v1::Event Warning(int level, const std::string& ground) {
    events::v1::Event e;
    *e.mutable_act_date() = D(2024, 3, 1);
    for (const std::string& p : membership_->PathOf(cell_health_)) {
      e.add_organization_path(p);
    }
    auto* w = e.mutable_member_warning_raised();
    w->set_person("people/p4");
    w->set_organization(cell_health_);
    w->set_level(level);
    w->set_ground(ground);
    w->set_year(2024);
    for (int month = 1; month <= level; ++month) w->add_months(month);
    return e;
  }

  std::vector<v1::ScheduledReminder> About(const std::string& subject) {
    v1::ListScheduledRemindersRequest request;
    request.set_subject_resource(subject);
    request.set_page_size(1000);
    v1::ListScheduledRemindersResponse response;
    grpc::Status s = reminders_->ListScheduledReminders(As(Admin()).get(),
                                                        request, &response);
    EXPECT_TRUE(s.ok()) << Describe(s);
    return {response.scheduled_reminders().begin(),
            response.scheduled_reminders().end()};
  }

  // The recipient's messages, newest first.
  std::vector<v1::Message> Inbox(const std::string& recipient) {
    InboxStore store(*context_);
    absl::StatusOr<std::vector<std::string>> ids =
        store.IdsNewestFirst(recipient, "", 1000);
    EXPECT_TRUE(ids.ok()) << ids.status();
    absl::StatusOr<std::vector<Stored<v1::Message>>> messages =
        store.GetMany(recipient, ids.ok() ? *ids : std::vector<std::string>());
    std::vector<v1::Message> out;
    if (messages.ok()) {
      for (auto& m : *messages) out.push_back(m.message);
    }
    return out;
  }

  static std::string InboxOf(const std::string& person) {
    return "recipients/person-" + person.substr(person.find('/') + 1);
  }

  static bool Contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  }
};

TEST_F(MeetingRemindersTest, InvitationReachesEveryInviteeAtOnce) {
  MustPublish(Announced("scheduled", 10, D(2024, 3, 1)));
  Drain();
  EXPECT_EQ(Sweep(), 3);  // one invitation per invitee, now
  for (const char* p : kInvitees) {
    std::vector<v1::Message> inbox = Inbox(InboxOf(p));
    ASSERT_EQ(inbox.size(), 1u) << p;
    const v1::Message& m = inbox[0];
    EXPECT_EQ(m.category(), v1::MESSAGE_CATEGORY_MEETING_INVITATION);
    EXPECT_EQ(m.template_(), "templates/meeting-invitation");
    EXPECT_EQ(m.subject_resource(), kMeeting);
    EXPECT_TRUE(Contains(m.subject(), "Chi bộ Khoa Toán")) << m.subject();
    EXPECT_TRUE(Contains(m.body(), "14:00 10/03/2024")) << m.body();
    EXPECT_TRUE(Contains(m.body(), "Phòng họp số 2")) << m.body();
    EXPECT_TRUE(Contains(m.body(), "định kỳ tháng 3/2024")) << m.body();
    EXPECT_TRUE(Contains(m.body(), "directives/06-ct-tu")) << m.body();
  }
  EXPECT_EQ(Sweep(), 0);  // sent once

  // The reminders before the meeting (default-meeting-upcoming), from the
  // meeting's day: 3 days before and on the day, at 08:00.
  std::vector<v1::ScheduledReminder> about = About(kMeeting);
  ASSERT_EQ(about.size(), 3u);
  std::vector<absl::Time> upcoming;
  for (const v1::ScheduledReminder& r : about) {
    if (r.deadline_kind() == common::v1::DEADLINE_KIND_MEETING_UPCOMING) {
      EXPECT_EQ(r.state(), v1::SCHEDULED_REMINDER_STATE_SCHEDULED);
      upcoming.push_back(FromProto(r.fire_time()));
    } else {
      EXPECT_EQ(r.reminder_rule(), "reminderRules/default-meeting-scheduled");
      EXPECT_EQ(r.state(), v1::SCHEDULED_REMINDER_STATE_SENT);
      EXPECT_EQ(r.recipients_size(), 3);
    }
  }
  ASSERT_EQ(upcoming.size(), 2u);
  EXPECT_EQ(upcoming[0], VietnamTime(2024, 3, 7, 8));
  EXPECT_EQ(upcoming[1], VietnamTime(2024, 3, 10, 8));

  SetToday(2024, 3, 7);
  EXPECT_EQ(Sweep(), 3);
  EXPECT_EQ(Inbox(InboxOf("people/p2")).size(), 2u);
}

TEST_F(MeetingRemindersTest, CancellationReachesEveryInviteeAndNoReminder) {
  MustPublish(Announced("scheduled", 10, D(2024, 3, 1)));
  Drain();
  EXPECT_EQ(Sweep(), 3);

  SetToday(2024, 3, 2);
  const events::v1::Event cancelled =
      MustPublish(Announced("cancelled", 10, D(2024, 3, 2)));
  Drain();
  EXPECT_EQ(Sweep(), 3);  // one cancellation per invitee, now
  for (const char* p : kInvitees) {
    std::vector<v1::Message> inbox = Inbox(InboxOf(p));
    ASSERT_EQ(inbox.size(), 2u) << p;
    EXPECT_EQ(inbox[0].category(), v1::MESSAGE_CATEGORY_MEETING_CANCELLATION);
    EXPECT_EQ(inbox[0].priority(), v1::MESSAGE_PRIORITY_URGENT);
    EXPECT_TRUE(Contains(inbox[0].body(), "đã bị hủy")) << inbox[0].body();
  }
  int dropped = 0;
  for (const v1::ScheduledReminder& r : About(kMeeting)) {
    if (r.deadline_kind() != common::v1::DEADLINE_KIND_MEETING_UPCOMING) {
      continue;
    }
    EXPECT_EQ(r.state(), v1::SCHEDULED_REMINDER_STATE_CANCELLED);
    EXPECT_TRUE(Contains(r.cancel_reason(), cancelled.id()))
        << r.cancel_reason();
    ++dropped;
  }
  EXPECT_EQ(dropped, 2);

  // Redelivered: nothing twice. And no reminder on the days it would have
  // gone.
  MustPublish(cancelled);
  Drain();
  for (int day : {7, 10, 11}) {
    SetToday(2024, 3, day);
    EXPECT_EQ(Sweep(), 0) << day;
  }
  for (const char* p : kInvitees) EXPECT_EQ(Inbox(InboxOf(p)).size(), 2u) << p;
}

TEST_F(MeetingRemindersTest, ChangeNoticeAndRemindersFollowTheNewSchedule) {
  MustPublish(Announced("scheduled", 10, D(2024, 3, 1)));
  Drain();
  EXPECT_EQ(Sweep(), 3);

  SetToday(2024, 3, 2);
  MustPublish(Announced("changed", 20, D(2024, 3, 2)));
  Drain();
  EXPECT_EQ(Sweep(), 3);  // one change notice per invitee
  for (const char* p : kInvitees) {
    std::vector<v1::Message> inbox = Inbox(InboxOf(p));
    ASSERT_EQ(inbox.size(), 2u) << p;
    EXPECT_EQ(inbox[0].category(), v1::MESSAGE_CATEGORY_MEETING_CHANGE);
    EXPECT_TRUE(Contains(inbox[0].body(), "14:00 20/03/2024"))
        << inbox[0].body();
  }
  // The old schedule's reminders are dropped, the new one's planned.
  std::vector<absl::Time> planned;
  int dropped = 0;
  for (const v1::ScheduledReminder& r : About(kMeeting)) {
    if (r.deadline_kind() != common::v1::DEADLINE_KIND_MEETING_UPCOMING) {
      continue;
    }
    if (r.state() == v1::SCHEDULED_REMINDER_STATE_CANCELLED) {
      ++dropped;
    } else {
      EXPECT_EQ(r.state(), v1::SCHEDULED_REMINDER_STATE_SCHEDULED);
      planned.push_back(FromProto(r.fire_time()));
    }
  }
  EXPECT_EQ(dropped, 2);
  ASSERT_EQ(planned.size(), 2u);
  EXPECT_EQ(planned[0], VietnamTime(2024, 3, 17, 8));
  EXPECT_EQ(planned[1], VietnamTime(2024, 3, 20, 8));

  SetToday(2024, 3, 10);
  EXPECT_EQ(Sweep(), 0);  // nothing on the old day
  SetToday(2024, 3, 17);
  EXPECT_EQ(Sweep(), 3);
}

TEST_F(MeetingRemindersTest, AnnouncedOnTheDayAddsNoLateReminder) {
  // A meeting scheduled on the morning of its own day, after 08:00: the
  // invitation goes; every reminder before it is past and none is added.
  MustPublish(Announced("scheduled", 1, D(2024, 3, 1)));
  Drain();
  EXPECT_EQ(About(kMeeting).size(), 1u);
  EXPECT_EQ(Sweep(), 3);
}

TEST_F(MeetingRemindersTest, WarningRemindersReachTheMemberAndTheCell) {
  const std::string member = "recipients/person-p4";
  const std::string cell = "recipients/org-cb-y-te";
  const std::string grassroots = "recipients/org-so-y-te";

  MustPublish(Warning(1, "attendance"));
  Drain();
  EXPECT_EQ(Sweep(), 2);
  ASSERT_EQ(Inbox(member).size(), 1u);
  ASSERT_EQ(Inbox(cell).size(), 1u);
  const v1::Message reminder = Inbox(member)[0];
  EXPECT_EQ(reminder.template_(), "templates/member-warning-reminder");
  EXPECT_EQ(reminder.category(), v1::MESSAGE_CATEGORY_ATTENDANCE_WARNING);
  EXPECT_TRUE(Contains(reminder.body(), "vắng sinh hoạt chi bộ không có lý do"))
      << reminder.body();

  // Level 2 asks the secretary to meet the member; dues as the ground.
  MustPublish(Warning(2, "dues"));
  Drain();
  EXPECT_EQ(Sweep(), 2);
  ASSERT_EQ(Inbox(member).size(), 2u);
  ASSERT_EQ(Inbox(cell).size(), 2u);
  const v1::Message follow_up = Inbox(cell)[0];
  EXPECT_EQ(follow_up.template_(), "templates/member-warning-follow-up");
  EXPECT_TRUE(Contains(follow_up.body(), "chưa đóng đảng phí"))
      << follow_up.body();
  EXPECT_TRUE(Contains(follow_up.body(), "gặp, trao đổi")) << follow_up.body();

  // Level 3: the cell and the grassroots committee, not the member.
  MustPublish(Warning(3, "attendance"));
  Drain();
  EXPECT_EQ(Sweep(), 2);
  EXPECT_EQ(Inbox(member).size(), 2u);
  ASSERT_EQ(Inbox(cell).size(), 3u);
  ASSERT_EQ(Inbox(grassroots).size(), 1u);
  const v1::Message proposal = Inbox(grassroots)[0];
  EXPECT_EQ(proposal.template_(), "templates/member-warning-removal-proposal");
  EXPECT_EQ(proposal.priority(), v1::MESSAGE_PRIORITY_URGENT);
  EXPECT_TRUE(Contains(proposal.body(), "xóa tên")) << proposal.body();
  EXPECT_TRUE(Contains(proposal.body(), "1, 2, 3")) << proposal.body();
}

}  // namespace
}  // namespace partydev::notification
