#include "services/quota/admission_ledger.h"

#include <algorithm>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/change.h"
#include "common/dates.h"
#include "common/ids.h"

namespace partydev::quota {
namespace {

constexpr absl::string_view kOrganizations = "organizations/";
constexpr absl::string_view kRecords = "/admissionRecords/";
constexpr absl::string_view kActor = "system:quotad";

std::string OrgId(absl::string_view organization_name) {
  if (absl::StartsWith(organization_name, kOrganizations)) {
    organization_name.remove_prefix(kOrganizations.size());
  }
  return std::string(organization_name);
}

std::string LastSegment(absl::string_view name) {
  const size_t slash = name.rfind('/');
  return std::string(slash == absl::string_view::npos ? name
                                                      : name.substr(slash + 1));
}

// The score of a day in the indexes: days since 1970-01-01. (Small enough
// to survive the 6 significant digits AtomicWrite::ZAdd writes a score
// with; yyyymmdd would not.)
double IndexScore(absl::CivilDay day) {
  return static_cast<double>(day - absl::CivilDay(1970, 1, 1));
}

int DayNumber(absl::CivilDay day) {
  return static_cast<int>(day.year()) * 10000 + day.month() * 100 + day.day();
}

bool IsSet(const common::v1::Date& date) { return date.year() != 0; }

// The short name of the payload ("MemberAdmitted").
std::string PayloadName(const events::v1::Event& event) {
  if (!event.type().empty()) {
    const size_t dot = event.type().rfind('.');
    return dot == std::string::npos ? event.type()
                                    : event.type().substr(dot + 1);
  }
  const auto* field = events::v1::Event::descriptor()->FindFieldByNumber(
      static_cast<int>(event.payload_case()));
  return field != nullptr ? field->message_type()->name() : "";
}

// The distinct categories of a list, UNSPECIFIED left out.
std::set<int> CategoriesOf(
    const google::protobuf::RepeatedField<int>& categories) {
  std::set<int> out;
  for (int c : categories) {
    if (c != common::v1::CATEGORY_UNSPECIFIED) out.insert(c);
  }
  return out;
}

std::string Field(int day, char kind, int category) {
  return absl::StrCat(day, "|", std::string(1, kind), "|", category);
}

// The organisation admitted in: the payload's, else the path's last.
std::string AdmittedIn(const std::string& payload_organization,
                       const events::v1::Event& event) {
  if (!payload_organization.empty()) return payload_organization;
  if (event.organization_path_size() > 0) {
    return event.organization_path(event.organization_path_size() - 1);
  }
  return "";
}

}  // namespace

std::string AdmissionRecordId(absl::string_view event_id) {
  if (IsValidResourceId(event_id)) return std::string(event_id);
  return absl::StrCat("e", Sha256Hex(event_id).substr(0, 40));
}

// --- OrganizationCounts
// -------------------------------------------------------

OrganizationCounts OrganizationCounts::FromHash(
    const std::vector<std::pair<std::string, std::string>>& fields) {
  OrganizationCounts counts;
  for (const auto& [field, value] : fields) {
    std::vector<absl::string_view> parts = absl::StrSplit(field, '|');
    int day = 0, category = 0, count = 0;
    if (parts.size() != 3 || parts[1].size() != 1 ||
        !absl::SimpleAtoi(parts[0], &day) ||
        !absl::SimpleAtoi(parts[2], &category) ||
        !absl::SimpleAtoi(value, &count)) {
      continue;  // not a counter of ours
    }
    counts.days_[day].push_back({parts[1][0], category, count});
  }
  return counts;
}

CountSums OrganizationCounts::Sum(absl::CivilDay from,
                                  absl::CivilDay to) const {
  CountSums sums;
  if (to < from) return sums;
  const auto end = days_.upper_bound(DayNumber(to));
  for (auto it = days_.lower_bound(DayNumber(from)); it != end; ++it) {
    for (const Cell& cell : it->second) {
      if (cell.category == 0) {
        switch (cell.kind) {
          case 'a':
            sums.admitted += cell.count;
            break;
          case 'h':
            sums.admitted_here += cell.count;
            break;
          case 'r':
            sums.removed += cell.count;
            break;
          case 'c':
            sums.counted += cell.count;
            break;
          default:
            break;
        }
        continue;
      }
      CountSums::Category& c =
          sums.categories[static_cast<common::v1::Category>(cell.category)];
      switch (cell.kind) {
        case 'a':
          c.admitted += cell.count;
          break;
        case 'r':
          c.removed += cell.count;
          break;
        case 'c':
          c.counted += cell.count;
          break;
        default:
          break;
      }
    }
  }
  for (auto it = sums.categories.begin(); it != sums.categories.end();) {
    if (it->second.admitted == 0 && it->second.removed == 0 &&
        it->second.counted == 0) {
      it = sums.categories.erase(it);
    } else {
      ++it;
    }
  }
  return sums;
}

// --- AdmissionLedger
// -----------------------------------------------------------

AdmissionLedger::AdmissionLedger(RedisClient& redis, std::string key_prefix,
                                 const domain::QuotaRuleSetRegistry& rules)
    : redis_(redis),
      key_prefix_(std::move(key_prefix)),
      records_(redis, key_prefix_),
      rules_(rules) {}

std::string AdmissionLedger::CountersKey(
    absl::string_view organization_name) const {
  return absl::StrCat(key_prefix_, "n:", OrgId(organization_name));
}

std::string AdmissionLedger::IndexKey(absl::string_view organization_name,
                                      bool admitted_here) const {
  return absl::StrCat(key_prefix_, admitted_here ? "here:" : "counted:",
                      OrgId(organization_name));
}

std::string AdmissionLedger::PersonKey(absl::string_view person) const {
  return absl::StrCat(key_prefix_, "person:", LastSegment(person));
}

void AdmissionLedger::StageCounters(const v1::AdmissionRecord& record,
                                    absl::CivilDay counted_on,
                                    absl::CivilDay delta_on,
                                    AtomicWrite& write) const {
  const int counted_day = DayNumber(counted_on);
  const int delta_day = DayNumber(delta_on);
  const std::set<int> categories = CategoriesOf(record.categories());
  const bool admission = record.kind() == v1::AdmissionRecord::KIND_ADMISSION;
  for (const std::string& organization : record.counted_organizations()) {
    const std::string key = CountersKey(organization);
    std::vector<int> all = {0};
    all.insert(all.end(), categories.begin(), categories.end());
    for (int category : all) {
      write.HIncrBy(key, Field(counted_day, admission ? 'a' : 'r', category),
                    1);
      if (record.delta() != 0) {
        write.HIncrBy(key, Field(delta_day, 'c', category), record.delta());
      }
    }
    write.ZAdd(IndexKey(organization, false), IndexScore(counted_on),
               record.name());
  }
  if (admission) {
    write.HIncrBy(CountersKey(record.organization()),
                  Field(counted_day, 'h', 0), 1);
  }
  write.ZAdd(IndexKey(record.organization(), true), IndexScore(counted_on),
             record.name());
}

absl::StatusOr<bool> AdmissionLedger::StageApply(const std::string& entry_id,
                                                 const events::v1::Event& event,
                                                 AtomicWrite& write) {
  switch (event.payload_case()) {
    case events::v1::Event::kMemberAdmitted:
      return StageAdmission(entry_id, event, write);
    case events::v1::Event::kProbationStarted:
      return StageCeremony(event, write);
    case events::v1::Event::kRemovedFromProbation:
      return StageRemoval(entry_id, event, write);
    default:
      return false;
  }
}

v1::AdmissionRecord AdmissionLedger::NewRecord(
    const std::string& entry_id, const events::v1::Event& event,
    const std::string& organization) const {
  v1::AdmissionRecord record;
  record.set_name(
      absl::StrCat(organization, kRecords, AdmissionRecordId(event.id())));
  record.set_event_id(event.id());
  record.set_event_type(PayloadName(event));
  record.set_stream_entry_id(entry_id);
  record.set_organization(organization);
  *record.mutable_event_time() = event.recorded_at();
  common::v1::ChangeStamp* stamp = record.mutable_create_stamp();
  stamp->set_actor(std::string(kActor));
  *stamp->mutable_time() = NowTimestamp();
  return record;
}

absl::StatusOr<bool> AdmissionLedger::Exists(const std::string& name) {
  absl::StatusOr<VersionedRecord> existing =
      ReadRecord(redis_, records_.RecordKey(name));
  if (!existing.ok()) return existing.status();
  return existing->exists();
}

absl::StatusOr<bool> AdmissionLedger::StageAdmission(
    const std::string& entry_id, const events::v1::Event& event,
    AtomicWrite& write) {
  const events::v1::MemberAdmitted& admitted = event.member_admitted();
  const std::string organization = AdmittedIn(admitted.organization(), event);
  if (OrgId(organization).empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("MemberAdmitted ", event.id(), " names no organisation"));
  }
  v1::AdmissionRecord record = NewRecord(entry_id, event, organization);
  absl::StatusOr<bool> exists = Exists(record.name());
  if (!exists.ok()) return exists.status();
  if (*exists) return true;

