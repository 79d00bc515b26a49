// File: services/quota/quota_rpc.h
//
// The pieces every RPC of quotad starts with (its handlers are defined with
// PARTYDEV_UNARY_METHOD, common/service_runtime.h): the tree projection
// after the caller's organisation scope is checked, the check that a
// resource to create does not exist yet, and the read before an update.

#ifndef PARTYDEV_SERVICES_QUOTA_QUOTA_RPC_H_
#define PARTYDEV_SERVICES_QUOTA_QUOTA_RPC_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/change.h"
#include "common/dates.h"
#include "common/org_tree.h"
#include "common/record_store.h"
#include "common/service_runtime.h"
#include "services/quota/quota_access.h"
#include "services/quota/quota_context.h"

namespace partydev::quota {

// Today in Vietnam's civil calendar, the default date of every report.
inline absl::CivilDay TodayDay() { return CivilDayOf(Today()); }

// The tree projection, once the caller is allowed to act on `organization`
// (request field `field`): see AuthorizeOrganization for the errors.
inline absl::StatusOr<std::shared_ptr<const OrgTree>> AuthorizedTree(
    QuotaContext& context, const CallContext& call,
    const std::string& organization, absl::string_view field) {
  absl::StatusOr<std::shared_ptr<const OrgTree>> tree =
      context.projections().Tree();
  if (!tree.ok()) return tree.status();
  absl::StatusOr<std::vector<std::string>> path =
      AuthorizeOrganization(call, **tree, organization, field);
  if (!path.ok()) return path.status();
  return tree;
}

// ALREADY_EXISTS when the record `name` exists (AIP-133: a create never
// overwrites; `update_rpc`, when there is one, is the way to change it).
template <typename Message>
absl::Status MustNotExist(RecordStore& records, const std::string& name,
                          absl::string_view update_rpc) {
  absl::StatusOr<Stored<Message>> existing = records.Get<Message>(name);
  if (existing.ok()) {
    return absl::AlreadyExistsError(
        update_rpc.empty() ? absl::StrCat(name, " already exists")
                           : absl::StrCat(name, " already exists (use ",
                                          update_rpc, " to change it)"));
  }
  return absl::IsNotFound(existing.status()) ? absl::OkStatus()
                                             : existing.status();
}

// The record `in.name()` for an update, after checking the client's etag
// against it (AIP-154; ABORTED when stale).
template <typename Message>
absl::StatusOr<Stored<Message>> ReadForUpdate(RecordStore& records,
                                              const Message& in) {
  absl::StatusOr<Stored<Message>> stored = records.Get<Message>(in.name());
  if (!stored.ok()) return stored.status();
  if (absl::Status s = CheckEtag(in.etag(), stored->version, in.name());
      !s.ok()) {
    return s;
  }
  return stored;
}

}  // namespace partydev::quota

#endif  // PARTYDEV_SERVICES_QUOTA_QUOTA_RPC_H_
