// Acceptance scenario 3 of issue #8: one candidate from sourcing to
// official member through membershipd's public API (mentor, candidates'
// class, evaluation, application, background verification, introductions,
// cell and committee resolutions, decision, ceremony, probation with the
// new members' class, recognition vote, recognition), an attempt to skip a
// step refused with its rule, and quotad counting the admission from
// membership's events. After each step that opens a deadline, the
// scenario waits until its reminder is in the inbox the reminder rule
// names (the cell secretary's for the cell's duties): the scenario's dates
// are in 2024-2025, so every deadline is already past when opened,
// membershipd's deadline scan announces it and notifyd sends its first
// reminder at once; the next step closes the deadline, which would cancel
// a reminder not yet sent. Run without a fault and with each fault at the
// midpoint (after the introductions): the outcome must be the same, each
// deadline's reminder sent exactly once.

#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tests/e2e/acceptance/suite.h"

namespace partydev::acceptance {
namespace {

namespace mv1 = ::partydev::membership::v1;
namespace nv1 = ::partydev::notification::v1;
namespace qv1 = ::partydev::quota::v1;
namespace cv1 = ::partydev::common::v1;
using AS = mv1::AdmissionService::Stub;

std::string DeadlineKinds(const mv1::Person& p) {
  std::vector<std::string> kinds;
  for (const auto& d : p.deadlines()) {
    kinds.push_back(cv1::DeadlineKind_Name(d.kind()));
  }
  std::sort(kinds.begin(), kinds.end());
  return kinds.empty() ? "none" : absl::StrJoin(kinds, ",");
}

// A deadline as its reminders know it: kind and due date.
std::string DeadlineKey(cv1::DeadlineKind kind, const cv1::Date& due) {
  return absl::StrCat(cv1::DeadlineKind_Name(kind), " due ", due.year(), "-",
                      due.month(), "-", due.day());
}

// The reminders of one person's deadlines, found where their recipients
// find them: in the inboxes the reminder rule's audience names (the cell's
// office, read by its secretary, for the cell's duties; the committee's
// office for a decision of the superior level), read through InboxService
// as their officers; ReminderService says which deadline a message's
// scheduled reminder is about.
class DeadlineReminders {
 public:
  DeadlineReminders(Suite& suite, Recorder& recorder, std::string person,
                    std::string cell)
      : suite_(suite),
        recorder_(recorder),
        person_(std::move(person)),
        cell_(std::move(cell)) {}

  // Waits until every deadline of `p` not awaited before has its reminder
  // SENT and in each office inbox it names; records, per deadline, who got
  // it and the title each office reads.
  void AwaitNew(const mv1::Person& p) {
    std::vector<std::pair<std::string, cv1::DeadlineKind>> fresh;
    for (const mv1::Deadline& d : p.deadlines()) {
      const std::string key = DeadlineKey(d.kind(), d.due_on());
      if (awaited_.insert(key).second) fresh.emplace_back(key, d.kind());
    }
    if (fresh.empty()) return;
    // Per deadline: the sent reminder, and the message of each office.
    std::map<std::string, nv1::ScheduledReminder> sent;
    std::map<std::string, std::map<std::string, nv1::Message>> found;
    const bool arrived = Suite::Eventually(
        [&] {
          sent.clear();
          found.clear();
          std::optional<std::map<std::string, nv1::ScheduledReminder>> all =
              Reminders();
          if (!all.has_value()) return false;
          for (const auto& [key, kind] : fresh) {
            for (const auto& [name, r] : *all) {
              if (DeadlineKey(r.deadline_kind(), r.due_date()) == key &&
                  r.state() == nv1::SCHEDULED_REMINDER_STATE_SENT) {
                sent[key] = r;
              }
            }
            if (sent.count(key) == 0) return false;
            for (const std::string& to : sent[key].recipients()) {
              const std::string office = OrganizationOfOffice(to);
              if (office.empty()) continue;  // the person's own inbox
              std::optional<nv1::Message> m =
                  MessageOf(to, office, sent[key].name());
              if (!m.has_value()) return false;
              found[key][office] = *m;
            }
          }
          return true;
        },
        kAsyncTimeout);
    if (!arrived) {
      ADD_FAILURE() << "the reminders of a step did not all arrive\n"
                    << Describe();
    }
    for (const auto& [key, kind] : fresh) {
      const std::string kind_name = cv1::DeadlineKind_Name(kind);
      if (sent.count(key) == 0) {
        recorder_.Add("no reminder of " + kind_name);
        continue;
      }
      recorder_.Add(absl::StrCat("reminder ", kind_name, " sent to ",
                                 absl::StrJoin(sent[key].recipients(), ",")));
      for (const auto& [office, message] : found[key]) {
        offices_[key].insert(office);
        recorder_.Add(absl::StrCat("reminder ", kind_name, " in ",
                                   Whose(office), ": ", message.subject()));
      }
    }
  }

