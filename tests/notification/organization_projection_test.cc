// notifyd's projection of the organisation tree (organization_projection.h)
// fed through membership's real stream, and the subtree authorisation built
// on it (notification_access.h): the tree and the office recipients after a
// drain, redeliveries and a crash between write and acknowledgement that
// change nothing, and who may reach which recipient.

#include "services/notification/organization_projection.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "common/errors.h"
#include "partydev/notification/v1/channels.grpc.pb.h"
#include "services/notification/notification_access.h"
#include "services/notification/recipient_store.h"
#include "tests/notification/notification_fixture.h"

namespace partydev::notification {
namespace {

class OrganizationProjectionTest : public NotificationFixture {
 protected:
  void SetUp() override {
    NotificationFixture::SetUp();
    channels_ = v1::ChannelService::NewStub(server_->channel());
  }

  std::shared_ptr<const OrgTree> Tree() {
    absl::StatusOr<std::shared_ptr<const OrgTree>> tree =
        context_->organizations().Tree();
    EXPECT_TRUE(tree.ok()) << tree.status();
    return tree.ok() ? *tree : nullptr;
  }

  // An event about `organization` (already in the tree) with its path.
  events::v1::Event About(const std::string& organization) {
    events::v1::Event event;
    *event.mutable_act_date() = D(2024, 1, 1);
    for (const std::string& p : membership_->PathOf(organization)) {
      event.add_organization_path(p);
    }
    return event;
  }

  events::v1::Event MustPublish(events::v1::Event event) {
    absl::StatusOr<events::v1::Event> published =
        membership_->Publish(std::move(event));
    EXPECT_TRUE(published.ok()) << published.status();
    return published.ok() ? *published : events::v1::Event();
  }

  int Drain() {
    absl::StatusOr<int> drained = context_->organizations().DrainAll();
    EXPECT_TRUE(drained.ok()) << drained.status();
    return drained.ok() ? *drained : -1;
  }

  grpc::Status GetRecipient(const Caller& caller, const std::string& name,
                            v1::Recipient* out) {
    v1::GetRecipientRequest request;
    request.set_name(name);
    return channels_->GetRecipient(As(caller).get(), request, out);
  }

  static Principal Officer(const std::string& organization) {
    return {"people/officer", organization, {"secretary"}};
  }

