// The deadline watch: approaching and overdue deadlines of people are
// announced once each on the membership stream, whatever the number of
// scans (or scanners).
#include "services/membership/deadline_watch.h"

#include <gtest/gtest.h>

#include "services/membership/services.h"
#include "tests/membership/membership_fixture.h"

namespace partydev::membership {
namespace {

class DeadlineWatchTest : public MembershipFixture {
 protected:
  void SetUp() override {
    MembershipFixture::SetUp();
    context_ = MakeContext();
    ASSERT_NE(context_, nullptr);
  }

  // A probationary member whose probation ends 12 months after `ceremony`.
  v1::Person Probationary(const std::string& name, const std::string& id,
                          common::v1::Date ceremony) {
    v1::CreatePersonRequest create = CandidateRequest(cell_a_, name, id);
    create.mutable_person()->clear_source();
    v1::ExistingMembership* m = create.mutable_existing_membership();
    m->mutable_admission_decision()->set_number("9-QĐ/ĐU");
    *m->mutable_admission_decision()->mutable_signed_on() = ceremony;
    *m->mutable_ceremony_on() = ceremony;
    v1::Person out;
    grpc::Status s = people_->CreatePerson(As(Admin()).get(), create, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  std::vector<events::v1::Event> Announcements() {
    std::vector<events::v1::Event> out;
    absl::StatusOr<RedisReply> reply =
        redis_client_->Command({"XRANGE", "{pd:membership}:events", "-", "+"});
    if (!reply.ok()) return out;
    for (const auto& entry : reply->elements()) {
      const auto& fields = entry.elements()[1].elements();
      events::v1::Event e;
      if (fields.size() >= 2 && e.ParseFromString(fields[1].str()) &&
          e.has_deadline_approaching()) {
        out.push_back(e);
      }
    }
    return out;
  }

  std::shared_ptr<MembershipContext> context_;
};

TEST_F(DeadlineWatchTest, AnnouncesEachDeadlineOncePerPhase) {
  // Probation ends 2026-11-27: three working days after 2026-11-24.
  v1::Person soon =
      Probationary("Cao Thị Sắp", "079200000101", D(2025, 11, 28));
  // Probation ended 2026-05-31: overdue.
  v1::Person late = Probationary("Cao Văn Trễ", "079200000102", D(2025, 6, 1));
  // Probation ends in 2027: not yet.
  Probationary("Cao Văn Xa", "079200000103", D(2026, 9, 1));

  DeadlineWatch watch(context_, DeadlineWatchOptions{});
  absl::StatusOr<int> first = watch.ScanOnce(absl::CivilDay(2026, 11, 24));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, 2);
  std::vector<events::v1::Event> events = Announcements();
  ASSERT_EQ(events.size(), 2u);
  for (const auto& e : events) {
    const auto& d = e.deadline_approaching();
    EXPECT_EQ(d.kind(), common::v1::DEADLINE_KIND_PROBATION_ENDS);
    EXPECT_EQ(d.responsible_organization(), cell_a_);
    EXPECT_EQ(e.organization_path_size(), 4);
    if (d.subject() == soon.name()) {
      EXPECT_EQ(d.working_days_left(), 3);
    } else {
      EXPECT_EQ(d.subject(), late.name());
      EXPECT_LT(d.working_days_left(), 0);
    }
  }

  // Scanning again (or from a second replica) announces nothing new.
  DeadlineWatch replica(context_, DeadlineWatchOptions{});
  EXPECT_EQ(*watch.ScanOnce(absl::CivilDay(2026, 11, 24)), 0);
  EXPECT_EQ(*replica.ScanOnce(absl::CivilDay(2026, 11, 25)), 0);

  // Once the first deadline has passed, it is announced as overdue.
  EXPECT_EQ(*watch.ScanOnce(absl::CivilDay(2026, 11, 30)), 1);
  EXPECT_EQ(Announcements().size(), 3u);
}

}  // namespace
}  // namespace partydev::membership
