// ReminderService on a real Redis through notifyd's wiring: reminder rules
// (shipped and stored, templates checked, etags, validate_only, idempotent
// retries, who may write), the schedule preview, the rule sets, and the
// scheduled-reminder RPCs with nothing scheduled.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "services/notification/domain/reminder_schedule.h"
#include "tests/notification/notification_fixture.h"

namespace partydev::notification {
namespace {

class ReminderServiceTest : public NotificationFixture {
 protected:
  grpc::Status Create(const Caller& caller, const std::string& id,
                      const v1::ReminderRule& rule, v1::ReminderRule* out,
                      const std::string& request_id = "",
                      bool validate_only = false) {
    v1::CreateReminderRuleRequest request;
    request.set_reminder_rule_id(id);
    *request.mutable_reminder_rule() = rule;
    request.set_request_id(request_id);
    request.set_validate_only(validate_only);
    return reminders_->CreateReminderRule(As(caller).get(), request, out);
  }
  grpc::Status Update(const Caller& caller, const v1::ReminderRule& rule,
                      const std::string& mask, v1::ReminderRule* out,
                      const std::string& request_id = "",
                      bool validate_only = false) {
    v1::UpdateReminderRuleRequest request;
    *request.mutable_reminder_rule() = rule;
    for (absl::string_view path : absl::StrSplit(mask, ',')) {
      request.mutable_update_mask()->add_paths(std::string(path));
    }
    request.set_request_id(request_id);
    request.set_validate_only(validate_only);
    return reminders_->UpdateReminderRule(As(caller).get(), request, out);
  }
  grpc::Status Get(const std::string& name, v1::ReminderRule* out) {
    v1::GetReminderRuleRequest request;
    request.set_name(name);
    return reminders_->GetReminderRule(As(Reader(kCell)).get(), request, out);
  }
  grpc::Status Preview(const std::string& name, const common::v1::Date& due,
                       v1::PreviewReminderScheduleResponse* out) {
    v1::PreviewReminderScheduleRequest request;
    request.set_name(name);
    *request.mutable_due_date() = due;
    return reminders_->PreviewReminderSchedule(As(Reader(kCell)).get(), request,
                                               out);
  }
  grpc::Status Resolve(const common::v1::Date* date,
                       v1::NotificationRuleSet* out) {
    v1::ResolveNotificationRuleSetRequest request;
    if (date != nullptr) *request.mutable_date() = *date;
    return reminders_->ResolveNotificationRuleSet(As(Reader(kCell)).get(),
                                                  request, out);
  }
};

TEST_F(ReminderServiceTest, ShippedRulesAreListedAndReadable) {
  v1::ReminderRule rule;
  grpc::Status s = Get("reminderRules/default-evaluation-due", &rule);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(rule.deadline_kind(), common::v1::DEADLINE_KIND_EVALUATION_DUE);
  EXPECT_EQ(rule.etag(), "v0");

  v1::ListReminderRulesRequest request;
  request.set_page_size(1000);
  v1::ListReminderRulesResponse response;
  ASSERT_TRUE(
      reminders_->ListReminderRules(As(Reader(kCell)).get(), request, &response)
          .ok());
  EXPECT_EQ(response.total_size(),
            static_cast<int>(context_->rules().reminder_rules.size()));
  request.set_filter("deadline_kind = DEADLINE_KIND_EVALUATION_DUE");
  response.Clear();
  ASSERT_TRUE(
      reminders_->ListReminderRules(As(Reader(kCell)).get(), request, &response)
          .ok());
  ASSERT_EQ(response.reminder_rules_size(), 1);
  EXPECT_EQ(response.reminder_rules(0).name(),
            "reminderRules/default-evaluation-due");
  // applicable_to over notifyd's tree: a rule scoped to the university
  // applies to its cells, first for its trigger (it wins over the shipped
  // one); it does not apply to a cell of another organisation.
  v1::ReminderRule scoped = SimpleRule("templates/evaluation-due");
  scoped.set_scope_organization(university_);
  v1::ReminderRule created;
  ASSERT_TRUE(Create(Admin(), "nhac-truong", scoped, &created).ok());
  request.Clear();
  request.set_page_size(1000);
  request.set_applicable_to(cell_toan_);
  request.set_filter("deadline_kind = DEADLINE_KIND_EVALUATION_DUE");
  response.Clear();
  grpc::Status listed = reminders_->ListReminderRules(As(Reader(kCell)).get(),
                                                      request, &response);
  ASSERT_TRUE(listed.ok()) << Describe(listed);
  ASSERT_EQ(response.reminder_rules_size(), 2);
  EXPECT_EQ(response.reminder_rules(0).name(), "reminderRules/nhac-truong");
  EXPECT_EQ(response.reminder_rules(1).name(),
            "reminderRules/default-evaluation-due");
  request.set_applicable_to(cell_health_);
  response.Clear();
  ASSERT_TRUE(
      reminders_->ListReminderRules(As(Reader(kCell)).get(), request, &response)
          .ok());
  ASSERT_EQ(response.reminder_rules_size(), 1);
  EXPECT_EQ(response.reminder_rules(0).name(),
            "reminderRules/default-evaluation-due");
  request.set_applicable_to("organizations/khong-co");
  EXPECT_EQ(
      reminders_->ListReminderRules(As(Reader(kCell)).get(), request, &response)
          .error_code(),
      grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Get("reminderRules/khong-co", &rule).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Get("rules/x", &rule).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ReminderServiceTest, ARuleNamingAMissingTemplateIsRefused) {
  const auto before = Snapshot();
  v1::ReminderRule rule = SimpleRule("templates/khong-co");
  v1::ReminderRule out;
  grpc::Status s = Create(Admin(), "nhac", rule, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << Describe(s);
  EXPECT_NE(
      s.error_message().find("notification.reminder_rule.template_exists"),
      std::string::npos)
      << s.error_message();
  EXPECT_NE(s.error_message().find("templates/khong-co"), std::string::npos);
  // validate_only reports it too.
  EXPECT_EQ(Create(Admin(), "nhac", rule, &out, "", true).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Snapshot(), before);
  EXPECT_EQ(Get("reminderRules/nhac", &out).error_code(),
            grpc::StatusCode::NOT_FOUND);

  // A stored template is a valid target; so is a shipped one.
  MustCreateTemplate("nhac-danh-gia", SimpleTemplate("Nhắc", "{{name}}"));
  ASSERT_TRUE(
      Create(Admin(), "nhac", SimpleRule("templates/nhac-danh-gia"), &out)
          .ok());
  ASSERT_TRUE(
      Create(Admin(), "nhac-2", SimpleRule("templates/evaluation-due"), &out)
          .ok());

  // An update that points a step at a missing template is refused.
  const auto after = Snapshot();
  v1::ReminderRule change = out;
  change.mutable_steps(1)->set_template_("templates/khong-co");
  s = Update(Admin(), change, "steps", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(s.error_message().find("steps[1]"), std::string::npos)
      << s.error_message();
  EXPECT_EQ(Snapshot(), after);
}

TEST_F(ReminderServiceTest, AnArchivedTemplateCannotBeNewlyUsed) {
  v1::Template t =
      MustCreateTemplate("cu", SimpleTemplate("Mẫu cũ", "{{name}}"));
  t.set_state(v1::TEMPLATE_STATE_ARCHIVED);
  v1::UpdateTemplateRequest archive;
  *archive.mutable_template_() = t;
  archive.mutable_update_mask()->add_paths("state");
  v1::Template archived;
  ASSERT_TRUE(
      templates_->UpdateTemplate(As(Admin()).get(), archive, &archived).ok());
  const auto before = Snapshot();
  v1::ReminderRule out;
  grpc::Status s = Create(Admin(), "nhac", SimpleRule("templates/cu"), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(
      s.error_message().find("notification.reminder_rule.template_active"),
      std::string::npos)
      << s.error_message();
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(ReminderServiceTest, RuleShapeIsCheckedNamingTheField) {
  v1::ReminderRule rule = SimpleRule("templates/evaluation-due");
  rule.mutable_steps(0)->clear_audience();
  rule.mutable_steps(2)->set_step_id("on-day");  // twice
  rule.clear_display_name();
  const auto before = Snapshot();
  v1::ReminderRule out;
  grpc::Status s = Create(Admin(), "nhac", rule, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("reminder_rule.steps[0].audience"),
            std::string::npos)
      << s.error_message();
  EXPECT_NE(s.error_message().find("reminder_rule.steps[2].step_id"),
            std::string::npos)
      << s.error_message();
  EXPECT_NE(s.error_message().find("reminder_rule.display_name"),
            std::string::npos);
  v1::ReminderRule no_trigger = SimpleRule("templates/evaluation-due");
  no_trigger.clear_deadline_kind();
  EXPECT_EQ(Create(Admin(), "nhac", no_trigger, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(
      Create(Admin(), "Sai_Id", SimpleRule("templates/evaluation-due"), &out)
          .error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(ReminderServiceTest, CreateGetUpdateWithEtagsAndRetries) {
  v1::ReminderRule created;
  const v1::ReminderRule rule = SimpleRule("templates/evaluation-due");
  ASSERT_TRUE(Create(Admin(), "nhac", rule, &created, "req-1").ok());
  EXPECT_EQ(created.name(), "reminderRules/nhac");
  EXPECT_TRUE(created.enabled());
  EXPECT_EQ(created.etag(), "v1");
  EXPECT_EQ(created.create_stamp().request_id(), "req-1");
  // The retry answers as the first call did; a new create is refused.
  v1::ReminderRule again;
  ASSERT_TRUE(Create(Admin(), "nhac", rule, &again, "req-1").ok());
  EXPECT_EQ(again.SerializeAsString(), created.SerializeAsString());
  EXPECT_EQ(Create(Admin(), "nhac", rule, &again).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(
      Create(Admin(), "default-evaluation-due", rule, &again).error_code(),
      grpc::StatusCode::ALREADY_EXISTS);
  // A server-assigned id.
  v1::ReminderRule assigned;
  ASSERT_TRUE(Create(Admin(), "", rule, &assigned).ok());
  EXPECT_EQ(assigned.name().rfind("reminderRules/", 0), 0u);
  EXPECT_GT(assigned.name().size(), std::string("reminderRules/").size());

  v1::ReminderRule change = created;
  change.set_enabled(false);
  v1::ReminderRule updated;
  ASSERT_TRUE(Update(Admin(), change, "enabled", &updated, "req-2").ok());
  EXPECT_FALSE(updated.enabled());
  EXPECT_EQ(updated.etag(), "v2");
  v1::ReminderRule updated_again;
  ASSERT_TRUE(Update(Admin(), change, "enabled", &updated_again, "req-2").ok());
  EXPECT_EQ(updated_again.SerializeAsString(), updated.SerializeAsString());

  const auto before = Snapshot();
  // Stale etag.
  change.set_display_name("Đổi tên");
  EXPECT_EQ(Update(Admin(), change, "display_name", &updated).error_code(),
            grpc::StatusCode::ABORTED);
  // Immutable fields.
  change.set_etag("v2");
  change.set_scope_organization(kCell);
  grpc::Status s = Update(Admin(), change, "scope_organization", &updated);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("immutable"), std::string::npos);
  EXPECT_EQ(Update(Admin(), change, "", &updated).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // validate_only.
  ASSERT_TRUE(Update(Admin(), change, "display_name", &updated, "", true).ok());
  EXPECT_EQ(updated.display_name(), "Đổi tên");
  EXPECT_EQ(Snapshot(), before);
  v1::ReminderRule got;
  ASSERT_TRUE(Get("reminderRules/nhac", &got).ok());
  EXPECT_EQ(got.display_name(), created.display_name());
  EXPECT_FALSE(got.enabled());
  EXPECT_EQ(got.etag(), "v2");

  // A shipped rule is overridden from etag v0; the stored one then wins.
  v1::ReminderRule shipped;
  ASSERT_TRUE(Get("reminderRules/default-evaluation-due", &shipped).ok());
  shipped.set_enabled(false);
  ASSERT_TRUE(Update(Admin(), shipped, "enabled", &updated).ok());
  EXPECT_EQ(updated.etag(), "v1");
  ASSERT_TRUE(Get("reminderRules/default-evaluation-due", &got).ok());
  EXPECT_FALSE(got.enabled());
  EXPECT_EQ(Update(Admin(), shipped, "enabled", &updated).error_code(),
            grpc::StatusCode::ABORTED);
}

TEST_F(ReminderServiceTest, WhoMayWriteRules) {
  const v1::ReminderRule global = SimpleRule("templates/evaluation-due");
  v1::ReminderRule scoped = global;
  scoped.set_scope_organization(kCell);
  const auto before = Snapshot();
  v1::ReminderRule out;
  // Global rules: administrators only.
  EXPECT_EQ(Create(Operator(kCell), "toan-quoc", global, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Scoped rules: not readers, callers without roles, or another
  // organisation's office.
  EXPECT_EQ(Create(Reader(kCell), "chi-bo", scoped, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Create(NoRoles(kCell), "chi-bo", scoped, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Create(Operator("organizations/khac"), "chi-bo", scoped, &out)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Snapshot(), before);
  // The committee office of the organisation writes its rule.
  grpc::Status s = Create(Operator(kCell), "chi-bo", scoped, &out);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(out.scope_organization(), kCell);
  out.set_display_name("Nhắc của chi bộ");
  EXPECT_EQ(Update(Reader(kCell), out, "display_name", &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Update(Operator(kCell), out, "display_name", &out).ok());
  // ... but not the shipped global ones.
  v1::ReminderRule shipped;
  ASSERT_TRUE(Get("reminderRules/default-evaluation-due", &shipped).ok());
  shipped.set_enabled(false);
  EXPECT_EQ(Update(Operator(kCell), shipped, "enabled", &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ReminderServiceTest,
       PreviewIsThreeDaysBeforeOnTheDayAndEverySevenAfter) {
  v1::ReminderRule created;
  ASSERT_TRUE(
      Create(Admin(), "nhac", SimpleRule("templates/evaluation-due"), &created)
          .ok());
  const std::string rules[] = {"reminderRules/nhac",
                               "reminderRules/default-evaluation-due"};
  for (const std::string& name : rules) {
    v1::PreviewReminderScheduleResponse response;
    grpc::Status s = Preview(name, D(2024, 3, 15), &response);
    ASSERT_TRUE(s.ok()) << Describe(s);
    struct Want {
      std::string step;
      int repeat;
      absl::Time at;
    };
    const std::vector<Want> want = {
        {"before-3", 0, VietnamTime(2024, 3, 12, 8)},
        {"on-day", 0, VietnamTime(2024, 3, 15, 8)},
        {"after", 0, VietnamTime(2024, 3, 22, 8)},
        {"after", 1, VietnamTime(2024, 3, 29, 8)},
        {"after", 2, VietnamTime(2024, 4, 5, 8)},
    };
    ASSERT_EQ(response.reminders_size(), static_cast<int>(want.size()))
        << name << ": " << response.DebugString();
    for (size_t i = 0; i < want.size(); ++i) {
      const v1::PlannedReminder& got = response.reminders(i);
      EXPECT_EQ(got.step_id(), want[i].step) << name << " #" << i;
      EXPECT_EQ(got.repeat_index(), want[i].repeat) << name << " #" << i;
      EXPECT_EQ(FromProto(got.fire_time()), want[i].at) << name << " #" << i;
      EXPECT_FALSE(got.escalation());
    }
  }
  // Exactly what the domain plans, escalation included.
  v1::ReminderRule report;
  ASSERT_TRUE(Get("reminderRules/default-directive-report", &report).ok());
  absl::StatusOr<std::vector<domain::PlannedSend>> plan = domain::PlanReminders(
      report, absl::CivilDay(2024, 3, 15), domain::PlanOptions());
  ASSERT_TRUE(plan.ok()) << plan.status();
  v1::PreviewReminderScheduleResponse response;
  ASSERT_TRUE(Preview(report.name(), D(2024, 3, 15), &response).ok());
  ASSERT_EQ(response.reminders_size(), static_cast<int>(plan->size()));
  bool escalates = false;
  for (size_t i = 0; i < plan->size(); ++i) {
    EXPECT_EQ(response.reminders(i).step_id(), (*plan)[i].step_id);
    EXPECT_EQ(FromProto(response.reminders(i).fire_time()),
              (*plan)[i].fire_time);
    EXPECT_EQ(response.reminders(i).escalation(), (*plan)[i].escalation);
    escalates |= response.reminders(i).escalation();
  }
  EXPECT_TRUE(escalates);

  // A due date is required for a deadline rule; bad zones and dates are
  // named.
  v1::PreviewReminderScheduleRequest request;
  request.set_name("reminderRules/nhac");
  grpc::Status s = reminders_->PreviewReminderSchedule(As(Reader(kCell)).get(),
                                                       request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("due_date"), std::string::npos);
  EXPECT_EQ(
      Preview("reminderRules/nhac", D(2023, 2, 29), &response).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  *request.mutable_due_date() = D(2024, 3, 15);
  request.set_time_zone("Hành/Tinh_Hỏa");
  EXPECT_EQ(
      reminders_
          ->PreviewReminderSchedule(As(Reader(kCell)).get(), request, &response)
          .error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(
      Preview("reminderRules/khong-co", D(2024, 3, 15), &response).error_code(),
      grpc::StatusCode::NOT_FOUND);
}

TEST_F(ReminderServiceTest, RuleSetsResolveByDate) {
  v1::NotificationRuleSet set;
  const common::v1::Date in_force = D(2024, 3, 1);
  grpc::Status s = Resolve(&in_force, &set);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(set.name(), "notificationRuleSets/default");
  const common::v1::Date first_day = D(2010, 1, 1);
  ASSERT_TRUE(Resolve(&first_day, &set).ok());
  // Before the first set.
  const common::v1::Date too_early = D(2009, 12, 31);
  s = Resolve(&too_early, &set);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << Describe(s);
  const common::v1::Date bad = D(2023, 2, 29);
  EXPECT_EQ(Resolve(&bad, &set).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // Default: today in Vietnam, by the service's clock. 2009-12-31 17:30
  // UTC is already 2010-01-01 in Vietnam.
  clock_->Set(absl::FromCivil(absl::CivilMinute(2009, 12, 31, 16, 30),
                              absl::UTCTimeZone()));
  EXPECT_EQ(Resolve(nullptr, &set).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  clock_->Set(absl::FromCivil(absl::CivilMinute(2009, 12, 31, 17, 30),
                              absl::UTCTimeZone()));
  ASSERT_TRUE(Resolve(nullptr, &set).ok());
  EXPECT_EQ(set.name(), "notificationRuleSets/default");

  v1::GetNotificationRuleSetRequest get;
  get.set_name("notificationRuleSets/default");
  ASSERT_TRUE(
      reminders_->GetNotificationRuleSet(As(Reader(kCell)).get(), get, &set)
          .ok());
  EXPECT_GE(set.directive_rules().default_escalate_after_reminders(), 1);
  get.set_name("notificationRuleSets/khong-co");
  EXPECT_EQ(
      reminders_->GetNotificationRuleSet(As(Reader(kCell)).get(), get, &set)
          .error_code(),
      grpc::StatusCode::NOT_FOUND);

  v1::ListNotificationRuleSetsRequest list;
  v1::ListNotificationRuleSetsResponse sets;
  ASSERT_TRUE(
      reminders_->ListNotificationRuleSets(As(Reader(kCell)).get(), list, &sets)
          .ok());
  EXPECT_EQ(sets.total_size(),
            static_cast<int>(context_->rule_sets().All().size()));
  EXPECT_EQ(sets.notification_rule_sets(0).name(),
            "notificationRuleSets/default");
}

// The scheduled-reminder RPCs with nothing scheduled (the engine's own
// tests are in event_reminders_test.cc).
TEST_F(ReminderServiceTest, ScheduledRemindersWithNoneScheduled) {
  v1::ListScheduledRemindersRequest list;
  v1::ListScheduledRemindersResponse listed;
  grpc::Status s =
      reminders_->ListScheduledReminders(As(Admin()).get(), list, &listed);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(listed.total_size(), 0);
  v1::GetScheduledReminderRequest get;
  get.set_name("scheduledReminders/x");
  v1::ScheduledReminder reminder;
  EXPECT_EQ(reminders_->GetScheduledReminder(As(Admin()).get(), get, &reminder)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::CancelScheduledReminderRequest cancel;
  cancel.set_name("scheduledReminders/x");
  s = reminders_->CancelScheduledReminder(As(Admin()).get(), cancel, &reminder);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("reason"), std::string::npos)
      << s.error_message();
}

}  // namespace
}  // namespace partydev::notification
