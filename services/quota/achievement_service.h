// File: services/quota/achievement_service.h
//
// Admission counts, the admissions ledger and the yearly results
// (achievements.proto). The service class only translates between protobuf and
// the stores and domain rules; every RPC checks the caller's organisation
// subtree (any role within it may read).
//
// Terms: ledger records keep no term (admission_ledger.h); the term of a
// count or a record is found from its date when it is read, from the terms
// as they stand (a term whose dates change re-assigns what was counted).
// A record's applies_to.term is the term containing the day its delta
// counts on (for a removal counted against the admission's period, the
// admission's counted_on), empty when no term contains it.
//
// QueryAchievements: one row per organisation of the scope (the tree as it
// stood on as_of, the root's last day for a dissolved root) and period,
// organisations in path order (pre-order), each with the term's total
// (year 0) first, then each year of the term, when `year` is 0. Counts are
// the ledger's counters summed over the period clipped at as_of. Paging by
// an offset into the rows.
//
// ListAdmissionRecords: without a filter and ordered by counted_on, pages
// straight from the ledger's index (cursor: the last record name); with a
// filter or ordered by create_stamp.time, reads every record of the index,
// then pages after the last record name.

#ifndef PARTYDEV_SERVICES_QUOTA_ACHIEVEMENT_SERVICE_H_
#define PARTYDEV_SERVICES_QUOTA_ACHIEVEMENT_SERVICE_H_

#include <memory>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/service_runtime.h"
#include "partydev/quota/v1/achievements.grpc.pb.h"
#include "services/quota/quota_context.h"

namespace partydev::quota {

class AchievementServiceImpl final
    : public v1::AchievementService::CallbackService {
 public:
  explicit AchievementServiceImpl(std::shared_ptr<QuotaContext> context);

  grpc::ServerUnaryReactor* QueryAchievements(
      grpc::CallbackServerContext* context,
      const v1::QueryAchievementsRequest* request,
      v1::AchievementCounts* response) override;
  grpc::ServerUnaryReactor* ComputeYearResults(
      grpc::CallbackServerContext* context,
      const v1::ComputeYearResultsRequest* request,
      v1::YearResults* response) override;
  grpc::ServerUnaryReactor* GetAdmissionRecord(
      grpc::CallbackServerContext* context,
      const v1::GetAdmissionRecordRequest* request,
      v1::AdmissionRecord* response) override;
  grpc::ServerUnaryReactor* ListAdmissionRecords(
      grpc::CallbackServerContext* context,
      const v1::ListAdmissionRecordsRequest* request,
      v1::ListAdmissionRecordsResponse* response) override;

  absl::Status DoQueryAchievements(const CallContext& call,
                                   const v1::QueryAchievementsRequest& request,
                                   v1::AchievementCounts& response);
  absl::Status DoGetAdmissionRecord(
      const CallContext& call, const v1::GetAdmissionRecordRequest& request,
      v1::AdmissionRecord& response);
  absl::Status DoListAdmissionRecords(
      const CallContext& call, const v1::ListAdmissionRecordsRequest& request,
      v1::ListAdmissionRecordsResponse& response);

 private:
  std::shared_ptr<QuotaContext> context_;
};

}  // namespace partydev::quota

#endif  // PARTYDEV_SERVICES_QUOTA_ACHIEVEMENT_SERVICE_H_
