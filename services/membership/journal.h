// File: services/membership/journal.h
//
// What every change of the membership record writes beside the state it
// changes, and the one way a request becomes a change:
//
//  - the events of the change, appended to the membership stream (the
//    outbox of design.md: consumers never see a change without its event, nor
//    an event without its change);
//  - the audit entry (who, when, what, why), appended to the own stream of
//    the organisation it concerns and to the subtree stream of every
//    organisation above, so each committee reads the changes of its subtree;
//  - the response of an idempotent request (AIP-155).
//
// All of it is staged into the same AtomicWrite as the state itself
// (common/atomic_write.h), so it is written in one Lua script or not at all.
//
// Example:
//   return Idempotent(redis, prefix, "CreatePerson", request.request_id(),
//                     request, response, [&](Change& change) {
//     ... decide, fill response, stage the state into change.write ...
//     events::v1::Event event = NewEvent(call, request_id, act_date, path);
//     change.journal.events.push_back(std::move(event));
//     return absl::OkStatus();
//   });

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_JOURNAL_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_JOURNAL_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/atomic_write.h"
#include "common/idempotency.h"
#include "common/redis_client.h"
#include "common/service_runtime.h"
#include "partydev/common/v1/types.pb.h"
#include "partydev/events/v1/events.pb.h"
#include "partydev/membership/v1/audit.pb.h"

namespace partydev::membership {

// The events, audit entry and idempotency record of one change.
struct Journal {
  // Events for the membership stream, in order.
  std::vector<events::v1::Event> events;
  // The audit entry, written to the own stream of `audit_organization_id`
  // and to the subtree stream of each organisation of its
  // organization_path.
  std::optional<v1::AuditEntry> audit;
  std::string audit_organization_id;
  // The idempotency record (key empty: none).
  std::string request_key;
  std::string request_value;

  // Stages every part into `write`; `prefix` is the service's hash-tagged
  // key prefix.
  void StageInto(const std::string& prefix, AtomicWrite& write) const;
};

// The membership event stream (never trimmed: consumers build their
// projections from it).
std::string EventsKey(const std::string& prefix);
// The audit streams of an organisation id: its own changes, and those of
// its whole subtree.
std::string OwnAuditKey(const std::string& prefix, absl::string_view org_id);
std::string SubtreeAuditKey(const std::string& prefix,
                            absl::string_view org_id);

// A change of the people and their records: the state staged into `write`
// and its journal. Committed by CommitChange.
struct Change {
  AtomicWrite write;
  Journal journal;
  bool empty() const { return write.empty(); }
};

// Commits a change: the state and its journal in one script.
absl::Status CommitChange(RedisClient& redis, const std::string& prefix,
                          Change& change);

// Today in Vietnam's civil calendar (UTC+7, no daylight saving): the
// default date of acts.
common::v1::Date Today();

// Who changes what now, and why.
common::v1::ChangeStamp Stamp(const CallContext& call,
                              const std::string& request_id,
                              const std::string& reason);

// The envelope of an event recorded by this call about something in the
// organisation at `organization_path` (root first). Its payload is set by
// the caller, then SetType.
events::v1::Event NewEvent(
    const CallContext& call, const std::string& request_id,
    const common::v1::Date& act_date,
    const google::protobuf::RepeatedPtrField<std::string>& organization_path);

// Sets event.type to the full name of its payload's message.
void SetType(events::v1::Event& event);

// An audit entry of `method` (the full RPC name) on `target` in the
// organisation at `organization_path`.
v1::AuditEntry NewAuditEntry(
    const common::v1::ChangeStamp& stamp, absl::string_view method,
    const std::string& target,
    const google::protobuf::RepeatedPtrField<std::string>& organization_path,
    std::string summary, const std::string& etag_before,
    const std::string& event_id);

// The etag of a version ("v7"), and back (0 when malformed).
std::string EtagOf(int64_t version);
int64_t VersionOfEtag(const std::string& etag);

// Runs `act` once per request id (AIP-155): a retry returns the first
// response. `act` fills `response` and stages the change, or only fills
// `response` for a dry run (validate_only) and leaves the change empty;
// `commit` writes a non-empty change with its idempotency record.
template <typename ChangeT, typename Response>
absl::Status Idempotent(RedisClient& redis, const std::string& prefix,
                        absl::string_view method, const std::string& request_id,
                        const google::protobuf::Message& request,
                        Response& response,
                        const std::function<absl::Status(ChangeT&)>& act,
                        const std::function<absl::Status(ChangeT&)>& commit) {
  if (absl::Status s = ValidateRequestId(request_id); !s.ok()) return s;
  IdempotencyKey key(prefix, method, request_id, request);
  auto cached = key.Lookup(redis);
  if (!cached.ok()) return cached.status();
  if (cached->has_value()) {
    return response.ParseFromString(**cached)
               ? absl::OkStatus()
               : absl::DataLossError("stored response is not valid");
  }
  ChangeT change;
  if (absl::Status s = act(change); !s.ok()) return s;
  if (change.empty()) return absl::OkStatus();  // validate_only
  if (key.active()) {
    change.journal.request_key = key.redis_key();
    change.journal.request_value = key.Wrap(response);
  }
  absl::Status committed = commit(change);
  if (absl::IsAlreadyExists(committed)) {
    // A duplicate of this request committed first: answer as it did.
    auto first = key.Lookup(redis);
    if (first.ok() && first->has_value() && response.ParseFromString(**first)) {
      return absl::OkStatus();
    }
  }
  return committed;
}

// The response recorded for an earlier identical request (AIP-155), when
// `request` has a non-empty `request_id` field: true and `response` filled
// when there is one. Services call it before validating, so that a retry
// of a step that succeeded answers as the first call did instead of being
// judged again against the state that step produced. INVALID_ARGUMENT
// (REQUEST_ID_REUSED) when the id came with another request.
absl::StatusOr<bool> ReplayRecordedResponse(
    RedisClient& redis, const std::string& prefix, absl::string_view method,
    const google::protobuf::Message& request,
    google::protobuf::Message& response);

// Idempotent for a Change of people and records.
template <typename Response>
absl::Status IdempotentChange(RedisClient& redis, const std::string& prefix,
                              absl::string_view method,
                              const std::string& request_id,
                              const google::protobuf::Message& request,
                              Response& response,
                              const std::function<absl::Status(Change&)>& act) {
  return Idempotent<Change, Response>(
      redis, prefix, method, request_id, request, response, act,
      [&](Change& change) { return CommitChange(redis, prefix, change); });
}

}  // namespace partydev::membership

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_JOURNAL_H_
