// Training classes, enrollments and candidate evaluations of
// AdmissionService (services/membership/admission_records.cc), against a
// real membershipd on a real Redis. Every rule enforced is broken once.

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/grpc_status.h"
#include "common/streams.h"
#include "partydev/events/v1/events.pb.h"
#include "tests/membership/membership_fixture.h"

namespace partydev::membership {
namespace {

std::set<std::string> Rules(const grpc::Status& status) {
  std::set<std::string> out;
  for (const auto& v : RuleViolationsOf(FromGrpcStatus(status))) {
    out.insert(v.rule);
  }
  return out;
}

class AdmissionRecordsTest : public MembershipFixture {
 protected:
  // Number of Redis keys matching `pattern` (after the service's prefix).
  int64_t Keys(const std::string& pattern) {
    auto reply = redis_client_->Command({"KEYS", absl::StrCat("*", pattern)});
    EXPECT_TRUE(reply.ok());
    return reply.ok() ? static_cast<int64_t>(reply->elements().size()) : -1;
  }
  // Entries of the own audit stream of organisation `org_id`.
  int64_t AuditEntries(const std::string& org_id) {
    auto keys = redis_client_->Command(
        {"KEYS", absl::StrCat("*audit:", org_id, ":own")});
    if (!keys.ok() || keys->elements().empty()) return 0;
    auto len = redis_client_->Command({"XLEN", keys->elements()[0].str()});
    return len.ok() ? len->integer() : -1;
  }

