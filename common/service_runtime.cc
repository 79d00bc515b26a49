#include "common/service_runtime.h"

#include <random>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"

namespace partydev {
namespace {

std::string Header(const grpc::CallbackServerContext* context,
                   absl::string_view key) {
  const auto& md = context->client_metadata();
  auto it = md.find(grpc::string_ref(key.data(), key.size()));
  if (it == md.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

std::string NewRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t a = rng(), b = rng();
  return absl::StrCat(absl::Hex(a, absl::kZeroPad16),
                      absl::Hex(b, absl::kZeroPad16));
}

// Request ids come from clients: keep them short and printable so that
// they cannot break a log line or an HTTP header.
bool IsSafeRequestId(absl::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' ||
          c == '_' || c == '.' || c == ':')) {
      return false;
    }
  }
  return true;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ServiceRuntime>> ServiceRuntime::Create(
    ServiceConfig config) {
  auto logger = std::make_unique<Logger>(config.program, config.log_level);
  absl::StatusOr<std::unique_ptr<Authenticator>> authenticator =
      MakeAuthenticator(config);
  if (!authenticator.ok()) return authenticator.status();
  return std::unique_ptr<ServiceRuntime>(new ServiceRuntime(
      std::move(config), std::move(logger), *std::move(authenticator)));
}

ServiceRuntime::ServiceRuntime(ServiceConfig config,
                               std::unique_ptr<Logger> logger,
                               std::unique_ptr<Authenticator> authenticator)
    : config_(std::move(config)),
      logger_(std::move(logger)),
      authenticator_(std::move(authenticator)),
      redis_(std::make_unique<RedisClient>(config_.redis)),
      membership_redis_(
          config_.membership_redis
              ? std::make_unique<RedisClient>(*config_.membership_redis)
              : nullptr),
      quota_redis_(config_.quota_redis
                       ? std::make_unique<RedisClient>(*config_.quota_redis)
                       : nullptr),
      executor_(std::make_unique<Executor>(config_.workers)) {
  metrics_.DescribeCounter("partydev_rpc_requests_total",
                           "RPCs finished, by method and gRPC code");
  metrics_.DescribeHistogram("partydev_rpc_latency_seconds",
                             "RPC latency from arrival to finish, by method",
                             LatencyBuckets());
}

ServiceRuntime::~ServiceRuntime() { executor_.reset(); }

absl::Status ServiceRuntime::BeginCall(grpc::CallbackServerContext* context,
                                       const char* method, CallContext* call) {
  call->method = method;
  call->started = absl::Now();
  call->server_context = context;
  const auto deadline = context->deadline();
  call->deadline = deadline == std::chrono::system_clock::time_point::max()
                       ? absl::InfiniteFuture()
                       : absl::FromChrono(deadline);
  std::string request_id = Header(context, "x-request-id");
  call->request_id = IsSafeRequestId(request_id) ? request_id : NewRequestId();
  context->AddInitialMetadata("x-request-id", call->request_id);

  CallCredentials credentials;
  credentials.authorization = Header(context, "authorization");
  if (config_.auth_mode == AuthMode::kDev) {
    credentials.dev_subject = Header(context, "x-partydev-sub");
    credentials.dev_organization = Header(context, "x-partydev-org");
    credentials.dev_roles = Header(context, "x-partydev-roles");
    credentials.dev_name = Header(context, "x-partydev-name-bin");
    credentials.dev_title = Header(context, "x-partydev-title-bin");
  }
  absl::StatusOr<Principal> principal =
      authenticator_->Authenticate(credentials, call->started);
  if (!principal.ok()) return principal.status();
  call->principal = *std::move(principal);
  return absl::OkStatus();
}

absl::Status ServiceRuntime::CheckAlive(const CallContext& call) const {
  if (absl::Now() > call.deadline) {
    return absl::DeadlineExceededError(
        "the deadline passed before the request was handled");
  }
  if (call.server_context != nullptr && call.server_context->IsCancelled()) {
    return absl::CancelledError("the client cancelled the request");
  }
  return absl::OkStatus();
}

grpc::Status ServiceRuntime::FinishCall(const CallContext& call,
                                        const absl::Status& status) {
  const double seconds = absl::ToDoubleSeconds(absl::Now() - call.started);
  const std::string code = absl::StatusCodeToString(status.code());
  metrics_.Increment("partydev_rpc_requests_total",
                     {{"method", call.method}, {"code", code}});
  metrics_.Observe("partydev_rpc_latency_seconds", {{"method", call.method}},
                   seconds);
  Logger::Level level = Logger::Level::kDebug;
  switch (status.code()) {
    case absl::StatusCode::kOk:
      break;
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kDataLoss:
      level = Logger::Level::kError;
      break;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      level = Logger::Level::kWarn;
      break;
    default:
      level = Logger::Level::kInfo;
  }
  if (logger_->Enabled(level)) {
    nlohmann::json fields = {{"method", call.method},
                             {"code", code},
                             {"request_id", call.request_id},
                             {"caller", call.principal.subject},
                             {"ms", seconds * 1000}};
    // Messages name fields and rules, never personal data (see errors.h).
    if (!status.ok()) {
      fields["error"] = std::string(status.message());
      fields["reason"] = ReasonOf(status);
    }
    logger_->Log(level, "rpc", std::move(fields));
  }
  return ToGrpcStatus(status);
}

}  // namespace partydev
