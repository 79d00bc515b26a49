#include "tests/support/in_process_server.h"

#include "absl/strings/str_cat.h"

namespace partydev::testing {

ServiceConfig TestConfig(const std::string& redis_url,
                         const std::vector<std::string>& flags) {
  std::vector<std::string> args = {"test",
                                   "--listen=127.0.0.1:0",
                                   "--metrics_listen=",
                                   absl::StrCat("--redis=", redis_url),
                                   "--auth=dev",
                                   "--health_interval_ms=200",
                                   "--workers=4",
                                   "--drain_seconds=10",
                                   "--log_level=warn"};
  args.insert(args.end(), flags.begin(), flags.end());
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  const char* no_env[] = {nullptr};
  absl::StatusOr<ServiceConfig> config =
      ParseServiceConfig(static_cast<int>(argv.size()), argv.data(), no_env,
                         {"test", 0, 0, "pd:test:", ""});
  if (!config.ok()) {
    fprintf(stderr, "TestConfig: %s\n",
            std::string(config.status().message()).c_str());
    abort();
  }
  return *config;
}

InProcessServer::InProcessServer(ServiceConfig config, ServiceFactory factory)
    : config_(std::move(config)), factory_(std::move(factory)) {}

InProcessServer::~InProcessServer() {
  if (server_ != nullptr) server_->Shutdown();
  server_.reset();
  services_.clear();
}

absl::Status InProcessServer::Start() {
  absl::StatusOr<std::unique_ptr<ServiceRuntime>> runtime =
      ServiceRuntime::Create(config_);
  if (!runtime.ok()) return runtime.status();
  runtime_ = *std::move(runtime);
  absl::StatusOr<std::vector<ServiceRegistration>> services =
      factory_(*runtime_);
  if (!services.ok()) return services.status();
  services_ = *std::move(services);
  server_ = std::make_unique<Server>(*runtime_);
  for (auto& s : services_) server_->AddService(s.service.get(), s.full_name);
  absl::Status started = server_->Start();
  if (!started.ok()) return started;
  channel_ = grpc::CreateChannel(address(), grpc::InsecureChannelCredentials());
  return absl::OkStatus();
}

std::string InProcessServer::address() const {
  return absl::StrCat("127.0.0.1:", server_->port());
}

}  // namespace partydev::testing
