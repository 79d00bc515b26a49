// Tests of services/notification/channels/email_sender.h against a real
// local SMTP sink (smtp_sink.py): the message read back is well-formed
// UTF-8 MIME by Python's email package and carries the original text; the
// envelope is right; 550 is permanent, 451 is retried, no server is retried.

#include "services/notification/channels/email_sender.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/notification/channels/local_servers.h"

namespace partydev::notification {
namespace {

using test::SmtpSink;

constexpr char kSubject[] =
    "Công văn số 1849-CV/ĐUK về việc đôn đốc kết nạp đảng viên";
constexpr char kBody[] =
    "Kính gửi: Chi bộ Phòng Tổ chức - Cán bộ.\n"
    "Ban Thường vụ Đảng ủy Khối đề nghị các đồng chí rà soát quần chúng ưu tú\n"
    "và hoàn thiện hồ sơ đề nghị kết nạp đảng viên trước ngày 30/6/2025.\n"
    ".\n"
    ". Dòng bắt đầu bằng dấu chấm vẫn nguyên vẹn.\n";

EmailContent Sample() {
  EmailContent c;
  c.from = {"thongbao@partydev.vn", "Văn phòng Đảng ủy Khối"};
  c.to = {{"vanphong@chibo1.example.vn", "Chi bộ Phòng Tổ chức - Cán bộ"}};
  c.subject = kSubject;
  c.text_body = kBody;
  c.idempotency_key = "directive-1849/org-42/email";
  c.date = absl::Now();
  return c;
}

EmailSender SenderTo(const SmtpSink& sink) {
  SmtpOptions smtp;
  smtp.url = sink.url();
  return EmailSender(smtp);
}

nlohmann::json CheckMime(const std::string& path) {
  test::CommandResult r = test::RunCommand(absl::StrCat(
      test::kPython, " ", test::ScriptPath("check_mime.py"), " ", path));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  if (r.exit_code != 0) return nlohmann::json::object();
  return nlohmann::json::parse(r.output);
}

TEST(EmailSenderTest, DeliveredMessageIsWellFormedUtf8Mime) {
  SmtpSink sink;
  ASSERT_TRUE(sink.Start({}).ok());
  EmailContent content = Sample();
  ChannelOutcome outcome = SenderTo(sink).Send(content, absl::Seconds(10));
  EXPECT_EQ(outcome.kind, OutcomeKind::kDelivered) << outcome.error;
  EXPECT_EQ(outcome.smtp_code, 250);
  EXPECT_TRUE(absl::StartsWith(outcome.smtp_reply, "250 2.0.0 Ok: queued"))
      << outcome.smtp_reply;

  std::vector<std::string> messages = sink.Messages();
  ASSERT_EQ(messages.size(), 1u);
  nlohmann::json got = CheckMime(messages[0]);
  EXPECT_EQ(got["subject"], kSubject);
  EXPECT_EQ(got["text"], kBody);
  EXPECT_EQ(got["content_type"], "text/plain");
  EXPECT_EQ(got["charset"], "utf-8");
  EXPECT_EQ(got["defects"], nlohmann::json::array()) << got.dump();
  EXPECT_EQ(got["from"][0][0], "Văn phòng Đảng ủy Khối");
  EXPECT_EQ(got["to"][0][0], "Chi bộ Phòng Tổ chức - Cán bộ");
  EXPECT_EQ(got["to"][0][1], "vanphong@chibo1.example.vn");
  EXPECT_EQ(got["message_id"],
            MessageIdFor(content.idempotency_key, "partydev.vn"));
  EXPECT_TRUE(got["all_crlf"].get<bool>());
  EXPECT_LE(got["max_line_length"].get<int>(), 78);

  // The envelope: MAIL FROM the sender, RCPT TO the recipient.
  nlohmann::json envelope = nlohmann::json::parse(
      test::ReadFile(messages[0].substr(0, messages[0].size() - 4) + ".json"));
  EXPECT_EQ(envelope["mail_from"], "<thongbao@partydev.vn>");
  EXPECT_EQ(envelope["rcpt_to"],
            nlohmann::json::array({"<vanphong@chibo1.example.vn>"}));
}

TEST(EmailSenderTest, SeveralRecipientsAndAnHtmlAlternative) {
  SmtpSink sink;
  ASSERT_TRUE(sink.Start({}).ok());
  EmailContent content = Sample();
  content.to.push_back({"bithu@chibo2.example.vn", "Bí thư Chi bộ 2"});
  content.html_body = "<p>Kính gửi các đồng chí,</p>\n<p>Đảng ủy Khối</p>\n";
  ChannelOutcome outcome = SenderTo(sink).Send(content, absl::Seconds(10));
  ASSERT_EQ(outcome.kind, OutcomeKind::kDelivered) << outcome.error;
  std::vector<std::string> messages = sink.Messages();
  ASSERT_EQ(messages.size(), 1u);
  nlohmann::json got = CheckMime(messages[0]);
  EXPECT_EQ(got["content_type"], "multipart/alternative");
  EXPECT_EQ(got["text"], kBody);
  EXPECT_EQ(got["html"], content.html_body);
  EXPECT_EQ(got["defects"], nlohmann::json::array()) << got.dump();
  ASSERT_EQ(got["to"].size(), 2u);
  EXPECT_EQ(got["to"][1][0], "Bí thư Chi bộ 2");
  nlohmann::json envelope = nlohmann::json::parse(
      test::ReadFile(messages[0].substr(0, messages[0].size() - 4) + ".json"));
  EXPECT_EQ(envelope["rcpt_to"].size(), 2u);
}

TEST(EmailSenderTest, RejectedAddressIsPermanentWithoutTheAddress) {
  SmtpSink sink;
  ASSERT_TRUE(sink.Start({"--rcpt-reply",
                          "550 5.1.1 <vanphong@chibo1.example.vn>: Recipient "
                          "address rejected"})
                  .ok());
  ChannelOutcome outcome = SenderTo(sink).Send(Sample(), absl::Seconds(10));
  EXPECT_EQ(outcome.kind, OutcomeKind::kPermanent) << outcome.error;
  EXPECT_EQ(outcome.smtp_code, 550);
  EXPECT_EQ(ToAttemptOutcome(outcome), v1::ATTEMPT_OUTCOME_FAILED_PERMANENTLY);
  EXPECT_TRUE(absl::StartsWith(outcome.smtp_reply, "550 5.1.1"))
      << outcome.smtp_reply;
  // Personal data stays out of the attempts log.
  EXPECT_FALSE(absl::StrContains(outcome.smtp_reply, "vanphong"))
      << outcome.smtp_reply;
  EXPECT_FALSE(absl::StrContains(outcome.error, "vanphong")) << outcome.error;
  EXPECT_TRUE(sink.Messages().empty());
}

TEST(EmailSenderTest, TemporaryFailureIsRetry) {
  SmtpSink sink;
  ASSERT_TRUE(
      sink.Start({"--rcpt-reply", "451 4.3.0 Temporary local problem"}).ok());
  ChannelOutcome outcome = SenderTo(sink).Send(Sample(), absl::Seconds(10));
  EXPECT_EQ(outcome.kind, OutcomeKind::kRetry) << outcome.error;
  EXPECT_EQ(outcome.smtp_code, 451);
  EXPECT_EQ(ToAttemptOutcome(outcome), v1::ATTEMPT_OUTCOME_RETRY_SCHEDULED);
  EXPECT_TRUE(absl::StrContains(outcome.error, "SMTP 451")) << outcome.error;
  EXPECT_TRUE(sink.Messages().empty());
}

TEST(EmailSenderTest, NoServerIsRetry) {
  SmtpOptions smtp;
  smtp.url = "smtp://127.0.0.1:1";  // nothing listens on port 1
  ChannelOutcome outcome = EmailSender(smtp).Send(Sample(), absl::Seconds(2));
  EXPECT_EQ(outcome.kind, OutcomeKind::kRetry);
  EXPECT_EQ(outcome.smtp_code, 0);
  EXPECT_FALSE(outcome.error.empty());
}

TEST(EmailSenderTest, UnbuildableMessageIsPermanentAndSendsNothing) {
  SmtpSink sink;
  ASSERT_TRUE(sink.Start({}).ok());
  EmailContent content = Sample();
  content.subject += "\r\nBcc: everyone@example.vn";
  ChannelOutcome outcome = SenderTo(sink).Send(content, absl::Seconds(10));
  EXPECT_EQ(outcome.kind, OutcomeKind::kPermanent);
  EXPECT_TRUE(absl::StrContains(outcome.error, "subject")) << outcome.error;

  EmailContent bad_rcpt = Sample();
  bad_rcpt.to[0].address = "x@y.vn>\r\nRCPT TO:<z@w.vn";
  EXPECT_EQ(SenderTo(sink).Send(bad_rcpt, absl::Seconds(10)).kind,
            OutcomeKind::kPermanent);
  EXPECT_TRUE(sink.Messages().empty());
}

TEST(EmailSenderTest, LogsInWhenConfigured) {
  SmtpSink sink;
  ASSERT_TRUE(sink.Start({"--auth", "notifyd:mật-khẩu-thử"}).ok());
  SmtpOptions smtp;
  smtp.url = sink.url();
  smtp.username = "notifyd";
  smtp.password = "mật-khẩu-thử";
  ChannelOutcome ok = EmailSender(smtp).Send(Sample(), absl::Seconds(10));
  EXPECT_EQ(ok.kind, OutcomeKind::kDelivered) << ok.error;
  EXPECT_EQ(sink.Messages().size(), 1u);

  // Without the login the relay refuses MAIL; with a wrong password it
  // refuses AUTH. Both are 5yz: permanent, and the password never shows.
  SmtpOptions anonymous;
  anonymous.url = sink.url();
  ChannelOutcome refused =
      EmailSender(anonymous).Send(Sample(), absl::Seconds(10));
  EXPECT_EQ(refused.kind, OutcomeKind::kPermanent) << refused.error;
  EXPECT_EQ(refused.smtp_code, 530);
  smtp.password = "sai-mật-khẩu";
  ChannelOutcome wrong = EmailSender(smtp).Send(Sample(), absl::Seconds(10));
  EXPECT_EQ(wrong.kind, OutcomeKind::kPermanent) << wrong.error;
  EXPECT_EQ(wrong.smtp_code, 535);
  EXPECT_FALSE(absl::StrContains(wrong.error, "sai-mật-khẩu"));
  EXPECT_FALSE(absl::StrContains(wrong.smtp_reply, "sai-mật-khẩu"));
  EXPECT_EQ(sink.Messages().size(), 1u);

  SmtpOptions half;
  half.url = sink.url();
  half.username = "notifyd";
  EXPECT_EQ(EmailSender(half).Send(Sample(), absl::Seconds(10)).kind,
            OutcomeKind::kPermanent);
}

TEST(EmailSenderTest, RequiredStarttlsIsNeverSkipped) {
  // The sink offers no STARTTLS: the sender must not fall back to clear
  // text, and nothing may be delivered.
  SmtpSink sink;
  ASSERT_TRUE(sink.Start({}).ok());
  SmtpOptions smtp;
  smtp.url = sink.url();
  smtp.require_starttls = true;
  ChannelOutcome outcome = EmailSender(smtp).Send(Sample(), absl::Seconds(5));
  EXPECT_EQ(outcome.kind, OutcomeKind::kRetry) << outcome.error;
  EXPECT_FALSE(outcome.error.empty());
  EXPECT_TRUE(sink.Messages().empty());
}

}  // namespace
}  // namespace partydev::notification
