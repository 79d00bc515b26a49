#include "tools/partydevctl/request_fields.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"

namespace partydev::ctl {
namespace {

namespace pb = google::protobuf;
using pb::FieldDescriptor;

// Message types a single word sets, by full name.
constexpr absl::string_view kDate = "partydev.common.v1.Date";
constexpr absl::string_view kYearMonth = "partydev.membership.v1.YearMonth";
constexpr absl::string_view kTimestamp = "google.protobuf.Timestamp";
constexpr absl::string_view kFieldMask = "google.protobuf.FieldMask";

bool IsValueType(const pb::Descriptor* type) {
  const std::string& n = type->full_name();
  return n == kDate || n == kYearMonth || n == kTimestamp || n == kFieldMask;
}

std::string TypeWords(const FieldDescriptor* f) {
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return f->type() == FieldDescriptor::TYPE_BYTES ? "bytes (base64)"
                                                      : "string";
    case FieldDescriptor::CPPTYPE_BOOL:
      return "true|false";
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT:
      return "number";
    case FieldDescriptor::CPPTYPE_ENUM: {
      const pb::EnumDescriptor* e = f->enum_type();
      return e->value_count() > 1 ? absl::StrCat("enum ", e->name(), " (",
                                                 e->value(1)->name(), ", ...)")
                                  : absl::StrCat("enum ", e->name());
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const std::string& n = f->message_type()->full_name();
      if (n == kDate) return "date YYYY-MM-DD";
      if (n == kYearMonth) return "month YYYY-MM";
      if (n == kTimestamp) return "time RFC 3339";
      if (n == kFieldMask) return "field,field,...";
      return absl::StrCat("JSON ", f->message_type()->name());
    }
    default:
      return "integer";
  }
}

void Collect(const pb::Descriptor* type, const std::string& prefix,
             int depth_left, std::vector<FieldPath>& out) {
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* f = type->field(i);
    const std::string path =
        prefix.empty() ? f->name() : absl::StrCat(prefix, ".", f->name());
    out.push_back({path, TypeWords(f), f->is_repeated()});
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !f->is_map() &&
        !f->is_repeated() && !IsValueType(f->message_type()) &&
        depth_left > 1 && f->message_type() != type) {
      Collect(f->message_type(), path, depth_left - 1, out);
    }
  }
}

absl::Status Expected(absl::string_view path, absl::string_view what,
                      absl::string_view value) {
  return absl::InvalidArgumentError(
      absl::StrCat("--", path, ": \"", value, "\" is not ", what));
}

// The enum value named `word`: its full name, or without the enum's prefix
// ("probation" for STAGE_PROBATION), in any case.
const pb::EnumValueDescriptor* FindEnumValue(const pb::EnumDescriptor* e,
                                             absl::string_view word) {
  const std::string upper = absl::AsciiStrToUpper(
      absl::StrReplaceAll(word, {{"-", "_"}, {" ", "_"}}));
  for (int i = 0; i < e->value_count(); ++i) {
    const std::string& name = e->value(i)->name();
    if (name == upper || absl::EndsWith(name, absl::StrCat("_", upper))) {
      return e->value(i);
    }
  }
  int number = 0;
  if (absl::SimpleAtoi(word, &number)) return e->FindValueByNumber(number);
  return nullptr;
}

absl::Status SetValueMessage(pb::Message& m, absl::string_view path,
                             absl::string_view value) {
  const pb::Descriptor* d = m.GetDescriptor();
  const pb::Reflection* r = m.GetReflection();
  const std::string& n = d->full_name();
  if (n == kDate || n == kYearMonth) {
    std::vector<absl::string_view> parts = absl::StrSplit(value, '-');
    const size_t want = n == kDate ? 3 : 2;
    int numbers[3] = {0, 0, 0};
    if (parts.size() != want) {
      return Expected(path, n == kDate ? "a date YYYY-MM-DD" : "YYYY-MM",
                      value);
    }
    for (size_t i = 0; i < want; ++i) {
      if (!absl::SimpleAtoi(parts[i], &numbers[i])) {
        return Expected(path, n == kDate ? "a date YYYY-MM-DD" : "YYYY-MM",
                        value);
      }
    }
    const char* names[3] = {"year", "month", "day"};
    for (size_t i = 0; i < want; ++i) {
      r->SetInt32(&m, d->FindFieldByName(names[i]), numbers[i]);
    }
    return absl::OkStatus();
  }
  if (n == kTimestamp) {
    absl::Time t;
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, std::string(value), &t, &error)) {
      return Expected(path, "a time in RFC 3339 (2026-03-05T14:00:00+07:00)",
                      value);
    }
    const int64_t seconds = absl::ToUnixSeconds(t);
    r->SetInt64(&m, d->FindFieldByName("seconds"), seconds);
    r->SetInt32(&m, d->FindFieldByName("nanos"),
                static_cast<int32_t>(absl::ToInt64Nanoseconds(
                    t - absl::FromUnixSeconds(seconds))));
    return absl::OkStatus();
  }
  if (n == kFieldMask) {
    const FieldDescriptor* paths = d->FindFieldByName("paths");
    for (absl::string_view p : absl::StrSplit(value, ',', absl::SkipEmpty())) {
      r->AddString(
          &m, paths,
          absl::StrReplaceAll(absl::StripAsciiWhitespace(p), {{"-", "_"}}));
    }
    return absl::OkStatus();
  }
  const std::string json(value);
  pb::util::JsonParseOptions options;
  if (!pb::util::JsonStringToMessage(json, &m, options).ok()) {
    return Expected(path, absl::StrCat("a ", d->name(), " in proto3 JSON"),
                    value);
  }
  return absl::OkStatus();
}

