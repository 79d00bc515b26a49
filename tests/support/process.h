// File: tests/support/process.h
//
// A child process for end-to-end tests: the real binaries, started with
// flags and environment, their output in a log file, stopped by signal.

#ifndef PARTYDEV_TESTS_SUPPORT_PROCESS_H_
#define PARTYDEV_TESTS_SUPPORT_PROCESS_H_

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace partydev::testing {

class Process {
 public:
  Process() = default;
  ~Process();  // SIGKILL if still running
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // Starts `path` with `args`; `env` is added to this process's
  // environment. stdout and stderr go to `log_path`.
  absl::Status Start(const std::string& path,
                     const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& env,
                     const std::string& log_path);
  void Signal(int signal_number);
  // Waits for the exit; returns the exit code (128+N after signal N), or
  // kDeadlineExceeded.
  absl::StatusOr<int> Wait(absl::Duration timeout);
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }
  // The log's contents.
  std::string Log() const;

 private:
  pid_t pid_ = -1;
  std::string log_path_;
};

// Path of a binary built next to the tests (set by CMake), e.g.
// BinaryPath("membershipd").
std::string BinaryPath(const std::string& name);

}  // namespace partydev::testing

#endif  // PARTYDEV_TESTS_SUPPORT_PROCESS_H_
