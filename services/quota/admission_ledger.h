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
//                          yyyymmdd of counted_on
//   K here:<org id>       zset of record names admitted in the org itself
//   K n:<org id>          hash of daily counters, field
//                          "<yyyymmdd>|<kind>|<category number>" with kind
//                          a (admitted), h (admitted here), r (removed from
//                          probation), c (counted: the sum of deltas);
//                          category 0 is the total
//   K person:<person id>  the name of the person's latest admission record
//
// Event-id idempotency is the projection's (projections.h): StageApply is
// called once per event id.

#ifndef PARTYDEV_SERVICES_QUOTA_ADMISSION_LEDGER_H_
#define PARTYDEV_SERVICES_QUOTA_ADMISSION_LEDGER_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
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

  // The counters of many organisations ("organizations/{org}") in one
  // round trip, in the same order.
  absl::StatusOr<std::vector<OrganizationCounts>> Counts(
      const std::vector<std::string>& organization_names);

  // One ledger record; NOT_FOUND naming it.
  absl::StatusOr<v1::AdmissionRecord> GetRecord(const std::string& name);

  // Record names counted at (or admitted in, when `admitted_here`) the
  // organisation, newest counted_on first (or oldest first when
  // `ascending`), after `cursor` ("" from the start), at most `limit`.
  absl::StatusOr<IdPage> ListRecords(const std::string& organization_name,
                                     bool admitted_here, bool ascending,
                                     const std::string& cursor, int limit);
  // Reads records by name, in order.
  absl::StatusOr<std::vector<v1::AdmissionRecord>> GetRecords(
      const std::vector<std::string>& names);

 private:
  RedisClient& redis_;
  const std::string key_prefix_;
  RecordStore records_;
  const domain::QuotaRuleSetRegistry& rules_;
};

}  // namespace partydev::quota

#endif  // PARTYDEV_SERVICES_QUOTA_ADMISSION_LEDGER_H_
