#include "services/notification/queue/stream_ids.h"

#include <limits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace partydev::notification {

bool StreamId::Parse(absl::string_view text, StreamId* id) {
  const size_t dash = text.find('-');
  StreamId parsed;
  if (!absl::SimpleAtoi(text.substr(0, dash), &parsed.ms)) return false;
  if (dash != absl::string_view::npos &&
      !absl::SimpleAtoi(text.substr(dash + 1), &parsed.seq)) {
    return false;
  }
  *id = parsed;
  return true;
}

std::string StreamId::ToString() const { return absl::StrCat(ms, "-", seq); }

StreamId StreamId::Next() const {
  if (seq == std::numeric_limits<uint64_t>::max()) return {ms + 1, 0};
  return {ms, seq + 1};
}

}  // namespace partydev::notification
