// File: services/notification/operations_service.h
//
// OperationsService (operations.proto): what an operator of the delivery
// engine sees and does. Dead letters are listed (AIP-160 filter over their
// fields; by default the DEAD ones), inspected, replayed one at a time or
// by filter (back on their queue with fresh attempts and the same
// idempotency key, so a receiver that did get one sees it at most once) and
// discarded with a reason; GetQueueStats reads the depth, age and workers
// of each priority queue. The engine itself (queue/dead_letters.h,
// queue/queue_stats.h) does the work; this class only translates.
//
// Who: the `operator` role (or an admin). A dead letter's payload_json may
// hold personal data: it is returned only to callers that also have the
// `personal_data` role.
//
// Retries (AIP-155): a replay or discard with a request_id that succeeded
// answers as it did the first time; the answer is recorded just after the
// engine's own atomic transition (a crash between the two makes a retry
// answer FAILED_PRECONDITION "not DEAD", never replay twice).

#ifndef PARTYDEV_SERVICES_NOTIFICATION_OPERATIONS_SERVICE_H_
#define PARTYDEV_SERVICES_NOTIFICATION_OPERATIONS_SERVICE_H_

#include <memory>

#include "absl/status/status.h"
#include "common/service_runtime.h"
#include "partydev/notification/v1/operations.grpc.pb.h"
#include "services/notification/notification_context.h"
#include "services/notification/queue/dead_letters.h"

namespace partydev::notification {

class OperationsServiceImpl final
    : public v1::OperationsService::CallbackService {
 public:
  explicit OperationsServiceImpl(std::shared_ptr<NotificationContext> context);

  grpc::ServerUnaryReactor* GetDeadLetter(
      grpc::CallbackServerContext* context,
      const v1::GetDeadLetterRequest* request,
      v1::DeadLetter* response) override;
  grpc::ServerUnaryReactor* ListDeadLetters(
      grpc::CallbackServerContext* context,
      const v1::ListDeadLettersRequest* request,
      v1::ListDeadLettersResponse* response) override;
  grpc::ServerUnaryReactor* ReplayDeadLetter(
      grpc::CallbackServerContext* context,
      const v1::ReplayDeadLetterRequest* request,
      v1::DeadLetter* response) override;
  grpc::ServerUnaryReactor* ReplayDeadLetters(
      grpc::CallbackServerContext* context,
      const v1::ReplayDeadLettersRequest* request,
      v1::ReplayDeadLettersResponse* response) override;
  grpc::ServerUnaryReactor* DiscardDeadLetter(
      grpc::CallbackServerContext* context,
      const v1::DiscardDeadLetterRequest* request,
      v1::DeadLetter* response) override;
  grpc::ServerUnaryReactor* GetQueueStats(
      grpc::CallbackServerContext* context,
      const v1::GetQueueStatsRequest* request,
      v1::QueueStats* response) override;

 private:
  absl::Status DoGetDeadLetter(const CallContext& call,
                               const v1::GetDeadLetterRequest& request,
                               v1::DeadLetter& response);
  absl::Status DoListDeadLetters(const CallContext& call,
                                 const v1::ListDeadLettersRequest& request,
                                 v1::ListDeadLettersResponse& response);
  absl::Status DoReplayDeadLetter(const CallContext& call,
                                  const v1::ReplayDeadLetterRequest& request,
                                  v1::DeadLetter& response);
  absl::Status DoReplayDeadLetters(const CallContext& call,
                                   const v1::ReplayDeadLettersRequest& request,
                                   v1::ReplayDeadLettersResponse& response);
  absl::Status DoDiscardDeadLetter(const CallContext& call,
                                   const v1::DiscardDeadLetterRequest& request,
                                   v1::DeadLetter& response);
  absl::Status DoGetQueueStats(const CallContext& call,
                               const v1::GetQueueStatsRequest& request,
                               v1::QueueStats& response);

  std::shared_ptr<NotificationContext> context_;
  DeadLetters dead_letters_;
};

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_OPERATIONS_SERVICE_H_
