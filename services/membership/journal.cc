#include "services/membership/journal.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "common/ids.h"
#include "google/protobuf/util/time_util.h"

namespace partydev::membership {
namespace {

constexpr absl::string_view kOrganizationsPrefix = "organizations/";

absl::string_view IdOf(absl::string_view organization_name) {
  if (absl::StartsWith(organization_name, kOrganizationsPrefix)) {
    organization_name.remove_prefix(kOrganizationsPrefix.size());
  }
  return organization_name;
}

}  // namespace

std::string EventsKey(const std::string& prefix) {
  return absl::StrCat(prefix, "events");
}

std::string OwnAuditKey(const std::string& prefix, absl::string_view org_id) {
  return absl::StrCat(prefix, "audit:", org_id, ":own");
}

std::string SubtreeAuditKey(const std::string& prefix,
                            absl::string_view org_id) {
  return absl::StrCat(prefix, "audit:", org_id, ":subtree");
}

void Journal::StageInto(const std::string& prefix, AtomicWrite& write) const {
  Outbox::StageInto(EventsKey(prefix), write);
  if (audit.has_value()) {
    const std::string bytes = audit->SerializeAsString();
    write.XAdd(OwnAuditKey(prefix, audit_organization_id), {{"a", bytes}});
    for (const auto& name : audit->organization_path()) {
      write.XAdd(SubtreeAuditKey(prefix, IdOf(name)), {{"a", bytes}});
    }
  }
}

absl::Status CommitChange(RedisClient& redis, const std::string& prefix,
                          Change& change) {
  change.journal.StageInto(prefix, change.write);
  return change.write.Commit(redis).status();
}

events::v1::Event NewEvent(
    const CallContext& call, const std::string& request_id,
    const common::v1::Date& act_date,
    const google::protobuf::RepeatedPtrField<std::string>& organization_path) {
  return ::partydev::NewEvent("membership", call, request_id, act_date,
                              organization_path);
}

v1::AuditEntry NewAuditEntry(
    const common::v1::ChangeStamp& stamp, absl::string_view method,
    const std::string& target,
    const google::protobuf::RepeatedPtrField<std::string>& organization_path,
    std::string summary, const std::string& etag_before,
    const std::string& event_id) {
  v1::AuditEntry entry;
  *entry.mutable_stamp() = stamp;
  entry.set_method(std::string(method));
  entry.set_target(target);
  for (const auto& p : organization_path) entry.add_organization_path(p);
  entry.set_summary(std::move(summary));
  entry.set_etag_before(etag_before);
  entry.set_event_id(event_id);
  return entry;
}

}  // namespace partydev::membership
