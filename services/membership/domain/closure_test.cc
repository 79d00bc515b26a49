#include "services/membership/domain/closure.h"

#include <gtest/gtest.h>

#include "common/errors.h"
#include "services/membership/domain/test_support.h"

namespace partydev::membership::domain {
namespace {

namespace cv1 = ::partydev::common::v1;
using testing::D;

TEST(ClosureTest, WithdrawalNeedsAReason) {
  v1::WithdrawCandidacyRequest request;
  request.set_reason("   ");
  absl::Status status = ValidateWithdrawal(request);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldViolationsOf(status).size(), 3u);
  request.set_reason("Quần chúng chuyển công tác");
  request.set_withdrawn_by(v1::WITHDRAWN_BY_CANDIDATE);
  *request.mutable_withdrawn_on() = D(2025, 8, 1);
  EXPECT_TRUE(ValidateWithdrawal(request).ok());
  const v1::CaseClosure closure =
      WithdrawalClosure(request, cv1::STAGE_APPLICATION_FILED);
  EXPECT_EQ(closure.stage(), cv1::STAGE_WITHDRAWN);
  EXPECT_EQ(closure.closed_at_stage(), cv1::STAGE_APPLICATION_FILED);
  EXPECT_EQ(closure.reason(), "Quần chúng chuyển công tác");
  EXPECT_EQ(closure.withdrawn_by(), v1::WITHDRAWN_BY_CANDIDATE);
}

TEST(ClosureTest, RejectionNeedsAReasonAndADate) {
  v1::RejectCandidacyRequest request;
  EXPECT_EQ(FieldViolationsOf(ValidateRejection(request)).size(), 2u);
  request.set_reason("Chi bộ biểu quyết không đề nghị kết nạp");
  *request.mutable_rejected_on() = D(2025, 8, 1);
  request.mutable_decision()->set_number("5-NQ/CB");
  EXPECT_TRUE(ValidateRejection(request).ok());
  const v1::CaseClosure closure =
      RejectionClosure(request, cv1::STAGE_INTRODUCED);
  EXPECT_EQ(closure.stage(), cv1::STAGE_REJECTED);
  EXPECT_EQ(closure.decision().number(), "5-NQ/CB");
}

}  // namespace
}  // namespace partydev::membership::domain
