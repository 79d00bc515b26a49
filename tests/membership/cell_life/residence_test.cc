// Where members live (residence.proto; Quy định 213-QĐ/TW): one active
// registration with the residential cell, the residential cell's list of
// its residents, its yearly comments recorded through either cell's path,
// and the watch's reminder of missing comments from 1 November.

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/errors.h"
#include "common/grpc_status.h"
#include "services/membership/cell_life_watch.h"
#include "services/membership/services.h"
#include "tests/membership/membership_fixture.h"

namespace partydev::membership {
namespace {

class ResidenceTest : public MembershipFixture {
 protected:
  grpc::Status Register(const Caller& caller, const v1::Person& person,
                        const std::string& residential,
                        const common::v1::Date& on,
                        v1::ResidentialRegistration* out,
                        const std::string& id = "") {
    v1::CreateResidentialRegistrationRequest request;
    request.set_parent(person.name());
    request.set_residential_registration_id(id);
    v1::ResidentialRegistration* r = request.mutable_residential_registration();
    r->set_residential_organization(residential);
    r->set_address("12 Phan Đình Phùng, Đà Lạt");
    *r->mutable_registered_on() = on;
    return cell_life_->CreateResidentialRegistration(As(caller).get(), request,
                                                     out);
  }

  grpc::Status End(const Caller& caller, const std::string& name,
                   const common::v1::Date& on,
                   v1::ResidentialRegistration* out) {
    v1::EndResidentialRegistrationRequest request;
    request.set_name(name);
    *request.mutable_ended_on() = on;
    request.set_reason("Chuyển nơi ở");
    return cell_life_->EndResidentialRegistration(As(caller).get(), request,
                                                  out);
  }

  grpc::Status Comment(const Caller& caller, const v1::Person& person,
                       const std::string& registration, const std::string& year,
                       v1::ResidentialComment* out) {
    v1::CreateResidentialCommentRequest request;
    request.set_parent(person.name());
    request.set_residential_comment_id(year);
    v1::ResidentialComment* c = request.mutable_residential_comment();
    c->set_registration(registration);
    c->set_assessment(v1::RESIDENTIAL_ASSESSMENT_EXEMPLARY);
    c->set_comment("Gương mẫu thực hiện nghĩa vụ công dân nơi cư trú");
    *c->mutable_commented_on() = D(2026, 11, 10);
    return cell_life_->CreateResidentialComment(As(caller).get(), request, out);
  }

  // The residential comment reminders on the stream.
  std::vector<events::v1::DeadlineApproaching> Reminders() {
    std::vector<events::v1::DeadlineApproaching> out;
    absl::StatusOr<RedisReply> reply =
        redis_client_->Command({"XRANGE", "{pd:membership}:events", "-", "+"});
    if (!reply.ok()) return out;
    for (const auto& entry : reply->elements()) {
      const auto& fields = entry.elements()[1].elements();
      events::v1::Event e;
      if (fields.size() >= 2 && e.ParseFromString(fields[1].str()) &&
          e.has_deadline_approaching() &&
          e.deadline_approaching().kind() ==
              common::v1::DEADLINE_KIND_RESIDENTIAL_COMMENT_DUE) {
        out.push_back(e.deadline_approaching());
      }
    }
    return out;
  }

