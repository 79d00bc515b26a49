#include "common/redis_client.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace partydev {

RedisReply RedisReply::String(std::string s) {
  RedisReply r;
  r.type_ = Type::kString;
  r.str_ = std::move(s);
  return r;
}
RedisReply RedisReply::Status(std::string s) {
  RedisReply r;
  r.type_ = Type::kStatus;
  r.str_ = std::move(s);
  return r;
}
RedisReply RedisReply::Error(std::string s) {
  RedisReply r;
  r.type_ = Type::kError;
  r.str_ = std::move(s);
  return r;
}
RedisReply RedisReply::Integer(int64_t i) {
  RedisReply r;
  r.type_ = Type::kInteger;
  r.integer_ = i;
  return r;
}
RedisReply RedisReply::Array(std::vector<RedisReply> elements) {
  RedisReply r;
  r.type_ = Type::kArray;
  r.elements_ = std::move(elements);
  return r;
}

std::string ReplyString(const RedisReply& reply) { return reply.str(); }

namespace {

RedisReply Convert(const redisReply* r) {
  switch (r->type) {
    case REDIS_REPLY_STRING:
      return RedisReply::String(std::string(r->str, r->len));
    case REDIS_REPLY_STATUS:
      return RedisReply::Status(std::string(r->str, r->len));
    case REDIS_REPLY_ERROR:
      return RedisReply::Error(std::string(r->str, r->len));
    case REDIS_REPLY_INTEGER:
      return RedisReply::Integer(r->integer);
    case REDIS_REPLY_ARRAY: {
      std::vector<RedisReply> elements;
      elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) {
        elements.push_back(Convert(r->element[i]));
      }
      return RedisReply::Array(std::move(elements));
    }
    default:
      return RedisReply::Nil();
  }
}

// Server states in which a retry later can succeed.
bool IsTransientError(absl::string_view message) {
  return absl::StartsWith(message, "LOADING") ||
         absl::StartsWith(message, "BUSY ") ||
         absl::StartsWith(message, "MASTERDOWN") ||
         absl::StartsWith(message, "READONLY") ||
         absl::StartsWith(message, "TRYAGAIN");
}

absl::Status ErrorReplyStatus(absl::string_view message) {
  if (IsTransientError(message)) {
    return absl::UnavailableError(absl::StrCat("redis: ", message));
  }
  if (absl::StartsWith(message, "NOSCRIPT")) {
    return absl::NotFoundError(absl::StrCat("redis: ", message));
  }
  return absl::InternalError(absl::StrCat("redis: ", message));
}

}  // namespace

struct RedisClient::Slot {
  redisContext* context = nullptr;
  uint64_t generation = 0;
  ~Slot() {
    if (context != nullptr) redisFree(context);
  }
};

// A connection on loan to one thread; returns it to the pool when destroyed.
class RedisClient::Lease {
 public:
  Lease(RedisClient* client, Slot* slot) : client_(client), slot_(slot) {}
  Lease(Lease&& other) noexcept
      : client_(other.client_),
        slot_(std::exchange(other.slot_, nullptr)),
        broken_(other.broken_) {}
  Lease& operator=(Lease&&) = delete;
  ~Lease() {
    if (slot_ != nullptr) client_->Release(slot_, broken_);
  }
  redisContext* context() const { return slot_->context; }
  void MarkBroken() { broken_ = true; }

 private:
  RedisClient* client_;
  Slot* slot_;
  bool broken_ = false;
};

RedisClient::RedisClient(RedisOptions options)
    : options_(std::move(options)), backoff_(options_.min_backoff) {
  absl::MutexLock lock(&mu_);
  for (int i = 0; i < options_.pool_size; ++i) {
    slots_.push_back(std::make_unique<Slot>());
    free_.push_back(slots_.back().get());
  }
}

RedisClient::~RedisClient() = default;

absl::Status RedisClient::Connect(Slot* slot) {
  if (slot->context != nullptr) {
    redisFree(slot->context);
    slot->context = nullptr;
  }
  const timeval connect_timeout = absl::ToTimeval(options_.connect_timeout);
  redisContext* c =
      options_.unix_socket.empty()
          ? redisConnectWithTimeout(options_.host.c_str(), options_.port,
                                    connect_timeout)
          : redisConnectUnixWithTimeout(options_.unix_socket.c_str(),
                                        connect_timeout);
  if (c == nullptr || c->err != 0) {
    std::string why = c != nullptr ? c->errstr : "out of memory";
    if (c != nullptr) redisFree(c);
    return absl::UnavailableError(absl::StrCat("redis: cannot connect to ",
                                               options_.Describe(), ": ", why));
  }
  if (options_.unix_socket.empty()) redisEnableKeepAlive(c);
  redisSetTimeout(c, absl::ToTimeval(options_.command_timeout));
  auto handshake = [&](std::vector<std::string> args) -> absl::Status {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    auto* r = static_cast<redisReply*>(redisCommandArgv(
        c, static_cast<int>(argv.size()), argv.data(), lens.data()));
    if (r == nullptr) {
      return absl::UnavailableError(absl::StrCat("redis: ", c->errstr));
    }
    absl::Status status =
        r->type == REDIS_REPLY_ERROR
            ? absl::UnauthenticatedError(absl::StrCat(
                  "redis: ", args[0], " failed: ", std::string(r->str, r->len)))
            : absl::OkStatus();
    freeReplyObject(r);
    return status;
  };
  absl::Status status = absl::OkStatus();
  if (!options_.password.empty())
    status = handshake({"AUTH", options_.password});
  if (status.ok() && options_.db != 0) {
    status = handshake({"SELECT", absl::StrCat(options_.db)});
  }
  if (!status.ok()) {
    redisFree(c);
    // A refused password is a configuration error, but the service must
    // keep reporting UNAVAILABLE rather than crash: operators fix the secret
    // and the pool recovers.
    return absl::UnavailableError(status.message());
  }
  slot->context = c;
  connects_.fetch_add(1);
  return absl::OkStatus();
}

