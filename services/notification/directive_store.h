// File: services/notification/directive_store.h
//
// Where directives (directives.proto Directive) and their numbering are
// kept. The only code that knows their keys. Keys (P is notifyd's
// hash-tagged prefix):
//   P r:directives/{d}        record {v, d: Directive} (etag, rendered_text
//                             and delivery_counts not stored: set on read)
//   P c:/directives           zset, score 0, of every directive id
//   P r:directive-numbers/{h} record {v, d: the last number given} of one
//                             numbering sequence (domain::NumberingSequence;
//                             h is a hash of it): every issue of the
//                             sequence expects its version, so two
//                             concurrent issues never take one number
//   P dnum:{h}                zset of the numbers used in the sequence
//                             (score = number), including numbers given
//                             from outside (IssueDirectiveRequest.number)

#ifndef PARTYDEV_SERVICES_NOTIFICATION_DIRECTIVE_STORE_H_
#define PARTYDEV_SERVICES_NOTIFICATION_DIRECTIVE_STORE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/atomic_write.h"
#include "common/record_store.h"
#include "partydev/notification/v1/directives.pb.h"
#include "services/notification/notification_context.h"

namespace partydev::notification {

// The numbering state of one sequence.
struct Numbering {
  std::string sequence;  // domain::NumberingSequence
  int64_t version = 0;   // of its record (0: no number given yet)
  int last = 0;          // the highest number given
};

class DirectiveStore {
 public:
  explicit DirectiveStore(NotificationContext& context);

  std::string IndexKey() const;

  // One directive (name and etag set), or NOT_FOUND naming it.
  absl::StatusOr<Stored<v1::Directive>> Get(absl::string_view name);
  // Every directive, in id order.
  absl::StatusOr<std::vector<Stored<v1::Directive>>> All();

  // Stages the write of `directive` (named) read at `version` (0: new) and
  // its index entry.
  void StagePut(AtomicWrite& write, const v1::Directive& directive,
                int64_t version) const;
  // Stages the deletion of a draft read at `version`.
  void StageDelete(AtomicWrite& write, absl::string_view name,
                   int64_t version) const;

  // Drafts notifyd issues itself (an urging letter with auto_issue,
  // event_reminders.h), by the time they are due: staged with the draft,
  // removed in the write that issues it, so a draft is issued once.
  void StageIssueAt(AtomicWrite& write, absl::string_view name,
                    absl::Time at) const;
  void StageIssueDone(AtomicWrite& write, absl::string_view name) const;
  // The names due by `now`, oldest first, at most `limit`.
  absl::StatusOr<std::vector<std::string>> IssueDueBy(absl::Time now,
                                                      int limit);

  // The state of `sequence`.
  absl::StatusOr<Numbering> ReadNumbering(const std::string& sequence);
  // Whether `number` was already used in `sequence`.
  absl::StatusOr<bool> NumberUsed(const std::string& sequence, int number);
  // Stages the use of `number` in `numbering` (expecting its version): the
  // record keeps the highest number given.
  void StageNumber(AtomicWrite& write, const Numbering& numbering,
                   int number) const;

 private:
  std::string NumberingName(const std::string& sequence) const;
  std::string UsedKey(const std::string& sequence) const;
  std::string IssueDueKey() const;

  NotificationContext& context_;
};

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_DIRECTIVE_STORE_H_
