#include "services/quota/projections.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "common/atomic_write.h"
#include "common/change.h"
#include "common/errors.h"
#include "common/event_consumer.h"
#include "common/streams.h"
#include "common/vietnam_time.h"
#include "google/protobuf/util/time_util.h"

namespace partydev::quota {
namespace {

using google::protobuf::util::TimeUtil;

constexpr char kNamePrefix[] = "quotaProjections/";
// Entries read per XRANGE of a rebuild.
constexpr int kReplayBatch = 500;
// A projection whose group is further behind than this is catching up.
constexpr int64_t kLiveLag = 100;
// A running rebuild refreshes this key; a record of a running rebuild
// without it is one whose process died.
constexpr absl::Duration kAliveTtl = absl::Seconds(30);
// How long a reader trusts the generation pointer it read (the appliers
// never trust it: every apply expects the pointer's version).
constexpr absl::Duration kGenerationRecheck = absl::Seconds(1);

enum class Kind { kOrganizations, kAdmissions, kPipeline };

// The event types a projection consumes. The stores may take more (their
// StageApply says so); events of these types are marked and counted even
// when a store has nothing to write for them.
bool RelevantType(Kind kind, const events::v1::Event& event) {
  using E = events::v1::Event;
  switch (kind) {
    case Kind::kOrganizations:
      switch (event.payload_case()) {
        case E::kOrganizationCreated:
        case E::kOrganizationUpdated:
        case E::kOrganizationMoved:
        case E::kOrganizationsMerged:
        case E::kOrganizationSplit:
        case E::kOrganizationDissolved:
          return true;
        default:
          return false;
      }
    case Kind::kAdmissions:
      switch (event.payload_case()) {
        case E::kMemberAdmitted:
        case E::kProbationStarted:
        case E::kRemovedFromProbation:
          return true;
        default:
          return false;
      }
    case Kind::kPipeline:
      switch (event.payload_case()) {
        case E::kPersonStageChanged:
        case E::kPersonCategoriesChanged:
          return true;
        default:
          return false;
      }
  }
  return false;
}

// The time of the act an event reports: when the server recorded it, else
// the start of its act date in Vietnam.
google::protobuf::Timestamp EventTime(const events::v1::Event& event) {
  if (event.has_recorded_at() && (event.recorded_at().seconds() != 0 ||
                                  event.recorded_at().nanos() != 0)) {
    return event.recorded_at();
  }
  google::protobuf::Timestamp t;
  if (event.has_act_date() && event.act_date().year() > 0) {
    const absl::Time start = absl::FromCivil(
        absl::CivilDay(event.act_date().year(), event.act_date().month(),
                       event.act_date().day()),
        VietnamTimeZone());
    t.set_seconds(absl::ToUnixSeconds(start));
  }
  return t;
}

bool ValidEntryId(const std::string& id) {
  std::vector<std::string> parts = absl::StrSplit(id, '-');
  if (parts.empty() || parts.size() > 2) return false;
  for (const auto& p : parts) {
    uint64_t n = 0;
    if (p.empty() || !absl::SimpleAtoi(p, &n)) return false;
  }
  return true;
}

// One generation of one projection: where its keys live and its stores.
struct Generation {
  int64_t number = 1;
  // Version of the pointer record when read (0: absent, generation 1).
  int64_t pointer_version = 0;
  std::string prefix;  // "{pd:quota}:admissions:g1:"
  std::shared_ptr<OrgTreeStore> tree;
  std::shared_ptr<AdmissionLedger> ledger;
  std::shared_ptr<CandidatePool> pool;

  std::string Marker(const events::v1::Event& event,
                     const std::string& entry_id) const {
    return absl::StrCat(
        prefix, "seen:", event.id().empty() ? "entry-" + entry_id : event.id());
  }
  std::string StatsKey() const { return prefix + "stats"; }
  std::string LastKey() const { return prefix + "last"; }
};

enum class Outcome { kApplied, kDuplicate, kIgnored };

}  // namespace

class Projections::Impl {
 public:
  Impl(RedisClient& redis, RedisClient& source, ProjectionsOptions options,
       const domain::QuotaRuleSetRegistry& rules)
      : redis_(redis),
        source_(source),
        options_(std::move(options)),
        rules_(rules),
        streams_(source) {
    AddState(Kind::kOrganizations, "organizations",
             "The organisation tree with its history, from membership's "
             "organisation created, updated, moved, merged, split and "
             "dissolved events.");
    AddState(Kind::kAdmissions, "admissions",
             "The admissions ledger and counts, from membership's admission, "
             "probation and removal-from-probation events.");
    AddState(Kind::kPipeline, "pipeline",
             "The candidate pool, from membership's pipeline step and "
             "category events.");
  }

