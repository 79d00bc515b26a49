// SendNotification, the in-app delivery and the inbox on a real notifyd and
// Redis: every rule of SendNotification broken with nothing written; the
// outbox job delivered by a real JobWorker into the inbox exactly once per
// idempotency key (retried request, second request, redelivered job);
// unread counts through read/unread/archive/mark-all; paging; and a
// subscription that resumes from its cursor without a gap.

#include "services/notification/inbox_service.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/metrics.h"
#include "partydev/notification/v1/inbox.grpc.pb.h"
#include "services/notification/delivery_dispatcher.h"
#include "services/notification/queue/job_worker.h"
#include "services/notification/recipient_store.h"
#include "tests/notification/notification_fixture.h"

namespace partydev::notification {
namespace {

constexpr char kOther[] = "organizations/tinh-khac";
constexpr char kP1[] = "recipients/person-p1";
constexpr char kP2[] = "recipients/person-p2";

class InboxTest : public NotificationFixture {
 protected:
  void SetUp() override {
    NotificationFixture::SetUp();
    inbox_ = v1::InboxService::NewStub(server_->channel());
    RecipientStore store(*context_);
    ASSERT_TRUE(store.EnsurePerson("people/p1", kCell, "Nguyễn Văn A").ok());
    ASSERT_TRUE(store.EnsurePerson("people/p2", kCell, "Lê Văn C").ok());
    ASSERT_TRUE(store.EnsurePerson("people/p9", kOther, "Trần Thị B").ok());
    dispatcher_ = std::make_unique<DeliveryDispatcher>(*context_);
    JobWorkerOptions options = DeliveryWorkerOptions(*context_, 9);
    options.block = absl::Milliseconds(20);
    worker_ = std::make_unique<JobWorker>(
        context_->redis(), context_->queue_keys(), context_->clock(), metrics_,
        options, dispatcher_->AsHandler());
  }
  void TearDown() override {
    worker_.reset();
    NotificationFixture::TearDown();
  }

  static Caller P1() { return {"people/p1", kCell, "member"}; }
  static Caller P2() { return {"people/p2", kCell, "member"}; }

  static v1::SendNotificationRequest Text(
      std::vector<std::string> recipients, const std::string& key,
      const std::string& subject = "Họp chi bộ") {
    v1::SendNotificationRequest request;
    for (const auto& r : recipients) request.add_recipients(r);
    request.set_category(v1::MESSAGE_CATEGORY_MEETING_INVITATION);
    request.mutable_content()->mutable_text()->set_subject(subject);
    request.mutable_content()->mutable_text()->set_body(
        "Kính mời đồng chí dự họp chi bộ thường kỳ.");
    request.set_idempotency_key(key);
    return request;
  }

  grpc::Status Send(const Caller& caller,
                    const v1::SendNotificationRequest& request,
                    v1::SendNotificationResponse* response) {
    return inbox_->SendNotification(As(caller).get(), request, response);
  }
  void MustSend(const v1::SendNotificationRequest& request) {
    v1::SendNotificationResponse response;
    grpc::Status s = Send(Operator(kCell), request, &response);
    ASSERT_TRUE(s.ok()) << Describe(s);
  }
  // Delivers every job enqueued so far.
  int Deliver() {
    absl::StatusOr<int> n = worker_->Drain();
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? *n : -1;
  }

  std::vector<v1::Message> List(const Caller& caller,
                                v1::ListMessagesRequest request) {
    v1::ListMessagesResponse response;
    grpc::Status s = inbox_->ListMessages(As(caller).get(), request, &response);
    EXPECT_TRUE(s.ok()) << Describe(s);
    return {response.messages().begin(), response.messages().end()};
  }
  std::vector<v1::Message> Inbox(const std::string& recipient) {
    v1::ListMessagesRequest request;
    request.set_parent(recipient);
    request.set_include_archived(true);
    return List(Admin(), request);
  }
  int Unread(const Caller& caller) {
    v1::CountUnreadMessagesRequest request;
    request.set_parent("recipients/me");
    v1::CountUnreadMessagesResponse response;
    grpc::Status s =
        inbox_->CountUnreadMessages(As(caller).get(), request, &response);
    EXPECT_TRUE(s.ok()) << Describe(s);
    return response.unread_count();
  }

