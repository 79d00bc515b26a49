// OrganizationService on a real Redis, in-process: the tree's rules, the
// subtree authorisation, the atomic change + event + audit, idempotency,
// paging and history.
#include "services/membership/organization_service.h"

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <future>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/grpc_status.h"
#include "common/ids.h"
#include "common/streams.h"
#include "partydev/events/v1/events.pb.h"
#include "services/membership/services.h"
#include "tests/support/in_process_server.h"
#include "tests/support/redis_server.h"

namespace partydev::membership {
namespace {

using v1::Organization;
using v1::OrganizationService;

// The organisation vocabulary of the pre-2025 tree of the seeds: province →
// bloc → grassroots → cell, with attached departments and mass
// organisations.
v1::RuleSet TestRules() {
  v1::RuleSet rules;
  const char* json = R"json({
    "organization": {
      "grassrootsMinOfficialMembers": 3,
      "levels": [
        {"code": "PROVINCE", "rank": 1},
        {"code": "BLOC", "rank": 2, "allowedParentLevels": ["PROVINCE"]},
        {"code": "GRASSROOTS", "rank": 3, "grassroots": true,
         "allowedParentLevels": ["BLOC", "PROVINCE"]},
        {"code": "CELL", "rank": 4, "allowedParentLevels": ["GRASSROOTS"]}
      ],
      "kinds": [
        {"code": "PROVINCIAL_COMMITTEE", "displayName": "Đảng bộ tỉnh",
         "organizationClass": "ORGANIZATION_CLASS_PARTY_COMMITTEE", "allowedLevels": ["PROVINCE"]},
        {"code": "BLOC_COMMITTEE", "displayName": "Đảng bộ Khối",
         "organizationClass": "ORGANIZATION_CLASS_PARTY_COMMITTEE", "allowedLevels": ["BLOC"]},
        {"code": "GRASSROOTS_COMMITTEE", "displayName": "Đảng bộ cơ sở",
         "organizationClass": "ORGANIZATION_CLASS_PARTY_COMMITTEE", "allowedLevels": ["GRASSROOTS"]},
        {"code": "CELL", "displayName": "Chi bộ trực thuộc",
         "organizationClass": "ORGANIZATION_CLASS_PARTY_CELL", "allowedLevels": ["CELL"]},
        {"code": "YOUTH_UNION", "displayName": "Đoàn Thanh niên",
         "organizationClass": "ORGANIZATION_CLASS_MASS_ORGANIZATION"}
      ]
    }
  })json";
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &rules).ok());
  return rules;
}

class OrganizationServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(redis_.Start().ok());
    rules_ = TestRules();
    server_ = std::make_unique<testing::InProcessServer>(
        testing::TestConfig(redis_.url(), {"--key_prefix=pd:membership:"}),
        [this](ServiceRuntime& runtime)
            -> absl::StatusOr<std::vector<ServiceRegistration>> {
          absl::StatusOr<MembershipConfig> config =
              LoadMembershipConfig(PARTYDEV_MEMBERSHIP_RULES_DIR);
          if (!config.ok()) return config.status();
          config->lookup = [this](const common::v1::Date&)
              -> absl::StatusOr<const v1::RuleSet*> { return &rules_; };
          return MakeMembershipServices(runtime, *std::move(config));
        });
    ASSERT_TRUE(server_->Start().ok());
    stub_ = OrganizationService::NewStub(server_->channel());
    redis_client_ = std::make_unique<RedisClient>(*ParseRedisUrl(redis_.url()));
    // The seeds' tree: Lâm Đồng → Khối → a university's committee → a cell.
    province_ = MustCreate(Admin(), "", "lam-dong", "Đảng bộ tỉnh Lâm Đồng",
                           "PROVINCIAL_COMMITTEE", "PROVINCE");
    bloc_ =
        MustCreate(Admin(), province_.name(), "duk",
                   "Đảng bộ Khối các cơ quan tỉnh", "BLOC_COMMITTEE", "BLOC");
    college_ = MustCreate(Admin(), bloc_.name(), "cd-su-pham",
                          "Đảng bộ Trường CĐ Sư phạm", "GRASSROOTS_COMMITTEE",
                          "GRASSROOTS");
    cell_ = MustCreate(Admin(), college_.name(), "cb-khoa-toan",
                       "Chi bộ Khoa Toán", "CELL", "CELL");
  }

  struct Caller {
    std::string subject = "people/admin";
    std::string organization;
    std::string roles = "admin";
  };
  static Caller Admin() { return {}; }
  static Caller Board(std::string org) {
    return {"people/board", std::move(org), "organization_board"};
  }

  std::unique_ptr<grpc::ClientContext> Context(const Caller& caller) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata("x-partydev-sub", caller.subject);
    context->AddMetadata("x-partydev-org", caller.organization);
    context->AddMetadata("x-partydev-roles", caller.roles);
    return context;
  }

  static v1::CreateOrganizationRequest CreateRequest(const std::string& parent,
                                                     const std::string& id,
                                                     const std::string& display,
                                                     const std::string& kind,
                                                     const std::string& level) {
    v1::CreateOrganizationRequest request;
    request.set_organization_id(id);
    Organization* org = request.mutable_organization();
    org->set_parent(parent);
    org->set_display_name(display);
    org->set_kind(kind);
    org->set_level(level);
    org->mutable_valid_from()->set_year(2020);
    org->mutable_valid_from()->set_month(10);
    org->mutable_valid_from()->set_day(1);
    return request;
  }

  grpc::Status Create(const Caller& caller,
                      const v1::CreateOrganizationRequest& request,
                      Organization* out) {
    return stub_->CreateOrganization(Context(caller).get(), request, out);
  }

  Organization MustCreate(const Caller& caller, const std::string& parent,
                          const std::string& id, const std::string& display,
                          const std::string& kind, const std::string& level) {
    Organization out;
    grpc::Status status =
        Create(caller, CreateRequest(parent, id, display, kind, level), &out);
    EXPECT_TRUE(status.ok()) << id << ": " << status.error_message();
    return out;
  }

  std::vector<events::v1::Event> Events() {
    Streams streams(*redis_client_);
    auto entries = streams.Range("{pd:membership}:events", "-", "+", 10000);
    EXPECT_TRUE(entries.ok());
    std::vector<events::v1::Event> out;
    for (const auto& e : *entries) {
      events::v1::Event event;
      EXPECT_TRUE(event.ParseFromString(e.Field("e")));
      out.push_back(event);
    }
    return out;
  }

  testing::RedisServer redis_;
  v1::RuleSet rules_;
  std::unique_ptr<testing::InProcessServer> server_;
  std::unique_ptr<OrganizationService::Stub> stub_;
  std::unique_ptr<RedisClient> redis_client_;
  Organization province_, bloc_, college_, cell_;
};

TEST_F(OrganizationServiceTest, CreateDerivesPathAndAnnouncesItInTheSameStep) {
  EXPECT_EQ(cell_.name(), "organizations/cb-khoa-toan");
  ASSERT_EQ(cell_.path_size(), 4);
  EXPECT_EQ(cell_.path(0), "organizations/lam-dong");
  EXPECT_EQ(cell_.path(3), "organizations/cb-khoa-toan");
  EXPECT_EQ(cell_.depth(), 3);
  EXPECT_EQ(cell_.organization_class(), v1::ORGANIZATION_CLASS_PARTY_CELL);
  EXPECT_TRUE(college_.grassroots());
  EXPECT_FALSE(cell_.grassroots());
  EXPECT_EQ(cell_.etag(), "v1");
  EXPECT_EQ(cell_.create_stamp().actor(), "people/admin");

  std::vector<events::v1::Event> events = Events();
  ASSERT_EQ(events.size(), 4u);
  const events::v1::Event& created = events.back();
  EXPECT_EQ(created.type(), "partydev.events.v1.OrganizationCreated");
  EXPECT_EQ(created.producer(), "membership");
  EXPECT_EQ(created.organization_path_size(), 4);
  EXPECT_EQ(created.organization_created().organization().name(), cell_.name());
  EXPECT_TRUE(
      created.organization_created().organization().is_party_organization());
  EXPECT_EQ(created.act_date().year(), 2020);
  EXPECT_FALSE(created.id().empty());

  grpc::ClientContext context;
  v1::GetOrganizationRequest get;
  get.set_name(cell_.name());
  Organization got;
  ASSERT_TRUE(
      stub_->GetOrganization(Context(Board(bloc_.name())).get(), get, &got)
          .ok());
  EXPECT_EQ(got.display_name(), "Chi bộ Khoa Toán");
}

