#include "services/quota/report_service.h"

#include <algorithm>
#include <functional>
#include <map>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/change.h"
#include "common/csv.h"
#include "common/dates.h"
#include "common/errors.h"
#include "common/filters.h"
#include "common/paging.h"
#include "services/quota/plan_service.h"
#include "services/quota/progress_report.h"
#include "services/quota/quota_access.h"

namespace partydev::quota {
namespace {

// At most this many bytes per CsvChunk (progress.proto).
constexpr size_t kChunkBytes = 64 * 1024;

v1::OrganizationScope OrDefault(v1::OrganizationScope scope,
                                v1::OrganizationScope fallback) {
  return scope == v1::ORGANIZATION_SCOPE_UNSPECIFIED ? fallback : scope;
}

// The progress query of ComputeProgress and ExportProgress.
template <typename Request>
ProgressQuery ProgressQueryOf(const Request& request) {
  ProgressQuery query;
  query.root = request.name();
  query.period = request.period();
  query.as_of = request.as_of();
  query.scope =
      OrDefault(request.scope(), v1::ORGANIZATION_SCOPE_DIRECT_SUBORDINATES);
  for (int c : request.categories()) {
    query.categories.push_back(static_cast<common::v1::Category>(c));
  }
  query.overrides = request.thresholds();
  return query;
}

const std::vector<std::string>& ProgressFilterPaths() {
  static const auto* paths = new std::vector<std::string>{
      "status", "target_source", "organization.grassroots",
      "organization.level", "organization.sector_tags"};
  return *paths;
}

bool HasTarget(const ProgressEntry& e) { return e.target.has_target(); }

// The rows of `result` matching `filter_text`, in `order_by` order, as
// indexes into result.rows.
absl::StatusOr<std::vector<size_t>> SelectRows(const ProgressResult& result,
                                               const std::string& filter_text,
                                               const std::string& order_by) {
  absl::StatusOr<Filter> filter;
  if (!filter_text.empty()) {
    filter = Filter::Parse(filter_text, *v1::ProgressRow::descriptor(),
                           ProgressFilterPaths());
    if (!filter.ok()) return filter.status();
  }
  std::vector<size_t> rows;
  rows.reserve(result.rows.size());
  for (size_t i = 0; i < result.rows.size(); ++i) {
    if (!filter_text.empty() &&
        !filter->Matches(result.FilterRow(result.rows[i]))) {
      continue;
    }
    rows.push_back(i);
  }
  const std::string order = NormalizeOrderBy(order_by);
  const auto& r = result.rows;
  // Rows without a target come after those with one in every order but
  // "path" and "remaining desc" (where they have nothing remaining).
  auto by = [&](auto less) {
    std::stable_sort(rows.begin(), rows.end(), [&](size_t a, size_t b) {
      if (HasTarget(r[a]) != HasTarget(r[b])) return HasTarget(r[a]);
      return less(r[a], r[b]);
    });
  };
  if (order.empty() || order == "path") {
    // Already in path order.
  } else if (order == "rate") {
    by([](const ProgressEntry& a, const ProgressEntry& b) {
      return a.figures.rate < b.figures.rate;
    });
  } else if (order == "rate desc") {
    by([](const ProgressEntry& a, const ProgressEntry& b) {
      return a.figures.rate > b.figures.rate;
    });
  } else if (order == "rank") {
    std::stable_sort(rows.begin(), rows.end(), [&](size_t a, size_t b) {
      const int ra = r[a].rank == 0 ? INT32_MAX : r[a].rank;
      const int rb = r[b].rank == 0 ? INT32_MAX : r[b].rank;
      return ra < rb;
    });
  } else if (order == "remaining desc") {
    std::stable_sort(rows.begin(), rows.end(), [&](size_t a, size_t b) {
      return r[a].figures.remaining > r[b].figures.remaining;
    });
  } else if (order == "gap_to_expected") {
    by([](const ProgressEntry& a, const ProgressEntry& b) {
      return a.figures.gap_to_expected < b.figures.gap_to_expected;
    });
  } else {
    return InvalidField("order_by",
                        "must be one of \"path\", \"rate\", \"rate desc\", "
                        "\"rank\", \"remaining desc\", \"gap_to_expected\"");
  }
  return rows;
}

// ---- CSV ----

std::string Percent(double fraction) {
  return absl::StrFormat("%.1f", fraction * 100);
}
std::string OneDecimal(double v) { return absl::StrFormat("%.1f", v); }

std::string StatusLabel(v1::ProgressStatus status, bool vietnamese) {
  if (!vietnamese) return v1::ProgressStatus_Name(status);
  switch (status) {
    case v1::PROGRESS_STATUS_ON_TRACK:
      return "Đúng tiến độ";
    case v1::PROGRESS_STATUS_BEHIND:
      return "Chậm tiến độ";
    case v1::PROGRESS_STATUS_BELOW_HALF:
      return "Dưới ngưỡng";
    case v1::PROGRESS_STATUS_ACHIEVED:
      return "Đã đạt";
    case v1::PROGRESS_STATUS_NO_TARGET:
      return "Chưa có chỉ tiêu";
    default:
      return "";
  }
}

std::string SourceLabel(v1::TargetSource source, bool vietnamese) {
  if (!vietnamese) return v1::TargetSource_Name(source);
  switch (source) {
    case v1::TARGET_SOURCE_OWN:
      return "Tự xác định";
    case v1::TARGET_SOURCE_ALLOCATED:
      return "Được phân bổ";
    case v1::TARGET_SOURCE_LARGER_OF_BOTH:
      return "Lớn hơn của hai";
    default:
      return "Không có";
  }
}

std::string CategoryLabel(common::v1::Category category, bool vietnamese) {
  if (!vietnamese) return common::v1::Category_Name(category);
  switch (category) {
    case common::v1::CATEGORY_STUDENT:
      return "Học sinh, sinh viên";
    case common::v1::CATEGORY_YOUTH_UNION_MEMBER:
      return "Đoàn viên";
    case common::v1::CATEGORY_WORKER:
      return "Công nhân";
    case common::v1::CATEGORY_FARMER:
      return "Nông dân";
    case common::v1::CATEGORY_MEDICAL_STAFF:
      return "Nhân viên y tế";
    case common::v1::CATEGORY_LECTURER:
      return "Giảng viên";
    case common::v1::CATEGORY_JOURNALIST:
      return "Nhà báo";
    case common::v1::CATEGORY_ARMED_FORCES:
      return "Lực lượng vũ trang";
    case common::v1::CATEGORY_NON_STATE_ENTERPRISE:
      return "Doanh nghiệp ngoài nhà nước";
    case common::v1::CATEGORY_NON_PUBLIC_SERVICE_UNIT:
      return "Đơn vị sự nghiệp ngoài công lập";
    case common::v1::CATEGORY_RESIDENTIAL_AREA:
      return "Khu dân cư";
    case common::v1::CATEGORY_CIVIL_SERVANT:
      return "Cán bộ, công chức";
    case common::v1::CATEGORY_RELIGIOUS_FOLLOWER:
      return "Người có đạo";
    case common::v1::CATEGORY_ETHNIC_MINORITY:
      return "Dân tộc thiểu số";
    case common::v1::CATEGORY_RETIRED:
      return "Hưu trí";
    default:
      return common::v1::Category_Name(category);
  }
}

std::vector<std::string> CsvHeader(const ProgressResult& result,
                                   bool vietnamese) {
  std::vector<std::string> h;
  if (vietnamese) {
    h = {"Mã tổ chức",
         "Tổ chức đảng",
         "Cấp trên trực tiếp",
         "Cấp",
         "Cơ sở",
         "Lĩnh vực",
         "Chỉ tiêu",
         "Nguồn chỉ tiêu",
         "Đã kết nạp",
         "Xóa tên dự bị",
         "Tỷ lệ (%)",
         "Còn lại",
         "Dự kiến đến nay",
         "Dự báo cuối kỳ",
         "Tỷ lệ dự báo (%)",
         "Tình trạng",
         "Xếp hạng",
         "Số đơn vị xếp hạng"};
  } else {
    h = {"Organization",
         "Display name",
         "Parent",
         "Level",
         "Grassroots",
         "Sector tags",
         "Target",
         "Target source",
         "Admitted",
         "Removed from probation",
         "Rate (%)",
         "Remaining",
         "Expected by now",
         "Forecast",
         "Forecast rate (%)",
         "Status",
         "Rank",
         "Ranked siblings"};
  }
  for (common::v1::Category c : result.categories) {
    const std::string label = CategoryLabel(c, vietnamese);
    if (vietnamese) {
      h.push_back(absl::StrCat(label, " - Chỉ tiêu"));
      h.push_back(absl::StrCat(label, " - Đã kết nạp"));
      h.push_back(absl::StrCat(label, " - Tỷ lệ (%)"));
    } else {
      h.push_back(absl::StrCat(label, " target"));
      h.push_back(absl::StrCat(label, " admitted"));
      h.push_back(absl::StrCat(label, " rate (%)"));
    }
  }
  return h;
}

std::vector<std::string> CsvRow(const ProgressResult& result,
                                const ProgressEntry& entry, bool vietnamese) {
  v1::ProgressRow row = result.Row(entry);
  const v1::OrganizationInfo& o = row.organization();
  std::vector<std::string> tags;
  for (int t : o.sector_tags()) {
    tags.push_back(
        common::v1::SectorTag_Name(static_cast<common::v1::SectorTag>(t)));
  }
  std::vector<std::string> f = {
      o.name(),
      o.display_name(),
      o.ancestor_display_names().empty()
          ? ""
          : o.ancestor_display_names(o.ancestor_display_names_size() - 1),
      o.level(),
      o.grassroots() ? "1" : "0",
      absl::StrJoin(tags, ";"),
      absl::StrCat(row.target()),
      SourceLabel(row.target_source(), vietnamese),
      absl::StrCat(row.admitted()),
      absl::StrCat(row.removed_from_probation()),
      Percent(row.rate()),
      absl::StrCat(row.remaining()),
      OneDecimal(row.expected_by_now()),
      OneDecimal(row.forecast()),
      Percent(row.forecast_rate()),
      StatusLabel(row.status(), vietnamese),
      absl::StrCat(row.rank()),
      absl::StrCat(row.ranked_siblings()),
  };
  for (const auto& c : row.categories()) {
    f.push_back(absl::StrCat(c.target()));
    f.push_back(absl::StrCat(c.admitted()));
    f.push_back(Percent(c.rate()));
  }
  return f;
}

std::string FileSlugOf(const ProgressResult& result) {
  std::string term = result.period.term();
  if (absl::StartsWith(term, "terms/")) term = term.substr(6);
  std::string slug = absl::StrCat("tien-do-ket-nap_", term);
  if (result.period.year() != 0)
    absl::StrAppend(&slug, "_", result.period.year());
  const absl::CivilDay d = result.as_of;
  absl::StrAppend(
      &slug, "_",
      absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day()), ".csv");
  return slug;
}

// ---- Lagging ----

const std::vector<std::string>& LaggingFilterPaths() {
  static const auto* paths = new std::vector<std::string>{
      "reasons", "college_or_university", "organization.level",
      "organization.sector_tags"};
  return *paths;
}

}  // namespace

