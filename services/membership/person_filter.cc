#include "services/membership/person_filter.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/errors.h"
#include "services/membership/cell_life_records.h"

namespace partydev::membership {
namespace {

// The computed facts a term may name, and whether each is a boolean.
struct FactName {
  absl::string_view name;
  bool boolean;
};
constexpr FactName kFacts[] = {{"residence_registered", true},
                               {"residential_comment_missing", false},
                               {"dues_unpaid_months", false},
                               {"absent_months", false}};

// Splits `text` at the word AND outside quotes.
std::vector<std::string> SplitTerms(absl::string_view text) {
  std::vector<std::string> terms;
  std::string current;
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote != 0) {
      if (c == '\\' && i + 1 < text.size()) {
        current += c;
        current += text[++i];
        continue;
      }
      if (c == quote) quote = 0;
      current += c;
      continue;
    }
    if (c == '"' || c == '\'') quote = c;
    const bool at_word = (i == 0 || text[i - 1] == ' ') &&
                         text.substr(i, 3) == "AND" &&
                         (i + 3 == text.size() || text[i + 3] == ' ');
    if (quote == 0 && at_word) {
      terms.push_back(std::string(absl::StripAsciiWhitespace(current)));
      current.clear();
      i += 2;
      continue;
    }
    current += c;
  }
  terms.push_back(std::string(absl::StripAsciiWhitespace(current)));
  return terms;
}

bool Compare(int64_t actual, absl::string_view op, int64_t value) {
  if (op == "=") return actual == value;
  if (op == "!=") return actual != value;
  if (op == "<") return actual < value;
  if (op == "<=") return actual <= value;
  if (op == ">") return actual > value;
  return actual >= value;
}

}  // namespace

absl::StatusOr<PersonFilter> PersonFilter::Parse(absl::string_view text,
                                                 const Principal& caller) {
  PersonFilter filter;
  if (absl::StripAsciiWhitespace(text).empty()) return filter;
  filter.empty_ = false;
  std::vector<std::string> own_terms;
  for (const std::string& term : SplitTerms(text)) {
    const FactName* fact = nullptr;
    for (const FactName& f : kFacts) {
      if (absl::StartsWith(term, f.name) &&
          (term.size() == f.name.size() ||
           (!absl::ascii_isalnum(term[f.name.size()]) &&
            term[f.name.size()] != '_'))) {
        fact = &f;
      }
    }
    if (fact == nullptr) {
      if (absl::StrContains(term, "date_of_birth") &&
          !caller.HasRole(roles::kPersonalData) &&
          !caller.HasRole(roles::kAdmin)) {
        return WithReason(absl::PermissionDeniedError(
                              "filter: a term on date_of_birth needs the "
                              "role personal_data"),
                          "ROLE_REQUIRED");
      }
      own_terms.push_back(term);
      continue;
    }
    absl::string_view rest = absl::StripAsciiWhitespace(
        absl::string_view(term).substr(fact->name.size()));
    FactTerm parsed;
    parsed.name = std::string(fact->name);
    for (absl::string_view op : {"!=", "<=", ">=", "=", "<", ">"}) {
      if (absl::StartsWith(rest, op)) {
        parsed.op = std::string(op);
        rest = absl::StripAsciiWhitespace(rest.substr(op.size()));
        break;
      }
    }
    bool ok = !parsed.op.empty();
    if (ok && fact->boolean) {
      ok = (parsed.op == "=" || parsed.op == "!=") &&
           (rest == "true" || rest == "false");
      parsed.value = rest == "true" ? 1 : 0;
    } else if (ok) {
      ok = absl::SimpleAtoi(rest, &parsed.value);
      if (parsed.name == "residential_comment_missing") {
        ok = ok && parsed.op == "=" && parsed.value >= 2000;
      }
    }
    if (!ok) {
      return InvalidField(
          "filter",
          absl::StrCat("\"", term, "\": ",
                       fact->boolean ? absl::StrCat(fact->name, " = true|false")
                       : parsed.name == "residential_comment_missing"
                           ? "residential_comment_missing = YEAR"
                           : absl::StrCat(fact->name, " <op> a number")));
    }
    filter.facts_.push_back(std::move(parsed));
  }
  absl::StatusOr<Filter> own = Filter::Parse(
      absl::StrJoin(own_terms, " AND "), *v1::Person::descriptor(),
      {"gender", "general_education", "date_of_birth", "first_admitted_on",
       "official_on", "party_age_months", "dues.category"});
  if (!own.ok()) return own.status();
  filter.own_ = *std::move(own);
  return filter;
}

absl::StatusOr<bool> PersonFilter::Matches(
    MembershipContext& context, const v1::Person& person,
    const common::v1::Date& today) const {
  if (!own_.Matches(person)) return false;
  for (const FactTerm& term : facts_) {
    int64_t actual = 0;
    if (term.name == "residence_registered") {
      absl::StatusOr<std::optional<v1::ResidentialRegistration>> active =
          ActiveRegistrationOf(context, person.name());
      if (!active.ok()) return active.status();
      actual = active->has_value() ? 1 : 0;
    } else if (term.name == "residential_comment_missing") {
      // Comments come from the residential cell of a registration: a
      // member who is not registered has none to miss (the term
      // residence_registered lists those).
      absl::StatusOr<std::optional<v1::ResidentialRegistration>> active =
          ActiveRegistrationOf(context, person.name());
      if (!active.ok()) return active.status();
      if (!active->has_value()) return false;
      absl::StatusOr<Stored<v1::ResidentialComment>> comment =
          context.records().Get<v1::ResidentialComment>(
              absl::StrCat(person.name(), "/residentialComments/", term.value));
      if (comment.ok()) return false;
      if (!absl::IsNotFound(comment.status())) return comment.status();
      continue;
    } else if (term.name == "dues_unpaid_months") {
      if (!IsMemberOnRolls(person)) return false;
      absl::StatusOr<v1::DuesStatement> statement =
          ComputeDuesStatement(context, person, today.year(), today);
      if (!statement.ok()) return statement.status();
      actual = statement->unpaid_months();
    } else {  // absent_months
      if (!IsMemberOnRolls(person)) return false;
      v1::ReportPeriod period;
      period.set_year(today.year());
      absl::StatusOr<v1::MemberAttendanceRate> rate =
          AttendanceRateOf(context, person, period);
      if (!rate.ok()) return rate.status();
      actual = rate->absent_months_size();
    }
    if (!Compare(actual, term.op, term.value)) return false;
  }
  return true;
}

}  // namespace partydev::membership
