// Acceptance scenario 1 of issue #8: letter 1849-CV/ĐUK. The bloc
// committee sets the term's targets of its grassroots organisations and
// allocates a year's target; admissions are recorded in membershipd over
// the years; at mid-term a lagging checkpoint in quotad names exactly the
// organisations below 50% and the college with few student admissions;
// notifyd turns the lagging events into ONE urging letter (công văn đôn
// đốc) whose recipients are the lagging organisations; the committee office
// issues it; each acknowledges, one reports, and TrackDirective shows the
// one that has not reported. Last, the admission results become the
// yearly classification criterion of each organisation ("lấy kết quả kết
// nạp đảng viên làm tiêu chí đánh giá, xếp loại tổ chức đảng hằng năm"):
// the bloc's board reads the year's target and admissions from quotad and
// classifies each organisation in membershipd, which counts the admissions
// from its own records; the two counts must agree. Run without a fault and
// with each fault at the midpoint (after the checkpoint): the outcome must
// be the same.

#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/field_mask.pb.h"
#include "tests/e2e/acceptance/suite.h"

namespace partydev::acceptance {
namespace {

namespace mv1 = ::partydev::membership::v1;
namespace qv1 = ::partydev::quota::v1;
namespace nv1 = ::partydev::notification::v1;
namespace cv1 = ::partydev::common::v1;
using DS = nv1::DirectiveService::Stub;

Outcome RunLagging(Suite& suite, Fault fault) {
  Outcome outcome;
  Recorder recorder(outcome);
  auto ok = [&recorder](const std::string& what, const grpc::Status& status) {
    return recorder.Ok(what, status);
  };
  const std::string rid = "s1-";
  auto org = [&](const std::string& parent, const std::string& id,
                 const std::string& kind, const std::string& level,
                 bool university = false) {
    NewOrganization o{parent, id, "Tổ chức " + id, kind, level};
    if (university) o.sector_tags.push_back(cv1::SECTOR_TAG_UNIVERSITY);
    return CreateOrganization(suite, recorder, rid, o);
  };
  const std::string province =
      org("", "lam-dong", "PROVINCIAL_COMMITTEE", "PROVINCE");
  const std::string bloc = org(province, "duk", "BLOC_COMMITTEE", "BLOC");
  // Three grassroots organisations, one cell each, target 10 for the term:
  // the college admits 6 (none a student: listed for its students only),
  // the finance department 6 (not listed), the newspaper 2 (below 50%).
  struct Grassroots {
    std::string id;
    bool university;
    int admitted;
    std::string name, cell;
  };
  std::vector<Grassroots> grassroots = {{"cd-su-pham", true, 6, "", ""},
                                        {"so-tai-chinh", false, 6, "", ""},
                                        {"bao-lam-dong", false, 2, "", ""}};
  for (Grassroots& g : grassroots) {
    g.name =
        org(bloc, g.id, "GRASSROOTS_COMMITTEE", "GRASSROOTS", g.university);
    g.cell = org(g.name, g.id + "-cb1", "CELL", "CELL");
  }

  // quotad: the term, the term targets from each congress, and the bloc's
  // allocation of 2022.
  {
    qv1::CreateTermRequest q;
    q.set_term_id("2020-2025");
    q.set_request_id(rid + "term");
    q.mutable_term()->set_display_name("Nhiệm kỳ 2020–2025");
    *q.mutable_term()->mutable_start_date() = D(2020, 10, 1);
    *q.mutable_term()->mutable_end_date() = D(2025, 9, 30);
    qv1::Term out;
    ok("term",
       suite.Call(suite.targets(), &qv1::TargetService::Stub::CreateTerm,
                  Admin(), q, &out));
  }
  auto term_target = [&](const Grassroots& g) {
    qv1::CreateTermTargetRequest q;
    q.set_parent(g.name);
    q.set_term_target_id("2020-2025");
    q.set_request_id(rid + "target-" + g.id);
    q.mutable_term_target()->mutable_own()->set_total(10);
    cv1::DecisionRef* ref = q.mutable_term_target()->mutable_resolution();
    ref->set_number("01-NQ/ĐH");
    *ref->mutable_signed_on() = D(2020, 9, 1);
    ref->set_deciding_organization(g.name);
    return q;
  };
  // quotad learns the tree from membership's events: the targets wait
  // until it knows every organisation (a check that writes nothing).
  Suite::Eventually(
      [&] {
        for (const Grassroots& g : grassroots) {
          qv1::CreateTermTargetRequest q = term_target(g);
          q.clear_request_id();
          q.set_validate_only(true);
          qv1::TermTarget out;
          if (!suite
                   .Call(suite.targets(),
                         &qv1::TargetService::Stub::CreateTermTarget,
                         Board(bloc), q, &out)
                   .ok()) {
            return false;
          }
        }
        return true;
      },
      kAsyncTimeout);
  for (const Grassroots& g : grassroots) {
    qv1::TermTarget out;
    ok("target " + g.id,
       suite.Call(suite.targets(), &qv1::TargetService::Stub::CreateTermTarget,
                  Board(bloc), term_target(g), &out));
  }

  // Each organisation's own target of the classified year, from its yearly
  // plan (kế hoạch năm): 2 admissions.
  constexpr int kClassifiedYear = 2022;
  for (const Grassroots& g : grassroots) {
    qv1::CreateYearTargetRequest q;
    q.set_parent(g.name + "/targets/2020-2025");
    q.set_year_target_id(absl::StrCat(kClassifiedYear));
    q.set_request_id(rid + "year-target-" + g.id);
    q.mutable_year_target()->mutable_own()->set_total(2);
    qv1::YearTarget out;
    ok("year target " + g.id,
       suite.Call(suite.targets(), &qv1::TargetService::Stub::CreateYearTarget,
                  Board(bloc), q, &out));
  }

  // Admissions over the years, recorded in membershipd (quotad learns them
  // from its events only).
  int serial = 0;
  for (const Grassroots& g : grassroots) {
    for (int i = 0; i < g.admitted; ++i) {
      ++serial;
      const int year = 2021 + i % 3;
      mv1::CreatePersonRequest q;
      q.set_request_id(absl::StrCat(rid, "admitted-", serial));
      mv1::Person* p = q.mutable_person();
      static const char* const kGiven[] = {
          "An",   "Bình",  "Cường", "Dũng", "Giang", "Hà",  "Hải",
          "Hùng", "Khánh", "Lan",   "Linh", "Long",  "Mai", "Nam"};
      p->set_full_name(absl::StrCat("Nguyễn Văn ", kGiven[serial % 14]));
      *p->mutable_date_of_birth() = D(1995, 1 + serial % 12, 3);
      p->set_gender(mv1::GENDER_MALE);
      p->set_general_education(mv1::GENERAL_EDUCATION_UPPER_SECONDARY);
      p->set_citizen_id(absl::StrCat("06809500", 1000 + serial));
      p->set_organization(g.cell);
      mv1::ExistingMembership* m = q.mutable_existing_membership();
      m->mutable_admission_decision()->set_number(
          absl::StrCat(serial, "-QĐ/ĐUK"));
      *m->mutable_admission_decision()->mutable_signed_on() = D(year, 5, 4);
      m->mutable_admission_decision()->set_deciding_organization(bloc);
      *m->mutable_ceremony_on() = D(year, 5, 12);
      *m->mutable_official_on() = D(year + 1, 5, 12);
      mv1::Person out;
      ok(absl::StrCat("admission ", serial),
         suite.Call(suite.people(), &mv1::PersonService::Stub::CreatePerson,
                    Admin(), q, &out));
    }
  }
  // quotad has counted them all (the events are asynchronous).
  auto admitted_in_term = [&](const std::string& o) -> int64_t {
    qv1::QueryAchievementsRequest q;
    q.set_name(bloc);
    q.set_term("terms/2020-2025");
    q.set_scope(qv1::ORGANIZATION_SCOPE_SUBTREE);
    *q.mutable_as_of() = D(2023, 9, 17);
    q.set_page_size(1000);
    qv1::AchievementCounts counts;
    if (!suite
             .Call(suite.achievements(),
                   &qv1::AchievementService::Stub::QueryAchievements,
                   Board(bloc), q, &counts)
             .ok()) {
      return -1;
    }
    for (const auto& row : counts.rows()) {
      if (row.organization().name() == o) return row.admitted();
    }
    return 0;
  };
  Suite::Eventually([&] { return admitted_in_term(bloc) == serial; },
                    kAsyncTimeout);
  for (const Grassroots& g : grassroots) {
    outcome.push_back(absl::StrCat("admitted by 2023-09-17 ", g.name, ": ",
                                   admitted_in_term(g.name)));
  }

  // Mid-term: the checkpoint of the letter's date.
  {
    qv1::CreateLaggingCheckpointRequest q;
    q.set_parent(bloc);
    q.set_request_id(rid + "checkpoint");
    q.mutable_lagging_checkpoint()->mutable_period()->set_term(
        "terms/2020-2025");
    *q.mutable_lagging_checkpoint()->mutable_as_of() = D(2023, 9, 17);
    q.mutable_lagging_checkpoint()->set_label("Giữa nhiệm kỳ");
    qv1::LaggingCheckpoint out;
    if (ok("checkpoint",
           suite.Call(suite.reports(),
                      &qv1::ReportService::Stub::CreateLaggingCheckpoint,
                      Board(bloc), q, &out))) {
      outcome.push_back(absl::StrCat("checkpoint evaluated ",
                                     out.evaluated_count(), " lagging ",
                                     out.lagging_count()));
      qv1::FindLaggingOrganizationsRequest f;
      f.set_name(bloc);
      f.set_checkpoint(out.name());
      qv1::LaggingList list;
      if (ok("lagging list",
             suite.Call(suite.reports(),
                        &qv1::ReportService::Stub::FindLaggingOrganizations,
                        Board(bloc), f, &list))) {
        for (const auto& l : list.organizations()) {
          std::vector<std::string> reasons;
          for (int r : l.reasons()) {
            reasons.push_back(qv1::LaggingReason_Name(r));
          }
          std::sort(reasons.begin(), reasons.end());
          outcome.push_back(absl::StrCat("lagging ", l.organization().name(),
                                         ": ", absl::StrJoin(reasons, ","), " ",
                                         l.admitted(), "/", l.target()));
        }
      }
    }
  }

  // The midpoint: the fault happens while the scenario goes on.
  suite.BeginFault(fault);

  // notifyd's urging letter: one directive "urging-…" of the bloc.
  nv1::Directive letter;
  Suite::Eventually(
      [&] {
        nv1::ListDirectivesRequest q;
        q.set_page_size(100);
        nv1::ListDirectivesResponse out;
        if (!suite
                 .Call(suite.directives(), &DS::ListDirectives, Admin(), q,
                       &out)
                 .ok()) {
          return false;
        }
        for (const auto& d : out.directives()) {
          if (absl::StartsWith(d.name(), "directives/urging-") &&
              d.recipients_size() >= 2) {
            letter = d;
            return true;
          }
        }
        return false;
      },
      kAsyncTimeout);
  outcome.push_back(absl::StrCat("urging letter ",
                                 nv1::DocumentType_Name(letter.document_type()),
                                 " issued by ", letter.issuing_organization()));
  for (const auto& line : letter.recipients()) {
    outcome.push_back(absl::StrCat(
        "urging recipient ", nv1::RecipientPurpose_Name(line.purpose()), " ",
        line.organization().empty() ? line.label() : line.organization()));
  }
  // TODO(lead): auto_issue. Until notifyd issues the letter itself, the
  // committee office asks for an acknowledgement and a report and issues
  // the draft.
  const Caller office{"people/vp-duk", bloc, "secretary"};
  if (letter.state() == nv1::DIRECTIVE_STATE_DRAFT) {
    nv1::UpdateDirectiveRequest u;
    *u.mutable_directive() = letter;
    u.mutable_directive()->mutable_acknowledgement()->set_within_working_days(
        5);
    u.mutable_directive()->mutable_report()->set_recurrence(
        nv1::REPORT_RECURRENCE_ONCE);
    *u.mutable_directive()->mutable_report()->mutable_first_due_date() =
        D(2026, 12, 31);
    u.mutable_directive()->mutable_report()->set_reporting_parties(
        nv1::REPORTING_PARTIES_ACTING_RECIPIENTS);
    // The office completes what a letter needs at issue: the issuer code,
    // the place and the signature block of 1849-CV/ĐUK.
    u.mutable_directive()->set_issuer_code("ĐUK");
    u.mutable_directive()->set_place("Đà Lạt");
    nv1::SignerBlock* signer = u.mutable_directive()->mutable_signer();
    signer->set_capacity(nv1::SIGNING_CAPACITY_ON_BEHALF_OF);
    signer->set_collective("BAN THƯỜNG VỤ");
    signer->set_title("PHÓ BÍ THƯ");
    signer->set_signer_name("Nguyễn Văn Hùng");
    u.mutable_update_mask()->add_paths("place");
    u.mutable_update_mask()->add_paths("signer");
    u.mutable_update_mask()->add_paths("issuer_code");
    u.mutable_update_mask()->add_paths("acknowledgement");
    u.mutable_update_mask()->add_paths("report");
    u.set_request_id(rid + "letter-update");
    ok("update letter", suite.Call(suite.directives(), &DS::UpdateDirective,
                                   office, u, &letter));
    nv1::IssueDirectiveRequest i;
    i.set_name(letter.name());
    i.set_etag(letter.etag());
    i.set_number(1849);
    i.set_request_id(rid + "letter-issue");
    ok("issue letter",
       suite.Call(suite.directives(), &DS::IssueDirective, office, i, &letter));
  }
  outcome.push_back("urging reference " + letter.reference());

  // Each lagging organisation acknowledges; the college reports.
  auto deliveries = [&]() {
    std::map<std::string, nv1::Delivery> by_org;
    nv1::ListDeliveriesRequest q;
    q.set_parent(letter.name());
    q.set_page_size(1000);
    nv1::ListDeliveriesResponse out;
    if (suite.Call(suite.directives(), &DS::ListDeliveries, Admin(), q, &out)
            .ok()) {
      for (const auto& d : out.deliveries()) by_org[d.organization()] = d;
    }
    return by_org;
  };
  Suite::Eventually(
      [&] {
        auto all = deliveries();
        return all.count(grassroots[0].name) > 0 &&
               all.count(grassroots[2].name) > 0;
      },
      kAsyncTimeout);
  for (const Grassroots& g : grassroots) {
    auto all = deliveries();
    if (all.count(g.name) == 0) continue;
    const Caller secretary{"people/bt-" + g.id, g.name, "secretary"};
    nv1::AcknowledgeDeliveryRequest a;
    a.set_name(all[g.name].name());
    a.set_note("Đã tiếp nhận công văn.");
    a.set_request_id(rid + "ack-" + g.id);
    nv1::Delivery out;
    ok("acknowledge " + g.id,
       suite.Call(suite.directives(), &DS::AcknowledgeDelivery, secretary, a,
                  &out));
    if (g.university) {
      nv1::SubmitDeliveryReportRequest r;
      r.set_name(out.name());
      *r.mutable_report()->mutable_due_date() = D(2026, 12, 31);
      r.mutable_report()->set_text(
          "Đảng ủy đã rà soát nguồn, giao chỉ tiêu kết nạp sinh viên.");
      r.set_request_id(rid + "report-" + g.id);
      ok("report " + g.id,
         suite.Call(suite.directives(), &DS::SubmitDeliveryReport, secretary, r,
                    &out));
    }
  }
  for (const auto& [o, d] : deliveries()) {
    outcome.push_back(absl::StrCat("urging delivery ", o, ": ",
                                   nv1::DeliveryState_Name(d.state())));
  }

  // The admission results as the yearly classification criterion (the
  // fault may still be under way): quotad's results of the year give each
  // organisation's target (and whether it completed under the rule set's
  // threshold, which forces "not completed"), its achievement counts the
  // admissions; membershipd counts them itself from its records.
  std::map<std::string, qv1::YearResultRow> year_results;
  {
    qv1::ComputeYearResultsRequest q;
    q.set_name(bloc);
    q.set_year(kClassifiedYear);
    q.set_term("terms/2020-2025");
    q.set_page_size(1000);
    qv1::YearResults out;
    if (ok("year results",
           suite.Call(suite.achievements(),
                      &qv1::AchievementService::Stub::ComputeYearResults,
                      Board(bloc), q, &out))) {
      for (const auto& row : out.rows()) {
        year_results[row.organization().name()] = row;
      }
    }
  }
  std::map<std::string, int> admitted_in_year;
  {
    qv1::QueryAchievementsRequest q;
    q.set_name(bloc);
    q.set_term("terms/2020-2025");
    q.set_year(kClassifiedYear);
    q.set_scope(qv1::ORGANIZATION_SCOPE_SUBTREE);
    *q.mutable_as_of() = D(kClassifiedYear, 12, 31);
    q.set_page_size(1000);
    qv1::AchievementCounts out;
    if (ok("achievements of the year",
           suite.Call(suite.achievements(),
                      &qv1::AchievementService::Stub::QueryAchievements,
                      Board(bloc), q, &out))) {
      for (const auto& row : out.rows()) {
        if (row.period().year() == kClassifiedYear) {
          admitted_in_year[row.organization().name()] = row.admitted();
        }
      }
    }
  }
  for (const Grassroots& g : grassroots) {
    const qv1::YearResultRow& result = year_results[g.name];
    mv1::CreateOrganizationClassificationRequest q;
    q.set_parent(g.name);
    q.set_classification_id(absl::StrCat(kClassifiedYear));
    q.set_request_id(rid + "classification-" + g.id);
    mv1::OrganizationClassification* c = q.mutable_classification();
    c->set_classified(true);
    for (const auto& [code, score] :
         {std::pair<const char*, double>{"leadership", 25},
          {"party_building", 15},
          {"organisation_cadres", 15},
          {"admission_results", 7},
          {"inspection", 15}}) {
      mv1::CriterionScore* s = c->add_criteria();
      s->set_criterion(code);
      s->set_score(score);
    }
    if (result.below_completion_threshold()) {
      c->add_triggers(mv1::NOT_COMPLETED_TRIGGER_UNIT_UNDER_TARGETS);
    }
    // Only the target is the board's: membershipd fills admitted.
    c->mutable_admission_results()->set_target(result.target());
    mv1::OrganizationClassification out;
    if (!ok("classification " + g.id,
            suite.Call(suite.classification(),
                       &mv1::ClassificationService::Stub::
                           CreateOrganizationClassification,
                       Board(bloc), q, &out))) {
      continue;
    }
    const mv1::AdmissionResultsCriterion& a = out.admission_results();
    outcome.push_back(absl::StrCat(
        "classification ", g.name, " ", kClassifiedYear, ": admitted ",
        a.admitted(), " target ", a.target(), " percent ", a.percent()));
    // The system of record and quotad's projection of its events agree.
    EXPECT_EQ(a.admitted(), admitted_in_year[g.name]) << g.name;
    outcome.push_back(absl::StrCat(
        "classification ", g.name, " admitted ",
        a.admitted() == admitted_in_year[g.name] ? "equals" : "differs from",
        " quotad's ", admitted_in_year[g.name]));
  }
  if (absl::Status s = suite.EndFault(); !s.ok()) {
    ADD_FAILURE() << FaultName(fault) << ": " << s;
    outcome.push_back("fault not injected");
  }
  nv1::TrackDirectiveRequest t;
  t.set_name(letter.name());
  nv1::TrackDirectiveResponse tracked;
  if (ok("track", suite.Call(suite.directives(), &DS::TrackDirective,
                             Board(bloc), t, &tracked))) {
    for (const auto& c : tracked.summary().counts()) {
      outcome.push_back(absl::StrCat("urging tracked ",
                                     nv1::DeliveryState_Name(c.state()), " ",
                                     c.count()));
    }
  }
  std::sort(outcome.begin(), outcome.end());
  return outcome;
}

class LaggingTest : public ::testing::TestWithParam<Fault> {};

TEST_P(LaggingTest, UrgingLetterToExactlyTheLaggingOrganisations) {
  const Outcome outcome = RunComparedWithoutFault(RunLagging, GetParam());
  ASSERT_FALSE(outcome.empty());
  const std::string joined = absl::StrJoin(outcome, "\n");
  EXPECT_TRUE(Has(outcome, "checkpoint evaluated 3 lagging 2")) << joined;
  EXPECT_TRUE(Has(outcome,
                  "lagging organizations/bao-lam-dong: "
                  "LAGGING_REASON_BELOW_THRESHOLD 2/10"))
      << joined;
  EXPECT_TRUE(Has(outcome,
                  "lagging organizations/cd-su-pham: "
                  "LAGGING_REASON_STUDENTS_LOW 6/10"))
      << joined;
  EXPECT_FALSE(absl::StrContains(joined, "lagging organizations/so-tai-chinh"))
      << joined;
  EXPECT_TRUE(Has(outcome,
                  "urging letter DOCUMENT_TYPE_OFFICIAL_LETTER issued by "
                  "organizations/duk"))
      << joined;
  // Both acknowledged; the newspaper has not reported.
  EXPECT_TRUE(Has(outcome,
                  "urging delivery organizations/bao-lam-dong: "
                  "DELIVERY_STATE_ACKNOWLEDGED"))
      << joined;
  EXPECT_TRUE(Has(outcome,
                  "urging delivery organizations/cd-su-pham: "
                  "DELIVERY_STATE_REPORTED"))
      << joined;
  EXPECT_TRUE(Has(outcome, "urging reference 1849-CV/ĐUK")) << joined;
  // The admissions of 2022 (the college's 2nd and 5th, the finance
  // department's 2nd and 5th, the newspaper's 2nd) against a target of 2,
  // as membershipd counts them and as quotad does.
  EXPECT_TRUE(Has(outcome,
                  "classification organizations/cd-su-pham 2022: "
                  "admitted 2 target 2 percent 100"))
      << joined;
  EXPECT_TRUE(Has(outcome,
                  "classification organizations/so-tai-chinh 2022: "
                  "admitted 2 target 2 percent 100"))
      << joined;
  EXPECT_TRUE(Has(outcome,
                  "classification organizations/bao-lam-dong 2022: "
                  "admitted 1 target 2 percent 50"))
      << joined;
  for (const char* org : {"cd-su-pham", "so-tai-chinh", "bao-lam-dong"}) {
    EXPECT_TRUE(absl::StrContains(
        joined, absl::StrCat("classification organizations/", org,
                             " admitted equals quotad's")))
        << joined;
  }
}

INSTANTIATE_TEST_SUITE_P(Faults, LaggingTest, ::testing::ValuesIn(AllFaults()),
                         [](const ::testing::TestParamInfo<Fault>& info) {
                           return std::string(FaultName(info.param));
                         });

}  // namespace
}  // namespace partydev::acceptance
