// File: common/csv.h
//
// A small RFC 4180 CSV reader and writer, shared by membership's bulk
// import and export (AdministrationService, import_export.proto) and quota's
// progress export (ReportService.ExportProgress). Pure: no I/O, no gRPC.
//
// Reading accepts what spreadsheets write: fields quoted with '"' (a quote
// inside doubled), delimiters and line breaks inside quoted fields, CRLF or
// LF line ends, an optional UTF-8 byte order mark, a missing final line
// break, and blank lines (skipped). Each record carries the line number it
// starts on, so a report can point a secretary at the row in her sheet even
// when an earlier field spans lines.
//
// Example:
//   absl::StatusOr<std::vector<csv::Record>> rows = csv::Parse(text, ',');
//   std::string out(csv::kUtf8Bom);
//   csv::AppendRow({"full_name", "workplace"}, ',', out);

#ifndef PARTYDEV_COMMON_CSV_H_
#define PARTYDEV_COMMON_CSV_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace partydev::csv {

// Written first by the export so that spreadsheets read the file as UTF-8
// (Vietnamese diacritics); skipped by the reader.
inline constexpr absl::string_view kUtf8Bom = "\xEF\xBB\xBF";

// One record of a file.
struct Record {
  int64_t line = 0;  // the line it starts on, 1 = the first line
  std::vector<std::string> fields;
};

// Splits `text` into records. INVALID_ARGUMENT naming the line for a
// quoted field that is never closed or is followed by anything but a
// delimiter or a line end (the file is malformed from there on, so no row
// after it can be trusted). A quote inside an unquoted field is kept as
// text, as spreadsheets read it.
absl::StatusOr<std::vector<Record>> Parse(absl::string_view text,
                                          char delimiter = ',');

// `field` as it must be written: quoted when it holds the delimiter, a
// quote, a line break or leading/trailing spaces (which some readers trim).
std::string EscapeField(absl::string_view field, char delimiter = ',');

// Appends one record and its CRLF line end (RFC 4180) to `out`.
void AppendRow(const std::vector<std::string>& fields, char delimiter,
               std::string& out);

}  // namespace partydev::csv

#endif  // PARTYDEV_COMMON_CSV_H_
