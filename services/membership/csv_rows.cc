#include "services/membership/csv_rows.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/dates.h"
#include "common/errors.h"
#include "services/membership/domain/names.h"

namespace partydev::membership {

using common::v1::Date;

absl::Status ImportStoppedAt(int64_t line) {
  return absl::DeadlineExceededError(
      absl::StrCat("the import stopped at line ", line,
                   " (cancelled or past the deadline); the rows before it are "
                   "imported and re-importing the file resumes it"));
}

absl::StatusOr<char> CsvDelimiterOf(const std::string& delimiter,
                                    absl::string_view field) {
  if (delimiter.empty() || delimiter == ",") return ',';
  if (delimiter == ";") return ';';
  return InvalidField(field, "must be \",\" or \";\"");
}

std::optional<Date> ParseCsvDate(absl::string_view text) {
  std::vector<absl::string_view> parts;
  int y = 0, m = 0, d = 0;
  if (absl::StrContains(text, '-')) {
    parts = absl::StrSplit(text, '-');
    if (parts.size() != 3 || parts[0].size() != 4 ||
        !absl::SimpleAtoi(parts[0], &y) || !absl::SimpleAtoi(parts[1], &m) ||
        !absl::SimpleAtoi(parts[2], &d)) {
      return std::nullopt;
    }
  } else {
    parts = absl::StrSplit(text, '/');
    if (parts.size() != 3 || parts[2].size() != 4 ||
        !absl::SimpleAtoi(parts[0], &d) || !absl::SimpleAtoi(parts[1], &m) ||
        !absl::SimpleAtoi(parts[2], &y)) {
      return std::nullopt;
    }
  }
  Date date = MakeDate(y, m, d);
  if (!IsValidDate(date)) return std::nullopt;
  return date;
}

std::string CsvDate(const Date& date) {
  if (IsUnset(date)) return "";
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(),
                         date.day());
}

std::string CsvMonth(int year, int month) {
  return absl::StrFormat("%04d-%02d", year, month);
}

std::optional<int> ParseCsvEnum(const google::protobuf::EnumDescriptor* type,
                                absl::string_view prefix,
                                absl::string_view text) {
  std::string upper = absl::AsciiStrToUpper(text);
  if (!absl::StartsWith(upper, prefix)) upper = absl::StrCat(prefix, upper);
  const google::protobuf::EnumValueDescriptor* value =
      type->FindValueByName(upper);
  if (value == nullptr || value->number() == 0) return std::nullopt;
  return value->number();
}

std::string CsvEnum(const google::protobuf::EnumDescriptor* type,
                    absl::string_view prefix, int number) {
  if (number == 0) return "";
  const google::protobuf::EnumValueDescriptor* value =
      type->FindValueByNumber(number);
  if (value == nullptr) return absl::StrCat(number);
  absl::string_view name = value->name();
  absl::ConsumePrefix(&name, prefix);
  return std::string(name);
}

std::string CsvEnumNames(const google::protobuf::EnumDescriptor* type,
                         absl::string_view prefix) {
  std::vector<std::string> names;
  for (int i = 0; i < type->value_count(); ++i) {
    if (type->value(i)->number() == 0) continue;
    absl::string_view name = type->value(i)->name();
    absl::ConsumePrefix(&name, prefix);
    names.emplace_back(name);
  }
  return absl::StrJoin(names, " | ");
}

bool IsCitizenIdShape(const std::string& id) {
  return id.size() == 12 && std::all_of(id.begin(), id.end(), [](char c) {
           return absl::ascii_isdigit(static_cast<unsigned char>(c));
         });
}

std::string OrganizationResourceName(absl::string_view text) {
  if (text.empty() || absl::StartsWith(text, "organizations/")) {
    return std::string(text);
  }
  return absl::StrCat("organizations/", text);
}

