// partydev-baseline-bench: the denominators of every partydev benchmark,
// measured in one run on one machine.
//
// A later benchmark's absolute numbers say little (they move with the
// machine, its load and the build), but its ratio to a baseline measured in
// the same run does: "CreatePerson runs at 0.31 of an empty handler" is
// comparable across machines. This binary starts a real redis-server and
// the Echo service in-process on the shared runtime, then measures:
//
//   gRPC   Echo (an empty handler through ServiceRuntime::Unary) at
//          concurrency 1 and C, and PingRedis (one Redis round trip through
//          the runtime) at the same concurrencies, as a ratio to Echo;
//   Redis  SET and GET through the runtime's RedisClient from C threads,
//          one command per call and in pipelines of P, as a ratio to
//          `redis-benchmark -c C [-P P]` doing the same commands on the
//          same server.
//
// Flags: --duration=5s --warmup=1s (each gRPC measurement), --concurrency=32,
// --redis_requests=100000 (single commands), --redis_pipelined_requests=
// 500000, --pipeline=16. The defaults finish in well under a minute.

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/bench_setup.h"
#include "bench/loadgen.h"
#include "common/redis_client.h"
#include "common/redis_options.h"
#include "partydev/testing/v1/echo.grpc.pb.h"
#include "tests/support/echo_service.h"
#include "tests/support/in_process_server.h"
#include "tests/support/redis_server.h"

extern char** environ;

namespace partydev::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct BenchFlags {
  absl::Duration duration = absl::Seconds(5);
  absl::Duration warmup = absl::Seconds(1);
  int concurrency = 32;
  int64_t redis_requests = 100000;
  int64_t redis_pipelined_requests = 500000;
  int pipeline = 16;
};

constexpr char kUsage[] =
    R"(Usage: partydev-baseline-bench [--duration=5s] [--warmup=1s]
           [--concurrency=32] [--redis_requests=100000]
           [--redis_pipelined_requests=500000] [--pipeline=16]
)";

absl::StatusOr<BenchFlags> ParseFlags(int argc, char** argv) {
  BenchFlags flags;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") return absl::CancelledError();
    std::vector<std::string> kv = absl::StrSplit(arg, absl::MaxSplits('=', 1));
    absl::string_view name = kv[0];
    if (kv.size() != 2 || !absl::ConsumePrefix(&name, "--")) {
      return absl::InvalidArgumentError(
          absl::StrCat("expected --name=value, got ", arg, "\n", kUsage));
    }
    const std::string& value = kv[1];
    int64_t number = 0;
    bool ok = true;
    if (name == "duration") {
      ok = absl::ParseDuration(value, &flags.duration) &&
           flags.duration > absl::ZeroDuration();
    } else if (name == "warmup") {
      ok = absl::ParseDuration(value, &flags.warmup) &&
           flags.warmup >= absl::ZeroDuration();
    } else if (name == "concurrency" || name == "pipeline") {
      ok = absl::SimpleAtoi(value, &number) && number >= 1 && number <= 1024;
      (name == "concurrency" ? flags.concurrency : flags.pipeline) =
          static_cast<int>(number);
    } else if (name == "redis_requests" || name == "redis_pipelined_requests") {
      ok = absl::SimpleAtoi(value, &number) && number >= 1;
      (name == "redis_requests" ? flags.redis_requests
                                : flags.redis_pipelined_requests) = number;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag ", arg, "\n", kUsage));
    }
    if (!ok) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad value in ", arg, "\n", kUsage));
    }
  }
  return flags;
}

// ---------------------------------------------------------------------------
// gRPC: Echo and PingRedis through the runtime.

struct GrpcRow {
  std::string name;
  int concurrency = 0;
  LoadResult result;
  double ratio = 0;  // qps / Echo qps at the same concurrency
};

