#include "common/idempotency.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/paging.h"

namespace partydev {

absl::Status ValidateRequestId(absl::string_view request_id) {
  if (request_id.size() > 128) {
    return InvalidField("request_id", "at most 128 characters (a UUID)");
  }
  for (char c : request_id) {
    if (!absl::ascii_isgraph(static_cast<unsigned char>(c))) {
      return InvalidField("request_id", "printable ASCII only (a UUID)");
    }
  }
  return absl::OkStatus();
}

IdempotencyKey::IdempotencyKey(absl::string_view key_prefix,
                               absl::string_view method,
                               absl::string_view request_id,
                               const google::protobuf::Message& request) {
  if (request_id.empty()) return;
  redis_key_ = absl::StrCat(key_prefix, "req:", method, ":", request_id);
  // The fingerprint covers the whole request except paging fields; the
  // request_id is part of it, which is harmless (it is equal on a retry).
  fingerprint_ = absl::BytesToHexString(RequestFingerprint(request));
}

std::string IdempotencyKey::Wrap(
    const google::protobuf::Message& response) const {
  return absl::StrCat(fingerprint_, ":", response.SerializeAsString());
}

absl::StatusOr<std::optional<std::string>> IdempotencyKey::Lookup(
    RedisClient& redis) const {
  if (!active()) return std::nullopt;
  absl::StatusOr<RedisReply> reply = redis.Command({"GET", redis_key_});
  if (!reply.ok()) return reply.status();
  if (reply->is_nil()) return std::nullopt;
  const std::string& value = reply->str();
  const size_t colon = value.find(':');
  if (colon == std::string::npos || value.substr(0, colon) != fingerprint_) {
    return WithReason(
        InvalidField("request_id",
                     "was already used with a different request (AIP-155); "
                     "use a new request_id for a new request"),
        "REQUEST_ID_REUSED");
  }
  return value.substr(colon + 1);
}

}  // namespace partydev
