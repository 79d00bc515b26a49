// File: common/ids.h
//
// Identifiers the services mint: random UUIDs (event ids, request ids) and
// the hash-tagged key prefix of a service's Redis keys.

#ifndef PARTYDEV_COMMON_IDS_H_
#define PARTYDEV_COMMON_IDS_H_

#include <string>

#include "absl/strings/string_view.h"

namespace partydev {

// A random (version 4) UUID in its canonical text form.
std::string NewUuid();

// "pd:membership:" -> "{pd:membership}:". Every key of a service carries
// the same hash tag, so that one Lua script may touch any of them on Redis
// Cluster too (a script runs on one slot).
std::string HashTaggedPrefix(absl::string_view key_prefix);

// The SHA-256 of `bytes` in lower-case hex (where configuration came from).
std::string Sha256Hex(absl::string_view bytes);

}  // namespace partydev

#endif  // PARTYDEV_COMMON_IDS_H_
