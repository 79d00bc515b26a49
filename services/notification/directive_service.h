// File: services/notification/directive_service.h
//
// DirectiveService (directive_service.proto): directives and official
// letters in the format of the seeds (06-CT/TU, 1849-CV/ĐUK), their
// deliveries, acknowledgements, implementation reports and tracking. The
// class only translates; the rules are in domain/ (recipients, reference
// numbers, delivery states), the keys in directive_store.h and
// delivery_store.h, the fan-out in directive_fan_out.h and the reminders of
// late deliveries in delivery_deadlines.h.
//
// The implementation is split by concern: directive_service.cc (drafts,
// issue, amend, withdraw, reads of directives) and delivery_rpcs.cc (reads
// of deliveries, acknowledgement, reports, tracking).
//
// Authorisation (notification_access.h): writing and issuing needs an
// officer role (secretary, deputy secretary, organisation board, office) of
// the issuing organisation or above it; acknowledging and reporting needs an
// officer of the recipient organisation itself (or the recipient person);
// reading follows the organisation subtree. Installation admins may do all.

#ifndef PARTYDEV_SERVICES_NOTIFICATION_DIRECTIVE_SERVICE_H_
#define PARTYDEV_SERVICES_NOTIFICATION_DIRECTIVE_SERVICE_H_

#include <initializer_list>
#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "common/service_runtime.h"
#include "partydev/notification/v1/directive_service.grpc.pb.h"
#include "services/notification/delivery_deadlines.h"
#include "services/notification/delivery_store.h"
#include "services/notification/directive_fan_out.h"
#include "services/notification/directive_issuing.h"
#include "services/notification/directive_store.h"
#include "services/notification/notification_context.h"

namespace partydev::notification {

class DirectiveServiceImpl final
    : public v1::DirectiveService::CallbackService {
 public:
  DirectiveServiceImpl(std::shared_ptr<NotificationContext> context,
                       std::shared_ptr<DirectiveFanOut> fan_out);

#define PARTYDEV_DIRECTIVE_RPC(Rpc, Request, Response)                      \
  grpc::ServerUnaryReactor* Rpc(grpc::CallbackServerContext* context,       \
                                const v1::Request* request,                 \
                                Response* response) override;               \
                                                                            \
 private:                                                                   \
  absl::Status Do##Rpc(const CallContext& call, const v1::Request& request, \
                       Response& response);                                 \
                                                                            \
 public:
  PARTYDEV_DIRECTIVE_RPC(CreateDirective, CreateDirectiveRequest, v1::Directive)
  PARTYDEV_DIRECTIVE_RPC(GetDirective, GetDirectiveRequest, v1::Directive)
  PARTYDEV_DIRECTIVE_RPC(ListDirectives, ListDirectivesRequest,
                         v1::ListDirectivesResponse)
  PARTYDEV_DIRECTIVE_RPC(UpdateDirective, UpdateDirectiveRequest, v1::Directive)
  PARTYDEV_DIRECTIVE_RPC(DeleteDirective, DeleteDirectiveRequest,
                         google::protobuf::Empty)
  PARTYDEV_DIRECTIVE_RPC(IssueDirective, IssueDirectiveRequest, v1::Directive)
  PARTYDEV_DIRECTIVE_RPC(AmendDirective, AmendDirectiveRequest, v1::Directive)
  PARTYDEV_DIRECTIVE_RPC(WithdrawDirective, WithdrawDirectiveRequest,
                         v1::Directive)
  // delivery_rpcs.cc
  PARTYDEV_DIRECTIVE_RPC(TrackDirective, TrackDirectiveRequest,
                         v1::TrackDirectiveResponse)
  PARTYDEV_DIRECTIVE_RPC(GetDelivery, GetDeliveryRequest, v1::Delivery)
  PARTYDEV_DIRECTIVE_RPC(ListDeliveries, ListDeliveriesRequest,
                         v1::ListDeliveriesResponse)
  PARTYDEV_DIRECTIVE_RPC(AcknowledgeDelivery, AcknowledgeDeliveryRequest,
                         v1::Delivery)
  PARTYDEV_DIRECTIVE_RPC(SubmitDeliveryReport, SubmitDeliveryReportRequest,
                         v1::Delivery)
#undef PARTYDEV_DIRECTIVE_RPC

  // Runs the deadline sweep of deliveries (reminders, lateness,
  // escalation) for as long as the service lives (notifyd's main).
  void AttachDeadlines(std::unique_ptr<DeliveryDeadlines> deadlines) {
    deadlines_ = std::move(deadlines);
    deadlines_->Start();
  }

 private:
  // Fills the output-only views of a directive read or written: its
  // rendered text and its delivery counts.
  absl::Status Present(v1::Directive& directive);
  // Reads directive `name` for a change: the caller may write for its
  // issuer (PERMISSION_DENIED naming `field` otherwise), `etag` matches
  // (ABORTED), and it is in one of `states` (FAILED_PRECONDITION `rule`
  // with `refusal` otherwise).
  absl::StatusOr<Stored<v1::Directive>> ReadForWrite(
      const CallContext& call, const std::string& name, const std::string& etag,
      absl::string_view field, std::initializer_list<v1::DirectiveState> states,
      absl::string_view rule, absl::string_view refusal);
  std::shared_ptr<NotificationContext> context_;
  std::shared_ptr<DirectiveFanOut> fan_out_;
  DirectiveIssuing issuing_;  // borrows *context_ and *fan_out_
  DirectiveStore directives_;
  DeliveryStore deliveries_;
  std::unique_ptr<DeliveryDeadlines> deadlines_;
};

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_DIRECTIVE_SERVICE_H_
