// File: services/quota/services.h
//
// The wiring of quotad: its configuration (the quota rule sets) and its
// services over one shared QuotaContext. main.cc and the tests build the
// server through the same functions, so what is tested is what runs.
//
//   absl::StatusOr<QuotaConfig> config =
//       LoadQuotaConfig(runtime.config().config_dir);
//   absl::StatusOr<QuotaServices> quota = MakeQuotaServices(runtime, *config);
//   return std::move(quota->registrations);

#ifndef PARTYDEV_SERVICES_QUOTA_SERVICES_H_
#define PARTYDEV_SERVICES_QUOTA_SERVICES_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/service_main.h"
#include "common/service_runtime.h"
#include "services/quota/domain/rule_sets.h"
#include "services/quota/quota_context.h"

namespace partydev::quota {

struct QuotaConfig {
  std::shared_ptr<const domain::QuotaRuleSetRegistry> rules;
  // Run the projections' consumers in the background (quotad does; tests
  // drain them themselves with Projections::DrainAll).
  bool consume_events = false;
  // How often the scheduled lagging checkpoints are looked for; zero: never
  // (tests run the scheduler themselves).
  absl::Duration checkpoint_scan_period = absl::ZeroDuration();
};

// Reads `config_dir`/rule_sets/*.json.
absl::StatusOr<QuotaConfig> LoadQuotaConfig(const std::string& config_dir);

struct QuotaServices {
  // Shared by the services; tests drive its projections directly.
  std::shared_ptr<QuotaContext> context;
  std::vector<ServiceRegistration> registrations;
};

// Every service of partydev.quota.v1 over one context; starts the
// background workers the configuration asks for.
absl::StatusOr<QuotaServices> MakeQuotaServices(ServiceRuntime& runtime,
                                                QuotaConfig config);

}  // namespace partydev::quota

#endif  // PARTYDEV_SERVICES_QUOTA_SERVICES_H_
