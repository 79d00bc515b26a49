#include "services/notification/directive_service.h"

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/change.h"
#include "common/dates.h"
#include "common/errors.h"
#include "common/filters.h"
#include "common/ids.h"
#include "common/paging.h"
#include "google/protobuf/util/time_util.h"
#include "services/notification/directive_text.h"
#include "services/notification/domain/reference_numbers.h"
#include "services/notification/domain/vietnamese_dates.h"
#include "services/notification/notification_access.h"
#include "services/notification/template_store.h"

namespace partydev::notification {
namespace {

constexpr absl::string_view kDirectives = "directives/";

#define PARTYDEV_DIRECTIVE_METHOD(Rpc, Request, Response) \
  PARTYDEV_UNARY_METHOD(DirectiveServiceImpl, Rpc, v1::Request, Response)

absl::CivilDay TodayOf(const Clock& clock) {
  return domain::VietnamDayOf(clock.Now());
}

// Roles that may write and issue documents for an organisation: its
// secretaries and offices (operator) and its organisation board.
bool MayWriteDocuments(const Principal& caller) {
  return caller.HasAnyRole({roles::kAdmin, roles::kSecretary,
                            roles::kOrganizationBoard, roles::kOperator});
}

absl::Status MustWriteFor(NotificationContext& context, const Principal& caller,
                          const std::string& organization,
                          absl::string_view field) {
  if (!MayWriteDocuments(caller)) {
    return absl::PermissionDeniedError(
        "writing and issuing documents needs a secretary, office or "
        "organisation board role");
  }
  return CheckCovers(context, caller, organization, field);
}

// Readable within the issuer's subtree and above it.
absl::Status MustRead(NotificationContext& context, const Principal& caller,
                      const v1::Directive& directive) {
  absl::StatusOr<TreeOnDay> tree = CurrentTree(context);
  if (!tree.ok()) return tree.status();
  if (Covers(*tree, caller, directive.issuing_organization()) ||
      (!caller.organization.empty() &&
       IsWithin(*tree, directive.issuing_organization(),
                caller.organization))) {
    return absl::OkStatus();
  }
  return WithReason(
      absl::PermissionDeniedError(absl::StrCat(
          directive.name(), " is outside the caller's organisation subtree")),
      "OUTSIDE_SUBTREE");
}

absl::Status CheckDirectiveName(const std::string& name) {
  if (!absl::StartsWith(name, kDirectives) ||
      !IsValidResourceId(name.substr(kDirectives.size()))) {
    return InvalidField("name", "must be directives/{directive}");
  }
  return absl::OkStatus();
}

// Clears what clients never set.
void ClearOutputOnly(v1::Directive& d) {
  d.clear_number();
  d.clear_reference();
  d.clear_term();
  d.clear_dated_line();
  d.clear_state();
  d.clear_fan_out();
  d.clear_delivery_counts();
  d.clear_rendered_text();
  d.clear_origin();
  d.clear_amendments();
  d.clear_issue_stamp();
  d.clear_withdraw_stamp();
  d.clear_create_stamp();
  d.clear_update_stamp();
  d.clear_etag();
}

// Normalises a draft: "V/v " before a letter's subject, keys of recipient
// lines assigned ("r1", "r2"... skipping those taken).
void Normalize(v1::Directive& d) {
  if (d.document_type() == v1::DOCUMENT_TYPE_OFFICIAL_LETTER &&
      !d.subject().empty() && !absl::StartsWith(d.subject(), "V/v")) {
    d.set_subject(absl::StrCat("V/v ", d.subject()));
  }
  std::set<std::string> taken;
  for (const auto& r : d.recipients()) {
    if (!r.key().empty()) taken.insert(r.key());
  }
  int next = 1;
  for (auto& r : *d.mutable_recipients()) {
    if (!r.key().empty()) continue;
    while (taken.count(absl::StrCat("r", next)) > 0) ++next;
    r.set_key(absl::StrCat("r", next));
    taken.insert(r.key());
  }
}

// The rules of a draft's shape (create and update).
absl::Status ValidateDraft(const v1::Directive& d) {
  std::vector<FieldViolation> bad;
  if (!absl::StartsWith(d.issuing_organization(), "organizations/")) {
    bad.push_back(
        {"directive.issuing_organization", "required: organizations/{org}"});
  }
  if (domain::DocumentTypeCode(d.document_type()).empty()) {
    bad.push_back({"directive.document_type", "required"});
  }
  if (absl::Status s =
          domain::ValidateIssuerCode(d.issuer_code(), "directive.issuer_code");
      !s.ok()) {
    bad.push_back({"directive.issuer_code", std::string(s.message())});
  }
  if (d.subject().empty()) bad.push_back({"directive.subject", "required"});
  std::set<std::string> keys;
  for (int i = 0; i < d.recipients_size(); ++i) {
    const v1::DirectiveRecipient& r = d.recipients(i);
    const std::string field = absl::StrCat("directive.recipients[", i, "]");
    if (r.purpose() == v1::RECIPIENT_PURPOSE_UNSPECIFIED) {
      bad.push_back({field + ".purpose", "required"});
    }
    if (r.target_case() == v1::DirectiveRecipient::TARGET_NOT_SET) {
      bad.push_back({field,
                     "a target is required (organization, person, "
                     "committee_members, organizations or recipient)"});
    }
    if (!IsValidResourceId(r.key())) {
      bad.push_back({field + ".key", "must match ^[a-z0-9]([a-z0-9-]*)$"});
    } else if (!keys.insert(r.key()).second) {
      bad.push_back({field + ".key", "must be unique in the directive"});
    }
  }
  if (!bad.empty()) return InvalidFields(std::move(bad));
  return absl::OkStatus();
}

// Copies the fields of `mask` (top-level paths of Directive, already
// checked by CheckUpdateMask) from `in` to `d` (AIP-134: a path in the mask
// with an unset value clears the field).
void ApplyMask(const v1::Directive& in, const google::protobuf::FieldMask& mask,
               v1::Directive& d) {
  using google::protobuf::FieldDescriptor;
  const auto* desc = v1::Directive::descriptor();
  const auto* refl = d.GetReflection();
  for (const std::string& path : mask.paths()) {
    const FieldDescriptor* field = desc->FindFieldByName(path);
    refl->ClearField(&d, field);
    if (field->is_repeated()) {
      for (int i = 0; i < refl->FieldSize(in, field); ++i) {
        if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
          refl->AddMessage(&d, field)->CopyFrom(
              refl->GetRepeatedMessage(in, field, i));
        } else {
          refl->AddString(&d, field, refl->GetRepeatedString(in, field, i));
        }
      }
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (refl->HasField(in, field)) {
        refl->MutableMessage(&d, field)->CopyFrom(refl->GetMessage(in, field));
      }
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_ENUM) {
      refl->SetEnumValue(&d, field, refl->GetEnumValue(in, field));
    } else {
      refl->SetString(&d, field, refl->GetString(in, field));
    }
  }
}

}  // namespace

