// File: services/membership/domain/names.h
//
// Vietnamese personal names: what is stored and what is searched.
//
// A full name arrives as the keyboard produced it: precomposed ("ễ" as one
// code point, U+1EC5) or decomposed ("e" + U+0302 + U+0303, as macOS and
// some Windows input methods send it). Stored names are NFC, so one person
// is one byte string and comparisons are exact (issue #4: "stored in NFC").
// Search uses a folded form: lower case, diacritics removed and "đ" → "d",
// because officers type names without diacritics ("nguyen thi minh khai").
// ICU does the Unicode work; the rules of what a name may contain are ours.
//
// Example:
//   absl::StatusOr<std::string> name = NormalizeFullName("  Nguyễn  Văn A ");
//   // "Nguyễn Văn A" (NFC, single spaces)
//   FoldForSearch(*name);  // "nguyen van a"

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_NAMES_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_NAMES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace partydev::membership::domain {

// The longest full name accepted, in code points.
inline constexpr int kMaxFullNameLength = 150;

// `raw` as a stored full name: valid UTF-8, NFC, trimmed, runs of white
// space made one space. INVALID_ARGUMENT (message naming the rule, without
// the field name) when it is not valid UTF-8, is empty, is longer than
// kMaxFullNameLength, or contains a character that is not a letter, a
// combining mark, a space, an apostrophe ("K'Ho"), a hyphen or a period.
absl::StatusOr<std::string> NormalizeFullName(absl::string_view raw);

// Text folded for search: NFD, combining marks removed, "đ"/"Đ" → "d",
// lower case, white space runs as one space, trimmed. Invalid UTF-8 is
// dropped byte by byte (queries are folded too, and must not fail).
std::string FoldForSearch(absl::string_view text);

// True when every word of `folded_query` is a prefix of some word of
// `folded_name` (both folded): "ng v a" matches "nguyen van an".
bool MatchesNameQuery(absl::string_view folded_name,
                      absl::string_view folded_query);

}  // namespace partydev::membership::domain

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_NAMES_H_
