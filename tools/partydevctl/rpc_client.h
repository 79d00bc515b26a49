// File: tools/partydevctl/rpc_client.h
//
// Calls one unary RPC by its descriptor, without a generated stub (bytes
// through grpc::GenericStub), and says a refusal in words: the code, the
// message, every bad field and every unmet rule the server named
// (google.rpc.BadRequest / PreconditionFailure, common/errors.h).

#ifndef PARTYDEV_TOOLS_PARTYDEVCTL_RPC_CLIENT_H_
#define PARTYDEV_TOOLS_PARTYDEVCTL_RPC_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace partydev::ctl {

// Who calls, and how.
struct CallOptions {
  // Metadata sent with the call: ("authorization", "Bearer ..."), or the
  // development identity ("x-partydev-sub", ...).
  std::vector<std::pair<std::string, std::string>> metadata;
  absl::Duration timeout = absl::Seconds(30);
};

// Calls `method` on `channel` with `request`; the response, or the
// server's status with its details (FromGrpcStatus).
absl::StatusOr<std::unique_ptr<google::protobuf::Message>> CallUnary(
    const std::shared_ptr<grpc::Channel>& channel,
    const google::protobuf::MethodDescriptor& method,
    const google::protobuf::Message& request, const CallOptions& options);

// A refusal in words, one line per bad field or unmet rule.
std::string DescribeError(const absl::Status& status);

// The process exit status for a result: 0 for OK, else the gRPC code
// (1..16), so scripts can tell NOT_FOUND (5) from PERMISSION_DENIED (7).
int ExitCodeOf(const absl::Status& status);

}  // namespace partydev::ctl

#endif  // PARTYDEV_TOOLS_PARTYDEVCTL_RPC_CLIENT_H_
