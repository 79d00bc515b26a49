#include "common/redis_options.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/errors.h"

namespace partydev {

std::string RedisOptions::Describe() const {
  if (!unix_socket.empty()) return absl::StrCat("unix://", unix_socket);
  return absl::StrCat(host, ":", port, db != 0 ? absl::StrCat("/", db) : "");
}

absl::StatusOr<RedisOptions> ParseRedisUrl(absl::string_view url) {
  RedisOptions options;
  absl::string_view rest = url;
  auto bad = [&](absl::string_view why) {
    return InvalidField(
        "redis",
        absl::StrCat(why,
                     "; expected redis://[:password@]host:port[/db] or "
                     "unix:///path/to/socket[?db=N]"));
  };
  if (absl::ConsumePrefix(&rest, "unix://")) {
    absl::string_view path = rest;
    size_t q = rest.find('?');
    if (q != absl::string_view::npos) {
      path = rest.substr(0, q);
      absl::string_view query = rest.substr(q + 1);
      if (!absl::ConsumePrefix(&query, "db=") ||
          !absl::SimpleAtoi(query, &options.db) || options.db < 0) {
        return bad("bad query (only db=N is understood)");
      }
    }
    if (path.empty() || path[0] != '/')
      return bad("socket path must be absolute");
    options.unix_socket = std::string(path);
    return options;
  }
  if (!absl::ConsumePrefix(&rest, "redis://")) return bad("unknown scheme");
  size_t at = rest.rfind('@');
  if (at != absl::string_view::npos) {
    absl::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    size_t colon = userinfo.find(':');
    options.password = std::string(colon == absl::string_view::npos
                                       ? userinfo
                                       : userinfo.substr(colon + 1));
  }
  size_t slash = rest.find('/');
  absl::string_view hostport = rest.substr(0, slash);
  if (slash != absl::string_view::npos) {
    absl::string_view db = rest.substr(slash + 1);
    if (!db.empty() && (!absl::SimpleAtoi(db, &options.db) || options.db < 0 ||
                        options.db > 15)) {
      return bad("db must be a number 0..15");
    }
  }
  size_t colon = hostport.rfind(':');
  if (colon == absl::string_view::npos) {
    options.host = std::string(hostport);
  } else {
    options.host = std::string(hostport.substr(0, colon));
    if (!absl::SimpleAtoi(hostport.substr(colon + 1), &options.port) ||
        options.port <= 0 || options.port > 65535) {
      return bad("port must be 1..65535");
    }
  }
  if (options.host.empty()) return bad("host is empty");
  return options;
}

}  // namespace partydev
