#include "services/membership/domain/rule_sets.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "services/membership/domain/test_support.h"

namespace partydev::membership::domain {
namespace {

using testing::C;
using testing::D;
using testing::Registry;
using testing::Rules;
using testing::Rules2021;

std::set<std::string> FieldsOf(const absl::Status& status) {
  std::set<std::string> fields;
  for (const FieldViolation& v : FieldViolationsOf(status)) {
    fields.insert(v.field);
  }
  return fields;
}

TEST(RuleSetsTest, ShipsTwoRuleSetsInOrder) {
  ASSERT_EQ(Registry().rule_sets().size(), 2u);
  EXPECT_EQ(Registry().rule_sets()[0].name(), "ruleSets/2021-07-30");
  EXPECT_EQ(Registry().rule_sets()[1].name(), "ruleSets/2025-07-01");
  // The next rule set's start ends the previous one.
  const Date& until = Registry().rule_sets()[0].effective_until();
  EXPECT_EQ(CivilDayOf(until), C(2025, 6, 30));
  EXPECT_FALSE(Registry().rule_sets()[1].has_effective_until());
}

// An act is judged by the rules in force on its date.
TEST(RuleSetsTest, ChoosesTheRuleSetInForceOnTheDate) {
  EXPECT_EQ((*Registry().ForDay(C(2023, 5, 10)))->name(),
            "ruleSets/2021-07-30");
  EXPECT_EQ((*Registry().ForDay(C(2025, 6, 30)))->name(),
            "ruleSets/2021-07-30");
  EXPECT_EQ((*Registry().ForDay(C(2025, 7, 1)))->name(), "ruleSets/2025-07-01");
  EXPECT_EQ((*Registry().ForDate(D(2030, 1, 1)))->name(),
            "ruleSets/2025-07-01");
  EXPECT_EQ(Registry().ForDay(C(2021, 7, 29)).status().code(),
            absl::StatusCode::kNotFound);
  absl::Status bad =
      Registry().ForDate(D(2024, 2, 30), "ballot.held_on").status();
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldsOf(bad), std::set<std::string>{"ballot.held_on"});
  EXPECT_TRUE(Registry().Get("ruleSets/2021-07-30").ok());
  EXPECT_FALSE(Registry().Get("ruleSets/2019-01-01").ok());
}

TEST(RuleSetsTest, OlderRecordsGetTheEarliestVocabularyOnlyWhenAsked) {
  // An organisation founded in 1990 is placed by the earliest levels and
  // kinds; ForDate still refuses to judge an act of 1990.
  EXPECT_EQ((*Registry().ForDateOrEarliest(D(1990, 1, 1)))->name(),
            "ruleSets/2021-07-30");
  EXPECT_EQ((*Registry().ForDateOrEarliest(D(2025, 7, 2)))->name(),
            "ruleSets/2025-07-01");
  EXPECT_EQ(Registry().ForDate(D(1990, 1, 1)).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Registry().ForDateOrEarliest(D(2024, 2, 30)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// The numbers of domain.md, in both shipped rule sets.
TEST(RuleSetsTest, CarriesTheNumbersOfTheDomain) {
  for (const v1::RuleSet* rs : {&Rules(), &Rules2021()}) {
    SCOPED_TRACE(rs->name());
    const v1::AdmissionRules& a = rs->admission();
    EXPECT_EQ(a.min_age_months(), 216);
    EXPECT_EQ(a.max_age_months(), 720);
    EXPECT_EQ(a.exception_approving_level(), "PROVINCE");
    EXPECT_EQ(a.min_general_education(), v1::GENERAL_EDUCATION_LOWER_SECONDARY);
    EXPECT_EQ(a.introducer_shared_months(), 12);
    EXPECT_EQ(a.certificate_validity_months(), 60);
    EXPECT_EQ(a.application_validity_months(), 12);
    EXPECT_EQ(a.cell_threshold().numerator(), 2);
    EXPECT_EQ(a.cell_threshold().denominator(), 3);
    EXPECT_EQ(a.decision_deadline_working_days(), 60);
    EXPECT_EQ(a.decision_extension_max_working_days(), 30);
    EXPECT_EQ(a.ceremony_deadline_working_days(), 30);
    EXPECT_EQ(a.probation_months(), 12);
    EXPECT_EQ(a.recognition_vote_deadline_working_days(), 30);
    EXPECT_EQ(a.recognition_decision_deadline_working_days(), 30);
    EXPECT_EQ(a.recognition_failed_votes_to_escalate(), 3);
    EXPECT_EQ(a.readmission_wait_months(), 36);
    EXPECT_EQ(a.readmission_wait_months_after_cleared_record(), 60);
    EXPECT_EQ(a.readmission_max_times(), 1);
    EXPECT_EQ(a.readmission_barred_reasons_size(), 4);
    EXPECT_EQ(rs->classification().excellent_min_score(), 90);
    EXPECT_EQ(rs->classification().good_min_score(), 70);
    EXPECT_EQ(rs->classification().completed_min_score(), 50);
    EXPECT_EQ(rs->classification().excellent_cap().numerator(), 1);
    EXPECT_EQ(rs->classification().excellent_cap().denominator(), 5);
    EXPECT_EQ(rs->dues().salary_rate_basis_points(), 100);
    EXPECT_EQ(rs->dues().pension_rate_basis_points(), 50);
    EXPECT_EQ(rs->dues().student_monthly_vnd(), 5000);
    EXPECT_EQ(rs->dues().free_from_party_age_years(), 50);
    EXPECT_EQ(rs->removal().absent_months_in_year(), 3);
    EXPECT_EQ(rs->early_warnings().removal_proposal_months(), 3);
    EXPECT_EQ(rs->meetings().quorum().numerator(), 2);
    EXPECT_EQ(rs->organization().grassroots_min_official_members(), 3);
  }
}

std::set<std::string> LevelCodes(const v1::RuleSet& rs) {
  std::set<std::string> codes;
  for (const auto& level : rs.organization().levels()) {
    codes.insert(level.code());
  }
  return codes;
}

TEST(RuleSetsTest, HoldsBothOrganisationTrees) {
  EXPECT_EQ(LevelCodes(Rules2021()),
            (std::set<std::string>{"CENTRAL", "PROVINCE", "DISTRICT", "BLOC",
                                   "GRASSROOTS", "CELL"}));
  EXPECT_EQ(LevelCodes(Rules()),
            (std::set<std::string>{"CENTRAL", "PROVINCE", "COMMUNE",
                                   "GRASSROOTS", "CELL"}));
  std::set<std::string> kinds;
  for (const auto& kind : Rules().organization().kinds()) {
    kinds.insert(kind.code());
  }
  for (const char* attached :
       {"DEPARTMENT", "OFFICE", "YOUTH_UNION", "TRADE_UNION", "WOMENS_UNION"}) {
    EXPECT_EQ(kinds.count(attached), 1u) << attached;
  }
}

TEST(RuleSetsTest, CitesEveryRuleAndFlagsTheUnconfirmed) {
  EXPECT_EQ(CitationOf(Rules(), "admission.introducer_shared_months"),
            "Điều lệ Đảng 2011, Điều 4");
  // A rule without its own source takes its group's.
  EXPECT_EQ(CitationOf(Rules(), "mentor.same_cell"),
            CitationOf(Rules(), "mentor.*"));
  EXPECT_NE(CitationOf(Rules(), "admission.certificate_validity_months")
                .find("chưa xác nhận"),
            std::string::npos);
  EXPECT_EQ(CitationOf(Rules(), "nothing.here"), "");
}

// Every rule id the step checks report has a citation in both rule sets.
TEST(RuleSetsTest, EveryReportedRuleIsCited) {
  const char* const kRuleIds[] = {
      "admission.application_validity_months",
      "admission.background_validity_months",
      "admission.cell_threshold",
      "admission.ceremony_deadline_working_days",
      "admission.certificate_validity_months",
      "admission.committee_threshold",
      "admission.decision_deadline_working_days",
      "admission.decision_extension_max_working_days",
      "admission.exception_approving_level",
      "admission.introducer_shared_months",
      "admission.introduction_validity_months",
      "admission.max_age_months",
      "admission.min_age_months",
      "admission.min_general_education",
      "admission.probation_months",
      "admission.readmission_barred_reasons",
      "admission.readmission_max_times",
      "admission.readmission_wait_months",
      "admission.readmission_wait_months_after_cleared_record",
      "admission.recognition_decision_deadline_working_days",
      "admission.recognition_decision_extension_max_working_days",
      "application.form_not_after_filing",
      "background.exemption_file_complete",
      "background.exemption_relative",
      "background.subjects",
      "background.verifying_committee",
      "ballot.counts_consistent",
      "ballot.total_matches_roll",
      "ceremony.not_before_decision",
      "classification.excellent_cap",
      "committee.after_cell_resolution",
      "committee.applicable",
      "decision.after_resolutions",
      "decision.authority",
      "decision.committee_resolution",
      "decision.received_after_signed",
      "extension.kind_extendable",
      "introduction.count",
      "introduction.official_member",
      "introduction.trade_union_route",
      "introduction.youth_union_route",
      "mentor.not_self",
      "mentor.official_member",
      "mentor.same_cell",
      "pipeline.stage_allows_step",
      "probation.removal_authority",
      "readmission.exception",
      "recognition.authority",
      "recognition.escalated",
      "recognition.new_member_course",
      "recognition.vote_passed",
      "training.certificate_issued",
      "training.kind",
      "training.same_person",
  };
  for (const v1::RuleSet* rs : {&Rules(), &Rules2021()}) {
    for (const char* id : kRuleIds) {
      EXPECT_FALSE(CitationOf(*rs, id).empty()) << rs->name() << " " << id;
    }
  }
}

v1::RuleSet Valid() { return Rules(); }

TEST(RuleSetsTest, ValidationNamesEveryBadField) {
  v1::RuleSet rs = Valid();
  rs.clear_name();
  rs.clear_effective_until();
  ASSERT_TRUE(ValidateRuleSet(rs).ok()) << ValidateRuleSet(rs);
  rs.mutable_admission()->set_probation_months(0);
  rs.mutable_admission()->mutable_cell_threshold()->set_numerator(4);
  rs.mutable_dues()->clear_retention();
  rs.mutable_classification()->set_good_min_score(95);
  rs.clear_effective_from();
  std::set<std::string> fields = FieldsOf(ValidateRuleSet(rs));
  EXPECT_EQ(fields.count("admission.probation_months"), 1u);
  EXPECT_EQ(fields.count("admission.cell_threshold"), 1u);
  EXPECT_EQ(fields.count("dues.retention"), 1u);
  EXPECT_EQ(fields.count("classification.excellent_min_score"), 1u);
  EXPECT_EQ(fields.count("effective_from"), 1u);
}

TEST(RuleSetsTest, ValidationChecksTheVocabulary) {
  v1::RuleSet rs = Valid();
  rs.mutable_organization()->mutable_kinds(0)->add_allowed_levels("VILLAGE");
  rs.mutable_organization()->mutable_levels(1)->add_allowed_parent_levels(
      "CELL");
  std::set<std::string> fields = FieldsOf(ValidateRuleSet(rs));
  EXPECT_EQ(fields.count("organization.kinds[0].allowed_levels"), 1u);
  EXPECT_EQ(fields.count("organization.levels[1].allowed_parent_levels"), 1u);
}

TEST(RuleSetsTest, ValidationChecksCriteriaAddUp) {
  v1::RuleSet rs = Valid();
  rs.mutable_classification()->mutable_criteria(0)->set_max_score(25);
  EXPECT_EQ(FieldsOf(ValidateRuleSet(rs)).count("classification.criteria"), 1u);
}

TEST(RuleSetsTest, RegistryRefusesTwoRuleSetsOnOneDay) {
  v1::RuleSet a = Valid(), b = Valid();
  a.clear_name();
  b.clear_name();
  b.set_display_name("another");
  absl::Status status = RuleSetRegistry::FromRuleSets({a, b}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
}

TEST(RuleSetsTest, RegistryRefusesAWrongEffectiveUntil) {
  v1::RuleSet a = Rules2021(), b = Rules();
  *a.mutable_effective_until() = D(2025, 6, 1);
  b.clear_effective_until();
  EXPECT_FALSE(RuleSetRegistry::FromRuleSets({a, b}).ok());
  *a.mutable_effective_until() = D(2025, 6, 30);
  EXPECT_TRUE(RuleSetRegistry::FromRuleSets({b, a}).ok());
}

TEST(RuleSetsTest, ParsingRefusesUnknownFields) {
  absl::StatusOr<v1::RuleSet> parsed = ParseRuleSetJson(
      R"({"admission": {"probaton_months": 12}})", "rules/x.json");
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(parsed.status().message().find("rules/x.json"), std::string::npos);
}

TEST(RuleSetsTest, LoadDirectoryNamesTheBadFile) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      absl::StrCat("membership_domain_rules_", ::getpid());
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "2030-01-01.json") << R"({"effective_from":
      {"year": 2030, "month": 1, "day": 1}})";
  std::ofstream(dir / "README.txt") << "ignored";
  absl::Status status = RuleSetRegistry::LoadDirectory(dir.string()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("2030-01-01.json"), std::string::npos);
  std::filesystem::remove_all(dir);
  EXPECT_EQ(RuleSetRegistry::LoadDirectory(dir.string()).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace partydev::membership::domain
