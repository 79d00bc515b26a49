#include "common/config.h"

#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "common/errors.h"
#include "common/ids.h"

namespace partydev {
namespace {

absl::Status BadOption(const OptionSpec& spec, absl::string_view value,
                       absl::string_view expected) {
  return InvalidField(
      spec.flag, absl::StrCat("--", spec.flag, " / ", spec.env, " = \"", value,
                              "\": ", expected));
}

// A host:port where the port is 0..65535 and the host is not empty.
bool IsHostPort(absl::string_view value) {
  size_t colon = value.rfind(':');
  if (colon == absl::string_view::npos || colon == 0) return false;
  int port = 0;
  return absl::SimpleAtoi(value.substr(colon + 1), &port) && port >= 0 &&
         port <= 65535;
}

}  // namespace

std::vector<OptionSpec> ServiceOptionSpecs(const ServiceDefaults& d) {
  return {
      {"listen", "PARTYDEV_LISTEN", absl::StrCat("0.0.0.0:", d.grpc_port),
       "gRPC listen address, host:port (port 0 picks a free port)"},
      {"metrics_listen", "PARTYDEV_METRICS_LISTEN",
       absl::StrCat("0.0.0.0:", d.metrics_port),
       "Prometheus metrics address, host:port (GET /metrics); empty disables"},
      {"redis", "PARTYDEV_REDIS", "redis://127.0.0.1:6379",
       "Redis URL: redis://[:password@]host:port[/db] or unix:///path[?db=N]"},
      {"redis_pool_size", "PARTYDEV_REDIS_POOL_SIZE", "16",
       "Redis connections kept open"},
      {"redis_timeout_ms", "PARTYDEV_REDIS_TIMEOUT_MS", "2000",
       "Timeout of one Redis command, in milliseconds"},
      {"key_prefix", "PARTYDEV_KEY_PREFIX", d.key_prefix,
       "Prefix of every Redis key this service owns"},
      {"membership_key_prefix", "PARTYDEV_MEMBERSHIP_KEY_PREFIX",
       "pd:membership:",
       "Key prefix of membershipd, whose event stream quotad and notifyd "
       "consume"},
      {"quota_key_prefix", "PARTYDEV_QUOTA_KEY_PREFIX", "pd:quota:",
       "Key prefix of quotad, whose event stream notifyd consumes"},
      {"membership_redis", "PARTYDEV_MEMBERSHIP_REDIS", "",
       "Redis URL of membershipd's event stream, when it is not on --redis "
       "(empty: on --redis)"},
      {"quota_redis", "PARTYDEV_QUOTA_REDIS", "",
       "Redis URL of quotad's event stream, when it is not on --redis "
       "(empty: on --redis)"},
      {"config_dir", "PARTYDEV_CONFIG_DIR", d.config_dir,
       "Directory of the service's configuration files (versioned rule "
       "sets, working-day calendars)"},
      {"auth", "PARTYDEV_AUTH", "jwt",
       "jwt (verify bearer tokens) or dev (development mode: identity from "
       "x-partydev-sub/-org/-roles metadata, never in production)"},
      {"jwt_issuer", "PARTYDEV_JWT_ISSUER", "", "Required iss claim"},
      {"jwt_audience", "PARTYDEV_JWT_AUDIENCE", "", "Required aud claim"},
      {"jwt_key_file", "PARTYDEV_JWT_KEY_FILE", "",
       "HS256 secret, or RS256/ES256 public key in PEM"},
      {"tls_cert", "PARTYDEV_TLS_CERT", "", "Server certificate (PEM)"},
      {"tls_key", "PARTYDEV_TLS_KEY", "", "Server private key (PEM)"},
      {"tls_client_ca", "PARTYDEV_TLS_CLIENT_CA", "",
       "CA of client certificates: turns on mutual TLS"},
      {"workers", "PARTYDEV_WORKERS", "16",
       "Threads that run handlers and their Redis calls, off the gRPC "
       "threads"},
      {"max_message_bytes", "PARTYDEV_MAX_MESSAGE_BYTES", "16777216",
       "Largest request or response message"},
      {"drain_seconds", "PARTYDEV_DRAIN_SECONDS", "25",
       "On SIGTERM, how long in-flight RPCs may take before being cancelled"},
      {"health_interval_ms", "PARTYDEV_HEALTH_INTERVAL_MS", "1000",
       "How often Redis is pinged for the health service"},
      {"log_level", "PARTYDEV_LOG_LEVEL", "info",
       "trace, debug, info, warn or error"},
      {"sweep_period_seconds", "PARTYDEV_SWEEP_PERIOD_SECONDS", "60",
       "How often background sweeps run (deadline scans, reminders, "
       "delivery deadlines)"},
      {"consumer_name", "PARTYDEV_CONSUMER_NAME", "",
       "Name of this process in event-stream consumer groups; set it to the "
       "pod name so a restart resumes its pending events at once (empty: "
       "random per process)"},
      {"clock_offset_days", "PARTYDEV_CLOCK_OFFSET_DAYS", "0",
       "Rehearsals only (needs --auth=dev): run the sweeps' and notifyd's "
       "clock this many days ahead"},
  };
}

std::string ServiceHelp(const ServiceDefaults& defaults) {
  std::string out =
      absl::StrCat("Usage: ", defaults.program, " [--option=value ...]\n\n",
                   "Every option is also read from its environment variable; a "
                   "flag wins.\n\n");
  for (const auto& spec : ServiceOptionSpecs(defaults)) {
    absl::StrAppendFormat(&out, "  --%-20s %-28s %s\n", spec.flag, spec.env,
                          spec.help);
    if (!spec.default_value.empty()) {
      absl::StrAppendFormat(&out, "  %-51s default: %s\n", "",
                            spec.default_value);
    }
  }
  return out;
}

absl::StatusOr<ServiceConfig> ParseServiceConfig(
    int argc, const char* const* argv, const char* const* envp,
    const ServiceDefaults& defaults) {
  const std::vector<OptionSpec> specs = ServiceOptionSpecs(defaults);
  std::map<std::string, std::string, std::less<>> values;
  for (const auto& spec : specs) values[spec.flag] = spec.default_value;

  std::map<std::string, std::string, std::less<>> env;
  for (const char* const* e = envp; e != nullptr && *e != nullptr; ++e) {
    absl::string_view entry(*e);
    size_t eq = entry.find('=');
    if (eq != absl::string_view::npos) {
      env[std::string(entry.substr(0, eq))] = std::string(entry.substr(eq + 1));
    }
  }
  for (const auto& spec : specs) {
    auto it = env.find(spec.env);
    if (it != env.end()) values[spec.flag] = it->second;
  }

  for (int i = 1; i < argc; ++i) {
    absl::string_view arg(argv[i]);
    if (arg == "--help" || arg == "-h") return absl::CancelledError("help");
    if (!absl::ConsumePrefix(&arg, "--")) {
      return InvalidField("argv", absl::StrCat("unexpected argument \"", arg,
                                               "\"; see --help"));
    }
    absl::string_view name = arg;
    std::string value;
    size_t eq = arg.find('=');
    if (eq != absl::string_view::npos) {
      name = arg.substr(0, eq);
      value = std::string(arg.substr(eq + 1));
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return InvalidField(name, absl::StrCat("--", name, " needs a value"));
    }
    std::string key(name);
    for (char& c : key) c = c == '-' ? '_' : c;
    if (values.find(key) == values.end()) {
      return InvalidField(
          key, absl::StrCat("unknown option --", name, "; see --help"));
    }
    values[key] = value;
  }

  auto spec_of = [&](absl::string_view flag) -> const OptionSpec& {
    for (const auto& s : specs) {
      if (s.flag == flag) return s;
    }
    return specs.front();  // unreachable: flags are ours
  };
  auto int_option = [&](absl::string_view flag, int min, int max,
                        int* out) -> absl::Status {
    const std::string& v = values.find(flag)->second;
    if (!absl::SimpleAtoi(v, out) || *out < min || *out > max) {
      return BadOption(spec_of(flag), v,
                       absl::StrCat("expected an integer in ", min, "..", max));
    }
    return absl::OkStatus();
  };

  ServiceConfig config;
  config.program = defaults.program;
  config.listen = values["listen"];
  if (!IsHostPort(config.listen)) {
    return BadOption(spec_of("listen"), config.listen, "expected host:port");
  }
  config.metrics_listen = values["metrics_listen"];
  if (!config.metrics_listen.empty() && !IsHostPort(config.metrics_listen)) {
    return BadOption(spec_of("metrics_listen"), config.metrics_listen,
                     "expected host:port or empty");
  }
  absl::StatusOr<RedisOptions> redis = ParseRedisUrl(values["redis"]);
  if (!redis.ok()) {
    return BadOption(spec_of("redis"), "(hidden: may hold a password)",
                     redis.status().message());
  }
  config.redis = *redis;
  if (auto s = int_option("redis_pool_size", 1, 1024, &config.redis.pool_size);
      !s.ok()) {
    return s;
  }
  int timeout_ms = 0;
  if (auto s = int_option("redis_timeout_ms", 10, 600000, &timeout_ms);
      !s.ok()) {
    return s;
  }
  config.redis.command_timeout = absl::Milliseconds(timeout_ms);
  config.key_prefix = values["key_prefix"];
  config.membership_key_prefix = values["membership_key_prefix"];
  config.quota_key_prefix = values["quota_key_prefix"];
  for (auto [flag, target] :
       {std::pair<const char*, std::optional<RedisOptions>*>{
            "membership_redis", &config.membership_redis},
        {"quota_redis", &config.quota_redis}}) {
    if (values[flag].empty()) continue;
    absl::StatusOr<RedisOptions> source = ParseRedisUrl(values[flag]);
    if (!source.ok()) {
      return BadOption(spec_of(flag), "(hidden: may hold a password)",
                       source.status().message());
    }
    // A consumer needs few connections: one per projection thread.
    source->pool_size = 4;
    source->command_timeout = config.redis.command_timeout;
    *target = *std::move(source);
  }
  config.config_dir = values["config_dir"];

  const std::string auth = absl::AsciiStrToLower(values["auth"]);
  if (auth == "jwt") {
    config.auth_mode = AuthMode::kJwt;
  } else if (auth == "dev") {
    config.auth_mode = AuthMode::kDev;
  } else {
    return BadOption(spec_of("auth"), values["auth"], "expected jwt or dev");
  }
  config.jwt_issuer = values["jwt_issuer"];
  config.jwt_audience = values["jwt_audience"];
  config.jwt_key_file = values["jwt_key_file"];
  if (config.auth_mode == AuthMode::kJwt) {
    for (const char* flag : {"jwt_issuer", "jwt_audience", "jwt_key_file"}) {
      if (values[flag].empty()) {
        return BadOption(spec_of(flag), "",
                         "required when --auth=jwt (or set PARTYDEV_AUTH=dev "
                         "for the development mode)");
      }
    }
  }
  config.tls_cert_file = values["tls_cert"];
  config.tls_key_file = values["tls_key"];
  config.tls_client_ca_file = values["tls_client_ca"];
  if (config.tls_cert_file.empty() != config.tls_key_file.empty()) {
    return BadOption(spec_of("tls_cert"), config.tls_cert_file,
                     "--tls_cert and --tls_key must be given together");
  }
  if (!config.tls_client_ca_file.empty() && config.tls_cert_file.empty()) {
    return BadOption(spec_of("tls_client_ca"), config.tls_client_ca_file,
                     "mutual TLS needs --tls_cert and --tls_key too");
  }
  if (auto s = int_option("workers", 1, 1024, &config.workers); !s.ok())
    return s;
  if (auto s = int_option("max_message_bytes", 1024, 1 << 30,
                          &config.max_message_bytes);
      !s.ok()) {
    return s;
  }
  int drain_seconds = 0;
  if (auto s = int_option("drain_seconds", 0, 3600, &drain_seconds); !s.ok()) {
    return s;
  }
  config.drain_timeout = absl::Seconds(drain_seconds);
  int health_ms = 0;
  if (auto s = int_option("health_interval_ms", 50, 60000, &health_ms);
      !s.ok()) {
    return s;
  }
  config.health_interval = absl::Milliseconds(health_ms);
  config.log_level = absl::AsciiStrToLower(values["log_level"]);
  if (config.log_level != "trace" && config.log_level != "debug" &&
      config.log_level != "info" && config.log_level != "warn" &&
      config.log_level != "error") {
    return BadOption(spec_of("log_level"), config.log_level,
                     "expected trace, debug, info, warn or error");
  }
  int sweep_seconds = 0;
  if (auto s = int_option("sweep_period_seconds", 1, 86400, &sweep_seconds);
      !s.ok()) {
    return s;
  }
  config.sweep_period = absl::Seconds(sweep_seconds);
  config.consumer_name = values["consumer_name"];
  if (config.consumer_name.size() > 128 ||
      !std::all_of(
          config.consumer_name.begin(), config.consumer_name.end(), [](char c) {
            return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
                   c == '-' || c == '_' || c == '.';
          })) {
    return BadOption(spec_of("consumer_name"), config.consumer_name,
                     "expected at most 128 of A-Z a-z 0-9 - _ .");
  }
  int offset_days = 0;
  if (auto s = int_option("clock_offset_days", -3650, 3650, &offset_days);
      !s.ok()) {
    return s;
  }
  // A shifted clock in production would send reminders on the wrong days.
  if (offset_days != 0 && config.auth_mode != AuthMode::kDev) {
    return BadOption(spec_of("clock_offset_days"), values["clock_offset_days"],
                     "allowed only with --auth=dev (rehearsals)");
  }
  config.clock_offset = absl::Hours(24) * offset_days;
  return config;
}

std::string ConsumerNameOf(const ServiceConfig& config,
                           const std::string& role) {
  if (!config.consumer_name.empty()) {
    return absl::StrCat(config.consumer_name, "-", role);
  }
  return absl::StrCat(config.program, "-", role, "-", NewUuid().substr(0, 8));
}

}  // namespace partydev
