#include "services/membership/domain/names.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace partydev::membership::domain {
namespace {

bool IsValidUtf8(absl::string_view s) {
  int32_t i = 0;
  const int32_t length = static_cast<int32_t>(s.size());
  while (i < length) {
    UChar32 c;
    U8_NEXT(s.data(), i, length, c);
    if (c < 0) return false;
  }
  return true;
}

bool IsSpace(UChar32 c) { return u_isUWhiteSpace(c); }

// Collapses white space runs into one space and trims.
std::string CollapseSpaces(const icu::UnicodeString& text) {
  std::string out;
  bool pending_space = false;
  for (int32_t i = 0; i < text.length();) {
    const UChar32 c = text.char32At(i);
    i += U16_LENGTH(c);
    if (IsSpace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    icu::UnicodeString one(c);
    one.toUTF8String(out);
  }
  return out;
}

}  // namespace

absl::StatusOr<std::string> NormalizeFullName(absl::string_view raw) {
  if (!IsValidUtf8(raw)) {
    return absl::InvalidArgumentError("is not valid UTF-8");
  }
  UErrorCode error = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(error);
  if (U_FAILURE(error)) {
    return absl::InternalError(
        absl::StrCat("ICU NFC normaliser: ", u_errorName(error)));
  }
  const icu::UnicodeString normalized =
      nfc->normalize(icu::UnicodeString::fromUTF8(icu::StringPiece(
                         raw.data(), static_cast<int32_t>(raw.size()))),
                     error);
  if (U_FAILURE(error)) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot be normalised: ", u_errorName(error)));
  }
  int code_points = 0;
  for (int32_t i = 0; i < normalized.length();) {
    const UChar32 c = normalized.char32At(i);
    i += U16_LENGTH(c);
    ++code_points;
    const bool allowed =
        u_isalpha(c) ||
        u_getIntPropertyValue(c, UCHAR_GENERAL_CATEGORY_MASK) & U_GC_M_MASK ||
        IsSpace(c) || c == '\'' || c == 0x2019 || c == '-' || c == '.';
    if (!allowed) {
      std::string shown;
      icu::UnicodeString(c).toUTF8String(shown);
      return absl::InvalidArgumentError(absl::StrCat(
          "contains \"", shown,
          "\"; a name has letters, spaces, apostrophes, hyphens and periods"));
    }
  }
  std::string out = CollapseSpaces(normalized);
  if (out.empty()) return absl::InvalidArgumentError("is required");
  if (code_points > kMaxFullNameLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("is longer than ", kMaxFullNameLength, " characters"));
  }
  return out;
}

std::string FoldForSearch(absl::string_view text) {
  // Drop invalid bytes rather than fail: a query is folded as typed.
  icu::UnicodeString input;
  int32_t i = 0;
  const int32_t length = static_cast<int32_t>(text.size());
  while (i < length) {
    UChar32 c;
    U8_NEXT(text.data(), i, length, c);
    if (c >= 0) input.append(c);
  }
  UErrorCode error = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(error);
  icu::UnicodeString decomposed =
      U_SUCCESS(error) ? nfd->normalize(input, error) : input;
  if (U_FAILURE(error)) decomposed = input;
  icu::UnicodeString folded;
  for (int32_t j = 0; j < decomposed.length();) {
    UChar32 c = decomposed.char32At(j);
    j += U16_LENGTH(c);
    if (u_getIntPropertyValue(c, UCHAR_GENERAL_CATEGORY_MASK) & U_GC_M_MASK) {
      continue;  // a diacritic
    }
    if (c == 0x0110 || c == 0x0111) c = 'd';  // Đ, đ: a letter, not a mark
    folded.append(u_tolower(c));
  }
  return CollapseSpaces(folded);
}

bool MatchesNameQuery(absl::string_view folded_name,
                      absl::string_view folded_query) {
  const std::vector<absl::string_view> words =
      absl::StrSplit(folded_name, ' ', absl::SkipEmpty());
  for (absl::string_view q :
       absl::StrSplit(folded_query, ' ', absl::SkipEmpty())) {
    bool found = false;
    for (absl::string_view w : words) {
      if (absl::StartsWith(w, q)) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

}  // namespace partydev::membership::domain
