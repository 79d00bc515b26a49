#include "common/errors.h"

#include <gtest/gtest.h>

#include "common/grpc_status.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace partydev {
namespace {

google::rpc::Status Details(const grpc::Status& status) {
  google::rpc::Status out;
  EXPECT_TRUE(out.ParseFromString(status.error_details()));
  return out;
}

TEST(ErrorsTest, FieldViolationsBecomeBadRequestWithErrorInfo) {
  FieldChecker check;
  check.Add("person.citizen_id", "must be 12 digits");
  check.Add("person.full_name", "is required");
  ASSERT_FALSE(check.ok());
  grpc::Status status = ToGrpcStatus(check.status());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  google::rpc::Status details = Details(status);
  ASSERT_EQ(details.details_size(), 2);
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(details.details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "INVALID_FIELD");
  EXPECT_EQ(info.domain(), "partydev.vn");
  google::rpc::BadRequest bad;
  ASSERT_TRUE(details.details(1).UnpackTo(&bad));
  ASSERT_EQ(bad.field_violations_size(), 2);
  EXPECT_EQ(bad.field_violations(0).field(), "person.citizen_id");
}

TEST(ErrorsTest, RuleViolationsBecomePreconditionFailure) {
  absl::Status s = RulesViolated(
      {{"charter.art4.introducer_tenure", "people/7",
        "Người giới thiệu đã sinh hoạt cùng 8 tháng; cần ít nhất 12 tháng."}});
  grpc::Status status = ToGrpcStatus(s);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  google::rpc::Status details = Details(status);
  google::rpc::PreconditionFailure failure;
  ASSERT_EQ(details.details_size(), 2);
  ASSERT_TRUE(details.details(1).UnpackTo(&failure));
  EXPECT_EQ(failure.violations(0).type(), "charter.art4.introducer_tenure");
  EXPECT_EQ(failure.violations(0).subject(), "people/7");
}

TEST(ErrorsTest, EveryErrorCarriesExactlyOneErrorInfo) {
  for (absl::Status s :
       {absl::NotFoundError("people/1 not found"), absl::UnavailableError("x"),
        absl::InternalError("boom"),
        WithReason(absl::PermissionDeniedError("no"), "ROLE_REQUIRED")}) {
    grpc::Status status = ToGrpcStatus(s);
    google::rpc::Status details = Details(status);
    int infos = 0;
    for (const auto& any : details.details()) {
      if (any.Is<google::rpc::ErrorInfo>()) ++infos;
    }
    EXPECT_EQ(infos, 1) << s;
    google::rpc::ErrorInfo info;
    details.details(0).UnpackTo(&info);
    EXPECT_EQ(info.reason(), ReasonOf(s));
  }
  EXPECT_EQ(
      ReasonOf(WithReason(absl::PermissionDeniedError("no"), "ROLE_REQUIRED")),
      "ROLE_REQUIRED");
  EXPECT_EQ(ReasonOf(absl::NotFoundError("x")), "RESOURCE_NOT_FOUND");
}

TEST(ErrorsTest, RoundTripThroughGrpcKeepsDetails) {
  absl::Status original = WithMetadata(
      RulesViolated({{"rule", "people/1", "why"}}), "person", "people/1");
  absl::Status back = FromGrpcStatus(ToGrpcStatus(original));
  EXPECT_EQ(back.code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_EQ(RuleViolationsOf(back).size(), 1u);
  EXPECT_EQ(RuleViolationsOf(back)[0].description, "why");
  EXPECT_EQ(ReasonOf(back), "RULE_VIOLATED");
}

TEST(ErrorsTest, OkStaysOk) {
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_TRUE(FieldChecker().ok());
  EXPECT_TRUE(FieldChecker().status().ok());
}

}  // namespace
}  // namespace partydev
