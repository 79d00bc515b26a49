// File: services/notification/reminder_service.h
//
// ReminderService (reminders.proto, rule_sets.proto): notifyd's reminder
// rules, the preview of their schedule, and its versioned rule sets. The
// class only translates between protobuf, the store
// (reminder_rule_store.h) and the pure domain (domain/reminder_schedule.h,
// domain/rule_sets.h).
//
// Rules:
//  - A rule passes domain::ValidateReminderRule (INVALID_ARGUMENT naming
//    "reminder_rule.steps[i]...") and names only current templates
//    (FAILED_PRECONDITION, rule `notification.reminder_rule.template_exists`);
//    a template it newly references must not be ARCHIVED
//    (`notification.reminder_rule.template_active`).
//  - The shipped rules are listed and read until a rule of the same name is
//    saved (UpdateReminderRule, etag "v0"); CreateReminderRule of a shipped
//    name is ALREADY_EXISTS. Rules are disabled, never deleted. The trigger
//    and scope_organization are immutable.
//  - Global rules (no scope_organization) are written by admins; a scoped
//    rule by an admin or by the committee office (secretary) or
//    organisation board bound to exactly that organisation. notifyd has no
//    projection of the organisation tree yet, so a superior committee
//    cannot write its subordinates' rules, and ListReminderRules'
//    `applicable_to` is UNIMPLEMENTED (both arrive with issue #6).
//  - Every change is one atomic write with its idempotency record
//    (common/change.h RunStagedChange); the audit is the rule's
//    create_stamp / update_stamp.
//  - PreviewReminderSchedule is exactly domain::PlanReminders for the rule
//    and the due date (or the event time's day), in the recipient's zone
//    (default Asia/Ho_Chi_Minh, UTC+7); the steps' own `escalate` flags
//    decide escalation. A step counting working days is FAILED_PRECONDITION
//    until the working-day calendar is wired in (issue #6).
//  - Rule sets come from NotificationContext::rule_sets(); Resolve
//    defaults to today in Vietnam by the context's clock; a date before the
//    first set is FAILED_PRECONDITION.
//  - Scheduled reminders (scheduled_reminder_store.h, written by
//    event_reminders.h) are read within the caller's subtree of their
//    organisation (List defaults to it; Get and Cancel of another
//    subtree's reminder are PERMISSION_DENIED, OUTSIDE_SUBTREE, without
//    telling whether it exists). Cancel needs a secretary or organisation
//    board (or admin), a reason, and a SCHEDULED reminder
//    (`notification.scheduled_reminder.scheduled`); it checks the etag and
//    is idempotent by request_id; validate_only writes nothing.

#ifndef PARTYDEV_SERVICES_NOTIFICATION_REMINDER_SERVICE_H_
#define PARTYDEV_SERVICES_NOTIFICATION_REMINDER_SERVICE_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "common/service_runtime.h"
#include "partydev/notification/v1/reminders.grpc.pb.h"
#include "services/notification/event_reminders.h"
#include "services/notification/notification_context.h"
#include "services/notification/reminder_rule_store.h"
#include "services/notification/scheduled_reminder_store.h"
#include "services/notification/template_store.h"

namespace partydev::notification {

class ReminderServiceImpl final : public v1::ReminderService::CallbackService {
 public:
  explicit ReminderServiceImpl(std::shared_ptr<NotificationContext> context);

  // Owns and starts the engine of reminders from events (services.cc, when
  // notifyd runs its workers); it stops before the context goes.
  void AttachEventReminders(std::unique_ptr<EventReminders> reminders);

