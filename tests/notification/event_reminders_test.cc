// Reminders from events (event_reminders.h) on a real Redis through
// notifyd's wiring: a DeadlineApproaching on membership's stream schedules
// the shipped rule's reminders, the sweep sends each exactly once at its
// (manual-clock) time, a cause-ending event cancels them, quota's lagging
// events draft one urging letter per checkpoint, and the scheduled-reminder
// RPCs (List / Get / Cancel) with their subtree checks.

#include "services/notification/event_reminders.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "common/ids.h"
#include "partydev/notification/v1/directives.pb.h"
#include "services/notification/directive_fan_out.h"
#include "services/notification/directive_store.h"
#include "services/notification/inbox_store.h"
#include "services/notification/recipient_store.h"
#include "services/notification/scheduled_reminder_store.h"
#include "tests/notification/event_reminders_fixture.h"

namespace partydev::notification {
namespace {

constexpr char kPerson[] = "people/p1";

class EventRemindersTest : public EventRemindersFixture {
 protected:
  // An EVALUATION_DUE deadline of kPerson in cell_toan_, due 2024-03-20.
  events::v1::Event Deadline(const common::v1::Date& due) {
    events::v1::Event e;
    *e.mutable_act_date() = D(2024, 3, 1);
    for (const std::string& p : membership_->PathOf(cell_toan_)) {
      e.add_organization_path(p);
    }
    auto* d = e.mutable_deadline_approaching();
    d->set_kind(common::v1::DEADLINE_KIND_EVALUATION_DUE);
    d->set_subject(kPerson);
    d->set_responsible_organization(cell_toan_);
    *d->mutable_due_on() = due;
    d->set_working_days_left(10);
    d->set_summary("Đánh giá quần chúng Nguyễn Văn A quý I/2024");
    return e;
  }

  std::vector<v1::ScheduledReminder> List(
      const Caller& caller, v1::ListScheduledRemindersRequest request = {}) {
    request.set_page_size(1000);
    v1::ListScheduledRemindersResponse response;
    grpc::Status s = reminders_->ListScheduledReminders(As(caller).get(),
                                                        request, &response);
    EXPECT_TRUE(s.ok()) << Describe(s);
    return {response.scheduled_reminders().begin(),
            response.scheduled_reminders().end()};
  }

  grpc::Status Cancel(const Caller& caller, const std::string& name,
                      const std::string& etag, bool validate_only,
                      v1::ScheduledReminder* out) {
    v1::CancelScheduledReminderRequest request;
    request.set_name(name);
    request.set_reason("Quần chúng đã chuyển công tác");
    request.set_etag(etag);
    request.set_validate_only(validate_only);
    return reminders_->CancelScheduledReminder(As(caller).get(), request, out);
  }

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

  // A lagging event of `org` at `checkpoint`, urged by university_.
  events::v1::Event Lagging(const std::string& org,
                            const std::string& checkpoint, int admitted,
                            int target) {
    events::v1::Event e;
    *e.mutable_act_date() = D(2024, 3, 1);
    for (const std::string& p : membership_->PathOf(org)) {
      e.add_organization_path(p);
    }
    auto* l = e.mutable_organization_lagging();
    l->set_organization(org);
    l->set_term("terms/2020-2025");
    l->set_target(target);
    l->set_admitted(admitted);
    l->set_rate_bp(admitted * 10000 / target);
    l->set_threshold_bp(5000);
    l->set_checkpoint(checkpoint);
    l->set_urging_organization(university_);
    *l->mutable_as_of() = D(2024, 3, 1);
    l->set_remaining(target - admitted);
    l->add_reasons("below_threshold");
    return e;
  }

