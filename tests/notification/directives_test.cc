// DirectiveService, the directive side: drafts, issue (numbering, the
// reference, validation), the fan-out down to every cell through the
// delivery engine's FAN_OUT job, amendment and withdrawal, on a real Redis
// with notifyd's organisation tree projected from membership events.

#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "common/metrics.h"
#include "gtest/gtest.h"
#include "partydev/notification/v1/directive_service.grpc.pb.h"
#include "partydev/notification/v1/inbox.grpc.pb.h"
#include "services/notification/delivery_dispatcher.h"
#include "services/notification/delivery_store.h"
#include "services/notification/directive_fan_out.h"
#include "tests/notification/notification_fixture.h"

namespace partydev::notification {
namespace {

class DirectivesTest : public NotificationFixture {
 protected:
  void SetUp() override {
    NotificationFixture::SetUp();
    directives_ = v1::DirectiveService::NewStub(server_->channel());
    inbox_ = v1::InboxService::NewStub(server_->channel());
    dispatcher_ = std::make_unique<DeliveryDispatcher>(*context_);
    JobWorkerOptions options = DeliveryWorkerOptions(*context_, 7);
    options.block = absl::Milliseconds(20);
    worker_ = std::make_unique<JobWorker>(
        context_->redis(), context_->queue_keys(), context_->clock(), metrics_,
        options, dispatcher_->AsHandler());
    SetToday(2023, 9, 17);
  }
  void TearDown() override {
    worker_.reset();
    NotificationFixture::TearDown();
  }

  // The bloc committee's office (secretary role, bound to the bloc).
  Caller BlocOffice() const { return {"people/office", bloc_, "secretary"}; }

  // 1849-CV/ĐUK's shape: to every grassroots organisation under the bloc,
  // disseminated down to every cell, reported to the province, archived.
  v1::Directive Letter() const {
    v1::Directive d;
    d.set_issuing_organization(bloc_);
    d.add_issuing_body_lines("ĐẢNG BỘ TỈNH LÂM ĐỒNG");
    d.add_issuing_body_lines("ĐẢNG ỦY KHỐI CÁC CƠ QUAN TỈNH");
    d.set_document_type(v1::DOCUMENT_TYPE_OFFICIAL_LETTER);
    d.set_issuer_code("ĐUK");
    d.set_place("Đà Lạt");
    d.set_subject("đôn đốc thực hiện công tác phát triển đảng viên");
    d.set_body(
        "Đề nghị các cấp ủy quan tâm lãnh đạo công tác phát triển "
        "đảng viên.");
    d.mutable_signer()->set_capacity(v1::SIGNING_CAPACITY_ON_BEHALF_OF);
    d.mutable_signer()->set_collective("BAN THƯỜNG VỤ");
    d.mutable_signer()->set_title("BÍ THƯ");
    d.mutable_signer()->set_signer_name("Hoàng Thanh Hải");
    v1::DirectiveRecipient* grassroots = d.add_recipients();
    grassroots->set_purpose(v1::RECIPIENT_PURPOSE_ACT);
    grassroots->set_label("Các tổ chức cơ sở đảng trực thuộc");
    grassroots->set_addressee(true);
    grassroots->mutable_organizations()->set_under(bloc_);
    grassroots->mutable_organizations()->set_direct_children_only(true);
    v1::DirectiveRecipient* province = d.add_recipients();
    province->set_purpose(v1::RECIPIENT_PURPOSE_REPORT_TO);
    province->set_label("Ban Thường vụ Tỉnh ủy");
    province->set_organization(province_);
    d.mutable_dissemination()->set_scope(v1::DISSEMINATION_SCOPE_CELLS);
    return d;
  }

  grpc::Status Create(const Caller& caller, const v1::Directive& d,
                      const std::string& id, v1::Directive* out,
                      bool validate_only = false) {
    v1::CreateDirectiveRequest request;
    *request.mutable_directive() = d;
    request.set_directive_id(id);
    request.set_validate_only(validate_only);
    return directives_->CreateDirective(As(caller).get(), request, out);
  }

