// The pipeline projection of quotad (services/quota/candidate_pool.h):
// membership's PersonStageChanged, PersonCategoriesChanged and
// TrainingEnrollmentChanged events, read from membership's stream, become
// candidates under every organisation of their paths, and the pool figures
// are computed from them.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/dates.h"
#include "services/quota/candidate_pool.h"
#include "tests/quota/quota_fixture.h"

namespace partydev::quota {
namespace {

using common::v1::Stage;

class PoolTest : public QuotaFixture {
 protected:
  events::v1::Event PublishEnrollment(const std::string& cell,
                                      const std::string& person,
                                      const std::string& state,
                                      const common::v1::Date& on) {
    events::v1::Event event;
    *event.mutable_act_date() = on;
    for (const auto& p : PathOf(cell)) event.add_organization_path(p);
    auto* e = event.mutable_training_enrollment_changed();
    e->set_person(person);
    e->set_organization(cell);
    e->set_training_class("trainingClasses/k1-2024");
    e->set_enrollment("trainingClasses/k1-2024/enrollments/" +
                      person.substr(person.find('/') + 1));
    e->set_state(state);
    return Publish(std::move(event));
  }
  std::vector<storage::v1::PoolCandidate> Under(const std::string& org) {
    auto candidates = context_->projections().pool()->CandidatesUnder(org);
    EXPECT_TRUE(candidates.ok()) << candidates.status();
    return candidates.ok() ? *candidates
                           : std::vector<storage::v1::PoolCandidate>{};
  }
  PoolFigures Figures(
      const std::string& org, absl::CivilDay as_of,
      common::v1::Category category = common::v1::CATEGORY_UNSPECIFIED) {
    const domain::PeriodSpan year = {absl::CivilDay(2024, 1, 1),
                                     absl::CivilDay(2024, 12, 31)};
    return ComputePoolFigures(Under(org), org, year, as_of, category);
  }
};

TEST_F(PoolTest, EventsBecomeCandidatesUnderEveryOrganisationOfTheirPath) {
  const common::v1::Category student = common::v1::CATEGORY_STUDENT;
  PublishStage(cell_toan_, "people/a", common::v1::STAGE_UNSPECIFIED,
               common::v1::STAGE_SOURCED, D(2024, 1, 10), {student});
  PublishStage(cell_toan_, "people/a", common::v1::STAGE_SOURCED,
               common::v1::STAGE_MENTOR_ASSIGNED, D(2024, 2, 9), {student});
  PublishEnrollment(cell_toan_, "people/a", "enrolled", D(2024, 3, 1));
  PublishStage(cell_van_, "people/b", common::v1::STAGE_UNSPECIFIED,
               common::v1::STAGE_SOURCED, D(2024, 1, 20));
  PublishStage(cell_van_, "people/b", common::v1::STAGE_SOURCED,
               common::v1::STAGE_WITHDRAWN, D(2024, 4, 1));
  PublishStage(cell_health_, "people/c", common::v1::STAGE_UNSPECIFIED,
               common::v1::STAGE_SOURCED, D(2024, 2, 1));
  Drain();

  std::vector<storage::v1::PoolCandidate> university = Under(university_);
  ASSERT_EQ(university.size(), 2u);
  EXPECT_EQ(university[0].person(), "people/a");
  EXPECT_EQ(university[0].organization(), cell_toan_);
  EXPECT_EQ(university[0].transitions_size(), 2);
  EXPECT_EQ(university[0].enrollments_size(), 1);
  ASSERT_EQ(university[0].categories_size(), 1);
  EXPECT_EQ(university[0].categories(0), student);
  EXPECT_EQ(Under(province_).size(), 3u);
  EXPECT_EQ(Under(health_).size(), 1u);
  EXPECT_EQ(Under(cell_van_).size(), 1u);
  EXPECT_TRUE(Under(other_province_).empty());

  PoolFigures f = Figures(university_, absl::CivilDay(2024, 6, 30));
  EXPECT_EQ(f.pool_size, 1);
  EXPECT_EQ(f.at_stage[common::v1::STAGE_MENTOR_ASSIGNED], 1);
  EXPECT_EQ(f.reached[common::v1::STAGE_SOURCED], 2);
  EXPECT_EQ(f.withdrawn, 1);
  EXPECT_EQ(f.in_training, 1);
  EXPECT_EQ(f.sent_to_training, 1);
  EXPECT_EQ(f.conversions.front().cohort(), 2);
  EXPECT_EQ(f.conversions.front().converted(), 1);
  EXPECT_EQ(f.conversions.front().dropped(), 1);
  EXPECT_DOUBLE_EQ(f.conversions.front().median_days(), 30);
  EXPECT_EQ(Figures(province_, absl::CivilDay(2024, 6, 30)).pool_size, 2);
  EXPECT_EQ(
      Figures(university_, absl::CivilDay(2024, 6, 30), student).pool_size, 1);
  EXPECT_EQ(Figures(health_, absl::CivilDay(2024, 6, 30), student).pool_size,
            0);

  // Assessed: no longer in training.
  PublishEnrollment(cell_toan_, "people/a", "passed", D(2024, 3, 15));
  PublishStage(cell_toan_, "people/a", common::v1::STAGE_MENTOR_ASSIGNED,
               common::v1::STAGE_TRAINING_PASSED, D(2024, 3, 20), {student});
  Drain();
  f = Figures(university_, absl::CivilDay(2024, 6, 30));
  EXPECT_EQ(f.in_training, 0);
  EXPECT_EQ(f.certified_pool, 1);
  EXPECT_EQ(Figures(university_, absl::CivilDay(2024, 3, 10)).in_training, 1);

  // The categories follow membership.
  events::v1::Event categories;
  *categories.mutable_act_date() = D(2024, 5, 1);
  for (const auto& p : PathOf(cell_health_)) {
    categories.add_organization_path(p);
  }
  auto* changed = categories.mutable_person_categories_changed();
  changed->set_person("people/c");
  changed->set_organization(cell_health_);
  changed->set_stage(common::v1::STAGE_SOURCED);
  changed->add_categories(common::v1::CATEGORY_MEDICAL_STAFF);
  Publish(categories);
  Drain();
  EXPECT_EQ(Figures(health_, absl::CivilDay(2024, 6, 30),
                    common::v1::CATEGORY_MEDICAL_STAFF)
                .pool_size,
            1);
}

TEST_F(PoolTest, AppliedOnceAndStepsKeptByDate) {
  events::v1::Event late =
      PublishStage(cell_toan_, "people/d", common::v1::STAGE_SOURCED,
                   common::v1::STAGE_MENTOR_ASSIGNED, D(2024, 5, 1));
  // Recorded after, dated before.
  PublishStage(cell_toan_, "people/d", common::v1::STAGE_UNSPECIFIED,
               common::v1::STAGE_SOURCED, D(2024, 2, 1));
  Drain();
  // A redelivery.
  Publish(late);
  Drain();
  std::vector<storage::v1::PoolCandidate> under = Under(cell_toan_);
  ASSERT_EQ(under.size(), 1u);
  ASSERT_EQ(under[0].transitions_size(), 2);
  EXPECT_EQ(under[0].transitions(0).to_stage(), common::v1::STAGE_SOURCED);
  EXPECT_EQ(under[0].transitions(1).to_stage(),
            common::v1::STAGE_MENTOR_ASSIGNED);
  // The latest step says where the candidate is.
  EXPECT_EQ(under[0].organization(), cell_toan_);

  // StageApply itself stages nothing for an event its steps hold.
  AtomicWrite write;
  absl::StatusOr<bool> applied =
      context_->projections().pool()->StageApply(late, write);
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_TRUE(*applied);
  EXPECT_TRUE(write.empty());
  // Other events are not the pool's.
  events::v1::Event admitted =
      PublishAdmission(cell_toan_, "people/d", D(2024, 6, 1));
  applied = context_->projections().pool()->StageApply(admitted, write);
  ASSERT_TRUE(applied.ok());
  EXPECT_FALSE(*applied);
}

}  // namespace
}  // namespace partydev::quota