TEST_F(OrganizationServiceTest, NothingButAnAttachedUnitSitsUnderACell) {
  const size_t before = Events().size();
  Organization out;
  grpc::Status status =
      Create(Admin(),
             CreateRequest(cell_.name(), "x", "Đảng bộ con",
                           "GRASSROOTS_COMMITTEE", "GRASSROOTS"),
             &out);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  std::vector<std::string> rules;
  for (const auto& v : RuleViolationsOf(FromGrpcStatus(status)))
    rules.push_back(v.rule);
  EXPECT_NE(std::find(rules.begin(), rules.end(), "tree.cell_has_no_children"),
            rules.end());
  EXPECT_NE(std::find(rules.begin(), rules.end(), "tree.level_not_allowed"),
            rules.end());
  EXPECT_EQ(Events().size(), before);  // nothing written
  // The youth union branch the cell leads may be attached to it.
  MustCreate(Admin(), cell_.name(), "doan-khoa-toan", "Chi đoàn Khoa Toán",
             "YOUTH_UNION", "CELL");
}

TEST_F(OrganizationServiceTest, UnknownKindAndLevelNameTheVocabulary) {
  Organization out;
  grpc::Status status = Create(
      Admin(), CreateRequest(bloc_.name(), "y", "X", "SOVIET", "GALAXY"), &out);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  auto violations = RuleViolationsOf(FromGrpcStatus(status));
  ASSERT_GE(violations.size(), 2u);
  EXPECT_EQ(violations[0].rule, "tree.kind_unknown");
  EXPECT_NE(violations[0].description.find("BLOC_COMMITTEE"),
            std::string::npos);
  EXPECT_EQ(violations[1].rule, "tree.level_unknown");
}

TEST_F(OrganizationServiceTest, MissingFieldsAreAllNamedAtOnce) {
  v1::CreateOrganizationRequest request;
  request.mutable_organization()->set_parent(bloc_.name());
  request.set_organization_id("Bad_Id");
  Organization out;
  grpc::Status status = Create(Admin(), request, &out);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  std::set<std::string> fields;
  for (const auto& v : FieldViolationsOf(FromGrpcStatus(status)))
    fields.insert(v.field);
  EXPECT_EQ(fields, (std::set<std::string>{
                        "organization.display_name", "organization.kind",
                        "organization.level", "organization.valid_from",
                        "organization_id"}));
}

