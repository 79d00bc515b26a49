// File: common/server.h
//
// The gRPC server every partydev binary runs: its services, the
// grpc.health.v1 health service (SERVING only while Redis answers PING;
// "liveness" SERVING while the process runs),
// server reflection (grpc.reflection.v1alpha, the one gRPC 1.51 serves),
// keepalive and message-size limits, TLS or mutual TLS when configured, the
// Prometheus endpoint, and a graceful drain: Shutdown() turns health
// NOT_SERVING, lets in-flight RPCs finish within the drain budget, then
// stops.

#ifndef PARTYDEV_COMMON_SERVER_H_
#define PARTYDEV_COMMON_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "common/http_endpoint.h"
#include "common/redis_client.h"
#include "common/service_runtime.h"

namespace partydev {

// The health service name that says only that the process is alive and
// answering (Kubernetes' livenessProbe): SERVING from Start to exit, through
// Redis outages and the drain, so that a Redis restart takes the pods out of
// the load balancer (readiness: "" and the service names) without
// restarting them.
inline constexpr char kLivenessHealthService[] = "liveness";

class Server {
 public:
  explicit Server(ServiceRuntime& runtime);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Registers a service under its full name (for health), e.g.
  // AddService(&impl,
  // partydev::membership::v1::PersonService::service_full_name()). The service
  // must outlive the server.
  void AddService(grpc::Service* service, std::string full_name);

  // Binds, starts serving and starts the health checker. The listen address
  // comes from the configuration unless `listen_override` is given
  // (tests use "127.0.0.1:0").
  absl::Status Start(const std::string& listen_override = "");

  // The port gRPC listens on (after Start).
  int port() const { return port_; }
  // The metrics port (0 when disabled).
  int metrics_port() const { return metrics_.port(); }
  // Whether the health service currently says SERVING.
  bool serving() const { return serving_.load(); }

  // Graceful drain; idempotent. Returns when the server has stopped.
  void Shutdown();

 private:
  void CheckHealth();
  void SetServing(bool serving);

  ServiceRuntime& runtime_;
  std::vector<std::pair<grpc::Service*, std::string>> services_;
  std::unique_ptr<grpc::Server> server_;
  // Its own connection: a busy pool must not make health flap.
  std::unique_ptr<RedisClient> health_redis_;
  HttpEndpoint metrics_;
  int port_ = 0;
  std::atomic<bool> serving_{false};
  std::atomic<bool> shutting_down_{false};
  absl::Notification stop_health_;
  std::thread health_thread_;
  std::once_flag shutdown_once_;
};

}  // namespace partydev

#endif  // PARTYDEV_COMMON_SERVER_H_
