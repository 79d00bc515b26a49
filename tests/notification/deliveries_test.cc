// DirectiveService, the delivery side: reading, acknowledging, reporting
// and tracking deliveries, the READ side effect of the inbox, on a real
// Redis with notifyd's organisation tree projected from membership events
// (notification_fixture.h). Deliveries are written through
// DeliveryStore::StageChange (the only writer of their keys), except in
// the end-to-end test, which issues a directive and lets the fan-out make
// them.

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/metrics.h"
#include "gtest/gtest.h"
#include "partydev/notification/v1/directive_service.grpc.pb.h"
#include "partydev/notification/v1/inbox.grpc.pb.h"
#include "services/notification/delivery_deadlines.h"
#include "services/notification/delivery_dispatcher.h"
#include "services/notification/delivery_store.h"
#include "services/notification/directive_store.h"
#include "services/notification/inbox_store.h"
#include "services/notification/notification_access.h"
#include "services/notification/queue/job_queue.h"
#include "services/notification/recipient_store.h"
#include "tests/notification/notification_fixture.h"

namespace partydev::notification {
namespace {

class DeliveriesTest : public NotificationFixture {
 protected:
  void SetUp() override {
    NotificationFixture::SetUp();
    directives_ = v1::DirectiveService::NewStub(server_->channel());
    inbox_ = v1::InboxService::NewStub(server_->channel());
    SetToday(2024, 3, 1);
  }

  // The secretary of `org` (an officer who may act for it).
  static Caller Secretary(const std::string& org) {
    return {absl::StrCat("people/bt-", org.substr(org.rfind('/') + 1)), org,
            "secretary"};
  }

  // Stores an issued directive of the bloc (06-CT/ĐUK): acknowledgement due
  // on `ack_by`, quarterly reports from `first_report`, when given.
  void PutDirective(const std::string& id,
                    std::optional<common::v1::Date> ack_by,
                    std::optional<common::v1::Date> first_report,
                    const v1::EscalationPolicy& escalation = {}) {
    v1::Directive d;
    d.set_name("directives/" + id);
    d.set_issuing_organization(bloc_);
    d.add_issuing_body_lines("ĐẢNG BỘ TỈNH LÂM ĐỒNG");
    d.add_issuing_body_lines("ĐẢNG ỦY KHỐI CÁC CƠ QUAN TỈNH");
    d.set_document_type(v1::DOCUMENT_TYPE_DIRECTIVE);
    d.set_issuer_code("ĐUK");
    d.set_number(6);
    d.set_reference("06-CT/ĐUK");
    d.set_place("Đà Lạt");
    *d.mutable_signed_on() = D(2024, 3, 1);
    d.set_subject("về nâng cao chất lượng sinh hoạt chi bộ");
    d.set_body("Đề nghị các chi bộ tổ chức quán triệt.");
    d.set_state(v1::DIRECTIVE_STATE_ISSUED);
    if (ack_by.has_value()) {
      *d.mutable_acknowledgement()->mutable_due_date() = *ack_by;
    }
    if (first_report.has_value()) {
      *d.mutable_report()->mutable_first_due_date() = *first_report;
      d.mutable_report()->set_recurrence(v1::REPORT_RECURRENCE_QUARTERLY);
    }
    *d.mutable_escalation() = escalation;
    AtomicWrite write;
    DirectiveStore(*context_).StagePut(write, d, 0);
    absl::StatusOr<WriteResult> done = write.Commit(context_->redis());
    ASSERT_TRUE(done.ok()) << done.status();
  }

  // Writes the DELIVERED delivery of directive `id` to `org`.
  v1::Delivery PutDelivery(const std::string& id, const std::string& org,
                           std::optional<common::v1::Date> ack_by,
                           std::optional<common::v1::Date> report_due) {
    absl::StatusOr<TreeOnDay> tree = CurrentTree(*context_);
    EXPECT_TRUE(tree.ok()) << tree.status();
    v1::Delivery d;
    d.set_name(absl::StrCat("directives/", id, "/deliveries/org-",
                            org.substr(org.rfind('/') + 1)));
    d.set_recipient(OrganizationRecipientName(org));
    d.set_organization(org);
    d.set_recipient_label(absl::StrCat("Chi bộ ", org));
    for (const std::string& o : PathOf(*tree, org)) {
      d.add_organization_path(o);
    }
    d.set_purpose(v1::RECIPIENT_PURPOSE_ACT);
    d.set_origin(v1::DELIVERY_ORIGIN_LISTED);
    d.set_state(v1::DELIVERY_STATE_DELIVERED);
    d.set_overdue_step(v1::OVERDUE_STEP_NONE);
    if (ack_by.has_value()) {
      d.set_acknowledgement_required(true);
      *d.mutable_acknowledge_by() = *ack_by;
    }
    if (report_due.has_value()) {
      d.set_report_required(true);
      *d.mutable_next_report_due() = *report_due;
    }
    *d.mutable_create_time() = ToTimestamp(clock_->Now());
    *d.mutable_deliver_time() = ToTimestamp(clock_->Now());
    AtomicWrite write;
    DeliveryStore(*context_).StageChange(write, nullptr, 0, d);
    absl::StatusOr<WriteResult> done = write.Commit(context_->redis());
    EXPECT_TRUE(done.ok()) << done.status();
    return MustGet(d.name());
  }

