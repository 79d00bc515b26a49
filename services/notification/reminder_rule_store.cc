#include "services/notification/reminder_rule_store.h"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/errors.h"

namespace partydev::notification {
namespace {

constexpr absl::string_view kPrefix = "reminderRules/";

}  // namespace

std::string ReminderRuleNameOf(absl::string_view id) {
  return absl::StrCat(kPrefix, id);
}

absl::StatusOr<std::string> ParseReminderRuleName(absl::string_view name,
                                                  absl::string_view field) {
  if (name.empty()) return InvalidField(field, "is required");
  absl::string_view id = name;
  if (!absl::ConsumePrefix(&id, kPrefix) || !IsValidResourceId(id)) {
    return InvalidField(
        field, absl::StrCat("\"", name,
                            "\" is not \"reminderRules/{rule}\" with an id "
                            "matching ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"));
  }
  return std::string(id);
}

ReminderRuleStore::ReminderRuleStore(
    RecordStore& records, const std::vector<v1::ReminderRule>& shipped)
    : records_(records), shipped_(shipped) {}

const v1::ReminderRule* ReminderRuleStore::FindShipped(
    absl::string_view name) const {
  for (const v1::ReminderRule& rule : shipped_) {
    if (rule.name() == name) return &rule;
  }
  return nullptr;
}

std::string ReminderRuleStore::IndexKey() const {
  return records_.CollectionKey("", "reminderRules");
}

absl::StatusOr<CurrentRule> ReminderRuleStore::Get(const std::string& id) {
  const std::string name = ReminderRuleNameOf(id);
  const v1::ReminderRule* shipped = FindShipped(name);
  absl::StatusOr<Stored<v1::ReminderRule>> stored =
      records_.Get<v1::ReminderRule>(name);
  CurrentRule out;
  out.shipped = shipped != nullptr;
  if (stored.ok()) {
    out.message = std::move(stored->message);
    out.version = stored->version;
    out.stored = true;
  } else if (!absl::IsNotFound(stored.status())) {
    return stored.status();
  } else if (shipped != nullptr) {
    out.message = *shipped;
    ApplyEtag(out.message, 0);
  } else {
    return absl::NotFoundError(absl::StrCat(name, " does not exist"));
  }
  return out;
}

absl::StatusOr<std::vector<v1::ReminderRule>> ReminderRuleStore::All() {
  absl::StatusOr<std::vector<std::string>> ids = records_.All(IndexKey());
  if (!ids.ok()) return ids.status();
  std::vector<std::string> names;
  names.reserve(ids->size());
  for (const std::string& id : *ids) names.push_back(ReminderRuleNameOf(id));
  absl::StatusOr<std::vector<Stored<v1::ReminderRule>>> stored =
      records_.GetMany<v1::ReminderRule>(names);
  if (!stored.ok()) return stored.status();
  std::map<std::string, v1::ReminderRule> by_name;
  for (const v1::ReminderRule& rule : shipped_) {
    v1::ReminderRule copy = rule;
    ApplyEtag(copy, 0);
    by_name[rule.name()] = std::move(copy);
  }
  for (Stored<v1::ReminderRule>& s : *stored) {
    by_name[s.message.name()] = std::move(s.message);
  }
  std::vector<v1::ReminderRule> out;
  out.reserve(by_name.size());
  for (auto& [name, rule] : by_name) out.push_back(std::move(rule));
  return out;
}

void ReminderRuleStore::StagePut(AtomicWrite& write,
                                 const v1::ReminderRule& rule,
                                 int64_t version) const {
  records_.StagePut(write, rule.name(), version, rule);
  write.ZAdd(IndexKey(), 0,
             absl::string_view(rule.name()).substr(kPrefix.size()));
}

}  // namespace partydev::notification
