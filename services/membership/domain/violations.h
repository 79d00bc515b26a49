// File: services/membership/domain/violations.h
//
// Collects the unmet rules of a step so that a refused step lists EVERY
// unmet rule at once (AIP-193 PreconditionFailure; a secretary fixes the
// whole file in one go instead of one rule per round trip). Each violation
// carries the rule id (the RuleSet field path, e.g.
// "admission.min_age_months", or for a rule without a number its name,
// e.g. "mentor.same_cell"), the subject (a person or field) and a
// description in Vietnamese with the facts of the case, to which the
// citation of the rule in the rule set is appended.
//
// Example:
//   Violations unmet(rules);
//   unmet.Add("admission.introducer_shared_months", "people/12",
//             "Người giới thiệu Nguyễn Văn B mới sinh hoạt cùng đơn vị với "
//             "quần chúng 8 tháng; cần ít nhất 12 tháng");
//   std::vector<RuleViolation> list = unmet.Take();
//   // list[0].description == "Người giới thiệu Nguyễn Văn B ... 12 tháng
//   //                         (Điều lệ Đảng 2011, Điều 4)."

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_VIOLATIONS_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_VIOLATIONS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/errors.h"
#include "partydev/membership/v1/rules.pb.h"

namespace partydev::membership::domain {

class Violations {
 public:
  // `rules` gives the citations; it must outlive this object.
  explicit Violations(const v1::RuleSet& rules) : rules_(rules) {}

  // Adds an unmet rule. `facts` is a sentence without its final period; the
  // rule's citation is appended in parentheses when the rule set has one.
  void Add(absl::string_view rule, absl::string_view subject,
           absl::string_view facts);

  // Adds every violation of `more` as it is.
  void Append(std::vector<RuleViolation> more);

  bool empty() const { return list_.empty(); }

  // The violations so far, in the order added.
  const std::vector<RuleViolation>& list() const { return list_; }

  // Moves the violations out.
  std::vector<RuleViolation> Take() { return std::move(list_); }

 private:
  const v1::RuleSet& rules_;
  std::vector<RuleViolation> list_;
};

// OK when `unmet` is empty, else FAILED_PRECONDITION listing them all
// (partydev::RulesViolated).
absl::Status StatusOf(std::vector<RuleViolation> unmet);

// The name to print for a person: `full_name`, or the resource name when
// the full name is withheld or unknown.
std::string NameOr(absl::string_view full_name, absl::string_view resource);

// "2/3": a fraction as a secretary writes it.
std::string FormatFraction(const v1::Fraction& fraction);

// Whether `count` reaches `fraction` of `total`: count * d >= n * total,
// computed exactly (types.proto: rule numbers are fractions, not floats).
bool Reaches(int count, int total, const v1::Fraction& fraction);

// The least count that reaches `fraction` of `total` (6 for 2/3 of 9, 6 for
// 2/3 of 8).
int LeastReaching(int total, const v1::Fraction& fraction);

}  // namespace partydev::membership::domain

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_VIOLATIONS_H_
