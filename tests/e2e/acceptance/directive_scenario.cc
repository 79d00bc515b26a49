// Acceptance scenario 2 of issue #8: directive 06-CT/TU. The city
// committee issues the directive to every district committee for
// dissemination down to every cell; the cells acknowledge (all but one) and
// submit the yearly implementation report; TrackDirective shows who has not;
// a member retiring is transferred to her residential cell within the
// deadline, and a transfer whose letter never came is listed as overdue.
// Run without a fault and with each fault at the midpoint (after half the
// acknowledgements): the outcome must be the same.
//
// Then rehearsal time (Suite::SetClockOffsetDays, after the fault): two
// days past the acknowledgement's due date the late deliveries are LATE
// and reminded in their inboxes; four days past it (the directive
// escalates after 2 reminders past the due date) they are ESCALATED and
// the superior committee has the escalation message in its office inbox;
// two days past the yearly report's due date the cells that have not
// reported are reminded, the one that reported is not. The days chosen
// fall between two sends of the shipped rules (acknowledgement: on the
// day, then every 2 days; report: 3 days before, on the day, then every 7
// days; all at 08:00), so the counts do not depend on the hour the test
// runs.

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "common/dates.h"
#include "common/vietnam_time.h"
#include "tests/e2e/acceptance/suite.h"