  v1::Delivery MustGet(const std::string& name) {
    v1::GetDeliveryRequest request;
    request.set_name(name);
    v1::Delivery out;
    grpc::Status s = directives_->GetDelivery(As(Admin()).get(), request, &out);
    EXPECT_TRUE(s.ok()) << Describe(s);
    return out;
  }

  grpc::Status Acknowledge(const Caller& caller, const v1::Delivery& d,
                           v1::Delivery* out, const std::string& etag = "",
                           bool validate_only = false,
                           const std::string& request_id = "") {
    v1::AcknowledgeDeliveryRequest request;
    request.set_name(d.name());
    request.set_note("Đã phổ biến tại sinh hoạt chi bộ tháng 3.");
    request.set_registry_number("125");
    request.set_etag(etag);
    request.set_validate_only(validate_only);
    request.set_request_id(request_id);
    return directives_->AcknowledgeDelivery(As(caller).get(), request, out);
  }

  grpc::Status Report(const Caller& caller, const v1::Delivery& d,
                      const common::v1::Date& due, v1::Delivery* out,
                      const std::string& corrects = "") {
    v1::SubmitDeliveryReportRequest request;
    request.set_name(d.name());
    *request.mutable_report()->mutable_due_date() = due;
    request.mutable_report()->set_text("Chi bộ đã tổ chức 3 buổi sinh hoạt.");
    request.mutable_report()->set_corrects(corrects);
    return directives_->SubmitDeliveryReport(As(caller).get(), request, out);
  }

  int Count(const v1::SubtreeTracking& t, v1::DeliveryState state) {
    for (const auto& c : t.counts()) {
      if (c.state() == state) return c.count();
    }
    return 0;
  }

  // The messages of `recipient`'s inbox, newest first.
  std::vector<v1::Message> Inbox(const std::string& recipient) {
    InboxStore store(*context_);
    absl::StatusOr<std::vector<std::string>> ids =
        store.IdsNewestFirst(recipient, "", 1000);
    EXPECT_TRUE(ids.ok()) << ids.status();
    absl::StatusOr<std::vector<Stored<v1::Message>>> messages =
        store.GetMany(recipient, ids.ok() ? *ids : std::vector<std::string>());
    std::vector<v1::Message> out;
    if (messages.ok()) {
      for (auto& m : *messages) out.push_back(m.message);
    }
    return out;
  }

