// quotad: the quota service of partydev (see README.md and
// protos/partydev/quota/v1/). A thin main: configuration, runtime, server
// and signals live in common/; the rule sets come from PARTYDEV_CONFIG_DIR
// (services/quota/rules/ by default); services.h wires the services and the
// consumers of membership's events.

#include "common/service_main.h"
#include "services/quota/services.h"

int main(int argc, char** argv) {
  return partydev::RunServiceMain(
      argc, argv,
      {"quotad", 50052, 9092, "pd:quota:", PARTYDEV_QUOTA_CONFIG_DIR},
      [](partydev::ServiceRuntime& runtime)
          -> absl::StatusOr<std::vector<partydev::ServiceRegistration>> {
        absl::StatusOr<partydev::quota::QuotaConfig> config =
            partydev::quota::LoadQuotaConfig(runtime.config().config_dir);
        if (!config.ok()) return config.status();
        config->consume_events = true;
        config->checkpoint_scan_period = absl::Hours(1);
        absl::StatusOr<partydev::quota::QuotaServices> quota =
            partydev::quota::MakeQuotaServices(runtime, *std::move(config));
        if (!quota.ok()) return quota.status();
        return std::move(quota->registrations);
      });
}