namespace partydev::acceptance {
namespace {

namespace mv1 = ::partydev::membership::v1;
namespace nv1 = ::partydev::notification::v1;
namespace cv1 = ::partydev::common::v1;
using DS = nv1::DirectiveService::Stub;

// Reminders and escalations as their readers see them: "N × subject"
// per distinct subject, in subject order; "no reminder" when none.
std::string Summary(const std::vector<nv1::Message>& messages) {
  std::map<std::string, int> by_subject;
  for (const nv1::Message& m : messages) ++by_subject[m.subject()];
  if (by_subject.empty()) return "no reminder";
  std::vector<std::string> parts;
  for (const auto& [subject, count] : by_subject) {
    parts.push_back(absl::StrCat(count, " × ", subject));
  }
  return absl::StrJoin(parts, "; ");
}

// A delivery's deadline facts, comparable between two reads.
std::string DeadlineState(const nv1::Delivery& d) {
  std::vector<std::string> to;
  for (const nv1::Escalation& e : d.escalations()) {
    to.push_back(e.escalated_to());
  }
  return absl::StrCat(nv1::DeliveryState_Name(d.state()), " reminders ",
                      d.reminders_sent(), " escalations ", d.escalations_size(),
                      to.empty() ? "" : " to " + absl::StrJoin(to, ","));
}

Outcome RunDirective(Suite& suite, Fault fault) {
  Outcome outcome;
  Recorder recorder(outcome);
  auto ok = [&recorder](const std::string& what, const grpc::Status& status) {
    return recorder.Ok(what, status);
  };
  const std::string rid = "s2-";

  auto org = [&](const std::string& parent, const std::string& id,
                 const std::string& display, const std::string& kind,
                 const std::string& level) {
    return CreateOrganization(suite, recorder, rid,
                              {parent, id, display, kind, level});
  };
  // Ho Chi Minh City (the seed's world, before 1 July 2025): two districts,
  // a ward committee in each, two residential cells in each ward.
  const std::string city = org("", "tp-hcm", "Đảng bộ Thành phố Hồ Chí Minh",
                               "PROVINCIAL_COMMITTEE", "PROVINCE");
  std::vector<std::string> districts, wards, cells;
  for (const auto& [d, w] : std::vector<std::pair<std::string, std::string>>{
           {"quan-1", "ben-nghe"}, {"quan-3", "vo-thi-sau"}}) {
    districts.push_back(
        org(city, d, "Đảng bộ " + d, "DISTRICT_COMMITTEE", "DISTRICT"));
    wards.push_back(org(districts.back(), w, "Đảng bộ phường " + w,
                        "GRASSROOTS_COMMITTEE", "GRASSROOTS"));
    for (int k = 1; k <= 2; ++k) {
      cells.push_back(org(wards.back(), absl::StrCat(w, "-kp", k),
                          absl::StrCat("Chi bộ khu phố ", k, " ", w), "CELL",
                          "CELL"));
    }
  }

  // Two members of the first cell: one retires and moves to her
  // residential cell in district 3; one left his job in January and his
  // transfer letter was never issued.
  auto member = [&](const std::string& name, const std::string& cid,
                    const std::string& cell) {
    mv1::CreatePersonRequest q;
    q.set_request_id(rid + "person-" + cid);
    mv1::Person* p = q.mutable_person();
    p->set_full_name(name);
    *p->mutable_date_of_birth() = D(1966, 4, 12);
    p->set_gender(mv1::GENDER_FEMALE);
    p->set_general_education(mv1::GENERAL_EDUCATION_UPPER_SECONDARY);
    p->set_citizen_id(cid);
    p->set_organization(cell);
    mv1::ExistingMembership* m = q.mutable_existing_membership();
    m->mutable_admission_decision()->set_number("12-QĐ/ĐU");
    *m->mutable_admission_decision()->mutable_signed_on() = D(1995, 3, 2);
    m->mutable_admission_decision()->set_deciding_organization(wards[0]);
    *m->mutable_ceremony_on() = D(1995, 3, 10);
    *m->mutable_official_on() = D(1996, 3, 10);
    mv1::Person out;
    ok("member " + cid,
       suite.Call(suite.people(), &mv1::PersonService::Stub::CreatePerson,
                  Admin(), q, &out));
    return out.name();
  };
  const std::string retiree = member("Võ Thị Hạnh", "079166000001", cells[0]);
  const std::string leaver = member("Đặng Văn Long", "079066000002", cells[0]);

  // The directive: to every district committee, down to every cell, each
  // cell acknowledging; a yearly implementation report by every acting
  // delivery.
  nv1::Directive d;
  d.set_issuing_organization(city);
  d.add_issuing_body_lines("THÀNH ỦY THÀNH PHỐ HỒ CHÍ MINH");
  d.set_document_type(nv1::DOCUMENT_TYPE_DIRECTIVE);
  d.set_issuer_code("TU");
  d.set_place("Thành phố Hồ Chí Minh");
  d.set_subject(
      "về nâng cao năng lực lãnh đạo của tổ chức cơ sở đảng và chất lượng "
      "đảng viên");
  d.set_body("Các cấp ủy tổ chức quán triệt, phổ biến Chỉ thị đến chi bộ.");
  d.mutable_signer()->set_capacity(nv1::SIGNING_CAPACITY_ON_BEHALF_OF);
  d.mutable_signer()->set_collective("BAN THƯỜNG VỤ");
  d.mutable_signer()->set_title("BÍ THƯ");
  d.mutable_signer()->set_signer_name("Nguyễn Văn Nên");
  nv1::DirectiveRecipient* to = d.add_recipients();
  to->set_purpose(nv1::RECIPIENT_PURPOSE_ACT);
  to->set_label("Các quận ủy, huyện ủy");
  to->set_addressee(true);
  to->mutable_organizations()->set_under(city);
  to->mutable_organizations()->set_direct_children_only(true);
  d.mutable_dissemination()->set_scope(nv1::DISSEMINATION_SCOPE_CELLS);
  d.mutable_dissemination()->set_acknowledgement_required(true);
  d.mutable_acknowledgement()->set_within_working_days(10);
  d.mutable_report()->set_recurrence(nv1::REPORT_RECURRENCE_YEARLY);
  *d.mutable_report()->mutable_first_due_date() = D(2027, 11, 30);
  d.mutable_report()->set_reporting_parties(
      nv1::REPORTING_PARTIES_ALL_ACTING_DELIVERIES);
  // The superior committee is told after the second reminder past the due
  // date (issue 6: "quá số lần nhắc thì báo cấp ủy cấp trên").
  d.mutable_escalation()->set_escalate_after_reminders(2);
  // notifyd learns the tree from membership's events: the directive goes
  // out once it knows the last cell (a draft of that cell, validate_only,
  // is allowed to the cell's secretary only once the cell is known).
  Suite::Eventually(
      [&] {
        nv1::CreateDirectiveRequest q;
        *q.mutable_directive() = d;
        q.mutable_directive()->set_issuing_organization(cells.back());
        q.set_validate_only(true);
        nv1::Directive out;
        auto context = Suite::Context(Secretary(cells.back()));
        return suite.directives().CreateDirective(context.get(), q, &out).ok();
      },
      kAsyncTimeout);
  const Caller office{"people/vp-thanh-uy", city, "secretary"};
  nv1::Directive draft, issued;
  {
    nv1::CreateDirectiveRequest q;
    *q.mutable_directive() = d;
    q.set_directive_id("ct-06");
    q.set_request_id(rid + "directive");
    ok("create directive",
       suite.Call(suite.directives(), &DS::CreateDirective, office, q, &draft));
    nv1::IssueDirectiveRequest i;
    i.set_name(draft.name());
    i.set_etag(draft.etag());
    i.set_number(6);
    i.set_request_id(rid + "issue");
    ok("issue",
       suite.Call(suite.directives(), &DS::IssueDirective, office, i, &issued));
    outcome.push_back("reference " + issued.reference());
  }

  // The deliveries once fanned out: one per district, ward and cell.
  auto deliveries = [&]() {
    std::map<std::string, nv1::Delivery> by_org;
    nv1::ListDeliveriesRequest q;
    q.set_parent("directives/ct-06");
    q.set_page_size(1000);
    nv1::ListDeliveriesResponse out;
    if (suite.Call(suite.directives(), &DS::ListDeliveries, Admin(), q, &out)
            .ok()) {
      for (const auto& delivery : out.deliveries()) {
        by_org[delivery.organization()] = delivery;
      }
    }
    return by_org;
  };
  Suite::Eventually(
      [&] {
        auto all = deliveries();
        return std::all_of(cells.begin(), cells.end(),
                           [&](const auto& c) { return all.count(c) > 0; });
      },
      kAsyncTimeout);

  auto acknowledge = [&](const std::string& cell) {
    const nv1::Delivery delivery = deliveries()[cell];
    nv1::AcknowledgeDeliveryRequest q;
    q.set_name(delivery.name());
    q.set_note("Đã phổ biến Chỉ thị tại sinh hoạt chi bộ.");
    *q.mutable_disseminated_on() = D(2026, 11, 20);
    q.set_request_id(rid + "ack-" + cell);
    nv1::Delivery out;
    ok("acknowledge " + cell,
       suite.Call(suite.directives(), &DS::AcknowledgeDelivery,
                  Caller{"people/bt-" + cell.substr(14), cell, "secretary"}, q,
                  &out));
  };
  // The cells acknowledge, all but the last; the midpoint falls between.
  acknowledge(cells[0]);
  acknowledge(cells[1]);
  // The midpoint: the fault happens while the scenario goes on.
  suite.BeginFault(fault);
  acknowledge(cells[2]);

  // The yearly implementation report of the first cell.
  {
    const nv1::Delivery delivery = deliveries()[cells[0]];
    nv1::SubmitDeliveryReportRequest q;
    q.set_name(delivery.name());
    *q.mutable_report()->mutable_due_date() = D(2027, 11, 30);
    q.mutable_report()->set_text(
        "Chi bộ đã tổ chức sinh hoạt chuyên đề, 100% đảng viên đăng ký "
        "chương trình hành động.");
    q.set_request_id(rid + "report");
    nv1::Delivery out;
    ok("report",
       suite.Call(suite.directives(), &DS::SubmitDeliveryReport,
                  Caller{"people/bt-kp1", cells[0], "secretary"}, q, &out));
  }

  // The retiree's transfer to her residential cell, in time.
  {
    mv1::CreateTransferRequest q;
    q.set_parent(retiree);
    q.set_transfer_id("nghi-huu");
    q.set_request_id(rid + "transfer-retiree");
    mv1::Transfer* t = q.mutable_transfer();
    t->set_kind(mv1::TRANSFER_KIND_OFFICIAL);
    t->set_reason(mv1::TRANSFER_REASON_RETIREMENT);
    t->set_to_organization(cells[3]);
    *t->mutable_moved_on() = D(2026, 9, 1);
    mv1::Transfer out;
    ok("transfer",
       suite.Call(suite.people(), &mv1::PersonService::Stub::CreateTransfer,
                  Secretary(cells[0]), q, &out));
    mv1::IssueTransferLetterRequest l;
    l.set_name(out.name());
    l.mutable_letter()->set_number("15-GGT/ĐU");
    *l.mutable_letter()->mutable_signed_on() = D(2026, 9, 10);
    l.mutable_letter()->set_deciding_organization(wards[0]);
    l.set_request_id(rid + "letter-retiree");
    ok("letter", suite.Call(suite.people(),
                            &mv1::PersonService::Stub::IssueTransferLetter,
                            Secretary(cells[0]), l, &out));
    mv1::ReceiveTransferRequest r;
    r.set_name(out.name());
    *r.mutable_received_on() = D(2026, 9, 20);
    r.set_request_id(rid + "receive-retiree");
    ok("receive",
       suite.Call(suite.people(), &mv1::PersonService::Stub::ReceiveTransfer,
                  Secretary(cells[3]), r, &out));
    outcome.push_back(absl::StrCat(
        "retiree transfer: ", mv1::TransferState_Name(out.state()), " to ",
        out.receiving_cell(), " deadlines ", out.deadlines_size()));
  }
  // The leaver's transfer, started in January, no letter since.
  {
    mv1::CreateTransferRequest q;
    q.set_parent(leaver);
    q.set_transfer_id("nghi-viec");
    q.set_request_id(rid + "transfer-leaver");
    mv1::Transfer* t = q.mutable_transfer();
    t->set_kind(mv1::TRANSFER_KIND_OFFICIAL);
    t->set_reason(mv1::TRANSFER_REASON_LEAVING_JOB);
    t->set_to_organization(cells[2]);
    *t->mutable_moved_on() = D(2026, 1, 5);
    mv1::Transfer out;
    ok("late transfer",
       suite.Call(suite.people(), &mv1::PersonService::Stub::CreateTransfer,
                  Secretary(cells[0]), q, &out));
  }
  {
    mv1::ListTransfersRequest q;
    q.set_parent("people/-");
    q.set_organization(city);
    q.set_filter("overdue = true");
    mv1::ListTransfersResponse out;
    if (ok("overdue transfers",
           suite.Call(suite.people(), &mv1::PersonService::Stub::ListTransfers,
                      Board(city), q, &out))) {
      for (const auto& t : out.transfers()) {
        outcome.push_back("overdue transfer " +
                          t.name().substr(t.name().rfind('/') + 1));
      }
    }
  }

  if (absl::Status s = suite.EndFault(); !s.ok()) {
    ADD_FAILURE() << FaultName(fault) << ": " << s;
    outcome.push_back("fault not injected");
  }
  // What the city sees: each delivery's state, and the tracking counts.
  for (const auto& [o, delivery] : deliveries()) {
    outcome.push_back(absl::StrCat(
        "delivery ", o, ": ", nv1::DeliveryState_Name(delivery.state()),
        delivery.acknowledgement_required() ? " ack required" : "",
        delivery.report_required() ? " report required" : ""));
  }
  nv1::TrackDirectiveRequest q;
  q.set_name("directives/ct-06");
  q.set_list_limit(100);
  nv1::TrackDirectiveResponse tracked;
  if (ok("track", suite.Call(suite.directives(), &DS::TrackDirective,
                             Board(city), q, &tracked))) {
    outcome.push_back(
        absl::StrCat("tracked total ", tracked.summary().total()));
    for (const auto& c : tracked.summary().counts()) {
      outcome.push_back(absl::StrCat(
          "tracked ", nv1::DeliveryState_Name(c.state()), " ", c.count()));
    }
  }

  // Rehearsal time: the sweeps run as if on `day` (Vietnam), then each
  // delivery's state and the reminders and escalations in the inboxes of
  // its organisation and of those it was escalated to are recorded.
  const absl::CivilDay today = VietnamDayOf(absl::Now());
  auto rehearse = [&](const std::string& label, absl::CivilDay day,
                      const std::function<bool(
                          const std::map<std::string, nv1::Delivery>&)>& done) {
    const absl::Time start = absl::Now();
    if (absl::Status s =
            suite.SetClockOffsetDays(static_cast<int>(day - today));
        !s.ok()) {
      ADD_FAILURE() << label << ": " << s;
      outcome.push_back("clock not moved to " + label);
      return;
    }
    const absl::Duration moved = absl::Now() - start;
    // Until `done` holds and two sweeps later nothing has changed (a
    // sweep handles every delivery; the one that made `done` hold may
    // still be under way).
    std::map<std::string, nv1::Delivery> all;
    std::string last;
    absl::Time since = absl::Now();
    const bool settled = Suite::Eventually(
        [&] {
          all = deliveries();
          std::string now_state;
          for (const auto& [o, delivery] : all) {
            absl::StrAppend(&now_state, o, DeadlineState(delivery), "\n");
          }
          if (!done(all)) return false;
          if (now_state != last) {
            last = now_state;
            since = absl::Now();
            return false;
          }
          return absl::Now() - since > absl::Milliseconds(2500);
        },
        kAsyncTimeout);
    if (!settled) {
      ADD_FAILURE() << label << ": the deliveries did not settle\n" << last;
    }
    // How long the restarts and the sweeps took, in the test's output.
    std::cout << label << ": clock moved after "
              << absl::ToInt64Milliseconds(moved) << " ms, settled after "
              << absl::ToInt64Milliseconds(absl::Now() - start) << " ms\n";
    for (const auto& [o, delivery] : all) {
      outcome.push_back(
          absl::StrCat(label, ": delivery ", o, ": ", DeadlineState(delivery)));
      std::set<std::string> readers = {o};
      for (const nv1::Escalation& e : delivery.escalations()) {
        readers.insert(e.escalated_to());
      }
      for (const std::string& reader : readers) {
        std::vector<nv1::Message> messages;
        if (ok(absl::StrCat(label, " inbox of ", reader),
               suite.ReadInbox(
                   OfficeOf(reader), Secretary(reader),
                   absl::StrCat("delivery = \"", delivery.name(), "\""),
                   {nv1::MESSAGE_CATEGORY_DIRECTIVE_REMINDER,
                    nv1::MESSAGE_CATEGORY_ESCALATION},
                   &messages))) {
          outcome.push_back(absl::StrCat(label, ": inbox of ", reader,
                                         " about the delivery to ", o, ": ",
                                         Summary(messages)));
        }
      }
    }
  };
  // Whether every delivery whose acknowledgement is still owed is in
  // `state` with at least `reminders` reminders.
  auto owed_ack = [](nv1::DeliveryState state, int reminders) {
    return [state, reminders](const std::map<std::string, nv1::Delivery>& all) {
      for (const auto& [o, delivery] : all) {
        if (!delivery.acknowledgement_required() ||
            delivery.has_acknowledgement()) {
          continue;
        }
        if (delivery.state() != state ||
            delivery.reminders_sent() < reminders) {
          return false;
        }
      }
      return !all.empty();
    };
  };
  const absl::CivilDay ack_due =
      CivilDayOf(deliveries()[cells[3]].acknowledge_by());
  // Two days after the acknowledgement was due: the on-day and the first
  // later reminder have come at once; the cell is reminded once (the
  // latest, not a burst) and the delivery is LATE.
  rehearse("ack due+2", ack_due + 2, owed_ack(nv1::DELIVERY_STATE_LATE, 1));
  // Four days after: the second reminder past the due date escalates.
  rehearse("ack due+4", ack_due + 4,
           owed_ack(nv1::DELIVERY_STATE_ESCALATED, 2));
  // Two days after the yearly report was due: 3 days before and on the
  // day have come: one reminder to each cell that acknowledged and has
  // not reported.
  rehearse("report due+2", CivilDayOf(d.report().first_due_date()) + 2,
           [&](const std::map<std::string, nv1::Delivery>& all) {
             for (const std::string& c : {cells[1], cells[2]}) {
               auto it = all.find(c);
               if (it == all.end() || it->second.reminders_sent() < 1) {
                 return false;
               }
             }
             return true;
           });

  std::sort(outcome.begin(), outcome.end());
  return outcome;
}

class DirectiveTest : public ::testing::TestWithParam<Fault> {};

TEST_P(DirectiveTest, DisseminatedAcknowledgedReportedAndTransfers) {
  const Outcome outcome = RunComparedWithoutFault(RunDirective, GetParam());
  ASSERT_FALSE(outcome.empty());
  const std::string joined = absl::StrJoin(outcome, "\n");
  EXPECT_TRUE(Has(outcome, "reference 06-CT/TU")) << joined;
  EXPECT_TRUE(Has(outcome,
                  "delivery organizations/vo-thi-sau-kp2: "
                  "DELIVERY_STATE_DELIVERED ack required report required"))
      << joined;
  EXPECT_TRUE(Has(outcome,
                  "retiree transfer: TRANSFER_STATE_RECEIVED to "
                  "organizations/vo-thi-sau-kp2 deadlines 0"))
      << joined;
  EXPECT_TRUE(Has(outcome, "tracked total 8")) << joined;
  EXPECT_TRUE(Has(outcome, "tracked DELIVERY_STATE_ACKNOWLEDGED 2")) << joined;
  EXPECT_TRUE(Has(outcome, "tracked DELIVERY_STATE_REPORTED 1")) << joined;
  EXPECT_TRUE(Has(outcome, "overdue transfer nghi-viec")) << joined;
  EXPECT_FALSE(Has(outcome, "overdue transfer nghi-huu")) << joined;
  // The cell that did not acknowledge: late and reminded, then escalated
  // to its ward committee, whose office inbox has the escalation.
  const std::string late = "organizations/vo-thi-sau-kp2";
  EXPECT_TRUE(Has(outcome, "ack due+2: delivery " + late +
                               ": DELIVERY_STATE_LATE reminders 1 "
                               "escalations 0"))
      << joined;
  EXPECT_TRUE(Has(outcome, "ack due+2: inbox of " + late +
                               " about the delivery to " + late +
                               ": 1 × Nhắc xác nhận văn bản 06-CT/TU"))
      << joined;
  EXPECT_TRUE(Has(outcome, "ack due+4: delivery " + late +
                               ": DELIVERY_STATE_ESCALATED reminders 2 "
                               "escalations 1 to organizations/vo-thi-sau"))
      << joined;
  EXPECT_TRUE(Has(outcome, "ack due+4: inbox of " + late +
                               " about the delivery to " + late +
                               ": 2 × Nhắc xác nhận văn bản 06-CT/TU"))
      << joined;
  EXPECT_TRUE(Has(outcome,
                  "ack due+4: inbox of organizations/vo-thi-sau about the "
                  "delivery to " +
                      late +
                      ": 1 × Chi bộ khu phố 2 vo-thi-sau chậm xác nhận đã "
                      "nhận văn bản 06-CT/TU"))
      << joined;
  // The cells that acknowledged in time: never reminded of it.
  for (const char* cell :
       {"organizations/ben-nghe-kp1", "organizations/ben-nghe-kp2",
        "organizations/vo-thi-sau-kp1"}) {
    EXPECT_TRUE(Has(outcome, absl::StrCat("ack due+4: inbox of ", cell,
                                          " about the delivery to ", cell,
                                          ": no reminder")))
        << cell << "\n"
        << joined;
  }
  // The yearly report: the two cells that acknowledged but did not report
  // are reminded once (3 days before and on the day have both come at
  // the sweep) and late; the one that reported is not.
  for (const char* cell :
       {"organizations/ben-nghe-kp2", "organizations/vo-thi-sau-kp1"}) {
    EXPECT_TRUE(Has(outcome, absl::StrCat("report due+2: delivery ", cell,
                                          ": DELIVERY_STATE_LATE reminders 1 "
                                          "escalations 0")))
        << cell << "\n"
        << joined;
    EXPECT_TRUE(Has(outcome, absl::StrCat("report due+2: inbox of ", cell,
                                          " about the delivery to ", cell,
                                          ": 1 × Đôn đốc báo cáo kết quả "
                                          "thực hiện 06-CT/TU")))
        << cell << "\n"
        << joined;
  }
  EXPECT_TRUE(Has(outcome,
                  "report due+2: inbox of organizations/ben-nghe-kp1 about "
                  "the delivery to organizations/ben-nghe-kp1: no reminder"))
      << joined;
  EXPECT_TRUE(Has(outcome,
                  "report due+2: delivery organizations/ben-nghe-kp1: "
                  "DELIVERY_STATE_REPORTED reminders 0 escalations 0"))
      << joined;
}

INSTANTIATE_TEST_SUITE_P(Faults, DirectiveTest,
                         ::testing::ValuesIn(AllFaults()),
                         [](const ::testing::TestParamInfo<Fault>& info) {
                           return std::string(FaultName(info.param));
                         });

}  // namespace
}  // namespace partydev::acceptance
