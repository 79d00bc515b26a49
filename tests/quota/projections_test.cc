// Tests of quotad's projections (services/quota/projections.h) and of
// QuotaAdminService: a redelivered or replayed event changes nothing, a
// crash between the write and the ack loses nothing and counts nothing
// twice, replaying the whole stream (REPLAY_FROM "0", then a FULL rebuild
// into a new generation) gives the same state, and the admin RPCs (status,
// rebuild rules, rule sets).

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/errors.h"
#include "common/grpc_status.h"
#include "common/ids.h"
#include "tests/quota/quota_fixture.h"

namespace partydev::quota {
namespace {

constexpr char kOrganizations[] = "quotaProjections/organizations";
constexpr char kAdmissions[] = "quotaProjections/admissions";
constexpr char kPipeline[] = "quotaProjections/pipeline";

class ProjectionsTest : public QuotaFixture {
 protected:
  v1::Projection Status(const std::string& name) {
    absl::StatusOr<v1::Projection> p = context_->projections().Get(name);
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? *p : v1::Projection();
  }

  RedisReply Run(const RedisCommand& command) {
    absl::StatusOr<RedisReply> reply = redis_client_->Command(command);
    EXPECT_TRUE(reply.ok()) << reply.status();
    return reply.ok() ? *reply : RedisReply();
  }

  // The generation a projection reads ("organizations" -> 1, 2...).
  int Generation(const std::string& short_name) {
    RedisReply d = Run({"HGET", "{pd:quota}:" + short_name + ":gen", "d"});
    return d.is_nil() ? 1 : std::stoi(d.str());
  }

  // Every key of a generation with its content, the key prefix stripped;
  // the bookkeeping of the last apply (times) left out.
  std::map<std::string, std::string> Dump(const std::string& short_name,
                                          int generation,
                                          bool markers_only = false) {
    const std::string prefix =
        absl::StrCat("{pd:quota}:", short_name, ":g", generation, ":");
    std::map<std::string, std::string> out;
    std::string cursor = "0";
    do {
      RedisReply page =
          Run({"SCAN", cursor, "MATCH", prefix + "*", "COUNT", "1000"});
      cursor = page.elements()[0].str();
      for (const RedisReply& k : page.elements()[1].elements()) {
        const std::string key = k.str();
        const std::string suffix = key.substr(prefix.size());
        if (suffix == "last" || suffix == "stats") continue;
        if (markers_only && !absl::StartsWith(suffix, "seen:")) continue;
        const std::string type = Run({"TYPE", key}).str();
        std::vector<std::string> parts;
        RedisReply value;
        if (type == "hash") {
          value = Run({"HGETALL", key});
        } else if (type == "zset") {
          value = Run({"ZRANGE", key, "0", "-1", "WITHSCORES"});
        } else if (type == "set") {
          value = Run({"SMEMBERS", key});
        } else if (type == "list") {
          value = Run({"LRANGE", key, "0", "-1"});
        } else if (type == "string") {
          parts.push_back(Run({"GET", key}).str());
        }
        if (type == "hash") {
          std::vector<std::string> pairs;
          for (size_t i = 0; i + 1 < value.elements().size(); i += 2) {
            pairs.push_back(value.elements()[i].str() + "=" +
                            value.elements()[i + 1].str());
          }
          std::sort(pairs.begin(), pairs.end());
          parts = pairs;
        } else {
          for (const RedisReply& e : value.elements()) parts.push_back(e.str());
          if (type == "set") std::sort(parts.begin(), parts.end());
        }
        out[suffix] = type + ":" + absl::StrJoin(parts, "|");
      }
    } while (cursor != "0");
    return out;
  }

