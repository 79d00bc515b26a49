// Lagging checkpoints (ReportService.CreateLaggingCheckpoint, Get, List,
// FindLaggingOrganizations with `checkpoint`) and their scheduler
// (services/quota/checkpoint_scheduler.h): the frozen list, exactly one
// OrganizationLagging event per lagging organisation on quotad's stream,
// never twice.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/atomic_write.h"
#include "common/change.h"
#include "common/dates.h"
#include "common/record_store.h"
#include "common/streams.h"
#include "services/quota/checkpoint_scheduler.h"
#include "tests/quota/quota_fixture.h"

namespace partydev::quota {
namespace {

constexpr common::v1::Category kStudent = common::v1::CATEGORY_STUDENT;
constexpr char kTerm[] = "terms/2020-2025";

class LaggingTest : public QuotaFixture {
 protected:
  void SetUp() override {
    QuotaFixture::SetUp();
    MustCreateTerms();
    // The letter's scenario: the university (target 20) admitted 4, one a
    // student; the health department (target 10) admitted 6.
    SetTermTarget(university_, 20);
    SetTermTarget(health_, 10);
    for (int i = 0; i < 3; ++i) {
      PublishAdmission(cell_toan_, absl::StrCat("people/u", i), D(2022, 3, 10));
    }
    PublishAdmission(cell_van_, "people/u3", D(2023, 4, 2), {kStudent});
    for (int i = 0; i < 6; ++i) {
      PublishAdmission(cell_health_, absl::StrCat("people/h", i),
                       D(2022, 11, 20));
    }
    Drain();
  }

