#include "services/notification/delivery_deadlines.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/errors.h"
#include "nlohmann/json.hpp"
#include "services/notification/delivery_store.h"
#include "services/notification/directive_store.h"
#include "services/notification/domain/delivery_states.h"
#include "services/notification/domain/reminder_schedule.h"
#include "services/notification/domain/vietnamese_dates.h"
#include "services/notification/inbox_store.h"
#include "services/notification/notification_access.h"
#include "services/notification/queue/job_queue.h"
#include "services/notification/recipient_store.h"
#include "services/notification/reminder_rule_store.h"
#include "services/notification/template_store.h"
#include "services/notification/templates/template_renderer.h"

namespace partydev::notification {
namespace {

// The token subject of the sweep's changes (update_stamp.actor).
constexpr char kActor[] = "svc:notifyd-deadlines";

// The duty of a delivery the sweep watches: its acknowledgement while
// required and not given, else its next report.
struct Duty {
  common::v1::DeadlineKind kind;
  absl::CivilDay due;
  v1::OverdueStep step;
};

std::optional<Duty> OpenDuty(const v1::Delivery& d) {
  if (d.state() == v1::DELIVERY_STATE_CANCELLED) return std::nullopt;
  if (d.acknowledgement_required() && !d.has_acknowledgement() &&
      IsValidDate(d.acknowledge_by())) {
    return Duty{common::v1::DEADLINE_KIND_DIRECTIVE_ACKNOWLEDGEMENT,
                CivilDayOf(d.acknowledge_by()),
                v1::OVERDUE_STEP_ACKNOWLEDGEMENT};
  }
  if (d.report_required() && IsValidDate(d.next_report_due())) {
    return Duty{common::v1::DEADLINE_KIND_DIRECTIVE_REPORT,
                CivilDayOf(d.next_report_due()), v1::OVERDUE_STEP_REPORT};
  }
  return std::nullopt;
}

v1::OverdueStep Normalized(v1::OverdueStep step) {
  return step == v1::OVERDUE_STEP_UNSPECIFIED ? v1::OVERDUE_STEP_NONE : step;
}

bool IsLateState(v1::DeliveryState state) {
  return state == v1::DELIVERY_STATE_LATE ||
         state == v1::DELIVERY_STATE_ESCALATED;
}

bool HasAudience(const v1::ReminderStep& step, v1::Audience audience) {
  return std::find(step.audience().begin(), step.audience().end(), audience) !=
         step.audience().end();
}

const v1::ReminderStep* StepOf(const v1::ReminderRule& rule,
                               const std::string& id) {
  for (const v1::ReminderStep& step : rule.steps()) {
    if (step.step_id() == id) return &step;
  }
  return nullptr;
}

// What the reader is late with, as a clause ("chưa ... văn bản").
std::string DutyWords(v1::OverdueStep step) {
  return step == v1::OVERDUE_STEP_ACKNOWLEDGEMENT ? "xác nhận đã nhận"
                                                  : "báo cáo kết quả thực hiện";
}

}  // namespace

// One sweep: the caches of the directives, rules and the tree it reads.
class DeliveryDeadlines::Sweep {
 public:
  explicit Sweep(NotificationContext& context)
      : context_(context),
        now_(context.clock().Now()),
        today_(domain::VietnamDayOf(now_)),
        directives_(context),
        deliveries_(context),
        inbox_(context),
        rules_(context.records(), context.rules().reminder_rules),
        templates_(context.records(), *context.rules().templates) {}

  absl::StatusOr<int> Run() {
    absl::StatusOr<TreeOnDay> tree = CurrentTree(context_);
    if (!tree.ok()) return tree.status();
    tree_ = *std::move(tree);
    absl::StatusOr<std::vector<std::string>> due =
        deliveries_.DueBy(today_ + kLookAheadDays, kBatch);
    if (!due.ok()) return due.status();
    int sent = 0;
    for (const std::string& name : *due) {
      absl::StatusOr<int> n = Handle(name);
      if (n.ok()) {
        sent += *n;
      } else {
        context_.runtime().logger().Warn(
            "delivery_deadline_failed",
            {{"delivery", name}, {"error", n.status().ToString()}});
      }
    }
    return sent;
  }

