// File: services/quota/report_service.h
//
// Progress reports, their CSV export, the candidate pool, the lagging list and
// lagging checkpoints (reports.proto). The service class only translates
// between protobuf and the stores and domain rules; every RPC checks the
// caller's organisation subtree. The figures come from one computation
// (progress_report.h); checkpoints and their schedule are in
// checkpoint_scheduler.h.

#ifndef PARTYDEV_SERVICES_QUOTA_REPORT_SERVICE_H_
#define PARTYDEV_SERVICES_QUOTA_REPORT_SERVICE_H_

#include <memory>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/service_runtime.h"
#include "partydev/quota/v1/reports.grpc.pb.h"
#include "services/quota/checkpoint_scheduler.h"
#include "services/quota/quota_context.h"

namespace partydev::quota {

// The RPCs' work, callable without gRPC (tools, benchmarks).
absl::Status ComputeProgressReport(QuotaContext& context,
                                   const CallContext& call,
                                   const v1::ComputeProgressRequest& request,
                                   v1::ProgressReport* response);
absl::Status ComputeCandidatePoolReport(
    QuotaContext& context, const CallContext& call,
    const v1::ComputeCandidatePoolRequest& request,
    v1::CandidatePoolReport* response);
absl::Status FindLaggingOrganizations(
    QuotaContext& context, const CallContext& call,
    const v1::FindLaggingOrganizationsRequest& request,
    v1::LaggingList* response);

class ReportServiceImpl final : public v1::ReportService::CallbackService {
 public:
  // A positive `checkpoint_scan_period` starts the scheduler of lagging
  // checkpoints on a thread of its own (zero: none; tests run it).
  ReportServiceImpl(std::shared_ptr<QuotaContext> context,
                    absl::Duration checkpoint_scan_period);
  ~ReportServiceImpl() override;

  grpc::ServerUnaryReactor* ComputeProgress(
      grpc::CallbackServerContext* context,
      const v1::ComputeProgressRequest* request,
      v1::ProgressReport* response) override;
  grpc::ServerWriteReactor<v1::CsvChunk>* ExportProgress(
      grpc::CallbackServerContext* context,
      const v1::ExportProgressRequest* request) override;
  grpc::ServerUnaryReactor* ComputeCandidatePool(
      grpc::CallbackServerContext* context,
      const v1::ComputeCandidatePoolRequest* request,
      v1::CandidatePoolReport* response) override;
  grpc::ServerUnaryReactor* FindLaggingOrganizations(
      grpc::CallbackServerContext* context,
      const v1::FindLaggingOrganizationsRequest* request,
      v1::LaggingList* response) override;
  grpc::ServerUnaryReactor* CreateLaggingCheckpoint(
      grpc::CallbackServerContext* context,
      const v1::CreateLaggingCheckpointRequest* request,
      v1::LaggingCheckpoint* response) override;
  grpc::ServerUnaryReactor* GetLaggingCheckpoint(
      grpc::CallbackServerContext* context,
      const v1::GetLaggingCheckpointRequest* request,
      v1::LaggingCheckpoint* response) override;
  grpc::ServerUnaryReactor* ListLaggingCheckpoints(
      grpc::CallbackServerContext* context,
      const v1::ListLaggingCheckpointsRequest* request,
      v1::ListLaggingCheckpointsResponse* response) override;

 private:
  class ExportReactor;

  std::shared_ptr<QuotaContext> context_;
  CheckpointScheduler scheduler_;
};

}  // namespace partydev::quota

#endif  // PARTYDEV_SERVICES_QUOTA_REPORT_SERVICE_H_
