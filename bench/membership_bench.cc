// partydev-membership-bench: the membership benchmarks of issue #4, as
// ratios to baselines measured in the same run.
//
// In one process, on a real redis-server (tests/support RedisServer), with
// membershipd's services (MakeMembershipServices, the wiring of main.cc)
// and the Echo service on the same in-process server:
//
//   1. builds a tree as admin: province > commune-level committee >
//      grassroots committee > --cells cells;
//   2. registers --people official members through CreatePerson (the
//      per-row work of the CSV import, which calls the same RegisterPerson)
//      from 1 and from --register_threads clients: rows/s, and used_memory
//      per person with the journal (events, audit) the RPC writes; then
//      tries AdministrationService.ImportCsv with --import_rows rows;
//   3. runs closed-loop load (bench/loadgen.h) at concurrency 1 and C on
//      Echo (the empty handler), GetPerson, ListPeople of one cell (page 50)
//      and ListPeople of the grassroots subtree with a name query (page
//      50); each row as a ratio to Echo and to raw Redis GET;
//   4. stops the gRPC server and runs `redis-benchmark -t get,hset -c C`
//      (and -c 1) against the same redis-server;
//   5. writes --members people directly with PersonStore::StageWrite in
//      AtomicWrite batches of --batch, and prints INFO memory used_memory
//      per stored member.
//
// Flags: --duration=5s --warmup=1s --concurrency=32 --cells=20
// --people=2000 --register_threads=8 --import_rows=2000
// --redis_requests=100000 --members=1000000 --cell_size=30 --batch=500.

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
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
#include "common/atomic_write.h"
#include "common/ids.h"
#include "common/record_store.h"
#include "common/redis_client.h"
#include "common/redis_options.h"
#include "partydev/membership/v1/administration.grpc.pb.h"
#include "partydev/membership/v1/organizations.grpc.pb.h"
#include "partydev/membership/v1/people.grpc.pb.h"
#include "partydev/testing/v1/echo.grpc.pb.h"
#include "services/membership/domain/names.h"
#include "services/membership/person_store.h"
#include "services/membership/services.h"
#include "tests/support/echo_service.h"
#include "tests/support/in_process_server.h"
#include "tests/support/redis_server.h"

extern char** environ;

namespace partydev::bench {
namespace {

namespace v1 = ::partydev::membership::v1;
using Clock = std::chrono::steady_clock;

constexpr char kKeyPrefix[] = "pd:membership:";

struct BenchFlags {
  absl::Duration duration = absl::Seconds(5);
  absl::Duration warmup = absl::Seconds(1);
  int concurrency = 32;
  int cells = 20;
  int people = 2000;
  int register_threads = 8;
  int import_rows = 2000;
  int64_t redis_requests = 100000;
  int64_t members = 1000000;
  int cell_size = 30;
  int batch = 500;
};

constexpr char kUsage[] =
    R"(Usage: partydev-membership-bench [--duration=5s] [--warmup=1s]
           [--concurrency=32] [--cells=20] [--people=2000]
           [--register_threads=8] [--import_rows=2000]
           [--redis_requests=100000] [--members=1000000] [--cell_size=30]
           [--batch=500]
)";

absl::StatusOr<BenchFlags> ParseFlags(int argc, char** argv) {
  BenchFlags flags;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") return absl::CancelledError();
    std::vector<std::string> kv = absl::StrSplit(arg, absl::MaxSplits('=', 1));
    absl::string_view name = kv[0];
    if (kv.size() != 2 || !absl::ConsumePrefix(&name, "--")) {
      return absl::InvalidArgumentError(
          absl::StrCat("expected --name=value, got ", arg, "\n", kUsage));
    }
    const std::string& value = kv[1];
    bool ok = true;
    int64_t number = 0;
    const std::map<absl::string_view, int*> ints = {
        {"concurrency", &flags.concurrency},
        {"cells", &flags.cells},
        {"people", &flags.people},
        {"register_threads", &flags.register_threads},
        {"import_rows", &flags.import_rows},
        {"cell_size", &flags.cell_size},
        {"batch", &flags.batch}};
    if (name == "duration") {
      ok = absl::ParseDuration(value, &flags.duration) &&
           flags.duration > absl::ZeroDuration();
    } else if (name == "warmup") {
      ok = absl::ParseDuration(value, &flags.warmup) &&
           flags.warmup >= absl::ZeroDuration();
    } else if (auto it = ints.find(name); it != ints.end()) {
      // --import_rows=0 and --people=0 skip those phases.
      const int64_t min = (name == "import_rows" || name == "people") ? 0 : 1;
      ok = absl::SimpleAtoi(value, &number) && number >= min &&
           number <= 10000000;
      *it->second = static_cast<int>(number);
    } else if (name == "redis_requests" || name == "members") {
      ok = absl::SimpleAtoi(value, &number) && number >= 0;
      (name == "members" ? flags.members : flags.redis_requests) = number;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag ", arg, "\n", kUsage));
    }
    if (!ok) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad value in ", arg, "\n", kUsage));
    }
  }
  return flags;
}

