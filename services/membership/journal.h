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
#include "common/change.h"
#include "common/idempotency.h"
#include "common/redis_client.h"
#include "common/service_runtime.h"
#include "partydev/common/v1/types.pb.h"
#include "partydev/events/v1/events.pb.h"
#include "partydev/membership/v1/audit.pb.h"

namespace partydev::membership {

// The events, audit entry and idempotency record of one change
// (common/change.h's Outbox plus membership's audit streams).
struct Journal : Outbox {
  // The audit entry, written to the own stream of `audit_organization_id`
  // and to the subtree stream of each organisation of its
  // organization_path.
  std::optional<v1::AuditEntry> audit;
  std::string audit_organization_id;

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

// The envelope of an event membership records for this call about
// something in the organisation at `organization_path` (root first); see
// common/change.h.
events::v1::Event NewEvent(
    const CallContext& call, const std::string& request_id,
    const common::v1::Date& act_date,
    const google::protobuf::RepeatedPtrField<std::string>& organization_path);

// An audit entry of `method` (the full RPC name) on `target` in the
// organisation at `organization_path`.
v1::AuditEntry NewAuditEntry(
    const common::v1::ChangeStamp& stamp, absl::string_view method,
    const std::string& target,
    const google::protobuf::RepeatedPtrField<std::string>& organization_path,
    std::string summary, const std::string& etag_before,
    const std::string& event_id);

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
