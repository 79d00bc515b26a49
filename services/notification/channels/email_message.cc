#include "services/notification/channels/email_message.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/vietnam_time.h"
#include "services/notification/channels/base64.h"

namespace partydev::notification {
namespace {

// Bytes of UTF-8 per encoded-word: base64 of 42 bytes is 56 characters, so
// a word "=?UTF-8?B?...?=" is at most 68 and "Subject: " + word is 77.
constexpr size_t kEncodedWordBytes = 42;

// Vietnam keeps UTC+7 all year (no daylight saving), so a fixed zone needs
// no tz database.

// True when `s` is well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF).
bool IsValidUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // truncated sequence
    for (size_t k = 1; k <= n; ++k) {
      const unsigned char d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

bool HasHeaderBreak(absl::string_view s) {
  return s.find_first_of(absl::string_view("\r\n\0", 3)) !=
         absl::string_view::npos;
}

bool IsAscii(absl::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// A UTF-8 header text checked for the rules every header value follows.
absl::Status CheckHeaderText(absl::string_view value, absl::string_view field) {
  if (HasHeaderBreak(value)) {
    return InvalidField(field,
                        "must not contain CR, LF or NUL (header injection)");
  }
  if (!IsValidUtf8(value)) return InvalidField(field, "is not valid UTF-8");
  return absl::OkStatus();
}

// `text` as RFC 2047 B encoded-words of at most kEncodedWordBytes bytes
// each, cut on UTF-8 character boundaries.
std::vector<std::string> EncodedWords(absl::string_view text) {
  std::vector<std::string> words;
  while (!text.empty()) {
    size_t n = std::min(kEncodedWordBytes, text.size());
    // Back off while the next byte continues a character (10xxxxxx).
    while (n < text.size() && n > 0 &&
           (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) {
      --n;
    }
    words.push_back(
        absl::StrCat("=?UTF-8?B?", Base64Encode(text.substr(0, n)), "?="));
    text.remove_prefix(n);
  }
  return words;
}

// Appends "Name: token token...\r\n", folding before a token that would
// make the line longer than kMaxHeaderLineLength (RFC 5322 §2.2.3: a fold
// is CRLF followed by white space).
void AppendFolded(std::string& out, absl::string_view name,
                  const std::vector<std::string>& tokens) {
  std::string line = absl::StrCat(name, ":");
  bool first = true;
  for (const std::string& token : tokens) {
    if (!first && line.size() + 1 + token.size() > kMaxHeaderLineLength) {
      absl::StrAppend(&out, line, "\r\n");
      line.clear();
    }
    absl::StrAppend(&line, " ", token);
    first = false;
  }
  absl::StrAppend(&out, line, "\r\n");
}

// The tokens of a mailbox list: each display name as encoded-words, the
// address in angle brackets, a comma after every mailbox but the last.
std::vector<std::string> MailboxTokens(const std::vector<EmailAddress>& list) {
  std::vector<std::string> tokens;
  for (size_t i = 0; i < list.size(); ++i) {
    const EmailAddress& mailbox = list[i];
    const char* comma = i + 1 < list.size() ? "," : "";
    if (mailbox.display_name.empty()) {
      tokens.push_back(absl::StrCat(mailbox.address, comma));
      continue;
    }
    for (std::string& word : EncodedWords(mailbox.display_name)) {
      tokens.push_back(std::move(word));
    }
    tokens.push_back(absl::StrCat("<", mailbox.address, ">", comma));
  }
  return tokens;
}

// `text` with every line break (CRLF, lone LF, lone CR) as CRLF.
std::string CanonicalLineBreaks(absl::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      out += "\r\n";
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else if (text[i] == '\n') {
      out += "\r\n";
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// The base64 of `text`'s canonical form, in lines of kMaxBase64LineLength.
std::string Base64Body(absl::string_view text) {
  const std::string encoded = Base64Encode(CanonicalLineBreaks(text));
  std::string out;
  for (size_t i = 0; i < encoded.size(); i += kMaxBase64LineLength) {
    absl::StrAppend(&out, encoded.substr(i, kMaxBase64LineLength), "\r\n");
  }
  return out;
}

void AppendTextPart(std::string& out, absl::string_view subtype,
                    absl::string_view text) {
  absl::StrAppend(&out, "Content-Type: text/", subtype, "; charset=UTF-8\r\n",
                  "Content-Transfer-Encoding: base64\r\n\r\n",
                  Base64Body(text));
}

absl::Status CheckMailbox(const EmailAddress& mailbox,
                          absl::string_view field) {
  if (absl::Status s = ValidateEmailAddress(mailbox.address,
                                            absl::StrCat(field, ".address"));
      !s.ok()) {
    return s;
  }
  return CheckHeaderText(mailbox.display_name,
                         absl::StrCat(field, ".display_name"));
}

}  // namespace

absl::Status ValidateEmailAddress(absl::string_view address,
                                  absl::string_view field) {
  if (address.empty()) return InvalidField(field, "is required");
  if (HasHeaderBreak(address)) {
    return InvalidField(field,
                        "must not contain CR, LF or NUL (header injection)");
  }
  if (!IsAscii(address)) {
    return InvalidField(field,
                        "must be ASCII (internationalised addresses, "
                        "SMTPUTF8, are not supported)");
  }
  if (address.size() > 254) {
    return InvalidField(field, "is longer than 254 characters (RFC 5321)");
  }
  const size_t at = address.rfind('@');
  if (at == absl::string_view::npos || at == 0 || at + 1 == address.size()) {
    return InvalidField(field, "must be local@domain");
  }
  if (at > 64) {
    return InvalidField(field,
                        "local part is longer than 64 characters (RFC 5321)");
  }
  for (size_t i = 0; i < address.size(); ++i) {
    const char c = address[i];
    if (c <= 0x20 || c == 0x7f || std::strchr("<>()[],;:\\\"", c) != nullptr ||
        (c == '@' && i != at)) {
      return InvalidField(
          field, "must be a plain local@domain without spaces or specials");
    }
  }
  for (char c : address.substr(at + 1)) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' &&
        c != '.') {
      return InvalidField(field, "domain must be letters, digits, '-', '.'");
    }
  }
  return absl::OkStatus();
}

std::string MessageIdFor(absl::string_view idempotency_key,
                         absl::string_view domain) {
  return absl::StrCat("<", Sha256Hex(idempotency_key).substr(0, 32), "@",
                      domain, ">");
}

absl::StatusOr<std::string> BuildMimeMessage(const EmailContent& content) {
  FieldChecker check;
  if (absl::Status s = CheckMailbox(content.from, "from"); !s.ok()) {
    check.Add(FieldViolationsOf(s).front().field, s.message());
  }
  if (content.to.empty()) check.Add("to", "at least one recipient");
  for (size_t i = 0; i < content.to.size(); ++i) {
    if (absl::Status s =
            CheckMailbox(content.to[i], absl::StrCat("to[", i, "]"));
        !s.ok()) {
      check.Add(FieldViolationsOf(s).front().field, s.message());
    }
  }
  if (content.subject.empty()) check.Add("subject", "is required");
  if (absl::Status s = CheckHeaderText(content.subject, "subject"); !s.ok()) {
    check.Add("subject", s.message());
  }
  if (content.text_body.empty()) check.Add("text_body", "is required");
  if (!IsValidUtf8(content.text_body)) {
    check.Add("text_body", "is not valid UTF-8");
  }
  if (!IsValidUtf8(content.html_body)) {
    check.Add("html_body", "is not valid UTF-8");
  }
  if (content.idempotency_key.empty()) {
    check.Add("idempotency_key", "is required");
  }
  if (content.date == absl::InfinitePast() ||
      content.date == absl::InfiniteFuture()) {
    check.Add("date", "is required");
  }
  std::string domain = content.message_id_domain;
  if (domain.empty()) {
    const size_t at = content.from.address.rfind('@');
    if (at != std::string::npos) domain = content.from.address.substr(at + 1);
  } else if (absl::Status s = ValidateEmailAddress(absl::StrCat("x@", domain),
                                                   "message_id_domain");
             !s.ok()) {
    check.Add("message_id_domain", "must be a domain name");
  }
  if (!check.ok()) return check.status();

  std::string out;
  absl::StrAppend(&out, "Date: ",
                  absl::FormatTime("%a, %d %b %Y %H:%M:%S %z", content.date,
                                   VietnamTimeZone()),
                  "\r\n");
  AppendFolded(out, "From", MailboxTokens({content.from}));
  AppendFolded(out, "To", MailboxTokens(content.to));
  AppendFolded(out, "Subject", EncodedWords(content.subject));
  absl::StrAppend(&out,
                  "Message-ID: ", MessageIdFor(content.idempotency_key, domain),
                  "\r\n");
  absl::StrAppend(&out, "MIME-Version: 1.0\r\n");
  // RFC 3834: a machine sent this; auto-responders must not answer it.
  absl::StrAppend(&out, "Auto-Submitted: auto-generated\r\n");
  if (content.html_body.empty()) {
    AppendTextPart(out, "plain", content.text_body);
    return out;
  }
  // "=_" cannot occur in base64 text, so the boundary never collides with
  // a part (RFC 2046 §5.1.1); it is derived from the key to be stable.
  const std::string boundary =
      absl::StrCat("=_partydev_",
                   Sha256Hex(absl::StrCat("boundary:", content.idempotency_key))
                       .substr(0, 24));
  absl::StrAppend(&out, "Content-Type: multipart/alternative;\r\n",
                  " boundary=\"", boundary, "\"\r\n\r\n");
  absl::StrAppend(&out, "--", boundary, "\r\n");
  AppendTextPart(out, "plain", content.text_body);
  absl::StrAppend(&out, "--", boundary, "\r\n");
  AppendTextPart(out, "html", content.html_body);
  absl::StrAppend(&out, "--", boundary, "--\r\n");
  return out;
}

}  // namespace partydev::notification