// ---------------------------------------------------------------------------
// redis-benchmark. RunAndCapture and ParseRedisBenchmarkCsv are copied from
// baseline_bench.cc, where they are private to that binary.

struct RedisBenchmarkRow {
  double rps = 0;
  double p50_ms = 0;
  double p99_ms = 0;
};

// Runs `argv` without a shell and returns what it wrote to stdout.
absl::StatusOr<std::string> RunAndCapture(std::vector<std::string> argv) {
  int fds[2];
  if (pipe(fds) != 0) return absl::InternalError("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = -1;
  const int spawned =
      posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (spawned != 0) {
    close(fds[0]);
    return absl::UnavailableError(
        absl::StrCat("cannot run ", argv[0], ": apt-get install redis-tools"));
  }
  std::string out;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fds[0], buffer, sizeof(buffer))) > 0) out.append(buffer, n);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(absl::StrCat(argv[0], " failed: ", out));
  }
  return out;
}

// Parses `redis-benchmark --csv` (Redis 7: a header line, then one line per
// test).
absl::StatusOr<std::map<std::string, RedisBenchmarkRow>> ParseRedisBenchmarkCsv(
    absl::string_view csv) {
  std::map<std::string, RedisBenchmarkRow> rows;
  std::vector<std::string> header = {"test", "rps"};
  for (absl::string_view line : absl::StrSplit(csv, '\n')) {
    if (size_t cr = line.rfind('\r'); cr != absl::string_view::npos) {
      line = line.substr(cr + 1);
    }
    std::vector<std::string> cells;
    for (absl::string_view cell : absl::StrSplit(line, ',')) {
      cells.emplace_back(
          absl::StripSuffix(absl::StripPrefix(cell, "\""), "\""));
    }
    if (cells.size() < 2) continue;
    if (cells[0] == "test") {
      header = cells;
      continue;
    }
    RedisBenchmarkRow row;
    for (size_t i = 1; i < cells.size() && i < header.size(); ++i) {
      double value = 0;
      if (!absl::SimpleAtod(cells[i], &value)) continue;
      if (header[i] == "rps") row.rps = value;
      if (header[i] == "p50_latency_ms") row.p50_ms = value;
      if (header[i] == "p99_latency_ms") row.p99_ms = value;
    }
    rows[cells[0]] = row;
  }
  if (rows.empty()) {
    return absl::InternalError(
        absl::StrCat("no results in redis-benchmark output: ", csv));
  }
  return rows;
}

// ---------------------------------------------------------------------------
// Callers and data.

// The fixture's admin caller in dev auth (tests/membership As(Admin())).
const std::vector<std::pair<std::string, std::string>>& AdminMetadata() {
  static const auto* metadata =
      new std::vector<std::pair<std::string, std::string>>{
          {"x-partydev-sub", "people/admin"},
          {"x-partydev-org", ""},
          {"x-partydev-roles", "admin"}};
  return *metadata;
}

std::unique_ptr<grpc::ClientContext> AsAdmin() {
  auto context = std::make_unique<grpc::ClientContext>();
  for (const auto& [key, value] : AdminMetadata()) {
    context->AddMetadata(key, value);
  }
  return context;
}