 private:
  // Marks lateness, sends what is due and escalates for one delivery;
  // returns the messages created.
  absl::StatusOr<int> Handle(const std::string& name) {
    absl::StatusOr<Stored<v1::Delivery>> stored = deliveries_.Get(name);
    if (absl::IsNotFound(stored.status())) return 0;
    if (!stored.ok()) return stored.status();
    const v1::Delivery& before = stored->message;
    const std::optional<Duty> duty = OpenDuty(before);
    if (!duty.has_value()) return 0;
    absl::StatusOr<const v1::Directive*> directive =
        DirectiveOf(name.substr(0, name.find("/deliveries/")));
    if (!directive.ok()) return directive.status();

    v1::Delivery after = before;
    const v1::OverdueStep overdue = domain::OverdueStepAt(before, now_);
    if (Normalized(before.overdue_step()) != overdue) {
      after.set_overdue_step(overdue);
      if (overdue != v1::OVERDUE_STEP_NONE && !IsLateState(before.state()) &&
          domain::IsAllowedTransition(before.state(),
                                      v1::DELIVERY_STATE_LATE)) {
        after.set_state(v1::DELIVERY_STATE_LATE);
      }
    }

    int sent = 0;
    if (!domain::IsCauseGone(duty->kind, before, duty->due)) {
      absl::StatusOr<int> n = SendDue(**directive, *duty, before, after);
      if (!n.ok()) return n.status();
      sent = *n;
    }
    if (after.SerializeAsString() == before.SerializeAsString()) return sent;
    after.mutable_update_stamp()->set_actor(kActor);
    *after.mutable_update_stamp()->mutable_time() = ToTimestamp(now_);
    after.mutable_update_stamp()->set_request_id("");
    after.mutable_update_stamp()->set_reason("deadline sweep");
    AtomicWrite write;
    deliveries_.StageChange(write, &before, stored->version, after);
    absl::StatusOr<WriteResult> committed = write.Commit(context_.redis());
    if (!committed.ok()) return committed.status();
    return sent;
  }

  // Sends the planned reminders of `duty` that have come since the last
  // sweep (the window starts at next_reminder_time, or the delivery's
  // creation), escalating at the escalation point; updates `after`.
  absl::StatusOr<int> SendDue(const v1::Directive& directive, const Duty& duty,
                              const v1::Delivery& before, v1::Delivery& after) {
    absl::StatusOr<const v1::ReminderRule*> rule =
        RuleFor(directive, duty.kind);
    if (!rule.ok()) return rule.status();
    if (*rule == nullptr || !(*rule)->enabled()) return 0;
    domain::PlanOptions options;
    options.working_days = &context_.working_days();
    absl::StatusOr<int> escalate_after = EscalateAfter(directive, **rule);
    if (!escalate_after.ok()) return escalate_after.status();
    options.escalate_after_reminders = *escalate_after;
    absl::StatusOr<std::vector<domain::PlannedSend>> sends =
        domain::PlanReminders(**rule, duty.due, options);
    if (!sends.ok()) return sends.status();

    const absl::Time window_start =
        before.has_next_reminder_time()
            ? FromTimestamp(before.next_reminder_time())
        : before.has_create_time() ? FromTimestamp(before.create_time())
                                   : absl::InfinitePast();
    // The last planned send that has come: a sweep that finds several past
    // sends in its window (notifyd was down, or a rehearsal moved the clock)
    // reminds the recipient once, with the latest, instead of a burst; the
    // escalation point still counts every planned send.
    std::optional<absl::Time> latest_due;
    for (const domain::PlannedSend& send : *sends) {
      if (send.fire_time <= now_ && send.fire_time >= window_start) {
        latest_due = send.fire_time;
      }
    }
    std::optional<absl::Time> next;
    int sent = 0;
    for (const domain::PlannedSend& send : *sends) {
      if (send.fire_time > now_) {
        if (!next.has_value()) next = send.fire_time;
        continue;
      }
      if (send.fire_time < window_start) continue;
      const bool latest =
          latest_due.has_value() && send.fire_time == *latest_due;
      const v1::ReminderStep* step = StepOf(**rule, send.step_id);
      if (step == nullptr) continue;
      const std::string key = absl::StrCat(
          before.name(), ":",
          duty.kind == common::v1::DEADLINE_KIND_DIRECTIVE_ACKNOWLEDGEMENT
              ? "ack"
              : "report",
          ":", absl::FormatCivilTime(duty.due), ":", send.step_id, ":",
          send.repeat_index);
      // A step for the superior only (the rule's escalation step) sends
      // nothing to the recipient.
      const bool to_recipient =
          step->audience().empty() ||
          HasAudience(*step, v1::AUDIENCE_DELIVERY_RECIPIENT);
      if (to_recipient && latest && !before.recipient().empty()) {
        absl::StatusOr<v1::Message> message =
            ReminderMessage(directive, duty, after, *step, key);
        if (!message.ok()) return message.status();
        absl::StatusOr<InboxStore::Appended> appended =
            inbox_.Append(before.recipient(), *message, key);
        if (!appended.ok()) return appended.status();
        if (!appended->duplicate) {
          after.set_reminders_sent(after.reminders_sent() + 1);
          ++sent;
        }
      }
      if (send.escalation && !directive.escalation().disabled()) {
        absl::StatusOr<int> n = Escalate(directive, duty, after, key);
        if (!n.ok()) return n.status();
        sent += *n;
      }
    }
    if (next.has_value()) {
      *after.mutable_next_reminder_time() = ToTimestamp(*next);
    } else {
      after.clear_next_reminder_time();
    }
    return sent;
  }

