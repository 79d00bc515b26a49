// File: services/membership/cell_life_records.h
//
// What the parts of CellLifeService share: who may read and record a
// cell's life, and the reads and staged writes one part makes of another's
// records. Each function is implemented in the file of the concept it
// belongs to (named in its section); the records are kept by the
// RecordStore (common/record_store.h) with the keys listed here (P is the
// hash-tagged prefix):
//
//   Meetings (meeting_rpcs.cc, attendance_rpcs.cc)
//     P r:organizations/{org}/meetings/{m}             Meeting
//     P c:organizations/{org}/meetings                  meeting ids
//     P r:organizations/{org}/meetings/{m}/attendances/{person id}
//                                                       Attendance
//     P c:organizations/{org}/meetings/{m}/attendances  person ids
//     P c:people/{p}/attendances                        attendance names of
//                                                       the person, every
//                                                       meeting
//   Dues (dues_rpcs.cc)
//     P r:people/{p}/duesPayments/{YYYY-MM}             DuesPayment
//     P c:people/{p}/duesPayments                       months
//     P o:<org>:duesPayments                            payment names of the
//                                                       cell's payments
//     P r:organizations/{org}/duesCollections/{YYYY-MM} DuesCollection as
//                                                       remitted (the open
//                                                       month is computed)
//     P c:organizations/{org}/duesCollections           months remitted
//   Early warnings (early_warnings.cc, warning_rpcs.cc)
//     P r:people/{p}/earlyWarnings/{id}                 EarlyWarning; the id
//                                                       is derived, so a
//                                                       warning is raised
//                                                       once: "{year}-absence-
//                                                       reminder", "{year}-
//                                                       dues-follow-up",
//                                                       "{year}-removal-
//                                                       proposal" (one per
//                                                       member and year)
//     P c:people/{p}/earlyWarnings, P o:<org>:earlyWarnings
//   Residence (residence_rpcs.cc)
//     P r:people/{p}/residentialRegistrations/{id}, its c: and o: indexes
//     P o:<residential org>:residents                   registration names
//     P r:people/{p}/residentialComments/{YYYY}, its c: and o: indexes
//
// Every write goes through a Change (journal.h), with its events and audit
// entry, in one atomic script.

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_CELL_LIFE_RECORDS_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_CELL_LIFE_RECORDS_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/record_store.h"
#include "common/service_runtime.h"
#include "partydev/common/v1/types.pb.h"
#include "partydev/membership/v1/cell_life.pb.h"
#include "partydev/membership/v1/dues.pb.h"
#include "partydev/membership/v1/meetings.pb.h"
#include "partydev/membership/v1/residence.pb.h"
#include "partydev/membership/v1/warnings.pb.h"
#include "services/membership/journal.h"
#include "services/membership/membership_context.h"
#include "services/membership/organization_store.h"
#include "services/membership/person_access.h"
#include "services/membership/person_store.h"

