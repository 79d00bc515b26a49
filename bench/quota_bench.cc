// partydev-quota-bench: the quota benchmarks of issue #5, as ratios to
// baselines measured in the same run.
//
// In one process, on a real redis-server (tests/support RedisServer), with
// quotad's services (MakeQuotaServices, the wiring of main.cc) and the Echo
// service on the same in-process server, fed the way production feeds
// quotad: membership's events appended to membership's stream.
//
//   1. publishes a generated tree of about --orgs organisations (province
//      > districts > grassroots > cells) as OrganizationCreated events and
//      drains the projections (time and events/s);
//   2. creates the term 2020-2025 and a term target for every grassroots
//      organisation (TargetService RPCs);
//   3. event ingestion: publishes --events MemberAdmitted events spread over
//      the cells, times Projections::DrainAll() (every projection reads the
//      stream through its own group; the admissions projection applies
//      them) against a raw XREADGROUP + XACK loop over the same entries that
//      does no work, through one group and through as many groups as
//      DrainAll reads with: the ratio is the cost of applying an event;
//   4. ComputeProgress of the province, scope SUBTREE, page_size 1000, over
//      the whole tree (--reports calls): its time against an empty gRPC
//      round trip (Echo, concurrency 1) and a raw Redis round trip (PING)
//      measured in the same run.
//
// Flags: --orgs=50000 --events=20000 --reports=5 --echo_calls=2000.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/bench_setup.h"
#include "bench/loadgen.h"
#include "bench/org_tree_setup.h"
#include "common/change.h"
#include "common/ids.h"
#include "common/redis_client.h"
#include "common/redis_options.h"
#include "common/streams.h"
#include "partydev/events/v1/events.pb.h"
#include "partydev/quota/v1/reports.grpc.pb.h"
#include "partydev/quota/v1/targets.grpc.pb.h"
#include "partydev/testing/v1/echo.grpc.pb.h"
#include "services/quota/services.h"
#include "tests/support/echo_service.h"
#include "tests/support/in_process_server.h"
#include "tests/support/redis_server.h"

namespace partydev::bench {
namespace {

namespace qv1 = ::partydev::quota::v1;
using Clock = std::chrono::steady_clock;

constexpr char kKeyPrefix[] = "pd:quota:";
// The projections that read membership's stream, each through its own
// consumer group (projections.h).
constexpr int kProjectionGroups = 3;
// The batch the event consumers read (common/event_consumer.h).
constexpr int kReadBatch = 200;

struct BenchFlags {
  int orgs = 50000;
  int events = 20000;
  int reports = 5;
  int echo_calls = 2000;
};

constexpr char kUsage[] =
    R"(Usage: partydev-quota-bench [--orgs=50000] [--events=20000]
           [--reports=5] [--echo_calls=2000]
)";

absl::StatusOr<BenchFlags> ParseFlags(int argc, char** argv) {
  BenchFlags flags;
  if (absl::Status s = ParseIntFlags(argc, argv,
                                     {{"orgs", &flags.orgs},
                                      {"events", &flags.events},
                                      {"reports", &flags.reports},
                                      {"echo_calls", &flags.echo_calls}},
                                     kUsage);
      !s.ok()) {
    return s;
  }
  return flags;
}

std::unique_ptr<grpc::ClientContext> AsAdmin() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("x-partydev-sub", "people/admin");
  context->AddMetadata("x-partydev-org", "");
  context->AddMetadata("x-partydev-roles", "admin");
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::minutes(5));
  return context;
}

