// membershipd: the membership service of partydev (see README.md and
// protos/partydev/membership/v1/). A thin main: configuration, runtime,
// server and signals live in common/; the rule sets and the working-day
// calendar come from PARTYDEV_CONFIG_DIR (services/membership/rules/ by
// default); services.h wires the services.

#include "common/service_main.h"
#include "services/membership/services.h"

int main(int argc, char** argv) {
  return partydev::RunServiceMain(
      argc, argv,
      {"membershipd", 50051, 9091,
       "pd:membership:", PARTYDEV_MEMBERSHIP_CONFIG_DIR},
      [](partydev::ServiceRuntime& runtime)
          -> absl::StatusOr<std::vector<partydev::ServiceRegistration>> {
        absl::StatusOr<partydev::membership::MembershipConfig> config =
            partydev::membership::LoadMembershipConfig(
                runtime.config().config_dir);
        if (!config.ok()) return config.status();
        config->deadline_scan_period = runtime.config().sweep_period;
        config->deadline_clock_offset = runtime.config().clock_offset;
        config->cell_life_sweep_period = absl::Hours(1);
        return partydev::membership::MakeMembershipServices(runtime,
                                                            *std::move(config));
      });
}