  grpc::Status Issue(const Caller& caller, const v1::Directive& draft,
                     v1::Directive* out, int number = 0,
                     bool validate_only = false) {
    v1::IssueDirectiveRequest request;
    request.set_name(draft.name());
    request.set_etag(draft.etag());
    request.set_number(number);
    request.set_validate_only(validate_only);
    return directives_->IssueDirective(As(caller).get(), request, out);
  }

  v1::Directive MustGet(const std::string& name) {
    v1::GetDirectiveRequest request;
    request.set_name(name);
    v1::Directive out;
    grpc::Status s =
        directives_->GetDirective(As(Admin()).get(), request, &out);
    EXPECT_TRUE(s.ok()) << Describe(s);
    return out;
  }

  // Creates and issues the letter, then lets the engine fan it out.
  v1::Directive MustIssue(const v1::Directive& d, const std::string& id) {
    v1::Directive draft, issued;
    grpc::Status s = Create(BlocOffice(), d, id, &draft);
    EXPECT_TRUE(s.ok()) << Describe(s);
    s = Issue(BlocOffice(), draft, &issued);
    EXPECT_TRUE(s.ok()) << Describe(s);
    EXPECT_TRUE(worker_->Drain().ok());
    return MustGet(draft.name());
  }

  int CountOf(const v1::Directive& d, v1::DeliveryState state) {
    for (const auto& c : d.delivery_counts()) {
      if (c.state() == state) return c.count();
    }
    return 0;
  }