absl::Status ComputeProgressReport(QuotaContext& context,
                                   const CallContext& call,
                                   const v1::ComputeProgressRequest& request,
                                   v1::ProgressReport* response) {
  absl::StatusOr<OffsetPage> page =
      OffsetPage::Of(request, request.page_size(), request.page_token());
  if (!page.ok()) return page.status();
  absl::StatusOr<ProgressResult> result =
      ComputeProgressRows(context, call, ProgressQueryOf(request));
  if (!result.ok()) return result.status();
  absl::StatusOr<std::vector<size_t>> rows =
      SelectRows(*result, request.filter(), request.order_by());
  if (!rows.ok()) return rows.status();
  result->FillMetadata(*response);
  *response->mutable_root() = result->Row(result->root);
  page->Fill(static_cast<int>(rows->size()), *response, [&](int i) {
    *response->add_rows() = result->Row(result->rows[(*rows)[i]]);
  });
  return absl::OkStatus();
}

absl::Status ComputeCandidatePoolReport(
    QuotaContext& context, const CallContext& call,
    const v1::ComputeCandidatePoolRequest& request,
    v1::CandidatePoolReport* response) {
  absl::StatusOr<OffsetPage> page =
      OffsetPage::Of(request, request.page_size(), request.page_token());
  if (!page.ok()) return page.status();
  if (request.category() != common::v1::CATEGORY_UNSPECIFIED &&
      !common::v1::Category_IsValid(request.category())) {
    return InvalidField("category", "is not a category");
  }
  ProgressQuery query;
  query.root = request.name();
  query.period = request.period();
  query.as_of = request.as_of();
  query.scope =
      OrDefault(request.scope(), v1::ORGANIZATION_SCOPE_DIRECT_SUBORDINATES);
  query.rank_mode = RankMode::kNone;
  absl::StatusOr<ProgressResult> result =
      ComputeProgressRows(context, call, query);
  if (!result.ok()) return result.status();
  const v1::PoolRules& rules = result->rule_set->pool();
  const int year = result->period.year();

  // The row of one organisation from what was read for it.
  struct RowInput {
    const std::vector<storage::v1::PoolCandidate>* candidates;
    const OrganizationCounts* year_counts;
    const Stored<v1::Plan>* plan;
  };
  auto build = [&](const ProgressEntry& e, const RowInput& in) {
    v1::CandidatePoolRow row;
    *row.mutable_organization() =
        InfoOf(*result->tree, e.name, result->as_of, e.depth);
    const domain::PoolFigures f =
        domain::ComputePoolFigures(*in.candidates, e.name, result->span,
                                   result->as_of, request.category());
    for (common::v1::Stage s : domain::PipelineStages()) {
      v1::StageCount* at = row.add_at_stage();
      at->set_stage(s);
      auto it = f.at_stage.find(s);
      at->set_count(it == f.at_stage.end() ? 0 : it->second);
      v1::StageCount* reached = row.add_reached();
      reached->set_stage(s);
      auto jt = f.reached.find(s);
      reached->set_count(jt == f.reached.end() ? 0 : jt->second);
    }
    row.set_in_training(f.in_training);
    row.set_pool_size(f.pool_size);
    row.set_certified_pool(f.certified_pool);
    int admitted = e.sums.counted;
    if (request.category() != common::v1::CATEGORY_UNSPECIFIED) {
      auto it = e.sums.categories.find(request.category());
      admitted = it == e.sums.categories.end() ? 0 : it->second.counted;
    }
    row.set_admitted(admitted);
    row.set_withdrawn(f.withdrawn);
    row.set_rejected(f.rejected);
    for (const auto& c : f.conversions) *row.add_conversions() = c;
    const int base = admitted + f.certified_pool;
    const double ratio = base > 0 ? static_cast<double>(admitted) / base : 0;
    row.set_admission_to_pool_ratio(ratio);
    row.set_low_conversion(f.certified_pool >= rules.min_pool_size() &&
                           f.certified_pool > 0 &&
                           ratio < rules.low_conversion_ratio());
    if (year != 0) {
      if (in.plan != nullptr) {
        row.set_plan(in.plan->message.name());
        *row.mutable_planned() = in.plan->message.planned();
      }
      *row.mutable_actual() = ActualPlanFiguresOf(
          in.year_counts, *in.candidates, e.name, year,
          std::min(result->as_of, absl::CivilDay(year, 12, 31)));
    }
    return row;
  };
  // Builds the rows of `entries` reading, per batch of organisations, their
  // candidates, yearly counts and plans in a few round trips.
  constexpr size_t kOrganizationsPerRead = 500;
  auto build_all = [&](const std::vector<const ProgressEntry*>& entries,
                       const std::function<void(v1::CandidatePoolRow)>& emit)
      -> absl::Status {
    for (size_t from = 0; from < entries.size();
         from += kOrganizationsPerRead) {
      if (call.Cancelled()) {
        return absl::CancelledError("the report was cancelled");
      }
      const size_t to = std::min(entries.size(), from + kOrganizationsPerRead);
      std::vector<std::string> names;
      for (size_t i = from; i < to; ++i) names.push_back(entries[i]->name);
      absl::StatusOr<std::vector<std::vector<storage::v1::PoolCandidate>>>
          candidates = context.projections().pool()->CandidatesUnderEach(names);
      if (!candidates.ok()) return candidates.status();
      std::vector<OrganizationCounts> counts;
      std::map<std::string, Stored<v1::Plan>> plans;
      if (year != 0) {
        absl::StatusOr<std::vector<OrganizationCounts>> read =
            context.projections().admissions()->Counts(names);
        if (!read.ok()) return read.status();
        counts = *std::move(read);
        std::vector<std::string> plan_names;
        for (const std::string& n : names) {
          plan_names.push_back(absl::StrCat(n, "/plans/", year));
        }
        absl::StatusOr<std::vector<Stored<v1::Plan>>> stored =
            context.records().GetMany<v1::Plan>(plan_names);
        if (!stored.ok()) return stored.status();
        for (Stored<v1::Plan>& p : *stored) {
          std::string organization = p.message.organization();
          plans.emplace(std::move(organization), std::move(p));
        }
      }
      for (size_t i = from; i < to; ++i) {
        auto plan = plans.find(entries[i]->name);
        emit(build(*entries[i],
                   {&(*candidates)[i - from],
                    i - from < counts.size() ? &counts[i - from] : nullptr,
                    plan == plans.end() ? nullptr : &plan->second}));
      }
    }
    return absl::OkStatus();
  };

  absl::StatusOr<Filter> filter =
      Filter::Parse(request.filter(), *v1::CandidatePoolRow::descriptor(),
                    {"low_conversion", "organization.grassroots",
                     "organization.level", "organization.sector_tags"});
  if (!filter.ok()) return filter.status();
  v1::CandidatePoolRow root;
  if (absl::Status s = build_all(
          {&result->root},
          [&root](v1::CandidatePoolRow row) { root = std::move(row); });
      !s.ok()) {
    return s;
  }
  std::vector<const ProgressEntry*> entries;
  entries.reserve(result->rows.size());
  for (const ProgressEntry& e : result->rows) entries.push_back(&e);
  std::vector<v1::CandidatePoolRow> rows;
  rows.reserve(result->rows.size());
  if (absl::Status s = build_all(entries,
                                 [&](v1::CandidatePoolRow row) {
                                   if (filter->Matches(row)) {
                                     rows.push_back(std::move(row));
                                   }
                                 });
      !s.ok()) {
    return s;
  }
  const std::string order = NormalizeOrderBy(request.order_by());
  if (order.empty() || order == "path") {
  } else if (order == "admission_to_pool_ratio") {
    std::stable_sort(
        rows.begin(), rows.end(), [](const auto& a, const auto& b) {
          return a.admission_to_pool_ratio() < b.admission_to_pool_ratio();
        });
  } else if (order == "certified_pool desc") {
    std::stable_sort(rows.begin(), rows.end(),
                     [](const auto& a, const auto& b) {
                       return a.certified_pool() > b.certified_pool();
                     });
  } else {
    return InvalidField("order_by",
                        "must be one of \"path\", \"admission_to_pool_ratio\", "
                        "\"certified_pool desc\"");
  }
  *response->mutable_root() = std::move(root);
  page->Fill(static_cast<int>(rows.size()), *response,
             [&](int i) { *response->add_rows() = std::move(rows[i]); });
  *response->mutable_period() = result->period;
  *response->mutable_as_of() = FromCivilDay(result->as_of);
  response->set_low_conversion_ratio(rules.low_conversion_ratio());
  response->set_min_pool_size(rules.min_pool_size());
  response->set_rule_set(result->rule_set->name());
  absl::StatusOr<google::protobuf::Timestamp> through =
      context.projections().PipelineThrough();
  if (through.ok()) *response->mutable_data_through() = *through;
  *response->mutable_compute_time() = result->compute_time;
  return absl::OkStatus();
}

