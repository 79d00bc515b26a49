#include "services/notification/reminder_service.h"

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/authorization.h"
#include "common/change.h"
#include "common/dates.h"
#include "common/errors.h"
#include "common/filters.h"
#include "common/ids.h"
#include "common/paging.h"
#include "services/notification/domain/reminder_schedule.h"
#include "services/notification/domain/vietnamese_dates.h"
#include "services/notification/notification_access.h"
#include "services/notification/queue/job_queue.h"
#include "services/notification/templates/default_templates.h"

namespace partydev::notification {
namespace {

constexpr absl::string_view kVietnamZone = "Asia/Ho_Chi_Minh";

// The fields UpdateReminderRule may change; the trigger and the scope are
// immutable (reminders.proto).
const std::set<std::string>& MutablePaths() {
  static const auto* paths = new std::set<std::string>{
      "display_name",          "description",   "steps",
      "cancel_on_event_types", "urging_letter", "enabled"};
  return *paths;
}

// Who may write a rule of `scope` (reminders.proto: "Rules scoped to an
// organisation are written by its committee office; global rules by
// administrators").
absl::Status RequireRuleWriter(const CallContext& call,
                               const std::string& scope,
                               absl::string_view action) {
  if (scope.empty()) {
    return RequireAnyRole(call.principal, {roles::kAdmin},
                          absl::StrCat(action, " (a global rule)"));
  }
  if (absl::Status s = RequireAnyRole(
          call.principal, {roles::kSecretary, roles::kOrganizationBoard},
          action);
      !s.ok()) {
    return s;
  }
  return RequireWithinSubtree(call.principal, {scope}, scope);
}

// The templates `rule` names, with the request field of each.
std::vector<std::pair<std::string, std::string>> TemplatesOf(
    const v1::ReminderRule& rule) {
  std::vector<std::pair<std::string, std::string>> out;
  for (int i = 0; i < rule.steps_size(); ++i) {
    out.push_back({absl::StrCat("reminder_rule.steps[", i, "].template"),
                   rule.steps(i).template_()});
  }
  if (rule.urging_letter().enabled()) {
    out.push_back({"reminder_rule.urging_letter.template",
                   rule.urging_letter().template_()});
    out.push_back({"reminder_rule.urging_letter.extra_text_template",
                   rule.urging_letter().extra_text_template()});
  }
  return out;
}

// The time zone of a preview: Vietnam (fixed UTC+7, no tzdata needed)
// unless another IANA zone is named.
absl::StatusOr<absl::TimeZone> ZoneOf(const std::string& name) {
  if (name.empty() || name == kVietnamZone) return domain::VietnamTimeZone();
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(name, &zone)) {
    return InvalidField(
        "time_zone", absl::StrCat("\"", name, "\" is not a known time zone"));
  }
  return zone;
}

}  // namespace

ReminderServiceImpl::ReminderServiceImpl(
    std::shared_ptr<NotificationContext> context)
    : context_(std::move(context)),
      rules_(context_->records(), context_->rules().reminder_rules),
      templates_(context_->records(), *context_->rules().templates),
      scheduled_(context_->records()) {}

void ReminderServiceImpl::AttachEventReminders(
    std::unique_ptr<EventReminders> reminders) {
  event_reminders_ = std::move(reminders);
  if (event_reminders_ != nullptr) event_reminders_->Start();
}

#define PARTYDEV_UNARY(Rpc, Request, Response) \
  PARTYDEV_UNARY_METHOD(ReminderServiceImpl, Rpc, Request, Response)
PARTYDEV_UNARY(CreateReminderRule, v1::CreateReminderRuleRequest,
               v1::ReminderRule)
PARTYDEV_UNARY(GetReminderRule, v1::GetReminderRuleRequest, v1::ReminderRule)
PARTYDEV_UNARY(ListReminderRules, v1::ListReminderRulesRequest,
               v1::ListReminderRulesResponse)
PARTYDEV_UNARY(UpdateReminderRule, v1::UpdateReminderRuleRequest,
               v1::ReminderRule)
PARTYDEV_UNARY(PreviewReminderSchedule, v1::PreviewReminderScheduleRequest,
               v1::PreviewReminderScheduleResponse)
PARTYDEV_UNARY(ListScheduledReminders, v1::ListScheduledRemindersRequest,
               v1::ListScheduledRemindersResponse)