  std::unique_ptr<v1::DirectiveService::Stub> directives_;
  std::unique_ptr<v1::InboxService::Stub> inbox_;
};

TEST_F(DeliveriesTest, AcknowledgementSaysWhoByNameAndTitle) {
  PutDirective("ct-06", D(2024, 3, 5), std::nullopt);
  const v1::Delivery d =
      PutDelivery("ct-06", cell_toan_, D(2024, 3, 5), std::nullopt);
  // The caller's name and title come with its identity (the token's "name"
  // and "title" claims; in development auth, binary headers, so UTF-8).
  std::unique_ptr<grpc::ClientContext> context = As(Secretary(cell_toan_));
  context->AddMetadata("x-partydev-name-bin", "Nguyễn Thị Lan");
  context->AddMetadata("x-partydev-title-bin", "Bí thư chi bộ");
  v1::AcknowledgeDeliveryRequest request;
  request.set_name(d.name());
  v1::Delivery acked;
  grpc::Status s =
      directives_->AcknowledgeDelivery(context.get(), request, &acked);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(acked.acknowledgement().acknowledged_by(), "people/bt-cb-toan");
  EXPECT_EQ(acked.acknowledgement().acknowledged_by_name(), "Nguyễn Thị Lan");
  EXPECT_EQ(acked.acknowledgement().acknowledged_by_title(), "Bí thư chi bộ");
}

TEST_F(DeliveriesTest, AcknowledgedOnceByTheRecipientsOfficer) {
  PutDirective("ct-06", D(2024, 3, 5), std::nullopt);
  const v1::Delivery d =
      PutDelivery("ct-06", cell_toan_, D(2024, 3, 5), std::nullopt);
  ASSERT_EQ(d.etag(), "v1");
  v1::Delivery acked;
  grpc::Status s = Acknowledge(Secretary(cell_toan_), d, &acked, d.etag());
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(acked.state(), v1::DELIVERY_STATE_ACKNOWLEDGED);
  EXPECT_EQ(acked.acknowledgement().acknowledged_by(), "people/bt-cb-toan");
  EXPECT_EQ(acked.acknowledgement().registry_number(), "125");
  EXPECT_FALSE(acked.acknowledgement().late());
  EXPECT_EQ(acked.etag(), "v2");
  const v1::Delivery stored = MustGet(d.name());
  EXPECT_EQ(stored.state(), v1::DELIVERY_STATE_ACKNOWLEDGED);
  EXPECT_EQ(FromProto(stored.acknowledgement().time()), clock_->Now());

  v1::Delivery again;
  s = Acknowledge(Secretary(cell_toan_), stored, &again);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(
      absl::StrContains(s.error_message(), "directive.acknowledge.once") ||
      absl::StrContains(s.error_message(), "một lần"))
      << s.error_message();
}

TEST_F(DeliveriesTest, OnlyTheRecipientOrganisationsOfficerAcknowledges) {
  PutDirective("ct-06", D(2024, 3, 5), std::nullopt);
  const v1::Delivery d =
      PutDelivery("ct-06", cell_toan_, D(2024, 3, 5), std::nullopt);
  const auto before = Snapshot();
  v1::Delivery out;
  // Another organisation (another province's cell).
  grpc::Status s = Acknowledge(Secretary(other_cell_), d, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Describe(s);
  // A sibling cell.
  s = Acknowledge(Secretary(cell_van_), d, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Describe(s);
  // The superior: may read it, may not acknowledge for the cell.
  s = Acknowledge(Secretary(university_), d, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Describe(s);
  // A reader of the cell holds no office.
  s = Acknowledge(Reader(cell_toan_), d, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Describe(s);
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(DeliveriesTest, AcknowledgementRulesEtagAndDryRun) {
  PutDirective("ct-06", D(2024, 3, 5), D(2024, 3, 31));
  // A copy for information: no acknowledgement required.
  const v1::Delivery info =
      PutDelivery("ct-06", cell_van_, std::nullopt, std::nullopt);
  v1::Delivery out;
  grpc::Status s = Acknowledge(Secretary(cell_van_), info, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(
      absl::StrContains(s.error_message(), "directive.acknowledge.required") ||
      absl::StrContains(s.error_message(), "không yêu cầu"))
      << s.error_message();

  const v1::Delivery d =
      PutDelivery("ct-06", cell_toan_, D(2024, 3, 5), D(2024, 3, 31));
  s = Acknowledge(Secretary(cell_toan_), d, &out, "v7");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED) << Describe(s);

  const auto before = Snapshot();
  s = Acknowledge(Secretary(cell_toan_), d, &out, d.etag(), true);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(out.state(), v1::DELIVERY_STATE_ACKNOWLEDGED);
  EXPECT_EQ(Snapshot(), before);
  EXPECT_EQ(MustGet(d.name()).state(), v1::DELIVERY_STATE_DELIVERED);

  // A retry with the same request id gets the first answer.
  v1::Delivery first, retry;
  ASSERT_TRUE(
      Acknowledge(Secretary(cell_toan_), d, &first, "", false, "req-1").ok());
  s = Acknowledge(Secretary(cell_toan_), d, &retry, "", false, "req-1");
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(retry.etag(), first.etag());
  // The acknowledgement moves the due index to the report.
  absl::StatusOr<std::vector<std::string>> due =
      DeliveryStore(*context_).DueBy(absl::CivilDay(2024, 3, 30), 100);
  ASSERT_TRUE(due.ok());
  EXPECT_TRUE(due->empty());
  due = DeliveryStore(*context_).DueBy(absl::CivilDay(2024, 3, 31), 100);
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(due->size(), 1u);
}

TEST_F(DeliveriesTest, LateAcknowledgementIsMarkedLate) {
  PutDirective("ct-06", D(2024, 3, 5), std::nullopt);
  const v1::Delivery d =
      PutDelivery("ct-06", cell_toan_, D(2024, 3, 5), std::nullopt);
  SetToday(2024, 3, 6);
  v1::Delivery out;
  ASSERT_TRUE(Acknowledge(Secretary(cell_toan_), d, &out).ok());
  EXPECT_TRUE(out.acknowledgement().late());
  EXPECT_EQ(out.state(), v1::DELIVERY_STATE_ACKNOWLEDGED);
}

TEST_F(DeliveriesTest, ReportsAnswerADueDateAndCorrectionsNameTheFirst) {
  PutDirective("ct-06", std::nullopt, D(2024, 3, 31));
  const v1::Delivery d =
      PutDelivery("ct-06", cell_toan_, std::nullopt, D(2024, 3, 31));
  v1::Delivery out;
  grpc::Status s = Report(Secretary(cell_toan_), d, D(2024, 4, 15), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "report.due_date"))
      << s.error_message();
  s = Report(Secretary(university_), d, D(2024, 3, 31), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);

  s = Report(Secretary(cell_toan_), d, D(2024, 3, 31), &out);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(out.state(), v1::DELIVERY_STATE_REPORTED);
  ASSERT_EQ(out.reports_size(), 1);
  EXPECT_EQ(out.reports(0).report_id(), "2024-q1");
  EXPECT_FALSE(out.reports(0).late());
  EXPECT_EQ(out.next_report_due().month(), 6);
  EXPECT_EQ(out.next_report_due().day(), 30);

  // The same period again needs `corrects`.
  s = Report(Secretary(cell_toan_), d, D(2024, 3, 31), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(
      absl::StrContains(s.error_message(), "directive.report.corrects") ||
      absl::StrContains(s.error_message(), "corrects"))
      << s.error_message();
  s = Report(Secretary(cell_toan_), d, D(2024, 3, 31), &out, "2024-q2");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  s = Report(Secretary(cell_toan_), d, D(2024, 3, 31), &out, "2024-q1");
  ASSERT_TRUE(s.ok()) << Describe(s);
  ASSERT_EQ(out.reports_size(), 2);
  EXPECT_TRUE(out.reports(0).superseded());
  EXPECT_FALSE(out.reports(1).superseded());
  EXPECT_EQ(out.reports(1).corrects(), "2024-q1");
  EXPECT_EQ(out.next_report_due().month(), 6);
}

TEST_F(DeliveriesTest, ReadingFollowsTheSubtree) {
  PutDirective("ct-06", D(2024, 3, 5), std::nullopt);
  const v1::Delivery d =
      PutDelivery("ct-06", cell_toan_, D(2024, 3, 5), std::nullopt);
  EXPECT_FALSE(d.rendered_text().empty());
  EXPECT_TRUE(absl::StrContains(d.rendered_text(), "quán triệt"))
      << d.rendered_text();
  v1::GetDeliveryRequest get;
  get.set_name(d.name());
  v1::Delivery out;
  EXPECT_TRUE(
      directives_->GetDelivery(As(Reader(university_)).get(), get, &out).ok());
  EXPECT_TRUE(
      directives_->GetDelivery(As(Reader(cell_toan_)).get(), get, &out).ok());
  // A sibling cell, another province: denied.
  grpc::Status s =
      directives_->GetDelivery(As(Reader(cell_van_)).get(), get, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  s = directives_->GetDelivery(As(Reader(other_province_)).get(), get, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // The issuer (the bloc) reads every delivery.
  EXPECT_TRUE(
      directives_->GetDelivery(As(Reader(bloc_)).get(), get, &out).ok());
}

TEST_F(DeliveriesTest, ListFiltersBySubtreeStateRecipientAndOrder) {
  PutDirective("ct-06", D(2024, 3, 5), std::nullopt);
  const v1::Delivery toan =
      PutDelivery("ct-06", cell_toan_, D(2024, 3, 5), std::nullopt);
  PutDelivery("ct-06", cell_van_, D(2024, 3, 5), std::nullopt);
  PutDelivery("ct-06", cell_health_, D(2024, 3, 5), std::nullopt);
  v1::Delivery acked;
  ASSERT_TRUE(Acknowledge(Secretary(cell_toan_), toan, &acked).ok());

  v1::ListDeliveriesRequest request;
  request.set_parent("directives/ct-06");
  request.set_order_by("recipient_label");
  v1::ListDeliveriesResponse response;
  ASSERT_TRUE(
      directives_->ListDeliveries(As(Reader(bloc_)).get(), request, &response)
          .ok());
  EXPECT_EQ(response.total_size(), 3);

  request.set_under_organization(university_);
  response.Clear();
  ASSERT_TRUE(
      directives_->ListDeliveries(As(Reader(bloc_)).get(), request, &response)
          .ok());
  EXPECT_EQ(response.total_size(), 2);

  request.add_states(v1::DELIVERY_STATE_DELIVERED);
  response.Clear();
  ASSERT_TRUE(
      directives_->ListDeliveries(As(Reader(bloc_)).get(), request, &response)
          .ok());
  ASSERT_EQ(response.deliveries_size(), 1);
  EXPECT_EQ(response.deliveries(0).organization(), cell_van_);

  // A cell sees only its own.
  request.Clear();
  request.set_parent("directives/ct-06");
  response.Clear();
  ASSERT_TRUE(
      directives_
          ->ListDeliveries(As(Reader(cell_health_)).get(), request, &response)
          .ok());
  ASSERT_EQ(response.deliveries_size(), 1);
  EXPECT_EQ(response.deliveries(0).organization(), cell_health_);

  // Every directive a recipient received.
  request.Clear();
  request.set_parent("directives/-");
  request.set_recipient(OrganizationRecipientName(cell_toan_));
  response.Clear();
  ASSERT_TRUE(
      directives_
          ->ListDeliveries(As(Reader(cell_toan_)).get(), request, &response)
          .ok());
  ASSERT_EQ(response.deliveries_size(), 1);
  EXPECT_EQ(response.deliveries(0).name(), toan.name());

  request.set_recipient("");
  grpc::Status s = directives_->ListDeliveries(As(Reader(cell_toan_)).get(),
                                               request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  request.set_parent("directives/ct-06");
  request.set_order_by("state");
  s = directives_->ListDeliveries(As(Reader(cell_toan_)).get(), request,
                                  &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "order_by"));
}

TEST_F(DeliveriesTest, TrackCountsPerSubtreeAndChild) {
  PutDirective("ct-06", D(2024, 3, 5), std::nullopt);
  const v1::Delivery toan =
      PutDelivery("ct-06", cell_toan_, D(2024, 3, 5), std::nullopt);
  PutDelivery("ct-06", cell_van_, D(2024, 3, 5), std::nullopt);
  PutDelivery("ct-06", university_, D(2024, 3, 5), std::nullopt);
  PutDelivery("ct-06", cell_health_, D(2024, 3, 5), std::nullopt);
  v1::Delivery acked;
  ASSERT_TRUE(Acknowledge(Secretary(cell_toan_), toan, &acked).ok());

  v1::TrackDirectiveRequest request;
  request.set_name("directives/ct-06");
  request.set_by_child(true);
  request.add_list_states(v1::DELIVERY_STATE_ACKNOWLEDGED);
  v1::TrackDirectiveResponse response;
  grpc::Status s =
      directives_->TrackDirective(As(Reader(bloc_)).get(), request, &response);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(response.summary().total(), 4);
  EXPECT_EQ(Count(response.summary(), v1::DELIVERY_STATE_ACKNOWLEDGED), 1);
  EXPECT_EQ(Count(response.summary(), v1::DELIVERY_STATE_DELIVERED), 3);
  ASSERT_EQ(response.children_size(), 2);
  for (const v1::SubtreeTracking& child : response.children()) {
    if (child.organization() == university_) {
      EXPECT_EQ(child.total(), 3);
      EXPECT_EQ(Count(child, v1::DELIVERY_STATE_ACKNOWLEDGED), 1);
    } else {
      EXPECT_EQ(child.organization(), health_);
      EXPECT_EQ(child.total(), 1);
    }
  }
  ASSERT_EQ(response.lists_size(), 1);
  EXPECT_EQ(response.lists(0).total(), 1);
  ASSERT_EQ(response.lists(0).deliveries_size(), 1);
  EXPECT_EQ(response.lists(0).deliveries(0).organization(), cell_toan_);

  // Under the university only; a cell sees its own subtree by default.
  request.set_under_organization(university_);
  response.Clear();
  ASSERT_TRUE(
      directives_->TrackDirective(As(Reader(bloc_)).get(), request, &response)
          .ok());
  EXPECT_EQ(response.summary().total(), 3);
  EXPECT_EQ(response.children_size(), 2);  // the two cells
  request.clear_under_organization();
  response.Clear();
  ASSERT_TRUE(
      directives_
          ->TrackDirective(As(Reader(cell_van_)).get(), request, &response)
          .ok());
  EXPECT_EQ(response.summary().total(), 1);
  s = directives_->TrackDirective(As(Reader(other_province_)).get(), request,
                                  &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  request.set_under_organization(health_);
  s = directives_->TrackDirective(As(Reader(cell_van_)).get(), request,
                                  &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(DeliveriesTest, ReadingTheMessageMarksTheDeliveryRead) {
  PutDirective("ct-06", D(2024, 3, 5), std::nullopt);
  const v1::Delivery d =
      PutDelivery("ct-06", cell_toan_, D(2024, 3, 5), std::nullopt);
  v1::Message message;
  message.set_category(v1::MESSAGE_CATEGORY_DIRECTIVE);
  message.set_subject("Văn bản mới: 06-CT/ĐUK");
  message.set_body("Kính gửi Chi bộ Khoa Toán");
  message.set_delivery(d.name());
  absl::StatusOr<InboxStore::Appended> appended =
      InboxStore(*context_).Append(d.recipient(), message, "ct-06-toan");
  ASSERT_TRUE(appended.ok()) << appended.status();
  SetToday(2024, 3, 2);
  v1::MarkMessageReadRequest read;
  read.set_name(appended->name);
  v1::Message out;
  grpc::Status s =
      inbox_->MarkMessageRead(As(Secretary(cell_toan_)).get(), read, &out);
  ASSERT_TRUE(s.ok()) << Describe(s);
  const v1::Delivery after = MustGet(d.name());
  EXPECT_EQ(after.state(), v1::DELIVERY_STATE_READ);
  EXPECT_EQ(after.read_by(), "people/bt-cb-toan");
  EXPECT_EQ(FromProto(after.read_time()), clock_->Now());
  // Reading again keeps the first read.
  SetToday(2024, 3, 3);
  ASSERT_TRUE(
      inbox_->MarkMessageRead(As(Secretary(cell_toan_)).get(), read, &out)
          .ok());
  EXPECT_EQ(FromProto(MustGet(d.name()).read_time()),
            VietnamTime(2024, 3, 2, 12));
}

// The deadline sweep (delivery_deadlines.h) with the shipped rules: the
// report rule reminds 3 days before, on the day, then every 7 days.
TEST_F(DeliveriesTest, SweepRemindsBeforeOnTheDayAndAfterNeverTwice) {
  PutDirective("ct-06", std::nullopt, D(2024, 3, 31));
  const v1::Delivery d =
      PutDelivery("ct-06", cell_toan_, std::nullopt, D(2024, 3, 31));
  DeliveryDeadlines deadlines(*context_, absl::Hours(1));
  auto sweep = [&]() {
    absl::StatusOr<int> sent = deadlines.SweepOnce();
    EXPECT_TRUE(sent.ok()) << sent.status();
    return sent.ok() ? *sent : -1;
  };
  SetToday(2024, 3, 27);
  EXPECT_EQ(sweep(), 0);
  SetToday(2024, 3, 28);  // 3 days before, 08:00 has passed at noon
  EXPECT_EQ(sweep(), 1);
  EXPECT_EQ(sweep(), 0);  // never twice
  SetToday(2024, 3, 31);
  EXPECT_EQ(sweep(), 1);
  EXPECT_EQ(MustGet(d.name()).state(), v1::DELIVERY_STATE_DELIVERED);
  SetToday(2024, 4, 1);  // late from the day after
  EXPECT_EQ(sweep(), 0);
  v1::Delivery late = MustGet(d.name());
  EXPECT_EQ(late.state(), v1::DELIVERY_STATE_LATE);
  EXPECT_EQ(late.overdue_step(), v1::OVERDUE_STEP_REPORT);
  SetToday(2024, 4, 7);
  EXPECT_EQ(sweep(), 1);
  EXPECT_EQ(sweep(), 0);
  late = MustGet(d.name());
  EXPECT_EQ(late.reminders_sent(), 3);
  EXPECT_EQ(FromProto(late.next_reminder_time()), VietnamTime(2024, 4, 14, 8));
  const std::vector<v1::Message> inbox = Inbox(d.recipient());
  ASSERT_EQ(inbox.size(), 3u);
  for (const v1::Message& m : inbox) {
    EXPECT_EQ(m.category(), v1::MESSAGE_CATEGORY_DIRECTIVE_REMINDER);
    EXPECT_EQ(m.delivery(), d.name());
    EXPECT_TRUE(absl::StrContains(m.subject(), "06-CT/ĐUK")) << m.subject();
  }
  EXPECT_TRUE(absl::StrContains(inbox.back().body(), "31/03/2024"))
      << inbox.back().body();

  // The late list and the counters follow.
  v1::TrackDirectiveRequest track;
  track.set_name("directives/ct-06");
  v1::TrackDirectiveResponse tracked;
  ASSERT_TRUE(
      directives_->TrackDirective(As(Reader(bloc_)).get(), track, &tracked)
          .ok());
  EXPECT_EQ(tracked.summary().late_reports(), 1);
  EXPECT_EQ(Count(tracked.summary(), v1::DELIVERY_STATE_LATE), 1);
  ASSERT_EQ(tracked.late_size(), 1);
  EXPECT_EQ(tracked.late(0).name(), d.name());

  // Reporting ends the period's reminders and the lateness.
  v1::Delivery reported;
  ASSERT_TRUE(
      Report(Secretary(cell_toan_), late, D(2024, 3, 31), &reported).ok());
  EXPECT_EQ(reported.state(), v1::DELIVERY_STATE_REPORTED);
  EXPECT_TRUE(reported.reports(0).late());
  SetToday(2024, 4, 14);
  EXPECT_EQ(sweep(), 0);
  tracked.Clear();
  ASSERT_TRUE(
      directives_->TrackDirective(As(Reader(bloc_)).get(), track, &tracked)
          .ok());
  EXPECT_EQ(tracked.summary().late_reports(), 0);
  EXPECT_EQ(tracked.late_size(), 0);
}

TEST_F(DeliveriesTest, SweepStopsRemindingOnceAcknowledged) {
  PutDirective("ct-06", D(2024, 3, 5), std::nullopt);
  const v1::Delivery d =
      PutDelivery("ct-06", cell_toan_, D(2024, 3, 5), std::nullopt);
  DeliveryDeadlines deadlines(*context_, absl::Hours(1));
  SetToday(2024, 3, 5);
  absl::StatusOr<int> sent = deadlines.SweepOnce();
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_EQ(*sent, 1);  // on the day
  v1::Delivery acked;
  ASSERT_TRUE(Acknowledge(Secretary(cell_toan_), d, &acked).ok());
  for (int day = 6; day <= 12; ++day) {
    SetToday(2024, 3, day);
    sent = deadlines.SweepOnce();
    ASSERT_TRUE(sent.ok()) << sent.status();
    EXPECT_EQ(*sent, 0) << "on 2024-03-" << day;
  }
  EXPECT_EQ(Inbox(d.recipient()).size(), 1u);
  EXPECT_EQ(MustGet(d.name()).state(), v1::DELIVERY_STATE_ACKNOWLEDGED);
}

TEST_F(DeliveriesTest, SweepEscalatesToTheParentAfterNReminders) {
  v1::EscalationPolicy escalation;
  escalation.set_escalate_after_reminders(2);
  PutDirective("ct-06", std::nullopt, D(2024, 3, 31), escalation);
  const v1::Delivery d =
      PutDelivery("ct-06", cell_toan_, std::nullopt, D(2024, 3, 31));
  DeliveryDeadlines deadlines(*context_, absl::Hours(1));
  // before-3, on-day and +7 all due at the first sweep: the recipient is
  // reminded once, with the latest, not with a burst of three.
  SetToday(2024, 4, 7);
  absl::StatusOr<int> sent = deadlines.SweepOnce();
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_EQ(*sent, 1);
  EXPECT_EQ(Inbox(d.recipient()).size(), 1u);
  const std::string superior = OrganizationRecipientName(university_);
  EXPECT_TRUE(Inbox(superior).empty());
  EXPECT_EQ(MustGet(d.name()).state(), v1::DELIVERY_STATE_LATE);

  SetToday(2024, 4, 14);  // the 2nd reminder after the due date escalates
  sent = deadlines.SweepOnce();
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_EQ(*sent, 2);  // the reminder and the escalation
  sent = deadlines.SweepOnce();
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_EQ(*sent, 0);
  const v1::Delivery escalated = MustGet(d.name());
  EXPECT_EQ(escalated.state(), v1::DELIVERY_STATE_ESCALATED);
  ASSERT_EQ(escalated.escalations_size(), 1);
  EXPECT_EQ(escalated.escalations(0).escalated_to(), university_);
  EXPECT_EQ(escalated.escalations(0).overdue_step(), v1::OVERDUE_STEP_REPORT);
  const std::vector<v1::Message> told = Inbox(superior);
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told[0].category(), v1::MESSAGE_CATEGORY_ESCALATION);
  EXPECT_EQ(told[0].name(), escalated.escalations(0).message());
  EXPECT_TRUE(absl::StrContains(told[0].body(), "06-CT/ĐUK")) << told[0].body();
  // Nobody else was told.
  EXPECT_TRUE(Inbox(OrganizationRecipientName(bloc_)).empty());
}

TEST_F(DeliveriesTest, SweepHonoursDisabledEscalation) {
  v1::EscalationPolicy escalation;
  escalation.set_escalate_after_reminders(1);
  escalation.set_disabled(true);
  PutDirective("ct-06", std::nullopt, D(2024, 3, 31), escalation);
  const v1::Delivery d =
      PutDelivery("ct-06", cell_health_, std::nullopt, D(2024, 3, 31));
  DeliveryDeadlines deadlines(*context_, absl::Hours(1));
  SetToday(2024, 4, 21);
  absl::StatusOr<int> sent = deadlines.SweepOnce();
  ASSERT_TRUE(sent.ok()) << sent.status();
  // -3, 0, +7, +14, +21 all due: one reminder (the latest), no escalation.
  EXPECT_EQ(*sent, 1);
  EXPECT_TRUE(Inbox(OrganizationRecipientName(health_)).empty());
  const v1::Delivery after = MustGet(d.name());
  EXPECT_EQ(after.state(), v1::DELIVERY_STATE_LATE);
  EXPECT_EQ(after.escalations_size(), 0);
}

// End to end: a directive created and issued through the API, fanned out
// by the delivery engine's FAN_OUT job, then acknowledged and tracked.
TEST_F(DeliveriesTest, IssuedDirectiveIsAcknowledgedAndTracked) {
  Metrics metrics;
  DeliveryDispatcher dispatcher(*context_);
  JobWorkerOptions options = DeliveryWorkerOptions(*context_, 7);
  options.block = absl::Milliseconds(20);
  JobWorker worker(context_->redis(), context_->queue_keys(), context_->clock(),
                   metrics, options, dispatcher.AsHandler());
  const Caller office = {"people/office", bloc_, "secretary"};
  v1::Directive d;
  d.set_issuing_organization(bloc_);
  d.add_issuing_body_lines("ĐẢNG BỘ TỈNH LÂM ĐỒNG");
  d.add_issuing_body_lines("ĐẢNG ỦY KHỐI CÁC CƠ QUAN TỈNH");
  d.set_document_type(v1::DOCUMENT_TYPE_OFFICIAL_LETTER);
  d.set_issuer_code("ĐUK");
  d.set_place("Đà Lạt");
  d.set_subject("đôn đốc thực hiện công tác phát triển đảng viên");
  d.set_body("Đề nghị các cấp ủy quan tâm lãnh đạo.");
  d.mutable_signer()->set_capacity(v1::SIGNING_CAPACITY_ON_BEHALF_OF);
  d.mutable_signer()->set_collective("BAN THƯỜNG VỤ");
  d.mutable_signer()->set_title("BÍ THƯ");
  d.mutable_signer()->set_signer_name("Hoàng Thanh Hải");
  v1::DirectiveRecipient* line = d.add_recipients();
  line->set_purpose(v1::RECIPIENT_PURPOSE_ACT);
  line->set_label("Các tổ chức cơ sở đảng trực thuộc");
  line->set_addressee(true);
  line->mutable_organizations()->set_under(bloc_);
  line->mutable_organizations()->set_direct_children_only(true);
  d.mutable_dissemination()->set_scope(v1::DISSEMINATION_SCOPE_CELLS);
  d.mutable_dissemination()->set_acknowledgement_required(true);
  *d.mutable_acknowledgement()->mutable_due_date() = D(2024, 3, 8);
  v1::CreateDirectiveRequest create;
  *create.mutable_directive() = d;
  create.set_directive_id("cv-1");
  v1::Directive draft, issued;
  grpc::Status s =
      directives_->CreateDirective(As(office).get(), create, &draft);
  ASSERT_TRUE(s.ok()) << Describe(s);
  v1::IssueDirectiveRequest issue;
  issue.set_name(draft.name());
  issue.set_etag(draft.etag());
  s = directives_->IssueDirective(As(office).get(), issue, &issued);
  ASSERT_TRUE(s.ok()) << Describe(s);
  ASSERT_TRUE(worker.Drain().ok());

  v1::ListDeliveriesRequest list;
  list.set_parent(draft.name());
  list.set_under_organization(university_);
  v1::ListDeliveriesResponse listed;
  s = directives_->ListDeliveries(As(office).get(), list, &listed);
  ASSERT_TRUE(s.ok()) << Describe(s);
  const v1::Delivery* toan = nullptr;
  for (const v1::Delivery& x : listed.deliveries()) {
    EXPECT_TRUE(std::find(x.organization_path().begin(),
                          x.organization_path().end(),
                          university_) != x.organization_path().end());
    if (x.organization() == cell_toan_) toan = &x;
  }
  ASSERT_NE(toan, nullptr) << listed.DebugString();
  v1::Delivery acked;
  s = Acknowledge(Secretary(cell_toan_), *toan, &acked, toan->etag());
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(acked.state(), v1::DELIVERY_STATE_ACKNOWLEDGED);

  v1::TrackDirectiveRequest track;
  track.set_name(draft.name());
  track.set_under_organization(university_);
  track.set_by_child(true);
  v1::TrackDirectiveResponse tracked;
  s = directives_->TrackDirective(As(office).get(), track, &tracked);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(tracked.summary().total(), listed.total_size());
  EXPECT_EQ(Count(tracked.summary(), v1::DELIVERY_STATE_ACKNOWLEDGED), 1);
  for (const v1::SubtreeTracking& child : tracked.children()) {
    EXPECT_EQ(child.total(), 1) << child.organization();
    EXPECT_EQ(Count(child, v1::DELIVERY_STATE_ACKNOWLEDGED),
              child.organization() == cell_toan_ ? 1 : 0);
  }
}

}  // namespace
}  // namespace partydev::notification
