// CellLifeService: where members live (Quy định 213-QĐ/TW, named by
// directive 06-CT/TU). A working member registers with the party
// organisation of her residence, and that cell comments on her each year;
// the comments reach her own cell for the yearly classification. The
// residential cell often lies outside the member's subtree (another ward,
// another district): either cell's recorder may record, each through its
// own path.

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/authorization.h"
#include "common/change.h"
#include "common/dates.h"
#include "common/errors.h"
#include "common/filters.h"
#include "common/ids.h"
#include "common/paging.h"
#include "services/membership/cell_life_records.h"
#include "services/membership/cell_life_service.h"
#include "services/membership/organization_tree.h"

namespace partydev::membership {
namespace {

constexpr absl::string_view kService = "CellLifeService";
constexpr absl::string_view kRegistrations = "residentialRegistrations";
constexpr absl::string_view kComments = "residentialComments";
// o:<residential org>:residents — who is registered with a residential
// cell, whatever their own cell (cell_life_records.h).
constexpr absl::string_view kResidents = "residents";

int DayNumber(const common::v1::Date& d) {
  return d.year() * 10000 + d.month() * 100 + d.day();
}

// A required date, valid and not after today.
void CheckPastDate(FieldChecker& check, const common::v1::Date& date,
                   absl::string_view field, const common::v1::Date& today) {
  if (IsUnset(date)) {
    check.Add(field, "is required");
    return;
  }
  CheckDate(date, field, check);
  if (IsValidDate(date) && DayNumber(date) > DayNumber(today)) {
    check.Add(field, absl::StrCat(FormatDate(date), " is in the future (today ",
                                  FormatDate(today), ")"));
  }
}

// The person `name` for recording her residence: the caller records for
// the member's own cell (ReadPersonForChange: her subtree), or for the
// residential cell `residential` ("organizations/{id}"; empty: none) that
// the caller's subtree holds. Recorders only (RequireRecorder).
absl::StatusOr<StoredPerson> ReadPersonForResidence(
    MembershipContext& context, const CallContext& call,
    const std::string& name, const std::string& residential,
    absl::string_view field, absl::string_view what) {
  if (absl::Status s = RequireRecorder(call.principal, what); !s.ok()) {
    return s;
  }
  absl::StatusOr<StoredPerson> own =
      ReadPersonForChange(context, call, name, field);
  if (own.ok() || !absl::IsPermissionDenied(own.status()) ||
      residential.empty()) {
    return own;
  }
  absl::StatusOr<StoredOrganization> org =
      context.organizations().Get(OrganizationId(residential));
  if (!org.ok()) return own.status();
  const std::vector<std::string> path(org->organization.path().begin(),
                                      org->organization.path().end());
  if (!CoversPath(call.principal, path)) return own.status();
  return context.people().Get(name);
}

// Every registration of the person, as stored.
absl::StatusOr<std::vector<Stored<v1::ResidentialRegistration>>>
RegistrationsOf(MembershipContext& context, const std::string& person_name) {
  absl::StatusOr<std::vector<std::string>> ids = context.records().All(
      context.records().CollectionKey(person_name, kRegistrations));
  if (!ids.ok()) return ids.status();
  std::vector<std::string> names;
  for (const auto& id : *ids) {
    names.push_back(absl::StrCat(person_name, "/", kRegistrations, "/", id));
  }
  return context.records().GetMany<v1::ResidentialRegistration>(names);
}

// The address is sensitive (residence.proto): withheld from callers
// without personal data access, except the member herself.
void Redact(v1::ResidentialRegistration& r, const Principal& caller) {
  if (caller.HasAnyRole({roles::kPersonalData, roles::kAdmin})) return;
  if (absl::StartsWith(r.name(), absl::StrCat(caller.subject, "/"))) return;
  r.clear_address();
}

}  // namespace

absl::StatusOr<std::optional<v1::ResidentialRegistration>> ActiveRegistrationOf(
    MembershipContext& context, const std::string& person_name) {
  absl::StatusOr<std::vector<Stored<v1::ResidentialRegistration>>> all =
      RegistrationsOf(context, person_name);
  if (!all.ok()) return all.status();
  for (auto& r : *all) {
    if (r.message.state() == v1::RESIDENTIAL_REGISTRATION_STATE_ACTIVE) {
      return std::optional<v1::ResidentialRegistration>(std::move(r.message));
    }
  }
  return std::optional<v1::ResidentialRegistration>();
}

absl::Status CellLifeServiceImpl::DoCreateResidentialRegistration(
    const CallContext& call,
    const v1::CreateResidentialRegistrationRequest& request,
    v1::ResidentialRegistration& response) {
  const common::v1::Date today = Today();
  const v1::ResidentialRegistration& in = request.residential_registration();
  const std::string parent = ResolveMe(call, request.parent());
  FieldChecker check;
  CheckPersonName(check, parent, "parent");
  if (!request.has_residential_registration()) {
    check.Add("residential_registration", "is required");
  }
  if (in.residential_organization().empty() &&
      in.external_organization().empty()) {
    check.Add("residential_registration.residential_organization",
              "is required unless external_organization is set");
  }
  if (!in.residential_organization().empty()) {
    CheckOrganizationRef(check, in.residential_organization(),
                         "residential_registration.residential_organization");
  }
  CheckPastDate(check, in.registered_on(),
                "residential_registration.registered_on", today);
  if (!request.residential_registration_id().empty() &&
      !IsValidResourceId(request.residential_registration_id())) {
    check.Add("residential_registration_id", "is not a valid id (AIP-122)");
  }
  if (!check.ok()) return check.status();
  absl::StatusOr<StoredPerson> person = ReadPersonForResidence(
      *context_, call, parent, in.residential_organization(), "parent",
      "record a residential registration");
  if (!person.ok()) return person.status();
  if (!in.residential_organization().empty()) {
    absl::StatusOr<StoredOrganization> org = context_->organizations().Get(
        OrganizationId(in.residential_organization()));
    if (absl::IsNotFound(org.status())) {
      return InvalidField(
          "residential_registration.residential_organization",
          absl::StrCat(in.residential_organization(), " does not exist"));
    }
    if (!org.ok()) return org.status();
  }
  const std::string id = request.residential_registration_id().empty()
                             ? NewUuid()
                             : request.residential_registration_id();
  const std::string name = absl::StrCat(parent, "/", kRegistrations, "/", id);
  return IdempotentChange(
      context_->redis(), context_->prefix(), "CreateResidentialRegistration",
      request.request_id(), request, response, [&](Change& change) {
        const v1::Person& p = person->message;
        if (!IsMember(p) || !IsMemberOnRolls(p)) {
          return RulesViolated(
              {{"residence.members_only", p.name(),
                absl::StrCat(p.full_name(),
                             " không phải đảng viên đang sinh hoạt; chỉ đảng "
                             "viên mới đăng ký với chi bộ nơi cư trú "
                             "(Quy định 213-QĐ/TW)")}});
        }
        absl::StatusOr<std::vector<Stored<v1::ResidentialRegistration>>> all =
            RegistrationsOf(*context_, p.name());
        if (!all.ok()) return all.status();
        for (const auto& r : *all) {
          if (r.message.name() == name) {
            return absl::AlreadyExistsError(
                absl::StrCat(name, " already exists"));
          }
          if (r.message.state() == v1::RESIDENTIAL_REGISTRATION_STATE_ACTIVE) {
            return RulesViolated(
                {{"residence.one_active", r.message.name(),
                  absl::StrCat(
                      p.full_name(), " đang đăng ký sinh hoạt nơi cư trú (",
                      r.message.name(), "); hãy kết thúc đăng ký đó trước")}});
          }
          // Read unchanged at commit: two concurrent registrations cannot
          // both find none active.
          change.write.Expect(context_->records().RecordKey(r.message.name()),
                              r.version);
        }
        PersonChangeRecorder recorder(*context_, call, request.request_id(),
                                      "");
        v1::ResidentialRegistration r = in;
        r.set_name(name);
        r.clear_ended_on();
        r.set_state(v1::RESIDENTIAL_REGISTRATION_STATE_ACTIVE);
        r.clear_etag();
        *r.mutable_create_stamp() = recorder.stamp();
        *r.mutable_update_stamp() = recorder.stamp();
        if (request.validate_only()) {
          response = r;
          Redact(response, call.principal);
          return absl::OkStatus();
        }
        recorder.RecordResource(change, p, name, 0, r, kRegistrations);
        if (!r.residential_organization().empty()) {
          change.write.ZAdd(
              context_->records().OrganizationIndexKey(
                  OrganizationId(r.residential_organization()), kResidents),
              0, name);
        }
        recorder.RecordJournal(
            change, p, MethodName(kService, "CreateResidentialRegistration"),
            name,
            absl::StrCat("Đăng ký sinh hoạt nơi cư trú của ", p.full_name(),
                         " với ",
                         r.residential_organization().empty()
                             ? r.external_organization()
                             : r.residential_organization()),
            "", {});
        r.set_etag(EtagOf(1));
        change.journal.audit->set_etag_after(r.etag());
        response = r;
        Redact(response, call.principal);
        return absl::OkStatus();
      });
}

absl::Status CellLifeServiceImpl::DoListResidentialRegistrations(
    const CallContext& call,
    const v1::ListResidentialRegistrationsRequest& request,
    v1::ListResidentialRegistrationsResponse& response) {
  FieldChecker check;
  if (request.parent().empty()) check.Add("parent", "is required");
  if (request.as_residential_cell() && request.parent() != "people/-") {
    check.Add("as_residential_cell", "needs parent \"people/-\"");
  }
  if (!check.ok()) return check.status();
  absl::StatusOr<Filter> filter = Filter::Parse(
      request.filter(), *v1::ResidentialRegistration::descriptor(),
      {"state", "registered_on"});
  if (!filter.ok()) return filter.status();
  absl::StatusOr<OffsetPage> page =
      OffsetPage::Of(request, request.page_size(), request.page_token());
  if (!page.ok()) return page.status();
  absl::StatusOr<std::vector<std::string>> names = PersonRecordNames(
      *context_, call, request.parent(), request.organization(), kRegistrations,
      request.as_residential_cell() ? kResidents : "");
  if (!names.ok()) return names.status();
  absl::StatusOr<std::vector<Stored<v1::ResidentialRegistration>>> stored =
      context_->records().GetMany<v1::ResidentialRegistration>(*names);
  if (!stored.ok()) return stored.status();
  std::vector<v1::ResidentialRegistration> rows;
  for (auto& s : *stored) {
    if (filter->Matches(s.message)) rows.push_back(std::move(s.message));
  }
  page->Fill(rows.size(), response, [&](int i) {
    v1::ResidentialRegistration* r = response.add_residential_registrations();
    *r = std::move(rows[i]);
    Redact(*r, call.principal);
  });
  return absl::OkStatus();
}

absl::Status CellLifeServiceImpl::DoEndResidentialRegistration(
    const CallContext& call,
    const v1::EndResidentialRegistrationRequest& request,
    v1::ResidentialRegistration& response) {
  const common::v1::Date today = Today();
  FieldChecker check;
  CheckPastDate(check, request.ended_on(), "ended_on", today);
  absl::StatusOr<std::pair<std::string, std::string>> split =
      SplitPersonRecordName(call, request.name(), kRegistrations, "name");
  if (!split.ok()) check.Add("name", split.status().message());
  if (!check.ok()) return check.status();
  const std::string name =
      absl::StrCat(split->first, "/", kRegistrations, "/", split->second);
  absl::StatusOr<Stored<v1::ResidentialRegistration>> before =
      context_->records().Get<v1::ResidentialRegistration>(name);
  absl::StatusOr<StoredPerson> person = ReadPersonForResidence(
      *context_, call, split->first,
      before.ok() ? before->message.residential_organization() : "", "name",
      "end a residential registration");
  if (!person.ok()) return person.status();
  if (!before.ok()) return before.status();
  return IdempotentChange(
      context_->redis(), context_->prefix(), "EndResidentialRegistration",
      request.request_id(), request, response, [&](Change& change) {
        absl::StatusOr<Stored<v1::ResidentialRegistration>> stored =
            context_->records().Get<v1::ResidentialRegistration>(name);
        if (!stored.ok()) return stored.status();
        if (absl::Status s = CheckEtag(request.etag(), stored->version, name);
            !s.ok()) {
          return s;
        }
        v1::ResidentialRegistration r = stored->message;
        if (r.state() != v1::RESIDENTIAL_REGISTRATION_STATE_ACTIVE) {
          return RulesViolated(
              {{"residence.end_active", name, "Đăng ký này đã kết thúc"}});
        }
        if (DayNumber(request.ended_on()) < DayNumber(r.registered_on())) {
          return RulesViolated(
              {{"residence.end_after_start", "ended_on",
                absl::StrCat("Ngày kết thúc ", FormatDate(request.ended_on()),
                             " trước ngày đăng ký ",
                             FormatDate(r.registered_on()))}});
        }
        PersonChangeRecorder recorder(*context_, call, request.request_id(),
                                      request.reason());
        r.set_state(v1::RESIDENTIAL_REGISTRATION_STATE_ENDED);
        *r.mutable_ended_on() = request.ended_on();
        *r.mutable_update_stamp() = recorder.stamp();
        r.clear_etag();
        if (request.validate_only()) {
          response = r;
          ApplyEtag(response, stored->version);
          Redact(response, call.principal);
          return absl::OkStatus();
        }
        recorder.RecordResource(change, person->message, name, stored->version,
                                r, kRegistrations);
        recorder.RecordJournal(
            change, person->message,
            MethodName(kService, "EndResidentialRegistration"), name,
            absl::StrCat("Kết thúc đăng ký sinh hoạt nơi cư trú của ",
                         person->message.full_name(), " từ ngày ",
                         FormatDate(request.ended_on())),
            EtagOf(stored->version), {});
        r.set_etag(EtagOf(stored->version + 1));
        change.journal.audit->set_etag_after(r.etag());
        response = r;
        Redact(response, call.principal);
        return absl::OkStatus();
      });
}

absl::Status CellLifeServiceImpl::DoCreateResidentialComment(
    const CallContext& call, const v1::CreateResidentialCommentRequest& request,
    v1::ResidentialComment& response) {
  const common::v1::Date today = Today();
  const v1::ResidentialComment& in = request.residential_comment();
  const std::string parent = ResolveMe(call, request.parent());
  FieldChecker check;
  CheckPersonName(check, parent, "parent");
  int year = 0;
  if (request.residential_comment_id().size() != 4 ||
      !absl::SimpleAtoi(request.residential_comment_id(), &year) ||
      year < 2000 || year > today.year()) {
    check.Add(
        "residential_comment_id",
        absl::StrCat("must be a year \"YYYY\" from 2000 to ", today.year()));
  }
  const std::string registrations_prefix =
      absl::StrCat(parent, "/", kRegistrations, "/");
  if (in.registration().empty()) {
    check.Add("residential_comment.registration", "is required");
  } else if (!absl::StartsWith(in.registration(), registrations_prefix)) {
    check.Add("residential_comment.registration",
              absl::StrCat("must be a registration of ", parent, " (\"",
                           registrations_prefix, "{id}\")"));
  }
  if (in.assessment() == v1::RESIDENTIAL_ASSESSMENT_UNSPECIFIED ||
      !v1::ResidentialAssessment_IsValid(in.assessment())) {
    check.Add("residential_comment.assessment", "is required");
  }
  if (in.comment().empty()) {
    check.Add("residential_comment.comment", "is required");
  }
  CheckPastDate(check, in.commented_on(), "residential_comment.commented_on",
                today);
  if (!check.ok()) return check.status();
  absl::StatusOr<Stored<v1::ResidentialRegistration>> registration =
      context_->records().Get<v1::ResidentialRegistration>(in.registration());
  absl::StatusOr<StoredPerson> person = ReadPersonForResidence(
      *context_, call, parent,
      registration.ok() ? registration->message.residential_organization() : "",
      "parent", "record a residential cell's comments");
  if (!person.ok()) return person.status();
  if (absl::IsNotFound(registration.status())) {
    return InvalidField("residential_comment.registration",
                        absl::StrCat(in.registration(), " does not exist"));
  }
  if (!registration.ok()) return registration.status();
  const std::string name = absl::StrCat(parent, "/", kComments, "/", year);
  return IdempotentChange(
      context_->redis(), context_->prefix(), "CreateResidentialComment",
      request.request_id(), request, response, [&](Change& change) {
        absl::StatusOr<Stored<v1::ResidentialComment>> existing =
            context_->records().Get<v1::ResidentialComment>(name);
        if (existing.ok()) {
          return absl::AlreadyExistsError(absl::StrCat(
              name,
              " already exists: the residential cell comments once a "
              "year"));
        }
        if (!absl::IsNotFound(existing.status())) return existing.status();
        PersonChangeRecorder recorder(*context_, call, request.request_id(),
                                      "");
        v1::ResidentialComment c = in;
        c.set_name(name);
        c.set_year(year);
        *c.mutable_create_stamp() = recorder.stamp();
        if (request.validate_only()) {
          response = c;
          return absl::OkStatus();
        }
        recorder.RecordResource(change, person->message, name, 0, c, kComments);
        recorder.RecordJournal(
            change, person->message,
            MethodName(kService, "CreateResidentialComment"), name,
            absl::StrCat("Nhận xét năm ", year, " của chi bộ nơi cư trú về ",
                         person->message.full_name()),
            "", {});
        response = c;
        return absl::OkStatus();
      });
}

absl::Status CellLifeServiceImpl::DoListResidentialComments(
    const CallContext& call, const v1::ListResidentialCommentsRequest& request,
    v1::ListResidentialCommentsResponse& response) {
  FieldChecker check;
  if (request.parent().empty()) check.Add("parent", "is required");
  if (request.year() != 0 &&
      (request.year() < 2000 || request.year() > Today().year())) {
    check.Add("year", "is not a year of records");
  }
  if (!check.ok()) return check.status();
  absl::StatusOr<OffsetPage> page =
      OffsetPage::Of(request, request.page_size(), request.page_token());
  if (!page.ok()) return page.status();
  absl::StatusOr<std::vector<std::string>> names = PersonRecordNames(
      *context_, call, request.parent(), request.organization(), kComments);
  if (!names.ok()) return names.status();
  if (request.year() != 0) {
    const std::string suffix = absl::StrCat("/", request.year());
    names->erase(std::remove_if(names->begin(), names->end(),
                                [&](const std::string& n) {
                                  return !absl::EndsWith(n, suffix);
                                }),
                 names->end());
  }
  absl::StatusOr<std::vector<Stored<v1::ResidentialComment>>> stored =
      context_->records().GetMany<v1::ResidentialComment>(*names);
  if (!stored.ok()) return stored.status();
  page->Fill(stored->size(), response, [&](int i) {
    *response.add_residential_comments() = std::move((*stored)[i].message);
  });
  return absl::OkStatus();
}

}  // namespace partydev::membership
