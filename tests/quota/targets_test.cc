// TargetService on a real quotad: congress terms, term and yearly targets,
// every rule broken once with nothing written.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/change.h"
#include "common/dates.h"
#include "common/errors.h"
#include "common/grpc_status.h"
#include "services/quota/domain/periods.h"
#include "tests/quota/quota_fixture.h"

namespace partydev::quota {
namespace {

using common::v1::CATEGORY_STUDENT;

v1::TargetFigures Figures(int total, int students = -1) {
  v1::TargetFigures f;
  f.set_total(total);
  if (students >= 0) {
    auto* c = f.add_categories();
    c->set_category(CATEGORY_STUDENT);
    c->set_count(students);
  }
  return f;
}

std::vector<std::string> RulesOf(const grpc::Status& status) {
  std::vector<std::string> out;
  for (const auto& v : RuleViolationsOf(FromGrpcStatus(status))) {
    out.push_back(v.rule);
  }
  return out;
}

std::vector<std::string> FieldsOf(const grpc::Status& status) {
  std::vector<std::string> out;
  for (const auto& v : FieldViolationsOf(FromGrpcStatus(status))) {
    out.push_back(v.field);
  }
  return out;
}

class TargetsTest : public QuotaFixture {
 protected:
  void SetUp() override {
    QuotaFixture::SetUp();
    MustCreateTerms();
  }

  v1::CreateTermTargetRequest TermTargetRequest(const std::string& org,
                                                const std::string& term_id,
                                                const v1::TargetFigures& own) {
    v1::CreateTermTargetRequest request;
    request.set_parent(org);
    request.set_term_target_id(term_id);
    *request.mutable_term_target()->mutable_own() = own;
    auto* resolution = request.mutable_term_target()->mutable_resolution();
    resolution->set_number("01-NQ/ĐH");
    *resolution->mutable_signed_on() = D(2020, 10, 20);
    resolution->set_deciding_organization(org);
    return request;
  }

  grpc::Status CreateTermTarget(const Caller& caller,
                                const v1::CreateTermTargetRequest& request,
                                v1::TermTarget* out) {
    return targets_->CreateTermTarget(As(caller).get(), request, out);
  }

  grpc::Status CreateYearTarget(const Caller& caller, const std::string& org,
                                const std::string& term_id,
                                const std::string& year,
                                const v1::TargetFigures& own,
                                v1::YearTarget* out) {
    v1::CreateYearTargetRequest request;
    request.set_parent(absl::StrCat(org, "/targets/", term_id));
    request.set_year_target_id(year);
    *request.mutable_year_target()->mutable_own() = own;
    return targets_->CreateYearTarget(As(caller).get(), request, out);
  }

