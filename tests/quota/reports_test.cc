// ReportService's progress report, its CSV export and the lagging list, and
// AchievementService.ComputeYearResults, against a real quotad on a real
// Redis fed through membership's stream (tests/quota/quota_fixture.h).
//
// The term 2020-2025 runs 2020-10-01 .. 2025-09-30 (1826 days); the
// letter 1849-CV/ĐUK was written on 2023-09-17, past mid-term.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/csv.h"
#include "common/dates.h"
#include "common/errors.h"
#include "common/grpc_status.h"
#include "services/quota/domain/periods.h"
#include "tests/quota/quota_fixture.h"

namespace partydev::quota {
namespace {

constexpr common::v1::Category kStudent = common::v1::CATEGORY_STUDENT;
constexpr common::v1::Category kYouth = common::v1::CATEGORY_YOUTH_UNION_MEMBER;
constexpr char kTerm[] = "terms/2020-2025";

class ReportsTest : public QuotaFixture {
 protected:
  void SetUp() override {
    QuotaFixture::SetUp();
    MustCreateTerms();
  }

  common::v1::DecisionRef Resolution(const std::string& org) {
    common::v1::DecisionRef ref;
    ref.set_number(absl::StrCat(++resolution_, "-NQ/ĐH"));
    *ref.mutable_signed_on() = D(2020, 9, 1);
    ref.set_deciding_organization(org);
    return ref;
  }

