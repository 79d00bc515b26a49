// The arithmetic of the candidate pool (services/quota/domain/pool.h): the
// pool on a day, the flow over a period, conversions between stages and
// the candidates in training, from candidates' steps with frozen paths.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/dates.h"
#include "services/quota/domain/pool.h"

namespace partydev::quota::domain {
namespace {

using common::v1::Stage;

const std::vector<std::string> kToan = {"organizations/lam-dong",
                                        "organizations/dh-da-lat",
                                        "organizations/cb-toan"};
const std::vector<std::string> kVan = {"organizations/lam-dong",
                                       "organizations/dh-da-lat",
                                       "organizations/cb-van"};
const std::vector<std::string> kYTe = {
    "organizations/lam-dong", "organizations/so-y-te", "organizations/cb-y-te"};
const std::string kUniversity = "organizations/dh-da-lat";
const std::string kProvince = "organizations/lam-dong";

// Builds a candidate step by step.
class CandidateBuilder {
 public:
  explicit CandidateBuilder(const std::string& id) {
    candidate_.set_person("people/" + id);
  }
  CandidateBuilder& Step(absl::CivilDay on, Stage to,
                         const std::vector<std::string>& path = kToan) {
    storage::v1::StageTransition* t = candidate_.add_transitions();
    *t->mutable_on() = FromCivilDay(on);
    t->set_from_stage(last_);
    t->set_to_stage(to);
    for (const auto& p : path) t->add_organization_path(p);
    t->set_event_id(candidate_.person() + "/" +
                    std::to_string(candidate_.transitions_size()));
    last_ = to;
    return *this;
  }
  CandidateBuilder& Enrol(absl::CivilDay on, const std::string& state,
                          const std::vector<std::string>& path = kToan) {
    storage::v1::EnrollmentStep* e = candidate_.add_enrollments();
    *e->mutable_on() = FromCivilDay(on);
    e->set_state(state);
    e->set_training_class("trainingClasses/k1");
    for (const auto& p : path) e->add_organization_path(p);
    return *this;
  }
  CandidateBuilder& Category(common::v1::Category c) {
    candidate_.add_categories(c);
    return *this;
  }
  storage::v1::PoolCandidate Build() const { return candidate_; }