  grpc::ServerUnaryReactor* CreateReminderRule(
      grpc::CallbackServerContext* context,
      const v1::CreateReminderRuleRequest* request,
      v1::ReminderRule* response) override;
  grpc::ServerUnaryReactor* GetReminderRule(
      grpc::CallbackServerContext* context,
      const v1::GetReminderRuleRequest* request,
      v1::ReminderRule* response) override;
  grpc::ServerUnaryReactor* ListReminderRules(
      grpc::CallbackServerContext* context,
      const v1::ListReminderRulesRequest* request,
      v1::ListReminderRulesResponse* response) override;
  grpc::ServerUnaryReactor* UpdateReminderRule(
      grpc::CallbackServerContext* context,
      const v1::UpdateReminderRuleRequest* request,
      v1::ReminderRule* response) override;
  grpc::ServerUnaryReactor* PreviewReminderSchedule(
      grpc::CallbackServerContext* context,
      const v1::PreviewReminderScheduleRequest* request,
      v1::PreviewReminderScheduleResponse* response) override;
  grpc::ServerUnaryReactor* ListScheduledReminders(
      grpc::CallbackServerContext* context,
      const v1::ListScheduledRemindersRequest* request,
      v1::ListScheduledRemindersResponse* response) override;
  grpc::ServerUnaryReactor* GetScheduledReminder(
      grpc::CallbackServerContext* context,
      const v1::GetScheduledReminderRequest* request,
      v1::ScheduledReminder* response) override;
  grpc::ServerUnaryReactor* CancelScheduledReminder(
      grpc::CallbackServerContext* context,
      const v1::CancelScheduledReminderRequest* request,
      v1::ScheduledReminder* response) override;
  grpc::ServerUnaryReactor* GetNotificationRuleSet(
      grpc::CallbackServerContext* context,
      const v1::GetNotificationRuleSetRequest* request,
      v1::NotificationRuleSet* response) override;
  grpc::ServerUnaryReactor* ListNotificationRuleSets(
      grpc::CallbackServerContext* context,
      const v1::ListNotificationRuleSetsRequest* request,
      v1::ListNotificationRuleSetsResponse* response) override;
  grpc::ServerUnaryReactor* ResolveNotificationRuleSet(
      grpc::CallbackServerContext* context,
      const v1::ResolveNotificationRuleSetRequest* request,
      v1::NotificationRuleSet* response) override;

 private:
  absl::Status DoCreateReminderRule(const CallContext& call,
                                    const v1::CreateReminderRuleRequest& r,
                                    v1::ReminderRule& out);
  absl::Status DoGetReminderRule(const CallContext& call,
                                 const v1::GetReminderRuleRequest& r,
                                 v1::ReminderRule& out);
  absl::Status DoListReminderRules(const CallContext& call,
                                   const v1::ListReminderRulesRequest& r,
                                   v1::ListReminderRulesResponse& out);
  absl::Status DoUpdateReminderRule(const CallContext& call,
                                    const v1::UpdateReminderRuleRequest& r,
                                    v1::ReminderRule& out);
  absl::Status DoPreviewReminderSchedule(
      const CallContext& call, const v1::PreviewReminderScheduleRequest& r,
      v1::PreviewReminderScheduleResponse& out);
  absl::Status DoListScheduledReminders(
      const CallContext& call, const v1::ListScheduledRemindersRequest& r,
      v1::ListScheduledRemindersResponse& out);
  absl::Status DoGetScheduledReminder(const CallContext& call,
                                      const v1::GetScheduledReminderRequest& r,
                                      v1::ScheduledReminder& out);
  absl::Status DoCancelScheduledReminder(
      const CallContext& call, const v1::CancelScheduledReminderRequest& r,
      v1::ScheduledReminder& out);
  absl::Status DoGetNotificationRuleSet(
      const CallContext& call, const v1::GetNotificationRuleSetRequest& r,
      v1::NotificationRuleSet& out);
  absl::Status DoListNotificationRuleSets(
      const CallContext& call, const v1::ListNotificationRuleSetsRequest& r,
      v1::ListNotificationRuleSetsResponse& out);
  absl::Status DoResolveNotificationRuleSet(
      const CallContext& call, const v1::ResolveNotificationRuleSetRequest& r,
      v1::NotificationRuleSet& out);

  // Every problem of `rule` (request field "reminder_rule"): its shape,
  // then the templates it names; a template `before` (the rule as stored,
  // null on create) already named may have been archived since.
  absl::Status CheckRule(const v1::ReminderRule& rule,
                         const v1::ReminderRule* before);

  // Reads scheduled reminder `name` (request field "name") for `call`.
  absl::Status ReadScheduled(const CallContext& call, const std::string& name,
                             Stored<v1::ScheduledReminder>& out);

  std::shared_ptr<NotificationContext> context_;
  ReminderRuleStore rules_;
  TemplateStore templates_;
  ScheduledReminderStore scheduled_;
  std::unique_ptr<EventReminders> event_reminders_;  // after context_
};

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_REMINDER_SERVICE_H_
