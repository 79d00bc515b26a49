#include "services/membership/cell_life_watch.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/change.h"
#include "common/dates.h"
#include "services/membership/cell_life_records.h"
#include "services/membership/journal.h"
#include "services/membership/organization_tree.h"
#include "services/membership/person_access.h"

namespace partydev::membership {
namespace {

constexpr int kPage = 200;

// Who the watch's changes are recorded as (the audit's actor).
CallContext WatchCall() {
  CallContext call;
  call.method = "partydev.membership.v1.CellLifeWatch.SweepOnce";
  call.principal.subject = "svc:membershipd/cell-life-watch";
  call.principal.roles = {std::string(roles::kSystem)};
  call.started = absl::Now();
  call.deadline = absl::InfiniteFuture();
  return call;
}

// True for the people the watch concerns: members on the rolls who take
// part in the cell's life (exempt members owe neither meetings nor the
// yearly comments).
bool Concerns(const v1::Person& p) {
  return IsMember(p) && IsMemberOnRolls(p) &&
         p.status() != v1::PERSON_STATUS_EXEMPT;
}

// One pass's work on the members at home in one organisation.
class MemberSweep {
 public:
  MemberSweep(MembershipContext& context, const common::v1::Date& today)
      : context_(context), today_(today), call_(WatchCall()) {}

  // Dues warnings and residential comment reminders of `p`, at home in a
  // cell that is (`residential_cell`) or is not the party organisation of
  // a residential area; adds what it wrote to `written`.
  absl::Status Visit(const v1::Person& p, bool residential_cell, int& written) {
    if (absl::Status s = DuesWarnings(p, written); !s.ok()) return s;
    return CommentReminder(p, residential_cell, written);
  }

 private:
  // The months of this year left unpaid, as StageEarlyWarnings counts
  // them, in one change per person (a payment recorded since closes what
  // no longer holds). January also closes the year before: its December
  // ends unpaid only then (Party Charter, art. 8: three months in a year).
  absl::Status DuesWarnings(const v1::Person& p, int& written) {
    const int first = today_.month() == 1 ? today_.year() - 1 : today_.year();
    for (int year = first; year <= today_.year(); ++year) {
      if (absl::Status s = DuesWarningsOf(p, year, written); !s.ok()) {
        return s;
      }
    }
    return absl::OkStatus();
  }

  absl::Status DuesWarningsOf(const v1::Person& p, int year, int& written) {
    absl::StatusOr<v1::DuesStatement> statement =
        ComputeDuesStatement(context_, p, year, today_);
    if (!statement.ok()) return statement.status();
    CountedMonths counted;
    counted.cause = v1::WARNING_CAUSE_DUES_UNPAID;
    counted.year = year;
    for (const auto& m : statement->months()) {
      if (m.state() == v1::DUES_MONTH_STATE_UNPAID) {
        counted.months.push_back(m.month().month());
      }
    }
    counted.evidence.push_back(
        statement->name().empty()
            ? absl::StrCat(p.name(), "/duesStatements/", year)
            : statement->name());
    Change change;
    PersonChangeRecorder recorder(context_, call_, "", "");
    if (absl::Status s =
            StageEarlyWarnings(context_, recorder, change, p, counted, today_);
        !s.ok()) {
      return s;
    }
    if (change.empty()) return absl::OkStatus();
    const int raised = static_cast<int>(change.journal.events.size());
    absl::Status committed =
        CommitChange(context_.redis(), context_.prefix(), change);
    // Another replica raised them first: nothing left to do.
    if (absl::IsAborted(committed)) return absl::OkStatus();
    if (!committed.ok()) return committed;
    written += raised;
    return absl::OkStatus();
  }

  // From 1 November, the start of the classification season, a member
  // registered where she lives whose residential comments of the year are
  // missing is announced once (Quy định 213-QĐ/TW: the comments are an
  // input to the yearly classification), guarded by a marker like the
  // deadline watch's; so is a member who has not registered at all, unless
  // her own cell is that of a residential area (she lives in it).
  absl::Status CommentReminder(const v1::Person& p, bool residential_cell,
                               int& written) {
    if (today_.month() < 11) return absl::OkStatus();
    absl::StatusOr<std::optional<v1::ResidentialRegistration>> active =
        ActiveRegistrationOf(context_, p.name());
    if (!active.ok()) return active.status();
    std::string missing;
    if (!active->has_value()) {
      if (residential_cell) return absl::OkStatus();
      missing = "chưa đăng ký giữ mối liên hệ với chi bộ nơi cư trú";
    } else {
      const std::string comment =
          absl::StrCat(p.name(), "/residentialComments/", today_.year());
      absl::StatusOr<Stored<v1::ResidentialComment>> stored =
          context_.records().Get<v1::ResidentialComment>(comment);
      if (stored.ok()) return absl::OkStatus();
      if (!absl::IsNotFound(stored.status())) return stored.status();
      missing = absl::StrCat("chưa có nhận xét của chi bộ nơi cư trú năm ",
                             today_.year());
    }

    const common::v1::Date due = MakeDate(today_.year(), 12, 31);
    events::v1::Event event =
        NewEvent(call_, "", today_, p.organization_path());
    events::v1::DeadlineApproaching* d = event.mutable_deadline_approaching();
    d->set_kind(common::v1::DEADLINE_KIND_RESIDENTIAL_COMMENT_DUE);
    d->set_subject(p.name());
    d->set_responsible_organization(p.organization());
    *d->mutable_due_on() = due;
    absl::StatusOr<int> left = context_.calendar().WorkingDaysBetween(
        CivilDayOf(today_), CivilDayOf(due));
    d->set_working_days_left(
        left.ok() ? *left
                  : static_cast<int>(CivilDayOf(due) - CivilDayOf(today_)));
    d->set_summary(absl::StrCat(p.full_name(), ": ", missing, ", cần trước ",
                                FormatDate(due)));
    SetType(event);
    const std::string marker = absl::StrCat(
        context_.prefix(), "rcd:", LastSegment(p.name()), ":", today_.year());
    AtomicWrite write;
    write.Expect(marker, 0);
    write.Put(marker, event.id());
    write.XAdd(EventsKey(context_.prefix()),
               {{"e", event.SerializeAsString()}});
    absl::StatusOr<WriteResult> result = write.Commit(context_.redis());
    if (absl::IsAborted(result.status())) return absl::OkStatus();
    if (!result.ok()) return result.status();
    ++written;
    return absl::OkStatus();
  }

