// quotad: the quota service of partydev (see README.md and
// protos/partydev/quota/v1/). A thin main: configuration, runtime, server and
// signals live in common/.
#include "common/service_main.h"
#include "partydev/quota/v1/achievements.grpc.pb.h"
#include "partydev/quota/v1/admin.grpc.pb.h"
#include "partydev/quota/v1/allocations.grpc.pb.h"
#include "partydev/quota/v1/plans.grpc.pb.h"
#include "partydev/quota/v1/reports.grpc.pb.h"
#include "partydev/quota/v1/targets.grpc.pb.h"

namespace partydev {
namespace {

absl::StatusOr<std::vector<ServiceRegistration>> MakeServices(ServiceRuntime&) {
  std::vector<ServiceRegistration> services;
  services.push_back(UnimplementedService<quota::v1::TargetService>());
  services.push_back(UnimplementedService<quota::v1::AllocationService>());
  services.push_back(UnimplementedService<quota::v1::PlanService>());
  services.push_back(UnimplementedService<quota::v1::ReportService>());
  services.push_back(UnimplementedService<quota::v1::AchievementService>());
  services.push_back(UnimplementedService<quota::v1::QuotaAdminService>());
  return services;
}

}  // namespace
}  // namespace partydev

int main(int argc, char** argv) {
  return partydev::RunServiceMain(argc, argv,
                                  {"quotad", 50052, 9092, "pd:quota:", ""},
                                  partydev::MakeServices);
}