PARTYDEV_UNARY(GetScheduledReminder, v1::GetScheduledReminderRequest,
               v1::ScheduledReminder)
PARTYDEV_UNARY(CancelScheduledReminder, v1::CancelScheduledReminderRequest,
               v1::ScheduledReminder)
PARTYDEV_UNARY(GetNotificationRuleSet, v1::GetNotificationRuleSetRequest,
               v1::NotificationRuleSet)
PARTYDEV_UNARY(ListNotificationRuleSets, v1::ListNotificationRuleSetsRequest,
               v1::ListNotificationRuleSetsResponse)
PARTYDEV_UNARY(ResolveNotificationRuleSet,
               v1::ResolveNotificationRuleSetRequest, v1::NotificationRuleSet)
#undef PARTYDEV_UNARY

absl::Status ReminderServiceImpl::CheckRule(const v1::ReminderRule& rule,
                                            const v1::ReminderRule* before) {
  std::vector<FieldViolation> problems;
  if (rule.display_name().empty()) {
    problems.push_back({"reminder_rule.display_name", "is required"});
  }
  if (!rule.scope_organization().empty()) {
    absl::string_view org = rule.scope_organization();
    if (!absl::ConsumePrefix(&org, "organizations/") ||
        !IsValidResourceId(org)) {
      problems.push_back({"reminder_rule.scope_organization",
                          "must be \"organizations/{org}\" or empty"});
    }
  }
  if (absl::Status shape = domain::ValidateReminderRule(rule); !shape.ok()) {
    std::vector<FieldViolation> fields = FieldViolationsOf(shape);
    if (fields.empty()) return shape;
    for (FieldViolation& v : fields) {
      problems.push_back(
          {absl::StrCat("reminder_rule.", v.field), std::move(v.description)});
    }
  }
  if (!problems.empty()) return InvalidFields(std::move(problems));

  std::set<std::string> used_before;
  if (before != nullptr) {
    for (const auto& [field, name] : TemplatesOf(*before)) {
      used_before.insert(name);
    }
  }
  std::vector<RuleViolation> unmet;
  for (const auto& [field, name] : TemplatesOf(rule)) {
    absl::StatusOr<TemplateRef> ref = ParseTemplateName(name, field, false);
    if (!ref.ok()) return ref.status();
    absl::StatusOr<CurrentTemplate> t = templates_.GetCurrent(ref->id);
    if (absl::IsNotFound(t.status())) {
      unmet.push_back({"notification.reminder_rule.template_exists", field,
                       absl::StrCat("Mẫu ", name, " không tồn tại (", field,
                                    " names a template that does not "
                                    "exist)")});
      continue;
    }
    if (!t.ok()) return t.status();
    if (t->message.state() == v1::TEMPLATE_STATE_ARCHIVED &&
        used_before.count(name) == 0) {
      unmet.push_back({"notification.reminder_rule.template_active", field,
                       absl::StrCat("Mẫu ", name, " đã lưu trữ (", field,
                                    " names an archived template)")});
    }
  }
  if (!unmet.empty()) return RulesViolated(std::move(unmet));
  return absl::OkStatus();
}

absl::Status ReminderServiceImpl::DoCreateReminderRule(
    const CallContext& call, const v1::CreateReminderRuleRequest& r,
    v1::ReminderRule& out) {
  const v1::ReminderRule& in = r.reminder_rule();
  if (absl::Status s = RequireRuleWriter(call, in.scope_organization(),
                                         "creating a reminder rule");
      !s.ok()) {
    return s;
  }
  if (!r.reminder_rule_id().empty() &&
      !IsValidResourceId(r.reminder_rule_id())) {
    return InvalidField("reminder_rule_id",
                        "must match ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$");
  }
  return RunStagedChange<v1::ReminderRule>(
      context_->redis(), context_->prefix(), context_->events_key(),
      "CreateReminderRule", r.request_id(), r, out,
      [&](StagedChange& change) -> absl::Status {
        const std::string id =
            r.reminder_rule_id().empty() ? NewUuid() : r.reminder_rule_id();
        absl::StatusOr<CurrentRule> existing = rules_.Get(id);
        if (existing.ok()) {
          return absl::AlreadyExistsError(
              absl::StrCat(ReminderRuleNameOf(id),
                           " already exists (use UpdateReminderRule to "
                           "change it)"));
        }
        if (!absl::IsNotFound(existing.status())) return existing.status();
        v1::ReminderRule rule = in;
        rule.set_name(ReminderRuleNameOf(id));
        // proto3 cannot tell an unset `enabled` from false: a new rule is
        // on (reminders.proto), and is disabled by UpdateReminderRule.
        rule.set_enabled(true);
        rule.clear_create_stamp();
        rule.clear_update_stamp();
        rule.clear_etag();
        if (absl::Status s = CheckRule(rule, nullptr); !s.ok()) return s;
        const common::v1::ChangeStamp stamp = Stamp(call, r.request_id(), "");
        *rule.mutable_create_stamp() = stamp;
        *rule.mutable_update_stamp() = stamp;
        out = rule;
        out.set_etag(EtagOf(1));
        if (r.validate_only()) return absl::OkStatus();
        rules_.StagePut(change.write, rule, 0);
        return absl::OkStatus();
      });
}