  static constexpr absl::CivilDay kToday{2024, 3, 1};
  std::unique_ptr<v1::ChannelService::Stub> channels_;
};

TEST_F(OrganizationProjectionTest, TheTreeIsProjected) {
  std::shared_ptr<const OrgTree> tree = Tree();
  ASSERT_NE(tree, nullptr);
  EXPECT_EQ(tree->size(), 9u);
  EXPECT_EQ(tree->RootsOn(kToday),
            (std::vector<std::string>{province_, other_province_}));
  EXPECT_EQ(tree->SubtreeOn(bloc_, kToday),
            (std::vector<std::string>{bloc_, university_, cell_toan_, cell_van_,
                                      health_, cell_health_}));
  EXPECT_EQ(
      tree->PathOn(cell_toan_, kToday),
      (std::vector<std::string>{province_, bloc_, university_, cell_toan_}));
  ASSERT_NE(tree->On(health_, kToday), nullptr);
  EXPECT_EQ(tree->On(health_, kToday)->display_name(), "Đảng bộ Sở Y tế");
  // Before the organisations were created (2015-01-01) there was nothing.
  EXPECT_TRUE(tree->RootsOn(absl::CivilDay(2014, 12, 31)).empty());
}

TEST_F(OrganizationProjectionTest, EveryOrganisationHasItsOfficeRecipient) {
  RecipientStore store(*context_);
  for (const std::string& org :
       {province_, bloc_, university_, cell_toan_, cell_van_, health_,
        cell_health_, other_province_, other_cell_}) {
    absl::StatusOr<Stored<v1::Recipient>> office =
        store.Get(OrganizationRecipientName(org));
    ASSERT_TRUE(office.ok()) << org << ": " << office.status();
    EXPECT_EQ(office->version, 1) << org;
    EXPECT_EQ(office->message.kind(), v1::RECIPIENT_KIND_ORGANIZATION);
    EXPECT_EQ(office->message.organization(), org);
    EXPECT_EQ(office->message.owner_organization(), org);
    EXPECT_EQ(office->message.time_zone(), "Asia/Ho_Chi_Minh");
    EXPECT_EQ(office->message.create_stamp().actor(), "svc:notifyd");
  }
  absl::StatusOr<Stored<v1::Recipient>> bloc = store.Get("recipients/org-duk");
  ASSERT_TRUE(bloc.ok()) << bloc.status();
  EXPECT_EQ(bloc->message.display_name(), "Đảng bộ Khối các cơ quan tỉnh");

  // An organisation created later gets one at its event, and one already
  // created by EnsureOrganization is left as it is.
  ASSERT_TRUE(
      store.EnsureOrganization("organizations/cb-ly", "Tên đặt trước").ok());
  PublishOrganization("organizations/cb-su", university_, "Chi bộ Khoa Sử",
                      "CELL", "CELL");
  PublishOrganization("organizations/cb-ly", university_, "Chi bộ Khoa Lý",
                      "CELL", "CELL");
  EXPECT_EQ(Drain(), 2);
  absl::StatusOr<Stored<v1::Recipient>> su = store.Get("recipients/org-cb-su");
  ASSERT_TRUE(su.ok()) << su.status();
  EXPECT_EQ(su->message.display_name(), "Chi bộ Khoa Sử");
  absl::StatusOr<Stored<v1::Recipient>> ly = store.Get("recipients/org-cb-ly");
  ASSERT_TRUE(ly.ok()) << ly.status();
  EXPECT_EQ(ly->message.display_name(), "Tên đặt trước");
  EXPECT_EQ(ly->version, 1);
  EXPECT_EQ(
      Tree()->ChildrenOn(university_, kToday),
      (std::vector<std::string>{"organizations/cb-ly", "organizations/cb-su",
                                cell_toan_, cell_van_}));
}

TEST_F(OrganizationProjectionTest, ARedeliveredEventChangesNothing) {
  events::v1::Event renamed = About(cell_van_);
  renamed.set_id("evt-rename-cb-van");
  auto* org = renamed.mutable_organization_updated()->mutable_organization();
  *org = *Tree()->On(cell_van_, kToday);
  org->set_display_name("Chi bộ Khoa Ngữ văn");
  MustPublish(renamed);
  EXPECT_EQ(Drain(), 1);
  ASSERT_NE(Tree()->On(cell_van_, kToday), nullptr);
  EXPECT_EQ(Tree()->On(cell_van_, kToday)->display_name(),
            "Chi bộ Khoa Ngữ văn");
  const std::map<std::string, std::string> before = Snapshot();
  EXPECT_EQ(before.count("{pd:notification}:organizations:seen:"
                         "evt-rename-cb-van"),
            1u);

  // The same event id again (membership retried its append): handled and
  // acknowledged, nothing written.
  MustPublish(renamed);
  EXPECT_EQ(Drain(), 1);
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(OrganizationProjectionTest, ACrashBetweenWriteAndAckIsHarmless) {
  // A replica slot applies a new organisation's event and acknowledges it.
  RedisClient& redis = context_->redis();
  const OrganizationProjectionOptions options{
      "{pd:notification}:", MembershipStream(), "replica-0"};
  PublishOrganization("organizations/cb-su", university_, "Chi bộ Khoa Sử",
                      "CELL", "CELL");
  {
    OrganizationProjection replica(redis, redis, options);
    absl::StatusOr<int> drained = replica.DrainAll();
    ASSERT_TRUE(drained.ok()) << drained.status();
    EXPECT_EQ(*drained, 1);
  }
  const std::map<std::string, std::string> written = Snapshot();
  ASSERT_TRUE(Tree()->Known("organizations/cb-su"));

  // The state a crash after the writes but before the acknowledgements
  // leaves: every entry delivered to replica-0 and pending there.
  ASSERT_TRUE(redis_client_
                  ->Command({"XGROUP", "SETID", MembershipStream(),
                             "notifyd-organizations", "0"})
                  .ok());
  absl::StatusOr<RedisReply> reread = redis_client_->Command(
      {"XREADGROUP", "GROUP", "notifyd-organizations", "replica-0", "COUNT",
       "100", "STREAMS", MembershipStream(), ">"});
  ASSERT_TRUE(reread.ok()) << reread.status();
  absl::StatusOr<RedisReply> pending = redis_client_->Command(
      {"XPENDING", MembershipStream(), "notifyd-organizations"});
  ASSERT_TRUE(pending.ok()) << pending.status();
  ASSERT_FALSE(pending->elements().empty());
  EXPECT_EQ(pending->elements()[0].integer(), 10);

  // The replica restarts: it handles its own pending entries first, finds
  // every marker and writes nothing.
  OrganizationProjection restarted(redis, redis, options);
  absl::StatusOr<int> drained = restarted.DrainAll();
  ASSERT_TRUE(drained.ok()) << drained.status();
  EXPECT_EQ(*drained, 10);
  EXPECT_EQ(Snapshot(), written);
  pending = redis_client_->Command(
      {"XPENDING", MembershipStream(), "notifyd-organizations"});
  ASSERT_TRUE(pending.ok()) << pending.status();
  EXPECT_EQ(pending->elements()[0].integer(), 0);
}

TEST_F(OrganizationProjectionTest, EventsOfOtherKindsAreIgnored) {
  events::v1::Event admitted = About(cell_toan_);
  admitted.mutable_member_admitted()->set_person("people/p1");
  admitted.mutable_member_admitted()->set_organization(cell_toan_);
  const std::map<std::string, std::string> before = Snapshot();
  MustPublish(admitted);
  EXPECT_EQ(Drain(), 1);
  // No marker either: notifyd keeps nothing of events it does not project.
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(OrganizationProjectionTest, AnOfficerReadsRecipientsBelowItsCommittee) {
  RecipientStore store(*context_);
  ASSERT_TRUE(store.EnsurePerson("people/p1", cell_toan_, "Nguyễn Văn A").ok());
  v1::Recipient read;
  grpc::Status s = GetRecipient(Reader(bloc_), "recipients/org-cb-toan", &read);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(read.organization(), cell_toan_);
  s = GetRecipient(Reader(bloc_), "recipients/person-p1", &read);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(read.person(), "people/p1");
  s = GetRecipient(Reader(province_), "recipients/org-cb-y-te", &read);
  EXPECT_TRUE(s.ok()) << Describe(s);
  s = GetRecipient(Reader(bloc_), "recipients/org-duk", &read);
  EXPECT_TRUE(s.ok()) << Describe(s);
}

TEST_F(OrganizationProjectionTest, OutsideTheSubtreeIsRefused) {
  RecipientStore store(*context_);
  ASSERT_TRUE(store.EnsurePerson("people/p1", cell_toan_, "Nguyễn Văn A").ok());
  v1::Recipient read;
  // Another province.
  grpc::Status s =
      GetRecipient(Reader(other_province_), "recipients/org-cb-toan", &read);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Describe(s);
  s = GetRecipient(Reader(other_province_), "recipients/person-p1", &read);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Describe(s);
  // Upwards: a cell does not reach its committee.
  s = GetRecipient(Reader(cell_toan_), "recipients/org-dh-da-lat", &read);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Describe(s);
  // Sideways: a sibling grassroots committee.
  s = GetRecipient(Reader(health_), "recipients/org-cb-toan", &read);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Describe(s);
}

TEST_F(OrganizationProjectionTest, ListUnderAnOrganisationMeansItsSubtree) {
  RecipientStore store(*context_);
  ASSERT_TRUE(store.EnsurePerson("people/p1", cell_toan_, "Nguyễn Văn A").ok());
  ASSERT_TRUE(store.EnsurePerson("people/p7", cell_health_, "Phạm Thị D").ok());
  v1::ListRecipientsRequest request;
  request.set_under_organization(university_);
  v1::ListRecipientsResponse page;
  grpc::Status s =
      channels_->ListRecipients(As(Reader(bloc_)).get(), request, &page);
  ASSERT_TRUE(s.ok()) << Describe(s);
  std::vector<std::string> names;
  for (const auto& r : page.recipients()) names.push_back(r.name());
  EXPECT_EQ(names, (std::vector<std::string>{
                       "recipients/org-cb-toan", "recipients/org-cb-van",
                       "recipients/org-dh-da-lat", "recipients/person-p1"}));

  // Without the filter: the caller's whole subtree, nothing of the other
  // province.
  request.clear_under_organization();
  s = channels_->ListRecipients(As(Reader(health_)).get(), request, &page);
  ASSERT_TRUE(s.ok()) << Describe(s);
  names.clear();
  for (const auto& r : page.recipients()) names.push_back(r.name());
  EXPECT_EQ(names, (std::vector<std::string>{"recipients/org-cb-y-te",
                                             "recipients/org-so-y-te",
                                             "recipients/person-p7"}));

  // AIP-160 over the contract's fields: only the people.
  request.set_filter("kind = RECIPIENT_KIND_PERSON");
  s = channels_->ListRecipients(As(Reader(bloc_)).get(), request, &page);
  ASSERT_TRUE(s.ok()) << Describe(s);
  names.clear();
  for (const auto& r : page.recipients()) names.push_back(r.name());
  EXPECT_EQ(names, (std::vector<std::string>{"recipients/person-p1",
                                             "recipients/person-p7"}));
  request.set_filter("unread_count > 0");
  s = channels_->ListRecipients(As(Reader(bloc_)).get(), request, &page);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << Describe(s);
  request.clear_filter();

  // A filter outside the caller's subtree is refused, not silently empty.
  request.set_under_organization(other_province_);
  s = channels_->ListRecipients(As(Reader(bloc_)).get(), request, &page);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Describe(s);
}

TEST_F(OrganizationProjectionTest, CheckCoversNamesTheFieldAndTheReason) {
  EXPECT_TRUE(
      CheckCovers(*context_, Officer(bloc_), cell_toan_, "parent").ok());
  EXPECT_TRUE(
      CheckCovers(*context_, Officer(cell_toan_), cell_toan_, "parent").ok());
  EXPECT_TRUE(CheckCovers(*context_, Principal{"people/admin", "", {"admin"}},
                          other_cell_, "parent")
                  .ok());

  absl::Status denied =
      CheckCovers(*context_, Officer(other_province_), cell_toan_, "parent");
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied) << denied;
  EXPECT_EQ(ReasonOf(denied), "OUTSIDE_SUBTREE");
  denied = CheckCovers(*context_, Officer(cell_toan_), bloc_, "parent");
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied) << denied;
  // Someone bound to no organisation, without the admin role.
  denied = CheckCovers(*context_, Principal{"people/x", "", {"reader"}},
                       cell_toan_, "parent");
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied) << denied;