TEST_F(OrganizationServiceTest,
       ACallerFromAnotherSubtreeIsRefusedAndNothingChanges) {
  Organization other =
      MustCreate(Admin(), bloc_.name(), "benh-vien", "Đảng bộ Bệnh viện",
                 "GRASSROOTS_COMMITTEE", "GRASSROOTS");
  const size_t before = Events().size();
  Organization out;
  grpc::Status create = Create(
      Board(other.name()),
      CreateRequest(college_.name(), "z", "Chi bộ Z", "CELL", "CELL"), &out);
  EXPECT_EQ(create.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(FromGrpcStatus(create)), "OUTSIDE_SUBTREE");
  v1::GetOrganizationRequest get;
  get.set_name(cell_.name());
  EXPECT_EQ(
      stub_->GetOrganization(Context(Board(other.name())).get(), get, &out)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  // A subordinate cannot act on its superior either.
  get.set_name(bloc_.name());
  EXPECT_EQ(
      stub_->GetOrganization(Context(Board(cell_.name())).get(), get, &out)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Events().size(), before);
}

TEST_F(OrganizationServiceTest, OnlyTheOrganisationBoardChangesTheTree) {
  Organization out;
  Caller secretary{"people/s", college_.name(), "secretary"};
  grpc::Status status = Create(
      secretary,
      CreateRequest(college_.name(), "c2", "Chi bộ 2", "CELL", "CELL"), &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(FromGrpcStatus(status)), "ROLE_REQUIRED");
  EXPECT_TRUE(
      Create(Board(college_.name()),
             CreateRequest(college_.name(), "c2", "Chi bộ 2", "CELL", "CELL"),
             &out)
          .ok());
  // A root is for installation admins only.
  EXPECT_EQ(Create(Board(province_.name()),
                   CreateRequest("", "root2", "Tỉnh khác",
                                 "PROVINCIAL_COMMITTEE", "PROVINCE"),
                   &out)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(OrganizationServiceTest, RequestIdActsOnceAndRefusesReuse) {
  v1::CreateOrganizationRequest request =
      CreateRequest(college_.name(), "", "Chi bộ Khoa Lý", "CELL", "CELL");
  request.set_request_id(NewUuid());
  Organization first, second;
  ASSERT_TRUE(Create(Admin(), request, &first).ok());
  const size_t after_first = Events().size();
  ASSERT_TRUE(Create(Admin(), request, &second).ok());
  EXPECT_EQ(second.name(), first.name());  // server-assigned id, same answer
  EXPECT_EQ(Events().size(), after_first);
  request.mutable_organization()->set_display_name("Chi bộ khác");
  Organization third;
  grpc::Status reused = Create(Admin(), request, &third);
  EXPECT_EQ(reused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(FromGrpcStatus(reused)), "REQUEST_ID_REUSED");
}

TEST_F(OrganizationServiceTest, ValidateOnlyWritesNothing) {
  v1::CreateOrganizationRequest request =
      CreateRequest(college_.name(), "dry", "Chi bộ thử", "CELL", "CELL");
  request.set_validate_only(true);
  Organization out;
  ASSERT_TRUE(Create(Admin(), request, &out).ok());
  EXPECT_EQ(out.name(), "organizations/dry");
  v1::GetOrganizationRequest get;
  get.set_name("organizations/dry");
  EXPECT_EQ(
      stub_->GetOrganization(Context(Admin()).get(), get, &out).error_code(),
      grpc::StatusCode::NOT_FOUND);
}

TEST_F(OrganizationServiceTest,
       ListsChildrenAndSubtreesInPagesBoundToTheirRequest) {
  for (int i = 0; i < 3; ++i) {
    MustCreate(Admin(), college_.name(), absl::StrCat("cb-", i),
               absl::StrCat("Chi bộ ", i), "CELL", "CELL");
  }
  v1::ListOrganizationsRequest request;
  request.set_parent(bloc_.name());
  request.set_include_descendants(true);
  request.set_page_size(2);
  std::vector<std::string> names;
  std::string token;
  int pages = 0;
  do {
    request.set_page_token(token);
    v1::ListOrganizationsResponse response;
    ASSERT_TRUE(
        stub_->ListOrganizations(Context(Admin()).get(), request, &response)
            .ok());
    EXPECT_EQ(response.total_size(), 5);
    for (const auto& o : response.organizations()) names.push_back(o.name());
    token = response.next_page_token();
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  // Depth first: the college, then its cells in id order.
  EXPECT_EQ(names, (std::vector<std::string>{
                       "organizations/cd-su-pham", "organizations/cb-0",
                       "organizations/cb-1", "organizations/cb-2",
                       "organizations/cb-khoa-toan"}));
  // A token is refused with other filters.
  request.set_page_size(2);
  request.set_page_token("");
  v1::ListOrganizationsResponse first;
  ASSERT_TRUE(
      stub_->ListOrganizations(Context(Admin()).get(), request, &first).ok());
  request.set_page_token(first.next_page_token());
  request.set_include_descendants(false);
  v1::ListOrganizationsResponse refused;
  EXPECT_EQ(stub_->ListOrganizations(Context(Admin()).get(), request, &refused)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  // A filter.
  v1::ListOrganizationsRequest cells;
  cells.set_parent(province_.name());
  cells.set_include_descendants(true);
  cells.set_filter("organization_class = PARTY_CELL");
  v1::ListOrganizationsResponse only_cells;
  ASSERT_TRUE(
      stub_->ListOrganizations(Context(Admin()).get(), cells, &only_cells)
          .ok());
  EXPECT_EQ(only_cells.organizations_size(), 4);
}

TEST_F(OrganizationServiceTest, MoveCarriesTheSubtreeAndRefusesCycles) {
  Organization other_bloc =
      MustCreate(Admin(), province_.name(), "khoi-dn",
                 "Đảng bộ Khối Doanh nghiệp", "BLOC_COMMITTEE", "BLOC");
  v1::MoveOrganizationRequest cycle;
  cycle.set_name(bloc_.name());
  cycle.set_new_parent(cell_.name());
  cycle.mutable_effective_on()->set_year(2024);
  cycle.mutable_effective_on()->set_month(1);
  cycle.mutable_effective_on()->set_day(1);
  cycle.mutable_decision()->set_number("12-QĐ/TU");
  Organization out;
  grpc::Status refused =
      stub_->MoveOrganization(Context(Admin()).get(), cycle, &out);
  ASSERT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(RuleViolationsOf(FromGrpcStatus(refused))[0].rule, "tree.no_cycle");

  v1::MoveOrganizationRequest move = cycle;
  move.set_name(college_.name());
  move.set_new_parent(other_bloc.name());
  move.set_etag(college_.etag());
  ASSERT_TRUE(stub_->MoveOrganization(Context(Admin()).get(), move, &out).ok());
  EXPECT_EQ(out.parent(), other_bloc.name());
  v1::GetOrganizationRequest get;
  get.set_name(cell_.name());
  Organization cell;
  ASSERT_TRUE(stub_->GetOrganization(Context(Admin()).get(), get, &cell).ok());
  EXPECT_EQ(cell.path(1), other_bloc.name());  // the descendant moved too
  EXPECT_EQ(Events().back().type(), "partydev.events.v1.OrganizationMoved");
  EXPECT_EQ(Events().back().organization_moved().old_parent(), bloc_.name());
  // The old committee no longer sees it; the new one does.
  EXPECT_EQ(
      stub_->GetOrganization(Context(Board(bloc_.name())).get(), get, &cell)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(
      stub_
          ->GetOrganization(Context(Board(other_bloc.name())).get(), get, &cell)
          .ok());
  // History: before the move the college sat under the first bloc.
  v1::ListOrganizationAncestorsRequest then;
  then.set_name(college_.name());
  then.mutable_as_of()->set_year(2023);
  then.mutable_as_of()->set_month(6);
  then.mutable_as_of()->set_day(1);
  v1::ListOrganizationAncestorsResponse ancestors;
  ASSERT_TRUE(
      stub_->ListOrganizationAncestors(Context(Admin()).get(), then, &ancestors)
          .ok());
  ASSERT_EQ(ancestors.ancestors_size(), 2);
  EXPECT_EQ(ancestors.ancestors(1).name(), bloc_.name());
  then.clear_as_of();
  ASSERT_TRUE(
      stub_->ListOrganizationAncestors(Context(Admin()).get(), then, &ancestors)
          .ok());
  EXPECT_EQ(ancestors.ancestors(ancestors.ancestors_size() - 1).name(),
            other_bloc.name());
}

TEST_F(OrganizationServiceTest, StaleEtagIsAbortedAndRevisionsKeepHistory) {
  v1::UpdateOrganizationRequest update;
  update.mutable_organization()->set_name(cell_.name());
  update.mutable_organization()->set_display_name("Chi bộ Khoa Toán - Tin");
  update.mutable_organization()->set_etag(cell_.etag());
  update.mutable_update_mask()->add_paths("display_name");
  Organization out;
  ASSERT_TRUE(
      stub_->UpdateOrganization(Context(Admin()).get(), update, &out).ok());
  EXPECT_EQ(out.etag(), "v2");
  EXPECT_EQ(stub_->UpdateOrganization(Context(Admin()).get(), update, &out)
                .error_code(),
            grpc::StatusCode::ABORTED);  // v1 is stale now
  update.mutable_update_mask()->add_paths("parent");
  EXPECT_EQ(stub_->UpdateOrganization(Context(Admin()).get(), update, &out)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::ListOrganizationRevisionsRequest revisions;
  revisions.set_name(cell_.name());
  v1::ListOrganizationRevisionsResponse history;
  ASSERT_TRUE(stub_
                  ->ListOrganizationRevisions(Context(Admin()).get(), revisions,
                                              &history)
                  .ok());
  ASSERT_EQ(history.revisions_size(), 2);
  EXPECT_EQ(history.revisions(0).kind(), v1::REVISION_KIND_UPDATED);
  EXPECT_EQ(history.revisions(0).snapshot().display_name(),
            "Chi bộ Khoa Toán - Tin");
  EXPECT_EQ(history.revisions(1).snapshot().display_name(), "Chi bộ Khoa Toán");
}

TEST_F(OrganizationServiceTest, ConcurrentUpdatesOfOneVersionExactlyOneWins) {
  std::vector<std::future<grpc::Status>> calls;
  for (int i = 0; i < 6; ++i) {
    calls.push_back(std::async(std::launch::async, [&, i] {
      v1::UpdateOrganizationRequest update;
      update.mutable_organization()->set_name(college_.name());
      update.mutable_organization()->set_display_name(absl::StrCat("Tên ", i));
      update.mutable_organization()->set_etag(college_.etag());
      update.mutable_update_mask()->add_paths("display_name");
      Organization out;
      return stub_->UpdateOrganization(Context(Admin()).get(), update, &out);
    }));
  }
  int ok = 0, aborted = 0;
  for (auto& c : calls) {
    grpc::Status s = c.get();
    if (s.ok()) ++ok;
    if (s.error_code() == grpc::StatusCode::ABORTED) ++aborted;
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(aborted, 5);
  int updates = 0;
  for (const auto& e : Events())
    updates += e.has_organization_updated() ? 1 : 0;
  EXPECT_EQ(updates, 1);
}

TEST_F(OrganizationServiceTest, DissolveNeedsAnEmptyOrganisation) {
  v1::DissolveOrganizationRequest dissolve;
  dissolve.set_name(college_.name());
  dissolve.mutable_effective_on()->set_year(2025);
  dissolve.mutable_effective_on()->set_month(7);
  dissolve.mutable_effective_on()->set_day(1);
  dissolve.mutable_decision()->set_number("99-QĐ/ĐUK");
  Organization out;
  grpc::Status refused =
      stub_->DissolveOrganization(Context(Admin()).get(), dissolve, &out);
  ASSERT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(RuleViolationsOf(FromGrpcStatus(refused))[0].rule,
            "tree.dissolve_not_empty");
  dissolve.set_name(cell_.name());
  ASSERT_TRUE(
      stub_->DissolveOrganization(Context(Admin()).get(), dissolve, &out).ok());
  EXPECT_EQ(out.state(), v1::ORGANIZATION_STATE_DISSOLVED);
  EXPECT_EQ(out.valid_until().day(), 30);  // the day before 1 July
  EXPECT_EQ(out.valid_until().month(), 6);
  v1::ListOrganizationsRequest list;
  list.set_parent(college_.name());
  v1::ListOrganizationsResponse children;
  ASSERT_TRUE(
      stub_->ListOrganizations(Context(Admin()).get(), list, &children).ok());
  EXPECT_EQ(children.organizations_size(), 0);
  EXPECT_EQ(Events().back().type(), "partydev.events.v1.OrganizationDissolved");
}

}  // namespace
}  // namespace partydev::membership
