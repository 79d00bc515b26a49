// Tests of the shared server runtime, in-process, against a real Redis.
#include "common/server.h"

#include <gtest/gtest.h>

#include <fstream>
#include <future>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/errors.h"
#include "common/grpc_status.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "partydev/testing/v1/echo.grpc.pb.h"
#include "tests/support/echo_service.h"
#include "tests/support/in_process_server.h"
#include "tests/support/redis_server.h"

namespace partydev {
namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;
using partydev::testing::v1::EchoRequest;
using partydev::testing::v1::EchoResponse;
using partydev::testing::v1::EchoService;
using testing::InProcessServer;
using testing::RedisServer;
using testing::TestConfig;

ServiceFactory EchoFactory() {
  return [](ServiceRuntime& runtime)
             -> absl::StatusOr<std::vector<ServiceRegistration>> {
    std::vector<ServiceRegistration> services;
    services.push_back({std::make_unique<testing::EchoServiceImpl>(runtime),
                        EchoService::service_full_name()});
    return services;
  };
}

HealthCheckResponse::ServingStatus HealthOf(grpc::Channel& channel,
                                            const std::string& service) {
  auto stub =
      Health::NewStub(std::shared_ptr<grpc::Channel>(&channel, [](auto*) {}));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(2));
  HealthCheckRequest request;
  request.set_service(service);
  HealthCheckResponse response;
  grpc::Status status = stub->Check(&context, request, &response);
  if (!status.ok()) return HealthCheckResponse::UNKNOWN;
  return response.status();
}

// Polls until the health of `service` is `want`; returns how long it took.
absl::StatusOr<absl::Duration> WaitForHealth(
    grpc::Channel& channel, const std::string& service,
    HealthCheckResponse::ServingStatus want, absl::Duration timeout) {
  const absl::Time start = absl::Now();
  while (absl::Now() - start < timeout) {
    if (HealthOf(channel, service) == want) return absl::Now() - start;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError("health did not change");
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(redis_.Start().ok()); }
  RedisServer redis_;
};

TEST_F(ServerTest, ServesEchoWithRequestIdAndCaller) {
  InProcessServer server(TestConfig(redis_.url()), EchoFactory());
  ASSERT_TRUE(server.Start().ok());
  auto stub = EchoService::NewStub(server.channel());
  grpc::ClientContext context;
  context.AddMetadata("x-request-id", "req-123");
  context.AddMetadata("x-partydev-sub", "people/9");
  EchoRequest request;
  request.set_message("xin chào");
  EchoResponse response;
  grpc::Status status = stub->Echo(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.message(), "xin chào");
  EXPECT_EQ(response.caller(), "people/9");
  auto id = context.GetServerInitialMetadata().find("x-request-id");
  ASSERT_NE(id, context.GetServerInitialMetadata().end());
  EXPECT_EQ(std::string(id->second.data(), id->second.size()), "req-123");
  EXPECT_EQ(
      server.runtime().metrics().Value("partydev_rpc_requests_total",
                                       {{"method", "Echo"}, {"code", "OK"}}),
      1);
}

