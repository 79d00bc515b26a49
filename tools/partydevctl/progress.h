// File: tools/partydevctl/progress.h
//
// A progress bar for long work (an import's bytes sent, an export's bytes
// received, the demo load's records), on stderr so that stdout stays the
// command's output:
//
//   people   [##########..............]  1.2 MiB/3.0 MiB  40%  2.1 MiB/s  ETA
//   0:01
//
// Shown only where someone watches (stderr is a terminal) unless
// --progress=always|never says otherwise; redrawn in place at most ten
// times a second; ends with a newline so the next output starts clean.
// ProgressLine is the pure part (what one redraw prints), for tests.

#ifndef PARTYDEV_TOOLS_PARTYDEVCTL_PROGRESS_H_
#define PARTYDEV_TOOLS_PARTYDEVCTL_PROGRESS_H_

#include <cstdint>
#include <iosfwd>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace partydev::ctl {

// --progress: auto (when stderr is a terminal), always, never.
enum class ProgressMode { kAuto, kAlways, kNever };
absl::StatusOr<ProgressMode> ParseProgressMode(absl::string_view word);

// What the numbers count.
enum class ProgressUnit {
  kCount,  // records, calls, rows: "1200/6000", "350/s"
  kBytes,  // "1.2 MiB/3.0 MiB", "2.1 MiB/s"
};

// One redraw: `label`, the bar, done/total, percent, rate and ETA. A total
// of 0 means unknown (an export before its last chunk): no bar, percent
// or ETA, only done and the rate. No rate or ETA before anything is done.
std::string ProgressLine(absl::string_view label, int64_t done, int64_t total,
                         absl::Duration elapsed, ProgressUnit unit);

class ProgressBar {
 public:
  // `shown` false: every call does nothing (scripts, logs, --progress=never).
  ProgressBar(std::string label, int64_t total, ProgressUnit unit, bool shown,
              std::ostream& out);
  ~ProgressBar();  // Finish()
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void Set(int64_t done);
  void Add(int64_t n) { Set(done_ + n); }
  void SetTotal(int64_t total);
  void SetLabel(std::string label);
  // The last line, then a newline; once.
  void Finish();

 private:
  void Draw(bool force);

  std::string label_;
  int64_t total_;
  const ProgressUnit unit_;
  const bool shown_;
  std::ostream& out_;
  const absl::Time start_;
  absl::Time last_draw_ = absl::InfinitePast();
  int64_t done_ = 0;
  size_t last_width_ = 0;
  bool finished_ = false;
};

// Whether a bar is shown in `mode` on file descriptor 2.
bool ProgressShown(ProgressMode mode);

}  // namespace partydev::ctl

#endif  // PARTYDEV_TOOLS_PARTYDEVCTL_PROGRESS_H_
