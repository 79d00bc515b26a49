// File: services/membership/meeting_records.h
//
// What the meeting RPCs (meeting_rpcs.cc) and the attendance RPCs
// (attendance_rpcs.cc) share, beyond what they offer the other parts of
// CellLifeService (cell_life_records.h): reading a meeting with the access
// check of its organisation, the rolls a meeting invites from, staging a
// meeting with its audit entry, and staging a meeting's attendance with the
// early warnings it raises (RecordMeetingHeld records attendance in the
// same step as BatchCreateAttendances).

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_MEETING_RECORDS_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_MEETING_RECORDS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/errors.h"
#include "common/record_store.h"
#include "common/service_runtime.h"
#include "partydev/events/v1/events.pb.h"
#include "partydev/membership/v1/meetings.pb.h"
#include "partydev/membership/v1/rules.pb.h"
#include "services/membership/journal.h"
#include "services/membership/membership_context.h"
#include "services/membership/organization_store.h"
#include "services/membership/person_store.h"

namespace partydev::membership {

// The collections of meetings (cell_life_records.h lists their keys).
inline constexpr absl::string_view kMeetings = "meetings";
inline constexpr absl::string_view kAttendances = "attendances";

// A meeting as stored, with its organisation.
struct MeetingInOrganization {
  StoredOrganization organization;
  Stored<v1::Meeting> meeting;
};

// "organizations/{org}/meetings/{m}" → ("organizations/{org}", "{m}");
// adds a violation of `field` when malformed ("-" is accepted as the
// meeting id only with `allow_wildcard`).
std::pair<std::string, std::string> SplitMeetingName(FieldChecker& check,
                                                     const std::string& name,
                                                     absl::string_view field,
                                                     bool allow_wildcard);

// Reads the meeting `name` (validated as `field`) with its organisation,
// through ReadOrganizationForCellLife (subtree; with `for_recording` the
// secretary of the cell or a committee role above it).
absl::StatusOr<MeetingInOrganization> ReadMeetingForCellLife(
    MembershipContext& context, const CallContext& call,
    const std::string& name, absl::string_view field, bool for_recording);

// The people of the rolls `roll` of `org_ids`, each as its roll position
// ("<folded name>\x1f<id>", the order of names) and its name
// "people/{id}", in roll order.
struct RollEntry {
  std::string position;
  std::string person;
};
absl::StatusOr<std::vector<RollEntry>> ReadRoll(
    MembershipContext& context, const std::vector<std::string>& org_ids,
    Roll roll);

// Stages `meeting` (read at `version`; 0: new, added to its
// organisation's index) with the audit entry of `method` on it, and
// `events` (payloads set) appended. Sets the meeting's update_stamp (and
// create_stamp when new) from `stamp`, and its etag.
void StageMeeting(MembershipContext& context, Change& change,
                  const v1::Organization& organization, int64_t version,
                  v1::Meeting& meeting, absl::string_view method,
                  const common::v1::ChangeStamp& stamp, std::string summary,
                  std::vector<events::v1::Event> events);

// Checks the fields of attendance entries (under `field`): a person name,
// a status, each person once.
void CheckAttendanceEntries(
    FieldChecker& check,
    const google::protobuf::RepeatedPtrField<v1::AttendanceEntry>& entries,
    absl::string_view field);

// Stages the attendance `entries` of the HELD `meeting` (no attendance
// recorded yet; checked by the caller with domain::CheckAttendances): the
// records and their indexes, and the quorum and flags set on `meeting`
// (its write is left to the caller). Returns the records staged.
std::vector<v1::Attendance> StageAttendances(
    MembershipContext& context, const CallContext& call,
    const std::string& request_id, Change& change, v1::Meeting& meeting,
    const google::protobuf::RepeatedPtrField<v1::AttendanceEntry>& entries,
    const v1::RuleSet& rules);

// Stages the early warnings (StageEarlyWarnings) of the members on the
// rolls among the expected invitees of `written`, records of `meeting`
// being written in `change`, with the records already stored. Called once
// the change's audit entry is staged: the warnings join it as related.
absl::Status StageAbsenceWarnings(MembershipContext& context,
                                  const CallContext& call,
                                  const std::string& request_id,
                                  const std::string& reason, Change& change,
                                  const v1::Meeting& meeting,
                                  const std::vector<v1::Attendance>& written);

}  // namespace partydev::membership

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_MEETING_RECORDS_H_
