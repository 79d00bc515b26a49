// File: services/quota/progress_report.h
//
// The one computation of progress for a set of organisations, shared by
// every report of quotad: ComputeProgress and ExportProgress, the lagging
// list (FindLaggingOrganizations and lagging checkpoints) and the yearly
// results (AchievementService.ComputeYearResults).
//
// It authorises the caller on the report's root, resolves the period (term,
// optional year, as-of day, elapsed share), the rule set in force on the
// as-of day and the thresholds, expands the scope on the tree as it stood
// on the as-of day, then reads the effective targets and the counters of
// every organisation it needs in ONE call each (TargetStore::EffectiveTargets,
// AdmissionLedger::Counts): a report over 50,000 organisations makes a few
// Redis round trips, never one per row. Ranks are computed among all the
// siblings of each row (loaded too, whether or not the scope holds them).
//
//   ProgressQuery query;
//   query.root = request.name(); query.period = request.period(); ...
//   absl::StatusOr<ProgressResult> result =
//       ComputeProgressRows(context, call, query);
//   for (const ProgressEntry& e : result->rows) ... result->Row(e) ...

#ifndef PARTYDEV_SERVICES_QUOTA_PROGRESS_REPORT_H_
#define PARTYDEV_SERVICES_QUOTA_PROGRESS_REPORT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/org_tree.h"
#include "common/service_runtime.h"
#include "google/protobuf/timestamp.pb.h"
#include "partydev/common/v1/categories.pb.h"
#include "partydev/quota/v1/lagging.pb.h"
#include "partydev/quota/v1/progress.pb.h"
#include "partydev/quota/v1/rule_sets.pb.h"
#include "partydev/quota/v1/terms.pb.h"
#include "services/quota/admission_ledger.h"
#include "services/quota/domain/periods.h"
#include "services/quota/domain/progress.h"
#include "services/quota/quota_context.h"
#include "services/quota/target_store.h"

namespace partydev::quota {

// How rows are ranked.
enum class RankMode {
  // Among every organisation with the same parent on the as-of day
  // (ProgressRow.rank).
  kSiblings,
  // Among the report's rows (YearResultRow.rank).
  kRows,
  // Not ranked.
  kNone,
};

// What to compute. Field names are the request's, for error details.
struct ProgressQuery {
  // "organizations/{org}": the report's root (authorised: within the
  // caller's subtree).
  std::string root;
  std::string root_field = "name";
  // The term (required) and optional year.
  v1::ReportPeriod period;
  std::string period_field = "period";
  // Unset: today in Vietnam.
  common::v1::Date as_of;
  std::string as_of_field = "as_of";
  // Which organisations are rows (UNSPECIFIED is taken as
  // DIRECT_SUBORDINATES: callers resolve their own default first).
  v1::OrganizationScope scope = v1::ORGANIZATION_SCOPE_DIRECT_SUBORDINATES;
  // For GRASSROOTS_IN_SUBTREE and SELF: also a row for the root when it
  // qualifies (the lagging list evaluates the root itself then).
  bool root_may_be_row = false;
  // Categories to break down; empty: every category with a sub-target or
  // an admission among the root and the rows.
  std::vector<common::v1::Category> categories;
  std::string categories_field = "categories";
  // Threshold overrides (unset fields: the rule set's).
  v1::ProgressThresholds overrides;
  std::string thresholds_field = "thresholds";
  RankMode rank_mode = RankMode::kSiblings;
};

// The figures of one organisation.
struct ProgressEntry {
  std::string name;
  // Depth below the report's root (0 = the root).
  int depth = 0;
  EffectiveTarget target;
  // Its counters summed over the period up to as_of.
  CountSums sums;
  domain::ProgressFigures figures;
  int rank = 0;
  int ranked = 0;  // how many were ranked with it
};

// The computed report: the resolved period and every row, in path order
// (depth first, as the tree stood on as_of).
struct ProgressResult {
  v1::Term term;
  v1::ReportPeriod period;  // as resolved
  domain::PeriodSpan span;
  absl::CivilDay as_of;
  domain::PeriodClock clock;
  v1::ProgressThresholds thresholds;
  const v1::QuotaRuleSet* rule_set = nullptr;
  std::shared_ptr<const OrgTree> tree;
  // The categories of the breakdowns, by enum value.
  std::vector<common::v1::Category> categories;
  ProgressEntry root;
  std::vector<ProgressEntry> rows;
  bool has_data_through = false;
  google::protobuf::Timestamp data_through;
  google::protobuf::Timestamp compute_time;

  // The full row (OrganizationInfo with ancestors, categories).
  v1::ProgressRow Row(const ProgressEntry& entry) const;
  // A row whose organisation holds only what filters look at (name,
  // parent, level, grassroots, sector tags, depth): cheap for every row of
  // a large report.
  v1::ProgressRow FilterRow(const ProgressEntry& entry) const;
  // The progress of one category of the entry.
  v1::CategoryProgress CategoryOf(const ProgressEntry& entry,
                                  common::v1::Category category) const;
  // Fills the metadata of a ProgressReport (period, dates, share,
  // thresholds, rule set, freshness, compute time), not rows.
  void FillMetadata(v1::ProgressReport& report) const;
  // The organisation's sector tags on as_of include SECTOR_TAG_UNIVERSITY.
  bool IsUniversity(const std::string& name) const;
};

absl::StatusOr<ProgressResult> ComputeProgressRows(QuotaContext& context,
                                                   const CallContext& call,
                                                   const ProgressQuery& query);

// The lagging organisations among `result.rows` (those with a target):
// BELOW_THRESHOLD (status BELOW_HALF), STUDENTS_LOW (a college or
// university whose student sub-target is below the threshold, or, without
// one, whose students are a smaller share of its admissions than the rule
// set's university_min_student_share), BEHIND (only with
// `include_behind`). In path order; `evaluated` is set to the number of
// rows with a target.
std::vector<v1::LaggingOrganization> LaggingOf(const ProgressResult& result,
                                               bool include_behind,
                                               int* evaluated);

// The metadata of a lagging list computed from `result` (no rows).
void FillLaggingMetadata(const ProgressResult& result, v1::LaggingList& list);

// Parses "rate", "rate desc"... : the order_by value with its words
// separated by single spaces, lower-cased ("" stays "").
std::string NormalizeOrderBy(const std::string& order_by);

}  // namespace partydev::quota

#endif  // PARTYDEV_SERVICES_QUOTA_PROGRESS_REPORT_H_