  Metrics metrics_;
  std::unique_ptr<v1::InboxService::Stub> inbox_;
  std::unique_ptr<DeliveryDispatcher> dispatcher_;
  std::unique_ptr<JobWorker> worker_;
};

TEST_F(InboxTest, SendNotificationIsDeliveredOncePerKey) {
  v1::SendNotificationRequest request = Text({kP1, kP2}, "meeting-42");
  request.set_request_id("0b8a3f2e-5c1d-4e8f-9a7b-1c2d3e4f5a6b");
  v1::SendNotificationResponse first;
  grpc::Status s = Send(Operator(kCell), request, &first);
  ASSERT_TRUE(s.ok()) << Describe(s);
  ASSERT_EQ(first.results_size(), 2);
  EXPECT_EQ(first.results(0).recipient(), kP1);
  EXPECT_EQ(first.results(1).recipient(), kP2);
  EXPECT_FALSE(first.results(0).duplicate());
  EXPECT_TRUE(Inbox(kP1).empty()) << "delivered by the worker, not the RPC";

  EXPECT_EQ(Deliver(), 2);
  std::vector<v1::Message> p1 = Inbox(kP1);
  ASSERT_EQ(p1.size(), 1u);
  EXPECT_EQ(p1[0].subject(), "Họp chi bộ");
  EXPECT_EQ(p1[0].body(), "Kính mời đồng chí dự họp chi bộ thường kỳ.");
  EXPECT_EQ(p1[0].category(), v1::MESSAGE_CATEGORY_MEETING_INVITATION);
  EXPECT_EQ(p1[0].priority(), v1::MESSAGE_PRIORITY_NORMAL);
  EXPECT_EQ(p1[0].idempotency_key(), "meeting-42");
  EXPECT_EQ(FromProto(p1[0].create_time()), context_->clock().Now());
  EXPECT_EQ(Inbox(kP2).size(), 1u);
  EXPECT_EQ(Unread(P1()), 1);

  // The same request retried: the first answer, no new job.
  v1::SendNotificationResponse retried;
  s = Send(Operator(kCell), request, &retried);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(retried.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(Deliver(), 0);

  // Another request with the same business key: duplicates, naming the
  // messages the key created.
  request.set_request_id("1c9b4a3f-6d2e-4f90-8b8c-2d3e4f5a6b7c");
  v1::SendNotificationResponse second;
  s = Send(Operator(kCell), request, &second);
  ASSERT_TRUE(s.ok()) << Describe(s);
  ASSERT_EQ(second.results_size(), 2);
  EXPECT_TRUE(second.results(0).duplicate());
  EXPECT_EQ(second.results(0).message(), p1[0].name());
  EXPECT_EQ(Deliver(), 0);
  EXPECT_EQ(Inbox(kP1).size(), 1u);
  EXPECT_EQ(Unread(P1()), 1);

  // A new key is a new message.
  MustSend(Text({kP1}, "meeting-43"));
  EXPECT_EQ(Deliver(), 1);
  EXPECT_EQ(Inbox(kP1).size(), 2u);
  EXPECT_EQ(Unread(P1()), 2);
}

TEST_F(InboxTest, ARedeliveredJobMakesOneMessage) {
  v1::Message payload;
  payload.set_category(v1::MESSAGE_CATEGORY_SYSTEM);
  payload.set_subject("Thử");
  payload.set_body("Nội dung");
  storage::v1::Job job;
  job.set_id("job-1");
  job.set_idempotency_key(DeliveryKey(kP1, "k"));
  job.set_kind(v1::JOB_KIND_CHANNEL_DELIVERY);
  job.set_channel_type(v1::CHANNEL_TYPE_IN_APP);
  job.set_recipient(kP1);
  job.set_payload(payload.SerializeAsString());
  EXPECT_EQ(dispatcher_->Handle(job).kind, JobResult::Kind::kDone);
  EXPECT_EQ(dispatcher_->Handle(job).kind, JobResult::Kind::kDone);
  EXPECT_EQ(Inbox(kP1).size(), 1u);
  EXPECT_EQ(Unread(P1()), 1);

  // A job that cannot be understood is dead, not retried forever.
  job.set_payload("\xff\xff not a message");
  job.set_idempotency_key("other");
  JobResult bad = dispatcher_->Handle(job);
  EXPECT_EQ(bad.kind, JobResult::Kind::kDead);
  EXPECT_EQ(bad.reason, v1::DEAD_LETTER_REASON_MALFORMED_JOB);
  EXPECT_EQ(Inbox(kP1).size(), 1u);
}

TEST_F(InboxTest, SendNotificationRefusalsWriteNothing) {
  EXPECT_EQ(Deliver(), 0);  // the worker's consumer groups exist first
  const auto before = Snapshot();
  struct Case {
    std::string what;
    v1::SendNotificationRequest request;
    Caller caller;
    grpc::StatusCode code;
  };
  std::vector<Case> cases;
  cases.push_back({"unknown recipient", Text({kP1, "recipients/ghost"}, "k"),
                   Operator(kCell), grpc::StatusCode::INVALID_ARGUMENT});
  cases.push_back({"no recipient", Text({}, "k"), Operator(kCell),
                   grpc::StatusCode::INVALID_ARGUMENT});
  std::vector<std::string> many(1001, kP1);
  cases.push_back({"1001 recipients", Text(many, "k"), Operator(kCell),
                   grpc::StatusCode::INVALID_ARGUMENT});
  cases.push_back({"twice the same", Text({kP1, kP1}, "k"), Operator(kCell),
                   grpc::StatusCode::INVALID_ARGUMENT});
  cases.push_back({"no idempotency key", Text({kP1}, ""), Operator(kCell),
                   grpc::StatusCode::INVALID_ARGUMENT});
  Case no_content{"no content", Text({kP1}, "k"), Operator(kCell),
                  grpc::StatusCode::INVALID_ARGUMENT};
  no_content.request.clear_content();
  cases.push_back(no_content);
  Case no_category{"no category", Text({kP1}, "k"), Operator(kCell),
                   grpc::StatusCode::INVALID_ARGUMENT};
  no_category.request.clear_category();
  cases.push_back(no_category);
  Case bad_template{"unknown template", Text({kP1}, "k"), Operator(kCell),
                    grpc::StatusCode::INVALID_ARGUMENT};
  bad_template.request.mutable_content()->mutable_template_()->set_template_(
      "templates/khong-co");
  bad_template.request.mutable_content()->mutable_template_()->set_context_json(
      "{}");
  cases.push_back(bad_template);
  cases.push_back({"another organisation's recipient", Text({kP1, kP2}, "k"),
                   Operator(kOther), grpc::StatusCode::PERMISSION_DENIED});
  cases.push_back({"a recipient outside the caller's organisation",
                   Text({kP1, "recipients/person-p9"}, "k"), Operator(kCell),
                   grpc::StatusCode::PERMISSION_DENIED});
  cases.push_back({"a reader", Text({kP1}, "k"), Reader(kCell),
                   grpc::StatusCode::PERMISSION_DENIED});
  for (const Case& c : cases) {
    v1::SendNotificationResponse response;
    grpc::Status s = Send(c.caller, c.request, &response);
    EXPECT_EQ(s.error_code(), c.code) << c.what << ": " << Describe(s);
  }
  EXPECT_EQ(Snapshot(), before);
  EXPECT_EQ(Deliver(), 0);
  EXPECT_EQ(Snapshot(), before) << "no job was enqueued";

  // validate_only checks and writes nothing either.
  v1::SendNotificationRequest dry = Text({kP1}, "k");
  dry.set_validate_only(true);
  v1::SendNotificationResponse response;
  grpc::Status s = Send(Operator(kCell), dry, &response);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(response.results_size(), 1);
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(InboxTest, AShippedTemplateIsRendered) {
  const v1::Template* chosen = nullptr;
  for (const v1::Template& t : context_->rules().templates->templates) {
    for (const auto& v : t.variants()) {
      if (v.channel() == v1::CHANNEL_TYPE_IN_APP) chosen = &t;
    }
    if (chosen != nullptr) break;
  }
  ASSERT_NE(chosen, nullptr);
  v1::SendNotificationRequest request = Text({kP1}, "tpl-1");
  request.mutable_content()->mutable_template_()->set_template_(chosen->name());
  request.mutable_content()->mutable_template_()->set_context_json(
      chosen->sample_context_json());
  MustSend(request);
  EXPECT_EQ(Deliver(), 1);
  std::vector<v1::Message> p1 = Inbox(kP1);
  ASSERT_EQ(p1.size(), 1u);
  EXPECT_FALSE(p1[0].body().empty());
  EXPECT_TRUE(absl::StartsWith(p1[0].template_(), chosen->name()));
}

TEST_F(InboxTest, UnreadCountsFollowReadUnreadArchiveAndMarkAll) {
  for (int i = 0; i < 3; ++i) {
    MustSend(Text({kP1}, absl::StrCat("k", i), absl::StrCat("Tin ", i)));
    EXPECT_EQ(Deliver(), 1);
  }
  std::vector<v1::Message> all = Inbox(kP1);  // newest first
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].subject(), "Tin 2");
  EXPECT_EQ(all[2].subject(), "Tin 0");
  EXPECT_EQ(Unread(P1()), 3);

  v1::MarkMessageReadRequest read;
  read.set_name(all[2].name());
  v1::Message m;
  grpc::Status s = inbox_->MarkMessageRead(As(P1()).get(), read, &m);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_TRUE(m.has_read_time());
  EXPECT_EQ(m.read_by(), "people/p1");
  EXPECT_NE(m.etag(), all[2].etag());
  EXPECT_EQ(Unread(P1()), 2);
  // Idempotent: the first read is kept, the count does not move.
  s = inbox_->MarkMessageRead(As(P1()).get(), read, &m);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(Unread(P1()), 2);
  // A stale etag.
  read.set_etag(all[2].etag());
  s = inbox_->MarkMessageRead(As(P1()).get(), read, &m);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED) << Describe(s);

