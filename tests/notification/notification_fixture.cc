#include "tests/notification/notification_fixture.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/redis_options.h"
#include "services/notification/domain/vietnamese_dates.h"
#include "services/notification/services.h"

namespace partydev::notification {

void NotificationFixture::SetUp() {
  ASSERT_TRUE(redis_.Start().ok());
  clock_ = std::make_shared<ManualClock>(VietnamTime(2024, 3, 1, 12));
  server_ = std::make_unique<testing::InProcessServer>(
      testing::TestConfig(redis_.url(), {"--key_prefix=pd:notification:"}),
      [this](ServiceRuntime& runtime)
          -> absl::StatusOr<std::vector<ServiceRegistration>> {
        absl::StatusOr<NotificationConfig> config =
            LoadNotificationConfig(PARTYDEV_NOTIFICATION_RULES_DIR);
        if (!config.ok()) return config.status();
        config->clock = clock_;
        absl::StatusOr<NotificationServices> notification =
            MakeNotificationServices(runtime, *std::move(config));
        if (!notification.ok()) return notification.status();
        context_ = notification->context;
        return std::move(notification->registrations);
      });
  absl::Status started = server_->Start();
  ASSERT_TRUE(started.ok()) << started;
  absl::StatusOr<RedisOptions> options = ParseRedisUrl(redis_.url());
  ASSERT_TRUE(options.ok()) << options.status();
  redis_client_ = std::make_unique<RedisClient>(*options);
  templates_ = v1::TemplateService::NewStub(server_->channel());
  reminders_ = v1::ReminderService::NewStub(server_->channel());

  membership_ = std::make_unique<testing::MembershipEvents>(*redis_client_,
                                                            MembershipStream());
  PublishOrganization(province_, "", "Đảng bộ tỉnh Lâm Đồng",
                      "PROVINCIAL_COMMITTEE", "PROVINCE");
  PublishOrganization(bloc_, province_, "Đảng bộ Khối các cơ quan tỉnh",
                      "AFFILIATED_COMMITTEE", "BLOC");
  PublishOrganization(university_, bloc_, "Đảng bộ Trường Đại học Đà Lạt",
                      "GRASSROOTS_COMMITTEE", "GRASSROOTS");
  PublishOrganization(cell_toan_, university_, "Chi bộ Khoa Toán", "CELL",
                      "CELL");
  PublishOrganization(cell_van_, university_, "Chi bộ Khoa Văn", "CELL",
                      "CELL");
  PublishOrganization(health_, bloc_, "Đảng bộ Sở Y tế", "GRASSROOTS_COMMITTEE",
                      "GRASSROOTS");
  PublishOrganization(cell_health_, health_, "Chi bộ Văn phòng Sở", "CELL",
                      "CELL");
  PublishOrganization(other_province_, "", "Đảng bộ tỉnh khác",
                      "PROVINCIAL_COMMITTEE", "PROVINCE");
  PublishOrganization(other_cell_, other_province_, "Chi bộ cơ sở khác",
                      "GRASSROOTS_CELL", "GRASSROOTS");
  DrainOrganizations();
}

void NotificationFixture::PublishOrganization(const std::string& name,
                                              const std::string& parent,
                                              const std::string& display_name,
                                              const std::string& kind,
                                              const std::string& level) {
  absl::StatusOr<events::v1::Event> published =
      membership_->PublishOrganization(name, parent, display_name, kind, level,
                                       {}, D(2015, 1, 1));
  ASSERT_TRUE(published.ok()) << published.status();
}

void NotificationFixture::DrainOrganizations() {
  absl::StatusOr<int> drained = context_->organizations().DrainAll();
  ASSERT_TRUE(drained.ok()) << drained.status();
}

void NotificationFixture::TearDown() {
  if (server_ != nullptr) server_->Shutdown();
}

std::unique_ptr<grpc::ClientContext> NotificationFixture::As(
    const Caller& caller) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("x-partydev-sub", caller.subject);
  context->AddMetadata("x-partydev-org", caller.organization);
  context->AddMetadata("x-partydev-roles", caller.roles);
  return context;
}

common::v1::Date NotificationFixture::D(int y, int m, int d) {
  common::v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

absl::Time NotificationFixture::VietnamTime(int y, int m, int d, int hour,
                                            int minute) {
  return absl::FromCivil(absl::CivilMinute(y, m, d, hour, minute),
                         domain::VietnamTimeZone());
}

absl::Time NotificationFixture::FromProto(
    const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

void NotificationFixture::SetToday(int y, int m, int d) {
  clock_->Set(VietnamTime(y, m, d, 12));
}

std::map<std::string, std::string> NotificationFixture::Snapshot() {
  std::map<std::string, std::string> out;
  std::string cursor = "0";
  do {
    absl::StatusOr<RedisReply> page = redis_client_->Command(
        {"SCAN", cursor, "MATCH", "{pd:notification}:*", "COUNT", "1000"});
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok() || page->elements().size() != 2) return out;
    cursor = page->elements()[0].str();
    for (const RedisReply& key : page->elements()[1].elements()) {
      absl::StatusOr<RedisReply> dump =
          redis_client_->Command({"DUMP", key.str()});
      EXPECT_TRUE(dump.ok()) << dump.status();
      out[key.str()] = dump.ok() ? dump->str() : "";
    }
  } while (cursor != "0");
  return out;
}

v1::Template NotificationFixture::SimpleTemplate(
    const std::string& display_name, const std::string& body) {
  v1::Template t;
  t.set_display_name(display_name);
  t.set_category(v1::MESSAGE_CATEGORY_PIPELINE_REMINDER);
  v1::TemplateVariant* v = t.add_variants();
  v->set_channel(v1::CHANNEL_TYPE_IN_APP);
  v->set_subject_template("Nhắc việc: {{name}}");
  v->set_body_template(body);
  t.set_sample_context_json(R"({"name": "Nguyễn Văn A"})");
  return t;
}

v1::Template NotificationFixture::MustCreateTemplate(const std::string& id,
                                                     const v1::Template& t) {
  v1::CreateTemplateRequest request;
  request.set_template_id(id);
  *request.mutable_template_() = t;
  v1::Template created;
  grpc::Status status =
      templates_->CreateTemplate(As(Admin()).get(), request, &created);
  EXPECT_TRUE(status.ok()) << Describe(status);
  return created;
}

v1::ReminderRule NotificationFixture::SimpleRule(
    const std::string& template_name) {
  v1::ReminderRule rule;
  rule.set_display_name("Nhắc đánh giá quần chúng");
  rule.set_deadline_kind(common::v1::DEADLINE_KIND_EVALUATION_DUE);
  auto add_step = [&](const std::string& id, int offset, int every,
                      int repeats) {
    v1::ReminderStep* step = rule.add_steps();
    step->set_step_id(id);
    step->set_offset_days(offset);
    step->set_day_count(v1::DAY_COUNT_CALENDAR);
    step->set_repeat_every_days(every);
    step->set_max_repeats(repeats);
    step->add_audience(v1::AUDIENCE_CELL);
    step->set_template_(template_name);
  };
  add_step("before-3", -3, 0, 0);
  add_step("on-day", 0, 0, 0);
  add_step("after", 7, 7, 2);
  return rule;
}

std::string Describe(const grpc::Status& status) {
  return absl::StrCat(status.error_code(), ": ", status.error_message());
}

}  // namespace partydev::notification