absl::Status ReminderServiceImpl::DoGetReminderRule(
    const CallContext&, const v1::GetReminderRuleRequest& r,
    v1::ReminderRule& out) {
  absl::StatusOr<std::string> id = ParseReminderRuleName(r.name(), "name");
  if (!id.ok()) return id.status();
  absl::StatusOr<CurrentRule> rule = rules_.Get(*id);
  if (!rule.ok()) return rule.status();
  out = std::move(rule->message);
  return absl::OkStatus();
}

absl::Status ReminderServiceImpl::DoListReminderRules(
    const CallContext&, const v1::ListReminderRulesRequest& r,
    v1::ListReminderRulesResponse& out) {
  absl::StatusOr<OffsetPage> page =
      OffsetPage::Of(r, r.page_size(), r.page_token());
  if (!page.ok()) return page.status();
  if (!r.applicable_to().empty() &&
      !absl::StartsWith(r.applicable_to(), "organizations/")) {
    return InvalidField("applicable_to", "must be organizations/{org}");
  }
  absl::StatusOr<Filter> filter = Filter::Parse(
      r.filter(), *v1::ReminderRule::descriptor(),
      {"deadline_kind", "event_type", "scope_organization", "enabled"});
  if (!filter.ok()) return filter.status();
  absl::StatusOr<std::vector<v1::ReminderRule>> all = rules_.All();
  if (!all.ok()) return all.status();
  // With applicable_to: the rules that apply there (unscoped, or scoped to
  // the organisation or an ancestor, over notifyd's tree), ordered per
  // trigger with the deepest scope first: the one that wins, as the
  // engine picks it (event_reminders.cc).
  std::vector<std::string> path;
  if (!r.applicable_to().empty()) {
    absl::StatusOr<TreeOnDay> tree = CurrentTree(*context_);
    if (!tree.ok()) return tree.status();
    if (tree->tree == nullptr || !tree->tree->Known(r.applicable_to())) {
      return absl::NotFoundError(absl::StrCat(
          r.applicable_to(), " is not in notifyd's organisation tree"));
    }
    path = PathOf(*tree, r.applicable_to());
  }
  auto depth = [&](const v1::ReminderRule& rule) {
    if (rule.scope_organization().empty()) return 0;
    const auto at =
        std::find(path.begin(), path.end(), rule.scope_organization());
    return at == path.end() ? -1 : static_cast<int>(at - path.begin()) + 1;
  };
  std::vector<v1::ReminderRule> matched;
  for (v1::ReminderRule& rule : *all) {
    if (!filter->Matches(rule)) continue;
    if (!path.empty() && depth(rule) < 0) continue;
    matched.push_back(std::move(rule));
  }
  if (!path.empty()) {
    auto trigger = [](const v1::ReminderRule& rule) {
      return rule.has_event_type()
                 ? rule.event_type()
                 : absl::StrCat(static_cast<int>(rule.deadline_kind()));
    };
    std::stable_sort(matched.begin(), matched.end(),
                     [&](const v1::ReminderRule& a, const v1::ReminderRule& b) {
                       if (trigger(a) != trigger(b)) {
                         return trigger(a) < trigger(b);
                       }
                       return depth(a) > depth(b);
                     });
  }
  page->Fill(matched.size(), out,
             [&](int i) { *out.add_reminder_rules() = std::move(matched[i]); });
  return absl::OkStatus();
}