  // The consumer of a group (the projections' one, after the fixture's
  // drain).
  std::string ConsumerOf(const std::string& group) {
    RedisReply consumers =
        Run({"XINFO", "CONSUMERS", MembershipStream(), group});
    EXPECT_EQ(consumers.elements().size(), 1u);
    if (consumers.elements().empty()) return "";
    const auto& fields = consumers.elements()[0].elements();
    for (size_t i = 0; i + 1 < fields.size(); i += 2) {
      if (fields[i].str() == "name") return fields[i + 1].str();
    }
    return "";
  }

  // Entry ids of the stream, oldest first.
  std::vector<std::string> EntryIds() {
    std::vector<std::string> ids;
    RedisReply all = Run({"XRANGE", MembershipStream(), "-", "+"});
    for (const RedisReply& e : all.elements()) {
      ids.push_back(e.elements()[0].str());
    }
    return ids;
  }

  events::v1::Event Rename(const std::string& org, const std::string& display,
                           const common::v1::Date& on) {
    events::v1::Event event;
    *event.mutable_act_date() = on;
    for (const auto& p : PathOf(org)) event.add_organization_path(p);
    auto* s = event.mutable_organization_updated()->mutable_organization();
    s->set_name(org);
    const std::vector<std::string> path = PathOf(org);
    if (path.size() > 1) s->set_parent(path[path.size() - 2]);
    s->set_display_name(display);
    s->set_kind("CELL");
    s->set_level("CELL");
    s->set_is_party_organization(true);
    *s->mutable_valid_from() = D(2015, 1, 1);
    return Publish(std::move(event));
  }

  events::v1::Event MoveUnder(const std::string& org,
                              const std::string& old_parent,
                              const std::string& new_parent,
                              const common::v1::Date& on) {
    events::v1::Event event;
    *event.mutable_act_date() = on;
    for (const auto& p : PathOf(new_parent)) event.add_organization_path(p);
    event.add_organization_path(org);
    auto* moved = event.mutable_organization_moved();
    moved->set_old_parent(old_parent);
    auto* s = moved->mutable_organization();
    s->set_name(org);
    s->set_parent(new_parent);
    s->set_display_name("moved");
    s->set_kind("CELL");
    s->set_level("CELL");
    *s->mutable_valid_from() = D(2015, 1, 1);
    return Publish(std::move(event));
  }

  // A little history on every projection.
  void PublishHistory() {
    Rename(cell_toan_, "Chi bộ Khoa Toán - Tin", D(2019, 9, 1));
    MoveUnder(cell_van_, university_, health_, D(2021, 1, 1));
    events::v1::Event dissolved;
    *dissolved.mutable_act_date() = D(2023, 6, 1);
    for (const auto& p : PathOf(other_cell_))
      dissolved.add_organization_path(p);
    dissolved.mutable_organization_dissolved()->set_organization(other_cell_);
    Publish(std::move(dissolved));
    PublishAdmission(cell_toan_, "people/p1", D(2022, 5, 4),
                     {common::v1::CATEGORY_STUDENT});
    PublishAdmission(cell_health_, "people/p2", D(2023, 3, 2));
    PublishStage(cell_toan_, "people/p3", common::v1::STAGE_SOURCED,
                 common::v1::STAGE_TRAINING_PASSED, D(2023, 1, 1));
    PublishStage(cell_van_, "people/p4", common::v1::STAGE_UNSPECIFIED,
                 common::v1::STAGE_SOURCED, D(2023, 2, 1));
    Drain();
  }

  grpc::Status RebuildAs(const Caller& caller,
                         const v1::RebuildProjectionRequest& request,
                         v1::Projection* out) {
    return admin_->RebuildProjection(As(caller).get(), request, out);
  }

  static v1::RebuildProjectionRequest RebuildRequest(
      const std::string& name, v1::RebuildProjectionRequest::Mode mode,
      const std::string& from = "") {
    v1::RebuildProjectionRequest request;
    request.set_name(name);
    request.set_mode(mode);
    request.set_from_entry_id(from);
    return request;
  }

