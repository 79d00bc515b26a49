#include "services/notification/delivery_dispatcher.h"

#include <unistd.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/vietnam_time.h"
#include "services/notification/channel_preferences.h"
#include "services/notification/domain/rule_sets.h"
#include "services/notification/queue/backoff.h"
#include "services/notification/queue/rate_window.h"

namespace partydev::notification {
namespace {

// Vietnam's civil day (UTC+7, no daylight saving): the day of rule sets.
absl::CivilDay TodayOf(const Clock& clock) {
  return absl::ToCivilDay(clock.Now(), VietnamTimeZone());
}

const v1::NotificationRuleSet* RuleSetOn(NotificationContext& context) {
  absl::StatusOr<const v1::NotificationRuleSet*> set =
      context.rule_sets().ForDay(TodayOf(context.clock()));
  return set.ok() ? *set : nullptr;
}

absl::Duration FromProto(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

google::protobuf::Duration ToDuration(absl::Duration d) {
  google::protobuf::Duration out;
  const int64_t seconds = absl::IDivDuration(d, absl::Seconds(1), &d);
  out.set_seconds(seconds);
  out.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(d)));
  return out;
}

// `recipients/{r}/messages/{m}/attempts/{n}`: the message part is the
// job's idempotency key (one per recipient, request and channel), so the
// attempts of one message on one channel share it.
std::string AttemptName(const storage::v1::Job& job, int number) {
  return absl::StrCat(job.recipient(), "/messages/", job.idempotency_key(),
                      "/attempts/", number);
}

// Requests a minute the endpoint accepts: its own figure, capped by the rule
// set's per-channel one (channels.proto: "a larger value is coerced
// down"); 0 when the endpoint sets none (the worker's per-recipient limit
// still applies).
int EndpointLimit(const v1::Channel& channel, const v1::ChannelPolicy& policy) {
  if (!channel.has_webhook()) return 0;
  const int own = channel.webhook().max_requests_per_minute();
  if (own <= 0) return 0;
  const int cap = policy.max_per_recipient_per_minute();
  return cap > 0 ? std::min(own, cap) : own;
}

std::string HostName() {
  char buffer[256] = {0};
  if (gethostname(buffer, sizeof(buffer) - 1) != 0 || buffer[0] == '\0') {
    return "localhost";
  }
  return buffer;
}

}  // namespace

DeliveryDispatcher::DeliveryDispatcher(NotificationContext& context)
    : DeliveryDispatcher(
          context, ChannelDeliveryOptionsFor(context.runtime().config())) {}

DeliveryDispatcher::DeliveryDispatcher(
    NotificationContext& context, ChannelDeliveryOptions options,
    std::function<v1::ChannelPolicy(v1::ChannelType)> policy)
    : context_(context),
      inbox_(context),
      fan_out_(context),
      digests_(context),
      channels_(context),
      sender_(std::move(options)),
      policy_(std::move(policy)) {}

JobResult DeliveryDispatcher::Handle(const storage::v1::Job& job) {
  if (job.kind() == v1::JOB_KIND_FAN_OUT) return fan_out_.Handle(job);
  if (job.kind() == v1::JOB_KIND_DIGEST) return digests_.Handle(job);
  if (job.kind() != v1::JOB_KIND_CHANNEL_DELIVERY || job.recipient().empty() ||
      job.idempotency_key().empty()) {
    return JobResult::Dead(v1::DEAD_LETTER_REASON_MALFORMED_JOB,
                           "not a channel delivery with a recipient and a key");
  }
  switch (job.channel_type()) {
    case v1::CHANNEL_TYPE_IN_APP:
      return HandleInApp(job);
    case v1::CHANNEL_TYPE_WEBHOOK:
    case v1::CHANNEL_TYPE_EMAIL:
      return HandleOutbound(job);
    default:
      return JobResult::Dead(v1::DEAD_LETTER_REASON_MALFORMED_JOB,
                             "unknown channel type");
  }
}