absl::Status ReminderServiceImpl::DoUpdateReminderRule(
    const CallContext& call, const v1::UpdateReminderRuleRequest& r,
    v1::ReminderRule& out) {
  const v1::ReminderRule& in = r.reminder_rule();
  absl::StatusOr<std::string> id =
      ParseReminderRuleName(in.name(), "reminder_rule.name");
  if (!id.ok()) return id.status();
  for (const std::string& path : r.update_mask().paths()) {
    if (path == "deadline_kind" || path == "event_type" ||
        path == "scope_organization") {
      return InvalidField("update_mask",
                          absl::StrCat(path,
                                       " is immutable: create another "
                                       "rule and disable this one"));
    }
  }
  if (absl::Status s = CheckUpdateMask(r.update_mask(), MutablePaths());
      !s.ok()) {
    return s;
  }
  return RunStagedChange<v1::ReminderRule>(
      context_->redis(), context_->prefix(), context_->events_key(),
      "UpdateReminderRule", r.request_id(), r, out,
      [&](StagedChange& change) -> absl::Status {
        absl::StatusOr<CurrentRule> current = rules_.Get(*id);
        if (!current.ok()) return current.status();
        if (absl::Status s =
                RequireRuleWriter(call, current->message.scope_organization(),
                                  "changing a reminder rule");
            !s.ok()) {
          return s;
        }
        if (absl::Status s =
                CheckEtag(in.etag(), current->version, current->message.name());
            !s.ok()) {
          return s;
        }
        v1::ReminderRule rule = current->message;
        rule.clear_etag();
        const auto& mask = r.update_mask();
        if (InMask(mask, "display_name")) {
          rule.set_display_name(in.display_name());
        }
        if (InMask(mask, "description")) rule.set_description(in.description());
        if (InMask(mask, "steps")) *rule.mutable_steps() = in.steps();
        if (InMask(mask, "cancel_on_event_types")) {
          *rule.mutable_cancel_on_event_types() = in.cancel_on_event_types();
        }
        if (InMask(mask, "urging_letter")) {
          *rule.mutable_urging_letter() = in.urging_letter();
        }
        if (InMask(mask, "enabled")) rule.set_enabled(in.enabled());
        if (absl::Status s = CheckRule(rule, &current->message); !s.ok()) {
          return s;
        }
        const common::v1::ChangeStamp stamp = Stamp(call, r.request_id(), "");
        if (!current->stored && !rule.has_create_stamp()) {
          *rule.mutable_create_stamp() = stamp;
        }
        *rule.mutable_update_stamp() = stamp;
        out = rule;
        out.set_etag(EtagOf(current->version + 1));
        if (r.validate_only()) return absl::OkStatus();
        rules_.StagePut(change.write, rule, current->version);
        return absl::OkStatus();
      });
}

absl::Status ReminderServiceImpl::DoPreviewReminderSchedule(
    const CallContext&, const v1::PreviewReminderScheduleRequest& r,
    v1::PreviewReminderScheduleResponse& out) {
  absl::StatusOr<std::string> id = ParseReminderRuleName(r.name(), "name");
  if (!id.ok()) return id.status();
  absl::StatusOr<absl::TimeZone> zone = ZoneOf(r.time_zone());
  if (!zone.ok()) return zone.status();
  absl::StatusOr<CurrentRule> rule = rules_.Get(*id);
  if (!rule.ok()) return rule.status();
  absl::CivilDay due;
  if (!IsUnset(r.due_date())) {
    absl::StatusOr<absl::CivilDay> day = ToCivilDay(r.due_date(), "due_date");
    if (!day.ok()) return day.status();
    due = *day;
  } else if (r.has_event_time() &&
             rule->message.trigger_case() == v1::ReminderRule::kEventType) {
    due = absl::ToCivilDay(FromTimestamp(r.event_time()), *zone);
  } else {
    return InvalidField(
        "due_date", rule->message.trigger_case() == v1::ReminderRule::kEventType
                        ? "due_date or event_time is required"
                        : "is required for a deadline rule");
  }
  domain::PlanOptions options;
  options.time_zone = *zone;
  absl::StatusOr<std::vector<domain::PlannedSend>> sends =
      domain::PlanReminders(rule->message, due, options);
  if (!sends.ok()) return sends.status();
  for (const domain::PlannedSend& send : *sends) {
    v1::PlannedReminder* planned = out.add_reminders();
    planned->set_step_id(send.step_id);
    planned->set_repeat_index(send.repeat_index);
    *planned->mutable_fire_time() = ToTimestamp(send.fire_time);
    planned->set_escalation(send.escalation);
  }
  return absl::OkStatus();
}

