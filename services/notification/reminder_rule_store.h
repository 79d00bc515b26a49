// File: services/notification/reminder_rule_store.h
//
// Where notifyd keeps its reminder rules (reminders.proto ReminderRule):
// the only code of reminder rules that speaks Redis. Keys (P is notifyd's
// prefix "{pd:notification}:", records as in common/record_store.h):
//
//   P r:reminderRules/{id}   the rule (its etag: the record's version)
//   P c:/reminderRules       zset, score 0: ids of stored rules
//
// The rules shipped with notifyd (rules/reminder_rules/, loaded into
// NotificationContext::rules().reminder_rules) are read as they are until
// an operator saves the same name (etag "v0": the first save expects no
// record); the stored rule then wins. Rules are never deleted, only
// disabled (reminders.proto).

#ifndef PARTYDEV_SERVICES_NOTIFICATION_REMINDER_RULE_STORE_H_
#define PARTYDEV_SERVICES_NOTIFICATION_REMINDER_RULE_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/atomic_write.h"
#include "common/record_store.h"
#include "partydev/notification/v1/reminders.pb.h"

namespace partydev::notification {

// "reminderRules/{id}".
std::string ReminderRuleNameOf(absl::string_view id);

// The id of `name`, or INVALID_ARGUMENT naming `field` unless it is
// "reminderRules/{id}" with a valid id.
absl::StatusOr<std::string> ParseReminderRuleName(absl::string_view name,
                                                  absl::string_view field);

// A rule as read, and the version its etag is made from (0 for a shipped
// rule nobody has saved yet).
struct CurrentRule {
  v1::ReminderRule message;
  int64_t version = 0;
  bool shipped = false;
  bool stored = false;
};

class ReminderRuleStore {
 public:
  ReminderRuleStore(RecordStore& records,
                    const std::vector<v1::ReminderRule>& shipped);

  // The rule `id`: the stored one, else the shipped one; NOT_FOUND naming
  // "reminderRules/{id}" when neither exists.
  absl::StatusOr<CurrentRule> Get(const std::string& id);

  // Every rule (shipped ones not yet saved included), by name.
  absl::StatusOr<std::vector<v1::ReminderRule>> All();

  // Stages `rule` (its name set), read at `version` (0: no record yet; the
  // commit aborts if it changed since), with its index entry.
  void StagePut(AtomicWrite& write, const v1::ReminderRule& rule,
                int64_t version) const;

 private:
  const v1::ReminderRule* FindShipped(absl::string_view name) const;
  std::string IndexKey() const;

  RecordStore& records_;
  const std::vector<v1::ReminderRule>& shipped_;
};

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_REMINDER_RULE_STORE_H_
