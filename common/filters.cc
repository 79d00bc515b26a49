#include "common/filters.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <limits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/dates.h"
#include "common/errors.h"

namespace partydev {

namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr absl::string_view kDateType = "partydev.common.v1.Date";
// AIP-160: timestamps are written in RFC 3339 ("2026-03-01T00:00:00+07:00").
constexpr absl::string_view kTimestampType = "google.protobuf.Timestamp";
// A month of membership's contracts, written "2026-03".
constexpr absl::string_view kYearMonthType = "partydev.membership.v1.YearMonth";

// ------------------------------------------------------------- Tokenizer

enum class TokenKind { kWord, kString, kOp, kLParen, kRParen, kEnd };

struct Token {
  TokenKind kind;
  std::string text;  // Words and operators as written; strings unescaped.
};

bool IsOpChar(char c) {
  return c == '=' || c == '!' || c == '<' || c == '>' || c == ':';
}

bool IsWordChar(char c) {
  return !absl::ascii_isspace(static_cast<unsigned char>(c)) && !IsOpChar(c) &&
         c != '(' && c != ')' && c != '"' && c != '\'';
}

absl::StatusOr<std::vector<Token>> Tokenize(absl::string_view text,
                                            absl::string_view field_name) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '(') {
      tokens.push_back({TokenKind::kLParen, "("});
      ++i;
    } else if (c == ')') {
      tokens.push_back({TokenKind::kRParen, ")"});
      ++i;
    } else if (c == '"' || c == '\'') {
      const char quote = c;
      std::string value;
      ++i;
      bool closed = false;
      while (i < text.size()) {
        if (text[i] == '\\' && i + 1 < text.size()) {
          value.push_back(text[i + 1]);
          i += 2;
        } else if (text[i] == quote) {
          closed = true;
          ++i;
          break;
        } else {
          value.push_back(text[i++]);
        }
      }
      if (!closed) {
        return InvalidField(field_name,
                            absl::StrCat("a quoted string is not closed: ",
                                         std::string(1, quote), value));
      }
      tokens.push_back({TokenKind::kString, std::move(value)});
    } else if (IsOpChar(c)) {
      std::string op(1, c);
      if ((c == '!' || c == '<' || c == '>') && i + 1 < text.size() &&
          text[i + 1] == '=') {
        op.push_back('=');
      }
      if (op == "!") {
        return InvalidField(field_name,
                            "\"!\" is not an operator; use != (NOT and "
                            "negation are not supported)");
      }
      i += op.size();
      tokens.push_back({TokenKind::kOp, std::move(op)});
    } else {
      const size_t start = i;
      while (i < text.size() && IsWordChar(text[i])) ++i;
      tokens.push_back(
          {TokenKind::kWord, std::string(text.substr(start, i - start))});
    }
  }
  tokens.push_back({TokenKind::kEnd, ""});
  return tokens;
}