common::v1::Date D(int y, int m, int d) {
  common::v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

double Seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

events::v1::Event AdmissionEvent(const std::vector<std::string>& path,
                                 int64_t i) {
  events::v1::Event event;
  event.set_id(NewUuid());
  event.set_producer("membership");
  event.set_actor("people/secretary");
  *event.mutable_recorded_at() = NowTimestamp();
  const common::v1::Date signed_on =
      D(2021 + static_cast<int>(i % 3), 1 + static_cast<int>(i % 12),
        1 + static_cast<int>(i % 28));
  *event.mutable_act_date() = signed_on;
  for (const auto& p : path) event.add_organization_path(p);
  auto* admitted = event.mutable_member_admitted();
  admitted->set_person(absl::StrCat("people/bench-", i));
  admitted->set_organization(path.back());
  admitted->mutable_decision()->set_number(absl::StrCat(i, "-QĐ/ĐU"));
  *admitted->mutable_decision()->mutable_signed_on() = signed_on;
  admitted->mutable_decision()->set_deciding_organization(path[2]);
  if (i % 3 == 0) admitted->add_categories(common::v1::CATEGORY_STUDENT);
  admitted->set_age_years(22);
  SetType(event);
  return event;
}

}  // namespace
}  // namespace partydev::bench

int main(int argc, char** argv) {
  using namespace partydev;         // NOLINT
  using namespace partydev::bench;  // NOLINT
  absl::StatusOr<BenchFlags> flags = ParseFlags(argc, argv);
  if (std::optional<int> exit = ExitOnFlagError(flags, kUsage)) return *exit;

  testing::RedisServer redis;
  absl::StatusOr<RedisOptions> redis_options = StartBenchRedis(redis, 2);
  if (!redis_options.ok()) return 1;
  RedisClient bench_redis(*redis_options);

  std::shared_ptr<quota::QuotaContext> context;
  auto server = std::make_unique<testing::InProcessServer>(
      testing::TestConfig(redis.url(),
                          {absl::StrCat("--key_prefix=", kKeyPrefix),
                           "--workers=16", "--log_level=warn"}),
      [&context](ServiceRuntime& runtime)
          -> absl::StatusOr<std::vector<ServiceRegistration>> {
        absl::StatusOr<quota::QuotaConfig> config =
            quota::LoadQuotaConfig(PARTYDEV_QUOTA_RULES_DIR);
        if (!config.ok()) return config.status();
        absl::StatusOr<quota::QuotaServices> services =
            quota::MakeQuotaServices(runtime, *std::move(config));
        if (!services.ok()) return services.status();
        context = services->context;
        services->registrations.push_back(
            {std::make_unique<testing::EchoServiceImpl>(runtime),
             partydev::testing::v1::EchoService::service_full_name()});
        return std::move(services->registrations);
      });
  if (absl::Status started = server->Start(); !started.ok()) {
    std::cerr << "quota server: " << started << "\n";
    return 1;
  }

  // 1. The tree.
  std::vector<events::v1::Event> tree_events;
  const Tree tree = MakeTree(flags->orgs, tree_events);
  absl::StatusOr<std::string> last_tree_entry =
      PublishAll(bench_redis, tree_events);
  if (!last_tree_entry.ok()) {
    std::cerr << "publish tree: " << last_tree_entry.status() << "\n";
    return 1;
  }
  std::cerr << "tree: " << tree.size << " organisations published\n";
  Clock::time_point start = Clock::now();
  absl::StatusOr<int> drained = context->projections().DrainAll();
  const double tree_seconds = Seconds(Clock::now() - start);
  if (!drained.ok()) {
    std::cerr << "drain tree: " << drained.status() << "\n";
    return 1;
  }

  // 2. The term and a target per grassroots organisation.
  auto targets = qv1::TargetService::NewStub(server->channel());
  {
    qv1::CreateTermRequest request;
    request.set_term_id("2020-2025");
    request.mutable_term()->set_display_name("Nhiệm kỳ 2020–2025");
    *request.mutable_term()->mutable_start_date() = D(2020, 10, 1);
    *request.mutable_term()->mutable_end_date() = D(2025, 9, 30);
    qv1::Term term;
    grpc::Status s = targets->CreateTerm(AsAdmin().get(), request, &term);
    if (!s.ok()) {
      std::cerr << "CreateTerm: " << s.error_message() << "\n";
      return 1;
    }
  }
  start = Clock::now();
  for (size_t g = 0; g < tree.grassroots.size(); ++g) {
    qv1::CreateTermTargetRequest request;
    request.set_parent(tree.grassroots[g]);
    request.set_term_target_id("2020-2025");
    request.mutable_term_target()->mutable_own()->set_total(
        10 + static_cast<int>(g % 20));
    common::v1::DecisionRef* ref =
        request.mutable_term_target()->mutable_resolution();
    ref->set_number(absl::StrCat(g + 1, "-NQ/ĐH"));
    *ref->mutable_signed_on() = D(2020, 9, 1);
    ref->set_deciding_organization(tree.grassroots[g]);
    qv1::TermTarget target;
    grpc::Status s =
        targets->CreateTermTarget(AsAdmin().get(), request, &target);
    if (!s.ok()) {
      std::cerr << "CreateTermTarget: " << s.error_message() << "\n";
      return 1;
    }
  }
  const double targets_seconds = Seconds(Clock::now() - start);

  // 3. Event ingestion.
  std::vector<events::v1::Event> admissions;
  admissions.reserve(flags->events);
  for (int i = 0; i < flags->events; ++i) {
    admissions.push_back(
        AdmissionEvent(tree.cell_paths[(static_cast<size_t>(i) * 7919) %
                                       tree.cell_paths.size()],
                       i));
  }
  // The raw groups start where the admissions start.
  absl::StatusOr<RedisReply> tail = bench_redis.Command(
      {"XREVRANGE", kMembershipStream, "+", "-", "COUNT", "1"});
  if (!tail.ok() || tail->elements().empty()) {
    std::cerr << "stream tail: " << tail.status() << "\n";
    return 1;
  }
  const std::string before_admissions = tail->elements()[0].elements()[0].str();
  if (absl::StatusOr<std::string> published =
          PublishAll(bench_redis, admissions);
      !published.ok()) {
    std::cerr << "publish admissions: " << published.status() << "\n";
    return 1;
  }
  start = Clock::now();
  drained = context->projections().DrainAll();
  const double drain_seconds = Seconds(Clock::now() - start);
  if (!drained.ok()) {
    std::cerr << "drain admissions: " << drained.status() << "\n";
    return 1;
  }
  start = Clock::now();
  absl::StatusOr<int64_t> raw1 = RawDrain(
      bench_redis, kMembershipStream, before_admissions, 1, "one", kReadBatch);
  const double raw1_seconds = Seconds(Clock::now() - start);
  start = Clock::now();
  absl::StatusOr<int64_t> rawn =
      RawDrain(bench_redis, kMembershipStream, before_admissions,
               kProjectionGroups, "all", kReadBatch);
  const double rawn_seconds = Seconds(Clock::now() - start);
  if (!raw1.ok() || !rawn.ok()) {
    std::cerr << "raw drain: " << (raw1.ok() ? rawn.status() : raw1.status())
              << "\n";
    return 1;
  }

  // 4. ComputeProgress over the whole tree, against Echo and PING.
  LoadOptions echo;
  echo.channels = {server->channel()};
  echo.method = "/partydev.testing.v1.EchoService/Echo";
  echo.request_json = R"({"message": "x"})";
  echo.metadata = {{"x-partydev-sub", "people/admin"},
                   {"x-partydev-org", ""},
                   {"x-partydev-roles", "admin"}};
  echo.concurrency = 1;
  echo.count = flags->echo_calls;
  echo.warmup = absl::Milliseconds(300);
  absl::StatusOr<LoadResult> echo_result = RunLoad(echo);
  if (!echo_result.ok()) {
    std::cerr << "echo: " << echo_result.status() << "\n";
    return 1;
  }
  LatencyHistogram ping;
  for (int i = 0; i < flags->echo_calls; ++i) {
    const absl::Time t = absl::Now();
    if (!bench_redis.Ping().ok()) {
      std::cerr << "PING failed\n";
      return 1;
    }
    ping.Record(absl::Now() - t);
  }

  auto reports = qv1::ReportService::NewStub(server->channel());
  qv1::ComputeProgressRequest request;
  request.set_name(tree.province);
  request.mutable_period()->set_term("terms/2020-2025");
  *request.mutable_as_of() = D(2023, 9, 17);
  request.set_scope(qv1::ORGANIZATION_SCOPE_SUBTREE);
  request.set_page_size(1000);
  std::vector<double> report_seconds;
  qv1::ProgressReport report;
  for (int i = 0; i < flags->reports; ++i) {
    report.Clear();
    start = Clock::now();
    grpc::Status s =
        reports->ComputeProgress(AsAdmin().get(), request, &report);
    report_seconds.push_back(Seconds(Clock::now() - start));
    if (!s.ok()) {
      std::cerr << "ComputeProgress: " << s.error_message() << "\n";
      return 1;
    }
  }
  const double first_report = report_seconds.front();
  std::vector<double> warm(report_seconds.begin() + (report_seconds.size() > 1),
                           report_seconds.end());
  std::sort(warm.begin(), warm.end());
  const double median_report = warm[warm.size() / 2];
  const double echo_mean = absl::ToDoubleSeconds(echo_result->mean);
  const double ping_mean = absl::ToDoubleSeconds(ping.mean());

  std::cout << absl::StrFormat(
      "Tree: %d organisations (%zu grassroots with a term target); "
      "projections drained in %.2f s (%.0f events/s); %zu CreateTermTarget "
      "in %.2f s\n\n",
      tree.size, tree.grassroots.size(), tree_seconds, tree.size / tree_seconds,
      tree.grassroots.size(), targets_seconds);
  std::cout << absl::StrFormat(
      "Event ingestion: %d MemberAdmitted events (events/s counts each event "
      "once, however many groups read it)\n\n"
      "| reader | entries read | seconds | events/s | DrainAll time / this |\n"
      "|---|---|---|---|---|\n",
      flags->events);
  const double drain_rate = flags->events / drain_seconds;
  std::cout << absl::StrFormat(
      "| Projections::DrainAll: %d groups, the admissions projection "
      "applies them | %d | %.3f | %.0f | 1 |\n",
      kProjectionGroups, kProjectionGroups * flags->events, drain_seconds,
      drain_rate);
  std::cout << absl::StrFormat(
      "| raw XREADGROUP COUNT %d + XACK, %d groups, no work | %lld | %.3f | "
      "%.0f | %.1f |\n",
      kReadBatch, kProjectionGroups, static_cast<long long>(*rawn),
      rawn_seconds, flags->events / rawn_seconds, drain_seconds / rawn_seconds);
  std::cout << absl::StrFormat(
      "| raw XREADGROUP COUNT %d + XACK, 1 group, no work | %lld | %.3f | "
      "%.0f | %.1f |\n\n",
      kReadBatch, static_cast<long long>(*raw1), raw1_seconds,
      flags->events / raw1_seconds, drain_seconds / raw1_seconds);
  std::cout << absl::StrFormat(
      "ComputeProgress, scope SUBTREE, page_size 1000, %d rows "
      "(total_size %d), root admitted %d\n\n"
      "| measure | time | vs Echo round trip | vs Redis PING |\n"
      "|---|---|---|---|\n"
      "| first call | %.1f ms | %.0fx | %.0fx |\n"
      "| median of %zu later calls | %.1f ms | %.0fx | %.0fx |\n"
      "| Echo, empty handler, concurrency 1 (mean) | %.3f ms | 1 | %.1fx |\n"
      "| Redis PING (mean) | %.3f ms | | 1 |\n",
      report.rows_size(), report.total_size(), report.root().admitted(),
      first_report * 1e3, first_report / echo_mean, first_report / ping_mean,
      warm.size(), median_report * 1e3, median_report / echo_mean,
      median_report / ping_mean, echo_mean * 1e3, echo_mean / ping_mean,
      ping_mean * 1e3);

  context->projections().Stop();
  server->Shutdown();
  return 0;
}
