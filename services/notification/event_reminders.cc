#include "services/notification/event_reminders.h"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/atomic_write.h"
#include "common/dates.h"
#include "common/event_consumer.h"
#include "common/ids.h"
#include "common/record_store.h"
#include "nlohmann/json.hpp"
#include "partydev/notification/v1/directives.pb.h"
#include "partydev/notification/v1/inbox.pb.h"
#include "services/notification/directive_fan_out.h"
#include "services/notification/directive_issuing.h"
#include "services/notification/directive_store.h"
#include "services/notification/domain/reminder_schedule.h"
#include "services/notification/domain/vietnamese_dates.h"
#include "services/notification/inbox_store.h"
#include "services/notification/notification_access.h"
#include "services/notification/queue/job_queue.h"
#include "services/notification/recipient_store.h"
#include "services/notification/reminder_rule_store.h"
#include "services/notification/scheduled_reminder_store.h"
#include "services/notification/template_store.h"
#include "services/notification/templates/template_renderer.h"

namespace partydev::notification {
namespace {

using events::v1::Event;
using Kind = common::v1::DeadlineKind;

// Attempts of one event against concurrent writers (ABORTED) before the
// entry is left pending for the consumer's next poll.
constexpr int kAttempts = 4;
// Reminders sent per sweep at most (the rest wait for the next one).
constexpr int kSweepBatch = 1000;
// UrgingLetterSpec.issue_delay when unset (reminders.proto).
constexpr absl::Duration kDefaultIssueDelay = absl::Minutes(10);

// What an event is about: the resource its reminders are about, and the
// organisation concerned (subtree filters, audiences).
struct EventFacts {
  std::string subject;
  std::string organization;
};

EventFacts FactsOf(const Event& event) {
  EventFacts f;
  switch (event.payload_case()) {
    case Event::kPersonStageChanged:
      f = {event.person_stage_changed().person(),
           event.person_stage_changed().organization()};
      break;
    case Event::kMemberAdmitted:
      f = {event.member_admitted().person(),
           event.member_admitted().organization()};
      break;
    case Event::kProbationStarted:
      f = {event.probation_started().person(),
           event.probation_started().organization()};
      break;
    case Event::kMemberRecognised:
      f = {event.member_recognised().person(),
           event.member_recognised().organization()};
      break;
    case Event::kRemovedFromProbation:
      f = {event.removed_from_probation().person(),
           event.removed_from_probation().organization()};
      break;
    case Event::kMemberLeft:
      f = {event.member_left().person(), event.member_left().organization()};
      break;
    case Event::kMemberTransferred:
      f = {event.member_transferred().person(),
           event.member_transferred().from_organization()};
      break;
    case Event::kDeadlineApproaching:
      f = {event.deadline_approaching().subject(),
           event.deadline_approaching().responsible_organization()};
      break;
    case Event::kMemberWarningRaised:
      f = {event.member_warning_raised().person(),
           event.member_warning_raised().organization()};
      break;
    case Event::kMeetingAnnounced: {
      const std::string& meeting = event.meeting_announced().meeting();
      const size_t cut = meeting.find("/meetings/");
      f = {meeting,
           cut == std::string::npos ? std::string() : meeting.substr(0, cut)};
      break;
    }
    case Event::kPersonCategoriesChanged:
      f = {event.person_categories_changed().person(),
           event.person_categories_changed().organization()};
      break;
    case Event::kTrainingEnrollmentChanged:
      f = {event.training_enrollment_changed().person(),
           event.training_enrollment_changed().organization()};
      break;
    case Event::kOrganizationLagging:
      f = {event.organization_lagging().organization(),
           event.organization_lagging().organization()};
      break;
    case Event::kOrganizationDissolved:
      f = {event.organization_dissolved().organization(),
           event.organization_dissolved().organization()};
      break;
    default:
      break;
  }
  if (f.organization.empty() && !event.organization_path().empty()) {
    f.organization =
        event.organization_path(event.organization_path_size() - 1);
  }
  return f;
}

// The variant of an event a rule may be keyed on, after its payload type
// and a '#' ("partydev.events.v1.MeetingAnnounced#cancelled"): a meeting's
// change ("scheduled", "changed", "cancelled") and a warning's level
// ("level-1".."level-3"), which call for different notices to different
// audiences (directive 06-CT/TU). Empty for the other events.
std::string VariantOf(const Event& event) {
  switch (event.payload_case()) {
    case Event::kMeetingAnnounced:
      return event.meeting_announced().change();
    case Event::kMemberWarningRaised:
      return absl::StrCat("level-", event.member_warning_raised().level());
    default:
      return "";
  }
}

// Whether the event rule `rule` is triggered by `event`: its event_type is
// the payload type, or the type keyed on the event's variant. A cancelled
// meeting is announced only by a rule keyed on "cancelled" (a rule for
// every announcement would send an invitation to a cancelled meeting).
bool TriggeredBy(const v1::ReminderRule& rule, const Event& event) {
  if (rule.trigger_case() != v1::ReminderRule::kEventType) return false;
  const std::string variant = VariantOf(event);
  if (!variant.empty() &&
      rule.event_type() == absl::StrCat(event.type(), "#", variant)) {
    return true;
  }
  return rule.event_type() == event.type() &&
         !(event.has_meeting_announced() && variant == "cancelled");
}

bool IsTerminal(common::v1::Stage stage) {
  return stage == common::v1::STAGE_WITHDRAWN ||
         stage == common::v1::STAGE_REJECTED ||
         stage == common::v1::STAGE_REMOVED_FROM_PROBATION ||
         stage == common::v1::STAGE_LEFT;
}

// The stage from which a person deadline of `kind` no longer applies
// (domain.md, the admission pipeline): evaluations and the documents of the
// file run until the admission decision, the ceremony until probation
// starts, the probation deadlines until the member is official. UNSPECIFIED:
// not a stage deadline.
common::v1::Stage StageEnding(Kind kind) {
  switch (kind) {
    case common::v1::DEADLINE_KIND_EVALUATION_DUE:
    case common::v1::DEADLINE_KIND_ADMISSION_DECISION_DUE:
    case common::v1::DEADLINE_KIND_CERTIFICATE_EXPIRING:
    case common::v1::DEADLINE_KIND_DOCUMENT_EXPIRING:
    case common::v1::DEADLINE_KIND_RESIDENTIAL_COMMENT_DUE:
      return common::v1::STAGE_ADMISSION_DECIDED;
    case common::v1::DEADLINE_KIND_CEREMONY_DUE:
      return common::v1::STAGE_PROBATION;
    case common::v1::DEADLINE_KIND_RECOGNITION_VOTE_DUE:
    case common::v1::DEADLINE_KIND_RECOGNITION_DECISION_DUE:
    case common::v1::DEADLINE_KIND_PROBATION_ENDS:
      return common::v1::STAGE_OFFICIAL;
    default:
      return common::v1::STAGE_UNSPECIFIED;
  }
}

// Why `event` ends the cause of `reminder` by the built-in causes of its
// deadline kind, or nullopt. Only membership's events tell these (the
// reminder engine has no copy of the people's data).
std::optional<std::string> BuiltInCauseGone(
    const Event& event, const v1::ScheduledReminder& reminder) {
  const Kind kind = reminder.deadline_kind();
  const bool deadline = kind != common::v1::DEADLINE_KIND_UNSPECIFIED;
  switch (event.payload_case()) {
    case Event::kPersonStageChanged: {
      const auto& p = event.person_stage_changed();
      if (!deadline) return std::nullopt;
      const std::string why = absl::StrCat(
          "giai đoạn chuyển sang ", common::v1::Stage_Name(p.to_stage()),
          p.reason().empty() ? "" : absl::StrCat(": ", p.reason()));
      if (IsTerminal(p.to_stage())) return why;
      const common::v1::Stage ending = StageEnding(kind);
      if (ending != common::v1::STAGE_UNSPECIFIED && p.to_stage() >= ending &&
          p.to_stage() <= common::v1::STAGE_OFFICIAL) {
        return why;
      }
      return std::nullopt;
    }
    case Event::kMemberLeft:
    case Event::kRemovedFromProbation:
      if (deadline) return std::string("đảng viên không còn trong danh sách");
      return std::nullopt;
    case Event::kMemberAdmitted:
      if (kind == common::v1::DEADLINE_KIND_ADMISSION_DECISION_DUE ||
          kind == common::v1::DEADLINE_KIND_EVALUATION_DUE) {
        return std::string("đã có quyết định kết nạp");
      }
      return std::nullopt;
    case Event::kProbationStarted:
      if (kind == common::v1::DEADLINE_KIND_CEREMONY_DUE) {
        return std::string("đã tổ chức lễ kết nạp");
      }
      return std::nullopt;
    case Event::kMemberRecognised:
      if (StageEnding(kind) == common::v1::STAGE_OFFICIAL) {
        return std::string("đã công nhận đảng viên chính thức");
      }
      return std::nullopt;
    case Event::kMemberTransferred: {
      const std::string& phase = event.member_transferred().phase();
      if ((phase == "received" || phase == "completed") &&
          (kind == common::v1::DEADLINE_KIND_TRANSFER_LETTER_DUE ||
           kind == common::v1::DEADLINE_KIND_TRANSFER_START_DUE)) {
        return absl::StrCat("chuyển sinh hoạt đã ", phase);
      }
      if (phase == "returned" &&
          kind == common::v1::DEADLINE_KIND_TEMPORARY_TRANSFER_ENDS) {
        return std::string("đã trở về sinh hoạt");
      }
      return std::nullopt;
    }
    case Event::kMeetingAnnounced:
      if (event.meeting_announced().change() == "cancelled") {
        return std::string("cuộc họp đã hủy");
      }
      // The reminders before the meeting were planned from its old
      // schedule; the change plans them again from the new one.
      if (event.meeting_announced().change() == "changed" &&
          kind == common::v1::DEADLINE_KIND_MEETING_UPCOMING) {
        return std::string("lịch họp đã thay đổi");
      }
      return std::nullopt;
    case Event::kOrganizationDissolved:
      return std::string("tổ chức đã giải thể");
    default:
      return std::nullopt;
  }
}

common::v1::ChangeStamp SystemStamp(absl::Time now, absl::string_view reason) {
  common::v1::ChangeStamp stamp;
  stamp.set_actor("system");
  *stamp.mutable_time() = ToTimestamp(now);
  stamp.set_reason(std::string(reason));
  return stamp;
}

// 4166 basis points -> "41,7"; 4200 -> "42" (Vietnamese decimal comma, as
// the urging letter's sample prints "33,3").
std::string PercentText(int basis_points) {
  const int tenths = (std::max(basis_points, 0) + 5) / 10;
  if (tenths % 10 == 0) return absl::StrCat(tenths / 10);
  return absl::StrCat(tenths / 10, ",", tenths % 10);
}

std::string TermText(absl::string_view term) {
  absl::ConsumePrefix(&term, "terms/");
  return std::string(term);
}

std::string IdOf(absl::string_view organization) {
  absl::ConsumePrefix(&organization, "organizations/");
  return std::string(organization);
}

// A line of an urging letter naming a lagging organisation (StageUrging
// gives it the organisation's figures), as opposed to the copy lines of
// the rule's defaults.
bool IsLaggingLine(const v1::DirectiveRecipient& r) {
  return r.addressee() && r.values().count("target") > 0;
}

// A new urging letter from the rule's defaults (reminders.proto,
// UrgingLetterSpec.defaults): only the fields a committee sets once.
v1::Directive DraftFrom(const v1::Directive& defaults) {
  v1::Directive d;
  d.set_issuer_code(defaults.issuer_code());
  d.set_place(defaults.place());
  *d.mutable_issuing_body_lines() = defaults.issuing_body_lines();
  d.set_urgency(defaults.urgency());
  *d.mutable_signer() = defaults.signer();
  *d.mutable_recipients() = defaults.recipients();
  if (defaults.has_dissemination()) {
    *d.mutable_dissemination() = defaults.dissemination();
  }
  if (defaults.has_acknowledgement()) {
    *d.mutable_acknowledgement() = defaults.acknowledgement();
  }
  if (defaults.has_report()) *d.mutable_report() = defaults.report();
  if (defaults.has_escalation()) {
    *d.mutable_escalation() = defaults.escalation();
  }
  *d.mutable_attachments() = defaults.attachments();
  *d.mutable_implements() = defaults.implements();
  return d;
}

// A rendered template: its IN_APP subject and body, and category.
struct RenderedText {
  std::string subject;
  std::string body;
  v1::MessageCategory category = v1::MESSAGE_CATEGORY_UNSPECIFIED;
};

}  // namespace

class EventReminders::Impl {
 public:
  Impl(NotificationContext& context, RedisClient& membership,
       RedisClient& quota, EventRemindersOptions options)
      : context_(context),
        options_(std::move(options)),
        store_(context.records()),
        rules_(context.records(), context.rules().reminder_rules),
        templates_(context.records(), *context.rules().templates),
        inbox_(context),
        recipients_(context),
        directives_(context),
        fan_out_(context),
        issuing_(context, fan_out_),
        membership_consumer_(
            membership,
            ConsumerOptions(options_.membership_stream, kRemindersGroup,
                            "reminders:parked"),
            [this](const StreamEntry& entry, const Event& event) {
              return Apply(entry.id, event);
            }),
        quota_consumer_(quota,
                        ConsumerOptions(options_.quota_stream, kUrgingGroup,
                                        "urging:parked"),
                        [this](const StreamEntry& entry, const Event& event) {
                          return Apply(entry.id, event);
                        }) {}

