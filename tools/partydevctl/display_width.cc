#include "tools/partydevctl/display_width.h"

#include <unicode/brkiter.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <memory>
#include <string>
#include <vector>

namespace partydev::ctl {
namespace {

// A grapheme cluster: its UTF-8 bytes and its columns.
struct Grapheme {
  std::string utf8;
  int width = 0;
};

int ColumnsOf(UChar32 first) {
  if (u_iscntrl(first)) return 0;
  const int ea = u_getIntPropertyValue(first, UCHAR_EAST_ASIAN_WIDTH);
  return (ea == U_EA_WIDE || ea == U_EA_FULLWIDTH) ? 2 : 1;
}

std::vector<Grapheme> Graphemes(absl::string_view utf8) {
  std::vector<Grapheme> out;
  const icu::UnicodeString text = icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::BreakIterator> it(
      icu::BreakIterator::createCharacterInstance(icu::Locale::getRoot(),
                                                  status));
  if (U_FAILURE(status) || it == nullptr) {
    // No break data: one column per code point is the best guess left.
    for (int32_t i = 0; i < text.length();) {
      const UChar32 c = text.char32At(i);
      Grapheme g;
      icu::UnicodeString(c).toUTF8String(g.utf8);
      g.width = ColumnsOf(c);
      out.push_back(std::move(g));
      i += U16_LENGTH(c);
    }
    return out;
  }
  it->setText(text);
  int32_t start = it->first();
  for (int32_t end = it->next(); end != icu::BreakIterator::DONE;
       start = end, end = it->next()) {
    Grapheme g;
    text.tempSubStringBetween(start, end).toUTF8String(g.utf8);
    g.width = ColumnsOf(text.char32At(start));
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace

int DisplayWidth(absl::string_view utf8) {
  int width = 0;
  for (const Grapheme& g : Graphemes(utf8)) width += g.width;
  return width;
}

std::string Truncate(absl::string_view utf8, int width) {
  if (DisplayWidth(utf8) <= width) return std::string(utf8);
  std::string out;
  int used = 0;
  for (const Grapheme& g : Graphemes(utf8)) {
    if (used + g.width > width - 1) break;
    out += g.utf8;
    used += g.width;
  }
  return out + "…";
}

std::string PadRight(absl::string_view utf8, int width) {
  std::string out(utf8);
  for (int w = DisplayWidth(utf8); w < width; ++w) out += ' ';
  return out;
}

}  // namespace partydev::ctl
