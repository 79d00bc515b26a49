// Cell meetings (sinh hoạt chi bộ): scheduling, changes and cancellation
// announced to every invitee (MeetingAnnounced, turned into invitations by
// the notification service), the outcome of a held meeting, and the flag
// of a meeting not held in its month (Chỉ thị 10-CT/TW; directive
// 06-CT/TU; Kết luận 52-KL/TU for the assigned superior officials).

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/authorization.h"
#include "common/change.h"
#include "common/dates.h"
#include "common/errors.h"
#include "common/filters.h"
#include "common/ids.h"
#include "common/paging.h"
#include "common/vietnam_time.h"
#include "services/membership/cell_life_records.h"
#include "services/membership/cell_life_service.h"
#include "services/membership/domain/meetings.h"
#include "services/membership/meeting_records.h"
#include "services/membership/organization_tree.h"

namespace partydev::membership {
namespace {

using common::v1::Date;

constexpr absl::string_view kService = "CellLifeService";
// The actor of the daily watch's writes.
constexpr absl::string_view kWatchActor = "svc:membershipd/cell-life-watch";

// The civil day in Vietnam (UTC+7) of a timestamp: the date a meeting
// starting then is judged by.
Date VietnamDateOf(const google::protobuf::Timestamp& t) {
  return FromCivilDay(
      absl::ToCivilDay(absl::FromUnixSeconds(t.seconds()), VietnamTimeZone()));
}

void CheckPeriod(FieldChecker& check, const v1::YearMonth& period,
                 absl::string_view field) {
  if (period.year() < 1900 || period.year() > 9999 || period.month() < 1 ||
      period.month() > 12) {
    check.Add(field, "is required: a year 1900..9999 and a month 1..12");
  }
}

// Checks the fields of a meeting a client writes (under `prefix`); with
// `mask`, only the fields named.
void CheckMeetingFields(FieldChecker& check, const v1::Meeting& m,
                        absl::string_view prefix,
                        const google::protobuf::FieldMask* mask) {
  const auto has = [&](absl::string_view path) {
    return mask == nullptr || InMask(*mask, path);
  };
  if (mask == nullptr && (m.kind() < v1::MEETING_KIND_REGULAR ||
                          m.kind() > v1::MEETING_KIND_EXTRAORDINARY)) {
    check.Add(absl::StrCat(prefix, ".kind"),
              "is required (REGULAR, THEMATIC or EXTRAORDINARY)");
  }
  if (has("period")) {
    CheckPeriod(check, m.period(), absl::StrCat(prefix, ".period"));
  }
  if (has("starts_at") && !m.has_starts_at()) {
    check.Add(absl::StrCat(prefix, ".starts_at"), "is required");
  }
  if (has("assigned_officials")) {
    for (int i = 0; i < m.assigned_officials_size(); ++i) {
      const v1::AssignedOfficial& o = m.assigned_officials(i);
      const std::string at =
          absl::StrCat(prefix, ".assigned_officials[", i, "]");
      CheckPersonName(check, o.person(), absl::StrCat(at, ".person"));
      CheckOrganizationRef(check, o.organization(),
                           absl::StrCat(at, ".organization"));
    }
  }
  if (has("guests")) {
    for (int i = 0; i < m.guests_size(); ++i) {
      CheckPersonName(check, m.guests(i),
                      absl::StrCat(prefix, ".guests[", i, "]"));
    }
  }
}

// The invitees of `meeting` of `org` as the rolls stand now.
absl::Status ComputeInvitees(MembershipContext& context,
                             const v1::Organization& org,
                             v1::Meeting& meeting) {
  const std::vector<std::string> ids = {OrganizationId(org.name())};
  std::vector<domain::RollMember> rolls[2];
  const Roll kinds[2] = {Roll::kHome, Roll::kHosted};
  for (int r = 0; r < 2; ++r) {
    absl::StatusOr<std::vector<RollEntry>> roll =
        ReadRoll(context, ids, kinds[r]);
    if (!roll.ok()) return roll.status();
    std::vector<std::string> names;
    for (const RollEntry& e : *roll) names.push_back(e.person);
    absl::StatusOr<std::vector<StoredPerson>> people =
        context.people().GetMany(names);
    if (!people.ok()) return people.status();
    for (const StoredPerson& p : *people) {
      domain::RollMember m;
      m.person = p.message.name();
      m.member_on_rolls = IsMemberOnRolls(p.message);
      m.exempt = p.message.status() == v1::PERSON_STATUS_EXEMPT;
      m.away = !p.message.host_organization().empty() &&
               p.message.host_organization() != org.name();
      rolls[r].push_back(std::move(m));
    }
  }
  meeting.clear_invitees();
  for (v1::Invitee& i :
       domain::Invitees(rolls[0], rolls[1], meeting.assigned_officials(),
                        meeting.guests())) {
    *meeting.add_invitees() = std::move(i);
  }
  return absl::OkStatus();
}

// The rules of scheduling `meeting` of `org` by the rule set `rules`.
absl::Status CheckScheduleRules(MembershipContext& context,
                                const v1::Organization& org,
                                const v1::Meeting& meeting,
                                const v1::RuleSet& rules) {
  domain::ScheduleFacts facts;
  facts.organization = org;
  std::vector<std::string> officials;
  for (const auto& o : meeting.assigned_officials()) {
    officials.push_back(o.person());
  }
  absl::StatusOr<std::vector<StoredPerson>> found =
      context.people().GetMany(officials);
  if (!found.ok()) return found.status();
  for (const auto& p : *found) facts.existing_people.insert(p.message.name());
  std::vector<RuleViolation> unmet =
      domain::CheckSchedule(meeting, facts, rules);
  if (!unmet.empty()) return RulesViolated(std::move(unmet));
  return absl::OkStatus();
}

// The event announcing `meeting` to its invitees ("scheduled", "changed",
// "cancelled").
events::v1::Event Announcement(const CallContext& call,
                               const std::string& request_id,
                               const v1::Organization& org,
                               const v1::Meeting& meeting,
                               absl::string_view change) {
  events::v1::Event event = NewEvent(call, request_id, Today(), org.path());
  events::v1::MeetingAnnounced* a = event.mutable_meeting_announced();
  a->set_meeting(meeting.name());
  a->set_change(std::string(change));
  *a->mutable_starts_at() = meeting.starts_at();
  a->set_place(meeting.place());
  a->set_title(domain::MeetingTitle(meeting));
  for (const auto& i : meeting.invitees()) a->add_invitees(i.person());
  for (const auto& d : meeting.documents()) {
    if (!d.directive().empty()) a->add_documents(d.directive());
  }
  return event;
}

// Refuses a change of a meeting that is not SCHEDULED.
absl::Status RequireScheduled(const v1::Meeting& meeting,
                              absl::string_view action) {
  if (meeting.state() == v1::MEETING_STATE_SCHEDULED) return absl::OkStatus();
  return RulesViolated(
      {{"meeting.scheduled", meeting.name(),
        absl::StrCat("Chỉ buổi sinh hoạt đang ở trạng thái đã lên lịch mới ",
                     action, "; buổi này ",
                     meeting.state() == v1::MEETING_STATE_HELD
                         ? "đã diễn ra"
                         : "đã bị hủy")}});
}

bool ValidOrder(const std::string& order_by, bool* descending) {
  *descending = order_by == "starts_at desc";
  return order_by.empty() || order_by == "starts_at" ||
         order_by == "starts_at asc" || *descending;
}

}  // namespace

// ---- Shared with attendance_rpcs.cc (meeting_records.h) -----------------

std::pair<std::string, std::string> SplitMeetingName(FieldChecker& check,
                                                     const std::string& name,
                                                     absl::string_view field,
                                                     bool allow_wildcard) {
  const std::vector<std::string> parts = absl::StrSplit(name, '/');
  if (name.empty()) {
    check.Add(field, "is required (\"organizations/{org}/meetings/{id}\")");
    return {"", ""};
  }
  if (parts.size() != 4 || parts[0] != "organizations" ||
      !IsValidResourceId(parts[1]) || parts[2] != kMeetings ||
      !(IsValidResourceId(parts[3]) || (allow_wildcard && parts[3] == "-"))) {
    check.Add(field, absl::StrCat("\"", name,
                                  "\" is not a name of the form "
                                  "\"organizations/{org}/meetings/{id}\""));
    return {"", ""};
  }
  return {absl::StrCat(parts[0], "/", parts[1]), parts[3]};
}

absl::StatusOr<MeetingInOrganization> ReadMeetingForCellLife(
    MembershipContext& context, const CallContext& call,
    const std::string& name, absl::string_view field, bool for_recording) {
  FieldChecker check;
  auto [org_name, id] = SplitMeetingName(check, name, field, false);
  if (!check.ok()) return check.status();
  MeetingInOrganization out;
  absl::StatusOr<StoredOrganization> org = ReadOrganizationForCellLife(
      context, call, org_name, field, for_recording);
  if (!org.ok()) return org.status();
  out.organization = *std::move(org);
  absl::StatusOr<Stored<v1::Meeting>> meeting =
      context.records().Get<v1::Meeting>(name);
  if (!meeting.ok()) return meeting.status();
  out.meeting = *std::move(meeting);
  ApplyEtag(out.meeting.message, out.meeting.version);
  return out;
}

absl::StatusOr<std::vector<RollEntry>> ReadRoll(
    MembershipContext& context, const std::vector<std::string>& org_ids,
    Roll roll) {
  std::vector<RollEntry> out;
  std::string cursor;
  do {
    absl::StatusOr<PersonIdPage> page =
        context.people().Page(org_ids, roll, cursor, "", kMaxPageSize);
    if (!page.ok()) return page.status();
    for (size_t i = 0; i < page->ids.size(); ++i) {
      out.push_back(
          {page->positions[i], absl::StrCat("people/", page->ids[i])});
    }
    cursor = page->next_cursor;
  } while (!cursor.empty());
  return out;
}

void StageMeeting(MembershipContext& context, Change& change,
                  const v1::Organization& organization, int64_t version,
                  v1::Meeting& meeting, absl::string_view method,
                  const common::v1::ChangeStamp& stamp, std::string summary,
                  std::vector<events::v1::Event> events) {
  RecordStore& records = context.records();
  if (version == 0) *meeting.mutable_create_stamp() = stamp;
  *meeting.mutable_update_stamp() = stamp;
  meeting.clear_etag();
  records.StagePut(change.write, meeting.name(), version, meeting);
  if (version == 0) {
    change.write.ZAdd(records.CollectionKey(organization.name(), kMeetings), 0,
                      meeting.name().substr(meeting.name().rfind('/') + 1));
  }
  meeting.set_etag(EtagOf(version + 1));
  std::string first_event;
  for (auto& event : events) {
    SetType(event);
    if (first_event.empty()) first_event = event.id();
    change.journal.events.push_back(std::move(event));
  }
  v1::AuditEntry entry = NewAuditEntry(
      stamp, MethodName(kService, method), meeting.name(), organization.path(),
      std::move(summary), version > 0 ? EtagOf(version) : "", first_event);
  entry.set_etag_after(meeting.etag());
  change.journal.audit = std::move(entry);
  change.journal.audit_organization_id = OrganizationId(organization.name());
}

// ---- Offered to the other parts (cell_life_records.h) -------------------

absl::StatusOr<std::vector<Stored<v1::Meeting>>> ReadMeetingsOf(
    MembershipContext& context, const std::string& org_id) {
  const std::string org_name = absl::StrCat("organizations/", org_id);
  absl::StatusOr<std::vector<std::string>> ids = context.records().All(
      context.records().CollectionKey(org_name, kMeetings));
  if (!ids.ok()) return ids.status();
  std::vector<std::string> names;
  names.reserve(ids->size());
  for (const auto& id : *ids) {
    names.push_back(absl::StrCat(org_name, "/", kMeetings, "/", id));
  }
  return context.records().GetMany<v1::Meeting>(names);
}

absl::StatusOr<int> FlagMeetingsNotHeld(MembershipContext& context,
                                        const std::string& org_id,
                                        const common::v1::Date& today) {
  absl::StatusOr<std::vector<Stored<v1::Meeting>>> meetings =
      ReadMeetingsOf(context, org_id);
  if (!meetings.ok()) return meetings.status();
  std::vector<Stored<v1::Meeting>*> due;
  for (auto& m : *meetings) {
    const v1::Meeting& meeting = m.message;
    const auto& flags = meeting.flags();
    if (meeting.state() == v1::MEETING_STATE_SCHEDULED &&
        domain::MonthEndedBefore(meeting.period(), today) &&
        std::find(flags.begin(), flags.end(),
                  v1::MEETING_FLAG_NOT_HELD_IN_MONTH) == flags.end()) {
      due.push_back(&m);
    }
  }
  if (due.empty()) return 0;
  absl::StatusOr<StoredOrganization> org = context.organizations().Get(org_id);
  if (!org.ok()) return org.status();
  common::v1::ChangeStamp stamp;
  stamp.set_actor(std::string(kWatchActor));
  *stamp.mutable_time() = NowTimestamp();
  stamp.set_reason("Buổi sinh hoạt không được tổ chức trong tháng");
  int flagged = 0;
  for (Stored<v1::Meeting>* m : due) {
    // One change per meeting, guarded by the version read: a concurrent
    // replica (or a meeting recorded held meanwhile) aborts it, and the
    // next pass judges the meeting again.
    Change change;
    v1::Meeting after = m->message;
    after.add_flags(v1::MEETING_FLAG_NOT_HELD_IN_MONTH);
    StageMeeting(context, change, org->organization, m->version, after,
                 "FlagMeetingsNotHeld", stamp,
                 absl::StrCat(domain::MeetingTitle(after),
                              ": không được tổ chức trong tháng"),
                 {});
    absl::Status s = CommitChange(context.redis(), context.prefix(), change);
    if (absl::IsAborted(s)) continue;
    if (!s.ok()) return s;
    ++flagged;
  }
  return flagged;
}

// ---- RPCs ----------------------------------------------------------------

absl::Status CellLifeServiceImpl::DoCreateMeeting(
    const CallContext& call, const v1::CreateMeetingRequest& request,
    v1::Meeting& response) {
  FieldChecker check;
  CheckOrganizationRef(check, request.parent(), "parent");
  if (!request.has_meeting()) check.Add("meeting", "is required");
  CheckMeetingFields(check, request.meeting(), "meeting", nullptr);
  if (!request.meeting_id().empty() &&
      !IsValidResourceId(request.meeting_id())) {
    check.Add("meeting_id", "is not a valid id (AIP-122)");
  }
  if (!check.ok()) return check.status();
  absl::StatusOr<StoredOrganization> org = ReadOrganizationForCellLife(
      *context_, call, request.parent(), "parent", /*for_recording=*/true);
  if (!org.ok()) return org.status();
  absl::StatusOr<const v1::RuleSet*> rules =
      context_->rules()(VietnamDateOf(request.meeting().starts_at()));
  if (!rules.ok()) return rules.status();
  return IdempotentChange(
      context_->redis(), context_->prefix(), "CreateMeeting",
      request.request_id(), request, response, [&](Change& change) {
        v1::Meeting meeting = request.meeting();
        const std::string id =
            request.meeting_id().empty() ? NewUuid() : request.meeting_id();
        meeting.set_name(
            absl::StrCat(request.parent(), "/", kMeetings, "/", id));
        // Output-only fields are the server's.
        meeting.set_state(v1::MEETING_STATE_SCHEDULED);
        meeting.clear_cancel_reason();
        meeting.clear_outcome();
        meeting.clear_quorum();
        meeting.clear_flags();
        meeting.clear_etag();
        meeting.set_announcement_revision(1);
        meeting.set_rule_set((*rules)->name());
        if (absl::Status s = CheckScheduleRules(*context_, org->organization,
                                                meeting, **rules);
            !s.ok()) {
          return s;
        }
        if (absl::Status s =
                ComputeInvitees(*context_, org->organization, meeting);
            !s.ok()) {
          return s;
        }
        absl::StatusOr<Stored<v1::Meeting>> existing =
            context_->records().Get<v1::Meeting>(meeting.name());
        if (existing.ok()) {
          return absl::AlreadyExistsError(
              absl::StrCat(meeting.name(), " already exists"));
        }
        if (!absl::IsNotFound(existing.status())) return existing.status();
        const common::v1::ChangeStamp stamp =
            Stamp(call, request.request_id(), "");
        if (request.validate_only()) {
          *meeting.mutable_create_stamp() = stamp;
          *meeting.mutable_update_stamp() = stamp;
          response = meeting;
          return absl::OkStatus();
        }
        events::v1::Event event =
            Announcement(call, request.request_id(), org->organization, meeting,
                         "scheduled");
        StageMeeting(*context_, change, org->organization, 0, meeting,
                     "CreateMeeting", stamp,
                     absl::StrCat("Lên lịch ", domain::MeetingTitle(meeting),
                                  "; mời ", meeting.invitees_size(), " người"),
                     {std::move(event)});
        response = meeting;
        return absl::OkStatus();
      });
}

absl::Status CellLifeServiceImpl::DoGetMeeting(
    const CallContext& call, const v1::GetMeetingRequest& request,
    v1::Meeting& response) {
  if (IsMemberOnly(call.principal)) {
    // A member reads the meetings she is invited to (her handbook), and
    // nothing else of her cell.
    FieldChecker check;
    SplitMeetingName(check, request.name(), "name", false);
    if (!check.ok()) return check.status();
    absl::StatusOr<Stored<v1::Meeting>> meeting =
        context_->records().Get<v1::Meeting>(request.name());
    if (!meeting.ok()) return meeting.status();
    if (domain::FindInvitee(meeting->message, call.principal.subject) ==
        nullptr) {
      return WithReason(
          absl::PermissionDeniedError(absl::StrCat(
              "name: a member reads only the meetings she is invited to; ",
              call.principal.subject, " is not invited to ", request.name())),
          "OUTSIDE_SUBTREE");
    }
    response = std::move(meeting->message);
    ApplyEtag(response, meeting->version);
    return absl::OkStatus();
  }
  absl::StatusOr<MeetingInOrganization> read = ReadMeetingForCellLife(
      *context_, call, request.name(), "name", /*for_recording=*/false);
  if (!read.ok()) return read.status();
  response = std::move(read->meeting.message);
  return absl::OkStatus();
}

absl::Status CellLifeServiceImpl::DoListMeetings(
    const CallContext& call, const v1::ListMeetingsRequest& request,
    v1::ListMeetingsResponse& response) {
  FieldChecker check;
  CheckOrganizationRef(check, request.parent(), "parent");
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) check.Add("page_size", page_size.status().message());
  bool descending = false;
  if (!ValidOrder(request.order_by(), &descending)) {
    check.Add("order_by", "is \"starts_at\" or \"starts_at desc\"");
  }
  if (!check.ok()) return check.status();
  // starts_at is a Timestamp, which filters.h does not compare; the period
  // selects meetings by month.
  absl::StatusOr<Filter> filter = Filter::Parse(
      request.filter(), *v1::Meeting::descriptor(),
      {"kind", "state", "period.year", "period.month", "flags", "theme"});
  if (!filter.ok()) return filter.status();
  absl::StatusOr<OffsetPage> page =
      OffsetPage::Of(request, *page_size, request.page_token());
  if (!page.ok()) return page.status();
  absl::StatusOr<StoredOrganization> org = ReadOrganizationForCellLife(
      *context_, call, request.parent(), "parent", /*for_recording=*/false);
  if (!org.ok()) return org.status();
  std::vector<std::string> org_ids = {OrganizationId(request.parent())};
  if (request.include_descendants()) {
    absl::StatusOr<std::vector<std::string>> ids =
        context_->organizations().SubtreeIds(org->organization);
    if (!ids.ok()) return ids.status();
    org_ids = *std::move(ids);
  }
  std::vector<v1::Meeting> rows;
  for (const auto& id : org_ids) {
    absl::StatusOr<std::vector<Stored<v1::Meeting>>> meetings =
        ReadMeetingsOf(*context_, id);
    if (!meetings.ok()) return meetings.status();
    for (auto& m : *meetings) {
      if (filter->Matches(m.message)) rows.push_back(std::move(m.message));
    }
  }
  const auto key = [](const v1::Meeting& m) {
    return std::make_tuple(m.starts_at().seconds(), m.starts_at().nanos(),
                           m.name());
  };
  std::sort(rows.begin(), rows.end(),
            [&](const v1::Meeting& a, const v1::Meeting& b) {
              return descending ? key(b) < key(a) : key(a) < key(b);
            });
  page->Fill(rows.size(), response,
             [&](int i) { *response.add_meetings() = std::move(rows[i]); });
  return absl::OkStatus();
}