PARTYDEV_DIRECTIVE_METHOD(CreateDirective, CreateDirectiveRequest,
                          v1::Directive)
PARTYDEV_DIRECTIVE_METHOD(GetDirective, GetDirectiveRequest, v1::Directive)
PARTYDEV_DIRECTIVE_METHOD(ListDirectives, ListDirectivesRequest,
                          v1::ListDirectivesResponse)
PARTYDEV_DIRECTIVE_METHOD(UpdateDirective, UpdateDirectiveRequest,
                          v1::Directive)
PARTYDEV_DIRECTIVE_METHOD(DeleteDirective, DeleteDirectiveRequest,
                          google::protobuf::Empty)
PARTYDEV_DIRECTIVE_METHOD(IssueDirective, IssueDirectiveRequest, v1::Directive)
PARTYDEV_DIRECTIVE_METHOD(AmendDirective, AmendDirectiveRequest, v1::Directive)
PARTYDEV_DIRECTIVE_METHOD(WithdrawDirective, WithdrawDirectiveRequest,
                          v1::Directive)
// The delivery RPCs are defined in delivery_rpcs.cc.

DirectiveServiceImpl::DirectiveServiceImpl(
    std::shared_ptr<NotificationContext> context,
    std::shared_ptr<DirectiveFanOut> fan_out)
    : context_(std::move(context)),
      fan_out_(std::move(fan_out)),
      issuing_(*context_, *fan_out_),
      directives_(*context_),
      deliveries_(*context_) {}