absl::Status ReminderServiceImpl::DoListScheduledReminders(
    const CallContext& call, const v1::ListScheduledRemindersRequest& r,
    v1::ListScheduledRemindersResponse& out) {
  absl::StatusOr<OffsetPage> page =
      OffsetPage::Of(r, r.page_size(), r.page_token());
  if (!page.ok()) return page.status();
  bool descending = false;
  if (r.order_by() == "fire_time desc") {
    descending = true;
  } else if (!r.order_by().empty() && r.order_by() != "fire_time") {
    return InvalidField("order_by",
                        "must be \"fire_time\" or \"fire_time desc\"");
  }
  absl::StatusOr<Filter> filter =
      Filter::Parse(r.filter(), *v1::ScheduledReminder::descriptor(),
                    {"reminder_rule", "deadline_kind", "event_type",
                     "fire_time", "escalation", "due_date"});
  if (!filter.ok()) return filter.status();
  absl::StatusOr<TreeOnDay> tree = CurrentTree(*context_);
  if (!tree.ok()) return tree.status();
  // Default: the caller's subtree (everything for the admin).
  std::string under = r.under_organization();
  if (!under.empty()) {
    if (absl::Status s =
            CheckCovers(*tree, call.principal, under, "under_organization");
        !s.ok()) {
      return s;
    }
  } else {
    under = call.principal.organization;
  }
  const std::set<int> states(r.states().begin(), r.states().end());
  absl::StatusOr<std::vector<Stored<v1::ScheduledReminder>>> all =
      r.subject_resource().empty() ? scheduled_.All()
                                   : scheduled_.BySubject(r.subject_resource());
  if (!all.ok()) return all.status();
  std::vector<v1::ScheduledReminder> matched;
  for (Stored<v1::ScheduledReminder>& s : *all) {
    const v1::ScheduledReminder& m = s.message;
    if (!Covers(*tree, call.principal, m.organization())) continue;
    if (!under.empty() && !IsWithin(*tree, under, m.organization())) continue;
    if (!states.empty() && states.count(static_cast<int>(m.state())) == 0)
      continue;
    if (!filter->Matches(m)) continue;
    matched.push_back(std::move(s.message));
  }
  std::stable_sort(matched.begin(), matched.end(),
                   [descending](const v1::ScheduledReminder& a,
                                const v1::ScheduledReminder& b) {
                     const absl::Time ta = FromTimestamp(a.fire_time());
                     const absl::Time tb = FromTimestamp(b.fire_time());
                     if (ta != tb) return descending ? ta > tb : ta < tb;
                     return a.name() < b.name();
                   });
  page->Fill(matched.size(), out, [&](int i) {
    *out.add_scheduled_reminders() = std::move(matched[i]);
  });
  return absl::OkStatus();
}

// PERMISSION_DENIED (OUTSIDE_SUBTREE) unless the caller's subtree holds the
// reminder's organisation; the message does not say whether it exists.
absl::Status ReminderServiceImpl::ReadScheduled(
    const CallContext& call, const std::string& name,
    Stored<v1::ScheduledReminder>& out) {
  absl::StatusOr<std::string> id = ParseScheduledReminderName(name, "name");
  if (!id.ok()) return id.status();
  absl::StatusOr<TreeOnDay> tree = CurrentTree(*context_);
  if (!tree.ok()) return tree.status();
  absl::StatusOr<Stored<v1::ScheduledReminder>> stored = scheduled_.Get(name);
  if (absl::IsNotFound(stored.status()) &&
      !call.principal.organization.empty()) {
    // The same answer as for another subtree's reminder.
    return RequireWithinSubtree(call.principal, {}, name);
  }
  if (!stored.ok()) return stored.status();
  if (!Covers(*tree, call.principal, stored->message.organization())) {
    return RequireWithinSubtree(call.principal, {}, name);
  }
  out = *std::move(stored);
  return absl::OkStatus();
}

