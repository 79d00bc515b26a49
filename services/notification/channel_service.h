// File: services/notification/channel_service.h
//
// ChannelService (channels.proto). The recipients part: Get, List, Create
// (external systems only) and UpdateRecipient over recipient_store.h.
// Organisations become recipients (their office) from membership's events
// (organization_projection.h); persons through RecipientStore::EnsurePerson
// (their consumer is still to come). Authorisation as recipient_store.h
// documents (the caller's subtree from notifyd's tree projection, or the
// person itself); creating an external system needs the secretary (committee
// office), system or admin role.
//
// The channel part: webhook and e-mail channels (channel_store.h; the
// in-app channel exists implicitly and is listed first), their
// verification (a signed webhook ping answered 2xx, or a code sent by
// e-mail), test messages, Standard Webhooks secret rotation with overlap,
// the recipient's preferences (channel_preferences.h) and the log of
// delivery attempts. Every channel RPC is authorised as the recipient it
// belongs to (ManagedRecipient); writes follow the services' pattern
// (validate_only, request_id idempotency, etags, update masks). Webhook
// secrets are returned only by CreateChannel and RotateChannelSecret.
// Sending at once (verify, test) uses ChannelDeliveryOptionsFor the
// runtime's configuration (channel_delivery.h).

#ifndef PARTYDEV_SERVICES_NOTIFICATION_CHANNEL_SERVICE_H_
#define PARTYDEV_SERVICES_NOTIFICATION_CHANNEL_SERVICE_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "common/service_runtime.h"
#include "google/protobuf/empty.pb.h"
#include "partydev/notification/v1/channels.grpc.pb.h"
#include "services/notification/channel_delivery.h"
#include "services/notification/channel_store.h"
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

  grpc::ServerUnaryReactor* CreateChannel(
      grpc::CallbackServerContext* context,
      const v1::CreateChannelRequest* request, v1::Channel* response) override;
  grpc::ServerUnaryReactor* GetChannel(grpc::CallbackServerContext* context,
                                       const v1::GetChannelRequest* request,
                                       v1::Channel* response) override;
  grpc::ServerUnaryReactor* ListChannels(
      grpc::CallbackServerContext* context,
      const v1::ListChannelsRequest* request,
      v1::ListChannelsResponse* response) override;
  grpc::ServerUnaryReactor* UpdateChannel(
      grpc::CallbackServerContext* context,
      const v1::UpdateChannelRequest* request, v1::Channel* response) override;
  grpc::ServerUnaryReactor* DeleteChannel(
      grpc::CallbackServerContext* context,
      const v1::DeleteChannelRequest* request,
      google::protobuf::Empty* response) override;
  grpc::ServerUnaryReactor* VerifyChannel(
      grpc::CallbackServerContext* context,
      const v1::VerifyChannelRequest* request, v1::Channel* response) override;
  grpc::ServerUnaryReactor* TestChannel(
      grpc::CallbackServerContext* context,
      const v1::TestChannelRequest* request,
      v1::TestChannelResponse* response) override;
  grpc::ServerUnaryReactor* RotateChannelSecret(
      grpc::CallbackServerContext* context,
      const v1::RotateChannelSecretRequest* request,
      v1::RotateChannelSecretResponse* response) override;
  grpc::ServerUnaryReactor* GetPreferences(
      grpc::CallbackServerContext* context,
      const v1::GetPreferencesRequest* request,
      v1::Preferences* response) override;
  grpc::ServerUnaryReactor* UpdatePreferences(
      grpc::CallbackServerContext* context,
      const v1::UpdatePreferencesRequest* request,
      v1::Preferences* response) override;
  grpc::ServerUnaryReactor* ListDeliveryAttempts(
      grpc::CallbackServerContext* context,
      const v1::ListDeliveryAttemptsRequest* request,
      v1::ListDeliveryAttemptsResponse* response) override;

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

  absl::Status DoCreateChannel(const CallContext& call,
                               const v1::CreateChannelRequest& request,
                               v1::Channel& response);
  absl::Status DoGetChannel(const CallContext& call,
                            const v1::GetChannelRequest& request,
                            v1::Channel& response);
  absl::Status DoListChannels(const CallContext& call,
                              const v1::ListChannelsRequest& request,
                              v1::ListChannelsResponse& response);
  absl::Status DoUpdateChannel(const CallContext& call,
                               const v1::UpdateChannelRequest& request,
                               v1::Channel& response);
  absl::Status DoDeleteChannel(const CallContext& call,
                               const v1::DeleteChannelRequest& request,
                               google::protobuf::Empty& response);
  absl::Status DoVerifyChannel(const CallContext& call,
                               const v1::VerifyChannelRequest& request,
                               v1::Channel& response);
  absl::Status DoTestChannel(const CallContext& call,
                             const v1::TestChannelRequest& request,
                             v1::TestChannelResponse& response);
  absl::Status DoRotateChannelSecret(
      const CallContext& call, const v1::RotateChannelSecretRequest& request,
      v1::RotateChannelSecretResponse& response);
  absl::Status DoGetPreferences(const CallContext& call,
                                const v1::GetPreferencesRequest& request,
                                v1::Preferences& response);
  absl::Status DoUpdatePreferences(const CallContext& call,
                                   const v1::UpdatePreferencesRequest& request,
                                   v1::Preferences& response);
  absl::Status DoListDeliveryAttempts(
      const CallContext& call, const v1::ListDeliveryAttemptsRequest& request,
      v1::ListDeliveryAttemptsResponse& response);

 private:
  // The recipient `name` (`recipients/{r}` or `recipients/me`) if the
  // caller may manage it; PERMISSION_DENIED otherwise, without telling
  // whether it exists (NOT_FOUND only for admins). The one place the
  // channel RPCs authorise.
  absl::StatusOr<v1::Recipient> ManagedRecipient(const CallContext& call,
                                                 absl::string_view name,
                                                 absl::string_view field);
  // The channel `name` of a recipient the caller may manage, with its
  // secrets; the parsed name in `parsed`.
  absl::StatusOr<Stored<storage::v1::StoredChannel>> ManagedChannel(
      const CallContext& call, absl::string_view name, absl::string_view field,
      ChannelName& parsed);
  // Checks a channel's config (create, or update under `mask`; null: all).
  absl::Status CheckChannelConfig(const v1::Channel& channel,
                                  const google::protobuf::FieldMask* mask);
  // Records `attempt` of a test or verification on `channel`.
  v1::DeliveryAttempt AttemptOf(const ChannelOutcome& outcome,
                                const std::string& channel,
                                v1::ChannelType type, const std::string& id,
                                absl::Time start);

  // Sets the output-only unread_count from the inbox.
  absl::Status FillUnread(v1::Recipient& recipient);

  std::shared_ptr<NotificationContext> context_;
  RecipientStore recipients_;
  InboxStore inbox_;
  ChannelStore channels_;
  std::unique_ptr<ChannelSender> sender_;
};

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_CHANNEL_SERVICE_H_
