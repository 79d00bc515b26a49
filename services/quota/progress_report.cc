#include "services/quota/progress_report.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/change.h"
#include "common/dates.h"
#include "common/errors.h"
#include "services/quota/quota_access.h"

namespace partydev::quota {
namespace {

bool HasUniversityTag(const events::v1::OrganizationSnapshot& shape) {
  for (int tag : shape.sector_tags()) {
    if (tag == common::v1::SECTOR_TAG_UNIVERSITY) return true;
  }
  return false;
}

int CategoryTarget(const EffectiveTarget& target,
                   common::v1::Category category) {
  if (!target.has_target()) return 0;
  for (const auto& c : target.figures.categories()) {
    if (c.category() == category) return c.count();
  }
  return 0;
}

bool HasCategoryTarget(const EffectiveTarget& target,
                       common::v1::Category category) {
  if (!target.has_target()) return false;
  for (const auto& c : target.figures.categories()) {
    if (c.category() == category && c.count() > 0) return true;
  }
  return false;
}

int CategoryCounted(const CountSums& sums, common::v1::Category category) {
  auto it = sums.categories.find(category);
  return it == sums.categories.end() ? 0 : it->second.counted;
}

}  // namespace

std::string NormalizeOrderBy(const std::string& order_by) {
  std::vector<std::string> words =
      absl::StrSplit(order_by, ' ', absl::SkipWhitespace());
  for (auto& w : words) w = absl::AsciiStrToLower(w);
  return absl::StrJoin(words, " ");
}

absl::StatusOr<ProgressResult> ComputeProgressRows(QuotaContext& context,
                                                   const CallContext& call,
                                                   const ProgressQuery& query) {
  ProgressResult result;
  const absl::Time t_start = absl::Now();
  absl::StatusOr<std::shared_ptr<const OrgTree>> tree =
      context.projections().Tree();
  if (!tree.ok()) return tree.status();
  result.tree = *std::move(tree);
  const OrgTree& t = *result.tree;
  if (absl::StatusOr<std::vector<std::string>> path =
          AuthorizeOrganization(call, t, query.root, query.root_field);
      !path.ok()) {
    return path.status();
  }

  // The request's own fields, every bad one at once.
  // An empty period_field: the request has `term` and `year` fields of
  // its own.
  const std::string term_field =
      query.period_field.empty() ? "term" : query.period_field + ".term";
  const std::string year_field =
      query.period_field.empty() ? "year" : query.period_field + ".year";
  FieldChecker check;
  if (query.period.term().empty()) {
    check.Add(term_field, "is required (\"terms/{term}\")");
  }
  if (!IsUnset(query.as_of)) CheckDate(query.as_of, query.as_of_field, check);
  for (size_t i = 0; i < query.categories.size(); ++i) {
    if (query.categories[i] == common::v1::CATEGORY_UNSPECIFIED ||
        !common::v1::Category_IsValid(query.categories[i])) {
      check.Add(absl::StrCat(query.categories_field, "[", i, "]"),
                "is not a category");
    }
  }
  if (query.period.year() < 0) {
    check.Add(year_field, "must be 0 or a calendar year");
  }
  if (!check.ok()) return check.status();
  result.as_of =
      IsUnset(query.as_of) ? CivilDayOf(Today()) : CivilDayOf(query.as_of);

  absl::StatusOr<Stored<v1::Term>> term =
      context.targets().GetTerm(query.period.term());
  if (!term.ok()) return term.status();
  result.term = std::move(term->message);
  absl::StatusOr<domain::PeriodSpan> span =
      domain::SpanOf(result.term, query.period.year(), year_field);
  if (!span.ok()) return span.status();
  result.span = *span;
  result.period.set_term(result.term.name().empty() ? query.period.term()
                                                    : result.term.name());
  result.period.set_year(query.period.year());
  result.clock = domain::ClockOf(result.span, result.as_of);

  absl::StatusOr<const v1::QuotaRuleSet*> rule_set =
      context.rules().ForDay(result.as_of);
  if (!rule_set.ok()) return rule_set.status();
  result.rule_set = *rule_set;
  absl::StatusOr<v1::ProgressThresholds> thresholds = domain::MergeThresholds(
      result.rule_set->progress(), query.overrides, query.thresholds_field);
  if (!thresholds.ok()) return thresholds.status();
  result.thresholds = *std::move(thresholds);

  const absl::Time t_rows = absl::Now();
  // The rows, in path order, with their depth below the root.
  const absl::CivilDay day = result.as_of;
  const events::v1::OrganizationSnapshot* root_shape = t.On(query.root, day);
  const bool root_exists = root_shape != nullptr;
  // A row: its name, depth below the root and shape on the day (owned by
  // the tree snapshot).
  struct RowRef {
    std::string name;
    int depth;
    const events::v1::OrganizationSnapshot* shape;
  };
  std::vector<RowRef> rows;
  if (root_exists) {
    switch (query.scope) {
      case v1::ORGANIZATION_SCOPE_SELF:
        if (query.root_may_be_row) rows.push_back({query.root, 0, root_shape});
        break;
      case v1::ORGANIZATION_SCOPE_SUBTREE:
      case v1::ORGANIZATION_SCOPE_GRASSROOTS_IN_SUBTREE: {
        const bool grassroots_only =
            query.scope == v1::ORGANIZATION_SCOPE_GRASSROOTS_IN_SUBTREE;
        const std::vector<std::string> subtree = t.SubtreeOn(query.root, day);
        rows.reserve(subtree.size());
        // Keys view the names of `subtree`, which outlives the map.
        absl::flat_hash_map<absl::string_view, int> depth;
        depth.reserve(subtree.size());
        for (const std::string& name : subtree) {
          const events::v1::OrganizationSnapshot* shape = t.On(name, day);
          if (shape == nullptr) continue;
          int d = 0;
          if (name != query.root) {
            auto it = depth.find(shape->parent());
            d = it == depth.end() ? 1 : it->second + 1;
          }
          depth.emplace(name, d);
          if (grassroots_only) {
            if (!IsGrassroots(*shape)) continue;
            if (d == 0 && !query.root_may_be_row) continue;
          } else if (d == 0) {
            continue;
          }
          rows.push_back({name, d, shape});
        }
        break;
      }
      case v1::ORGANIZATION_SCOPE_DIRECT_SUBORDINATES:
      default:
        for (std::string& name : t.ChildrenOn(query.root, day)) {
          const events::v1::OrganizationSnapshot* shape = t.On(name, day);
          rows.push_back({std::move(name), 1, shape});
        }
        break;
    }
  }

  // Everything to load: the root, the rows and, to rank them, every sibling
  // of each (the children of their parents on the day).
  std::vector<std::string> load;
  load.reserve(rows.size() + 1);
  absl::flat_hash_map<std::string, size_t> index;
  index.reserve(rows.size() + 1);
  auto add = [&](const std::string& name) {
    if (index.emplace(name, load.size()).second) load.push_back(name);
  };
  add(query.root);
  for (const RowRef& row : rows) add(row.name);
  // The sibling groups to rank: each parent's children on the day.
  std::vector<std::vector<std::string>> groups;
  if (query.rank_mode == RankMode::kSiblings && root_exists) {
    absl::flat_hash_set<absl::string_view> seen_parent;  // views the tree
    auto group_of = [&](const events::v1::OrganizationSnapshot* shape) {
      if (shape == nullptr || shape->parent().empty()) return;
      if (!seen_parent.insert(shape->parent()).second) return;
      std::vector<std::string> children = t.ChildrenOn(shape->parent(), day);
      for (const auto& c : children) add(c);
      groups.push_back(std::move(children));
    };
    group_of(root_shape);
    if (query.scope == v1::ORGANIZATION_SCOPE_SUBTREE ||
        query.scope == v1::ORGANIZATION_SCOPE_DIRECT_SUBORDINATES) {
      // Every child of a row's parent is a row too (the root's parent
      // aside): group the rows by parent without asking the tree again.
      absl::flat_hash_map<absl::string_view, size_t> group_of_parent;
      for (const RowRef& row : rows) {
        if (row.shape == nullptr || row.depth == 0) continue;
        auto [it, inserted] =
            group_of_parent.emplace(row.shape->parent(), groups.size());
        if (inserted) groups.emplace_back();
        groups[it->second].push_back(row.name);
      }
    } else {
      for (const RowRef& row : rows) group_of(row.shape);
    }
  }

  const absl::Time t_targets = absl::Now();
  absl::StatusOr<absl::flat_hash_map<std::string, EffectiveTarget>> targets =
      context.targets().EffectiveTargets(
          load, result.term, query.period.year(), day, t,
          result.rule_set->targets().precedence());
  if (!targets.ok()) return targets.status();
  const absl::Time t_counts = absl::Now();
  absl::StatusOr<std::vector<OrganizationCounts>> counts =
      context.projections().admissions()->Counts(load);
  const absl::Time t_compute = absl::Now();
  if (!counts.ok()) return counts.status();
  if (counts->size() != load.size()) {
    return absl::InternalError(
        "the admissions projection answered " + std::to_string(counts->size()) +
        " counters for " + std::to_string(load.size()) + " organisations");
  }

  const absl::CivilDay count_to = std::min(day, result.span.end);
  std::vector<ProgressEntry> entries(load.size());
  for (size_t i = 0; i < load.size(); ++i) {
    ProgressEntry& e = entries[i];
    e.name = load[i];
    if (auto it = targets->find(load[i]); it != targets->end()) {
      e.target = std::move(it->second);
    }
    if (count_to >= result.span.start) {
      e.sums = (*counts)[i].Sum(result.span.start, count_to);
    }
    e.figures = domain::ComputeProgressFigures(
        e.target.has_target() ? e.target.figures.total() : 0, e.sums.counted,
        result.clock, result.thresholds);
  }
  for (const std::vector<std::string>& children : groups) {
    std::vector<domain::RankEntry> rank_entries;
    rank_entries.reserve(children.size());
    int ranked = 0;
    for (const auto& c : children) {
      const ProgressEntry& e = entries[index.find(c)->second];
      const bool has = e.target.has_target();
      ranked += has ? 1 : 0;
      rank_entries.push_back({has, e.figures.rate, e.figures.admitted});
    }
    std::vector<int> ranks = domain::RankSiblings(rank_entries);
    for (size_t k = 0; k < children.size(); ++k) {
      ProgressEntry& e = entries[index.find(children[k])->second];
      e.rank = ranks[k];
      e.ranked = ranks[k] > 0 ? ranked : 0;
    }
  }

  result.root = entries[0];
  result.root.depth = 0;
  result.rows.reserve(rows.size());
  for (const RowRef& row : rows) {
    ProgressEntry& e = entries[index.find(row.name)->second];
    if (row.name == query.root) {
      result.rows.push_back(e);  // the root's entry stays for result.root
    } else {
      result.rows.push_back(std::move(e));
    }
    result.rows.back().depth = row.depth;
  }
  if (query.rank_mode == RankMode::kRows) {
    std::vector<domain::RankEntry> rank_entries;
    int ranked = 0;
    for (const auto& e : result.rows) {
      const bool has = e.target.has_target();
      ranked += has ? 1 : 0;
      rank_entries.push_back({has, e.figures.rate, e.figures.admitted});
    }
    std::vector<int> ranks = domain::RankSiblings(rank_entries);
    for (size_t k = 0; k < result.rows.size(); ++k) {
      result.rows[k].rank = ranks[k];
      result.rows[k].ranked = ranks[k] > 0 ? ranked : 0;
    }
  }

  // The categories of the breakdowns.
  if (!query.categories.empty()) {
    std::set<common::v1::Category> asked(query.categories.begin(),
                                         query.categories.end());
    result.categories.assign(asked.begin(), asked.end());
  } else {
    std::set<common::v1::Category> seen;
    auto collect = [&](const ProgressEntry& e) {
      if (e.target.has_target()) {
        for (const auto& c : e.target.figures.categories()) {
          if (c.count() > 0) seen.insert(c.category());
        }
      }
      for (const auto& [category, sums] : e.sums.categories) {
        if (category != common::v1::CATEGORY_UNSPECIFIED &&
            (sums.admitted != 0 || sums.counted != 0)) {
          seen.insert(category);
        }
      }
    };
    collect(result.root);
    for (const auto& e : result.rows) collect(e);
    result.categories.assign(seen.begin(), seen.end());
  }

  absl::StatusOr<google::protobuf::Timestamp> through =
      context.projections().AdmissionsThrough();
  if (through.ok()) {
    result.has_data_through = true;
    result.data_through = *through;
  }
  result.compute_time = NowTimestamp();
  context.runtime().logger().Debug(
      "progress_computed",
      {{"root", query.root},
       {"rows", result.rows.size()},
       {"loaded", load.size()},
       {"resolve_ms", absl::ToDoubleMilliseconds(t_rows - t_start)},
       {"scope_ms", absl::ToDoubleMilliseconds(t_targets - t_rows)},
       {"targets_ms", absl::ToDoubleMilliseconds(t_counts - t_targets)},
       {"counts_ms", absl::ToDoubleMilliseconds(t_compute - t_counts)},
       {"compute_ms", absl::ToDoubleMilliseconds(absl::Now() - t_compute)}});
  return result;
}

v1::CategoryProgress ProgressResult::CategoryOf(
    const ProgressEntry& entry, common::v1::Category category) const {
  v1::CategoryProgress out;
  out.set_category(category);
  const int target = CategoryTarget(entry.target, category);
  const int admitted = CategoryCounted(entry.sums, category);
  domain::ProgressFigures f =
      domain::ComputeProgressFigures(target, admitted, clock, thresholds);
  out.set_target(f.target);
  out.set_admitted(f.admitted);
  out.set_rate(f.rate);
  out.set_remaining(f.remaining);
  out.set_expected_by_now(f.expected_by_now);
  out.set_status(f.status);
  return out;
}

namespace {

void FillFigures(const ProgressEntry& e, v1::ProgressRow& row) {
  const domain::ProgressFigures& f = e.figures;
  row.set_target(f.target);
  row.set_target_source(e.target.has_target() ? e.target.source
                                              : v1::TARGET_SOURCE_NONE);
  row.set_admitted(f.admitted);
  row.set_removed_from_probation(e.sums.removed);
  row.set_rate(f.rate);
  row.set_remaining(f.remaining);
  row.set_expected_by_now(f.expected_by_now);
  row.set_gap_to_expected(f.gap_to_expected);
  row.set_forecast(f.forecast);
  row.set_forecast_rate(f.forecast_rate);
  row.set_required_per_month(f.required_per_month);
  row.set_status(f.status);
  row.set_rank(e.rank);
  row.set_ranked_siblings(e.ranked);
}

}  // namespace

v1::ProgressRow ProgressResult::Row(const ProgressEntry& entry) const {
  v1::ProgressRow row;
  *row.mutable_organization() = InfoOf(*tree, entry.name, as_of, entry.depth);
  FillFigures(entry, row);
  for (common::v1::Category c : categories) {
    *row.add_categories() = CategoryOf(entry, c);
  }
  return row;
}

v1::ProgressRow ProgressResult::FilterRow(const ProgressEntry& entry) const {
  v1::ProgressRow row;
  v1::OrganizationInfo& info = *row.mutable_organization();
  info.set_name(entry.name);
  info.set_relative_depth(entry.depth);
  const events::v1::OrganizationSnapshot* shape = tree->On(entry.name, as_of);
  if (shape == nullptr) shape = tree->Latest(entry.name);
  if (shape != nullptr) {
    info.set_display_name(shape->display_name());
    info.set_parent(shape->parent());
    info.set_level(shape->level());
    info.set_grassroots(IsGrassroots(*shape));
    for (int tag : shape->sector_tags()) {
      info.add_sector_tags(static_cast<common::v1::SectorTag>(tag));
    }
  }
  FillFigures(entry, row);
  return row;
}

bool ProgressResult::IsUniversity(const std::string& name) const {
  const events::v1::OrganizationSnapshot* shape = tree->On(name, as_of);
  if (shape == nullptr) shape = tree->Latest(name);
  return shape != nullptr && HasUniversityTag(*shape);
}

void ProgressResult::FillMetadata(v1::ProgressReport& report) const {
  *report.mutable_period() = period;
  report.set_term_display_name(term.display_name());
  *report.mutable_period_start() = FromCivilDay(span.start);
  *report.mutable_period_end() = FromCivilDay(span.end);
  *report.mutable_as_of() = FromCivilDay(as_of);
  report.set_elapsed_share(clock.elapsed_share);
  *report.mutable_thresholds() = thresholds;
  if (rule_set != nullptr) report.set_rule_set(rule_set->name());
  if (has_data_through) *report.mutable_data_through() = data_through;
  *report.mutable_compute_time() = compute_time;
}

std::vector<v1::LaggingOrganization> LaggingOf(const ProgressResult& result,
                                               bool include_behind,
                                               int* evaluated) {
  std::vector<v1::LaggingOrganization> out;
  int count = 0;
  const double min_student_share =
      result.rule_set != nullptr
          ? result.rule_set->lagging().university_min_student_share()
          : 0;
  for (const ProgressEntry& e : result.rows) {
    if (!e.target.has_target()) continue;
    ++count;
    const domain::ProgressFigures& f = e.figures;
    const bool university = result.IsUniversity(e.name);
    const bool student_target =
        HasCategoryTarget(e.target, common::v1::CATEGORY_STUDENT);
    v1::CategoryProgress students;
    if (university || student_target) {
      students = result.CategoryOf(e, common::v1::CATEGORY_STUDENT);
    }
    const int students_admitted =
        CategoryCounted(e.sums, common::v1::CATEGORY_STUDENT);
    const double student_share =
        f.admitted > 0 ? static_cast<double>(students_admitted) / f.admitted
                       : 0;
    std::vector<v1::LaggingReason> reasons;
    if (f.status == v1::PROGRESS_STATUS_BELOW_HALF) {
      reasons.push_back(v1::LAGGING_REASON_BELOW_THRESHOLD);
    }
    if (university) {
      bool low = false;
      if (student_target) {
        low = students.status() == v1::PROGRESS_STATUS_BELOW_HALF;
      } else if (min_student_share > 0 && f.admitted > 0) {
        low = student_share < min_student_share;
      }
      if (low) reasons.push_back(v1::LAGGING_REASON_STUDENTS_LOW);
    }
    if (include_behind && f.status == v1::PROGRESS_STATUS_BEHIND) {
      reasons.push_back(v1::LAGGING_REASON_BEHIND);
    }
    if (reasons.empty()) continue;
    v1::LaggingOrganization& o = out.emplace_back();
    *o.mutable_organization() =
        InfoOf(*result.tree, e.name, result.as_of, e.depth);
    for (auto r : reasons) o.add_reasons(r);
    o.set_target(f.target);
    o.set_target_source(e.target.source);
    o.set_admitted(f.admitted);
    o.set_rate(f.rate);
    o.set_remaining(f.remaining);
    o.set_expected_by_now(f.expected_by_now);
    o.set_forecast(f.forecast);
    o.set_required_per_month(f.required_per_month);
    o.set_status(f.status);
    o.set_rank(e.rank);
    o.set_ranked_siblings(e.ranked);
    o.set_college_or_university(university);
    if (university || student_target) *o.mutable_students() = students;
    o.set_student_share(student_share);
  }
  if (evaluated != nullptr) *evaluated = count;
  return out;
}

void FillLaggingMetadata(const ProgressResult& result, v1::LaggingList& list) {
  *list.mutable_root() =
      InfoOf(*result.tree, result.root.name, result.as_of, 0);
  *list.mutable_period() = result.period;
  list.set_term_display_name(result.term.display_name());
  *list.mutable_period_start() = FromCivilDay(result.span.start);
  *list.mutable_period_end() = FromCivilDay(result.span.end);
  *list.mutable_as_of() = FromCivilDay(result.as_of);
  list.set_elapsed_share(result.clock.elapsed_share);
  *list.mutable_thresholds() = result.thresholds;
  if (result.rule_set != nullptr) {
    list.set_university_min_student_share(
        result.rule_set->lagging().university_min_student_share());
    list.set_rule_set(result.rule_set->name());
  }
  if (result.has_data_through) {
    *list.mutable_data_through() = result.data_through;
  }
  *list.mutable_compute_time() = result.compute_time;
}

}  // namespace partydev::quota
