// partydevctl: every operation of partydev's three services from a
// terminal (issue #8). Commands come from the contracts (rpc_catalog.h),
// request fields are flags (request_fields.h), responses print as a table,
// CSV or JSON (response_output.h).
//
//   partydevctl membership list-people --parent organizations/cb-khoa-toan
//   partydevctl --output csv quota get-progress --name ...
//   partydevctl membership create-meeting --parent organizations/cb
//       --meeting.kind regular --meeting.period 2026-03 ...  (one line)
//   partydevctl membership list-people --help     the command's fields
//
// Addresses: --membership/--quota/--notification or PARTYDEV_MEMBERSHIP,
// PARTYDEV_QUOTA, PARTYDEV_NOTIFICATION (default 127.0.0.1:50051/2/3, the
// local stack). Identity: --token or PARTYDEV_TOKEN (a bearer JWT), else
// the development identity --sub/--org/--roles (PARTYDEV_SUB, PARTYDEV_ORG,
// PARTYDEV_ROLES) that services started with PARTYDEV_AUTH=dev accept.
// Exit status: 0, the gRPC code of a refused call (1..16), or 64 for a
// command line that does not parse.

#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"
#include "partydev/membership/v1/import_export.pb.h"
#include "partydev/notification/v1/deliveries.pb.h"
#include "partydev/notification/v1/inbox.pb.h"
#include "partydev/quota/v1/progress.pb.h"
#include "tools/partydevctl/demo_province.h"
#include "tools/partydevctl/display_width.h"
#include "tools/partydevctl/progress.h"
#include "tools/partydevctl/request_fields.h"
#include "tools/partydevctl/response_output.h"
#include "tools/partydevctl/rpc_catalog.h"
#include "tools/partydevctl/rpc_client.h"
#include "tools/partydevctl/stream_calls.h"
#include "tools/partydevctl/svg_charts.h"

