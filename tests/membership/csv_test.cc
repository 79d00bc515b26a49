// The RFC 4180 reader and writer of the CSV import and export.
#include "common/csv.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace partydev::csv {
namespace {

using Fields = std::vector<std::string>;

TEST(CsvTest, PlainRowsWithLineNumbers) {
  absl::StatusOr<std::vector<Record>> rows = Parse("a,b,c\n1,2,3\n");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].fields, (Fields{"a", "b", "c"}));
  EXPECT_EQ((*rows)[0].line, 1);
  EXPECT_EQ((*rows)[1].fields, (Fields{"1", "2", "3"}));
  EXPECT_EQ((*rows)[1].line, 2);
}

TEST(CsvTest, QuotedFieldsWithDelimitersQuotesAndLineBreaks) {
  absl::StatusOr<std::vector<Record>> rows = Parse(
      "name,note\r\n\"Nguyễn Văn An, Jr\",\"he said \"\"hi\"\"\"\r\n"
      "\"two\r\nlines\",x\r\nlast,\"\"\r\n");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 4u);
  EXPECT_EQ((*rows)[1].fields, (Fields{"Nguyễn Văn An, Jr", "he said \"hi\""}));
  EXPECT_EQ((*rows)[2].fields, (Fields{"two\r\nlines", "x"}));
  EXPECT_EQ((*rows)[2].line, 3);
  // The quoted line break counts: the next record starts on line 5.
  EXPECT_EQ((*rows)[3].line, 5);
  EXPECT_EQ((*rows)[3].fields, (Fields{"last", ""}));
}

TEST(CsvTest, BomBlankLinesEmptyFieldsAndNoFinalLineBreak) {
  absl::StatusOr<std::vector<Record>> rows =
      Parse("\xEF\xBB\xBFh1;h2\n\n;\nx;y", ';');
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].fields, (Fields{"h1", "h2"}));
  EXPECT_EQ((*rows)[1].fields, (Fields{"", ""}));
  EXPECT_EQ((*rows)[1].line, 3);
  EXPECT_EQ((*rows)[2].fields, (Fields{"x", "y"}));
  EXPECT_EQ((*rows)[2].line, 4);
}

TEST(CsvTest, TrailingDelimiterIsAnEmptyLastField) {
  absl::StatusOr<std::vector<Record>> rows = Parse("a,\n\"\"\n");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].fields, (Fields{"a", ""}));
  // A lone "" is a row of one empty field, not a blank line.
  EXPECT_EQ((*rows)[1].fields, (Fields{""}));
}

TEST(CsvTest, QuoteInsideUnquotedFieldIsText) {
  absl::StatusOr<std::vector<Record>> rows = Parse("5\" disk,b\n");
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ((*rows)[0].fields, (Fields{"5\" disk", "b"}));
}

TEST(CsvTest, MalformedQuotingNamesTheLine) {
  absl::StatusOr<std::vector<Record>> open = Parse("a\n\"never closed\nb\n");
  EXPECT_EQ(open.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(open.status().message().find("line 2"), std::string::npos);
  absl::StatusOr<std::vector<Record>> after = Parse("\"a\"b,c\n");
  EXPECT_EQ(after.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(CsvTest, WriterQuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(EscapeField("plain"), "plain");
  EXPECT_EQ(EscapeField("a,b"), "\"a,b\"");
  EXPECT_EQ(EscapeField("a;b", ';'), "\"a;b\"");
  EXPECT_EQ(EscapeField("a;b", ','), "a;b");
  EXPECT_EQ(EscapeField("say \"x\""), "\"say \"\"x\"\"\"");
  EXPECT_EQ(EscapeField("l1\nl2"), "\"l1\nl2\"");
  EXPECT_EQ(EscapeField(" pad"), "\" pad\"");
  std::string out;
  AppendRow({"a", "b,c", ""}, ',', out);
  EXPECT_EQ(out, "a,\"b,c\",\r\n");
}

TEST(CsvTest, WhatIsWrittenReadsBack) {
  const std::vector<Fields> rows = {
      {"ho_ten", "ghi chú"},
      {"Trần Thị Bích, \"Bé\"", "dòng 1\r\ndòng 2"},
      {"", " lề "},
  };
  std::string text(kUtf8Bom);
  for (const auto& r : rows) AppendRow(r, ',', text);
  absl::StatusOr<std::vector<Record>> back = Parse(text);
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ((*back)[i].fields, rows[i]);
  }
}

}  // namespace
}  // namespace partydev::csv
