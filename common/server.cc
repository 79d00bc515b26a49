#include "common/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/errors.h"

namespace partydev {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path,
                                     absl::string_view option) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidField(option, absl::StrCat("cannot read ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(
    const ServiceConfig& config) {
  if (config.tls_cert_file.empty()) return grpc::InsecureServerCredentials();
  absl::StatusOr<std::string> cert = ReadFile(config.tls_cert_file, "tls_cert");
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadFile(config.tls_key_file, "tls_key");
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  options.pem_key_cert_pairs.push_back({*key, *cert});
  if (!config.tls_client_ca_file.empty()) {
    absl::StatusOr<std::string> ca =
        ReadFile(config.tls_client_ca_file, "tls_client_ca");
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = *ca;
    options.client_certificate_request =
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(options);
}

}  // namespace

Server::Server(ServiceRuntime& runtime) : runtime_(runtime) {
  RedisOptions health_options = runtime_.config().redis;
  health_options.pool_size = 1;
  health_options.command_timeout =
      std::min(health_options.command_timeout, absl::Seconds(1));
  health_redis_ = std::make_unique<RedisClient>(health_options);
  runtime_.metrics().DescribeGauge("partydev_redis_up",
                                   "1 while Redis answers PING, else 0");
  runtime_.metrics().DescribeGauge("partydev_redis_connects",
                                   "Redis connections made since start");
  runtime_.metrics().DescribeGauge("partydev_redis_errors",
                                   "Redis I/O errors since start");
  runtime_.metrics().DescribeGauge("partydev_worker_queue",
                                   "Handlers waiting for a worker thread");
}

Server::~Server() { Shutdown(); }

void Server::AddService(grpc::Service* service, std::string full_name) {
  services_.emplace_back(service, std::move(full_name));
}

absl::Status Server::Start(const std::string& listen_override) {
  const ServiceConfig& config = runtime_.config();
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      Credentials(config);
  if (!credentials.ok()) return credentials.status();

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  const std::string listen =
      listen_override.empty() ? config.listen : listen_override;
  builder.AddListeningPort(listen, *credentials, &port_);
  for (auto& [service, name] : services_) builder.RegisterService(service);
  builder.SetMaxReceiveMessageSize(config.max_message_bytes);
  builder.SetMaxSendMessageSize(config.max_message_bytes);
  // Keepalive: find dead peers behind load balancers and NATs, and accept
  // clients' pings down to every 10 s.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 60 * 1000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20 * 1000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(
      GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10 * 1000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", listen, " (address in use?)"));
  }
  if (!config.metrics_listen.empty()) {
    absl::Status status = metrics_.Start(
        config.metrics_listen, [this](const std::string& path) -> HttpResponse {
          if (path == "/metrics") {
            Metrics& m = runtime_.metrics();
            m.Set("partydev_redis_connects", {},
                  static_cast<double>(runtime_.redis().connects()));
            m.Set("partydev_redis_errors", {},
                  static_cast<double>(runtime_.redis().errors()));
            m.Set("partydev_worker_queue", {},
                  static_cast<double>(runtime_.executor().queued()));
            return {200, "text/plain; version=0.0.4; charset=utf-8",
                    m.Render()};
          }
          if (path == "/healthz") {
            return serving_ ? HttpResponse{200, "text/plain", "SERVING\n"}
                            : HttpResponse{503, "text/plain", "NOT_SERVING\n"};
          }
          return {404, "text/plain", "not found\n"};
        });
    if (!status.ok()) {
      server_->Shutdown();
      return status;
    }
  }
  if (grpc::HealthCheckServiceInterface* health =
          server_->GetHealthCheckService();
      health != nullptr) {
    health->SetServingStatus(kLivenessHealthService, true);
  }
  SetServing(false);
  CheckHealth();  // answer correctly from the first request on
  health_thread_ = std::thread([this] {
    while (!stop_health_.WaitForNotificationWithTimeout(
        runtime_.config().health_interval)) {
      CheckHealth();
    }
  });
  runtime_.logger().Info(
      "started",
      {{"listen", listen},
       {"port", port_},
       {"metrics_port", metrics_.port()},
       {"redis", config.redis.Describe()},
       {"tls", !config.tls_cert_file.empty()},
       {"mutual_tls", !config.tls_client_ca_file.empty()},
       {"auth", config.auth_mode == AuthMode::kDev ? "dev" : "jwt"}});
  if (config.auth_mode == AuthMode::kDev) {
    runtime_.logger().Warn(
        "development_auth",
        {{"message",
          "PARTYDEV_AUTH=dev: callers are NOT authenticated; identity comes "
          "from x-partydev-* metadata. Never use this in production."}});
  }
  return absl::OkStatus();
}

void Server::CheckHealth() {
  if (shutting_down_) return;
  absl::Status ping = health_redis_->Ping();
  if (ping.ok() != serving_.load()) {
    runtime_.logger().Log(
        ping.ok() ? Logger::Level::kInfo : Logger::Level::kWarn,
        ping.ok() ? "redis_up" : "redis_down",
        ping.ok() ? nlohmann::json::object()
                  : nlohmann::json{{"error", std::string(ping.message())}});
  }
  SetServing(ping.ok());
}

void Server::SetServing(bool serving) {
  serving_ = serving;
  runtime_.metrics().Set("partydev_redis_up", {}, serving ? 1 : 0);
  if (server_ == nullptr) return;
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  if (health == nullptr) return;
  health->SetServingStatus("", serving);
  for (const auto& [service, name] : services_) {
    health->SetServingStatus(name, serving);
  }
}

void Server::Shutdown() {
  std::call_once(shutdown_once_, [this] {
    if (server_ == nullptr) return;
    shutting_down_ = true;
    stop_health_.Notify();
    if (health_thread_.joinable()) health_thread_.join();
    runtime_.logger().Info(
        "draining",
        {{"budget_s", absl::ToDoubleSeconds(runtime_.config().drain_timeout)}});
    // Load balancers stop routing here first.
    SetServing(false);
    // Waits for in-flight RPCs; cancels what is left at the deadline.
    server_->Shutdown(
        absl::ToChronoTime(absl::Now() + runtime_.config().drain_timeout));
    metrics_.Stop();
    runtime_.logger().Info("stopped");
  });
}

}  // namespace partydev
