#include "services/quota/achievement_service.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/authorization.h"
#include "common/change.h"
#include "common/dates.h"
#include "common/errors.h"
#include "common/filters.h"
#include "common/paging.h"
#include "common/record_store.h"
#include "services/quota/domain/periods.h"
#include "services/quota/quota_access.h"
#include "services/quota/year_results.h"

namespace partydev::quota {
namespace {

constexpr char kRecords[] = "/admissionRecords/";
// Records read per round trip when a listing reads them all.
constexpr size_t kReadBatch = 500;

// The day the tree is looked at for `name`: `day`, clipped to the days the
// organisation existed.
absl::CivilDay TreeDay(const OrgTree& tree, const std::string& name,
                       absl::CivilDay day) {
  if (day > tree.ValidUntil(name)) day = tree.ValidUntil(name);
  if (day < tree.ValidFrom(name)) day = tree.ValidFrom(name);
  return day;
}

// The organisations of a report's scope below `root` on `day`, in path
// order.
std::vector<std::string> ScopeOf(const OrgTree& tree, const std::string& root,
                                 v1::OrganizationScope scope,
                                 absl::CivilDay day) {
  switch (scope) {
    case v1::ORGANIZATION_SCOPE_SELF:
      return {root};
    case v1::ORGANIZATION_SCOPE_SUBTREE:
      return tree.SubtreeOn(root, day);
    case v1::ORGANIZATION_SCOPE_GRASSROOTS_IN_SUBTREE: {
      std::vector<std::string> out;
      for (const std::string& name : tree.SubtreeOn(root, day)) {
        const events::v1::OrganizationSnapshot* shape = tree.On(name, day);
        if (shape != nullptr && IsGrassroots(*shape)) out.push_back(name);
      }
      return out;
    }
    default: {
      std::vector<std::string> out = {root};
      for (std::string& child : tree.ChildrenOn(root, day)) {
        out.push_back(std::move(child));
      }
      return out;
    }
  }
}

// The term a day belongs to ("" when none contains it).
std::string TermContaining(const std::vector<v1::Term>& terms,
                           const common::v1::Date& date) {
  if (date.year() == 0) return "";
  const absl::CivilDay day = CivilDayOf(date);
  for (const v1::Term& term : terms) {
    if (CivilDayOf(term.start_date()) <= day &&
        day <= CivilDayOf(term.end_date())) {
      return term.name();
    }
  }
  return "";
}

void AddCounts(const CountSums& sums, bool by_category,
               v1::AchievementRow& row) {
  row.set_admitted(sums.admitted);
  row.set_removed_from_probation(sums.removed);
  row.set_counted(sums.counted);
  row.set_admitted_here(sums.admitted_here);
  if (!by_category) return;
  for (const auto& [category, figures] : sums.categories) {
    v1::CategoryAchievement* c = row.add_categories();
    c->set_category(category);
    c->set_admitted(figures.admitted);
    c->set_removed_from_probation(figures.removed);
    c->set_counted(figures.counted);
  }
}

}  // namespace

AchievementServiceImpl::AchievementServiceImpl(
    std::shared_ptr<QuotaContext> context)
    : context_(std::move(context)) {}

grpc::ServerUnaryReactor* AchievementServiceImpl::QueryAchievements(
    grpc::CallbackServerContext* context,
    const v1::QueryAchievementsRequest* request,
    v1::AchievementCounts* response) {
  return context_->runtime().Unary(
      context, "QueryAchievements", [=](const CallContext& call) {
        return DoQueryAchievements(call, *request, *response);
      });
}

grpc::ServerUnaryReactor* AchievementServiceImpl::ComputeYearResults(
    grpc::CallbackServerContext* context,
    const v1::ComputeYearResultsRequest* request, v1::YearResults* response) {
  return context_->runtime().Unary(
      context, "ComputeYearResults", [=](const CallContext& call) {
        return quota::ComputeYearResults(*context_, call, *request, response);
      });
}

grpc::ServerUnaryReactor* AchievementServiceImpl::GetAdmissionRecord(
    grpc::CallbackServerContext* context,
    const v1::GetAdmissionRecordRequest* request,
    v1::AdmissionRecord* response) {
  return context_->runtime().Unary(
      context, "GetAdmissionRecord", [=](const CallContext& call) {
        return DoGetAdmissionRecord(call, *request, *response);
      });
}

grpc::ServerUnaryReactor* AchievementServiceImpl::ListAdmissionRecords(
    grpc::CallbackServerContext* context,
    const v1::ListAdmissionRecordsRequest* request,
    v1::ListAdmissionRecordsResponse* response) {
  return context_->runtime().Unary(
      context, "ListAdmissionRecords", [=](const CallContext& call) {
        return DoListAdmissionRecords(call, *request, *response);
      });
}

// --- QueryAchievements
// ---------------------------------------------------------

absl::Status AchievementServiceImpl::DoQueryAchievements(
    const CallContext& call, const v1::QueryAchievementsRequest& request,
    v1::AchievementCounts& response) {
  absl::StatusOr<OffsetPage> page =
      OffsetPage::Of(request, request.page_size(), request.page_token());
  if (!page.ok()) return page.status();
  absl::StatusOr<Filter> filter =
      Filter::Parse(request.filter(), *v1::AchievementRow::descriptor(),
                    {"organization.grassroots", "organization.level",
                     "organization.sector_tags"});
  if (!filter.ok()) return filter.status();
  absl::CivilDay as_of = CivilDayOf(Today());
  if (!IsUnset(request.as_of())) {
    absl::StatusOr<absl::CivilDay> day = ToCivilDay(request.as_of(), "as_of");
    if (!day.ok()) return day.status();
    as_of = *day;
  }

  absl::StatusOr<std::shared_ptr<const OrgTree>> tree =
      context_->projections().Tree();
  if (!tree.ok()) return tree.status();
  absl::StatusOr<std::vector<std::string>> root_path =
      AuthorizeOrganization(call, **tree, request.name(), "name");
  if (!root_path.ok()) return root_path.status();

  // The term and its periods.
  v1::Term term;
  if (!request.term().empty()) {
    absl::StatusOr<Stored<v1::Term>> named =
        context_->targets().GetTerm(request.term());
    if (absl::IsNotFound(named.status())) {
      return InvalidField("term",
                          absl::StrCat(request.term(), " is not a term"));
    }
    if (!named.ok()) return named.status();
    term = std::move(named->message);
  } else {
    absl::StatusOr<v1::Term> on = context_->targets().TermOn(as_of);
    if (absl::IsNotFound(on.status())) {
      return RulesViolated({{"quota.term.exists", "as_of",
                             absl::StrCat("No term contains ", FormatDay(as_of),
                                          "; name one in `term`.")}});
    }
    if (!on.ok()) return on.status();
    term = *std::move(on);
  }
  struct Period {
    int year;
    domain::PeriodSpan span;
  };
  std::vector<Period> periods;
  if (request.year() == 0) {
    absl::StatusOr<domain::PeriodSpan> whole = domain::SpanOf(term, 0, "year");
    if (!whole.ok()) return whole.status();
    periods.push_back({0, *whole});
    for (int year : domain::YearsOf(whole->start, whole->end)) {
      absl::StatusOr<domain::PeriodSpan> span =
          domain::SpanOf(term, year, "year");
      if (!span.ok()) return span.status();
      periods.push_back({year, *span});
    }
  } else {
    absl::StatusOr<domain::PeriodSpan> span =
        domain::SpanOf(term, request.year(), "year");
    if (!span.ok()) return span.status();
    periods.push_back({request.year(), *span});
  }

  // The organisations, as the tree stood on as_of, filtered.
  const OrgTree& t = **tree;
  const absl::CivilDay day = TreeDay(t, request.name(), as_of);
  const int root_depth = static_cast<int>(t.PathOn(request.name(), day).size());
  std::vector<v1::OrganizationInfo> organizations;
  for (const std::string& name :
       ScopeOf(t, request.name(), request.scope(), day)) {
    const int depth = static_cast<int>(t.PathOn(name, day).size()) - root_depth;
    v1::AchievementRow probe;
    *probe.mutable_organization() = InfoOf(t, name, day, std::max(depth, 0));
    if (!filter->Matches(probe)) continue;
    organizations.push_back(std::move(*probe.mutable_organization()));
  }

  const int total = static_cast<int>(organizations.size() * periods.size());
  const int first = page->begin(total);
  const int last = page->end(total);
  // Counters of the page's organisations only, in one round trip.
  std::vector<std::string> names;
  std::map<std::string, size_t> index;
  for (int r = first; r < last; ++r) {
    const std::string& name = organizations[r / periods.size()].name();
    if (index.emplace(name, names.size()).second) names.push_back(name);
  }
  absl::StatusOr<std::vector<OrganizationCounts>> counts =
      context_->projections().admissions()->Counts(names);
  if (!counts.ok()) return counts.status();
  for (int r = first; r < last; ++r) {
    const v1::OrganizationInfo& info = organizations[r / periods.size()];
    const Period& period = periods[r % periods.size()];
    v1::AchievementRow* row = response.add_rows();
    *row->mutable_organization() = info;
    row->mutable_period()->set_term(term.name());
    row->mutable_period()->set_year(period.year);
    const CountSums sums = (*counts)[index[info.name()]].Sum(
        period.span.start, std::min(period.span.end, as_of));
    AddCounts(sums, request.by_category(), *row);
  }
  response.set_total_size(total);
  response.set_next_page_token(page->NextToken(total));
  *response.mutable_as_of() = FromCivilDay(as_of);
  absl::StatusOr<google::protobuf::Timestamp> through =
      context_->projections().AdmissionsThrough();
  if (through.ok()) *response.mutable_data_through() = *through;
  return absl::OkStatus();
}

// --- The ledger
// ------------------------------------------------------------------

namespace {

// Fills applies_to.term of `records` from the terms as they stand: the
// term containing the day the delta counts on (a removal counted against
// the admission's period: the admission's counted_on).
absl::Status FillTerms(QuotaContext& context, AdmissionLedger& ledger,
                       std::vector<v1::AdmissionRecord>& records) {
  if (records.empty()) return absl::OkStatus();
  absl::StatusOr<std::vector<v1::Term>> terms = context.targets().Terms();
  if (!terms.ok()) return terms.status();
  std::vector<std::string> related;
  std::vector<bool> from_admission(records.size(), false);
  for (size_t i = 0; i < records.size(); ++i) {
    const v1::AdmissionRecord& r = records[i];
    if (r.kind() != v1::AdmissionRecord::KIND_REMOVAL_FROM_PROBATION ||
        r.delta() == 0 || r.related_record().empty()) {
      continue;
    }
    absl::StatusOr<const v1::QuotaRuleSet*> rules =
        context.rules().ByName(r.rule_set());
    if (rules.ok() &&
        (*rules)->counting().probation_removal() ==
            v1::PROBATION_REMOVAL_COUNTING_SUBTRACT_FROM_ADMISSION_PERIOD) {
      from_admission[i] = true;
      related.push_back(r.related_record());
    }
  }
  std::map<std::string, common::v1::Date> admission_day;
  if (!related.empty()) {
    absl::StatusOr<std::vector<v1::AdmissionRecord>> admissions =
        ledger.GetRecords(related);
    if (!admissions.ok()) return admissions.status();
    for (const auto& a : *admissions) admission_day[a.name()] = a.counted_on();
  }
  for (size_t i = 0; i < records.size(); ++i) {
    v1::AdmissionRecord& r = records[i];
    common::v1::Date day = r.counted_on();
    if (from_admission[i]) {
      auto it = admission_day.find(r.related_record());
      if (it != admission_day.end() && it->second.year() != 0) {
        day = it->second;
      } else {
        day = r.admission_decision().signed_on();
      }
    }
    r.mutable_applies_to()->set_term(TermContaining(*terms, day));
  }
  return absl::OkStatus();
}

// "organizations/{org}/admissionRecords/{record}" -> "organizations/{org}".
std::string RecordOrganization(const std::string& name) {
  const size_t at = name.find(kRecords);
  if (at == std::string::npos) return "";
  const std::string organization = name.substr(0, at);
  const std::string record = name.substr(at + sizeof(kRecords) - 1);
  if (!IsValidResourceId(OrganizationId(organization)) ||
      !IsValidResourceId(record)) {
    return "";
  }
  return organization;
}

// The path of `name` as the tree stands today ({name} when unknown).
std::vector<std::string> PathToday(const OrgTree& tree,
                                   const std::string& name) {
  if (!tree.Known(name)) return {name};
  std::vector<std::string> path =
      tree.PathOn(name, TreeDay(tree, name, CivilDayOf(Today())));
  if (path.empty()) path.push_back(name);
  return path;
}

}  // namespace

absl::Status AchievementServiceImpl::DoGetAdmissionRecord(
    const CallContext& call, const v1::GetAdmissionRecordRequest& request,
    v1::AdmissionRecord& response) {
  if (request.name().empty()) return InvalidField("name", "is required");
  const std::string organization = RecordOrganization(request.name());
  if (organization.empty()) {
    return InvalidField("name",
                        "must be \"organizations/{organization}/"
                        "admissionRecords/{record}\"");
  }
  absl::StatusOr<std::shared_ptr<const OrgTree>> tree =
      context_->projections().Tree();
  if (!tree.ok()) return tree.status();
  const std::vector<std::string> path = PathToday(**tree, organization);
  std::shared_ptr<AdmissionLedger> ledger =
      context_->projections().admissions();
  absl::StatusOr<v1::AdmissionRecord> record =
      ledger->GetRecord(request.name());
  if (!record.ok()) {
    // Whether it exists is only told to callers who may see it.
    if (absl::Status s =
            RequireWithinSubtree(call.principal, path, request.name());
        !s.ok()) {
      return s;
    }
    return record.status();
  }
  // The organisation's subtree today, or any organisation it counted at
  // (an organisation moved away keeps what it earned, and may audit it).
  std::vector<std::string> counted(record->counted_organizations().begin(),
                                   record->counted_organizations().end());
  if (!CoversPath(call.principal, path) &&
      !CoversPath(call.principal, counted)) {
    return RequireWithinSubtree(call.principal, path, request.name());
  }
  std::vector<v1::AdmissionRecord> one = {*std::move(record)};
  if (absl::Status s = FillTerms(*context_, *ledger, one); !s.ok()) return s;
  response = std::move(one.front());
  return absl::OkStatus();
}

absl::Status AchievementServiceImpl::DoListAdmissionRecords(
    const CallContext& call, const v1::ListAdmissionRecordsRequest& request,
    v1::ListAdmissionRecordsResponse& response) {
  absl::StatusOr<int> size = ResolvePageSize(request.page_size());
  if (!size.ok()) return size.status();
  absl::StatusOr<Filter> filter =
      Filter::Parse(request.filter(), *v1::AdmissionRecord::descriptor(),
                    {"kind", "applies_to.term", "applies_to.year", "categories",
                     "counted_on", "person", "event_id", "organization"});
  if (!filter.ok()) return filter.status();
  bool ascending = false, by_create_time = false;
  const std::string order_by = std::string(
      absl::StripAsciiWhitespace(absl::AsciiStrToLower(request.order_by())));
  if (order_by.empty() || order_by == "counted_on desc") {
    ascending = false;
  } else if (order_by == "counted_on" || order_by == "counted_on asc") {
    ascending = true;
  } else if (order_by == "create_stamp.time" ||
             order_by == "create_stamp.time asc") {
    by_create_time = true;
  } else {
    return InvalidField("order_by",
                        "must be \"counted_on desc\" (the default), "
                        "\"counted_on\" or \"create_stamp.time\"");
  }
  absl::StatusOr<std::string> cursor =
      DecodePageToken(request.page_token(), RequestFingerprint(request));
  if (!cursor.ok()) return cursor.status();

  absl::StatusOr<std::shared_ptr<const OrgTree>> tree =
      context_->projections().Tree();
  if (!tree.ok()) return tree.status();
  absl::StatusOr<std::vector<std::string>> path =
      AuthorizeOrganization(call, **tree, request.parent(), "parent");
  if (!path.ok()) return path.status();
  const bool here =
      request.match() == v1::ListAdmissionRecordsRequest::MATCH_ADMITTED_HERE;
  std::shared_ptr<AdmissionLedger> ledger =
      context_->projections().admissions();

  if (filter->empty() && !by_create_time) {
    absl::StatusOr<IdPage> page =
        ledger->ListRecords(request.parent(), here, ascending, *cursor, *size);
    if (!page.ok()) {
      if (absl::IsInvalidArgument(page.status())) {
        return InvalidField("page_token", "is not a token of this listing");
      }
      return page.status();
    }
    absl::StatusOr<std::vector<v1::AdmissionRecord>> records =
        ledger->GetRecords(page->ids);
    if (!records.ok()) return records.status();
    if (absl::Status s = FillTerms(*context_, *ledger, *records); !s.ok()) {
      return s;
    }
    for (auto& r : *records) *response.add_admission_records() = std::move(r);
    response.set_total_size(page->total_size);
    if (!page->next_cursor.empty()) {
      response.set_next_page_token(
          EncodePageToken(page->next_cursor, RequestFingerprint(request)));
    }
    return absl::OkStatus();
  }

  // Every record of the index, filtered (and ordered by creation).
  absl::StatusOr<std::vector<std::string>> names =
      ledger->AllRecordNames(request.parent(), here, ascending);
  if (!names.ok()) return names.status();
  std::vector<v1::AdmissionRecord> matching;
  for (size_t from = 0; from < names->size(); from += kReadBatch) {
    if (call.Cancelled()) return absl::CancelledError("cancelled");
    std::vector<std::string> batch(
        names->begin() + from,
        names->begin() + std::min(names->size(), from + kReadBatch));
    absl::StatusOr<std::vector<v1::AdmissionRecord>> records =
        ledger->GetRecords(batch);
    if (!records.ok()) return records.status();
    if (absl::Status s = FillTerms(*context_, *ledger, *records); !s.ok()) {
      return s;
    }
    for (auto& r : *records) {
      if (filter->Matches(r)) matching.push_back(std::move(r));
    }
  }
  if (by_create_time) {
    std::stable_sort(
        matching.begin(), matching.end(),
        [](const v1::AdmissionRecord& a, const v1::AdmissionRecord& b) {
          const auto& ta = a.create_stamp().time();
          const auto& tb = b.create_stamp().time();
          if (ta.seconds() != tb.seconds()) {
            return ta.seconds() < tb.seconds();
          }
          if (ta.nanos() != tb.nanos()) {
            return ta.nanos() < tb.nanos();
          }
          return a.name() < b.name();
        });
  }
  size_t first = 0;
  if (!cursor->empty()) {
    auto it = std::find_if(
        matching.begin(), matching.end(),
        [&](const v1::AdmissionRecord& r) { return r.name() == *cursor; });
    if (it == matching.end()) {
      return InvalidField("page_token", "is not a token of this listing");
    }
    first = static_cast<size_t>(it - matching.begin()) + 1;
  }
  const size_t last = std::min(matching.size(), first + *size);
  for (size_t i = first; i < last; ++i) {
    *response.add_admission_records() = std::move(matching[i]);
  }
  response.set_total_size(static_cast<int32_t>(matching.size()));
  if (last < matching.size()) {
    response.set_next_page_token(EncodePageToken(
        response.admission_records(response.admission_records_size() - 1)
            .name(),
        RequestFingerprint(request)));
  }
  return absl::OkStatus();
}

}  // namespace partydev::quota
