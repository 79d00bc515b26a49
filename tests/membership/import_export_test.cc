// AdministrationService's CSV import and export of the roll, and the
// working-day calendar: good rows kept and bad ones named, re-imports that
// change nothing, dry runs, the caller's subtree, and exports that
// round-trip what was imported.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "common/csv.h"
#include "tests/membership/csv_fixture.h"

namespace partydev::membership {
namespace {

// The columns a committee's sheet has; line numbers below are the file's.
constexpr char kRoll[] =
    "citizen_id,full_name,date_of_birth,gender,general_education,"
    "organization,stage,sourced_on,admission_decision_number,"
    "admission_decision_date,admission_deciding_organization,ceremony_on,"
    "official_on,workplace\r\n"
    // 2: a candidate; a quoted workplace with a comma.
    "079200000001,\"Nguyễn Văn An\",2000-05-01,MALE,12/12,cb-khoa-toan,"
    "SOURCED,2026-01-05,,,,,,\"Khoa Toán, Trường CĐ Sư phạm\"\r\n"
    // 3: DD/MM/YYYY, "Nữ", stage omitted (SOURCED).
    "079199000002,Trần Thị Bích,01/02/1999,Nữ,UPPER_SECONDARY,cb-khoa-van,,"
    "2026-01-06,,,,,,\r\n"
    // 4: a citizen id of 5 digits.
    "12345,Lê Văn Cường,2000-01-01,MALE,12/12,cb-khoa-toan,,2026-01-05,,,,,,"
    "\r\n"
    // 5: 31 February.
    "079200000004,Phạm Thị Dung,31/02/2000,FEMALE,12/12,cb-khoa-toan,,"
    "2026-01-05,,,,,,\r\n"
    // 6: an official member entered from the paper roll.
    "079185000005,Hoàng Văn Em,1985-02-03,MALE,12/12,cb-khoa-toan,OFFICIAL,,"
    "123-QĐ/ĐU,2015-03-02,cd-su-pham,2015-03-10,2016-03-10,\r\n"
    // 7: a cell of another province.
    "079200000007,Đỗ Văn Phúc,2000-01-01,MALE,12/12,cb-khac,,2026-01-05,,,,,,"
    "\r\n";

class ImportExportTest : public CsvFixture {
 protected:
  grpc::Status Import(const Caller& caller, const std::string& text,
                      v1::ImportCsvReport* report, bool validate_only = false,
                      const std::string& organization = "") {
    return ImportKind(caller, v1::IMPORT_KIND_PEOPLE, text, report,
                      validate_only, organization);
  }

