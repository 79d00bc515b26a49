#include "services/notification/domain/reminder_schedule.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/errors.h"
#include "services/notification/domain/reference_numbers.h"
#include "services/notification/domain/vietnamese_dates.h"

namespace partydev::notification::domain {
namespace {

absl::StatusOr<absl::CivilDay> Offset(absl::CivilDay due, int days,
                                      v1::DayCount count,
                                      const PlanOptions& options,
                                      absl::string_view step_id) {
  if (count != v1::DAY_COUNT_WORKING) return due + days;
  if (options.working_days == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "step ", step_id, " counts working days but no calendar is given"));
  }
  return options.working_days->AddWorkingDays(due, days);
}

}  // namespace

PlanOptions::PlanOptions() : time_zone(VietnamTimeZone()) {}

absl::Status ValidateReminderRule(const v1::ReminderRule& rule) {
  FieldChecker check;
  if (rule.trigger_case() == v1::ReminderRule::TRIGGER_NOT_SET ||
      (rule.trigger_case() == v1::ReminderRule::kDeadlineKind &&
       rule.deadline_kind() == common::v1::DEADLINE_KIND_UNSPECIFIED) ||
      (rule.trigger_case() == v1::ReminderRule::kEventType &&
       rule.event_type().empty())) {
    check.Add("trigger", "a deadline_kind or an event_type is required");
  }
  if (rule.steps().empty()) check.Add("steps", "at least one is required");
  absl::flat_hash_set<std::string> ids;
  for (int i = 0; i < rule.steps_size(); ++i) {
    const v1::ReminderStep& step = rule.steps(i);
    const std::string field = absl::StrCat("steps[", i, "]");
    if (step.step_id().empty()) {
      check.Add(field + ".step_id", "is required");
    } else if (!ids.insert(step.step_id()).second) {
      check.Add(field + ".step_id",
                absl::StrCat("\"", step.step_id(), "\" is used twice"));
    }
    if (step.repeat_every_days() < 0) {
      check.Add(field + ".repeat_every_days", "must not be negative");
    }
    if (step.max_repeats() < 0) {
      check.Add(field + ".max_repeats", "must not be negative");
    }
    if (step.max_repeats() > 0 && step.repeat_every_days() == 0) {
      check.Add(field + ".max_repeats", "needs repeat_every_days");
    }
    if (step.has_send_at() &&
        (step.send_at().hours() < 0 || step.send_at().hours() > 23 ||
         step.send_at().minutes() < 0 || step.send_at().minutes() > 59)) {
      check.Add(field + ".send_at", "must be a time of day 00:00..23:59");
    }
    if (step.audience().empty()) {
      check.Add(field + ".audience", "at least one is required");
    }
    if (!absl::StartsWith(step.template_(), "templates/") ||
        step.template_().size() == sizeof("templates/") - 1) {
      check.Add(field + ".template", "must be \"templates/{id}\"");
    }
  }
  if (rule.urging_letter().enabled()) {
    if (rule.urging_letter().template_().empty()) {
      check.Add("urging_letter.template", "is required when enabled");
    }
    if (rule.urging_letter().extra_text_template().empty()) {
      check.Add("urging_letter.extra_text_template",
                "is required when enabled");
    }
  }
  const v1::UrgingLetterSpec& urging = rule.urging_letter();
  if (urging.auto_issue()) {
    // What IssueDirective requires besides the body and recipients, which
    // the letter gets from its templates and the lagging organisations.
    const v1::Directive& d = urging.defaults();
    constexpr absl::string_view kRule =
        " (rule urging_letter.auto_issue_defaults: an auto-issued letter "
        "needs it)";
    if (!urging.enabled()) {
      check.Add("urging_letter.enabled", "auto_issue needs an enabled letter");
    }
    if (d.issuer_code().empty()) {
      check.Add("urging_letter.defaults.issuer_code",
                absl::StrCat("is required", kRule));
    } else if (absl::Status code = ValidateIssuerCode(
                   d.issuer_code(), "urging_letter.defaults.issuer_code");
               !code.ok()) {
      check.Add("urging_letter.defaults.issuer_code",
                std::string(code.message()));
    }
    if (d.place().empty()) {
      check.Add("urging_letter.defaults.place",
                absl::StrCat("is required", kRule));
    }
    if (d.signer().capacity() == v1::SIGNING_CAPACITY_UNSPECIFIED) {
      check.Add("urging_letter.defaults.signer.capacity",
                absl::StrCat("is required", kRule));
    }
    if (d.signer().capacity() != v1::SIGNING_CAPACITY_PERSONAL &&
        d.signer().collective().empty()) {
      check.Add("urging_letter.defaults.signer.collective",
                absl::StrCat("is required unless PERSONAL", kRule));
    }
    if (d.signer().title().empty()) {
      check.Add("urging_letter.defaults.signer.title",
                absl::StrCat("is required", kRule));
    }
    if (d.signer().signer_name().empty()) {
      check.Add("urging_letter.defaults.signer.signer_name",
                absl::StrCat("is required", kRule));
    }
  }
  if (urging.has_issue_delay() &&
      (urging.issue_delay().seconds() < 0 ||
       urging.issue_delay().seconds() > 7 * 24 * 3600)) {
    check.Add("urging_letter.issue_delay", "must be between 0 and 7 days");
  }
  return check.ok() ? absl::OkStatus() : check.status();
}

