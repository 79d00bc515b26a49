// File: tests/quota/quota_fixture.h
//
// A real quotad in process (MakeQuotaServices, the wiring main.cc uses) on
// a real redis-server in a temporary directory, fed the way production
// feeds it: membership's events are appended to membership's stream
// ("{pd:membership}:events") exactly as membershipd writes them, and the
// projections are drained from it (Projections::DrainAll, what the
// background consumers do).
//
// The tree (published as OrganizationCreated events dated 2015-01-01):
//   organizations/lam-dong     Đảng bộ tỉnh Lâm Đồng        PROVINCE
//    └ organizations/duk        Đảng bộ Khối                 BLOC
//       ├ organizations/dh-da-lat  Đảng bộ Trường ĐH Đà Lạt  GRASSROOTS,
//       │  │                       university
//       │  ├ organizations/cb-toan   Chi bộ Khoa Toán        CELL
//       │  └ organizations/cb-van    Chi bộ Khoa Văn         CELL
//       └ organizations/so-y-te    Đảng bộ Sở Y tế           GRASSROOTS
//          └ organizations/cb-y-te   Chi bộ Văn phòng Sở      CELL
//   organizations/tinh-khac    another province, whose callers are refused
//    └ organizations/cb-khac    a grassroots cell there
//
//   class MyTest : public QuotaFixture {};
//   TEST_F(MyTest, X) {
//     PublishAdmission(cell_toan_, "people/p1", D(2023, 5, 4), {kStudent});
//     Drain();
//     grpc::Status s = reports_->ComputeProgress(As(Board(bloc_)).get(), ...);
//   }

#ifndef PARTYDEV_TESTS_QUOTA_QUOTA_FIXTURE_H_
#define PARTYDEV_TESTS_QUOTA_QUOTA_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "common/redis_client.h"
#include "partydev/events/v1/events.pb.h"
#include "partydev/quota/v1/achievements.grpc.pb.h"
#include "partydev/quota/v1/admin.grpc.pb.h"
#include "partydev/quota/v1/allocations.grpc.pb.h"
#include "partydev/quota/v1/plans.grpc.pb.h"
#include "partydev/quota/v1/reports.grpc.pb.h"
#include "partydev/quota/v1/targets.grpc.pb.h"
#include "services/quota/quota_context.h"
#include "tests/support/in_process_server.h"
#include "tests/support/membership_events.h"
#include "tests/support/redis_server.h"

namespace partydev::quota {

struct Caller {
  std::string subject = "people/admin";
  std::string organization;  // "organizations/{id}"; empty for admin
  std::string roles = "admin";
};

class QuotaFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  static Caller Admin() { return {}; }
  static Caller Board(const std::string& org) {
    return {"people/board", org, "organization_board"};
  }
  static Caller Secretary(const std::string& org) {
    return {"people/secretary", org, "secretary"};
  }
  static Caller Reader(const std::string& org) {
    return {"people/reader", org, "reader"};
  }
  std::unique_ptr<grpc::ClientContext> As(const Caller& caller);
  static common::v1::Date D(int y, int m, int d);

  // The membership stream quotad consumes.
  std::string MembershipStream() const { return "{pd:membership}:events"; }
  // Appends `event` to the membership stream as membershipd does (an id is
  // given when empty, the type is set from the payload); returns it.
  // (testing::MembershipEvents::Publish; fails the test on error.)
  events::v1::Event Publish(events::v1::Event event);
  // The path of an organisation published so far, root first.
  std::vector<std::string> PathOf(const std::string& organization) const;
  // Publishes OrganizationCreated for `name` under `parent` on `on`
  // (testing::MembershipEvents::PublishOrganization).
  void PublishOrganization(const std::string& name, const std::string& parent,
                           const std::string& display_name,
                           const std::string& kind, const std::string& level,
                           std::vector<common::v1::SectorTag> tags,
                           const common::v1::Date& on);
  // Publishes MemberAdmitted of `person` in `cell` with a decision signed
  // on `signed_on` (decision number "<n>-QĐ/ĐU").
  events::v1::Event PublishAdmission(
      const std::string& cell, const std::string& person,
      const common::v1::Date& signed_on,
      std::vector<common::v1::Category> categories = {});
  // Publishes PersonStageChanged of `person` in `cell` on `on`.
  events::v1::Event PublishStage(
      const std::string& cell, const std::string& person,
      common::v1::Stage from, common::v1::Stage to, const common::v1::Date& on,
      std::vector<common::v1::Category> categories = {});
  // Applies everything published so far to every projection.
  void Drain();

  // Creates terms/2020-2025 (2020-10-01 .. 2025-09-30) and
  // terms/2025-2030 (2025-10-01 .. 2030-09-30) as admin.
  void MustCreateTerms();

  testing::RedisServer redis_;
  std::unique_ptr<testing::InProcessServer> server_;
  std::shared_ptr<QuotaContext> context_;
  std::unique_ptr<RedisClient> redis_client_;
  // Writes membership's stream (after redis_client_).
  std::unique_ptr<testing::MembershipEvents> membership_;
  std::unique_ptr<v1::TargetService::Stub> targets_;
  std::unique_ptr<v1::AllocationService::Stub> allocations_;
  std::unique_ptr<v1::PlanService::Stub> plans_;
  std::unique_ptr<v1::ReportService::Stub> reports_;
  std::unique_ptr<v1::AchievementService::Stub> achievements_;
  std::unique_ptr<v1::QuotaAdminService::Stub> admin_;

  // The tree, as resource names.
  std::string province_;        // organizations/lam-dong
  std::string bloc_;            // organizations/duk
  std::string university_;      // organizations/dh-da-lat (grassroots)
  std::string cell_toan_;       // organizations/cb-toan
  std::string cell_van_;        // organizations/cb-van
  std::string health_;          // organizations/so-y-te (grassroots)
  std::string cell_health_;     // organizations/cb-y-te
  std::string other_province_;  // organizations/tinh-khac
  std::string other_cell_;      // organizations/cb-khac

 private:
  int decision_number_ = 0;
};

}  // namespace partydev::quota

#endif  // PARTYDEV_TESTS_QUOTA_QUOTA_FIXTURE_H_