namespace partydev::membership {

// ---- Access (cell_life_access.cc) ----------------------------------------

// "people/me" (and "people/me/..." prefixes) → the caller's own person name
// ("people/{id}" from the token's subject); any other name unchanged.
std::string ResolveMe(const CallContext& call, const std::string& name);

// True when the caller acts only as a member for herself (role "member" and
// none of admin, organization_board, secretary, reader, system): such a
// caller reads her own records and nothing else of her cell.
bool IsMemberOnly(const Principal& caller);

// Reads the person `name` (after ResolveMe) for reading a cell-life record:
// NOT_FOUND, PERMISSION_DENIED outside the caller's subtree, and
// PERMISSION_DENIED for a member-only caller reading anyone but herself.
absl::StatusOr<StoredPerson> ReadPersonForCellLife(MembershipContext& context,
                                                   const CallContext& call,
                                                   const std::string& name,
                                                   absl::string_view field);

// Reads the organisation `name` ("organizations/{id}", validated as
// `field`): NOT_FOUND, PERMISSION_DENIED outside the caller's subtree. With
// `for_recording`, also the role to record a cell's life (secretary of the
// cell or a committee role above it: secretary, organization_board, admin);
// a member-only caller is refused either way (she reads her own records
// through "people/{her id}" and GetMyOverview).
absl::StatusOr<StoredOrganization> ReadOrganizationForCellLife(
    MembershipContext& context, const CallContext& call,
    const std::string& name, absl::string_view field, bool for_recording);

// "YYYY-MM" → (year, month); nullopt when malformed or the month is not
// 1..12.
std::optional<v1::YearMonth> ParseYearMonthId(absl::string_view id);
// (year, month) → "YYYY-MM".
std::string YearMonthId(int year, int month);

// ---- Meetings and attendance (meeting_rpcs.cc, attendance_rpcs.cc) ------

// Every meeting of the organisation `org_id`, in id order.
absl::StatusOr<std::vector<Stored<v1::Meeting>>> ReadMeetingsOf(
    MembershipContext& context, const std::string& org_id);

// One attendance record of a person, with the meeting it belongs to.
struct PersonAttendance {
  v1::Attendance attendance;
  v1::Meeting meeting;
};
// Every attendance record of `person_name` at meetings whose period is in
// `year`.
absl::StatusOr<std::vector<PersonAttendance>> ReadAttendancesOf(
    MembershipContext& context, const std::string& person_name, int year);

// The member's attendance over `period` (the row of
// ListMemberAttendanceRates and of the member's own view).
absl::StatusOr<v1::MemberAttendanceRate> AttendanceRateOf(
    MembershipContext& context, const v1::Person& person,
    const v1::ReportPeriod& period);

// Raises MEETING_FLAG_NOT_HELD_IN_MONTH on the SCHEDULED meetings of
// `org_id` whose month ended before `today` (once: a flagged meeting is
// not written again). Returns how many it flagged.
absl::StatusOr<int> FlagMeetingsNotHeld(MembershipContext& context,
                                        const std::string& org_id,
                                        const common::v1::Date& today);

// ---- Dues (dues_rpcs.cc) --------------------------------------------------

// The member's dues for `year` as of `today`: the twelve months with their
// states (FUTURE from today's month on, NOT_DUE outside membership or when
// free by party age), arrears and unpaid past months.
absl::StatusOr<v1::DuesStatement> ComputeDuesStatement(
    MembershipContext& context, const v1::Person& person, int year,
    const common::v1::Date& today);

// The cell `org_id`'s collection for a month as of `today`: computed from
// its members and their payments, with the remittance when recorded.
absl::StatusOr<v1::DuesCollection> ComputeDuesCollection(
    MembershipContext& context, const std::string& org_id, int year, int month,
    const common::v1::Date& today);

// ---- Early warnings (early_warnings.cc) ---------------------------------

// What a part knows of one member's months of one cause in a year: the
// months (1..12) that count (absent without reason from the regular
// meeting, or unpaid) and the evidence for them (attendance names, or the
// dues statement's name).
struct CountedMonths {
  v1::WarningCause cause = v1::WARNING_CAUSE_UNSPECIFIED;
  int year = 0;
  std::vector<int> months;
  std::vector<std::string> evidence;
};

// Stages into `change` what `counted` means for `person` under the rule
// set's thresholds (RuleSet.early_warnings; the rule set in force at
// `today`): each level reached and not yet raised for this cause and year
// is raised (the lower open ones of the cause marked ESCALATED), with a
// MemberWarningRaised event; at most one REMOVAL_PROPOSAL per member and
// year whatever the cause (the second cause is added to it). Levels no
// longer reached after a correction close as RECORDS_CORRECTED. Exempt
// members and people not on the rolls are never warned. Reads the person's
// warnings and expects their versions, so a replayed or concurrent run
// writes nothing twice.
absl::Status StageEarlyWarnings(MembershipContext& context,
                                PersonChangeRecorder& recorder, Change& change,
                                const v1::Person& person,
                                const CountedMonths& counted,
                                const common::v1::Date& today);

// The warnings of `person_name` in `year` (0: every year).
absl::StatusOr<std::vector<Stored<v1::EarlyWarning>>> ReadWarningsOf(
    MembershipContext& context, const std::string& person_name, int year);

// Closes as MEMBER_REMOVED, in the removal's `change`, every open
// REMOVAL_PROPOSAL of `person` that PersonService.RemoveMember cites in
// its `evidence` (other evidence is left alone; a warning name of the
// person that does not exist is INVALID_ARGUMENT on `evidence`).
absl::Status StageRemovalProposalsClosed(
    MembershipContext& context, PersonChangeRecorder& recorder, Change& change,
    const v1::Person& person,
    const google::protobuf::RepeatedPtrField<std::string>& evidence);

// ---- A person's records (warning_rpcs.cc) --------------------------------

// "people/{p}/<collection>/{id}" (after ResolveMe) → ("people/{p}", id);
// INVALID_ARGUMENT on `field` when it is not of that form.
absl::StatusOr<std::pair<std::string, std::string>> SplitPersonRecordName(
    const CallContext& call, const std::string& name,
    absl::string_view collection, absl::string_view field);

// The names of the records of `collection` of the person `parent` (read
// with ReadPersonForCellLife), or with "people/-" of every person of the
// subtree of `organization` (default the caller's; read with
// ReadOrganizationForCellLife) through the organisations' o: indexes of
// `collection` (or of `org_index`, e.g. "residents"). Sorted, unique.
absl::StatusOr<std::vector<std::string>> PersonRecordNames(
    MembershipContext& context, const CallContext& call,
    const std::string& parent, const std::string& organization,
    absl::string_view collection, absl::string_view org_index = "");

// ---- Reports (cell_life_reports.cc) -------------------------------------

// ReportMeetingLife for `call` (also AdministrationService.ExportCsv's
// EXPORT_KIND_MEETING_LIFE, which pages through it): the subtree's cells
// with the access check of ReadOrganizationForCellLife.
absl::Status BuildMeetingLifeReport(MembershipContext& context,
                                    const CallContext& call,
                                    const v1::ReportMeetingLifeRequest& request,
                                    v1::MeetingLifeReport& response);

// ---- Residence (residence_rpcs.cc) --------------------------------------

// The person's ACTIVE residential registration, if any.
absl::StatusOr<std::optional<v1::ResidentialRegistration>> ActiveRegistrationOf(
    MembershipContext& context, const std::string& person_name);

}  // namespace partydev::membership

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_CELL_LIFE_RECORDS_H_
