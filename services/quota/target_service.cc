#include "services/quota/target_service.h"

namespace partydev::quota {

TargetServiceImpl::TargetServiceImpl(std::shared_ptr<QuotaContext> context)
    : context_(std::move(context)) {}

}  // namespace partydev::quota
