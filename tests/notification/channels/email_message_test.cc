// Tests of services/notification/channels/email_message.h: the Vietnamese
// subject of the seed letter encoded and folded within the line limits,
// decoded back to the same text both here and by Python's email package,
// stable Message-IDs, and header injection refused.

#include "services/notification/channels/email_message.h"

#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "services/notification/channels/base64.h"
#include "tests/notification/channels/local_servers.h"

namespace partydev::notification {
namespace {

constexpr char kSubject[] =
    "Công văn số 1849-CV/ĐUK về việc đôn đốc kết nạp đảng viên";
constexpr char kBody[] =
    "Kính gửi: Các đảng bộ, chi bộ cơ sở trực thuộc Đảng ủy Khối.\n"
    "Thực hiện Nghị quyết số 21-NQ/TW, Ban Thường vụ Đảng ủy Khối đề nghị\n"
    "các cấp ủy đôn đốc công tác phát triển đảng viên năm 2025.\n";

EmailContent Sample() {
  EmailContent c;
  c.from = {"thongbao@partydev.vn", "Văn phòng Đảng ủy Khối"};
  c.to = {{"vanphong@chibo1.example.vn", "Chi bộ Phòng Tổ chức - Cán bộ"},
          {"bithu@chibo2.example.vn", ""}};
  c.subject = kSubject;
  c.text_body = kBody;
  c.idempotency_key = "directive-1849/org-42/email";
  c.date = absl::FromUnixSeconds(1732435200);  // 2024-11-24 08:00 UTC
  return c;
}

std::string MustBuild(const EmailContent& c) {
  absl::StatusOr<std::string> mime = BuildMimeMessage(c);
  EXPECT_TRUE(mime.ok()) << mime.status();
  return mime.value_or("");
}

// The unfolded value of header `name` in `mime`.
std::string HeaderValue(const std::string& mime, absl::string_view name) {
  const std::string head = mime.substr(0, mime.find("\r\n\r\n"));
  std::string value;
  bool in = false;
  for (absl::string_view line : absl::StrSplit(head, "\r\n")) {
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      if (in) absl::StrAppend(&value, line);
      continue;
    }
    in = absl::StartsWithIgnoreCase(line, absl::StrCat(name, ":"));
    if (in) value = std::string(line.substr(name.size() + 1));
  }
  return value;
}

// Decodes a run of B encoded-words (our own output format) by hand.
std::string DecodeWords(absl::string_view value) {
  std::string text;
  for (absl::string_view word : absl::StrSplit(value, ' ', absl::SkipEmpty())) {
    EXPECT_TRUE(absl::ConsumePrefix(&word, "=?UTF-8?B?")) << word;
    EXPECT_TRUE(absl::ConsumeSuffix(&word, "?=")) << word;
    std::optional<std::string> bytes = Base64Decode(word);
    EXPECT_TRUE(bytes.has_value()) << word;
    text += bytes.value_or("");
  }
  return text;
}

TEST(BuildMimeMessageTest, VietnameseSubjectIsEncodedFoldedAndDecodesBack) {
  const std::string mime = MustBuild(Sample());
  std::vector<std::string> words =
      absl::StrSplit(HeaderValue(mime, "Subject"), ' ', absl::SkipEmpty());
  ASSERT_GE(words.size(), 2u) << "long enough to need folding";
  for (const std::string& w : words) {
    EXPECT_LE(w.size(), 75u) << "RFC 2047 §2 limit: " << w;
    // Each word decodes to whole UTF-8 characters on its own (RFC 2047 §5):
    // its last byte is ASCII or ends a sequence.
    const std::string bytes = DecodeWords(w);
    ASSERT_FALSE(bytes.empty());
    const unsigned char first = static_cast<unsigned char>(bytes.front());
    EXPECT_NE(first & 0xC0, 0x80) << "word starts mid-character: " << w;
  }
  EXPECT_EQ(DecodeWords(HeaderValue(mime, "Subject")), kSubject);
}

TEST(BuildMimeMessageTest, EveryLineIsShortAsciiAndEndsInCrlf) {
  EmailContent c = Sample();
  c.html_body =
      "<p>Kính gửi các đồng chí,</p><p>" + std::string(kBody) + "</p>";
  c.to.push_back({"a@b.vn",
                  "Ban Tổ chức Trung ương - hệ thống CSDL đảng viên "
                  "3.0 (Cơ sở dữ liệu đảng viên)"});
  const std::string mime = MustBuild(c);
  EXPECT_TRUE(absl::EndsWith(mime, "\r\n"));
  for (absl::string_view line : absl::StrSplit(mime, "\r\n")) {
    EXPECT_LE(line.size(), kMaxHeaderLineLength) << line;
    EXPECT_FALSE(absl::StrContains(line, '\n')) << "bare LF in: " << line;
    EXPECT_FALSE(absl::StrContains(line, '\r')) << "bare CR in: " << line;
    for (char ch : line) {
      ASSERT_LT(static_cast<unsigned char>(ch), 0x80) << "8-bit in: " << line;
    }
  }
}

TEST(BuildMimeMessageTest, HasTheRequiredHeaders) {
  const std::string mime = MustBuild(Sample());
  EXPECT_EQ(HeaderValue(mime, "MIME-Version"), " 1.0");
  EXPECT_EQ(HeaderValue(mime, "Date"), " Sun, 24 Nov 2024 15:00:00 +0700");
  EXPECT_EQ(HeaderValue(mime, "Content-Type"), " text/plain; charset=UTF-8");
  EXPECT_EQ(HeaderValue(mime, "Content-Transfer-Encoding"), " base64");
  EXPECT_EQ(HeaderValue(mime, "Auto-Submitted"), " auto-generated");
  EXPECT_TRUE(absl::StrContains(HeaderValue(mime, "To"),
                                "<vanphong@chibo1.example.vn>,"));
  EXPECT_TRUE(
      absl::EndsWith(HeaderValue(mime, "To"), " bithu@chibo2.example.vn"));
}

TEST(BuildMimeMessageTest, MessageIdComesFromTheIdempotencyKey) {
  EmailContent c = Sample();
  const std::string first = MustBuild(c);
  c.date += absl::Hours(2);  // a resend, later
  const std::string resend = MustBuild(c);
  EXPECT_EQ(HeaderValue(first, "Message-ID"),
            HeaderValue(resend, "Message-ID"));
  EXPECT_EQ(HeaderValue(first, "Message-ID"),
            " " + MessageIdFor(c.idempotency_key, "partydev.vn"));
  EXPECT_FALSE(absl::StrContains(first, c.idempotency_key));
  c.idempotency_key = "directive-1849/org-43/email";
  EXPECT_NE(HeaderValue(MustBuild(c), "Message-ID"),
            HeaderValue(first, "Message-ID"));
}

TEST(BuildMimeMessageTest, BodyIsBase64OfTheCanonicalText) {
  const std::string mime = MustBuild(Sample());
  const std::string body = mime.substr(mime.find("\r\n\r\n") + 4);
  std::string joined;
  for (absl::string_view line :
       absl::StrSplit(body, "\r\n", absl::SkipEmpty())) {
    EXPECT_LE(line.size(), kMaxBase64LineLength);
    joined += std::string(line);
  }
  std::optional<std::string> text = Base64Decode(joined);
  ASSERT_TRUE(text.has_value());
  std::string expected = kBody;
  absl::StrReplaceAll({{"\n", "\r\n"}}, &expected);
  EXPECT_EQ(*text, expected);
}

TEST(BuildMimeMessageTest, HeaderInjectionIsRefused) {
  struct Case {
    void (*spoil)(EmailContent&);
    const char* field;
  };
  const Case cases[] = {
      {[](EmailContent& c) { c.subject += "\r\nBcc: all@example.vn"; },
       "subject"},
      {[](EmailContent& c) { c.subject = "Chào\nBcc: x@y.vn"; }, "subject"},
      {[](EmailContent& c) { c.subject = "a\rb"; }, "subject"},
      {[](EmailContent& c) { c.to[0].display_name = "Chi bộ\r\nBcc: x@y.vn"; },
       "to[0].display_name"},
      {[](EmailContent& c) { c.to[1].address = "x@y.vn\r\nRCPT TO:<z@w.vn>"; },
       "to[1].address"},
      {[](EmailContent& c) { c.from.address = "a@b.vn>\nBcc: x@y.vn"; },
       "from.address"},
      {[](EmailContent& c) { c.from.display_name = std::string("a\0b", 3); },
       "from.display_name"},
  };
  for (const Case& c : cases) {
    EmailContent content = Sample();
    c.spoil(content);
    absl::StatusOr<std::string> mime = BuildMimeMessage(content);
    ASSERT_FALSE(mime.ok()) << c.field;
    EXPECT_EQ(mime.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StrContains(mime.status().ToString(), c.field))
        << mime.status();
  }
}

TEST(BuildMimeMessageTest, BadValuesAreRefusedNamingTheField) {
  struct Case {
    void (*spoil)(EmailContent&);
    const char* field;
  };
  const Case cases[] = {
      {[](EmailContent& c) { c.to.clear(); }, "to"},
      {[](EmailContent& c) { c.to[0].address = "no-at-sign"; },
       "to[0].address"},
      {[](EmailContent& c) { c.to[0].address = "a b@c.vn"; }, "to[0].address"},
      {[](EmailContent& c) { c.to[0].address = "người@c.vn"; },
       "to[0].address"},
      {[](EmailContent& c) { c.to[0].address = "a@b@c.vn"; }, "to[0].address"},
      {[](EmailContent& c) { c.subject.clear(); }, "subject"},
      {[](EmailContent& c) { c.subject = "\xC3\x28"; }, "subject"},
      {[](EmailContent& c) { c.text_body = "ok \xE0\x80\xAF"; }, "text_body"},
      {[](EmailContent& c) { c.idempotency_key.clear(); }, "idempotency_key"},
      {[](EmailContent& c) { c.date = absl::InfinitePast(); }, "date"},
  };
  for (const Case& c : cases) {
    EmailContent content = Sample();
    c.spoil(content);
    absl::StatusOr<std::string> mime = BuildMimeMessage(content);
    ASSERT_FALSE(mime.ok()) << c.field;
    EXPECT_TRUE(absl::StrContains(mime.status().ToString(), c.field))
        << mime.status();
  }
}

TEST(BuildMimeMessageTest, PythonsEmailPackageDecodesTheSameText) {
  EmailContent c = Sample();
  c.html_body = "<p>Kính gửi các đồng chí</p>\n<p>Đảng ủy Khối</p>\n";
  const std::string dir = test::MakeTempDir("partydev-mime");
  ASSERT_FALSE(dir.empty());
  ASSERT_TRUE(test::WriteFile(dir + "/m.eml", MustBuild(c)));
  test::CommandResult r = test::RunCommand(
      absl::StrCat(test::kPython, " ", test::ScriptPath("check_mime.py"), " ",
                   dir, "/m.eml"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  nlohmann::json got = nlohmann::json::parse(r.output);
  EXPECT_EQ(got["subject"], kSubject);
  EXPECT_EQ(got["text"], kBody);
  EXPECT_EQ(got["html"], c.html_body);
  EXPECT_EQ(got["content_type"], "multipart/alternative");
  EXPECT_EQ(got["charset"], "utf-8");
  EXPECT_EQ(got["defects"], nlohmann::json::array()) << got.dump();
  EXPECT_EQ(got["from"][0][0], "Văn phòng Đảng ủy Khối");
  EXPECT_EQ(got["from"][0][1], "thongbao@partydev.vn");
  ASSERT_EQ(got["to"].size(), 2u);
  EXPECT_EQ(got["to"][0][0], "Chi bộ Phòng Tổ chức - Cán bộ");
  EXPECT_EQ(got["to"][1][1], "bithu@chibo2.example.vn");
  EXPECT_TRUE(got["all_crlf"].get<bool>());
  EXPECT_TRUE(got["ascii_only"].get<bool>());
  EXPECT_LE(got["max_line_length"].get<int>(), 78);
  if (!HasFailure()) std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace partydev::notification