namespace {

// Stages a change of a scheduled meeting read as `read` that its invitees
// are told of (`what`: "changed", "cancelled"): the meeting with its next
// announcement revision, the MeetingAnnounced event and the audit entry.
void StageAnnouncedChange(MembershipContext& context, const CallContext& call,
                          const std::string& request_id,
                          const std::string& reason,
                          const MeetingInOrganization& read,
                          absl::string_view what, absl::string_view method,
                          std::string summary, v1::Meeting& meeting,
                          Change& change) {
  const common::v1::ChangeStamp stamp = Stamp(call, request_id, reason);
  events::v1::Event event = Announcement(
      call, request_id, read.organization.organization, meeting, what);
  StageMeeting(context, change, read.organization.organization,
               read.meeting.version, meeting, method, stamp, std::move(summary),
               {std::move(event)});
}

}  // namespace

absl::Status CellLifeServiceImpl::DoUpdateMeeting(
    const CallContext& call, const v1::UpdateMeetingRequest& request,
    v1::Meeting& response) {
  const v1::Meeting& in = request.meeting();
  FieldChecker check;
  SplitMeetingName(check, in.name(), "meeting.name", false);
  if (absl::Status s =
          CheckUpdateMask(request.update_mask(),
                          {"period", "theme", "starts_at", "place", "agenda",
                           "documents", "assigned_officials", "guests"});
      !s.ok()) {
    return s;
  }
  CheckMeetingFields(check, in, "meeting", &request.update_mask());
  if (!check.ok()) return check.status();
  absl::StatusOr<MeetingInOrganization> read = ReadMeetingForCellLife(
      *context_, call, in.name(), "meeting.name", /*for_recording=*/true);
  if (!read.ok()) return read.status();
  if (absl::Status s = CheckEtag(in.etag(), read->meeting.version, in.name());
      !s.ok()) {
    return s;
  }
  return IdempotentChange(
      context_->redis(), context_->prefix(), "UpdateMeeting",
      request.request_id(), request, response, [&](Change& change) {
        v1::Meeting meeting = read->meeting.message;
        if (absl::Status s = RequireScheduled(meeting, "được thay đổi");
            !s.ok()) {
          return s;
        }
        const google::protobuf::FieldMask& mask = request.update_mask();
        if (InMask(mask, "period")) *meeting.mutable_period() = in.period();
        if (InMask(mask, "theme")) meeting.set_theme(in.theme());
        if (InMask(mask, "starts_at")) {
          *meeting.mutable_starts_at() = in.starts_at();
        }
        if (InMask(mask, "place")) meeting.set_place(in.place());
        if (InMask(mask, "agenda")) *meeting.mutable_agenda() = in.agenda();
        if (InMask(mask, "documents")) {
          *meeting.mutable_documents() = in.documents();
        }
        if (InMask(mask, "assigned_officials")) {
          *meeting.mutable_assigned_officials() = in.assigned_officials();
        }
        if (InMask(mask, "guests")) *meeting.mutable_guests() = in.guests();
        absl::StatusOr<const v1::RuleSet*> rules =
            context_->rules()(VietnamDateOf(meeting.starts_at()));
        if (!rules.ok()) return rules.status();
        meeting.set_rule_set((*rules)->name());
        if (absl::Status s = CheckScheduleRules(
                *context_, read->organization.organization, meeting, **rules);
            !s.ok()) {
          return s;
        }
        if (absl::Status s = ComputeInvitees(
                *context_, read->organization.organization, meeting);
            !s.ok()) {
          return s;
        }
        meeting.set_announcement_revision(meeting.announcement_revision() + 1);
        if (request.validate_only()) {
          response = meeting;
          return absl::OkStatus();
        }
        StageAnnouncedChange(
            *context_, call, request.request_id(), request.reason(), *read,
            "changed", "UpdateMeeting",
            absl::StrCat("Thay đổi ", domain::MeetingTitle(meeting),
                         request.reason().empty() ? "" : ": ",
                         request.reason()),
            meeting, change);
        response = meeting;
        return absl::OkStatus();
      });
}