absl::Status FindLaggingOrganizations(
    QuotaContext& context, const CallContext& call,
    const v1::FindLaggingOrganizationsRequest& request,
    v1::LaggingList* response) {
  absl::StatusOr<OffsetPage> page =
      OffsetPage::Of(request, request.page_size(), request.page_token());
  if (!page.ok()) return page.status();
  absl::StatusOr<Filter> filter =
      Filter::Parse(request.filter(), *v1::LaggingOrganization::descriptor(),
                    LaggingFilterPaths());
  if (!filter.ok()) return filter.status();
  const std::string order = NormalizeOrderBy(request.order_by());
  if (!order.empty() && order != "rate" && order != "remaining desc" &&
      order != "path") {
    return InvalidField(
        "order_by", "must be one of \"rate\", \"remaining desc\", \"path\"");
  }

  v1::LaggingList list;
  if (!request.checkpoint().empty()) {
    absl::StatusOr<std::shared_ptr<const OrgTree>> tree =
        context.projections().Tree();
    if (!tree.ok()) return tree.status();
    if (absl::StatusOr<std::vector<std::string>> path =
            AuthorizeOrganization(call, **tree, request.name(), "name");
        !path.ok()) {
      return path.status();
    }
    const size_t at = request.checkpoint().find("/laggingCheckpoints/");
    const std::string checkpoint_root =
        at == std::string::npos ? "" : request.checkpoint().substr(0, at);
    if (checkpoint_root.empty() || OrganizationId(checkpoint_root).empty()) {
      return InvalidField(
          "checkpoint",
          "must be \"organizations/{org}/laggingCheckpoints/{checkpoint}\"");
    }
    absl::StatusOr<v1::LaggingList> frozen =
        FrozenLaggingList(context, request.checkpoint());
    if (!frozen.ok()) return frozen.status();
    const absl::CivilDay day = CivilDayOf(frozen->as_of());
    if (checkpoint_root != request.name() &&
        !(*tree)->CoversOn(request.name(), checkpoint_root, day)) {
      return InvalidField(
          "checkpoint",
          absl::StrCat(request.checkpoint(), " is not of ", request.name(),
                       " or an organisation below it"));
    }
    list = *std::move(frozen);
  } else {
    ProgressQuery query;
    query.root = request.name();
    query.period = request.period();
    query.as_of = request.as_of();
    query.scope = OrDefault(request.scope(),
                            v1::ORGANIZATION_SCOPE_GRASSROOTS_IN_SUBTREE);
    query.root_may_be_row = true;
    query.overrides = request.thresholds();
    absl::StatusOr<ProgressResult> result =
        ComputeProgressRows(context, call, query);
    if (!result.ok()) return result.status();
    int evaluated = 0;
    std::vector<v1::LaggingOrganization> lagging =
        LaggingOf(*result, request.include_behind(), &evaluated);
    FillLaggingMetadata(*result, list);
    list.set_evaluated_count(evaluated);
    for (auto& o : lagging) *list.add_organizations() = std::move(o);
  }

  std::vector<int> rows;
  for (int i = 0; i < list.organizations_size(); ++i) {
    if (filter->Matches(list.organizations(i))) rows.push_back(i);
  }
  const auto& o = list.organizations();
  if (order.empty() || order == "rate") {
    std::stable_sort(rows.begin(), rows.end(),
                     [&](int a, int b) { return o[a].rate() < o[b].rate(); });
  } else if (order == "remaining desc") {
    std::stable_sort(rows.begin(), rows.end(), [&](int a, int b) {
      return o[a].remaining() > o[b].remaining();
    });
  }
  *response = list;
  response->clear_organizations();
  page->Fill(static_cast<int>(rows.size()), *response,
             [&](int i) { *response->add_organizations() = o[rows[i]]; });
  return absl::OkStatus();
}