absl::Status RunGrpcSection(const testing::RedisServer& redis,
                            const BenchFlags& flags,
                            std::vector<GrpcRow>* rows) {
  // The production defaults of workers and log level, not the tests' (4
  // workers, warn), so the baseline is the runtime as deployed.
  testing::InProcessServer server(
      testing::TestConfig(redis.url(), {"--workers=16", "--log_level=info"}),
      [](ServiceRuntime& runtime)
          -> absl::StatusOr<std::vector<ServiceRegistration>> {
        std::vector<ServiceRegistration> services;
        services.push_back(
            {std::make_unique<testing::EchoServiceImpl>(runtime),
             partydev::testing::v1::EchoService::service_full_name()});
        return services;
      });
  if (absl::Status started = server.Start(); !started.ok()) return started;

  const std::vector<int> concurrencies =
      flags.concurrency == 1 ? std::vector<int>{1}
                             : std::vector<int>{1, flags.concurrency};
  for (int concurrency : concurrencies) {
    double echo_qps = 0;
    for (const char* method : {"Echo", "PingRedis"}) {
      LoadOptions options;
      options.target = server.address();
      options.method =
          absl::StrCat("/partydev.testing.v1.EchoService/", method);
      options.request_json = R"({"message": "x"})";
      options.metadata = {{"x-partydev-sub", "bench"}};
      options.concurrency = concurrency;
      options.duration = flags.duration;
      options.warmup = flags.warmup;
      absl::StatusOr<LoadResult> result = RunLoad(options);
      if (!result.ok()) return result.status();
      GrpcRow row{method, concurrency, *result};
      if (row.name == "Echo") echo_qps = result->qps;
      row.ratio = echo_qps > 0 ? result->qps / echo_qps : 0;
      std::cerr << "  gRPC " << method << " c=" << concurrency << ": "
                << FormatLoadResult(*result);
      rows->push_back(std::move(row));
    }
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// Redis: RedisClient against redis-benchmark.

// One line of redis-benchmark's CSV.
struct RedisBenchmarkRow {
  double rps = 0;
  double p50_ms = 0;  // 0 when the redis-benchmark is too old to print it
  double p99_ms = 0;
};

// Runs `argv` without a shell and returns what it wrote to stdout.
absl::StatusOr<std::string> RunAndCapture(std::vector<std::string> argv) {
  int fds[2];
  if (pipe(fds) != 0) return absl::InternalError("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = -1;
  const int spawned =
      posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (spawned != 0) {
    close(fds[0]);
    return absl::UnavailableError(
        absl::StrCat("cannot run ", argv[0], ": apt-get install redis-tools"));
  }
  std::string out;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fds[0], buffer, sizeof(buffer))) > 0) out.append(buffer, n);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(absl::StrCat(argv[0], " failed: ", out));
  }
  return out;
}

// Parses `redis-benchmark --csv`: Redis 7 prints a header
// ("test","rps","avg_latency_ms",...,"p50_latency_ms",...); older versions
// print only "test","rps" rows.
absl::StatusOr<std::map<std::string, RedisBenchmarkRow>> ParseRedisBenchmarkCsv(
    absl::string_view csv) {
  std::map<std::string, RedisBenchmarkRow> rows;
  std::vector<std::string> header = {"test", "rps"};
  for (absl::string_view line : absl::StrSplit(csv, '\n')) {
    // Progress updates end in '\r'; only the text after the last one stays.
    if (size_t cr = line.rfind('\r'); cr != absl::string_view::npos) {
      line = line.substr(cr + 1);
    }
    std::vector<std::string> cells;
    for (absl::string_view cell : absl::StrSplit(line, ',')) {
      cells.emplace_back(
          absl::StripSuffix(absl::StripPrefix(cell, "\""), "\""));
    }
    if (cells.size() < 2) continue;
    if (cells[0] == "test") {
      header = cells;
      continue;
    }
    RedisBenchmarkRow row;
    for (size_t i = 1; i < cells.size() && i < header.size(); ++i) {
      double value = 0;
      if (!absl::SimpleAtod(cells[i], &value)) continue;
      if (header[i] == "rps") row.rps = value;
      if (header[i] == "p50_latency_ms") row.p50_ms = value;
      if (header[i] == "p99_latency_ms") row.p99_ms = value;
    }
    rows[cells[0]] = row;
  }
  if (rows.empty()) {
    return absl::InternalError(
        absl::StrCat("no results in redis-benchmark output: ", csv));
  }
  return rows;
}

// SET and GET as redis-benchmark sends them without -r and with the default
// 3-byte value, so both sides touch the same key and value.
RedisCommand BenchmarkCommand(absl::string_view test) {
  if (test == "SET") return {"SET", "key:__rand_int__", "xxx"};
  return {"GET", "key:__rand_int__"};
}

struct ClientResult {
  double ops_per_second = 0;
  LatencyHistogram latency;  // per call: one command, or one pipeline
  int64_t errors = 0;
  std::string first_error;
};

