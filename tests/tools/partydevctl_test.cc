// Tests of partydevctl: Vietnamese text aligned by grapheme, request
// flags set by reflection, responses rendered, and the binary itself
// against a real membershipd (in process, on a real Redis): its output,
// its refusals in words and its exit statuses.

#include <gtest/gtest.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"
#include "partydev/membership/v1/cell_life.pb.h"
#include "partydev/membership/v1/organizations.pb.h"
#include "tests/membership/membership_fixture.h"
#include "tests/support/process.h"
#include "tests/support/redis_server.h"
#include "tools/partydevctl/demo_province.h"
#include "tools/partydevctl/display_width.h"
#include "tools/partydevctl/request_fields.h"
#include "tools/partydevctl/response_output.h"
#include "tools/partydevctl/svg_charts.h"

namespace partydev::ctl {
namespace {

// `text` in Unicode normalisation form D (letters and marks apart), as
// some keyboards and files deliver Vietnamese.
std::string Decomposed(const std::string& text) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
  EXPECT_TRUE(U_SUCCESS(status));
  std::string out;
  nfd->normalize(icu::UnicodeString::fromUTF8(text), status).toUTF8String(out);
  return out;
}

TEST(DisplayWidthTest, CountsGraphemesNotBytes) {
  const std::string name = "Nguyễn Thị Ánh";
  EXPECT_GT(name.size(), 14u);
  EXPECT_EQ(DisplayWidth(name), 14);
  const std::string nfd = Decomposed(name);
  EXPECT_GT(nfd.size(), name.size());
  EXPECT_EQ(DisplayWidth(nfd), 14);
  EXPECT_EQ(DisplayWidth("中文"), 4);  // East Asian wide: two columns each
  EXPECT_EQ(DisplayWidth(PadRight(nfd, 20)), 20);
  EXPECT_EQ(Truncate("Chi bộ Khoa Toán", 8), "Chi bộ …");
}

TEST(RequestFieldsTest, SetsFieldsByPathFromWords) {
  membership::v1::CreateMeetingRequest request;
  ASSERT_TRUE(SetField(request, "parent", "organizations/cb").ok());
  ASSERT_TRUE(SetField(request, "meeting.kind", "thematic").ok());
  ASSERT_TRUE(SetField(request, "meeting.period", "2026-03").ok());
  ASSERT_TRUE(
      SetField(request, "meeting.starts-at", "2026-03-05T14:00:00+07:00").ok());
  ASSERT_TRUE(SetField(request, "meeting.agenda", "Quán triệt 06-CT/TU").ok());
  ASSERT_TRUE(SetField(request, "meeting.agenda", "Kết nạp đảng viên").ok());
  ASSERT_TRUE(SetField(request, "validate_only", "true").ok());
  EXPECT_EQ(request.parent(), "organizations/cb");
  EXPECT_EQ(request.meeting().kind(), membership::v1::MEETING_KIND_THEMATIC);
  EXPECT_EQ(request.meeting().period().year(), 2026);
  EXPECT_EQ(request.meeting().period().month(), 3);
  EXPECT_EQ(request.meeting().starts_at().seconds(), 1772694000);
  ASSERT_EQ(request.meeting().agenda_size(), 2);
  EXPECT_EQ(request.meeting().agenda(1), "Kết nạp đảng viên");
  EXPECT_TRUE(request.validate_only());

  absl::Status bad = SetField(request, "meeting.kind", "weekly");
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(bad.message(), "--meeting.kind"));
  EXPECT_TRUE(absl::StrContains(bad.message(), "MeetingKind"));
  EXPECT_FALSE(SetField(request, "meeting.period", "March").ok());
  EXPECT_FALSE(SetField(request, "meeting.colour", "red").ok());

  bool found = false;
  for (const FieldPath& f : SettableFields(request.GetDescriptor())) {
    if (f.path == "meeting.agenda") found = f.repeated;
  }
  EXPECT_TRUE(found);
}

