// File: common/redis_client.h
//
// A thread-safe Redis client on hiredis 0.14: a pool of synchronous
// connections, each used by one thread at a time. It reconnects on its own
// with exponential backoff, authenticates and selects the database on every
// new connection, and pipelines batches of commands in one write and one
// read. Every call fails fast with kUnavailable while Redis is unreachable,
// and recovers without a restart when it comes back.
//
//   RedisClient redis(options);
//   absl::StatusOr<RedisReply> reply = redis.Command({"GET", "pd:x"});
//   if (!reply.ok()) return reply.status();   // kUnavailable: retry later
//   if (reply->is_nil()) ...
//
// Threads: every method may be called from any thread. Commands block the
// calling thread until Redis answers or the command timeout passes, so call
// them from worker threads, never from gRPC's callback threads.

#ifndef PARTYDEV_COMMON_REDIS_CLIENT_H_
#define PARTYDEV_COMMON_REDIS_CLIENT_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/redis_options.h"

struct redisContext;

namespace partydev {

// One reply of Redis, copied out of hiredis so it outlives the connection.
class RedisReply {
 public:
  enum class Type { kNil, kString, kStatus, kInteger, kArray, kError };

  RedisReply() = default;
  static RedisReply Nil() { return RedisReply(); }
  static RedisReply String(std::string s);
  static RedisReply Status(std::string s);
  static RedisReply Error(std::string s);
  static RedisReply Integer(int64_t i);
  static RedisReply Array(std::vector<RedisReply> elements);

  Type type() const { return type_; }
  bool is_nil() const { return type_ == Type::kNil; }
  bool is_error() const { return type_ == Type::kError; }
  bool is_array() const { return type_ == Type::kArray; }
  // The bytes of a string, status or error reply.
  const std::string& str() const { return str_; }
  int64_t integer() const { return integer_; }
  const std::vector<RedisReply>& elements() const { return elements_; }

 private:
  Type type_ = Type::kNil;
  std::string str_;
  int64_t integer_ = 0;
  std::vector<RedisReply> elements_;
};

// One command: its arguments, binary-safe.
using RedisCommand = std::vector<std::string>;

class RedisClient {
 public:
  explicit RedisClient(RedisOptions options);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Runs one command. Errors:
  //   kUnavailable: Redis unreachable, connection lost, timeout, or a
  //     transient server state (LOADING, BUSY, MASTERDOWN, READONLY);
  //   kNotFound: NOSCRIPT (see LuaScript, which reloads the script);
  //   kInternal: any other error reply (a bug: wrong type, bad syntax).
  absl::StatusOr<RedisReply> Command(const RedisCommand& command);

  // Like Command, with a read timeout of its own (blocking commands such as
  // XREADGROUP BLOCK need more than the default).
  absl::StatusOr<RedisReply> Command(const RedisCommand& command,
                                     absl::Duration timeout);

  // Sends every command in one write and reads every reply in order.
  // kUnavailable when the connection fails; otherwise the replies, where a
  // command's error is a reply of type kError.
  absl::StatusOr<std::vector<RedisReply>> Pipeline(
      const std::vector<RedisCommand>& commands);

  // PING; OK when Redis answered PONG.
  absl::Status Ping();

  const RedisOptions& options() const { return options_; }

  // Counters for metrics: connections (re)made, I/O errors.
  int64_t connects() const { return connects_.load(); }
  int64_t errors() const { return errors_.load(); }

 private:
  struct Slot;
  class Lease;

  // Takes a free connection, connecting it first when needed.
  absl::StatusOr<Lease> Acquire();
  void Release(Slot* slot, bool broken);
  absl::Status Connect(Slot* slot);
  absl::StatusOr<RedisReply> Run(const RedisCommand& command,
                                 absl::Duration timeout);

  const RedisOptions options_;
  std::atomic<int64_t> connects_{0};
  std::atomic<int64_t> errors_{0};

  absl::Mutex mu_;
  std::vector<std::unique_ptr<Slot>> slots_ ABSL_GUARDED_BY(mu_);
  std::vector<Slot*> free_ ABSL_GUARDED_BY(mu_);
  // Bumped on every connection failure: pooled connections of an older
  // generation are dropped on their next use, so one failure (Redis
  // restarted) renews the whole pool instead of failing once per connection.
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  // While Redis is unreachable, no connection is attempted before this time.
  absl::Time next_connect_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  absl::Duration backoff_ ABSL_GUARDED_BY(mu_);
};

// Converts a reply that must be a string or nil; nil becomes "".
std::string ReplyString(const RedisReply& reply);

}  // namespace partydev

#endif  // PARTYDEV_COMMON_REDIS_CLIENT_H_
