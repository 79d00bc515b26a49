#include "services/quota/plan_service.h"

namespace partydev::quota {

PlanServiceImpl::PlanServiceImpl(std::shared_ptr<QuotaContext> context)
    : context_(std::move(context)) {}

}  // namespace partydev::quota
