// File: services/notification/inbox_service.h
//
// InboxService (inbox.proto): the in-app inbox of a recipient and
// SendNotification.
//
// Reading and changing an inbox is for the recipient itself only: the
// person (caller subject == the recipient's person), an officer of the
// organisation for an organisation's inbox (caller organisation == the
// recipient's organisation), or an admin (recipient_store.h MayReadInbox).
//
// SendNotification validates everything first (1 to 1000 existing,
// distinct recipients; a category; text content, or a shipped template that
// renders with the given context; an idempotency key; a system or secretary
// role and every recipient owned within the caller's organisation subtree,
// notification_access.h), then, in ONE atomic write for
// the whole request, stages per recipient a "sent" marker
// (`inbox:sent:<key>`, expected absent) and one CHANNEL_DELIVERY job for the
// IN_APP channel whose idempotency key is sha256(recipient "\n" request
// key) and whose payload is the rendered Message: the outbox — the jobs
// exist iff the request succeeded. A recipient whose marker exists is a
// duplicate: no second job. The message itself is created asynchronously by
// the delivery worker (delivery_dispatcher.h), so `SentNotification.message`
// is empty until it is delivered.
//
// In the same write, one WEBHOOK or EMAIL job per active channel of the
// recipient that accepts the category (preferences, quiet hours:
// delivery_dispatcher.h). MarkMessageRead of a directive's message marks
// its delivery READ (delivery_store.h RecordRead, an idempotent second
// write).
//
// Not yet (issue #6): templates stored through TemplateService (only the
// shipped library is looked up), the AIP-160 `filter` of ListMessages
// (UNIMPLEMENTED when set), `change` events of SubscribeMessages
// (include_changes is ignored), ResyncRequired (nothing trims inboxes yet).
//
// SubscribeMessages runs one thread per stream that reads the recipient's
// inbox stream from the resume point (XRANGE after the cursor, polled every
// 200 ms when idle, so that idle streams hold no Redis connection): messages
// after `after_message` oldest first, then live ones, with no gap and no
// duplicate (one cursor, the stream id); heartbeats when idle; ends when
// the client cancels. A thread per stream suits hundreds of subscribers,
// not tens of thousands (issue #6: a shared poller).

#ifndef PARTYDEV_SERVICES_NOTIFICATION_INBOX_SERVICE_H_
#define PARTYDEV_SERVICES_NOTIFICATION_INBOX_SERVICE_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/record_store.h"
#include "common/service_runtime.h"
#include "partydev/notification/v1/inbox.grpc.pb.h"
#include "services/notification/delivery_dispatcher.h"
#include "services/notification/inbox_store.h"
#include "services/notification/notification_context.h"
#include "services/notification/recipient_store.h"

namespace partydev::notification {

// Most recipients of one SendNotification.
inline constexpr int kMaxRecipientsPerSend = 1000;

// The idempotency key of the delivery job (and the inbox dedup key) of a
// request's `idempotency_key` for one recipient.
std::string DeliveryKey(absl::string_view recipient,
                        absl::string_view idempotency_key);

class InboxServiceImpl final : public v1::InboxService::CallbackService {
 public:
  explicit InboxServiceImpl(std::shared_ptr<NotificationContext> context);
  ~InboxServiceImpl() override;

  // Keeps notifyd's background delivery alive as long as the service (the
  // server owns the services; services.cc attaches it when run_workers).
  void AttachWorkers(std::unique_ptr<DeliveryWorkers> workers);

