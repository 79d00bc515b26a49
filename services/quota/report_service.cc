#include "services/quota/report_service.h"

namespace partydev::quota {

ReportServiceImpl::ReportServiceImpl(std::shared_ptr<QuotaContext> context,
                                     absl::Duration checkpoint_scan_period)
    : context_(std::move(context)) {
  (void)checkpoint_scan_period;
}

}  // namespace partydev::quota