  const common::v1::Date& signed_on = IsSet(admitted.decision().signed_on())
                                          ? admitted.decision().signed_on()
                                          : event.act_date();
  const absl::CivilDay decided = CivilDayOf(signed_on);
  absl::StatusOr<const v1::QuotaRuleSet*> rules = rules_.ForDay(decided);
  if (!rules.ok()) return rules.status();

  record.set_kind(v1::AdmissionRecord::KIND_ADMISSION);
  record.set_person(admitted.person());
  *record.mutable_admission_decision() = admitted.decision();
  if (!IsSet(record.admission_decision().signed_on())) {
    *record.mutable_admission_decision()->mutable_signed_on() = signed_on;
  }
  *record.mutable_categories() = admitted.categories();
  if (event.organization_path_size() > 0) {
    *record.mutable_counted_organizations() = event.organization_path();
  } else {
    record.add_counted_organizations(organization);
  }
  record.set_rule_set((*rules)->name());
  // Applies_to.term is left empty: terms are quotad's own records and their
  // dates may change; readers map counted_on to a term when they read.
  if ((*rules)->counting().counting_date() ==
      v1::ADMISSION_COUNTING_DATE_CEREMONY_HELD) {
    // Counted when the ceremony is held (ProbationStarted).
    record.set_delta(0);
  } else {
    record.set_delta(1);
    *record.mutable_counted_on() = signed_on;
    record.mutable_applies_to()->set_year(signed_on.year());
    StageCounters(record, decided, decided, write);
  }
  records_.StagePut(write, record.name(), 0, record);
  write.Put(PersonKey(admitted.person()), record.name());
  return true;
}

