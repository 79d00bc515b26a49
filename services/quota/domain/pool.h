// File: services/quota/domain/pool.h
//
// The arithmetic of the candidate pool report (pool.proto): from the steps
// of the candidates counted under an organisation (each step with the
// organisation path it counted at, frozen), the pool on a day, the flow over
// a period and the conversions between the stages of the pipeline. Pure: no
// I/O (candidate_pool.h loads the candidates).
//
// How pool.proto's comments are read:
//  - A candidate's stage on a day is the to_stage of its last step dated on
//    or before it (steps of one day in the order they were applied); the
//    candidate counts at an organisation on that day when the organisation
//    is on that step's path.
//  - at_stage and pool_size: stages STAGE_SOURCED..STAGE_ADMISSION_DECIDED
//    (pool.proto: "from STAGE_SOURCED to STAGE_ADMISSION_DECIDED");
//    withdrawn, rejected and members (probation, official, removed, left)
//    are out.
//  - certified_pool: "passed the training class (STAGE_TRAINING_PASSED or
//    later, not yet admitted)": STAGE_TRAINING_PASSED..COMMITTEE_RESOLVED.
//    STAGE_ADMISSION_DECIDED is in the pool but is not "not yet admitted":
//    the signed decision is the admission (events.proto MemberAdmitted), and
//    admission_to_pool_ratio = admitted / (admitted + certified_pool) would
//    otherwise count a person decided in the period twice.
//  - The window of the flows is "the period up to as_of": [span.start,
//    min(span.end, as_of)].
//  - reached: candidates with a step into the stage dated within the
//    window, counted at the organisations of that step's path (each
//    candidate once per stage). withdrawn and rejected likewise, for the
//    steps into STAGE_WITHDRAWN and STAGE_REJECTED.
//  - conversions, for each pair (from, to): the cohort is the candidates
//    who reached `from` within the window at the organisation (the first
//    such step: its date d0); converted are those of them with a later
//    step into `to` or any stage beyond it up to STAGE_OFFICIAL (a stage
//    beyond has passed through `to`) dated by as_of; median_days is the
//    median of the days from d0 to the first such step; dropped are those
//    of the cohort not converted with a later step into WITHDRAWN or
//    REJECTED dated by as_of. cohort = converted + dropped + still going.
//  - in_training: candidates whose latest enrolment change dated by as_of
//    is "enrolled" (not yet assessed), at the organisations of that
//    change's path, and who are not outside the pool on as_of (a
//    probationary member's new-member course does not count).
//    sent_to_training: "enrolled" changes dated within the window at the
//    organisation, of people not outside the pool on that day (a candidate
//    enrolled twice counts twice: enrolments, not people).
//  - `category` (not UNSPECIFIED) keeps only the candidates whose
//    categories (of their latest event) hold it.

#ifndef PARTYDEV_SERVICES_QUOTA_DOMAIN_POOL_H_
#define PARTYDEV_SERVICES_QUOTA_DOMAIN_POOL_H_

#include <map>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "partydev/common/v1/categories.pb.h"
#include "partydev/quota/v1/pool.pb.h"
#include "partydev/storage/v1/projections.pb.h"
#include "services/quota/domain/periods.h"

namespace partydev::quota::domain {

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

// The stages of the pipeline a candidate goes through, in order
// (STAGE_SOURCED..STAGE_ADMISSION_DECIDED).
const std::vector<common::v1::Stage>& PipelineStages();

// True for the stages of the pool (STAGE_SOURCED..ADMISSION_DECIDED).
bool InPool(common::v1::Stage stage);

// The figures of `organization_name` from `candidates` (see the file
// comment). `category` UNSPECIFIED counts every candidate.
PoolFigures ComputePoolFigures(
    const std::vector<storage::v1::PoolCandidate>& candidates,
    const std::string& organization_name, const PeriodSpan& span,
    absl::CivilDay as_of, common::v1::Category category);

// The median of `values` (the mean of the two middle ones for an even
// count); 0 when empty.
double Median(std::vector<int> values);

}  // namespace partydev::quota::domain

#endif  // PARTYDEV_SERVICES_QUOTA_DOMAIN_POOL_H_
