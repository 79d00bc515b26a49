#include "services/membership/domain/rule_sets.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/dates.h"
#include "common/errors.h"
#include "common/json_config.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace partydev::membership::domain {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// The groups of a rule set; each must be present, complete and cited.
constexpr const char* kGroups[] = {
    "admission",      "transfers",      "removal",
    "dues",           "classification", "meetings",
    "early_warnings", "evaluations",    "organization"};

void CheckFraction(const v1::Fraction& f, const std::string& path,
                   FieldChecker& check) {
  if (f.denominator() <= 0 || f.numerator() <= 0 ||
      f.numerator() > f.denominator()) {
    check.Add(path, absl::StrFormat("must be a fraction n/d with 0 < n <= d, "
                                    "got %d/%d",
                                    f.numerator(), f.denominator()));
  }
}

// Every singular number > 0, enum set, string non-empty, message present
// (recursively); every repeated field non-empty. Booleans may be false.
void CheckComplete(const Message& m, const std::string& prefix,
                   FieldChecker& check) {
  const auto* descriptor = m.GetDescriptor();
  const Reflection* r = m.GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* f = descriptor->field(i);
    const std::string path = absl::StrCat(prefix, ".", f->name());
    if (f->is_repeated()) {
      if (r->FieldSize(m, f) == 0) check.Add(path, "must not be empty");
      continue;
    }
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        if (r->GetInt32(m, f) <= 0) check.Add(path, "must be > 0");
        break;
      case FieldDescriptor::CPPTYPE_INT64:
        if (r->GetInt64(m, f) <= 0) check.Add(path, "must be > 0");
        break;
      case FieldDescriptor::CPPTYPE_DOUBLE:
        if (!(r->GetDouble(m, f) > 0)) check.Add(path, "must be > 0");
        break;
      case FieldDescriptor::CPPTYPE_ENUM:
        if (r->GetEnumValue(m, f) == 0) check.Add(path, "is required");
        break;
      case FieldDescriptor::CPPTYPE_STRING:
        if (r->GetString(m, f).empty()) check.Add(path, "is required");
        break;
      case FieldDescriptor::CPPTYPE_MESSAGE:
        if (!r->HasField(m, f)) {
          check.Add(path, "is required");
        } else if (f->message_type() == v1::Fraction::descriptor()) {
          CheckFraction(static_cast<const v1::Fraction&>(r->GetMessage(m, f)),
                        path, check);
        } else {
          CheckComplete(r->GetMessage(m, f), path, check);
        }
        break;
      default:  // Booleans, unsigned (unused): any value is sane.
        break;
    }
  }
}

void CheckOrdered(double low, double high, const std::string& low_path,
                  const std::string& high_path, FieldChecker& check) {
  if (!(low < high)) {
    check.Add(high_path, absl::StrCat("must be greater than ", low_path));
  }
}

void CheckClassification(const v1::ClassificationRules& c,
                         FieldChecker& check) {
  CheckOrdered(c.completed_min_score(), c.good_min_score(),
               "classification.completed_min_score",
               "classification.good_min_score", check);
  CheckOrdered(c.good_min_score(), c.excellent_min_score(),
               "classification.good_min_score",
               "classification.excellent_min_score", check);
  if (c.excellent_min_score() > c.max_score()) {
    check.Add("classification.excellent_min_score",
              "must not exceed classification.max_score");
  }
  double members = 0, organizations = 0;
  std::set<std::pair<std::string, bool>> codes;
  for (int i = 0; i < c.criteria_size(); ++i) {
    const v1::CriterionDefinition& criterion = c.criteria(i);
    const std::string path = absl::StrCat("classification.criteria[", i, "]");
    if (criterion.code().empty()) check.Add(path + ".code", "is required");
    if (criterion.title().empty()) check.Add(path + ".title", "is required");
    if (!(criterion.max_score() > 0)) {
      check.Add(path + ".max_score", "must be > 0");
    }
    if (!codes.insert({criterion.code(), criterion.for_members()}).second) {
      check.Add(path + ".code", "appears twice");
    }
    (criterion.for_members() ? members : organizations) +=
        criterion.max_score();
  }
  if (std::abs(members - c.max_score()) > 1e-9) {
    check.Add("classification.criteria",
              absl::StrCat("members' criteria add up to ", members,
                           ", not max_score ", c.max_score()));
  }
  if (std::abs(organizations - c.max_score()) > 1e-9) {
    check.Add("classification.criteria",
              absl::StrCat("organisations' criteria add up to ", organizations,
                           ", not max_score ", c.max_score()));
  }
}