  ~Impl() { Stop(); }

  absl::StatusOr<int> DrainAll() {
    absl::StatusOr<int> a = membership_consumer_.Drain();
    if (!a.ok()) return a.status();
    absl::StatusOr<int> b = quota_consumer_.Drain();
    if (!b.ok()) return b.status();
    return *a + *b;
  }

  absl::StatusOr<int> SweepDue();
  // Issues the urging letters whose issue_delay has passed (auto_issue);
  // returns how many.
  absl::StatusOr<int> IssueDueLetters();

  void Start() {
    membership_consumer_.Start();
    quota_consumer_.Start();
    std::lock_guard<std::mutex> lock(mu_);
    if (thread_.joinable()) return;
    stopping_ = false;
    thread_ = std::thread([this] {
      std::unique_lock<std::mutex> lock(mu_);
      while (!stopping_) {
        lock.unlock();
        absl::StatusOr<int> sent = SweepDue();
        if (!sent.ok()) {
          context_.runtime().logger().Warn(
              "event_reminders_sweep_failed",
              {{"error", sent.status().ToString()}});
        }
        lock.lock();
        wake_.wait_for(lock, absl::ToChronoMilliseconds(options_.sweep_period),
                       [this] { return stopping_; });
      }
    });
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    membership_consumer_.Stop();
    quota_consumer_.Stop();
  }

