// TemplateService on a real Redis through notifyd's wiring: revisions,
// validation at save time (sample context, partials), etags, validate_only,
// idempotent retries, roles, rendering, and the shipped templates.

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "absl/strings/str_split.h"
#include "tests/notification/notification_fixture.h"

namespace partydev::notification {
namespace {

class TemplateServiceTest : public NotificationFixture {
 protected:
  grpc::Status Create(const Caller& caller, const std::string& id,
                      const v1::Template& t, v1::Template* out,
                      const std::string& request_id = "",
                      bool validate_only = false) {
    v1::CreateTemplateRequest request;
    request.set_template_id(id);
    *request.mutable_template_() = t;
    request.set_request_id(request_id);
    request.set_validate_only(validate_only);
    return templates_->CreateTemplate(As(caller).get(), request, out);
  }
  grpc::Status Get(const std::string& name, v1::Template* out) {
    v1::GetTemplateRequest request;
    request.set_name(name);
    return templates_->GetTemplate(As(Reader(kCell)).get(), request, out);
  }
  // Updates the paths of `mask` (comma-separated) from `t`.
  grpc::Status Update(const Caller& caller, const v1::Template& t,
                      const std::string& mask, v1::Template* out,
                      const std::string& request_id = "",
                      bool validate_only = false) {
    v1::UpdateTemplateRequest request;
    *request.mutable_template_() = t;
    for (absl::string_view path : absl::StrSplit(mask, ',')) {
      request.mutable_update_mask()->add_paths(std::string(path));
    }
    request.set_request_id(request_id);
    request.set_validate_only(validate_only);
    return templates_->UpdateTemplate(As(caller).get(), request, out);
  }
  grpc::Status Rollback(const Caller& caller, const std::string& name,
                        const std::string& revision_id, const std::string& etag,
                        v1::Template* out, bool validate_only = false) {
    v1::RollbackTemplateRequest request;
    request.set_name(name);
    request.set_revision_id(revision_id);
    request.set_etag(etag);
    request.set_validate_only(validate_only);
    return templates_->RollbackTemplate(As(caller).get(), request, out);
  }
  std::vector<std::string> RevisionNames(const std::string& name) {
    v1::ListTemplateRevisionsRequest request;
    request.set_name(name);
    v1::ListTemplateRevisionsResponse response;
    grpc::Status s = templates_->ListTemplateRevisions(As(Reader(kCell)).get(),
                                                       request, &response);
    EXPECT_TRUE(s.ok()) << Describe(s);
    std::vector<std::string> names;
    for (const v1::Template& t : response.templates()) {
      names.push_back(t.name());
    }
    EXPECT_EQ(response.total_size(), static_cast<int>(names.size()));
    return names;
  }
  std::map<std::string, v1::Template> ListAll(const std::string& filter = "") {
    v1::ListTemplatesRequest request;
    request.set_page_size(1000);
    request.set_filter(filter);
    v1::ListTemplatesResponse response;
    grpc::Status s =
        templates_->ListTemplates(As(Reader(kCell)).get(), request, &response);
    EXPECT_TRUE(s.ok()) << Describe(s);
    std::map<std::string, v1::Template> out;
    for (const v1::Template& t : response.templates()) {
      EXPECT_TRUE(out.emplace(t.name(), t).second) << t.name() << " twice";
    }
    return out;
  }
};

TEST_F(TemplateServiceTest, CreateGetUpdateMakeRevisions) {
  v1::Template created = MustCreateTemplate(
      "nhac-viec", SimpleTemplate("Nhắc việc", "Đồng chí {{name}} lưu ý."));
  EXPECT_EQ(created.name(), "templates/nhac-viec");
  EXPECT_EQ(created.revision_id(), "1");
  EXPECT_EQ(created.etag(), "v1");
  EXPECT_EQ(created.locale(), "vi-VN");
  EXPECT_EQ(created.state(), v1::TEMPLATE_STATE_ACTIVE);
  EXPECT_EQ(created.create_stamp().actor(), "people/admin");
  EXPECT_EQ(FromProto(created.revision_create_time()),
            VietnamTime(2024, 3, 1, 12));

  v1::Template got;
  ASSERT_TRUE(Get("templates/nhac-viec", &got).ok());
  EXPECT_EQ(got.display_name(), "Nhắc việc");
  EXPECT_EQ(got.etag(), "v1");
  EXPECT_EQ(got.revision_id(), "1");

  clock_->Advance(absl::Hours(1));
  v1::Template change = got;
  change.set_display_name("Nhắc việc (sửa)");
  change.mutable_variants(0)->set_body_template("Đồng chí {{name}} chú ý.");
  v1::Template updated;
  grpc::Status s = Update(Admin(), change, "display_name,variants", &updated);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(updated.revision_id(), "2");
  EXPECT_EQ(updated.etag(), "v2");
  EXPECT_EQ(updated.display_name(), "Nhắc việc (sửa)");
  EXPECT_EQ(updated.create_stamp().time().seconds(),
            created.create_stamp().time().seconds());
  EXPECT_EQ(FromProto(updated.revision_create_time()),
            VietnamTime(2024, 3, 1, 13));

  EXPECT_EQ(RevisionNames("templates/nhac-viec"),
            (std::vector<std::string>{"templates/nhac-viec@2",
                                      "templates/nhac-viec@1"}));
  v1::Template first;
  ASSERT_TRUE(Get("templates/nhac-viec@1", &first).ok());
  EXPECT_EQ(first.display_name(), "Nhắc việc");
  EXPECT_EQ(first.variants(0).body_template(), "Đồng chí {{name}} lưu ý.");
  EXPECT_EQ(first.revision_id(), "1");
  v1::Template current;
  ASSERT_TRUE(Get("templates/nhac-viec", &current).ok());
  EXPECT_EQ(current.display_name(), "Nhắc việc (sửa)");
  EXPECT_EQ(ListAll().count("templates/nhac-viec"), 1u);

  v1::Template missing;
  EXPECT_EQ(Get("templates/nhac-viec@7", &missing).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Get("templates/khong-co", &missing).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Get("mau/nhac-viec", &missing).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(TemplateServiceTest, RollbackMakesANewRevisionWithOldContent) {
  MustCreateTemplate("nhac-viec",
                     SimpleTemplate("Nhắc việc", "Bản một {{name}}."));
  v1::Template change = SimpleTemplate("Nhắc việc", "Bản hai {{name}}.");
  change.set_name("templates/nhac-viec");
  change.set_etag("v1");
  v1::Template second;
  ASSERT_TRUE(Update(Admin(), change, "variants", &second).ok());

  v1::Template rolled;
  grpc::Status s = Rollback(Admin(), "templates/nhac-viec", "1", "v2", &rolled);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(rolled.revision_id(), "3");
  EXPECT_EQ(rolled.etag(), "v3");
  EXPECT_EQ(rolled.variants(0).body_template(), "Bản một {{name}}.");
  EXPECT_EQ(RevisionNames("templates/nhac-viec").size(), 3u);

  // A stale etag, an unknown revision, and validate_only write nothing.
  const auto before = Snapshot();
  v1::Template out;
  EXPECT_EQ(
      Rollback(Admin(), "templates/nhac-viec", "2", "v2", &out).error_code(),
      grpc::StatusCode::ABORTED);
  EXPECT_EQ(
      Rollback(Admin(), "templates/nhac-viec", "9", "v3", &out).error_code(),
      grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(
      Rollback(Admin(), "templates/nhac-viec", "", "v3", &out).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_TRUE(
      Rollback(Admin(), "templates/nhac-viec", "2", "v3", &out, true).ok());
  EXPECT_EQ(out.revision_id(), "4");
  EXPECT_EQ(out.variants(0).body_template(), "Bản hai {{name}}.");
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(TemplateServiceTest, RefusesATemplateThatDoesNotRenderWithItsSample) {
  const auto before = Snapshot();
  v1::Template out;
  // A variable the sample context lacks.
  grpc::Status s = Create(
      Admin(), "thieu-bien",
      SimpleTemplate("Thiếu biến", "Đồng chí {{name}}, hạn {{due_date}}."),
      &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("template.variants[0].body_template"),
            std::string::npos)
      << s.error_message();
  EXPECT_NE(s.error_message().find("due_date"), std::string::npos)
      << s.error_message();
  // A syntax error (an unclosed section).
  s = Create(Admin(), "sai-cu-phap",
             SimpleTemplate("Sai", "{{#name}}không đóng"), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("template.variants[0].body_template"),
            std::string::npos)
      << s.error_message();
  // A sample context that is not a JSON object.
  v1::Template bad_sample = SimpleTemplate("Mẫu", "{{name}}");
  bad_sample.set_sample_context_json("[1, 2]");
  s = Create(Admin(), "mau-sai", bad_sample, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("template.sample_context_json"),
            std::string::npos)
      << s.error_message();
  // Missing required fields.
  v1::Template empty;
  s = Create(Admin(), "rong", empty, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("template.display_name"), std::string::npos);
  EXPECT_NE(s.error_message().find("template.category"), std::string::npos);
  EXPECT_NE(s.error_message().find("template.variants"), std::string::npos);
  EXPECT_EQ(Create(Admin(), "Sai_Id", SimpleTemplate("x", "{{name}}"), &out)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Snapshot(), before);

  // An update that breaks rendering is refused; the record is unchanged.
  v1::Template created =
      MustCreateTemplate("nhac-viec", SimpleTemplate("Nhắc", "{{name}}"));
  const auto after_create = Snapshot();
  v1::Template change = created;
  change.mutable_variants(0)->set_subject_template("{{khong_co}}");
  s = Update(Admin(), change, "variants", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("template.variants[0].subject_template"),
            std::string::npos)
      << s.error_message();
  // So is a sample context that no longer has what the text uses.
  change = created;
  change.set_sample_context_json("{}");
  s = Update(Admin(), change, "sample_context_json", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Snapshot(), after_create);
  v1::Template got;
  ASSERT_TRUE(Get("templates/nhac-viec", &got).ok());
  EXPECT_EQ(got.revision_id(), "1");
  EXPECT_EQ(got.etag(), "v1");
}

TEST_F(TemplateServiceTest, PartialsMustExist) {
  const auto before = Snapshot();
  v1::Template out;
  grpc::Status s = Create(
      Admin(), "co-partial",
      SimpleTemplate("Có partial", "{{name}}\n{{> chu-ky-khong-co}}"), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("template.variants[0].body_template"),
            std::string::npos)
      << s.error_message();
  EXPECT_NE(s.error_message().find("chu-ky-khong-co"), std::string::npos)
      << s.error_message();
  EXPECT_EQ(Snapshot(), before);

  // Once the partial is a template, the same text is accepted and renders
  // with it.
  MustCreateTemplate("chu-ky-khong-co",
                     SimpleTemplate("Chữ ký", "T/M CHI BỘ\nBÍ THƯ"));
  ASSERT_TRUE(
      Create(Admin(), "co-partial",
             SimpleTemplate("Có partial", "{{name}}\n{{> chu-ky-khong-co}}"),
             &out)
          .ok());
  v1::RenderTemplateRequest request;
  request.set_name("templates/co-partial");
  v1::RenderTemplateResponse rendered;
  ASSERT_TRUE(
      templates_->RenderTemplate(As(Reader(kCell)).get(), request, &rendered)
          .ok());
  ASSERT_EQ(rendered.variants_size(), 1);
  EXPECT_EQ(rendered.variants(0).body(), "Nguyễn Văn A\nT/M CHI BỘ\nBÍ THƯ");

  // A template may not include itself.
  v1::Template self = out;
  self.mutable_variants(0)->set_body_template("{{name}} {{> co-partial}}");
  s = Update(Admin(), self, "variants", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << Describe(s);
}

TEST_F(TemplateServiceTest, StaleEtagIsAborted) {
  v1::Template created =
      MustCreateTemplate("nhac-viec", SimpleTemplate("Nhắc", "{{name}}"));
  v1::Template change = created;
  change.set_display_name("Lần một");
  v1::Template out;
  ASSERT_TRUE(Update(Admin(), change, "display_name", &out).ok());
  const auto before = Snapshot();
  change.set_display_name("Lần hai, từ bản cũ");
  grpc::Status s = Update(Admin(), change, "display_name", &out);  // etag v1
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED) << Describe(s);
  EXPECT_EQ(Snapshot(), before);
  v1::Template got;
  ASSERT_TRUE(Get("templates/nhac-viec", &got).ok());
  EXPECT_EQ(got.display_name(), "Lần một");
  // Without an etag the update applies to whatever is current.
  change.clear_etag();
  ASSERT_TRUE(Update(Admin(), change, "display_name", &out).ok());
  EXPECT_EQ(out.revision_id(), "3");
  // A mask naming an output-only field is refused.
  EXPECT_EQ(Update(Admin(), change, "revision_id", &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(TemplateServiceTest, ValidateOnlyWritesNothing) {
  const auto before = Snapshot();
  v1::Template out;
  grpc::Status s = Create(Admin(), "nhac-viec",
                          SimpleTemplate("Nhắc", "{{name}}"), &out, "", true);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(out.name(), "templates/nhac-viec");
  EXPECT_EQ(out.revision_id(), "1");
  EXPECT_EQ(Snapshot(), before);
  v1::Template got;
  EXPECT_EQ(Get("templates/nhac-viec", &got).error_code(),
            grpc::StatusCode::NOT_FOUND);

  v1::Template created =
      MustCreateTemplate("nhac-viec", SimpleTemplate("Nhắc", "{{name}}"));
  const auto after_create = Snapshot();
  created.set_display_name("Thử");
  ASSERT_TRUE(Update(Admin(), created, "display_name", &out, "", true).ok());
  EXPECT_EQ(out.display_name(), "Thử");
  EXPECT_EQ(out.revision_id(), "2");
  EXPECT_EQ(Snapshot(), after_create);
}

TEST_F(TemplateServiceTest, RetryWithTheSameRequestIdReturnsTheFirstAnswer) {
  v1::Template first;
  const v1::Template t = SimpleTemplate("Nhắc", "{{name}}");
  ASSERT_TRUE(Create(Admin(), "nhac-viec", t, &first, "req-create-1").ok());
  clock_->Advance(absl::Minutes(5));
  v1::Template again;
  grpc::Status s = Create(Admin(), "nhac-viec", t, &again, "req-create-1");
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  // Without the id, a second create is ALREADY_EXISTS.
  EXPECT_EQ(Create(Admin(), "nhac-viec", t, &again).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);

  v1::Template change = first;
  change.set_display_name("Nhắc (2)");
  v1::Template updated;
  ASSERT_TRUE(
      Update(Admin(), change, "display_name", &updated, "req-update-1").ok());
  v1::Template updated_again;
  s = Update(Admin(), change, "display_name", &updated_again, "req-update-1");
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(updated_again.SerializeAsString(), updated.SerializeAsString());
  EXPECT_EQ(RevisionNames("templates/nhac-viec").size(), 2u);
}

TEST_F(TemplateServiceTest, WritingNeedsTheAdminRole) {
  v1::Template created =
      MustCreateTemplate("nhac-viec", SimpleTemplate("Nhắc", "{{name}}"));
  const auto before = Snapshot();
  for (const Caller& caller :
       {Reader(kCell), NoRoles(kCell), Operator(kProvince)}) {
    v1::Template out;
    EXPECT_EQ(Create(caller, "khac", SimpleTemplate("Khác", "{{name}}"), &out)
                  .error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << caller.roles;
    v1::Template change = created;
    change.set_display_name("Đổi");
    EXPECT_EQ(Update(caller, change, "display_name", &out).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(
        Rollback(caller, "templates/nhac-viec", "1", "", &out).error_code(),
        grpc::StatusCode::PERMISSION_DENIED);
  }
  EXPECT_EQ(Snapshot(), before);
  // Every authenticated caller reads.
  v1::Template got;
  v1::GetTemplateRequest request;
  request.set_name("templates/nhac-viec");
  EXPECT_TRUE(
      templates_->GetTemplate(As(NoRoles(kCell)).get(), request, &got).ok());
}

TEST_F(TemplateServiceTest, RendersAVietnameseContextExactly) {
  v1::Template t;
  t.set_display_name("Thông báo kết nạp");
  t.set_category(v1::MESSAGE_CATEGORY_PIPELINE_REMINDER);
  v1::TemplateVariant* in_app = t.add_variants();
  in_app->set_channel(v1::CHANNEL_TYPE_IN_APP);
  in_app->set_subject_template("Kính gửi đồng chí {{ten}}");
  in_app->set_body_template(
      "Chi bộ {{chi_bo}} đề nghị đồng chí {{ten}} hoàn thành hồ sơ trước "
      "{{han}}.\nĐảng & Nhà nước ghi nhận.");
  v1::TemplateVariant* email = t.add_variants();
  email->set_channel(v1::CHANNEL_TYPE_EMAIL);
  email->set_subject_template("[Email] {{ten}}");
  email->set_body_template("Hạn: {{han}}");
  t.set_sample_context_json(
      R"({"ten": "A", "chi_bo": "B", "han": "C", "so": 1})");
  v1::TemplateVariable* var = t.add_variables();
  var->set_name("so");
  var->set_required(true);
  MustCreateTemplate("thong-bao", t);

  v1::RenderTemplateRequest request;
  request.set_name("templates/thong-bao");
  request.set_context_json(
      R"({"ten": "Nguyễn Thị Hoà", "chi_bo": "Khoa Toán – ĐH Đà Lạt",)"
      R"( "han": "ngày 05 tháng 02 năm 2024"})");
  v1::RenderTemplateResponse response;
  grpc::Status s =
      templates_->RenderTemplate(As(Reader(kCell)).get(), request, &response);
  ASSERT_TRUE(s.ok()) << Describe(s);
  ASSERT_EQ(response.variants_size(), 2);
  EXPECT_EQ(response.variants(0).channel(), v1::CHANNEL_TYPE_IN_APP);
  EXPECT_EQ(response.variants(0).locale(), "vi-VN");
  EXPECT_EQ(response.variants(0).media_type(), "text/plain");
  EXPECT_EQ(response.variants(0).subject(), "Kính gửi đồng chí Nguyễn Thị Hoà");
  EXPECT_EQ(response.variants(0).body(),
            "Chi bộ Khoa Toán – ĐH Đà Lạt đề nghị đồng chí Nguyễn Thị Hoà "
            "hoàn thành hồ sơ trước ngày 05 tháng 02 năm 2024.\n"
            "Đảng & Nhà nước ghi nhận.");
  EXPECT_EQ(response.variants(1).body(), "Hạn: ngày 05 tháng 02 năm 2024");
  // The declared required variable the context lacks is reported.
  ASSERT_EQ(response.missing_variables_size(), 1);
  EXPECT_EQ(response.missing_variables(0), "so");

  // One channel only; the sample context when none is given.
  request.set_channel(v1::CHANNEL_TYPE_EMAIL);
  request.clear_context_json();
  response.Clear();
  ASSERT_TRUE(
      templates_->RenderTemplate(As(Reader(kCell)).get(), request, &response)
          .ok());
  ASSERT_EQ(response.variants_size(), 1);
  EXPECT_EQ(response.variants(0).subject(), "[Email] A");
  EXPECT_EQ(response.missing_variables_size(), 0);

  // A context that is not a JSON object, and an unknown locale.
  request.set_context_json("không phải JSON");
  s = templates_->RenderTemplate(As(Reader(kCell)).get(), request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("context_json"), std::string::npos);
  request.clear_context_json();
  request.set_locale("en-US");
  s = templates_->RenderTemplate(As(Reader(kCell)).get(), request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(TemplateServiceTest, ShippedTemplatesAreListedAndOverridable) {
  std::map<std::string, v1::Template> all = ListAll();
  ASSERT_EQ(all.size(), context_->rules().templates->templates.size());
  ASSERT_EQ(all.count("templates/evaluation-due"), 1u);
  const v1::Template shipped = all["templates/evaluation-due"];
  EXPECT_EQ(shipped.revision_id(), "0");
  EXPECT_EQ(shipped.etag(), "v0");

  // Rendering a shipped template with its sample context works.
  v1::RenderTemplateRequest render;
  render.set_name("templates/letter-frame");
  v1::RenderTemplateResponse rendered;
  ASSERT_TRUE(
      templates_->RenderTemplate(As(Reader(kCell)).get(), render, &rendered)
          .ok());
  ASSERT_GE(rendered.variants_size(), 1);
  EXPECT_NE(rendered.variants(0).body().find("ĐẢNG CỘNG SẢN VIỆT NAM"),
            std::string::npos)
      << rendered.variants(0).body();

  v1::Template out;
  EXPECT_EQ(Create(Admin(), "evaluation-due",
                   SimpleTemplate("Trùng", "{{name}}"), &out)
                .error_code(),
            grpc::StatusCode::ALREADY_EXISTS);

  v1::Template change = shipped;
  change.set_display_name("Nhắc đánh giá (bản tỉnh)");
  grpc::Status s = Update(Admin(), change, "display_name", &out);
  ASSERT_TRUE(s.ok()) << Describe(s);
  EXPECT_EQ(out.revision_id(), "1");
  EXPECT_EQ(out.etag(), "v1");
  EXPECT_EQ(out.variants(0).body_template(),
            shipped.variants(0).body_template());
  v1::Template got;
  ASSERT_TRUE(Get("templates/evaluation-due", &got).ok());
  EXPECT_EQ(got.display_name(), "Nhắc đánh giá (bản tỉnh)");
  all = ListAll();
  EXPECT_EQ(all.size(), context_->rules().templates->templates.size());
  EXPECT_EQ(all["templates/evaluation-due"].display_name(),
            "Nhắc đánh giá (bản tỉnh)");
  EXPECT_EQ(RevisionNames("templates/evaluation-due"),
            (std::vector<std::string>{"templates/evaluation-due@1",
                                      "templates/evaluation-due@0"}));
  // A second override from the shipped etag is stale.
  EXPECT_EQ(Update(Admin(), change, "display_name", &out).error_code(),
            grpc::StatusCode::ABORTED);

  // The shipped content comes back by rollback to revision 0.
  ASSERT_TRUE(
      Rollback(Admin(), "templates/evaluation-due", "0", "v1", &out).ok());
  EXPECT_EQ(out.revision_id(), "2");
  EXPECT_EQ(out.display_name(), shipped.display_name());
}

TEST_F(TemplateServiceTest, ListFiltersAndPages) {
  std::map<std::string, v1::Template> quota =
      ListAll("category = MESSAGE_CATEGORY_QUOTA");
  ASSERT_FALSE(quota.empty());
  EXPECT_EQ(quota.count("templates/urging-letter"), 1u);
  for (const auto& [name, t] : quota) {
    EXPECT_EQ(t.category(), v1::MESSAGE_CATEGORY_QUOTA) << name;
  }
  v1::Template created =
      MustCreateTemplate("luu-tru", SimpleTemplate("Lưu trữ", "{{name}}"));
  created.set_state(v1::TEMPLATE_STATE_ARCHIVED);
  v1::Template out;
  ASSERT_TRUE(Update(Admin(), created, "state", &out).ok());
  std::map<std::string, v1::Template> archived =
      ListAll("state = TEMPLATE_STATE_ARCHIVED");
  ASSERT_EQ(archived.size(), 1u);
  EXPECT_EQ(archived.begin()->first, "templates/luu-tru");

  v1::ListTemplatesRequest request;
  request.set_filter("nonsense ==");
  v1::ListTemplatesResponse response;
  EXPECT_EQ(
      templates_->ListTemplates(As(Reader(kCell)).get(), request, &response)
          .error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);

  // Pages of 7 cover every template once.
  request.Clear();
  request.set_page_size(7);
  std::vector<std::string> seen;
  int total = 0;
  do {
    response.Clear();
    grpc::Status s =
        templates_->ListTemplates(As(Reader(kCell)).get(), request, &response);
    ASSERT_TRUE(s.ok()) << Describe(s);
    EXPECT_LE(response.templates_size(), 7);
    for (const auto& t : response.templates()) seen.push_back(t.name());
    total = response.total_size();
    request.set_page_token(response.next_page_token());
  } while (!response.next_page_token().empty());
  EXPECT_EQ(static_cast<int>(seen.size()), total);
  EXPECT_EQ(total, static_cast<int>(ListAll().size()));
}

}  // namespace
}  // namespace partydev::notification