  std::shared_ptr<MembershipContext> Context() { return MakeContext(); }
};

TEST_F(ResidenceTest, OneActiveRegistration) {
  v1::Person p =
      MustCreateOfficialMember(cell_a_, "Trần Văn Cư", "079085200001");
  v1::ResidentialRegistration first;
  grpc::Status s =
      Register(Secretary(cell_a_), p, cell_b_, D(2026, 2, 1), &first, "r1");
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(first.name(), p.name() + "/residentialRegistrations/r1");
  EXPECT_EQ(first.state(), v1::RESIDENTIAL_REGISTRATION_STATE_ACTIVE);
  v1::ResidentialRegistration second;
  s = Register(Secretary(cell_a_), p, cell_b_, D(2026, 3, 1), &second);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(RulesOf(s).count("residence.one_active"));

  v1::ResidentialRegistration ended;
  s = End(Secretary(cell_a_), first.name(), D(2026, 1, 1), &ended);
  EXPECT_TRUE(RulesOf(s).count("residence.end_after_start"));
  s = End(Secretary(cell_a_), first.name(), D(2026, 6, 30), &ended);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(ended.state(), v1::RESIDENTIAL_REGISTRATION_STATE_ENDED);
  s = End(Secretary(cell_a_), first.name(), D(2026, 6, 30), &ended);
  EXPECT_TRUE(RulesOf(s).count("residence.end_active"));
  // Ended: a new registration is allowed.
  s = Register(Secretary(cell_a_), p, cell_b_, D(2026, 7, 1), &second);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

TEST_F(ResidenceTest, RegistrationFieldsAndMembersOnly) {
  v1::Person p =
      MustCreateOfficialMember(cell_a_, "Trần Văn Sai", "079085200002");
  v1::ResidentialRegistration out;
  grpc::Status s = Register(Secretary(cell_a_), p, "", D(2026, 12, 1), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(
      FieldsOf(s).count("residential_registration.residential_organization"));
  EXPECT_TRUE(FieldsOf(s).count("residential_registration.registered_on"));
  s = Register(Secretary(cell_a_), p, "organizations/khong-co", D(2026, 2, 1),
               &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::Person candidate =
      MustCreateCandidate(cell_a_, "Trần Thị Ứng", "079085200003");
  s = Register(Secretary(cell_a_), candidate, cell_b_, D(2026, 2, 1), &out);
  EXPECT_TRUE(RulesOf(s).count("residence.members_only"));
  // Neither the member's subtree nor the residential cell's.
  s = Register(Secretary(cell_b_), p, other_cell_, D(2026, 2, 1), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = Register(Member(p.name(), cell_a_), p, cell_b_, D(2026, 2, 1), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ResidenceTest, ResidentialCellListsItsResidentsAcrossSubtrees) {
  v1::Person p =
      MustCreateOfficialMember(cell_a_, "Trần Văn Xa", "079085200004");
  v1::ResidentialRegistration reg;
  // The residential cell (in another province) registers the member.
  grpc::Status s =
      Register(Secretary(other_cell_), p, other_cell_, D(2026, 2, 1), &reg);
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::ListResidentialRegistrationsRequest request;
  request.set_parent("people/-");
  request.set_organization(other_cell_);
  request.set_as_residential_cell(true);
  v1::ListResidentialRegistrationsResponse list;
  s = cell_life_->ListResidentialRegistrations(As(Secretary(other_cell_)).get(),
                                               request, &list);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(list.residential_registrations_size(), 1);
  EXPECT_EQ(list.residential_registrations(0).name(), reg.name());
  // The member's own subtree lists it too, by the member's cell.
  request.set_organization(college_);
  request.set_as_residential_cell(false);
  request.set_filter("state = ACTIVE");
  s = cell_life_->ListResidentialRegistrations(As(Reader(college_)).get(),
                                               request, &list);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(list.residential_registrations_size(), 1);
  // The address is withheld without personal data access.
  EXPECT_TRUE(list.residential_registrations(0).address().empty());
  // A cell that is neither sees nothing.
  request.set_organization(other_cell_);
  request.set_as_residential_cell(true);
  request.clear_filter();
  EXPECT_EQ(cell_life_
                ->ListResidentialRegistrations(As(Secretary(cell_b_)).get(),
                                               request, &list)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ResidenceTest, CommentsByEitherCellOncePerYear) {
  v1::Person p =
      MustCreateOfficialMember(cell_a_, "Trần Thị Nhận", "079085200005");
  v1::Person q =
      MustCreateOfficialMember(cell_a_, "Trần Văn Khác", "079085200006");
  v1::ResidentialRegistration reg;
  ASSERT_TRUE(
      Register(Secretary(cell_a_), p, other_cell_, D(2026, 2, 1), &reg).ok());
  v1::ResidentialComment out;
  // The residential cell, outside the member's subtree, comments.
  grpc::Status s = Comment(Secretary(other_cell_), p, reg.name(), "2026", &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.name(), p.name() + "/residentialComments/2026");
  EXPECT_EQ(out.year(), 2026);
  EXPECT_EQ(
      Comment(Secretary(cell_a_), p, reg.name(), "2026", &out).error_code(),
      grpc::StatusCode::ALREADY_EXISTS);
  // The member's own cell transcribes a paper letter of another year.
  EXPECT_TRUE(Comment(Secretary(cell_a_), p, reg.name(), "2025", &out).ok());
  // A cell that is neither is refused.
  EXPECT_EQ(
      Comment(Secretary(cell_b_), p, reg.name(), "2024", &out).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  // The registration must be the person's; the id a year not ahead.
  s = Comment(Secretary(cell_a_), q, reg.name(), "2026", &out);
  EXPECT_TRUE(FieldsOf(s).count("residential_comment.registration"));
  s = Comment(Secretary(cell_a_), p, reg.name(), "2027", &out);
  EXPECT_TRUE(FieldsOf(s).count("residential_comment_id"));

  // The member reads her own comments; not another's.
  v1::ListResidentialCommentsRequest mine;
  mine.set_parent("people/me");
  mine.set_year(2026);
  v1::ListResidentialCommentsResponse list;
  s = cell_life_->ListResidentialComments(As(Member(p.name(), cell_a_)).get(),
                                          mine, &list);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(list.residential_comments_size(), 1);
  mine.set_parent(p.name());
  EXPECT_EQ(cell_life_
                ->ListResidentialComments(As(Member(q.name(), cell_a_)).get(),
                                          mine, &list)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // The subtree's list, for the classification.
  v1::ListResidentialCommentsRequest subtree;
  subtree.set_parent("people/-");
  subtree.set_organization(college_);
  ASSERT_TRUE(
      cell_life_
          ->ListResidentialComments(As(Board(college_)).get(), subtree, &list)
          .ok());
  EXPECT_EQ(list.total_size(), 2);
}

TEST_F(ResidenceTest, SweepRemindsMissingCommentsOnceFromNovember) {
  v1::Person p =
      MustCreateOfficialMember(cell_a_, "Trần Văn Nhắc", "079085200007");
  v1::Person done =
      MustCreateOfficialMember(cell_a_, "Trần Văn Xong", "079085200008");
  v1::Person unregistered =
      MustCreateOfficialMember(cell_a_, "Trần Văn Chưa", "079085200009");
  // A cell of a residential area: its members live where they meet, and
  // need no registration elsewhere.
  v1::CreateOrganizationRequest create;
  create.set_organization_id("cb-khu-pho-3");
  v1::Organization* area = create.mutable_organization();
  area->set_parent(college_);
  area->set_display_name("Chi bộ Khu phố 3");
  area->set_kind("CELL");
  area->set_level("CELL");
  area->add_sector_tags(common::v1::SECTOR_TAG_RESIDENTIAL_AREA);
  *area->mutable_valid_from() = D(2025, 9, 1);
  v1::Organization created;
  grpc::Status made =
      organizations_->CreateOrganization(As(Admin()).get(), create, &created);
  ASSERT_TRUE(made.ok()) << made.error_message();
  MustCreateOfficialMember(created.name(), "Trần Văn Nhà", "079085200010");
  v1::ResidentialRegistration reg;
  ASSERT_TRUE(
      Register(Secretary(cell_a_), p, cell_b_, D(2026, 2, 1), &reg).ok());
  v1::ResidentialRegistration reg2;
  ASSERT_TRUE(
      Register(Secretary(cell_a_), done, cell_b_, D(2026, 2, 1), &reg2).ok());
  v1::ResidentialComment comment;
  ASSERT_TRUE(
      Comment(Secretary(cell_b_), done, reg2.name(), "2026", &comment).ok());

  CellLifeWatch watch(Context());
  ASSERT_TRUE(watch.SweepOnce(D(2026, 10, 31)).ok());
  EXPECT_TRUE(Reminders().empty());  // before the classification season
  ASSERT_TRUE(watch.SweepOnce(D(2026, 11, 24)).ok());
  // The registered member without comments, and the member who has not
  // registered; not the one whose comments are in, nor the one who lives
  // in her own (residential) cell.
  std::vector<events::v1::DeadlineApproaching> reminders = Reminders();
  ASSERT_EQ(reminders.size(), 2u);
  std::map<std::string, std::string> summaries;
  for (const auto& r : reminders) {
    summaries[r.subject()] = r.summary();
    EXPECT_EQ(r.responsible_organization(), cell_a_);
    EXPECT_EQ(r.due_on().month(), 12);
    EXPECT_EQ(r.due_on().day(), 31);
  }
  ASSERT_EQ(summaries.count(p.name()), 1u);
  EXPECT_NE(summaries[p.name()].find("nhận xét"), std::string::npos);
  ASSERT_EQ(summaries.count(unregistered.name()), 1u);
  EXPECT_NE(summaries[unregistered.name()].find("chưa đăng ký"),
            std::string::npos);
  ASSERT_TRUE(watch.SweepOnce(D(2026, 11, 25)).ok());
  EXPECT_EQ(Reminders().size(), 2u);  // once
}

}  // namespace
}  // namespace partydev::membership

namespace partydev::membership {
namespace {

// ListPeople's filter lists who has not registered where they live, and
// whose residential comments are missing before the yearly
// classification (people.proto ListPeopleRequest.filter).
class ResidenceListTest : public ResidenceTest {
 protected:
  std::vector<std::string> Names(const std::string& filter,
                                 const Caller& caller) {
    v1::ListPeopleRequest request;
    request.set_organization(cell_a_);
    request.set_filter(filter);
    v1::ListPeopleResponse response;
    grpc::Status s = people_->ListPeople(As(caller).get(), request, &response);
    EXPECT_TRUE(s.ok()) << filter << ": " << s.error_message();
    std::vector<std::string> names;
    for (const auto& p : response.people()) names.push_back(p.full_name());
    return names;
  }
};

TEST_F(ResidenceListTest, WhoHasNotRegisteredAndWhoseCommentsAreMissing) {
  v1::Person an =
      MustCreateOfficialMember(cell_a_, "Lê Văn An", "079085200011");
  v1::Person binh =
      MustCreateOfficialMember(cell_a_, "Phạm Thị Bình", "079085200012");
  MustCreateOfficialMember(cell_a_, "Võ Văn Chung", "079085200013");
  v1::ResidentialRegistration an_reg, binh_reg;
  ASSERT_TRUE(
      Register(Secretary(cell_a_), an, cell_b_, D(2026, 2, 1), &an_reg).ok());
  ASSERT_TRUE(
      Register(Secretary(cell_a_), binh, cell_b_, D(2026, 3, 1), &binh_reg)
          .ok());
  v1::ResidentialComment comment;
  ASSERT_TRUE(
      Comment(Secretary(cell_b_), an, an_reg.name(), "2026", &comment).ok());

  EXPECT_EQ(Names("residence_registered = false", Secretary(cell_a_)),
            (std::vector<std::string>{"Võ Văn Chung"}));
  EXPECT_EQ(Names("residence_registered = true", Secretary(cell_a_)),
            (std::vector<std::string>{"Lê Văn An", "Phạm Thị Bình"}));
  EXPECT_EQ(Names("residential_comment_missing = 2026", Secretary(cell_a_)),
            (std::vector<std::string>{"Phạm Thị Bình"}));
  EXPECT_EQ(Names("residential_comment_missing = 2025", Secretary(cell_a_)),
            (std::vector<std::string>{"Lê Văn An", "Phạm Thị Bình"}));
  // With the record's own fields, joined by AND.
  // (The fixture's members are all women.)
  EXPECT_EQ(Names("residence_registered = true AND gender = GENDER_FEMALE",
                  Secretary(cell_a_)),
            (std::vector<std::string>{"Lê Văn An", "Phạm Thị Bình"}));
  EXPECT_TRUE(Names("residence_registered = true AND gender = GENDER_MALE",
                    Secretary(cell_a_))
                  .empty());
  // No payment is recorded: all three owe this year's past months; no
  // meeting was held: nobody was absent.
  EXPECT_EQ(Names("dues_unpaid_months >= 1", Secretary(cell_a_)).size(), 3u);
  EXPECT_TRUE(Names("absent_months >= 1", Secretary(cell_a_)).empty());

  // Malformed terms are refused, naming the filter.
  for (const char* bad :
       {"residence_registered = maybe", "residential_comment_missing > 2026",
        "dues_unpaid_months >= many", "colour = RED"}) {
    v1::ListPeopleRequest request;
    request.set_organization(cell_a_);
    request.set_filter(bad);
    v1::ListPeopleResponse response;
    grpc::Status s =
        people_->ListPeople(As(Secretary(cell_a_)).get(), request, &response);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad;
    EXPECT_EQ(FieldsOf(s), std::set<std::string>{"filter"}) << bad;
  }
  // Birth dates are personal data.
  v1::ListPeopleRequest request;
  request.set_organization(cell_a_);
  request.set_filter("date_of_birth < 1990-01-01");
  v1::ListPeopleResponse response;
  EXPECT_EQ(people_->ListPeople(As(Reader(cell_a_)).get(), request, &response)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace partydev::membership