  grpc::ServerUnaryReactor* ListMessages(
      grpc::CallbackServerContext* context,
      const v1::ListMessagesRequest* request,
      v1::ListMessagesResponse* response) override;
  grpc::ServerUnaryReactor* GetMessage(grpc::CallbackServerContext* context,
                                       const v1::GetMessageRequest* request,
                                       v1::Message* response) override;
  grpc::ServerUnaryReactor* CountUnreadMessages(
      grpc::CallbackServerContext* context,
      const v1::CountUnreadMessagesRequest* request,
      v1::CountUnreadMessagesResponse* response) override;
  grpc::ServerUnaryReactor* MarkMessageRead(
      grpc::CallbackServerContext* context,
      const v1::MarkMessageReadRequest* request,
      v1::Message* response) override;
  grpc::ServerUnaryReactor* MarkMessageUnread(
      grpc::CallbackServerContext* context,
      const v1::MarkMessageUnreadRequest* request,
      v1::Message* response) override;
  grpc::ServerUnaryReactor* MarkAllMessagesRead(
      grpc::CallbackServerContext* context,
      const v1::MarkAllMessagesReadRequest* request,
      v1::MarkAllMessagesReadResponse* response) override;
  grpc::ServerUnaryReactor* ArchiveMessage(
      grpc::CallbackServerContext* context,
      const v1::ArchiveMessageRequest* request, v1::Message* response) override;
  grpc::ServerUnaryReactor* UnarchiveMessage(
      grpc::CallbackServerContext* context,
      const v1::UnarchiveMessageRequest* request,
      v1::Message* response) override;
  grpc::ServerWriteReactor<v1::SubscribeMessagesResponse>* SubscribeMessages(
      grpc::CallbackServerContext* context,
      const v1::SubscribeMessagesRequest* request) override;
  grpc::ServerUnaryReactor* SendNotification(
      grpc::CallbackServerContext* context,
      const v1::SendNotificationRequest* request,
      v1::SendNotificationResponse* response) override;

  absl::Status DoListMessages(const CallContext& call,
                              const v1::ListMessagesRequest& request,
                              v1::ListMessagesResponse& response);
  absl::Status DoGetMessage(const CallContext& call,
                            const v1::GetMessageRequest& request,
                            v1::Message& response);
  absl::Status DoCountUnreadMessages(
      const CallContext& call, const v1::CountUnreadMessagesRequest& request,
      v1::CountUnreadMessagesResponse& response);
  absl::Status DoMarkMessageRead(const CallContext& call,
                                 const v1::MarkMessageReadRequest& request,
                                 v1::Message& response);
  absl::Status DoMarkMessageUnread(const CallContext& call,
                                   const v1::MarkMessageUnreadRequest& request,
                                   v1::Message& response);
  absl::Status DoMarkAllMessagesRead(
      const CallContext& call, const v1::MarkAllMessagesReadRequest& request,
      v1::MarkAllMessagesReadResponse& response);
  absl::Status DoArchiveMessage(const CallContext& call,
                                const v1::ArchiveMessageRequest& request,
                                v1::Message& response);
  absl::Status DoUnarchiveMessage(const CallContext& call,
                                  const v1::UnarchiveMessageRequest& request,
                                  v1::Message& response);
  absl::Status DoSendNotification(const CallContext& call,
                                  const v1::SendNotificationRequest& request,
                                  v1::SendNotificationResponse& response);

  // The recipient `name` ("recipients/{r}" or "recipients/me") if the
  // caller may read its inbox; PERMISSION_DENIED otherwise (also when it
  // does not exist, except for admins: NOT_FOUND).
  absl::StatusOr<v1::Recipient> AuthorizeInbox(const CallContext& call,
                                               absl::string_view name,
                                               absl::string_view field);

 private:
  class Subscription;

  // The shared shape of the state changes of one message: read it, check
  // the etag, `mutate` it (returns the unread delta, or nullopt when
  // nothing changes), stage and answer.
  absl::Status ChangeMessage(
      const CallContext& call, const google::protobuf::Message& request,
      absl::string_view method, const std::string& name,
      const std::string& etag, const std::string& request_id,
      const std::function<std::optional<int>(v1::Message&)>& mutate,
      v1::Message& response);

  std::shared_ptr<NotificationContext> context_;
  RecipientStore recipients_;
  InboxStore inbox_;
  std::unique_ptr<DeliveryWorkers> workers_;
};

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_INBOX_SERVICE_H_
