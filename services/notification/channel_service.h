// File: services/notification/channel_service.h
//
// ChannelService (channels.proto), the recipients part: Get, List, Create
// (external systems only) and UpdateRecipient over recipient_store.h.
// Persons and organisations become recipients from membership's events
// (RecipientStore::EnsurePerson / EnsureOrganization; the consumer is still
// to come, issue #6). Authorisation as recipient_store.h documents (no tree
// projection yet: admin, same owner organisation, or the person itself);
// creating an external system needs the secretary (committee office),
// system or admin role.
//
// Not yet (issue #6): channels (each recipient's in-app channel exists
// implicitly), preferences and the attempts log — those RPCs answer
// UNIMPLEMENTED.

#ifndef PARTYDEV_SERVICES_NOTIFICATION_CHANNEL_SERVICE_H_
#define PARTYDEV_SERVICES_NOTIFICATION_CHANNEL_SERVICE_H_

#include <memory>

#include "absl/status/status.h"
#include "common/service_runtime.h"
#include "partydev/notification/v1/channels.grpc.pb.h"
#include "services/notification/inbox_store.h"
#include "services/notification/notification_context.h"
#include "services/notification/recipient_store.h"

namespace partydev::notification {

class ChannelServiceImpl final : public v1::ChannelService::CallbackService {
 public:
  explicit ChannelServiceImpl(std::shared_ptr<NotificationContext> context);

  grpc::ServerUnaryReactor* GetRecipient(grpc::CallbackServerContext* context,
                                         const v1::GetRecipientRequest* request,
                                         v1::Recipient* response) override;
  grpc::ServerUnaryReactor* ListRecipients(
      grpc::CallbackServerContext* context,
      const v1::ListRecipientsRequest* request,
      v1::ListRecipientsResponse* response) override;
  grpc::ServerUnaryReactor* CreateRecipient(
      grpc::CallbackServerContext* context,
      const v1::CreateRecipientRequest* request,
      v1::Recipient* response) override;
  grpc::ServerUnaryReactor* UpdateRecipient(
      grpc::CallbackServerContext* context,
      const v1::UpdateRecipientRequest* request,
      v1::Recipient* response) override;

  absl::Status DoGetRecipient(const CallContext& call,
                              const v1::GetRecipientRequest& request,
                              v1::Recipient& response);
  absl::Status DoListRecipients(const CallContext& call,
                                const v1::ListRecipientsRequest& request,
                                v1::ListRecipientsResponse& response);
  absl::Status DoCreateRecipient(const CallContext& call,
                                 const v1::CreateRecipientRequest& request,
                                 v1::Recipient& response);
  absl::Status DoUpdateRecipient(const CallContext& call,
                                 const v1::UpdateRecipientRequest& request,
                                 v1::Recipient& response);

 private:
  // Sets the output-only unread_count from the inbox.
  absl::Status FillUnread(v1::Recipient& recipient);

  std::shared_ptr<NotificationContext> context_;
  RecipientStore recipients_;
  InboxStore inbox_;
};

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_CHANNEL_SERVICE_H_
