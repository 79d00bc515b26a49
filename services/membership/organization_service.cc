#include "services/membership/organization_service.h"

#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "common/authorization.h"
#include "common/dates.h"
#include "common/errors.h"
#include "common/filters.h"
#include "common/idempotency.h"
#include "common/ids.h"
#include "common/paging.h"
#include "common/record_store.h"
#include "google/protobuf/util/field_mask_util.h"
#include "google/protobuf/util/time_util.h"
#include "services/membership/domain/standing.h"
#include "services/membership/organization_tree.h"
#include "services/membership/person_access.h"
#include "services/membership/person_store.h"

namespace partydev::membership {
namespace {

using common::v1::Date;
using google::protobuf::util::FieldMaskUtil;

constexpr char kService[] = "partydev.membership.v1.OrganizationService.";

bool Before(const Date& a, const Date& b) {
  return std::make_tuple(a.year(), a.month(), a.day()) <
         std::make_tuple(b.year(), b.month(), b.day());
}

void CheckDate(FieldChecker& check, const Date& date, absl::string_view field,
               bool required) {
  const bool empty = date.year() == 0 && date.month() == 0 && date.day() == 0;
  if (empty) {
    if (required) check.Add(field, "is required (a date: year, month, day)");
    return;
  }
  if (!IsValidDate(date)) {
    check.Add(field, absl::StrCat("is not a valid date: ", date.year(), "-",
                                  date.month(), "-", date.day()));
  }
}

void CheckOrganizationName(FieldChecker& check, const std::string& name,
                           absl::string_view field, bool required) {
  if (name.empty()) {
    if (required) check.Add(field, "is required (\"organizations/{id}\")");
    return;
  }
  if (!IsValidResourceId(OrganizationId(name))) {
    check.Add(field,
              absl::StrCat("\"", name,
                           "\" is not an organisation name "
                           "(\"organizations/{id}\", id of a-z, 0-9, -)"));
  }
}

events::v1::OrganizationSnapshot Snapshot(const v1::Organization& org) {
  events::v1::OrganizationSnapshot s;
  s.set_name(org.name());
  s.set_parent(org.parent());
  s.set_display_name(org.display_name());
  s.set_kind(org.kind());
  s.set_level(org.level());
  s.set_is_party_organization(
      org.organization_class() == v1::ORGANIZATION_CLASS_PARTY_COMMITTEE ||
      org.organization_class() == v1::ORGANIZATION_CLASS_PARTY_CELL);
  for (int tag : org.sector_tags()) {
    s.add_sector_tags(static_cast<common::v1::SectorTag>(tag));
  }
  *s.mutable_valid_from() = org.valid_from();
  return s;
}

// The envelope of an event about `org`, recorded by this call.
events::v1::Event NewEvent(const CallContext& call,
                           const std::string& request_id, const Date& act_date,
                           const v1::Organization& org) {
  return membership::NewEvent(call, request_id, act_date, org.path());
}

v1::AuditEntry Audit(const common::v1::ChangeStamp& stamp,
                     absl::string_view method, const v1::Organization& target,
                     std::string summary, const std::string& etag_before,
                     const std::string& event_id) {
  return NewAuditEntry(stamp, absl::StrCat(kService, method), target.name(),
                       target.path(), std::move(summary), etag_before,
                       event_id);
}

v1::OrganizationRevision Revision(const v1::Organization& org,
                                  v1::RevisionKind kind, const Date& effective,
                                  const common::v1::DecisionRef* decision,
                                  const common::v1::ChangeStamp& stamp) {
  v1::OrganizationRevision revision;
  revision.set_revision_id(org.revision_id());
  revision.set_name(absl::StrCat(org.name(), "@", org.revision_id()));
  revision.set_kind(kind);
  *revision.mutable_snapshot() = org;
  revision.mutable_snapshot()->clear_etag();
  *revision.mutable_effective_on() = effective;
  if (decision != nullptr) *revision.mutable_decision() = *decision;
  *revision.mutable_stamp() = stamp;
  return revision;
}

void BumpRevision(v1::Organization& org) {
  int64_t n = 0;
  if (!absl::SimpleAtoi(org.revision_id(), &n)) n = 0;
  org.set_revision_id(absl::StrCat(n + 1));
}

// What a change of one organisation records besides its own fields.
struct ChangeRecord {
  absl::string_view method;  // the RPC, for the audit entry
  v1::RevisionKind kind;
  Date effective;
  const common::v1::DecisionRef* decision = nullptr;
  std::string summary;  // in Vietnamese, for the audit log
  std::string related;  // another organisation involved, if any
};

// Stamps `org` as the version after `version` (0: a new organisation).
common::v1::ChangeStamp StampNextVersion(const CallContext& call,
                                         const std::string& request_id,
                                         const std::string& reason,
                                         int64_t version,
                                         v1::Organization& org) {
  const common::v1::ChangeStamp stamp = Stamp(call, request_id, reason);
  if (version == 0) {
    *org.mutable_create_stamp() = stamp;
    org.set_revision_id("1");
  } else {
    BumpRevision(org);
  }
  *org.mutable_update_stamp() = stamp;
  org.set_etag(EtagOf(version + 1));
  return stamp;
}

// Adds to `change` the write of `org` (read at `version`), its revision,
// `event` (its payload set) and the audit entry.
void Record(const common::v1::ChangeStamp& stamp, const ChangeRecord& what,
            const std::string& etag_before, int64_t version,
            const v1::Organization& org, events::v1::Event event,
            OrganizationChange& change) {
  SetType(event);
  change.writes.push_back({org, version});
  v1::OrganizationRevision revision =
      Revision(org, what.kind, what.effective, what.decision, stamp);
  if (!what.related.empty()) revision.add_related_organizations(what.related);
  change.revisions.push_back(std::move(revision));
  Journal& journal = change.journal;
  journal.audit =
      Audit(stamp, what.method, org, what.summary, etag_before, event.id());
  if (!what.related.empty()) journal.audit->add_related(what.related);
  journal.audit->set_etag_after(org.etag());
  journal.audit_organization_id = OrganizationId(org.name());
  journal.events.push_back(std::move(event));
}

// ------------------------------------------------ Restructuring helpers

// The day before `d`: the last day of what ends when `d` takes effect.
Date DayBefore(const Date& d) {
  const absl::CivilDay day = absl::CivilDay(d.year(), d.month(), d.day()) - 1;
  Date out;
  out.set_year(static_cast<int>(day.year()));
  out.set_month(day.month());
  out.set_day(day.day());
  return out;
}

bool IsUnsetDate(const Date& d) {
  return d.year() == 0 && d.month() == 0 && d.day() == 0;
}

absl::Status CheckEtagOf(const std::string& etag, const v1::Organization& org) {
  if (etag.empty() || etag == org.etag()) return absl::OkStatus();
  return WithReason(
      absl::AbortedError(absl::StrCat("etag ", etag, " is stale; ", org.name(),
                                      " is at ", org.etag())),
      "CONCURRENT_CHANGE");
}

// Ends `org` on the day before `effective` in `state`, naming successors.
void Close(v1::Organization& org, v1::OrganizationState state,
           const Date& effective, const std::vector<std::string>& successors) {
  org.set_state(state);
  *org.mutable_valid_until() = DayBefore(effective);
  for (const auto& s : successors) org.add_successors(s);
}

// Adds the write of an organisation other than the one the audit entry is
// about, with its revision (Record does the same for the main one).
void AddWrite(OrganizationChange& change, const v1::Organization& org,
              int64_t version, v1::RevisionKind kind, const Date& effective,
              const common::v1::DecisionRef* decision,
              const common::v1::ChangeStamp& stamp,
              const std::vector<std::string>& related) {
  change.writes.push_back({org, version});
  v1::OrganizationRevision revision =
      Revision(org, kind, effective, decision, stamp);
  for (const auto& r : related) revision.add_related_organizations(r);
  change.revisions.push_back(std::move(revision));
}

// True when `person` has an open affiliation of `role`: they are at home
// (or hosted) there now, not a departed member whose record stays with
// their last organisation.
bool HasOpenAffiliation(const v1::Person& person, v1::AffiliationRole role) {
  for (const auto& a : person.affiliations()) {
    if (a.role() == role && IsUnsetDate(a.ends_on())) return true;
  }
  return false;
}

// Every person of one roll of organisation `org_id`.
absl::StatusOr<std::vector<StoredPerson>> PeopleOf(PersonStore& people,
                                                   const std::string& org_id,
                                                   Roll roll) {
  std::vector<std::string> names;
  std::string cursor;
  while (true) {
    absl::StatusOr<PersonIdPage> page =
        people.Page({org_id}, roll, cursor, "", 1000);
    if (!page.ok()) return page.status();
    for (const auto& id : page->ids) names.push_back("people/" + id);
    if (page->next_cursor.empty() || page->ids.empty()) break;
    cursor = page->next_cursor;
  }
  if (names.empty()) return std::vector<StoredPerson>{};
  return people.GetMany(names);
}

// The active children of `org_id`.
absl::StatusOr<std::vector<StoredOrganization>> ChildrenOf(
    OrganizationStore& store, const std::string& org_id) {
  std::vector<StoredOrganization> out;
  std::string after;
  while (true) {
    absl::StatusOr<OrganizationPage> page =
        store.ListChildren(org_id, after, 1000);
    if (!page.ok()) return page.status();
    for (auto& o : page->organizations) out.push_back(std::move(o));
    if (page->next_cursor.empty()) return out;
    after = page->next_cursor;
  }
}

// The people a restructuring moves, each written once even when two of its
// rolls move (home in one merged cell, hosted in another). The history of
// "which organisation did this person belong to on a date" (domain.md) is
// the affiliations: the open one ends the day before the act and a new one
// starts on its date, its source the revision that moved the person
// ("organizations/{id}@{revision}", people.proto Affiliation.source).
class PeopleMover {
 public:
  PeopleMover(const common::v1::ChangeStamp& stamp, const Date& effective)
      : stamp_(stamp), effective_(effective) {}

