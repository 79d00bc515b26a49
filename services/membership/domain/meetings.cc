#include "services/membership/domain/meetings.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "services/membership/domain/violations.h"

namespace partydev::membership::domain {
namespace {

int MonthKey(int year, int month) { return year * 12 + (month - 1); }

bool HasFlag(const v1::Meeting& meeting, v1::MeetingFlag flag) {
  for (int f : meeting.flags()) {
    if (f == flag) return true;
  }
  return false;
}

// A DocumentRef names a document when any of its references is given.
bool Names(const v1::DocumentRef& ref) {
  return !ref.number().empty() || !ref.directive().empty() ||
         !ref.title().empty() || !ref.uri().empty();
}

const char* KindTitle(v1::MeetingKind kind) {
  switch (kind) {
    case v1::MEETING_KIND_REGULAR:
      return "Sinh hoạt chi bộ thường kỳ";
    case v1::MEETING_KIND_THEMATIC:
      return "Sinh hoạt chuyên đề";
    case v1::MEETING_KIND_EXTRAORDINARY:
      return "Sinh hoạt chi bộ bất thường";
    default:
      return "Sinh hoạt chi bộ";
  }
}

const char* StatusTitle(v1::AttendanceStatus status) {
  switch (status) {
    case v1::ATTENDANCE_STATUS_PRESENT:
      return "có mặt";
    case v1::ATTENDANCE_STATUS_EXCUSED:
      return "vắng có lý do";
    case v1::ATTENDANCE_STATUS_ABSENT:
      return "vắng không lý do";
    default:
      return "chưa ghi";
  }
}

}  // namespace

std::vector<v1::Invitee> Invitees(
    const std::vector<RollMember>& home, const std::vector<RollMember>& hosted,
    const google::protobuf::RepeatedPtrField<v1::AssignedOfficial>& officials,
    const google::protobuf::RepeatedPtrField<std::string>& guests) {
  std::vector<v1::Invitee> out;
  std::set<std::string> seen;
  auto add = [&](const std::string& person, v1::InviteeRole role,
                 bool expected) -> v1::Invitee* {
    if (!seen.insert(person).second) return nullptr;
    v1::Invitee& i = out.emplace_back();
    i.set_person(person);
    i.set_role(role);
    i.set_expected(expected);
    return &i;
  };
  for (const RollMember& m : home) {
    // Exempt members are not called (Charter art. 7); a member away on a
    // temporary transfer attends at the host (domain.md).
    if (!m.member_on_rolls || m.exempt || m.away) continue;
    add(m.person, v1::INVITEE_ROLE_MEMBER, true);
  }
  for (const RollMember& m : hosted) {
    if (!m.member_on_rolls || m.exempt) continue;
    add(m.person, v1::INVITEE_ROLE_TEMPORARY_MEMBER, true);
  }
  for (const v1::AssignedOfficial& o : officials) {
    v1::Invitee* i = add(o.person(), v1::INVITEE_ROLE_SUPERIOR_OFFICIAL, false);
    if (i != nullptr) *i->mutable_assignment() = o;
  }
  for (const std::string& g : guests) add(g, v1::INVITEE_ROLE_GUEST, false);
  return out;
}

const v1::Invitee* FindInvitee(const v1::Meeting& meeting,
                               const std::string& person) {
  for (const v1::Invitee& i : meeting.invitees()) {
    if (i.person() == person) return &i;
  }
  return nullptr;
}

std::vector<RuleViolation> CheckSchedule(const v1::Meeting& meeting,
                                         const ScheduleFacts& facts,
                                         const v1::RuleSet& rules) {
  Violations unmet(rules);
  const v1::Organization& org = facts.organization;
  if (org.organization_class() != v1::ORGANIZATION_CLASS_PARTY_COMMITTEE &&
      org.organization_class() != v1::ORGANIZATION_CLASS_PARTY_CELL) {
    unmet.Add("meeting.party_organization", org.name(),
              absl::StrCat(org.display_name(),
                           " không phải là tổ chức đảng (chi bộ, đảng bộ); "
                           "chỉ tổ chức đảng mới tổ chức sinh hoạt chi bộ"));
  }
  if (meeting.kind() == v1::MEETING_KIND_THEMATIC && meeting.theme().empty()) {
    unmet.Add("meeting.theme_required", "meeting.theme",
              "Buổi sinh hoạt chuyên đề phải có chủ đề (Hướng dẫn "
              "12-HD/BTCTW)");
  }
  // Kết luận 52-KL/TU: the superior level assigns its committee members
  // and staff; an official of the cell itself or of a side branch is not
  // "of the superior level".
  for (int i = 0; i < meeting.assigned_officials_size(); ++i) {
    const v1::AssignedOfficial& o = meeting.assigned_officials(i);
    const std::string subject =
        absl::StrCat("meeting.assigned_officials[", i, "]");
    if (facts.existing_people.count(o.person()) == 0) {
      unmet.Add("meeting.official_assignment", subject,
                absl::StrCat("Không tìm thấy cán bộ ", o.person(),
                             " được phân công dự sinh hoạt"));
    }
    const auto above_end = org.path().end() - (org.path().empty() ? 0 : 1);
    if (std::find(org.path().begin(), above_end, o.organization()) ==
        above_end) {
      unmet.Add("meeting.official_assignment", subject,
                absl::StrCat("Cán bộ được phân công dự sinh hoạt phải thuộc "
                             "cấp ủy cấp trên của ",
                             org.display_name(), "; ", o.organization(),
                             " không phải là cấp trên của tổ chức này"));
    }
  }
  return unmet.Take();
}

std::vector<RuleViolation> CheckOutcome(const std::string& meeting,
                                        const v1::MeetingOutcome& outcome,
                                        const common::v1::Date& today,
                                        const v1::RuleSet& rules) {
  Violations unmet(rules);
  const auto day = [](const common::v1::Date& d) {
    return d.year() * 10000 + d.month() * 100 + d.day();
  };
  if (day(outcome.held_on()) > day(today)) {
    unmet.Add(
        "meeting.not_in_future", meeting,
        absl::StrCat("Ngày họp ", outcome.held_on().day(), "/",
                     outcome.held_on().month(), "/", outcome.held_on().year(),
                     " chưa đến; chỉ ghi nhận buổi họp đã diễn ra"));
  }
  if (!Names(outcome.minutes())) {
    unmet.Add("meeting.minutes_required", "outcome.minutes",
              "Buổi sinh hoạt đã diễn ra phải có biên bản (số, tiêu đề hoặc "
              "nơi lưu)");
  }
  if (outcome.quality() == v1::MEETING_QUALITY_UNSPECIFIED) {
    unmet.Add("meeting.quality_required", "outcome.quality",
              "Chi bộ phải tự đánh giá chất lượng buổi sinh hoạt (Hướng dẫn "
              "12-HD/BTCTW)");
  }
  return unmet.Take();
}

std::vector<RuleViolation> CheckAttendances(
    const v1::Meeting& meeting,
    const google::protobuf::RepeatedPtrField<v1::AttendanceEntry>& entries,
    const v1::RuleSet& rules) {
  Violations unmet(rules);
  std::set<std::string> given;
  for (int i = 0; i < entries.size(); ++i) {
    const v1::AttendanceEntry& e = entries[i];
    given.insert(e.person());
    const std::string subject = absl::StrCat("attendances[", i, "]");
    if (FindInvitee(meeting, e.person()) == nullptr) {
      unmet.Add("attendance.invitee", subject,
                absl::StrCat(e.person(), " không được mời dự buổi sinh hoạt ",
                             meeting.name()));
    }
    if (e.status() == v1::ATTENDANCE_STATUS_EXCUSED &&
        e.excuse_reason().empty()) {
      unmet.Add("attendance.excuse_reason", subject,
                absl::StrCat(e.person(),
                             " vắng có lý do: phải ghi rõ lý do vắng mặt"));
    }
  }
  for (const v1::Invitee& i : meeting.invitees()) {
    if (i.expected() && given.count(i.person()) == 0) {
      unmet.Add("attendance.complete", i.person(),
                absl::StrCat("Thiếu điểm danh của ", i.person(),
                             ": phải ghi nhận mọi đảng viên được triệu tập"));
    }
  }
  return unmet.Take();
}

v1::Quorum QuorumOf(
    const google::protobuf::RepeatedPtrField<v1::Invitee>& invitees,
    const std::map<std::string, v1::AttendanceStatus>& status,
    const v1::Fraction& threshold) {
  v1::Quorum q;
  int called = 0;
  int present = 0;
  for (const v1::Invitee& i : invitees) {
    // Temporary members are not counted at the host (domain.md).
    if (!i.expected() || i.role() != v1::INVITEE_ROLE_MEMBER) continue;
    ++called;
    const auto it = status.find(i.person());
    if (it != status.end() && it->second == v1::ATTENDANCE_STATUS_PRESENT) {
      ++present;
    }
  }
  q.set_called(called);
  q.set_present(present);
  *q.mutable_threshold() = threshold;
  q.set_required(LeastReaching(called, threshold));
  q.set_reached(present >= q.required());
  return q;
}

bool MonthEndedBefore(const v1::YearMonth& period,
                      const common::v1::Date& day) {
  return MonthKey(day.year(), day.month()) >
         MonthKey(period.year(), period.month());
}

std::vector<v1::MeetingFlag> FlagsOf(const v1::Meeting& meeting,
                                     bool attendance_recorded) {
  std::vector<v1::MeetingFlag> flags;
  const bool held = meeting.state() == v1::MEETING_STATE_HELD;
  if (HasFlag(meeting, v1::MEETING_FLAG_NOT_HELD_IN_MONTH) ||
      (held &&
       MonthEndedBefore(meeting.period(), meeting.outcome().held_on()))) {
    flags.push_back(v1::MEETING_FLAG_NOT_HELD_IN_MONTH);
  }
  if (held && attendance_recorded && !meeting.quorum().reached()) {
    flags.push_back(v1::MEETING_FLAG_NO_QUORUM);
  }
  if (held && !attendance_recorded) {
    flags.push_back(v1::MEETING_FLAG_ATTENDANCE_MISSING);
  }
  if (held && meeting.outcome().quality() == v1::MEETING_QUALITY_UNSPECIFIED) {
    flags.push_back(v1::MEETING_FLAG_QUALITY_MISSING);
  }
  return flags;
}

void UpdateFlags(v1::Meeting& meeting, bool attendance_recorded) {
  const std::vector<v1::MeetingFlag> flags =
      FlagsOf(meeting, attendance_recorded);
  meeting.clear_flags();
  for (v1::MeetingFlag f : flags) meeting.add_flags(f);
}

std::vector<int> AbsenceMonths(const std::vector<AttendanceFact>& facts,
                               int year) {
  std::set<int> months;
  for (const AttendanceFact& f : facts) {
    if (f.kind == v1::MEETING_KIND_REGULAR && f.period.year() == year &&
        f.status == v1::ATTENDANCE_STATUS_ABSENT && f.period.month() >= 1 &&
        f.period.month() <= 12) {
      months.insert(f.period.month());
    }
  }
  return {months.begin(), months.end()};
}

void TallyAttendance(const std::vector<AttendanceFact>& facts, int year,
                     int month, v1::MemberAttendanceRate& rate) {
  int expected = 0;
  int present = 0;
  int excused = 0;
  int absent = 0;
  for (const AttendanceFact& f : facts) {
    if (!f.expected || f.period.year() != year ||
        (month != 0 && f.period.month() != month)) {
      continue;
    }
    ++expected;
    if (f.status == v1::ATTENDANCE_STATUS_PRESENT) ++present;
    if (f.status == v1::ATTENDANCE_STATUS_EXCUSED) ++excused;
    if (f.status == v1::ATTENDANCE_STATUS_ABSENT) ++absent;
  }
  rate.set_expected(expected);
  rate.set_present(present);
  rate.set_excused(excused);
  rate.set_absent(absent);
  rate.set_rate_percent(expected > 0 ? 100.0 * present / expected : 0);
  rate.clear_absent_months();
  for (int m : AbsenceMonths(facts, year)) {
    if (month != 0 && m != month) continue;
    v1::YearMonth* ym = rate.add_absent_months();
    ym->set_year(year);
    ym->set_month(m);
  }
}

std::string MeetingTitle(const v1::Meeting& meeting) {
  std::string title = KindTitle(meeting.kind());
  if (!meeting.theme().empty()) {
    absl::StrAppend(&title, " \"", meeting.theme(), "\"");
  }
  absl::StrAppend(&title, " tháng ", meeting.period().month(), "/",
                  meeting.period().year());
  return title;
}

std::string AttendanceStatusTitle(v1::AttendanceStatus status) {
  return StatusTitle(status);
}

}  // namespace partydev::membership::domain