absl::Status SetLeaf(pb::Message& m, const FieldDescriptor* f,
                     absl::string_view path, absl::string_view value) {
  const pb::Reflection* r = m.GetReflection();
  const bool rep = f->is_repeated();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string v(value);
      if (f->type() == FieldDescriptor::TYPE_BYTES) {
        std::string decoded;
        if (!absl::Base64Unescape(value, &decoded)) {
          return Expected(path, "base64", value);
        }
        v = decoded;
      }
      rep ? r->AddString(&m, f, v) : r->SetString(&m, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool v = true;  // a flag given alone
      if (!value.empty() && !absl::SimpleAtob(value, &v)) {
        return Expected(path, "true or false", value);
      }
      rep ? r->AddBool(&m, f, v) : r->SetBool(&m, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t v = 0;
      if (!absl::SimpleAtoi(value, &v))
        return Expected(path, "an integer", value);
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_INT32) {
        rep ? r->AddInt32(&m, f, static_cast<int32_t>(v))
            : r->SetInt32(&m, f, static_cast<int32_t>(v));
      } else {
        rep ? r->AddInt64(&m, f, v) : r->SetInt64(&m, f, v);
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT32:
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t v = 0;
      if (!absl::SimpleAtoi(value, &v))
        return Expected(path, "an integer ≥ 0", value);
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_UINT32) {
        rep ? r->AddUInt32(&m, f, static_cast<uint32_t>(v))
            : r->SetUInt32(&m, f, static_cast<uint32_t>(v));
      } else {
        rep ? r->AddUInt64(&m, f, v) : r->SetUInt64(&m, f, v);
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: {
      double v = 0;
      if (!absl::SimpleAtod(value, &v))
        return Expected(path, "a number", value);
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_FLOAT) {
        rep ? r->AddFloat(&m, f, static_cast<float>(v))
            : r->SetFloat(&m, f, static_cast<float>(v));
      } else {
        rep ? r->AddDouble(&m, f, v) : r->SetDouble(&m, f, v);
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const pb::EnumValueDescriptor* e = FindEnumValue(f->enum_type(), value);
      if (e == nullptr) {
        return Expected(
            path, absl::StrCat("a value of ", f->enum_type()->name()), value);
      }
      rep ? r->AddEnum(&m, f, e) : r->SetEnum(&m, f, e);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      pb::Message* sub = rep ? r->AddMessage(&m, f) : r->MutableMessage(&m, f);
      return SetValueMessage(*sub, path, value);
    }
  }
  return absl::InvalidArgumentError(absl::StrCat("--", path, ": unsupported"));
}

}  // namespace

std::vector<FieldPath> SettableFields(const pb::Descriptor* type,
                                      int max_depth) {
  std::vector<FieldPath> out;
  Collect(type, "", max_depth, out);
  return out;
}

absl::Status SetField(pb::Message& message, absl::string_view path,
                      absl::string_view value) {
  const std::string normal = absl::StrReplaceAll(path, {{"-", "_"}});
  std::vector<std::string> names = absl::StrSplit(normal, '.');
  pb::Message* m = &message;
  for (size_t i = 0; i < names.size(); ++i) {
    const FieldDescriptor* f = m->GetDescriptor()->FindFieldByName(names[i]);
    if (f == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", path, ": ", m->GetDescriptor()->full_name(),
                       " has no field ", names[i]));
    }
    if (i + 1 == names.size()) return SetLeaf(*m, f, normal, value);
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || f->is_repeated()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--", path, ": ", names[i],
          " is not a single message (set a repeated message as JSON)"));
    }
    m = m->GetReflection()->MutableMessage(m, f);
  }
  return absl::OkStatus();
}

}  // namespace partydev::ctl
