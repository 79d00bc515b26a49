#include "services/membership/person_service.h"

#include <algorithm>
#include <optional>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/authorization.h"
#include "common/dates.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/paging.h"
#include "google/protobuf/util/field_mask_util.h"
#include "services/membership/domain/names.h"
#include "services/membership/domain/party_age.h"
#include "services/membership/domain/pipeline.h"
#include "services/membership/domain/standing.h"
#include "services/membership/organization_tree.h"
#include "services/membership/person_access.h"
#include "services/membership/person_filter.h"
#include "services/membership/rpc_forwarding.h"

namespace partydev::membership {
namespace {

using common::v1::Date;
using common::v1::Stage;

constexpr absl::string_view kService = "PersonService";

bool IsAfter(const Date& a, const Date& b) {
  return CivilDayOf(a) > CivilDayOf(b);
}

// Personal data every person must have, and its form (issue #4, "People").
// `prefix` is the path of the Person in the request ("person.").
void CheckPersonalData(FieldChecker& check, const v1::Person& person,
                       absl::string_view prefix, const Date& today,
                       const std::set<std::string>* only_fields) {
  auto wanted = [&](absl::string_view f) {
    return only_fields == nullptr || only_fields->count(std::string(f)) > 0;
  };
  auto field = [&](absl::string_view f) { return absl::StrCat(prefix, f); };
  if (wanted("full_name")) {
    absl::StatusOr<std::string> name =
        domain::NormalizeFullName(person.full_name());
    if (!name.ok()) check.Add(field("full_name"), name.status().message());
  }
  if (wanted("date_of_birth")) {
    if (IsUnset(person.date_of_birth())) {
      check.Add(field("date_of_birth"), "is required");
    } else {
      CheckDate(person.date_of_birth(), field("date_of_birth"), check);
      if (IsValidDate(person.date_of_birth()) &&
          IsAfter(person.date_of_birth(), today)) {
        check.Add(field("date_of_birth"), "is in the future");
      }
    }
  }
  if (wanted("gender") && person.gender() == v1::GENDER_UNSPECIFIED) {
    check.Add(field("gender"), "is required (GENDER_MALE or GENDER_FEMALE)");
  }
  if (wanted("general_education") &&
      person.general_education() == v1::GENERAL_EDUCATION_UNSPECIFIED) {
    check.Add(field("general_education"), "is required");
  }
  if (wanted("citizen_id")) {
    const std::string& id = person.citizen_id();
    const bool digits =
        id.size() == 12 && std::all_of(id.begin(), id.end(), [](char c) {
          return absl::ascii_isdigit(static_cast<unsigned char>(c));
        });
    // Never echo the number itself: it is personal data (Decree 13/2023).
    if (!digits) {
      check.Add(field("citizen_id"),
                "must be the 12 digits of the citizen identity number");
    }
  }
  if (wanted("categories")) {
    for (int c : person.categories()) {
      if (c == common::v1::CATEGORY_UNSPECIFIED) {
        check.Add(field("categories"), "must not contain CATEGORY_UNSPECIFIED");
      }
    }
  }
  if (wanted("email") && !person.email().empty() &&
      !absl::StrContains(person.email(), "@")) {
    check.Add(field("email"), "is not an e-mail address");
  }
  if (wanted("phone") && !person.phone().empty()) {
    const bool ok = std::all_of(person.phone().begin(), person.phone().end(),
                                [](char c) {
                                  return absl::ascii_isdigit(
                                             static_cast<unsigned char>(c)) ||
                                         c == '+' || c == ' ';
                                }) &&
                    person.phone().size() >= 9 && person.phone().size() <= 16;
    if (!ok)
      check.Add(field("phone"), "is not a phone number (9 to 16 digits)");
  }
  if (wanted("union_memberships")) {
    for (int i = 0; i < person.union_memberships_size(); ++i) {
      CheckOrganizationRef(
          check, person.union_memberships(i).organization(),
          absl::StrCat(prefix, "union_memberships[", i, "].organization"));
    }
  }
}

void CheckSource(FieldChecker& check, const v1::CandidateSource& source,
                 absl::string_view field, const Date& today) {
  if (source.kind() == v1::SOURCE_KIND_UNSPECIFIED) {
    check.Add(absl::StrCat(field, ".kind"),
              "is required: who found the candidate (a cell, a mass "
              "organisation, a member)");
  }
  if (source.kind() == v1::SOURCE_KIND_CELL ||
      source.kind() == v1::SOURCE_KIND_MASS_ORGANIZATION) {
    CheckOrganizationRef(check, source.organization(),
                         absl::StrCat(field, ".organization"));
  }
  if (source.kind() == v1::SOURCE_KIND_MEMBER) {
    CheckPersonName(check, source.recommended_by(),
                    absl::StrCat(field, ".recommended_by"));
  }
  if (IsUnset(source.sourced_on())) {
    check.Add(absl::StrCat(field, ".sourced_on"), "is required");
  } else {
    CheckDate(source.sourced_on(), absl::StrCat(field, ".sourced_on"), check);
    if (IsValidDate(source.sourced_on()) &&
        IsAfter(source.sourced_on(), today)) {
      check.Add(absl::StrCat(field, ".sourced_on"), "is in the future");
    }
  }
}

v1::Person BasicView(v1::Person person) {
  person.clear_admission();
  person.clear_previous_admissions();
  person.clear_affiliations();
  return person;
}

// The home organisation of a person: an active party cell (chi bộ) in the
// caller's subtree. People belong to cells; committees lead cells.
absl::StatusOr<StoredOrganization> ReadHomeCell(MembershipContext& context,
                                                const CallContext& call,
                                                const std::string& name,
                                                absl::string_view field) {
  absl::StatusOr<StoredOrganization> org =
      context.organizations().Get(LastSegment(name));
  if (absl::IsNotFound(org.status())) {
    return InvalidField(field, absl::StrCat(name, " does not exist"));
  }
  if (!org.ok()) return org.status();
  if (absl::Status s = RequireWithinSubtree(
          call.principal,
          {org->organization.path().begin(), org->organization.path().end()},
          name);
      !s.ok()) {
    return s;
  }
  std::vector<RuleViolation> unmet;
  if (org->organization.organization_class() !=
      v1::ORGANIZATION_CLASS_PARTY_CELL) {
    unmet.push_back(
        {"person.home_is_cell", std::string(field),
         absl::StrCat(org->organization.display_name(),
                      " is not a party cell; people belong to a cell "
                      "(chi bộ), not to a committee or another unit")});
  }
  if (org->organization.state() != v1::ORGANIZATION_STATE_ACTIVE) {
    unmet.push_back(
        {"person.home_active", std::string(field),
         absl::StrCat(org->organization.display_name(), " is not active")});
  }
  if (!unmet.empty()) return RulesViolated(std::move(unmet));
  return org;
}

events::v1::PersonStageChanged StageChange(const v1::Person& person, Stage from,
                                           absl::string_view step) {
  events::v1::PersonStageChanged change;
  change.set_person(person.name());
  change.set_organization(person.organization());
  change.set_from_stage(from);
  change.set_to_stage(person.stage());
  for (int c : person.categories()) {
    change.add_categories(static_cast<common::v1::Category>(c));
  }
  change.set_step(std::string(step));
  return change;
}

}  // namespace

PersonServiceImpl::PersonServiceImpl(std::shared_ptr<MembershipContext> context)
    : context_(std::move(context)) {}

PARTYDEV_MEMBERSHIP_FORWARD(PersonServiceImpl, GetPerson, v1::GetPersonRequest,
                            v1::Person)
PARTYDEV_MEMBERSHIP_FORWARD(PersonServiceImpl, ListPeople,
                            v1::ListPeopleRequest, v1::ListPeopleResponse)
PARTYDEV_MEMBERSHIP_FORWARD(PersonServiceImpl, CreatePerson,
                            v1::CreatePersonRequest, v1::Person)
PARTYDEV_MEMBERSHIP_FORWARD(PersonServiceImpl, UpdatePerson,
                            v1::UpdatePersonRequest, v1::Person)
PARTYDEV_MEMBERSHIP_FORWARD(PersonServiceImpl, CreateTransfer,
                            v1::CreateTransferRequest, v1::Transfer)
PARTYDEV_MEMBERSHIP_FORWARD(PersonServiceImpl, GetTransfer,
                            v1::GetTransferRequest, v1::Transfer)
PARTYDEV_MEMBERSHIP_FORWARD(PersonServiceImpl, ListTransfers,
                            v1::ListTransfersRequest, v1::ListTransfersResponse)
PARTYDEV_MEMBERSHIP_FORWARD(PersonServiceImpl, IssueTransferLetter,
                            v1::IssueTransferLetterRequest, v1::Transfer)
PARTYDEV_MEMBERSHIP_FORWARD(PersonServiceImpl, ReceiveTransfer,
                            v1::ReceiveTransferRequest, v1::Transfer)
PARTYDEV_MEMBERSHIP_FORWARD(PersonServiceImpl, EndTemporaryTransfer,
                            v1::EndTemporaryTransferRequest, v1::Transfer)
PARTYDEV_MEMBERSHIP_FORWARD(PersonServiceImpl, CancelTransfer,
                            v1::CancelTransferRequest, v1::Transfer)
PARTYDEV_MEMBERSHIP_FORWARD(PersonServiceImpl, ExemptMember,
                            v1::ExemptMemberRequest, v1::Person)
PARTYDEV_MEMBERSHIP_FORWARD(PersonServiceImpl, EndExemption,
                            v1::EndExemptionRequest, v1::Person)
PARTYDEV_MEMBERSHIP_FORWARD(PersonServiceImpl, RemoveMember,
                            v1::RemoveMemberRequest, v1::Person)
PARTYDEV_MEMBERSHIP_FORWARD(PersonServiceImpl, RecordResignation,
                            v1::RecordResignationRequest, v1::Person)
PARTYDEV_MEMBERSHIP_FORWARD(PersonServiceImpl, RecordDeath,
                            v1::RecordDeathRequest, v1::Person)
PARTYDEV_MEMBERSHIP_FORWARD(PersonServiceImpl, CreateDiscipline,
                            v1::CreateDisciplineRequest, v1::Discipline)
PARTYDEV_MEMBERSHIP_FORWARD(PersonServiceImpl, GetDiscipline,
                            v1::GetDisciplineRequest, v1::Discipline)
PARTYDEV_MEMBERSHIP_FORWARD(PersonServiceImpl, ListDisciplines,
                            v1::ListDisciplinesRequest,
                            v1::ListDisciplinesResponse)
PARTYDEV_MEMBERSHIP_FORWARD(PersonServiceImpl, UpdateDiscipline,
                            v1::UpdateDisciplineRequest, v1::Discipline)
PARTYDEV_MEMBERSHIP_FORWARD(PersonServiceImpl, CreateImprovementPeriod,
                            v1::CreateImprovementPeriodRequest,
                            v1::ImprovementPeriod)
PARTYDEV_MEMBERSHIP_FORWARD(PersonServiceImpl, GetImprovementPeriod,
                            v1::GetImprovementPeriodRequest,
                            v1::ImprovementPeriod)
PARTYDEV_MEMBERSHIP_FORWARD(PersonServiceImpl, ListImprovementPeriods,
                            v1::ListImprovementPeriodsRequest,
                            v1::ListImprovementPeriodsResponse)
PARTYDEV_MEMBERSHIP_FORWARD(PersonServiceImpl, ReviewImprovementPeriod,
                            v1::ReviewImprovementPeriodRequest,
                            v1::ImprovementPeriod)
PARTYDEV_MEMBERSHIP_FORWARD(PersonServiceImpl, CloseImprovementPeriod,
                            v1::CloseImprovementPeriodRequest,
                            v1::ImprovementPeriod)
PARTYDEV_MEMBERSHIP_FORWARD(PersonServiceImpl, GetPartyAge,
                            v1::GetPartyAgeRequest, v1::PartyAge)
PARTYDEV_MEMBERSHIP_FORWARD(PersonServiceImpl, RecordPartyAgeGap,
                            v1::RecordPartyAgeGapRequest, v1::PartyAge)

absl::Status PersonServiceImpl::DoGetPerson(const CallContext& call,
                                            const v1::GetPersonRequest& request,
                                            v1::Person& response) {
  absl::StatusOr<StoredPerson> person =
      ReadPersonForRead(*context_, call, request.name(), "name");
  if (!person.ok()) return person.status();
  v1::Person visible = Visible(std::move(person->message), call.principal);
  if (!IsUnset(visible.first_admitted_on())) {
    absl::StatusOr<v1::PartyAge> age =
        PartyAgeOf(*context_, visible, Today(), {});
    if (age.ok()) visible.set_party_age_months(age->months());
  }
  response = request.view() == v1::PERSON_VIEW_BASIC ? BasicView(visible)
                                                     : std::move(visible);
  return absl::OkStatus();
}

absl::Status PersonServiceImpl::DoCreatePerson(
    const CallContext& call, const v1::CreatePersonRequest& request,
    v1::Person& response) {
  return RegisterPerson(*context_, call, request, response);
}

absl::Status RegisterPerson(MembershipContext& context, const CallContext& call,
                            const v1::CreatePersonRequest& request,
                            v1::Person& response) {
  MembershipContext* const context_ = &context;
  if (absl::Status s = RequireRecorder(call.principal, "register a person");
      !s.ok()) {
    return s;
  }
  const Date today = Today();
  const v1::Person& in = request.person();
  const bool existing = request.has_existing_membership();
  FieldChecker check;
  CheckPersonalData(check, in, "person.", today, nullptr);
  CheckOrganizationRef(check, in.organization(), "person.organization");
  if (!request.person_id().empty() &&
      (!IsValidResourceId(request.person_id()) ||
       request.person_id() == "me")) {
    check.Add("person_id",
              "must be 1-63 characters of a-z, 0-9 and - (\"me\" is reserved)");
  }
  if (!existing) {
    if (!in.has_source()) {
      check.Add("person.source",
                "is required for a new candidate (tạo nguồn: who found her)");
    } else {
      CheckSource(check, in.source(), "person.source", today);
    }
  } else {
    const v1::ExistingMembership& m = request.existing_membership();
    if (m.admission_decision().number().empty()) {
      check.Add("existing_membership.admission_decision.number", "is required");
    }
    if (IsUnset(m.admission_decision().signed_on())) {
      check.Add("existing_membership.admission_decision.signed_on",
                "is required (the start of party age)");
    } else {
      CheckDate(m.admission_decision().signed_on(),
                "existing_membership.admission_decision.signed_on", check);
    }
    if (IsUnset(m.official_on()) && IsUnset(m.ceremony_on())) {
      check.Add("existing_membership.ceremony_on",
                "is required for a probationary member (probation runs "
                "from the ceremony)");
    }
    if (!IsUnset(m.ceremony_on())) {
      CheckDate(m.ceremony_on(), "existing_membership.ceremony_on", check);
    }
    if (!IsUnset(m.official_on())) {
      CheckDate(m.official_on(), "existing_membership.official_on", check);
    }
  }
  if (!check.ok()) return check.status();

  absl::StatusOr<StoredOrganization> home =
      ReadHomeCell(*context_, call, in.organization(), "person.organization");
  if (!home.ok()) return home.status();

  // The rule set of the registration date judges the dates.
  std::vector<RuleViolation> unmet;
  if (existing) {
    const v1::ExistingMembership& m = request.existing_membership();
    const Date& decided = m.admission_decision().signed_on();
    if (IsAfter(decided, today)) {
      unmet.push_back({"membership.dates_ordered",
                       "existing_membership.admission_decision.signed_on",
                       "the admission decision is dated in the future"});
    }
    if (!IsUnset(m.ceremony_on()) && IsAfter(decided, m.ceremony_on())) {
      unmet.push_back({"membership.dates_ordered",
                       "existing_membership.ceremony_on",
                       "the ceremony comes after the admission decision"});
    }
    if (!IsUnset(m.official_on()) && !IsUnset(m.ceremony_on()) &&
        IsAfter(m.ceremony_on(), m.official_on())) {
      unmet.push_back({"membership.dates_ordered",
                       "existing_membership.official_on",
                       "official membership comes after the ceremony and "
                       "its probation (Party Charter art. 5)"});
    }
    if (!IsUnset(m.official_on()) && IsAfter(m.official_on(), today)) {
      unmet.push_back({"membership.dates_ordered",
                       "existing_membership.official_on",
                       "the official date is in the future"});
    }
  }
  absl::StatusOr<std::optional<std::string>> holder =
      context_->people().FindByCitizenId(in.citizen_id());
  if (!holder.ok()) return holder.status();
  if (holder->has_value()) {
    return WithReason(
        absl::AlreadyExistsError(
            "person.citizen_id: a person with this citizen identity number "
            "is already registered (rule person.citizen_id_unique)"),
        "ALREADY_EXISTS");
  }
  if (!unmet.empty()) return RulesViolated(std::move(unmet));

  v1::Person person;
  person.set_name(absl::StrCat("people/", request.person_id().empty()
                                              ? NewUuid()
                                              : request.person_id()));
  // Copy what the caller may set, then derive the rest.
  person.MergeFrom(in);
  person.set_name(absl::StrCat("people/", request.person_id().empty()
                                              ? LastSegment(person.name())
                                              : request.person_id()));
  person.set_full_name(*domain::NormalizeFullName(in.full_name()));
  person.set_folded_name(domain::FoldForSearch(person.full_name()));
  person.clear_host_organization();
  person.clear_admission();
  person.clear_previous_admissions();
  person.clear_deadlines();
  person.clear_exemption();
  person.clear_departure();
  person.clear_first_admitted_on();
  person.clear_official_on();
  person.clear_party_age_months();
  person.clear_affiliations();
  person.clear_redacted_fields();
  person.clear_etag();
  person.clear_create_stamp();
  person.clear_update_stamp();
  person.set_organization(home->organization.name());
  *person.mutable_organization_path() = home->organization.path();
  person.set_status(v1::PERSON_STATUS_ACTIVE);

  v1::Admission* admission = person.mutable_admission();
  admission->set_organization(person.organization());
  *admission->mutable_organization_path() = person.organization_path();
  Date since;
  if (existing) {
    const v1::ExistingMembership& m = request.existing_membership();
    person.clear_source();
    *admission->mutable_admission_decision() = m.admission_decision();
    *admission->mutable_ceremony_on() = m.ceremony_on();
    *person.mutable_first_admitted_on() = m.admission_decision().signed_on();
    if (!IsUnset(m.official_on())) {
      person.set_stage(common::v1::STAGE_OFFICIAL);
      *admission->mutable_official_on() = m.official_on();
      *admission->mutable_recognition_decision() = m.recognition_decision();
      *person.mutable_official_on() = m.official_on();
    } else {
      person.set_stage(common::v1::STAGE_PROBATION);
      absl::StatusOr<const v1::RuleSet*> rules =
          context_->rules()(m.ceremony_on());
      const int months =
          rules.ok() ? (*rules)->admission().probation_months() : 12;
      *admission->mutable_probation_ends_on() =
          FromCivilDay(AddMonths(CivilDayOf(m.ceremony_on()), months) - 1);
      // Probation ends (Party Charter art. 5.1): the cell must then vote
      // on recognition, so the entered member carries the deadline too.
      v1::Deadline* ends = person.add_deadlines();
      ends->set_kind(common::v1::DEADLINE_KIND_PROBATION_ENDS);
      ends->set_subject(person.name());
      *ends->mutable_counted_from() = m.ceremony_on();
      ends->set_length(months);
      ends->set_unit(v1::DURATION_UNIT_MONTHS);
      *ends->mutable_due_on() = admission->probation_ends_on();
      ends->set_rule_id("admission.probation_months");
      ends->set_responsible_organization(person.organization());
    }
    for (const auto& c : person.categories()) {
      admission->add_categories_at_admission(
          static_cast<common::v1::Category>(c));
    }
    since = m.admission_decision().signed_on();
  } else {
    person.set_stage(common::v1::STAGE_SOURCED);
    *admission->mutable_source() = person.source();
    since = person.source().sourced_on();
  }
  v1::Affiliation* home_affiliation = person.add_affiliations();
  home_affiliation->set_organization(person.organization());
  home_affiliation->set_role(v1::AFFILIATION_ROLE_HOME);
  *home_affiliation->mutable_starts_on() = since;
  home_affiliation->set_source("registration");

  if (request.validate_only()) {
    response = Visible(person, call.principal);
    return absl::OkStatus();
  }
  return IdempotentChange<v1::Person>(
      context_->redis(), context_->prefix(), "CreatePerson",
      request.request_id(), request, response, [&](Change& change) {
        PersonChangeRecorder recorder(*context_, call, request.request_id(),
                                      "");
        std::vector<events::v1::Event> events;
        events::v1::Event staged = recorder.NewPersonEvent(person, since);
        *staged.mutable_person_stage_changed() =
            StageChange(person, common::v1::STAGE_UNSPECIFIED, "CreatePerson");
        events.push_back(std::move(staged));
        if (existing) {
          // A roll entered into partydev: the admission counts in the year
          // of its decision (quota decides whether that year is tracked).
          events::v1::Event admitted =
              recorder.NewPersonEvent(person, person.first_admitted_on());
          events::v1::MemberAdmitted* a = admitted.mutable_member_admitted();
          a->set_person(person.name());
          a->set_organization(person.organization());
          *a->mutable_decision() = person.admission().admission_decision();
          for (int c : person.categories()) {
            a->add_categories(static_cast<common::v1::Category>(c));
          }
          a->set_age_years(
              FullYearsBetween(CivilDayOf(person.date_of_birth()),
                               CivilDayOf(person.first_admitted_on())));
          events.push_back(std::move(admitted));
        }
        recorder.Record(change, nullptr, person,
                        MethodName(kService, "CreatePerson"),
                        absl::StrCat(existing ? "Đăng ký đảng viên "
                                              : "Tạo nguồn quần chúng ",
                                     person.full_name()),
                        std::move(events));
        response = Visible(person, call.principal);
        return absl::OkStatus();
      });
}

absl::Status PersonServiceImpl::DoUpdatePerson(
    const CallContext& call, const v1::UpdatePersonRequest& request,
    v1::Person& response) {
  if (absl::Status s = RequireRecorder(call.principal, "update a person");
      !s.ok()) {
    return s;
  }
  static const auto* const kUpdatable =
      new std::set<std::string>{"full_name",
                                "date_of_birth",
                                "gender",
                                "ethnicity",
                                "religion",
                                "general_education",
                                "qualification",
                                "occupation",
                                "workplace",
                                "categories",
                                "citizen_id",
                                "source",
                                "dues",
                                "party_card_number",
                                "phone",
                                "email",
                                "residence_address",
                                "place_of_origin",
                                "union_memberships"};
  FieldChecker check;
  std::set<std::string> paths;
  if (request.update_mask().paths().empty()) {
    check.Add("update_mask", "is required: name the fields to change");
  }
  for (const auto& path : request.update_mask().paths()) {
    if (kUpdatable->count(path) == 0) {
      check.Add("update_mask",
                absl::StrCat("\"", path,
                             "\" cannot be updated here (organisation, stage "
                             "and status change only through steps)"));
    }
    paths.insert(path);
  }
  const Date today = Today();
  CheckPersonalData(check, request.person(), "person.", today, &paths);
  if (paths.count("source")) {
    CheckSource(check, request.person().source(), "person.source", today);
  }
  if (!check.ok()) return check.status();
  absl::StatusOr<StoredPerson> before = ReadPersonForChange(
      *context_, call, request.person().name(), "person.name");
  if (!before.ok()) return before.status();
  if (!request.person().etag().empty() &&
      request.person().etag() != before->message.etag()) {
    return absl::AbortedError(
        absl::StrCat("person.etag: ", request.person().name(),
                     " changed since it was read (", request.person().etag(),
                     " → ", before->message.etag(), "); read it again"));
  }
  const bool sensitive =
      std::any_of(SensitiveFields().begin(), SensitiveFields().end(),
                  [&](const std::string& f) { return paths.count(f) > 0; });
  if (sensitive) {
    if (absl::Status s = RequireAnyRole(call.principal, {roles::kPersonalData},
                                        "change personal data");
        !s.ok()) {
      return s;
    }
  }
  v1::Person after = before->message;
  std::vector<RuleViolation> unmet;
  if (paths.count("source") && !domain::IsCandidateStage(after.stage())) {
    unmet.push_back({"person.source_candidates_only", "person.source",
                     "the source of a candidate changes only while she is a "
                     "candidate"});
  }
  if (paths.count("citizen_id") &&
      request.person().citizen_id() != after.citizen_id()) {
    absl::StatusOr<std::optional<std::string>> holder =
        context_->people().FindByCitizenId(request.person().citizen_id());
    if (!holder.ok()) return holder.status();
    if (holder->has_value()) {
      return WithReason(
          absl::AlreadyExistsError(
              "person.citizen_id: a person with this citizen identity "
              "number is already registered (rule "
              "person.citizen_id_unique)"),
          "ALREADY_EXISTS");
    }
  }
  if (!unmet.empty()) return RulesViolated(std::move(unmet));
  google::protobuf::FieldMask mask;
  for (const auto& path : paths) mask.add_paths(path);
  google::protobuf::util::FieldMaskUtil::MergeOptions replace;
  replace.set_replace_repeated_fields(true);
  replace.set_replace_message_fields(true);
  google::protobuf::util::FieldMaskUtil::MergeMessageTo(request.person(), mask,
                                                        replace, &after);
  if (paths.count("full_name")) {
    after.set_full_name(*domain::NormalizeFullName(after.full_name()));
    after.set_folded_name(domain::FoldForSearch(after.full_name()));
  }
  if (paths.count("source"))
    *after.mutable_admission()->mutable_source() = after.source();
  const bool categories_changed =
      paths.count("categories") &&
      !std::equal(after.categories().begin(), after.categories().end(),
                  before->message.categories().begin(),
                  before->message.categories().end());
  if (request.validate_only()) {
    response = Visible(after, call.principal);
    return absl::OkStatus();
  }
  return IdempotentChange<v1::Person>(
      context_->redis(), context_->prefix(), "UpdatePerson",
      request.request_id(), request, response, [&](Change& change) {
        PersonChangeRecorder recorder(*context_, call, request.request_id(),
                                      request.reason());
        std::vector<events::v1::Event> events;
        if (categories_changed) {
          // Quota counts the pool by category: it must see the change.
          events::v1::Event e = recorder.NewPersonEvent(after, today);
          events::v1::PersonCategoriesChanged* c =
              e.mutable_person_categories_changed();
          c->set_person(after.name());
          c->set_organization(after.organization());
          c->set_stage(after.stage());
          for (int cat : after.categories()) {
            c->add_categories(static_cast<common::v1::Category>(cat));
          }
          events.push_back(std::move(e));
        }
        recorder.Record(change, &*before, after,
                        MethodName(kService, "UpdatePerson"),
                        absl::StrCat("Cập nhật thông tin ", after.full_name()),
                        std::move(events));
        *change.journal.audit->mutable_changed_fields() = mask;
        response = Visible(after, call.principal);
        return absl::OkStatus();
      });
}

// STUBS

absl::Status PersonServiceImpl::DoListPeople(
    const CallContext& call, const v1::ListPeopleRequest& request,
    v1::ListPeopleResponse& response) {
  FieldChecker check;
  const std::string organization = request.organization().empty()
                                       ? call.principal.organization
                                       : request.organization();
  if (organization.empty()) {
    check.Add("organization",
              "is required for a caller not bound to an organisation");
  } else {
    CheckOrganizationRef(check, organization, "organization");
  }
  if (!IsUnset(request.as_of())) {
    CheckDate(request.as_of(), "as_of", check);
  }
  if (!request.order_by().empty() && request.order_by() != "folded_name") {
    check.Add("order_by",
              "only \"folded_name\" is supported (stable paging by name)");
  }
  absl::StatusOr<PersonFilter> filter =
      PersonFilter::Parse(request.filter(), call.principal);
  if (!filter.ok()) return filter.status();
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  if (!check.ok()) return check.status();
  const std::string fingerprint = RequestFingerprint(request);
  absl::StatusOr<std::string> cursor =
      DecodePageToken(request.page_token(), fingerprint);
  if (!cursor.ok()) return cursor.status();

  absl::StatusOr<StoredOrganization> root =
      context_->organizations().Get(LastSegment(organization));
  if (absl::IsNotFound(root.status())) {
    return InvalidField("organization",
                        absl::StrCat(organization, " does not exist"));
  }
  if (!root.ok()) return root.status();
  if (absl::Status s = RequireWithinSubtree(
          call.principal,
          {root->organization.path().begin(), root->organization.path().end()},
          organization);
      !s.ok()) {
    return s;
  }
  std::vector<std::string> org_ids = {LastSegment(organization)};
  if (request.include_descendants()) {
    absl::StatusOr<std::vector<std::string>> subtree =
        context_->organizations().SubtreeIds(root->organization);
    if (!subtree.ok()) return subtree.status();
    org_ids = *std::move(subtree);
  }

  // Filters on the record itself; the name is matched on the roll.
  const Date as_of = IsUnset(request.as_of()) ? Today() : request.as_of();
  const bool past = CivilDayOf(as_of) < CivilDayOf(Today());
  const std::set<int> stages(request.stages().begin(), request.stages().end());
  const std::set<int> statuses(request.statuses().begin(),
                               request.statuses().end());
  const std::set<int> categories(request.categories().begin(),
                                 request.categories().end());
  const std::set<int> overdue_kinds(request.overdue_kinds().begin(),
                                    request.overdue_kinds().end());
  const std::set<std::string> wanted_orgs(org_ids.begin(), org_ids.end());
  auto keep = [&](const v1::Person& p) {
    common::v1::Stage stage = p.stage();
    v1::PersonStatus status = p.status();
    if (past) {
      // Affiliation, stage and status on the date (domain/standing.h): a
      // home (or, asked for, a host) period of one of the organisations
      // covering it.
      const domain::AffiliationsOn where =
          domain::AffiliationOn(p, CivilDayOf(as_of));
      if (wanted_orgs.count(where.home) == 0 &&
          (!request.include_hosted() || wanted_orgs.count(where.host) == 0)) {
        return false;
      }
      std::optional<domain::Standing> then =
          domain::StandingOn(p, CivilDayOf(as_of));
      if (!then.has_value()) return false;
      stage = then->stage;
      status = then->status;
    }
    if (!stages.empty() && stages.count(stage) == 0) return false;
    if (!statuses.empty() && statuses.count(status) == 0) return false;
    if (!categories.empty() &&
        std::none_of(p.categories().begin(), p.categories().end(),
                     [&](int c) { return categories.count(c) > 0; })) {
      return false;
    }
    if (request.overdue()) {
      const bool any = std::any_of(
          p.deadlines().begin(), p.deadlines().end(), [&](const auto& d) {
            return (overdue_kinds.empty() || overdue_kinds.count(d.kind())) &&
                   CivilDayOf(d.due_on()) < CivilDayOf(as_of);
          });
      if (!any) return false;
    }
    return true;
  };
  const bool record_filters = past || !stages.empty() || !statuses.empty() ||
                              !categories.empty() || request.overdue() ||
                              !filter->empty();
  const std::string query = domain::FoldForSearch(request.name_query());

  // Read the rolls in name order, a batch at a time, until the page is
  // full: the cursor is the roll position of the last person returned, so
  // the next page resumes exactly after it whatever changed meanwhile.
  std::vector<Roll> rolls = {Roll::kHome};
  if (request.include_hosted()) rolls.push_back(Roll::kHosted);
  // On a past date, people who have since left these organisations count.
  if (past) rolls.push_back(Roll::kFormer);
  std::string position = *cursor;
  int scanned = 0;
  bool exhausted = false;
  std::set<std::string> seen;
  while (response.people_size() < *page_size && !exhausted) {
    const int batch = record_filters ? std::max(*page_size * 2, 100)
                                     : *page_size - response.people_size();
    std::vector<std::pair<std::string, std::string>> found;  // position, id
    for (Roll roll : rolls) {
      absl::StatusOr<PersonIdPage> page =
          context_->people().Page(org_ids, roll, position, query, batch);
      if (!page.ok()) return page.status();
      for (size_t i = 0; i < page->ids.size(); ++i) {
        found.push_back({page->positions[i], page->ids[i]});
      }
    }
    std::sort(found.begin(), found.end());
    if (rolls.size() > 1 && static_cast<int>(found.size()) > batch) {
      found.resize(batch);
    }
    exhausted = static_cast<int>(found.size()) < batch;
    if (found.empty()) break;
    std::vector<std::string> names;
    for (const auto& [pos, id] : found) names.push_back("people/" + id);
    absl::StatusOr<std::vector<StoredPerson>> people =
        context_->people().GetMany(names);
    if (!people.ok()) return people.status();
    std::map<std::string, const StoredPerson*> by_name;
    for (const auto& p : *people) by_name[p.message.name()] = &p;
    for (const auto& [pos, id] : found) {
      ++scanned;
      position = pos;
      auto it = by_name.find("people/" + id);
      if (it == by_name.end() || !keep(it->second->message)) continue;
      if (!filter->empty()) {
        absl::StatusOr<bool> matches =
            filter->Matches(*context_, it->second->message, as_of);
        if (!matches.ok()) return matches.status();
        if (!*matches) continue;
      }
      if (!seen.insert(id).second) continue;
      v1::Person visible = Visible(it->second->message, call.principal);
      *response.add_people() = request.view() == v1::PERSON_VIEW_FULL
                                   ? std::move(visible)
                                   : BasicView(std::move(visible));
      if (response.people_size() == *page_size) break;
    }
  }
  if (response.people_size() == *page_size && scanned > 0) {
    response.set_next_page_token(EncodePageToken(position, fingerprint));
  }
  if (!record_filters && query.empty()) {
    int64_t total = 0;
    for (Roll roll : rolls) {
      absl::StatusOr<int64_t> n = context_->people().Count(org_ids, roll);
      if (!n.ok()) return n.status();
      total += *n;
    }
    response.set_total_size(static_cast<int32_t>(total));
  } else if (response.next_page_token().empty()) {
    response.set_total_size(response.people_size());
  }
  return absl::OkStatus();
}

}  // namespace partydev::membership
