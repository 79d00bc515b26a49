// partydev_testd: the shared service main serving only EchoService, so that
// tests can check what every binary does (signals, drain, health, flags)
// with an RPC they control.
#include "common/service_main.h"
#include "tests/support/echo_service.h"

int main(int argc, char** argv) {
  return partydev::RunServiceMain(
      argc, argv, {"partydev_testd", 50059, 9099, "pd:test:", ""},
      [](partydev::ServiceRuntime& runtime)
          -> absl::StatusOr<std::vector<partydev::ServiceRegistration>> {
        std::vector<partydev::ServiceRegistration> services;
        services.push_back(
            {std::make_unique<partydev::testing::EchoServiceImpl>(runtime),
             partydev::testing::v1::EchoService::service_full_name()});
        return services;
      });
}
