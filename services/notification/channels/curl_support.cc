#include "services/notification/channels/curl_support.h"

#include "absl/strings/str_cat.h"

namespace partydev::notification {

absl::Status EnsureCurlInitialized() {
  static const CURLcode result = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (result != CURLE_OK) {
    return absl::InternalError(
        absl::StrCat("curl_global_init failed: ", curl_easy_strerror(result)));
  }
  return absl::OkStatus();
}

bool CurlList::Append(const std::string& item) {
  curl_slist* next = curl_slist_append(list_, item.c_str());
  if (next == nullptr) return false;
  list_ = next;
  return true;
}

bool HasLineBreak(absl::string_view value) {
  return value.find_first_of(absl::string_view("\r\n\0", 3)) !=
         absl::string_view::npos;
}

}  // namespace partydev::notification
