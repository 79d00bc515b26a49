#include "services/notification/queue/queue_stats.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/streams.h"
#include "google/protobuf/duration.pb.h"
#include "partydev/storage/v1/jobs.pb.h"
#include "services/notification/queue/job_queue.h"
#include "services/notification/queue/queue_metrics.h"
#include "services/notification/queue/stream_ids.h"

namespace partydev::notification {
namespace {

google::protobuf::Duration ToDuration(absl::Duration d) {
  google::protobuf::Duration out;
  const int64_t nanos = absl::ToInt64Nanoseconds(d);
  out.set_seconds(nanos / 1000000000);
  out.set_nanos(static_cast<int32_t>(nanos % 1000000000));
  return out;
}

double Seconds(const google::protobuf::Duration& d) {
  return static_cast<double>(d.seconds()) + d.nanos() / 1e9;
}

const RedisReply* Field(const RedisReply& reply, absl::string_view name) {
  const auto& e = reply.elements();
  for (size_t i = 0; i + 1 < e.size(); i += 2) {
    if (e[i].str() == name) return &e[i + 1];
  }
  return nullptr;
}

// Counts the entries after `after` (when XINFO's lag is not known).
absl::StatusOr<int64_t> CountAfter(RedisClient& redis,
                                   const std::string& stream,
                                   const std::string& after) {
  int64_t count = 0;
  std::string cursor = after;
  while (true) {
    absl::StatusOr<RedisReply> reply = redis.Command(
        {"XRANGE", stream, absl::StrCat("(", cursor), "+", "COUNT", "1000"});
    if (!reply.ok()) return reply.status();
    const auto& entries = reply->elements();
    count += static_cast<int64_t>(entries.size());
    if (entries.size() < 1000) return count;
    cursor = entries.back().elements()[0].str();
  }
}

absl::Status FillPriority(RedisClient& redis, const QueueKeys& keys,
                          v1::MessagePriority priority, absl::Time now,
                          v1::QueueStats& stats) {
  Streams streams(redis);
  const std::string stream = keys.Stream(priority);
  v1::PriorityQueueStats* queue = stats.add_queues();
  queue->set_priority(priority);
  absl::StatusOr<std::vector<GroupInfo>> groups = streams.Groups(stream);
  if (!groups.ok()) return groups.status();
  const GroupInfo* group = nullptr;
  for (const GroupInfo& g : *groups) {
    if (g.name == keys.group()) group = &g;
  }
  std::string oldest_id;
  StreamId oldest;
  auto consider = [&](const std::string& id_text) {
    StreamId id;
    if (!StreamId::Parse(id_text, &id)) return;
    if (oldest_id.empty() || id < oldest) {
      oldest = id;
      oldest_id = id_text;
    }
  };
  if (group == nullptr) {
    // No worker ever started: everything on the stream is waiting.
    absl::StatusOr<int64_t> len = streams.Length(stream);
    if (!len.ok()) return len.status();
    queue->set_waiting(*len);
    queue->set_depth(*len);
    if (*len > 0) {
      absl::StatusOr<std::vector<StreamEntry>> first =
          streams.Range(stream, "-", "+", 1);
      if (!first.ok()) return first.status();
      if (!first->empty()) consider(first->front().id);
    }
  } else {
    queue->set_consumers(static_cast<int32_t>(group->consumers));
    absl::StatusOr<PendingSummary> pending =
        streams.Pending(stream, keys.group());
    if (!pending.ok()) return pending.status();
    queue->set_pending(pending->count);
    if (pending->count > 0) consider(pending->oldest_id);
    int64_t waiting = group->lag;
    if (waiting < 0) {
      absl::StatusOr<int64_t> counted =
          CountAfter(redis, stream, group->last_delivered_id);
      if (!counted.ok()) return counted.status();
      waiting = *counted;
    }
    queue->set_waiting(waiting);
    queue->set_depth(waiting + pending->count);
    if (waiting > 0) {
      absl::StatusOr<RedisReply> unread = redis.Command(
          {"XRANGE", stream, absl::StrCat("(", group->last_delivered_id), "+",
           "COUNT", "1"});
      if (!unread.ok()) return unread.status();
      std::vector<StreamEntry> first = ParseStreamEntries(*unread);
      if (!first.empty()) consider(first.front().id);
    }
    absl::StatusOr<RedisReply> consumers =
        redis.Command({"XINFO", "CONSUMERS", stream, keys.group()});
    if (!consumers.ok()) return consumers.status();
    for (const RedisReply& c : consumers->elements()) {
      const RedisReply* name = Field(c, "name");
      const RedisReply* pending_count = Field(c, "pending");
      const RedisReply* idle = Field(c, "idle");
      if (name == nullptr) continue;
      v1::ConsumerStats* consumer = stats.add_consumers();
      consumer->set_name(name->str());
      consumer->set_priority(priority);
      if (pending_count != nullptr) {
        consumer->set_pending(pending_count->integer());
      }
      if (idle != nullptr) {
        *consumer->mutable_idle() =
            ToDuration(absl::Milliseconds(idle->integer()));
      }
    }
  }
  if (!oldest_id.empty()) {
    absl::StatusOr<std::vector<StreamEntry>> entry =
        streams.Range(stream, oldest_id, oldest_id, 1);
    if (!entry.ok()) return entry.status();
    absl::Time since = absl::FromUnixMillis(static_cast<int64_t>(oldest.ms));
    storage::v1::Job job;
    if (!entry->empty() && job.ParseFromString(entry->front().Field("j")) &&
        job.has_enqueue_time()) {
      since = std::max(FromTimestamp(job.enqueue_time()),
                       FromTimestamp(job.not_before()));
    }
    *queue->mutable_oldest_pending_age() =
        ToDuration(std::max(now - since, absl::ZeroDuration()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::QueueStats> ReadQueueStats(RedisClient& redis,
                                              const QueueKeys& keys,
                                              absl::Time now,
                                              const Metrics* metrics) {
  v1::QueueStats stats;
  stats.set_name("queueStats");
  for (v1::MessagePriority priority : kPriorities) {
    absl::Status status = FillPriority(redis, keys, priority, now, stats);
    if (!status.ok()) return status;
  }
  absl::StatusOr<std::vector<RedisReply>> replies =
      redis.Pipeline({{"ZCARD", keys.Delayed()},
                      {"SCARD", keys.DelayedRetries()},
                      {"ZRANGE", keys.Delayed(), "0", "0", "WITHSCORES"},
                      {"SCARD", keys.DeadLive()}});
  if (!replies.ok()) return replies.status();
  for (const RedisReply& reply : *replies) {
    if (reply.is_error()) {
      return absl::InternalError(absl::StrCat("redis: ", reply.str()));
    }
  }
  stats.set_delayed((*replies)[0].integer());
  stats.set_retries_scheduled((*replies)[1].integer());
  const auto& next = (*replies)[2].elements();
  double score = 0;
  if (next.size() == 2 && absl::SimpleAtod(next[1].str(), &score)) {
    *stats.mutable_next_delayed_time() =
        ToTimestamp(absl::FromUnixMillis(static_cast<int64_t>(score)));
  }
  stats.set_dead_letter_count((*replies)[3].integer());
  if (metrics != nullptr) {
    for (v1::ChannelType channel :
         {v1::CHANNEL_TYPE_IN_APP, v1::CHANNEL_TYPE_WEBHOOK,
          v1::CHANNEL_TYPE_EMAIL}) {
      const std::string label = ChannelLabel(channel);
      v1::ChannelDeliveryStats* c = stats.add_channels();
      c->set_channel(channel);
      c->set_delivered(static_cast<int64_t>(metrics->Value(
          kDeliveriesTotal,
          {{"channel", label}, {"outcome", kOutcomeDelivered}})));
      c->set_retries(static_cast<int64_t>(
          metrics->Value(kRetriesTotal, {{"channel", label}})));
      c->set_dead_lettered(static_cast<int64_t>(metrics->Value(
          kDeliveriesTotal,
          {{"channel", label}, {"outcome", kOutcomeDeadLettered}})));
    }
  }
  *stats.mutable_compute_time() = ToTimestamp(now);
  return stats;
}

void ExportQueueGauges(const v1::QueueStats& stats, Metrics& metrics) {
  DescribeQueueMetrics(metrics);
  for (const v1::PriorityQueueStats& queue : stats.queues()) {
    const MetricLabels labels = {{"priority", PriorityLabel(queue.priority())}};
    metrics.Set(kQueueDepth, labels, static_cast<double>(queue.depth()));
    metrics.Set(kOldestPendingAge, labels, Seconds(queue.oldest_pending_age()));
  }
  metrics.Set(kDelayedJobs, {}, static_cast<double>(stats.delayed()));
  metrics.Set(kDeadLetterGauge, {},
              static_cast<double>(stats.dead_letter_count()));
}

}  // namespace partydev::notification