namespace {

namespace pb = google::protobuf;
using partydev::ctl::RpcCommand;

constexpr int kUsageError = 64;  // EX_USAGE of sysexits.h

std::string Env(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

// What one command's flags collected.
struct CommandInput {
  const RpcCommand* command = nullptr;
  CLI::App* app = nullptr;
  std::map<std::string, std::vector<std::string>> fields;  // path → values
  std::string json;
  std::string file;
  bool all_pages = false;
};

// Follows next_page_token until the last page, appending each page's list
// to the first response.
absl::StatusOr<std::unique_ptr<pb::Message>> CallAllPages(
    const std::shared_ptr<grpc::Channel>& channel,
    const pb::MethodDescriptor& method, pb::Message& request,
    const partydev::ctl::CallOptions& options) {
  absl::StatusOr<std::unique_ptr<pb::Message>> first =
      partydev::ctl::CallUnary(channel, method, request, options);
  if (!first.ok()) return first;
  const pb::FieldDescriptor* token_in =
      request.GetDescriptor()->FindFieldByName("page_token");
  const pb::FieldDescriptor* token_out =
      method.output_type()->FindFieldByName("next_page_token");
  if (token_in == nullptr || token_out == nullptr) return first;
  pb::Message& all = **first;
  std::string token = all.GetReflection()->GetString(all, token_out);
  while (!token.empty()) {
    request.GetReflection()->SetString(&request, token_in, token);
    absl::StatusOr<std::unique_ptr<pb::Message>> page =
        partydev::ctl::CallUnary(channel, method, request, options);
    if (!page.ok()) return page.status();
    token = (*page)->GetReflection()->GetString(**page, token_out);
    const pb::FieldDescriptor* size =
        method.output_type()->FindFieldByName("total_size");
    pb::Message* merged = all.New();
    merged->CopyFrom(all);
    merged->MergeFrom(**page);  // repeated fields append
    all.CopyFrom(*merged);
    delete merged;
    if (size != nullptr) {
      all.GetReflection()->SetInt32(
          &all, size, (*page)->GetReflection()->GetInt32(**page, size));
    }
  }
  all.GetReflection()->SetString(&all, token_out, "");
  return first;
}

// Loads the demo province through the public API (demo_province.h).
int LoadDemo(const partydev::ctl::DemoSize& size,
             const std::map<std::string, std::string>& targets,
             const partydev::ctl::CallOptions& options, bool show_progress,
             int parallel) {
  const absl::Time start = absl::Now();
  const std::vector<partydev::ctl::DemoCall> calls =
      partydev::ctl::DemoProvince(size);
  int64_t records = 0;
  for (const partydev::ctl::DemoCall& call : calls) records += call.records;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels;
  for (const auto& [group, target] : targets) {
    channels[group] =
        grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
  }
  partydev::ctl::ProgressBar progress(calls.front().stage, records,
                                      partydev::ctl::ProgressUnit::kCount,
                                      show_progress, std::cerr);
  size_t skipped = 0;
  int64_t imported = 0;
  int64_t unchanged = 0;
  // An import of a whole grassroots organisation's roll takes longer than
  // a call: it gets ten times the call timeout.
  partydev::ctl::CallOptions import_options = options;
  import_options.timeout = options.timeout * 10;
  // The response of the previous call (DemoCall::etag_from_previous).
  std::unique_ptr<pb::Message> previous;
  for (size_t index = 0; index < calls.size(); ++index) {
    const partydev::ctl::DemoCall& call = calls[index];
    const size_t slash = call.method.find('/');
    const pb::ServiceDescriptor* service =
        pb::DescriptorPool::generated_pool()->FindServiceByName(
            call.method.substr(0, slash));
    const pb::MethodDescriptor* method =
        service == nullptr
            ? nullptr
            : service->FindMethodByName(call.method.substr(slash + 1));
    if (method == nullptr) {
      std::cerr << "\n" << call.method << " is not in the contracts\n";
      return 70;  // EX_SOFTWARE
    }
    std::unique_ptr<pb::Message> request(
        pb::MessageFactory::generated_factory()
            ->GetPrototype(method->input_type())
            ->New());
    if (!pb::util::JsonStringToMessage(call.request_json, request.get()).ok()) {
      std::cerr << "\n"
                << call.method << ": the demo's request does not parse\n";
      return 70;
    }
    const std::string group =
        std::vector<std::string>(absl::StrSplit(method->file()->package(), '.'))
            .at(1);
    progress.SetLabel(call.stage);
    if (method->client_streaming()) {
      // The CSV imports (the only client stream), each a grassroots
      // organisation's roll: the run of them goes `parallel` at a time
      // (their organisations are disjoint, so the order does not matter).
      size_t end = index;
      while (end < calls.size() && calls[end].method == call.method) ++end;
      std::vector<absl::StatusOr<partydev::membership::v1::ImportCsvReport>>
          reports(end - index);
      std::vector<partydev::membership::v1::ImportCsvHeader> headers(end -
                                                                     index);
      for (size_t k = index; k < end; ++k) {
        partydev::membership::v1::ImportCsvRequest first;
        if (!pb::util::JsonStringToMessage(calls[k].request_json, &first)
                 .ok()) {
          std::cerr << call.method << ": the demo's request does not parse\n";
          return 70;
        }
        headers[k - index] = first.header();
      }
      std::atomic<size_t> next{index};
      std::mutex progress_mu;
      auto worker = [&] {
        for (size_t k = next++; k < end; k = next++) {
          std::istringstream roll(calls[k].csv);
          reports[k - index] =
              partydev::ctl::ImportCsv(channels[group], headers[k - index],
                                       roll, import_options, nullptr);
          std::lock_guard<std::mutex> lock(progress_mu);
          progress.Add(calls[k].records);
        }
      };
      std::vector<std::thread> workers;
      for (int w = 0; w < std::max(1, parallel); ++w) {
        workers.emplace_back(worker);
      }
      for (std::thread& w : workers) w.join();
      for (size_t k = index; k < end; ++k) {
        const auto& report = reports[k - index];
        const std::string& org = headers[k - index].organization();
        if (!report.ok()) {
          progress.Finish();
          std::cerr << call.method << " " << org << "\n"
                    << partydev::ctl::DescribeError(report.status());
          return partydev::ctl::ExitCodeOf(report.status());
        }
        if (report->rows_rejected() > 0) {
          progress.Finish();
          std::cerr << "the demo roll of " << org << " has rejected rows:\n"
                    << partydev::ctl::RenderImportReport(
                           *report, partydev::ctl::OutputFormat::kTable);
          return 65;  // EX_DATAERR
        }
        imported += report->rows_created() + report->rows_updated();
        unchanged += report->rows_unchanged();
      }
      previous.reset();
      index = end - 1;
      continue;
    }
    if (call.etag_from_previous && previous != nullptr) {
      const pb::FieldDescriptor* from =
          previous->GetDescriptor()->FindFieldByName("etag");
      const pb::FieldDescriptor* to =
          request->GetDescriptor()->FindFieldByName("etag");
      if (from != nullptr && to != nullptr) {
        request->GetReflection()->SetString(
            request.get(), to,
            previous->GetReflection()->GetString(*previous, from));
      }
    }
    absl::StatusOr<std::unique_ptr<pb::Message>> response =
        partydev::ctl::CallUnary(channels[group], *method, *request, options);
    previous.reset();
    if (response.ok()) previous = *std::move(response);
    if (!response.ok()) {
      const bool already = absl::IsAlreadyExists(response.status()) ||
                           (call.done_if_refused &&
                            (absl::IsFailedPrecondition(response.status()) ||
                             absl::IsAborted(response.status())));
      if (!already) {
        progress.Finish();
        std::cerr << call.method << " " << call.request_json << "\n"
                  << partydev::ctl::DescribeError(response.status());
        return partydev::ctl::ExitCodeOf(response.status());
      }
      ++skipped;
    }
    progress.Add(1);
  }
  progress.Finish();
  std::cout << "demo province loaded: " << calls.size() << " calls, "
            << imported + unchanged << " people by CSV import (" << skipped
            << " calls and " << unchanged
            << " people already done by an earlier load) in "
            << absl::FormatDuration(
                   absl::Trunc(absl::Now() - start, absl::Milliseconds(1)))
            << "\n";
  return 0;
}

// Writes `text` to `path`; false (with the reason on stderr) on failure.
bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) {
    std::cerr << "cannot write " << path << "\n";
    return false;
  }
  return true;
}