 private:
  EventConsumerOptions ConsumerOptions(const std::string& stream,
                                       const char* group,
                                       absl::string_view parked) const {
    EventConsumerOptions consumer;
    consumer.stream = stream;
    consumer.group = group;
    consumer.consumer = options_.consumer;
    consumer.block = absl::Milliseconds(500);
    consumer.parked_stream = absl::StrCat(context_.prefix(), parked);
    return consumer;
  }

  std::string MarkerKey(const Event& event, const std::string& entry_id) const {
    return absl::StrCat(context_.prefix(), "reminders:seen:",
                        event.id().empty() ? "entry-" + entry_id : event.id());
  }

  // Applies one event in one AtomicWrite with its marker (see the header).
  absl::Status Apply(const std::string& entry_id, const Event& event) {
    const std::string marker = MarkerKey(event, entry_id);
    absl::Status last;
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
      absl::StatusOr<RedisReply> seen =
          context_.redis().Command({"EXISTS", marker});
      if (!seen.ok()) return seen.status();
      if (seen->integer() == 1) return absl::OkStatus();
      AtomicWrite write;
      absl::StatusOr<bool> staged = Stage(event, write);
      if (!staged.ok()) return staged.status();
      // Events that change nothing leave no marker (most of membership's
      // stream): applying them again changes nothing either.
      if (!*staged) return absl::OkStatus();
      write.Expect(marker, 0);
      write.Put(marker, entry_id);
      absl::StatusOr<WriteResult> committed = write.Commit(context_.redis());
      if (committed.ok()) return absl::OkStatus();
      if (!absl::IsAborted(committed.status())) return committed.status();
      last = committed.status();
    }
    return last;
  }

  absl::StatusOr<bool> Stage(const Event& event, AtomicWrite& write) {
    absl::StatusOr<std::vector<v1::ReminderRule>> rules = rules_.All();
    if (!rules.ok()) return rules.status();
    absl::StatusOr<TreeOnDay> tree = CurrentTree(context_);
    if (!tree.ok()) return tree.status();
    bool staged = false;
    absl::StatusOr<bool> cancelled = StageCancellations(event, *rules, write);
    if (!cancelled.ok()) return cancelled.status();
    staged |= *cancelled;
    absl::StatusOr<bool> scheduled = false;
    if (event.payload_case() == Event::kDeadlineApproaching) {
      scheduled = StageDeadline(event, *rules, *tree, write);
    } else {
      scheduled = StageEventRule(event, *rules, *tree, write);
    }
    if (!scheduled.ok()) return scheduled.status();
    staged |= *scheduled;
    if (event.payload_case() == Event::kMeetingAnnounced) {
      absl::StatusOr<bool> upcoming =
          StageMeetingUpcoming(event, *rules, *tree, write);
      if (!upcoming.ok()) return upcoming.status();
      staged |= *upcoming;
    }
    if (event.payload_case() == Event::kOrganizationLagging) {
      absl::StatusOr<bool> urged = StageUrging(event, *rules, *tree, write);
      if (!urged.ok()) return urged.status();
      staged |= *urged;
    }
    return staged;
  }

  // The enabled rule matching `matches` with the deepest scope covering
  // `organization` (an unscoped rule covers everything); ties go to the
  // first by name. nullptr when none.
  template <typename Pred>
  const v1::ReminderRule* Winning(const std::vector<v1::ReminderRule>& rules,
                                  const TreeOnDay& tree,
                                  const std::string& organization,
                                  const Pred& matches) const {
    const v1::ReminderRule* best = nullptr;
    int best_depth = -1;
    for (const v1::ReminderRule& rule : rules) {
      if (!rule.enabled() || !matches(rule)) continue;
      int depth = 0;
      if (!rule.scope_organization().empty()) {
        if (!IsWithin(tree, rule.scope_organization(), organization)) continue;
        depth =
            static_cast<int>(PathOf(tree, rule.scope_organization()).size());
      }
      if (depth > best_depth) {
        best = &rule;
        best_depth = depth;
      }
    }
    return best;
  }

