#include "tools/partydevctl/stream_calls.h"

#include <algorithm>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/grpc_status.h"
#include "google/protobuf/util/json_util.h"
#include "partydev/membership/v1/administration.grpc.pb.h"
#include "partydev/notification/v1/inbox.grpc.pb.h"

namespace partydev::ctl {
namespace {

namespace mv1 = membership::v1;
namespace nv1 = notification::v1;

void Prepare(grpc::ClientContext& context, const CallOptions& options,
             bool deadline) {
  if (deadline) {
    context.set_deadline(absl::ToChronoTime(absl::Now() + options.timeout));
  }
  for (const auto& [key, value] : options.metadata) {
    context.AddMetadata(key, value);
  }
}

// "17-2" → {17, 2}; false when it is not a stream id.
bool ParseStreamId(const std::string& id, uint64_t& ms, uint64_t& seq) {
  std::vector<std::string> parts = absl::StrSplit(id, '-');
  return parts.size() == 2 && absl::SimpleAtoi(parts[0], &ms) &&
         absl::SimpleAtoi(parts[1], &seq);
}

}  // namespace

absl::StatusOr<mv1::ImportCsvReport> ImportCsv(
    const std::shared_ptr<grpc::Channel>& channel,
    const mv1::ImportCsvHeader& header, std::istream& file,
    const CallOptions& options, ProgressBar* progress, size_t chunk_bytes) {
  auto stub = mv1::AdministrationService::NewStub(channel);
  grpc::ClientContext context;
  Prepare(context, options, /*deadline=*/true);
  mv1::ImportCsvReport report;
  std::unique_ptr<grpc::ClientWriter<mv1::ImportCsvRequest>> writer =
      stub->ImportCsv(&context, &report);
  mv1::ImportCsvRequest message;
  *message.mutable_header() = header;
  // A failed Write means the server has ended the call (a refused header,
  // a file too large): Finish says why.
  bool open = writer->Write(message);
  std::string buffer(chunk_bytes, '\0');
  while (open && file) {
    file.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const std::streamsize n = file.gcount();
    if (n <= 0) break;
    message.set_chunk(buffer.data(), static_cast<size_t>(n));
    open = writer->Write(message);
    if (open && progress != nullptr) progress->Add(n);
  }
  if (file.bad()) {
    context.TryCancel();
    (void)writer->Finish();
    return absl::DataLossError("reading the file failed");
  }
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  if (!status.ok()) return FromGrpcStatus(status);
  return report;
}

absl::StatusOr<ExportSummary> ExportCsv(
    const std::shared_ptr<grpc::Channel>& channel,
    const mv1::ExportCsvRequest& request, std::ostream& out,
    const CallOptions& options, ProgressBar* progress) {
  auto stub = mv1::AdministrationService::NewStub(channel);
  grpc::ClientContext context;
  Prepare(context, options, /*deadline=*/true);
  std::unique_ptr<grpc::ClientReader<mv1::ExportCsvChunk>> reader =
      stub->ExportCsv(&context, request);
  ExportSummary summary;
  mv1::ExportCsvChunk chunk;
  while (reader->Read(&chunk)) {
    out.write(chunk.data().data(),
              static_cast<std::streamsize>(chunk.data().size()));
    if (!out) {
      context.TryCancel();
      (void)reader->Finish();
      return absl::DataLossError("writing the output failed");
    }
    summary.bytes += static_cast<int64_t>(chunk.data().size());
    summary.rows += chunk.rows();
    if (!chunk.file_name().empty()) summary.file_name = chunk.file_name();
    if (progress != nullptr) progress->Set(summary.bytes);
  }
  grpc::Status status = reader->Finish();
  if (!status.ok()) return FromGrpcStatus(status);
  out.flush();
  return summary;
}

std::string RenderImportReport(const mv1::ImportCsvReport& report,
                               OutputFormat format) {
  if (format == OutputFormat::kJson) {
    std::string json;
    google::protobuf::util::JsonPrintOptions print;
    print.add_whitespace = true;
    print.preserve_proto_field_names = true;
    print.always_print_primitive_fields = true;
    (void)google::protobuf::util::MessageToJsonString(report, &json, print);
    return json;
  }
  std::vector<std::vector<std::string>> problems = {
      {"line", "label", "column", "rule", "problem"}};
  for (const mv1::RejectedRow& row : report.rejected()) {
    for (const mv1::RowProblem& p : row.problems()) {
      problems.push_back({absl::StrCat(row.line()), row.label(), p.column(),
                          p.rule_id(), p.description()});
    }
  }
  if (format == OutputFormat::kCsv) {
    return RenderRows(problems, OutputFormat::kCsv);
  }
  std::string out =
      RenderRows({{"rows read", absl::StrCat(report.rows_read())},
                  {"created", absl::StrCat(report.rows_created())},
                  {"updated", absl::StrCat(report.rows_updated())},
                  {"unchanged", absl::StrCat(report.rows_unchanged())},
                  {"rejected", absl::StrCat(report.rows_rejected())},
                  {"batches", absl::StrCat(report.batches())},
                  {"validate only",
                   report.validate_only() ? "yes (nothing written)" : "no"}},
                 OutputFormat::kTable);
  if (problems.size() > 1) {
    absl::StrAppend(&out, "\n", RenderRows(problems, OutputFormat::kTable, 72));
  }
  return out;
}

InboxCursor::InboxCursor(std::string after) : after_(IdOf(after)) {}

std::string InboxCursor::IdOf(const std::string& name_or_id) {
  const size_t slash = name_or_id.rfind('/');
  return slash == std::string::npos ? name_or_id : name_or_id.substr(slash + 1);
}

int InboxCursor::Compare(const std::string& a, const std::string& b) {
  uint64_t am = 0, as = 0, bm = 0, bs = 0;
  if (ParseStreamId(a, am, as) && ParseStreamId(b, bm, bs)) {
    if (am != bm) return am < bm ? -1 : 1;
    if (as != bs) return as < bs ? -1 : 1;
    return 0;
  }
  return a < b ? -1 : (a == b ? 0 : 1);
}

InboxCursor::Action InboxCursor::Accept(
    const nv1::SubscribeMessagesResponse& event) {
  switch (event.event_case()) {
    case nv1::SubscribeMessagesResponse::kMessage: {
      const std::string id = IdOf(event.message().name());
      // Not after the cursor: a replay of what was shown before the drop.
      if (!after_.empty() && Compare(id, after_) <= 0) return Action::kSkip;
      after_ = id;
      return Action::kShow;
    }
    case nv1::SubscribeMessagesResponse::kChange:
      return Action::kShow;
    case nv1::SubscribeMessagesResponse::kResyncRequired:
      return Action::kResync;
    default:
      return Action::kSkip;  // heartbeats say the stream is alive, no more
  }
}

bool ShouldResume(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::OK:           // the server ended the stream
    case grpc::StatusCode::UNAVAILABLE:  // restart, drain, network
    case grpc::StatusCode::CANCELLED:    // the server's side went away
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::INTERNAL:  // a reset connection
    case grpc::StatusCode::UNKNOWN:
      return true;
    default:
      return false;  // refusals: INVALID_ARGUMENT, PERMISSION_DENIED...
  }
}

