// The committees' report on meeting life (ReportMeetingLife, also
// AdministrationService.ExportCsv's EXPORT_KIND_MEETING_LIFE) and a
// member's own view (GetMyOverview): what the electronic member handbooks
// show, and what directive 06-CT/TU asks the committees above to see of
// every cell. Reads only; the figures are counted by
// domain/meeting_life.h.

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/authorization.h"
#include "common/change.h"
#include "common/dates.h"
#include "common/errors.h"
#include "common/paging.h"
#include "partydev/membership/v1/action_programmes.pb.h"
#include "partydev/membership/v1/classification.pb.h"
#include "services/membership/cell_life_records.h"
#include "services/membership/cell_life_service.h"
#include "services/membership/domain/meeting_life.h"
#include "services/membership/domain/meetings.h"
#include "services/membership/meeting_records.h"
#include "services/membership/organization_tree.h"
#include "services/membership/person_service.h"

namespace partydev::membership {
namespace {

using common::v1::Date;

// The first year a report may ask for: none before the system's first
// rule set era (as ClassificationService's records).
constexpr int kFirstYear = 2000;

constexpr absl::string_view kOverview = "/overview";
// ClassificationService's records of a person (classification_service.cc).
constexpr absl::string_view kClassifications = "classifications";
constexpr absl::string_view kActionProgrammes = "actionProgrammes";

void CheckPeriod(FieldChecker& check, const v1::ReportPeriod& period,
                 const Date& today, absl::string_view field) {
  if (period.year() < kFirstYear || period.year() > today.year()) {
    check.Add(
        absl::StrCat(field, ".year"),
        absl::StrCat("must be a year from ", kFirstYear, " to ", today.year()));
  }
  if (period.month() < 0 || period.month() > 12) {
    check.Add(absl::StrCat(field, ".month"),
              "must be 1..12, or 0 for the whole year");
  }
}

// The attendance records of the held meetings of `meetings` in `year`,
// meeting name → records.
absl::StatusOr<std::map<std::string, std::vector<v1::Attendance>>>
ReadHeldAttendances(MembershipContext& context,
                    const std::vector<v1::Meeting>& meetings, int year) {
  std::map<std::string, std::vector<v1::Attendance>> out;
  RecordStore& records = context.records();
  for (const v1::Meeting& m : meetings) {
    if (m.state() != v1::MEETING_STATE_HELD || m.period().year() != year) {
      continue;
    }
    absl::StatusOr<std::vector<std::string>> ids =
        records.All(records.CollectionKey(m.name(), kAttendances));
    if (!ids.ok()) return ids.status();
    std::vector<std::string> names;
    for (const std::string& id : *ids) {
      names.push_back(absl::StrCat(m.name(), "/", kAttendances, "/", id));
    }
    absl::StatusOr<std::vector<Stored<v1::Attendance>>> read =
        records.GetMany<v1::Attendance>(names);
    if (!read.ok()) return read.status();
    std::vector<v1::Attendance>& of = out[m.name()];
    for (auto& a : *read) of.push_back(std::move(a.message));
  }
  return out;
}

// The counts of one cell over `months`.
absl::StatusOr<domain::MeetingLifeTally> TallyCell(
    MembershipContext& context, const v1::Organization& cell,
    const domain::ReportMonths& months,
    const std::map<int, const v1::RuleSet*>& rules, const Date& today) {
  domain::MeetingLifeTally tally(months);
  for (const auto& [month, set] : rules) tally.SetRules(month, set->meetings());
  const std::string id = OrganizationId(cell.name());

  absl::StatusOr<std::vector<Stored<v1::Meeting>>> stored =
      ReadMeetingsOf(context, id);
  if (!stored.ok()) return stored.status();
  std::vector<v1::Meeting> meetings;
  for (auto& m : *stored) meetings.push_back(std::move(m.message));
  absl::StatusOr<std::map<std::string, std::vector<v1::Attendance>>>
      attendances = ReadHeldAttendances(context, meetings, months.year);
  if (!attendances.ok()) return attendances.status();
  tally.AddMeetings(meetings, *attendances);

  // The warnings of the cell's members now (a member who moved away takes
  // hers along).
  absl::StatusOr<std::vector<RollEntry>> roll =
      ReadRoll(context, {id}, Roll::kHome);
  if (!roll.ok()) return roll.status();
  std::vector<v1::EarlyWarning> warnings;
  for (const RollEntry& member : *roll) {
    absl::StatusOr<std::vector<Stored<v1::EarlyWarning>>> of =
        ReadWarningsOf(context, member.person, months.year);
    if (!of.ok()) return of.status();
    for (auto& w : *of) warnings.push_back(std::move(w.message));
  }
  tally.AddWarnings(warnings);

  for (int month : months.begun) {
    absl::StatusOr<v1::DuesCollection> dues =
        ComputeDuesCollection(context, id, months.year, month, today);
    if (!dues.ok()) return dues.status();
    tally.AddDues(*dues);
  }
  return tally;
}

// The rule set in force in each month of `months` (on its last day, or
// today for the current month), and their names in order of first use.
absl::Status RulesOfMonths(MembershipContext& context,
                           const domain::ReportMonths& months,
                           const Date& today,
                           std::map<int, const v1::RuleSet*>& by_month,
                           std::vector<std::string>& names) {
  for (int month : months.begun) {
    const Date on =
        months.ended.count(month) == 0
            ? today
            : FromCivilDay(absl::CivilDay(months.year, month + 1, 1) - 1);
    absl::StatusOr<const v1::RuleSet*> set = context.rules()(on);
    if (!set.ok()) return set.status();
    by_month[month] = *set;
    if (std::find(names.begin(), names.end(), (*set)->name()) == names.end()) {
      names.push_back((*set)->name());
    }
  }
  return absl::OkStatus();
}

bool IsOpen(const v1::EarlyWarning& w) {
  return w.state() == v1::WARNING_STATE_OPEN ||
         w.state() == v1::WARNING_STATE_FOLLOWED_UP;
}

// Whether `person` is among `meeting`'s invitees.
bool Invited(const v1::Meeting& meeting, const std::string& person) {
  return domain::FindInvitee(meeting, person) != nullptr;
}

}  // namespace

absl::Status BuildMeetingLifeReport(MembershipContext& context,
                                    const CallContext& call,
                                    const v1::ReportMeetingLifeRequest& request,
                                    v1::MeetingLifeReport& response) {
  const Date today = Today();
  FieldChecker check;
  CheckPeriod(check, request.period(), today, "period");
  if (request.page_size() < 0) check.Add("page_size", "must not be negative");
  if (!check.ok()) return check.status();
  absl::StatusOr<OffsetPage> page =
      OffsetPage::Of(request, request.page_size(), request.page_token());
  if (!page.ok()) return page.status();
  absl::StatusOr<StoredOrganization> root = ReadOrganizationForCellLife(
      context, call, request.organization(), "organization", false);
  if (!root.ok()) return root.status();

  const domain::ReportMonths months = domain::MonthsOf(request.period(), today);
  std::map<int, const v1::RuleSet*> rules;
  std::vector<std::string> rule_sets;
  if (absl::Status s = RulesOfMonths(context, months, today, rules, rule_sets);
      !s.ok()) {
    return s;
  }

  absl::StatusOr<std::vector<std::string>> ids =
      context.organizations().SubtreeIds(root->organization);
  if (!ids.ok()) return ids.status();
  absl::StatusOr<std::vector<StoredOrganization>> orgs =
      context.organizations().GetMany(*ids);
  if (!orgs.ok()) return orgs.status();

  // Every cell is counted in the total; only_problems filters the rows.
  domain::MeetingLifeTally total(months);
  std::vector<v1::MeetingLifeRow> rows;
  for (const StoredOrganization& org : *orgs) {
    const v1::Organization& cell = org.organization;
    if (cell.organization_class() != v1::ORGANIZATION_CLASS_PARTY_CELL) {
      continue;
    }
    absl::StatusOr<domain::MeetingLifeTally> tally =
        TallyCell(context, cell, months, rules, today);
    if (!tally.ok()) return tally.status();
    total.Merge(*tally);
    if (request.only_problems() && !tally->HasProblem()) continue;
    v1::MeetingLifeRow& row = rows.emplace_back();
    row.set_organization(cell.name());
    row.set_display_name(cell.display_name());
    tally->Fill(row);
  }

  response.set_organization(root->organization.name());
  *response.mutable_period() = request.period();
  v1::MeetingLifeRow* sum = response.mutable_total();
  sum->set_organization(root->organization.name());
  sum->set_display_name(root->organization.display_name());
  total.Fill(*sum);
  for (const std::string& name : rule_sets) response.add_rule_sets(name);
  page->Fill(rows.size(), response,
             [&](int i) { *response.add_cells() = std::move(rows[i]); });
  return absl::OkStatus();
}

absl::Status CellLifeServiceImpl::DoReportMeetingLife(
    const CallContext& call, const v1::ReportMeetingLifeRequest& request,
    v1::MeetingLifeReport& response) {
  return BuildMeetingLifeReport(*context_, call, request, response);
}

absl::Status CellLifeServiceImpl::DoGetMyOverview(
    const CallContext& call, const v1::GetMyOverviewRequest& request,
    v1::MemberOverview& response) {
  const Date today = Today();
  FieldChecker check;
  const std::string name = ResolveMe(call, request.name());
  absl::string_view person_name = name;
  if (!absl::StartsWith(person_name, "people/") ||
      !absl::ConsumeSuffix(&person_name, kOverview) ||
      person_name.find('/', 7) != absl::string_view::npos ||
      person_name.size() <= 7) {
    check.Add("name", absl::StrCat("\"", request.name(),
                                   "\" is not \"people/me/overview\" or "
                                   "\"people/{id}/overview\""));
  }
  if (request.year() != 0 &&
      (request.year() < kFirstYear || request.year() > today.year())) {
    check.Add("year", absl::StrCat("must be a year from ", kFirstYear, " to ",
                                   today.year(), ", or 0 for this year"));
  }
  if (!check.ok()) return check.status();
  const std::string person_id(person_name);
  // The member handbook shows the caller's own records, whatever her roles
  // (a secretary reads a member's records through the List methods).
  if (person_id != call.principal.subject) {
    return WithMetadata(WithReason(absl::PermissionDeniedError(absl::StrCat(
                                       "name: ", request.name(),
                                       " is not the caller's own overview; use "
                                       "people/me/overview")),
                                   "OUTSIDE_SUBTREE"),
                        "resource", name);
  }
  absl::StatusOr<StoredPerson> stored =
      ReadPersonForCellLife(*context_, call, person_id, "name");
  if (!stored.ok()) return stored.status();
  const v1::Person& person = stored->message;
  const int year = request.year() == 0 ? today.year() : request.year();

  response.set_name(absl::StrCat(person_id, kOverview));
  *response.mutable_as_of() = today;
  *response.mutable_person() = Visible(person, call.principal);

  // My cell, and the host of a temporary transfer: where I am invited.
  std::vector<std::string> cells;
  for (const std::string& org :
       {person.organization(), person.host_organization()}) {
    if (org.empty()) continue;
    absl::StatusOr<StoredOrganization> cell =
        context_->organizations().Get(OrganizationId(org));
    if (!cell.ok()) return cell.status();
    *(org == person.organization() ? response.mutable_cell()
                                   : response.mutable_host_cell()) =
        cell->organization;
    cells.push_back(OrganizationId(org));
  }

  // My next meetings, with their documents.
  const absl::Time now = absl::Now();
  std::vector<v1::Meeting> upcoming;
  for (const std::string& id : cells) {
    absl::StatusOr<std::vector<Stored<v1::Meeting>>> meetings =
        ReadMeetingsOf(*context_, id);
    if (!meetings.ok()) return meetings.status();
    for (auto& m : *meetings) {
      const v1::Meeting& meeting = m.message;
      if (meeting.state() != v1::MEETING_STATE_SCHEDULED ||
          absl::FromUnixSeconds(meeting.starts_at().seconds()) < now ||
          !Invited(meeting, person_id)) {
        continue;
      }
      upcoming.push_back(std::move(m.message));
    }
  }
  std::sort(upcoming.begin(), upcoming.end(),
            [](const v1::Meeting& a, const v1::Meeting& b) {
              return a.starts_at().seconds() < b.starts_at().seconds();
            });
  for (v1::Meeting& m : upcoming) *response.add_upcoming_meetings() = m;

  // My attendance and dues this year.
  v1::ReportPeriod period;
  period.set_year(year);
  absl::StatusOr<v1::MemberAttendanceRate> attendance =
      AttendanceRateOf(*context_, person, period);
  if (!attendance.ok()) return attendance.status();
  *response.mutable_attendance() = *std::move(attendance);
  absl::StatusOr<v1::DuesStatement> dues =
      ComputeDuesStatement(*context_, person, year, today);
  if (!dues.ok()) return dues.status();
  *response.mutable_dues() = *std::move(dues);

  // My action programme of the year, and my last decided classification
  // (ClassificationService's records).
  absl::StatusOr<Stored<v1::ActionProgramme>> programme =
      context_->records().Get<v1::ActionProgramme>(
          absl::StrCat(person_id, "/", kActionProgrammes, "/", year));
  if (programme.ok()) {
    *response.mutable_action_programme() = std::move(programme->message);
  } else if (!absl::IsNotFound(programme.status())) {
    return programme.status();
  }
  absl::StatusOr<std::vector<std::string>> years = context_->records().All(
      context_->records().CollectionKey(person_id, kClassifications));
  if (!years.ok()) return years.status();
  std::vector<std::string> classification_names;
  for (const std::string& y : *years) {
    classification_names.push_back(
        absl::StrCat(person_id, "/", kClassifications, "/", y));
  }
  absl::StatusOr<std::vector<Stored<v1::MemberClassification>>>
      classifications = context_->records().GetMany<v1::MemberClassification>(
          classification_names);
  if (!classifications.ok()) return classifications.status();
  for (auto& c : *classifications) {
    if (c.message.state() == v1::CLASSIFICATION_STATE_DECIDED &&
        c.message.year() >= response.last_classification().year()) {
      *response.mutable_last_classification() = std::move(c.message);
    }
  }

  // My open warnings, every year.
  absl::StatusOr<std::vector<Stored<v1::EarlyWarning>>> warnings =
      ReadWarningsOf(*context_, person_id, 0);
  if (!warnings.ok()) return warnings.status();
  for (auto& w : *warnings) {
    if (IsOpen(w.message)) *response.add_open_warnings() = std::move(w.message);
  }

  absl::StatusOr<std::optional<v1::ResidentialRegistration>> registration =
      ActiveRegistrationOf(*context_, person_id);
  if (!registration.ok()) return registration.status();
  if (registration->has_value()) {
    *response.mutable_residential_registration() = **registration;
  }

  if (!IsUnset(person.first_admitted_on())) {
    absl::StatusOr<v1::PartyAge> age = PartyAgeOf(*context_, person, today, {});
    if (!age.ok()) return age.status();
    *response.mutable_party_age() = *std::move(age);
  }

  // The recipient notifyd keeps for a person (notification's
  // recipient_store.h, PersonRecipientName): "recipients/person-{id}".
  absl::string_view id = person_id;
  absl::ConsumePrefix(&id, "people/");
  response.set_inbox_recipient(absl::StrCat("recipients/person-", id));
  return absl::OkStatus();
}

}  // namespace partydev::membership