  // Records how many messages each awaited deadline left in each office
  // inbox that got its reminder: exactly one, whatever the faults (a
  // replayed event or a sweep repeated after a crash sends nothing twice).
  void RecordCounts() {
    std::optional<std::map<std::string, nv1::ScheduledReminder>> all =
        Reminders();
    if (!all.has_value()) {
      recorder_.Add("reminders not read");
      return;
    }
    for (const auto& [key, offices] : offices_) {
      for (const std::string& office : offices) {
        std::vector<nv1::Message> messages;
        if (!recorder_.Ok("inbox of " + office,
                          suite_.ReadInbox(OfficeOf(office), Secretary(office),
                                           SubjectFilter(), {}, &messages))) {
          continue;
        }
        int count = 0;
        for (const nv1::Message& m : messages) {
          auto r = all->find(m.scheduled_reminder());
          if (r != all->end() && DeadlineKey(r->second.deadline_kind(),
                                             r->second.due_date()) == key) {
            ++count;
          }
        }
        recorder_.Add(absl::StrCat("messages of ", key.substr(0, key.find(' ')),
                                   " in ", Whose(office), ": ", count));
      }
    }
  }

 private:
  std::string SubjectFilter() const {
    return absl::StrCat("subject_resource = \"", person_, "\"");
  }

  std::string Whose(const std::string& office) const {
    return office == cell_ ? "the secretary's inbox"
                           : absl::StrCat("the inbox of ", office);
  }

  // Every reminder notifyd scheduled about the person, by name; nullopt
  // when the list failed.
  std::optional<std::map<std::string, nv1::ScheduledReminder>> Reminders() {
    std::map<std::string, nv1::ScheduledReminder> all;
    nv1::ListScheduledRemindersRequest q;
    q.set_subject_resource(person_);
    q.set_page_size(1000);
    while (true) {
      nv1::ListScheduledRemindersResponse page;
      if (!suite_
               .Call(suite_.reminders(),
                     &nv1::ReminderService::Stub::ListScheduledReminders,
                     Admin(), q, &page)
               .ok()) {
        return std::nullopt;
      }
      for (const nv1::ScheduledReminder& r : page.scheduled_reminders()) {
        all[r.name()] = r;
      }
      if (page.next_page_token().empty()) return all;
      q.set_page_token(page.next_page_token());
    }
  }

  // The message of `reminder` in `office`'s inbox (`recipient`), read as
  // its secretary.
  std::optional<nv1::Message> MessageOf(const std::string& recipient,
                                        const std::string& office,
                                        const std::string& reminder) {
    std::vector<nv1::Message> messages;
    if (!suite_
             .ReadInbox(recipient, Secretary(office), SubjectFilter(), {},
                        &messages)
             .ok()) {
      return std::nullopt;
    }
    for (nv1::Message& m : messages) {
      if (m.scheduled_reminder() == reminder) return std::move(m);
    }
    return std::nullopt;
  }