TEST(ResponseOutputTest, AlignsVietnameseColumnsAndQuotesCsv) {
  membership::v1::ListOrganizationsResponse response;
  auto* a = response.add_organizations();
  a->set_name("organizations/a");
  a->set_display_name(Decomposed("Chi bộ Khoa Toán"));
  a->set_level("CELL");
  auto* b = response.add_organizations();
  b->set_name("organizations/b");
  b->set_display_name("Chi bo, \"Van\"");
  b->set_level("CELL");
  OutputOptions options;
  options.columns = {"display_name", "level"};
  const std::vector<std::string> lines =
      absl::StrSplit(Render(response, options), '\n');
  ASSERT_GE(lines.size(), 3u);
  // "level" starts at the same column on every line.
  const auto column_of_level = [](const std::string& line) {
    const size_t at = line.rfind("CELL") != std::string::npos
                          ? line.rfind("CELL")
                          : line.rfind("level");
    return DisplayWidth(line.substr(0, at));
  };
  EXPECT_EQ(column_of_level(lines[0]), column_of_level(lines[1]));
  EXPECT_EQ(column_of_level(lines[1]), column_of_level(lines[2]));

  options.format = OutputFormat::kCsv;
  const std::string csv = Render(response, options);
  EXPECT_TRUE(absl::StrContains(csv, "\"Chi bo, \"\"Van\"\"\",CELL\r\n"));
  EXPECT_FALSE(ParseOutputFormat("xml").ok());
}

TEST(DemoProvinceTest, DeterministicAndValidAgainstTheContracts) {
  DemoSize size;
  ASSERT_TRUE(DemoSizeByName("small", size));
  EXPECT_FALSE(DemoSizeByName("huge", size));
  const std::vector<DemoCall> calls = DemoProvince(size);
  const std::vector<DemoCall> again = DemoProvince(size);
  ASSERT_EQ(calls.size(), again.size());
  for (size_t i = 0; i < calls.size(); ++i) {
    EXPECT_EQ(calls[i].request_json, again[i].request_json);
  }
  size.seed = 2;
  EXPECT_NE(DemoProvince(size)[40].request_json, calls[40].request_json);
  // Every request is a valid message of its method's request type.
  int people = 0;
  for (const DemoCall& call : calls) {
    const size_t slash = call.method.find('/');
    const auto* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            call.method.substr(0, slash));
    ASSERT_NE(service, nullptr) << call.method;
    const auto* method =
        service->FindMethodByName(call.method.substr(slash + 1));
    ASSERT_NE(method, nullptr) << call.method;
    std::unique_ptr<google::protobuf::Message> request(
        google::protobuf::MessageFactory::generated_factory()
            ->GetPrototype(method->input_type())
            ->New());
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(call.request_json,
                                                            request.get())
                    .ok())
        << call.method << " " << call.request_json;
    people += call.stage == "people";
  }
  EXPECT_GT(people, 200);
  EXPECT_LT(people, 400);
}

TEST(SvgChartsTest, ProgressMarksTheLaggingAndTheLines) {
  quota::v1::ProgressReport report;
  report.mutable_root()->mutable_organization()->set_display_name(
      "Đảng bộ Khối");
  report.set_term_display_name("Nhiệm kỳ 2025–2030");
  report.set_elapsed_share(0.6);
  report.mutable_thresholds()->set_lagging_rate(0.5);
  auto* slow = report.add_rows();
  slow->mutable_organization()->set_display_name("Trường <Cao đẳng> & Y");
  slow->set_target(10);
  slow->set_admitted(2);
  slow->set_rate(0.2);
  slow->set_status(quota::v1::PROGRESS_STATUS_BELOW_HALF);
  auto* done = report.add_rows();
  done->mutable_organization()->set_display_name("Sở Tài chính");
  done->set_target(4);
  done->set_admitted(4);
  done->set_rate(1.0);
  done->set_status(quota::v1::PROGRESS_STATUS_ACHIEVED);
  const std::string svg = ProgressChartSvg(report);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  // Names escaped; the lagging one in red, the achieved one in green.
  EXPECT_NE(svg.find("Trường &lt;Cao đẳng&gt; &amp; Y"), std::string::npos);
  EXPECT_EQ(svg.find("<Cao"), std::string::npos);
  EXPECT_NE(svg.find("fill=\"#c0392b\">2/10 (20%)"), std::string::npos);
  EXPECT_NE(svg.find("fill=\"#27ae60\">4/4 (100%)"), std::string::npos);
  EXPECT_NE(svg.find("50% chỉ tiêu"), std::string::npos);
  EXPECT_NE(svg.find("tiến độ kỳ vọng"), std::string::npos);
}

