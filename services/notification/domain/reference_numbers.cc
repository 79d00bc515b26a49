#include "services/notification/domain/reference_numbers.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/errors.h"

namespace partydev::notification::domain {
namespace {

struct TypeInfo {
  v1::DocumentType type;
  absl::string_view code;
  absl::string_view title;
};

// directives.proto DocumentType; domain.md lists the same codes.
constexpr TypeInfo kTypes[] = {
    {v1::DOCUMENT_TYPE_RESOLUTION, "NQ", "NGHỊ QUYẾT"},
    {v1::DOCUMENT_TYPE_DECISION, "QĐ", "QUYẾT ĐỊNH"},
    {v1::DOCUMENT_TYPE_DIRECTIVE, "CT", "CHỈ THỊ"},
    {v1::DOCUMENT_TYPE_CONCLUSION, "KL", "KẾT LUẬN"},
    {v1::DOCUMENT_TYPE_GUIDANCE, "HD", "HƯỚNG DẪN"},
    {v1::DOCUMENT_TYPE_NOTICE, "TB", "THÔNG BÁO"},
    {v1::DOCUMENT_TYPE_OFFICIAL_LETTER, "CV", ""},
    {v1::DOCUMENT_TYPE_PLAN, "KH", "KẾ HOẠCH"},
    {v1::DOCUMENT_TYPE_REPORT, "BC", "BÁO CÁO"},
    {v1::DOCUMENT_TYPE_SUBMISSION, "TTr", "TỜ TRÌNH"},
    {v1::DOCUMENT_TYPE_STATUTE, "QC", "QUY CHẾ"},
};

// "Đ" in UTF-8 (U+0110).
constexpr absl::string_view kCapitalD = "\xC4\x90";

const TypeInfo* Find(v1::DocumentType type) {
  for (const TypeInfo& info : kTypes) {
    if (info.type == type) return &info;
  }
  return nullptr;
}

}  // namespace

absl::string_view DocumentTypeCode(v1::DocumentType type) {
  const TypeInfo* info = Find(type);
  return info == nullptr ? absl::string_view() : info->code;
}

v1::DocumentType DocumentTypeOfCode(absl::string_view code) {
  for (const TypeInfo& info : kTypes) {
    if (info.code == code) return info.type;
  }
  return v1::DOCUMENT_TYPE_UNSPECIFIED;
}

absl::string_view DocumentTypeTitle(v1::DocumentType type) {
  const TypeInfo* info = Find(type);
  return info == nullptr ? absl::string_view() : info->title;
}

absl::Status ValidateIssuerCode(absl::string_view code,
                                absl::string_view field) {
  if (code.empty()) return InvalidField(field, "is required (e.g. \"TU\")");
  int characters = 0;
  for (size_t i = 0; i < code.size();) {
    if (absl::ascii_isupper(code[i]) || absl::ascii_isdigit(code[i])) {
      ++i;
    } else if (code.substr(i, kCapitalD.size()) == kCapitalD) {
      i += kCapitalD.size();
    } else {
      return InvalidField(
          field, absl::StrCat("\"", code,
                              "\" is not an issuer code: use uppercase "
                              "letters, digits and Đ (e.g. \"TU\", \"ĐUK\")"));
    }
    ++characters;
  }
  if (characters > 16) {
    return InvalidField(field, "is longer than 16 characters");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> FormatReference(v1::DocumentType type, int number,
                                            absl::string_view issuer_code,
                                            int min_digits) {
  FieldChecker check;
  const absl::string_view code = DocumentTypeCode(type);
  if (code.empty()) {
    check.Add("document_type", absl::StrCat("has no reference code (",
                                            v1::DocumentType_Name(type), ")"));
  }
  if (number < 1) check.Add("number", "must be at least 1");
  if (absl::Status s = ValidateIssuerCode(issuer_code); !s.ok()) {
    check.Add("issuer_code", s.message());
  }
  if (min_digits < 1 || min_digits > 9) {
    check.Add("min_digits", "must lie in 1..9");
  }
  if (!check.ok()) return check.status();
  return absl::StrCat(absl::StrFormat("%0*d", min_digits, number), "-", code,
                      "/", issuer_code);
}

absl::StatusOr<ParsedReference> ParseReference(absl::string_view reference,
                                               absl::string_view field) {
  absl::string_view text = absl::StripAsciiWhitespace(reference);
  if (absl::StartsWith(text, "Số ")) text.remove_prefix(sizeof("Số ") - 1);
  const size_t dash = text.find('-');
  const size_t slash = text.find('/');
  if (dash == absl::string_view::npos || slash == absl::string_view::npos ||
      slash < dash) {
    return InvalidField(field, absl::StrCat("\"", reference,
                                            "\" is not a reference of the "
                                            "form 06-CT/TU"));
  }
  const absl::string_view digits = text.substr(0, dash);
  const absl::string_view code = text.substr(dash + 1, slash - dash - 1);
  const absl::string_view issuer = text.substr(slash + 1);
  ParsedReference parsed;
  bool all_digits = !digits.empty() && digits.size() <= 9;
  for (char c : digits) all_digits = all_digits && absl::ascii_isdigit(c);
  if (!all_digits || !absl::SimpleAtoi(digits, &parsed.number) ||
      parsed.number < 1) {
    return InvalidField(field, absl::StrCat("\"", reference,
                                            "\": the number must be a "
                                            "positive decimal"));
  }
  parsed.type = DocumentTypeOfCode(code);
  if (parsed.type == v1::DOCUMENT_TYPE_UNSPECIFIED) {
    return InvalidField(
        field, absl::StrCat("\"", reference,
                            "\": unknown document type code \"", code, "\""));
  }
  if (absl::Status s = ValidateIssuerCode(issuer, field); !s.ok()) return s;
  parsed.issuer_code = std::string(issuer);
  return parsed;
}

std::string NumberingSequence(absl::string_view issuing_organization,
                              v1::DocumentType type, absl::string_view term,
                              bool restarts_each_term) {
  std::string key =
      absl::StrCat(issuing_organization, "|", v1::DocumentType_Name(type));
  if (restarts_each_term) absl::StrAppend(&key, "|", term);
  return key;
}

}  // namespace partydev::notification::domain
