#include "services/membership/domain/dues.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "services/membership/domain/party_age.h"
#include "services/membership/domain/violations.h"

namespace partydev::membership::domain {
namespace {

using ::partydev::common::v1::Date;

// rate (basis points) × base, rounded to the nearest `unit` (half up): the
// amount a treasurer collects in notes (unit 1,000 đ by default).
int64_t RateOf(int64_t base_vnd, int32_t basis_points, int64_t unit) {
  if (base_vnd <= 0 || basis_points <= 0) return 0;
  const int64_t scaled = base_vnd * basis_points;  // in 1/10,000 đồng
  if (unit <= 0) return (scaled + 5000) / 10000;
  const int64_t step = unit * 10000;
  return (scaled + step / 2) / step * unit;
}

int MonthIndex(int year, int month) { return year * 12 + month - 1; }

}  // namespace

int64_t MonthlyAmount(const v1::DuesProfile& profile,
                      const v1::DuesRules& rules) {
  int64_t amount = 0;
  switch (profile.category()) {
    case v1::DUES_CATEGORY_SALARY:
      amount =
          RateOf(profile.base_amount_vnd(), rules.salary_rate_basis_points(),
                 rules.rounding_unit_vnd());
      break;
    case v1::DUES_CATEGORY_PENSION:
      amount =
          RateOf(profile.base_amount_vnd(), rules.pension_rate_basis_points(),
                 rules.rounding_unit_vnd());
      break;
    case v1::DUES_CATEGORY_STUDENT:
      amount = rules.student_monthly_vnd();
      break;
    case v1::DUES_CATEGORY_FIXED_AMOUNT:
      amount = rules.fixed_monthly_vnd();
      break;
    case v1::DUES_CATEGORY_EXEMPT_BY_PARTY_AGE:
      return 0;
    default:
      // No category recorded: the amount is unknown (see the header).
      return 0;
  }
  return amount + std::max<int64_t>(0, profile.voluntary_extra_vnd());
}

Date ReferenceDay(int year, int month) {
  const absl::CivilMonth next = absl::CivilMonth(year, month) + 1;
  return FromCivilDay(absl::CivilDay(next) - 1);
}

absl::StatusOr<MonthDue> DueForMonth(const MemberDuesFacts& facts, int year,
                                     int month, const v1::DuesRules& rules) {
  MonthDue due;
  const Date reference = ReferenceDay(year, month);
  const absl::CivilDay day = CivilDayOf(reference);
  if (IsUnset(facts.member_from) || CivilDayOf(facts.member_from) > day) {
    return due;
  }
  if (!IsUnset(facts.member_until) && CivilDayOf(facts.member_until) <= day) {
    return due;
  }
  // Free from the rule set's party age (01-QĐ/TW: 50 years), counted with
  // the gaps that do not count (Party Charter art. 6).
  const Date& first = IsUnset(facts.first_admitted_on)
                          ? facts.member_from
                          : facts.first_admitted_on;
  absl::StatusOr<v1::PartyAge> age =
      ComputePartyAge(first, facts.gaps, reference, rules);
  if (!age.ok()) return age.status();
  if (rules.free_from_party_age_years() > 0 &&
      age->years() >= rules.free_from_party_age_years()) {
    due.free_by_party_age = true;
    return due;
  }
  due.owed = true;
  due.amount_vnd = MonthlyAmount(facts.profile, rules);
  return due;
}

bool IsPastMonth(int year, int month, const Date& today) {
  return MonthIndex(year, month) < MonthIndex(today.year(), today.month());
}

v1::DuesMonthState PaymentState(int64_t due_vnd, int64_t paid_vnd) {
  return paid_vnd >= due_vnd ? v1::DUES_MONTH_STATE_PAID
                             : v1::DUES_MONTH_STATE_PARTIAL;
}

v1::DuesMonthState MonthState(const MonthDue& due,
                              std::optional<int64_t> paid_vnd, bool past) {
  if (!due.owed) return v1::DUES_MONTH_STATE_NOT_DUE;
  if (paid_vnd.has_value()) return PaymentState(due.amount_vnd, *paid_vnd);
  return past ? v1::DUES_MONTH_STATE_UNPAID : v1::DUES_MONTH_STATE_FUTURE;
}

void FillStatementTotals(v1::DuesStatement& statement, const Date& today) {
  int64_t total_due = 0;
  int64_t total_paid = 0;
  int64_t arrears = 0;
  int unpaid = 0;
  const int now = MonthIndex(today.year(), today.month());
  for (const v1::DuesStatementMonth& m : statement.months()) {
    const int index = MonthIndex(m.month().year(), m.month().month());
    total_paid += m.paid_vnd();
    if (m.state() == v1::DUES_MONTH_STATE_NOT_DUE) continue;
    if (index <= now) total_due += m.due_vnd();
    if (index < now) {
      arrears += std::max<int64_t>(0, m.due_vnd() - m.paid_vnd());
      if (m.state() == v1::DUES_MONTH_STATE_UNPAID) ++unpaid;
    }
  }
  statement.set_total_due_vnd(total_due);
  statement.set_total_paid_vnd(total_paid);
  statement.set_arrears_vnd(arrears);
  statement.set_unpaid_months(unpaid);
}

int64_t RetainedShareLimit(int64_t collected_vnd, const v1::DuesRules& rules,
                           absl::string_view level) {
  for (const v1::DuesRetention& r : rules.retention()) {
    if (r.level() == level) {
      return std::max<int64_t>(0, collected_vnd) * r.basis_points() / 10000;
    }
  }
  return 0;
}

std::vector<RuleViolation> CheckRemittance(const v1::DuesRemittance& remittance,
                                           int64_t collected_vnd,
                                           absl::string_view level,
                                           const v1::RuleSet& rules,
                                           absl::string_view subject) {
  Violations unmet(rules);
  const int64_t limit = RetainedShareLimit(collected_vnd, rules.dues(), level);
  if (remittance.amount_retained_vnd() > limit) {
    unmet.Add("dues.retained_share", subject,
              absl::StrCat("Tổ chức cấp ", level, " giữ lại ",
                           remittance.amount_retained_vnd(),
                           " đ, vượt mức được giữ lại ", limit, " đ trên ",
                           collected_vnd, " đ đã thu"));
  }
  if (remittance.amount_remitted_vnd() + remittance.amount_retained_vnd() !=
      collected_vnd) {
    unmet.Add(
        "dues.remit_total", subject,
        absl::StrCat("Số nộp lên ", remittance.amount_remitted_vnd(),
                     " đ cộng số giữ lại ", remittance.amount_retained_vnd(),
                     " đ phải bằng số đã thu ", collected_vnd, " đ"));
  }
  return unmet.Take();
}

}  // namespace partydev::membership::domain