  // Makes `target` (as it will be written) the home of `p`.
  void Home(const StoredPerson& p, const v1::Organization& target) {
    v1::Person& after = After(p);
    after.set_organization(target.name());
    after.clear_organization_path();
    for (const auto& o : target.path()) after.add_organization_path(o);
    Reaffiliate(after, v1::AFFILIATION_ROLE_HOME, target);
  }

  // Makes `target` the host of `p`, on a temporary transfer.
  void Hosted(const StoredPerson& p, const v1::Organization& target) {
    v1::Person& after = After(p);
    after.set_host_organization(target.name());
    Reaffiliate(after, v1::AFFILIATION_ROLE_TEMPORARY_HOST, target);
  }

  int size() const { return static_cast<int>(people_.size()); }

  void StageInto(OrganizationChange& change) {
    for (auto& entry : people_) change.people.push_back(std::move(entry));
    people_.clear();
    index_.clear();
  }

 private:
  v1::Person& After(const StoredPerson& p) {
    auto [it, added] = index_.emplace(p.message.name(), people_.size());
    if (added) {
      v1::Person after = p.message;
      *after.mutable_update_stamp() = stamp_;
      after.clear_redacted_fields();
      after.set_etag(EtagOf(p.version + 1));
      people_.push_back({p, std::move(after)});
    }
    return people_[it->second].second;
  }

  void Reaffiliate(v1::Person& person, v1::AffiliationRole role,
                   const v1::Organization& target) {
    const std::string source =
        absl::StrCat(target.name(), "@", target.revision_id());
    const int n = person.affiliations_size();
    bool open = false;
    for (int i = 0; i < n; ++i) {
      v1::Affiliation& a = *person.mutable_affiliations(i);
      if (a.role() != role || !IsUnsetDate(a.ends_on())) continue;
      open = true;
      if (!Before(a.starts_on(), effective_)) {
        // It began on or after the act's date: the person never belonged
        // to the old organisation while it existed; re-point it.
        a.set_organization(target.name());
        a.set_source(source);
        continue;
      }
      *a.mutable_ends_on() = DayBefore(effective_);
    }
    if (!open) return;  // departed: the record follows, no new period
    bool reopened = false;
    for (const auto& a : person.affiliations()) {
      reopened = reopened || (a.role() == role && IsUnsetDate(a.ends_on()));
    }
    if (reopened) return;
    v1::Affiliation* a = person.add_affiliations();
    a->set_organization(target.name());
    a->set_role(role);
    *a->mutable_starts_on() = effective_;
    a->set_source(source);
  }

  common::v1::ChangeStamp stamp_;
  Date effective_;
  std::vector<std::pair<StoredPerson, v1::Person>> people_;
  std::map<std::string, size_t> index_;
};

// What a restructuring act records on every organisation it writes.
struct Act {
  const CallContext& call;
  const std::string& request_id;
  const std::string& reason;
  const Date& effective;
  const common::v1::DecisionRef& decision;
};

// Stages the move of `child` under `new_parent` (as it will be written)
// with its revision and OrganizationMoved event; its subtree's paths are
// rewritten as MoveOrganization does.
absl::Status StageChildMove(OrganizationStore& store, const Act& act,
                            const OrganizationRules& rules,
                            const StoredOrganization& child,
                            const v1::Organization& new_parent,
                            OrganizationChange& change) {
  const v1::Organization& before = child.organization;
  v1::Organization org = before;
  DeriveStructure(rules, &new_parent, org);
  const common::v1::ChangeStamp stamp = StampNextVersion(
      act.call, act.request_id, act.reason, child.version, org);
  const std::string old_key = PathKey(before);
  absl::StatusOr<std::vector<std::string>> paths = store.SubtreePaths(old_key);
  if (!paths.ok()) return paths.status();
  std::vector<std::string> ids;
  for (const auto& p : *paths) ids.push_back(p.substr(p.rfind('!') + 1));
  absl::StatusOr<std::vector<StoredOrganization>> descendants =
      store.GetMany(ids);
  if (!descendants.ok()) return descendants.status();
  change.paths_removed.push_back(old_key);
  change.paths_added.push_back(PathKey(org));
  for (StoredOrganization& d : *descendants) {
    v1::Organization moved = d.organization;
    moved.clear_path();
    for (const auto& p : org.path()) moved.add_path(p);
    for (int i = before.depth() + 1; i < d.organization.path_size(); ++i) {
      moved.add_path(d.organization.path(i));
    }
    moved.set_depth(moved.path_size() - 1);
    change.paths_removed.push_back(PathKey(d.organization));
    change.paths_added.push_back(PathKey(moved));
    change.writes.push_back({moved, d.version});
  }
  change.children_removed.push_back(
      {OrganizationId(before.parent()), OrganizationId(org.name())});
  change.children_added.push_back(
      {OrganizationId(new_parent.name()), OrganizationId(org.name())});
  AddWrite(change, org, child.version, v1::REVISION_KIND_MOVED, act.effective,
           &act.decision, stamp, {before.parent()});
  events::v1::Event event =
      NewEvent(act.call, act.request_id, act.effective, org);
  *event.mutable_organization_moved()->mutable_organization() = Snapshot(org);
  event.mutable_organization_moved()->set_old_parent(before.parent());
  SetType(event);
  change.journal.events.push_back(std::move(event));
  return absl::OkStatus();
}

absl::Status RequireBoard(const CallContext& call, absl::string_view action) {
  return RequireAnyRole(call.principal, {roles::kOrganizationBoard}, action);
}

// Runs `act` once per request id (AIP-155); see journal.h.
template <typename Response>
absl::Status Idempotent(
    RedisClient& redis, OrganizationStore& store, absl::string_view method,
    const std::string& request_id, const google::protobuf::Message& request,
    Response& response,
    const std::function<absl::Status(OrganizationChange&)>& act,
    const PersonStore* people = nullptr) {
  return ::partydev::Idempotent<OrganizationChange, Response>(
      redis, store.prefix(), method, request_id, request, response, act,
      [&](OrganizationChange& change) { return store.Commit(change, people); });
}

// Reads an organisation named in `field` and checks that the caller's
// subtree holds it.
absl::StatusOr<StoredOrganization> ReadAuthorizedOrganization(
    OrganizationStore& store, const CallContext& call, const std::string& name,
    absl::string_view field) {
  FieldChecker check;
  CheckOrganizationName(check, name, field, /*required=*/true);
  if (!check.ok()) return check.status();
  absl::StatusOr<StoredOrganization> stored = store.Get(OrganizationId(name));
  if (!stored.ok()) return stored.status();
  if (absl::Status s =
          RequireWithinSubtree(call.principal,
                               {stored->organization.path().begin(),
                                stored->organization.path().end()},
                               name);
      !s.ok()) {
    return s;
  }
  return stored;
}

}  // namespace

OrganizationServiceImpl::OrganizationServiceImpl(
    std::shared_ptr<MembershipContext> context)
    : context_(std::move(context)),
      runtime_(context_->runtime()),
      store_(context_->organizations()),
      rules_(context_->rules()) {}

#define PARTYDEV_UNARY(Rpc, Method, Request, Response)                  \
  grpc::ServerUnaryReactor* OrganizationServiceImpl::Rpc(               \
      grpc::CallbackServerContext* context, const Request* request,     \
      Response* response) {                                             \
    return runtime_.Unary(context, #Rpc, [=](const CallContext& call) { \
      return Method(call, *request, *response);                         \
    });                                                                 \
  }
PARTYDEV_UNARY(GetOrganization, Get, v1::GetOrganizationRequest,
               v1::Organization)
PARTYDEV_UNARY(ListOrganizations, List, v1::ListOrganizationsRequest,
               v1::ListOrganizationsResponse)
PARTYDEV_UNARY(CreateOrganization, Create, v1::CreateOrganizationRequest,
               v1::Organization)
PARTYDEV_UNARY(UpdateOrganization, Update, v1::UpdateOrganizationRequest,
               v1::Organization)
PARTYDEV_UNARY(MoveOrganization, Move, v1::MoveOrganizationRequest,
               v1::Organization)
PARTYDEV_UNARY(MergeOrganizations, Merge, v1::MergeOrganizationsRequest,
               v1::MergeOrganizationsResponse)
