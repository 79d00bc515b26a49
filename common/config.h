// File: common/config.h
//
// The configuration of a partydev service, read the Kubernetes way: every
// option is a flag (`--listen=0.0.0.0:50051`) and an environment variable
// (`PARTYDEV_LISTEN`); a flag wins over the variable, the variable over the
// default. Values are validated at start; a bad value stops the process with
// a message that names the option and what was expected.
//
//   absl::StatusOr<ServiceConfig> config =
//       ParseServiceConfig(argc, argv, environ, {"membershipd", 50051, 9091});
//   if (!config.ok()) { std::cerr << config.status().message(); return 2; }

#ifndef PARTYDEV_COMMON_CONFIG_H_
#define PARTYDEV_COMMON_CONFIG_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/redis_options.h"

namespace partydev {

// What differs between the three binaries.
struct ServiceDefaults {
  std::string program;     // "membershipd"
  int grpc_port = 0;       // 50051
  int metrics_port = 0;    // 9091
  std::string key_prefix;  // Redis key prefix, e.g. "pd:membership:"
  std::string config_dir;  // rule sets, calendars (may be empty)
};

// How callers are authenticated.
enum class AuthMode {
  kJwt,  // Bearer JWT verified against PARTYDEV_JWT_KEY_FILE (production).
  kDev,  // Explicit development mode: identity from x-partydev-* metadata.
};

struct ServiceConfig {
  std::string program;
  std::string listen;          // host:port of the gRPC server
  std::string metrics_listen;  // host:port of the Prometheus endpoint
  RedisOptions redis;
  std::string key_prefix;
  // The key prefixes of the services whose event streams this one reads
  // (their streams are "<hash-tagged prefix>events").
  std::string membership_key_prefix;
  std::string quota_key_prefix;
  // Where those streams are, when not on this service's own Redis
  // (design.md: each service can be pointed at its own Redis). Unset: on
  // `redis`.
  std::optional<RedisOptions> membership_redis;
  std::optional<RedisOptions> quota_redis;
  // Directory of the service's configuration files (rule sets, calendars).
  std::string config_dir;
  AuthMode auth_mode = AuthMode::kJwt;
  std::string jwt_issuer;
  std::string jwt_audience;
  std::string jwt_key_file;
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;
  int workers = 0;                 // threads that run handlers (Redis I/O)
  int max_message_bytes = 0;       // per message, both directions
  absl::Duration drain_timeout;    // graceful shutdown budget
  absl::Duration health_interval;  // how often Redis is pinged
  std::string log_level;           // trace, debug, info, warn, error
  // How often the background sweeps run: membershipd's deadline scan,
  // notifyd's reminder and delivery-deadline sweeps.
  absl::Duration sweep_period = absl::Minutes(1);
  // The name under which this process reads event streams in their
  // consumer groups. Empty: a random one per process. A stable name (the
  // pod's name, which survives a container restart) lets a process killed
  // mid-event take its pending entries back at once on restart, instead of
  // waiting until they are idle long enough to be claimed.
  std::string consumer_name;
  // Development and rehearsals only (allowed with --auth=dev): the clock of
  // the background sweeps and of notifyd runs this much ahead of the real
  // time, so a committee can rehearse what happens when a deadline passes.
  absl::Duration clock_offset = absl::ZeroDuration();
};

// The consumer name of `role` ("reminders", "projections"...) in this
// process: "{consumer_name}-{role}" when --consumer_name is set, else
// "{program}-{role}-{8 random hex}", unique per process.
std::string ConsumerNameOf(const ServiceConfig& config,
                           const std::string& role);

// One option: its flag, its environment variable, default and help.
struct OptionSpec {
  std::string flag;  // "listen"
  std::string env;   // "PARTYDEV_LISTEN"
  std::string default_value;
  std::string help;
};

// The options every service understands, with defaults from `defaults`.
std::vector<OptionSpec> ServiceOptionSpecs(const ServiceDefaults& defaults);

// The text of --help.
std::string ServiceHelp(const ServiceDefaults& defaults);

// Parses argv (flags `--name=value` or `--name value`) and `envp` (a
// nullptr-terminated array like `environ`). Returns kInvalidArgument naming
// the option for an unknown flag or a bad value, and kCancelled when --help
// was asked (the caller prints ServiceHelp and exits 0).
absl::StatusOr<ServiceConfig> ParseServiceConfig(
    int argc, const char* const* argv, const char* const* envp,
    const ServiceDefaults& defaults);

}  // namespace partydev

#endif  // PARTYDEV_COMMON_CONFIG_H_
