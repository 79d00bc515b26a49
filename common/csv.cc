#include "common/csv.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace partydev::csv {

absl::StatusOr<std::vector<Record>> Parse(absl::string_view text,
                                          char delimiter) {
  absl::ConsumePrefix(&text, kUtf8Bom);
  std::vector<Record> records;
  Record record;
  std::string field;
  int64_t line = 1;
  size_t i = 0;
  const size_t n = text.size();
  bool record_open = false;  // something of the current record was read
  bool at_field_start = true;
  bool had_quote = false;  // a record of one "" is not a blank line
  auto end_field = [&] {
    record.fields.push_back(std::move(field));
    field.clear();
  };
  auto end_record = [&] {
    end_field();
    // A blank line is one empty field: skipped rather than read as a row.
    if (had_quote || record.fields.size() != 1 || !record.fields[0].empty()) {
      records.push_back(std::move(record));
    }
    record = Record();
    record_open = false;
    had_quote = false;
  };
  while (i < n) {
    if (!record_open) {
      record.line = line;
      record_open = true;
      at_field_start = true;
    }
    const char c = text[i];
    if (c == '"' && at_field_start) {
      // A quoted field: up to the closing quote, "" is one quote.
      const int64_t opened_on = line;
      had_quote = true;
      at_field_start = false;
      ++i;
      bool closed = false;
      while (i < n) {
        if (text[i] == '"') {
          if (i + 1 < n && text[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        if (text[i] == '\n') ++line;
        field.push_back(text[i]);
        ++i;
      }
      if (!closed) {
        return absl::InvalidArgumentError(absl::StrCat(
            "line ", opened_on, ": a quoted field is never closed"));
      }
      if (i < n && text[i] != delimiter && text[i] != '\n' && text[i] != '\r') {
        return absl::InvalidArgumentError(
            absl::StrCat("line ", line,
                         ": text after the closing quote of a field (a "
                         "quote inside a field must be doubled)"));
      }
      continue;
    }
    at_field_start = false;
    if (c == delimiter) {
      end_field();
      at_field_start = true;
      ++i;
      continue;
    }
    if (c == '\r' || c == '\n') {
      end_record();
      ++i;
      if (c == '\r' && i < n && text[i] == '\n') ++i;
      ++line;
      continue;
    }
    field.push_back(c);
    ++i;
  }
  if (record_open) end_record();
  return records;
}

std::string EscapeField(absl::string_view field, char delimiter) {
  bool quote = !field.empty() && (field.front() == ' ' || field.back() == ' ');
  for (char c : field) {
    if (c == delimiter || c == '"' || c == '\n' || c == '\r') {
      quote = true;
      break;
    }
  }
  if (!quote) return std::string(field);
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

void AppendRow(const std::vector<std::string>& fields, char delimiter,
               std::string& out) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out.push_back(delimiter);
    out += EscapeField(fields[i], delimiter);
  }
  out += "\r\n";
}

}  // namespace partydev::csv
