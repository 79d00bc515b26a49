#include "services/notification/queue/queue_keys.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace partydev::notification {

v1::MessagePriority EffectivePriority(v1::MessagePriority priority) {
  switch (priority) {
    case v1::MESSAGE_PRIORITY_URGENT:
    case v1::MESSAGE_PRIORITY_DIGEST:
      return priority;
    default:
      return v1::MESSAGE_PRIORITY_NORMAL;
  }
}

QueueKeys::QueueKeys(std::string prefix, std::string group)
    : prefix_(std::move(prefix)), group_(std::move(group)) {}

std::string QueueKeys::Stream(v1::MessagePriority priority) const {
  return absl::StrCat(prefix_,
                      "q:", PriorityLabel(EffectivePriority(priority)));
}

std::string QueueKeys::Job(absl::string_view job_id) const {
  return absl::StrCat(prefix_, "q:job:", job_id);
}

std::string QueueKeys::Done(absl::string_view idempotency_key) const {
  return absl::StrCat(prefix_, "q:done:", idempotency_key);
}

std::string QueueKeys::Rate(v1::ChannelType channel,
                            absl::string_view recipient,
                            int64_t window_start_ms) const {
  return absl::StrCat(prefix_, "q:rate:", static_cast<int>(channel), ":",
                      recipient, ":", window_start_ms);
}

std::string QueueKeys::EndpointRate(absl::string_view channel,
                                    int64_t window_start_ms) const {
  return absl::StrCat(prefix_, "q:erate:", channel, ":", window_start_ms);
}

std::string DelayedMember(v1::MessagePriority priority,
                          absl::string_view job_id) {
  return absl::StrCat(static_cast<int>(EffectivePriority(priority)), ":",
                      job_id);
}

std::string JobIdOfMember(absl::string_view member) {
  const size_t colon = member.find(':');
  if (colon == absl::string_view::npos) return "";
  return std::string(member.substr(colon + 1));
}

namespace {
// "MESSAGE_PRIORITY_URGENT" -> "urgent".
std::string ShortName(const std::string& full, absl::string_view prefix) {
  std::string name = full;
  if (absl::StartsWith(name, prefix)) name = name.substr(prefix.size());
  return absl::AsciiStrToLower(name);
}
}  // namespace

std::string PriorityLabel(v1::MessagePriority priority) {
  return ShortName(v1::MessagePriority_Name(priority), "MESSAGE_PRIORITY_");
}

std::string ChannelLabel(v1::ChannelType channel) {
  return ShortName(v1::ChannelType_Name(channel), "CHANNEL_TYPE_");
}

}  // namespace partydev::notification
