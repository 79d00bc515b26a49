// File: common/grpc_status.h
//
// The one place where absl::Status becomes grpc::Status (and back, for
// clients). The gRPC status carries a serialized google.rpc.Status whose
// details hold an ErrorInfo (domain "partydev.vn", an UPPER_SNAKE reason) on
// every error, as AIP-193 asks, plus the BadRequest or PreconditionFailure the
// absl::Status carried (see common/errors.h).

#ifndef PARTYDEV_COMMON_GRPC_STATUS_H_
#define PARTYDEV_COMMON_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace partydev {

// Converts a service result into the status sent to the client.
grpc::Status ToGrpcStatus(const absl::Status& status);

// Converts a status received by a client back into an absl::Status with the
// same payloads, so FieldViolationsOf / RuleViolationsOf / ReasonOf work on
// it.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace partydev

#endif  // PARTYDEV_COMMON_GRPC_STATUS_H_
