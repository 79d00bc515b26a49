#include "services/quota/services.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "services/quota/achievement_service.h"
#include "services/quota/admin_service.h"
#include "services/quota/allocation_service.h"
#include "services/quota/plan_service.h"
#include "services/quota/report_service.h"
#include "services/quota/target_service.h"

namespace partydev::quota {

absl::StatusOr<QuotaConfig> LoadQuotaConfig(const std::string& config_dir) {
  absl::StatusOr<domain::QuotaRuleSetRegistry> rules =
      domain::QuotaRuleSetRegistry::LoadDirectory(config_dir + "/rule_sets");
  if (!rules.ok()) return rules.status();
  QuotaConfig config;
  config.rules =
      std::make_shared<const domain::QuotaRuleSetRegistry>(*std::move(rules));
  return config;
}

absl::StatusOr<QuotaServices> MakeQuotaServices(ServiceRuntime& runtime,
                                                QuotaConfig config) {
  if (config.rules == nullptr) {
    return absl::InvalidArgumentError("quotad needs its rule sets");
  }
  QuotaServices quota;
  // One consumer name per process: the groups tell replicas apart by it.
  quota.context = std::make_shared<QuotaContext>(
      runtime, config.rules, ConsumerNameOf(runtime.config(), "projections"));
  auto& services = quota.registrations;
  services.push_back({std::make_unique<TargetServiceImpl>(quota.context),
                      v1::TargetService::service_full_name()});
  services.push_back({std::make_unique<AllocationServiceImpl>(quota.context),
                      v1::AllocationService::service_full_name()});
  services.push_back({std::make_unique<PlanServiceImpl>(quota.context),
                      v1::PlanService::service_full_name()});
  services.push_back({std::make_unique<ReportServiceImpl>(
                          quota.context, config.checkpoint_scan_period),
                      v1::ReportService::service_full_name()});
  services.push_back({std::make_unique<AchievementServiceImpl>(quota.context),
                      v1::AchievementService::service_full_name()});
  services.push_back({std::make_unique<QuotaAdminServiceImpl>(quota.context),
                      v1::QuotaAdminService::service_full_name()});
  if (config.consume_events) quota.context->projections().Start();
  return quota;
}

}  // namespace partydev::quota
