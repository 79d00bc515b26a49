// File: services/membership/csv_exports.h
//
// The kinds of AdministrationService.ExportCsv that are lists and reports
// of a cell's life (the roll and the tree are exported by
// administration_service.cc). Each pages through the CellLifeService
// method answering the same question, with its access checks (a caller
// outside the subtree is refused PERMISSION_DENIED there), so the file
// says exactly what the screen says. Reports always cover the whole
// subtree of the organisation; `year` 0 is the current year.
//
// Columns, in order:
//   EXPORT_KIND_MEETING_LIFE (ReportMeetingLife: one row per cell, then the
//     subtree's total): organization, display_name, regular_expected,
//     regular_held, months_not_held (YYYY-MM, space-separated),
//     thematic_expected, thematic_held, thematic_share_percent,
//     held_without_quorum, attendance_rate_percent, attended_by_superiors,
//     superior_officials, warnings_reminder, warnings_follow_up,
//     warnings_removal_proposal, dues_expected_vnd, dues_collected_vnd,
//     dues_remitted_vnd.
//   EXPORT_KIND_DUES_PAYMENTS (ListDuesPayments of "people/-", the year's
//     months; `filter` as there): the import columns person_id,
//     citizen_id (Sensitive: empty unless include_sensitive), month,
//     amount_paid_vnd (empty when the caller may not see it: a salary
//     reveals the income), paid_on, note; the file re-imports unchanged.
//   EXPORT_KIND_DUES_COLLECTIONS (ListDuesCollections of the subtree, the
//     year; `filter` as there): organization, month, members_due,
//     members_paid, expected_vnd, collected_vnd, unpaid_members (person
//     ids, ";"), state, amount_remitted_vnd, amount_retained_vnd,
//     remitted_on, to_organization, receipt_number.
//   EXPORT_KIND_ATTENDANCE_RATES (ListMemberAttendanceRates, lowest rate
//     first; `month` 0 = the whole year): person_id, full_name,
//     organization, expected, present, excused, absent, rate_percent,
//     absent_months (YYYY-MM, space-separated).
//   EXPORT_KIND_EARLY_WARNINGS (ListEarlyWarnings of "people/-", the year;
//     `filter` as there): warning_id, person_id, organization, year, level,
//     cause, additional_causes (";"), months (YYYY-MM, space-separated),
//     state, resolution, follow_ups (how many), raised_at (RFC 3339),
//     rule_set.
//   EXPORT_KIND_PEOPLE_COUNTS (CountPeople of the subtree on `as_of`,
//     default today, per direct child, then the organisation's total):
//     organization, display_name, members, official_members,
//     probationary_members, candidates, exempt_members,
//     hosted_temporary_members.
//   EXPORT_KIND_MEMBER_CLASSIFICATIONS (ListMemberClassifications of
//     "people/-", the year; `filter` as there): person_id, organization,
//     year, classified (true/false), not_classified_reason, score,
//     all_tasks_completed, computed_level, level, state, decision_number,
//     decision_date, rule_set.

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_CSV_EXPORTS_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_CSV_EXPORTS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/service_runtime.h"
#include "partydev/membership/v1/import_export.pb.h"
#include "services/membership/membership_context.h"

namespace partydev::membership {

using CsvRows = std::vector<std::vector<std::string>>;

// The rows of an export, read a page at a time so that a large subtree
// never sits in memory whole.
class CsvRowSource {
 public:
  virtual ~CsvRowSource() = default;
  // Appends the next page's rows to `rows`; false once the last page has
  // been read (the rows of that call included).
  virtual absl::StatusOr<bool> Next(CsvRows& rows) = 0;
};

// An export started: its first line and where its rows come from.
struct CsvListExport {
  std::vector<std::string> columns;
  // The file name's first word ("dang-phi"); the service adds the
  // organisation and the period.
  std::string file_word;
  std::unique_ptr<CsvRowSource> source;
};

// Whether `kind` is exported by StartCsvListExport.
bool IsCsvListExport(v1::ExportKind kind);

// Starts the export `request` of a kind IsCsvListExport holds, for `call`
// (`request.include_sensitive` already authorised by the service).
// INVALID_ARGUMENT for a `filter` on a kind whose list has none.
absl::StatusOr<CsvListExport> StartCsvListExport(
    std::shared_ptr<MembershipContext> context, const CallContext& call,
    const v1::ExportCsvRequest& request);

}  // namespace partydev::membership

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_CSV_EXPORTS_H_