  MembershipContext& context_;
  const common::v1::Date today_;
  const CallContext call_;
};

}  // namespace

CellLifeWatch::CellLifeWatch(std::shared_ptr<MembershipContext> context)
    : context_(std::move(context)) {}

CellLifeWatch::~CellLifeWatch() {
  stop_.Notify();
  if (thread_ != nullptr) thread_->join();
}

absl::StatusOr<int> CellLifeWatch::SweepOnce(const common::v1::Date& today) {
  MembershipContext& context = *context_;
  MemberSweep members(context, today);
  int written = 0;
  std::string roots_cursor;
  do {
    absl::StatusOr<OrganizationPage> roots =
        context.organizations().ListChildren("", roots_cursor, kPage);
    if (!roots.ok()) return roots.status();
    for (const StoredOrganization& root : roots->organizations) {
      absl::StatusOr<std::vector<std::string>> ids =
          context.organizations().SubtreeIds(root.organization);
      if (!ids.ok()) return ids.status();
      for (const std::string& id : *ids) {
        absl::StatusOr<int> flagged =
            FlagMeetingsNotHeld(context, id, today);  // the bare id
        if (!flagged.ok()) return flagged.status();
        written += *flagged;
        absl::StatusOr<StoredOrganization> org =
            context.organizations().Get(id);
        if (!org.ok()) return org.status();
        const auto& tags = org->organization.sector_tags();
        const bool residential_cell =
            std::find(tags.begin(), tags.end(),
                      common::v1::SECTOR_TAG_RESIDENTIAL_AREA) != tags.end();
        std::string cursor;
        do {
          absl::StatusOr<PersonIdPage> page =
              context.people().Page({id}, Roll::kHome, cursor, "", kPage);
          if (!page.ok()) return page.status();
          std::vector<std::string> names;
          for (const auto& pid : page->ids) names.push_back("people/" + pid);
          absl::StatusOr<std::vector<StoredPerson>> people =
              context.people().GetMany(names);
          if (!people.ok()) return people.status();
          for (const StoredPerson& p : *people) {
            if (!Concerns(p.message)) continue;
            if (absl::Status s =
                    members.Visit(p.message, residential_cell, written);
                !s.ok()) {
              return s;
            }
          }
          cursor = page->next_cursor;
        } while (!cursor.empty());
      }
    }
    roots_cursor = roots->next_cursor;
  } while (!roots_cursor.empty());
  return written;
}

absl::StatusOr<bool> CellLifeWatch::ClaimDay(const common::v1::Date& today) {
  const std::string marker =
      absl::StrCat(context_->prefix(), "clw:", today.year(), "-", today.month(),
                   "-", today.day());
  AtomicWrite write;
  write.Expect(marker, 0);
  write.Put(marker, "claimed");
  absl::StatusOr<WriteResult> result = write.Commit(context_->redis());
  if (absl::IsAborted(result.status())) return false;
  if (!result.ok()) return result.status();
  return true;
}

void CellLifeWatch::Start(absl::Duration period) {
  thread_ = std::make_unique<std::thread>([this, period] {
    do {
      // What the pass finds changes with the day (a month ending unpaid,
      // a month ending without its meeting, 1 November), so one pass a day
      // by one replica does it all; the hourly wake-up only catches the
      // day's start and a replica that failed.
      const common::v1::Date today = Today();
      absl::StatusOr<bool> mine = ClaimDay(today);
      if (!mine.ok() || !*mine) continue;
      absl::StatusOr<int> written = SweepOnce(today);
      if (!written.ok()) {
        context_->runtime().logger().Warn(
            "cell_life_sweep_failed",
            {{"error", std::string(written.status().message())}});
      } else if (*written > 0) {
        context_->runtime().logger().Info("cell_life_sweep",
                                          {{"written", *written}});
      }
    } while (!stop_.WaitForNotificationWithTimeout(period));
  });
}

}  // namespace partydev::membership
