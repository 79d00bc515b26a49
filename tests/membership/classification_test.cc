// Tests of ClassificationService against a real membershipd and Redis:
// every rule broken once (domain.md "Yearly quality classification";
// classification.proto), the happy paths, authorisation by subtree,
// validate_only and idempotent retries.

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>

#include "absl/time/civil_time.h"
#include "tests/membership/membership_fixture.h"

namespace partydev::membership {
namespace {

class ClassificationTest : public MembershipFixture {
 protected:
  // A classification scored `politics`+`ethics`+`discipline`+`tasks`
  // (20/20/20/40 at most, rule set 2025-07-01).
  static v1::MemberClassification Scored(double total, bool all_tasks,
                                         v1::QualityLevel level) {
    v1::MemberClassification c;
    c.set_classified(true);
    c.set_all_tasks_completed(all_tasks);
    c.set_level(level);
    double left = total;
    for (const auto& [code, max] : {std::pair<const char*, double>{"tasks", 40},
                                    {"politics", 20},
                                    {"ethics", 20},
                                    {"discipline", 20}}) {
      v1::CriterionScore* s = c.add_criteria();
      s->set_criterion(code);
      s->set_score(left > max ? max : left);
      left -= s->score();
    }
    return c;
  }

  static void Decide(v1::MemberClassification& c, const std::string& org) {
    c.set_state(v1::CLASSIFICATION_STATE_DECIDED);
    c.mutable_decision()->set_number("12-KL/ĐU");
    *c.mutable_decision()->mutable_signed_on() = D(2025, 12, 20);
    c.mutable_decision()->set_deciding_organization(org);
  }

  grpc::Status Classify(const Caller& caller, const v1::Person& person,
                        const v1::MemberClassification& c,
                        v1::MemberClassification* out,
                        const std::string& request_id = "",
                        bool validate_only = false) {
    v1::CreateMemberClassificationRequest request;
    request.set_parent(person.name());
    request.set_classification_id("2025");
    *request.mutable_classification() = c;
    request.set_request_id(request_id);
    request.set_validate_only(validate_only);
    return classification_->CreateMemberClassification(As(caller).get(),
                                                       request, out);
  }

  grpc::Status Register(const Caller& caller, const v1::Person& person,
                        v1::ActionProgramme* out,
                        const std::string& year = "2026") {
    v1::CreateActionProgrammeRequest request;
    request.set_parent(person.name());
    request.set_action_programme_id(year);
    v1::ActionProgramme* p = request.mutable_action_programme();
    p->add_commitments()->set_title("Học tập và làm theo Bác");
    p->add_commitments()->set_title("Giới thiệu một quần chúng ưu tú");
    *p->mutable_registered_on() = D(std::stoi(year), 1, 15);
    return classification_->CreateActionProgramme(As(caller).get(), request,
                                                  out);
  }

  v1::EvaluateActionProgrammeRequest Evaluation(const std::string& name) {
    v1::EvaluateActionProgrammeRequest request;
    request.set_name(name);
    for (int i = 0; i < 2; ++i) {
      v1::CommitmentResult* r = request.add_results();
      r->set_index(i);
      r->set_result("Đã thực hiện");
      r->set_outcome(v1::COMMITMENT_OUTCOME_FULFILLED);
    }
    request.mutable_evaluation()->set_outcome(v1::COMMITMENT_OUTCOME_FULFILLED);
    request.mutable_evaluation()->set_comment("Hoàn thành tốt");
    *request.mutable_evaluation()->mutable_evaluated_on() = D(2026, 11, 20);
    return request;
  }

