// Attendance at cell meetings: recorded once by the cell's secretary (or a
// committee above), corrected with a reason kept on the record and
// audited, and counted per member: absence without reason from the
// regular meeting feeds the early warnings (directive 06-CT/TU; Charter
// art. 8: abandoning activity for 3 months in a year is a removal ground).

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/change.h"
#include "common/errors.h"
#include "common/filters.h"
#include "common/paging.h"
#include "services/membership/cell_life_records.h"
#include "services/membership/cell_life_service.h"
#include "services/membership/domain/meetings.h"
#include "services/membership/meeting_records.h"
#include "services/membership/organization_tree.h"

namespace partydev::membership {
namespace {

constexpr absl::string_view kService = "CellLifeService";
constexpr absl::string_view kAttendancesInfix = "/attendances/";

bool ValidStatus(int status) {
  return status >= v1::ATTENDANCE_STATUS_PRESENT &&
         status <= v1::ATTENDANCE_STATUS_ABSENT;
}

std::string AttendanceName(const std::string& meeting,
                           const std::string& person) {
  return absl::StrCat(meeting, kAttendancesInfix, LastSegment(person));
}

// The meeting an attendance name belongs to ("" when malformed).
std::string MeetingOfAttendance(const std::string& name) {
  const size_t at =
      name.find(kAttendancesInfix.data(), 0, kAttendancesInfix.size());
  return at == std::string::npos ? "" : name.substr(0, at);
}

domain::AttendanceFact FactOf(const v1::Attendance& a, const v1::Meeting& m) {
  domain::AttendanceFact f;
  f.kind = m.kind();
  f.period = m.period();
  f.status = a.status();
  f.expected = a.expected();
  return f;
}

absl::Status RuleRefused(absl::string_view rule, const std::string& subject,
                         std::string description) {
  return RulesViolated({{std::string(rule), subject, std::move(description)}});
}

// Stages the early warnings of `person` for absences in `year`: the
// records already stored, with `written` (being written in this change)
// in place of the stored ones of the same name. Members on the rolls
// only: officials and guests are not warned.
absl::Status StagePersonAbsenceWarnings(
    MembershipContext& context, PersonChangeRecorder& recorder, Change& change,
    const v1::Person& person, int year,
    const std::vector<PersonAttendance>& written) {
  if (!IsMemberOnRolls(person)) return absl::OkStatus();
  absl::StatusOr<std::vector<PersonAttendance>> stored =
      ReadAttendancesOf(context, person.name(), year);
  if (!stored.ok()) return stored.status();
  std::vector<domain::AttendanceFact> before;
  for (const auto& r : *stored)
    before.push_back(FactOf(r.attendance, r.meeting));
  std::map<std::string, PersonAttendance> merged;
  for (auto& r : *stored) merged[r.attendance.name()] = std::move(r);
  for (const auto& r : written) merged[r.attendance.name()] = r;
  std::vector<domain::AttendanceFact> facts;
  CountedMonths counted;
  counted.cause = v1::WARNING_CAUSE_ABSENCE;
  counted.year = year;
  for (const auto& [name, r] : merged) {
    facts.push_back(FactOf(r.attendance, r.meeting));
    if (r.meeting.kind() == v1::MEETING_KIND_REGULAR &&
        r.meeting.period().year() == year &&
        r.attendance.status() == v1::ATTENDANCE_STATUS_ABSENT) {
      counted.evidence.push_back(name);
    }
  }
  counted.months = domain::AbsenceMonths(facts, year);
  // Nothing counted before or now: no warning of absence this year to
  // raise or to close.
  if (counted.months.empty() && domain::AbsenceMonths(before, year).empty()) {
    return absl::OkStatus();
  }
  return StageEarlyWarnings(context, recorder, change, person, counted,
                            Today());
}

// The rule set the quorum of a held meeting is judged by: the one in force
// on the day it was held.
absl::StatusOr<const v1::RuleSet*> RulesOfHeld(MembershipContext& context,
                                               const v1::Meeting& meeting) {
  return context.rules()(meeting.outcome().held_on());
}

}  // namespace

// ---- Shared with meeting_rpcs.cc (meeting_records.h) --------------------

void CheckAttendanceEntries(
    FieldChecker& check,
    const google::protobuf::RepeatedPtrField<v1::AttendanceEntry>& entries,
    absl::string_view field) {
  std::set<std::string> seen;
  for (int i = 0; i < entries.size(); ++i) {
    const v1::AttendanceEntry& e = entries[i];
    const std::string at = absl::StrCat(field, "[", i, "]");
    CheckPersonName(check, e.person(), absl::StrCat(at, ".person"));
    if (!seen.insert(e.person()).second) {
      check.Add(absl::StrCat(at, ".person"),
                absl::StrCat(e.person(), " is given twice"));
    }
    if (!ValidStatus(e.status())) {
      check.Add(absl::StrCat(at, ".status"),
                "is required (PRESENT, EXCUSED or ABSENT)");
    }
  }
}

std::vector<v1::Attendance> StageAttendances(
    MembershipContext& context, const CallContext& call,
    const std::string& request_id, Change& change, v1::Meeting& meeting,
    const google::protobuf::RepeatedPtrField<v1::AttendanceEntry>& entries,
    const v1::RuleSet& rules) {
  RecordStore& records = context.records();
  const common::v1::ChangeStamp stamp = Stamp(call, request_id, "");
  std::map<std::string, v1::AttendanceStatus> statuses;
  std::vector<v1::Attendance> written;
  for (const v1::AttendanceEntry& e : entries) {
    const v1::Invitee* invitee = domain::FindInvitee(meeting, e.person());
    if (invitee == nullptr) continue;  // refused by CheckAttendances
    v1::Attendance a;
    a.set_name(AttendanceName(meeting.name(), e.person()));
    a.set_person(e.person());
    a.set_status(e.status());
    if (e.status() == v1::ATTENDANCE_STATUS_EXCUSED) {
      a.set_excuse_reason(e.excuse_reason());
    }
    a.set_role(invitee->role());
    a.set_expected(invitee->expected());
    *a.mutable_create_stamp() = stamp;
    *a.mutable_update_stamp() = stamp;
    records.StagePut(change.write, a.name(), 0, a);
    change.write.ZAdd(records.CollectionKey(meeting.name(), kAttendances), 0,
                      LastSegment(e.person()));
    change.write.ZAdd(records.CollectionKey(e.person(), kAttendances), 0,
                      a.name());
    a.set_etag(EtagOf(1));
    statuses[e.person()] = e.status();
    written.push_back(std::move(a));
  }
  *meeting.mutable_quorum() =
      domain::QuorumOf(meeting.invitees(), statuses, rules.meetings().quorum());
  domain::UpdateFlags(meeting, /*attendance_recorded=*/true);
  return written;
}

absl::Status StageAbsenceWarnings(MembershipContext& context,
                                  const CallContext& call,
                                  const std::string& request_id,
                                  const std::string& reason, Change& change,
                                  const v1::Meeting& meeting,
                                  const std::vector<v1::Attendance>& written) {
  // Officials and guests are not expected, hence never warned.
  std::vector<std::string> names;
  std::map<std::string, const v1::Attendance*> of_person;
  for (const v1::Attendance& a : written) {
    if (!a.expected()) continue;
    names.push_back(a.person());
    of_person[a.person()] = &a;
  }
  if (names.empty()) return absl::OkStatus();
  absl::StatusOr<std::vector<StoredPerson>> people =
      context.people().GetMany(names);
  if (!people.ok()) return people.status();
  PersonChangeRecorder recorder(context, call, request_id, reason);
  for (const StoredPerson& p : *people) {
    if (absl::Status s = StagePersonAbsenceWarnings(
            context, recorder, change, p.message, meeting.period().year(),
            {{*of_person[p.message.name()], meeting}});
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

// ---- Offered to the other parts (cell_life_records.h) -------------------

absl::StatusOr<std::vector<PersonAttendance>> ReadAttendancesOf(
    MembershipContext& context, const std::string& person_name, int year) {
  absl::StatusOr<std::vector<std::string>> names = context.records().All(
      context.records().CollectionKey(person_name, kAttendances));
  if (!names.ok()) return names.status();
  absl::StatusOr<std::vector<Stored<v1::Attendance>>> attendances =
      context.records().GetMany<v1::Attendance>(*names);
  if (!attendances.ok()) return attendances.status();
  std::set<std::string> meeting_names;
  for (const auto& a : *attendances) {
    meeting_names.insert(MeetingOfAttendance(a.message.name()));
  }
  absl::StatusOr<std::vector<Stored<v1::Meeting>>> meetings =
      context.records().GetMany<v1::Meeting>(
          {meeting_names.begin(), meeting_names.end()});
  if (!meetings.ok()) return meetings.status();
  std::map<std::string, v1::Meeting> by_name;
  for (auto& m : *meetings) by_name[m.message.name()] = std::move(m.message);
  std::vector<PersonAttendance> out;
  for (auto& a : *attendances) {
    auto it = by_name.find(MeetingOfAttendance(a.message.name()));
    if (it == by_name.end()) continue;
    if (year != 0 && it->second.period().year() != year) continue;
    out.push_back({std::move(a.message), it->second});
  }
  return out;
}

absl::StatusOr<v1::MemberAttendanceRate> AttendanceRateOf(
    MembershipContext& context, const v1::Person& person,
    const v1::ReportPeriod& period) {
  absl::StatusOr<std::vector<PersonAttendance>> records =
      ReadAttendancesOf(context, person.name(), period.year());
  if (!records.ok()) return records.status();
  std::vector<domain::AttendanceFact> facts;
  for (const auto& r : *records)
    facts.push_back(FactOf(r.attendance, r.meeting));
  v1::MemberAttendanceRate rate;
  rate.set_person(person.name());
  rate.set_full_name(person.full_name());
  rate.set_organization(person.host_organization().empty()
                            ? person.organization()
                            : person.host_organization());
  domain::TallyAttendance(facts, period.year(), period.month(), rate);
  return rate;
}

// ---- RPCs ----------------------------------------------------------------

absl::Status CellLifeServiceImpl::DoBatchCreateAttendances(
    const CallContext& call, const v1::BatchCreateAttendancesRequest& request,
    v1::BatchCreateAttendancesResponse& response) {
  FieldChecker check;
  SplitMeetingName(check, request.parent(), "parent", false);
  if (request.attendances().empty()) {
    check.Add("attendances", "is required: one entry per expected invitee");
  }
  CheckAttendanceEntries(check, request.attendances(), "attendances");
  if (!check.ok()) return check.status();
  absl::StatusOr<MeetingInOrganization> read = ReadMeetingForCellLife(
      *context_, call, request.parent(), "parent", /*for_recording=*/true);
  if (!read.ok()) return read.status();
  return IdempotentChange(
      context_->redis(), context_->prefix(), "BatchCreateAttendances",
      request.request_id(), request, response, [&](Change& change) {
        v1::Meeting meeting = read->meeting.message;
        if (meeting.has_quorum()) {
          return WithReason(
              absl::AlreadyExistsError(absl::StrCat(
                  "attendance.once: the attendance of ", meeting.name(),
                  " is already recorded (điểm danh chỉ ghi một lần); "
                  "correct a record with CorrectAttendance")),
              "RESOURCE_EXISTS");
        }
        if (meeting.state() != v1::MEETING_STATE_HELD) {
          return RuleRefused(
              "attendance.meeting_held", meeting.name(),
              absl::StrCat("Chỉ điểm danh buổi sinh hoạt đã diễn ra; ",
                           domain::MeetingTitle(meeting),
                           " chưa được ghi nhận đã họp"));
        }
        absl::StatusOr<const v1::RuleSet*> rules =
            RulesOfHeld(*context_, meeting);
        if (!rules.ok()) return rules.status();
        std::vector<RuleViolation> unmet =
            domain::CheckAttendances(meeting, request.attendances(), **rules);
        if (!unmet.empty()) return RulesViolated(std::move(unmet));
        Change scratch;
        Change& target = request.validate_only() ? scratch : change;
        const std::vector<v1::Attendance> written =
            StageAttendances(*context_, call, request.request_id(), target,
                             meeting, request.attendances(), **rules);
        for (const auto& a : written) *response.add_attendances() = a;
        *response.mutable_quorum() = meeting.quorum();
        StageMeeting(
            *context_, target, read->organization.organization,
            read->meeting.version, meeting, "BatchCreateAttendances",
            Stamp(call, request.request_id(), ""),
            absl::StrCat(
                "Điểm danh ", domain::MeetingTitle(meeting), ": có mặt ",
                meeting.quorum().present(), "/", meeting.quorum().called(),
                " đảng viên được triệu tập",
                meeting.quorum().reached() ? "" : " (không đủ số lượng)"),
            {});
        return StageAbsenceWarnings(*context_, call, request.request_id(), "",
                                    target, meeting, written);
      });
}

absl::Status CellLifeServiceImpl::DoListAttendances(
    const CallContext& call, const v1::ListAttendancesRequest& request,
    v1::ListAttendancesResponse& response) {
  FieldChecker check;
  auto [org_name, meeting_id] =
      SplitMeetingName(check, request.parent(), "parent", true);
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) check.Add("page_size", page_size.status().message());
  if (!check.ok()) return check.status();
  absl::StatusOr<Filter> filter =
      Filter::Parse(request.filter(), *v1::Attendance::descriptor(),
                    {"person", "status", "role", "expected"});
  if (!filter.ok()) return filter.status();
  absl::StatusOr<OffsetPage> page =
      OffsetPage::Of(request, *page_size, request.page_token());
  if (!page.ok()) return page.status();
  std::vector<std::string> meetings;
  if (meeting_id == "-") {
    absl::StatusOr<StoredOrganization> org = ReadOrganizationForCellLife(
        *context_, call, org_name, "parent", /*for_recording=*/false);
    if (!org.ok()) return org.status();
    absl::StatusOr<std::vector<Stored<v1::Meeting>>> all =
        ReadMeetingsOf(*context_, OrganizationId(org_name));
    if (!all.ok()) return all.status();
    for (const auto& m : *all) meetings.push_back(m.message.name());
  } else {
    absl::StatusOr<MeetingInOrganization> read = ReadMeetingForCellLife(
        *context_, call, request.parent(), "parent", /*for_recording=*/false);
    if (!read.ok()) return read.status();
    meetings.push_back(read->meeting.message.name());
  }
  std::vector<std::string> names;
  for (const auto& m : meetings) {
    absl::StatusOr<std::vector<std::string>> ids = context_->records().All(
        context_->records().CollectionKey(m, kAttendances));
    if (!ids.ok()) return ids.status();
    for (const auto& id : *ids) {
      names.push_back(absl::StrCat(m, kAttendancesInfix, id));
    }
  }
  std::sort(names.begin(), names.end());
  absl::StatusOr<std::vector<Stored<v1::Attendance>>> records =
      context_->records().GetMany<v1::Attendance>(names);
  if (!records.ok()) return records.status();
  std::vector<v1::Attendance> rows;
  for (auto& r : *records) {
    if (filter->Matches(r.message)) rows.push_back(std::move(r.message));
  }
  page->Fill(rows.size(), response,
             [&](int i) { *response.add_attendances() = std::move(rows[i]); });
  return absl::OkStatus();
}

absl::Status CellLifeServiceImpl::DoCorrectAttendance(
    const CallContext& call, const v1::CorrectAttendanceRequest& request,
    v1::Attendance& response) {
  FieldChecker check;
  const std::string meeting_name = MeetingOfAttendance(request.name());
  const std::string person_id =
      meeting_name.empty() ? ""
                           : request.name().substr(meeting_name.size() +
                                                   kAttendancesInfix.size());
  if (meeting_name.empty() || !IsValidResourceId(person_id)) {
    check.Add("name",
              "is required: \"organizations/{org}/meetings/{m}/attendances/"
              "{person id}\"");
  } else {
    SplitMeetingName(check, meeting_name, "name", false);
  }
  if (!ValidStatus(request.status())) {
    check.Add("status", "is required (PRESENT, EXCUSED or ABSENT)");
  }
  if (request.reason().empty()) {
    check.Add("reason", "is required: why the record is corrected");
  }
  if (!check.ok()) return check.status();
  absl::StatusOr<MeetingInOrganization> read = ReadMeetingForCellLife(
      *context_, call, meeting_name, "name", /*for_recording=*/true);
  if (!read.ok()) return read.status();
  absl::StatusOr<Stored<v1::Attendance>> stored =
      context_->records().Get<v1::Attendance>(request.name());
  if (!stored.ok()) return stored.status();
  if (absl::Status s =
          CheckEtag(request.etag(), stored->version, request.name());
      !s.ok()) {
    return s;
  }
  return IdempotentChange(
      context_->redis(), context_->prefix(), "CorrectAttendance",
      request.request_id(), request, response, [&](Change& change) {
        absl::StatusOr<const v1::RuleSet*> rules =
            RulesOfHeld(*context_, read->meeting.message);
        if (!rules.ok()) return rules.status();
        if (request.status() == v1::ATTENDANCE_STATUS_EXCUSED &&
            request.excuse_reason().empty()) {
          return RuleRefused("attendance.excuse_reason", "excuse_reason",
                             "Vắng có lý do: phải ghi rõ lý do vắng mặt");
        }
        PersonChangeRecorder recorder(*context_, call, request.request_id(),
                                      request.reason());
        v1::Attendance before = stored->message;
        v1::Attendance after = before;
        v1::AttendanceCorrection* c = after.add_corrections();
        c->set_previous_status(before.status());
        c->set_previous_excuse_reason(before.excuse_reason());
        c->set_reason(request.reason());
        *c->mutable_stamp() = recorder.stamp();
        after.set_status(request.status());
        after.set_excuse_reason(request.status() ==
                                        v1::ATTENDANCE_STATUS_EXCUSED
                                    ? request.excuse_reason()
                                    : "");
        *after.mutable_update_stamp() = recorder.stamp();
        after.clear_etag();
        // The quorum and flags of the meeting follow the corrected record.
        v1::Meeting meeting = read->meeting.message;
        absl::StatusOr<std::vector<std::string>> ids = context_->records().All(
            context_->records().CollectionKey(meeting.name(), kAttendances));
        if (!ids.ok()) return ids.status();
        std::vector<std::string> names;
        for (const auto& id : *ids) {
          names.push_back(absl::StrCat(meeting.name(), kAttendancesInfix, id));
        }
        absl::StatusOr<std::vector<Stored<v1::Attendance>>> all =
            context_->records().GetMany<v1::Attendance>(names);
        if (!all.ok()) return all.status();
        std::map<std::string, v1::AttendanceStatus> statuses;
        for (const auto& a : *all) {
          statuses[a.message.person()] = a.message.status();
        }
        statuses[after.person()] = after.status();
        *meeting.mutable_quorum() = domain::QuorumOf(
            meeting.invitees(), statuses, (*rules)->meetings().quorum());
        domain::UpdateFlags(meeting, /*attendance_recorded=*/true);

        // A dry run stages into a scratch change that is never written.
        Change scratch;
        Change& target = request.validate_only() ? scratch : change;
        context_->records().StagePut(target.write, after.name(),
                                     stored->version, after);
        after.set_etag(EtagOf(stored->version + 1));
        const std::string summary =
            absl::StrCat("Sửa điểm danh của ", after.person(), " tại ",
                         domain::MeetingTitle(meeting), ": ",
                         domain::AttendanceStatusTitle(before.status()), " → ",
                         domain::AttendanceStatusTitle(after.status()), " (",
                         request.reason(), ")");
        StageMeeting(*context_, target, read->organization.organization,
                     read->meeting.version, meeting, "CorrectAttendance",
                     recorder.stamp(), summary, {});
        // The audit entry is of the record corrected; the meeting's quorum
        // changed with it.
        v1::AuditEntry& entry = *target.journal.audit;
        entry.add_related(entry.target());
        entry.add_related(after.person());
        entry.set_target(after.name());
        entry.set_etag_before(EtagOf(stored->version));
        entry.set_etag_after(after.etag());
        response = after;
        return StageAbsenceWarnings(*context_, call, request.request_id(),
                                    request.reason(), target, meeting, {after});
      });
}

absl::Status CellLifeServiceImpl::DoListMemberAttendanceRates(
    const CallContext& call,
    const v1::ListMemberAttendanceRatesRequest& request,
    v1::ListMemberAttendanceRatesResponse& response) {
  FieldChecker check;
  CheckOrganizationRef(check, request.organization(), "organization");
  const v1::ReportPeriod& period = request.period();
  if (period.year() < 1900 || period.year() > 9999) {
    check.Add("period.year", "is required: a year 1900..9999");
  }
  if (period.month() < 0 || period.month() > 12) {
    check.Add("period.month", "is a month 1..12, or 0 for the whole year");
  }
  const bool by_name = request.order_by() == "folded_name";
  if (!request.order_by().empty() && request.order_by() != "rate" && !by_name) {
    check.Add("order_by", "is \"rate\" (default) or \"folded_name\"");
  }
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) check.Add("page_size", page_size.status().message());
  if (!check.ok()) return check.status();
  absl::StatusOr<OffsetPage> page =
      OffsetPage::Of(request, *page_size, request.page_token());
  if (!page.ok()) return page.status();
  absl::StatusOr<StoredOrganization> org =
      ReadOrganizationForCellLife(*context_, call, request.organization(),
                                  "organization", /*for_recording=*/false);
  if (!org.ok()) return org.status();
  absl::StatusOr<std::vector<std::string>> ids =
      context_->organizations().SubtreeIds(org->organization);
  if (!ids.ok()) return ids.status();
  // Members at home in the subtree and members hosted there, once each,
  // with their roll position (the folded-name order).
  std::map<std::string, std::string> position_of;
  for (Roll roll : {Roll::kHome, Roll::kHosted}) {
    absl::StatusOr<std::vector<RollEntry>> entries =
        ReadRoll(*context_, *ids, roll);
    if (!entries.ok()) return entries.status();
    for (const auto& e : *entries) position_of.emplace(e.person, e.position);
  }
  std::vector<std::string> names;
  for (const auto& [name, position] : position_of) names.push_back(name);
  absl::StatusOr<std::vector<StoredPerson>> people =
      context_->people().GetMany(names);
  if (!people.ok()) return people.status();
  struct Row {
    std::string position;
    v1::MemberAttendanceRate rate;
  };
  std::vector<Row> rows;
  for (const auto& p : *people) {
    // Exempt members are never expected (Charter art. 7).
    if (!IsMemberOnRolls(p.message) ||
        p.message.status() == v1::PERSON_STATUS_EXEMPT) {
      continue;
    }
    absl::StatusOr<v1::MemberAttendanceRate> rate =
        AttendanceRateOf(*context_, p.message, period);
    if (!rate.ok()) return rate.status();
    rows.push_back({position_of[p.message.name()], *std::move(rate)});
  }
  std::sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    if (by_name) return a.position < b.position;
    if (a.rate.rate_percent() != b.rate.rate_percent()) {
      return a.rate.rate_percent() < b.rate.rate_percent();
    }
    return a.position < b.position;
  });
  page->Fill(rows.size(), response,
             [&](int i) { *response.add_rates() = std::move(rows[i].rate); });
  return absl::OkStatus();
}

}  // namespace partydev::membership
