#include "common/ids.h"

#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstdint>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"

namespace partydev {

std::string NewUuid() {
  uint8_t b[16];
  RAND_bytes(b, sizeof(b));  // CSPRNG: ids must not be guessable
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  return absl::StrFormat(
      "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
      b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
      b[12], b[13], b[14], b[15]);
}

std::string HashTaggedPrefix(absl::string_view key_prefix) {
  absl::string_view tag = key_prefix;
  absl::ConsumeSuffix(&tag, ":");
  return absl::StrCat("{", tag, "}:");
}

std::string Sha256Hex(absl::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
         digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

}  // namespace partydev