  ~Impl() {
    Stop();
    stopping_ = true;
    for (auto& s : states_) {
      if (s->rebuild_thread.joinable()) s->rebuild_thread.join();
    }
  }

  // ------------------------------------------------------------ state

  struct State {
    Kind kind;
    std::string short_name;  // "admissions"
    std::string name;        // "quotaProjections/admissions"
    std::string group;       // "quotad-admissions"
    std::string description;
    std::string pointer_key;    // P admissions:gen
    std::string last_gen_key;   // P admissions:gen:last
    std::string rebuild_key;    // P admissions:rebuild
    std::string alive_key;      // P admissions:rebuild:alive
    std::string parked_stream;  // P admissions:parked
    std::unique_ptr<EventConsumer> consumer;

    // One PollOnce at a time (live thread, DrainAll); held by a swap.
    absl::Mutex poll_mu;

    absl::Mutex mu;
    std::shared_ptr<const Generation> gen ABSL_GUARDED_BY(mu);
    absl::Time gen_checked ABSL_GUARDED_BY(mu) = absl::InfinitePast();
    bool paused ABSL_GUARDED_BY(mu) = false;
    bool rebuilding ABSL_GUARDED_BY(mu) = false;
    absl::Status rebuild_result ABSL_GUARDED_BY(mu);
    bool failing ABSL_GUARDED_BY(mu) = false;
    std::string last_error ABSL_GUARDED_BY(mu);
    std::thread rebuild_thread;
    std::thread live_thread;
  };

  void AddState(Kind kind, const std::string& short_name,
                const std::string& description) {
    auto s = std::make_unique<State>();
    s->kind = kind;
    s->short_name = short_name;
    s->name = kNamePrefix + short_name;
    s->group = "quotad-" + short_name;
    s->description = description;
    const std::string base = options_.prefix + short_name;
    s->pointer_key = base + ":gen";
    s->last_gen_key = base + ":gen:last";
    s->rebuild_key = base + ":rebuild";
    s->alive_key = base + ":rebuild:alive";
    s->parked_stream = base + ":parked";
    {
      absl::MutexLock lock(&s->mu);
      s->gen = MakeGeneration(*s, 1, 0);
    }
    State* raw = s.get();
    EventConsumerOptions consumer_options;
    consumer_options.stream = options_.membership_stream;
    consumer_options.group = s->group;
    consumer_options.consumer = options_.consumer;
    consumer_options.block = absl::Milliseconds(500);
    consumer_options.parked_stream = s->parked_stream;
    s->consumer = std::make_unique<EventConsumer>(
        source_, consumer_options,
        [this, raw](const StreamEntry& entry, const events::v1::Event& event) {
          return HandleLive(*raw, entry.id, event);
        });
    states_.push_back(std::move(s));
  }

  State* Find(absl::string_view name) {
    for (auto& s : states_) {
      if (s->name == name) return s.get();
    }
    return nullptr;
  }
  State& Of(Kind kind) {
    for (auto& s : states_) {
      if (s->kind == kind) return *s;
    }
    return *states_.front();
  }

  std::shared_ptr<const Generation> MakeGeneration(const State& s,
                                                   int64_t number,
                                                   int64_t pointer_version) {
    auto g = std::make_shared<Generation>();
    g->number = number;
    g->pointer_version = pointer_version;
    g->prefix = absl::StrCat(options_.prefix, s.short_name, ":g", number, ":");
    switch (s.kind) {
      case Kind::kOrganizations:
        g->tree = std::make_shared<OrgTreeStore>(redis_, g->prefix);
        break;
      case Kind::kAdmissions:
        g->ledger =
            std::make_shared<AdmissionLedger>(redis_, g->prefix, rules_);
        break;
      case Kind::kPipeline:
        g->pool = std::make_shared<CandidatePool>(redis_, g->prefix);
        break;
    }
    return g;
  }

  // The current generation, re-reading the pointer when asked or when the
  // one known was read more than kGenerationRecheck ago. On a Redis error
  // the one known is kept.
  std::shared_ptr<const Generation> CurrentGen(State& s, bool force) {
    {
      absl::MutexLock lock(&s.mu);
      if (!force && absl::Now() - s.gen_checked < kGenerationRecheck) {
        return s.gen;
      }
    }
    absl::StatusOr<VersionedRecord> pointer = ReadRecord(redis_, s.pointer_key);
    absl::MutexLock lock(&s.mu);
    if (!pointer.ok()) return s.gen;
    int64_t number = 1;
    if (pointer->exists() && !absl::SimpleAtoi(pointer->data, &number)) {
      number = 1;
    }
    if (s.gen->number != number || s.gen->pointer_version != pointer->version) {
      s.gen = MakeGeneration(s, number, pointer->version);
    }
    s.gen_checked = absl::Now();
    return s.gen;
  }