absl::Status WatchInbox(
    const std::shared_ptr<grpc::Channel>& channel,
    nv1::SubscribeMessagesRequest request, const CallOptions& options,
    int64_t max_messages, const std::atomic<bool>& stop,
    const std::function<void(const nv1::SubscribeMessagesResponse&)>& on_event,
    const std::function<void(const std::string&)>& on_note) {
  auto stub = nv1::InboxService::NewStub(channel);
  absl::Duration pause = absl::Milliseconds(200);
  auto sleep = [&](absl::Duration d) {
    for (absl::Time until = absl::Now() + d; absl::Now() < until && !stop;) {
      absl::SleepFor(absl::Milliseconds(50));
    }
  };
  // Where to start: the caller's cursor, or the newest message now.
  while (request.after_message().empty() && !stop) {
    grpc::ClientContext context;
    Prepare(context, options, /*deadline=*/true);
    nv1::CountUnreadMessagesRequest count;
    count.set_parent(request.parent());
    nv1::CountUnreadMessagesResponse counted;
    grpc::Status status = stub->CountUnreadMessages(&context, count, &counted);
    if (status.ok()) {
      // An empty inbox: from its start, so its first message is shown.
      request.set_after_message(
          counted.latest_message().empty() ? "0-0" : counted.latest_message());
      break;
    }
    if (!ShouldResume(status)) return FromGrpcStatus(status);
    on_note(absl::StrCat("cannot reach the inbox (", status.error_message(),
                         "); retrying"));
    sleep(pause);
    pause = std::min(pause * 2, absl::Seconds(5));
  }
  InboxCursor cursor(request.after_message());
  int64_t shown = 0;
  std::mutex mu;
  grpc::ClientContext* live = nullptr;
  // Cancels the live stream when `stop` is set (a signal): Read blocks.
  std::atomic<bool> done{false};
  std::thread canceller([&] {
    while (!done) {
      if (stop) {
        std::lock_guard<std::mutex> lock(mu);
        if (live != nullptr) live->TryCancel();
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
  });
  absl::Status result = absl::OkStatus();
  bool dropped = false;
  while (!stop) {
    request.set_after_message(cursor.after());
    grpc::ClientContext context;
    Prepare(context, options, /*deadline=*/false);
    {
      std::lock_guard<std::mutex> lock(mu);
      live = &context;
    }
    std::unique_ptr<grpc::ClientReader<nv1::SubscribeMessagesResponse>> reader =
        stub->SubscribeMessages(&context, request);
    nv1::SubscribeMessagesResponse event;
    bool enough = false;
    while (!enough && reader->Read(&event)) {
      pause = absl::Milliseconds(200);  // the stream is alive
      if (dropped) {
        on_note(absl::StrCat("resumed after ", request.after_message()));
        dropped = false;
      }
      switch (cursor.Accept(event)) {
        case InboxCursor::Action::kShow:
          on_event(event);
          if (event.has_message() && max_messages > 0 &&
              ++shown >= max_messages) {
            enough = true;
          }
          break;
        case InboxCursor::Action::kResync:
          on_note(absl::StrCat(
              "messages before ", event.resync_required().oldest_message(),
              " expired from the inbox before they were seen: list the "
              "inbox (notification list-messages) for the rest"));
          break;
        case InboxCursor::Action::kSkip:
          break;
      }
    }
    if (enough) context.TryCancel();
    grpc::Status status = reader->Finish();
    {
      std::lock_guard<std::mutex> lock(mu);
      live = nullptr;
    }
    if (enough || stop) break;
    if (!ShouldResume(status)) {
      result = FromGrpcStatus(status);
      break;
    }
    // Said once per drop, not once per failed reconnection.
    if (!dropped) {
      on_note(
          absl::StrCat("the stream dropped (",
                       absl::StatusCodeToString(
                           static_cast<absl::StatusCode>(status.error_code())),
                       status.error_message().empty()
                           ? ""
                           : absl::StrCat(": ", status.error_message()),
                       "); resuming after ", cursor.after()));
      dropped = true;
    }
    sleep(pause);
    pause = std::min(pause * 2, absl::Seconds(5));
  }
  done = true;
  canceller.join();
  return result;
}

}  // namespace partydev::ctl
