#include "services/notification/domain/delivery_states.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/errors.h"
#include "services/notification/domain/vietnamese_dates.h"

namespace partydev::notification::domain {
namespace {

using State = v1::DeliveryState;

// The state as a reader sees it in a message.
absl::string_view Vietnamese(State state) {
  switch (state) {
    case v1::DELIVERY_STATE_PENDING:
      return "đang chờ gửi";
    case v1::DELIVERY_STATE_SENT:
      return "đã gửi";
    case v1::DELIVERY_STATE_DELIVERED:
      return "đã đến nơi nhận";
    case v1::DELIVERY_STATE_READ:
      return "đã đọc";
    case v1::DELIVERY_STATE_ACKNOWLEDGED:
      return "đã xác nhận";
    case v1::DELIVERY_STATE_REPORTED:
      return "đã báo cáo";
    case v1::DELIVERY_STATE_LATE:
      return "quá hạn";
    case v1::DELIVERY_STATE_ESCALATED:
      return "quá hạn, đã báo cấp trên";
    case v1::DELIVERY_STATE_FAILED:
      return "gửi không thành công";
    case v1::DELIVERY_STATE_CANCELLED:
      return "đã hủy";
    default:
      return "không xác định";
  }
}

absl::Status Violation(const v1::Delivery& delivery, absl::string_view rule,
                       std::string description) {
  return RulesViolated(
      {{std::string(rule), delivery.name(), std::move(description)}});
}

bool Acknowledged(const v1::Delivery& delivery) {
  return delivery.has_acknowledgement() ||
         delivery.state() == v1::DELIVERY_STATE_ACKNOWLEDGED ||
         delivery.state() == v1::DELIVERY_STATE_REPORTED;
}

absl::CivilDay AddPeriod(absl::CivilDay first, v1::ReportRecurrence r, int n) {
  switch (r) {
    case v1::REPORT_RECURRENCE_MONTHLY:
      return AddMonths(first, n);
    case v1::REPORT_RECURRENCE_QUARTERLY:
      return AddMonths(first, 3 * n);
    case v1::REPORT_RECURRENCE_HALF_YEARLY:
      return AddMonths(first, 6 * n);
    case v1::REPORT_RECURRENCE_YEARLY:
      return AddMonths(first, 12 * n);
    default:
      return first;
  }
}

}  // namespace

bool IsAllowedTransition(State from, State to) {
  if (from == to) return false;
  if (to == v1::DELIVERY_STATE_CANCELLED) {
    return from != v1::DELIVERY_STATE_CANCELLED &&
           from != v1::DELIVERY_STATE_UNSPECIFIED;
  }
  switch (from) {
    case v1::DELIVERY_STATE_PENDING:
      return to == v1::DELIVERY_STATE_SENT ||
             to == v1::DELIVERY_STATE_DELIVERED ||
             to == v1::DELIVERY_STATE_FAILED;
    case v1::DELIVERY_STATE_SENT:
      return to == v1::DELIVERY_STATE_DELIVERED ||
             to == v1::DELIVERY_STATE_FAILED;
    // REPORTED straight from DELIVERED or READ: a delivery that needs no
    // acknowledgement (CheckReport requires one first when it does).
    case v1::DELIVERY_STATE_DELIVERED:
      return to == v1::DELIVERY_STATE_READ ||
             to == v1::DELIVERY_STATE_ACKNOWLEDGED ||
             to == v1::DELIVERY_STATE_REPORTED || to == v1::DELIVERY_STATE_LATE;
    case v1::DELIVERY_STATE_READ:
      return to == v1::DELIVERY_STATE_ACKNOWLEDGED ||
             to == v1::DELIVERY_STATE_REPORTED || to == v1::DELIVERY_STATE_LATE;
    case v1::DELIVERY_STATE_ACKNOWLEDGED:
      return to == v1::DELIVERY_STATE_REPORTED || to == v1::DELIVERY_STATE_LATE;
    case v1::DELIVERY_STATE_REPORTED:
      return to == v1::DELIVERY_STATE_LATE;
    case v1::DELIVERY_STATE_LATE:
      return to == v1::DELIVERY_STATE_ESCALATED ||
             to == v1::DELIVERY_STATE_ACKNOWLEDGED ||
             to == v1::DELIVERY_STATE_REPORTED;
    case v1::DELIVERY_STATE_ESCALATED:
      return to == v1::DELIVERY_STATE_ACKNOWLEDGED ||
             to == v1::DELIVERY_STATE_REPORTED;
    case v1::DELIVERY_STATE_FAILED:
      return to == v1::DELIVERY_STATE_PENDING ||
             to == v1::DELIVERY_STATE_DELIVERED;
    default:
      return false;
  }
}

absl::Status CheckTransition(const v1::Delivery& delivery, State to) {
  if (IsAllowedTransition(delivery.state(), to)) return absl::OkStatus();
  if (delivery.state() == v1::DELIVERY_STATE_CANCELLED) {
    return Violation(
        delivery, kRuleCancelled,
        absl::StrCat("Văn bản gửi đã bị hủy (", delivery.cancel_reason(),
                     "); không thể chuyển sang trạng thái \"", Vietnamese(to),
                     "\"."));
  }
  return Violation(
      delivery, kRuleTransition,
      absl::StrCat("Không thể chuyển từ trạng thái \"",
                   Vietnamese(delivery.state()), "\" (",
                   v1::DeliveryState_Name(delivery.state()), ") sang \"",
                   Vietnamese(to), "\" (", v1::DeliveryState_Name(to), ")."));
}

bool MayActForRecipient(const v1::Delivery& delivery, const Actor& actor) {
  if (!delivery.person().empty()) return actor.subject == delivery.person();
  if (delivery.organization().empty() || actor.organization_path.empty()) {
    return false;
  }
  return actor.officer &&
         actor.organization_path.back() == delivery.organization();
}

absl::Status CheckAcknowledge(const v1::Delivery& delivery,
                              const Actor& actor) {
  if (delivery.state() == v1::DELIVERY_STATE_CANCELLED) {
    return Violation(
        delivery, kRuleCancelled,
        absl::StrCat("Văn bản gửi đã bị hủy (", delivery.cancel_reason(),
                     "); không cần xác nhận."));
  }
  if (!delivery.acknowledgement_required()) {
    return Violation(delivery, kRuleAckRequired,
                     "Văn bản này không yêu cầu nơi nhận xác nhận.");
  }
  if (Acknowledged(delivery)) {
    return Violation(
        delivery, kRuleAckOnce,
        absl::StrCat(
            "Văn bản đã được xác nhận",
            delivery.acknowledgement().acknowledged_by_name().empty()
                ? ""
                : absl::StrCat(
                      " bởi đồng chí ",
                      delivery.acknowledgement().acknowledged_by_name()),
            "; mỗi văn bản chỉ xác nhận một lần."));
  }
  switch (delivery.state()) {
    case v1::DELIVERY_STATE_PENDING:
    case v1::DELIVERY_STATE_SENT:
    case v1::DELIVERY_STATE_FAILED:
      return Violation(delivery, kRuleAckDelivered,
                       absl::StrCat("Văn bản chưa đến nơi nhận (",
                                    Vietnamese(delivery.state()),
                                    "); chỉ xác nhận được sau khi đã nhận."));
    default:
      break;
  }
  if (!MayActForRecipient(delivery, actor)) {
    return WithReason(
        absl::PermissionDeniedError(absl::StrCat(
            "[", kRuleAckRecipient, "] Chỉ cán bộ của ",
            delivery.recipient_label().empty() ? delivery.organization()
                                               : delivery.recipient_label(),
            " mới được xác nhận văn bản gửi đến tổ chức này.")),
        "OUTSIDE_SUBTREE");
  }
  return absl::OkStatus();
}

AcknowledgeOutcome Acknowledge(const v1::Delivery& delivery, absl::Time now) {
  AcknowledgeOutcome outcome;
  outcome.late = !IsUnset(delivery.acknowledge_by()) &&
                 VietnamDayOf(now) > CivilDayOf(delivery.acknowledge_by());
  outcome.state = IsLateToReport(delivery, now)
                      ? v1::DELIVERY_STATE_LATE
                      : v1::DELIVERY_STATE_ACKNOWLEDGED;
  return outcome;
}

absl::Status CheckReport(const v1::Delivery& delivery, const Actor& actor) {
  if (delivery.state() == v1::DELIVERY_STATE_CANCELLED) {
    return Violation(delivery, kRuleCancelled,
                     "Văn bản gửi đã bị hủy; không nhận báo cáo.");
  }
  if (!delivery.report_required()) {
    return Violation(delivery, kRuleReportRequired,
                     "Nơi nhận này không có nhiệm vụ báo cáo kết quả thực "
                     "hiện văn bản.");
  }
  if (!MayActForRecipient(delivery, actor)) {
    return WithReason(
        absl::PermissionDeniedError(absl::StrCat(
            "[", kRuleAckRecipient, "] Chỉ cán bộ của ",
            delivery.recipient_label().empty() ? delivery.organization()
                                               : delivery.recipient_label(),
            " mới được báo cáo thay tổ chức này.")),
        "OUTSIDE_SUBTREE");
  }
  if (delivery.acknowledgement_required() && !Acknowledged(delivery)) {
    return Violation(delivery, kRuleReportAcknowledged,
                     "Cần xác nhận đã nhận văn bản trước khi báo cáo kết quả "
                     "thực hiện.");
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::CivilDay> AcknowledgementDueDate(
    const v1::Directive& directive, const v1::NotificationRuleSet& rules,
    absl::CivilDay delivered_on, const WorkingDays& working_days) {
  const v1::AcknowledgementRequirement& ack = directive.acknowledgement();
  switch (ack.deadline_case()) {
    case v1::AcknowledgementRequirement::kDueDate:
      return ToCivilDay(ack.due_date(), "acknowledgement.due_date");
    case v1::AcknowledgementRequirement::kWithinWorkingDays:
      if (ack.within_working_days() < 1) {
        return InvalidField("acknowledgement.within_working_days",
                            "must be at least 1");
      }
      return working_days.AddWorkingDays(delivered_on,
                                         ack.within_working_days());
    default:
      return working_days.AddWorkingDays(
          delivered_on,
          rules.directive_rules().default_acknowledgement_working_days());
  }
}

std::vector<absl::CivilDay> ReportDueDates(
    const v1::ReportRequirement& requirement, absl::CivilDay until) {
  std::vector<absl::CivilDay> out;
  if (!IsValidDate(requirement.first_due_date())) return out;
  const absl::CivilDay first = CivilDayOf(requirement.first_due_date());
  absl::CivilDay last = until;
  if (IsValidDate(requirement.last_due_date())) {
    last = std::min(last, CivilDayOf(requirement.last_due_date()));
  }
  const bool once =
      requirement.recurrence() == v1::REPORT_RECURRENCE_ONCE ||
      requirement.recurrence() == v1::REPORT_RECURRENCE_UNSPECIFIED;
  for (int n = 0;; ++n) {
    const absl::CivilDay day = AddPeriod(first, requirement.recurrence(), n);
    if (day > last) break;
    out.push_back(day);
    if (once) break;
  }
  return out;
}

std::optional<absl::CivilDay> NextReportDue(
    const v1::ReportRequirement& requirement, const v1::Delivery& delivery,
    absl::CivilDay horizon) {
  for (absl::CivilDay due : ReportDueDates(requirement, horizon)) {
    bool answered = false;
    for (const v1::ImplementationReport& report : delivery.reports()) {
      if (!report.superseded() && IsValidDate(report.due_date()) &&
          CivilDayOf(report.due_date()) == due) {
        answered = true;
        break;
      }
    }
    if (!answered) return due;
  }
  return std::nullopt;
}

bool IsLateToAcknowledge(const v1::Delivery& delivery, absl::Time now) {
  return delivery.state() != v1::DELIVERY_STATE_CANCELLED &&
         delivery.acknowledgement_required() && !Acknowledged(delivery) &&
         IsValidDate(delivery.acknowledge_by()) &&
         VietnamDayOf(now) > CivilDayOf(delivery.acknowledge_by());
}

bool IsLateToReport(const v1::Delivery& delivery, absl::Time now) {
  return delivery.state() != v1::DELIVERY_STATE_CANCELLED &&
         delivery.report_required() &&
         IsValidDate(delivery.next_report_due()) &&
         VietnamDayOf(now) > CivilDayOf(delivery.next_report_due());
}

v1::OverdueStep OverdueStepAt(const v1::Delivery& delivery, absl::Time now) {
  if (IsLateToAcknowledge(delivery, now)) {
    return v1::OVERDUE_STEP_ACKNOWLEDGEMENT;
  }
  if (IsLateToReport(delivery, now)) return v1::OVERDUE_STEP_REPORT;
  return v1::OVERDUE_STEP_NONE;
}

}  // namespace partydev::notification::domain