  // ------------------------------------------------------------ applying

  absl::StatusOr<bool> Stage(const State& s, const Generation& g,
                             const std::string& entry_id,
                             const events::v1::Event& event,
                             AtomicWrite& write) {
    switch (s.kind) {
      case Kind::kOrganizations:
        return g.tree->StageApply(event, write);
      case Kind::kAdmissions:
        return g.ledger->StageApply(entry_id, event, write);
      case Kind::kPipeline:
        return g.pool->StageApply(event, write);
    }
    return false;
  }

  absl::StatusOr<bool> MarkerExists(const std::string& marker) {
    absl::StatusOr<RedisReply> reply = redis_.Command({"EXISTS", marker});
    if (!reply.ok()) return reply.status();
    return reply->integer() == 1;
  }

  // An event already applied: counted in the generation's statistics and,
  // for the ledger, on the admission record it made (its
  // duplicate_deliveries, for the audit).
  absl::StatusOr<Outcome> Duplicate(const State& s, const Generation& g,
                                    const events::v1::Event& event) {
    absl::StatusOr<RedisReply> reply =
        redis_.Command({"HINCRBY", g.StatsKey(), "duplicates", "1"});
    if (!reply.ok()) return reply.status();
    if (s.kind == Kind::kAdmissions) {
      if (absl::Status recorded = g.ledger->RecordDuplicate(event);
          !recorded.ok()) {
        return recorded;
      }
    }
    return Outcome::kDuplicate;
  }

  // Applies one event to generation `g` in one atomic write with its
  // marker. `live`: `g` is the current generation, whose pointer the write
  // expects unchanged (a swap by a rebuild makes it ABORTED).
  absl::StatusOr<Outcome> Apply(const State& s, const Generation& g, bool live,
                                const std::string& entry_id,
                                const events::v1::Event& event) {
    const bool relevant = RelevantType(s.kind, event);
    const std::string marker = g.Marker(event, entry_id);
    absl::Status last = absl::OkStatus();
    for (int attempt = 0; attempt < 4; ++attempt) {
      if (relevant) {
        absl::StatusOr<bool> seen = MarkerExists(marker);
        if (!seen.ok()) return seen.status();
        if (*seen) return Duplicate(s, g, event);
      }
      AtomicWrite write;
      absl::StatusOr<bool> staged = Stage(s, g, entry_id, event, write);
      if (!staged.ok()) return staged.status();
      if (!*staged && !relevant) return Outcome::kIgnored;
      if (!relevant) {
        absl::StatusOr<bool> seen = MarkerExists(marker);
        if (!seen.ok()) return seen.status();
        if (*seen) return Duplicate(s, g, event);
      }
      write.Expect(marker, 0);
      write.Put(marker, entry_id);
      if (live) write.Expect(s.pointer_key, g.pointer_version);
      write.HIncrBy(g.StatsKey(), "applied", 1);
      // The last event applied, kept when it is the newest so far (a
      // replay of old events does not move the reports' freshness back).
      absl::StatusOr<VersionedRecord> last_record =
          ReadRecord(redis_, g.LastKey());
      if (!last_record.ok()) return last_record.status();
      v1::Projection previous;
      if (last_record->exists()) previous.ParseFromString(last_record->data);
      const google::protobuf::Timestamp time = EventTime(event);
      if (!last_record->exists() || previous.last_event_time() <= time) {
        v1::Projection newest;
        newest.set_last_event_id(event.id());
        newest.set_last_event_type(event.type());
        *newest.mutable_last_event_time() = time;
        *newest.mutable_last_apply_time() = NowTimestamp();
        write.Expect(g.LastKey(), last_record->version);
        write.Put(g.LastKey(), newest.SerializeAsString());
      }
      absl::StatusOr<WriteResult> committed = write.Commit(redis_);
      if (committed.ok()) return Outcome::kApplied;
      if (!absl::IsAborted(committed.status())) return committed.status();
      last = committed.status();
      absl::StatusOr<bool> seen = MarkerExists(marker);
      if (!seen.ok()) return seen.status();
      if (*seen)
        return Duplicate(s, g, event);  // applied meanwhile by another reader
      if (live &&
          absl::StrContains(committed.status().message(), s.pointer_key)) {
        return committed.status();  // swapped: the caller re-reads the pointer
      }
    }
    return last;
  }