// partydevctl chart progress|tracking: the report's RPC, then its SVG (and
// CSV) files (svg_charts.h).
int WriteChart(bool progress, const std::string& name, const std::string& term,
               int year, const std::string& out, const std::string& csv,
               const std::string& target,
               const partydev::ctl::CallOptions& options) {
  std::unique_ptr<pb::Message> request;
  const pb::MethodDescriptor* method = nullptr;
  if (progress) {
    auto r = std::make_unique<partydev::quota::v1::ComputeProgressRequest>();
    r->set_name(name);
    r->mutable_period()->set_term(term);
    r->mutable_period()->set_year(year);
    r->set_scope(partydev::quota::v1::ORGANIZATION_SCOPE_DIRECT_SUBORDINATES);
    r->set_page_size(1000);
    request = std::move(r);
    method = pb::DescriptorPool::generated_pool()->FindMethodByName(
        "partydev.quota.v1.ReportService.ComputeProgress");
  } else {
    auto r =
        std::make_unique<partydev::notification::v1::TrackDirectiveRequest>();
    r->set_name(name);
    r->set_by_child(true);
    request = std::move(r);
    method = pb::DescriptorPool::generated_pool()->FindMethodByName(
        "partydev.notification.v1.DirectiveService.TrackDirective");
  }
  absl::StatusOr<std::unique_ptr<pb::Message>> response =
      partydev::ctl::CallUnary(
          grpc::CreateChannel(target, grpc::InsecureChannelCredentials()),
          *method, *request, options);
  if (!response.ok()) {
    std::cerr << partydev::ctl::DescribeError(response.status());
    return partydev::ctl::ExitCodeOf(response.status());
  }
  std::string svg;
  if (progress) {
    partydev::quota::v1::ProgressReport report;
    report.ParseFromString((*response)->SerializeAsString());
    svg = partydev::ctl::ProgressChartSvg(report);
  } else {
    partydev::notification::v1::TrackDirectiveResponse tracking;
    tracking.ParseFromString((*response)->SerializeAsString());
    svg = partydev::ctl::TrackingChartSvg(tracking);
  }
  if (!WriteFile(out, svg)) return 73;  // EX_CANTCREAT
  if (!csv.empty()) {
    partydev::ctl::OutputOptions table;
    table.format = partydev::ctl::OutputFormat::kCsv;
    if (progress) {
      table.columns = {"organization.name",
                       "organization.display_name",
                       "target",
                       "admitted",
                       "rate",
                       "expected_by_now",
                       "status"};
    } else {
      table.columns = {"organization", "organization_label", "total",
                       "late_acknowledgements", "late_reports"};
    }
    if (!WriteFile(csv, partydev::ctl::Render(**response, table))) return 73;
  }
  std::cout << "wrote " << out << (csv.empty() ? "" : " and " + csv) << "\n";
  return 0;
}

