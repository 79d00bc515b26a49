// File: services/notification/channels/webhook_signature.h
//
// Standard Webhooks v1 symmetric signatures
// (https://github.com/standard-webhooks/standard-webhooks, spec/
// standard-webhooks.md, "Signature scheme"). The sender signs the content
// "{webhook-id}.{webhook-timestamp}.{body}" with HMAC-SHA256 keyed by the
// secret's bytes and sends `webhook-signature: v1,<base64 of the MAC>`. The
// secret is written "whsec_" + base64 of the key (24 to 64 random bytes,
// channels.proto WebhookConfig.secret). While a rotated secret overlaps the
// new one, every message carries one signature per active secret, separated
// by spaces, so that a receiver knowing either secret accepts it.
//
// The receiver's documented check (VerifyWebhook below, and the reference
// libraries such as npm `standardwebhooks`): the three headers are present;
// the timestamp is within a tolerance of now (5 minutes, either way: a
// replayed old message and a message from the future are refused); one of
// the v1 signatures equals the MAC it computes, compared in constant time.
// The webhook-id is the message's idempotency key, the same on every
// attempt, so the receiver can drop duplicates.
//
// Example:
//   absl::StatusOr<std::string> secret = NewWebhookSecret();
//   absl::StatusOr<std::string> header =
//       SignWebhook({*secret}, "msg_2Kd...", 1614265330, body);
//   // On the receiving side:
//   absl::Status ok = VerifyWebhook({*secret}, headers, body, absl::Now());

#ifndef PARTYDEV_SERVICES_NOTIFICATION_CHANNELS_WEBHOOK_SIGNATURE_H_
#define PARTYDEV_SERVICES_NOTIFICATION_CHANNELS_WEBHOOK_SIGNATURE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace partydev::notification {

// The prefix of a symmetric Standard Webhooks secret.
inline constexpr absl::string_view kWebhookSecretPrefix = "whsec_";
// Key sizes accepted: the spec asks for at least 24 bytes; channels.proto
// caps at 64.
inline constexpr size_t kMinWebhookKeyBytes = 24;
inline constexpr size_t kMaxWebhookKeyBytes = 64;
// The key size of the secrets NewWebhookSecret generates (256 bits, the
// size of the HMAC-SHA256 output).
inline constexpr size_t kNewWebhookKeyBytes = 32;
// The timestamp tolerance of the reference verifiers.
inline constexpr absl::Duration kWebhookTolerance = absl::Minutes(5);

// A new random secret, "whsec_" + base64 of kNewWebhookKeyBytes bytes from
// OpenSSL's CSPRNG (RAND_bytes). INTERNAL if the generator fails.
absl::StatusOr<std::string> NewWebhookSecret();

// The key bytes of `secret` ("whsec_" + base64 of 24..64 bytes), or
// INVALID_ARGUMENT naming `field`.
absl::StatusOr<std::string> DecodeWebhookSecret(
    absl::string_view secret, absl::string_view field = "secret");

// The signature of one secret: "v1," + base64(HMAC-SHA256(key,
// "{id}.{timestamp}.{body}")). INVALID_ARGUMENT for a malformed secret.
absl::StatusOr<std::string> SignWebhookWith(absl::string_view secret,
                                            absl::string_view id,
                                            int64_t timestamp,
                                            absl::string_view body);

// The value of the `webhook-signature` header: the signatures of every
// secret in `secrets` (current first, then the overlapping previous one),
// space-separated. INVALID_ARGUMENT when `secrets` is empty, a secret is
// malformed, or `id` is empty or not printable ASCII (it travels in an
// HTTP header, where CR/LF would inject headers).
absl::StatusOr<std::string> SignWebhook(const std::vector<std::string>& secrets,
                                        absl::string_view id, int64_t timestamp,
                                        absl::string_view body);

// The three Standard Webhooks headers as received (empty = absent).
struct WebhookHeaders {
  std::string id;         // webhook-id
  std::string timestamp;  // webhook-timestamp, Unix seconds
  std::string signature;  // webhook-signature, "v1,<b64> v1,<b64>..."
};

// The receiver's check (see the file comment), with any of `secrets`
// (several while a rotation overlaps). OK when a v1 signature matches.
// Otherwise says why:
//   INVALID_ARGUMENT naming the header: a header is missing, or the
//     timestamp is not an integer;
//   UNAUTHENTICATED "webhook-timestamp ... too old" / "... too new": the
//     timestamp is further than `tolerance` from `now` (replay protection);
//   UNAUTHENTICATED "webhook-signature: no signature matches": the body, id
//     or timestamp were altered, or it was signed with another secret.
// INVALID_ARGUMENT naming "secrets" when no valid secret is given.
absl::Status VerifyWebhook(const std::vector<std::string>& secrets,
                           const WebhookHeaders& headers,
                           absl::string_view body, absl::Time now,
                           absl::Duration tolerance = kWebhookTolerance);

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_CHANNELS_WEBHOOK_SIGNATURE_H_