PARTYDEV_UNARY(SplitOrganization, Split, v1::SplitOrganizationRequest,
               v1::SplitOrganizationResponse)
PARTYDEV_UNARY(DissolveOrganization, Dissolve, v1::DissolveOrganizationRequest,
               v1::Organization)
PARTYDEV_UNARY(ListOrganizationRevisions, Revisions,
               v1::ListOrganizationRevisionsRequest,
               v1::ListOrganizationRevisionsResponse)
PARTYDEV_UNARY(ListOrganizationAncestors, Ancestors,
               v1::ListOrganizationAncestorsRequest,
               v1::ListOrganizationAncestorsResponse)
PARTYDEV_UNARY(CountPeople, Count, v1::CountPeopleRequest, v1::PeopleCounts)
#undef PARTYDEV_UNARY

absl::StatusOr<StoredOrganization> OrganizationServiceImpl::ReadAuthorized(
    const CallContext& call, const std::string& name, absl::string_view field) {
  return ReadAuthorizedOrganization(store_, call, name, field);
}

absl::Status OrganizationServiceImpl::Get(
    const CallContext& call, const v1::GetOrganizationRequest& request,
    v1::Organization& response) {
  absl::StatusOr<StoredOrganization> stored =
      ReadAuthorized(call, request.name(), "name");
  if (!stored.ok()) return stored.status();
  response = std::move(stored->organization);
  return absl::OkStatus();
}

absl::Status OrganizationServiceImpl::List(
    const CallContext& call, const v1::ListOrganizationsRequest& request,
    v1::ListOrganizationsResponse& response) {
  FieldChecker check;
  CheckOrganizationName(check, request.parent(), "parent", /*required=*/false);
  CheckDate(check, request.as_of(), "as_of", /*required=*/false);
  if (!request.order_by().empty() && request.order_by() != "path") {
    check.Add("order_by", "only \"path\" (depth-first) is supported");
  }
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  if (!check.ok()) return check.status();
  // AIP-160 (common/filters.h) over the fields ListOrganizations documents
  // but display_name, whose diacritic-blind match is not an AIP-160 term.
  absl::StatusOr<Filter> keep =
      Filter::Parse(request.filter(), *v1::Organization::descriptor(),
                    {"kind", "level", "organization_class", "grassroots",
                     "sector_tags", "state"});
  if (!keep.ok()) return keep.status();
  const std::string fingerprint = RequestFingerprint(request);
  absl::StatusOr<std::string> cursor =
      DecodePageToken(request.page_token(), fingerprint);
  if (!cursor.ok()) return cursor.status();

  absl::StatusOr<OrganizationPage> page;
  if (request.parent().empty()) {
    if (call.principal.organization.empty()) {
      if (absl::Status s =
              RequireAnyRole(call.principal, {}, "Listing the roots");
          !s.ok()) {
        return s;
      }
      page = store_.ListChildren("", *cursor, *page_size);
    } else {
      // The caller's own organisation is the root of what it may see.
      absl::StatusOr<StoredOrganization> own =
          store_.Get(OrganizationId(call.principal.organization));
      if (!own.ok()) return own.status();
      page = OrganizationPage{{*own}, "", 1};
      if (!cursor->empty()) page->organizations.clear();
    }
  } else {
    absl::StatusOr<StoredOrganization> parent =
        ReadAuthorized(call, request.parent(), "parent");
    if (!parent.ok()) return parent.status();
    page = request.include_descendants()
               ? store_.ListSubtree(PathKey(parent->organization), *cursor,
                                    *page_size)
               : store_.ListChildren(OrganizationId(request.parent()), *cursor,
                                     *page_size);
  }
  if (!page.ok()) return page.status();
  const bool dated = request.has_as_of();
  for (StoredOrganization& stored : page->organizations) {
    const v1::Organization& o = stored.organization;
    const bool active_then =
        dated ? !Before(request.as_of(), o.valid_from()) &&
                    (!o.has_valid_until() ||
                     !Before(o.valid_until(), request.as_of()))
              : o.state() == v1::ORGANIZATION_STATE_ACTIVE;
    if (!request.show_inactive() && !active_then) continue;
    if (!keep->Matches(o)) continue;
    *response.add_organizations() = std::move(stored.organization);
  }
  response.set_total_size(page->total_size);
  if (!page->next_cursor.empty()) {
    response.set_next_page_token(
        EncodePageToken(page->next_cursor, fingerprint));
  }
  return absl::OkStatus();
}

absl::Status OrganizationServiceImpl::Create(
    const CallContext& call, const v1::CreateOrganizationRequest& request,
    v1::Organization& response) {
  return RegisterOrganization(*context_, call, request, response);
}

absl::Status RegisterOrganization(MembershipContext& context,
                                  const CallContext& call,
                                  const v1::CreateOrganizationRequest& request,
                                  v1::Organization& response) {
  OrganizationStore& store = context.organizations();
  const v1::Organization& in = request.organization();
  FieldChecker check;
  if (absl::StripAsciiWhitespace(in.display_name()).empty()) {
    check.Add("organization.display_name", "is required");
  }
  if (in.kind().empty()) check.Add("organization.kind", "is required");
  if (in.level().empty()) check.Add("organization.level", "is required");
  CheckDate(check, in.valid_from(), "organization.valid_from",
            /*required=*/true);
  CheckOrganizationName(check, in.parent(), "organization.parent",
                        /*required=*/false);
  if (!request.organization_id().empty() &&
      !IsValidResourceId(request.organization_id())) {
    check.Add("organization_id",
              "must match ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$ (AIP-122)");
  }
  if (!check.ok()) return check.status();

  std::optional<StoredOrganization> parent;
  if (in.parent().empty()) {
    // A root (a provincial committee, or the central level) is made by the
    // installation's administrators only.
    if (absl::Status s =
            RequireAnyRole(call.principal, {}, "Creating a root organisation");
        !s.ok()) {
      return s;
    }
  } else {
    absl::StatusOr<StoredOrganization> p = ReadAuthorizedOrganization(
        store, call, in.parent(), "organization.parent");
    if (!p.ok()) return p.status();
    parent = *std::move(p);
  }
  if (absl::Status s = RequireBoard(call, "Creating an organisation");
      !s.ok()) {
    return s;
  }
  absl::StatusOr<const v1::RuleSet*> rules = context.rules()(in.valid_from());
  if (!rules.ok()) return rules.status();

  return Idempotent(
      context.runtime().redis(), store, "CreateOrganization",
      request.request_id(), request, response,
      [&](OrganizationChange& change) -> absl::Status {
        v1::Organization org = in;
        const std::string id = request.organization_id().empty()
                                   ? absl::StrCat("o", NewUuid().substr(0, 8),
                                                  NewUuid().substr(0, 4))
                                   : request.organization_id();
        org.set_name(absl::StrCat("organizations/", id));
        org.set_state(v1::ORGANIZATION_STATE_ACTIVE);
        org.clear_valid_until();
        org.clear_successors();
        org.clear_predecessors();
        DeriveStructure((*rules)->organization(),
                        parent ? &parent->organization : nullptr, org);
        std::vector<RuleViolation> unmet =
            CheckPlacement((*rules)->organization(), org,
                           parent ? &parent->organization : nullptr);
        if (org.has_admission_authority() && !org.grassroots()) {
          unmet.push_back(
              {"tree.delegation_grassroots_only",
               "organization.admission_authority",
               "Chỉ tổ chức cơ sở đảng mới được ủy quyền kết nạp."});
        }
        if (!unmet.empty()) return RulesViolated(std::move(unmet));
        if (absl::StatusOr<StoredOrganization> existing = store.Get(id);
            existing.ok()) {
          return WithReason(absl::AlreadyExistsError(
                                absl::StrCat(org.name(), " exists already")),
                            "RESOURCE_EXISTS");
        } else if (!absl::IsNotFound(existing.status())) {
          return existing.status();
        }
        const common::v1::ChangeStamp stamp =
            StampNextVersion(call, request.request_id(), "", 0, org);
        response = org;
        if (request.validate_only()) return absl::OkStatus();

        events::v1::Event event =
            NewEvent(call, request.request_id(), org.valid_from(), org);
        *event.mutable_organization_created()->mutable_organization() =
            Snapshot(org);
        change.paths_added.push_back(PathKey(org));
        change.children_added.push_back(
            {parent ? OrganizationId(parent->organization.name()) : "", id});
        Record(
            stamp,
            {"CreateOrganization", v1::REVISION_KIND_CREATED, org.valid_from(),
             org.has_founding_decision() ? &org.founding_decision() : nullptr,
             absl::StrCat("Thành lập ", org.display_name()), ""},
            "", 0, org, std::move(event), change);
        return absl::OkStatus();
      });
}

