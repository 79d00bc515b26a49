// File: common/paging.h
//
// List paging as AIP-158 asks: page_size 0 means the default, larger than
// the maximum is coerced down, negative is INVALID_ARGUMENT; page tokens are
// opaque, bound to the request they were issued for (a token sent with other
// filters is INVALID_ARGUMENT), and carry a cursor that the store resumes
// from, so paging is stable under concurrent writes.

#ifndef PARTYDEV_COMMON_PAGING_H_
#define PARTYDEV_COMMON_PAGING_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace partydev {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 1000;

// The page size to use for `requested`.
absl::StatusOr<int> ResolvePageSize(int requested);

// A digest of a List request without its paging fields (page_size,
// page_token), so that a token is only accepted with the same filters.
std::string RequestFingerprint(const google::protobuf::Message& request);

// The next_page_token for resuming after `cursor`.
std::string EncodePageToken(absl::string_view cursor,
                            absl::string_view fingerprint);

// The cursor of `token` ("" for the first page). INVALID_ARGUMENT with the
// reason INVALID_PAGE_TOKEN when it is malformed or was issued for a request
// with other filters.
absl::StatusOr<std::string> DecodePageToken(absl::string_view token,
                                            absl::string_view fingerprint);

}  // namespace partydev

#endif  // PARTYDEV_COMMON_PAGING_H_
