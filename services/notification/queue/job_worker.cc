#include "services/notification/queue/job_worker.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/lua_script.h"
#include "services/notification/queue/backoff.h"
#include "services/notification/queue/queue_maintenance.h"
#include "services/notification/queue/queue_metrics.h"
#include "services/notification/queue/rate_window.h"
#include "services/notification/queue/stream_ids.h"

namespace partydev::notification {
namespace {

// Settles one job: acknowledges and deletes its entry, then, only if this
// call acknowledged it (another worker that claimed it did not settle it
// first), records the outcome. The effect of a delivered job is recorded
// (done key) even when the entry was already acknowledged: the effect did
// happen.
// KEYS: 1 stream, 2 done key, 3 delayed zset, 4 retries set, 5 job key,
//       6 dead stream, 7 dead state, 8 dead replays, 9 dead live set.
// ARGV: 1 group, 2 entry id, 3 action, then:
//   done:  4 ttl ms
//   delay: 4 due ms, 5 member, 6 job bytes, 7 "1" if a retry
//   dead:  4 job bytes, 5 reason, 6 now ms, 7 replay count, 8 raw bytes
// Returns {acked, dead letter entry id or ""}.
constexpr char kSettleScript[] = R"lua(
local acked = redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
local action = ARGV[3]
if action == 'done' then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[4])
  return {acked, ''}
end
if acked == 0 then return {0, ''} end
if action == 'delay' then
  redis.call('HSET', KEYS[5], 'd', ARGV[6])
  redis.call('HINCRBY', KEYS[5], 'v', 1)
  redis.call('ZADD', KEYS[3], ARGV[4], ARGV[5])
  if ARGV[7] == '1' then
    redis.call('SADD', KEYS[4], ARGV[5])
  else
    redis.call('SREM', KEYS[4], ARGV[5])
  end
elseif action == 'dead' then
  local id = redis.call('XADD', KEYS[6], '*', 'j', ARGV[4], 'r', ARGV[5],
                        't', ARGV[6], 'raw', ARGV[8])
  redis.call('HSET', KEYS[7], id, '1')
  redis.call('HSET', KEYS[8], id, ARGV[7])
  redis.call('SADD', KEYS[9], id)
  return {1, id}
end
return {acked, ''}
)lua";

// KEYS: stream. ARGV: group, consumer, ids. For each id still pending in
// this consumer, resets its idle time (XCLAIM JUSTID: the delivery counter
// is not incremented); returns those ids.
constexpr char kTouchScript[] = R"lua(
local owned = {}
for i = 3, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if #p == 1 and p[1][2] == ARGV[2] then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
    owned[#owned + 1] = ARGV[i]
  end
end
return owned
)lua";

// Done for many entries of one stream at once (settle_batch).
// KEYS: 1 stream, 2.. the done keys. ARGV: 1 group, 2 ttl ms, 3.. entry ids.
constexpr char kSettleDoneScript[] = R"lua(
local ids = {}
for i = 3, #ARGV do ids[#ids + 1] = ARGV[i] end
local acked = redis.call('XACK', KEYS[1], ARGV[1], unpack(ids))
redis.call('XDEL', KEYS[1], unpack(ids))
for i = 2, #KEYS do redis.call('SET', KEYS[i], '1', 'PX', ARGV[2]) end
return acked
)lua";

const LuaScript& SettleDoneScript() {
  static const LuaScript* const script = new LuaScript(kSettleDoneScript);
  return *script;
}

const LuaScript& SettleScript() {
  static const LuaScript* const script = new LuaScript(kSettleScript);
  return *script;
}

int PriorityIndex(v1::MessagePriority priority) {
  switch (EffectivePriority(priority)) {
    case v1::MESSAGE_PRIORITY_URGENT:
      return 0;
    case v1::MESSAGE_PRIORITY_DIGEST:
      return 2;
    default:
      return 1;
  }
}

std::string ReasonLabel(v1::DeadLetterReason reason) {
  std::string name = v1::DeadLetterReason_Name(reason);
  constexpr absl::string_view kPrefix = "DEAD_LETTER_REASON_";
  if (name.size() > kPrefix.size()) name = name.substr(kPrefix.size());
  for (char& c : name) c = static_cast<char>(std::tolower(c));
  return name;
}

}  // namespace

