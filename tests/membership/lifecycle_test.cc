// PersonService's member lifecycle on a real Redis, in-process: transfers
// (official and temporary, their deadlines and the person's move),
// exemption, removal, resignation, death, disciplines, improvement periods
// and party age. Every rule the service enforces is broken by a test.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "common/errors.h"
#include "common/grpc_status.h"
#include "tests/membership/membership_fixture.h"

namespace partydev::membership {
namespace {

// The rule ids of a refused call.
class LifecycleTest : public MembershipFixture {
 protected:
  common::v1::DecisionRef Decision(const std::string& number,
                                   const common::v1::Date& signed_on) {
    common::v1::DecisionRef d;
    d.set_number(number);
    *d.mutable_signed_on() = signed_on;
    d.set_deciding_organization(college_);
    return d;
  }

  v1::CreateTransferRequest OfficialTransfer(const v1::Person& p,
                                             const std::string& to) {
    v1::CreateTransferRequest r;
    r.set_parent(p.name());
    r.mutable_transfer()->set_kind(v1::TRANSFER_KIND_OFFICIAL);
    r.mutable_transfer()->set_reason(v1::TRANSFER_REASON_JOB_CHANGE);
    r.mutable_transfer()->set_to_organization(to);
    *r.mutable_transfer()->mutable_moved_on() = D(2026, 9, 1);
    return r;
  }

  v1::CreateTransferRequest TemporaryTransfer(const v1::Person& p,
                                              const common::v1::Date& end) {
    v1::CreateTransferRequest r = OfficialTransfer(p, cell_b_);
    r.mutable_transfer()->set_kind(v1::TRANSFER_KIND_TEMPORARY);
    r.mutable_transfer()->set_reason(v1::TRANSFER_REASON_WORK_ASSIGNMENT);
    *r.mutable_transfer()->mutable_expected_end_on() = end;
    return r;
  }

  v1::Transfer MustCreate(const v1::CreateTransferRequest& r) {
    v1::Transfer t;
    grpc::Status s =
        people_->CreateTransfer(As(Secretary(cell_a_)).get(), r, &t);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return t;
  }

