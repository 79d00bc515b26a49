// Early warnings on a real membershipd and Redis (warnings.proto;
// directive 06-CT/TU): the engine staged directly (StageEarlyWarnings) and
// through the daily watch, the follow-up and resolve rules, the removal
// that closes a proposal, and who may read and act.

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/errors.h"
#include "common/grpc_status.h"
#include "services/membership/cell_life_records.h"
#include "services/membership/cell_life_watch.h"
#include "services/membership/services.h"
#include "tests/membership/membership_fixture.h"

namespace partydev::membership {
namespace {

class EarlyWarningsTest : public MembershipFixture {
 protected:
  void SetUp() override {
    MembershipFixture::SetUp();
    context_ = MakeContext();
    ASSERT_NE(context_, nullptr);
    call_.principal.subject = "svc:test";
    call_.principal.roles = {"system"};
    call_.deadline = absl::InfiniteFuture();
  }

  // Stages and commits what `months` of `cause` mean for `person`; returns
  // whether anything was written.
  bool Stage(const v1::Person& person, v1::WarningCause cause,
             std::vector<int> months) {
    CountedMonths counted;
    counted.cause = cause;
    counted.year = 2026;
    counted.months = std::move(months);
    counted.evidence.push_back(cause == v1::WARNING_CAUSE_DUES_UNPAID
                                   ? person.name() + "/duesStatements/2026"
                                   : cell_a_ + "/meetings/m1/attendances/" +
                                         person.name().substr(7));
    Change change;
    PersonChangeRecorder recorder(*context_, call_, "", "");
    absl::Status s = StageEarlyWarnings(*context_, recorder, change, person,
                                        counted, D(2026, 11, 24));
    EXPECT_TRUE(s.ok()) << s;
    if (change.empty()) return false;
    s = CommitChange(context_->redis(), context_->prefix(), change);
    EXPECT_TRUE(s.ok()) << s;
    return true;
  }

  grpc::Status Get(const Caller& caller, const std::string& name,
                   v1::EarlyWarning* out) {
    v1::GetEarlyWarningRequest request;
    request.set_name(name);
    return cell_life_->GetEarlyWarning(As(caller).get(), request, out);
  }

  v1::EarlyWarning MustGet(const std::string& name) {
    v1::EarlyWarning out;
    grpc::Status s = Get(Secretary(cell_a_), name, &out);
    EXPECT_TRUE(s.ok()) << name << ": " << s.error_message();
    return out;
  }

  // The MemberWarningRaised events on the stream.
  std::vector<events::v1::MemberWarningRaised> Raised() {
    std::vector<events::v1::MemberWarningRaised> out;
    absl::StatusOr<RedisReply> reply =
        redis_client_->Command({"XRANGE", "{pd:membership}:events", "-", "+"});
    if (!reply.ok()) return out;
    for (const auto& entry : reply->elements()) {
      const auto& fields = entry.elements()[1].elements();
      events::v1::Event e;
      if (fields.size() >= 2 && e.ParseFromString(fields[1].str()) &&
          e.has_member_warning_raised()) {
        out.push_back(e.member_warning_raised());
      }
    }
    return out;
  }

  grpc::Status FollowUp(const Caller& caller, const std::string& name,
                        const common::v1::Date& met_on,
                        const std::string& summary, v1::EarlyWarning* out,
                        const std::string& etag = "",
                        bool validate_only = false) {
    v1::RecordWarningFollowUpRequest request;
    request.set_name(name);
    *request.mutable_follow_up()->mutable_met_on() = met_on;
    request.mutable_follow_up()->set_summary(summary);
    request.set_etag(etag);
    request.set_validate_only(validate_only);
    return cell_life_->RecordWarningFollowUp(As(caller).get(), request, out);
  }

  grpc::Status Resolve(const Caller& caller, const std::string& name,
                       v1::WarningResolution resolution,
                       const std::string& reason, v1::EarlyWarning* out) {
    v1::ResolveEarlyWarningRequest request;
    request.set_name(name);
    request.set_resolution(resolution);
    request.set_reason(reason);
    return cell_life_->ResolveEarlyWarning(As(caller).get(), request, out);
  }