  std::vector<v1::Directive> UrgingLetters() {
    absl::StatusOr<std::vector<Stored<v1::Directive>>> all =
        DirectiveStore(*context_).All();
    EXPECT_TRUE(all.ok()) << all.status();
    std::vector<v1::Directive> out;
    if (!all.ok()) return out;
    for (auto& d : *all) {
      if (!d.message.origin().event_id().empty()) out.push_back(d.message);
    }
    return out;
  }
};

TEST_F(EventRemindersTest, DeadlineSchedulesTheRulesReminders) {
  MustPublish(Deadline(D(2024, 3, 20)));
  Drain();
  std::vector<v1::ScheduledReminder> listed = List(Admin());
  // default-evaluation-due: 3 days before, on the day, 7 days after and
  // two repeats every 7 days.
  ASSERT_EQ(listed.size(), 5u);
  EXPECT_EQ(FromProto(listed[0].fire_time()), VietnamTime(2024, 3, 17, 8));
  EXPECT_EQ(listed[0].step_id(), "before-3");
  EXPECT_EQ(FromProto(listed[1].fire_time()), VietnamTime(2024, 3, 20, 8));
  EXPECT_EQ(FromProto(listed[4].fire_time()), VietnamTime(2024, 4, 10, 8));
  for (const v1::ScheduledReminder& r : listed) {
    EXPECT_EQ(r.state(), v1::SCHEDULED_REMINDER_STATE_SCHEDULED);
    EXPECT_EQ(r.reminder_rule(), "reminderRules/default-evaluation-due");
    EXPECT_EQ(r.subject_resource(), kPerson);
    EXPECT_EQ(r.organization(), cell_toan_);
    EXPECT_EQ(r.deadline_kind(), common::v1::DEADLINE_KIND_EVALUATION_DUE);
    EXPECT_FALSE(r.etag().empty());
  }
}

TEST_F(EventRemindersTest, PastSendsAreSkippedAndTheFirstSentNowWhenAllPast) {
  SetToday(2024, 3, 18);  // after "before-3" (03-17), before the due day
  MustPublish(Deadline(D(2024, 3, 20)));
  Drain();
  EXPECT_EQ(List(Admin()).size(), 4u);

  // A deadline learnt when every send is past still gets one reminder, now.
  events::v1::Event old = Deadline(D(2023, 1, 10));
  old.mutable_deadline_approaching()->set_subject("people/p2");
  MustPublish(old);
  Drain();
  v1::ListScheduledRemindersRequest about;
  about.set_subject_resource("people/p2");
  std::vector<v1::ScheduledReminder> late = List(Admin(), about);
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].step_id(), "before-3");
  EXPECT_EQ(FromProto(late[0].fire_time()), clock_->Now());
}

TEST_F(EventRemindersTest, SweepSendsEachReminderOnceAtItsTime) {
  const events::v1::Event first = MustPublish(Deadline(D(2024, 3, 20)));
  Drain();
  const std::string office = "recipients/org-cb-toan";

  SetToday(2024, 3, 16);
  EXPECT_EQ(Sweep(), 0);
  EXPECT_TRUE(Inbox(office).empty());

  SetToday(2024, 3, 17);
  EXPECT_EQ(Sweep(), 1);  // the cell and the mentor (cell fallback): one
  EXPECT_EQ(Sweep(), 0);  // a second sweep sends nothing new
  std::vector<v1::Message> inbox = Inbox(office);
  ASSERT_EQ(inbox.size(), 1u);
  EXPECT_NE(inbox[0].body().find("ngày 20 tháng 3 năm 2024"), std::string::npos)
      << inbox[0].body();
  EXPECT_EQ(inbox[0].template_(), "templates/evaluation-due");
  EXPECT_EQ(inbox[0].source_event_id(), first.id());
  EXPECT_TRUE(
      absl::StartsWith(inbox[0].scheduled_reminder(), "scheduledReminders/"));

  // The same event redelivered, and the next event of the same deadline:
  // nothing scheduled twice, nothing sent again.
  MustPublish(first);
  MustPublish(Deadline(D(2024, 3, 20)));
  Drain();
  EXPECT_EQ(List(Admin()).size(), 5u);
  EXPECT_EQ(Sweep(), 0);

  v1::GetScheduledReminderRequest get;
  get.set_name(inbox[0].scheduled_reminder());
  v1::ScheduledReminder sent;
  grpc::Status s =
      reminders_->GetScheduledReminder(As(Reader(kCell)).get(), get, &sent);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(sent.state(), v1::SCHEDULED_REMINDER_STATE_SENT);
  ASSERT_EQ(sent.recipients_size(), 1);
  EXPECT_EQ(sent.recipients(0), office);
  ASSERT_EQ(sent.messages_size(), 1);
  EXPECT_EQ(sent.messages(0), inbox[0].name());

  SetToday(2024, 3, 20);
  EXPECT_EQ(Sweep(), 1);
  EXPECT_EQ(Inbox(office).size(), 2u);
}

