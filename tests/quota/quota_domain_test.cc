// Tests of quotad's pure domain rules: periods, rule sets, target figures,
// effective targets and the allocation rules.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/dates.h"
#include "common/errors.h"
#include "services/quota/domain/allocation.h"
#include "services/quota/domain/periods.h"
#include "services/quota/domain/rule_sets.h"
#include "services/quota/domain/targets.h"

namespace partydev::quota::domain {
namespace {

using common::v1::CATEGORY_STUDENT;
using common::v1::CATEGORY_UNSPECIFIED;
using common::v1::CATEGORY_YOUTH_UNION_MEMBER;

v1::TargetFigures Figures(
    int total, std::vector<std::pair<common::v1::Category, int>> cats = {}) {
  v1::TargetFigures f;
  f.set_total(total);
  for (const auto& [c, n] : cats) {
    auto* e = f.add_categories();
    e->set_category(c);
    e->set_count(n);
  }
  return f;
}

v1::Term Term2020() {
  v1::Term term;
  term.set_name("terms/2020-2025");
  term.set_display_name("Nhiệm kỳ 2020–2025");
  *term.mutable_start_date() = MakeDate(2020, 10, 1);
  *term.mutable_end_date() = MakeDate(2025, 9, 30);
  return term;
}

std::vector<std::string> Rules(const std::vector<RuleViolation>& unmet) {
  std::vector<std::string> out;
  for (const auto& v : unmet) out.push_back(v.rule);
  return out;
}

bool Has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// ------------------------------------------------------------- Periods

TEST(PeriodsTest, YearsOfATermAndItsPartialYears) {
  const v1::Term term = Term2020();
  EXPECT_EQ(YearsOf(CivilDayOf(term.start_date()), CivilDayOf(term.end_date())),
            (std::vector<int>{2020, 2021, 2022, 2023, 2024, 2025}));
  absl::StatusOr<PeriodSpan> whole = SpanOf(term, 0);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->start, absl::CivilDay(2020, 10, 1));
  EXPECT_EQ(whole->end, absl::CivilDay(2025, 9, 30));
  absl::StatusOr<PeriodSpan> first = SpanOf(term, 2020);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->start, absl::CivilDay(2020, 10, 1));
  EXPECT_EQ(first->end, absl::CivilDay(2020, 12, 31));
  EXPECT_EQ(first->Days(), 92);
  absl::StatusOr<PeriodSpan> last = SpanOf(term, 2025);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->start, absl::CivilDay(2025, 1, 1));
  EXPECT_EQ(last->end, absl::CivilDay(2025, 9, 30));
}

TEST(PeriodsTest, AYearOutsideTheTermIsRefused) {
  absl::StatusOr<PeriodSpan> span = SpanOf(Term2020(), 2026, "year_target_id");
  ASSERT_EQ(span.status().code(), absl::StatusCode::kFailedPrecondition);
  const std::vector<RuleViolation> unmet = RuleViolationsOf(span.status());
  ASSERT_EQ(unmet.size(), 1u);
  EXPECT_EQ(unmet[0].rule, "quota.target.year_in_term");
  EXPECT_EQ(unmet[0].subject, "year_target_id");
}

TEST(PeriodsTest, ElapsedShareAndMonthsLeft) {
  const PeriodSpan span{absl::CivilDay(2024, 1, 1),
                        absl::CivilDay(2024, 12, 31)};
  EXPECT_EQ(ElapsedShare(span, absl::CivilDay(2023, 12, 31)), 0);
  EXPECT_EQ(ElapsedShare(span, absl::CivilDay(2024, 12, 31)), 1);
  EXPECT_EQ(ElapsedShare(span, absl::CivilDay(2025, 3, 1)), 1);
  EXPECT_NEAR(ElapsedShare(span, absl::CivilDay(2024, 1, 1)), 1.0 / 366, 1e-12);
  EXPECT_NEAR(ElapsedShare(span, absl::CivilDay(2024, 7, 1)), 183.0 / 366,
              1e-12);
  EXPECT_EQ(MonthsLeft(span, absl::CivilDay(2024, 12, 31)), 0);
  EXPECT_NEAR(MonthsLeft(span, absl::CivilDay(2023, 6, 1)), 366 / (365.25 / 12),
              1e-9);
}

