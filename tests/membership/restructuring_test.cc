// Restructuring of the organisation tree (domain.md "Organisation tree":
// merge, split, dissolve, with history) on a real membershipd and Redis:
// the people of the cells involved move with the tree, in one atomic write
// with their affiliations, indexes and counters, the revisions, the events
// and the audit entry.
#include <gtest/gtest.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "partydev/membership/v1/organizations.pb.h"
#include "partydev/membership/v1/people.pb.h"
#include "tests/membership/membership_fixture.h"

namespace partydev::membership {
namespace {

class RestructuringTest : public MembershipFixture {
 protected:
  v1::Person GetPerson(const std::string& name) {
    v1::GetPersonRequest request;
    request.set_name(name);
    request.set_view(v1::PERSON_VIEW_FULL);
    v1::Person out;
    grpc::Status s = people_->GetPerson(As(Admin()).get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  v1::Organization GetOrganization(const std::string& name) {
    v1::GetOrganizationRequest request;
    request.set_name(name);
    v1::Organization out;
    grpc::Status s =
        organizations_->GetOrganization(As(Admin()).get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  // Official members plus candidates counted at `org` alone.
  int People(const std::string& org) {
    v1::CountPeopleRequest request;
    request.set_organization(org);
    v1::PeopleCounts out;
    grpc::Status s =
        organizations_->CountPeople(As(Admin()).get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.total().members() + out.total().candidates();
  }

  // The open HOME affiliation of `person`, or null.
  static const v1::Affiliation* OpenHome(const v1::Person& person) {
    for (const auto& a : person.affiliations()) {
      if (a.role() == v1::AFFILIATION_ROLE_HOME && !a.has_ends_on()) return &a;
    }
    return nullptr;
  }

  v1::MergeOrganizationsRequest MergeBIntoA() {
    v1::MergeOrganizationsRequest request;
    request.set_name(cell_a_);
    request.add_source_organizations(cell_b_);
    *request.mutable_effective_on() = D(2026, 3, 1);
    request.mutable_decision()->set_number("15-QĐ/ĐU");
    request.set_reason("Hợp nhất hai khoa");
    return request;
  }
};

TEST_F(RestructuringTest, MergeMovesThePeopleOfBothCells) {
  const v1::Person a =
      MustCreateOfficialMember(cell_a_, "Nguyễn Văn An", "079085000001");
  const v1::Person b =
      MustCreateOfficialMember(cell_b_, "Trần Thị Bình", "079085000002");
  const v1::Person c =
      MustCreateCandidate(cell_b_, "Lê Văn Cường", "079200000003");
  ASSERT_EQ(People(cell_a_), 1);
  ASSERT_EQ(People(cell_b_), 2);
  const int64_t events_before = EventCount();

  v1::MergeOrganizationsResponse out;
  grpc::Status s = organizations_->MergeOrganizations(As(Board(college_)).get(),
                                                      MergeBIntoA(), &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.people_moved(), 2);
  EXPECT_EQ(out.organization().name(), cell_a_);
  ASSERT_EQ(out.merged_organizations_size(), 1);
  EXPECT_EQ(out.merged_organizations(0).state(), v1::ORGANIZATION_STATE_MERGED);
  EXPECT_EQ(out.merged_organizations(0).successors(0), cell_a_);
  EXPECT_EQ(out.merged_organizations(0).valid_until().day(), 28);  // Feb 28
  EXPECT_EQ(EventCount(), events_before + 1);

  // The people of cell B now belong to cell A, with their history.
  for (const std::string& name : {b.name(), c.name()}) {
    const v1::Person p = GetPerson(name);
    EXPECT_EQ(p.organization(), cell_a_);
    EXPECT_EQ(p.organization_path(p.organization_path_size() - 1), cell_a_);
    int closed_b = 0;
    for (const auto& aff : p.affiliations()) {
      if (aff.organization() == cell_b_ && aff.has_ends_on()) {
        ++closed_b;
        EXPECT_EQ(aff.ends_on().month(), 2);
        EXPECT_EQ(aff.ends_on().day(), 28);
      }
    }
    EXPECT_EQ(closed_b, 1) << name;
    const v1::Affiliation* open = OpenHome(p);
    ASSERT_NE(open, nullptr);
    EXPECT_EQ(open->organization(), cell_a_);
    EXPECT_EQ(open->starts_on().month(), 3);
    EXPECT_EQ(open->source(),
              absl::StrCat(cell_a_, "@", out.organization().revision_id()));
  }
  // Cell A's own member keeps the affiliation they had.
  EXPECT_EQ(GetPerson(a.name()).affiliations_size(), a.affiliations_size());
  EXPECT_EQ(People(cell_a_), 3);
  EXPECT_EQ(People(cell_b_), 0);
  EXPECT_EQ(GetOrganization(cell_b_).state(), v1::ORGANIZATION_STATE_MERGED);
  EXPECT_EQ(GetOrganization(cell_a_).predecessors(0), cell_b_);

  // One revision each: the receiver's says what was merged into it.
  v1::ListOrganizationRevisionsRequest revisions;
  revisions.set_name(cell_a_);
  v1::ListOrganizationRevisionsResponse history;
  ASSERT_TRUE(
      organizations_
          ->ListOrganizationRevisions(As(Admin()).get(), revisions, &history)
          .ok());
  EXPECT_EQ(history.revisions(0).kind(), v1::REVISION_KIND_MERGED_FROM);
  revisions.set_name(cell_b_);
  ASSERT_TRUE(
      organizations_
          ->ListOrganizationRevisions(As(Admin()).get(), revisions, &history)
          .ok());
  EXPECT_EQ(history.revisions(0).kind(), v1::REVISION_KIND_MERGED_INTO);

  // A merged organisation cannot be merged again.
  v1::MergeOrganizationsResponse again;
  v1::MergeOrganizationsRequest second = MergeBIntoA();
  second.set_request_id("");
  EXPECT_EQ(organizations_
                ->MergeOrganizations(As(Board(college_)).get(), second, &again)
                .error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(RestructuringTest, MergeRetryWithRequestIdAnswersTheFirstResponse) {
  MustCreateOfficialMember(cell_b_, "Trần Thị Bình", "079085000002");
  v1::MergeOrganizationsRequest request = MergeBIntoA();
  request.set_request_id("7f0c2b1e-1c2d-4e5f-8a9b-0c1d2e3f4a5b");
  v1::MergeOrganizationsResponse first, second;
  ASSERT_TRUE(
      organizations_
          ->MergeOrganizations(As(Board(college_)).get(), request, &first)
          .ok());
  const int64_t events = EventCount();
  grpc::Status s = organizations_->MergeOrganizations(As(Board(college_)).get(),
                                                      request, &second);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(second.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(EventCount(), events);
  EXPECT_EQ(People(cell_a_), 1);
}

TEST_F(RestructuringTest, MergeValidateOnlyWritesNothing) {
  const v1::Person b =
      MustCreateOfficialMember(cell_b_, "Trần Thị Bình", "079085000002");
  const int64_t events = EventCount();
  v1::MergeOrganizationsRequest request = MergeBIntoA();
  request.set_validate_only(true);
  v1::MergeOrganizationsResponse out;
  ASSERT_TRUE(organizations_
                  ->MergeOrganizations(As(Board(college_)).get(), request, &out)
                  .ok());
  EXPECT_EQ(out.people_moved(), 1);
  EXPECT_EQ(EventCount(), events);
  EXPECT_EQ(GetPerson(b.name()).organization(), cell_b_);
  EXPECT_EQ(GetOrganization(cell_b_).state(), v1::ORGANIZATION_STATE_ACTIVE);
  EXPECT_EQ(People(cell_b_), 1);
}

TEST_F(RestructuringTest, BoardOfAnotherProvinceIsRefusedAndNothingWritten) {
  const v1::Person b =
      MustCreateOfficialMember(cell_b_, "Trần Thị Bình", "079085000002");
  const int64_t events = EventCount();
  v1::MergeOrganizationsResponse out;
  EXPECT_EQ(organizations_
                ->MergeOrganizations(As(Board(other_province_)).get(),
                                     MergeBIntoA(), &out)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // A board that covers only one of the two cells is refused too.
  EXPECT_EQ(
      organizations_
          ->MergeOrganizations(As(Board(cell_a_)).get(), MergeBIntoA(), &out)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  // Merging a cell of the other province into ours.
  v1::MergeOrganizationsRequest across = MergeBIntoA();
  across.set_source_organizations(0, other_cell_);
  EXPECT_EQ(organizations_
                ->MergeOrganizations(As(Board(province_)).get(), across, &out)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(EventCount(), events);
  EXPECT_EQ(GetPerson(b.name()).organization(), cell_b_);
}

TEST_F(RestructuringTest, MergeRefusesOrganisationsOfAnotherClass) {
  const int64_t events = EventCount();
  v1::MergeOrganizationsRequest request = MergeBIntoA();
  request.set_source_organizations(0, college_);  // a committee into a cell
  v1::MergeOrganizationsResponse out;
  grpc::Status s =
      organizations_->MergeOrganizations(As(Admin()).get(), request, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(EventCount(), events);
}

TEST_F(RestructuringTest, SplitAssignsPeopleByTheMapping) {
  const v1::Person a1 =
      MustCreateOfficialMember(cell_a_, "Nguyễn Văn An", "079085000001");
  const v1::Person a2 =
      MustCreateOfficialMember(cell_a_, "Phạm Thị Hoa", "079085000004");
  const v1::Person a3 =
      MustCreateCandidate(cell_a_, "Lê Văn Cường", "079200000003");

  v1::SplitOrganizationRequest request;
  request.set_name(cell_a_);
  request.set_dissolve_source(true);
  *request.mutable_effective_on() = D(2026, 4, 1);
  request.mutable_decision()->set_number("20-QĐ/ĐU");
  v1::SplitPart* stat = request.add_parts();
  stat->set_new_organization_id("cb-thong-ke");
  stat->mutable_new_organization()->set_display_name("Chi bộ Thống kê");
  stat->mutable_new_organization()->set_kind("CELL");
  stat->mutable_new_organization()->set_level("CELL");
  stat->add_people(a1.name());
  stat->add_people(a3.name());
  v1::SplitPart* rest = request.add_parts();
  rest->set_existing_organization(cell_b_);
  rest->add_people(a2.name());

  // Without a part for everyone, a dissolved source is refused.
  v1::SplitOrganizationRequest incomplete = request;
  incomplete.mutable_parts(1)->clear_people();
  v1::SplitOrganizationResponse out;
  const int64_t events = EventCount();
  grpc::Status refused = organizations_->SplitOrganization(
      As(Board(college_)).get(), incomplete, &out);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(EventCount(), events);

  grpc::Status s = organizations_->SplitOrganization(As(Board(college_)).get(),
                                                     request, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.people_moved(), 3);
  EXPECT_EQ(out.source().state(), v1::ORGANIZATION_STATE_SPLIT);
  ASSERT_EQ(out.parts_size(), 2);
  const std::string stat_name = "organizations/cb-thong-ke";
  EXPECT_EQ(out.parts(0).name(), stat_name);
  EXPECT_EQ(out.parts(0).parent(), college_);
  EXPECT_EQ(EventCount(), events + 1);

  EXPECT_EQ(GetPerson(a1.name()).organization(), stat_name);
  EXPECT_EQ(GetPerson(a3.name()).organization(), stat_name);
  const v1::Person moved = GetPerson(a2.name());
  EXPECT_EQ(moved.organization(), cell_b_);
  ASSERT_NE(OpenHome(moved), nullptr);
  EXPECT_EQ(OpenHome(moved)->source(),
            absl::StrCat(cell_b_, "@", out.parts(1).revision_id()));
  EXPECT_EQ(People(stat_name), 2);
  EXPECT_EQ(People(cell_b_), 1);
  EXPECT_EQ(People(cell_a_), 0);
  EXPECT_EQ(GetOrganization(stat_name).predecessors(0), cell_a_);
}

TEST_F(RestructuringTest, DissolveWithASuccessorMovesItsPeople) {
  const v1::Person a =
      MustCreateOfficialMember(cell_a_, "Nguyễn Văn An", "079085000001");
  v1::DissolveOrganizationRequest request;
  request.set_name(cell_a_);
  request.set_receiving_organization(cell_b_);
  *request.mutable_effective_on() = D(2026, 5, 1);
  request.mutable_decision()->set_number("30-QĐ/ĐU");
  v1::Organization out;
  grpc::Status s = organizations_->DissolveOrganization(
      As(Board(college_)).get(), request, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.state(), v1::ORGANIZATION_STATE_DISSOLVED);
  EXPECT_EQ(out.successors(0), cell_b_);
  const v1::Person p = GetPerson(a.name());
  EXPECT_EQ(p.organization(), cell_b_);
  ASSERT_NE(OpenHome(p), nullptr);
  EXPECT_EQ(OpenHome(p)->starts_on().month(), 5);
  EXPECT_EQ(People(cell_b_), 1);
  EXPECT_EQ(People(cell_a_), 0);
}

TEST_F(RestructuringTest, DissolveWithoutASuccessorRefusedWhilePeopleRemain) {
  const v1::Person a =
      MustCreateOfficialMember(cell_a_, "Nguyễn Văn An", "079085000001");
  MustCreateCandidate(cell_a_, "Lê Văn Cường", "079200000003");
  const int64_t events = EventCount();
  v1::DissolveOrganizationRequest request;
  request.set_name(cell_a_);
  *request.mutable_effective_on() = D(2026, 5, 1);
  request.mutable_decision()->set_number("30-QĐ/ĐU");
  v1::Organization out;
  grpc::Status s =
      organizations_->DissolveOrganization(As(Admin()).get(), request, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(s.error_message().find("còn 2 người"), std::string::npos)
      << s.error_message();
  EXPECT_EQ(EventCount(), events);
  EXPECT_EQ(GetPerson(a.name()).organization(), cell_a_);
  EXPECT_EQ(GetOrganization(cell_a_).state(), v1::ORGANIZATION_STATE_ACTIVE);
}

}  // namespace
}  // namespace partydev::membership