absl::StatusOr<RedisClient::Lease> RedisClient::Acquire() {
  Slot* slot = nullptr;
  bool needs_connect = false;
  {
    absl::MutexLock lock(&mu_);
    // Wait for a free connection, but not longer than a command may take.
    if (!mu_.AwaitWithTimeout(
            absl::Condition(
                +[](std::vector<Slot*>* f) { return !f->empty(); }, &free_),
            options_.command_timeout)) {
      return absl::UnavailableError("redis: no free connection in the pool");
    }
    slot = free_.back();
    free_.pop_back();
    if (slot->context != nullptr && slot->generation != generation_) {
      redisFree(slot->context);
      slot->context = nullptr;
    }
    if (slot->context == nullptr) {
      if (absl::Now() < next_connect_) {
        free_.push_back(slot);
        return absl::UnavailableError(
            absl::StrCat("redis: ", options_.Describe(),
                         " unreachable; next reconnect attempt in ",
                         absl::FormatDuration(next_connect_ - absl::Now())));
      }
      needs_connect = true;
    }
  }
  if (needs_connect) {
    absl::Status status = Connect(slot);
    absl::MutexLock lock(&mu_);
    if (!status.ok()) {
      errors_.fetch_add(1);
      next_connect_ = absl::Now() + backoff_;
      backoff_ = std::min(backoff_ * 2, options_.max_backoff);
      free_.push_back(slot);
      return status;
    }
    slot->generation = generation_;
    backoff_ = options_.min_backoff;
    next_connect_ = absl::InfinitePast();
  }
  return Lease(this, slot);
}

void RedisClient::Release(Slot* slot, bool broken) {
  absl::MutexLock lock(&mu_);
  if (broken) {
    if (slot->context != nullptr) {
      redisFree(slot->context);
      slot->context = nullptr;
    }
    ++generation_;
  }
  free_.push_back(slot);
}

absl::StatusOr<RedisReply> RedisClient::Command(const RedisCommand& command) {
  return Run(command, absl::ZeroDuration());
}

absl::StatusOr<RedisReply> RedisClient::Command(const RedisCommand& command,
                                                absl::Duration timeout) {
  return Run(command, timeout);
}

absl::StatusOr<RedisReply> RedisClient::Run(const RedisCommand& command,
                                            absl::Duration timeout) {
  absl::StatusOr<Lease> lease = Acquire();
  if (!lease.ok()) return lease.status();
  redisContext* c = lease->context();
  if (timeout > absl::ZeroDuration())
    redisSetTimeout(c, absl::ToTimeval(timeout));
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  argv.reserve(command.size());
  lens.reserve(command.size());
  for (const auto& a : command) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* r = static_cast<redisReply*>(redisCommandArgv(
      c, static_cast<int>(argv.size()), argv.data(), lens.data()));
  if (r == nullptr) {
    errors_.fetch_add(1);
    lease->MarkBroken();
    return absl::UnavailableError(absl::StrCat(
        "redis: ", command.empty() ? "" : command[0], " failed: ", c->errstr));
  }
  if (timeout > absl::ZeroDuration()) {
    redisSetTimeout(c, absl::ToTimeval(options_.command_timeout));
  }
  RedisReply reply = Convert(r);
  freeReplyObject(r);
  if (reply.is_error()) return ErrorReplyStatus(reply.str());
  return reply;
}

absl::StatusOr<std::vector<RedisReply>> RedisClient::Pipeline(
    const std::vector<RedisCommand>& commands) {
  absl::StatusOr<Lease> lease = Acquire();
  if (!lease.ok()) return lease.status();
  redisContext* c = lease->context();
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const auto& command : commands) {
    argv.clear();
    lens.clear();
    for (const auto& a : command) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    if (redisAppendCommandArgv(c, static_cast<int>(argv.size()), argv.data(),
                               lens.data()) != REDIS_OK) {
      lease->MarkBroken();
      return absl::ResourceExhaustedError("redis: cannot buffer pipeline");
    }
  }
  std::vector<RedisReply> replies;
  replies.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(c, &raw) != REDIS_OK || raw == nullptr) {
      errors_.fetch_add(1);
      lease->MarkBroken();
      return absl::UnavailableError(
          absl::StrCat("redis: pipeline failed: ", c->errstr));
    }
    auto* r = static_cast<redisReply*>(raw);
    replies.push_back(Convert(r));
    freeReplyObject(r);
  }
  return replies;
}

absl::Status RedisClient::Ping() {
  absl::StatusOr<RedisReply> reply = Command({"PING"});
  if (!reply.ok()) return reply.status();
  if (reply->str() != "PONG") {
    return absl::UnavailableError(
        absl::StrCat("redis: PING answered ", reply->str()));
  }
  return absl::OkStatus();
}

}  // namespace partydev
