// File: services/notification/domain/rule_sets.h
//
// The versioned rule sets of notifyd (rule_sets.proto NotificationRuleSet):
// the default acknowledgement period, the reference format, escalation and
// fan-out limits, the default reminder rule of each deadline kind, the
// retry policy of each channel and the retention periods. Every number is
// configuration with an effective date (domain.md): a set applies from its
// effective date until the day before the next set's, and an act is judged
// by the set in force on its date. Loaded from JSON files (the proto3 JSON
// mapping of NotificationRuleSet, one per file, in rules/rule_sets/) at
// start; a bad file stops notifyd.
//
// The registry has the same shape as quota's (services/quota/domain/
// rule_sets.h); the two differ only in the message and its validation.
//
//   absl::StatusOr<NotificationRuleSetRegistry> registry =
//       NotificationRuleSetRegistry::LoadDirectory(rules_dir + "/rule_sets");
//   absl::StatusOr<const v1::NotificationRuleSet*> rules =
//       registry->ForDay(absl::CivilDay(2023, 9, 17));

#ifndef PARTYDEV_SERVICES_NOTIFICATION_DOMAIN_RULE_SETS_H_
#define PARTYDEV_SERVICES_NOTIFICATION_DOMAIN_RULE_SETS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "partydev/notification/v1/rule_sets.pb.h"

namespace partydev::notification::domain {

// Every problem of one rule set, as INVALID_ARGUMENT naming each field:
// name "notificationRuleSets/{id}"; effective_date valid; directive rules
// (default_acknowledgement_working_days >= 1, reference_number_min_digits in
// 1..9, default_escalate_after_reminders >= 1, max_deliveries_per_directive
// >= 1, default reminder rules named "reminderRules/{id}", one per kind at
// most, and one for DIRECTIVE_ACKNOWLEDGEMENT and DIRECTIVE_REPORT); one
// channel policy for each channel type (max_attempts >= 1, a positive delay
// per retry step, jitter in [0, 1), a positive attempt timeout,
// max_retry_after >= 0, webhooks a positive disable_after_failing_for);
// positive retention periods; a working-day calendar id; every
// unconfirmed_fields entry the path of a field of the message.
absl::Status ValidateRuleSet(const v1::NotificationRuleSet& set);

class NotificationRuleSetRegistry {
 public:
  // Reads every *.json of `directory`, one NotificationRuleSet each
  // (unknown fields are errors), validated by ValidateRuleSet; the error
  // names the file.
  static absl::StatusOr<NotificationRuleSetRegistry> LoadDirectory(
      const std::string& directory);
  // From already-parsed sets (tests, the service's reload): validated, at
  // least one, effective dates unique; end_date is filled (the day the next
  // set starts, unset for the last).
  static absl::StatusOr<NotificationRuleSetRegistry> FromSets(
      std::vector<v1::NotificationRuleSet> sets);

  // The set in force on `day`; FAILED_PRECONDITION (rule
  // `notification.rule_set.exists`) when `day` is before the first set.
  absl::StatusOr<const v1::NotificationRuleSet*> ForDay(
      absl::CivilDay day) const;
  // The set named "notificationRuleSets/{id}", or NOT_FOUND.
  absl::StatusOr<const v1::NotificationRuleSet*> Get(
      const std::string& name) const;
  // Every set, by effective date ascending.
  const std::vector<v1::NotificationRuleSet>& All() const { return sets_; }

 private:
  std::vector<v1::NotificationRuleSet> sets_;
};

// The policy of `channel` in `set`; nullptr when missing (a validated set
// has one for every channel type).
const v1::ChannelPolicy* PolicyFor(const v1::NotificationRuleSet& set,
                                   v1::ChannelType channel);

// The default reminder rule ("reminderRules/{id}") of `kind` in `set`;
// empty when the set names none.
std::string DefaultReminderRuleFor(const v1::NotificationRuleSet& set,
                                   common::v1::DeadlineKind kind);

}  // namespace partydev::notification::domain

#endif  // PARTYDEV_SERVICES_NOTIFICATION_DOMAIN_RULE_SETS_H_