  v1::MarkMessageUnreadRequest unread;
  unread.set_name(all[2].name());
  ASSERT_TRUE(inbox_->MarkMessageUnread(As(P1()).get(), unread, &m).ok());
  EXPECT_FALSE(m.has_read_time());
  EXPECT_EQ(Unread(P1()), 3);

  v1::ArchiveMessageRequest archive;
  archive.set_name(all[1].name());
  ASSERT_TRUE(inbox_->ArchiveMessage(As(P1()).get(), archive, &m).ok());
  EXPECT_EQ(Unread(P1()), 2);
  v1::ListMessagesRequest list;
  list.set_parent("recipients/me");
  EXPECT_EQ(List(P1(), list).size(), 2u) << "archived ones are hidden";
  v1::UnarchiveMessageRequest unarchive;
  unarchive.set_name(all[1].name());
  ASSERT_TRUE(inbox_->UnarchiveMessage(As(P1()).get(), unarchive, &m).ok());
  EXPECT_EQ(Unread(P1()), 3);

  // Mark all up to the middle one: the newest stays unread.
  v1::MarkAllMessagesReadRequest mark;
  mark.set_parent("recipients/me");
  mark.set_up_to_message(all[1].name());
  v1::MarkAllMessagesReadResponse marked;
  s = inbox_->MarkAllMessagesRead(As(P1()).get(), mark, &marked);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(marked.marked_count(), 2);
  EXPECT_EQ(Unread(P1()), 1);
  list.set_unread_only(true);
  std::vector<v1::Message> left = List(P1(), list);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].name(), all[0].name());
  mark.clear_up_to_message();
  ASSERT_TRUE(inbox_->MarkAllMessagesRead(As(P1()).get(), mark, &marked).ok());
  EXPECT_EQ(marked.marked_count(), 1);
  EXPECT_EQ(Unread(P1()), 0);
}

