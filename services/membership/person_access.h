// File: services/membership/person_access.h
//
// What every RPC that reads or changes a person does the same way: find the
// person named in a request and check that the caller may see it
// (authorisation by subtree, in the service layer), withhold personal data
// from callers without the role, and record a change of a person (the
// person's indexes, its events and its audit entry) in a Change.
//
// Example (a step on a person):
//   absl::StatusOr<StoredPerson> person =
//       ReadPersonForChange(context, call, request.name(), "name");
//   if (!person.ok()) return person.status();
//   v1::Person after = person->message;
//   ... apply the step (domain rules) ...
//   return IdempotentChange(redis, prefix, "RecordCeremony", request_id,
//       request, response, [&](Change& change) {
//     PersonChangeRecorder(context, call, request_id, reason)
//         .Record(change, &*person, after, "AdmissionService.RecordCeremony",
//                 "Lễ kết nạp", {event});
//     response = Visible(after, call.principal);
//     return absl::OkStatus();
//   });

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_PERSON_ACCESS_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_PERSON_ACCESS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/errors.h"
#include "common/principal.h"
#include "common/service_runtime.h"
#include "partydev/events/v1/events.pb.h"
#include "partydev/membership/v1/people.pb.h"
#include "services/membership/journal.h"
#include "services/membership/membership_context.h"
#include "services/membership/person_store.h"

namespace partydev::membership {

// "people/{id}" with an AIP-122 id; adds a violation of `field` otherwise
// (empty and `required`: "is required").
void CheckPersonName(FieldChecker& check, const std::string& name,
                     absl::string_view field, bool required = true);

// "organizations/{id}"; as above.
void CheckOrganizationRef(FieldChecker& check, const std::string& name,
                          absl::string_view field, bool required = true);

// True when the caller's subtree holds the person: the home organisation's
// path, or (for reading only) the host's path of a temporary transfer.
bool CallerCoversPerson(MembershipContext& context, const Principal& caller,
                        const v1::Person& person, bool for_reading);

// Reads the person named `name` (validated as `field`): NOT_FOUND when
// absent, PERMISSION_DENIED (OUTSIDE_SUBTREE) when the caller's subtree
// does not hold them. For reading, the host of a temporary transfer also
// holds the person.
absl::StatusOr<StoredPerson> ReadPersonForRead(MembershipContext& context,
                                               const CallContext& call,
                                               const std::string& name,
                                               absl::string_view field);
absl::StatusOr<StoredPerson> ReadPersonForChange(MembershipContext& context,
                                                 const CallContext& call,
                                                 const std::string& name,
                                                 absl::string_view field);

// PERMISSION_DENIED (ROLE_REQUIRED) unless the caller records steps and
// lifecycle changes: secretary, organization_board or admin.
absl::Status RequireRecorder(const Principal& caller, absl::string_view action);

// True when the caller may see the personal data of `person`: the role
// personal_data (or admin), or the person themselves.
bool MaySeePersonalData(const Principal& caller, const v1::Person& person);

// The fields withheld from callers without personal data access, in the
// order of Person.
const std::vector<std::string>& SensitiveFields();

// `person` as `caller` may see it: sensitive fields cleared and named in
// redacted_fields when the caller may not see personal data; the etag set.
v1::Person Visible(v1::Person person, const Principal& caller);

// True for a member: probationary or official (Party Charter, art. 5).
bool IsMember(const v1::Person& person);

// A member still on the rolls of partydev: not departed, not transferred
// out; whom meetings, dues and early warnings concern.
bool IsMemberOnRolls(const v1::Person& person);

// The organisation of a person as the event and audit paths need it.
struct PersonPlace {
  std::string organization;                              // "organizations/{id}"
  google::protobuf::RepeatedPtrField<std::string> path;  // root first
};

// Records a change of one person in `change`: the person's write with all
// its indexes (PersonStore::StageWrite), the events (their envelopes made
// here: id, time, actor, request id, the person's organisation path; their
// payloads set by the caller) and one audit entry.
class PersonChangeRecorder {
 public:
  PersonChangeRecorder(MembershipContext& context, const CallContext& call,
                       const std::string& request_id,
                       const std::string& reason);

  // The stamp of this change (who, when, why), for create_stamp and
  // update_stamp.
  const common::v1::ChangeStamp& stamp() const { return stamp_; }

  // An event about `person` dated `act_date`, its payload to be set.
  events::v1::Event NewPersonEvent(const v1::Person& person,
                                   const common::v1::Date& act_date) const;

  // Stages `after` (read as `before`; nullptr: new) with its indexes, the
  // events (SetType applied) and an audit entry of `method` (e.g.
  // "partydev.membership.v1.AdmissionService.RecordCeremony") with a
  // summary in Vietnamese. Sets after's update_stamp (and create_stamp
  // when new) and etag. Returns the etag after.
  std::string Record(Change& change, const StoredPerson* before,
                     v1::Person& after, absl::string_view method,
                     std::string summary,
                     std::vector<events::v1::Event> events);

  // Stages a sub-resource record (a transfer, a discipline...) `name` read
  // at `version` (0: new) of `person`, and adds it to the collection index
  // "<parent>/<collection>" and the home organisation's index of that
  // collection. Does not write the person.
  void RecordResource(Change& change, const v1::Person& person,
                      const std::string& name, int64_t version,
                      const google::protobuf::Message& message,
                      absl::string_view collection);

  // Adds an audit entry (and events) for a change that does not write the
  // person itself (a sub-resource), in the person's organisation.
  void RecordJournal(Change& change, const v1::Person& person,
                     absl::string_view method, const std::string& target,
                     std::string summary, const std::string& etag_before,
                     std::vector<events::v1::Event> events);

 private:
  MembershipContext& context_;
  const CallContext& call_;
  std::string request_id_;
  common::v1::ChangeStamp stamp_;
};

// The full RPC name of a method of a membership service:
// MethodName("AdmissionService", "RecordCeremony").
std::string MethodName(absl::string_view service, absl::string_view method);

}  // namespace partydev::membership

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_PERSON_ACCESS_H_