void CheckOrganization(const v1::OrganizationRules& o, FieldChecker& check) {
  std::map<std::string, int> ranks;
  bool any_grassroots = false;
  for (int i = 0; i < o.levels_size(); ++i) {
    const auto& level = o.levels(i);
    const std::string path = absl::StrCat("organization.levels[", i, "]");
    if (level.code().empty()) check.Add(path + ".code", "is required");
    if (level.display_name().empty()) {
      check.Add(path + ".display_name", "is required");
    }
    if (level.rank() < 0) check.Add(path + ".rank", "must be >= 0");
    if (!ranks.emplace(level.code(), level.rank()).second) {
      check.Add(path + ".code", "appears twice");
    }
    any_grassroots = any_grassroots || level.grassroots();
  }
  if (!any_grassroots) {
    check.Add("organization.levels", "no level is marked grassroots");
  }
  for (int i = 0; i < o.levels_size(); ++i) {
    const auto& level = o.levels(i);
    for (const std::string& parent : level.allowed_parent_levels()) {
      const std::string path =
          absl::StrCat("organization.levels[", i, "].allowed_parent_levels");
      auto it = ranks.find(parent);
      if (it == ranks.end()) {
        check.Add(path, absl::StrCat("names undefined level ", parent));
      } else if (it->second >= level.rank()) {
        check.Add(path, absl::StrCat("parent level ", parent,
                                     " must rank above ", level.code()));
      }
    }
  }
  std::set<std::string> kinds;
  for (int i = 0; i < o.kinds_size(); ++i) {
    const auto& kind = o.kinds(i);
    const std::string path = absl::StrCat("organization.kinds[", i, "]");
    if (kind.code().empty()) check.Add(path + ".code", "is required");
    if (kind.display_name().empty()) {
      check.Add(path + ".display_name", "is required");
    }
    if (kind.organization_class() == v1::ORGANIZATION_CLASS_UNSPECIFIED) {
      check.Add(path + ".organization_class", "is required");
    }
    if (!kinds.insert(kind.code()).second) {
      check.Add(path + ".code", "appears twice");
    }
    if (kind.allowed_levels().empty()) {
      check.Add(path + ".allowed_levels", "must not be empty");
    }
    for (const std::string& level : kind.allowed_levels()) {
      if (ranks.count(level) == 0) {
        check.Add(path + ".allowed_levels",
                  absl::StrCat("names undefined level ", level));
      }
    }
  }
}

absl::Status Prefixed(const absl::Status& status, absl::string_view prefix) {
  std::vector<FieldViolation> violations = FieldViolationsOf(status);
  if (violations.empty()) {
    return absl::Status(status.code(),
                        absl::StrCat(prefix, ": ", status.message()));
  }
  for (FieldViolation& v : violations) {
    v.field = absl::StrCat(prefix, ": ", v.field);
  }
  return InvalidFields(std::move(violations));
}

std::string DayName(absl::CivilDay day) {
  return absl::StrFormat("ruleSets/%04d-%02d-%02d", day.year(), day.month(),
                         day.day());
}

}  // namespace

absl::StatusOr<v1::RuleSet> ParseRuleSetJson(absl::string_view json,
                                             absl::string_view origin) {
  v1::RuleSet rule_set;
  absl::Status parsed = ParseProtoJson(json, origin, &rule_set);
  if (!parsed.ok()) return parsed;
  return rule_set;
}

