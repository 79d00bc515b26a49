// partydev-notification-bench: the delivery engine of issue #6, as ratios
// to a raw Redis Streams baseline measured in the same run.
//
// On a real redis-server (tests/support RedisServer):
//   1. raw: --jobs entries of a job's size appended with pipelined XADD and
//      read back through one consumer group with XREADGROUP + XACK, doing
//      nothing with them (the floor any stream queue pays);
//   2. engine: the same number of jobs enqueued the way services do
//      (JobQueue::StageEnqueue, 100 jobs per AtomicWrite: the outbox) and
//      delivered by a JobWorker whose handler does nothing: what the engine
//      adds per delivery (the done key, the settle script's XACK + XDEL,
//      the rate-limit and policy lookups);
//   3. latency: a started JobWorker while a producer enqueues --rate jobs a
//      second for --seconds; enqueue-to-delivery p50 and p99 (the job's
//      enqueue_time to the handler's call).
// The inbox channel's own write and the fan-out of a directive to 270,000
// cells are measured when those land (issue #6).
//
// Jobs are built before any clock starts, for the raw loop and the engine
// alike. Besides wall time, each phase reports the CPU it cost this process
// and the redis-server per job (steadier than wall time on a machine shared
// with builds), and Redis's time by command (INFO commandstats): where the
// engine's time goes.
//
// Flags: --jobs=20000 --rate=500 --seconds=5.

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "bench/bench_setup.h"
#include "common/atomic_write.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "common/redis_client.h"
#include "partydev/storage/v1/jobs.pb.h"
#include "services/notification/queue/job_queue.h"
#include "services/notification/queue/job_worker.h"
#include "services/notification/queue/queue_keys.h"

