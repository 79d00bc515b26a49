// AdministrationService's CSV imports and exports beyond the roll (issue
// #4, item 9): the dues book (sổ thu đảng phí) imported through
// CreateDuesPayment and exported through ListDuesPayments, the tree
// imported through CreateOrganization, and the lists and reports of a
// cell's life exported through their RPCs. Each import: good rows kept and
// bad ones named (line, column, rule), a re-import that changes nothing, a
// dry run, and a caller outside the subtree refused.

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/csv.h"
#include "services/membership/cell_life_records.h"
#include "services/membership/journal.h"
#include "tests/membership/csv_fixture.h"

namespace partydev::membership {
namespace {

constexpr char kDuesColumns[] =
    "person_id,citizen_id,month,amount_paid_vnd,paid_on,note\r\n";

std::string IdOf(const v1::Person& p) {
  return p.name().substr(p.name().rfind('/') + 1);
}

// A file's rows (the header line first) as maps column → value.
std::vector<std::map<std::string, std::string>> RowsOf(
    const std::string& text) {
  std::vector<std::map<std::string, std::string>> out;
  absl::StatusOr<std::vector<csv::Record>> records = csv::Parse(text);
  EXPECT_TRUE(records.ok()) << records.status();
  if (!records.ok() || records->empty()) return out;
  const std::vector<std::string>& columns = (*records)[0].fields;
  for (size_t r = 1; r < records->size(); ++r) {
    std::map<std::string, std::string> row;
    for (size_t c = 0; c < columns.size() && c < (*records)[r].fields.size();
         ++c) {
      row[columns[c]] = (*records)[r].fields[c];
    }
    out.push_back(std::move(row));
  }
  return out;
}

class CsvKindsTest : public CsvFixture {
 protected:
  // A student member (5,000 đ a month, 01-QĐ/TW) of `cell` with the id
  // `person_id`, admitted on `admitted` (official a year later when that
  // is past).
  v1::Person MustCreateStudent(const std::string& cell,
                               const std::string& person_id,
                               const std::string& full_name,
                               const std::string& citizen_id,
                               const common::v1::Date& admitted) {
    v1::CreatePersonRequest request =
        CandidateRequest(cell, full_name, citizen_id);
    request.set_person_id(person_id);
    request.mutable_person()->clear_source();
    request.mutable_person()->mutable_dues()->set_category(
        v1::DUES_CATEGORY_STUDENT);
    v1::ExistingMembership* m = request.mutable_existing_membership();
    m->mutable_admission_decision()->set_number("12-QĐ/ĐU");
    *m->mutable_admission_decision()->mutable_signed_on() = admitted;
    m->mutable_admission_decision()->set_deciding_organization(college_);
    *m->mutable_ceremony_on() = admitted;
    if (admitted.year() < 2025) {
      *m->mutable_official_on() = D(admitted.year() + 1, admitted.month(), 1);
    }
    v1::Person out;
    grpc::Status s = people_->CreatePerson(As(Admin()).get(), request, &out);
    EXPECT_TRUE(s.ok()) << full_name << ": " << s.error_message();
    return out;
  }

  // The college's members the dues book below names.
  void MustCreateDuesMembers() {
    an_ = MustCreateStudent(cell_a_, "nguyen-van-an", "Nguyễn Văn An",
                            "079085300001", D(2015, 3, 2));
    binh_ = MustCreateStudent(cell_b_, "tran-thi-binh", "Trần Thị Bình",
                              "079085300002", D(2015, 3, 2));
    // Admitted in June: March is before her membership.
    recent_ = MustCreateStudent(cell_a_, "le-thi-moi", "Lê Thị Mới",
                                "079085300003", D(2026, 6, 1));
    candidate_ = MustCreateCandidate(cell_a_, "Phạm Văn Ứng", "079200300004");
    outsider_ = MustCreateStudent(other_cell_, "do-van-xa", "Đỗ Văn Xa",
                                  "079085300005", D(2015, 3, 2));
  }

