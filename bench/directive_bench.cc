// partydev-directive-bench: issuing a directive "down to every cell" (phổ
// biến đến chi bộ) of a national-size tree, issue #6: "270,000 cells must
// not take minutes".
//
// On a real redis-server (tests/support RedisServer), with notifyd's
// services in process (MakeNotificationServices, the wiring of main.cc):
//   1. the tree: --orgs organisations (province > districts > grassroots >
//      cells, bench/org_tree_setup.h) published on membership's stream and
//      projected by notifyd's own consumer;
//   2. raw: as many stream entries of a delivery's size appended with
//      pipelined XADD: the floor of writing that many records;
//   3. IssueDirective over gRPC (validation expands every recipient), then
//      the FAN_OUT job run by a JobWorker with notifyd's dispatcher: every
//      delivery, its inbox message and the tracking counters, in chunked
//      atomic writes; printed as deliveries per second and as a ratio to
//      raw;
//   4. TrackDirective by child over the whole tree, and Redis memory per
//      delivery.
//
// Flags: --orgs=280000 --track_calls=5.

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "bench/bench_setup.h"
#include "bench/org_tree_setup.h"
#include "common/metrics.h"
#include "partydev/notification/v1/directive_service.grpc.pb.h"
#include "services/notification/delivery_dispatcher.h"
#include "services/notification/queue/job_worker.h"
#include "services/notification/services.h"
#include "tests/support/in_process_server.h"
#include "tests/support/redis_server.h"

namespace partydev::bench {
namespace {

namespace nv1 = ::partydev::notification::v1;
using SteadyClock = std::chrono::steady_clock;

struct BenchFlags {
  int orgs = 280000;
  int track_calls = 5;
};

constexpr char kUsage[] =
    R"(Usage: partydev-directive-bench [--orgs=280000] [--track_calls=5]
)";

absl::StatusOr<BenchFlags> ParseFlags(int argc, char** argv) {
  BenchFlags flags;
  if (absl::Status s = ParseIntFlags(
          argc, argv,
          {{"orgs", &flags.orgs}, {"track_calls", &flags.track_calls}}, kUsage);
      !s.ok()) {
    return s;
  }
  return flags;
}

double Seconds(SteadyClock::duration d) {
  return std::chrono::duration<double>(d).count();
}

std::unique_ptr<grpc::ClientContext> AsAdmin() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("x-partydev-sub", "people/admin");
  context->AddMetadata("x-partydev-roles", "admin");
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::minutes(10));
  return context;
}

// used_memory of INFO memory, in bytes.
int64_t UsedMemory(RedisClient& redis) {
  absl::StatusOr<RedisReply> info = redis.Command({"INFO", "memory"});
  if (!info.ok()) return 0;
  for (absl::string_view line : absl::StrSplit(info->str(), "\r\n")) {
    if (absl::ConsumePrefix(&line, "used_memory:")) {
      int64_t bytes = 0;
      if (absl::SimpleAtoi(line, &bytes)) return bytes;
    }
  }
  return 0;
}

