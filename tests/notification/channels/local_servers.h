// File: tests/notification/channels/local_servers.h
//
// Real local peers for the channel tests: the Python webhook receiver and
// SMTP sink of this folder, run with /usr/bin/python3 as child processes
// (tests/support/process.h), plus helpers to run the checking scripts
// (check_mime.py, the node verifier) and read what the peers recorded.
// Header-only: the test binary is built from this folder's *_test.cc.

#ifndef PARTYDEV_TESTS_NOTIFICATION_CHANNELS_LOCAL_SERVERS_H_
#define PARTYDEV_TESTS_NOTIFICATION_CHANNELS_LOCAL_SERVERS_H_

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/support/process.h"

namespace partydev::notification::test {

inline constexpr char kPython[] = "/usr/bin/python3";

// A path under the source tree.
inline std::string SourcePath(const std::string& relative) {
  return absl::StrCat(PARTYDEV_SOURCE_DIR, "/", relative);
}

// The folder of this test's scripts.
inline std::string ScriptPath(const std::string& name) {
  return SourcePath("tests/notification/channels/" + name);
}

// A fresh directory under TMPDIR (or /tmp); empty on failure.
inline std::string MakeTempDir(const std::string& prefix) {
  const char* base = getenv("TMPDIR");
  std::string pattern =
      absl::StrCat(base != nullptr ? base : "/tmp", "/", prefix, "-XXXXXX");
  if (mkdtemp(pattern.data()) == nullptr) return "";
  return pattern;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

inline bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

inline bool FileExists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

// Waits for a child to write its port to `port_file`.
inline absl::StatusOr<int> WaitForPort(
    const std::string& port_file, const ::partydev::testing::Process& process,
    absl::Duration timeout) {
  const absl::Time until = absl::Now() + timeout;
  while (absl::Now() < until) {
    int port = 0;
    if (absl::SimpleAtoi(ReadFile(port_file), &port) && port > 0) return port;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return absl::DeadlineExceededError(
      absl::StrCat("no port in ", port_file, "; log:\n", process.Log()));
}

// Stops `process` and removes `dir`, unless the running test has failed
// (then the peer's log and what it recorded stay for the post-mortem).
inline void StopAndClean(::partydev::testing::Process& process,
                         const std::string& dir) {
  if (process.running()) {
    process.Signal(SIGKILL);
    process.Wait(absl::Seconds(5)).IgnoreError();
  }
  if (dir.empty()) return;
  if (::testing::Test::HasFailure()) {
    std::fprintf(stderr, "kept for inspection: %s\n", dir.c_str());
    return;
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

// A command's exit code and its combined stdout and stderr.
struct CommandResult {
  int exit_code = -1;
  std::string output;
};

// Runs `command` with /bin/sh.
inline CommandResult RunCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
    result.output.append(buffer, n);
  }
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// webhook_receiver.py on a free port.
class WebhookReceiver {
 public:
  WebhookReceiver() = default;
  ~WebhookReceiver() { StopAndClean(process_, dir_); }
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  // `extra_args`: --statuses, --retry-after, --hang.
  absl::Status Start(const std::vector<std::string>& extra_args) {
    dir_ = MakeTempDir("partydev-webhook");
    if (dir_.empty()) return absl::InternalError("mkdtemp failed");
    std::vector<std::string> args = {ScriptPath("webhook_receiver.py"),
                                     "--port-file", dir_ + "/port", "--log",
                                     log_path()};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    if (absl::Status s = process_.Start(kPython, args, {}, dir_ + "/out.log");
        !s.ok()) {
      return s;
    }
    absl::StatusOr<int> port =
        WaitForPort(dir_ + "/port", process_, absl::Seconds(10));
    if (!port.ok()) return port.status();
    port_ = *port;
    return absl::OkStatus();
  }
  std::string url() const {
    return absl::StrCat("http://127.0.0.1:", port_, "/hooks/partydev");
  }
  // Where every request is recorded, one JSON object a line.
  std::string log_path() const { return dir_ + "/requests.jsonl"; }
  std::vector<nlohmann::json> Requests() const {
    std::vector<nlohmann::json> out;
    for (absl::string_view line :
         absl::StrSplit(ReadFile(log_path()), '\n', absl::SkipEmpty())) {
      out.push_back(nlohmann::json::parse(line));
    }
    return out;
  }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  int port_ = 0;
  ::partydev::testing::Process process_;
};

// smtp_sink.py on a free port.
class SmtpSink {
 public:
  SmtpSink() = default;
  ~SmtpSink() { StopAndClean(process_, dir_); }
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  // `extra_args`: --rcpt-reply.
  absl::Status Start(const std::vector<std::string>& extra_args) {
    dir_ = MakeTempDir("partydev-smtp");
    if (dir_.empty()) return absl::InternalError("mkdtemp failed");
    std::vector<std::string> args = {ScriptPath("smtp_sink.py"), "--port-file",
                                     dir_ + "/port", "--out-dir",
                                     dir_ + "/mail"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    if (absl::Status s = process_.Start(kPython, args, {}, dir_ + "/out.log");
        !s.ok()) {
      return s;
    }
    absl::StatusOr<int> port =
        WaitForPort(dir_ + "/port", process_, absl::Seconds(10));
    if (!port.ok()) return port.status();
    port_ = *port;
    return absl::OkStatus();
  }
  std::string url() const { return absl::StrCat("smtp://127.0.0.1:", port_); }
  // The .eml files received, in order.
  std::vector<std::string> Messages() const {
    std::vector<std::string> out;
    const std::string mail = dir_ + "/mail";
    if (DIR* d = opendir(mail.c_str())) {
      while (dirent* e = readdir(d)) {
        if (absl::EndsWith(e->d_name, ".eml")) {
          out.push_back(mail + "/" + e->d_name);
        }
      }
      closedir(d);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  std::string dir_;
  int port_ = 0;
  ::partydev::testing::Process process_;
};

}  // namespace partydev::notification::test

#endif  // PARTYDEV_TESTS_NOTIFICATION_CHANNELS_LOCAL_SERVERS_H_
