// CellLifeService: reading early warnings, the secretary's follow-up and
// closing a warning (warnings.proto; directive 06-CT/TU: the secretary
// meets a member who drifts away and the cell decides). The warnings
// themselves are raised by StageEarlyWarnings (early_warnings.cc).

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/change.h"
#include "common/dates.h"
#include "common/errors.h"
#include "common/filters.h"
#include "common/paging.h"
#include "google/protobuf/util/time_util.h"
#include "services/membership/cell_life_records.h"
#include "services/membership/cell_life_service.h"
#include "services/membership/domain/early_warnings.h"

namespace partydev::membership {
namespace {

constexpr absl::string_view kService = "CellLifeService";
constexpr absl::string_view kEarlyWarnings = "earlyWarnings";

int DayNumber(const common::v1::Date& d) {
  return d.year() * 10000 + d.month() * 100 + d.day();
}

// The person of a warning, read for a change by a recorder of their cell
// (secretary, or a committee role above: RequireRecorder).
absl::StatusOr<StoredPerson> ReadPersonForRecording(MembershipContext& context,
                                                    const CallContext& call,
                                                    const std::string& parent,
                                                    absl::string_view what) {
  if (absl::Status s = RequireRecorder(call.principal, what); !s.ok()) {
    return s;
  }
  return ReadPersonForChange(context, call, parent, "name");
}

// The warning `name` as a change reads it: NOT_FOUND when absent, ABORTED
// when `etag` (if given) is not its version.
absl::StatusOr<Stored<v1::EarlyWarning>> ReadWarningForChange(
    MembershipContext& context, const std::string& name,
    const std::string& etag) {
  absl::StatusOr<Stored<v1::EarlyWarning>> stored =
      context.records().Get<v1::EarlyWarning>(name);
  if (!stored.ok()) return stored.status();
  if (absl::Status s = CheckEtag(etag, stored->version, name); !s.ok()) {
    return s;
  }
  return stored;
}

}  // namespace

absl::StatusOr<std::pair<std::string, std::string>> SplitPersonRecordName(
    const CallContext& call, const std::string& name,
    absl::string_view collection, absl::string_view field) {
  const std::string resolved = ResolveMe(call, name);
  std::vector<std::string> parts = absl::StrSplit(resolved, '/');
  if (parts.size() != 4 || parts[0] != "people" ||
      !IsValidResourceId(parts[1]) || parts[2] != collection ||
      parts[3].empty()) {
    return InvalidField(field, absl::StrCat("\"", name,
                                            "\" is not a name of the form "
                                            "\"people/{person}/",
                                            collection, "/{id}\""));
  }
  return std::make_pair(absl::StrCat("people/", parts[1]), parts[3]);
}

absl::StatusOr<std::vector<std::string>> PersonRecordNames(
    MembershipContext& context, const CallContext& call,
    const std::string& parent, const std::string& organization,
    absl::string_view collection, absl::string_view org_index) {
  std::vector<std::string> names;
  if (parent == "people/-") {
    const std::string org_name =
        organization.empty() ? call.principal.organization : organization;
    if (org_name.empty()) {
      return InvalidField("organization",
                          "is required with parent \"people/-\" for a caller "
                          "bound to no organisation");
    }
    absl::StatusOr<StoredOrganization> org = ReadOrganizationForCellLife(
        context, call, org_name, "organization", /*for_recording=*/false);
    if (!org.ok()) return org.status();
    absl::StatusOr<std::vector<std::string>> ids =
        context.organizations().SubtreeIds(org->organization);
    if (!ids.ok()) return ids.status();
    const absl::string_view index = org_index.empty() ? collection : org_index;
    for (const auto& id : *ids) {
      absl::StatusOr<std::vector<std::string>> all = context.records().All(
          context.records().OrganizationIndexKey(id, index));
      if (!all.ok()) return all.status();
      names.insert(names.end(), all->begin(), all->end());
    }
  } else {
    FieldChecker check;
    const std::string resolved = ResolveMe(call, parent);
    CheckPersonName(check, resolved, "parent");
    if (!check.ok()) return check.status();
    absl::StatusOr<StoredPerson> person =
        ReadPersonForCellLife(context, call, resolved, "parent");
    if (!person.ok()) return person.status();
    absl::StatusOr<std::vector<std::string>> ids = context.records().All(
        context.records().CollectionKey(resolved, collection));
    if (!ids.ok()) return ids.status();
    for (const auto& id : *ids) {
      names.push_back(absl::StrCat(resolved, "/", collection, "/", id));
    }
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

absl::Status CellLifeServiceImpl::DoGetEarlyWarning(
    const CallContext& call, const v1::GetEarlyWarningRequest& request,
    v1::EarlyWarning& response) {
  absl::StatusOr<std::pair<std::string, std::string>> split =
      SplitPersonRecordName(call, request.name(), kEarlyWarnings, "name");
  if (!split.ok()) return split.status();
  absl::StatusOr<StoredPerson> person =
      ReadPersonForCellLife(*context_, call, split->first, "name");
  if (!person.ok()) return person.status();
  absl::StatusOr<Stored<v1::EarlyWarning>> stored =
      context_->records().Get<v1::EarlyWarning>(
          absl::StrCat(split->first, "/", kEarlyWarnings, "/", split->second));
  if (!stored.ok()) return stored.status();
  response = std::move(stored->message);
  ApplyEtag(response, stored->version);
  return absl::OkStatus();
}

absl::Status CellLifeServiceImpl::DoListEarlyWarnings(
    const CallContext& call, const v1::ListEarlyWarningsRequest& request,
    v1::ListEarlyWarningsResponse& response) {
  FieldChecker check;
  if (request.parent().empty()) check.Add("parent", "is required");
  if (request.year() != 0 &&
      (request.year() < 2000 || request.year() > Today().year())) {
    check.Add("year", "is not a year of records");
  }
  if (absl::StatusOr<int> size = ResolvePageSize(request.page_size());
      !size.ok()) {
    check.Add("page_size", size.status().message());
  }
  if (!check.ok()) return check.status();
  absl::StatusOr<Filter> filter =
      Filter::Parse(request.filter(), *v1::EarlyWarning::descriptor(),
                    {"level", "cause", "state", "resolution"});
  if (!filter.ok()) return filter.status();
  absl::StatusOr<OffsetPage> page =
      OffsetPage::Of(request, request.page_size(), request.page_token());
  if (!page.ok()) return page.status();
  absl::StatusOr<std::vector<std::string>> names =
      PersonRecordNames(*context_, call, request.parent(),
                        request.organization(), kEarlyWarnings);
  if (!names.ok()) return names.status();
  if (request.year() != 0) {
    const std::string infix =
        absl::StrCat("/", kEarlyWarnings, "/", request.year(), "-");
    names->erase(std::remove_if(names->begin(), names->end(),
                                [&](const std::string& n) {
                                  return !absl::StrContains(n, infix);
                                }),
                 names->end());
  }
  absl::StatusOr<std::vector<Stored<v1::EarlyWarning>>> stored =
      context_->records().GetMany<v1::EarlyWarning>(*names);
  if (!stored.ok()) return stored.status();
  std::vector<v1::EarlyWarning> rows;
  for (auto& s : *stored) {
    if (filter->Matches(s.message)) rows.push_back(std::move(s.message));
  }
  // Highest level first, then newest (warnings.proto).
  std::stable_sort(
      rows.begin(), rows.end(),
      [](const v1::EarlyWarning& a, const v1::EarlyWarning& b) {
        if (a.level() != b.level()) return a.level() > b.level();
        if (a.year() != b.year()) return a.year() > b.year();
        return google::protobuf::util::TimeUtil::TimestampToNanoseconds(
                   a.raise_stamp().time()) >
               google::protobuf::util::TimeUtil::TimestampToNanoseconds(
                   b.raise_stamp().time());
      });
  page->Fill(rows.size(), response, [&](int i) {
    *response.add_early_warnings() = std::move(rows[i]);
  });
  return absl::OkStatus();
}

absl::Status CellLifeServiceImpl::DoRecordWarningFollowUp(
    const CallContext& call, const v1::RecordWarningFollowUpRequest& request,
    v1::EarlyWarning& response) {
  const common::v1::Date today = Today();
  FieldChecker check;
  const v1::WarningFollowUp& f = request.follow_up();
  if (!request.has_follow_up()) check.Add("follow_up", "is required");
  if (IsUnset(f.met_on())) {
    check.Add("follow_up.met_on", "is required");
  } else {
    CheckDate(f.met_on(), "follow_up.met_on", check);
    if (IsValidDate(f.met_on()) && DayNumber(f.met_on()) > DayNumber(today)) {
      check.Add("follow_up.met_on",
                absl::StrCat("ngày gặp ", FormatDate(f.met_on()),
                             " ở tương lai (hôm nay ", FormatDate(today), ")"));
    }
  }
  if (f.summary().empty()) {
    check.Add("follow_up.summary", "is required: what was said and agreed");
  }
  if (!f.met_by().empty()) {
    CheckPersonName(check, f.met_by(), "follow_up.met_by");
  }
  absl::StatusOr<std::pair<std::string, std::string>> split =
      SplitPersonRecordName(call, request.name(), kEarlyWarnings, "name");
  if (!split.ok()) {
    check.Add("name", split.status().message());
  }
  if (!check.ok()) return check.status();
  absl::StatusOr<StoredPerson> person = ReadPersonForRecording(
      *context_, call, split->first, "record a warning's follow-up");
  if (!person.ok()) return person.status();
  const std::string name =
      absl::StrCat(split->first, "/", kEarlyWarnings, "/", split->second);
  return IdempotentChange(
      context_->redis(), context_->prefix(), "RecordWarningFollowUp",
      request.request_id(), request, response, [&](Change& change) {
        absl::StatusOr<Stored<v1::EarlyWarning>> stored =
            ReadWarningForChange(*context_, name, request.etag());
        if (!stored.ok()) return stored.status();
        v1::EarlyWarning w = stored->message;
        if (std::string why = domain::FollowUpRefusal(w); !why.empty()) {
          return RulesViolated({{"early_warnings.follow_up_open", name, why}});
        }
        PersonChangeRecorder recorder(*context_, call, request.request_id(),
                                      "");
        v1::WarningFollowUp* added = w.add_follow_ups();
        *added = f;
        *added->mutable_stamp() = recorder.stamp();
        w.set_state(v1::WARNING_STATE_FOLLOWED_UP);
        w.clear_etag();
        if (request.validate_only()) {
          response = w;
          ApplyEtag(response, stored->version);
          return absl::OkStatus();
        }
        recorder.RecordResource(change, person->message, name, stored->version,
                                w, kEarlyWarnings);
        recorder.RecordJournal(
            change, person->message,
            MethodName(kService, "RecordWarningFollowUp"), name,
            absl::StrCat("Gặp gỡ đảng viên ", person->message.full_name(),
                         " ngày ", FormatDate(f.met_on()), ": ", f.summary()),
            EtagOf(stored->version), {});
        w.set_etag(EtagOf(stored->version + 1));
        change.journal.audit->set_etag_after(w.etag());
        response = w;
        return absl::OkStatus();
      });
}

absl::Status CellLifeServiceImpl::DoResolveEarlyWarning(
    const CallContext& call, const v1::ResolveEarlyWarningRequest& request,
    v1::EarlyWarning& response) {
  FieldChecker check;
  const v1::WarningResolution resolution = request.resolution();
  if (resolution == v1::WARNING_RESOLUTION_UNSPECIFIED ||
      !v1::WarningResolution_IsValid(resolution)) {
    check.Add("resolution", "is required");
  } else if (resolution == v1::WARNING_RESOLUTION_MEMBER_REMOVED) {
    check.Add("resolution",
              "MEMBER_REMOVED is set by the server when "
              "PersonService.RemoveMember cites the warning");
  }
  if (request.reason().empty()) check.Add("reason", "is required");
  absl::StatusOr<std::pair<std::string, std::string>> split =
      SplitPersonRecordName(call, request.name(), kEarlyWarnings, "name");
  if (!split.ok()) check.Add("name", split.status().message());
  if (!check.ok()) return check.status();
  absl::StatusOr<StoredPerson> person = ReadPersonForRecording(
      *context_, call, split->first, "close an early warning");
  if (!person.ok()) return person.status();
  const std::string name =
      absl::StrCat(split->first, "/", kEarlyWarnings, "/", split->second);
  return IdempotentChange(
      context_->redis(), context_->prefix(), "ResolveEarlyWarning",
      request.request_id(), request, response, [&](Change& change) {
        absl::StatusOr<Stored<v1::EarlyWarning>> stored =
            ReadWarningForChange(*context_, name, request.etag());
        if (!stored.ok()) return stored.status();
        v1::EarlyWarning w = stored->message;
        if (std::string why = domain::ResolveRefusal(w, resolution);
            !why.empty()) {
          return RulesViolated({{"early_warnings.resolve_open", name, why}});
        }
        PersonChangeRecorder recorder(*context_, call, request.request_id(),
                                      request.reason());
        w.set_state(v1::WARNING_STATE_RESOLVED);
        w.set_resolution(resolution);
        // The cell's resolution, when one was given, is cited in the reason
        // (the warning has no field of its own for it).
        w.set_resolution_reason(request.decision().number().empty()
                                    ? request.reason()
                                    : absl::StrCat(request.reason(), " (",
                                                   request.decision().number(),
                                                   ")"));
        w.clear_etag();
        if (request.validate_only()) {
          response = w;
          ApplyEtag(response, stored->version);
          return absl::OkStatus();
        }
        recorder.RecordResource(change, person->message, name, stored->version,
                                w, kEarlyWarnings);
        recorder.RecordJournal(
            change, person->message,
            MethodName(kService, "ResolveEarlyWarning"), name,
            absl::StrCat("Khép lại cảnh báo sớm đối với ",
                         person->message.full_name(), " (",
                         v1::WarningResolution_Name(resolution),
                         "): ", request.reason()),
            EtagOf(stored->version), {});
        w.set_etag(EtagOf(stored->version + 1));
        change.journal.audit->set_etag_after(w.etag());
        response = w;
        return absl::OkStatus();
      });
}

}  // namespace partydev::membership