TEST(SvgChartsTest, TrackingStacksStatesByOrganisation) {
  notification::v1::TrackDirectiveResponse tracking;
  tracking.set_directive("directives/1849-cv");
  tracking.mutable_summary()->set_total(4);
  auto* child = tracking.add_children();
  child->set_organization_label("Đảng bộ Trường Đại học");
  child->set_total(4);
  auto* reported = child->add_counts();
  reported->set_state(notification::v1::DELIVERY_STATE_REPORTED);
  reported->set_count(1);
  auto* late = child->add_counts();
  late->set_state(notification::v1::DELIVERY_STATE_LATE);
  late->set_count(3);
  child->set_late_acknowledgements(3);
  const std::string svg = TrackingChartSvg(tracking);
  // A quarter reported (green), three quarters late (red), of 560 units.
  EXPECT_NE(svg.find("width=\"140\" height=\"18\" fill=\"#27ae60\""),
            std::string::npos)
      << svg;
  EXPECT_NE(svg.find("width=\"420\" height=\"18\" fill=\"#c0392b\""),
            std::string::npos);
  EXPECT_NE(svg.find("4 nơi nhận, 3 trễ"), std::string::npos);
}

// The binary against a real membershipd.
class PartydevctlTest : public membership::MembershipFixture {
 protected:
  struct Run {
    int exit_code = -1;
    std::string output;
  };
  Run Ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {"--membership", server_->address()});
    testing::Process process;
    const std::string log =
        testing::MakeTempDir("partydevctl") + "/partydevctl.log";
    EXPECT_TRUE(
        process.Start(testing::BinaryPath("partydevctl"), args, {}, log).ok());
    absl::StatusOr<int> code = process.Wait(absl::Seconds(60));
    EXPECT_TRUE(code.ok());
    return {code.ok() ? *code : -1, process.Log()};
  }
};

TEST_F(PartydevctlTest, CallsListsAndExplainsRefusals) {
  Run created = Ctl({"membership", "create-organization", "--organization-id",
                     "cb-hoa", "--organization.parent", college_,
                     "--organization.display-name", "Chi bộ Khoa Hóa",
                     "--organization.kind", "CELL", "--organization.level",
                     "CELL", "--organization.valid-from", "2025-09-01"});
  EXPECT_EQ(created.exit_code, 0) << created.output;
  EXPECT_TRUE(absl::StrContains(created.output, "organizations/cb-hoa"));

  Run listed = Ctl({"membership", "list-organizations", "--parent", college_,
                    "--output", "csv", "--columns", "name,display_name"});
  EXPECT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_TRUE(absl::StrContains(listed.output,
                                "organizations/cb-hoa,Chi bộ Khoa Hóa\r\n"));
  EXPECT_TRUE(absl::StrContains(listed.output, cell_a_ + ","));

  Run missing =
      Ctl({"membership", "get-organization", "--name", "organizations/khong"});
  EXPECT_EQ(missing.exit_code, 5) << missing.output;  // NOT_FOUND
  EXPECT_TRUE(absl::StrContains(missing.output, "NOT_FOUND"));

  // A cell under a cell breaks a rule of the tree: the rule is named.
  Run refused =
      Ctl({"membership", "create-organization", "--organization-id", "cb-con",
           "--organization.parent", cell_a_, "--organization.display-name",
           "Chi bộ con", "--organization.kind", "CELL", "--organization.level",
           "CELL", "--organization.valid-from", "2025-09-01"});
  EXPECT_EQ(refused.exit_code, 9) << refused.output;  // FAILED_PRECONDITION
  EXPECT_TRUE(absl::StrContains(refused.output, "rule tree."));

  // Another province's caller is refused.
  Run outside = Ctl({"--org", other_province_, "--roles", "secretary",
                     "membership", "get-organization", "--name", cell_a_});
  EXPECT_EQ(outside.exit_code, 7) << outside.output;  // PERMISSION_DENIED

  Run usage = Ctl({"membership", "get-organization", "--colour", "red"});
  EXPECT_EQ(usage.exit_code, 64) << usage.output;
}

}  // namespace
}  // namespace partydev::ctl
