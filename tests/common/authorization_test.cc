#include "common/authorization.h"

#include <gtest/gtest.h>

#include "common/errors.h"

namespace partydev {
namespace {

const std::vector<std::string> kCellPath = {
    "organizations/lam-dong", "organizations/duk", "organizations/cb-1",
    "organizations/cell-a"};

Principal Caller(std::string org,
                 std::vector<std::string> roles = {"secretary"}) {
  Principal p;
  p.subject = "people/1";
  p.organization = std::move(org);
  p.roles = std::move(roles);
  return p;
}

TEST(AuthorizationTest, TheOrganisationAndItsAncestorsCoverIt) {
  EXPECT_TRUE(
      RequireWithinSubtree(Caller("organizations/cell-a"), kCellPath, "x")
          .ok());
  EXPECT_TRUE(
      RequireWithinSubtree(Caller("organizations/duk"), kCellPath, "x").ok());
  EXPECT_TRUE(
      RequireWithinSubtree(Caller("organizations/lam-dong"), kCellPath, "x")
          .ok());
}

TEST(AuthorizationTest, ASiblingOrADescendantIsRefused) {
  for (const char* org :
       {"organizations/cb-2", "organizations/cell-b", "organizations/other"}) {
    absl::Status s = RequireWithinSubtree(Caller(org), kCellPath, "people/7");
    EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << org;
    EXPECT_EQ(ReasonOf(s), "OUTSIDE_SUBTREE");
  }
  // Below the target: a cell cannot act on its committee.
  EXPECT_FALSE(
      RequireWithinSubtree(Caller("organizations/cell-a"),
                           {"organizations/lam-dong", "organizations/duk"}, "x")
          .ok());
}

TEST(AuthorizationTest, OnlyAnAdminMayBeUnbound) {
  EXPECT_TRUE(RequireWithinSubtree(Caller("", {"admin"}), kCellPath, "x").ok());
  EXPECT_FALSE(
      RequireWithinSubtree(Caller("", {"secretary"}), kCellPath, "x").ok());
}

TEST(AuthorizationTest, Roles) {
  EXPECT_TRUE(RequireAnyRole(Caller("o", {"secretary"}),
                             {"secretary", "organization_board"}, "x")
                  .ok());
  EXPECT_TRUE(RequireAnyRole(Caller("o", {"admin"}), {"secretary"}, "x").ok());
  absl::Status s = RequireAnyRole(Caller("o", {"reader"}), {"secretary"},
                                  "Recording a vote");
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ReasonOf(s), "ROLE_REQUIRED");
  EXPECT_NE(s.message().find("secretary"), absl::string_view::npos);
}

}  // namespace
}  // namespace partydev
