#include "services/notification/domain/reminder_schedule.h"

#include <algorithm>

#include "common/dates.h"
#include "common/errors.h"
#include "gtest/gtest.h"
#include "tests/notification/domain/test_support.h"

namespace partydev::notification::domain {
namespace {

v1::ReminderStep Step(const std::string& id, int offset, int every = 0,
                      int max = 0, bool escalate = false) {
  v1::ReminderStep step;
  step.set_step_id(id);
  step.set_offset_days(offset);
  step.set_repeat_every_days(every);
  step.set_max_repeats(max);
  step.set_escalate(escalate);
  step.add_audience(v1::AUDIENCE_DELIVERY_RECIPIENT);
  step.set_template_("templates/directive-report-reminder");
  return step;
}

// Issue 6: 3 days before, on the day, every 7 days after (3 times), then
// +28 days escalate.
v1::ReminderRule IssueSixRule() {
  v1::ReminderRule rule;
  rule.set_name("reminderRules/report");
  rule.set_deadline_kind(common::v1::DEADLINE_KIND_DIRECTIVE_REPORT);
  *rule.add_steps() = Step("before-3", -3);
  *rule.add_steps() = Step("on-day", 0);
  *rule.add_steps() = Step("after", 7, 7, 2);
  *rule.add_steps() = Step("escalate", 28, 0, 0, true);
  return rule;
}

absl::Time Vn(int y, int m, int d, int h, int min = 0) {
  return absl::FromCivil(absl::CivilMinute(y, m, d, h, min),
                         absl::FixedTimeZone(7 * 3600));
}

TEST(ReminderScheduleTest, BeforeOnTheDayEverySevenDaysAfterThenEscalate) {
  absl::StatusOr<std::vector<PlannedSend>> sends =
      PlanReminders(IssueSixRule(), absl::CivilDay(2024, 3, 15), PlanOptions());
  ASSERT_TRUE(sends.ok()) << sends.status();
  ASSERT_EQ(sends->size(), 6u);
  const absl::CivilDay days[] = {
      absl::CivilDay(2024, 3, 12), absl::CivilDay(2024, 3, 15),
      absl::CivilDay(2024, 3, 22), absl::CivilDay(2024, 3, 29),
      absl::CivilDay(2024, 4, 5),  absl::CivilDay(2024, 4, 12)};
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ((*sends)[i].day, days[i]) << i;
    EXPECT_EQ((*sends)[i].fire_time,
              Vn(days[i].year(), days[i].month(), days[i].day(), 8))
        << i;
  }
  EXPECT_EQ((*sends)[0].step_id, "before-3");
  EXPECT_EQ((*sends)[3].step_id, "after");
  EXPECT_EQ((*sends)[3].repeat_index, 1);
  const PlannedSend* point = EscalationPoint(*sends);
  ASSERT_NE(point, nullptr);
  EXPECT_EQ(point->step_id, "escalate");
  EXPECT_EQ(point->day, absl::CivilDay(2024, 4, 12));
  // 08:00 in Vietnam is 01:00 UTC.
  EXPECT_EQ(
      absl::FormatTime("%H:%M", (*sends)[0].fire_time, absl::UTCTimeZone()),
      "01:00");
}

TEST(ReminderScheduleTest, EscalateAfterKRemindersPastTheDueDate) {
  PlanOptions options;
  options.escalate_after_reminders = 2;
  absl::StatusOr<std::vector<PlannedSend>> sends =
      PlanReminders(IssueSixRule(), absl::CivilDay(2024, 3, 15), options);
  ASSERT_TRUE(sends.ok()) << sends.status();
  const PlannedSend* point = EscalationPoint(*sends);
  ASSERT_NE(point, nullptr);
  // Past due: 22/3 (1st), 29/3 (2nd) → escalates; the rule's own step not.
  EXPECT_EQ(point->day, absl::CivilDay(2024, 3, 29));
  int escalations = 0;
  for (const PlannedSend& s : *sends) escalations += s.escalation ? 1 : 0;
  EXPECT_EQ(escalations, 1);
}

TEST(ReminderScheduleTest, OpenEndedRepeatsStopAtTheLimit) {
  v1::ReminderRule rule = IssueSixRule();
  rule.mutable_steps(2)->set_max_repeats(0);  // until the cause goes
  PlanOptions options;
  absl::StatusOr<std::vector<PlannedSend>> sends =
      PlanReminders(rule, absl::CivilDay(2024, 3, 15), options);
  ASSERT_TRUE(sends.ok());
  int after = 0;
  for (const PlannedSend& s : *sends) after += s.step_id == "after" ? 1 : 0;
  EXPECT_EQ(after, 10);
  options.not_after = Vn(2024, 3, 30, 0);
  sends = PlanReminders(rule, absl::CivilDay(2024, 3, 15), options);
  ASSERT_TRUE(sends.ok());
  EXPECT_EQ(sends->back().day, absl::CivilDay(2024, 3, 29));
}

TEST(ReminderScheduleTest, WorkingDayOffsetsAndSendTime) {
  v1::ReminderRule rule = IssueSixRule();
  rule.clear_steps();
  v1::ReminderStep step = Step("before-2wd", -2);
  step.set_day_count(v1::DAY_COUNT_WORKING);
  step.mutable_send_at()->set_hours(14);
  step.mutable_send_at()->set_minutes(30);
  *rule.add_steps() = step;
  // Without a calendar: refused.
  EXPECT_EQ(PlanReminders(rule, absl::CivilDay(2024, 3, 18), PlanOptions())
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  testing::WeekendCalendar calendar;
  PlanOptions options;
  options.working_days = &calendar;
  // Due Monday 18/3: two working days before is Thursday 14/3.
  absl::StatusOr<std::vector<PlannedSend>> sends =
      PlanReminders(rule, absl::CivilDay(2024, 3, 18), options);
  ASSERT_TRUE(sends.ok()) << sends.status();
  ASSERT_EQ(sends->size(), 1u);
  EXPECT_EQ((*sends)[0].fire_time, Vn(2024, 3, 14, 14, 30));
}

TEST(ReminderScheduleTest, BadRulesAreRefused) {
  v1::ReminderRule rule;
  EXPECT_EQ(ValidateReminderRule(rule).code(),
            absl::StatusCode::kInvalidArgument);
  rule = IssueSixRule();
  rule.mutable_steps(1)->set_step_id("before-3");
  rule.mutable_steps(2)->set_repeat_every_days(0);
  rule.mutable_steps(3)->clear_audience();
  rule.mutable_steps(0)->set_template_("letter");
  rule.mutable_steps(0)->mutable_send_at()->set_hours(24);
  const absl::Status status = ValidateReminderRule(rule);
  std::vector<std::string> fields;
  for (const FieldViolation& v : FieldViolationsOf(status)) {
    fields.push_back(v.field);
  }
  for (const char* want :
       {"steps[1].step_id", "steps[2].max_repeats", "steps[3].audience",
        "steps[0].template", "steps[0].send_at"}) {
    EXPECT_NE(std::find(fields.begin(), fields.end(), want), fields.end())
        << want;
  }
}

TEST(ReminderScheduleTest, CauseGoneCancelsTheReminder) {
  v1::Delivery d;
  d.set_state(v1::DELIVERY_STATE_DELIVERED);
  d.set_acknowledgement_required(true);
  d.set_report_required(true);
  const absl::CivilDay due(2024, 12, 15);
  const auto ack = common::v1::DEADLINE_KIND_DIRECTIVE_ACKNOWLEDGEMENT;
  const auto report = common::v1::DEADLINE_KIND_DIRECTIVE_REPORT;
  EXPECT_FALSE(IsCauseGone(ack, d, due));
  EXPECT_FALSE(IsCauseGone(report, d, due));
  d.mutable_acknowledgement()->set_acknowledged_by("people/p1");
  EXPECT_TRUE(IsCauseGone(ack, d, due));
  auto* r = d.add_reports();
  *r->mutable_due_date() = MakeDate(2023, 12, 15);
  EXPECT_FALSE(IsCauseGone(report, d, due));
  *r->mutable_due_date() = MakeDate(2024, 12, 15);
  EXPECT_TRUE(IsCauseGone(report, d, due));
  r->set_superseded(true);
  EXPECT_FALSE(IsCauseGone(report, d, due));
  d.set_state(v1::DELIVERY_STATE_CANCELLED);
  EXPECT_TRUE(IsCauseGone(report, d, due));
  EXPECT_TRUE(IsCauseGone(common::v1::DEADLINE_KIND_EVALUATION_DUE, d, due));
}

}  // namespace
}  // namespace partydev::notification::domain
