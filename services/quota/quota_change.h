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

// What one request of quotad writes (common/change.h).
using Change = StagedChange;

// Writes `change` with its events on quotad's stream (CommitChange).
inline absl::Status Commit(QuotaContext& context, Change& change) {
  return CommitChange(context.redis(), context.events_key(), change);
}

// RunStagedChange on quotad's Redis, prefix and stream.
template <typename Response>
absl::Status RunChange(QuotaContext& context, absl::string_view method,
                       const std::string& request_id,
                       const google::protobuf::Message& request,
                       Response& response,
                       const std::function<absl::Status(Change&)>& act) {
  return RunStagedChange(context.redis(), context.prefix(),
                         context.events_key(), method, request_id, request,
                         response, act);
}

}  // namespace partydev::quota

#endif  // PARTYDEV_SERVICES_QUOTA_QUOTA_CHANGE_H_