  // The reminders about the person, for a failure message.
  std::string Describe() {
    std::string out;
    std::optional<std::map<std::string, nv1::ScheduledReminder>> all =
        Reminders();
    if (!all.has_value()) return "reminders not read";
    for (const auto& [name, r] : *all) {
      absl::StrAppend(&out, name, " ",
                      DeadlineKey(r.deadline_kind(), r.due_date()), " ",
                      nv1::ScheduledReminderState_Name(r.state()), " to ",
                      absl::StrJoin(r.recipients(), ","), " ", r.error(),
                      r.cancel_reason(), "\n");
    }
    return out;
  }

  Suite& suite_;
  Recorder& recorder_;
  const std::string person_;
  const std::string cell_;
  std::set<std::string> awaited_;
  // Per deadline, the offices whose inbox got its reminder.
  std::map<std::string, std::set<std::string>> offices_;
};

Outcome RunOneCandidate(Suite& suite, Fault fault) {
  Outcome outcome;
  Recorder r(outcome);
  const std::string rid = "s3-";  // request ids of this scenario

  // The tree of letter 1849-CV/ĐUK: province, bloc, a college's grassroots
  // committee, one of its cells, and the college's youth union.
  auto org = [&](const std::string& parent, const std::string& id,
                 const std::string& display, const std::string& kind,
                 const std::string& level) {
    return CreateOrganization(suite, r, rid,
                              {parent, id, display, kind, level});
  };
  const std::string province = org("", "lam-dong", "Đảng bộ tỉnh Lâm Đồng",
                                   "PROVINCIAL_COMMITTEE", "PROVINCE");
  const std::string bloc = org(province, "duk", "Đảng bộ Khối các cơ quan tỉnh",
                               "BLOC_COMMITTEE", "BLOC");
  const std::string college =
      org(bloc, "cd-su-pham", "Đảng bộ Trường Cao đẳng Sư phạm Đà Lạt",
          "GRASSROOTS_COMMITTEE", "GRASSROOTS");
  const std::string cell =
      org(college, "cb-khoa-toan", "Chi bộ Khoa Toán", "CELL", "CELL");
  const std::string youth_union =
      org(college, "doan-truong", "Đoàn Thanh niên Trường", "YOUTH_UNION",
          "GRASSROOTS");

  // Quota's term, for the admission count.
  {
    qv1::CreateTermRequest q;
    q.set_term_id("2020-2025");
    q.set_request_id(rid + "term");
    q.mutable_term()->set_display_name("Nhiệm kỳ 2020–2025");
    *q.mutable_term()->mutable_start_date() = D(2020, 10, 1);
    *q.mutable_term()->mutable_end_date() = D(2025, 9, 30);
    qv1::Term out;
    r.Ok("term",
         suite.Call(suite.targets(), &qv1::TargetService::Stub::CreateTerm,
                    Admin(), q, &out));
  }

  // The cell's three official members: mentor, introducer, a third.
  auto member = [&](const std::string& name, const std::string& cid) {
    mv1::CreatePersonRequest q;
    q.set_request_id(rid + "person-" + cid);
    mv1::Person* p = q.mutable_person();
    p->set_full_name(name);
    *p->mutable_date_of_birth() = D(1985, 2, 3);
    p->set_gender(mv1::GENDER_MALE);
    p->set_general_education(mv1::GENERAL_EDUCATION_UPPER_SECONDARY);
    p->set_citizen_id(cid);
    p->set_organization(cell);
    mv1::ExistingMembership* m = q.mutable_existing_membership();
    m->mutable_admission_decision()->set_number("123-QĐ/ĐU");
    *m->mutable_admission_decision()->mutable_signed_on() = D(2015, 3, 2);
    m->mutable_admission_decision()->set_deciding_organization(college);
    *m->mutable_ceremony_on() = D(2015, 3, 10);
    *m->mutable_official_on() = D(2016, 3, 10);
    mv1::Person out;
    r.Ok("member " + cid,
         suite.Call(suite.people(), &mv1::PersonService::Stub::CreatePerson,
                    Admin(), q, &out));
    return out.name();
  };
  const std::string mentor = member("Trần Văn Bình", "068085000001");
  const std::string introducer = member("Lê Thị Cúc", "068085000002");
  member("Phạm Văn Dũng", "068085000003");

  // The candidate: a student sourced by the cell on 3 June 2024, in the
  // school's youth union since 2018.
  std::string n;
  {
    mv1::CreatePersonRequest q;
    q.set_request_id(rid + "candidate");
    // A chosen id: the reminders' titles name the candidate by it (notifyd
    // has no projection of people's names), so both runs read the same.
    q.set_person_id("nguyen-thi-an");
    mv1::Person* p = q.mutable_person();
    p->set_full_name("Nguyễn Thị An");
    *p->mutable_date_of_birth() = D(2000, 5, 1);
    p->set_gender(mv1::GENDER_FEMALE);
    p->set_general_education(mv1::GENERAL_EDUCATION_UPPER_SECONDARY);
    p->set_citizen_id("068300000001");
    p->set_organization(cell);
    p->add_categories(cv1::CATEGORY_YOUTH_UNION_MEMBER);
    p->mutable_source()->set_kind(mv1::SOURCE_KIND_CELL);
    p->mutable_source()->set_organization(cell);
    *p->mutable_source()->mutable_sourced_on() = D(2024, 6, 3);
    mv1::UnionMembership* u = p->add_union_memberships();
    u->set_organization(youth_union);
    *u->mutable_joined_on() = D(2018, 3, 26);
    mv1::Person out;
    r.Ok("candidate",
         suite.Call(suite.people(), &mv1::PersonService::Stub::CreatePerson,
                    Admin(), q, &out));
    n = out.name();
    r.Add(absl::StrCat("stage after sourcing: ", cv1::Stage_Name(out.stage())));
  }

  // One pipeline step: the stage it reaches and the deadlines then open,
  // whose reminders must have arrived before the next step closes them.
  DeadlineReminders reminders(suite, r, n, cell);
  mv1::Person p;
  auto step = [&](const std::string& what, const grpc::Status& status) {
    if (!r.Ok(what, status)) return;
    r.Add(absl::StrCat("after ", what, ": ", cv1::Stage_Name(p.stage()),
                       " deadlines ", DeadlineKinds(p)));
    reminders.AwaitNew(p);
  };
  const Caller sec = Secretary(cell);

  {
    mv1::AssignMentorRequest q;
    q.set_name(n);
    q.set_mentor(mentor);
    *q.mutable_assigned_on() = D(2024, 6, 10);
    q.set_request_id(rid + "mentor");
    step("mentor",
         suite.Call(suite.admission(), &AS::AssignMentor, sec, q, &p));
  }
  // A monthly evaluation of the candidate by the cell (the seed letter).
  {
    mv1::CreateEvaluationRequest q;
    q.set_parent(n);
    q.set_evaluation_id("2024-07");
    q.set_request_id(rid + "evaluation");
    mv1::Evaluation* e = q.mutable_evaluation();
    e->mutable_period()->set_cadence(mv1::EVALUATION_CADENCE_MONTHLY);
    e->mutable_period()->set_year(2024);
    e->mutable_period()->set_month(7);
    e->set_rating(mv1::EVALUATION_RATING_GOOD);
    e->set_comment("Tích cực học tập, tham gia phong trào của khoa.");
    e->set_evaluator_role(mv1::EVALUATOR_ROLE_CELL);
    *e->mutable_evaluated_on() = D(2024, 7, 31);
    mv1::Evaluation out;
    if (r.Ok("evaluation", suite.Call(suite.admission(), &AS::CreateEvaluation,
                                      sec, q, &out))) {
      r.Add(absl::StrCat(
          "evaluation: ", out.name().substr(out.name().rfind('/') + 1), " ",
          mv1::EvaluationRating_Name(out.rating())));
    }
  }

  // A class of the bloc: nomination, assessment, certificate; returns the
  // certified enrollment.
  auto klass = [&](const std::string& id, mv1::TrainingClassKind kind,
                   cv1::Date starts, cv1::Date ends, cv1::Date issued) {
    mv1::CreateTrainingClassRequest c;
    c.set_training_class_id(id);
    c.set_request_id(rid + "class-" + id);
    mv1::TrainingClass* t = c.mutable_training_class();
    t->set_title("Lớp bồi dưỡng " + id);
    t->set_kind(kind);
    t->set_organizer(bloc);
    t->set_venue("Trung tâm Chính trị");
    *t->mutable_starts_on() = starts;
    *t->mutable_ends_on() = ends;
    t->set_capacity(30);
    mv1::TrainingClass created;
    r.Ok("class " + id, suite.Call(suite.admission(), &AS::CreateTrainingClass,
                                   Board(bloc), c, &created));
    mv1::CreateEnrollmentRequest e;
    e.set_parent(created.name());
    e.mutable_enrollment()->set_person(n);
    e.mutable_enrollment()->set_nominating_organization(college);
    e.set_request_id(rid + "enroll-" + id);
    mv1::Enrollment enrollment;
    r.Ok("enroll " + id, suite.Call(suite.admission(), &AS::CreateEnrollment,
                                    Secretary(college), e, &enrollment));
    mv1::AssessEnrollmentRequest a;
    a.set_name(enrollment.name());
    *a.mutable_assessment()->mutable_assessed_on() = ends;
    a.mutable_assessment()->set_score(8.5);
    a.mutable_assessment()->set_passed(true);
    a.set_request_id(rid + "assess-" + id);
    r.Ok("assess " + id, suite.Call(suite.admission(), &AS::AssessEnrollment,
                                    Board(bloc), a, &enrollment));
    mv1::IssueCertificateRequest i;
    i.set_name(enrollment.name());
    i.mutable_certificate()->set_number(id + "/GCN");
    *i.mutable_certificate()->mutable_issued_on() = issued;
    i.set_request_id(rid + "certify-" + id);
    r.Ok("certify " + id, suite.Call(suite.admission(), &AS::IssueCertificate,
                                     Board(bloc), i, &enrollment));
    r.Add(absl::StrCat("enrollment ", id, ": ",
                       mv1::EnrollmentState_Name(enrollment.state())));
    return enrollment.name();
  };
  const std::string certified =
      klass("k1-2024", mv1::TRAINING_CLASS_KIND_ADMISSION_CANDIDATES,
            D(2024, 6, 17), D(2024, 6, 28), D(2024, 7, 1));
  {
    mv1::RecordTrainingRequest q;
    q.set_name(n);
    q.set_enrollment(certified);
    q.set_request_id(rid + "training");
    step("training",
         suite.Call(suite.admission(), &AS::RecordTraining, sec, q, &p));
  }
  // Skipping the application, the background and the introductions: the
  // cell's resolution is refused, naming the rule.
  {
    mv1::RecordCellResolutionRequest q;
    q.set_name(n);
    mv1::Ballot* b = q.mutable_ballot();
    *b->mutable_held_on() = D(2024, 8, 5);
    b->set_votes_for(3);
    b->set_present(3);
    b->set_total(3);
    q.set_request_id(rid + "skip");
    mv1::Person out;
    grpc::Status s =
        suite.Call(suite.admission(), &AS::RecordCellResolution, sec, q, &out);
    r.Add(absl::StrCat("skip to the cell resolution: code ", s.error_code()));
    for (const std::string& rule : RulesOf(s)) {
      r.Add("skip refused by rule " + rule);
    }
  }
  {
    mv1::RecordApplicationRequest q;
    q.set_name(n);
    *q.mutable_filed_on() = D(2024, 8, 1);
    *q.mutable_background_form_on() = D(2024, 7, 29);
    q.set_request_id(rid + "application");
    step("application",
         suite.Call(suite.admission(), &AS::RecordApplication, sec, q, &p));
  }
  {
    mv1::RecordBackgroundVerificationRequest q;
    q.set_name(n);
    auto* v = q.mutable_verification();
    *v->mutable_concluded_on() = D(2024, 8, 20);
    v->set_verifying_organization(college);
    v->add_subjects(mv1::RELATIVE_KIND_SELF);
    v->add_subjects(mv1::RELATIVE_KIND_PARENTS);
    v->set_conclusion("Lý lịch rõ ràng");
    q.set_request_id(rid + "background");
    step("background",
         suite.Call(suite.admission(), &AS::RecordBackgroundVerification, sec,
                    q, &p));
  }
  {
    mv1::RecordIntroductionsRequest q;
    q.set_name(n);
    mv1::Introduction* youth = q.add_introductions();
    youth->set_route(mv1::INTRODUCTION_ROUTE_YOUTH_UNION);
    youth->set_union_organization(youth_union);
    youth->mutable_union_resolution()->set_number("05-NQ/ĐTN");
    *youth->mutable_union_resolution()->mutable_signed_on() = D(2024, 9, 2);
    youth->mutable_union_resolution()->set_deciding_organization(youth_union);
    *youth->mutable_introduced_on() = D(2024, 9, 2);
    mv1::Introduction* by_member = q.add_introductions();
    by_member->set_route(mv1::INTRODUCTION_ROUTE_PARTY_MEMBER);
    by_member->set_introducer(introducer);
    *by_member->mutable_shared_since() = D(2023, 1, 2);
    *by_member->mutable_introduced_on() = D(2024, 9, 2);
    q.set_request_id(rid + "introductions");
    step("introductions",
         suite.Call(suite.admission(), &AS::RecordIntroductions, sec, q, &p));
  }

  // The midpoint: the fault happens while the scenario goes on.
  suite.BeginFault(fault);

  auto ballot = [](cv1::Date on, int votes_for, int total) {
    mv1::Ballot b;
    *b.mutable_held_on() = on;
    b.set_votes_for(votes_for);
    b.set_votes_against(total - votes_for);
    b.set_present(total);
    b.set_total(total);
    return b;
  };
  {
    mv1::RecordCellResolutionRequest q;
    q.set_name(n);
    *q.mutable_ballot() = ballot(D(2024, 9, 10), 3, 3);
    q.set_request_id(rid + "cell-resolution");
    step("cell resolution",
         suite.Call(suite.admission(), &AS::RecordCellResolution, sec, q, &p));
  }
  {
    mv1::RecordCommitteeResolutionRequest q;
    q.set_name(n);
    *q.mutable_ballot() = ballot(D(2024, 9, 17), 6, 7);
    q.set_request_id(rid + "committee-resolution");
    step("committee resolution",
         suite.Call(suite.admission(), &AS::RecordCommitteeResolution,
                    Board(college), q, &p));
  }
  {
    mv1::RecordAdmissionDecisionRequest q;
    q.set_name(n);
    q.mutable_decision()->set_number("45-QĐ/ĐUK");
    *q.mutable_decision()->mutable_signed_on() = D(2024, 10, 1);
    q.mutable_decision()->set_deciding_organization(bloc);
    q.mutable_decision()->set_deciding_body("Ban Thường vụ");
    q.set_authority(mv1::DECISION_AUTHORITY_SUPERIOR_STANDING_COMMITTEE);
    *q.mutable_received_on() = D(2024, 10, 3);
    q.set_request_id(rid + "decision");
    step("decision", suite.Call(suite.admission(), &AS::RecordAdmissionDecision,
                                Board(bloc), q, &p));
  }
  {
    mv1::RecordCeremonyRequest q;
    q.set_name(n);
    *q.mutable_held_on() = D(2024, 10, 15);
    q.set_request_id(rid + "ceremony");
    step("ceremony",
         suite.Call(suite.admission(), &AS::RecordCeremony, sec, q, &p));
    r.Add(absl::StrCat("probation ends on ",
                       p.admission().probation_ends_on().year(), "-",
                       p.admission().probation_ends_on().month(), "-",
                       p.admission().probation_ends_on().day()));
  }
  // Probation: the new members' class, whose certificate goes into the case.
  klass("dvm-2025", mv1::TRAINING_CLASS_KIND_NEW_MEMBERS, D(2025, 3, 3),
        D(2025, 3, 7), D(2025, 3, 14));
  {
    mv1::RecordRecognitionVoteRequest q;
    q.set_name(n);
    *q.mutable_ballot() = ballot(D(2025, 10, 20), 3, 3);
    q.set_request_id(rid + "recognition-vote");
    step("recognition vote",
         suite.Call(suite.admission(), &AS::RecordRecognitionVote, sec, q, &p));
  }
  {
    mv1::RecogniseMemberRequest q;
    q.set_name(n);
    q.mutable_decision()->set_number("88-QĐ/ĐUK");
    *q.mutable_decision()->mutable_signed_on() = D(2025, 10, 27);
    q.mutable_decision()->set_deciding_organization(bloc);
    q.set_request_id(rid + "recognition");
    step("recognition", suite.Call(suite.admission(), &AS::RecogniseMember,
                                   Board(bloc), q, &p));
    r.Add(absl::StrCat("official on ", p.official_on().year(), "-",
                       p.official_on().month(), "-", p.official_on().day()));
    r.Add(absl::StrCat("new member certificate ",
                       p.admission().new_member_certificate().number()));
  }
  if (absl::Status s = suite.EndFault(); !s.ok()) {
    ADD_FAILURE() << FaultName(fault) << ": " << s;
    r.Add("fault not injected");
  }
  // Each deadline's reminder, once in each inbox.
  reminders.RecordCounts();
  // The case as read back (nothing doubled by the retries).
  {
    mv1::GetPersonRequest q;
    q.set_name(n);
    mv1::Person read;
    if (r.Ok("read",
             suite.Call(suite.people(), &mv1::PersonService::Stub::GetPerson,
                        Admin(), q, &read))) {
      r.Add(absl::StrCat(
          "read back: ", cv1::Stage_Name(read.stage()), " mentors ",
          read.admission().mentors_size(), " introductions ",
          read.admission().introductions_size(), " cell ballots ",
          read.admission().cell_ballots_size(), " recognition ballots ",
          read.admission().recognition_ballots_size()));
    }
    mv1::ListEvaluationsRequest l;
    l.set_parent(n);
    mv1::ListEvaluationsResponse evaluations;
    if (r.Ok("evaluations", suite.Call(suite.admission(), &AS::ListEvaluations,
                                       sec, l, &evaluations))) {
      r.Add(absl::StrCat("evaluations: ", evaluations.evaluations_size()));
    }
  }
  // quotad learns the admission from membership's events only: one
  // admission in 2024 for the college, the bloc and the province.
  auto admitted = [&](const std::string& organization) -> int64_t {
    qv1::QueryAchievementsRequest q;
    q.set_name(province);
    q.set_term("terms/2020-2025");
    q.set_year(2024);
    q.set_scope(qv1::ORGANIZATION_SCOPE_SUBTREE);
    *q.mutable_as_of() = D(2025, 9, 30);
    q.set_page_size(1000);
    qv1::AchievementCounts counts;
    grpc::Status s = suite.Call(
        suite.achievements(), &qv1::AchievementService::Stub::QueryAchievements,
        Board(province), q, &counts);
    if (!s.ok()) return -1;
    for (const auto& row : counts.rows()) {
      if (row.organization().name() == organization) return row.admitted();
    }
    return 0;
  };
  Suite::Eventually([&] { return admitted(college) >= 1; }, kAsyncTimeout);
  for (const std::string& o : {college, bloc, province}) {
    r.Add(absl::StrCat("quota admitted 2024 ", o, ": ", admitted(o)));
  }
  std::sort(outcome.begin(), outcome.end());
  return outcome;
}

class OneCandidateTest : public ::testing::TestWithParam<Fault> {};

TEST_P(OneCandidateTest, FromSourcingToOfficialMember) {
  const Outcome outcome = RunComparedWithoutFault(RunOneCandidate, GetParam());
  ASSERT_FALSE(outcome.empty());
  const std::string joined = absl::StrJoin(outcome, "\n");
  // The key facts, stated explicitly.
  EXPECT_TRUE(Has(outcome, "after recognition: STAGE_OFFICIAL deadlines none"))
      << joined;
  EXPECT_TRUE(Has(outcome, "official on 2025-10-15")) << joined;
  EXPECT_TRUE(Has(outcome, "skip refused by rule pipeline.stage_allows_step"))
      << joined;
  EXPECT_TRUE(Has(outcome, "quota admitted 2024 organizations/cd-su-pham: 1"))
      << joined;
  EXPECT_TRUE(Has(outcome, "quota admitted 2024 organizations/lam-dong: 1"))
      << joined;
  EXPECT_TRUE(Has(outcome, "new member certificate dvm-2025/GCN")) << joined;
  EXPECT_TRUE(Has(outcome, "evaluations: 1")) << joined;
  EXPECT_TRUE(Has(outcome,
                  "read back: STAGE_OFFICIAL mentors 1 introductions 2 cell "
                  "ballots 1 recognition ballots 1"))
      << joined;
  // Each deadline of the pipeline produced its reminder, once, in the
  // inbox its rule names: the cell's duties in the secretary's inbox.
  EXPECT_TRUE(Has(outcome,
                  "reminder DEADLINE_KIND_CEREMONY_DUE in the secretary's "
                  "inbox: Đến hạn tổ chức lễ kết nạp nguyen-thi-an"))
      << joined;
  EXPECT_TRUE(Has(outcome,
                  "reminder DEADLINE_KIND_PROBATION_ENDS in the secretary's "
                  "inbox: Đồng chí nguyen-thi-an sắp hết thời gian dự bị"))
      << joined;
  EXPECT_TRUE(Has(outcome,
                  "reminder DEADLINE_KIND_RECOGNITION_VOTE_DUE in the "
                  "secretary's inbox: Đến hạn xét công nhận đảng viên chính "
                  "thức cho nguyen-thi-an"))
      << joined;
  EXPECT_TRUE(
      Has(outcome,
          "reminder DEADLINE_KIND_PROBATION_ENDS sent to "
          "recipients/org-cb-khoa-toan,recipients/person-nguyen-thi-an"))
      << joined;
  for (const char* kind :
       {"DEADLINE_KIND_CEREMONY_DUE", "DEADLINE_KIND_PROBATION_ENDS",
        "DEADLINE_KIND_RECOGNITION_VOTE_DUE"}) {
    EXPECT_TRUE(Has(outcome, absl::StrCat("messages of ", kind,
                                          " in the secretary's inbox: 1")))
        << kind << "\n"
        << joined;
  }
  // The superior level's decisions: reminded in the deciding committee's
  // office (the bloc's standing committee decides, letter 1849-CV/ĐUK's
  // bloc), once.
  EXPECT_TRUE(Has(outcome,
                  "reminder DEADLINE_KIND_ADMISSION_DECISION_DUE sent to "
                  "recipients/org-duk"))
      << joined;
  EXPECT_TRUE(Has(outcome,
                  "reminder DEADLINE_KIND_RECOGNITION_DECISION_DUE sent to "
                  "recipients/org-duk"))
      << joined;
  for (const char* kind : {"DEADLINE_KIND_ADMISSION_DECISION_DUE",
                           "DEADLINE_KIND_RECOGNITION_DECISION_DUE"}) {
    const std::string in = absl::StrCat("reminder ", kind, " in the inbox of ");
    const std::string once = absl::StrCat("messages of ", kind, " in ");
    int reminded = 0, counted = 0;
    for (const std::string& line : outcome) {
      if (line.rfind(in, 0) == 0) ++reminded;
      if (line.rfind(once, 0) == 0) {
        ++counted;
        EXPECT_EQ(line.substr(line.size() - 3), ": 1") << line;
      }
    }
    EXPECT_EQ(reminded, 1) << kind << "\n" << joined;
    EXPECT_EQ(counted, 1) << kind << "\n" << joined;
  }
  for (const std::string& line : outcome) {
    EXPECT_NE(line.rfind("no reminder of ", 0), 0u) << line;
  }
}

INSTANTIATE_TEST_SUITE_P(Faults, OneCandidateTest,
                         ::testing::ValuesIn(AllFaults()),
                         [](const ::testing::TestParamInfo<Fault>& info) {
                           return std::string(FaultName(info.param));
                         });

}  // namespace
}  // namespace partydev::acceptance