  static std::string FirstRule(const grpc::Status& status) {
    std::vector<RuleViolation> rules = RuleViolationsOf(FromGrpcStatus(status));
    return rules.empty() ? "" : rules[0].rule;
  }
};

TEST_F(ProjectionsTest, TheTreeProjectionHoldsTheFixturesTree) {
  absl::StatusOr<std::shared_ptr<const OrgTree>> tree =
      context_->projections().Tree();
  ASSERT_TRUE(tree.ok()) << tree.status();
  EXPECT_EQ((*tree)->size(), 9u);
  EXPECT_EQ((*tree)->PathOn(cell_toan_, absl::CivilDay(2020, 1, 1)),
            PathOf(cell_toan_));
  EXPECT_EQ((*tree)->RootsOn(absl::CivilDay(2020, 1, 1)),
            (std::vector<std::string>{province_, other_province_}));
  const v1::Projection organizations = Status(kOrganizations);
  EXPECT_EQ(organizations.events_applied(), 9);
  EXPECT_EQ(organizations.duplicates_ignored(), 0);
  EXPECT_EQ(organizations.last_event_type(),
            "partydev.events.v1.OrganizationCreated");
  // Organisation events are not the admissions projection's.
  EXPECT_EQ(Status(kAdmissions).events_applied(), 0);
}

TEST_F(ProjectionsTest, ARedeliveredEventChangesNothing) {
  const events::v1::Event renamed =
      Rename(cell_toan_, "Chi bộ Toán", D(2020, 9, 1));
  const events::v1::Event admitted =
      PublishAdmission(cell_toan_, "people/p1", D(2022, 5, 4));
  Drain();
  const auto tree_before = Dump("organizations", 1);
  const auto marks_before = Dump("admissions", 1, true);
  const v1::Projection organizations = Status(kOrganizations);
  const v1::Projection admissions = Status(kAdmissions);
  EXPECT_EQ(organizations.events_applied(), 10);
  EXPECT_EQ(admissions.events_applied(), 1);
  EXPECT_EQ(admissions.last_event_id(), admitted.id());

  // The same events again (a producer's retry, a redelivery).
  Publish(renamed);
  Publish(admitted);
  Drain();
  EXPECT_EQ(Dump("organizations", 1), tree_before);
  EXPECT_EQ(Dump("admissions", 1, true), marks_before);
  const v1::Projection organizations_after = Status(kOrganizations);
  const v1::Projection admissions_after = Status(kAdmissions);
  EXPECT_EQ(organizations_after.events_applied(), 10);
  EXPECT_EQ(organizations_after.duplicates_ignored(), 1);
  EXPECT_EQ(admissions_after.events_applied(), 1);
  EXPECT_EQ(admissions_after.duplicates_ignored(), 1);
  // The admission's record notes the redelivery, for the audit.
  absl::StatusOr<v1::AdmissionRecord> record =
      context_->projections().admissions()->GetRecord(absl::StrCat(
          cell_toan_, "/admissionRecords/", AdmissionRecordId(admitted.id())));
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->duplicate_deliveries(), 1);
  EXPECT_EQ(record->person(), "people/p1");
  absl::StatusOr<std::shared_ptr<const OrgTree>> tree =
      context_->projections().Tree();
  ASSERT_TRUE(tree.ok());
  EXPECT_EQ((*tree)->changes(), 10);
  EXPECT_EQ((*tree)->On(cell_toan_, absl::CivilDay(2020, 9, 1))->display_name(),
            "Chi bộ Toán");
}

TEST_F(ProjectionsTest, ACrashBetweenWriteAndAckLosesNothingAndCountsOnce) {
  const std::string group = "quotad-admissions";
  const std::string consumer = ConsumerOf(group);
  ASSERT_FALSE(consumer.empty());
  PublishAdmission(cell_toan_, "people/p1", D(2022, 5, 4));
  Drain();
  ASSERT_EQ(Status(kAdmissions).events_applied(), 1);
  std::vector<std::string> ids = EntryIds();
  ASSERT_GE(ids.size(), 2u);

  // 1. Written but not acknowledged: the group is put back before the
  // admission and the consumer reads it again without acknowledging, as
  // if it had died after the write.
  Run({"XGROUP", "SETID", MembershipStream(), group, ids[ids.size() - 2]});
  RedisReply read = Run({"XREADGROUP", "GROUP", group, consumer, "COUNT", "1",
                         "STREAMS", MembershipStream(), ">"});
  ASSERT_TRUE(read.is_array());
  // 2. Read but not written: the next admission is read and the consumer
  // dies before applying it.
  PublishAdmission(cell_health_, "people/p2", D(2023, 3, 2));
  read = Run({"XREADGROUP", "GROUP", group, consumer, "COUNT", "1", "STREAMS",
              MembershipStream(), ">"});
  ASSERT_TRUE(read.is_array());
  EXPECT_EQ(Status(kAdmissions).streams(0).pending(), 2);

  // The restarted consumer reads its own backlog first.
  Drain();
  const v1::Projection admissions = Status(kAdmissions);
  EXPECT_EQ(admissions.events_applied(), 2);
  EXPECT_EQ(admissions.duplicates_ignored(), 1);
  EXPECT_EQ(admissions.streams(0).pending(), 0);
  EXPECT_EQ(admissions.streams(0).lag(), 0);
  EXPECT_EQ(Dump("admissions", 1, true).size(), 2u);
}

TEST_F(ProjectionsTest, ReplayingTheWholeStreamTwiceGivesTheSameState) {
  PublishHistory();
  const auto tree = Dump("organizations", 1);
  const auto admission_marks = Dump("admissions", 1, true);
  const auto pipeline_marks = Dump("pipeline", 1, true);
  const v1::Projection organizations = Status(kOrganizations);
  const v1::Projection admissions = Status(kAdmissions);
  const v1::Projection pipeline = Status(kPipeline);
  EXPECT_EQ(organizations.events_applied(), 12);
  EXPECT_EQ(admissions.events_applied(), 2);
  EXPECT_EQ(pipeline.events_applied(), 2);

  // 1. Replay from the start into the current generations: all duplicates.
  for (const char* name : {kOrganizations, kAdmissions, kPipeline}) {
    v1::Projection started;
    grpc::Status status = RebuildAs(
        Admin(),
        RebuildRequest(name, v1::RebuildProjectionRequest::MODE_REPLAY_FROM,
                       "0"),
        &started);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(started.state(), v1::Projection::STATE_REBUILDING);
    ASSERT_TRUE(context_->projections().WaitForRebuild(name).ok());
  }
  EXPECT_EQ(Dump("organizations", 1), tree);
  EXPECT_EQ(Dump("admissions", 1, true), admission_marks);
  EXPECT_EQ(Status(kOrganizations).events_applied(), 12);
  EXPECT_EQ(Status(kOrganizations).duplicates_ignored(), 12);
  EXPECT_EQ(Status(kAdmissions).events_applied(), 2);
  EXPECT_EQ(Status(kAdmissions).duplicates_ignored(), 2);
  EXPECT_EQ(Status(kPipeline).duplicates_ignored(), 2);
  const v1::Projection replayed = Status(kAdmissions);
  // Every entry of the stream was read again (16: the fixture's tree and
  // the history).
  EXPECT_EQ(replayed.rebuild().events_replayed(),
            static_cast<int64_t>(EntryIds().size()));
  EXPECT_TRUE(replayed.rebuild().has_finish_time());
  EXPECT_EQ(replayed.rebuild().request_stamp().actor(), "people/admin");

  // 2. A full rebuild into new generations, swapped in.
  for (const char* name : {kOrganizations, kAdmissions, kPipeline}) {
    v1::Projection started;
    grpc::Status status = RebuildAs(
        Admin(), RebuildRequest(name, v1::RebuildProjectionRequest::MODE_FULL),
        &started);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_TRUE(context_->projections().WaitForRebuild(name).ok());
  }
  EXPECT_EQ(Generation("organizations"), 2);
  EXPECT_EQ(Generation("admissions"), 2);
  EXPECT_EQ(Dump("organizations", 2), tree);
  EXPECT_EQ(Dump("admissions", 2, true), admission_marks);
  EXPECT_EQ(Dump("pipeline", 2, true), pipeline_marks);
  const v1::Projection rebuilt = Status(kOrganizations);
  EXPECT_EQ(rebuilt.events_applied(), 12);
  EXPECT_EQ(rebuilt.duplicates_ignored(), 0);
  EXPECT_EQ(rebuilt.state(), v1::Projection::STATE_LIVE);
  EXPECT_EQ(rebuilt.streams(0).lag(), 0);
  EXPECT_EQ(rebuilt.rebuild().mode(), v1::RebuildProjectionRequest::MODE_FULL);
  EXPECT_EQ(Status(kAdmissions).events_applied(), 2);
  absl::StatusOr<std::shared_ptr<const OrgTree>> after =
      context_->projections().Tree();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ((*after)->PathOn(cell_van_, absl::CivilDay(2021, 1, 1)),
            (std::vector<std::string>{province_, bloc_, health_, cell_van_}));

  // 3. The live consumers go on from where the rebuild stopped.
  Drain();
  EXPECT_EQ(Status(kOrganizations).events_applied(), 12);
  EXPECT_EQ(Status(kOrganizations).duplicates_ignored(), 0);
  PublishAdmission(cell_toan_, "people/p9", D(2024, 1, 9));
  Rename(cell_health_, "Chi bộ Văn phòng", D(2024, 2, 1));
  Drain();
  EXPECT_EQ(Status(kAdmissions).events_applied(), 3);
  EXPECT_EQ(Status(kOrganizations).events_applied(), 13);
  after = context_->projections().Tree();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(
      (*after)->On(cell_health_, absl::CivilDay(2024, 2, 1))->display_name(),
      "Chi bộ Văn phòng");
  EXPECT_EQ(Dump("organizations", 1).size(), tree.size());  // old one kept

  // A second full rebuild removes the generation two rebuilds old.
  ASSERT_TRUE(
      context_->projections()
          .Rebuild(RebuildRequest(kOrganizations,
                                  v1::RebuildProjectionRequest::MODE_FULL),
                   {})
          .ok());
  ASSERT_TRUE(context_->projections().WaitForRebuild(kOrganizations).ok());
  EXPECT_EQ(Generation("organizations"), 3);
  EXPECT_TRUE(Dump("organizations", 1).empty());
  EXPECT_EQ(Dump("organizations", 3), Dump("organizations", 2));
}

TEST_F(ProjectionsTest, BackgroundConsumersApplyEventsAndSurviveARebuild) {
  auto wait_for = [&](const std::string& name, int64_t applied) {
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    while (Status(name).events_applied() < applied && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(20));
    }
    return Status(name).events_applied();
  };
  context_->projections().Start();
  PublishAdmission(cell_toan_, "people/p1", D(2022, 5, 4));
  EXPECT_EQ(wait_for(kAdmissions, 1), 1);