  // Stages the reminders of `rule` planned from `day` that are still ahead
  // (or the first one now, when every send is past) and not yet scheduled.
  absl::StatusOr<bool> StageSends(const Event& event,
                                  const v1::ReminderRule& rule,
                                  absl::CivilDay day,
                                  const std::string& cause_key,
                                  const EventFacts& facts, bool has_due,
                                  bool send_late_first, AtomicWrite& write) {
    domain::PlanOptions options;
    options.time_zone = domain::VietnamTimeZone();
    options.working_days = &context_.working_days();
    absl::StatusOr<std::vector<domain::PlannedSend>> sends =
        domain::PlanReminders(rule, day, options);
    if (!sends.ok()) return sends.status();
    const absl::Time now = context_.clock().Now();
    std::vector<domain::PlannedSend> chosen;
    for (const domain::PlannedSend& send : *sends) {
      if (send.fire_time > now) chosen.push_back(send);
    }
    if (chosen.empty() && !sends->empty() && send_late_first) {
      chosen.push_back(sends->front());
      chosen.back().fire_time = now;
    }
    std::vector<std::string> names;
    for (const domain::PlannedSend& send : chosen) {
      names.push_back(ScheduledReminderNameOf(ScheduledReminderId(
          cause_key, rule.name(), send.step_id, send.repeat_index)));
    }
    absl::StatusOr<std::vector<Stored<v1::ScheduledReminder>>> existing =
        store_.GetMany(names);
    if (!existing.ok()) return existing.status();
    std::set<std::string> taken;
    for (const auto& e : *existing) taken.insert(e.message.name());
    bool staged = false;
    for (size_t i = 0; i < chosen.size(); ++i) {
      if (taken.count(names[i]) > 0) continue;
      const domain::PlannedSend& send = chosen[i];
      v1::ScheduledReminder r;
      r.set_name(names[i]);
      r.set_reminder_rule(rule.name());
      r.set_step_id(send.step_id);
      r.set_repeat_index(send.repeat_index);
      if (rule.trigger_case() == v1::ReminderRule::kDeadlineKind) {
        r.set_deadline_kind(rule.deadline_kind());
      } else {
        r.set_event_type(event.type());
      }
      r.set_subject_resource(facts.subject);
      r.set_organization(facts.organization);
      if (has_due) *r.mutable_due_date() = FromCivilDay(day);
      *r.mutable_fire_time() = ToTimestamp(send.fire_time);
      r.set_escalation(send.escalation);
      r.set_state(v1::SCHEDULED_REMINDER_STATE_SCHEDULED);
      r.set_cause_event_id(event.id());
      *r.mutable_create_stamp() =
          SystemStamp(now, absl::StrCat("event ", event.id()));
      *r.mutable_update_stamp() = r.create_stamp();
      store_.StagePut(write, r, 0);
      staged = true;
    }
    if (staged) {
      absl::StatusOr<bool> exists = store_.CauseExists(event.id());
      if (!exists.ok()) return exists.status();
      store_.StageCause(write, event, *exists);
    }
    return staged;
  }

  absl::StatusOr<bool> StageDeadline(const Event& event,
                                     const std::vector<v1::ReminderRule>& rules,
                                     const TreeOnDay& tree,
                                     AtomicWrite& write) {
    const auto& d = event.deadline_approaching();
    const EventFacts facts = FactsOf(event);
    const v1::ReminderRule* rule = Winning(
        rules, tree, facts.organization, [&](const v1::ReminderRule& r) {
          return r.trigger_case() == v1::ReminderRule::kDeadlineKind &&
                 r.deadline_kind() == d.kind();
        });
    if (rule == nullptr) return false;
    absl::StatusOr<absl::CivilDay> due =
        ToCivilDay(d.due_on(), "deadline_approaching.due_on");
    if (!due.ok()) return due.status();
    // The deadline, not the event: membership emits one event per offset.
    const std::string cause_key =
        absl::StrCat(common::v1::DeadlineKind_Name(d.kind()), "|", d.subject(),
                     "|", FormatDay(*due));
    return StageSends(event, *rule, *due, cause_key, facts, true, true, write);
  }

  // A meeting scheduled or changed is the MEETING_UPCOMING deadline of its
  // new schedule, due on the meeting's day in Vietnam: the rule of that kind
  // plans the reminders before it. Keyed on the announcement, so a change
  // (which cancelled the reminders of the old schedule, see
  // BuiltInCauseGone) plans again even on the same day; when every send is
  // already past, nothing is added (the announcement itself just went out).
  absl::StatusOr<bool> StageMeetingUpcoming(
      const Event& event, const std::vector<v1::ReminderRule>& rules,
      const TreeOnDay& tree, AtomicWrite& write) {
    const events::v1::MeetingAnnounced& m = event.meeting_announced();
    if ((m.change() != "scheduled" && m.change() != "changed") ||
        !m.has_starts_at()) {
      return false;
    }
    const EventFacts facts = FactsOf(event);
    const v1::ReminderRule* rule =
        Winning(rules, tree, facts.organization, [](const v1::ReminderRule& r) {
          return r.trigger_case() == v1::ReminderRule::kDeadlineKind &&
                 r.deadline_kind() ==
                     common::v1::DEADLINE_KIND_MEETING_UPCOMING;
        });
    if (rule == nullptr) return false;
    const absl::CivilDay day = absl::ToCivilDay(FromTimestamp(m.starts_at()),
                                                domain::VietnamTimeZone());
    const std::string cause_key =
        absl::StrCat(common::v1::DeadlineKind_Name(
                         common::v1::DEADLINE_KIND_MEETING_UPCOMING),
                     "|", m.meeting(), "|", event.id());
    return StageSends(event, *rule, day, cause_key, facts, true, false, write);
  }

  absl::StatusOr<bool> StageEventRule(
      const Event& event, const std::vector<v1::ReminderRule>& rules,
      const TreeOnDay& tree, AtomicWrite& write) {
    const EventFacts facts = FactsOf(event);
    const v1::ReminderRule* rule = Winning(
        rules, tree, facts.organization,
        [&](const v1::ReminderRule& r) { return TriggeredBy(r, event); });
    if (rule == nullptr) return false;
    absl::CivilDay day = tree.day;
    if (!IsUnset(event.act_date()) && IsValidDate(event.act_date())) {
      day = CivilDayOf(event.act_date());
    }
    return StageSends(event, *rule, day, event.id(), facts, false, true, write);
  }

