#include "bench/loadgen.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/generic/generic_stub.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace partydev::bench {
namespace {

using Clock = std::chrono::steady_clock;
namespace pb = google::protobuf;

// Splits "/pkg.Service/Method" or "pkg.Service.Method" into service and
// method names.
absl::StatusOr<std::pair<std::string, std::string>> SplitMethodName(
    absl::string_view name) {
  absl::ConsumePrefix(&name, "/");
  size_t cut = name.rfind('/');
  if (cut == absl::string_view::npos) cut = name.rfind('.');
  if (cut == absl::string_view::npos || cut == 0 || cut + 1 == name.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "method \"", name, "\" is not of the form /pkg.Service/Method"));
  }
  return std::make_pair(std::string(name.substr(0, cut)),
                        std::string(name.substr(cut + 1)));
}

// Renders serialized bytes of `type_name` as JSON; "" when it cannot.
std::string BytesToJson(const std::string& type_name,
                        const std::string& bytes) {
  const pb::Descriptor* type =
      pb::DescriptorPool::generated_pool()->FindMessageTypeByName(type_name);
  if (type == nullptr) return "";
  pb::DynamicMessageFactory factory;
  std::unique_ptr<pb::Message> message(factory.GetPrototype(type)->New());
  if (!message->ParseFromString(bytes)) return "<unparsable response>";
  std::string json;
  if (!pb::util::MessageToJsonString(*message, &json).ok()) return "";
  return json;
}

// Which phase a call about to start belongs to. Shared by the client
// threads; only `tickets_` changes, atomically.
class Schedule {
 public:
  enum class Decision { kWarmup, kMeasured, kStop };

  Schedule(const LoadOptions& options, Clock::time_point start)
      : measure_start_(start + absl::ToChronoNanoseconds(options.warmup)),
        measure_end_(options.count > 0
                         ? Clock::time_point::max()
                         : measure_start_ +
                               absl::ToChronoNanoseconds(options.duration)),
        tickets_(options.count > 0 ? options.count
                                   : std::numeric_limits<int64_t>::max()) {}

  Decision Decide(Clock::time_point now) {
    if (now < measure_start_) return Decision::kWarmup;
    if (now >= measure_end_) return Decision::kStop;
    // In count mode each measured call takes a ticket, so exactly `count`
    // calls are measured however the threads interleave.
    if (tickets_.fetch_sub(1, std::memory_order_relaxed) <= 0) {
      return Decision::kStop;
    }
    return Decision::kMeasured;
  }

  Clock::time_point measure_start() const { return measure_start_; }

 private:
  const Clock::time_point measure_start_;
  const Clock::time_point measure_end_;
  std::atomic<int64_t> tickets_;
};

// One thread with its own completion queue and its share of the calls in
// flight. Everything but the Schedule is private to the thread, so the hot
// path takes no lock; results are merged after the thread is joined.
class ClientThread {
 public:
  ClientThread(const LoadOptions& options, const ResolvedCall& call,
               std::vector<grpc::GenericStub*> stubs, int first_slot, int slots,
               Schedule* schedule)
      : options_(options),
        method_(call.method),
        schedule_(schedule),
        stubs_(std::move(stubs)),
        first_slot_(first_slot),
        slots_(slots) {
    grpc::Slice slice(call.request_bytes);
    request_ = grpc::ByteBuffer(&slice, 1);
  }

  void Run() {
    std::vector<Call> calls(slots_);
    int in_flight = 0;
    for (int i = 0; i < slots_; ++i) {
      calls[i].stub = stubs_[(first_slot_ + i) % stubs_.size()];
      if (Start(&calls[i], Clock::now())) ++in_flight;
    }
    void* tag = nullptr;
    bool ok = false;
    while (in_flight > 0 && cq_.Next(&tag, &ok)) {
      // Finish always reports ok=true; the outcome is in the status.
      Call* call = static_cast<Call*>(tag);
      const Clock::time_point now = Clock::now();
      --in_flight;
      if (call->measured) Record(*call, now);
      if (Start(call, now)) ++in_flight;
    }
    cq_.Shutdown();
    while (cq_.Next(&tag, &ok)) {
    }
  }

