// File: tools/partydevctl/stream_calls.h
//
// The three streaming RPCs of the contracts, which the reflected commands
// (rpc_catalog.h, unary only) do not cover:
//  - ImportCsv (client stream): the header, then the file in chunks;
//  - ExportCsv (server stream): the chunks written in order;
//  - SubscribeMessages (server stream): an inbox watched live, resumed
//    after a dropped stream from the last message seen (InboxCursor).
// They use the generated stubs rather than grpc::GenericStub: the three
// are fixed contracts, and typed synchronous readers and writers are far
// less code (and fewer ways to get flow control wrong) than byte buffers
// through the generic callback API.

#ifndef PARTYDEV_TOOLS_PARTYDEVCTL_STREAM_CALLS_H_
#define PARTYDEV_TOOLS_PARTYDEVCTL_STREAM_CALLS_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <istream>
#include <memory>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "partydev/membership/v1/import_export.pb.h"
#include "partydev/notification/v1/inbox.pb.h"
#include "tools/partydevctl/progress.h"
#include "tools/partydevctl/response_output.h"
#include "tools/partydevctl/rpc_client.h"

namespace partydev::ctl {

// The import's chunks: well below the server's limit of 1 MiB.
inline constexpr size_t kImportChunkBytes = 256 * 1024;

// Streams `header`, then `file` in chunks of `chunk_bytes`, as one
// ImportCsv; the report, or the server's refusal (a rejected row is not a
// refusal: it is in the report). `progress` (may be null) counts bytes
// sent. The deadline is `options.timeout` for the whole stream.
absl::StatusOr<membership::v1::ImportCsvReport> ImportCsv(
    const std::shared_ptr<grpc::Channel>& channel,
    const membership::v1::ImportCsvHeader& header, std::istream& file,
    const CallOptions& options, ProgressBar* progress,
    size_t chunk_bytes = kImportChunkBytes);

// What an export wrote.
struct ExportSummary {
  int64_t bytes = 0;
  int64_t rows = 0;
  std::string file_name;  // the server's suggestion (first chunk)
};

// Writes every chunk of ExportCsv(request) to `out`, in order.
// `progress` (may be null) counts bytes received.
absl::StatusOr<ExportSummary> ExportCsv(
    const std::shared_ptr<grpc::Channel>& channel,
    const membership::v1::ExportCsvRequest& request, std::ostream& out,
    const CallOptions& options, ProgressBar* progress);

// The report as people read it (a summary, then one line per problem of
// each rejected row), or CSV (one row per problem), or JSON (all of it).
std::string RenderImportReport(const membership::v1::ImportCsvReport& report,
                               OutputFormat format);

// The resume point of an inbox subscription: every message shown once, in
// order, across reconnections. Message ids are Redis stream ids
// ("1764000000000-3"), increasing in the order of the inbox.
class InboxCursor {
 public:
  // `after`: the id (or name) of the last message already seen; empty or
  // "0-0" for the start of the inbox.
  explicit InboxCursor(std::string after);

  enum class Action {
    kShow,    // a message (or change) not shown before
    kSkip,    // a heartbeat, or a message already shown
    kResync,  // messages expired before the resume point: re-list
  };
  Action Accept(const notification::v1::SubscribeMessagesResponse& event);

  // The after_message of the next subscription.
  const std::string& after() const { return after_; }

  // "recipients/r/messages/17-2" or "17-2" → "17-2".
  static std::string IdOf(const std::string& name_or_id);
  // Stream-id order: -1, 0 or 1; ids that do not parse compare as text.
  static int Compare(const std::string& a, const std::string& b);

 private:
  std::string after_;
};

// Whether a subscription that ended with `status` is resumed (the server
// restarted or the network dropped) rather than reported.
bool ShouldResume(const grpc::Status& status);

// Watches `request.parent()`'s inbox: `on_event` is called with each
// message (and change, with include_changes) not shown before; the stream
// is resumed after a drop from the cursor, with a growing pause (0.2 s to
// 5 s). Returns OK when `stop` becomes true or `max_messages` (> 0) were
// shown, else the refusal that ended it. When `request.after_message()` is
// empty the watch starts at the inbox's newest message (CountUnread's
// latest_message), so that a drop before the first message loses nothing.
absl::Status WatchInbox(
    const std::shared_ptr<grpc::Channel>& channel,
    notification::v1::SubscribeMessagesRequest request,
    const CallOptions& options, int64_t max_messages,
    const std::atomic<bool>& stop,
    const std::function<
        void(const notification::v1::SubscribeMessagesResponse&)>& on_event,
    const std::function<void(const std::string&)>& on_note);

}  // namespace partydev::ctl

#endif  // PARTYDEV_TOOLS_PARTYDEVCTL_STREAM_CALLS_H_