  Metrics metrics_;
  std::unique_ptr<v1::DirectiveService::Stub> directives_;
  std::unique_ptr<v1::InboxService::Stub> inbox_;
  std::unique_ptr<DeliveryDispatcher> dispatcher_;
  std::unique_ptr<JobWorker> worker_;
};

TEST_F(DirectivesTest, DraftIsRenderedAsTheSeedsPrintIt) {
  v1::Directive draft;
  grpc::Status s = Create(BlocOffice(), Letter(), "cv-1849", &draft);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(draft.name(), "directives/cv-1849");
  EXPECT_EQ(draft.state(), v1::DIRECTIVE_STATE_DRAFT);
  // The server adds "V/v " to a letter's subject and keys to the lines.
  EXPECT_EQ(draft.subject(),
            "V/v đôn đốc thực hiện công tác phát triển đảng viên");
  EXPECT_EQ(draft.recipients(0).key(), "r1");
  EXPECT_EQ(draft.recipients(1).key(), "r2");
  EXPECT_TRUE(
      absl::StrContains(draft.rendered_text(), "ĐẢNG ỦY KHỐI CÁC CƠ QUAN TỈNH"))
      << draft.rendered_text();
  EXPECT_TRUE(absl::StrContains(draft.rendered_text(),
                                "Ban Thường vụ Tỉnh ủy (báo cáo)"));
  EXPECT_TRUE(absl::StrContains(draft.rendered_text(), "T/M BAN THƯỜNG VỤ"));
}

TEST_F(DirectivesTest, BadDraftsAreRefusedAndWriteNothing) {
  const auto before = Snapshot();
  v1::Directive d = Letter();
  d.clear_subject();
  d.mutable_recipients(0)->clear_purpose();
  v1::Directive out;
  grpc::Status s = Create(BlocOffice(), d, "bad", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "directive.subject"))
      << s.error_message();
  // A caller of another province may not write for the bloc.
  s = Create({"people/x", other_province_, "secretary"}, Letter(), "x", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Describe(s);
  // A reader of the bloc may not write at all.
  s = Create(Reader(bloc_), Letter(), "y", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // validate_only writes nothing either.
  s = Create(BlocOffice(), Letter(), "z", &out, /*validate_only=*/true);
  EXPECT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(DirectivesTest, IssueNumbersAndFansOutDownToEveryCell) {
  v1::Directive draft;
  ASSERT_TRUE(Create(BlocOffice(), Letter(), "cv-a", &draft).ok());
  // The dry run shows the reference and the planned deliveries and writes
  // nothing.
  const auto before = Snapshot();
  v1::Directive dry;
  grpc::Status s = Issue(BlocOffice(), draft, &dry, 0, true);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(dry.reference(), "01-CV/ĐUK");
  // university, health (listed), cb-toan, cb-van, cb-y-te (disseminated),
  // the province (báo cáo).
  EXPECT_EQ(dry.fan_out().planned_deliveries(), 6);
  EXPECT_EQ(dry.state(), v1::DIRECTIVE_STATE_DRAFT);
  EXPECT_EQ(Snapshot(), before);

  v1::Directive issued;
  s = Issue(BlocOffice(), draft, &issued);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(issued.state(), v1::DIRECTIVE_STATE_ISSUING);
  EXPECT_EQ(issued.reference(), "01-CV/ĐUK");
  EXPECT_EQ(issued.dated_line(), "Đà Lạt, ngày 17 tháng 9 năm 2023");
  ASSERT_TRUE(worker_->Drain().ok());
  const v1::Directive done = MustGet(draft.name());
  EXPECT_EQ(done.state(), v1::DIRECTIVE_STATE_ISSUED);
  EXPECT_EQ(done.fan_out().created_deliveries(), 6);
  EXPECT_EQ(CountOf(done, v1::DELIVERY_STATE_DELIVERED), 6);

  // Each cell's office got the message, linked to its delivery.
  DeliveryStore store(*context_);
  absl::StatusOr<Stored<v1::Delivery>> cell =
      store.Get("directives/cv-a/deliveries/org-cb-toan");
  ASSERT_TRUE(cell.ok()) << cell.status();
  EXPECT_EQ(cell->message.origin(), v1::DELIVERY_ORIGIN_DISSEMINATED);
  EXPECT_EQ(cell->message.disseminated_under(), university_);
  EXPECT_EQ(cell->message.recipient(), "recipients/org-cb-toan");
  ASSERT_FALSE(cell->message.message().empty());
  v1::GetMessageRequest get;
  get.set_name(cell->message.message());
  v1::Message message;
  s = inbox_->GetMessage(As(Admin()).get(), get, &message);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(message.delivery(), cell->message.name());
  EXPECT_TRUE(absl::StrContains(message.subject(), "01-CV/ĐUK"));
  // The grassroots organisations acknowledge; the province does not.
  absl::StatusOr<Stored<v1::Delivery>> university =
      store.Get("directives/cv-a/deliveries/org-dh-da-lat");
  ASSERT_TRUE(university.ok());
  EXPECT_TRUE(university->message.acknowledgement_required());
  EXPECT_TRUE(university->message.has_acknowledge_by());
  absl::StatusOr<Stored<v1::Delivery>> province =
      store.Get("directives/cv-a/deliveries/org-lam-dong");
  ASSERT_TRUE(province.ok());
  EXPECT_FALSE(province->message.acknowledgement_required());
  // Subtree counts: the university's part holds itself and its two cells.
  absl::StatusOr<DeliveryCounts> counts =
      store.Counts("directives/cv-a", university_);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->total, 3);

  // A second run of the fan-out (a redelivered job) changes nothing.
  const auto after = Snapshot();
  DirectiveFanOut fan_out(*context_);
  ASSERT_TRUE(fan_out.Run("directives/cv-a").ok());
  EXPECT_EQ(Snapshot(), after);

  // The next letter of the type gets 02; a number given twice is refused.
  v1::Directive second;
  ASSERT_TRUE(Create(BlocOffice(), Letter(), "cv-b", &second).ok());
  v1::Directive refused;
  s = Issue(BlocOffice(), second, &refused, 1);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "directive.number.unused"))
      << s.error_message();
  ASSERT_TRUE(Issue(BlocOffice(), second, &issued).ok());
  EXPECT_EQ(issued.reference(), "02-CV/ĐUK");
}

TEST_F(DirectivesTest, IssuedDirectivesChangeOnlyByAmendOrWithdraw) {
  const v1::Directive done = MustIssue(Letter(), "cv-c");
  ASSERT_EQ(done.state(), v1::DIRECTIVE_STATE_ISSUED);
  v1::UpdateDirectiveRequest update;
  *update.mutable_directive() = done;
  update.mutable_update_mask()->add_paths("subject");
  v1::Directive out;
  grpc::Status s =
      directives_->UpdateDirective(As(BlocOffice()).get(), update, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  v1::DeleteDirectiveRequest del;
  del.set_name(done.name());
  google::protobuf::Empty empty;
  s = directives_->DeleteDirective(As(BlocOffice()).get(), del, &empty);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  // Amend: drop the province line; its delivery is cancelled, the others
  // are told.
  v1::AmendDirectiveRequest amend;
  amend.set_name(done.name());
  amend.set_etag(done.etag());
  amend.set_reason("Bỏ nơi nhận Ban Thường vụ Tỉnh ủy");
  *amend.mutable_directive()->add_recipients() = done.recipients(0);
  amend.mutable_update_mask()->add_paths("recipients");
  s = directives_->AmendDirective(As(BlocOffice()).get(), amend, &out);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(out.amendments_size(), 1);
  ASSERT_TRUE(worker_->Drain().ok());
  v1::Directive amended = MustGet(done.name());
  EXPECT_EQ(amended.state(), v1::DIRECTIVE_STATE_ISSUED);
  EXPECT_EQ(CountOf(amended, v1::DELIVERY_STATE_CANCELLED), 1);
  EXPECT_EQ(CountOf(amended, v1::DELIVERY_STATE_DELIVERED), 5);

  // Withdraw: every live delivery is cancelled.
  v1::WithdrawDirectiveRequest withdraw;
  withdraw.set_name(done.name());
  withdraw.set_etag(amended.etag());
  s = directives_->WithdrawDirective(As(BlocOffice()).get(), withdraw, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);  // reason
  withdraw.set_reason("Ban hành nhầm");
  s = directives_->WithdrawDirective(As(BlocOffice()).get(), withdraw, &out);
  ASSERT_TRUE(s.ok()) << Describe(s);
  ASSERT_TRUE(worker_->Drain().ok());
  const v1::Directive withdrawn = MustGet(done.name());
  EXPECT_EQ(withdrawn.state(), v1::DIRECTIVE_STATE_WITHDRAWN);
  EXPECT_EQ(CountOf(withdrawn, v1::DELIVERY_STATE_CANCELLED), 6);
  EXPECT_EQ(CountOf(withdrawn, v1::DELIVERY_STATE_DELIVERED), 0);
}

TEST_F(DirectivesTest, BodyVariablesMustHaveAValueForEveryRecipient) {
  v1::Directive d = Letter();
  d.set_body("Tỷ lệ kết nạp đạt {{admission_rate}}.");
  d.mutable_dissemination()->set_scope(v1::DISSEMINATION_SCOPE_RECIPIENTS_ONLY);
  d.mutable_recipients(0)->mutable_values()->insert({"admission_rate", "42%"});
  v1::Directive draft, out;
  ASSERT_TRUE(Create(BlocOffice(), d, "cv-v", &draft).ok());
  grpc::Status s = Issue(BlocOffice(), draft, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "recipients[1].values"))
      << s.error_message();
}

TEST_F(DirectivesTest, ReadersOutsideTheSubtreeAreRefused) {
  const v1::Directive done = MustIssue(Letter(), "cv-r");
  v1::GetDirectiveRequest get;
  get.set_name(done.name());
  v1::Directive out;
  // Above the issuer (the province) and below it (a cell) may read.
  EXPECT_TRUE(
      directives_->GetDirective(As(Reader(province_)).get(), get, &out).ok());
  EXPECT_TRUE(
      directives_->GetDirective(As(Reader(cell_toan_)).get(), get, &out).ok());
  grpc::Status s =
      directives_->GetDirective(As(Reader(other_province_)).get(), get, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::ListDirectivesRequest list;
  v1::ListDirectivesResponse listed;
  ASSERT_TRUE(
      directives_->ListDirectives(As(Reader(province_)).get(), list, &listed)
          .ok());
  EXPECT_EQ(listed.directives_size(), 1);
  ASSERT_TRUE(
      directives_
          ->ListDirectives(As(Reader(other_province_)).get(), list, &listed)
          .ok());
  EXPECT_EQ(listed.directives_size(), 0);
}

}  // namespace
}  // namespace partydev::notification
