// Tests of partydevctl: Vietnamese text aligned by grapheme, request
// flags set by reflection, responses rendered, the progress bar's line,
// the inbox watch's resume point, and the binary itself against a real
// membershipd (in process, on a real Redis): its output, its refusals in
// words, its exit statuses, and the CSV import and export streams.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>
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
#include "tools/partydevctl/progress.h"
#include "tools/partydevctl/request_fields.h"
#include "tools/partydevctl/response_output.h"
#include "tools/partydevctl/stream_calls.h"
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
  // Another seed, other people.
  size.seed = 2;
  const std::vector<DemoCall> other = DemoProvince(size);
  ASSERT_EQ(other.size(), calls.size());
  size_t differ = 0;
  for (size_t i = 0; i < calls.size(); ++i)
    differ += calls[i].csv != other[i].csv;
  EXPECT_GT(differ, 0u);
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
    if (call.stage == "people") {
      // People come in bulk: one CSV roll per grassroots organisation.
      EXPECT_TRUE(method->client_streaming()) << call.method;
      const std::vector<std::string> lines =
          absl::StrSplit(call.csv, "\r\n", absl::SkipEmpty());
      EXPECT_EQ(static_cast<int64_t>(lines.size()) - 1, call.records);
      people += static_cast<int>(call.records);
    }
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

TEST(ProgressTest, LineShowsDoneTotalPercentRateAndEta) {
  EXPECT_EQ(ProgressLine("import", 512 * 1024, 2 * 1024 * 1024,
                         absl::Seconds(2), ProgressUnit::kBytes),
            "import        [######..................]  512.0 KiB/2.0 MiB  "
            "25%  256.0 KiB/s  ETA 0:06");
  EXPECT_EQ(
      ProgressLine("people", 300, 300, absl::Seconds(75), ProgressUnit::kCount),
      "people        [########################]  300/300  100%  4/s  "
      "in 1:15");
  // Nothing done yet: no rate, no ETA.
  EXPECT_EQ(
      ProgressLine("people", 0, 6000, absl::Seconds(3), ProgressUnit::kCount),
      "people        [........................]  0/6000  0%");
  // An unknown total (an export before its last chunk): no bar.
  EXPECT_EQ(ProgressLine("export", 3 * 1024 * 1024 / 2, 0, absl::Seconds(1),
                         ProgressUnit::kBytes),
            "export        1.5 MiB  1.5 MiB/s");
  // An hour and more.
  EXPECT_NE(
      ProgressLine("people", 1, 7201, absl::Seconds(1), ProgressUnit::kCount)
          .find("ETA 2:00:00"),
      std::string::npos);
  EXPECT_EQ(ParseProgressMode("always").value(), ProgressMode::kAlways);
  EXPECT_FALSE(ParseProgressMode("sometimes").ok());
}

TEST(ProgressTest, RedrawsAtMostTenTimesASecondAndEndsTheLine) {
  std::ostringstream out;
  {
    ProgressBar bar("people", 100000, ProgressUnit::kCount, /*shown=*/true,
                    out);
    for (int i = 0; i < 100000; ++i) bar.Add(1);
  }
  const std::string text = out.str();
  const auto redraws = std::count(text.begin(), text.end(), '\r');
  EXPECT_GE(redraws, 2);  // the first and the last
  EXPECT_LE(redraws, 2 + 10 * 5) << "100000 updates must not redraw each";
  EXPECT_EQ(text.back(), '\n');
  EXPECT_NE(text.find("100000/100000  100%"), std::string::npos) << text;

  std::ostringstream quiet;
  {
    ProgressBar bar("people", 10, ProgressUnit::kCount, /*shown=*/false, quiet);
    bar.Add(10);
  }
  EXPECT_EQ(quiet.str(), "");
}

notification::v1::SubscribeMessagesResponse MessageEvent(
    const std::string& id) {
  notification::v1::SubscribeMessagesResponse event;
  event.mutable_message()->set_name("recipients/org-duk/messages/" + id);
  event.set_cursor(id);
  return event;
}

