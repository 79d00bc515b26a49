#include "tools/partydevctl/response_output.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/csv.h"
#include "common/vietnam_time.h"
#include "google/protobuf/util/json_util.h"
#include "tools/partydevctl/display_width.h"

namespace partydev::ctl {
namespace {

namespace pb = google::protobuf;
using pb::FieldDescriptor;

using Table = std::vector<std::vector<std::string>>;  // first row: header

// The enum's shared prefix ("STAGE_" of STAGE_UNSPECIFIED) dropped.
std::string EnumWord(const pb::EnumValueDescriptor* v) {
  const std::string& first = v->type()->value(0)->name();
  const size_t cut = first.rfind("_UNSPECIFIED");
  if (cut != std::string::npos &&
      v->name().compare(0, cut + 1, first, 0, cut + 1) == 0 &&
      v->name().size() > cut + 1) {
    return v->name().substr(cut + 1);
  }
  return v->name();
}

std::string MessageWord(const pb::Message& m) {
  const pb::Descriptor* d = m.GetDescriptor();
  const pb::Reflection* r = m.GetReflection();
  const std::string& n = d->full_name();
  auto i32 = [&](const char* name) {
    return r->GetInt32(m, d->FindFieldByName(name));
  };
  if (n == "partydev.common.v1.Date") {
    if (i32("year") == 0) return "";
    return absl::StrFormat("%04d-%02d-%02d", i32("year"), i32("month"),
                           i32("day"));
  }
  if (n == "partydev.membership.v1.YearMonth") {
    if (i32("year") == 0) return "";
    return absl::StrFormat("%04d-%02d", i32("year"), i32("month"));
  }
  if (n == "google.protobuf.Timestamp") {
    const int64_t s = r->GetInt64(m, d->FindFieldByName("seconds"));
    if (s == 0) return "";
    return absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", absl::FromUnixSeconds(s),
                            VietnamTimeZone());
  }
  std::string json;
  pb::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  (void)pb::util::MessageToJsonString(m, &json, options);
  return json == "{}" ? "" : json;
}

std::string FieldWord(const pb::Message& m, const FieldDescriptor* f,
                      int index) {
  const pb::Reflection* r = m.GetReflection();
  const bool rep = f->is_repeated();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return rep ? r->GetRepeatedString(m, f, index) : r->GetString(m, f);
    case FieldDescriptor::CPPTYPE_BOOL:
      return (rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f))
                 ? "true"
                 : "false";
    case FieldDescriptor::CPPTYPE_INT32:
      return absl::StrCat(rep ? r->GetRepeatedInt32(m, f, index)
                              : r->GetInt32(m, f));
    case FieldDescriptor::CPPTYPE_INT64:
      return absl::StrCat(rep ? r->GetRepeatedInt64(m, f, index)
                              : r->GetInt64(m, f));
    case FieldDescriptor::CPPTYPE_UINT32:
      return absl::StrCat(rep ? r->GetRepeatedUInt32(m, f, index)
                              : r->GetUInt32(m, f));
    case FieldDescriptor::CPPTYPE_UINT64:
      return absl::StrCat(rep ? r->GetRepeatedUInt64(m, f, index)
                              : r->GetUInt64(m, f));
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return absl::StrFormat(
          "%g", rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f));
    case FieldDescriptor::CPPTYPE_FLOAT:
      return absl::StrFormat(
          "%g", rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f));
    case FieldDescriptor::CPPTYPE_ENUM:
      return EnumWord(rep ? r->GetRepeatedEnum(m, f, index) : r->GetEnum(m, f));
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return MessageWord(rep ? r->GetRepeatedMessage(m, f, index)
                             : r->GetMessage(m, f));
  }
  return "";
}

// The value of the field at `path` ("a.b") of `m`; repeated values joined
// by ", ".
std::string PathWord(const pb::Message& m, absl::string_view path) {
  const pb::Message* at = &m;
  std::vector<std::string> names = absl::StrSplit(path, '.');
  for (size_t i = 0; i < names.size(); ++i) {
    const FieldDescriptor* f = at->GetDescriptor()->FindFieldByName(
        absl::StrReplaceAll(names[i], {{"-", "_"}}));
    if (f == nullptr) return "";
    const pb::Reflection* r = at->GetReflection();
    if (i + 1 == names.size() || f->is_repeated() ||
        f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
      if (!f->is_repeated()) return FieldWord(*at, f, 0);
      std::vector<std::string> words;
      for (int k = 0; k < r->FieldSize(*at, f); ++k) {
        words.push_back(FieldWord(*at, f, k));
      }
      return absl::StrJoin(words, ", ");
    }
    at = &r->GetMessage(*at, f);
  }
  return "";
}

bool IsPlain(const FieldDescriptor* f) {
  if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) return true;
  const std::string& n = f->message_type()->full_name();
  return !f->is_repeated() && (n == "partydev.common.v1.Date" ||
                               n == "partydev.membership.v1.YearMonth" ||
                               n == "google.protobuf.Timestamp");
}

