#include "services/membership/domain/readmission.h"

#include <gtest/gtest.h>

#include "services/membership/domain/test_support.h"

namespace partydev::membership::domain {
namespace {

using testing::C;
using testing::D;
using testing::RuleIds;
using testing::Rules;

v1::AdmissionException Readmission(v1::PriorDepartureReason reason,
                                   const Date& left) {
  v1::AdmissionException e;
  e.set_kind(v1::ADMISSION_EXCEPTION_KIND_READMISSION);
  e.set_state(v1::ADMISSION_EXCEPTION_STATE_ACTIVE);
  e.mutable_approval()->set_number("88-CV/TU");
  *e.mutable_approval()->mutable_signed_on() = D(2025, 1, 1);
  e.mutable_approval()->set_deciding_organization("organizations/province");
  e.mutable_readmission()->set_departure_reason(reason);
  *e.mutable_readmission()->mutable_left_on() = left;
  return e;
}

const ReadmissionFacts kFirstTime = {0, "PROVINCE"};

// 36 months after leaving: left 2022-08-31, eligible from 2025-08-31.
TEST(ReadmissionTest, WaitingMonthsBoundary) {
  const v1::AdmissionException e =
      Readmission(v1::PRIOR_DEPARTURE_REASON_OTHER, D(2022, 8, 31));
  EXPECT_TRUE(
      CheckReadmission(&e, kFirstTime, C(2025, 8, 31), Rules()).empty());
  std::vector<RuleViolation> early =
      CheckReadmission(&e, kFirstTime, C(2025, 8, 30), Rules());
  EXPECT_EQ(RuleIds(early),
            std::vector<std::string>{"admission.readmission_wait_months"});
  EXPECT_NE(early[0].description.find("mới được 35 tháng"), std::string::npos);
}

// 60 months after a cleared minor criminal record.
TEST(ReadmissionTest, ClearedRecordWaitsLonger) {
  const v1::AdmissionException e = Readmission(
      v1::PRIOR_DEPARTURE_REASON_MINOR_CRIME_CLEARED, D(2020, 3, 1));
  EXPECT_EQ(RuleIds(CheckReadmission(&e, kFirstTime, C(2025, 2, 28), Rules())),
            std::vector<std::string>{
                "admission.readmission_wait_months_after_cleared_record"});
  EXPECT_TRUE(CheckReadmission(&e, kFirstTime, C(2025, 3, 1), Rules()).empty());
}

TEST(ReadmissionTest, BarredReasonsNeverReadmitted) {
  for (auto reason : {v1::PRIOR_DEPARTURE_REASON_ABANDONED_ACTIVITY,
                      v1::PRIOR_DEPARTURE_REASON_RESIGNED,
                      v1::PRIOR_DEPARTURE_REASON_SERIOUS_DISUNITY,
                      v1::PRIOR_DEPARTURE_REASON_CORRUPTION_OR_SERIOUS_CRIME}) {
    const v1::AdmissionException e = Readmission(reason, D(2010, 1, 1));
    EXPECT_EQ(RuleIds(CheckReadmission(&e, kFirstTime, C(2025, 8, 1), Rules())),
              std::vector<std::string>{"admission.readmission_barred_reasons"})
        << v1::PriorDepartureReason_Name(reason);
  }
}

TEST(ReadmissionTest, OnlyOnceAndWithTheProvincesConsent) {
  const v1::AdmissionException e =
      Readmission(v1::PRIOR_DEPARTURE_REASON_OTHER, D(2010, 1, 1));
  EXPECT_EQ(
      RuleIds(CheckReadmission(&e, {1, "COMMUNE"}, C(2025, 8, 1), Rules())),
      (std::vector<std::string>{"admission.readmission_max_times",
                                "admission.exception_approving_level"}));
}

TEST(ReadmissionTest, NeedsAnActiveException) {
  EXPECT_EQ(
      RuleIds(CheckReadmission(nullptr, kFirstTime, C(2025, 8, 1), Rules())),
      std::vector<std::string>{"readmission.exception"});
  v1::AdmissionException used =
      Readmission(v1::PRIOR_DEPARTURE_REASON_OTHER, D(2010, 1, 1));
  used.set_state(v1::ADMISSION_EXCEPTION_STATE_USED);
  EXPECT_EQ(
      RuleIds(CheckReadmission(&used, kFirstTime, C(2025, 8, 1), Rules())),
      std::vector<std::string>{"readmission.exception"});
  std::vector<v1::AdmissionException> all = {used};
  EXPECT_EQ(FindActiveException(all, v1::ADMISSION_EXCEPTION_KIND_READMISSION),
            nullptr);
  all.push_back(Readmission(v1::PRIOR_DEPARTURE_REASON_OTHER, D(2010, 1, 1)));
  EXPECT_EQ(FindActiveException(all, v1::ADMISSION_EXCEPTION_KIND_READMISSION),
            &all[1]);
}

TEST(AdmissionExceptionTest, ApprovedAtTheProvincialLevel) {
  const v1::AdmissionException e =
      Readmission(v1::PRIOR_DEPARTURE_REASON_OTHER, D(2010, 1, 1));
  EXPECT_TRUE(CheckAdmissionException(e, "PROVINCE", Rules())->empty());
  EXPECT_EQ(RuleIds(*CheckAdmissionException(e, "GRASSROOTS", Rules())),
            std::vector<std::string>{"admission.exception_approving_level"});
  v1::AdmissionException incomplete;
  incomplete.set_kind(v1::ADMISSION_EXCEPTION_KIND_READMISSION);
  absl::Status status =
      CheckAdmissionException(incomplete, "PROVINCE", Rules()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldViolationsOf(status).size(), 4u);
}

}  // namespace
}  // namespace partydev::membership::domain
