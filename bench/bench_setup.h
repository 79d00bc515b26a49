// File: bench/bench_setup.h
//
// What every benchmark's main starts with: its flags (usage on --help) and
// a real redis-server of its own in a temporary directory, with the options
// of a client of it. Each benchmark parses its own flags; this only turns
// the outcome into an exit code the same way everywhere. Also the raw
// stream baseline the queue and projection benchmarks divide by: pipelined
// XADD, and an XREADGROUP + XACK loop that does nothing with what it reads.
//
//   absl::StatusOr<BenchFlags> flags = ParseFlags(argc, argv);
//   if (std::optional<int> exit = ExitOnFlagError(flags, kUsage)) return *exit;
//   testing::RedisServer redis;
//   absl::StatusOr<RedisOptions> options = StartBenchRedis(redis, 2);
//   if (!options.ok()) return 1;

#ifndef PARTYDEV_BENCH_BENCH_SETUP_H_
#define PARTYDEV_BENCH_BENCH_SETUP_H_

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/redis_client.h"
#include "common/redis_options.h"
#include "common/streams.h"
#include "tests/support/redis_server.h"

namespace partydev::bench {

// Parses `--name=value` flags of positive integers (1..10,000,000) into
// `ints`; CANCELLED for --help, INVALID_ARGUMENT (with `usage`) otherwise.
inline absl::Status ParseIntFlags(int argc, char** argv,
                                  const std::map<absl::string_view, int*>& ints,
                                  absl::string_view usage) {
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") return absl::CancelledError();
    std::vector<std::string> kv = absl::StrSplit(arg, absl::MaxSplits('=', 1));
    absl::string_view name = kv[0];
    if (kv.size() != 2 || !absl::ConsumePrefix(&name, "--")) {
      return absl::InvalidArgumentError(
          absl::StrCat("expected --name=value, got ", arg, "\n", usage));
    }
    auto it = ints.find(name);
    int value = 0;
    if (it == ints.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag ", arg, "\n", usage));
    }
    if (!absl::SimpleAtoi(kv[1], &value) || value < 1 || value > 10000000) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad value in ", arg, "\n", usage));
    }
    *it->second = value;
  }
  return absl::OkStatus();
}

// The exit code when the flags did not parse: 0 after printing `usage`
// (--help: ParseFlags returns CANCELLED), 2 after printing the error;
// nullopt when they parsed.
template <typename Flags>
std::optional<int> ExitOnFlagError(const absl::StatusOr<Flags>& flags,
                                   absl::string_view usage) {
  if (absl::IsCancelled(flags.status())) {
    std::cout << usage;
    return 0;
  }
  if (!flags.ok()) {
    std::cerr << flags.status().message();
    return 2;
  }
  return std::nullopt;
}

// Starts `redis` and returns the options of a client of it with
// `pool_size` connections; prints why on failure.
inline absl::StatusOr<RedisOptions> StartBenchRedis(testing::RedisServer& redis,
                                                    int pool_size) {
  if (absl::Status started = redis.Start(); !started.ok()) {
    std::cerr << "redis-server: " << started << "\n";
    return started;
  }
  absl::StatusOr<RedisOptions> options = ParseRedisUrl(redis.url());
  if (!options.ok()) {
    std::cerr << options.status() << "\n";
    return options.status();
  }
  options->pool_size = pool_size;
  return options;
}

// Appends one entry {field: value} per value to `stream` in pipelined
// batches of 1000; returns the id of the last entry.
inline absl::StatusOr<std::string> XAddAll(
    RedisClient& redis, const std::string& stream, const std::string& field,
    const std::vector<std::string>& values) {
  std::string last;
  constexpr size_t kBatch = 1000;
  for (size_t i = 0; i < values.size(); i += kBatch) {
    std::vector<RedisCommand> commands;
    for (size_t j = i; j < std::min(values.size(), i + kBatch); ++j) {
      commands.push_back({"XADD", stream, "*", field, values[j]});
    }
    absl::StatusOr<std::vector<RedisReply>> replies = redis.Pipeline(commands);
    if (!replies.ok()) return replies.status();
    for (const RedisReply& r : *replies) {
      if (r.is_error()) return absl::InternalError(r.str());
      last = r.str();
    }
  }
  return last;
}

// XREADGROUP (`batch` at a time) + XACK over every entry of `stream` after
// `start_id`, doing nothing with them, through `groups` new groups named
// after `tag`; returns the entries read.
inline absl::StatusOr<int64_t> RawDrain(RedisClient& redis,
                                        const std::string& stream,
                                        const std::string& start_id, int groups,
                                        const std::string& tag, int batch) {
  Streams streams(redis);
  int64_t read = 0;
  for (int g = 0; g < groups; ++g) {
    const std::string group = absl::StrCat("bench-raw-", tag, "-", g);
    if (absl::Status s = streams.EnsureGroup(stream, group, start_id);
        !s.ok()) {
      return s;
    }
    while (true) {
      absl::StatusOr<std::vector<StreamEntry>> entries = streams.ReadGroup(
          stream, group, "bench", batch, absl::ZeroDuration());
      if (!entries.ok()) return entries.status();
      if (entries->empty()) break;
      std::vector<std::string> ids;
      ids.reserve(entries->size());
      for (const auto& e : *entries) ids.push_back(e.id);
      absl::StatusOr<int64_t> acked = streams.Ack(stream, group, ids);
      if (!acked.ok()) return acked.status();
      read += static_cast<int64_t>(entries->size());
    }
  }
  return read;
}

}  // namespace partydev::bench

#endif  // PARTYDEV_BENCH_BENCH_SETUP_H_