absl::Status OrganizationServiceImpl::Update(
    const CallContext& call, const v1::UpdateOrganizationRequest& request,
    v1::Organization& response) {
  static const std::set<std::string>* const kMutable =
      new std::set<std::string>{"display_name",
                                "short_name",
                                "kind",
                                "level",
                                "sector_tags",
                                "founding_decision",
                                "document_code",
                                "candidate_evaluation_cadence",
                                "admission_authority",
                                "address"};
  FieldChecker check;
  if (request.update_mask().paths_size() == 0) {
    check.Add("update_mask", "is required: name the fields to change");
  }
  for (const auto& path : request.update_mask().paths()) {
    if (!kMutable->count(path)) {
      check.Add("update_mask", absl::StrCat("\"", path,
                                            "\" cannot be updated here (the "
                                            "parent changes only by :move)"));
    }
  }
  CheckDate(check, request.effective_on(), "effective_on", /*required=*/false);
  if (!check.ok()) return check.status();
  absl::StatusOr<StoredOrganization> stored =
      ReadAuthorized(call, request.organization().name(), "organization.name");
  if (!stored.ok()) return stored.status();
  if (absl::Status s = RequireBoard(call, "Updating an organisation");
      !s.ok()) {
    return s;
  }
  const Date effective =
      request.has_effective_on() ? request.effective_on() : Today();
  absl::StatusOr<const v1::RuleSet*> rules = rules_(effective);
  if (!rules.ok()) return rules.status();

  return Idempotent(
      runtime_.redis(), store_, "UpdateOrganization", request.request_id(),
      request, response, [&](OrganizationChange& change) -> absl::Status {
        const v1::Organization& before = stored->organization;
        if (!request.organization().etag().empty() &&
            request.organization().etag() != before.etag()) {
          return WithReason(
              absl::AbortedError(absl::StrCat(
                  "etag ", request.organization().etag(),
                  " is stale; the organisation is at ", before.etag())),
              "CONCURRENT_CHANGE");
        }
        if (before.state() != v1::ORGANIZATION_STATE_ACTIVE) {
          return RulesViolated(
              {{"tree.active", before.name(),
                absl::StrCat(before.display_name(), " không còn hoạt động.")}});
        }
        v1::Organization org = before;
        FieldMaskUtil::MergeOptions options;
        options.set_replace_repeated_fields(true);
        options.set_replace_message_fields(true);
        FieldMaskUtil::MergeMessageTo(request.organization(),
                                      request.update_mask(), options, &org);
        std::optional<StoredOrganization> parent;
        if (!org.parent().empty()) {
          absl::StatusOr<StoredOrganization> p =
              store_.Get(OrganizationId(org.parent()));
          if (!p.ok()) return p.status();
          parent = *std::move(p);
        }
        DeriveStructure((*rules)->organization(),
                        parent ? &parent->organization : nullptr, org);
        std::vector<RuleViolation> unmet =
            CheckPlacement((*rules)->organization(), org,
                           parent ? &parent->organization : nullptr);
        if (absl::StripAsciiWhitespace(org.display_name()).empty()) {
          return InvalidField("organization.display_name", "must not be empty");
        }
        if (!unmet.empty()) return RulesViolated(std::move(unmet));
        const common::v1::ChangeStamp stamp = StampNextVersion(
            call, request.request_id(), request.reason(), stored->version, org);
        response = org;
        if (request.validate_only()) return absl::OkStatus();
        events::v1::Event event =
            NewEvent(call, request.request_id(), effective, org);
        *event.mutable_organization_updated()->mutable_organization() =
            Snapshot(org);
        Record(stamp,
               {"UpdateOrganization", v1::REVISION_KIND_UPDATED, effective,
                request.has_decision() ? &request.decision() : nullptr,
                absl::StrCat("Cập nhật ", org.display_name()), ""},
               before.etag(), stored->version, org, std::move(event), change);
        *change.journal.audit->mutable_changed_fields() = request.update_mask();
        return absl::OkStatus();
      });
}

absl::Status OrganizationServiceImpl::Move(
    const CallContext& call, const v1::MoveOrganizationRequest& request,
    v1::Organization& response) {
  FieldChecker check;
  CheckOrganizationName(check, request.new_parent(), "new_parent",
                        /*required=*/true);
  CheckDate(check, request.effective_on(), "effective_on", /*required=*/true);
  if (request.decision().number().empty()) {
    check.Add("decision.number", "is required: the decision that moved it");
  }
  if (!check.ok()) return check.status();
  absl::StatusOr<StoredOrganization> stored =
      ReadAuthorized(call, request.name(), "name");
  if (!stored.ok()) return stored.status();
  absl::StatusOr<StoredOrganization> new_parent =
      ReadAuthorized(call, request.new_parent(), "new_parent");
  if (!new_parent.ok()) return new_parent.status();
  if (absl::Status s = RequireBoard(call, "Moving an organisation"); !s.ok()) {
    return s;
  }
  absl::StatusOr<const v1::RuleSet*> rules = rules_(request.effective_on());
  if (!rules.ok()) return rules.status();

  return Idempotent(
      runtime_.redis(), store_, "MoveOrganization", request.request_id(),
      request, response, [&](OrganizationChange& change) -> absl::Status {
        const v1::Organization& before = stored->organization;
        if (!request.etag().empty() && request.etag() != before.etag()) {
          return WithReason(absl::AbortedError("etag is stale"),
                            "CONCURRENT_CHANGE");
        }
        std::vector<RuleViolation> unmet = CheckMove(
            (*rules)->organization(), before, new_parent->organization);
        if (!unmet.empty()) return RulesViolated(std::move(unmet));
        v1::Organization org = before;
        DeriveStructure((*rules)->organization(), &new_parent->organization,
                        org);
        const common::v1::ChangeStamp stamp = StampNextVersion(
            call, request.request_id(), request.reason(), stored->version, org);
        response = org;
        if (request.validate_only()) return absl::OkStatus();

        // The subtree moves with it: every descendant's path changes.
        const std::string old_key = PathKey(before);
        const std::string new_key = PathKey(org);
        absl::StatusOr<std::vector<std::string>> paths =
            store_.SubtreePaths(old_key);
        if (!paths.ok()) return paths.status();
        std::vector<std::string> ids;
        for (const auto& p : *paths) ids.push_back(p.substr(p.rfind('!') + 1));
        absl::StatusOr<std::vector<StoredOrganization>> descendants =
            store_.GetMany(ids);
        if (!descendants.ok()) return descendants.status();
        change.paths_removed.push_back(old_key);
        change.paths_added.push_back(new_key);
        for (StoredOrganization& d : *descendants) {
          const std::string before_key = PathKey(d.organization);
          v1::Organization moved = d.organization;
          std::vector<std::string> path(org.path().begin(), org.path().end());
          const int own_depth = before.depth();
          for (int i = own_depth + 1; i < d.organization.path_size(); ++i) {
            path.push_back(d.organization.path(i));
          }
          moved.clear_path();
          for (auto& p : path) moved.add_path(p);
          moved.set_depth(moved.path_size() - 1);
          change.paths_removed.push_back(before_key);
          change.paths_added.push_back(PathKey(moved));
          change.writes.push_back({moved, d.version});
        }
        change.children_removed.push_back(
            {OrganizationId(before.parent()), OrganizationId(org.name())});
        change.children_added.push_back(
            {OrganizationId(new_parent->organization.name()),
             OrganizationId(org.name())});
        events::v1::Event event =
            NewEvent(call, request.request_id(), request.effective_on(), org);
        auto* moved_event = event.mutable_organization_moved();
        *moved_event->mutable_organization() = Snapshot(org);
        moved_event->set_old_parent(before.parent());
        Record(stamp,
               {"MoveOrganization", v1::REVISION_KIND_MOVED,
                request.effective_on(), &request.decision(),
                absl::StrCat("Chuyển ", org.display_name(), " về trực thuộc ",
                             new_parent->organization.display_name()),
                before.parent()},
               before.etag(), stored->version, org, std::move(event), change);
        return absl::OkStatus();
      });
}