  // A full rebuild while the consumers run: the live one pauses, the new
  // generation is swapped in, and events published meanwhile or after are
  // applied to it exactly once.
  ASSERT_TRUE(
      context_->projections()
          .Rebuild(RebuildRequest(kOrganizations,
                                  v1::RebuildProjectionRequest::MODE_FULL),
                   {})
          .ok());
  Rename(cell_van_, "Chi bộ Văn - Sử", D(2024, 3, 1));
  ASSERT_TRUE(context_->projections().WaitForRebuild(kOrganizations).ok());
  Rename(cell_toan_, "Chi bộ Toán - Tin", D(2024, 3, 1));
  EXPECT_EQ(wait_for(kOrganizations, 11), 11);
  context_->projections().Stop();
  EXPECT_EQ(Generation("organizations"), 2);
  const v1::Projection organizations = Status(kOrganizations);
  EXPECT_EQ(organizations.events_applied(), 11);
  EXPECT_EQ(organizations.state(), v1::Projection::STATE_LIVE);
  EXPECT_EQ(organizations.streams(0).pending(), 0);
  absl::StatusOr<std::shared_ptr<const OrgTree>> tree =
      context_->projections().Tree();
  ASSERT_TRUE(tree.ok());
  EXPECT_EQ((*tree)->On(cell_van_, absl::CivilDay(2024, 3, 1))->display_name(),
            "Chi bộ Văn - Sử");
  EXPECT_EQ((*tree)->On(cell_toan_, absl::CivilDay(2024, 3, 1))->display_name(),
            "Chi bộ Toán - Tin");
  EXPECT_EQ(Status(kAdmissions).events_applied(), 1);
}

