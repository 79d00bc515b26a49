#include "common/lua_script.h"

#include <openssl/sha.h>

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace partydev {

LuaScript::LuaScript(std::string source) : source_(std::move(source)) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(source_.data()), source_.size(),
       digest);
  sha1_ = absl::BytesToHexString(absl::string_view(
      reinterpret_cast<const char*>(digest), SHA_DIGEST_LENGTH));
}

RedisCommand LuaScript::Build(absl::string_view verb, const std::string& script,
                              const std::vector<std::string>& keys,
                              const std::vector<std::string>& args) const {
  RedisCommand command;
  command.reserve(3 + keys.size() + args.size());
  command.emplace_back(verb);
  command.push_back(script);
  command.push_back(absl::StrCat(keys.size()));
  command.insert(command.end(), keys.begin(), keys.end());
  command.insert(command.end(), args.begin(), args.end());
  return command;
}

absl::StatusOr<RedisReply> LuaScript::Run(
    RedisClient& redis, const std::vector<std::string>& keys,
    const std::vector<std::string>& args) const {
  absl::StatusOr<RedisReply> reply =
      redis.Command(Build("EVALSHA", sha1_, keys, args));
  if (reply.ok() || !absl::IsNotFound(reply.status())) return reply;
  // NOSCRIPT: Redis restarted or its cache was flushed. EVAL runs the
  // script and caches it again for the next EVALSHA.
  return redis.Command(Build("EVAL", source_, keys, args));
}

absl::StatusOr<std::vector<RedisReply>> LuaScript::RunMany(
    RedisClient& redis,
    const std::vector<std::pair<std::vector<std::string>,
                                std::vector<std::string>>>& calls) const {
  std::vector<RedisCommand> commands;
  commands.reserve(calls.size());
  for (const auto& [keys, args] : calls) {
    commands.push_back(Build("EVALSHA", sha1_, keys, args));
  }
  absl::StatusOr<std::vector<RedisReply>> replies = redis.Pipeline(commands);
  if (!replies.ok()) return replies.status();
  for (size_t i = 0; i < replies->size(); ++i) {
    RedisReply& reply = (*replies)[i];
    if (!reply.is_error() || reply.str().rfind("NOSCRIPT", 0) != 0) continue;
    absl::StatusOr<RedisReply> again =
        Run(redis, calls[i].first, calls[i].second);
    if (!again.ok()) return again.status();
    reply = *std::move(again);
  }
  return replies;
}

}  // namespace partydev
