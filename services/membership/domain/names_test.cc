#include "services/membership/domain/names.h"

#include "gtest/gtest.h"

namespace partydev::membership::domain {
namespace {

TEST(NormalizeFullName, ComposesDecomposedInputToNfc) {
  // "Nguyễn" typed decomposed: e + circumflex (U+0302) + tilde (U+0303).
  const std::string decomposed = "Nguye\xCC\x82\xCC\x83n Va\xCC\x86n A";
  absl::StatusOr<std::string> name = NormalizeFullName(decomposed);
  ASSERT_TRUE(name.ok()) << name.status();
  EXPECT_EQ(*name, "Nguyễn Văn A");
  EXPECT_EQ(*NormalizeFullName("Nguyễn Văn A"), *name);
}

TEST(NormalizeFullName, TrimsAndCollapsesSpaces) {
  EXPECT_EQ(*NormalizeFullName("  Trần \t Thị   Bích  "), "Trần Thị Bích");
}

TEST(NormalizeFullName, AcceptsEthnicMinorityNames) {
  EXPECT_EQ(*NormalizeFullName("K'Bền"), "K'Bền");
  EXPECT_EQ(*NormalizeFullName("Ka-Ló H'Nga"), "Ka-Ló H'Nga");
}

TEST(NormalizeFullName, RefusesInvalidUtf8) {
  absl::StatusOr<std::string> name = NormalizeFullName("Nguy\xC3n");
  ASSERT_FALSE(name.ok());
  EXPECT_EQ(name.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(name.status().message().find("UTF-8"), std::string::npos);
}

TEST(NormalizeFullName, RefusesEmptyDigitsAndTooLong) {
  EXPECT_FALSE(NormalizeFullName("   ").ok());
  absl::StatusOr<std::string> digits = NormalizeFullName("Nguyễn Văn 2");
  ASSERT_FALSE(digits.ok());
  EXPECT_NE(digits.status().message().find("\"2\""), std::string::npos);
  EXPECT_FALSE(NormalizeFullName(std::string(151, 'a')).ok());
  EXPECT_TRUE(NormalizeFullName(std::string(150, 'a')).ok());
}

TEST(FoldForSearch, RemovesDiacriticsAndFoldsDStroke) {
  EXPECT_EQ(FoldForSearch("Nguyễn Thị Minh Khai"), "nguyen thi minh khai");
  EXPECT_EQ(FoldForSearch("Đặng Đình Đức"), "dang dinh duc");
  EXPECT_EQ(FoldForSearch("Nguye\xCC\x82\xCC\x83n"), "nguyen");
  EXPECT_EQ(FoldForSearch("  ĐỖ   QUỲNH "), "do quynh");
}

TEST(FoldForSearch, DropsInvalidBytesInsteadOfFailing) {
  EXPECT_EQ(FoldForSearch("Tr\xFF\xE1\xBA\xA7n"), "tran");
}

TEST(MatchesNameQuery, EveryQueryWordIsAWordPrefix) {
  const std::string name = FoldForSearch("Nguyễn Văn An");
  EXPECT_TRUE(MatchesNameQuery(name, FoldForSearch("nguyen van a")));
  EXPECT_TRUE(MatchesNameQuery(name, FoldForSearch("Văn An")));
  EXPECT_TRUE(MatchesNameQuery(name, ""));
  EXPECT_FALSE(MatchesNameQuery(name, FoldForSearch("nguyen thi")));
  EXPECT_FALSE(MatchesNameQuery(name, FoldForSearch("guyen")));
}

}  // namespace
}  // namespace partydev::membership::domain
