#include "common/paging.h"

#include <openssl/sha.h>

#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"

namespace partydev {
namespace {

constexpr char kTokenVersion = '1';
constexpr size_t kFingerprintBytes = 8;

absl::Status BadToken(absl::string_view why) {
  return WithReason(
      InvalidField("page_token",
                   absl::StrCat(why, "; start again without page_token")),
      "INVALID_PAGE_TOKEN");
}

}  // namespace

absl::StatusOr<int> ResolvePageSize(int requested) {
  if (requested < 0) {
    return InvalidField("page_size", "must not be negative (AIP-158)");
  }
  if (requested == 0) return kDefaultPageSize;
  return std::min(requested, kMaxPageSize);
}

std::string RequestFingerprint(const google::protobuf::Message& request) {
  std::unique_ptr<google::protobuf::Message> copy(request.New());
  copy->CopyFrom(request);
  const auto* descriptor = copy->GetDescriptor();
  const auto* reflection = copy->GetReflection();
  for (const char* field : {"page_size", "page_token"}) {
    if (const auto* f = descriptor->FindFieldByName(field)) {
      reflection->ClearField(copy.get(), f);
    }
  }
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream out(&stream);
    out.SetSerializationDeterministic(true);
    copy->SerializeToCodedStream(&out);
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
         digest);
  return std::string(reinterpret_cast<const char*>(digest), kFingerprintBytes);
}

std::string EncodePageToken(absl::string_view cursor,
                            absl::string_view fingerprint) {
  std::string raw;
  raw.push_back(kTokenVersion);
  absl::StrAppend(&raw, fingerprint.substr(0, kFingerprintBytes), cursor);
  return absl::WebSafeBase64Escape(raw);
}

absl::StatusOr<std::string> DecodePageToken(absl::string_view token,
                                            absl::string_view fingerprint) {
  if (token.empty()) return std::string();
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw) ||
      raw.size() < 1 + kFingerprintBytes || raw[0] != kTokenVersion) {
    return BadToken("malformed page token");
  }
  if (absl::string_view(raw).substr(1, kFingerprintBytes) !=
      fingerprint.substr(0, kFingerprintBytes)) {
    return BadToken(
        "the page token was issued for a request with other parameters");
  }
  return raw.substr(1 + kFingerprintBytes);
}

absl::StatusOr<OffsetPage> OffsetPage::Of(
    const google::protobuf::Message& request, int page_size,
    absl::string_view page_token) {
  OffsetPage page;
  absl::StatusOr<int> size = ResolvePageSize(page_size);
  if (!size.ok()) return size.status();
  page.size = *size;
  page.fingerprint = RequestFingerprint(request);
  absl::StatusOr<std::string> cursor =
      DecodePageToken(page_token, page.fingerprint);
  if (!cursor.ok()) return cursor.status();
  if (!cursor->empty() &&
      (!absl::SimpleAtoi(*cursor, &page.offset) || page.offset < 0)) {
    return WithReason(InvalidField("page_token", "is not valid"),
                      "INVALID_PAGE_TOKEN");
  }
  return page;
}

std::string OffsetPage::NextToken(int total) const {
  const int next = end(total);
  return next < total ? EncodePageToken(std::to_string(next), fingerprint) : "";
}

std::vector<std::string> PageAfter(const std::vector<std::string>& sorted,
                                   const std::string& cursor, int page_size,
                                   absl::string_view fingerprint,
                                   std::string* next_page_token) {
  std::vector<std::string> page;
  for (const std::string& n : sorted) {
    if (!cursor.empty() && n <= cursor) continue;
    if (static_cast<int>(page.size()) == page_size) {
      *next_page_token = EncodePageToken(page.back(), fingerprint);
      break;
    }
    page.push_back(n);
  }
  return page;
}

}  // namespace partydev
