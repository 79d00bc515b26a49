// File: services/notification/channels/email_sender.h
//
// Sends one e-mail attempt over SMTP with libcurl (RFC 5321): connects to
// the configured relay (smtp:// with optional STARTTLS, or smtps://), logs
// in if configured, gives MAIL FROM and one RCPT TO per recipient, uploads
// the MIME text built by email_message.h, and classifies the server's last
// reply (channel_outcome.h): 250 after DATA is delivered; a 4yz reply
// (451 local error, 452 mailbox full, 421 closing) is transient → retry; a
// 5yz reply (550 mailbox unavailable, 553 address rejected, 554) is
// permanent; no reply at all (connection refused, TLS failure, timeout) →
// retry. libcurl stops at the first rejected recipient, so one bad address
// fails the whole message (notifyd sends one address per channel).
//
// Personal data (Decree 13/2023): addresses never appear in the outcome's
// error, and any address the server echoes in its reply is masked in
// smtp_reply.
//
// Thread safety: Send is const and uses its own easy handle per call; see
// curl_support.h for the one-time global initialisation.
//
// Example:
//   SmtpOptions smtp;
//   smtp.url = "smtp://mail.partydev.vn:587";
//   smtp.require_starttls = true;
//   smtp.username = "notifyd";
//   smtp.password = password_from_config;
//   EmailSender sender(smtp);
//   ChannelOutcome outcome = sender.Send(content, absl::Seconds(30));

#ifndef PARTYDEV_SERVICES_NOTIFICATION_CHANNELS_EMAIL_SENDER_H_
#define PARTYDEV_SERVICES_NOTIFICATION_CHANNELS_EMAIL_SENDER_H_

#include <string>

#include "absl/time/time.h"
#include "services/notification/channels/channel_outcome.h"
#include "services/notification/channels/email_message.h"

namespace partydev::notification {

// The SMTP relay, from the service configuration.
struct SmtpOptions {
  // Required. "smtp://host:port" (25/587) or "smtps://host:port" (465,
  // implicit TLS). A path gives the EHLO name: "smtp://host:587/notifyd.vn".
  std::string url;
  // Require STARTTLS on smtp:// (fail rather than send in clear text).
  bool require_starttls = false;
  // Optional. SMTP AUTH login; both or neither. Sensitive.
  std::string username;
  std::string password;
  // Optional. A CA bundle file; empty = the system's.
  std::string ca_file;
};

// Sends e-mails. See the file comment.
class EmailSender {
 public:
  explicit EmailSender(SmtpOptions options);
  EmailSender(const EmailSender&) = delete;
  EmailSender& operator=(const EmailSender&) = delete;

  // Builds the MIME text of `content` and sends it to every address of
  // `content.to`, the envelope sender being `content.from.address`, within
  // `timeout` for the whole session. Content that cannot be built (bad
  // address, header injection...) or a bad relay URL is kPermanent with the
  // field in the error. Fills smtp_code, smtp_reply, error, timed_out and
  // elapsed.
  ChannelOutcome Send(const EmailContent& content,
                      absl::Duration timeout) const;

 private:
  SmtpOptions options_;
};

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_CHANNELS_EMAIL_SENDER_H_
