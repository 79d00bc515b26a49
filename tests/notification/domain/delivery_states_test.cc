#include "services/notification/domain/delivery_states.h"

#include "common/dates.h"
#include "common/errors.h"
#include "gtest/gtest.h"
#include "tests/notification/domain/test_support.h"

namespace partydev::notification::domain {
namespace {

using testing::WeekendCalendar;

constexpr v1::DeliveryState kAll[] = {
    v1::DELIVERY_STATE_PENDING,      v1::DELIVERY_STATE_SENT,
    v1::DELIVERY_STATE_DELIVERED,    v1::DELIVERY_STATE_READ,
    v1::DELIVERY_STATE_ACKNOWLEDGED, v1::DELIVERY_STATE_REPORTED,
    v1::DELIVERY_STATE_LATE,         v1::DELIVERY_STATE_ESCALATED,
    v1::DELIVERY_STATE_FAILED,       v1::DELIVERY_STATE_CANCELLED};

std::string RuleOf(const absl::Status& status) {
  std::vector<RuleViolation> v = RuleViolationsOf(status);
  return v.empty() ? "" : v[0].rule;
}

// 08:00 Vietnam time on `day`.
absl::Time At(absl::CivilDay day, int hour = 8) {
  return absl::FromCivil(
      absl::CivilHour(day.year(), day.month(), day.day(), hour),
      absl::FixedTimeZone(7 * 3600));
}

v1::Delivery Delivered() {
  v1::Delivery d;
  d.set_name("directives/ct-06/deliveries/cb-1");
  d.set_organization("organizations/cb-1");
  d.set_recipient_label("Chi bộ 1");
  d.set_state(v1::DELIVERY_STATE_DELIVERED);
  d.set_acknowledgement_required(true);
  *d.mutable_acknowledge_by() = MakeDate(2024, 3, 20);
  return d;
}

Actor Officer(const std::string& org) {
  return {"people/p1", {"organizations/tu", "organizations/du", org}, true};
}

TEST(DeliveryStatesTest, ReportedWithoutAcknowledgementOnlyWhenNoneIsDue) {
  EXPECT_TRUE(IsAllowedTransition(v1::DELIVERY_STATE_DELIVERED,
                                  v1::DELIVERY_STATE_REPORTED));
  EXPECT_TRUE(IsAllowedTransition(v1::DELIVERY_STATE_READ,
                                  v1::DELIVERY_STATE_REPORTED));
  EXPECT_FALSE(IsAllowedTransition(v1::DELIVERY_STATE_PENDING,
                                   v1::DELIVERY_STATE_REPORTED));
}

TEST(DeliveryStatesTest, TheHappyPathIsAllowed) {
  const v1::DeliveryState path[] = {
      v1::DELIVERY_STATE_PENDING,      v1::DELIVERY_STATE_SENT,
      v1::DELIVERY_STATE_DELIVERED,    v1::DELIVERY_STATE_READ,
      v1::DELIVERY_STATE_ACKNOWLEDGED, v1::DELIVERY_STATE_REPORTED};
  for (size_t i = 0; i + 1 < std::size(path); ++i) {
    EXPECT_TRUE(IsAllowedTransition(path[i], path[i + 1])) << i;
  }
  EXPECT_TRUE(
      IsAllowedTransition(v1::DELIVERY_STATE_READ, v1::DELIVERY_STATE_LATE));
  EXPECT_TRUE(IsAllowedTransition(v1::DELIVERY_STATE_LATE,
                                  v1::DELIVERY_STATE_ESCALATED));
  EXPECT_TRUE(IsAllowedTransition(v1::DELIVERY_STATE_ESCALATED,
                                  v1::DELIVERY_STATE_ACKNOWLEDGED));
  EXPECT_TRUE(IsAllowedTransition(v1::DELIVERY_STATE_FAILED,
                                  v1::DELIVERY_STATE_PENDING));
}

TEST(DeliveryStatesTest, EveryRefusedTransitionIsARuleViolation) {
  int allowed = 0;
  int refused = 0;
  for (v1::DeliveryState from : kAll) {
    for (v1::DeliveryState to : kAll) {
      v1::Delivery d;
      d.set_name("directives/x/deliveries/y");
      d.set_state(from);
      const absl::Status status = CheckTransition(d, to);
      if (IsAllowedTransition(from, to)) {
        EXPECT_TRUE(status.ok());
        ++allowed;
        continue;
      }
      ++refused;
      EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
      EXPECT_EQ(RuleOf(status), from == v1::DELIVERY_STATE_CANCELLED
                                    ? kRuleCancelled
                                    : kRuleTransition)
          << v1::DeliveryState_Name(from) << " -> "
          << v1::DeliveryState_Name(to);
    }
  }
  EXPECT_GT(refused, allowed);
  // Backwards and skipping confirmation are refused; withdrawal is terminal.
  EXPECT_FALSE(IsAllowedTransition(v1::DELIVERY_STATE_ACKNOWLEDGED,
                                   v1::DELIVERY_STATE_READ));
  EXPECT_FALSE(IsAllowedTransition(v1::DELIVERY_STATE_SENT,
                                   v1::DELIVERY_STATE_ACKNOWLEDGED));
  EXPECT_FALSE(IsAllowedTransition(v1::DELIVERY_STATE_CANCELLED,
                                   v1::DELIVERY_STATE_PENDING));
  EXPECT_TRUE(IsAllowedTransition(v1::DELIVERY_STATE_ESCALATED,
                                  v1::DELIVERY_STATE_CANCELLED));
}

TEST(DeliveryStatesTest, AcknowledgeOnceByAnOfficerOfTheRecipient) {
  v1::Delivery d = Delivered();
  EXPECT_TRUE(CheckAcknowledge(d, Officer("organizations/cb-1")).ok());

  // Twice.
  d.set_state(v1::DELIVERY_STATE_ACKNOWLEDGED);
  d.mutable_acknowledgement()->set_acknowledged_by_name("Nguyễn Văn A");
  absl::Status twice = CheckAcknowledge(d, Officer("organizations/cb-1"));
  EXPECT_EQ(twice.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(RuleOf(twice), "directive.acknowledge.once");
  EXPECT_NE(RuleViolationsOf(twice)[0].description.find("Nguyễn Văn A"),
            std::string::npos);
}

TEST(DeliveryStatesTest, AcknowledgeFromAnotherOrganisationIsDenied) {
  const v1::Delivery d = Delivered();
  // Another cell, a superior committee, and a non-officer of the cell.
  for (const Actor& actor :
       {Officer("organizations/cb-2"),
        Actor{"people/p2", {"organizations/tu", "organizations/du"}, true},
        Actor{"people/p3",
              {"organizations/tu", "organizations/du", "organizations/cb-1"},
              false},
        Actor{}}) {
    const absl::Status status = CheckAcknowledge(d, actor);
    EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied)
        << actor.subject;
    EXPECT_EQ(ReasonOf(status), "OUTSIDE_SUBTREE");
  }
  // A personal delivery: only that person.
  v1::Delivery personal = Delivered();
  personal.clear_organization();
  personal.set_person("people/p9");
  EXPECT_TRUE(CheckAcknowledge(personal, Actor{"people/p9", {}, false}).ok());
  EXPECT_EQ(CheckAcknowledge(personal, Officer("organizations/cb-1")).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(DeliveryStatesTest, AcknowledgeRefusals) {
  const Actor officer = Officer("organizations/cb-1");
  v1::Delivery not_required = Delivered();
  not_required.set_acknowledgement_required(false);
  EXPECT_EQ(RuleOf(CheckAcknowledge(not_required, officer)), kRuleAckRequired);
  v1::Delivery pending = Delivered();
  pending.set_state(v1::DELIVERY_STATE_SENT);
  EXPECT_EQ(RuleOf(CheckAcknowledge(pending, officer)), kRuleAckDelivered);
  v1::Delivery cancelled = Delivered();
  cancelled.set_state(v1::DELIVERY_STATE_CANCELLED);
  EXPECT_EQ(RuleOf(CheckAcknowledge(cancelled, officer)), kRuleCancelled);
  v1::Delivery late = Delivered();
  late.set_state(v1::DELIVERY_STATE_ESCALATED);
  EXPECT_TRUE(CheckAcknowledge(late, officer).ok());
}

TEST(DeliveryStatesTest, ReportRules) {
  const Actor officer = Officer("organizations/cb-1");
  v1::Delivery d = Delivered();
  EXPECT_EQ(RuleOf(CheckReport(d, officer)), kRuleReportRequired);
  d.set_report_required(true);
  EXPECT_EQ(RuleOf(CheckReport(d, officer)), kRuleReportAcknowledged);
  d.mutable_acknowledgement()->set_acknowledged_by("people/p1");
  d.set_state(v1::DELIVERY_STATE_ACKNOWLEDGED);
  EXPECT_TRUE(CheckReport(d, officer).ok());
  EXPECT_EQ(CheckReport(d, Officer("organizations/cb-2")).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(DeliveryStatesTest, AcknowledgementDueCountsWorkingDays) {
  WeekendCalendar calendar({absl::CivilDay(2024, 4, 29),
                            absl::CivilDay(2024, 4, 30),
                            absl::CivilDay(2024, 5, 1)});
  v1::NotificationRuleSet rules;
  rules.mutable_directive_rules()->set_default_acknowledgement_working_days(3);
  v1::Directive directive;
  // Delivered Thursday 2024-03-14: Fri, Mon, Tue → due Tuesday 19th.
  EXPECT_EQ(*AcknowledgementDueDate(directive, rules,
                                    absl::CivilDay(2024, 3, 14), calendar),
            absl::CivilDay(2024, 3, 19));
  // Over the 30/4 – 1/5 holidays: Fri 26/4 → Thu 2/5, Fri 3/5, Mon 6/5.
  EXPECT_EQ(*AcknowledgementDueDate(directive, rules,
                                    absl::CivilDay(2024, 4, 26), calendar),
            absl::CivilDay(2024, 5, 6));
  directive.mutable_acknowledgement()->set_within_working_days(1);
  EXPECT_EQ(*AcknowledgementDueDate(directive, rules,
                                    absl::CivilDay(2024, 3, 15), calendar),
            absl::CivilDay(2024, 3, 18));
  *directive.mutable_acknowledgement()->mutable_due_date() =
      MakeDate(2024, 3, 31);
  EXPECT_EQ(*AcknowledgementDueDate(directive, rules,
                                    absl::CivilDay(2024, 3, 15), calendar),
            absl::CivilDay(2024, 3, 31));
}

TEST(DeliveryStatesTest, LateFromTheDayAfterTheDueDateVietnamTime) {
  v1::Delivery d = Delivered();  // acknowledge_by 2024-03-20
  EXPECT_FALSE(IsLateToAcknowledge(d, At(absl::CivilDay(2024, 3, 20), 23)));
  // 17:30 UTC on the 20th is 00:30 on the 21st in Vietnam.
  EXPECT_TRUE(IsLateToAcknowledge(
      d, absl::FromCivil(absl::CivilMinute(2024, 3, 20, 17, 30),
                         absl::UTCTimeZone())));
  EXPECT_FALSE(IsLateToAcknowledge(
      d, absl::FromCivil(absl::CivilMinute(2024, 3, 20, 16, 30),
                         absl::UTCTimeZone())));
  EXPECT_EQ(OverdueStepAt(d, At(absl::CivilDay(2024, 3, 21))),
            v1::OVERDUE_STEP_ACKNOWLEDGEMENT);
  const AcknowledgeOutcome outcome =
      Acknowledge(d, At(absl::CivilDay(2024, 3, 22)));
  EXPECT_TRUE(outcome.late);
  EXPECT_EQ(outcome.state, v1::DELIVERY_STATE_ACKNOWLEDGED);
  EXPECT_FALSE(Acknowledge(d, At(absl::CivilDay(2024, 3, 20))).late);
  d.mutable_acknowledgement()->set_acknowledged_by("people/p1");
  EXPECT_FALSE(IsLateToAcknowledge(d, At(absl::CivilDay(2024, 3, 25))));
  d.set_report_required(true);
  *d.mutable_next_report_due() = MakeDate(2024, 12, 15);
  EXPECT_FALSE(IsLateToReport(d, At(absl::CivilDay(2024, 12, 15))));
  EXPECT_TRUE(IsLateToReport(d, At(absl::CivilDay(2024, 12, 16))));
  EXPECT_EQ(OverdueStepAt(d, At(absl::CivilDay(2024, 12, 16))),
            v1::OVERDUE_STEP_REPORT);
  d.set_state(v1::DELIVERY_STATE_CANCELLED);
  EXPECT_FALSE(IsLateToReport(d, At(absl::CivilDay(2024, 12, 16))));
}

TEST(DeliveryStatesTest, YearlyReportsAsDirective06AsksThem) {
  v1::ReportRequirement req;
  *req.mutable_first_due_date() = MakeDate(2021, 12, 15);
  req.set_recurrence(v1::REPORT_RECURRENCE_YEARLY);
  *req.mutable_last_due_date() = MakeDate(2024, 12, 31);
  const std::vector<absl::CivilDay> dues =
      ReportDueDates(req, absl::CivilDay(2030, 1, 1));
  ASSERT_EQ(dues.size(), 4u);
  EXPECT_EQ(dues[3], absl::CivilDay(2024, 12, 15));
  v1::Delivery d;
  auto* report = d.add_reports();
  *report->mutable_due_date() = MakeDate(2021, 12, 15);
  EXPECT_EQ(*NextReportDue(req, d, absl::CivilDay(2030, 1, 1)),
            absl::CivilDay(2022, 12, 15));
  report->set_superseded(true);
  EXPECT_EQ(*NextReportDue(req, d, absl::CivilDay(2030, 1, 1)),
            absl::CivilDay(2021, 12, 15));
  req.set_recurrence(v1::REPORT_RECURRENCE_ONCE);
  EXPECT_EQ(ReportDueDates(req, absl::CivilDay(2030, 1, 1)).size(), 1u);
  req.set_recurrence(v1::REPORT_RECURRENCE_QUARTERLY);
  *req.mutable_first_due_date() = MakeDate(2024, 1, 31);
  const auto quarterly = ReportDueDates(req, absl::CivilDay(2024, 12, 31));
  ASSERT_EQ(quarterly.size(), 4u);
  EXPECT_EQ(quarterly[1], absl::CivilDay(2024, 4, 30));
}

}  // namespace
}  // namespace partydev::notification::domain