// AUDIENCE_GRASSROOTS_COMMITTEE: a cell's deadline reaches its grassroots
// committee; a deadline of a committee itself (the admission decision is
// the deciding committee's: membership makes it the bloc's) reaches that
// committee, not the one above it.
TEST_F(EventRemindersTest, GrassrootsAudienceIsTheCommitteeConcerned) {
  auto decision_due = [&](const std::string& org, const std::string& person) {
    events::v1::Event e = Deadline(D(2024, 3, 20));
    e.clear_organization_path();
    for (const std::string& p : membership_->PathOf(org)) {
      e.add_organization_path(p);
    }
    auto* d = e.mutable_deadline_approaching();
    d->set_kind(common::v1::DEADLINE_KIND_ADMISSION_DECISION_DUE);
    d->set_subject(person);
    d->set_responsible_organization(org);
    return e;
  };
  MustPublish(decision_due(bloc_, "people/p2"));
  MustPublish(decision_due(cell_toan_, "people/p3"));
  Drain();
  SetToday(2024, 3, 21);  // the steps from the act to the due date
  const int sent = Sweep();
  EXPECT_GT(sent, 0);
  // The same rule for both: half of the messages each.
  EXPECT_EQ(Inbox(OrganizationRecipientName(bloc_)).size() * 2,
            static_cast<size_t>(sent));
  EXPECT_EQ(Inbox(OrganizationRecipientName(university_)).size() * 2,
            static_cast<size_t>(sent));
  EXPECT_TRUE(Inbox(OrganizationRecipientName(province_)).empty());
  EXPECT_TRUE(Inbox(OrganizationRecipientName(cell_toan_)).empty());
}

TEST_F(EventRemindersTest, CauseGoneCancelsAndNothingIsSentAfter) {
  MustPublish(Deadline(D(2024, 3, 20)));
  Drain();

  // A step that does not pass the deadline's stage changes nothing.
  events::v1::Event step;
  *step.mutable_act_date() = D(2024, 3, 2);
  auto* early = step.mutable_person_stage_changed();
  early->set_person(kPerson);
  early->set_organization(cell_toan_);
  early->set_from_stage(common::v1::STAGE_SOURCED);
  early->set_to_stage(common::v1::STAGE_MENTOR_ASSIGNED);
  MustPublish(step);
  Drain();
  for (const auto& r : List(Admin())) {
    EXPECT_EQ(r.state(), v1::SCHEDULED_REMINDER_STATE_SCHEDULED);
  }

  // The candidate withdraws: the cause is gone.
  events::v1::Event withdrew;
  *withdrew.mutable_act_date() = D(2024, 3, 5);
  auto* w = withdrew.mutable_person_stage_changed();
  w->set_person(kPerson);
  w->set_organization(cell_toan_);
  w->set_from_stage(common::v1::STAGE_MENTOR_ASSIGNED);
  w->set_to_stage(common::v1::STAGE_WITHDRAWN);
  w->set_reason("Xin rút khỏi danh sách");
  const events::v1::Event published = MustPublish(withdrew);
  Drain();
  std::vector<v1::ScheduledReminder> listed = List(Admin());
  ASSERT_EQ(listed.size(), 5u);
  for (const auto& r : listed) {
    EXPECT_EQ(r.state(), v1::SCHEDULED_REMINDER_STATE_CANCELLED);
    EXPECT_NE(r.cancel_reason().find(published.id()), std::string::npos)
        << r.cancel_reason();
  }

  SetToday(2024, 4, 20);
  EXPECT_EQ(Sweep(), 0);
  EXPECT_TRUE(Inbox("recipients/org-cb-toan").empty());
}

