// File: common/lua_script.h
//
// A Lua script run with EVALSHA. Redis forgets its script cache when it
// restarts (or on SCRIPT FLUSH); the NOSCRIPT reply is then answered by
// running the script with EVAL, which also loads it again, so callers never
// see the difference.
//
// Scripts are how a service changes state and appends its event in one
// atomic step (the outbox): every key a script touches is passed in KEYS and
// carries the same hash tag, so the scripts also run on Redis Cluster.
//
//   static constexpr char kIncr[] = "return redis.call('INCRBY', KEYS[1],
//   ARGV[1])"; LuaScript incr(kIncr); absl::StatusOr<RedisReply> r =
//   incr.Run(redis, {"pd:{o1}:n"}, {"2"});

#ifndef PARTYDEV_COMMON_LUA_SCRIPT_H_
#define PARTYDEV_COMMON_LUA_SCRIPT_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/redis_client.h"

namespace partydev {

class LuaScript {
 public:
  explicit LuaScript(std::string source);

  // EVALSHA, falling back to EVAL after NOSCRIPT.
  absl::StatusOr<RedisReply> Run(RedisClient& redis,
                                 const std::vector<std::string>& keys,
                                 const std::vector<std::string>& args) const;

  // Runs the script once per (keys, args) call in one pipeline (one round
  // trip); a call answered NOSCRIPT is run again on its own through Run.
  // Replies in call order; a call's Redis error is its reply, not a status.
  absl::StatusOr<std::vector<RedisReply>> RunMany(
      RedisClient& redis,
      const std::vector<std::pair<std::vector<std::string>,
                                  std::vector<std::string>>>& calls) const;

  const std::string& sha1() const { return sha1_; }
  const std::string& source() const { return source_; }

 private:
  RedisCommand Build(absl::string_view verb, const std::string& script,
                     const std::vector<std::string>& keys,
                     const std::vector<std::string>& args) const;

  std::string source_;
  std::string sha1_;  // lower-case hex, as Redis names scripts
};

}  // namespace partydev

#endif  // PARTYDEV_COMMON_LUA_SCRIPT_H_
