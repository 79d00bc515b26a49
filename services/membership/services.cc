#include "services/membership/services.h"

#include "common/service_main.h"
#include "partydev/membership/v1/cell_life.grpc.pb.h"
#include "partydev/membership/v1/classification.grpc.pb.h"
#include "services/membership/administration_service.h"
#include "services/membership/admission_service.h"
#include "services/membership/calendar_store.h"
#include "services/membership/cell_life_service.h"
#include "services/membership/cell_life_watch.h"
#include "services/membership/classification_service.h"
#include "services/membership/organization_service.h"
#include "services/membership/person_service.h"

namespace partydev::membership {

absl::StatusOr<MembershipConfig> LoadMembershipConfig(
    const std::string& config_dir) {
  absl::StatusOr<domain::RuleSetRegistry> loaded =
      domain::RuleSetRegistry::LoadDirectory(config_dir + "/rule_sets");
  if (!loaded.ok()) return loaded.status();
  absl::StatusOr<domain::WorkingDayCalendar> calendar =
      domain::WorkingDayCalendar::LoadFile(config_dir + "/calendar_vn.json");
  if (!calendar.ok()) return calendar.status();
  MembershipConfig config;
  config.rule_sets =
      std::make_shared<const domain::RuleSetRegistry>(*std::move(loaded));
  config.calendar =
      std::make_shared<const domain::WorkingDayCalendar>(*std::move(calendar));
  return config;
}

absl::StatusOr<std::vector<ServiceRegistration>> MakeMembershipServices(
    ServiceRuntime& runtime, MembershipConfig config) {
  if (config.rule_sets == nullptr || config.calendar == nullptr) {
    return absl::FailedPreconditionError(
        "membership needs its rule sets and working-day calendar");
  }
  if (!config.lookup) {
    // The registry outlives the lookup: the lambda holds it.
    config.lookup = [rule_sets = config.rule_sets](const common::v1::Date& d) {
      return rule_sets->ForDateOrEarliest(d);
    };
  }
  runtime.logger().Info(
      "rule_sets_loaded",
      {{"count", config.rule_sets->rule_sets().size()},
       {"current", config.rule_sets->rule_sets().back().name()}});
  auto context = std::make_shared<MembershipContext>(runtime, config.lookup,
                                                     config.calendar);
  // Years an admin updated (UpdateWorkingDayCalendar) replace the shipped
  // ones; when Redis is not up yet, the first deadline scan or calendar
  // read puts them in force.
  if (absl::Status s = RefreshCalendar(*context); !s.ok()) {
    runtime.logger().Warn("calendar_refresh_deferred",
                          {{"error", std::string(s.message())}});
  }
  std::vector<ServiceRegistration> services;
  services.push_back({std::make_unique<OrganizationServiceImpl>(context),
                      v1::OrganizationService::service_full_name()});
  auto people = std::make_unique<PersonServiceImpl>(context);
  if (config.deadline_scan_period > absl::ZeroDuration()) {
    DeadlineWatchOptions options;
    options.clock_offset = config.deadline_clock_offset;
    auto watch = std::make_unique<DeadlineWatch>(context, options);
    watch->Start(config.deadline_scan_period);
    people->OwnDeadlineWatch(std::move(watch));
  }
  services.push_back(
      {std::move(people), v1::PersonService::service_full_name()});
  services.push_back({std::make_unique<AdmissionServiceImpl>(context),
                      v1::AdmissionService::service_full_name()});
  services.push_back({std::make_unique<ClassificationServiceImpl>(context),
                      v1::ClassificationService::service_full_name()});
  auto cell_life = std::make_unique<CellLifeServiceImpl>(context);
  if (config.cell_life_sweep_period > absl::ZeroDuration()) {
    auto watch = std::make_unique<CellLifeWatch>(context);
    watch->Start(config.cell_life_sweep_period);
    cell_life->OwnWatch(std::move(watch));
  }
  services.push_back(
      {std::move(cell_life), v1::CellLifeService::service_full_name()});
  services.push_back(
      {std::make_unique<AdministrationServiceImpl>(context, config.rule_sets),
       v1::AdministrationService::service_full_name()});
  return services;
}

}  // namespace partydev::membership