TEST_F(InboxTest, OnlyTheRecipientReadsItsInbox) {
  MustSend(Text({kP1}, "k"));
  ASSERT_EQ(Deliver(), 1);
  const std::string name = Inbox(kP1)[0].name();
  v1::GetMessageRequest get;
  get.set_name(name);
  v1::Message m;
  grpc::Status s = inbox_->GetMessage(As(P1()).get(), get, &m);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(m.name(), name);
  s = inbox_->GetMessage(As(P2()).get(), get, &m);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Describe(s);
  s = inbox_->GetMessage(As(Reader(kOther)).get(), get, &m);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Describe(s);

  const auto before = Snapshot();
  v1::MarkMessageReadRequest read;
  read.set_name(name);
  s = inbox_->MarkMessageRead(As(P2()).get(), read, &m);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Describe(s);
  v1::MarkAllMessagesReadRequest all;
  all.set_parent(kP1);
  v1::MarkAllMessagesReadResponse marked;
  s = inbox_->MarkAllMessagesRead(As(P2()).get(), all, &marked);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Describe(s);
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(InboxTest, ListPagesNewestFirst) {
  for (int i = 0; i < 5; ++i) {
    MustSend(Text({kP1}, absl::StrCat("k", i), absl::StrCat("Tin ", i)));
  }
  ASSERT_EQ(Deliver(), 5);
  v1::ListMessagesRequest request;
  request.set_parent("recipients/me");
  request.set_page_size(2);
  std::vector<std::string> subjects;
  for (int page = 0; page < 5; ++page) {
    v1::ListMessagesResponse response;
    grpc::Status s = inbox_->ListMessages(As(P1()).get(), request, &response);
    ASSERT_TRUE(s.ok()) << Describe(s);
    EXPECT_EQ(response.total_size(), 5);
    for (const auto& m : response.messages()) subjects.push_back(m.subject());
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  EXPECT_EQ(subjects, (std::vector<std::string>{"Tin 4", "Tin 3", "Tin 2",
                                                "Tin 1", "Tin 0"}));
}

TEST_F(InboxTest, ListFiltersOnPrioritySubjectAndTime) {
  v1::SendNotificationRequest urgent = Text({kP1}, "u1", "Khẩn");
  urgent.set_priority(v1::MESSAGE_PRIORITY_URGENT);
  urgent.set_subject_resource("directives/06-ct-tu");
  MustSend(urgent);
  MustSend(Text({kP1}, "n1", "Thường"));
  ASSERT_EQ(Deliver(), 2);
  v1::ListMessagesRequest request;
  request.set_parent("recipients/me");
  request.set_filter("priority = URGENT");
  std::vector<v1::Message> found = List(P1(), request);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].subject(), "Khẩn");
  request.set_filter("subject_resource = \"directives/06-ct-tu\"");
  EXPECT_EQ(List(P1(), request).size(), 1u);
  request.set_filter("create_time > \"2000-01-01T00:00:00Z\"");
  EXPECT_EQ(List(P1(), request).size(), 2u);
  request.set_filter("create_time < \"2000-01-01T00:00:00Z\"");
  EXPECT_EQ(List(P1(), request).size(), 0u);
  // A field the contract does not offer is refused, naming `filter`.
  request.set_filter("body = \"x\"");
  v1::ListMessagesResponse response;
  grpc::Status s = inbox_->ListMessages(As(P1()).get(), request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("filter"), std::string::npos);
}

