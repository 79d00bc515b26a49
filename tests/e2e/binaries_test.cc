// End-to-end tests of the real binaries as processes: flags, health,
// signals and the graceful drain that Kubernetes relies on.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <future>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "partydev/testing/v1/echo.grpc.pb.h"
#include "tests/support/process.h"
#include "tests/support/redis_server.h"

namespace partydev {
namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;
using testing::BinaryPath;
using testing::FreePort;
using testing::Process;
using testing::RedisServer;

class BinariesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(redis_.Start().ok());
    log_dir_ = testing::MakeTempDir("partydev-e2e");
  }
  void TearDown() override { testing::RemoveTree(log_dir_); }

  // Starts `binary` on a free port in development auth; returns its address.
  std::string Start(Process& process, const std::string& binary,
                    std::vector<std::string> extra = {}) {
    const int port = FreePort();
    std::vector<std::string> args = {
        absl::StrCat("--listen=127.0.0.1:", port),
        absl::StrCat("--metrics_listen=127.0.0.1:", FreePort())};
    args.insert(args.end(), extra.begin(), extra.end());
    EXPECT_TRUE(process
                    .Start(BinaryPath(binary), args,
                           {{"PARTYDEV_REDIS", redis_.url()},
                            {"PARTYDEV_AUTH", "dev"},
                            {"PARTYDEV_HEALTH_INTERVAL_MS", "200"}},
                           absl::StrCat(log_dir_, "/", binary, ".log"))
                    .ok());
    return absl::StrCat("127.0.0.1:", port);
  }

  static HealthCheckResponse::ServingStatus Health(const std::string& address,
                                                   const std::string& service) {
    auto stub = Health::NewStub(
        grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(1));
    HealthCheckRequest request;
    request.set_service(service);
    HealthCheckResponse response;
    if (!stub->Check(&context, request, &response).ok()) {
      return HealthCheckResponse::UNKNOWN;
    }
    return response.status();
  }

  static bool WaitServing(const std::string& address,
                          const std::string& service) {
    const absl::Time until = absl::Now() + absl::Seconds(15);
    while (absl::Now() < until) {
      if (Health(address, service) == HealthCheckResponse::SERVING) return true;
      absl::SleepFor(absl::Milliseconds(50));
    }
    return false;
  }

  RedisServer redis_;
  std::string log_dir_;
};

TEST_F(BinariesTest, SigtermLetsTheInFlightRpcFinishThenExitsZero) {
  Process testd;
  const std::string address = Start(testd, "partydev_testd");
  ASSERT_TRUE(WaitServing(address, "")) << testd.Log();
  auto stub = partydev::testing::v1::EchoService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  auto in_flight = std::async(std::launch::async, [&] {
    grpc::ClientContext context;
    partydev::testing::v1::EchoRequest request;
    request.set_message("finish me");
    request.set_sleep_ms(1000);
    partydev::testing::v1::EchoResponse response;
    grpc::Status status = stub->Echo(&context, request, &response);
    return std::make_pair(status, response.message());
  });
  absl::SleepFor(absl::Milliseconds(300));
  testd.Signal(SIGTERM);
  auto [status, message] = in_flight.get();
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(message, "finish me");
  auto exit_code = testd.Wait(absl::Seconds(10));
  ASSERT_TRUE(exit_code.ok());
  EXPECT_EQ(*exit_code, 0) << testd.Log();
  EXPECT_NE(testd.Log().find("\"draining\""), std::string::npos);
}

class EachBinaryTest : public BinariesTest,
                       public ::testing::WithParamInterface<const char*> {};

TEST_P(EachBinaryTest, HelpListsEveryVariableAndExitsZero) {
  Process process;
  ASSERT_TRUE(process
                  .Start(BinaryPath(GetParam()), {"--help"}, {},
                         absl::StrCat(log_dir_, "/help.log"))
                  .ok());
  auto code = process.Wait(absl::Seconds(10));
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 0);
  for (const char* env :
       {"PARTYDEV_LISTEN", "PARTYDEV_METRICS_LISTEN", "PARTYDEV_REDIS",
        "PARTYDEV_JWT_ISSUER", "PARTYDEV_JWT_AUDIENCE", "PARTYDEV_JWT_KEY_FILE",
        "PARTYDEV_TLS_CERT", "PARTYDEV_TLS_KEY", "PARTYDEV_TLS_CLIENT_CA",
        "PARTYDEV_AUTH"}) {
    EXPECT_NE(process.Log().find(env), std::string::npos) << env;
  }
}

TEST_P(EachBinaryTest, BadConfigurationExitsTwoNamingTheOption) {
  Process process;
  ASSERT_TRUE(process
                  .Start(BinaryPath(GetParam()), {},
                         {{"PARTYDEV_REDIS", "http://x"}},
                         absl::StrCat(log_dir_, "/bad.log"))
                  .ok());
  auto code = process.Wait(absl::Seconds(10));
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 2);
  EXPECT_NE(process.Log().find("PARTYDEV_REDIS"), std::string::npos)
      << process.Log();
}

TEST_P(EachBinaryTest, ServesHealthThenDrainsOnSigterm) {
  Process process;
  const std::string address = Start(process, GetParam());
  ASSERT_TRUE(WaitServing(address, "")) << process.Log();
  process.Signal(SIGTERM);
  auto code = process.Wait(absl::Seconds(30));
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 0) << process.Log();
}

INSTANTIATE_TEST_SUITE_P(Binaries, EachBinaryTest,
                         ::testing::Values("membershipd", "quotad", "notifyd"));

}  // namespace
}  // namespace partydev