  // The dues book of the college; line numbers are the file's.
  std::string DuesBook() {
    return absl::StrCat(
        kDuesColumns,
        // 2, 3: paid (by citizen id, a DD/MM/YYYY date, a quoted note).
        IdOf(an_), ",,2026-09,5000,2026-09-05,\r\n",
        ",079085300002,2026-09,5000,05/09/2026,\"Nộp hộ, qua tổ\"\r\n",
        // 4: the same month again in the sheet.
        IdOf(an_), ",,2026-09,5000,2026-09-06,\r\n",
        // 5: a candidate pays no dues.
        IdOf(candidate_), ",,2026-09,5000,2026-09-05,\r\n",
        // 6: paid in the future.
        IdOf(an_), ",,2026-10,5000,2099-01-01,\r\n",
        // 7: no such month.
        IdOf(an_), ",,2026-13,5000,2026-09-05,\r\n",
        // 8: a member of another province.
        IdOf(outsider_), ",,2026-09,5000,2026-09-05,\r\n",
        // 9: before her admission.
        IdOf(recent_), ",,2026-03,5000,2026-09-05,\r\n",
        // 10: not an amount.
        IdOf(an_), ",,2026-08,năm nghìn,2026-09-05,\r\n",
        // 11: paid.
        IdOf(an_), ",,2026-08,5000,2026-09-05,\r\n");
  }

  grpc::Status ImportDues(const Caller& caller, const std::string& text,
                          v1::ImportCsvReport* report,
                          bool validate_only = false) {
    return ImportKind(caller, v1::IMPORT_KIND_DUES_PAYMENTS, text, report,
                      validate_only);
  }

  // Imports `text` as the bloc committee's organisations.
  grpc::Status ImportTree(const Caller& caller, const std::string& text,
                          v1::ImportCsvReport* report,
                          bool validate_only = false) {
    return ImportKind(caller, v1::IMPORT_KIND_ORGANIZATIONS, text, report,
                      validate_only, bloc_);
  }

  grpc::Status GetPayment(const v1::Person& person, const std::string& month,
                          v1::DuesPayment* out) {
    v1::GetDuesPaymentRequest request;
    request.set_name(absl::StrCat(person.name(), "/duesPayments/", month));
    return cell_life_->GetDuesPayment(As(Admin()).get(), request, out);
  }

  v1::ExportCsvRequest ExportOf(v1::ExportKind kind, bool sensitive = false) {
    v1::ExportCsvRequest request;
    request.set_organization(college_);
    request.set_kind(kind);
    request.set_year(2026);
    request.set_include_sensitive(sensitive);
    return request;
  }

