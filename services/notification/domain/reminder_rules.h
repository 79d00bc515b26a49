// File: services/notification/domain/reminder_rules.h
//
// The default reminder rules notifyd ships (services/notification/rules/
// reminder_rules/*.json): one per deadline kind, named by the rule set's
// directive_rules.default_reminder_rules, plus event rules (quota's
// lagging event, which drafts an urging letter). Each file is a JSON array
// of ReminderRule in proto3 JSON; the service seeds them into its rule
// store at first start, after which they are edited through
// ReminderService.

#ifndef PARTYDEV_SERVICES_NOTIFICATION_DOMAIN_REMINDER_RULES_H_
#define PARTYDEV_SERVICES_NOTIFICATION_DOMAIN_REMINDER_RULES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "partydev/notification/v1/reminders.pb.h"

namespace partydev::notification::domain {

// Every rule of every *.json of `directory`, each parsed (unknown fields
// are errors) and checked by ValidateReminderRule; names must be
// "reminderRules/{id}" and unique. Errors name the file and the entry.
absl::StatusOr<std::vector<v1::ReminderRule>> LoadReminderRules(
    const std::string& directory);

}  // namespace partydev::notification::domain

#endif  // PARTYDEV_SERVICES_NOTIFICATION_DOMAIN_REMINDER_RULES_H_
