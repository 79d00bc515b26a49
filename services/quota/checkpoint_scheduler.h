// File: services/quota/checkpoint_scheduler.h
//
// Lagging checkpoints (lagging.proto): the lagging list of a subtree
// computed on a date (progress_report.h), frozen, and one OrganizationLagging
// event per lagging organisation appended to quotad's stream for the
// notification service to urge from. Created on demand
// (ReportService.CreateLaggingCheckpoint) or by the CheckpointScheduler at
// the dates of the rule set's checkpoint rules, for every root of the tree.
//
// Exactly once: the checkpoint's id defaults to "{as_of}-{term}[-{year}]",
// so asking twice for the same day and period is ALREADY_EXISTS; the
// checkpoint record, its frozen list and its events are one AtomicWrite
// (for a list longer than kEventsPerWrite: the record and the list first in
// state RUNNING, then the events in batches, each conditional on the
// record's version and advancing its events_published, so a crash resumes
// where it stopped and never publishes twice). Event ids derive from the
// checkpoint's name and the organisation's (a name-based UUID), so a
// consumer can tell a republished event too.
//
// Keys (P = "{pd:quota}:"):
//   P r:organizations/<org>/laggingCheckpoints/<id>        LaggingCheckpoint
//   P r:organizations/<org>/laggingCheckpoints/<id>/list   LaggingList: every
//                                                          frozen row
//   P laggingCheckpoints   zset of checkpoint names, score yyyymmdd of as_of
//
//   CheckpointScheduler scheduler(context);
//   absl::StatusOr<int> created = scheduler.RunOnce(absl::CivilDay(2023, 9,
//   30));

#ifndef PARTYDEV_SERVICES_QUOTA_CHECKPOINT_SCHEDULER_H_
#define PARTYDEV_SERVICES_QUOTA_CHECKPOINT_SCHEDULER_H_

#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/service_runtime.h"
#include "partydev/quota/v1/lagging.pb.h"
#include "services/quota/quota_context.h"

namespace partydev::quota {

// Lists longer than this publish their events in batches of this size.
inline constexpr int kEventsPerWrite = 2000;

// The actor of scheduled checkpoints.
inline constexpr absl::string_view kSystemActor = "system:quotad";

// The event id of the lagging event of `organization` at `checkpoint`: a
// name-based UUID (the same inputs always give the same id).
std::string LaggingEventId(const std::string& checkpoint,
                           const std::string& organization);

// CreateLaggingCheckpoint: checks (board role within the subtree, as_of
// not in the future), computes the list, and stores and publishes it, or
// only fills the counts for validate_only. `trigger` and `schedule_rule`
// are set by quotad (ON_DEMAND for the RPC). A checkpoint left RUNNING by a
// crash is resumed (its remaining events published) and returned;
// otherwise an existing id is ALREADY_EXISTS. `events_per_write` is the
// batch size of long lists (tests lower it).
absl::Status CreateLaggingCheckpoint(
    QuotaContext& context, const CallContext& call,
    const v1::CreateLaggingCheckpointRequest& request,
    v1::LaggingCheckpoint::Trigger trigger, const std::string& schedule_rule,
    v1::LaggingCheckpoint* response, int events_per_write = kEventsPerWrite);

// GetLaggingCheckpoint (any role within the subtree).
absl::Status GetLaggingCheckpoint(
    QuotaContext& context, const CallContext& call,
    const v1::GetLaggingCheckpointRequest& request,
    v1::LaggingCheckpoint* response);

// ListLaggingCheckpoints (any role within the subtree), newest as_of first.
absl::Status ListLaggingCheckpoints(
    QuotaContext& context, const CallContext& call,
    const v1::ListLaggingCheckpointsRequest& request,
    v1::ListLaggingCheckpointsResponse* response);

// The list frozen by the checkpoint `name` (every row, metadata filled);
// NOT_FOUND naming it.
absl::StatusOr<v1::LaggingList> FrozenLaggingList(QuotaContext& context,
                                                  const std::string& name);

// The call context of quotad's own acts (scheduled checkpoints).
CallContext SystemCall(absl::string_view method);

class CheckpointScheduler {
 public:
  explicit CheckpointScheduler(QuotaContext& context);
  ~CheckpointScheduler();  // Stop()s

  CheckpointScheduler(const CheckpointScheduler&) = delete;
  CheckpointScheduler& operator=(const CheckpointScheduler&) = delete;

  // For each checkpoint rule of the rule set in force on `today`, the most
  // recent of its dates that has come (<= today) within the current term
  // (or year of it), and each root of the tree on that date: creates the
  // checkpoint (trigger SCHEDULED, the rule's id and scope) unless it
  // exists. Returns how many were created; the first error after trying
  // every root, if any failed.
  absl::StatusOr<int> RunOnce(absl::CivilDay today);

  // Runs RunOnce(today in Vietnam) every `period` (the first after one
  // period: the projections catch up first) on a thread of its own.
  void Start(absl::Duration period);
  void Stop();

 private:
  QuotaContext& context_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace partydev::quota

#endif  // PARTYDEV_SERVICES_QUOTA_CHECKPOINT_SCHEDULER_H_
