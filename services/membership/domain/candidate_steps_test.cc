#include "services/membership/domain/candidate_steps.h"

#include <gtest/gtest.h>

#include "services/membership/domain/test_support.h"

namespace partydev::membership::domain {
namespace {

using testing::Candidate;
using testing::D;
using testing::DescriptionOf;
using testing::Has;
using testing::RuleIds;
using testing::Rules;

MemberFacts GoodMentor() {
  return {"people/mentor", "Trần Văn Bình", true, "organizations/cell-1"};
}

v1::AssignMentorRequest MentorRequest() {
  v1::AssignMentorRequest request;
  request.set_name("people/candidate");
  request.set_mentor("people/mentor");
  *request.mutable_assigned_on() = D(2025, 8, 1);
  return request;
}

TEST(AssignMentorTest, AnOfficialMemberOfTheSameCell) {
  auto unmet = CheckAssignMentor(Candidate(D(2000, 1, 1)), MentorRequest(),
                                 GoodMentor(), Rules());
  ASSERT_TRUE(unmet.ok()) << unmet.status();
  EXPECT_TRUE(unmet->empty());
}

TEST(AssignMentorTest, ReportsEveryUnmetRuleAtOnce) {
  v1::AssignMentorRequest request = MentorRequest();
  request.set_mentor("people/candidate");
  MemberFacts self = {"people/candidate", "Nguyễn Thị Hoa", false,
                      "organizations/cell-2"};
  auto unmet =
      CheckAssignMentor(Candidate(D(2000, 1, 1)), request, self, Rules());
  ASSERT_TRUE(unmet.ok());
  EXPECT_EQ(RuleIds(*unmet), (std::vector<std::string>{"mentor.not_self",
                                                       "mentor.official_member",
                                                       "mentor.same_cell"}));
  EXPECT_NE(DescriptionOf(*unmet, "mentor.official_member")
                .find("Nguyễn Thị Hoa không phải đảng viên chính thức vào "
                      "ngày 01/08/2025"),
            std::string::npos);
}

TEST(AssignMentorTest, AProbationaryMemberIsRefused) {
  MemberFacts mentor = GoodMentor();
  mentor.official = false;
  auto unmet = CheckAssignMentor(Candidate(D(2000, 1, 1)), MentorRequest(),
                                 mentor, Rules());
  EXPECT_EQ(RuleIds(*unmet),
            std::vector<std::string>{"mentor.official_member"});
}

TEST(AssignMentorTest, MalformedRequestNamesTheFields) {
  v1::AssignMentorRequest request;
  absl::Status status = CheckAssignMentor(Candidate(D(2000, 1, 1)), request,
                                          GoodMentor(), Rules())
                            .status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldViolationsOf(status).size(), 2u);
}

CertificateFacts Certified(const Date& issued) {
  CertificateFacts facts;
  facts.certificate.set_number("123-GCN/TTCT");
  *facts.certificate.mutable_issued_on() = issued;
  facts.enrollment_certified = true;
  facts.admission_class = true;
  facts.same_person = true;
  return facts;
}

TEST(RecordTrainingTest, ValidCertificate) {
  auto unmet =
      CheckRecordTraining(Candidate(D(2000, 1, 1)), Certified(D(2025, 3, 1)),
                          D(2025, 8, 1), Rules());
  ASSERT_TRUE(unmet.ok());
  EXPECT_TRUE(unmet->empty());
}

// Valid 60 months (unconfirmed): issued 2020-01-15, valid through
// 2025-01-15.
TEST(RecordTrainingTest, ValidityBoundary) {
  const CertificateFacts cert = Certified(D(2020, 1, 15));
  EXPECT_TRUE(CheckRecordTraining(Candidate(D(2000, 1, 1)), cert,
                                  D(2025, 1, 15), Rules())
                  ->empty());
  auto unmet = CheckRecordTraining(Candidate(D(2000, 1, 1)), cert,
                                   D(2025, 1, 16), Rules());
  EXPECT_EQ(RuleIds(*unmet),
            std::vector<std::string>{"admission.certificate_validity_months"});
  EXPECT_NE(DescriptionOf(*unmet, "admission.certificate_validity_months")
                .find("đến hết ngày 15/01/2025"),
            std::string::npos);
  EXPECT_NE(DescriptionOf(*unmet, "admission.certificate_validity_months")
                .find("chưa xác nhận"),
            std::string::npos);
}

TEST(RecordTrainingTest, EnrollmentFlagsAndFutureDate) {
  CertificateFacts facts = Certified(D(2025, 9, 1));
  facts.enrollment_certified = false;
  facts.admission_class = false;
  facts.same_person = false;
  auto unmet = CheckRecordTraining(Candidate(D(2000, 1, 1)), facts,
                                   D(2025, 8, 1), Rules());
  EXPECT_EQ(RuleIds(*unmet),
            (std::vector<std::string>{"training.certificate_issued",
                                      "training.kind", "training.same_person",
                                      "training.certificate_issued"}));
}

TEST(RecordTrainingTest, ExternalCertificateSkipsEnrollmentFlags) {
  CertificateFacts facts;
  facts.external = true;
  facts.certificate.set_number("45-GCN");
  *facts.certificate.mutable_issued_on() = D(2024, 5, 1);
  EXPECT_TRUE(CheckRecordTraining(Candidate(D(2000, 1, 1)), facts,
                                  D(2025, 8, 1), Rules())
                  ->empty());
}

v1::Person WithCertificate(const Date& issued) {
  v1::Person person = Candidate(D(2000, 1, 1));
  *person.mutable_admission()
       ->mutable_training_certificate()
       ->mutable_issued_on() = issued;
  return person;
}

v1::RecordApplicationRequest Application(const Date& filed, const Date& form) {
  v1::RecordApplicationRequest request;
  *request.mutable_filed_on() = filed;
  *request.mutable_background_form_on() = form;
  return request;
}

TEST(RecordApplicationTest, CertificateValidOnTheFilingDay) {
  const v1::Person person = WithCertificate(D(2020, 2, 29));
  // 60 months from 2020-02-29: through 2025-02-28.
  EXPECT_TRUE(CheckRecordApplication(
                  person, Application(D(2025, 2, 28), D(2025, 2, 20)), Rules())
                  ->empty());
  auto unmet = CheckRecordApplication(
      person, Application(D(2025, 3, 1), D(2025, 2, 20)), Rules());
  EXPECT_EQ(RuleIds(*unmet),
            std::vector<std::string>{"admission.certificate_validity_months"});
}

TEST(RecordApplicationTest, FormAfterFilingAndNoCertificate) {
  auto unmet = CheckRecordApplication(Candidate(D(2000, 1, 1)),
                                      Application(D(2025, 3, 1), D(2025, 3, 2)),
                                      Rules());
  EXPECT_EQ(RuleIds(*unmet), (std::vector<std::string>{
                                 "application.form_not_after_filing",
                                 "admission.certificate_validity_months"}));
  EXPECT_EQ(CheckRecordApplication(Candidate(D(2000, 1, 1)),
                                   Application(D(2025, 2, 30), Date()), Rules())
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

BackgroundFacts Married() {
  BackgroundFacts facts;
  facts.grassroots_committee = "organizations/grassroots-1";
  facts.relatives = {v1::RELATIVE_KIND_SELF, v1::RELATIVE_KIND_PARENTS,
                     v1::RELATIVE_KIND_SPOUSE,
                     v1::RELATIVE_KIND_PARENTS_IN_LAW};
  return facts;
}

v1::RecordBackgroundVerificationRequest Verification(
    const std::string& org, std::vector<v1::RelativeKind> subjects) {
  v1::RecordBackgroundVerificationRequest request;
  v1::VerificationResult* v = request.mutable_verification();
  *v->mutable_concluded_on() = D(2025, 8, 1);
  v->set_verifying_organization(org);
  v->set_conclusion("Lý lịch rõ ràng");
  for (auto s : subjects) v->add_subjects(s);
  return request;
}

TEST(BackgroundTest, VerificationCoversEveryRelative) {
  auto ok = CheckRecordBackgroundVerification(
      Candidate(D(2000, 1, 1)),
      Verification(
          "organizations/grassroots-1",
          {v1::RELATIVE_KIND_SELF, v1::RELATIVE_KIND_PARENTS,
           v1::RELATIVE_KIND_SPOUSE, v1::RELATIVE_KIND_PARENTS_IN_LAW}),
      Married(), Rules());
  EXPECT_TRUE(ok->empty());
  auto unmet = CheckRecordBackgroundVerification(
      Candidate(D(2000, 1, 1)),
      Verification("organizations/other",
                   {v1::RELATIVE_KIND_SELF, v1::RELATIVE_KIND_PARENTS}),
      Married(), Rules());
  EXPECT_EQ(RuleIds(*unmet),
            (std::vector<std::string>{"background.verifying_committee",
                                      "background.subjects"}));
  EXPECT_NE(DescriptionOf(*unmet, "background.subjects").find("vợ (chồng)"),
            std::string::npos);
}

v1::RecordBackgroundVerificationRequest Exemption(v1::RelativeKind kind,
                                                  bool complete) {
  v1::RecordBackgroundVerificationRequest request;
  v1::VerificationExemption* e = request.mutable_exemption();
  *e->mutable_recorded_on() = D(2025, 8, 1);
  e->set_member_relative("people/father");
  e->set_relationship(kind);
  e->set_file_complete(complete);
  return request;
}

TEST(BackgroundTest, ExemptionNeedsACloseRelativeWhoIsAMember) {
  BackgroundFacts facts = Married();
  facts.relative_is_member = true;
  EXPECT_TRUE(CheckRecordBackgroundVerification(
                  Candidate(D(2000, 1, 1)),
                  Exemption(v1::RELATIVE_KIND_PARENTS, true), facts, Rules())
                  ->empty());
  auto unmet = CheckRecordBackgroundVerification(
      Candidate(D(2000, 1, 1)),
      Exemption(v1::RELATIVE_KIND_PARENTS_IN_LAW, false), facts, Rules());
  EXPECT_EQ(RuleIds(*unmet),
            (std::vector<std::string>{"background.exemption_relative",
                                      "background.exemption_file_complete"}));
  facts.relative_is_member = false;
  EXPECT_TRUE(
      Has(*CheckRecordBackgroundVerification(
              Candidate(D(2000, 1, 1)),
              Exemption(v1::RELATIVE_KIND_PARENTS, true), facts, Rules()),
          "background.exemption_relative"));
}

TEST(BackgroundTest, NeitherOutcomeIsInvalid) {
  EXPECT_EQ(CheckRecordBackgroundVerification(
                Candidate(D(2000, 1, 1)),
                v1::RecordBackgroundVerificationRequest(), Married(), Rules())
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace partydev::membership::domain
