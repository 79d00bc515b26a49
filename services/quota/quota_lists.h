// File: services/quota/quota_lists.h
//
// What quotad's List methods share: the organisations a scope covers (from
// quotad's projection of the tree), and paging over a list assembled in
// memory in its documented order, resumable after the last name returned
// (AIP-158: a token is bound to its request's filters, see common/paging.h).
//
//   std::vector<std::string> orgs =
//       OrganizationsInScope(*tree, parent, request.scope(), today);
//   ... read the records of `orgs`, filter, keep the order ...
//   absl::StatusOr<PageSpan> page = PageOf(request, names);
//   for (size_t i = page->begin; i < page->end; ++i) ...
//   response->set_next_page_token(page->next_page_token);

#ifndef PARTYDEV_SERVICES_QUOTA_QUOTA_LISTS_H_
#define PARTYDEV_SERVICES_QUOTA_QUOTA_LISTS_H_

#include <algorithm>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/org_tree.h"
#include "common/paging.h"
#include "google/protobuf/message.h"
#include "partydev/quota/v1/types.pb.h"

namespace partydev::quota {

// `organization` alone (SELF, UNSPECIFIED), with its direct subordinates
// on `day` (DIRECT_SUBORDINATES), its whole subtree on `day` (SUBTREE,
// depth first) or the grassroots organisations of the subtree
// (GRASSROOTS_IN_SUBTREE: callers filter with IsGrassroots). Path order.
inline std::vector<std::string> OrganizationsInScope(
    const OrgTree& tree, const std::string& organization,
    v1::OrganizationScope scope, absl::CivilDay day) {
  std::vector<std::string> out;
  switch (scope) {
    case v1::ORGANIZATION_SCOPE_DIRECT_SUBORDINATES: {
      out.push_back(organization);
      for (std::string& child : tree.ChildrenOn(organization, day)) {
        out.push_back(std::move(child));
      }
      break;
    }
    case v1::ORGANIZATION_SCOPE_SUBTREE:
    case v1::ORGANIZATION_SCOPE_GRASSROOTS_IN_SUBTREE:
      out = tree.SubtreeOn(organization, day);
      if (out.empty()) out.push_back(organization);
      break;
    default:
      out.push_back(organization);
  }
  return out;
}

// The slice of a list to return, and the token of the next page.
struct PageSpan {
  size_t begin = 0;
  size_t end = 0;
  std::string next_page_token;
};

// Pages `names` (the list in its order, after filtering) for `request`
// (its page_size and page_token fields): the token resumes after the last
// name returned, or at its position when that name has left the list.
inline absl::StatusOr<PageSpan> PageOf(const google::protobuf::Message& request,
                                       int requested_page_size,
                                       const std::string& page_token,
                                       const std::vector<std::string>& names) {
  absl::StatusOr<int> size = ResolvePageSize(requested_page_size);
  if (!size.ok()) return size.status();
  const std::string fingerprint = RequestFingerprint(request);
  absl::StatusOr<std::string> cursor = DecodePageToken(page_token, fingerprint);
  if (!cursor.ok()) return cursor.status();
  PageSpan span;
  if (!cursor->empty()) {
    // "<offset>|<last name>"
    const size_t bar = cursor->find('|');
    size_t offset = 0;
    if (bar != std::string::npos) {
      (void)absl::SimpleAtoi(cursor->substr(0, bar), &offset);
      const std::string last = cursor->substr(bar + 1);
      span.begin = std::min(offset, names.size());
      for (size_t i = 0; i < names.size(); ++i) {
        if (names[i] == last) {
          span.begin = i + 1;
          break;
        }
      }
    }
  }
  span.end = std::min(names.size(), span.begin + static_cast<size_t>(*size));
  if (span.end < names.size() && span.end > span.begin) {
    span.next_page_token = EncodePageToken(
        absl::StrCat(span.end, "|", names[span.end - 1]), fingerprint);
  }
  return span;
}

}  // namespace partydev::quota

#endif  // PARTYDEV_SERVICES_QUOTA_QUOTA_LISTS_H_