absl::Status ReminderServiceImpl::DoGetScheduledReminder(
    const CallContext& call, const v1::GetScheduledReminderRequest& r,
    v1::ScheduledReminder& out) {
  Stored<v1::ScheduledReminder> stored;
  if (absl::Status s = ReadScheduled(call, r.name(), stored); !s.ok()) {
    return s;
  }
  out = std::move(stored.message);
  return absl::OkStatus();
}

absl::Status ReminderServiceImpl::DoCancelScheduledReminder(
    const CallContext& call, const v1::CancelScheduledReminderRequest& r,
    v1::ScheduledReminder& out) {
  FieldChecker check;
  if (absl::StatusOr<std::string> id =
          ParseScheduledReminderName(r.name(), "name");
      !id.ok()) {
    check.Add("name", id.status().message());
  }
  if (r.reason().empty()) check.Add("reason", "is required");
  if (!check.ok()) return check.status();
  if (absl::Status s = RequireAnyRole(
          call.principal, {roles::kSecretary, roles::kOrganizationBoard},
          "cancelling a scheduled reminder");
      !s.ok()) {
    return s;
  }
  return RunStagedChange<v1::ScheduledReminder>(
      context_->redis(), context_->prefix(), context_->events_key(),
      "CancelScheduledReminder", r.request_id(), r, out,
      [&](StagedChange& change) -> absl::Status {
        Stored<v1::ScheduledReminder> stored;
        if (absl::Status s = ReadScheduled(call, r.name(), stored); !s.ok()) {
          return s;
        }
        if (absl::Status s = CheckEtag(r.etag(), stored.version, r.name());
            !s.ok()) {
          return s;
        }
        if (stored.message.state() != v1::SCHEDULED_REMINDER_STATE_SCHEDULED) {
          return RulesViolated(
              {{"notification.scheduled_reminder.scheduled", r.name(),
                absl::StrCat(
                    "Chỉ hủy được lời nhắc đang chờ gửi; ", r.name(), " is ",
                    v1::ScheduledReminderState_Name(stored.message.state()))}});
        }
        v1::ScheduledReminder reminder = stored.message;
        reminder.clear_etag();
        reminder.set_state(v1::SCHEDULED_REMINDER_STATE_CANCELLED);
        reminder.set_cancel_reason(r.reason());
        *reminder.mutable_update_stamp() =
            Stamp(call, r.request_id(), r.reason());
        out = reminder;
        out.set_etag(EtagOf(stored.version + 1));
        if (r.validate_only()) return absl::OkStatus();
        scheduled_.StagePut(change.write, reminder, stored.version);
        return absl::OkStatus();
      });
}

absl::Status ReminderServiceImpl::DoGetNotificationRuleSet(
    const CallContext&, const v1::GetNotificationRuleSetRequest& r,
    v1::NotificationRuleSet& out) {
  if (r.name().empty()) return InvalidField("name", "is required");
  absl::StatusOr<const v1::NotificationRuleSet*> set =
      context_->rule_sets().Get(r.name());
  if (!set.ok()) return set.status();
  out = **set;
  return absl::OkStatus();
}

absl::Status ReminderServiceImpl::DoListNotificationRuleSets(
    const CallContext&, const v1::ListNotificationRuleSetsRequest& r,
    v1::ListNotificationRuleSetsResponse& out) {
  absl::StatusOr<OffsetPage> page =
      OffsetPage::Of(r, r.page_size(), r.page_token());
  if (!page.ok()) return page.status();
  const std::vector<v1::NotificationRuleSet>& all = context_->rule_sets().All();
  page->Fill(all.size(), out,
             [&](int i) { *out.add_notification_rule_sets() = all[i]; });
  return absl::OkStatus();
}

absl::Status ReminderServiceImpl::DoResolveNotificationRuleSet(
    const CallContext&, const v1::ResolveNotificationRuleSetRequest& r,
    v1::NotificationRuleSet& out) {
  absl::CivilDay day = domain::VietnamDayOf(context_->clock().Now());
  if (r.has_date() && !IsUnset(r.date())) {
    absl::StatusOr<absl::CivilDay> given = ToCivilDay(r.date(), "date");
    if (!given.ok()) return given.status();
    day = *given;
  }
  absl::StatusOr<const v1::NotificationRuleSet*> set =
      context_->rule_sets().ForDay(day);
  if (!set.ok()) return set.status();
  out = **set;
  return absl::OkStatus();
}

}  // namespace partydev::notification
