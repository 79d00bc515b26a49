// File: services/notification/inbox_store.h
//
// The in-app inbox of each recipient (inbox.proto Message), on Redis. Keys
// (P = "{pd:notification}:", R = "recipients/{id}"):
//
//   P inbox:R                 stream: one entry per message, in the order
//                             messages were added; the entry id IS the
//                             message id (inbox.proto: "message ids
//                             increase with the time they were added"), so
//                             "every message after X" is an XRANGE / XREAD
//   P r:R/messages/{id}       the message record {v, d} (RecordStore): read
//                             and archive states change its version (etag)
//   P inbox:R:unread          hash category number -> unread, not archived
//                             messages (fields at 0 are removed)
//   P inbox:dedup:{key}       the message id created under an idempotency
//                             key: a key never creates a second message
//
// Append runs one Lua script: if the dedup key exists it returns its
// message (a duplicate); otherwise XADD, the record, the dedup key and the
// unread counter, all at once. The record's key is derived inside the
// script from the new entry id (with the same hash tag as every other key,
// so it stays on one Redis Cluster slot): the only key of notifyd not
// passed in KEYS, because the id does not exist before the XADD.
//
// Not yet (issue #6): removal of messages after the rule set's
// message_retention (expire_time is recorded, nothing trims), so the dedup
// keys are kept without a TTL, as long as the messages.

#ifndef PARTYDEV_SERVICES_NOTIFICATION_INBOX_STORE_H_
#define PARTYDEV_SERVICES_NOTIFICATION_INBOX_STORE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/atomic_write.h"
#include "common/record_store.h"
#include "partydev/notification/v1/inbox.pb.h"
#include "services/notification/notification_context.h"

namespace partydev::notification {

// The parts of "recipients/{r}/messages/{id}".
struct MessageName {
  std::string recipient;  // "recipients/{r}"
  std::string id;
};
// INVALID_ARGUMENT naming `field` when `name` is not a message's name.
absl::StatusOr<MessageName> ParseMessageName(absl::string_view name,
                                             absl::string_view field);

class InboxStore {
 public:
  explicit InboxStore(NotificationContext& context);

  std::string StreamKey(absl::string_view recipient) const;
  std::string UnreadKey(absl::string_view recipient) const;
  std::string DedupKey(absl::string_view idempotency_key) const;

  // What Append did.
  struct Appended {
    std::string name;        // "recipients/{r}/messages/{id}"
    bool duplicate = false;  // the key had created it before
  };
  // Adds `message` (its name is set here) to `recipient`'s inbox unless
  // `dedup_key` already created a message; exactly once per key.
  absl::StatusOr<Appended> Append(absl::string_view recipient,
                                  const v1::Message& message,
                                  absl::string_view dedup_key);

  // Stages `message` into `recipient`'s inbox in `write`, for producers
  // whose own write makes them exactly-once (a directive's fan-out chunk
  // expects the directive's version): the message id is the stream entry's,
  // given at commit; when `link_key` is not empty, the message's name is
  // stored in that hash under `link_field` (a delivery's message link).
  void StageAppend(AtomicWrite& write, absl::string_view recipient,
                   const v1::Message& message, absl::string_view link_key,
                   absl::string_view link_field) const;

  // For each dedup key, the message name it created in `recipient`'s
  // inbox, or "" when none yet.
  absl::StatusOr<std::vector<std::string>> Delivered(
      const std::vector<std::string>& recipients,
      const std::vector<std::string>& dedup_keys);

  // One message (name set, etag from its version), or NOT_FOUND.
  absl::StatusOr<Stored<v1::Message>> Get(absl::string_view name);
  // The messages with these ids of `recipient`, in order (absent skipped).
  absl::StatusOr<std::vector<Stored<v1::Message>>> GetMany(
      absl::string_view recipient, const std::vector<std::string>& ids);

  // Ids newest first, strictly older than `before` ("": from the newest),
  // at most `limit`.
  absl::StatusOr<std::vector<std::string>> IdsNewestFirst(
      absl::string_view recipient, absl::string_view before, int limit);
  // Ids oldest first, strictly after `after` ("0-0": from the oldest), at
  // most `limit`; waits up to `block` for new ones when there are none
  // (zero: no wait).
  absl::StatusOr<std::vector<std::string>> IdsAfter(absl::string_view recipient,
                                                    absl::string_view after,
                                                    int limit,
                                                    absl::Duration block);
  // The newest id, or "0-0" when the inbox is empty.
  absl::StatusOr<std::string> LatestId(absl::string_view recipient);

  // Unread, not archived messages per category.
  absl::StatusOr<std::map<v1::MessageCategory, int>> UnreadCounts(
      absl::string_view recipient);

  // Stages a read/archive state change of `message` read at `version`,
  // moving the unread counter of its category by `unread_delta`.
  void StageUpdate(AtomicWrite& write, const v1::Message& message,
                   int64_t version, int unread_delta) const;

  // Whether a message counts as unread (unread and not archived).
  static bool CountsUnread(const v1::Message& message);

 private:
  NotificationContext& context_;
};

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_INBOX_STORE_H_
