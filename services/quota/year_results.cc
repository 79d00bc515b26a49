#include "services/quota/year_results.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/change.h"
#include "common/dates.h"
#include "common/errors.h"
#include "common/paging.h"
#include "services/quota/domain/periods.h"
#include "services/quota/progress_report.h"

namespace partydev::quota {
namespace {

// The term whose span holds most of `year` ("" when none overlaps it).
absl::StatusOr<std::string> TermOfYear(QuotaContext& context, int year) {
  absl::StatusOr<std::vector<v1::Term>> terms = context.targets().Terms();
  if (!terms.ok()) return terms.status();
  const absl::CivilDay first(year, 1, 1);
  const absl::CivilDay last(year, 12, 31);
  std::string best;
  int64_t best_days = 0;
  for (const v1::Term& term : *terms) {
    const absl::CivilDay start = std::max(first, CivilDayOf(term.start_date()));
    const absl::CivilDay end = std::min(last, CivilDayOf(term.end_date()));
    const int64_t days = end >= start ? (end - start) + 1 : 0;
    if (days > best_days) {
      best_days = days;
      best = term.name();
    }
  }
  return best;
}

}  // namespace

absl::Status ComputeYearResults(QuotaContext& context, const CallContext& call,
                                const v1::ComputeYearResultsRequest& request,
                                v1::YearResults* response) {
  FieldChecker check;
  if (request.year() < 1900 || request.year() > 9999) {
    check.Add("year", "is required (a calendar year)");
  }
  if (request.commend_top() < 0) check.Add("commend_top", "must be >= 0");
  if (request.correct_bottom() < 0) {
    check.Add("correct_bottom", "must be >= 0");
  }
  if (!check.ok()) return check.status();
  absl::StatusOr<OffsetPage> page =
      OffsetPage::Of(request, request.page_size(), request.page_token());
  if (!page.ok()) return page.status();

  ProgressQuery query;
  query.root = request.name();
  query.period_field = "";  // the request's `term` and `year`
  query.period.set_year(request.year());
  if (!request.term().empty()) {
    query.period.set_term(request.term());
  } else {
    absl::StatusOr<std::string> term = TermOfYear(context, request.year());
    if (!term.ok()) return term.status();
    if (term->empty()) {
      return InvalidField("year", absl::StrCat("the year ", request.year(),
                                               " overlaps no term"));
    }
    query.period.set_term(*term);
  }
  if (IsUnset(request.as_of())) {
    query.as_of = FromCivilDay(
        std::min(absl::CivilDay(request.year(), 12, 31), CivilDayOf(Today())));
  } else {
    query.as_of = request.as_of();
  }
  query.scope = request.scope() == v1::ORGANIZATION_SCOPE_UNSPECIFIED
                    ? v1::ORGANIZATION_SCOPE_DIRECT_SUBORDINATES
                    : request.scope();
  for (int c : request.categories()) {
    query.categories.push_back(static_cast<common::v1::Category>(c));
  }
  query.rank_mode = RankMode::kRows;
  absl::StatusOr<ProgressResult> result =
      ComputeProgressRows(context, call, query);
  if (!result.ok()) return result.status();

  const double min_rate =
      result->rule_set->classification().min_completion_rate();
  // How many ranked rows share each rank.
  std::map<int, int> tied;
  for (const ProgressEntry& e : result->rows) {
    if (e.rank > 0) ++tied[e.rank];
  }
  // Ranked rows by rank (path order within a rank), then the others.
  std::vector<size_t> order(result->rows.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const int ra = result->rows[a].rank == 0 ? INT32_MAX : result->rows[a].rank;
    const int rb = result->rows[b].rank == 0 ? INT32_MAX : result->rows[b].rank;
    return ra < rb;
  });

  page->Fill(order.size(), *response, [&](int i) {
    const ProgressEntry& e = result->rows[order[i]];
    const domain::ProgressFigures& f = e.figures;
    v1::YearResultRow* row = response->add_rows();
    const v1::ProgressRow progress = result->Row(e);
    *row->mutable_organization() = progress.organization();
    row->set_target(f.target);
    row->set_target_source(progress.target_source());
    row->set_admitted(f.admitted);
    row->set_removed_from_probation(e.sums.removed);
    row->set_rate(f.rate);
    row->set_status(f.status);
    row->set_rank(e.rank);
    row->set_ranked_count(e.ranked);
    row->set_below_completion_threshold(e.target.has_target() &&
                                        f.rate < min_rate);
    v1::Recognition recognition = v1::RECOGNITION_NONE;
    if (e.rank > 0) {
      // Ties at a boundary are flagged together.
      const int better = e.rank - 1;
      const int worse = e.ranked - better - tied[e.rank];
      if (request.commend_top() > 0 && better < request.commend_top()) {
        recognition = v1::RECOGNITION_COMMEND;
      } else if (request.correct_bottom() > 0 &&
                 worse < request.correct_bottom()) {
        recognition = v1::RECOGNITION_CORRECT;
      }
    }
    row->set_recognition(recognition);
    for (const auto& c : progress.categories()) *row->add_categories() = c;
  });
  response->set_year(request.year());
  response->set_term(result->period.term());
  *response->mutable_as_of() = FromCivilDay(result->as_of);
  response->set_min_completion_rate(min_rate);
  response->set_rule_set(result->rule_set->name());
  if (result->has_data_through) {
    *response->mutable_data_through() = result->data_through;
  }
  return absl::OkStatus();
}

}  // namespace partydev::quota
