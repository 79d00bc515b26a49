// Tests of the dues of CellLifeService against a real membershipd and
// Redis (dues.proto; domain.md "Dues"): the amount per category, every rule
// broken once (a month paid twice, a future payment date, a candidate, a
// share kept above the level's, totals that do not add up, a second
// remittance), the statement and the collection, who may record and read,
// validate_only and idempotent retries. Today is the real clock's: the
// months used are before it (2026-11).

#include <gtest/gtest.h>

#include <string>

#include "common/change.h"
#include "common/dates.h"
#include "tests/membership/membership_fixture.h"

namespace partydev::membership {
namespace {

class DuesTest : public MembershipFixture {
 protected:
  // A member of `cell` admitted on `admitted` (official a year later when
  // that is past) with a dues profile.
  v1::Person MustCreateMember(const std::string& cell,
                              const std::string& full_name,
                              const std::string& citizen_id,
                              const common::v1::Date& admitted,
                              v1::DuesCategory category, int64_t base = 0) {
    v1::CreatePersonRequest request =
        CandidateRequest(cell, full_name, citizen_id);
    request.mutable_person()->clear_source();
    *request.mutable_person()->mutable_date_of_birth() = D(1950, 2, 3);
    request.mutable_person()->mutable_dues()->set_category(category);
    request.mutable_person()->mutable_dues()->set_base_amount_vnd(base);
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

  v1::Person Student(const std::string& cell, const std::string& name,
                     const std::string& citizen_id) {
    return MustCreateMember(cell, name, citizen_id, D(2015, 3, 2),
                            v1::DUES_CATEGORY_STUDENT);
  }

  grpc::Status Pay(const Caller& caller, const std::string& person,
                   const std::string& month, int64_t amount,
                   v1::DuesPayment* out, const common::v1::Date& paid_on,
                   const std::string& request_id = "",
                   bool validate_only = false) {
    v1::CreateDuesPaymentRequest request;
    request.set_parent(person);
    request.set_dues_payment_id(month);
    request.mutable_dues_payment()->set_amount_paid_vnd(amount);
    *request.mutable_dues_payment()->mutable_paid_on() = paid_on;
    request.set_request_id(request_id);
    request.set_validate_only(validate_only);
    return cell_life_->CreateDuesPayment(As(caller).get(), request, out);
  }

  grpc::Status Pay(const Caller& caller, const v1::Person& person,
                   const std::string& month, int64_t amount,
                   v1::DuesPayment* out) {
    return Pay(caller, person.name(), month, amount, out, D(2026, 10, 5));
  }

  grpc::Status Statement(const Caller& caller, const std::string& person,
                         v1::DuesStatement* out) {
    v1::GetDuesStatementRequest request;
    request.set_name(person + "/duesStatements/2026");
    return cell_life_->GetDuesStatement(As(caller).get(), request, out);
  }

  grpc::Status Collection(const Caller& caller, const std::string& name,
                          v1::DuesCollection* out) {
    v1::GetDuesCollectionRequest request;
    request.set_name(name);
    return cell_life_->GetDuesCollection(As(caller).get(), request, out);
  }

  grpc::Status Remit(const Caller& caller, const std::string& name,
                     int64_t remitted, int64_t retained,
                     v1::DuesCollection* out, bool validate_only = false) {
    v1::RemitDuesCollectionRequest request;
    request.set_name(name);
    request.mutable_remittance()->set_amount_remitted_vnd(remitted);
    request.mutable_remittance()->set_amount_retained_vnd(retained);
    *request.mutable_remittance()->mutable_remitted_on() = D(2026, 11, 5);
    request.set_validate_only(validate_only);
    return cell_life_->RemitDuesCollection(As(caller).get(), request, out);
  }

  static bool Names(const grpc::Status& s, const std::string& what) {
    return s.error_message().find(what) != std::string::npos;
  }
};

// 01-QĐ/TW: 1% of the insured salary rounded to 1,000 đ; 0.5% of a
// pension; 5,000 đ for students; a short payment is PARTIAL.
TEST_F(DuesTest, AmountDuePerCategory) {
  v1::Person salary =
      MustCreateMember(cell_a_, "Nguyễn Văn Lương", "079085300001",
                       D(2010, 5, 4), v1::DUES_CATEGORY_SALARY, 6234000);
  v1::Person pension =
      MustCreateMember(cell_a_, "Trần Văn Hưu", "079085300002", D(1980, 5, 4),
                       v1::DUES_CATEGORY_PENSION, 5000000);
  v1::Person student = Student(cell_a_, "Lê Thị Sinh", "079085300003");
  v1::DuesPayment out;
  grpc::Status s = Pay(Secretary(cell_a_), salary, "2026-03", 62000, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.name(), salary.name() + "/duesPayments/2026-03");
  EXPECT_EQ(out.amount_due_vnd(), 62000);
  EXPECT_EQ(out.state(), v1::DUES_MONTH_STATE_PAID);
  EXPECT_EQ(out.organization(), cell_a_);
  EXPECT_EQ(out.collection(), cell_a_ + "/duesCollections/2026-03");
  EXPECT_EQ(out.month().month(), 3);
  EXPECT_FALSE(out.etag().empty());
  ASSERT_TRUE(Pay(Secretary(cell_a_), pension, "2026-03", 25000, &out).ok());
  EXPECT_EQ(out.amount_due_vnd(), 25000);
  EXPECT_EQ(out.state(), v1::DUES_MONTH_STATE_PAID);
  ASSERT_TRUE(Pay(Secretary(cell_a_), student, "2026-03", 3000, &out).ok());
  EXPECT_EQ(out.amount_due_vnd(), 5000);
  EXPECT_EQ(out.state(), v1::DUES_MONTH_STATE_PARTIAL);
}

// Free from 50 years of party age: a member admitted in 1975 owes nothing
// in 2026.
TEST_F(DuesTest, FreeAtFiftyYearsOfPartyAge) {
  v1::Person old =
      MustCreateMember(cell_a_, "Phạm Văn Lão", "079085300004", D(1975, 4, 30),
                       v1::DUES_CATEGORY_PENSION, 9000000);
  v1::DuesStatement st;
  grpc::Status s = Statement(Secretary(cell_a_), old.name(), &st);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(st.months_size(), 12);
  for (const auto& m : st.months()) {
    EXPECT_EQ(m.state(), v1::DUES_MONTH_STATE_NOT_DUE) << m.month().month();
  }
  EXPECT_EQ(st.total_due_vnd(), 0);
  EXPECT_EQ(st.unpaid_months(), 0);
  EXPECT_EQ(st.arrears_vnd(), 0);
}

TEST_F(DuesTest, AMonthIsPaidOnce) {
  v1::Person p = Student(cell_a_, "Võ Văn Một", "079085300005");
  v1::DuesPayment out;
  ASSERT_TRUE(Pay(Secretary(cell_a_), p, "2026-04", 5000, &out).ok());
  grpc::Status s = Pay(Secretary(cell_a_), p, "2026-04", 5000, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
}

// Paid today is fine; tomorrow is refused. A later month may be paid in
// advance.
TEST_F(DuesTest, PaidOnNotInTheFutureAdvanceAllowed) {
  v1::Person p = Student(cell_a_, "Võ Văn Hai", "079085300006");
  const common::v1::Date today = Today();
  const common::v1::Date tomorrow = FromCivilDay(CivilDayOf(today) + 1);
  v1::DuesPayment out;
  grpc::Status s =
      Pay(Secretary(cell_a_), p.name(), "2026-05", 5000, &out, tomorrow);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(Names(s, "dues.paid_on")) << s.error_message();
  s = Pay(Secretary(cell_a_), p.name(), "2026-05", 5000, &out, today);
  ASSERT_TRUE(s.ok()) << s.error_message();
  s = Pay(Secretary(cell_a_), p.name(), "2026-12", 5000, &out, today);
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::DuesStatement st;
  ASSERT_TRUE(Statement(Secretary(cell_a_), p.name(), &st).ok());
  EXPECT_EQ(st.months(11).state(), v1::DUES_MONTH_STATE_PAID);
}

TEST_F(DuesTest, RefusesCandidatesAndBadFields) {
  v1::Person c = MustCreateCandidate(cell_a_, "Đỗ Thị Ứng", "079085300007");
  v1::DuesPayment out;
  grpc::Status s = Pay(Secretary(cell_a_), c, "2026-04", 5000, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(Names(s, "dues.members_only")) << s.error_message();
  v1::Person p = Student(cell_a_, "Đỗ Văn Ba", "079085300008");
  s = Pay(Secretary(cell_a_), p, "2026-04", 0, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(Names(s, "amount_paid_vnd")) << s.error_message();
  s = Pay(Secretary(cell_a_), p, "2026-13", 5000, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(Names(s, "dues_payment_id")) << s.error_message();
  // Before her admission the month is nobody's dues.
  v1::Person late = MustCreateMember(cell_a_, "Đỗ Văn Muộn", "079085300009",
                                     D(2026, 7, 10), v1::DUES_CATEGORY_STUDENT);
  s = Pay(Secretary(cell_a_), late, "2026-06", 5000, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(Names(s, "dues.month_of_membership")) << s.error_message();
  ASSERT_TRUE(Pay(Secretary(cell_a_), late, "2026-07", 5000, &out).ok());
}

// Admitted in July 2026: January..June NOT_DUE; July, August paid;
// September unpaid; October partial; November (today's month) and December
// FUTURE. Arrears and unpaid months count past months only.
TEST_F(DuesTest, StatementArrearsForPastMonthsOnly) {
  v1::Person p = MustCreateMember(cell_a_, "Hồ Thị Nợ", "079085300010",
                                  D(2026, 7, 10), v1::DUES_CATEGORY_STUDENT);
  v1::DuesPayment out;
  ASSERT_TRUE(Pay(Secretary(cell_a_), p, "2026-07", 5000, &out).ok());
  ASSERT_TRUE(Pay(Secretary(cell_a_), p, "2026-08", 5000, &out).ok());
  ASSERT_TRUE(Pay(Secretary(cell_a_), p, "2026-10", 2000, &out).ok());
  v1::DuesStatement st;
  grpc::Status s = Statement(Member(p.name(), cell_a_), "people/me", &st);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(st.name(), p.name() + "/duesStatements/2026");
  ASSERT_EQ(st.months_size(), 12);
  EXPECT_EQ(st.months(5).state(), v1::DUES_MONTH_STATE_NOT_DUE);
  EXPECT_EQ(st.months(6).state(), v1::DUES_MONTH_STATE_PAID);
  EXPECT_EQ(st.months(8).state(), v1::DUES_MONTH_STATE_UNPAID);
  EXPECT_EQ(st.months(9).state(), v1::DUES_MONTH_STATE_PARTIAL);
  EXPECT_EQ(st.months(10).state(), v1::DUES_MONTH_STATE_FUTURE);
  EXPECT_EQ(st.months(11).state(), v1::DUES_MONTH_STATE_FUTURE);
  EXPECT_EQ(st.unpaid_months(), 1);
  EXPECT_EQ(st.arrears_vnd(), 8000);
  EXPECT_EQ(st.total_due_vnd(), 25000);
  EXPECT_EQ(st.total_paid_vnd(), 12000);
  EXPECT_FALSE(st.rule_sets().empty());
}

// The cell's month: three members owe, one paid in full, one in part, one
// not at all; a candidate is not counted. Then the remittance, its rules,
// and a correction afterwards (audited as such).
TEST_F(DuesTest, CollectionAndRemittance) {
  v1::Person a = Student(cell_b_, "An Văn Đủ", "079085300011");
  v1::Person b = Student(cell_b_, "Bùi Văn Thiếu", "079085300012");
  v1::Person c = Student(cell_b_, "Cao Văn Chưa", "079085300013");
  MustCreateCandidate(cell_b_, "Quần Chúng Một", "079085300014");
  v1::DuesPayment out;
  ASSERT_TRUE(Pay(Secretary(cell_b_), a, "2026-10", 5000, &out).ok());
  ASSERT_TRUE(Pay(Secretary(cell_b_), b, "2026-10", 2000, &out).ok());
  const std::string name = cell_b_ + "/duesCollections/2026-10";
  v1::DuesCollection col;
  grpc::Status s = Collection(Reader(college_), name, &col);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(col.members_due(), 3);
  EXPECT_EQ(col.members_paid(), 1);
  EXPECT_EQ(col.expected_vnd(), 15000);
  EXPECT_EQ(col.collected_vnd(), 7000);
  ASSERT_EQ(col.unpaid_members_size(), 2);
  EXPECT_EQ(col.state(), v1::DUES_COLLECTION_STATE_OPEN);

  // A cell keeps at most 30% of 7,000 đ (2,100 đ).
  s = Remit(Secretary(cell_b_), name, 4899, 2101, &col);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(Names(s, "dues.retained_share")) << s.error_message();
  s = Remit(Secretary(cell_b_), name, 5000, 1000, &col);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(Names(s, "dues.remit_total")) << s.error_message();
  s = Remit(Secretary(cell_b_), name, 4900, 2100, &col, /*validate_only=*/true);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_TRUE(Collection(Secretary(cell_b_), name, &col).ok());
  EXPECT_EQ(col.state(), v1::DUES_COLLECTION_STATE_OPEN);
  s = Remit(Secretary(cell_b_), name, 4900, 2100, &col);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(col.state(), v1::DUES_COLLECTION_STATE_REMITTED);
  EXPECT_EQ(col.remittance().to_organization(), college_);
  s = Remit(Secretary(cell_b_), name, 4900, 2100, &col);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(Names(s, "dues.remit_once")) << s.error_message();

  v1::ListDuesCollectionsRequest list;
  list.set_parent(college_);
  list.set_include_descendants(true);
  list.set_year(2026);
  list.set_filter("state = REMITTED");
  v1::ListDuesCollectionsResponse listed;
  s = cell_life_->ListDuesCollections(As(Reader(college_)).get(), list,
                                      &listed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(listed.dues_collections_size(), 1);
  EXPECT_EQ(listed.dues_collections(0).name(), name);

  // Completing B's payment after the remittance: allowed, audited.
  v1::UpdateDuesPaymentRequest update;
  update.mutable_dues_payment()->set_name(b.name() + "/duesPayments/2026-10");
  update.mutable_dues_payment()->set_amount_paid_vnd(5000);
  update.mutable_update_mask()->add_paths("amount_paid_vnd");
  update.set_reason("Nộp bổ sung");
  s = cell_life_->UpdateDuesPayment(As(Secretary(cell_b_)).get(), update, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.state(), v1::DUES_MONTH_STATE_PAID);
  ASSERT_TRUE(Collection(Secretary(cell_b_), name, &col).ok());
  EXPECT_EQ(col.collected_vnd(), 10000);
  EXPECT_EQ(col.members_paid(), 2);
  EXPECT_EQ(col.state(), v1::DUES_COLLECTION_STATE_REMITTED);
  v1::ListAuditEntriesRequest audit;
  audit.set_parent(cell_b_);
  v1::ListAuditEntriesResponse entries;
  s = administration_->ListAuditEntries(As(Admin()).get(), audit, &entries);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_GT(entries.audit_entries_size(), 0);
  EXPECT_NE(entries.audit_entries(0).summary().find("đã nộp lên cấp trên"),
            std::string::npos)
      << entries.audit_entries(0).summary();
}

TEST_F(DuesTest, CorrectionNeedsReasonAndCurrentEtag) {
  v1::Person p = Student(cell_a_, "Kim Văn Sửa", "079085300015");
  v1::DuesPayment first;
  ASSERT_TRUE(Pay(Secretary(cell_a_), p, "2026-09", 3000, &first).ok());
  v1::UpdateDuesPaymentRequest update;
  update.mutable_dues_payment()->set_name(first.name());
  update.mutable_dues_payment()->set_amount_paid_vnd(5000);
  update.mutable_dues_payment()->set_etag(first.etag());
  update.mutable_update_mask()->add_paths("amount_paid_vnd");
  v1::DuesPayment out;
  grpc::Status s =
      cell_life_->UpdateDuesPayment(As(Secretary(cell_a_)).get(), update, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(Names(s, "reason")) << s.error_message();
  update.set_reason("Ghi nhầm số tiền");
  s = cell_life_->UpdateDuesPayment(As(Secretary(cell_a_)).get(), update, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.state(), v1::DUES_MONTH_STATE_PAID);
  EXPECT_NE(out.etag(), first.etag());
  // The same stale etag again: ABORTED.
  s = cell_life_->UpdateDuesPayment(As(Secretary(cell_a_)).get(), update, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
}

// The secretary of the other cell, of another province, a reader and a
// member are refused; a member reads her own statement, not another's.
TEST_F(DuesTest, WhoMayRecordAndRead) {
  v1::Person p = Student(cell_a_, "Lâm Thị Quyền", "079085300016");
  v1::Person q = Student(cell_a_, "Lâm Văn Khác", "079085300017");
  v1::DuesPayment out;
  grpc::Status s = Pay(Secretary(cell_b_), p, "2026-04", 5000, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = Pay(Secretary(other_cell_), p, "2026-04", 5000, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = Pay(Reader(cell_a_), p, "2026-04", 5000, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = Pay(Member(p.name(), cell_a_), p, "2026-04", 5000, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // The committee above records for its cells.
  ASSERT_TRUE(Pay(Secretary(college_), p, "2026-04", 5000, &out).ok());

  v1::DuesStatement st;
  s = Statement(Member(p.name(), cell_a_), q.name(), &st);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Statement(Member(p.name(), cell_a_), p.name(), &st).ok());
  s = Statement(Secretary(other_cell_), p.name(), &st);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::GetDuesPaymentRequest get;
  get.set_name("people/me/duesPayments/2026-04");
  v1::DuesPayment read;
  s = cell_life_->GetDuesPayment(As(Member(p.name(), cell_a_)).get(), get,
                                 &read);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(read.amount_paid_vnd(), 5000);
  get.set_name(p.name() + "/duesPayments/2026-04");
  s = cell_life_->GetDuesPayment(As(Member(q.name(), cell_a_)).get(), get,
                                 &read);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);

  v1::ListDuesPaymentsRequest list;
  list.set_parent("people/-");
  list.set_organization(cell_a_);
  v1::ListDuesPaymentsResponse listed;
  s = cell_life_->ListDuesPayments(As(Member(p.name(), cell_a_)).get(), list,
                                   &listed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::DuesCollection col;
  s = Collection(Secretary(other_cell_), cell_a_ + "/duesCollections/2026-04",
                 &col);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = Remit(Reader(cell_a_), cell_a_ + "/duesCollections/2026-04", 3500, 1500,
            &col);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

// For a salary the amounts reveal the income: a reader without personal
// data sees the states, not the amounts.
TEST_F(DuesTest, SalaryAmountsWithheldFromReaders) {
  v1::Person p =
      MustCreateMember(cell_a_, "Mạc Văn Kín", "079085300018", D(2010, 5, 4),
                       v1::DUES_CATEGORY_SALARY, 8000000);
  v1::DuesPayment out;
  ASSERT_TRUE(Pay(Secretary(cell_a_), p, "2026-06", 80000, &out).ok());
  EXPECT_EQ(out.amount_due_vnd(), 80000);
  v1::GetDuesPaymentRequest get;
  get.set_name(out.name());
  v1::DuesPayment read;
  ASSERT_TRUE(
      cell_life_->GetDuesPayment(As(Reader(college_)).get(), get, &read).ok());
  EXPECT_EQ(read.state(), v1::DUES_MONTH_STATE_PAID);
  EXPECT_EQ(read.amount_due_vnd(), 0);
  EXPECT_EQ(read.amount_paid_vnd(), 0);
  v1::DuesStatement st;
  ASSERT_TRUE(Statement(Reader(college_), p.name(), &st).ok());
  EXPECT_EQ(st.months(5).state(), v1::DUES_MONTH_STATE_PAID);
  EXPECT_EQ(st.total_due_vnd(), 0);
  ASSERT_TRUE(Statement(Secretary(cell_a_), p.name(), &st).ok());
  EXPECT_EQ(st.months(5).due_vnd(), 80000);
}

// A member on a temporary transfer pays at the host cell (rule set:
// temporary_members_pay_at_host): the host's secretary records it, the
// host's collection counts it, the home cell's does not.
TEST_F(DuesTest, HostedMemberPaysAtTheHost) {
  v1::Person p = Student(cell_a_, "Hà Thị Khách", "079085300020");
  v1::CreateTransferRequest transfer;
  transfer.set_parent(p.name());
  transfer.mutable_transfer()->set_kind(v1::TRANSFER_KIND_TEMPORARY);
  transfer.mutable_transfer()->set_reason(v1::TRANSFER_REASON_WORK_ASSIGNMENT);
  transfer.mutable_transfer()->set_to_organization(cell_b_);
  *transfer.mutable_transfer()->mutable_moved_on() = D(2026, 9, 1);
  *transfer.mutable_transfer()->mutable_expected_end_on() = D(2027, 3, 1);
  v1::Transfer t;
  grpc::Status s =
      people_->CreateTransfer(As(Secretary(cell_a_)).get(), transfer, &t);
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::IssueTransferLetterRequest issue;
  issue.set_name(t.name());
  issue.mutable_letter()->set_number("15-GGT/ĐU");
  *issue.mutable_letter()->mutable_signed_on() = D(2026, 9, 5);
  issue.mutable_letter()->set_deciding_organization(college_);
  s = people_->IssueTransferLetter(As(Secretary(cell_a_)).get(), issue, &t);
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::ReceiveTransferRequest receive;
  receive.set_name(t.name());
  *receive.mutable_received_on() = D(2026, 9, 15);
  s = people_->ReceiveTransfer(As(Secretary(cell_a_)).get(), receive, &t);
  ASSERT_TRUE(s.ok()) << s.error_message();

  v1::DuesPayment out;
  s = Pay(Secretary(cell_a_), p, "2026-10", 5000, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = Pay(Secretary(cell_b_), p, "2026-10", 5000, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.organization(), cell_b_);
  v1::DuesCollection col;
  ASSERT_TRUE(
      Collection(Secretary(cell_b_), cell_b_ + "/duesCollections/2026-10", &col)
          .ok());
  EXPECT_EQ(col.members_due(), 1);
  EXPECT_EQ(col.members_paid(), 1);
  EXPECT_EQ(col.collected_vnd(), 5000);
  ASSERT_TRUE(
      Collection(Secretary(cell_a_), cell_a_ + "/duesCollections/2026-10", &col)
          .ok());
  EXPECT_EQ(col.members_due(), 0);
  EXPECT_EQ(col.collected_vnd(), 0);
  v1::ListDuesPaymentsRequest list;
  list.set_parent("people/-");
  list.set_organization(cell_b_);
  v1::ListDuesPaymentsResponse listed;
  s = cell_life_->ListDuesPayments(As(Secretary(cell_b_)).get(), list, &listed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(listed.dues_payments_size(), 1);
}

TEST_F(DuesTest, ValidateOnlyWritesNothingAndRetriesReplay) {
  v1::Person p = Student(cell_a_, "Tô Văn Thử", "079085300019");
  const int64_t events = EventCount();
  v1::DuesPayment out;
  grpc::Status s = Pay(Secretary(cell_a_), p.name(), "2026-02", 5000, &out,
                       D(2026, 2, 10), "", /*validate_only=*/true);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.state(), v1::DUES_MONTH_STATE_PAID);
  EXPECT_EQ(EventCount(), events);
  v1::GetDuesPaymentRequest get;
  get.set_name(p.name() + "/duesPayments/2026-02");
  v1::DuesPayment read;
  s = cell_life_->GetDuesPayment(As(Secretary(cell_a_)).get(), get, &read);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);

  v1::DuesPayment first;
  v1::DuesPayment again;
  ASSERT_TRUE(Pay(Secretary(cell_a_), p.name(), "2026-02", 5000, &first,
                  D(2026, 2, 10), "pay-feb")
                  .ok());
  s = Pay(Secretary(cell_a_), p.name(), "2026-02", 5000, &again, D(2026, 2, 10),
          "pay-feb");
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(again.etag(), first.etag());
  EXPECT_EQ(again.create_stamp().time().seconds(),
            first.create_stamp().time().seconds());

  v1::ListDuesPaymentsRequest list;
  list.set_parent("people/-");
  list.set_organization(college_);
  list.set_year(2026);
  v1::ListDuesPaymentsResponse listed;
  s = cell_life_->ListDuesPayments(As(Secretary(college_)).get(), list,
                                   &listed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(listed.dues_payments_size(), 1);
  EXPECT_EQ(listed.total_size(), 1);
  list.set_year(2025);
  s = cell_life_->ListDuesPayments(As(Secretary(college_)).get(), list,
                                   &listed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(listed.dues_payments_size(), 0);
}

}  // namespace
}  // namespace partydev::membership