// `requests` commands from `concurrency` threads sharing one RedisClient
// with one pooled connection per thread, as redis-benchmark keeps one
// connection per client. With pipeline > 1, each call is a Pipeline() of
// that many commands.
ClientResult RunRedisClient(RedisOptions options, const RedisCommand& command,
                            int concurrency, int64_t requests, int pipeline) {
  options.pool_size = concurrency;
  RedisClient client(options);
  const std::vector<RedisCommand> batch(pipeline, command);
  const int64_t calls = std::max<int64_t>(1, requests / pipeline);

  struct PerThread {
    LatencyHistogram latency;
    int64_t errors = 0;
    std::string first_error;
    Clock::time_point finished;
  };
  std::vector<PerThread> results(concurrency);
  std::atomic<int> ready{0};
  absl::Notification go;
  // PINGs from every thread at once until then, so that the pool holds a
  // connection per thread before the clock starts.
  const absl::Time warm_until = absl::Now() + absl::Milliseconds(300);
  std::vector<std::thread> threads;
  for (int t = 0; t < concurrency; ++t) {
    threads.emplace_back([&, t] {
      while (absl::Now() < warm_until) (void)client.Ping();
      ready.fetch_add(1);
      go.WaitForNotification();
      PerThread& mine = results[t];
      const int64_t my_calls =
          calls / concurrency + (t < calls % concurrency ? 1 : 0);
      for (int64_t i = 0; i < my_calls; ++i) {
        const Clock::time_point start = Clock::now();
        absl::Status status;
        if (pipeline == 1) {
          absl::StatusOr<RedisReply> reply = client.Command(command);
          status = reply.status();
          if (status.ok() && reply->is_error()) {
            status = absl::InternalError(reply->str());
          }
        } else {
          absl::StatusOr<std::vector<RedisReply>> replies =
              client.Pipeline(batch);
          status = replies.status();
          if (status.ok() && replies->size() != batch.size()) {
            status = absl::InternalError("short pipeline reply");
          }
          for (size_t r = 0; status.ok() && r < replies->size(); ++r) {
            if ((*replies)[r].is_error()) {
              status = absl::InternalError((*replies)[r].str());
            }
          }
        }
        mine.latency.Record(absl::FromChrono(Clock::now() - start));
        if (!status.ok()) {
          ++mine.errors;
          if (mine.first_error.empty()) mine.first_error = status.ToString();
        }
      }
      mine.finished = Clock::now();
    });
  }
  while (ready.load() < concurrency) absl::SleepFor(absl::Milliseconds(1));
  const Clock::time_point start = Clock::now();
  go.Notify();
  for (auto& thread : threads) thread.join();

  ClientResult result;
  Clock::time_point end = start;
  for (const PerThread& mine : results) {
    result.latency.Merge(mine.latency);
    result.errors += mine.errors;
    if (result.first_error.empty()) result.first_error = mine.first_error;
    end = std::max(end, mine.finished);
  }
  const double seconds = std::chrono::duration<double>(end - start).count();
  if (seconds > 0) result.ops_per_second = calls * pipeline / seconds;
  return result;
}

struct RedisRow {
  std::string command;
  int pipeline = 1;
  RedisBenchmarkRow theirs;
  ClientResult ours;
};

