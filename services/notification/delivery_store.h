// File: services/notification/delivery_store.h
//
// The deliveries of directives (deliveries.proto Delivery): one per
// recipient organisation, person or external system, created by the
// fan-out of an issued directive. The only code that knows their keys. Every
// change of a delivery goes through StageChange, which keeps the record, the
// tracking counters and the indexes in one AtomicWrite, so TrackDirective's
// counts over any subtree are a handful of hash reads even for a national
// directive "down to every cell" (270,000 deliveries), and never disagree
// with the records.
//
// Keys (P is notifyd's hash-tagged prefix, D a directive's name
// "directives/{d}", N a delivery's name "D/deliveries/{id}"):
//   P r:N                 record {v, d: Delivery} (name, etag, message,
//                         rendered_text not stored: set on read)
//   P c:D/deliveries      zset, score 0, of the delivery ids (paging)
//   P dmsg:D              hash id -> the in-app message the delivery
//                         produced ("recipients/{r}/messages/{m}"), written
//                         with the message (AtomicWrite::XAddRecord)
//   P dcount:D            hash of counters: "<scope>|<state number>" and
//                         "<scope>|late_ack", "<scope>|late_report", where
//                         scope is "*" (every delivery) and each
//                         organisation of the delivery's organization_path
//                         (the recipient organisation and its ancestors at
//                         fan-out): counts of any subtree in O(1)
//   P dlate:D             zset of the ids with an overdue step, scored by
//                         the day it became overdue (yyyymmdd): the late
//                         list, most overdue first
//   P ddue                zset of N for every delivery with an open duty
//                         (acknowledgement or report), scored by its next
//                         due day (yyyymmdd): what the deadline sweep reads
//   P dto:<recipient>     zset, score 0, of N per recipient: the
//                         deliveries an organisation or person received
//                         (ListDeliveries on `directives/-`)
//
// Delivery ids are derived from the target, so a fan-out that is resumed or
// repeated finds the deliveries it already made: "org-{org id}",
// "person-{person id}", "rcpt-{recipient id}", "cm-{org id}-{body}" (a
// committee's members), shortened with a hash when longer than 63
// characters.

#ifndef PARTYDEV_SERVICES_NOTIFICATION_DELIVERY_STORE_H_
#define PARTYDEV_SERVICES_NOTIFICATION_DELIVERY_STORE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/atomic_write.h"
#include "common/record_store.h"
#include "partydev/notification/v1/deliveries.pb.h"
#include "services/notification/domain/recipients.h"
#include "services/notification/notification_context.h"

namespace partydev::notification {

// The delivery id of a fan-out target (see the file comment).
std::string DeliveryIdOf(const domain::DeliveryTarget& target);

// "directives/{d}" and the id of "directives/{d}/deliveries/{id}";
// INVALID_ARGUMENT naming `field` otherwise.
struct DeliveryName {
  std::string directive;
  std::string id;
  std::string full() const { return directive + "/deliveries/" + id; }
};
absl::StatusOr<DeliveryName> ParseDeliveryName(absl::string_view name,
                                               absl::string_view field);

// The counts of a subtree (or of every delivery with scope "*").
struct DeliveryCounts {
  std::map<v1::DeliveryState, int> by_state;
  int total = 0;
  int late_acknowledgements = 0;
  int late_reports = 0;
};

class DeliveryStore {
 public:
  explicit DeliveryStore(NotificationContext& context);

  std::string RecordKey(absl::string_view delivery_name) const;
  std::string IndexKey(absl::string_view directive) const;
  std::string MessageLinksKey(absl::string_view directive) const;
  std::string CountersKey(absl::string_view directive) const;
  std::string LateKey(absl::string_view directive) const;
  std::string DueKey() const;
  std::string RecipientIndexKey(absl::string_view recipient) const;

  // One delivery (name, etag, message link set), or NOT_FOUND.
  absl::StatusOr<Stored<v1::Delivery>> Get(absl::string_view delivery_name);
  // The deliveries that exist among `names` (full names), in order, with
  // their message links; absent ones skipped.
  absl::StatusOr<std::vector<Stored<v1::Delivery>>> GetMany(
      const std::vector<std::string>& names);
  // Which of `ids` of `directive` already exist (the fan-out's resume).
  absl::StatusOr<std::vector<bool>> Exist(absl::string_view directive,
                                          const std::vector<std::string>& ids);

  // Stages `after` replacing `before` (read at `version`; `before` null and
  // version 0 for a new delivery): the record, the id index, the recipient
  // index, the counters of every scope of its path (state, lateness), the
  // late list and the due index, all derived from the two records. `after`
  // must carry its name; its due fields (acknowledge_by, next_report_due,
  // overdue_step) must already be what they are now.
  void StageChange(AtomicWrite& write, const v1::Delivery* before,
                   int64_t version, const v1::Delivery& after) const;

  // The counters of `scope` ("*" or `organizations/{org}`) in `directive`.
  absl::StatusOr<DeliveryCounts> Counts(absl::string_view directive,
                                        absl::string_view scope);
  // The same for many scopes in one round trip, in order.
  absl::StatusOr<std::vector<DeliveryCounts>> CountsMany(
      absl::string_view directive, const std::vector<std::string>& scopes);

  // Ids of `directive`'s deliveries, paged in id order (RecordStore::Page).
  absl::StatusOr<IdPage> PageIds(absl::string_view directive,
                                 const std::string& cursor, int limit);
  // Ids of the late deliveries of `directive`, most overdue first, at most
  // `limit` (0: all), with the total.
  absl::StatusOr<IdPage> LateIds(absl::string_view directive, int limit);
  // Full names of the deliveries with an open duty due on or before `day`,
  // at most `limit` (the deadline sweep).
  absl::StatusOr<std::vector<std::string>> DueBy(absl::CivilDay day, int limit);
  // Full names of the deliveries to `recipient`, paged.
  absl::StatusOr<IdPage> PageByRecipient(absl::string_view recipient,
                                         const std::string& cursor, int limit);

  // Records that `reader` opened the in-app message of `delivery_name` at
  // `now` (InboxService.MarkMessageRead on a message with `delivery` set):
  // read_time and read_by the first time, and DELIVERED → READ (a late
  // delivery stays LATE, delivery_states.h). Nothing to do once read, or
  // for a cancelled or unknown delivery. Its own write expecting the
  // delivery's version, retried when a concurrent change aborts it; so a
  // retried MarkMessageRead completes it.
  absl::Status RecordRead(absl::string_view delivery_name,
                          absl::string_view reader, absl::Time now);

 private:
  NotificationContext& context_;
};

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_DELIVERY_STORE_H_
