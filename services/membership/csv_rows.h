// File: services/membership/csv_rows.h
//
// What the CSV imports and exports of AdministrationService share (issue
// #4; the columns of each kind are documented in import_export.proto): how
// a value of a sheet is read (dates, enum values, the delimiter), how the
// first line becomes the column map, and how a refusal of the write a row
// became is reported as the row's problems (row, column, rule). No gRPC
// and no Redis: the import files (administration_service.cc,
// csv_import_dues.cc) read and write through the services' own functions.

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_CSV_ROWS_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_CSV_ROWS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/csv.h"
#include "google/protobuf/descriptor.h"
#include "partydev/common/v1/types.pb.h"
#include "partydev/membership/v1/import_export.pb.h"

namespace partydev::membership {

// Rows of an import checked for cancellation together, and counted as one
// write batch in the report.
inline constexpr int kImportBatchRows = 100;

// DEADLINE_EXCEEDED for an import that stopped at `line` (cancelled or past
// its deadline): the rows before it are written and re-importing the file
// resumes it (a row already written is unchanged).
absl::Status ImportStoppedAt(int64_t line);

// "," (the default, also for "") or ";" (what spreadsheets with a
// Vietnamese locale write); INVALID_ARGUMENT on `field` otherwise.
absl::StatusOr<char> CsvDelimiterOf(const std::string& delimiter,
                                    absl::string_view field);

// "YYYY-MM-DD" or "DD/MM/YYYY" (how Vietnamese sheets write dates);
// nullopt for anything else or a day that does not exist.
std::optional<common::v1::Date> ParseCsvDate(absl::string_view text);
// "YYYY-MM-DD"; "" for an unset date.
std::string CsvDate(const common::v1::Date& date);
// "YYYY-MM" (a dues month, a report month).
std::string CsvMonth(int year, int month);

// An enum value written without its prefix ("STUDENT") or with it
// ("CATEGORY_STUDENT"), any case; nullopt for an unknown name or the
// UNSPECIFIED value.
std::optional<int> ParseCsvEnum(const google::protobuf::EnumDescriptor* type,
                                absl::string_view prefix,
                                absl::string_view text);
// The value's name without its prefix; "" for 0.
std::string CsvEnum(const google::protobuf::EnumDescriptor* type,
                    absl::string_view prefix, int number);
// Every value but UNSPECIFIED, without prefix: "SOURCED | PROBATION | ...".
std::string CsvEnumNames(const google::protobuf::EnumDescriptor* type,
                         absl::string_view prefix);

// Whether `id` has the shape of a citizen identity number (12 digits):
// only such a number is looked up.
bool IsCitizenIdShape(const std::string& id);

// "cb-khoa-toan" or "organizations/cb-khoa-toan" → the resource name.
std::string OrganizationResourceName(absl::string_view text);

// A file name without diacritics or spaces, for the browser's download:
// "Đảng bộ tỉnh Lâm Đồng" -> "dang-bo-tinh-lam-dong" (the letters folded
// as search folds them, not dropped).
std::string FileSlug(absl::string_view text);

// The first line of a file of `kind_name` ("IMPORT_KIND_PEOPLE") as the
// map column → position. INVALID_ARGUMENT on "chunk" naming every column
// that is not in `known`, appears twice, or of `required` is missing: the
// file is refused before any row is read (import_export.proto).
absl::StatusOr<std::map<std::string, int>> CsvColumnsOf(
    const std::vector<std::string>& first_line,
    const std::vector<std::string>& known,
    const std::vector<std::string>& required, absl::string_view kind_name);

// One row of a file as an import sees it.
class CsvRow {
 public:
  CsvRow(const std::map<std::string, int>& columns,
         const std::vector<std::string>& fields)
      : columns_(columns), fields_(fields) {}

  // The trimmed value of `column`; "" when the file lacks the column.
  std::string Get(const std::string& column) const;

 private:
  const std::map<std::string, int>& columns_;
  const std::vector<std::string>& fields_;
};

// Adds a problem to a rejected row. `description` never quotes a value of
// a Sensitive column.
void AddRowProblem(v1::RejectedRow& rejected, absl::string_view column,
                   absl::string_view rule_id, absl::string_view description);

// What became of one data row of an import.
enum class ImportedRow {
  kRejected,   // refused: its problems are in the RejectedRow
  kUnchanged,  // the store already holds what it says (a re-import)
  kWritten,    // created (in a dry run: would be)
};

// Decides one data row of an import: `row` reads its fields by column,
// `rejected` (line and label set) takes its problems. An error (Redis
// away) stops the import; the client imports the file again.
using ImportRowHandler = std::function<absl::StatusOr<ImportedRow>(
    const csv::Record& record, const CsvRow& row, v1::RejectedRow& rejected)>;

// The loop every import runs: `handle` on each data row of `records`
// (records[0] is the header), keeping the report: rows read, created,
// unchanged and rejected (each rejected row filed with its line and
// problems), and the batches of kImportBatchRows rows that wrote something
// (none in a dry run, `validate_only`). A row without as many fields as the
// header is rejected before `handle`. Between batches, `cancelled()` true
// stops the import at that line (ImportStoppedAt).
absl::Status ForEachImportRow(const std::vector<csv::Record>& records,
                              const std::map<std::string, int>& columns,
                              bool validate_only,
                              const std::function<bool()>& cancelled,
                              v1::ImportCsvReport& report,
                              const ImportRowHandler& handle);

// Whether `record` has a value for each of the `columns` of the first
// line; adds the problem (csv.field_count) to `rejected` when not.
bool HasEveryField(const csv::Record& record, size_t columns,
                   v1::RejectedRow& rejected);

// How the refusal of a row's write names the row's columns.
struct RefusalColumns {
  // The column of a request field path ("dues_payment.paid_on") when
  // `rule` is empty, else of a rule violation (`field` is then its
  // subject).
  std::function<std::string(absl::string_view field, absl::string_view rule)>
      column_of;
  // The rule id of a field violation is this prefix, the column and
  // "_required" or "_format" ("person.citizen_id_format").
  std::string field_rule_prefix;
  // The column and rule of an ALREADY_EXISTS without details.
  std::string exists_column;
  std::string exists_rule;
  // The column of a PERMISSION_DENIED without details (the row's
  // organisation, or its person).
  std::string denied_column;
};

// Adds the refusal `status` of the write a row became (RegisterPerson,
// CreateDuesPayment...) to `rejected` as its problems; false when the
// refusal is not about the row (Redis down, cancelled...): the import then
// stops with it.
bool RowProblemsOf(const absl::Status& status, const RefusalColumns& columns,
                   v1::RejectedRow& rejected);

}  // namespace partydev::membership

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_CSV_ROWS_H_
