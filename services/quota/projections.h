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
//   P <projection>:g<N>:stats      hash: applied, duplicates, parked,
//                                  last event id/type/time, last apply time
//   P <projection>:rebuild         record of the running/last rebuild
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
  Projections(RedisClient& redis, ProjectionsOptions options,
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
