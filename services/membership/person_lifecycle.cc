// PersonService: the member lifecycle (transfers, exemption, removal,
// resignation, death, disciplines, improvement periods, party age).
//
// Every mutation follows the same shape (person_access.h): validate the
// request's fields (INVALID_ARGUMENT naming each), read the person for
// change (subtree authorisation), require a recorder role (secretary or
// organization_board), check the etag, judge the domain rules by the rule
// set of the act's date (FAILED_PRECONDITION listing every unmet rule),
// then stage the person and the sub-resource in one Change under
// IdempotentChange. validate_only runs everything and stages nothing.
//
// Authorisation of transfers (a decision of this file): the sending side
// (a caller whose subtree holds the member's home organisation) creates,
// issues the letter of and cancels a transfer; the reception may be
// recorded by either the sending side or the receiving side (a caller whose
// subtree holds the receiving organisation), since in practice the
// receiving cell is the one that sees the letter; a temporary transfer may
// be ended by the home side or the host side. The receiving organisation
// need not be in the caller's subtree when the transfer is created: a cell
// sends members anywhere in partydev.
//
// Storage: sub-resources are records of the RecordStore,
// "people/{p}/transfers/{t}", "people/{p}/disciplines/{d}",
// "people/{p}/improvementPeriods/{i}" and "people/{p}/partyAgeGaps/{g}"
// (the gaps of party age recorded by hand or derived from a late transfer
// letter; the Person message has no field for them).

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/authorization.h"
#include "common/dates.h"
#include "common/errors.h"
#include "common/filters.h"
#include "common/ids.h"
#include "common/paging.h"
#include "google/protobuf/util/field_mask_util.h"
#include "services/membership/cell_life_records.h"
#include "services/membership/domain/early_warnings.h"
#include "services/membership/domain/party_age.h"
#include "services/membership/domain/violations.h"
#include "services/membership/journal.h"
#include "services/membership/organization_tree.h"
#include "services/membership/person_access.h"
#include "services/membership/person_service.h"

