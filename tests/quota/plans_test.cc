// PlanService on a real quotad: yearly plans, their validation, and the
// actual figures computed from membership's events.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/change.h"
#include "common/dates.h"
#include "common/errors.h"
#include "common/grpc_status.h"
#include "services/quota/plan_service.h"
#include "tests/quota/quota_fixture.h"

namespace partydev::quota {
namespace {

using common::v1::CATEGORY_STUDENT;
using common::v1::CATEGORY_YOUTH_UNION_MEMBER;

std::vector<std::string> FieldsOf(const grpc::Status& status) {
  std::vector<std::string> out;
  for (const auto& v : FieldViolationsOf(FromGrpcStatus(status))) {
    out.push_back(v.field);
  }
  return out;
}

int CategoryOf(const v1::PlanFigures& f, common::v1::Category category) {
  for (const auto& c : f.admitted_by_category()) {
    if (c.category() == category) return c.count();
  }
  return 0;
}

class PlansTest : public QuotaFixture {
 protected:
  v1::CreatePlanRequest Request(const std::string& org, const std::string& year,
                                int admitted, int students = -1) {
    v1::CreatePlanRequest request;
    request.set_parent(org);
    request.set_plan_id(year);
    auto* planned = request.mutable_plan()->mutable_planned();
    planned->set_sourced(40);
    planned->set_sent_to_training(30);
    planned->set_certified(25);
    planned->set_admitted(admitted);
    if (students >= 0) {
      auto* c = planned->add_admitted_by_category();
      c->set_category(CATEGORY_STUDENT);
      c->set_count(students);
    }
    request.mutable_plan()->mutable_document()->set_number("05-KH/ĐU");
    *request.mutable_plan()->mutable_document()->mutable_signed_on() =
        D(2024, 1, 15);
    return request;
  }

  grpc::Status Create(const Caller& caller, const v1::CreatePlanRequest& r,
                      v1::Plan* out) {
    return plans_->CreatePlan(As(caller).get(), r, out);
  }