  for (const std::string& bad : {std::string(""), std::string("duk"),
                                 std::string("organizations/Bad_Id")}) {
    absl::Status invalid =
        CheckCovers(*context_, Officer(bloc_), bad, "dissemination.parent");
    EXPECT_EQ(invalid.code(), absl::StatusCode::kInvalidArgument) << bad;
    ASSERT_EQ(FieldViolationsOf(invalid).size(), 1u) << bad;
    EXPECT_EQ(FieldViolationsOf(invalid)[0].field, "dissemination.parent");
  }

  // An organisation the projection has not learnt yet is its own root.
  EXPECT_TRUE(CheckCovers(*context_, Officer("organizations/moi"),
                          "organizations/moi", "parent")
                  .ok());
  EXPECT_EQ(
      CheckCovers(*context_, Officer(province_), "organizations/moi", "parent")
          .code(),
      absl::StatusCode::kPermissionDenied);
}

TEST_F(OrganizationProjectionTest, TheSubtreeIsTakenOnToday) {
  // cb-y-te moves from so-y-te to the university on 2024-01-01.
  events::v1::Event moved = About(cell_health_);
  auto* org = moved.mutable_organization_moved()->mutable_organization();
  *org = *Tree()->On(cell_health_, kToday);
  org->set_parent(university_);
  moved.mutable_organization_moved()->set_old_parent(health_);
  MustPublish(moved);
  EXPECT_EQ(Drain(), 1);

  // Today (2024-03-01, the fixture's clock): the university's.
  EXPECT_TRUE(
      CheckCovers(*context_, Officer(university_), cell_health_, "o").ok());
  EXPECT_EQ(CheckCovers(*context_, Officer(health_), cell_health_, "o").code(),
            absl::StatusCode::kPermissionDenied);
  // On 2023-12-01 it still was so-y-te's.
  SetToday(2023, 12, 1);
  EXPECT_TRUE(CheckCovers(*context_, Officer(health_), cell_health_, "o").ok());
  EXPECT_EQ(
      CheckCovers(*context_, Officer(university_), cell_health_, "o").code(),
      absl::StatusCode::kPermissionDenied);
}

TEST_F(OrganizationProjectionTest, ADissolvedOrganisationStaysWhereItWas) {
  events::v1::Event dissolved = About(cell_van_);
  dissolved.mutable_organization_dissolved()->set_organization(cell_van_);
  MustPublish(dissolved);
  EXPECT_EQ(Drain(), 1);
  ASSERT_EQ(Tree()->On(cell_van_, kToday), nullptr);
  // Its office recipient outlives it, reachable from above as before.
  v1::Recipient read;
  grpc::Status s =
      GetRecipient(Reader(university_), "recipients/org-cb-van", &read);
  EXPECT_TRUE(s.ok()) << Describe(s);
  s = GetRecipient(Reader(other_province_), "recipients/org-cb-van", &read);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Describe(s);
}

}  // namespace
}  // namespace partydev::notification