common::v1::Date D(int y, int m, int d) {
  common::v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

// Vietnamese full names, varied enough that rolls are not one name.
std::string FullName(int64_t i) {
  static constexpr const char* kFamily[] = {
      "Nguyễn", "Trần", "Lê",   "Phạm", "Hoàng", "Huỳnh", "Phan",
      "Vũ",     "Võ",   "Đặng", "Bùi",  "Đỗ",    "Hồ",    "Ngô"};
  static constexpr const char* kMiddle[] = {"Văn",   "Thị",  "Hữu",  "Minh",
                                            "Thanh", "Quốc", "Ngọc", "Đức",
                                            "Thu",   "Xuân"};
  static constexpr const char* kGiven[] = {
      "An",    "Bình",  "Cường", "Dũng",   "Giang", "Hà",   "Hải",  "Hạnh",
      "Hoa",   "Hùng",  "Hương", "Khánh",  "Lan",   "Linh", "Long", "Mai",
      "Nam",   "Nga",   "Phúc",  "Phương", "Quân",  "Sơn",  "Tâm",  "Thảo",
      "Trang", "Trung", "Tuấn",  "Vân",    "Việt",  "Yến"};
  constexpr int64_t kF = sizeof(kFamily) / sizeof(kFamily[0]);
  constexpr int64_t kM = sizeof(kMiddle) / sizeof(kMiddle[0]);
  constexpr int64_t kG = sizeof(kGiven) / sizeof(kGiven[0]);
  return absl::StrCat(kFamily[i % kF], " ", kMiddle[(i / kF) % kM], " ",
                      kGiven[(i / (kF * kM)) % kG]);
}

// A 12-digit citizen id unique per (series, i).
std::string CitizenId(int series, int64_t i) {
  return absl::StrFormat("%02d%010d", series, i);
}

absl::StatusOr<int64_t> UsedMemory(RedisClient& redis) {
  absl::StatusOr<RedisReply> info = redis.Command({"INFO", "memory"});
  if (!info.ok()) return info.status();
  for (absl::string_view line : absl::StrSplit(info->str(), "\r\n")) {
    int64_t value = 0;
    if (absl::ConsumePrefix(&line, "used_memory:") &&
        absl::SimpleAtoi(line, &value)) {
      return value;
    }
  }
  return absl::InternalError("no used_memory in INFO memory");
}

std::string RedisVersion(RedisClient& redis) {
  absl::StatusOr<RedisReply> info = redis.Command({"INFO", "server"});
  if (!info.ok()) return "?";
  for (absl::string_view line : absl::StrSplit(info->str(), "\r\n")) {
    if (absl::ConsumePrefix(&line, "redis_version:")) return std::string(line);
  }
  return "?";
}

// ---------------------------------------------------------------------------
// Phases.

struct Tree {
  std::string province;
  std::string commune;
  std::string grassroots;
  std::vector<std::string> cells;
};

absl::StatusOr<std::string> CreateOrganization(
    v1::OrganizationService::Stub& stub, const std::string& parent,
    const std::string& id, const std::string& display, const std::string& kind,
    const std::string& level) {
  v1::CreateOrganizationRequest request;
  request.set_organization_id(id);
  v1::Organization* org = request.mutable_organization();
  org->set_parent(parent);
  org->set_display_name(display);
  org->set_kind(kind);
  org->set_level(level);
  *org->mutable_valid_from() = D(2025, 7, 1);
  v1::Organization out;
  grpc::Status status = stub.CreateOrganization(AsAdmin().get(), request, &out);
  if (!status.ok()) {
    return absl::InternalError(
        absl::StrCat("CreateOrganization ", id, ": ", status.error_message()));
  }
  return out.name();
}

absl::StatusOr<Tree> CreateTree(v1::OrganizationService::Stub& stub,
                                int cells) {
  Tree tree;
  absl::StatusOr<std::string> name =
      CreateOrganization(stub, "", "lam-dong", "Đảng bộ tỉnh Lâm Đồng",
                         "PROVINCIAL_COMMITTEE", "PROVINCE");
  if (!name.ok()) return name.status();
  tree.province = *name;
  name = CreateOrganization(stub, tree.province, "xa-lac-duong",
                            "Đảng bộ xã Lạc Dương", "COMMUNE_COMMITTEE",
                            "COMMUNE");
  if (!name.ok()) return name.status();
  tree.commune = *name;
  name = CreateOrganization(stub, tree.commune, "cd-su-pham",
                            "Đảng bộ Trường Cao đẳng Sư phạm",
                            "GRASSROOTS_COMMITTEE", "GRASSROOTS");
  if (!name.ok()) return name.status();
  tree.grassroots = *name;
  for (int c = 0; c < cells; ++c) {
    name = CreateOrganization(stub, tree.grassroots, absl::StrCat("cb-", c),
                              absl::StrCat("Chi bộ ", c), "CELL", "CELL");
    if (!name.ok()) return name.status();
    tree.cells.push_back(*name);
  }
  return tree;
}

// An official member of `cell`, admitted 2015, as the fixture's
// MustCreateOfficialMember with a varied name and birth date.
v1::CreatePersonRequest OfficialMemberRequest(const Tree& tree,
                                              const std::string& cell,
                                              int series, int64_t i) {
  v1::CreatePersonRequest request;
  v1::Person* p = request.mutable_person();
  p->set_full_name(FullName(i));
  *p->mutable_date_of_birth() =
      D(1960 + static_cast<int>(i % 40), 1 + static_cast<int>(i % 12),
        1 + static_cast<int>(i % 28));
  p->set_gender(i % 2 == 0 ? v1::GENDER_MALE : v1::GENDER_FEMALE);
  p->set_general_education(v1::GENERAL_EDUCATION_UPPER_SECONDARY);
  p->set_citizen_id(CitizenId(series, i));
  p->set_organization(cell);
  p->add_categories(common::v1::CATEGORY_YOUTH_UNION_MEMBER);
  v1::ExistingMembership* m = request.mutable_existing_membership();
  m->mutable_admission_decision()->set_number("123-QĐ/ĐU");
  *m->mutable_admission_decision()->mutable_signed_on() = D(2015, 3, 2);
  m->mutable_admission_decision()->set_deciding_organization(tree.grassroots);
  *m->mutable_ceremony_on() = D(2015, 3, 10);
  *m->mutable_official_on() = D(2016, 3, 10);
  return request;
}

struct RegisterResult {
  std::string label;
  int64_t rows = 0;
  int64_t errors = 0;
  std::string first_error;
  double seconds = 0;
  LatencyHistogram latency;
  int64_t memory_bytes = 0;  // used_memory after - before
  double rows_per_second() const { return seconds > 0 ? rows / seconds : 0; }
};

// `rows` CreatePerson calls from `threads` clients, rows spread over cells.
RegisterResult RegisterPeople(const std::shared_ptr<grpc::Channel>& channel,
                              const Tree& tree, int series, int64_t rows,
                              int threads, std::vector<std::string>* names) {
  RegisterResult result;
  result.label = absl::StrFormat("CreatePerson, %d client%s", threads,
                                 threads == 1 ? "" : "s");
  struct PerThread {
    LatencyHistogram latency;
    int64_t errors = 0;
    std::string first_error;
    std::vector<std::string> names;
  };
  std::vector<PerThread> results(threads);
  const Clock::time_point start = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      auto stub = v1::PersonService::NewStub(channel);
      PerThread& mine = results[t];
      for (int64_t i = t; i < rows; i += threads) {
        const std::string& cell = tree.cells[i % tree.cells.size()];
        v1::CreatePersonRequest request =
            OfficialMemberRequest(tree, cell, series, i);
        v1::Person out;
        const Clock::time_point call_start = Clock::now();
        grpc::Status status =
            stub->CreatePerson(AsAdmin().get(), request, &out);
        mine.latency.Record(absl::FromChrono(Clock::now() - call_start));
        if (status.ok()) {
          mine.names.push_back(out.name());
        } else {
          ++mine.errors;
          if (mine.first_error.empty())
            mine.first_error = status.error_message();
        }
      }
    });
  }
  for (auto& worker : workers) worker.join();
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (PerThread& mine : results) {
    result.latency.Merge(mine.latency);
    result.errors += mine.errors;
    if (result.first_error.empty()) result.first_error = mine.first_error;
    for (auto& name : mine.names) names->push_back(std::move(name));
  }
  result.rows = rows - result.errors;
  return result;
}

