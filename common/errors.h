// File: common/errors.h
//
// Builders of absl::Status values that carry the details partydev clients
// need to show the rule that stopped them (AIP-193): the field that is wrong,
// or every domain rule that is unmet. Domain code and stores return these;
// the service layer turns them into grpc::Status in one place
// (common/grpc_status.h). Nothing here knows gRPC.
//
// Example:
//   std::vector<partydev::RuleViolation> unmet;
//   unmet.push_back({"charter.art4.introducers", "people/123",
//                    "Người giới thiệu B mới sinh hoạt cùng 8 tháng;
//                    cần 12."});
//   if (!unmet.empty()) return partydev::RulesViolated(std::move(unmet));

#ifndef PARTYDEV_COMMON_ERRORS_H_
#define PARTYDEV_COMMON_ERRORS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace partydev {

// The ErrorInfo domain of every partydev error.
inline constexpr absl::string_view kErrorDomain = "partydev.vn";

// A request field that is missing or malformed (google.rpc.BadRequest).
struct FieldViolation {
  std::string field;        // Path of the field, e.g. "person.citizen_id".
  std::string description;  // Why it is wrong, in words.
};

// A domain rule that is not met (google.rpc.PreconditionFailure).
struct RuleViolation {
  std::string rule;         // Rule id, e.g. "charter.art5.probation".
  std::string subject;      // What it is about: a resource name or field.
  std::string description;  // The rule and the facts, in words.
};

// INVALID_ARGUMENT naming one field.
absl::Status InvalidField(absl::string_view field,
                          absl::string_view description);

// INVALID_ARGUMENT naming every bad field. `violations` must not be empty.
absl::Status InvalidFields(std::vector<FieldViolation> violations);

// FAILED_PRECONDITION listing every unmet rule. `violations` must not be
// empty.
absl::Status RulesViolated(std::vector<RuleViolation> violations);

// Returns `status` with the ErrorInfo reason set (UPPER_SNAKE, a value of
// partydev.common.v1.ErrorReason without its prefix), e.g.
// WithReason(absl::PermissionDeniedError("..."), "OUTSIDE_SUBTREE").
absl::Status WithReason(absl::Status status, absl::string_view reason);

// Metadata for the ErrorInfo (lowerCamel keys; AIP-193 asks for every
// dynamic value of the message).
absl::Status WithMetadata(absl::Status status, absl::string_view key,
                          absl::string_view value);

// The reason stored by WithReason, or the default reason of the code.
std::string ReasonOf(const absl::Status& status);

// The field violations carried by `status` (empty if none).
std::vector<FieldViolation> FieldViolationsOf(const absl::Status& status);

// The rule violations carried by `status` (empty if none).
std::vector<RuleViolation> RuleViolationsOf(const absl::Status& status);

// Collects field violations while a request is validated, so that a client
// learns every bad field at once rather than one per round trip.
//
//   FieldChecker check;
//   if (req.name().empty()) check.Add("name", "is required");
//   if (!check.ok()) return check.status();
class FieldChecker {
 public:
  void Add(absl::string_view field, absl::string_view description) {
    violations_.push_back({std::string(field), std::string(description)});
  }
  bool ok() const { return violations_.empty(); }
  absl::Status status() const;

 private:
  std::vector<FieldViolation> violations_;
};

}  // namespace partydev

#endif  // PARTYDEV_COMMON_ERRORS_H_
