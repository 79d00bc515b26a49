#include "services/notification/directive_fan_out.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/change.h"
#include "common/dates.h"
#include "common/errors.h"
#include "google/protobuf/util/time_util.h"
#include "services/notification/domain/delivery_states.h"
#include "services/notification/domain/reference_numbers.h"
#include "services/notification/domain/vietnamese_dates.h"
#include "services/notification/inbox_store.h"
#include "services/notification/recipient_store.h"

namespace partydev::notification {
namespace {

using google::protobuf::util::TimeUtil;

google::protobuf::Timestamp ToProto(absl::Time t) {
  return TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
}

// The day the directive's deliveries are made on: its signing date, else
// the day it was issued (Vietnam).
absl::CivilDay IssueDay(const v1::Directive& directive) {
  if (directive.has_signed_on() && directive.signed_on().year() != 0) {
    return CivilDayOf(directive.signed_on());
  }
  return domain::VietnamDayOf(absl::FromUnixNanos(
      TimeUtil::TimestampToNanoseconds(directive.issue_stamp().time())));
}

// The recipient whose inbox gets the delivery's message.
std::string RecipientOf(const domain::DeliveryTarget& target) {
  switch (target.kind) {
    case domain::TargetKind::kOrganization:
    case domain::TargetKind::kCommitteeMembers:
      // A committee's members are reached through its office until
      // membership publishes committee rosters (issue #4).
      return OrganizationRecipientName(target.target);
    case domain::TargetKind::kPerson:
      return PersonRecipientName(target.target);
    case domain::TargetKind::kRecipient:
      return target.target;
  }
  return "";
}

bool ReportDue(const v1::Directive& directive,
               const domain::DeliveryTarget& target) {
  if (!directive.has_report()) return false;
  const v1::ReportRequirement& report = directive.report();
  switch (report.reporting_parties()) {
    case v1::REPORTING_PARTIES_ACTING_RECIPIENTS:
      return target.purpose == v1::RECIPIENT_PURPOSE_ACT &&
             target.origin == v1::DELIVERY_ORIGIN_LISTED;
    case v1::REPORTING_PARTIES_ALL_ACTING_DELIVERIES:
      return target.purpose == v1::RECIPIENT_PURPOSE_ACT;
    case v1::REPORTING_PARTIES_NAMED:
      return std::find(report.reporting_organizations().begin(),
                       report.reporting_organizations().end(),
                       target.target) != report.reporting_organizations().end();
    default:
      return false;
  }
}

v1::MessagePriority PriorityOf(const v1::Directive& directive) {
  return directive.urgency() >= v1::URGENCY_URGENT
             ? v1::MESSAGE_PRIORITY_URGENT
             : v1::MESSAGE_PRIORITY_NORMAL;
}

// The in-app message of a delivery: short, the document itself is read
// from the delivery (its rendered_text), so 270,000 inboxes do not each
// hold a copy of the body.
v1::Message MessageOf(const v1::Directive& directive,
                      const v1::Delivery& delivery) {
  v1::Message message;
  message.set_category(v1::MESSAGE_CATEGORY_DIRECTIVE);
  message.set_priority(PriorityOf(directive));
  message.set_subject(
      absl::StrCat(directive.reference(), " ", directive.subject()));
  std::string body =
      absl::StrCat("Kính gửi: ", delivery.recipient_label(), ".\n",
                   directive.issuing_body_lines().empty()
                       ? std::string("Cấp ủy")
                       : directive.issuing_body_lines(
                             directive.issuing_body_lines_size() - 1),
                   " ban hành văn bản số ", directive.reference(), " ",
                   directive.subject(), ".");
  if (delivery.acknowledgement_required()) {
    absl::StrAppend(
        &body, "\nĐề nghị xác nhận đã nhận trước ngày ",
        domain::VietnameseLongDate(CivilDayOf(delivery.acknowledge_by())), ".");
  }
  if (delivery.report_required()) {
    absl::StrAppend(
        &body, "\nBáo cáo kết quả thực hiện trước ngày ",
        domain::VietnameseLongDate(CivilDayOf(delivery.next_report_due())),
        ".");
  }
  message.set_body(std::move(body));
  message.set_subject_resource(directive.name());
  message.set_delivery(delivery.name());
  message.set_idempotency_key(delivery.name());
  *message.mutable_create_time() = delivery.create_time();
  *message.mutable_attachments() = directive.attachments();
  return message;
}

}  // namespace

DirectiveFanOut::DirectiveFanOut(NotificationContext& context)
    : context_(context), directives_(context), deliveries_(context) {}

absl::StatusOr<domain::RecipientExpansion> DirectiveFanOut::Expand(
    const v1::Directive& directive, absl::CivilDay day) {
  absl::StatusOr<std::shared_ptr<const OrgTree>> tree =
      context_.organizations().Tree();
  if (!tree.ok()) return tree.status();
  absl::StatusOr<const v1::NotificationRuleSet*> rules =
      context_.rule_sets().ForDay(day);
  if (!rules.ok()) return rules.status();
  domain::ExpandOptions options;
  options.max_deliveries =
      (*rules)->directive_rules().max_deliveries_per_directive();
  return domain::ExpandRecipients(directive, **tree, day, options);
}

void DirectiveFanOut::StageJob(AtomicWrite& write, const std::string& directive,
                               absl::string_view idempotency_key,
                               bool notify_change) {
  storage::v1::Job job;
  job.set_kind(v1::JOB_KIND_FAN_OUT);
  // The fan-out is what makes the directive reach anyone: it goes first.
  job.set_priority(v1::MESSAGE_PRIORITY_URGENT);
  job.set_payload(directive);  // the directive's name
  if (notify_change) job.set_message("notify-change");
  job.set_idempotency_key(std::string(idempotency_key));
  context_.queue().StageEnqueue(write, std::move(job), context_.clock().Now());
}

JobResult DirectiveFanOut::Handle(const storage::v1::Job& job) {
  if (job.payload().rfind("directives/", 0) != 0) {
    return JobResult::Dead(v1::DEAD_LETTER_REASON_MALFORMED_JOB,
                           "a fan-out job without its directive");
  }
  absl::Status status = Run(job.payload(), job.message() == "notify-change");
  if (status.ok()) return JobResult::Done();
  if (absl::IsNotFound(status)) {
    // A draft deleted or a directive that never existed: nothing to do.
    return JobResult::Done();
  }
  return JobResult::Retry(std::string(status.message()));
}

absl::Status DirectiveFanOut::Run(const std::string& name, bool notify_change) {
  // The expansion is computed once per run (a national directive's takes a
  // second) and again only when an amendment changed the directive.
  std::optional<domain::RecipientExpansion> expansion;
  int expanded_for_amendments = -1;
  std::shared_ptr<const OrgTree> tree;
  for (int conflicts = 0; conflicts < 100;) {
    absl::StatusOr<Stored<v1::Directive>> stored = directives_.Get(name);
    if (!stored.ok()) return stored.status();
    v1::Directive& directive = stored->message;
    if (directive.state() == v1::DIRECTIVE_STATE_WITHDRAWN) {
      return Reconcile(directive, nullptr, false);
    }
    if (directive.state() == v1::DIRECTIVE_STATE_ISSUED) {
      // Done before, or an amendment that changed no recipient.
      return notify_change ? Reconcile(directive, nullptr, true)
                           : absl::OkStatus();
    }
    if (directive.state() != v1::DIRECTIVE_STATE_ISSUING) {
      return absl::OkStatus();  // a draft: nothing to deliver yet
    }
    const absl::CivilDay day = IssueDay(directive);
    if (!expansion.has_value() ||
        expanded_for_amendments != directive.amendments_size()) {
      absl::StatusOr<std::shared_ptr<const OrgTree>> snapshot =
          context_.organizations().Tree();
      if (!snapshot.ok()) return snapshot.status();
      tree = *std::move(snapshot);
      absl::StatusOr<domain::RecipientExpansion> expanded =
          Expand(directive, day);
      if (!expanded.ok()) return expanded.status();
      expansion = *std::move(expanded);
      expanded_for_amendments = directive.amendments_size();
    }
    absl::StatusOr<const v1::NotificationRuleSet*> rules =
        context_.rule_sets().ForDay(day);
    if (!rules.ok()) return rules.status();

    const std::vector<domain::DeliveryTarget>& targets = expansion->targets;
    const int total = static_cast<int>(targets.size());
    const int from = std::min(directive.fan_out().created_deliveries(), total);
    const int to = std::min(from + kChunk, total);

    std::vector<std::string> ids;
    ids.reserve(to - from);
    for (int i = from; i < to; ++i) ids.push_back(DeliveryIdOf(targets[i]));
    absl::StatusOr<std::vector<bool>> exist = deliveries_.Exist(name, ids);
    if (!exist.ok()) return exist.status();

    const absl::Time now = context_.clock().Now();
    const absl::CivilDay today = domain::VietnamDayOf(now);
    AtomicWrite write;
    InboxStore inbox(context_);
    const std::string links = deliveries_.MessageLinksKey(name);
    for (int i = from; i < to; ++i) {
      if ((*exist)[i - from]) continue;  // a resumed chunk made it already
      absl::StatusOr<v1::Delivery> delivery =
          NewDelivery(directive, targets[i], *tree, **rules, day, today, now);
      if (!delivery.ok()) return delivery.status();
      inbox.StageAppend(write, delivery->recipient(),
                        MessageOf(directive, *delivery), links, ids[i - from]);
      deliveries_.StageChange(write, nullptr, 0, *delivery);
    }
    v1::FanOut& fan_out = *directive.mutable_fan_out();
    fan_out.set_planned_deliveries(total);
    fan_out.set_created_deliveries(to);
    if (to == total) {
      directive.set_state(v1::DIRECTIVE_STATE_ISSUED);
      *fan_out.mutable_end_time() = ToProto(now);
    }
    directives_.StagePut(write, directive, stored->version);
    absl::StatusOr<WriteResult> committed = write.Commit(context_.redis());
    if (absl::IsAborted(committed.status())) {
      ++conflicts;  // re-read, resume
      continue;
    }
    if (!committed.ok()) return committed.status();
    if (to == total) {
      if (directive.amendments().empty()) return absl::OkStatus();
      absl::flat_hash_set<std::string> keep;
      for (const domain::DeliveryTarget& t : targets) {
        keep.insert(DeliveryIdOf(t));
      }
      directive.set_name(name);
      return Reconcile(directive, &keep, notify_change);
    }
  }
  return absl::AbortedError(
      absl::StrCat("fan-out of ", name, " kept conflicting; retried later"));
}

absl::StatusOr<v1::Delivery> DirectiveFanOut::NewDelivery(
    const v1::Directive& directive, const domain::DeliveryTarget& target,
    const OrgTree& tree, const v1::NotificationRuleSet& rules,
    absl::CivilDay day, absl::CivilDay today, absl::Time now) const {
  v1::Delivery d;
  d.set_name(
      absl::StrCat(directive.name(), "/deliveries/", DeliveryIdOf(target)));
  d.set_recipient(RecipientOf(target));
  switch (target.kind) {
    case domain::TargetKind::kOrganization:
    case domain::TargetKind::kCommitteeMembers:
      d.set_organization(target.target);
      for (std::string& org : tree.PathOn(target.target, day)) {
        d.add_organization_path(std::move(org));
      }
      break;
    case domain::TargetKind::kPerson:
      d.set_person(target.target);
      break;
    case domain::TargetKind::kRecipient:
      break;
  }
  d.set_recipient_label(target.label);
  d.set_purpose(target.purpose);
  d.set_origin(target.origin);
  d.set_recipient_key(target.recipient_key);
  d.set_disseminated_under(target.disseminated_under);
  // The in-app message is stored in the same write: delivered at once.
  d.set_state(v1::DELIVERY_STATE_DELIVERED);
  *d.mutable_create_time() = ToProto(now);
  *d.mutable_deliver_time() = ToProto(now);
  d.set_acknowledgement_required(target.acknowledgement_required &&
                                 target.purpose !=
                                     v1::RECIPIENT_PURPOSE_ARCHIVE);
  if (d.acknowledgement_required()) {
    absl::StatusOr<absl::CivilDay> due = domain::AcknowledgementDueDate(
        directive, rules, today, context_.working_days());
    if (!due.ok()) return due.status();
    *d.mutable_acknowledge_by() = FromCivilDay(*due);
  }
  d.set_report_required(ReportDue(directive, target));
  if (d.report_required()) {
    absl::CivilDay horizon = absl::CivilDay(9999, 12, 31);
    std::optional<absl::CivilDay> next =
        domain::NextReportDue(directive.report(), d, horizon);
    if (next.has_value()) *d.mutable_next_report_due() = FromCivilDay(*next);
  }
  d.set_overdue_step(v1::OVERDUE_STEP_NONE);
  if (target.origin == v1::DELIVERY_ORIGIN_LISTED) {
    for (const v1::DirectiveRecipient& line : directive.recipients()) {
      if (line.key() == target.recipient_key) {
        d.set_extra_text(line.extra_text());
        break;
      }
    }
  }
  *d.mutable_update_stamp()->mutable_time() = ToProto(now);
  return d;
}

absl::Status DirectiveFanOut::Reconcile(
    const v1::Directive& directive,
    const absl::flat_hash_set<std::string>* keep, bool notify_kept) {
  const bool withdrawn = directive.state() == v1::DIRECTIVE_STATE_WITHDRAWN;
  const std::string reason =
      withdrawn ? directive.withdraw_stamp().reason()
      : directive.amendments().empty()
          ? std::string()
          : directive.amendments().rbegin()->stamp().reason();
  const common::v1::ChangeStamp& stamp =
      withdrawn ? directive.withdraw_stamp() : directive.update_stamp();
  const std::string& name = directive.name();
  std::string cursor;
  InboxStore inbox(context_);
  const absl::Time now = context_.clock().Now();
  while (true) {
    absl::StatusOr<IdPage> page = deliveries_.PageIds(name, cursor, kChunk);
    if (!page.ok()) return page.status();
    std::vector<std::string> names;
    names.reserve(page->ids.size());
    for (const std::string& id : page->ids) {
      names.push_back(absl::StrCat(name, "/deliveries/", id));
    }
    absl::StatusOr<std::vector<Stored<v1::Delivery>>> stored =
        deliveries_.GetMany(names);
    if (!stored.ok()) return stored.status();
    AtomicWrite write;
    for (Stored<v1::Delivery>& s : *stored) {
      if (s.message.state() == v1::DELIVERY_STATE_CANCELLED) continue;
      const bool cancel = withdrawn || (keep != nullptr &&
                                        !keep->contains(s.message.name().substr(
                                            s.message.name().rfind('/') + 1)));
      if (!cancel && !notify_kept) continue;
      v1::Message message;
      message.set_category(v1::MESSAGE_CATEGORY_DIRECTIVE_CHANGE);
      message.set_priority(PriorityOf(directive));
      message.set_subject_resource(name);
      message.set_delivery(s.message.name());
      *message.mutable_create_time() = ToProto(now);
      if (cancel) {
        v1::Delivery after = s.message;
        after.set_state(v1::DELIVERY_STATE_CANCELLED);
        after.set_overdue_step(v1::OVERDUE_STEP_NONE);
        after.set_cancel_reason(reason);
        *after.mutable_update_stamp() = stamp;
        deliveries_.StageChange(write, &s.message, s.version, after);
        // Every recipient reached is told (directive_service.proto
        // WithdrawDirective, AmendDirective), in the cancellation's write.
        message.set_subject(absl::StrCat(withdrawn
                                             ? "Thu hồi văn bản số "
                                             : "Văn bản không còn gửi đến "
                                               "đơn vị: số ",
                                         directive.reference()));
        message.set_body(absl::StrCat(
            "Văn bản số ", directive.reference(), " ", directive.subject(),
            withdrawn ? " đã bị thu hồi."
                      : " đã được sửa đổi và không còn "
                        "gửi đến đơn vị.",
            " Lý do: ", reason, "."));
      } else {
        message.set_subject(
            absl::StrCat("Sửa đổi văn bản số ", directive.reference()));
        message.set_body(absl::StrCat(
            "Văn bản số ", directive.reference(), " ", directive.subject(),
            " đã được sửa đổi (lần ", directive.amendments_size(),
            "). Lý do: ", reason, "."));
      }
      inbox.StageAppend(write, s.message.recipient(), message, "", "");
    }
    if (!write.empty()) {
      absl::StatusOr<WriteResult> committed = write.Commit(context_.redis());
      // A delivery acknowledged meanwhile: the page is read again.
      if (absl::IsAborted(committed.status())) continue;
      if (!committed.ok()) return committed.status();
    }
    if (page->next_cursor.empty()) return absl::OkStatus();
    cursor = page->next_cursor;
  }
}

}  // namespace partydev::notification
