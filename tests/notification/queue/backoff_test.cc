// Tests of the pure helpers: the retry delays of a channel policy (the
// schedule, its repeated last entry, the jitter bounds, Retry-After) and
// quiet hours.

#include "services/notification/queue/backoff.h"

#include <gtest/gtest.h>

#include "google/protobuf/duration.pb.h"
#include "services/notification/queue/quiet_hours.h"

namespace partydev::notification {
namespace {

google::protobuf::Duration Proto(absl::Duration d) {
  google::protobuf::Duration out;
  out.set_seconds(absl::ToInt64Seconds(d));
  return out;
}

v1::ChannelPolicy Policy(double jitter) {
  v1::ChannelPolicy policy;
  for (absl::Duration d :
       {absl::Seconds(5), absl::Minutes(5), absl::Minutes(30)}) {
    *policy.add_retry_delays() = Proto(d);
  }
  policy.set_jitter_fraction(jitter);
  return policy;
}

TEST(RetryDelayTest, FollowsTheScheduleAndRepeatsTheLastEntry) {
  const v1::ChannelPolicy policy = Policy(0);
  EXPECT_EQ(RetryDelay(policy, 1, 0.7), absl::Seconds(5));
  EXPECT_EQ(RetryDelay(policy, 2, 0.7), absl::Minutes(5));
  EXPECT_EQ(RetryDelay(policy, 3, 0.7), absl::Minutes(30));
  EXPECT_EQ(RetryDelay(policy, 9, 0.7), absl::Minutes(30));
}

TEST(RetryDelayTest, JitterAddsUpToItsFraction) {
  const v1::ChannelPolicy policy = Policy(0.2);
  EXPECT_EQ(RetryDelay(policy, 2, 0), absl::Minutes(5));
  EXPECT_EQ(RetryDelay(policy, 2, 0.5), absl::Minutes(5) * 1.1);
  const absl::Duration high = RetryDelay(policy, 2, 0.999999);
  EXPECT_GT(high, absl::Minutes(5) * 1.19);
  EXPECT_LE(high, absl::Minutes(6));
}

TEST(RetryDelayTest, BacksOffExponentiallyWithoutASchedule) {
  v1::ChannelPolicy policy;
  EXPECT_EQ(RetryDelay(policy, 1, 0), absl::Seconds(5));
  EXPECT_EQ(RetryDelay(policy, 2, 0), absl::Seconds(10));
  EXPECT_EQ(RetryDelay(policy, 4, 0), absl::Seconds(40));
  EXPECT_EQ(RetryDelay(policy, 60, 0), kDefaultMaxDelay);
}

TEST(RetryDelayTest, RetryAfterWinsWhenLongerAndIsCapped) {
  v1::ChannelPolicy policy = Policy(0);
  EXPECT_EQ(RetryDelay(policy, 1, 0, absl::Minutes(2)), absl::Minutes(2));
  EXPECT_EQ(RetryDelay(policy, 3, 0, absl::Minutes(2)), absl::Minutes(30));
  *policy.mutable_max_retry_after() = Proto(absl::Hours(1));
  EXPECT_EQ(RetryDelay(policy, 1, 0, absl::Hours(6)), absl::Hours(1));
}

TEST(MinuteTest, WindowsAreCalendarMinutes) {
  const absl::Time t = absl::FromUnixSeconds(1700000000) +
                       absl::Milliseconds(1500);  // 22:13:21.5 UTC
  EXPECT_EQ(MinuteStart(t), absl::FromUnixSeconds(1700000000 - 20));
  EXPECT_EQ(NextMinute(t), absl::FromUnixSeconds(1700000000 + 40));
  EXPECT_EQ(NextMinute(MinuteStart(t)), MinuteStart(t) + absl::Minutes(1));
}

class QuietHoursTest : public ::testing::Test {
 protected:
  // Hà Nội is UTC+7 all year.
  const absl::TimeZone zone_ = absl::FixedTimeZone(7 * 3600);
  absl::Time Local(int day, int hour, int minute) const {
    return absl::FromCivil(absl::CivilSecond(2026, 3, day, hour, minute, 0),
                           zone_);
  }
  static v1::QuietHours Hours(int sh, int sm, int eh, int em) {
    v1::QuietHours q;
    q.set_enabled(true);
    q.mutable_start()->set_hours(sh);
    q.mutable_start()->set_minutes(sm);
    q.mutable_end()->set_hours(eh);
    q.mutable_end()->set_minutes(em);
    return q;
  }
};

TEST_F(QuietHoursTest, OvernightQuietHoursEndInTheMorning) {
  const v1::QuietHours night = Hours(22, 0, 6, 0);
  EXPECT_EQ(EndOfQuietHours(Local(10, 23, 15), night, zone_), Local(11, 6, 0));
  EXPECT_EQ(EndOfQuietHours(Local(10, 22, 0), night, zone_), Local(11, 6, 0));
  EXPECT_EQ(EndOfQuietHours(Local(11, 5, 59), night, zone_), Local(11, 6, 0));
  // End exclusive, and daytime is not quiet.
  EXPECT_EQ(EndOfQuietHours(Local(11, 6, 0), night, zone_), Local(11, 6, 0));
  EXPECT_EQ(EndOfQuietHours(Local(11, 12, 0), night, zone_), Local(11, 12, 0));
  EXPECT_EQ(EndOfQuietHours(Local(11, 21, 59), night, zone_),
            Local(11, 21, 59));
}

TEST_F(QuietHoursTest, DaytimeQuietHours) {
  const v1::QuietHours lunch = Hours(11, 30, 13, 30);
  EXPECT_EQ(EndOfQuietHours(Local(10, 12, 0), lunch, zone_), Local(10, 13, 30));
  EXPECT_EQ(EndOfQuietHours(Local(10, 11, 29), lunch, zone_),
            Local(10, 11, 29));
}

TEST_F(QuietHoursTest, UrgentAndDisabledAreNeverHeld) {
  v1::QuietHours night = Hours(22, 0, 6, 0);
  const absl::Time late = Local(10, 23, 0);
  EXPECT_EQ(EndOfQuietHours(late, night, zone_, v1::MESSAGE_PRIORITY_URGENT),
            late);
  EXPECT_EQ(EndOfQuietHours(late, night, zone_, v1::MESSAGE_PRIORITY_DIGEST),
            Local(11, 6, 0));
  night.set_enabled(false);
  EXPECT_EQ(EndOfQuietHours(late, night, zone_), late);
  EXPECT_EQ(EndOfQuietHours(late, Hours(8, 0, 8, 0), zone_), late);
}

}  // namespace
}  // namespace partydev::notification
