// File: services/membership/rpc_forwarding.h
//
// The one translation every membership service class makes from a gRPC
// callback method to its Do<Rpc> work: run it on the worker pool through
// ServiceRuntime::Unary (errors become grpc::Status there, in one place),
// after answering a retried request (AIP-155 request_id) with the response
// recorded for its first call.
//
//   PARTYDEV_MEMBERSHIP_FORWARD(PersonServiceImpl, GetPerson,
//                               v1::GetPersonRequest, v1::Person)
//
// The class must have `std::shared_ptr<MembershipContext> context_` and
// `absl::Status Do<Rpc>(const CallContext&, const Request&, Response&)`.

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_RPC_FORWARDING_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_RPC_FORWARDING_H_

#include "common/service_runtime.h"
#include "services/membership/journal.h"
#include "services/membership/membership_context.h"

#define PARTYDEV_MEMBERSHIP_FORWARD(Class, Rpc, Request, Response)           \
  grpc::ServerUnaryReactor* Class::Rpc(grpc::CallbackServerContext* context, \
                                       const Request* request,               \
                                       Response* response) {                 \
    return context_->runtime().Unary(                                        \
        context, #Rpc, [=](const CallContext& call) -> absl::Status {        \
          absl::StatusOr<bool> replayed =                                    \
              ReplayRecordedResponse(context_->redis(), context_->prefix(),  \
                                     #Rpc, *request, *response);             \
          if (!replayed.ok()) return replayed.status();                      \
          if (*replayed) return absl::OkStatus();                            \
          return Do##Rpc(call, *request, *response);                         \
        });                                                                  \
  }

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_RPC_FORWARDING_H_
