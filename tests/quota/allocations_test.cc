// AllocationService on a real quotad: every allocation rule broken once
// with nothing written, superseding, the subordinates' allocated figures,
// concurrent officers, idempotent retries and effective targets by date.

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/change.h"
#include "common/dates.h"
#include "common/errors.h"
#include "common/grpc_status.h"
#include "tests/quota/quota_fixture.h"

namespace partydev::quota {
namespace {

using common::v1::CATEGORY_STUDENT;
using common::v1::CATEGORY_YOUTH_UNION_MEMBER;

v1::TargetFigures Figures(int total, int students = -1, int youth = -1) {
  v1::TargetFigures f;
  f.set_total(total);
  if (students >= 0) {
    auto* c = f.add_categories();
    c->set_category(CATEGORY_STUDENT);
    c->set_count(students);
  }
  if (youth >= 0) {
    auto* c = f.add_categories();
    c->set_category(CATEGORY_YOUTH_UNION_MEMBER);
    c->set_count(youth);
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

bool HasRule(const grpc::Status& status, const std::string& rule) {
  for (const auto& r : RulesOf(status)) {
    if (r == rule) return true;
  }
  return false;
}

using Lines = std::vector<std::pair<std::string, v1::TargetFigures>>;

class AllocationsTest : public QuotaFixture {
 protected:
  void SetUp() override {
    QuotaFixture::SetUp();
    MustCreateTerms();
    // The bloc's own term target: 100, of which 30 students.
    SetOwnTermTarget(bloc_, Figures(100, 30));
  }

  void SetOwnTermTarget(const std::string& org, const v1::TargetFigures& own) {
    v1::CreateTermTargetRequest request;
    request.set_parent(org);
    request.set_term_target_id("2020-2025");
    *request.mutable_term_target()->mutable_own() = own;
    auto* resolution = request.mutable_term_target()->mutable_resolution();
    resolution->set_number("01-NQ/ĐH");
    *resolution->mutable_signed_on() = D(2020, 10, 15);
    resolution->set_deciding_organization(org);
    v1::TermTarget target;
    grpc::Status s =
        targets_->CreateTermTarget(As(Admin()).get(), request, &target);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  v1::CreateAllocationDecisionRequest Request(
      const std::string& parent, const common::v1::Date& signed_on, int year,
      const Lines& lines, const std::string& supersedes = "") {
    v1::CreateAllocationDecisionRequest request;
    request.set_parent(parent);
    auto* d = request.mutable_allocation_decision();
    d->mutable_decision()->set_number(absl::StrCat(++number_, "-QĐ/ĐUK"));
    *d->mutable_decision()->mutable_signed_on() = signed_on;
    d->mutable_decision()->set_deciding_organization(parent);
    d->mutable_decision()->set_deciding_body("Ban Thường vụ");
    d->mutable_period()->set_term("terms/2020-2025");
    d->mutable_period()->set_year(year);
    for (const auto& [org, figures] : lines) {
      auto* line = d->add_lines();
      line->set_organization(org);
      *line->mutable_figures() = figures;
    }
    d->set_supersedes(supersedes);
    return request;
  }

  grpc::Status Create(const Caller& caller,
                      const v1::CreateAllocationDecisionRequest& request,
                      v1::AllocationDecision* out) {
    return allocations_->CreateAllocationDecision(As(caller).get(), request,
                                                  out);
  }

  v1::ListAllocationDecisionsResponse List(const std::string& parent,
                                           const std::string& filter = "") {
    v1::ListAllocationDecisionsRequest request;
    request.set_parent(parent);
    request.set_filter(filter);
    v1::ListAllocationDecisionsResponse response;
    grpc::Status s = allocations_->ListAllocationDecisions(As(Admin()).get(),
                                                           request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response;
  }

  // The term target of `org` for 2020-2025 (NOT_FOUND as a status).
  grpc::Status TermTarget(const std::string& org, v1::TermTarget* out) {
    v1::GetTermTargetRequest request;
    request.set_name(absl::StrCat(org, "/targets/2020-2025"));
    return targets_->GetTermTarget(As(Admin()).get(), request, out);
  }

  // Nothing of an allocation was written: no decision, no subordinate
  // record, no event.
  void ExpectNothingWritten(int64_t events_before) {
    EXPECT_EQ(List(bloc_).total_size(), 0);
    v1::TermTarget target;
    EXPECT_EQ(TermTarget(university_, &target).error_code(),
              grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(QuotaEvents(), events_before);
  }

  int64_t QuotaEvents() {
    absl::StatusOr<RedisReply> reply =
        redis_client_->Command({"XLEN", "{pd:quota}:events"});
    EXPECT_TRUE(reply.ok());
    return reply.ok() ? reply->integer() : -1;
  }

  int number_ = 0;
};

TEST_F(AllocationsTest, AnAllocationWithinTheTargetIsActiveAndAllocates) {
  v1::AllocationDecision decision;
  grpc::Status s =
      Create(Board(bloc_),
             Request(bloc_, D(2021, 2, 1), 0,
                     {{university_, Figures(60, 25)}, {health_, Figures(30)}}),
             &decision);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(decision.state(), v1::AllocationDecision::STATE_ACTIVE);
  EXPECT_EQ(decision.mode(), v1::ALLOCATION_MODE_AT_MOST);
  EXPECT_EQ(decision.rule_set(), "quotaRuleSets/default");
  EXPECT_EQ(decision.committee_target().total(), 100);
  EXPECT_EQ(decision.allocated_sum().total(), 90);
  EXPECT_EQ(decision.unallocated().total(), 10);
  ASSERT_EQ(decision.unallocated().categories_size(), 1);
  EXPECT_EQ(decision.unallocated().categories(0).count(), 5);
  EXPECT_TRUE(decision.within_target_now());
  EXPECT_EQ(decision.lines(0).organization_display_name(),
            "Đảng bộ Trường Đại học Đà Lạt");
  EXPECT_EQ(decision.etag(), "v1");

  // The subordinates' records were created by the server.
  v1::TermTarget university;
  ASSERT_TRUE(TermTarget(university_, &university).ok());
  EXPECT_EQ(university.allocated().total(), 60);
  EXPECT_EQ(university.allocation_decision(), decision.name());
  EXPECT_EQ(university.effective_source(), v1::TARGET_SOURCE_ALLOCATED);
  EXPECT_EQ(university.effective().total(), 60);
  EXPECT_FALSE(university.has_own());

  v1::GetAllocationDecisionRequest get;
  get.set_name(decision.name());
  v1::AllocationDecision got;
  ASSERT_TRUE(
      allocations_->GetAllocationDecision(As(Reader(bloc_)).get(), get, &got)
          .ok());
  EXPECT_EQ(got.SerializeAsString(), decision.SerializeAsString());

  // AllocationDecided on quotad's stream.
  absl::StatusOr<RedisReply> entries = redis_client_->Command(
      {"XREVRANGE", "{pd:quota}:events", "+", "-", "COUNT", "1"});
  ASSERT_TRUE(entries.ok());
  events::v1::Event event;
  ASSERT_TRUE(event.ParseFromString(
      entries->elements()[0].elements()[1].elements()[1].str()));
  EXPECT_EQ(event.type(), "partydev.events.v1.AllocationDecided");
  EXPECT_EQ(event.allocation_decided().decision(), decision.name());
  EXPECT_EQ(event.allocation_decided().organization(), bloc_);
  EXPECT_EQ(event.allocation_decided().totals().at(university_), 60);
  EXPECT_EQ(event.organization_path_size(), 2);
}

TEST_F(AllocationsTest, OverAllocationInTotalIsRefusedAndWritesNothing) {
  const int64_t events = QuotaEvents();
  v1::AllocationDecision decision;
  grpc::Status s =
      Create(Board(bloc_),
             Request(bloc_, D(2021, 2, 1), 0,
                     {{university_, Figures(80)}, {health_, Figures(40)}}),
             &decision);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(RulesOf(s),
            std::vector<std::string>{"quota.allocation.within_target"});
  EXPECT_NE(s.error_message().find("Tổng phân bổ 120 vượt chỉ tiêu 100"),
            std::string::npos)
      << s.error_message();
  ExpectNothingWritten(events);
}

TEST_F(AllocationsTest, OverAllocationOfACategoryIsRefused) {
  const int64_t events = QuotaEvents();
  v1::AllocationDecision decision;
  grpc::Status s = Create(
      Board(bloc_),
      Request(bloc_, D(2021, 2, 1), 0,
              {{university_, Figures(50, 25)}, {health_, Figures(20, 10)}}),
      &decision);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(RulesOf(s),
            std::vector<std::string>{"quota.allocation.within_target"});
  ExpectNothingWritten(events);
}

TEST_F(AllocationsTest, ARequestMayTightenTheModeToExactly) {
  const int64_t events = QuotaEvents();
  auto request =
      Request(bloc_, D(2021, 2, 1), 0,
              {{university_, Figures(60, 30)}, {health_, Figures(30)}});
  request.mutable_allocation_decision()->set_mode(v1::ALLOCATION_MODE_EXACTLY);
  v1::AllocationDecision decision;
  grpc::Status s = Create(Board(bloc_), request, &decision);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(RulesOf(s),
            std::vector<std::string>{"quota.allocation.equals_target"});
  ExpectNothingWritten(events);

  request.mutable_allocation_decision()
      ->mutable_lines(1)
      ->mutable_figures()
      ->set_total(40);
  s = Create(Board(bloc_), request, &decision);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(decision.mode(), v1::ALLOCATION_MODE_EXACTLY);
  EXPECT_EQ(decision.unallocated().total(), 0);
}

TEST_F(AllocationsTest, OnlyTheCommitteeOrASuperiorAllocates) {
  SetOwnTermTarget(university_, Figures(20));
  const int64_t events = QuotaEvents();
  v1::AllocationDecision decision;
  // A cell's board allocating for its grassroots committee.
  grpc::Status s =
      Create(Board(cell_toan_),
             Request(university_, D(2021, 2, 1), 0, {{cell_toan_, Figures(5)}}),
             &decision);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // Another province's board.
  s = Create(Board(other_province_),
             Request(bloc_, D(2021, 2, 1), 0, {{university_, Figures(5)}}),
             &decision);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // A reader of the bloc.
  s = Create(Reader(bloc_),
             Request(bloc_, D(2021, 2, 1), 0, {{university_, Figures(5)}}),
             &decision);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(List(bloc_).total_size(), 0);
  EXPECT_EQ(List(university_).total_size(), 0);
  EXPECT_EQ(QuotaEvents(), events);
  // The province's board may decide for the bloc.
  s = Create(Board(province_),
             Request(bloc_, D(2021, 2, 1), 0, {{university_, Figures(5)}}),
             &decision);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

TEST_F(AllocationsTest, TheDecidingOrganisationMustBeTheParent) {
  auto request = Request(bloc_, D(2021, 2, 1), 0, {{university_, Figures(5)}});
  request.mutable_allocation_decision()
      ->mutable_decision()
      ->set_deciding_organization(province_);
  v1::AllocationDecision decision;
  grpc::Status s = Create(Board(province_), request, &decision);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(List(bloc_).total_size(), 0);
}

TEST_F(AllocationsTest, TheTermMustExistAndTheYearOverlapIt) {
  const int64_t events = QuotaEvents();
  auto request = Request(bloc_, D(2021, 2, 1), 0, {{university_, Figures(5)}});
  request.mutable_allocation_decision()->mutable_period()->set_term(
      "terms/2040-2045");
  v1::AllocationDecision decision;
  grpc::Status s = Create(Board(bloc_), request, &decision);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(HasRule(s, "quota.target.term_exists")) << s.error_message();
  EXPECT_FALSE(HasRule(s, "quota.allocation.committee_target"));

  request = Request(bloc_, D(2021, 2, 1), 2027, {{university_, Figures(5)}});
  s = Create(Board(bloc_), request, &decision);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(HasRule(s, "quota.target.year_in_term")) << s.error_message();
  ExpectNothingWritten(events);
}

TEST_F(AllocationsTest, NegativeNumbersAreInvalidArguments) {
  const int64_t events = QuotaEvents();
  v1::AllocationDecision decision;
  grpc::Status s =
      Create(Board(bloc_),
             Request(bloc_, D(2021, 2, 1), 0, {{university_, Figures(-3)}}),
             &decision);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  const auto fields = FieldViolationsOf(FromGrpcStatus(s));
  ASSERT_EQ(fields.size(), 1u);
  EXPECT_EQ(fields[0].field, "allocation_decision.lines[0].figures.total");
  ExpectNothingWritten(events);
}

TEST_F(AllocationsTest, ACategoryWithoutASubTargetCannotBeAllocated) {
  const int64_t events = QuotaEvents();
  v1::AllocationDecision decision;
  grpc::Status s = Create(
      Board(bloc_),
      Request(bloc_, D(2021, 2, 1), 0, {{university_, Figures(20, -1, 5)}}),
      &decision);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(RulesOf(s),
            std::vector<std::string>{"quota.allocation.category_in_target"});
  ExpectNothingWritten(events);
}

TEST_F(AllocationsTest, LinesAreForDirectSubordinatesOnly) {
  const int64_t events = QuotaEvents();
  v1::AllocationDecision decision;
  grpc::Status s = Create(Board(bloc_),
                          Request(bloc_, D(2021, 2, 1), 0,
                                  {{university_, Figures(20)},
                                   {cell_toan_, Figures(5)},
                                   {other_cell_, Figures(5)}}),
                          &decision);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(RulesOf(s),
            (std::vector<std::string>{"quota.allocation.direct_subordinate",
                                      "quota.allocation.direct_subordinate"}));
  ExpectNothingWritten(events);
}

TEST_F(AllocationsTest, ACommitteeWithoutATargetHasNothingToAllocate) {
  v1::AllocationDecision decision;
  grpc::Status s =
      Create(Board(health_),
             Request(health_, D(2021, 2, 1), 0, {{cell_health_, Figures(2)}}),
             &decision);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(RulesOf(s),
            std::vector<std::string>{"quota.allocation.committee_target"});
  EXPECT_EQ(List(health_).total_size(), 0);
}

TEST_F(AllocationsTest, ValidateOnlyListsEveryUnmetRuleAndWritesNothing) {
  const int64_t events = QuotaEvents();
  auto request =
      Request(bloc_, D(2021, 2, 1), 0,
              {{university_, Figures(90, 40, 5)}, {cell_toan_, Figures(20)}});
  request.set_validate_only(true);
  v1::AllocationDecision decision;
  grpc::Status s = Create(Board(bloc_), request, &decision);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  for (const char* rule :
       {"quota.allocation.within_target", "quota.allocation.category_in_target",
        "quota.allocation.direct_subordinate"}) {
    EXPECT_TRUE(HasRule(s, rule)) << rule << ": " << s.error_message();
  }
  ExpectNothingWritten(events);

  request = Request(bloc_, D(2021, 2, 1), 0, {{university_, Figures(60, 20)}});
  request.set_validate_only(true);
  s = Create(Board(bloc_), request, &decision);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(decision.allocated_sum().total(), 60);
  EXPECT_EQ(decision.unallocated().total(), 40);
  EXPECT_EQ(decision.committee_target().total(), 100);
  EXPECT_TRUE(decision.etag().empty());
  ExpectNothingWritten(events);
}

TEST_F(AllocationsTest, ASecondDecisionMustSupersedeTheActiveOne) {
  v1::AllocationDecision first;
  ASSERT_TRUE(
      Create(Board(bloc_),
             Request(bloc_, D(2021, 2, 1), 0,
                     {{university_, Figures(60)}, {health_, Figures(30)}}),
             &first)
          .ok());
  const int64_t events = QuotaEvents();
  v1::AllocationDecision second;
  grpc::Status s = Create(
      Board(bloc_),
      Request(bloc_, D(2022, 1, 5), 0, {{university_, Figures(50)}}), &second);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(RulesOf(s),
            std::vector<std::string>{"quota.allocation.supersedes_active"});
  // Signed before the decision it supersedes.
  s = Create(Board(bloc_),
             Request(bloc_, D(2021, 1, 5), 0, {{university_, Figures(50)}},
                     first.name()),
             &second);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(RulesOf(s), std::vector<std::string>{
                            "quota.allocation.signed_after_superseded"});
  // A stale etag of the superseded decision.
  auto request = Request(bloc_, D(2022, 1, 5), 0, {{university_, Figures(50)}},
                         first.name());
  request.set_supersedes_etag("v7");
  EXPECT_EQ(Create(Board(bloc_), request, &second).error_code(),
            grpc::StatusCode::ABORTED);
  EXPECT_EQ(List(bloc_).total_size(), 1);
  EXPECT_EQ(QuotaEvents(), events);
}

TEST_F(AllocationsTest, SupersedingKeepsTheHistoryAndMovesTheFigures) {
  v1::AllocationDecision first;
  ASSERT_TRUE(
      Create(Board(bloc_),
             Request(bloc_, D(2021, 2, 1), 0,
                     {{university_, Figures(60)}, {health_, Figures(30)}}),
             &first)
          .ok());
  auto request = Request(bloc_, D(2022, 1, 5), 0, {{university_, Figures(70)}},
                         first.name());
  request.set_supersedes_etag(first.etag());
  v1::AllocationDecision second;
  grpc::Status s = Create(Board(bloc_), request, &second);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(second.supersedes(), first.name());

  v1::ListAllocationDecisionsResponse history = List(bloc_);
  ASSERT_EQ(history.allocation_decisions_size(), 2);
  EXPECT_EQ(history.allocation_decisions(0).name(), second.name());
  EXPECT_EQ(history.allocation_decisions(0).state(),
            v1::AllocationDecision::STATE_ACTIVE);
  const v1::AllocationDecision& old = history.allocation_decisions(1);
  EXPECT_EQ(old.name(), first.name());
  EXPECT_EQ(old.state(), v1::AllocationDecision::STATE_SUPERSEDED);
  EXPECT_EQ(old.superseded_by(), second.name());
  EXPECT_EQ(old.supersede_stamp().actor(), "people/board");
  EXPECT_EQ(old.etag(), "v2");

  EXPECT_EQ(List(bloc_, "state = STATE_ACTIVE").total_size(), 1);
  v1::ListAllocationDecisionsRequest by_sub;
  by_sub.set_parent(bloc_);
  by_sub.set_subordinate(health_);
  by_sub.set_order_by("decision.signed_on");
  v1::ListAllocationDecisionsResponse health_history;
  ASSERT_TRUE(allocations_
                  ->ListAllocationDecisions(As(Reader(bloc_)).get(), by_sub,
                                            &health_history)
                  .ok());
  ASSERT_EQ(health_history.allocation_decisions_size(), 1);
  EXPECT_EQ(health_history.allocation_decisions(0).name(), first.name());

  // The university follows the active decision; the health department,
  // dropped from it, loses its allocated figure.
  v1::TermTarget university;
  ASSERT_TRUE(TermTarget(university_, &university).ok());
  EXPECT_EQ(university.allocated().total(), 70);
  EXPECT_EQ(university.allocation_decision(), second.name());
  v1::TermTarget health;
  ASSERT_TRUE(TermTarget(health_, &health).ok());
  EXPECT_FALSE(health.has_allocated());
  EXPECT_TRUE(health.allocation_decision().empty());
  EXPECT_EQ(health.effective_source(), v1::TARGET_SOURCE_NONE);
}

TEST_F(AllocationsTest, EffectiveTargetsFollowTheDecisionInForceOnTheDay) {
  v1::AllocationDecision first;
  ASSERT_TRUE(
      Create(Board(bloc_),
             Request(bloc_, D(2021, 2, 1), 0, {{university_, Figures(60)}}),
             &first)
          .ok());
  v1::AllocationDecision second;
  ASSERT_TRUE(
      Create(Board(bloc_),
             Request(bloc_, D(2022, 3, 1), 0,
                     {{university_, Figures(40)}, {health_, Figures(10)}},
                     first.name()),
             &second)
          .ok());
  absl::StatusOr<std::shared_ptr<const OrgTree>> tree =
      context_->projections().Tree();
  ASSERT_TRUE(tree.ok()) << tree.status();
  absl::StatusOr<v1::Term> term =
      context_->targets().TermOn(absl::CivilDay(2021, 6, 1));
  ASSERT_TRUE(term.ok()) << term.status();
  const auto effective = [&](absl::CivilDay day) {
    absl::StatusOr<absl::flat_hash_map<std::string, EffectiveTarget>> e =
        context_->targets().EffectiveTargets(
            {bloc_, university_, health_, cell_toan_}, *term, 0, day, **tree,
            v1::TARGET_PRECEDENCE_ALLOCATED_FIRST);
    EXPECT_TRUE(e.ok()) << e.status();
    return *e;
  };
  auto before = effective(absl::CivilDay(2021, 1, 31));
  EXPECT_EQ(before.at(university_).source, v1::TARGET_SOURCE_NONE);
  EXPECT_EQ(before.at(bloc_).source, v1::TARGET_SOURCE_OWN);
  EXPECT_EQ(before.at(bloc_).figures.total(), 100);
  EXPECT_EQ(before.size(), 4u);

  auto between = effective(absl::CivilDay(2022, 2, 28));
  EXPECT_EQ(between.at(university_).source, v1::TARGET_SOURCE_ALLOCATED);
  EXPECT_EQ(between.at(university_).figures.total(), 60);
  EXPECT_EQ(between.at(university_).allocation_decision, first.name());
  EXPECT_EQ(between.at(health_).source, v1::TARGET_SOURCE_NONE);
  EXPECT_EQ(between.at(cell_toan_).source, v1::TARGET_SOURCE_NONE);

  auto after = effective(absl::CivilDay(2022, 3, 1));
  EXPECT_EQ(after.at(university_).figures.total(), 40);
  EXPECT_EQ(after.at(university_).allocation_decision, second.name());
  EXPECT_EQ(after.at(health_).figures.total(), 10);
}

TEST_F(AllocationsTest, WithinTargetNowFollowsTheCommitteesTarget) {
  v1::AllocationDecision decision;
  ASSERT_TRUE(
      Create(Board(bloc_),
             Request(bloc_, D(2021, 2, 1), 0, {{university_, Figures(60)}}),
             &decision)
          .ok());
  v1::UpdateTermTargetRequest update;
  update.mutable_term_target()->set_name(
      absl::StrCat(bloc_, "/targets/2020-2025"));
  *update.mutable_term_target()->mutable_own() = Figures(50);
  update.mutable_update_mask()->add_paths("own");
  v1::TermTarget bloc_target;
  ASSERT_TRUE(
      targets_->UpdateTermTarget(As(Board(bloc_)).get(), update, &bloc_target)
          .ok());
  v1::GetAllocationDecisionRequest get;
  get.set_name(decision.name());
  v1::AllocationDecision got;
  ASSERT_TRUE(
      allocations_->GetAllocationDecision(As(Board(bloc_)).get(), get, &got)
          .ok());
  EXPECT_FALSE(got.within_target_now());
  EXPECT_EQ(got.committee_target().total(), 100);
}

TEST_F(AllocationsTest, YearlyAllocationsFillTheSubordinatesYearTargets) {
  v1::CreateYearTargetRequest year;
  year.set_parent(absl::StrCat(bloc_, "/targets/2020-2025"));
  year.set_year_target_id("2022");
  *year.mutable_year_target()->mutable_own() = Figures(25);
  v1::YearTarget bloc_year;
  ASSERT_TRUE(
      targets_->CreateYearTarget(As(Board(bloc_)).get(), year, &bloc_year)
          .ok());
  v1::AllocationDecision decision;
  grpc::Status s =
      Create(Board(bloc_),
             Request(bloc_, D(2022, 1, 10), 2022,
                     {{university_, Figures(15)}, {health_, Figures(10)}}),
             &decision);
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::GetYearTargetRequest get;
  get.set_name(absl::StrCat(university_, "/targets/2020-2025/years/2022"));
  v1::YearTarget university_year;
  ASSERT_TRUE(
      targets_->GetYearTarget(As(Admin()).get(), get, &university_year).ok());
  EXPECT_EQ(university_year.allocated().total(), 15);
  EXPECT_EQ(university_year.year(), 2022);
  EXPECT_EQ(university_year.effective_source(), v1::TARGET_SOURCE_ALLOCATED);
  // A term allocation is another period: it needs no supersedes.
  v1::AllocationDecision term_decision;
  s = Create(Board(bloc_),
             Request(bloc_, D(2022, 1, 10), 0, {{university_, Figures(50)}}),
             &term_decision);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(List(bloc_, "period.year = 2022").total_size(), 1);
}

TEST_F(AllocationsTest, ARetryWithTheSameRequestIdGetsTheFirstAnswer) {
  auto request = Request(bloc_, D(2021, 2, 1), 0, {{university_, Figures(60)}});
  request.set_request_id("0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d");
  v1::AllocationDecision first;
  ASSERT_TRUE(Create(Board(bloc_), request, &first).ok());
  v1::AllocationDecision again;
  grpc::Status s = Create(Board(bloc_), request, &again);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(again.name(), first.name());
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(List(bloc_).total_size(), 1);
}

// Two officers at once, `rounds` times: exactly one of each pair wins.
TEST_F(AllocationsTest, ConcurrentOfficersOneWinsAndTheSumHolds) {
  std::string active;
  int aborted = 0;
  for (int round = 0; round < 6; ++round) {
    std::vector<v1::CreateAllocationDecisionRequest> requests;
    for (int officer = 0; officer < 2; ++officer) {
      // Each officer alone would be within the target (100); both together
      // would not be (the active decision is replaced, not added to).
      requests.push_back(Request(bloc_, D(2021, 2, 1 + round), 0,
                                 {{university_, Figures(50 + officer * 10)},
                                  {health_, Figures(40 - officer * 10)}},
                                 active));
    }
    std::vector<grpc::Status> results(2);
    std::vector<v1::AllocationDecision> decisions(2);
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    for (int officer = 0; officer < 2; ++officer) {
      threads.emplace_back([&, officer] {
        auto context = As(Board(bloc_));
        ready.fetch_add(1);
        while (ready.load() < 2) {
        }
        results[officer] = allocations_->CreateAllocationDecision(
            context.get(), requests[officer], &decisions[officer]);
      });
    }
    for (auto& t : threads) t.join();
    int wins = 0;
    for (int officer = 0; officer < 2; ++officer) {
      if (results[officer].ok()) {
        ++wins;
        active = decisions[officer].name();
      } else {
        if (results[officer].error_code() == grpc::StatusCode::ABORTED) {
          ++aborted;
        }
        EXPECT_TRUE(results[officer].error_code() ==
                        grpc::StatusCode::ABORTED ||
                    results[officer].error_code() ==
                        grpc::StatusCode::FAILED_PRECONDITION)
            << results[officer].error_message();
      }
    }
    ASSERT_EQ(wins, 1) << "round " << round;
    // One active decision, and the subordinates' figures are its lines.
    EXPECT_EQ(List(bloc_, "state = STATE_ACTIVE").total_size(), 1);
    v1::TermTarget university;
    v1::TermTarget health;
    ASSERT_TRUE(TermTarget(university_, &university).ok());
    ASSERT_TRUE(TermTarget(health_, &health).ok());
    EXPECT_EQ(university.allocation_decision(), active);
    EXPECT_EQ(health.allocation_decision(), active);
    EXPECT_LE(university.allocated().total() + health.allocated().total(), 100);
  }
  EXPECT_EQ(List(bloc_).total_size(), 6);
  // How many losers lost at the commit (rather than on reading the winner's
  // decision): the atomic write's doing.
  RecordProperty("aborted_at_commit", aborted);
}

}  // namespace
}  // namespace partydev::quota