  // An official member of `cell` admitted (decision signed) on `signed_on`
  // (before 2025-11), entered into partydev with that admission.
  v1::Person MustAdmit(const std::string& cell, const std::string& full_name,
                       const std::string& citizen_id,
                       const common::v1::Date& signed_on) {
    v1::CreatePersonRequest request =
        CandidateRequest(cell, full_name, citizen_id);
    request.mutable_person()->clear_source();
    *request.mutable_person()->mutable_date_of_birth() = D(1995, 2, 3);
    v1::ExistingMembership* m = request.mutable_existing_membership();
    m->mutable_admission_decision()->set_number("45-QĐ/ĐU");
    *m->mutable_admission_decision()->mutable_signed_on() = signed_on;
    m->mutable_admission_decision()->set_deciding_organization(college_);
    // The ceremony 8 days after the decision; official a year after it.
    const absl::CivilDay ceremony =
        absl::CivilDay(signed_on.year(), signed_on.month(), signed_on.day()) +
        8;
    *m->mutable_ceremony_on() =
        D(static_cast<int>(ceremony.year()), ceremony.month(), ceremony.day());
    *m->mutable_official_on() = D(static_cast<int>(ceremony.year()) + 1,
                                  ceremony.month(), ceremony.day());
    v1::Person out;
    grpc::Status status =
        people_->CreatePerson(As(Admin()).get(), request, &out);
    EXPECT_TRUE(status.ok()) << full_name << ": " << status.error_message();
    return out;
  }

  // An organisation's classification of 2025 scored 77 (GOOD), with the
  // admission results criterion `target` and `admitted` (0: not given).
  static v1::OrganizationClassification OrganizationScored(int target,
                                                           int admitted) {
    v1::OrganizationClassification c;
    c.set_classified(true);
    for (const auto& [code, score] :
         {std::pair<const char*, double>{"leadership", 25},
          {"party_building", 15},
          {"organisation_cadres", 15},
          {"admission_results", 7},
          {"inspection", 15}}) {
      v1::CriterionScore* s = c.add_criteria();
      s->set_criterion(code);
      s->set_score(score);
    }
    c.mutable_admission_results()->set_target(target);
    c.mutable_admission_results()->set_admitted(admitted);
    return c;
  }

  grpc::Status ClassifyOrganization(const Caller& caller,
                                    const std::string& org,
                                    const v1::OrganizationClassification& c,
                                    v1::OrganizationClassification* out,
                                    bool validate_only = false) {
    v1::CreateOrganizationClassificationRequest request;
    request.set_parent(org);
    request.set_classification_id("2025");
    *request.mutable_classification() = c;
    request.set_validate_only(validate_only);
    return classification_->CreateOrganizationClassification(As(caller).get(),
                                                             request, out);
  }

  grpc::StatusCode GetOrganizationClassificationCode(const std::string& org) {
    v1::GetOrganizationClassificationRequest get;
    get.set_name(org + "/classifications/2025");
    v1::OrganizationClassification read;
    return classification_
        ->GetOrganizationClassification(As(Admin()).get(), get, &read)
        .error_code();
  }

