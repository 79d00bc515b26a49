// AdministrationService: the rule sets in force, and the audit log readable
// by an organisation and its superiors only.
#include "services/membership/administration_service.h"

#include <gtest/gtest.h>

#include "common/errors.h"
#include "common/grpc_status.h"
#include "services/membership/organization_service.h"
#include "services/membership/services.h"
#include "tests/support/in_process_server.h"
#include "tests/support/redis_server.h"

namespace partydev::membership {
namespace {

class AdministrationServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(redis_.Start().ok());
    auto loaded = domain::RuleSetRegistry::LoadDirectory(
        std::string(PARTYDEV_MEMBERSHIP_RULES_DIR) + "/rule_sets");
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    rule_sets_ =
        std::make_shared<const domain::RuleSetRegistry>(*std::move(loaded));
    server_ = std::make_unique<testing::InProcessServer>(
        testing::TestConfig(redis_.url(), {"--key_prefix=pd:membership:"}),
        [this](ServiceRuntime& runtime)
            -> absl::StatusOr<std::vector<ServiceRegistration>> {
          absl::StatusOr<MembershipConfig> config =
              LoadMembershipConfig(PARTYDEV_MEMBERSHIP_RULES_DIR);
          if (!config.ok()) return config.status();
          config->rule_sets = rule_sets_;
          return MakeMembershipServices(runtime, *std::move(config));
        });
    ASSERT_TRUE(server_->Start().ok());
    orgs_ = v1::OrganizationService::NewStub(server_->channel());
    admin_ = v1::AdministrationService::NewStub(server_->channel());
  }

  std::unique_ptr<grpc::ClientContext> As(const std::string& org,
                                          const std::string& roles) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata("x-partydev-sub", "people/x");
    context->AddMetadata("x-partydev-org", org);
    context->AddMetadata("x-partydev-roles", roles);
    return context;
  }

  v1::Organization Create(const std::string& parent, const std::string& id,
                          const std::string& kind, const std::string& level) {
    v1::CreateOrganizationRequest request;
    request.set_organization_id(id);
    request.mutable_organization()->set_parent(parent);
    request.mutable_organization()->set_display_name(id);
    request.mutable_organization()->set_kind(kind);
    request.mutable_organization()->set_level(level);
    *request.mutable_organization()->mutable_valid_from() = Day(2021, 1, 1);
    v1::Organization out;
    grpc::Status s =
        orgs_->CreateOrganization(As("", "admin").get(), request, &out);
    EXPECT_TRUE(s.ok()) << id << ": " << s.error_message();
    return out;
  }

  static common::v1::Date Day(int y, int m, int d) {
    common::v1::Date date;
    date.set_year(y);
    date.set_month(m);
    date.set_day(d);
    return date;
  }

  testing::RedisServer redis_;
  std::shared_ptr<const domain::RuleSetRegistry> rule_sets_;
  std::unique_ptr<testing::InProcessServer> server_;
  std::unique_ptr<v1::OrganizationService::Stub> orgs_;
  std::unique_ptr<v1::AdministrationService::Stub> admin_;
};

TEST_F(AdministrationServiceTest, TheRuleSetInForceIsChosenByTheDateOfTheAct) {
  v1::GetRuleSetRequest request;
  request.set_name("ruleSets/-");
  *request.mutable_effective_on() = Day(2023, 5, 10);
  v1::RuleSet in_2023;
  ASSERT_TRUE(
      admin_
          ->GetRuleSet(As("organizations/x", "reader").get(), request, &in_2023)
          .ok());
  *request.mutable_effective_on() = Day(2025, 7, 1);
  v1::RuleSet in_2025;
  ASSERT_TRUE(
      admin_
          ->GetRuleSet(As("organizations/x", "reader").get(), request, &in_2025)
          .ok());
  EXPECT_NE(in_2023.name(), in_2025.name());
  EXPECT_EQ(in_2025.admission().probation_months(), 12);  // Charter art. 5.1
  EXPECT_EQ(in_2025.admission().min_age_months(), 216);   // full 18 years
  *request.mutable_effective_on() = Day(1990, 1, 1);      // before every set
  EXPECT_EQ(
      admin_
          ->GetRuleSet(As("organizations/x", "reader").get(), request, &in_2023)
          .error_code(),
      grpc::StatusCode::NOT_FOUND);
  v1::ListRuleSetsResponse all;
  ASSERT_TRUE(admin_
                  ->ListRuleSets(As("organizations/x", "reader").get(),
                                 v1::ListRuleSetsRequest(), &all)
                  .ok());
  EXPECT_EQ(all.rule_sets_size(), 2);
}

TEST_F(AdministrationServiceTest,
       AuditLogIsReadByTheOrganisationAndItsSuperiorsOnly) {
  v1::Organization province =
      Create("", "lam-dong", "PROVINCIAL_COMMITTEE", "PROVINCE");
  v1::Organization bloc =
      Create(province.name(), "duk", "BLOC_COMMITTEE", "BLOC");
  v1::Organization other =
      Create(province.name(), "khoi-dn", "BLOC_COMMITTEE", "BLOC");
  v1::Organization college =
      Create(bloc.name(), "cd-su-pham", "GRASSROOTS_COMMITTEE", "GRASSROOTS");

  v1::ListAuditEntriesRequest own;
  own.set_parent(college.name());
  v1::ListAuditEntriesResponse entries;
  ASSERT_TRUE(
      admin_
          ->ListAuditEntries(As(college.name(), "reader").get(), own, &entries)
          .ok());
  ASSERT_EQ(entries.audit_entries_size(), 1);
  const v1::AuditEntry& created = entries.audit_entries(0);
  EXPECT_EQ(created.target(), college.name());
  EXPECT_EQ(created.method(),
            "partydev.membership.v1.OrganizationService.CreateOrganization");
  EXPECT_EQ(created.stamp().actor(), "people/x");
  EXPECT_FALSE(created.event_id().empty());

  // The bloc reads its whole subtree: its own creation and the college's.
  v1::ListAuditEntriesRequest subtree;
  subtree.set_parent(bloc.name());
  subtree.set_include_descendants(true);
  ASSERT_TRUE(
      admin_
          ->ListAuditEntries(As(bloc.name(), "reader").get(), subtree, &entries)
          .ok());
  EXPECT_EQ(entries.audit_entries_size(), 2);
  EXPECT_EQ(entries.audit_entries(0).target(), college.name());  // newest first

  v1::GetAuditEntryRequest get;
  get.set_name(created.name());
  v1::AuditEntry one;
  ASSERT_TRUE(
      admin_->GetAuditEntry(As(bloc.name(), "reader").get(), get, &one).ok());
  EXPECT_EQ(one.target(), college.name());

  // Another bloc, and the college reading its superior, are refused.
  grpc::Status refused =
      admin_->ListAuditEntries(As(other.name(), "reader").get(), own, &entries);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(FromGrpcStatus(refused)), "OUTSIDE_SUBTREE");
  EXPECT_EQ(admin_
                ->ListAuditEntries(As(college.name(), "reader").get(), subtree,
                                   &entries)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(admin_->GetAuditEntry(As(other.name(), "reader").get(), get, &one)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace partydev::membership