// ImportCsv of `rows` official members into the cells of the tree, the
// file sent in 1 MiB chunks. Returns the report's error when the RPC fails
// (UNIMPLEMENTED until the import is written).
RegisterResult ImportPeople(const std::shared_ptr<grpc::Channel>& channel,
                            const Tree& tree, int series, int64_t rows) {
  RegisterResult result;
  result.label = "ImportCsv, 1 stream";
  std::string csv =
      "citizen_id,full_name,date_of_birth,gender,general_education,"
      "categories,organization,stage,admission_decision_number,"
      "admission_decision_date,admission_deciding_organization,ceremony_on,"
      "official_on\n";
  for (int64_t i = 0; i < rows; ++i) {
    absl::StrAppendFormat(
        &csv,
        "%s,%s,%04d-%02d-%02d,%s,UPPER_SECONDARY,YOUTH_UNION_MEMBER,%s,"
        "OFFICIAL,123-QĐ/ĐU,2015-03-02,%s,2015-03-10,2016-03-10\n",
        CitizenId(series, i), FullName(i), 1960 + i % 40, 1 + i % 12,
        1 + i % 28, i % 2 == 0 ? "MALE" : "FEMALE",
        membership::LastSegment(tree.cells[i % tree.cells.size()]),
        membership::LastSegment(tree.grassroots));
  }
  auto stub = v1::AdministrationService::NewStub(channel);
  v1::ImportCsvReport report;
  const Clock::time_point start = Clock::now();
  std::unique_ptr<grpc::ClientContext> context = AsAdmin();
  std::unique_ptr<grpc::ClientWriter<v1::ImportCsvRequest>> writer =
      stub->ImportCsv(context.get(), &report);
  v1::ImportCsvRequest header;
  header.mutable_header()->set_organization(tree.grassroots);
  header.mutable_header()->set_kind(v1::IMPORT_KIND_PEOPLE);
  header.mutable_header()->set_file_name("bench.csv");
  bool open = writer->Write(header);
  constexpr size_t kChunk = 1 << 20;
  for (size_t at = 0; open && at < csv.size(); at += kChunk) {
    v1::ImportCsvRequest chunk;
    chunk.set_chunk(csv.substr(at, kChunk));
    open = writer->Write(chunk);
  }
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (!status.ok()) {
    result.errors = rows;
    result.first_error =
        absl::StrCat(status.error_code(), " ", status.error_message());
    return result;
  }
  result.rows = report.rows_created() + report.rows_updated();
  result.errors = report.rows_rejected();
  if (report.rejected_size() > 0 && report.rejected(0).problems_size() > 0) {
    result.first_error = report.rejected(0).problems(0).description();
  }
  return result;
}