// Reads up to `n` messages from a subscription; the cursors seen.
std::vector<std::string> ReadMessages(
    grpc::ClientReader<v1::SubscribeMessagesResponse>& reader, int n,
    std::vector<std::string>* subjects) {
  std::vector<std::string> cursors;
  v1::SubscribeMessagesResponse event;
  while (static_cast<int>(cursors.size()) < n && reader.Read(&event)) {
    if (!event.has_message()) continue;
    subjects->push_back(event.message().subject());
    cursors.push_back(event.cursor());
  }
  return cursors;
}

TEST_F(InboxTest, SubscriptionResumesWithoutAGap) {
  v1::SubscribeMessagesRequest request;
  request.set_parent("recipients/me");
  request.set_after_message("0-0");  // from the start of the inbox
  auto context = As(P1());
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(20));
  auto reader = inbox_->SubscribeMessages(context.get(), request);
  for (int i = 0; i < 2; ++i) {
    MustSend(Text({kP1}, absl::StrCat("a", i), absl::StrCat("A", i)));
  }
  ASSERT_EQ(Deliver(), 2);
  std::vector<std::string> subjects;
  std::vector<std::string> cursors = ReadMessages(*reader, 2, &subjects);
  ASSERT_EQ(cursors.size(), 2u);
  EXPECT_EQ(subjects, (std::vector<std::string>{"A0", "A1"}));
  context->TryCancel();
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);

  // Offline: three more arrive.
  for (int i = 0; i < 3; ++i) {
    MustSend(Text({kP1}, absl::StrCat("b", i), absl::StrCat("B", i)));
  }
  ASSERT_EQ(Deliver(), 3);

  request.set_after_message(cursors.back());
  auto again = As(P1());
  again->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::seconds(20));
  auto resumed = inbox_->SubscribeMessages(again.get(), request);
  subjects.clear();
  cursors = ReadMessages(*resumed, 3, &subjects);
  EXPECT_EQ(subjects, (std::vector<std::string>{"B0", "B1", "B2"}));
  // And a live one after the replay, nothing twice.
  MustSend(Text({kP1}, "c0", "C0"));
  ASSERT_EQ(Deliver(), 1);
  cursors = ReadMessages(*resumed, 1, &subjects);
  EXPECT_EQ(subjects, (std::vector<std::string>{"B0", "B1", "B2", "C0"}));
  again->TryCancel();
  EXPECT_EQ(resumed->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(InboxTest, AnotherPersonCannotSubscribe) {
  v1::SubscribeMessagesRequest request;
  request.set_parent(kP1);
  auto context = As(P2());
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(10));
  auto reader = inbox_->SubscribeMessages(context.get(), request);
  v1::SubscribeMessagesResponse event;
  EXPECT_FALSE(reader->Read(&event));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace partydev::notification
