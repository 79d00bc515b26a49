// File: services/quota/projections.h
//
// quotad's three projections of membership's event stream (projections.proto):
//   quotaProjections/organizations  the organisation tree with history
//                                   (common/org_tree.h)
//   quotaProjections/admissions     the admissions ledger and counts
//                                   (admission_ledger.h)
//   quotaProjections/pipeline       the candidate pool (candidate_pool.h)
//
// Each projection reads the stream through its own consumer group
// ("quotad-organizations", ...; common/event_consumer.h) and applies each
// event in one AtomicWrite together with a marker of its event id, so a
// redelivered or replayed event changes nothing, and acknowledges it only
// after the write: a crash between read and ack loses nothing.
//
// Each projection's keys live under a generation ("{pd:quota}:admissions:g3:")
// named by a pointer key. A full rebuild replays the stream from its first
// entry into the next generation while reports keep reading the current one,
// then swaps the pointer and moves the group's position to where the replay
// stopped, in one step; the live consumer of that projection pauses meanwhile.
//
// Keys (P is quotad's hash-tagged prefix):
//   P <projection>:gen             record {v, d: generation number}
//   P <projection>:g<N>:seen:<id>  marker of an applied event id
//   P <projection>:g<N>:stats      hash: applied, duplicates (parked
//                                  events are counted by the parked
//                                  stream's length)
//   P <projection>:g<N>:last       record {v, d: quota.v1.Projection with
//                                  only last_event_*/last_apply_time}: the
//                                  newest event applied (a replay of old
//                                  events does not move it back)
//   P <projection>:gen:last        the last generation number handed out
//                                  (a failed rebuild's number is not reused)
//   P <projection>:rebuild         record of the running/last rebuild
//                                  (RebuildStatus; finish_time unset while
//                                  it runs or when it failed)
//   P <projection>:rebuild:alive   set while a rebuild runs (expires 30 s
//                                  after its last refresh: a rebuild whose
//                                  process died no longer blocks the next)
//   P <projection>:parked          stream of the events parked after
//                                  repeated failures (fields e, id, error)
//
// A full rebuild removes (SCAN + UNLINK) the keys of every generation but
// the current one and the one it builds: the generation it replaces stays
// until the next full rebuild, so a reader holding its stores never sees
// them emptied under it.
//
// The etag of a projection is the version of its rebuild record: it
// changes when a rebuild starts or ends, not with every event applied.
// Rule `quota.projection.stream_untrimmed` compares XINFO STREAM's
// entries-added with its length (Redis 7: equal when no entry was ever
// trimmed or deleted); on an older Redis, which does not report
// entries-added, the rule is not checked.
//
// Thread-safety: every method may be called from any thread.

#ifndef PARTYDEV_SERVICES_QUOTA_PROJECTIONS_H_
#define PARTYDEV_SERVICES_QUOTA_PROJECTIONS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/org_tree.h"
#include "common/redis_client.h"
#include "common/service_runtime.h"
#include "partydev/quota/v1/projections.pb.h"
#include "services/quota/admission_ledger.h"
#include "services/quota/candidate_pool.h"
#include "services/quota/domain/rule_sets.h"

namespace partydev::quota {

struct ProjectionsOptions {
  // quotad's hash-tagged key prefix ("{pd:quota}:").
  std::string prefix;
  // Membership's event stream ("{pd:membership}:events").
  std::string membership_stream;
  // This process's consumer name within the groups (unique per replica).
  std::string consumer;
};

class Projections {
 public:
  // `redis` holds quotad's keys; `source` holds membership's stream (the
  // same client when both live on one Redis). The consumer groups and the
  // parked entries live beside the stream they belong to.
  Projections(RedisClient& redis, RedisClient& source,
              ProjectionsOptions options,
              const domain::QuotaRuleSetRegistry& rules);
  ~Projections();  // Stop()s

  // The current generations' stores (readers keep the shared_ptr for the
  // duration of a request, so a swap never pulls a store from under them).
  absl::StatusOr<std::shared_ptr<const OrgTree>> Tree();
  std::shared_ptr<AdmissionLedger> admissions();
  std::shared_ptr<CandidatePool> pool();

  // Applies what the stream holds now to every projection (tests, tools).
  absl::StatusOr<int> DrainAll();
  // Starts the background consumers; Stop() joins them.
  void Start();
  void Stop();

  // QuotaAdminService: status, list, rebuild (see projections.proto).
  absl::StatusOr<v1::Projection> Get(const std::string& name);
  absl::StatusOr<std::vector<v1::Projection>> List();
  // Starts a rebuild or replay (RebuildProjectionRequest's rules) and
  // returns the projection in STATE_REBUILDING; the work runs on a
  // background thread (tests may wait with WaitForRebuild).
  absl::StatusOr<v1::Projection> Rebuild(
      const v1::RebuildProjectionRequest& request,
      const common::v1::ChangeStamp& stamp);
  absl::Status WaitForRebuild(const std::string& name);

  // Time of the act of the last event applied to the admissions (pipeline)
  // projection: the data_through of reports.
  absl::StatusOr<google::protobuf::Timestamp> AdmissionsThrough();
  absl::StatusOr<google::protobuf::Timestamp> PipelineThrough();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace partydev::quota

#endif  // PARTYDEV_SERVICES_QUOTA_PROJECTIONS_H_