TEST_F(ProjectionsTest, GetAndListProjectionsReportTheirStatus) {
  v1::GetProjectionRequest get;
  get.set_name(kOrganizations);
  v1::Projection projection;
  grpc::Status status =
      admin_->GetProjection(As(Reader(bloc_)).get(), get, &projection);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(projection.name(), kOrganizations);
  EXPECT_FALSE(projection.description().empty());
  EXPECT_EQ(projection.state(), v1::Projection::STATE_LIVE);
  EXPECT_EQ(projection.events_applied(), 9);
  EXPECT_EQ(projection.events_parked(), 0);
  EXPECT_EQ(projection.etag(), "v0");
  EXPECT_TRUE(projection.has_last_event_time());
  EXPECT_TRUE(projection.has_last_apply_time());
  ASSERT_EQ(projection.streams_size(), 1);
  const v1::StreamPosition& position = projection.streams(0);
  EXPECT_EQ(position.stream(), MembershipStream());
  EXPECT_EQ(position.consumer_group(), "quotad-organizations");
  EXPECT_EQ(position.first_entry_id(), EntryIds().front());
  EXPECT_EQ(position.last_entry_id(), EntryIds().back());
  EXPECT_EQ(position.pending(), 0);
  EXPECT_EQ(position.lag(), 0);

  // Behind: the lag counts the entries not yet read.
  PublishAdmission(cell_toan_, "people/p1", D(2022, 5, 4));
  PublishAdmission(cell_toan_, "people/p2", D(2022, 5, 5));
  EXPECT_EQ(Status(kAdmissions).streams(0).lag(), 2);
  Drain();
  EXPECT_EQ(Status(kAdmissions).streams(0).lag(), 0);
  absl::StatusOr<google::protobuf::Timestamp> through =
      context_->projections().AdmissionsThrough();
  ASSERT_TRUE(through.ok());
  EXPECT_GT(through->seconds(), 0);

  get.set_name("quotaProjections/nope");
  status = admin_->GetProjection(As(Admin()).get(), get, &projection);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  get.set_name(kOrganizations);
  status =
      admin_->GetProjection(As(Secretary(cell_toan_)).get(), get, &projection);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);

  v1::ListProjectionsRequest list;
  list.set_page_size(2);
  v1::ListProjectionsResponse page;
  status = admin_->ListProjections(As(Admin()).get(), list, &page);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(page.projections_size(), 2);
  EXPECT_EQ(page.total_size(), 3);
  EXPECT_EQ(page.projections(0).name(), kAdmissions);
  EXPECT_EQ(page.projections(1).name(), kOrganizations);
  ASSERT_FALSE(page.next_page_token().empty());
  list.set_page_token(page.next_page_token());
  v1::ListProjectionsResponse last;
  status = admin_->ListProjections(As(Admin()).get(), list, &last);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(last.projections_size(), 1);
  EXPECT_EQ(last.projections(0).name(), kPipeline);
  EXPECT_TRUE(last.next_page_token().empty());
  list.set_page_size(-1);
  status = admin_->ListProjections(As(Admin()).get(), list, &last);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ProjectionsTest, RebuildIsForInstallationAdminsOnly) {
  v1::Projection out;
  const auto request =
      RebuildRequest(kAdmissions, v1::RebuildProjectionRequest::MODE_FULL);
  EXPECT_EQ(RebuildAs(Board(province_), request, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(RebuildAs(Reader(province_), request, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // An admin bound to an organisation (here another province's) does not
  // cover a projection of every organisation.
  const Caller other_admin{"people/other-admin", other_province_, "admin"};
  EXPECT_EQ(RebuildAs(other_admin, request, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Generation("admissions"), 1);
  EXPECT_FALSE(Status(kAdmissions).has_rebuild());
}

TEST_F(ProjectionsTest, RebuildRequestsAreValidated) {
  v1::Projection out;
  grpc::Status status =
      RebuildAs(Admin(),
                RebuildRequest("quotaProjections/x",
                               v1::RebuildProjectionRequest::MODE_FULL),
                &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  status =
      RebuildAs(Admin(),
                RebuildRequest(kAdmissions,
                               v1::RebuildProjectionRequest::MODE_UNSPECIFIED),
                &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  status =
      RebuildAs(Admin(),
                RebuildRequest(kAdmissions,
                               v1::RebuildProjectionRequest::MODE_REPLAY_FROM),
                &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  status = RebuildAs(
      Admin(),
      RebuildRequest(kAdmissions,
                     v1::RebuildProjectionRequest::MODE_REPLAY_FROM, "abc"),
      &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  // A stale etag.
  auto request =
      RebuildRequest(kAdmissions, v1::RebuildProjectionRequest::MODE_FULL);
  request.set_etag("v7");
  EXPECT_EQ(RebuildAs(Admin(), request, &out).error_code(),
            grpc::StatusCode::ABORTED);

  // validate_only starts nothing.
  request.set_etag("v0");
  request.set_validate_only(true);
  status = RebuildAs(Admin(), request, &out);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(out.state(), v1::Projection::STATE_LIVE);
  EXPECT_FALSE(Status(kAdmissions).has_rebuild());
  EXPECT_EQ(Generation("admissions"), 1);
}

TEST_F(ProjectionsTest, ARetriedRebuildRequestGetsTheFirstAnswer) {
  auto request = RebuildRequest(
      kPipeline, v1::RebuildProjectionRequest::MODE_REPLAY_FROM, "0");
  request.set_request_id(NewUuid());
  v1::Projection first;
  grpc::Status status = RebuildAs(Admin(), request, &first);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_TRUE(context_->projections().WaitForRebuild(kPipeline).ok());
  const std::string etag = Status(kPipeline).etag();
  v1::Projection again;
  status = RebuildAs(Admin(), request, &again);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(Status(kPipeline).etag(), etag);  // nothing started
  request.set_mode(v1::RebuildProjectionRequest::MODE_FULL);
  status = RebuildAs(Admin(), request, &again);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ProjectionsTest, OnlyOneRebuildRunsAtATime) {
  // Another replica runs a rebuild of the admissions projection.
  v1::RebuildStatus running;
  running.set_mode(v1::RebuildProjectionRequest::MODE_FULL);
  Run({"HSET", "{pd:quota}:admissions:rebuild", "v", "1", "d",
       running.SerializeAsString()});
  Run({"SET", "{pd:quota}:admissions:rebuild:alive", "other", "PX", "60000"});
  v1::Projection out;
  grpc::Status status = RebuildAs(
      Admin(),
      RebuildRequest(kAdmissions,
                     v1::RebuildProjectionRequest::MODE_REPLAY_FROM, "0"),
      &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(FirstRule(status), "quota.projection.not_rebuilding");
  EXPECT_EQ(Status(kAdmissions).state(), v1::Projection::STATE_REBUILDING);

  // It died without finishing: the next one may start.
  Run({"DEL", "{pd:quota}:admissions:rebuild:alive"});
  const v1::Projection stale = Status(kAdmissions);
  EXPECT_EQ(stale.state(), v1::Projection::STATE_LIVE);
  EXPECT_FALSE(stale.last_error().empty());
  EXPECT_EQ(stale.etag(), "v1");
  auto request = RebuildRequest(
      kAdmissions, v1::RebuildProjectionRequest::MODE_REPLAY_FROM, "0");
  request.set_etag("v1");
  status = RebuildAs(Admin(), request, &out);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_TRUE(context_->projections().WaitForRebuild(kAdmissions).ok());
  EXPECT_TRUE(Status(kAdmissions).last_error().empty());
}

TEST_F(ProjectionsTest, AFullRebuildNeedsAnUntrimmedStream) {
  // The oldest entry is gone (trimmed): a rebuild from the start would
  // miss it; a replay from an entry still works.
  const std::vector<std::string> ids = EntryIds();
  Run({"XDEL", MembershipStream(), ids.front()});
  v1::Projection out;
  grpc::Status status = RebuildAs(
      Admin(),
      RebuildRequest(kOrganizations, v1::RebuildProjectionRequest::MODE_FULL),
      &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(FirstRule(status), "quota.projection.stream_untrimmed");
  status = RebuildAs(
      Admin(),
      RebuildRequest(kOrganizations,
                     v1::RebuildProjectionRequest::MODE_REPLAY_FROM, ids[1]),
      &out);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_TRUE(context_->projections().WaitForRebuild(kOrganizations).ok());
  EXPECT_EQ(Status(kOrganizations).duplicates_ignored(), 8);
}

TEST_F(ProjectionsTest, QuotaRuleSets) {
  const Caller anyone = Secretary(cell_toan_);
  v1::GetQuotaRuleSetRequest get;
  get.set_name("quotaRuleSets/default");
  v1::QuotaRuleSet set;
  grpc::Status status = admin_->GetQuotaRuleSet(As(anyone).get(), get, &set);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(set.name(), "quotaRuleSets/default");
  EXPECT_FALSE(set.display_name().empty());
  get.set_name("quotaRuleSets/nope");
  EXPECT_EQ(admin_->GetQuotaRuleSet(As(anyone).get(), get, &set).error_code(),
            grpc::StatusCode::NOT_FOUND);

  v1::ListQuotaRuleSetsRequest list;
  v1::ListQuotaRuleSetsResponse sets;
  status = admin_->ListQuotaRuleSets(As(anyone).get(), list, &sets);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(sets.quota_rule_sets_size(), 1);
  EXPECT_EQ(sets.total_size(), 1);
  EXPECT_TRUE(sets.next_page_token().empty());
  list.set_page_token("garbage");
  EXPECT_EQ(
      admin_->ListQuotaRuleSets(As(anyone).get(), list, &sets).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);

  v1::ResolveQuotaRuleSetRequest resolve;  // today
  status = admin_->ResolveQuotaRuleSet(As(anyone).get(), resolve, &set);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(set.name(), "quotaRuleSets/default");
  *resolve.mutable_date() = D(2009, 12, 31);  // before the first set
  status = admin_->ResolveQuotaRuleSet(As(anyone).get(), resolve, &set);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(FirstRule(status), "quota.rule_set.exists");
  *resolve.mutable_date() = D(2021, 2, 30);
  status = admin_->ResolveQuotaRuleSet(As(anyone).get(), resolve, &set);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace partydev::quota
