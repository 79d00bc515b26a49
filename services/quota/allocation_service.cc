#include "services/quota/allocation_service.h"

namespace partydev::quota {

AllocationServiceImpl::AllocationServiceImpl(
    std::shared_ptr<QuotaContext> context)
    : context_(std::move(context)) {}

}  // namespace partydev::quota
