// UpdateWorkingDayCalendar: an installation admin announces a year's days
// off (e.g. the government's Tết notice); deadlines computed afterwards
// count with it, every replica picks it up, and the change is audited.

#include <gtest/gtest.h>

#include "partydev/membership/v1/administration.grpc.pb.h"
#include "tests/membership/membership_fixture.h"

namespace partydev::membership {
namespace {

class CalendarTest : public MembershipFixture {
 protected:
  v1::WorkingDayCalendar Get(int year) {
    v1::GetWorkingDayCalendarRequest get;
    get.set_name("workingDayCalendars/" + std::to_string(year));
    v1::WorkingDayCalendar calendar;
    grpc::Status status = administration_->GetWorkingDayCalendar(
        As(Reader(cell_a_)).get(), get, &calendar);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return calendar;
  }

  // Declares `day` (a weekday) a public holiday of its year.
  v1::UpdateWorkingDayCalendarRequest AddHoliday(const common::v1::Date& day,
                                                 const std::string& etag) {
    v1::WorkingDayCalendar current = Get(day.year());
    v1::UpdateWorkingDayCalendarRequest update;
    *update.mutable_calendar() = current;
    update.mutable_calendar()->set_etag(etag);
    v1::Holiday* holiday = update.mutable_calendar()->add_holidays();
    *holiday->mutable_date() = day;
    holiday->set_name("Ngày nghỉ theo thông báo của Chính phủ");
    holiday->set_kind(v1::HOLIDAY_KIND_PUBLIC_HOLIDAY);
    update.mutable_update_mask()->add_paths("holidays");
    update.set_reason("Thông báo nghỉ lễ");
    return update;
  }
};

TEST_F(CalendarTest, AnAdminAddsADayOffAndItTakesEffect) {
  const v1::WorkingDayCalendar before = Get(2026);
  ASSERT_GT(before.working_days(), 200);
  // Wednesday 2026-12-02 becomes a day off.
  v1::WorkingDayCalendar after;
  grpc::Status status = administration_->UpdateWorkingDayCalendar(
      As(Admin()).get(), AddHoliday(D(2026, 12, 2), ""), &after);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(after.working_days(), before.working_days() - 1);
  EXPECT_EQ(after.etag(), "v1");
  EXPECT_EQ(after.update_stamp().reason(), "Thông báo nghỉ lễ");

  const v1::WorkingDayCalendar read = Get(2026);
  EXPECT_EQ(read.working_days(), before.working_days() - 1);
  EXPECT_EQ(read.etag(), "v1");

  // The change is audited under the installation ("organizations/-"),
  // which installation admins read and organisation callers do not.
  v1::ListAuditEntriesRequest list;
  list.set_parent("organizations/-");
  v1::ListAuditEntriesResponse entries;
  status = administration_->ListAuditEntries(As(Admin()).get(), list, &entries);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(entries.audit_entries_size(), 1);
  EXPECT_EQ(entries.audit_entries(0).target(), "workingDayCalendars/2026");
  EXPECT_EQ(administration_
                ->ListAuditEntries(As(Board(province_)).get(), list, &entries)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(CalendarTest, AStaleEtagIsAbortedAndNothingChanges) {
  v1::WorkingDayCalendar after;
  ASSERT_TRUE(administration_
                  ->UpdateWorkingDayCalendar(
                      As(Admin()).get(), AddHoliday(D(2026, 12, 2), ""), &after)
                  .ok());
  // A second officer read the calendar before the first update (no etag
  // then: "v0" is what an unchanged year never had).
  grpc::Status status = administration_->UpdateWorkingDayCalendar(
      As(Admin()).get(), AddHoliday(D(2026, 12, 3), "v7"), &after);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(Get(2026).etag(), "v1");
}

TEST_F(CalendarTest, OnlyAnInstallationAdminChangesIt) {
  const int before = Get(2026).working_days();
  v1::WorkingDayCalendar after;
  for (const Caller& caller :
       {Board(province_), Secretary(cell_a_), Board(other_province_)}) {
    grpc::Status status = administration_->UpdateWorkingDayCalendar(
        As(caller).get(), AddHoliday(D(2026, 12, 2), ""), &after);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << caller.organization;
  }
  EXPECT_EQ(Get(2026).working_days(), before);
}

TEST_F(CalendarTest, InvalidCalendarsAreRefusedAndNothingIsWritten) {
  const v1::WorkingDayCalendar before = Get(2026);
  v1::WorkingDayCalendar after;
  // A holiday on a weekend day is a compensatory day's business, not a
  // holiday (FromYears's rule): Saturday 2026-12-05.
  grpc::Status status = administration_->UpdateWorkingDayCalendar(
      As(Admin()).get(), AddHoliday(D(2026, 12, 5), ""), &after);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // A date of another year.
  v1::UpdateWorkingDayCalendarRequest other_year =
      AddHoliday(D(2026, 12, 2), "");
  *other_year.mutable_calendar()->mutable_holidays()->rbegin()->mutable_date() =
      D(2027, 1, 5);
  status = administration_->UpdateWorkingDayCalendar(As(Admin()).get(),
                                                     other_year, &after);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // A mask naming an output-only field.
  v1::UpdateWorkingDayCalendarRequest bad_mask = AddHoliday(D(2026, 12, 2), "");
  bad_mask.mutable_update_mask()->add_paths("working_days");
  status = administration_->UpdateWorkingDayCalendar(As(Admin()).get(),
                                                     bad_mask, &after);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // validate_only answers with the result and writes nothing.
  v1::UpdateWorkingDayCalendarRequest dry = AddHoliday(D(2026, 12, 2), "");
  dry.set_validate_only(true);
  status =
      administration_->UpdateWorkingDayCalendar(As(Admin()).get(), dry, &after);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(after.working_days(), before.working_days() - 1);
  const v1::WorkingDayCalendar read = Get(2026);
  EXPECT_EQ(read.working_days(), before.working_days());
  EXPECT_TRUE(read.etag().empty());
}

TEST_F(CalendarTest, AYearBeyondTheShippedOnesIsCreatedByItsFirstUpdate) {
  v1::GetWorkingDayCalendarRequest get;
  get.set_name("workingDayCalendars/2040");
  v1::WorkingDayCalendar calendar;
  ASSERT_EQ(
      administration_
          ->GetWorkingDayCalendar(As(Reader(cell_a_)).get(), get, &calendar)
          .error_code(),
      grpc::StatusCode::NOT_FOUND);
  v1::UpdateWorkingDayCalendarRequest update;
  update.mutable_calendar()->set_name("workingDayCalendars/2040");
  v1::Holiday* national_day = update.mutable_calendar()->add_holidays();
  *national_day->mutable_date() = D(2040, 9, 3);  // a Monday
  national_day->set_name("Quốc khánh");
  national_day->set_kind(v1::HOLIDAY_KIND_PUBLIC_HOLIDAY);
  update.mutable_update_mask()->add_paths("holidays");
  grpc::Status status = administration_->UpdateWorkingDayCalendar(
      As(Admin()).get(), update, &calendar);
  ASSERT_TRUE(status.ok()) << status.error_message();
  // 2040 has 261 weekdays; one is a holiday.
  EXPECT_EQ(calendar.working_days(), 260);
  ASSERT_TRUE(
      administration_
          ->GetWorkingDayCalendar(As(Reader(cell_a_)).get(), get, &calendar)
          .ok());
  EXPECT_EQ(calendar.working_days(), 260);
}

}  // namespace
}  // namespace partydev::membership
