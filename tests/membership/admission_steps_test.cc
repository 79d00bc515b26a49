// AdmissionService pipeline steps against a real membershipd and Redis: the
// happy path to OFFICIAL with its events, a refusal of every step naming
// its rule, authorisation by subtree, validate_only, idempotent retries and
// two officers recording the same admission at once.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "common/errors.h"
#include "common/grpc_status.h"
#include "common/record_store.h"
#include "partydev/events/v1/events.pb.h"
#include "services/membership/journal.h"
#include "services/membership/person_store.h"
#include "tests/membership/membership_fixture.h"

namespace partydev::membership {
namespace {

namespace cv1 = ::partydev::common::v1;

constexpr char kPrefix[] = "{pd:membership}:";

// The rule ids of a refusal.
std::vector<std::string> RulesOf(const grpc::Status& status) {
  std::vector<std::string> rules;
  for (const RuleViolation& v : RuleViolationsOf(FromGrpcStatus(status))) {
    rules.push_back(v.rule);
  }
  return rules;
}

bool Has(const std::vector<std::string>& rules, const std::string& rule) {
  return std::find(rules.begin(), rules.end(), rule) != rules.end();
}

// FAILED_PRECONDITION listing `rule` among its PreconditionFailure
// violations.
::testing::AssertionResult RefusedWith(const grpc::Status& status,
                                       const std::string& rule) {
  const std::vector<std::string> rules = RulesOf(status);
  if (status.error_code() == grpc::StatusCode::FAILED_PRECONDITION &&
      Has(rules, rule)) {
    return ::testing::AssertionSuccess();
  }
  ::testing::AssertionResult failure = ::testing::AssertionFailure();
  failure << "wanted " << rule << "; got code " << status.error_code() << " "
          << status.error_message() << " rules:";
  for (const auto& r : rules) failure << " " << r;
  return failure;
}

class AdmissionStepsTest : public MembershipFixture {
 protected:
  void SetUp() override {
    MembershipFixture::SetUp();
    mentor_ =
        MustCreateOfficialMember(cell_a_, "Trần Văn Bình", "079185000001");
    introducer_ =
        MustCreateOfficialMember(cell_a_, "Lê Thị Cúc", "079185000002");
    third_ = MustCreateOfficialMember(cell_a_, "Phạm Văn Dũng", "079185000003");
    outsider_ =
        MustCreateOfficialMember(cell_b_, "Hoàng Văn Em", "079185000004");
  }