namespace partydev::membership {
namespace {

using common::v1::Date;
using common::v1::DecisionRef;
using common::v1::Stage;

constexpr absl::string_view kService = "PersonService";
constexpr absl::string_view kTransfers = "transfers";
constexpr absl::string_view kDisciplines = "disciplines";
constexpr absl::string_view kImprovementPeriods = "improvementPeriods";
constexpr absl::string_view kPartyAgeGaps = "partyAgeGaps";

absl::CivilDay Day(const Date& d) { return CivilDayOf(d); }

std::string StageWords(Stage stage) {
  switch (stage) {
    case common::v1::STAGE_PROBATION:
      return "đảng viên dự bị";
    case common::v1::STAGE_OFFICIAL:
      return "đảng viên chính thức";
    case common::v1::STAGE_LEFT:
      return "đã ra khỏi danh sách đảng viên";
    case common::v1::STAGE_WITHDRAWN:
    case common::v1::STAGE_REJECTED:
    case common::v1::STAGE_REMOVED_FROM_PROBATION:
      return "hồ sơ đã đóng";
    default:
      return "quần chúng (chưa là đảng viên)";
  }
}

// ABORTED when the client's etag is stale (AIP-154); an empty etag skips
// the check.
absl::Status CheckEtag(const std::string& etag, int64_t version,
                       absl::string_view what) {
  if (etag.empty() || VersionOfEtag(etag) == version) return absl::OkStatus();
  return WithReason(absl::AbortedError(absl::StrCat(
                        what, " changed since etag ", etag, " was read (now ",
                        EtagOf(version), "); read it again")),
                    "CONCURRENT_CHANGE");
}

// "people/{p}/{collection}/{id}" → "people/{p}"; INVALID_ARGUMENT naming
// `field` otherwise.
absl::StatusOr<std::string> ParentOfSub(const std::string& name,
                                        absl::string_view collection,
                                        absl::string_view field) {
  std::vector<std::string> parts = absl::StrSplit(name, '/');
  if (parts.size() != 4 || parts[0] != "people" || parts[2] != collection ||
      !IsValidResourceId(parts[1]) || !IsValidResourceId(parts[3])) {
    return InvalidField(field, absl::StrCat("\"", name,
                                            "\" is not a name of the form "
                                            "\"people/{id}/",
                                            collection, "/{id}\""));
  }
  return absl::StrCat(parts[0], "/", parts[1]);
}

// The id of a new sub-resource: the client's, validated, or a fresh one.
absl::StatusOr<std::string> NewSubId(const std::string& requested,
                                     absl::string_view field) {
  if (requested.empty()) return NewUuid();
  if (!IsValidResourceId(requested)) {
    return InvalidField(field,
                        "must match ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$");
  }
  return requested;
}

void CheckRequiredDate(FieldChecker& check, const Date& date,
                       absl::string_view field) {
  CheckDate(date, field, check);
}

void CheckOptionalDate(FieldChecker& check, const Date& date,
                       absl::string_view field) {
  if (!IsUnset(date)) CheckDate(date, field, check);
}

// A decision (number, signed_on) where one is required.
void CheckDecision(FieldChecker& check, const DecisionRef& d,
                   absl::string_view field, const Date& today) {
  if (d.number().empty()) {
    check.Add(absl::StrCat(field, ".number"), "is required (\"125-QĐ/ĐUK\")");
  }
  CheckDate(d.signed_on(), absl::StrCat(field, ".signed_on"), check);
  if (IsValidDate(d.signed_on()) && Day(d.signed_on()) > Day(today)) {
    check.Add(absl::StrCat(field, ".signed_on"), "is in the future");
  }
  if (!d.deciding_organization().empty()) {
    CheckOrganizationRef(check, d.deciding_organization(),
                         absl::StrCat(field, ".deciding_organization"));
  }
}

void CheckNotFuture(FieldChecker& check, const Date& date,
                    absl::string_view field, const Date& today) {
  if (IsValidDate(date) && Day(date) > Day(today)) {
    check.Add(field, "is in the future");
  }
}

absl::StatusOr<const v1::RuleSet*> RulesOn(MembershipContext& context,
                                           const Date& date) {
  return context.rules()(date);
}

// The organisation named `name`, which must exist and be active.
absl::StatusOr<v1::Organization> ActiveOrganization(MembershipContext& context,
                                                    const std::string& name,
                                                    absl::string_view field) {
  absl::StatusOr<StoredOrganization> org =
      context.organizations().Get(OrganizationId(name));
  if (absl::IsNotFound(org.status())) {
    return InvalidField(field, absl::StrCat(name, " does not exist"));
  }
  if (!org.ok()) return org.status();
  if (org->organization.state() != v1::ORGANIZATION_STATE_ACTIVE) {
    return InvalidField(field, absl::StrCat(name,
                                            " is no longer active (merged, "
                                            "split or dissolved)"));
  }
  return org->organization;
}

std::vector<std::string> PathOf(const v1::Organization& org) {
  return {org.path().begin(), org.path().end()};
}

bool PathHolds(const v1::Organization& org, const std::string& ancestor) {
  return std::find(org.path().begin(), org.path().end(), ancestor) !=
         org.path().end();
}

v1::Deadline MakeDeadline(common::v1::DeadlineKind kind,
                          const std::string& subject, const Date& from,
                          int length, v1::DurationUnit unit, absl::CivilDay due,
                          absl::string_view rule,
                          const std::string& responsible) {
  v1::Deadline d;
  d.set_kind(kind);
  d.set_subject(subject);
  *d.mutable_counted_from() = from;
  d.set_length(length);
  d.set_unit(unit);
  *d.mutable_due_on() = FromCivilDay(due);
  d.set_overdue(due < Day(Today()));
  d.set_rule_id(std::string(rule));
  d.set_responsible_organization(responsible);
  return d;
}

// Removes the person's deadlines about `subject`.
void RemoveDeadlines(v1::Person& person, const std::string& subject) {
  auto* list = person.mutable_deadlines();
  list->erase(std::remove_if(list->begin(), list->end(),
                             [&](const v1::Deadline& d) {
                               return d.subject() == subject;
                             }),
              list->end());
}

// Closes the open affiliations of `role` on `last_day`.
void CloseAffiliations(v1::Person& person, v1::AffiliationRole role,
                       const Date& last_day) {
  for (auto& a : *person.mutable_affiliations()) {
    if (a.role() == role && IsUnset(a.ends_on())) {
      *a.mutable_ends_on() = last_day;
    }
  }
}

void AddAffiliation(v1::Person& person, const std::string& org,
                    v1::AffiliationRole role, const Date& first_day,
                    const std::string& source) {
  v1::Affiliation* a = person.add_affiliations();
  a->set_organization(org);
  a->set_role(role);
  *a->mutable_starts_on() = first_day;
  a->set_source(source);
}

Date DayBefore(const Date& d) { return FromCivilDay(Day(d) - 1); }

// The status of a member who is back to normal party life: exempt when an
// exemption from meetings still runs.
v1::PersonStatus SettledStatus(const v1::Person& p) {
  return p.has_exemption() &&
                 p.exemption().scope() == v1::EXEMPTION_SCOPE_WORK_AND_MEETINGS
             ? v1::PERSON_STATUS_EXEMPT
             : v1::PERSON_STATUS_ACTIVE;
}

template <typename Message>
absl::StatusOr<std::vector<Stored<Message>>> ReadCollection(
    MembershipContext& context, const std::string& person,
    absl::string_view collection) {
  absl::StatusOr<std::vector<std::string>> ids = context.records().All(
      context.records().CollectionKey(person, collection));
  if (!ids.ok()) return ids.status();
  std::vector<std::string> names;
  names.reserve(ids->size());
  for (const auto& id : *ids) {
    names.push_back(absl::StrCat(person, "/", collection, "/", id));
  }
  return context.records().GetMany<Message>(names);
}

// The names of a collection held by the organisations of `org`'s subtree
// (the organisation itself included), for the "people/-" lists.
absl::StatusOr<std::vector<std::string>> SubtreeCollection(
    MembershipContext& context, const v1::Organization& org,
    absl::string_view collection) {
  absl::StatusOr<std::vector<std::string>> subtree =
      context.organizations().SubtreeIds(org);
  if (!subtree.ok()) return subtree.status();
  const std::vector<std::string>& org_ids = *subtree;
  std::vector<std::string> names;
  for (const auto& id : org_ids) {
    absl::StatusOr<std::vector<std::string>> some = context.records().All(
        context.records().OrganizationIndexKey(id, collection));
    if (!some.ok()) return some.status();
    names.insert(names.end(), some->begin(), some->end());
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

// Paging over an in-memory, ordered list: the token carries the offset.
struct PageWindow {
  size_t begin = 0;
  size_t end = 0;
  std::string next_token;
};

absl::StatusOr<PageWindow> Window(const google::protobuf::Message& request,
                                  int page_size, const std::string& token,
                                  size_t total) {
  absl::StatusOr<int> size = ResolvePageSize(page_size);
  if (!size.ok()) return size.status();
  const std::string fingerprint = RequestFingerprint(request);
  absl::StatusOr<std::string> cursor = DecodePageToken(token, fingerprint);
  if (!cursor.ok()) return cursor.status();
  PageWindow w;
  if (!cursor->empty()) {
    w.begin = std::min<size_t>(total, std::stoul(*cursor));
  }
  w.end = std::min(total, w.begin + static_cast<size_t>(*size));
  if (w.end < total) {
    w.next_token = EncodePageToken(std::to_string(w.end), fingerprint);
  }
  return w;
}

// The list's scope: a person's own records, or ("people/-") those of an
// organisation's subtree. Returns the resource names to read.
absl::StatusOr<std::vector<std::string>> ListScope(
    MembershipContext& context, const CallContext& call,
    const std::string& parent, const std::string& organization,
    absl::string_view collection) {
  if (parent == "people/-") {
    std::string org_name =
        organization.empty() ? call.principal.organization : organization;
    if (org_name.empty()) {
      return InvalidField("organization",
                          "is required with \"people/-\" for a caller "
                          "without an organisation");
    }
    FieldChecker check;
    CheckOrganizationRef(check, org_name, "organization");
    if (!check.ok()) return check.status();
    absl::StatusOr<StoredOrganization> org =
        context.organizations().Get(OrganizationId(org_name));
    if (!org.ok()) return org.status();
    if (!CoversPath(call.principal, PathOf(org->organization))) {
      return RequireWithinSubtree(call.principal, PathOf(org->organization),
                                  org_name);
    }
    return SubtreeCollection(context, org->organization, collection);
  }
  absl::StatusOr<StoredPerson> person =
      ReadPersonForRead(context, call, parent, "parent");
  if (!person.ok()) return person.status();
  absl::StatusOr<std::vector<std::string>> ids = context.records().All(
      context.records().CollectionKey(parent, collection));
  if (!ids.ok()) return ids.status();
  std::vector<std::string> names;
  for (const auto& id : *ids) {
    names.push_back(absl::StrCat(parent, "/", collection, "/", id));
  }
  return names;
}

// ListTransfers' filter: AIP-160 (common/filters.h) over Transfer's
// fields, plus `overdue` (also `overdue = true` / `overdue = false`), which
// is no field of Transfer but derived from its deadlines and today. Its
// term is taken out of the AND-joined terms here; the rest is parsed by
// Filter::Parse as usual.
struct TransferFilter {
  Filter fields;
  std::optional<bool> overdue;
};

absl::StatusOr<TransferFilter> ParseTransferFilter(const std::string& text) {
  TransferFilter out;
  std::vector<absl::string_view> rest;
  for (absl::string_view term :
       absl::StrSplit(text, " AND ", absl::SkipWhitespace())) {
    absl::string_view t = absl::StripAsciiWhitespace(term);
    if (!absl::ConsumePrefix(&t, "overdue") ||
        (!t.empty() && (absl::ascii_isalnum(static_cast<unsigned char>(t[0])) ||
                        t[0] == '_' || t[0] == '.'))) {
      rest.push_back(term);
      continue;
    }
    const std::string compact = absl::StrReplaceAll(t, {{" ", ""}});
    if (compact.empty() || compact == "=true") {
      out.overdue = true;
    } else if (compact == "=false") {
      out.overdue = false;
    } else {
      return InvalidField("filter",
                          absl::StrCat("\"", absl::StripAsciiWhitespace(term),
                                       "\": write `overdue`, `overdue = true` "
                                       "or `overdue = false`"));
    }
  }
  absl::StatusOr<Filter> fields = Filter::Parse(
      absl::StrJoin(rest, " AND "), *v1::Transfer::descriptor(),
      {"kind", "reason", "state", "direction", "moved_on", "overdue"});
  if (!fields.ok()) return fields.status();
  out.fields = *std::move(fields);
  return out;
}

bool AnyOverdue(const google::protobuf::RepeatedPtrField<v1::Deadline>& ds) {
  const absl::CivilDay today = Day(Today());
  for (const auto& d : ds) {
    if (IsValidDate(d.due_on()) && Day(d.due_on()) < today) return true;
  }
  return false;
}

}  // namespace

// ---------------------------------------------------------------- Transfers

absl::Status PersonServiceImpl::DoCreateTransfer(
    const CallContext& call, const v1::CreateTransferRequest& request,
    v1::Transfer& response) {
  return IdempotentChange<v1::Transfer>(
      context_->redis(), context_->prefix(), "CreateTransfer",
      request.request_id(), request, response, [&](Change& change) {
        const Date today = Today();
        const v1::Transfer& in = request.transfer();
        FieldChecker check;
        CheckPersonName(check, request.parent(), "parent");
        if (in.kind() == v1::TRANSFER_KIND_UNSPECIFIED) {
          check.Add("transfer.kind", "is required (OFFICIAL or TEMPORARY)");
        }
        if (in.reason() == v1::TRANSFER_REASON_UNSPECIFIED) {
          check.Add("transfer.reason", "is required");
        }
        CheckRequiredDate(check, in.moved_on(), "transfer.moved_on");
        CheckNotFuture(check, in.moved_on(), "transfer.moved_on", today);
        const int ends = (!in.to_organization().empty() ? 1 : 0) +
                         (!in.external_destination().empty() ? 1 : 0) +
                         (!in.external_origin().empty() ? 1 : 0);
        if (ends == 0) {
          check.Add("transfer.to_organization",
                    "is required unless external_destination or "
                    "external_origin is set");
        }
        if (!in.external_destination().empty() &&
            !in.external_origin().empty()) {
          check.Add("transfer.external_origin",
                    "cannot be set with external_destination");
        }
        if (!in.to_organization().empty() &&
            !in.external_destination().empty()) {
          check.Add("transfer.external_destination",
                    "cannot be set with to_organization");
        }
        if (!in.to_organization().empty()) {
          CheckOrganizationRef(check, in.to_organization(),
                               "transfer.to_organization");
        }
        if (in.kind() == v1::TRANSFER_KIND_TEMPORARY) {
          if (IsUnset(in.expected_end_on())) {
            check.Add("transfer.expected_end_on",
                      "is required for a temporary transfer");
          } else {
            CheckDate(in.expected_end_on(), "transfer.expected_end_on", check);
          }
        }
        if (!check.ok()) return check.status();
        absl::StatusOr<std::string> id =
            NewSubId(request.transfer_id(), "transfer_id");
        if (!id.ok()) return id.status();

        absl::StatusOr<StoredPerson> person =
            ReadPersonForChange(*context_, call, request.parent(), "parent");
        if (!person.ok()) return person.status();
        if (absl::Status s =
                RequireRecorder(call.principal, "start a transfer");
            !s.ok()) {
          return s;
        }
        const v1::Person& p = person->message;
        const std::string name =
            absl::StrCat(request.parent(), "/transfers/", *id);
        if (absl::StatusOr<Stored<v1::Transfer>> existing =
                context_->records().Get<v1::Transfer>(name);
            existing.ok()) {
          return WithReason(
              absl::AlreadyExistsError(absl::StrCat(name, " already exists")),
              "RESOURCE_EXISTS");
        }

        v1::Transfer t;
        t.set_name(name);
        t.set_kind(in.kind());
        t.set_reason(in.reason());
        t.set_reason_detail(in.reason_detail());
        *t.mutable_moved_on() = in.moved_on();
        *t.mutable_expected_end_on() = in.expected_end_on();
        t.set_external_destination(in.external_destination());
        t.set_external_origin(in.external_origin());
        if (!in.external_origin().empty()) {
          // Inbound: the person was registered at the receiving organisation
          // with CreatePerson (lifecycle.proto, TRANSFER_DIRECTION_INBOUND).
          t.set_direction(v1::TRANSFER_DIRECTION_INBOUND);
          t.set_to_organization(in.to_organization().empty()
                                    ? p.organization()
                                    : in.to_organization());
        } else if (!in.external_destination().empty()) {
          t.set_direction(v1::TRANSFER_DIRECTION_OUTBOUND);
          t.set_from_organization(p.organization());
        } else {
          t.set_direction(v1::TRANSFER_DIRECTION_INTERNAL);
          t.set_from_organization(p.organization());
          t.set_to_organization(in.to_organization());
        }
        if (t.direction() == v1::TRANSFER_DIRECTION_INTERNAL) {
          absl::StatusOr<v1::Organization> to = ActiveOrganization(
              *context_, t.to_organization(), "transfer.to_organization");
          if (!to.ok()) return to.status();
          if (t.to_organization() == p.organization()) {
            return InvalidField("transfer.to_organization",
                                "is the member's own organisation");
          }
        }

        absl::StatusOr<const v1::RuleSet*> rules =
            RulesOn(*context_, in.moved_on());
        if (!rules.ok()) return rules.status();
        const v1::TransferRules& tr = (*rules)->transfers();
        domain::Violations unmet(**rules);
        // transfer.member_only: only members transfer their party activity
        // (domain.md "Member lifecycle"); candidates change cell through
        // their admission case.
        if (!IsMemberOnRolls(p)) {
          unmet.Add(
              "transfer.member_only", p.name(),
              absl::StrCat("Chỉ đảng viên mới chuyển sinh hoạt đảng; ",
                           p.full_name(), " hiện là ", StageWords(p.stage())));
        }
        // transfer.temporary_length: 3 months to under 1 year for work or
        // residence, 3 months to 2 years for full-time study (rule set).
        if (t.kind() == v1::TRANSFER_KIND_TEMPORARY) {
          const absl::CivilDay from = Day(t.moved_on());
          const absl::CivilDay to = Day(t.expected_end_on());
          const bool study = t.reason() == v1::TRANSFER_REASON_STUDY;
          const bool too_short =
              to < AddMonths(from, tr.temporary_min_months());
          const bool too_long =
              study
                  ? to > AddMonths(from, tr.temporary_study_max_months())
                  : to >= AddMonths(from, tr.temporary_max_months_exclusive());
          if (too_short || too_long) {
            unmet.Add(
                "transfer.temporary_length", "transfer.expected_end_on",
                absl::StrCat(
                    "Chuyển sinh hoạt tạm thời từ ", FormatDate(t.moved_on()),
                    " đến ", FormatDate(t.expected_end_on()), " là ",
                    FormatMonths(FullMonthsBetween(from, to)), "; ",
                    study ? absl::StrCat(
                                "đi học cần từ ", tr.temporary_min_months(),
                                " tháng đến ", tr.temporary_study_max_months(),
                                " tháng")
                          : absl::StrCat("cần từ ", tr.temporary_min_months(),
                                         " tháng đến dưới ",
                                         tr.temporary_max_months_exclusive(),
                                         " tháng")));
          }
        }
        // transfer.one_open: one open transfer per person, so that the
        // member's home and host are never ambiguous.
        absl::StatusOr<std::vector<Stored<v1::Transfer>>> others =
            ReadCollection<v1::Transfer>(*context_, p.name(), kTransfers);
        if (!others.ok()) return others.status();
        for (const auto& o : *others) {
          const auto s = o.message.state();
          if (s == v1::TRANSFER_STATE_PENDING_LETTER ||
              s == v1::TRANSFER_STATE_LETTER_ISSUED ||
              (s == v1::TRANSFER_STATE_RECEIVED &&
               o.message.kind() == v1::TRANSFER_KIND_TEMPORARY)) {
            unmet.Add("transfer.one_open", o.message.name(),
                      absl::StrCat(
                          "Đảng viên đang có một việc chuyển sinh hoạt "
                          "chưa xong (",
                          o.message.name(), "); hãy hoàn tất hoặc hủy trước"));
          }
        }
        if (!unmet.empty()) return RulesViolated(unmet.Take());

        // DEADLINE_KIND_TRANSFER_START_DUE: the letter is due within 60
        // working days of the move (rule set, domain.md).
        const int n = tr.official_start_deadline_working_days();
        absl::StatusOr<absl::CivilDay> due =
            context_->calendar().AddWorkingDays(Day(t.moved_on()), n);
        if (!due.ok()) return due.status();
        v1::Deadline deadline = MakeDeadline(
            common::v1::DEADLINE_KIND_TRANSFER_START_DUE, name, t.moved_on(), n,
            v1::DURATION_UNIT_WORKING_DAYS, *due,
            "transfers.official_start_deadline_working_days", p.organization());
        *t.add_deadlines() = deadline;
        t.set_state(v1::TRANSFER_STATE_PENDING_LETTER);

        PersonChangeRecorder recorder(*context_, call, request.request_id(),
                                      "");
        *t.mutable_create_stamp() = recorder.stamp();
        *t.mutable_update_stamp() = recorder.stamp();
        t.set_etag(EtagOf(1));
        response = t;
        if (request.validate_only()) return absl::OkStatus();

        v1::Person after = p;
        *after.add_deadlines() = deadline;
        recorder.RecordResource(change, after, name, 0, t, kTransfers);
        if (!t.to_organization().empty() &&
            t.to_organization() != p.organization()) {
          // The receiving side lists the transfers coming to it.
          change.write.ZAdd(
              context_->records().OrganizationIndexKey(
                  OrganizationId(t.to_organization()), kTransfers),
              0, name);
        }
        recorder.Record(
            change, &*person, after, MethodName(kService, "CreateTransfer"),
            absl::StrCat("Bắt đầu chuyển sinh hoạt đảng ",
                         t.kind() == v1::TRANSFER_KIND_OFFICIAL ? "chính thức"
                                                                : "tạm thời"),
            {});
        return absl::OkStatus();
      });
}

absl::Status PersonServiceImpl::DoGetTransfer(
    const CallContext& call, const v1::GetTransferRequest& request,
    v1::Transfer& response) {
  absl::StatusOr<std::string> parent =
      ParentOfSub(request.name(), kTransfers, "name");
  if (!parent.ok()) return parent.status();
  absl::StatusOr<Stored<v1::Transfer>> t =
      context_->records().Get<v1::Transfer>(request.name());
  if (!t.ok()) return t.status();
  absl::StatusOr<StoredPerson> person = context_->people().Get(*parent);
  if (!person.ok()) return person.status();
  // The sending and the receiving side both read the transfer.
  bool covered =
      CallerCoversPerson(*context_, call.principal, person->message, true);
  if (!covered && !t->message.to_organization().empty()) {
    absl::StatusOr<StoredOrganization> to = context_->organizations().Get(
        OrganizationId(t->message.to_organization()));
    covered = to.ok() && CoversPath(call.principal, PathOf(to->organization));
  }
  if (!covered) {
    return RequireWithinSubtree(call.principal,
                                {person->message.organization_path().begin(),
                                 person->message.organization_path().end()},
                                request.name());
  }
  response = t->message;
  ApplyEtag(response, t->version);
  return absl::OkStatus();
}

absl::Status PersonServiceImpl::DoListTransfers(
    const CallContext& call, const v1::ListTransfersRequest& request,
    v1::ListTransfersResponse& response) {
  absl::StatusOr<TransferFilter> filter = ParseTransferFilter(request.filter());
  if (!filter.ok()) return filter.status();
  absl::StatusOr<std::vector<std::string>> names = ListScope(
      *context_, call, request.parent(), request.organization(), kTransfers);
  if (!names.ok()) return names.status();
  absl::StatusOr<std::vector<Stored<v1::Transfer>>> all =
      context_->records().GetMany<v1::Transfer>(*names);
  if (!all.ok()) return all.status();
  std::vector<v1::Transfer> matching;
  for (auto& s : *all) {
    if (!filter->fields.Matches(s.message)) continue;
    if (filter->overdue.has_value() &&
        AnyOverdue(s.message.deadlines()) != *filter->overdue) {
      continue;
    }
    matching.push_back(std::move(s.message));
  }
  // Newest move first; the name breaks ties so that paging is stable.
  std::sort(matching.begin(), matching.end(),
            [](const v1::Transfer& a, const v1::Transfer& b) {
              if (Day(a.moved_on()) != Day(b.moved_on())) {
                return Day(a.moved_on()) > Day(b.moved_on());
              }
              return a.name() < b.name();
            });
  absl::StatusOr<PageWindow> w = Window(request, request.page_size(),
                                        request.page_token(), matching.size());
  if (!w.ok()) return w.status();
  for (size_t i = w->begin; i < w->end; ++i) {
    *response.add_transfers() = std::move(matching[i]);
  }
  response.set_next_page_token(w->next_token);
  response.set_total_size(static_cast<int>(matching.size()));
  return absl::OkStatus();
}

namespace {

// Who may act on a transfer (see the file comment).
enum class Side { kSending, kSendingOrReceiving, kHomeOrHost };

struct TransferCase {
  Stored<v1::Transfer> transfer;
  StoredPerson person;
};

absl::StatusOr<TransferCase> ReadTransferForChange(MembershipContext& context,
                                                   const CallContext& call,
                                                   const std::string& name,
                                                   const std::string& etag,
                                                   Side side,
                                                   absl::string_view action) {
  absl::StatusOr<std::string> parent = ParentOfSub(name, kTransfers, "name");
  if (!parent.ok()) return parent.status();
  absl::StatusOr<StoredPerson> person = context.people().Get(*parent);
  if (!person.ok()) return person.status();
  absl::StatusOr<Stored<v1::Transfer>> t =
      context.records().Get<v1::Transfer>(name);
  if (!t.ok()) return t.status();
  const v1::Person& p = person->message;
  bool covered = CallerCoversPerson(context, call.principal, p, false);
  std::string other;
  if (side == Side::kSendingOrReceiving) other = t->message.to_organization();
  if (side == Side::kHomeOrHost) other = p.host_organization();
  if (!covered && !other.empty()) {
    absl::StatusOr<StoredOrganization> o =
        context.organizations().Get(OrganizationId(other));
    covered = o.ok() && CoversPath(call.principal, PathOf(o->organization));
  }
  if (!covered) {
    return RequireWithinSubtree(
        call.principal,
        {p.organization_path().begin(), p.organization_path().end()}, name);
  }
  if (absl::Status s = RequireRecorder(call.principal, action); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckEtag(etag, t->version, name); !s.ok()) return s;
  return TransferCase{*std::move(t), *std::move(person)};
}

std::string StateWords(v1::TransferState s) {
  switch (s) {
    case v1::TRANSFER_STATE_PENDING_LETTER:
      return "chờ cấp giấy giới thiệu";
    case v1::TRANSFER_STATE_LETTER_ISSUED:
      return "đã cấp giấy giới thiệu";
    case v1::TRANSFER_STATE_RECEIVED:
      return "đã được tiếp nhận";
    case v1::TRANSFER_STATE_ENDED:
      return "đã kết thúc";
    case v1::TRANSFER_STATE_CANCELLED:
      return "đã hủy";
    default:
      return "không rõ";
  }
}

void RequireState(domain::Violations& unmet, const v1::Transfer& t,
                  std::initializer_list<v1::TransferState> allowed,
                  absl::string_view step) {
  for (auto s : allowed) {
    if (t.state() == s) return;
  }
  unmet.Add("transfer.state", t.name(),
            absl::StrCat("Không thể ", step, ": việc chuyển sinh hoạt ",
                         StateWords(t.state())));
}

events::v1::Event TransferEvent(
    const PersonChangeRecorder& recorder, const v1::Person& person,
    const v1::Transfer& t, const Date& act_date, absl::string_view phase,
    const std::string& to_organization,
    const google::protobuf::RepeatedPtrField<std::string>& to_path) {
  events::v1::Event e = recorder.NewPersonEvent(person, act_date);
  auto* m = e.mutable_member_transferred();
  m->set_person(person.name());
  m->set_from_organization(t.from_organization());
  m->set_to_organization(to_organization);
  *m->mutable_to_organization_path() = to_path;
  m->set_temporary(t.kind() == v1::TRANSFER_KIND_TEMPORARY);
  m->set_phase(std::string(phase));
  return e;
}

// The transfer written back at its next version, for the response.
void Stamp(v1::Transfer& t, const PersonChangeRecorder& recorder,
           int64_t version) {
  *t.mutable_update_stamp() = recorder.stamp();
  t.set_etag(EtagOf(version + 1));
}

}  // namespace

absl::Status PersonServiceImpl::DoIssueTransferLetter(
    const CallContext& call, const v1::IssueTransferLetterRequest& request,
    v1::Transfer& response) {
  return IdempotentChange<v1::Transfer>(
      context_->redis(), context_->prefix(), "IssueTransferLetter",
      request.request_id(), request, response, [&](Change& change) {
        const Date today = Today();
        FieldChecker check;
        CheckDecision(check, request.letter(), "letter", today);
        if (!check.ok()) return check.status();
        absl::StatusOr<TransferCase> c = ReadTransferForChange(
            *context_, call, request.name(), request.etag(), Side::kSending,
            "issue a transfer letter");
        if (!c.ok()) return c.status();
        v1::Transfer t = c->transfer.message;
        const v1::Person& p = c->person.message;
        absl::StatusOr<const v1::RuleSet*> rules =
            RulesOn(*context_, request.letter().signed_on());
        if (!rules.ok()) return rules.status();
        domain::Violations unmet(**rules);
        RequireState(unmet, t, {v1::TRANSFER_STATE_PENDING_LETTER},
                     "cấp giấy giới thiệu");
        if (Day(request.letter().signed_on()) < Day(t.moved_on()) - 366) {
          unmet.Add("transfer.letter_date", "letter.signed_on",
                    "Giấy giới thiệu ký trước ngày chuyển đi hơn một năm");
        }
        if (!unmet.empty()) return RulesViolated(unmet.Take());

        // DEADLINE_KIND_TRANSFER_LETTER_DUE: presented to the receiving cell
        // within 30 working days of the letter (rule set, domain.md).
        const int n =
            (*rules)->transfers().letter_presentation_deadline_working_days();
        absl::StatusOr<absl::CivilDay> due =
            context_->calendar().AddWorkingDays(
                Day(request.letter().signed_on()), n);
        if (!due.ok()) return due.status();
        v1::Deadline deadline = MakeDeadline(
            common::v1::DEADLINE_KIND_TRANSFER_LETTER_DUE, t.name(),
            request.letter().signed_on(), n, v1::DURATION_UNIT_WORKING_DAYS,
            *due, "transfers.letter_presentation_deadline_working_days",
            t.to_organization().empty() ? p.organization()
                                        : t.to_organization());
        *t.mutable_letter() = request.letter();
        t.set_state(v1::TRANSFER_STATE_LETTER_ISSUED);
        t.clear_deadlines();
        *t.add_deadlines() = deadline;

        PersonChangeRecorder recorder(*context_, call, request.request_id(),
                                      "");
        Stamp(t, recorder, c->transfer.version);
        response = t;
        if (request.validate_only()) return absl::OkStatus();

        v1::Person after = p;
        RemoveDeadlines(after, t.name());
        *after.add_deadlines() = deadline;
        std::vector<events::v1::Event> events;
        events.push_back(TransferEvent(recorder, p, t,
                                       request.letter().signed_on(),
                                       "introduced", t.to_organization(), {}));
        if (t.kind() == v1::TRANSFER_KIND_OFFICIAL) {
          if (t.direction() == v1::TRANSFER_DIRECTION_INTERNAL) {
            // Between the letter and the reception the member is between
            // organisations (PERSON_STATUS_TRANSFER_PENDING).
            after.set_status(v1::PERSON_STATUS_TRANSFER_PENDING);
          } else if (t.direction() == v1::TRANSFER_DIRECTION_OUTBOUND) {
            // An official transfer out takes the member off partydev's rolls
            // (people.proto, IssueTransferLetter); they remain a member of the
            // Party, so the stage stays.
            after.set_status(v1::PERSON_STATUS_TRANSFERRED_OUT);
            v1::Departure* d = after.mutable_departure();
            d->set_kind(common::v1::DEPARTURE_KIND_TRANSFERRED_OUT);
            *d->mutable_left_on() = request.letter().signed_on();
            *d->mutable_decision() = request.letter();
            d->set_source(t.name());
            CloseAffiliations(after, v1::AFFILIATION_ROLE_HOME,
                              request.letter().signed_on());
            events::v1::Event e =
                recorder.NewPersonEvent(p, request.letter().signed_on());
            auto* m = e.mutable_member_left();
            m->set_person(p.name());
            m->set_organization(p.organization());
            m->set_kind(common::v1::DEPARTURE_KIND_TRANSFERRED_OUT);
            *m->mutable_decision() = request.letter();
            events.push_back(std::move(e));
          }
        }
        recorder.RecordResource(change, after, t.name(), c->transfer.version, t,
                                kTransfers);
        recorder.Record(change, &c->person, after,
                        MethodName(kService, "IssueTransferLetter"),
                        absl::StrCat("Cấp giấy giới thiệu sinh hoạt đảng số ",
                                     request.letter().number()),
                        std::move(events));
        return absl::OkStatus();
      });
}

absl::Status PersonServiceImpl::DoReceiveTransfer(
    const CallContext& call, const v1::ReceiveTransferRequest& request,
    v1::Transfer& response) {
  return IdempotentChange<v1::Transfer>(
      context_->redis(), context_->prefix(), "ReceiveTransfer",
      request.request_id(), request, response, [&](Change& change) {
        const Date today = Today();
        FieldChecker check;
        CheckRequiredDate(check, request.received_on(), "received_on");
        CheckNotFuture(check, request.received_on(), "received_on", today);
        if (!request.receiving_cell().empty()) {
          CheckOrganizationRef(check, request.receiving_cell(),
                               "receiving_cell");
        }
        if (!check.ok()) return check.status();
        absl::StatusOr<TransferCase> c = ReadTransferForChange(
            *context_, call, request.name(), request.etag(),
            Side::kSendingOrReceiving, "record the reception of a transfer");
        if (!c.ok()) return c.status();
        v1::Transfer t = c->transfer.message;
        const v1::Person& p = c->person.message;
        absl::StatusOr<const v1::RuleSet*> rules =
            RulesOn(*context_, request.received_on());
        if (!rules.ok()) return rules.status();
        domain::Violations unmet(**rules);
        RequireState(unmet, t, {v1::TRANSFER_STATE_LETTER_ISSUED},
                     "ghi nhận tiếp nhận (cần cấp giấy giới thiệu trước)");
        if (t.has_letter() &&
            Day(request.received_on()) < Day(t.letter().signed_on())) {
          unmet.Add(
              "transfer.received_after_letter", "received_on",
              absl::StrCat("Ngày tiếp nhận ", FormatDate(request.received_on()),
                           " trước ngày ký giấy giới thiệu ",
                           FormatDate(t.letter().signed_on())));
        }
        // The receiving cell: the one named, or the receiving organisation
        // itself; it must lie in the receiving organisation's subtree.
        v1::Organization cell;
        const bool internal = t.direction() != v1::TRANSFER_DIRECTION_OUTBOUND;
        if (internal) {
          const std::string cell_name = request.receiving_cell().empty()
                                            ? t.to_organization()
                                            : request.receiving_cell();
          absl::StatusOr<v1::Organization> org =
              ActiveOrganization(*context_, cell_name, "receiving_cell");
          if (!org.ok()) return org.status();
          cell = *std::move(org);
          if (cell.name() != t.to_organization() &&
              !PathHolds(cell, t.to_organization())) {
            return InvalidField("receiving_cell",
                                absl::StrCat(cell_name,
                                             " is not under the receiving "
                                             "organisation ",
                                             t.to_organization()));
          }
        }
        if (!unmet.empty()) return RulesViolated(unmet.Take());

        PersonChangeRecorder recorder(*context_, call, request.request_id(),
                                      "");
        *t.mutable_received_on() = request.received_on();
        if (internal) t.set_receiving_cell(cell.name());
        t.set_state(v1::TRANSFER_STATE_RECEIVED);
        t.clear_deadlines();
        v1::Person after = p;
        RemoveDeadlines(after, t.name());
        std::vector<events::v1::Event> events;
        // A letter presented late: the days from its deadline to the
        // presentation do not count towards party age where the rule set
        // says so (transfers.late_presentation_is_gap; domain.md "Party
        // age": gaps between transfers).
        std::optional<v1::PartyAgeGap> gap;
        for (const auto& d : c->transfer.message.deadlines()) {
          if (d.kind() == common::v1::DEADLINE_KIND_TRANSFER_LETTER_DUE &&
              (*rules)->transfers().late_presentation_is_gap() &&
              Day(request.received_on()) - Day(d.due_on()) > 1) {
            gap.emplace();
            gap->set_kind(v1::PARTY_AGE_GAP_KIND_BETWEEN_TRANSFERS);
            *gap->mutable_starts_on() = FromCivilDay(Day(d.due_on()) + 1);
            *gap->mutable_ends_on() = DayBefore(request.received_on());
            gap->set_derived(true);
            gap->set_note(absl::StrCat("Giấy giới thiệu nộp muộn: ", t.name()));
          }
        }
        if (t.kind() == v1::TRANSFER_KIND_OFFICIAL) {
          if (internal) {
            // The member now belongs to the receiving cell from received_on
            // (people.proto, ReceiveTransfer); the store moves the roll
            // entries and counters.
            after.set_organization(cell.name());
            *after.mutable_organization_path() = cell.path();
            after.set_status(SettledStatus(after));
            CloseAffiliations(after, v1::AFFILIATION_ROLE_HOME,
                              DayBefore(request.received_on()));
            AddAffiliation(after, cell.name(), v1::AFFILIATION_ROLE_HOME,
                           request.received_on(), t.name());
          }
          events.push_back(TransferEvent(
              recorder, after, t, request.received_on(), "completed",
              internal ? cell.name() : "", cell.path()));
        } else {
          // Temporary: attends at the host, counted, votes and stands at
          // home (lifecycle.proto, TRANSFER_KIND_TEMPORARY).
          after.set_status(v1::PERSON_STATUS_TEMPORARILY_AWAY);
          if (internal) {
            after.set_host_organization(cell.name());
            AddAffiliation(after, cell.name(),
                           v1::AFFILIATION_ROLE_TEMPORARY_HOST,
                           request.received_on(), t.name());
          }
          absl::CivilDay end = Day(t.expected_end_on());
          v1::Deadline deadline =
              MakeDeadline(common::v1::DEADLINE_KIND_TEMPORARY_TRANSFER_ENDS,
                           t.name(), request.received_on(),
                           static_cast<int>(end - Day(request.received_on())),
                           v1::DURATION_UNIT_CALENDAR_DAYS, end,
                           "transfers.temporary_length", p.organization());
          *t.add_deadlines() = deadline;
          *after.add_deadlines() = deadline;
          events.push_back(
              TransferEvent(recorder, p, t, request.received_on(), "received",
                            internal ? cell.name() : "", cell.path()));
        }
        Stamp(t, recorder, c->transfer.version);
        response = t;
        if (request.validate_only()) return absl::OkStatus();
        recorder.RecordResource(change, after, t.name(), c->transfer.version, t,
                                kTransfers);
        if (gap.has_value()) {
          const std::string gap_name =
              absl::StrCat(p.name(), "/partyAgeGaps/", NewUuid());
          recorder.RecordResource(change, after, gap_name, 0, *gap,
                                  kPartyAgeGaps);
        }
        recorder.Record(change, &c->person, after,
                        MethodName(kService, "ReceiveTransfer"),
                        absl::StrCat("Tiếp nhận sinh hoạt đảng ",
                                     internal ? cell.display_name()
                                              : t.external_destination()),
                        std::move(events));
        return absl::OkStatus();
      });
}

absl::Status PersonServiceImpl::DoEndTemporaryTransfer(
    const CallContext& call, const v1::EndTemporaryTransferRequest& request,
    v1::Transfer& response) {
  return IdempotentChange<v1::Transfer>(
      context_->redis(), context_->prefix(), "EndTemporaryTransfer",
      request.request_id(), request, response, [&](Change& change) {
        const Date today = Today();
        FieldChecker check;
        CheckRequiredDate(check, request.ended_on(), "ended_on");
        CheckNotFuture(check, request.ended_on(), "ended_on", today);
        if (!check.ok()) return check.status();
        absl::StatusOr<TransferCase> c = ReadTransferForChange(
            *context_, call, request.name(), request.etag(), Side::kHomeOrHost,
            "end a temporary transfer");
        if (!c.ok()) return c.status();
        v1::Transfer t = c->transfer.message;
        const v1::Person& p = c->person.message;
        absl::StatusOr<const v1::RuleSet*> rules =
            RulesOn(*context_, request.ended_on());
        if (!rules.ok()) return rules.status();
        domain::Violations unmet(**rules);
        if (t.kind() != v1::TRANSFER_KIND_TEMPORARY) {
          unmet.Add("transfer.temporary_only", t.name(),
                    "Chỉ kết thúc được việc chuyển sinh hoạt tạm thời");
        }
        RequireState(unmet, t, {v1::TRANSFER_STATE_RECEIVED},
                     "kết thúc (chưa được tiếp nhận)");
        if (t.has_received_on() &&
            Day(request.ended_on()) < Day(t.received_on())) {
          unmet.Add("transfer.ended_after_reception", "ended_on",
                    absl::StrCat("Ngày trở về ", FormatDate(request.ended_on()),
                                 " trước ngày được tiếp nhận ",
                                 FormatDate(t.received_on())));
        }
        if (!unmet.empty()) return RulesViolated(unmet.Take());

        PersonChangeRecorder recorder(*context_, call, request.request_id(),
                                      request.host_comment());
        *t.mutable_ended_on() = request.ended_on();
        t.set_state(v1::TRANSFER_STATE_ENDED);
        t.clear_deadlines();
        Stamp(t, recorder, c->transfer.version);
        response = t;
        if (request.validate_only()) return absl::OkStatus();
        v1::Person after = p;
        RemoveDeadlines(after, t.name());
        after.clear_host_organization();
        CloseAffiliations(after, v1::AFFILIATION_ROLE_TEMPORARY_HOST,
                          request.ended_on());
        if (after.status() == v1::PERSON_STATUS_TEMPORARILY_AWAY) {
          after.set_status(SettledStatus(after));
        }
        std::vector<events::v1::Event> events;
        events.push_back(TransferEvent(recorder, p, t, request.ended_on(),
                                       "returned", p.organization(),
                                       p.organization_path()));
        recorder.RecordResource(change, after, t.name(), c->transfer.version, t,
                                kTransfers);
        recorder.Record(change, &c->person, after,
                        MethodName(kService, "EndTemporaryTransfer"),
                        "Kết thúc sinh hoạt đảng tạm thời, trở về chi bộ",
                        std::move(events));
        return absl::OkStatus();
      });
}

absl::Status PersonServiceImpl::DoCancelTransfer(
    const CallContext& call, const v1::CancelTransferRequest& request,
    v1::Transfer& response) {
  return IdempotentChange<v1::Transfer>(
      context_->redis(), context_->prefix(), "CancelTransfer",
      request.request_id(), request, response, [&](Change& change) {
        if (absl::StripAsciiWhitespace(request.reason()).empty()) {
          return InvalidField("reason", "is required");
        }
        absl::StatusOr<TransferCase> c = ReadTransferForChange(
            *context_, call, request.name(), request.etag(), Side::kSending,
            "cancel a transfer");
        if (!c.ok()) return c.status();
        v1::Transfer t = c->transfer.message;
        const v1::Person& p = c->person.message;
        absl::StatusOr<const v1::RuleSet*> rules = RulesOn(*context_, Today());
        if (!rules.ok()) return rules.status();
        domain::Violations unmet(**rules);
        RequireState(unmet, t,
                     {v1::TRANSFER_STATE_PENDING_LETTER,
                      v1::TRANSFER_STATE_LETTER_ISSUED},
                     "hủy");
        if (!unmet.empty()) return RulesViolated(unmet.Take());
        PersonChangeRecorder recorder(*context_, call, request.request_id(),
                                      request.reason());
        t.set_state(v1::TRANSFER_STATE_CANCELLED);
        t.set_cancel_reason(request.reason());
        t.clear_deadlines();
        Stamp(t, recorder, c->transfer.version);
        response = t;
        if (request.validate_only()) return absl::OkStatus();
        v1::Person after = p;
        RemoveDeadlines(after, t.name());
        // Undo what the letter did to the person.
        if (after.status() == v1::PERSON_STATUS_TRANSFER_PENDING) {
          after.set_status(SettledStatus(after));
        }
        if (after.status() == v1::PERSON_STATUS_TRANSFERRED_OUT &&
            after.departure().source() == t.name()) {
          after.clear_departure();
          after.set_status(SettledStatus(after));
          for (auto& a : *after.mutable_affiliations()) {
            if (a.role() == v1::AFFILIATION_ROLE_HOME &&
                a.organization() == after.organization()) {
              a.clear_ends_on();
            }
          }
        }
        recorder.RecordResource(change, after, t.name(), c->transfer.version, t,
                                kTransfers);
        recorder.Record(
            change, &c->person, after, MethodName(kService, "CancelTransfer"),
            absl::StrCat("Hủy chuyển sinh hoạt đảng: ", request.reason()), {});
        return absl::OkStatus();
      });
}

// ---------------------------------------------- Exemption and departures

namespace {

// The common start of a step on a person: read for change, recorder role,
// etag.
absl::StatusOr<StoredPerson> ReadForStep(MembershipContext& context,
                                         const CallContext& call,
                                         const std::string& name,
                                         const std::string& etag,
                                         absl::string_view action) {
  absl::StatusOr<StoredPerson> person =
      ReadPersonForChange(context, call, name, "name");
  if (!person.ok()) return person.status();
  if (absl::Status s = RequireRecorder(call.principal, action); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckEtag(etag, person->version, name); !s.ok()) {
    return s;
  }
  return person;
}

// Takes a member off the rolls: stage LEFT, the status, the departure, the
// open deadlines and the host dropped; MemberLeft and PersonStageChanged.
std::vector<events::v1::Event> Depart(
    const PersonChangeRecorder& recorder, v1::Person& after,
    common::v1::DepartureKind kind, v1::PersonStatus status,
    const Date& left_on, const DecisionRef& decision, const std::string& source,
    absl::string_view step) {
  const v1::Person before = after;
  after.set_stage(common::v1::STAGE_LEFT);
  after.set_status(status);
  v1::Departure* d = after.mutable_departure();
  d->set_kind(kind);
  *d->mutable_left_on() = left_on;
  *d->mutable_decision() = decision;
  d->set_source(source);
  after.clear_deadlines();
  after.clear_host_organization();
  after.clear_exemption();
  CloseAffiliations(after, v1::AFFILIATION_ROLE_HOME, left_on);
  CloseAffiliations(after, v1::AFFILIATION_ROLE_TEMPORARY_HOST, left_on);
  std::vector<events::v1::Event> events;
  events::v1::Event left = recorder.NewPersonEvent(before, left_on);
  auto* m = left.mutable_member_left();
  m->set_person(after.name());
  m->set_organization(after.organization());
  m->set_kind(kind);
  *m->mutable_decision() = decision;
  events.push_back(std::move(left));
  events::v1::Event stage = recorder.NewPersonEvent(before, left_on);
  auto* c = stage.mutable_person_stage_changed();
  c->set_person(after.name());
  c->set_organization(after.organization());
  c->set_from_stage(before.stage());
  c->set_to_stage(after.stage());
  *c->mutable_categories() = after.categories();
  c->set_step(std::string(step));
  events.push_back(std::move(stage));
  return events;
}

}  // namespace

absl::Status PersonServiceImpl::DoExemptMember(
    const CallContext& call, const v1::ExemptMemberRequest& request,
    v1::Person& response) {
  return IdempotentChange<v1::Person>(
      context_->redis(), context_->prefix(), "ExemptMember",
      request.request_id(), request, response, [&](Change& change) {
        const Date today = Today();
        FieldChecker check;
        CheckPersonName(check, request.name(), "name");
        if (request.ground() == v1::EXEMPTION_GROUND_UNSPECIFIED) {
          check.Add("ground", "is required (OLD_AGE, WEAK_HEALTH or OTHER)");
        }
        if (request.scope() == v1::EXEMPTION_SCOPE_UNSPECIFIED) {
          check.Add("scope", "is required (WORK or WORK_AND_MEETINGS)");
        }
        if (request.ground() == v1::EXEMPTION_GROUND_OTHER &&
            request.detail().empty()) {
          check.Add("detail", "is required for the ground OTHER");
        }
        CheckDecision(check, request.decision(), "decision", today);
        CheckRequiredDate(check, request.starts_on(), "starts_on");
        CheckOptionalDate(check, request.ends_on(), "ends_on");
        if (IsValidDate(request.starts_on()) &&
            IsValidDate(request.ends_on()) &&
            Day(request.ends_on()) < Day(request.starts_on())) {
          check.Add("ends_on", "is before starts_on");
        }
        if (!check.ok()) return check.status();
        absl::StatusOr<StoredPerson> person = ReadForStep(
            *context_, call, request.name(), request.etag(), "exempt a member");
        if (!person.ok()) return person.status();
        const v1::Person& p = person->message;
        absl::StatusOr<const v1::RuleSet*> rules =
            RulesOn(*context_, request.starts_on());
        if (!rules.ok()) return rules.status();
        domain::Violations unmet(**rules);
        // exemption.member_only: Charter art. 7 exempts members (the elderly,
        // the weak in health); a candidate has no party work to be exempt
        // from.
        if (!IsMemberOnRolls(p)) {
          unmet.Add(
              "exemption.member_only", p.name(),
              absl::StrCat("Chỉ đảng viên mới được miễn công tác và sinh "
                           "hoạt đảng; ",
                           p.full_name(), " hiện là ", StageWords(p.stage())));
        } else if (p.has_exemption()) {
          unmet.Add("exemption.not_exempt", p.name(),
                    absl::StrCat("Đảng viên đã được miễn từ ",
                                 FormatDate(p.exemption().starts_on()),
                                 "; hãy kết thúc lần miễn đó trước"));
        }
        if (!unmet.empty()) return RulesViolated(unmet.Take());
        v1::Person after = p;
        v1::Exemption* e = after.mutable_exemption();
        e->set_ground(request.ground());
        e->set_scope(request.scope());
        e->set_detail(request.detail());
        *e->mutable_decision() = request.decision();
        *e->mutable_starts_on() = request.starts_on();
        *e->mutable_ends_on() = request.ends_on();
        // Only an exemption from meetings too makes the member EXEMPT (not
        // called, not classified: types.proto PERSON_STATUS_EXEMPT); a
        // member away on a temporary transfer keeps that status.
        if (after.status() == v1::PERSON_STATUS_ACTIVE) {
          after.set_status(SettledStatus(after));
        }
        if (request.validate_only()) {
          response = Visible(after, call.principal);
          return absl::OkStatus();
        }
        PersonChangeRecorder recorder(*context_, call, request.request_id(),
                                      "");
        recorder.Record(change, &*person, after,
                        MethodName(kService, "ExemptMember"),
                        "Miễn công tác và sinh hoạt đảng", {});
        response = Visible(after, call.principal);
        return absl::OkStatus();
      });
}

absl::Status PersonServiceImpl::DoEndExemption(
    const CallContext& call, const v1::EndExemptionRequest& request,
    v1::Person& response) {
  return IdempotentChange<v1::Person>(
      context_->redis(), context_->prefix(), "EndExemption",
      request.request_id(), request, response, [&](Change& change) {
        const Date today = Today();
        FieldChecker check;
        CheckPersonName(check, request.name(), "name");
        CheckRequiredDate(check, request.ended_on(), "ended_on");
        if (request.has_decision()) {
          CheckDecision(check, request.decision(), "decision", today);
        }
        if (!check.ok()) return check.status();
        absl::StatusOr<StoredPerson> person =
            ReadForStep(*context_, call, request.name(), request.etag(),
                        "end an exemption");
        if (!person.ok()) return person.status();
        const v1::Person& p = person->message;
        absl::StatusOr<const v1::RuleSet*> rules =
            RulesOn(*context_, request.ended_on());
        if (!rules.ok()) return rules.status();
        domain::Violations unmet(**rules);
        if (!p.has_exemption()) {
          unmet.Add("exemption.open", p.name(),
                    "Đảng viên hiện không được miễn công tác và sinh hoạt");
        } else if (Day(request.ended_on()) < Day(p.exemption().starts_on())) {
          unmet.Add(
              "exemption.open", "ended_on",
              absl::StrCat("Ngày kết thúc ", FormatDate(request.ended_on()),
                           " trước ngày bắt đầu miễn ",
                           FormatDate(p.exemption().starts_on())));
        }
        if (!unmet.empty()) return RulesViolated(unmet.Take());
        v1::Person after = p;
        after.clear_exemption();
        if (after.status() == v1::PERSON_STATUS_EXEMPT) {
          after.set_status(v1::PERSON_STATUS_ACTIVE);
        }
        if (request.validate_only()) {
          response = Visible(after, call.principal);
          return absl::OkStatus();
        }
        PersonChangeRecorder recorder(*context_, call, request.request_id(),
                                      "");
        recorder.Record(change, &*person, after,
                        MethodName(kService, "EndExemption"),
                        absl::StrCat("Kết thúc miễn công tác và sinh hoạt đảng "
                                     "ngày ",
                                     FormatDate(request.ended_on())),
                        {});
        response = Visible(after, call.principal);
        return absl::OkStatus();
      });
}

absl::Status PersonServiceImpl::DoRemoveMember(
    const CallContext& call, const v1::RemoveMemberRequest& request,
    v1::Person& response) {
  return IdempotentChange<v1::Person>(
      context_->redis(), context_->prefix(), "RemoveMember",
      request.request_id(), request, response, [&](Change& change) {
        const Date today = Today();
        FieldChecker check;
        CheckPersonName(check, request.name(), "name");
        if (request.grounds().empty()) {
          check.Add("grounds", "at least one ground is required");
        }
        for (int g : request.grounds()) {
          if (g == v1::REMOVAL_GROUND_UNSPECIFIED) {
            check.Add("grounds", "must not contain REMOVAL_GROUND_UNSPECIFIED");
          }
          if (g == v1::REMOVAL_GROUND_OTHER && request.detail().empty()) {
            check.Add("detail", "is required for the ground OTHER");
          }
        }
        if (!request.has_cell_ballot()) {
          check.Add("cell_ballot", "is required: the cell's vote proposing it");
        } else {
          const v1::Ballot& b = request.cell_ballot();
          CheckRequiredDate(check, b.held_on(), "cell_ballot.held_on");
          CheckNotFuture(check, b.held_on(), "cell_ballot.held_on", today);
          if (b.votes_for() < 0 || b.votes_against() < 0 || b.present() < 0 ||
              b.total() <= 0) {
            check.Add("cell_ballot", "counts must be >= 0 and total > 0");
          }
        }
        CheckDecision(check, request.decision(), "decision", today);
        CheckRequiredDate(check, request.effective_on(), "effective_on");
        if (!check.ok()) return check.status();
        absl::StatusOr<StoredPerson> person = ReadForStep(
            *context_, call, request.name(), request.etag(), "remove a member");
        if (!person.ok()) return person.status();
        const v1::Person& p = person->message;
        absl::StatusOr<const v1::RuleSet*> rules =
            RulesOn(*context_, request.effective_on());
        if (!rules.ok()) return rules.status();
        domain::Violations unmet(**rules);
        // removal.official_only: xóa tên applies to official members
        // (Charter art. 8); a probationary member is removed from the
        // probationary list instead (AdmissionService.RemoveFromProbation).
        if (p.stage() == common::v1::STAGE_PROBATION) {
          unmet.Add("removal.official_only", p.name(),
                    absl::StrCat(p.full_name(),
                                 " là đảng viên dự bị: dùng thủ tục xóa tên "
                                 "khỏi danh sách đảng viên dự bị"));
        } else if (!IsMemberOnRolls(p)) {
          unmet.Add(
              "removal.official_only", p.name(),
              absl::StrCat("Chỉ xóa tên đảng viên chính thức; ", p.full_name(),
                           " hiện là ", StageWords(p.stage())));
        }
        // removal.cell_ballot: the cell proposes by a vote of at least two
        // thirds of its official members (Charter art. 8 and art. 10).
        const v1::Ballot& b = request.cell_ballot();
        if (b.votes_for() + b.votes_against() > b.present() ||
            b.present() > b.total()) {
          unmet.Add("removal.cell_ballot", "cell_ballot",
                    "Số phiếu không khớp: tán thành + không tán thành phải "
                    "không quá số có mặt, số có mặt không quá tổng số");
        } else if (b.votes_for() * 3 < b.total() * 2) {
          unmet.Add(
              "removal.cell_ballot", "cell_ballot",
              absl::StrCat("Chi bộ mới có ", b.votes_for(), "/", b.total(),
                           " đảng viên chính thức tán thành; cần ít nhất "
                           "hai phần ba"));
        }
        if (IsValidDate(b.held_on()) &&
            Day(request.effective_on()) < Day(b.held_on())) {
          unmet.Add("removal.after_ballot", "effective_on",
                    "Ngày xóa tên có hiệu lực trước ngày chi bộ biểu quyết");
        }
        // removal.months_in_year: the attendance and dues grounds rest on
        // the months the records count (domain/early_warnings.h).
        if (std::any_of(request.grounds().begin(), request.grounds().end(),
                        [](int g) {
                          return g == v1::REMOVAL_GROUND_ABANDONED_ACTIVITY ||
                                 g == v1::REMOVAL_GROUND_DUES_UNPAID;
                        })) {
          absl::StatusOr<std::vector<Stored<v1::EarlyWarning>>> stored =
              ReadWarningsOf(*context_, p.name(), 0);
          if (!stored.ok()) return stored.status();
          std::vector<v1::EarlyWarning> warnings;
          for (auto& w : *stored) warnings.push_back(std::move(w.message));
          domain::CheckRemovalMonths(request.grounds(), warnings,
                                     IsValidDate(b.held_on())
                                         ? b.held_on().year()
                                         : request.effective_on().year(),
                                     p.name(), unmet);
        }
        if (!unmet.empty()) return RulesViolated(unmet.Take());
        v1::Person after = p;
        PersonChangeRecorder recorder(*context_, call, request.request_id(),
                                      request.detail());
        std::vector<events::v1::Event> events =
            Depart(recorder, after, common::v1::DEPARTURE_KIND_REMOVAL,
                   v1::PERSON_STATUS_REMOVED, request.effective_on(),
                   request.decision(), "", "RemoveMember");
        for (int g : request.grounds()) {
          after.mutable_departure()->add_removal_grounds(
              static_cast<v1::RemovalGround>(g));
        }
        if (request.validate_only()) {
          response = Visible(after, call.principal);
          return absl::OkStatus();
        }
        recorder.Record(change, &*person, after,
                        MethodName(kService, "RemoveMember"),
                        absl::StrCat("Xóa tên trong danh sách đảng viên theo "
                                     "quyết định ",
                                     request.decision().number()),
                        std::move(events));
        // The removal proposals it cites close with it (warnings.proto:
        // MEMBER_REMOVED is set by the server).
        if (absl::Status s = StageRemovalProposalsClosed(
                *context_, recorder, change, p, request.evidence());
            !s.ok()) {
          return s;
        }
        response = Visible(after, call.principal);
        return absl::OkStatus();
      });
}

absl::Status PersonServiceImpl::DoRecordResignation(
    const CallContext& call, const v1::RecordResignationRequest& request,
    v1::Person& response) {
  return IdempotentChange<v1::Person>(
      context_->redis(), context_->prefix(), "RecordResignation",
      request.request_id(), request, response, [&](Change& change) {
        const Date today = Today();
        FieldChecker check;
        CheckPersonName(check, request.name(), "name");
        CheckRequiredDate(check, request.requested_on(), "requested_on");
        CheckNotFuture(check, request.requested_on(), "requested_on", today);
        CheckDecision(check, request.decision(), "decision", today);
        if (!check.ok()) return check.status();
        absl::StatusOr<StoredPerson> person =
            ReadForStep(*context_, call, request.name(), request.etag(),
                        "record a resignation");
        if (!person.ok()) return person.status();
        const v1::Person& p = person->message;
        absl::StatusOr<const v1::RuleSet*> rules =
            RulesOn(*context_, request.decision().signed_on());
        if (!rules.ok()) return rules.status();
        domain::Violations unmet(**rules);
        if (!IsMemberOnRolls(p)) {
          unmet.Add(
              "departure.member_only", p.name(),
              absl::StrCat("Chỉ đảng viên mới xin ra khỏi Đảng; ",
                           p.full_name(), " hiện là ", StageWords(p.stage())));
        }
        if (Day(request.decision().signed_on()) < Day(request.requested_on())) {
          unmet.Add("resignation.decision_after_request", "decision.signed_on",
                    "Quyết định ký trước ngày đảng viên có đơn xin ra khỏi "
                    "Đảng");
        }
        if (!unmet.empty()) return RulesViolated(unmet.Take());
        v1::Person after = p;
        PersonChangeRecorder recorder(*context_, call, request.request_id(),
                                      request.reason());
        std::vector<events::v1::Event> events =
            Depart(recorder, after, common::v1::DEPARTURE_KIND_RESIGNATION,
                   v1::PERSON_STATUS_RESIGNED, request.decision().signed_on(),
                   request.decision(), "", "RecordResignation");
        if (request.validate_only()) {
          response = Visible(after, call.principal);
          return absl::OkStatus();
        }
        recorder.Record(change, &*person, after,
                        MethodName(kService, "RecordResignation"),
                        "Đảng viên xin ra khỏi Đảng", std::move(events));
        response = Visible(after, call.principal);
        return absl::OkStatus();
      });
}

absl::Status PersonServiceImpl::DoRecordDeath(
    const CallContext& call, const v1::RecordDeathRequest& request,
    v1::Person& response) {
  return IdempotentChange<v1::Person>(
      context_->redis(), context_->prefix(), "RecordDeath",
      request.request_id(), request, response, [&](Change& change) {
        const Date today = Today();
        FieldChecker check;
        CheckPersonName(check, request.name(), "name");
        CheckRequiredDate(check, request.died_on(), "died_on");
        CheckNotFuture(check, request.died_on(), "died_on", today);
        if (!check.ok()) return check.status();
        absl::StatusOr<StoredPerson> person = ReadForStep(
            *context_, call, request.name(), request.etag(), "record a death");
        if (!person.ok()) return person.status();
        const v1::Person& p = person->message;
        absl::StatusOr<const v1::RuleSet*> rules =
            RulesOn(*context_, request.died_on());
        if (!rules.ok()) return rules.status();
        domain::Violations unmet(**rules);
        const bool member = IsMemberOnRolls(p);
        const bool open_candidate =
            !IsMember(p) && p.stage() != common::v1::STAGE_LEFT &&
            p.stage() != common::v1::STAGE_WITHDRAWN &&
            p.stage() != common::v1::STAGE_REJECTED &&
            p.stage() != common::v1::STAGE_REMOVED_FROM_PROBATION &&
            p.status() != v1::PERSON_STATUS_CLOSED;
        if (!member && !open_candidate) {
          unmet.Add("death.on_rolls", p.name(),
                    absl::StrCat(p.full_name(), " không còn trong danh sách (",
                                 StageWords(p.stage()), ")"));
        }
        if (IsValidDate(p.date_of_birth()) &&
            Day(request.died_on()) < Day(p.date_of_birth())) {
          unmet.Add("death.after_birth", "died_on", "Ngày mất trước ngày sinh");
        }
        if (!unmet.empty()) return RulesViolated(unmet.Take());
        v1::Person after = p;
        PersonChangeRecorder recorder(*context_, call, request.request_id(),
                                      request.note());
        std::vector<events::v1::Event> events;
        if (member) {
          events = Depart(recorder, after, common::v1::DEPARTURE_KIND_DEATH,
                          v1::PERSON_STATUS_DECEASED, request.died_on(), {}, "",
                          "RecordDeath");
        } else {
          // A candidate's case closes (people.proto, RecordDeath); the stage
          // stays where the case stopped.
          after.set_status(v1::PERSON_STATUS_CLOSED);
          after.mutable_departure()->set_kind(common::v1::DEPARTURE_KIND_DEATH);
          *after.mutable_departure()->mutable_left_on() = request.died_on();
          after.clear_deadlines();
        }
        if (request.validate_only()) {
          response = Visible(after, call.principal);
          return absl::OkStatus();
        }
        recorder.Record(
            change, &*person, after, MethodName(kService, "RecordDeath"),
            absl::StrCat("Từ trần ngày ", FormatDate(request.died_on())),
            std::move(events));
        response = Visible(after, call.principal);
        return absl::OkStatus();
      });
}

// ------------------------------------------------------------- Disciplines

namespace {

// Reads a sub-resource of a person for reading (home, host or self).
template <typename Message>
absl::StatusOr<Stored<Message>> ReadSubForRead(MembershipContext& context,
                                               const CallContext& call,
                                               const std::string& name,
                                               absl::string_view collection) {
  absl::StatusOr<std::string> parent = ParentOfSub(name, collection, "name");
  if (!parent.ok()) return parent.status();
  absl::StatusOr<StoredPerson> person =
      ReadPersonForRead(context, call, *parent, "name");
  if (!person.ok()) return person.status();
  return context.records().Get<Message>(name);
}

// Reads a sub-resource of a person for a change: the person for change,
// the recorder role, the sub-resource's etag.
template <typename Message>
absl::StatusOr<std::pair<Stored<Message>, StoredPerson>> ReadSubForChange(
    MembershipContext& context, const CallContext& call,
    const std::string& name, absl::string_view collection,
    const std::string& etag, absl::string_view action) {
  absl::StatusOr<std::string> parent = ParentOfSub(name, collection, "name");
  if (!parent.ok()) return parent.status();
  absl::StatusOr<StoredPerson> person =
      ReadPersonForChange(context, call, *parent, "name");
  if (!person.ok()) return person.status();
  if (absl::Status s = RequireRecorder(call.principal, action); !s.ok()) {
    return s;
  }
  absl::StatusOr<Stored<Message>> sub = context.records().Get<Message>(name);
  if (!sub.ok()) return sub.status();
  if (absl::Status s = CheckEtag(etag, sub->version, name); !s.ok()) return s;
  return std::make_pair(*std::move(sub), *std::move(person));
}

}  // namespace

absl::Status PersonServiceImpl::DoCreateDiscipline(
    const CallContext& call, const v1::CreateDisciplineRequest& request,
    v1::Discipline& response) {
  return IdempotentChange<v1::Discipline>(
      context_->redis(), context_->prefix(), "CreateDiscipline",
      request.request_id(), request, response, [&](Change& change) {
        const Date today = Today();
        const v1::Discipline& in = request.discipline();
        FieldChecker check;
        CheckPersonName(check, request.parent(), "parent");
        if (in.form() == v1::DISCIPLINE_FORM_UNSPECIFIED) {
          check.Add("discipline.form", "is required");
        }
        CheckDecision(check, in.decision(), "discipline.decision", today);
        if (in.decision().deciding_organization().empty()) {
          check.Add("discipline.decision.deciding_organization", "is required");
        }
        if (absl::StripAsciiWhitespace(in.violation()).empty()) {
          check.Add("discipline.violation", "is required");
        }
        CheckRequiredDate(check, in.effective_on(), "discipline.effective_on");
        CheckOptionalDate(check, in.effective_until(),
                          "discipline.effective_until");
        if (IsValidDate(in.effective_on()) &&
            IsValidDate(in.effective_until()) &&
            Day(in.effective_until()) < Day(in.effective_on())) {
          check.Add("discipline.effective_until", "is before effective_on");
        }
        if (in.form() == v1::DISCIPLINE_FORM_DISMISSAL &&
            in.dismissed_from_post().empty()) {
          check.Add("discipline.dismissed_from_post",
                    "is required for a dismissal");
        }
        if (!check.ok()) return check.status();
        absl::StatusOr<std::string> id =
            NewSubId(request.discipline_id(), "discipline_id");
        if (!id.ok()) return id.status();
        absl::StatusOr<StoredPerson> person =
            ReadPersonForChange(*context_, call, request.parent(), "parent");
        if (!person.ok()) return person.status();
        if (absl::Status s =
                RequireRecorder(call.principal, "record a discipline");
            !s.ok()) {
          return s;
        }
        const v1::Person& p = person->message;
        const std::string name =
            absl::StrCat(request.parent(), "/disciplines/", *id);
        if (context_->records().Get<v1::Discipline>(name).ok()) {
          return WithReason(
              absl::AlreadyExistsError(absl::StrCat(name, " already exists")),
              "RESOURCE_EXISTS");
        }
        absl::StatusOr<const v1::RuleSet*> rules =
            RulesOn(*context_, in.effective_on());
        if (!rules.ok()) return rules.status();
        domain::Violations unmet(**rules);
        if (!IsMemberOnRolls(p)) {
          unmet.Add("discipline.member_only", p.name(),
                    absl::StrCat("Chỉ kỷ luật đảng viên; ", p.full_name(),
                                 " hiện là ", StageWords(p.stage())));
        } else if (p.stage() == common::v1::STAGE_PROBATION &&
                   in.form() != v1::DISCIPLINE_FORM_REPRIMAND &&
                   in.form() != v1::DISCIPLINE_FORM_WARNING) {
          // discipline.form_allowed: a probationary member is reprimanded or
          // warned only; otherwise removed from the probationary list,
          // never expelled (domain.md "Member lifecycle").
          unmet.Add("discipline.form_allowed", "discipline.form",
                    "Đảng viên dự bị chỉ bị kỷ luật khiển trách hoặc cảnh "
                    "cáo");
        }
        // discipline.deciding_body: the deciding organisation is the
        // member's own or one above it.
        if (std::find(p.organization_path().begin(),
                      p.organization_path().end(),
                      in.decision().deciding_organization()) ==
            p.organization_path().end()) {
          unmet.Add("discipline.deciding_body",
                    "discipline.decision.deciding_organization",
                    absl::StrCat(in.decision().deciding_organization(),
                                 " không phải tổ chức đảng quản lý đảng viên "
                                 "này hoặc cấp trên của nó"));
        }
        if (!unmet.empty()) return RulesViolated(unmet.Take());
        PersonChangeRecorder recorder(*context_, call, request.request_id(),
                                      "");
        v1::Discipline d = in;
        d.set_name(name);
        d.set_state(v1::DISCIPLINE_STATE_IN_EFFECT);
        d.clear_annulment_reason();
        *d.mutable_create_stamp() = recorder.stamp();
        *d.mutable_update_stamp() = recorder.stamp();
        d.set_etag(EtagOf(1));
        response = d;
        if (request.validate_only()) return absl::OkStatus();
        recorder.RecordResource(change, p, name, 0, d, kDisciplines);
        if (d.form() == v1::DISCIPLINE_FORM_EXPULSION) {
          // Expulsion takes the member off the rolls (disciplines.proto).
          v1::Person after = p;
          std::vector<events::v1::Event> events =
              Depart(recorder, after, common::v1::DEPARTURE_KIND_EXPULSION,
                     v1::PERSON_STATUS_EXPELLED, d.effective_on(), d.decision(),
                     name, "CreateDiscipline");
          recorder.Record(change, &*person, after,
                          MethodName(kService, "CreateDiscipline"),
                          absl::StrCat("Kỷ luật khai trừ theo quyết định ",
                                       d.decision().number()),
                          std::move(events));
        } else {
          recorder.RecordJournal(
              change, p, MethodName(kService, "CreateDiscipline"), name,
              absl::StrCat("Kỷ luật theo quyết định ", d.decision().number()),
              "", {});
        }
        return absl::OkStatus();
      });
}

absl::Status PersonServiceImpl::DoGetDiscipline(
    const CallContext& call, const v1::GetDisciplineRequest& request,
    v1::Discipline& response) {
  absl::StatusOr<Stored<v1::Discipline>> d = ReadSubForRead<v1::Discipline>(
      *context_, call, request.name(), kDisciplines);
  if (!d.ok()) return d.status();
  response = d->message;
  ApplyEtag(response, d->version);
  return absl::OkStatus();
}

absl::Status PersonServiceImpl::DoListDisciplines(
    const CallContext& call, const v1::ListDisciplinesRequest& request,
    v1::ListDisciplinesResponse& response) {
  absl::StatusOr<Filter> filter =
      Filter::Parse(request.filter(), *v1::Discipline::descriptor(),
                    {"form", "state", "effective_on"});
  if (!filter.ok()) return filter.status();
  absl::StatusOr<std::vector<std::string>> names = ListScope(
      *context_, call, request.parent(), request.organization(), kDisciplines);
  if (!names.ok()) return names.status();
  absl::StatusOr<std::vector<Stored<v1::Discipline>>> all =
      context_->records().GetMany<v1::Discipline>(*names);
  if (!all.ok()) return all.status();
  std::vector<v1::Discipline> matching;
  for (auto& s : *all) {
    if (filter->Matches(s.message)) matching.push_back(std::move(s.message));
  }
  std::sort(matching.begin(), matching.end(),
            [](const v1::Discipline& a, const v1::Discipline& b) {
              if (Day(a.effective_on()) != Day(b.effective_on())) {
                return Day(a.effective_on()) > Day(b.effective_on());
              }
              return a.name() < b.name();
            });
  absl::StatusOr<PageWindow> w = Window(request, request.page_size(),
                                        request.page_token(), matching.size());
  if (!w.ok()) return w.status();
  for (size_t i = w->begin; i < w->end; ++i) {
    *response.add_disciplines() = std::move(matching[i]);
  }
  response.set_next_page_token(w->next_token);
  response.set_total_size(static_cast<int>(matching.size()));
  return absl::OkStatus();
}

absl::Status PersonServiceImpl::DoUpdateDiscipline(
    const CallContext& call, const v1::UpdateDisciplineRequest& request,
    v1::Discipline& response) {
  return IdempotentChange<v1::Discipline>(
      context_->redis(), context_->prefix(), "UpdateDiscipline",
      request.request_id(), request, response, [&](Change& change) {
        const v1::Discipline& in = request.discipline();
        FieldChecker check;
        if (request.update_mask().paths().empty()) {
          check.Add("update_mask", "is required");
        }
        if (absl::StripAsciiWhitespace(request.reason()).empty()) {
          check.Add("reason", "is required");
        }
        static const auto* const kAllowed = new std::vector<std::string>{
            "violation", "effective_until", "dismissed_from_post", "state",
            "annulment_reason"};
        for (const auto& path : request.update_mask().paths()) {
          if (std::find(kAllowed->begin(), kAllowed->end(), path) ==
              kAllowed->end()) {
            check.Add("update_mask",
                      absl::StrCat("\"", path, "\" cannot be updated"));
          }
        }
        if (!check.ok()) return check.status();
        auto read = ReadSubForChange<v1::Discipline>(*context_, call, in.name(),
                                                     kDisciplines, in.etag(),
                                                     "update a discipline");
        if (!read.ok()) return read.status();
        auto& [stored, person] = *read;
        v1::Discipline d = stored.message;
        google::protobuf::util::FieldMaskUtil::MergeMessageTo(
            in, request.update_mask(), {}, &d);
        absl::StatusOr<const v1::RuleSet*> rules = RulesOn(*context_, Today());
        if (!rules.ok()) return rules.status();
        domain::Violations unmet(**rules);
        if (d.state() == v1::DISCIPLINE_STATE_UNSPECIFIED ||
            (stored.message.state() == v1::DISCIPLINE_STATE_ANNULLED &&
             d.state() != v1::DISCIPLINE_STATE_ANNULLED)) {
          unmet.Add("discipline.state", "discipline.state",
                    "Kỷ luật đã hủy bỏ không thể có hiệu lực lại");
        }
        if (d.state() == v1::DISCIPLINE_STATE_ANNULLED &&
            d.annulment_reason().empty()) {
          unmet.Add("discipline.annulment_reason",
                    "discipline.annulment_reason",
                    "Hủy bỏ kỷ luật cần nêu lý do");
        }
        if (!unmet.empty()) return RulesViolated(unmet.Take());
        PersonChangeRecorder recorder(*context_, call, request.request_id(),
                                      request.reason());
        *d.mutable_update_stamp() = recorder.stamp();
        d.set_etag(EtagOf(stored.version + 1));
        response = d;
        if (request.validate_only()) return absl::OkStatus();
        // Annulling an expulsion does not restore membership by itself
        // (people.proto, UpdateDiscipline): re-admission follows the rules.
        recorder.RecordResource(change, person.message, d.name(),
                                stored.version, d, kDisciplines);
        recorder.RecordJournal(
            change, person.message, MethodName(kService, "UpdateDiscipline"),
            d.name(), request.reason(), EtagOf(stored.version), {});
        return absl::OkStatus();
      });
}

// ---------------------------------------------------- Improvement periods

absl::Status PersonServiceImpl::DoCreateImprovementPeriod(
    const CallContext& call, const v1::CreateImprovementPeriodRequest& request,
    v1::ImprovementPeriod& response) {
  return IdempotentChange<v1::ImprovementPeriod>(
      context_->redis(), context_->prefix(), "CreateImprovementPeriod",
      request.request_id(), request, response, [&](Change& change) {
        const v1::ImprovementPeriod& in = request.improvement_period();
        FieldChecker check;
        CheckPersonName(check, request.parent(), "parent");
        if (absl::StripAsciiWhitespace(in.shortcomings()).empty()) {
          check.Add("improvement_period.shortcomings", "is required");
        }
        if (absl::StripAsciiWhitespace(in.requirements()).empty()) {
          check.Add("improvement_period.requirements", "is required");
        }
        CheckRequiredDate(check, in.starts_on(),
                          "improvement_period.starts_on");
        CheckRequiredDate(check, in.ends_on(), "improvement_period.ends_on");
        if (IsValidDate(in.starts_on()) && IsValidDate(in.ends_on()) &&
            Day(in.ends_on()) <= Day(in.starts_on())) {
          check.Add("improvement_period.ends_on", "is not after starts_on");
        }
        if (!in.helper().empty()) {
          CheckPersonName(check, in.helper(), "improvement_period.helper");
        }
        if (!check.ok()) return check.status();
        absl::StatusOr<std::string> id =
            NewSubId(request.improvement_period_id(), "improvement_period_id");
        if (!id.ok()) return id.status();
        absl::StatusOr<StoredPerson> person =
            ReadPersonForChange(*context_, call, request.parent(), "parent");
        if (!person.ok()) return person.status();
        if (absl::Status s =
                RequireRecorder(call.principal, "set an improvement period");
            !s.ok()) {
          return s;
        }
        const v1::Person& p = person->message;
        const std::string name =
            absl::StrCat(request.parent(), "/improvementPeriods/", *id);
        if (context_->records().Get<v1::ImprovementPeriod>(name).ok()) {
          return WithReason(
              absl::AlreadyExistsError(absl::StrCat(name, " already exists")),
              "RESOURCE_EXISTS");
        }
        absl::StatusOr<const v1::RuleSet*> rules =
            RulesOn(*context_, in.starts_on());
        if (!rules.ok()) return rules.status();
        domain::Violations unmet(**rules);
        if (!IsMemberOnRolls(p)) {
          unmet.Add(
              "improvement.member_only", p.name(),
              absl::StrCat("Chỉ đặt thời gian phấn đấu cho đảng viên; ",
                           p.full_name(), " hiện là ", StageWords(p.stage())));
        }
        if (!unmet.empty()) return RulesViolated(unmet.Take());
        PersonChangeRecorder recorder(*context_, call, request.request_id(),
                                      "");
        v1::ImprovementPeriod ip = in;
        ip.set_name(name);
        ip.clear_reviews();
        ip.clear_conclusion();
        ip.set_state(v1::IMPROVEMENT_PERIOD_STATE_OPEN);
        *ip.mutable_create_stamp() = recorder.stamp();
        *ip.mutable_update_stamp() = recorder.stamp();
        ip.set_etag(EtagOf(1));
        response = ip;
        if (request.validate_only()) return absl::OkStatus();
        // DEADLINE_KIND_IMPROVEMENT_PERIOD_ENDS: the end is reminded so the
        // cell concludes it (disciplines.proto).
        v1::Person after = p;
        *after.add_deadlines() = MakeDeadline(
            common::v1::DEADLINE_KIND_IMPROVEMENT_PERIOD_ENDS, name,
            ip.starts_on(),
            static_cast<int>(Day(ip.ends_on()) - Day(ip.starts_on())),
            v1::DURATION_UNIT_CALENDAR_DAYS, Day(ip.ends_on()),
            "improvement.ends", p.organization());
        recorder.RecordResource(change, after, name, 0, ip,
                                kImprovementPeriods);
        recorder.Record(change, &*person, after,
                        MethodName(kService, "CreateImprovementPeriod"),
                        "Đặt thời gian phấn đấu cho đảng viên", {});
        return absl::OkStatus();
      });
}

absl::Status PersonServiceImpl::DoGetImprovementPeriod(
    const CallContext& call, const v1::GetImprovementPeriodRequest& request,
    v1::ImprovementPeriod& response) {
  absl::StatusOr<Stored<v1::ImprovementPeriod>> ip =
      ReadSubForRead<v1::ImprovementPeriod>(*context_, call, request.name(),
                                            kImprovementPeriods);
  if (!ip.ok()) return ip.status();
  response = ip->message;
  ApplyEtag(response, ip->version);
  return absl::OkStatus();
}

absl::Status PersonServiceImpl::DoListImprovementPeriods(
    const CallContext& call, const v1::ListImprovementPeriodsRequest& request,
    v1::ListImprovementPeriodsResponse& response) {
  absl::StatusOr<Filter> filter =
      Filter::Parse(request.filter(), *v1::ImprovementPeriod::descriptor(),
                    {"state", "ends_on"});
  if (!filter.ok()) return filter.status();
  absl::StatusOr<std::vector<std::string>> names =
      ListScope(*context_, call, request.parent(), request.organization(),
                kImprovementPeriods);
  if (!names.ok()) return names.status();
  absl::StatusOr<std::vector<Stored<v1::ImprovementPeriod>>> all =
      context_->records().GetMany<v1::ImprovementPeriod>(*names);
  if (!all.ok()) return all.status();
  std::vector<v1::ImprovementPeriod> matching;
  for (auto& s : *all) {
    if (filter->Matches(s.message)) matching.push_back(std::move(s.message));
  }
  std::sort(matching.begin(), matching.end(),
            [](const v1::ImprovementPeriod& a, const v1::ImprovementPeriod& b) {
              if (Day(a.starts_on()) != Day(b.starts_on())) {
                return Day(a.starts_on()) > Day(b.starts_on());
              }
              return a.name() < b.name();
            });
  absl::StatusOr<PageWindow> w = Window(request, request.page_size(),
                                        request.page_token(), matching.size());
  if (!w.ok()) return w.status();
  for (size_t i = w->begin; i < w->end; ++i) {
    *response.add_improvement_periods() = std::move(matching[i]);
  }
  response.set_next_page_token(w->next_token);
  response.set_total_size(static_cast<int>(matching.size()));
  return absl::OkStatus();
}

absl::Status PersonServiceImpl::DoReviewImprovementPeriod(
    const CallContext& call, const v1::ReviewImprovementPeriodRequest& request,
    v1::ImprovementPeriod& response) {
  return IdempotentChange<v1::ImprovementPeriod>(
      context_->redis(), context_->prefix(), "ReviewImprovementPeriod",
      request.request_id(), request, response, [&](Change& change) {
        FieldChecker check;
        CheckRequiredDate(check, request.review().reviewed_on(),
                          "review.reviewed_on");
        CheckNotFuture(check, request.review().reviewed_on(),
                       "review.reviewed_on", Today());
        if (absl::StripAsciiWhitespace(request.review().summary()).empty()) {
          check.Add("review.summary", "is required");
        }
        if (!request.review().reviewer().empty()) {
          CheckPersonName(check, request.review().reviewer(),
                          "review.reviewer");
        }
        if (!check.ok()) return check.status();
        auto read = ReadSubForChange<v1::ImprovementPeriod>(
            *context_, call, request.name(), kImprovementPeriods,
            request.etag(), "review an improvement period");
        if (!read.ok()) return read.status();
        auto& [stored, person] = *read;
        absl::StatusOr<const v1::RuleSet*> rules =
            RulesOn(*context_, request.review().reviewed_on());
        if (!rules.ok()) return rules.status();
        domain::Violations unmet(**rules);
        if (stored.message.state() != v1::IMPROVEMENT_PERIOD_STATE_OPEN) {
          unmet.Add("improvement.open", request.name(),
                    "Thời gian phấn đấu đã kết thúc");
        }
        if (!unmet.empty()) return RulesViolated(unmet.Take());
        PersonChangeRecorder recorder(*context_, call, request.request_id(),
                                      "");
        v1::ImprovementPeriod ip = stored.message;
        v1::ImprovementReview* r = ip.add_reviews();
        *r = request.review();
        *r->mutable_stamp() = recorder.stamp();
        *ip.mutable_update_stamp() = recorder.stamp();
        ip.set_etag(EtagOf(stored.version + 1));
        response = ip;
        if (request.validate_only()) return absl::OkStatus();
        recorder.RecordResource(change, person.message, ip.name(),
                                stored.version, ip, kImprovementPeriods);
        recorder.RecordJournal(change, person.message,
                               MethodName(kService, "ReviewImprovementPeriod"),
                               ip.name(), "Kiểm điểm thời gian phấn đấu",
                               EtagOf(stored.version), {});
        return absl::OkStatus();
      });
}

absl::Status PersonServiceImpl::DoCloseImprovementPeriod(
    const CallContext& call, const v1::CloseImprovementPeriodRequest& request,
    v1::ImprovementPeriod& response) {
  return IdempotentChange<v1::ImprovementPeriod>(
      context_->redis(), context_->prefix(), "CloseImprovementPeriod",
      request.request_id(), request, response, [&](Change& change) {
        FieldChecker check;
        if (request.outcome() != v1::IMPROVEMENT_PERIOD_STATE_IMPROVED &&
            request.outcome() != v1::IMPROVEMENT_PERIOD_STATE_NOT_IMPROVED &&
            request.outcome() != v1::IMPROVEMENT_PERIOD_STATE_CANCELLED) {
          check.Add("outcome", "must be IMPROVED, NOT_IMPROVED or CANCELLED");
        }
        if (absl::StripAsciiWhitespace(request.conclusion()).empty()) {
          check.Add("conclusion", "is required");
        }
        if (request.has_decision()) {
          CheckDecision(check, request.decision(), "decision", Today());
        }
        if (!check.ok()) return check.status();
        auto read = ReadSubForChange<v1::ImprovementPeriod>(
            *context_, call, request.name(), kImprovementPeriods,
            request.etag(), "close an improvement period");
        if (!read.ok()) return read.status();
        auto& [stored, person] = *read;
        absl::StatusOr<const v1::RuleSet*> rules = RulesOn(*context_, Today());
        if (!rules.ok()) return rules.status();
        domain::Violations unmet(**rules);
        if (stored.message.state() != v1::IMPROVEMENT_PERIOD_STATE_OPEN) {
          unmet.Add("improvement.open", request.name(),
                    "Thời gian phấn đấu đã kết thúc");
        }
        if (!unmet.empty()) return RulesViolated(unmet.Take());
        PersonChangeRecorder recorder(*context_, call, request.request_id(),
                                      "");
        v1::ImprovementPeriod ip = stored.message;
        ip.set_state(request.outcome());
        ip.set_conclusion(request.conclusion());
        *ip.mutable_update_stamp() = recorder.stamp();
        ip.set_etag(EtagOf(stored.version + 1));
        response = ip;
        if (request.validate_only()) return absl::OkStatus();
        v1::Person after = person.message;
        RemoveDeadlines(after, ip.name());
        recorder.RecordResource(change, after, ip.name(), stored.version, ip,
                                kImprovementPeriods);
        recorder.Record(
            change, &person, after,
            MethodName(kService, "CloseImprovementPeriod"),
            absl::StrCat("Kết luận thời gian phấn đấu: ", request.conclusion()),
            {});
        return absl::OkStatus();
      });
}

// --------------------------------------------------------------- Party age

namespace {

// The gaps of a person: those recorded (by hand or derived from a late
// transfer letter), and the time since a departure from the Party (removal,
// expulsion, resignation; domain.md "Party age").
absl::StatusOr<std::vector<v1::PartyAgeGap>> GapsOf(MembershipContext& context,
                                                    const v1::Person& p,
                                                    const Date& as_of) {
  absl::StatusOr<std::vector<Stored<v1::PartyAgeGap>>> stored =
      ReadCollection<v1::PartyAgeGap>(context, p.name(), kPartyAgeGaps);
  if (!stored.ok()) return stored.status();
  std::vector<v1::PartyAgeGap> gaps;
  for (auto& s : *stored) gaps.push_back(std::move(s.message));
  if (p.has_departure() &&
      p.departure().kind() != common::v1::DEPARTURE_KIND_TRANSFERRED_OUT &&
      IsValidDate(p.departure().left_on()) &&
      Day(p.departure().left_on()) <= Day(as_of)) {
    v1::PartyAgeGap g;
    g.set_kind(p.departure().kind() == common::v1::DEPARTURE_KIND_EXPULSION
                   ? v1::PARTY_AGE_GAP_KIND_EXPELLED
                   : v1::PARTY_AGE_GAP_KIND_REMOVED);
    *g.mutable_starts_on() = p.departure().left_on();
    *g.mutable_ends_on() = as_of;
    g.set_derived(true);
    gaps.push_back(std::move(g));
  }
  return gaps;
}

}  // namespace

absl::StatusOr<v1::PartyAge> PartyAgeOf(
    MembershipContext& context, const v1::Person& p, const Date& as_of,
    const std::vector<v1::PartyAgeGap>& extra) {
  absl::StatusOr<std::vector<v1::PartyAgeGap>> gaps = GapsOf(context, p, as_of);
  if (!gaps.ok()) return gaps.status();
  gaps->insert(gaps->end(), extra.begin(), extra.end());
  absl::StatusOr<const v1::RuleSet*> rules = context.rules()(as_of);
  if (!rules.ok()) return rules.status();
  absl::StatusOr<v1::PartyAge> age = domain::ComputePartyAge(
      p.first_admitted_on(), *gaps, as_of, (*rules)->dues());
  if (!age.ok()) return age.status();
  age->set_name(absl::StrCat(p.name(), "/partyAge"));
  return age;
}

absl::Status PersonServiceImpl::DoGetPartyAge(
    const CallContext& call, const v1::GetPartyAgeRequest& request,
    v1::PartyAge& response) {
  if (!absl::EndsWith(request.name(), "/partyAge")) {
    return InvalidField("name", "must be \"people/{id}/partyAge\"");
  }
  const std::string person_name =
      std::string(absl::StripSuffix(request.name(), "/partyAge"));
  Date as_of = Today();
  if (!IsUnset(request.as_of())) {
    if (absl::Status s = ValidateDate(request.as_of(), "as_of"); !s.ok()) {
      return s;
    }
    as_of = request.as_of();
  }
  absl::StatusOr<StoredPerson> person =
      ReadPersonForRead(*context_, call, person_name, "name");
  if (!person.ok()) return person.status();
  const v1::Person& p = person->message;
  if (IsUnset(p.first_admitted_on())) {
    return RulesViolated({{"party_age.admitted", p.name(),
                           absl::StrCat(p.full_name(),
                                        " chưa được kết nạp nên chưa có tuổi "
                                        "đảng")}});
  }
  absl::StatusOr<v1::PartyAge> age = PartyAgeOf(*context_, p, as_of, {});
  if (!age.ok()) return age.status();
  response = *std::move(age);
  return absl::OkStatus();
}

absl::Status PersonServiceImpl::DoRecordPartyAgeGap(
    const CallContext& call, const v1::RecordPartyAgeGapRequest& request,
    v1::PartyAge& response) {
  return IdempotentChange<v1::PartyAge>(
      context_->redis(), context_->prefix(), "RecordPartyAgeGap",
      request.request_id(), request, response, [&](Change& change) {
        const Date today = Today();
        const v1::PartyAgeGap& in = request.gap();
        FieldChecker check;
        CheckPersonName(check, request.name(), "name");
        if (in.kind() == v1::PARTY_AGE_GAP_KIND_UNSPECIFIED) {
          check.Add("gap.kind", "is required");
        }
        CheckRequiredDate(check, in.starts_on(), "gap.starts_on");
        CheckRequiredDate(check, in.ends_on(), "gap.ends_on");
        CheckNotFuture(check, in.ends_on(), "gap.ends_on", today);
        if (IsValidDate(in.starts_on()) && IsValidDate(in.ends_on()) &&
            Day(in.ends_on()) < Day(in.starts_on())) {
          check.Add("gap.ends_on", "is before starts_on");
        }
        if (in.has_decision()) {
          CheckDecision(check, in.decision(), "gap.decision", today);
        }
        if (!check.ok()) return check.status();
        absl::StatusOr<StoredPerson> person =
            ReadForStep(*context_, call, request.name(), request.etag(),
                        "record a party age gap");
        if (!person.ok()) return person.status();
        const v1::Person& p = person->message;
        absl::StatusOr<const v1::RuleSet*> rules = RulesOn(*context_, today);
        if (!rules.ok()) return rules.status();
        domain::Violations unmet(**rules);
        if (IsUnset(p.first_admitted_on())) {
          unmet.Add("party_age.admitted", p.name(),
                    absl::StrCat(p.full_name(),
                                 " chưa được kết nạp nên chưa có tuổi đảng"));
        } else if (Day(in.starts_on()) < Day(p.first_admitted_on())) {
          unmet.Add("party_age.gap_after_admission", "gap.starts_on",
                    absl::StrCat("Khoảng gián đoạn bắt đầu trước ngày kết nạp ",
                                 FormatDate(p.first_admitted_on())));
        }
        if (!unmet.empty()) return RulesViolated(unmet.Take());
        v1::PartyAgeGap gap = in;
        gap.set_derived(false);
        absl::StatusOr<v1::PartyAge> age =
            PartyAgeOf(*context_, p, today, {gap});
        if (!age.ok()) return age.status();
        response = *age;
        if (request.validate_only()) return absl::OkStatus();
        PersonChangeRecorder recorder(*context_, call, request.request_id(),
                                      in.note());
        v1::Person after = p;
        after.set_party_age_months(age->months());
        recorder.RecordResource(
            change, after, absl::StrCat(p.name(), "/partyAgeGaps/", NewUuid()),
            0, gap, kPartyAgeGaps);
        recorder.Record(
            change, &*person, after, MethodName(kService, "RecordPartyAgeGap"),
            absl::StrCat("Ghi nhận thời gian không tính tuổi đảng từ ",
                         FormatDate(in.starts_on()), " đến ",
                         FormatDate(in.ends_on())),
            {});
        return absl::OkStatus();
      });
}

}  // namespace partydev::membership
