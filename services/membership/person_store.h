// File: services/membership/person_store.h
//
// The people of the membership record and their indexes; with
// record_store.h the only code of people that speaks Redis. A person is
// the record "people/{id}" of the RecordStore. Beside it (P is the
// hash-tagged prefix):
//
//   P citizen:<12 digits>  record {v, d: "people/{id}"}: one person per
//                          citizen identity number, enforced by the commit
//                          (a second registration finds the key present)
//   P o:<org>:people       zset, score 0, of "<folded name>\x1f<id>" for
//                          the people whose home organisation is <org>:
//                          a page in name order is one range
//   P o:<org>:hosted       the same, for members hosted on a temporary
//                          transfer
//   P o:<org>:former       the same, for people whose home <org> was once
//                          (a roll "as of" a past date reads them too)
//   P o:<org>:counts       hash of counters of the people at home there:
//                          "stage:<n>", "status:<n>", "mcat:<n>" (members
//                          per category), "ccat:<n>" (candidates per
//                          category), "hosted"
//   P deadlines            zset, score the due day as yyyymmdd, of
//                          "<id>\x1f<kind>\x1f<subject>": every open
//                          deadline, for the scanner of approaching ones
//
// StageWrite derives every index change from the person before and after,
// so no step can forget one: a step changes the Person, the store keeps
// the indexes and the counters in the same atomic write.

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_PERSON_STORE_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_PERSON_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/atomic_write.h"
#include "common/record_store.h"
#include "partydev/membership/v1/people.pb.h"

namespace partydev::membership {

using StoredPerson = Stored<v1::Person>;

// Which people of an organisation an index holds.
enum class Roll {
  kHome,    // at home there now
  kHosted,  // hosted there on a temporary transfer now
  kFormer,  // at home there once
};

// A page of people ids from one or more rolls, in (folded name, id) order.
struct PersonIdPage {
  std::vector<std::string> ids;
  // The roll position of each id ("<folded name>\x1f<id>"): a cursor.
  std::vector<std::string> positions;
  std::string next_cursor;  // the position of the last; "" at the end
};

class PersonStore {
 public:
  explicit PersonStore(RecordStore& records);

  // "people/{id}" → the person. NOT_FOUND naming it when absent.
  absl::StatusOr<StoredPerson> Get(const std::string& name);
  // Many at once; absent ones are skipped.
  absl::StatusOr<std::vector<StoredPerson>> GetMany(
      const std::vector<std::string>& names);

  // The person registered with a citizen id, if any ("people/{id}").
  absl::StatusOr<std::optional<std::string>> FindByCitizenId(
      const std::string& citizen_id);

  // Stages the write of `after`, read as `before` (nullptr: a new person),
  // with every index and counter change it implies. The commit aborts
  // (ABORTED) if the person changed since it was read, or if the citizen
  // id was registered meanwhile (its key is expected absent).
  void StageWrite(AtomicWrite& write, const StoredPerson* before,
                  const v1::Person& after) const;

  // People of the rolls `roll` of the organisations `org_ids`, merged in
  // (folded name, id) order, after `cursor`, whose folded name matches
  // every word of `folded_query` (see names.h), at most `limit`.
  absl::StatusOr<PersonIdPage> Page(const std::vector<std::string>& org_ids,
                                    Roll roll, const std::string& cursor,
                                    const std::string& folded_query, int limit);
  // Calls `visit` with every person ever at home in `org_ids` (their home
  // and former rolls), each once: what counts on a past date
  // (CountPeople as_of) and yearly admission results read. Stops at the
  // first error `visit` returns.
  absl::Status ForEachEverAtHome(
      const std::vector<std::string>& org_ids,
      const std::function<absl::Status(const v1::Person&)>& visit);

  // Size of the rolls.
  absl::StatusOr<int64_t> Count(const std::vector<std::string>& org_ids,
                                Roll roll);

  // The counters of each organisation ("stage:<n>" → count...), in order.
  absl::StatusOr<std::vector<std::map<std::string, int64_t>>> Counters(
      const std::vector<std::string>& org_ids);

  // Open deadlines due on or before `day` (yyyymmdd), as
  // (person id, kind, subject), at most `limit`.
  struct DueDeadline {
    std::string person_id;
    int kind = 0;
    std::string subject;
    int due = 0;  // yyyymmdd
  };
  absl::StatusOr<std::vector<DueDeadline>> DeadlinesDueBy(int day, int limit);

  RecordStore& records() { return records_; }

 private:
  std::string RollKey(const std::string& org_id, Roll roll) const;
  std::string CountersKey(const std::string& org_id) const;

  RecordStore& records_;
};

// The counter fields a person contributes to their home organisation.
std::vector<std::string> CounterFields(const v1::Person& person);

// "people/{id}" → "{id}"; "organizations/{id}" → "{id}".
std::string LastSegment(const std::string& name);

}  // namespace partydev::membership

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_PERSON_STORE_H_
