// File: services/quota/admission_ledger.h
//
// The admissions projection of quotad: the admissions ledger (sổ theo dõi
// kết nạp, AdmissionRecord) and the counts behind every report, built from
// membership's MemberAdmitted, ProbationStarted and RemovedFromProbation
// events. The only code of these keys that speaks Redis.
//
// Counting (rule set in force on the admission decision's date,
// QuotaRuleSet.counting):
//  - an admission counts +1 on its counting date (the decision's signing
//    date, or the ceremony date when the rule set says so: the record is
//    then written at MemberAdmitted and counted at ProbationStarted) at
//    every organisation of Event.organization_path, frozen: a later move of
//    an organisation keeps the counts where they were earned;
//  - a removal from probation is counted as `removed` on its date, and as
//    a delta of 0 or -1 on the admission's date or the removal's, as the
//    rule set's ProbationRemovalCounting says.
//
// Keys (K is the projection's generation prefix, e.g.
// "{pd:quota}:admissions:g1:"):
//   K r:organizations/<org>/admissionRecords/<id>   records (RecordStore)
//   K counted:<org id>    zset of record names counted at the org, score
//                          counted_on as days since 1970-01-01
//   K here:<org id>       zset of record names admitted in the org itself
//                          (admissions and removals), scored the same
//   K n:<org id>          hash of daily counters, field
//                          "<yyyymmdd>|<kind>|<category number>" with kind
//                          a (admitted), h (admitted here), r (removed from
//                          probation), c (counted: the sum of deltas);
//                          category 0 is the total
//   K person:<person id>  record {v, d: the name of the person's latest
//                          admission record} (what a ceremony counts and a
//                          removal relates to)
//
// Records: "organizations/{org}/admissionRecords/{id}" with {org} the
// organisation admitted in (the payload's organization) and {id} the event
// id when it is a resource id (a UUID is), else "e" and 40 hex digits of its
// SHA-256 (AdmissionRecordId). applies_to.term is left empty in the stored
// record: terms are quotad's own records and their dates may change, so
// readers (AchievementService) map dates to terms when they read;
// applies_to.year is the year of the day the delta counts on.
//
// With ADMISSION_COUNTING_DATE_CEREMONY_HELD, MemberAdmitted writes the
// record with delta 0, no counted_on and no counters or index entries; the
// ProbationStarted of the person then sets counted_on (the ceremony date)
// and delta +1, and counts it. With DECISION_SIGNED, ProbationStarted
// changes nothing. A removal (kind REMOVAL_FROM_PROBATION, counted_on the
// removal decision's date) relates to the person's latest admission record;
// the rule set is the one in force on the admission's date; `removed` +1 on
// the removal date always, and `counted` by ProbationRemovalCounting: KEEP
// 0; SUBTRACT_IN_REMOVAL_PERIOD -1 on the removal date;
// SUBTRACT_FROM_ADMISSION_PERIOD -1 on the admission's counted date, at the
// admission's counted organisations (applies_to.year the admission's).
//
// Event-id idempotency is the projection's (projections.h): StageApply is
// called once per event id. It is defensive too: an event whose record
// exists (or a ceremony whose admission is already counted) stages nothing
// and returns true.

#ifndef PARTYDEV_SERVICES_QUOTA_ADMISSION_LEDGER_H_
#define PARTYDEV_SERVICES_QUOTA_ADMISSION_LEDGER_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/atomic_write.h"
#include "common/record_store.h"
#include "common/redis_client.h"
#include "common/streams.h"
#include "partydev/common/v1/categories.pb.h"
#include "partydev/events/v1/events.pb.h"
#include "partydev/quota/v1/achievements.pb.h"
#include "services/quota/domain/rule_sets.h"

namespace partydev::quota {

// The sums of one organisation's counters over a span of days.
struct CountSums {
  int admitted = 0;       // admissions counted at the org (and below)
  int admitted_here = 0;  // admissions in the org itself
  int removed = 0;        // removals from probation
  int counted = 0;        // the sum of the deltas: what reports use
  // The same per category (only categories with a non-zero figure).
  struct Category {
    int admitted = 0;
    int removed = 0;
    int counted = 0;
  };
  std::map<common::v1::Category, Category> categories;
};

// The daily counters of one organisation, as loaded.
class OrganizationCounts {
 public:
  OrganizationCounts() = default;
  // From the counter hash's field/value pairs.
  static OrganizationCounts FromHash(
      const std::vector<std::pair<std::string, std::string>>& fields);

