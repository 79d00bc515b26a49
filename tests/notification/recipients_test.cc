// ChannelService's recipient RPCs on a real notifyd and Redis: who may read
// and manage which recipient, external systems created by their owner's
// committee office, updates with etags, nothing written on refusal.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "partydev/notification/v1/channels.grpc.pb.h"
#include "services/notification/recipient_store.h"
#include "tests/notification/notification_fixture.h"

namespace partydev::notification {
namespace {

constexpr char kOther[] = "organizations/tinh-khac";

class RecipientsTest : public NotificationFixture {
 protected:
  void SetUp() override {
    NotificationFixture::SetUp();
    channels_ = v1::ChannelService::NewStub(server_->channel());
    RecipientStore store(*context_);
    ASSERT_TRUE(store.EnsurePerson("people/p1", kCell, "Nguyễn Văn A").ok());
    ASSERT_TRUE(store.EnsurePerson("people/p9", kOther, "Trần Thị B").ok());
    ASSERT_TRUE(store.EnsureOrganization(kCell, "Chi bộ Khoa Toán").ok());
  }

  static Caller Person(const std::string& person, const std::string& org) {
    return {person, org, "member"};
  }

  static v1::CreateRecipientRequest External(const std::string& id,
                                             const std::string& owner) {
    v1::CreateRecipientRequest request;
    request.set_recipient_id(id);
    request.mutable_recipient()->set_kind(v1::RECIPIENT_KIND_EXTERNAL_SYSTEM);
    request.mutable_recipient()->set_owner_organization(owner);
    request.mutable_recipient()->set_display_name(
        "Hệ thống CSDL đảng viên 3.0");
    return request;
  }

  grpc::Status Get(const Caller& caller, const std::string& name,
                   v1::Recipient* out) {
    v1::GetRecipientRequest request;
    request.set_name(name);
    return channels_->GetRecipient(As(caller).get(), request, out);
  }

