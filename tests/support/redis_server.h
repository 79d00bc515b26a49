// File: tests/support/redis_server.h
//
// A real redis-server (the Debian package) for tests: a free port, a
// temporary directory, AOF on. Stopped and removed at destruction.
//
//   RedisServer redis;
//   ASSERT_TRUE(redis.Start().ok());
//   config.redis = *ParseRedisUrl(redis.url());
//   redis.Restart();   // same port, same data (AOF)

#ifndef PARTYDEV_TESTS_SUPPORT_REDIS_SERVER_H_
#define PARTYDEV_TESTS_SUPPORT_REDIS_SERVER_H_

#include <sys/types.h>

#include <string>

#include "absl/status/status.h"

namespace partydev::testing {

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort();

// A fresh temporary directory (mkdtemp); removed by RemoveTree.
std::string MakeTempDir(const std::string& prefix);
void RemoveTree(const std::string& path);

class RedisServer {
 public:
  // `appendfsync` is "everysec" (the production default) or "always".
  explicit RedisServer(std::string appendfsync = "everysec");
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // Starts it (again, on the same port and directory after Stop or Kill)
  // and waits until it answers PING.
  absl::Status Start();
  // SIGTERM and wait: Redis flushes its AOF and exits.
  void Stop();
  // SIGKILL: a crash.
  void Kill();
  absl::Status Restart() {
    Stop();
    return Start();
  }
  // FLUSHALL, for isolation between tests.
  absl::Status FlushAll();

  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  std::string url() const;

 private:
  absl::Status StartOnce();

  const std::string appendfsync_;
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace partydev::testing

#endif  // PARTYDEV_TESTS_SUPPORT_REDIS_SERVER_H_