// ---- The service ----

ReportServiceImpl::ReportServiceImpl(std::shared_ptr<QuotaContext> context,
                                     absl::Duration checkpoint_scan_period)
    : context_(std::move(context)), scheduler_(*context_) {
  if (checkpoint_scan_period > absl::ZeroDuration()) {
    scheduler_.Start(checkpoint_scan_period);
  }
}

ReportServiceImpl::~ReportServiceImpl() { scheduler_.Stop(); }

grpc::ServerUnaryReactor* ReportServiceImpl::ComputeProgress(
    grpc::CallbackServerContext* context,
    const v1::ComputeProgressRequest* request, v1::ProgressReport* response) {
  return context_->runtime().Unary(
      context, "ComputeProgress", [=](const CallContext& call) {
        return ComputeProgressReport(*context_, call, *request, response);
      });
}

grpc::ServerUnaryReactor* ReportServiceImpl::ComputeCandidatePool(
    grpc::CallbackServerContext* context,
    const v1::ComputeCandidatePoolRequest* request,
    v1::CandidatePoolReport* response) {
  return context_->runtime().Unary(
      context, "ComputeCandidatePool", [=](const CallContext& call) {
        return ComputeCandidatePoolReport(*context_, call, *request, response);
      });
}

grpc::ServerUnaryReactor* ReportServiceImpl::FindLaggingOrganizations(
    grpc::CallbackServerContext* context,
    const v1::FindLaggingOrganizationsRequest* request,
    v1::LaggingList* response) {
  return context_->runtime().Unary(context, "FindLaggingOrganizations",
                                   [=](const CallContext& call) {
                                     return quota::FindLaggingOrganizations(
                                         *context_, call, *request, response);
                                   });
}