absl::Status OrganizationServiceImpl::Merge(
    const CallContext& call, const v1::MergeOrganizationsRequest& request,
    v1::MergeOrganizationsResponse& response) {
  FieldChecker check;
  CheckOrganizationName(check, request.name(), "name", /*required=*/true);
  if (request.source_organizations_size() == 0) {
    check.Add("source_organizations",
              "is required: the organisations merged into `name`");
  }
  for (int i = 0; i < request.source_organizations_size(); ++i) {
    CheckOrganizationName(check, request.source_organizations(i),
                          absl::StrCat("source_organizations[", i, "]"),
                          /*required=*/true);
  }
  CheckDate(check, request.effective_on(), "effective_on", /*required=*/true);
  if (request.decision().number().empty()) {
    check.Add("decision.number", "is required: the merger decision");
  }
  if (!check.ok()) return check.status();
  // The caller must cover every organisation involved: the receiver and
  // each source (their subtrees, people and children, move).
  absl::StatusOr<StoredOrganization> receiver =
      ReadAuthorized(call, request.name(), "name");
  if (!receiver.ok()) return receiver.status();
  std::vector<StoredOrganization> sources;
  for (int i = 0; i < request.source_organizations_size(); ++i) {
    absl::StatusOr<StoredOrganization> source =
        ReadAuthorized(call, request.source_organizations(i),
                       absl::StrCat("source_organizations[", i, "]"));
    if (!source.ok()) return source.status();
    sources.push_back(*std::move(source));
  }
  if (absl::Status s = RequireBoard(call, "Merging organisations"); !s.ok()) {
    return s;
  }
  absl::StatusOr<const v1::RuleSet*> rules = rules_(request.effective_on());
  if (!rules.ok()) return rules.status();
  const OrganizationRules& tree = (*rules)->organization();

  return Idempotent(
      runtime_.redis(), store_, "MergeOrganizations", request.request_id(),
      request, response,
      [&](OrganizationChange& change) -> absl::Status {
        const v1::Organization& before = receiver->organization;
        if (absl::Status s = CheckEtagOf(request.etag(), before); !s.ok()) {
          return s;
        }
        std::vector<v1::Organization> source_orgs;
        for (const auto& s : sources) source_orgs.push_back(s.organization);
        std::vector<RuleViolation> unmet = CheckMerge(before, source_orgs);
        for (const auto& org : source_orgs) {
          if (Before(request.effective_on(), org.valid_from())) {
            unmet.push_back({"tree.restructure_after_founding", "effective_on",
                             absl::StrCat("Ngày sáp nhập trước ngày thành lập ",
                                          org.display_name(), ".")});
          }
        }
        if (Before(request.effective_on(), before.valid_from())) {
          unmet.push_back({"tree.restructure_after_founding", "effective_on",
                           absl::StrCat("Ngày sáp nhập trước ngày thành lập ",
                                        before.display_name(), ".")});
        }
        // The receiver's level and kind must be allowed by the rules in
        // force on the merger's date (the 2025 tree has no district level).
        std::optional<StoredOrganization> parent;
        if (!before.parent().empty()) {
          absl::StatusOr<StoredOrganization> p =
              store_.Get(OrganizationId(before.parent()));
          if (!p.ok()) return p.status();
          parent = *std::move(p);
        }
        for (RuleViolation& v : CheckPlacement(
                 tree, before, parent ? &parent->organization : nullptr)) {
          v.subject = "name";
          unmet.push_back(std::move(v));
        }
        // What moves: the people of each source, and its children.
        std::vector<std::vector<StoredPerson>> home(sources.size());
        std::vector<std::vector<StoredPerson>> hosted(sources.size());
        std::vector<std::vector<StoredOrganization>> children(sources.size());
        for (size_t i = 0; i < sources.size(); ++i) {
          const std::string id = OrganizationId(source_orgs[i].name());
          absl::StatusOr<std::vector<StoredPerson>> h =
              PeopleOf(context_->people(), id, Roll::kHome);
          if (!h.ok()) return h.status();
          home[i] = *std::move(h);
          absl::StatusOr<std::vector<StoredPerson>> g =
              PeopleOf(context_->people(), id, Roll::kHosted);
          if (!g.ok()) return g.status();
          hosted[i] = *std::move(g);
          absl::StatusOr<std::vector<StoredOrganization>> c =
              ChildrenOf(store_, id);
          if (!c.ok()) return c.status();
          children[i] = *std::move(c);
          if (!home[i].empty() || !hosted[i].empty()) {
            for (RuleViolation& v :
                 CheckReceiver(source_orgs[i], before, true, "name")) {
              if (v.rule == "tree.people_in_cells") unmet.push_back(v);
            }
          }
          for (const auto& child : children[i]) {
            for (RuleViolation& v :
                 CheckPlacement(tree, child.organization, &before)) {
              v.subject = child.organization.name();
              unmet.push_back(std::move(v));
            }
          }
        }
        if (!unmet.empty()) return RulesViolated(std::move(unmet));

        OrganizationChange staged;
        const Act act{call, request.request_id(), request.reason(),
                      request.effective_on(), request.decision()};
        v1::Organization result = before;
        for (const auto& org : source_orgs) result.add_predecessors(org.name());
        const common::v1::ChangeStamp stamp =
            StampNextVersion(call, request.request_id(), request.reason(),
                             receiver->version, result);
        PeopleMover mover(stamp, request.effective_on());
        int children_moved = 0;
        response.clear_merged_organizations();
        for (size_t i = 0; i < sources.size(); ++i) {
          for (const auto& p : home[i]) mover.Home(p, result);
          for (const auto& p : hosted[i]) mover.Hosted(p, result);
          for (const auto& child : children[i]) {
            if (absl::Status s =
                    StageChildMove(store_, act, tree, child, result, staged);
                !s.ok()) {
              return s;
            }
            ++children_moved;
          }
          v1::Organization merged = source_orgs[i];
          Close(merged, v1::ORGANIZATION_STATE_MERGED, request.effective_on(),
                {result.name()});
          const common::v1::ChangeStamp merged_stamp =
              StampNextVersion(call, request.request_id(), request.reason(),
                               sources[i].version, merged);
          // It stays in the path index (history, show_inactive) but is no
          // longer an active child.
          staged.children_removed.push_back(
              {OrganizationId(merged.parent()), OrganizationId(merged.name())});
          AddWrite(staged, merged, sources[i].version,
                   v1::REVISION_KIND_MERGED_INTO, request.effective_on(),
                   &request.decision(), merged_stamp, {result.name()});
          *response.add_merged_organizations() = merged;
        }
        *response.mutable_organization() = result;
        response.set_people_moved(mover.size());
        response.set_children_moved(children_moved);
        if (request.validate_only()) return absl::OkStatus();

        events::v1::Event event = NewEvent(call, request.request_id(),
                                           request.effective_on(), result);
        auto* merged_event = event.mutable_organizations_merged();
        for (const auto& org : source_orgs)
          merged_event->add_sources(org.name());
        *merged_event->mutable_result() = Snapshot(result);
        std::vector<std::string> names;
        for (const auto& org : source_orgs) {
          names.push_back(org.display_name());
        }
        Record(stamp,
               {"MergeOrganizations", v1::REVISION_KIND_MERGED_FROM,
                request.effective_on(), &request.decision(),
                absl::StrCat("Sáp nhập ", absl::StrJoin(names, ", "), " vào ",
                             result.display_name(), " (", mover.size(),
                             " người, ", children_moved, " tổ chức)"),
                ""},
               before.etag(), receiver->version, result, std::move(event),
               staged);
        for (const auto& org : source_orgs) {
          staged.revisions.back().add_related_organizations(org.name());
          staged.journal.audit->add_related(org.name());
        }
        mover.StageInto(staged);
        change = std::move(staged);
        return absl::OkStatus();
      },
      &context_->people());
}

