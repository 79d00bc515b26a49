#include "services/notification/digest.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/atomic_write.h"
#include "common/vietnam_time.h"
#include "services/notification/channel_preferences.h"
#include "services/notification/channel_store.h"
#include "services/notification/inbox_service.h"
#include "services/notification/inbox_store.h"
#include "services/notification/queue/job_queue.h"
#include "services/notification/recipient_store.h"

namespace partydev::notification {
namespace {

constexpr char kHeldTotal[] = "partydev_notification_digest_held_total";
constexpr char kDigestsTotal[] = "partydev_notification_digests_total";
constexpr char kDigestedTotal[] =
    "partydev_notification_digested_messages_total";

// How many times Hold re-reads after losing its commit to a concurrent one.
constexpr int kHoldTries = 3;

const v1::NotificationRuleSet* RuleSetOn(const NotificationContext& context) {
  absl::StatusOr<const v1::NotificationRuleSet*> set =
      context.rule_sets().ForDay(
          absl::ToCivilDay(context.clock().Now(), VietnamTimeZone()));
  return set.ok() ? *set : nullptr;
}

absl::Duration FromProto(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

// The item of a held message: its inbox dedup key (the same for every
// channel job of the message), or the job's own key for a message that
// carries no idempotency key.
std::string ItemOf(const storage::v1::Job& job, const v1::Message& message) {
  return message.idempotency_key().empty()
             ? job.idempotency_key()
             : DeliveryKey(job.recipient(), message.idempotency_key());
}

}  // namespace

v1::Message BuildDigestMessage(absl::CivilDay day,
                               const std::vector<v1::Message>& held,
                               const std::vector<std::string>& names) {
  v1::Message digest;
  digest.set_category(v1::MESSAGE_CATEGORY_DIGEST);
  digest.set_priority(v1::MESSAGE_PRIORITY_NORMAL);
  digest.set_subject(absl::StrFormat(
      "Tổng hợp thông báo ngày %02d/%02d/%04d: "
      "%d thông báo",
      day.day(), day.month(), day.year(), static_cast<int>(held.size())));
  std::string body = absl::StrFormat(
      "Các thông báo gửi đồng chí từ lần tổng hợp trước (%d):\n",
      static_cast<int>(held.size()));
  for (const v1::Message& m : held)
    absl::StrAppend(&body, "- ", m.subject(), "\n");
  digest.set_body(body);
  for (const std::string& name : names) {
    if (!name.empty()) digest.add_digested_messages(name);
  }
  return digest;
}

Digests::Digests(NotificationContext& context) : context_(context) {
  Metrics& metrics = context_.runtime().metrics();
  metrics.DescribeCounter(kHeldTotal,
                          "Messages held on the outbound channels for the "
                          "recipient's daily digest");
  metrics.DescribeCounter(kDigestsTotal, "Daily digests built");
  metrics.DescribeCounter(kDigestedTotal,
                          "Held messages gathered into a daily digest");
}

std::string Digests::PendingKey(absl::string_view recipient) const {
  return absl::StrCat(context_.prefix(), "digest:pending:", recipient);
}
std::string Digests::ItemKey(absl::string_view item) const {
  return absl::StrCat(context_.prefix(), "digest:item:", item);
}
std::string Digests::HeldKey(absl::string_view item) const {
  return absl::StrCat(context_.prefix(), "digest:held:", item);
}
std::string Digests::ScheduledKey(absl::string_view recipient,
                                  absl::CivilDay day) const {
  return absl::StrCat(context_.prefix(), "digest:scheduled:", recipient, ":",
                      absl::FormatCivilTime(day));
}
std::string Digests::BuiltKey(absl::string_view recipient,
                              absl::CivilDay day) const {
  return absl::StrCat(context_.prefix(), "digest:built:", recipient, ":",
                      absl::FormatCivilTime(day));
}
std::string Digests::JobKey(absl::string_view recipient, absl::CivilDay day) {
  return absl::StrCat("digest:", recipient, ":", absl::FormatCivilTime(day));
}

absl::Duration Digests::Retention() const {
  const v1::NotificationRuleSet* set = RuleSetOn(context_);
  if (set != nullptr && set->has_idempotency_retention()) {
    return std::max(FromProto(set->idempotency_retention()), absl::Hours(48));
  }
  return absl::Hours(72);
}

absl::StatusOr<bool> Digests::Exists(const std::string& key) {
  absl::StatusOr<RedisReply> reply = context_.redis().Command({"EXISTS", key});
  if (!reply.ok()) return reply.status();
  if (reply->is_error()) return absl::InternalError(reply->str());
  return reply->integer() > 0;
}

absl::StatusOr<absl::TimeZone> Digests::ZoneOf(const std::string& recipient) {
  RecipientStore recipients(context_);
  absl::StatusOr<Stored<v1::Recipient>> found = recipients.Get(recipient);
  if (absl::IsNotFound(found.status())) return RecipientTimeZone("");
  if (!found.ok()) return found.status();
  return RecipientTimeZone(found->message.time_zone());
}

absl::StatusOr<std::vector<std::string>> Digests::Pending(
    absl::string_view recipient) {
  absl::StatusOr<RedisReply> reply =
      context_.redis().Command({"ZRANGE", PendingKey(recipient), "0", "-1"});
  if (!reply.ok()) return reply.status();
  if (reply->is_error()) return absl::InternalError(reply->str());
  std::vector<std::string> items;
  for (const RedisReply& e : reply->elements()) items.push_back(e.str());
  return items;
}

void Digests::StageDigestJob(AtomicWrite& write, const std::string& recipient,
                             absl::CivilDay day, absl::Time at,
                             absl::Time now) const {
  // The marker lives until a day after the digest's time: long enough for
  // every message held before it to find it.
  write.RecordResponse(ScheduledKey(recipient, day), "",
                       (at - now) + absl::Hours(24));
  storage::v1::Job job;
  job.set_kind(v1::JOB_KIND_DIGEST);
  job.set_priority(v1::MESSAGE_PRIORITY_DIGEST);
  job.set_recipient(recipient);
  job.set_idempotency_key(JobKey(recipient, day));
  job.set_payload(absl::FormatCivilTime(day));
  *job.mutable_not_before() = ToTimestamp(at);
  context_.queue().StageEnqueue(write, std::move(job), now);
}

absl::StatusOr<bool> Digests::Hold(const storage::v1::Job& job,
                                   const v1::Message& message,
                                   const v1::Preferences& preferences) {
  if (!HeldForDigest(preferences, message.category(), message.priority(),
                     RuleSetOn(context_))) {
    return false;
  }
  absl::StatusOr<absl::TimeZone> zone = ZoneOf(job.recipient());
  if (!zone.ok()) return zone.status();
  const std::string item = ItemOf(job, message);
  for (int tries = 0; tries < kHoldTries; ++tries) {
    const absl::Time now = context_.clock().Now();
    const absl::Time at = NextDigestTime(preferences.digest(), *zone, now);
    const absl::CivilDay day = absl::ToCivilDay(at, *zone);
    // Held before (by another channel's job of the message, or by this
    // job before a crash): in the pending set or already in a digest.
    absl::StatusOr<bool> held = Exists(HeldKey(item));
    if (!held.ok()) return held.status();
    if (*held) return true;
    absl::StatusOr<bool> scheduled = Exists(ScheduledKey(job.recipient(), day));
    if (!scheduled.ok()) return scheduled.status();

    AtomicWrite write;
    write.RecordResponse(HeldKey(item), job.recipient(), Retention());
    write.ZAdd(PendingKey(job.recipient()),
               static_cast<double>(absl::ToUnixMillis(now)), item);
    write.Put(ItemKey(item), message.SerializeAsString());
    if (!*scheduled) StageDigestJob(write, job.recipient(), day, at, now);
    absl::StatusOr<WriteResult> written = write.Commit(context_.redis());
    if (written.ok()) {
      context_.runtime().metrics().Increment(kHeldTotal, {});
      return true;
    }
    // A marker appeared since it was read: decide again.
    if (!absl::IsAlreadyExists(written.status())) return written.status();
  }
  return absl::AbortedError("the digest's markers kept changing; retry");
}

JobResult Digests::Handle(const storage::v1::Job& job) {
  absl::CivilDay day;
  if (job.recipient().empty() || !absl::ParseCivilTime(job.payload(), &day)) {
    return JobResult::Dead(v1::DEAD_LETTER_REASON_MALFORMED_JOB,
                           "a digest job needs a recipient and a day");
  }
  const std::string& recipient = job.recipient();
  absl::StatusOr<bool> built = Exists(BuiltKey(recipient, day));
  if (!built.ok())
    return JobResult::Retry(std::string(built.status().message()));
  if (*built) return JobResult::Done();
  absl::StatusOr<std::vector<std::string>> items = Pending(recipient);
  if (!items.ok())
    return JobResult::Retry(std::string(items.status().message()));
  if (items->empty()) return JobResult::Done();

  // The held messages, and their names in the inbox.
  std::vector<std::string> item_keys;
  for (const std::string& item : *items) item_keys.push_back(ItemKey(item));
  absl::StatusOr<std::vector<VersionedRecord>> records =
      ReadRecords(context_.redis(), item_keys);
  if (!records.ok()) {
    return JobResult::Retry(std::string(records.status().message()));
  }
  InboxStore inbox(context_);
  absl::StatusOr<std::vector<std::string>> names = inbox.Delivered(
      std::vector<std::string>(items->size(), recipient), *items);
  if (!names.ok())
    return JobResult::Retry(std::string(names.status().message()));
  std::vector<v1::Message> held;
  std::vector<std::string> held_names;
  for (size_t i = 0; i < items->size(); ++i) {
    v1::Message m;
    // An item without its record (never written alone, but kept safe): the
    // entry is removed below with the others.
    if (!(*records)[i].exists() || !m.ParseFromString((*records)[i].data)) {
      continue;
    }
    held.push_back(std::move(m));
    held_names.push_back((*names)[i]);
  }

  const absl::Time now = context_.clock().Now();
  v1::Message digest = BuildDigestMessage(day, held, held_names);
  digest.set_idempotency_key(job.idempotency_key());
  *digest.mutable_create_time() = ToTimestamp(now);
  if (const v1::NotificationRuleSet* set = RuleSetOn(context_);
      set != nullptr && set->has_message_retention()) {
    *digest.mutable_expire_time() =
        ToTimestamp(now + FromProto(set->message_retention()));
  }

  AtomicWrite write;
  // The guard: a second run, or a second worker at the same time, loses
  // here and writes nothing.
  write.RecordResponse(BuiltKey(recipient, day), "", Retention());
  inbox.StageAppend(write, recipient, digest, "", "");
  for (const std::string& item : *items) {
    write.ZRem(PendingKey(recipient), item);
    write.Delete(ItemKey(item));
  }

  // One outbound job per verified, enabled channel of digest.channels.
  ChannelStore channels(context_);
  absl::StatusOr<Stored<v1::Preferences>> preferences =
      channels.GetPreferences(recipient);
  if (!preferences.ok()) {
    return JobResult::Retry(std::string(preferences.status().message()));
  }
  const v1::DigestSettings& settings = preferences->message.digest();
  if (!settings.channels().empty()) {
    absl::StatusOr<std::vector<Stored<storage::v1::StoredChannel>>> list =
        channels.List(recipient);
    if (!list.ok())
      return JobResult::Retry(std::string(list.status().message()));
    RecipientStore recipients(context_);
    absl::StatusOr<Stored<v1::Recipient>> found = recipients.Get(recipient);
    v1::Recipient who;
    if (found.ok()) who = found->message;
    // Quiet hours hold the digest's e-mail too (it is not urgent).
    const absl::Time not_before = EarliestDelivery(
        preferences->message, who, v1::MESSAGE_PRIORITY_NORMAL, now);
    for (const Stored<storage::v1::StoredChannel>& stored : *list) {
      const v1::Channel& channel = stored.message.channel();
      if (channel.type() == v1::CHANNEL_TYPE_IN_APP ||
          std::find(settings.channels().begin(), settings.channels().end(),
                    channel.type()) == settings.channels().end() ||
          channel.state() != v1::CHANNEL_STATE_ACTIVE || channel.paused() ||
          !ChannelAccepts(channel, v1::MESSAGE_CATEGORY_DIGEST)) {
        continue;
      }
      storage::v1::Job out;
      out.set_kind(v1::JOB_KIND_CHANNEL_DELIVERY);
      out.set_priority(v1::MESSAGE_PRIORITY_NORMAL);
      out.set_recipient(recipient);
      out.set_channel_type(channel.type());
      out.set_channel(channel.name());
      out.set_idempotency_key(DeliveryKey(
          recipient,
          absl::StrCat(job.idempotency_key(), ":",
                       channel.name().substr(channel.name().rfind('/') + 1))));
      out.set_payload(digest.SerializeAsString());
      if (not_before > now) *out.mutable_not_before() = ToTimestamp(not_before);
      context_.queue().StageEnqueue(write, std::move(out), now);
    }
  }

  absl::StatusOr<WriteResult> written = write.Commit(context_.redis());
  if (absl::IsAlreadyExists(written.status())) return JobResult::Done();
  if (!written.ok()) {
    return JobResult::Retry(std::string(written.status().message()));
  }
  Metrics& metrics = context_.runtime().metrics();
  metrics.Increment(kDigestsTotal, {});
  metrics.Increment(kDigestedTotal, {}, static_cast<double>(held.size()));
  // Messages held while this digest was built (after its read) wait for
  // the next one.
  EnsureScheduled(recipient);
  return JobResult::Done();
}

void Digests::EnsureScheduled(const std::string& recipient) {
  absl::StatusOr<std::vector<std::string>> items = Pending(recipient);
  if (!items.ok() || items->empty()) return;
  ChannelStore channels(context_);
  absl::StatusOr<Stored<v1::Preferences>> preferences =
      channels.GetPreferences(recipient);
  absl::StatusOr<absl::TimeZone> zone = ZoneOf(recipient);
  if (!preferences.ok() || !zone.ok()) return;
  const absl::Time now = context_.clock().Now();
  const absl::Time at =
      NextDigestTime(preferences->message.digest(), *zone, now);
  const absl::CivilDay day = absl::ToCivilDay(at, *zone);
  absl::StatusOr<bool> scheduled = Exists(ScheduledKey(recipient, day));
  if (!scheduled.ok() || *scheduled) return;
  AtomicWrite write;
  StageDigestJob(write, recipient, day, at, now);
  // ALREADY_EXISTS: staged concurrently, as wanted.
  write.Commit(context_.redis()).IgnoreError();
}

}  // namespace partydev::notification