grpc::ServerUnaryReactor* ReportServiceImpl::CreateLaggingCheckpoint(
    grpc::CallbackServerContext* context,
    const v1::CreateLaggingCheckpointRequest* request,
    v1::LaggingCheckpoint* response) {
  return context_->runtime().Unary(
      context, "CreateLaggingCheckpoint", [=](const CallContext& call) {
        return quota::CreateLaggingCheckpoint(
            *context_, call, *request, v1::LaggingCheckpoint::TRIGGER_ON_DEMAND,
            "", response);
      });
}

grpc::ServerUnaryReactor* ReportServiceImpl::GetLaggingCheckpoint(
    grpc::CallbackServerContext* context,
    const v1::GetLaggingCheckpointRequest* request,
    v1::LaggingCheckpoint* response) {
  return context_->runtime().Unary(
      context, "GetLaggingCheckpoint", [=](const CallContext& call) {
        return quota::GetLaggingCheckpoint(*context_, call, *request, response);
      });
}

grpc::ServerUnaryReactor* ReportServiceImpl::ListLaggingCheckpoints(
    grpc::CallbackServerContext* context,
    const v1::ListLaggingCheckpointsRequest* request,
    v1::ListLaggingCheckpointsResponse* response) {
  return context_->runtime().Unary(context, "ListLaggingCheckpoints",
                                   [=](const CallContext& call) {
                                     return quota::ListLaggingCheckpoints(
                                         *context_, call, *request, response);
                                   });
}

