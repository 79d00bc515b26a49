// File: common/clock.h
//
// Where code that decides by the time of day gets "now". Services take a
// `const Clock&` instead of calling absl::Now(), so tests drive time with a
// ManualClock (a reminder due tomorrow fires when the test says it is
// tomorrow, without sleeping) while production passes a SystemClock.
//
//   SystemClock system_clock;             // production
//   ManualClock clock(absl::FromUnixSeconds(1700000000));
//   clock.Advance(absl::Minutes(5));       // tests
//
// Header only: the common library lists its sources explicitly.

#ifndef PARTYDEV_COMMON_CLOCK_H_
#define PARTYDEV_COMMON_CLOCK_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace partydev {

// A source of the current time. Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// The real time (absl::Now()).
class SystemClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

// The real time shifted by a fixed offset: rehearsals of what happens when
// a deadline passes (--clock_offset_days, development auth only).
class OffsetClock final : public Clock {
 public:
  explicit OffsetClock(absl::Duration offset) : offset_(offset) {}
  absl::Time Now() const override { return absl::Now() + offset_; }

 private:
  const absl::Duration offset_;
};

// A clock that moves only when told to (tests). Thread-safe: a test thread
// may advance it while workers read it.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(absl::Time start = absl::UnixEpoch()) : now_(start) {}

  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  // Sets the time (it may go backwards: tests of clock skew).
  void Set(absl::Time now) {
    absl::MutexLock lock(&mu_);
    now_ = now;
  }
  void Advance(absl::Duration by) {
    absl::MutexLock lock(&mu_);
    now_ += by;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace partydev

#endif  // PARTYDEV_COMMON_CLOCK_H_
