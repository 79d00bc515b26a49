#include "services/notification/domain/recipients.h"

#include <chrono>
#include <iostream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "gtest/gtest.h"
#include "tests/notification/domain/test_support.h"

namespace partydev::notification::domain {
namespace {

using testing::BuildTree;
using testing::OrgRow;

const absl::CivilDay kIssue(2023, 9, 17);

// The bloc committee of 1849-CV/ĐUK: two grassroots organisations (one with
// two cells), a department, a mass organisation, and its superior.
std::unique_ptr<OrgTree> BlocTree() {
  return BuildTree({
      {"organizations/tu", "", "PROVINCE"},
      {"organizations/btc-tu", "organizations/tu", "DEPARTMENT", false},
      {"organizations/duk", "organizations/tu", "BLOC"},
      {"organizations/vp-duk", "organizations/duk", "DEPARTMENT", false},
      {"organizations/doan-khoi", "organizations/duk", "MASS", false},
      {"organizations/db-yte", "organizations/duk", "GRASSROOTS"},
      {"organizations/cb-yte-1", "organizations/db-yte", "CELL"},
      {"organizations/cb-yte-2", "organizations/db-yte", "CELL"},
      {"organizations/cb-ktcn", "organizations/duk", "GRASSROOTS"},
      // Dissolved before the issue date.
      {"organizations/cb-old", "organizations/db-yte", "CELL", true,
       absl::CivilDay(2000, 1, 1), absl::CivilDay(2023, 6, 30)},
      // Moved from db-yte to cb-ktcn's parent on 2023-09-01.
      {"organizations/cb-moved", "organizations/db-yte", "CELL", true,
       absl::CivilDay(2000, 1, 1), absl::CivilDay(2023, 8, 31)},
      {"organizations/cb-moved", "organizations/cb-ktcn", "CELL", true,
       absl::CivilDay(2023, 9, 1)},
  });
}

v1::DirectiveRecipient Org(const std::string& org, v1::RecipientPurpose p,
                           const std::string& label = "") {
  v1::DirectiveRecipient r;
  r.set_key(absl::StrCat("r-", org.substr(org.find('/') + 1)));
  r.set_purpose(p);
  r.set_label(label);
  r.set_organization(org);
  return r;
}

const DeliveryTarget* Find(const RecipientExpansion& e,
                           const std::string& target) {
  for (const DeliveryTarget& t : e.targets) {
    if (t.target == target) return &t;
  }
  return nullptr;
}

TEST(RecipientsTest, TheRecipientListOf1849) {
  auto tree = BlocTree();
  v1::Directive d;
  v1::DirectiveRecipient grassroots;
  grassroots.set_key("r1");
  grassroots.set_purpose(v1::RECIPIENT_PURPOSE_ACT);
  grassroots.set_label("Các tổ chức cơ sở đảng trực thuộc");
  grassroots.set_addressee(true);
  grassroots.mutable_organizations()->set_under("organizations/duk");
  grassroots.mutable_organizations()->set_direct_children_only(true);
  grassroots.mutable_organizations()->add_kinds("GRASSROOTS");
  *d.add_recipients() = grassroots;
  v1::DirectiveRecipient mass =
      Org("organizations/doan-khoi", v1::RECIPIENT_PURPOSE_ACT,
          "Các Đoàn thể Khối");
  mass.set_addressee(true);
  *d.add_recipients() = mass;
  *d.add_recipients() = Org("organizations/tu", v1::RECIPIENT_PURPOSE_REPORT_TO,
                            "Ban Thường vụ Tỉnh ủy");
  *d.add_recipients() =
      Org("organizations/btc-tu", v1::RECIPIENT_PURPOSE_REPORT_TO,
          "Ban Tổ chức Tỉnh ủy");
  v1::DirectiveRecipient members;
  members.set_purpose(v1::RECIPIENT_PURPOSE_INFORM);
  members.set_label("Ủy viên Ban Chấp hành Đảng bộ Khối");
  members.mutable_committee_members()->set_organization("organizations/duk");
  members.mutable_committee_members()->set_body(
      v1::COMMITTEE_BODY_EXECUTIVE_COMMITTEE);
  *d.add_recipients() = members;
  *d.add_recipients() =
      Org("organizations/vp-duk", v1::RECIPIENT_PURPOSE_INFORM,
          "Các Ban, Văn phòng Đảng ủy Khối");
  *d.add_recipients() =
      Org("organizations/vp-duk", v1::RECIPIENT_PURPOSE_ARCHIVE, "VPĐUK");
  v1::DirectiveRecipient person;
  person.set_purpose(v1::RECIPIENT_PURPOSE_DIRECT);
  person.set_person("people/huynh-khac-diep");
  *d.add_recipients() = person;

  absl::StatusOr<RecipientExpansion> e = ExpandRecipients(d, *tree, kIssue);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->addressees,
            (std::vector<std::string>{"Các tổ chức cơ sở đảng trực thuộc",
                                      "Các Đoàn thể Khối"}));
  // 2 grassroots + mass + 2 superiors + committee + office + person.
  EXPECT_EQ(e->targets.size(), 8u);
  const DeliveryTarget* yte = Find(*e, "organizations/db-yte");
  ASSERT_NE(yte, nullptr);
  EXPECT_EQ(yte->purpose, v1::RECIPIENT_PURPOSE_ACT);
  EXPECT_TRUE(yte->acknowledgement_required);
  EXPECT_EQ(Find(*e, "organizations/cb-yte-1"), nullptr);  // no dissemination
  const DeliveryTarget* tu = Find(*e, "organizations/tu");
  ASSERT_NE(tu, nullptr);
  EXPECT_EQ(tu->purpose, v1::RECIPIENT_PURPOSE_REPORT_TO);
  EXPECT_FALSE(tu->acknowledgement_required);
  // The office is told and archives: one delivery, the stronger purpose.
  const DeliveryTarget* office = Find(*e, "organizations/vp-duk");
  ASSERT_NE(office, nullptr);
  EXPECT_EQ(office->purpose, v1::RECIPIENT_PURPOSE_INFORM);
  const DeliveryTarget* committee = Find(*e, "organizations/duk");
  ASSERT_NE(committee, nullptr);
  EXPECT_EQ(committee->kind, TargetKind::kCommitteeMembers);
  EXPECT_EQ(committee->committee_body, v1::COMMITTEE_BODY_EXECUTIVE_COMMITTEE);
  const DeliveryTarget* diep = Find(*e, "people/huynh-khac-diep");
  ASSERT_NE(diep, nullptr);
  EXPECT_EQ(diep->kind, TargetKind::kPerson);
}

TEST(RecipientsTest, ArchiveCopyAloneIsAnUnremindedTarget) {
  auto tree = BlocTree();
  v1::Directive d;
  *d.add_recipients() =
      Org("organizations/vp-duk", v1::RECIPIENT_PURPOSE_ARCHIVE, "VPĐUK");
  absl::StatusOr<RecipientExpansion> e = ExpandRecipients(d, *tree, kIssue);
  ASSERT_TRUE(e.ok());
  ASSERT_EQ(e->targets.size(), 1u);
  EXPECT_EQ(e->targets[0].purpose, v1::RECIPIENT_PURPOSE_ARCHIVE);
  EXPECT_FALSE(e->targets[0].acknowledgement_required);
}

TEST(RecipientsTest, DisseminationDownToCellsAsOfTheIssueDate) {
  auto tree = BlocTree();
  v1::Directive d;
  d.mutable_dissemination()->set_scope(v1::DISSEMINATION_SCOPE_CELLS);
  *d.add_recipients() = Org("organizations/db-yte", v1::RECIPIENT_PURPOSE_ACT);
  absl::StatusOr<RecipientExpansion> e = ExpandRecipients(d, *tree, kIssue);
  ASSERT_TRUE(e.ok()) << e.status();
  // db-yte, its two live cells; cb-old dissolved, cb-moved moved away.
  ASSERT_EQ(e->targets.size(), 3u);
  const DeliveryTarget* cell = Find(*e, "organizations/cb-yte-2");
  ASSERT_NE(cell, nullptr);
  EXPECT_EQ(cell->origin, v1::DELIVERY_ORIGIN_DISSEMINATED);
  EXPECT_EQ(cell->disseminated_under, "organizations/db-yte");
  EXPECT_EQ(cell->recipient_key, "r-db-yte");
  EXPECT_FALSE(cell->acknowledgement_required);
  // A month earlier the moved cell was still there and cb-old too... no:
  // cb-old was dissolved on 2023-06-30, cb-moved moved on 2023-09-01.
  e = ExpandRecipients(d, *tree, absl::CivilDay(2023, 8, 1));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->targets.size(), 4u);
  EXPECT_NE(Find(*e, "organizations/cb-moved"), nullptr);
  EXPECT_EQ(Find(*e, "organizations/cb-old"), nullptr);
  // Grassroots scope stops above cells; departments are not disseminated.
  d.mutable_dissemination()->set_scope(v1::DISSEMINATION_SCOPE_GRASSROOTS);
  d.mutable_dissemination()->set_acknowledgement_required(true);
  d.clear_recipients();
  *d.add_recipients() = Org("organizations/duk", v1::RECIPIENT_PURPOSE_ACT);
  e = ExpandRecipients(d, *tree, kIssue);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->targets.size(), 3u);  // duk, db-yte, cb-ktcn
  EXPECT_EQ(Find(*e, "organizations/cb-yte-1"), nullptr);
  EXPECT_EQ(Find(*e, "organizations/vp-duk"), nullptr);
  EXPECT_TRUE(Find(*e, "organizations/cb-ktcn")->acknowledgement_required);
}