absl::StatusOr<bool> AdmissionLedger::StageCeremony(
    const events::v1::Event& event, AtomicWrite& write) {
  const events::v1::ProbationStarted& started = event.probation_started();
  absl::StatusOr<VersionedRecord> pointer =
      ReadRecord(redis_, PersonKey(started.person()));
  if (!pointer.ok()) return pointer.status();
  if (!pointer->exists()) return true;  // no admission known: nothing counts
  absl::StatusOr<Stored<v1::AdmissionRecord>> stored =
      records_.Get<v1::AdmissionRecord>(pointer->data);
  if (absl::IsNotFound(stored.status())) return true;
  if (!stored.ok()) return stored.status();
  v1::AdmissionRecord record = std::move(stored->message);
  if (record.kind() != v1::AdmissionRecord::KIND_ADMISSION ||
      IsSet(record.counted_on())) {
    return true;  // counted at the decision, or already at a ceremony
  }
  absl::StatusOr<const v1::QuotaRuleSet*> rules =
      rules_.ByName(record.rule_set());
  if (!rules.ok()) return rules.status();
  if ((*rules)->counting().counting_date() !=
      v1::ADMISSION_COUNTING_DATE_CEREMONY_HELD) {
    return true;
  }
  const common::v1::Date& held =
      IsSet(started.ceremony_on()) ? started.ceremony_on() : event.act_date();
  record.set_delta(1);
  *record.mutable_counted_on() = held;
  record.mutable_applies_to()->set_year(held.year());
  const absl::CivilDay day = CivilDayOf(held);
  StageCounters(record, day, day, write);
  records_.StagePut(write, record.name(), stored->version, record);
  return true;
}