TEST_F(EventRemindersTest, DeepestScopeWinsAndEventRulesScheduleAndCancel) {
  // The cell's own rule for EVALUATION_DUE overrides the default there.
  v1::ReminderRule own = SimpleRule("templates/evaluation-due");
  own.set_scope_organization(cell_toan_);
  own.clear_steps();
  v1::ReminderStep* only = own.add_steps();
  only->set_step_id("on-day");
  only->set_offset_days(0);
  only->add_audience(v1::AUDIENCE_SUBJECT_PERSON);
  only->set_template_("templates/evaluation-due");
  v1::CreateReminderRuleRequest create;
  create.set_reminder_rule_id("cb-toan-evaluation");
  *create.mutable_reminder_rule() = own;
  v1::ReminderRule created;
  grpc::Status s = reminders_->CreateReminderRule(As(Operator(kCell)).get(),
                                                  create, &created);
  ASSERT_TRUE(s.ok()) << Describe(s);

  // An event rule: a member's attendance warning, cancelled by the rule's
  // own extra event type.
  v1::ReminderRule warning;
  warning.set_display_name("Nhắc đảng viên vắng sinh hoạt");
  warning.set_event_type("partydev.events.v1.MemberWarningRaised");
  v1::ReminderStep* now = warning.add_steps();
  now->set_step_id("now");
  now->set_offset_days(0);
  now->add_audience(v1::AUDIENCE_CELL);
  now->set_template_("templates/evaluation-due");
  v1::ReminderStep* later = warning.add_steps();
  later->set_step_id("after-7");
  later->set_offset_days(7);
  later->add_audience(v1::AUDIENCE_SUPERIOR_COMMITTEE);
  later->set_template_("templates/evaluation-due");
  warning.add_cancel_on_event_types(
      "partydev.events.v1.PersonCategoriesChanged");
  create.set_reminder_rule_id("attendance-warning");
  *create.mutable_reminder_rule() = warning;
  s = reminders_->CreateReminderRule(As(Admin()).get(), create, &created);
  ASSERT_TRUE(s.ok()) << Describe(s);

  MustPublish(Deadline(D(2024, 3, 20)));
  events::v1::Event van = Deadline(D(2024, 3, 20));
  van.mutable_deadline_approaching()->set_subject("people/p3");
  van.mutable_deadline_approaching()->set_responsible_organization(cell_van_);
  MustPublish(van);
  events::v1::Event warned;
  *warned.mutable_act_date() = D(2024, 3, 4);
  auto* w = warned.mutable_member_warning_raised();
  w->set_person("people/p4");
  w->set_organization(cell_health_);
  w->set_level(1);
  w->set_ground("attendance");
  MustPublish(warned);
  Drain();

  v1::ListScheduledRemindersRequest about;
  about.set_subject_resource(kPerson);
  std::vector<v1::ScheduledReminder> toan = List(Admin(), about);
  ASSERT_EQ(toan.size(), 1u);
  EXPECT_EQ(toan[0].reminder_rule(), "reminderRules/cb-toan-evaluation");
  about.set_subject_resource("people/p3");
  EXPECT_EQ(List(Admin(), about).size(), 5u);
  about.set_subject_resource("people/p4");
  std::vector<v1::ScheduledReminder> warnings = List(Admin(), about);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0].event_type(), "partydev.events.v1.MemberWarningRaised");
  EXPECT_EQ(FromProto(warnings[0].fire_time()), VietnamTime(2024, 3, 4, 8));
  EXPECT_EQ(FromProto(warnings[1].fire_time()), VietnamTime(2024, 3, 11, 8));

  // The warning's rule lists PersonCategoriesChanged: its sends go.
  events::v1::Event changed;
  *changed.mutable_act_date() = D(2024, 3, 2);
  changed.mutable_person_categories_changed()->set_person("people/p4");
  changed.mutable_person_categories_changed()->set_organization(cell_health_);
  MustPublish(changed);
  Drain();
  warnings = List(Admin(), about);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0].state(), v1::SCHEDULED_REMINDER_STATE_CANCELLED);
  EXPECT_EQ(warnings[1].state(), v1::SCHEDULED_REMINDER_STATE_CANCELLED);

  SetToday(2024, 3, 20);
  // p1's one send to the person's own recipient (SUBJECT_PERSON); p3's
  // "before-3" and "on-day" to its cell; nothing about p4.
  EXPECT_EQ(Sweep(), 3);
  EXPECT_EQ(Inbox("recipients/person-p1").size(), 1u);
  EXPECT_TRUE(Inbox("recipients/org-cb-toan").empty());
  EXPECT_EQ(Inbox("recipients/org-cb-van").size(), 2u);
  EXPECT_TRUE(Inbox("recipients/org-cb-y-te").empty());
  EXPECT_TRUE(Inbox("recipients/org-so-y-te").empty());
}

