#include "services/notification/channels/webhook_sender.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "services/notification/channels/curl_support.h"
#include "services/notification/channels/webhook_signature.h"

namespace partydev::notification {
namespace {

// What libcurl's callbacks write during one attempt.
struct AttemptState {
  bool allow_private_networks = false;
  bool address_refused = false;
  std::string retry_after;  // of the last response (after any 1xx)
};

// RFC 9110 §5.6.2 token characters, for extra header names.
bool IsToken(absl::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c))) continue;
    if (std::strchr("!#$%&'*+-.^_`|~", c) == nullptr || c == '\0') {
      return false;
    }
  }
  return true;
}

bool IsReservedHeader(absl::string_view name) {
  for (absl::string_view reserved :
       {"webhook-id", "webhook-timestamp", "webhook-signature", "content-type",
        "content-length", "user-agent", "host", "transfer-encoding",
        "expect"}) {
    if (absl::EqualsIgnoreCase(name, reserved)) return true;
  }
  return false;
}

// Loopback, private (RFC 1918), CGNAT (RFC 6598), link-local, "this
// network", multicast and reserved IPv4 ranges.
bool IsNonPublicV4(uint32_t a) {
  const auto in = [a](uint32_t net, int bits) {
    const uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
    return (a & mask) == net;
  };
  return in(0x00000000, 8) || in(0x0A000000, 8) || in(0x64400000, 10) ||
         in(0x7F000000, 8) || in(0xA9FE0000, 16) || in(0xAC100000, 12) ||
         in(0xC0000000, 24) || in(0xC0A80000, 16) || in(0xC6120000, 15) ||
         in(0xE0000000, 4) || in(0xF0000000, 4);
}

bool IsNonPublicAddress(const sockaddr* address) {
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    return IsNonPublicV4(ntohl(v4->sin_addr.s_addr));
  }
  if (address->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    const in6_addr& a = v6->sin6_addr;
    if (IN6_IS_ADDR_V4MAPPED(&a) || IN6_IS_ADDR_V4COMPAT(&a)) {
      uint32_t v4 = 0;
      std::memcpy(&v4, &a.s6_addr[12], 4);
      return IsNonPublicV4(ntohl(v4));
    }
    return IN6_IS_ADDR_LOOPBACK(&a) || IN6_IS_ADDR_UNSPECIFIED(&a) ||
           IN6_IS_ADDR_LINKLOCAL(&a) || IN6_IS_ADDR_SITELOCAL(&a) ||
           IN6_IS_ADDR_MULTICAST(&a) ||
           (a.s6_addr[0] & 0xfe) == 0xfc;  // unique local fc00::/7
  }
  return true;  // Unix sockets and the like: never for a webhook.
}

// CURLOPT_OPENSOCKETFUNCTION: refuse non-public addresses after DNS.
curl_socket_t OpenSocket(void* clientp, curlsocktype /*purpose*/,
                         curl_sockaddr* address) {
  auto* state = static_cast<AttemptState*>(clientp);
  if (!state->allow_private_networks && IsNonPublicAddress(&address->addr)) {
    state->address_refused = true;
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype, address->protocol);
}

// CURLOPT_HEADERFUNCTION: keep the Retry-After of the final response.
size_t OnHeader(char* data, size_t size, size_t count, void* clientp) {
  auto* state = static_cast<AttemptState*>(clientp);
  absl::string_view line(data, size * count);
  if (absl::StartsWith(line, "HTTP/")) {
    state->retry_after.clear();  // a new response (after 100 Continue)
  } else if (absl::StartsWithIgnoreCase(line, "retry-after:")) {
    line.remove_prefix(std::strlen("retry-after:"));
    state->retry_after = std::string(absl::StripAsciiWhitespace(line));
  }
  return size * count;
}

// CURLOPT_WRITEFUNCTION: the response body is not used (and may hold data
// we must not log); read and drop it.
size_t DropBody(char* /*data*/, size_t size, size_t count, void* /*clientp*/) {
  return size * count;
}

ChannelOutcome Refused(absl::string_view why, absl::Time start) {
  ChannelOutcome outcome;
  outcome.kind = OutcomeKind::kPermanent;
  outcome.error = std::string(why);
  outcome.elapsed = absl::Now() - start;
  return outcome;
}

}  // namespace

WebhookSender::WebhookSender(WebhookSenderOptions options)
    : options_(std::move(options)) {
  // The status is checked again by Send, where it can be reported.
  EnsureCurlInitialized().IgnoreError();
}