  v1::ExportCsvRequest PeopleExport(bool sensitive) {
    v1::ExportCsvRequest request;
    request.set_organization(college_);
    request.set_kind(v1::EXPORT_KIND_PEOPLE);
    request.set_include_descendants(true);
    request.set_include_sensitive(sensitive);
    return request;
  }
};

TEST_F(ImportExportTest, KeepsGoodRowsAndNamesBadOnes) {
  v1::ImportCsvReport report;
  grpc::Status status = Import(Secretary(college_), kRoll, &report);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(report.rows_read(), 6);
  EXPECT_EQ(report.rows_created(), 3);
  EXPECT_EQ(report.rows_rejected(), 3);
  EXPECT_GE(report.batches(), 1);
  std::map<int64_t, v1::RejectedRow> rejected = ByLine(report);
  ASSERT_EQ(rejected.size(), 3u);
  ASSERT_EQ(rejected.count(4), 1u);
  EXPECT_EQ(rejected[4].label(), "Lê Văn Cường");
  EXPECT_EQ(rejected[4].problems(0).column(), "citizen_id");
  EXPECT_EQ(rejected[4].problems(0).rule_id(), "person.citizen_id_format");
  // The description never echoes the (sensitive) value.
  EXPECT_EQ(rejected[4].problems(0).description().find("12345"),
            std::string::npos);
  ASSERT_EQ(rejected.count(5), 1u);
  EXPECT_EQ(rejected[5].problems(0).column(), "date_of_birth");
  EXPECT_EQ(rejected[5].problems(0).rule_id(), "import.date_format");
  // Another province's cell: outside the college whose roll this is.
  ASSERT_EQ(rejected.count(7), 1u);
  EXPECT_EQ(rejected[7].problems(0).column(), "organization");
  EXPECT_FALSE(rejected[7].problems(0).rule_id().empty());

  v1::ListPeopleRequest list;
  list.set_organization(college_);
  list.set_include_descendants(true);
  list.set_view(v1::PERSON_VIEW_FULL);
  v1::ListPeopleResponse people;
  ASSERT_TRUE(people_->ListPeople(As(Admin()).get(), list, &people).ok());
  std::map<std::string, v1::Person> by_citizen;
  for (const auto& p : people.people()) by_citizen[p.citizen_id()] = p;
  ASSERT_EQ(by_citizen.size(), 3u);
  EXPECT_EQ(by_citizen["079200000001"].full_name(), "Nguyễn Văn An");
  EXPECT_EQ(by_citizen["079200000001"].workplace(),
            "Khoa Toán, Trường CĐ Sư phạm");
  EXPECT_EQ(by_citizen["079199000002"].gender(), v1::GENDER_FEMALE);
  EXPECT_EQ(by_citizen["079199000002"].organization(), cell_b_);
  EXPECT_EQ(by_citizen["079199000002"].date_of_birth().month(), 2);
  EXPECT_EQ(by_citizen["079185000005"].stage(), common::v1::STAGE_OFFICIAL);
}

TEST_F(ImportExportTest, ReimportChangesNothing) {
  v1::ImportCsvReport first;
  ASSERT_TRUE(Import(Secretary(college_), kRoll, &first).ok());
  const int64_t events = EventCount();
  v1::ImportCsvReport again;
  grpc::Status status = Import(Secretary(college_), kRoll, &again);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(EventCount(), events);
  EXPECT_EQ(again.rows_created(), 0);
  EXPECT_EQ(again.rows_unchanged(), 3);
  EXPECT_EQ(again.rows_rejected(), 3);
  EXPECT_EQ(again.batches(), 0);
}

TEST_F(ImportExportTest, ValidateOnlyWritesNothing) {
  const int64_t events = EventCount();
  v1::ImportCsvReport dry;
  ASSERT_TRUE(Import(Secretary(college_), kRoll, &dry, true).ok());
  EXPECT_TRUE(dry.validate_only());
  EXPECT_EQ(dry.rows_created(), 3);
  EXPECT_EQ(dry.rows_rejected(), 3);
  EXPECT_EQ(EventCount(), events);
  // Nothing was registered: the real import still creates every good row.
  v1::ImportCsvReport real;
  ASSERT_TRUE(Import(Secretary(college_), kRoll, &real).ok());
  EXPECT_EQ(real.rows_created(), 3);
}

TEST_F(ImportExportTest, RefusesFilesOutsideTheCallersSubtreeOrMalformed) {
  v1::ImportCsvReport report;
  EXPECT_EQ(Import(Secretary(cell_a_), kRoll, &report).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Import(Reader(college_), kRoll, &report).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      Import(Secretary(college_), "full_name,shoe_size\r\nA,42\r\n", &report)
          .error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Import(Secretary(college_), "citizen_id\r\n\"open\r\n", &report)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ImportExportTest, ExportRoundTripsWhatWasImported) {
  v1::ImportCsvReport report;
  ASSERT_TRUE(Import(Secretary(college_), kRoll, &report).ok());
  std::string text;
  int64_t total = 0;
  std::string file_name;
  grpc::Status status = Export(Secretary(college_), PeopleExport(true), &text,
                               &total, &file_name);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(total, 3);
  // The organisation's name without diacritics, its letters kept.
  EXPECT_TRUE(
      absl::StartsWith(file_name, "dang-vien_dang-bo-truong-cao-dang-su-pham"))
      << file_name;
  ASSERT_TRUE(absl::StartsWith(text, csv::kUtf8Bom));
  absl::StatusOr<std::vector<csv::Record>> rows = csv::Parse(text);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 4u);
  std::map<std::string, int> col;
  for (size_t i = 0; i < (*rows)[0].fields.size(); ++i) {
    col[(*rows)[0].fields[i]] = static_cast<int>(i);
  }
  std::map<std::string, std::vector<std::string>> by_citizen;
  for (size_t r = 1; r < rows->size(); ++r) {
    by_citizen[(*rows)[r].fields[col["citizen_id"]]] = (*rows)[r].fields;
  }
  const auto& an = by_citizen["079200000001"];
  ASSERT_FALSE(an.empty());
  EXPECT_EQ(an[col["full_name"]], "Nguyễn Văn An");
  EXPECT_EQ(an[col["workplace"]], "Khoa Toán, Trường CĐ Sư phạm");
  EXPECT_EQ(an[col["date_of_birth"]], "2000-05-01");
  EXPECT_EQ(an[col["organization"]], "cb-khoa-toan");
  EXPECT_EQ(an[col["stage"]], "SOURCED");
  const auto& bich = by_citizen["079199000002"];
  ASSERT_FALSE(bich.empty());
  EXPECT_EQ(bich[col["date_of_birth"]], "1999-02-01");
  EXPECT_EQ(bich[col["gender"]], "FEMALE");
  const auto& em = by_citizen["079185000005"];
  ASSERT_FALSE(em.empty());
  EXPECT_EQ(em[col["stage"]], "OFFICIAL");
  EXPECT_EQ(em[col["admission_decision_number"]], "123-QĐ/ĐU");
  EXPECT_EQ(em[col["official_on"]], "2016-03-10");

  // The export re-imports unchanged.
  const int64_t events = EventCount();
  v1::ImportCsvReport again;
  status = Import(Secretary(college_), text, &again);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(again.rows_read(), 3);
  EXPECT_EQ(again.rows_unchanged(), 3);
  EXPECT_EQ(again.rows_rejected(), 0) << again.DebugString();
  EXPECT_EQ(EventCount(), events);
}

TEST_F(ImportExportTest, SensitiveColumnsNeedTheRole) {
  v1::ImportCsvReport report;
  ASSERT_TRUE(Import(Secretary(college_), kRoll, &report).ok());
  std::string text;
  EXPECT_EQ(Export(Reader(college_), PeopleExport(true), &text).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  text.clear();
  grpc::Status status = Export(Reader(college_), PeopleExport(false), &text);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(text.find("079200000001"), std::string::npos);
  EXPECT_NE(text.find("Nguyễn Văn An"), std::string::npos);
  // Another province's caller sees nothing of the college.
  text.clear();
  EXPECT_EQ(
      Export(Reader(other_province_), PeopleExport(false), &text).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ImportExportTest, ExportsTheTree) {
  v1::ExportCsvRequest request;
  request.set_organization(college_);
  request.set_kind(v1::EXPORT_KIND_ORGANIZATIONS);
  request.set_include_descendants(true);
  std::string text;
  int64_t total = 0;
  grpc::Status status = Export(Reader(college_), request, &text, &total);
  ASSERT_TRUE(status.ok()) << status.error_message();
  // The college, its two cells and its youth union.
  EXPECT_EQ(total, 4);
  EXPECT_NE(text.find("cb-khoa-toan,cd-su-pham"), std::string::npos) << text;
}

TEST_F(ImportExportTest, CalendarIsReadable) {
  v1::GetWorkingDayCalendarRequest get;
  get.set_name("workingDayCalendars/2025");
  v1::WorkingDayCalendar calendar;
  grpc::Status status = administration_->GetWorkingDayCalendar(
      As(Reader(cell_a_)).get(), get, &calendar);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(calendar.year(), 2025);
  EXPECT_GT(calendar.working_days(), 200);
  get.set_name("workingDayCalendars/1900");
  EXPECT_EQ(
      administration_
          ->GetWorkingDayCalendar(As(Reader(cell_a_)).get(), get, &calendar)
          .error_code(),
      grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace partydev::membership
