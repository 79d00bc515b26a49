// File: services/notification/queue/dead_letters.h
//
// The dead letters of the delivery engine: jobs that failed for good
// (attempts exhausted, a permanent failure, a poison job claimed too many
// times). Each is an entry of the dead-letter stream q:dead (the job as it
// died, the reason, the time) plus its mutable state (DEAD, REPLAYED,
// DISCARDED), replay count and last action in hashes keyed by the entry id.
// The resource name is `deadLetters/{entry id}`.
//
// An operator lists, inspects, replays (one or all) and discards them.
// Replay puts the job back on its queue with fresh attempts and the same
// idempotency key (so a receiver that did get it sees it at most once) in
// one Lua script that also moves the state DEAD -> REPLAYED: two operators
// replaying at once replay it once.
//
//   DeadLetters dead(redis, keys, clock);
//   absl::StatusOr<DeadLetterPage> page = dead.List({.page_size = 50});
//   absl::StatusOr<v1::DeadLetter> replayed = dead.Replay(name, stamp);
//
// Thread-safe.

#ifndef PARTYDEV_SERVICES_NOTIFICATION_QUEUE_DEAD_LETTERS_H_
#define PARTYDEV_SERVICES_NOTIFICATION_QUEUE_DEAD_LETTERS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/clock.h"
#include "common/redis_client.h"
#include "partydev/common/v1/types.pb.h"
#include "partydev/notification/v1/operations.pb.h"
#include "services/notification/queue/queue_keys.h"

namespace partydev::notification {

// What List returns.
struct DeadLetterQuery {
  // 0 = 50; at most 1000.
  int page_size = 0;
  // The next_page_token of the previous page.
  std::string page_token;
  // Only this state; UNSPECIFIED: every state.
  v1::DeadLetterState state = v1::DEAD_LETTER_STATE_UNSPECIFIED;
  // Oldest first instead of newest first.
  bool oldest_first = false;
};

struct DeadLetterPage {
  std::vector<v1::DeadLetter> dead_letters;
  std::string next_page_token;  // empty on the last page
  int64_t total_size = 0;       // matching dead letters
};

class DeadLetters {
 public:
  DeadLetters(RedisClient& redis, QueueKeys keys, const Clock& clock);

  // A page of dead letters. kInvalidArgument for a bad page token.
  absl::StatusOr<DeadLetterPage> List(const DeadLetterQuery& query) const;

  // `name` is `deadLetters/{entry}`. kInvalidArgument for a bad name,
  // kNotFound when absent.
  absl::StatusOr<v1::DeadLetter> Get(absl::string_view name) const;

  // Puts the job back on its priority stream: attempt 0, replay_count + 1,
  // same id and idempotency key; state REPLAYED. kFailedPrecondition when
  // it is not DEAD; kAborted when `etag` is given and differs.
  absl::StatusOr<v1::DeadLetter> Replay(absl::string_view name,
                                        const common::v1::ChangeStamp& stamp,
                                        absl::string_view etag = "");

  // Replays DEAD entries, oldest first, at most `max_entries` (0 = 1000),
  // in batches. Returns the names replayed.
  absl::StatusOr<std::vector<std::string>> ReplayAll(
      int max_entries, const common::v1::ChangeStamp& stamp);

  // State DISCARDED (kept until the retention trims it).
  // kFailedPrecondition when it is not DEAD.
  absl::StatusOr<v1::DeadLetter> Discard(absl::string_view name,
                                         const common::v1::ChangeStamp& stamp,
                                         absl::string_view etag = "");

  // Dead letters in state DEAD.
  absl::StatusOr<int64_t> CountDead() const;

  // Deletes dead letters (any state) older than `before` (the rule set's
  // dead_letter_retention). Returns how many.
  absl::StatusOr<int64_t> PurgeBefore(absl::Time before);

 private:
  // Reads one entry (and its state) by entry id.
  absl::StatusOr<v1::DeadLetter> Load(const std::string& entry_id) const;
  absl::StatusOr<std::vector<v1::DeadLetter>> LoadEntries(
      const RedisReply& entries) const;
  absl::StatusOr<v1::DeadLetter> Transition(
      absl::string_view name, v1::DeadLetterState to,
      const common::v1::ChangeStamp& stamp, absl::string_view etag);

  RedisClient& redis_;
  const QueueKeys keys_;
  const Clock& clock_;
};

// "deadLetters/<entry>" <-> entry id.
std::string DeadLetterName(absl::string_view entry_id);
absl::StatusOr<std::string> DeadLetterEntryId(absl::string_view name);

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_QUEUE_DEAD_LETTERS_H_