std::string FileSlug(absl::string_view text) {
  std::string out;
  for (char c : domain::FoldForSearch(text)) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c))) {
      out.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
    } else if (!out.empty() && out.back() != '-') {
      out.push_back('-');
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

absl::StatusOr<std::map<std::string, int>> CsvColumnsOf(
    const std::vector<std::string>& first_line,
    const std::vector<std::string>& known,
    const std::vector<std::string>& required, absl::string_view kind_name) {
  const std::set<std::string> allowed(known.begin(), known.end());
  std::map<std::string, int> columns;
  std::vector<FieldViolation> bad;
  for (size_t i = 0; i < first_line.size(); ++i) {
    const std::string name(absl::StripAsciiWhitespace(first_line[i]));
    if (allowed.count(name) == 0) {
      bad.push_back(
          {"chunk", absl::StrCat("column ", i + 1, " (\"", name,
                                 "\") is not a column of ", kind_name)});
    } else if (!columns.emplace(name, static_cast<int>(i)).second) {
      bad.push_back(
          {"chunk", absl::StrCat("column \"", name, "\" appears twice")});
    }
  }
  for (const std::string& r : required) {
    if (columns.count(r) == 0) {
      bad.push_back({"chunk", absl::StrCat("the required column \"", r,
                                           "\" is missing")});
    }
  }
  if (!bad.empty()) return InvalidFields(std::move(bad));
  return columns;
}

std::string CsvRow::Get(const std::string& column) const {
  auto it = columns_.find(column);
  if (it == columns_.end()) return "";
  return std::string(absl::StripAsciiWhitespace(fields_[it->second]));
}

void AddRowProblem(v1::RejectedRow& rejected, absl::string_view column,
                   absl::string_view rule_id, absl::string_view description) {
  v1::RowProblem* p = rejected.add_problems();
  p->set_column(std::string(column));
  p->set_rule_id(std::string(rule_id));
  p->set_description(std::string(description));
}

bool HasEveryField(const csv::Record& record, size_t columns,
                   v1::RejectedRow& rejected) {
  if (record.fields.size() == columns) return true;
  AddRowProblem(
      rejected, "", "csv.field_count",
      absl::StrCat("has ", record.fields.size(),
                   " values where the first line names ", columns, " columns"));
  return false;
}

absl::Status ForEachImportRow(const std::vector<csv::Record>& records,
                              const std::map<std::string, int>& columns,
                              bool validate_only,
                              const std::function<bool()>& cancelled,
                              v1::ImportCsvReport& report,
                              const ImportRowHandler& handle) {
  bool batch_wrote = false;
  for (size_t r = 1; r < records.size(); ++r) {
    if ((r - 1) % kImportBatchRows == 0) {
      if (batch_wrote) report.set_batches(report.batches() + 1);
      batch_wrote = false;
      if (cancelled()) return ImportStoppedAt(records[r].line);
    }
    const csv::Record& record = records[r];
    report.set_rows_read(report.rows_read() + 1);
    v1::RejectedRow rejected;
    rejected.set_line(record.line);
    absl::StatusOr<ImportedRow> outcome = ImportedRow::kRejected;
    if (HasEveryField(record, records[0].fields.size(), rejected)) {
      outcome = handle(record, CsvRow(columns, record.fields), rejected);
      if (!outcome.ok()) return outcome.status();
    }
    switch (*outcome) {
      case ImportedRow::kRejected:
        report.set_rows_rejected(report.rows_rejected() + 1);
        *report.add_rejected() = std::move(rejected);
        break;
      case ImportedRow::kUnchanged:
        report.set_rows_unchanged(report.rows_unchanged() + 1);
        break;
      case ImportedRow::kWritten:
        report.set_rows_created(report.rows_created() + 1);
        if (!validate_only) batch_wrote = true;
        break;
    }
  }
  if (batch_wrote) report.set_batches(report.batches() + 1);
  return absl::OkStatus();
}

bool RowProblemsOf(const absl::Status& status, const RefusalColumns& columns,
                   v1::RejectedRow& rejected) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kOutOfRange:
      break;
    default:
      return false;
  }
  bool any = false;
  for (const FieldViolation& v : FieldViolationsOf(status)) {
    const std::string column = columns.column_of(v.field, "");
    const bool required = absl::StartsWith(v.description, "is required");
    AddRowProblem(rejected, column,
                  absl::StrCat(columns.field_rule_prefix, column,
                               required ? "_required" : "_format"),
                  v.description);
    any = true;
  }
  for (const RuleViolation& v : RuleViolationsOf(status)) {
    AddRowProblem(rejected, columns.column_of(v.subject, v.rule), v.rule,
                  v.description);
    any = true;
  }
  if (!any) {
    std::string column;
    std::string rule =
        absl::StrCat("import.", absl::AsciiStrToLower(ReasonOf(status)));
    if (status.code() == absl::StatusCode::kPermissionDenied) {
      column = columns.denied_column;
      rule = absl::StrCat("authorization.",
                          absl::AsciiStrToLower(ReasonOf(status)));
    } else if (status.code() == absl::StatusCode::kAlreadyExists) {
      column = columns.exists_column;
      rule = columns.exists_rule;
    }
    AddRowProblem(rejected, column, rule, status.message());
  }
  return true;
}

}  // namespace partydev::membership