  // Sums over [from, to], both inclusive.
  CountSums Sum(absl::CivilDay from, absl::CivilDay to) const;
  bool empty() const { return days_.empty(); }

 private:
  struct Cell {
    char kind;
    int category;
    int count;
  };
  // yyyymmdd -> counters of the day.
  std::map<int, std::vector<Cell>> days_;
};

// The {record} id of the ledger record of event `event_id`.
std::string AdmissionRecordId(absl::string_view event_id);

class AdmissionLedger {
 public:
  AdmissionLedger(RedisClient& redis, std::string key_prefix,
                  const domain::QuotaRuleSetRegistry& rules);

  // Stages the effect of `event` (read from stream entry `entry_id`) into
  // `write`: the ledger record, the indexes and the counters. Returns false
  // and stages nothing for events of other types.
  absl::StatusOr<bool> StageApply(const std::string& entry_id,
                                  const events::v1::Event& event,
                                  AtomicWrite& write);

  // Counts a redelivery of `event` (an event id already applied) in its
  // record's duplicate_deliveries, for the audit; nothing for events with
  // no record of their own (ProbationStarted, other types). For the
  // projection's duplicate path; retries a concurrent change.
  absl::Status RecordDuplicate(const events::v1::Event& event);

  // The counters of many organisations ("organizations/{org}") in one
  // round trip, in the same order.
  absl::StatusOr<std::vector<OrganizationCounts>> Counts(
      const std::vector<std::string>& organization_names);

  // One ledger record; NOT_FOUND naming it.
  absl::StatusOr<v1::AdmissionRecord> GetRecord(const std::string& name);

  // Record names counted at (or admitted in, when `admitted_here`) the
  // organisation, newest counted_on first (or oldest first when
  // `ascending`; one day's records by name, reversed when newest first),
  // after `cursor` (a record name of the previous page; "" from the start),
  // at most `limit`: the cursor's rank is looked up, so records added
  // meanwhile never shift a page.
  absl::StatusOr<IdPage> ListRecords(const std::string& organization_name,
                                     bool admitted_here, bool ascending,
                                     const std::string& cursor, int limit);
  // Reads records by name, in order (absent ones skipped).
  absl::StatusOr<std::vector<v1::AdmissionRecord>> GetRecords(
      const std::vector<std::string>& names);
  // Every record name of the index ListRecords pages, in the same order.
  absl::StatusOr<std::vector<std::string>> AllRecordNames(
      const std::string& organization_name, bool admitted_here, bool ascending);

 private:
  std::string CountersKey(absl::string_view organization_name) const;
  std::string IndexKey(absl::string_view organization_name,
                       bool admitted_here) const;
  std::string PersonKey(absl::string_view person) const;
  // A record of `event` admitted in `organization`, with the fields every
  // kind has.
  v1::AdmissionRecord NewRecord(const std::string& entry_id,
                                const events::v1::Event& event,
                                const std::string& organization) const;
  absl::StatusOr<bool> Exists(const std::string& name);
  // Stages the counters and index entries of a counted record: `a` (or `r`)
  // on `counted_on`, the delta on `delta_on`, at every counted organisation.
  void StageCounters(const v1::AdmissionRecord& record,
                     absl::CivilDay counted_on, absl::CivilDay delta_on,
                     AtomicWrite& write) const;
  absl::StatusOr<bool> StageAdmission(const std::string& entry_id,
                                      const events::v1::Event& event,
                                      AtomicWrite& write);
  absl::StatusOr<bool> StageCeremony(const events::v1::Event& event,
                                     AtomicWrite& write);
  absl::StatusOr<bool> StageRemoval(const std::string& entry_id,
                                    const events::v1::Event& event,
                                    AtomicWrite& write);

  RedisClient& redis_;
  const std::string key_prefix_;
  RecordStore records_;
  const domain::QuotaRuleSetRegistry& rules_;
};

}  // namespace partydev::quota

#endif  // PARTYDEV_SERVICES_QUOTA_ADMISSION_LEDGER_H_
