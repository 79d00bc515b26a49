// File: services/notification/queue/job_result.h
//
// What a job handler tells the delivery engine about one attempt. The
// engine acknowledges the job on its stream only in the same atomic step
// that records the outcome (done key, rescheduled job, dead letter), so
// nothing is acknowledged before it is delivered or dead-lettered.
//
//   return JobResult::Done();
//   return JobResult::Retry("HTTP 503", 503, absl::Seconds(120));
//   return JobResult::Defer(end_of_quiet_hours);         // not an attempt
//   return JobResult::Dead(v1::DEAD_LETTER_REASON_ENDPOINT_GONE, "410", 410);

#ifndef PARTYDEV_SERVICES_NOTIFICATION_QUEUE_JOB_RESULT_H_
#define PARTYDEV_SERVICES_NOTIFICATION_QUEUE_JOB_RESULT_H_

#include <string>
#include <utility>

#include "absl/time/time.h"
#include "partydev/notification/v1/operations.pb.h"

namespace partydev::notification {

struct JobResult {
  enum class Kind {
    // The effect happened: remembered under the idempotency key.
    kDone,
    // A transient failure: tried again after the policy's backoff, or
    // dead-lettered (ATTEMPTS_EXHAUSTED) after max_attempts.
    kRetry,
    // Not now (quiet hours, a channel's own throttling): waits until
    // `defer_until`; does not count as an attempt.
    kDefer,
    // A permanent failure: straight to the dead letters with `reason`.
    kDead,
  };

  Kind kind = Kind::kDone;
  // kRetry, kDead: the error (no secrets, no personal data) and the HTTP
  // status when the channel is a webhook.
  std::string error;
  int http_status = 0;
  // kRetry: the delay the receiver asked for (HTTP Retry-After); capped by
  // the policy's max_retry_after. Zero: the policy's schedule.
  absl::Duration retry_after = absl::ZeroDuration();
  // kDefer: when to try again.
  absl::Time defer_until = absl::InfinitePast();
  // kDead: why.
  v1::DeadLetterReason reason = v1::DEAD_LETTER_REASON_UNSPECIFIED;

  static JobResult Done() { return JobResult{}; }
  static JobResult Retry(std::string error, int http_status = 0,
                         absl::Duration retry_after = absl::ZeroDuration()) {
    JobResult r;
    r.kind = Kind::kRetry;
    r.error = std::move(error);
    r.http_status = http_status;
    r.retry_after = retry_after;
    return r;
  }
  static JobResult Defer(absl::Time until) {
    JobResult r;
    r.kind = Kind::kDefer;
    r.defer_until = until;
    return r;
  }
  static JobResult Dead(v1::DeadLetterReason reason, std::string error,
                        int http_status = 0) {
    JobResult r;
    r.kind = Kind::kDead;
    r.reason = reason;
    r.error = std::move(error);
    r.http_status = http_status;
    return r;
  }
};

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_QUEUE_JOB_RESULT_H_
