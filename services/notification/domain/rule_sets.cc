#include "services/notification/domain/rule_sets.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/dates.h"
#include "common/errors.h"
#include "common/json_config.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/time_util.h"

namespace partydev::notification::domain {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::util::TimeUtil;

constexpr absl::string_view kPrefix = "notificationRuleSets/";
constexpr absl::string_view kRulePrefix = "reminderRules/";

bool HasId(absl::string_view name, absl::string_view prefix) {
  return absl::StartsWith(name, prefix) && name.size() > prefix.size();
}

bool Positive(const google::protobuf::Duration& d) {
  return TimeUtil::DurationToNanoseconds(d) > 0;
}

// True when `path` ("directive_rules.default_acknowledgement_working_days")
// names a field of `descriptor`, following message fields.
bool IsFieldPath(const Descriptor* descriptor, absl::string_view path) {
  for (absl::string_view part : absl::StrSplit(path, '.')) {
    if (descriptor == nullptr) return false;
    const FieldDescriptor* field =
        descriptor->FindFieldByName(std::string(part));
    if (field == nullptr) return false;
    descriptor = field->message_type();
  }
  return true;
}

void CheckDirectiveRules(const v1::DirectiveRules& rules, FieldChecker& check) {
  if (rules.default_acknowledgement_working_days() < 1) {
    check.Add("directive_rules.default_acknowledgement_working_days",
              "must be at least 1");
  }
  if (rules.reference_number_min_digits() < 1 ||
      rules.reference_number_min_digits() > 9) {
    check.Add("directive_rules.reference_number_min_digits",
              "must lie in 1..9");
  }
  if (rules.default_escalate_after_reminders() < 1) {
    check.Add("directive_rules.default_escalate_after_reminders",
              "must be at least 1");
  }
  if (rules.max_deliveries_per_directive() < 1) {
    check.Add("directive_rules.max_deliveries_per_directive",
              "must be at least 1");
  }
  absl::flat_hash_set<int> kinds;
  for (int i = 0; i < rules.default_reminder_rules_size(); ++i) {
    const v1::DefaultReminderRule& rule = rules.default_reminder_rules(i);
    const std::string field =
        absl::StrCat("directive_rules.default_reminder_rules[", i, "]");
    if (rule.deadline_kind() == common::v1::DEADLINE_KIND_UNSPECIFIED) {
      check.Add(field + ".deadline_kind", "is required");
    } else if (!kinds.insert(rule.deadline_kind()).second) {
      check.Add(
          field + ".deadline_kind",
          absl::StrCat(common::v1::DeadlineKind_Name(rule.deadline_kind()),
                       " has a default rule already"));
    }
    if (!HasId(rule.reminder_rule(), kRulePrefix)) {
      check.Add(field + ".reminder_rule", "must be \"reminderRules/{id}\"");
    }
  }
  for (common::v1::DeadlineKind kind :
       {common::v1::DEADLINE_KIND_DIRECTIVE_ACKNOWLEDGEMENT,
        common::v1::DEADLINE_KIND_DIRECTIVE_REPORT}) {
    if (!kinds.contains(kind)) {
      check.Add("directive_rules.default_reminder_rules",
                absl::StrCat("needs a rule for ",
                             common::v1::DeadlineKind_Name(kind)));
    }
  }
}

void CheckChannelPolicies(const v1::NotificationRuleSet& set,
                          FieldChecker& check) {
  absl::flat_hash_set<int> seen;
  for (int i = 0; i < set.channel_policies_size(); ++i) {
    const v1::ChannelPolicy& policy = set.channel_policies(i);
    const std::string field = absl::StrCat("channel_policies[", i, "]");
    if (policy.channel() == v1::CHANNEL_TYPE_UNSPECIFIED) {
      check.Add(field + ".channel", "is required");
    } else if (!seen.insert(policy.channel()).second) {
      check.Add(field + ".channel",
                absl::StrCat(v1::ChannelType_Name(policy.channel()),
                             " has a policy already"));
    }
    if (policy.max_attempts() < 1) {
      check.Add(field + ".max_attempts", "must be at least 1");
    }
    if (policy.max_attempts() > 1 && policy.retry_delays().empty()) {
      check.Add(field + ".retry_delays",
                "are required when max_attempts is above 1");
    }
    for (int d = 0; d < policy.retry_delays_size(); ++d) {
      if (!Positive(policy.retry_delays(d))) {
        check.Add(absl::StrCat(field, ".retry_delays[", d, "]"),
                  "must be positive");
      }
    }
    if (policy.jitter_fraction() < 0 || policy.jitter_fraction() >= 1) {
      check.Add(field + ".jitter_fraction", "must lie in [0, 1)");
    }
    if (!Positive(policy.attempt_timeout())) {
      check.Add(field + ".attempt_timeout", "must be positive");
    }
    if (TimeUtil::DurationToNanoseconds(policy.max_retry_after()) < 0) {
      check.Add(field + ".max_retry_after", "must not be negative");
    }
    if (policy.max_per_recipient_per_minute() < 0) {
      check.Add(field + ".max_per_recipient_per_minute",
                "must not be negative");
    }
    if (policy.channel() == v1::CHANNEL_TYPE_WEBHOOK &&
        !Positive(policy.disable_after_failing_for())) {
      check.Add(field + ".disable_after_failing_for",
                "must be positive for webhooks");
    }
  }
  for (v1::ChannelType channel :
       {v1::CHANNEL_TYPE_IN_APP, v1::CHANNEL_TYPE_WEBHOOK,
        v1::CHANNEL_TYPE_EMAIL}) {
    if (!seen.contains(channel)) {
      check.Add(
          "channel_policies",
          absl::StrCat("needs a policy for ", v1::ChannelType_Name(channel)));
    }
  }
}

absl::Status Prefixed(const absl::Status& status, absl::string_view origin) {
  return absl::Status(status.code(),
                      absl::StrCat(origin, ": ", status.message()));
}

}  // namespace