// "OrganizationState" -> "ORGANIZATION_STATE".
std::string UpperSnake(absl::string_view name) {
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (i > 0 && absl::ascii_isupper(static_cast<unsigned char>(c)) &&
        !absl::ascii_isupper(static_cast<unsigned char>(name[i - 1]))) {
      out.push_back('_');
    }
    out.push_back(absl::ascii_toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

const EnumValueDescriptor* FindEnumValue(const EnumDescriptor& type,
                                         const std::string& value) {
  if (const auto* v = type.FindValueByName(value)) return v;
  int number = 0;
  if (absl::SimpleAtoi(value, &number)) return type.FindValueByNumber(number);
  // The value without the enum's prefix (ACTIVE for STATE_ACTIVE), as
  // membership's lists have always accepted.
  if (const auto* v = type.FindValueByName(
          absl::StrCat(UpperSnake(type.name()), "_", value))) {
    return v;
  }
  const EnumValueDescriptor* found = nullptr;
  const std::string suffix = absl::StrCat("_", value);
  for (int i = 0; i < type.value_count(); ++i) {
    if (absl::EndsWith(type.value(i)->name(), suffix)) {
      if (found != nullptr) return nullptr;  // Ambiguous.
      found = type.value(i);
    }
  }
  return found;
}

std::string EnumValueNames(const EnumDescriptor& type) {
  std::vector<std::string> names;
  for (int i = 0; i < type.value_count(); ++i) {
    names.push_back(type.value(i)->name());
  }
  return absl::StrJoin(names, ", ");
}

std::string FieldNames(const Descriptor& type) {
  std::vector<std::string> names;
  for (int i = 0; i < type.field_count(); ++i) {
    names.push_back(type.field(i)->name());
  }
  return absl::StrJoin(names, ", ");
}

// The message types a filter compares as values: dates, timestamps and
// months.
bool IsDate(const FieldDescriptor& f) {
  if (f.cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) return false;
  const std::string& type = f.message_type()->full_name();
  return type == kDateType || type == kTimestampType || type == kYearMonthType;
}

template <typename T>
int Compare(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

}  // namespace

// A term's operator and value, converted to the type of its last field.
struct Filter::Compiled {
  enum class Op { kEq, kNe, kLt, kLe, kGt, kGe, kHas };
  enum class Kind { kString, kBool, kInt, kUint, kDouble, kEnum, kDate, kTime };
  Op op = Op::kEq;
  Kind kind = Kind::kString;
  std::string s;
  bool b = false;
  int64_t i = 0;   // Integers, enum numbers, dates as yyyymmdd, months as
                   // yyyymm00, a timestamp's seconds.
  uint64_t u = 0;  // Also a timestamp's nanos.
  double d = 0;
  // The Date's fields, for dates (day null for a month); a Timestamp's
  // seconds and nanos in year and month.
  const FieldDescriptor* year = nullptr;
  const FieldDescriptor* month = nullptr;
  const FieldDescriptor* day = nullptr;

  // Three-way comparison of the field's element (index < 0: singular) of
  // `m` with the value.
  int CompareField(const Message& m, const FieldDescriptor* f,
                   int index) const {
    const Reflection* r = m.GetReflection();
    const bool rep = index >= 0;
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING: {
        std::string scratch;
        const std::string& v =
            rep ? r->GetRepeatedStringReference(m, f, index, &scratch)
                : r->GetStringReference(m, f, &scratch);
        return Compare<absl::string_view>(v, s);
      }
      case FieldDescriptor::CPPTYPE_BOOL:
        return Compare(rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f),
                       b);
      case FieldDescriptor::CPPTYPE_INT32:
        return Compare<int64_t>(
            rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f), i);
      case FieldDescriptor::CPPTYPE_INT64:
        return Compare<int64_t>(
            rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f), i);
      case FieldDescriptor::CPPTYPE_UINT32:
        return Compare<uint64_t>(
            rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f), u);
      case FieldDescriptor::CPPTYPE_UINT64:
        return Compare<uint64_t>(
            rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f), u);
      case FieldDescriptor::CPPTYPE_DOUBLE:
        return Compare<double>(
            rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f), d);
      case FieldDescriptor::CPPTYPE_FLOAT:
        return Compare<double>(
            rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f), d);
      case FieldDescriptor::CPPTYPE_ENUM:
        return Compare<int64_t>(
            rep ? r->GetRepeatedEnumValue(m, f, index) : r->GetEnumValue(m, f),
            i);
      case FieldDescriptor::CPPTYPE_MESSAGE: {
        // Only dates, timestamps and months get here (Parse refuses other
        // messages).
        const Message& date =
            rep ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f);
        const Reflection* dr = date.GetReflection();
        if (kind == Kind::kTime) {
          const int64_t seconds = dr->GetInt64(date, year);
          const int64_t nanos = dr->GetInt32(date, month);
          const int by_seconds = Compare<int64_t>(seconds, i);
          return by_seconds != 0
                     ? by_seconds
                     : Compare<int64_t>(nanos, static_cast<int64_t>(u));
        }
        const int64_t key = int64_t{dr->GetInt32(date, year)} * 10000 +
                            int64_t{dr->GetInt32(date, month)} * 100 +
                            (day == nullptr ? 0 : dr->GetInt32(date, day));
        return Compare<int64_t>(key, i);
      }
    }
    return 1;
  }
};

