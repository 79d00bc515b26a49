// Admissions counted from membership's events (the admissions projection,
// services/quota/admission_ledger.h) and AchievementService's
// QueryAchievements, GetAdmissionRecord and ListAdmissionRecords, against a
// real quotad on a real Redis fed through membership's stream.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/change.h"
#include "common/dates.h"
#include "common/ids.h"
#include "common/streams.h"
#include "services/quota/admission_ledger.h"
#include "services/quota/domain/rule_sets.h"
#include "tests/quota/quota_fixture.h"

namespace partydev::quota {
namespace {

constexpr common::v1::Category kStudent = common::v1::CATEGORY_STUDENT;
constexpr common::v1::Category kYouth = common::v1::CATEGORY_YOUTH_UNION_MEMBER;
constexpr common::v1::Category kMedical = common::v1::CATEGORY_MEDICAL_STAFF;

class AchievementsTest : public QuotaFixture {
 protected:
  v1::AchievementCounts MustQuery(
      const std::string& name, int year, const common::v1::Date& as_of,
      v1::OrganizationScope scope = v1::ORGANIZATION_SCOPE_UNSPECIFIED,
      bool by_category = false, const std::string& term = "") {
    v1::QueryAchievementsRequest request;
    request.set_name(name);
    request.set_year(year);
    *request.mutable_as_of() = as_of;
    request.set_scope(scope);
    request.set_by_category(by_category);
    request.set_term(term);
    request.set_page_size(1000);
    v1::AchievementCounts counts;
    grpc::Status s = achievements_->QueryAchievements(
        As(Reader(province_)).get(), request, &counts);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return counts;
  }
  // The row of `organization` for `year` (nullptr when absent).
  static const v1::AchievementRow* Row(const v1::AchievementCounts& counts,
                                       const std::string& organization,
                                       int year) {
    for (const auto& row : counts.rows()) {
      if (row.organization().name() == organization &&
          row.period().year() == year) {
        return &row;
      }
    }
    return nullptr;
  }
  static int Counted(const v1::AchievementCounts& counts,
                     const std::string& organization, int year) {
    const v1::AchievementRow* row = Row(counts, organization, year);
    return row == nullptr ? -1 : row->counted();
  }
  static const v1::CategoryAchievement* CategoryOf(
      const v1::AchievementRow& row, common::v1::Category category) {
    for (const auto& c : row.categories()) {
      if (c.category() == category) return &c;
    }
    return nullptr;
  }

  // The counters of the live projection summed over a span.
  CountSums Sums(const std::string& organization, const common::v1::Date& from,
                 const common::v1::Date& to) {
    auto counts = context_->projections().admissions()->Counts({organization});
    EXPECT_TRUE(counts.ok()) << counts.status();
    if (!counts.ok()) return {};
    return (*counts)[0].Sum(CivilDayOf(from), CivilDayOf(to));
  }

  // Publishes an OrganizationMoved of `organization` under `new_parent`.
  void PublishMove(const std::string& organization,
                   const std::string& new_parent, const std::string& old_parent,
                   const std::vector<std::string>& new_path,
                   const common::v1::Date& on) {
    events::v1::Event event;
    *event.mutable_act_date() = on;
    for (const auto& p : new_path) event.add_organization_path(p);
    auto* moved = event.mutable_organization_moved();
    moved->set_old_parent(old_parent);
    auto* org = moved->mutable_organization();
    org->set_name(organization);
    org->set_parent(new_parent);
    org->set_display_name("Chi bộ Khoa Văn");
    org->set_kind("CELL");
    org->set_level("CELL");
    org->set_is_party_organization(true);
    org->add_sector_tags(common::v1::SECTOR_TAG_UNIVERSITY);
    *org->mutable_valid_from() = on;
    Publish(std::move(event));
  }

  // Publishes MemberAdmitted with an explicit organisation path.
  events::v1::Event PublishAdmissionAt(const std::vector<std::string>& path,
                                       const std::string& person,
                                       const common::v1::Date& signed_on) {
    events::v1::Event event;
    *event.mutable_act_date() = signed_on;
    for (const auto& p : path) event.add_organization_path(p);
    auto* admitted = event.mutable_member_admitted();
    admitted->set_person(person);
    admitted->set_organization(path.back());
    admitted->mutable_decision()->set_number("99-QĐ/ĐU");
    *admitted->mutable_decision()->mutable_signed_on() = signed_on;
    return Publish(std::move(event));
  }