  // A candidate of cell A sourced 2024-06-03 (so that the whole pipeline,
  // 12 months of probation included, fits before today), member of the
  // school's youth union since 2018.
  v1::Person Candidate(const std::string& name, const std::string& cid) {
    v1::CreatePersonRequest request = CandidateRequest(cell_a_, name, cid);
    *request.mutable_person()->mutable_source()->mutable_sourced_on() =
        D(2024, 6, 3);
    v1::UnionMembership* m = request.mutable_person()->add_union_memberships();
    m->set_organization(youth_union_);
    *m->mutable_joined_on() = D(2018, 3, 26);
    v1::Person out;
    grpc::Status status =
        people_->CreatePerson(As(Admin()).get(), request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  Caller Sec() { return Secretary(cell_a_); }

  // --- the requests of the happy path -----------------------------------

  v1::AssignMentorRequest Mentor(const std::string& name) {
    v1::AssignMentorRequest r;
    r.set_name(name);
    r.set_mentor(mentor_.name());
    *r.mutable_assigned_on() = D(2024, 6, 10);
    return r;
  }
  v1::RecordTrainingRequest Training(const std::string& name) {
    v1::RecordTrainingRequest r;
    r.set_name(name);
    auto* c = r.mutable_external_certificate();
    c->set_number("123/GCN-TTCT");
    *c->mutable_issued_on() = D(2024, 7, 1);
    c->set_issuer("Trung tâm Chính trị tỉnh Lâm Đồng");
    return r;
  }
  v1::RecordApplicationRequest Application(const std::string& name) {
    v1::RecordApplicationRequest r;
    r.set_name(name);
    *r.mutable_filed_on() = D(2024, 8, 1);
    *r.mutable_background_form_on() = D(2024, 7, 29);
    return r;
  }
  v1::RecordBackgroundVerificationRequest Background(const std::string& name) {
    v1::RecordBackgroundVerificationRequest r;
    r.set_name(name);
    auto* v = r.mutable_verification();
    *v->mutable_concluded_on() = D(2024, 8, 20);
    v->set_verifying_organization(college_);
    v->add_subjects(v1::RELATIVE_KIND_SELF);
    v->add_subjects(v1::RELATIVE_KIND_PARENTS);
    v->set_conclusion("Lý lịch rõ ràng");
    return r;
  }
  v1::RecordIntroductionsRequest Introductions(const std::string& name) {
    v1::RecordIntroductionsRequest r;
    r.set_name(name);
    v1::Introduction* youth = r.add_introductions();
    youth->set_route(v1::INTRODUCTION_ROUTE_YOUTH_UNION);
    youth->set_union_organization(youth_union_);
    youth->mutable_union_resolution()->set_number("05-NQ/ĐTN");
    *youth->mutable_union_resolution()->mutable_signed_on() = D(2024, 9, 2);
    youth->mutable_union_resolution()->set_deciding_organization(youth_union_);
    *youth->mutable_introduced_on() = D(2024, 9, 2);
    v1::Introduction* member = r.add_introductions();
    member->set_route(v1::INTRODUCTION_ROUTE_PARTY_MEMBER);
    member->set_introducer(introducer_.name());
    *member->mutable_shared_since() = D(2023, 1, 2);
    *member->mutable_introduced_on() = D(2024, 9, 2);
    return r;
  }
  static v1::Ballot Ballot(cv1::Date held_on, int votes_for, int total) {
    v1::Ballot b;
    *b.mutable_held_on() = held_on;
    b.set_votes_for(votes_for);
    b.set_votes_against(0);
    b.set_present(total);
    b.set_total(total);
    return b;
  }
  v1::RecordCellResolutionRequest CellResolution(const std::string& name) {
    v1::RecordCellResolutionRequest r;
    r.set_name(name);
    *r.mutable_ballot() = Ballot(D(2024, 9, 10), 3, 3);  // 3 official members
    return r;
  }
  v1::RecordCommitteeResolutionRequest CommitteeResolution(
      const std::string& name) {
    v1::RecordCommitteeResolutionRequest r;
    r.set_name(name);
    *r.mutable_ballot() = Ballot(D(2024, 9, 17), 6, 7);
    return r;
  }
  v1::RecordAdmissionDecisionRequest Decision(const std::string& name) {
    v1::RecordAdmissionDecisionRequest r;
    r.set_name(name);
    r.mutable_decision()->set_number("45-QĐ/ĐU");
    *r.mutable_decision()->mutable_signed_on() = D(2024, 10, 1);
    r.mutable_decision()->set_deciding_organization(bloc_);
    r.mutable_decision()->set_deciding_body("Ban Thường vụ");
    r.set_authority(v1::DECISION_AUTHORITY_SUPERIOR_STANDING_COMMITTEE);
    *r.mutable_received_on() = D(2024, 10, 3);
    return r;
  }
  v1::RecordCeremonyRequest Ceremony(const std::string& name) {
    v1::RecordCeremonyRequest r;
    r.set_name(name);
    *r.mutable_held_on() = D(2024, 10, 15);
    return r;
  }
  v1::RecordRecognitionVoteRequest RecognitionVote(const std::string& name) {
    v1::RecordRecognitionVoteRequest r;
    r.set_name(name);
    *r.mutable_ballot() = Ballot(D(2025, 10, 20), 3, 3);
    return r;
  }
  v1::RecogniseMemberRequest Recognise(const std::string& name) {
    v1::RecogniseMemberRequest r;
    r.set_name(name);
    r.mutable_decision()->set_number("88-QĐ/ĐU");
    *r.mutable_decision()->mutable_signed_on() = D(2025, 10, 27);
    r.mutable_decision()->set_deciding_organization(bloc_);
    return r;
  }

  // The new-member course certificate (lớp bồi dưỡng đảng viên mới) is
  // recorded by IssueCertificate of a NEW_MEMBERS class (admission_records);
  // the test stands in for it by writing it into the person.
  void GiveNewMemberCertificate(const std::string& name) {
    RecordStore records(*redis_client_, kPrefix);
    PersonStore people(records);
    absl::StatusOr<StoredPerson> before = people.Get(name);
    ASSERT_TRUE(before.ok()) << before.status();
    v1::Person after = before->message;
    auto* cert = after.mutable_admission()->mutable_new_member_certificate();
    cert->set_number("77/GCN-ĐVM");
    *cert->mutable_issued_on() = D(2025, 3, 14);
    after.clear_etag();
    Change change;
    people.StageWrite(change.write, &*before, after);
    ASSERT_TRUE(CommitChange(*redis_client_, kPrefix, change).ok());
  }

  // Runs the pipeline on `name` (created by Candidate, moved only by
  // Advance) until its stage is `target`.
  v1::Person Advance(const std::string& name, cv1::Stage target) {
    v1::Person p;
    cv1::Stage& current = stages_[name];
    if (current == cv1::STAGE_UNSPECIFIED) current = cv1::STAGE_SOURCED;
    auto step = [&](cv1::Stage reached, auto call) {
      if (current >= reached || current >= target) return;
      grpc::Status s = call();
      EXPECT_TRUE(s.ok()) << "towards " << cv1::Stage_Name(reached) << ": "
                          << s.error_message();
      if (s.ok()) current = p.stage();
    };
    step(cv1::STAGE_MENTOR_ASSIGNED, [&] {
      return admission_->AssignMentor(As(Sec()).get(), Mentor(name), &p);
    });
    step(cv1::STAGE_TRAINING_PASSED, [&] {
      return admission_->RecordTraining(As(Sec()).get(), Training(name), &p);
    });
    step(cv1::STAGE_APPLICATION_FILED, [&] {
      return admission_->RecordApplication(As(Sec()).get(), Application(name),
                                           &p);
    });
    step(cv1::STAGE_BACKGROUND_VERIFIED, [&] {
      return admission_->RecordBackgroundVerification(As(Sec()).get(),
                                                      Background(name), &p);
    });
    step(cv1::STAGE_INTRODUCED, [&] {
      return admission_->RecordIntroductions(As(Sec()).get(),
                                             Introductions(name), &p);
    });
    step(cv1::STAGE_CELL_RESOLVED, [&] {
      return admission_->RecordCellResolution(As(Sec()).get(),
                                              CellResolution(name), &p);
    });
    step(cv1::STAGE_COMMITTEE_RESOLVED, [&] {
      return admission_->RecordCommitteeResolution(
          As(Board(college_)).get(), CommitteeResolution(name), &p);
    });
    step(cv1::STAGE_ADMISSION_DECIDED, [&] {
      return admission_->RecordAdmissionDecision(As(Board(bloc_)).get(),
                                                 Decision(name), &p);
    });
    step(cv1::STAGE_PROBATION, [&] {
      return admission_->RecordCeremony(As(Sec()).get(), Ceremony(name), &p);
    });
    return p;
  }

  v1::Person mentor_, introducer_, third_, outsider_;
  std::map<std::string, cv1::Stage> stages_;
};

std::vector<std::string> EventTypes(RedisClient& redis) {
  std::vector<std::string> types;
  absl::StatusOr<RedisReply> reply =
      redis.Command({"XRANGE", std::string(kPrefix) + "events", "-", "+"});
  if (!reply.ok()) return types;
  for (const RedisReply& entry : reply->elements()) {
    const auto& fields = entry.elements()[1].elements();
    for (size_t i = 0; i + 1 < fields.size(); i += 2) {
      events::v1::Event event;
      if (fields[i].str() == "e" &&
          event.ParseFromString(fields[i + 1].str())) {
        types.push_back(event.type());
      }
    }
  }
  return types;
}

TEST_F(AdmissionStepsTest, HappyPathToOfficialWithEvents) {
  const v1::Person candidate = Candidate("Nguyễn Thị An", "079300000001");
  ASSERT_EQ(candidate.stage(), cv1::STAGE_SOURCED);
  const int64_t events_before = EventCount();

  v1::Person p = Advance(candidate.name(), cv1::STAGE_PROBATION);
  ASSERT_EQ(p.stage(), cv1::STAGE_PROBATION);
  EXPECT_EQ(p.admission().mentors(0).mentor(), mentor_.name());
  EXPECT_EQ(p.admission().training_certificate().valid_until().year(), 2029);
  EXPECT_EQ(p.admission().introductions_size(), 2);
  EXPECT_EQ(p.admission().introductions(1).shared_months(), 20);
  ASSERT_EQ(p.admission().cell_ballots_size(), 1);
  EXPECT_TRUE(p.admission().cell_ballots(0).passed());
  EXPECT_EQ(p.admission().admission_decision().number(), "45-QĐ/ĐU");
  // Charter art. 5.1: 12 months of probation from the ceremony.
  EXPECT_EQ(p.admission().probation_ends_on().year(), 2025);
  EXPECT_EQ(p.admission().probation_ends_on().month(), 10);
  EXPECT_EQ(p.admission().probation_ends_on().day(), 15);
  bool vote_due = false;
  for (const v1::Deadline& d : p.deadlines()) {
    EXPECT_NE(d.kind(), cv1::DEADLINE_KIND_CEREMONY_DUE);
    EXPECT_NE(d.kind(), cv1::DEADLINE_KIND_ADMISSION_DECISION_DUE);
    if (d.kind() == cv1::DEADLINE_KIND_RECOGNITION_VOTE_DUE) vote_due = true;
  }
  EXPECT_TRUE(vote_due);

  GiveNewMemberCertificate(candidate.name());
  ASSERT_TRUE(admission_
                  ->RecordRecognitionVote(As(Sec()).get(),
                                          RecognitionVote(candidate.name()), &p)
                  .ok());
  EXPECT_EQ(p.stage(), cv1::STAGE_PROBATION);
  EXPECT_TRUE(p.admission().recognition_ballots(0).passed());
  grpc::Status s = admission_->RecogniseMember(As(Board(bloc_)).get(),
                                               Recognise(candidate.name()), &p);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(p.stage(), cv1::STAGE_OFFICIAL);
  EXPECT_EQ(p.official_on().year(), 2025);
  EXPECT_EQ(p.official_on().month(), 10);
  EXPECT_EQ(p.official_on().day(), 15);
  EXPECT_TRUE(p.deadlines().empty());

  // 10 stage changes (the recognition vote keeps the stage), MemberAdmitted,
  // ProbationStarted, MemberRecognised.
  EXPECT_EQ(EventCount() - events_before, 13);
  // The events of this case only (registering people appends events too).
  std::vector<std::string> types = EventTypes(*redis_client_);
  ASSERT_GE(static_cast<int64_t>(types.size()), events_before);
  types.erase(types.begin(), types.begin() + events_before);
  EXPECT_EQ(std::count(types.begin(), types.end(),
                       "partydev.events.v1.PersonStageChanged"),
            10);
  EXPECT_TRUE(Has(types, "partydev.events.v1.MemberAdmitted"));
  EXPECT_TRUE(Has(types, "partydev.events.v1.ProbationStarted"));
  EXPECT_TRUE(Has(types, "partydev.events.v1.MemberRecognised"));
}

TEST_F(AdmissionStepsTest, EachStepRefusesNamingItsRule) {
  const v1::Person c = Candidate("Nguyễn Thị Bé", "079300000002");
  const std::string n = c.name();
  v1::Person out;

  // AssignMentor: the mentor must be of the candidate's cell.
  v1::AssignMentorRequest mentor = Mentor(n);
  mentor.set_mentor(outsider_.name());
  EXPECT_TRUE(
      RefusedWith(admission_->AssignMentor(As(Sec()).get(), mentor, &out),
                  "mentor.same_cell"));
  // RecordTraining before a mentor, with an expired certificate: both rules.
  v1::RecordTrainingRequest training = Training(n);
  *training.mutable_external_certificate()->mutable_issued_on() = D(2019, 1, 7);
  grpc::Status s = admission_->RecordTraining(As(Sec()).get(), training, &out);
  EXPECT_TRUE(RefusedWith(s, "pipeline.stage_allows_step"));
  EXPECT_TRUE(RefusedWith(s, "admission.certificate_validity_months"));

  Advance(n, cv1::STAGE_TRAINING_PASSED);
  v1::RecordApplicationRequest application = Application(n);
  *application.mutable_background_form_on() = D(2024, 8, 5);
  EXPECT_TRUE(RefusedWith(
      admission_->RecordApplication(As(Sec()).get(), application, &out),
      "application.form_not_after_filing"));

  Advance(n, cv1::STAGE_APPLICATION_FILED);
  v1::RecordBackgroundVerificationRequest background = Background(n);
  background.mutable_verification()->set_verifying_organization(cell_a_);
  EXPECT_TRUE(RefusedWith(admission_->RecordBackgroundVerification(
                              As(Sec()).get(), background, &out),
                          "background.verifying_committee"));

  Advance(n, cv1::STAGE_BACKGROUND_VERIFIED);
  // A candidate of youth-union age where a branch exists: the branch must
  // introduce (not two members).
  v1::RecordIntroductionsRequest intros = Introductions(n);
  v1::Introduction* first = intros.mutable_introductions(0);
  first->Clear();
  first->set_route(v1::INTRODUCTION_ROUTE_PARTY_MEMBER);
  first->set_introducer(third_.name());
  *first->mutable_shared_since() = D(2023, 1, 2);
  *first->mutable_introduced_on() = D(2024, 9, 2);
  EXPECT_TRUE(RefusedWith(
      admission_->RecordIntroductions(As(Sec()).get(), intros, &out),
      "introduction.youth_union_route"));

  Advance(n, cv1::STAGE_INTRODUCED);
  v1::RecordCellResolutionRequest cell = CellResolution(n);
  cell.mutable_ballot()->set_total(5);
  cell.mutable_ballot()->set_present(5);
  EXPECT_TRUE(
      RefusedWith(admission_->RecordCellResolution(As(Sec()).get(), cell, &out),
                  "ballot.total_matches_roll"));

  Advance(n, cv1::STAGE_CELL_RESOLVED);
  v1::RecordCommitteeResolutionRequest committee = CommitteeResolution(n);
  committee.mutable_ballot()->set_votes_for(8);
  EXPECT_TRUE(RefusedWith(admission_->RecordCommitteeResolution(
                              As(Board(college_)).get(), committee, &out),
                          "ballot.counts_consistent"));

  Advance(n, cv1::STAGE_COMMITTEE_RESOLVED);
  v1::RecordAdmissionDecisionRequest decision = Decision(n);
  decision.mutable_decision()->set_deciding_organization(province_);
  EXPECT_TRUE(RefusedWith(
      admission_->RecordAdmissionDecision(As(Admin()).get(), decision, &out),
      "decision.authority"));

  Advance(n, cv1::STAGE_ADMISSION_DECIDED);
  v1::RecordCeremonyRequest ceremony = Ceremony(n);
  *ceremony.mutable_held_on() = D(2024, 10, 2);
  EXPECT_TRUE(
      RefusedWith(admission_->RecordCeremony(As(Sec()).get(), ceremony, &out),
                  "ceremony.not_before_decision"));

  Advance(n, cv1::STAGE_PROBATION);
  v1::RecordRecognitionVoteRequest vote = RecognitionVote(n);
  *vote.mutable_ballot()->mutable_held_on() = D(2025, 6, 2);
  s = admission_->RecordRecognitionVote(As(Sec()).get(), vote, &out);
  EXPECT_TRUE(RefusedWith(s, "admission.probation_months"));
  EXPECT_TRUE(RefusedWith(s, "recognition.new_member_course"));
  // RecogniseMember before any passed vote.
  EXPECT_TRUE(RefusedWith(
      admission_->RecogniseMember(As(Board(bloc_)).get(), Recognise(n), &out),
      "recognition.vote_passed"));
  // Withdrawal is for candidates, not probationary members.
  v1::WithdrawCandidacyRequest withdraw;
  withdraw.set_name(n);
  withdraw.set_reason("Chuyển công tác");
  withdraw.set_withdrawn_by(v1::WITHDRAWN_BY_CANDIDATE);
  *withdraw.mutable_withdrawn_on() = D(2025, 1, 6);
  EXPECT_TRUE(RefusedWith(
      admission_->WithdrawCandidacy(As(Sec()).get(), withdraw, &out),
      "pipeline.stage_allows_step"));
  // The admission decision's deadline no longer runs in PROBATION.
  v1::ExtendDeadlineRequest extend;
  extend.set_name(n);
  extend.set_kind(cv1::DEADLINE_KIND_ADMISSION_DECISION_DUE);
  extend.mutable_approval()->set_number("12-CV/ĐU");
  *extend.mutable_approval()->mutable_signed_on() = D(2025, 1, 6);
  extend.mutable_approval()->set_deciding_organization(bloc_);
  extend.set_reason("Chờ thẩm tra bổ sung");
  EXPECT_TRUE(RefusedWith(
      admission_->ExtendDeadline(As(Board(bloc_)).get(), extend, &out),
      "extension.kind_extendable"));
  // Removal from probation decided by a body that may not admit.
  v1::RemoveFromProbationRequest remove;
  remove.set_name(n);
  remove.set_reason("Vi phạm tư cách đảng viên");
  remove.mutable_decision()->set_number("9-QĐ/CB");
  *remove.mutable_decision()->mutable_signed_on() = D(2025, 2, 3);
  remove.mutable_decision()->set_deciding_organization(cell_a_);
  *remove.mutable_effective_on() = D(2025, 2, 3);
  EXPECT_TRUE(RefusedWith(
      admission_->RemoveFromProbation(As(Board(bloc_)).get(), remove, &out),
      "probation.removal_authority"));
  // A restart is for closed cases only.
  v1::RestartCandidacyRequest restart;
  restart.set_name(n);
  restart.mutable_source()->set_kind(v1::SOURCE_KIND_CELL);
  *restart.mutable_source()->mutable_sourced_on() = D(2025, 2, 3);
  EXPECT_TRUE(
      RefusedWith(admission_->RestartCandidacy(As(Sec()).get(), restart, &out),
                  "pipeline.stage_allows_step"));
  // Rejection too.
  v1::RejectCandidacyRequest reject;
  reject.set_name(n);
  reject.set_reason("Không đủ tiêu chuẩn");
  *reject.mutable_rejected_on() = D(2025, 2, 3);
  EXPECT_TRUE(
      RefusedWith(admission_->RejectCandidacy(As(Sec()).get(), reject, &out),
                  "pipeline.stage_allows_step"));

  // And the happy ends of the same steps: removal by the competent body.
  remove.mutable_decision()->set_deciding_organization(bloc_);
  s = admission_->RemoveFromProbation(As(Board(bloc_)).get(), remove, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.stage(), cv1::STAGE_REMOVED_FROM_PROBATION);
}

TEST_F(AdmissionStepsTest, WithdrawRestartAndExtend) {
  const v1::Person c = Candidate("Nguyễn Thị Cam", "079300000003");
  v1::Person out = Advance(c.name(), cv1::STAGE_CELL_RESOLVED);
  // The decision deadline runs 60 working days from the cell's resolution;
  // extended by the rule set's maximum (30) with the superior's approval.
  v1::ExtendDeadlineRequest extend;
  extend.set_name(c.name());
  extend.set_kind(cv1::DEADLINE_KIND_ADMISSION_DECISION_DUE);
  extend.mutable_approval()->set_number("12-CV/ĐU");
  *extend.mutable_approval()->mutable_signed_on() = D(2024, 10, 7);
  extend.mutable_approval()->set_deciding_organization(bloc_);
  extend.set_reason("Chờ thẩm tra bổ sung");
  grpc::Status s =
      admission_->ExtendDeadline(As(Board(bloc_)).get(), extend, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(out.deadlines_size(), 1);
  EXPECT_EQ(out.deadlines(0).length(), 90);
  // No more: the maximum is used up.
  extend.set_working_days(5);
  EXPECT_TRUE(RefusedWith(
      admission_->ExtendDeadline(As(Board(bloc_)).get(), extend, &out),
      "admission.decision_extension_max_working_days"));

  v1::WithdrawCandidacyRequest withdraw;
  withdraw.set_name(c.name());
  withdraw.set_reason("Quần chúng xin rút");
  withdraw.set_withdrawn_by(v1::WITHDRAWN_BY_CANDIDATE);
  *withdraw.mutable_withdrawn_on() = D(2024, 10, 8);
  s = admission_->WithdrawCandidacy(As(Sec()).get(), withdraw, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.stage(), cv1::STAGE_WITHDRAWN);
  EXPECT_TRUE(out.deadlines().empty());

  v1::RestartCandidacyRequest restart;
  restart.set_name(c.name());
  restart.mutable_source()->set_kind(v1::SOURCE_KIND_CELL);
  restart.mutable_source()->set_organization(cell_a_);
  *restart.mutable_source()->mutable_sourced_on() = D(2025, 3, 3);
  s = admission_->RestartCandidacy(As(Sec()).get(), restart, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.stage(), cv1::STAGE_SOURCED);
  ASSERT_EQ(out.previous_admissions_size(), 1);
  EXPECT_EQ(out.previous_admissions(0).closure().stage(), cv1::STAGE_WITHDRAWN);
  EXPECT_FALSE(out.admission().readmission());
}

TEST_F(AdmissionStepsTest, RejectCandidacy) {
  const v1::Person c = Candidate("Nguyễn Thị Dung", "079300000004");
  v1::RejectCandidacyRequest reject;
  reject.set_name(c.name());
  reject.set_reason("Không đủ tiêu chuẩn");
  *reject.mutable_rejected_on() = D(2024, 7, 1);
  v1::Person out;
  grpc::Status s = admission_->RejectCandidacy(As(Sec()).get(), reject, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.stage(), cv1::STAGE_REJECTED);
  EXPECT_EQ(out.admission().closure().closed_at_stage(), cv1::STAGE_SOURCED);
  // Once rejected, no step but a restart.
  EXPECT_TRUE(RefusedWith(
      admission_->AssignMentor(As(Sec()).get(), Mentor(c.name()), &out),
      "pipeline.stage_allows_step"));
}

TEST_F(AdmissionStepsTest, CallerOfAnotherProvinceIsRefusedAndNothingWritten) {
  const v1::Person c = Candidate("Nguyễn Thị Em", "079300000005");
  const int64_t before = EventCount();
  v1::Person out;
  grpc::Status s = admission_->AssignMentor(As(Secretary(other_cell_)).get(),
                                            Mentor(c.name()), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
      << s.error_message();
  s = admission_->AssignMentor(As(Board(other_province_)).get(),
                               Mentor(c.name()), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // A reader of the right cell may not record steps.
  s = admission_->AssignMentor(As(Reader(cell_a_)).get(), Mentor(c.name()),
                               &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(EventCount(), before);
}

TEST_F(AdmissionStepsTest, ValidateOnlyWritesNothing) {
  const v1::Person c = Candidate("Nguyễn Thị Giang", "079300000006");
  const int64_t before = EventCount();
  v1::AssignMentorRequest request = Mentor(c.name());
  request.set_validate_only(true);
  v1::Person out;
  grpc::Status s = admission_->AssignMentor(As(Sec()).get(), request, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.stage(), cv1::STAGE_MENTOR_ASSIGNED);
  EXPECT_EQ(EventCount(), before);
  // The person is unchanged: the original etag still matches.
  request.set_validate_only(false);
  request.set_etag(c.etag());
  s = admission_->AssignMentor(As(Sec()).get(), request, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(EventCount(), before + 1);
  // Now the old etag is stale.
  request.set_mentor(third_.name());
  s = admission_->AssignMentor(As(Sec()).get(), request, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  // validate_only reports every unmet rule without writing.
  v1::RecordCellResolutionRequest cell = CellResolution(c.name());
  cell.set_validate_only(true);
  s = admission_->RecordCellResolution(As(Sec()).get(), cell, &out);
  EXPECT_TRUE(RefusedWith(s, "pipeline.stage_allows_step"));
  EXPECT_TRUE(RefusedWith(s, "admission.certificate_validity_months"));
  EXPECT_EQ(EventCount(), before + 1);
}

TEST_F(AdmissionStepsTest, IdempotentRetryAnswersTheSame) {
  const v1::Person c = Candidate("Nguyễn Thị Hoa", "079300000007");
  v1::AssignMentorRequest request = Mentor(c.name());
  request.set_request_id("5b1f3a4e-7c1d-4f0a-9e55-2a7d3c1b9e01");
  v1::Person first, second;
  ASSERT_TRUE(admission_->AssignMentor(As(Sec()).get(), request, &first).ok());
  const int64_t after_first = EventCount();
  grpc::Status s = admission_->AssignMentor(As(Sec()).get(), request, &second);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(EventCount(), after_first);
}

TEST_F(AdmissionStepsTest, ConcurrentAdmissionOnlyOneSucceeds) {
  const v1::Person c = Candidate("Nguyễn Thị Lan", "079300000008");
  Advance(c.name(), cv1::STAGE_COMMITTEE_RESOLVED);
  const int64_t before = EventCount();
  grpc::Status results[2];
  v1::Person outs[2];
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      v1::RecordAdmissionDecisionRequest r = Decision(c.name());
      r.set_request_id(i == 0 ? "req-officer-1" : "req-officer-2");
      results[i] = admission_->RecordAdmissionDecision(As(Board(bloc_)).get(),
                                                       r, &outs[i]);
    });
  }
  for (auto& t : threads) t.join();
  const int ok = results[0].ok() + results[1].ok();
  EXPECT_EQ(ok, 1) << results[0].error_message() << " / "
                   << results[1].error_message();
  for (const grpc::Status& r : results) {
    if (r.ok()) continue;
    // The loser either lost the commit race (ABORTED) or read the case
    // already decided (the stage no longer allows the step).
    EXPECT_TRUE(r.error_code() == grpc::StatusCode::ABORTED ||
                r.error_code() == grpc::StatusCode::FAILED_PRECONDITION)
        << r.error_message();
  }
  // One PersonStageChanged and one MemberAdmitted: counted once.
  EXPECT_EQ(EventCount() - before, 2);
}

TEST_F(AdmissionStepsTest, AdmissionExceptions) {
  const v1::Person c = Candidate("Nguyễn Thị Mai", "079300000009");
  v1::CreateAdmissionExceptionRequest request;
  request.set_parent(c.name());
  request.set_admission_exception_id("tren-tuoi");
  v1::AdmissionException* e = request.mutable_admission_exception();
  e->set_kind(v1::ADMISSION_EXCEPTION_KIND_OVER_AGE_LIMIT);
  e->mutable_approval()->set_number("301-CV/TU");
  *e->mutable_approval()->mutable_signed_on() = D(2024, 6, 20);
  // Approval by the grassroots committee: not the provincial level.
  e->mutable_approval()->set_deciding_organization(college_);
  v1::AdmissionException out;
  EXPECT_TRUE(RefusedWith(admission_->CreateAdmissionException(
                              As(Board(bloc_)).get(), request, &out),
                          "admission.exception_approving_level"));
  e->mutable_approval()->set_deciding_organization(province_);
  grpc::Status s = admission_->CreateAdmissionException(
      As(Board(province_)).get(), request, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.name(), c.name() + "/admissionExceptions/tren-tuoi");
  EXPECT_EQ(out.state(), v1::ADMISSION_EXCEPTION_STATE_ACTIVE);

  v1::GetAdmissionExceptionRequest get;
  get.set_name(out.name());
  v1::AdmissionException got;
  s = admission_->GetAdmissionException(As(Reader(cell_a_)).get(), get, &got);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(got.kind(), v1::ADMISSION_EXCEPTION_KIND_OVER_AGE_LIMIT);
  s = admission_->GetAdmissionException(As(Reader(other_cell_)).get(), get,
                                        &got);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);

  v1::ListAdmissionExceptionsRequest list;
  list.set_parent(c.name());
  v1::ListAdmissionExceptionsResponse listed;
  s = admission_->ListAdmissionExceptions(As(Sec()).get(), list, &listed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(listed.admission_exceptions_size(), 1);
  EXPECT_EQ(listed.admission_exceptions(0).name(), out.name());
}

}  // namespace
}  // namespace partydev::membership
