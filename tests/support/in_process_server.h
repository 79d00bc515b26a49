// File: tests/support/in_process_server.h
//
// A service on the shared runtime, started inside the test process on a free
// port, with a channel to call it.
//
//   RedisServer redis; ASSERT_OK(redis.Start());
//   InProcessServer server(TestConfig(redis.url()), [](ServiceRuntime& rt)
//   {...}); ASSERT_OK(server.Start()); auto stub =
//   EchoService::NewStub(server.channel());

#ifndef PARTYDEV_TESTS_SUPPORT_IN_PROCESS_SERVER_H_
#define PARTYDEV_TESTS_SUPPORT_IN_PROCESS_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "common/config.h"
#include "common/server.h"
#include "common/service_main.h"
#include "common/service_runtime.h"

namespace partydev::testing {

// A configuration for tests: the given Redis, development auth unless flags
// say otherwise, short health interval, no metrics port. `flags` are parsed
// as command-line flags on top ("--auth=jwt", ...).
ServiceConfig TestConfig(const std::string& redis_url,
                         const std::vector<std::string>& flags = {});

class InProcessServer {
 public:
  InProcessServer(ServiceConfig config, ServiceFactory factory);
  ~InProcessServer();

  absl::Status Start();
  void Shutdown() { server_->Shutdown(); }

  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  std::string address() const;
  ServiceRuntime& runtime() { return *runtime_; }
  Server& server() { return *server_; }

 private:
  ServiceConfig config_;
  ServiceFactory factory_;
  std::unique_ptr<ServiceRuntime> runtime_;
  std::vector<ServiceRegistration> services_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace partydev::testing

#endif  // PARTYDEV_TESTS_SUPPORT_IN_PROCESS_SERVER_H_