absl::Status ValidateRuleSet(const v1::RuleSet& rs) {
  FieldChecker check;
  if (IsUnset(rs.effective_from())) {
    check.Add("effective_from", "is required");
  } else if (!IsValidDate(rs.effective_from())) {
    check.Add("effective_from", "is not a valid date");
  }
  if (rs.display_name().empty()) check.Add("display_name", "is required");
  const auto* descriptor = rs.GetDescriptor();
  for (const char* group : kGroups) {
    const FieldDescriptor* f = descriptor->FindFieldByName(group);
    if (!rs.GetReflection()->HasField(rs, f)) {
      check.Add(group, "is required");
      continue;
    }
    CheckComplete(rs.GetReflection()->GetMessage(rs, f), group, check);
  }
  const v1::AdmissionRules& a = rs.admission();
  CheckOrdered(a.min_age_months(), a.max_age_months(),
               "admission.min_age_months", "admission.max_age_months", check);
  CheckOrdered(a.youth_union_min_age_years(), a.youth_union_max_age_years(),
               "admission.youth_union_min_age_years",
               "admission.youth_union_max_age_years", check);
  const v1::TransferRules& t = rs.transfers();
  if (t.temporary_min_months() >= t.temporary_max_months_exclusive()) {
    check.Add("transfers.temporary_max_months_exclusive",
              "must be greater than transfers.temporary_min_months");
  }
  for (int i = 0; i < rs.dues().retention_size(); ++i) {
    const auto& keep = rs.dues().retention(i);
    const std::string path = absl::StrCat("dues.retention[", i, "]");
    if (keep.level().empty()) check.Add(path + ".level", "is required");
    if (keep.basis_points() <= 0 || keep.basis_points() > 10000) {
      check.Add(path + ".basis_points", "must be 1..10000");
    }
  }
  const v1::EarlyWarningRules& w = rs.early_warnings();
  CheckOrdered(w.reminder_months(), w.follow_up_months(),
               "early_warnings.reminder_months",
               "early_warnings.follow_up_months", check);
  CheckOrdered(w.follow_up_months(), w.removal_proposal_months(),
               "early_warnings.follow_up_months",
               "early_warnings.removal_proposal_months", check);
  CheckClassification(rs.classification(), check);
  CheckOrganization(rs.organization(), check);
  for (int i = 0; i < rs.sources_size(); ++i) {
    const std::string path = absl::StrCat("sources[", i, "]");
    if (rs.sources(i).rule_id().empty()) {
      check.Add(path + ".rule_id", "is required");
    }
    if (rs.sources(i).citation().empty()) {
      check.Add(path + ".citation", "is required");
    }
  }
  for (const char* group : kGroups) {
    if (CitationOf(rs, absl::StrCat(group, ".*")).empty()) {
      check.Add("sources", absl::StrCat("no source cites ", group, ".*"));
    }
  }
  return check.status();
}

std::string CitationOf(const v1::RuleSet& rule_set, absl::string_view rule_id) {
  const v1::RuleSource* best = nullptr;
  for (const v1::RuleSource& source : rule_set.sources()) {
    if (source.rule_id() == rule_id) {
      best = &source;
      break;
    }
  }
  if (best == nullptr) {
    const std::string group =
        absl::StrCat(rule_id.substr(0, rule_id.find('.')), ".*");
    for (const v1::RuleSource& source : rule_set.sources()) {
      if (source.rule_id() == group) best = &source;
    }
  }
  if (best == nullptr) return "";
  if (best->unconfirmed())
    return absl::StrCat(best->citation(), " (chưa xác nhận)");
  return best->citation();
}

absl::StatusOr<RuleSetRegistry> RuleSetRegistry::LoadDirectory(
    const std::string& directory) {
  absl::StatusOr<std::vector<ConfigFile>> files = ReadJsonFiles(directory);
  if (!files.ok()) return files.status();
  std::vector<v1::RuleSet> rule_sets;
  for (const ConfigFile& file : *files) {
    absl::StatusOr<v1::RuleSet> rule_set =
        ParseRuleSetJson(file.text, file.path);
    if (!rule_set.ok()) return rule_set.status();
    absl::Status valid = ValidateRuleSet(*rule_set);
    if (!valid.ok()) return Prefixed(valid, file.path);
    rule_sets.push_back(*std::move(rule_set));
  }
  return FromRuleSets(std::move(rule_sets));
}

