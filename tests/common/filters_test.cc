#include "common/filters.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/dates.h"
#include "common/errors.h"
#include "partydev/membership/v1/meetings.pb.h"
#include "partydev/membership/v1/organizations.pb.h"
#include "partydev/quota/v1/allocations.pb.h"
#include "partydev/quota/v1/progress.pb.h"

namespace partydev {
namespace {

namespace mv1 = ::partydev::membership::v1;
namespace qv1 = ::partydev::quota::v1;
using ::partydev::common::v1::SECTOR_TAG_HOSPITAL;
using ::partydev::common::v1::SECTOR_TAG_UNIVERSITY;

qv1::ProgressRow Row() {
  qv1::ProgressRow row;
  row.mutable_organization()->set_name("organizations/12");
  row.mutable_organization()->set_display_name("Đảng bộ Trường Đại học \"A\"");
  row.mutable_organization()->set_level("grassroots_committee");
  row.mutable_organization()->set_grassroots(true);
  row.mutable_organization()->add_sector_tags(SECTOR_TAG_UNIVERSITY);
  row.mutable_organization()->add_ancestors("organizations/1");
  row.mutable_organization()->add_ancestors("organizations/3");
  *row.mutable_organization()->mutable_valid_from() = MakeDate(2015, 1, 1);
  row.set_target(20);
  row.set_admitted(9);
  row.set_rate(0.45);
  row.set_status(qv1::PROGRESS_STATUS_BELOW_HALF);
  return row;
}

qv1::AllocationDecision Decision() {
  qv1::AllocationDecision d;
  d.set_name("organizations/1/allocationDecisions/7");
  d.mutable_period()->set_term("terms/2020-2025");
  d.mutable_period()->set_year(2024);
  d.set_state(qv1::AllocationDecision::STATE_ACTIVE);
  d.mutable_decision()->set_number("125-QĐ/ĐUK");
  *d.mutable_decision()->mutable_signed_on() = MakeDate(2023, 9, 17);
  return d;
}

Filter MustParse(absl::string_view text, const google::protobuf::Descriptor& d,
                 const std::vector<std::string>& allowed = {}) {
  absl::StatusOr<Filter> f = Filter::Parse(text, d, allowed);
  EXPECT_TRUE(f.ok()) << text << ": " << f.status();
  return f.ok() ? *f : Filter();
}

bool RowMatches(absl::string_view text) {
  return MustParse(text, *qv1::ProgressRow::descriptor()).Matches(Row());
}

bool DecisionMatches(absl::string_view text) {
  return MustParse(text, *qv1::AllocationDecision::descriptor())
      .Matches(Decision());
}

// The INVALID_ARGUMENT's description on `field` (fails otherwise).
std::string Refusal(absl::string_view text,
                    const google::protobuf::Descriptor& d,
                    const std::vector<std::string>& allowed = {},
                    absl::string_view field = "filter") {
  absl::StatusOr<Filter> f = Filter::Parse(text, d, allowed, field);
  EXPECT_FALSE(f.ok()) << text << " was accepted";
  if (f.ok()) return "";
  EXPECT_EQ(f.status().code(), absl::StatusCode::kInvalidArgument) << text;
  std::vector<FieldViolation> v = FieldViolationsOf(f.status());
  EXPECT_EQ(v.size(), 1u) << text;
  if (v.size() != 1) return "";
  EXPECT_EQ(v[0].field, field) << text;
  return v[0].description;
}

std::string RowRefusal(absl::string_view text,
                       const std::vector<std::string>& allowed = {}) {
  return Refusal(text, *qv1::ProgressRow::descriptor(), allowed);
}

TEST(FilterTest, EmptyMatchesEverything) {
  for (absl::string_view text : {"", "   ", "\t\n"}) {
    Filter f = MustParse(text, *qv1::ProgressRow::descriptor());
    EXPECT_TRUE(f.empty());
    EXPECT_TRUE(f.Matches(Row()));
    EXPECT_TRUE(f.Matches(qv1::ProgressRow()));
  }
}

TEST(FilterTest, StringsEqualityAndOrder) {
  EXPECT_TRUE(RowMatches("organization.level = grassroots_committee"));
  EXPECT_TRUE(RowMatches("organization.level = \"grassroots_committee\""));
  EXPECT_TRUE(RowMatches("organization.level='grassroots_committee'"));
  EXPECT_FALSE(RowMatches("organization.level = cell"));
  EXPECT_TRUE(RowMatches("organization.level != cell"));
  EXPECT_FALSE(RowMatches("organization.level != grassroots_committee"));
  // Lexicographic.
  EXPECT_TRUE(RowMatches("organization.level > cell"));
  EXPECT_TRUE(RowMatches("organization.level >= grassroots_committee"));
  EXPECT_FALSE(RowMatches("organization.level < grassroots_committee"));
  EXPECT_TRUE(RowMatches("organization.level <= grassroots_committee"));
  EXPECT_TRUE(RowMatches("organization.level < zone"));
  EXPECT_FALSE(RowMatches("organization.level < cell"));
  // Resource names and escaped quotes.
  EXPECT_TRUE(RowMatches("organization.name = organizations/12"));
  EXPECT_FALSE(RowMatches("organization.name = organizations/1"));
  EXPECT_TRUE(RowMatches(
      R"(organization.display_name = "Đảng bộ Trường Đại học \"A\"")"));
  EXPECT_FALSE(
      RowMatches(R"(organization.display_name = "Đảng bộ Trường Đại học A")"));
}

TEST(FilterTest, NumbersCompareNumerically) {
  EXPECT_TRUE(RowMatches("target = 20"));
  EXPECT_FALSE(RowMatches("target = 2"));
  EXPECT_TRUE(RowMatches("target != 2"));
  EXPECT_TRUE(RowMatches("target > 3"));  // Not "20" < "3".
  EXPECT_FALSE(RowMatches("target > 20"));
  EXPECT_TRUE(RowMatches("target >= 20"));
  EXPECT_TRUE(RowMatches("target < 100"));
  EXPECT_FALSE(RowMatches("target < 20"));
  EXPECT_TRUE(RowMatches("target <= 20"));
  EXPECT_TRUE(RowMatches("target > -1"));
  EXPECT_TRUE(RowMatches("rate < 0.5"));
  EXPECT_FALSE(RowMatches("rate >= 0.5"));
  EXPECT_TRUE(RowMatches("rate = 0.45"));
  EXPECT_TRUE(RowMatches("rate > 0"));
  EXPECT_TRUE(RowMatches("rate<1"));
}

TEST(FilterTest, Booleans) {
  EXPECT_TRUE(RowMatches("organization.grassroots = true"));
  EXPECT_FALSE(RowMatches("organization.grassroots = false"));
  EXPECT_TRUE(RowMatches("organization.grassroots != false"));
  EXPECT_FALSE(MustParse("organization.grassroots = true",
                         *qv1::ProgressRow::descriptor())
                   .Matches(qv1::ProgressRow()));
  EXPECT_NE(RowRefusal("organization.grassroots = yes").find("true or false"),
            std::string::npos);
  EXPECT_NE(RowRefusal("organization.grassroots > false").find("boolean"),
            std::string::npos);
}

TEST(FilterTest, EnumsByNameNumberAndOrder) {
  EXPECT_TRUE(RowMatches("status = PROGRESS_STATUS_BELOW_HALF"));
  EXPECT_FALSE(RowMatches("status = PROGRESS_STATUS_ON_TRACK"));
  EXPECT_TRUE(RowMatches("status = 3"));
  EXPECT_FALSE(RowMatches("status = 1"));
  EXPECT_TRUE(RowMatches("status != PROGRESS_STATUS_ON_TRACK"));
  // By number: ON_TRACK (1) < BEHIND (2) < BELOW_HALF (3).
  EXPECT_TRUE(RowMatches("status > PROGRESS_STATUS_BEHIND"));
  EXPECT_TRUE(RowMatches("status >= PROGRESS_STATUS_BELOW_HALF"));
  EXPECT_FALSE(RowMatches("status < PROGRESS_STATUS_BELOW_HALF"));
  EXPECT_TRUE(RowMatches("status <= PROGRESS_STATUS_BELOW_HALF"));
  // Without the enum's prefix (membership's lists always accepted it).
  EXPECT_TRUE(RowMatches("status = BELOW_HALF"));
  EXPECT_TRUE(DecisionMatches("state = STATE_ACTIVE"));
  EXPECT_TRUE(DecisionMatches("state = ACTIVE"));
  EXPECT_FALSE(DecisionMatches("state = STATE_SUPERSEDED"));

  std::string why = RowRefusal("status = PROGRESS_STATUS_DONE");
  EXPECT_NE(why.find("PROGRESS_STATUS_DONE"), std::string::npos) << why;
  EXPECT_NE(why.find("PROGRESS_STATUS_ON_TRACK"), std::string::npos) << why;
  RowRefusal("status = 42");  // Not a value of the enum.
}

TEST(FilterTest, DatesCompareAsDays) {
  EXPECT_TRUE(DecisionMatches("decision.signed_on = 2023-09-17"));
  EXPECT_TRUE(DecisionMatches("decision.signed_on = \"2023-09-17\""));
  EXPECT_FALSE(DecisionMatches("decision.signed_on = 2023-09-18"));
  EXPECT_TRUE(DecisionMatches("decision.signed_on != 2023-09-18"));
  EXPECT_TRUE(DecisionMatches("decision.signed_on < 2023-10-01"));
  EXPECT_FALSE(DecisionMatches("decision.signed_on < 2023-09-17"));
  EXPECT_TRUE(DecisionMatches("decision.signed_on <= 2023-09-17"));
  EXPECT_TRUE(DecisionMatches("decision.signed_on > 2022-12-31"));
  EXPECT_FALSE(DecisionMatches("decision.signed_on > 2023-09-17"));
  EXPECT_TRUE(DecisionMatches("decision.signed_on >= 2023-09-17"));
  // Day beats month beats year, not text or field sum.
  EXPECT_TRUE(DecisionMatches("decision.signed_on > 2023-08-31"));
  EXPECT_TRUE(DecisionMatches("decision.signed_on < 2024-01-01"));
  EXPECT_TRUE(RowMatches("organization.valid_from = 2015-01-01"));

  const auto& d = *qv1::AllocationDecision::descriptor();
  for (absl::string_view bad :
       {"decision.signed_on = 2023-02-30", "decision.signed_on = 17/09/2023",
        "decision.signed_on = 2023-9-17", "decision.signed_on = today"}) {
    EXPECT_NE(Refusal(bad, d).find("yyyy-mm-dd"), std::string::npos) << bad;
  }
}

TEST(FilterTest, TimestampsCompareAsInstantsAndMonthsAsMonths) {
  membership::v1::Meeting meeting;
  // 2026-03-05 14:00 in Vietnam (UTC+7) is 07:00 UTC.
  meeting.mutable_starts_at()->set_seconds(1772694000);
  meeting.mutable_period()->set_year(2026);
  meeting.mutable_period()->set_month(3);
  const auto& d = *membership::v1::Meeting::descriptor();
  auto matches = [&](absl::string_view text) {
    return MustParse(text, d).Matches(meeting);
  };
  EXPECT_TRUE(matches("starts_at = \"2026-03-05T14:00:00+07:00\""));
  EXPECT_TRUE(matches("starts_at = \"2026-03-05T07:00:00Z\""));
  EXPECT_TRUE(matches("starts_at > \"2026-03-05T13:59:59+07:00\""));
  EXPECT_FALSE(matches("starts_at > \"2026-03-05T14:00:00+07:00\""));
  EXPECT_TRUE(matches("starts_at < \"2026-03-05T14:00:00.5+07:00\""));
  EXPECT_TRUE(matches("period = 2026-03"));
  EXPECT_TRUE(matches("period >= 2026-01 AND period < 2026-04"));
  EXPECT_FALSE(matches("period > 2026-03"));
  EXPECT_TRUE(matches("period < 2027-01"));
  EXPECT_NE(Refusal("starts_at > 2026-03-05", d).find("RFC 3339"),
            std::string::npos);
  EXPECT_NE(Refusal("period = 2026-13", d).find("yyyy-mm"), std::string::npos);
  EXPECT_NE(Refusal("period = 2026-3", d).find("yyyy-mm"), std::string::npos);
}

TEST(FilterTest, RepeatedHas) {
  EXPECT_TRUE(RowMatches("organization.sector_tags:SECTOR_TAG_UNIVERSITY"));
  EXPECT_TRUE(RowMatches("organization.sector_tags : SECTOR_TAG_UNIVERSITY"));
  EXPECT_TRUE(RowMatches("organization.sector_tags:UNIVERSITY"));
  EXPECT_TRUE(RowMatches("organization.sector_tags:1"));
  EXPECT_FALSE(RowMatches("organization.sector_tags:SECTOR_TAG_HOSPITAL"));
  EXPECT_TRUE(RowMatches("organization.ancestors:organizations/3"));
  EXPECT_FALSE(RowMatches("organization.ancestors:organizations/4"));
  // An empty repeated field has nothing.
  EXPECT_FALSE(MustParse("organization.sector_tags:SECTOR_TAG_UNIVERSITY",
                         *qv1::ProgressRow::descriptor())
                   .Matches(qv1::ProgressRow()));

  EXPECT_NE(RowRefusal("organization.sector_tags = SECTOR_TAG_UNIVERSITY")
                .find("repeated"),
            std::string::npos);
  RowRefusal("organization.sector_tags != SECTOR_TAG_UNIVERSITY");
  EXPECT_NE(RowRefusal("organization.level:cell").find("repeated"),
            std::string::npos);
  // Repeated messages are not supported.
  EXPECT_NE(RowRefusal("categories:x").find("not supported"),
            std::string::npos);
  RowRefusal("categories.category = x");  // A path through a repeated field.
}

TEST(FilterTest, AndJoinsTerms) {
  EXPECT_TRUE(
      RowMatches("organization.level = grassroots_committee AND status = "
                 "PROGRESS_STATUS_BELOW_HALF AND organization.sector_tags:"
                 "SECTOR_TAG_UNIVERSITY AND rate < 0.5"));
  // One false term is enough.
  EXPECT_FALSE(
      RowMatches("organization.level = grassroots_committee AND status = "
                 "PROGRESS_STATUS_ON_TRACK"));
  EXPECT_FALSE(RowMatches(
      "target > 3 AND organization.sector_tags:SECTOR_TAG_HOSPITAL"));
  EXPECT_TRUE(
      DecisionMatches("period.year = 2024 AND state = STATE_ACTIVE AND "
                      "decision.signed_on >= 2023-01-01"));
  EXPECT_FALSE(DecisionMatches("period.year = 2025 AND state = STATE_ACTIVE"));

  qv1::ProgressRow hospital = Row();
  hospital.mutable_organization()->clear_sector_tags();
  hospital.mutable_organization()->add_sector_tags(SECTOR_TAG_HOSPITAL);
  Filter f = MustParse(
      "organization.sector_tags:SECTOR_TAG_UNIVERSITY AND "
      "target = 20",
      *qv1::ProgressRow::descriptor());
  EXPECT_TRUE(f.Matches(Row()));
  EXPECT_FALSE(f.Matches(hospital));
}

TEST(FilterTest, TermsAsParsed) {
  Filter f = MustParse(
      "period.year >= 2023 AND state = STATE_ACTIVE AND decision.number = "
      "\"125-QĐ/ĐUK\"",
      *qv1::AllocationDecision::descriptor());
  ASSERT_EQ(f.terms().size(), 3u);
  EXPECT_EQ(f.terms()[0].path_text, "period.year");
  ASSERT_EQ(f.terms()[0].path.size(), 2u);
  EXPECT_EQ(f.terms()[0].path[0]->name(), "period");
  EXPECT_EQ(f.terms()[0].path[1]->name(), "year");
  EXPECT_EQ(f.terms()[0].op, ">=");
  EXPECT_EQ(f.terms()[0].value, "2023");
  EXPECT_EQ(f.terms()[2].value, "125-QĐ/ĐUK");
  EXPECT_EQ(f.EqualityValue("state"), "STATE_ACTIVE");
  EXPECT_EQ(f.EqualityValue("decision.number"), "125-QĐ/ĐUK");
  EXPECT_EQ(f.EqualityValue("period.year"), "");  // Not an equality.
  EXPECT_EQ(f.EqualityValue("title"), "");
  EXPECT_TRUE(f.Matches(Decision()));
}

TEST(FilterTest, AllowedPaths) {
  const std::vector<std::string> allowed = {"status", "organization.level",
                                            "organization.sector_tags"};
  Filter f = MustParse("status = PROGRESS_STATUS_BELOW_HALF",
                       *qv1::ProgressRow::descriptor(), allowed);
  EXPECT_TRUE(f.Matches(Row()));
  std::string why = RowRefusal("target = 20", allowed);
  EXPECT_NE(why.find("\"target\""), std::string::npos) << why;
  EXPECT_NE(why.find("status, organization.level, organization.sector_tags"),
            std::string::npos)
      << why;
}

TEST(FilterTest, UnknownFieldListsTheFields) {
  std::string why = RowRefusal("organisation.level = cell");
  EXPECT_NE(why.find("organisation.level"), std::string::npos) << why;
  EXPECT_NE(why.find("organization"), std::string::npos) << why;
  why = RowRefusal("organization.tier = cell");
  EXPECT_NE(why.find("level"), std::string::npos) << why;
  RowRefusal("target.value = 3");  // target is not a message.
  // A message other than a Date must be narrowed to one of its fields.
  why = RowRefusal("organization = x");
  EXPECT_NE(why.find("level"), std::string::npos) << why;
}

TEST(FilterTest, WrongTypeOfValue) {
  const auto& d = *qv1::AllocationDecision::descriptor();
  EXPECT_NE(Refusal("period.year = abc", d).find("integer"), std::string::npos);
  Refusal("period.year = 20.5", d);
  Refusal("period.year = 99999999999", d);  // Beyond int32.
  EXPECT_NE(RowRefusal("rate = high").find("number"), std::string::npos);
  Refusal("state = STATE_PAUSED", d);
}

TEST(FilterTest, RefusesWhatIsNotSupported) {
  struct Case {
    const char* text;
    const char* says;
  };
  for (const Case& c : std::vector<Case>{
           {"target = 1 OR target = 2", "OR"},
           {"target = 1 or target = 2", "OR"},
           {"NOT target = 1", "NOT"},
           {"target = 1 AND NOT rate = 0", "NOT"},
           {"-target = 1", "negation"},
           {"(target = 1)", "parentheses"},
           {"target = 1 AND (rate = 0)", "parentheses"},
           {"target = (1)", "parentheses"},
           {"startsWith(organization.level, \"g\")", "functions"},
           {"organization.level = lower(x)", "functions"},
           {"target = 1 and rate = 0", "upper case"},
           {"target = 1 And rate = 0", "upper case"},
           {"target = 1 rate = 0", "AND"},
           {"target = 1 AND", "missing"},
           {"AND target = 1", "missing"},
           {"target", "no comparison"},
           {"organization.grassroots OR target = 1", "OR"},
           {"university", "no comparison"},
           {"\"university\"", "field path"},
           {"target =", "value is missing"},
           {"target == 1", "value is missing"},
           {"= 1", "field path"},
           {"target ! 1", "!="},
           {"organization.level = \"cell", "not closed"},
       }) {
    std::string why = RowRefusal(c.text);
    EXPECT_NE(why.find(c.says), std::string::npos) << c.text << " -> " << why;
  }
}

TEST(FilterTest, ErrorsNameTheGivenField) {
  Refusal("target = 1 OR target = 2", *qv1::ProgressRow::descriptor(), {},
          "report.filter");
  Refusal("nope = 1", *qv1::ProgressRow::descriptor(), {}, "report.filter");
}

TEST(FilterTest, MembershipOrganizations) {
  mv1::Organization org;
  org.set_name("organizations/5");
  org.set_kind("cell");
  org.set_level("cell");
  org.set_state(mv1::ORGANIZATION_STATE_ACTIVE);
  org.add_sector_tags(SECTOR_TAG_HOSPITAL);
  org.set_depth(3);
  *org.mutable_founding_decision()->mutable_signed_on() = MakeDate(2001, 5, 2);
  const auto& d = *mv1::Organization::descriptor();
  auto matches = [&](absl::string_view text) {
    return MustParse(text, d).Matches(org);
  };
  EXPECT_TRUE(matches("state = ORGANIZATION_STATE_ACTIVE AND kind = cell"));
  EXPECT_TRUE(matches("state = ACTIVE"));
  EXPECT_FALSE(matches("state = ORGANIZATION_STATE_DISSOLVED"));
  EXPECT_TRUE(matches("sector_tags:SECTOR_TAG_HOSPITAL"));
  EXPECT_TRUE(matches("sector_tags:HOSPITAL"));
  EXPECT_FALSE(matches("sector_tags:SECTOR_TAG_UNIVERSITY"));
  EXPECT_TRUE(matches("depth >= 2 AND depth < 4"));
  EXPECT_TRUE(matches("founding_decision.signed_on < 2001-05-03"));
  EXPECT_FALSE(matches("founding_decision.signed_on < 2001-05-02"));
  // An ambiguous short enum value is refused, not guessed.
  Refusal("sector_tags:ENTERPRISE", d);
}

TEST(FilterTest, AnotherMessageTypeMatchesNothing) {
  Filter f =
      MustParse("state = STATE_ACTIVE", *qv1::AllocationDecision::descriptor());
  EXPECT_TRUE(f.Matches(Decision()));
  EXPECT_FALSE(f.Matches(Row()));
}

TEST(FilterTest, CopiesShareTheParsedValues) {
  Filter copy;
  {
    Filter f = MustParse("target = 20", *qv1::ProgressRow::descriptor());
    copy = f;
  }
  EXPECT_TRUE(copy.Matches(Row()));
  EXPECT_FALSE(copy.Matches(qv1::ProgressRow()));
}

}  // namespace
}  // namespace partydev
