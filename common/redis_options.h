// File: common/redis_options.h
//
// Where and how to reach Redis, parsed from a URL:
//   redis://[:password@]host:port[/db]     TCP
//   redis://[user:password@]host:port[/db] (the user is ignored: Redis 7 ACL
//                                           users need hiredis >= 1.0)
//   unix:///path/to/redis.sock[?db=N]      unix socket

#ifndef PARTYDEV_COMMON_REDIS_OPTIONS_H_
#define PARTYDEV_COMMON_REDIS_OPTIONS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace partydev {

struct RedisOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string unix_socket;  // when set, host and port are ignored
  std::string password;     // AUTH after connecting, when set
  int db = 0;               // SELECT after connecting, when not 0
  int pool_size = 16;       // connections kept open
  absl::Duration connect_timeout = absl::Seconds(1);
  absl::Duration command_timeout = absl::Seconds(2);
  // Reconnect backoff: doubles from min to max while Redis is unreachable.
  absl::Duration min_backoff = absl::Milliseconds(50);
  absl::Duration max_backoff = absl::Seconds(1);

  // "host:port" or the socket path, for logs (never the password).
  std::string Describe() const;
};

// Parses a redis:// or unix:// URL into options with default timeouts.
absl::StatusOr<RedisOptions> ParseRedisUrl(absl::string_view url);

}  // namespace partydev

#endif  // PARTYDEV_COMMON_REDIS_OPTIONS_H_
