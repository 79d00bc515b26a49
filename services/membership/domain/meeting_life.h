// File: services/membership/domain/meeting_life.h
//
// The report on meeting life (ReportMeetingLife, directive 06-CT/TU), pure:
// what a cell was expected to hold in a period and what it held, the
// quorum, the thematic share, attendance over the meetings held, the
// superior officials who attended (Kết luận 52-KL/TU), its members at each
// open warning level and its dues; and the total of a subtree.
//
//  - A cell meets regularly every month and holds a thematic meeting at
//    least once a quarter (Chỉ thị 10-CT/TW; Hướng dẫn 12-HD/BTCTW); the
//    numbers come from RuleSet.meetings of the rule set in force in each
//    month (or quarter).
//  - Only months that have begun are expected (a report of the current
//    year does not count December against a cell in November); a month
//    whose regular meeting was not held is listed once it has ended.
//  - A year judges its quarters that have begun; a month judges its
//    quarter only when it is the quarter's last month, counting the
//    thematic meetings held in the quarter up to it.
//
// Example:
//   MeetingLifeTally cell(ReportMonths(period, today), today);
//   cell.SetRules(month, rules.meetings());  // each month of the period
//   cell.AddMeetings(meetings, attendances);
//   cell.AddWarnings(warnings);
//   cell.AddDues(collection);
//   total.Merge(cell);
//   cell.Fill(row);

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_MEETING_LIFE_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_MEETING_LIFE_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "partydev/common/v1/types.pb.h"
#include "partydev/membership/v1/cell_life.pb.h"
#include "partydev/membership/v1/dues.pb.h"
#include "partydev/membership/v1/meetings.pb.h"
#include "partydev/membership/v1/rules.pb.h"
#include "partydev/membership/v1/warnings.pb.h"

namespace partydev::membership::domain {

// The months of a report period and how far `today` has come in them.
struct ReportMonths {
  int year = 0;
  // The period's month (1..12), or 0 for the whole year.
  int period_month = 0;
  // The months of the period that have begun by today, ascending.
  std::vector<int> begun;
  // Of those, the months that ended before today.
  std::set<int> ended;
};

// The months of `period` (month 0: the year) as of `today`.
ReportMonths MonthsOf(const v1::ReportPeriod& period,
                      const common::v1::Date& today);

// The counts of one cell, or of a subtree when merged.
class MeetingLifeTally {
 public:
  explicit MeetingLifeTally(ReportMonths months);

  // The meeting rules in force in `month` (1..12): what a month and its
  // quarter expect. Months left unset expect one regular meeting a month
  // and one thematic a quarter (Chỉ thị 10-CT/TW).
  void SetRules(int month, const v1::MeetingRules& rules);

  // Counts `meetings` (every meeting of the cell; those of other years or
  // outside the period are skipped) and the attendance records of its held
  // meetings (`attendances`, meeting name → records; the expected ones
  // count).
  void AddMeetings(
      const std::vector<v1::Meeting>& meetings,
      const std::map<std::string, std::vector<v1::Attendance>>& attendances);

  // Counts the members of `warnings` (of the cell's members, the period's
  // year) with an open warning (OPEN or FOLLOWED_UP), each member once at
  // her highest open level.
  void AddWarnings(const std::vector<v1::EarlyWarning>& warnings);

  // Adds a month's dues collection: expected, collected, remitted.
  void AddDues(const v1::DuesCollection& collection);

  // Adds the counts of `cell` (same months) to this total.
  void Merge(const MeetingLifeTally& cell);

  // A problem for `only_problems`: a regular meeting not held in an ended
  // month, a meeting held without quorum, or a judged quarter ended with
  // fewer thematic meetings than expected.
  bool HasProblem() const;

  // The figures of the row (organization and display_name are left).
  void Fill(v1::MeetingLifeRow& row) const;

 private:
  ReportMonths months_;
  std::map<int, v1::MeetingRules> rules_;
  int regular_expected_ = 0;
  int regular_held_ = 0;
  // Month → number of cells that did not hold its regular meeting.
  std::map<int, int> months_not_held_;
  int thematic_expected_ = 0;
  int thematic_held_ = 0;
  int thematic_in_period_ = 0;
  int held_ = 0;
  int held_without_quorum_ = 0;
  bool thematic_missing_ = false;
  int64_t attendance_expected_ = 0;
  int64_t attendance_present_ = 0;
  int attended_by_superiors_ = 0;
  std::set<std::string> superior_officials_;
  int warnings_[4] = {0, 0, 0, 0};
  int64_t dues_expected_ = 0;
  int64_t dues_collected_ = 0;
  int64_t dues_remitted_ = 0;

  const v1::MeetingRules& RulesOf(int month) const;
  // The quarters (0..3) the period judges, and their last month.
  std::vector<int> JudgedQuarters() const;
};

}  // namespace partydev::membership::domain

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_MEETING_LIFE_H_
