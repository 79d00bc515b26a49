// File: tools/partydevctl/display_width.h
//
// How wide text is on a terminal, so that tables of Vietnamese names line
// up: one column per grapheme cluster (a letter with its combining marks,
// "ễ" typed as e + ̂ + ̃ included), two for East Asian wide and fullwidth
// characters, none for controls. Counting bytes (UTF-8 "ễ" is 3 to 7 of
// them) or code points misaligns every row with diacritics.

#ifndef PARTYDEV_TOOLS_PARTYDEVCTL_DISPLAY_WIDTH_H_
#define PARTYDEV_TOOLS_PARTYDEVCTL_DISPLAY_WIDTH_H_

#include <string>

#include "absl/strings/string_view.h"

namespace partydev::ctl {

// Terminal columns `utf8` takes.
int DisplayWidth(absl::string_view utf8);

// `utf8` cut to at most `width` columns, whole graphemes only, with "…"
// as the last column when something was cut.
std::string Truncate(absl::string_view utf8, int width);

// `utf8` followed by spaces up to `width` columns.
std::string PadRight(absl::string_view utf8, int width);

}  // namespace partydev::ctl

#endif  // PARTYDEV_TOOLS_PARTYDEVCTL_DISPLAY_WIDTH_H_