TEST(InboxCursorTest, ShowsEachMessageOnceAcrossResumes) {
  InboxCursor cursor("recipients/org-duk/messages/9-3");
  EXPECT_EQ(cursor.after(), "9-3");
  // Replayed up to the cursor after a reconnection: skipped.
  EXPECT_EQ(cursor.Accept(MessageEvent("9-2")), InboxCursor::Action::kSkip);
  EXPECT_EQ(cursor.Accept(MessageEvent("9-3")), InboxCursor::Action::kSkip);
  // Stream-id order, not text order: "10-0" follows "9-3".
  EXPECT_EQ(cursor.Accept(MessageEvent("10-0")), InboxCursor::Action::kShow);
  EXPECT_EQ(cursor.after(), "10-0");
  EXPECT_EQ(cursor.Accept(MessageEvent("10-0")), InboxCursor::Action::kSkip);
  notification::v1::SubscribeMessagesResponse beat;
  beat.mutable_heartbeat();
  beat.set_cursor("");
  EXPECT_EQ(cursor.Accept(beat), InboxCursor::Action::kSkip);
  EXPECT_EQ(cursor.after(), "10-0") << "a heartbeat never moves the cursor";
  EXPECT_EQ(cursor.Accept(MessageEvent("10-1")), InboxCursor::Action::kShow);
  notification::v1::SubscribeMessagesResponse resync;
  resync.mutable_resync_required()->set_oldest_message("12-0");
  EXPECT_EQ(cursor.Accept(resync), InboxCursor::Action::kResync);

  InboxCursor fresh("0-0");
  EXPECT_EQ(fresh.Accept(MessageEvent("1-0")), InboxCursor::Action::kShow);

  EXPECT_TRUE(ShouldResume(grpc::Status(grpc::StatusCode::UNAVAILABLE, "")));
  EXPECT_TRUE(ShouldResume(grpc::Status::OK));
  EXPECT_FALSE(
      ShouldResume(grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "")));
  EXPECT_FALSE(
      ShouldResume(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "")));
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

// A committee's sheet: two good rows (one of them quoted, with a comma),
// a row with a citizen id of five digits, a row dated 31 February.
constexpr char kRoll[] =
    "citizen_id,full_name,date_of_birth,gender,general_education,"
    "organization,stage,sourced_on,workplace\r\n"
    "079200000101,\"Nguyễn Văn An\",2000-05-01,MALE,12/12,cb-khoa-toan,"
    "SOURCED,2026-01-05,\"Khoa Toán, Trường CĐ Sư phạm\"\r\n"
    "079199000102,Trần Thị Bích,01/02/1999,Nữ,UPPER_SECONDARY,cb-khoa-van,,"
    "2026-01-06,\r\n"
    "12345,Lê Văn Cường,2000-01-01,MALE,12/12,cb-khoa-toan,,2026-01-05,\r\n"
    "079200000104,Phạm Thị Dung,31/02/2000,FEMALE,12/12,cb-khoa-toan,,"
    "2026-01-05,\r\n";