absl::Status OrganizationServiceImpl::Split(
    const CallContext& call, const v1::SplitOrganizationRequest& request,
    v1::SplitOrganizationResponse& response) {
  FieldChecker check;
  CheckOrganizationName(check, request.name(), "name", /*required=*/true);
  if (request.parts_size() == 0) {
    check.Add("parts", "is required: at least one part");
  }
  for (int i = 0; i < request.parts_size(); ++i) {
    const v1::SplitPart& part = request.parts(i);
    const std::string field = absl::StrCat("parts[", i, "]");
    switch (part.target_case()) {
      case v1::SplitPart::kExistingOrganization:
        CheckOrganizationName(check, part.existing_organization(),
                              absl::StrCat(field, ".existing_organization"),
                              /*required=*/true);
        break;
      case v1::SplitPart::kNewOrganization: {
        const v1::Organization& in = part.new_organization();
        if (absl::StripAsciiWhitespace(in.display_name()).empty()) {
          check.Add(absl::StrCat(field, ".new_organization.display_name"),
                    "is required");
        }
        if (in.kind().empty()) {
          check.Add(absl::StrCat(field, ".new_organization.kind"),
                    "is required");
        }
        if (in.level().empty()) {
          check.Add(absl::StrCat(field, ".new_organization.level"),
                    "is required");
        }
        CheckOrganizationName(check, in.parent(),
                              absl::StrCat(field, ".new_organization.parent"),
                              /*required=*/false);
        if (!part.new_organization_id().empty() &&
            !IsValidResourceId(part.new_organization_id())) {
          check.Add(absl::StrCat(field, ".new_organization_id"),
                    "must match ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$ "
                    "(AIP-122)");
        }
        break;
      }
      case v1::SplitPart::TARGET_NOT_SET:
        check.Add(field,
                  "needs a target: new_organization or existing_organization");
        break;
    }
    for (int j = 0; j < part.people_size(); ++j) {
      CheckPersonName(check, part.people(j),
                      absl::StrCat(field, ".people[", j, "]"));
    }
    for (int j = 0; j < part.children_size(); ++j) {
      CheckOrganizationName(check, part.children(j),
                            absl::StrCat(field, ".children[", j, "]"),
                            /*required=*/true);
    }
  }
  CheckDate(check, request.effective_on(), "effective_on", /*required=*/true);
  if (request.decision().number().empty()) {
    check.Add("decision.number", "is required: the split decision");
  }
  if (!check.ok()) return check.status();
  absl::StatusOr<StoredOrganization> source =
      ReadAuthorized(call, request.name(), "name");
  if (!source.ok()) return source.status();
  // Each part's organisation, or the parent a new part is created under,
  // must be in the caller's subtree too.
  std::vector<std::optional<StoredOrganization>> existing(request.parts_size());
  std::vector<std::optional<StoredOrganization>> parents(request.parts_size());
  for (int i = 0; i < request.parts_size(); ++i) {
    const v1::SplitPart& part = request.parts(i);
    const std::string field = absl::StrCat("parts[", i, "]");
    if (part.has_new_organization()) {
      const std::string parent = part.new_organization().parent().empty()
                                     ? source->organization.parent()
                                     : part.new_organization().parent();
      if (parent.empty()) {
        if (absl::Status s = RequireAnyRole(call.principal, {},
                                            "Creating a root organisation");
            !s.ok()) {
          return s;
        }
        continue;
      }
      absl::StatusOr<StoredOrganization> p = ReadAuthorized(
          call, parent, absl::StrCat(field, ".new_organization.parent"));
      if (!p.ok()) return p.status();
      parents[i] = *std::move(p);
    } else {
      absl::StatusOr<StoredOrganization> e =
          ReadAuthorized(call, part.existing_organization(),
                         absl::StrCat(field, ".existing_organization"));
      if (!e.ok()) return e.status();
      existing[i] = *std::move(e);
    }
  }
  if (absl::Status s = RequireBoard(call, "Splitting an organisation");
      !s.ok()) {
    return s;
  }
  absl::StatusOr<const v1::RuleSet*> rules = rules_(request.effective_on());
  if (!rules.ok()) return rules.status();
  const OrganizationRules& tree = (*rules)->organization();

  return Idempotent(
      runtime_.redis(), store_, "SplitOrganization", request.request_id(),
      request, response,
      [&](OrganizationChange& change) -> absl::Status {
        const v1::Organization& before = source->organization;
        if (absl::Status s = CheckEtagOf(request.etag(), before); !s.ok()) {
          return s;
        }
        std::vector<RuleViolation> unmet;
        if (before.state() != v1::ORGANIZATION_STATE_ACTIVE) {
          unmet.push_back(
              {"tree.active", "name",
               absl::StrCat(before.display_name(), " không còn hoạt động.")});
        }
        if (Before(request.effective_on(), before.valid_from())) {
          unmet.push_back({"tree.restructure_after_founding", "effective_on",
                           "Ngày chia tách trước ngày thành lập."});
        }
        const std::string source_id = OrganizationId(before.name());
        absl::StatusOr<std::vector<StoredPerson>> people =
            PeopleOf(context_->people(), source_id, Roll::kHome);
        if (!people.ok()) return people.status();
        absl::StatusOr<std::vector<StoredOrganization>> children =
            ChildrenOf(store_, source_id);
        if (!children.ok()) return children.status();
        std::map<std::string, const StoredPerson*> people_by_name;
        for (const auto& p : *people) people_by_name[p.message.name()] = &p;
        std::map<std::string, const StoredOrganization*> children_by_name;
        for (const auto& c : *children) {
          children_by_name[c.organization.name()] = &c;
        }

        // Each part's organisation as it will be written.
        std::vector<v1::Organization> targets(request.parts_size());
        std::vector<int64_t> versions(request.parts_size(), 0);
        std::set<std::string> assigned_people, assigned_children, part_names;
        for (int i = 0; i < request.parts_size(); ++i) {
          const v1::SplitPart& part = request.parts(i);
          const std::string field = absl::StrCat("parts[", i, "]");
          v1::Organization& org = targets[i];
          if (part.has_new_organization()) {
            org = part.new_organization();
            const std::string id =
                part.new_organization_id().empty()
                    ? absl::StrCat("o", NewUuid().substr(0, 8),
                                   NewUuid().substr(0, 4))
                    : part.new_organization_id();
            org.set_name(absl::StrCat("organizations/", id));
            org.set_state(v1::ORGANIZATION_STATE_ACTIVE);
            *org.mutable_valid_from() = request.effective_on();
            org.clear_valid_until();
            org.clear_successors();
            org.clear_predecessors();
            org.clear_revision_id();
            const v1::Organization* parent =
                parents[i] ? &parents[i]->organization : nullptr;
            DeriveStructure(tree, parent, org);
            for (RuleViolation& v : CheckPlacement(tree, org, parent)) {
              v.subject = absl::StrCat(field, ".new_organization");
              unmet.push_back(std::move(v));
            }
            if (parent != nullptr && IsWithin(*parent, before)) {
              unmet.push_back(
                  {"tree.no_cycle", absl::StrCat(field, ".new_organization"),
                   "Tổ chức mới không đặt bên dưới tổ chức bị chia tách."});
            }
            if (absl::StatusOr<StoredOrganization> found = store_.Get(id);
                found.ok()) {
              return WithReason(absl::AlreadyExistsError(absl::StrCat(
                                    org.name(), " exists already")),
                                "RESOURCE_EXISTS");
            } else if (!absl::IsNotFound(found.status())) {
              return found.status();
            }
          } else {
            org = existing[i]->organization;
            versions[i] = existing[i]->version;
            for (RuleViolation& v :
                 CheckReceiver(before, org, /*receives_people=*/false,
                               absl::StrCat(field, ".existing_organization"))) {
              unmet.push_back(std::move(v));
            }
          }
          org.add_predecessors(before.name());
          if (!part_names.insert(org.name()).second) {
            unmet.push_back({"tree.split_part_twice", field,
                             absl::StrCat(org.display_name(),
                                          " nhận hai phần của cuộc chia "
                                          "tách.")});
          }
          if (part.people_size() > 0 &&
              org.organization_class() != v1::ORGANIZATION_CLASS_PARTY_CELL) {
            unmet.push_back({"tree.people_in_cells", field,
                             absl::StrCat(org.display_name(),
                                          " không phải chi bộ: đảng viên và "
                                          "quần chúng sinh hoạt ở chi bộ.")});
          }
          for (int j = 0; j < part.people_size(); ++j) {
            const std::string& name = part.people(j);
            const std::string f = absl::StrCat(field, ".people[", j, "]");
            if (!people_by_name.count(name)) {
              unmet.push_back({"tree.split_person_not_in_source", f,
                               absl::StrCat(name, " không sinh hoạt tại ",
                                            before.display_name(), ".")});
            } else if (!assigned_people.insert(name).second) {
              unmet.push_back({"tree.split_assigned_twice", f,
                               absl::StrCat(name, " được phân về hai nơi.")});
            }
          }
          for (int j = 0; j < part.children_size(); ++j) {
            const std::string& name = part.children(j);
            const std::string f = absl::StrCat(field, ".children[", j, "]");
            auto it = children_by_name.find(name);
            if (it == children_by_name.end()) {
              unmet.push_back({"tree.split_child_not_in_source", f,
                               absl::StrCat(name, " không trực thuộc ",
                                            before.display_name(), ".")});
              continue;
            }
            if (!assigned_children.insert(name).second) {
              unmet.push_back({"tree.split_assigned_twice", f,
                               absl::StrCat(name, " được phân về hai nơi.")});
            }
            if (IsWithin(org, it->second->organization)) {
              unmet.push_back(
                  {"tree.no_cycle", f,
                   absl::StrCat(org.display_name(), " trực thuộc ",
                                it->second->organization.display_name(),
                                ": không thể chuyển vào bên dưới chính nó.")});
            }
            for (RuleViolation& v :
                 CheckPlacement(tree, it->second->organization, &org)) {
              v.subject = f;
              unmet.push_back(std::move(v));
            }
          }
        }
        if (request.dissolve_source()) {
          // Nothing may be left behind in an organisation that ceases.
          int people_left = 0;
          for (const auto& p : *people) {
            if (!assigned_people.count(p.message.name()) &&
                HasOpenAffiliation(p.message, v1::AFFILIATION_ROLE_HOME)) {
              ++people_left;
            }
          }
          const int children_left = static_cast<int>(children->size()) -
                                    static_cast<int>(assigned_children.size());
          if (people_left > 0 || children_left > 0) {
            unmet.push_back(
                {"tree.split_unassigned", "parts",
                 absl::StrCat(before.display_name(), " còn ", people_left,
                              " người và ", children_left,
                              " tổ chức trực thuộc chưa được phân về phần "
                              "nào.")});
          }
        }
        if (!unmet.empty()) return RulesViolated(std::move(unmet));

        OrganizationChange staged;
        const Act act{call, request.request_id(), request.reason(),
                      request.effective_on(), request.decision()};
        v1::Organization after = before;
        if (request.dissolve_source()) {
          Close(after, v1::ORGANIZATION_STATE_SPLIT, request.effective_on(),
                {});
          for (const auto& t : targets) after.add_successors(t.name());
          staged.children_removed.push_back(
              {OrganizationId(after.parent()), source_id});
        }
        const common::v1::ChangeStamp stamp =
            StampNextVersion(call, request.request_id(), request.reason(),
                             source->version, after);
        PeopleMover mover(stamp, request.effective_on());
        response.clear_parts();
        for (int i = 0; i < request.parts_size(); ++i) {
          const v1::SplitPart& part = request.parts(i);
          v1::Organization& org = targets[i];
          const common::v1::ChangeStamp part_stamp = StampNextVersion(
              call, request.request_id(), request.reason(), versions[i], org);
          if (versions[i] == 0) {
            staged.paths_added.push_back(PathKey(org));
            staged.children_added.push_back(
                {OrganizationId(org.parent()), OrganizationId(org.name())});
          }
          AddWrite(staged, org, versions[i], v1::REVISION_KIND_SPLIT_FROM,
                   request.effective_on(), &request.decision(), part_stamp,
                   {before.name()});
          for (const auto& name : part.people()) {
            mover.Home(*people_by_name.at(name), org);
          }
          for (const auto& name : part.children()) {
            if (absl::Status s = StageChildMove(
                    store_, act, tree, *children_by_name.at(name), org, staged);
                !s.ok()) {
              return s;
            }
          }
          *response.add_parts() = org;
        }
        *response.mutable_source() = after;
        response.set_people_moved(mover.size());
        if (request.validate_only()) return absl::OkStatus();

        events::v1::Event event =
            NewEvent(call, request.request_id(), request.effective_on(), after);
        auto* split = event.mutable_organization_split();
        split->set_source(after.name());
        for (const auto& t : targets) *split->add_results() = Snapshot(t);
        split->set_source_continues(!request.dissolve_source());
        Record(
            stamp,
            {"SplitOrganization", v1::REVISION_KIND_SPLIT_INTO,
             request.effective_on(), &request.decision(),
             absl::StrCat("Chia tách ", before.display_name(), " thành ",
                          targets.size(), " phần (", mover.size(), " người)"),
             ""},
            before.etag(), source->version, after, std::move(event), staged);
        for (const auto& t : targets) {
          staged.revisions.back().add_related_organizations(t.name());
          staged.journal.audit->add_related(t.name());
        }
        mover.StageInto(staged);
        change = std::move(staged);
        return absl::OkStatus();
      },
      &context_->people());
}

