#include "services/membership/organization_tree.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace partydev::membership {
namespace {

using v1::OrganizationKindDefinition;
using v1::OrganizationLevelDefinition;

const OrganizationLevelDefinition* FindLevel(const OrganizationRules& rules,
                                             const std::string& code) {
  for (const auto& level : rules.levels()) {
    if (level.code() == code) return &level;
  }
  return nullptr;
}

const OrganizationKindDefinition* FindKind(const OrganizationRules& rules,
                                           const std::string& code) {
  for (const auto& kind : rules.kinds()) {
    if (kind.code() == code) return &kind;
  }
  return nullptr;
}

bool Contains(const google::protobuf::RepeatedPtrField<std::string>& list,
              const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool IsAttachedUnit(v1::OrganizationClass c) {
  return c == v1::ORGANIZATION_CLASS_DEPARTMENT ||
         c == v1::ORGANIZATION_CLASS_MASS_ORGANIZATION;
}

}  // namespace

std::string OrganizationId(const std::string& name) {
  constexpr absl::string_view kPrefix = "organizations/";
  if (!absl::StartsWith(name, kPrefix)) return "";
  std::string id = name.substr(kPrefix.size());
  return id.find('/') == std::string::npos ? id : "";
}

void DeriveStructure(const OrganizationRules& rules, const Organization* parent,
                     Organization& org) {
  if (const auto* kind = FindKind(rules, org.kind())) {
    org.set_organization_class(kind->organization_class());
  }
  if (const auto* level = FindLevel(rules, org.level())) {
    org.set_grassroots(level->grassroots());
  }
  org.clear_path();
  if (parent != nullptr) {
    org.set_parent(parent->name());
    for (const auto& p : parent->path()) org.add_path(p);
  } else {
    org.clear_parent();
  }
  org.add_path(org.name());
  org.set_depth(org.path_size() - 1);
}

std::vector<RuleViolation> CheckPlacement(const OrganizationRules& rules,
                                          const Organization& org,
                                          const Organization* parent) {
  std::vector<RuleViolation> unmet;
  const auto* kind = FindKind(rules, org.kind());
  const auto* level = FindLevel(rules, org.level());
  if (kind == nullptr) {
    std::vector<std::string> known;
    for (const auto& k : rules.kinds()) known.push_back(k.code());
    unmet.push_back({"tree.kind_unknown", "organization.kind",
                     absl::StrCat("Loại tổ chức \"", org.kind(),
                                  "\" không có trong bộ quy tắc đang áp dụng "
                                  "(có: ",
                                  absl::StrJoin(known, ", "), ").")});
  }
  if (level == nullptr) {
    std::vector<std::string> known;
    for (const auto& l : rules.levels()) known.push_back(l.code());
    unmet.push_back({"tree.level_unknown", "organization.level",
                     absl::StrCat("Cấp \"", org.level(),
                                  "\" không có trong bộ quy tắc đang áp dụng "
                                  "(có: ",
                                  absl::StrJoin(known, ", "), ").")});
  }
  if (kind != nullptr && level != nullptr && kind->allowed_levels_size() > 0 &&
      !Contains(kind->allowed_levels(), org.level())) {
    unmet.push_back(
        {"tree.level_not_allowed", "organization.level",
         absl::StrCat("Loại \"", kind->display_name(), "\" không đặt ở cấp \"",
                      level->display_name(), "\" (cho phép: ",
                      absl::StrJoin(kind->allowed_levels(), ", "), ").")});
  }
  if (parent == nullptr) return unmet;
  if (parent->state() != v1::ORGANIZATION_STATE_ACTIVE) {
    unmet.push_back({"tree.parent_active", "organization.parent",
                     absl::StrCat(parent->display_name(),
                                  " không còn hoạt động (đã sáp nhập, chia "
                                  "tách hoặc giải thể).")});
  }
  const v1::OrganizationClass own_class =
      kind != nullptr ? kind->organization_class()
                      : v1::ORGANIZATION_CLASS_UNSPECIFIED;
  if (IsAttachedUnit(parent->organization_class())) {
    unmet.push_back({"tree.attached_unit_has_no_children",
                     "organization.parent",
                     absl::StrCat(parent->display_name(),
                                  " là ban hoặc đoàn thể, không có tổ chức "
                                  "trực thuộc.")});
  } else if (parent->organization_class() ==
                 v1::ORGANIZATION_CLASS_PARTY_CELL &&
             !IsAttachedUnit(own_class)) {
    // Domain.md: a cell has no sub-organisations; only the mass
    // organisations it leads may be attached to it.
    unmet.push_back({"tree.cell_has_no_children", "organization.parent",
                     absl::StrCat(parent->display_name(),
                                  " là chi bộ: chi bộ không có tổ chức đảng "
                                  "trực thuộc.")});
  }
  // Attached units sit at their party organisation's level; a party
  // organisation's level must be allowed under the parent's.
  if (level != nullptr && !IsAttachedUnit(own_class) &&
      level->allowed_parent_levels_size() > 0 &&
      !Contains(level->allowed_parent_levels(), parent->level())) {
    unmet.push_back(
        {"tree.level_not_allowed", "organization.parent",
         absl::StrCat(
             "Cấp \"", level->display_name(), "\" không trực thuộc cấp \"",
             parent->level(), "\" (cho phép: ",
             absl::StrJoin(level->allowed_parent_levels(), ", "), ").")});
  }
  return unmet;
}

std::vector<RuleViolation> CheckMove(const OrganizationRules& rules,
                                     const Organization& org,
                                     const Organization& new_parent) {
  std::vector<RuleViolation> unmet;
  if (std::find(new_parent.path().begin(), new_parent.path().end(),
                org.name()) != new_parent.path().end()) {
    unmet.push_back(
        {"tree.no_cycle", "new_parent",
         absl::StrCat(new_parent.display_name(), " là ", org.display_name(),
                      " hoặc tổ chức trực thuộc của nó: không thể chuyển một "
                      "tổ chức vào bên dưới chính nó.")});
  }
  std::vector<RuleViolation> placement =
      CheckPlacement(rules, org, &new_parent);
  unmet.insert(unmet.end(), placement.begin(), placement.end());
  return unmet;
}

std::vector<RuleViolation> CheckDissolve(const Organization& org,
                                         int active_children, int active_people,
                                         bool has_receiver) {
  std::vector<RuleViolation> unmet;
  if (org.state() != v1::ORGANIZATION_STATE_ACTIVE) {
    unmet.push_back(
        {"tree.active", org.name(),
         absl::StrCat(org.display_name(), " không còn hoạt động.")});
  }
  if (active_children > 0 && !has_receiver) {
    unmet.push_back(
        {"tree.dissolve_not_empty", "receiving_organization",
         absl::StrCat(org.display_name(), " còn ", active_children,
                      " tổ chức trực thuộc: cần chỉ định tổ chức tiếp nhận.")});
  }
  if (active_people > 0 && !has_receiver) {
    unmet.push_back(
        {"tree.dissolve_not_empty", "receiving_organization",
         absl::StrCat(org.display_name(), " còn ", active_people,
                      " người đang sinh hoạt: cần chỉ định tổ chức tiếp "
                      "nhận.")});
  }
  return unmet;
}

bool IsWithin(const Organization& org, const Organization& ancestor) {
  return std::find(org.path().begin(), org.path().end(), ancestor.name()) !=
         org.path().end();
}

std::vector<RuleViolation> CheckReceiver(const Organization& from,
                                         const Organization& receiver,
                                         bool receives_people,
                                         const std::string& field) {
  std::vector<RuleViolation> unmet;
  if (receiver.state() != v1::ORGANIZATION_STATE_ACTIVE) {
    unmet.push_back(
        {"tree.active", field,
         absl::StrCat(receiver.display_name(), " không còn hoạt động.")});
  }
  if (IsWithin(receiver, from)) {
    unmet.push_back(
        {"tree.no_cycle", field,
         absl::StrCat(receiver.display_name(), " là ", from.display_name(),
                      " hoặc tổ chức trực thuộc của nó: không thể tiếp nhận "
                      "từ chính nó.")});
  }
  if (receives_people &&
      receiver.organization_class() != v1::ORGANIZATION_CLASS_PARTY_CELL) {
    unmet.push_back({"tree.people_in_cells", field,
                     absl::StrCat(receiver.display_name(),
                                  " không phải chi bộ: đảng viên và quần "
                                  "chúng sinh hoạt ở chi bộ.")});
  }
  return unmet;
}

std::vector<RuleViolation> CheckMerge(
    const Organization& receiver, const std::vector<Organization>& sources) {
  std::vector<RuleViolation> unmet;
  if (receiver.state() != v1::ORGANIZATION_STATE_ACTIVE) {
    unmet.push_back(
        {"tree.active", "name",
         absl::StrCat(receiver.display_name(), " không còn hoạt động.")});
  }
  for (size_t i = 0; i < sources.size(); ++i) {
    const Organization& source = sources[i];
    const std::string field = absl::StrCat("source_organizations[", i, "]");
    if (source.name() == receiver.name()) {
      unmet.push_back({"tree.merge_into_itself", field,
                       absl::StrCat(source.display_name(),
                                    " không thể sáp nhập vào chính nó.")});
      continue;
    }
    bool duplicate = false;
    for (size_t j = 0; j < i; ++j) {
      duplicate = duplicate || sources[j].name() == source.name();
    }
    if (duplicate) {
      unmet.push_back(
          {"tree.merge_duplicate", field,
           absl::StrCat(source.display_name(), " được nêu hai lần.")});
      continue;
    }
    if (source.state() != v1::ORGANIZATION_STATE_ACTIVE) {
      unmet.push_back(
          {"tree.active", field,
           absl::StrCat(source.display_name(), " không còn hoạt động.")});
    }
    if (source.organization_class() != receiver.organization_class() ||
        source.level() != receiver.level()) {
      unmet.push_back(
          {"tree.merge_same_class", field,
           absl::StrCat("Chỉ sáp nhập tổ chức cùng loại, cùng cấp: ",
                        source.display_name(), " (", source.level(), ") vào ",
                        receiver.display_name(), " (", receiver.level(),
                        ").")});
    }
    if (IsWithin(receiver, source)) {
      unmet.push_back(
          {"tree.no_cycle", field,
           absl::StrCat(receiver.display_name(), " trực thuộc ",
                        source.display_name(),
                        ": không thể sáp nhập cấp trên vào cấp dưới.")});
    }
    for (size_t j = 0; j < sources.size(); ++j) {
      if (j != i && sources[j].name() != source.name() &&
          IsWithin(sources[j], source)) {
        unmet.push_back({"tree.no_cycle", field,
                         absl::StrCat(sources[j].display_name(), " trực thuộc ",
                                      source.display_name(),
                                      ": sáp nhập lần lượt từng cấp.")});
      }
    }
  }
  return unmet;
}

std::string PathKey(const Organization& org) {
  std::vector<std::string> ids;
  for (const auto& name : org.path()) ids.push_back(OrganizationId(name));
  return absl::StrJoin(ids, "!");
}

}  // namespace partydev::membership
