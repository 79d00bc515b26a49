#include "services/membership/domain/introductions.h"

#include <gtest/gtest.h>

#include "services/membership/domain/test_support.h"

namespace partydev::membership::domain {
namespace {

using testing::C;
using testing::Candidate;
using testing::D;
using testing::DescriptionOf;
using testing::Has;
using testing::RuleIds;
using testing::Rules;

const Date kOn = D(2025, 8, 15);

v1::Introduction ByMember(const std::string& who, const Date& since) {
  v1::Introduction intro;
  intro.set_route(v1::INTRODUCTION_ROUTE_PARTY_MEMBER);
  intro.set_introducer(who);
  *intro.mutable_shared_since() = since;
  *intro.mutable_introduced_on() = kOn;
  return intro;
}

v1::Introduction ByUnion(v1::IntroductionRoute route, const std::string& org) {
  v1::Introduction intro;
  intro.set_route(route);
  intro.set_union_organization(org);
  intro.mutable_union_resolution()->set_number("12-NQ/CĐ");
  *intro.mutable_introduced_on() = kOn;
  return intro;
}

v1::RecordIntroductionsRequest Request(std::vector<v1::Introduction> intros) {
  v1::RecordIntroductionsRequest request;
  for (auto& i : intros) *request.add_introductions() = i;
  return request;
}

IntroductionFacts Facts() {
  IntroductionFacts facts;
  facts.introducers = {
      {"people/a", "Nguyễn Văn An", true, "organizations/cell-1"},
      {"people/b", "Nguyễn Văn Bình", true, "organizations/cell-1"}};
  facts.union_kinds = {{"organizations/youth", "YOUTH_UNION"},
                       {"organizations/trade", "TRADE_UNION"}};
  return facts;
}

// 35 years old on 2025-08-15: outside the youth-union age.
v1::Person Adult() { return Candidate(D(1990, 1, 1)); }

// 22 years old.
v1::Person Young() { return Candidate(D(2003, 1, 1)); }

void JoinUnion(v1::Person& person, const std::string& org) {
  v1::UnionMembership* m = person.add_union_memberships();
  m->set_organization(org);
  *m->mutable_joined_on() = D(2020, 1, 1);
}

TEST(IntroductionsTest, TwoOfficialMembersWithTwelveMonths) {
  auto unmet =
      CheckRecordIntroductions(Adult(),
                               Request({ByMember("people/a", D(2024, 8, 15)),
                                        ByMember("people/b", D(2020, 1, 1))}),
                               Facts(), Rules());
  ASSERT_TRUE(unmet.ok()) << unmet.status();
  EXPECT_TRUE(unmet->empty()) << unmet->front().description;
}

// 11 shared months are refused, 12 pass.
TEST(IntroductionsTest, SharedMonthsBoundary) {
  auto unmet =
      CheckRecordIntroductions(Adult(),
                               Request({ByMember("people/a", D(2024, 8, 16)),
                                        ByMember("people/b", D(2020, 1, 1))}),
                               Facts(), Rules());
  EXPECT_EQ(RuleIds(*unmet),
            std::vector<std::string>{"admission.introducer_shared_months"});
  const RuleViolation& v = unmet->front();
  EXPECT_EQ(v.subject, "people/a");
  EXPECT_EQ(v.description,
            "Người giới thiệu Nguyễn Văn An mới sinh hoạt cùng đơn vị với "
            "quần chúng 11 tháng (từ 16/08/2024 đến 15/08/2025); cần ít nhất "
            "12 tháng (Điều lệ Đảng 2011, Điều 4).");
}

TEST(IntroductionsTest, ReplacementIsExemptFromTheMonths) {
  v1::Introduction replacement = ByMember("people/a", Date());
  replacement.set_replacement(true);
  replacement.set_replaces("people/moved");
  EXPECT_TRUE(CheckRecordIntroductions(
                  Adult(),
                  Request({replacement, ByMember("people/b", D(2020, 1, 1))}),
                  Facts(), Rules())
                  ->empty());
  // Without the replacement flag shared_since is required.
  replacement.set_replacement(false);
  EXPECT_EQ(
      CheckRecordIntroductions(
          Adult(), Request({replacement, ByMember("people/b", D(2020, 1, 1))}),
          Facts(), Rules())
          .status()
          .code(),
      absl::StatusCode::kInvalidArgument);
}

TEST(IntroductionsTest, EveryUnmetRuleOfTheIntroducers) {
  IntroductionFacts facts = Facts();
  facts.introducers[0].official = false;
  auto unmet =
      CheckRecordIntroductions(Adult(),
                               Request({ByMember("people/a", D(2025, 1, 1)),
                                        ByMember("people/a", D(2025, 1, 1))}),
                               facts, Rules());
  EXPECT_EQ(
      RuleIds(*unmet),
      (std::vector<std::string>{
          "introduction.official_member", "admission.introducer_shared_months",
          "introduction.count", "introduction.official_member",
          "admission.introducer_shared_months"}));
}

TEST(IntroductionsTest, NeedsExactlyTwo) {
  auto unmet = CheckRecordIntroductions(
      Adult(), Request({ByMember("people/a", D(2020, 1, 1))}), Facts(),
      Rules());
  EXPECT_EQ(RuleIds(*unmet), std::vector<std::string>{"introduction.count"});
  EXPECT_EQ(CheckRecordIntroductions(
                Adult(), Request({ByMember("people/x", D(2020, 1, 1))}),
                Facts(), Rules())
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);  // Unknown introducer.
}

TEST(IntroductionsTest, YouthUnionRoute) {
  IntroductionFacts facts = Facts();
  facts.youth_union_branch_exists = true;
  v1::Person young = Young();
  JoinUnion(young, "organizations/youth");
  const auto youth_route = Request(
      {ByUnion(v1::INTRODUCTION_ROUTE_YOUTH_UNION, "organizations/youth"),
       ByMember("people/a", D(2020, 1, 1))});
  EXPECT_TRUE(
      CheckRecordIntroductions(young, youth_route, facts, Rules())->empty());
  // Not a youth union member.
  auto unmet = CheckRecordIntroductions(Young(), youth_route, facts, Rules());
  EXPECT_EQ(RuleIds(*unmet),
            std::vector<std::string>{"introduction.youth_union_route"});
  EXPECT_NE(unmet->front().description.find("chưa là đoàn viên"),
            std::string::npos);
  // Two members where the youth union must introduce.
  unmet =
      CheckRecordIntroductions(young,
                               Request({ByMember("people/a", D(2020, 1, 1)),
                                        ByMember("people/b", D(2020, 1, 1))}),
                               facts, Rules());
  EXPECT_EQ(RuleIds(*unmet),
            std::vector<std::string>{"introduction.youth_union_route"});
  // A trade union is not the youth union.
  unmet = CheckRecordIntroductions(
      young,
      Request(
          {ByUnion(v1::INTRODUCTION_ROUTE_YOUTH_UNION, "organizations/trade"),
           ByMember("people/a", D(2020, 1, 1))}),
      facts, Rules());
  EXPECT_TRUE(Has(*unmet, "introduction.youth_union_route"));
}

TEST(IntroductionsTest, TradeUnionRouteWhereThereIsNoYouthUnion) {
  IntroductionFacts facts = Facts();
  facts.trade_union_exists = true;
  v1::Person young = Young();
  JoinUnion(young, "organizations/trade");
  EXPECT_TRUE(CheckRecordIntroductions(
                  young,
                  Request({ByUnion(v1::INTRODUCTION_ROUTE_TRADE_UNION,
                                   "organizations/trade"),
                           ByMember("people/a", D(2020, 1, 1))}),
                  facts, Rules())
                  ->empty());
  auto unmet =
      CheckRecordIntroductions(young,
                               Request({ByMember("people/a", D(2020, 1, 1)),
                                        ByMember("people/b", D(2020, 1, 1))}),
                               facts, Rules());
  EXPECT_EQ(RuleIds(*unmet),
            std::vector<std::string>{"introduction.trade_union_route"});
}

TEST(IntroductionsTest, UnionRouteOutsideTheYouthAge) {
  IntroductionFacts facts = Facts();
  facts.youth_union_branch_exists = true;
  v1::Person adult = Adult();
  JoinUnion(adult, "organizations/youth");
  auto unmet = CheckRecordIntroductions(
      adult,
      Request(
          {ByUnion(v1::INTRODUCTION_ROUTE_YOUTH_UNION, "organizations/youth"),
           ByMember("people/a", D(2020, 1, 1))}),
      facts, Rules());
  EXPECT_EQ(RuleIds(*unmet),
            std::vector<std::string>{"introduction.youth_union_route"});
  EXPECT_NE(unmet->front().description.find("35 tuổi, ngoài độ tuổi đoàn"),
            std::string::npos);
}

// Youth-union age is 16..30 full years: 30 years and 11 months is still
// within it, 31 is not.
TEST(IntroductionsTest, YouthAgeBoundary) {
  IntroductionFacts facts = Facts();
  facts.youth_union_branch_exists = true;
  EXPECT_EQ(RequiredRoute(Candidate(D(1994, 8, 16)), C(2025, 8, 15), facts,
                          false, Rules()),
            v1::INTRODUCTION_ROUTE_YOUTH_UNION);
  EXPECT_EQ(RequiredRoute(Candidate(D(1994, 8, 15)), C(2025, 8, 15), facts,
                          false, Rules()),
            v1::INTRODUCTION_ROUTE_PARTY_MEMBER);
  facts.youth_union_branch_exists = false;
  EXPECT_EQ(RequiredRoute(Candidate(D(2003, 1, 1)), C(2025, 8, 15), facts,
                          false, Rules()),
            v1::INTRODUCTION_ROUTE_PARTY_MEMBER);
}

TEST(IntroductionsTest, UnionMembershipByDate) {
  v1::Person person = Young();
  v1::UnionMembership* m = person.add_union_memberships();
  m->set_organization("organizations/youth");
  *m->mutable_joined_on() = D(2020, 3, 26);
  *m->mutable_left_on() = D(2025, 3, 26);
  EXPECT_FALSE(IsUnionMember(person, "organizations/youth", C(2020, 3, 25)));
  EXPECT_TRUE(IsUnionMember(person, "organizations/youth", C(2020, 3, 26)));
  EXPECT_TRUE(IsUnionMember(person, "organizations/youth", C(2025, 3, 25)));
  EXPECT_FALSE(IsUnionMember(person, "organizations/youth", C(2025, 3, 26)));
}

TEST(IntroductionsTest, FillsSharedMonths) {
  v1::RecordIntroductionsRequest request =
      Request({ByMember("people/a", D(2024, 8, 16)),
               ByMember("people/b", D(2024, 8, 15))});
  FillSharedMonths(request);
  EXPECT_EQ(request.introductions(0).shared_months(), 11);
  EXPECT_EQ(request.introductions(1).shared_months(), 12);
}

}  // namespace
}  // namespace partydev::membership::domain
