// membershipd and quotad together on one Redis, as deployed (and on two,
// one each): the events
// membership writes in the same step as its changes are what quota counts.
// No event is faked here: the organisation tree and the admission come from
// membership's own RPCs, and quota learns them only from the stream.

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "common/redis_client.h"
#include "common/redis_options.h"
#include "partydev/quota/v1/achievements.grpc.pb.h"
#include "partydev/quota/v1/targets.grpc.pb.h"
#include "services/quota/services.h"
#include "tests/membership/membership_fixture.h"

namespace partydev {
namespace {

class QuotaMembershipTest : public membership::MembershipFixture {
 protected:
  // True: quotad keeps its keys on a Redis of its own and reads
  // membership's stream from membership's Redis (--membership_redis).
  virtual bool QuotaOnItsOwnRedis() const { return false; }

  void SetUp() override {
    MembershipFixture::SetUp();
    std::string quota_redis = redis_.url();
    std::vector<std::string> flags = {"--key_prefix=pd:quota:"};
    if (QuotaOnItsOwnRedis()) {
      ASSERT_TRUE(quota_redis_.Start().ok());
      quota_redis = quota_redis_.url();
      flags.push_back("--membership_redis=" + redis_.url());
    }
    quota_server_ = std::make_unique<testing::InProcessServer>(
        testing::TestConfig(quota_redis, flags),
        [this](ServiceRuntime& runtime)
            -> absl::StatusOr<std::vector<ServiceRegistration>> {
          absl::StatusOr<quota::QuotaConfig> config =
              quota::LoadQuotaConfig(PARTYDEV_QUOTA_RULES_DIR);
          if (!config.ok()) return config.status();
          absl::StatusOr<quota::QuotaServices> services =
              quota::MakeQuotaServices(runtime, *std::move(config));
          if (!services.ok()) return services.status();
          quota_ = services->context;
          return std::move(services->registrations);
        });
    ASSERT_TRUE(quota_server_->Start().ok());
    targets_ = quota::v1::TargetService::NewStub(quota_server_->channel());
    achievements_ =
        quota::v1::AchievementService::NewStub(quota_server_->channel());
    quota::v1::CreateTermRequest term;
    term.set_term_id("2020-2025");
    term.mutable_term()->set_display_name("Nhiệm kỳ 2020–2025");
    *term.mutable_term()->mutable_start_date() = D(2020, 10, 1);
    *term.mutable_term()->mutable_end_date() = D(2025, 9, 30);
    quota::v1::Term created;
    grpc::Status status =
        targets_->CreateTerm(As(Admin()).get(), term, &created);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  void TearDown() override {
    if (quota_ != nullptr) quota_->projections().Stop();
    if (quota_server_ != nullptr) quota_server_->Shutdown();
    MembershipFixture::TearDown();
  }

  void DrainQuota() {
    absl::StatusOr<int> drained = quota_->projections().DrainAll();
    ASSERT_TRUE(drained.ok()) << drained.status();
  }

  // Enters an existing member of `cell` admitted on `admitted_on` (a roll
  // being taken over: membership emits MemberAdmitted for it).
  void EnterMember(const std::string& cell, const std::string& citizen_id,
                   const common::v1::Date& admitted_on) {
    membership::v1::CreatePersonRequest request =
        CandidateRequest(cell, "Trần Thị Bình", citizen_id);
    request.mutable_person()->clear_source();
    membership::v1::ExistingMembership* m =
        request.mutable_existing_membership();
    m->mutable_admission_decision()->set_number("45-QĐ/ĐU");
    *m->mutable_admission_decision()->mutable_signed_on() = admitted_on;
    m->mutable_admission_decision()->set_deciding_organization(college_);
    common::v1::Date ceremony = admitted_on;
    ceremony.set_day(std::min(admitted_on.day() + 5, 28));
    *m->mutable_ceremony_on() = ceremony;
    membership::v1::Person out;
    grpc::Status status =
        people_->CreatePerson(As(Admin()).get(), request, &out);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  // The row of `organization` for `year` in the province's subtree.
  quota::v1::AchievementRow Row(const std::string& organization, int year) {
    quota::v1::QueryAchievementsRequest query;
    query.set_name(province_);
    query.set_term("terms/2020-2025");
    query.set_year(year);
    query.set_scope(quota::v1::ORGANIZATION_SCOPE_SUBTREE);
    *query.mutable_as_of() = D(2025, 9, 30);
    query.set_page_size(1000);
    quota::v1::AchievementCounts counts;
    grpc::Status status = achievements_->QueryAchievements(
        As(Board(province_)).get(), query, &counts);
    EXPECT_TRUE(status.ok()) << status.error_message();
    for (const auto& row : counts.rows()) {
      if (row.organization().name() == organization) return row;
    }
    ADD_FAILURE() << organization << " has no row";
    return {};
  }

  testing::RedisServer quota_redis_;
  std::unique_ptr<testing::InProcessServer> quota_server_;
  std::shared_ptr<quota::QuotaContext> quota_;
  std::unique_ptr<quota::v1::TargetService::Stub> targets_;
  std::unique_ptr<quota::v1::AchievementService::Stub> achievements_;
};

TEST_F(QuotaMembershipTest, QuotaLearnsTheTreeFromMembershipsEvents) {
  DrainQuota();
  absl::StatusOr<std::shared_ptr<const OrgTree>> tree =
      quota_->projections().Tree();
  ASSERT_TRUE(tree.ok()) << tree.status();
  EXPECT_EQ((*tree)->PathOn(cell_a_, absl::CivilDay(2026, 1, 1)),
            (std::vector<std::string>{province_, bloc_, college_, cell_a_}));
  EXPECT_TRUE((*tree)->Known(other_cell_));
}

TEST_F(QuotaMembershipTest, AnAdmissionRecordedInMembershipCountsUpTheTree) {
  EnterMember(cell_a_, "079300000101", D(2023, 5, 4));
  DrainQuota();
  for (const std::string& org : {province_, bloc_, college_}) {
    EXPECT_EQ(Row(org, 2023).admitted(), 1) << org;
    EXPECT_EQ(Row(org, 2024).admitted(), 0) << org;
  }
  // Delivered again (a replica that crashed before acknowledging), the
  // same events change nothing.
  DrainQuota();
  EXPECT_EQ(Row(province_, 2023).admitted(), 1);
}

TEST_F(QuotaMembershipTest, ReportsKeepWorkingWhileMembershipIsDown) {
  EnterMember(cell_b_, "079300000102", D(2024, 2, 20));
  DrainQuota();
  server_->Shutdown();  // membershipd stops; quotad has its own projection
  EXPECT_EQ(Row(college_, 2024).admitted(), 1);
}

// design.md: each service can be pointed at its own Redis.
class QuotaOnItsOwnRedisTest : public QuotaMembershipTest {
 protected:
  bool QuotaOnItsOwnRedis() const override { return true; }

  std::vector<std::string> KeysOn(testing::RedisServer& server,
                                  const std::string& pattern) {
    absl::StatusOr<RedisOptions> options = ParseRedisUrl(server.url());
    EXPECT_TRUE(options.ok());
    RedisClient client(*options);
    absl::StatusOr<RedisReply> keys = client.Command({"KEYS", pattern});
    EXPECT_TRUE(keys.ok()) << keys.status();
    std::vector<std::string> out;
    if (keys.ok()) {
      for (const RedisReply& k : keys->elements()) out.push_back(k.str());
    }
    return out;
  }
};

TEST_F(QuotaOnItsOwnRedisTest, CountsFromMembershipsRedisLandOnQuotasOwn) {
  EnterMember(cell_a_, "079300000103", D(2023, 6, 7));
  DrainQuota();
  EXPECT_EQ(Row(college_, 2023).admitted(), 1);
  EXPECT_EQ(Row(province_, 2023).admitted(), 1);
  // quotad's state is on its own Redis, and nothing of it on membership's.
  EXPECT_FALSE(KeysOn(quota_redis_, "{pd:quota}:*").empty());
  EXPECT_TRUE(KeysOn(redis_, "{pd:quota}:*").empty());
  EXPECT_TRUE(KeysOn(quota_redis_, "{pd:membership}:*").empty());
}

}  // namespace
}  // namespace partydev