  v1::Transfer MustIssue(const v1::Transfer& t, const common::v1::Date& on) {
    v1::IssueTransferLetterRequest r;
    r.set_name(t.name());
    *r.mutable_letter() = Decision("15-GGT/ĐU", on);
    v1::Transfer out;
    grpc::Status s =
        people_->IssueTransferLetter(As(Secretary(cell_a_)).get(), r, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  v1::Transfer MustReceive(const v1::Transfer& t, const common::v1::Date& on,
                           const Caller& caller) {
    v1::ReceiveTransferRequest r;
    r.set_name(t.name());
    *r.mutable_received_on() = on;
    v1::Transfer out;
    grpc::Status s = people_->ReceiveTransfer(As(caller).get(), r, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  v1::Person MustGet(const std::string& name) {
    v1::GetPersonRequest r;
    r.set_name(name);
    v1::Person p;
    grpc::Status s = people_->GetPerson(As(Admin()).get(), r, &p);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return p;
  }

  v1::Person MustCreateProbationaryMember(const std::string& cell,
                                          const std::string& full_name,
                                          const std::string& citizen_id) {
    v1::CreatePersonRequest request =
        CandidateRequest(cell, full_name, citizen_id);
    request.mutable_person()->clear_source();
    v1::ExistingMembership* m = request.mutable_existing_membership();
    *m->mutable_admission_decision() = Decision("200-QĐ/ĐU", D(2026, 3, 2));
    *m->mutable_ceremony_on() = D(2026, 3, 20);
    v1::Person out;
    grpc::Status s = people_->CreatePerson(As(Admin()).get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  v1::RemoveMemberRequest Removal(const v1::Person& p) {
    v1::RemoveMemberRequest r;
    r.set_name(p.name());
    r.add_grounds(v1::REMOVAL_GROUND_CARD_RETURNED_OR_DESTROYED);
    v1::Ballot* b = r.mutable_cell_ballot();
    *b->mutable_held_on() = D(2026, 10, 5);
    b->set_votes_for(5);
    b->set_votes_against(1);
    b->set_present(6);
    b->set_total(6);
    *r.mutable_decision() = Decision("88-QĐ/ĐU", D(2026, 10, 20));
    *r.mutable_effective_on() = D(2026, 10, 20);
    return r;
  }
};

TEST_F(LifecycleTest, OfficialInternalTransferMovesThePerson) {
  v1::Person p =
      MustCreateOfficialMember(cell_a_, "Nguyễn Văn An", "079085000001");
  const int64_t events_before = EventCount();
  v1::Transfer t = MustCreate(OfficialTransfer(p, cell_b_));
  EXPECT_EQ(t.state(), v1::TRANSFER_STATE_PENDING_LETTER);
  EXPECT_EQ(t.direction(), v1::TRANSFER_DIRECTION_INTERNAL);
  EXPECT_EQ(t.from_organization(), cell_a_);
  ASSERT_EQ(t.deadlines_size(), 1);
  EXPECT_EQ(t.deadlines(0).kind(),
            common::v1::DEADLINE_KIND_TRANSFER_START_DUE);
  EXPECT_EQ(t.deadlines(0).length(), 60);
  // 60 working days after Tue 2026-09-01 (2 Sep holiday, weekends).
  EXPECT_GT(t.deadlines(0).due_on().month(), 10);

  v1::Transfer issued = MustIssue(t, D(2026, 9, 10));
  EXPECT_EQ(issued.state(), v1::TRANSFER_STATE_LETTER_ISSUED);
  ASSERT_EQ(issued.deadlines_size(), 1);
  EXPECT_EQ(issued.deadlines(0).kind(),
            common::v1::DEADLINE_KIND_TRANSFER_LETTER_DUE);
  EXPECT_EQ(issued.deadlines(0).length(), 30);
  EXPECT_EQ(MustGet(p.name()).status(), v1::PERSON_STATUS_TRANSFER_PENDING);

  // The receiving cell records the reception.
  v1::Transfer received =
      MustReceive(issued, D(2026, 9, 20), Secretary(cell_b_));
  EXPECT_EQ(received.state(), v1::TRANSFER_STATE_RECEIVED);
  EXPECT_EQ(received.receiving_cell(), cell_b_);

  v1::Person moved = MustGet(p.name());
  EXPECT_EQ(moved.organization(), cell_b_);
  EXPECT_EQ(moved.organization_path(moved.organization_path_size() - 1),
            cell_b_);
  EXPECT_EQ(moved.status(), v1::PERSON_STATUS_ACTIVE);
  EXPECT_TRUE(moved.deadlines().empty());
  bool new_home = false;
  for (const auto& a : moved.affiliations()) {
    if (a.organization() == cell_b_ && a.role() == v1::AFFILIATION_ROLE_HOME)
      new_home = true;
  }
  EXPECT_TRUE(new_home);
  // MemberTransferred "introduced" and "completed".
  EXPECT_GE(EventCount(), events_before + 2);

  v1::GetTransferRequest get;
  get.set_name(t.name());
  v1::Transfer got;
  ASSERT_TRUE(people_->GetTransfer(As(Reader(cell_b_)).get(), get, &got).ok());
  EXPECT_EQ(got.state(), v1::TRANSFER_STATE_RECEIVED);

  v1::ListTransfersRequest list;
  list.set_parent("people/-");
  list.set_organization(college_);
  list.set_filter("state = RECEIVED");
  v1::ListTransfersResponse listed;
  ASSERT_TRUE(
      people_->ListTransfers(As(Board(college_)).get(), list, &listed).ok());
  EXPECT_EQ(listed.total_size(), 1);
}

TEST_F(LifecycleTest, TransferOfACandidateIsRefused) {
  v1::Person c = MustCreateCandidate(cell_a_, "Trần Thị Bình", "079085000002");
  v1::Transfer t;
  grpc::Status s = people_->CreateTransfer(As(Secretary(cell_a_)).get(),
                                           OfficialTransfer(c, cell_b_), &t);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(RulesOf(s).count("transfer.member_only"));
}

TEST_F(LifecycleTest, TemporaryTransferLength) {
  v1::Person p =
      MustCreateOfficialMember(cell_a_, "Lê Văn Cường", "079085000003");
  v1::Transfer t;
  // Two months: too short.
  grpc::Status s = people_->CreateTransfer(
      As(Secretary(cell_a_)).get(), TemporaryTransfer(p, D(2026, 11, 1)), &t);
  EXPECT_TRUE(RulesOf(s).count("transfer.temporary_length"));
  // A full year for work: not under one year.
  s = people_->CreateTransfer(As(Secretary(cell_a_)).get(),
                              TemporaryTransfer(p, D(2027, 9, 1)), &t);
  EXPECT_TRUE(RulesOf(s).count("transfer.temporary_length"));
  // Study: up to two years is allowed.
  v1::CreateTransferRequest study = TemporaryTransfer(p, D(2028, 8, 31));
  study.mutable_transfer()->set_reason(v1::TRANSFER_REASON_STUDY);
  study.set_validate_only(true);
  s = people_->CreateTransfer(As(Secretary(cell_a_)).get(), study, &t);
  EXPECT_TRUE(s.ok()) << s.error_message();
  // Missing end date: a field error.
  v1::CreateTransferRequest no_end = TemporaryTransfer(p, D(2027, 1, 1));
  no_end.mutable_transfer()->clear_expected_end_on();
  s = people_->CreateTransfer(As(Secretary(cell_a_)).get(), no_end, &t);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(FieldsOf(s).count("transfer.expected_end_on"));
}

TEST_F(LifecycleTest, TemporaryTransferHostAndReturn) {
  v1::Person p =
      MustCreateOfficialMember(cell_a_, "Phạm Thị Dung", "079085000004");
  v1::Transfer t = MustCreate(TemporaryTransfer(p, D(2027, 3, 1)));
  t = MustIssue(t, D(2026, 9, 5));
  t = MustReceive(t, D(2026, 9, 15), Secretary(cell_a_));
  v1::Person away = MustGet(p.name());
  EXPECT_EQ(away.organization(), cell_a_);
  EXPECT_EQ(away.host_organization(), cell_b_);
  EXPECT_EQ(away.status(), v1::PERSON_STATUS_TEMPORARILY_AWAY);
  ASSERT_EQ(t.deadlines_size(), 1);
  EXPECT_EQ(t.deadlines(0).kind(),
            common::v1::DEADLINE_KIND_TEMPORARY_TRANSFER_ENDS);

  // The host cell ends it.
  v1::EndTemporaryTransferRequest end;
  end.set_name(t.name());
  *end.mutable_ended_on() = D(2026, 11, 20);
  v1::Transfer ended;
  grpc::Status s =
      people_->EndTemporaryTransfer(As(Secretary(cell_b_)).get(), end, &ended);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(ended.state(), v1::TRANSFER_STATE_ENDED);
  v1::Person back = MustGet(p.name());
  EXPECT_TRUE(back.host_organization().empty());
  EXPECT_EQ(back.status(), v1::PERSON_STATUS_ACTIVE);
}

TEST_F(LifecycleTest, OneOpenTransfer) {
  v1::Person p =
      MustCreateOfficialMember(cell_a_, "Hoàng Văn Em", "079085000005");
  v1::Transfer first = MustCreate(OfficialTransfer(p, cell_b_));
  v1::Transfer t;
  grpc::Status s = people_->CreateTransfer(As(Secretary(cell_a_)).get(),
                                           OfficialTransfer(p, cell_b_), &t);
  EXPECT_TRUE(RulesOf(s).count("transfer.one_open"));
  // Cancelled, a new one may start.
  v1::CancelTransferRequest cancel;
  cancel.set_name(first.name());
  cancel.set_reason("Đảng viên không chuyển công tác nữa");
  ASSERT_TRUE(
      people_->CancelTransfer(As(Secretary(cell_a_)).get(), cancel, &t).ok());
  EXPECT_EQ(t.state(), v1::TRANSFER_STATE_CANCELLED);
  s = people_->CreateTransfer(As(Secretary(cell_a_)).get(),
                              OfficialTransfer(p, cell_b_), &t);
  EXPECT_TRUE(s.ok()) << s.error_message();
  // A cancelled transfer cannot receive its letter.
  v1::IssueTransferLetterRequest issue;
  issue.set_name(first.name());
  *issue.mutable_letter() = Decision("1-GGT", D(2026, 9, 2));
  s = people_->IssueTransferLetter(As(Secretary(cell_a_)).get(), issue, &t);
  EXPECT_TRUE(RulesOf(s).count("transfer.state"));
}

TEST_F(LifecycleTest, OtherProvinceIsRefusedAndNothingWritten) {
  v1::Person p =
      MustCreateOfficialMember(cell_a_, "Vũ Thị Giang", "079085000006");
  const int64_t events_before = EventCount();
  v1::Transfer t;
  grpc::Status s = people_->CreateTransfer(As(Secretary(other_cell_)).get(),
                                           OfficialTransfer(p, cell_b_), &t);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::Person out;
  v1::ExemptMemberRequest exempt;
  exempt.set_name(p.name());
  exempt.set_ground(v1::EXEMPTION_GROUND_OLD_AGE);
  exempt.set_scope(v1::EXEMPTION_SCOPE_WORK_AND_MEETINGS);
  *exempt.mutable_decision() = Decision("3-NQ/CB", D(2026, 10, 1));
  *exempt.mutable_starts_on() = D(2026, 10, 1);
  s = people_->ExemptMember(As(Board(other_province_)).get(), exempt, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = people_->RemoveMember(As(Secretary(other_cell_)).get(), Removal(p), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // A reader of the cell may not write either.
  s = people_->ExemptMember(As(Reader(cell_a_)).get(), exempt, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(EventCount(), events_before);
  v1::ListTransfersRequest list;
  list.set_parent(p.name());
  v1::ListTransfersResponse listed;
  ASSERT_TRUE(people_->ListTransfers(As(Admin()).get(), list, &listed).ok());
  EXPECT_EQ(listed.total_size(), 0);
  EXPECT_EQ(MustGet(p.name()).etag(), p.etag());
}

TEST_F(LifecycleTest, ValidateOnlyWritesNothingAndRetryIsIdempotent) {
  v1::Person p =
      MustCreateOfficialMember(cell_a_, "Đỗ Văn Hải", "079085000007");
  const int64_t events_before = EventCount();
  v1::CreateTransferRequest r = OfficialTransfer(p, cell_b_);
  r.set_validate_only(true);
  v1::Transfer t;
  ASSERT_TRUE(
      people_->CreateTransfer(As(Secretary(cell_a_)).get(), r, &t).ok());
  EXPECT_EQ(t.state(), v1::TRANSFER_STATE_PENDING_LETTER);
  EXPECT_EQ(EventCount(), events_before);
  EXPECT_EQ(MustGet(p.name()).etag(), p.etag());

  r.set_validate_only(false);
  r.set_request_id("5b0e7c1a-3f0e-4a7e-9a55-0c2d1f3b9e11");
  v1::Transfer first, second;
  ASSERT_TRUE(
      people_->CreateTransfer(As(Secretary(cell_a_)).get(), r, &first).ok());
  grpc::Status s =
      people_->CreateTransfer(As(Secretary(cell_a_)).get(), r, &second);
  ASSERT_TRUE(s.ok()) << s.error_message();  // not transfer.one_open
  EXPECT_EQ(first.name(), second.name());
  v1::ListTransfersRequest list;
  list.set_parent(p.name());
  v1::ListTransfersResponse listed;
  ASSERT_TRUE(people_->ListTransfers(As(Admin()).get(), list, &listed).ok());
  EXPECT_EQ(listed.total_size(), 1);

  // A stale etag is ABORTED.
  v1::ExemptMemberRequest exempt;
  exempt.set_name(p.name());
  exempt.set_ground(v1::EXEMPTION_GROUND_WEAK_HEALTH);
  exempt.set_scope(v1::EXEMPTION_SCOPE_WORK);
  *exempt.mutable_decision() = Decision("4-NQ/CB", D(2026, 10, 1));
  *exempt.mutable_starts_on() = D(2026, 10, 1);
  exempt.set_etag(p.etag());
  v1::Person out;
  s = people_->ExemptMember(As(Secretary(cell_a_)).get(), exempt, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
}

TEST_F(LifecycleTest, ExemptionOfMembersOnly) {
  v1::Person c = MustCreateCandidate(cell_a_, "Ngô Thị Kim", "079085000008");
  v1::ExemptMemberRequest r;
  r.set_name(c.name());
  r.set_ground(v1::EXEMPTION_GROUND_OLD_AGE);
  r.set_scope(v1::EXEMPTION_SCOPE_WORK_AND_MEETINGS);
  *r.mutable_decision() = Decision("5-NQ/CB", D(2026, 10, 1));
  *r.mutable_starts_on() = D(2026, 10, 1);
  v1::Person out;
  grpc::Status s = people_->ExemptMember(As(Secretary(cell_a_)).get(), r, &out);
  EXPECT_TRUE(RulesOf(s).count("exemption.member_only"));

  v1::Person m =
      MustCreateOfficialMember(cell_a_, "Ngô Văn Lâm", "079085000009");
  r.set_name(m.name());
  s = people_->ExemptMember(As(Secretary(cell_a_)).get(), r, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.status(), v1::PERSON_STATUS_EXEMPT);
  EXPECT_EQ(out.exemption().ground(), v1::EXEMPTION_GROUND_OLD_AGE);
  s = people_->ExemptMember(As(Secretary(cell_a_)).get(), r, &out);
  EXPECT_TRUE(RulesOf(s).count("exemption.not_exempt"));

  v1::EndExemptionRequest end;
  end.set_name(m.name());
  *end.mutable_ended_on() = D(2026, 11, 1);
  ASSERT_TRUE(
      people_->EndExemption(As(Secretary(cell_a_)).get(), end, &out).ok());
  EXPECT_EQ(out.status(), v1::PERSON_STATUS_ACTIVE);
  EXPECT_FALSE(out.has_exemption());
  s = people_->EndExemption(As(Secretary(cell_a_)).get(), end, &out);
  EXPECT_TRUE(RulesOf(s).count("exemption.open"));
}

TEST_F(LifecycleTest, RemovalOfficialOnlyWithTheCellsVote) {
  v1::Person prob =
      MustCreateProbationaryMember(cell_a_, "Lý Thị Mai", "079085000010");
  v1::Person out;
  grpc::Status s =
      people_->RemoveMember(As(Secretary(cell_a_)).get(), Removal(prob), &out);
  EXPECT_TRUE(RulesOf(s).count("removal.official_only"));

  v1::Person m =
      MustCreateOfficialMember(cell_a_, "Lý Văn Nam", "079085000011");
  v1::RemoveMemberRequest weak = Removal(m);
  weak.mutable_cell_ballot()->set_votes_for(3);
  weak.mutable_cell_ballot()->set_votes_against(3);
  s = people_->RemoveMember(As(Secretary(cell_a_)).get(), weak, &out);
  EXPECT_TRUE(RulesOf(s).count("removal.cell_ballot"));
  v1::RemoveMemberRequest no_grounds = Removal(m);
  no_grounds.clear_grounds();
  s = people_->RemoveMember(As(Secretary(cell_a_)).get(), no_grounds, &out);
  EXPECT_TRUE(FieldsOf(s).count("grounds"));

  const int64_t events_before = EventCount();
  s = people_->RemoveMember(As(Secretary(cell_a_)).get(), Removal(m), &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.stage(), common::v1::STAGE_LEFT);
  EXPECT_EQ(out.status(), v1::PERSON_STATUS_REMOVED);
  EXPECT_EQ(out.departure().kind(), common::v1::DEPARTURE_KIND_REMOVAL);
  EXPECT_EQ(EventCount(), events_before + 2);  // MemberLeft, StageChanged
  // Gone from the rolls: no second departure, no transfer.
  s = people_->RemoveMember(As(Secretary(cell_a_)).get(), Removal(m), &out);
  EXPECT_TRUE(RulesOf(s).count("removal.official_only"));
  v1::Transfer t;
  s = people_->CreateTransfer(As(Secretary(cell_a_)).get(),
                              OfficialTransfer(m, cell_b_), &t);
  EXPECT_TRUE(RulesOf(s).count("transfer.member_only"));
}

TEST_F(LifecycleTest, ResignationAndDeath) {
  v1::Person m =
      MustCreateOfficialMember(cell_a_, "Trịnh Văn Phúc", "079085000012");
  v1::RecordResignationRequest r;
  r.set_name(m.name());
  *r.mutable_requested_on() = D(2026, 10, 10);
  *r.mutable_decision() = Decision("90-QĐ/ĐU", D(2026, 10, 1));
  v1::Person out;
  grpc::Status s =
      people_->RecordResignation(As(Secretary(cell_a_)).get(), r, &out);
  EXPECT_TRUE(RulesOf(s).count("resignation.decision_after_request"));
  *r.mutable_decision()->mutable_signed_on() = D(2026, 10, 25);
  s = people_->RecordResignation(As(Secretary(cell_a_)).get(), r, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.status(), v1::PERSON_STATUS_RESIGNED);
  EXPECT_EQ(out.stage(), common::v1::STAGE_LEFT);

  v1::Person c = MustCreateCandidate(cell_a_, "Đinh Thị Quế", "079085000013");
  v1::RecordDeathRequest d;
  d.set_name(c.name());
  *d.mutable_died_on() = D(2026, 11, 2);
  ASSERT_TRUE(people_->RecordDeath(As(Secretary(cell_a_)).get(), d, &out).ok());
  EXPECT_EQ(out.status(), v1::PERSON_STATUS_CLOSED);
  s = people_->RecordDeath(As(Secretary(cell_a_)).get(), d, &out);
  EXPECT_TRUE(RulesOf(s).count("death.on_rolls"));

  v1::Person m2 =
      MustCreateOfficialMember(cell_a_, "Đinh Văn Sơn", "079085000014");
  d.set_name(m2.name());
  ASSERT_TRUE(people_->RecordDeath(As(Secretary(cell_a_)).get(), d, &out).ok());
  EXPECT_EQ(out.status(), v1::PERSON_STATUS_DECEASED);
  EXPECT_EQ(out.stage(), common::v1::STAGE_LEFT);
}

TEST_F(LifecycleTest, PartyAgeWithAGap) {
  v1::Person m =
      MustCreateOfficialMember(cell_a_, "Mai Văn Tài", "079085000015");
  v1::GetPartyAgeRequest get;
  get.set_name(m.name() + "/partyAge");
  *get.mutable_as_of() = D(2025, 3, 2);
  v1::PartyAge age;
  ASSERT_TRUE(people_->GetPartyAge(As(Reader(cell_a_)).get(), get, &age).ok());
  EXPECT_EQ(age.months(), 120);  // admitted 2015-03-02
  EXPECT_EQ(age.years(), 10);

  v1::RecordPartyAgeGapRequest r;
  r.set_name(m.name());
  r.mutable_gap()->set_kind(v1::PARTY_AGE_GAP_KIND_OUT_OF_CONTACT);
  *r.mutable_gap()->mutable_starts_on() = D(2018, 1, 1);
  *r.mutable_gap()->mutable_ends_on() = D(2018, 12, 31);
  v1::PartyAge after;
  grpc::Status s =
      people_->RecordPartyAgeGap(As(Reader(cell_a_)).get(), r, &after);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = people_->RecordPartyAgeGap(As(Secretary(cell_a_)).get(), r, &after);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_TRUE(people_->GetPartyAge(As(Reader(cell_a_)).get(), get, &age).ok());
  EXPECT_EQ(age.gaps_size(), 1);
  EXPECT_EQ(age.months(), 108);  // a year less
  // On 2026-11-24: 140 months since 2015-03-02, less the year's gap. (The
  // stored Person.party_age_months is set too, but GetPerson recomputes it
  // without the gaps; see the report.)
  EXPECT_EQ(after.months(), 128);

  // A gap before the admission is refused.
  *r.mutable_gap()->mutable_starts_on() = D(2014, 1, 1);
  s = people_->RecordPartyAgeGap(As(Secretary(cell_a_)).get(), r, &after);
  EXPECT_TRUE(RulesOf(s).count("party_age.gap_after_admission"));
  // A candidate has no party age.
  v1::Person c = MustCreateCandidate(cell_a_, "Mai Thị Uyên", "079085000016");
  get.set_name(c.name() + "/partyAge");
  s = people_->GetPartyAge(As(Reader(cell_a_)).get(), get, &age);
  EXPECT_TRUE(RulesOf(s).count("party_age.admitted"));
}

TEST_F(LifecycleTest, DisciplinesAndExpulsion) {
  v1::Person prob =
      MustCreateProbationaryMember(cell_a_, "Cao Văn Vinh", "079085000017");
  v1::CreateDisciplineRequest r;
  r.set_parent(prob.name());
  v1::Discipline* d = r.mutable_discipline();
  d->set_form(v1::DISCIPLINE_FORM_EXPULSION);
  *d->mutable_decision() = Decision("7-QĐ/UBKT", D(2026, 10, 3));
  d->set_violation("Vi phạm quy định những điều đảng viên không được làm");
  *d->mutable_effective_on() = D(2026, 10, 3);
  v1::Discipline out;
  grpc::Status s =
      people_->CreateDiscipline(As(Secretary(cell_a_)).get(), r, &out);
  EXPECT_TRUE(RulesOf(s).count("discipline.form_allowed"));
  d->set_form(v1::DISCIPLINE_FORM_WARNING);
  d->mutable_decision()->set_deciding_organization(other_cell_);
  s = people_->CreateDiscipline(As(Secretary(cell_a_)).get(), r, &out);
  EXPECT_TRUE(RulesOf(s).count("discipline.deciding_body"));
  d->mutable_decision()->set_deciding_organization(college_);
  s = people_->CreateDiscipline(As(Secretary(cell_a_)).get(), r, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.state(), v1::DISCIPLINE_STATE_IN_EFFECT);

  v1::Person m =
      MustCreateOfficialMember(cell_a_, "Cao Thị Xuân", "079085000018");
  r.set_parent(m.name());
  d->set_form(v1::DISCIPLINE_FORM_EXPULSION);
  s = people_->CreateDiscipline(As(Secretary(cell_a_)).get(), r, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::Person expelled = MustGet(m.name());
  EXPECT_EQ(expelled.status(), v1::PERSON_STATUS_EXPELLED);
  EXPECT_EQ(expelled.departure().source(), out.name());

  v1::UpdateDisciplineRequest u;
  *u.mutable_discipline() = out;
  u.mutable_discipline()->set_state(v1::DISCIPLINE_STATE_ANNULLED);
  u.mutable_update_mask()->add_paths("state");
  u.set_reason("Ủy ban kiểm tra cấp trên hủy quyết định");
  s = people_->UpdateDiscipline(As(Secretary(cell_a_)).get(), u, &out);
  EXPECT_TRUE(RulesOf(s).count("discipline.annulment_reason"));
  u.mutable_discipline()->set_annulment_reason("Khiếu nại được chấp nhận");
  u.mutable_update_mask()->add_paths("annulment_reason");
  s = people_->UpdateDiscipline(As(Secretary(cell_a_)).get(), u, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.state(), v1::DISCIPLINE_STATE_ANNULLED);

  v1::ListDisciplinesRequest list;
  list.set_parent("people/-");
  list.set_organization(cell_a_);
  v1::ListDisciplinesResponse listed;
  ASSERT_TRUE(
      people_->ListDisciplines(As(Reader(cell_a_)).get(), list, &listed).ok());
  EXPECT_EQ(listed.total_size(), 2);
}

TEST_F(LifecycleTest, ImprovementPeriod) {
  v1::Person m =
      MustCreateOfficialMember(cell_a_, "Bùi Văn Yên", "079085000019");
  v1::CreateImprovementPeriodRequest r;
  r.set_parent(m.name());
  v1::ImprovementPeriod* ip = r.mutable_improvement_period();
  ip->set_shortcomings("Không sinh hoạt đều");
  ip->set_requirements("Dự đủ các kỳ sinh hoạt");
  *ip->mutable_starts_on() = D(2026, 6, 1);
  *ip->mutable_ends_on() = D(2026, 5, 1);
  v1::ImprovementPeriod out;
  grpc::Status s =
      people_->CreateImprovementPeriod(As(Secretary(cell_a_)).get(), r, &out);
  EXPECT_TRUE(FieldsOf(s).count("improvement_period.ends_on"));
  *ip->mutable_ends_on() = D(2027, 6, 1);
  s = people_->CreateImprovementPeriod(As(Secretary(cell_a_)).get(), r, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.state(), v1::IMPROVEMENT_PERIOD_STATE_OPEN);

  v1::ReviewImprovementPeriodRequest review;
  review.set_name(out.name());
  *review.mutable_review()->mutable_reviewed_on() = D(2026, 9, 1);
  review.mutable_review()->set_summary("Có tiến bộ");
  s = people_->ReviewImprovementPeriod(As(Secretary(cell_a_)).get(), review,
                                       &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.reviews_size(), 1);

  v1::CloseImprovementPeriodRequest close;
  close.set_name(out.name());
  close.set_outcome(v1::IMPROVEMENT_PERIOD_STATE_IMPROVED);
  close.set_conclusion("Đã khắc phục");
  ASSERT_TRUE(
      people_->CloseImprovementPeriod(As(Secretary(cell_a_)).get(), close, &out)
          .ok());
  EXPECT_EQ(out.state(), v1::IMPROVEMENT_PERIOD_STATE_IMPROVED);
  s = people_->CloseImprovementPeriod(As(Secretary(cell_a_)).get(), close,
                                      &out);
  EXPECT_TRUE(RulesOf(s).count("improvement.open"));
}

}  // namespace
}  // namespace partydev::membership