TEST(RecipientsTest, DedupKeepsTheStrongestPurposeAndListedOrigin) {
  auto tree = BlocTree();
  v1::Directive d;
  d.mutable_dissemination()->set_scope(v1::DISSEMINATION_SCOPE_CELLS);
  *d.add_recipients() = Org("organizations/cb-yte-1",
                            v1::RECIPIENT_PURPOSE_INFORM, "Chi bộ Y tế 1");
  *d.add_recipients() = Org("organizations/db-yte", v1::RECIPIENT_PURPOSE_ACT);
  *d.add_recipients() =
      Org("organizations/db-yte", v1::RECIPIENT_PURPOSE_REPORT_TO);
  absl::StatusOr<RecipientExpansion> e = ExpandRecipients(d, *tree, kIssue);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->targets.size(), 3u);
  const DeliveryTarget* yte = Find(*e, "organizations/db-yte");
  EXPECT_EQ(yte->purpose, v1::RECIPIENT_PURPOSE_ACT);
  const DeliveryTarget* cell = Find(*e, "organizations/cb-yte-1");
  // Listed "for information" and reached by dissemination "to act": acts,
  // and stays a listed delivery.
  EXPECT_EQ(cell->purpose, v1::RECIPIENT_PURPOSE_ACT);
  EXPECT_EQ(cell->origin, v1::DELIVERY_ORIGIN_LISTED);
  EXPECT_TRUE(cell->disseminated_under.empty());
  EXPECT_EQ(PurposeRank(v1::RECIPIENT_PURPOSE_ACT),
            PurposeRank(v1::RECIPIENT_PURPOSE_REPORT_TO) + 3);
  EXPECT_GT(PurposeRank(v1::RECIPIENT_PURPOSE_REPORT_TO),
            PurposeRank(v1::RECIPIENT_PURPOSE_INFORM));
}

