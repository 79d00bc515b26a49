// File: services/notification/channels/email_message.h
//
// Builds the text of an e-mail (RFC 5322 message, MIME RFC 2045–2047) from
// UTF-8 content: a pure function, no I/O, so what goes on the wire is fully
// testable.
//
// Choices, and why:
// - The Subject and display names are RFC 2047 encoded-words in UTF-8 with
//   the B (base64) encoding: Vietnamese text is mostly non-ASCII, so base64
//   is shorter than Q, and needs no escaping rules. Long values are split
//   into several encoded-words — each at most 75 characters (RFC 2047 §2),
//   and never splitting a UTF-8 sequence, since each word must decode on its
//   own (§5) — folded onto continuation lines so no line exceeds 78
//   characters (RFC 5322 §2.1.1).
// - Bodies are "text/plain; charset=UTF-8" (and optionally "text/html" in a
//   multipart/alternative, plain text first as RFC 2046 §5.1.4 wants),
//   base64 with lines of at most 76 characters (RFC 2045 §6.8), after
//   turning every line break into CRLF (the canonical form of text).
// - The Message-ID is derived from the job's idempotency key, so a resend
//   of the same notification has the same id and mail clients collapse
//   duplicates; the key itself does not appear (it is hashed).
// - Header injection is impossible: any CR, LF or NUL in a header value
//   (address, display name, subject, key) is refused, not escaped.
// - Addresses must be ASCII (no SMTPUTF8 support, RFC 6531): a non-ASCII
//   address is refused rather than sent mangled.
//
// Example:
//   EmailContent content;
//   content.from = {"thongbao@partydev.vn", "Văn phòng Đảng ủy"};
//   content.to = {{"vanphong@dukhoi.vn", "Đảng ủy Khối"}};
//   content.subject = "Công văn số 1849-CV/ĐUK về việc đôn đốc kết nạp ...";
//   content.text_body = "Kính gửi các đồng chí ...";
//   content.idempotency_key = job.idempotency_key();
//   content.date = absl::Now();
//   absl::StatusOr<std::string> mime = BuildMimeMessage(content);

#ifndef PARTYDEV_SERVICES_NOTIFICATION_CHANNELS_EMAIL_MESSAGE_H_
#define PARTYDEV_SERVICES_NOTIFICATION_CHANNELS_EMAIL_MESSAGE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace partydev::notification {

// A mailbox: an address and an optional display name (UTF-8).
struct EmailAddress {
  std::string address;       // "local@domain", ASCII
  std::string display_name;  // "Đảng ủy Khối", optional
};

// What to send.
struct EmailContent {
  // Required. The sender (the service configuration's From).
  EmailAddress from;
  // Required. One or more recipients.
  std::vector<EmailAddress> to;
  // Required. The subject, UTF-8, one line.
  std::string subject;
  // Required. The plain-text body, UTF-8.
  std::string text_body;
  // Optional. An HTML alternative, UTF-8; empty = text only.
  std::string html_body;
  // Required. The job's idempotency key; the Message-ID is derived from it.
  std::string idempotency_key;
  // Optional. The domain of the Message-ID; default the From domain.
  std::string message_id_domain;
  // Required. The Date header.
  absl::Time date = absl::InfinitePast();
};

// Lines of the message may not be longer than this (RFC 5322 §2.1.1,
// "SHOULD"), CRLF excluded.
inline constexpr size_t kMaxHeaderLineLength = 78;
// Base64 body lines are at most this long (RFC 2045 §6.8).
inline constexpr size_t kMaxBase64LineLength = 76;

// The message's Message-ID for `idempotency_key` and `domain`:
// "<" + first 32 hex digits of SHA-256(key) + "@" + domain + ">".
std::string MessageIdFor(absl::string_view idempotency_key,
                         absl::string_view domain);

// The RFC 5322 text of `content`, lines ended by CRLF, ready for SMTP DATA
// (dot-stuffing is the transport's job). INVALID_ARGUMENT naming the field
// ("to[1].address", "subject"...) when a value is missing, is not valid
// UTF-8, holds CR/LF/NUL in a header, or an address is malformed.
absl::StatusOr<std::string> BuildMimeMessage(const EmailContent& content);

// Checks one address ("local@domain", printable ASCII, no specials that
// would break the header: <>()[],;:\" or spaces). INVALID_ARGUMENT naming
// `field`.
absl::Status ValidateEmailAddress(absl::string_view address,
                                  absl::string_view field);

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_CHANNELS_EMAIL_MESSAGE_H_