absl::StatusOr<std::vector<PlannedSend>> PlanReminders(
    const v1::ReminderRule& rule, absl::CivilDay due,
    const PlanOptions& options) {
  if (absl::Status s = ValidateReminderRule(rule); !s.ok()) return s;
  struct Ordered {
    PlannedSend send;
    int step_index;
  };
  std::vector<Ordered> planned;
  for (int i = 0; i < rule.steps_size(); ++i) {
    const v1::ReminderStep& step = rule.steps(i);
    absl::StatusOr<absl::CivilDay> first = Offset(
        due, step.offset_days(), step.day_count(), options, step.step_id());
    if (!first.ok()) return first.status();
    int sends = 1;
    if (step.repeat_every_days() > 0) {
      sends += step.max_repeats() > 0
                   ? step.max_repeats()
                   : std::max(0, options.open_ended_repeats - 1);
    }
    const int hours = step.has_send_at() ? step.send_at().hours() : 8;
    const int minutes = step.has_send_at() ? step.send_at().minutes() : 0;
    for (int r = 0; r < sends; ++r) {
      // Repeats count calendar days from the first send ("every 7 days").
      const absl::CivilDay day = *first + r * step.repeat_every_days();
      PlannedSend send;
      send.step_id = step.step_id();
      send.repeat_index = r;
      send.day = day;
      send.fire_time = absl::FromCivil(
          absl::CivilMinute(day.year(), day.month(), day.day(), hours, minutes),
          options.time_zone);
      send.after_due = day > due;
      send.escalation =
          options.escalate_after_reminders > 0 ? false : step.escalate();
      if (send.fire_time > options.not_after) break;
      planned.push_back({std::move(send), i});
    }
  }
  std::stable_sort(planned.begin(), planned.end(),
                   [](const Ordered& a, const Ordered& b) {
                     if (a.send.fire_time != b.send.fire_time) {
                       return a.send.fire_time < b.send.fire_time;
                     }
                     return a.step_index < b.step_index;
                   });
  std::vector<PlannedSend> out;
  out.reserve(planned.size());
  int past_due = 0;
  for (Ordered& o : planned) {
    if (options.escalate_after_reminders > 0 && o.send.after_due &&
        ++past_due == options.escalate_after_reminders) {
      o.send.escalation = true;
    }
    out.push_back(std::move(o.send));
  }
  return out;
}

const PlannedSend* EscalationPoint(const std::vector<PlannedSend>& sends) {
  for (const PlannedSend& send : sends) {
    if (send.escalation) return &send;
  }
  return nullptr;
}

bool IsCauseGone(common::v1::DeadlineKind kind, const v1::Delivery& delivery,
                 absl::CivilDay due) {
  if (delivery.state() == v1::DELIVERY_STATE_CANCELLED) return true;
  switch (kind) {
    case common::v1::DEADLINE_KIND_DIRECTIVE_ACKNOWLEDGEMENT:
      return !delivery.acknowledgement_required() ||
             delivery.has_acknowledgement();
    case common::v1::DEADLINE_KIND_DIRECTIVE_REPORT:
      if (!delivery.report_required()) return true;
      for (const v1::ImplementationReport& report : delivery.reports()) {
        if (!report.superseded() && !IsUnset(report.due_date()) &&
            CivilDayOf(report.due_date()) == due) {
          return true;
        }
      }
      return false;
    default:
      return false;
  }
}

}  // namespace partydev::notification::domain