  void SetTermTarget(const std::string& org, int total) {
    v1::CreateTermTargetRequest request;
    request.set_parent(org);
    request.set_term_target_id("2020-2025");
    request.mutable_term_target()->mutable_own()->set_total(total);
    common::v1::DecisionRef* ref =
        request.mutable_term_target()->mutable_resolution();
    ref->set_number(absl::StrCat(total, "-NQ/ĐH"));
    *ref->mutable_signed_on() = D(2020, 9, 1);
    ref->set_deciding_organization(org);
    v1::TermTarget target;
    grpc::Status s =
        targets_->CreateTermTarget(As(Admin()).get(), request, &target);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  v1::CreateLaggingCheckpointRequest CheckpointRequest(
      const std::string& parent, const common::v1::Date& as_of) {
    v1::CreateLaggingCheckpointRequest request;
    request.set_parent(parent);
    request.mutable_lagging_checkpoint()->mutable_period()->set_term(kTerm);
    *request.mutable_lagging_checkpoint()->mutable_as_of() = as_of;
    request.mutable_lagging_checkpoint()->set_label("Quý III/2023");
    return request;
  }

  // The OrganizationLagging events on quotad's stream.
  std::vector<events::v1::Event> LaggingEvents() {
    Streams streams(*redis_client_);
    absl::StatusOr<std::vector<StreamEntry>> entries =
        streams.Range(context_->events_key(), "-", "+", 100000);
    EXPECT_TRUE(entries.ok()) << entries.status();
    std::vector<events::v1::Event> out;
    if (!entries.ok()) return out;
    for (const StreamEntry& e : *entries) {
      events::v1::Event event;
      EXPECT_TRUE(event.ParseFromString(e.Field("e")));
      if (event.has_organization_lagging()) out.push_back(event);
    }
    return out;
  }

  int64_t StreamLength() {
    Streams streams(*redis_client_);
    absl::StatusOr<int64_t> n = streams.Length(context_->events_key());
    return n.ok() ? *n : -1;
  }
};

TEST_F(LaggingTest, CheckpointPublishesOneEventPerLaggingOrganization) {
  v1::LaggingCheckpoint checkpoint;
  grpc::Status s = reports_->CreateLaggingCheckpoint(
      As(Board(bloc_)).get(), CheckpointRequest(bloc_, D(2023, 9, 17)),
      &checkpoint);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const std::string name =
      absl::StrCat(bloc_, "/laggingCheckpoints/2023-09-17-2020-2025");
  EXPECT_EQ(checkpoint.name(), name);
  EXPECT_EQ(checkpoint.state(), v1::LaggingCheckpoint::STATE_SUCCEEDED);
  EXPECT_EQ(checkpoint.trigger(), v1::LaggingCheckpoint::TRIGGER_ON_DEMAND);
  EXPECT_EQ(checkpoint.scope(), v1::ORGANIZATION_SCOPE_GRASSROOTS_IN_SUBTREE);
  EXPECT_EQ(checkpoint.evaluated_count(), 2);
  EXPECT_EQ(checkpoint.lagging_count(), 1);
  EXPECT_EQ(checkpoint.events_published(), 1);
  EXPECT_EQ(checkpoint.thresholds().lagging_rate(), 0.5);
  EXPECT_EQ(checkpoint.rule_set(), "quotaRuleSets/default");
  EXPECT_EQ(checkpoint.create_stamp().actor(), "people/board");
  EXPECT_TRUE(checkpoint.has_complete_time());

  std::vector<events::v1::Event> events = LaggingEvents();
  ASSERT_EQ(events.size(), 1u);
  const events::v1::Event& event = events[0];
  EXPECT_EQ(event.id(), LaggingEventId(name, university_));
  EXPECT_EQ(event.producer(), "quota");
  EXPECT_EQ(event.type(), "partydev.events.v1.OrganizationLagging");
  ASSERT_EQ(event.organization_path_size(), 3);
  EXPECT_EQ(event.organization_path(0), province_);
  EXPECT_EQ(event.organization_path(2), university_);
  EXPECT_EQ(CivilDayOf(event.act_date()), absl::CivilDay(2023, 9, 17));
  const events::v1::OrganizationLagging& lagging = event.organization_lagging();
  EXPECT_EQ(lagging.organization(), university_);
  EXPECT_EQ(lagging.term(), kTerm);
  EXPECT_EQ(lagging.target(), 20);
  EXPECT_EQ(lagging.admitted(), 4);
  EXPECT_EQ(lagging.rate_bp(), 2000);
  EXPECT_EQ(lagging.threshold_bp(), 5000);
  EXPECT_EQ(lagging.checkpoint(), name);
  EXPECT_EQ(lagging.urging_organization(), bloc_);
  EXPECT_EQ(lagging.year(), 0);
  EXPECT_EQ(CivilDayOf(lagging.as_of()), absl::CivilDay(2023, 9, 17));
  EXPECT_EQ(lagging.remaining(), 16);
  ASSERT_EQ(lagging.reasons_size(), 2);
  EXPECT_EQ(lagging.reasons(0), "below_threshold");
  EXPECT_EQ(lagging.reasons(1), "students_low");
  EXPECT_EQ(lagging.student_admitted(), 1);
  EXPECT_EQ(lagging.student_target(), 0);

  // Asking again for the same day and period never urges twice.
  const int64_t length = StreamLength();
  v1::LaggingCheckpoint again;
  s = reports_->CreateLaggingCheckpoint(
      As(Board(bloc_)).get(), CheckpointRequest(bloc_, D(2023, 9, 17)), &again);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(StreamLength(), length);
  EXPECT_EQ(LaggingEvents().size(), 1u);

  // The list is frozen: later admissions do not change it.
  for (int i = 0; i < 10; ++i) {
    PublishAdmission(cell_toan_, absl::StrCat("people/late", i), D(2023, 9, 1));
  }
  Drain();
  v1::FindLaggingOrganizationsRequest find;
  find.set_name(province_);
  find.set_checkpoint(name);
  v1::LaggingList list;
  s = reports_->FindLaggingOrganizations(As(Reader(province_)).get(), find,
                                         &list);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(list.checkpoint(), name);
  ASSERT_EQ(list.organizations_size(), 1);
  EXPECT_EQ(list.organizations(0).admitted(), 4);
  EXPECT_EQ(list.evaluated_count(), 2);
  EXPECT_EQ(CivilDayOf(list.as_of()), absl::CivilDay(2023, 9, 17));
  // Computed now, the university is no longer below half.
  find.clear_checkpoint();
  find.mutable_period()->set_term(kTerm);
  *find.mutable_as_of() = D(2023, 9, 17);
  s = reports_->FindLaggingOrganizations(As(Reader(province_)).get(), find,
                                         &list);
  ASSERT_TRUE(s.ok()) << s.error_message();
  for (const auto& o : list.organizations()) {
    for (int r : o.reasons()) {
      EXPECT_NE(r, v1::LAGGING_REASON_BELOW_THRESHOLD);
    }
  }
  // A checkpoint of another subtree may not be read through it.
  find.set_name(health_);
  find.set_checkpoint(name);
  s = reports_->FindLaggingOrganizations(As(Reader(health_)).get(), find,
                                         &list);
  EXPECT_NE(s.error_code(), grpc::StatusCode::OK);

  // Get and List.
  v1::GetLaggingCheckpointRequest get;
  get.set_name(name);
  v1::LaggingCheckpoint got;
  s = reports_->GetLaggingCheckpoint(As(Reader(bloc_)).get(), get, &got);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(got.lagging_count(), 1);
  EXPECT_EQ(got.label(), "Quý III/2023");
  s = reports_->GetLaggingCheckpoint(As(Reader(other_province_)).get(), get,
                                     &got);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::ListLaggingCheckpointsRequest list_request;
  list_request.set_parent(bloc_);
  v1::ListLaggingCheckpointsResponse listed;
  s = reports_->ListLaggingCheckpoints(As(Reader(bloc_)).get(), list_request,
                                       &listed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(listed.lagging_checkpoints_size(), 1);
  EXPECT_EQ(listed.lagging_checkpoints(0).name(), name);
  list_request.set_parent(province_);
  s = reports_->ListLaggingCheckpoints(As(Reader(province_)).get(),
                                       list_request, &listed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(listed.lagging_checkpoints_size(), 0);  // the province's own
  list_request.set_scope(v1::ORGANIZATION_SCOPE_SUBTREE);
  s = reports_->ListLaggingCheckpoints(As(Reader(province_)).get(),
                                       list_request, &listed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(listed.lagging_checkpoints_size(), 1);
}

TEST_F(LaggingTest, ValidateOnlyWritesNothing) {
  const int64_t length = StreamLength();
  v1::CreateLaggingCheckpointRequest request =
      CheckpointRequest(bloc_, D(2023, 9, 17));
  request.set_validate_only(true);
  v1::LaggingCheckpoint checkpoint;
  grpc::Status s = reports_->CreateLaggingCheckpoint(As(Board(bloc_)).get(),
                                                     request, &checkpoint);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(checkpoint.lagging_count(), 1);
  EXPECT_EQ(checkpoint.evaluated_count(), 2);
  EXPECT_EQ(checkpoint.events_published(), 0);
  EXPECT_EQ(StreamLength(), length);
  v1::GetLaggingCheckpointRequest get;
  get.set_name(checkpoint.name());
  v1::LaggingCheckpoint got;
  s = reports_->GetLaggingCheckpoint(As(Reader(bloc_)).get(), get, &got);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  // The real one can still be taken.
  request.set_validate_only(false);
  s = reports_->CreateLaggingCheckpoint(As(Board(bloc_)).get(), request,
                                        &checkpoint);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(LaggingEvents().size(), 1u);
}

TEST_F(LaggingTest, RequestIdRetryAnswersTheFirstResponse) {
  v1::CreateLaggingCheckpointRequest request =
      CheckpointRequest(bloc_, D(2023, 9, 17));
  request.set_request_id("0b9a3c1e-6a8e-4a55-9d43-8f7f5a3b2c10");
  v1::LaggingCheckpoint first;
  grpc::Status s = reports_->CreateLaggingCheckpoint(As(Board(bloc_)).get(),
                                                     request, &first);
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::LaggingCheckpoint second;
  s = reports_->CreateLaggingCheckpoint(As(Board(bloc_)).get(), request,
                                        &second);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(second.name(), first.name());
  EXPECT_EQ(LaggingEvents().size(), 1u);
}

TEST_F(LaggingTest, CheckpointRulesAreChecked) {
  v1::LaggingCheckpoint checkpoint;
  // Not in the future.
  const absl::CivilDay tomorrow = CivilDayOf(Today()) + 1;
  grpc::Status s = reports_->CreateLaggingCheckpoint(
      As(Board(bloc_)).get(), CheckpointRequest(bloc_, FromCivilDay(tomorrow)),
      &checkpoint);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(s.error_details().find("quota.checkpoint.not_future"),
            std::string::npos);
  // The board role is needed, within the subtree.
  s = reports_->CreateLaggingCheckpoint(
      As(Reader(bloc_)).get(), CheckpointRequest(bloc_, D(2023, 9, 17)),
      &checkpoint);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = reports_->CreateLaggingCheckpoint(
      As(Board(other_province_)).get(),
      CheckpointRequest(bloc_, D(2023, 9, 17)), &checkpoint);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // A period is required.
  v1::CreateLaggingCheckpointRequest no_term =
      CheckpointRequest(bloc_, D(2023, 9, 17));
  no_term.mutable_lagging_checkpoint()->clear_period();
  s = reports_->CreateLaggingCheckpoint(As(Board(bloc_)).get(), no_term,
                                        &checkpoint);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // A year of the term has its own default id.
  v1::CreateLaggingCheckpointRequest year =
      CheckpointRequest(bloc_, D(2023, 9, 17));
  year.mutable_lagging_checkpoint()->mutable_period()->set_year(2023);
  s = reports_->CreateLaggingCheckpoint(As(Board(bloc_)).get(), year,
                                        &checkpoint);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(
      checkpoint.name(),
      absl::StrCat(bloc_, "/laggingCheckpoints/2023-09-17-2020-2025-2023"));
  EXPECT_EQ(checkpoint.evaluated_count(), 0);  // no yearly targets
  EXPECT_EQ(LaggingEvents().size(), 0u);
}

TEST_F(LaggingTest, LongListsPublishInBatchesAndResume) {
  // With a 100% threshold both grassroots organisations lag; a batch of one
  // event per write makes the checkpoint go through RUNNING.
  CallContext call;
  call.method = "CreateLaggingCheckpoint";
  call.principal.subject = "people/board";
  call.principal.organization = bloc_;
  call.principal.roles = {"organization_board"};
  call.started = absl::Now();
  call.deadline = absl::InfiniteFuture();
  v1::CreateLaggingCheckpointRequest request =
      CheckpointRequest(bloc_, D(2023, 9, 17));
  request.mutable_lagging_checkpoint()->mutable_thresholds()->set_lagging_rate(
      1);
  v1::LaggingCheckpoint checkpoint;
  absl::Status s = CreateLaggingCheckpoint(
      *context_, call, request, v1::LaggingCheckpoint::TRIGGER_ON_DEMAND, "",
      &checkpoint, /*events_per_write=*/1);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(checkpoint.state(), v1::LaggingCheckpoint::STATE_SUCCEEDED);
  EXPECT_EQ(checkpoint.lagging_count(), 2);
  EXPECT_EQ(checkpoint.events_published(), 2);
  std::vector<events::v1::Event> events = LaggingEvents();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].organization_lagging().organization(), university_);
  EXPECT_EQ(events[1].organization_lagging().organization(), health_);
  EXPECT_EQ(events[1].organization_lagging().threshold_bp(), 10000);

  // A run stopped half-way (one event published) resumes where it stopped
  // when asked again.
  v1::CreateLaggingCheckpointRequest again =
      CheckpointRequest(bloc_, D(2023, 9, 18));
  again.mutable_lagging_checkpoint()->mutable_thresholds()->set_lagging_rate(1);
  ASSERT_TRUE(CreateLaggingCheckpoint(*context_, call, again,
                                      v1::LaggingCheckpoint::TRIGGER_ON_DEMAND,
                                      "", &checkpoint, 1)
                  .ok());
  absl::StatusOr<Stored<v1::LaggingCheckpoint>> stored =
      context_->records().Get<v1::LaggingCheckpoint>(checkpoint.name());
  ASSERT_TRUE(stored.ok());
  v1::LaggingCheckpoint half = stored->message;
  half.set_state(v1::LaggingCheckpoint::STATE_RUNNING);
  half.set_events_published(1);
  AtomicWrite write;
  context_->records().StagePut(write, checkpoint.name(), stored->version, half);
  ASSERT_TRUE(write.Commit(*redis_client_).ok());
  const size_t before = LaggingEvents().size();
  ASSERT_TRUE(CreateLaggingCheckpoint(*context_, call, again,
                                      v1::LaggingCheckpoint::TRIGGER_ON_DEMAND,
                                      "", &checkpoint, 1)
                  .ok());
  EXPECT_EQ(checkpoint.state(), v1::LaggingCheckpoint::STATE_SUCCEEDED);
  EXPECT_EQ(checkpoint.events_published(), 2);
  std::vector<events::v1::Event> after = LaggingEvents();
  ASSERT_EQ(after.size(), before + 1);
  EXPECT_EQ(after.back().organization_lagging().organization(), health_);
  // Done: asking again is ALREADY_EXISTS.
  EXPECT_TRUE(absl::IsAlreadyExists(CreateLaggingCheckpoint(
      *context_, call, again, v1::LaggingCheckpoint::TRIGGER_ON_DEMAND, "",
      &checkpoint, 1)));
}

TEST_F(LaggingTest, SchedulerCreatesEachCheckpointOnce) {
  CheckpointScheduler scheduler(*context_);
  // On 2023-10-05: the last quarter end is 2023-09-30 and mid-term was
  // 2023-04-01 (913 of the term's 1826 days); one checkpoint per rule per
  // root (the province and the other province).
  absl::StatusOr<int> created = scheduler.RunOnce(absl::CivilDay(2023, 10, 5));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(*created, 4);
  const size_t events = LaggingEvents().size();
  // The university, at both dates (its student was admitted on 2023-04-02).
  EXPECT_EQ(events, 2u);
  created = scheduler.RunOnce(absl::CivilDay(2023, 10, 5));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(*created, 0);
  EXPECT_EQ(LaggingEvents().size(), events);

  v1::GetLaggingCheckpointRequest get;
  get.set_name(
      absl::StrCat(province_, "/laggingCheckpoints/2023-09-30-2020-2025"));
  v1::LaggingCheckpoint quarter;
  grpc::Status s = reports_->GetLaggingCheckpoint(As(Reader(province_)).get(),
                                                  get, &quarter);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(quarter.trigger(), v1::LaggingCheckpoint::TRIGGER_SCHEDULED);
  EXPECT_EQ(quarter.schedule_rule(), "quarterly-term");
  EXPECT_EQ(quarter.label(), "Quý III/2023");
  EXPECT_EQ(quarter.create_stamp().actor(), "system:quotad");
  EXPECT_EQ(quarter.lagging_count(), 1);
  get.set_name(
      absl::StrCat(province_, "/laggingCheckpoints/2023-04-01-2020-2025"));
  v1::LaggingCheckpoint mid;
  s = reports_->GetLaggingCheckpoint(As(Reader(province_)).get(), get, &mid);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(mid.schedule_rule(), "mid-term");
  EXPECT_EQ(mid.label(), "Giữa nhiệm kỳ");

  // The next quarter end adds one per root; earlier quarters are not
  // backfilled.
  created = scheduler.RunOnce(absl::CivilDay(2024, 1, 2));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(*created, 2);
  v1::ListLaggingCheckpointsRequest list;
  list.set_parent(province_);
  v1::ListLaggingCheckpointsResponse listed;
  s = reports_->ListLaggingCheckpoints(As(Reader(province_)).get(), list,
                                       &listed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(listed.lagging_checkpoints_size(), 3);
  // Newest first.
  EXPECT_EQ(CivilDayOf(listed.lagging_checkpoints(0).as_of()),
            absl::CivilDay(2023, 12, 31));
  EXPECT_EQ(CivilDayOf(listed.lagging_checkpoints(2).as_of()),
            absl::CivilDay(2023, 4, 1));
  // Before the first term there is nothing to do.
  created = scheduler.RunOnce(absl::CivilDay(2019, 1, 1));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(*created, 0);
}

TEST(LaggingEventIdTest, IsANameBasedUuid) {
  const std::string id = LaggingEventId(
      "organizations/duk/laggingCheckpoints/x", "organizations/a");
  EXPECT_EQ(id, LaggingEventId("organizations/duk/laggingCheckpoints/x",
                               "organizations/a"));
  EXPECT_NE(id, LaggingEventId("organizations/duk/laggingCheckpoints/x",
                               "organizations/b"));
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(id[8], '-');
  EXPECT_EQ(id[14], '5');
}

}  // namespace
}  // namespace partydev::quota
