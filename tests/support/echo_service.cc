#include "tests/support/echo_service.h"

#include "absl/time/clock.h"

namespace partydev::testing {

grpc::ServerUnaryReactor* EchoServiceImpl::Echo(
    grpc::CallbackServerContext* context, const v1::EchoRequest* request,
    v1::EchoResponse* response) {
  return runtime_.Unary(
      context, "Echo", [request, response](const CallContext& call) {
        const absl::Time until =
            absl::Now() + absl::Milliseconds(request->sleep_ms());
        while (absl::Now() < until) {
          if (call.Cancelled())
            return absl::CancelledError("cancelled while sleeping");
          absl::SleepFor(std::min(absl::Milliseconds(10), until - absl::Now()));
        }
        response->set_message(request->message());
        response->set_caller(call.principal.subject);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* EchoServiceImpl::PingRedis(
    grpc::CallbackServerContext* context, const v1::EchoRequest*,
    v1::EchoResponse* response) {
  return runtime_.Unary(
      context, "PingRedis", [this, response](const CallContext& call) {
        absl::StatusOr<RedisReply> reply = runtime_.redis().Command({"PING"});
        if (!reply.ok()) return reply.status();
        response->set_message(reply->str());
        response->set_caller(call.principal.subject);
        return absl::OkStatus();
      });
}

}  // namespace partydev::testing