// The repeated message field a list response carries, if any.
// A list response pages (next_page_token, total_size) or, not being a
// resource (no name), carries rows (a report's rows, a tracking's
// children); a resource with repeated parts (a Person's affiliations) is
// shown field by field.
const FieldDescriptor* ListField(const pb::Descriptor* d) {
  if (d->FindFieldByName("next_page_token") == nullptr &&
      d->FindFieldByName("total_size") == nullptr &&
      d->FindFieldByName("name") != nullptr) {
    return nullptr;
  }
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->is_repeated() && !f->is_map() &&
        f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      return f;
    }
  }
  return nullptr;
}

Table ListTable(const pb::Message& response, const FieldDescriptor* list,
                const OutputOptions& options) {
  const pb::Reflection* r = response.GetReflection();
  const int n = r->FieldSize(response, list);
  std::vector<std::string> columns = options.columns;
  if (columns.empty()) {
    const pb::Descriptor* row = list->message_type();
    for (int i = 0; i < row->field_count() &&
                    static_cast<int>(columns.size()) < options.max_columns;
         ++i) {
      const FieldDescriptor* f = row->field(i);
      if (!IsPlain(f) || f->name() == "etag") continue;
      bool used = false;
      for (int k = 0; k < n && !used; ++k) {
        used = !PathWord(r->GetRepeatedMessage(response, list, k), f->name())
                    .empty();
      }
      if (used) columns.push_back(f->name());
    }
  }
  Table table{columns};
  for (int k = 0; k < n; ++k) {
    std::vector<std::string> row;
    for (const std::string& c : columns) {
      row.push_back(PathWord(r->GetRepeatedMessage(response, list, k), c));
    }
    table.push_back(std::move(row));
  }
  return table;
}

// One ("a.b", value) row per set field, nested messages flattened.
void Flatten(const pb::Message& m, const std::string& prefix, Table& out) {
  const pb::Reflection* r = m.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  for (const FieldDescriptor* f : fields) {
    const std::string path =
        prefix.empty() ? f->name() : absl::StrCat(prefix, ".", f->name());
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !IsPlain(f) &&
        !f->is_repeated()) {
      Flatten(r->GetMessage(m, f), path, out);
    } else if (f->is_repeated()) {
      for (int k = 0; k < r->FieldSize(m, f); ++k) {
        out.push_back({absl::StrCat(path, "[", k, "]"), FieldWord(m, f, k)});
      }
    } else {
      out.push_back({path, FieldWord(m, f, 0)});
    }
  }
}

std::string AlignedText(const Table& table, int max_cell_width) {
  std::vector<int> widths;
  for (const auto& row : table) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (size_t c = 0; c < row.size(); ++c) {
      widths[c] =
          std::max(widths[c], std::min(DisplayWidth(row[c]), max_cell_width));
    }
  }
  std::string out;
  for (const auto& row : table) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      const std::string cell =
          Truncate(absl::StrReplaceAll(row[c], {{"\n", " "}}), max_cell_width);
      line += c + 1 == row.size() ? cell : PadRight(cell, widths[c]) + "  ";
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace

absl::StatusOr<OutputFormat> ParseOutputFormat(const std::string& word) {
  if (word == "table") return OutputFormat::kTable;
  if (word == "csv") return OutputFormat::kCsv;
  if (word == "json") return OutputFormat::kJson;
  return absl::InvalidArgumentError(
      absl::StrCat("--output: \"", word, "\" is not table, csv or json"));
}

std::string Render(const pb::Message& response, const OutputOptions& options) {
  if (options.format == OutputFormat::kJson) {
    std::string json;
    pb::util::JsonPrintOptions print;
    print.add_whitespace = true;
    print.preserve_proto_field_names = true;
    (void)pb::util::MessageToJsonString(response, &json, print);
    return json;
  }
  Table table;
  const FieldDescriptor* list = ListField(response.GetDescriptor());
  if (list != nullptr) {
    table = ListTable(response, list, options);
  } else {
    table.push_back({"field", "value"});
    Flatten(response, "", table);
  }
  if (options.format == OutputFormat::kCsv) {
    std::string out;
    for (const auto& row : table) csv::AppendRow(row, ',', out);
    return out;
  }
  std::string out = AlignedText(table, options.max_cell_width);
  if (list != nullptr && table.size() == 1) out = "(no rows)\n";
  if (list != nullptr) {
    // What a list says beside its rows (totals, the next page...), one
    // "# field: value" line each.
    std::unique_ptr<pb::Message> rest(response.New());
    rest->CopyFrom(response);
    rest->GetReflection()->ClearField(rest.get(), list);
    Table extras;
    Flatten(*rest, "", extras);
    for (const auto& row : extras) {
      absl::StrAppend(&out, "# ", row[0], ": ", row[1], "\n");
    }
  }
  return out;
}

std::string RenderRows(const std::vector<std::vector<std::string>>& rows,
                       OutputFormat format, int max_cell_width) {
  if (format == OutputFormat::kCsv) {
    std::string out;
    for (const auto& row : rows) csv::AppendRow(row, ',', out);
    return out;
  }
  return AlignedText(rows, max_cell_width);
}

std::string FieldText(const pb::Message& message, const std::string& path) {
  return PathWord(message, path);
}

}  // namespace partydev::ctl