  v1::ListAdmissionRecordsResponse MustList(
      const Caller& caller, v1::ListAdmissionRecordsRequest request) {
    v1::ListAdmissionRecordsResponse response;
    grpc::Status s = achievements_->ListAdmissionRecords(As(caller).get(),
                                                         request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response;
  }
};

TEST_F(AchievementsTest, AdmissionsRollUpToEveryAncestor) {
  PublishAdmission(cell_toan_, "people/p1", D(2023, 5, 4));
  PublishAdmission(cell_toan_, "people/p2", D(2023, 6, 4));
  PublishAdmission(cell_health_, "people/p3", D(2023, 7, 4));
  Drain();

  // The counters, whatever the terms.
  const auto from = D(2023, 1, 1), to = D(2023, 12, 31);
  EXPECT_EQ(Sums(province_, from, to).admitted, 3);
  EXPECT_EQ(Sums(bloc_, from, to).counted, 3);
  EXPECT_EQ(Sums(university_, from, to).counted, 2);
  EXPECT_EQ(Sums(university_, from, to).admitted_here, 0);
  EXPECT_EQ(Sums(cell_toan_, from, to).admitted_here, 2);
  EXPECT_EQ(Sums(cell_van_, from, to).admitted, 0);
  EXPECT_EQ(Sums(health_, from, to).counted, 1);
  EXPECT_EQ(Sums(other_province_, from, to).admitted, 0);
  EXPECT_EQ(Sums(university_, D(2023, 5, 5), to).counted, 1);

  MustCreateTerms();
  v1::AchievementCounts counts = MustQuery(province_, 2023, D(2023, 12, 31),
                                           v1::ORGANIZATION_SCOPE_SUBTREE);
  ASSERT_EQ(counts.rows_size(), 7);
  EXPECT_EQ(counts.total_size(), 7);
  // Path order: the province, the bloc, the university and its cells...
  EXPECT_EQ(counts.rows(0).organization().name(), province_);
  EXPECT_EQ(counts.rows(1).organization().name(), bloc_);
  EXPECT_EQ(counts.rows(2).organization().name(), university_);
  EXPECT_EQ(counts.rows(2).organization().relative_depth(), 2);
  EXPECT_TRUE(counts.rows(2).organization().grassroots());
  EXPECT_EQ(Counted(counts, province_, 2023), 3);
  EXPECT_EQ(Counted(counts, bloc_, 2023), 3);
  EXPECT_EQ(Counted(counts, university_, 2023), 2);
  EXPECT_EQ(Counted(counts, cell_toan_, 2023), 2);
  EXPECT_EQ(Counted(counts, cell_van_, 2023), 0);
  EXPECT_EQ(Counted(counts, health_, 2023), 1);
  EXPECT_EQ(Counted(counts, cell_health_, 2023), 1);
  EXPECT_EQ(Row(counts, cell_toan_, 2023)->admitted_here(), 2);
  EXPECT_EQ(Row(counts, university_, 2023)->admitted_here(), 0);
  EXPECT_EQ(Row(counts, province_, 2023)->period().term(), "terms/2020-2025");
  EXPECT_EQ(counts.as_of().year(), 2023);

  // The default scope: the organisation and its direct subordinates.
  v1::AchievementCounts direct = MustQuery(bloc_, 2023, D(2023, 12, 31));
  ASSERT_EQ(direct.rows_size(), 3);
  EXPECT_EQ(direct.rows(0).organization().name(), bloc_);
  EXPECT_EQ(direct.rows(1).organization().name(), university_);
  EXPECT_EQ(direct.rows(2).organization().name(), health_);
  // Grassroots organisations in the subtree only.
  v1::AchievementCounts grassroots =
      MustQuery(province_, 2023, D(2023, 12, 31),
                v1::ORGANIZATION_SCOPE_GRASSROOTS_IN_SUBTREE);
  ASSERT_EQ(grassroots.rows_size(), 2);
  EXPECT_EQ(grassroots.rows(0).organization().name(), university_);
  EXPECT_EQ(grassroots.rows(1).organization().name(), health_);
  // Filtered on the organisation, and paged.
  v1::QueryAchievementsRequest request;
  request.set_name(province_);
  request.set_year(2023);
  *request.mutable_as_of() = D(2023, 12, 31);
  request.set_scope(v1::ORGANIZATION_SCOPE_SUBTREE);
  request.set_filter("organization.sector_tags:SECTOR_TAG_UNIVERSITY");
  request.set_page_size(2);
  std::vector<std::string> seen;
  for (int page = 0; page < 5; ++page) {
    v1::AchievementCounts got;
    grpc::Status s = achievements_->QueryAchievements(As(Reader(bloc_)).get(),
                                                      request, &got);
    ASSERT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    s = achievements_->QueryAchievements(As(Reader(province_)).get(), request,
                                         &got);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(got.total_size(), 3);
    for (const auto& row : got.rows()) {
      seen.push_back(row.organization().name());
    }
    if (got.next_page_token().empty()) break;
    request.set_page_token(got.next_page_token());
  }
  EXPECT_EQ(seen,
            (std::vector<std::string>{university_, cell_toan_, cell_van_}));
  // as_of before the second admission.
  v1::AchievementCounts early =
      MustQuery(university_, 2023, D(2023, 5, 31), v1::ORGANIZATION_SCOPE_SELF);
  ASSERT_EQ(early.rows_size(), 1);
  EXPECT_EQ(early.rows(0).counted(), 1);
}

TEST_F(AchievementsTest, CountsByCategory) {
  PublishAdmission(cell_toan_, "people/s1", D(2023, 3, 1), {kStudent, kYouth});
  PublishAdmission(cell_toan_, "people/s2", D(2023, 4, 1), {kStudent});
  PublishAdmission(cell_health_, "people/m1", D(2023, 4, 1), {kMedical});
  PublishAdmission(cell_health_, "people/x1", D(2023, 4, 2));
  Drain();
  MustCreateTerms();
  v1::AchievementCounts counts =
      MustQuery(bloc_, 2023, D(2023, 12, 31),
                v1::ORGANIZATION_SCOPE_DIRECT_SUBORDINATES, true);
  const v1::AchievementRow* bloc = Row(counts, bloc_, 2023);
  ASSERT_NE(bloc, nullptr);
  EXPECT_EQ(bloc->counted(), 4);
  ASSERT_EQ(bloc->categories_size(), 3);
  // By category number.
  EXPECT_EQ(bloc->categories(0).category(), kStudent);
  EXPECT_EQ(bloc->categories(0).admitted(), 2);
  EXPECT_EQ(bloc->categories(0).counted(), 2);
  EXPECT_EQ(CategoryOf(*bloc, kYouth)->admitted(), 1);
  EXPECT_EQ(CategoryOf(*bloc, kMedical)->admitted(), 1);
  const v1::AchievementRow* university = Row(counts, university_, 2023);
  ASSERT_NE(university, nullptr);
  EXPECT_EQ(CategoryOf(*university, kStudent)->counted(), 2);
  EXPECT_EQ(CategoryOf(*university, kMedical), nullptr);
  const v1::AchievementRow* health = Row(counts, health_, 2023);
  ASSERT_NE(health, nullptr);
  EXPECT_EQ(health->counted(), 2);
  ASSERT_EQ(health->categories_size(), 1);
  EXPECT_EQ(health->categories(0).category(), kMedical);
  // Without by_category: no breakdown.
  v1::AchievementCounts plain = MustQuery(bloc_, 2023, D(2023, 12, 31));
  EXPECT_EQ(Row(plain, bloc_, 2023)->categories_size(), 0);
}

TEST_F(AchievementsTest, CountsByYearAndTerm) {
  PublishAdmission(cell_toan_, "people/a", D(2020, 9, 30));  // previous term
  PublishAdmission(cell_toan_, "people/b", D(2020, 10, 1));  // first day
  PublishAdmission(cell_toan_, "people/c", D(2021, 6, 1));
  PublishAdmission(cell_van_, "people/d", D(2023, 2, 1));
  PublishAdmission(cell_van_, "people/e", D(2023, 8, 1));
  PublishAdmission(cell_toan_, "people/f", D(2025, 9, 30));  // last day
  PublishAdmission(cell_toan_, "people/g", D(2025, 10, 1));  // next term
  Drain();
  MustCreateTerms();

  // year 0: the term's total first, then every year of the term.
  v1::AchievementCounts counts =
      MustQuery(university_, 0, D(2025, 12, 31), v1::ORGANIZATION_SCOPE_SELF,
                false, "terms/2020-2025");
  ASSERT_EQ(counts.rows_size(), 7);
  EXPECT_EQ(counts.rows(0).period().year(), 0);
  EXPECT_EQ(counts.rows(0).period().term(), "terms/2020-2025");
  EXPECT_EQ(counts.rows(0).counted(), 5);
  const std::map<int, int> by_year = {{2020, 1}, {2021, 1}, {2022, 0},
                                      {2023, 2}, {2024, 0}, {2025, 1}};
  for (int i = 1; i < counts.rows_size(); ++i) {
    const int year = counts.rows(i).period().year();
    EXPECT_EQ(year, 2019 + i);
    EXPECT_EQ(counts.rows(i).counted(), by_year.at(year)) << year;
  }
  // The default term is the one containing as_of.
  v1::AchievementCounts next =
      MustQuery(university_, 0, D(2025, 12, 31), v1::ORGANIZATION_SCOPE_SELF);
  ASSERT_GE(next.rows_size(), 1);
  EXPECT_EQ(next.rows(0).period().term(), "terms/2025-2030");
  EXPECT_EQ(next.rows(0).counted(), 1);
  // One year of the term, clipped at as_of.
  v1::AchievementCounts mid =
      MustQuery(university_, 2023, D(2023, 6, 30), v1::ORGANIZATION_SCOPE_SELF);
  ASSERT_EQ(mid.rows_size(), 1);
  EXPECT_EQ(mid.rows(0).period().year(), 2023);
  EXPECT_EQ(mid.rows(0).counted(), 1);
  // Per organisation, rows by path then year: two organisations x 7.
  v1::AchievementCounts both = MustQuery(
      university_, 0, D(2025, 9, 30),
      v1::ORGANIZATION_SCOPE_DIRECT_SUBORDINATES, false, "terms/2020-2025");
  ASSERT_EQ(both.rows_size(), 21);
  EXPECT_EQ(both.rows(7).organization().name(), cell_toan_);
  EXPECT_EQ(both.rows(7).period().year(), 0);
  EXPECT_EQ(both.rows(7).counted(), 3);
  EXPECT_EQ(both.rows(14).organization().name(), cell_van_);
  EXPECT_EQ(both.rows(14).counted(), 2);

  // A year outside the term.
  v1::QueryAchievementsRequest bad;
  bad.set_name(university_);
  bad.set_term("terms/2020-2025");
  bad.set_year(2027);
  v1::AchievementCounts out;
  grpc::Status s =
      achievements_->QueryAchievements(As(Admin()).get(), bad, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << s.error_message();
  EXPECT_NE(s.error_message().find("quota.target.year_in_term"),
            std::string::npos)
      << s.error_message();
  bad.set_year(0);
  bad.set_term("terms/1990-1995");
  s = achievements_->QueryAchievements(As(Admin()).get(), bad, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << s.error_message();
}

TEST_F(AchievementsTest, AnOrganisationMovedKeepsItsEarnedCounts) {
  PublishAdmission(cell_van_, "people/v1", D(2023, 3, 1));
  Drain();
  // Khoa Văn moves from the university to Sở Y tế.
  PublishMove(cell_van_, health_, university_,
              {province_, bloc_, health_, cell_van_}, D(2023, 6, 1));
  PublishAdmissionAt({province_, bloc_, health_, cell_van_}, "people/v2",
                     D(2023, 9, 1));
  Drain();

  const auto from = D(2023, 1, 1), to = D(2023, 12, 31);
  EXPECT_EQ(Sums(university_, from, to).counted, 1);
  EXPECT_EQ(Sums(health_, from, to).counted, 1);
  EXPECT_EQ(Sums(cell_van_, from, to).counted, 2);
  EXPECT_EQ(Sums(bloc_, from, to).counted, 2);

  MustCreateTerms();
  v1::AchievementCounts counts =
      MustQuery(bloc_, 2023, D(2023, 12, 31), v1::ORGANIZATION_SCOPE_SUBTREE);
  // The university keeps the admission earned before the move.
  EXPECT_EQ(Counted(counts, university_, 2023), 1);
  EXPECT_EQ(Counted(counts, health_, 2023), 1);
  EXPECT_EQ(Counted(counts, cell_van_, 2023), 2);
  // Khoa Văn is under Sở Y tế now.
  const v1::AchievementRow* van = Row(counts, cell_van_, 2023);
  ASSERT_NE(van, nullptr);
  EXPECT_EQ(van->organization().parent(), health_);

  // The university still lists the record it earned.
  v1::ListAdmissionRecordsRequest list;
  list.set_parent(university_);
  v1::ListAdmissionRecordsResponse listed = MustList(Board(university_), list);
  ASSERT_EQ(listed.admission_records_size(), 1);
  EXPECT_EQ(listed.admission_records(0).person(), "people/v1");
  EXPECT_EQ(listed.admission_records(0).counted_organizations(2), university_);
  // ... and may read it, though Khoa Văn is no longer below it.
  v1::GetAdmissionRecordRequest get;
  get.set_name(listed.admission_records(0).name());
  v1::AdmissionRecord record;
  grpc::Status s = achievements_->GetAdmissionRecord(
      As(Reader(university_)).get(), get, &record);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

TEST_F(AchievementsTest, LedgerRecordsAndPaging) {
  std::vector<events::v1::Event> published;
  published.push_back(
      PublishAdmission(cell_toan_, "people/l1", D(2023, 1, 10), {kStudent}));
  published.push_back(
      PublishAdmission(cell_toan_, "people/l2", D(2023, 3, 10)));
  published.push_back(
      PublishAdmission(cell_van_, "people/l3", D(2023, 2, 10), {kStudent}));
  published.push_back(PublishAdmission(cell_van_, "people/l4", D(2024, 5, 10)));
  published.push_back(
      PublishAdmission(cell_health_, "people/l5", D(2023, 4, 10)));
  Drain();
  MustCreateTerms();

  // One record, fully.
  v1::GetAdmissionRecordRequest get;
  get.set_name(absl::StrCat(cell_toan_, "/admissionRecords/",
                            AdmissionRecordId(published[0].id())));
  v1::AdmissionRecord record;
  grpc::Status s = achievements_->GetAdmissionRecord(
      As(Reader(cell_toan_)).get(), get, &record);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(record.kind(), v1::AdmissionRecord::KIND_ADMISSION);
  EXPECT_EQ(record.event_id(), published[0].id());
  EXPECT_EQ(record.event_type(), "MemberAdmitted");
  EXPECT_FALSE(record.stream_entry_id().empty());
  EXPECT_EQ(record.person(), "people/l1");
  EXPECT_EQ(record.admission_decision().number(), "1-QĐ/ĐU");
  EXPECT_EQ(record.counted_on().year(), 2023);
  EXPECT_EQ(record.counted_on().month(), 1);
  EXPECT_EQ(record.counted_on().day(), 10);
  EXPECT_EQ(record.applies_to().year(), 2023);
  EXPECT_EQ(record.applies_to().term(), "terms/2020-2025");
  EXPECT_EQ(record.delta(), 1);
  ASSERT_EQ(record.categories_size(), 1);
  EXPECT_EQ(record.categories(0), kStudent);
  EXPECT_EQ(record.organization(), cell_toan_);
  EXPECT_EQ(std::vector<std::string>(record.counted_organizations().begin(),
                                     record.counted_organizations().end()),
            PathOf(cell_toan_));
  EXPECT_EQ(record.rule_set(), "quotaRuleSets/default");
  EXPECT_EQ(record.create_stamp().actor(), "system:quotad");
  EXPECT_GT(record.create_stamp().time().seconds(), 0);
  EXPECT_EQ(record.event_time().seconds(),
            published[0].recorded_at().seconds());
  // An absent record; a malformed name.
  get.set_name(absl::StrCat(cell_toan_, "/admissionRecords/nothing-here"));
  s = achievements_->GetAdmissionRecord(As(Reader(cell_toan_)).get(), get,
                                        &record);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
  get.set_name("admissionRecords/x");
  s = achievements_->GetAdmissionRecord(As(Reader(cell_toan_)).get(), get,
                                        &record);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  // Counted at the university, newest first, two a page.
  v1::ListAdmissionRecordsRequest list;
  list.set_parent(university_);
  list.set_page_size(2);
  std::vector<std::string> people;
  std::string token;
  int pages = 0;
  do {
    list.set_page_token(token);
    v1::ListAdmissionRecordsResponse page = MustList(Reader(university_), list);
    EXPECT_EQ(page.total_size(), 4);
    for (const auto& r : page.admission_records()) people.push_back(r.person());
    token = page.next_page_token();
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 2);
  EXPECT_EQ(people, (std::vector<std::string>{"people/l4", "people/l2",
                                              "people/l3", "people/l1"}));
  // Oldest first.
  list.set_page_token("");
  list.set_page_size(10);
  list.set_order_by("counted_on");
  v1::ListAdmissionRecordsResponse ascending =
      MustList(Reader(university_), list);
  ASSERT_EQ(ascending.admission_records_size(), 4);
  EXPECT_EQ(ascending.admission_records(0).person(), "people/l1");
  EXPECT_EQ(ascending.admission_records(3).person(), "people/l4");
  // Admitted in the cell itself.
  v1::ListAdmissionRecordsRequest here;
  here.set_parent(cell_van_);
  here.set_match(v1::ListAdmissionRecordsRequest::MATCH_ADMITTED_HERE);
  v1::ListAdmissionRecordsResponse in_van = MustList(Reader(cell_van_), here);
  EXPECT_EQ(in_van.total_size(), 2);
  here.set_parent(university_);
  EXPECT_EQ(MustList(Reader(university_), here).total_size(), 0);
  // Filtered, and paged through the filter.
  list.set_order_by("");
  list.set_filter("applies_to.year = 2023");
  list.set_page_size(2);
  v1::ListAdmissionRecordsResponse first = MustList(Reader(university_), list);
  EXPECT_EQ(first.total_size(), 3);
  ASSERT_EQ(first.admission_records_size(), 2);
  EXPECT_EQ(first.admission_records(0).person(), "people/l2");
  ASSERT_FALSE(first.next_page_token().empty());
  list.set_page_token(first.next_page_token());
  v1::ListAdmissionRecordsResponse second = MustList(Reader(university_), list);
  ASSERT_EQ(second.admission_records_size(), 1);
  EXPECT_EQ(second.admission_records(0).person(), "people/l1");
  EXPECT_TRUE(second.next_page_token().empty());
  list.set_page_token("");
  list.set_filter("categories:CATEGORY_STUDENT");
  EXPECT_EQ(MustList(Reader(university_), list).total_size(), 2);
  list.set_filter("applies_to.term = \"terms/2020-2025\"");
  EXPECT_EQ(MustList(Reader(university_), list).total_size(), 4);
  // By creation time (the order they were applied in).
  list.set_filter("");
  list.set_page_size(10);
  list.set_order_by("create_stamp.time");
  v1::ListAdmissionRecordsResponse created = MustList(Reader(province_), list);
  ASSERT_EQ(created.admission_records_size(), 4);
  for (int i = 1; i < created.admission_records_size(); ++i) {
    const auto& a = created.admission_records(i - 1).create_stamp().time();
    const auto& b = created.admission_records(i).create_stamp().time();
    EXPECT_TRUE(a.seconds() < b.seconds() ||
                (a.seconds() == b.seconds() && a.nanos() <= b.nanos()));
  }
  // A token is bound to its request.
  list.set_order_by("");
  list.set_page_size(1);
  v1::ListAdmissionRecordsResponse one = MustList(Reader(province_), list);
  ASSERT_FALSE(one.next_page_token().empty());
  list.set_page_token(one.next_page_token());
  list.set_filter("applies_to.year = 2024");
  v1::ListAdmissionRecordsResponse out;
  s = achievements_->ListAdmissionRecords(As(Reader(province_)).get(), list,
                                          &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(AchievementsTest, CallersOutsideTheSubtreeAreRefused) {
  PublishAdmission(cell_toan_, "people/r1", D(2023, 5, 4));
  Drain();
  MustCreateTerms();
  v1::QueryAchievementsRequest query;
  query.set_name(university_);
  *query.mutable_as_of() = D(2023, 12, 31);
  v1::AchievementCounts counts;
  grpc::Status s = achievements_->QueryAchievements(
      As(Reader(other_province_)).get(), query, &counts);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // A cell does not read its grassroots organisation's counts.
  s = achievements_->QueryAchievements(As(Reader(cell_toan_)).get(), query,
                                       &counts);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // Any role within the subtree reads.
  s = achievements_->QueryAchievements(As(Secretary(university_)).get(), query,
                                       &counts);
  EXPECT_TRUE(s.ok()) << s.error_message();

  v1::ListAdmissionRecordsRequest list;
  list.set_parent(university_);
  v1::ListAdmissionRecordsResponse listed;
  s = achievements_->ListAdmissionRecords(As(Reader(other_province_)).get(),
                                          list, &listed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  listed = MustList(Reader(university_), list);
  ASSERT_EQ(listed.admission_records_size(), 1);

  v1::GetAdmissionRecordRequest get;
  get.set_name(listed.admission_records(0).name());
  v1::AdmissionRecord record;
  s = achievements_->GetAdmissionRecord(As(Reader(other_province_)).get(), get,
                                        &record);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // ... whether the record exists or not.
  get.set_name(absl::StrCat(cell_toan_, "/admissionRecords/unknown"));
  s = achievements_->GetAdmissionRecord(As(Reader(other_province_)).get(), get,
                                        &record);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = achievements_->GetAdmissionRecord(As(Reader(cell_van_)).get(), get,
                                        &record);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(AchievementsTest, BadRequestsAreInvalidArgument) {
  MustCreateTerms();
  v1::QueryAchievementsRequest query;
  query.set_name(university_);
  *query.mutable_as_of() = D(2023, 12, 31);
  v1::AchievementCounts counts;
  query.set_page_size(-1);
  grpc::Status s =
      achievements_->QueryAchievements(As(Admin()).get(), query, &counts);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  query.set_page_size(0);
  query.set_filter("organization.level = ");
  s = achievements_->QueryAchievements(As(Admin()).get(), query, &counts);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  query.set_filter("counted > 3");  // not a documented filter field
  s = achievements_->QueryAchievements(As(Admin()).get(), query, &counts);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  query.set_filter("");
  query.set_page_token("garbage");
  s = achievements_->QueryAchievements(As(Admin()).get(), query, &counts);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  query.set_page_token("");
  query.set_name("lam-dong");
  s = achievements_->QueryAchievements(As(Admin()).get(), query, &counts);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  query.set_name("organizations/unknown");
  s = achievements_->QueryAchievements(As(Admin()).get(), query, &counts);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  v1::ListAdmissionRecordsRequest list;
  list.set_parent(university_);
  v1::ListAdmissionRecordsResponse listed;
  list.set_page_size(-5);
  s = achievements_->ListAdmissionRecords(As(Admin()).get(), list, &listed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  list.set_page_size(0);
  list.set_filter("kind = = KIND_ADMISSION");
  s = achievements_->ListAdmissionRecords(As(Admin()).get(), list, &listed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  list.set_filter("delta = 1");  // not a documented filter field
  s = achievements_->ListAdmissionRecords(As(Admin()).get(), list, &listed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  list.set_filter("");
  list.set_order_by("person");
  s = achievements_->ListAdmissionRecords(As(Admin()).get(), list, &listed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  list.set_order_by("");
  list.set_filter("kind = KIND_ADMISSION");
  s = achievements_->ListAdmissionRecords(As(Admin()).get(), list, &listed);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

TEST_F(AchievementsTest, ReplayingTheStreamGivesTheSameCounts) {
  PublishAdmission(cell_toan_, "people/q1", D(2023, 5, 4), {kStudent});
  events::v1::Event twice =
      PublishAdmission(cell_van_, "people/q2", D(2023, 6, 4), {kStudent});
  PublishAdmission(cell_health_, "people/q3", D(2024, 1, 4), {kMedical});
  Drain();
  // A redelivery of the same event id changes nothing.
  Publish(twice);
  Drain();
  const auto from = D(2020, 1, 1), to = D(2030, 12, 31);
  const std::vector<std::string> organizations = {
      province_, bloc_,   university_, cell_toan_,
      cell_van_, health_, cell_health_};
  std::map<std::string, int> live;
  for (const auto& o : organizations) live[o] = Sums(o, from, to).counted;
  EXPECT_EQ(live[province_], 3);
  EXPECT_EQ(live[university_], 2);

  // The whole stream applied twice to a fresh ledger: the same counts.
  AdmissionLedger replay(*redis_client_,
                         "{pd:quota}:replay:g1:", context_->rules());
  Streams streams(*redis_client_);
  for (int pass = 0; pass < 2; ++pass) {
    auto entries = streams.Range(MembershipStream(), "-", "+", 100000);
    ASSERT_TRUE(entries.ok()) << entries.status();
    std::set<std::string> seen;
    for (const StreamEntry& entry : *entries) {
      events::v1::Event event;
      ASSERT_TRUE(event.ParseFromString(entry.Field("e")));
      if (!seen.insert(event.id()).second) continue;  // the projection's job
      AtomicWrite write;
      absl::StatusOr<bool> applied = replay.StageApply(entry.id, event, write);
      ASSERT_TRUE(applied.ok()) << applied.status();
      if (pass == 1) {
        EXPECT_TRUE(write.empty()) << event.type();
      }
      if (!write.empty()) {
        ASSERT_TRUE(write.Commit(*redis_client_).ok());
      }
    }
  }
  auto counts = replay.Counts(organizations);
  ASSERT_TRUE(counts.ok()) << counts.status();
  for (size_t i = 0; i < organizations.size(); ++i) {
    const CountSums sums = (*counts)[i].Sum(CivilDayOf(from), CivilDayOf(to));
    EXPECT_EQ(sums.counted, live[organizations[i]]) << organizations[i];
  }
  // Even records applied again by mistake: the record exists, nothing moves.
  auto entries = streams.Range(MembershipStream(), "-", "+", 100000);
  ASSERT_TRUE(entries.ok());
  for (const StreamEntry& entry : *entries) {
    events::v1::Event event;
    ASSERT_TRUE(event.ParseFromString(entry.Field("e")));
    AtomicWrite write;
    ASSERT_TRUE(replay.StageApply(entry.id, event, write).ok());
    EXPECT_TRUE(write.empty());
  }
}

// The counting rules, on a ledger of its own with a registry of its own:
// KEEP from 2010, SUBTRACT_FROM_ADMISSION_PERIOD from 2020,
// SUBTRACT_IN_REMOVAL_PERIOD from 2022, and counting at the ceremony from
// 2024.
class CountingRulesTest : public AchievementsTest {
 protected:
  void SetUp() override {
    AchievementsTest::SetUp();
    const v1::QuotaRuleSet base = context_->rules().all().front();
    std::vector<v1::QuotaRuleSet> sets;
    const auto add = [&](const std::string& id, const common::v1::Date& from,
                         v1::AdmissionCountingDate counting_date,
                         v1::ProbationRemovalCounting removal) {
      v1::QuotaRuleSet set = base;
      set.set_name("quotaRuleSets/" + id);
      *set.mutable_effective_from() = from;
      set.clear_effective_until();
      set.mutable_counting()->set_counting_date(counting_date);
      set.mutable_counting()->set_probation_removal(removal);
      sets.push_back(set);
    };
    add("keep", D(2010, 1, 1), v1::ADMISSION_COUNTING_DATE_DECISION_SIGNED,
        v1::PROBATION_REMOVAL_COUNTING_KEEP);
    add("admission-period", D(2020, 1, 1),
        v1::ADMISSION_COUNTING_DATE_DECISION_SIGNED,
        v1::PROBATION_REMOVAL_COUNTING_SUBTRACT_FROM_ADMISSION_PERIOD);
    add("removal-period", D(2022, 1, 1),
        v1::ADMISSION_COUNTING_DATE_DECISION_SIGNED,
        v1::PROBATION_REMOVAL_COUNTING_SUBTRACT_IN_REMOVAL_PERIOD);
    add("ceremony", D(2024, 1, 1), v1::ADMISSION_COUNTING_DATE_CEREMONY_HELD,
        v1::PROBATION_REMOVAL_COUNTING_SUBTRACT_IN_REMOVAL_PERIOD);
    absl::StatusOr<domain::QuotaRuleSetRegistry> registry =
        domain::QuotaRuleSetRegistry::FromSets(std::move(sets));
    ASSERT_TRUE(registry.ok()) << registry.status();
    registry_ = std::make_unique<domain::QuotaRuleSetRegistry>(*registry);
    ledger_ = std::make_unique<AdmissionLedger>(
        *redis_client_, "{pd:quota}:rules-test:", *registry_);
  }

  events::v1::Event Envelope(const std::string& cell,
                             const common::v1::Date& on) {
    events::v1::Event event;
    event.set_id(NewUuid());
    event.set_producer("membership");
    *event.mutable_act_date() = on;
    *event.mutable_recorded_at() = NowTimestamp();
    for (const auto& p : PathOf(cell)) event.add_organization_path(p);
    return event;
  }
  // Applies one event to the ledger; returns its event.
  events::v1::Event Apply(events::v1::Event event) {
    SetType(event);
    AtomicWrite write;
    absl::StatusOr<bool> applied =
        ledger_->StageApply(absl::StrCat(++entry_, "-0"), event, write);
    EXPECT_TRUE(applied.ok()) << applied.status();
    EXPECT_TRUE(applied.ok() && *applied);
    if (!write.empty()) {
      absl::StatusOr<WriteResult> committed = write.Commit(*redis_client_);
      EXPECT_TRUE(committed.ok()) << committed.status();
    }
    return event;
  }
  events::v1::Event Admit(const std::string& person,
                          const common::v1::Date& signed_on) {
    events::v1::Event event = Envelope(cell_toan_, signed_on);
    auto* a = event.mutable_member_admitted();
    a->set_person(person);
    a->set_organization(cell_toan_);
    a->mutable_decision()->set_number("1-QĐ/ĐU");
    *a->mutable_decision()->mutable_signed_on() = signed_on;
    a->add_categories(kStudent);
    return Apply(std::move(event));
  }
  events::v1::Event Ceremony(const std::string& person,
                             const common::v1::Date& held) {
    events::v1::Event event = Envelope(cell_toan_, held);
    auto* p = event.mutable_probation_started();
    p->set_person(person);
    p->set_organization(cell_toan_);
    *p->mutable_ceremony_on() = held;
    return Apply(std::move(event));
  }
  events::v1::Event Remove(const std::string& person,
                           const common::v1::Date& admitted_on,
                           const common::v1::Date& removed_on) {
    events::v1::Event event = Envelope(cell_toan_, removed_on);
    auto* r = event.mutable_removed_from_probation();
    r->set_person(person);
    r->set_organization(cell_toan_);
    r->mutable_decision()->set_number("7-QĐ/ĐU");
    *r->mutable_decision()->mutable_signed_on() = removed_on;
    *r->mutable_admitted_on() = admitted_on;
    r->add_categories(kStudent);
    r->set_reason("Không đủ tư cách đảng viên");
    return Apply(std::move(event));
  }
  CountSums Year(const std::string& organization, int year) {
    auto counts = ledger_->Counts({organization});
    EXPECT_TRUE(counts.ok()) << counts.status();
    if (!counts.ok()) return {};
    return (*counts)[0].Sum(absl::CivilDay(year, 1, 1),
                            absl::CivilDay(year, 12, 31));
  }
  v1::AdmissionRecord RecordOf(const events::v1::Event& event,
                               const std::string& cell) {
    auto record = ledger_->GetRecord(absl::StrCat(
        cell, "/admissionRecords/", AdmissionRecordId(event.id())));
    EXPECT_TRUE(record.ok()) << record.status();
    return record.ok() ? *record : v1::AdmissionRecord();
  }

  std::unique_ptr<domain::QuotaRuleSetRegistry> registry_;
  std::unique_ptr<AdmissionLedger> ledger_;
  int entry_ = 0;
};

TEST_F(CountingRulesTest, KeepLeavesTheAdmissionCounted) {
  events::v1::Event admitted = Admit("people/k", D(2015, 5, 1));
  events::v1::Event removed = Remove("people/k", D(2015, 5, 1), D(2016, 6, 1));
  EXPECT_EQ(Year(university_, 2015).admitted, 1);
  EXPECT_EQ(Year(university_, 2015).counted, 1);
  EXPECT_EQ(Year(university_, 2016).removed, 1);
  EXPECT_EQ(Year(university_, 2016).counted, 0);
  EXPECT_EQ(Year(university_, 2016).categories[kStudent].removed, 1);
  v1::AdmissionRecord record = RecordOf(removed, cell_toan_);
  EXPECT_EQ(record.kind(), v1::AdmissionRecord::KIND_REMOVAL_FROM_PROBATION);
  EXPECT_EQ(record.delta(), 0);
  EXPECT_EQ(record.rule_set(), "quotaRuleSets/keep");
  EXPECT_EQ(record.related_record(), RecordOf(admitted, cell_toan_).name());
  EXPECT_EQ(record.counted_on().year(), 2016);
  EXPECT_EQ(record.applies_to().year(), 2016);
  EXPECT_EQ(record.admission_decision().signed_on().year(), 2015);
  // A ceremony under DECISION_SIGNED changes nothing.
  Ceremony("people/k", D(2015, 5, 20));
  EXPECT_EQ(Year(university_, 2015).counted, 1);
  EXPECT_EQ(Year(university_, 2015).admitted, 1);
}

TEST_F(CountingRulesTest, SubtractFromTheAdmissionPeriod) {
  events::v1::Event admitted = Admit("people/a", D(2020, 5, 1));
  EXPECT_EQ(Year(university_, 2020).counted, 1);
  events::v1::Event removed = Remove("people/a", D(2020, 5, 1), D(2021, 6, 1));
  EXPECT_EQ(Year(university_, 2020).admitted, 1);
  EXPECT_EQ(Year(university_, 2020).counted, 0);
  EXPECT_EQ(Year(university_, 2020).categories[kStudent].counted, 0);
  EXPECT_EQ(Year(university_, 2021).removed, 1);
  EXPECT_EQ(Year(university_, 2021).counted, 0);
  EXPECT_EQ(Year(province_, 2020).counted, 0);
  v1::AdmissionRecord record = RecordOf(removed, cell_toan_);
  EXPECT_EQ(record.delta(), -1);
  EXPECT_EQ(record.applies_to().year(), 2020);
  EXPECT_EQ(record.counted_on().year(), 2021);
  EXPECT_EQ(record.related_record(), RecordOf(admitted, cell_toan_).name());
  EXPECT_EQ(record.rule_set(), "quotaRuleSets/admission-period");
}

TEST_F(CountingRulesTest, SubtractInTheRemovalPeriod) {
  Admit("people/r", D(2022, 5, 1));
  events::v1::Event removed = Remove("people/r", D(2022, 5, 1), D(2023, 6, 1));
  EXPECT_EQ(Year(university_, 2022).counted, 1);
  EXPECT_EQ(Year(university_, 2023).removed, 1);
  EXPECT_EQ(Year(university_, 2023).counted, -1);
  EXPECT_EQ(Year(cell_toan_, 2023).categories[kStudent].counted, -1);
  EXPECT_EQ(Year(cell_toan_, 2023).admitted_here, 0);
  v1::AdmissionRecord record = RecordOf(removed, cell_toan_);
  EXPECT_EQ(record.delta(), -1);
  EXPECT_EQ(record.applies_to().year(), 2023);
  // The rule set is the admission's, not the removal's date's.
  events::v1::Event late = Admit("people/late", D(2021, 12, 1));
  Remove("people/late", D(2021, 12, 1), D(2022, 12, 1));
  EXPECT_EQ(Year(university_, 2021).counted, 0);
  EXPECT_EQ(Year(university_, 2022).counted, 1);
}

TEST_F(CountingRulesTest, CountedAtTheCeremony) {
  events::v1::Event admitted = Admit("people/c", D(2024, 12, 20));
  EXPECT_EQ(Year(university_, 2024).admitted, 0);
  v1::AdmissionRecord record = RecordOf(admitted, cell_toan_);
  EXPECT_EQ(record.delta(), 0);
  EXPECT_EQ(record.counted_on().year(), 0);
  EXPECT_EQ(record.rule_set(), "quotaRuleSets/ceremony");
  Ceremony("people/c", D(2025, 1, 10));
  EXPECT_EQ(Year(university_, 2024).admitted, 0);
  EXPECT_EQ(Year(university_, 2025).admitted, 1);
  EXPECT_EQ(Year(university_, 2025).counted, 1);
  EXPECT_EQ(Year(cell_toan_, 2025).admitted_here, 1);
  record = RecordOf(admitted, cell_toan_);
  EXPECT_EQ(record.delta(), 1);
  EXPECT_EQ(record.counted_on().year(), 2025);
  EXPECT_EQ(record.counted_on().day(), 10);
  EXPECT_EQ(record.applies_to().year(), 2025);
  // A second ceremony event counts nothing more.
  Ceremony("people/c", D(2025, 1, 11));
  EXPECT_EQ(Year(university_, 2025).counted, 1);
  // Listed once counted.
  auto page = ledger_->ListRecords(university_, false, false, "", 10);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->ids, std::vector<std::string>{record.name()});
}

TEST_F(CountingRulesTest, AnEventAppliedTwiceStagesNothing) {
  events::v1::Event event = Envelope(cell_toan_, D(2015, 3, 3));
  auto* a = event.mutable_member_admitted();
  a->set_person("people/twice");
  a->set_organization(cell_toan_);
  *a->mutable_decision()->mutable_signed_on() = D(2015, 3, 3);
  Apply(event);
  AtomicWrite write;
  absl::StatusOr<bool> again = ledger_->StageApply("9-0", event, write);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(*again);
  EXPECT_TRUE(write.empty());
  EXPECT_EQ(Year(university_, 2015).admitted, 1);
  // The projection notes a redelivery in the record, for the audit.
  ASSERT_TRUE(ledger_->RecordDuplicate(event).ok());
  EXPECT_EQ(RecordOf(event, cell_toan_).duplicate_deliveries(), 1);
  EXPECT_EQ(Year(university_, 2015).admitted, 1);
  // Events of other types are not the ledger's.
  events::v1::Event other = Envelope(cell_toan_, D(2015, 3, 3));
  other.mutable_person_stage_changed()->set_person("people/twice");
  again = ledger_->StageApply("10-0", other, write);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  EXPECT_TRUE(write.empty());
}

TEST_F(CountingRulesTest, ListingPagesByCountedOnStably) {
  std::vector<std::string> names;
  for (int i = 0; i < 5; ++i) {
    names.push_back(
        RecordOf(Admit(absl::StrCat("people/p", i), D(2015, 1, 1 + i)),
                 cell_toan_)
            .name());
  }
  auto first = ledger_->ListRecords(cell_toan_, true, false, "", 2);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->total_size, 5);
  EXPECT_EQ(first->ids, (std::vector<std::string>{names[4], names[3]}));
  // An older admission arriving meanwhile does not shift the next page.
  names.push_back(
      RecordOf(Admit("people/old", D(2014, 1, 1)), cell_toan_).name());
  auto second =
      ledger_->ListRecords(cell_toan_, true, false, first->next_cursor, 2);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->ids, (std::vector<std::string>{names[2], names[1]}));
  auto third =
      ledger_->ListRecords(cell_toan_, true, false, second->next_cursor, 2);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->ids, (std::vector<std::string>{names[0], names[5]}));
  EXPECT_TRUE(third->next_cursor.empty());
  auto ascending = ledger_->ListRecords(cell_toan_, true, true, "", 10);
  ASSERT_TRUE(ascending.ok());
  EXPECT_EQ(ascending->ids.front(), names[5]);
  auto bad = ledger_->ListRecords(cell_toan_, true, true, "nothing", 10);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace partydev::quota