  std::shared_ptr<MembershipContext> context_;
  CallContext call_;
};

TEST_F(EarlyWarningsTest, ThresholdsAtTheirBoundaries) {
  v1::Person p =
      MustCreateOfficialMember(cell_a_, "Lê Văn Vắng", "079085100001");
  const std::string base = p.name() + "/earlyWarnings/2026-";

  EXPECT_TRUE(Stage(p, v1::WARNING_CAUSE_ABSENCE, {3}));
  v1::EarlyWarning reminder = MustGet(base + "absence-reminder");
  EXPECT_EQ(reminder.level(), v1::WARNING_LEVEL_REMINDER);
  EXPECT_EQ(reminder.state(), v1::WARNING_STATE_OPEN);
  EXPECT_EQ(reminder.organization(), cell_a_);
  EXPECT_FALSE(reminder.rule_set().empty());

  // Two months: the secretary meets the member; not yet a proposal.
  EXPECT_TRUE(Stage(p, v1::WARNING_CAUSE_ABSENCE, {3, 5}));
  EXPECT_EQ(MustGet(base + "absence-follow-up").level(),
            v1::WARNING_LEVEL_FOLLOW_UP);
  EXPECT_EQ(MustGet(base + "absence-reminder").state(),
            v1::WARNING_STATE_ESCALATED);
  v1::EarlyWarning none;
  EXPECT_EQ(
      Get(Secretary(cell_a_), base + "removal-proposal", &none).error_code(),
      grpc::StatusCode::NOT_FOUND);

  // Three months in the year: the removal proposal.
  EXPECT_TRUE(Stage(p, v1::WARNING_CAUSE_ABSENCE, {3, 5, 8}));
  v1::EarlyWarning proposal = MustGet(base + "removal-proposal");
  EXPECT_EQ(proposal.level(), v1::WARNING_LEVEL_REMOVAL_PROPOSAL);
  EXPECT_EQ(proposal.months_size(), 3);
  EXPECT_EQ(MustGet(base + "absence-follow-up").state(),
            v1::WARNING_STATE_ESCALATED);

  std::vector<events::v1::MemberWarningRaised> raised = Raised();
  ASSERT_EQ(raised.size(), 3u);
  EXPECT_EQ(raised[0].level(), 1);
  EXPECT_EQ(raised[1].level(), 2);
  EXPECT_EQ(raised[2].level(), 3);
  EXPECT_EQ(raised[2].ground(), "attendance");
  EXPECT_EQ(raised[2].year(), 2026);
  EXPECT_EQ(raised[2].months_size(), 3);
  EXPECT_EQ(raised[2].person(), p.name());
}

TEST_F(EarlyWarningsTest, RemovalProposalRaisedOnceNeverTwiceOnReplay) {
  v1::Person p = MustCreateOfficialMember(cell_a_, "Lê Văn Nợ", "079085100002");
  EXPECT_TRUE(Stage(p, v1::WARNING_CAUSE_DUES_UNPAID, {1, 2, 3}));
  const int64_t events = EventCount();
  ASSERT_EQ(Raised().size(), 1u);  // told once, of the proposal
  EXPECT_FALSE(Stage(p, v1::WARNING_CAUSE_DUES_UNPAID, {1, 2, 3}));
  EXPECT_FALSE(Stage(p, v1::WARNING_CAUSE_DUES_UNPAID, {3, 2, 1}));
  EXPECT_EQ(EventCount(), events);
  v1::EarlyWarning proposal =
      MustGet(p.name() + "/earlyWarnings/2026-removal-proposal");
  EXPECT_EQ(proposal.etag(), "v1");
  EXPECT_EQ(proposal.cause(), v1::WARNING_CAUSE_DUES_UNPAID);
}

TEST_F(EarlyWarningsTest, SecondCauseJoinsTheProposal) {
  v1::Person p =
      MustCreateOfficialMember(cell_a_, "Lê Thị Hai", "079085100003");
  EXPECT_TRUE(Stage(p, v1::WARNING_CAUSE_ABSENCE, {1, 2, 3}));
  EXPECT_TRUE(Stage(p, v1::WARNING_CAUSE_DUES_UNPAID, {4, 5, 6}));
  v1::EarlyWarning proposal =
      MustGet(p.name() + "/earlyWarnings/2026-removal-proposal");
  EXPECT_EQ(proposal.cause(), v1::WARNING_CAUSE_ABSENCE);
  ASSERT_EQ(proposal.additional_causes_size(), 1);
  EXPECT_EQ(proposal.additional_causes(0), v1::WARNING_CAUSE_DUES_UNPAID);
  EXPECT_EQ(proposal.months_size(), 6);
  EXPECT_EQ(proposal.evidence_size(), 2);
  // One proposal per member and year: the list holds one.
  v1::ListEarlyWarningsRequest request;
  request.set_parent(p.name());
  request.set_filter("level = REMOVAL_PROPOSAL");
  v1::ListEarlyWarningsResponse list;
  grpc::Status s = cell_life_->ListEarlyWarnings(As(Secretary(cell_a_)).get(),
                                                 request, &list);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(list.early_warnings_size(), 1);
  EXPECT_FALSE(Stage(p, v1::WARNING_CAUSE_DUES_UNPAID, {4, 5, 6}));
}

TEST_F(EarlyWarningsTest, CorrectionClosesAsRecordsCorrected) {
  v1::Person p =
      MustCreateOfficialMember(cell_a_, "Lê Văn Sửa", "079085100004");
  EXPECT_TRUE(Stage(p, v1::WARNING_CAUSE_ABSENCE, {1, 2, 3}));
  const int64_t events = Raised().size();
  // An absence corrected to excused: the proposal no longer holds.
  EXPECT_TRUE(Stage(p, v1::WARNING_CAUSE_ABSENCE, {1, 2}));
  v1::EarlyWarning proposal =
      MustGet(p.name() + "/earlyWarnings/2026-removal-proposal");
  EXPECT_EQ(proposal.state(), v1::WARNING_STATE_RESOLVED);
  EXPECT_EQ(proposal.resolution(), v1::WARNING_RESOLUTION_RECORDS_CORRECTED);
  EXPECT_EQ(MustGet(p.name() + "/earlyWarnings/2026-absence-follow-up").state(),
            v1::WARNING_STATE_OPEN);
  EXPECT_EQ(static_cast<int64_t>(Raised().size()), events);
}

TEST_F(EarlyWarningsTest, ExemptAndOffTheRollsNeverWarned) {
  v1::Person p =
      MustCreateOfficialMember(cell_a_, "Lê Văn Miễn", "079085100005");
  v1::Person exempt = p;
  exempt.set_status(v1::PERSON_STATUS_EXEMPT);
  EXPECT_FALSE(Stage(exempt, v1::WARNING_CAUSE_ABSENCE, {1, 2, 3}));
  v1::Person gone = p;  // transferred out of partydev's tree
  gone.set_status(v1::PERSON_STATUS_TRANSFERRED_OUT);
  EXPECT_FALSE(Stage(gone, v1::WARNING_CAUSE_DUES_UNPAID, {1, 2, 3}));
  v1::Person candidate =
      MustCreateCandidate(cell_a_, "Lê Thị Ứng", "079085100006");
  EXPECT_FALSE(Stage(candidate, v1::WARNING_CAUSE_ABSENCE, {1, 2, 3}));
  EXPECT_TRUE(Raised().empty());
}

TEST_F(EarlyWarningsTest, FollowUpRules) {
  v1::Person p =
      MustCreateOfficialMember(cell_a_, "Lê Văn Gặp", "079085100007");
  EXPECT_TRUE(Stage(p, v1::WARNING_CAUSE_ABSENCE, {2, 4}));
  const std::string name = p.name() + "/earlyWarnings/2026-absence-follow-up";
  v1::EarlyWarning out;
  grpc::Status s = FollowUp(Secretary(cell_a_), name, D(2026, 12, 1), "", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(FieldsOf(s).count("follow_up.met_on"));   // in the future
  EXPECT_TRUE(FieldsOf(s).count("follow_up.summary"));  // required
  // Only a recorder of the cell or above.
  EXPECT_EQ(FollowUp(Reader(cell_a_), name, D(2026, 11, 2), "Đã gặp", &out)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      FollowUp(Member(p.name(), cell_a_), name, D(2026, 11, 2), "Đã gặp", &out)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      FollowUp(Secretary(other_cell_), name, D(2026, 11, 2), "Đã gặp", &out)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  // validate_only writes nothing; a stale etag is refused.
  ASSERT_TRUE(FollowUp(Secretary(cell_a_), name, D(2026, 11, 2), "Đã gặp", &out,
                       "", true)
                  .ok());
  EXPECT_EQ(MustGet(name).state(), v1::WARNING_STATE_OPEN);
  EXPECT_EQ(
      FollowUp(Secretary(cell_a_), name, D(2026, 11, 2), "Đã gặp", &out, "v9")
          .error_code(),
      grpc::StatusCode::ABORTED);
  s = FollowUp(Secretary(cell_a_), name, D(2026, 11, 2),
               "Đồng chí hứa dự họp đầy đủ", &out, "v1");
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.state(), v1::WARNING_STATE_FOLLOWED_UP);
  ASSERT_EQ(out.follow_ups_size(), 1);
  EXPECT_EQ(out.follow_ups(0).stamp().actor(), "people/secretary");
  // A second meeting is recorded too (FOLLOWED_UP accepts more).
  ASSERT_TRUE(
      FollowUp(Board(college_), name, D(2026, 11, 20), "Gặp lần hai", &out)
          .ok());
  EXPECT_EQ(out.follow_ups_size(), 2);
  // The escalated reminder takes none.
  s = FollowUp(Secretary(cell_a_),
               p.name() + "/earlyWarnings/2026-absence-reminder",
               D(2026, 11, 2), "Đã gặp", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(RulesOf(s).count("early_warnings.follow_up_open"));
}

TEST_F(EarlyWarningsTest, ResolveRules) {
  v1::Person p =
      MustCreateOfficialMember(cell_a_, "Lê Văn Đóng", "079085100008");
  EXPECT_TRUE(Stage(p, v1::WARNING_CAUSE_DUES_UNPAID, {7}));
  const std::string name = p.name() + "/earlyWarnings/2026-dues-reminder";
  v1::EarlyWarning out;
  grpc::Status s = Resolve(Secretary(cell_a_), name,
                           v1::WARNING_RESOLUTION_MEMBER_REMOVED, "", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(FieldsOf(s).count("resolution"));
  EXPECT_TRUE(FieldsOf(s).count("reason"));
  s = Resolve(Secretary(cell_a_), name, v1::WARNING_RESOLUTION_UNSPECIFIED,
              "Đã nộp", &out);
  EXPECT_TRUE(FieldsOf(s).count("resolution"));
  EXPECT_EQ(Resolve(Member(p.name(), cell_a_), name,
                    v1::WARNING_RESOLUTION_MEMBER_RESUMED, "Đã nộp", &out)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  s = Resolve(Secretary(cell_a_), name, v1::WARNING_RESOLUTION_REMOVAL_DECLINED,
              "Không", &out);
  EXPECT_TRUE(RulesOf(s).count("early_warnings.resolve_open"));
  s = Resolve(Secretary(cell_a_), name, v1::WARNING_RESOLUTION_MEMBER_RESUMED,
              "Đã nộp đủ đảng phí tháng 7", &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.state(), v1::WARNING_STATE_RESOLVED);
  EXPECT_EQ(out.resolution_reason(), "Đã nộp đủ đảng phí tháng 7");
  s = Resolve(Secretary(cell_a_), name, v1::WARNING_RESOLUTION_MEMBER_RESUMED,
              "Lần nữa", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(RulesOf(s).count("early_warnings.resolve_open"));
}

TEST_F(EarlyWarningsTest, MemberReadsOnlyHerOwnWarnings) {
  v1::Person her =
      MustCreateOfficialMember(cell_a_, "Lê Thị Mình", "079085100009");
  v1::Person other =
      MustCreateOfficialMember(cell_a_, "Lê Văn Khác", "079085100010");
  EXPECT_TRUE(Stage(her, v1::WARNING_CAUSE_ABSENCE, {4}));
  EXPECT_TRUE(Stage(other, v1::WARNING_CAUSE_ABSENCE, {4}));
  const Caller me = Member(her.name(), cell_a_);
  v1::EarlyWarning out;
  grpc::Status s =
      Get(me, "people/me/earlyWarnings/2026-absence-reminder", &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.name(), her.name() + "/earlyWarnings/2026-absence-reminder");
  EXPECT_EQ(Get(me, other.name() + "/earlyWarnings/2026-absence-reminder", &out)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ListEarlyWarningsRequest mine;
  mine.set_parent("people/me");
  v1::ListEarlyWarningsResponse list;
  ASSERT_TRUE(cell_life_->ListEarlyWarnings(As(me).get(), mine, &list).ok());
  EXPECT_EQ(list.early_warnings_size(), 1);
  v1::ListEarlyWarningsRequest all;
  all.set_parent("people/-");
  EXPECT_EQ(
      cell_life_->ListEarlyWarnings(As(me).get(), all, &list).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  // Another province's committee sees none of it.
  EXPECT_EQ(Get(Secretary(other_cell_),
                her.name() + "/earlyWarnings/2026-absence-reminder", &out)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  all.set_organization(college_);
  EXPECT_EQ(
      cell_life_
          ->ListEarlyWarnings(As(Secretary(other_cell_)).get(), all, &list)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(EarlyWarningsTest, SubtreeListHighestLevelFirstAndFiltered) {
  v1::Person a =
      MustCreateOfficialMember(cell_a_, "Lê Văn Một", "079085100011");
  v1::Person b = MustCreateOfficialMember(cell_b_, "Lê Văn Ba", "079085100012");
  EXPECT_TRUE(Stage(a, v1::WARNING_CAUSE_ABSENCE, {1}));
  EXPECT_TRUE(Stage(b, v1::WARNING_CAUSE_DUES_UNPAID, {1, 2, 3}));
  v1::ListEarlyWarningsRequest request;
  request.set_parent("people/-");
  request.set_organization(college_);
  request.set_year(2026);
  v1::ListEarlyWarningsResponse list;
  grpc::Status s =
      cell_life_->ListEarlyWarnings(As(Board(college_)).get(), request, &list);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(list.total_size(), 4);
  EXPECT_EQ(list.early_warnings(0).level(), v1::WARNING_LEVEL_REMOVAL_PROPOSAL);
  EXPECT_EQ(list.early_warnings(3).level(), v1::WARNING_LEVEL_REMINDER);
  request.set_filter("state = OPEN AND level = REMINDER");
  ASSERT_TRUE(
      cell_life_->ListEarlyWarnings(As(Board(college_)).get(), request, &list)
          .ok());
  ASSERT_EQ(list.early_warnings_size(), 1);
  EXPECT_EQ(list.early_warnings(0).name(),
            a.name() + "/earlyWarnings/2026-absence-reminder");
  request.set_filter("colour = RED");
  EXPECT_EQ(
      cell_life_->ListEarlyWarnings(As(Board(college_)).get(), request, &list)
          .error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  // A cell secretary sees her cell only.
  request.clear_filter();
  request.set_organization(cell_b_);
  EXPECT_EQ(
      cell_life_
          ->ListEarlyWarnings(As(Secretary(cell_a_)).get(), request, &list)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(EarlyWarningsTest, RemovalCitingTheProposalClosesIt) {
  v1::Person p = MustCreateOfficialMember(cell_a_, "Lê Văn Bỏ", "079085100013");
  EXPECT_TRUE(Stage(p, v1::WARNING_CAUSE_ABSENCE, {1, 2, 3}));
  const std::string proposal =
      p.name() + "/earlyWarnings/2026-removal-proposal";
  v1::RemoveMemberRequest r;
  r.set_name(p.name());
  r.add_grounds(v1::REMOVAL_GROUND_ABANDONED_ACTIVITY);
  r.add_evidence(proposal);
  v1::Ballot* b = r.mutable_cell_ballot();
  *b->mutable_held_on() = D(2026, 10, 5);
  b->set_votes_for(5);
  b->set_votes_against(1);
  b->set_present(6);
  b->set_total(6);
  r.mutable_decision()->set_number("88-QĐ/ĐU");
  *r.mutable_decision()->mutable_signed_on() = D(2026, 10, 20);
  r.mutable_decision()->set_deciding_organization(college_);
  *r.mutable_effective_on() = D(2026, 10, 20);
  v1::Person removed;
  grpc::Status s =
      people_->RemoveMember(As(Secretary(cell_a_)).get(), r, &removed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::EarlyWarning closed = MustGet(proposal);
  EXPECT_EQ(closed.state(), v1::WARNING_STATE_RESOLVED);
  EXPECT_EQ(closed.resolution(), v1::WARNING_RESOLUTION_MEMBER_REMOVED);
  // Off the rolls: no warning again.
  EXPECT_FALSE(Stage(removed, v1::WARNING_CAUSE_ABSENCE, {1, 2, 3, 4}));
}

TEST_F(EarlyWarningsTest, RemovalCitingAMissingWarningIsRefused) {
  v1::Person p =
      MustCreateOfficialMember(cell_a_, "Lê Văn Thiếu", "079085100014");
  v1::RemoveMemberRequest r;
  r.set_name(p.name());
  // A ground that counts no months: the evidence alone is at fault.
  r.add_grounds(v1::REMOVAL_GROUND_CARD_RETURNED_OR_DESTROYED);
  r.add_evidence(p.name() + "/earlyWarnings/2026-removal-proposal");
  v1::Ballot* b = r.mutable_cell_ballot();
  *b->mutable_held_on() = D(2026, 10, 5);
  b->set_votes_for(6);
  b->set_present(6);
  b->set_total(6);
  r.mutable_decision()->set_number("89-QĐ/ĐU");
  *r.mutable_decision()->mutable_signed_on() = D(2026, 10, 20);
  r.mutable_decision()->set_deciding_organization(college_);
  *r.mutable_effective_on() = D(2026, 10, 20);
  v1::Person out;
  grpc::Status s = people_->RemoveMember(As(Secretary(cell_a_)).get(), r, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(FieldsOf(s).count("evidence"));
}

// removal.months_in_year (Party Charter, art. 8): the attendance and dues
// grounds stand only on the months the records count, i.e. a standing
// removal proposal of that cause the server raised from them.
TEST_F(EarlyWarningsTest, AttendanceAndDuesGroundsNeedTheMonthsOfTheRecords) {
  v1::Person p =
      MustCreateOfficialMember(cell_a_, "Lê Văn Vắng", "079085100015");
  auto removal = [&](v1::RemovalGround ground) {
    v1::RemoveMemberRequest r;
    r.set_name(p.name());
    r.add_grounds(ground);
    v1::Ballot* b = r.mutable_cell_ballot();
    *b->mutable_held_on() = D(2026, 10, 5);
    b->set_votes_for(6);
    b->set_present(6);
    b->set_total(6);
    r.mutable_decision()->set_number("90-QĐ/ĐU");
    *r.mutable_decision()->mutable_signed_on() = D(2026, 10, 20);
    r.mutable_decision()->set_deciding_organization(college_);
    *r.mutable_effective_on() = D(2026, 10, 20);
    r.set_validate_only(true);
    return r;
  };
  v1::Person out;
  // Two months of absence: a follow-up, not yet a removal proposal.
  EXPECT_TRUE(Stage(p, v1::WARNING_CAUSE_ABSENCE, {1, 2}));
  grpc::Status s = people_->RemoveMember(
      As(Secretary(cell_a_)).get(),
      removal(v1::REMOVAL_GROUND_ABANDONED_ACTIVITY), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(RulesOf(s), std::set<std::string>{"removal.months_in_year"});
  // The third month: the proposal stands, the attendance ground with it.
  EXPECT_TRUE(Stage(p, v1::WARNING_CAUSE_ABSENCE, {1, 2, 3}));
  s = people_->RemoveMember(As(Secretary(cell_a_)).get(),
                            removal(v1::REMOVAL_GROUND_ABANDONED_ACTIVITY),
                            &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  // The dues are paid: the dues ground does not stand on the absences.
  s = people_->RemoveMember(As(Secretary(cell_a_)).get(),
                            removal(v1::REMOVAL_GROUND_DUES_UNPAID), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(RulesOf(s), std::set<std::string>{"removal.months_in_year"});
  // Other grounds do not count months.
  s = people_->RemoveMember(
      As(Secretary(cell_a_)).get(),
      removal(v1::REMOVAL_GROUND_CARD_RETURNED_OR_DESTROYED), &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  // Records corrected: the proposal closes, and the ground with it.
  EXPECT_TRUE(Stage(p, v1::WARNING_CAUSE_ABSENCE, {1}));
  s = people_->RemoveMember(As(Secretary(cell_a_)).get(),
                            removal(v1::REMOVAL_GROUND_ABANDONED_ACTIVITY),
                            &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  // The removals were dry runs: still on the rolls.
  v1::GetPersonRequest get;
  get.set_name(p.name());
  ASSERT_TRUE(people_->GetPerson(As(Admin()).get(), get, &out).ok());
  EXPECT_EQ(out.stage(), common::v1::STAGE_OFFICIAL);
}

// The daily watch and the recorded attendance, through the other parts'
// RPCs (meetings, dues).
class EarlyWarningsFlowTest : public EarlyWarningsTest {
 protected:
  // A student member of cell_a_ since 2015 (dues by rule set category).
  v1::Person Student(const std::string& full_name,
                     const std::string& citizen_id) {
    v1::CreatePersonRequest request =
        CandidateRequest(cell_a_, full_name, citizen_id);
    request.mutable_person()->clear_source();
    request.mutable_person()->mutable_dues()->set_category(
        v1::DUES_CATEGORY_STUDENT);
    v1::ExistingMembership* m = request.mutable_existing_membership();
    m->mutable_admission_decision()->set_number("12-QĐ/ĐU");
    *m->mutable_admission_decision()->mutable_signed_on() = D(2015, 3, 2);
    m->mutable_admission_decision()->set_deciding_organization(college_);
    *m->mutable_ceremony_on() = D(2015, 3, 2);
    *m->mutable_official_on() = D(2016, 3, 2);
    v1::Person out;
    grpc::Status s = people_->CreatePerson(As(Admin()).get(), request, &out);
    EXPECT_TRUE(s.ok()) << full_name << ": " << s.error_message();
    return out;
  }

  // Pays every month of 2026 from January to `last` in full.
  void PayThrough(const v1::Person& p, int last) {
    v1::GetDuesStatementRequest get;
    get.set_name(p.name() + "/duesStatements/2026");
    v1::DuesStatement statement;
    grpc::Status s = cell_life_->GetDuesStatement(As(Secretary(cell_a_)).get(),
                                                  get, &statement);
    ASSERT_TRUE(s.ok()) << s.error_message();
    for (const auto& m : statement.months()) {
      if (m.month().month() > last) break;
      v1::CreateDuesPaymentRequest pay;
      pay.set_parent(p.name());
      pay.set_dues_payment_id(YearMonthId(2026, m.month().month()));
      pay.mutable_dues_payment()->set_amount_paid_vnd(m.due_vnd());
      *pay.mutable_dues_payment()->mutable_paid_on() = D(2026, 10, 5);
      v1::DuesPayment out;
      s = cell_life_->CreateDuesPayment(As(Secretary(cell_a_)).get(), pay,
                                        &out);
      ASSERT_TRUE(s.ok()) << m.month().month() << ": " << s.error_message();
    }
  }

  // The regular meeting of `month` held on the 10th, with `entries`.
  void HoldRegular(int month, const std::vector<v1::AttendanceEntry>& entries) {
    v1::CreateMeetingRequest create;
    create.set_parent(cell_a_);
    v1::Meeting* m = create.mutable_meeting();
    m->set_kind(v1::MEETING_KIND_REGULAR);
    m->mutable_period()->set_year(2026);
    m->mutable_period()->set_month(month);
    *m->mutable_starts_at() = At(2026, month, 10);
    m->set_place("Phòng họp Khoa Toán");
    m->add_agenda("Kiểm điểm công tác tháng");
    v1::Meeting meeting;
    grpc::Status s = cell_life_->CreateMeeting(As(Secretary(cell_a_)).get(),
                                               create, &meeting);
    ASSERT_TRUE(s.ok()) << s.error_message();
    v1::RecordMeetingHeldRequest hold;
    hold.set_name(meeting.name());
    *hold.mutable_outcome()->mutable_held_on() = D(2026, month, 10);
    hold.mutable_outcome()->mutable_minutes()->set_number("10-BB/CB");
    hold.mutable_outcome()->set_quality(v1::MEETING_QUALITY_GOOD);
    for (const auto& e : entries) *hold.add_attendances() = e;
    v1::Meeting held;
    s = cell_life_->RecordMeetingHeld(As(Secretary(cell_a_)).get(), hold,
                                      &held);
    ASSERT_TRUE(s.ok()) << month << ": " << s.error_message();
  }

  static v1::AttendanceEntry Entry(const v1::Person& p,
                                   v1::AttendanceStatus status,
                                   const std::string& reason = "") {
    v1::AttendanceEntry e;
    e.set_person(p.name());
    e.set_status(status);
    e.set_excuse_reason(reason);
    return e;
  }

  std::vector<std::string> WarningIds(const v1::Person& p) {
    absl::StatusOr<std::vector<Stored<v1::EarlyWarning>>> all =
        ReadWarningsOf(*context_, p.name(), 2026);
    EXPECT_TRUE(all.ok()) << all.status();
    std::vector<std::string> ids;
    if (!all.ok()) return ids;
    for (const auto& w : *all) {
      ids.push_back(w.message.name().substr(w.message.name().rfind('/') + 1));
    }
    return ids;
  }
};

TEST_F(EarlyWarningsFlowTest, SweepRaisesDuesWarningsAtTheBoundary) {
  v1::Person two = Student("Phạm Văn Hai", "079085100021");
  v1::Person three = Student("Phạm Văn Ba", "079085100022");
  v1::Person exempt = Student("Phạm Văn Miễn", "079085100025");
  PayThrough(two, 8);    // September, October unpaid (November not yet)
  PayThrough(three, 7);  // August, September, October unpaid
  // Exempt from work and meetings (Charter art. 7), nothing paid: never
  // warned.
  v1::ExemptMemberRequest exemption;
  exemption.set_name(exempt.name());
  exemption.set_ground(v1::EXEMPTION_GROUND_WEAK_HEALTH);
  exemption.set_scope(v1::EXEMPTION_SCOPE_WORK_AND_MEETINGS);
  exemption.mutable_decision()->set_number("3-NQ/CB");
  *exemption.mutable_decision()->mutable_signed_on() = D(2026, 1, 5);
  exemption.mutable_decision()->set_deciding_organization(cell_a_);
  *exemption.mutable_starts_on() = D(2026, 1, 5);
  v1::Person exempted;
  grpc::Status s =
      people_->ExemptMember(As(Secretary(cell_a_)).get(), exemption, &exempted);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(exempted.status(), v1::PERSON_STATUS_EXEMPT);
  CellLifeWatch watch(context_);
  absl::StatusOr<int> first = watch.SweepOnce(D(2026, 11, 24));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(WarningIds(two), (std::vector<std::string>{"2026-dues-follow-up",
                                                       "2026-dues-reminder"}));
  EXPECT_EQ(WarningIds(three), (std::vector<std::string>{
                                   "2026-dues-follow-up", "2026-dues-reminder",
                                   "2026-removal-proposal"}));
  EXPECT_TRUE(WarningIds(exempt).empty());
  v1::EarlyWarning proposal =
      MustGet(three.name() + "/earlyWarnings/2026-removal-proposal");
  EXPECT_EQ(proposal.cause(), v1::WARNING_CAUSE_DUES_UNPAID);
  ASSERT_EQ(proposal.evidence_size(), 1);
  EXPECT_EQ(proposal.evidence(0), three.name() + "/duesStatements/2026");
  int dues_events = 0;
  for (const auto& r : Raised()) dues_events += r.ground() == "dues" ? 1 : 0;
  EXPECT_EQ(dues_events, 2);  // one per member: the level that stands

  // Idempotent: a second pass writes nothing.
  const int64_t events = EventCount();
  absl::StatusOr<int> second = watch.SweepOnce(D(2026, 11, 24));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(*second, 0);
  EXPECT_EQ(EventCount(), events);
}

TEST_F(EarlyWarningsFlowTest, JanuaryClosesTheYearBefore) {
  v1::Person late = Student("Phạm Văn Muộn", "079085100026");
  PayThrough(late, 10);  // November and December of 2026 left unpaid
  CellLifeWatch watch(context_);
  ASSERT_TRUE(watch.SweepOnce(D(2026, 12, 20)).ok());
  // In December, November alone has ended unpaid.
  EXPECT_EQ(WarningIds(late), (std::vector<std::string>{"2026-dues-reminder"}));
  // December ends unpaid only when January comes: the sweep of January
  // counts it in 2026.
  ASSERT_TRUE(watch.SweepOnce(D(2027, 1, 5)).ok());
  EXPECT_EQ(WarningIds(late), (std::vector<std::string>{"2026-dues-follow-up",
                                                        "2026-dues-reminder"}));
}

TEST_F(EarlyWarningsFlowTest, ExcusedAbsencesDoNotCount) {
  v1::Person a = Student("Phạm Thị Có", "079085100023");
  v1::Person b = Student("Phạm Văn Vắng", "079085100024");
  HoldRegular(1, {Entry(a, v1::ATTENDANCE_STATUS_PRESENT),
                  Entry(b, v1::ATTENDANCE_STATUS_ABSENT)});
  HoldRegular(2, {Entry(a, v1::ATTENDANCE_STATUS_PRESENT),
                  Entry(b, v1::ATTENDANCE_STATUS_EXCUSED, "Ốm")});
  HoldRegular(3, {Entry(a, v1::ATTENDANCE_STATUS_PRESENT),
                  Entry(b, v1::ATTENDANCE_STATUS_EXCUSED, "Đi công tác")});
  HoldRegular(4, {Entry(a, v1::ATTENDANCE_STATUS_PRESENT),
                  Entry(b, v1::ATTENDANCE_STATUS_ABSENT)});
  // Four meetings missed, two excused: two months count.
  EXPECT_EQ(WarningIds(b), (std::vector<std::string>{"2026-absence-follow-up",
                                                     "2026-absence-reminder"}));
  EXPECT_TRUE(WarningIds(a).empty());
  HoldRegular(5, {Entry(a, v1::ATTENDANCE_STATUS_PRESENT),
                  Entry(b, v1::ATTENDANCE_STATUS_ABSENT)});
  v1::EarlyWarning proposal =
      MustGet(b.name() + "/earlyWarnings/2026-removal-proposal");
  EXPECT_EQ(proposal.cause(), v1::WARNING_CAUSE_ABSENCE);
  ASSERT_EQ(proposal.months_size(), 3);
  EXPECT_EQ(proposal.months(2).month(), 5);
  EXPECT_EQ(proposal.evidence_size(), 3);
}

TEST_F(EarlyWarningsTest, SweepIsIdempotent) {
  MustCreateOfficialMember(cell_a_, "Lê Văn Quét", "079085100015");
  CellLifeWatch watch(context_);
  absl::StatusOr<int> first = watch.SweepOnce(D(2026, 11, 24));
  ASSERT_TRUE(first.ok()) << first.status();
  const int64_t events = EventCount();
  absl::StatusOr<int> second = watch.SweepOnce(D(2026, 11, 24));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(*second, 0);
  EXPECT_EQ(EventCount(), events);
}

}  // namespace
}  // namespace partydev::membership
