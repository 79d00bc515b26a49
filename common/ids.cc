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
  // Formatted by hand: ids are minted per queued job, and a 16-argument
  // StrFormat cost more than the random bytes (bench/README.md).
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(36, '-');
  int at = 0;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) ++at;  // the dashes
    out[at++] = kHex[b[i] >> 4];
    out[at++] = kHex[b[i] & 0x0f];
  }
  return out;
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
