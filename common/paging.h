// File: common/paging.h
//
// List paging as AIP-158 asks: page_size 0 means the default, larger than
// the maximum is coerced down, negative is INVALID_ARGUMENT; page tokens are
// opaque, bound to the request they were issued for (a token sent with other
// filters is INVALID_ARGUMENT), and carry a cursor that the store resumes
// from, so paging is stable under concurrent writes.

#ifndef PARTYDEV_COMMON_PAGING_H_
#define PARTYDEV_COMMON_PAGING_H_

#include <cstddef>
#include <string>
#include <vector>

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

// The names of `sorted` after `cursor` ("" from the start), at most
// `page_size`; `next_page_token` is set (for `fingerprint`) when more
// follow. For lists whose names are read whole from an index and sorted.
std::vector<std::string> PageAfter(const std::vector<std::string>& sorted,
                                   const std::string& cursor, int page_size,
                                   absl::string_view fingerprint,
                                   std::string* next_page_token);

// A page of a list assembled in memory in a stable order for each request
// (reports, rule sets): the token carries the offset of the next page.
//
//   absl::StatusOr<OffsetPage> page =
//       OffsetPage::Of(request, request.page_size(), request.page_token());
//   ... build `rows` ...
//   page->Fill(rows.size(), *response, [&](int i) { add rows[i]; });
struct OffsetPage {
  int offset = 0;
  int size = 0;
  std::string fingerprint;

  // The page `page_token` asks for (INVALID_ARGUMENT, reason
  // INVALID_PAGE_TOKEN, when it is malformed or of another request).
  static absl::StatusOr<OffsetPage> Of(const google::protobuf::Message& request,
                                       int page_size,
                                       absl::string_view page_token);

  // [begin, end) of a list of `total` rows.
  int begin(int total) const { return offset < total ? offset : total; }
  int end(int total) const {
    const int b = begin(total);
    return total - b < size ? total : b + size;
  }
  // The next_page_token after this page of `total` rows ("" on the last).
  std::string NextToken(int total) const;

  // Calls add(i) for each row i of the page and sets the response's
  // total_size and next_page_token.
  template <typename Response, typename AddRow>
  void Fill(size_t total, Response& response, const AddRow& add) const {
    const int n = static_cast<int>(total);
    for (int i = begin(n); i < end(n); ++i) add(i);
    response.set_total_size(n);
    response.set_next_page_token(NextToken(n));
  }
};

}  // namespace partydev

#endif  // PARTYDEV_COMMON_PAGING_H_