  // Tells the superior about `after`'s overdue duty, records the
  // Escalation (once per message) and moves a LATE delivery to ESCALATED.
  absl::StatusOr<int> Escalate(const v1::Directive& directive, const Duty& duty,
                               v1::Delivery& after, const std::string& key) {
    const std::string target = EscalationTargetOf(directive, after);
    const std::string recipient = OrganizationRecipientName(target);
    if (recipient.empty()) return 0;  // nobody above: nothing to tell
    absl::StatusOr<v1::Message> message =
        EscalationMessage(directive, duty, after, target);
    if (!message.ok()) return message.status();
    const std::string dedup = absl::StrCat(key, ":escalation");
    message->set_idempotency_key(dedup);
    absl::StatusOr<InboxStore::Appended> appended =
        inbox_.Append(recipient, *message, dedup);
    if (!appended.ok()) return appended.status();
    bool recorded = false;
    for (const v1::Escalation& e : after.escalations()) {
      if (e.message() == appended->name) recorded = true;
    }
    if (!recorded) {
      v1::Escalation* e = after.add_escalations();
      e->set_escalated_to(target);
      e->set_overdue_step(duty.step);
      *e->mutable_time() = ToTimestamp(now_);
      e->set_message(appended->name);
    }
    if (domain::IsAllowedTransition(after.state(),
                                    v1::DELIVERY_STATE_ESCALATED)) {
      after.set_state(v1::DELIVERY_STATE_ESCALATED);
    }
    return appended->duplicate ? 0 : 1;
  }

  // The organisation told (directives.proto EscalationTarget).
  std::string EscalationTargetOf(const v1::Directive& directive,
                                 const v1::Delivery& delivery) const {
    const v1::EscalationPolicy& policy = directive.escalation();
    switch (policy.target()) {
      case v1::ESCALATION_TARGET_ISSUER:
        return directive.issuing_organization();
      case v1::ESCALATION_TARGET_NAMED:
        return policy.target_organization();
      default:
        break;
    }
    // The committee directly above the recipient organisation today (for a
    // person: above the last organisation of the path).
    std::string org = delivery.organization();
    if (org.empty() && delivery.organization_path_size() > 0) {
      org = delivery.organization_path(delivery.organization_path_size() - 1);
    }
    if (!org.empty() && tree_.tree != nullptr) {
      const events::v1::OrganizationSnapshot* snapshot =
          tree_.tree->On(org, today_);
      if (snapshot == nullptr) snapshot = tree_.tree->Latest(org);
      if (snapshot != nullptr && !snapshot->parent().empty()) {
        return snapshot->parent();
      }
    }
    // A root (or unknown) organisation: the issuer follows it up.
    return directive.issuing_organization();
  }

  // K for PlanOptions.escalate_after_reminders (see the header).
  absl::StatusOr<int> EscalateAfter(const v1::Directive& directive,
                                    const v1::ReminderRule& rule) const {
    if (directive.escalation().escalate_after_reminders() > 0) {
      return directive.escalation().escalate_after_reminders();
    }
    for (const v1::ReminderStep& step : rule.steps()) {
      if (step.escalate()) return 0;
    }
    absl::StatusOr<const v1::NotificationRuleSet*> set =
        context_.rule_sets().ForDay(today_);
    if (!set.ok()) return set.status();
    return (*set)->directive_rules().default_escalate_after_reminders();
  }

