// partydev-loadgen: drives load at one unary RPC of a running partydev
// service and prints QPS and latency percentiles.
//
//   partydev-loadgen --target=127.0.0.1:50051
//       --method=/partydev.testing.v1.EchoService/Echo
//       --data='{"message":"x"}' --concurrency=32 --duration=10s --warmup=2s
//       --header=x-partydev-sub:bench
//
// Exit codes: 0 when at least one call succeeded, 1 when none did or the
// run could not start, 2 for bad flags.

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "bench/loadgen.h"

namespace partydev::bench {
namespace {

constexpr char kUsage[] =
    R"(Usage: partydev-loadgen --target=HOST:PORT --method=/pkg.Service/Method [options]

  --target=HOST:PORT     server address (plaintext gRPC)
  --method=/pkg.S/M      full method name of a unary RPC of the partydev API
  --data=JSON            request message in proto3 JSON (default {})
  --concurrency=N        calls in flight (default 1)
  --duration=D           measured time, e.g. 10s, 500ms (default 10s)
  --count=N              measure N calls instead of a duration
  --warmup=D             unmeasured calls first (default 1s)
  --header=KEY:VALUE     metadata sent with every call; repeatable
                         (dev auth: --header=x-partydev-sub:bench)
  --timeout=D            deadline of each call (default 10s)
  --threads=N            client threads (default 1 below concurrency 8, else 2)
  --connections=N        TCP connections (default 1)
)";

absl::Status BadFlag(absl::string_view name, absl::string_view value,
                     absl::string_view expected) {
  return absl::InvalidArgumentError(absl::StrCat(
      "--", name, "=", value, ": expected ", expected, "\n\n", kUsage));
}

absl::Status ParseInt(absl::string_view name, absl::string_view value,
                      int64_t min, int64_t* out) {
  if (!absl::SimpleAtoi(value, out) || *out < min) {
    return BadFlag(name, value, absl::StrCat("an integer >= ", min));
  }
  return absl::OkStatus();
}

absl::Status ParseDurationFlag(absl::string_view name, absl::string_view value,
                               absl::Duration* out) {
  if (!absl::ParseDuration(value, out) || *out < absl::ZeroDuration()) {
    return BadFlag(name, value, "a duration such as 10s or 500ms");
  }
  return absl::OkStatus();
}

// Parses `--name=value` and `--name value`. kCancelled for --help.
absl::StatusOr<LoadOptions> ParseFlags(int argc, char** argv) {
  LoadOptions options;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") return absl::CancelledError();
    if (!absl::ConsumePrefix(&arg, "--")) {
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected argument ", arg, "\n\n", kUsage));
    }
    std::string name;
    std::string value;
    if (size_t eq = arg.find('='); eq != absl::string_view::npos) {
      name = std::string(arg.substr(0, eq));
      value = std::string(arg.substr(eq + 1));
    } else if (i + 1 < argc) {
      name = std::string(arg);
      value = argv[++i];
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("--", arg, " needs a value\n\n", kUsage));
    }

    int64_t number = 0;
    absl::Status status;
    if (name == "target") {
      options.target = value;
    } else if (name == "method") {
      options.method = value;
    } else if (name == "data") {
      options.request_json = value;
    } else if (name == "concurrency") {
      status = ParseInt(name, value, 1, &number);
      options.concurrency = static_cast<int>(number);
    } else if (name == "count") {
      status = ParseInt(name, value, 1, &number);
      options.count = number;
    } else if (name == "duration") {
      status = ParseDurationFlag(name, value, &options.duration);
    } else if (name == "warmup") {
      status = ParseDurationFlag(name, value, &options.warmup);
    } else if (name == "timeout") {
      status = ParseDurationFlag(name, value, &options.call_timeout);
    } else if (name == "threads") {
      status = ParseInt(name, value, 1, &number);
      options.client_threads = static_cast<int>(number);
    } else if (name == "connections") {
      status = ParseInt(name, value, 1, &number);
      options.connections = static_cast<int>(number);
    } else if (name == "header") {
      std::vector<std::string> kv =
          absl::StrSplit(value, absl::MaxSplits(':', 1));
      if (kv.size() != 2 || kv[0].empty()) {
        return BadFlag(name, value, "KEY:VALUE");
      }
      // gRPC refuses upper-case metadata keys; HTTP/2 lower-cases them.
      options.metadata.emplace_back(absl::AsciiStrToLower(kv[0]), kv[1]);
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag --", name, "\n\n", kUsage));
    }
    if (!status.ok()) return status;
  }
  if (options.target.empty() || options.method.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--target and --method are required\n\n", kUsage));
  }
  return options;
}

int Main(int argc, char** argv) {
  absl::StatusOr<LoadOptions> options = ParseFlags(argc, argv);
  if (absl::IsCancelled(options.status())) {
    std::cout << kUsage;
    return 0;
  }
  if (!options.ok()) {
    std::cerr << options.status().message() << "\n";
    return 2;
  }
  std::cout << "target " << options->target << "  method " << options->method
            << "  concurrency " << options->concurrency << "  "
            << (options->count > 0 ? absl::StrCat(options->count, " calls")
                                   : absl::FormatDuration(options->duration))
            << " after " << absl::FormatDuration(options->warmup)
            << " warm-up\n";
  absl::StatusOr<LoadResult> result = RunLoad(*options);
  if (!result.ok()) {
    std::cerr << "partydev-loadgen: " << result.status() << "\n";
    return 1;
  }
  std::cout << FormatLoadResult(*result);
  if (!result->sample_response_json.empty()) {
    std::cout << "response: " << result->sample_response_json << "\n";
  }
  return result->ok > 0 ? 0 : 1;
}

}  // namespace
}  // namespace partydev::bench

int main(int argc, char** argv) { return partydev::bench::Main(argc, argv); }