  const LatencyHistogram& histogram() const { return histogram_; }
  int64_t ok() const { return ok_; }
  const std::map<grpc::StatusCode, int64_t>& errors() const { return errors_; }
  const std::string& first_error() const { return first_error_; }
  Clock::time_point last_completion() const { return last_completion_; }
  const std::string& sample_response() const { return sample_response_; }

 private:
  struct Call {
    grpc::GenericStub* stub = nullptr;
    // A ClientContext serves one call only, hence a fresh one each time.
    std::unique_ptr<grpc::ClientContext> context;
    std::unique_ptr<grpc::GenericClientAsyncResponseReader> reader;
    grpc::ByteBuffer response;
    grpc::Status status;
    Clock::time_point started;
    bool measured = false;
  };

  // Starts the next call in `call`'s slot, unless the schedule says stop.
  bool Start(Call* call, Clock::time_point now) {
    const Schedule::Decision decision = schedule_->Decide(now);
    if (decision == Schedule::Decision::kStop) return false;
    call->measured = decision == Schedule::Decision::kMeasured;
    call->context = std::make_unique<grpc::ClientContext>();
    call->context->set_deadline(
        std::chrono::system_clock::now() +
        absl::ToChronoNanoseconds(options_.call_timeout));
    for (const auto& [key, value] : options_.metadata) {
      call->context->AddMetadata(key, value);
    }
    call->started = Clock::now();
    call->reader = call->stub->PrepareUnaryCall(call->context.get(), method_,
                                                request_, &cq_);
    call->reader->StartCall();
    call->reader->Finish(&call->response, &call->status, call);
    return true;
  }

  void Record(const Call& call, Clock::time_point now) {
    histogram_.Record(absl::FromChrono(now - call.started));
    last_completion_ = std::max(last_completion_, now);
    if (call.status.ok()) {
      ++ok_;
      if (sample_response_.empty()) {
        grpc::Slice slice;
        if (call.response.DumpToSingleSlice(&slice).ok()) {
          sample_response_.assign(reinterpret_cast<const char*>(slice.begin()),
                                  slice.size());
        }
      }
      return;
    }
    ++errors_[call.status.error_code()];
    if (first_error_.empty()) {
      first_error_ = absl::StrCat(
          absl::StatusCodeToString(
              static_cast<absl::StatusCode>(call.status.error_code())),
          ": ", call.status.error_message());
    }
  }

  const LoadOptions& options_;
  const std::string method_;
  Schedule* const schedule_;
  const std::vector<grpc::GenericStub*> stubs_;
  const int first_slot_;
  const int slots_;
  grpc::ByteBuffer request_;
  grpc::CompletionQueue cq_;

  LatencyHistogram histogram_;
  int64_t ok_ = 0;
  std::map<grpc::StatusCode, int64_t> errors_;
  std::string first_error_;
  std::string sample_response_;
  Clock::time_point last_completion_;
};

// The channels of a run: the given ones, or `connections` new ones that do
// not share a TCP connection.
absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> MakeChannels(
    const LoadOptions& options) {
  std::vector<std::shared_ptr<grpc::Channel>> channels = options.channels;
  if (channels.empty()) {
    if (options.target.empty()) {
      return absl::InvalidArgumentError("no target address");
    }
    for (int i = 0; i < std::max(1, options.connections); ++i) {
      grpc::ChannelArguments args;
      // Without a local subchannel pool, channels to the same target with
      // equal arguments share one connection; the distinct argument and
      // the local pool give each channel its own.
      args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
      args.SetInt("partydev.loadgen.connection", i);
      channels.push_back(grpc::CreateCustomChannel(
          options.target, grpc::InsecureChannelCredentials(), args));
    }
  }
  // Connect before the clock starts, so that a dead target fails fast
  // instead of filling the run with UNAVAILABLE.
  const auto deadline =
      std::chrono::system_clock::now() + std::chrono::seconds(5);
  for (const auto& channel : channels) {
    if (!channel->WaitForConnected(deadline)) {
      return absl::UnavailableError(
          absl::StrCat("cannot connect to ",
                       options.target.empty() ? "the server" : options.target));
    }
  }
  return channels;
}

}  // namespace