absl::Status RunRedisSection(const testing::RedisServer& redis,
                             const BenchFlags& flags,
                             std::vector<RedisRow>* rows) {
  absl::StatusOr<RedisOptions> options = ParseRedisUrl(redis.url());
  if (!options.ok()) return options.status();
  for (int pipeline : {1, flags.pipeline}) {
    const int64_t requests =
        pipeline == 1 ? flags.redis_requests : flags.redis_pipelined_requests;
    absl::StatusOr<std::string> csv = RunAndCapture(
        {"redis-benchmark", "-p", absl::StrCat(redis.port()), "-t", "set,get",
         "-n", absl::StrCat(requests), "-c", absl::StrCat(flags.concurrency),
         "-P", absl::StrCat(pipeline), "-q", "--csv"});
    if (!csv.ok()) return csv.status();
    absl::StatusOr<std::map<std::string, RedisBenchmarkRow>> theirs =
        ParseRedisBenchmarkCsv(*csv);
    if (!theirs.ok()) return theirs.status();
    for (const char* test : {"SET", "GET"}) {
      RedisRow row{test, pipeline, (*theirs)[test], {}};
      row.ours = RunRedisClient(*options, BenchmarkCommand(test),
                                flags.concurrency, requests, pipeline);
      std::cerr << absl::StrFormat(
          "  Redis %s -P %d: redis-benchmark %.0f/s, RedisClient %.0f/s\n",
          test, pipeline, row.theirs.rps, row.ours.ops_per_second);
      rows->push_back(std::move(row));
    }
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// Report.

std::string RedisVersion(const testing::RedisServer& redis) {
  absl::StatusOr<RedisOptions> options = ParseRedisUrl(redis.url());
  if (!options.ok()) return "?";
  options->pool_size = 1;
  RedisClient client(*options);
  absl::StatusOr<RedisReply> info = client.Command({"INFO", "server"});
  if (!info.ok()) return "?";
  for (absl::string_view line : absl::StrSplit(info->str(), "\r\n")) {
    if (absl::ConsumePrefix(&line, "redis_version:")) return std::string(line);
  }
  return "?";
}

std::string Millis(double ms) {
  return ms > 0 ? FormatLatency(absl::Microseconds(ms * 1000)) : "-";
}

void PrintReport(const BenchFlags& flags, const std::string& redis_version,
                 const std::vector<GrpcRow>& grpc_rows,
                 const std::vector<RedisRow>& redis_rows) {
  std::cout << absl::StrFormat(
      "partydev baseline: %u cores, gRPC %s, redis-server %s; gRPC runs %s "
      "after %s warm-up\n\n",
      std::thread::hardware_concurrency(), grpc::Version(), redis_version,
      absl::FormatDuration(flags.duration), absl::FormatDuration(flags.warmup));

  std::cout << "gRPC through the runtime (ratio = QPS / Echo QPS at the same "
               "concurrency)\n\n"
               "| RPC | conc | QPS | p50 | p90 | p99 | max | errors | ratio "
               "|\n"
               "|---|--:|--:|--:|--:|--:|--:|--:|--:|\n";
  for (const GrpcRow& row : grpc_rows) {
    std::cout << absl::StrFormat(
        "| %s | %d | %.0f | %s | %s | %s | %s | %d | %.2f |\n", row.name,
        row.concurrency, row.result.qps, FormatLatency(row.result.p50),
        FormatLatency(row.result.p90), FormatLatency(row.result.p99),
        FormatLatency(row.result.max), row.result.count - row.result.ok,
        row.ratio);
  }

  std::cout << absl::StrFormat(
      "\nRedis: RedisClient from %d threads vs redis-benchmark -c %d "
      "(ratio = ours / redis-benchmark ops/s; latency per call, i.e. per "
      "pipeline when P > 1)\n\n",
      flags.concurrency, flags.concurrency);
  std::cout << "| command | P | redis-benchmark ops/s | p50 | p99 | "
               "RedisClient ops/s | p50 | p99 | errors | ratio |\n"
               "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n";
  for (const RedisRow& row : redis_rows) {
    std::cout << absl::StrFormat(
        "| %s | %d | %.0f | %s | %s | %.0f | %s | %s | %d | %.2f |\n",
        row.command, row.pipeline, row.theirs.rps, Millis(row.theirs.p50_ms),
        Millis(row.theirs.p99_ms), row.ours.ops_per_second,
        FormatLatency(row.ours.latency.Percentile(50)),
        FormatLatency(row.ours.latency.Percentile(99)), row.ours.errors,
        row.theirs.rps > 0 ? row.ours.ops_per_second / row.theirs.rps : 0);
  }

  for (const GrpcRow& row : grpc_rows) {
    if (!row.result.first_error.empty()) {
      std::cout << "\n"
                << row.name << " c=" << row.concurrency
                << " first error: " << row.result.first_error << "\n";
    }
  }
  for (const RedisRow& row : redis_rows) {
    if (!row.ours.first_error.empty()) {
      std::cout << "\nRedisClient " << row.command << " P=" << row.pipeline
                << " first error: " << row.ours.first_error << "\n";
    }
  }
}

int Main(int argc, char** argv) {
  absl::StatusOr<BenchFlags> flags = ParseFlags(argc, argv);
  if (std::optional<int> exit = ExitOnFlagError(flags, kUsage)) return *exit;

  testing::RedisServer redis;
  if (!StartBenchRedis(redis, 1).ok()) return 1;

  std::vector<GrpcRow> grpc_rows;
  // The server is stopped before the Redis section, so that its threads
  // (health checks) stay out of the Redis numbers.
  if (absl::Status s = RunGrpcSection(redis, *flags, &grpc_rows); !s.ok()) {
    std::cerr << "gRPC section: " << s << "\n";
    return 1;
  }
  std::vector<RedisRow> redis_rows;
  if (absl::Status s = RunRedisSection(redis, *flags, &redis_rows); !s.ok()) {
    std::cerr << "Redis section: " << s << "\n";
    return 1;
  }
  PrintReport(*flags, RedisVersion(redis), grpc_rows, redis_rows);

  bool clean = true;
  for (const GrpcRow& row : grpc_rows)
    clean &= row.result.ok == row.result.count;
  for (const RedisRow& row : redis_rows) clean &= row.ours.errors == 0;
  return clean ? 0 : 1;
}

}  // namespace
}  // namespace partydev::bench

int main(int argc, char** argv) { return partydev::bench::Main(argc, argv); }
