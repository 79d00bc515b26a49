#include "common/event_consumer.h"

#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"

namespace partydev {
namespace {

EventConsumerOptions WithDefaults(EventConsumerOptions options) {
  if (options.parked_stream.empty()) {
    options.parked_stream =
        absl::StrCat(options.stream, ":parked:", options.group);
  }
  if (options.batch <= 0) options.batch = 200;
  if (options.max_attempts <= 0) options.max_attempts = 1;
  return options;
}

// Errors that say nothing about the entry (Redis unreachable, a deadline,
// a concurrent writer won): they do not count towards parking it.
bool Transient(const absl::Status& status) {
  return absl::IsUnavailable(status) || absl::IsDeadlineExceeded(status) ||
         absl::IsCancelled(status) || absl::IsAborted(status);
}

}  // namespace

EventConsumer::EventConsumer(RedisClient& redis, EventConsumerOptions options,
                             Handler handler)
    : redis_(redis),
      streams_(redis),
      options_(WithDefaults(std::move(options))),
      handler_(std::move(handler)) {}

EventConsumer::~EventConsumer() { Stop(); }

absl::StatusOr<int> EventConsumer::HandleEntries(
    const std::vector<StreamEntry>& entries) {
  int done = 0;
  std::vector<std::string> acks;
  for (const StreamEntry& entry : entries) {
    events::v1::Event event;
    const std::string bytes = entry.Field("e");
    if (bytes.empty() || !event.ParseFromString(bytes)) {
      // Not an event (or one this build cannot read): nothing to apply.
      acks.push_back(entry.id);
      absl::MutexLock lock(&mutex_);
      ++stats_.skipped;
      stats_.last_entry_id = entry.id;
      continue;
    }
    absl::Status status = handler_(entry, event);
    if (status.ok()) {
      acks.push_back(entry.id);
      attempts_.erase(entry.id);
      ++done;
      absl::MutexLock lock(&mutex_);
      ++stats_.handled;
      stats_.last_entry_id = entry.id;
      continue;
    }
    {
      absl::MutexLock lock(&mutex_);
      ++stats_.failed;
      stats_.last_error = absl::StrCat(entry.id, ": ", status.ToString());
    }
    if (Transient(status)) continue;  // left pending, retried later
    if (++attempts_[entry.id] < options_.max_attempts) continue;
    // Parked: kept aside with its error, acknowledged so that the
    // projection goes on.
    absl::StatusOr<std::string> parked = streams_.Append(
        options_.parked_stream,
        {{"e", bytes}, {"id", entry.id}, {"error", status.ToString()}});
    if (!parked.ok()) return parked.status();
    acks.push_back(entry.id);
    attempts_.erase(entry.id);
    ++done;
    absl::MutexLock lock(&mutex_);
    ++stats_.parked;
    stats_.last_entry_id = entry.id;
  }
  if (!acks.empty()) {
    absl::StatusOr<int64_t> acked =
        streams_.Ack(options_.stream, options_.group, acks);
    if (!acked.ok()) return acked.status();
  }
  return done;
}

absl::StatusOr<int> EventConsumer::PollOnce(absl::Duration block) {
  if (!group_ready_) {
    if (absl::Status s =
            streams_.EnsureGroup(options_.stream, options_.group, "0");
        !s.ok()) {
      return s;
    }
    group_ready_ = true;
  }
  int done = 0;
  bool saw_any = false;

  // 1. What this consumer read before and never acknowledged.
  absl::StatusOr<std::vector<StreamEntry>> own = streams_.ReadOwnPending(
      options_.stream, options_.group, options_.consumer, options_.batch);
  if (!own.ok()) return own.status();
  absl::flat_hash_set<std::string> tried;
  for (const StreamEntry& e : *own) tried.insert(e.id);
  if (!own->empty()) {
    saw_any = true;
    absl::StatusOr<int> n = HandleEntries(*own);
    if (!n.ok()) return n.status();
    done += *n;
  }

  // 2. What another (crashed) consumer left pending for too long.
  absl::StatusOr<ClaimResult> claimed =
      streams_.Claim(options_.stream, options_.group, options_.consumer,
                     options_.claim_idle, "0-0", options_.batch);
  if (!claimed.ok()) return claimed.status();
  if (!claimed->deleted_ids.empty()) {
    // Trimmed before anyone applied them: nothing left to apply.
    absl::StatusOr<int64_t> acked =
        streams_.Ack(options_.stream, options_.group, claimed->deleted_ids);
    if (!acked.ok()) return acked.status();
  }
  std::vector<StreamEntry> fresh_claims;
  for (StreamEntry& e : claimed->entries) {
    if (!tried.contains(e.id)) fresh_claims.push_back(std::move(e));
  }
  if (!fresh_claims.empty()) {
    saw_any = true;
    absl::StatusOr<int> n = HandleEntries(fresh_claims);
    if (!n.ok()) return n.status();
    done += *n;
  }

  // 3. New entries; wait for them only when there was nothing else to do.
  absl::StatusOr<std::vector<StreamEntry>> fresh = streams_.ReadGroup(
      options_.stream, options_.group, options_.consumer, options_.batch,
      saw_any ? absl::ZeroDuration() : block);
  if (!fresh.ok()) return fresh.status();
  if (!fresh->empty()) {
    absl::StatusOr<int> n = HandleEntries(*fresh);
    if (!n.ok()) return n.status();
    done += *n;
  }
  return done;
}

absl::StatusOr<int> EventConsumer::Drain() {
  int total = 0;
  // Polls that made no progress but had failures: the failing entries are
  // retried until they succeed or are parked (max_attempts); a failure
  // that does not count towards parking (Redis unreachable) ends the drain
  // after as many polls.
  int idle_failing_polls = 0;
  for (;;) {
    const int64_t failed_before = stats().failed;
    absl::StatusOr<int> n = PollOnce(absl::ZeroDuration());
    if (!n.ok()) return n.status();
    total += *n;
    if (*n > 0) {
      idle_failing_polls = 0;
      continue;
    }
    if (stats().failed == failed_before) break;
    if (++idle_failing_polls > options_.max_attempts) {
      return absl::UnavailableError(
          absl::StrCat("events of ", options_.stream, " for ", options_.group,
                       " keep failing: ", stats().last_error));
    }
  }
  return total;
}

void EventConsumer::Start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

void EventConsumer::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void EventConsumer::Run() {
  while (!stopping_) {
    absl::StatusOr<int> n = PollOnce(options_.block);
    if (n.ok()) continue;
    {
      absl::MutexLock lock(&mutex_);
      stats_.last_error = n.status().ToString();
    }
    // Redis down or a bad reply: wait a little (interruptibly) and retry.
    for (int i = 0; i < 10 && !stopping_; ++i) {
      absl::SleepFor(absl::Milliseconds(50));
    }
  }
}

EventConsumerStats EventConsumer::stats() const {
  absl::MutexLock lock(&mutex_);
  return stats_;
}

}  // namespace partydev
