// File: tests/membership/membership_fixture.h
//
// A real membershipd in process (MakeMembershipServices, the wiring main.cc
// uses) on a real redis-server in a temporary directory, with a stub of
// every membership service, callers of any organisation and role, and the
// seeds' tree: Lâm Đồng province → the bloc committee (Đảng ủy Khối) → the
// pedagogical college's grassroots committee → two cells; and a second
// province whose callers must be refused.
//
//   class MyTest : public MembershipFixture {};
//   TEST_F(MyTest, X) {
//     v1::Person p = MustCreateCandidate(cell_a_, "Nguyễn Văn An", "0790...");
//     grpc::Status s = admission_->AssignMentor(As(Secretary(cell_a_)).get(),
//                                               request, &out);
//   }

#ifndef PARTYDEV_TESTS_MEMBERSHIP_MEMBERSHIP_FIXTURE_H_
#define PARTYDEV_TESTS_MEMBERSHIP_MEMBERSHIP_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>

#include "common/redis_client.h"
#include "google/protobuf/timestamp.pb.h"
#include "partydev/membership/v1/administration.grpc.pb.h"
#include "partydev/membership/v1/admission.grpc.pb.h"
#include "partydev/membership/v1/cell_life.grpc.pb.h"
#include "partydev/membership/v1/classification.grpc.pb.h"
#include "partydev/membership/v1/organizations.grpc.pb.h"
#include "partydev/membership/v1/people.grpc.pb.h"
#include "services/membership/membership_context.h"
#include "tests/support/in_process_server.h"
#include "tests/support/redis_server.h"

namespace partydev::membership {

struct Caller {
  std::string subject = "people/admin";
  std::string organization;  // "organizations/{id}"; empty for admin
  std::string roles = "admin";
};

class MembershipFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Callers.
  static Caller Admin() { return {}; }
  static Caller Board(const std::string& org) {
    return {"people/board", org, "organization_board,personal_data"};
  }
  static Caller Secretary(const std::string& org) {
    return {"people/secretary", org, "secretary,personal_data"};
  }
  static Caller Reader(const std::string& org) {
    return {"people/reader", org, "reader"};
  }
  // A member acting for herself (the member handbook): `person` is
  // "people/{id}", `cell` her cell.
  static Caller Member(const std::string& person, const std::string& cell) {
    return {person, cell, "member"};
  }
  std::unique_ptr<grpc::ClientContext> As(const Caller& caller);

  static common::v1::Date D(int y, int m, int d) {
    common::v1::Date date;
    date.set_year(y);
    date.set_month(m);
    date.set_day(d);
    return date;
  }

  // Creates an organisation as admin (fails the test on error).
  v1::Organization MustCreateOrganization(const std::string& parent,
                                          const std::string& id,
                                          const std::string& display,
                                          const std::string& kind,
                                          const std::string& level);

  // A valid candidate of `cell` (stage SOURCED): born 2000-05-01, female,
  // upper secondary, sourced by the cell on 2026-01-05.
  v1::CreatePersonRequest CandidateRequest(const std::string& cell,
                                           const std::string& full_name,
                                           const std::string& citizen_id);
  v1::Person MustCreateCandidate(const std::string& cell,
                                 const std::string& full_name,
                                 const std::string& citizen_id);
  // An official member of `cell`, admitted 2015-03-02, official 2016-03-10.
  v1::Person MustCreateOfficialMember(const std::string& cell,
                                      const std::string& full_name,
                                      const std::string& citizen_id);

  // Number of entries on the membership event stream.
  int64_t EventCount();

  // The rule ids (PreconditionFailure) and field paths (BadRequest) a
  // refusal names.
  static std::set<std::string> RulesOf(const grpc::Status& status);
  static std::set<std::string> FieldsOf(const grpc::Status& status);
  // A time in Vietnam (UTC+7).
  static google::protobuf::Timestamp At(int y, int m, int d, int hour = 8);
  // A MembershipContext on the server's runtime, Redis and shipped rules,
  // for driving what runs in the background (DeadlineWatch, CellLifeWatch)
  // and the staging functions directly.
  std::shared_ptr<MembershipContext> MakeContext();

  testing::RedisServer redis_;
  std::unique_ptr<testing::InProcessServer> server_;
  std::unique_ptr<RedisClient> redis_client_;
  std::unique_ptr<v1::OrganizationService::Stub> organizations_;
  std::unique_ptr<v1::PersonService::Stub> people_;
  std::unique_ptr<v1::AdmissionService::Stub> admission_;
  std::unique_ptr<v1::ClassificationService::Stub> classification_;
  std::unique_ptr<v1::CellLifeService::Stub> cell_life_;
  std::unique_ptr<v1::AdministrationService::Stub> administration_;

  // The tree, as resource names.
  std::string province_;        // organizations/lam-dong
  std::string bloc_;            // organizations/duk  (Đảng ủy Khối)
  std::string college_;         // organizations/cd-su-pham (grassroots)
  std::string cell_a_;          // organizations/cb-khoa-toan
  std::string cell_b_;          // organizations/cb-khoa-van
  std::string youth_union_;     // organizations/doan-truong (mass organisation)
  std::string other_province_;  // organizations/da-lat-khac
  std::string other_cell_;      // organizations/cb-khac (under the other)
};

}  // namespace partydev::membership

#endif  // PARTYDEV_TESTS_MEMBERSHIP_MEMBERSHIP_FIXTURE_H_
