#include "services/membership/domain/meeting_life.h"

#include <algorithm>
#include <utility>

namespace partydev::membership::domain {
namespace {

int QuarterOf(int month) { return (month - 1) / 3; }

bool IsOpen(const v1::EarlyWarning& w) {
  return w.state() == v1::WARNING_STATE_OPEN ||
         w.state() == v1::WARNING_STATE_FOLLOWED_UP;
}

double Percent(int64_t part, int64_t whole) {
  return whole == 0
             ? 0.0
             : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

}  // namespace

ReportMonths MonthsOf(const v1::ReportPeriod& period,
                      const common::v1::Date& today) {
  ReportMonths out;
  out.year = period.year();
  out.period_month = period.month();
  const int first = period.month() == 0 ? 1 : period.month();
  const int last = period.month() == 0 ? 12 : period.month();
  for (int m = first; m <= last; ++m) {
    const int begins = period.year() * 100 + m;
    const int now = today.year() * 100 + today.month();
    if (begins > now) break;
    out.begun.push_back(m);
    if (begins < now) out.ended.insert(m);
  }
  return out;
}

MeetingLifeTally::MeetingLifeTally(ReportMonths months)
    : months_(std::move(months)) {}

void MeetingLifeTally::SetRules(int month, const v1::MeetingRules& rules) {
  rules_[month] = rules;
}

const v1::MeetingRules& MeetingLifeTally::RulesOf(int month) const {
  static const v1::MeetingRules* const kDefault = [] {
    auto* r = new v1::MeetingRules;
    r->set_regular_per_month(1);
    r->set_thematic_per_quarter(1);
    return r;
  }();
  auto it = rules_.find(month);
  return it == rules_.end() ? *kDefault : it->second;
}

std::vector<int> MeetingLifeTally::JudgedQuarters() const {
  std::vector<int> quarters;
  if (months_.period_month == 0) {
    for (int m : months_.begun) {
      if (m % 3 == 1) quarters.push_back(QuarterOf(m));
    }
  } else if (months_.period_month % 3 == 0 && !months_.begun.empty()) {
    quarters.push_back(QuarterOf(months_.period_month));
  }
  return quarters;
}

void MeetingLifeTally::AddMeetings(
    const std::vector<v1::Meeting>& meetings,
    const std::map<std::string, std::vector<v1::Attendance>>& attendances) {
  const std::set<int> begun(months_.begun.begin(), months_.begun.end());
  const std::vector<int> quarters = JudgedQuarters();
  // The last month of the period a judged quarter's meetings may be for.
  const int last_month = months_.begun.empty() ? 0 : months_.begun.back();
  std::map<int, int> thematic_by_quarter;
  std::set<int> regular_held_months;
  for (const v1::Meeting& m : meetings) {
    if (m.period().year() != months_.year ||
        m.state() != v1::MEETING_STATE_HELD) {
      continue;
    }
    const int month = m.period().month();
    const bool thematic = m.kind() == v1::MEETING_KIND_THEMATIC;
    if (thematic && month <= last_month) {
      ++thematic_by_quarter[QuarterOf(month)];
    }
    if (begun.count(month) == 0) continue;
    ++held_;
    if (thematic) ++thematic_in_period_;
    if (m.kind() == v1::MEETING_KIND_REGULAR) {
      ++regular_held_;
      regular_held_months.insert(month);
    }
    if (m.has_quorum() && !m.quorum().reached()) ++held_without_quorum_;
    if (!m.outcome().officials_attended().empty()) {
      ++attended_by_superiors_;
      superior_officials_.insert(m.outcome().officials_attended().begin(),
                                 m.outcome().officials_attended().end());
    }
    auto records = attendances.find(m.name());
    if (records == attendances.end()) continue;
    for (const v1::Attendance& a : records->second) {
      if (!a.expected()) continue;
      ++attendance_expected_;
      if (a.status() == v1::ATTENDANCE_STATUS_PRESENT) ++attendance_present_;
    }
  }
  for (int month : months_.begun) {
    regular_expected_ += RulesOf(month).regular_per_month();
    if (months_.ended.count(month) > 0 &&
        regular_held_months.count(month) == 0) {
      ++months_not_held_[month];
    }
  }
  if (quarters.empty()) {
    thematic_held_ = thematic_in_period_;
    return;
  }
  for (int q : quarters) {
    // The quarter's own rule: the one in force in its last month.
    const int quarter_end = 3 * q + 3;
    const int expected = RulesOf(quarter_end).thematic_per_quarter();
    const int held = thematic_by_quarter[q];
    thematic_expected_ += expected;
    thematic_held_ += held;
    if (months_.ended.count(quarter_end) > 0 && held < expected) {
      thematic_missing_ = true;
    }
  }
}

void MeetingLifeTally::AddWarnings(
    const std::vector<v1::EarlyWarning>& warnings) {
  std::map<std::string, int> highest;
  for (const v1::EarlyWarning& w : warnings) {
    if (!IsOpen(w) || w.level() < v1::WARNING_LEVEL_REMINDER ||
        w.level() > v1::WARNING_LEVEL_REMOVAL_PROPOSAL) {
      continue;
    }
    // "people/{p}/earlyWarnings/{id}": the member is the name's parent.
    const std::string member = w.name().substr(0, w.name().find("/early"));
    int& level = highest[member];
    level = std::max(level, static_cast<int>(w.level()));
  }
  for (const auto& [member, level] : highest) ++warnings_[level];
}

void MeetingLifeTally::AddDues(const v1::DuesCollection& collection) {
  dues_expected_ += collection.expected_vnd();
  dues_collected_ += collection.collected_vnd();
  dues_remitted_ += collection.remittance().amount_remitted_vnd();
}

void MeetingLifeTally::Merge(const MeetingLifeTally& cell) {
  if (this == &cell) return;
  regular_expected_ += cell.regular_expected_;
  regular_held_ += cell.regular_held_;
  for (const auto& [month, n] : cell.months_not_held_) {
    months_not_held_[month] += n;
  }
  thematic_expected_ += cell.thematic_expected_;
  thematic_held_ += cell.thematic_held_;
  thematic_in_period_ += cell.thematic_in_period_;
  held_ += cell.held_;
  held_without_quorum_ += cell.held_without_quorum_;
  thematic_missing_ = thematic_missing_ || cell.thematic_missing_;
  attendance_expected_ += cell.attendance_expected_;
  attendance_present_ += cell.attendance_present_;
  attended_by_superiors_ += cell.attended_by_superiors_;
  superior_officials_.insert(cell.superior_officials_.begin(),
                             cell.superior_officials_.end());
  for (int i = 0; i < 4; ++i) warnings_[i] += cell.warnings_[i];
  dues_expected_ += cell.dues_expected_;
  dues_collected_ += cell.dues_collected_;
  dues_remitted_ += cell.dues_remitted_;
}

bool MeetingLifeTally::HasProblem() const {
  return !months_not_held_.empty() || held_without_quorum_ > 0 ||
         thematic_missing_;
}

void MeetingLifeTally::Fill(v1::MeetingLifeRow& row) const {
  row.set_regular_expected(regular_expected_);
  row.set_regular_held(regular_held_);
  row.clear_months_not_held();
  for (const auto& [month, n] : months_not_held_) {
    v1::YearMonth* ym = row.add_months_not_held();
    ym->set_year(months_.year);
    ym->set_month(month);
  }
  row.set_thematic_expected(thematic_expected_);
  row.set_thematic_held(thematic_held_);
  row.set_thematic_share_percent(Percent(thematic_in_period_, held_));
  row.set_held_without_quorum(held_without_quorum_);
  row.set_attendance_rate_percent(
      Percent(attendance_present_, attendance_expected_));
  row.set_attended_by_superiors(attended_by_superiors_);
  row.set_superior_officials(static_cast<int>(superior_officials_.size()));
  row.set_warnings_reminder(warnings_[v1::WARNING_LEVEL_REMINDER]);
  row.set_warnings_follow_up(warnings_[v1::WARNING_LEVEL_FOLLOW_UP]);
  row.set_warnings_removal_proposal(
      warnings_[v1::WARNING_LEVEL_REMOVAL_PROPOSAL]);
  row.set_dues_expected_vnd(dues_expected_);
  row.set_dues_collected_vnd(dues_collected_);
  row.set_dues_remitted_vnd(dues_remitted_);
}

}  // namespace partydev::membership::domain