JobResult DeliveryDispatcher::HandleInApp(const storage::v1::Job& job) {
  v1::Message message;
  if (!message.ParseFromString(job.payload())) {
    return JobResult::Dead(v1::DEAD_LETTER_REASON_MALFORMED_JOB,
                           "the payload is not a message");
  }
  const absl::Time now = context_.clock().Now();
  *message.mutable_create_time() = ToTimestamp(now);
  if (const v1::NotificationRuleSet* set = RuleSetOn(context_);
      set != nullptr && set->has_message_retention()) {
    *message.mutable_expire_time() =
        ToTimestamp(now + FromProto(set->message_retention()));
  }
  absl::StatusOr<InboxStore::Appended> appended =
      inbox_.Append(job.recipient(), message, job.idempotency_key());
  if (!appended.ok()) {
    return JobResult::Retry(std::string(appended.status().message()));
  }
  return JobResult::Done();
}

JobResult DeliveryDispatcher::HandleOutbound(const storage::v1::Job& job) {
  v1::Message message;
  if (!message.ParseFromString(job.payload())) {
    return JobResult::Dead(v1::DEAD_LETTER_REASON_MALFORMED_JOB,
                           "the payload is not a message");
  }
  absl::StatusOr<ChannelName> name = ParseChannelName(job.channel(), "channel");
  if (!name.ok() || name->recipient != job.recipient()) {
    return JobResult::Dead(v1::DEAD_LETTER_REASON_MALFORMED_JOB,
                           "the job names no channel of its recipient");
  }
  absl::StatusOr<Stored<storage::v1::StoredChannel>> stored =
      channels_.Get(job.channel());
  if (absl::IsNotFound(stored.status())) {
    return Skip(job, v1::ATTEMPT_OUTCOME_SKIPPED_CHANNEL_OFF,
                "the channel was deleted");
  }
  if (!stored.ok())
    return JobResult::Retry(std::string(stored.status().message()));
  const v1::Channel& channel = stored->message.channel();
  if (channel.type() != job.channel_type()) {
    return JobResult::Dead(v1::DEAD_LETTER_REASON_MALFORMED_JOB,
                           "the job's channel type is not its channel's");
  }
  if (channel.paused() || channel.state() != v1::CHANNEL_STATE_ACTIVE) {
    return Skip(job, v1::ATTEMPT_OUTCOME_SKIPPED_CHANNEL_OFF,
                absl::StrCat("the channel is ",
                             channel.paused()
                                 ? "paused"
                                 : v1::ChannelState_Name(channel.state())));
  }
  // The recipient may have muted the category since the job was staged.
  absl::StatusOr<Stored<v1::Preferences>> preferences =
      channels_.GetPreferences(job.recipient());
  if (!preferences.ok()) {
    return JobResult::Retry(std::string(preferences.status().message()));
  }
  if (CategoryMuted(preferences->message, message.category(), channel.type())) {
    return Skip(job, v1::ATTEMPT_OUTCOME_SKIPPED_OPTED_OUT,
                "the recipient opted out of the category on this channel");
  }
  // The recipient's daily digest gathers it instead (digest.h).
  absl::StatusOr<bool> held = digests_.Hold(job, message, preferences->message);
  if (!held.ok()) return JobResult::Retry(std::string(held.status().message()));
  if (*held) {
    return Skip(job, v1::ATTEMPT_OUTCOME_HELD_FOR_DIGEST,
                "held for the recipient's daily digest");
  }

  v1::ChannelPolicy policy;
  if (policy_) {
    policy = policy_(channel.type());
  } else if (const v1::NotificationRuleSet* set = RuleSetOn(context_);
             set != nullptr) {
    if (const v1::ChannelPolicy* found =
            domain::PolicyFor(*set, channel.type())) {
      policy = *found;
    }
  }
  const absl::Time now = context_.clock().Now();
  // The endpoint's own capacity (WebhookConfig.max_requests_per_minute,
  // capped by the rule set's per-channel figure): over it the job waits for
  // the next minute, whatever its priority, since the receiver would refuse
  // it (429) anyway.
  if (const int limit = EndpointLimit(channel, policy); limit > 0) {
    absl::StatusOr<bool> taken =
        TakeWindowSlot(context_.redis(),
                       context_.queue_keys().EndpointRate(
                           job.channel(), absl::ToUnixMillis(MinuteStart(now))),
                       limit);
    if (!taken.ok()) {
      return JobResult::Retry(std::string(taken.status().message()));
    }
    if (!*taken) return JobResult::Defer(NextMinute(now));
  }
  absl::Duration timeout = policy.has_attempt_timeout()
                               ? FromProto(policy.attempt_timeout())
                               : absl::Seconds(15);
  if (channel.has_webhook() && channel.webhook().has_timeout()) {
    timeout = std::min(timeout, FromProto(channel.webhook().timeout()));
  }
  // Standard Webhooks: webhook-id is the job's idempotency key, identical
  // on every attempt, so the receiver drops a redelivery.
  const ChannelOutcome outcome = sender_.SendMessage(
      stored->message, message, job.idempotency_key(), now, timeout);

  v1::DeliveryAttempt attempt;
  FillDeliveryAttempt(outcome, attempt);
  const int number = job.attempt() + 1;
  const int max_attempts =
      policy.max_attempts() > 0 ? policy.max_attempts() : 5;
  if (outcome.kind == OutcomeKind::kRetry && number >= max_attempts) {
    attempt.set_outcome(v1::ATTEMPT_OUTCOME_ATTEMPTS_EXHAUSTED);
  }
  attempt.set_name(AttemptName(job, number));
  attempt.set_channel(job.channel());
  attempt.set_channel_type(job.channel_type());
  attempt.set_attempt_number(number);
  *attempt.mutable_start_time() = ToTimestamp(now);
  const absl::Time enqueued = FromTimestamp(job.enqueue_time());
  if (enqueued != absl::InfinitePast() && now >= enqueued) {
    *attempt.mutable_queue_latency() = ToDuration(now - enqueued);
  }
  if (channel.has_webhook()) attempt.set_webhook_id(job.idempotency_key());
  // Best effort: the log must not make a delivered message be sent again.
  channels_.RecordAttempt(attempt).IgnoreError();

  v1::ChannelHealth health = channel.health();
  if (outcome.kind == OutcomeKind::kDelivered) {
    *health.mutable_last_success_time() = ToTimestamp(now);
    health.set_consecutive_failures(0);
    channels_.PutHealth(job.channel(), health).IgnoreError();
    return JobResult::Done();
  }
  AfterFailure(job, outcome, policy, now);
  switch (outcome.kind) {
    case OutcomeKind::kGone:
      return JobResult::Dead(v1::DEAD_LETTER_REASON_ENDPOINT_GONE,
                             outcome.error, outcome.http_status);
    case OutcomeKind::kPermanent:
      return JobResult::Dead(v1::DEAD_LETTER_REASON_PERMANENT_FAILURE,
                             outcome.error, outcome.http_status);
    default:
      return JobResult::Retry(
          outcome.error, outcome.http_status,
          outcome.retry_after.value_or(absl::ZeroDuration()));
  }
}