JobWorker::JobWorker(RedisClient& redis, QueueKeys keys, const Clock& clock,
                     Metrics& metrics, JobWorkerOptions options,
                     Handler handler)
    : redis_(redis),
      keys_(std::move(keys)),
      clock_(clock),
      metrics_(metrics),
      options_(std::move(options)),
      handler_(std::move(handler)),
      queue_(redis, keys_, clock),
      streams_(redis),
      random_(std::random_device{}()) {
  DescribeQueueMetrics(metrics_);
}

JobWorker::~JobWorker() { Stop(); }

v1::ChannelPolicy JobWorker::PolicyOf(v1::ChannelType channel) const {
  v1::ChannelPolicy policy;
  if (options_.policy) policy = options_.policy(channel);
  if (policy.max_attempts() <= 0) {
    policy.set_max_attempts(options_.default_max_attempts);
  }
  return policy;
}

const v1::ChannelPolicy& JobWorker::PolicyInPoll(v1::ChannelType channel) {
  auto it = policies_in_poll_.find(channel);
  if (it == policies_in_poll_.end()) {
    it = policies_in_poll_.emplace(channel, PolicyOf(channel)).first;
  }
  return it->second;
}

absl::StatusOr<int> JobWorker::RunOnce(absl::Duration block) {
  absl::StatusOr<int> settled = Poll(block);
  // Jobs may have been read (or left unsettled) when the poll failed: the
  // next one re-reads this consumer's pending jobs.
  if (!settled.ok() && own_pending_ == OwnPending::kNone) {
    own_pending_ = OwnPending::kAfterError;
  }
  return settled;
}

absl::StatusOr<int> JobWorker::Poll(absl::Duration block) {
  if (options_.consumer.empty()) {
    return InvalidField("consumer",
                        "is required: a stable name per worker slot");
  }
  if (!groups_ready_) {
    absl::Status status = queue_.EnsureGroups();
    if (!status.ok()) return status;
    groups_ready_ = true;
  }
  std::vector<Delivery> deliveries;
  absl::Status status = ReadPendingAndClaimed(deliveries);
  if (!status.ok()) return status;
  if (deliveries.empty()) {
    status = ReadNew(block, deliveries);  // promotes too
  } else {
    status = queue_.PromoteDue(options_.promote_limit).status();
  }
  if (!status.ok()) return status;
  done_in_batch_.clear();
  policies_in_poll_.clear();
  status = CheckDone(deliveries);
  if (!status.ok()) return status;
  int settled = 0;
  // Idle times are Redis's wall clock, not the engine's clock.
  absl::Time touched = absl::Now();
  for (size_t i = 0; i < deliveries.size(); ++i) {
    if (stopping_.load()) break;  // the rest stays pending: ours next start
    if (absl::Now() - touched >= options_.claim_min_idle / 3) {
      status = KeepOwnership(deliveries, i);
      if (!status.ok()) return status;
      touched = absl::Now();
    }
    Delivery& delivery = deliveries[i];
    if (delivery.lost) continue;
    status = Handle(delivery);
    if (!status.ok()) {
      return status;
    }
    ++settled;
  }
  status = FlushDone();
  if (!status.ok()) return status;
  return settled;
}

absl::Status JobWorker::CheckDone(std::vector<Delivery>& deliveries) {
  // One MGET for the whole batch: one command for Redis to parse and
  // answer, not one per job.
  RedisCommand mget = {"MGET"};
  std::vector<size_t> checked;
  for (size_t i = 0; i < deliveries.size(); ++i) {
    storage::v1::Job& job = deliveries[i].job;
    if (!job.ParseFromString(deliveries[i].entry.Field("j"))) continue;
    deliveries[i].decoded = true;
    const std::string& key =
        job.idempotency_key().empty() ? job.id() : job.idempotency_key();
    if (key.empty()) continue;
    mget.push_back(keys_.Done(key));
    checked.push_back(i);
  }
  if (checked.empty()) return absl::OkStatus();
  absl::StatusOr<RedisReply> reply = redis_.Command(mget);
  if (!reply.ok()) return reply.status();
  if (reply->elements().size() != checked.size()) {
    return absl::InternalError("done keys: unexpected reply");
  }
  for (size_t j = 0; j < checked.size(); ++j) {
    deliveries[checked[j]].done = !reply->elements()[j].is_nil();
  }
  return absl::OkStatus();
}

