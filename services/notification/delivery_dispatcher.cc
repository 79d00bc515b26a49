#include "services/notification/delivery_dispatcher.h"

#include <unistd.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "services/notification/domain/rule_sets.h"

namespace partydev::notification {
namespace {

// Vietnam's civil day (UTC+7, no daylight saving): the day of rule sets.
absl::CivilDay TodayOf(const Clock& clock) {
  return absl::ToCivilDay(clock.Now(), absl::FixedTimeZone(7 * 3600));
}

const v1::NotificationRuleSet* RuleSetOn(NotificationContext& context) {
  absl::StatusOr<const v1::NotificationRuleSet*> set =
      context.rule_sets().ForDay(TodayOf(context.clock()));
  return set.ok() ? *set : nullptr;
}

absl::Duration FromProto(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
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
    : context_(context), inbox_(context) {}

JobResult DeliveryDispatcher::Handle(const storage::v1::Job& job) {
  if (job.kind() != v1::JOB_KIND_CHANNEL_DELIVERY || job.recipient().empty() ||
      job.idempotency_key().empty()) {
    return JobResult::Dead(v1::DEAD_LETTER_REASON_MALFORMED_JOB,
                           "not a channel delivery with a recipient and a key");
  }
  if (job.channel_type() != v1::CHANNEL_TYPE_IN_APP) {
    // Issue #6: webhook and e-mail are not wired to the dispatcher yet.
    return JobResult::Retry("channel not wired yet (issue #6)");
  }
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
