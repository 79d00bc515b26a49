// File: services/quota/report_service.h
//
// Progress reports, their CSV export, the candidate pool, the lagging list and
// lagging checkpoints (reports.proto). The service class only translates
// between protobuf and the stores and domain rules; every RPC checks the
// caller's organisation subtree.

#ifndef PARTYDEV_SERVICES_QUOTA_REPORT_SERVICE_H_
#define PARTYDEV_SERVICES_QUOTA_REPORT_SERVICE_H_

#include <memory>

#include "absl/time/time.h"
#include "partydev/quota/v1/reports.grpc.pb.h"
#include "services/quota/quota_context.h"

namespace partydev::quota {

class ReportServiceImpl final : public v1::ReportService::CallbackService {
 public:
  ReportServiceImpl(std::shared_ptr<QuotaContext> context,
                    absl::Duration checkpoint_scan_period);

 private:
  std::shared_ptr<QuotaContext> context_;
};

}  // namespace partydev::quota

#endif  // PARTYDEV_SERVICES_QUOTA_REPORT_SERVICE_H_