absl::Status JobWorker::FlushDone() {
  if (pending_done_.empty()) return absl::OkStatus();
  const std::string ttl = absl::StrCat(std::max<int64_t>(
      1, absl::ToInt64Milliseconds(options_.idempotency_retention)));
  std::map<std::string,
           std::pair<std::vector<std::string>, std::vector<std::string>>>
      by_stream;
  for (const PendingDone& p : pending_done_) {
    auto& [keys, args] = by_stream[p.stream];
    if (keys.empty()) {
      keys.push_back(p.stream);
      args = {keys_.group(), ttl};
    }
    keys.push_back(p.done_key);
    args.push_back(p.entry_id);
  }
  std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>>
      calls;
  for (auto& [stream, call] : by_stream) calls.push_back(std::move(call));
  absl::StatusOr<std::vector<RedisReply>> replies =
      SettleDoneScript().RunMany(redis_, calls);
  if (!replies.ok()) return replies.status();
  for (const RedisReply& reply : *replies) {
    if (reply.is_error()) {
      return absl::InternalError(absl::StrCat("settle: ", reply.str()));
    }
  }
  // The metrics per channel: a batch is nearly always of one channel, and
  // label maps cost more than the counting.
  const absl::Time now = clock_.Now();
  std::map<std::string, std::pair<MetricLabels, int>> by_channel;
  for (const PendingDone& p : pending_done_) {
    auto& [labels, delivered] = by_channel[p.channel];
    if (labels.empty()) labels = {{"channel", p.channel}};
    ++delivered;
    if (p.enqueued != absl::InfinitePast()) {
      metrics_.Observe(kDeliveryLatency, labels,
                       absl::ToDoubleSeconds(now - p.enqueued));
    }
  }
  for (auto& [channel, counted] : by_channel) {
    MetricLabels& labels = counted.first;
    labels["outcome"] = kOutcomeDelivered;
    metrics_.Increment(kDeliveriesTotal, labels, counted.second);
  }
  pending_done_.clear();
  return absl::OkStatus();
}

absl::StatusOr<int> JobWorker::Drain() {
  int total = 0;
  for (int i = 0; i < 100000; ++i) {
    absl::StatusOr<int> n = RunOnce();
    if (!n.ok()) return n.status();
    if (*n == 0) return total;
    total += *n;
  }
  return total;
}

