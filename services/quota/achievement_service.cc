#include "services/quota/achievement_service.h"

namespace partydev::quota {

AchievementServiceImpl::AchievementServiceImpl(
    std::shared_ptr<QuotaContext> context)
    : context_(std::move(context)) {}

}  // namespace partydev::quota
