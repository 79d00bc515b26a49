// File: tools/partydevctl/response_output.h
//
// A response as people and scripts read it:
//  - kTable: an aligned table (widths by grapheme, display_width.h). A list
//    response (one with a repeated message field: people, meetings...) is
//    one row per element; any other response is one "field  value" row per
//    set field, nested fields by dotted path.
//  - kCsv: the same rows as RFC 4180 CSV (common/csv.h), UTF-8.
//  - kJson: the whole response in proto3 JSON, nothing dropped.
// Enum values are shown without their type's prefix (PROBATION for
// STAGE_PROBATION), dates as YYYY-MM-DD, times in RFC 3339.

#ifndef PARTYDEV_TOOLS_PARTYDEVCTL_RESPONSE_OUTPUT_H_
#define PARTYDEV_TOOLS_PARTYDEVCTL_RESPONSE_OUTPUT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"

namespace partydev::ctl {

enum class OutputFormat { kTable, kCsv, kJson };

// "table", "csv" or "json".
absl::StatusOr<OutputFormat> ParseOutputFormat(const std::string& word);

// The text of `response` in `format`. `columns` (field paths of a row)
// choose and order the columns of a list; empty: the row type's plain
// fields that are set in some row, at most `max_columns`. Cells of a table
// are cut at `max_cell_width` columns; CSV and JSON are never cut.
struct OutputOptions {
  OutputFormat format = OutputFormat::kTable;
  std::vector<std::string> columns;
  int max_columns = 8;
  int max_cell_width = 48;
};
std::string Render(const google::protobuf::Message& response,
                   const OutputOptions& options);

// Rows (the first is the header) as an aligned table or CSV, for output
// that is not one message (an import's problems, a watched inbox).
std::string RenderRows(const std::vector<std::vector<std::string>>& rows,
                       OutputFormat format, int max_cell_width = 48);

// One message's field as Render shows it in a cell ("PROBATION",
// "2026-03-05", RFC 3339 times); `path` is dotted ("message.subject").
std::string FieldText(const google::protobuf::Message& message,
                      const std::string& path);

}  // namespace partydev::ctl

#endif  // PARTYDEV_TOOLS_PARTYDEVCTL_RESPONSE_OUTPUT_H_