  // Cancels the subject's SCHEDULED reminders whose cause `event` ends.
  absl::StatusOr<bool> StageCancellations(
      const Event& event, const std::vector<v1::ReminderRule>& rules,
      AtomicWrite& write) {
    const EventFacts facts = FactsOf(event);
    if (facts.subject.empty() ||
        event.payload_case() == Event::kDeadlineApproaching) {
      return false;
    }
    absl::StatusOr<std::vector<Stored<v1::ScheduledReminder>>> about =
        store_.BySubject(facts.subject);
    if (!about.ok()) return about.status();
    std::map<std::string, const v1::ReminderRule*> by_name;
    for (const v1::ReminderRule& rule : rules) by_name[rule.name()] = &rule;
    const absl::Time now = context_.clock().Now();
    bool staged = false;
    for (Stored<v1::ScheduledReminder>& s : *about) {
      v1::ScheduledReminder& r = s.message;
      if (r.state() != v1::SCHEDULED_REMINDER_STATE_SCHEDULED) continue;
      std::optional<std::string> why;
      auto rule = by_name.find(r.reminder_rule());
      if (rule != by_name.end()) {
        const auto& types = rule->second->cancel_on_event_types();
        if (std::find(types.begin(), types.end(), event.type()) !=
            types.end()) {
          why = event.type();
        }
      }
      if (!why.has_value()) why = BuiltInCauseGone(event, r);
      if (!why.has_value()) continue;
      r.set_state(v1::SCHEDULED_REMINDER_STATE_CANCELLED);
      r.set_cancel_reason(absl::StrCat(*why, " (event ", event.id(), ")"));
      r.clear_etag();
      *r.mutable_update_stamp() = SystemStamp(now, r.cancel_reason());
      store_.StagePut(write, r, s.version);
      staged = true;
    }
    return staged;
  }

  // The display name of `organization` in notifyd's tree, else its name.
  std::string Label(const TreeOnDay& tree, const std::string& organization) {
    const events::v1::OrganizationSnapshot* org =
        tree.tree->Latest(organization);
    return org != nullptr && !org->display_name().empty() ? org->display_name()
                                                          : organization;
  }

