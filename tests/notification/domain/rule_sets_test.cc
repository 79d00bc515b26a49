#include "services/notification/domain/rule_sets.h"

#include <filesystem>
#include <fstream>
#include <string>

#include "common/dates.h"
#include "common/errors.h"
#include "gtest/gtest.h"
#include "services/notification/domain/reminder_rules.h"
#include "services/notification/templates/default_templates.h"

namespace partydev::notification::domain {
namespace {

const std::string kRulesDir = PARTYDEV_NOTIFICATION_RULES_DIR;

v1::NotificationRuleSet Default() {
  absl::StatusOr<NotificationRuleSetRegistry> registry =
      NotificationRuleSetRegistry::LoadDirectory(kRulesDir + "/rule_sets");
  EXPECT_TRUE(registry.ok()) << registry.status();
  return registry->All().front();
}

bool NamesField(const absl::Status& status, absl::string_view field) {
  for (const FieldViolation& v : FieldViolationsOf(status)) {
    if (v.field == field) return true;
  }
  return false;
}

TEST(RuleSetsTest, DefaultLoadsWithTheStandardWebhooksSchedule) {
  const v1::NotificationRuleSet set = Default();
  EXPECT_EQ(set.name(), "notificationRuleSets/default");
  EXPECT_EQ(set.directive_rules().reference_number_min_digits(), 2);
  EXPECT_TRUE(set.directive_rules().numbering_restarts_each_term());
  EXPECT_GE(set.directive_rules().max_deliveries_per_directive(), 270046);
  const v1::ChannelPolicy* webhook = PolicyFor(set, v1::CHANNEL_TYPE_WEBHOOK);
  ASSERT_NE(webhook, nullptr);
  const int64_t expected[] = {5, 300, 1800, 7200, 18000, 36000, 36000};
  ASSERT_EQ(webhook->retry_delays_size(), 7);
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(webhook->retry_delays(i).seconds(), expected[i]) << i;
  }
  EXPECT_DOUBLE_EQ(webhook->jitter_fraction(), 0.2);
  EXPECT_EQ(webhook->attempt_timeout().seconds(), 15);
  EXPECT_EQ(webhook->max_retry_after().seconds(), 3600);
  EXPECT_EQ(webhook->disable_after_failing_for().seconds(), 5 * 86400);
  EXPECT_NE(PolicyFor(set, v1::CHANNEL_TYPE_EMAIL), nullptr);
  EXPECT_NE(PolicyFor(set, v1::CHANNEL_TYPE_IN_APP), nullptr);
  // Every deadline kind has a default rule.
  for (int k = common::v1::DEADLINE_KIND_EVALUATION_DUE;
       k <= common::v1::DEADLINE_KIND_TARGET_ALLOCATION_DUE; ++k) {
    EXPECT_FALSE(
        DefaultReminderRuleFor(set, static_cast<common::v1::DeadlineKind>(k))
            .empty())
        << k;
  }
}

TEST(RuleSetsTest, DefaultRulesAndTemplatesFitTogether) {
  const v1::NotificationRuleSet set = Default();
  absl::StatusOr<std::vector<v1::ReminderRule>> rules =
      LoadReminderRules(kRulesDir + "/reminder_rules");
  ASSERT_TRUE(rules.ok()) << rules.status();
  absl::StatusOr<templates::TemplateLibrary> library =
      templates::LoadTemplateLibrary(kRulesDir + "/templates");
  ASSERT_TRUE(library.ok()) << library.status();
  for (const auto& d : set.directive_rules().default_reminder_rules()) {
    const v1::ReminderRule* found = nullptr;
    for (const auto& r : *rules) {
      if (r.name() == d.reminder_rule()) found = &r;
    }
    ASSERT_NE(found, nullptr) << d.reminder_rule();
    EXPECT_EQ(found->deadline_kind(), d.deadline_kind()) << found->name();
  }
  for (const auto& r : *rules) {
    for (const auto& step : r.steps()) {
      EXPECT_NE(library->Find(step.template_()), nullptr)
          << r.name() << " " << step.template_();
    }
    if (r.urging_letter().enabled()) {
      EXPECT_NE(library->Find(r.urging_letter().template_()), nullptr);
      EXPECT_NE(library->Find(r.urging_letter().extra_text_template()),
                nullptr);
    }
  }
}

TEST(RuleSetsTest, EveryBrokenRuleIsNamed) {
  v1::NotificationRuleSet set = Default();
  ASSERT_TRUE(ValidateRuleSet(set).ok());
  set.set_name("default");
  set.mutable_effective_date()->set_month(13);
  set.mutable_directive_rules()->set_default_acknowledgement_working_days(0);
  set.mutable_directive_rules()->set_reference_number_min_digits(0);
  set.mutable_directive_rules()->set_max_deliveries_per_directive(0);
  set.mutable_directive_rules()
      ->mutable_default_reminder_rules(1)
      ->set_deadline_kind(
          set.directive_rules().default_reminder_rules(0).deadline_kind());
  set.mutable_channel_policies(1)->mutable_retry_delays(2)->set_seconds(0);
  set.mutable_channel_policies(1)->set_jitter_fraction(1.5);
  set.mutable_channel_policies(1)->mutable_attempt_timeout()->set_seconds(0);
  set.mutable_channel_policies()->RemoveLast();  // e-mail
  set.mutable_message_retention()->set_seconds(0);
  set.clear_working_day_calendar();
  set.add_unconfirmed_fields("directive_rules.no_such_field");
  const absl::Status status = ValidateRuleSet(set);
  ASSERT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  for (const char* field :
       {"name", "effective_date",
        "directive_rules.default_acknowledgement_working_days",
        "directive_rules.reference_number_min_digits",
        "directive_rules.max_deliveries_per_directive",
        "directive_rules.default_reminder_rules[1].deadline_kind",
        "channel_policies[1].retry_delays[2]",
        "channel_policies[1].jitter_fraction",
        "channel_policies[1].attempt_timeout", "channel_policies",
        "message_retention", "working_day_calendar"}) {
    EXPECT_TRUE(NamesField(status, field)) << field << "\n" << status;
  }
  EXPECT_NE(status.ToString().find("no_such_field"), std::string::npos);
}

TEST(RuleSetsTest, BadFileIsRefusedNamingIt) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / "notification_rule_sets_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "bad.json")
      << R"({"name": "notificationRuleSets/bad", "retryDelayz": []})";
  absl::StatusOr<NotificationRuleSetRegistry> registry =
      NotificationRuleSetRegistry::LoadDirectory(dir.string());
  ASSERT_EQ(registry.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(registry.status().message().find("bad.json"), std::string::npos);
  std::ofstream(dir / "bad.json") << R"({"name": "notificationRuleSets/bad",
             "effectiveDate": {"year": 2024, "month": 1, "day": 1}})";
  registry = NotificationRuleSetRegistry::LoadDirectory(dir.string());
  ASSERT_FALSE(registry.ok());
  EXPECT_NE(registry.status().message().find("bad.json"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(RuleSetsTest, EffectiveDatesChooseTheSet) {
  v1::NotificationRuleSet old_set = Default();
  v1::NotificationRuleSet new_set = Default();
  old_set.set_name("notificationRuleSets/2010");
  new_set.set_name("notificationRuleSets/2025-07");
  *new_set.mutable_effective_date() = MakeDate(2025, 7, 1);
  new_set.mutable_directive_rules()->set_default_acknowledgement_working_days(
      5);
  absl::StatusOr<NotificationRuleSetRegistry> registry =
      NotificationRuleSetRegistry::FromSets({new_set, old_set});
  ASSERT_TRUE(registry.ok()) << registry.status();
  EXPECT_EQ((*registry->ForDay(absl::CivilDay(2025, 6, 30)))->name(),
            "notificationRuleSets/2010");
  EXPECT_EQ((*registry->ForDay(absl::CivilDay(2025, 7, 1)))->name(),
            "notificationRuleSets/2025-07");
  EXPECT_EQ(registry->All().front().end_date().month(), 7);
  EXPECT_FALSE(registry->All().back().has_end_date());
  const absl::Status before =
      registry->ForDay(absl::CivilDay(2009, 12, 31)).status();
  EXPECT_EQ(before.code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_EQ(RuleViolationsOf(before).size(), 1u);
  EXPECT_EQ(RuleViolationsOf(before)[0].rule, "notification.rule_set.exists");
  EXPECT_TRUE(registry->Get("notificationRuleSets/2010").ok());
  EXPECT_EQ(registry->Get("notificationRuleSets/x").status().code(),
            absl::StatusCode::kNotFound);
  // Two sets on the same day are refused.
  new_set.set_name("notificationRuleSets/dup");
  *new_set.mutable_effective_date() = old_set.effective_date();
  EXPECT_FALSE(NotificationRuleSetRegistry::FromSets({new_set, old_set}).ok());
}

}  // namespace
}  // namespace partydev::notification::domain
