// File: common/change.h
//
// What every change of a service's state writes beside that state, and the
// one way a request becomes a change, shared by the three services:
//
//  - the events of the change, appended to the service's stream (the outbox
//    of design.md: consumers never see a change without its event, nor an
//    event without its change);
//  - the response of an idempotent request (AIP-155), so that a retry gets
//    the first answer.
//
// Both are staged into the same AtomicWrite as the state itself
// (common/atomic_write.h), so they are written in one Lua script or not at
// all. A service's change type holds an AtomicWrite `write` and a journal
// derived from Outbox (membership adds its audit entries):
//
//   struct Change { AtomicWrite write; Outbox journal;
//                   bool empty() const { return write.empty(); } };
//   return Idempotent<Change, Term>(redis, prefix, "CreateTerm",
//       request.request_id(), request, response,
//       [&](Change& change) { ...decide, fill response, stage... },
//       [&](Change& change) { return Commit(change); });

#ifndef PARTYDEV_COMMON_CHANGE_H_
#define PARTYDEV_COMMON_CHANGE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/atomic_write.h"
#include "common/idempotency.h"
#include "common/redis_client.h"
#include "common/service_runtime.h"
#include "google/protobuf/field_mask.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "partydev/common/v1/types.pb.h"
#include "partydev/events/v1/events.pb.h"

namespace partydev {

// The events and the idempotency record of one change.
struct Outbox {
  // Events for the service's stream, in order.
  std::vector<events::v1::Event> events;
  // The idempotency record (key empty: none).
  std::string request_key;
  std::string request_value;

  // Stages the events (XADD `events_key` * e <bytes>) and the idempotency
  // record into `write`.
  void StageInto(const std::string& events_key, AtomicWrite& write) const;
};

// Today in Vietnam's civil calendar (UTC+7, no daylight saving): the
// default date of acts and reports.
common::v1::Date Today();

// Now, as a protobuf Timestamp.
google::protobuf::Timestamp NowTimestamp();

// Who changes what now, and why.
common::v1::ChangeStamp Stamp(const CallContext& call,
                              const std::string& request_id,
                              const std::string& reason);

// The envelope of an event that `producer` ("membership", "quota",
// "notification") records for this call about something in the
// organisation at `organization_path` (root first). Its payload is set by
// the caller, then SetType.
events::v1::Event NewEvent(
    absl::string_view producer, const CallContext& call,
    const std::string& request_id, const common::v1::Date& act_date,
    const google::protobuf::RepeatedPtrField<std::string>& organization_path);

// Sets event.type to the full name of its payload's message.
void SetType(events::v1::Event& event);

// The etag of a version ("v7"), and back (0 when malformed).
std::string EtagOf(int64_t version);
int64_t VersionOfEtag(const std::string& etag);

// ABORTED (CONCURRENT_CHANGE) when the client's etag `given` is not the
// etag of `version`, the stored version of `name` (AIP-154); an empty etag
// skips the check.
absl::Status CheckEtag(const std::string& given, int64_t version,
                       const std::string& name);

// INVALID_ARGUMENT (field update_mask) unless the mask names at least one
// path and every path is one of `allowed` (AIP-134).
absl::Status CheckUpdateMask(const google::protobuf::FieldMask& mask,
                             const std::set<std::string>& allowed);

// True when `mask` names `path`.
bool InMask(const google::protobuf::FieldMask& mask, absl::string_view path);

// Runs `act` once per request id (AIP-155): a retry returns the first
// response. `act` fills `response` and stages the change, or only fills
// `response` for a dry run (validate_only) and leaves the change empty;
// `commit` writes a non-empty change with its idempotency record. ChangeT
// has `bool empty()` and a `journal` with `request_key`/`request_value`.
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

// The common shape of a change: records staged into one AtomicWrite, and
// the events for the service's stream with the idempotency record, written
// with them in one Lua script or not at all.
struct StagedChange {
  AtomicWrite write;
  Outbox journal;
  // Nothing to write: a dry run (validate_only) or a no-op.
  bool empty() const { return write.empty() && journal.events.empty(); }
};

// Writes `change`: its records, its events on `events_key` and its
// idempotency record, in one atomic step. ABORTED when a record it expects
// has changed since it was read.
absl::Status CommitChange(RedisClient& redis, const std::string& events_key,
                          StagedChange& change);

// Idempotent with StagedChange and CommitChange: runs `act` once per
// request id and commits what it staged; an empty change (validate_only)
// writes nothing. `method` names the RPC (it scopes the request id).
template <typename Response>
absl::Status RunStagedChange(
    RedisClient& redis, const std::string& prefix,
    const std::string& events_key, absl::string_view method,
    const std::string& request_id, const google::protobuf::Message& request,
    Response& response, const std::function<absl::Status(StagedChange&)>& act) {
  return Idempotent<StagedChange, Response>(
      redis, prefix, method, request_id, request, response, act,
      [&redis, &events_key](StagedChange& change) {
        return CommitChange(redis, events_key, change);
      });
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

}  // namespace partydev

#endif  // PARTYDEV_COMMON_CHANGE_H_