  v1::Person an_, binh_, recent_, candidate_, outsider_;
};

TEST_F(CsvKindsTest, DuesImportKeepsGoodRowsAndNamesBadOnes) {
  MustCreateDuesMembers();
  v1::ImportCsvReport report;
  grpc::Status status = ImportDues(Secretary(college_), DuesBook(), &report);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(report.kind(), v1::IMPORT_KIND_DUES_PAYMENTS);
  EXPECT_EQ(report.rows_read(), 10);
  EXPECT_EQ(report.rows_created(), 3) << report.DebugString();
  EXPECT_EQ(report.rows_rejected(), 7);
  EXPECT_EQ(report.batches(), 1);
  std::map<int64_t, v1::RejectedRow> rejected = ByLine(report);
  const std::map<int64_t, std::pair<std::string, std::string>> expected = {
      {4, {"month", "dues.paid_once"}},
      {5, {"person_id", "dues.members_only"}},
      {6, {"paid_on", "dues.paid_on"}},
      {7, {"month", "import.month_format"}},
      {8, {"person_id", "import.within_header"}},
      {9, {"month", "dues.month_of_membership"}},
      {10, {"amount_paid_vnd", "import.amount"}},
  };
  ExpectFirstProblems(report, expected);
  EXPECT_EQ(rejected[5].label(), "Phạm Văn Ứng");

  v1::DuesPayment paid;
  ASSERT_TRUE(GetPayment(binh_, "2026-09", &paid).ok());
  EXPECT_EQ(paid.amount_paid_vnd(), 5000);
  EXPECT_EQ(paid.paid_on().day(), 5);
  EXPECT_EQ(paid.note(), "Nộp hộ, qua tổ");
  EXPECT_EQ(paid.organization(), cell_b_);
  ASSERT_TRUE(GetPayment(an_, "2026-08", &paid).ok());
  ASSERT_TRUE(GetPayment(an_, "2026-09", &paid).ok());
  EXPECT_EQ(paid.paid_on().day(), 5);  // line 2, not line 4
  EXPECT_EQ(GetPayment(an_, "2026-10", &paid).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(GetPayment(outsider_, "2026-09", &paid).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(CsvKindsTest, DuesReimportChangesNothing) {
  MustCreateDuesMembers();
  v1::ImportCsvReport first;
  ASSERT_TRUE(ImportDues(Secretary(college_), DuesBook(), &first).ok());
  const int64_t events = EventCount();
  v1::ImportCsvReport again;
  grpc::Status status = ImportDues(Secretary(college_), DuesBook(), &again);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(again.rows_created(), 0);
  EXPECT_EQ(again.rows_unchanged(), 3);
  EXPECT_EQ(again.rows_rejected(), 7);
  EXPECT_EQ(again.batches(), 0);
  EXPECT_EQ(EventCount(), events);

  // A month already paid, with another amount: a correction is
  // UpdateDuesPayment (with its reason), not an import.
  v1::ImportCsvReport changed;
  status = ImportDues(
      Secretary(college_),
      absl::StrCat(kDuesColumns, IdOf(an_), ",,2026-09,7000,2026-09-05,\r\n"),
      &changed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(changed.rejected_size(), 1);
  EXPECT_EQ(changed.rejected(0).line(), 2);
  EXPECT_EQ(changed.rejected(0).problems(0).column(), "amount_paid_vnd");
  EXPECT_EQ(changed.rejected(0).problems(0).rule_id(), "dues.paid_once");
  v1::DuesPayment paid;
  ASSERT_TRUE(GetPayment(an_, "2026-09", &paid).ok());
  EXPECT_EQ(paid.amount_paid_vnd(), 5000);
  EXPECT_EQ(EventCount(), events);
}

TEST_F(CsvKindsTest, DuesValidateOnlyWritesNothing) {
  MustCreateDuesMembers();
  const int64_t events = EventCount();
  v1::ImportCsvReport dry;
  ASSERT_TRUE(ImportDues(Secretary(college_), DuesBook(), &dry, true).ok());
  EXPECT_TRUE(dry.validate_only());
  EXPECT_EQ(dry.rows_created(), 3);
  EXPECT_EQ(dry.rows_rejected(), 7);
  EXPECT_EQ(EventCount(), events);
  v1::DuesPayment paid;
  EXPECT_EQ(GetPayment(an_, "2026-09", &paid).error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::ImportCsvReport real;
  ASSERT_TRUE(ImportDues(Secretary(college_), DuesBook(), &real).ok());
  EXPECT_EQ(real.rows_created(), 3);
}

TEST_F(CsvKindsTest, DuesImportRefusesCallersOutsideOrMalformedFiles) {
  MustCreateDuesMembers();
  v1::ImportCsvReport report;
  // A cell's secretary importing for the whole college, another province's,
  // a reader: refused before any row.
  EXPECT_EQ(ImportDues(Secretary(cell_a_), DuesBook(), &report).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      ImportDues(Secretary(other_province_), DuesBook(), &report).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ImportDues(Reader(college_), DuesBook(), &report).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Whose dues each row records is a required column.
  EXPECT_EQ(ImportDues(Secretary(college_),
                       "month,amount_paid_vnd,paid_on\r\n2026-09,5000,"
                       "2026-09-05\r\n",
                       &report)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::DuesPayment paid;
  EXPECT_EQ(GetPayment(an_, "2026-09", &paid).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

// The dues payments export writes the import columns: exported, then
// imported into a fresh store holding the same people, it gives the same
// payments (and the same file again).
TEST_F(CsvKindsTest, DuesExportRoundTripsIntoAFreshStore) {
  MustCreateDuesMembers();
  v1::ImportCsvReport report;
  ASSERT_TRUE(ImportDues(Secretary(college_), DuesBook(), &report).ok());
  std::string text;
  int64_t total = 0;
  std::string file_name;
  grpc::Status status =
      Export(Secretary(college_), ExportOf(v1::EXPORT_KIND_DUES_PAYMENTS, true),
             &text, &total, &file_name);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(total, 3);
  EXPECT_EQ(file_name.rfind("dang-phi_", 0), 0u) << file_name;
  std::vector<std::map<std::string, std::string>> rows = RowsOf(text);
  ASSERT_EQ(rows.size(), 3u) << text;
  std::map<std::string, std::map<std::string, std::string>> by_key;
  for (auto& row : rows) {
    by_key[row["person_id"] + " " + row["month"]] = row;
  }
  const auto& binh = by_key["tran-thi-binh 2026-09"];
  EXPECT_EQ(binh.at("citizen_id"), "079085300002");
  EXPECT_EQ(binh.at("amount_paid_vnd"), "5000");
  EXPECT_EQ(binh.at("paid_on"), "2026-09-05");
  EXPECT_EQ(binh.at("note"), "Nộp hộ, qua tổ");
  EXPECT_EQ(by_key.count("nguyen-van-an 2026-08"), 1u);
  EXPECT_EQ(by_key.count("nguyen-van-an 2026-09"), 1u);

  // Without the role personal_data the citizen ids stay empty.
  std::string plain;
  ASSERT_TRUE(
      Export(Board(college_), ExportOf(v1::EXPORT_KIND_DUES_PAYMENTS), &plain)
          .ok());
  EXPECT_EQ(plain.find("079085300002"), std::string::npos);
  // Another province's caller sees nothing of the college.
  std::string none;
  EXPECT_EQ(Export(Reader(other_province_),
                   ExportOf(v1::EXPORT_KIND_DUES_PAYMENTS), &none)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // A fresh store with the same people.
  TearDown();
  ASSERT_TRUE(redis_.FlushAll().ok());
  SetUp();
  MustCreateDuesMembers();
  v1::DuesPayment paid;
  ASSERT_EQ(GetPayment(binh_, "2026-09", &paid).error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::ImportCsvReport restored;
  status = ImportDues(Secretary(college_), text, &restored);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(restored.rows_read(), 3);
  EXPECT_EQ(restored.rows_created(), 3) << restored.DebugString();
  EXPECT_EQ(restored.rows_rejected(), 0);
  ASSERT_TRUE(GetPayment(binh_, "2026-09", &paid).ok());
  EXPECT_EQ(paid.note(), "Nộp hộ, qua tổ");
  std::string again;
  ASSERT_TRUE(Export(Secretary(college_),
                     ExportOf(v1::EXPORT_KIND_DUES_PAYMENTS, true), &again)
                  .ok());
  EXPECT_EQ(again, text);
}

// The bloc committee's list of its organisations; line numbers are the
// file's.
constexpr char kTree[] =
    "organization_id,parent_id,display_name,kind,level,valid_from,"
    "sector_tags\r\n"
    // 2: a new cell of the college.
    "cb-khoa-su,cd-su-pham,Chi bộ Khoa Sử,CELL,CELL,2025-07-01,SCHOOL\r\n"
    // 3: a cell under a cell.
    "to-dang-1,cb-khoa-su,Tổ đảng 1,CELL,CELL,2025-07-01,\r\n"
    // 4: its parent comes on line 5 (after it).
    "cb-nong-lam-2,dh-nong-lam,Chi bộ 2,CELL,CELL,2025-07-01,\r\n"
    // 5, 6: a grassroots committee, then its cell (DD/MM/YYYY).
    "dh-nong-lam,duk,Đảng bộ Trường Đại học Nông Lâm,GRASSROOTS_COMMITTEE,"
    "GRASSROOTS,01/07/2025,\r\n"
    "cb-nong-lam-1,dh-nong-lam,Chi bộ 1,CELL,CELL,01/07/2025,\r\n"
    // 7: under another province.
    "cb-ngoai,xa-khac,Chi bộ ngoài,CELL,CELL,2025-07-01,\r\n"
    // 8: no such day.
    "cb-khoa-ly,cd-su-pham,Chi bộ Khoa Lý,CELL,CELL,2025-13-01,\r\n"
    // 9: the same id as line 2.
    "cb-khoa-su,cd-su-pham,Chi bộ Khoa Sử,CELL,CELL,2025-07-01,\r\n"
    // 10: in the store, the same.
    "cb-khoa-toan,cd-su-pham,Chi bộ Khoa Toán,CELL,CELL,2025-07-01,\r\n"
    // 11: in the store under another name.
    "cb-khoa-van,cd-su-pham,Chi bộ Khoa Ngữ văn,CELL,CELL,2025-07-01,\r\n"
    // 12: a kind the rule set does not know.
    "cb-khoa-hoa,cd-su-pham,Chi bộ Khoa Hóa,NO_SUCH_KIND,CELL,2025-07-01,\r\n";

TEST_F(CsvKindsTest, TreeImportKeepsGoodRowsAndNamesBadOnes) {
  v1::ImportCsvReport report;
  grpc::Status status = ImportTree(Board(bloc_), kTree, &report);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(report.rows_read(), 11);
  EXPECT_EQ(report.rows_created(), 3) << report.DebugString();
  EXPECT_EQ(report.rows_unchanged(), 1);
  EXPECT_EQ(report.rows_rejected(), 7);
  std::map<int64_t, v1::RejectedRow> rejected = ByLine(report);
  const std::map<int64_t, std::pair<std::string, std::string>> expected = {
      {3, {"parent_id", "tree.cell_has_no_children"}},
      {4, {"parent_id", "import.parent_first"}},
      {7, {"parent_id", "import.within_header"}},
      {8, {"valid_from", "import.date_format"}},
      {9, {"organization_id", "import.organization_id_unique"}},
      {11, {"display_name", "import.organization_differs"}},
      {12, {"kind", "tree.kind_unknown"}},
  };
  ExpectFirstProblems(report, expected);
  EXPECT_EQ(rejected[3].label(), "to-dang-1");

  v1::GetOrganizationRequest get;
  v1::Organization org;
  get.set_name("organizations/cb-khoa-su");
  ASSERT_TRUE(
      organizations_->GetOrganization(As(Admin()).get(), get, &org).ok());
  EXPECT_EQ(org.parent(), college_);
  EXPECT_EQ(org.display_name(), "Chi bộ Khoa Sử");
  ASSERT_EQ(org.sector_tags_size(), 1);
  EXPECT_EQ(org.sector_tags(0), common::v1::SECTOR_TAG_SCHOOL);
  get.set_name("organizations/cb-nong-lam-1");
  ASSERT_TRUE(
      organizations_->GetOrganization(As(Admin()).get(), get, &org).ok());
  EXPECT_EQ(org.parent(), "organizations/dh-nong-lam");
  EXPECT_EQ(org.valid_from().month(), 7);
  get.set_name("organizations/cb-khoa-van");
  ASSERT_TRUE(
      organizations_->GetOrganization(As(Admin()).get(), get, &org).ok());
  EXPECT_EQ(org.display_name(), "Chi bộ Khoa Văn");
  get.set_name("organizations/to-dang-1");
  EXPECT_EQ(organizations_->GetOrganization(As(Admin()).get(), get, &org)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(CsvKindsTest, TreeReimportChangesNothing) {
  v1::ImportCsvReport first;
  ASSERT_TRUE(ImportTree(Board(bloc_), kTree, &first).ok());
  // Line 4's parent is in the store now: the second import creates it,
  // and only it (the rows before are unchanged).
  v1::ImportCsvReport second;
  ASSERT_TRUE(ImportTree(Board(bloc_), kTree, &second).ok());
  EXPECT_EQ(second.rows_created(), 1) << second.DebugString();
  EXPECT_EQ(ByLine(second).count(4), 0u);
  const int64_t events = EventCount();
  v1::ImportCsvReport again;
  grpc::Status status = ImportTree(Board(bloc_), kTree, &again);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(again.rows_created(), 0);
  EXPECT_EQ(again.rows_unchanged(), 5) << again.DebugString();
  EXPECT_EQ(again.rows_rejected(), 6);
  EXPECT_EQ(again.batches(), 0);
  EXPECT_EQ(EventCount(), events);

  // The export of the tree re-imports unchanged.
  v1::ExportCsvRequest request;
  request.set_organization(bloc_);
  request.set_kind(v1::EXPORT_KIND_ORGANIZATIONS);
  request.set_include_descendants(true);
  std::string text;
  ASSERT_TRUE(Export(Board(bloc_), request, &text).ok());
  v1::ImportCsvReport exported;
  status = ImportTree(Board(bloc_), text, &exported);
  ASSERT_TRUE(status.ok()) << status.error_message();
  // The bloc, the college, its two cells and youth union, and the four
  // created.
  EXPECT_EQ(exported.rows_unchanged(), 9) << exported.DebugString();
  EXPECT_EQ(exported.rows_rejected(), 0);
  EXPECT_EQ(EventCount(), events);
}

TEST_F(CsvKindsTest, TreeValidateOnlyWritesNothing) {
  const int64_t events = EventCount();
  v1::ImportCsvReport dry;
  ASSERT_TRUE(ImportTree(Board(bloc_), kTree, &dry, true).ok());
  EXPECT_TRUE(dry.validate_only());
  EXPECT_EQ(dry.rows_created(), 3) << dry.DebugString();
  EXPECT_EQ(dry.rows_rejected(), 7);
  // Under an organisation the dry run would create, the tree's rules
  // still hold.
  std::map<int64_t, v1::RejectedRow> rejected = ByLine(dry);
  ASSERT_EQ(rejected.count(3), 1u);
  EXPECT_EQ(rejected[3].problems(0).rule_id(), "tree.cell_has_no_children");
  EXPECT_EQ(EventCount(), events);
  v1::GetOrganizationRequest get;
  get.set_name("organizations/cb-khoa-su");
  v1::Organization org;
  EXPECT_EQ(organizations_->GetOrganization(As(Admin()).get(), get, &org)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(CsvKindsTest, TreeImportRefusesCallersOutsideOrWithoutTheRole) {
  v1::ImportCsvReport report;
  // The college's board importing for the bloc, another province's board.
  EXPECT_EQ(ImportTree(Board(college_), kTree, &report).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ImportTree(Board(other_province_), kTree, &report).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // A secretary records people and dues, not organisations
  // (CreateOrganization needs organization_board).
  EXPECT_EQ(ImportTree(Secretary(bloc_), kTree, &report).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // level is a required column.
  EXPECT_EQ(ImportTree(Board(bloc_),
                       "organization_id,parent_id,display_name,kind,"
                       "valid_from\r\nx,cd-su-pham,X,CELL,2025-07-01\r\n",
                       &report)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::GetOrganizationRequest get;
  get.set_name("organizations/cb-khoa-su");
  v1::Organization org;
  EXPECT_EQ(organizations_->GetOrganization(As(Admin()).get(), get, &org)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
}

// CountPeople per child of the college, then its total.
TEST_F(CsvKindsTest, ExportsPeopleCounts) {
  MustCreateOfficialMember(cell_a_, "Hoàng Văn Em", "079185000005");
  MustCreateOfficialMember(cell_a_, "Hoàng Thị Hoa", "079185000006");
  MustCreateCandidate(cell_b_, "Nguyễn Văn An", "079200000001");
  std::string text;
  int64_t total = 0;
  grpc::Status status = Export(
      Reader(college_), ExportOf(v1::EXPORT_KIND_PEOPLE_COUNTS), &text, &total);
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::map<std::string, std::map<std::string, std::string>> by_org;
  for (auto& row : RowsOf(text)) by_org[row["organization"]] = row;
  ASSERT_EQ(by_org.count("cb-khoa-toan"), 1u) << text;
  EXPECT_EQ(by_org["cb-khoa-toan"]["members"], "2");
  EXPECT_EQ(by_org["cb-khoa-toan"]["official_members"], "2");
  EXPECT_EQ(by_org["cb-khoa-toan"]["candidates"], "0");
  EXPECT_EQ(by_org["cb-khoa-van"]["candidates"], "1");
  EXPECT_EQ(by_org["cb-khoa-van"]["members"], "0");
  // The last row is the college's total.
  ASSERT_EQ(by_org.count("cd-su-pham"), 1u) << text;
  EXPECT_EQ(by_org["cd-su-pham"]["members"], "2");
  EXPECT_EQ(by_org["cd-su-pham"]["candidates"], "1");
  EXPECT_EQ(RowsOf(text).back()["organization"], "cd-su-pham");
  EXPECT_EQ(total, static_cast<int64_t>(RowsOf(text).size()));
  std::string none;
  EXPECT_EQ(Export(Reader(other_province_),
                   ExportOf(v1::EXPORT_KIND_PEOPLE_COUNTS), &none)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

// The dues collections of the college's cells, from ListDuesCollections.
TEST_F(CsvKindsTest, ExportsDuesCollections) {
  MustCreateDuesMembers();
  v1::ImportCsvReport report;
  ASSERT_TRUE(ImportDues(Secretary(college_), DuesBook(), &report).ok());
  std::string text;
  grpc::Status status = Export(
      Board(college_), ExportOf(v1::EXPORT_KIND_DUES_COLLECTIONS), &text);
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::map<std::string, std::map<std::string, std::string>> by_key;
  for (auto& row : RowsOf(text)) {
    by_key[row["organization"] + " " + row["month"]] = row;
  }
  ASSERT_EQ(by_key.count("cb-khoa-toan 2026-09"), 1u) << text;
  const auto& toan = by_key["cb-khoa-toan 2026-09"];
  // Nguyễn Văn An paid; Lê Thị Mới, admitted in June, did not.
  EXPECT_EQ(toan.at("members_paid"), "1");
  EXPECT_EQ(toan.at("collected_vnd"), "5000");
  EXPECT_NE(toan.at("unpaid_members").find("le-thi-moi"), std::string::npos);
  ASSERT_EQ(by_key.count("cb-khoa-van 2026-09"), 1u) << text;
  EXPECT_EQ(by_key["cb-khoa-van 2026-09"].at("collected_vnd"), "5000");
}

// ListMemberAttendanceRates of the college for the year, lowest rate
// first: one meeting held in September, one member present, one excused.
TEST_F(CsvKindsTest, ExportsAttendanceRates) {
  v1::Person an =
      MustCreateOfficialMember(cell_a_, "Nguyễn Văn An", "079085200041");
  v1::Person binh =
      MustCreateOfficialMember(cell_a_, "Trần Thị Bình", "079085200042");
  v1::CreateMeetingRequest create;
  create.set_parent(cell_a_);
  v1::Meeting* m = create.mutable_meeting();
  m->set_kind(v1::MEETING_KIND_REGULAR);
  m->mutable_period()->set_year(2026);
  m->mutable_period()->set_month(9);
  *m->mutable_starts_at() = At(2026, 9, 10, 8);
  m->set_place("Phòng họp Khoa Toán");
  m->add_agenda("Kiểm điểm công tác tháng");
  v1::Meeting meeting;
  grpc::Status s =
      cell_life_->CreateMeeting(As(Secretary(cell_a_)).get(), create, &meeting);
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::RecordMeetingHeldRequest held;
  held.set_name(meeting.name());
  *held.mutable_outcome()->mutable_held_on() = D(2026, 9, 10);
  held.mutable_outcome()->mutable_minutes()->set_number("10-BB/CB");
  held.mutable_outcome()->set_quality(v1::MEETING_QUALITY_GOOD);
  s = cell_life_->RecordMeetingHeld(As(Secretary(cell_a_)).get(), held,
                                    &meeting);
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::BatchCreateAttendancesRequest attend;
  attend.set_parent(meeting.name());
  v1::AttendanceEntry* present = attend.add_attendances();
  present->set_person(an.name());
  present->set_status(v1::ATTENDANCE_STATUS_PRESENT);
  v1::AttendanceEntry* excused = attend.add_attendances();
  excused->set_person(binh.name());
  excused->set_status(v1::ATTENDANCE_STATUS_EXCUSED);
  excused->set_excuse_reason("Ốm");
  v1::BatchCreateAttendancesResponse attended;
  s = cell_life_->BatchCreateAttendances(As(Secretary(cell_a_)).get(), attend,
                                         &attended);
  ASSERT_TRUE(s.ok()) << s.error_message();

  std::string text;
  int64_t total = 0;
  s = Export(Reader(college_), ExportOf(v1::EXPORT_KIND_ATTENDANCE_RATES),
             &text, &total);
  ASSERT_TRUE(s.ok()) << s.error_message();
  std::vector<std::map<std::string, std::string>> rows = RowsOf(text);
  ASSERT_EQ(rows.size(), 2u) << text;
  EXPECT_EQ(total, 2);
  EXPECT_EQ(rows[0]["person_id"], IdOf(binh));
  EXPECT_EQ(rows[0]["full_name"], "Trần Thị Bình");
  EXPECT_EQ(rows[0]["organization"], "cb-khoa-toan");
  EXPECT_EQ(rows[0]["expected"], "1");
  EXPECT_EQ(rows[0]["excused"], "1");
  EXPECT_EQ(rows[0]["rate_percent"], "0.0");
  EXPECT_EQ(rows[1]["person_id"], IdOf(an));
  EXPECT_EQ(rows[1]["present"], "1");
  EXPECT_EQ(rows[1]["rate_percent"], "100.0");
}

// ListMemberClassifications of the college for 2025.
TEST_F(CsvKindsTest, ExportsMemberClassifications) {
  v1::Person p =
      MustCreateOfficialMember(cell_a_, "Lê Văn Cường", "079085000003");
  v1::CreateMemberClassificationRequest request;
  request.set_parent(p.name());
  request.set_classification_id("2025");
  v1::MemberClassification* c = request.mutable_classification();
  c->set_classified(true);
  c->set_all_tasks_completed(true);
  for (const auto& [code, score] : {std::pair<const char*, double>{"tasks", 40},
                                    {"politics", 20},
                                    {"ethics", 20},
                                    {"discipline", 0}}) {
    v1::CriterionScore* criterion = c->add_criteria();
    criterion->set_criterion(code);
    criterion->set_score(score);
  }
  v1::MemberClassification out;
  grpc::Status s = classification_->CreateMemberClassification(
      As(Secretary(cell_a_)).get(), request, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();

  v1::ExportCsvRequest export_request =
      ExportOf(v1::EXPORT_KIND_MEMBER_CLASSIFICATIONS);
  export_request.set_year(2025);
  std::string text;
  s = Export(Reader(college_), export_request, &text);
  ASSERT_TRUE(s.ok()) << s.error_message();
  std::vector<std::map<std::string, std::string>> rows = RowsOf(text);
  ASSERT_EQ(rows.size(), 1u) << text;
  EXPECT_EQ(rows[0]["person_id"], IdOf(p));
  EXPECT_EQ(rows[0]["organization"], "cb-khoa-toan");
  EXPECT_EQ(rows[0]["year"], "2025");
  EXPECT_EQ(rows[0]["classified"], "true");
  EXPECT_EQ(rows[0]["score"], "80.0");
  EXPECT_EQ(rows[0]["computed_level"], "GOOD");
  EXPECT_EQ(rows[0]["state"], "DRAFT");
  EXPECT_EQ(rows[0]["rule_set"], out.rule_set());
  // 2026 has none.
  text.clear();
  ASSERT_TRUE(Export(Reader(college_),
                     ExportOf(v1::EXPORT_KIND_MEMBER_CLASSIFICATIONS), &text)
                  .ok());
  EXPECT_EQ(RowsOf(text).size(), 0u);
}

// ListEarlyWarnings of the college for 2026: a reminder staged by the
// engine the daily watch runs (StageEarlyWarnings) for a month absent.
TEST_F(CsvKindsTest, ExportsEarlyWarnings) {
  v1::Person p =
      MustCreateOfficialMember(cell_a_, "Lê Văn Vắng", "079085100001");
  std::shared_ptr<MembershipContext> context = MakeContext();
  ASSERT_NE(context, nullptr);
  CallContext call;
  call.principal.subject = "svc:test";
  call.principal.roles = {"system"};
  call.deadline = absl::InfiniteFuture();
  CountedMonths counted;
  counted.cause = v1::WARNING_CAUSE_ABSENCE;
  counted.year = 2026;
  counted.months = {3};
  counted.evidence.push_back(cell_a_ + "/meetings/m1/attendances/" + IdOf(p));
  Change change;
  PersonChangeRecorder recorder(*context, call, "", "");
  ASSERT_TRUE(StageEarlyWarnings(*context, recorder, change, p, counted,
                                 D(2026, 11, 24))
                  .ok());
  ASSERT_TRUE(CommitChange(context->redis(), context->prefix(), change).ok());

  std::string text;
  grpc::Status s =
      Export(Reader(college_), ExportOf(v1::EXPORT_KIND_EARLY_WARNINGS), &text);
  ASSERT_TRUE(s.ok()) << s.error_message();
  std::vector<std::map<std::string, std::string>> rows = RowsOf(text);
  ASSERT_EQ(rows.size(), 1u) << text;
  EXPECT_EQ(rows[0]["warning_id"], "2026-absence-reminder");
  EXPECT_EQ(rows[0]["person_id"], IdOf(p));
  EXPECT_EQ(rows[0]["organization"], "cb-khoa-toan");
  EXPECT_EQ(rows[0]["level"], "REMINDER");
  EXPECT_EQ(rows[0]["cause"], "ABSENCE");
  EXPECT_EQ(rows[0]["months"], "2026-03");
  EXPECT_EQ(rows[0]["state"], "OPEN");
  EXPECT_FALSE(rows[0]["rule_set"].empty());
}

// Attendance rates and early warnings: their lists' columns, through the
// RPCs' code (an empty college has no rows, but the file says what they
// would be).
TEST_F(CsvKindsTest, ExportsTheListsOfACellsLife) {
  const std::map<v1::ExportKind, std::string> first_columns = {
      {v1::EXPORT_KIND_ATTENDANCE_RATES, "person_id"},
      {v1::EXPORT_KIND_EARLY_WARNINGS, "warning_id"},
      {v1::EXPORT_KIND_MEMBER_CLASSIFICATIONS, "person_id"}};
  for (const auto& [kind, first_column] : first_columns) {
    std::string text;
    grpc::Status status = Export(Board(college_), ExportOf(kind), &text);
    ASSERT_TRUE(status.ok())
        << v1::ExportKind_Name(kind) << ": " << status.error_message();
    absl::StatusOr<std::vector<csv::Record>> records = csv::Parse(text);
    ASSERT_TRUE(records.ok()) << records.status();
    ASSERT_FALSE(records->empty());
    EXPECT_EQ((*records)[0].fields[0], first_column) << text;
    std::string none;
    EXPECT_EQ(
        Export(Reader(other_province_), ExportOf(kind), &none).error_code(),
        grpc::StatusCode::PERMISSION_DENIED)
        << v1::ExportKind_Name(kind);
  }
}

}  // namespace
}  // namespace partydev::membership
