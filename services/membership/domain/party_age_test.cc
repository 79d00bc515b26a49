#include "services/membership/domain/party_age.h"

#include <gtest/gtest.h>

#include "common/errors.h"
#include "services/membership/domain/test_support.h"

namespace partydev::membership::domain {
namespace {

using testing::C;
using testing::D;
using testing::Rules;

v1::PartyAgeGap Gap(const Date& from, const Date& to) {
  v1::PartyAgeGap gap;
  gap.set_kind(v1::PARTY_AGE_GAP_KIND_REMOVED);
  *gap.mutable_starts_on() = from;
  *gap.mutable_ends_on() = to;
  return gap;
}

v1::PartyAge Age(const Date& first, std::vector<v1::PartyAgeGap> gaps,
                 const Date& as_of) {
  absl::StatusOr<v1::PartyAge> age =
      ComputePartyAge(first, gaps, as_of, Rules().dues());
  EXPECT_TRUE(age.ok()) << age.status();
  return age.ok() ? *age : v1::PartyAge();
}

TEST(PartyAgeTest, FullMonthsFromTheFirstDecision) {
  EXPECT_EQ(Age(D(2000, 1, 10), {}, D(2024, 1, 10)).months(), 288);
  EXPECT_EQ(Age(D(2000, 1, 10), {}, D(2024, 1, 10)).years(), 24);
  EXPECT_EQ(Age(D(2000, 1, 10), {}, D(2024, 1, 9)).months(), 287);
  EXPECT_EQ(Age(D(2000, 1, 10), {}, D(2024, 1, 9)).years(), 23);
  EXPECT_EQ(Age(D(2000, 1, 10), {}, D(1999, 1, 1)).months(), 0);
}

// Free of dues from 50 years of party age.
TEST(PartyAgeTest, DuesFreeFromFiftyYears) {
  EXPECT_EQ(CivilDayOf(Age(D(1975, 5, 19), {}, D(2025, 1, 1)).dues_free_from()),
            C(2025, 5, 19));
}

// The header's example: a gap of 1,095 days moves the start to 2003-01-09.
TEST(PartyAgeTest, GapsMoveTheStart) {
  const v1::PartyAge age = Age(
      D(2000, 1, 10), {Gap(D(2005, 1, 1), D(2007, 12, 31))}, D(2024, 1, 10));
  EXPECT_EQ(age.months(), 252);
  EXPECT_EQ(age.years(), 21);
  EXPECT_EQ(CivilDayOf(age.dues_free_from()), C(2053, 1, 9));
  EXPECT_EQ(age.gaps_size(), 1);
}

TEST(PartyAgeTest, OverlappingGapsCountOnceAndAreClipped) {
  // Two overlapping gaps covering 2001-01-01..2001-12-31 (365 days), one
  // before the admission and one after the day asked: only 365 days count.
  const v1::PartyAge age = Age(
      D(2000, 1, 1),
      {Gap(D(2001, 6, 1), D(2001, 12, 31)), Gap(D(2001, 1, 1), D(2001, 8, 31)),
       Gap(D(1990, 1, 1), D(1995, 1, 1)), Gap(D(2030, 1, 1), D(2031, 1, 1))},
      D(2010, 1, 1));
  // Start moves 365 days: 2000-12-31; full months to 2010-01-01: 108.
  EXPECT_EQ(age.months(), 108);
  // Gaps come back sorted oldest first.
  EXPECT_EQ(age.gaps(0).starts_on().year(), 1990);
  EXPECT_EQ(age.gaps(3).starts_on().year(), 2030);
}

TEST(PartyAgeTest, OneDayGap) {
  EXPECT_EQ(
      Age(D(2000, 1, 10), {Gap(D(2010, 5, 5), D(2010, 5, 5))}, D(2024, 1, 10))
          .months(),
      287);
}

TEST(PartyAgeTest, InvalidInputNamesTheField) {
  absl::Status status =
      ComputePartyAge(D(2000, 1, 10), {Gap(D(2010, 5, 5), D(2010, 5, 4))},
                      D(2024, 2, 30), Rules().dues())
          .status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  std::vector<FieldViolation> fields = FieldViolationsOf(status);
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0].field, "as_of");
  EXPECT_EQ(fields[1].field, "gaps[0].ends_on");
}

}  // namespace
}  // namespace partydev::membership::domain