TEST(PeriodsTest, StateOfATerm) {
  const v1::Term term = Term2020();
  EXPECT_EQ(StateOf(term, absl::CivilDay(2020, 9, 30)),
            v1::Term::STATE_UPCOMING);
  EXPECT_EQ(StateOf(term, absl::CivilDay(2020, 10, 1)),
            v1::Term::STATE_CURRENT);
  EXPECT_EQ(StateOf(term, absl::CivilDay(2025, 9, 30)),
            v1::Term::STATE_CURRENT);
  EXPECT_EQ(StateOf(term, absl::CivilDay(2025, 10, 1)), v1::Term::STATE_ENDED);
}

// ----------------------------------------------------------- Rule sets

TEST(RuleSetsTest, TheShippedSetsLoadAndApplyByDate) {
  absl::StatusOr<QuotaRuleSetRegistry> registry =
      QuotaRuleSetRegistry::LoadDirectory(
          std::string(PARTYDEV_QUOTA_RULES_DIR) + "/rule_sets");
  ASSERT_TRUE(registry.ok()) << registry.status();
  ASSERT_FALSE(registry->all().empty());
  absl::StatusOr<const v1::QuotaRuleSet*> set =
      registry->ForDay(absl::CivilDay(2024, 6, 1));
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ((*set)->allocation().mode(), v1::ALLOCATION_MODE_AT_MOST);
  EXPECT_TRUE((*set)->allocation().check_categories());
  EXPECT_EQ((*set)->targets().precedence(),
            v1::TARGET_PRECEDENCE_ALLOCATED_FIRST);
  EXPECT_DOUBLE_EQ((*set)->progress().lagging_rate(), 0.5);
  EXPECT_FALSE((*set)->config_source().empty());
  EXPECT_TRUE(registry->ByName((*set)->name()).ok());
  EXPECT_EQ(registry->ByName("quotaRuleSets/nope").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(RuleSetsTest, ADayBeforeTheFirstSetHasNoRules) {
  absl::StatusOr<QuotaRuleSetRegistry> registry =
      QuotaRuleSetRegistry::LoadDirectory(
          std::string(PARTYDEV_QUOTA_RULES_DIR) + "/rule_sets");
  ASSERT_TRUE(registry.ok()) << registry.status();
  const absl::CivilDay first =
      CivilDayOf(registry->all().front().effective_from());
  absl::StatusOr<const v1::QuotaRuleSet*> set = registry->ForDay(first - 1);
  ASSERT_EQ(set.status().code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_EQ(RuleViolationsOf(set.status()).size(), 1u);
  EXPECT_EQ(RuleViolationsOf(set.status())[0].rule, "quota.rule_set.exists");
}

v1::QuotaRuleSet ValidSet(const std::string& name, int year) {
  absl::StatusOr<QuotaRuleSetRegistry> shipped =
      QuotaRuleSetRegistry::LoadDirectory(
          std::string(PARTYDEV_QUOTA_RULES_DIR) + "/rule_sets");
  v1::QuotaRuleSet set = shipped->all().front();
  set.set_name(name);
  *set.mutable_effective_from() = MakeDate(year, 1, 1);
  set.clear_effective_until();
  return set;
}

TEST(RuleSetsTest, SetsFollowEachOtherAndALaggingRateOfZeroIsRefused) {
  v1::QuotaRuleSet a = ValidSet("quotaRuleSets/a", 2010);
  v1::QuotaRuleSet b = ValidSet("quotaRuleSets/b", 2024);
  b.mutable_allocation()->set_mode(v1::ALLOCATION_MODE_EXACTLY);
  absl::StatusOr<QuotaRuleSetRegistry> registry =
      QuotaRuleSetRegistry::FromSets({b, a});
  ASSERT_TRUE(registry.ok()) << registry.status();
  EXPECT_EQ(CivilDayOf(registry->all()[0].effective_until()),
            absl::CivilDay(2023, 12, 31));
  EXPECT_EQ((*registry->ForDay(absl::CivilDay(2023, 12, 31)))->name(),
            "quotaRuleSets/a");
  EXPECT_EQ(
      (*registry->ForDay(absl::CivilDay(2024, 1, 1)))->allocation().mode(),
      v1::ALLOCATION_MODE_EXACTLY);

  v1::QuotaRuleSet zero = ValidSet("quotaRuleSets/zero", 2010);
  zero.mutable_progress()->set_lagging_rate(0);
  absl::StatusOr<QuotaRuleSetRegistry> bad =
      QuotaRuleSetRegistry::FromSets({zero});
  ASSERT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("progress.lagging_rate"),
            std::string::npos)
      << bad.status();

  absl::StatusOr<QuotaRuleSetRegistry> same_day =
      QuotaRuleSetRegistry::FromSets({a, ValidSet("quotaRuleSets/c", 2010)});
  EXPECT_EQ(same_day.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(QuotaRuleSetRegistry::FromSets({}).ok());
}

// ------------------------------------------------------ Target figures

TEST(ValidateFiguresTest, GoodFiguresPass) {
  FieldChecker check;
  EXPECT_TRUE(
      ValidateFigures(Figures(100, {{CATEGORY_STUDENT, 30},
                                    {CATEGORY_YOUTH_UNION_MEMBER, 100}}),
                      "term_target.own", check)
          .empty());
  EXPECT_TRUE(check.ok());
}

TEST(ValidateFiguresTest, NegativeCountsNameTheirField) {
  FieldChecker check;
  ValidateFigures(
      Figures(-1, {{CATEGORY_STUDENT, 3}, {CATEGORY_YOUTH_UNION_MEMBER, -2}}),
      "term_target.own", check);
  ASSERT_FALSE(check.ok());
  EXPECT_EQ(check.status().code(), absl::StatusCode::kInvalidArgument);
  const auto fields = FieldViolationsOf(check.status());
  std::vector<std::string> names;
  for (const auto& f : fields) names.push_back(f.field);
  EXPECT_TRUE(Has(names, "term_target.own.total"));
  EXPECT_TRUE(Has(names, "term_target.own.categories[1].count"));
}

TEST(ValidateFiguresTest, DuplicateAndUnspecifiedCategoriesAreRefused) {
  FieldChecker check;
  ValidateFigures(Figures(10, {{CATEGORY_STUDENT, 3},
                               {CATEGORY_STUDENT, 4},
                               {CATEGORY_UNSPECIFIED, 1}}),
                  "own", check);
  const auto fields = FieldViolationsOf(check.status());
  std::vector<std::string> names;
  for (const auto& f : fields) names.push_back(f.field);
  EXPECT_TRUE(Has(names, "own.categories[1].category"));
  EXPECT_TRUE(Has(names, "own.categories[2].category"));
}

TEST(ValidateFiguresTest, ACategoryAboveTheTotalIsARuleViolation) {
  FieldChecker check;
  const std::vector<RuleViolation> unmet =
      ValidateFigures(Figures(10, {{CATEGORY_STUDENT, 11}}), "own", check);
  EXPECT_TRUE(check.ok());
  ASSERT_EQ(unmet.size(), 1u);
  EXPECT_EQ(unmet[0].rule, "quota.target.category_within_total");
  EXPECT_EQ(unmet[0].subject, "own.categories[0].count");
  EXPECT_NE(unmet[0].description.find("11"), std::string::npos);
}

// ---------------------------------------------------- Effective targets

TEST(EffectiveTest, NeitherSetIsNoTarget) {
  const EffectiveFigures e =
      Effective(nullptr, nullptr, v1::TARGET_PRECEDENCE_LARGER);
  EXPECT_EQ(e.source, v1::TARGET_SOURCE_NONE);
  EXPECT_EQ(e.figures.total(), 0);
}

TEST(EffectiveTest, OneSetIsTakenWhateverThePrecedence) {
  const v1::TargetFigures own = Figures(40);
  for (auto p :
       {v1::TARGET_PRECEDENCE_ALLOCATED_FIRST, v1::TARGET_PRECEDENCE_OWN_FIRST,
        v1::TARGET_PRECEDENCE_LARGER}) {
    EXPECT_EQ(Effective(&own, nullptr, p).source, v1::TARGET_SOURCE_OWN);
    EXPECT_EQ(Effective(nullptr, &own, p).source, v1::TARGET_SOURCE_ALLOCATED);
    EXPECT_EQ(Effective(nullptr, &own, p).figures.total(), 40);
  }
}

TEST(EffectiveTest, PrecedenceChoosesBetweenBoth) {
  const v1::TargetFigures own = Figures(50, {{CATEGORY_STUDENT, 20}});
  const v1::TargetFigures allocated =
      Figures(40, {{CATEGORY_STUDENT, 25}, {CATEGORY_YOUTH_UNION_MEMBER, 10}});
  EffectiveFigures e =
      Effective(&own, &allocated, v1::TARGET_PRECEDENCE_ALLOCATED_FIRST);
  EXPECT_EQ(e.source, v1::TARGET_SOURCE_ALLOCATED);
  EXPECT_EQ(e.figures.total(), 40);
  e = Effective(&own, &allocated, v1::TARGET_PRECEDENCE_UNSPECIFIED);
  EXPECT_EQ(e.source, v1::TARGET_SOURCE_ALLOCATED);
  e = Effective(&own, &allocated, v1::TARGET_PRECEDENCE_OWN_FIRST);
  EXPECT_EQ(e.source, v1::TARGET_SOURCE_OWN);
  EXPECT_EQ(e.figures.total(), 50);
  e = Effective(&own, &allocated, v1::TARGET_PRECEDENCE_LARGER);
  EXPECT_EQ(e.source, v1::TARGET_SOURCE_LARGER_OF_BOTH);
  EXPECT_EQ(e.figures.total(), 50);
  EXPECT_EQ(CategoryCount(e.figures, CATEGORY_STUDENT), 25);
  EXPECT_EQ(CategoryCount(e.figures, CATEGORY_YOUTH_UNION_MEMBER), 10);
  EXPECT_EQ(CategoryCount(e.figures, common::v1::CATEGORY_WORKER),
            std::nullopt);
}

TEST(FiguresTest, AddAndFormat) {
  v1::TargetFigures sum = Figures(3, {{CATEGORY_YOUTH_UNION_MEMBER, 1}});
  AddFigures(sum, Figures(4, {{CATEGORY_STUDENT, 2},
                              {CATEGORY_YOUTH_UNION_MEMBER, 1}}));
  EXPECT_EQ(sum.total(), 7);
  ASSERT_EQ(sum.categories_size(), 2);
  EXPECT_EQ(sum.categories(0).category(), CATEGORY_STUDENT);
  EXPECT_EQ(sum.categories(1).count(), 2);
  EXPECT_EQ(FormatFigures(Figures(5)), "5");
  EXPECT_EQ(FormatFigures(Figures(5, {{CATEGORY_STUDENT, 2}})),
            "5 (sinh viên, học sinh: 2)");
}

// ----------------------------------------------------------- Allocation

google::protobuf::RepeatedPtrField<v1::AllocationLine> Lines(
    std::vector<std::pair<std::string, v1::TargetFigures>> lines) {
  google::protobuf::RepeatedPtrField<v1::AllocationLine> out;
  for (auto& [org, figures] : lines) {
    auto* line = out.Add();
    line->set_organization(org);
    *line->mutable_figures() = figures;
  }
  return out;
}

AllocationInput Input(std::optional<v1::TargetFigures> target,
                      v1::AllocationMode mode = v1::ALLOCATION_MODE_AT_MOST) {
  AllocationInput in;
  in.committee = "organizations/duk";
  in.committee_display_name = "Đảng bộ Khối";
  in.committee_target = std::move(target);
  in.rule_set_mode = mode;
  in.check_categories = true;
  in.subordinates = {"organizations/dh-da-lat", "organizations/so-y-te"};
  in.signed_on = absl::CivilDay(2024, 2, 1);
  return in;
}

TEST(AllocationTest, WithinTheTargetPassesWithSums) {
  FieldChecker check;
  const AllocationCheck r = CheckAllocation(
      Input(Figures(100, {{CATEGORY_STUDENT, 30}})),
      Lines({{"organizations/dh-da-lat", Figures(60, {{CATEGORY_STUDENT, 25}})},
             {"organizations/so-y-te", Figures(30)}}),
      "allocation_decision.lines", check);
  EXPECT_TRUE(check.ok());
  EXPECT_TRUE(r.violations.empty()) << r.violations[0].description;
  EXPECT_EQ(r.mode, v1::ALLOCATION_MODE_AT_MOST);
  EXPECT_EQ(r.allocated_sum.total(), 90);
  EXPECT_EQ(CategoryCount(r.allocated_sum, CATEGORY_STUDENT), 25);
  EXPECT_EQ(r.unallocated.total(), 10);
  EXPECT_EQ(CategoryCount(r.unallocated, CATEGORY_STUDENT), 5);
}

TEST(AllocationTest, OverAllocationInTotalAndPerCategory) {
  FieldChecker check;
  const AllocationCheck r = CheckAllocation(
      Input(Figures(100, {{CATEGORY_STUDENT, 30}})),
      Lines({{"organizations/dh-da-lat", Figures(80, {{CATEGORY_STUDENT, 31}})},
             {"organizations/so-y-te", Figures(40)}}),
      "allocation_decision.lines", check);
  EXPECT_TRUE(check.ok());
  ASSERT_EQ(r.violations.size(), 2u);
  EXPECT_EQ(r.violations[0].rule, "quota.allocation.within_target");
  EXPECT_EQ(r.violations[0].description,
            "Tổng phân bổ 120 vượt chỉ tiêu 100 của Đảng bộ Khối");
  EXPECT_EQ(r.violations[1].rule, "quota.allocation.within_target");
  EXPECT_NE(r.violations[1].description.find("31"), std::string::npos);
  EXPECT_EQ(r.unallocated.total(), -20);
}

TEST(AllocationTest, CategoriesAreNotCheckedWhenTheRuleSetSaysSo) {
  AllocationInput in = Input(Figures(100, {{CATEGORY_STUDENT, 30}}));
  in.check_categories = false;
  FieldChecker check;
  const AllocationCheck r = CheckAllocation(
      in,
      Lines(
          {{"organizations/dh-da-lat", Figures(50, {{CATEGORY_STUDENT, 40}})}}),
      "lines", check);
  EXPECT_TRUE(r.violations.empty());
}

TEST(AllocationTest, ExactlyNeedsTheTotalAndEachSubTarget) {
  const AllocationInput in = Input(Figures(100, {{CATEGORY_STUDENT, 30}}),
                                   v1::ALLOCATION_MODE_EXACTLY);
  FieldChecker check;
  AllocationCheck r = CheckAllocation(
      in,
      Lines({{"organizations/dh-da-lat", Figures(60, {{CATEGORY_STUDENT, 20}})},
             {"organizations/so-y-te", Figures(30)}}),
      "lines", check);
  EXPECT_EQ(r.mode, v1::ALLOCATION_MODE_EXACTLY);
  ASSERT_EQ(r.violations.size(), 2u);
  EXPECT_EQ(r.violations[0].rule, "quota.allocation.equals_target");
  EXPECT_EQ(r.violations[1].rule, "quota.allocation.equals_target");
  r = CheckAllocation(
      in,
      Lines({{"organizations/dh-da-lat", Figures(70, {{CATEGORY_STUDENT, 30}})},
             {"organizations/so-y-te", Figures(30)}}),
      "lines", check);
  EXPECT_TRUE(r.violations.empty());
  EXPECT_EQ(r.unallocated.total(), 0);
  EXPECT_EQ(CategoryCount(r.unallocated, CATEGORY_STUDENT), 0);
  EXPECT_TRUE(check.ok());
}

TEST(AllocationTest, ARequestMayTightenButNotLoosenTheMode) {
  AllocationInput in = Input(Figures(100));
  in.requested_mode = v1::ALLOCATION_MODE_EXACTLY;
  FieldChecker check;
  AllocationCheck r = CheckAllocation(
      in, Lines({{"organizations/dh-da-lat", Figures(60)}}), "lines", check);
  EXPECT_EQ(r.mode, v1::ALLOCATION_MODE_EXACTLY);
  EXPECT_EQ(Rules(r.violations),
            std::vector<std::string>{"quota.allocation.equals_target"});

  in = Input(Figures(100), v1::ALLOCATION_MODE_EXACTLY);
  in.requested_mode = v1::ALLOCATION_MODE_AT_MOST;
  r = CheckAllocation(in, Lines({{"organizations/dh-da-lat", Figures(100)}}),
                      "lines", check);
  EXPECT_EQ(r.mode, v1::ALLOCATION_MODE_EXACTLY);
  EXPECT_EQ(Rules(r.violations),
            std::vector<std::string>{"quota.allocation.mode"});
}

TEST(AllocationTest, EveryUnmetRuleIsListed) {
  FieldChecker check;
  const AllocationCheck r = CheckAllocation(
      Input(Figures(10)),
      Lines({{"organizations/cb-toan", Figures(5)},
             {"organizations/dh-da-lat", Figures(8, {{CATEGORY_STUDENT, 9}})}}),
      "allocation_decision.lines", check);
  EXPECT_TRUE(check.ok());
  const std::vector<std::string> rules = Rules(r.violations);
  EXPECT_TRUE(Has(rules, "quota.allocation.direct_subordinate"));
  EXPECT_TRUE(Has(rules, "quota.target.category_within_total"));
  EXPECT_TRUE(Has(rules, "quota.allocation.category_in_target"));
  EXPECT_TRUE(Has(rules, "quota.allocation.within_target"));
  for (const auto& v : r.violations) {
    if (v.rule == "quota.allocation.direct_subordinate") {
      EXPECT_EQ(v.subject, "organizations/cb-toan");
      EXPECT_NE(v.description.find("01/02/2024"), std::string::npos);
    }
    if (v.rule == "quota.allocation.category_in_target") {
      EXPECT_EQ(v.subject,
                "allocation_decision.lines[1].figures.categories[0]");
    }
  }
}

TEST(AllocationTest, NoCommitteeTargetIsARuleViolation) {
  FieldChecker check;
  const AllocationCheck r = CheckAllocation(
      Input(std::nullopt), Lines({{"organizations/dh-da-lat", Figures(5)}}),
      "lines", check);
  EXPECT_EQ(Rules(r.violations),
            std::vector<std::string>{"quota.allocation.committee_target"});
  EXPECT_EQ(r.allocated_sum.total(), 5);
}

TEST(AllocationTest, MalformedLinesAreInvalidArguments) {
  FieldChecker check;
  CheckAllocation(Input(Figures(10)),
                  Lines({{"organizations/dh-da-lat", Figures(-1)},
                         {"organizations/dh-da-lat", Figures(1)},
                         {"", Figures(1)}}),
                  "allocation_decision.lines", check);
  ASSERT_FALSE(check.ok());
  std::vector<std::string> fields;
  for (const auto& f : FieldViolationsOf(check.status()))
    fields.push_back(f.field);
  EXPECT_TRUE(Has(fields, "allocation_decision.lines[0].figures.total"));
  EXPECT_TRUE(Has(fields, "allocation_decision.lines[1].organization"));
  EXPECT_TRUE(Has(fields, "allocation_decision.lines[2].organization"));

  FieldChecker none;
  CheckAllocation(Input(Figures(10)), Lines({}), "allocation_decision.lines",
                  none);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(FieldViolationsOf(none.status())[0].field,
            "allocation_decision.lines");
}

TEST(AllocationTest, WithinTargetNow) {
  const auto lines = Lines({{"organizations/dh-da-lat", Figures(60)}});
  EXPECT_TRUE(
      WithinTarget(Figures(60), lines, v1::ALLOCATION_MODE_AT_MOST, true));
  EXPECT_FALSE(
      WithinTarget(Figures(59), lines, v1::ALLOCATION_MODE_AT_MOST, true));
  EXPECT_FALSE(
      WithinTarget(Figures(61), lines, v1::ALLOCATION_MODE_EXACTLY, true));
  EXPECT_TRUE(
      WithinTarget(Figures(61), lines, v1::ALLOCATION_MODE_AT_MOST, true));
}

}  // namespace
}  // namespace partydev::quota::domain
