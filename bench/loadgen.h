// File: bench/loadgen.h
//
// A closed-loop load generator for any unary RPC of the partydev API: it
// keeps `concurrency` calls in flight against one server for a duration or a
// number of calls, after a warm-up, and reports throughput and latency
// percentiles. It needs no stub of the service: the method's request and
// response types are looked up by name in the generated descriptor pool
// (every partydev proto is linked into the binary), the request is given as
// JSON, and calls go through grpc::GenericStub as bytes.
//
//   LoadOptions options;
//   options.target = "127.0.0.1:50051";
//   options.method = "/partydev.testing.v1.EchoService/Echo";
//   options.request_json = R"({"message": "x"})";
//   options.concurrency = 32;
//   absl::StatusOr<LoadResult> result = RunLoad(options);
//   if (!result.ok()) { std::cerr << result.status(); return 1; }
//   std::cout << FormatLoadResult(*result);
//
// Closed loop means a new call starts only when one finishes, so the numbers
// measure the server at the given concurrency, not at a given arrival rate:
// QPS is what the server sustains, and latencies exclude queueing in the
// client (no coordinated-omission correction is attempted).
//
// Thread-safety: RunLoad may be called from any thread; each run owns all
// its state.

#ifndef PARTYDEV_BENCH_LOADGEN_H_
#define PARTYDEV_BENCH_LOADGEN_H_

#include <grpcpp/grpcpp.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace partydev::bench {

// What to call and how hard.
struct LoadOptions {
  // host:port of the server (plaintext). Ignored when `channels` is set.
  std::string target;
  // Full method name as on the wire: "/partydev.testing.v1.EchoService/Echo".
  std::string method;
  // The request message in proto3 JSON; "{}" is the empty message.
  std::string request_json = "{}";
  // Sent with every call, e.g. {"x-partydev-sub", "bench"} in dev auth.
  std::vector<std::pair<std::string, std::string>> metadata;

  // Calls kept in flight at all times.
  int concurrency = 1;
  // Measured phase: `count` calls when count > 0, otherwise `duration`.
  absl::Duration duration = absl::Seconds(10);
  int64_t count = 0;
  // Calls made before measuring (connection set-up, server caches, thread
  // pools growing); their results are discarded.
  absl::Duration warmup = absl::Seconds(1);
  // Deadline of each call: a stuck server shows up as DEADLINE_EXCEEDED in
  // the errors instead of hanging the run.
  absl::Duration call_timeout = absl::Seconds(10);

  // Threads driving completion queues; 0 picks 1 for a concurrency below 8
  // and 2 above. More threads than cores only add contention, and the
  // server usually shares the machine.
  int client_threads = 0;
  // TCP connections (one channel each); calls are spread over them. One
  // HTTP/2 connection carries many calls, so 1 is normal.
  int connections = 1;
  // Pre-made channels to use instead of dialling `target` (in-process
  // benchmarks pass the server's channel). Calls are spread over them.
  std::vector<std::shared_ptr<grpc::Channel>> channels;
};

// A latency histogram with bounded relative error (about 1.6%) and fixed
// memory, in the manner of HdrHistogram: exact below 128 ns, then 64 linear
// buckets per power of two. Mergeable, so each client thread keeps its own.
class LatencyHistogram {
 public:
  void Record(absl::Duration latency);
  void Merge(const LatencyHistogram& other);

  int64_t count() const { return count_; }
  absl::Duration max() const { return absl::Nanoseconds(max_ns_); }
  absl::Duration mean() const;
  // The latency under which `percentile` percent of the calls finished
  // (the upper bound of its bucket, capped at the exact maximum);
  // ZeroDuration() when empty.
  absl::Duration Percentile(double percentile) const;

 private:
  static constexpr int kSubBucketBits = 6;
  // Enough buckets for any non-negative int64 of nanoseconds.
  static constexpr int kBuckets = (64 - kSubBucketBits) << kSubBucketBits;
  static int BucketOf(int64_t ns);
  static int64_t BucketUpperBound(int bucket);

  std::array<int64_t, kBuckets> buckets_{};
  int64_t count_ = 0;
  int64_t sum_ns_ = 0;
  int64_t max_ns_ = 0;
};

// What a run measured. Only calls of the measured phase are counted.
struct LoadResult {
  // Calls finished, successful or not.
  int64_t count = 0;
  int64_t ok = 0;
  // Failed calls by status code, and the first failure's message (the usual
  // cause of a run full of errors: UNAUTHENTICATED, UNIMPLEMENTED...).
  std::map<grpc::StatusCode, int64_t> errors;
  std::string first_error;
  // From the start of the measured phase to the last measured completion.
  absl::Duration elapsed;
  double qps = 0;
  // Latencies of all measured calls, failed ones included.
  absl::Duration p50;
  absl::Duration p90;
  absl::Duration p99;
  absl::Duration max;
  absl::Duration mean;
  // One successful response in JSON, to show the run called what was meant.
  std::string sample_response_json;
};

// A unary method resolved in the generated descriptor pool, with its
// request already encoded.
struct ResolvedCall {
  std::string method;  // "/pkg.Service/Method"
  std::string request_type;
  std::string response_type;
  std::string request_bytes;  // the serialized request
};

// Looks up `method` ("/pkg.Service/Method" or "pkg.Service.Method") and
// encodes `request_json` as its input type. kNotFound for an unknown
// service or method, kInvalidArgument for a streaming method or JSON that
// does not match the type.
absl::StatusOr<ResolvedCall> ResolveCall(absl::string_view method,
                                         absl::string_view request_json);

// Runs the load. Fails before sending anything when the method or the JSON
// is wrong or no channel can be made; RPC failures during the run are
// counted in LoadResult::errors, not returned.
absl::StatusOr<LoadResult> RunLoad(const LoadOptions& options);

// "count=... qps=... p50=..." and an errors line when there were any.
std::string FormatLoadResult(const LoadResult& result);

// "1.23ms", "456us": latencies at the precision a human compares.
std::string FormatLatency(absl::Duration latency);

}  // namespace partydev::bench

#endif  // PARTYDEV_BENCH_LOADGEN_H_
