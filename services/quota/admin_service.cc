#include "services/quota/admin_service.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/atomic_write.h"
#include "common/authorization.h"
#include "common/change.h"
#include "common/dates.h"
#include "common/errors.h"
#include "common/idempotency.h"
#include "common/paging.h"

namespace partydev::quota {
namespace {

absl::Status RequireProjectionReader(const CallContext& call) {
  return RequireAnyRole(call.principal, {roles::kAdmin, roles::kReader},
                        "read the status of quotad's projections");
}

}  // namespace

QuotaAdminServiceImpl::QuotaAdminServiceImpl(
    std::shared_ptr<QuotaContext> context)
    : context_(std::move(context)) {}

grpc::ServerUnaryReactor* QuotaAdminServiceImpl::GetQuotaRuleSet(
    grpc::CallbackServerContext* context,
    const v1::GetQuotaRuleSetRequest* request, v1::QuotaRuleSet* response) {
  return context_->runtime().Unary(
      context, "GetQuotaRuleSet", [=](const CallContext&) {
        if (request->name().empty()) {
          return InvalidField("name", "is required (\"quotaRuleSets/{id}\")");
        }
        absl::StatusOr<const v1::QuotaRuleSet*> found =
            context_->rules().ByName(request->name());
        if (!found.ok()) return found.status();
        *response = **found;
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* QuotaAdminServiceImpl::ListQuotaRuleSets(
    grpc::CallbackServerContext* context,
    const v1::ListQuotaRuleSetsRequest* request,
    v1::ListQuotaRuleSetsResponse* response) {
  return context_->runtime().Unary(
      context, "ListQuotaRuleSets", [=](const CallContext&) {
        absl::StatusOr<OffsetPage> page = OffsetPage::Of(
            *request, request->page_size(), request->page_token());
        if (!page.ok()) return page.status();
        const auto& all = context_->rules().all();
        page->Fill(all.size(), *response,
                   [&](int i) { *response->add_quota_rule_sets() = all[i]; });
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* QuotaAdminServiceImpl::ResolveQuotaRuleSet(
    grpc::CallbackServerContext* context,
    const v1::ResolveQuotaRuleSetRequest* request, v1::QuotaRuleSet* response) {
  return context_->runtime().Unary(
      context, "ResolveQuotaRuleSet", [=](const CallContext&) {
        common::v1::Date date = request->date();
        if (IsUnset(date)) date = Today();
        absl::StatusOr<absl::CivilDay> day = ToCivilDay(date, "date");
        if (!day.ok()) return day.status();
        absl::StatusOr<const v1::QuotaRuleSet*> found =
            context_->rules().ForDay(*day);
        if (!found.ok()) return found.status();
        *response = **found;
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* QuotaAdminServiceImpl::GetProjection(
    grpc::CallbackServerContext* context,
    const v1::GetProjectionRequest* request, v1::Projection* response) {
  return context_->runtime().Unary(
      context, "GetProjection", [=](const CallContext& call) {
        if (absl::Status s = RequireProjectionReader(call); !s.ok()) return s;
        if (request->name().empty()) {
          return InvalidField("name",
                              "is required (\"quotaProjections/{id}\")");
        }
        absl::StatusOr<v1::Projection> projection =
            context_->projections().Get(request->name());
        if (!projection.ok()) return projection.status();
        *response = *std::move(projection);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* QuotaAdminServiceImpl::ListProjections(
    grpc::CallbackServerContext* context,
    const v1::ListProjectionsRequest* request,
    v1::ListProjectionsResponse* response) {
  return context_->runtime().Unary(
      context, "ListProjections", [=](const CallContext& call) {
        if (absl::Status s = RequireProjectionReader(call); !s.ok()) return s;
        absl::StatusOr<OffsetPage> page = OffsetPage::Of(
            *request, request->page_size(), request->page_token());
        if (!page.ok()) return page.status();
        absl::StatusOr<std::vector<v1::Projection>> all =
            context_->projections().List();
        if (!all.ok()) return all.status();
        page->Fill(all->size(), *response,
                   [&](int i) { *response->add_projections() = (*all)[i]; });
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* QuotaAdminServiceImpl::RebuildProjection(
    grpc::CallbackServerContext* context,
    const v1::RebuildProjectionRequest* request, v1::Projection* response) {
  return context_->runtime().Unary(context, "RebuildProjection",
                                   [=](const CallContext& call) {
                                     return Rebuild(call, *request, *response);
                                   });
}

absl::Status QuotaAdminServiceImpl::Rebuild(
    const CallContext& call, const v1::RebuildProjectionRequest& request,
    v1::Projection& response) {
  // A projection spans every organisation: only an installation admin (no
  // organisation) may rebuild one.
  if (!call.principal.HasRole(roles::kAdmin) ||
      !call.principal.organization.empty()) {
    return WithReason(
        absl::PermissionDeniedError(
            "only an installation admin (role admin, bound to no "
            "organisation) rebuilds or replays quotad's projections"),
        "ROLE_REQUIRED");
  }
  absl::StatusOr<bool> replayed =
      ReplayRecordedResponse(context_->redis(), context_->prefix(),
                             "RebuildProjection", request, response);
  if (!replayed.ok()) return replayed.status();
  if (*replayed) return absl::OkStatus();

  absl::StatusOr<v1::Projection> projection = context_->projections().Rebuild(
      request, Stamp(call, request.request_id(), ""));
  if (!projection.ok()) return projection.status();
  response = *std::move(projection);
  if (request.validate_only() || request.request_id().empty()) {
    return absl::OkStatus();
  }
  // The first answer, for a retry with the same request id (a concurrent
  // duplicate is refused by quota.projection.not_rebuilding meanwhile).
  IdempotencyKey key(context_->prefix(), "RebuildProjection",
                     request.request_id(), request);
  AtomicWrite write;
  write.RecordResponse(key.redis_key(), key.Wrap(response), kRequestIdTtl);
  absl::StatusOr<WriteResult> recorded = write.Commit(context_->redis());
  if (!recorded.ok() && !absl::IsAlreadyExists(recorded.status())) {
    return recorded.status();
  }
  return absl::OkStatus();
}

}  // namespace partydev::quota
