// File: services/notification/channels/base64.h
//
// Standard base64 (RFC 4648 §4, with padding) over OpenSSL's EVP encoder,
// the alphabet of Standard Webhooks secrets and signatures and of MIME's
// base64 transfer encoding (RFC 2045 §6.8). Not the URL-safe alphabet.

#ifndef PARTYDEV_SERVICES_NOTIFICATION_CHANNELS_BASE64_H_
#define PARTYDEV_SERVICES_NOTIFICATION_CHANNELS_BASE64_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace partydev::notification {

// The base64 of `bytes`, padded, on one line.
std::string Base64Encode(absl::string_view bytes);

// The bytes of padded base64 `text`; nullopt when `text` is not canonical
// base64 (length not a multiple of 4, a character outside the alphabet,
// misplaced padding). No whitespace is accepted.
std::optional<std::string> Base64Decode(absl::string_view text);

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_CHANNELS_BASE64_H_