TEST_F(EventRemindersTest, LaggingDraftsOneUrgingLetterPerCheckpoint) {
  const std::string checkpoint =
      "organizations/dh-da-lat/laggingCheckpoints/2024-q1";
  absl::StatusOr<events::v1::Event> toan =
      quota_->Publish(Lagging(cell_toan_, checkpoint, 5, 12));
  ASSERT_TRUE(toan.ok()) << toan.status();
  Drain();
  std::vector<v1::Directive> letters = UrgingLetters();
  ASSERT_EQ(letters.size(), 1u);
  const v1::Directive& letter = letters[0];
  EXPECT_EQ(letter.state(), v1::DIRECTIVE_STATE_DRAFT);
  EXPECT_EQ(letter.document_type(), v1::DOCUMENT_TYPE_OFFICIAL_LETTER);
  EXPECT_EQ(letter.issuing_organization(), university_);
  EXPECT_EQ(letter.origin().event_id(), toan->id());
  EXPECT_EQ(letter.origin().reminder_rule(),
            "reminderRules/default-quota-lagging");
  EXPECT_TRUE(absl::StartsWith(letter.subject(), "V/v đôn đốc"));
  ASSERT_EQ(letter.recipients_size(), 1);
  const v1::DirectiveRecipient& line = letter.recipients(0);
  EXPECT_EQ(line.organization(), cell_toan_);
  EXPECT_EQ(line.purpose(), v1::RECIPIENT_PURPOSE_ACT);
  EXPECT_EQ(line.values().at("admitted"), "5");
  EXPECT_EQ(line.values().at("target"), "12");
  EXPECT_EQ(line.values().at("admission_rate"), "41,7%");
  EXPECT_EQ(line.values().at("remaining"), "7");
  EXPECT_NE(line.extra_text().find("Chi bộ Khoa Toán đã kết nạp 5/12"),
            std::string::npos)
      << line.extra_text();

  // Redelivered, then another lagging organisation of the same checkpoint:
  // one more line on the same draft.
  ASSERT_TRUE(quota_->Publish(*toan).ok());
  ASSERT_TRUE(quota_->Publish(Lagging(cell_van_, checkpoint, 1, 5)).ok());
  Drain();
  letters = UrgingLetters();
  ASSERT_EQ(letters.size(), 1u);
  ASSERT_EQ(letters[0].recipients_size(), 2);
  EXPECT_EQ(letters[0].recipients(1).organization(), cell_van_);
  EXPECT_EQ(letters[0].recipients(1).values().at("admission_rate"), "20%");
  EXPECT_NE(letters[0].body().find("Chi bộ Khoa Toán: kết nạp 5/12"),
            std::string::npos)
      << letters[0].body();
  EXPECT_NE(letters[0].body().find("Chi bộ Khoa Văn: kết nạp 1/5"),
            std::string::npos);

  // Another checkpoint: another letter.
  ASSERT_TRUE(quota_
                  ->Publish(Lagging(cell_toan_,
                                    "organizations/dh-da-lat/"
                                    "laggingCheckpoints/2024-q2",
                                    6, 12))
                  .ok());
  Drain();
  EXPECT_EQ(UrgingLetters().size(), 2u);
}

// The rule of a committee that lets notifyd issue its urging letters, with
// the particulars and the copy lines of letter 1849-CV/ĐUK.
v1::ReminderRule AutoIssuedUrging() {
  v1::ReminderRule rule;
  rule.set_display_name("Đôn đốc kết nạp (tự ban hành)");
  rule.set_event_type("partydev.events.v1.OrganizationLagging");
  rule.set_scope_organization("organizations/dh-da-lat");
  rule.set_enabled(true);
  v1::ReminderStep* notify = rule.add_steps();
  notify->set_step_id("notify");
  notify->add_audience(v1::AUDIENCE_SUPERIOR_COMMITTEE);
  notify->set_template_("templates/quota-lagging");
  v1::UrgingLetterSpec& urging = *rule.mutable_urging_letter();
  urging.set_enabled(true);
  urging.set_template_("templates/urging-letter");
  urging.set_extra_text_template("templates/urging-letter-extra");
  urging.set_auto_issue(true);
  urging.mutable_issue_delay()->set_seconds(300);
  v1::Directive& d = *urging.mutable_defaults();
  d.set_issuer_code("ĐU");
  d.set_place("Đà Lạt");
  v1::SignerBlock& signer = *d.mutable_signer();
  signer.set_capacity(v1::SIGNING_CAPACITY_ON_BEHALF_OF);
  signer.set_collective("BAN THƯỜNG VỤ");
  signer.set_title("BÍ THƯ");
  signer.set_signer_name("Nguyễn Văn Bình");
  v1::DirectiveRecipient* report = d.add_recipients();
  report->set_key("tinh-uy");
  report->set_purpose(v1::RECIPIENT_PURPOSE_REPORT_TO);
  report->set_label("Ban Thường vụ Tỉnh ủy");
  report->set_organization("organizations/lam-dong");
  v1::DirectiveRecipient* archive = d.add_recipients();
  archive->set_key("luu");
  archive->set_purpose(v1::RECIPIENT_PURPOSE_ARCHIVE);
  archive->set_label("Lưu Văn phòng");
  archive->set_organization("organizations/dh-da-lat");
  return rule;
}

