#include "tests/quota/quota_fixture.h"

#include "absl/strings/str_cat.h"
#include "common/change.h"
#include "common/ids.h"
#include "common/streams.h"
#include "services/quota/services.h"

namespace partydev::quota {

void QuotaFixture::SetUp() {
  ASSERT_TRUE(redis_.Start().ok());
  server_ = std::make_unique<testing::InProcessServer>(
      testing::TestConfig(redis_.url(), {"--key_prefix=pd:quota:"}),
      [this](ServiceRuntime& runtime)
          -> absl::StatusOr<std::vector<ServiceRegistration>> {
        absl::StatusOr<QuotaConfig> config =
            LoadQuotaConfig(PARTYDEV_QUOTA_RULES_DIR);
        if (!config.ok()) return config.status();
        absl::StatusOr<QuotaServices> quota =
            MakeQuotaServices(runtime, *std::move(config));
        if (!quota.ok()) return quota.status();
        context_ = quota->context;
        return std::move(quota->registrations);
      });
  ASSERT_TRUE(server_->Start().ok());
  redis_client_ = std::make_unique<RedisClient>(*ParseRedisUrl(redis_.url()));
  membership_ = std::make_unique<testing::MembershipEvents>(*redis_client_,
                                                            MembershipStream());
  targets_ = v1::TargetService::NewStub(server_->channel());
  allocations_ = v1::AllocationService::NewStub(server_->channel());
  plans_ = v1::PlanService::NewStub(server_->channel());
  reports_ = v1::ReportService::NewStub(server_->channel());
  achievements_ = v1::AchievementService::NewStub(server_->channel());
  admin_ = v1::QuotaAdminService::NewStub(server_->channel());

  province_ = "organizations/lam-dong";
  bloc_ = "organizations/duk";
  university_ = "organizations/dh-da-lat";
  cell_toan_ = "organizations/cb-toan";
  cell_van_ = "organizations/cb-van";
  health_ = "organizations/so-y-te";
  cell_health_ = "organizations/cb-y-te";
  other_province_ = "organizations/tinh-khac";
  other_cell_ = "organizations/cb-khac";
  const common::v1::Date start = D(2015, 1, 1);
  PublishOrganization(province_, "", "Đảng bộ tỉnh Lâm Đồng",
                      "PROVINCIAL_COMMITTEE", "PROVINCE", {}, start);
  PublishOrganization(bloc_, province_, "Đảng bộ Khối các cơ quan tỉnh",
                      "AFFILIATED_COMMITTEE", "BLOC", {}, start);
  PublishOrganization(university_, bloc_, "Đảng bộ Trường Đại học Đà Lạt",
                      "GRASSROOTS_COMMITTEE", "GRASSROOTS",
                      {common::v1::SECTOR_TAG_UNIVERSITY}, start);
  PublishOrganization(cell_toan_, university_, "Chi bộ Khoa Toán", "CELL",
                      "CELL", {common::v1::SECTOR_TAG_UNIVERSITY}, start);
  PublishOrganization(cell_van_, university_, "Chi bộ Khoa Văn", "CELL", "CELL",
                      {common::v1::SECTOR_TAG_UNIVERSITY}, start);
  PublishOrganization(health_, bloc_, "Đảng bộ Sở Y tế", "GRASSROOTS_COMMITTEE",
                      "GRASSROOTS", {common::v1::SECTOR_TAG_STATE_AGENCY},
                      start);
  PublishOrganization(cell_health_, health_, "Chi bộ Văn phòng Sở", "CELL",
                      "CELL", {common::v1::SECTOR_TAG_STATE_AGENCY}, start);
  PublishOrganization(other_province_, "", "Đảng bộ tỉnh khác",
                      "PROVINCIAL_COMMITTEE", "PROVINCE", {}, start);
  PublishOrganization(other_cell_, other_province_, "Chi bộ cơ sở khác",
                      "GRASSROOTS_CELL", "GRASSROOTS", {}, start);
  Drain();
}

void QuotaFixture::TearDown() {
  if (context_ != nullptr) context_->projections().Stop();
  if (server_ != nullptr) server_->Shutdown();
}

std::unique_ptr<grpc::ClientContext> QuotaFixture::As(const Caller& caller) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("x-partydev-sub", caller.subject);
  context->AddMetadata("x-partydev-org", caller.organization);
  context->AddMetadata("x-partydev-roles", caller.roles);
  return context;
}