  absl::StatusOr<RenderedText> Render(const std::string& template_name,
                                      const nlohmann::json& values,
                                      absl::string_view field) {
    absl::StatusOr<TemplateRef> ref =
        ParseTemplateName(template_name, field, false);
    if (!ref.ok()) return ref.status();
    absl::StatusOr<CurrentTemplate> tmpl = templates_.GetCurrent(ref->id);
    if (!tmpl.ok()) return tmpl.status();
    absl::StatusOr<std::vector<v1::RenderedVariant>> rendered =
        templates::RenderTemplate(tmpl->message, values,
                                  context_.rules().templates->partials,
                                  v1::CHANNEL_TYPE_IN_APP);
    if (!rendered.ok()) return rendered.status();
    if (rendered->empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat(template_name, " has no in-app variant"));
    }
    return RenderedText{rendered->front().subject(), rendered->front().body(),
                        tmpl->message.category()};
  }

  // The urging letter of a lagging event (see the header).
  absl::StatusOr<bool> StageUrging(const Event& event,
                                   const std::vector<v1::ReminderRule>& rules,
                                   const TreeOnDay& tree, AtomicWrite& write) {
    const events::v1::OrganizationLagging& l = event.organization_lagging();
    if (l.checkpoint().empty() || l.urging_organization().empty()) {
      return InvalidField("organization_lagging.checkpoint",
                          "a lagging event needs its checkpoint and urging "
                          "organisation");
    }
    const v1::ReminderRule* rule = Winning(
        rules, tree, l.urging_organization(), [&](const v1::ReminderRule& r) {
          return r.trigger_case() == v1::ReminderRule::kEventType &&
                 r.event_type() == event.type() && r.urging_letter().enabled();
        });
    if (rule == nullptr) return false;
    const v1::UrgingLetterSpec& spec = rule->urging_letter();
    const std::string name = absl::StrCat(
        "directives/urging-", Sha256Hex(l.checkpoint()).substr(0, 40));
    const absl::Time now = context_.clock().Now();
    v1::Directive letter;
    int64_t version = 0;
    absl::StatusOr<Stored<v1::Directive>> existing = directives_.Get(name);
    if (existing.ok()) {
      letter = std::move(existing->message);
      version = existing->version;
      letter.clear_etag();
      if (letter.state() != v1::DIRECTIVE_STATE_DRAFT) {
        // Issued (or withdrawn) by the office: its recipients are fixed.
        context_.runtime().logger().Warn(
            "urging_letter_not_draft",
            {{"directive", name}, {"organization", l.organization()}});
        return false;
      }
    } else if (absl::IsNotFound(existing.status())) {
      letter = DraftFrom(spec.defaults());
      letter.set_name(name);
      letter.set_issuing_organization(l.urging_organization());
      if (letter.issuing_body_lines().empty()) {
        letter.add_issuing_body_lines(Label(tree, l.urging_organization()));
      }
      letter.set_document_type(v1::DOCUMENT_TYPE_OFFICIAL_LETTER);
      // Without defaults, issuer_code and the signer are left for the
      // office: nothing in the event or the tree says them.
      letter.set_state(v1::DIRECTIVE_STATE_DRAFT);
      if (spec.auto_issue()) {
        // Issued by SweepDue once the other lagging organisations of the
        // checkpoint, sent with this one, are on it.
        const absl::Duration delay =
            spec.has_issue_delay() ? absl::Seconds(spec.issue_delay().seconds())
                                   : kDefaultIssueDelay;
        directives_.StageIssueAt(write, name, now + delay);
      }
      letter.mutable_origin()->set_event_id(event.id());
      letter.mutable_origin()->set_event_type(event.type());
      letter.mutable_origin()->set_reminder_rule(rule->name());
      *letter.mutable_create_stamp() =
          SystemStamp(now, absl::StrCat("event ", event.id()));
    } else {
      return existing.status();
    }
    std::string key = IdOf(l.organization());
    if (!IsValidResourceId(key)) {
      key = absl::StrCat("o-", Sha256Hex(l.organization()).substr(0, 16));
    }
    for (const v1::DirectiveRecipient& r : letter.recipients()) {
      if (r.key() == key) return false;  // this organisation's line exists
    }
    const std::string label = Label(tree, l.organization());
    const std::string as_of =
        IsUnset(l.as_of()) ? FormatDay(tree.day) : FormatDate(l.as_of());
    const std::string rate = PercentText(l.rate_bp());
    nlohmann::json extra = {{"recipient_label", label},
                            {"organization", label},
                            {"as_of", as_of},
                            {"admitted", absl::StrCat(l.admitted())},
                            {"target", absl::StrCat(l.target())},
                            {"term", TermText(l.term())},
                            {"admission_rate", rate},
                            {"remaining", absl::StrCat(l.remaining())}};
    absl::StatusOr<RenderedText> extra_text = Render(
        spec.extra_text_template(), extra, "urging_letter.extra_text_template");
    if (!extra_text.ok()) return extra_text.status();
    // The addressees come first ("Kính gửi"), before the copy lines of
    // the defaults ("Nơi nhận: - Như trên; - Ban Thường vụ Tỉnh ủy (báo
    // cáo); ... - Lưu VPĐUK").
    const int lagging_lines = static_cast<int>(std::count_if(
        letter.recipients().begin(), letter.recipients().end(), IsLaggingLine));
    letter.add_recipients();
    for (int i = letter.recipients_size() - 1; i > lagging_lines; --i) {
      letter.mutable_recipients()->SwapElements(i, i - 1);
    }
    v1::DirectiveRecipient* line = letter.mutable_recipients(lagging_lines);
    line->set_key(key);
    line->set_purpose(v1::RECIPIENT_PURPOSE_ACT);
    line->set_label(label);
    line->set_organization(l.organization());
    line->set_addressee(true);
    line->set_extra_text(extra_text->body);
    auto& values = *line->mutable_values();
    values["admitted"] = absl::StrCat(l.admitted());
    values["target"] = absl::StrCat(l.target());
    values["admission_rate"] = absl::StrCat(rate, "%");
    values["remaining"] = absl::StrCat(l.remaining());
    values["term"] = TermText(l.term());

    // The body lists every lagging organisation of the letter so far.
    nlohmann::json lagging = nlohmann::json::array();
    for (const v1::DirectiveRecipient& r : letter.recipients()) {
      if (!IsLaggingLine(r)) continue;
      absl::string_view r_rate = r.values().count("admission_rate")
                                     ? r.values().at("admission_rate")
                                     : absl::string_view();
      absl::ConsumeSuffix(&r_rate, "%");
      lagging.push_back(
          {{"organization", r.label()},
           {"admitted",
            r.values().count("admitted") ? r.values().at("admitted") : ""},
           {"target",
            r.values().count("target") ? r.values().at("target") : ""},
           {"admission_rate", std::string(r_rate)},
           {"remaining",
            r.values().count("remaining") ? r.values().at("remaining") : ""}});
    }
    const std::string issuer = Label(tree, l.urging_organization());
    nlohmann::json body = {
        {"term", TermText(l.term())},
        {"issuer_label", issuer},
        {"issuer_committee", absl::StrCat("Ban Thường vụ ", issuer)},
        {"as_of", as_of},
        {"lagging_count", absl::StrCat(lagging.size())},
        {"threshold_percent", PercentText(l.threshold_bp())},
        {"lagging", lagging},
        {"report_to", letter.report().report_to().empty()
                          ? issuer
                          : Label(tree, letter.report().report_to())},
        {"report_due", letter.report().has_first_due_date()
                           ? FormatDate(letter.report().first_due_date())
                           : ""}};
    absl::StatusOr<RenderedText> text =
        Render(spec.template_(), body, "urging_letter.template");
    if (!text.ok()) return text.status();
    letter.set_subject(text->subject);
    letter.set_body(text->body);
    *letter.mutable_update_stamp() =
        SystemStamp(now, absl::StrCat("event ", event.id()));
    directives_.StagePut(write, letter, version);
    return true;
  }

  // The recipients of `step` for `r` (see the header), in order, once each.
  absl::StatusOr<std::vector<std::string>> Audience(
      const v1::ReminderStep& step, const v1::ScheduledReminder& r,
      const Event& cause, const TreeOnDay& tree) {
    std::vector<std::string> out;
    auto add = [&out](const std::string& name) {
      if (!name.empty() &&
          std::find(out.begin(), out.end(), name) == out.end()) {
        out.push_back(name);
      }
    };
    const std::string& org = r.organization();
    const std::vector<std::string> path = PathOf(tree, org);
    const std::string parent = path.size() >= 2 ? path[path.size() - 2] : "";
    auto person = [&](const std::string& p) -> absl::Status {
      if (!absl::StartsWith(p, "people/")) return absl::OkStatus();
      absl::StatusOr<v1::Recipient> rec = recipients_.EnsurePerson(p, org, "");
      if (!rec.ok()) return rec.status();
      add(rec->name());
      return absl::OkStatus();
    };
    for (int a : step.audience()) {
      switch (static_cast<v1::Audience>(a)) {
        case v1::AUDIENCE_DELIVERY_RECIPIENT:
        case v1::AUDIENCE_CELL:
          add(OrganizationRecipientName(org));
          break;
        case v1::AUDIENCE_MENTOR:
          // No source of mentors yet (membership's events do not carry the
          // assignment): the cell's office, whose secretary assigned the
          // mentor, reads it instead.
          add(OrganizationRecipientName(org));
          break;
        case v1::AUDIENCE_SUBJECT_PERSON:
          if (absl::Status s = person(r.subject_resource()); !s.ok()) return s;
          break;
        case v1::AUDIENCE_GRASSROOTS_COMMITTEE: {
          // The committee concerned: for a cell, the first organisation
          // above it that is not a cell (its grassroots committee); for an
          // organisation that is itself a committee (a decision deadline
          // is the deciding committee's, e.g. the bloc's standing
          // committee for an admission), that committee itself.
          std::string target = parent;
          for (size_t i = path.size(); i-- > 0;) {
            const events::v1::OrganizationSnapshot* s =
                tree.tree->On(path[i], tree.day);
            if (s != nullptr && s->level() != "CELL") {
              target = path[i];
              break;
            }
          }
          add(OrganizationRecipientName(target));
          break;
        }
        case v1::AUDIENCE_SUPERIOR_COMMITTEE:
          // The committee that urges is the lagging organisation's
          // superior for quota's events (it took the checkpoint).
          if (cause.has_organization_lagging() &&
              !cause.organization_lagging().urging_organization().empty()) {
            add(OrganizationRecipientName(
                cause.organization_lagging().urging_organization()));
          } else {
            add(OrganizationRecipientName(parent));
          }
          break;
        case v1::AUDIENCE_ISSUER:
          if (cause.has_organization_lagging()) {
            add(OrganizationRecipientName(
                cause.organization_lagging().urging_organization()));
          }
          break;
        case v1::AUDIENCE_MEETING_INVITEES:
          for (const std::string& p : cause.meeting_announced().invitees()) {
            if (absl::Status s = person(p); !s.ok()) return s;
          }
          break;
        default:
          break;
      }
    }
    return out;
  }

  // The template context of `r`: the facts of its cause event.
  nlohmann::json ContextOf(const v1::ScheduledReminder& r, const Event& cause,
                           const TreeOnDay& tree) {
    const std::vector<std::string> path = PathOf(tree, r.organization());
    const std::string parent = path.size() >= 2 ? path[path.size() - 2] : "";
    absl::string_view subject_id = r.subject_resource();
    const size_t slash = subject_id.rfind('/');
    if (slash != absl::string_view::npos) subject_id.remove_prefix(slash + 1);
    const std::string org_label = Label(tree, r.organization());
    nlohmann::json v = {{"subject", r.subject_resource()},
                        {"link", r.subject_resource()},
                        {"organization_name", org_label},
                        {"cell_name", org_label},
                        {"recipient_label", org_label},
                        {"committee_name", Label(tree, parent)},
                        // No people projection yet: the person's id.
                        {"candidate_name", std::string(subject_id)},
                        {"member_name", std::string(subject_id)},
                        {"mentor_name", ""}};
    if (r.has_due_date() && IsValidDate(r.due_date())) {
      v["due_date"] = domain::VietnameseLongDate(CivilDayOf(r.due_date()));
      v["due_day"] = FormatDate(r.due_date());
    }
    if (cause.has_deadline_approaching()) {
      v["summary"] = cause.deadline_approaching().summary();
      v["working_days_left"] =
          absl::StrCat(cause.deadline_approaching().working_days_left());
    }
    if (cause.has_organization_lagging()) {
      const auto& l = cause.organization_lagging();
      v["admitted"] = absl::StrCat(l.admitted());
      v["target"] = absl::StrCat(l.target());
      v["term"] = TermText(l.term());
      v["admission_rate"] = PercentText(l.rate_bp());
      v["threshold_percent"] = PercentText(l.threshold_bp());
      v["remaining"] = absl::StrCat(l.remaining());
      v["committee_name"] = Label(tree, l.urging_organization());
    }
    if (cause.has_member_warning_raised()) {
      const auto& w = cause.member_warning_raised();
      v["level"] = absl::StrCat(w.level());
      v["ground"] = w.ground();
      v["year"] = absl::StrCat(w.year());
      v["months"] = absl::StrJoin(w.months(), ", ");
      v["ground_text"] = w.ground() == "dues"
                             ? "chưa đóng đảng phí"
                             : "vắng sinh hoạt chi bộ không có lý do";
    }
    if (cause.has_meeting_announced()) {
      const auto& m = cause.meeting_announced();
      v["meeting_time"] =
          absl::FormatTime("%H:%M %d/%m/%Y", FromTimestamp(m.starts_at()),
                           domain::VietnamTimeZone());
      v["meeting_place"] = m.place();
      v["title"] = m.title();
      v["agenda"] = m.title();
      v["change"] = m.change();
      // The documents to study before the meeting, by reference
      // ("directives/{d}": the recipient reads them in the directive
      // service).
      v["documents"] = m.documents().empty()
                           ? std::string("không có")
                           : absl::StrJoin(m.documents(), ", ");
    }
    return v;
  }

  // Fires one due reminder; returns the messages it created.
  absl::StatusOr<int> Fire(const std::string& name, const TreeOnDay& tree) {
    absl::StatusOr<Stored<v1::ScheduledReminder>> stored = store_.Get(name);
    if (!stored.ok()) return stored.status();
    v1::ScheduledReminder r = stored->message;
    if (r.state() != v1::SCHEDULED_REMINDER_STATE_SCHEDULED) return 0;
    r.clear_etag();
    const absl::Time now = context_.clock().Now();
    auto finish = [&](int sent) -> absl::StatusOr<int> {
      *r.mutable_update_stamp() = SystemStamp(now, "");
      AtomicWrite write;
      store_.StagePut(write, r, stored->version);
      absl::StatusOr<WriteResult> committed = write.Commit(context_.redis());
      if (!committed.ok()) return committed.status();
      return sent;
    };
    absl::StatusOr<std::string> rule_id =
        ParseReminderRuleName(r.reminder_rule(), "reminder_rule");
    if (!rule_id.ok()) return rule_id.status();
    absl::StatusOr<CurrentRule> rule = rules_.Get(*rule_id);
    if (!rule.ok() && !absl::IsNotFound(rule.status())) return rule.status();
    if (!rule.ok() || !rule->message.enabled()) {
      r.set_state(v1::SCHEDULED_REMINDER_STATE_CANCELLED);
      r.set_cancel_reason("quy tắc nhắc đã tắt (rule disabled)");
      return finish(0);
    }
    if (tree.tree->Known(r.organization()) &&
        tree.tree->On(r.organization(), tree.day) == nullptr &&
        tree.tree->ValidUntil(r.organization()) < tree.day) {
      r.set_state(v1::SCHEDULED_REMINDER_STATE_CANCELLED);
      r.set_cancel_reason("tổ chức đã giải thể (organisation dissolved)");
      return finish(0);
    }
    const v1::ReminderStep* step = nullptr;
    for (const v1::ReminderStep& s : rule->message.steps()) {
      if (s.step_id() == r.step_id()) step = &s;
    }
    if (step == nullptr) {
      r.set_state(v1::SCHEDULED_REMINDER_STATE_FAILED);
      r.set_error(absl::StrCat("step ", r.step_id(), " is no longer in ",
                               r.reminder_rule()));
      return finish(0);
    }
    Event cause;
    absl::StatusOr<Event> stored_cause = store_.GetCause(r.cause_event_id());
    if (stored_cause.ok()) {
      cause = *std::move(stored_cause);
    } else if (!absl::IsNotFound(stored_cause.status())) {
      return stored_cause.status();
    }
    absl::StatusOr<std::vector<std::string>> to =
        Audience(*step, r, cause, tree);
    if (!to.ok()) return to.status();
    if (to->empty()) {
      r.set_state(v1::SCHEDULED_REMINDER_STATE_FAILED);
      r.set_error("no recipient resolved for the step's audience");
      return finish(0);
    }
    absl::StatusOr<RenderedText> text =
        Render(step->template_(), ContextOf(r, cause, tree), "template");
    if (!text.ok()) {
      r.set_state(v1::SCHEDULED_REMINDER_STATE_FAILED);
      r.set_error(std::string(text.status().message()));
      return finish(0);
    }
    v1::Message message;
    message.set_category(r.escalation() ? v1::MESSAGE_CATEGORY_ESCALATION
                         : text->category != v1::MESSAGE_CATEGORY_UNSPECIFIED
                             ? text->category
                             : v1::MESSAGE_CATEGORY_PIPELINE_REMINDER);
    message.set_priority(step->priority() == v1::MESSAGE_PRIORITY_UNSPECIFIED
                             ? v1::MESSAGE_PRIORITY_NORMAL
                             : step->priority());
    message.set_subject(text->subject);
    message.set_body(text->body);
    message.set_template_(step->template_());
    message.set_subject_resource(r.subject_resource());
    message.set_scheduled_reminder(r.name());
    message.set_source_event_id(r.cause_event_id());
    *message.mutable_create_time() = ToTimestamp(now);
    int sent = 0;
    for (const std::string& recipient : *to) {
      // One key per reminder and recipient: exactly once each.
      const std::string key = absl::StrCat(r.name(), ":", recipient);
      message.set_idempotency_key(key);
      absl::StatusOr<InboxStore::Appended> appended =
          inbox_.Append(recipient, message, key);
      if (!appended.ok()) return appended.status();
      if (!appended->duplicate) ++sent;
      r.add_recipients(recipient);
      r.add_messages(appended->name);
    }
    r.set_state(v1::SCHEDULED_REMINDER_STATE_SENT);
    return finish(sent);
  }

  NotificationContext& context_;
  const EventRemindersOptions options_;
  ScheduledReminderStore store_;
  ReminderRuleStore rules_;
  TemplateStore templates_;
  InboxStore inbox_;
  RecipientStore recipients_;
  DirectiveStore directives_;
  DirectiveFanOut fan_out_;
  DirectiveIssuing issuing_;  // borrows fan_out_
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
  // Last: their threads use the members above.
  EventConsumer membership_consumer_;
  EventConsumer quota_consumer_;
};

