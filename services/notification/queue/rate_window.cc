#include "services/notification/queue/rate_window.h"

#include <vector>

#include "absl/strings/str_cat.h"

namespace partydev::notification {

absl::StatusOr<bool> TakeWindowSlot(RedisClient& redis, const std::string& key,
                                    int limit) {
  if (limit <= 0) return true;
  absl::StatusOr<std::vector<RedisReply>> replies =
      redis.Pipeline({{"INCR", key}, {"PEXPIRE", key, "120000"}});
  if (!replies.ok()) return replies.status();
  if ((*replies)[0].is_error()) {
    return absl::InternalError(absl::StrCat("redis: ", (*replies)[0].str()));
  }
  if ((*replies)[0].integer() <= limit) return true;
  // Over the limit: this one does not take a slot of the window.
  absl::StatusOr<RedisReply> undo = redis.Command({"DECR", key});
  if (!undo.ok()) return undo.status();
  return false;
}

}  // namespace partydev::notification