  // The live consumer's handler.
  absl::Status HandleLive(State& s, const std::string& entry_id,
                          const events::v1::Event& event) {
    absl::Status status;
    for (int attempt = 0; attempt < 3; ++attempt) {
      std::shared_ptr<const Generation> g = CurrentGen(s, attempt > 0);
      absl::StatusOr<Outcome> outcome = Apply(s, *g, true, entry_id, event);
      if (outcome.ok()) {
        absl::MutexLock lock(&s.mu);
        s.failing = false;
        return absl::OkStatus();
      }
      status = outcome.status();
      if (!absl::IsAborted(status)) break;
    }
    absl::MutexLock lock(&s.mu);
    s.failing = true;
    s.last_error = absl::StrCat("event ", event.id(), " (entry ", entry_id,
                                "): ", status.ToString());
    return status;
  }

  // ------------------------------------------------------------ consumers

  absl::StatusOr<int> DrainAll() {
    int total = 0;
    for (auto& s : states_) {
      {
        absl::MutexLock lock(&s->mu);
        if (s->paused) continue;  // a rebuild swaps it in when done
      }
      absl::MutexLock poll(&s->poll_mu);
      absl::StatusOr<int> n = s->consumer->Drain();
      if (!n.ok()) return n.status();
      total += *n;
    }
    return total;
  }

  void Start() {
    absl::MutexLock lock(&lifecycle_mu_);
    if (running_) return;
    running_ = true;
    live_stopping_ = false;
    for (auto& s : states_) {
      State* raw = s.get();
      raw->live_thread = std::thread([this, raw] { RunLive(*raw); });
    }
  }

  void Stop() {
    absl::MutexLock lock(&lifecycle_mu_);
    if (!running_) return;
    live_stopping_ = true;
    for (auto& s : states_) {
      if (s->live_thread.joinable()) s->live_thread.join();
    }
    running_ = false;
  }

  void RunLive(State& s) {
    while (!live_stopping_) {
      bool paused;
      {
        absl::MutexLock lock(&s.mu);
        paused = s.paused;
      }
      absl::StatusOr<int> n = 0;
      if (!paused) {
        absl::MutexLock poll(&s.poll_mu);
        n = s.consumer->PollOnce(s.consumer->options().block);
      }
      if (paused || !n.ok()) {
        if (!n.ok()) {
          absl::MutexLock lock(&s.mu);
          s.last_error = n.status().ToString();
        }
        for (int i = 0; i < 5 && !live_stopping_; ++i) {
          absl::SleepFor(absl::Milliseconds(50));
        }
      }
    }
  }

  // ------------------------------------------------------------ status

  absl::StatusOr<v1::Projection> Get(State& s) {
    std::shared_ptr<const Generation> g = CurrentGen(s, false);
    absl::StatusOr<std::vector<RedisReply>> replies = redis_.Pipeline({
        {"HGETALL", g->StatsKey()},
        {"HMGET", g->LastKey(), "v", "d"},
        {"HMGET", s.rebuild_key, "v", "d"},
        {"EXISTS", s.alive_key},
    });
    if (!replies.ok()) return replies.status();
    absl::StatusOr<RedisReply> parked =
        source_.Command({"XLEN", s.parked_stream});
    if (!parked.ok()) return parked.status();
    replies->push_back(*std::move(parked));
    for (const RedisReply& r : *replies) {
      if (r.is_error()) return absl::InternalError("redis: " + r.str());
    }
    v1::Projection p;
    p.set_name(s.name);
    p.set_description(s.description);
    const auto& stats = (*replies)[0].elements();
    for (size_t i = 0; i + 1 < stats.size(); i += 2) {
      int64_t value = 0;
      if (!absl::SimpleAtoi(stats[i + 1].str(), &value)) continue;
      if (stats[i].str() == "applied") p.set_events_applied(value);
      if (stats[i].str() == "duplicates") p.set_duplicates_ignored(value);
    }
    const auto& last = (*replies)[1].elements();
    if (last.size() == 2 && !last[1].is_nil()) {
      v1::Projection newest;
      if (newest.ParseFromString(last[1].str())) {
        p.set_last_event_id(newest.last_event_id());
        p.set_last_event_type(newest.last_event_type());
        *p.mutable_last_event_time() = newest.last_event_time();
        *p.mutable_last_apply_time() = newest.last_apply_time();
      }
    }
    int64_t rebuild_version = 0;
    bool rebuild_open = false;
    const auto& rebuild = (*replies)[2].elements();
    if (rebuild.size() == 2 && !rebuild[0].is_nil()) {
      absl::SimpleAtoi(rebuild[0].str(), &rebuild_version);
      v1::RebuildStatus status;
      if (status.ParseFromString(rebuild[1].str())) {
        rebuild_open = !status.has_finish_time();
        *p.mutable_rebuild() = std::move(status);
      }
    }
    const bool alive = (*replies)[3].integer() == 1;
    p.set_events_parked((*replies)[4].integer());
    p.set_etag(EtagOf(rebuild_version));

    v1::StreamPosition* position = p.add_streams();
    position->set_stream(options_.membership_stream);
    position->set_consumer_group(s.group);
    absl::StatusOr<StreamInfo> info = streams_.Info(options_.membership_stream);
    if (!info.ok()) return info.status();
    absl::StatusOr<std::vector<GroupInfo>> groups =
        streams_.Groups(options_.membership_stream);
    if (!groups.ok()) return groups.status();
    position->set_first_entry_id(info->first_entry_id);
    int64_t lag = info->length;
    for (const GroupInfo& group : *groups) {
      if (group.name != s.group) continue;
      position->set_last_entry_id(group.last_delivered_id);
      position->set_pending(group.pending);
      lag = group.lag;
      if (lag < 0) {
        absl::StatusOr<int64_t> counted = CountAfter(group.last_delivered_id);
        if (!counted.ok()) return counted.status();
        lag = *counted;
      }
    }
    position->set_lag(lag);

    bool rebuilding;
    bool failing;
    std::string last_error;
    {
      absl::MutexLock lock(&s.mu);
      rebuilding = s.rebuilding;
      failing = s.failing;
      last_error = s.last_error;
      if (!s.rebuild_result.ok()) last_error = s.rebuild_result.ToString();
    }
    if (rebuild_open && !alive && !rebuilding) {
      last_error =
          "the last rebuild stopped before it finished (its process ended); "
          "start it again";
    }
    p.set_last_error(last_error);
    if (rebuilding || (rebuild_open && alive)) {
      p.set_state(v1::Projection::STATE_REBUILDING);
    } else if (failing) {
      p.set_state(v1::Projection::STATE_FAILED);
    } else if (lag > kLiveLag) {
      p.set_state(v1::Projection::STATE_CATCHING_UP);
    } else {
      p.set_state(v1::Projection::STATE_LIVE);
    }
    return p;
  }

