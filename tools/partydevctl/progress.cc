#include "tools/partydevctl/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <ostream>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/partydevctl/display_width.h"

namespace partydev::ctl {
namespace {

constexpr int kBarWidth = 24;
constexpr absl::Duration kRedrawEvery = absl::Milliseconds(100);

std::string Amount(double n, ProgressUnit unit) {
  if (unit == ProgressUnit::kCount) {
    return absl::StrCat(static_cast<int64_t>(std::llround(n)));
  }
  const char* const kUnits[] = {"B", "KiB", "MiB", "GiB"};
  int u = 0;
  while (n >= 1024 && u < 3) {
    n /= 1024;
    ++u;
  }
  return u == 0 ? absl::StrCat(static_cast<int64_t>(n), " B")
                : absl::StrFormat("%.1f %s", n, kUnits[u]);
}

// "0:07", "12:30", "1:02:03".
std::string Clock(int64_t seconds) {
  if (seconds >= 3600) {
    return absl::StrFormat("%d:%02d:%02d", seconds / 3600, seconds / 60 % 60,
                           seconds % 60);
  }
  return absl::StrFormat("%d:%02d", seconds / 60, seconds % 60);
}

}  // namespace

absl::StatusOr<ProgressMode> ParseProgressMode(absl::string_view word) {
  if (word == "auto") return ProgressMode::kAuto;
  if (word == "always") return ProgressMode::kAlways;
  if (word == "never") return ProgressMode::kNever;
  return absl::InvalidArgumentError(
      absl::StrCat("--progress: \"", word, "\" is not auto, always or never"));
}

bool ProgressShown(ProgressMode mode) {
  return mode == ProgressMode::kAlways ||
         (mode == ProgressMode::kAuto && isatty(2) != 0);
}

std::string ProgressLine(absl::string_view label, int64_t done, int64_t total,
                         absl::Duration elapsed, ProgressUnit unit) {
  std::string line = PadRight(label, 14);
  const double seconds = absl::ToDoubleSeconds(elapsed);
  const double rate = done > 0 && seconds > 0 ? done / seconds : 0;
  if (total > 0) {
    const int64_t shown = std::min(done, total);
    const int filled = static_cast<int>(kBarWidth * shown / total);
    absl::StrAppend(&line, "[", std::string(filled, '#'),
                    std::string(kBarWidth - filled, '.'), "]  ",
                    Amount(shown, unit), "/", Amount(total, unit), "  ",
                    100 * shown / total, "%");
  } else {
    absl::StrAppend(&line, Amount(done, unit));
  }
  if (rate > 0) {
    absl::StrAppend(&line, "  ", Amount(rate, unit), "/s");
    if (total > 0 && done < total) {
      absl::StrAppend(
          &line, "  ETA ",
          Clock(static_cast<int64_t>(std::ceil((total - done) / rate))));
    } else if (total > 0) {
      absl::StrAppend(&line, "  in ",
                      Clock(static_cast<int64_t>(std::llround(seconds))));
    }
  }
  return line;
}

ProgressBar::ProgressBar(std::string label, int64_t total, ProgressUnit unit,
                         bool shown, std::ostream& out)
    : label_(std::move(label)),
      total_(total),
      unit_(unit),
      shown_(shown),
      out_(out),
      start_(absl::Now()) {}

ProgressBar::~ProgressBar() { Finish(); }

void ProgressBar::Set(int64_t done) {
  done_ = done;
  Draw(false);
}

void ProgressBar::SetTotal(int64_t total) {
  total_ = total;
  Draw(false);
}

void ProgressBar::SetLabel(std::string label) {
  const bool changed = label != label_;
  label_ = std::move(label);
  Draw(changed);
}

void ProgressBar::Finish() {
  if (finished_) return;
  Draw(true);
  if (shown_) out_ << "\n" << std::flush;
  finished_ = true;
}

void ProgressBar::Draw(bool force) {
  if (!shown_ || finished_) return;
  const absl::Time now = absl::Now();
  if (!force && now - last_draw_ < kRedrawEvery) return;
  last_draw_ = now;
  std::string line = ProgressLine(label_, done_, total_, now - start_, unit_);
  // Blank what a longer previous line left behind.
  const size_t width = static_cast<size_t>(DisplayWidth(line));
  if (width < last_width_) line += std::string(last_width_ - width, ' ');
  last_width_ = width;
  out_ << "\r" << line << std::flush;
}

}  // namespace partydev::ctl