absl::Status ValidateRuleSet(const v1::NotificationRuleSet& set) {
  FieldChecker check;
  if (!HasId(set.name(), kPrefix)) {
    check.Add("name", "must be \"notificationRuleSets/{id}\"");
  }
  CheckDate(set.effective_date(), "effective_date", check);
  CheckDirectiveRules(set.directive_rules(), check);
  CheckChannelPolicies(set, check);
  if (!Positive(set.message_retention())) {
    check.Add("message_retention", "must be positive");
  }
  if (!Positive(set.dead_letter_retention())) {
    check.Add("dead_letter_retention", "must be positive");
  }
  if (!Positive(set.idempotency_retention())) {
    check.Add("idempotency_retention", "must be positive");
  }
  if (set.working_day_calendar().empty()) {
    check.Add("working_day_calendar", "is required");
  }
  for (int i = 0; i < set.unconfirmed_fields_size(); ++i) {
    if (!IsFieldPath(v1::NotificationRuleSet::descriptor(),
                     set.unconfirmed_fields(i))) {
      check.Add(absl::StrCat("unconfirmed_fields[", i, "]"),
                absl::StrCat("\"", set.unconfirmed_fields(i),
                             "\" is not a field of the rule set"));
    }
  }
  return check.ok() ? absl::OkStatus() : check.status();
}

absl::StatusOr<NotificationRuleSetRegistry>
NotificationRuleSetRegistry::LoadDirectory(const std::string& directory) {
  absl::StatusOr<std::vector<ConfigFile>> files = ReadJsonFiles(directory);
  if (!files.ok()) return files.status();
  std::vector<v1::NotificationRuleSet> sets;
  for (const ConfigFile& file : *files) {
    v1::NotificationRuleSet set;
    if (absl::Status s = ParseProtoJson(file.text, file.path, &set); !s.ok()) {
      return s;
    }
    if (absl::Status s = ValidateRuleSet(set); !s.ok()) {
      return Prefixed(s, file.path);
    }
    sets.push_back(std::move(set));
  }
  return FromSets(std::move(sets));
}

absl::StatusOr<NotificationRuleSetRegistry>
NotificationRuleSetRegistry::FromSets(
    std::vector<v1::NotificationRuleSet> sets) {
  if (sets.empty()) {
    return absl::FailedPreconditionError(
        "no notification rule set is configured");
  }
  for (const auto& set : sets) {
    if (absl::Status s = ValidateRuleSet(set); !s.ok()) {
      return Prefixed(s, set.name());
    }
  }
  std::sort(sets.begin(), sets.end(), [](const auto& a, const auto& b) {
    return CivilDayOf(a.effective_date()) < CivilDayOf(b.effective_date());
  });
  for (size_t i = 0; i + 1 < sets.size(); ++i) {
    if (sets[i].name() == sets[i + 1].name()) {
      return absl::InvalidArgumentError(
          absl::StrCat(sets[i].name(), " is configured twice"));
    }
    const absl::CivilDay next = CivilDayOf(sets[i + 1].effective_date());
    if (next == CivilDayOf(sets[i].effective_date())) {
      return absl::InvalidArgumentError(absl::StrCat(
          sets[i].name(), " and ", sets[i + 1].name(),
          " take effect on the same day; effective_date must be unique"));
    }
    *sets[i].mutable_end_date() = FromCivilDay(next);
  }
  sets.back().clear_end_date();
  NotificationRuleSetRegistry registry;
  registry.sets_ = std::move(sets);
  return registry;
}

absl::StatusOr<const v1::NotificationRuleSet*>
NotificationRuleSetRegistry::ForDay(absl::CivilDay day) const {
  const v1::NotificationRuleSet* found = nullptr;
  for (const auto& set : sets_) {
    if (CivilDayOf(set.effective_date()) <= day) found = &set;
  }
  if (found == nullptr) {
    return RulesViolated(
        {{"notification.rule_set.exists", FormatDay(day),
          absl::StrCat("no notification rule set applies to ", FormatDay(day),
                       ": the first takes effect on ",
                       FormatDate(sets_.front().effective_date()))}});
  }
  return found;
}

absl::StatusOr<const v1::NotificationRuleSet*> NotificationRuleSetRegistry::Get(
    const std::string& name) const {
  for (const auto& set : sets_) {
    if (set.name() == name) return &set;
  }
  return absl::NotFoundError(absl::StrCat(name, " does not exist"));
}

const v1::ChannelPolicy* PolicyFor(const v1::NotificationRuleSet& set,
                                   v1::ChannelType channel) {
  for (const auto& policy : set.channel_policies()) {
    if (policy.channel() == channel) return &policy;
  }
  return nullptr;
}

std::string DefaultReminderRuleFor(const v1::NotificationRuleSet& set,
                                   common::v1::DeadlineKind kind) {
  for (const auto& rule : set.directive_rules().default_reminder_rules()) {
    if (rule.deadline_kind() == kind) return rule.reminder_rule();
  }
  return "";
}

}  // namespace partydev::notification::domain
