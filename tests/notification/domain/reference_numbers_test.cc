#include "services/notification/domain/reference_numbers.h"

#include "gtest/gtest.h"

namespace partydev::notification::domain {
namespace {

TEST(ReferenceNumbersTest, FormatsTheSeedReferences) {
  EXPECT_EQ(*FormatReference(v1::DOCUMENT_TYPE_DIRECTIVE, 6, "TU", 2),
            "06-CT/TU");
  EXPECT_EQ(*FormatReference(v1::DOCUMENT_TYPE_OFFICIAL_LETTER, 1849, "ĐUK", 2),
            "1849-CV/ĐUK");
  EXPECT_EQ(*FormatReference(v1::DOCUMENT_TYPE_PLAN, 12, "ĐUK", 2),
            "12-KH/ĐUK");
  EXPECT_EQ(*FormatReference(v1::DOCUMENT_TYPE_DECISION, 125, "ĐUK", 2),
            "125-QĐ/ĐUK");
  EXPECT_EQ(*FormatReference(v1::DOCUMENT_TYPE_SUBMISSION, 3, "BTCTW", 3),
            "003-TTr/BTCTW");
}

TEST(ReferenceNumbersTest, EveryTypeHasACodeThatParsesBack) {
  for (int t = v1::DOCUMENT_TYPE_RESOLUTION; t <= v1::DOCUMENT_TYPE_STATUTE;
       ++t) {
    const auto type = static_cast<v1::DocumentType>(t);
    ASSERT_FALSE(DocumentTypeCode(type).empty()) << t;
    EXPECT_EQ(DocumentTypeOfCode(DocumentTypeCode(type)), type);
    absl::StatusOr<std::string> ref = FormatReference(type, 7, "HU", 2);
    ASSERT_TRUE(ref.ok()) << ref.status();
    absl::StatusOr<ParsedReference> parsed = ParseReference(*ref);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(parsed->type, type);
    EXPECT_EQ(parsed->number, 7);
    EXPECT_EQ(parsed->issuer_code, "HU");
  }
}

TEST(ReferenceNumbersTest, ParsesWithTheSoPrefix) {
  absl::StatusOr<ParsedReference> parsed = ParseReference("Số 1849-CV/ĐUK");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->number, 1849);
  EXPECT_EQ(parsed->type, v1::DOCUMENT_TYPE_OFFICIAL_LETTER);
  EXPECT_EQ(parsed->issuer_code, "ĐUK");
}

TEST(ReferenceNumbersTest, RefusesBadInput) {
  absl::StatusOr<std::string> unknown =
      FormatReference(v1::DOCUMENT_TYPE_UNSPECIFIED, 1, "TU", 2);
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.status().ToString().find("document_type"),
            std::string::npos);
  absl::StatusOr<std::string> zero =
      FormatReference(v1::DOCUMENT_TYPE_DIRECTIVE, 0, "TU", 2);
  EXPECT_EQ(zero.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(zero.status().ToString().find("number"), std::string::npos);
  for (const char* bad :
       {"", "tu", "T U", "TU-1", "ĐUK/", "ABCDEFGHIJKLMNOPQ"}) {
    absl::StatusOr<std::string> ref =
        FormatReference(v1::DOCUMENT_TYPE_DIRECTIVE, 1, bad, 2);
    EXPECT_EQ(ref.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_FALSE(FormatReference(v1::DOCUMENT_TYPE_DIRECTIVE, 1, "TU", 0).ok());
  for (const char* bad : {"06CT/TU", "06-CT", "00-CT/TU", "-1-CT/TU",
                          "06-XX/TU", "a6-CT/TU", "06-CT/tu", "06-CT/"}) {
    EXPECT_EQ(ParseReference(bad).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_TRUE(ValidateIssuerCode("ĐU").ok());
}

TEST(ReferenceNumbersTest, NumberingRestartsEachTerm) {
  const std::string a = NumberingSequence(
      "organizations/tu", v1::DOCUMENT_TYPE_DIRECTIVE, "terms/2015-2020", true);
  const std::string b = NumberingSequence(
      "organizations/tu", v1::DOCUMENT_TYPE_DIRECTIVE, "terms/2020-2025", true);
  const std::string other_type = NumberingSequence(
      "organizations/tu", v1::DOCUMENT_TYPE_NOTICE, "terms/2020-2025", true);
  EXPECT_NE(a, b);
  EXPECT_NE(b, other_type);
  EXPECT_EQ(NumberingSequence("organizations/tu", v1::DOCUMENT_TYPE_DIRECTIVE,
                              "terms/2015-2020", false),
            NumberingSequence("organizations/tu", v1::DOCUMENT_TYPE_DIRECTIVE,
                              "terms/2020-2025", false));
}

}  // namespace
}  // namespace partydev::notification::domain
