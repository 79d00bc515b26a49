// File: services/quota/target_service.h
//
// Congress terms and the term and yearly admission targets (targets.proto,
// terms.proto). The service class only translates between protobuf and the
// stores (target_store.h) and domain rules (domain/targets.h,
// domain/periods.h); every RPC on an organisation checks the caller's
// subtree in quotad's projection of the tree (quota_access.h).
//
// Rules: `quota.term.no_overlap`, `quota.term.years_cover_targets`,
// `quota.target.term_exists`, `quota.target.year_in_term`,
// `quota.target.category_within_total`, `quota.organization.known`.
// Effective figures and years_total are computed on every read with the
// rule set in force today; writes publish TermDefined (terms) on quotad's
// stream in the same atomic write.

#ifndef PARTYDEV_SERVICES_QUOTA_TARGET_SERVICE_H_
#define PARTYDEV_SERVICES_QUOTA_TARGET_SERVICE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/service_runtime.h"
#include "partydev/quota/v1/targets.grpc.pb.h"
#include "services/quota/quota_context.h"

namespace partydev::quota {

// The parts of "organizations/{org}/targets/{term}[/years/{year}]".
struct TargetName {
  std::string organization;  // "organizations/{org}"
  std::string term_id;
  int year = 0;  // 0 for a term target
};
// INVALID_ARGUMENT naming `field` when `name` is not a term target's name
// (with_year false) or a yearly target's (with_year true).
absl::StatusOr<TargetName> ParseTargetName(const std::string& name,
                                           bool with_year,
                                           absl::string_view field);

// Fills the output-only figures of a stored target: effective and its
// source under `precedence`.
void FillEffective(v1::TermTarget& target, v1::TargetPrecedence precedence);
void FillEffective(v1::YearTarget& target, v1::TargetPrecedence precedence);

// The precedence of the rule set in force on `day` (ALLOCATED_FIRST when
// no set applies).
v1::TargetPrecedence PrecedenceOn(const QuotaContext& context,
                                  absl::CivilDay day);

class TargetServiceImpl final : public v1::TargetService::CallbackService {
 public:
  explicit TargetServiceImpl(std::shared_ptr<QuotaContext> context);

  grpc::ServerUnaryReactor* GetTerm(grpc::CallbackServerContext* context,
                                    const v1::GetTermRequest* request,
                                    v1::Term* response) override;
  grpc::ServerUnaryReactor* ListTerms(grpc::CallbackServerContext* context,
                                      const v1::ListTermsRequest* request,
                                      v1::ListTermsResponse* response) override;
  grpc::ServerUnaryReactor* CreateTerm(grpc::CallbackServerContext* context,
                                       const v1::CreateTermRequest* request,
                                       v1::Term* response) override;
  grpc::ServerUnaryReactor* UpdateTerm(grpc::CallbackServerContext* context,
                                       const v1::UpdateTermRequest* request,
                                       v1::Term* response) override;
  grpc::ServerUnaryReactor* GetTermTarget(
      grpc::CallbackServerContext* context,
      const v1::GetTermTargetRequest* request,
      v1::TermTarget* response) override;
  grpc::ServerUnaryReactor* ListTermTargets(
      grpc::CallbackServerContext* context,
      const v1::ListTermTargetsRequest* request,
      v1::ListTermTargetsResponse* response) override;
  grpc::ServerUnaryReactor* CreateTermTarget(
      grpc::CallbackServerContext* context,
      const v1::CreateTermTargetRequest* request,
      v1::TermTarget* response) override;
  grpc::ServerUnaryReactor* UpdateTermTarget(
      grpc::CallbackServerContext* context,
      const v1::UpdateTermTargetRequest* request,
      v1::TermTarget* response) override;
  grpc::ServerUnaryReactor* GetYearTarget(
      grpc::CallbackServerContext* context,
      const v1::GetYearTargetRequest* request,
      v1::YearTarget* response) override;
  grpc::ServerUnaryReactor* ListYearTargets(
      grpc::CallbackServerContext* context,
      const v1::ListYearTargetsRequest* request,
      v1::ListYearTargetsResponse* response) override;
  grpc::ServerUnaryReactor* CreateYearTarget(
      grpc::CallbackServerContext* context,
      const v1::CreateYearTargetRequest* request,
      v1::YearTarget* response) override;
  grpc::ServerUnaryReactor* UpdateYearTarget(
      grpc::CallbackServerContext* context,
      const v1::UpdateYearTargetRequest* request,
      v1::YearTarget* response) override;

 private:
  absl::Status DoGetTerm(const CallContext& call, const v1::GetTermRequest& r,
                         v1::Term& out);
  absl::Status DoListTerms(const CallContext& call,
                           const v1::ListTermsRequest& r,
                           v1::ListTermsResponse& out);
  absl::Status DoCreateTerm(const CallContext& call,
                            const v1::CreateTermRequest& r, v1::Term& out);
  absl::Status DoUpdateTerm(const CallContext& call,
                            const v1::UpdateTermRequest& r, v1::Term& out);
  absl::Status DoGetTermTarget(const CallContext& call,
                               const v1::GetTermTargetRequest& r,
                               v1::TermTarget& out);
  absl::Status DoListTermTargets(const CallContext& call,
                                 const v1::ListTermTargetsRequest& r,
                                 v1::ListTermTargetsResponse& out);
  absl::Status DoCreateTermTarget(const CallContext& call,
                                  const v1::CreateTermTargetRequest& r,
                                  v1::TermTarget& out);
  absl::Status DoUpdateTermTarget(const CallContext& call,
                                  const v1::UpdateTermTargetRequest& r,
                                  v1::TermTarget& out);
  absl::Status DoGetYearTarget(const CallContext& call,
                               const v1::GetYearTargetRequest& r,
                               v1::YearTarget& out);
  absl::Status DoListYearTargets(const CallContext& call,
                                 const v1::ListYearTargetsRequest& r,
                                 v1::ListYearTargetsResponse& out);
  absl::Status DoCreateYearTarget(const CallContext& call,
                                  const v1::CreateYearTargetRequest& r,
                                  v1::YearTarget& out);
  absl::Status DoUpdateYearTarget(const CallContext& call,
                                  const v1::UpdateYearTargetRequest& r,
                                  v1::YearTarget& out);

  // Sets years_total: the sum of the effective yearly targets of its years.
  absl::Status FillYearsTotal(v1::TermTarget& target,
                              v1::TargetPrecedence precedence);

  std::shared_ptr<QuotaContext> context_;
};

}  // namespace partydev::quota

#endif  // PARTYDEV_SERVICES_QUOTA_TARGET_SERVICE_H_
