#include "services/membership/domain/working_days.h"

#include <gtest/gtest.h>

#include "common/errors.h"
#include "services/membership/domain/test_support.h"

namespace partydev::membership::domain {
namespace {

using testing::C;
using testing::Calendar;

TEST(WorkingDaysTest, ShippedCalendarCovers2020To2030) {
  for (int year = 2020; year <= 2030; ++year) {
    EXPECT_TRUE(Calendar().CoversYear(year)) << year;
  }
  EXPECT_FALSE(Calendar().CoversYear(2019));
  EXPECT_FALSE(Calendar().IsEstimated(2024));
  EXPECT_TRUE(Calendar().IsEstimated(2029));
  EXPECT_EQ(Calendar().years().front().name(), "workingDayCalendars/2020");
}

// Tết Nguyên đán and Giỗ Tổ Hùng Vương move with the lunar calendar.
TEST(WorkingDaysTest, LunarHolidaysAreDaysOff) {
  const struct {
    absl::CivilDay day;
    const char* what;
  } kDaysOff[] = {
      {C(2024, 2, 8), "29 Tết Giáp Thìn"},
      {C(2024, 2, 14), "nghỉ bù Tết 2024"},
      {C(2024, 4, 18), "Giỗ Tổ 2024"},
      {C(2025, 1, 29), "mùng 1 Tết Ất Tỵ"},
      {C(2025, 4, 7), "Giỗ Tổ 2025"},
      {C(2026, 2, 17), "mùng 1 Tết Bính Ngọ"},
      {C(2026, 4, 27), "nghỉ bù Giỗ Tổ 2026 (26/4 là Chủ nhật)"},
      {C(2030, 2, 4), "Tết Canh Tuất (âm lịch Việt Nam: 02/02/2030)"},
      {C(2024, 9, 3), "Quốc khánh 2024"},
      {C(2022, 1, 3), "nghỉ bù Tết Dương lịch 2022"},
  };
  for (const auto& off : kDaysOff) {
    absl::StatusOr<bool> working = Calendar().IsWorkingDay(off.day);
    ASSERT_TRUE(working.ok()) << off.what;
    EXPECT_FALSE(*working) << off.what;
  }
}

TEST(WorkingDaysTest, WeekendsAndMakeUpSaturdays) {
  EXPECT_FALSE(*Calendar().IsWorkingDay(C(2024, 5, 5)));   // Sunday.
  EXPECT_TRUE(*Calendar().IsWorkingDay(C(2024, 5, 4)));    // Make-up Saturday.
  EXPECT_FALSE(*Calendar().IsWorkingDay(C(2024, 4, 29)));  // Swapped Monday.
  EXPECT_TRUE(*Calendar().IsWorkingDay(C(2025, 2, 8)));    // Make-up Saturday.
  EXPECT_FALSE(*Calendar().IsWorkingDay(C(2025, 2, 15)));  // Saturday.
  EXPECT_TRUE(*Calendar().IsWorkingDay(C(2024, 5, 2)));    // Thursday.
}

TEST(WorkingDaysTest, CountsTheWorkingDaysOfAYear) {
  // 2024: 262 weekdays - 12 days off + 1 make-up Saturday.
  EXPECT_EQ(Calendar().years()[4].year(), 2024);
  EXPECT_EQ(Calendar().years()[4].working_days(), 251);
}

// A cell resolution on Monday 2024-01-15: the 60th working day after it,
// counting the Tết Giáp Thìn days off (08, 09, 12, 13, 14 February), is
// Monday 2024-04-15 (without Tết it would be 2024-04-08). Jan: 12, Feb: 16,
// Mar: 21 (49), Apr 1-5 and 8-12 (59), Apr 15 (60).
TEST(WorkingDaysTest, SixtyWorkingDaysAcrossTet) {
  EXPECT_EQ(*Calendar().AddWorkingDays(C(2024, 1, 15), 60), C(2024, 4, 15));
  EXPECT_EQ(*Calendar().AddWorkingDays(C(2024, 1, 15), 61), C(2024, 4, 16));
  EXPECT_EQ(*Calendar().WorkingDaysBetween(C(2024, 1, 15), C(2024, 4, 15)), 60);
  EXPECT_EQ(*Calendar().WorkingDaysBetween(C(2024, 1, 15), C(2024, 4, 16)), 61);
}

// Thirty working days from 2025-01-10 cross the Tết Ất Tỵ holiday (27-31
// January off) and count the make-up Saturday 08 February.
TEST(WorkingDaysTest, ThirtyWorkingDaysWithAMakeUpSaturday) {
  EXPECT_EQ(*Calendar().AddWorkingDays(C(2025, 1, 10), 30), C(2025, 2, 27));
}

TEST(WorkingDaysTest, AcrossTheNewYear) {
  EXPECT_EQ(*Calendar().AddWorkingDays(C(2023, 12, 20), 60), C(2024, 3, 21));
}

TEST(WorkingDaysTest, ZeroAndNegative) {
  EXPECT_EQ(*Calendar().AddWorkingDays(C(2024, 2, 10), 0), C(2024, 2, 10));
  EXPECT_EQ(Calendar().AddWorkingDays(C(2024, 2, 10), -1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(*Calendar().WorkingDaysBetween(C(2024, 4, 15), C(2024, 1, 15)),
            -60);
  EXPECT_EQ(*Calendar().WorkingDaysBetween(C(2024, 4, 15), C(2024, 4, 15)), 0);
}

TEST(WorkingDaysTest, OutsideTheCalendarIsAnError) {
  absl::StatusOr<absl::CivilDay> due =
      Calendar().AddWorkingDays(C(2030, 12, 1), 60);
  EXPECT_EQ(due.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(due.status().message().find("2031"), std::string::npos);
  EXPECT_FALSE(Calendar().IsWorkingDay(C(2019, 6, 3)).ok());
}

TEST(WorkingDaysTest, RejectsAHolidayOnAWeekend) {
  v1::WorkingDayCalendar year;
  year.set_year(2024);
  v1::Holiday* holiday = year.add_holidays();
  *holiday->mutable_date() = MakeDate(2024, 6, 1);  // Saturday.
  holiday->set_name("Thử");
  holiday->set_kind(v1::HOLIDAY_KIND_PUBLIC_HOLIDAY);
  absl::Status status = WorkingDayCalendar::FromYears({year}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("weekend"), std::string::npos);
}

TEST(WorkingDaysTest, RejectsADuplicateYearAndAWeekdayMakeUpDay) {
  v1::WorkingDayCalendar year;
  year.set_year(2024);
  EXPECT_FALSE(WorkingDayCalendar::FromYears({year, year}).ok());
  *year.add_make_up_working_days() = MakeDate(2024, 6, 3);  // Monday.
  EXPECT_FALSE(WorkingDayCalendar::FromYears({year}).ok());
}

TEST(WorkingDaysTest, ParsesTheFileFormat) {
  absl::StatusOr<WorkingDayCalendar> calendar =
      WorkingDayCalendar::ParseJson(R"({
    "note": "comments are top-level keys",
    "calendars": [{"status": "ESTIMATED", "calendar": {"year": 2031,
      "holidays": [{"date": {"year": 2031, "month": 1, "day": 1},
                    "name": "Tết Dương lịch",
                    "kind": "HOLIDAY_KIND_PUBLIC_HOLIDAY"}]}}]})");
  ASSERT_TRUE(calendar.ok()) << calendar.status();
  EXPECT_TRUE(calendar->IsEstimated(2031));
  EXPECT_FALSE(*calendar->IsWorkingDay(C(2031, 1, 1)));
  EXPECT_TRUE(*calendar->IsWorkingDay(C(2031, 1, 2)));
}

TEST(WorkingDaysTest, RejectsMalformedFiles) {
  EXPECT_FALSE(WorkingDayCalendar::ParseJson("not json").ok());
  EXPECT_FALSE(WorkingDayCalendar::ParseJson(R"({"calendars": [{}]})").ok());
  EXPECT_FALSE(WorkingDayCalendar::ParseJson(
                   R"({"calendars": [{"status": "MAYBE", "calendar": {}}]})")
                   .ok());
  // Unknown fields in a calendar are errors, not silently ignored.
  EXPECT_FALSE(WorkingDayCalendar::ParseJson(
                   R"({"calendars": [{"status": "ANNOUNCED",
                       "calendar": {"year": 2031, "holidayz": []}}]})")
                   .ok());
  EXPECT_EQ(WorkingDayCalendar::LoadFile("/nonexistent/calendar.json")
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace partydev::membership::domain