absl::Status JobWorker::ReadPendingAndClaimed(std::vector<Delivery>& out) {
  // A job can be claimed only once idle for claim_min_idle: looking a few
  // times per that period finds it as soon, without three XAUTOCLAIM round
  // trips on every poll of a busy worker.
  const absl::Time wall = absl::Now();
  const bool claim = wall - last_claim_scan_ >= options_.claim_min_idle / 4;
  if (claim) last_claim_scan_ = wall;
  for (v1::MessagePriority priority : kPriorities) {
    const std::string stream = keys_.Stream(priority);
    std::vector<Delivery> batch;
    if (own_pending_ != OwnPending::kNone) {
      absl::StatusOr<std::vector<StreamEntry>> own =
          own_pending_ == OwnPending::kAfterStart
              ? streams_.ReadOwnPending(stream, keys_.group(),
                                        options_.consumer, options_.batch)
              : PeekOwnPending(stream);
      if (!own.ok()) return own.status();
      for (StreamEntry& entry : *own) {
        batch.push_back({priority, std::move(entry), 1});
      }
    }
    ClaimResult none;
    absl::StatusOr<ClaimResult> claimed =
        claim ? streams_.Claim(stream, keys_.group(), options_.consumer,
                               options_.claim_min_idle,
                               claim_cursors_[PriorityIndex(priority)],
                               options_.batch)
              : absl::StatusOr<ClaimResult>(none);
    if (!claimed.ok()) return claimed.status();
    if (claim) {
      claim_cursors_[PriorityIndex(priority)] =
          claimed->next_cursor.empty() ? "0-0" : claimed->next_cursor;
    }
    for (StreamEntry& entry : claimed->entries) {
      const bool seen = std::any_of(
          batch.begin(), batch.end(),
          [&](const Delivery& d) { return d.entry.id == entry.id; });
      if (!seen) batch.push_back({priority, std::move(entry), 1});
    }
    if (!batch.empty()) {
      absl::Status status = FillDeliveryCounts(priority, batch);
      if (!status.ok()) return status;
    }
    for (Delivery& d : batch) out.push_back(std::move(d));
  }
  if (out.empty()) own_pending_ = OwnPending::kNone;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<StreamEntry>> JobWorker::PeekOwnPending(
    const std::string& stream) {
  absl::StatusOr<RedisReply> pending =
      redis_.Command({"XPENDING", stream, keys_.group(), "-", "+",
                      absl::StrCat(options_.batch), options_.consumer});
  if (!pending.ok()) return pending.status();
  std::vector<RedisCommand> reads;
  for (const RedisReply& row : pending->elements()) {
    if (row.elements().empty()) continue;
    const std::string& id = row.elements()[0].str();
    reads.push_back({"XRANGE", stream, id, id});
  }
  std::vector<StreamEntry> entries;
  if (reads.empty()) return entries;
  absl::StatusOr<std::vector<RedisReply>> bodies = redis_.Pipeline(reads);
  if (!bodies.ok()) return bodies.status();
  for (size_t i = 0; i < reads.size(); ++i) {
    std::vector<StreamEntry> found = ParseStreamEntries((*bodies)[i]);
    if (!found.empty()) {
      entries.push_back(std::move(found.front()));
    } else {
      entries.push_back({reads[i][2], {}});  // deleted: no body
    }
  }
  return entries;
}

absl::Status JobWorker::FillDeliveryCounts(v1::MessagePriority priority,
                                           std::vector<Delivery>& deliveries) {
  StreamId first, last, id;
  bool any = false;
  for (const Delivery& d : deliveries) {
    if (!StreamId::Parse(d.entry.id, &id)) continue;
    if (!any || id < first) first = id;
    if (!any || last < id) last = id;
    any = true;
  }
  if (!any) return absl::OkStatus();
  absl::StatusOr<RedisReply> reply = redis_.Command(
      {"XPENDING", keys_.Stream(priority), keys_.group(), first.ToString(),
       last.ToString(), absl::StrCat(deliveries.size() * 4 + 100),
       options_.consumer});
  if (!reply.ok()) return reply.status();
  std::map<std::string, int64_t> counts;
  for (const RedisReply& row : reply->elements()) {
    if (row.elements().size() >= 4) {
      counts[row.elements()[0].str()] = row.elements()[3].integer();
    }
  }
  for (Delivery& d : deliveries) {
    auto it = counts.find(d.entry.id);
    if (it != counts.end()) d.deliveries = it->second;
  }
  return absl::OkStatus();
}

void JobWorker::AppendRead(NewJobsRead& read, std::vector<Delivery>& out) {
  for (size_t i = 0; i < kPriorities.size(); ++i) {
    for (StreamEntry& entry : read.entries[i]) {
      out.push_back({kPriorities[i], std::move(entry), 1});
    }
  }
}

absl::Status JobWorker::ReadNew(absl::Duration block,
                                std::vector<Delivery>& out) {
  const absl::Time now = clock_.Now();
  absl::StatusOr<NewJobsRead> read =
      ReadDueAndNew(redis_, keys_, options_.consumer, options_.batch, now,
                    options_.promote_limit);
  if (!read.ok()) return read.status();
  AppendRead(*read, out);
  int promoted = 0;
  if (!read->due.empty()) {
    absl::StatusOr<int> moved = queue_.PromoteMembers(read->due, now);
    if (!moved.ok()) return moved.status();
    promoted = *moved;
  }
  if (promoted > 0 && static_cast<int>(out.size()) < options_.batch) {
    // The promoted jobs are on their streams now: read them in this poll,
    // each in its place by priority (an urgent reminder that just fell due
    // goes before the normal jobs already read).
    absl::StatusOr<NewJobsRead> more = ReadDueAndNew(
        redis_, keys_, options_.consumer,
        options_.batch - static_cast<int>(out.size()), now, /*due_limit=*/0);
    if (!more.ok()) return more.status();
    AppendRead(*more, out);
    std::stable_sort(
        out.begin(), out.end(), [](const Delivery& a, const Delivery& b) {
          return PriorityIndex(a.priority) < PriorityIndex(b.priority);
        });
  }
  // Wait for new jobs only when nothing was promoted either.
  if (promoted > 0) return absl::OkStatus();
  if (!out.empty() || block <= absl::ZeroDuration()) return absl::OkStatus();
  // Nothing anywhere: wait on the three streams at once.
  RedisCommand command = {
      "XREADGROUP",  "GROUP",
      keys_.group(), options_.consumer,
      "COUNT",       absl::StrCat(options_.batch),
      "BLOCK",       absl::StrCat(absl::ToInt64Milliseconds(block)),
      "STREAMS"};
  for (v1::MessagePriority priority : kPriorities) {
    command.push_back(keys_.Stream(priority));
  }
  for (size_t i = 0; i < kPriorities.size(); ++i) command.push_back(">");
  absl::StatusOr<RedisReply> reply =
      redis_.Command(command, block + redis_.options().command_timeout);
  if (!reply.ok()) return reply.status();
  for (const RedisReply& stream : reply->elements()) {
    if (stream.elements().size() != 2) continue;
    for (v1::MessagePriority priority : kPriorities) {
      if (stream.elements()[0].str() != keys_.Stream(priority)) continue;
      for (StreamEntry& entry : ParseStreamEntries(stream.elements()[1])) {
        out.push_back({priority, std::move(entry), 1});
      }
    }
  }
  return absl::OkStatus();
}

absl::Status JobWorker::KeepOwnership(std::vector<Delivery>& deliveries,
                                      size_t from) {
  static const LuaScript* const script = new LuaScript(kTouchScript);
  for (v1::MessagePriority priority : kPriorities) {
    std::vector<std::string> args = {keys_.group(), options_.consumer};
    for (size_t i = from; i < deliveries.size(); ++i) {
      if (deliveries[i].priority == priority && !deliveries[i].lost) {
        args.push_back(deliveries[i].entry.id);
      }
    }
    if (args.size() == 2) continue;
    absl::StatusOr<RedisReply> owned =
        script->Run(redis_, {keys_.Stream(priority)}, args);
    if (!owned.ok()) return owned.status();
    std::set<std::string> still;
    for (const RedisReply& id : owned->elements()) still.insert(id.str());
    for (size_t i = from; i < deliveries.size(); ++i) {
      if (deliveries[i].priority == priority &&
          still.count(deliveries[i].entry.id) == 0) {
        deliveries[i].lost = true;
      }
    }
  }
  return absl::OkStatus();
}

absl::Status JobWorker::Handle(Delivery& delivery) {
  if (delivery.entry.fields.empty()) {
    // Pending, but its entry is gone (deleted by hand or trimmed by an
    // older release): nothing left to deliver.
    return Settle(delivery, nullptr, SettleAction::kSkip, {}).status();
  }
  storage::v1::Job job;
  bool decoded = delivery.decoded;
  if (decoded) {
    job = std::move(delivery.job);
  } else {
    decoded = job.ParseFromString(delivery.entry.Field("j"));
  }
  if (!decoded || job.id().empty()) {
    storage::v1::Job shell;
    shell.set_id(delivery.entry.id);
    shell.set_priority(delivery.priority);
    shell.set_last_error("the job could not be decoded");
    return DeadLetter(delivery, std::move(shell),
                      v1::DEAD_LETTER_REASON_MALFORMED_JOB,
                      delivery.entry.Field("j"));
  }
  // Jobs put on a stream by other means than JobQueue may lack a key; the
  // id then stands for it (never an empty, shared done key).
  if (job.idempotency_key().empty()) job.set_idempotency_key(job.id());
  const std::string channel = ChannelLabel(job.channel_type());
  if (delivery.deliveries > 1 + options_.max_claims) {
    job.set_last_error(absl::StrCat("delivered ", delivery.deliveries,
                                    " times without being settled"));
    return DeadLetter(delivery, std::move(job),
                      v1::DEAD_LETTER_REASON_TOO_MANY_CLAIMS);
  }
  if (delivery.done || done_in_batch_.count(job.idempotency_key()) > 0) {
    metrics_.Increment(kDeliveriesTotal,
                       {{"channel", channel}, {"outcome", kOutcomeDuplicate}});
    return Settle(delivery, &job, SettleAction::kSkip, {}).status();
  }
  const v1::ChannelPolicy& policy = PolicyInPoll(job.channel_type());
  absl::Time now = clock_.Now();
  absl::StatusOr<bool> throttled = OverRateLimit(job, policy, now);
  if (!throttled.ok()) return throttled.status();
  if (*throttled) {
    metrics_.Increment(kDeliveriesTotal,
                       {{"channel", channel}, {"outcome", kOutcomeThrottled}});
    return Delay(delivery, job, NextMinute(now), /*is_retry=*/false);
  }

  const JobResult result = handler_(job);
  now = clock_.Now();
  switch (result.kind) {
    case JobResult::Kind::kDone: {
      done_in_batch_.insert(job.idempotency_key());
      if (options_.settle_batch > 1) {
        pending_done_.push_back({keys_.Stream(delivery.priority),
                                 delivery.entry.id,
                                 keys_.Done(job.idempotency_key()), channel,
                                 FromTimestamp(job.enqueue_time())});
        if (static_cast<int>(pending_done_.size()) >= options_.settle_batch) {
          return FlushDone();
        }
        return absl::OkStatus();
      }
      std::vector<std::string> ttl = {absl::StrCat(std::max<int64_t>(
          1, absl::ToInt64Milliseconds(options_.idempotency_retention)))};
      absl::StatusOr<bool> acked =
          Settle(delivery, &job, SettleAction::kDone, std::move(ttl));
      if (!acked.ok()) return acked.status();
      metrics_.Increment(kDeliveriesTotal, {{"channel", channel},
                                            {"outcome", kOutcomeDelivered}});
      const absl::Time enqueued = FromTimestamp(job.enqueue_time());
      if (enqueued != absl::InfinitePast()) {
        metrics_.Observe(kDeliveryLatency, {{"channel", channel}},
                         absl::ToDoubleSeconds(now - enqueued));
      }
      return absl::OkStatus();
    }
    case JobResult::Kind::kDefer:
      metrics_.Increment(kDeliveriesTotal,
                         {{"channel", channel}, {"outcome", kOutcomeDeferred}});
      return Delay(delivery, job, std::max(result.defer_until, now),
                   /*is_retry=*/false);
    case JobResult::Kind::kRetry: {
      const int attempts_made = job.attempt() + 1;
      job.set_attempt(attempts_made);
      job.set_last_error(result.error);
      job.set_last_http_status(result.http_status);
      if (attempts_made >= policy.max_attempts()) {
        return DeadLetter(delivery, std::move(job),
                          v1::DEAD_LETTER_REASON_ATTEMPTS_EXHAUSTED);
      }
      std::uniform_real_distribution<double> unit(0.0, 1.0);
      const absl::Duration delay =
          RetryDelay(policy, attempts_made, unit(random_), result.retry_after);
      metrics_.Increment(kDeliveriesTotal,
                         {{"channel", channel}, {"outcome", kOutcomeRetry}});
      metrics_.Increment(kRetriesTotal, {{"channel", channel}});
      return Delay(delivery, job, now + delay, /*is_retry=*/true);
    }
    case JobResult::Kind::kDead: {
      job.set_attempt(job.attempt() + 1);
      job.set_last_error(result.error);
      job.set_last_http_status(result.http_status);
      const v1::DeadLetterReason reason =
          result.reason == v1::DEAD_LETTER_REASON_UNSPECIFIED
              ? v1::DEAD_LETTER_REASON_PERMANENT_FAILURE
              : result.reason;
      return DeadLetter(delivery, std::move(job), reason);
    }
  }
  return absl::InternalError("unknown job result");
}

absl::StatusOr<bool> JobWorker::OverRateLimit(const storage::v1::Job& job,
                                              const v1::ChannelPolicy& policy,
                                              absl::Time now) {
  const int limit = policy.max_per_recipient_per_minute();
  if (limit <= 0 || job.recipient().empty() ||
      EffectivePriority(job.priority()) == v1::MESSAGE_PRIORITY_URGENT) {
    return false;
  }
  absl::StatusOr<bool> taken =
      TakeWindowSlot(redis_,
                     keys_.Rate(job.channel_type(), job.recipient(),
                                absl::ToUnixMillis(MinuteStart(now))),
                     limit);
  if (!taken.ok()) return taken.status();
  return !*taken;
}

absl::Status JobWorker::Delay(const Delivery& delivery,
                              const storage::v1::Job& job, absl::Time due,
                              bool is_retry) {
  storage::v1::Job delayed = job;
  *delayed.mutable_not_before() = ToTimestamp(due);
  return Settle(delivery, &delayed, SettleAction::kDelay,
                {absl::StrCat(absl::ToUnixMillis(due)),
                 DelayedMember(delayed.priority(), delayed.id()),
                 delayed.SerializeAsString(), is_retry ? "1" : "0"})
      .status();
}

absl::Status JobWorker::DeadLetter(const Delivery& delivery,
                                   storage::v1::Job job,
                                   v1::DeadLetterReason reason,
                                   absl::string_view raw) {
  absl::StatusOr<bool> acked =
      Settle(delivery, &job, SettleAction::kDead,
             {job.SerializeAsString(), absl::StrCat(static_cast<int>(reason)),
              absl::StrCat(absl::ToUnixMillis(clock_.Now())),
              absl::StrCat(job.replay_count()), std::string(raw)});
  if (!acked.ok()) return acked.status();
  if (*acked) {
    metrics_.Increment(kDeliveriesTotal,
                       {{"channel", ChannelLabel(job.channel_type())},
                        {"outcome", kOutcomeDeadLettered}});
    metrics_.Increment(kDeadLettersTotal, {{"reason", ReasonLabel(reason)}});
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> JobWorker::Settle(const Delivery& delivery,
                                       const storage::v1::Job* job,
                                       SettleAction action,
                                       std::vector<std::string> args) {
  const auto [keys, argv] = SettleCall(delivery, job, action, std::move(args));
  absl::StatusOr<RedisReply> reply = SettleScript().Run(redis_, keys, argv);
  if (!reply.ok()) return reply.status();
  if (reply->elements().empty()) {
    return absl::InternalError("settle: unexpected reply");
  }
  return reply->elements()[0].integer() == 1;
}

std::pair<std::vector<std::string>, std::vector<std::string>>
JobWorker::SettleCall(const Delivery& delivery, const storage::v1::Job* job,
                      SettleAction action,
                      std::vector<std::string> args) const {
  const std::string id = job != nullptr ? job->id() : "";
  const std::string key =
      job != nullptr ? job->idempotency_key() : delivery.entry.id;
  std::vector<std::string> keys = {keys_.Stream(delivery.priority),
                                   keys_.Done(key),
                                   keys_.Delayed(),
                                   keys_.DelayedRetries(),
                                   keys_.Job(id),
                                   keys_.Dead(),
                                   keys_.DeadState(),
                                   keys_.DeadReplays(),
                                   keys_.DeadLive()};
  const char* code = "skip";
  switch (action) {
    case SettleAction::kDone:
      code = "done";
      break;
    case SettleAction::kSkip:
      code = "skip";
      break;
    case SettleAction::kDelay:
      code = "delay";
      break;
    case SettleAction::kDead:
      code = "dead";
      break;
  }
  std::vector<std::string> argv = {keys_.group(), delivery.entry.id, code};
  for (std::string& arg : args) argv.push_back(std::move(arg));
  return {std::move(keys), std::move(argv)};
}

void JobWorker::Start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

void JobWorker::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void JobWorker::Run() {
  absl::Time next_maintenance = absl::Now() + options_.maintenance_interval;
  while (!stopping_.load()) {
    absl::StatusOr<int> n = RunOnce(options_.block);
    if (!n.ok()) {
      absl::SleepFor(absl::Milliseconds(200));
      continue;
    }
    if (options_.maintenance_interval > absl::ZeroDuration() &&
        absl::Now() >= next_maintenance) {
      // Failures are retried at the next interval; nothing depends on them.
      (void)TrimStreams(redis_, keys_);
      (void)RemoveIdleConsumers(redis_, keys_, options_.consumer_retention);
      next_maintenance = absl::Now() + options_.maintenance_interval;
    }
  }
}

}  // namespace partydev::notification
