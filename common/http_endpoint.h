// File: common/http_endpoint.h
//
// A minimal HTTP/1.0 server for operational endpoints: GET /metrics
// (Prometheus) and GET /healthz (200 while the service is serving, else
// 503). It serves one request per connection on a thread of its own and is
// not meant for anything else.

#ifndef PARTYDEV_COMMON_HTTP_ENDPOINT_H_
#define PARTYDEV_COMMON_HTTP_ENDPOINT_H_

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "absl/status/statusor.h"

namespace partydev {

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; version=0.0.4; charset=utf-8";
  std::string body;
};

class HttpEndpoint {
 public:
  // Answers a GET of `path`.
  using Handler = std::function<HttpResponse(const std::string& path)>;

  HttpEndpoint() = default;
  ~HttpEndpoint();
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  // Listens on host:port (port 0 picks one) and serves until Stop.
  absl::Status Start(const std::string& host_port, Handler handler);
  void Stop();
  // The bound port (after Start).
  int port() const { return port_; }

 private:
  void Serve();

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace partydev

#endif  // PARTYDEV_COMMON_HTTP_ENDPOINT_H_