absl::Status OrganizationServiceImpl::Dissolve(
    const CallContext& call, const v1::DissolveOrganizationRequest& request,
    v1::Organization& response) {
  FieldChecker check;
  CheckDate(check, request.effective_on(), "effective_on", /*required=*/true);
  if (request.decision().number().empty()) {
    check.Add("decision.number", "is required: the dissolution decision");
  }
  CheckOrganizationName(check, request.receiving_organization(),
                        "receiving_organization", /*required=*/false);
  if (!check.ok()) return check.status();
  absl::StatusOr<StoredOrganization> stored =
      ReadAuthorized(call, request.name(), "name");
  if (!stored.ok()) return stored.status();
  // The receiving organisation takes its people and children: the caller
  // must cover it too.
  std::optional<StoredOrganization> receiver;
  if (!request.receiving_organization().empty()) {
    absl::StatusOr<StoredOrganization> r = ReadAuthorized(
        call, request.receiving_organization(), "receiving_organization");
    if (!r.ok()) return r.status();
    receiver = *std::move(r);
  }
  if (absl::Status s = RequireBoard(call, "Dissolving an organisation");
      !s.ok()) {
    return s;
  }
  absl::StatusOr<const v1::RuleSet*> rules = rules_(request.effective_on());
  if (!rules.ok()) return rules.status();
  const OrganizationRules& tree = (*rules)->organization();
  return Idempotent(
      runtime_.redis(), store_, "DissolveOrganization", request.request_id(),
      request, response,
      [&](OrganizationChange& change) -> absl::Status {
        const v1::Organization& before = stored->organization;
        if (!request.etag().empty() && request.etag() != before.etag()) {
          return WithReason(absl::AbortedError("etag is stale"),
                            "CONCURRENT_CHANGE");
        }
        const std::string id = OrganizationId(before.name());
        absl::StatusOr<std::vector<StoredOrganization>> children =
            ChildrenOf(store_, id);
        if (!children.ok()) return children.status();
        absl::StatusOr<std::vector<StoredPerson>> home =
            PeopleOf(context_->people(), id, Roll::kHome);
        if (!home.ok()) return home.status();
        absl::StatusOr<std::vector<StoredPerson>> hosted =
            PeopleOf(context_->people(), id, Roll::kHosted);
        if (!hosted.ok()) return hosted.status();
        // People at home there now; departed members (home affiliation
        // closed) keep it as their last organisation unless a receiver
        // takes the records.
        int active_people = 0;
        for (const auto& p : *home) {
          if (HasOpenAffiliation(p.message, v1::AFFILIATION_ROLE_HOME)) {
            ++active_people;
          }
        }
        std::vector<RuleViolation> unmet =
            CheckDissolve(before, static_cast<int>(children->size()),
                          active_people, receiver.has_value());
        if (Before(request.effective_on(), before.valid_from())) {
          unmet.push_back({"tree.dissolve_after_founding", "effective_on",
                           "Ngày giải thể trước ngày thành lập."});
        }
        if (receiver) {
          for (RuleViolation& v :
               CheckReceiver(before, receiver->organization,
                             !home->empty() || !hosted->empty(),
                             "receiving_organization")) {
            unmet.push_back(std::move(v));
          }
          for (const auto& child : *children) {
            for (RuleViolation& v : CheckPlacement(tree, child.organization,
                                                   &receiver->organization)) {
              v.subject = child.organization.name();
              unmet.push_back(std::move(v));
            }
          }
        }
        if (!unmet.empty()) return RulesViolated(std::move(unmet));
        OrganizationChange staged;
        v1::Organization org = before;
        Close(org, v1::ORGANIZATION_STATE_DISSOLVED, request.effective_on(),
              {});
        if (receiver) org.add_successors(receiver->organization.name());
        const common::v1::ChangeStamp stamp = StampNextVersion(
            call, request.request_id(), request.reason(), stored->version, org);
        response = org;
        if (receiver) {
          const Act act{call, request.request_id(), request.reason(),
                        request.effective_on(), request.decision()};
          v1::Organization target = receiver->organization;
          target.add_predecessors(org.name());
          const common::v1::ChangeStamp target_stamp =
              StampNextVersion(call, request.request_id(), request.reason(),
                               receiver->version, target);
          AddWrite(staged, target, receiver->version,
                   v1::REVISION_KIND_MERGED_FROM, request.effective_on(),
                   &request.decision(), target_stamp, {org.name()});
          PeopleMover mover(target_stamp, request.effective_on());
          for (const auto& p : *home) mover.Home(p, target);
          for (const auto& p : *hosted) mover.Hosted(p, target);
          for (const auto& child : *children) {
            if (absl::Status s =
                    StageChildMove(store_, act, tree, child, target, staged);
                !s.ok()) {
              return s;
            }
          }
          mover.StageInto(staged);
        }
        if (request.validate_only()) return absl::OkStatus();
        events::v1::Event event =
            NewEvent(call, request.request_id(), request.effective_on(), org);
        event.mutable_organization_dissolved()->set_organization(org.name());
        event.mutable_organization_dissolved()->set_successor(
            request.receiving_organization());
        // It stays in the path index (history, show_inactive) but is no
        // longer an active child.
        staged.children_removed.push_back(
            {OrganizationId(before.parent()), OrganizationId(org.name())});
        Record(stamp,
               {"DissolveOrganization", v1::REVISION_KIND_DISSOLVED,
                request.effective_on(), &request.decision(),
                absl::StrCat("Giải thể ", org.display_name()),
                request.receiving_organization()},
               before.etag(), stored->version, org, std::move(event), staged);
        change = std::move(staged);
        return absl::OkStatus();
      },
      &context_->people());
}

absl::Status OrganizationServiceImpl::Revisions(
    const CallContext& call,
    const v1::ListOrganizationRevisionsRequest& request,
    v1::ListOrganizationRevisionsResponse& response) {
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  absl::StatusOr<StoredOrganization> stored =
      ReadAuthorized(call, request.name(), "name");
  if (!stored.ok()) return stored.status();
  const std::string fingerprint = RequestFingerprint(request);
  absl::StatusOr<std::string> cursor =
      DecodePageToken(request.page_token(), fingerprint);
  if (!cursor.ok()) return cursor.status();
  int offset = 0;
  if (!cursor->empty() && !absl::SimpleAtoi(*cursor, &offset)) {
    return InvalidField("page_token", "malformed");
  }
  int total = 0;
  absl::StatusOr<std::vector<v1::OrganizationRevision>> revisions =
      store_.Revisions(OrganizationId(request.name()), offset, *page_size,
                       &total);
  if (!revisions.ok()) return revisions.status();
  for (auto& r : *revisions) *response.add_revisions() = std::move(r);
  response.set_total_size(total);
  if (offset + *page_size < total) {
    response.set_next_page_token(
        EncodePageToken(absl::StrCat(offset + *page_size), fingerprint));
  }
  return absl::OkStatus();
}

