#include "services/notification/channels/email_sender.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "services/notification/channels/curl_support.h"

namespace partydev::notification {
namespace {

// What libcurl's callbacks read and write during one session.
struct SessionState {
  absl::string_view message;  // the MIME text still to upload
  // The last line of each server reply, in order ("250 2.1.5 Ok").
  std::vector<std::string> replies;
};

// CURLOPT_READFUNCTION: feeds the message to DATA (libcurl dot-stuffs it).
size_t ReadMessage(char* buffer, size_t size, size_t count, void* clientp) {
  auto* state = static_cast<SessionState*>(clientp);
  const size_t n = std::min(size * count, state->message.size());
  std::memcpy(buffer, state->message.data(), n);
  state->message.remove_prefix(n);
  return n;
}

// CURLOPT_DEBUGFUNCTION: keeps the server's replies (CURLINFO_HEADER_IN);
// everything else — including what we send, which holds AUTH data — is
// dropped, and nothing is printed.
int OnDebug(CURL* /*handle*/, curl_infotype type, char* data, size_t size,
            void* clientp) {
  if (type != CURLINFO_HEADER_IN) return 0;
  auto* state = static_cast<SessionState*>(clientp);
  for (absl::string_view line :
       absl::StrSplit(absl::string_view(data, size), '\n', absl::SkipEmpty())) {
    line = absl::StripTrailingAsciiWhitespace(line);
    // "250-..." continues a multiline reply; "250 ..." ends it.
    if (line.size() >= 3 && (line.size() == 3 || line[3] == ' ')) {
      state->replies.push_back(std::string(line));
    }
  }
  return 0;
}

// The reply that carried `code`: libcurl's response code is that of the
// step that decided the outcome, but QUIT's "221 Bye" always comes after.
std::string ReplyWithCode(const std::vector<std::string>& replies, int code) {
  const std::string prefix = absl::StrCat(code);
  for (auto it = replies.rbegin(); it != replies.rend(); ++it) {
    if (absl::StartsWith(*it, prefix)) return *it;
  }
  return replies.empty() ? "" : replies.back();
}

// `reply` with every word holding '@' masked: servers echo addresses
// ("550 5.1.1 <ho.ten@example.vn>: Recipient address rejected").
std::string MaskAddresses(absl::string_view reply) {
  std::vector<std::string> words;
  for (absl::string_view word : absl::StrSplit(reply, ' ')) {
    words.push_back(absl::StrContains(word, '@') ? "<address>"
                                                 : std::string(word));
  }
  return absl::StrJoin(words, " ");
}

ChannelOutcome Refused(absl::string_view why, absl::Time start) {
  ChannelOutcome outcome;
  outcome.kind = OutcomeKind::kPermanent;
  outcome.error = std::string(why);
  outcome.elapsed = absl::Now() - start;
  return outcome;
}

}  // namespace

EmailSender::EmailSender(SmtpOptions options) : options_(std::move(options)) {
  // The status is checked again by Send, where it can be reported.
  EnsureCurlInitialized().IgnoreError();
}

ChannelOutcome EmailSender::Send(const EmailContent& content,
                                 absl::Duration timeout) const {
  const absl::Time start = absl::Now();
  if (absl::Status init = EnsureCurlInitialized(); !init.ok()) {
    ChannelOutcome outcome;
    outcome.error = std::string(init.message());
    return outcome;
  }
  const bool smtps = absl::StartsWithIgnoreCase(options_.url, "smtps://");
  if (!smtps && !absl::StartsWithIgnoreCase(options_.url, "smtp://")) {
    return Refused("smtp url: must be smtp:// or smtps://", start);
  }
  if (HasLineBreak(options_.url))
    return Refused("smtp url: holds CR/LF", start);
  if (options_.username.empty() != options_.password.empty()) {
    return Refused("smtp login: give both username and password, or neither",
                   start);
  }
  if (timeout <= absl::ZeroDuration()) {
    return Refused("timeout: must be positive", start);
  }
  // BuildMimeMessage validates every address and header value, so the
  // envelope below cannot inject SMTP commands either.
  absl::StatusOr<std::string> mime = BuildMimeMessage(content);
  if (!mime.ok()) {
    return Refused(absl::StrCat("message: ", mime.status().message()), start);
  }

  CurlList recipients;
  bool lists_ok = true;
  for (const EmailAddress& to : content.to) {
    lists_ok = lists_ok && recipients.Append("<" + to.address + ">");
  }
  CurlEasy curl(curl_easy_init());
  if (!lists_ok || curl == nullptr) {
    ChannelOutcome outcome;
    outcome.error = "libcurl: out of memory";
    outcome.elapsed = absl::Now() - start;
    return outcome;
  }
  SessionState state;
  state.message = *mime;
  const std::string mail_from = "<" + content.from.address + ">";
  const long timeout_ms =  // NOLINT(runtime/int): libcurl's type
      static_cast<long>(absl::ToInt64Milliseconds(timeout));  // NOLINT

  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, options_.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_PROXY, "");  // never via environment proxies
  if (!smtps && options_.require_starttls) {
    curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  }
  if (!options_.ca_file.empty()) {
    curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_file.c_str());
  }
  if (!options_.username.empty()) {
    curl_easy_setopt(h, CURLOPT_USERNAME, options_.username.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, options_.password.c_str());
  }
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE,
                   static_cast<curl_off_t>(mime->size()));
  curl_easy_setopt(h, CURLOPT_READFUNCTION, &ReadMessage);
  curl_easy_setopt(h, CURLOPT_READDATA, &state);
  // The debug callback is how libcurl hands over the server's replies;
  // VERBOSE turns it on, and with a callback nothing goes to stderr.
  curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, &OnDebug);
  curl_easy_setopt(h, CURLOPT_DEBUGDATA, &state);
  curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);

  const CURLcode code = curl_easy_perform(h);
  ChannelOutcome outcome;
  outcome.elapsed = absl::Now() - start;
  long reply_code = 0;  // NOLINT(runtime/int): libcurl's type
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply_code);
  outcome.smtp_code = static_cast<int>(reply_code);
  outcome.smtp_reply =
      MaskAddresses(ReplyWithCode(state.replies, outcome.smtp_code));
  if (code == CURLE_OK) {
    outcome.kind = OutcomeKind::kDelivered;
    return outcome;
  }
  outcome.timed_out = code == CURLE_OPERATION_TIMEDOUT;
  // A failure after a positive reply (say 250 to MAIL, then the connection
  // drops) has no negative reply to go by: transient.
  outcome.kind = reply_code >= 400 && reply_code <= 599
                     ? ClassifySmtpCode(outcome.smtp_code)
                     : OutcomeKind::kRetry;
  outcome.error = absl::StrCat(
      outcome.timed_out ? absl::StrCat("timed out after ",
                                       absl::FormatDuration(timeout), ": ")
                        : "",
      reply_code >= 400 ? absl::StrCat("SMTP ", reply_code, ": ") : "",
      curl_easy_strerror(code));
  return outcome;
}

}  // namespace partydev::notification
