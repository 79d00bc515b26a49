// Tests of services/notification/channels/base64.h: the RFC 4648 §10 test
// vectors, and the strictness the signature check relies on.

#include "services/notification/channels/base64.h"

#include "gtest/gtest.h"

namespace partydev::notification {
namespace {

TEST(Base64Test, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    EXPECT_EQ(Base64Decode(encoded), std::optional<std::string>(plain))
        << encoded;
  }
}

TEST(Base64Test, BinaryRoundTrip) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  EXPECT_EQ(Base64Decode(Base64Encode(bytes)), bytes);
}

TEST(Base64Test, RejectsNonCanonicalText) {
  for (const char* bad : {"Zg", "Zg=", "Z===", "Zm9v\n", " Zm9v",
                          "Zm9v====", "Zm-v", "Zm_v", "Zg=a", "=Zg="}) {
    EXPECT_FALSE(Base64Decode(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace partydev::notification