  // Entries after `id` (bounded count; only when Redis does not report
  // the lag).
  absl::StatusOr<int64_t> CountAfter(const std::string& id) {
    const std::string start =
        id.empty() || id == "0-0" ? std::string("-") : "(" + id;
    absl::StatusOr<std::vector<StreamEntry>> entries =
        streams_.Range(options_.membership_stream, start, "+", 10000);
    if (!entries.ok()) return entries.status();
    return static_cast<int64_t>(entries->size());
  }

  absl::StatusOr<v1::Projection> Get(const std::string& name) {
    State* s = Find(name);
    if (s == nullptr) return NotFound(name);
    return Get(*s);
  }

  static absl::Status NotFound(const std::string& name) {
    return WithMetadata(absl::NotFoundError(absl::StrCat(
                            name,
                            " is not a projection of quotad (quotaProjections/"
                            "organizations, quotaProjections/admissions, "
                            "quotaProjections/pipeline)")),
                        "resource", name);
  }

  absl::StatusOr<std::vector<v1::Projection>> List() {
    std::vector<v1::Projection> out;
    for (auto& s : states_) {
      absl::StatusOr<v1::Projection> p = Get(*s);
      if (!p.ok()) return p.status();
      out.push_back(*std::move(p));
    }
    std::sort(out.begin(), out.end(),
              [](const v1::Projection& a, const v1::Projection& b) {
                return a.name() < b.name();
              });
    return out;
  }

  absl::StatusOr<google::protobuf::Timestamp> Through(Kind kind) {
    std::shared_ptr<const Generation> g = CurrentGen(Of(kind), false);
    absl::StatusOr<VersionedRecord> last = ReadRecord(redis_, g->LastKey());
    if (!last.ok()) return last.status();
    v1::Projection newest;
    if (last->exists() && !newest.ParseFromString(last->data)) {
      return absl::DataLossError(g->LastKey() + " is not valid");
    }
    return newest.last_event_time();
  }

  // ------------------------------------------------------------ rebuild