absl::Status CellLifeServiceImpl::DoCancelMeeting(
    const CallContext& call, const v1::CancelMeetingRequest& request,
    v1::Meeting& response) {
  FieldChecker check;
  SplitMeetingName(check, request.name(), "name", false);
  if (request.reason().empty()) {
    check.Add("reason", "is required: the cancellation tells invitees why");
  }
  if (!check.ok()) return check.status();
  absl::StatusOr<MeetingInOrganization> read = ReadMeetingForCellLife(
      *context_, call, request.name(), "name", /*for_recording=*/true);
  if (!read.ok()) return read.status();
  if (absl::Status s =
          CheckEtag(request.etag(), read->meeting.version, request.name());
      !s.ok()) {
    return s;
  }
  return IdempotentChange(
      context_->redis(), context_->prefix(), "CancelMeeting",
      request.request_id(), request, response, [&](Change& change) {
        v1::Meeting meeting = read->meeting.message;
        if (absl::Status s = RequireScheduled(meeting, "được hủy"); !s.ok()) {
          return s;
        }
        meeting.set_state(v1::MEETING_STATE_CANCELLED);
        meeting.set_cancel_reason(request.reason());
        meeting.set_announcement_revision(meeting.announcement_revision() + 1);
        if (request.validate_only()) {
          response = meeting;
          return absl::OkStatus();
        }
        StageAnnouncedChange(*context_, call, request.request_id(),
                             request.reason(), *read, "cancelled",
                             "CancelMeeting",
                             absl::StrCat("Hủy ", domain::MeetingTitle(meeting),
                                          ": ", request.reason()),
                             meeting, change);
        response = meeting;
        return absl::OkStatus();
      });
}