absl::StatusOr<bool> AdmissionLedger::StageRemoval(
    const std::string& entry_id, const events::v1::Event& event,
    AtomicWrite& write) {
  const events::v1::RemovedFromProbation& removed =
      event.removed_from_probation();
  const std::string organization = AdmittedIn(removed.organization(), event);
  if (OrgId(organization).empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "RemovedFromProbation ", event.id(), " names no organisation"));
  }
  v1::AdmissionRecord record = NewRecord(entry_id, event, organization);
  absl::StatusOr<bool> exists = Exists(record.name());
  if (!exists.ok()) return exists.status();
  if (*exists) return true;

  // The admission this removal undoes: the person's latest admission record.
  std::optional<v1::AdmissionRecord> admission;
  absl::StatusOr<VersionedRecord> pointer =
      ReadRecord(redis_, PersonKey(removed.person()));
  if (!pointer.ok()) return pointer.status();
  if (pointer->exists()) {
    absl::StatusOr<Stored<v1::AdmissionRecord>> related =
        records_.Get<v1::AdmissionRecord>(pointer->data);
    if (!related.ok() && !absl::IsNotFound(related.status())) {
      return related.status();
    }
    if (related.ok()) admission = std::move(related->message);
  }

  const common::v1::Date& removed_on = IsSet(removed.decision().signed_on())
                                           ? removed.decision().signed_on()
                                           : event.act_date();
  common::v1::Date admitted_on = removed.admitted_on();
  if (!IsSet(admitted_on) && admission.has_value()) {
    admitted_on = admission->admission_decision().signed_on();
  }
  if (!IsSet(admitted_on)) admitted_on = removed_on;
  // The admission's counted date: where SUBTRACT_FROM_ADMISSION_PERIOD
  // takes its -1 back.
  common::v1::Date admission_counted_on = admitted_on;
  if (admission.has_value() && IsSet(admission->counted_on())) {
    admission_counted_on = admission->counted_on();
  }
  absl::StatusOr<const v1::QuotaRuleSet*> rules =
      rules_.ForDay(CivilDayOf(admitted_on));
  if (!rules.ok()) return rules.status();

  record.set_kind(v1::AdmissionRecord::KIND_REMOVAL_FROM_PROBATION);
  record.set_person(removed.person());
  if (admission.has_value()) {
    *record.mutable_admission_decision() = admission->admission_decision();
    record.set_related_record(admission->name());
  } else {
    *record.mutable_admission_decision()->mutable_signed_on() = admitted_on;
  }
  *record.mutable_categories() = removed.categories();
  if (record.categories_size() == 0 && admission.has_value()) {
    *record.mutable_categories() = admission->categories();
  }
  *record.mutable_counted_on() = removed_on;
  record.set_rule_set((*rules)->name());

  common::v1::Date delta_on = removed_on;
  switch ((*rules)->counting().probation_removal()) {
    case v1::PROBATION_REMOVAL_COUNTING_SUBTRACT_FROM_ADMISSION_PERIOD:
      record.set_delta(-1);
      delta_on = admission_counted_on;
      break;
    case v1::PROBATION_REMOVAL_COUNTING_SUBTRACT_IN_REMOVAL_PERIOD:
      record.set_delta(-1);
      break;
    default:  // KEEP
      record.set_delta(0);
      break;
  }
  record.mutable_applies_to()->set_year(delta_on.year());
  if (record.delta() != 0 &&
      (*rules)->counting().probation_removal() ==
          v1::PROBATION_REMOVAL_COUNTING_SUBTRACT_FROM_ADMISSION_PERIOD &&
      admission.has_value() && admission->counted_organizations_size() > 0) {
    // Taken back where the admission counted (frozen there).
    *record.mutable_counted_organizations() =
        admission->counted_organizations();
  } else if (event.organization_path_size() > 0) {
    *record.mutable_counted_organizations() = event.organization_path();
  } else {
    record.add_counted_organizations(organization);
  }
  StageCounters(record, CivilDayOf(removed_on), CivilDayOf(delta_on), write);
  records_.StagePut(write, record.name(), 0, record);
  return true;
}

absl::Status AdmissionLedger::RecordDuplicate(const events::v1::Event& event) {
  std::string organization;
  switch (event.payload_case()) {
    case events::v1::Event::kMemberAdmitted:
      organization = AdmittedIn(event.member_admitted().organization(), event);
      break;
    case events::v1::Event::kRemovedFromProbation:
      organization =
          AdmittedIn(event.removed_from_probation().organization(), event);
      break;
    default:
      return absl::OkStatus();
  }
  if (OrgId(organization).empty()) return absl::OkStatus();
  const std::string name =
      absl::StrCat(organization, kRecords, AdmissionRecordId(event.id()));
  absl::Status last = absl::OkStatus();
  for (int attempt = 0; attempt < 3; ++attempt) {
    absl::StatusOr<Stored<v1::AdmissionRecord>> stored =
        records_.Get<v1::AdmissionRecord>(name);
    if (absl::IsNotFound(stored.status())) return absl::OkStatus();
    if (!stored.ok()) return stored.status();
    v1::AdmissionRecord record = std::move(stored->message);
    record.set_duplicate_deliveries(record.duplicate_deliveries() + 1);
    AtomicWrite write;
    records_.StagePut(write, name, stored->version, record);
    absl::StatusOr<WriteResult> committed = write.Commit(redis_);
    if (committed.ok()) return absl::OkStatus();
    last = committed.status();
    if (!absl::IsAborted(last)) return last;
  }
  return last;
}

