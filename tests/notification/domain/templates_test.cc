#include <iostream>
#include <string>

#include "absl/strings/match.h"
#include "common/errors.h"
#include "gtest/gtest.h"
#include "services/notification/domain/vietnamese_dates.h"
#include "services/notification/templates/default_templates.h"
#include "services/notification/templates/letter_context.h"
#include "services/notification/templates/template_renderer.h"

namespace partydev::notification::templates {
namespace {

const std::string kTemplatesDir =
    std::string(PARTYDEV_NOTIFICATION_RULES_DIR) + "/templates";

v1::Template OneVariant(const std::string& subject, const std::string& body,
                        const std::string& sample) {
  v1::Template t;
  t.set_name("templates/test");
  t.set_category(v1::MESSAGE_CATEGORY_SYSTEM);
  auto* v = t.add_variants();
  v->set_channel(v1::CHANNEL_TYPE_IN_APP);
  v->set_subject_template(subject);
  v->set_body_template(body);
  t.set_sample_context_json(sample);
  return t;
}

std::vector<std::string> Fields(const std::vector<FieldViolation>& problems) {
  std::vector<std::string> out;
  for (const auto& p : problems) out.push_back(p.field + ": " + p.description);
  return out;
}

TEST(VietnameseDatesTest, LeadingZeroForDaysOneToNineAndJanuaryFebruary) {
  EXPECT_EQ(domain::DatedLine("Đà Lạt", absl::CivilDay(2023, 9, 17)),
            "Đà Lạt, ngày 17 tháng 9 năm 2023");
  EXPECT_EQ(domain::VietnameseLongDate(absl::CivilDay(2024, 2, 5)),
            "ngày 05 tháng 02 năm 2024");
  EXPECT_EQ(domain::VietnameseLongDate(absl::CivilDay(2024, 3, 15)),
            "ngày 15 tháng 3 năm 2024");
  EXPECT_EQ(domain::VietnameseLongDate(absl::CivilDay(2024, 12, 1)),
            "ngày 01 tháng 12 năm 2024");
  // 20:00 UTC on 31 Dec is already New Year's Day in Vietnam.
  EXPECT_EQ(
      domain::VietnamDayOf(absl::FromCivil(
          absl::CivilSecond(2023, 12, 31, 20, 0, 0), absl::UTCTimeZone())),
      absl::CivilDay(2024, 1, 1));
}

TEST(TemplateRendererTest, RendersVietnameseWithoutEscaping) {
  nlohmann::json context = {
      {"ten", "Đảng bộ Khối các cơ quan tỉnh & Đoàn"},
      {"so", 12},
      {"ty_le", 33.5},
      {"ds", {{{"x", "Chi bộ Ủy ban"}}, {{"x", "Chi bộ Sở"}}}}};
  absl::StatusOr<Rendered> out = RenderText(
      "Kính gửi: {{ten}} ({{so}}, {{ty_le}}%)\n{{#ds}}- {{x}}\n{{/ds}}",
      context, {});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->text,
            "Kính gửi: Đảng bộ Khối các cơ quan tỉnh & Đoàn (12, 33.5%)\n"
            "- Chi bộ Ủy ban\n- Chi bộ Sở\n");
  EXPECT_TRUE(out->missing_variables.empty());
}

TEST(TemplateRendererTest, Utf8RoundTripsThroughJsonContext) {
  const std::string text = "Đà Lạt, ngày 17 tháng 9 năm 2023 — Hỏa tốc ✓";
  absl::StatusOr<nlohmann::json> ctx =
      ParseContext(nlohmann::json({{"t", text}}).dump(), "context_json");
  ASSERT_TRUE(ctx.ok());
  absl::StatusOr<Rendered> out = RenderText("{{t}}", *ctx, {});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->text, text);
  EXPECT_EQ(ParseContext("[1]", "f").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseContext("{bad", "f").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(TemplateRendererTest, SyntaxErrorNamesThePartAndPosition) {
  const v1::Template t =
      OneVariant("Nhắc việc", "Dòng 1\n{{#ds}}\n- {{x}}\n", R"({"ds": []})");
  const std::vector<FieldViolation> problems = TemplateProblems(t, {});
  ASSERT_EQ(problems.size(), 1u) << ::testing::PrintToString(Fields(problems));
  EXPECT_EQ(problems[0].field, "variants[0].body_template");
  EXPECT_TRUE(absl::StrContains(problems[0].description, "syntax error"));
  EXPECT_TRUE(absl::StrContains(problems[0].description, "Unclosed section"));
  EXPECT_TRUE(absl::StrContains(problems[0].description, "line 2, column 1"))
      << problems[0].description;
  EXPECT_EQ(ValidateTemplate(t, {}).code(), absl::StatusCode::kInvalidArgument);
  absl::StatusOr<Rendered> unclosed = RenderText("{{ten", {}, {}, "subject");
  EXPECT_EQ(unclosed.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(TemplateRendererTest, MissingVariablesAndPartialsAreRefused) {
  const v1::Template t =
      OneVariant("Văn bản {{reference}}",
                 "{{> letter-header}}\n{{^urgent}}thường{{/urgent}} {{body}} "
                 "{{#ds}}{{y}}{{/ds}}",
                 R"({"reference": "06-CT/TU", "ds": [{"x": 1}]})");
  const std::vector<std::string> problems = Fields(TemplateProblems(t, {}));
  const std::string all = ::testing::PrintToString(problems);
  EXPECT_EQ(problems.size(), 3u) << all;
  EXPECT_TRUE(absl::StrContains(all, "\\\"body\\\"")) << all;
  EXPECT_TRUE(absl::StrContains(all, "\\\"y\\\"")) << all;
  EXPECT_TRUE(absl::StrContains(all, "letter-header")) << all;
  EXPECT_FALSE(absl::StrContains(all, "urgent")) << all;
}

TEST(TemplateRendererTest, EmptyResultAndMultiLineSubjectAreRefused) {
  const std::vector<FieldViolation> problems =
      TemplateProblems(OneVariant("{{a}}\n{{b}}", "{{#no}}x{{/no}}",
                                  R"({"a":"1","b":"2","no":false})"),
                       {});
  ASSERT_EQ(problems.size(), 2u) << ::testing::PrintToString(Fields(problems));
  EXPECT_EQ(problems[0].field, "variants[0].subject_template");
  EXPECT_EQ(problems[1].field, "variants[0].body_template");
  v1::Template no_variants = OneVariant("a", "b", "{}");
  no_variants.clear_variants();
  EXPECT_EQ(TemplateProblems(no_variants, {})[0].field, "variants");
  v1::Template bad_sample = OneVariant("a", "b", "[]");
  EXPECT_EQ(TemplateProblems(bad_sample, {})[0].field, "sample_context_json");
  v1::Template required = OneVariant("a", "b", "{}");
  auto* var = required.add_variables();
  var->set_name("due_date");
  var->set_required(true);
  EXPECT_EQ(TemplateProblems(required, {})[0].field, "variables[0]");
}

TEST(DefaultTemplatesTest, EveryDefaultTemplateRendersWithItsSample) {
  absl::StatusOr<TemplateLibrary> library = LoadTemplateLibrary(kTemplatesDir);
  ASSERT_TRUE(library.ok()) << library.status();
  EXPECT_GE(library->templates.size(), 28u);
  for (const v1::Template& t : library->templates) {
    const std::vector<FieldViolation> problems =
        TemplateProblems(t, library->partials);
    EXPECT_TRUE(problems.empty())
        << t.name() << ": " << ::testing::PrintToString(Fields(problems));
    absl::StatusOr<nlohmann::json> sample =
        ParseContext(t.sample_context_json(), "sample_context_json");
    ASSERT_TRUE(sample.ok());
    absl::StatusOr<std::vector<v1::RenderedVariant>> rendered =
        RenderTemplate(t, *sample, library->partials, v1::CHANNEL_TYPE_EMAIL);
    ASSERT_TRUE(rendered.ok()) << t.name() << rendered.status();
    EXPECT_FALSE(rendered->at(0).body().empty());
  }
  // One reminder template per deadline kind is covered by the reminder
  // rules test (rule_sets_test); here the letter parts.
  for (const char* id :
       {"letter-frame", "letter-header", "letter-signer", "letter-recipients",
        "urging-letter", "urging-letter-extra", "directive-ack-reminder",
        "directive-report-reminder", "directive-escalation"}) {
    EXPECT_NE(library->Find(id), nullptr) << id;
  }
}

// The letter 1849-CV/ĐUK as a Directive, rendered through the frame.
TEST(DefaultTemplatesTest, LetterFrameRendersThe1849Letter) {
  absl::StatusOr<TemplateLibrary> library = LoadTemplateLibrary(kTemplatesDir);
  ASSERT_TRUE(library.ok()) << library.status();
  v1::Directive d;
  d.add_issuing_body_lines("ĐẢNG BỘ TỈNH LÂM ĐỒNG");
  d.add_issuing_body_lines("ĐẢNG ỦY KHỐI CÁC CƠ QUAN TỈNH");
  d.set_document_type(v1::DOCUMENT_TYPE_OFFICIAL_LETTER);
  d.set_issuer_code("ĐUK");
  d.set_reference("1849-CV/ĐUK");
  d.set_place("Đà Lạt");
  d.set_subject("đôn đốc thực hiện công tác phát triển đảng viên");
  d.set_body(
      "Đề nghị các cấp ủy, tổ chức cơ sở đảng, các Đoàn thể Khối quan "
      "tâm triển khai thực hiện nghiêm túc, hiệu quả.");
  d.mutable_signer()->set_capacity(v1::SIGNING_CAPACITY_ON_BEHALF_OF);
  d.mutable_signer()->set_collective("BAN THƯỜNG VỤ");
  d.mutable_signer()->set_title("BÍ THƯ");
  d.mutable_signer()->set_signer_name("Hoàng Thanh Hải");
  auto add = [&d](const std::string& label, v1::RecipientPurpose purpose,
                  bool addressee) {
    auto* r = d.add_recipients();
    r->set_label(label);
    r->set_purpose(purpose);
    r->set_addressee(addressee);
  };
  add("Các tổ chức cơ sở đảng trực thuộc", v1::RECIPIENT_PURPOSE_ACT, true);
  add("Các Đoàn thể Khối", v1::RECIPIENT_PURPOSE_ACT, true);
  add("Ban Thường vụ Tỉnh ủy", v1::RECIPIENT_PURPOSE_REPORT_TO, false);
  add("Ban Tổ chức Tỉnh ủy", v1::RECIPIENT_PURPOSE_REPORT_TO, false);
  add("Ủy viên Ban Chấp hành Đảng bộ Khối", v1::RECIPIENT_PURPOSE_INFORM,
      false);
  add("VPĐUK", v1::RECIPIENT_PURPOSE_ARCHIVE, false);
  const nlohmann::json context = LetterContext(d, absl::CivilDay(2023, 9, 17));
  const v1::Template* frame = library->Find("templates/letter-frame");
  ASSERT_NE(frame, nullptr);
  absl::StatusOr<Rendered> out = RenderText(frame->variants(0).body_template(),
                                            context, library->partials);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(out->missing_variables.empty())
      << ::testing::PrintToString(out->missing_variables);
  const std::string& text = out->text;
  std::cout << text << std::endl;
  size_t at = 0;
  for (const char* line :
       {"ĐẢNG BỘ TỈNH LÂM ĐỒNG\n", "ĐẢNG ỦY KHỐI CÁC CƠ QUAN TỈNH\n",
        "Số 1849-CV/ĐUK\n",
        "V/v đôn đốc thực hiện công tác phát triển đảng viên\n",
        "ĐẢNG CỘNG SẢN VIỆT NAM\n", "Đà Lạt, ngày 17 tháng 9 năm 2023\n",
        "Kính gửi:\n", "- Các tổ chức cơ sở đảng trực thuộc\n",
        "- Các Đoàn thể Khối\n", "Đề nghị các cấp ủy", "T/M BAN THƯỜNG VỤ\n",
        "BÍ THƯ\n", "Hoàng Thanh Hải\n", "Nơi nhận:\n", "- Như trên.\n",
        "- Ban Thường vụ Tỉnh ủy (báo cáo).\n",
        "- Ban Tổ chức Tỉnh ủy (báo cáo).\n",
        "- Ủy viên Ban Chấp hành Đảng bộ Khối.\n", "- Lưu VPĐUK."}) {
    const size_t found = text.find(line, at);
    ASSERT_NE(found, std::string::npos) << "missing in order: " << line;
    at = found;
  }
  // No stray blank lines from sections that did not render.
  EXPECT_FALSE(absl::StrContains(text, "\n\n\n")) << text;
  // A directive prints its type and "về ...", no "V/v", no "Kính gửi".
  d.set_document_type(v1::DOCUMENT_TYPE_DIRECTIVE);
  d.set_reference("06-CT/TU");
  d.set_subject("về một số giải pháp nâng cao năng lực lãnh đạo");
  d.mutable_signer()->set_capacity(v1::SIGNING_CAPACITY_DEPUTY_FOR);
  d.mutable_signer()->set_collective("BÍ THƯ");
  d.mutable_signer()->set_title("PHÓ BÍ THƯ");
  for (auto& r : *d.mutable_recipients()) r.set_addressee(false);
  out = RenderText(frame->variants(0).body_template(),
                   LetterContext(d, absl::CivilDay(2021, 3, 5)),
                   library->partials);
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(absl::StrContains(out->text, "CHỈ THỊ\nvề một số giải pháp"));
  EXPECT_TRUE(absl::StrContains(out->text, "K/T BÍ THƯ\nPHÓ BÍ THƯ\n"));
  EXPECT_TRUE(absl::StrContains(out->text, "ngày 05 tháng 3 năm 2021"));
  EXPECT_FALSE(absl::StrContains(out->text, "Kính gửi"));
  EXPECT_FALSE(absl::StrContains(out->text, "Như trên"));
  EXPECT_FALSE(absl::StrContains(out->text, "V/v"));
  EXPECT_FALSE(absl::StrContains(out->text, "\n\n\n")) << out->text;
}

TEST(DefaultTemplatesTest, UrgingLetterCarriesTheFigures) {
  absl::StatusOr<TemplateLibrary> library = LoadTemplateLibrary(kTemplatesDir);
  ASSERT_TRUE(library.ok());
  const v1::Template* extra = library->Find("urging-letter-extra");
  ASSERT_NE(extra, nullptr);
  nlohmann::json ctx = {{"as_of", "31/03/2024"},
                        {"recipient_label", "Chi bộ Sở Khoa học và Công nghệ"},
                        {"admitted", 1},
                        {"target", 5},
                        {"term", "2020-2025"},
                        {"admission_rate", "20"},
                        {"remaining", 4}};
  absl::StatusOr<std::vector<v1::RenderedVariant>> out = RenderTemplate(
      *extra, ctx, library->partials, v1::CHANNEL_TYPE_UNSPECIFIED);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(absl::StrContains(out->at(0).body(), "đã kết nạp 1/5 đảng viên"));
  EXPECT_TRUE(absl::StrContains(out->at(0).body(), "đạt 20%"));
  EXPECT_TRUE(absl::StrContains(out->at(0).body(), "còn 4 đảng viên"));
  std::vector<std::string> missing;
  out = RenderTemplate(*extra, {{"as_of", "x"}}, library->partials,
                       v1::CHANNEL_TYPE_IN_APP, &missing);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(missing.size(), 6u) << ::testing::PrintToString(missing);
}

}  // namespace
}  // namespace partydev::notification::templates