// Adds a flag per settable field of `type` to `app` (request_fields.h),
// collected into `fields`.
void AddFieldFlags(CLI::App* app, const pb::Descriptor* type,
                   std::map<std::string, std::vector<std::string>>& fields,
                   const std::set<std::string>& skip = {}) {
  for (const partydev::ctl::FieldPath& f :
       partydev::ctl::SettableFields(type)) {
    if (skip.count(f.path) > 0) continue;
    const std::string flag =
        absl::StrCat("--", absl::StrReplaceAll(f.path, {{"_", "-"}}));
    CLI::Option* option =
        app->add_option(flag, fields[f.path],
                        f.repeated ? f.type + " (repeat the flag)" : f.type)
            ->allow_extra_args(false)
            ->type_name("");
    // A boolean alone is true: `--by-child` as well as `--by-child true`.
    if (f.type == "true|false" && !f.repeated) option->expected(0, 1);
  }
}

// Sets `message`'s fields from collected flags; false (said on stderr)
// when a value does not fit its field.
bool SetFields(const std::map<std::string, std::vector<std::string>>& fields,
               pb::Message& message) {
  for (const auto& [path, values] : fields) {
    for (const std::string& value : values) {
      if (absl::Status s = partydev::ctl::SetField(message, path, value);
          !s.ok()) {
        std::cerr << s.message() << "\n";
        return false;
      }
    }
  }
  return true;
}

// Set by SIGINT and SIGTERM: `inbox watch` ends cleanly (exit 0).
std::atomic<bool> g_stop{false};
extern "C" void OnStopSignal(int) { g_stop = true; }