struct GrpcRow {
  std::string name;
  int concurrency = 0;
  LoadResult result;
  double echo_ratio = 0;   // qps / Echo qps at the same concurrency
  double redis_ratio = 0;  // qps / redis-benchmark GET rps at the same -c
};

absl::Status RunGrpcLoad(const std::string& address, const Tree& tree,
                         const std::string& person, const BenchFlags& flags,
                         std::vector<GrpcRow>* rows) {
  struct Target {
    std::string name;
    std::string method;
    std::string json;
  };
  const std::vector<Target> targets = {
      {"Echo (empty handler)", "/partydev.testing.v1.EchoService/Echo",
       R"({"message": "x"})"},
      {"GetPerson (FULL)", "/partydev.membership.v1.PersonService/GetPerson",
       absl::StrFormat(R"({"name": "%s"})", person)},
      {"ListPeople cell, page 50",
       "/partydev.membership.v1.PersonService/ListPeople",
       absl::StrFormat(R"({"organization": "%s", "pageSize": 50})",
                       tree.cells[0])},
      {"ListPeople subtree + name, page 50",
       "/partydev.membership.v1.PersonService/ListPeople",
       absl::StrFormat(R"({"organization": "%s", "includeDescendants": true,)"
                       R"( "nameQuery": "nguyen", "pageSize": 50})",
                       tree.grassroots)},
  };
  const std::vector<int> concurrencies =
      flags.concurrency == 1 ? std::vector<int>{1}
                             : std::vector<int>{1, flags.concurrency};
  for (int concurrency : concurrencies) {
    double echo_qps = 0;
    for (const Target& target : targets) {
      LoadOptions options;
      options.target = address;
      options.method = target.method;
      options.request_json = target.json;
      options.metadata = AdminMetadata();
      options.concurrency = concurrency;
      options.duration = flags.duration;
      options.warmup = flags.warmup;
      absl::StatusOr<LoadResult> result = RunLoad(options);
      if (!result.ok()) {
        return absl::Status(
            result.status().code(),
            absl::StrCat(target.name, ": ", result.status().message()));
      }
      GrpcRow row{target.name, concurrency, *result};
      if (&target == &targets[0]) echo_qps = result->qps;
      row.echo_ratio = echo_qps > 0 ? result->qps / echo_qps : 0;
      std::cerr << "  " << target.name << " c=" << concurrency << ": "
                << FormatLoadResult(*result);
      rows->push_back(std::move(row));
    }
  }
  return absl::OkStatus();
}

struct MemoryResult {
  int64_t members = 0;
  int64_t bytes = 0;
  double seconds = 0;
  int64_t cells = 0;
  std::string error;
};

