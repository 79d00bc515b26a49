// File: common/service_main.h
//
// The main() of every partydev binary: parse the configuration (flags and
// PARTYDEV_* variables), build the runtime, let the binary create its
// services, serve until SIGTERM or SIGINT, drain, exit 0.
//
//   int main(int argc, char** argv) {
//     return partydev::RunServiceMain(argc, argv, {"quotad", 50052, 9092,
//     "pd:quota:"},
//         [](partydev::ServiceRuntime& runtime) { return
//         MakeQuotaServices(runtime); });
//   }

#ifndef PARTYDEV_COMMON_SERVICE_MAIN_H_
#define PARTYDEV_COMMON_SERVICE_MAIN_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/service_type.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/config.h"
#include "common/service_runtime.h"

namespace partydev {

// A service to serve, with its full name for the health service.
struct ServiceRegistration {
  std::unique_ptr<grpc::Service> service;
  std::string full_name;
};

// Creates the services of a binary (and whatever background workers they
// own; the services are destroyed after the server has drained).
using ServiceFactory =
    std::function<absl::StatusOr<std::vector<ServiceRegistration>>(
        ServiceRuntime&)>;

// The registration of a service whose issue has not landed yet: gRPC's
// generated base class answers UNIMPLEMENTED to each of its methods, while
// health and reflection already list it, so clients can be written against
// the contract today.
template <typename GeneratedService>
ServiceRegistration UnimplementedService() {
  return {std::make_unique<typename GeneratedService::CallbackService>(),
          GeneratedService::service_full_name()};
}

// Exit codes: 0 after a graceful drain, 2 for a bad configuration, 1 when
// the server cannot start.
int RunServiceMain(int argc, char** argv, const ServiceDefaults& defaults,
                   const ServiceFactory& factory);

}  // namespace partydev

#endif  // PARTYDEV_COMMON_SERVICE_MAIN_H_
