// The delivery half of DirectiveServiceImpl (directive_service.h): reading
// deliveries, acknowledging them, submitting implementation reports and
// tracking a directive. Every change of a delivery goes through
// DeliveryStore::StageChange, so the tracking counters, the late list and
// the due index of the deadline sweep (delivery_deadlines.h) move with the
// record; the rules are domain/delivery_states.h's.
//
// Who may read a delivery: the installation admin, a caller whose subtree
// holds the recipient organisation, a caller whose subtree holds the
// issuing organisation, and the recipient person (MayReadDelivery). Who may
// acknowledge or report: an officer of the recipient organisation itself or
// the recipient person (domain::MayActForRecipient).

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/authorization.h"
#include "common/change.h"
#include "common/dates.h"
#include "common/errors.h"
#include "common/filters.h"
#include "common/paging.h"
#include "services/notification/directive_service.h"
#include "services/notification/directive_text.h"
#include "services/notification/domain/delivery_states.h"
#include "services/notification/domain/vietnamese_dates.h"
#include "services/notification/notification_access.h"
#include "services/notification/queue/job_queue.h"
#include "services/notification/template_store.h"

namespace partydev::notification {
namespace {

constexpr absl::string_view kAllDirectives = "directives/-";
constexpr char kRuleReportCorrects[] = "directive.report.corrects";
constexpr int kDefaultListLimit = 100;
constexpr int kMaxListLimit = 1000;
constexpr size_t kMaxNoteLength = 4000;
constexpr size_t kMaxReportLength = 100000;

// The one authorisation of reads of deliveries (see the file comment).
// `issuer` is the directive's issuing organisation ("" when unknown).
bool MayReadDelivery(const TreeOnDay& tree, const Principal& caller,
                     const v1::Delivery& delivery, absl::string_view issuer) {
  if (!delivery.person().empty() && caller.subject == delivery.person()) {
    return true;
  }
  if (!delivery.organization().empty() &&
      Covers(tree, caller, delivery.organization())) {
    return true;
  }
  return !issuer.empty() && Covers(tree, caller, issuer);
}

absl::Status DeliveryDenied(const Principal& caller, absl::string_view name) {
  // The standard wording (common/authorization.h): never says whether the
  // delivery exists.
  absl::Status denied = RequireWithinSubtree(caller, {}, name);
  return denied.ok()
             ? absl::PermissionDeniedError(absl::StrCat("no access to ", name))
             : denied;
}

// The caller as domain::Actor: its organisation's path today and whether
// it holds an office that may act for that organisation (principal.h: a
// secretary or committee office, the organisation board).
domain::Actor ActorOf(const TreeOnDay& tree, const Principal& caller) {
  domain::Actor actor;
  actor.subject = caller.subject;
  if (!caller.organization.empty()) {
    actor.organization_path = PathOf(tree, caller.organization);
  }
  actor.officer =
      caller.HasAnyRole({roles::kSecretary, roles::kOrganizationBoard});
  return actor;
}

// Who changed the delivery now (the service's clock, not the system's).
common::v1::ChangeStamp StampAt(const CallContext& call,
                                const std::string& request_id,
                                const std::string& reason, absl::Time now) {
  common::v1::ChangeStamp stamp = Stamp(call, request_id, reason);
  *stamp.mutable_time() = ToTimestamp(now);
  return stamp;
}

bool InPath(const v1::Delivery& delivery, absl::string_view organization) {
  return std::find(delivery.organization_path().begin(),
                   delivery.organization_path().end(),
                   organization) != delivery.organization_path().end();
}

bool IsOverdue(const v1::Delivery& delivery) {
  return delivery.overdue_step() == v1::OVERDUE_STEP_ACKNOWLEDGEMENT ||
         delivery.overdue_step() == v1::OVERDUE_STEP_REPORT;
}

bool IsLateState(v1::DeliveryState state) {
  return state == v1::DELIVERY_STATE_LATE ||
         state == v1::DELIVERY_STATE_ESCALATED;
}

// "organizations/{id}" or INVALID_ARGUMENT naming `field`.
absl::Status CheckOrganizationName(absl::string_view name,
                                   absl::string_view field) {
  if (!absl::StartsWith(name, "organizations/") ||
      !IsValidResourceId(name.substr(std::string("organizations/").size()))) {
    return InvalidField(field, "must be organizations/{organization}");
  }
  return absl::OkStatus();
}

// The id of the report period (ImplementationReport.report_id): the
// calendar period that holds its due date.
std::string ReportIdOf(v1::ReportRecurrence recurrence, absl::CivilDay due) {
  switch (recurrence) {
    case v1::REPORT_RECURRENCE_MONTHLY:
      return absl::StrFormat("%04d-%02d", due.year(), due.month());
    case v1::REPORT_RECURRENCE_QUARTERLY:
      return absl::StrFormat("%04d-q%d", due.year(), (due.month() - 1) / 3 + 1);
    case v1::REPORT_RECURRENCE_HALF_YEARLY:
      return absl::StrFormat("%04d-h%d", due.year(), due.month() <= 6 ? 1 : 2);
    case v1::REPORT_RECURRENCE_YEARLY:
      return absl::StrFormat("%04d", due.year());
    default:
      return "once";
  }
}

// The state a delivery is in after completing a duty: `done` when nothing
// is overdue any more, else LATE (an ESCALATED one stays ESCALATED).
absl::StatusOr<v1::DeliveryState> StateAfter(const v1::Delivery& before,
                                             v1::DeliveryState wanted) {
  if (wanted == v1::DELIVERY_STATE_LATE && IsLateState(before.state())) {
    return before.state();
  }
  if (wanted == before.state()) return wanted;
  if (absl::Status s = domain::CheckTransition(before, wanted); !s.ok()) {
    return s;
  }
  return wanted;
}

// The order of ListDeliveries (`order_by`), or INVALID_ARGUMENT.
absl::StatusOr<std::function<bool(const v1::Delivery&, const v1::Delivery&)>>
OrderOf(absl::string_view order_by) {
  using Less = std::function<bool(const v1::Delivery&, const v1::Delivery&)>;
  auto day = [](const common::v1::Date& d) {
    return IsValidDate(d) ? d.year() * 10000 + d.month() * 100 + d.day()
                          : 99999999;  // unset last
  };
  if (order_by.empty() || order_by == "create_time desc") {
    return Less([](const v1::Delivery& a, const v1::Delivery& b) {
      if (a.create_time().seconds() != b.create_time().seconds()) {
        return a.create_time().seconds() > b.create_time().seconds();
      }
      return a.name() < b.name();
    });
  }
  if (order_by == "create_time") {
    return Less([](const v1::Delivery& a, const v1::Delivery& b) {
      if (a.create_time().seconds() != b.create_time().seconds()) {
        return a.create_time().seconds() < b.create_time().seconds();
      }
      return a.name() < b.name();
    });
  }
  if (order_by == "acknowledge_by") {
    return Less([day](const v1::Delivery& a, const v1::Delivery& b) {
      return std::make_pair(day(a.acknowledge_by()), a.name()) <
             std::make_pair(day(b.acknowledge_by()), b.name());
    });
  }
  if (order_by == "next_report_due") {
    return Less([day](const v1::Delivery& a, const v1::Delivery& b) {
      return std::make_pair(day(a.next_report_due()), a.name()) <
             std::make_pair(day(b.next_report_due()), b.name());
    });
  }
  if (order_by == "recipient_label") {
    return Less([](const v1::Delivery& a, const v1::Delivery& b) {
      return std::tie(a.recipient_label(), a.name()) <
             std::tie(b.recipient_label(), b.name());
    });
  }
  return InvalidField("order_by",
                      "must be \"create_time desc\" (default), "
                      "\"create_time\", \"acknowledge_by\", "
                      "\"next_report_due\" or \"recipient_label\"");
}

bool ByLabel(const v1::Delivery& a, const v1::Delivery& b) {
  return std::tie(a.recipient_label(), a.name()) <
         std::tie(b.recipient_label(), b.name());
}

// Fills the counts of one subtree from DeliveryStore's counters.
void FillTracking(const DeliveryCounts& counts, v1::SubtreeTracking& out) {
  out.set_total(counts.total);
  for (const auto& [state, n] : counts.by_state) {
    v1::DeliveryStateCount* c = out.add_counts();
    c->set_state(state);
    c->set_count(n);
  }
  out.set_late_acknowledgements(counts.late_acknowledgements);
  out.set_late_reports(counts.late_reports);
}

std::string LabelOf(const TreeOnDay& tree, const std::string& organization) {
  const events::v1::OrganizationSnapshot* org =
      tree.tree != nullptr ? tree.tree->On(organization, tree.day) : nullptr;
  if (org == nullptr && tree.tree != nullptr) {
    org = tree.tree->Latest(organization);
  }
  return org != nullptr ? org->display_name() : "";
}

// A delivery and its directive, read for an acknowledgement or a report.
struct DeliveryAndDirective {
  Stored<v1::Delivery> delivery;
  Stored<v1::Directive> directive;
};

// Reads delivery `name` and its directive for a change by `caller`:
// NOT_FOUND, PERMISSION_DENIED when the caller may not even read it
// (without revealing it exists), ABORTED when `etag` is stale.
absl::StatusOr<DeliveryAndDirective> ReadForChange(
    DeliveryStore& deliveries, DirectiveStore& directives,
    const TreeOnDay& tree, const Principal& caller, const DeliveryName& name,
    const std::string& request_name, const std::string& etag) {
  absl::StatusOr<Stored<v1::Delivery>> delivery = deliveries.Get(name.full());
  if (!delivery.ok()) return delivery.status();
  absl::StatusOr<Stored<v1::Directive>> directive =
      directives.Get(name.directive);
  if (!directive.ok()) return directive.status();
  if (!MayReadDelivery(tree, caller, delivery->message,
                       directive->message.issuing_organization())) {
    return DeliveryDenied(caller, request_name);
  }
  if (absl::Status s =
          CheckEtag(etag, delivery->version, delivery->message.name());
      !s.ok()) {
    return s;
  }
  return DeliveryAndDirective{*std::move(delivery), *std::move(directive)};
}

}  // namespace

PARTYDEV_UNARY_METHOD(DirectiveServiceImpl, TrackDirective,
                      v1::TrackDirectiveRequest, v1::TrackDirectiveResponse)
PARTYDEV_UNARY_METHOD(DirectiveServiceImpl, GetDelivery, v1::GetDeliveryRequest,
                      v1::Delivery)
PARTYDEV_UNARY_METHOD(DirectiveServiceImpl, ListDeliveries,
                      v1::ListDeliveriesRequest, v1::ListDeliveriesResponse)
PARTYDEV_UNARY_METHOD(DirectiveServiceImpl, AcknowledgeDelivery,
                      v1::AcknowledgeDeliveryRequest, v1::Delivery)
PARTYDEV_UNARY_METHOD(DirectiveServiceImpl, SubmitDeliveryReport,
                      v1::SubmitDeliveryReportRequest, v1::Delivery)

absl::Status DirectiveServiceImpl::DoGetDelivery(
    const CallContext& call, const v1::GetDeliveryRequest& request,
    v1::Delivery& response) {
  absl::StatusOr<DeliveryName> name = ParseDeliveryName(request.name(), "name");
  if (!name.ok()) return name.status();
  absl::StatusOr<TreeOnDay> tree = CurrentTree(*context_);
  if (!tree.ok()) return tree.status();
  absl::StatusOr<Stored<v1::Directive>> directive =
      directives_.Get(name->directive);
  if (absl::IsNotFound(directive.status())) {
    return absl::NotFoundError(absl::StrCat(request.name(), " not found"));
  }
  if (!directive.ok()) return directive.status();
  absl::StatusOr<Stored<v1::Delivery>> stored = deliveries_.Get(name->full());
  if (!stored.ok()) return stored.status();
  if (!MayReadDelivery(*tree, call.principal, stored->message,
                       directive->message.issuing_organization())) {
    return DeliveryDenied(call.principal, request.name());
  }
  response = std::move(stored->message);
  // The document as this recipient sees it, rendered on read (never
  // stored: an edited letter frame applies at once).
  TemplateStore templates(context_->records(), *context_->rules().templates);
  const absl::CivilDay signed_on =
      IsValidDate(directive->message.signed_on())
          ? CivilDayOf(directive->message.signed_on())
          : tree->day;
  absl::StatusOr<std::string> text = DirectiveText(templates).ForDelivery(
      directive->message, response, signed_on);
  if (!text.ok()) return text.status();
  response.set_rendered_text(*std::move(text));
  return absl::OkStatus();
}

absl::Status DirectiveServiceImpl::DoListDeliveries(
    const CallContext& call, const v1::ListDeliveriesRequest& request,
    v1::ListDeliveriesResponse& response) {
  const bool every_directive = request.parent() == kAllDirectives;
  if (!every_directive) {
    if (!absl::StartsWith(request.parent(), "directives/") ||
        !IsValidResourceId(request.parent().substr(11))) {
      return InvalidField("parent",
                          "must be directives/{directive} or directives/-");
    }
  }
  if (every_directive && request.recipient().empty() &&
      request.under_organization().empty()) {
    return InvalidField("parent",
                        "directives/- needs `recipient` or "
                        "`under_organization`");
  }
  if (!request.recipient().empty() &&
      (!absl::StartsWith(request.recipient(), "recipients/") ||
       !IsValidResourceId(request.recipient().substr(11)))) {
    return InvalidField("recipient", "must be recipients/{recipient}");
  }
  if (!request.under_organization().empty()) {
    if (absl::Status s = CheckOrganizationName(request.under_organization(),
                                               "under_organization");
        !s.ok()) {
      return s;
    }
  }
  absl::StatusOr<Filter> filter = Filter::Parse(
      request.filter(), *v1::Delivery::descriptor(),
      {"purpose", "origin", "overdue_step", "acknowledgement_required",
       "report_required", "acknowledge_by", "next_report_due", "create_time"});
  if (!filter.ok()) return filter.status();
  auto less = OrderOf(request.order_by());
  if (!less.ok()) return less.status();
  absl::StatusOr<OffsetPage> page =
      OffsetPage::Of(request, request.page_size(), request.page_token());
  if (!page.ok()) return page.status();
  absl::StatusOr<TreeOnDay> tree = CurrentTree(*context_);
  if (!tree.ok()) return tree.status();

  // The candidate names: the recipient's index, else every delivery of the
  // directive (or of every directive).
  std::vector<std::string> names;
  if (!request.recipient().empty()) {
    absl::StatusOr<std::vector<std::string>> all = context_->records().All(
        deliveries_.RecipientIndexKey(request.recipient()));
    if (!all.ok()) return all.status();
    const std::string prefix = absl::StrCat(request.parent(), "/deliveries/");
    for (std::string& n : *all) {
      if (every_directive || absl::StartsWith(n, prefix)) {
        names.push_back(std::move(n));
      }
    }
  } else {
    std::vector<std::string> directives;
    if (every_directive) {
      absl::StatusOr<std::vector<Stored<v1::Directive>>> all =
          directives_.All();
      if (!all.ok()) return all.status();
      for (const Stored<v1::Directive>& d : *all) {
        directives.push_back(d.message.name());
      }
    } else {
      directives.push_back(request.parent());
    }
    for (const std::string& d : directives) {
      absl::StatusOr<std::vector<std::string>> ids =
          context_->records().All(deliveries_.IndexKey(d));
      if (!ids.ok()) return ids.status();
      for (const std::string& id : *ids) {
        names.push_back(absl::StrCat(d, "/deliveries/", id));
      }
    }
  }
  absl::StatusOr<std::vector<Stored<v1::Delivery>>> deliveries =
      deliveries_.GetMany(names);
  if (!deliveries.ok()) return deliveries.status();

  // The issuer of each directive met, for the read check.
  std::map<std::string, std::string> issuers;
  auto issuer_of =
      [&](const std::string& delivery_name) -> absl::StatusOr<std::string> {
    const std::string directive =
        delivery_name.substr(0, delivery_name.find("/deliveries/"));
    auto it = issuers.find(directive);
    if (it != issuers.end()) return it->second;
    absl::StatusOr<Stored<v1::Directive>> d = directives_.Get(directive);
    std::string issuer;
    if (d.ok()) {
      issuer = d->message.issuing_organization();
    } else if (!absl::IsNotFound(d.status())) {
      return d.status();
    }
    issuers.emplace(directive, issuer);
    return issuer;
  };
  const std::set<int> states(request.states().begin(), request.states().end());
  std::vector<v1::Delivery> rows;
  for (Stored<v1::Delivery>& s : *deliveries) {
    const v1::Delivery& d = s.message;
    if (!states.empty() && states.count(d.state()) == 0) continue;
    if (!request.under_organization().empty() &&
        !InPath(d, request.under_organization())) {
      continue;
    }
    if (request.overdue_only() && !IsOverdue(d)) continue;
    if (!filter->Matches(d)) continue;
    absl::StatusOr<std::string> issuer = issuer_of(d.name());
    if (!issuer.ok()) return issuer.status();
    if (!MayReadDelivery(*tree, call.principal, d, *issuer)) continue;
    rows.push_back(std::move(s.message));
  }
  std::sort(rows.begin(), rows.end(), *less);
  page->Fill(rows.size(), response,
             [&](int i) { *response.add_deliveries() = std::move(rows[i]); });
  return absl::OkStatus();
}

absl::Status DirectiveServiceImpl::DoAcknowledgeDelivery(
    const CallContext& call, const v1::AcknowledgeDeliveryRequest& request,
    v1::Delivery& response) {
  absl::StatusOr<DeliveryName> name = ParseDeliveryName(request.name(), "name");
  if (!name.ok()) return name.status();
  const absl::Time now = context_->clock().Now();
  const absl::CivilDay today = domain::VietnamDayOf(now);
  FieldChecker check;
  if (request.note().size() > kMaxNoteLength) {
    check.Add("note",
              absl::StrCat("must be at most ", kMaxNoteLength, " bytes"));
  }
  if (request.registry_number().size() > 64) {
    check.Add("registry_number", "must be at most 64 bytes");
  }
  if (!request.meeting().empty() &&
      (!absl::StartsWith(request.meeting(), "organizations/") ||
       !absl::StrContains(request.meeting(), "/meetings/"))) {
    check.Add("meeting", "must be organizations/{org}/meetings/{meeting}");
  }
  if (request.has_disseminated_on()) {
    if (!IsValidDate(request.disseminated_on())) {
      check.Add("disseminated_on", "is not a valid date");
    } else if (CivilDayOf(request.disseminated_on()) > today) {
      check.Add("disseminated_on", "must not be in the future");
    }
  }
  if (!check.ok()) return check.status();
  absl::StatusOr<TreeOnDay> tree = CurrentTree(*context_);
  if (!tree.ok()) return tree.status();
  const domain::Actor actor = ActorOf(*tree, call.principal);

  return RunStagedChange(
      context_->redis(), context_->prefix(), context_->events_key(),
      "AcknowledgeDelivery", request.request_id(), request, response,
      [&](StagedChange& change) -> absl::Status {
        absl::StatusOr<DeliveryAndDirective> read =
            ReadForChange(deliveries_, directives_, *tree, call.principal,
                          *name, request.name(), request.etag());
        if (!read.ok()) return read.status();
        const Stored<v1::Delivery>* stored = &read->delivery;
        const v1::Delivery& before = stored->message;
        if (absl::Status s = domain::CheckAcknowledge(before, actor); !s.ok()) {
          return s;
        }
        const domain::AcknowledgeOutcome outcome =
            domain::Acknowledge(before, now);
        v1::Delivery after = before;
        v1::Acknowledgement* ack = after.mutable_acknowledgement();
        ack->set_acknowledged_by(call.principal.subject);
        ack->set_acknowledged_by_name(call.principal.display_name);
        ack->set_acknowledged_by_title(call.principal.title);
        *ack->mutable_time() = ToTimestamp(now);
        ack->set_note(request.note());
        ack->set_meeting(request.meeting());
        if (request.has_disseminated_on()) {
          *ack->mutable_disseminated_on() = request.disseminated_on();
        }
        ack->set_late(outcome.late);
        ack->set_registry_number(request.registry_number());
        absl::StatusOr<v1::DeliveryState> state =
            StateAfter(before, outcome.state);
        if (!state.ok()) return state.status();
        after.set_state(*state);
        after.set_overdue_step(domain::OverdueStepAt(after, now));
        // The acknowledgement's reminders end here; the sweep plans the
        // next duty's (delivery_deadlines.h).
        after.clear_next_reminder_time();
        *after.mutable_update_stamp() =
            StampAt(call, request.request_id(), "acknowledge", now);
        response = after;
        if (request.validate_only()) return absl::OkStatus();
        deliveries_.StageChange(change.write, &before, stored->version, after);
        ApplyEtag(response, stored->version + 1);
        return absl::OkStatus();
      });
}

absl::Status DirectiveServiceImpl::DoSubmitDeliveryReport(
    const CallContext& call, const v1::SubmitDeliveryReportRequest& request,
    v1::Delivery& response) {
  absl::StatusOr<DeliveryName> name = ParseDeliveryName(request.name(), "name");
  if (!name.ok()) return name.status();
  const v1::ImplementationReport& report = request.report();
  FieldChecker check;
  if (!request.has_report()) check.Add("report", "is required");
  if (!IsValidDate(report.due_date())) {
    check.Add("report.due_date", "is required: a valid date");
  }
  if (report.text().empty()) {
    check.Add("report.text", "is required");
  } else if (report.text().size() > kMaxReportLength) {
    check.Add("report.text",
              absl::StrCat("must be at most ", kMaxReportLength, " bytes"));
  }
  if (!check.ok()) return check.status();
  const absl::Time now = context_->clock().Now();
  const absl::CivilDay today = domain::VietnamDayOf(now);
  const absl::CivilDay due = CivilDayOf(report.due_date());
  absl::StatusOr<TreeOnDay> tree = CurrentTree(*context_);
  if (!tree.ok()) return tree.status();
  const domain::Actor actor = ActorOf(*tree, call.principal);

  return RunStagedChange(
      context_->redis(), context_->prefix(), context_->events_key(),
      "SubmitDeliveryReport", request.request_id(), request, response,
      [&](StagedChange& change) -> absl::Status {
        absl::StatusOr<DeliveryAndDirective> read =
            ReadForChange(deliveries_, directives_, *tree, call.principal,
                          *name, request.name(), request.etag());
        if (!read.ok()) return read.status();
        const Stored<v1::Delivery>* stored = &read->delivery;
        const v1::Delivery& before = stored->message;
        const Stored<v1::Directive>* directive = &read->directive;
        if (absl::Status s = domain::CheckReport(before, actor); !s.ok()) {
          return s;
        }
        const v1::ReportRequirement& requirement = directive->message.report();
        // Reports may answer any period up to a year ahead, and always the
        // delivery's next one.
        absl::CivilDay until = today + 366;
        if (IsValidDate(before.next_report_due())) {
          until = std::max(until, CivilDayOf(before.next_report_due()));
        }
        const std::vector<absl::CivilDay> dates =
            domain::ReportDueDates(requirement, until);
        if (std::find(dates.begin(), dates.end(), due) == dates.end()) {
          std::vector<std::string> shown;
          for (size_t i = 0; i < dates.size() && i < 6; ++i) {
            shown.push_back(FormatDay(dates[i]));
          }
          return InvalidField(
              "report.due_date",
              absl::StrCat("is not a due date of this delivery (due dates: ",
                           shown.empty() ? "none" : absl::StrJoin(shown, ", "),
                           dates.size() > shown.size() ? ", ..." : "", ")"));
        }
        v1::Delivery after = before;
        v1::ImplementationReport* answered = nullptr;
        for (v1::ImplementationReport& r : *after.mutable_reports()) {
          if (!r.superseded() && IsValidDate(r.due_date()) &&
              CivilDayOf(r.due_date()) == due) {
            answered = &r;
          }
        }
        if (answered != nullptr && report.corrects().empty()) {
          return RulesViolated(
              {{kRuleReportCorrects, before.name(),
                absl::StrCat("Kỳ báo cáo hạn ", FormatDay(due),
                             " đã có báo cáo (", answered->report_id(),
                             "); muốn sửa, ghi rõ báo cáo được sửa "
                             "(corrects).")}});
        }
        if (!report.corrects().empty() &&
            (answered == nullptr ||
             answered->report_id() != report.corrects())) {
          return InvalidField(
              "report.corrects",
              absl::StrCat("names no report of the period due ", FormatDay(due),
                           " of this delivery"));
        }
        if (answered != nullptr) answered->set_superseded(true);
        v1::ImplementationReport* added = after.add_reports();
        added->set_report_id(ReportIdOf(requirement.recurrence(), due));
        *added->mutable_due_date() = report.due_date();
        added->set_text(report.text());
        *added->mutable_document() = report.document();
        if (!report.has_document()) added->clear_document();
        *added->mutable_attachments() = report.attachments();
        added->set_corrects(report.corrects());
        added->set_late(today > due);
        *added->mutable_submit_stamp() =
            StampAt(call, request.request_id(), "report", now);
        const std::optional<absl::CivilDay> next =
            domain::NextReportDue(requirement, after, until + 3660);
        if (next.has_value()) {
          *after.mutable_next_report_due() = FromCivilDay(*next);
        } else {
          after.clear_next_report_due();
        }
        after.set_overdue_step(domain::OverdueStepAt(after, now));
        absl::StatusOr<v1::DeliveryState> state =
            StateAfter(before, IsOverdue(after) ? v1::DELIVERY_STATE_LATE
                                                : v1::DELIVERY_STATE_REPORTED);
        if (!state.ok()) return state.status();
        after.set_state(*state);
        after.clear_next_reminder_time();
        *after.mutable_update_stamp() =
            StampAt(call, request.request_id(), "report", now);
        response = after;
        if (request.validate_only()) return absl::OkStatus();
        deliveries_.StageChange(change.write, &before, stored->version, after);
        ApplyEtag(response, stored->version + 1);
        return absl::OkStatus();
      });
}

absl::Status DirectiveServiceImpl::DoTrackDirective(
    const CallContext& call, const v1::TrackDirectiveRequest& request,
    v1::TrackDirectiveResponse& response) {
  if (!absl::StartsWith(request.name(), "directives/") ||
      !IsValidResourceId(request.name().substr(11))) {
    return InvalidField("name", "must be directives/{directive}");
  }
  if (!request.under_organization().empty()) {
    if (absl::Status s = CheckOrganizationName(request.under_organization(),
                                               "under_organization");
        !s.ok()) {
      return s;
    }
  }
  if (request.list_limit() < 0) {
    return InvalidField("list_limit", "must not be negative");
  }
  const int limit = request.list_limit() == 0
                        ? kDefaultListLimit
                        : std::min(request.list_limit(), kMaxListLimit);
  absl::StatusOr<TreeOnDay> tree = CurrentTree(*context_);
  if (!tree.ok()) return tree.status();
  absl::StatusOr<Stored<v1::Directive>> directive =
      directives_.Get(request.name());
  if (!directive.ok()) return directive.status();
  const std::string& issuer = directive->message.issuing_organization();
  const bool sees_all = Covers(*tree, call.principal, issuer);

  // The subtree counted: the requested one (within the caller's reach),
  // else every delivery for a caller covering the issuer, else the
  // caller's own subtree.
  std::string scope;
  std::string root;  // whose children `by_child` lists
  if (!request.under_organization().empty()) {
    if (!sees_all) {
      if (absl::Status s =
              CheckCovers(*tree, call.principal, request.under_organization(),
                          "under_organization");
          !s.ok()) {
        return s;
      }
    }
    scope = root = request.under_organization();
  } else if (sees_all) {
    scope = "*";
    root = issuer;
  } else if (!call.principal.organization.empty() &&
             IsWithin(*tree, issuer, call.principal.organization)) {
    scope = root = call.principal.organization;
  } else {
    return DeliveryDenied(call.principal, request.name());
  }

  std::vector<std::string> scopes = {scope};
  std::vector<std::string> children;
  if (request.by_child() && !root.empty() && tree->tree != nullptr) {
    children = tree->tree->ChildrenOn(root, tree->day);
    scopes.insert(scopes.end(), children.begin(), children.end());
  }
  // The counts come from the counters only (O(1) per subtree).
  absl::StatusOr<std::vector<DeliveryCounts>> counts =
      deliveries_.CountsMany(request.name(), scopes);
  if (!counts.ok()) return counts.status();
  response.set_directive(request.name());
  v1::SubtreeTracking* summary = response.mutable_summary();
  summary->set_organization(scope == "*" ? issuer : scope);
  summary->set_organization_label(LabelOf(*tree, summary->organization()));
  FillTracking(counts->front(), *summary);
  for (size_t i = 0; i < children.size(); ++i) {
    v1::SubtreeTracking* child = response.add_children();
    child->set_organization(children[i]);
    child->set_organization_label(LabelOf(*tree, children[i]));
    FillTracking((*counts)[i + 1], *child);
  }

  auto visible = [&](const v1::Delivery& d) {
    return (scope == "*" || InPath(d, scope)) &&
           MayReadDelivery(*tree, call.principal, d, issuer);
  };
  if (request.list_states_size() > 0) {
    absl::StatusOr<std::vector<std::string>> ids =
        context_->records().All(deliveries_.IndexKey(request.name()));
    if (!ids.ok()) return ids.status();
    std::vector<std::string> names;
    names.reserve(ids->size());
    for (const std::string& id : *ids) {
      names.push_back(absl::StrCat(request.name(), "/deliveries/", id));
    }
    absl::StatusOr<std::vector<Stored<v1::Delivery>>> all =
        deliveries_.GetMany(names);
    if (!all.ok()) return all.status();
    std::map<int, std::vector<const v1::Delivery*>> by_state;
    for (const Stored<v1::Delivery>& s : *all) {
      if (visible(s.message)) by_state[s.message.state()].push_back(&s.message);
    }
    for (int state : request.list_states()) {
      v1::DeliveryList* list = response.add_lists();
      list->set_state(static_cast<v1::DeliveryState>(state));
      auto found = counts->front().by_state.find(list->state());
      list->set_total(found == counts->front().by_state.end() ? 0
                                                              : found->second);
      std::vector<const v1::Delivery*>& rows = by_state[state];
      std::sort(rows.begin(), rows.end(),
                [](const v1::Delivery* a, const v1::Delivery* b) {
                  return ByLabel(*a, *b);
                });
      for (size_t i = 0; i < rows.size() && static_cast<int>(i) < limit; ++i) {
        *list->add_deliveries() = *rows[i];
      }
    }
  }

  // The late list, most overdue first (DeliveryStore's late zset).
  absl::StatusOr<IdPage> late = deliveries_.LateIds(request.name(), 0);
  if (!late.ok()) return late.status();
  std::vector<std::string> late_names;
  for (const std::string& id : late->ids) {
    late_names.push_back(absl::StrCat(request.name(), "/deliveries/", id));
  }
  absl::StatusOr<std::vector<Stored<v1::Delivery>>> late_rows =
      deliveries_.GetMany(late_names);
  if (!late_rows.ok()) return late_rows.status();
  for (Stored<v1::Delivery>& s : *late_rows) {
    if (response.late_size() >= limit) break;
    if (visible(s.message)) *response.add_late() = std::move(s.message);
  }
  *response.mutable_compute_time() = ToTimestamp(context_->clock().Now());
  return absl::OkStatus();
}

}  // namespace partydev::notification
