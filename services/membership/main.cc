// membershipd: the membership service of partydev (see README.md and
// protos/partydev/membership/v1/). A thin main: configuration, runtime,
// server and signals live in common/; the rule sets come from
// PARTYDEV_CONFIG_DIR/rule_sets (services/membership/rules/ by default).
#include <memory>

#include "common/service_main.h"
#include "partydev/membership/v1/admission.grpc.pb.h"
#include "partydev/membership/v1/cell_life.grpc.pb.h"
#include "partydev/membership/v1/classification.grpc.pb.h"
#include "partydev/membership/v1/people.grpc.pb.h"
#include "services/membership/administration_service.h"
#include "services/membership/domain/rule_sets.h"
#include "services/membership/organization_service.h"

namespace partydev::membership {
namespace {

absl::StatusOr<std::vector<ServiceRegistration>> MakeServices(
    ServiceRuntime& runtime) {
  absl::StatusOr<domain::RuleSetRegistry> loaded =
      domain::RuleSetRegistry::LoadDirectory(runtime.config().config_dir +
                                             "/rule_sets");
  if (!loaded.ok()) return loaded.status();
  // Shared by the services below; the lambda and the administration
  // service keep it alive for as long as any of them lives.
  auto rule_sets =
      std::make_shared<const domain::RuleSetRegistry>(*std::move(loaded));
  runtime.logger().Info("rule_sets_loaded",
                        {{"count", rule_sets->rule_sets().size()},
                         {"current", rule_sets->rule_sets().back().name()}});
  RuleSetLookup lookup = [rule_sets](const common::v1::Date& date) {
    return rule_sets->ForDateOrEarliest(date);
  };

  std::vector<ServiceRegistration> services;
  services.push_back(
      {std::make_unique<OrganizationServiceImpl>(runtime, lookup),
       v1::OrganizationService::service_full_name()});
  services.push_back(UnimplementedService<v1::PersonService>());
  services.push_back(UnimplementedService<v1::AdmissionService>());
  services.push_back(UnimplementedService<v1::ClassificationService>());
  services.push_back(UnimplementedService<v1::CellLifeService>());
  services.push_back(
      {std::make_unique<AdministrationServiceImpl>(runtime, rule_sets),
       v1::AdministrationService::service_full_name()});
  return services;
}

}  // namespace
}  // namespace partydev::membership

int main(int argc, char** argv) {
  return partydev::RunServiceMain(argc, argv,
                                  {"membershipd", 50051, 9091, "pd:membership:",
                                   PARTYDEV_MEMBERSHIP_CONFIG_DIR},
                                  partydev::membership::MakeServices);
}
