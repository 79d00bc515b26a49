#include "services/quota/allocation_service.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/authorization.h"
#include "common/change.h"
#include "common/dates.h"
#include "common/errors.h"
#include "common/filters.h"
#include "common/ids.h"
#include "common/record_store.h"
#include "google/protobuf/util/time_util.h"
#include "services/quota/domain/allocation.h"
#include "services/quota/domain/periods.h"
#include "services/quota/domain/targets.h"
#include "services/quota/quota_access.h"
#include "services/quota/quota_change.h"
#include "services/quota/quota_lists.h"
#include "services/quota/quota_rpc.h"
#include "services/quota/target_service.h"

namespace partydev::quota {
namespace {

// The parts of "organizations/{org}/allocationDecisions/{id}".
absl::StatusOr<std::pair<std::string, std::string>> ParseDecisionName(
    const std::string& name, absl::string_view field) {
  if (name.empty()) return InvalidField(field, "is required");
  const std::vector<std::string> parts = absl::StrSplit(name, '/');
  if (parts.size() != 4 || parts[0] != "organizations" ||
      !IsValidResourceId(parts[1]) || parts[2] != "allocationDecisions" ||
      !IsValidResourceId(parts[3])) {
    return InvalidField(field,
                        absl::StrCat("\"", name,
                                     "\" is not \"organizations/{org}/"
                                     "allocationDecisions/{decision}\""));
  }
  return std::make_pair(absl::StrCat("organizations/", parts[1]), parts[3]);
}

std::string DisplayNameOn(const OrgTree& tree, const std::string& name,
                          absl::CivilDay day) {
  const events::v1::OrganizationSnapshot* shape = tree.On(name, day);
  if (shape == nullptr) shape = tree.Latest(name);
  return shape == nullptr ? name : shape->display_name();
}

// Records an allocated figure (or its removal, `figures` nullptr) on the
// period target record of `organization` as read (`stored` nullptr: the
// record does not exist and is created).
template <typename Target>
void StageAllocated(TargetStore& targets, AtomicWrite& write,
                    const std::string& organization, const std::string& term,
                    int year, const Stored<Target>* stored,
                    const v1::TargetFigures* figures,
                    const std::string& decision,
                    const common::v1::ChangeStamp& stamp) {
  Target target;
  int64_t version = 0;
  if (stored != nullptr) {
    target = stored->message;
    version = stored->version;
  } else {
    target.set_name(PeriodTargetName(organization, TermIdOf(term), year));
    target.set_organization(organization);
    target.set_term(term);
    if constexpr (std::is_same_v<Target, v1::YearTarget>) {
      target.set_year(year);
    }
    *target.mutable_create_stamp() = stamp;
  }
  if (figures != nullptr) {
    *target.mutable_allocated() = *figures;
    domain::SortCategories(*target.mutable_allocated());
    target.set_allocation_decision(decision);
  } else {
    target.clear_allocated();
    target.clear_allocation_decision();
  }
  *target.mutable_update_stamp() = stamp;
  if constexpr (std::is_same_v<Target, v1::YearTarget>) {
    targets.StageYearTarget(write, target, version);
  } else {
    targets.StageTermTarget(write, target, version);
  }
}

// Writes the subordinates' allocated figures for a decision: the lines of
// `decision`, and the removal for the organisations of `superseded` (if
// any) without a line in it.
template <typename Target>
absl::Status StageSubordinates(QuotaContext& context, AtomicWrite& write,
                               const v1::AllocationDecision& decision,
                               const v1::AllocationDecision* superseded,
                               const common::v1::ChangeStamp& stamp) {
  const std::string term = decision.period().term();
  const std::string term_id = TermIdOf(term);
  const int year = decision.period().year();
  std::vector<std::string> organizations;
  std::set<std::string> in_new;
  for (const v1::AllocationLine& line : decision.lines()) {
    organizations.push_back(line.organization());
    in_new.insert(line.organization());
  }
  std::vector<std::string> dropped;
  if (superseded != nullptr) {
    for (const v1::AllocationLine& line : superseded->lines()) {
      if (in_new.count(line.organization()) == 0) {
        dropped.push_back(line.organization());
        organizations.push_back(line.organization());
      }
    }
  }
  std::vector<std::string> names;
  for (const std::string& org : organizations) {
    names.push_back(PeriodTargetName(org, term_id, year));
  }
  absl::StatusOr<std::vector<Stored<Target>>> stored =
      context.records().GetMany<Target>(names);
  if (!stored.ok()) return stored.status();
  absl::flat_hash_map<std::string, const Stored<Target>*> by_org;
  for (const Stored<Target>& s : *stored) {
    by_org[s.message.organization()] = &s;
  }
  const auto find = [&by_org](const std::string& org) -> const Stored<Target>* {
    auto it = by_org.find(org);
    return it == by_org.end() ? nullptr : it->second;
  };
  for (const v1::AllocationLine& line : decision.lines()) {
    StageAllocated<Target>(context.targets(), write, line.organization(), term,
                           year, find(line.organization()), &line.figures(),
                           decision.name(), stamp);
  }
  for (const std::string& org : dropped) {
    const Stored<Target>* s = find(org);
    // Only the figure that came from the superseded decision is removed.
    if (s == nullptr ||
        s->message.allocation_decision() != superseded->name()) {
      continue;
    }
    StageAllocated<Target>(context.targets(), write, org, term, year, s,
                           nullptr, decision.name(), stamp);
  }
  return absl::OkStatus();
}

events::v1::Event DecidedEvent(const CallContext& call,
                               const std::string& request_id,
                               const std::vector<std::string>& path,
                               const v1::AllocationDecision& decision) {
  google::protobuf::RepeatedPtrField<std::string> organization_path(
      path.begin(), path.end());
  events::v1::Event event =
      NewEvent("quota", call, request_id, decision.decision().signed_on(),
               organization_path);
  auto* decided = event.mutable_allocation_decided();
  decided->set_decision(decision.name());
  decided->set_organization(DecidingOrganizationOf(decision.name()));
  decided->set_year(decision.period().year());
  decided->set_term(decision.period().term());
  for (const v1::AllocationLine& line : decision.lines()) {
    (*decided->mutable_totals())[line.organization()] = line.figures().total();
  }
  SetType(event);
  return event;
}

// The effective target of `committee` for a period from its target record
// as it stands (nullopt: none), with the record's version (0: absent).
struct CommitteeTarget {
  std::optional<v1::TargetFigures> figures;
  int64_t version = 0;
  std::string record;
};

absl::StatusOr<CommitteeTarget> ReadCommitteeTarget(
    QuotaContext& context, const std::string& committee,
    const std::string& term_id, int year, v1::TargetPrecedence precedence) {
  CommitteeTarget out;
  out.record = PeriodTargetName(committee, term_id, year);
  EffectiveTarget effective;
  if (year == 0) {
    absl::StatusOr<Stored<v1::TermTarget>> s =
        context.records().Get<v1::TermTarget>(out.record);
    if (s.ok()) {
      out.version = s->version;
      effective = EffectiveOf(s->message, precedence);
    } else if (!absl::IsNotFound(s.status())) {
      return s.status();
    }
  } else {
    absl::StatusOr<Stored<v1::YearTarget>> s =
        context.records().Get<v1::YearTarget>(out.record);
    if (s.ok()) {
      out.version = s->version;
      effective = EffectiveOf(s->message, precedence);
    } else if (!absl::IsNotFound(s.status())) {
      return s.status();
    }
  }
  if (effective.source != v1::TARGET_SOURCE_NONE) {
    out.figures = effective.figures;
  }
  return out;
}

}  // namespace

AllocationServiceImpl::AllocationServiceImpl(
    std::shared_ptr<QuotaContext> context)
    : context_(std::move(context)) {}

#define PARTYDEV_UNARY(Rpc, Request, Response) \
  PARTYDEV_UNARY_METHOD(AllocationServiceImpl, Rpc, Request, Response)
PARTYDEV_UNARY(CreateAllocationDecision, v1::CreateAllocationDecisionRequest,
               v1::AllocationDecision)
PARTYDEV_UNARY(GetAllocationDecision, v1::GetAllocationDecisionRequest,
               v1::AllocationDecision)
PARTYDEV_UNARY(ListAllocationDecisions, v1::ListAllocationDecisionsRequest,
               v1::ListAllocationDecisionsResponse)
#undef PARTYDEV_UNARY

absl::Status AllocationServiceImpl::DoCreateAllocationDecision(
    const CallContext& call, const v1::CreateAllocationDecisionRequest& r,
    v1::AllocationDecision& out) {
  if (absl::Status s = RequireBoard(call, "recording an allocation decision");
      !s.ok()) {
    return s;
  }
  absl::StatusOr<std::shared_ptr<const OrgTree>> tree =
      context_->projections().Tree();
  if (!tree.ok()) return tree.status();
  absl::StatusOr<std::vector<std::string>> path =
      AuthorizeOrganization(call, **tree, r.parent(), "parent");
  if (!path.ok()) return path.status();
  const std::string& parent = r.parent();
  return RunChange<v1::AllocationDecision>(
      *context_, "CreateAllocationDecision", r.request_id(), r, out,
      [&](Change& change) -> absl::Status {
        const v1::AllocationDecision& in = r.allocation_decision();
        FieldChecker check;
        if (!r.allocation_decision_id().empty() &&
            !IsValidResourceId(r.allocation_decision_id())) {
          check.Add("allocation_decision_id",
                    "must match ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$");
        }
        const common::v1::DecisionRef& ref = in.decision();
        if (ref.number().empty()) {
          check.Add("allocation_decision.decision.number", "is required");
        }
        CheckDate(ref.signed_on(), "allocation_decision.decision.signed_on",
                  check);
        if (ref.deciding_organization() != parent) {
          check.Add(
              "allocation_decision.decision.deciding_organization",
              absl::StrCat("must be ", parent,
                           " (the organisation whose committee decides)"));
        }
        const std::string term_id = TermIdOf(in.period().term());
        if (term_id.empty()) {
          check.Add("allocation_decision.period.term",
                    in.period().term().empty() ? "is required"
                                               : "must be \"terms/{term}\"");
        }
        const int year = in.period().year();
        if (year < 0) {
          check.Add("allocation_decision.period.year",
                    "must be 0 (the whole term) or a year");
        }
        if (!in.supersedes().empty()) {
          absl::StatusOr<std::pair<std::string, std::string>> superseded =
              ParseDecisionName(in.supersedes(),
                                "allocation_decision.supersedes");
          if (!superseded.ok()) {
            check.Add("allocation_decision.supersedes",
                      "must be \"organizations/{org}/allocationDecisions/"
                      "{decision}\"");
          }
        }
        if (!check.ok()) return check.status();
        const absl::CivilDay signed_on = CivilDayOf(ref.signed_on());

        std::vector<RuleViolation> unmet;
        // The rule set in force on the signing date.
        const v1::QuotaRuleSet* rules = nullptr;
        if (absl::StatusOr<const v1::QuotaRuleSet*> set =
                context_->rules().ForDay(signed_on);
            set.ok()) {
          rules = *set;
        } else {
          std::vector<RuleViolation> more = RuleViolationsOf(set.status());
          if (more.empty()) return set.status();
          unmet.insert(unmet.end(), more.begin(), more.end());
        }
        // The period.
        absl::StatusOr<Stored<v1::Term>> term =
            context_->targets().GetTerm(TermName(term_id));
        bool period_ok = true;
        if (!term.ok()) {
          if (!absl::IsNotFound(term.status())) return term.status();
          period_ok = false;
          unmet.push_back({"quota.target.term_exists",
                           "allocation_decision.period.term",
                           absl::StrCat("Nhiệm kỳ ", in.period().term(),
                                        " chưa được khai báo")});
        } else if (year != 0) {
          absl::StatusOr<domain::PeriodSpan> span = domain::SpanOf(
              term->message, year, "allocation_decision.period.year");
          if (!span.ok()) {
            std::vector<RuleViolation> more = RuleViolationsOf(span.status());
            if (more.empty()) return span.status();
            unmet.insert(unmet.end(), more.begin(), more.end());
            period_ok = false;
          }
        }
        // The committee's target, the tree on the signing date, the lines.
        const v1::TargetPrecedence precedence =
            rules != nullptr ? rules->targets().precedence()
                             : v1::TARGET_PRECEDENCE_ALLOCATED_FIRST;
        absl::StatusOr<CommitteeTarget> committee =
            ReadCommitteeTarget(*context_, parent, term_id, year, precedence);
        if (!committee.ok()) return committee.status();
        domain::AllocationInput input;
        input.committee = parent;
        input.committee_display_name = DisplayNameOn(**tree, parent, signed_on);
        input.committee_target = committee->figures;
        if (rules != nullptr) {
          input.rule_set_mode = rules->allocation().mode();
          input.check_categories = rules->allocation().check_categories();
        }
        input.requested_mode = in.mode();
        input.subordinates = (*tree)->ChildrenOn(parent, signed_on);
        input.signed_on = signed_on;
        domain::AllocationCheck checked = domain::CheckAllocation(
            input, in.lines(), "allocation_decision.lines", check);
        if (!check.ok()) return check.status();
        if (period_ok) {
          unmet.insert(unmet.end(), checked.violations.begin(),
                       checked.violations.end());
        } else {
          // Without a period there is no target to judge the sums by; the
          // other rules still count.
          for (const RuleViolation& v : checked.violations) {
            if (v.rule != "quota.allocation.committee_target") {
              unmet.push_back(v);
            }
          }
        }
        // The decision in force for the period, and the one superseded.
        absl::StatusOr<ActiveDecision> active =
            context_->targets().ActiveDecisionOf(parent, term_id, year);
        if (!active.ok()) return active.status();
        std::optional<Stored<v1::AllocationDecision>> superseded;
        if (!active->name.empty() && in.supersedes() != active->name) {
          unmet.push_back(
              {"quota.allocation.supersedes_active",
               "allocation_decision.supersedes",
               absl::StrCat("Quyết định ", active->name,
                            " đang có hiệu lực cho kỳ này; quyết định mới "
                            "phải thay thế nó (supersedes = ",
                            active->name, ")")});
        } else if (active->name.empty() && !in.supersedes().empty()) {
          unmet.push_back({"quota.allocation.supersedes_active",
                           "allocation_decision.supersedes",
                           absl::StrCat(in.supersedes(),
                                        " không phải quyết định đang có hiệu "
                                        "lực của kỳ này (kỳ này chưa có quyết "
                                        "định nào có hiệu lực)")});
        } else if (!active->name.empty()) {
          absl::StatusOr<Stored<v1::AllocationDecision>> s =
              context_->records().Get<v1::AllocationDecision>(active->name);
          if (!s.ok()) return s.status();
          if (!r.supersedes_etag().empty() &&
              r.supersedes_etag() != EtagOf(s->version)) {
            return WithReason(absl::AbortedError(absl::StrCat(
                                  "supersedes_etag ", r.supersedes_etag(),
                                  " is stale; ", active->name, " is at ",
                                  EtagOf(s->version), ": read it again")),
                              "CONCURRENT_CHANGE");
          }
          const absl::CivilDay before =
              CivilDayOf(s->message.decision().signed_on());
          if (signed_on < before) {
            unmet.push_back(
                {"quota.allocation.signed_after_superseded",
                 "allocation_decision.decision.signed_on",
                 absl::StrCat("Quyết định ký ngày ", FormatDay(signed_on),
                              " không được sớm hơn quyết định bị thay thế ",
                              s->message.decision().number(), " (ký ngày ",
                              FormatDay(before), ")")});
          }
          superseded = *std::move(s);
        }
        if (!unmet.empty()) return RulesViolated(std::move(unmet));

        const std::string id = r.allocation_decision_id().empty()
                                   ? NewUuid()
                                   : r.allocation_decision_id();
        const std::string name = DecisionName(parent, id);
        // A decision is never changed: a later one supersedes it.
        if (absl::Status s = MustNotExist<v1::AllocationDecision>(
                context_->records(), name, "");
            !s.ok()) {
          return s;
        }
        const common::v1::ChangeStamp stamp = Stamp(call, r.request_id(), "");
        v1::AllocationDecision decision;
        decision.set_name(name);
        *decision.mutable_decision() = ref;
        decision.set_title(in.title());
        decision.mutable_period()->set_term(TermName(term_id));
        decision.mutable_period()->set_year(year);
        for (const v1::AllocationLine& line : in.lines()) {
          v1::AllocationLine* l = decision.add_lines();
          l->set_organization(line.organization());
          l->set_organization_display_name(
              DisplayNameOn(**tree, line.organization(), signed_on));
          *l->mutable_figures() = line.figures();
          domain::SortCategories(*l->mutable_figures());
          l->set_note(line.note());
        }
        decision.set_mode(checked.mode);
        decision.set_supersedes(in.supersedes());
        decision.set_state(v1::AllocationDecision::STATE_ACTIVE);
        if (committee->figures.has_value()) {
          *decision.mutable_committee_target() = *committee->figures;
        }
        *decision.mutable_allocated_sum() = checked.allocated_sum;
        *decision.mutable_unallocated() = checked.unallocated;
        decision.set_within_target_now(true);
        if (rules != nullptr) decision.set_rule_set(rules->name());
        decision.set_note(in.note());
        *decision.mutable_create_stamp() = stamp;
        out = decision;
        if (r.validate_only()) return absl::OkStatus();
        out.set_etag(EtagOf(1));

        // One write, expecting everything the rules were judged on.
        AtomicWrite& write = change.write;
        TargetStore& targets = context_->targets();
        write.Expect(context_->records().RecordKey(committee->record),
                     committee->version);
        write.Expect(context_->records().RecordKey(term->message.name()),
                     term->version);
        targets.StageDecision(write, decision, 0, active->decisions);
        targets.StageActiveDecision(write, parent, term_id, year,
                                    active->version, name);
        if (superseded.has_value()) {
          v1::AllocationDecision old = superseded->message;
          old.set_state(v1::AllocationDecision::STATE_SUPERSEDED);
          old.set_superseded_by(name);
          *old.mutable_supersede_stamp() = stamp;
          targets.StageDecision(write, old, superseded->version, 0);
        }
        const v1::AllocationDecision* old =
            superseded.has_value() ? &superseded->message : nullptr;
        absl::Status staged = year == 0
                                  ? StageSubordinates<v1::TermTarget>(
                                        *context_, write, decision, old, stamp)
                                  : StageSubordinates<v1::YearTarget>(
                                        *context_, write, decision, old, stamp);
        if (!staged.ok()) return staged;
        change.journal.events.push_back(
            DecidedEvent(call, r.request_id(), *path, decision));
        return absl::OkStatus();
      });
}

absl::Status AllocationServiceImpl::FillWithinTargetNow(
    const std::string& committee,
    std::vector<v1::AllocationDecision*> decisions) {
  const v1::TargetPrecedence precedence = PrecedenceOn(*context_, TodayDay());
  std::map<std::pair<std::string, int>, std::optional<v1::TargetFigures>>
      targets;
  for (v1::AllocationDecision* d : decisions) {
    targets[{TermIdOf(d->period().term()), d->period().year()}];
  }
  for (auto& [period, figures] : targets) {
    absl::StatusOr<CommitteeTarget> t = ReadCommitteeTarget(
        *context_, committee, period.first, period.second, precedence);
    if (!t.ok()) return t.status();
    figures = t->figures;
  }
  for (v1::AllocationDecision* d : decisions) {
    const std::optional<v1::TargetFigures>& target =
        targets[{TermIdOf(d->period().term()), d->period().year()}];
    bool check_categories = true;
    if (absl::StatusOr<const v1::QuotaRuleSet*> rules =
            context_->rules().ByName(d->rule_set());
        rules.ok()) {
      check_categories = (*rules)->allocation().check_categories();
    }
    d->set_within_target_now(
        target.has_value() &&
        domain::WithinTarget(*target, d->lines(), d->mode(), check_categories));
  }
  return absl::OkStatus();
}

absl::Status AllocationServiceImpl::DoGetAllocationDecision(
    const CallContext& call, const v1::GetAllocationDecisionRequest& r,
    v1::AllocationDecision& out) {
  absl::StatusOr<std::pair<std::string, std::string>> name =
      ParseDecisionName(r.name(), "name");
  if (!name.ok()) return name.status();
  absl::StatusOr<std::shared_ptr<const OrgTree>> tree =
      AuthorizedTree(*context_, call, name->first, "name");
  if (!tree.ok()) return tree.status();
  absl::StatusOr<Stored<v1::AllocationDecision>> stored =
      context_->records().Get<v1::AllocationDecision>(r.name());
  if (!stored.ok()) return stored.status();
  out = std::move(stored->message);
  return FillWithinTargetNow(name->first, {&out});
}

absl::Status AllocationServiceImpl::DoListAllocationDecisions(
    const CallContext& call, const v1::ListAllocationDecisionsRequest& r,
    v1::ListAllocationDecisionsResponse& out) {
  if (absl::StatusOr<int> size = ResolvePageSize(r.page_size()); !size.ok()) {
    return size.status();
  }
  const std::string order(absl::StripAsciiWhitespace(r.order_by()));
  bool ascending = false;
  if (order == "decision.signed_on" || order == "decision.signed_on asc") {
    ascending = true;
  } else if (!order.empty() && order != "decision.signed_on desc") {
    return InvalidField("order_by",
                        "must be \"decision.signed_on desc\" "
                        "(default) or \"decision.signed_on\"");
  }
  if (!r.subordinate().empty() && OrganizationId(r.subordinate()).empty()) {
    return InvalidField("subordinate", "must be \"organizations/{org}\"");
  }
  absl::StatusOr<Filter> filter = Filter::Parse(
      r.filter(), *v1::AllocationDecision::descriptor(),
      {"period.term", "period.year", "state", "decision.signed_on"});
  if (!filter.ok()) return filter.status();
  absl::StatusOr<std::shared_ptr<const OrgTree>> tree =
      AuthorizedTree(*context_, call, r.parent(), "parent");
  if (!tree.ok()) return tree.status();
  absl::StatusOr<std::vector<std::string>> names =
      context_->targets().DecisionNames(r.parent());
  if (!names.ok()) return names.status();
  absl::StatusOr<std::vector<Stored<v1::AllocationDecision>>> stored =
      context_->records().GetMany<v1::AllocationDecision>(*names);
  if (!stored.ok()) return stored.status();
  std::vector<v1::AllocationDecision> matched;
  for (Stored<v1::AllocationDecision>& s : *stored) {
    if (!filter->Matches(s.message)) continue;
    if (!r.subordinate().empty() &&
        std::none_of(s.message.lines().begin(), s.message.lines().end(),
                     [&](const v1::AllocationLine& line) {
                       return line.organization() == r.subordinate();
                     })) {
      continue;
    }
    matched.push_back(std::move(s.message));
  }
  const auto key = [](const v1::AllocationDecision& d) {
    return std::make_tuple(
        CivilDayOf(d.decision().signed_on()),
        google::protobuf::util::TimeUtil::TimestampToNanoseconds(
            d.create_stamp().time()),
        d.name());
  };
  std::sort(
      matched.begin(), matched.end(),
      [&](const v1::AllocationDecision& a, const v1::AllocationDecision& b) {
        return ascending ? key(a) < key(b) : key(b) < key(a);
      });
  std::vector<std::string> matched_names;
  for (const auto& d : matched) matched_names.push_back(d.name());
  absl::StatusOr<PageSpan> page =
      PageOf(r, r.page_size(), r.page_token(), matched_names);
  if (!page.ok()) return page.status();
  std::vector<v1::AllocationDecision*> shown;
  for (size_t i = page->begin; i < page->end; ++i) {
    shown.push_back(out.add_allocation_decisions());
    *shown.back() = std::move(matched[i]);
  }
  if (absl::Status s = FillWithinTargetNow(r.parent(), shown); !s.ok()) {
    return s;
  }
  out.set_next_page_token(page->next_page_token);
  out.set_total_size(static_cast<int>(matched.size()));
  return absl::OkStatus();
}

}  // namespace partydev::quota