TEST(RecipientsTest, DissolvedOrUnknownRecipientsAreRefused) {
  auto tree = BlocTree();
  v1::Directive d;
  *d.add_recipients() = Org("organizations/cb-old", v1::RECIPIENT_PURPOSE_ACT);
  *d.add_recipients() = Org("organizations/nowhere", v1::RECIPIENT_PURPOSE_ACT);
  v1::DirectiveRecipient no_purpose =
      Org("organizations/duk", v1::RECIPIENT_PURPOSE_UNSPECIFIED);
  *d.add_recipients() = no_purpose;
  v1::DirectiveRecipient no_target;
  no_target.set_purpose(v1::RECIPIENT_PURPOSE_ACT);
  *d.add_recipients() = no_target;
  absl::StatusOr<RecipientExpansion> e = ExpandRecipients(d, *tree, kIssue);
  ASSERT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<std::string> fields;
  for (const auto& v : FieldViolationsOf(e.status())) fields.push_back(v.field);
  EXPECT_EQ(fields,
            (std::vector<std::string>{
                "recipients[0].organization", "recipients[1].organization",
                "recipients[2].purpose", "recipients[3]"}));
  EXPECT_TRUE(ExpandRecipients(d, *tree, absl::CivilDay(2023, 6, 1))
                  .status()
                  .message()
                  .find("cb-old") == std::string::npos);
}