namespace partydev::bench {
namespace {

namespace v1 = ::partydev::notification::v1;
using notification::JobQueue;
using notification::JobResult;
using notification::JobWorker;
using notification::JobWorkerOptions;
using notification::QueueKeys;

constexpr char kPrefix[] = "{pd:notification}:";
constexpr int kJobsPerWrite = 100;
constexpr int kReadBatch = 50;  // JobWorkerOptions::batch default

struct BenchFlags {
  int jobs = 20000;
  int rate = 500;
  int seconds = 5;
};

constexpr char kUsage[] =
    R"(Usage: partydev-notification-bench [--jobs=20000] [--rate=500]
           [--seconds=5]
)";

absl::StatusOr<BenchFlags> ParseFlags(int argc, char** argv) {
  BenchFlags flags;
  if (absl::Status s = ParseIntFlags(argc, argv,
                                     {{"jobs", &flags.jobs},
                                      {"rate", &flags.rate},
                                      {"seconds", &flags.seconds}},
                                     kUsage);
      !s.ok()) {
    return s;
  }
  return flags;
}

// A delivery job of a typical size (a rendered reminder of a few hundred
// bytes).
storage::v1::Job SampleJob(int i) {
  storage::v1::Job job;
  job.set_kind(v1::JOB_KIND_CHANNEL_DELIVERY);
  job.set_priority(v1::MESSAGE_PRIORITY_NORMAL);
  job.set_channel_type(v1::CHANNEL_TYPE_IN_APP);
  job.set_recipient(absl::StrCat("recipients/r", i % 1000));
  job.set_idempotency_key(absl::StrCat("bench-", i));
  std::string payload;
  while (payload.size() < 300) {
    payload +=
        "Nhắc việc: đánh giá quần chúng ưu tú hằng tháng đến hạn ngày 30/11. ";
  }
  job.set_payload(payload);
  return job;
}

JobWorkerOptions Options(const std::string& consumer) {
  JobWorkerOptions options;
  options.consumer = consumer;
  options.block = absl::Milliseconds(20);
  options.policy = [](v1::ChannelType channel) {
    v1::ChannelPolicy policy;
    policy.set_channel(channel);
    policy.set_max_attempts(5);
    return policy;
  };
  return options;
}

// CPU seconds used so far by this process (every thread) and by the
// redis-server: on a machine shared with builds, wall time per job swings
// from run to run, CPU time per job much less.
struct CpuSeconds {
  double client = 0;
  double redis = 0;
};

absl::StatusOr<CpuSeconds> CpuNow(RedisClient& redis) {
  CpuSeconds cpu;
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  cpu.client = usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
               (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  absl::StatusOr<RedisReply> info = redis.Command({"INFO", "cpu"});
  if (!info.ok()) return info.status();
  for (absl::string_view line : absl::StrSplit(info->str(), '\n')) {
    // used_cpu_sys:1.23 and used_cpu_user:4.56 (the whole server).
    double value = 0;
    absl::string_view rest = absl::StripAsciiWhitespace(line);
    if ((absl::ConsumePrefix(&rest, "used_cpu_sys:") ||
         absl::ConsumePrefix(&rest, "used_cpu_user:")) &&
        absl::SimpleAtod(rest, &value)) {
      cpu.redis += value;
    }
  }
  return cpu;
}

// Microseconds of CPU per job between two samples.
CpuSeconds PerJobMicros(const CpuSeconds& from, const CpuSeconds& to,
                        int jobs) {
  return {(to.client - from.client) * 1e6 / jobs,
          (to.redis - from.redis) * 1e6 / jobs};
}

// Clears Redis's command statistics (INFO commandstats) before a phase.
absl::Status ResetCommandStats(RedisClient& redis) {
  return redis.Command({"CONFIG", "RESETSTAT"}).status();
}

// Redis's own account of a phase: the commands that took most of its time
// since ResetCommandStats, as calls and microseconds per job ("evalsha
// 0.06/job 9.1us, xack ..."). A script's commands are also counted on their
// own, inside evalsha's time.
absl::StatusOr<std::string> CommandStatsPerJob(RedisClient& redis, int jobs) {
  absl::StatusOr<RedisReply> info = redis.Command({"INFO", "commandstats"});
  if (!info.ok()) return info.status();
  struct Row {
    std::string name;
    int64_t calls = 0;
    int64_t usec = 0;
  };
  std::vector<Row> rows;
  for (absl::string_view line : absl::StrSplit(info->str(), '\n')) {
    // cmdstat_xadd:calls=20000,usec=51234,usec_per_call=2.56,...
    if (!absl::ConsumePrefix(&line, "cmdstat_")) continue;
    std::vector<absl::string_view> parts =
        absl::StrSplit(line, absl::MaxSplits(':', 1));
    // The bench's own bookkeeping (config|resetstat, info) is not the
    // engine's.
    if (parts.size() != 2 || absl::StartsWith(parts[0], "config") ||
        parts[0] == "info") {
      continue;
    }
    Row row{std::string(parts[0])};
    for (absl::string_view field : absl::StrSplit(parts[1], ',')) {
      if (absl::ConsumePrefix(&field, "calls=")) {
        (void)absl::SimpleAtoi(field, &row.calls);
      } else if (absl::ConsumePrefix(&field, "usec=")) {
        (void)absl::SimpleAtoi(field, &row.usec);
      }
    }
    rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end(),
            [](const Row& a, const Row& b) { return a.usec > b.usec; });
  std::string out;
  for (size_t i = 0; i < rows.size() && i < 7; ++i) {
    absl::StrAppend(
        &out, i == 0 ? "" : ", ", rows[i].name, " ",
        absl::StrFormat("%.2f/job %.1fus", 1.0 * rows[i].calls / jobs,
                        1.0 * rows[i].usec / jobs));
  }
  return out;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

}  // namespace
}  // namespace partydev::bench

int main(int argc, char** argv) {
  using namespace partydev;         // NOLINT
  using namespace partydev::bench;  // NOLINT
  absl::StatusOr<BenchFlags> flags = ParseFlags(argc, argv);
  if (std::optional<int> exit = ExitOnFlagError(flags, kUsage)) return *exit;

  testing::RedisServer redis;
  absl::StatusOr<RedisOptions> redis_options = StartBenchRedis(redis, 4);
  if (!redis_options.ok()) return 1;
  RedisClient client(*redis_options);
  SystemClock clock;
  Metrics metrics;
  const QueueKeys keys{kPrefix};
  JobQueue queue(client, keys, clock);
  if (absl::Status s = queue.EnsureGroups(); !s.ok()) {
    std::cerr << s << "\n";
    return 1;
  }

  // 1. Raw streams. Jobs (and their bytes) are built before any clock
  // starts, here as in the engine runs.
  std::vector<std::string> payloads;
  payloads.reserve(flags->jobs);
  for (int i = 0; i < flags->jobs; ++i) {
    payloads.push_back(SampleJob(i).SerializeAsString());
  }
  if (!ResetCommandStats(client).ok()) return 1;
  absl::StatusOr<CpuSeconds> raw_cpu_start = CpuNow(client);
  const absl::Time raw_start = absl::Now();
  absl::StatusOr<std::string> last =
      XAddAll(client, "{pd:bench}:raw", "j", payloads);
  const double raw_enqueue_seconds =
      absl::ToDoubleSeconds(absl::Now() - raw_start);
  absl::StatusOr<int64_t> raw_read =
      RawDrain(client, "{pd:bench}:raw", "0", 1, "raw", kReadBatch);
  const double raw_seconds = absl::ToDoubleSeconds(absl::Now() - raw_start);
  absl::StatusOr<CpuSeconds> raw_cpu_end = CpuNow(client);
  absl::StatusOr<std::string> raw_stats =
      CommandStatsPerJob(client, flags->jobs);
  if (!last.ok() || !raw_read.ok() || !raw_stats.ok() || !raw_cpu_start.ok() ||
      !raw_cpu_end.ok()) {
    std::cerr << "raw baseline failed\n";
    return 1;
  }

  // 2. The engine: each Done settled alone (the default), then settled
  // 50 at a time (settle_batch, for channels idempotent on their own).
  struct EngineRun {
    double enqueue_seconds = 0;
    double total_seconds = 0;
    int64_t handled = 0;
    std::string enqueue_stats;  // Redis's time by command, enqueue
    std::string stats;          // and delivery
    CpuSeconds cpu;             // per job, microseconds
    CpuSeconds enqueue_cpu;     // of which the enqueue
  };
  auto run_engine = [&](int settle_batch,
                        int first) -> absl::StatusOr<EngineRun> {
    EngineRun run;
    std::vector<storage::v1::Job> jobs;
    jobs.reserve(flags->jobs);
    for (int i = 0; i < flags->jobs; ++i) jobs.push_back(SampleJob(first + i));
    if (absl::Status s = ResetCommandStats(client); !s.ok()) return s;
    absl::StatusOr<CpuSeconds> cpu_start = CpuNow(client);
    if (!cpu_start.ok()) return cpu_start.status();
    const absl::Time start = absl::Now();
    for (int i = 0; i < flags->jobs; i += kJobsPerWrite) {
      AtomicWrite write;
      for (int j = i; j < std::min(flags->jobs, i + kJobsPerWrite); ++j) {
        queue.StageEnqueue(write, std::move(jobs[j]), clock.Now());
      }
      if (absl::StatusOr<WriteResult> w = write.Commit(client); !w.ok()) {
        return w.status();
      }
    }
    run.enqueue_seconds = absl::ToDoubleSeconds(absl::Now() - start);
    absl::StatusOr<CpuSeconds> cpu_enqueued = CpuNow(client);
    if (!cpu_enqueued.ok()) return cpu_enqueued.status();
    run.enqueue_cpu = PerJobMicros(*cpu_start, *cpu_enqueued, flags->jobs);
    absl::StatusOr<std::string> enqueue_stats =
        CommandStatsPerJob(client, flags->jobs);
    if (!enqueue_stats.ok()) return enqueue_stats.status();
    run.enqueue_stats = *std::move(enqueue_stats);
    if (absl::Status s = ResetCommandStats(client); !s.ok()) return s;
    JobWorkerOptions options =
        Options(absl::StrCat("bench-drain-", settle_batch));
    options.settle_batch = settle_batch;
    JobWorker worker(client, keys, clock, metrics, options,
                     [&run](const storage::v1::Job&) {
                       ++run.handled;
                       return JobResult::Done();
                     });
    absl::StatusOr<int> drained = worker.Drain();
    if (!drained.ok()) return drained.status();
    run.total_seconds = absl::ToDoubleSeconds(absl::Now() - start);
    absl::StatusOr<CpuSeconds> cpu_end = CpuNow(client);
    if (!cpu_end.ok()) return cpu_end.status();
    run.cpu = PerJobMicros(*cpu_start, *cpu_end, flags->jobs);
    absl::StatusOr<std::string> stats = CommandStatsPerJob(client, flags->jobs);
    if (!stats.ok()) return stats.status();
    run.stats = *std::move(stats);
    return run;
  };
  absl::StatusOr<EngineRun> single = run_engine(1, 0);
  absl::StatusOr<EngineRun> batched = run_engine(kReadBatch, flags->jobs);
  if (!single.ok() || !batched.ok()) {
    std::cerr << "engine run failed\n";
    return 1;
  }

  // 3. Latency at a steady rate.
  absl::Mutex mu;
  std::vector<double> latencies_ms;
  JobWorker live(client, keys, clock, metrics, Options("bench-live"),
                 [&](const storage::v1::Job& job) {
                   const absl::Time enqueued = absl::FromUnixMillis(
                       job.enqueue_time().seconds() * 1000 +
                       job.enqueue_time().nanos() / 1000000);
                   absl::MutexLock lock(&mu);
                   latencies_ms.push_back(
                       absl::ToDoubleMilliseconds(absl::Now() - enqueued));
                   return JobResult::Done();
                 });
  live.Start();
  const int total = flags->rate * flags->seconds;
  const absl::Time steady_start = absl::Now();
  for (int i = 0; i < total; ++i) {
    const absl::Time due =
        steady_start +
        absl::Seconds(1) * (static_cast<double>(i) / flags->rate);
    absl::SleepFor(due - absl::Now());
    storage::v1::Job job = SampleJob(2 * flags->jobs + i);
    if (!queue.Enqueue(job).ok()) {
      std::cerr << "enqueue failed\n";
      return 1;
    }
  }
  for (int wait = 0; wait < 200; ++wait) {
    {
      absl::MutexLock lock(&mu);
      if (static_cast<int>(latencies_ms.size()) >= total) break;
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  live.Stop();

  const double raw_rate = flags->jobs / raw_seconds;
  std::cout << absl::StrFormat(
      "notification engine benchmark (%d jobs; redis-server on loopback)\n",
      flags->jobs);
  std::cout << absl::StrFormat(
      "  raw XADD + XREADGROUP + XACK      %8.0f jobs/s  (%.2f s, of which "
      "XADD %.2f s)\n",
      raw_rate, raw_seconds, raw_enqueue_seconds);
  for (const auto& [label, run] : {std::pair<const char*, const EngineRun*>{
                                       "settled one by one", &*single},
                                   {"settled 50 at a time", &*batched}}) {
    const double rate = flags->jobs / run->total_seconds;
    std::cout << absl::StrFormat(
        "  engine, %-20s %8.0f jobs/s  (%.2f s, of which enqueue %.2f s; "
        "handled %lld)  ratio to raw %.2f\n",
        label, rate, run->total_seconds, run->enqueue_seconds,
        static_cast<long long>(run->handled), rate / raw_rate);
  }
  const CpuSeconds raw_cpu =
      PerJobMicros(*raw_cpu_start, *raw_cpu_end, flags->jobs);
  const double raw_cpu_total = raw_cpu.client + raw_cpu.redis;
  std::cout << absl::StrFormat(
      "  CPU per job (bench + redis-server): raw %.1f + %.1f us",
      raw_cpu.client, raw_cpu.redis);
  for (const auto& [label, run] :
       {std::pair<const char*, const EngineRun*>{"one by one", &*single},
        {"batched", &*batched}}) {
    std::cout << absl::StrFormat(
        "; %s %.1f + %.1f us (enqueue %.1f + %.1f; ratio %.2f)", label,
        run->cpu.client, run->cpu.redis, run->enqueue_cpu.client,
        run->enqueue_cpu.redis,
        raw_cpu_total / (run->cpu.client + run->cpu.redis));
  }
  std::cout << "\n";
  std::cout << "  redis time by command, raw:     " << *raw_stats << "\n"
            << "  redis time by command, batched enqueue:  "
            << batched->enqueue_stats << "\n"
            << "  redis time by command, batched delivery: " << batched->stats
            << "\n";
  absl::MutexLock lock(&mu);
  std::cout << absl::StrFormat(
      "  steady %d jobs/s for %d s: delivered %zu of %d, enqueue-to-delivery "
      "p50 %.1f ms, p99 %.1f ms\n",
      flags->rate, flags->seconds, latencies_ms.size(), total,
      Percentile(latencies_ms, 0.5), Percentile(latencies_ms, 0.99));
  return single->handled == flags->jobs && batched->handled == flags->jobs ? 0
                                                                           : 1;
}
