// File: services/notification/directive_fan_out.h
//
// The fan-out of an issued directive (ban hành): one delivery per recipient
// organisation, person or external system, including every organisation
// reached by dissemination ("phổ biến đến chi bộ": ~270,000 cells for a
// national directive). IssueDirective commits the directive in state
// ISSUING together with a FAN_OUT job on the delivery engine's urgent queue
// (queue/job_queue.h), in one atomic write, so an issue is never lost; the
// job's handler (RunJob) expands the recipients over notifyd's organisation
// tree as it stood on the issue date (domain/recipients.h) and writes the
// deliveries in chunks. Each chunk is one AtomicWrite: the deliveries
// (delivery_store.h, DELIVERED: the in-app message is stored in the same
// write), each recipient's inbox message (AtomicWrite::XAddRecord), the
// tracking counters, and the directive's fan_out.created_deliveries,
// expecting the directive's version — so a crashed fan-out resumes where it
// stopped and a chunk is never written twice (delivery ids come from the
// target: a repeated chunk finds them and skips them). The last chunk moves
// the directive to ISSUED and sets fan_out.end_time.
//
// Withdrawal (thu hồi) runs through the same job kind: it cancels the
// deliveries that are not cancelled yet, chunk by chunk, and tells each
// recipient reached.

#ifndef PARTYDEV_SERVICES_NOTIFICATION_DIRECTIVE_FAN_OUT_H_
#define PARTYDEV_SERVICES_NOTIFICATION_DIRECTIVE_FAN_OUT_H_

#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "partydev/notification/v1/directives.pb.h"
#include "partydev/storage/v1/jobs.pb.h"
#include "services/notification/delivery_store.h"
#include "services/notification/directive_store.h"
#include "services/notification/domain/recipients.h"
#include "services/notification/notification_context.h"
#include "services/notification/queue/job_worker.h"

namespace partydev::notification {

class DirectiveFanOut {
 public:
  // Deliveries written per AtomicWrite.
  static constexpr int kChunk = 1000;

  explicit DirectiveFanOut(NotificationContext& context);

  // The expansion of `directive`'s recipients on `day` over notifyd's tree
  // with the rule set's limits (IssueDirective's validation and planned
  // count, and the fan-out itself).
  absl::StatusOr<domain::RecipientExpansion> Expand(
      const v1::Directive& directive, absl::CivilDay day);

  // Stages the job that fans out (or, after a withdrawal, cancels) the
  // deliveries of `directive` into `write`. `notify_change`: an amendment
  // every live delivery is told of (DIRECTIVE_CHANGE message).
  void StageJob(AtomicWrite& write, const std::string& directive,
                absl::string_view idempotency_key, bool notify_change = false);

  // Runs the fan-out (or cancellation) of the directive to the end.
  // Idempotent: a repeated or resumed run writes only what is missing.
  // After an amendment (the directive has amendments) the deliveries whose
  // target is no longer reached are cancelled, and, with `notify_change`,
  // the others are told.
  absl::Status Run(const std::string& directive, bool notify_change = false);

  // The handler of FAN_OUT jobs for the engine's worker.
  JobResult Handle(const storage::v1::Job& job);

 private:
  // The delivery of one target, delivered now (its in-app message is
  // written with it), with its duties and their due dates.
  absl::StatusOr<v1::Delivery> NewDelivery(
      const v1::Directive& directive, const domain::DeliveryTarget& target,
      const OrgTree& tree, const v1::NotificationRuleSet& rules,
      absl::CivilDay day, absl::CivilDay today, absl::Time now) const;
  // One pass over the live deliveries, a page per write: those whose id is
  // not in `keep` (every one when `keep` is null: a withdrawal) are
  // cancelled and their recipient told; with `notify_kept`, the kept ones
  // get a DIRECTIVE_CHANGE message.
  absl::Status Reconcile(const v1::Directive& directive,
                         const absl::flat_hash_set<std::string>* keep,
                         bool notify_kept);

  NotificationContext& context_;
  DirectiveStore directives_;
  DeliveryStore deliveries_;
};

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_DIRECTIVE_FAN_OUT_H_