  std::unique_ptr<v1::ChannelService::Stub> channels_;
};

TEST_F(RecipientsTest, APersonReadsItsOwnRecipientAsMe) {
  v1::Recipient me;
  grpc::Status s = Get(Person("people/p1", kCell), "recipients/me", &me);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(me.name(), "recipients/person-p1");
  EXPECT_EQ(me.kind(), v1::RECIPIENT_KIND_PERSON);
  EXPECT_EQ(me.person(), "people/p1");
  EXPECT_EQ(me.owner_organization(), kCell);
  EXPECT_EQ(me.time_zone(), "Asia/Ho_Chi_Minh");
  EXPECT_EQ(me.locale(), "vi-VN");
  EXPECT_EQ(me.unread_count(), 0);
  EXPECT_EQ(me.etag(), "v1");
}

TEST_F(RecipientsTest, AnotherOrganisationsCallerIsDenied) {
  v1::Recipient r;
  grpc::Status s = Get(Reader(kOther), "recipients/person-p1", &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Describe(s);
  // Another person of the same organisation may not read it as a person...
  s = Get(Person("people/p2", kOther), "recipients/person-p1", &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Describe(s);
  // ...and an unknown recipient does not reveal that it is unknown.
  s = Get(Reader(kCell), "recipients/nobody", &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Describe(s);
  s = Get(Admin(), "recipients/nobody", &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << Describe(s);
  // The office of the person's organisation reads it.
  s = Get(Reader(kCell), "recipients/person-p1", &r);
  EXPECT_TRUE(s.ok()) << Describe(s);
}

TEST_F(RecipientsTest, CommitteeOfficeCreatesAnExternalSystemOnce) {
  v1::CreateRecipientRequest request = External("csdl-dang-vien", kCell);
  request.set_request_id("7f1c2a9e-0d3b-4c55-9a51-2f4f0f6b8e01");
  v1::Recipient created;
  grpc::Status s =
      channels_->CreateRecipient(As(Operator(kCell)).get(), request, &created);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(created.name(), "recipients/csdl-dang-vien");
  EXPECT_EQ(created.kind(), v1::RECIPIENT_KIND_EXTERNAL_SYSTEM);
  EXPECT_EQ(created.owner_organization(), kCell);
  EXPECT_EQ(created.etag(), "v1");
  EXPECT_EQ(created.create_stamp().actor(), "people/office");

  // The same request again: the first answer.
  v1::Recipient again;
  s = channels_->CreateRecipient(As(Operator(kCell)).get(), request, &again);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(again.SerializeAsString(), created.SerializeAsString());
  // Another request for the same id: ALREADY_EXISTS.
  request.clear_request_id();
  s = channels_->CreateRecipient(As(Operator(kCell)).get(), request, &again);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS) << Describe(s);

  v1::Recipient read;
  s = Get(Operator(kCell), "recipients/csdl-dang-vien", &read);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(read.display_name(), "Hệ thống CSDL đảng viên 3.0");
}

TEST_F(RecipientsTest, CreateRefusalsWriteNothing) {
  const auto before = Snapshot();
  struct Case {
    v1::CreateRecipientRequest request;
    Caller caller;
    grpc::StatusCode code;
  };
  std::vector<Case> cases;
  cases.push_back({External("Bad_Id", kCell), Operator(kCell),
                   grpc::StatusCode::INVALID_ARGUMENT});
  cases.push_back({External("person-x", kCell), Operator(kCell),
                   grpc::StatusCode::INVALID_ARGUMENT});
  cases.push_back({External("org-x", kCell), Operator(kCell),
                   grpc::StatusCode::INVALID_ARGUMENT});
  Case person{External("he-thong", kCell), Operator(kCell),
              grpc::StatusCode::INVALID_ARGUMENT};
  person.request.mutable_recipient()->set_kind(v1::RECIPIENT_KIND_PERSON);
  cases.push_back(person);
  cases.push_back({External("he-thong", ""), Operator(kCell),
                   grpc::StatusCode::INVALID_ARGUMENT});
  Case zone{External("he-thong", kCell), Operator(kCell),
            grpc::StatusCode::INVALID_ARGUMENT};
  zone.request.mutable_recipient()->set_time_zone("Mars/Olympus");
  cases.push_back(zone);
  // Another organisation's system; a reader.
  cases.push_back({External("he-thong", kOther), Operator(kCell),
                   grpc::StatusCode::PERMISSION_DENIED});
  cases.push_back({External("he-thong", kCell), Reader(kCell),
                   grpc::StatusCode::PERMISSION_DENIED});
  for (size_t i = 0; i < cases.size(); ++i) {
    v1::Recipient out;
    grpc::Status s = channels_->CreateRecipient(As(cases[i].caller).get(),
                                                cases[i].request, &out);
    EXPECT_EQ(s.error_code(), cases[i].code)
        << "case " << i << ": " << Describe(s);
  }
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(RecipientsTest, UpdateChecksTheEtagAndTheMask) {
  v1::Recipient r;
  ASSERT_TRUE(Get(Operator(kCell), "recipients/person-p1", &r).ok());
  v1::UpdateRecipientRequest request;
  request.mutable_recipient()->set_name(r.name());
  request.mutable_recipient()->set_etag(r.etag());
  request.mutable_recipient()->set_display_name("Đ/c Nguyễn Văn A");
  request.mutable_update_mask()->add_paths("display_name");
  v1::Recipient updated;
  grpc::Status s =
      channels_->UpdateRecipient(As(Operator(kCell)).get(), request, &updated);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(updated.display_name(), "Đ/c Nguyễn Văn A");
  EXPECT_EQ(updated.etag(), "v2");

  const auto before = Snapshot();
  // The stale etag.
  s = channels_->UpdateRecipient(As(Operator(kCell)).get(), request, &updated);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED) << Describe(s);
  // A field that may not change.
  v1::UpdateRecipientRequest kind = request;
  kind.mutable_recipient()->clear_etag();
  kind.mutable_update_mask()->add_paths("owner_organization");
  s = channels_->UpdateRecipient(As(Operator(kCell)).get(), kind, &updated);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << Describe(s);
  // Another organisation.
  v1::UpdateRecipientRequest other = request;
  other.mutable_recipient()->clear_etag();
  s = channels_->UpdateRecipient(As(Operator(kOther)).get(), other, &updated);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << Describe(s);
  EXPECT_EQ(Snapshot(), before);

  // The person itself may change its own, as recipients/me.
  v1::UpdateRecipientRequest own;
  own.mutable_recipient()->set_name("recipients/me");
  own.mutable_recipient()->set_locale("en-US");
  own.mutable_update_mask()->add_paths("locale");
  s = channels_->UpdateRecipient(As(Person("people/p1", kCell)).get(), own,
                                 &updated);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(updated.locale(), "en-US");
  EXPECT_EQ(updated.etag(), "v3");
}

TEST_F(RecipientsTest, ListShowsOnlyTheCallersRecipients) {
  v1::Recipient created;
  ASSERT_TRUE(channels_
                  ->CreateRecipient(As(Operator(kCell)).get(),
                                    External("csdl", kCell), &created)
                  .ok());
  v1::ListRecipientsRequest request;
  v1::ListRecipientsResponse page;
  grpc::Status s =
      channels_->ListRecipients(As(Operator(kCell)).get(), request, &page);
  ASSERT_TRUE(s.ok()) << Describe(s);
  std::vector<std::string> names;
  for (const auto& r : page.recipients()) names.push_back(r.name());
  EXPECT_EQ(names, (std::vector<std::string>{"recipients/csdl",
                                             "recipients/org-cb-toan",
                                             "recipients/person-p1"}));
  EXPECT_EQ(page.total_size(), 3);

  // The admin sees every one, in pages: with the fixture tree's nine
  // office recipients, 12.
  request.set_page_size(10);
  s = channels_->ListRecipients(As(Admin()).get(), request, &page);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(page.recipients_size(), 10);
  EXPECT_EQ(page.total_size(), 12);
  ASSERT_FALSE(page.next_page_token().empty());
  request.set_page_token(page.next_page_token());
  s = channels_->ListRecipients(As(Admin()).get(), request, &page);
  ASSERT_TRUE(s.ok()) << Describe(s);
  ASSERT_EQ(page.recipients_size(), 2);
  EXPECT_EQ(page.recipients(1).name(), "recipients/person-p9");
  EXPECT_TRUE(page.next_page_token().empty());
}

}  // namespace
}  // namespace partydev::notification