absl::StatusOr<Filter> Filter::Parse(absl::string_view text,
                                     const Descriptor& descriptor,
                                     const std::vector<std::string>& allowed,
                                     absl::string_view field_name) {
  auto fail = [&](absl::string_view description) {
    return InvalidField(field_name, description);
  };
  absl::StatusOr<std::vector<Token>> tokens = Tokenize(text, field_name);
  if (!tokens.ok()) return tokens.status();

  Filter filter;
  auto compiled = std::make_shared<std::vector<Compiled>>();
  const std::vector<Token>& t = *tokens;
  size_t pos = 0;
  auto refuse_keyword = [&](const Token& token) -> absl::Status {
    if (token.kind == TokenKind::kLParen || token.kind == TokenKind::kRParen) {
      return fail(
          "parentheses are not supported; write terms `field op value` "
          "joined by AND");
    }
    if (token.kind != TokenKind::kWord) return absl::OkStatus();
    if (token.text == "OR" || token.text == "or") {
      return fail(
          "OR is not supported; only terms joined by AND are (send one "
          "request per alternative)");
    }
    if (token.text == "NOT" || token.text == "not") {
      return fail("NOT is not supported; use != or the opposite comparison");
    }
    return absl::OkStatus();
  };

  while (t[pos].kind != TokenKind::kEnd) {
    // --- path
    const Token& path_token = t[pos];
    if (absl::Status s = refuse_keyword(path_token); !s.ok()) return s;
    if (path_token.kind != TokenKind::kWord) {
      return fail(absl::StrCat(
          path_token.kind == TokenKind::kString
              ? "a term must start with a field path, not a quoted string \""
              : "a term must start with a field path, not \"",
          path_token.text, "\"; write `field op value`"));
    }
    if (path_token.text == "AND" || path_token.text == "and") {
      return fail("AND must join two terms: a term is missing before it");
    }
    if (absl::StartsWith(path_token.text, "-")) {
      return fail(absl::StrCat("negation (\"", path_token.text,
                               "\") is not supported; use != or the "
                               "opposite comparison"));
    }
    const std::string path_text = path_token.text;
    ++pos;
    if (t[pos].kind == TokenKind::kLParen) {
      return fail(absl::StrCat("functions (\"", path_text,
                               "(...)\") are not supported"));
    }
    // --- operator
    if (absl::Status s = refuse_keyword(t[pos]); !s.ok()) return s;
    if (t[pos].kind != TokenKind::kOp) {
      return fail(absl::StrCat(
          "\"", path_text, "\" has no comparison; write `", path_text,
          " = value` (bare values and text search are not supported)"));
    }
    const std::string op = t[pos].text;
    ++pos;
    // --- value
    const Token& value_token = t[pos];
    if (absl::Status s = refuse_keyword(value_token); !s.ok()) return s;
    if (value_token.kind != TokenKind::kWord &&
        value_token.kind != TokenKind::kString) {
      return fail(absl::StrCat("a value is missing after \"", path_text, " ",
                               op, "\""));
    }
    const std::string value = value_token.text;
    ++pos;
    if (t[pos].kind == TokenKind::kLParen) {
      return fail(
          absl::StrCat("functions (\"", value, "(...)\") are not supported"));
    }
    // --- joiner
    if (t[pos].kind != TokenKind::kEnd) {
      if (absl::Status s = refuse_keyword(t[pos]); !s.ok()) return s;
      if (t[pos].kind == TokenKind::kWord && t[pos].text == "AND") {
        ++pos;
        if (t[pos].kind == TokenKind::kEnd) {
          return fail("the filter ends with AND: a term is missing after it");
        }
      } else if (t[pos].kind == TokenKind::kWord &&
                 absl::EqualsIgnoreCase(t[pos].text, "AND")) {
        return fail(absl::StrCat("write AND in upper case (AIP-160), not \"",
                                 t[pos].text, "\""));
      } else {
        return fail(absl::StrCat("expected AND after \"", path_text, " ", op,
                                 " ", value, "\", found \"", t[pos].text,
                                 "\"; join terms with AND"));
      }
    }

    // --- resolve the path
    if (!allowed.empty() &&
        std::find(allowed.begin(), allowed.end(), path_text) == allowed.end()) {
      return fail(absl::StrCat("cannot filter on \"", path_text,
                               "\"; allowed: ", absl::StrJoin(allowed, ", ")));
    }
    Term term;
    term.path_text = path_text;
    term.op = op;
    term.value = value;
    const Descriptor* type = &descriptor;
    std::vector<absl::string_view> parts = absl::StrSplit(path_text, '.');
    for (size_t i = 0; i < parts.size(); ++i) {
      const FieldDescriptor* f =
          type == nullptr ? nullptr
                          : type->FindFieldByName(std::string(parts[i]));
      if (f == nullptr) {
        return fail(absl::StrCat(
            "unknown field \"", path_text, "\"; allowed: ",
            allowed.empty() ? FieldNames(type == nullptr ? descriptor : *type)
                            : absl::StrJoin(allowed, ", ")));
      }
      const bool last = i + 1 == parts.size();
      if (!last) {
        if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
          return fail(absl::StrCat("\"", path_text, "\": ", f->name(),
                                   " is not a message, it has no fields"));
        }
        if (f->is_repeated()) {
          return fail(absl::StrCat("\"", path_text,
                                   "\": paths through the "
                                   "repeated field ",
                                   f->name(), " are not supported"));
        }
        type = f->message_type();
      }
      term.path.push_back(f);
    }

    // --- the operator and value for the last field
    const FieldDescriptor* f = term.path.back();
    Compiled c;
    if (op == "=")
      c.op = Compiled::Op::kEq;
    else if (op == "!=")
      c.op = Compiled::Op::kNe;
    else if (op == "<")
      c.op = Compiled::Op::kLt;
    else if (op == "<=")
      c.op = Compiled::Op::kLe;
    else if (op == ">")
      c.op = Compiled::Op::kGt;
    else if (op == ">=")
      c.op = Compiled::Op::kGe;
    else
      c.op = Compiled::Op::kHas;
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !IsDate(*f)) {
      return fail(absl::StrCat(
          "\"", path_text, "\" is a message",
          f->is_repeated() ? "; filtering on repeated messages is not supported"
                           : absl::StrCat("; name one of its fields: ",
                                          FieldNames(*f->message_type()))));
    }
    if (f->is_repeated() && c.op != Compiled::Op::kHas) {
      return fail(absl::StrCat("\"", path_text, "\" is repeated: use `",
                               path_text, ":", value, "` (has); ", op,
                               " is not supported on it"));
    }
    if (!f->is_repeated() && c.op == Compiled::Op::kHas) {
      return fail(absl::StrCat("\":\" (has) applies to repeated fields; use `",
                               path_text, " = ", value, "`"));
    }
    auto wrong = [&](absl::string_view what) {
      return fail(
          absl::StrCat("\"", value, "\" is not ", what, " (", path_text, ")"));
    };
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        c.kind = Compiled::Kind::kString;
        c.s = value;
        break;
      case FieldDescriptor::CPPTYPE_BOOL:
        c.kind = Compiled::Kind::kBool;
        if (value == "true")
          c.b = true;
        else if (value == "false")
          c.b = false;
        else
          return wrong("a boolean: use true or false");
        if (c.op != Compiled::Op::kEq && c.op != Compiled::Op::kNe &&
            c.op != Compiled::Op::kHas) {
          return fail(absl::StrCat("\"", path_text,
                                   "\" is a boolean: only = "
                                   "and != apply, not ",
                                   op));
        }
        break;
      case FieldDescriptor::CPPTYPE_INT32:
      case FieldDescriptor::CPPTYPE_INT64: {
        c.kind = Compiled::Kind::kInt;
        if (!absl::SimpleAtoi(value, &c.i)) return wrong("an integer");
        if (f->cpp_type() == FieldDescriptor::CPPTYPE_INT32 &&
            (c.i < std::numeric_limits<int32_t>::min() ||
             c.i > std::numeric_limits<int32_t>::max())) {
          return wrong("a 32-bit integer");
        }
        break;
      }
      case FieldDescriptor::CPPTYPE_UINT32:
      case FieldDescriptor::CPPTYPE_UINT64:
        c.kind = Compiled::Kind::kUint;
        if (!absl::SimpleAtoi(value, &c.u)) {
          return wrong("a non-negative integer");
        }
        break;
      case FieldDescriptor::CPPTYPE_DOUBLE:
      case FieldDescriptor::CPPTYPE_FLOAT:
        c.kind = Compiled::Kind::kDouble;
        if (!absl::SimpleAtod(value, &c.d)) return wrong("a number");
        break;
      case FieldDescriptor::CPPTYPE_ENUM: {
        c.kind = Compiled::Kind::kEnum;
        const EnumValueDescriptor* v = FindEnumValue(*f->enum_type(), value);
        if (v == nullptr) {
          return fail(
              absl::StrCat("\"", value, "\" is not a value of ",
                           f->enum_type()->name(), " (", path_text,
                           "); use one of: ", EnumValueNames(*f->enum_type())));
        }
        c.i = v->number();
        break;
      }
      case FieldDescriptor::CPPTYPE_MESSAGE: {
        const Descriptor* type = f->message_type();
        if (type->full_name() == kTimestampType) {
          c.kind = Compiled::Kind::kTime;
          absl::Time t;
          std::string error;
          if (!absl::ParseTime(absl::RFC3339_full, value, &t, &error)) {
            return wrong(
                "a time in RFC 3339, e.g. \"2026-03-01T00:00:00+07:00\"");
          }
          c.i = absl::ToUnixSeconds(t);
          c.u = static_cast<uint64_t>(
              absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(c.i)));
          c.year = type->FindFieldByName("seconds");
          c.month = type->FindFieldByName("nanos");
          break;
        }
        c.kind = Compiled::Kind::kDate;
        std::vector<absl::string_view> ymd = absl::StrSplit(value, '-');
        int y = 0, m = 0, d = 0;
        if (type->full_name() == kYearMonthType) {
          if (ymd.size() != 2 || ymd[0].size() != 4 || ymd[1].size() != 2 ||
              !absl::SimpleAtoi(ymd[0], &y) || !absl::SimpleAtoi(ymd[1], &m) ||
              m < 1 || m > 12) {
            return wrong("a month written yyyy-mm, e.g. 2026-03");
          }
          c.i = int64_t{y} * 10000 + m * 100;
          c.year = type->FindFieldByName("year");
          c.month = type->FindFieldByName("month");
          break;
        }
        if (ymd.size() != 3 || ymd[0].size() != 4 || ymd[1].size() != 2 ||
            ymd[2].size() != 2 || !absl::SimpleAtoi(ymd[0], &y) ||
            !absl::SimpleAtoi(ymd[1], &m) || !absl::SimpleAtoi(ymd[2], &d) ||
            !IsValidDate(MakeDate(y, m, d))) {
          return wrong("a date written yyyy-mm-dd, e.g. 2023-09-17");
        }
        c.i = int64_t{y} * 10000 + m * 100 + d;
        c.year = type->FindFieldByName("year");
        c.month = type->FindFieldByName("month");
        c.day = type->FindFieldByName("day");
        break;
      }
    }
    filter.terms_.push_back(std::move(term));
    compiled->push_back(std::move(c));
  }
  filter.compiled_ = std::move(compiled);
  return filter;
}

