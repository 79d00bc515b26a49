#include "tests/membership/membership_fixture.h"

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/errors.h"
#include "common/grpc_status.h"
#include "common/vietnam_time.h"
#include "services/membership/services.h"

namespace partydev::membership {

void MembershipFixture::SetUp() {
  ASSERT_TRUE(redis_.Start().ok());
  server_ = std::make_unique<testing::InProcessServer>(
      testing::TestConfig(redis_.url(), {"--key_prefix=pd:membership:"}),
      [](ServiceRuntime& runtime)
          -> absl::StatusOr<std::vector<ServiceRegistration>> {
        absl::StatusOr<MembershipConfig> config =
            LoadMembershipConfig(PARTYDEV_MEMBERSHIP_RULES_DIR);
        if (!config.ok()) return config.status();
        return MakeMembershipServices(runtime, *std::move(config));
      });
  ASSERT_TRUE(server_->Start().ok());
  redis_client_ = std::make_unique<RedisClient>(*ParseRedisUrl(redis_.url()));
  organizations_ = v1::OrganizationService::NewStub(server_->channel());
  people_ = v1::PersonService::NewStub(server_->channel());
  admission_ = v1::AdmissionService::NewStub(server_->channel());
  classification_ = v1::ClassificationService::NewStub(server_->channel());
  cell_life_ = v1::CellLifeService::NewStub(server_->channel());
  administration_ = v1::AdministrationService::NewStub(server_->channel());

  // The seeds' tree under the 2025 rules (two-level local government).
  province_ = MustCreateOrganization("", "lam-dong", "Đảng bộ tỉnh Lâm Đồng",
                                     "PROVINCIAL_COMMITTEE", "PROVINCE")
                  .name();
  bloc_ =
      MustCreateOrganization(province_, "duk", "Đảng bộ các cơ quan Đảng tỉnh",
                             "AFFILIATED_COMMITTEE", "COMMUNE")
          .name();
  college_ = MustCreateOrganization(bloc_, "cd-su-pham",
                                    "Đảng bộ Trường Cao đẳng Sư phạm",
                                    "GRASSROOTS_COMMITTEE", "GRASSROOTS")
                 .name();
  cell_a_ = MustCreateOrganization(college_, "cb-khoa-toan", "Chi bộ Khoa Toán",
                                   "CELL", "CELL")
                .name();
  cell_b_ = MustCreateOrganization(college_, "cb-khoa-van", "Chi bộ Khoa Văn",
                                   "CELL", "CELL")
                .name();
  youth_union_ =
      MustCreateOrganization(college_, "doan-truong", "Đoàn Thanh niên Trường",
                             "YOUTH_UNION", "GRASSROOTS")
          .name();
  other_province_ = MustCreateOrganization("", "tinh-khac", "Đảng bộ tỉnh khác",
                                           "PROVINCIAL_COMMITTEE", "PROVINCE")
                        .name();
  const std::string other_commune =
      MustCreateOrganization(other_province_, "xa-khac", "Đảng bộ xã khác",
                             "COMMUNE_COMMITTEE", "COMMUNE")
          .name();
  other_cell_ =
      MustCreateOrganization(other_commune, "cb-khac", "Chi bộ cơ sở khác",
                             "GRASSROOTS_CELL", "GRASSROOTS")
          .name();
}

void MembershipFixture::TearDown() {
  if (server_ != nullptr) server_->Shutdown();
}

std::unique_ptr<grpc::ClientContext> MembershipFixture::As(
    const Caller& caller) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("x-partydev-sub", caller.subject);
  context->AddMetadata("x-partydev-org", caller.organization);
  context->AddMetadata("x-partydev-roles", caller.roles);
  return context;
}

v1::Organization MembershipFixture::MustCreateOrganization(
    const std::string& parent, const std::string& id,
    const std::string& display, const std::string& kind,
    const std::string& level) {
  v1::CreateOrganizationRequest request;
  request.set_organization_id(id);
  v1::Organization* org = request.mutable_organization();
  org->set_parent(parent);
  org->set_display_name(display);
  org->set_kind(kind);
  org->set_level(level);
  *org->mutable_valid_from() = D(2025, 7, 1);
  v1::Organization out;
  grpc::Status status =
      organizations_->CreateOrganization(As(Admin()).get(), request, &out);
  EXPECT_TRUE(status.ok()) << id << ": " << status.error_message();
  return out;
}

