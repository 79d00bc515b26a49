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
//   K under:<org id>     set of the people whose steps counted at the org
//                        (any organisation of a step's path)
//
// Event-id idempotency is the projection's (projections.h).

#ifndef PARTYDEV_SERVICES_QUOTA_CANDIDATE_POOL_H_
#define PARTYDEV_SERVICES_QUOTA_CANDIDATE_POOL_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/atomic_write.h"
#include "common/record_store.h"
#include "common/redis_client.h"
#include "partydev/common/v1/categories.pb.h"
#include "partydev/events/v1/events.pb.h"
#include "partydev/quota/v1/pool.pb.h"
#include "partydev/storage/v1/projections.pb.h"
#include "services/quota/domain/periods.h"

namespace partydev::quota {

// The pool figures of one organisation (its subtree, as the tree stood on
// each step's date) over a span, as of a day. What CandidatePoolRow and
// Plan.actual show, before admissions are added.
struct PoolFigures {
  // Candidates at each stage on as_of (STAGE_SOURCED..ADMISSION_DECIDED).
  std::map<common::v1::Stage, int> at_stage;
  int in_training = 0;     // enrolled in a class on as_of, not yet assessed
  int pool_size = 0;       // sum of at_stage
  int certified_pool = 0;  // at STAGE_TRAINING_PASSED or later, not admitted
  // Candidates who reached each stage within [span.start, as_of].
  std::map<common::v1::Stage, int> reached;
  int sent_to_training = 0;  // enrolments within [span.start, as_of]
  int withdrawn = 0;
  int rejected = 0;
  // Consecutive pipeline stages, then SOURCED -> ADMISSION_DECIDED.
  std::vector<v1::StageConversion> conversions;
};

// Computes the figures of `organization_name` from the candidates counted
// under it (pure; the candidates' steps carry their frozen paths).
// `category` UNSPECIFIED counts every candidate.
PoolFigures ComputePoolFigures(
    const std::vector<storage::v1::PoolCandidate>& candidates,
    const std::string& organization_name, const domain::PeriodSpan& span,
    absl::CivilDay as_of, common::v1::Category category);

class CandidatePool {
 public:
  CandidatePool(RedisClient& redis, std::string key_prefix);

  // Stages the effect of `event` into `write`; false (nothing staged) for
  // events of other types.
  absl::StatusOr<bool> StageApply(const events::v1::Event& event,
                                  AtomicWrite& write);

  // The candidates whose steps counted at the organisation.
  absl::StatusOr<std::vector<storage::v1::PoolCandidate>> CandidatesUnder(
      const std::string& organization_name);

 private:
  RedisClient& redis_;
  const std::string key_prefix_;
  RecordStore records_;
};

}  // namespace partydev::quota

#endif  // PARTYDEV_SERVICES_QUOTA_CANDIDATE_POOL_H_
