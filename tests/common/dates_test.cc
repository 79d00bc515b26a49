#include "common/dates.h"

#include <gtest/gtest.h>

#include "common/errors.h"

namespace partydev {
namespace {

Date D(int year, int month, int day) { return MakeDate(year, month, day); }
absl::CivilDay C(int year, int month, int day) {
  return absl::CivilDay(year, month, day);
}

TEST(DatesTest, ConvertsBothWays) {
  absl::StatusOr<absl::CivilDay> day = ToCivilDay(D(2024, 2, 29), "x");
  ASSERT_TRUE(day.ok());
  EXPECT_EQ(*day, C(2024, 2, 29));
  const Date back = FromCivilDay(*day);
  EXPECT_EQ(back.year(), 2024);
  EXPECT_EQ(back.month(), 2);
  EXPECT_EQ(back.day(), 29);
}

TEST(DatesTest, InvalidDateNamesTheField) {
  absl::Status status = ToCivilDay(D(2023, 2, 29), "ballot.held_on").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  std::vector<FieldViolation> fields = FieldViolationsOf(status);
  ASSERT_EQ(fields.size(), 1u);
  EXPECT_EQ(fields[0].field, "ballot.held_on");
  EXPECT_NE(fields[0].description.find("2023-02-29"), std::string::npos);
}

TEST(DatesTest, UnsetDateIsRequired) {
  absl::Status status = ValidateDate(Date(), "filed_on");
  ASSERT_EQ(FieldViolationsOf(status).size(), 1u);
  EXPECT_EQ(FieldViolationsOf(status)[0].description, "is required");
}

TEST(DatesTest, RejectsOutOfRangeFields) {
  EXPECT_FALSE(IsValidDate(D(1899, 12, 31)));
  EXPECT_FALSE(IsValidDate(D(2024, 13, 1)));
  EXPECT_FALSE(IsValidDate(D(2024, 4, 31)));
  EXPECT_FALSE(IsValidDate(D(2024, 1, 0)));
  EXPECT_FALSE(IsValidDate(D(1900, 2, 29)));  // 1900 is not a leap year.
  EXPECT_TRUE(IsValidDate(D(2000, 2, 29)));   // 2000 is.
  EXPECT_TRUE(IsValidDate(D(9999, 12, 31)));
}

TEST(DatesTest, CheckDateCollectsEveryBadDate) {
  FieldChecker check;
  CheckDate(D(2024, 1, 1), "a", check);
  CheckDate(Date(), "b", check);
  CheckDate(D(2024, 2, 30), "c", check);
  std::vector<FieldViolation> fields = FieldViolationsOf(check.status());
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0].field, "b");
  EXPECT_EQ(fields[1].field, "c");
}

// Age in full months: born 2006-03-31 is full 18 years (216 months) on
// 2024-03-31 and 215 months the day before.
TEST(DatesTest, AgeInFullMonths) {
  EXPECT_EQ(FullMonthsBetween(C(2006, 3, 31), C(2024, 3, 31)), 216);
  EXPECT_EQ(FullMonthsBetween(C(2006, 3, 31), C(2024, 3, 30)), 215);
  EXPECT_EQ(FullYearsBetween(C(2006, 3, 31), C(2024, 3, 31)), 18);
  EXPECT_EQ(FullYearsBetween(C(2006, 3, 31), C(2024, 3, 30)), 17);
}

// The month-end rule (Civil Code art. 148): a month without the starting
// day number ends on its last day.
TEST(DatesTest, FullMonthsAtMonthEnds) {
  // 31 January → 29 February (leap) is one full month.
  EXPECT_EQ(FullMonthsBetween(C(2024, 1, 31), C(2024, 2, 29)), 1);
  EXPECT_EQ(FullMonthsBetween(C(2024, 1, 31), C(2024, 2, 28)), 0);
  // Born 29 February: full 18 years on 28 February of a common year.
  EXPECT_EQ(FullMonthsBetween(C(2004, 2, 29), C(2022, 2, 28)), 216);
  EXPECT_EQ(FullMonthsBetween(C(2004, 2, 29), C(2022, 2, 27)), 215);
  // 31 August → 28 February: six full months.
  EXPECT_EQ(FullMonthsBetween(C(2005, 8, 31), C(2006, 2, 28)), 6);
  EXPECT_EQ(FullMonthsBetween(C(2005, 8, 30), C(2006, 2, 28)), 6);
  EXPECT_EQ(FullMonthsBetween(C(2005, 8, 28), C(2006, 2, 27)), 5);
}

TEST(DatesTest, FullMonthsIsZeroBackwardsAndSameDay) {
  EXPECT_EQ(FullMonthsBetween(C(2024, 5, 1), C(2024, 4, 1)), 0);
  EXPECT_EQ(FullMonthsBetween(C(2024, 5, 1), C(2024, 5, 1)), 0);
  EXPECT_EQ(FullMonthsBetween(C(2024, 5, 1), C(2024, 5, 31)), 0);
  EXPECT_EQ(FullMonthsBetween(C(2024, 5, 1), C(2024, 6, 1)), 1);
}

// Probation: 12 months from the ceremony. "12 months from 2024-01-31" is
// 2025-01-31; one month from 2024-01-31 is 2024-02-29.
TEST(DatesTest, AddMonthsClampsToTheMonthsLastDay) {
  EXPECT_EQ(AddMonths(C(2024, 1, 31), 12), C(2025, 1, 31));
  EXPECT_EQ(AddMonths(C(2024, 1, 31), 1), C(2024, 2, 29));
  EXPECT_EQ(AddMonths(C(2023, 1, 31), 1), C(2023, 2, 28));
  EXPECT_EQ(AddMonths(C(2024, 2, 29), 12), C(2025, 2, 28));
  EXPECT_EQ(AddMonths(C(2024, 3, 31), 1), C(2024, 4, 30));
  EXPECT_EQ(AddMonths(C(2024, 12, 15), 1), C(2025, 1, 15));
  EXPECT_EQ(AddMonths(C(2024, 3, 31), -1), C(2024, 2, 29));
  EXPECT_EQ(AddMonths(C(2024, 8, 31), 0), C(2024, 8, 31));
}

TEST(DatesTest, FullMonthsAndAddMonthsAgree) {
  for (absl::CivilDay from = C(2023, 1, 25); from <= C(2024, 3, 5); ++from) {
    for (int n : {1, 6, 12, 216}) {
      const absl::CivilDay to = AddMonths(from, n);
      EXPECT_EQ(FullMonthsBetween(from, to), n) << from << " +" << n;
      EXPECT_EQ(FullMonthsBetween(from, to - 1), n - 1) << from << " +" << n;
    }
  }
}

TEST(DatesTest, ValidUntilIncludesTheCorrespondingDay) {
  EXPECT_EQ(ValidUntil(C(2020, 1, 15), 60), C(2025, 1, 15));
  EXPECT_EQ(ValidUntil(C(2020, 2, 29), 12), C(2021, 2, 28));
}

TEST(DatesTest, FormatsForASecretary) {
  EXPECT_EQ(FormatDay(C(2024, 3, 9)), "09/03/2024");
  EXPECT_EQ(FormatDate(D(2023, 9, 17)), "17/09/2023");
  EXPECT_EQ(FormatMonths(8), "8 tháng");
  EXPECT_EQ(FormatMonths(216), "216 tháng (18 năm)");
  EXPECT_EQ(FormatMonths(27), "27 tháng (2 năm 3 tháng)");
}

}  // namespace
}  // namespace partydev