  // Records `org`'s own term target (as an admin).
  void SetTermTarget(const std::string& org, int total,
                     std::map<common::v1::Category, int> categories = {}) {
    v1::CreateTermTargetRequest request;
    request.set_parent(org);
    request.set_term_target_id("2020-2025");
    v1::TargetFigures* own = request.mutable_term_target()->mutable_own();
    own->set_total(total);
    for (const auto& [c, n] : categories) {
      v1::CategoryFigure* f = own->add_categories();
      f->set_category(c);
      f->set_count(n);
    }
    *request.mutable_term_target()->mutable_resolution() = Resolution(org);
    v1::TermTarget target;
    grpc::Status s =
        targets_->CreateTermTarget(As(Admin()).get(), request, &target);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // Records `org`'s own target for `year` of the term.
  void SetYearTarget(const std::string& org, int year, int total) {
    v1::CreateYearTargetRequest request;
    request.set_parent(absl::StrCat(org, "/targets/2020-2025"));
    request.set_year_target_id(absl::StrCat(year));
    request.mutable_year_target()->mutable_own()->set_total(total);
    v1::YearTarget target;
    grpc::Status s =
        targets_->CreateYearTarget(As(Admin()).get(), request, &target);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // `n` admissions in `cell` on `on`, each with `categories`.
  void Admit(const std::string& cell, int n, const common::v1::Date& on,
             std::vector<common::v1::Category> categories = {}) {
    for (int i = 0; i < n; ++i) {
      PublishAdmission(cell, absl::StrCat("people/p", ++person_), on,
                       categories);
    }
  }

  // Publishes OrganizationCreated of a node outside the fixture's tree
  // (`path` root first, ending with it).
  void AddOrganization(const std::vector<std::string>& path,
                       const std::string& display_name, const std::string& kind,
                       const std::string& level,
                       std::vector<common::v1::SectorTag> tags = {}) {
    events::v1::Event event;
    *event.mutable_act_date() = D(2015, 1, 1);
    for (const auto& p : path) event.add_organization_path(p);
    auto* org = event.mutable_organization_created()->mutable_organization();
    org->set_name(path.back());
    org->set_parent(path.size() > 1 ? path[path.size() - 2] : "");
    org->set_display_name(display_name);
    org->set_kind(kind);
    org->set_level(level);
    org->set_is_party_organization(true);
    for (auto t : tags) org->add_sector_tags(t);
    *org->mutable_valid_from() = D(2015, 1, 1);
    Publish(std::move(event));
  }

  v1::ComputeProgressRequest ProgressRequest(
      const std::string& name, const common::v1::Date& as_of,
      v1::OrganizationScope scope = v1::ORGANIZATION_SCOPE_UNSPECIFIED) {
    v1::ComputeProgressRequest request;
    request.set_name(name);
    request.mutable_period()->set_term(kTerm);
    *request.mutable_as_of() = as_of;
    request.set_scope(scope);
    return request;
  }

  v1::ProgressReport MustProgress(const v1::ComputeProgressRequest& request,
                                  const Caller& caller) {
    v1::ProgressReport report;
    grpc::Status s =
        reports_->ComputeProgress(As(caller).get(), request, &report);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return report;
  }

  static const v1::ProgressRow* RowOf(const v1::ProgressReport& report,
                                      const std::string& org) {
    for (const auto& row : report.rows()) {
      if (row.organization().name() == org) return &row;
    }
    return nullptr;
  }

  static double ShareOn(const common::v1::Date& as_of) {
    const domain::PeriodSpan span{absl::CivilDay(2020, 10, 1),
                                  absl::CivilDay(2025, 9, 30)};
    return static_cast<double>(CivilDayOf(as_of) - span.start + 1) /
           span.Days();
  }

  // The letter's scenario: the university (target 20) admitted 4 (one
  // student), the health department (target 10) admitted 6.
  void LetterScenario() {
    SetTermTarget(university_, 20);
    SetTermTarget(health_, 10);
    SetTermTarget(bloc_, 40);
    Admit(cell_toan_, 3, D(2022, 3, 10));
    Admit(cell_van_, 1, D(2023, 4, 2), {kStudent});
    Admit(cell_health_, 6, D(2022, 11, 20));
    Drain();
  }

  int resolution_ = 0;
  int person_ = 0;
};

TEST_F(ReportsTest, LetterScenarioBelowHalfPastMidTerm) {
  LetterScenario();
  const common::v1::Date as_of = D(2023, 9, 17);
  v1::ProgressReport report =
      MustProgress(ProgressRequest(bloc_, as_of), Reader(bloc_));
  ASSERT_EQ(report.rows_size(), 2);
  EXPECT_EQ(report.total_size(), 2);
  EXPECT_EQ(report.root().organization().name(), bloc_);
  EXPECT_EQ(report.root().admitted(), 10);
  EXPECT_EQ(report.root().target(), 40);
  EXPECT_EQ(report.period().term(), kTerm);
  EXPECT_EQ(report.term_display_name(), "Nhiệm kỳ 2020–2025");
  EXPECT_EQ(CivilDayOf(report.period_start()), absl::CivilDay(2020, 10, 1));
  EXPECT_EQ(CivilDayOf(report.period_end()), absl::CivilDay(2025, 9, 30));
  EXPECT_DOUBLE_EQ(report.elapsed_share(), ShareOn(as_of));
  EXPECT_GT(report.elapsed_share(), 0.5);
  EXPECT_EQ(report.thresholds().lagging_rate(), 0.5);
  EXPECT_EQ(report.rule_set(), "quotaRuleSets/default");
  EXPECT_TRUE(report.has_compute_time());

  const v1::ProgressRow* university = RowOf(report, university_);
  ASSERT_NE(university, nullptr);
  EXPECT_EQ(university->target(), 20);
  EXPECT_EQ(university->target_source(), v1::TARGET_SOURCE_OWN);
  EXPECT_EQ(university->admitted(), 4);
  EXPECT_DOUBLE_EQ(university->rate(), 0.2);
  EXPECT_EQ(university->remaining(), 16);
  EXPECT_EQ(university->status(), v1::PROGRESS_STATUS_BELOW_HALF);
  EXPECT_EQ(university->organization().ancestors_size(), 2);
  EXPECT_EQ(university->organization().relative_depth(), 1);
  const v1::ProgressRow* health = RowOf(report, health_);
  ASSERT_NE(health, nullptr);
  EXPECT_EQ(health->admitted(), 6);
  EXPECT_EQ(health->status(), v1::PROGRESS_STATUS_ON_TRACK);
  // Ranked among the bloc's subordinates: health first.
  EXPECT_EQ(health->rank(), 1);
  EXPECT_EQ(university->rank(), 2);
  EXPECT_EQ(university->ranked_siblings(), 2);

  // The lagging list the letter was written from: the university, below
  // 50% and with few students.
  v1::FindLaggingOrganizationsRequest find;
  find.set_name(bloc_);
  find.mutable_period()->set_term(kTerm);
  *find.mutable_as_of() = as_of;
  v1::LaggingList list;
  grpc::Status s =
      reports_->FindLaggingOrganizations(As(Reader(bloc_)).get(), find, &list);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(list.organizations_size(), 1);
  EXPECT_EQ(list.total_size(), 1);
  EXPECT_EQ(list.evaluated_count(), 2);
  const v1::LaggingOrganization& lagging = list.organizations(0);
  EXPECT_EQ(lagging.organization().name(), university_);
  EXPECT_EQ(lagging.organization().display_name(),
            "Đảng bộ Trường Đại học Đà Lạt");
  ASSERT_EQ(lagging.reasons_size(), 2);
  EXPECT_EQ(lagging.reasons(0), v1::LAGGING_REASON_BELOW_THRESHOLD);
  EXPECT_EQ(lagging.reasons(1), v1::LAGGING_REASON_STUDENTS_LOW);
  EXPECT_TRUE(lagging.college_or_university());
  EXPECT_DOUBLE_EQ(lagging.student_share(), 0.25);
  EXPECT_EQ(lagging.students().admitted(), 1);
  EXPECT_EQ(lagging.students().status(), v1::PROGRESS_STATUS_NO_TARGET);
  EXPECT_EQ(list.root().name(), bloc_);
  EXPECT_EQ(list.thresholds().lagging_rate(), 0.5);
  EXPECT_DOUBLE_EQ(list.university_min_student_share(), 0.3);
  EXPECT_TRUE(list.checkpoint().empty());

  // Before mid-term the same figures are only behind.
  *find.mutable_as_of() = D(2023, 3, 1);
  s = reports_->FindLaggingOrganizations(As(Reader(bloc_)).get(), find, &list);
  ASSERT_TRUE(s.ok()) << s.error_message();
  for (const auto& o : list.organizations()) {
    for (int r : o.reasons()) EXPECT_NE(r, v1::LAGGING_REASON_BELOW_THRESHOLD);
  }
  find.set_include_behind(true);
  s = reports_->FindLaggingOrganizations(As(Reader(bloc_)).get(), find, &list);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_GE(list.organizations_size(), 1);
  EXPECT_EQ(list.organizations(0).organization().name(), university_);
  EXPECT_EQ(list.organizations(0).status(), v1::PROGRESS_STATUS_BEHIND);
}

TEST_F(ReportsTest, UniversityWithFewStudentsIsFlagged) {
  // Above half of its target, but one student in six admissions (under
  // the rule set's 30%).
  SetTermTarget(university_, 10);
  Admit(cell_toan_, 5, D(2022, 3, 10));
  Admit(cell_van_, 1, D(2022, 4, 2), {kStudent});
  Drain();
  v1::FindLaggingOrganizationsRequest find;
  find.set_name(bloc_);
  find.mutable_period()->set_term(kTerm);
  *find.mutable_as_of() = D(2023, 9, 17);
  v1::LaggingList list;
  grpc::Status s =
      reports_->FindLaggingOrganizations(As(Reader(bloc_)).get(), find, &list);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(list.organizations_size(), 1);
  ASSERT_EQ(list.organizations(0).reasons_size(), 1);
  EXPECT_EQ(list.organizations(0).reasons(0), v1::LAGGING_REASON_STUDENTS_LOW);
  EXPECT_NEAR(list.organizations(0).student_share(), 1.0 / 6, 1e-12);

  // A filter on the reasons.
  find.set_filter("reasons:LAGGING_REASON_BELOW_THRESHOLD");
  s = reports_->FindLaggingOrganizations(As(Reader(bloc_)).get(), find, &list);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(list.organizations_size(), 0);
}

TEST_F(ReportsTest, StudentSubTargetBelowThresholdIsStudentsLow) {
  SetTermTarget(university_, 10, {{kStudent, 6}});
  Admit(cell_toan_, 4, D(2022, 3, 10));
  Admit(cell_van_, 2, D(2022, 4, 2), {kStudent});
  Drain();
  v1::FindLaggingOrganizationsRequest find;
  find.set_name(bloc_);
  find.mutable_period()->set_term(kTerm);
  *find.mutable_as_of() = D(2023, 9, 17);
  v1::LaggingList list;
  grpc::Status s =
      reports_->FindLaggingOrganizations(As(Reader(bloc_)).get(), find, &list);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(list.organizations_size(), 1);
  const v1::LaggingOrganization& o = list.organizations(0);
  ASSERT_EQ(o.reasons_size(), 1);
  EXPECT_EQ(o.reasons(0), v1::LAGGING_REASON_STUDENTS_LOW);
  EXPECT_EQ(o.students().target(), 6);
  EXPECT_EQ(o.students().admitted(), 2);
  EXPECT_EQ(o.students().status(), v1::PROGRESS_STATUS_BELOW_HALF);
}

TEST_F(ReportsTest, ForecastAndExpectedAreExact) {
  SetTermTarget(university_, 30);
  Admit(cell_toan_, 7, D(2021, 6, 1));
  Drain();
  const common::v1::Date as_of = D(2022, 10, 1);
  v1::ProgressReport report = MustProgress(
      ProgressRequest(university_, as_of, v1::ORGANIZATION_SCOPE_SELF),
      Reader(university_));
  EXPECT_EQ(report.rows_size(), 0);
  const v1::ProgressRow& row = report.root();
  const double share = ShareOn(as_of);
  EXPECT_DOUBLE_EQ(report.elapsed_share(), share);
  EXPECT_DOUBLE_EQ(row.expected_by_now(), 30 * share);
  EXPECT_DOUBLE_EQ(row.gap_to_expected(), 7 - 30 * share);
  EXPECT_DOUBLE_EQ(row.forecast(), 7 / share);
  EXPECT_DOUBLE_EQ(row.forecast_rate(), 7 / share / 30);
  const double months_left = static_cast<double>(absl::CivilDay(2025, 9, 30) -
                                                 absl::CivilDay(2022, 10, 1)) /
                             (365.25 / 12);
  EXPECT_DOUBLE_EQ(row.required_per_month(), 23 / months_left);
  // 7/30 = 23.3% at 40% of the term: behind, not yet below half.
  EXPECT_EQ(row.status(), v1::PROGRESS_STATUS_BEHIND);
}

TEST_F(ReportsTest, AsOfInThePastExcludesLaterAdmissions) {
  SetTermTarget(health_, 10);
  Admit(cell_health_, 1, D(2022, 5, 1));
  Admit(cell_health_, 2, D(2023, 5, 1));
  Admit(cell_health_, 4, D(2019, 5, 1));  // before the term
  Drain();
  v1::ProgressReport before = MustProgress(
      ProgressRequest(health_, D(2022, 12, 31), v1::ORGANIZATION_SCOPE_SELF),
      Reader(health_));
  EXPECT_EQ(before.root().admitted(), 1);
  v1::ProgressReport after = MustProgress(
      ProgressRequest(health_, D(2023, 12, 31), v1::ORGANIZATION_SCOPE_SELF),
      Reader(health_));
  EXPECT_EQ(after.root().admitted(), 3);
  // A year of the term counts that year only.
  v1::ComputeProgressRequest year =
      ProgressRequest(health_, D(2023, 12, 31), v1::ORGANIZATION_SCOPE_SELF);
  year.mutable_period()->set_year(2023);
  v1::ProgressReport y = MustProgress(year, Reader(health_));
  EXPECT_EQ(y.root().admitted(), 2);
  EXPECT_EQ(y.elapsed_share(), 1);
}

TEST_F(ReportsTest, RankAmongAllSiblingsWithTies) {
  // Four grassroots organisations under the bloc: the university and
  // health department, and two more.
  const std::string a = "organizations/so-gd";
  const std::string b = "organizations/so-tc";
  AddOrganization({province_, bloc_, a}, "Đảng bộ Sở Giáo dục",
                  "GRASSROOTS_COMMITTEE", "GRASSROOTS");
  AddOrganization({province_, bloc_, b}, "Đảng bộ Sở Tài chính",
                  "GRASSROOTS_COMMITTEE", "GRASSROOTS");
  Drain();
  SetTermTarget(university_, 10);
  SetTermTarget(health_, 10);
  SetTermTarget(a, 20);
  // b has no target: not ranked.
  Admit(cell_toan_, 5, D(2022, 3, 1));
  Admit(cell_health_, 5, D(2022, 3, 1));
  Drain();
  // a: 0 of 20.
  v1::ComputeProgressRequest request =
      ProgressRequest(bloc_, D(2023, 9, 17), v1::ORGANIZATION_SCOPE_SUBTREE);
  request.set_page_size(2);
  request.set_order_by("rank");
  v1::ProgressReport first = MustProgress(request, Reader(bloc_));
  EXPECT_EQ(first.total_size(),
            7);  // university, 2 cells, health, 1 cell, a, b
  ASSERT_EQ(first.rows_size(), 2);
  // The university and the health department tie for first.
  EXPECT_EQ(first.rows(0).rank(), 1);
  EXPECT_EQ(first.rows(1).rank(), 1);
  EXPECT_EQ(first.rows(0).ranked_siblings(), 3);
  ASSERT_FALSE(first.next_page_token().empty());
  // The root row is on every page.
  request.set_page_token(first.next_page_token());
  v1::ProgressReport second = MustProgress(request, Reader(bloc_));
  EXPECT_EQ(second.root().organization().name(), bloc_);
  ASSERT_EQ(second.rows_size(), 2);
  EXPECT_EQ(second.rows(0).organization().name(), a);
  EXPECT_EQ(second.rows(0).rank(), 3);
  EXPECT_EQ(second.rows(0).ranked_siblings(), 3);

  // A page of one still ranks against every sibling.
  v1::ComputeProgressRequest direct = ProgressRequest(bloc_, D(2023, 9, 17));
  direct.set_page_size(1);
  direct.set_order_by("rate");
  v1::ProgressReport one = MustProgress(direct, Reader(bloc_));
  ASSERT_EQ(one.rows_size(), 1);
  EXPECT_EQ(one.rows(0).organization().name(), a);
  EXPECT_EQ(one.rows(0).rank(), 3);
  // The path order is the default; b (no target) is unranked.
  direct.set_page_size(10);
  direct.clear_order_by();
  v1::ProgressReport all = MustProgress(direct, Reader(bloc_));
  ASSERT_EQ(all.rows_size(), 4);
  const v1::ProgressRow* rb = RowOf(all, b);
  ASSERT_NE(rb, nullptr);
  EXPECT_EQ(rb->rank(), 0);
  EXPECT_EQ(rb->status(), v1::PROGRESS_STATUS_NO_TARGET);
  // A token with other parameters is refused.
  direct.set_page_size(1);
  v1::ProgressReport page = MustProgress(direct, Reader(bloc_));
  direct.set_page_token(page.next_page_token());
  direct.set_order_by("rate desc");
  v1::ProgressReport bad;
  grpc::Status s =
      reports_->ComputeProgress(As(Reader(bloc_)).get(), direct, &bad);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ReportsTest, PerCategoryBreakdown) {
  SetTermTarget(university_, 20, {{kStudent, 10}});
  Admit(cell_toan_, 3, D(2022, 3, 1), {kStudent});
  Admit(cell_van_, 1, D(2022, 3, 1), {kYouth});
  Admit(cell_van_, 1, D(2022, 3, 1), {kStudent, kYouth});
  Drain();
  v1::ProgressReport report = MustProgress(
      ProgressRequest(university_, D(2023, 9, 17)), Reader(university_));
  const v1::ProgressRow& root = report.root();
  EXPECT_EQ(root.admitted(), 5);
  ASSERT_EQ(root.categories_size(), 2);
  const v1::CategoryProgress& students = root.categories(0);
  EXPECT_EQ(students.category(), kStudent);
  EXPECT_EQ(students.target(), 10);
  EXPECT_EQ(students.admitted(), 4);
  EXPECT_DOUBLE_EQ(students.rate(), 0.4);
  EXPECT_EQ(students.remaining(), 6);
  EXPECT_DOUBLE_EQ(students.expected_by_now(), 10 * ShareOn(D(2023, 9, 17)));
  EXPECT_EQ(students.status(), v1::PROGRESS_STATUS_BELOW_HALF);
  const v1::CategoryProgress& youth = root.categories(1);
  EXPECT_EQ(youth.category(), kYouth);
  EXPECT_EQ(youth.target(), 0);
  EXPECT_EQ(youth.admitted(), 2);
  EXPECT_EQ(youth.status(), v1::PROGRESS_STATUS_NO_TARGET);
  // Each row carries the same categories.
  ASSERT_EQ(report.rows_size(), 2);
  const v1::ProgressRow* toan = RowOf(report, cell_toan_);
  ASSERT_NE(toan, nullptr);
  ASSERT_EQ(toan->categories_size(), 2);
  EXPECT_EQ(toan->categories(0).admitted(), 3);
  // Only the categories asked.
  v1::ComputeProgressRequest asked =
      ProgressRequest(university_, D(2023, 9, 17));
  asked.add_categories(kYouth);
  v1::ProgressReport only = MustProgress(asked, Reader(university_));
  ASSERT_EQ(only.root().categories_size(), 1);
  EXPECT_EQ(only.root().categories(0).category(), kYouth);
}

TEST_F(ReportsTest, CallerOutsideTheSubtreeIsRefused) {
  v1::ProgressReport report;
  grpc::Status s = reports_->ComputeProgress(
      As(Board(other_province_)).get(), ProgressRequest(bloc_, D(2023, 9, 17)),
      &report);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // A cell cannot read its superior's report either.
  s = reports_->ComputeProgress(As(Reader(cell_toan_)).get(),
                                ProgressRequest(university_, D(2023, 9, 17)),
                                &report);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::FindLaggingOrganizationsRequest find;
  find.set_name(province_);
  find.mutable_period()->set_term(kTerm);
  v1::LaggingList list;
  s = reports_->FindLaggingOrganizations(As(Reader(other_province_)).get(),
                                         find, &list);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ReportsTest, BadThresholdsAreInvalidArgument) {
  v1::ComputeProgressRequest request = ProgressRequest(bloc_, D(2023, 9, 17));
  request.mutable_thresholds()->set_lagging_rate(1.5);
  v1::ProgressReport report;
  grpc::Status s =
      reports_->ComputeProgress(As(Reader(bloc_)).get(), request, &report);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "lagging_rate") ||
              absl::StrContains(s.error_details(), "thresholds.lagging_rate"))
      << s.error_message();
  // An override in range applies.
  SetTermTarget(health_, 10);
  Admit(cell_health_, 6, D(2022, 3, 1));
  Drain();
  request.mutable_thresholds()->set_lagging_rate(0.7);
  report = MustProgress(request, Reader(bloc_));
  EXPECT_EQ(report.thresholds().lagging_rate(), 0.7);
  EXPECT_EQ(report.thresholds().on_track_ratio(), 0.9);
  EXPECT_EQ(RowOf(report, health_)->status(), v1::PROGRESS_STATUS_BELOW_HALF);
  // Other bad requests.
  request.clear_thresholds();
  request.set_page_size(-1);
  s = reports_->ComputeProgress(As(Reader(bloc_)).get(), request, &report);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  request.set_page_size(0);
  request.set_order_by("name");
  s = reports_->ComputeProgress(As(Reader(bloc_)).get(), request, &report);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  request.clear_order_by();
  request.mutable_period()->clear_term();
  s = reports_->ComputeProgress(As(Reader(bloc_)).get(), request, &report);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

// Reads a whole export; checks every chunk's framing.
struct Export {
  std::vector<v1::CsvChunk> chunks;
  std::string data;
};

TEST_F(ReportsTest, CsvExportParsesBack) {
  // Enough organisations for several 64 KiB chunks.
  const int kCells = 800;
  for (int i = 0; i < kCells; ++i) {
    AddOrganization(
        {province_, bloc_, health_, absl::StrCat("organizations/cb-", i)},
        absl::StrCat("Chi bộ \"số\" ", i, ", Sở Y tế"), "CELL", "CELL",
        {common::v1::SECTOR_TAG_STATE_AGENCY});
  }
  Drain();
  SetTermTarget(health_, 10, {{kStudent, 2}});
  Admit(cell_health_, 3, D(2022, 3, 1), {kStudent});
  Drain();

  v1::ExportProgressRequest request;
  request.set_name(bloc_);
  request.mutable_period()->set_term(kTerm);
  *request.mutable_as_of() = D(2023, 9, 17);
  request.set_scope(v1::ORGANIZATION_SCOPE_SUBTREE);
  request.set_byte_order_mark(true);
  auto context = As(Reader(bloc_));
  auto reader = reports_->ExportProgress(context.get(), request);
  Export e;
  v1::CsvChunk chunk;
  while (reader->Read(&chunk)) e.chunks.push_back(chunk);
  grpc::Status s = reader->Finish();
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_GE(e.chunks.size(), 2u);
  int rows = 0;
  for (size_t i = 0; i < e.chunks.size(); ++i) {
    const v1::CsvChunk& c = e.chunks[i];
    EXPECT_EQ(c.index(), static_cast<int>(i));
    EXPECT_LE(c.data().size(), 64u * 1024);
    EXPECT_TRUE(absl::EndsWith(c.data(), "\r\n")) << "chunk " << i;
    EXPECT_EQ(c.last(), i + 1 == e.chunks.size());
    EXPECT_EQ(c.file_name().empty(), i != 0);
    EXPECT_EQ(c.has_metadata(), i == 0);
    rows += c.row_count();
    e.data += c.data();
  }
  EXPECT_EQ(e.chunks[0].file_name(),
            "tien-do-ket-nap_2020-2025_2023-09-17.csv");
  EXPECT_EQ(e.chunks[0].metadata().period().term(), kTerm);
  EXPECT_EQ(e.chunks[0].metadata().rows_size(), 0);
  ASSERT_TRUE(absl::StartsWith(e.data, csv::kUtf8Bom));
  absl::StatusOr<std::vector<csv::Record>> records = csv::Parse(e.data);
  ASSERT_TRUE(records.ok()) << records.status();
  // Header, the root, the bloc's subtree: university + 2 cells, health +
  // its cell + the new cells.
  const int expected_rows = 1 + 3 + 2 + kCells;
  EXPECT_EQ(rows, expected_rows);
  ASSERT_EQ(static_cast<int>(records->size()), expected_rows + 1);
  const std::vector<std::string>& header = (*records)[0].fields;
  EXPECT_EQ(header[1], "Tổ chức đảng");
  EXPECT_EQ(header[6], "Chỉ tiêu");
  EXPECT_EQ(header[8], "Đã kết nạp");
  EXPECT_EQ(header.back(), "Học sinh, sinh viên - Tỷ lệ (%)");
  EXPECT_EQ((*records)[1].fields[0], bloc_);  // the root first
  for (const auto& r : *records) EXPECT_EQ(r.fields.size(), header.size());
  bool found = false;
  for (const auto& r : *records) {
    if (r.fields[0] == health_) {
      found = true;
      EXPECT_EQ(r.fields[6], "10");
      EXPECT_EQ(r.fields[8], "3");
      EXPECT_EQ(r.fields[10], "30.0");
    }
    if (r.fields[0] == "organizations/cb-7") {
      EXPECT_EQ(r.fields[1], "Chi bộ \"số\" 7, Sở Y tế");
    }
  }
  EXPECT_TRUE(found);

  // English headers, no BOM.
  request.set_byte_order_mark(false);
  request.set_header_language(
      v1::ExportProgressRequest::HEADER_LANGUAGE_ENGLISH);
  request.set_scope(v1::ORGANIZATION_SCOPE_UNSPECIFIED);
  auto context2 = As(Reader(bloc_));
  auto reader2 = reports_->ExportProgress(context2.get(), request);
  std::string data;
  while (reader2->Read(&chunk)) data += chunk.data();
  ASSERT_TRUE(reader2->Finish().ok());
  EXPECT_TRUE(absl::StartsWith(data, "Organization,Display name,Parent"));
  records = csv::Parse(data);
  ASSERT_TRUE(records.ok());
  EXPECT_EQ(records->size(), 1u + 1 + 2);  // header, root, 2 subordinates

  // Refused outside the subtree.
  auto context3 = As(Reader(other_province_));
  auto reader3 = reports_->ExportProgress(context3.get(), request);
  while (reader3->Read(&chunk)) {
  }
  EXPECT_EQ(reader3->Finish().error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ReportsTest, CandidatePoolAgainstAdmissions) {
  // Six candidates passed the training class in the mathematics cell; one
  // person was admitted there.
  for (int i = 0; i < 6; ++i) {
    const std::string person = absl::StrCat("people/c", i);
    PublishStage(cell_toan_, person, common::v1::STAGE_UNSPECIFIED,
                 common::v1::STAGE_SOURCED, D(2021, 5, 1));
    PublishStage(cell_toan_, person, common::v1::STAGE_SOURCED,
                 common::v1::STAGE_TRAINING_PASSED, D(2022, 1, 10));
  }
  Admit(cell_toan_, 1, D(2022, 6, 1));
  Drain();
  v1::ComputeCandidatePoolRequest request;
  request.set_name(university_);
  request.mutable_period()->set_term(kTerm);
  *request.mutable_as_of() = D(2023, 9, 17);
  v1::CandidatePoolReport report;
  grpc::Status s = reports_->ComputeCandidatePool(As(Reader(university_)).get(),
                                                  request, &report);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(report.root().organization().name(), university_);
  EXPECT_EQ(report.root().certified_pool(), 6);
  ASSERT_EQ(report.rows_size(), 2);
  const v1::CandidatePoolRow& toan = report.rows(0);
  EXPECT_EQ(toan.organization().name(), cell_toan_);
  EXPECT_EQ(toan.pool_size(), 6);
  EXPECT_EQ(toan.certified_pool(), 6);
  EXPECT_EQ(toan.admitted(), 1);
  EXPECT_DOUBLE_EQ(toan.admission_to_pool_ratio(), 1.0 / 7);
  EXPECT_TRUE(toan.low_conversion());  // under 20% with a pool of 5 or more
  EXPECT_FALSE(report.rows(1).low_conversion());
  EXPECT_EQ(report.low_conversion_ratio(), 0.2);
  EXPECT_EQ(report.min_pool_size(), 5);
  EXPECT_TRUE(toan.plan().empty());
  // A year report carries the actual figures of the year.
  request.mutable_period()->set_year(2022);
  request.set_filter("low_conversion = true");
  s = reports_->ComputeCandidatePool(As(Reader(university_)).get(), request,
                                     &report);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(report.rows_size(), 1);
  EXPECT_EQ(report.rows(0).actual().admitted(), 1);
  // Refused outside the subtree.
  s = reports_->ComputeCandidatePool(As(Reader(other_province_)).get(), request,
                                     &report);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ReportsTest, YearResultsRankAndFlag) {
  const std::string a = "organizations/so-gd";
  AddOrganization({province_, bloc_, a}, "Đảng bộ Sở Giáo dục",
                  "GRASSROOTS_COMMITTEE", "GRASSROOTS");
  Drain();
  SetYearTarget(university_, 2023, 10);
  SetYearTarget(health_, 2023, 10);
  SetYearTarget(a, 2023, 4);
  Admit(cell_health_, 8, D(2023, 3, 1));
  Admit(cell_toan_, 3, D(2023, 6, 1));
  Admit(cell_toan_, 5, D(2022, 6, 1));  // another year
  Drain();
  // a: 0 of 4; university 3 of 10; health 8 of 10.
  v1::ComputeYearResultsRequest request;
  request.set_name(bloc_);
  request.set_year(2023);
  request.set_commend_top(1);
  request.set_correct_bottom(1);
  v1::YearResults results;
  grpc::Status s = achievements_->ComputeYearResults(As(Reader(bloc_)).get(),
                                                     request, &results);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(results.term(), kTerm);
  EXPECT_EQ(results.year(), 2023);
  EXPECT_EQ(CivilDayOf(results.as_of()), absl::CivilDay(2023, 12, 31));
  EXPECT_EQ(results.min_completion_rate(), 0.5);
  ASSERT_EQ(results.rows_size(), 3);
  EXPECT_EQ(results.total_size(), 3);
  EXPECT_EQ(results.rows(0).organization().name(), health_);
  EXPECT_EQ(results.rows(0).rank(), 1);
  EXPECT_EQ(results.rows(0).admitted(), 8);
  EXPECT_EQ(results.rows(0).recognition(), v1::RECOGNITION_COMMEND);
  EXPECT_FALSE(results.rows(0).below_completion_threshold());
  EXPECT_EQ(results.rows(1).organization().name(), university_);
  EXPECT_EQ(results.rows(1).admitted(), 3);
  EXPECT_EQ(results.rows(1).rank(), 2);
  EXPECT_EQ(results.rows(1).recognition(), v1::RECOGNITION_NONE);
  EXPECT_TRUE(results.rows(1).below_completion_threshold());
  EXPECT_EQ(results.rows(2).organization().name(), a);
  EXPECT_EQ(results.rows(2).rank(), 3);
  EXPECT_EQ(results.rows(2).ranked_count(), 3);
  EXPECT_EQ(results.rows(2).recognition(), v1::RECOGNITION_CORRECT);
  EXPECT_EQ(results.rows(2).status(), v1::PROGRESS_STATUS_BELOW_HALF);
  // Paging keeps the ranking of all rows.
  request.set_page_size(2);
  s = achievements_->ComputeYearResults(As(Reader(bloc_)).get(), request,
                                        &results);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(results.rows_size(), 2);
  request.set_page_token(results.next_page_token());
  s = achievements_->ComputeYearResults(As(Reader(bloc_)).get(), request,
                                        &results);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(results.rows_size(), 1);
  EXPECT_EQ(results.rows(0).organization().name(), a);
  EXPECT_TRUE(results.next_page_token().empty());
  // A year no term overlaps.
  request.clear_page_token();
  request.set_year(2040);
  s = achievements_->ComputeYearResults(As(Reader(bloc_)).get(), request,
                                        &results);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // Refused outside the subtree.
  request.set_year(2023);
  s = achievements_->ComputeYearResults(As(Reader(other_province_)).get(),
                                        request, &results);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace partydev::quota