bool Filter::Matches(const Message& message) const {
  // A message of another type than the parsed one matches nothing (its
  // fields are not those of the stored descriptors).
  if (!terms_.empty() &&
      terms_[0].path[0]->containing_type() != message.GetDescriptor()) {
    return false;
  }
  for (size_t t = 0; t < terms_.size(); ++t) {
    const Term& term = terms_[t];
    const Compiled& c = (*compiled_)[t];
    const Message* m = &message;
    for (size_t i = 0; i + 1 < term.path.size(); ++i) {
      m = &m->GetReflection()->GetMessage(*m, term.path[i]);
    }
    const FieldDescriptor* f = term.path.back();
    if (f->is_repeated()) {  // Only ":" (Parse refuses the others).
      const int n = m->GetReflection()->FieldSize(*m, f);
      bool any = false;
      for (int i = 0; i < n && !any; ++i) any = c.CompareField(*m, f, i) == 0;
      if (!any) return false;
      continue;
    }
    const int cmp = c.CompareField(*m, f, -1);
    bool ok = false;
    switch (c.op) {
      case Compiled::Op::kEq:
      case Compiled::Op::kHas:
        ok = cmp == 0;
        break;
      case Compiled::Op::kNe:
        ok = cmp != 0;
        break;
      case Compiled::Op::kLt:
        ok = cmp < 0;
        break;
      case Compiled::Op::kLe:
        ok = cmp <= 0;
        break;
      case Compiled::Op::kGt:
        ok = cmp > 0;
        break;
      case Compiled::Op::kGe:
        ok = cmp >= 0;
        break;
    }
    if (!ok) return false;
  }
  return true;
}

std::string Filter::EqualityValue(absl::string_view path_text) const {
  for (const Term& term : terms_) {
    if (term.path_text == path_text && term.op == "=") return term.value;
  }
  return "";
}

}  // namespace partydev