  absl::StatusOr<const v1::Directive*> DirectiveOf(const std::string& name) {
    auto it = directives_cache_.find(name);
    if (it != directives_cache_.end()) return &it->second;
    absl::StatusOr<Stored<v1::Directive>> d = directives_.Get(name);
    if (!d.ok()) return d.status();
    return &directives_cache_.emplace(name, std::move(d->message))
                .first->second;
  }

  // The reminder rule of `kind` for `directive`, or nullptr when none.
  absl::StatusOr<const v1::ReminderRule*> RuleFor(
      const v1::Directive& directive, common::v1::DeadlineKind kind) {
    std::string name = directive.escalation().reminder_rule();
    if (!name.empty()) {
      absl::StatusOr<const v1::ReminderRule*> own = RuleNamed(name);
      if (!own.ok()) return own.status();
      if (*own != nullptr && (*own)->deadline_kind() == kind) return *own;
    }
    absl::StatusOr<const v1::NotificationRuleSet*> set =
        context_.rule_sets().ForDay(today_);
    if (!set.ok()) return set.status();
    name = domain::DefaultReminderRuleFor(**set, kind);
    if (name.empty()) return nullptr;
    return RuleNamed(name);
  }

  absl::StatusOr<const v1::ReminderRule*> RuleNamed(const std::string& name) {
    auto it = rules_cache_.find(name);
    if (it != rules_cache_.end()) return &it->second;
    absl::StatusOr<std::string> id =
        ParseReminderRuleName(name, "escalation.reminder_rule");
    if (!id.ok()) return id.status();
    absl::StatusOr<CurrentRule> rule = rules_.Get(*id);
    if (!rule.ok()) return rule.status();
    return &rules_cache_.emplace(name, std::move(rule->message)).first->second;
  }

  std::string Label(const std::string& organization) const {
    if (tree_.tree == nullptr || organization.empty()) return organization;
    const events::v1::OrganizationSnapshot* s =
        tree_.tree->On(organization, today_);
    if (s == nullptr) s = tree_.tree->Latest(organization);
    return s != nullptr && !s->display_name().empty() ? s->display_name()
                                                      : organization;
  }

  // The values every directive message template may use.
  nlohmann::json Values(const v1::Directive& directive, const Duty& duty,
                        const v1::Delivery& delivery) const {
    nlohmann::json values = nlohmann::json::object();
    values["reference"] = directive.reference();
    values["subject"] = directive.subject();
    values["issuer_label"] = Label(directive.issuing_organization());
    values["recipient_label"] = delivery.recipient_label().empty()
                                    ? Label(delivery.organization())
                                    : delivery.recipient_label();
    if (IsValidDate(delivery.acknowledge_by())) {
      values["acknowledge_by"] = FormatDate(delivery.acknowledge_by());
    }
    if (IsValidDate(delivery.next_report_due())) {
      values["report_due"] = FormatDate(delivery.next_report_due());
    }
    values["due_date"] = FormatDay(duty.due);
    values["days_overdue"] = std::to_string(
        std::max<int64_t>(0, static_cast<int64_t>(today_ - duty.due)));
    values["reminder_count"] = std::to_string(delivery.reminders_sent());
    values["overdue_step"] = DutyWords(duty.step);
    values["link"] = delivery.name();
    return values;
  }

  // The in-app message of template `id` with `values`, or the fallback
  // text when the template is missing or does not render.
  v1::Message Render(const std::string& id, const nlohmann::json& values,
                     std::string fallback_subject, std::string fallback_body,
                     v1::MessageCategory fallback_category) {
    v1::Message message;
    message.set_category(fallback_category);
    absl::StatusOr<CurrentTemplate> tmpl = templates_.GetCurrent(id);
    if (tmpl.ok()) {
      absl::StatusOr<std::vector<v1::RenderedVariant>> rendered =
          templates::RenderTemplate(tmpl->message, values,
                                    context_.rules().templates->partials,
                                    v1::CHANNEL_TYPE_IN_APP);
      if (rendered.ok() && !rendered->empty()) {
        message.set_subject(rendered->front().subject());
        message.set_body(rendered->front().body());
        message.set_template_(absl::StrCat("templates/", id));
        if (tmpl->message.category() != v1::MESSAGE_CATEGORY_UNSPECIFIED) {
          message.set_category(tmpl->message.category());
        }
        return message;
      }
    }
    message.set_subject(std::move(fallback_subject));
    message.set_body(std::move(fallback_body));
    return message;
  }

