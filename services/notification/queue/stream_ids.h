// File: services/notification/queue/stream_ids.h
//
// Redis stream entry ids ("<ms>-<seq>"): comparing them and finding the
// successor, which the engine needs to compute a safe MINID for trimming
// and to find the oldest unacknowledged job.

#ifndef PARTYDEV_SERVICES_NOTIFICATION_QUEUE_STREAM_IDS_H_
#define PARTYDEV_SERVICES_NOTIFICATION_QUEUE_STREAM_IDS_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace partydev::notification {

struct StreamId {
  uint64_t ms = 0;
  uint64_t seq = 0;

  // Parses "ms-seq" or "ms"; false when malformed.
  static bool Parse(absl::string_view text, StreamId* id);
  std::string ToString() const;
  // The smallest id after this one.
  StreamId Next() const;

  friend bool operator<(const StreamId& a, const StreamId& b) {
    return a.ms != b.ms ? a.ms < b.ms : a.seq < b.seq;
  }
  friend bool operator==(const StreamId& a, const StreamId& b) {
    return a.ms == b.ms && a.seq == b.seq;
  }
};

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_QUEUE_STREAM_IDS_H_