int LatencyHistogram::BucketOf(int64_t ns) {
  if (ns < (int64_t{2} << kSubBucketBits)) return static_cast<int>(ns);
  const int msb = 63 - __builtin_clzll(static_cast<uint64_t>(ns));
  const int shift = msb - kSubBucketBits;
  // (ns >> shift) lies in [2^k, 2^(k+1)): the linear sub-bucket.
  return (shift << kSubBucketBits) + static_cast<int>(ns >> shift);
}

int64_t LatencyHistogram::BucketUpperBound(int bucket) {
  if (bucket < (2 << kSubBucketBits)) return bucket;
  const int shift = (bucket >> kSubBucketBits) - 1;
  const uint64_t sub =
      (bucket & ((1 << kSubBucketBits) - 1)) + (uint64_t{1} << kSubBucketBits);
  return static_cast<int64_t>(((sub + 1) << shift) - 1);
}

void LatencyHistogram::Record(absl::Duration latency) {
  const int64_t ns = std::max<int64_t>(0, absl::ToInt64Nanoseconds(latency));
  ++buckets_[BucketOf(ns)];
  ++count_;
  sum_ns_ += ns;
  max_ns_ = std::max(max_ns_, ns);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (int i = 0; i < kBuckets; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  sum_ns_ += other.sum_ns_;
  max_ns_ = std::max(max_ns_, other.max_ns_);
}

absl::Duration LatencyHistogram::mean() const {
  return count_ == 0 ? absl::ZeroDuration()
                     : absl::Nanoseconds(sum_ns_ / count_);
}

absl::Duration LatencyHistogram::Percentile(double percentile) const {
  if (count_ == 0) return absl::ZeroDuration();
  const int64_t rank = std::clamp<int64_t>(
      static_cast<int64_t>(std::ceil(percentile / 100.0 * count_)), 1, count_);
  int64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += buckets_[i];
    if (seen >= rank) {
      return absl::Nanoseconds(std::min(BucketUpperBound(i), max_ns_));
    }
  }
  return max();
}

absl::StatusOr<ResolvedCall> ResolveCall(absl::string_view method,
                                         absl::string_view request_json) {
  absl::StatusOr<std::pair<std::string, std::string>> names =
      SplitMethodName(method);
  if (!names.ok()) return names.status();
  const auto& [service_name, method_name] = *names;
  const pb::ServiceDescriptor* service =
      pb::DescriptorPool::generated_pool()->FindServiceByName(service_name);
  if (service == nullptr) {
    return absl::NotFoundError(absl::StrCat(
        "service ", service_name,
        " is not linked into this binary (is its .proto in partydev_protos?)"));
  }
  const pb::MethodDescriptor* rpc = service->FindMethodByName(method_name);
  if (rpc == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("service ", service_name, " has no method ", method_name));
  }
  if (rpc->client_streaming() || rpc->server_streaming()) {
    return absl::InvalidArgumentError(
        absl::StrCat(rpc->full_name(),
                     " is a streaming method; only unary "
                     "methods can be load-tested"));
  }

  pb::DynamicMessageFactory factory;
  std::unique_ptr<pb::Message> request(
      factory.GetPrototype(rpc->input_type())->New());
  const std::string json(request_json.empty() ? "{}" : request_json);
  pb::util::Status parsed = pb::util::JsonStringToMessage(json, request.get());
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("request is not a valid ", rpc->input_type()->full_name(),
                     " in JSON: ", parsed.ToString()));
  }
  ResolvedCall call;
  call.method = absl::StrCat("/", service_name, "/", method_name);
  call.request_type = rpc->input_type()->full_name();
  call.response_type = rpc->output_type()->full_name();
  if (!request->SerializeToString(&call.request_bytes)) {
    return absl::InternalError("cannot serialize the request");
  }
  return call;
}