// One event of a watched inbox as a line of `format`.
std::string WatchLine(
    const partydev::notification::v1::SubscribeMessagesResponse& event,
    partydev::ctl::OutputFormat format, bool& header_done) {
  using partydev::ctl::OutputFormat;
  if (format == OutputFormat::kJson) {
    std::string json;
    pb::util::JsonPrintOptions print;
    print.preserve_proto_field_names = true;
    (void)pb::util::MessageToJsonString(event, &json, print);
    return json + "\n";
  }
  std::vector<std::string> row;
  if (event.has_message()) {
    const auto& m = event.message();
    row = {partydev::ctl::FieldText(m, "create_time"),
           partydev::ctl::FieldText(m, "category"),
           partydev::ctl::FieldText(m, "priority"), m.subject(), m.name()};
  } else {
    const auto& c = event.change();
    row = {partydev::ctl::FieldText(c, "time"),
           absl::StrCat("change ", partydev::ctl::FieldText(c, "kind")), "", "",
           c.message()};
  }
  if (format == OutputFormat::kCsv) {
    std::vector<std::vector<std::string>> rows;
    if (!header_done) {
      rows.push_back({"time", "category", "priority", "subject", "name"});
    }
    header_done = true;
    rows.push_back(row);
    return partydev::ctl::RenderRows(rows, OutputFormat::kCsv);
  }
  // A live table cannot measure its column widths ahead: fixed widths.
  const int widths[] = {25, 22, 8, 60};
  std::string line;
  for (size_t c = 0; c + 1 < row.size(); ++c) {
    line += partydev::ctl::PadRight(partydev::ctl::Truncate(row[c], widths[c]),
                                    widths[c]) +
            "  ";
  }
  return line + row.back() + "\n";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "partydevctl: every operation of partydev's membership, quota and "
      "notification services"};
  app.require_subcommand(1);
  std::string membership = Env("PARTYDEV_MEMBERSHIP", "127.0.0.1:50051");
  std::string quota = Env("PARTYDEV_QUOTA", "127.0.0.1:50052");
  std::string notification = Env("PARTYDEV_NOTIFICATION", "127.0.0.1:50053");
  std::string token = Env("PARTYDEV_TOKEN", "");
  std::string sub = Env("PARTYDEV_SUB", "people/admin");
  std::string org = Env("PARTYDEV_ORG", "");
  std::string roles = Env("PARTYDEV_ROLES", "admin");
  std::string output = "table";
  std::string columns;
  double timeout_seconds = 30;
  app.add_option("--membership", membership, "membershipd host:port")
      ->capture_default_str();
  app.add_option("--quota", quota, "quotad host:port")->capture_default_str();
  app.add_option("--notification", notification, "notifyd host:port")
      ->capture_default_str();
  app.add_option("--token", token, "bearer JWT (PARTYDEV_TOKEN)");
  app.add_option("--sub", sub, "development identity: subject")
      ->capture_default_str();
  app.add_option("--org", org, "development identity: organisation");
  app.add_option("--roles", roles, "development identity: roles, a,b")
      ->capture_default_str();
  app.add_option("-o,--output", output, "table, csv or json")
      ->capture_default_str();
  app.add_option("--columns", columns,
                 "columns of a list, field paths a,b.c (table and csv)");
  app.add_option("--timeout", timeout_seconds,
                 "seconds per call (import-csv and export-csv: the whole "
                 "stream, default 600)")
      ->capture_default_str();
  std::string progress_word = "auto";
  app.add_option("--progress", progress_word,
                 "progress bar on stderr: auto (when stderr is a terminal), "
                 "always or never")
      ->capture_default_str();

  CLI::App* demo = app.add_subcommand(
      "demo", "the demo province (deterministic from a seed)");
  demo->require_subcommand(1);
  demo->fallthrough();
  CLI::App* demo_load = demo->add_subcommand(
      "load", "load the demo province through the public API");
  demo_load->fallthrough();
  std::string demo_size = "small";
  uint32_t demo_seed = 1;
  demo_load->add_option("--size", demo_size, "small, district or city")
      ->capture_default_str();
  demo_load->add_option("--seed", demo_seed, "the generator's seed")
      ->capture_default_str();
  int demo_parallel = 4;
  demo_load
      ->add_option("--parallel", demo_parallel,
                   "CSV imports (one per grassroots organisation) at a time")
      ->capture_default_str();

  CLI::App* chart =
      app.add_subcommand("chart", "reports as SVG (and CSV) files");
  chart->require_subcommand(1);
  chart->fallthrough();
  std::string chart_name;
  std::string chart_term;
  int chart_year = 0;
  std::string chart_out;
  std::string chart_csv;
  CLI::App* chart_progress = chart->add_subcommand(
      "progress",
      "an organisation's subordinates against their admission targets");
  chart_progress->fallthrough();
  chart_progress->add_option("--name", chart_name, "organizations/{org}")
      ->required();
  chart_progress->add_option("--term", chart_term, "terms/{term}")->required();
  chart_progress->add_option("--year", chart_year, "a year of the term");
  CLI::App* chart_tracking = chart->add_subcommand(
      "tracking", "a directive's acknowledgements and reports by organisation");
  chart_tracking->fallthrough();
  chart_tracking->add_option("--name", chart_name, "directives/{directive}")
      ->required();
  for (CLI::App* c : {chart_progress, chart_tracking}) {
    c->add_option("--out", chart_out, "the SVG file to write")->required();
    c->add_option("--csv", chart_csv, "also write the rows as CSV");
  }

  const std::map<std::string, std::vector<RpcCommand>> catalog =
      partydev::ctl::LoadCatalog(PARTYDEV_PROTO_FILES);
  std::vector<std::unique_ptr<CommandInput>> inputs;
  std::map<std::string, CLI::App*> groups;
  for (const auto& [group, commands] : catalog) {
    CLI::App* g = app.add_subcommand(
        group, absl::StrCat("the ", group, " service's operations"));
    g->require_subcommand(1);
    g->fallthrough();  // the global options may follow the command too
    groups[group] = g;
    for (const RpcCommand& command : commands) {
      auto input = std::make_unique<CommandInput>();
      input->command = &command;
      input->app = g->add_subcommand(
          command.name, absl::StrCat(command.method->service()->name(), ".",
                                     command.method->name()));
      input->app->fallthrough();
      input->app->add_option("--json", input->json,
                             "the request in proto3 JSON (flags add to it)");
      input->app->add_option("--file", input->file,
                             "a file holding the request in proto3 JSON");
      if (command.method->output_type()->FindFieldByName("next_page_token") !=
          nullptr) {
        input->app->add_flag("--all-pages", input->all_pages,
                             "follow next_page_token to the last page");
      }
      AddFieldFlags(input->app, command.method->input_type(), input->fields);
      inputs.push_back(std::move(input));
    }
  }

  // The streaming RPCs (stream_calls.h), by hand: the catalog offers
  // unary calls only.
  namespace mv1 = partydev::membership::v1;
  namespace nv1 = partydev::notification::v1;
  std::map<std::string, std::vector<std::string>> import_fields;
  std::string import_file;
  CLI::App* import_csv =
      groups.at("membership")
          ->add_subcommand(
              "import-csv",
              "AdministrationService.ImportCsv: a CSV roll streamed in chunks, "
              "then "
              "its report (rows created, updated, unchanged, rejected and "
              "why). "
              "Exit status: 0 when every row was imported; 65 when the call "
              "succeeded but some rows were rejected (the good rows ARE kept, "
              "the "
              "report lists the others); the gRPC code (1..16) when the whole "
              "import was refused (nothing written)");
  import_csv->fallthrough();
  import_csv->add_option("--file", import_file, "the CSV file (- for stdin)")
      ->required();
  AddFieldFlags(import_csv, mv1::ImportCsvHeader::descriptor(), import_fields);

  std::map<std::string, std::vector<std::string>> export_fields;
  std::string export_out;
  CLI::App* export_csv =
      groups.at("membership")
          ->add_subcommand("export-csv",
                           "AdministrationService.ExportCsv: the chunks "
                           "written in order to --out "
                           "(or stdout); a short summary on stderr");
  export_csv->fallthrough();
  export_csv->add_option("--out", export_out, "the file to write (- stdout)");
  AddFieldFlags(export_csv, mv1::ExportCsvRequest::descriptor(), export_fields);

  std::map<std::string, std::vector<std::string>> watch_fields;
  int64_t watch_max = 0;
  const char* kWatchHelp =
      "InboxService.SubscribeMessages: each new message as it arrives (a "
      "table line, a CSV row or a JSON line), heartbeats ignored; a dropped "
      "stream (server restart) is resumed after the last message seen, so "
      "nothing is missed or repeated. Ends with exit 0 on SIGINT/SIGTERM or "
      "after --max messages; a refusal exits with its gRPC code";
  CLI::App* subscribe = groups.at("notification")
                            ->add_subcommand("subscribe-messages", kWatchHelp);
  CLI::App* inbox = app.add_subcommand("inbox", "the caller's inbox");
  inbox->require_subcommand(1);
  inbox->fallthrough();
  CLI::App* inbox_watch = inbox->add_subcommand(
      "watch", std::string(kWatchHelp) +
                   " (notification subscribe-messages; --parent defaults to "
                   "recipients/me)");
  for (CLI::App* c : {subscribe, inbox_watch}) {
    c->fallthrough();
    c->add_option("--max", watch_max, "stop after N messages (0: never)");
    AddFieldFlags(c, nv1::SubscribeMessagesRequest::descriptor(), watch_fields);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kUsageError;
  }

  partydev::ctl::CallOptions options;
  options.timeout = absl::Seconds(timeout_seconds);
  if (!token.empty()) {
    options.metadata.push_back({"authorization", "Bearer " + token});
  } else {
    options.metadata.push_back({"x-partydev-sub", sub});
    if (!org.empty()) options.metadata.push_back({"x-partydev-org", org});
    options.metadata.push_back({"x-partydev-roles", roles});
  }
  absl::StatusOr<partydev::ctl::ProgressMode> progress_mode =
      partydev::ctl::ParseProgressMode(progress_word);
  if (!progress_mode.ok()) {
    std::cerr << progress_mode.status().message() << "\n";
    return kUsageError;
  }
  const bool show_progress = partydev::ctl::ProgressShown(*progress_mode);
  absl::StatusOr<partydev::ctl::OutputFormat> format =
      partydev::ctl::ParseOutputFormat(output);
  if (!format.ok()) {
    std::cerr << format.status().message() << "\n";
    return kUsageError;
  }
  partydev::ctl::CallOptions stream_options = options;
  if (app.count("--timeout") == 0) stream_options.timeout = absl::Seconds(600);

  if (import_csv->parsed()) {
    mv1::ImportCsvRequest first;
    mv1::ImportCsvHeader& header = *first.mutable_header();
    if (!SetFields(import_fields, header)) return kUsageError;
    if (header.kind() == mv1::IMPORT_KIND_UNSPECIFIED) {
      header.set_kind(mv1::IMPORT_KIND_PEOPLE);
    }
    std::ifstream file;
    std::istream* in = &std::cin;
    int64_t size = 0;
    if (import_file != "-") {
      file.open(import_file, std::ios::binary | std::ios::ate);
      if (!file) {
        std::cerr << "--file: cannot read " << import_file << "\n";
        return 66;  // EX_NOINPUT
      }
      size = static_cast<int64_t>(file.tellg());
      file.seekg(0);
      in = &file;
      if (header.file_name().empty()) {
        header.set_file_name(
            import_file.substr(import_file.find_last_of('/') + 1));
      }
    }
    absl::StatusOr<mv1::ImportCsvReport> report;
    {
      partydev::ctl::ProgressBar bar("import", size,
                                     partydev::ctl::ProgressUnit::kBytes,
                                     show_progress, std::cerr);
      report = partydev::ctl::ImportCsv(
          grpc::CreateChannel(membership, grpc::InsecureChannelCredentials()),
          header, *in, stream_options, &bar);
    }
    if (!report.ok()) {
      std::cerr << partydev::ctl::DescribeError(report.status());
      return partydev::ctl::ExitCodeOf(report.status());
    }
    std::cout << partydev::ctl::RenderImportReport(*report, *format);
    return report->rows_rejected() > 0 ? 65 : 0;  // EX_DATAERR
  }

  if (export_csv->parsed()) {
    mv1::ExportCsvRequest request;
    if (!SetFields(export_fields, request)) return kUsageError;
    std::ofstream file;
    std::ostream* out = &std::cout;
    if (!export_out.empty() && export_out != "-") {
      file.open(export_out, std::ios::binary | std::ios::trunc);
      if (!file) {
        std::cerr << "--out: cannot write " << export_out << "\n";
        return 73;  // EX_CANTCREAT
      }
      out = &file;
    }
    absl::StatusOr<partydev::ctl::ExportSummary> summary;
    {
      partydev::ctl::ProgressBar bar("export", 0,
                                     partydev::ctl::ProgressUnit::kBytes,
                                     show_progress, std::cerr);
      summary = partydev::ctl::ExportCsv(
          grpc::CreateChannel(membership, grpc::InsecureChannelCredentials()),
          request, *out, stream_options, &bar);
    }
    if (!summary.ok()) {
      std::cerr << partydev::ctl::DescribeError(summary.status());
      return partydev::ctl::ExitCodeOf(summary.status());
    }
    if (file.is_open()) {
      file.close();
      if (!file) {
        std::cerr << "--out: cannot write " << export_out << "\n";
        return 73;
      }
    }
    std::cerr << "exported " << summary->rows << " rows, " << summary->bytes
              << " bytes"
              << (file.is_open() || export_out.empty() || export_out == "-"
                      ? ""
                      : " to " + export_out)
              << (summary->file_name.empty()
                      ? ""
                      : " (suggested name " + summary->file_name + ")")
              << "\n";
    return 0;
  }

  if (subscribe->parsed() || inbox_watch->parsed()) {
    nv1::SubscribeMessagesRequest request;
    if (!SetFields(watch_fields, request)) return kUsageError;
    if (request.parent().empty()) request.set_parent("recipients/me");
    std::signal(SIGINT, OnStopSignal);
    std::signal(SIGTERM, OnStopSignal);
    bool header_done = false;
    absl::Status status = partydev::ctl::WatchInbox(
        grpc::CreateChannel(notification, grpc::InsecureChannelCredentials()),
        request, options, watch_max, g_stop,
        [&](const nv1::SubscribeMessagesResponse& event) {
          std::cout << WatchLine(event, *format, header_done) << std::flush;
        },
        [](const std::string& note) { std::cerr << note << "\n"; });
    if (!status.ok()) {
      std::cerr << partydev::ctl::DescribeError(status);
      return partydev::ctl::ExitCodeOf(status);
    }
    return 0;
  }

  if (demo_load->parsed()) {
    partydev::ctl::DemoSize size;
    size.seed = demo_seed;
    if (!partydev::ctl::DemoSizeByName(demo_size, size)) {
      std::cerr << "--size: \"" << demo_size
                << "\" is not small, district or city\n";
      return kUsageError;
    }
    return LoadDemo(size,
                    {{"membership", membership},
                     {"quota", quota},
                     {"notification", notification}},
                    options, show_progress, demo_parallel);
  }

  if (chart_progress->parsed() || chart_tracking->parsed()) {
    return WriteChart(chart_progress->parsed(), chart_name, chart_term,
                      chart_year, chart_out, chart_csv,
                      chart_progress->parsed() ? quota : notification, options);
  }

  const CommandInput* chosen = nullptr;
  for (const auto& input : inputs) {
    if (input->app->parsed()) chosen = input.get();
  }
  if (chosen == nullptr) {
    std::cerr << app.help();
    return kUsageError;
  }
  const pb::MethodDescriptor& method = *chosen->command->method;
  std::unique_ptr<pb::Message> request(pb::MessageFactory::generated_factory()
                                           ->GetPrototype(method.input_type())
                                           ->New());
  std::string base = chosen->json;
  if (!chosen->file.empty()) {
    std::ifstream in(chosen->file);
    if (!in) {
      std::cerr << "--file: cannot read " << chosen->file << "\n";
      return kUsageError;
    }
    std::stringstream text;
    text << in.rdbuf();
    base = text.str();
  }
  if (!base.empty() &&
      !pb::util::JsonStringToMessage(base, request.get()).ok()) {
    std::cerr << "the request is not a valid "
              << method.input_type()->full_name() << " in proto3 JSON\n";
    return kUsageError;
  }
  if (!SetFields(chosen->fields, *request)) return kUsageError;
  const std::string group =
      std::vector<std::string>(absl::StrSplit(method.file()->package(), '.'))
          .at(1);
  const std::string target = group == "membership" ? membership
                             : group == "quota"    ? quota
                                                   : notification;
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
  absl::StatusOr<std::unique_ptr<pb::Message>> response =
      chosen->all_pages
          ? CallAllPages(channel, method, *request, options)
          : partydev::ctl::CallUnary(channel, method, *request, options);
  if (!response.ok()) {
    std::cerr << partydev::ctl::DescribeError(response.status());
    return partydev::ctl::ExitCodeOf(response.status());
  }
  partydev::ctl::OutputOptions out;
  out.format = *format;
  for (absl::string_view c : absl::StrSplit(columns, ',', absl::SkipEmpty())) {
    out.columns.emplace_back(c);
  }
  std::cout << partydev::ctl::Render(**response, out);
  return 0;
}
