#include "services/quota/plan_service.h"

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/change.h"
#include "common/dates.h"
#include "common/errors.h"
#include "common/filters.h"
#include "common/record_store.h"
#include "services/quota/candidate_pool.h"
#include "services/quota/domain/periods.h"
#include "services/quota/domain/targets.h"
#include "services/quota/quota_access.h"
#include "services/quota/quota_change.h"
#include "services/quota/quota_lists.h"
#include "services/quota/quota_rpc.h"
#include "services/quota/target_store.h"

namespace partydev::quota {
namespace {

const std::set<std::string>& PlanMaskPaths() {
  static const auto* paths =
      new std::set<std::string>{"document",
                                "planned",
                                "planned.sourced",
                                "planned.sent_to_training",
                                "planned.certified",
                                "planned.admitted",
                                "planned.admitted_by_category",
                                "note"};
  return *paths;
}

absl::StatusOr<int> ParsePlanYear(absl::string_view text,
                                  absl::string_view field) {
  int year = 0;
  if (!absl::SimpleAtoi(text, &year) || year < 1900 || year > 9999 ||
      absl::StrCat(year) != text) {
    return InvalidField(
        field, absl::StrCat("must be a year (1900..9999), not \"", text, "\""));
  }
  return year;
}

// The parts of "organizations/{org}/plans/{year}".
absl::StatusOr<std::pair<std::string, int>> ParsePlanName(
    const std::string& name, absl::string_view field) {
  if (name.empty()) return InvalidField(field, "is required");
  const std::vector<std::string> parts = absl::StrSplit(name, '/');
  if (parts.size() != 4 || parts[0] != "organizations" ||
      !IsValidResourceId(parts[1]) || parts[2] != "plans") {
    return InvalidField(field, absl::StrCat("\"", name,
                                            "\" is not \"organizations/{org}/"
                                            "plans/{year}\""));
  }
  absl::StatusOr<int> year = ParsePlanYear(parts[3], field);
  if (!year.ok()) return year.status();
  return std::make_pair(absl::StrCat("organizations/", parts[1]), *year);
}

// Counts >= 0; each category once, set, and at most `admitted`.
void CheckPlanFigures(const v1::PlanFigures& f, absl::string_view field,
                      FieldChecker& check) {
  const auto non_negative = [&](int value, absl::string_view name) {
    if (value < 0) {
      check.Add(absl::StrCat(field, ".", name),
                absl::StrCat("must be >= 0, not ", value));
    }
  };
  non_negative(f.sourced(), "sourced");
  non_negative(f.sent_to_training(), "sent_to_training");
  non_negative(f.certified(), "certified");
  non_negative(f.admitted(), "admitted");
  std::set<int> seen;
  for (int i = 0; i < f.admitted_by_category_size(); ++i) {
    const v1::CategoryFigure& c = f.admitted_by_category(i);
    const std::string path =
        absl::StrCat(field, ".admitted_by_category[", i, "]");
    if (c.category() == common::v1::CATEGORY_UNSPECIFIED) {
      check.Add(path + ".category", "is required");
    } else if (!seen.insert(c.category()).second) {
      check.Add(path + ".category",
                absl::StrCat(common::v1::Category_Name(c.category()),
                             " is listed more than once"));
    }
    if (c.count() < 0) {
      check.Add(path + ".count", absl::StrCat("must be >= 0, not ", c.count()));
    } else if (c.count() > f.admitted()) {
      check.Add(path + ".count",
                absl::StrCat("must be at most planned admitted (", f.admitted(),
                             "), not ", c.count()));
    }
  }
}

}  // namespace

v1::PlanFigures ActualPlanFiguresOf(
    const OrganizationCounts* counts,
    const std::vector<storage::v1::PoolCandidate>& candidates,
    const std::string& organization, int year, absl::CivilDay as_of) {
  v1::PlanFigures actual;
  const domain::PeriodSpan span{absl::CivilDay(year, 1, 1),
                                absl::CivilDay(year, 12, 31)};
  if (as_of < span.start) return actual;
  const absl::CivilDay to = std::min(as_of, span.end);
  if (counts != nullptr) {
    const CountSums sums = counts->Sum(span.start, to);
    actual.set_admitted(sums.counted);
    for (const auto& [category, figures] : sums.categories) {
      if (category == common::v1::CATEGORY_UNSPECIFIED ||
          figures.counted == 0) {
        continue;
      }
      v1::CategoryFigure* c = actual.add_admitted_by_category();
      c->set_category(category);
      c->set_count(figures.counted);
    }
  }
  const PoolFigures pool = domain::ComputePoolFigures(
      candidates, organization, span, to, common::v1::CATEGORY_UNSPECIFIED);
  const auto reached = [&pool](common::v1::Stage stage) {
    auto it = pool.reached.find(stage);
    return it == pool.reached.end() ? 0 : it->second;
  };
  actual.set_sourced(reached(common::v1::STAGE_SOURCED));
  actual.set_sent_to_training(pool.sent_to_training);
  actual.set_certified(reached(common::v1::STAGE_TRAINING_PASSED));
  return actual;
}

absl::StatusOr<v1::PlanFigures> ActualPlanFigures(
    QuotaContext& context, const std::string& organization, int year,
    absl::CivilDay as_of) {
  if (as_of < absl::CivilDay(year, 1, 1)) return v1::PlanFigures();
  absl::StatusOr<std::vector<OrganizationCounts>> counts =
      context.projections().admissions()->Counts({organization});
  if (!counts.ok()) return counts.status();
  absl::StatusOr<std::vector<storage::v1::PoolCandidate>> candidates =
      context.projections().pool()->CandidatesUnder(organization);
  if (!candidates.ok()) return candidates.status();
  return ActualPlanFiguresOf(counts->empty() ? nullptr : &counts->front(),
                             *candidates, organization, year, as_of);
}

PlanServiceImpl::PlanServiceImpl(std::shared_ptr<QuotaContext> context)
    : context_(std::move(context)) {}

#define PARTYDEV_UNARY(Rpc, Request, Response) \
  PARTYDEV_UNARY_METHOD(PlanServiceImpl, Rpc, Request, Response)
PARTYDEV_UNARY(GetPlan, v1::GetPlanRequest, v1::Plan)
PARTYDEV_UNARY(ListPlans, v1::ListPlansRequest, v1::ListPlansResponse)
PARTYDEV_UNARY(CreatePlan, v1::CreatePlanRequest, v1::Plan)
PARTYDEV_UNARY(UpdatePlan, v1::UpdatePlanRequest, v1::Plan)
#undef PARTYDEV_UNARY

absl::Status PlanServiceImpl::FillActual(v1::Plan& plan) {
  const absl::CivilDay as_of =
      std::min(TodayDay(), absl::CivilDay(plan.year(), 12, 31));
  absl::StatusOr<v1::PlanFigures> actual =
      ActualPlanFigures(*context_, plan.organization(), plan.year(), as_of);
  if (!actual.ok()) return actual.status();
  *plan.mutable_actual() = *std::move(actual);
  *plan.mutable_actual_as_of() = FromCivilDay(as_of);
  return absl::OkStatus();
}

absl::Status PlanServiceImpl::DoGetPlan(const CallContext& call,
                                        const v1::GetPlanRequest& r,
                                        v1::Plan& out) {
  absl::StatusOr<std::pair<std::string, int>> name =
      ParsePlanName(r.name(), "name");
  if (!name.ok()) return name.status();
  absl::StatusOr<std::shared_ptr<const OrgTree>> tree =
      AuthorizedTree(*context_, call, name->first, "name");
  if (!tree.ok()) return tree.status();
  absl::StatusOr<Stored<v1::Plan>> stored =
      context_->records().Get<v1::Plan>(r.name());
  if (!stored.ok()) return stored.status();
  out = std::move(stored->message);
  return FillActual(out);
}

absl::Status PlanServiceImpl::DoListPlans(const CallContext& call,
                                          const v1::ListPlansRequest& r,
                                          v1::ListPlansResponse& out) {
  if (absl::StatusOr<int> size = ResolvePageSize(r.page_size()); !size.ok()) {
    return size.status();
  }
  absl::StatusOr<Filter> filter =
      Filter::Parse(r.filter(), *v1::Plan::descriptor(), {"year"});
  if (!filter.ok()) return filter.status();
  absl::StatusOr<std::shared_ptr<const OrgTree>> tree =
      AuthorizedTree(*context_, call, r.parent(), "parent");
  if (!tree.ok()) return tree.status();
  const std::vector<std::string> organizations =
      OrganizationsInScope(**tree, r.parent(), r.scope(), TodayDay());
  // The plan years of every organisation: one pipeline.
  std::vector<RedisCommand> commands;
  for (const std::string& org : organizations) {
    commands.push_back(
        {"ZRANGE", context_->targets().PlansIndexKey(org), "0", "-1"});
  }
  absl::StatusOr<std::vector<RedisReply>> replies =
      context_->redis().Pipeline(commands);
  if (!replies.ok()) return replies.status();
  std::vector<std::string> names;
  for (size_t i = 0; i < organizations.size(); ++i) {
    if ((*replies)[i].is_error()) {
      return absl::InternalError((*replies)[i].str());
    }
    for (const RedisReply& year : (*replies)[i].elements()) {
      names.push_back(absl::StrCat(organizations[i], "/plans/", year.str()));
    }
  }
  absl::StatusOr<std::vector<Stored<v1::Plan>>> stored =
      context_->records().GetMany<v1::Plan>(names);
  if (!stored.ok()) return stored.status();
  std::vector<v1::Plan> matched;
  std::vector<std::string> matched_names;
  for (Stored<v1::Plan>& s : *stored) {
    if (!filter->Matches(s.message)) continue;
    matched_names.push_back(s.message.name());
    matched.push_back(std::move(s.message));
  }
  absl::StatusOr<PageSpan> page =
      PageOf(r, r.page_size(), r.page_token(), matched_names);
  if (!page.ok()) return page.status();
  for (size_t i = page->begin; i < page->end; ++i) {
    if (absl::Status s = FillActual(matched[i]); !s.ok()) return s;
    *out.add_plans() = std::move(matched[i]);
  }
  out.set_next_page_token(page->next_page_token);
  out.set_total_size(static_cast<int>(matched.size()));
  return absl::OkStatus();
}

absl::Status PlanServiceImpl::DoCreatePlan(const CallContext& call,
                                           const v1::CreatePlanRequest& r,
                                           v1::Plan& out) {
  if (absl::Status s = RequireBoard(call, "recording a plan"); !s.ok()) {
    return s;
  }
  absl::StatusOr<std::shared_ptr<const OrgTree>> tree =
      AuthorizedTree(*context_, call, r.parent(), "parent");
  if (!tree.ok()) return tree.status();
  return RunChange<v1::Plan>(
      *context_, "CreatePlan", r.request_id(), r, out,
      [&](Change& change) -> absl::Status {
        FieldChecker check;
        int year = 0;
        if (r.plan_id().empty()) {
          check.Add("plan_id", "is required (the year, e.g. \"2024\")");
        } else if (absl::StatusOr<int> y =
                       ParsePlanYear(r.plan_id(), "plan_id");
                   y.ok()) {
          year = *y;
        } else {
          check.Add("plan_id", absl::StrCat("must be a year (1900..9999), "
                                            "not \"",
                                            r.plan_id(), "\""));
        }
        if (!r.plan().has_planned()) {
          check.Add("plan.planned", "is required");
        } else {
          CheckPlanFigures(r.plan().planned(), "plan.planned", check);
        }
        if (!check.ok()) return check.status();
        const std::string name = PlanName(r.parent(), year);
        if (absl::Status s =
                MustNotExist<v1::Plan>(context_->records(), name, "UpdatePlan");
            !s.ok()) {
          return s;
        }
        v1::Plan plan;
        plan.set_name(name);
        plan.set_organization(r.parent());
        plan.set_year(year);
        if (r.plan().has_document()) {
          *plan.mutable_document() = r.plan().document();
        }
        *plan.mutable_planned() = r.plan().planned();
        plan.set_note(r.plan().note());
        const common::v1::ChangeStamp stamp = Stamp(call, r.request_id(), "");
        *plan.mutable_create_stamp() = stamp;
        *plan.mutable_update_stamp() = stamp;
        if (absl::Status s = FillActual(plan); !s.ok()) return s;
        out = plan;
        if (r.validate_only()) return absl::OkStatus();
        out.set_etag(EtagOf(1));
        context_->targets().StagePlan(change.write, plan, 0);
        return absl::OkStatus();
      });
}

absl::Status PlanServiceImpl::DoUpdatePlan(const CallContext& call,
                                           const v1::UpdatePlanRequest& r,
                                           v1::Plan& out) {
  if (absl::Status s = RequireBoard(call, "changing a plan"); !s.ok()) {
    return s;
  }
  absl::StatusOr<std::pair<std::string, int>> name =
      ParsePlanName(r.plan().name(), "plan.name");
  if (!name.ok()) return name.status();
  if (r.update_mask().paths().empty()) {
    return InvalidField(
        "update_mask", absl::StrCat("is required (",
                                    absl::StrJoin(PlanMaskPaths(), ", "), ")"));
  }
  for (const std::string& path : r.update_mask().paths()) {
    if (PlanMaskPaths().count(path) == 0) {
      return InvalidField("update_mask",
                          absl::StrCat("\"", path, "\" cannot be changed; use ",
                                       absl::StrJoin(PlanMaskPaths(), ", ")));
    }
  }
  absl::StatusOr<std::shared_ptr<const OrgTree>> tree =
      AuthorizedTree(*context_, call, name->first, "plan.name");
  if (!tree.ok()) return tree.status();
  return RunChange<v1::Plan>(
      *context_, "UpdatePlan", r.request_id(), r, out,
      [&](Change& change) -> absl::Status {
        const v1::Plan& in = r.plan();
        absl::StatusOr<Stored<v1::Plan>> stored =
            ReadForUpdate(context_->records(), in);
        if (!stored.ok()) return stored.status();
        v1::Plan plan = stored->message;
        v1::PlanFigures& planned = *plan.mutable_planned();
        for (const std::string& path : r.update_mask().paths()) {
          if (path == "document") {
            if (in.has_document()) {
              *plan.mutable_document() = in.document();
            } else {
              plan.clear_document();
            }
          } else if (path == "note") {
            plan.set_note(in.note());
          } else if (path == "planned") {
            planned = in.planned();
          } else if (path == "planned.sourced") {
            planned.set_sourced(in.planned().sourced());
          } else if (path == "planned.sent_to_training") {
            planned.set_sent_to_training(in.planned().sent_to_training());
          } else if (path == "planned.certified") {
            planned.set_certified(in.planned().certified());
          } else if (path == "planned.admitted") {
            planned.set_admitted(in.planned().admitted());
          } else if (path == "planned.admitted_by_category") {
            *planned.mutable_admitted_by_category() =
                in.planned().admitted_by_category();
          }
        }
        FieldChecker check;
        CheckPlanFigures(plan.planned(), "plan.planned", check);
        if (!check.ok()) return check.status();
        *plan.mutable_update_stamp() = Stamp(call, r.request_id(), "");
        if (absl::Status s = FillActual(plan); !s.ok()) return s;
        out = plan;
        if (r.validate_only()) return absl::OkStatus();
        out.set_etag(EtagOf(stored->version + 1));
        context_->targets().StagePlan(change.write, plan, stored->version);
        return absl::OkStatus();
      });
}

}  // namespace partydev::quota
