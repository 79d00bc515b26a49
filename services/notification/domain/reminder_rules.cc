#include "services/notification/domain/reminder_rules.h"

#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/json_config.h"
#include "nlohmann/json.hpp"
#include "services/notification/domain/reminder_schedule.h"

namespace partydev::notification::domain {

absl::StatusOr<std::vector<v1::ReminderRule>> LoadReminderRules(
    const std::string& directory) {
  absl::StatusOr<std::vector<ConfigFile>> files = ReadJsonFiles(directory);
  if (!files.ok()) return files.status();
  std::vector<v1::ReminderRule> rules;
  absl::flat_hash_set<std::string> names;
  for (const ConfigFile& file : *files) {
    nlohmann::json array =
        nlohmann::json::parse(file.text, nullptr, /*allow_exceptions=*/false);
    if (array.is_discarded() || !array.is_array()) {
      return absl::InvalidArgumentError(
          absl::StrCat(file.path, ": must be a JSON array of reminder rules"));
    }
    for (size_t i = 0; i < array.size(); ++i) {
      const std::string origin = absl::StrCat(file.path, "[", i, "]");
      v1::ReminderRule rule;
      if (absl::Status s = ParseProtoJson(array[i].dump(), origin, &rule);
          !s.ok()) {
        return s;
      }
      if (!absl::StartsWith(rule.name(), "reminderRules/") ||
          rule.name().size() == sizeof("reminderRules/") - 1) {
        return absl::InvalidArgumentError(
            absl::StrCat(origin, ": name must be \"reminderRules/{id}\""));
      }
      if (!names.insert(rule.name()).second) {
        return absl::InvalidArgumentError(
            absl::StrCat(origin, ": ", rule.name(), " is defined twice"));
      }
      if (absl::Status s = ValidateReminderRule(rule); !s.ok()) {
        return absl::Status(s.code(), absl::StrCat(origin, ": ", s.message()));
      }
      rules.push_back(std::move(rule));
    }
  }
  return rules;
}

}  // namespace partydev::notification::domain
