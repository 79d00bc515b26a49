// File: services/membership/domain/dues.h
//
// Party dues (đảng phí): what a member owes for a month, the state of a
// month, a year's statement and the share of a collection a cell keeps.
// Amounts are whole đồng; rates and amounts come from the rule set's
// DuesRules (Quy định 01-QĐ/TW 2026 by default: 1% of the insured salary,
// 0.5% of a pension, 5,000 đ a month for students, free from 50 years of
// party age).
//
// A month is judged on its last day (its reference day): the member owes
// it when she is a member on that day (admitted on or before it, not gone
// from the rolls by then), unless her party age on that day reaches the rule
// set's threshold; the rule set in force on that day gives the amounts. One day
// for every question keeps the month of admission owed and the month of
// departure not, and makes a statement and a collection always agree.
//
// Example:
//   MemberDuesFacts facts;
//   facts.member_from = admission;
//   facts.first_admitted_on = admission;
//   facts.profile = person.dues();
//   absl::StatusOr<MonthDue> due = DueForMonth(facts, 2026, 3, rules.dues());
//   v1::DuesMonthState state =
//       MonthState(*due, paid_or_nullopt, IsPastMonth(2026, 3, today));

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_DUES_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_DUES_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/errors.h"
#include "partydev/common/v1/types.pb.h"
#include "partydev/membership/v1/dues.pb.h"
#include "partydev/membership/v1/lifecycle.pb.h"
#include "partydev/membership/v1/rules.pb.h"

namespace partydev::membership::domain {

// The monthly dues of `profile` under `rules`, whatever the party age:
// SALARY and PENSION the rate (basis points) of base_amount_vnd rounded to
// the nearest rounding_unit_vnd (half up); STUDENT and FIXED_AMOUNT the
// rule set's amount; plus voluntary_extra_vnd. EXEMPT_BY_PARTY_AGE owes
// nothing. An unknown category (no profile recorded) gives 0: the amount
// is unknown, not waived (MonthState still asks for a payment).
int64_t MonthlyAmount(const v1::DuesProfile& profile,
                      const v1::DuesRules& rules);

// What decides a member's dues.
struct MemberDuesFacts {
  // The day she became a member (the latest admission decision); unset:
  // not a member.
  ::partydev::common::v1::Date member_from;
  // The day she left the rolls (removal, expulsion, transfer out...);
  // unset while on the rolls.
  ::partydev::common::v1::Date member_until;
  // The start of party age (the first admission decision) and the gaps
  // that do not count (party_age.h).
  ::partydev::common::v1::Date first_admitted_on;
  std::vector<v1::PartyAgeGap> gaps;
  // The dues profile (Person.dues).
  v1::DuesProfile profile;
};

// What a member owes for one month.
struct MonthDue {
  // False: nothing is owed (not a member on the reference day, or free by
  // party age): the month is NOT_DUE.
  bool owed = false;
  // True when nothing is owed only because of the party age.
  bool free_by_party_age = false;
  // The amount owed (0 when not owed, or when the amount is unknown).
  int64_t amount_vnd = 0;
};

// The last day of the month: the day a month's dues are judged on.
::partydev::common::v1::Date ReferenceDay(int year, int month);

// What `facts` owe for (year, month) under `rules` (the rule set in force
// on the reference day). INVALID_ARGUMENT from party_age.h for invalid
// dates of the facts.
absl::StatusOr<MonthDue> DueForMonth(const MemberDuesFacts& facts, int year,
                                     int month, const v1::DuesRules& rules);

// Whether (year, month) has begun as of `today` and is over: months
// before today's month are past (their dues are late when unpaid); today's
// month and later are still FUTURE for a statement (not yet in arrears).
bool IsPastMonth(int year, int month,
                 const ::partydev::common::v1::Date& today);

// The state of a payment of `paid_vnd` against `due_vnd`: PAID when it
// covers the amount (or the amount is unknown, 0), else PARTIAL.
v1::DuesMonthState PaymentState(int64_t due_vnd, int64_t paid_vnd);

// The state of a month: NOT_DUE when nothing is owed; PAID or PARTIAL when
// a payment is recorded (`paid_vnd` set, an advance payment included);
// else UNPAID for a past month and FUTURE for today's month and later.
v1::DuesMonthState MonthState(const MonthDue& due,
                              std::optional<int64_t> paid_vnd, bool past);

// Fills the totals of a statement whose `months` are set, as of `today`:
// total_due_vnd over the months up to today's month, total_paid_vnd over
// every month of the year, arrears_vnd (the unpaid rest of past months)
// and unpaid_months (past months with nothing paid: three in a year
// without good reason is a ground for removal, Party Charter art. 8).
void FillStatementTotals(v1::DuesStatement& statement,
                         const ::partydev::common::v1::Date& today);

// The most an organisation of `level` ("CELL", "GRASSROOTS") may keep of
// `collected_vnd`: its DuesRules.retention basis points, rounded down (0
// when the rule set gives the level no share).
int64_t RetainedShareLimit(int64_t collected_vnd, const v1::DuesRules& rules,
                           absl::string_view level);

// The rules of a remittance of `collected_vnd` by an organisation of
// `level`, as violations of `subject`: `dues.retained_share` (the amount
// kept within the level's share) and `dues.remit_total` (remitted +
// retained = collected). Empty when met.
std::vector<RuleViolation> CheckRemittance(const v1::DuesRemittance& remittance,
                                           int64_t collected_vnd,
                                           absl::string_view level,
                                           const v1::RuleSet& rules,
                                           absl::string_view subject);

}  // namespace partydev::membership::domain

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_DUES_H_
