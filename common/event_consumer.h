// File: common/event_consumer.h
//
// Reading another service's events from its Redis Stream through a consumer
// group, at least once, without losing any (design.md: consumers use
// consumer groups and are idempotent by event id, so a crash anywhere means
// a redelivery, never a loss or a double count).
//
// Each poll first re-reads this consumer's own pending entries (what it read
// before a crash and never acknowledged), then takes over entries idle for
// too long in other consumers (XAUTOCLAIM: a crashed replica), then reads
// new entries. An entry is acknowledged only after its handler returned OK,
// that is after its effect was written; a handler that fails leaves it
// pending, and it is retried on a later poll. After `max_attempts` failed
// attempts the entry is parked: copied to the parked stream with the error
// and acknowledged, so one bad event cannot stop the projection (an
// operator replays parked events once the cause is fixed). Failures that
// say nothing about the entry (UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED,
// ABORTED: Redis down, a concurrent writer won) are retried without
// counting towards parking.
//
// The handler must be idempotent by Event.id: it is called again for an
// entry whose effect was written but whose acknowledgement was lost.
//
//   EventConsumer consumer(redis, {.stream = "{pd:membership}:events",
//                                  .group = "quotad-admissions",
//                                  .consumer = "quotad-7f9c"},
//                          [&](const StreamEntry& entry,
//                              const events::v1::Event& event) {
//                            return projector.Apply(entry.id, event);
//                          });
//   consumer.Start();   // a background thread polling until Stop()
//   ...
//   absl::StatusOr<int> handled = consumer.PollOnce(absl::ZeroDuration());
//
// Thread-safety: PollOnce must not run concurrently with itself or with
// the background thread; stats() may be called from any thread.

#ifndef PARTYDEV_COMMON_EVENT_CONSUMER_H_
#define PARTYDEV_COMMON_EVENT_CONSUMER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/redis_client.h"
#include "common/streams.h"
#include "partydev/events/v1/events.pb.h"

namespace partydev {

struct EventConsumerOptions {
  // The stream read (e.g. "{pd:membership}:events").
  std::string stream;
  // The consumer group; created at the stream's start ("0") when absent.
  std::string group;
  // This consumer's name within the group (unique per process).
  std::string consumer;
  // Entries read per XREADGROUP.
  int batch = 200;
  // How long a poll of the background thread waits for new entries.
  absl::Duration block = absl::Seconds(1);
  // Entries pending in another consumer for longer than this are claimed.
  absl::Duration claim_idle = absl::Seconds(30);
  // Failed attempts after which an entry is parked.
  int max_attempts = 5;
  // Where parked entries go (fields: e = the event bytes, id = the entry id,
  // error = the last error); empty: `stream` + ":parked:" + `group`.
  std::string parked_stream;
};

// What a consumer has done since it started.
struct EventConsumerStats {
  int64_t handled = 0;  // handler returned OK (acknowledged)
  int64_t failed = 0;   // handler attempts that failed
  int64_t parked = 0;   // entries parked after max_attempts
  int64_t skipped = 0;  // entries without a parsable event (acknowledged)
  std::string last_entry_id;
  std::string last_error;
};

class EventConsumer {
 public:
  // Returns OK when the event's effect is written (or was written before);
  // any error leaves the entry pending for a retry.
  using Handler = std::function<absl::Status(const StreamEntry& entry,
                                             const events::v1::Event& event)>;

  EventConsumer(RedisClient& redis, EventConsumerOptions options,
                Handler handler);
  ~EventConsumer();  // Stop()s

  EventConsumer(const EventConsumer&) = delete;
  EventConsumer& operator=(const EventConsumer&) = delete;

  const EventConsumerOptions& options() const { return options_; }

  // Handles what is available: own pending entries, claimed entries, then
  // new entries (waiting up to `block` for new ones when there were none).
  // Returns how many entries were handled or parked.
  absl::StatusOr<int> PollOnce(absl::Duration block);

  // Polls until nothing is left (tests and rebuilds); returns the total.
  absl::StatusOr<int> Drain();

  // Starts the background thread (polls; on a Redis error waits and
  // retries). Stop() joins it.
  void Start();
  void Stop();

  EventConsumerStats stats() const;

 private:
  absl::StatusOr<int> HandleEntries(const std::vector<StreamEntry>& entries);
  void Run();

  RedisClient& redis_;
  Streams streams_;
  const EventConsumerOptions options_;
  Handler handler_;
  bool group_ready_ = false;
  absl::flat_hash_map<std::string, int> attempts_;  // entry id -> failures
  mutable absl::Mutex mutex_;
  EventConsumerStats stats_ ABSL_GUARDED_BY(mutex_);
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace partydev

#endif  // PARTYDEV_COMMON_EVENT_CONSUMER_H_