JobResult DeliveryDispatcher::Skip(const storage::v1::Job& job,
                                   v1::AttemptOutcome outcome,
                                   const std::string& why) {
  v1::DeliveryAttempt attempt;
  attempt.set_name(AttemptName(job, job.attempt() + 1));
  attempt.set_channel(job.channel());
  attempt.set_channel_type(job.channel_type());
  attempt.set_attempt_number(job.attempt() + 1);
  *attempt.mutable_start_time() = ToTimestamp(context_.clock().Now());
  attempt.set_outcome(outcome);
  attempt.set_error(why);
  channels_.RecordAttempt(attempt).IgnoreError();
  return JobResult::Done();
}

void DeliveryDispatcher::AfterFailure(const storage::v1::Job& job,
                                      const ChannelOutcome& outcome,
                                      const v1::ChannelPolicy& policy,
                                      absl::Time now) {
  absl::StatusOr<Stored<storage::v1::StoredChannel>> stored =
      channels_.Get(job.channel());
  if (!stored.ok()) return;
  const v1::Channel& channel = stored->message.channel();
  v1::ChannelHealth health = channel.health();
  *health.mutable_last_failure_time() = ToTimestamp(now);
  health.set_last_error(outcome.error);
  health.set_last_http_status(outcome.http_status);
  health.set_consecutive_failures(health.consecutive_failures() + 1);
  channels_.PutHealth(job.channel(), health).IgnoreError();
  if (outcome.kind == OutcomeKind::kGone) {
    Disable(job.channel(), "the webhook answered 410 Gone");
    return;
  }
  // Standard Webhooks: an endpoint failing for days is disabled, so that
  // its jobs stop piling up; VerifyChannel re-enables it.
  if (!policy.has_disable_after_failing_for()) return;
  absl::Time since = FromTimestamp(health.last_success_time());
  since = std::max(since, FromTimestamp(channel.verify_time()));
  if (since != absl::InfinitePast() &&
      now - since >= FromProto(policy.disable_after_failing_for())) {
    Disable(job.channel(), absl::StrCat("every attempt failed for ",
                                        absl::FormatDuration(now - since)));
  }
}