TEST(RecipientsTest, FanOutLimit) {
  auto tree = BlocTree();
  v1::Directive d;
  d.mutable_dissemination()->set_scope(v1::DISSEMINATION_SCOPE_CELLS);
  *d.add_recipients() = Org("organizations/tu", v1::RECIPIENT_PURPOSE_ACT);
  ExpandOptions options;
  options.max_deliveries = 3;
  absl::StatusOr<RecipientExpansion> e =
      ExpandRecipients(d, *tree, kIssue, options);
  ASSERT_EQ(e.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(RuleViolationsOf(e.status())[0].rule, "directive.fan_out.limit");
}

TEST(RecipientsTest, ThreeHundredThousandNodesDownToEveryCell) {
  // Centre → 34 provinces → 100 communes each → 9 grassroots each → 9 cells
  // each: 34 + 3,400 + 30,600 + 275,400 + 1 = 309,435 organisations.
  std::vector<OrgRow> rows;
  rows.reserve(310000);
  rows.push_back({"organizations/tw", "", "CENTRAL"});
  for (int p = 0; p < 34; ++p) {
    const std::string province = absl::StrCat("organizations/p", p);
    rows.push_back({province, "organizations/tw", "PROVINCE"});
    for (int c = 0; c < 100; ++c) {
      const std::string commune = absl::StrCat(province, "-c", c);
      rows.push_back({commune, province, "COMMUNE"});
      for (int g = 0; g < 9; ++g) {
        const std::string grassroots = absl::StrCat(commune, "-g", g);
        rows.push_back({grassroots, commune, "GRASSROOTS"});
        for (int k = 0; k < 9; ++k) {
          rows.push_back(
              {absl::StrCat(grassroots, "-k", k), grassroots, "CELL"});
        }
      }
    }
  }
  auto tree = BuildTree(rows);
  v1::Directive d;
  d.mutable_dissemination()->set_scope(v1::DISSEMINATION_SCOPE_CELLS);
  *d.add_recipients() = Org("organizations/tw", v1::RECIPIENT_PURPOSE_ACT);
  // Every province listed again "for information": dedup must hold.
  for (int p = 0; p < 34; ++p) {
    *d.add_recipients() =
        Org(absl::StrCat("organizations/p", p), v1::RECIPIENT_PURPOSE_INFORM);
  }
  ExpandOptions options;
  options.max_deliveries = 400000;
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<RecipientExpansion> e =
      ExpandRecipients(d, *tree, kIssue, options);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(e.ok()) << e.status();
  std::cout
      << "[ timing ] expanded " << e->targets.size()
      << " delivery targets from " << rows.size() << " organisations in "
      << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()
      << " ms (Debug -O0)" << std::endl;
  EXPECT_EQ(e->targets.size(), rows.size());
  // For comparison: the tree walk alone (common/org_tree.h).
  const auto walk_start = std::chrono::steady_clock::now();
  const size_t walked = tree->SubtreeOn("organizations/tw", kIssue).size();
  std::cout << "[ timing ] OrgTree::SubtreeOn alone: " << walked << " in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - walk_start)
                   .count()
            << " ms" << std::endl;
  const DeliveryTarget* province = Find(*e, "organizations/p7");
  ASSERT_NE(province, nullptr);
  EXPECT_EQ(province->purpose, v1::RECIPIENT_PURPOSE_ACT);
  size_t cells = 0;
  for (const DeliveryTarget& t : e->targets) {
    if (absl::StrContains(t.target, "-k")) ++cells;
  }
  EXPECT_EQ(cells, 34u * 100 * 9 * 9);
}

}  // namespace
}  // namespace partydev::notification::domain