  int CountPlans(const std::string& org) {
    v1::ListPlansRequest request;
    request.set_parent(org);
    request.set_scope(v1::ORGANIZATION_SCOPE_SUBTREE);
    v1::ListPlansResponse response;
    grpc::Status s = plans_->ListPlans(As(Admin()).get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response.total_size();
  }
};

TEST_F(PlansTest, APlanShowsItsActualFigures) {
  PublishStage(cell_toan_, "people/c1", common::v1::STAGE_UNSPECIFIED,
               common::v1::STAGE_SOURCED, D(2024, 2, 1), {CATEGORY_STUDENT});
  PublishStage(cell_van_, "people/c2", common::v1::STAGE_UNSPECIFIED,
               common::v1::STAGE_SOURCED, D(2024, 3, 1));
  PublishStage(cell_van_, "people/c0", common::v1::STAGE_UNSPECIFIED,
               common::v1::STAGE_SOURCED, D(2023, 3, 1));
  PublishStage(cell_toan_, "people/c1", common::v1::STAGE_MENTOR_ASSIGNED,
               common::v1::STAGE_TRAINING_PASSED, D(2024, 6, 1),
               {CATEGORY_STUDENT});
  PublishAdmission(cell_toan_, "people/p1", D(2024, 5, 4),
                   {CATEGORY_STUDENT, CATEGORY_YOUTH_UNION_MEMBER});
  PublishAdmission(cell_van_, "people/p2", D(2024, 9, 10));
  PublishAdmission(cell_van_, "people/p3", D(2023, 9, 10));
  PublishAdmission(cell_health_, "people/p4", D(2024, 9, 10));
  Drain();

  v1::Plan plan;
  grpc::Status s =
      Create(Board(university_), Request(university_, "2024", 10, 4), &plan);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(plan.name(), "organizations/dh-da-lat/plans/2024");
  EXPECT_EQ(plan.year(), 2024);
  EXPECT_EQ(plan.etag(), "v1");
  EXPECT_EQ(plan.actual().admitted(), 2);
  EXPECT_EQ(CategoryOf(plan.actual(), CATEGORY_STUDENT), 1);
  EXPECT_EQ(CategoryOf(plan.actual(), CATEGORY_YOUTH_UNION_MEMBER), 1);
  EXPECT_EQ(plan.actual().sourced(), 2);
  EXPECT_EQ(plan.actual().certified(), 1);
  EXPECT_EQ(plan.actual_as_of().year(), 2024);
  EXPECT_EQ(plan.actual_as_of().month(), 12);
  EXPECT_EQ(plan.actual_as_of().day(), 31);

  v1::GetPlanRequest get;
  get.set_name(plan.name());
  v1::Plan got;
  ASSERT_TRUE(plans_->GetPlan(As(Reader(university_)).get(), get, &got).ok());
  EXPECT_EQ(got.actual().admitted(), 2);
  EXPECT_EQ(got.planned().admitted(), 10);
  EXPECT_EQ(got.document().number(), "05-KH/ĐU");

  // The same figures through the function the pool report reuses.
  absl::StatusOr<v1::PlanFigures> cell = ActualPlanFigures(
      *context_, cell_toan_, 2024, absl::CivilDay(2024, 12, 31));
  ASSERT_TRUE(cell.ok()) << cell.status();
  EXPECT_EQ(cell->admitted(), 1);
  EXPECT_EQ(cell->sourced(), 1);
  absl::StatusOr<v1::PlanFigures> early = ActualPlanFigures(
      *context_, university_, 2024, absl::CivilDay(2024, 6, 30));
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(early->admitted(), 1);
  absl::StatusOr<v1::PlanFigures> before = ActualPlanFigures(
      *context_, university_, 2024, absl::CivilDay(2023, 12, 31));
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->admitted(), 0);
  EXPECT_EQ(before->sourced(), 0);
}

TEST_F(PlansTest, ThePoolReportShowsEachRowsPlanBesideItsActualFigures) {
  MustCreateTerms();
  PublishStage(cell_toan_, "people/c1", common::v1::STAGE_UNSPECIFIED,
               common::v1::STAGE_SOURCED, D(2024, 2, 1));
  PublishStage(cell_health_, "people/c2", common::v1::STAGE_UNSPECIFIED,
               common::v1::STAGE_SOURCED, D(2024, 3, 1));
  PublishStage(cell_health_, "people/c3", common::v1::STAGE_UNSPECIFIED,
               common::v1::STAGE_SOURCED, D(2024, 4, 1));
  PublishAdmission(cell_toan_, "people/p1", D(2024, 5, 4));
  PublishAdmission(cell_health_, "people/p2", D(2024, 9, 10));
  PublishAdmission(cell_health_, "people/p3", D(2023, 9, 10));
  Drain();
  v1::Plan plan;
  grpc::Status s =
      Create(Board(university_), Request(university_, "2024", 10), &plan);
  ASSERT_TRUE(s.ok()) << s.error_message();

  // The committee above both grassroots organisations: its rows are read
  // in one batch (candidates, yearly counts and plans).
  v1::ComputeCandidatePoolRequest request;
  request.set_name(bloc_);
  request.mutable_period()->set_term("terms/2020-2025");
  request.mutable_period()->set_year(2024);
  *request.mutable_as_of() = D(2024, 12, 31);
  v1::CandidatePoolReport report;
  s = reports_->ComputeCandidatePool(As(Reader(bloc_)).get(), request, &report);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(report.rows_size(), 2);
  const v1::CandidatePoolRow& university = report.rows(0);
  const v1::CandidatePoolRow& health = report.rows(1);
  EXPECT_EQ(university.organization().name(), university_);
  EXPECT_EQ(university.plan(), plan.name());
  EXPECT_EQ(university.planned().admitted(), 10);
  EXPECT_EQ(university.actual().admitted(), 1);
  EXPECT_EQ(university.actual().sourced(), 1);
  EXPECT_EQ(health.organization().name(), health_);
  EXPECT_TRUE(health.plan().empty());
  EXPECT_EQ(health.actual().admitted(), 1);  // 2023's admission is not 2024's
  EXPECT_EQ(health.actual().sourced(), 2);
  EXPECT_EQ(health.pool_size(), 2);
  EXPECT_EQ(report.root().actual().admitted(), 2);
  EXPECT_EQ(report.root().actual().sourced(), 3);
}

TEST_F(PlansTest, BadFiguresAreRefusedAndNothingIsWritten) {
  v1::CreatePlanRequest request = Request(university_, "2024", 5, 6);
  request.mutable_plan()->mutable_planned()->set_sourced(-1);
  v1::Plan plan;
  grpc::Status s = Create(Board(university_), request, &plan);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldsOf(s), (std::vector<std::string>{
                             "plan.planned.sourced",
                             "plan.planned.admitted_by_category[0].count"}));
  request = Request(university_, "24", 5);
  s = Create(Board(university_), request, &plan);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldsOf(s), std::vector<std::string>{"plan_id"});
  request = Request(university_, "2024", 5);
  request.mutable_plan()->clear_planned();
  s = Create(Board(university_), request, &plan);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldsOf(s), std::vector<std::string>{"plan.planned"});
  EXPECT_EQ(CountPlans(university_), 0);
}