  absl::StatusOr<v1::Projection> Rebuild(
      const v1::RebuildProjectionRequest& request,
      const common::v1::ChangeStamp& stamp) {
    FieldChecker check;
    if (request.name().empty()) check.Add("name", "is required");
    if (request.mode() == v1::RebuildProjectionRequest::MODE_UNSPECIFIED) {
      check.Add("mode", "is required (MODE_FULL or MODE_REPLAY_FROM)");
    } else if (!v1::RebuildProjectionRequest::Mode_IsValid(request.mode())) {
      check.Add("mode", "is not a known mode");
    }
    if (request.mode() == v1::RebuildProjectionRequest::MODE_REPLAY_FROM) {
      if (request.from_entry_id().empty()) {
        check.Add("from_entry_id",
                  "is required for MODE_REPLAY_FROM (\"0\" = the start)");
      } else if (!ValidEntryId(request.from_entry_id())) {
        check.Add("from_entry_id",
                  "must be a stream entry id (\"1700000000000-0\" or \"0\")");
      }
    }
    if (!request.name().empty() && Find(request.name()) == nullptr) {
      if (!check.ok()) return check.status();
      return NotFound(request.name());
    }
    if (!check.ok()) return check.status();
    State& s = *Find(request.name());

    absl::StatusOr<VersionedRecord> record = ReadRecord(redis_, s.rebuild_key);
    if (!record.ok()) return record.status();
    if (!request.etag().empty() && request.etag() != EtagOf(record->version)) {
      return absl::AbortedError(
          absl::StrCat("the etag ", request.etag(), " of ", s.name,
                       " is stale (now ", EtagOf(record->version),
                       "): another rebuild started or finished meanwhile"));
    }
    std::vector<RuleViolation> unmet;
    bool running;
    {
      absl::MutexLock lock(&s.mu);
      running = s.rebuilding;
    }
    if (!running && record->exists()) {
      v1::RebuildStatus previous;
      previous.ParseFromString(record->data);
      if (!previous.has_finish_time()) {
        absl::StatusOr<RedisReply> alive =
            redis_.Command({"EXISTS", s.alive_key});
        if (!alive.ok()) return alive.status();
        running = alive->integer() == 1;
      }
    }
    if (running) {
      unmet.push_back(
          {"quota.projection.not_rebuilding", s.name,
           "Một lần dựng lại/đọc lại của phép chiếu này đang chạy; chờ nó "
           "xong (GetProjection) rồi thử lại."});
    }
    absl::StatusOr<StreamInfo> info = streams_.Info(options_.membership_stream);
    if (!info.ok()) return info.status();
    if (request.mode() == v1::RebuildProjectionRequest::MODE_FULL &&
        !Untrimmed(*info)) {
      unmet.push_back(
          {"quota.projection.stream_untrimmed", options_.membership_stream,
           absl::StrCat("Luồng sự kiện đã bị cắt bớt (còn ", info->length,
                        " trên ", info->entries_added,
                        " mục đã ghi): dựng lại từ đầu sẽ thiếu sự kiện.")});
    }
    if (!unmet.empty()) return RulesViolated(std::move(unmet));
    if (request.validate_only()) return Get(s);

    v1::RebuildStatus status;
    status.set_mode(request.mode());
    status.set_from_entry_id(request.mode() ==
                                     v1::RebuildProjectionRequest::MODE_FULL
                                 ? "0"
                                 : request.from_entry_id());
    status.set_until_entry_id(info->last_entry_id);
    *status.mutable_request_stamp() = stamp;
    // The record and the alive key in one step: the key must be absent (no
    // rebuild running anywhere), the record as read.
    AtomicWrite write;
    write.Expect(s.rebuild_key, record->version);
    write.Put(s.rebuild_key, status.SerializeAsString());
    write.RecordResponse(s.alive_key, options_.consumer, kAliveTtl);
    absl::StatusOr<WriteResult> committed = write.Commit(redis_);
    if (absl::IsAlreadyExists(committed.status())) {
      return RulesViolated({{"quota.projection.not_rebuilding", s.name,
                             "Một lần dựng lại/đọc lại của phép chiếu này "
                             "vừa bắt đầu ở nơi khác; chờ nó xong rồi thử "
                             "lại."}});
    }
    if (!committed.ok()) return committed.status();

    if (s.rebuild_thread.joinable()) s.rebuild_thread.join();
    {
      absl::MutexLock lock(&s.mu);
      s.rebuilding = true;
      s.rebuild_result = absl::OkStatus();
      if (request.mode() == v1::RebuildProjectionRequest::MODE_FULL) {
        s.paused = true;
      }
    }
    s.rebuild_thread = std::thread(
        [this, &s, status]() mutable { RunRebuild(s, std::move(status)); });
    // As started (the rebuild may already have finished: the caller polls
    // GetProjection).
    absl::StatusOr<v1::Projection> started = Get(s);
    if (!started.ok()) return started.status();
    started->set_state(v1::Projection::STATE_REBUILDING);
    *started->mutable_rebuild() = status;
    started->set_etag(EtagOf(record->version + 1));
    return started;
  }

  // Whether the stream still holds its first ever entry. Redis 7 reports
  // how many entries were ever added; older servers cannot tell, and the
  // check is then skipped (organisation events are never trimmed by
  // membership).
  static bool Untrimmed(const StreamInfo& info) {
    if (!info.exists || info.entries_added < 0) return true;
    return info.entries_added == info.length;
  }