absl::Status OrganizationServiceImpl::Ancestors(
    const CallContext& call,
    const v1::ListOrganizationAncestorsRequest& request,
    v1::ListOrganizationAncestorsResponse& response) {
  FieldChecker check;
  CheckDate(check, request.as_of(), "as_of", /*required=*/false);
  if (!check.ok()) return check.status();
  if (absl::StatusOr<int> size = ResolvePageSize(request.page_size());
      !size.ok()) {
    return size.status();
  }
  absl::StatusOr<StoredOrganization> stored =
      ReadAuthorized(call, request.name(), "name");
  if (!stored.ok()) return stored.status();
  if (!request.has_as_of()) {
    std::vector<std::string> ids;
    for (int i = 0; i + 1 < stored->organization.path_size(); ++i) {
      ids.push_back(OrganizationId(stored->organization.path(i)));
    }
    absl::StatusOr<std::vector<StoredOrganization>> ancestors =
        store_.GetMany(ids);
    if (!ancestors.ok()) return ancestors.status();
    for (auto& a : *ancestors)
      *response.add_ancestors() = std::move(a.organization);
    return absl::OkStatus();
  }
  // As of a date: follow each organisation's parent as its revisions say it
  // stood on that date (moves, merges and splits are dated acts).
  std::vector<v1::Organization> chain;
  std::string current = OrganizationId(request.name());
  for (int guard = 0; guard < 64 && !current.empty(); ++guard) {
    int total = 0;
    absl::StatusOr<std::vector<v1::OrganizationRevision>> revisions =
        store_.Revisions(current, 0, kMaxPageSize, &total);
    if (!revisions.ok()) return revisions.status();
    const v1::OrganizationRevision* then = nullptr;
    for (const auto& r : *revisions) {  // newest first
      if (!Before(request.as_of(), r.effective_on())) {
        then = &r;
        break;
      }
    }
    if (then == nullptr) break;  // it did not exist yet
    if (current != OrganizationId(request.name()))
      chain.push_back(then->snapshot());
    current = OrganizationId(then->snapshot().parent());
  }
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    *response.add_ancestors() = *it;
  }
  return absl::OkStatus();
}

namespace {

// One organisation's tally from the counters of the organisations it
// covers (itself, or its subtree).
v1::OrganizationTally Tally(
    const v1::Organization& org,
    const std::vector<std::map<std::string, int64_t>>& counters) {
  std::map<std::string, int64_t> sum;
  for (const auto& c : counters) {
    for (const auto& [field, n] : c) sum[field] += n;
  }
  v1::OrganizationTally tally;
  tally.set_organization(org.name());
  tally.set_display_name(org.display_name());
  auto get = [&](const std::string& field) {
    auto it = sum.find(field);
    return it == sum.end() ? 0 : static_cast<int32_t>(it->second);
  };
  for (int s = common::v1::Stage_MIN + 1; s <= common::v1::Stage_MAX; ++s) {
    const int n = get(absl::StrCat("stage:", s));
    if (n == 0) continue;
    v1::StageCount* row = tally.add_by_stage();
    row->set_stage(static_cast<common::v1::Stage>(s));
    row->set_count(n);
    if (s >= common::v1::STAGE_SOURCED &&
        s <= common::v1::STAGE_ADMISSION_DECIDED) {
      tally.set_candidates(tally.candidates() + n);
    }
  }
  tally.set_official_members(
      get(absl::StrCat("stage:", common::v1::STAGE_OFFICIAL)));
  tally.set_probationary_members(
      get(absl::StrCat("stage:", common::v1::STAGE_PROBATION)));
  tally.set_members(tally.official_members() + tally.probationary_members());
  tally.set_exempt_members(
      get(absl::StrCat("status:", v1::PERSON_STATUS_EXEMPT)));
  tally.set_hosted_temporary_members(get("hosted"));
  for (int s = v1::PersonStatus_MIN + 1; s <= v1::PersonStatus_MAX; ++s) {
    const int n = get(absl::StrCat("status:", s));
    if (n == 0) continue;
    v1::StatusCount* row = tally.add_by_status();
    row->set_status(static_cast<v1::PersonStatus>(s));
    row->set_count(n);
  }
  for (int c = common::v1::Category_MIN + 1; c <= common::v1::Category_MAX;
       ++c) {
    const int members = get(absl::StrCat("mcat:", c));
    const int candidates = get(absl::StrCat("ccat:", c));
    if (members == 0 && candidates == 0) continue;
    v1::CategoryCount* row = tally.add_by_category();
    row->set_category(static_cast<common::v1::Category>(c));
    row->set_members(members);
    row->set_candidates(candidates);
  }
  return tally;
}

// The counters of people as they stood on a past `day` (standing.h), for
// each of `rows` (the organisation ids each row covers): the same fields as
// the live counters (CounterFields), so that Tally reads both alike. Every
// person ever at home in the covered organisations is read (their home and
// former rolls), once. The hosted count of a past day therefore covers the
// guests who were ever at home in the rows' organisations; the hosted
// rolls keep only today's guests.
absl::StatusOr<std::vector<std::map<std::string, int64_t>>> PastCounters(
    PersonStore& people, const std::vector<std::vector<std::string>>& rows,
    const std::vector<std::string>& all_ids, absl::CivilDay day) {
  std::vector<std::set<std::string>> covered;
  for (const auto& ids : rows) covered.emplace_back(ids.begin(), ids.end());
  std::vector<std::map<std::string, int64_t>> counters(rows.size());
  absl::Status visited =
      people.ForEachEverAtHome(all_ids, [&](const v1::Person& p) {
        const domain::AffiliationsOn where = domain::AffiliationOn(p, day);
        if (where.home.empty() && where.host.empty()) return absl::OkStatus();
        std::optional<domain::Standing> then = domain::StandingOn(p, day);
        if (!then.has_value()) return absl::OkStatus();
        v1::Person as_then;
        as_then.set_stage(then->stage);
        as_then.set_status(then->status);
        *as_then.mutable_categories() = p.categories();
        const std::vector<std::string> fields = CounterFields(as_then);
        for (size_t r = 0; r < rows.size(); ++r) {
          if (!where.home.empty() && covered[r].count(where.home) > 0) {
            for (const std::string& f : fields) ++counters[r][f];
          }
          if (!where.host.empty() && covered[r].count(where.host) > 0) {
            ++counters[r]["hosted"];
          }
        }
        return absl::OkStatus();
      });
  if (!visited.ok()) return visited;
  return counters;
}

}  // namespace

absl::Status OrganizationServiceImpl::Count(
    const CallContext& call, const v1::CountPeopleRequest& request,
    v1::PeopleCounts& response) {
  const Date today = Today();
  if (request.has_as_of()) {
    if (!IsValidDate(request.as_of())) {
      return InvalidField("as_of", "is not a valid date");
    }
    if (CivilDayOf(request.as_of()) > CivilDayOf(today)) {
      return InvalidField("as_of",
                          absl::StrCat("is after today (", FormatDate(today),
                                       "): counts are of today or the past"));
    }
  }
  const bool past =
      request.has_as_of() && CivilDayOf(request.as_of()) < CivilDayOf(today);
  absl::StatusOr<StoredOrganization> root =
      ReadAuthorized(call, request.organization(), "organization");
  if (!root.ok()) return root.status();
  // The rows: the organisation, then each direct child if asked.
  std::vector<v1::Organization> orgs = {root->organization};
  if (request.per_child()) {
    std::string after;
    while (true) {
      absl::StatusOr<OrganizationPage> children = store_.ListChildren(
          OrganizationId(root->organization.name()), after, 1000);
      if (!children.ok()) return children.status();
      for (auto& child : children->organizations) {
        orgs.push_back(std::move(child.organization));
      }
      if (children->next_cursor.empty()) break;
      after = children->next_cursor;
    }
  }
  // The organisations each row covers: itself, or its subtree.
  std::vector<std::vector<std::string>> rows;
  for (const v1::Organization& org : orgs) {
    if (!request.include_descendants()) {
      rows.push_back({OrganizationId(org.name())});
      continue;
    }
    absl::StatusOr<std::vector<std::string>> ids = store_.SubtreeIds(org);
    if (!ids.ok()) return ids.status();
    rows.push_back(*std::move(ids));
  }
  std::vector<std::vector<std::map<std::string, int64_t>>> per_row;
  if (past) {
    // Every organisation some row covers (with descendants, the root's
    // subtree holds the children's).
    std::vector<std::string> all = rows.front();
    if (!request.include_descendants()) {
      for (size_t i = 1; i < rows.size(); ++i) {
        all.insert(all.end(), rows[i].begin(), rows[i].end());
      }
    }
    absl::StatusOr<std::vector<std::map<std::string, int64_t>>> counters =
        PastCounters(context_->people(), rows, all,
                     CivilDayOf(request.as_of()));
    if (!counters.ok()) return counters.status();
    for (auto& c : *counters) per_row.push_back({std::move(c)});
  } else {
    for (const auto& ids : rows) {
      absl::StatusOr<std::vector<std::map<std::string, int64_t>>> counters =
          context_->people().Counters(ids);
      if (!counters.ok()) return counters.status();
      per_row.push_back(*std::move(counters));
    }
  }
  *response.mutable_as_of() = past ? request.as_of() : today;
  *response.mutable_total() = Tally(orgs.front(), per_row.front());
  for (size_t i = 1; i < orgs.size(); ++i) {
    *response.add_children() = Tally(orgs[i], per_row[i]);
  }
  return absl::OkStatus();
}

}  // namespace partydev::membership
