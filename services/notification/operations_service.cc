#include "services/notification/operations_service.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/authorization.h"
#include "common/change.h"
#include "common/errors.h"
#include "common/filters.h"
#include "common/idempotency.h"
#include "common/paging.h"
#include "common/principal.h"
#include "services/notification/queue/queue_stats.h"

namespace partydev::notification {
namespace {

// At most this many dead letters are examined by one filtered list or
// replay (a backlog larger than that is worked through in several calls).
constexpr int kMaxExamined = 100000;
// The default and largest max_entries of ReplayDeadLetters (proto).
constexpr int kDefaultReplay = 1000;
constexpr int kMaxReplay = 100000;
// ReplayDeadLettersResponse lists at most this many names.
constexpr int kListedReplays = 1000;

const std::vector<std::string>& FilterPaths() {
  static const auto* const paths = new std::vector<std::string>{
      "state",   "job_kind", "reason",           "channel_type",    "recipient",
      "channel", "priority", "dead_letter_time", "last_http_status"};
  return *paths;
}

absl::Status RequireOperator(const CallContext& call,
                             absl::string_view action) {
  return RequireAnyRole(call.principal, {roles::kOperator}, action);
}

// payload_json may hold personal data (operations.proto): only callers with
// the personal_data role see it.
void Redact(const CallContext& call, v1::DeadLetter& dead_letter) {
  if (!call.principal.HasRole(roles::kPersonalData)) {
    dead_letter.clear_payload_json();
  }
}

// Every dead letter (up to kMaxExamined), oldest first, matching `filter`.
// An empty filter means `state = DEAD` (ListDeadLetters' default).
absl::StatusOr<std::vector<v1::DeadLetter>> Matching(
    const DeadLetters& dead_letters, const Filter& filter, bool only_dead) {
  DeadLetterQuery query;
  query.page_size = 1000;
  query.oldest_first = true;
  if (only_dead || filter.empty()) query.state = v1::DEAD_LETTER_STATE_DEAD;
  std::vector<v1::DeadLetter> out;
  int examined = 0;
  do {
    absl::StatusOr<DeadLetterPage> page = dead_letters.List(query);
    if (!page.ok()) return page.status();
    for (v1::DeadLetter& d : page->dead_letters) {
      if (filter.Matches(d)) out.push_back(std::move(d));
    }
    examined += static_cast<int>(page->dead_letters.size());
    query.page_token = page->next_page_token;
  } while (!query.page_token.empty() && examined < kMaxExamined);
  return out;
}

// AIP-155 for the engine's own transitions: the recorded answer of an
// earlier identical request, if any.
absl::StatusOr<bool> Recorded(NotificationContext& context,
                              absl::string_view method,
                              const std::string& request_id,
                              const google::protobuf::Message& request,
                              google::protobuf::Message& response) {
  if (absl::Status s = ValidateRequestId(request_id); !s.ok()) return s;
  IdempotencyKey key(context.prefix(), method, request_id, request);
  if (!key.active()) return false;
  absl::StatusOr<std::optional<std::string>> cached =
      key.Lookup(context.redis());
  if (!cached.ok()) return cached.status();
  if (!cached->has_value()) return false;
  if (!response.ParseFromString(**cached)) {
    return absl::DataLossError("stored response is not valid");
  }
  return true;
}

// Records `response` as the answer of the request (kept as long as every
// idempotency record, common/idempotency.h).
absl::Status Record(NotificationContext& context, absl::string_view method,
                    const std::string& request_id,
                    const google::protobuf::Message& request,
                    const google::protobuf::Message& response) {
  IdempotencyKey key(context.prefix(), method, request_id, request);
  if (!key.active()) return absl::OkStatus();
  AtomicWrite write;
  write.RecordResponse(key.redis_key(), key.Wrap(response), absl::Hours(72));
  return write.Commit(context.redis()).status();
}

// A dry run of a replay or a discard (validate_only): the dead letter as it
// stands, when it is still DEAD and at `etag` (if given); nothing written.
absl::Status CheckStillDead(const CallContext& call,
                            const DeadLetters& dead_letters,
                            const std::string& name, const std::string& etag,
                            v1::DeadLetter& response) {
  absl::StatusOr<v1::DeadLetter> found = dead_letters.Get(name);
  if (!found.ok()) return found.status();
  if (found->state() != v1::DEAD_LETTER_STATE_DEAD) {
    return RulesViolated(
        {{"notification.dead_letter.dead", "name",
          absl::StrCat("Thư lỗi ", name, " không còn ở trạng thái DEAD")}});
  }
  if (!etag.empty() && etag != found->etag()) {
    return WithReason(
        absl::AbortedError(absl::StrCat("etag ", etag, " is stale; ", name,
                                        " is at ", found->etag())),
        "CONCURRENT_CHANGE");
  }
  response = *std::move(found);
  Redact(call, response);
  return absl::OkStatus();
}

}  // namespace

OperationsServiceImpl::OperationsServiceImpl(
    std::shared_ptr<NotificationContext> context)
    : context_(std::move(context)),
      dead_letters_(context_->redis(), context_->queue_keys(),
                    context_->clock()) {}

PARTYDEV_UNARY_METHOD(OperationsServiceImpl, GetDeadLetter,
                      v1::GetDeadLetterRequest, v1::DeadLetter)
PARTYDEV_UNARY_METHOD(OperationsServiceImpl, ListDeadLetters,
                      v1::ListDeadLettersRequest, v1::ListDeadLettersResponse)
PARTYDEV_UNARY_METHOD(OperationsServiceImpl, ReplayDeadLetter,
                      v1::ReplayDeadLetterRequest, v1::DeadLetter)
PARTYDEV_UNARY_METHOD(OperationsServiceImpl, ReplayDeadLetters,
                      v1::ReplayDeadLettersRequest,
                      v1::ReplayDeadLettersResponse)
PARTYDEV_UNARY_METHOD(OperationsServiceImpl, DiscardDeadLetter,
                      v1::DiscardDeadLetterRequest, v1::DeadLetter)
PARTYDEV_UNARY_METHOD(OperationsServiceImpl, GetQueueStats,
                      v1::GetQueueStatsRequest, v1::QueueStats)

absl::Status OperationsServiceImpl::DoGetDeadLetter(
    const CallContext& call, const v1::GetDeadLetterRequest& request,
    v1::DeadLetter& response) {
  if (absl::Status s = RequireOperator(call, "reading dead letters"); !s.ok()) {
    return s;
  }
  if (request.name().empty()) {
    return InvalidField("name", "is required (\"deadLetters/{entry}\")");
  }
  absl::StatusOr<v1::DeadLetter> found = dead_letters_.Get(request.name());
  if (!found.ok()) return found.status();
  response = *std::move(found);
  Redact(call, response);
  return absl::OkStatus();
}

absl::Status OperationsServiceImpl::DoListDeadLetters(
    const CallContext& call, const v1::ListDeadLettersRequest& request,
    v1::ListDeadLettersResponse& response) {
  if (absl::Status s = RequireOperator(call, "reading dead letters"); !s.ok()) {
    return s;
  }
  absl::StatusOr<OffsetPage> page =
      OffsetPage::Of(request, request.page_size(), request.page_token());
  if (!page.ok()) return page.status();
  absl::StatusOr<Filter> filter = Filter::Parse(
      request.filter(), *v1::DeadLetter::descriptor(), FilterPaths());
  if (!filter.ok()) return filter.status();
  bool newest_first = true;
  if (request.order_by() == "dead_letter_time") {
    newest_first = false;
  } else if (!request.order_by().empty() &&
             request.order_by() != "dead_letter_time desc") {
    return InvalidField(
        "order_by",
        "must be \"dead_letter_time desc\" or \"dead_letter_time\"");
  }
  absl::StatusOr<std::vector<v1::DeadLetter>> matching =
      Matching(dead_letters_, *filter, false);
  if (!matching.ok()) return matching.status();
  const int total = static_cast<int>(matching->size());
  page->Fill(matching->size(), response, [&](int i) {
    v1::DeadLetter* d = response.add_dead_letters();
    *d = (*matching)[newest_first ? total - 1 - i : i];
    Redact(call, *d);
  });
  return absl::OkStatus();
}

absl::Status OperationsServiceImpl::DoReplayDeadLetter(
    const CallContext& call, const v1::ReplayDeadLetterRequest& request,
    v1::DeadLetter& response) {
  if (absl::Status s = RequireOperator(call, "replaying dead letters");
      !s.ok()) {
    return s;
  }
  if (request.name().empty()) {
    return InvalidField("name", "is required (\"deadLetters/{entry}\")");
  }
  absl::StatusOr<bool> recorded = Recorded(
      *context_, "ReplayDeadLetter", request.request_id(), request, response);
  if (!recorded.ok() || *recorded) return recorded.status();
  if (request.validate_only()) {
    return CheckStillDead(call, dead_letters_, request.name(), request.etag(),
                          response);
  }
  absl::StatusOr<v1::DeadLetter> replayed = dead_letters_.Replay(
      request.name(), Stamp(call, request.request_id(), "replayed"),
      request.etag());
  if (!replayed.ok()) return replayed.status();
  response = *std::move(replayed);
  Redact(call, response);
  return Record(*context_, "ReplayDeadLetter", request.request_id(), request,
                response);
}

absl::Status OperationsServiceImpl::DoReplayDeadLetters(
    const CallContext& call, const v1::ReplayDeadLettersRequest& request,
    v1::ReplayDeadLettersResponse& response) {
  if (absl::Status s = RequireOperator(call, "replaying dead letters");
      !s.ok()) {
    return s;
  }
  FieldChecker check;
  if (request.filter().empty()) {
    check.Add("filter", "is required (\"*\" replays every dead letter)");
  }
  if (request.max_entries() < 0 || request.max_entries() > kMaxReplay) {
    check.Add("max_entries", absl::StrCat("must be 0..", kMaxReplay));
  }
  if (!check.ok()) return check.status();
  absl::StatusOr<Filter> filter =
      Filter::Parse(request.filter() == "*" ? "" : request.filter(),
                    *v1::DeadLetter::descriptor(), FilterPaths());
  if (!filter.ok()) return filter.status();
  absl::StatusOr<bool> recorded = Recorded(
      *context_, "ReplayDeadLetters", request.request_id(), request, response);
  if (!recorded.ok() || *recorded) return recorded.status();
  const int max_entries =
      request.max_entries() == 0 ? kDefaultReplay : request.max_entries();
  absl::StatusOr<std::vector<v1::DeadLetter>> matching =
      Matching(dead_letters_, *filter, true);
  if (!matching.ok()) return matching.status();
  response.set_matched_count(static_cast<int>(matching->size()));
  response.set_more_remaining(static_cast<int>(matching->size()) > max_entries);
  const common::v1::ChangeStamp stamp =
      Stamp(call, request.request_id(), "replayed by filter");
  int replayed = 0;
  for (const v1::DeadLetter& d : *matching) {
    if (replayed >= max_entries) break;
    if (call.Cancelled()) break;
    if (!request.validate_only()) {
      absl::StatusOr<v1::DeadLetter> done =
          dead_letters_.Replay(d.name(), stamp);
      // Replayed meanwhile by another operator: not ours to count.
      if (absl::IsFailedPrecondition(done.status())) continue;
      if (!done.ok()) return done.status();
    }
    ++replayed;
    if (response.dead_letters_size() < kListedReplays) {
      response.add_dead_letters(d.name());
    }
  }
  response.set_replayed_count(request.validate_only() ? 0 : replayed);
  if (request.validate_only()) return absl::OkStatus();
  return Record(*context_, "ReplayDeadLetters", request.request_id(), request,
                response);
}

absl::Status OperationsServiceImpl::DoDiscardDeadLetter(
    const CallContext& call, const v1::DiscardDeadLetterRequest& request,
    v1::DeadLetter& response) {
  if (absl::Status s = RequireOperator(call, "discarding dead letters");
      !s.ok()) {
    return s;
  }
  FieldChecker check;
  if (request.name().empty()) {
    check.Add("name", "is required (\"deadLetters/{entry}\")");
  }
  if (request.reason().empty()) {
    check.Add("reason", "is required: say why it is discarded");
  }
  if (!check.ok()) return check.status();
  absl::StatusOr<bool> recorded = Recorded(
      *context_, "DiscardDeadLetter", request.request_id(), request, response);
  if (!recorded.ok() || *recorded) return recorded.status();
  if (request.validate_only()) {
    return CheckStillDead(call, dead_letters_, request.name(), request.etag(),
                          response);
  }
  absl::StatusOr<v1::DeadLetter> discarded = dead_letters_.Discard(
      request.name(), Stamp(call, request.request_id(), request.reason()),
      request.etag());
  if (!discarded.ok()) return discarded.status();
  response = *std::move(discarded);
  Redact(call, response);
  return Record(*context_, "DiscardDeadLetter", request.request_id(), request,
                response);
}

absl::Status OperationsServiceImpl::DoGetQueueStats(
    const CallContext& call, const v1::GetQueueStatsRequest& request,
    v1::QueueStats& response) {
  if (absl::Status s = RequireOperator(call, "reading queue statistics");
      !s.ok()) {
    return s;
  }
  if (request.name() != "queueStats") {
    return InvalidField("name", "must be \"queueStats\"");
  }
  absl::StatusOr<v1::QueueStats> stats =
      ReadQueueStats(context_->redis(), context_->queue_keys(),
                     context_->clock().Now(), &context_->runtime().metrics());
  if (!stats.ok()) return stats.status();
  response = *std::move(stats);
  return absl::OkStatus();
}

}  // namespace partydev::notification