  // The reminder to the recipient (the one place its text is built).
  absl::StatusOr<v1::Message> ReminderMessage(const v1::Directive& directive,
                                              const Duty& duty,
                                              const v1::Delivery& delivery,
                                              const v1::ReminderStep& step,
                                              const std::string& key) {
    const nlohmann::json values = Values(directive, duty, delivery);
    const bool ack =
        duty.kind == common::v1::DEADLINE_KIND_DIRECTIVE_ACKNOWLEDGEMENT;
    const std::string label = values["recipient_label"];
    const std::string due = FormatDay(duty.due);
    v1::Message message = Render(
        ack ? "directive-ack-reminder" : "directive-report-reminder", values,
        ack ? absl::StrCat("Nhắc xác nhận văn bản ", directive.reference())
            : absl::StrCat("Đôn đốc báo cáo kết quả thực hiện ",
                           directive.reference()),
        ack ? absl::StrCat("Kính gửi ", label, ",\n\nVăn bản số ",
                           directive.reference(), " ", directive.subject(),
                           " cần được xác nhận đã nhận trước ngày ", due, ".")
            : absl::StrCat("Kính gửi ", label,
                           ",\n\nĐề nghị gửi báo cáo kết "
                           "quả thực hiện văn bản số ",
                           directive.reference(), " ", directive.subject(),
                           " trước ngày ", due, "."),
        v1::MESSAGE_CATEGORY_DIRECTIVE_REMINDER);
    message.set_priority(step.priority() == v1::MESSAGE_PRIORITY_UNSPECIFIED
                             ? v1::MESSAGE_PRIORITY_NORMAL
                             : step.priority());
    message.set_subject_resource(directive.name());
    message.set_delivery(delivery.name());
    message.set_idempotency_key(key);
    *message.mutable_create_time() = ToTimestamp(now_);
    return message;
  }

  // The message to the superior's office about a late delivery.
  absl::StatusOr<v1::Message> EscalationMessage(const v1::Directive& directive,
                                                const Duty& duty,
                                                const v1::Delivery& delivery,
                                                const std::string& target) {
    nlohmann::json values = Values(directive, duty, delivery);
    values["superior_label"] = Label(target);
    const std::string label = values["recipient_label"];
    v1::Message message =
        Render("directive-escalation", values,
               absl::StrCat(label, " chậm ", DutyWords(duty.step), " văn bản ",
                            directive.reference()),
               absl::StrCat("Kính gửi ", Label(target), ",\n\n", label,
                            " chưa ", DutyWords(duty.step), " văn bản số ",
                            directive.reference(), " ", directive.subject(),
                            "; hạn là ngày ", FormatDay(duty.due),
                            ". Đề nghị cấp ủy chỉ đạo, đôn đốc thực hiện."),
               v1::MESSAGE_CATEGORY_ESCALATION);
    message.set_priority(v1::MESSAGE_PRIORITY_URGENT);
    message.set_subject_resource(directive.name());
    message.set_delivery(delivery.name());
    *message.mutable_create_time() = ToTimestamp(now_);
    return message;
  }

  NotificationContext& context_;
  const absl::Time now_;
  const absl::CivilDay today_;
  DirectiveStore directives_;
  DeliveryStore deliveries_;
  InboxStore inbox_;
  ReminderRuleStore rules_;
  TemplateStore templates_;
  TreeOnDay tree_;
  std::map<std::string, v1::Directive> directives_cache_;
  std::map<std::string, v1::ReminderRule> rules_cache_;
};

DeliveryDeadlines::DeliveryDeadlines(NotificationContext& context,
                                     absl::Duration period)
    : context_(context), period_(period) {}

DeliveryDeadlines::~DeliveryDeadlines() { Stop(); }

absl::StatusOr<int> DeliveryDeadlines::SweepOnce() {
  Sweep sweep(context_);
  return sweep.Run();
}

void DeliveryDeadlines::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      lock.unlock();
      absl::StatusOr<int> sent = SweepOnce();
      if (!sent.ok()) {
        context_.runtime().logger().Warn("delivery_deadlines_sweep_failed",
                                         {{"error", sent.status().ToString()}});
      }
      lock.lock();
      wake_.wait_for(lock, absl::ToChronoMilliseconds(period_),
                     [this] { return stopping_; });
    }
  });
}

void DeliveryDeadlines::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace partydev::notification