TEST_F(ServerTest, HealthFollowsRedisWithinFiveSeconds) {
  InProcessServer server(TestConfig(redis_.url()), EchoFactory());
  ASSERT_TRUE(server.Start().ok());
  grpc::Channel& channel = *server.channel();
  const std::string name = EchoService::service_full_name();
  ASSERT_TRUE(WaitForHealth(channel, name, HealthCheckResponse::SERVING,
                            absl::Seconds(5))
                  .ok());
  EXPECT_EQ(HealthOf(channel, ""), HealthCheckResponse::SERVING);

  redis_.Stop();
  auto down = WaitForHealth(channel, name, HealthCheckResponse::NOT_SERVING,
                            absl::Seconds(5));
  ASSERT_TRUE(down.ok()) << "still SERVING 5 s after Redis stopped";
  EXPECT_EQ(HealthOf(channel, ""), HealthCheckResponse::NOT_SERVING);
  // Out of the load balancer, but alive: Kubernetes must not restart it.
  EXPECT_EQ(HealthOf(channel, kLivenessHealthService),
            HealthCheckResponse::SERVING);

  // RPCs that need Redis fail with UNAVAILABLE, and say so.
  auto stub = EchoService::NewStub(server.channel());
  grpc::ClientContext context;
  EchoResponse response;
  grpc::Status status = stub->PingRedis(&context, EchoRequest(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ReasonOf(FromGrpcStatus(status)), "BACKEND_UNAVAILABLE");

  ASSERT_TRUE(redis_.Start().ok());
  auto up = WaitForHealth(channel, name, HealthCheckResponse::SERVING,
                          absl::Seconds(5));
  ASSERT_TRUE(up.ok()) << "not SERVING 5 s after Redis came back";
  grpc::ClientContext again;
  status = stub->PingRedis(&again, EchoRequest(), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.message(), "PONG");
}

TEST_F(ServerTest, StartsWhileRedisIsDownAndRecovers) {
  redis_.Stop();
  InProcessServer server(TestConfig(redis_.url()), EchoFactory());
  ASSERT_TRUE(server.Start().ok());
  EXPECT_EQ(HealthOf(*server.channel(), ""), HealthCheckResponse::NOT_SERVING);
  ASSERT_TRUE(redis_.Start().ok());
  EXPECT_TRUE(WaitForHealth(*server.channel(), "", HealthCheckResponse::SERVING,
                            absl::Seconds(5))
                  .ok());
}

TEST_F(ServerTest, GracefulDrainLetsInFlightRpcsFinish) {
  InProcessServer server(TestConfig(redis_.url()), EchoFactory());
  ASSERT_TRUE(server.Start().ok());
  auto stub = EchoService::NewStub(server.channel());
  auto in_flight = std::async(std::launch::async, [&] {
    grpc::ClientContext context;
    EchoRequest request;
    request.set_message("slow");
    request.set_sleep_ms(700);
    EchoResponse response;
    grpc::Status status = stub->Echo(&context, request, &response);
    return std::make_pair(status, response.message());
  });
  absl::SleepFor(absl::Milliseconds(200));  // the RPC is running
  const absl::Time start = absl::Now();
  server.Shutdown();
  auto [status, message] = in_flight.get();
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(message, "slow");
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(300));  // it waited
  // New calls are refused after the drain.
  grpc::ClientContext late;
  late.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
  EchoResponse response;
  EXPECT_FALSE(stub->Echo(&late, EchoRequest(), &response).ok());
}

TEST_F(ServerTest, DeadlinesAreHonoured) {
  InProcessServer server(TestConfig(redis_.url()), EchoFactory());
  ASSERT_TRUE(server.Start().ok());
  auto stub = EchoService::NewStub(server.channel());
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(100));
  EchoRequest request;
  request.set_sleep_ms(5000);
  EchoResponse response;
  const absl::Time start = absl::Now();
  grpc::Status status = stub->Echo(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
}

TEST_F(ServerTest, JwtModeRefusesCallsWithoutAValidToken) {
  const std::string dir = testing::MakeTempDir("partydev-jwt");
  const std::string key_file = dir + "/key";
  std::ofstream(key_file) << "0123456789abcdef0123456789abcdef-secret\n";
  InProcessServer server(
      TestConfig(redis_.url(),
                 {"--auth=jwt", "--jwt_issuer=iss", "--jwt_audience=aud",
                  absl::StrCat("--jwt_key_file=", key_file)}),
      EchoFactory());
  ASSERT_TRUE(server.Start().ok());
  auto stub = EchoService::NewStub(server.channel());
  grpc::ClientContext context;
  context.AddMetadata("x-partydev-sub",
                      "people/1");  // ignored outside dev mode
  EchoResponse response;
  grpc::Status status = stub->Echo(&context, EchoRequest(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ReasonOf(FromGrpcStatus(status)), "UNAUTHENTICATED");
  testing::RemoveTree(dir);
}

TEST_F(ServerTest, MetricsEndpointServesPrometheusText) {
  InProcessServer server(
      TestConfig(redis_.url(), {"--metrics_listen=127.0.0.1:0"}),
      EchoFactory());
  ASSERT_TRUE(server.Start().ok());
  auto stub = EchoService::NewStub(server.channel());
  grpc::ClientContext context;
  EchoResponse response;
  ASSERT_TRUE(stub->Echo(&context, EchoRequest(), &response).ok());
  const int port = server.server().metrics_port();
  ASSERT_GT(port, 0);
  // A raw HTTP GET, as Prometheus does.
  std::string command =
      absl::StrCat("exec 3<>/dev/tcp/127.0.0.1/", port,
                   "; printf 'GET /metrics HTTP/1.0\\r\\n\\r\\n' >&3; cat <&3");
  FILE* pipe = popen(absl::StrCat("bash -c \"", command, "\"").c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string body;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) body.append(buf, n);
  pclose(pipe);
  EXPECT_NE(body.find("200 OK"), std::string::npos) << body;
  EXPECT_NE(
      body.find("partydev_rpc_requests_total{code=\"OK\",method=\"Echo\"} 1"),
      std::string::npos)
      << body;
  EXPECT_NE(body.find("partydev_redis_up 1"), std::string::npos) << body;
}

}  // namespace
}  // namespace partydev
