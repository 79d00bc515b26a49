// File: services/membership/domain/meetings.h
//
// The rules of cell meetings (sinh hoạt chi bộ) and their attendance, pure:
// who is invited, what a meeting must be to be scheduled and to be recorded
// as held, the quorum, the flags a meeting carries, and the months a member
// was absent without reason (what early warnings count).
//
//  - A cell meets regularly every month and holds a thematic meeting at
//    least once a quarter (Chỉ thị 10-CT/TW; Hướng dẫn 12-HD/BTCTW).
//  - Invited: the cell's members on the rolls who are not exempt (Party
//    Charter, art. 7: an exempt member is not called), the members hosted
//    on a temporary transfer (they attend at the host: domain.md), the
//    officials of the superior level assigned to attend (Kết luận 52-KL/TU,
//    directive 06-CT/TU) and guests. Members and hosted members are
//    expected (they count in attendance rates); only the cell's own members
//    are called for the quorum (a temporary member is not counted at the
//    host, domain.md).
//  - Quorum: at least `RuleSet.meetings.quorum` (2/3) of the members called
//    are present (Charter art. 10, versioned).
//  - Absence without reason from the regular meeting of a month counts
//    towards the early warnings and the removal ground (Charter art. 8).
//
// Example:
//   std::vector<v1::Invitee> invitees = Invitees(home, hosted,
//       meeting.assigned_officials(), meeting.guests());
//   v1::Quorum q = QuorumOf(invitees, statuses, rules.meetings().quorum());

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_MEETINGS_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_MEETINGS_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/errors.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "partydev/common/v1/types.pb.h"
#include "partydev/membership/v1/cell_life.pb.h"
#include "partydev/membership/v1/meetings.pb.h"
#include "partydev/membership/v1/organizations.pb.h"
#include "partydev/membership/v1/rules.pb.h"
#include "partydev/membership/v1/types.pb.h"

namespace partydev::membership::domain {

// One person of a cell's roll as the invitation sees them.
struct RollMember {
  std::string person;            // "people/{id}"
  bool member_on_rolls = false;  // a member (probationary or official) still
                                 // on the rolls
  bool exempt = false;           // exempt from work and meetings (Charter
                                 // art. 7): never invited
  bool away = false;             // at home here, but hosted elsewhere on a
                                 // temporary transfer: invited there
};

// The invitees of a meeting of a cell whose home roll is `home` and whose
// hosted roll (temporary members) is `hosted`, with the assigned officials
// and the guests, in that order; a person appears once (first role wins).
std::vector<v1::Invitee> Invitees(
    const std::vector<RollMember>& home, const std::vector<RollMember>& hosted,
    const google::protobuf::RepeatedPtrField<v1::AssignedOfficial>& officials,
    const google::protobuf::RepeatedPtrField<std::string>& guests);

// The invitee `person` of `meeting`, or nullptr.
const v1::Invitee* FindInvitee(const v1::Meeting& meeting,
                               const std::string& person);

// What the service looked up to schedule a meeting of `organization`.
struct ScheduleFacts {
  v1::Organization organization;
  // The assigned officials (people) that exist.
  std::set<std::string> existing_people;
};

// The rules of scheduling (CreateMeeting, UpdateMeeting):
// `meeting.party_organization` (a party committee or cell meets, not a
// department or a mass organisation), `meeting.theme_required` (THEMATIC),
// `meeting.official_assignment` (each official exists and comes from an
// organisation strictly above the cell, on its path).
std::vector<RuleViolation> CheckSchedule(const v1::Meeting& meeting,
                                         const ScheduleFacts& facts,
                                         const v1::RuleSet& rules);

// The rules of recording a meeting held on `outcome.held_on()` as of
// `today`: `meeting.not_in_future`, `meeting.minutes_required` (a
// reference of any kind: number, directive, title or uri),
// `meeting.quality_required`.
std::vector<RuleViolation> CheckOutcome(const std::string& meeting,
                                        const v1::MeetingOutcome& outcome,
                                        const common::v1::Date& today,
                                        const v1::RuleSet& rules);

// The rules of recording attendance (BatchCreateAttendances, or with
// RecordMeetingHeld): `attendance.invitee` (only invitees),
// `attendance.complete` (every expected invitee) and
// `attendance.excuse_reason` (an EXCUSED entry gives its reason). Entries
// must name distinct people (INVALID_ARGUMENT otherwise, checked by the
// service).
std::vector<RuleViolation> CheckAttendances(
    const v1::Meeting& meeting,
    const google::protobuf::RepeatedPtrField<v1::AttendanceEntry>& entries,
    const v1::RuleSet& rules);

// The quorum of `meeting` from the attendance status of each person:
// called = expected invitees of role MEMBER; present = those of them
// PRESENT; required = ceil(called * n / d); reached when present >=
// required.
v1::Quorum QuorumOf(
    const google::protobuf::RepeatedPtrField<v1::Invitee>& invitees,
    const std::map<std::string, v1::AttendanceStatus>& status,
    const v1::Fraction& threshold);

// True when the month of `period` ended before `day`.
bool MonthEndedBefore(const v1::YearMonth& period, const common::v1::Date& day);

// The flags of `meeting` as its state, outcome and quorum stand, keeping
// NOT_HELD_IN_MONTH once raised (by the daily watch, or because the
// meeting was held after its month): ATTENDANCE_MISSING (held, no
// attendance yet), QUALITY_MISSING (held, no self-assessment), NO_QUORUM.
std::vector<v1::MeetingFlag> FlagsOf(const v1::Meeting& meeting,
                                     bool attendance_recorded);

// Sets `meeting`'s flags to FlagsOf.
void UpdateFlags(v1::Meeting& meeting, bool attendance_recorded);

// One attendance record with what its meeting says of it.
struct AttendanceFact {
  v1::MeetingKind kind = v1::MEETING_KIND_UNSPECIFIED;
  v1::YearMonth period;
  v1::AttendanceStatus status = v1::ATTENDANCE_STATUS_UNSPECIFIED;
  bool expected = false;
};

// The months (1..12, ascending, distinct) of `year` in which the person
// was ABSENT without reason from a REGULAR meeting (the meeting's period
// month): what the early warnings count (directive 06-CT/TU; Charter art.
// 8's removal ground). Excused absences do not count.
std::vector<int> AbsenceMonths(const std::vector<AttendanceFact>& facts,
                               int year);

// A member's attendance over a period: the meetings she was expected at
// (`month` 0: the whole `year`), counted by status, the rate and the
// absence months. Sets expected, present, excused, absent, rate_percent,
// absent_months of `rate`.
void TallyAttendance(const std::vector<AttendanceFact>& facts, int year,
                     int month, v1::MemberAttendanceRate& rate);

// "Sinh hoạt chi bộ thường kỳ tháng 3/2026", "Sinh hoạt chuyên đề
// \"<theme>\" tháng 3/2026": the title of an announcement.
std::string MeetingTitle(const v1::Meeting& meeting);

// "có mặt", "vắng có lý do", "vắng không lý do": a status in words.
std::string AttendanceStatusTitle(v1::AttendanceStatus status);

}  // namespace partydev::membership::domain

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_MEETINGS_H_
