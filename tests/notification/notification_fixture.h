// File: tests/notification/notification_fixture.h
//
// A real notifyd in process (LoadNotificationConfig + MakeNotificationServices,
// the wiring main.cc uses, with the shipped rules of
// PARTYDEV_NOTIFICATION_RULES_DIR) on a real redis-server in a temporary
// directory, with a ManualClock as the service's clock, stubs for its
// services and the callers of every kind (development auth: the identity
// travels as x-partydev-sub / -org / -roles metadata).
//
//   class TemplatesTest : public NotificationFixture {};
//   TEST_F(TemplatesTest, X) {
//     v1::Template t;
//     grpc::Status s = templates_->GetTemplate(
//         As(Reader(kCell)).get(), Get("templates/evaluation-due"), &t);
//   }
//
// Nothing-written checks: Snapshot() is every key of notifyd's prefix with
// its DUMP bytes; compare a snapshot before and after a refused call.
//
// The organisation tree (OrganizationCreated events dated 2015-01-01 on
// membership's stream, drained into notifyd's projection in SetUp, so every
// organisation's office recipient `recipients/org-{id}` exists too):
//   organizations/lam-dong     Đảng bộ tỉnh Lâm Đồng        (province_)
//    └ organizations/duk        Đảng bộ Khối                 (bloc_)
//       ├ organizations/dh-da-lat  Đảng bộ Trường ĐH Đà Lạt  (university_)
//       │  ├ organizations/cb-toan   Chi bộ Khoa Toán        (cell_toan_)
//       │  └ organizations/cb-van    Chi bộ Khoa Văn         (cell_van_)
//       └ organizations/so-y-te    Đảng bộ Sở Y tế           (health_)
//          └ organizations/cb-y-te   Chi bộ Văn phòng Sở      (cell_health_)
//   organizations/tinh-khac    another province             (other_province_)
//    └ organizations/cb-khac    a grassroots cell there      (other_cell_)

#ifndef PARTYDEV_TESTS_NOTIFICATION_NOTIFICATION_FIXTURE_H_
#define PARTYDEV_TESTS_NOTIFICATION_NOTIFICATION_FIXTURE_H_

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "common/clock.h"
#include "common/redis_client.h"
#include "partydev/notification/v1/reminders.grpc.pb.h"
#include "partydev/notification/v1/templates.grpc.pb.h"
#include "services/notification/notification_context.h"
#include "tests/support/in_process_server.h"
#include "tests/support/membership_events.h"
#include "tests/support/redis_server.h"

namespace partydev::notification {

// Who calls (development auth metadata).
struct Caller {
  std::string subject = "people/admin";
  std::string organization;  // "organizations/{id}"; empty for admin
  std::string roles = "admin";
};

class NotificationFixture : public ::testing::Test {
 protected:
  // An organisation callers are bound to, and a cell below it (province_
  // and cell_toan_ of the tree).
  static constexpr const char* kProvince = "organizations/lam-dong";
  static constexpr const char* kCell = "organizations/cb-toan";

  void SetUp() override;
  void TearDown() override;

  // The installation admin (no organisation): writes templates and global
  // reminder rules.
  static Caller Admin() { return {}; }
  // The committee office of `org` (secretary): writes the reminder rules
  // scoped to `org`.
  static Caller Operator(const std::string& org) {
    return {"people/office", org, "secretary"};
  }
  // Reads only.
  static Caller Reader(const std::string& org) {
    return {"people/reader", org, "reader"};
  }
  // Authenticated, with no role partydev knows ("none": in development
  // auth an empty roles header means admin).
  static Caller NoRoles(const std::string& org) {
    return {"people/nobody", org, "none"};
  }
  // A client context carrying `caller`'s identity.
  static std::unique_ptr<grpc::ClientContext> As(const Caller& caller);

  static common::v1::Date D(int y, int m, int d);
  // The instant of `hour`:`minute` on y-m-d in Vietnam (UTC+7).
  static absl::Time VietnamTime(int y, int m, int d, int hour = 0,
                                int minute = 0);
  static absl::Time FromProto(const google::protobuf::Timestamp& t);
  // Sets the service's clock to noon of y-m-d in Vietnam.
  void SetToday(int y, int m, int d);

  // Every key of notifyd's prefix and its DUMP bytes.
  std::map<std::string, std::string> Snapshot();

  // Membership's stream notifyd's tree projection reads.
  static std::string MembershipStream() { return "{pd:membership}:events"; }
  // Publishes OrganizationCreated of `name` under `parent` (published
  // before) on 2015-01-01; fails the test on error. Drain to apply it.
  void PublishOrganization(const std::string& name, const std::string& parent,
                           const std::string& display_name,
                           const std::string& kind, const std::string& level);
  // Applies what membership's stream holds to the tree projection.
  void DrainOrganizations();

  // A valid template: one IN_APP variant "{{name}}" / `body`, a sample
  // context {"name": "Nguyễn Văn A"}, category PIPELINE_REMINDER.
  static v1::Template SimpleTemplate(const std::string& display_name,
                                     const std::string& body);
  // Creates `templates/{id}` as admin (fails the test when refused).
  v1::Template MustCreateTemplate(const std::string& id, const v1::Template& t);

  // A deadline rule for EVALUATION_DUE: 3 days before, on the day, and
  // every 7 days after (7, 14, 21), all with `template_name`.
  static v1::ReminderRule SimpleRule(const std::string& template_name);

  testing::RedisServer redis_;
  std::shared_ptr<ManualClock> clock_;
  std::unique_ptr<testing::InProcessServer> server_;
  std::shared_ptr<NotificationContext> context_;
  std::unique_ptr<RedisClient> redis_client_;
  // Writes membership's stream (after redis_client_).
  std::unique_ptr<testing::MembershipEvents> membership_;
  std::unique_ptr<v1::TemplateService::Stub> templates_;
  std::unique_ptr<v1::ReminderService::Stub> reminders_;

  // The tree, as resource names (see the file comment).
  std::string province_ = "organizations/lam-dong";
  std::string bloc_ = "organizations/duk";
  std::string university_ = "organizations/dh-da-lat";
  std::string cell_toan_ = "organizations/cb-toan";
  std::string cell_van_ = "organizations/cb-van";
  std::string health_ = "organizations/so-y-te";
  std::string cell_health_ = "organizations/cb-y-te";
  std::string other_province_ = "organizations/tinh-khac";
  std::string other_cell_ = "organizations/cb-khac";
};

// "CODE: message" of a status, for assertion messages.
std::string Describe(const grpc::Status& status);

}  // namespace partydev::notification

#endif  // PARTYDEV_TESTS_NOTIFICATION_NOTIFICATION_FIXTURE_H_
