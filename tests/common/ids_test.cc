#include "common/ids.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace partydev {
namespace {

// RFC 9562 version 4: 8-4-4-4-12 lower-case hex digits, the version nibble
// 4, the variant bits 10.
TEST(IdsTest, NewUuidIsARandomVersion4Uuid) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = NewUuid();
    ASSERT_EQ(id.size(), 36u) << id;
    for (size_t k = 0; k < id.size(); ++k) {
      if (k == 8 || k == 13 || k == 18 || k == 23) {
        EXPECT_EQ(id[k], '-') << id;
      } else {
        EXPECT_TRUE((id[k] >= '0' && id[k] <= '9') ||
                    (id[k] >= 'a' && id[k] <= 'f'))
            << id;
      }
    }
    EXPECT_EQ(id[14], '4') << id;
    EXPECT_TRUE(id[19] == '8' || id[19] == '9' || id[19] == 'a' ||
                id[19] == 'b')
        << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(IdsTest, HashTaggedPrefixKeepsAServicesKeysInOneSlot) {
  EXPECT_EQ(HashTaggedPrefix("pd:membership:"), "{pd:membership}:");
  EXPECT_EQ(HashTaggedPrefix("pd:quota"), "{pd:quota}:");
}

}  // namespace
}  // namespace partydev