std::string WriteTemp(const std::string& name, const std::string& text) {
  const std::string path = testing::MakeTempDir("partydevctl") + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_F(PartydevctlTest, ImportCsvReportsAcceptedAndRejectedRows) {
  const std::string file = WriteTemp("so-dang-vien.csv", kRoll);
  Run dry = Ctl({"membership", "import-csv", "--file", file, "--organization",
                 college_, "--validate-only"});
  EXPECT_EQ(dry.exit_code, 65) << dry.output;
  EXPECT_TRUE(absl::StrContains(dry.output, "yes (nothing written)"));

  Run run = Ctl(
      {"membership", "import-csv", "--file", file, "--organization", college_});
  // The call succeeded, two rows were rejected: EX_DATAERR, good rows kept.
  EXPECT_EQ(run.exit_code, 65) << run.output;
  EXPECT_TRUE(absl::StrContains(run.output, "rows read      4")) << run.output;
  EXPECT_TRUE(absl::StrContains(run.output, "created        2"));
  EXPECT_TRUE(absl::StrContains(run.output, "rejected       2"));
  // Each rejected row with its line, label, column and rule.
  EXPECT_TRUE(absl::StrContains(run.output, "Lê Văn Cường"));
  EXPECT_TRUE(absl::StrContains(run.output, "citizen_id"));
  EXPECT_TRUE(absl::StrContains(run.output, "import.date_format"));
  std::vector<std::string> rejected_lines;
  for (absl::string_view line : absl::StrSplit(run.output, '\n')) {
    if (absl::StartsWith(line, "4 ") || absl::StartsWith(line, "5 ")) {
      rejected_lines.emplace_back(line);
    }
  }
  EXPECT_EQ(rejected_lines.size(), 2u) << run.output;

  // The same file again, as CSV: the good rows are unchanged now, the
  // problems are rows of a CSV.
  Run again = Ctl({"membership", "import-csv", "--file", file, "--organization",
                   college_, "-o", "csv"});
  EXPECT_EQ(again.exit_code, 65) << again.output;
  EXPECT_TRUE(
      absl::StrContains(again.output, "line,label,column,rule,problem\r\n"));
  EXPECT_TRUE(absl::StrContains(again.output,
                                "5,Phạm Thị Dung,date_of_birth,"
                                "import.date_format,"));
  Run json = Ctl({"membership", "import-csv", "--file", file, "--organization",
                  college_, "-o", "json"});
  EXPECT_TRUE(absl::StrContains(json.output, "\"rows_unchanged\": \"2\""))
      << json.output;

  // Refused as a whole: a file outside the caller's subtree.
  Run outside =
      Ctl({"--org", other_province_, "--roles", "secretary", "membership",
           "import-csv", "--file", file, "--organization", college_});
  EXPECT_EQ(outside.exit_code, 7) << outside.output;  // PERMISSION_DENIED
  Run missing = Ctl({"membership", "import-csv", "--file", "/nonexistent.csv",
                     "--organization", college_});
  EXPECT_EQ(missing.exit_code, 66) << missing.output;
}

TEST_F(PartydevctlTest, ExportCsvRoundTripsThroughImport) {
  const std::string good = absl::StrCat(
      "citizen_id,full_name,date_of_birth,gender,general_education,"
      "organization,stage,sourced_on,workplace\r\n",
      "079200000201,Võ Thị Hạnh,2001-03-04,FEMALE,12/12,cb-khoa-toan,SOURCED,"
      "2026-02-01,\r\n",
      "079200000202,Đặng Văn Út,2002-07-08,MALE,12/12,cb-khoa-toan,SOURCED,"
      "2026-02-02,\"Khoa Toán, Phòng \"\"Đào tạo\"\"\"\r\n");
  Run imported = Ctl({"membership", "import-csv", "--file",
                      WriteTemp("a.csv", good), "--organization", college_});
  ASSERT_EQ(imported.exit_code, 0) << imported.output;

  const std::string out = testing::MakeTempDir("partydevctl") + "/export.csv";
  // Citizen ids are Sensitive: exported only when asked (and allowed).
  Run exported = Ctl({"membership", "export-csv", "--organization", cell_a_,
                      "--kind", "people", "--include-sensitive", "--out", out});
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  EXPECT_TRUE(absl::StrContains(exported.output, "exported 2 rows"))
      << exported.output;
  const std::string text = ReadAll(out);
  EXPECT_EQ(text.rfind("\xEF\xBB\xBF", 0), 0u) << "a BOM for spreadsheets";
  EXPECT_TRUE(absl::StrContains(text, "Võ Thị Hạnh"));
  EXPECT_TRUE(absl::StrContains(text, "Đặng Văn Út"));
  EXPECT_TRUE(absl::StrContains(text, "\"Khoa Toán, Phòng \"\"Đào tạo\"\"\""));

  // The export re-imports unchanged, also when streamed in chunks of 7
  // bytes (rows and letters split across chunks).
  std::ifstream file(out, std::ios::binary);
  membership::v1::ImportCsvHeader header;
  header.set_organization(college_);
  header.set_kind(membership::v1::IMPORT_KIND_PEOPLE);
  CallOptions options;
  options.metadata = {{"x-partydev-sub", "people/admin"},
                      {"x-partydev-roles", "admin"}};
  std::ostringstream bar_text;
  ProgressBar bar("import", static_cast<int64_t>(text.size()),
                  ProgressUnit::kBytes, /*shown=*/true, bar_text);
  absl::StatusOr<membership::v1::ImportCsvReport> report =
      ImportCsv(grpc::CreateChannel(server_->address(),
                                    grpc::InsecureChannelCredentials()),
                header, file, options, &bar, /*chunk_bytes=*/7);
  bar.Finish();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->rows_read(), 2)
      << RenderImportReport(*report, OutputFormat::kTable);
  EXPECT_EQ(report->rows_unchanged(), 2);
  EXPECT_EQ(report->rows_rejected(), 0)
      << RenderImportReport(*report, OutputFormat::kTable);
  EXPECT_TRUE(absl::StrContains(bar_text.str(), "100%")) << bar_text.str();

  // To stdout, and a refusal in words with its code.
  Run to_stdout = Ctl({"membership", "export-csv", "--organization", cell_a_,
                       "--kind", "people"});
  EXPECT_EQ(to_stdout.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(to_stdout.output, "Võ Thị Hạnh"));
  Run refused = Ctl({"membership", "export-csv", "--organization", cell_a_});
  EXPECT_EQ(refused.exit_code, 3) << refused.output;  // INVALID_ARGUMENT
  EXPECT_TRUE(absl::StrContains(refused.output, "INVALID_ARGUMENT"));
}

}  // namespace
}  // namespace partydev::ctl
