#include "services/membership/domain/closure.h"

#include "absl/strings/ascii.h"
#include "common/dates.h"
#include "common/errors.h"

namespace partydev::membership::domain {
namespace {

namespace cv1 = ::partydev::common::v1;

bool Blank(const std::string& text) {
  return absl::StripAsciiWhitespace(text).empty();
}

}  // namespace

absl::Status ValidateWithdrawal(const v1::WithdrawCandidacyRequest& request) {
  FieldChecker check;
  if (Blank(request.reason())) check.Add("reason", "is required");
  if (request.withdrawn_by() == v1::WITHDRAWN_BY_UNSPECIFIED) {
    check.Add("withdrawn_by", "is required");
  }
  CheckDate(request.withdrawn_on(), "withdrawn_on", check);
  return check.status();
}

absl::Status ValidateRejection(const v1::RejectCandidacyRequest& request) {
  FieldChecker check;
  if (Blank(request.reason())) check.Add("reason", "is required");
  CheckDate(request.rejected_on(), "rejected_on", check);
  return check.status();
}

v1::CaseClosure WithdrawalClosure(const v1::WithdrawCandidacyRequest& request,
                                  Stage at) {
  v1::CaseClosure closure;
  closure.set_stage(cv1::STAGE_WITHDRAWN);
  closure.set_closed_at_stage(at);
  *closure.mutable_closed_on() = request.withdrawn_on();
  closure.set_reason(request.reason());
  closure.set_withdrawn_by(request.withdrawn_by());
  return closure;
}

v1::CaseClosure RejectionClosure(const v1::RejectCandidacyRequest& request,
                                 Stage at) {
  v1::CaseClosure closure;
  closure.set_stage(cv1::STAGE_REJECTED);
  closure.set_closed_at_stage(at);
  *closure.mutable_closed_on() = request.rejected_on();
  closure.set_reason(request.reason());
  if (request.has_decision()) *closure.mutable_decision() = request.decision();
  return closure;
}

}  // namespace partydev::membership::domain
