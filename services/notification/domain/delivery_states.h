// File: services/notification/domain/delivery_states.h
//
// The life of one delivery of a directive (deliveries.proto Delivery,
// directives.proto DeliveryState): PENDING (queued by the fan-out) → SENT
// (handed to a channel) → DELIVERED (a channel confirmed) → READ (an officer
// opened it) → ACKNOWLEDGED (xác nhận đã nhận, once) → REPORTED (every
// report due so far submitted). A required step past its due date makes it
// LATE, then ESCALATED once the superior was told; completing the step
// moves it on (the lateness stays recorded on the acknowledgement or the
// report). FAILED when every channel failed permanently (a replay queues it
// again); CANCELLED when the directive is withdrawn (thu hồi) or the
// recipient removed by an amendment, and terminal.
//
// Each refused change is a RuleViolation (FAILED_PRECONDITION) with a
// stable rule id and a Vietnamese message; acknowledging someone else's
// delivery is PERMISSION_DENIED (deliveries.proto AcknowledgeDeliveryRequest:
// rule `directive.acknowledge.once`).
//
// Due dates: the acknowledgement is due N working days after delivery
// (the rule set's default) unless the directive sets a date or its own
// number of working days; reports are due on the directive's
// ReportRequirement dates. A step is late from the day after its due date,
// Vietnam time.

#ifndef PARTYDEV_SERVICES_NOTIFICATION_DOMAIN_DELIVERY_STATES_H_
#define PARTYDEV_SERVICES_NOTIFICATION_DOMAIN_DELIVERY_STATES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "partydev/notification/v1/deliveries.pb.h"
#include "partydev/notification/v1/directives.pb.h"
#include "partydev/notification/v1/rule_sets.pb.h"
#include "services/notification/domain/working_days.h"

namespace partydev::notification::domain {

// Stable rule ids of the refusals.
inline constexpr char kRuleTransition[] = "directive.delivery.transition";
inline constexpr char kRuleCancelled[] = "directive.delivery.cancelled";
inline constexpr char kRuleAckOnce[] = "directive.acknowledge.once";
inline constexpr char kRuleAckRequired[] = "directive.acknowledge.required";
inline constexpr char kRuleAckDelivered[] = "directive.acknowledge.delivered";
inline constexpr char kRuleAckRecipient[] = "directive.acknowledge.recipient";
inline constexpr char kRuleReportRequired[] = "directive.report.required";
inline constexpr char kRuleReportAcknowledged[] =
    "directive.report.acknowledged";

// True when `from` → `to` is a change the machine allows:
//   PENDING → SENT | DELIVERED | FAILED
//   SENT → DELIVERED | FAILED
//   DELIVERED → READ | ACKNOWLEDGED | REPORTED | LATE
//   READ → ACKNOWLEDGED | REPORTED | LATE
//   (REPORTED without ACKNOWLEDGED only when no acknowledgement is
//   required: CheckReport)
//   ACKNOWLEDGED → REPORTED | LATE (a report overdue)
//   REPORTED → LATE (the next period's report overdue)
//   LATE → ESCALATED | ACKNOWLEDGED | REPORTED (reading a late delivery
//          keeps it LATE: read_time is recorded, the state stays)
//   ESCALATED → ACKNOWLEDGED | REPORTED
//   FAILED → PENDING (replayed from the dead letters) | DELIVERED (another
//            channel confirmed later)
//   any but CANCELLED → CANCELLED (withdrawal, amendment)
// Staying in the same state is not a transition (false).
bool IsAllowedTransition(v1::DeliveryState from, v1::DeliveryState to);

// OK when allowed; FAILED_PRECONDITION `directive.delivery.transition`
// (or `directive.delivery.cancelled` from CANCELLED) naming both states.
absl::Status CheckTransition(const v1::Delivery& delivery,
                             v1::DeliveryState to);

// The caller of AcknowledgeDelivery or SubmitDeliveryReport.
struct Actor {
  // `people/{person}` or a token subject.
  std::string subject;
  // The organisations the caller is bound to, root first, ending with the
  // caller's own organisation (CallContext).
  std::vector<std::string> organization_path;
  // Whether the caller holds an office in that organisation (secretary,
  // deputy, committee member or office staff) that may act for it.
  bool officer = false;
};

// Whether `actor` may act for the recipient of `delivery`: an officer of
// the recipient organisation itself (not of a superior, not of another
// organisation), or the recipient person.
bool MayActForRecipient(const v1::Delivery& delivery, const Actor& actor);

// Every rule of AcknowledgeDelivery on `delivery` by `actor`: the delivery
// is not cancelled; it requires acknowledgement; it is not yet
// acknowledged (once); a channel delivered it (not PENDING, SENT or
// FAILED); the actor may act for the recipient (PERMISSION_DENIED
// otherwise).
absl::Status CheckAcknowledge(const v1::Delivery& delivery, const Actor& actor);

// The result of a valid acknowledgement at `now`: the new state
// (ACKNOWLEDGED, or LATE when a report is already overdue) and whether the
// acknowledgement came after acknowledge_by (Acknowledgement.late).
struct AcknowledgeOutcome {
  v1::DeliveryState state = v1::DELIVERY_STATE_ACKNOWLEDGED;
  bool late = false;
};
AcknowledgeOutcome Acknowledge(const v1::Delivery& delivery, absl::Time now);

// Every rule of SubmitDeliveryReport: not cancelled, report_required, the
// actor may act for the recipient, and acknowledged first when an
// acknowledgement is required.
absl::Status CheckReport(const v1::Delivery& delivery, const Actor& actor);

// The acknowledgement due date of a delivery delivered on `delivered_on`:
// the directive's due_date, else delivered_on plus its within_working_days,
// else plus the rule set's default_acknowledgement_working_days.
absl::StatusOr<absl::CivilDay> AcknowledgementDueDate(
    const v1::Directive& directive, const v1::NotificationRuleSet& rules,
    absl::CivilDay delivered_on, const WorkingDays& working_days);

// The report due dates of `requirement` up to and including `until`: the
// first due date, then every recurrence period after it (month-end rule of
// common/dates.h), none after last_due_date.
std::vector<absl::CivilDay> ReportDueDates(
    const v1::ReportRequirement& requirement, absl::CivilDay until);

// The earliest due date of `requirement` that no report of `delivery`
// answers (non-superseded report with that due_date), looking up to
// `horizon`; nullopt when every one is answered.
std::optional<absl::CivilDay> NextReportDue(
    const v1::ReportRequirement& requirement, const v1::Delivery& delivery,
    absl::CivilDay horizon);

// Late to acknowledge at `now`: acknowledgement required, not given, not
// cancelled, and today (Vietnam) after acknowledge_by.
bool IsLateToAcknowledge(const v1::Delivery& delivery, absl::Time now);

// Late to report at `now`: reports required, not cancelled, and today
// (Vietnam) after next_report_due.
bool IsLateToReport(const v1::Delivery& delivery, absl::Time now);

// The overdue step at `now` (acknowledgement before report), NONE if none.
v1::OverdueStep OverdueStepAt(const v1::Delivery& delivery, absl::Time now);

}  // namespace partydev::notification::domain

#endif  // PARTYDEV_SERVICES_NOTIFICATION_DOMAIN_DELIVERY_STATES_H_
