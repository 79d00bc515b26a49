#include "services/notification/delivery_store.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/dates.h"
#include "common/errors.h"
#include "common/ids.h"
#include "services/notification/domain/delivery_states.h"
#include "services/notification/queue/job_queue.h"

namespace partydev::notification {
namespace {

constexpr absl::string_view kDeliveries = "/deliveries/";
constexpr char kAll[] = "*";
constexpr int kMaxIdLength = 63;

// The id part of a resource name ("organizations/x" -> "x").
absl::string_view IdOf(absl::string_view name) {
  const size_t slash = name.rfind('/');
  return slash == absl::string_view::npos ? name : name.substr(slash + 1);
}

absl::string_view BodyCode(v1::CommitteeBody body) {
  switch (body) {
    case v1::COMMITTEE_BODY_EXECUTIVE_COMMITTEE:
      return "bch";
    case v1::COMMITTEE_BODY_STANDING_COMMITTEE:
      return "btv";
    case v1::COMMITTEE_BODY_STANDING_BOARD:
      return "tt";
    default:
      return "x";
  }
}

// yyyymmdd, the score of the day indexes.
double DayScore(const common::v1::Date& date) {
  return date.year() * 10000.0 + date.month() * 100.0 + date.day();
}

bool HasDate(const common::v1::Date& date) { return date.year() != 0; }

// The day the delivery's next open duty is due, or 0 when none: the
// acknowledgement when required and not given, else the next report.
double NextDueScore(const v1::Delivery& d) {
  if (d.state() == v1::DELIVERY_STATE_CANCELLED) return 0;
  if (d.acknowledgement_required() && !d.has_acknowledgement() &&
      HasDate(d.acknowledge_by())) {
    return DayScore(d.acknowledge_by());
  }
  if (d.report_required() && HasDate(d.next_report_due())) {
    return DayScore(d.next_report_due());
  }
  return 0;
}

// The counters a delivery contributes to, each +1.
std::vector<std::string> CounterFields(const v1::Delivery& d) {
  std::vector<std::string> scopes = {kAll};
  for (const std::string& org : d.organization_path()) scopes.push_back(org);
  std::vector<std::string> fields;
  fields.reserve(scopes.size() * 2);
  for (const std::string& scope : scopes) {
    fields.push_back(absl::StrCat(scope, "|", static_cast<int>(d.state())));
    if (d.overdue_step() == v1::OVERDUE_STEP_ACKNOWLEDGEMENT) {
      fields.push_back(absl::StrCat(scope, "|late_ack"));
    } else if (d.overdue_step() == v1::OVERDUE_STEP_REPORT) {
      fields.push_back(absl::StrCat(scope, "|late_report"));
    }
  }
  return fields;
}

bool Overdue(const v1::Delivery& d) {
  return d.overdue_step() == v1::OVERDUE_STEP_ACKNOWLEDGEMENT ||
         d.overdue_step() == v1::OVERDUE_STEP_REPORT;
}

// The day a delivery became overdue: the due date of its overdue step.
double OverdueScore(const v1::Delivery& d) {
  return d.overdue_step() == v1::OVERDUE_STEP_ACKNOWLEDGEMENT
             ? DayScore(d.acknowledge_by())
             : DayScore(d.next_report_due());
}

DeliveryCounts ParseCounts(const RedisReply& reply) {
  DeliveryCounts counts;
  const auto& e = reply.elements();
  // HMGET order: states 1..10, late_ack, late_report (see CountsMany).
  for (int state = 1; state <= 10; ++state) {
    int64_t n = 0;
    if (static_cast<size_t>(state - 1) < e.size() && !e[state - 1].is_nil() &&
        absl::SimpleAtoi(e[state - 1].str(), &n) && n > 0) {
      counts.by_state[static_cast<v1::DeliveryState>(state)] =
          static_cast<int>(n);
      counts.total += static_cast<int>(n);
    }
  }
  int64_t n = 0;
  if (e.size() > 10 && !e[10].is_nil() && absl::SimpleAtoi(e[10].str(), &n)) {
    counts.late_acknowledgements = static_cast<int>(n);
  }
  if (e.size() > 11 && !e[11].is_nil() && absl::SimpleAtoi(e[11].str(), &n)) {
    counts.late_reports = static_cast<int>(n);
  }
  return counts;
}

}  // namespace

std::string DeliveryIdOf(const domain::DeliveryTarget& target) {
  std::string id;
  switch (target.kind) {
    case domain::TargetKind::kOrganization:
      id = absl::StrCat("org-", IdOf(target.target));
      break;
    case domain::TargetKind::kPerson:
      id = absl::StrCat("person-", IdOf(target.target));
      break;
    case domain::TargetKind::kRecipient:
      id = absl::StrCat("rcpt-", IdOf(target.target));
      break;
    case domain::TargetKind::kCommitteeMembers:
      id = absl::StrCat("cm-", IdOf(target.target), "-",
                        BodyCode(target.committee_body));
      break;
  }
  if (id.size() > kMaxIdLength) {
    // Still derived from the target alone, so a resumed fan-out finds it.
    id = absl::StrCat(id.substr(0, 40), "-",
                      Sha256Hex(target.target).substr(0, 16));
  }
  return id;
}

absl::StatusOr<DeliveryName> ParseDeliveryName(absl::string_view name,
                                               absl::string_view field) {
  const size_t at = name.find(kDeliveries.data(), 0, kDeliveries.size());
  if (!absl::StartsWith(name, "directives/") || at == absl::string_view::npos) {
    return InvalidField(field,
                        "must be directives/{directive}/deliveries/{delivery}");
  }
  DeliveryName parsed{std::string(name.substr(0, at)),
                      std::string(name.substr(at + kDeliveries.size()))};
  if (!IsValidResourceId(IdOf(parsed.directive)) ||
      !IsValidResourceId(parsed.id)) {
    return InvalidField(field,
                        "must be directives/{directive}/deliveries/{delivery}"
                        " with valid ids");
  }
  return parsed;
}

DeliveryStore::DeliveryStore(NotificationContext& context)
    : context_(context) {}

std::string DeliveryStore::RecordKey(absl::string_view delivery_name) const {
  return context_.records().RecordKey(delivery_name);
}
std::string DeliveryStore::IndexKey(absl::string_view directive) const {
  return context_.records().CollectionKey(directive, "deliveries");
}
std::string DeliveryStore::MessageLinksKey(absl::string_view directive) const {
  return absl::StrCat(context_.prefix(), "dmsg:", directive);
}
std::string DeliveryStore::CountersKey(absl::string_view directive) const {
  return absl::StrCat(context_.prefix(), "dcount:", directive);
}
std::string DeliveryStore::LateKey(absl::string_view directive) const {
  return absl::StrCat(context_.prefix(), "dlate:", directive);
}
std::string DeliveryStore::DueKey() const {
  return absl::StrCat(context_.prefix(), "ddue");
}
std::string DeliveryStore::RecipientIndexKey(
    absl::string_view recipient) const {
  return absl::StrCat(context_.prefix(), "dto:", recipient);
}

absl::StatusOr<Stored<v1::Delivery>> DeliveryStore::Get(
    absl::string_view delivery_name) {
  absl::StatusOr<std::vector<Stored<v1::Delivery>>> many =
      GetMany({std::string(delivery_name)});
  if (!many.ok()) return many.status();
  if (many->empty()) {
    return absl::NotFoundError(absl::StrCat(delivery_name, " not found"));
  }
  return std::move(many->front());
}

absl::StatusOr<std::vector<Stored<v1::Delivery>>> DeliveryStore::GetMany(
    const std::vector<std::string>& names) {
  std::vector<RedisCommand> commands;
  commands.reserve(names.size() * 2);
  for (const std::string& name : names) {
    commands.push_back({"HMGET", RecordKey(name), "v", "d"});
    const size_t at = name.find(kDeliveries.data(), 0, kDeliveries.size());
    const std::string directive =
        at == std::string::npos ? name : name.substr(0, at);
    commands.push_back({"HGET", MessageLinksKey(directive),
                        at == std::string::npos
                            ? std::string()
                            : name.substr(at + kDeliveries.size())});
  }
  std::vector<Stored<v1::Delivery>> out;
  if (commands.empty()) return out;
  absl::StatusOr<std::vector<RedisReply>> replies =
      context_.redis().Pipeline(commands);
  if (!replies.ok()) return replies.status();
  for (size_t i = 0; i < names.size(); ++i) {
    const RedisReply& record = (*replies)[2 * i];
    const RedisReply& link = (*replies)[2 * i + 1];
    if (record.is_error()) return absl::InternalError(record.str());
    if (record.elements().size() != 2 || record.elements()[0].is_nil()) {
      continue;
    }
    Stored<v1::Delivery> s;
    if (!absl::SimpleAtoi(record.elements()[0].str(), &s.version) ||
        !s.message.ParseFromString(record.elements()[1].str())) {
      return absl::DataLossError(names[i] + " is not a valid record");
    }
    s.message.set_name(names[i]);
    if (!link.is_nil() && !link.is_error()) s.message.set_message(link.str());
    ApplyEtag(s.message, s.version);
    out.push_back(std::move(s));
  }
  return out;
}

absl::StatusOr<std::vector<bool>> DeliveryStore::Exist(
    absl::string_view directive, const std::vector<std::string>& ids) {
  std::vector<RedisCommand> commands;
  commands.reserve(ids.size());
  for (const std::string& id : ids) {
    commands.push_back(
        {"EXISTS", RecordKey(absl::StrCat(directive, kDeliveries, id))});
  }
  std::vector<bool> exist;
  if (commands.empty()) return exist;
  absl::StatusOr<std::vector<RedisReply>> replies =
      context_.redis().Pipeline(commands);
  if (!replies.ok()) return replies.status();
  exist.reserve(ids.size());
  for (const RedisReply& r : *replies) exist.push_back(r.integer() == 1);
  return exist;
}

void DeliveryStore::StageChange(AtomicWrite& write, const v1::Delivery* before,
                                int64_t version,
                                const v1::Delivery& after) const {
  const std::string& name = after.name();
  const size_t at = name.find(kDeliveries.data(), 0, kDeliveries.size());
  const std::string directive = name.substr(0, at);
  const std::string id = name.substr(at + kDeliveries.size());

  v1::Delivery stored = after;
  stored.clear_name();
  stored.clear_etag();
  stored.clear_message();
  stored.clear_rendered_text();
  const std::string key = RecordKey(name);
  write.Expect(key, version);
  write.Put(key, stored.SerializeAsString());

  if (before == nullptr) {
    write.ZAdd(IndexKey(directive), 0, id);
    if (!after.recipient().empty()) {
      write.ZAdd(RecipientIndexKey(after.recipient()), 0, name);
    }
  }

  // Counters: what the old record counted goes, what the new one counts
  // comes; a field unchanged by the change nets to nothing and is skipped.
  std::map<std::string, int> deltas;
  if (before != nullptr) {
    for (std::string& f : CounterFields(*before)) --deltas[std::move(f)];
  }
  for (std::string& f : CounterFields(after)) ++deltas[std::move(f)];
  const std::string counters = CountersKey(directive);
  for (const auto& [field, delta] : deltas) {
    if (delta != 0) write.HIncrBy(counters, field, delta);
  }

  const bool was_late = before != nullptr && Overdue(*before);
  if (Overdue(after)) {
    if (!was_late || OverdueScore(*before) != OverdueScore(after)) {
      write.ZAdd(LateKey(directive), OverdueScore(after), id);
    }
  } else if (was_late) {
    write.ZRem(LateKey(directive), id);
  }

  const double due_before = before != nullptr ? NextDueScore(*before) : 0;
  const double due_after = NextDueScore(after);
  if (due_after != due_before) {
    if (due_after > 0) {
      write.ZAdd(DueKey(), due_after, name);
    } else {
      write.ZRem(DueKey(), name);
    }
  }
}

absl::StatusOr<DeliveryCounts> DeliveryStore::Counts(
    absl::string_view directive, absl::string_view scope) {
  absl::StatusOr<std::vector<DeliveryCounts>> many =
      CountsMany(directive, {std::string(scope)});
  if (!many.ok()) return many.status();
  return many->front();
}

absl::StatusOr<std::vector<DeliveryCounts>> DeliveryStore::CountsMany(
    absl::string_view directive, const std::vector<std::string>& scopes) {
  const std::string key = CountersKey(directive);
  std::vector<RedisCommand> commands;
  commands.reserve(scopes.size());
  for (const std::string& scope : scopes) {
    RedisCommand command = {"HMGET", key};
    for (int state = 1; state <= 10; ++state) {
      command.push_back(absl::StrCat(scope, "|", state));
    }
    command.push_back(absl::StrCat(scope, "|late_ack"));
    command.push_back(absl::StrCat(scope, "|late_report"));
    commands.push_back(std::move(command));
  }
  std::vector<DeliveryCounts> out;
  if (commands.empty()) return out;
  absl::StatusOr<std::vector<RedisReply>> replies =
      context_.redis().Pipeline(commands);
  if (!replies.ok()) return replies.status();
  out.reserve(replies->size());
  for (const RedisReply& r : *replies) {
    if (r.is_error()) return absl::InternalError(r.str());
    out.push_back(ParseCounts(r));
  }
  return out;
}

absl::StatusOr<IdPage> DeliveryStore::PageIds(absl::string_view directive,
                                              const std::string& cursor,
                                              int limit) {
  return context_.records().Page(IndexKey(directive), cursor, limit);
}

absl::StatusOr<IdPage> DeliveryStore::LateIds(absl::string_view directive,
                                              int limit) {
  const std::string key = LateKey(directive);
  absl::StatusOr<std::vector<RedisReply>> replies = context_.redis().Pipeline(
      {{"ZRANGE", key, "0", absl::StrCat(limit > 0 ? limit - 1 : -1)},
       {"ZCARD", key}});
  if (!replies.ok()) return replies.status();
  IdPage page;
  for (const RedisReply& e : (*replies)[0].elements()) {
    page.ids.push_back(e.str());
  }
  page.total_size = static_cast<int>((*replies)[1].integer());
  return page;
}

absl::StatusOr<std::vector<std::string>> DeliveryStore::DueBy(
    absl::CivilDay day, int limit) {
  absl::StatusOr<RedisReply> reply = context_.redis().Command(
      {"ZRANGE", DueKey(), "-inf",
       absl::StrCat(day.year() * 10000 + day.month() * 100 + day.day()),
       "BYSCORE", "LIMIT", "0", absl::StrCat(limit)});
  if (!reply.ok()) return reply.status();
  std::vector<std::string> names;
  for (const RedisReply& e : reply->elements()) names.push_back(e.str());
  return names;
}

absl::Status DeliveryStore::RecordRead(absl::string_view delivery_name,
                                       absl::string_view reader,
                                       absl::Time now) {
  constexpr int kAttempts = 3;
  absl::Status status;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    absl::StatusOr<Stored<v1::Delivery>> stored = Get(delivery_name);
    if (absl::IsNotFound(stored.status())) return absl::OkStatus();
    if (!stored.ok()) return stored.status();
    const v1::Delivery& before = stored->message;
    if (before.has_read_time() ||
        before.state() == v1::DELIVERY_STATE_CANCELLED) {
      return absl::OkStatus();
    }
    v1::Delivery after = before;
    *after.mutable_read_time() = ToTimestamp(now);
    after.set_read_by(std::string(reader));
    if (domain::IsAllowedTransition(before.state(), v1::DELIVERY_STATE_READ)) {
      after.set_state(v1::DELIVERY_STATE_READ);
    }
    after.mutable_update_stamp()->set_actor(std::string(reader));
    *after.mutable_update_stamp()->mutable_time() = ToTimestamp(now);
    after.mutable_update_stamp()->set_reason("read");
    AtomicWrite write;
    StageChange(write, &before, stored->version, after);
    absl::StatusOr<WriteResult> committed = write.Commit(context_.redis());
    status = committed.status();
    if (!absl::IsAborted(status)) return status;
  }
  return status;
}

absl::StatusOr<IdPage> DeliveryStore::PageByRecipient(
    absl::string_view recipient, const std::string& cursor, int limit) {
  return context_.records().Page(RecipientIndexKey(recipient), cursor, limit);
}

}  // namespace partydev::notification
