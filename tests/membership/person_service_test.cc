// PersonService (registration, reading, updating, listing) and
// OrganizationService.CountPeople, on a real Redis through real gRPC.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "common/errors.h"
#include "common/grpc_status.h"
#include "tests/membership/membership_fixture.h"

namespace partydev::membership {
namespace {

class PersonServiceTest : public MembershipFixture {
 protected:
  static std::set<std::string> Fields(const grpc::Status& status) {
    std::set<std::string> out;
    for (const auto& v : FieldViolationsOf(FromGrpcStatus(status))) {
      out.insert(v.field);
    }
    return out;
  }
  static std::set<std::string> Rules(const grpc::Status& status) {
    std::set<std::string> out;
    for (const auto& v : RuleViolationsOf(FromGrpcStatus(status))) {
      out.insert(v.rule);
    }
    return out;
  }
  v1::ListPeopleResponse List(const Caller& caller,
                              v1::ListPeopleRequest request) {
    v1::ListPeopleResponse out;
    grpc::Status s = people_->ListPeople(As(caller).get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
};

TEST_F(PersonServiceTest, RegistersACandidateInNfcWithFoldedNameAndEvent) {
  // Typed decomposed, as some keyboards send it.
  v1::CreatePersonRequest request = CandidateRequest(
      cell_a_, "  Nguye\xCC\x82\xCC\x83n  Thi\xCC\xA3 Minh  Khai ",
      "079200001234");
  request.set_person_id("khai");
  v1::Person created;
  grpc::Status s =
      people_->CreatePerson(As(Secretary(cell_a_)).get(), request, &created);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(created.name(), "people/khai");
  EXPECT_EQ(created.full_name(), "Nguyễn Thị Minh Khai");
  EXPECT_EQ(created.folded_name(), "nguyen thi minh khai");
  EXPECT_EQ(created.stage(), common::v1::STAGE_SOURCED);
  EXPECT_EQ(created.status(), v1::PERSON_STATUS_ACTIVE);
  EXPECT_EQ(created.organization_path_size(), 4);
  EXPECT_EQ(created.admission().source().kind(), v1::SOURCE_KIND_CELL);
  ASSERT_EQ(created.affiliations_size(), 1);
  EXPECT_EQ(created.affiliations(0).organization(), cell_a_);
  EXPECT_FALSE(created.etag().empty());
  // Org creations + one stage event.
  v1::Person read;
  ASSERT_TRUE(people_
                  ->GetPerson(
                      As(Reader(college_)).get(),
                      [] {
                        v1::GetPersonRequest r;
                        r.set_name("people/khai");
                        return r;
                      }(),
                      &read)
                  .ok());
  EXPECT_EQ(read.full_name(), created.full_name());
  EXPECT_EQ(read.etag(), created.etag());
}

TEST_F(PersonServiceTest, NamesEveryBadFieldAndWritesNothing) {
  const int64_t events = EventCount();
  v1::CreatePersonRequest request =
      CandidateRequest(cell_a_, "Nguyễn Văn 9", "12345");
  request.mutable_person()->clear_gender();
  *request.mutable_person()->mutable_date_of_birth() = D(2030, 1, 1);
  request.mutable_person()->mutable_source()->clear_sourced_on();
  v1::Person out;
  grpc::Status s =
      people_->CreatePerson(As(Secretary(cell_a_)).get(), request, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Fields(s),
            (std::set<std::string>{"person.full_name", "person.gender",
                                   "person.date_of_birth", "person.citizen_id",
                                   "person.source.sourced_on"}));
  // The number itself is personal data: never echoed.
  EXPECT_EQ(s.error_message().find("12345"), std::string::npos);
  EXPECT_EQ(EventCount(), events);
}

TEST_F(PersonServiceTest, CitizenIdIsUniqueEvenUnderConcurrentRegistration) {
  MustCreateCandidate(cell_a_, "Trần Văn Bình", "079200000001");
  v1::Person out;
  grpc::Status s = people_->CreatePerson(
      As(Secretary(cell_b_)).get(),
      CandidateRequest(cell_b_, "Trần Văn Bình", "079200000001"), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_NE(s.error_message().find("citizen_id_unique"), std::string::npos);

  // Two officers registering the same new number at once: exactly one wins.
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      v1::Person p;
      grpc::Status st = people_->CreatePerson(
          As(Secretary(cell_a_)).get(),
          CandidateRequest(cell_a_, "Lê Thị Hoa", "079200000777"), &p);
      if (st.ok()) ++ok;
      (void)i;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
}

TEST_F(PersonServiceTest, HomeMustBeAnActiveCellInTheCallersSubtree) {
  v1::Person out;
  grpc::Status s = people_->CreatePerson(
      As(Board(college_)).get(),
      CandidateRequest(college_, "Phạm Văn Cường", "079200000002"), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Rules(s), std::set<std::string>{"person.home_is_cell"});

  const int64_t events = EventCount();
  s = people_->CreatePerson(
      As(Secretary(other_cell_)).get(),
      CandidateRequest(cell_a_, "Phạm Văn Cường", "079200000002"), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(EventCount(), events);
}

TEST_F(PersonServiceTest, ReadersOfAnotherSubtreeAreRefused) {
  v1::Person p = MustCreateCandidate(cell_a_, "Đỗ Thị Quỳnh", "079200000003");
  v1::GetPersonRequest get;
  get.set_name(p.name());
  v1::Person out;
  EXPECT_EQ(
      people_->GetPerson(As(Reader(other_cell_)).get(), get, &out).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      people_->GetPerson(As(Reader(cell_b_)).get(), get, &out).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(people_->GetPerson(As(Reader(cell_a_)).get(), get, &out).ok());
}

TEST_F(PersonServiceTest, PersonalDataOnlyToCallersWithTheRole) {
  v1::Person p = MustCreateCandidate(cell_a_, "Vũ Văn Dũng", "079200000004");
  v1::GetPersonRequest get;
  get.set_name(p.name());
  v1::Person plain;
  ASSERT_TRUE(people_->GetPerson(As(Reader(cell_a_)).get(), get, &plain).ok());
  EXPECT_TRUE(plain.citizen_id().empty());
  EXPECT_FALSE(plain.has_date_of_birth());
  EXPECT_EQ(plain.full_name(), "Vũ Văn Dũng");
  EXPECT_NE(std::find(plain.redacted_fields().begin(),
                      plain.redacted_fields().end(), "citizen_id"),
            plain.redacted_fields().end());
  v1::Person full;
  ASSERT_TRUE(
      people_->GetPerson(As(Secretary(cell_a_)).get(), get, &full).ok());
  EXPECT_EQ(full.citizen_id(), "079200000004");
  EXPECT_TRUE(full.redacted_fields().empty());

  // Changing personal data needs the role too.
  v1::UpdatePersonRequest update;
  update.mutable_person()->set_name(p.name());
  update.mutable_person()->set_phone("0912345678");
  update.mutable_update_mask()->add_paths("phone");
  v1::Person out;
  EXPECT_EQ(people_
                ->UpdatePerson(As({"people/s", cell_a_, "secretary"}).get(),
                               update, &out)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(PersonServiceTest, UpdateRenamesRefoldsAndRefusesStepFields) {
  v1::Person p = MustCreateCandidate(cell_a_, "Ngô Văn E", "079200000005");
  v1::UpdatePersonRequest update;
  update.mutable_person()->set_name(p.name());
  update.mutable_person()->set_etag(p.etag());
  update.mutable_person()->set_full_name("Ngô Văn Én");
  update.mutable_person()->add_categories(common::v1::CATEGORY_STUDENT);
  update.mutable_update_mask()->add_paths("full_name");
  update.mutable_update_mask()->add_paths("categories");
  v1::Person out;
  grpc::Status s =
      people_->UpdatePerson(As(Secretary(cell_a_)).get(), update, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.folded_name(), "ngo van en");
  ASSERT_EQ(out.categories_size(), 1);

  // The old etag is stale now.
  s = people_->UpdatePerson(As(Secretary(cell_a_)).get(), update, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);

  v1::UpdatePersonRequest step;
  step.mutable_person()->set_name(p.name());
  step.mutable_update_mask()->add_paths("stage");
  step.mutable_update_mask()->add_paths("organization");
  s = people_->UpdatePerson(As(Secretary(cell_a_)).get(), step, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(PersonServiceTest, ListsBySubtreeStageAndNameWithoutDiacritics) {
  MustCreateCandidate(cell_a_, "Nguyễn Văn An", "079200000011");
  MustCreateCandidate(cell_a_, "Nguyễn Thị Bích", "079200000012");
  MustCreateCandidate(cell_b_, "Trần Văn An", "079200000013");
  MustCreateOfficialMember(cell_b_, "Lê Văn Cường", "079200000014");
  MustCreateCandidate(other_cell_, "Nguyễn Văn An", "079200000015");

  v1::ListPeopleRequest request;
  request.set_organization(college_);
  request.set_include_descendants(true);
  v1::ListPeopleResponse all = List(Board(college_), request);
  ASSERT_EQ(all.people_size(), 4);
  EXPECT_EQ(all.total_size(), 4);
  // Name order, folded: le, nguyen thi, nguyen van, tran.
  EXPECT_EQ(all.people(0).full_name(), "Lê Văn Cường");
  EXPECT_EQ(all.people(1).full_name(), "Nguyễn Thị Bích");
  EXPECT_FALSE(all.people(0).has_admission());  // BASIC view

  request.set_name_query("van an");
  v1::ListPeopleResponse an = List(Board(college_), request);
  ASSERT_EQ(an.people_size(), 2);
  EXPECT_EQ(an.people(0).full_name(), "Nguyễn Văn An");
  EXPECT_EQ(an.people(1).full_name(), "Trần Văn An");

  request.clear_name_query();
  request.add_stages(common::v1::STAGE_OFFICIAL);
  v1::ListPeopleResponse members = List(Board(college_), request);
  ASSERT_EQ(members.people_size(), 1);
  EXPECT_EQ(members.people(0).full_name(), "Lê Văn Cường");

  v1::ListPeopleRequest own;
  own.set_organization(cell_a_);
  EXPECT_EQ(List(Secretary(cell_a_), own).people_size(), 2);

  v1::ListPeopleResponse out;
  EXPECT_EQ(people_->ListPeople(As(Board(other_province_)).get(), request, &out)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(PersonServiceTest, PagesAreStableAndCoverEveryoneOnce) {
  for (int i = 0; i < 23; ++i) {
    MustCreateCandidate(
        i % 2 ? cell_a_ : cell_b_,
        "Hoàng Văn " + std::string(1, static_cast<char>('A' + i)),
        "0792000001" + std::to_string(10 + i));
  }
  v1::ListPeopleRequest request;
  request.set_organization(college_);
  request.set_include_descendants(true);
  request.set_page_size(5);
  std::vector<std::string> seen;
  for (int pages = 0; pages < 10; ++pages) {
    v1::ListPeopleResponse page = List(Board(college_), request);
    for (const auto& p : page.people()) seen.push_back(p.full_name());
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  ASSERT_EQ(seen.size(), 23u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 23u);
}

TEST_F(PersonServiceTest, CountPeopleByStageStatusAndCategory) {
  MustCreateCandidate(cell_a_, "Nguyễn Văn An", "079200000021");
  MustCreateCandidate(cell_a_, "Nguyễn Văn Bảo", "079200000022");
  MustCreateOfficialMember(cell_a_, "Lê Văn Cường", "079200000023");
  MustCreateOfficialMember(cell_b_, "Lê Văn Dũng", "079200000024");

  v1::CountPeopleRequest request;
  request.set_organization(college_);
  request.set_include_descendants(true);
  request.set_per_child(true);
  v1::PeopleCounts counts;
  grpc::Status s =
      organizations_->CountPeople(As(Board(college_)).get(), request, &counts);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(counts.total().members(), 2);
  EXPECT_EQ(counts.total().official_members(), 2);
  EXPECT_EQ(counts.total().candidates(), 2);
  ASSERT_EQ(counts.total().by_category_size(), 1);
  EXPECT_EQ(counts.total().by_category(0).category(),
            common::v1::CATEGORY_YOUTH_UNION_MEMBER);
  EXPECT_EQ(counts.total().by_category(0).members(), 2);
  EXPECT_EQ(counts.total().by_category(0).candidates(), 2);
  int cell_a_members = -1;
  for (const auto& row : counts.children()) {
    if (row.organization() == cell_a_) cell_a_members = row.members();
  }
  EXPECT_EQ(cell_a_members, 1);

  EXPECT_EQ(
      organizations_
          ->CountPeople(As(Board(other_province_)).get(), request, &counts)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
}

// A committee counts (and lists) its people as they stood at the end of a
// past period: the stage each had on that day, from the dated acts of the
// record (domain/standing.h), not today's.
TEST_F(PersonServiceTest, CountsAndListsPeopleAsTheyStoodOnAPastDate) {
  MustCreateCandidate(cell_a_, "Nguyễn Văn An", "079200000041");  // 2026-01-05
  MustCreateOfficialMember(cell_a_, "Lê Văn Cường", "079200000042");
  MustCreateOfficialMember(cell_b_, "Lê Văn Dũng", "079200000043");
  auto count = [&](const common::v1::Date& as_of) {
    v1::CountPeopleRequest request;
    request.set_organization(college_);
    request.set_include_descendants(true);
    request.set_per_child(true);
    *request.mutable_as_of() = as_of;
    v1::PeopleCounts counts;
    grpc::Status s = organizations_->CountPeople(As(Board(college_)).get(),
                                                 request, &counts);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return counts;
  };
  // Before the candidate was sourced: the two members only, official.
  v1::PeopleCounts end_2025 = count(D(2025, 12, 31));
  EXPECT_EQ(end_2025.as_of().year(), 2025);
  EXPECT_EQ(end_2025.total().candidates(), 0);
  EXPECT_EQ(end_2025.total().official_members(), 2);
  // Party Charter art. 5: on probation from the ceremony (2015-03-10) for
  // 12 months; the decision of 2015-03-02 alone makes no member yet.
  v1::PeopleCounts end_2015 = count(D(2015, 12, 31));
  EXPECT_EQ(end_2015.total().probationary_members(), 2);
  EXPECT_EQ(end_2015.total().official_members(), 0);
  int cell_a_probation = -1;
  for (const auto& row : end_2015.children()) {
    if (row.organization() == cell_a_) {
      cell_a_probation = row.probationary_members();
    }
  }
  EXPECT_EQ(cell_a_probation, 1);
  v1::PeopleCounts decided = count(D(2015, 3, 5));
  EXPECT_EQ(decided.total().members(), 0);
  ASSERT_EQ(decided.total().by_stage_size(), 1);
  EXPECT_EQ(decided.total().by_stage(0).stage(),
            common::v1::STAGE_ADMISSION_DECIDED);
  // Today's counts are unchanged: the candidate is there.
  v1::PeopleCounts today;
  v1::CountPeopleRequest live;
  live.set_organization(college_);
  live.set_include_descendants(true);
  ASSERT_TRUE(
      organizations_->CountPeople(As(Board(college_)).get(), live, &today)
          .ok());
  EXPECT_EQ(today.total().candidates(), 1);

  // Listing by stage on the date reads the same standing.
  v1::ListPeopleRequest list;
  list.set_organization(college_);
  list.set_include_descendants(true);
  *list.mutable_as_of() = D(2015, 12, 31);
  list.add_stages(common::v1::STAGE_PROBATION);
  EXPECT_EQ(List(Board(college_), list).people_size(), 2);
  list.clear_stages();
  list.add_stages(common::v1::STAGE_OFFICIAL);
  EXPECT_EQ(List(Board(college_), list).people_size(), 0);

  // A date after today is refused, naming the field.
  v1::CountPeopleRequest future;
  future.set_organization(college_);
  *future.mutable_as_of() = D(2099, 1, 1);
  v1::PeopleCounts out;
  grpc::Status s =
      organizations_->CountPeople(As(Board(college_)).get(), future, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Fields(s), std::set<std::string>{"as_of"});
  // And another subtree still is refused on a past date.
  future.set_organization(college_);
  *future.mutable_as_of() = D(2020, 1, 1);
  EXPECT_EQ(organizations_
                ->CountPeople(As(Board(other_province_)).get(), future, &out)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(PersonServiceTest, RetryWithTheSameRequestIdRegistersOnce) {
  v1::CreatePersonRequest request =
      CandidateRequest(cell_a_, "Bùi Thị Hạnh", "079200000031");
  request.set_request_id("import-row-1");
  v1::Person first, second;
  grpc::Status created =
      people_->CreatePerson(As(Secretary(cell_a_)).get(), request, &first);
  ASSERT_TRUE(created.ok()) << created.error_message();
  const int64_t events = EventCount();
  grpc::Status retry =
      people_->CreatePerson(As(Secretary(cell_a_)).get(), request, &second);
  ASSERT_TRUE(retry.ok()) << retry.error_message();
  EXPECT_EQ(first.name(), second.name());
  EXPECT_EQ(EventCount(), events);

  request.set_validate_only(true);
  request.clear_request_id();
  request.mutable_person()->set_citizen_id("079200000032");
  v1::Person dry;
  ASSERT_TRUE(
      people_->CreatePerson(As(Secretary(cell_a_)).get(), request, &dry).ok());
  EXPECT_EQ(EventCount(), events);
}

}  // namespace
}  // namespace partydev::membership
