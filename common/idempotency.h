// File: common/idempotency.h
//
// AIP-155 request ids: a retry with the same request_id returns the first
// answer instead of acting twice. The store writes the response under the
// request's key in the same atomic step as the change
// (AtomicWrite::RecordResponse); before acting, the service looks the key up.
// The same request_id with a different request is refused
// (REQUEST_ID_REUSED), so a client bug cannot return a stranger's answer.
//
//   IdempotencyKey key(prefix, "CreateOrganization", request.request_id(),
//   request); if (auto cached = key.Lookup(redis); ...) return parse(*cached);
//   ... write.RecordResponse(key.redis_key(), key.Wrap(response), kTtl);

#ifndef PARTYDEV_COMMON_IDEMPOTENCY_H_
#define PARTYDEV_COMMON_IDEMPOTENCY_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/redis_client.h"
#include "google/protobuf/message.h"

namespace partydev {

// How long a request id is remembered (AIP-155 asks for "at least" a retry
// window; clients retry within minutes, batch imports within days).
inline constexpr absl::Duration kRequestIdTtl = absl::Hours(72);

class IdempotencyKey {
 public:
  // `key_prefix` is the service's hash-tagged prefix; an empty request_id
  // makes an inactive key (every call acts).
  IdempotencyKey(absl::string_view key_prefix, absl::string_view method,
                 absl::string_view request_id,
                 const google::protobuf::Message& request);

  bool active() const { return !redis_key_.empty(); }
  const std::string& redis_key() const { return redis_key_; }

  // The stored response of an earlier identical request, if any;
  // INVALID_ARGUMENT (REQUEST_ID_REUSED) when the id came with another
  // request.
  absl::StatusOr<std::optional<std::string>> Lookup(RedisClient& redis) const;

  // The value to store for `response`.
  std::string Wrap(const google::protobuf::Message& response) const;

 private:
  std::string redis_key_;
  std::string fingerprint_;
};

// Request ids are client-chosen: at most 128 printable characters.
absl::Status ValidateRequestId(absl::string_view request_id);

}  // namespace partydev

#endif  // PARTYDEV_COMMON_IDEMPOTENCY_H_
