#include "services/membership/person_access.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/authorization.h"

namespace partydev::membership {
namespace {

constexpr absl::string_view kPeople = "people/";
constexpr absl::string_view kOrganizations = "organizations/";

void CheckName(FieldChecker& check, const std::string& name,
               absl::string_view field, bool required,
               absl::string_view collection, absl::string_view example) {
  if (name.empty()) {
    if (required)
      check.Add(field, absl::StrCat("is required (\"", example, "\")"));
    return;
  }
  if (!absl::StartsWith(name, collection) ||
      !IsValidResourceId(absl::string_view(name).substr(collection.size()))) {
    check.Add(field, absl::StrCat("\"", name, "\" is not a name of the form \"",
                                  example, "\" (id of a-z, 0-9, -)"));
  }
}

std::vector<std::string> PathOf(MembershipContext& context,
                                const std::string& organization) {
  if (organization.empty()) return {};
  absl::StatusOr<StoredOrganization> org =
      context.organizations().Get(LastSegment(organization));
  if (!org.ok()) return {organization};
  return {org->organization.path().begin(), org->organization.path().end()};
}

absl::StatusOr<StoredPerson> ReadPerson(MembershipContext& context,
                                        const CallContext& call,
                                        const std::string& name,
                                        absl::string_view field,
                                        bool for_reading) {
  FieldChecker check;
  CheckPersonName(check, name, field);
  if (!check.ok()) return check.status();
  absl::StatusOr<StoredPerson> person = context.people().Get(name);
  if (!person.ok()) return person.status();
  if (!CallerCoversPerson(context, call.principal, person->message,
                          for_reading)) {
    return RequireWithinSubtree(call.principal,
                                {person->message.organization_path().begin(),
                                 person->message.organization_path().end()},
                                name);
  }
  return person;
}

}  // namespace

void CheckPersonName(FieldChecker& check, const std::string& name,
                     absl::string_view field, bool required) {
  CheckName(check, name, field, required, kPeople, "people/{id}");
}

void CheckOrganizationRef(FieldChecker& check, const std::string& name,
                          absl::string_view field, bool required) {
  CheckName(check, name, field, required, kOrganizations, "organizations/{id}");
}

bool CallerCoversPerson(MembershipContext& context, const Principal& caller,
                        const v1::Person& person, bool for_reading) {
  // The person themselves may read their own record (the member handbook).
  if (for_reading && caller.subject == person.name()) return true;
  if (CoversPath(caller, {person.organization_path().begin(),
                          person.organization_path().end()})) {
    return true;
  }
  if (for_reading && !person.host_organization().empty()) {
    return CoversPath(caller, PathOf(context, person.host_organization()));
  }
  return false;
}

absl::StatusOr<StoredPerson> ReadPersonForRead(MembershipContext& context,
                                               const CallContext& call,
                                               const std::string& name,
                                               absl::string_view field) {
  return ReadPerson(context, call, name, field, /*for_reading=*/true);
}

absl::StatusOr<StoredPerson> ReadPersonForChange(MembershipContext& context,
                                                 const CallContext& call,
                                                 const std::string& name,
                                                 absl::string_view field) {
  return ReadPerson(context, call, name, field, /*for_reading=*/false);
}

absl::Status RequireRecorder(const Principal& caller,
                             absl::string_view action) {
  return RequireAnyRole(caller, {roles::kSecretary, roles::kOrganizationBoard},
                        action);
}

bool IsMember(const v1::Person& person) {
  return person.stage() == common::v1::STAGE_PROBATION ||
         person.stage() == common::v1::STAGE_OFFICIAL;
}

bool IsMemberOnRolls(const v1::Person& person) {
  return IsMember(person) &&
         person.status() != v1::PERSON_STATUS_TRANSFERRED_OUT &&
         !person.has_departure();
}

bool MaySeePersonalData(const Principal& caller, const v1::Person& person) {
  return caller.HasRole(roles::kPersonalData) ||
         caller.HasRole(roles::kAdmin) || caller.subject == person.name();
}

const std::vector<std::string>& SensitiveFields() {
  static const auto* const kFields = new std::vector<std::string>{
      "date_of_birth",     "ethnicity", "religion", "citizen_id",
      "party_card_number", "phone",     "email",    "residence_address"};
  return *kFields;
}

v1::Person Visible(v1::Person person, const Principal& caller) {
  person.clear_redacted_fields();
  if (MaySeePersonalData(caller, person)) return person;
  const auto* descriptor = person.GetDescriptor();
  const auto* reflection = person.GetReflection();
  for (const auto& field : SensitiveFields()) {
    const auto* f = descriptor->FindFieldByName(field);
    if (f != nullptr &&
        (f->is_repeated() || reflection->HasField(person, f) ||
         f->type() == google::protobuf::FieldDescriptor::TYPE_STRING)) {
      reflection->ClearField(&person, f);
    }
    person.add_redacted_fields(field);
  }
  // The insured salary or pension the dues are computed from is income
  // (dues.proto: DuesProfile.base_amount_vnd is Sensitive).
  if (person.has_dues()) {
    person.mutable_dues()->clear_base_amount_vnd();
    person.add_redacted_fields("dues.base_amount_vnd");
  }
  return person;
}

PersonChangeRecorder::PersonChangeRecorder(MembershipContext& context,
                                           const CallContext& call,
                                           const std::string& request_id,
                                           const std::string& reason)
    : context_(context),
      call_(call),
      request_id_(request_id),
      stamp_(Stamp(call, request_id, reason)) {}

events::v1::Event PersonChangeRecorder::NewPersonEvent(
    const v1::Person& person, const common::v1::Date& act_date) const {
  return NewEvent(call_, request_id_, act_date, person.organization_path());
}

std::string PersonChangeRecorder::Record(
    Change& change, const StoredPerson* before, v1::Person& after,
    absl::string_view method, std::string summary,
    std::vector<events::v1::Event> events) {
  if (before == nullptr) *after.mutable_create_stamp() = stamp_;
  *after.mutable_update_stamp() = stamp_;
  after.clear_redacted_fields();
  const int64_t version = before != nullptr ? before->version : 0;
  after.set_etag(EtagOf(version + 1));
  context_.people().StageWrite(change.write, before, after);
  const std::string etag_before = before != nullptr ? EtagOf(version) : "";
  RecordJournal(change, after, method, after.name(), std::move(summary),
                etag_before, std::move(events));
  change.journal.audit->set_etag_after(after.etag());
  return after.etag();
}

void PersonChangeRecorder::RecordResource(
    Change& change, const v1::Person& person, const std::string& name,
    int64_t version, const google::protobuf::Message& message,
    absl::string_view collection) {
  RecordStore& records = context_.records();
  records.StagePut(change.write, name, version, message);
  if (version == 0) {
    const size_t slash = name.rfind('/');
    const std::string parent = name.substr(0, name.rfind('/', slash - 1));
    change.write.ZAdd(records.CollectionKey(parent, collection), 0,
                      name.substr(slash + 1));
    change.write.ZAdd(records.OrganizationIndexKey(
                          LastSegment(person.organization()), collection),
                      0, name);
  }
}

void PersonChangeRecorder::RecordJournal(
    Change& change, const v1::Person& person, absl::string_view method,
    const std::string& target, std::string summary,
    const std::string& etag_before, std::vector<events::v1::Event> events) {
  std::string first_event;
  for (auto& event : events) {
    SetType(event);
    if (first_event.empty()) first_event = event.id();
    change.journal.events.push_back(std::move(event));
  }
  v1::AuditEntry entry =
      NewAuditEntry(stamp_, method, target, person.organization_path(),
                    std::move(summary), etag_before, first_event);
  if (target != person.name()) entry.add_related(person.name());
  change.journal.audit = std::move(entry);
  change.journal.audit_organization_id = LastSegment(person.organization());
}

std::string MethodName(absl::string_view service, absl::string_view method) {
  return absl::StrCat("partydev.membership.v1.", service, ".", method);
}

}  // namespace partydev::membership
