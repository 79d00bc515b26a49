#include "services/quota/admin_service.h"

namespace partydev::quota {

QuotaAdminServiceImpl::QuotaAdminServiceImpl(
    std::shared_ptr<QuotaContext> context)
    : context_(std::move(context)) {}

}  // namespace partydev::quota