common::v1::Date QuotaFixture::D(int y, int m, int d) {
  common::v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

events::v1::Event QuotaFixture::Publish(events::v1::Event event) {
  absl::StatusOr<events::v1::Event> published =
      membership_->Publish(std::move(event));
  EXPECT_TRUE(published.ok()) << published.status();
  return published.ok() ? *std::move(published) : events::v1::Event();
}

std::vector<std::string> QuotaFixture::PathOf(
    const std::string& organization) const {
  std::vector<std::string> path = membership_->PathOf(organization);
  if (path.empty()) {
    ADD_FAILURE() << organization << " is not in the fixture's tree";
    path.push_back(organization);
  }
  return path;
}

void QuotaFixture::PublishOrganization(const std::string& name,
                                       const std::string& parent,
                                       const std::string& display_name,
                                       const std::string& kind,
                                       const std::string& level,
                                       std::vector<common::v1::SectorTag> tags,
                                       const common::v1::Date& on) {
  absl::StatusOr<events::v1::Event> published =
      membership_->PublishOrganization(name, parent, display_name, kind, level,
                                       std::move(tags), on);
  EXPECT_TRUE(published.ok()) << published.status();
}

events::v1::Event QuotaFixture::PublishAdmission(
    const std::string& cell, const std::string& person,
    const common::v1::Date& signed_on,
    std::vector<common::v1::Category> categories) {
  events::v1::Event event;
  *event.mutable_act_date() = signed_on;
  const std::vector<std::string> path = PathOf(cell);
  for (const auto& p : path) event.add_organization_path(p);
  auto* admitted = event.mutable_member_admitted();
  admitted->set_person(person);
  admitted->set_organization(cell);
  admitted->mutable_decision()->set_number(
      absl::StrCat(++decision_number_, "-QĐ/ĐU"));
  *admitted->mutable_decision()->mutable_signed_on() = signed_on;
  // The grassroots committee decides (Party Charter art. 4.1).
  admitted->mutable_decision()->set_deciding_organization(
      path.size() >= 3 ? path[2] : path.back());
  for (auto c : categories) admitted->add_categories(c);
  admitted->set_age_years(22);
  return Publish(std::move(event));
}

events::v1::Event QuotaFixture::PublishStage(
    const std::string& cell, const std::string& person, common::v1::Stage from,
    common::v1::Stage to, const common::v1::Date& on,
    std::vector<common::v1::Category> categories) {
  events::v1::Event event;
  *event.mutable_act_date() = on;
  for (const auto& p : PathOf(cell)) event.add_organization_path(p);
  auto* changed = event.mutable_person_stage_changed();
  changed->set_person(person);
  changed->set_organization(cell);
  changed->set_from_stage(from);
  changed->set_to_stage(to);
  for (auto c : categories) changed->add_categories(c);
  changed->set_step("RecordStep");
  return Publish(std::move(event));
}

void QuotaFixture::Drain() {
  absl::StatusOr<int> drained = context_->projections().DrainAll();
  ASSERT_TRUE(drained.ok()) << drained.status();
}

void QuotaFixture::MustCreateTerms() {
  for (const auto& [id, from, to] :
       std::vector<std::tuple<std::string, common::v1::Date, common::v1::Date>>{
           {"2020-2025", D(2020, 10, 1), D(2025, 9, 30)},
           {"2025-2030", D(2025, 10, 1), D(2030, 9, 30)}}) {
    v1::CreateTermRequest request;
    request.set_term_id(id);
    request.mutable_term()->set_display_name(
        absl::StrCat("Nhiệm kỳ ", id.substr(0, 4), "–", id.substr(5)));
    *request.mutable_term()->mutable_start_date() = from;
    *request.mutable_term()->mutable_end_date() = to;
    v1::Term term;
    grpc::Status status =
        targets_->CreateTerm(As(Admin()).get(), request, &term);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
}

}  // namespace partydev::quota
