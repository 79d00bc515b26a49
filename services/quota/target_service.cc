#include "services/quota/target_service.h"

#include <algorithm>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/authorization.h"
#include "common/change.h"
#include "common/dates.h"
#include "common/errors.h"
#include "common/filters.h"
#include "common/record_store.h"
#include "services/quota/domain/periods.h"
#include "services/quota/domain/targets.h"
#include "services/quota/quota_access.h"
#include "services/quota/quota_change.h"
#include "services/quota/quota_lists.h"
#include "services/quota/quota_rpc.h"

namespace partydev::quota {
namespace {

// The checks of a term's own fields.
void CheckTerm(const v1::Term& term, absl::string_view field,
               FieldChecker& check) {
  if (term.display_name().empty()) {
    check.Add(absl::StrCat(field, ".display_name"), "is required");
  }
  CheckDate(term.start_date(), absl::StrCat(field, ".start_date"), check);
  CheckDate(term.end_date(), absl::StrCat(field, ".end_date"), check);
  if (IsValidDate(term.start_date()) && IsValidDate(term.end_date()) &&
      CivilDayOf(term.end_date()) <= CivilDayOf(term.start_date())) {
    check.Add(absl::StrCat(field, ".end_date"),
              absl::StrCat("must be after start_date (",
                           FormatDate(term.start_date()), ")"));
  }
}

// `quota.term.no_overlap` against every other term.
std::vector<RuleViolation> Overlaps(const v1::Term& term,
                                    const std::vector<v1::Term>& terms) {
  std::vector<RuleViolation> unmet;
  const absl::CivilDay start = CivilDayOf(term.start_date());
  const absl::CivilDay end = CivilDayOf(term.end_date());
  for (const v1::Term& other : terms) {
    if (other.name() == term.name()) continue;
    if (CivilDayOf(other.start_date()) <= end &&
        start <= CivilDayOf(other.end_date())) {
      unmet.push_back({"quota.term.no_overlap", other.name(),
                       absl::StrCat("Nhiệm kỳ ", FormatDate(term.start_date()),
                                    " – ", FormatDate(term.end_date()),
                                    " trùng với ", other.display_name(), " (",
                                    FormatDate(other.start_date()), " – ",
                                    FormatDate(other.end_date()), ")")});
    }
  }
  return unmet;
}

void FillYears(v1::Term& term) {
  term.clear_years();
  for (int y : domain::YearsOf(CivilDayOf(term.start_date()),
                               CivilDayOf(term.end_date()))) {
    term.add_years(y);
  }
}

events::v1::Event TermEvent(const CallContext& call,
                            const std::string& request_id,
                            const v1::Term& term) {
  google::protobuf::RepeatedPtrField<std::string> no_path;
  events::v1::Event event =
      NewEvent("quota", call, request_id, Today(), no_path);
  auto* defined = event.mutable_term_defined();
  defined->set_term(term.name());
  *defined->mutable_start_date() = term.start_date();
  *defined->mutable_end_date() = term.end_date();
  SetType(event);
  return event;
}

// A congress resolution or a basis document: `number` and `signed_on`
// required (with `required_body`, the deciding organisation too).
void CheckDecisionRef(const common::v1::DecisionRef& ref,
                      absl::string_view field, bool required_body,
                      FieldChecker& check) {
  if (ref.number().empty()) {
    check.Add(absl::StrCat(field, ".number"), "is required");
  }
  CheckDate(ref.signed_on(), absl::StrCat(field, ".signed_on"), check);
  if (required_body && ref.deciding_organization().empty()) {
    check.Add(absl::StrCat(field, ".deciding_organization"), "is required");
  }
}

bool IsUnsetRef(const common::v1::DecisionRef& ref) {
  return ref.ByteSizeLong() == 0;
}

absl::StatusOr<int> ParseYear(absl::string_view text, absl::string_view field) {
  int year = 0;
  if (!absl::SimpleAtoi(text, &year) || year < 1900 || year > 9999 ||
      absl::StrCat(year) != text) {
    return InvalidField(
        field, absl::StrCat("must be a year (1900..9999), not \"", text, "\""));
  }
  return year;
}

// The term named "terms/{term_id}", or a violation of
// `quota.target.term_exists` naming `subject`.
absl::StatusOr<std::optional<Stored<v1::Term>>> FindTerm(
    TargetStore& targets, const std::string& term_id,
    const std::string& subject, std::vector<RuleViolation>& unmet) {
  absl::StatusOr<Stored<v1::Term>> term = targets.GetTerm(TermName(term_id));
  if (term.ok()) return std::optional<Stored<v1::Term>>(*std::move(term));
  if (!absl::IsNotFound(term.status())) return term.status();
  unmet.push_back(
      {"quota.target.term_exists", subject,
       absl::StrCat("Nhiệm kỳ ", TermName(term_id), " chưa được khai báo")});
  return std::optional<Stored<v1::Term>>();
}

// What the term and yearly targets share: both are an organisation's own
// figures (from its resolution) beside those allocated to it from above,
// with the effective figure chosen by the rule set's precedence.

template <typename Target>
void FillEffectiveOf(Target& target, v1::TargetPrecedence precedence) {
  const EffectiveTarget e = EffectiveOf(target, precedence);
  target.clear_effective();
  if (e.source != v1::TARGET_SOURCE_NONE) {
    *target.mutable_effective() = e.figures;
  }
  target.set_effective_source(e.source);
}

// The stored targets among `names` that match `filter` (effective figures
// filled first, so they can be filtered on), and the page of them that
// `request` asks for.
template <typename Target>
struct MatchedTargets {
  std::vector<Target> targets;
  PageSpan page;
};

template <typename Target>
absl::StatusOr<MatchedTargets<Target>> MatchTargets(
    RecordStore& records, const std::vector<std::string>& names,
    const Filter& filter, v1::TargetPrecedence precedence,
    const google::protobuf::Message& request, int page_size,
    const std::string& page_token) {
  absl::StatusOr<std::vector<Stored<Target>>> stored =
      records.GetMany<Target>(names);
  if (!stored.ok()) return stored.status();
  MatchedTargets<Target> out;
  std::vector<std::string> matched_names;
  for (Stored<Target>& s : *stored) {
    FillEffectiveOf(s.message, precedence);
    if (!filter.Matches(s.message)) continue;
    matched_names.push_back(s.message.name());
    out.targets.push_back(std::move(s.message));
  }
  absl::StatusOr<PageSpan> page =
      PageOf(request, page_size, page_token, matched_names);
  if (!page.ok()) return page.status();
  out.page = *std::move(page);
  return out;
}

// The own figures of a new target (request field `field`): required, and
// valid (domain::ValidateFigures).
template <typename Target>
std::vector<RuleViolation> CheckNewOwn(const Target& in,
                                       const std::string& field,
                                       FieldChecker& check) {
  if (!in.has_own()) {
    check.Add(field, "is required");
    return {};
  }
  return domain::ValidateFigures(in.own(), field, check);
}

// A new target `name` of `organization` in `term`, from the request's `in`.
template <typename Target>
Target NewTarget(const Target& in, const std::string& name,
                 const std::string& organization, const std::string& term,
                 const common::v1::ChangeStamp& stamp) {
  Target target;
  target.set_name(name);
  target.set_organization(organization);
  target.set_term(term);
  *target.mutable_own() = in.own();
  domain::SortCategories(*target.mutable_own());
  target.set_note(in.note());
  *target.mutable_create_stamp() = stamp;
  *target.mutable_update_stamp() = stamp;
  return target;
}

// Applies the "own" and "note" paths of `mask` from `in` to `target`; new
// own figures (request field `field`) are validated.
template <typename Target>
std::vector<RuleViolation> UpdateOwnAndNote(
    const Target& in, const google::protobuf::FieldMask& mask,
    const std::string& field, Target& target, FieldChecker& check) {
  std::vector<RuleViolation> unmet;
  if (InMask(mask, "own")) {
    if (in.has_own()) {
      unmet = domain::ValidateFigures(in.own(), field, check);
      *target.mutable_own() = in.own();
      domain::SortCategories(*target.mutable_own());
    } else {
      target.clear_own();
    }
  }
  if (InMask(mask, "note")) target.set_note(in.note());
  return unmet;
}

}  // namespace

absl::StatusOr<TargetName> ParseTargetName(const std::string& name,
                                           bool with_year,
                                           absl::string_view field) {
  const std::vector<std::string> parts = absl::StrSplit(name, '/');
  const size_t want = with_year ? 6 : 4;
  const absl::string_view shape =
      with_year ? "organizations/{org}/targets/{term}/years/{year}"
                : "organizations/{org}/targets/{term}";
  if (name.empty()) return InvalidField(field, "is required");
  if (parts.size() != want || parts[0] != "organizations" ||
      !IsValidResourceId(parts[1]) || parts[2] != "targets" ||
      !IsValidResourceId(parts[3]) || (with_year && parts[4] != "years")) {
    return InvalidField(field,
                        absl::StrCat("\"", name, "\" is not \"", shape, "\""));
  }
  TargetName out;
  out.organization = absl::StrCat("organizations/", parts[1]);
  out.term_id = parts[3];
  if (with_year) {
    absl::StatusOr<int> year = ParseYear(parts[5], field);
    if (!year.ok()) return year.status();
    out.year = *year;
  }
  return out;
}

void FillEffective(v1::TermTarget& target, v1::TargetPrecedence precedence) {
  FillEffectiveOf(target, precedence);
}

void FillEffective(v1::YearTarget& target, v1::TargetPrecedence precedence) {
  FillEffectiveOf(target, precedence);
}

v1::TargetPrecedence PrecedenceOn(const QuotaContext& context,
                                  absl::CivilDay day) {
  absl::StatusOr<const v1::QuotaRuleSet*> rules = context.rules().ForDay(day);
  if (!rules.ok()) return v1::TARGET_PRECEDENCE_ALLOCATED_FIRST;
  return (*rules)->targets().precedence();
}

TargetServiceImpl::TargetServiceImpl(std::shared_ptr<QuotaContext> context)
    : context_(std::move(context)) {}

#define PARTYDEV_UNARY(Rpc, Request, Response) \
  PARTYDEV_UNARY_METHOD(TargetServiceImpl, Rpc, Request, Response)
PARTYDEV_UNARY(GetTerm, v1::GetTermRequest, v1::Term)
PARTYDEV_UNARY(ListTerms, v1::ListTermsRequest, v1::ListTermsResponse)
PARTYDEV_UNARY(CreateTerm, v1::CreateTermRequest, v1::Term)
PARTYDEV_UNARY(UpdateTerm, v1::UpdateTermRequest, v1::Term)
PARTYDEV_UNARY(GetTermTarget, v1::GetTermTargetRequest, v1::TermTarget)
PARTYDEV_UNARY(ListTermTargets, v1::ListTermTargetsRequest,
               v1::ListTermTargetsResponse)
PARTYDEV_UNARY(CreateTermTarget, v1::CreateTermTargetRequest, v1::TermTarget)
PARTYDEV_UNARY(UpdateTermTarget, v1::UpdateTermTargetRequest, v1::TermTarget)
PARTYDEV_UNARY(GetYearTarget, v1::GetYearTargetRequest, v1::YearTarget)
PARTYDEV_UNARY(ListYearTargets, v1::ListYearTargetsRequest,
               v1::ListYearTargetsResponse)
PARTYDEV_UNARY(CreateYearTarget, v1::CreateYearTargetRequest, v1::YearTarget)
PARTYDEV_UNARY(UpdateYearTarget, v1::UpdateYearTargetRequest, v1::YearTarget)
#undef PARTYDEV_UNARY

// ---------------------------------------------------------------- Terms

absl::Status TargetServiceImpl::DoGetTerm(const CallContext&,
                                          const v1::GetTermRequest& r,
                                          v1::Term& out) {
  if (TermIdOf(r.name()).empty()) {
    return InvalidField(
        "name", r.name().empty() ? "is required" : "must be \"terms/{term}\"");
  }
  absl::StatusOr<Stored<v1::Term>> term = context_->targets().GetTerm(r.name());
  if (!term.ok()) return term.status();
  out = std::move(term->message);
  out.set_state(domain::StateOf(out, TodayDay()));
  return absl::OkStatus();
}

absl::Status TargetServiceImpl::DoListTerms(const CallContext&,
                                            const v1::ListTermsRequest& r,
                                            v1::ListTermsResponse& out) {
  if (absl::StatusOr<int> size = ResolvePageSize(r.page_size()); !size.ok()) {
    return size.status();
  }
  const std::string order(absl::StripAsciiWhitespace(r.order_by()));
  bool descending = false;
  if (order == "start_date desc") {
    descending = true;
  } else if (!order.empty() && order != "start_date" &&
             order != "start_date asc") {
    return InvalidField("order_by",
                        "must be \"start_date\" or \"start_date desc\"");
  }
  absl::StatusOr<Filter> filter = Filter::Parse(
      r.filter(), *v1::Term::descriptor(), {"state", "start_date", "end_date"});
  if (!filter.ok()) return filter.status();
  absl::StatusOr<std::vector<v1::Term>> terms = context_->targets().Terms();
  if (!terms.ok()) return terms.status();
  if (descending) std::reverse(terms->begin(), terms->end());
  const absl::CivilDay today = TodayDay();
  std::vector<v1::Term> matched;
  std::vector<std::string> names;
  for (v1::Term& term : *terms) {
    term.set_state(domain::StateOf(term, today));
    if (!filter->Matches(term)) continue;
    names.push_back(term.name());
    matched.push_back(std::move(term));
  }
  absl::StatusOr<PageSpan> page =
      PageOf(r, r.page_size(), r.page_token(), names);
  if (!page.ok()) return page.status();
  for (size_t i = page->begin; i < page->end; ++i) {
    *out.add_terms() = std::move(matched[i]);
  }
  out.set_next_page_token(page->next_page_token);
  out.set_total_size(static_cast<int>(matched.size()));
  return absl::OkStatus();
}

absl::Status TargetServiceImpl::DoCreateTerm(const CallContext& call,
                                             const v1::CreateTermRequest& r,
                                             v1::Term& out) {
  if (absl::Status s =
          RequireAnyRole(call.principal, {roles::kAdmin}, "creating a term");
      !s.ok()) {
    return s;
  }
  return RunChange<v1::Term>(
      *context_, "CreateTerm", r.request_id(), r, out,
      [&](Change& change) -> absl::Status {
        FieldChecker check;
        if (r.term_id().empty()) {
          check.Add("term_id", "is required (e.g. \"2025-2030\")");
        } else if (!IsValidResourceId(r.term_id())) {
          check.Add("term_id",
                    "must match ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$");
        }
        CheckTerm(r.term(), "term", check);
        if (!check.ok()) return check.status();
        TargetStore& targets = context_->targets();
        absl::StatusOr<int64_t> terms_version = targets.TermsVersion();
        if (!terms_version.ok()) return terms_version.status();
        absl::StatusOr<std::vector<v1::Term>> terms = targets.Terms();
        if (!terms.ok()) return terms.status();
        const std::string name = TermName(r.term_id());
        for (const v1::Term& t : *terms) {
          if (t.name() == name) {
            return absl::AlreadyExistsError(
                absl::StrCat(name, " already exists"));
          }
        }
        v1::Term term;
        term.set_name(name);
        term.set_display_name(r.term().display_name());
        *term.mutable_start_date() = r.term().start_date();
        *term.mutable_end_date() = r.term().end_date();
        term.set_description(r.term().description());
        FillYears(term);
        if (std::vector<RuleViolation> unmet = Overlaps(term, *terms);
            !unmet.empty()) {
          return RulesViolated(std::move(unmet));
        }
        const common::v1::ChangeStamp stamp = Stamp(call, r.request_id(), "");
        *term.mutable_create_stamp() = stamp;
        *term.mutable_update_stamp() = stamp;
        term.set_state(domain::StateOf(term, TodayDay()));
        out = term;
        if (r.validate_only()) return absl::OkStatus();
        out.set_etag(EtagOf(1));
        targets.StageTerm(change.write, term, 0);
        targets.StageTermsVersion(change.write, *terms_version);
        change.journal.events.push_back(TermEvent(call, r.request_id(), term));
        return absl::OkStatus();
      });
}

absl::Status TargetServiceImpl::DoUpdateTerm(const CallContext& call,
                                             const v1::UpdateTermRequest& r,
                                             v1::Term& out) {
  if (absl::Status s =
          RequireAnyRole(call.principal, {roles::kAdmin}, "changing a term");
      !s.ok()) {
    return s;
  }
  const std::string term_id = TermIdOf(r.term().name());
  if (term_id.empty()) {
    return InvalidField("term.name", r.term().name().empty()
                                         ? "is required"
                                         : "must be \"terms/{term}\"");
  }
  if (absl::Status s = CheckUpdateMask(
          r.update_mask(),
          {"display_name", "start_date", "end_date", "description"});
      !s.ok()) {
    return s;
  }
  return RunChange<v1::Term>(
      *context_, "UpdateTerm", r.request_id(), r, out,
      [&](Change& change) -> absl::Status {
        TargetStore& targets = context_->targets();
        absl::StatusOr<int64_t> terms_version = targets.TermsVersion();
        if (!terms_version.ok()) return terms_version.status();
        absl::StatusOr<Stored<v1::Term>> stored =
            targets.GetTerm(r.term().name());
        if (!stored.ok()) return stored.status();
        if (absl::Status s =
                CheckEtag(r.term().etag(), stored->version, r.term().name());
            !s.ok()) {
          return s;
        }
        v1::Term term = stored->message;
        const auto& mask = r.update_mask();
        if (InMask(mask, "display_name")) {
          term.set_display_name(r.term().display_name());
        }
        if (InMask(mask, "start_date")) {
          *term.mutable_start_date() = r.term().start_date();
        }
        if (InMask(mask, "end_date")) {
          *term.mutable_end_date() = r.term().end_date();
        }
        if (InMask(mask, "description")) {
          term.set_description(r.term().description());
        }
        FieldChecker check;
        CheckTerm(term, "term", check);
        if (!check.ok()) return check.status();
        FillYears(term);
        absl::StatusOr<std::vector<v1::Term>> terms = targets.Terms();
        if (!terms.ok()) return terms.status();
        std::vector<RuleViolation> unmet = Overlaps(term, *terms);
        absl::StatusOr<std::vector<int>> used =
            targets.YearsWithTargets(term_id);
        if (!used.ok()) return used.status();
        const std::set<int> years(term.years().begin(), term.years().end());
        for (int year : *used) {
          if (years.count(year) > 0) continue;
          unmet.push_back({"quota.term.years_cover_targets", term.name(),
                           absl::StrCat("Đã có chỉ tiêu năm ", year, " thuộc ",
                                        term.display_name(), "; nhiệm kỳ ",
                                        FormatDate(term.start_date()), " – ",
                                        FormatDate(term.end_date()),
                                        " không còn bao gồm năm ", year)});
        }
        if (!unmet.empty()) return RulesViolated(std::move(unmet));
        *term.mutable_update_stamp() = Stamp(call, r.request_id(), "");
        term.set_state(domain::StateOf(term, TodayDay()));
        out = term;
        if (r.validate_only()) return absl::OkStatus();
        out.set_etag(EtagOf(stored->version + 1));
        targets.StageTerm(change.write, term, stored->version);
        targets.StageTermsVersion(change.write, *terms_version);
        change.journal.events.push_back(TermEvent(call, r.request_id(), term));
        return absl::OkStatus();
      });
}

// ---------------------------------------------------------- Term targets

absl::Status TargetServiceImpl::FillYearsTotal(
    v1::TermTarget& target, v1::TargetPrecedence precedence) {
  absl::StatusOr<Stored<v1::Term>> term =
      context_->targets().GetTerm(target.term());
  if (!term.ok())
    return absl::IsNotFound(term.status()) ? absl::OkStatus() : term.status();
  std::vector<std::string> names;
  const std::string term_id = TermIdOf(target.term());
  for (int year : term->message.years()) {
    names.push_back(YearTargetName(target.organization(), term_id, year));
  }
  absl::StatusOr<std::vector<Stored<v1::YearTarget>>> years =
      context_->records().GetMany<v1::YearTarget>(names);
  if (!years.ok()) return years.status();
  target.clear_years_total();
  bool any = false;
  v1::TargetFigures sum;
  for (const Stored<v1::YearTarget>& y : *years) {
    const EffectiveTarget e = EffectiveOf(y.message, precedence);
    if (e.source == v1::TARGET_SOURCE_NONE) continue;
    any = true;
    domain::AddFigures(sum, e.figures);
  }
  if (any) *target.mutable_years_total() = sum;
  return absl::OkStatus();
}

absl::Status TargetServiceImpl::DoGetTermTarget(
    const CallContext& call, const v1::GetTermTargetRequest& r,
    v1::TermTarget& out) {
  absl::StatusOr<TargetName> name = ParseTargetName(r.name(), false, "name");
  if (!name.ok()) return name.status();
  absl::StatusOr<std::shared_ptr<const OrgTree>> tree =
      AuthorizedTree(*context_, call, name->organization, "name");
  if (!tree.ok()) return tree.status();
  absl::StatusOr<Stored<v1::TermTarget>> stored =
      context_->records().Get<v1::TermTarget>(r.name());
  if (!stored.ok()) return stored.status();
  out = std::move(stored->message);
  const v1::TargetPrecedence precedence = PrecedenceOn(*context_, TodayDay());
  FillEffective(out, precedence);
  return FillYearsTotal(out, precedence);
}

absl::Status TargetServiceImpl::DoListTermTargets(
    const CallContext& call, const v1::ListTermTargetsRequest& r,
    v1::ListTermTargetsResponse& out) {
  if (absl::StatusOr<int> size = ResolvePageSize(r.page_size()); !size.ok()) {
    return size.status();
  }
  absl::StatusOr<Filter> filter = Filter::Parse(
      r.filter(), *v1::TermTarget::descriptor(), {"term", "effective_source"});
  if (!filter.ok()) return filter.status();
  absl::StatusOr<std::shared_ptr<const OrgTree>> tree =
      AuthorizedTree(*context_, call, r.parent(), "parent");
  if (!tree.ok()) return tree.status();
  const absl::CivilDay today = TodayDay();
  absl::StatusOr<std::vector<v1::Term>> terms = context_->targets().Terms();
  if (!terms.ok()) return terms.status();
  std::vector<std::string> names;
  for (const std::string& org :
       OrganizationsInScope(**tree, r.parent(), r.scope(), today)) {
    for (const v1::Term& term : *terms) {
      names.push_back(TermTargetName(org, TermIdOf(term.name())));
    }
  }
  const v1::TargetPrecedence precedence = PrecedenceOn(*context_, today);
  absl::StatusOr<MatchedTargets<v1::TermTarget>> matched =
      MatchTargets<v1::TermTarget>(context_->records(), names, *filter,
                                   precedence, r, r.page_size(),
                                   r.page_token());
  if (!matched.ok()) return matched.status();
  for (size_t i = matched->page.begin; i < matched->page.end; ++i) {
    v1::TermTarget& target = matched->targets[i];
    if (absl::Status s = FillYearsTotal(target, precedence); !s.ok()) return s;
    *out.add_term_targets() = std::move(target);
  }
  out.set_next_page_token(matched->page.next_page_token);
  out.set_total_size(static_cast<int>(matched->targets.size()));
  return absl::OkStatus();
}

absl::Status TargetServiceImpl::DoCreateTermTarget(
    const CallContext& call, const v1::CreateTermTargetRequest& r,
    v1::TermTarget& out) {
  if (absl::Status s = RequireBoard(call, "recording a term target"); !s.ok()) {
    return s;
  }
  absl::StatusOr<std::shared_ptr<const OrgTree>> tree =
      AuthorizedTree(*context_, call, r.parent(), "parent");
  if (!tree.ok()) return tree.status();
  return RunChange<v1::TermTarget>(
      *context_, "CreateTermTarget", r.request_id(), r, out,
      [&](Change& change) -> absl::Status {
        FieldChecker check;
        if (r.term_target_id().empty()) {
          check.Add("term_target_id", "is required (the term id)");
        } else if (!IsValidResourceId(r.term_target_id())) {
          check.Add("term_target_id", "is not a term id");
        }
        const v1::TermTarget& in = r.term_target();
        std::vector<RuleViolation> unmet =
            CheckNewOwn(in, "term_target.own", check);
        CheckDecisionRef(in.resolution(), "term_target.resolution", true,
                         check);
        if (!check.ok()) return check.status();
        absl::StatusOr<std::optional<Stored<v1::Term>>> term = FindTerm(
            context_->targets(), r.term_target_id(), "term_target_id", unmet);
        if (!term.ok()) return term.status();
        if (!unmet.empty()) return RulesViolated(std::move(unmet));
        const std::string name = TermTargetName(r.parent(), r.term_target_id());
        if (absl::Status s = MustNotExist<v1::TermTarget>(
                context_->records(), name, "UpdateTermTarget");
            !s.ok())
          return s;
        v1::TermTarget target =
            NewTarget(in, name, r.parent(), (*term)->message.name(),
                      Stamp(call, r.request_id(), ""));
        *target.mutable_resolution() = in.resolution();
        const v1::TargetPrecedence precedence =
            PrecedenceOn(*context_, TodayDay());
        FillEffective(target, precedence);
        if (absl::Status s = FillYearsTotal(target, precedence); !s.ok()) {
          return s;
        }
        out = target;
        if (r.validate_only()) return absl::OkStatus();
        out.set_etag(EtagOf(1));
        // The term may not change its dates meanwhile.
        change.write.Expect(context_->records().RecordKey(target.term()),
                            (*term)->version);
        context_->targets().StageTermTarget(change.write, target, 0);
        return absl::OkStatus();
      });
}

absl::Status TargetServiceImpl::DoUpdateTermTarget(
    const CallContext& call, const v1::UpdateTermTargetRequest& r,
    v1::TermTarget& out) {
  if (absl::Status s = RequireBoard(call, "changing a term target"); !s.ok()) {
    return s;
  }
  absl::StatusOr<TargetName> name =
      ParseTargetName(r.term_target().name(), false, "term_target.name");
  if (!name.ok()) return name.status();
  if (absl::Status s =
          CheckUpdateMask(r.update_mask(), {"own", "resolution", "note"});
      !s.ok()) {
    return s;
  }
  absl::StatusOr<std::shared_ptr<const OrgTree>> tree =
      AuthorizedTree(*context_, call, name->organization, "term_target.name");
  if (!tree.ok()) return tree.status();
  return RunChange<v1::TermTarget>(
      *context_, "UpdateTermTarget", r.request_id(), r, out,
      [&](Change& change) -> absl::Status {
        const v1::TermTarget& in = r.term_target();
        absl::StatusOr<Stored<v1::TermTarget>> stored =
            ReadForUpdate(context_->records(), in);
        if (!stored.ok()) return stored.status();
        v1::TermTarget target = stored->message;
        const auto& mask = r.update_mask();
        FieldChecker check;
        std::vector<RuleViolation> unmet =
            UpdateOwnAndNote(in, mask, "term_target.own", target, check);
        if (InMask(mask, "resolution")) {
          if (IsUnsetRef(in.resolution())) {
            target.clear_resolution();
          } else {
            *target.mutable_resolution() = in.resolution();
          }
        }
        if (target.has_own()) {
          CheckDecisionRef(target.resolution(), "term_target.resolution", true,
                           check);
        }
        if (!check.ok()) return check.status();
        if (!unmet.empty()) return RulesViolated(std::move(unmet));
        *target.mutable_update_stamp() = Stamp(call, r.request_id(), "");
        const v1::TargetPrecedence precedence =
            PrecedenceOn(*context_, TodayDay());
        FillEffective(target, precedence);
        if (absl::Status s = FillYearsTotal(target, precedence); !s.ok()) {
          return s;
        }
        out = target;
        if (r.validate_only()) return absl::OkStatus();
        out.set_etag(EtagOf(stored->version + 1));
        context_->targets().StageTermTarget(change.write, target,
                                            stored->version);
        return absl::OkStatus();
      });
}

// ---------------------------------------------------------- Year targets

absl::Status TargetServiceImpl::DoGetYearTarget(
    const CallContext& call, const v1::GetYearTargetRequest& r,
    v1::YearTarget& out) {
  absl::StatusOr<TargetName> name = ParseTargetName(r.name(), true, "name");
  if (!name.ok()) return name.status();
  absl::StatusOr<std::shared_ptr<const OrgTree>> tree =
      AuthorizedTree(*context_, call, name->organization, "name");
  if (!tree.ok()) return tree.status();
  absl::StatusOr<Stored<v1::YearTarget>> stored =
      context_->records().Get<v1::YearTarget>(r.name());
  if (!stored.ok()) return stored.status();
  out = std::move(stored->message);
  FillEffective(out, PrecedenceOn(*context_, TodayDay()));
  return absl::OkStatus();
}

absl::Status TargetServiceImpl::DoListYearTargets(
    const CallContext& call, const v1::ListYearTargetsRequest& r,
    v1::ListYearTargetsResponse& out) {
  absl::StatusOr<TargetName> parent =
      ParseTargetName(r.parent(), false, "parent");
  if (!parent.ok()) return parent.status();
  if (absl::StatusOr<int> size = ResolvePageSize(r.page_size()); !size.ok()) {
    return size.status();
  }
  absl::StatusOr<Filter> filter = Filter::Parse(
      r.filter(), *v1::YearTarget::descriptor(), {"year", "effective_source"});
  if (!filter.ok()) return filter.status();
  absl::StatusOr<std::shared_ptr<const OrgTree>> tree =
      AuthorizedTree(*context_, call, parent->organization, "parent");
  if (!tree.ok()) return tree.status();
  absl::StatusOr<Stored<v1::Term>> term =
      context_->targets().GetTerm(TermName(parent->term_id));
  if (absl::IsNotFound(term.status())) {
    return absl::NotFoundError(
        absl::StrCat(TermName(parent->term_id), " not found"));
  }
  if (!term.ok()) return term.status();
  const absl::CivilDay today = TodayDay();
  std::vector<std::string> names;
  for (const std::string& org :
       OrganizationsInScope(**tree, parent->organization, r.scope(), today)) {
    for (int year : term->message.years()) {
      names.push_back(YearTargetName(org, parent->term_id, year));
    }
  }
  absl::StatusOr<MatchedTargets<v1::YearTarget>> matched =
      MatchTargets<v1::YearTarget>(context_->records(), names, *filter,
                                   PrecedenceOn(*context_, today), r,
                                   r.page_size(), r.page_token());
  if (!matched.ok()) return matched.status();
  for (size_t i = matched->page.begin; i < matched->page.end; ++i) {
    *out.add_year_targets() = std::move(matched->targets[i]);
  }
  out.set_next_page_token(matched->page.next_page_token);
  out.set_total_size(static_cast<int>(matched->targets.size()));
  return absl::OkStatus();
}

absl::Status TargetServiceImpl::DoCreateYearTarget(
    const CallContext& call, const v1::CreateYearTargetRequest& r,
    v1::YearTarget& out) {
  if (absl::Status s = RequireBoard(call, "recording a yearly target");
      !s.ok()) {
    return s;
  }
  absl::StatusOr<TargetName> parent =
      ParseTargetName(r.parent(), false, "parent");
  if (!parent.ok()) return parent.status();
  absl::StatusOr<std::shared_ptr<const OrgTree>> tree =
      AuthorizedTree(*context_, call, parent->organization, "parent");
  if (!tree.ok()) return tree.status();
  return RunChange<v1::YearTarget>(
      *context_, "CreateYearTarget", r.request_id(), r, out,
      [&](Change& change) -> absl::Status {
        FieldChecker check;
        int year = 0;
        if (r.year_target_id().empty()) {
          check.Add("year_target_id", "is required (the year, e.g. \"2024\")");
        } else if (absl::StatusOr<int> y =
                       ParseYear(r.year_target_id(), "year_target_id");
                   y.ok()) {
          year = *y;
        } else {
          check.Add("year_target_id",
                    absl::StrCat("must be a year (1900..9999), not \"",
                                 r.year_target_id(), "\""));
        }
        const v1::YearTarget& in = r.year_target();
        std::vector<RuleViolation> unmet =
            CheckNewOwn(in, "year_target.own", check);
        if (!IsUnsetRef(in.basis())) {
          CheckDecisionRef(in.basis(), "year_target.basis", false, check);
        }
        if (!check.ok()) return check.status();
        absl::StatusOr<std::optional<Stored<v1::Term>>> term =
            FindTerm(context_->targets(), parent->term_id, "parent", unmet);
        if (!term.ok()) return term.status();
        if (term->has_value()) {
          absl::StatusOr<domain::PeriodSpan> span =
              domain::SpanOf((*term)->message, year, "year_target_id");
          if (!span.ok()) {
            std::vector<RuleViolation> more = RuleViolationsOf(span.status());
            if (more.empty()) return span.status();
            unmet.insert(unmet.end(), more.begin(), more.end());
          }
        }
        if (!unmet.empty()) return RulesViolated(std::move(unmet));
        const std::string name =
            YearTargetName(parent->organization, parent->term_id, year);
        if (absl::Status s = MustNotExist<v1::YearTarget>(
                context_->records(), name, "UpdateYearTarget");
            !s.ok())
          return s;
        v1::YearTarget target =
            NewTarget(in, name, parent->organization, (*term)->message.name(),
                      Stamp(call, r.request_id(), ""));
        target.set_year(year);
        if (!IsUnsetRef(in.basis())) *target.mutable_basis() = in.basis();
        FillEffective(target, PrecedenceOn(*context_, TodayDay()));
        out = target;
        if (r.validate_only()) return absl::OkStatus();
        out.set_etag(EtagOf(1));
        change.write.Expect(context_->records().RecordKey(target.term()),
                            (*term)->version);
        context_->targets().StageYearTarget(change.write, target, 0);
        return absl::OkStatus();
      });
}

absl::Status TargetServiceImpl::DoUpdateYearTarget(
    const CallContext& call, const v1::UpdateYearTargetRequest& r,
    v1::YearTarget& out) {
  if (absl::Status s = RequireBoard(call, "changing a yearly target");
      !s.ok()) {
    return s;
  }
  absl::StatusOr<TargetName> name =
      ParseTargetName(r.year_target().name(), true, "year_target.name");
  if (!name.ok()) return name.status();
  if (absl::Status s =
          CheckUpdateMask(r.update_mask(), {"own", "basis", "note"});
      !s.ok()) {
    return s;
  }
  absl::StatusOr<std::shared_ptr<const OrgTree>> tree =
      AuthorizedTree(*context_, call, name->organization, "year_target.name");
  if (!tree.ok()) return tree.status();
  return RunChange<v1::YearTarget>(
      *context_, "UpdateYearTarget", r.request_id(), r, out,
      [&](Change& change) -> absl::Status {
        const v1::YearTarget& in = r.year_target();
        absl::StatusOr<Stored<v1::YearTarget>> stored =
            ReadForUpdate(context_->records(), in);
        if (!stored.ok()) return stored.status();
        v1::YearTarget target = stored->message;
        const auto& mask = r.update_mask();
        FieldChecker check;
        std::vector<RuleViolation> unmet =
            UpdateOwnAndNote(in, mask, "year_target.own", target, check);
        if (InMask(mask, "basis")) {
          if (IsUnsetRef(in.basis())) {
            target.clear_basis();
          } else {
            *target.mutable_basis() = in.basis();
            CheckDecisionRef(in.basis(), "year_target.basis", false, check);
          }
        }
        if (!check.ok()) return check.status();
        if (!unmet.empty()) return RulesViolated(std::move(unmet));
        *target.mutable_update_stamp() = Stamp(call, r.request_id(), "");
        FillEffective(target, PrecedenceOn(*context_, TodayDay()));
        out = target;
        if (r.validate_only()) return absl::OkStatus();
        out.set_etag(EtagOf(stored->version + 1));
        context_->targets().StageYearTarget(change.write, target,
                                            stored->version);
        return absl::OkStatus();
      });
}

}  // namespace partydev::quota
