// File: services/membership/cell_life_watch.h
//
// The daily pass over every cell that turns time into cell-life facts:
// regular meetings not held by the end of their month are flagged
// (FlagMeetingsNotHeld), and a member's past months of unpaid dues raise
// early warnings (StageEarlyWarnings with the dues statement) — attendance
// raises its warnings when it is recorded, dues only when a month ends
// unpaid, which no request announces.
//
// Exactly once with any number of membershipd replicas: warnings have
// derived ids and are staged against the versions read, so a second pass
// (or a concurrent replica) finds them raised and writes nothing.
//
//   CellLifeWatch watch(context);
//   absl::StatusOr<int> written = watch.SweepOnce(today);  // tests, tools
//   watch.Start(absl::Hours(1));  // membershipd: wakes hourly, sweeps once
//                                  // a day (one replica claims the day)

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_CELL_LIFE_WATCH_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_CELL_LIFE_WATCH_H_

#include <memory>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "partydev/common/v1/types.pb.h"
#include "services/membership/membership_context.h"

namespace partydev::membership {

class CellLifeWatch {
 public:
  explicit CellLifeWatch(std::shared_ptr<MembershipContext> context);
  ~CellLifeWatch();  // stops the background pass, if started
  CellLifeWatch(const CellLifeWatch&) = delete;
  CellLifeWatch& operator=(const CellLifeWatch&) = delete;

  // One pass over every organisation as of `today`: returns how many
  // meetings it flagged and warnings it raised.
  absl::StatusOr<int> SweepOnce(const common::v1::Date& today);

  // Sweeps every `period` on a thread of its own until destroyed; errors
  // (Redis away) are logged and retried at the next period.
  void Start(absl::Duration period);

 private:
  // Claims `today`'s pass for this replica (a marker written once per day):
  // false when another replica has it.
  absl::StatusOr<bool> ClaimDay(const common::v1::Date& today);

  std::shared_ptr<MembershipContext> context_;
  absl::Notification stop_;
  std::unique_ptr<std::thread> thread_;
};

}  // namespace partydev::membership

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_CELL_LIFE_WATCH_H_