  absl::Status WaitForRebuild(const std::string& name) {
    State* s = Find(name);
    if (s == nullptr) return NotFound(name);
    absl::MutexLock lock(&s->mu);
    s->mu.Await(absl::Condition(
        +[](State* state) { return !state->rebuilding; }, s));
    return s->rebuild_result;
  }

  void RunRebuild(State& s, v1::RebuildStatus status) {
    absl::Status result = DoRebuild(s, status);
    if (result.ok()) *status.mutable_finish_time() = NowTimestamp();
    // The record tells GetProjection how it went; a failed rebuild keeps no
    // finish time and lets the next one start (its alive key is gone).
    AtomicWrite write;
    write.Put(s.rebuild_key, status.SerializeAsString());
    write.Delete(s.alive_key);
    absl::StatusOr<WriteResult> written = write.Commit(redis_);
    if (result.ok() && !written.ok()) result = written.status();
    absl::MutexLock lock(&s.mu);
    s.rebuilding = false;
    s.paused = false;
    s.rebuild_result = result;
  }

  absl::Status DoRebuild(State& s, v1::RebuildStatus& status) {
    const bool full = status.mode() == v1::RebuildProjectionRequest::MODE_FULL;
    std::shared_ptr<const Generation> current;
    std::shared_ptr<const Generation> target;
    if (full) {
      // The live consumer is paused (Rebuild set it); wait for a poll in
      // flight to end.
      { absl::MutexLock poll(&s.poll_mu); }
      current = CurrentGen(s, true);
      absl::StatusOr<int64_t> number = AllocateGeneration(s, current->number);
      if (!number.ok()) return number.status();
      DeleteGenerations(s, {current->number, *number});
      target = MakeGeneration(s, *number, 0);
    } else {
      target = CurrentGen(s, true);
    }

    const std::string& until = status.until_entry_id();
    std::string cursor = "-";
    if (!full && status.from_entry_id() != "0" &&
        status.from_entry_id() != "0-0") {
      cursor = status.from_entry_id();
    }
    int64_t entries_read = 0;
    absl::Time refreshed = absl::Now();
    while (!until.empty()) {
      if (stopping_) return absl::CancelledError("quotad is stopping");
      absl::StatusOr<std::vector<StreamEntry>> batch = streams_.Range(
          options_.membership_stream, cursor, until, kReplayBatch);
      if (!batch.ok()) return batch.status();
      for (const StreamEntry& entry : *batch) {
        ++entries_read;
        events::v1::Event event;
        const std::string bytes = entry.Field("e");
        if (bytes.empty() || !event.ParseFromString(bytes)) continue;
        absl::Status applied;
        for (int attempt = 0; attempt < 5; ++attempt) {
          absl::StatusOr<Outcome> outcome =
              Apply(s, *target, !full, entry.id, event);
          applied = outcome.status();
          if (applied.ok() || !absl::IsAborted(applied)) break;
          if (!full) target = CurrentGen(s, true);  // swapped meanwhile
        }
        if (!applied.ok()) {
          return absl::Status(
              applied.code(),
              absl::StrCat("replaying entry ", entry.id, " (event ", event.id(),
                           "): ", applied.message()));
        }
        status.set_events_replayed(status.events_replayed() + 1);
      }
      if (batch->size() < static_cast<size_t>(kReplayBatch) ||
          batch->back().id == until) {
        break;
      }
      cursor = "(" + batch->back().id;
      if (absl::Now() - refreshed > absl::Seconds(2)) {
        refreshed = absl::Now();
        AtomicWrite progress;
        progress.Put(s.rebuild_key, status.SerializeAsString());
        if (absl::Status st = progress.Commit(redis_).status(); !st.ok()) {
          return st;
        }
        absl::StatusOr<RedisReply> alive = redis_.Command(
            {"SET", s.alive_key, options_.consumer, "PX",
             absl::StrCat(absl::ToInt64Milliseconds(kAliveTtl))});
        if (!alive.ok()) return alive.status();
      }
    }
    if (!full) return absl::OkStatus();

    // The swap: the pointer first, then the group's position (a crash
    // between the two re-delivers entries the new generation has marked:
    // duplicates, nothing lost).
    absl::MutexLock poll(&s.poll_mu);
    AtomicWrite swap;
    swap.Expect(s.pointer_key, current->pointer_version);
    swap.Put(s.pointer_key, absl::StrCat(target->number));
    absl::StatusOr<WriteResult> swapped = swap.Commit(redis_);
    if (!swapped.ok()) return swapped.status();
    if (absl::Status st =
            streams_.EnsureGroup(options_.membership_stream, s.group, "0");
        !st.ok()) {
      return st;
    }
    if (absl::Status st =
            streams_.SetGroupId(options_.membership_stream, s.group,
                                until.empty() ? "0" : until, entries_read);
        !st.ok()) {
      return st;
    }
    absl::MutexLock lock(&s.mu);
    s.gen = MakeGeneration(s, target->number, current->pointer_version + 1);
    s.gen_checked = absl::Now();
    s.failing = false;
    s.last_error.clear();
    return absl::OkStatus();
  }