TEST_F(PlansTest, OnlyTheSubtreesBoardRecordsPlans) {
  v1::Plan plan;
  const auto request = Request(university_, "2024", 5);
  EXPECT_EQ(Create(Board(other_province_), request, &plan).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Create(Board(cell_toan_), request, &plan).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Create(Reader(university_), request, &plan).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::Status s =
      Create(Admin(), Request("organizations/nowhere", "2024", 5), &plan);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(RuleViolationsOf(FromGrpcStatus(s))[0].rule,
            "quota.organization.known");
  EXPECT_EQ(CountPlans(university_), 0);
  ASSERT_TRUE(Create(Board(bloc_), request, &plan).ok());
  EXPECT_EQ(Create(Board(bloc_), request, &plan).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
}

TEST_F(PlansTest, ValidateOnlyAndRetries) {
  v1::CreatePlanRequest request = Request(health_, "2025", 8);
  request.set_validate_only(true);
  v1::Plan plan;
  ASSERT_TRUE(Create(Board(health_), request, &plan).ok());
  EXPECT_EQ(plan.planned().admitted(), 8);
  EXPECT_EQ(CountPlans(health_), 0);
  request.set_validate_only(false);
  request.set_request_id("4c2d7e8f-1a2b-4c3d-8e9f-0a1b2c3d4e5f");
  v1::Plan first;
  ASSERT_TRUE(Create(Board(health_), request, &first).ok());
  v1::Plan again;
  ASSERT_TRUE(Create(Board(health_), request, &again).ok());
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(CountPlans(health_), 1);
}

TEST_F(PlansTest, UpdatePlanChangesMaskedFieldsOnly) {
  v1::Plan plan;
  ASSERT_TRUE(
      Create(Board(university_), Request(university_, "2024", 10, 4), &plan)
          .ok());
  v1::UpdatePlanRequest request;
  request.mutable_plan()->set_name(plan.name());
  request.mutable_plan()->mutable_planned()->set_admitted(12);
  request.mutable_plan()->mutable_planned()->set_sourced(999);
  request.mutable_plan()->set_note("lộ trình cho sinh viên");
  request.mutable_plan()->set_etag(plan.etag());
  request.mutable_update_mask()->add_paths("planned.admitted");
  request.mutable_update_mask()->add_paths("note");
  v1::Plan updated;
  grpc::Status s =
      plans_->UpdatePlan(As(Board(university_)).get(), request, &updated);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(updated.planned().admitted(), 12);
  EXPECT_EQ(updated.planned().sourced(), 40);
  EXPECT_EQ(CategoryOf(updated.planned(), CATEGORY_STUDENT), 4);
  EXPECT_EQ(updated.note(), "lộ trình cho sinh viên");
  EXPECT_EQ(updated.etag(), "v2");
  // Stale etag.
  EXPECT_EQ(plans_->UpdatePlan(As(Board(university_)).get(), request, &updated)
                .error_code(),
            grpc::StatusCode::ABORTED);
  // Admitted below a category: refused.
  request.mutable_plan()->clear_etag();
  request.mutable_plan()->mutable_planned()->set_admitted(3);
  s = plans_->UpdatePlan(As(Board(university_)).get(), request, &updated);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  request.mutable_update_mask()->add_paths("actual");
  EXPECT_EQ(plans_->UpdatePlan(As(Board(university_)).get(), request, &updated)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::GetPlanRequest get;
  get.set_name(plan.name());
  v1::Plan got;
  ASSERT_TRUE(plans_->GetPlan(As(Admin()).get(), get, &got).ok());
  EXPECT_EQ(got.planned().admitted(), 12);
}

TEST_F(PlansTest, ListPlansByScopeAndYear) {
  v1::Plan plan;
  ASSERT_TRUE(Create(Board(bloc_), Request(bloc_, "2024", 50), &plan).ok());
  ASSERT_TRUE(
      Create(Board(bloc_), Request(university_, "2023", 10), &plan).ok());
  ASSERT_TRUE(
      Create(Board(bloc_), Request(university_, "2024", 12), &plan).ok());
  ASSERT_TRUE(Create(Board(bloc_), Request(cell_toan_, "2024", 2), &plan).ok());
  v1::ListPlansRequest request;
  request.set_parent(bloc_);
  v1::ListPlansResponse response;
  ASSERT_TRUE(
      plans_->ListPlans(As(Reader(bloc_)).get(), request, &response).ok());
  EXPECT_EQ(response.total_size(), 1);
  request.set_scope(v1::ORGANIZATION_SCOPE_SUBTREE);
  ASSERT_TRUE(
      plans_->ListPlans(As(Reader(bloc_)).get(), request, &response).ok());
  ASSERT_EQ(response.plans_size(), 4);
  EXPECT_EQ(response.plans(0).organization(), bloc_);
  EXPECT_EQ(response.plans(1).name(), "organizations/dh-da-lat/plans/2023");
  EXPECT_EQ(response.plans(2).name(), "organizations/dh-da-lat/plans/2024");
  EXPECT_EQ(response.plans(3).organization(), cell_toan_);
  request.set_filter("year >= 2024");
  response.Clear();
  grpc::Status s =
      plans_->ListPlans(As(Reader(bloc_)).get(), request, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.total_size(), 3);
  // A reader of the university does not list the bloc's plans.
  request.set_parent(bloc_);
  EXPECT_EQ(plans_->ListPlans(As(Reader(university_)).get(), request, &response)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace partydev::quota