// Writes `members` people like `model` (an official member as CreatePerson
// stored it) directly with PersonStore::StageWrite, `batch` per commit,
// `cell_size` per synthetic cell under the model's grassroots committee.
MemoryResult LoadMembers(const std::string& redis_url, const v1::Person& model,
                         const BenchFlags& flags) {
  MemoryResult result;
  absl::StatusOr<RedisOptions> options = ParseRedisUrl(redis_url);
  if (!options.ok()) {
    result.error = options.status().ToString();
    return result;
  }
  options->pool_size = 1;
  RedisClient redis(*options);
  RecordStore records(redis, HashTaggedPrefix(kKeyPrefix));
  membership::PersonStore people(records);

  absl::StatusOr<int64_t> before = UsedMemory(redis);
  if (!before.ok()) {
    result.error = before.status().ToString();
    return result;
  }
  const Clock::time_point start = Clock::now();
  const auto& path = model.organization_path();
  int64_t done = 0;
  v1::Person person = model;
  person.clear_etag();
  while (done < flags.members) {
    AtomicWrite write;
    const int64_t end = std::min<int64_t>(flags.members, done + flags.batch);
    for (int64_t i = done; i < end; ++i) {
      const int64_t cell = i / flags.cell_size;
      const std::string cell_name =
          absl::StrCat("organizations/bm-cell-", cell);
      person.set_name(absl::StrCat("people/bm-", i));
      person.set_full_name(FullName(i * 7919));
      person.set_folded_name(
          membership::domain::FoldForSearch(person.full_name()));
      *person.mutable_date_of_birth() =
          D(1950 + static_cast<int>(i % 55), 1 + static_cast<int>(i % 12),
            1 + static_cast<int>(i % 28));
      person.set_gender(i % 2 == 0 ? v1::GENDER_MALE : v1::GENDER_FEMALE);
      person.set_citizen_id(CitizenId(90, i));
      person.set_organization(cell_name);
      if (!path.empty()) {
        person.set_organization_path(path.size() - 1, cell_name);
      }
      people.StageWrite(write, nullptr, person);
    }
    absl::StatusOr<WriteResult> committed = write.Commit(redis);
    if (!committed.ok()) {
      result.error =
          absl::StrCat("commit at ", done, ": ", committed.status().ToString());
      return result;
    }
    done = end;
    if (done % 100000 == 0) {
      std::cerr << "  " << done << " members written\n";
    }
  }
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  absl::StatusOr<int64_t> after = UsedMemory(redis);
  if (!after.ok()) {
    result.error = after.status().ToString();
    return result;
  }
  result.members = done;
  result.bytes = *after - *before;
  result.cells = (done + flags.cell_size - 1) / flags.cell_size;
  return result;
}

// ---------------------------------------------------------------------------
// Report.

std::string Millis(double ms) {
  return ms > 0 ? FormatLatency(absl::Microseconds(ms * 1000)) : "-";
}

