#include "services/membership/administration_service.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/authorization.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/paging.h"
#include "services/membership/organization_tree.h"

namespace partydev::membership {

AdministrationServiceImpl::AdministrationServiceImpl(
    ServiceRuntime& runtime,
    std::shared_ptr<const domain::RuleSetRegistry> rule_sets)
    : runtime_(runtime),
      rule_sets_(std::move(rule_sets)),
      store_(runtime.redis(), HashTaggedPrefix(runtime.config().key_prefix)) {}

grpc::ServerUnaryReactor* AdministrationServiceImpl::GetRuleSet(
    grpc::CallbackServerContext* context, const v1::GetRuleSetRequest* request,
    v1::RuleSet* response) {
  return runtime_.Unary(context, "GetRuleSet", [=](const CallContext&) {
    // "ruleSets/-" with a date: the one in force that day.
    absl::StatusOr<const v1::RuleSet*> found =
        request->name() == "ruleSets/-"
            ? rule_sets_->ForDate(request->effective_on(), "effective_on")
            : rule_sets_->Get(request->name());
    if (!found.ok()) return found.status();
    *response = **found;
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AdministrationServiceImpl::ListRuleSets(
    grpc::CallbackServerContext* context,
    const v1::ListRuleSetsRequest* request,
    v1::ListRuleSetsResponse* response) {
  return runtime_.Unary(context, "ListRuleSets", [=](const CallContext&) {
    absl::StatusOr<int> page_size = ResolvePageSize(request->page_size());
    if (!page_size.ok()) return page_size.status();
    const std::string fingerprint = RequestFingerprint(*request);
    absl::StatusOr<std::string> cursor =
        DecodePageToken(request->page_token(), fingerprint);
    if (!cursor.ok()) return cursor.status();
    int offset = 0;
    if (!cursor->empty() && !absl::SimpleAtoi(*cursor, &offset)) {
      return InvalidField("page_token", "malformed");
    }
    const auto& all = rule_sets_->rule_sets();
    for (int i = offset;
         i < static_cast<int>(all.size()) && i < offset + *page_size; ++i) {
      *response->add_rule_sets() = all[i];
    }
    response->set_total_size(static_cast<int>(all.size()));
    if (offset + *page_size < static_cast<int>(all.size())) {
      response->set_next_page_token(
          EncodePageToken(absl::StrCat(offset + *page_size), fingerprint));
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AdministrationServiceImpl::ListAuditEntries(
    grpc::CallbackServerContext* context,
    const v1::ListAuditEntriesRequest* request,
    v1::ListAuditEntriesResponse* response) {
  return runtime_.Unary(context, "ListAuditEntries",
                        [=](const CallContext& call) {
                          return AuditEntries(call, *request, *response);
                        });
}

grpc::ServerUnaryReactor* AdministrationServiceImpl::GetAuditEntry(
    grpc::CallbackServerContext* context,
    const v1::GetAuditEntryRequest* request, v1::AuditEntry* response) {
  return runtime_.Unary(context, "GetAuditEntry", [=](const CallContext& call) {
    return AuditEntry(call, *request, *response);
  });
}

absl::Status AdministrationServiceImpl::AuditEntries(
    const CallContext& call, const v1::ListAuditEntriesRequest& request,
    v1::ListAuditEntriesResponse& response) {
  const std::string id = OrganizationId(request.parent());
  if (id.empty()) {
    return InvalidField("parent", "is required (\"organizations/{id}\")");
  }
  if (!request.filter().empty()) {
    return InvalidField("filter",
                        "filtering audit entries is not supported yet; page "
                        "through them newest first");
  }
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  absl::StatusOr<StoredOrganization> org = store_.Get(id);
  if (!org.ok()) return org.status();
  if (absl::Status s = RequireWithinSubtree(
          call.principal,
          {org->organization.path().begin(), org->organization.path().end()},
          request.parent());
      !s.ok()) {
    return s;
  }
  const std::string fingerprint = RequestFingerprint(request);
  absl::StatusOr<std::string> cursor =
      DecodePageToken(request.page_token(), fingerprint);
  if (!cursor.ok()) return cursor.status();
  absl::StatusOr<std::vector<v1::AuditEntry>> entries = store_.AuditEntries(
      id, request.include_descendants(), *cursor, *page_size);
  if (!entries.ok()) return entries.status();
  for (auto& e : *entries) *response.add_audit_entries() = std::move(e);
  if (static_cast<int>(entries->size()) == *page_size) {
    const std::string& last = response.audit_entries().rbegin()->name();
    response.set_next_page_token(
        EncodePageToken(last.substr(last.rfind('/') + 1), fingerprint));
  }
  return absl::OkStatus();
}

absl::Status AdministrationServiceImpl::AuditEntry(
    const CallContext& call, const v1::GetAuditEntryRequest& request,
    v1::AuditEntry& response) {
  // organizations/{org}/auditEntries/{stream id}
  std::vector<std::string> parts = absl::StrSplit(request.name(), '/');
  if (parts.size() != 4 || parts[0] != "organizations" ||
      parts[2] != "auditEntries") {
    return InvalidField("name",
                        "must be organizations/{org}/auditEntries/{entry}");
  }
  absl::StatusOr<StoredOrganization> org = store_.Get(parts[1]);
  if (!org.ok()) return org.status();
  if (absl::Status s = RequireWithinSubtree(
          call.principal,
          {org->organization.path().begin(), org->organization.path().end()},
          request.name());
      !s.ok()) {
    return s;
  }
  absl::StatusOr<v1::AuditEntry> entry =
      store_.GetAuditEntry(parts[1], parts[3]);
  if (!entry.ok()) return entry.status();
  response = *std::move(entry);
  return absl::OkStatus();
}

}  // namespace partydev::membership
