#include "common/errors.h"

#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/rpc/error_details.pb.h"

namespace partydev {
namespace {

constexpr char kBadRequestUrl[] = "type.googleapis.com/google.rpc.BadRequest";
constexpr char kPreconditionUrl[] =
    "type.googleapis.com/google.rpc.PreconditionFailure";
constexpr char kErrorInfoUrl[] = "type.googleapis.com/google.rpc.ErrorInfo";

google::rpc::ErrorInfo ErrorInfoOf(const absl::Status& status) {
  google::rpc::ErrorInfo info;
  if (auto payload = status.GetPayload(kErrorInfoUrl)) {
    info.ParseFromString(std::string(*payload));
  }
  return info;
}

absl::Status WithErrorInfo(absl::Status status,
                           const google::rpc::ErrorInfo& info) {
  status.SetPayload(kErrorInfoUrl, absl::Cord(info.SerializeAsString()));
  return status;
}

}  // namespace

absl::Status InvalidField(absl::string_view field,
                          absl::string_view description) {
  return InvalidFields({{std::string(field), std::string(description)}});
}

absl::Status InvalidFields(std::vector<FieldViolation> violations) {
  google::rpc::BadRequest bad_request;
  std::vector<std::string> parts;
  for (const auto& v : violations) {
    auto* fv = bad_request.add_field_violations();
    fv->set_field(v.field);
    fv->set_description(v.description);
    parts.push_back(absl::StrCat(v.field, ": ", v.description));
  }
  absl::Status status = absl::InvalidArgumentError(absl::StrJoin(parts, "; "));
  status.SetPayload(kBadRequestUrl,
                    absl::Cord(bad_request.SerializeAsString()));
  return WithReason(std::move(status), "INVALID_FIELD");
}

absl::Status RulesViolated(std::vector<RuleViolation> violations) {
  google::rpc::PreconditionFailure failure;
  std::vector<std::string> parts;
  for (const auto& v : violations) {
    auto* pv = failure.add_violations();
    pv->set_type(v.rule);
    pv->set_subject(v.subject);
    pv->set_description(v.description);
    parts.push_back(absl::StrCat(v.description, " [", v.rule, "]"));
  }
  absl::Status status =
      absl::FailedPreconditionError(absl::StrJoin(parts, "; "));
  status.SetPayload(kPreconditionUrl, absl::Cord(failure.SerializeAsString()));
  return WithReason(std::move(status), "RULE_VIOLATED");
}

absl::Status WithReason(absl::Status status, absl::string_view reason) {
  if (status.ok()) return status;
  google::rpc::ErrorInfo info = ErrorInfoOf(status);
  info.set_reason(std::string(reason));
  info.set_domain(std::string(kErrorDomain));
  return WithErrorInfo(std::move(status), info);
}

absl::Status WithMetadata(absl::Status status, absl::string_view key,
                          absl::string_view value) {
  if (status.ok()) return status;
  google::rpc::ErrorInfo info = ErrorInfoOf(status);
  (*info.mutable_metadata())[std::string(key)] = std::string(value);
  return WithErrorInfo(std::move(status), info);
}

std::string ReasonOf(const absl::Status& status) {
  google::rpc::ErrorInfo info = ErrorInfoOf(status);
  if (!info.reason().empty()) return info.reason();
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return "";
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return "INVALID_FIELD";
    case absl::StatusCode::kFailedPrecondition:
      return "RULE_VIOLATED";
    case absl::StatusCode::kNotFound:
      return "RESOURCE_NOT_FOUND";
    case absl::StatusCode::kAlreadyExists:
      return "RESOURCE_EXISTS";
    case absl::StatusCode::kAborted:
      return "CONCURRENT_CHANGE";
    case absl::StatusCode::kUnauthenticated:
      return "UNAUTHENTICATED";
    case absl::StatusCode::kPermissionDenied:
      return "OUTSIDE_SUBTREE";
    case absl::StatusCode::kUnavailable:
      return "BACKEND_UNAVAILABLE";
    case absl::StatusCode::kUnimplemented:
      return "NOT_IMPLEMENTED";
    case absl::StatusCode::kDeadlineExceeded:
      return "DEADLINE_EXCEEDED";
    case absl::StatusCode::kResourceExhausted:
      return "RATE_LIMITED";
    default:
      return "INTERNAL";
  }
}

std::vector<FieldViolation> FieldViolationsOf(const absl::Status& status) {
  std::vector<FieldViolation> out;
  if (auto payload = status.GetPayload(kBadRequestUrl)) {
    google::rpc::BadRequest bad_request;
    bad_request.ParseFromString(std::string(*payload));
    for (const auto& fv : bad_request.field_violations()) {
      out.push_back({fv.field(), fv.description()});
    }
  }
  return out;
}

std::vector<RuleViolation> RuleViolationsOf(const absl::Status& status) {
  std::vector<RuleViolation> out;
  if (auto payload = status.GetPayload(kPreconditionUrl)) {
    google::rpc::PreconditionFailure failure;
    failure.ParseFromString(std::string(*payload));
    for (const auto& v : failure.violations()) {
      out.push_back({v.type(), v.subject(), v.description()});
    }
  }
  return out;
}

absl::Status FieldChecker::status() const {
  if (violations_.empty()) return absl::OkStatus();
  return InvalidFields(violations_);
}

}  // namespace partydev
