// Early warnings (cell_life_records.h "Early warnings"): what the counted
// months of a member mean, decided by domain/early_warnings.h and staged
// here with their events; and the closing of a removal proposal by the
// removal that cites it.

#include "services/membership/domain/early_warnings.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/change.h"
#include "services/membership/cell_life_records.h"

namespace partydev::membership {
namespace {

constexpr absl::string_view kEarlyWarnings = "earlyWarnings";

// The audit method of warnings raised outside any request of their own
// (the daily watch), when the change carries no audit entry yet.
constexpr absl::string_view kRaiseMethod =
    "partydev.membership.v1.CellLifeWatch.RaiseEarlyWarnings";

const char* LevelWords(v1::WarningLevel level) {
  switch (level) {
    case v1::WARNING_LEVEL_REMINDER:
      return "nhắc nhở";
    case v1::WARNING_LEVEL_FOLLOW_UP:
      return "bí thư gặp gỡ đảng viên";
    case v1::WARNING_LEVEL_REMOVAL_PROPOSAL:
      return "đề nghị xóa tên";
    default:
      return "cảnh báo";
  }
}

std::string WarningName(const std::string& person_name, absl::string_view id) {
  return absl::StrCat(person_name, "/", kEarlyWarnings, "/", id);
}

// Adds `events` to the change: with its own audit entry when the change
// has none yet, else beside the entry of the request that staged it (an
// attendance recorded, a removal).
void JournalWarnings(PersonChangeRecorder& recorder, Change& change,
                     const v1::Person& person, const std::string& target,
                     std::string summary,
                     std::vector<events::v1::Event> events) {
  if (change.journal.audit.has_value()) {
    for (auto& e : events) {
      SetType(e);
      change.journal.events.push_back(std::move(e));
    }
    change.journal.audit->add_related(target);
    return;
  }
  recorder.RecordJournal(change, person, kRaiseMethod, target,
                         std::move(summary), "", std::move(events));
}

}  // namespace

absl::StatusOr<std::vector<Stored<v1::EarlyWarning>>> ReadWarningsOf(
    MembershipContext& context, const std::string& person_name, int year) {
  absl::StatusOr<std::vector<std::string>> ids = context.records().All(
      context.records().CollectionKey(person_name, kEarlyWarnings));
  if (!ids.ok()) return ids.status();
  const std::string prefix = absl::StrCat(year, "-");
  std::vector<std::string> names;
  for (const auto& id : *ids) {
    if (year == 0 || absl::StartsWith(id, prefix)) {
      names.push_back(WarningName(person_name, id));
    }
  }
  return context.records().GetMany<v1::EarlyWarning>(names);
}

absl::Status StageEarlyWarnings(MembershipContext& context,
                                PersonChangeRecorder& recorder, Change& change,
                                const v1::Person& person,
                                const CountedMonths& counted,
                                const common::v1::Date& today) {
  // Exempt members are not expected at meetings (Charter art. 7), and
  // people off the rolls concern the cell no more: never warned.
  if (person.status() == v1::PERSON_STATUS_EXEMPT || !IsMemberOnRolls(person)) {
    return absl::OkStatus();
  }
  if (counted.cause != v1::WARNING_CAUSE_ABSENCE &&
      counted.cause != v1::WARNING_CAUSE_DUES_UNPAID) {
    return absl::InvalidArgumentError("a warning's cause is required");
  }
  absl::StatusOr<const v1::RuleSet*> rules = context.rules()(today);
  if (!rules.ok()) return rules.status();
  absl::StatusOr<std::vector<Stored<v1::EarlyWarning>>> stored =
      ReadWarningsOf(context, person.name(), counted.year);
  if (!stored.ok()) return stored.status();
  std::map<std::string, v1::EarlyWarning> existing;
  std::map<std::string, int64_t> versions;
  for (const auto& s : *stored) {
    const std::string id =
        s.message.name().substr(s.message.name().rfind('/') + 1);
    existing[id] = s.message;
    versions[id] = s.version;
  }
  std::vector<domain::PlannedWarning> plan = domain::PlanWarnings(
      counted.cause, counted.year, counted.months, counted.evidence,
      (*rules)->early_warnings(), existing);
  if (plan.empty()) return absl::OkStatus();  // a replay writes nothing

  // Every warning read is expected unchanged, so two concurrent passes
  // cannot both raise (the second aborts and finds the first's).
  for (const auto& [id, version] : versions) {
    change.write.Expect(
        context.records().RecordKey(WarningName(person.name(), id)), version);
  }
  std::vector<events::v1::Event> events;
  std::vector<std::string> said;
  std::string target;
  for (domain::PlannedWarning& p : plan) {
    v1::EarlyWarning& w = p.warning;
    const std::string name = WarningName(person.name(), p.id);
    if (target.empty() || p.announce) target = name;
    w.set_name(name);
    w.clear_etag();
    int64_t version = 0;
    if (p.is_new) {
      w.set_organization(person.organization());
      *w.mutable_raise_stamp() = recorder.stamp();
      w.set_rule_set((*rules)->name());
    } else {
      version = versions[p.id];
    }
    recorder.RecordResource(change, person, name, version, w, kEarlyWarnings);
    if (!p.announce) continue;
    events::v1::Event event = recorder.NewPersonEvent(person, today);
    events::v1::MemberWarningRaised* raised =
        event.mutable_member_warning_raised();
    raised->set_person(person.name());
    raised->set_organization(person.organization());
    raised->set_level(static_cast<int>(w.level()));
    raised->set_ground(domain::GroundOf(counted.cause));
    raised->set_year(counted.year);
    for (int m : counted.months) raised->add_months(m);
    events.push_back(std::move(event));
    said.push_back(absl::StrCat(LevelWords(w.level()), " (",
                                domain::GroundOf(counted.cause), ")"));
  }
  JournalWarnings(recorder, change, person, target,
                  absl::StrCat("Cảnh báo sớm năm ", counted.year, " đối với ",
                               person.full_name(), ": ",
                               said.empty() ? "cập nhật theo hồ sơ"
                                            : absl::StrJoin(said, "; ")),
                  std::move(events));
  return absl::OkStatus();
}

absl::Status StageRemovalProposalsClosed(
    MembershipContext& context, PersonChangeRecorder& recorder, Change& change,
    const v1::Person& person,
    const google::protobuf::RepeatedPtrField<std::string>& evidence) {
  const std::string prefix =
      absl::StrCat(person.name(), "/", kEarlyWarnings, "/");
  for (const std::string& name : evidence) {
    if (!absl::StartsWith(name, prefix)) continue;
    absl::StatusOr<Stored<v1::EarlyWarning>> stored =
        context.records().Get<v1::EarlyWarning>(name);
    if (absl::IsNotFound(stored.status())) {
      return InvalidField(
          "evidence",
          absl::StrCat(name, " is not a warning of ", person.name()));
    }
    if (!stored.ok()) return stored.status();
    v1::EarlyWarning w = stored->message;
    if (w.level() != v1::WARNING_LEVEL_REMOVAL_PROPOSAL ||
        w.state() == v1::WARNING_STATE_RESOLVED) {
      continue;  // cited as evidence only
    }
    w.set_state(v1::WARNING_STATE_RESOLVED);
    w.set_resolution(v1::WARNING_RESOLUTION_MEMBER_REMOVED);
    w.set_resolution_reason("Đảng viên đã bị xóa tên theo đề nghị này");
    w.clear_etag();
    recorder.RecordResource(change, person, name, stored->version, w,
                            kEarlyWarnings);
    if (change.journal.audit.has_value()) {
      change.journal.audit->add_related(name);
    }
  }
  return absl::OkStatus();
}

}  // namespace partydev::membership