 private:
  storage::v1::PoolCandidate candidate_;
  Stage last_ = common::v1::STAGE_UNSPECIFIED;
};

absl::CivilDay Day(int y, int m, int d) { return absl::CivilDay(y, m, d); }

const PeriodSpan k2024 = {Day(2024, 1, 1), Day(2024, 12, 31)};

const v1::StageConversion* Conversion(const PoolFigures& f, Stage from,
                                      Stage to) {
  for (const auto& c : f.conversions) {
    if (c.from_stage() == from && c.to_stage() == to) return &c;
  }
  return nullptr;
}

TEST(PoolDomainTest, PoolOnAsOfCountsTheStagesOfThePool) {
  std::vector<storage::v1::PoolCandidate> c = {
      CandidateBuilder("sourced")
          .Step(Day(2024, 2, 1), common::v1::STAGE_SOURCED)
          .Build(),
      CandidateBuilder("trained")
          .Step(Day(2024, 2, 1), common::v1::STAGE_SOURCED)
          .Step(Day(2024, 3, 1), common::v1::STAGE_MENTOR_ASSIGNED)
          .Step(Day(2024, 4, 1), common::v1::STAGE_TRAINING_PASSED)
          .Build(),
      CandidateBuilder("committee")
          .Step(Day(2024, 2, 1), common::v1::STAGE_COMMITTEE_RESOLVED)
          .Build(),
      CandidateBuilder("decided")
          .Step(Day(2024, 2, 1), common::v1::STAGE_ADMISSION_DECIDED)
          .Build(),
      CandidateBuilder("member")
          .Step(Day(2024, 2, 1), common::v1::STAGE_ADMISSION_DECIDED)
          .Step(Day(2024, 3, 1), common::v1::STAGE_PROBATION)
          .Build(),
      CandidateBuilder("withdrawn")
          .Step(Day(2024, 2, 1), common::v1::STAGE_SOURCED)
          .Step(Day(2024, 3, 1), common::v1::STAGE_WITHDRAWN)
          .Build(),
      CandidateBuilder("rejected")
          .Step(Day(2024, 2, 1), common::v1::STAGE_CELL_RESOLVED)
          .Step(Day(2024, 3, 1), common::v1::STAGE_REJECTED)
          .Build(),
  };
  PoolFigures f = ComputePoolFigures(c, kUniversity, k2024, Day(2024, 6, 30),
                                     common::v1::CATEGORY_UNSPECIFIED);
  EXPECT_EQ(f.pool_size, 4);
  EXPECT_EQ(f.at_stage[common::v1::STAGE_SOURCED], 1);
  EXPECT_EQ(f.at_stage[common::v1::STAGE_TRAINING_PASSED], 1);
  EXPECT_EQ(f.at_stage[common::v1::STAGE_COMMITTEE_RESOLVED], 1);
  EXPECT_EQ(f.at_stage[common::v1::STAGE_ADMISSION_DECIDED], 1);
  EXPECT_EQ(f.at_stage.count(common::v1::STAGE_PROBATION), 0u);
  // Passed the training class and not yet admitted: the decided one is
  // admitted (its decision is the admission).
  EXPECT_EQ(f.certified_pool, 2);
  EXPECT_EQ(f.withdrawn, 1);
  EXPECT_EQ(f.rejected, 1);
}

TEST(PoolDomainTest, StageOnAsOfIsTheLastStepDatedByThen) {
  std::vector<storage::v1::PoolCandidate> c = {
      CandidateBuilder("a")
          .Step(Day(2024, 2, 1), common::v1::STAGE_SOURCED)
          .Step(Day(2024, 5, 1), common::v1::STAGE_MENTOR_ASSIGNED)
          .Step(Day(2024, 9, 1), common::v1::STAGE_WITHDRAWN)
          .Build(),
  };
  PoolFigures early =
      ComputePoolFigures(c, kUniversity, k2024, Day(2024, 1, 31),
                         common::v1::CATEGORY_UNSPECIFIED);
  EXPECT_EQ(early.pool_size, 0);
  PoolFigures march = ComputePoolFigures(c, kUniversity, k2024, Day(2024, 3, 1),
                                         common::v1::CATEGORY_UNSPECIFIED);
  EXPECT_EQ(march.at_stage[common::v1::STAGE_SOURCED], 1);
  PoolFigures june = ComputePoolFigures(c, kUniversity, k2024, Day(2024, 6, 1),
                                        common::v1::CATEGORY_UNSPECIFIED);
  EXPECT_EQ(june.at_stage[common::v1::STAGE_MENTOR_ASSIGNED], 1);
  EXPECT_EQ(june.at_stage.count(common::v1::STAGE_SOURCED), 0u);
  EXPECT_EQ(june.withdrawn, 0);
  PoolFigures after = ComputePoolFigures(c, kUniversity, k2024, Day(2024, 9, 1),
                                         common::v1::CATEGORY_UNSPECIFIED);
  EXPECT_EQ(after.pool_size, 0);
  EXPECT_EQ(after.withdrawn, 1);
}

TEST(PoolDomainTest, CandidateCountsWhereItsLatestStepCounted) {
  // Sourced in Khoa Toán, moved to Sở Y tế with the next step.
  std::vector<storage::v1::PoolCandidate> c = {
      CandidateBuilder("mover")
          .Step(Day(2024, 2, 1), common::v1::STAGE_SOURCED, kToan)
          .Step(Day(2024, 5, 1), common::v1::STAGE_MENTOR_ASSIGNED, kYTe)
          .Build(),
  };
  const auto f = [&](const std::string& org, absl::CivilDay as_of) {
    return ComputePoolFigures(c, org, k2024, as_of,
                              common::v1::CATEGORY_UNSPECIFIED);
  };
  EXPECT_EQ(f(kUniversity, Day(2024, 3, 1)).pool_size, 1);
  EXPECT_EQ(f("organizations/so-y-te", Day(2024, 3, 1)).pool_size, 0);
  EXPECT_EQ(f(kUniversity, Day(2024, 6, 1)).pool_size, 0);
  EXPECT_EQ(f("organizations/so-y-te", Day(2024, 6, 1)).pool_size, 1);
  EXPECT_EQ(f(kProvince, Day(2024, 6, 1)).pool_size, 1);
  // The flow stays where each step counted.
  PoolFigures university = f(kUniversity, Day(2024, 6, 1));
  EXPECT_EQ(university.reached[common::v1::STAGE_SOURCED], 1);
  EXPECT_EQ(university.reached.count(common::v1::STAGE_MENTOR_ASSIGNED), 0u);
  PoolFigures health = f("organizations/so-y-te", Day(2024, 6, 1));
  EXPECT_EQ(health.reached[common::v1::STAGE_MENTOR_ASSIGNED], 1);
  EXPECT_EQ(health.reached.count(common::v1::STAGE_SOURCED), 0u);
  // The cells apart.
  EXPECT_EQ(f("organizations/cb-van", Day(2024, 3, 1)).pool_size, 0);
  EXPECT_EQ(f("organizations/cb-toan", Day(2024, 3, 1)).pool_size, 1);
}

TEST(PoolDomainTest, ReachedCountsStepsWithinThePeriodUpToAsOf) {
  std::vector<storage::v1::PoolCandidate> c = {
      // Sourced before the period: not in the flow.
      CandidateBuilder("old")
          .Step(Day(2023, 11, 1), common::v1::STAGE_SOURCED)
          .Step(Day(2024, 2, 1), common::v1::STAGE_MENTOR_ASSIGNED)
          .Build(),
      CandidateBuilder("new")
          .Step(Day(2024, 3, 1), common::v1::STAGE_SOURCED)
          .Build(),
      // After as_of: not yet.
      CandidateBuilder("later")
          .Step(Day(2024, 8, 1), common::v1::STAGE_SOURCED)
          .Build(),
      // Reached the same stage twice (withdrawn, sourced again): once.
      CandidateBuilder("again")
          .Step(Day(2024, 1, 10), common::v1::STAGE_SOURCED)
          .Step(Day(2024, 2, 10), common::v1::STAGE_WITHDRAWN)
          .Step(Day(2024, 3, 10), common::v1::STAGE_SOURCED)
          .Build(),
  };
  PoolFigures f = ComputePoolFigures(c, kUniversity, k2024, Day(2024, 6, 30),
                                     common::v1::CATEGORY_UNSPECIFIED);
  EXPECT_EQ(f.reached[common::v1::STAGE_SOURCED], 2);
  EXPECT_EQ(f.reached[common::v1::STAGE_MENTOR_ASSIGNED], 1);
  EXPECT_EQ(f.withdrawn, 1);
  EXPECT_EQ(f.reached.count(common::v1::STAGE_WITHDRAWN), 0u);

  // A past year seen from later: the flow is the year's, the pool today's.
  PoolFigures year_2023 =
      ComputePoolFigures(c, kUniversity, {Day(2023, 1, 1), Day(2023, 12, 31)},
                         Day(2024, 6, 30), common::v1::CATEGORY_UNSPECIFIED);
  EXPECT_EQ(year_2023.reached[common::v1::STAGE_SOURCED], 1);
  EXPECT_EQ(year_2023.reached.count(common::v1::STAGE_MENTOR_ASSIGNED), 0u);
  EXPECT_EQ(year_2023.pool_size, 3);
}

TEST(PoolDomainTest, ConversionsBetweenConsecutiveStagesAndEndToEnd) {
  std::vector<storage::v1::PoolCandidate> c = {
      // Mentor after 10 days, training after 40 more.
      CandidateBuilder("fast")
          .Step(Day(2024, 1, 1), common::v1::STAGE_SOURCED)
          .Step(Day(2024, 1, 11), common::v1::STAGE_MENTOR_ASSIGNED)
          .Step(Day(2024, 2, 20), common::v1::STAGE_TRAINING_PASSED)
          .Build(),
      // Mentor after 30 days.
      CandidateBuilder("slow")
          .Step(Day(2024, 2, 1), common::v1::STAGE_SOURCED)
          .Step(Day(2024, 3, 2), common::v1::STAGE_MENTOR_ASSIGNED)
          .Build(),
      // Withdrawn before a mentor.
      CandidateBuilder("gone")
          .Step(Day(2024, 2, 1), common::v1::STAGE_SOURCED)
          .Step(Day(2024, 2, 15), common::v1::STAGE_WITHDRAWN)
          .Build(),
      // Still waiting.
      CandidateBuilder("waiting")
          .Step(Day(2024, 5, 1), common::v1::STAGE_SOURCED)
          .Build(),
      // Mentor after as_of: not converted yet.
      CandidateBuilder("late")
          .Step(Day(2024, 4, 1), common::v1::STAGE_SOURCED)
          .Step(Day(2024, 7, 1), common::v1::STAGE_MENTOR_ASSIGNED)
          .Build(),
      // All the way to the decision in 200 days.
      CandidateBuilder("admitted")
          .Step(Day(2024, 1, 1), common::v1::STAGE_SOURCED)
          .Step(Day(2024, 1, 21), common::v1::STAGE_MENTOR_ASSIGNED)
          .Step(Day(2024, 3, 1), common::v1::STAGE_TRAINING_PASSED)
          .Step(Day(2024, 3, 10), common::v1::STAGE_APPLICATION_FILED)
          .Step(Day(2024, 4, 10), common::v1::STAGE_BACKGROUND_VERIFIED)
          .Step(Day(2024, 4, 20), common::v1::STAGE_INTRODUCED)
          .Step(Day(2024, 5, 1), common::v1::STAGE_CELL_RESOLVED)
          .Step(Day(2024, 6, 1), common::v1::STAGE_COMMITTEE_RESOLVED)
          .Step(Day(2024, 7, 19), common::v1::STAGE_ADMISSION_DECIDED)
          .Step(Day(2024, 8, 1), common::v1::STAGE_PROBATION)
          .Build(),
  };
  PoolFigures f = ComputePoolFigures(c, kUniversity, k2024, Day(2024, 6, 30),
                                     common::v1::CATEGORY_UNSPECIFIED);
  // Eight consecutive pairs and the end-to-end one.
  ASSERT_EQ(f.conversions.size(), 9u);
  EXPECT_EQ(f.conversions[0].from_stage(), common::v1::STAGE_SOURCED);
  EXPECT_EQ(f.conversions[0].to_stage(), common::v1::STAGE_MENTOR_ASSIGNED);
  EXPECT_EQ(f.conversions[7].from_stage(),
            common::v1::STAGE_COMMITTEE_RESOLVED);
  EXPECT_EQ(f.conversions[7].to_stage(), common::v1::STAGE_ADMISSION_DECIDED);
  EXPECT_EQ(f.conversions[8].from_stage(), common::v1::STAGE_SOURCED);
  EXPECT_EQ(f.conversions[8].to_stage(), common::v1::STAGE_ADMISSION_DECIDED);

  const v1::StageConversion* mentor = Conversion(
      f, common::v1::STAGE_SOURCED, common::v1::STAGE_MENTOR_ASSIGNED);
  ASSERT_NE(mentor, nullptr);
  EXPECT_EQ(mentor->cohort(), 6);
  EXPECT_EQ(mentor->converted(), 3);  // fast, slow, admitted
  EXPECT_DOUBLE_EQ(mentor->rate(), 0.5);
  EXPECT_DOUBLE_EQ(mentor->median_days(), 20);  // 10, 20, 30
  EXPECT_EQ(mentor->dropped(), 1);              // gone

  const v1::StageConversion* training = Conversion(
      f, common::v1::STAGE_MENTOR_ASSIGNED, common::v1::STAGE_TRAINING_PASSED);
  ASSERT_NE(training, nullptr);
  EXPECT_EQ(training->cohort(), 3);  // fast, slow, admitted (late: after as_of)
  EXPECT_EQ(training->converted(), 2);
  EXPECT_DOUBLE_EQ(training->median_days(), 40);  // 40, 40
  EXPECT_EQ(training->dropped(), 0);

  // The decision after as_of: not converted yet.
  const v1::StageConversion* end_to_end = &f.conversions[8];
  EXPECT_EQ(end_to_end->cohort(), 6);
  EXPECT_EQ(end_to_end->converted(), 0);
  EXPECT_DOUBLE_EQ(end_to_end->rate(), 0);
  EXPECT_DOUBLE_EQ(end_to_end->median_days(), 0);

  PoolFigures year_end =
      ComputePoolFigures(c, kUniversity, k2024, Day(2024, 12, 31),
                         common::v1::CATEGORY_UNSPECIFIED);
  end_to_end = &year_end.conversions[8];
  EXPECT_EQ(end_to_end->converted(), 1);
  EXPECT_DOUBLE_EQ(end_to_end->median_days(), 200);
  // The last pair of the pipeline.
  const v1::StageConversion* decided =
      Conversion(year_end, common::v1::STAGE_COMMITTEE_RESOLVED,
                 common::v1::STAGE_ADMISSION_DECIDED);
  ASSERT_NE(decided, nullptr);
  EXPECT_EQ(decided->cohort(), 1);
  EXPECT_EQ(decided->converted(), 1);
  EXPECT_DOUBLE_EQ(decided->median_days(), 48);
}

TEST(PoolDomainTest, AStageBeyondCountsAsConverted) {
  // Background verification skipped straight to the introducers.
  std::vector<storage::v1::PoolCandidate> c = {
      CandidateBuilder("skip")
          .Step(Day(2024, 3, 1), common::v1::STAGE_APPLICATION_FILED)
          .Step(Day(2024, 3, 11), common::v1::STAGE_INTRODUCED)
          .Build(),
  };
  PoolFigures f = ComputePoolFigures(c, kUniversity, k2024, Day(2024, 6, 30),
                                     common::v1::CATEGORY_UNSPECIFIED);
  const v1::StageConversion* verified =
      Conversion(f, common::v1::STAGE_APPLICATION_FILED,
                 common::v1::STAGE_BACKGROUND_VERIFIED);
  ASSERT_NE(verified, nullptr);
  EXPECT_EQ(verified->cohort(), 1);
  EXPECT_EQ(verified->converted(), 1);
  EXPECT_DOUBLE_EQ(verified->median_days(), 10);
}

TEST(PoolDomainTest, TrainingCountsCandidatesEnrolledAndNotAssessed) {
  std::vector<storage::v1::PoolCandidate> c = {
      CandidateBuilder("enrolled")
          .Step(Day(2024, 1, 5), common::v1::STAGE_MENTOR_ASSIGNED)
          .Enrol(Day(2024, 3, 1), "enrolled")
          .Build(),
      CandidateBuilder("passed")
          .Step(Day(2024, 1, 5), common::v1::STAGE_MENTOR_ASSIGNED)
          .Enrol(Day(2024, 3, 1), "enrolled")
          .Enrol(Day(2024, 3, 20), "passed")
          .Build(),
      // Failed, then enrolled again: two enrolments, in training.
      CandidateBuilder("again")
          .Step(Day(2024, 1, 5), common::v1::STAGE_MENTOR_ASSIGNED)
          .Enrol(Day(2024, 3, 1), "enrolled")
          .Enrol(Day(2024, 3, 20), "failed")
          .Enrol(Day(2024, 5, 2), "enrolled")
          .Build(),
      CandidateBuilder("withdrawn")
          .Step(Day(2024, 1, 5), common::v1::STAGE_MENTOR_ASSIGNED)
          .Enrol(Day(2024, 3, 1), "enrolled")
          .Enrol(Day(2024, 3, 2), "withdrawn")
          .Build(),
      // A probationary member in the new-member course: not a candidate.
      CandidateBuilder("member")
          .Step(Day(2024, 1, 5), common::v1::STAGE_PROBATION)
          .Enrol(Day(2024, 3, 1), "enrolled")
          .Build(),
      // Elsewhere.
      CandidateBuilder("health")
          .Step(Day(2024, 1, 5), common::v1::STAGE_MENTOR_ASSIGNED, kYTe)
          .Enrol(Day(2024, 3, 1), "enrolled", kYTe)
          .Build(),
      // Enrolled before the period.
      CandidateBuilder("early")
          .Step(Day(2023, 10, 5), common::v1::STAGE_MENTOR_ASSIGNED)
          .Enrol(Day(2023, 12, 1), "enrolled")
          .Build(),
  };
  PoolFigures f = ComputePoolFigures(c, kUniversity, k2024, Day(2024, 6, 30),
                                     common::v1::CATEGORY_UNSPECIFIED);
  EXPECT_EQ(f.in_training, 3);       // enrolled, again, early
  EXPECT_EQ(f.sent_to_training, 5);  // enrolled, passed, again x2, withdrawn
  PoolFigures march =
      ComputePoolFigures(c, kUniversity, k2024, Day(2024, 3, 10),
                         common::v1::CATEGORY_UNSPECIFIED);
  EXPECT_EQ(march.in_training, 4);  // enrolled, passed, again, early
  EXPECT_EQ(march.sent_to_training, 4);
  PoolFigures province = ComputePoolFigures(
      c, kProvince, k2024, Day(2024, 6, 30), common::v1::CATEGORY_UNSPECIFIED);
  EXPECT_EQ(province.in_training, 4);
}

TEST(PoolDomainTest, CategoryKeepsOnlyItsCandidates) {
  std::vector<storage::v1::PoolCandidate> c = {
      CandidateBuilder("student")
          .Category(common::v1::CATEGORY_STUDENT)
          .Category(common::v1::CATEGORY_YOUTH_UNION_MEMBER)
          .Step(Day(2024, 2, 1), common::v1::STAGE_TRAINING_PASSED)
          .Build(),
      CandidateBuilder("lecturer")
          .Category(common::v1::CATEGORY_LECTURER)
          .Step(Day(2024, 2, 1), common::v1::STAGE_TRAINING_PASSED)
          .Build(),
      CandidateBuilder("none")
          .Step(Day(2024, 2, 1), common::v1::STAGE_SOURCED)
          .Build(),
  };
  const auto pool = [&](common::v1::Category category) {
    return ComputePoolFigures(c, kUniversity, k2024, Day(2024, 6, 30), category)
        .pool_size;
  };
  EXPECT_EQ(pool(common::v1::CATEGORY_UNSPECIFIED), 3);
  EXPECT_EQ(pool(common::v1::CATEGORY_STUDENT), 1);
  EXPECT_EQ(pool(common::v1::CATEGORY_YOUTH_UNION_MEMBER), 1);
  EXPECT_EQ(pool(common::v1::CATEGORY_LECTURER), 1);
  EXPECT_EQ(pool(common::v1::CATEGORY_FARMER), 0);
}

TEST(PoolDomainTest, StepsOfOneCandidateAreTakenByDate) {
  // A step recorded late (backdated) still sits in its place.
  storage::v1::PoolCandidate c =
      CandidateBuilder("x")
          .Step(Day(2024, 5, 1), common::v1::STAGE_MENTOR_ASSIGNED)
          .Step(Day(2024, 2, 1), common::v1::STAGE_SOURCED)
          .Build();
  PoolFigures f = ComputePoolFigures({c}, kUniversity, k2024, Day(2024, 6, 1),
                                     common::v1::CATEGORY_UNSPECIFIED);
  EXPECT_EQ(f.at_stage[common::v1::STAGE_MENTOR_ASSIGNED], 1);
  EXPECT_EQ(f.conversions[0].converted(), 1);
  EXPECT_DOUBLE_EQ(f.conversions[0].median_days(), 90);
}

TEST(PoolDomainTest, Median) {
  EXPECT_DOUBLE_EQ(Median({}), 0);
  EXPECT_DOUBLE_EQ(Median({7}), 7);
  EXPECT_DOUBLE_EQ(Median({30, 10, 20}), 20);
  EXPECT_DOUBLE_EQ(Median({40, 10, 20, 30}), 25);
  EXPECT_DOUBLE_EQ(Median({1, 2}), 1.5);
}

TEST(PoolDomainTest, PipelineStagesAndThePool) {
  ASSERT_EQ(PipelineStages().size(), 9u);
  EXPECT_EQ(PipelineStages().front(), common::v1::STAGE_SOURCED);
  EXPECT_EQ(PipelineStages().back(), common::v1::STAGE_ADMISSION_DECIDED);
  EXPECT_TRUE(InPool(common::v1::STAGE_ADMISSION_DECIDED));
  EXPECT_FALSE(InPool(common::v1::STAGE_PROBATION));
  EXPECT_FALSE(InPool(common::v1::STAGE_WITHDRAWN));
  EXPECT_FALSE(InPool(common::v1::STAGE_UNSPECIFIED));
}

}  // namespace
}  // namespace partydev::quota::domain