absl::StatusOr<LoadResult> RunLoad(const LoadOptions& options) {
  if (options.concurrency < 1) {
    return absl::InvalidArgumentError("concurrency must be at least 1");
  }
  if (options.count <= 0 && options.duration <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("give a positive duration or count");
  }
  absl::StatusOr<ResolvedCall> call =
      ResolveCall(options.method, options.request_json);
  if (!call.ok()) return call.status();
  absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> channels =
      MakeChannels(options);
  if (!channels.ok()) return channels.status();
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs;
  std::vector<grpc::GenericStub*> stub_pointers;
  for (const auto& channel : *channels) {
    stubs.push_back(std::make_unique<grpc::GenericStub>(channel));
    stub_pointers.push_back(stubs.back().get());
  }

  int threads = options.client_threads > 0 ? options.client_threads
                : options.concurrency < 8  ? 1
                                           : 2;
  threads = std::min(threads, options.concurrency);
  Schedule schedule(options, Clock::now());
  std::vector<std::unique_ptr<ClientThread>> clients;
  int first_slot = 0;
  for (int t = 0; t < threads; ++t) {
    // Slots are spread evenly; the first threads take the remainder.
    const int slots = options.concurrency / threads +
                      (t < options.concurrency % threads ? 1 : 0);
    clients.push_back(std::make_unique<ClientThread>(
        options, *call, stub_pointers, first_slot, slots, &schedule));
    first_slot += slots;
  }
  std::vector<std::thread> running;
  for (auto& client : clients) {
    running.emplace_back([c = client.get()] { c->Run(); });
  }
  for (auto& thread : running) thread.join();

  LoadResult result;
  LatencyHistogram histogram;
  Clock::time_point last = schedule.measure_start();
  std::string sample;
  for (const auto& client : clients) {
    histogram.Merge(client->histogram());
    result.ok += client->ok();
    for (const auto& [code, n] : client->errors()) result.errors[code] += n;
    if (result.first_error.empty()) result.first_error = client->first_error();
    if (sample.empty()) sample = client->sample_response();
    last = std::max(last, client->last_completion());
  }
  result.count = histogram.count();
  result.elapsed = absl::FromChrono(last - schedule.measure_start());
  if (result.elapsed > absl::ZeroDuration()) {
    result.qps = result.count / absl::ToDoubleSeconds(result.elapsed);
  }
  result.p50 = histogram.Percentile(50);
  result.p90 = histogram.Percentile(90);
  result.p99 = histogram.Percentile(99);
  result.max = histogram.max();
  result.mean = histogram.mean();
  if (!sample.empty()) {
    result.sample_response_json = BytesToJson(call->response_type, sample);
  }
  return result;
}

std::string FormatLatency(absl::Duration latency) {
  const double us = absl::ToDoubleMicroseconds(latency);
  if (us < 1000) return absl::StrFormat("%.0fus", us);
  if (us < 10000) return absl::StrFormat("%.2fms", us / 1000);
  if (us < 1000000) return absl::StrFormat("%.1fms", us / 1000);
  return absl::StrFormat("%.2fs", us / 1000000);
}

std::string FormatLoadResult(const LoadResult& result) {
  std::string out = absl::StrFormat(
      "calls=%d ok=%d in %.2fs  qps=%.0f  p50=%s p90=%s p99=%s max=%s "
      "mean=%s\n",
      result.count, result.ok, absl::ToDoubleSeconds(result.elapsed),
      result.qps, FormatLatency(result.p50), FormatLatency(result.p90),
      FormatLatency(result.p99), FormatLatency(result.max),
      FormatLatency(result.mean));
  if (!result.errors.empty()) {
    std::vector<std::string> parts;
    for (const auto& [code, n] : result.errors) {
      parts.push_back(absl::StrCat(
          absl::StatusCodeToString(static_cast<absl::StatusCode>(code)), "=",
          n));
    }
    absl::StrAppend(&out, "errors: ", absl::StrJoin(parts, " "),
                    "  first: ", result.first_error, "\n");
  }
  return out;
}

}  // namespace partydev::bench
