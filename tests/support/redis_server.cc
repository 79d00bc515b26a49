#include "tests/support/redis_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/redis_client.h"

extern char** environ;

namespace partydev::testing {

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

std::string MakeTempDir(const std::string& prefix) {
  std::string base = std::filesystem::temp_directory_path().string();
  std::string pattern = absl::StrCat(base, "/", prefix, "-XXXXXX");
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  char* dir = mkdtemp(buf.data());
  return dir != nullptr ? std::string(dir) : std::string();
}

void RemoveTree(const std::string& path) {
  std::error_code ignored;
  if (!path.empty()) std::filesystem::remove_all(path, ignored);
}

RedisServer::RedisServer(std::string appendfsync)
    : appendfsync_(std::move(appendfsync)) {}

RedisServer::~RedisServer() {
  Kill();
  RemoveTree(dir_);
}

std::string RedisServer::url() const {
  return absl::StrCat("redis://127.0.0.1:", port_);
}

absl::Status RedisServer::Start() {
  const bool first = port_ == 0;
  absl::Status started = StartOnce();
  // A port free a moment ago may be taken before redis-server binds it
  // (ctest runs tests side by side): a first start tries other ports. A
  // restart keeps its port, which clients already use.
  for (int attempt = 1; first && absl::IsUnavailable(started) && attempt < 3;
       ++attempt) {
    port_ = 0;
    started = StartOnce();
  }
  return started;
}

absl::Status RedisServer::StartOnce() {
  if (pid_ > 0) return absl::OkStatus();
  if (dir_.empty()) dir_ = MakeTempDir("partydev-redis");
  if (dir_.empty()) return absl::InternalError("mkdtemp failed");
  if (port_ == 0) port_ = FreePort();
  std::vector<std::string> args = {"redis-server",
                                   "--port",
                                   absl::StrCat(port_),
                                   "--bind",
                                   "127.0.0.1",
                                   "--dir",
                                   dir_,
                                   "--appendonly",
                                   "yes",
                                   "--appendfsync",
                                   appendfsync_,
                                   "--save",
                                   "",
                                   "--daemonize",
                                   "no",
                                   "--logfile",
                                   "redis.log",
                                   "--protected-mode",
                                   "no"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawnp(&pid, "redis-server", nullptr, nullptr, argv.data(),
                   environ) != 0) {
    return absl::UnavailableError(
        "cannot start redis-server: apt-get install redis-server");
  }
  pid_ = pid;
  RedisOptions options;
  options.port = port_;
  options.pool_size = 1;
  options.min_backoff = absl::Milliseconds(10);
  options.max_backoff = absl::Milliseconds(10);
  RedisClient client(options);
  const absl::Time until = absl::Now() + absl::Seconds(10);
  while (absl::Now() < until) {
    if (client.Ping().ok()) return absl::OkStatus();
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::UnavailableError(
          absl::StrCat("redis-server exited; see ", dir_, "/redis.log"));
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  return absl::DeadlineExceededError("redis-server did not answer PING");
}

void RedisServer::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

void RedisServer::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

absl::Status RedisServer::FlushAll() {
  RedisOptions options;
  options.port = port_;
  options.pool_size = 1;
  RedisClient client(options);
  absl::StatusOr<RedisReply> reply = client.Command({"FLUSHALL"});
  return reply.status();
}

}  // namespace partydev::testing
