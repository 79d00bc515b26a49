// File: services/quota/candidate_pool.h
//
// The pipeline projection of quotad: every candidate's steps through the
// pipeline (from membership's PersonStageChanged, PersonCategoriesChanged
// and TrainingEnrollmentChanged events), without personal data, and the
// pool figures the candidate pool report and the plans compare with
// admissions (letter 1849-CV/ĐUK: admissions "chưa tương xứng với nguồn
// cảm tình Đảng hiện có"). The only code of these keys that speaks Redis.
//
// Keys (K is the projection's generation prefix, e.g.
// "{pd:quota}:pipeline:g1:"):
//   K r:people/<id>      record {v, d: storage.v1.PoolCandidate}
//   K under:<org id>     set of the ids of the people whose steps counted
//                        at the org (any organisation of a step's or an
//                        enrolment change's path)
//
// Event-id idempotency is the projection's (projections.h); StageApply is
// defensive too: an event whose id a candidate's steps already hold stages
// nothing. Steps are kept by date (a late-recorded step goes in its place);
// organization, organization_path and categories follow the latest step.
// Enrolment changes (TrainingEnrollmentChanged) are kept as EnrollmentStep
// the same way.

#ifndef PARTYDEV_SERVICES_QUOTA_CANDIDATE_POOL_H_
#define PARTYDEV_SERVICES_QUOTA_CANDIDATE_POOL_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/atomic_write.h"
#include "common/record_store.h"
#include "common/redis_client.h"
#include "partydev/common/v1/categories.pb.h"
#include "partydev/events/v1/events.pb.h"
#include "partydev/quota/v1/pool.pb.h"
#include "partydev/storage/v1/projections.pb.h"
#include "services/quota/domain/periods.h"
#include "services/quota/domain/pool.h"

namespace partydev::quota {

// The pool figures and their arithmetic live in domain/pool.h (pure); see
// its file comment for how pool.proto is read:
//   PoolFigures ComputePoolFigures(candidates, organization_name, span,
//                                  as_of, category);
// computes the figures of `organization_name` from the candidates counted
// under it (their steps carry their frozen paths); `category` UNSPECIFIED
// counts every candidate. (Using-declarations, so that a call with a
// domain::PeriodSpan is not ambiguous.)
using domain::ComputePoolFigures;
using domain::PoolFigures;

class CandidatePool {
 public:
  CandidatePool(RedisClient& redis, std::string key_prefix);

  // Stages the effect of `event` into `write`; false (nothing staged) for
  // events of other types.
  absl::StatusOr<bool> StageApply(const events::v1::Event& event,
                                  AtomicWrite& write);

  // The candidates whose steps counted at the organisation ("organizations/
  // {org}"), by person name: SMEMBERS, then their records read in batches
  // of 1000 per round trip.
  absl::StatusOr<std::vector<storage::v1::PoolCandidate>> CandidatesUnder(
      const std::string& organization_name);

  // CandidatesUnder of each of `organization_names`, in their order, in
  // few round trips: one pipeline of SMEMBERS, then each distinct candidate
  // read once, in batches of 1000 (a report over a subtree asks for every
  // organisation, and a candidate counts under all its ancestors).
  absl::StatusOr<std::vector<std::vector<storage::v1::PoolCandidate>>>
  CandidatesUnderEach(const std::vector<std::string>& organization_names);

 private:
  // "K under:<org id>".
  std::string UnderKey(absl::string_view organization_name) const;

  RedisClient& redis_;
  const std::string key_prefix_;
  RecordStore records_;
};

}  // namespace partydev::quota

#endif  // PARTYDEV_SERVICES_QUOTA_CANDIDATE_POOL_H_
