// File: services/notification/channels/curl_support.h
//
// What the libcurl senders (webhooks, SMTP) share: the one-time global
// initialisation, owning handles, and a header list.
//
// Global initialisation. curl_global_init must run once before any other
// libcurl call and, before libcurl 7.84, was not thread-safe
// (https://curl.se/libcurl/c/curl_global_init.html, "Thread safety").
// EnsureCurlInitialized() runs it inside a function-local static, which
// C++11 guarantees is initialised exactly once even when threads race
// (ISO C++ [stmt.dcl]/4), so the senders call it from their constructors
// and callers need no setup. curl_global_cleanup is deliberately never
// called: it is not thread-safe either, and the process ends anyway.
//
// Each attempt uses its own easy handle with CURLOPT_NOSIGNAL set, so the
// senders are safe to use from many threads at once (libcurl's rule: one
// handle per thread at a time; no SIGALRM for DNS timeouts in threads).

#ifndef PARTYDEV_SERVICES_NOTIFICATION_CHANNELS_CURL_SUPPORT_H_
#define PARTYDEV_SERVICES_NOTIFICATION_CHANNELS_CURL_SUPPORT_H_

#include <curl/curl.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace partydev::notification {

// Runs curl_global_init(CURL_GLOBAL_DEFAULT) once per process; returns its
// result (the same on every call): INTERNAL if it failed.
absl::Status EnsureCurlInitialized();

struct CurlEasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
// An easy handle, cleaned up when it goes.
using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;

// A curl_slist (request headers, SMTP recipients), freed when it goes.
class CurlList {
 public:
  CurlList() = default;
  ~CurlList() { curl_slist_free_all(list_); }
  CurlList(const CurlList&) = delete;
  CurlList& operator=(const CurlList&) = delete;

  // Appends a copy of `item`; false if out of memory.
  bool Append(const std::string& item);
  curl_slist* get() const { return list_; }

 private:
  curl_slist* list_ = nullptr;
};

// True when `value` holds CR, LF or NUL: such a value put in a header or
// an SMTP command would inject a header or a command.
bool HasLineBreak(absl::string_view value);

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_CHANNELS_CURL_SUPPORT_H_