absl::StatusOr<RuleSetRegistry> RuleSetRegistry::FromRuleSets(
    std::vector<v1::RuleSet> rule_sets) {
  for (v1::RuleSet& rs : rule_sets) {
    absl::Status valid = ValidateRuleSet(rs);
    if (!valid.ok()) {
      return Prefixed(valid, rs.name().empty() ? rs.display_name() : rs.name());
    }
    if (rs.name().empty()) {
      rs.set_name(DayName(CivilDayOf(rs.effective_from())));
    }
  }
  std::sort(rule_sets.begin(), rule_sets.end(),
            [](const v1::RuleSet& a, const v1::RuleSet& b) {
              return CivilDayOf(a.effective_from()) <
                     CivilDayOf(b.effective_from());
            });
  std::set<std::string> names;
  for (size_t i = 0; i < rule_sets.size(); ++i) {
    v1::RuleSet& rs = rule_sets[i];
    if (!names.insert(rs.name()).second) {
      return InvalidField(rs.name(), "two rule sets have this name");
    }
    const absl::CivilDay from = CivilDayOf(rs.effective_from());
    if (i + 1 == rule_sets.size()) {
      if (!IsUnset(rs.effective_until())) {
        return InvalidField(absl::StrCat(rs.name(), ": effective_until"),
                            "the current rule set has no end");
      }
      continue;
    }
    const absl::CivilDay next = CivilDayOf(rule_sets[i + 1].effective_from());
    if (next == from) {
      return InvalidField(
          absl::StrCat(rs.name(), ": effective_from"),
          absl::StrCat("two rule sets take effect on ", FormatDay(from)));
    }
    const Date until = FromCivilDay(next - 1);
    if (!IsUnset(rs.effective_until()) &&
        CivilDayOf(rs.effective_until()) != next - 1) {
      return InvalidField(absl::StrCat(rs.name(), ": effective_until"),
                          absl::StrCat("must be ", FormatDay(next - 1),
                                       ", the day before the next rule set"));
    }
    *rs.mutable_effective_until() = until;
  }
  RuleSetRegistry registry;
  registry.rule_sets_ = std::move(rule_sets);
  return registry;
}

absl::StatusOr<const v1::RuleSet*> RuleSetRegistry::ForDay(
    absl::CivilDay day) const {
  const v1::RuleSet* found = nullptr;
  for (const v1::RuleSet& rs : rule_sets_) {
    if (CivilDayOf(rs.effective_from()) > day) break;
    found = &rs;
  }
  if (found == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("no rule set is in force on ", FormatDay(day)));
  }
  return found;
}

absl::StatusOr<const v1::RuleSet*> RuleSetRegistry::ForDate(
    const ::partydev::common::v1::Date& date, absl::string_view field) const {
  absl::StatusOr<absl::CivilDay> day = ToCivilDay(date, field);
  if (!day.ok()) return day.status();
  return ForDay(*day);
}

absl::StatusOr<const v1::RuleSet*> RuleSetRegistry::Get(
    absl::string_view name) const {
  for (const v1::RuleSet& rs : rule_sets_) {
    if (rs.name() == name) return &rs;
  }
  return absl::NotFoundError(absl::StrCat("no rule set ", name));
}

absl::StatusOr<const v1::RuleSet*> RuleSetRegistry::ForDateOrEarliest(
    const ::partydev::common::v1::Date& date, absl::string_view field) const {
  absl::StatusOr<const v1::RuleSet*> found = ForDate(date, field);
  if (absl::IsNotFound(found.status()) && !rule_sets_.empty()) {
    return &rule_sets_.front();
  }
  return found;
}

}  // namespace partydev::membership::domain