absl::Status DirectiveServiceImpl::Present(v1::Directive& directive) {
  TemplateStore templates(context_->records(), *context_->rules().templates);
  DirectiveText text(templates);
  const absl::CivilDay day = directive.has_signed_on()
                                 ? CivilDayOf(directive.signed_on())
                                 : TodayOf(context_->clock());
  absl::StatusOr<std::string> rendered = text.Document(directive, day);
  if (!rendered.ok()) return rendered.status();
  directive.set_rendered_text(*std::move(rendered));
  if (directive.state() == v1::DIRECTIVE_STATE_ISSUING ||
      directive.state() == v1::DIRECTIVE_STATE_ISSUED ||
      directive.state() == v1::DIRECTIVE_STATE_WITHDRAWN) {
    absl::StatusOr<DeliveryCounts> counts =
        deliveries_.Counts(directive.name(), "*");
    if (!counts.ok()) return counts.status();
    for (const auto& [state, count] : counts->by_state) {
      v1::DeliveryStateCount* c = directive.add_delivery_counts();
      c->set_state(state);
      c->set_count(count);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Stored<v1::Directive>> DirectiveServiceImpl::ReadForWrite(
    const CallContext& call, const std::string& name, const std::string& etag,
    absl::string_view field, std::initializer_list<v1::DirectiveState> states,
    absl::string_view rule, absl::string_view refusal) {
  absl::StatusOr<Stored<v1::Directive>> stored = directives_.Get(name);
  if (!stored.ok()) return stored.status();
  if (absl::Status s =
          MustWriteFor(*context_, call.principal,
                       stored->message.issuing_organization(), field);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckEtag(etag, stored->version, name); !s.ok()) {
    return s;
  }
  if (std::find(states.begin(), states.end(), stored->message.state()) ==
      states.end()) {
    return RulesViolated({{std::string(rule), name, std::string(refusal)}});
  }
  return stored;
}

absl::Status DirectiveServiceImpl::DoCreateDirective(
    const CallContext& call, const v1::CreateDirectiveRequest& request,
    v1::Directive& response) {
  if (!request.directive_id().empty() &&
      !IsValidResourceId(request.directive_id())) {
    return InvalidField("directive_id",
                        "must match ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$");
  }
  v1::Directive draft = request.directive();
  ClearOutputOnly(draft);
  Normalize(draft);
  if (absl::Status s = ValidateDraft(draft); !s.ok()) return s;
  if (absl::Status s =
          MustWriteFor(*context_, call.principal, draft.issuing_organization(),
                       "directive.issuing_organization");
      !s.ok()) {
    return s;
  }
  return RunStagedChange(
      context_->redis(), context_->prefix(), context_->events_key(),
      "CreateDirective", request.request_id(), request, response,
      [&](StagedChange& change) -> absl::Status {
        const std::string id =
            request.directive_id().empty() ? NewUuid() : request.directive_id();
        draft.set_name(absl::StrCat(kDirectives, id));
        absl::StatusOr<Stored<v1::Directive>> existing =
            directives_.Get(draft.name());
        if (existing.ok()) {
          return absl::AlreadyExistsError(
              absl::StrCat(draft.name(), " already exists"));
        }
        if (!absl::IsNotFound(existing.status())) return existing.status();
        draft.set_state(v1::DIRECTIVE_STATE_DRAFT);
        *draft.mutable_create_stamp() = Stamp(call, request.request_id(), "");
        *draft.mutable_update_stamp() = draft.create_stamp();
        response = draft;
        response.set_etag(EtagOf(1));
        if (absl::Status s = Present(response); !s.ok()) return s;
        if (request.validate_only()) return absl::OkStatus();
        directives_.StagePut(change.write, draft, 0);
        return absl::OkStatus();
      });
}

absl::Status DirectiveServiceImpl::DoGetDirective(
    const CallContext& call, const v1::GetDirectiveRequest& request,
    v1::Directive& response) {
  if (absl::Status s = CheckDirectiveName(request.name()); !s.ok()) return s;
  absl::StatusOr<Stored<v1::Directive>> stored =
      directives_.Get(request.name());
  if (!stored.ok()) return stored.status();
  if (absl::Status s = MustRead(*context_, call.principal, stored->message);
      !s.ok()) {
    return s;
  }
  response = std::move(stored->message);
  return Present(response);
}

absl::Status DirectiveServiceImpl::DoListDirectives(
    const CallContext& call, const v1::ListDirectivesRequest& request,
    v1::ListDirectivesResponse& response) {
  absl::StatusOr<OffsetPage> page =
      OffsetPage::Of(request, request.page_size(), request.page_token());
  if (!page.ok()) return page.status();
  std::string under = request.under_organization();
  if (under.empty()) under = call.principal.organization;
  if (!under.empty()) {
    if (absl::Status s =
            CheckCovers(*context_, call.principal, under, "under_organization");
        !s.ok()) {
      return s;
    }
  }
  absl::StatusOr<Filter> filter = Filter::Parse(
      request.filter(), *v1::Directive::descriptor(),
      {"document_type", "state", "issuer_code", "issuing_organization",
       "reference", "signed_on", "urgency"});
  if (!filter.ok()) return filter.status();
  const std::string order =
      request.order_by().empty() ? "signed_on desc" : request.order_by();
  if (order != "signed_on desc" && order != "create_stamp.time desc" &&
      order != "reference") {
    return InvalidField("order_by",
                        "one of `signed_on desc`, `create_stamp.time desc`, "
                        "`reference`");
  }
  absl::StatusOr<TreeOnDay> tree = CurrentTree(*context_);
  if (!tree.ok()) return tree.status();
  absl::StatusOr<std::vector<Stored<v1::Directive>>> all = directives_.All();
  if (!all.ok()) return all.status();
  std::vector<v1::Directive*> rows;
  for (Stored<v1::Directive>& s : *all) {
    if (!under.empty() &&
        !IsWithin(*tree, under, s.message.issuing_organization())) {
      continue;
    }
    if (!filter->Matches(s.message)) continue;
    rows.push_back(&s.message);
  }
  auto key = [&](const v1::Directive* d) {
    if (order == "reference") return d->reference();
    if (order == "create_stamp.time desc") {
      return absl::StrCat(d->create_stamp().time().seconds());
    }
    const common::v1::Date& on = d->signed_on();
    return absl::StrFormat("%04d%02d%02d", on.year(), on.month(), on.day());
  };
  std::stable_sort(rows.begin(), rows.end(),
                   [&](const v1::Directive* a, const v1::Directive* b) {
                     return order == "reference" ? key(a) < key(b)
                                                 : key(a) > key(b);
                   });
  absl::Status status = absl::OkStatus();
  page->Fill(rows.size(), response, [&](int i) {
    v1::Directive* d = response.add_directives();
    *d = std::move(*rows[i]);
    if (status.ok()) status = Present(*d);
  });
  return status;
}

absl::Status DirectiveServiceImpl::DoUpdateDirective(
    const CallContext& call, const v1::UpdateDirectiveRequest& request,
    v1::Directive& response) {
  const std::string& name = request.directive().name();
  if (absl::Status s = CheckDirectiveName(name); !s.ok()) {
    return InvalidField("directive.name", "must be directives/{directive}");
  }
  static const std::set<std::string> kEditable = {"issuing_body_lines",
                                                  "document_type",
                                                  "issuer_code",
                                                  "place",
                                                  "signed_on",
                                                  "urgency",
                                                  "subject",
                                                  "body",
                                                  "signer",
                                                  "recipients",
                                                  "dissemination",
                                                  "acknowledgement",
                                                  "report",
                                                  "escalation",
                                                  "attachments",
                                                  "implements"};
  if (absl::Status s = CheckUpdateMask(request.update_mask(), kEditable);
      !s.ok()) {
    return s;
  }
  return RunStagedChange(
      context_->redis(), context_->prefix(), context_->events_key(),
      "UpdateDirective", request.request_id(), request, response,
      [&](StagedChange& change) -> absl::Status {
        absl::StatusOr<Stored<v1::Directive>> stored = ReadForWrite(
            call, name, request.directive().etag(), "directive.name",
            {v1::DIRECTIVE_STATE_DRAFT}, "directive.update.draft_only",
            "Văn bản đã ban hành chỉ được sửa bằng AmendDirective (only "
            "a DRAFT is updated; amend an issued directive)");
        if (!stored.ok()) return stored.status();
        v1::Directive& d = stored->message;
        ApplyMask(request.directive(), request.update_mask(), d);
        Normalize(d);
        if (absl::Status s = ValidateDraft(d); !s.ok()) return s;
        *d.mutable_update_stamp() = Stamp(call, request.request_id(), "");
        response = d;
        response.set_etag(EtagOf(stored->version + 1));
        if (absl::Status s = Present(response); !s.ok()) return s;
        if (request.validate_only()) return absl::OkStatus();
        directives_.StagePut(change.write, d, stored->version);
        return absl::OkStatus();
      });
}

absl::Status DirectiveServiceImpl::DoDeleteDirective(
    const CallContext& call, const v1::DeleteDirectiveRequest& request,
    google::protobuf::Empty& response) {
  if (absl::Status s = CheckDirectiveName(request.name()); !s.ok()) return s;
  return RunStagedChange(
      context_->redis(), context_->prefix(), context_->events_key(),
      "DeleteDirective", request.request_id(), request, response,
      [&](StagedChange& change) -> absl::Status {
        absl::StatusOr<Stored<v1::Directive>> stored = ReadForWrite(
            call, request.name(), request.etag(), "name",
            {v1::DIRECTIVE_STATE_DRAFT}, "directive.delete.draft_only",
            "Văn bản đã ban hành không bị xóa, chỉ bị thu hồi (issued "
            "directives are never deleted, only withdrawn)");
        if (!stored.ok()) return stored.status();
        directives_.StageDelete(change.write, request.name(), stored->version);
        return absl::OkStatus();
      });
}

absl::Status DirectiveServiceImpl::DoIssueDirective(
    const CallContext& call, const v1::IssueDirectiveRequest& request,
    v1::Directive& response) {
  if (absl::Status s = CheckDirectiveName(request.name()); !s.ok()) return s;
  if (request.etag().empty()) {
    return InvalidField("etag", "required: the etag of the reviewed draft");
  }
  if (request.number() < 0) {
    return InvalidField("number", "must be positive when given");
  }
  if (!request.term().empty() && !absl::StartsWith(request.term(), "terms/")) {
    return InvalidField("term", "must be terms/{term}");
  }
  return RunStagedChange(
      context_->redis(), context_->prefix(), context_->events_key(),
      "IssueDirective", request.request_id(), request, response,
      [&](StagedChange& change) -> absl::Status {
        absl::StatusOr<Stored<v1::Directive>> stored = ReadForWrite(
            call, request.name(), request.etag(), "name",
            {v1::DIRECTIVE_STATE_DRAFT}, "directive.issue.draft_only",
            "Văn bản đã được ban hành (only a DRAFT is issued)");
        if (!stored.ok()) return stored.status();
        absl::StatusOr<DirectiveIssuing::Issue> issue = issuing_.Prepare(
            stored->message, {request.number(), request.term(),
                              Stamp(call, request.request_id(), "")});
        if (!issue.ok()) return issue.status();
        response = issue->directive;
        response.set_etag(EtagOf(stored->version + 1));
        if (absl::Status s = Present(response); !s.ok()) return s;
        if (request.validate_only()) {
          // What the issue would give, on the unchanged draft.
          const v1::Directive& d = issue->directive;
          response = stored->message;
          response.set_number(d.number());
          response.set_reference(d.reference());
          response.set_term(d.term());
          response.set_dated_line(d.dated_line());
          response.mutable_fan_out()->set_planned_deliveries(
              d.fan_out().planned_deliveries());
          return Present(response);
        }
        issuing_.Stage(change.write, *issue, stored->version);
        return absl::OkStatus();
      });
}

absl::Status DirectiveServiceImpl::DoAmendDirective(
    const CallContext& call, const v1::AmendDirectiveRequest& request,
    v1::Directive& response) {
  if (absl::Status s = CheckDirectiveName(request.name()); !s.ok()) return s;
  if (request.reason().empty()) {
    return InvalidField("reason", "required: why the directive is amended");
  }
  if (request.etag().empty()) return InvalidField("etag", "required");
  static const std::set<std::string> kAmendable = {
      "subject",         "body",   "signer",     "recipients",  "dissemination",
      "acknowledgement", "report", "escalation", "attachments", "urgency"};
  if (absl::Status s = CheckUpdateMask(request.update_mask(), kAmendable);
      !s.ok()) {
    return s;
  }
  return RunStagedChange(
      context_->redis(), context_->prefix(), context_->events_key(),
      "AmendDirective", request.request_id(), request, response,
      [&](StagedChange& change) -> absl::Status {
        absl::StatusOr<Stored<v1::Directive>> stored = ReadForWrite(
            call, request.name(), request.etag(), "name",
            {v1::DIRECTIVE_STATE_ISSUING, v1::DIRECTIVE_STATE_ISSUED},
            "directive.amend.issued",
            "only an issued directive is amended (a draft is updated, a "
            "withdrawn one is final)");
        if (!stored.ok()) return stored.status();
        v1::Directive d = stored->message;
        ApplyMask(request.directive(), request.update_mask(), d);
        const bool reach_changed =
            InMask(request.update_mask(), "recipients") ||
            InMask(request.update_mask(), "dissemination");
        Normalize(d);
        if (absl::Status s = ValidateDraft(d); !s.ok()) return s;
        absl::StatusOr<domain::RecipientExpansion> expansion =
            issuing_.ExpandIssuable(d, CivilDayOf(d.signed_on()));
        if (!expansion.ok()) return expansion.status();
        v1::Amendment* amendment = d.add_amendments();
        amendment->set_sequence(d.amendments_size());
        *amendment->mutable_changed_fields() = request.update_mask();
        *amendment->mutable_stamp() =
            Stamp(call, request.request_id(), request.reason());
        *d.mutable_update_stamp() = amendment->stamp();
        if (reach_changed) {
          // The fan-out runs again: deliveries it finds are kept, new
          // targets get theirs, and targets no longer reached are
          // cancelled at its end (directive_fan_out.h).
          d.set_state(v1::DIRECTIVE_STATE_ISSUING);
          d.mutable_fan_out()->set_planned_deliveries(
              static_cast<int>(expansion->targets.size()));
          d.mutable_fan_out()->set_created_deliveries(0);
          d.mutable_fan_out()->clear_end_time();
        }
        response = d;
        response.set_etag(EtagOf(stored->version + 1));
        if (absl::Status s = Present(response); !s.ok()) return s;
        if (request.validate_only()) return absl::OkStatus();
        directives_.StagePut(change.write, d, stored->version);
        if (reach_changed || !request.silent()) {
          fan_out_->StageJob(
              change.write, d.name(),
              absl::StrCat(d.name(), ":amend:", d.amendments_size()),
              !request.silent());
        }
        return absl::OkStatus();
      });
}

absl::Status DirectiveServiceImpl::DoWithdrawDirective(
    const CallContext& call, const v1::WithdrawDirectiveRequest& request,
    v1::Directive& response) {
  if (absl::Status s = CheckDirectiveName(request.name()); !s.ok()) return s;
  if (request.reason().empty()) {
    return InvalidField("reason", "required: why it is withdrawn (thu hồi)");
  }
  if (request.etag().empty()) return InvalidField("etag", "required");
  return RunStagedChange(
      context_->redis(), context_->prefix(), context_->events_key(),
      "WithdrawDirective", request.request_id(), request, response,
      [&](StagedChange& change) -> absl::Status {
        absl::StatusOr<Stored<v1::Directive>> stored = ReadForWrite(
            call, request.name(), request.etag(), "name",
            {v1::DIRECTIVE_STATE_ISSUING, v1::DIRECTIVE_STATE_ISSUED},
            "directive.withdraw.issued",
            "only an issued directive is withdrawn (a draft is deleted; a "
            "withdrawn one is final)");
        if (!stored.ok()) return stored.status();
        v1::Directive d = stored->message;
        d.set_state(v1::DIRECTIVE_STATE_WITHDRAWN);
        *d.mutable_withdraw_stamp() =
            Stamp(call, request.request_id(), request.reason());
        *d.mutable_update_stamp() = d.withdraw_stamp();
        response = d;
        response.set_etag(EtagOf(stored->version + 1));
        if (absl::Status s = Present(response); !s.ok()) return s;
        if (request.validate_only()) return absl::OkStatus();
        directives_.StagePut(change.write, d, stored->version);
        fan_out_->StageJob(change.write, d.name(),
                           absl::StrCat(d.name(), ":withdraw"));
        return absl::OkStatus();
      });
}

}  // namespace partydev::notification
