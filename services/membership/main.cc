// membershipd: the membership service of partydev (see README.md and
// protos/partydev/membership/v1/). A thin main: configuration, runtime, server
// and signals live in common/.
#include "common/service_main.h"
#include "partydev/membership/v1/administration.grpc.pb.h"
#include "partydev/membership/v1/admission.grpc.pb.h"
#include "partydev/membership/v1/cell_life.grpc.pb.h"
#include "partydev/membership/v1/classification.grpc.pb.h"
#include "partydev/membership/v1/organizations.grpc.pb.h"
#include "partydev/membership/v1/people.grpc.pb.h"

namespace partydev {
namespace {

absl::StatusOr<std::vector<ServiceRegistration>> MakeServices(ServiceRuntime&) {
  std::vector<ServiceRegistration> services;
  services.push_back(
      UnimplementedService<membership::v1::OrganizationService>());
  services.push_back(UnimplementedService<membership::v1::PersonService>());
  services.push_back(UnimplementedService<membership::v1::AdmissionService>());
  services.push_back(
      UnimplementedService<membership::v1::ClassificationService>());
  services.push_back(UnimplementedService<membership::v1::CellLifeService>());
  services.push_back(
      UnimplementedService<membership::v1::AdministrationService>());
  return services;
}

}  // namespace
}  // namespace partydev

int main(int argc, char** argv) {
  return partydev::RunServiceMain(
      argc, argv, {"membershipd", 50051, 9091, "pd:membership:", ""},
      partydev::MakeServices);
}
