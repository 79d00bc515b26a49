#include "services/notification/scheduled_reminder_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/errors.h"
#include "common/ids.h"
#include "services/notification/queue/job_queue.h"

namespace partydev::notification {
namespace {

constexpr absl::string_view kPrefix = "scheduledReminders/";
constexpr absl::string_view kCauses = "reminderCauses/";

}  // namespace

std::string ScheduledReminderNameOf(absl::string_view id) {
  return absl::StrCat(kPrefix, id);
}

absl::StatusOr<std::string> ParseScheduledReminderName(
    absl::string_view name, absl::string_view field) {
  if (name.empty()) return InvalidField(field, "is required");
  absl::string_view id = name;
  if (!absl::ConsumePrefix(&id, kPrefix) || !IsValidResourceId(id)) {
    return InvalidField(
        field, absl::StrCat("\"", name,
                            "\" is not \"scheduledReminders/{reminder}\" with "
                            "an id matching "
                            "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"));
  }
  return std::string(id);
}

std::string ScheduledReminderId(absl::string_view cause_key,
                                absl::string_view rule,
                                absl::string_view step_id, int repeat_index) {
  // Separated by a byte no part contains, so ("a|b", "c") and ("a", "b|c")
  // cannot collide.
  const std::string hash = Sha256Hex(absl::StrCat(
      cause_key, "\x1f", rule, "\x1f", step_id, "\x1f", repeat_index));
  return absl::StrCat("sr-", hash.substr(0, 40));
}

ScheduledReminderStore::ScheduledReminderStore(RecordStore& records)
    : records_(records) {}

std::string ScheduledReminderStore::IndexKey() const {
  return records_.CollectionKey("", "scheduledReminders");
}

std::string ScheduledReminderStore::DueKey() const {
  return absl::StrCat(records_.prefix(), "sr:due");
}

std::string ScheduledReminderStore::SubjectKey(
    absl::string_view subject) const {
  return absl::StrCat(records_.prefix(), "sr:subject:", subject);
}

absl::StatusOr<Stored<v1::ScheduledReminder>> ScheduledReminderStore::Get(
    absl::string_view name) {
  return records_.Get<v1::ScheduledReminder>(name);
}

absl::StatusOr<std::vector<Stored<v1::ScheduledReminder>>>
ScheduledReminderStore::GetMany(const std::vector<std::string>& names) {
  return records_.GetMany<v1::ScheduledReminder>(names);
}

absl::StatusOr<std::vector<Stored<v1::ScheduledReminder>>>
ScheduledReminderStore::All() {
  absl::StatusOr<std::vector<std::string>> ids = records_.All(IndexKey());
  if (!ids.ok()) return ids.status();
  std::vector<std::string> names;
  names.reserve(ids->size());
  for (const std::string& id : *ids) {
    names.push_back(ScheduledReminderNameOf(id));
  }
  return GetMany(names);
}

absl::StatusOr<std::vector<Stored<v1::ScheduledReminder>>>
ScheduledReminderStore::BySubject(absl::string_view subject) {
  absl::StatusOr<std::vector<std::string>> ids =
      records_.All(SubjectKey(subject));
  if (!ids.ok()) return ids.status();
  std::vector<std::string> names;
  names.reserve(ids->size());
  for (const std::string& id : *ids) {
    names.push_back(ScheduledReminderNameOf(id));
  }
  return GetMany(names);
}

absl::StatusOr<std::vector<std::string>> ScheduledReminderStore::DueBy(
    absl::Time now, int limit) {
  absl::StatusOr<RedisReply> reply =
      records_.redis().Command({"ZRANGEBYSCORE", DueKey(), "-inf",
                                absl::StrCat(absl::ToUnixSeconds(now)), "LIMIT",
                                "0", absl::StrCat(limit)});
  if (!reply.ok()) return reply.status();
  std::vector<std::string> names;
  for (const RedisReply& id : reply->elements()) {
    names.push_back(ScheduledReminderNameOf(id.str()));
  }
  return names;
}

void ScheduledReminderStore::StagePut(AtomicWrite& write,
                                      const v1::ScheduledReminder& reminder,
                                      int64_t version) const {
  records_.StagePut(write, reminder.name(), version, reminder);
  absl::string_view id = reminder.name();
  absl::ConsumePrefix(&id, kPrefix);
  write.ZAdd(IndexKey(), 0, id);
  if (!reminder.subject_resource().empty()) {
    write.ZAdd(SubjectKey(reminder.subject_resource()), 0, id);
  }
  if (reminder.state() == v1::SCHEDULED_REMINDER_STATE_SCHEDULED) {
    write.ZAdd(DueKey(),
               static_cast<double>(
                   absl::ToUnixSeconds(FromTimestamp(reminder.fire_time()))),
               id);
  } else {
    write.ZRem(DueKey(), id);
  }
}

std::string ScheduledReminderStore::CauseName(
    absl::string_view event_id) const {
  return absl::StrCat(kCauses, event_id);
}

absl::StatusOr<events::v1::Event> ScheduledReminderStore::GetCause(
    absl::string_view event_id) {
  absl::StatusOr<Stored<events::v1::Event>> stored =
      records_.Get<events::v1::Event>(CauseName(event_id));
  if (!stored.ok()) return stored.status();
  return std::move(stored->message);
}

absl::StatusOr<bool> ScheduledReminderStore::CauseExists(
    absl::string_view event_id) {
  absl::StatusOr<RedisReply> reply = records_.redis().Command(
      {"EXISTS", records_.RecordKey(CauseName(event_id))});
  if (!reply.ok()) return reply.status();
  return reply->integer() == 1;
}

void ScheduledReminderStore::StageCause(AtomicWrite& write,
                                        const events::v1::Event& event,
                                        bool exists) const {
  if (exists) return;
  records_.StagePut(write, CauseName(event.id()), 0, event);
}

}  // namespace partydev::notification
