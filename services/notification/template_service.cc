#include "services/notification/template_service.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/authorization.h"
#include "common/change.h"
#include "common/errors.h"
#include "common/filters.h"
#include "common/paging.h"
#include "common/record_store.h"
#include "services/notification/queue/job_queue.h"
#include "services/notification/templates/template_renderer.h"

namespace partydev::notification {
namespace {

// The fields an operator writes (everything but the output-only ones).
const std::set<std::string>& ContentPaths() {
  static const auto* paths = new std::set<std::string>{
      "display_name", "description", "category", "locale",
      "variants",     "variables",   "state",    "sample_context_json"};
  return *paths;
}

// Copies the content fields of `from` named by `mask` (every content field
// when `mask` is null) into `to`.
void CopyContent(const v1::Template& from,
                 const google::protobuf::FieldMask* mask, v1::Template& to) {
  auto want = [mask](absl::string_view path) {
    return mask == nullptr || InMask(*mask, path);
  };
  if (want("display_name")) to.set_display_name(from.display_name());
  if (want("description")) to.set_description(from.description());
  if (want("category")) to.set_category(from.category());
  if (want("locale")) to.set_locale(from.locale());
  if (want("variants")) *to.mutable_variants() = from.variants();
  if (want("variables")) *to.mutable_variables() = from.variables();
  if (want("state")) to.set_state(from.state());
  if (want("sample_context_json")) {
    to.set_sample_context_json(from.sample_context_json());
  }
}

// Every problem of a template to save, each naming its request field
// (`field` + "." + the template's field): its own required fields, then
// templates::TemplateProblems (rendering with the sample context and
// `partials`).
std::vector<FieldViolation> ContentProblems(const v1::Template& t,
                                            const templates::Partials& partials,
                                            absl::string_view field) {
  std::vector<FieldViolation> problems;
  auto add = [&](absl::string_view path, std::string description) {
    problems.push_back(
        {absl::StrCat(field, ".", path), std::move(description)});
  };
  if (t.display_name().empty()) add("display_name", "is required");
  if (t.category() == v1::MESSAGE_CATEGORY_UNSPECIFIED) {
    add("category", "is required");
  }
  // TemplateProblems stops at a bad sample context; this one is said
  // whatever the context.
  if (t.variants().empty()) add("variants", "at least one is required");
  std::set<std::string> variable_names;
  for (int i = 0; i < t.variables_size(); ++i) {
    const std::string& name = t.variables(i).name();
    if (name.empty()) {
      add(absl::StrCat("variables[", i, "].name"), "is required");
    } else if (!variable_names.insert(name).second) {
      add(absl::StrCat("variables[", i, "].name"),
          absl::StrCat("\"", name, "\" is declared twice"));
    }
  }
  for (FieldViolation& v : templates::TemplateProblems(t, partials)) {
    if (v.field == "variants") continue;  // said above
    problems.push_back(
        {absl::StrCat(field, ".", v.field), std::move(v.description)});
  }
  return problems;
}

// Keeps the variants of `t` whose locale (default the template's) is
// `locale`; INVALID_ARGUMENT naming `locale` when none is.
absl::Status KeepLocale(v1::Template& t, const std::string& locale) {
  if (locale.empty()) return absl::OkStatus();
  google::protobuf::RepeatedPtrField<v1::TemplateVariant> kept;
  std::set<std::string> available;
  for (const v1::TemplateVariant& v : t.variants()) {
    const std::string& own = v.locale().empty() ? t.locale() : v.locale();
    available.insert(own);
    if (own == locale) *kept.Add() = v;
  }
  if (kept.empty()) {
    return InvalidField(
        "locale",
        absl::StrCat(t.name(), " has no variant in ", locale, " (it has ",
                     absl::StrJoin(available, ", "), ")"));
  }
  *t.mutable_variants() = std::move(kept);
  return absl::OkStatus();
}

absl::Status RequireWriter(const CallContext& call, absl::string_view action) {
  return RequireAnyRole(call.principal, {roles::kAdmin}, action);
}

}  // namespace

TemplateServiceImpl::TemplateServiceImpl(
    std::shared_ptr<NotificationContext> context)
    : context_(std::move(context)),
      store_(context_->records(), *context_->rules().templates) {}

#define PARTYDEV_UNARY(Rpc, Request, Response) \
  PARTYDEV_UNARY_METHOD(TemplateServiceImpl, Rpc, Request, Response)
PARTYDEV_UNARY(CreateTemplate, v1::CreateTemplateRequest, v1::Template)
PARTYDEV_UNARY(GetTemplate, v1::GetTemplateRequest, v1::Template)
PARTYDEV_UNARY(ListTemplates, v1::ListTemplatesRequest,
               v1::ListTemplatesResponse)
PARTYDEV_UNARY(UpdateTemplate, v1::UpdateTemplateRequest, v1::Template)
PARTYDEV_UNARY(ListTemplateRevisions, v1::ListTemplateRevisionsRequest,
               v1::ListTemplateRevisionsResponse)
PARTYDEV_UNARY(RollbackTemplate, v1::RollbackTemplateRequest, v1::Template)
PARTYDEV_UNARY(RenderTemplate, v1::RenderTemplateRequest,
               v1::RenderTemplateResponse)
#undef PARTYDEV_UNARY

void TemplateServiceImpl::StageRevision(const CallContext& call,
                                        const std::string& request_id,
                                        const CurrentTemplate& current,
                                        v1::Template next, bool validate_only,
                                        StagedChange& change,
                                        v1::Template& out) {
  int64_t previous = 0;
  if (current.stored) {
    (void)absl::SimpleAtoi(current.message.revision_id(), &previous);
  }
  next.set_revision_id(absl::StrCat(previous + 1));
  *next.mutable_revision_create_time() = ToTimestamp(context_->clock().Now());
  const common::v1::ChangeStamp stamp = Stamp(call, request_id, "");
  if (current.stored) {
    *next.mutable_create_stamp() = current.message.create_stamp();
  } else {
    *next.mutable_create_stamp() = stamp;
  }
  *next.mutable_update_stamp() = stamp;
  next.clear_etag();
  out = next;
  out.set_etag(EtagOf(current.version + 1));
  if (validate_only) return;
  store_.StageSave(change.write, next, current.version);
}

absl::Status TemplateServiceImpl::DoCreateTemplate(
    const CallContext& call, const v1::CreateTemplateRequest& r,
    v1::Template& out) {
  if (absl::Status s = RequireWriter(call, "creating a template"); !s.ok()) {
    return s;
  }
  return RunStagedChange<v1::Template>(
      context_->redis(), context_->prefix(), context_->events_key(),
      "CreateTemplate", r.request_id(), r, out,
      [&](StagedChange& change) -> absl::Status {
        if (r.template_id().empty()) {
          return InvalidField("template_id",
                              "is required (e.g. \"evaluation-due\")");
        }
        if (!IsValidResourceId(r.template_id())) {
          return InvalidField(
              "template_id", "must match ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$");
        }
        const std::string& id = r.template_id();
        absl::StatusOr<CurrentTemplate> existing = store_.GetCurrent(id);
        if (existing.ok()) {
          return absl::AlreadyExistsError(absl::StrCat(
              TemplateNameOf(id), " already exists",
              existing->shipped && !existing->stored
                  ? " (shipped with notifyd; use UpdateTemplate to save a "
                    "revision of it)"
                  : " (use UpdateTemplate to change it)"));
        }
        if (!absl::IsNotFound(existing.status())) return existing.status();
        v1::Template t;
        CopyContent(r.template_(), nullptr, t);
        t.set_name(TemplateNameOf(id));
        FillTemplateDefaults(t);
        absl::StatusOr<templates::Partials> partials = store_.Partials(id);
        if (!partials.ok()) return partials.status();
        if (std::vector<FieldViolation> problems =
                ContentProblems(t, *partials, "template");
            !problems.empty()) {
          return InvalidFields(std::move(problems));
        }
        CurrentTemplate none;
        StageRevision(call, r.request_id(), none, std::move(t),
                      r.validate_only(), change, out);
        return absl::OkStatus();
      });
}

absl::Status TemplateServiceImpl::DoGetTemplate(const CallContext&,
                                                const v1::GetTemplateRequest& r,
                                                v1::Template& out) {
  absl::StatusOr<TemplateRef> ref = ParseTemplateName(r.name(), "name", true);
  if (!ref.ok()) return ref.status();
  if (!ref->revision_id.empty()) {
    absl::StatusOr<v1::Template> revision =
        store_.GetRevision(ref->id, ref->revision_id);
    if (!revision.ok()) return revision.status();
    out = *std::move(revision);
    return absl::OkStatus();
  }
  absl::StatusOr<CurrentTemplate> current = store_.GetCurrent(ref->id);
  if (!current.ok()) return current.status();
  out = std::move(current->message);
  return absl::OkStatus();
}

absl::Status TemplateServiceImpl::DoListTemplates(
    const CallContext&, const v1::ListTemplatesRequest& r,
    v1::ListTemplatesResponse& out) {
  absl::StatusOr<OffsetPage> page =
      OffsetPage::Of(r, r.page_size(), r.page_token());
  if (!page.ok()) return page.status();
  absl::StatusOr<Filter> filter =
      Filter::Parse(r.filter(), *v1::Template::descriptor(),
                    {"category", "state", "locale", "display_name"});
  if (!filter.ok()) return filter.status();
  absl::StatusOr<std::vector<v1::Template>> current = store_.Current();
  if (!current.ok()) return current.status();
  std::vector<v1::Template> matched;
  for (v1::Template& t : *current) {
    if (filter->Matches(t)) matched.push_back(std::move(t));
  }
  page->Fill(matched.size(), out,
             [&](int i) { *out.add_templates() = std::move(matched[i]); });
  return absl::OkStatus();
}

absl::Status TemplateServiceImpl::DoUpdateTemplate(
    const CallContext& call, const v1::UpdateTemplateRequest& r,
    v1::Template& out) {
  if (absl::Status s = RequireWriter(call, "changing a template"); !s.ok()) {
    return s;
  }
  absl::StatusOr<TemplateRef> ref =
      ParseTemplateName(r.template_().name(), "template.name", false);
  if (!ref.ok()) return ref.status();
  if (absl::Status s = CheckUpdateMask(r.update_mask(), ContentPaths());
      !s.ok()) {
    return s;
  }
  return RunStagedChange<v1::Template>(
      context_->redis(), context_->prefix(), context_->events_key(),
      "UpdateTemplate", r.request_id(), r, out,
      [&](StagedChange& change) -> absl::Status {
        absl::StatusOr<CurrentTemplate> current = store_.GetCurrent(ref->id);
        if (!current.ok()) return current.status();
        if (absl::Status s = CheckEtag(r.template_().etag(), current->version,
                                       current->message.name());
            !s.ok()) {
          return s;
        }
        v1::Template next = current->message;
        CopyContent(r.template_(), &r.update_mask(), next);
        FillTemplateDefaults(next);
        absl::StatusOr<templates::Partials> partials = store_.Partials(ref->id);
        if (!partials.ok()) return partials.status();
        if (std::vector<FieldViolation> problems =
                ContentProblems(next, *partials, "template");
            !problems.empty()) {
          return InvalidFields(std::move(problems));
        }
        StageRevision(call, r.request_id(), *current, std::move(next),
                      r.validate_only(), change, out);
        return absl::OkStatus();
      });
}

absl::Status TemplateServiceImpl::DoListTemplateRevisions(
    const CallContext&, const v1::ListTemplateRevisionsRequest& r,
    v1::ListTemplateRevisionsResponse& out) {
  absl::StatusOr<TemplateRef> ref = ParseTemplateName(r.name(), "name", false);
  if (!ref.ok()) return ref.status();
  absl::StatusOr<OffsetPage> page =
      OffsetPage::Of(r, r.page_size(), r.page_token());
  if (!page.ok()) return page.status();
  absl::StatusOr<std::vector<v1::Template>> revisions =
      store_.Revisions(ref->id);
  if (!revisions.ok()) return revisions.status();
  page->Fill(revisions->size(), out,
             [&](int i) { *out.add_templates() = std::move((*revisions)[i]); });
  return absl::OkStatus();
}

absl::Status TemplateServiceImpl::DoRollbackTemplate(
    const CallContext& call, const v1::RollbackTemplateRequest& r,
    v1::Template& out) {
  if (absl::Status s = RequireWriter(call, "rolling a template back");
      !s.ok()) {
    return s;
  }
  absl::StatusOr<TemplateRef> ref = ParseTemplateName(r.name(), "name", false);
  if (!ref.ok()) return ref.status();
  if (r.revision_id().empty()) {
    return InvalidField("revision_id", "is required");
  }
  return RunStagedChange<v1::Template>(
      context_->redis(), context_->prefix(), context_->events_key(),
      "RollbackTemplate", r.request_id(), r, out,
      [&](StagedChange& change) -> absl::Status {
        absl::StatusOr<CurrentTemplate> current = store_.GetCurrent(ref->id);
        if (!current.ok()) return current.status();
        if (absl::Status s =
                CheckEtag(r.etag(), current->version, current->message.name());
            !s.ok()) {
          return s;
        }
        absl::StatusOr<v1::Template> old =
            store_.GetRevision(ref->id, r.revision_id());
        if (!old.ok()) return old.status();
        // The old content, as a new revision; the state stays as it is now
        // (a rollback restores text, it does not un-archive).
        v1::Template next = current->message;
        const v1::TemplateState state = next.state();
        CopyContent(*old, nullptr, next);
        next.set_state(state);
        FillTemplateDefaults(next);
        absl::StatusOr<templates::Partials> partials = store_.Partials(ref->id);
        if (!partials.ok()) return partials.status();
        if (std::vector<FieldViolation> problems =
                ContentProblems(next, *partials, "template");
            !problems.empty()) {
          std::vector<std::string> parts;
          for (const FieldViolation& p : problems) {
            parts.push_back(absl::StrCat(p.field, ": ", p.description));
          }
          return InvalidField(
              "revision_id",
              absl::StrCat("revision ", r.revision_id(),
                           " no longer renders: ", absl::StrJoin(parts, "; ")));
        }
        StageRevision(call, r.request_id(), *current, std::move(next),
                      r.validate_only(), change, out);
        return absl::OkStatus();
      });
}

absl::Status TemplateServiceImpl::DoRenderTemplate(
    const CallContext&, const v1::RenderTemplateRequest& r,
    v1::RenderTemplateResponse& out) {
  absl::StatusOr<TemplateRef> ref = ParseTemplateName(r.name(), "name", true);
  if (!ref.ok()) return ref.status();
  v1::Template t;
  if (ref->revision_id.empty()) {
    absl::StatusOr<CurrentTemplate> current = store_.GetCurrent(ref->id);
    if (!current.ok()) return current.status();
    t = std::move(current->message);
  } else {
    absl::StatusOr<v1::Template> revision =
        store_.GetRevision(ref->id, ref->revision_id);
    if (!revision.ok()) return revision.status();
    t = *std::move(revision);
  }
  const bool own_context = !r.context_json().empty();
  absl::StatusOr<nlohmann::json> context = templates::ParseContext(
      own_context ? r.context_json() : t.sample_context_json(),
      own_context ? "context_json" : "sample_context_json");
  if (!context.ok()) return context.status();
  if (absl::Status s = KeepLocale(t, r.locale()); !s.ok()) return s;
  absl::StatusOr<templates::Partials> partials = store_.Partials(ref->id);
  if (!partials.ok()) return partials.status();
  std::vector<std::string> missing;
  absl::StatusOr<std::vector<v1::RenderedVariant>> rendered =
      templates::RenderTemplate(t, *context, *partials, r.channel(), &missing);
  if (!rendered.ok()) return rendered.status();
  for (v1::RenderedVariant& v : *rendered) *out.add_variants() = std::move(v);
  // Variables used and absent, then declared required ones never used.
  std::set<std::string> seen(missing.begin(), missing.end());
  for (const v1::TemplateVariable& v : t.variables()) {
    if (v.required() && !context->contains(v.name()) &&
        seen.insert(v.name()).second) {
      missing.push_back(v.name());
    }
  }
  for (std::string& name : missing) out.add_missing_variables(std::move(name));
  return absl::OkStatus();
}

}  // namespace partydev::notification
