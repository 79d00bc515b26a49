// File: tests/support/echo_service.h
//
// partydev.testing.v1.EchoService on the shared runtime: the runtime's tests
// use it to keep an RPC in flight and to touch Redis, and bench/ uses it as
// the empty-handler baseline.

#ifndef PARTYDEV_TESTS_SUPPORT_ECHO_SERVICE_H_
#define PARTYDEV_TESTS_SUPPORT_ECHO_SERVICE_H_

#include "common/service_runtime.h"
#include "partydev/testing/v1/echo.grpc.pb.h"

namespace partydev::testing {

class EchoServiceImpl final
    : public partydev::testing::v1::EchoService::CallbackService {
 public:
  explicit EchoServiceImpl(ServiceRuntime& runtime) : runtime_(runtime) {}

  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* context,
                                 const v1::EchoRequest* request,
                                 v1::EchoResponse* response) override;
  grpc::ServerUnaryReactor* PingRedis(grpc::CallbackServerContext* context,
                                      const v1::EchoRequest* request,
                                      v1::EchoResponse* response) override;

 private:
  ServiceRuntime& runtime_;
};

}  // namespace partydev::testing

#endif  // PARTYDEV_TESTS_SUPPORT_ECHO_SERVICE_H_
