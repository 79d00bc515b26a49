#include "common/config.h"

#include <gtest/gtest.h>

#include "common/errors.h"

namespace partydev {
namespace {

const ServiceDefaults kDefaults = {"membershipd", 50051, 9091,
                                   "pd:membership:", ""};

absl::StatusOr<ServiceConfig> Parse(std::vector<const char*> args,
                                    std::vector<const char*> env = {}) {
  args.insert(args.begin(), "membershipd");
  env.push_back(nullptr);
  return ParseServiceConfig(static_cast<int>(args.size()), args.data(),
                            env.data(), kDefaults);
}

TEST(ConfigTest, DefaultsAreTheDocumentedPorts) {
  auto config = Parse({"--auth=dev"});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->listen, "0.0.0.0:50051");
  EXPECT_EQ(config->metrics_listen, "0.0.0.0:9091");
  EXPECT_EQ(config->redis.host, "127.0.0.1");
  EXPECT_EQ(config->redis.port, 6379);
  EXPECT_EQ(config->key_prefix, "pd:membership:");
  EXPECT_EQ(config->auth_mode, AuthMode::kDev);
}

TEST(ConfigTest, EnvironmentIsReadAndFlagsWin) {
  auto config = Parse({"--listen=127.0.0.1:7000"},
                      {"PARTYDEV_LISTEN=0.0.0.0:6000", "PARTYDEV_AUTH=dev",
                       "PARTYDEV_REDIS=redis://:s3cret@redis.local:6380/2",
                       "PARTYDEV_METRICS_LISTEN=127.0.0.1:9999"});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->listen, "127.0.0.1:7000");
  EXPECT_EQ(config->metrics_listen, "127.0.0.1:9999");
  EXPECT_EQ(config->redis.host, "redis.local");
  EXPECT_EQ(config->redis.port, 6380);
  EXPECT_EQ(config->redis.password, "s3cret");
  EXPECT_EQ(config->redis.db, 2);
}

TEST(ConfigTest, SeparateValueFormIsAccepted) {
  auto config = Parse({"--auth", "dev", "--workers", "3"});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->workers, 3);
}

TEST(ConfigTest, JwtModeRequiresIssuerAudienceAndKey) {
  auto config = Parse({});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(config.status().message().find("PARTYDEV_JWT_ISSUER"),
            absl::string_view::npos)
      << config.status();
}

TEST(ConfigTest, BadValuesNameTheOption) {
  struct Case {
    const char* flag;
    const char* names;
  } cases[] = {
      {"--listen=nonsense", "PARTYDEV_LISTEN"},
      {"--metrics_listen=:x", "PARTYDEV_METRICS_LISTEN"},
      {"--redis=http://x", "PARTYDEV_REDIS"},
      {"--redis=redis://h:99999", "PARTYDEV_REDIS"},
      {"--auth=maybe", "PARTYDEV_AUTH"},
      {"--workers=0", "PARTYDEV_WORKERS"},
      {"--log_level=loud", "PARTYDEV_LOG_LEVEL"},
      {"--tls_cert=/x.pem", "PARTYDEV_TLS_CERT"},
      {"--no_such_flag=1", "no_such_flag"},
      {"--sweep_period_seconds=0", "PARTYDEV_SWEEP_PERIOD_SECONDS"},
      {"--consumer_name=a/b", "PARTYDEV_CONSUMER_NAME"},
      {"--clock_offset_days=4000", "PARTYDEV_CLOCK_OFFSET_DAYS"},
  };
  for (const auto& c : cases) {
    auto config = Parse({"--auth=dev", c.flag});
    ASSERT_FALSE(config.ok()) << c.flag;
    EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument)
        << c.flag;
    EXPECT_NE(config.status().message().find(c.names), absl::string_view::npos)
        << c.flag << ": " << config.status();
    EXPECT_FALSE(FieldViolationsOf(config.status()).empty()) << c.flag;
  }
}

TEST(ConfigTest, SweepPeriodAndConsumerNameAreRead) {
  auto defaults = Parse({"--auth=dev"});
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_EQ(defaults->sweep_period, absl::Minutes(1));
  EXPECT_EQ(defaults->clock_offset, absl::ZeroDuration());
  // Without a name, each process draws its own: two replicas never share.
  EXPECT_NE(ConsumerNameOf(*defaults, "reminders"),
            ConsumerNameOf(*defaults, "reminders"));
  EXPECT_EQ(ConsumerNameOf(*defaults, "reminders").rfind("membershipd-", 0),
            0u);

  auto config = Parse({"--auth=dev", "--sweep_period_seconds=5"},
                      {"PARTYDEV_CONSUMER_NAME=membershipd-7f9c4-x2x",
                       "PARTYDEV_CLOCK_OFFSET_DAYS=20"});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->sweep_period, absl::Seconds(5));
  EXPECT_EQ(config->clock_offset, absl::Hours(24 * 20));
  // A stable name: the same after a restart.
  EXPECT_EQ(ConsumerNameOf(*config, "reminders"),
            "membershipd-7f9c4-x2x-reminders");
}

TEST(ConfigTest, ClockOffsetIsRefusedOutsideDevelopmentAuth) {
  // Reminders sent on the wrong days in production: only rehearsals.
  auto config = Parse({"--jwt_issuer=i", "--jwt_audience=a",
                       "--jwt_key_file=/k", "--clock_offset_days=3"});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(config.status().message().find("--auth=dev"),
            absl::string_view::npos)
      << config.status();
}

TEST(ConfigTest, RedisPasswordNeverAppearsInErrors) {
  auto config = Parse({"--auth=dev", "--redis=redis://:hunter2@h:0"});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message().find("hunter2"), absl::string_view::npos);
}

TEST(ConfigTest, HelpIsCancelledAndListsEveryVariable) {
  auto config = Parse({"--help"});
  EXPECT_TRUE(absl::IsCancelled(config.status()));
  const std::string help = ServiceHelp(kDefaults);
  for (const char* env :
       {"PARTYDEV_LISTEN", "PARTYDEV_METRICS_LISTEN", "PARTYDEV_REDIS",
        "PARTYDEV_JWT_ISSUER", "PARTYDEV_JWT_AUDIENCE", "PARTYDEV_JWT_KEY_FILE",
        "PARTYDEV_TLS_CERT", "PARTYDEV_TLS_KEY", "PARTYDEV_TLS_CLIENT_CA",
        "PARTYDEV_AUTH"}) {
    EXPECT_NE(help.find(env), std::string::npos) << env;
  }
}

TEST(RedisUrlTest, ParsesEveryForm) {
  auto plain = ParseRedisUrl("redis://10.0.0.5:6390");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->host, "10.0.0.5");
  EXPECT_EQ(plain->port, 6390);
  EXPECT_EQ(plain->db, 0);
  auto user = ParseRedisUrl("redis://default:pw@h:1/3");
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(user->password, "pw");
  EXPECT_EQ(user->db, 3);
  auto sock = ParseRedisUrl("unix:///run/redis.sock?db=4");
  ASSERT_TRUE(sock.ok());
  EXPECT_EQ(sock->unix_socket, "/run/redis.sock");
  EXPECT_EQ(sock->db, 4);
  EXPECT_FALSE(ParseRedisUrl("redis://h:1/99").ok());
  EXPECT_FALSE(ParseRedisUrl("unix://relative").ok());
  EXPECT_FALSE(ParseRedisUrl("redis://:pw@").ok());
}

}  // namespace
}  // namespace partydev