  int CountTermTargets(const std::string& org) {
    v1::ListTermTargetsRequest request;
    request.set_parent(org);
    v1::ListTermTargetsResponse response;
    grpc::Status s =
        targets_->ListTermTargets(As(Admin()).get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response.total_size();
  }

  int64_t QuotaEvents() {
    absl::StatusOr<RedisReply> reply =
        redis_client_->Command({"XLEN", "{pd:quota}:events"});
    EXPECT_TRUE(reply.ok());
    return reply.ok() ? reply->integer() : -1;
  }
};

// ----------------------------------------------------------------- Terms

TEST_F(TargetsTest, TermsAreCreatedWithTheirYearsAndState) {
  v1::Term term;
  grpc::Status s = targets_->GetTerm(
      As(Reader(cell_toan_)).get(),
      [] {
        v1::GetTermRequest r;
        r.set_name("terms/2020-2025");
        return r;
      }(),
      &term);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(term.display_name(), "Nhiệm kỳ 2020–2025");
  EXPECT_EQ(std::vector<int>(term.years().begin(), term.years().end()),
            (std::vector<int>{2020, 2021, 2022, 2023, 2024, 2025}));
  EXPECT_EQ(term.state(), domain::StateOf(term, CivilDayOf(Today())));
  EXPECT_EQ(term.etag(), "v1");
  EXPECT_EQ(term.create_stamp().actor(), "people/admin");

  v1::ListTermsRequest list;
  v1::ListTermsResponse terms;
  ASSERT_TRUE(targets_->ListTerms(As(Reader(bloc_)).get(), list, &terms).ok());
  ASSERT_EQ(terms.terms_size(), 2);
  EXPECT_EQ(terms.total_size(), 2);
  EXPECT_EQ(terms.terms(0).name(), "terms/2020-2025");
  list.set_order_by("start_date desc");
  ASSERT_TRUE(targets_->ListTerms(As(Reader(bloc_)).get(), list, &terms).ok());
  EXPECT_EQ(terms.terms(0).name(), "terms/2025-2030");

  // Paging: one at a time.
  v1::ListTermsRequest paged;
  paged.set_page_size(1);
  v1::ListTermsResponse first;
  ASSERT_TRUE(targets_->ListTerms(As(Admin()).get(), paged, &first).ok());
  ASSERT_EQ(first.terms_size(), 1);
  ASSERT_FALSE(first.next_page_token().empty());
  paged.set_page_token(first.next_page_token());
  v1::ListTermsResponse second;
  ASSERT_TRUE(targets_->ListTerms(As(Admin()).get(), paged, &second).ok());
  ASSERT_EQ(second.terms_size(), 1);
  EXPECT_EQ(second.terms(0).name(), "terms/2025-2030");
  EXPECT_TRUE(second.next_page_token().empty());

  list.set_order_by("display_name");
  EXPECT_EQ(targets_->ListTerms(As(Admin()).get(), list, &terms).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(TargetsTest, ListTermsFiltersOnDates) {
  v1::ListTermsRequest list;
  list.set_filter("start_date >= 2025-01-01");
  v1::ListTermsResponse terms;
  grpc::Status s = targets_->ListTerms(As(Admin()).get(), list, &terms);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(terms.terms_size(), 1);
  EXPECT_EQ(terms.terms(0).name(), "terms/2025-2030");
  // The state is computed from today: count the current ones ourselves.
  list.set_filter("state = STATE_CURRENT");
  ASSERT_TRUE(targets_->ListTerms(As(Admin()).get(), list, &terms).ok());
  int current = 0;
  for (const auto& [from, to] : {std::pair{D(2020, 10, 1), D(2025, 9, 30)},
                                 std::pair{D(2025, 10, 1), D(2030, 9, 30)}}) {
    v1::Term t;
    *t.mutable_start_date() = from;
    *t.mutable_end_date() = to;
    if (domain::StateOf(t, CivilDayOf(Today())) == v1::Term::STATE_CURRENT) {
      ++current;
    }
  }
  EXPECT_EQ(terms.total_size(), current);
  for (const auto& term : terms.terms()) {
    EXPECT_EQ(term.state(), v1::Term::STATE_CURRENT);
  }
  list.set_filter("display_name = \"x\"");
  EXPECT_EQ(targets_->ListTerms(As(Admin()).get(), list, &terms).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(TargetsTest, CreatingATermPublishesTermDefined) {
  absl::StatusOr<RedisReply> entries =
      redis_client_->Command({"XRANGE", "{pd:quota}:events", "-", "+"});
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->elements().size(), 2u);
  events::v1::Event event;
  ASSERT_TRUE(event.ParseFromString(
      entries->elements()[0].elements()[1].elements()[1].str()));
  EXPECT_EQ(event.type(), "partydev.events.v1.TermDefined");
  EXPECT_EQ(event.producer(), "quota");
  EXPECT_EQ(event.term_defined().term(), "terms/2020-2025");
  EXPECT_EQ(event.term_defined().end_date().year(), 2025);
}

TEST_F(TargetsTest, OverlappingTermsAreRefusedAndNothingIsWritten) {
  const int64_t events = QuotaEvents();
  v1::CreateTermRequest request;
  request.set_term_id("2024-2029");
  request.mutable_term()->set_display_name("Chồng lấn");
  *request.mutable_term()->mutable_start_date() = D(2024, 1, 1);
  *request.mutable_term()->mutable_end_date() = D(2029, 12, 31);
  v1::Term term;
  grpc::Status s = targets_->CreateTerm(As(Admin()).get(), request, &term);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(RulesOf(s), (std::vector<std::string>{"quota.term.no_overlap",
                                                  "quota.term.no_overlap"}));
  v1::GetTermRequest get;
  get.set_name("terms/2024-2029");
  EXPECT_EQ(targets_->GetTerm(As(Admin()).get(), get, &term).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(QuotaEvents(), events);
}

TEST_F(TargetsTest, BadTermsAreInvalidArguments) {
  v1::CreateTermRequest request;
  request.set_term_id("Bad_Id");
  request.mutable_term()->set_display_name("");
  *request.mutable_term()->mutable_start_date() = D(2031, 1, 1);
  *request.mutable_term()->mutable_end_date() = D(2030, 12, 31);
  v1::Term term;
  grpc::Status s = targets_->CreateTerm(As(Admin()).get(), request, &term);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  const std::vector<std::string> fields = FieldsOf(s);
  EXPECT_EQ(fields, (std::vector<std::string>{"term_id", "term.display_name",
                                              "term.end_date"}));
}

TEST_F(TargetsTest, OnlyAnAdminCreatesTerms) {
  v1::CreateTermRequest request;
  request.set_term_id("2030-2035");
  request.mutable_term()->set_display_name("Nhiệm kỳ 2030–2035");
  *request.mutable_term()->mutable_start_date() = D(2030, 10, 1);
  *request.mutable_term()->mutable_end_date() = D(2035, 9, 30);
  v1::Term term;
  EXPECT_EQ(targets_->CreateTerm(As(Board(province_)).get(), request, &term)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  request.set_term_id("2020-2025");
  EXPECT_EQ(
      targets_->CreateTerm(As(Admin()).get(), request, &term).error_code(),
      grpc::StatusCode::ALREADY_EXISTS);
}

TEST_F(TargetsTest, ValidateOnlyWritesNothingAndARetryGetsTheFirstAnswer) {
  v1::CreateTermRequest request;
  request.set_term_id("2030-2035");
  request.mutable_term()->set_display_name("Nhiệm kỳ 2030–2035");
  *request.mutable_term()->mutable_start_date() = D(2030, 10, 1);
  *request.mutable_term()->mutable_end_date() = D(2035, 9, 30);
  request.set_validate_only(true);
  v1::Term term;
  ASSERT_TRUE(targets_->CreateTerm(As(Admin()).get(), request, &term).ok());
  EXPECT_EQ(term.name(), "terms/2030-2035");
  EXPECT_EQ(term.years_size(), 6);
  v1::GetTermRequest get;
  get.set_name("terms/2030-2035");
  v1::Term got;
  EXPECT_EQ(targets_->GetTerm(As(Admin()).get(), get, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);

  request.set_validate_only(false);
  request.set_request_id("7f8e5c1e-6d3b-4a8f-9a51-0c1f2f7f8a11");
  v1::Term first;
  ASSERT_TRUE(targets_->CreateTerm(As(Admin()).get(), request, &first).ok());
  v1::Term again;
  grpc::Status s = targets_->CreateTerm(As(Admin()).get(), request, &again);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
}

TEST_F(TargetsTest, UpdateTermChecksTheEtagAndTheYearsOfTargets) {
  v1::YearTarget year_target;
  ASSERT_TRUE(CreateYearTarget(Board(bloc_), university_, "2020-2025", "2025",
                               Figures(10), &year_target)
                  .ok());
  v1::UpdateTermRequest request;
  request.mutable_term()->set_name("terms/2020-2025");
  *request.mutable_term()->mutable_end_date() = D(2024, 12, 31);
  request.mutable_update_mask()->add_paths("end_date");
  v1::Term term;
  grpc::Status s = targets_->UpdateTerm(As(Admin()).get(), request, &term);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(RulesOf(s),
            std::vector<std::string>{"quota.term.years_cover_targets"});

  *request.mutable_term()->mutable_end_date() = D(2025, 6, 30);
  request.mutable_term()->set_etag("v9");
  EXPECT_EQ(
      targets_->UpdateTerm(As(Admin()).get(), request, &term).error_code(),
      grpc::StatusCode::ABORTED);
  request.mutable_term()->set_etag("v1");
  const int64_t events = QuotaEvents();
  s = targets_->UpdateTerm(As(Admin()).get(), request, &term);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(term.etag(), "v2");
  EXPECT_EQ(QuotaEvents(), events + 1);  // TermDefined
  EXPECT_EQ(term.end_date().month(), 6);
  EXPECT_EQ(term.years_size(), 6);

  request.mutable_update_mask()->set_paths(0, "years");
  EXPECT_EQ(
      targets_->UpdateTerm(As(Admin()).get(), request, &term).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
}

// ---------------------------------------------------------- Term targets

TEST_F(TargetsTest, ABoardRecordsATermTargetAndReadsItsEffectiveFigure) {
  v1::TermTarget target;
  grpc::Status s = CreateTermTarget(
      Board(bloc_),
      TermTargetRequest(university_, "2020-2025", Figures(100, 30)), &target);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(target.name(), "organizations/dh-da-lat/targets/2020-2025");
  EXPECT_EQ(target.organization(), university_);
  EXPECT_EQ(target.term(), "terms/2020-2025");
  EXPECT_EQ(target.effective_source(), v1::TARGET_SOURCE_OWN);
  EXPECT_EQ(target.effective().total(), 100);
  EXPECT_EQ(target.etag(), "v1");

  v1::YearTarget y;
  ASSERT_TRUE(CreateYearTarget(Board(university_), university_, "2020-2025",
                               "2021", Figures(20, 5), &y)
                  .ok());
  ASSERT_TRUE(CreateYearTarget(Board(university_), university_, "2020-2025",
                               "2022", Figures(25), &y)
                  .ok());
  EXPECT_EQ(y.effective_source(), v1::TARGET_SOURCE_OWN);
  v1::GetTermTargetRequest get;
  get.set_name(target.name());
  v1::TermTarget got;
  ASSERT_TRUE(
      targets_->GetTermTarget(As(Reader(university_)).get(), get, &got).ok());
  EXPECT_EQ(got.years_total().total(), 45);
  ASSERT_EQ(got.years_total().categories_size(), 1);
  EXPECT_EQ(got.years_total().categories(0).count(), 5);
  // A cell below does not read its superior's target.
  EXPECT_EQ(targets_->GetTermTarget(As(Reader(cell_toan_)).get(), get, &got)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(TargetsTest, ATargetForAnUnknownTermIsRefused) {
  v1::TermTarget target;
  grpc::Status s = CreateTermTarget(
      Board(bloc_), TermTargetRequest(university_, "2040-2045", Figures(10)),
      &target);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(RulesOf(s), std::vector<std::string>{"quota.target.term_exists"});
  EXPECT_EQ(CountTermTargets(university_), 0);
}

TEST_F(TargetsTest, NegativeNumbersAndCategoriesAboveTheTotal) {
  v1::TermTarget target;
  v1::TargetFigures bad = Figures(-5, 0);
  bad.mutable_categories(0)->set_count(-1);
  grpc::Status s = CreateTermTarget(
      Board(bloc_), TermTargetRequest(university_, "2020-2025", bad), &target);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldsOf(s),
            (std::vector<std::string>{"term_target.own.total",
                                      "term_target.own.categories[0].count"}));
  s = CreateTermTarget(
      Board(bloc_),
      TermTargetRequest(university_, "2020-2025", Figures(10, 11)), &target);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(RulesOf(s),
            std::vector<std::string>{"quota.target.category_within_total"});
  EXPECT_EQ(CountTermTargets(university_), 0);
}

TEST_F(TargetsTest, OwnAndResolutionAreRequired) {
  v1::CreateTermTargetRequest request =
      TermTargetRequest(university_, "2020-2025", Figures(10));
  request.mutable_term_target()->clear_own();
  request.mutable_term_target()->clear_resolution();
  v1::TermTarget target;
  grpc::Status s = CreateTermTarget(Board(bloc_), request, &target);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldsOf(s), (std::vector<std::string>{
                             "term_target.own", "term_target.resolution.number",
                             "term_target.resolution.signed_on",
                             "term_target.resolution.deciding_organization"}));
}

TEST_F(TargetsTest, CallersOutsideTheSubtreeOrWithoutTheRoleAreRefused) {
  v1::TermTarget target;
  const auto request = TermTargetRequest(university_, "2020-2025", Figures(10));
  grpc::Status s = CreateTermTarget(Board(other_province_), request, &target);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = CreateTermTarget(Board(cell_toan_), request, &target);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = CreateTermTarget(Reader(bloc_), request, &target);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(CountTermTargets(university_), 0);
  s = CreateTermTarget(
      Admin(),
      TermTargetRequest("organizations/unknown", "2020-2025", Figures(1)),
      &target);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(RulesOf(s), std::vector<std::string>{"quota.organization.known"});
}

TEST_F(TargetsTest, ASecondTargetForTheTermAlreadyExists) {
  v1::TermTarget target;
  const auto request = TermTargetRequest(university_, "2020-2025", Figures(10));
  ASSERT_TRUE(CreateTermTarget(Board(university_), request, &target).ok());
  EXPECT_EQ(CreateTermTarget(Board(university_), request, &target).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
}

TEST_F(TargetsTest, UpdateTermTargetChangesOrRemovesTheOwnFigure) {
  v1::TermTarget target;
  ASSERT_TRUE(
      CreateTermTarget(Board(university_),
                       TermTargetRequest(university_, "2020-2025", Figures(10)),
                       &target)
          .ok());
  v1::UpdateTermTargetRequest request;
  request.mutable_term_target()->set_name(target.name());
  *request.mutable_term_target()->mutable_own() = Figures(12, 4);
  request.mutable_term_target()->set_etag(target.etag());
  request.mutable_update_mask()->add_paths("own");
  v1::TermTarget updated;
  grpc::Status s = targets_->UpdateTermTarget(As(Board(university_)).get(),
                                              request, &updated);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(updated.effective().total(), 12);
  EXPECT_EQ(updated.etag(), "v2");
  // Stale etag.
  EXPECT_EQ(
      targets_
          ->UpdateTermTarget(As(Board(university_)).get(), request, &updated)
          .error_code(),
      grpc::StatusCode::ABORTED);
  // Negative: nothing changes.
  request.mutable_term_target()->clear_etag();
  *request.mutable_term_target()->mutable_own() = Figures(-1);
  EXPECT_EQ(
      targets_
          ->UpdateTermTarget(As(Board(university_)).get(), request, &updated)
          .error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  // Masked and unset: the own figure goes.
  request.mutable_term_target()->clear_own();
  s = targets_->UpdateTermTarget(As(Board(university_)).get(), request,
                                 &updated);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_FALSE(updated.has_own());
  EXPECT_EQ(updated.effective_source(), v1::TARGET_SOURCE_NONE);
  EXPECT_EQ(updated.etag(), "v3");
}

TEST_F(TargetsTest, ListTermTargetsByScope) {
  v1::TermTarget t;
  ASSERT_TRUE(
      CreateTermTarget(Board(bloc_),
                       TermTargetRequest(bloc_, "2020-2025", Figures(300)), &t)
          .ok());
  ASSERT_TRUE(CreateTermTarget(
                  Board(bloc_),
                  TermTargetRequest(university_, "2020-2025", Figures(100)), &t)
                  .ok());
  ASSERT_TRUE(CreateTermTarget(
                  Board(bloc_),
                  TermTargetRequest(university_, "2025-2030", Figures(120)), &t)
                  .ok());
  ASSERT_TRUE(CreateTermTarget(
                  Board(bloc_),
                  TermTargetRequest(cell_toan_, "2020-2025", Figures(10)), &t)
                  .ok());
  v1::ListTermTargetsRequest request;
  request.set_parent(bloc_);
  v1::ListTermTargetsResponse response;
  ASSERT_TRUE(
      targets_->ListTermTargets(As(Reader(bloc_)).get(), request, &response)
          .ok());
  EXPECT_EQ(response.total_size(), 1);
  request.set_scope(v1::ORGANIZATION_SCOPE_DIRECT_SUBORDINATES);
  ASSERT_TRUE(
      targets_->ListTermTargets(As(Reader(bloc_)).get(), request, &response)
          .ok());
  EXPECT_EQ(response.total_size(), 3);
  request.set_scope(v1::ORGANIZATION_SCOPE_SUBTREE);
  request.set_filter("term = \"terms/2020-2025\"");
  response.Clear();
  grpc::Status s =
      targets_->ListTermTargets(As(Reader(bloc_)).get(), request, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(response.term_targets_size(), 3);
  EXPECT_EQ(response.term_targets(0).organization(), bloc_);
  EXPECT_EQ(response.term_targets(1).organization(), university_);
  EXPECT_EQ(response.term_targets(2).organization(), cell_toan_);
  // Paged by two.
  request.set_page_size(2);
  ASSERT_TRUE(
      targets_->ListTermTargets(As(Reader(bloc_)).get(), request, &response)
          .ok());
  ASSERT_EQ(response.term_targets_size(), 2);
  request.set_page_token(response.next_page_token());
  ASSERT_TRUE(
      targets_->ListTermTargets(As(Reader(bloc_)).get(), request, &response)
          .ok());
  ASSERT_EQ(response.term_targets_size(), 1);
  EXPECT_EQ(response.term_targets(0).organization(), cell_toan_);
}

// ---------------------------------------------------------- Year targets

TEST_F(TargetsTest, AYearMustOverlapTheTerm) {
  v1::YearTarget y;
  grpc::Status s = CreateYearTarget(Board(bloc_), university_, "2020-2025",
                                    "2026", Figures(10), &y);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(RulesOf(s), std::vector<std::string>{"quota.target.year_in_term"});
  s = CreateYearTarget(Board(bloc_), university_, "2040-2045", "2041",
                       Figures(10), &y);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(RulesOf(s), std::vector<std::string>{"quota.target.term_exists"});
  s = CreateYearTarget(Board(bloc_), university_, "2020-2025", "20x",
                       Figures(10), &y);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  v1::ListYearTargetsRequest list;
  list.set_parent(absl::StrCat(university_, "/targets/2020-2025"));
  v1::ListYearTargetsResponse response;
  ASSERT_TRUE(
      targets_->ListYearTargets(As(Admin()).get(), list, &response).ok());
  EXPECT_EQ(response.total_size(), 0);
}

TEST_F(TargetsTest, YearTargetsAreListedAndUpdated) {
  v1::YearTarget y;
  ASSERT_TRUE(CreateYearTarget(Board(bloc_), university_, "2020-2025", "2023",
                               Figures(20), &y)
                  .ok());
  ASSERT_TRUE(CreateYearTarget(Board(bloc_), university_, "2020-2025", "2021",
                               Figures(15), &y)
                  .ok());
  ASSERT_TRUE(CreateYearTarget(Board(bloc_), cell_toan_, "2020-2025", "2021",
                               Figures(3), &y)
                  .ok());
  EXPECT_EQ(CreateYearTarget(Board(bloc_), cell_toan_, "2020-2025", "2021",
                             Figures(3), &y)
                .error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  v1::ListYearTargetsRequest list;
  list.set_parent(absl::StrCat(university_, "/targets/2020-2025"));
  list.set_scope(v1::ORGANIZATION_SCOPE_SUBTREE);
  v1::ListYearTargetsResponse response;
  grpc::Status s =
      targets_->ListYearTargets(As(Reader(university_)).get(), list, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(response.year_targets_size(), 3);
  EXPECT_EQ(response.year_targets(0).year(), 2021);
  EXPECT_EQ(response.year_targets(1).year(), 2023);
  EXPECT_EQ(response.year_targets(2).organization(), cell_toan_);
  list.set_filter("year = 2023");
  ASSERT_TRUE(
      targets_->ListYearTargets(As(Reader(university_)).get(), list, &response)
          .ok());
  EXPECT_EQ(response.total_size(), 1);

  v1::UpdateYearTargetRequest update;
  update.mutable_year_target()->set_name(
      absl::StrCat(university_, "/targets/2020-2025/years/2023"));
  *update.mutable_year_target()->mutable_own() = Figures(22);
  update.mutable_year_target()->set_note("bình quân");
  update.mutable_update_mask()->add_paths("own");
  update.mutable_update_mask()->add_paths("note");
  v1::YearTarget updated;
  s = targets_->UpdateYearTarget(As(Board(university_)).get(), update,
                                 &updated);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(updated.own().total(), 22);
  EXPECT_EQ(updated.note(), "bình quân");
  EXPECT_EQ(updated.effective().total(), 22);
  v1::GetYearTargetRequest get;
  get.set_name(updated.name());
  v1::YearTarget got;
  ASSERT_TRUE(targets_->GetYearTarget(As(Admin()).get(), get, &got).ok());
  EXPECT_EQ(got.etag(), "v2");
  EXPECT_EQ(got.year(), 2023);
}

}  // namespace
}  // namespace partydev::quota