absl::Status CellLifeServiceImpl::DoRecordMeetingHeld(
    const CallContext& call, const v1::RecordMeetingHeldRequest& request,
    v1::Meeting& response) {
  FieldChecker check;
  SplitMeetingName(check, request.name(), "name", false);
  const v1::MeetingOutcome& outcome = request.outcome();
  if (!request.has_outcome()) check.Add("outcome", "is required");
  CheckDate(outcome.held_on(), "outcome.held_on", check);
  if (!outcome.chair().empty()) {
    CheckPersonName(check, outcome.chair(), "outcome.chair");
  }
  if (!outcome.minute_taker().empty()) {
    CheckPersonName(check, outcome.minute_taker(), "outcome.minute_taker");
  }
  if (outcome.quality() < v1::MEETING_QUALITY_UNSPECIFIED ||
      outcome.quality() > v1::MEETING_QUALITY_POOR) {
    check.Add("outcome.quality", "is not a quality");
  }
  for (int i = 0; i < outcome.resolutions_size(); ++i) {
    if (outcome.resolutions(i).title().empty()) {
      check.Add(absl::StrCat("outcome.resolutions[", i, "].title"),
                "is required");
    }
  }
  CheckAttendanceEntries(check, request.attendances(), "attendances");
  if (!check.ok()) return check.status();
  absl::StatusOr<MeetingInOrganization> read = ReadMeetingForCellLife(
      *context_, call, request.name(), "name", /*for_recording=*/true);
  if (!read.ok()) return read.status();
  if (absl::Status s =
          CheckEtag(request.etag(), read->meeting.version, request.name());
      !s.ok()) {
    return s;
  }
  absl::StatusOr<const v1::RuleSet*> rules =
      context_->rules()(outcome.held_on());
  if (!rules.ok()) return rules.status();
  return IdempotentChange(
      context_->redis(), context_->prefix(), "RecordMeetingHeld",
      request.request_id(), request, response, [&](Change& change) {
        v1::Meeting meeting = read->meeting.message;
        if (absl::Status s = RequireScheduled(meeting, "được ghi nhận đã họp");
            !s.ok()) {
          return s;
        }
        std::vector<RuleViolation> unmet =
            domain::CheckOutcome(meeting.name(), outcome, Today(), **rules);
        if (!request.attendances().empty()) {
          std::vector<RuleViolation> more =
              domain::CheckAttendances(meeting, request.attendances(), **rules);
          unmet.insert(unmet.end(), more.begin(), more.end());
        }
        if (!unmet.empty()) return RulesViolated(std::move(unmet));
        // The invitees are fixed as announced: attendance is judged
        // against them.
        meeting.set_state(v1::MEETING_STATE_HELD);
        *meeting.mutable_outcome() = outcome;
        meeting.set_rule_set((*rules)->name());
        domain::UpdateFlags(meeting, /*attendance_recorded=*/false);
        // A dry run stages into a scratch change that is never written.
        Change scratch;
        Change& target = request.validate_only() ? scratch : change;
        std::vector<v1::Attendance> written;
        if (!request.attendances().empty()) {
          written =
              StageAttendances(*context_, call, request.request_id(), target,
                               meeting, request.attendances(), **rules);
        }
        const common::v1::ChangeStamp stamp =
            Stamp(call, request.request_id(), "");
        std::string summary =
            absl::StrCat("Ghi nhận ", domain::MeetingTitle(meeting),
                         " đã họp ngày ", FormatDate(outcome.held_on()));
        if (meeting.has_quorum()) {
          absl::StrAppend(&summary, "; có mặt ", meeting.quorum().present(),
                          "/", meeting.quorum().called(), " đảng viên");
        }
        StageMeeting(*context_, target, read->organization.organization,
                     read->meeting.version, meeting, "RecordMeetingHeld", stamp,
                     std::move(summary), {});
        response = meeting;
        return StageAbsenceWarnings(*context_, call, request.request_id(), "",
                                    target, meeting, written);
      });
}

}  // namespace partydev::membership
