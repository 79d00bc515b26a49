// File: services/quota/achievement_service.h
//
// Admission counts, the admissions ledger and the yearly results
// (achievements.proto). The service class only translates between protobuf and
// the stores and domain rules; every RPC checks the caller's organisation
// subtree.

#ifndef PARTYDEV_SERVICES_QUOTA_ACHIEVEMENT_SERVICE_H_
#define PARTYDEV_SERVICES_QUOTA_ACHIEVEMENT_SERVICE_H_

#include <memory>

#include "absl/time/time.h"
#include "partydev/quota/v1/achievements.grpc.pb.h"
#include "services/quota/quota_context.h"

namespace partydev::quota {

class AchievementServiceImpl final
    : public v1::AchievementService::CallbackService {
 public:
  explicit AchievementServiceImpl(std::shared_ptr<QuotaContext> context);

 private:
  std::shared_ptr<QuotaContext> context_;
};

}  // namespace partydev::quota

#endif  // PARTYDEV_SERVICES_QUOTA_ACHIEVEMENT_SERVICE_H_
