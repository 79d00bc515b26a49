// File: services/quota/quota_change.h
//
// One change of quotad's state (terms, targets, allocation decisions,
// plans, checkpoints): the records staged into an AtomicWrite, and the
// events for quotad's stream (context.events_key(), read by notifyd) plus
// the idempotency record, written with them in one Lua script or not at
// all (common/change.h).
//
//   v1::Term response;
//   return RunChange<v1::Term>(*context, "CreateTerm", request.request_id(),
//       request, response, [&](Change& change) -> absl::Status {
//         ...check every rule, fill `response`...
//         if (request.validate_only()) return absl::OkStatus();  // empty
//         context->records().StagePut(change.write, name, 0, response);
//         change.journal.events.push_back(std::move(event));
//         return absl::OkStatus();
//       });

#ifndef PARTYDEV_SERVICES_QUOTA_QUOTA_CHANGE_H_
#define PARTYDEV_SERVICES_QUOTA_QUOTA_CHANGE_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/atomic_write.h"
#include "common/change.h"
#include "services/quota/quota_context.h"

namespace partydev::quota {

// What one request of quotad writes.
struct Change {
  AtomicWrite write;
  Outbox journal;
  // Nothing to write: a dry run (validate_only) or a no-op.
  bool empty() const { return write.empty() && journal.events.empty(); }
};

// Writes `change`: its records, its events on quotad's stream and its
// idempotency record, in one atomic step. ABORTED when a record it
// expects has changed since it was read.
inline absl::Status Commit(QuotaContext& context, Change& change) {
  change.journal.StageInto(context.events_key(), change.write);
  absl::StatusOr<WriteResult> written = change.write.Commit(context.redis());
  return written.ok() ? absl::OkStatus() : written.status();
}

// Runs `act` once per request id (AIP-155, common/change.h Idempotent) and
// commits the change it staged; an empty change (validate_only) writes
// nothing. `method` names the RPC (it scopes the request id).
template <typename Response>
absl::Status RunChange(QuotaContext& context, absl::string_view method,
                       const std::string& request_id,
                       const google::protobuf::Message& request,
                       Response& response,
                       const std::function<absl::Status(Change&)>& act) {
  return Idempotent<Change, Response>(
      context.redis(), context.prefix(), method, request_id, request, response,
      act, [&context](Change& change) { return Commit(context, change); });
}

}  // namespace partydev::quota

#endif  // PARTYDEV_SERVICES_QUOTA_QUOTA_CHANGE_H_
