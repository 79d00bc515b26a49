#include "services/membership/domain/early_warnings.h"

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace partydev::membership::domain {
namespace {

constexpr v1::WarningLevel kLevels[] = {v1::WARNING_LEVEL_REMINDER,
                                        v1::WARNING_LEVEL_FOLLOW_UP,
                                        v1::WARNING_LEVEL_REMOVAL_PROPOSAL};

bool Stands(const v1::EarlyWarning& w) {
  return w.state() == v1::WARNING_STATE_OPEN ||
         w.state() == v1::WARNING_STATE_FOLLOWED_UP;
}

bool HasCause(const v1::EarlyWarning& w, v1::WarningCause cause) {
  if (w.cause() == cause) return true;
  for (int c : w.additional_causes()) {
    if (c == cause) return true;
  }
  return false;
}

std::vector<int> MonthsOf(const v1::EarlyWarning& w) {
  std::vector<int> out;
  for (const auto& m : w.months()) out.push_back(m.month());
  return out;
}

void SetMonths(v1::EarlyWarning& w, int year, const std::vector<int>& months) {
  w.clear_months();
  for (int m : months) {
    v1::YearMonth* ym = w.add_months();
    ym->set_year(year);
    ym->set_month(m);
  }
}

std::vector<std::string> Union(
    const google::protobuf::RepeatedPtrField<std::string>& a,
    const std::vector<std::string>& b) {
  std::vector<std::string> out(a.begin(), a.end());
  for (const auto& s : b) {
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  }
  return out;
}

// Sets months and evidence; true when they changed.
bool Refresh(v1::EarlyWarning& w, int year, const std::vector<int>& months,
             const std::vector<std::string>& evidence) {
  const std::vector<std::string> before(w.evidence().begin(),
                                        w.evidence().end());
  if (MonthsOf(w) == months && before == evidence) return false;
  SetMonths(w, year, months);
  w.clear_evidence();
  for (const auto& e : evidence) w.add_evidence(e);
  return true;
}

// Adds `cause`'s months and evidence to a removal proposal raised for the
// other cause; true when anything changed.
bool Join(v1::EarlyWarning& w, v1::WarningCause cause, int year,
          const std::vector<int>& months,
          const std::vector<std::string>& evidence) {
  bool changed = false;
  if (!HasCause(w, cause)) {
    w.add_additional_causes(cause);
    changed = true;
  }
  std::set<int> all(months.begin(), months.end());
  for (int m : MonthsOf(w)) all.insert(m);
  const std::vector<int> merged(all.begin(), all.end());
  std::vector<std::string> ev = Union(w.evidence(), evidence);
  if (merged != MonthsOf(w) ||
      ev !=
          std::vector<std::string>(w.evidence().begin(), w.evidence().end())) {
    SetMonths(w, year, merged);
    w.clear_evidence();
    for (const auto& e : ev) w.add_evidence(e);
    changed = true;
  }
  return changed;
}

// Takes `cause` off a removal proposal that another cause still carries;
// true when it carried it.
bool Withdraw(v1::EarlyWarning& w, v1::WarningCause cause) {
  google::protobuf::RepeatedField<int> others;
  for (int c : w.additional_causes()) {
    if (c != cause) others.Add(c);
  }
  if (w.cause() == cause) {
    if (others.empty()) return false;
    w.set_cause(static_cast<v1::WarningCause>(others.Get(0)));
    others.erase(others.begin());
  } else if (others.size() == w.additional_causes_size()) {
    return false;
  }
  *w.mutable_additional_causes() = others;
  google::protobuf::RepeatedPtrField<std::string> kept;
  for (const auto& e : w.evidence()) {
    if (!IsEvidenceOf(cause, e)) *kept.Add() = e;
  }
  *w.mutable_evidence() = kept;
  return true;
}

}  // namespace

std::string WarningId(int year, v1::WarningCause cause,
                      v1::WarningLevel level) {
  if (level == v1::WARNING_LEVEL_REMOVAL_PROPOSAL) {
    return absl::StrCat(year, "-removal-proposal");
  }
  const char* c = cause == v1::WARNING_CAUSE_DUES_UNPAID ? "dues" : "absence";
  const char* l =
      level == v1::WARNING_LEVEL_FOLLOW_UP ? "follow-up" : "reminder";
  return absl::StrCat(year, "-", c, "-", l);
}

v1::WarningLevel LevelReached(int months, const v1::EarlyWarningRules& rules) {
  const int thresholds[] = {rules.reminder_months(), rules.follow_up_months(),
                            rules.removal_proposal_months()};
  v1::WarningLevel reached = v1::WARNING_LEVEL_UNSPECIFIED;
  for (int i = 0; i < 3; ++i) {
    if (thresholds[i] > 0 && months >= thresholds[i]) reached = kLevels[i];
  }
  return reached;
}

std::string GroundOf(v1::WarningCause cause) {
  return cause == v1::WARNING_CAUSE_DUES_UNPAID ? "dues" : "attendance";
}

bool IsEvidenceOf(v1::WarningCause cause, absl::string_view evidence) {
  const bool dues = absl::StrContains(evidence, "/duesStatements/") ||
                    absl::StrContains(evidence, "/duesPayments/");
  return cause == v1::WARNING_CAUSE_DUES_UNPAID ? dues : !dues;
}

std::vector<PlannedWarning> PlanWarnings(
    v1::WarningCause cause, int year, const std::vector<int>& months_in,
    const std::vector<std::string>& evidence,
    const v1::EarlyWarningRules& rules,
    const std::map<std::string, v1::EarlyWarning>& existing) {
  std::set<int> unique;
  for (int m : months_in) {
    if (m >= 1 && m <= 12) unique.insert(m);
  }
  const std::vector<int> months(unique.begin(), unique.end());
  const v1::WarningLevel reached =
      LevelReached(static_cast<int>(months.size()), rules);

  // The warnings as they will be, by id, and which are to be written.
  std::map<std::string, v1::EarlyWarning> after = existing;
  std::map<std::string, PlannedWarning> planned;
  auto touch = [&](const std::string& id, bool is_new, bool announce) {
    PlannedWarning& p = planned[id];
    p.id = id;
    p.is_new = p.is_new || is_new;
    p.announce = p.announce || announce;
  };

  for (v1::WarningLevel level : kLevels) {
    const std::string id = WarningId(year, cause, level);
    auto it = after.find(id);
    if (level <= reached) {
      if (it == after.end()) {
        v1::EarlyWarning w;
        w.set_level(level);
        w.set_cause(cause);
        w.set_year(year);
        w.set_state(v1::WARNING_STATE_OPEN);
        Refresh(w, year, months, evidence);
        after[id] = w;
        touch(id, /*is_new=*/true, /*announce=*/level == reached);
        continue;
      }
      v1::EarlyWarning& w = it->second;
      if (w.state() == v1::WARNING_STATE_RESOLVED) continue;
      if (level == v1::WARNING_LEVEL_REMOVAL_PROPOSAL &&
          (!HasCause(w, cause) || w.additional_causes_size() > 0)) {
        // One proposal per member and year: the other cause joins it.
        const bool joins = !HasCause(w, cause);
        if (Join(w, cause, year, months, evidence)) {
          touch(id, false, joins);
        }
        continue;
      }
      if (level == reached) {
        bool changed = Refresh(w, year, months, evidence);
        // A level that stands again after a correction of a higher one.
        if (w.state() == v1::WARNING_STATE_ESCALATED) {
          w.set_state(v1::WARNING_STATE_OPEN);
          changed = true;
        }
        if (changed) touch(id, false, false);
      }
      continue;
    }
    // A level no longer reached.
    if (it == after.end()) continue;
    v1::EarlyWarning& w = it->second;
    if (w.state() == v1::WARNING_STATE_RESOLVED || !HasCause(w, cause)) {
      continue;
    }
    if (Withdraw(w, cause)) {
      touch(id, false, false);
      continue;
    }
    w.set_state(v1::WARNING_STATE_RESOLVED);
    w.set_resolution(v1::WARNING_RESOLUTION_RECORDS_CORRECTED);
    w.set_resolution_reason(absl::StrCat(
        "Sau khi điều chỉnh hồ sơ, số tháng tính cảnh báo trong năm ", year,
        " còn ", months.size(), ", không còn đến ngưỡng của cảnh báo này"));
    touch(id, false, false);
  }

  // The lower levels of the cause give way to the one that stands.
  for (v1::WarningLevel level : kLevels) {
    if (level >= reached) break;
    const std::string id = WarningId(year, cause, level);
    auto it = after.find(id);
    if (it == after.end() || !Stands(it->second)) continue;
    it->second.set_state(v1::WARNING_STATE_ESCALATED);
    touch(id, false, false);
  }

  std::vector<PlannedWarning> out;
  for (auto& [id, p] : planned) {
    p.warning = after[id];
    out.push_back(std::move(p));
  }
  return out;
}

std::string FollowUpRefusal(const v1::EarlyWarning& warning) {
  if (Stands(warning)) return "";
  return absl::StrCat(
      "Chỉ ghi nhận việc gặp gỡ đảng viên cho cảnh báo đang mở (OPEN) hoặc "
      "đã gặp (FOLLOWED_UP); cảnh báo này đang ở trạng thái ",
      v1::WarningState_Name(warning.state()));
}

std::string ResolveRefusal(const v1::EarlyWarning& warning,
                           v1::WarningResolution resolution) {
  if (warning.state() == v1::WARNING_STATE_RESOLVED) {
    return "Cảnh báo đã được khép lại";
  }
  if (resolution == v1::WARNING_RESOLUTION_MEMBER_REMOVED) {
    return "MEMBER_REMOVED chỉ được ghi khi quyết định xóa tên "
           "(PersonService.RemoveMember) viện dẫn đề nghị này";
  }
  if (resolution == v1::WARNING_RESOLUTION_REMOVAL_DECLINED &&
      warning.level() != v1::WARNING_LEVEL_REMOVAL_PROPOSAL) {
    return "REMOVAL_DECLINED chỉ áp dụng cho đề nghị xóa tên";
  }
  return "";
}

void CheckRemovalMonths(const google::protobuf::RepeatedField<int>& grounds,
                        const std::vector<v1::EarlyWarning>& warnings,
                        int vote_year, const std::string& subject,
                        Violations& unmet) {
  for (int ground : grounds) {
    v1::WarningCause cause = v1::WARNING_CAUSE_UNSPECIFIED;
    const char* what = "";
    if (ground == v1::REMOVAL_GROUND_ABANDONED_ACTIVITY) {
      cause = v1::WARNING_CAUSE_ABSENCE;
      what = "vắng sinh hoạt đảng không có lý do";
    } else if (ground == v1::REMOVAL_GROUND_DUES_UNPAID) {
      cause = v1::WARNING_CAUSE_DUES_UNPAID;
      what = "không đóng đảng phí không có lý do";
    } else {
      continue;
    }
    const bool proposed = std::any_of(
        warnings.begin(), warnings.end(), [&](const v1::EarlyWarning& w) {
          return w.level() == v1::WARNING_LEVEL_REMOVAL_PROPOSAL && Stands(w) &&
                 HasCause(w, cause) &&
                 (w.year() == vote_year || w.year() == vote_year - 1);
        });
    if (proposed) continue;
    unmet.Add("removal.months_in_year", subject,
              absl::StrCat("Hồ sơ không ghi nhận đảng viên ", what,
                           " đủ số tháng trong năm ", vote_year - 1, " hoặc ",
                           vote_year,
                           " (không có đề nghị xóa tên do hệ thống lập từ "
                           "điểm danh và đảng phí)"));
  }
}

}  // namespace partydev::membership::domain