TEST_F(EventRemindersTest, AutoIssueIssuesTheLetterAfterItsDelay) {
  v1::CreateReminderRuleRequest create;
  create.set_reminder_rule_id("dh-da-lat-urging");
  *create.mutable_reminder_rule() = AutoIssuedUrging();
  v1::ReminderRule created;
  grpc::Status s =
      reminders_->CreateReminderRule(As(Admin()).get(), create, &created);
  ASSERT_TRUE(s.ok()) << Describe(s);

  const std::string checkpoint =
      "organizations/dh-da-lat/laggingCheckpoints/2024-q1";
  ASSERT_TRUE(quota_->Publish(Lagging(cell_toan_, checkpoint, 5, 12)).ok());
  Drain();
  clock_->Advance(absl::Minutes(2));
  ASSERT_TRUE(quota_->Publish(Lagging(cell_van_, checkpoint, 1, 5)).ok());
  Drain();
  // Within the delay the letter collects its lines and stays a draft.
  clock_->Advance(absl::Minutes(2));
  Sweep();
  std::vector<v1::Directive> letters = UrgingLetters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].state(), v1::DIRECTIVE_STATE_DRAFT);
  // Addressees first, then the defaults' copy lines, as in the seed.
  ASSERT_EQ(letters[0].recipients_size(), 4);
  EXPECT_EQ(letters[0].recipients(0).organization(), cell_toan_);
  EXPECT_EQ(letters[0].recipients(1).organization(), cell_van_);
  EXPECT_EQ(letters[0].recipients(2).key(), "tinh-uy");
  EXPECT_EQ(letters[0].recipients(3).key(), "luu");
  EXPECT_NE(letters[0].body().find("vẫn còn 2 tổ chức"), std::string::npos)
      << letters[0].body();

  // Five minutes after the first line: issued by notifyd, numbered in the
  // committee's sequence, and the fan-out job staged with it.
  clock_->Advance(absl::Minutes(1) + absl::Seconds(1));
  Sweep();
  letters = UrgingLetters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].state(), v1::DIRECTIVE_STATE_ISSUING);
  EXPECT_EQ(letters[0].number(), 1);
  EXPECT_EQ(letters[0].reference(), "01-CV/ĐU");
  EXPECT_EQ(letters[0].issue_stamp().actor(), "system");
  // Toán, Văn, the superior body "(báo cáo)" and the archive copy.
  EXPECT_EQ(letters[0].fan_out().planned_deliveries(), 4);
  ASSERT_TRUE(DirectiveFanOut(*context_).Run(letters[0].name()).ok());
  letters = UrgingLetters();
  EXPECT_EQ(letters[0].state(), v1::DIRECTIVE_STATE_ISSUED);
  EXPECT_EQ(letters[0].fan_out().created_deliveries(), 4);

  // A later lagging organisation of the same checkpoint does not change
  // the issued letter, and a second sweep issues nothing twice.
  ASSERT_TRUE(quota_->Publish(Lagging(cell_health_, checkpoint, 0, 4)).ok());
  Drain();
  clock_->Advance(absl::Minutes(10));
  Sweep();
  letters = UrgingLetters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].recipients_size(), 4);
  EXPECT_EQ(letters[0].number(), 1);
}