  // The college's admissions: 3 in 2025 in its two cells, one of 2024, and
  // one of 2025 in another province (not its subtree).
  void AdmitAroundTheCollege() {
    MustAdmit(cell_a_, "Lý Văn Một", "079095300001", D(2025, 3, 2));
    MustAdmit(cell_a_, "Lý Văn Hai", "079095300002", D(2025, 10, 20));
    MustAdmit(cell_b_, "Lý Văn Ba", "079095300003", D(2025, 1, 6));
    MustAdmit(cell_b_, "Lý Văn Bốn", "079095300004", D(2024, 12, 30));
    MustAdmit(other_cell_, "Lý Văn Năm", "079095300005", D(2025, 6, 1));
  }
};

TEST_F(ClassificationTest, ClassifiesAMemberWithComputedLevel) {
  v1::Person p =
      MustCreateOfficialMember(cell_a_, "Nguyễn Văn An", "079085000001");
  v1::MemberClassification out;
  grpc::Status s =
      Classify(Secretary(cell_a_), p,
               Scored(80, true, v1::QUALITY_LEVEL_UNSPECIFIED), &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.name(), p.name() + "/classifications/2025");
  EXPECT_EQ(out.year(), 2025);
  EXPECT_DOUBLE_EQ(out.score(), 80);
  EXPECT_EQ(out.computed_level(), v1::QUALITY_LEVEL_GOOD);
  EXPECT_EQ(out.level(), v1::QUALITY_LEVEL_GOOD);
  EXPECT_EQ(out.state(), v1::CLASSIFICATION_STATE_DRAFT);
  EXPECT_EQ(out.organization(), cell_a_);
  EXPECT_FALSE(out.rule_set().empty());
  EXPECT_EQ(out.criteria(0).title(),
            "Kết quả thực hiện chức trách, nhiệm vụ được giao");

  v1::GetMemberClassificationRequest get;
  get.set_name(out.name());
  v1::MemberClassification read;
  s = classification_->GetMemberClassification(As(Reader(college_)).get(), get,
                                               &read);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(read.etag(), out.etag());

  v1::ListMemberClassificationsRequest list;
  list.set_parent("people/-");
  list.set_organization(college_);
  list.set_year(2025);
  v1::ListMemberClassificationsResponse listed;
  s = classification_->ListMemberClassifications(As(Reader(college_)).get(),
                                                 list, &listed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(listed.classifications_size(), 1);
  EXPECT_EQ(listed.total_size(), 1);
}

TEST_F(ClassificationTest, RefusesACandidate) {
  v1::Person c = MustCreateCandidate(cell_a_, "Trần Thị Bình", "079085000002");
  v1::MemberClassification out;
  grpc::Status s = Classify(Secretary(cell_a_), c,
                            Scored(80, true, v1::QUALITY_LEVEL_GOOD), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(s.error_message().find("không phải đảng viên"), std::string::npos)
      << s.error_message();
}

TEST_F(ClassificationTest, OneClassificationPerYear) {
  v1::Person p =
      MustCreateOfficialMember(cell_a_, "Lê Văn Cường", "079085000003");
  v1::MemberClassification out;
  ASSERT_TRUE(Classify(Secretary(cell_a_), p,
                       Scored(60, true, v1::QUALITY_LEVEL_COMPLETED), &out)
                  .ok());
  grpc::Status s =
      Classify(Secretary(cell_a_), p,
               Scored(60, true, v1::QUALITY_LEVEL_COMPLETED), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
}

TEST_F(ClassificationTest, LevelMustBeWithinScoreAndTriggers) {
  v1::Person p =
      MustCreateOfficialMember(cell_a_, "Phạm Thị Dung", "079085000004");
  v1::MemberClassification out;
  // 95 points without every task done is at most GOOD.
  grpc::Status s =
      Classify(Secretary(cell_a_), p,
               Scored(95, false, v1::QUALITY_LEVEL_EXCELLENT), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(s.error_message().find("level_within_score"), std::string::npos)
      << s.error_message();
  // A discipline in the year forces NOT_COMPLETED.
  v1::MemberClassification c = Scored(85, true, v1::QUALITY_LEVEL_GOOD);
  c.add_triggers(v1::NOT_COMPLETED_TRIGGER_DISCIPLINED_IN_YEAR);
  s = Classify(Secretary(cell_a_), p, c, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  // A score over a criterion's maximum names the field.
  c = Scored(50, true, v1::QUALITY_LEVEL_UNSPECIFIED);
  c.mutable_criteria(0)->set_score(45);
  s = Classify(Secretary(cell_a_), p, c, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // A lower level than the score allows is the cell's right.
  s = Classify(Secretary(cell_a_), p,
               Scored(85, true, v1::QUALITY_LEVEL_COMPLETED), &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.computed_level(), v1::QUALITY_LEVEL_GOOD);
  EXPECT_EQ(out.level(), v1::QUALITY_LEVEL_COMPLETED);
}

TEST_F(ClassificationTest, ExcellentCapRefusesTheDecisionThatBreaksIt) {
  // Rule set 2025-07-01: excellent <= 1/5 of those rated good (the base
  // without the excellent ones): 5 good allow 1 excellent, not 2.
  const char* const kNames[] = {"Mai Văn Một", "Mai Văn Hai", "Mai Văn Ba",
                                "Mai Văn Bốn", "Mai Văn Năm"};
  for (int i = 0; i < 5; ++i) {
    v1::Person p = MustCreateOfficialMember(i % 2 ? cell_a_ : cell_b_,
                                            std::string(kNames[i]),
                                            "07908510000" + std::to_string(i));
    v1::MemberClassification out;
    ASSERT_TRUE(Classify(Secretary(college_), p,
                         Scored(80, true, v1::QUALITY_LEVEL_GOOD), &out)
                    .ok());
  }
  v1::Person first =
      MustCreateOfficialMember(cell_a_, "Xuất Sắc Một", "079085200001");
  v1::Person second =
      MustCreateOfficialMember(cell_b_, "Xuất Sắc Hai", "079085200002");
  v1::MemberClassification c = Scored(95, true, v1::QUALITY_LEVEL_EXCELLENT);
  Decide(c, college_);
  v1::MemberClassification out;
  grpc::Status s = Classify(Board(college_), first, c, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  s = Classify(Board(college_), second, c, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(s.error_message().find("excellent_cap"), std::string::npos)
      << s.error_message();

  // A draft over the cap is a proposal: recorded, and the check shows it.
  c.set_state(v1::CLASSIFICATION_STATE_DRAFT);
  c.clear_decision();
  ASSERT_TRUE(Classify(Secretary(cell_b_), second, c, &out).ok());
  v1::CheckClassificationCapRequest check;
  check.set_organization(college_);
  check.set_year(2025);
  check.set_subject(v1::CLASSIFICATION_SUBJECT_MEMBERS);
  v1::ClassificationCapCheck cap;
  s = classification_->CheckClassificationCap(As(Reader(college_)).get(), check,
                                              &cap);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(cap.classified(), 7);
  EXPECT_EQ(cap.excellent(), 2);
  EXPECT_EQ(cap.excellent_decided(), 1);
  EXPECT_EQ(cap.cap_base(), 5);
  EXPECT_EQ(cap.max_excellent(), 1);
  EXPECT_FALSE(cap.within_cap());
  EXPECT_EQ(cap.excess(), 1);

  // Deciding the draft is refused too.
  v1::UpdateMemberClassificationRequest update;
  Decide(*update.mutable_classification(), college_);
  update.mutable_classification()->set_name(out.name());
  update.mutable_update_mask()->add_paths("state");
  update.mutable_update_mask()->add_paths("decision");
  s = classification_->UpdateMemberClassification(As(Board(college_)).get(),
                                                  update, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(ClassificationTest, NotClassifiedNeedsAReasonMatchingTheRecord) {
  v1::Person p =
      MustCreateOfficialMember(cell_a_, "Hoàng Văn Em", "079085000005");
  v1::MemberClassification c;
  c.set_classified(false);
  v1::MemberClassification out;
  grpc::Status s = Classify(Secretary(cell_a_), p, c, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // Admitted in 2015: not "admitted recently".
  c.set_not_classified_reason(v1::NOT_CLASSIFIED_REASON_ADMITTED_RECENTLY);
  s = Classify(Secretary(cell_a_), p, c, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  c.set_not_classified_reason(v1::NOT_CLASSIFIED_REASON_ON_LEAVE);
  s = Classify(Secretary(cell_a_), p, c, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_FALSE(out.classified());
}

TEST_F(ClassificationTest, OtherProvinceIsRefusedAndNothingIsWritten) {
  v1::Person p =
      MustCreateOfficialMember(cell_a_, "Đỗ Văn Giang", "079085000006");
  const int64_t events = EventCount();
  v1::MemberClassification out;
  grpc::Status s = Classify(Secretary(other_province_), p,
                            Scored(80, true, v1::QUALITY_LEVEL_GOOD), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::ActionProgramme programme;
  s = Register(Board(other_province_), p, &programme);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // A reader may not record.
  s = Classify(Reader(cell_a_), p, Scored(80, true, v1::QUALITY_LEVEL_GOOD),
               &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::GetMemberClassificationRequest get;
  get.set_name(p.name() + "/classifications/2025");
  s = classification_->GetMemberClassification(As(Admin()).get(), get, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(EventCount(), events);
}

TEST_F(ClassificationTest, ValidateOnlyWritesNothingAndRetryIsIdempotent) {
  v1::Person p = MustCreateOfficialMember(cell_a_, "Vũ Thị Hà", "079085000007");
  v1::MemberClassification out;
  grpc::Status s =
      Classify(Secretary(cell_a_), p, Scored(75, true, v1::QUALITY_LEVEL_GOOD),
               &out, "", /*validate_only=*/true);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.level(), v1::QUALITY_LEVEL_GOOD);
  v1::GetMemberClassificationRequest get;
  get.set_name(p.name() + "/classifications/2025");
  v1::MemberClassification read;
  EXPECT_EQ(
      classification_->GetMemberClassification(As(Admin()).get(), get, &read)
          .error_code(),
      grpc::StatusCode::NOT_FOUND);

  const std::string request_id = "6f1c1a52-3c1e-4d7a-9d41-0a5b7f0c2e11";
  v1::MemberClassification first, again;
  ASSERT_TRUE(Classify(Secretary(cell_a_), p,
                       Scored(75, true, v1::QUALITY_LEVEL_GOOD), &first,
                       request_id)
                  .ok());
  s = Classify(Secretary(cell_a_), p, Scored(75, true, v1::QUALITY_LEVEL_GOOD),
               &again, request_id);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(again.etag(), first.etag());
  EXPECT_EQ(again.update_stamp().time().seconds(),
            first.update_stamp().time().seconds());
}

TEST_F(ClassificationTest, UpdateChecksEtagAndNeedsReasonAfterDecision) {
  v1::Person p =
      MustCreateOfficialMember(cell_a_, "Bùi Văn Khoa", "079085000008");
  v1::MemberClassification out;
  ASSERT_TRUE(Classify(Secretary(cell_a_), p,
                       Scored(75, true, v1::QUALITY_LEVEL_GOOD), &out)
                  .ok());
  v1::UpdateMemberClassificationRequest update;
  Decide(*update.mutable_classification(), college_);
  update.mutable_classification()->set_name(out.name());
  update.mutable_classification()->set_etag("v99");
  update.mutable_update_mask()->add_paths("state");
  update.mutable_update_mask()->add_paths("decision");
  v1::MemberClassification updated;
  grpc::Status s = classification_->UpdateMemberClassification(
      As(Board(college_)).get(), update, &updated);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  update.mutable_classification()->set_etag(out.etag());
  s = classification_->UpdateMemberClassification(As(Board(college_)).get(),
                                                  update, &updated);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(updated.state(), v1::CLASSIFICATION_STATE_DECIDED);
  EXPECT_NE(updated.etag(), out.etag());
  // A correction after the decision needs its reason.
  update.clear_update_mask();
  update.mutable_update_mask()->add_paths("level");
  update.mutable_classification()->set_level(v1::QUALITY_LEVEL_COMPLETED);
  update.mutable_classification()->clear_etag();
  s = classification_->UpdateMemberClassification(As(Board(college_)).get(),
                                                  update, &updated);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  update.set_reason("Sửa theo kết luận kiểm tra");
  s = classification_->UpdateMemberClassification(As(Board(college_)).get(),
                                                  update, &updated);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(updated.level(), v1::QUALITY_LEVEL_COMPLETED);
}

TEST_F(ClassificationTest, ClassifiesAnOrganizationFromTheCommitteeAbove) {
  v1::CreateOrganizationClassificationRequest request;
  request.set_parent(cell_a_);
  request.set_classification_id("2025");
  request.mutable_classification()->set_classified(true);
  request.mutable_classification()->set_level(v1::QUALITY_LEVEL_COMPLETED);
  v1::OrganizationClassification out;
  // A cell does not classify itself.
  grpc::Status s = classification_->CreateOrganizationClassification(
      As(Board(cell_a_)).get(), request, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = classification_->CreateOrganizationClassification(
      As(Board(other_province_)).get(), request, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ClassificationTest, AdmissionResultsAreCountedFromTheRecords) {
  AdmitAroundTheCollege();
  // Letter 1849-CV/ĐUK: the bloc classifies the college with its admission
  // results; admitted comes from membership's records, not the client.
  v1::OrganizationClassification out;
  grpc::Status s = ClassifyOrganization(Board(bloc_), college_,
                                        OrganizationScored(4, 0), &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.admission_results().admitted(), 3);
  EXPECT_EQ(out.admission_results().target(), 4);
  EXPECT_DOUBLE_EQ(out.admission_results().percent(), 75);
  EXPECT_EQ(out.level(), v1::QUALITY_LEVEL_GOOD);
  // A cell's own count: its subtree only.
  s = ClassifyOrganization(Board(college_), cell_a_, OrganizationScored(1, 2),
                           &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.admission_results().admitted(), 2);
  EXPECT_DOUBLE_EQ(out.admission_results().percent(), 200);
}

TEST_F(ClassificationTest, AdmissionResultsCountWhereTheDecisionWasMade) {
  // Admitted in cell A in 2025, moved to cell B in 2026: cell A's
  // admission of 2025 (found on its former roll), not cell B's.
  v1::Person moved =
      MustAdmit(cell_a_, "Trịnh Văn Chuyển", "079095300011", D(2025, 2, 3));
  MustAdmit(cell_b_, "Trịnh Văn Ở", "079095300012", D(2025, 2, 4));
  v1::CreateTransferRequest create;
  create.set_parent(moved.name());
  create.mutable_transfer()->set_kind(v1::TRANSFER_KIND_OFFICIAL);
  create.mutable_transfer()->set_reason(v1::TRANSFER_REASON_JOB_CHANGE);
  create.mutable_transfer()->set_to_organization(cell_b_);
  *create.mutable_transfer()->mutable_moved_on() = D(2026, 9, 1);
  v1::Transfer transfer;
  grpc::Status s =
      people_->CreateTransfer(As(Secretary(cell_a_)).get(), create, &transfer);
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::IssueTransferLetterRequest issue;
  issue.set_name(transfer.name());
  issue.mutable_letter()->set_number("15-GGT/ĐU");
  *issue.mutable_letter()->mutable_signed_on() = D(2026, 9, 10);
  issue.mutable_letter()->set_deciding_organization(college_);
  s = people_->IssueTransferLetter(As(Secretary(cell_a_)).get(), issue,
                                   &transfer);
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::ReceiveTransferRequest receive;
  receive.set_name(transfer.name());
  *receive.mutable_received_on() = D(2026, 9, 20);
  s = people_->ReceiveTransfer(As(Secretary(cell_b_)).get(), receive,
                               &transfer);
  ASSERT_TRUE(s.ok()) << s.error_message();

  v1::OrganizationClassification out;
  s = ClassifyOrganization(Board(college_), cell_a_, OrganizationScored(1, 0),
                           &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.admission_results().admitted(), 1);
  s = ClassifyOrganization(Board(college_), cell_b_, OrganizationScored(1, 0),
                           &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.admission_results().admitted(), 1);
  // The college counts both, once each.
  s = ClassifyOrganization(Board(bloc_), college_, OrganizationScored(2, 0),
                           &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.admission_results().admitted(), 2);
}

TEST_F(ClassificationTest, AdmittedThatDiffersFromTheRecordsIsRefused) {
  AdmitAroundTheCollege();
  const int64_t events = EventCount();
  v1::OrganizationClassification out;
  grpc::Status s = ClassifyOrganization(Board(bloc_), college_,
                                        OrganizationScored(4, 5), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(RulesOf(s), std::set<std::string>{
                            "classification.admission_results_from_records"});
  // Both numbers named: the records' 3 and the client's 5.
  EXPECT_NE(s.error_message().find("ghi 3 "), std::string::npos)
      << s.error_message();
  EXPECT_NE(s.error_message().find("không phải 5 "), std::string::npos)
      << s.error_message();
  EXPECT_EQ(GetOrganizationClassificationCode(college_),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(EventCount(), events);
  // The same number as the records is accepted.
  s = ClassifyOrganization(Board(bloc_), college_, OrganizationScored(4, 3),
                           &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.admission_results().admitted(), 3);
}

TEST_F(ClassificationTest, AdmissionResultsNeedAPositiveTarget) {
  v1::OrganizationClassification out;
  for (int target : {0, -2}) {
    grpc::Status s = ClassifyOrganization(Board(bloc_), college_,
                                          OrganizationScored(target, 0), &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << target;
    EXPECT_EQ(FieldsOf(s),
              std::set<std::string>{"classification.admission_results.target"})
        << s.error_message();
  }
  EXPECT_EQ(GetOrganizationClassificationCode(college_),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(ClassificationTest, AdmissionResultsOfAnotherSubtreeAreRefused) {
  AdmitAroundTheCollege();
  const int64_t events = EventCount();
  v1::OrganizationClassification out;
  grpc::Status s = ClassifyOrganization(Board(other_province_), college_,
                                        OrganizationScored(4, 0), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(GetOrganizationClassificationCode(college_),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(EventCount(), events);
}

TEST_F(ClassificationTest, AdmissionResultsValidateOnlyWritesNothing) {
  AdmitAroundTheCollege();
  v1::OrganizationClassification out;
  grpc::Status s =
      ClassifyOrganization(Board(bloc_), college_, OrganizationScored(6, 0),
                           &out, /*validate_only=*/true);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.admission_results().admitted(), 3);
  EXPECT_DOUBLE_EQ(out.admission_results().percent(), 50);
  EXPECT_EQ(GetOrganizationClassificationCode(college_),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(ClassificationTest, UpdateRecountsAdmissionResults) {
  v1::OrganizationClassification created = OrganizationScored(4, 0);
  created.clear_admission_results();
  v1::OrganizationClassification out;
  ASSERT_TRUE(ClassifyOrganization(Board(bloc_), college_, created, &out).ok());
  EXPECT_FALSE(out.has_admission_results());
  AdmitAroundTheCollege();

  v1::UpdateOrganizationClassificationRequest update;
  update.mutable_classification()->set_name(out.name());
  update.mutable_update_mask()->add_paths("admission_results");
  // The target must be positive here too.
  update.mutable_classification()->mutable_admission_results()->set_target(0);
  v1::OrganizationClassification updated;
  grpc::Status s = classification_->UpdateOrganizationClassification(
      As(Board(bloc_)).get(), update, &updated);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldsOf(s),
            std::set<std::string>{"classification.admission_results.target"})
      << s.error_message();
  // A differing admitted is refused, the records' count is taken.
  update.mutable_classification()->mutable_admission_results()->set_target(2);
  update.mutable_classification()->mutable_admission_results()->set_admitted(1);
  s = classification_->UpdateOrganizationClassification(As(Board(bloc_)).get(),
                                                        update, &updated);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(RulesOf(s), std::set<std::string>{
                            "classification.admission_results_from_records"});
  update.mutable_classification()->mutable_admission_results()->set_admitted(0);
  s = classification_->UpdateOrganizationClassification(As(Board(bloc_)).get(),
                                                        update, &updated);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(updated.admission_results().admitted(), 3);
  EXPECT_DOUBLE_EQ(updated.admission_results().percent(), 150);
}

TEST_F(ClassificationTest, ActionProgrammeIsRegisteredThenEvaluatedOnce) {
  v1::Person p =
      MustCreateOfficialMember(cell_a_, "Ngô Thị Lan", "079085000009");
  // Evaluation before registration is refused.
  v1::ActionProgramme out;
  grpc::Status s = classification_->EvaluateActionProgramme(
      As(Secretary(cell_a_)).get(),
      Evaluation(p.name() + "/actionProgrammes/2026"), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << s.error_message();

  ASSERT_TRUE(Register(Secretary(cell_a_), p, &out).ok());
  EXPECT_EQ(out.state(), v1::ACTION_PROGRAMME_STATE_REGISTERED);
  EXPECT_EQ(out.year(), 2026);
  s = Register(Secretary(cell_a_), p, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);

  // One result per commitment.
  v1::EvaluateActionProgrammeRequest evaluate = Evaluation(out.name());
  evaluate.mutable_results()->RemoveLast();
  s = classification_->EvaluateActionProgramme(As(Secretary(cell_a_)).get(),
                                               evaluate, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  v1::ActionProgramme evaluated;
  s = classification_->EvaluateActionProgramme(
      As(Secretary(cell_a_)).get(), Evaluation(out.name()), &evaluated);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(evaluated.state(), v1::ACTION_PROGRAMME_STATE_EVALUATED);
  EXPECT_EQ(evaluated.commitments(1).outcome(),
            v1::COMMITMENT_OUTCOME_FULFILLED);
  // Evaluated is read-only.
  s = classification_->EvaluateActionProgramme(
      As(Secretary(cell_a_)).get(), Evaluation(out.name()), &evaluated);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  v1::UpdateActionProgrammeRequest update;
  update.mutable_action_programme()->set_name(out.name());
  update.mutable_action_programme()->add_commitments()->set_title("Khác");
  update.mutable_update_mask()->add_paths("commitments");
  s = classification_->UpdateActionProgramme(As(Secretary(cell_a_)).get(),
                                             update, &evaluated);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  v1::ListActionProgrammesRequest list;
  list.set_parent(p.name());
  v1::ListActionProgrammesResponse listed;
  s = classification_->ListActionProgrammes(As(Reader(cell_a_)).get(), list,
                                            &listed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(listed.action_programmes_size(), 1);
}

TEST_F(ClassificationTest, CandidateHasNoActionProgramme) {
  v1::Person c = MustCreateCandidate(cell_a_, "Đinh Văn Minh", "079085000010");
  v1::ActionProgramme out;
  grpc::Status s = Register(Secretary(cell_a_), c, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

}  // namespace
}  // namespace partydev::membership