  // A generation number never used before (a failed rebuild's leftovers
  // are never reused).
  absl::StatusOr<int64_t> AllocateGeneration(State& s, int64_t current) {
    absl::StatusOr<RedisReply> init =
        redis_.Command({"SET", s.last_gen_key, absl::StrCat(current), "NX"});
    if (!init.ok()) return init.status();
    absl::StatusOr<RedisReply> next = redis_.Command({"INCR", s.last_gen_key});
    if (!next.ok()) return next.status();
    int64_t number = next->integer();
    if (number <= current) {
      number = current + 1;
      absl::StatusOr<RedisReply> set =
          redis_.Command({"SET", s.last_gen_key, absl::StrCat(number)});
      if (!set.ok()) return set.status();
    }
    return number;
  }

  // Best effort: removes the keys of every generation but `keep` (older
  // generations swapped out by earlier rebuilds, leftovers of failed ones).
  void DeleteGenerations(State& s, std::vector<int64_t> keep) {
    const std::string base = options_.prefix + s.short_name + ":g";
    std::string cursor = "0";
    do {
      absl::StatusOr<RedisReply> reply = redis_.Command(
          {"SCAN", cursor, "MATCH", base + "*", "COUNT", "1000"});
      if (!reply.ok() || reply->elements().size() != 2) return;
      cursor = reply->elements()[0].str();
      RedisCommand unlink = {"UNLINK"};
      for (const RedisReply& key : reply->elements()[1].elements()) {
        absl::string_view rest = key.str();
        rest.remove_prefix(std::min(rest.size(), base.size()));
        const size_t colon = rest.find(':');
        int64_t number = 0;
        if (colon == absl::string_view::npos ||
            !absl::SimpleAtoi(rest.substr(0, colon), &number)) {
          continue;  // ":gen", ":gen:last"
        }
        if (std::find(keep.begin(), keep.end(), number) != keep.end()) continue;
        unlink.push_back(key.str());
      }
      if (unlink.size() > 1) {
        if (!redis_.Command(unlink).ok()) return;
      }
    } while (cursor != "0");
  }

  RedisClient& redis_;
  RedisClient& source_;  // membership's stream, its groups, parked entries
  const ProjectionsOptions options_;
  const domain::QuotaRuleSetRegistry& rules_;
  Streams streams_;
  std::vector<std::unique_ptr<State>> states_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> live_stopping_{false};
  absl::Mutex lifecycle_mu_;
  bool running_ ABSL_GUARDED_BY(lifecycle_mu_) = false;
};

Projections::Projections(RedisClient& redis, RedisClient& source,
                         ProjectionsOptions options,
                         const domain::QuotaRuleSetRegistry& rules)
    : impl_(std::make_unique<Impl>(redis, source, std::move(options), rules)) {}

Projections::~Projections() = default;

absl::StatusOr<std::shared_ptr<const OrgTree>> Projections::Tree() {
  return impl_->CurrentGen(impl_->Of(Kind::kOrganizations), false)
      ->tree->Snapshot();
}

std::shared_ptr<AdmissionLedger> Projections::admissions() {
  return impl_->CurrentGen(impl_->Of(Kind::kAdmissions), false)->ledger;
}

std::shared_ptr<CandidatePool> Projections::pool() {
  return impl_->CurrentGen(impl_->Of(Kind::kPipeline), false)->pool;
}

absl::StatusOr<int> Projections::DrainAll() { return impl_->DrainAll(); }
void Projections::Start() { impl_->Start(); }
void Projections::Stop() { impl_->Stop(); }

absl::StatusOr<v1::Projection> Projections::Get(const std::string& name) {
  return impl_->Get(name);
}

absl::StatusOr<std::vector<v1::Projection>> Projections::List() {
  return impl_->List();
}

absl::StatusOr<v1::Projection> Projections::Rebuild(
    const v1::RebuildProjectionRequest& request,
    const common::v1::ChangeStamp& stamp) {
  return impl_->Rebuild(request, stamp);
}

absl::Status Projections::WaitForRebuild(const std::string& name) {
  return impl_->WaitForRebuild(name);
}

absl::StatusOr<google::protobuf::Timestamp> Projections::AdmissionsThrough() {
  return impl_->Through(Kind::kAdmissions);
}

absl::StatusOr<google::protobuf::Timestamp> Projections::PipelineThrough() {
  return impl_->Through(Kind::kPipeline);
}

}  // namespace partydev::quota
