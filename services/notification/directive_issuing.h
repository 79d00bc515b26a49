// File: services/notification/directive_issuing.h
//
// Issuing (ban hành) a reviewed draft, shared by IssueDirective (the
// committee office) and the urging letters notifyd issues itself
// (event_reminders.h, UrgingLetterSpec.auto_issue): the checks that make a
// draft issuable (place, body, recipients, the signer block of the seeds'
// "T/M BAN THƯỜNG VỤ / BÍ THƯ", a value for every body variable), its number
// in the issuer's sequence for the term, the reference ("1849-CV/ĐUK"), the
// dated line ("Đà Lạt, ngày 17 tháng 9 năm 2023"), the planned fan-out, and
// the write: number, directive (ISSUING) and FAN_OUT job in one AtomicWrite,
// so an issue is never half done (directive_fan_out.h runs the job).
//
//   DirectiveIssuing issuing(context, fan_out);
//   absl::StatusOr<DirectiveIssuing::Issue> issue =
//       issuing.Prepare(stored.message, {.stamp = stamp});
//   if (issue.ok()) issuing.Stage(write, *issue, stored.version);

#ifndef PARTYDEV_SERVICES_NOTIFICATION_DIRECTIVE_ISSUING_H_
#define PARTYDEV_SERVICES_NOTIFICATION_DIRECTIVE_ISSUING_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/atomic_write.h"
#include "partydev/common/v1/types.pb.h"
#include "partydev/notification/v1/directives.pb.h"
#include "services/notification/directive_fan_out.h"
#include "services/notification/directive_store.h"
#include "services/notification/domain/recipients.h"
#include "services/notification/notification_context.h"

namespace partydev::notification {

class DirectiveIssuing {
 public:
  // How a draft is issued.
  struct Options {
    // The number to give; 0: the next of the sequence.
    int number = 0;
    // The term the number belongs to ("terms/2020-2025"); empty: the term
    // of the signing date (DefaultTerm).
    std::string term;
    // Who issued it and when (the directive's issue_stamp).
    common::v1::ChangeStamp stamp;
  };

  // A prepared issue: the directive as it will be stored (ISSUING, numbered,
  // its fan_out planned) and the numbering it takes a number from.
  struct Issue {
    v1::Directive directive;
    Numbering numbering;
  };

  // Borrows `context` and `fan_out` (they must outlive this).
  DirectiveIssuing(NotificationContext& context, DirectiveFanOut& fan_out);

  // Prepares the issue of `draft` (a DRAFT; signed today unless its
  // signed_on is set). Errors: INVALID_ARGUMENT naming each missing field
  // (ValidateIssuable), FAILED_PRECONDITION directive.number.unused when
  // `options.number` was already given in its sequence, and those of
  // ExpandIssuable. Reads only.
  absl::StatusOr<Issue> Prepare(v1::Directive draft, const Options& options);

  // Stages `issue` over the directive read at `version`: the number taken
  // (guarded by the numbering's version), the directive, and the FAN_OUT
  // job with idempotency key "{name}:issue".
  void Stage(AtomicWrite& write, const Issue& issue, int64_t version);

  // What issuing requires besides the draft's shape (and what an amendment
  // of an issued directive must keep): place, body, recipients and the
  // signer block. INVALID_ARGUMENT naming each missing field.
  static absl::Status ValidateIssuable(const v1::Directive& directive);

  // ValidateIssuable, then the expansion of the recipients on `day` over
  // notifyd's tree, then FAILED_PRECONDITION directive.body.variable for
  // each mustache variable of the body some recipient has no value for.
  absl::StatusOr<domain::RecipientExpansion> ExpandIssuable(
      const v1::Directive& directive, absl::CivilDay day);

  // The congress term under which a document signed on `day` is numbered
  // when none is named (see the .cc).
  static std::string DefaultTerm(absl::CivilDay day);

 private:
  NotificationContext& context_;
  DirectiveStore directives_;
  DirectiveFanOut& fan_out_;
};

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_DIRECTIVE_ISSUING_H_