TEST_F(EventRemindersTest, AutoIssueNeedsTheSignerAndPlaceInTheDefaults) {
  v1::ReminderRule rule = AutoIssuedUrging();
  rule.mutable_urging_letter()->mutable_defaults()->clear_place();
  rule.mutable_urging_letter()
      ->mutable_defaults()
      ->mutable_signer()
      ->clear_signer_name();
  // The type code comes from the document type: "CV/ĐU" is not a code.
  rule.mutable_urging_letter()->mutable_defaults()->set_issuer_code("CV/ĐU");
  v1::CreateReminderRuleRequest create;
  create.set_reminder_rule_id("dh-da-lat-urging");
  *create.mutable_reminder_rule() = rule;
  v1::ReminderRule created;
  grpc::Status s =
      reminders_->CreateReminderRule(As(Admin()).get(), create, &created);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("urging_letter.defaults.place"),
            std::string::npos)
      << s.error_message();
  EXPECT_NE(s.error_message().find("urging_letter.defaults.signer.signer_name"),
            std::string::npos);
  EXPECT_NE(s.error_message().find("urging_letter.auto_issue_defaults"),
            std::string::npos);
  EXPECT_NE(s.error_message().find("is not an issuer code"), std::string::npos);

  rule = AutoIssuedUrging();
  rule.mutable_urging_letter()->mutable_issue_delay()->set_seconds(8 * 86400);
  *create.mutable_reminder_rule() = rule;
  s = reminders_->CreateReminderRule(As(Admin()).get(), create, &created);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("urging_letter.issue_delay"),
            std::string::npos);
}

TEST_F(EventRemindersTest, ScheduledReminderRpcsCheckTheSubtree) {
  MustPublish(Deadline(D(2024, 3, 20)));
  Drain();
  ASSERT_EQ(List(Reader(kProvince)).size(), 5u);
  EXPECT_TRUE(List(Reader(other_province_)).empty());
  v1::ListScheduledRemindersRequest desc;
  desc.set_order_by("fire_time desc");
  std::vector<v1::ScheduledReminder> listed = List(Reader(kCell), desc);
  ASSERT_EQ(listed.size(), 5u);
  EXPECT_EQ(listed[0].step_id(), "after");
  const v1::ScheduledReminder first = listed[4];

  v1::ListScheduledRemindersRequest elsewhere;
  elsewhere.set_under_organization(kProvince);
  v1::ListScheduledRemindersResponse ignored;
  elsewhere.set_page_size(10);
  EXPECT_EQ(reminders_
                ->ListScheduledReminders(As(Reader(other_province_)).get(),
                                         elsewhere, &ignored)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  v1::GetScheduledReminderRequest get;
  get.set_name(first.name());
  v1::ScheduledReminder got;
  EXPECT_EQ(
      reminders_
          ->GetScheduledReminder(As(Reader(other_province_)).get(), get, &got)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);

  // validate_only: the answer, and nothing written.
  const auto before = Snapshot();
  v1::ScheduledReminder out;
  grpc::Status s =
      Cancel(Operator(kCell), first.name(), first.etag(), true, &out);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(out.state(), v1::SCHEDULED_REMINDER_STATE_CANCELLED);
  EXPECT_EQ(Snapshot(), before);

  EXPECT_EQ(Cancel(Operator(other_province_), first.name(), "", false, &out)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Cancel(Reader(kCell), first.name(), "", false, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      Cancel(Operator(kCell), first.name(), "v99", false, &out).error_code(),
      grpc::StatusCode::ABORTED);
  EXPECT_EQ(Snapshot(), before);

  s = Cancel(Operator(kCell), first.name(), first.etag(), false, &out);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(out.state(), v1::SCHEDULED_REMINDER_STATE_CANCELLED);
  EXPECT_EQ(out.cancel_reason(), "Quần chúng đã chuyển công tác");
  EXPECT_EQ(Cancel(Operator(kCell), first.name(), "", false, &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  v1::ListScheduledRemindersRequest scheduled;
  scheduled.add_states(v1::SCHEDULED_REMINDER_STATE_SCHEDULED);
  EXPECT_EQ(List(Reader(kCell), scheduled).size(), 4u);

  // The cancelled one is never sent.
  SetToday(2024, 3, 17);
  EXPECT_EQ(Sweep(), 0);
  EXPECT_TRUE(Inbox("recipients/org-cb-toan").empty());
}

}  // namespace
}  // namespace partydev::notification
