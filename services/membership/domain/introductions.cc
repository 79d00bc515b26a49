#include "services/membership/domain/introductions.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "services/membership/domain/violations.h"

namespace partydev::membership::domain {
namespace {

constexpr char kYouthUnion[] = "YOUTH_UNION";
constexpr char kTradeUnion[] = "TRADE_UNION";

std::string KindOf(const IntroductionFacts& facts, const std::string& org) {
  auto it = facts.union_kinds.find(org);
  return it == facts.union_kinds.end() ? "" : it->second;
}

bool IsTradeUnionMember(const v1::Person& person,
                        const IntroductionFacts& facts, absl::CivilDay on) {
  for (const v1::UnionMembership& m : person.union_memberships()) {
    if (KindOf(facts, m.organization()) == kTradeUnion &&
        IsUnionMember(person, m.organization(), on)) {
      return true;
    }
  }
  return false;
}

const MemberFacts* FindMember(const IntroductionFacts& facts,
                              const std::string& name) {
  for (const MemberFacts& m : facts.introducers) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

absl::Status ValidateRequest(const v1::Person& person,
                             const v1::RecordIntroductionsRequest& request,
                             const IntroductionFacts& facts) {
  FieldChecker check;
  CheckDate(person.date_of_birth(), "person.date_of_birth", check);
  for (int i = 0; i < request.introductions_size(); ++i) {
    const v1::Introduction& intro = request.introductions(i);
    const std::string field = absl::StrCat("introductions[", i, "]");
    CheckDate(intro.introduced_on(), field + ".introduced_on", check);
    switch (intro.route()) {
      case v1::INTRODUCTION_ROUTE_PARTY_MEMBER:
        if (intro.introducer().empty()) {
          check.Add(field + ".introducer", "is required");
        } else if (FindMember(facts, intro.introducer()) == nullptr) {
          check.Add(field + ".introducer", "is not a known party member");
        }
        if (!intro.replacement() || !IsUnset(intro.shared_since())) {
          if (!IsValidDate(intro.shared_since())) {
            check.Add(field + ".shared_since",
                      IsUnset(intro.shared_since())
                          ? "is required unless the introducer is a "
                            "replacement"
                          : "is not a valid date");
          }
        }
        break;
      case v1::INTRODUCTION_ROUTE_YOUTH_UNION:
      case v1::INTRODUCTION_ROUTE_TRADE_UNION:
        if (intro.union_organization().empty()) {
          check.Add(field + ".union_organization", "is required");
        }
        if (intro.union_resolution().number().empty()) {
          check.Add(field + ".union_resolution.number", "is required");
        }
        break;
      default:
        check.Add(field + ".route", "is required");
    }
  }
  return check.status();
}

}  // namespace

bool IsUnionMember(const v1::Person& person, const std::string& organization,
                   absl::CivilDay on) {
  for (const v1::UnionMembership& m : person.union_memberships()) {
    if (m.organization() != organization) continue;
    const bool joined = IsUnset(m.joined_on()) || !IsValidDate(m.joined_on()) ||
                        CivilDayOf(m.joined_on()) <= on;
    const bool left = IsValidDate(m.left_on()) && CivilDayOf(m.left_on()) <= on;
    if (joined && !left) return true;
  }
  return false;
}

v1::IntroductionRoute RequiredRoute(const v1::Person& person, absl::CivilDay on,
                                    const IntroductionFacts& facts,
                                    bool trade_union_member,
                                    const v1::RuleSet& rules) {
  const int age = FullYearsBetween(CivilDayOf(person.date_of_birth()), on);
  const bool youth_age = age >= rules.admission().youth_union_min_age_years() &&
                         age <= rules.admission().youth_union_max_age_years();
  if (youth_age && facts.youth_union_branch_exists) {
    return v1::INTRODUCTION_ROUTE_YOUTH_UNION;
  }
  if (youth_age && facts.trade_union_exists && trade_union_member) {
    return v1::INTRODUCTION_ROUTE_TRADE_UNION;
  }
  return v1::INTRODUCTION_ROUTE_PARTY_MEMBER;
}

absl::StatusOr<std::vector<RuleViolation>> CheckRecordIntroductions(
    const v1::Person& person, const v1::RecordIntroductionsRequest& request,
    const IntroductionFacts& facts, const v1::RuleSet& rules) {
  if (absl::Status s = ValidateRequest(person, request, facts); !s.ok()) {
    return s;
  }
  Violations unmet(rules);
  const std::string candidate = NameOr(person.full_name(), person.name());
  const int n = request.introductions_size();
  if (n != 2) {
    unmet.Add("introduction.count", "introductions",
              absl::StrCat("Cần đúng hai người (hoặc tổ chức) giới thiệu; hồ "
                           "sơ có ",
                           n));
  }
  // The day both introductions are in place: the later one.
  absl::CivilDay on = absl::CivilDay(1900, 1, 1);
  int members = 0, youth = 0, trade = 0;
  for (int i = 0; i < n; ++i) {
    const v1::Introduction& intro = request.introductions(i);
    const std::string field = absl::StrCat("introductions[", i, "]");
    const absl::CivilDay day = CivilDayOf(intro.introduced_on());
    on = std::max(on, day);
    if (intro.route() == v1::INTRODUCTION_ROUTE_YOUTH_UNION) ++youth;
    if (intro.route() == v1::INTRODUCTION_ROUTE_TRADE_UNION) ++trade;
    if (intro.route() != v1::INTRODUCTION_ROUTE_PARTY_MEMBER) continue;
    ++members;
    const MemberFacts& member = *FindMember(facts, intro.introducer());
    const std::string who = NameOr(member.full_name, intro.introducer());
    if (intro.introducer() == person.name()) {
      unmet.Add("introduction.count", field + ".introducer",
                "Quần chúng không thể tự giới thiệu mình");
    }
    for (int j = 0; j < i; ++j) {
      if (request.introductions(j).introducer() == intro.introducer()) {
        unmet.Add("introduction.count", field + ".introducer",
                  absl::StrCat("Đảng viên ", who,
                               " được ghi hai lần; cần hai người giới thiệu "
                               "khác nhau"));
      }
    }
    if (!member.official) {
      unmet.Add("introduction.official_member", intro.introducer(),
                absl::StrCat("Người giới thiệu ", who,
                             " không phải đảng viên chính thức vào ngày ",
                             FormatDay(day)));
    }
    if (!intro.replacement()) {
      const absl::CivilDay since = CivilDayOf(intro.shared_since());
      const int months = FullMonthsBetween(since, day);
      const int needed = rules.admission().introducer_shared_months();
      if (months < needed) {
        unmet.Add(
            "admission.introducer_shared_months", intro.introducer(),
            absl::StrCat("Người giới thiệu ", who,
                         " mới sinh hoạt cùng đơn vị với quần chúng ", months,
                         " tháng (từ ", FormatDay(since), " đến ",
                         FormatDay(day), "); cần ít nhất ", needed, " tháng"));
      }
    }
  }
  if (youth + trade > 1) {
    unmet.Add("introduction.count", "introductions",
              "Chỉ một tổ chức đoàn thể được giới thiệu, cùng một đảng viên "
              "chính thức");
  }
  if (n == 0) return unmet.Take();

  const v1::IntroductionRoute required = RequiredRoute(
      person, on, facts, IsTradeUnionMember(person, facts, on), rules);
  const int age = FullYearsBetween(CivilDayOf(person.date_of_birth()), on);
  const v1::AdmissionRules& r = rules.admission();
  const std::string age_words =
      absl::StrCat("Quần chúng ", candidate, " ", age, " tuổi");
  const std::string youth_range = absl::StrCat(
      r.youth_union_min_age_years(), "–", r.youth_union_max_age_years());
  if (required == v1::INTRODUCTION_ROUTE_YOUTH_UNION ||
      required == v1::INTRODUCTION_ROUTE_TRADE_UNION) {
    const bool is_youth = required == v1::INTRODUCTION_ROUTE_YOUTH_UNION;
    const char* rule = is_youth ? "introduction.youth_union_route"
                                : "introduction.trade_union_route";
    const std::string route_words =
        is_youth
            ? absl::StrCat(age_words, " (độ tuổi đoàn ", youth_range,
                           "), nơi công tác, học tập có tổ chức Đoàn: phải "
                           "là đoàn viên, được Ban Chấp hành chi đoàn và "
                           "một đảng viên chính thức giới thiệu")
            : absl::StrCat(age_words,
                           ", nơi không có tổ chức Đoàn, là "
                           "đoàn viên công đoàn: phải được Ban Chấp hành "
                           "công đoàn cơ sở và một đảng viên chính thức "
                           "giới thiệu");
    const int union_intros = is_youth ? youth : trade;
    if (union_intros != 1 || members != 1) {
      unmet.Add(rule, "introductions", route_words);
    }
    const auto route = is_youth ? v1::INTRODUCTION_ROUTE_YOUTH_UNION
                                : v1::INTRODUCTION_ROUTE_TRADE_UNION;
    const char* kind = is_youth ? kYouthUnion : kTradeUnion;
    for (int i = 0; i < n; ++i) {
      const v1::Introduction& intro = request.introductions(i);
      if (intro.route() != route) continue;
      const std::string field =
          absl::StrCat("introductions[", i, "].union_organization");
      if (KindOf(facts, intro.union_organization()) != kind) {
        unmet.Add(rule, field,
                  absl::StrCat("Tổ chức giới thiệu ",
                               intro.union_organization(), " không phải ",
                               is_youth ? "tổ chức Đoàn" : "công đoàn"));
      } else if (!IsUnionMember(person, intro.union_organization(),
                                CivilDayOf(intro.introduced_on()))) {
        unmet.Add(rule, field,
                  absl::StrCat(age_words, " chưa là ",
                               is_youth ? "đoàn viên" : "đoàn viên công đoàn",
                               " của ", intro.union_organization(),
                               " vào ngày giới thiệu"));
      }
    }
    // The other union route is not the one that applies.
    if ((is_youth ? trade : youth) > 0) {
      unmet.Add(is_youth ? "introduction.trade_union_route"
                         : "introduction.youth_union_route",
                "introductions", route_words);
    }
  } else {
    if (youth > 0) {
      unmet.Add("introduction.youth_union_route", "introductions",
                absl::StrCat(age_words,
                             facts.youth_union_branch_exists
                                 ? absl::StrCat(", ngoài độ tuổi đoàn (",
                                                youth_range, ")")
                                 : ", nơi không có tổ chức Đoàn",
                             ": phải do hai đảng viên chính thức giới thiệu"));
    }
    if (trade > 0) {
      unmet.Add("introduction.trade_union_route", "introductions",
                absl::StrCat(age_words,
                             ": công đoàn chỉ giới thiệu quần chúng trong độ "
                             "tuổi đoàn, là đoàn viên công đoàn, ở nơi không "
                             "có tổ chức Đoàn; phải do hai đảng viên chính "
                             "thức giới thiệu"));
    }
  }
  return unmet.Take();
}

void FillSharedMonths(v1::RecordIntroductionsRequest& request) {
  for (v1::Introduction& intro : *request.mutable_introductions()) {
    if (!IsValidDate(intro.shared_since()) ||
        !IsValidDate(intro.introduced_on())) {
      intro.set_shared_months(0);
      continue;
    }
    intro.set_shared_months(FullMonthsBetween(
        CivilDayOf(intro.shared_since()), CivilDayOf(intro.introduced_on())));
  }
}

}  // namespace partydev::membership::domain
