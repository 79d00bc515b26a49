// File: services/membership/services.h
//
// The wiring of membershipd: its configuration (rule sets, working-day
// calendar) and its services over one shared MembershipContext. main.cc and
// the tests build the server through the same two functions, so what is
// tested is what runs.
//
//   absl::StatusOr<MembershipConfig> config =
//       LoadMembershipConfig(runtime.config().config_dir);
//   return MakeMembershipServices(runtime, *config);

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_SERVICES_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_SERVICES_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/service_main.h"
#include "common/service_runtime.h"
#include "services/membership/domain/rule_sets.h"
#include "services/membership/domain/working_days.h"
#include "services/membership/membership_context.h"

namespace partydev::membership {

struct MembershipConfig {
  // Every rule set, by date (AdministrationService lists them).
  std::shared_ptr<const domain::RuleSetRegistry> rule_sets;
  // The rule set in force on a date; by default rule_sets's
  // ForDateOrEarliest. Tests may judge by a rule set of their own.
  RuleSetLookup lookup;
  // The working-day calendar of Vietnamese public holidays.
  std::shared_ptr<const domain::WorkingDayCalendar> calendar;
  // How often the deadline watch announces approaching deadlines
  // (deadline_watch.h); zero: no watch (tests drive ScanOnce themselves).
  absl::Duration deadline_scan_period = absl::ZeroDuration();
  // How far ahead of the real time the deadline watch's today is.
  absl::Duration deadline_clock_offset = absl::ZeroDuration();
  // How often the cell-life watch flags meetings not held and raises dues
  // warnings (cell_life_watch.h); zero: none (tests drive SweepOnce).
  absl::Duration cell_life_sweep_period = absl::ZeroDuration();
};

// Reads `config_dir`/rule_sets/*.json and `config_dir`/calendar_vn.json.
absl::StatusOr<MembershipConfig> LoadMembershipConfig(
    const std::string& config_dir);

// Every service of partydev.membership.v1, sharing one context.
absl::StatusOr<std::vector<ServiceRegistration>> MakeMembershipServices(
    ServiceRuntime& runtime, MembershipConfig config);

}  // namespace partydev::membership

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_SERVICES_H_
