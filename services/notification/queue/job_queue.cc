#include "services/notification/queue/job_queue.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/lua_script.h"
#include "common/streams.h"

namespace partydev::notification {
namespace {

// KEYS: delayed zset, retries set, urgent, normal, digest streams, then one
// job key per member. ARGV: now (ms), then the members. A member is moved
// only when ZREM removed it (another worker did not take it first) and it
// is still due (it was not rescheduled in between): exactly once.
constexpr char kPromoteScript[] = R"lua(
local now = tonumber(ARGV[1])
local moved = 0
for i = 2, #ARGV do
  local member = ARGV[i]
  local score = redis.call('ZSCORE', KEYS[1], member)
  if score and tonumber(score) <= now then
    redis.call('ZREM', KEYS[1], member)
    redis.call('SREM', KEYS[2], member)
    local p = tonumber(string.match(member, '^(%d+):')) or 2
    if p < 1 or p > 3 then p = 2 end
    local job_key = KEYS[4 + i]
    local bytes = redis.call('HGET', job_key, 'd')
    if bytes then
      redis.call('XADD', KEYS[2 + p], '*', 'j', bytes)
      moved = moved + 1
    end
    redis.call('DEL', job_key)
  end
end
return moved
)lua";

}  // namespace

google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  google::protobuf::Timestamp ts;
  if (time == absl::InfinitePast()) return ts;
  const int64_t nanos = absl::ToUnixNanos(time);
  ts.set_seconds(nanos / 1000000000);
  ts.set_nanos(static_cast<int32_t>(nanos % 1000000000));
  if (ts.nanos() < 0) {
    ts.set_seconds(ts.seconds() - 1);
    ts.set_nanos(ts.nanos() + 1000000000);
  }
  return ts;
}

absl::Time FromTimestamp(const google::protobuf::Timestamp& timestamp) {
  if (timestamp.seconds() == 0 && timestamp.nanos() == 0) {
    return absl::InfinitePast();
  }
  return absl::FromUnixSeconds(timestamp.seconds()) +
         absl::Nanoseconds(timestamp.nanos());
}

JobQueue::JobQueue(RedisClient& redis, QueueKeys keys, const Clock& clock)
    : redis_(redis), keys_(std::move(keys)), clock_(clock) {}

absl::Status JobQueue::EnsureGroups() {
  Streams streams(redis_);
  for (v1::MessagePriority priority : kPriorities) {
    absl::Status status =
        streams.EnsureGroup(keys_.Stream(priority), keys_.group(), "0");
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

std::string JobQueue::StageEnqueue(AtomicWrite& write, storage::v1::Job job,
                                   absl::Time now) const {
  if (job.id().empty()) job.set_id(NewUuid());
  if (job.idempotency_key().empty()) job.set_idempotency_key(job.id());
  if (!job.has_enqueue_time()) *job.mutable_enqueue_time() = ToTimestamp(now);
  job.set_priority(EffectivePriority(job.priority()));
  const absl::Time not_before = FromTimestamp(job.not_before());
  if (not_before <= now) {
    write.XAdd(keys_.Stream(job.priority()), {{"j", job.SerializeAsString()}});
  } else {
    write.Put(keys_.Job(job.id()), job.SerializeAsString());
    write.ZAdd(keys_.Delayed(),
               static_cast<double>(absl::ToUnixMillis(not_before)),
               DelayedMember(job.priority(), job.id()));
  }
  return job.id();
}

absl::StatusOr<std::string> JobQueue::Enqueue(storage::v1::Job job) {
  AtomicWrite write;
  std::string id = StageEnqueue(write, std::move(job), clock_.Now());
  absl::StatusOr<WriteResult> result = write.Commit(redis_);
  if (!result.ok()) return result.status();
  return id;
}

absl::StatusOr<int> JobQueue::PromoteDue(int limit) {
  const absl::Time now = clock_.Now();
  absl::StatusOr<RedisReply> due =
      redis_.Command({"ZRANGEBYSCORE", keys_.Delayed(), "-inf",
                      absl::StrCat(absl::ToUnixMillis(now)), "LIMIT", "0",
                      absl::StrCat(limit)});
  if (!due.ok()) return due.status();
  std::vector<std::string> members;
  for (const RedisReply& member : due->elements()) {
    members.push_back(member.str());
  }
  return PromoteMembers(members, now);
}

absl::StatusOr<int> JobQueue::PromoteMembers(
    const std::vector<std::string>& members, absl::Time now) {
  static const LuaScript* const script = new LuaScript(kPromoteScript);
  if (members.empty()) return 0;
  std::vector<std::string> keys = {keys_.Delayed(), keys_.DelayedRetries(),
                                   keys_.Stream(v1::MESSAGE_PRIORITY_URGENT),
                                   keys_.Stream(v1::MESSAGE_PRIORITY_NORMAL),
                                   keys_.Stream(v1::MESSAGE_PRIORITY_DIGEST)};
  std::vector<std::string> args = {absl::StrCat(absl::ToUnixMillis(now))};
  for (const std::string& member : members) {
    keys.push_back(keys_.Job(JobIdOfMember(member)));
    args.push_back(member);
  }
  absl::StatusOr<RedisReply> moved = script->Run(redis_, keys, args);
  if (!moved.ok()) return moved.status();
  return static_cast<int>(moved->integer());
}

}  // namespace partydev::notification