absl::StatusOr<int> EventReminders::Impl::IssueDueLetters() {
  const absl::Time now = context_.clock().Now();
  absl::StatusOr<std::vector<std::string>> due =
      directives_.IssueDueBy(now, kSweepBatch);
  if (!due.ok()) return due.status();
  int issued = 0;
  for (const std::string& name : *due) {
    absl::StatusOr<Stored<v1::Directive>> stored = directives_.Get(name);
    AtomicWrite write;
    directives_.StageIssueDone(write, name);
    absl::Status outcome = absl::OkStatus();
    if (stored.ok() && stored->message.state() == v1::DIRECTIVE_STATE_DRAFT) {
      DirectiveIssuing::Options options;
      options.stamp = SystemStamp(now, "urging_letter.auto_issue");
      absl::StatusOr<DirectiveIssuing::Issue> issue =
          issuing_.Prepare(stored->message, options);
      if (issue.ok()) {
        issuing_.Stage(write, *issue, stored->version);
        ++issued;
      } else {
        // The draft stays for the office, with the reason in the log: a
        // rule's defaults were checked when it was saved, so this is a
        // recipient the tree no longer has or a number already taken.
        outcome = issue.status();
      }
    } else if (!stored.ok() && !absl::IsNotFound(stored.status())) {
      return stored.status();  // Redis: the next sweep tries again
    }
    // Issued, refused, deleted or already issued by the office: it leaves
    // the index in the same write (guarded by the draft's version, so a
    // concurrent sweep or office issue makes this write fail as a whole).
    if (absl::StatusOr<WriteResult> committed = write.Commit(context_.redis());
        !committed.ok()) {
      context_.runtime().logger().Warn(
          "urging_letter_issue_failed",
          {{"directive", name}, {"error", committed.status().ToString()}});
      continue;
    }
    if (!outcome.ok()) {
      context_.runtime().logger().Warn(
          "urging_letter_not_issued",
          {{"directive", name}, {"error", outcome.ToString()}});
    }
  }
  return issued;
}