void DeliveryDispatcher::Disable(const std::string& channel,
                                 const std::string& reason) {
  for (int tries = 0; tries < 3; ++tries) {
    absl::StatusOr<Stored<storage::v1::StoredChannel>> stored =
        channels_.Get(channel);
    if (!stored.ok()) return;
    storage::v1::StoredChannel updated = stored->message;
    updated.mutable_channel()->set_state(v1::CHANNEL_STATE_DISABLED);
    updated.mutable_channel()->set_state_reason(reason);
    AtomicWrite write;
    channels_.StagePut(write, updated, stored->version);
    absl::StatusOr<WriteResult> written = write.Commit(context_.redis());
    if (written.ok() || !absl::IsAborted(written.status())) return;
  }
}

JobWorker::Handler DeliveryDispatcher::AsHandler() {
  return [this](const storage::v1::Job& job) { return Handle(job); };
}

JobWorkerOptions DeliveryWorkerOptions(NotificationContext& context, int slot) {
  JobWorkerOptions options;
  options.consumer = absl::StrCat("notifyd-", HostName(), "-", slot);
  NotificationContext* ctx = &context;
  options.policy = [ctx](v1::ChannelType channel) {
    const v1::NotificationRuleSet* set = RuleSetOn(*ctx);
    const v1::ChannelPolicy* policy =
        set != nullptr ? domain::PolicyFor(*set, channel) : nullptr;
    return policy != nullptr ? *policy : v1::ChannelPolicy();
  };
  // Every channel the dispatcher serves is idempotent on its own (the
  // inbox's dedup key; a webhook receiver's webhook-id), so Done results
  // are settled a batch at a time: a crash re-delivers at most one batch,
  // which those keys absorb (bench/README.md: the throughput this buys).
  options.settle_batch = options.batch;
  if (const v1::NotificationRuleSet* set = RuleSetOn(context);
      set != nullptr && set->has_idempotency_retention()) {
    options.idempotency_retention = FromProto(set->idempotency_retention());
  }
  return options;
}

DeliveryWorkers::DeliveryWorkers(NotificationContext& context)
    : dispatcher_(context),
      worker_(std::make_unique<JobWorker>(
          context.redis(), context.queue_keys(), context.clock(),
          context.runtime().metrics(), DeliveryWorkerOptions(context, 0),
          dispatcher_.AsHandler())) {
  worker_->Start();
}

DeliveryWorkers::~DeliveryWorkers() { worker_->Stop(); }

}  // namespace partydev::notification
