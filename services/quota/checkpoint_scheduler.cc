#include "services/quota/checkpoint_scheduler.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/change.h"
#include "common/dates.h"
#include "common/errors.h"
#include "common/filters.h"
#include "common/ids.h"
#include "common/paging.h"
#include "common/record_store.h"
#include "services/quota/domain/periods.h"
#include "services/quota/progress_report.h"
#include "services/quota/quota_access.h"
#include "services/quota/quota_change.h"
#include "services/quota/quota_rpc.h"

namespace partydev::quota {
namespace {

constexpr char kCollection[] = "/laggingCheckpoints/";
constexpr absl::string_view kMethod = "CreateLaggingCheckpoint";

std::string IndexKey(const QuotaContext& context) {
  return context.prefix() + "laggingCheckpoints";
}

std::string ListName(const std::string& checkpoint) {
  return checkpoint + "/list";
}

// "organizations/x" of "organizations/x/laggingCheckpoints/y" ("" when
// malformed).
std::string ParentOf(const std::string& checkpoint) {
  const size_t at = checkpoint.find(kCollection);
  if (at == std::string::npos) return "";
  const std::string parent = checkpoint.substr(0, at);
  const std::string id =
      checkpoint.substr(at + std::string(kCollection).size());
  if (OrganizationId(parent).empty() || !IsValidResourceId(id)) return "";
  if (parent.find('/', std::string("organizations/").size()) !=
      std::string::npos) {
    return "";
  }
  return parent;
}

int DayNumber(absl::CivilDay day) {
  return static_cast<int>(day.year() * 10000 + day.month() * 100 + day.day());
}

std::string DayText(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

std::string ReasonText(v1::LaggingReason reason) {
  switch (reason) {
    case v1::LAGGING_REASON_BELOW_THRESHOLD:
      return "below_threshold";
    case v1::LAGGING_REASON_STUDENTS_LOW:
      return "students_low";
    case v1::LAGGING_REASON_BEHIND:
      return "behind_pace";
    default:
      return "unspecified";
  }
}

events::v1::Event LaggingEvent(const CallContext& call,
                               const std::string& request_id,
                               const v1::LaggingCheckpoint& checkpoint,
                               const v1::LaggingOrganization& o) {
  google::protobuf::RepeatedPtrField<std::string> path =
      o.organization().ancestors();
  *path.Add() = o.organization().name();
  events::v1::Event event =
      NewEvent("quota", call, request_id, checkpoint.as_of(), path);
  event.set_id(LaggingEventId(checkpoint.name(), o.organization().name()));
  auto* lagging = event.mutable_organization_lagging();
  lagging->set_organization(o.organization().name());
  lagging->set_term(checkpoint.period().term());
  lagging->set_target(o.target());
  lagging->set_admitted(o.admitted());
  lagging->set_rate_bp(static_cast<int32_t>(std::llround(o.rate() * 10000)));
  lagging->set_threshold_bp(static_cast<int32_t>(
      std::llround(checkpoint.thresholds().lagging_rate() * 10000)));
  lagging->set_checkpoint(checkpoint.name());
  lagging->set_urging_organization(ParentOf(checkpoint.name()));
  lagging->set_year(checkpoint.period().year());
  *lagging->mutable_as_of() = checkpoint.as_of();
  lagging->set_remaining(o.remaining());
  for (int r : o.reasons()) {
    lagging->add_reasons(ReasonText(static_cast<v1::LaggingReason>(r)));
  }
  if (o.has_students()) {
    lagging->set_student_admitted(o.students().admitted());
    lagging->set_student_target(o.students().target());
  }
  SetType(event);
  return event;
}

// Publishes the events of a RUNNING checkpoint not yet published, a batch
// per write, each conditional on the record's version; marks it SUCCEEDED.
absl::Status PublishRemaining(QuotaContext& context, const CallContext& call,
                              const std::string& name,
                              v1::LaggingCheckpoint* response,
                              int events_per_write) {
  absl::StatusOr<v1::LaggingList> list = FrozenLaggingList(context, name);
  if (!list.ok()) return list.status();
  for (int attempts = 0; attempts < 1000; ++attempts) {
    absl::StatusOr<Stored<v1::LaggingCheckpoint>> stored =
        context.records().Get<v1::LaggingCheckpoint>(name);
    if (!stored.ok()) return stored.status();
    v1::LaggingCheckpoint cp = stored->message;
    if (cp.state() == v1::LaggingCheckpoint::STATE_SUCCEEDED) {
      if (response != nullptr) *response = cp;
      return absl::OkStatus();
    }
    const int total = list->organizations_size();
    const int from = std::clamp(cp.events_published(), 0, total);
    const int to = std::min(total, from + std::max(1, events_per_write));
    AtomicWrite write;
    for (int i = from; i < to; ++i) {
      write.XAdd(context.events_key(),
                 {{"e", LaggingEvent(call, cp.create_stamp().request_id(), cp,
                                     list->organizations(i))
                            .SerializeAsString()}});
    }
    cp.set_events_published(to);
    if (to >= total) {
      cp.set_state(v1::LaggingCheckpoint::STATE_SUCCEEDED);
      *cp.mutable_complete_time() = NowTimestamp();
    }
    context.records().StagePut(write, name, stored->version, cp);
    absl::StatusOr<WriteResult> written = write.Commit(context.redis());
    if (absl::IsAborted(written.status())) continue;  // another run advanced
    if (!written.ok()) return written.status();
  }
  return absl::AbortedError(name + " kept changing while publishing");
}

// The most recent date of `rule` that has come by `today` within `span`.
std::optional<std::pair<absl::CivilDay, std::string>> DueDate(
    const v1::LaggingCheckpointRule& rule, const domain::PeriodSpan& span,
    v1::CheckpointPeriodKind kind, absl::CivilDay today) {
  const absl::CivilDay last = std::min(today, span.end);
  if (last < span.start) return std::nullopt;
  switch (rule.cadence()) {
    case v1::CHECKPOINT_CADENCE_QUARTER_END: {
      // The last day of the quarter of `last`, or of the quarter before.
      const int quarter = (last.month() - 1) / 3;  // 0..3
      absl::CivilDay end =
          absl::CivilDay(absl::CivilMonth(last.year(), quarter * 3 + 3) + 1) -
          1;
      if (end > last) end = absl::CivilDay(last.year(), quarter * 3 + 1, 1) - 1;
      if (end < span.start) return std::nullopt;
      static const char* const kRoman[] = {"I", "II", "III", "IV"};
      const int q = (end.month() - 1) / 3;
      return std::make_pair(end,
                            absl::StrCat("Quý ", kRoman[q], "/", end.year()));
    }
    case v1::CHECKPOINT_CADENCE_MID_PERIOD: {
      // The first day on which half of the period has elapsed.
      const int days = span.Days();
      const absl::CivilDay mid = span.start + ((days + 1) / 2 - 1);
      if (mid > today) return std::nullopt;
      return std::make_pair(mid,
                            kind == v1::CHECKPOINT_PERIOD_KIND_YEAR
                                ? absl::StrCat("Giữa năm ", span.start.year())
                                : std::string("Giữa nhiệm kỳ"));
    }
    case v1::CHECKPOINT_CADENCE_FIXED_DATES: {
      std::optional<absl::CivilDay> best;
      for (const auto& d : rule.dates()) {
        if (!IsValidDate(d)) continue;
        const absl::CivilDay day = CivilDayOf(d);
        if (day < span.start || day > last) continue;
        if (!best || day > *best) best = day;
      }
      if (!best) return std::nullopt;
      return std::make_pair(*best, absl::StrCat("Ngày ", FormatDay(*best)));
    }
    default:
      return std::nullopt;
  }
}

}  // namespace

std::string LaggingEventId(const std::string& checkpoint,
                           const std::string& organization) {
  std::string h = Sha256Hex(absl::StrCat("partydev.quota.lagging|", checkpoint,
                                         "|", organization))
                      .substr(0, 32);
  h[12] = '5';  // a name-based UUID
  static const char kVariant[] = "89ab";
  int nibble = 0;
  absl::SimpleHexAtoi(h.substr(16, 1), &nibble);
  h[16] = kVariant[nibble & 3];
  return absl::StrCat(h.substr(0, 8), "-", h.substr(8, 4), "-", h.substr(12, 4),
                      "-", h.substr(16, 4), "-", h.substr(20, 12));
}

CallContext SystemCall(absl::string_view method) {
  CallContext call;
  call.method = std::string(method);
  call.principal.subject = std::string(kSystemActor);
  call.principal.roles = {"admin", "system"};
  call.request_id = NewUuid();
  call.started = absl::Now();
  call.deadline = absl::InfiniteFuture();
  return call;
}

absl::StatusOr<v1::LaggingList> FrozenLaggingList(QuotaContext& context,
                                                  const std::string& name) {
  absl::StatusOr<Stored<v1::LaggingList>> list =
      context.records().Get<v1::LaggingList>(ListName(name));
  if (absl::IsNotFound(list.status())) {
    return absl::NotFoundError(absl::StrCat(name, " does not exist"));
  }
  if (!list.ok()) return list.status();
  return std::move(list->message);
}

absl::Status CreateLaggingCheckpoint(
    QuotaContext& context, const CallContext& call,
    const v1::CreateLaggingCheckpointRequest& request,
    v1::LaggingCheckpoint::Trigger trigger, const std::string& schedule_rule,
    v1::LaggingCheckpoint* response, int events_per_write) {
  if (absl::Status s = RequireBoard(call, "create lagging checkpoints");
      !s.ok()) {
    return s;
  }
  absl::StatusOr<std::shared_ptr<const OrgTree>> tree =
      AuthorizedTree(context, call, request.parent(), "parent");
  if (!tree.ok()) return tree.status();
  // A retry of a request that succeeded answers as the first call did
  // (before the checkpoint it created makes it ALREADY_EXISTS); the caller
  // is checked first.
  absl::StatusOr<bool> replayed = ReplayRecordedResponse(
      context.redis(), context.prefix(), kMethod, request, *response);
  if (!replayed.ok()) return replayed.status();
  if (*replayed) return absl::OkStatus();
  const v1::LaggingCheckpoint& in = request.lagging_checkpoint();
  FieldChecker check;
  if (in.period().term().empty()) {
    check.Add("lagging_checkpoint.period.term",
              "is required (\"terms/{term}\")");
  } else if (!absl::StartsWith(in.period().term(), "terms/")) {
    check.Add("lagging_checkpoint.period.term", "must be \"terms/{term}\"");
  }
  if (!IsUnset(in.as_of())) {
    CheckDate(in.as_of(), "lagging_checkpoint.as_of", check);
  }
  if (!request.lagging_checkpoint_id().empty() &&
      !IsValidResourceId(request.lagging_checkpoint_id())) {
    check.Add("lagging_checkpoint_id",
              "must match ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$");
  }
  if (!check.ok()) return check.status();
  const absl::CivilDay today = CivilDayOf(Today());
  const absl::CivilDay as_of =
      IsUnset(in.as_of()) ? today : CivilDayOf(in.as_of());
  if (as_of > today) {
    return RulesViolated(
        {{"quota.checkpoint.not_future", "lagging_checkpoint.as_of",
          absl::StrCat("Ngày chốt ", FormatDay(as_of), " chưa đến (hôm nay là ",
                       FormatDay(today), ")")}});
  }
  const std::string term_id =
      in.period().term().substr(std::string("terms/").size());
  std::string id = request.lagging_checkpoint_id();
  if (id.empty()) {
    id = absl::StrCat(DayText(as_of), "-", term_id);
    if (in.period().year() != 0) absl::StrAppend(&id, "-", in.period().year());
  }
  if (!IsValidResourceId(id)) {
    return InvalidField("lagging_checkpoint.period.term",
                        "gives no valid checkpoint id; give "
                        "lagging_checkpoint_id");
  }
  const std::string name = absl::StrCat(request.parent(), kCollection, id);

  absl::StatusOr<Stored<v1::LaggingCheckpoint>> existing =
      context.records().Get<v1::LaggingCheckpoint>(name);
  if (existing.ok()) {
    if (existing->message.state() == v1::LaggingCheckpoint::STATE_RUNNING &&
        !request.validate_only()) {
      // A run stopped half-way: publish what it has not.
      return PublishRemaining(context, call, name, response, events_per_write);
    }
    return WithMetadata(
        absl::AlreadyExistsError(absl::StrCat(
            name,
            " already exists: the checkpoint of this day and period "
            "was taken (its organisations were urged once)")),
        "name", name);
  }
  if (!absl::IsNotFound(existing.status())) return existing.status();

  const v1::OrganizationScope scope =
      in.scope() == v1::ORGANIZATION_SCOPE_UNSPECIFIED
          ? v1::ORGANIZATION_SCOPE_GRASSROOTS_IN_SUBTREE
          : in.scope();
  ProgressQuery query;
  query.root = request.parent();
  query.root_field = "parent";
  query.period = in.period();
  query.period_field = "lagging_checkpoint.period";
  query.as_of = FromCivilDay(as_of);
  query.as_of_field = "lagging_checkpoint.as_of";
  query.scope = scope;
  query.root_may_be_row = true;
  query.overrides = in.thresholds();
  query.thresholds_field = "lagging_checkpoint.thresholds";
  absl::StatusOr<ProgressResult> result =
      ComputeProgressRows(context, call, query);
  if (!result.ok()) return result.status();
  int evaluated = 0;
  std::vector<v1::LaggingOrganization> lagging =
      LaggingOf(*result, /*include_behind=*/false, &evaluated);

  v1::LaggingCheckpoint cp;
  cp.set_name(name);
  *cp.mutable_period() = result->period;
  *cp.mutable_as_of() = FromCivilDay(as_of);
  cp.set_label(in.label());
  cp.set_scope(scope);
  *cp.mutable_thresholds() = result->thresholds;
  cp.set_trigger(trigger);
  cp.set_schedule_rule(schedule_rule);
  cp.set_evaluated_count(evaluated);
  cp.set_lagging_count(static_cast<int>(lagging.size()));
  cp.set_rule_set(result->rule_set->name());
  *cp.mutable_create_stamp() = Stamp(call, request.request_id(), "");

  const bool batched = static_cast<int>(lagging.size()) > events_per_write;
  return Idempotent<Change, v1::LaggingCheckpoint>(
      context.redis(), context.prefix(), kMethod, request.request_id(), request,
      *response,
      [&](Change& change) -> absl::Status {
        if (request.validate_only()) {
          *response = cp;
          return absl::OkStatus();
        }
        v1::LaggingList list;
        FillLaggingMetadata(*result, list);
        list.set_checkpoint(name);
        list.set_evaluated_count(evaluated);
        list.set_total_size(static_cast<int>(lagging.size()));
        for (auto& o : lagging) *list.add_organizations() = o;
        if (batched) {
          cp.set_state(v1::LaggingCheckpoint::STATE_RUNNING);
          cp.set_events_published(0);
        } else {
          cp.set_state(v1::LaggingCheckpoint::STATE_SUCCEEDED);
          cp.set_events_published(cp.lagging_count());
          *cp.mutable_complete_time() = NowTimestamp();
          for (const auto& o : lagging) {
            change.journal.events.push_back(
                LaggingEvent(call, request.request_id(), cp, o));
          }
        }
        context.records().StagePut(change.write, name, 0, cp);
        context.records().StagePut(change.write, ListName(name), 0, list);
        change.write.ZAdd(IndexKey(context), DayNumber(as_of), name);
        *response = cp;
        return absl::OkStatus();
      },
      [&](Change& change) -> absl::Status {
        absl::Status written = Commit(context, change);
        if (absl::IsAborted(written)) {
          return absl::AlreadyExistsError(
              absl::StrCat(name, " already exists"));
        }
        if (!written.ok()) return written;
        if (batched) {
          return PublishRemaining(context, call, name, response,
                                  events_per_write);
        }
        return absl::OkStatus();
      });
}

absl::Status GetLaggingCheckpoint(
    QuotaContext& context, const CallContext& call,
    const v1::GetLaggingCheckpointRequest& request,
    v1::LaggingCheckpoint* response) {
  if (request.name().empty()) return InvalidField("name", "is required");
  const std::string parent = ParentOf(request.name());
  if (parent.empty()) {
    return InvalidField(
        "name", "must be \"organizations/{org}/laggingCheckpoints/{id}\"");
  }
  absl::StatusOr<std::shared_ptr<const OrgTree>> tree =
      AuthorizedTree(context, call, parent, "name");
  if (!tree.ok()) return tree.status();
  absl::StatusOr<Stored<v1::LaggingCheckpoint>> stored =
      context.records().Get<v1::LaggingCheckpoint>(request.name());
  if (!stored.ok()) return stored.status();
  *response = std::move(stored->message);
  return absl::OkStatus();
}

absl::Status ListLaggingCheckpoints(
    QuotaContext& context, const CallContext& call,
    const v1::ListLaggingCheckpointsRequest& request,
    v1::ListLaggingCheckpointsResponse* response) {
  absl::StatusOr<std::shared_ptr<const OrgTree>> tree =
      AuthorizedTree(context, call, request.parent(), "parent");
  if (!tree.ok()) return tree.status();
  absl::StatusOr<OffsetPage> page =
      OffsetPage::Of(request, request.page_size(), request.page_token());
  if (!page.ok()) return page.status();
  absl::StatusOr<Filter> filter = Filter::Parse(
      request.filter(), *v1::LaggingCheckpoint::descriptor(),
      {"period.term", "period.year", "trigger", "state", "as_of"});
  if (!filter.ok()) return filter.status();
  const bool subtree =
      request.scope() == v1::ORGANIZATION_SCOPE_SUBTREE ||
      request.scope() == v1::ORGANIZATION_SCOPE_GRASSROOTS_IN_SUBTREE ||
      request.scope() == v1::ORGANIZATION_SCOPE_DIRECT_SUBORDINATES;

  absl::StatusOr<RedisReply> all =
      context.redis().Command({"ZREVRANGE", IndexKey(context), "0", "-1"});
  if (!all.ok()) return all.status();
  const std::string own_prefix = absl::StrCat(request.parent(), kCollection);
  std::vector<std::string> names;
  for (const RedisReply& e : all->elements()) {
    const std::string& name = e.str();
    if (absl::StartsWith(name, own_prefix)) {
      names.push_back(name);
      continue;
    }
    if (!subtree) continue;
    const std::string org = ParentOf(name);
    if (org.empty() || !(*tree)->Known(org)) continue;
    absl::CivilDay day = CivilDayOf(Today());
    if (day > (*tree)->ValidUntil(org)) day = (*tree)->ValidUntil(org);
    if ((*tree)->CoversOn(request.parent(), org, day)) names.push_back(name);
  }
  absl::StatusOr<std::vector<Stored<v1::LaggingCheckpoint>>> records =
      context.records().GetMany<v1::LaggingCheckpoint>(names);
  if (!records.ok()) return records.status();
  std::vector<v1::LaggingCheckpoint> matching;
  for (auto& r : *records) {
    if (filter->Matches(r.message)) matching.push_back(std::move(r.message));
  }
  // Newest as_of first (the index's order), ties by name.
  std::stable_sort(
      matching.begin(), matching.end(),
      [](const v1::LaggingCheckpoint& a, const v1::LaggingCheckpoint& b) {
        return CivilDayOf(a.as_of()) > CivilDayOf(b.as_of());
      });
  page->Fill(matching.size(), *response, [&](int i) {
    *response->add_lagging_checkpoints() = std::move(matching[i]);
  });
  return absl::OkStatus();
}

CheckpointScheduler::CheckpointScheduler(QuotaContext& context)
    : context_(context) {}

CheckpointScheduler::~CheckpointScheduler() { Stop(); }

absl::StatusOr<int> CheckpointScheduler::RunOnce(absl::CivilDay today) {
  absl::StatusOr<const v1::QuotaRuleSet*> rules =
      context_.rules().ForDay(today);
  if (!rules.ok()) return rules.status();
  if ((*rules)->lagging().checkpoints().empty()) return 0;
  absl::StatusOr<v1::Term> term = context_.targets().TermOn(today);
  if (absl::IsNotFound(term.status())) return 0;  // no current term
  if (!term.ok()) return term.status();
  absl::StatusOr<std::shared_ptr<const OrgTree>> tree =
      context_.projections().Tree();
  if (!tree.ok()) return tree.status();

  int created = 0;
  absl::Status first_error;
  for (const v1::LaggingCheckpointRule& rule :
       (*rules)->lagging().checkpoints()) {
    const v1::CheckpointPeriodKind kind =
        rule.period_kind() == v1::CHECKPOINT_PERIOD_KIND_YEAR
            ? v1::CHECKPOINT_PERIOD_KIND_YEAR
            : v1::CHECKPOINT_PERIOD_KIND_TERM;
    const int year = kind == v1::CHECKPOINT_PERIOD_KIND_YEAR
                         ? static_cast<int>(today.year())
                         : 0;
    absl::StatusOr<domain::PeriodSpan> span = domain::SpanOf(*term, year);
    if (!span.ok()) continue;
    std::optional<std::pair<absl::CivilDay, std::string>> due =
        DueDate(rule, *span, kind, today);
    if (!due) continue;
    for (const std::string& root : (*tree)->RootsOn(due->first)) {
      v1::CreateLaggingCheckpointRequest request;
      request.set_parent(root);
      v1::LaggingCheckpoint* cp = request.mutable_lagging_checkpoint();
      cp->mutable_period()->set_term(term->name());
      cp->mutable_period()->set_year(year);
      *cp->mutable_as_of() = FromCivilDay(due->first);
      cp->set_label(due->second);
      cp->set_scope(rule.scope());
      const CallContext call = SystemCall("ScheduledLaggingCheckpoint");
      v1::LaggingCheckpoint response;
      absl::Status status = CreateLaggingCheckpoint(
          context_, call, request, v1::LaggingCheckpoint::TRIGGER_SCHEDULED,
          rule.id(), &response);
      if (status.ok()) {
        ++created;
        context_.runtime().logger().Info(
            "lagging_checkpoint_scheduled",
            {{"checkpoint", response.name()},
             {"rule", rule.id()},
             {"lagging", response.lagging_count()},
             {"evaluated", response.evaluated_count()}});
        continue;
      }
      if (absl::IsAlreadyExists(status)) continue;
      context_.runtime().logger().Warn("lagging_checkpoint_failed",
                                       {{"organization", root},
                                        {"rule", rule.id()},
                                        {"error", status.ToString()}});
      if (first_error.ok()) first_error = status;
    }
  }
  if (!first_error.ok()) return first_error;
  return created;
}

void CheckpointScheduler::Start(absl::Duration period) {
  if (period <= absl::ZeroDuration() || thread_.joinable()) return;
  thread_ = std::thread([this, period] {
    while (!stop_.WaitForNotificationWithTimeout(period)) {
      absl::StatusOr<int> created = RunOnce(CivilDayOf(Today()));
      if (!created.ok()) {
        context_.runtime().logger().Warn(
            "lagging_checkpoint_scan_failed",
            {{"error", created.status().ToString()}});
      }
    }
  });
}

void CheckpointScheduler::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

}  // namespace partydev::quota