absl::StatusOr<int> EventReminders::Impl::SweepDue() {
  if (absl::StatusOr<int> issued = IssueDueLetters(); !issued.ok()) {
    return issued.status();
  }
  absl::StatusOr<std::vector<std::string>> due =
      store_.DueBy(context_.clock().Now(), kSweepBatch);
  if (!due.ok()) return due.status();
  if (due->empty()) return 0;
  absl::StatusOr<TreeOnDay> tree = CurrentTree(context_);
  if (!tree.ok()) return tree.status();
  int sent = 0;
  for (const std::string& name : *due) {
    absl::StatusOr<int> n = Fire(name, *tree);
    if (!n.ok()) {
      // A concurrent cancel (ABORTED) or a failure: the next sweep decides
      // again; the messages already created are never created twice.
      context_.runtime().logger().Warn(
          "scheduled_reminder_failed",
          {{"reminder", name}, {"error", n.status().ToString()}});
      continue;
    }
    sent += *n;
  }
  return sent;
}

EventReminders::EventReminders(NotificationContext& context,
                               RedisClient& membership, RedisClient& quota,
                               EventRemindersOptions options)
    : impl_(std::make_unique<Impl>(context, membership, quota,
                                   std::move(options))) {}

EventReminders::~EventReminders() { Stop(); }

absl::StatusOr<int> EventReminders::DrainAll() { return impl_->DrainAll(); }
absl::StatusOr<int> EventReminders::SweepDue() { return impl_->SweepDue(); }
void EventReminders::Start() { impl_->Start(); }
void EventReminders::Stop() { impl_->Stop(); }

}  // namespace partydev::notification
