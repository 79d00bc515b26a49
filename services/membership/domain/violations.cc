#include "services/membership/domain/violations.h"

#include "absl/strings/str_cat.h"
#include "services/membership/domain/rule_sets.h"

namespace partydev::membership::domain {

void Violations::Add(absl::string_view rule, absl::string_view subject,
                     absl::string_view facts) {
  const std::string citation = CitationOf(rules_, rule);
  std::string description = citation.empty()
                                ? absl::StrCat(facts, ".")
                                : absl::StrCat(facts, " (", citation, ").");
  list_.push_back(
      {std::string(rule), std::string(subject), std::move(description)});
}

void Violations::Append(std::vector<RuleViolation> more) {
  for (RuleViolation& v : more) list_.push_back(std::move(v));
}

absl::Status StatusOf(std::vector<RuleViolation> unmet) {
  if (unmet.empty()) return absl::OkStatus();
  return RulesViolated(std::move(unmet));
}

std::string NameOr(absl::string_view full_name, absl::string_view resource) {
  return std::string(full_name.empty() ? resource : full_name);
}

std::string FormatFraction(const v1::Fraction& fraction) {
  return absl::StrCat(fraction.numerator(), "/", fraction.denominator());
}

bool Reaches(int count, int total, const v1::Fraction& fraction) {
  return static_cast<int64_t>(count) * fraction.denominator() >=
         static_cast<int64_t>(fraction.numerator()) * total;
}

int LeastReaching(int total, const v1::Fraction& fraction) {
  const int64_t needed = static_cast<int64_t>(fraction.numerator()) * total;
  const int64_t d = fraction.denominator();
  return static_cast<int>((needed + d - 1) / d);
}

}  // namespace partydev::membership::domain