absl::StatusOr<std::vector<OrganizationCounts>> AdmissionLedger::Counts(
    const std::vector<std::string>& organization_names) {
  std::vector<RedisCommand> commands;
  commands.reserve(organization_names.size());
  for (const auto& name : organization_names) {
    commands.push_back({"HGETALL", CountersKey(name)});
  }
  std::vector<OrganizationCounts> out;
  out.reserve(organization_names.size());
  if (commands.empty()) return out;
  absl::StatusOr<std::vector<RedisReply>> replies = redis_.Pipeline(commands);
  if (!replies.ok()) return replies.status();
  for (const RedisReply& reply : *replies) {
    if (reply.is_error()) {
      return absl::InternalError(absl::StrCat("redis: ", reply.str()));
    }
    std::vector<std::pair<std::string, std::string>> fields;
    const auto& e = reply.elements();
    for (size_t i = 0; i + 1 < e.size(); i += 2) {
      fields.emplace_back(e[i].str(), e[i + 1].str());
    }
    out.push_back(OrganizationCounts::FromHash(fields));
  }
  return out;
}

absl::StatusOr<v1::AdmissionRecord> AdmissionLedger::GetRecord(
    const std::string& name) {
  absl::StatusOr<Stored<v1::AdmissionRecord>> stored =
      records_.Get<v1::AdmissionRecord>(name);
  if (!stored.ok()) return stored.status();
  return std::move(stored->message);
}

absl::StatusOr<IdPage> AdmissionLedger::ListRecords(
    const std::string& organization_name, bool admitted_here, bool ascending,
    const std::string& cursor, int limit) {
  const std::string key = IndexKey(organization_name, admitted_here);
  int64_t start = 0;
  if (!cursor.empty()) {
    absl::StatusOr<RedisReply> rank =
        redis_.Command({ascending ? "ZRANK" : "ZREVRANK", key, cursor});
    if (!rank.ok()) return rank.status();
    if (rank->is_nil()) {
      return absl::InvalidArgumentError(
          absl::StrCat("page_token: ", cursor, " is not in the listing"));
    }
    start = rank->integer() + 1;
  }
  RedisCommand range = {"ZRANGE", key, absl::StrCat(start),
                        absl::StrCat(start + limit)};
  if (!ascending) range.push_back("REV");
  absl::StatusOr<std::vector<RedisReply>> replies =
      redis_.Pipeline({range, {"ZCARD", key}});
  if (!replies.ok()) return replies.status();
  for (const RedisReply& r : *replies) {
    if (r.is_error())
      return absl::InternalError(absl::StrCat("redis: ", r.str()));
  }
  IdPage page;
  const auto& elements = (*replies)[0].elements();
  for (size_t i = 0; i < elements.size(); ++i) {
    if (static_cast<int>(i) == limit) {
      page.next_cursor = page.ids.back();
      break;
    }
    page.ids.push_back(elements[i].str());
  }
  page.total_size = static_cast<int>((*replies)[1].integer());
  return page;
}

absl::StatusOr<std::vector<std::string>> AdmissionLedger::AllRecordNames(
    const std::string& organization_name, bool admitted_here, bool ascending) {
  RedisCommand range = {"ZRANGE", IndexKey(organization_name, admitted_here),
                        "0", "-1"};
  if (!ascending) range.push_back("REV");
  absl::StatusOr<RedisReply> reply = redis_.Command(range);
  if (!reply.ok()) return reply.status();
  std::vector<std::string> names;
  names.reserve(reply->elements().size());
  for (const auto& e : reply->elements()) names.push_back(e.str());
  return names;
}

absl::StatusOr<std::vector<v1::AdmissionRecord>> AdmissionLedger::GetRecords(
    const std::vector<std::string>& names) {
  absl::StatusOr<std::vector<Stored<v1::AdmissionRecord>>> stored =
      records_.GetMany<v1::AdmissionRecord>(names);
  if (!stored.ok()) return stored.status();
  std::vector<v1::AdmissionRecord> out;
  out.reserve(stored->size());
  for (auto& s : *stored) out.push_back(std::move(s.message));
  return out;
}

}  // namespace partydev::quota
