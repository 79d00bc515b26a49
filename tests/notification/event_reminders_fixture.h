// File: tests/notification/event_reminders_fixture.h
//
// notifyd's reminders from events (event_reminders.h) on the fixture's
// real Redis and tree, driven by hand: publish an event on membership's
// (or quota's) stream, Drain() to let the engine read it, Sweep() to send
// what is due at the manual clock's time.

#ifndef PARTYDEV_TESTS_NOTIFICATION_EVENT_REMINDERS_FIXTURE_H_
#define PARTYDEV_TESTS_NOTIFICATION_EVENT_REMINDERS_FIXTURE_H_

#include <memory>

#include "services/notification/event_reminders.h"
#include "tests/notification/notification_fixture.h"

namespace partydev::notification {

class EventRemindersFixture : public NotificationFixture {
 protected:
  static constexpr const char* kQuotaStream = "{pd:quota}:events";

  void SetUp() override {
    NotificationFixture::SetUp();
    if (HasFatalFailure()) return;
    engine_ = std::make_unique<EventReminders>(
        *context_, context_->runtime().membership_redis(),
        context_->runtime().quota_redis(),
        EventRemindersOptions{MembershipStream(), kQuotaStream, "test-1",
                              absl::Minutes(1)});
    quota_ = std::make_unique<testing::MembershipEvents>(*redis_client_,
                                                         kQuotaStream);
  }
  void TearDown() override {
    engine_.reset();
    NotificationFixture::TearDown();
  }

  // Publishes `e` on membership's stream; the event as published.
  events::v1::Event MustPublish(const events::v1::Event& e) {
    absl::StatusOr<events::v1::Event> published = membership_->Publish(e);
    EXPECT_TRUE(published.ok()) << published.status();
    return published.ok() ? *published : e;
  }

  // Lets the engine read everything published so far.
  void Drain() {
    absl::StatusOr<int> drained = engine_->DrainAll();
    ASSERT_TRUE(drained.ok()) << drained.status();
  }

  // Sends the reminders due at the clock's time; how many.
  int Sweep() {
    absl::StatusOr<int> sent = engine_->SweepDue();
    EXPECT_TRUE(sent.ok()) << sent.status();
    return sent.ok() ? *sent : -1;
  }

  std::unique_ptr<EventReminders> engine_;
  // Quota's stream (OrganizationLagging events).
  std::unique_ptr<testing::MembershipEvents> quota_;
};

}  // namespace partydev::notification

#endif  // PARTYDEV_TESTS_NOTIFICATION_EVENT_REMINDERS_FIXTURE_H_
