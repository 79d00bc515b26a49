#include "common/atomic_write.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/lua_script.h"

namespace partydev {
namespace {

// ARGV: op count, then per op: code, key index, arg count, args...
// Guards ("expect", "absent") run first, over every op, before any write:
// a failed guard writes nothing. Replies: {"ok", xadd ids...} or
// {"conflict", key} or {"exists", key}.
constexpr char kScript[] = R"lua(
local n = tonumber(ARGV[1])
local ops = {}
local i = 2
for o = 1, n do
  local code = ARGV[i]
  local key = KEYS[tonumber(ARGV[i + 1])]
  local argc = tonumber(ARGV[i + 2])
  local args = {}
  for a = 1, argc do args[a] = ARGV[i + 2 + a] end
  ops[o] = {code, key, args}
  i = i + 3 + argc
end
for _, op in ipairs(ops) do
  local code, key, args = op[1], op[2], op[3]
  if code == 'expect' then
    local v = tonumber(redis.call('HGET', key, 'v') or '0')
    if v ~= tonumber(args[1]) then return {'conflict', key} end
  elseif code == 'absent' then
    if redis.call('EXISTS', key) == 1 then return {'exists', key} end
  end
end
local ids = {}
for _, op in ipairs(ops) do
  local code, key, args = op[1], op[2], op[3]
  if code == 'put' then
    redis.call('HSET', key, 'd', args[1])
    redis.call('HINCRBY', key, 'v', 1)
  elseif code == 'del' then
    redis.call('DEL', key)
  elseif code == 'zadd' then
    redis.call('ZADD', key, args[1], args[2])
  elseif code == 'zrem' then
    redis.call('ZREM', key, args[1])
  elseif code == 'sadd' then
    redis.call('SADD', key, args[1])
  elseif code == 'srem' then
    redis.call('SREM', key, args[1])
  elseif code == 'hincr' then
    if redis.call('HINCRBY', key, args[1], args[2]) == 0 then
      redis.call('HDEL', key, args[1])
    end
  elseif code == 'rpush' then
    redis.call('RPUSH', key, args[1])
  elseif code == 'xadd' then
    ids[#ids + 1] = redis.call('XADD', key, '*', unpack(args))
  elseif code == 'xaddrec' then
    local nf = tonumber(args[1])
    local fields = {}
    for f = 1, nf do fields[f] = args[1 + f] end
    local id = redis.call('XADD', key, '*', unpack(fields))
    ids[#ids + 1] = id
    redis.call('HSET', args[nf + 2] .. id, 'v', 1, 'd', args[nf + 3])
    if args[nf + 4] ~= '' then
      redis.call('HSET', args[nf + 4], args[nf + 5], args[nf + 6] .. id)
    end
  elseif code == 'response' then
    redis.call('SET', key, args[1], 'PX', args[2])
  end
end
return {'ok', unpack(ids)}
)lua";

}  // namespace

absl::StatusOr<VersionedRecord> ReadRecord(RedisClient& redis,
                                           const std::string& key) {
  absl::StatusOr<std::vector<VersionedRecord>> records =
      ReadRecords(redis, {key});
  if (!records.ok()) return records.status();
  return (*records)[0];
}

absl::StatusOr<std::vector<VersionedRecord>> ReadRecords(
    RedisClient& redis, const std::vector<std::string>& keys) {
  std::vector<RedisCommand> commands;
  commands.reserve(keys.size());
  for (const auto& key : keys) commands.push_back({"HMGET", key, "v", "d"});
  absl::StatusOr<std::vector<RedisReply>> replies = redis.Pipeline(commands);
  if (!replies.ok()) return replies.status();
  std::vector<VersionedRecord> records;
  records.reserve(keys.size());
  for (size_t i = 0; i < replies->size(); ++i) {
    const RedisReply& reply = (*replies)[i];
    if (reply.is_error()) {
      return absl::InternalError(absl::StrCat("redis: ", reply.str()));
    }
    VersionedRecord record;
    if (reply.elements().size() == 2 && !reply.elements()[0].is_nil()) {
      if (!absl::SimpleAtoi(reply.elements()[0].str(), &record.version)) {
        return absl::DataLossError(absl::StrCat("bad version at ", keys[i]));
      }
      record.data = reply.elements()[1].str();
    }
    records.push_back(std::move(record));
  }
  return records;
}

int AtomicWrite::KeyIndex(absl::string_view key) {
  auto [it, inserted] = key_indexes_.try_emplace(
      std::string(key), static_cast<int>(keys_.size()) + 1);
  if (inserted) keys_.emplace_back(key);
  return it->second;
}

void AtomicWrite::Expect(absl::string_view key, int64_t version) {
  ops_.push_back({"expect", {absl::StrCat(version)}, KeyIndex(key)});
}

void AtomicWrite::Put(absl::string_view key, absl::string_view data) {
  ops_.push_back({"put", {std::string(data)}, KeyIndex(key)});
}

void AtomicWrite::XAddRecord(
    absl::string_view key,
    std::vector<std::pair<std::string, std::string>> fields,
    absl::string_view record_key_prefix, absl::string_view data,
    absl::string_view link_key, absl::string_view link_field,
    absl::string_view link_value_prefix) {
  Op op{"xaddrec", {absl::StrCat(fields.size() * 2)}, KeyIndex(key)};
  for (auto& [field, value] : fields) {
    op.args.push_back(std::move(field));
    op.args.push_back(std::move(value));
  }
  op.args.emplace_back(record_key_prefix);
  op.args.emplace_back(data);
  op.args.emplace_back(link_key);
  op.args.emplace_back(link_field);
  op.args.emplace_back(link_value_prefix);
  ops_.push_back(std::move(op));
}

void AtomicWrite::Delete(absl::string_view key) {
  ops_.push_back({"del", {}, KeyIndex(key)});
}

void AtomicWrite::ZAdd(absl::string_view key, double score,
                       absl::string_view member) {
  ops_.push_back({"zadd",
                  {absl::StrFormat("%.17g", score), std::string(member)},
                  KeyIndex(key)});
}

void AtomicWrite::ZRem(absl::string_view key, absl::string_view member) {
  ops_.push_back({"zrem", {std::string(member)}, KeyIndex(key)});
}

void AtomicWrite::SAdd(absl::string_view key, absl::string_view member) {
  ops_.push_back({"sadd", {std::string(member)}, KeyIndex(key)});
}

void AtomicWrite::SRem(absl::string_view key, absl::string_view member) {
  ops_.push_back({"srem", {std::string(member)}, KeyIndex(key)});
}

void AtomicWrite::RPush(absl::string_view key, absl::string_view value) {
  ops_.push_back({"rpush", {std::string(value)}, KeyIndex(key)});
}

void AtomicWrite::HIncrBy(absl::string_view key, absl::string_view field,
                          int64_t delta) {
  ops_.push_back(
      {"hincr", {std::string(field), absl::StrCat(delta)}, KeyIndex(key)});
}

void AtomicWrite::XAdd(
    absl::string_view key,
    std::vector<std::pair<std::string, std::string>> fields) {
  Op op{"xadd", {}, KeyIndex(key)};
  for (auto& [name, value] : fields) {
    op.args.push_back(std::move(name));
    op.args.push_back(std::move(value));
  }
  ops_.push_back(std::move(op));
}

void AtomicWrite::RecordResponse(absl::string_view key,
                                 absl::string_view response,
                                 absl::Duration ttl) {
  const int index = KeyIndex(key);
  ops_.push_back({"absent", {}, index});
  ops_.push_back(
      {"response",
       {std::string(response), absl::StrCat(absl::ToInt64Milliseconds(ttl))},
       index});
}

absl::StatusOr<WriteResult> AtomicWrite::Commit(RedisClient& redis) const {
  // One script object per process would do; its text is constant, so the
  // SHA-1 is computed once.
  static const LuaScript* const script = new LuaScript(kScript);
  std::vector<std::string> argv;
  argv.push_back(absl::StrCat(ops_.size()));
  for (const Op& op : ops_) {
    argv.push_back(op.code);
    argv.push_back(absl::StrCat(op.key_index));
    argv.push_back(absl::StrCat(op.args.size()));
    argv.insert(argv.end(), op.args.begin(), op.args.end());
  }
  absl::StatusOr<RedisReply> reply = script->Run(redis, keys_, argv);
  if (!reply.ok()) return reply.status();
  const auto& parts = reply->elements();
  if (parts.empty()) return absl::InternalError("atomic write: empty reply");
  const std::string& outcome = parts[0].str();
  if (outcome == "conflict") {
    return absl::AbortedError(absl::StrCat(
        "a concurrent change won: ", parts.size() > 1 ? parts[1].str() : "",
        " changed since it was read; read it again and retry"));
  }
  if (outcome == "exists") {
    return absl::AlreadyExistsError(
        absl::StrCat("the request was already applied: ",
                     parts.size() > 1 ? parts[1].str() : ""));
  }
  WriteResult result;
  for (size_t i = 1; i < parts.size(); ++i) {
    result.stream_ids.push_back(parts[i].str());
  }
  return result;
}

}  // namespace partydev