v1::CreatePersonRequest MembershipFixture::CandidateRequest(
    const std::string& cell, const std::string& full_name,
    const std::string& citizen_id) {
  v1::CreatePersonRequest request;
  v1::Person* p = request.mutable_person();
  p->set_full_name(full_name);
  *p->mutable_date_of_birth() = D(2000, 5, 1);
  p->set_gender(v1::GENDER_FEMALE);
  p->set_general_education(v1::GENERAL_EDUCATION_UPPER_SECONDARY);
  p->set_citizen_id(citizen_id);
  p->set_organization(cell);
  p->add_categories(common::v1::CATEGORY_YOUTH_UNION_MEMBER);
  p->mutable_source()->set_kind(v1::SOURCE_KIND_CELL);
  p->mutable_source()->set_organization(cell);
  *p->mutable_source()->mutable_sourced_on() = D(2026, 1, 5);
  return request;
}

v1::Person MembershipFixture::MustCreateCandidate(
    const std::string& cell, const std::string& full_name,
    const std::string& citizen_id) {
  v1::Person out;
  grpc::Status status = people_->CreatePerson(
      As(Admin()).get(), CandidateRequest(cell, full_name, citizen_id), &out);
  EXPECT_TRUE(status.ok()) << full_name << ": " << status.error_message();
  return out;
}

v1::Person MembershipFixture::MustCreateOfficialMember(
    const std::string& cell, const std::string& full_name,
    const std::string& citizen_id) {
  v1::CreatePersonRequest request =
      CandidateRequest(cell, full_name, citizen_id);
  request.mutable_person()->clear_source();
  *request.mutable_person()->mutable_date_of_birth() = D(1985, 2, 3);
  v1::ExistingMembership* m = request.mutable_existing_membership();
  m->mutable_admission_decision()->set_number("123-QĐ/ĐU");
  *m->mutable_admission_decision()->mutable_signed_on() = D(2015, 3, 2);
  m->mutable_admission_decision()->set_deciding_organization(college_);
  *m->mutable_ceremony_on() = D(2015, 3, 10);
  *m->mutable_official_on() = D(2016, 3, 10);
  v1::Person out;
  grpc::Status status = people_->CreatePerson(As(Admin()).get(), request, &out);
  EXPECT_TRUE(status.ok()) << full_name << ": " << status.error_message();
  return out;
}

int64_t MembershipFixture::EventCount() {
  absl::StatusOr<RedisReply> reply =
      redis_client_->Command({"XLEN", "{pd:membership}:events"});
  return reply.ok() ? reply->integer() : -1;
}

std::set<std::string> MembershipFixture::RulesOf(const grpc::Status& status) {
  std::set<std::string> rules;
  for (const auto& v : RuleViolationsOf(FromGrpcStatus(status))) {
    rules.insert(v.rule);
  }
  return rules;
}

std::set<std::string> MembershipFixture::FieldsOf(const grpc::Status& status) {
  std::set<std::string> fields;
  for (const auto& v : FieldViolationsOf(FromGrpcStatus(status))) {
    fields.insert(v.field);
  }
  return fields;
}

google::protobuf::Timestamp MembershipFixture::At(int y, int m, int d,
                                                  int hour) {
  google::protobuf::Timestamp t;
  t.set_seconds(absl::ToUnixSeconds(absl::FromCivil(
      absl::CivilSecond(y, m, d, hour, 0, 0), VietnamTimeZone())));
  return t;
}

std::shared_ptr<MembershipContext> MembershipFixture::MakeContext() {
  absl::StatusOr<MembershipConfig> config =
      LoadMembershipConfig(PARTYDEV_MEMBERSHIP_RULES_DIR);
  EXPECT_TRUE(config.ok()) << config.status();
  if (!config.ok()) return nullptr;
  auto rule_sets = config->rule_sets;
  return std::make_shared<MembershipContext>(
      server_->runtime(),
      [rule_sets](const common::v1::Date& d) {
        return rule_sets->ForDateOrEarliest(d);
      },
      config->calendar);
}

}  // namespace partydev::membership