int Main(int argc, char** argv) {
  absl::StatusOr<BenchFlags> flags = ParseFlags(argc, argv);
  if (std::optional<int> exit = ExitOnFlagError(flags, kUsage)) return *exit;

  testing::RedisServer redis;
  absl::StatusOr<RedisOptions> redis_options = StartBenchRedis(redis, 1);
  if (!redis_options.ok()) return 1;
  RedisClient admin_redis(*redis_options);

  // The production defaults of workers and log level, as the baseline.
  auto server = std::make_unique<testing::InProcessServer>(
      testing::TestConfig(redis.url(),
                          {absl::StrCat("--key_prefix=", kKeyPrefix),
                           "--workers=16", "--log_level=info"}),
      [](ServiceRuntime& runtime)
          -> absl::StatusOr<std::vector<ServiceRegistration>> {
        absl::StatusOr<membership::MembershipConfig> config =
            membership::LoadMembershipConfig(PARTYDEV_MEMBERSHIP_RULES_DIR);
        if (!config.ok()) return config.status();
        absl::StatusOr<std::vector<ServiceRegistration>> services =
            membership::MakeMembershipServices(runtime, *std::move(config));
        if (!services.ok()) return services.status();
        services->push_back(
            {std::make_unique<testing::EchoServiceImpl>(runtime),
             partydev::testing::v1::EchoService::service_full_name()});
        return services;
      });
  if (absl::Status started = server->Start(); !started.ok()) {
    std::cerr << "membership server: " << started << "\n";
    return 1;
  }

  std::cerr << "tree: " << flags->cells << " cells\n";
  auto organizations = v1::OrganizationService::NewStub(server->channel());
  absl::StatusOr<Tree> tree = CreateTree(*organizations, flags->cells);
  if (!tree.ok()) {
    std::cerr << tree.status() << "\n";
    return 1;
  }

  // Registration: rows/s and memory per person with its journal.
  std::vector<RegisterResult> registrations;
  std::vector<std::string> names;
  {
    const int64_t first = flags->people / 2;
    const std::vector<std::pair<int, int64_t>> runs = {
        {1, first}, {flags->register_threads, flags->people - first}};
    int series = 10;
    for (const auto& [threads, rows] : runs) {
      if (rows == 0) continue;
      absl::StatusOr<int64_t> before = UsedMemory(admin_redis);
      RegisterResult r = RegisterPeople(server->channel(), *tree, series++,
                                        rows, threads, &names);
      absl::StatusOr<int64_t> after = UsedMemory(admin_redis);
      if (before.ok() && after.ok()) r.memory_bytes = *after - *before;
      std::cerr << "  " << r.label << ": " << r.rows << " rows in "
                << absl::StrFormat("%.2fs", r.seconds) << "\n";
      registrations.push_back(std::move(r));
    }
    if (flags->import_rows > 0) {
      absl::StatusOr<int64_t> before = UsedMemory(admin_redis);
      RegisterResult r =
          ImportPeople(server->channel(), *tree, 20, flags->import_rows);
      absl::StatusOr<int64_t> after = UsedMemory(admin_redis);
      if (before.ok() && after.ok()) r.memory_bytes = *after - *before;
      std::cerr << "  " << r.label << ": " << r.rows << " rows, " << r.errors
                << " errors in " << absl::StrFormat("%.2fs", r.seconds) << "\n";
      registrations.push_back(std::move(r));
    }
  }
  if (names.empty()) {
    std::cerr << "no person registered: "
              << (registrations.empty() ? "--people=0"
                                        : registrations[0].first_error)
              << "\n";
    return 1;
  }

  // The model of the memory phase: a person as CreatePerson stored it.
  v1::Person model;
  {
    RecordStore records(admin_redis, HashTaggedPrefix(kKeyPrefix));
    membership::PersonStore people(records);
    absl::StatusOr<membership::StoredPerson> stored = people.Get(names[0]);
    if (!stored.ok()) {
      std::cerr << "reading " << names[0] << ": " << stored.status() << "\n";
      return 1;
    }
    model = stored->message;
  }

  std::vector<GrpcRow> grpc_rows;
  std::cerr << "gRPC load\n";
  if (absl::Status s = RunGrpcLoad(server->address(), *tree,
                                   names[names.size() / 2], *flags, &grpc_rows);
      !s.ok()) {
    std::cerr << "gRPC load: " << s << "\n";
    return 1;
  }
  // Stopped before redis-benchmark, so that its threads (health checks)
  // stay out of the Redis numbers.
  server->Shutdown();

  // redis-benchmark against the same server, at the same concurrencies.
  std::map<int, std::map<std::string, RedisBenchmarkRow>> redis_rows;
  for (int concurrency : {1, flags->concurrency}) {
    if (redis_rows.count(concurrency)) continue;
    const int64_t requests =
        concurrency == 1 ? std::max<int64_t>(1, flags->redis_requests / 4)
                         : flags->redis_requests;
    absl::StatusOr<std::string> csv =
        RunAndCapture({"redis-benchmark", "-p", absl::StrCat(redis.port()),
                       "-t", "get,hset", "-n", absl::StrCat(requests), "-c",
                       absl::StrCat(concurrency), "-q", "--csv"});
    if (!csv.ok()) {
      std::cerr << csv.status() << "\n";
      return 1;
    }
    absl::StatusOr<std::map<std::string, RedisBenchmarkRow>> parsed =
        ParseRedisBenchmarkCsv(*csv);
    if (!parsed.ok()) {
      std::cerr << parsed.status() << "\n";
      return 1;
    }
    std::cerr << "  redis-benchmark -c " << concurrency << ": GET "
              << (*parsed)["GET"].rps << "/s\n";
    redis_rows[concurrency] = *std::move(parsed);
  }
  for (GrpcRow& row : grpc_rows) {
    const double get_rps = redis_rows[row.concurrency]["GET"].rps;
    row.redis_ratio = get_rps > 0 ? row.result.qps / get_rps : 0;
  }

  // Memory per stored member.
  MemoryResult memory;
  if (flags->members > 0) {
    std::cerr << "memory: writing " << flags->members << " members\n";
    memory = LoadMembers(redis.url(), model, *flags);
    if (!memory.error.empty()) std::cerr << memory.error << "\n";
  }

  // Report.
  std::cout << absl::StrFormat(
      "partydev membership bench: %u cores, gRPC %s, redis-server %s; gRPC "
      "runs %s after %s warm-up; %d cells, %d people registered\n\n",
      std::thread::hardware_concurrency(), grpc::Version(),
      RedisVersion(admin_redis), absl::FormatDuration(flags->duration),
      absl::FormatDuration(flags->warmup), flags->cells, names.size());

  std::cout << "Reads (vs Echo = QPS / Echo QPS; vs GET = QPS / "
               "redis-benchmark GET rps, both at the same concurrency)\n\n"
               "| RPC | conc | QPS | p50 | p99 | p50/Echo | p99/Echo | errors "
               "| vs Echo | vs GET |\n"
               "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n";
  std::map<int, const LoadResult*> echo;
  for (const GrpcRow& row : grpc_rows) {
    if (!echo.count(row.concurrency)) echo[row.concurrency] = &row.result;
    const LoadResult& e = *echo[row.concurrency];
    std::cout << absl::StrFormat(
        "| %s | %d | %.0f | %s | %s | %.2f | %.2f | %d | %.2f | %.3f |\n",
        row.name, row.concurrency, row.result.qps,
        FormatLatency(row.result.p50), FormatLatency(row.result.p99),
        absl::FDivDuration(row.result.p50, e.p50),
        absl::FDivDuration(row.result.p99, e.p99),
        row.result.count - row.result.ok, row.echo_ratio, row.redis_ratio);
  }
  std::cout << "\nRaw Redis, same server: redis-benchmark -t get,hset "
               "--csv\n\n"
               "| command | conc | rps | p50 | p99 |\n"
               "|---|--:|--:|--:|--:|\n";
  for (const auto& [concurrency, tests] : redis_rows) {
    for (const auto& [test, row] : tests) {
      std::cout << absl::StrFormat("| %s | %d | %.0f | %s | %s |\n", test,
                                   concurrency, row.rps, Millis(row.p50_ms),
                                   Millis(row.p99_ms));
    }
  }

  std::cout << "\nRegistration (the per-row work of the CSV import; memory "
               "= used_memory delta, person + indexes + journal)\n\n"
               "| path | rows | errors | seconds | rows/s | p50 | p99 | bytes "
               "per row |\n"
               "|---|--:|--:|--:|--:|--:|--:|--:|\n";
  for (const RegisterResult& r : registrations) {
    const bool has_latency = r.latency.count() > 0;
    std::cout << absl::StrFormat(
        "| %s | %d | %d | %.2f | %.0f | %s | %s | %s |\n", r.label, r.rows,
        r.errors, r.seconds, r.rows_per_second(),
        has_latency ? FormatLatency(r.latency.Percentile(50)) : "-",
        has_latency ? FormatLatency(r.latency.Percentile(99)) : "-",
        r.rows > 0 ? absl::StrFormat(
                         "%.0f", static_cast<double>(r.memory_bytes) / r.rows)
                   : "-");
  }
  for (const RegisterResult& r : registrations) {
    if (!r.first_error.empty()) {
      std::cout << "\n" << r.label << " first error: " << r.first_error << "\n";
    }
  }

  if (flags->members > 0) {
    std::cout << "\nMemory per stored member (PersonStore::StageWrite, "
                 "AtomicWrite batches; person record, citizen id key, roll "
                 "and counters; no journal)\n\n"
                 "| members | cells | batch | seconds | members/s | "
                 "used_memory delta | bytes per member |\n"
                 "|--:|--:|--:|--:|--:|--:|--:|\n";
    if (memory.error.empty()) {
      std::cout << absl::StrFormat(
          "| %d | %d | %d | %.1f | %.0f | %.1f MiB | %.0f |\n", memory.members,
          memory.cells, flags->batch, memory.seconds,
          memory.seconds > 0 ? memory.members / memory.seconds : 0,
          memory.bytes / 1048576.0,
          static_cast<double>(memory.bytes) / memory.members);
      std::cout << absl::StrFormat("\nmodel record: %d bytes serialized (%s)\n",
                                   model.ByteSizeLong(), names[0]);
    } else {
      std::cout << "failed: " << memory.error << "\n";
    }
  }

  bool clean = memory.error.empty();
  for (const GrpcRow& row : grpc_rows) {
    clean &= row.result.ok == row.result.count;
  }
  return clean ? 0 : 1;
}

}  // namespace
}  // namespace partydev::bench

int main(int argc, char** argv) { return partydev::bench::Main(argc, argv); }