ChannelOutcome WebhookSender::Send(const WebhookRequest& request) const {
  const absl::Time start = absl::Now();
  if (absl::Status init = EnsureCurlInitialized(); !init.ok()) {
    ChannelOutcome outcome;
    outcome.kind = OutcomeKind::kRetry;
    outcome.error = std::string(init.message());
    return outcome;
  }

  // Requests that can never succeed fail permanently, with the rule.
  const bool https = absl::StartsWithIgnoreCase(request.url, "https://");
  const bool http = absl::StartsWithIgnoreCase(request.url, "http://");
  if (!https && !(http && options_.allow_http)) {
    return Refused(options_.allow_http
                       ? "url: must be an http:// or https:// URL"
                       : "url: must be an https:// URL",
                   start);
  }
  if (HasLineBreak(request.url)) return Refused("url: holds CR/LF", start);
  if (request.timeout <= absl::ZeroDuration()) {
    return Refused("timeout: must be positive", start);
  }
  for (const auto& [name, value] : request.extra_headers) {
    if (!IsToken(name)) {
      return Refused(absl::StrCat("extra_headers: \"", name,
                                  "\" is not an HTTP header name"),
                     start);
    }
    if (IsReservedHeader(name)) {
      return Refused(
          absl::StrCat("extra_headers: \"", name, "\" cannot be overridden"),
          start);
    }
    if (HasLineBreak(value)) {
      return Refused(absl::StrCat("extra_headers: the value of \"", name,
                                  "\" holds CR/LF (header injection)"),
                     start);
    }
  }
  const int64_t timestamp =
      absl::ToUnixSeconds(request.timestamp.value_or(absl::Now()));
  absl::StatusOr<std::string> signature =
      SignWebhook(request.secrets, request.message_id, timestamp, request.body);
  if (!signature.ok()) return Refused(signature.status().message(), start);

  CurlList headers;
  bool headers_ok =
      headers.Append("Content-Type: application/json") &&
      headers.Append("webhook-id: " + request.message_id) &&
      headers.Append(absl::StrCat("webhook-timestamp: ", timestamp)) &&
      headers.Append("webhook-signature: " + *signature) &&
      // No "Expect: 100-continue" round trip for big bodies.
      headers.Append("Expect:");
  for (const auto& [name, value] : request.extra_headers) {
    headers_ok = headers_ok && headers.Append(absl::StrCat(name, ": ", value));
  }
  CurlEasy curl(curl_easy_init());
  if (!headers_ok || curl == nullptr) {
    ChannelOutcome outcome;
    outcome.error = "libcurl: out of memory";
    outcome.elapsed = absl::Now() - start;
    return outcome;
  }

  AttemptState state;
  state.allow_private_networks =
      options_.allow_private_networks || !options_.proxy.empty();
  char error_buffer[CURL_ERROR_SIZE] = {0};
  const long timeout_ms = static_cast<long>(  // NOLINT(runtime/int): libcurl
      absl::ToInt64Milliseconds(request.timeout));
  const long connect_ms = static_cast<long>(  // NOLINT(runtime/int)
      absl::ToInt64Milliseconds(
          std::min(request.timeout, options_.connect_timeout)));
  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR,
                   options_.allow_http ? "http,https" : "https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                   static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
  curl_easy_setopt(h, CURLOPT_PROXY, options_.proxy.c_str());  // "" = none
  if (!options_.ca_file.empty()) {
    curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_file.c_str());
  }
  curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, &OpenSocket);
  curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &state);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &state);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &DropBody);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);

  const CURLcode code = curl_easy_perform(h);
  ChannelOutcome outcome;
  outcome.elapsed = absl::Now() - start;
  if (state.address_refused) {
    outcome.kind = OutcomeKind::kPermanent;
    outcome.error =
        "url: resolves to a loopback or private network address, which "
        "webhooks may not reach";
    return outcome;
  }
  long status = 0;  // NOLINT(runtime/int): libcurl's type
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  if (code != CURLE_OK && status == 0) {
    // No answer: connection refused, DNS, TLS, timeout... all transient.
    outcome.kind = OutcomeKind::kRetry;
    outcome.timed_out = code == CURLE_OPERATION_TIMEDOUT;
    outcome.error = absl::StrCat(
        outcome.timed_out ? "timed out after " : "",
        outcome.timed_out ? absl::FormatDuration(request.timeout) + ": " : "",
        error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code));
    return outcome;
  }
  outcome.http_status = static_cast<int>(status);
  outcome.kind = ClassifyHttpStatus(outcome.http_status);
  if (code == CURLE_OPERATION_TIMEDOUT &&
      outcome.kind == OutcomeKind::kDelivered) {
    // The status came but the body did not finish in time: count the 2xx;
    // the receiver has the message.
    outcome.timed_out = true;
  }
  if (!state.retry_after.empty()) {
    outcome.retry_after = ParseRetryAfter(state.retry_after, absl::Now());
  }
  if (outcome.kind != OutcomeKind::kDelivered) {
    outcome.error = absl::StrCat("HTTP ", outcome.http_status);
  }
  return outcome;
}

}  // namespace partydev::notification