nv1::Directive NationalDirective(const std::string& province) {
  nv1::Directive d;
  d.set_issuing_organization(province);
  d.add_issuing_body_lines("TỈNH ỦY");
  d.set_document_type(nv1::DOCUMENT_TYPE_DIRECTIVE);
  d.set_issuer_code("TU");
  d.set_place("Đà Lạt");
  d.set_subject("về tăng cường công tác phát triển đảng viên");
  d.set_body("Chỉ thị này được phổ biến đến chi bộ.");
  d.mutable_signer()->set_capacity(nv1::SIGNING_CAPACITY_ON_BEHALF_OF);
  d.mutable_signer()->set_collective("BAN THƯỜNG VỤ");
  d.mutable_signer()->set_title("BÍ THƯ");
  d.mutable_signer()->set_signer_name("Nguyễn Văn A");
  nv1::DirectiveRecipient* line = d.add_recipients();
  line->set_purpose(nv1::RECIPIENT_PURPOSE_ACT);
  line->set_label("Các cấp ủy trực thuộc");
  line->set_organization(province);
  d.mutable_dissemination()->set_scope(nv1::DISSEMINATION_SCOPE_CELLS);
  d.mutable_dissemination()->set_acknowledgement_required(true);
  return d;
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

  std::shared_ptr<notification::NotificationContext> context;
  auto server = std::make_unique<testing::InProcessServer>(
      testing::TestConfig(redis.url(), {"--log_level=warn"}),
      [&context](ServiceRuntime& runtime)
          -> absl::StatusOr<std::vector<ServiceRegistration>> {
        absl::StatusOr<notification::NotificationConfig> config =
            notification::LoadNotificationConfig(
                PARTYDEV_NOTIFICATION_RULES_DIR);
        if (!config.ok()) return config.status();
        absl::StatusOr<notification::NotificationServices> services =
            notification::MakeNotificationServices(runtime, *std::move(config));
        if (!services.ok()) return services.status();
        context = services->context;
        return std::move(services->registrations);
      });
  if (absl::Status started = server->Start(); !started.ok()) {
    std::cerr << "notification server: " << started << "\n";
    return 1;
  }

  // 1. The tree, projected by notifyd.
  std::vector<events::v1::Event> tree_events;
  const Tree tree = MakeTree(flags->orgs, tree_events);
  if (absl::StatusOr<std::string> last = PublishAll(bench_redis, tree_events);
      !last.ok()) {
    std::cerr << "publish tree: " << last.status() << "\n";
    return 1;
  }
  SteadyClock::time_point start = SteadyClock::now();
  absl::StatusOr<int> drained = context->organizations().DrainAll();
  const double tree_seconds = Seconds(SteadyClock::now() - start);
  if (!drained.ok()) {
    std::cerr << "drain tree: " << drained.status() << "\n";
    return 1;
  }
  std::cerr << "tree: " << tree.size << " organisations projected in "
            << tree_seconds << " s\n";

  // 2. Raw: one stream entry of a delivery's size per organisation.
  std::vector<std::string> payloads(tree.size, std::string(600, 'x'));
  start = SteadyClock::now();
  if (!XAddAll(bench_redis, "{pd:bench}:raw", "d", payloads).ok()) {
    std::cerr << "raw baseline failed\n";
    return 1;
  }
  const double raw_seconds = Seconds(SteadyClock::now() - start);
  payloads.clear();
  bench_redis.Command({"DEL", "{pd:bench}:raw"}).IgnoreError();
  const int64_t memory_before = UsedMemory(bench_redis);

  // 3. Issue, then the fan-out job.
  auto directives = nv1::DirectiveService::NewStub(server->channel());
  nv1::CreateDirectiveRequest create;
  *create.mutable_directive() = NationalDirective(tree.province);
  create.set_directive_id("ct-national");
  nv1::Directive draft;
  grpc::Status s = directives->CreateDirective(AsAdmin().get(), create, &draft);
  if (!s.ok()) {
    std::cerr << "CreateDirective: " << s.error_message() << "\n";
    return 1;
  }
  nv1::IssueDirectiveRequest issue;
  issue.set_name(draft.name());
  issue.set_etag(draft.etag());
  nv1::Directive issued;
  start = SteadyClock::now();
  s = directives->IssueDirective(AsAdmin().get(), issue, &issued);
  const double issue_seconds = Seconds(SteadyClock::now() - start);
  if (!s.ok()) {
    std::cerr << "IssueDirective: " << s.error_message() << "\n";
    return 1;
  }
  Metrics metrics;
  notification::DeliveryDispatcher dispatcher(*context);
  notification::JobWorker worker(
      context->redis(), context->queue_keys(), context->clock(), metrics,
      notification::DeliveryWorkerOptions(*context, 0), dispatcher.AsHandler());
  start = SteadyClock::now();
  absl::StatusOr<int> jobs = worker.Drain();
  const double fan_out_seconds = Seconds(SteadyClock::now() - start);
  if (!jobs.ok()) {
    std::cerr << "fan-out: " << jobs.status() << "\n";
    return 1;
  }
  nv1::GetDirectiveRequest get;
  get.set_name(draft.name());
  nv1::Directive done;
  s = directives->GetDirective(AsAdmin().get(), get, &done);
  if (!s.ok() || done.state() != nv1::DIRECTIVE_STATE_ISSUED) {
    std::cerr << "directive not issued: " << s.error_message() << " state "
              << done.state() << "\n";
    return 1;
  }
  const int deliveries = done.fan_out().created_deliveries();
  const int64_t memory_after = UsedMemory(bench_redis);

  // 4. Tracking over the whole tree, by child.
  nv1::TrackDirectiveRequest track;
  track.set_name(draft.name());
  track.set_under_organization(tree.province);
  track.set_by_child(true);
  std::vector<double> track_ms;
  for (int i = 0; i < flags->track_calls; ++i) {
    nv1::TrackDirectiveResponse tracked;
    start = SteadyClock::now();
    s = directives->TrackDirective(AsAdmin().get(), track, &tracked);
    track_ms.push_back(Seconds(SteadyClock::now() - start) * 1000);
    if (!s.ok() || tracked.summary().total() != deliveries) {
      std::cerr << "TrackDirective: " << s.error_message() << " total "
                << tracked.summary().total() << "\n";
      return 1;
    }
  }
  std::sort(track_ms.begin(), track_ms.end());

  const double raw_rate = tree.size / raw_seconds;
  const double fan_out_rate = deliveries / fan_out_seconds;
  std::cout << absl::StrFormat(
      "directive fan-out benchmark (%d organisations; redis-server on "
      "loopback)\n",
      tree.size);
  std::cout << absl::StrFormat(
      "  tree projected by notifyd         %8.0f events/s (%.1f s)\n",
      tree.size / tree_seconds, tree_seconds);
  std::cout << absl::StrFormat(
      "  raw pipelined XADD                %8.0f entries/s (%.2f s)\n",
      raw_rate, raw_seconds);
  std::cout << absl::StrFormat(
      "  IssueDirective (validates, plans %d deliveries)  %.2f s\n",
      issued.fan_out().planned_deliveries(), issue_seconds);
  std::cout << absl::StrFormat(
      "  fan-out: %d deliveries + inbox messages + counters in %.2f s  "
      "%8.0f deliveries/s  ratio to raw %.2f\n",
      deliveries, fan_out_seconds, fan_out_rate, fan_out_rate / raw_rate);
  std::cout << absl::StrFormat("  issue to last delivery            %.2f s\n",
                               issue_seconds + fan_out_seconds);
  std::cout << absl::StrFormat(
      "  TrackDirective by child (%zu children) median %.1f ms\n",
      tree.grassroots.size() / 50,  // the districts
      track_ms[track_ms.size() / 2]);
  std::cout << absl::StrFormat(
      "  Redis memory per delivery (record, message, indexes, counters) "
      "%.0f bytes\n",
      static_cast<double>(memory_after - memory_before) /
          std::max(1, deliveries));
  return deliveries == issued.fan_out().planned_deliveries() ? 0 : 1;
}
