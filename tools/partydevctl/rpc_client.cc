#include "tools/partydevctl/rpc_client.h"

#include <grpcpp/generic/generic_stub.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/errors.h"
#include "common/grpc_status.h"
#include "google/protobuf/dynamic_message.h"

namespace partydev::ctl {

namespace pb = google::protobuf;

absl::StatusOr<std::unique_ptr<pb::Message>> CallUnary(
    const std::shared_ptr<grpc::Channel>& channel,
    const pb::MethodDescriptor& method, const pb::Message& request,
    const CallOptions& options) {
  std::string bytes;
  if (!request.SerializeToString(&bytes)) {
    return absl::InternalError("cannot serialize the request");
  }
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request_buffer(&slice, 1);
  grpc::ByteBuffer response_buffer;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + options.timeout));
  for (const auto& [key, value] : options.metadata) {
    context.AddMetadata(key, value);
  }
  grpc::GenericStub stub(channel);
  absl::Notification done;
  grpc::Status status;
  stub.UnaryCall(
      &context,
      absl::StrCat("/", method.service()->full_name(), "/", method.name()),
      grpc::StubOptions(), &request_buffer, &response_buffer,
      [&](grpc::Status s) {
        status = std::move(s);
        done.Notify();
      });
  done.WaitForNotification();
  if (!status.ok()) return FromGrpcStatus(status);
  std::vector<grpc::Slice> slices;
  if (!response_buffer.Dump(&slices).ok()) {
    return absl::DataLossError("cannot read the response");
  }
  std::string response_bytes;
  for (const grpc::Slice& s : slices) {
    response_bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  std::unique_ptr<pb::Message> response(pb::MessageFactory::generated_factory()
                                            ->GetPrototype(method.output_type())
                                            ->New());
  if (!response->ParseFromString(response_bytes)) {
    return absl::DataLossError(absl::StrCat("the response is not a ",
                                            method.output_type()->full_name()));
  }
  return response;
}

std::string DescribeError(const absl::Status& status) {
  std::string out = absl::StrCat(absl::StatusCodeToString(status.code()), ": ",
                                 status.message(), "\n");
  for (const FieldViolation& v : FieldViolationsOf(status)) {
    absl::StrAppend(&out, "  field ", v.field, ": ", v.description, "\n");
  }
  for (const RuleViolation& v : RuleViolationsOf(status)) {
    absl::StrAppend(&out, "  rule ", v.rule,
                    v.subject.empty() ? "" : absl::StrCat(" (", v.subject, ")"),
                    ": ", v.description, "\n");
  }
  return out;
}

int ExitCodeOf(const absl::Status& status) {
  return static_cast<int>(status.code());
}

}  // namespace partydev::ctl
