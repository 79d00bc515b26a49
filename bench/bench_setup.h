// File: bench/bench_setup.h
//
// What every benchmark's main starts with: its flags (usage on --help) and
// a real redis-server of its own in a temporary directory, with the options
// of a client of it. Each benchmark parses its own flags; this only turns
// the outcome into an exit code the same way everywhere.
//
//   absl::StatusOr<BenchFlags> flags = ParseFlags(argc, argv);
//   if (std::optional<int> exit = ExitOnFlagError(flags, kUsage)) return *exit;
//   testing::RedisServer redis;
//   absl::StatusOr<RedisOptions> options = StartBenchRedis(redis, 2);
//   if (!options.ok()) return 1;

#ifndef PARTYDEV_BENCH_BENCH_SETUP_H_
#define PARTYDEV_BENCH_BENCH_SETUP_H_

#include <iostream>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/redis_options.h"
#include "tests/support/redis_server.h"

namespace partydev::bench {

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

}  // namespace partydev::bench

#endif  // PARTYDEV_BENCH_BENCH_SETUP_H_
