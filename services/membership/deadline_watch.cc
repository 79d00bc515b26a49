#include "services/membership/deadline_watch.h"

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/ids.h"
#include "common/vietnam_time.h"
#include "google/protobuf/util/time_util.h"
#include "partydev/events/v1/events.pb.h"
#include "services/membership/calendar_store.h"
#include "services/membership/journal.h"

namespace partydev::membership {
namespace {

int DayNumber(absl::CivilDay day) {
  return static_cast<int>(day.year()) * 10000 + day.month() * 100 + day.day();
}

std::string KindTitle(common::v1::DeadlineKind kind) {
  std::string name = common::v1::DeadlineKind_Name(kind);
  const std::string prefix = "DEADLINE_KIND_";
  if (name.rfind(prefix, 0) == 0) name = name.substr(prefix.size());
  return name;
}

}  // namespace

DeadlineWatch::DeadlineWatch(std::shared_ptr<MembershipContext> context,
                             DeadlineWatchOptions options)
    : context_(std::move(context)), options_(options) {}

DeadlineWatch::~DeadlineWatch() {
  if (thread_ != nullptr) {
    stop_.Notify();
    thread_->join();
  }
}

absl::StatusOr<int> DeadlineWatch::ScanOnce(absl::CivilDay today) {
  // A calendar updated on another replica takes effect here too.
  if (absl::Status s = RefreshCalendar(*context_); !s.ok()) return s;
  const domain::WorkingDayCalendar& calendar = context_->calendar();
  // Outside the calendar's years fall back to calendar days (a week).
  absl::StatusOr<absl::CivilDay> horizon =
      calendar.AddWorkingDays(today, options_.lead_working_days);
  const absl::CivilDay until = horizon.ok() ? *horizon : today + 7;
  absl::StatusOr<std::vector<PersonStore::DueDeadline>> due =
      context_->people().DeadlinesDueBy(DayNumber(until), options_.batch);
  if (!due.ok()) return due.status();
  int emitted = 0;
  for (const auto& d : *due) {
    const std::string name = absl::StrCat("people/", d.person_id);
    absl::StatusOr<StoredPerson> person = context_->people().Get(name);
    if (!person.ok()) continue;  // removed since: nothing to announce
    const v1::Deadline* deadline = nullptr;
    for (const auto& candidate : person->message.deadlines()) {
      if (static_cast<int>(candidate.kind()) == d.kind &&
          candidate.subject() == d.subject) {
        deadline = &candidate;
      }
    }
    if (deadline == nullptr) continue;
    const absl::CivilDay due_day = CivilDayOf(deadline->due_on());
    const bool overdue = due_day < today;
    absl::StatusOr<int> left = calendar.WorkingDaysBetween(today, due_day);
    const int working_days_left =
        left.ok() ? *left : static_cast<int>(due_day - today);
    const std::string marker = absl::StrCat(
        context_->prefix(), "dl:", d.person_id, ":", d.kind, ":", d.subject,
        ":", DayNumber(due_day), overdue ? ":overdue" : ":approaching");

    events::v1::Event event;
    event.set_id(NewUuid());
    *event.mutable_recorded_at() =
        google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
            absl::ToUnixNanos(absl::Now()));
    *event.mutable_act_date() = FromCivilDay(today);
    event.set_producer("membership");
    for (const auto& p : person->message.organization_path()) {
      event.add_organization_path(p);
    }
    event.set_actor("svc:membershipd/deadline-watch");
    events::v1::DeadlineApproaching* payload =
        event.mutable_deadline_approaching();
    payload->set_kind(deadline->kind());
    payload->set_subject(deadline->subject());
    payload->set_responsible_organization(
        deadline->responsible_organization().empty()
            ? person->message.organization()
            : deadline->responsible_organization());
    *payload->mutable_due_on() = deadline->due_on();
    payload->set_working_days_left(working_days_left);
    payload->set_summary(absl::StrCat(person->message.full_name(), ": ",
                                      KindTitle(deadline->kind()),
                                      overdue ? " đã quá hạn " : " đến hạn ",
                                      FormatDate(deadline->due_on())));
    SetType(event);

    AtomicWrite write;
    write.Expect(marker, 0);
    write.Put(marker, event.id());
    write.XAdd(EventsKey(context_->prefix()),
               {{"e", event.SerializeAsString()}});
    absl::StatusOr<WriteResult> result = write.Commit(context_->redis());
    if (absl::IsAborted(result.status())) continue;  // announced already
    if (!result.ok()) return result.status();
    ++emitted;
  }
  return emitted;
}

void DeadlineWatch::Start(absl::Duration period) {
  thread_ = std::make_unique<std::thread>([this, period] {
    do {
      const absl::CivilDay today = absl::ToCivilDay(
          absl::Now() + options_.clock_offset, VietnamTimeZone());
      absl::StatusOr<int> emitted = ScanOnce(today);
      if (!emitted.ok()) {
        context_->runtime().logger().Warn(
            "deadline_scan_failed",
            {{"error", std::string(emitted.status().message())}});
      } else if (*emitted > 0) {
        context_->runtime().logger().Info("deadlines_announced",
                                          {{"count", *emitted}});
      }
    } while (!stop_.WaitForNotificationWithTimeout(period));
  });
}

}  // namespace partydev::membership
