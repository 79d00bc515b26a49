// File: common/service_runtime.h
//
// What every RPC handler of every partydev service stands on: the Redis
// client, the worker threads, authentication, metrics and logs, and the
// translation of results into grpc::Status. A service class only translates
// between protobuf and its domain; the runtime does the rest the same way
// for all three services.
//
// Handlers use gRPC's callback API and hand their work to the runtime's
// worker threads, so that Redis I/O never blocks gRPC's own threads:
//
//   grpc::ServerUnaryReactor* GetPerson(grpc::CallbackServerContext* ctx,
//                                       const GetPersonRequest* request,
//                                       Person* response) override {
//     return runtime_.Unary(ctx, "GetPerson", [=](const CallContext& call) {
//       return people_.Get(call.principal, request->name(), response);
//     });
//   }
//
// Thread-safety: all methods may be called from any thread.

#ifndef PARTYDEV_COMMON_SERVICE_RUNTIME_H_
#define PARTYDEV_COMMON_SERVICE_RUNTIME_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/auth.h"
#include "common/config.h"
#include "common/executor.h"
#include "common/grpc_status.h"
#include "common/logger.h"
#include "common/metrics.h"
#include "common/principal.h"
#include "common/redis_client.h"

namespace partydev {

// One RPC as the handler sees it.
struct CallContext {
  std::string method;
  Principal principal;
  // From the x-request-id header, or generated; echoed back to the client
  // and written in every log line of the call.
  std::string request_id;
  absl::Time started;
  // The client's deadline (absl::InfiniteFuture() when none was set).
  absl::Time deadline;
  // Unset for calls not made through gRPC (tests of the service layer).
  grpc::CallbackServerContext* server_context = nullptr;

  // True when the client cancelled or the deadline passed: long handlers
  // check it between steps and stop.
  bool Cancelled() const {
    return absl::Now() > deadline ||
           (server_context != nullptr && server_context->IsCancelled());
  }
};

// Defines Class::Rpc (the generated callback API) as a call of
// Class::Do##Rpc(call, request, response) through the runtime, which
// authenticates, logs, counts and converts the absl::Status: the service
// class only translates. Class has a `context_` whose runtime() is the
// service's ServiceRuntime.
#define PARTYDEV_UNARY_METHOD(Class, Rpc, Request, Response)                 \
  grpc::ServerUnaryReactor* Class::Rpc(grpc::CallbackServerContext* context, \
                                       const Request* request,               \
                                       Response* response) {                 \
    return context_->runtime().Unary(                                        \
        context, #Rpc, [this, request, response](const CallContext& call) {  \
          return Do##Rpc(call, *request, *response);                         \
        });                                                                  \
  }

class ServiceRuntime {
 public:
  // Makes the runtime of a service from its configuration (Redis is not
  // contacted yet: the service starts while Redis is down and reports
  // NOT_SERVING until it answers).
  static absl::StatusOr<std::unique_ptr<ServiceRuntime>> Create(
      ServiceConfig config);
  ~ServiceRuntime();

  const ServiceConfig& config() const { return config_; }
  RedisClient& redis() { return *redis_; }
  // The Redis of membershipd's and quotad's event streams: redis() unless
  // --membership_redis / --quota_redis name another one.
  RedisClient& membership_redis() {
    return membership_redis_ ? *membership_redis_ : *redis_;
  }
  RedisClient& quota_redis() { return quota_redis_ ? *quota_redis_ : *redis_; }
  Metrics& metrics() { return metrics_; }
  Logger& logger() { return *logger_; }
  Executor& executor() { return *executor_; }
  const Authenticator& authenticator() const { return *authenticator_; }

  // Runs `handler(const CallContext&) -> absl::Status` for a unary RPC on a
  // worker thread, after authenticating the caller and checking the
  // deadline; finishes the reactor with the status converted by
  // ToGrpcStatus, and records metrics and logs. The handler writes the
  // response message itself before returning OK.
  template <typename Handler>
  grpc::ServerUnaryReactor* Unary(grpc::CallbackServerContext* context,
                                  const char* method, Handler handler) {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    auto call = std::make_shared<CallContext>();
    absl::Status admitted = BeginCall(context, method, call.get());
    executor_->Submit([this, reactor, call, admitted,
                       handler = std::move(handler)]() mutable {
      absl::Status status = admitted;
      if (status.ok()) status = CheckAlive(*call);
      if (status.ok()) status = handler(static_cast<const CallContext&>(*call));
      reactor->Finish(FinishCall(*call, status));
    });
    return reactor;
  }

  // Authenticates the call and fills `call`; exposed for streaming RPCs,
  // which drive their own reactors. Returns the authentication result.
  absl::Status BeginCall(grpc::CallbackServerContext* context,
                         const char* method, CallContext* call);
  // Records metrics and the log line of a finished call, and converts its
  // status.
  grpc::Status FinishCall(const CallContext& call, const absl::Status& status);

 private:
  ServiceRuntime(ServiceConfig config, std::unique_ptr<Logger> logger,
                 std::unique_ptr<Authenticator> authenticator);
  absl::Status CheckAlive(const CallContext& call) const;

  const ServiceConfig config_;
  Metrics metrics_;
  std::unique_ptr<Logger> logger_;
  std::unique_ptr<Authenticator> authenticator_;
  std::unique_ptr<RedisClient> redis_;
  std::unique_ptr<RedisClient> membership_redis_;  // null: redis_
  std::unique_ptr<RedisClient> quota_redis_;       // null: redis_
  // Declared last: destroyed first, so queued handlers finish while the
  // Redis client and the logger still exist.
  std::unique_ptr<Executor> executor_;
};

}  // namespace partydev

#endif  // PARTYDEV_COMMON_SERVICE_RUNTIME_H_
