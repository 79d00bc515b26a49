#include "services/notification/channels/webhook_signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/errors.h"
#include "services/notification/channels/base64.h"

namespace partydev::notification {
namespace {

bool IsPrintableAscii(absl::string_view s) {
  for (char c : s) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

// HMAC-SHA256(key, "{id}.{timestamp}.{body}"), raw bytes.
absl::StatusOr<std::string> Mac(absl::string_view key, absl::string_view id,
                                int64_t timestamp, absl::string_view body) {
  const std::string content = absl::StrCat(id, ".", timestamp, ".", body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(content.data()),
           content.size(), mac, &mac_len) == nullptr) {
    return absl::InternalError("HMAC-SHA256 failed");
  }
  return std::string(reinterpret_cast<const char*>(mac), mac_len);
}

absl::Status CheckId(absl::string_view id, absl::string_view field) {
  if (id.empty()) return InvalidField(field, "is required");
  if (!IsPrintableAscii(id)) {
    return InvalidField(field, "must be printable ASCII without spaces");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> NewWebhookSecret() {
  unsigned char key[kNewWebhookKeyBytes];
  if (RAND_bytes(key, sizeof(key)) != 1) {
    return absl::InternalError("the random generator failed (RAND_bytes)");
  }
  std::string secret =
      absl::StrCat(kWebhookSecretPrefix,
                   Base64Encode(absl::string_view(
                       reinterpret_cast<const char*>(key), sizeof(key))));
  OPENSSL_cleanse(key, sizeof(key));
  return secret;
}

absl::StatusOr<std::string> DecodeWebhookSecret(absl::string_view secret,
                                                absl::string_view field) {
  if (!absl::ConsumePrefix(&secret, kWebhookSecretPrefix)) {
    return InvalidField(field, "must start with \"whsec_\"");
  }
  std::optional<std::string> key = Base64Decode(secret);
  if (!key.has_value()) {
    return InvalidField(field, "must be \"whsec_\" followed by base64");
  }
  if (key->size() < kMinWebhookKeyBytes || key->size() > kMaxWebhookKeyBytes) {
    return InvalidField(
        field,
        absl::StrCat("must hold ", kMinWebhookKeyBytes, " to ",
                     kMaxWebhookKeyBytes, " bytes of key, not ", key->size()));
  }
  return *std::move(key);
}

absl::StatusOr<std::string> SignWebhookWith(absl::string_view secret,
                                            absl::string_view id,
                                            int64_t timestamp,
                                            absl::string_view body) {
  if (absl::Status s = CheckId(id, "webhook-id"); !s.ok()) return s;
  absl::StatusOr<std::string> key = DecodeWebhookSecret(secret);
  if (!key.ok()) return key.status();
  absl::StatusOr<std::string> mac = Mac(*key, id, timestamp, body);
  OPENSSL_cleanse(key->data(), key->size());
  if (!mac.ok()) return mac.status();
  return absl::StrCat("v1,", Base64Encode(*mac));
}

absl::StatusOr<std::string> SignWebhook(const std::vector<std::string>& secrets,
                                        absl::string_view id, int64_t timestamp,
                                        absl::string_view body) {
  if (secrets.empty()) return InvalidField("secrets", "at least one secret");
  std::string header;
  for (size_t i = 0; i < secrets.size(); ++i) {
    absl::StatusOr<std::string> one =
        SignWebhookWith(secrets[i], id, timestamp, body);
    if (!one.ok()) {
      // Name the position, never the secret itself.
      return InvalidField(absl::StrCat("secrets[", i, "]"),
                          one.status().message());
    }
    if (!header.empty()) header.push_back(' ');
    header += *one;
  }
  return header;
}

absl::Status VerifyWebhook(const std::vector<std::string>& secrets,
                           const WebhookHeaders& headers,
                           absl::string_view body, absl::Time now,
                           absl::Duration tolerance) {
  if (headers.id.empty()) return InvalidField("webhook-id", "header missing");
  if (headers.timestamp.empty()) {
    return InvalidField("webhook-timestamp", "header missing");
  }
  if (headers.signature.empty()) {
    return InvalidField("webhook-signature", "header missing");
  }
  int64_t timestamp = 0;
  if (!absl::SimpleAtoi(headers.timestamp, &timestamp)) {
    return InvalidField("webhook-timestamp", "is not Unix seconds");
  }
  // Replay protection first: a captured message replayed later fails here
  // whatever its signature.
  const absl::Time sent = absl::FromUnixSeconds(timestamp);
  if (now - sent > tolerance) {
    return absl::UnauthenticatedError(
        absl::StrCat("webhook-timestamp: message too old (",
                     absl::FormatDuration(now - sent), " > tolerance ",
                     absl::FormatDuration(tolerance), ")"));
  }
  if (sent - now > tolerance) {
    return absl::UnauthenticatedError(
        absl::StrCat("webhook-timestamp: message too new (",
                     absl::FormatDuration(sent - now), " ahead > tolerance ",
                     absl::FormatDuration(tolerance), ")"));
  }

  // The MACs expected with every valid secret.
  std::vector<std::string> expected;
  for (const std::string& secret : secrets) {
    absl::StatusOr<std::string> key = DecodeWebhookSecret(secret, "secrets");
    if (!key.ok()) continue;
    absl::StatusOr<std::string> mac = Mac(*key, headers.id, timestamp, body);
    OPENSSL_cleanse(key->data(), key->size());
    if (!mac.ok()) return mac.status();
    expected.push_back(*std::move(mac));
  }
  if (expected.empty()) {
    return InvalidField("secrets", "no valid \"whsec_\" secret given");
  }

  for (absl::string_view entry :
       absl::StrSplit(headers.signature, ' ', absl::SkipEmpty())) {
    absl::string_view b64 = entry;
    // Only the symmetric scheme; "v1a" (ed25519) and unknown versions are
    // skipped, as the spec says.
    if (!absl::ConsumePrefix(&b64, "v1,")) continue;
    std::optional<std::string> given = Base64Decode(b64);
    if (!given.has_value()) continue;
    for (const std::string& mac : expected) {
      if (given->size() == mac.size() &&
          CRYPTO_memcmp(given->data(), mac.data(), mac.size()) == 0) {
        return absl::OkStatus();
      }
    }
  }
  return absl::UnauthenticatedError("webhook-signature: no signature matches");
}

}  // namespace partydev::notification