// Computes the report once on the executor, then sends it a chunk at a
// time: each chunk is built only after the previous one was written.
class ReportServiceImpl::ExportReactor final
    : public grpc::ServerWriteReactor<v1::CsvChunk> {
 public:
  ExportReactor(ReportServiceImpl& service,
                grpc::CallbackServerContext* context,
                const v1::ExportProgressRequest* request)
      : service_(service), request_(*request) {
    absl::Status admitted = service_.context_->runtime().BeginCall(
        context, "ExportProgress", &call_);
    if (!admitted.ok()) {
      Done(admitted);
      return;
    }
    service_.context_->runtime().executor().Submit([this] {
      absl::Status status = Start();
      if (!status.ok()) {
        Done(status);
        return;
      }
      Next();
    });
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Done(absl::CancelledError("the client stopped reading the export"));
      return;
    }
    if (last_) {
      Done(absl::OkStatus());
      return;
    }
    service_.context_->runtime().executor().Submit([this] { Next(); });
  }

  void OnDone() override { delete this; }

 private:
  absl::Status Start() {
    if (!v1::ExportProgressRequest::HeaderLanguage_IsValid(
            request_.header_language())) {
      return InvalidField("header_language", "is not a known language");
    }
    vietnamese_ = request_.header_language() !=
                  v1::ExportProgressRequest::HEADER_LANGUAGE_ENGLISH;
    absl::StatusOr<ProgressResult> result = ComputeProgressRows(
        *service_.context_, call_, ProgressQueryOf(request_));
    if (!result.ok()) return result.status();
    result_ = *std::move(result);
    absl::StatusOr<std::vector<size_t>> rows =
        SelectRows(result_, request_.filter(), request_.order_by());
    if (!rows.ok()) return rows.status();
    rows_ = *std::move(rows);

    chunk_.set_file_name(FileSlugOf(result_));
    v1::ProgressReport* metadata = chunk_.mutable_metadata();
    result_.FillMetadata(*metadata);
    *metadata->mutable_root() = result_.Row(result_.root);
    metadata->set_total_size(static_cast<int>(rows_.size()));
    std::string head;
    if (request_.byte_order_mark()) head = std::string(csv::kUtf8Bom);
    csv::AppendRow(CsvHeader(result_, vietnamese_), ',', head);
    pending_ = std::move(head);
    return absl::OkStatus();
  }

  // The next line (the root's first), or false when every line was made.
  bool NextLine(std::string& line) {
    line.clear();
    if (!root_written_) {
      root_written_ = true;
      csv::AppendRow(CsvRow(result_, result_.root, vietnamese_), ',', line);
      return true;
    }
    if (next_row_ >= rows_.size()) return false;
    csv::AppendRow(
        CsvRow(result_, result_.rows[rows_[next_row_++]], vietnamese_), ',',
        line);
    return true;
  }

  void Next() {
    if (call_.Cancelled()) {
      Done(absl::CancelledError("the export was cancelled"));
      return;
    }
    if (index_ > 0) chunk_.Clear();
    std::string data = std::move(pending_);
    pending_.clear();
    int lines = pending_is_row_ ? 1 : 0;
    pending_is_row_ = false;
    std::string line;
    bool exhausted = false;
    while (true) {
      if (!NextLine(line)) {
        exhausted = true;
        break;
      }
      if (!data.empty() && data.size() + line.size() > kChunkBytes) {
        pending_ = std::move(line);  // starts the next chunk
        pending_is_row_ = true;
        break;
      }
      data += line;
      ++lines;
    }
    chunk_.set_data(std::move(data));
    chunk_.set_index(index_++);
    chunk_.set_row_count(lines);
    if (exhausted && pending_.empty()) {
      chunk_.set_last(true);
      last_ = true;
    }
    StartWrite(&chunk_);
  }

  void Done(const absl::Status& status) {
    Finish(service_.context_->runtime().FinishCall(call_, status));
  }

  ReportServiceImpl& service_;
  const v1::ExportProgressRequest request_;
  CallContext call_;
  bool vietnamese_ = true;
  ProgressResult result_;
  std::vector<size_t> rows_;
  bool root_written_ = false;
  size_t next_row_ = 0;
  // A line (or the header) made but not yet sent, and whether it is a
  // data line (counted in the chunk that sends it).
  std::string pending_;
  bool pending_is_row_ = false;
  int index_ = 0;
  bool last_ = false;
  v1::CsvChunk chunk_;
};

grpc::ServerWriteReactor<v1::CsvChunk>* ReportServiceImpl::ExportProgress(
    grpc::CallbackServerContext* context,
    const v1::ExportProgressRequest* request) {
  return new ExportReactor(*this, context, request);
}

}  // namespace partydev::quota
