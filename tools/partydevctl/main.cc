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
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"
#include "partydev/notification/v1/deliveries.pb.h"
#include "partydev/quota/v1/progress.pb.h"
#include "tools/partydevctl/demo_province.h"
#include "tools/partydevctl/request_fields.h"
#include "tools/partydevctl/response_output.h"
#include "tools/partydevctl/rpc_catalog.h"
#include "tools/partydevctl/rpc_client.h"
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

// The progress of a long load on one line of a terminal:
// "people        [##########....................]  120/300", redrawn when
// it moves by a percent; nothing when stderr is not a terminal (logs).
class ProgressBar {
 public:
  explicit ProgressBar(size_t total)
      : total_(std::max<size_t>(total, 1)), shown_(isatty(2) != 0) {}
  void Advance(const std::string& stage) {
    ++done_;
    const size_t percent = 100 * done_ / total_;
    if (!shown_ ||
        (percent == percent_ && stage == stage_ && done_ != total_)) {
      return;
    }
    percent_ = percent;
    stage_ = stage;
    constexpr size_t kWidth = 30;
    const size_t filled = kWidth * done_ / total_;
    std::cerr << "\r" << stage
              << std::string(14 - std::min<size_t>(stage.size(), 13), ' ')
              << "[" << std::string(filled, '#')
              << std::string(kWidth - filled, '.') << "]  " << done_ << "/"
              << total_ << std::flush;
    if (done_ == total_) std::cerr << "\n";
  }

 private:
  const size_t total_;
  const bool shown_;
  size_t done_ = 0;
  size_t percent_ = 101;
  std::string stage_;
};

// Loads the demo province through the public API (demo_province.h).
int LoadDemo(const partydev::ctl::DemoSize& size,
             const std::map<std::string, std::string>& targets,
             const partydev::ctl::CallOptions& options) {
  const std::vector<partydev::ctl::DemoCall> calls =
      partydev::ctl::DemoProvince(size);
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels;
  for (const auto& [group, target] : targets) {
    channels[group] =
        grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
  }
  ProgressBar progress(calls.size());
  size_t skipped = 0;
  // The response of the previous call (DemoCall::etag_from_previous).
  std::unique_ptr<pb::Message> previous;
  for (const partydev::ctl::DemoCall& call : calls) {
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
        std::cerr << "\n"
                  << call.method << " " << call.request_json << "\n"
                  << partydev::ctl::DescribeError(response.status());
        return partydev::ctl::ExitCodeOf(response.status());
      }
      ++skipped;
    }
    progress.Advance(call.stage);
  }
  std::cout << "demo province loaded: " << calls.size() << " calls (" << skipped
            << " already done by an earlier load)\n";
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
  app.add_option("--timeout", timeout_seconds, "seconds per call")
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
      for (const partydev::ctl::FieldPath& f :
           partydev::ctl::SettableFields(command.method->input_type())) {
        const std::string flag =
            absl::StrCat("--", absl::StrReplaceAll(f.path, {{"_", "-"}}));
        CLI::Option* option =
            input->app
                ->add_option(
                    flag, input->fields[f.path],
                    f.repeated ? f.type + " (repeat the flag)" : f.type)
                ->allow_extra_args(false)
                ->type_name("");
        // A boolean alone is true: `--by-child` as well as `--by-child true`.
        if (f.type == "true|false" && !f.repeated) option->expected(0, 1);
      }
      inputs.push_back(std::move(input));
    }
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
                    options);
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
  for (const auto& [path, values] : chosen->fields) {
    for (const std::string& value : values) {
      if (absl::Status s = partydev::ctl::SetField(*request, path, value);
          !s.ok()) {
        std::cerr << s.message() << "\n";
        return kUsageError;
      }
    }
  }
  absl::StatusOr<partydev::ctl::OutputFormat> format =
      partydev::ctl::ParseOutputFormat(output);
  if (!format.ok()) {
    std::cerr << format.status().message() << "\n";
    return kUsageError;
  }

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