  // A class of the bloc for candidates, held 2–13 March 2026.
  v1::CreateTrainingClassRequest ClassRequest(const std::string& id,
                                              int capacity) {
    v1::CreateTrainingClassRequest r;
    r.set_training_class_id(id);
    v1::TrainingClass* c = r.mutable_training_class();
    c->set_title("Lớp bồi dưỡng nhận thức về Đảng khóa 1 năm 2026");
    c->set_kind(v1::TRAINING_CLASS_KIND_ADMISSION_CANDIDATES);
    c->set_organizer(bloc_);
    c->set_venue("Trung tâm Chính trị");
    *c->mutable_starts_on() = D(2026, 3, 2);
    *c->mutable_ends_on() = D(2026, 3, 13);
    c->set_capacity(capacity);
    return r;
  }
  v1::TrainingClass MustCreateClass(const std::string& id, int capacity) {
    v1::TrainingClass out;
    grpc::Status s = admission_->CreateTrainingClass(
        As(Board(bloc_)).get(), ClassRequest(id, capacity), &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  grpc::Status Enroll(const Caller& caller, const std::string& klass,
                      const std::string& person, const std::string& nominator,
                      v1::Enrollment* out, const std::string& request_id = "",
                      bool validate_only = false) {
    v1::CreateEnrollmentRequest r;
    r.set_parent(klass);
    r.mutable_enrollment()->set_person(person);
    r.mutable_enrollment()->set_nominating_organization(nominator);
    r.set_request_id(request_id);
    r.set_validate_only(validate_only);
    return admission_->CreateEnrollment(As(caller).get(), r, out);
  }
  grpc::Status Assess(const std::string& enrollment, bool passed,
                      v1::Enrollment* out) {
    v1::AssessEnrollmentRequest r;
    r.set_name(enrollment);
    *r.mutable_assessment()->mutable_assessed_on() = D(2026, 3, 13);
    r.mutable_assessment()->set_score(passed ? 8.5 : 3);
    r.mutable_assessment()->set_passed(passed);
    return admission_->AssessEnrollment(As(Board(bloc_)).get(), r, out);
  }
  grpc::Status Certify(const std::string& enrollment, const std::string& no,
                       v1::Enrollment* out) {
    v1::IssueCertificateRequest r;
    r.set_name(enrollment);
    r.mutable_certificate()->set_number(no);
    *r.mutable_certificate()->mutable_issued_on() = D(2026, 3, 20);
    return admission_->IssueCertificate(As(Board(bloc_)).get(), r, out);
  }
  v1::TrainingClass GetClass(const std::string& name) {
    v1::GetTrainingClassRequest r;
    r.set_name(name);
    v1::TrainingClass out;
    grpc::Status s = admission_->GetTrainingClass(As(Admin()).get(), r, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  grpc::Status Evaluate(const Caller& caller, const std::string& person,
                        v1::EvaluationCadence cadence, int year, int n,
                        v1::Evaluation* out, bool validate_only = false) {
    v1::CreateEvaluationRequest r;
    r.set_parent(person);
    v1::Evaluation* e = r.mutable_evaluation();
    e->mutable_period()->set_cadence(cadence);
    e->mutable_period()->set_year(year);
    if (cadence == v1::EVALUATION_CADENCE_MONTHLY) {
      e->mutable_period()->set_month(n);
    } else {
      e->mutable_period()->set_quarter(n);
    }
    e->set_rating(v1::EVALUATION_RATING_GOOD);
    e->set_comment("Tích cực học tập, tham gia phong trào của khoa.");
    e->set_evaluator_role(v1::EVALUATOR_ROLE_CELL);
    *e->mutable_evaluated_on() = D(2026, 11, 20);
    r.set_validate_only(validate_only);
    return admission_->CreateEvaluation(As(caller).get(), r, out);
  }
};

TEST_F(AdmissionRecordsTest, ClassEnrollmentAssessmentCertificate) {
  const int64_t bloc_audit = AuditEntries("duk");
  v1::TrainingClass c = MustCreateClass("k1-2026", 30);
  EXPECT_EQ(c.name(), "trainingClasses/k1-2026");
  EXPECT_EQ(c.state(), v1::TRAINING_CLASS_STATE_COMPLETED);
  EXPECT_EQ(AuditEntries("duk"), bloc_audit + 1);

  // A cell reader inside the organiser's subtree sees the class.
  v1::GetTrainingClassRequest get;
  get.set_name(c.name());
  v1::TrainingClass read;
  ASSERT_TRUE(
      admission_->GetTrainingClass(As(Reader(cell_a_)).get(), get, &read).ok());
  v1::ListTrainingClassesRequest list;
  v1::ListTrainingClassesResponse listed;
  ASSERT_TRUE(
      admission_->ListTrainingClasses(As(Reader(cell_a_)).get(), list, &listed)
          .ok());
  EXPECT_EQ(listed.training_classes_size(), 1);

  v1::Person an = MustCreateCandidate(cell_a_, "Nguyễn Thị An", "079200000001");
  const int64_t cell_audit = AuditEntries("cb-khoa-toan");
  v1::Enrollment e;
  grpc::Status s =
      Enroll(Secretary(college_), c.name(), an.name(), college_, &e);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(e.state(), v1::ENROLLMENT_STATE_NOMINATED);
  EXPECT_EQ(GetClass(c.name()).enrolled_count(), 1);

  ASSERT_TRUE(Assess(e.name(), true, &e).ok());
  EXPECT_EQ(e.state(), v1::ENROLLMENT_STATE_PASSED);
  // The nomination and the assessment are announced on the stream (quota's
  // pool counts the candidates in training from them).
  std::vector<std::string> states;
  auto entries =
      Streams(*redis_client_).Range("{pd:membership}:events", "-", "+", 100000);
  ASSERT_TRUE(entries.ok()) << entries.status();
  for (const StreamEntry& entry : *entries) {
    events::v1::Event event;
    ASSERT_TRUE(event.ParseFromString(entry.Field("e")));
    if (!event.has_training_enrollment_changed()) continue;
    EXPECT_EQ(event.type(), "partydev.events.v1.TrainingEnrollmentChanged");
    EXPECT_EQ(event.training_enrollment_changed().enrollment(), e.name());
    EXPECT_EQ(event.training_enrollment_changed().training_class(), c.name());
    EXPECT_EQ(event.training_enrollment_changed().person(), an.name());
    EXPECT_EQ(event.organization_path(event.organization_path_size() - 1),
              cell_a_);
    states.push_back(event.training_enrollment_changed().state());
  }
  EXPECT_EQ(states, (std::vector<std::string>{"enrolled", "passed"}));
  s = Certify(e.name(), "01/GCN-2026", &e);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(e.state(), v1::ENROLLMENT_STATE_CERTIFIED);
  EXPECT_EQ(e.certificate().number(), "01/GCN-2026");
  // 60 months from the day of issue (rule set 2025-07-01).
  EXPECT_EQ(e.certificate().valid_until().year(), 2031);
  EXPECT_EQ(e.certificate().valid_until().month(), 3);
  EXPECT_EQ(e.certificate().valid_until().day(), 20);

  // The person's enrollments across classes.
  v1::ListEnrollmentsRequest mine;
  mine.set_parent("trainingClasses/-");
  mine.set_filter(absl::StrCat("person = \"", an.name(), "\""));
  v1::ListEnrollmentsResponse found;
  ASSERT_TRUE(
      admission_->ListEnrollments(As(Reader(cell_a_)).get(), mine, &found)
          .ok());
  ASSERT_EQ(found.enrollments_size(), 1);
  EXPECT_EQ(found.enrollments(0).certificate().number(), "01/GCN-2026");
  // Nomination, assessment and certificate are audited in the cell.
  EXPECT_EQ(AuditEntries("cb-khoa-toan"), cell_audit + 3);
}

TEST_F(AdmissionRecordsTest, NewMemberCertificateGoesIntoTheProbationCase) {
  v1::CreateTrainingClassRequest request = ClassRequest("k-new-members", 20);
  request.mutable_training_class()->set_kind(
      v1::TRAINING_CLASS_KIND_NEW_MEMBERS);
  v1::TrainingClass c;
  grpc::Status s =
      admission_->CreateTrainingClass(As(Board(bloc_)).get(), request, &c);
  ASSERT_TRUE(s.ok()) << s.error_message();
  // A probationary member: admitted, ceremony held, not yet official.
  v1::CreatePersonRequest create =
      CandidateRequest(cell_a_, "Đinh Thị Mới", "079200000091");
  create.mutable_person()->clear_source();
  v1::ExistingMembership* m = create.mutable_existing_membership();
  m->mutable_admission_decision()->set_number("45-QĐ/ĐU");
  *m->mutable_admission_decision()->mutable_signed_on() = D(2026, 1, 10);
  *m->mutable_ceremony_on() = D(2026, 1, 20);
  v1::Person member;
  s = people_->CreatePerson(As(Admin()).get(), create, &member);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(member.stage(), common::v1::STAGE_PROBATION);

  v1::Enrollment e;
  s = Enroll(Secretary(college_), c.name(), member.name(), college_, &e);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_TRUE(Assess(e.name(), true, &e).ok());
  s = Certify(e.name(), "07/GCN-DVM", &e);
  ASSERT_TRUE(s.ok()) << s.error_message();

  v1::GetPersonRequest get;
  get.set_name(member.name());
  v1::Person read;
  ASSERT_TRUE(people_->GetPerson(As(Admin()).get(), get, &read).ok());
  EXPECT_EQ(read.admission().new_member_certificate().number(), "07/GCN-DVM");
  EXPECT_EQ(read.admission().new_member_certificate().enrollment(), e.name());
}

TEST_F(AdmissionRecordsTest, CapacityIsEnforced) {
  v1::TrainingClass c = MustCreateClass("k-small", 1);
  v1::Person a = MustCreateCandidate(cell_a_, "Trần Văn A", "079200000011");
  v1::Person b = MustCreateCandidate(cell_b_, "Lê Thị B", "079200000012");
  v1::Enrollment e;
  ASSERT_TRUE(
      Enroll(Secretary(college_), c.name(), a.name(), college_, &e).ok());
  grpc::Status s =
      Enroll(Secretary(college_), c.name(), b.name(), college_, &e);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(Rules(s).count("training.capacity")) << s.error_message();
  EXPECT_EQ(GetClass(c.name()).enrolled_count(), 1);

  // A withdrawal frees the place.
  v1::WithdrawEnrollmentRequest w;
  v1::ListEnrollmentsRequest list;
  list.set_parent(c.name());
  v1::ListEnrollmentsResponse listed;
  ASSERT_TRUE(
      admission_->ListEnrollments(As(Board(bloc_)).get(), list, &listed).ok());
  ASSERT_EQ(listed.enrollments_size(), 1);
  w.set_name(listed.enrollments(0).name());
  w.set_reason("Bận công tác");
  ASSERT_TRUE(
      admission_->WithdrawEnrollment(As(Secretary(cell_a_)).get(), w, &e).ok());
  EXPECT_EQ(e.state(), v1::ENROLLMENT_STATE_WITHDRAWN);
  s = Enroll(Secretary(college_), c.name(), b.name(), college_, &e);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

TEST_F(AdmissionRecordsTest, DuplicateEnrollmentIsRefused) {
  v1::TrainingClass c = MustCreateClass("k-dup", 10);
  v1::Person a = MustCreateCandidate(cell_a_, "Phạm Văn C", "079200000021");
  v1::Enrollment e;
  ASSERT_TRUE(Enroll(Secretary(cell_a_), c.name(), a.name(), cell_a_, &e).ok());
  grpc::Status s =
      Enroll(Secretary(college_), c.name(), a.name(), college_, &e);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(GetClass(c.name()).enrolled_count(), 1);
}

TEST_F(AdmissionRecordsTest, NomineeMustBeACandidateOfTheOrganizersSubtree) {
  v1::TrainingClass c = MustCreateClass("k-who", 10);
  v1::Person member =
      MustCreateOfficialMember(cell_a_, "Đảng Viên D", "079200000031");
  v1::Enrollment e;
  grpc::Status s =
      Enroll(Secretary(college_), c.name(), member.name(), college_, &e);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(Rules(s).count("training.person_stage")) << s.error_message();

  // A candidate of the other province, nominated by the admin, is outside
  // the organiser's subtree.
  v1::Person far =
      MustCreateCandidate(other_cell_, "Ngô Văn E", "079200000032");
  s = Enroll(Admin(), c.name(), far.name(), other_cell_, &e);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(Rules(s).count("training.participating")) << s.error_message();
  EXPECT_EQ(GetClass(c.name()).enrolled_count(), 0);
}

TEST_F(AdmissionRecordsTest, NominationDeadlineOfAPlannedClass) {
  v1::CreateTrainingClassRequest r = ClassRequest("k-future", 10);
  *r.mutable_training_class()->mutable_starts_on() = D(2027, 3, 1);
  *r.mutable_training_class()->mutable_ends_on() = D(2027, 3, 12);
  *r.mutable_training_class()->mutable_nomination_deadline() = D(2026, 1, 10);
  v1::TrainingClass c;
  ASSERT_TRUE(
      admission_->CreateTrainingClass(As(Board(bloc_)).get(), r, &c).ok());
  EXPECT_EQ(c.state(), v1::TRAINING_CLASS_STATE_PLANNED);
  v1::Person a = MustCreateCandidate(cell_a_, "Hồ Thị F", "079200000041");
  v1::Enrollment e;
  grpc::Status s = Enroll(Secretary(cell_a_), c.name(), a.name(), cell_a_, &e);
  EXPECT_TRUE(Rules(s).count("training.nomination_deadline"))
      << s.error_message();
}

TEST_F(AdmissionRecordsTest, CertificateOnlyForPassedAndNumberUnique) {
  v1::TrainingClass c = MustCreateClass("k-cert", 10);
  v1::Person a = MustCreateCandidate(cell_a_, "Vũ Văn G", "079200000051");
  v1::Person b = MustCreateCandidate(cell_b_, "Đỗ Thị H", "079200000052");
  v1::Enrollment ea, eb;
  ASSERT_TRUE(
      Enroll(Secretary(college_), c.name(), a.name(), college_, &ea).ok());
  ASSERT_TRUE(
      Enroll(Secretary(college_), c.name(), b.name(), college_, &eb).ok());
  ASSERT_TRUE(Assess(ea.name(), false, &ea).ok());
  EXPECT_EQ(ea.state(), v1::ENROLLMENT_STATE_NOT_PASSED);
  grpc::Status s = Certify(ea.name(), "05/GCN", &ea);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(Rules(s).count("training.certificate_requires_pass"))
      << s.error_message();

  ASSERT_TRUE(Assess(eb.name(), true, &eb).ok());
  ASSERT_TRUE(Certify(eb.name(), "06/GCN", &eb).ok());
  // Assessing twice is refused.
  s = Assess(eb.name(), true, &eb);
  EXPECT_TRUE(Rules(s).count("training.enrollment_state"));

  v1::Person d = MustCreateCandidate(cell_b_, "Mai Văn I", "079200000053");
  v1::Enrollment ed;
  ASSERT_TRUE(
      Enroll(Secretary(college_), c.name(), d.name(), college_, &ed).ok());
  ASSERT_TRUE(Assess(ed.name(), true, &ed).ok());
  s = Certify(ed.name(), "06/GCN", &ed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
}

TEST_F(AdmissionRecordsTest, CancelWithdrawsNomineesButNotAfterCertificates) {
  v1::TrainingClass c = MustCreateClass("k-cancel", 10);
  v1::Person a = MustCreateCandidate(cell_a_, "Lý Văn K", "079200000061");
  v1::Enrollment e;
  ASSERT_TRUE(
      Enroll(Secretary(college_), c.name(), a.name(), college_, &e).ok());

  v1::CancelTrainingClassRequest cancel;
  cancel.set_name(c.name());
  cancel.set_reason("Không đủ học viên");
  cancel.set_etag("v999");
  v1::TrainingClass out;
  EXPECT_EQ(
      admission_->CancelTrainingClass(As(Board(bloc_)).get(), cancel, &out)
          .error_code(),
      grpc::StatusCode::ABORTED);
  cancel.clear_etag();
  ASSERT_TRUE(
      admission_->CancelTrainingClass(As(Board(bloc_)).get(), cancel, &out)
          .ok());
  EXPECT_EQ(out.state(), v1::TRAINING_CLASS_STATE_CANCELLED);
  EXPECT_EQ(out.enrolled_count(), 0);
  v1::GetEnrollmentRequest ge;
  ge.set_name(e.name());
  ASSERT_TRUE(admission_->GetEnrollment(As(Admin()).get(), ge, &e).ok());
  EXPECT_EQ(e.state(), v1::ENROLLMENT_STATE_WITHDRAWN);

  v1::TrainingClass done = MustCreateClass("k-done", 10);
  ASSERT_TRUE(
      Enroll(Secretary(college_), done.name(), a.name(), college_, &e).ok());
  ASSERT_TRUE(Assess(e.name(), true, &e).ok());
  ASSERT_TRUE(Certify(e.name(), "07/GCN", &e).ok());
  cancel.set_name(done.name());
  grpc::Status s =
      admission_->CancelTrainingClass(As(Board(bloc_)).get(), cancel, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(Rules(s).count("training.cancel_after_certificates"));
  EXPECT_NE(GetClass(done.name()).state(), v1::TRAINING_CLASS_STATE_CANCELLED);
}

TEST_F(AdmissionRecordsTest,
       OtherProvinceAndReadersAreRefusedWithNothingWritten) {
  const int64_t records_before = Keys("r:trainingClasses*");
  const int64_t bloc_audit = AuditEntries("duk");
  v1::TrainingClass out;
  grpc::Status s = admission_->CreateTrainingClass(
      As(Board(other_province_)).get(), ClassRequest("k-x", 10), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = admission_->CreateTrainingClass(As(Reader(bloc_)).get(),
                                      ClassRequest("k-x", 10), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Keys("r:trainingClasses*"), records_before);
  EXPECT_EQ(AuditEntries("duk"), bloc_audit);

  v1::TrainingClass c = MustCreateClass("k-y", 10);
  v1::Person a = MustCreateCandidate(cell_a_, "Tạ Văn L", "079200000071");
  v1::Enrollment e;
  s = Enroll(Secretary(other_cell_), c.name(), a.name(), cell_a_, &e);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // A cell may not nominate the people of its sister cell.
  s = Enroll(Secretary(cell_b_), c.name(), a.name(), cell_a_, &e);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::GetTrainingClassRequest get;
  get.set_name(c.name());
  EXPECT_EQ(
      admission_->GetTrainingClass(As(Reader(other_cell_)).get(), get, &out)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(GetClass(c.name()).enrolled_count(), 0);
  EXPECT_EQ(Keys("r:trainingClasses/k-y/enrollments/*"), 0);

  v1::Evaluation ev;
  s = Evaluate(Secretary(other_cell_), a.name(), v1::EVALUATION_CADENCE_MONTHLY,
               2026, 10, &ev);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Keys("r:people/*/evaluations/*"), 0);
}

TEST_F(AdmissionRecordsTest, ValidateOnlyWritesNothing) {
  v1::CreateTrainingClassRequest r = ClassRequest("k-dry", 10);
  r.set_validate_only(true);
  v1::TrainingClass out;
  ASSERT_TRUE(
      admission_->CreateTrainingClass(As(Board(bloc_)).get(), r, &out).ok());
  EXPECT_EQ(out.name(), "trainingClasses/k-dry");
  v1::GetTrainingClassRequest get;
  get.set_name(out.name());
  EXPECT_EQ(
      admission_->GetTrainingClass(As(Admin()).get(), get, &out).error_code(),
      grpc::StatusCode::NOT_FOUND);

  v1::TrainingClass c = MustCreateClass("k-wet", 10);
  v1::Person a = MustCreateCandidate(cell_a_, "Đinh Văn M", "079200000081");
  v1::Enrollment e;
  ASSERT_TRUE(Enroll(Secretary(college_), c.name(), a.name(), college_, &e, "",
                     /*validate_only=*/true)
                  .ok());
  EXPECT_EQ(GetClass(c.name()).enrolled_count(), 0);
  EXPECT_EQ(Keys("r:trainingClasses/k-wet/*"), 0);

  v1::Evaluation ev;
  ASSERT_TRUE(Evaluate(Secretary(cell_a_), a.name(),
                       v1::EVALUATION_CADENCE_MONTHLY, 2026, 10, &ev,
                       /*validate_only=*/true)
                  .ok());
  EXPECT_EQ(Keys("r:people/*/evaluations*"), 0);
}

TEST_F(AdmissionRecordsTest, RetriedNominationIsAnsweredOnce) {
  v1::TrainingClass c = MustCreateClass("k-retry", 10);
  v1::Person a = MustCreateCandidate(cell_a_, "Cao Thị N", "079200000091");
  v1::Enrollment first, second;
  const std::string rid = "3f1c2a9e-6b7d-4e8f-9a0b-1c2d3e4f5a6b";
  ASSERT_TRUE(
      Enroll(Secretary(college_), c.name(), a.name(), college_, &first, rid)
          .ok());
  grpc::Status s =
      Enroll(Secretary(college_), c.name(), a.name(), college_, &second, rid);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(first.name(), second.name());
  EXPECT_EQ(GetClass(c.name()).enrolled_count(), 1);
}

TEST_F(AdmissionRecordsTest, EvaluationsOnePerPeriodForCandidatesOnly) {
  v1::Person a = MustCreateCandidate(cell_a_, "Bùi Văn O", "079200000101");
  v1::Evaluation e;
  grpc::Status s = Evaluate(Secretary(cell_a_), a.name(),
                            v1::EVALUATION_CADENCE_MONTHLY, 2026, 10, &e);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(e.period().month(), 10);
  v1::Evaluation dup;
  s = Evaluate(Secretary(cell_a_), a.name(), v1::EVALUATION_CADENCE_MONTHLY,
               2026, 10, &dup);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);

  // The cell evaluates monthly (the rule set's default).
  s = Evaluate(Secretary(cell_a_), a.name(), v1::EVALUATION_CADENCE_QUARTERLY,
               2026, 3, &dup);
  EXPECT_TRUE(Rules(s).count("evaluation.period_cadence")) << s.error_message();

  v1::Person member =
      MustCreateOfficialMember(cell_a_, "Đảng Viên P", "079200000102");
  s = Evaluate(Secretary(cell_a_), member.name(),
               v1::EVALUATION_CADENCE_MONTHLY, 2026, 10, &dup);
  EXPECT_TRUE(Rules(s).count("evaluation.candidate_only")) << s.error_message();

  // A mentor's evaluation needs an assigned mentor.
  v1::CreateEvaluationRequest r;
  r.set_parent(a.name());
  *r.mutable_evaluation() = e;
  r.mutable_evaluation()->clear_name();
  r.mutable_evaluation()->mutable_period()->set_month(9);
  r.mutable_evaluation()->set_evaluator_role(v1::EVALUATOR_ROLE_MENTOR);
  s = admission_->CreateEvaluation(As(Secretary(cell_a_)).get(), r, &dup);
  EXPECT_TRUE(Rules(s).count("evaluation.mentor_is_assigned"))
      << s.error_message();

  // Correction with the etag; a stale etag is ABORTED.
  v1::UpdateEvaluationRequest u;
  *u.mutable_evaluation() = e;
  u.mutable_evaluation()->set_rating(v1::EVALUATION_RATING_FAIR);
  u.mutable_update_mask()->add_paths("rating");
  u.set_reason("Ghi nhầm xếp loại");
  v1::Evaluation updated;
  ASSERT_TRUE(
      admission_->UpdateEvaluation(As(Secretary(cell_a_)).get(), u, &updated)
          .ok());
  EXPECT_EQ(updated.rating(), v1::EVALUATION_RATING_FAIR);
  EXPECT_EQ(
      admission_->UpdateEvaluation(As(Secretary(cell_a_)).get(), u, &updated)
          .error_code(),
      grpc::StatusCode::ABORTED);

  v1::ListEvaluationsRequest list;
  list.set_parent("people/-");
  list.set_organization(college_);
  list.set_filter("period.month = 10");
  v1::ListEvaluationsResponse listed;
  ASSERT_TRUE(
      admission_->ListEvaluations(As(Reader(college_)).get(), list, &listed)
          .ok());
  ASSERT_EQ(listed.evaluations_size(), 1);
  EXPECT_EQ(listed.evaluations(0).rating(), v1::EVALUATION_RATING_FAIR);
}

TEST_F(AdmissionRecordsTest, OverdueEvaluationsOfASubtree) {
  // Both sourced 2026-01-05; monthly cadence, 10 grace days.
  v1::Person kept = MustCreateCandidate(cell_a_, "Kiều Văn Q", "079200000111");
  v1::Person late = MustCreateCandidate(cell_b_, "Lâm Thị R", "079200000112");
  v1::Evaluation e;
  for (int month = 1; month <= 10; ++month) {
    ASSERT_TRUE(Evaluate(Secretary(cell_a_), kept.name(),
                         v1::EVALUATION_CADENCE_MONTHLY, 2026, month, &e)
                    .ok());
  }
  ASSERT_TRUE(Evaluate(Secretary(cell_b_), late.name(),
                       v1::EVALUATION_CADENCE_MONTHLY, 2026, 1, &e)
                  .ok());

  v1::ListOverdueEvaluationsRequest r;
  r.set_organization(college_);
  *r.mutable_as_of() = D(2026, 11, 24);
  v1::ListOverdueEvaluationsResponse out;
  grpc::Status s =
      admission_->ListOverdueEvaluations(As(Reader(college_)).get(), r, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(out.overdue_evaluations_size(), 1);
  const v1::OverdueEvaluation& o = out.overdue_evaluations(0);
  EXPECT_EQ(o.person(), late.name());
  EXPECT_EQ(o.missing_period().month(), 2);
  EXPECT_EQ(o.missing_periods(), 9);  // February .. October
  EXPECT_EQ(o.last_period().month(), 1);
  EXPECT_EQ(o.deadline().due_on().month(), 3);
  EXPECT_EQ(o.deadline().due_on().day(), 10);

  // On 2026-11-10 October is still within its grace days: no one is late
  // but the one stuck in January.
  *r.mutable_as_of() = D(2026, 11, 10);
  ASSERT_TRUE(
      admission_->ListOverdueEvaluations(As(Reader(college_)).get(), r, &out)
          .ok());
  EXPECT_EQ(out.overdue_evaluations_size(), 1);

  r.set_organization(college_);
  EXPECT_EQ(
      admission_
          ->ListOverdueEvaluations(As(Reader(other_province_)).get(), r, &out)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace partydev::membership
