#include "services/membership/domain/dues.h"

#include <gtest/gtest.h>

#include "services/membership/domain/test_support.h"

namespace partydev::membership::domain {
namespace {

using testing::D;
using testing::Has;
using testing::Rules;

v1::DuesProfile Profile(v1::DuesCategory category, int64_t base = 0,
                        int64_t extra = 0) {
  v1::DuesProfile p;
  p.set_category(category);
  p.set_base_amount_vnd(base);
  p.set_voluntary_extra_vnd(extra);
  return p;
}

MemberDuesFacts Member(const Date& admitted, v1::DuesProfile profile) {
  MemberDuesFacts facts;
  facts.member_from = admitted;
  facts.first_admitted_on = admitted;
  facts.profile = std::move(profile);
  return facts;
}

MonthDue Due(const MemberDuesFacts& facts, int year, int month) {
  absl::StatusOr<MonthDue> due =
      DueForMonth(facts, year, month, Rules().dues());
  EXPECT_TRUE(due.ok()) << due.status();
  return due.ok() ? *due : MonthDue();
}

// 01-QĐ/TW: 1% of the insured salary, rounded to 1,000 đ (half up).
TEST(DuesTest, SalaryIsOnePercentRounded) {
  const v1::DuesRules& r = Rules().dues();
  EXPECT_EQ(MonthlyAmount(Profile(v1::DUES_CATEGORY_SALARY, 6234000), r),
            62000);
  EXPECT_EQ(MonthlyAmount(Profile(v1::DUES_CATEGORY_SALARY, 6249999), r),
            62000);
  EXPECT_EQ(MonthlyAmount(Profile(v1::DUES_CATEGORY_SALARY, 6250000), r),
            63000);
  EXPECT_EQ(MonthlyAmount(Profile(v1::DUES_CATEGORY_SALARY, 0), r), 0);
}

TEST(DuesTest, PensionStudentFixedAndExtra) {
  const v1::DuesRules& r = Rules().dues();
  EXPECT_EQ(MonthlyAmount(Profile(v1::DUES_CATEGORY_PENSION, 5000000), r),
            25000);
  EXPECT_EQ(MonthlyAmount(Profile(v1::DUES_CATEGORY_STUDENT), r), 5000);
  EXPECT_EQ(MonthlyAmount(Profile(v1::DUES_CATEGORY_FIXED_AMOUNT), r), 5000);
  EXPECT_EQ(MonthlyAmount(Profile(v1::DUES_CATEGORY_STUDENT, 0, 10000), r),
            15000);
  EXPECT_EQ(MonthlyAmount(
                Profile(v1::DUES_CATEGORY_EXEMPT_BY_PARTY_AGE, 0, 10000), r),
            0);
  EXPECT_EQ(MonthlyAmount(v1::DuesProfile(), r), 0);
}

// Owed from the month of admission; not from the month of departure.
TEST(DuesTest, OwedOnlyWhileAMemberOnTheMonthsLastDay) {
  MemberDuesFacts facts =
      Member(D(2026, 3, 31), Profile(v1::DUES_CATEGORY_STUDENT));
  EXPECT_FALSE(Due(facts, 2026, 2).owed);
  EXPECT_TRUE(Due(facts, 2026, 3).owed);
  EXPECT_EQ(Due(facts, 2026, 3).amount_vnd, 5000);
  facts.member_until = D(2026, 6, 30);
  EXPECT_TRUE(Due(facts, 2026, 5).owed);
  EXPECT_FALSE(Due(facts, 2026, 6).owed);
  // Never admitted: nothing owed.
  EXPECT_FALSE(Due(MemberDuesFacts(), 2026, 6).owed);
}

// Free from 50 years of party age: from the month it is reached.
TEST(DuesTest, FreeFromFiftyYearsOfPartyAge) {
  MemberDuesFacts facts =
      Member(D(1976, 6, 15), Profile(v1::DUES_CATEGORY_PENSION, 8000000));
  EXPECT_TRUE(Due(facts, 2026, 5).owed);
  EXPECT_EQ(Due(facts, 2026, 5).amount_vnd, 40000);
  EXPECT_FALSE(Due(facts, 2026, 6).owed);
  EXPECT_TRUE(Due(facts, 2026, 6).free_by_party_age);
  // A gap that does not count postpones it (a year out of the Party).
  v1::PartyAgeGap gap;
  gap.set_kind(v1::PARTY_AGE_GAP_KIND_REMOVED);
  *gap.mutable_starts_on() = D(1990, 1, 1);
  *gap.mutable_ends_on() = D(1990, 12, 31);
  facts.gaps.push_back(gap);
  EXPECT_TRUE(Due(facts, 2026, 6).owed);
  // Admitted in 1975: nothing owed in 2026.
  EXPECT_FALSE(
      Due(Member(D(1975, 4, 30), Profile(v1::DUES_CATEGORY_PENSION, 9000000)),
          2026, 1)
          .owed);
}

TEST(DuesTest, MonthStates) {
  MonthDue due;
  due.owed = true;
  due.amount_vnd = 62000;
  EXPECT_EQ(MonthState(due, std::nullopt, true), v1::DUES_MONTH_STATE_UNPAID);
  EXPECT_EQ(MonthState(due, std::nullopt, false), v1::DUES_MONTH_STATE_FUTURE);
  EXPECT_EQ(MonthState(due, 62000, false), v1::DUES_MONTH_STATE_PAID);
  EXPECT_EQ(MonthState(due, 61999, true), v1::DUES_MONTH_STATE_PARTIAL);
  EXPECT_EQ(MonthState(MonthDue(), 5000, true), v1::DUES_MONTH_STATE_NOT_DUE);
  // An unknown amount is paid by any payment, never by none.
  due.amount_vnd = 0;
  EXPECT_EQ(MonthState(due, 1000, true), v1::DUES_MONTH_STATE_PAID);
  EXPECT_EQ(MonthState(due, std::nullopt, true), v1::DUES_MONTH_STATE_UNPAID);
  EXPECT_TRUE(IsPastMonth(2026, 10, D(2026, 11, 24)));
  EXPECT_FALSE(IsPastMonth(2026, 11, D(2026, 11, 1)));
  EXPECT_TRUE(IsPastMonth(2025, 12, D(2026, 1, 1)));
  EXPECT_EQ(ReferenceDay(2024, 2).day(), 29);
  EXPECT_EQ(ReferenceDay(2026, 12).day(), 31);
}

TEST(DuesTest, StatementTotalsCountPastMonthsOnly) {
  v1::DuesStatement s;
  auto add = [&](int month, v1::DuesMonthState state, int64_t due,
                 int64_t paid) {
    v1::DuesStatementMonth* m = s.add_months();
    m->mutable_month()->set_year(2026);
    m->mutable_month()->set_month(month);
    m->set_state(state);
    m->set_due_vnd(due);
    m->set_paid_vnd(paid);
  };
  add(8, v1::DUES_MONTH_STATE_NOT_DUE, 0, 0);
  add(9, v1::DUES_MONTH_STATE_UNPAID, 5000, 0);
  add(10, v1::DUES_MONTH_STATE_PARTIAL, 5000, 2000);
  add(11, v1::DUES_MONTH_STATE_FUTURE, 5000, 0);
  add(12, v1::DUES_MONTH_STATE_PAID, 5000, 5000);  // paid in advance
  FillStatementTotals(s, D(2026, 11, 24));
  EXPECT_EQ(s.total_due_vnd(), 15000);
  EXPECT_EQ(s.total_paid_vnd(), 7000);
  EXPECT_EQ(s.arrears_vnd(), 8000);
  EXPECT_EQ(s.unpaid_months(), 1);
}

// A cell keeps at most 30% (rule set 2025-07-01), rounded down.
TEST(DuesTest, RemittanceRules) {
  EXPECT_EQ(RetainedShareLimit(100001, Rules().dues(), "CELL"), 30000);
  EXPECT_EQ(RetainedShareLimit(100000, Rules().dues(), "GRASSROOTS"), 50000);
  EXPECT_EQ(RetainedShareLimit(100000, Rules().dues(), "PROVINCE"), 0);
  v1::DuesRemittance r;
  r.set_amount_retained_vnd(30000);
  r.set_amount_remitted_vnd(70000);
  EXPECT_TRUE(CheckRemittance(r, 100000, "CELL", Rules(), "x").empty());
  r.set_amount_retained_vnd(30001);
  r.set_amount_remitted_vnd(69999);
  std::vector<RuleViolation> unmet =
      CheckRemittance(r, 100000, "CELL", Rules(), "x");
  EXPECT_TRUE(Has(unmet, "dues.retained_share"));
  EXPECT_FALSE(Has(unmet, "dues.remit_total"));
  r.set_amount_retained_vnd(30000);
  r.set_amount_remitted_vnd(69000);
  unmet = CheckRemittance(r, 100000, "CELL", Rules(), "x");
  EXPECT_TRUE(Has(unmet, "dues.remit_total"));
  EXPECT_FALSE(Has(unmet, "dues.retained_share"));
}

}  // namespace
}  // namespace partydev::membership::domain
