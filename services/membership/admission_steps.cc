// AdmissionService: the steps of the candidate pipeline (AssignMentor ..
// RestartCandidacy) and the admission exceptions.
//
// Every step follows the same order so that a secretary's request is judged
// the same way whichever step it is:
//  1. the request's fields (INVALID_ARGUMENT naming each bad field), the
//     caller's role and subtree (PERMISSION_DENIED), the etag (ABORTED);
//  2. the rule set in force on the date of the act (an act is judged by the
//     rules of its date, domain.md), the stage (pipeline.h) and the step's
//     own rules (domain/), with the facts looked up here (step_facts.h):
//     EVERY unmet rule is reported at once (FAILED_PRECONDITION);
//  3. the step applied to the Person (its Admission, stage, deadlines) and
//     committed in one atomic write with its events and audit entry; the
//     write expects the version read, so of two officers recording the same
//     step at once exactly one succeeds (ABORTED for the other).

#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/dates.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/paging.h"
#include "partydev/membership/v1/training.pb.h"
#include "services/membership/admission_service.h"
#include "services/membership/domain/ballots.h"
#include "services/membership/domain/candidate_steps.h"
#include "services/membership/domain/cell_resolution.h"
#include "services/membership/domain/closure.h"
#include "services/membership/domain/decisions.h"
#include "services/membership/domain/introductions.h"
#include "services/membership/domain/pipeline.h"
#include "services/membership/domain/readmission.h"
#include "services/membership/domain/recognition.h"
#include "services/membership/domain/step_facts.h"
#include "services/membership/domain/validity.h"
#include "services/membership/domain/violations.h"
#include "services/membership/journal.h"
#include "services/membership/organization_tree.h"
#include "services/membership/person_access.h"

namespace partydev::membership {
namespace {

namespace cv1 = ::partydev::common::v1;
namespace ev1 = ::partydev::events::v1;
using domain::Step;

constexpr absl::string_view kService = "AdmissionService";
constexpr absl::string_view kExceptions = "admissionExceptions";

// ---------------------------------------------------------------------------
// Lookups.

// The rule set in force on `date` (an act is judged by the rules of its
// date, domain.md).
absl::StatusOr<const v1::RuleSet*> RulesOn(MembershipContext& context,
                                           const cv1::Date& date) {
  return context.rules()(date);
}

// An act dated after today is a typing error, never a plan: the record
// states what happened.
void CheckNotFuture(const cv1::Date& date, absl::string_view field,
                    FieldChecker& check) {
  if (IsValidDate(date) && CivilDayOf(date) > CivilDayOf(Today())) {
    check.Add(field, "is in the future");
  }
}

// "people/{id}" for an id of a roll page.
std::string PersonName(const std::string& id) {
  return absl::StartsWith(id, "people/") ? id : absl::StrCat("people/", id);
}

absl::StatusOr<v1::Organization> ReadOrganization(MembershipContext& context,
                                                  const std::string& name) {
  const std::string id = OrganizationId(name);
  if (id.empty()) {
    return absl::NotFoundError(absl::StrCat(name, " not found"));
  }
  absl::StatusOr<StoredOrganization> org = context.organizations().Get(id);
  if (!org.ok()) return org.status();
  return org->organization;
}

// The grassroots organisation (tổ chức cơ sở đảng) of a cell: the cell
// itself for a grassroots cell (chi bộ cơ sở), else the nearest grassroots
// ancestor.
absl::StatusOr<v1::Organization> GrassrootsOf(MembershipContext& context,
                                              const std::string& cell) {
  std::string name = cell;
  for (int depth = 0; depth < 16 && !name.empty(); ++depth) {
    absl::StatusOr<v1::Organization> org = ReadOrganization(context, name);
    if (!org.ok()) return org.status();
    if (org->grassroots()) return *org;
    name = org->parent();
  }
  return absl::FailedPreconditionError(
      absl::StrCat(cell, " has no grassroots organisation above it"));
}

// A mentor or introducer as the rules need them on `on`: an official
// member that day (Party Charter art. 5: official from the end of
// probation) and their home cell.
absl::StatusOr<std::optional<domain::MemberFacts>> MemberOn(
    MembershipContext& context, const std::string& name, const cv1::Date& on) {
  absl::StatusOr<StoredPerson> person = context.people().Get(name);
  if (absl::IsNotFound(person.status())) {
    return std::optional<domain::MemberFacts>();
  }
  if (!person.ok()) return person.status();
  const v1::Person& p = person->message;
  domain::MemberFacts facts;
  facts.name = name;
  facts.full_name = p.full_name();
  cv1::Date official_on = p.official_on();
  if (!IsValidDate(official_on)) official_on = p.admission().official_on();
  facts.official = p.stage() == cv1::STAGE_OFFICIAL &&
                   IsValidDate(official_on) && IsValidDate(on) &&
                   CivilDayOf(official_on) <= CivilDayOf(on);
  facts.organization = p.organization();
  return std::optional<domain::MemberFacts>(std::move(facts));
}

// The official members of a cell (Charter art. 4.3: the cell's vote counts
// its official members), with those exempt or away whom the rule set may
// leave out of the total.
absl::StatusOr<domain::VotingRoll> CellRoll(MembershipContext& context,
                                            const std::string& cell) {
  absl::StatusOr<PersonIdPage> page =
      context.people().Page({LastSegment(cell)}, Roll::kHome, "", "", 10000);
  if (!page.ok()) return page.status();
  std::vector<std::string> names;
  names.reserve(page->ids.size());
  for (const std::string& id : page->ids) names.push_back(PersonName(id));
  absl::StatusOr<std::vector<StoredPerson>> people =
      context.people().GetMany(names);
  if (!people.ok()) return people.status();
  domain::VotingRoll roll;
  for (const StoredPerson& p : *people) {
    if (p.message.stage() != cv1::STAGE_OFFICIAL) continue;
    ++roll.members;
    if (p.message.status() == v1::PERSON_STATUS_EXEMPT) ++roll.exempt;
    if (p.message.status() == v1::PERSON_STATUS_TEMPORARILY_AWAY) {
      ++roll.temporarily_away;
    }
  }
  return roll;
}

// Who signed a decision about a person of `cell`: the superior level of the
// cell's grassroots organisation, or that grassroots committee itself with
// a delegation (Organization.admission_authority).
absl::StatusOr<domain::AuthorityFacts> AuthorityOf(
    MembershipContext& context, const std::string& cell,
    const std::string& deciding_organization) {
  absl::StatusOr<v1::Organization> grassroots = GrassrootsOf(context, cell);
  if (!grassroots.ok()) return grassroots.status();
  domain::AuthorityFacts facts;
  facts.decider_is_superior_standing_committee =
      !grassroots->parent().empty() &&
      deciding_organization == grassroots->parent();
  facts.decider_is_own_grassroots = deciding_organization == grassroots->name();
  facts.grassroots_delegated = grassroots->admission_authority().delegated();
  return facts;
}

// Every exception recorded for `person_name`, with its version.
absl::StatusOr<std::vector<Stored<v1::AdmissionException>>> ExceptionsOf(
    MembershipContext& context, const std::string& person_name) {
  absl::StatusOr<std::vector<std::string>> ids = context.records().All(
      context.records().CollectionKey(person_name, kExceptions));
  if (!ids.ok()) return ids.status();
  std::vector<std::string> names;
  for (const std::string& id : *ids) {
    names.push_back(absl::StrCat(person_name, "/", kExceptions, "/", id));
  }
  return context.records().GetMany<v1::AdmissionException>(names);
}

std::vector<v1::AdmissionException> Messages(
    const std::vector<Stored<v1::AdmissionException>>& stored) {
  std::vector<v1::AdmissionException> out;
  out.reserve(stored.size());
  for (const auto& s : stored) out.push_back(s.message);
  return out;
}

// ---------------------------------------------------------------------------
// Deadlines (types.proto Deadline: computed from the rule set in force on
// counted_from and the working-day calendar).

void RemoveDeadlines(v1::Person& person,
                     std::initializer_list<cv1::DeadlineKind> kinds) {
  auto* deadlines = person.mutable_deadlines();
  deadlines->erase(std::remove_if(deadlines->begin(), deadlines->end(),
                                  [&](const v1::Deadline& d) {
                                    return std::find(kinds.begin(), kinds.end(),
                                                     d.kind()) != kinds.end();
                                  }),
                   deadlines->end());
}

// The deadlines of an admission case, removed when the case closes.
void RemoveCaseDeadlines(v1::Person& person) {
  RemoveDeadlines(person, {cv1::DEADLINE_KIND_ADMISSION_DECISION_DUE,
                           cv1::DEADLINE_KIND_CEREMONY_DUE,
                           cv1::DEADLINE_KIND_RECOGNITION_VOTE_DUE,
                           cv1::DEADLINE_KIND_RECOGNITION_DECISION_DUE,
                           cv1::DEADLINE_KIND_PROBATION_ENDS,
                           cv1::DEADLINE_KIND_CERTIFICATE_EXPIRING,
                           cv1::DEADLINE_KIND_DOCUMENT_EXPIRING,
                           cv1::DEADLINE_KIND_EVALUATION_DUE});
}

const v1::Deadline* FindDeadline(const v1::Person& person,
                                 cv1::DeadlineKind kind) {
  for (const v1::Deadline& d : person.deadlines()) {
    if (d.kind() == kind) return &d;
  }
  return nullptr;
}

int ExtendedDays(const v1::Person& person, cv1::DeadlineKind kind) {
  const v1::Deadline* d = FindDeadline(person, kind);
  int total = 0;
  if (d != nullptr) {
    for (const v1::DeadlineExtension& e : d->extensions()) total += e.length();
  }
  return total;
}

// Adds (replacing one of the same kind) a deadline of `length` working days
// after `from`.
absl::Status AddWorkingDayDeadline(MembershipContext& context,
                                   v1::Person& person, cv1::DeadlineKind kind,
                                   absl::CivilDay from, int length,
                                   absl::string_view rule_id,
                                   const std::string& responsible) {
  absl::StatusOr<absl::CivilDay> due =
      context.calendar().AddWorkingDays(from, length);
  if (!due.ok()) return due.status();
  RemoveDeadlines(person, {kind});
  v1::Deadline* d = person.add_deadlines();
  d->set_kind(kind);
  d->set_subject(person.name());
  *d->mutable_counted_from() = FromCivilDay(from);
  d->set_length(length);
  d->set_unit(v1::DURATION_UNIT_WORKING_DAYS);
  *d->mutable_due_on() = FromCivilDay(*due);
  d->set_rule_id(std::string(rule_id));
  d->set_responsible_organization(responsible);
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// The common frame of a step.

// Fields, role, subtree and etag (steps 1 and 2 of the file comment).
absl::StatusOr<StoredPerson> LoadForStep(MembershipContext& context,
                                         const CallContext& call,
                                         const std::string& name,
                                         const std::string& etag,
                                         FieldChecker& check,
                                         absl::string_view action) {
  CheckPersonName(check, name, "name");
  if (absl::Status s = check.status(); !s.ok()) return s;
  if (absl::Status s = RequireRecorder(call.principal, action); !s.ok()) {
    return s;
  }
  absl::StatusOr<StoredPerson> person =
      ReadPersonForChange(context, call, name, "name");
  if (!person.ok()) return person.status();
  if (!etag.empty() && etag != EtagOf(person->version)) {
    return WithReason(absl::AbortedError(absl::StrCat(
                          "etag: ", name, " changed since it was read (", etag,
                          " is now ", EtagOf(person->version), ")")),
                      "ETAG_MISMATCH");
  }
  return person;
}

// The stage violation of `step` followed by the step's own violations.
absl::Status Refusal(Step step, cv1::Stage stage,
                     std::vector<RuleViolation> unmet) {
  std::vector<RuleViolation> all;
  if (auto v = domain::StageViolation(step, stage); v.has_value()) {
    all.push_back(*v);
  }
  for (auto& v : unmet) all.push_back(std::move(v));
  return domain::StatusOf(std::move(all));
}

ev1::Event StageChanged(const PersonChangeRecorder& recorder,
                        const v1::Person& after, cv1::Stage from,
                        const cv1::Date& act_date, Step step,
                        const std::string& reason) {
  ev1::Event event = recorder.NewPersonEvent(after, act_date);
  ev1::PersonStageChanged* p = event.mutable_person_stage_changed();
  p->set_person(after.name());
  p->set_organization(after.organization());
  p->set_from_stage(from);
  p->set_to_stage(after.stage());
  *p->mutable_categories() = after.categories();
  p->set_step(domain::StepName(step));
  p->set_reason(reason);
  return event;
}

using ExtraEvents =
    std::function<std::vector<ev1::Event>(const PersonChangeRecorder&)>;

// Steps 4 and 5 of the file comment: the dry run, or the idempotent commit
// of `after` with a PersonStageChanged when the stage moved, the step's
// other events and the audit entry.
template <typename Request>
absl::Status CommitStep(
    MembershipContext& context, const CallContext& call, const Request& request,
    Step step, const StoredPerson& before, v1::Person after,
    const cv1::Date& act_date, std::string summary, const std::string& reason,
    v1::Person& response, const ExtraEvents& extra = nullptr,
    const std::function<void(PersonChangeRecorder&, Change&)>& also = nullptr) {
  if (request.validate_only()) {
    response = Visible(after, call.principal);
    return absl::OkStatus();
  }
  const std::string rpc = domain::StepName(step);
  return IdempotentChange(
      context.redis(), context.prefix(), rpc, request.request_id(), request,
      response, [&](Change& change) {
        PersonChangeRecorder recorder(context, call, request.request_id(),
                                      reason);
        std::vector<ev1::Event> events;
        const cv1::Stage from = before.message.stage();
        if (after.stage() != from) {
          events.push_back(
              StageChanged(recorder, after, from, act_date, step, reason));
        }
        if (extra) {
          for (auto& e : extra(recorder)) events.push_back(std::move(e));
        }
        if (also) also(recorder, change);
        recorder.Record(change, &before, after, MethodName(kService, rpc),
                        std::move(summary), std::move(events));
        response = Visible(after, call.principal);
        return absl::OkStatus();
      });
}

// Records on the case which rule set judged its latest step.
void StampRuleSet(v1::Person& after, const v1::RuleSet& rules) {
  v1::Admission* a = after.mutable_admission();
  a->set_rule_set(rules.name());
  if (a->organization().empty()) a->set_organization(after.organization());
  *a->mutable_organization_path() = after.organization_path();
}

std::string Who(const v1::Person& person) {
  return domain::NameOr(person.full_name(), person.name());
}

}  // namespace

// ---------------------------------------------------------------------------
// AssignMentor: letter 1849-CV/ĐUK, a mentor (đảng viên theo dõi, giúp đỡ)
// follows each candidate; Charter art. 5, one follows a probationary member.

absl::Status AdmissionServiceImpl::DoAssignMentor(
    const CallContext& call, const v1::AssignMentorRequest& request,
    v1::Person& response) {
  FieldChecker check;
  CheckPersonName(check, request.mentor(), "mentor");
  CheckDate(request.assigned_on(), "assigned_on", check);
  CheckNotFuture(request.assigned_on(), "assigned_on", check);
  absl::StatusOr<StoredPerson> person = LoadForStep(
      *context_, call, request.name(), request.etag(), check, "assign mentor");
  if (!person.ok()) return person.status();
  absl::StatusOr<const v1::RuleSet*> rules =
      RulesOn(*context_, request.assigned_on());
  if (!rules.ok()) return rules.status();
  absl::StatusOr<std::optional<domain::MemberFacts>> mentor =
      MemberOn(*context_, request.mentor(), request.assigned_on());
  if (!mentor.ok()) return mentor.status();
  if (!mentor->has_value()) {
    return InvalidField("mentor", "is not a known person");
  }
  const v1::Person& before = person->message;
  absl::StatusOr<std::vector<RuleViolation>> unmet =
      domain::CheckAssignMentor(before, request, **mentor, **rules);
  if (!unmet.ok()) return unmet.status();
  if (absl::Status s = Refusal(Step::kAssignMentor, before.stage(), *unmet);
      !s.ok()) {
    return s;
  }

  v1::Person after = before;
  after.set_stage(*domain::NextStage(Step::kAssignMentor, before.stage()));
  v1::Admission* a = after.mutable_admission();
  // The new mentor replaces the current one: the old assignment ends the
  // day the new one starts.
  for (v1::MentorAssignment& m : *a->mutable_mentors()) {
    if (IsUnset(m.ended_on())) *m.mutable_ended_on() = request.assigned_on();
  }
  v1::MentorAssignment* m = a->add_mentors();
  m->set_mentor(request.mentor());
  m->set_purpose(before.stage() == cv1::STAGE_PROBATION
                     ? v1::MENTOR_PURPOSE_PROBATION
                     : v1::MENTOR_PURPOSE_CANDIDATE);
  *m->mutable_assigned_on() = request.assigned_on();
  if (request.has_assignment()) *m->mutable_assignment() = request.assignment();
  if (!a->has_source() && before.has_source()) {
    *a->mutable_source() = before.source();
  }
  StampRuleSet(after, **rules);
  return CommitStep(
      *context_, call, request, Step::kAssignMentor, *person, std::move(after),
      request.assigned_on(),
      absl::StrCat("Phân công đảng viên ",
                   domain::NameOr((*mentor)->full_name, request.mentor()),
                   " theo dõi, giúp đỡ ", Who(before)),
      "", response);
}

// ---------------------------------------------------------------------------
// RecordTraining: the certificate of the training class on the Party (lớp
// bồi dưỡng nhận thức về Đảng), valid 60 months by default (unconfirmed).

absl::Status AdmissionServiceImpl::DoRecordTraining(
    const CallContext& call, const v1::RecordTrainingRequest& request,
    v1::Person& response) {
  FieldChecker check;
  const bool external = request.has_external_certificate();
  if (external) {
    const v1::ExternalCertificate& c = request.external_certificate();
    if (c.number().empty()) {
      check.Add("external_certificate.number", "is required");
    }
    CheckDate(c.issued_on(), "external_certificate.issued_on", check);
    if (c.issuer().empty()) {
      check.Add("external_certificate.issuer", "is required");
    }
  } else if (request.enrollment().empty()) {
    check.Add("enrollment", "is required (or external_certificate)");
  } else if (!absl::StartsWith(request.enrollment(), "trainingClasses/") ||
             !absl::StrContains(request.enrollment(), "/enrollments/")) {
    check.Add("enrollment",
              "must be trainingClasses/{class}/enrollments/{enrollment}");
  }
  absl::StatusOr<StoredPerson> person =
      LoadForStep(*context_, call, request.name(), request.etag(), check,
                  "record a training certificate");
  if (!person.ok()) return person.status();
  // A certificate from outside partydev is the secretary's word: only the
  // role that keeps the file may record it (admission.proto).
  if (external && !call.principal.HasAnyRole({"secretary", "admin"})) {
    return WithReason(
        absl::PermissionDeniedError(
            "recording an external certificate needs the role secretary"),
        "ROLE_REQUIRED");
  }
  const v1::Person& before = person->message;
  domain::CertificateFacts facts;
  facts.external = external;
  if (external) {
    const v1::ExternalCertificate& c = request.external_certificate();
    facts.certificate.set_number(c.number());
    *facts.certificate.mutable_issued_on() = c.issued_on();
    facts.certificate.set_issuer(c.issuer());
  } else {
    absl::StatusOr<Stored<v1::Enrollment>> enrollment =
        context_->records().Get<v1::Enrollment>(request.enrollment());
    if (absl::IsNotFound(enrollment.status())) {
      return InvalidField("enrollment", "not found");
    }
    if (!enrollment.ok()) return enrollment.status();
    const std::string class_name = request.enrollment().substr(
        0, request.enrollment().find("/enrollments/"));
    absl::StatusOr<Stored<v1::TrainingClass>> klass =
        context_->records().Get<v1::TrainingClass>(class_name);
    if (!klass.ok() && !absl::IsNotFound(klass.status())) {
      return klass.status();
    }
    const v1::Enrollment& e = enrollment->message;
    facts.certificate.set_enrollment(request.enrollment());
    facts.certificate.set_number(e.certificate().number());
    *facts.certificate.mutable_issued_on() = e.certificate().issued_on();
    if (klass.ok()) facts.certificate.set_issuer(klass->message.organizer());
    facts.enrollment_certified = e.state() == v1::ENROLLMENT_STATE_CERTIFIED;
    facts.admission_class =
        klass.ok() &&
        klass->message.kind() == v1::TRAINING_CLASS_KIND_ADMISSION_CANDIDATES;
    facts.same_person = e.person() == before.name();
  }
  const cv1::Date today = Today();
  // The certificate is judged by the rules of its issue date (its
  // validity), falling back to today's for an invalid date the check
  // reports.
  absl::StatusOr<const v1::RuleSet*> rules =
      RulesOn(*context_, IsValidDate(facts.certificate.issued_on())
                             ? facts.certificate.issued_on()
                             : today);
  if (!rules.ok()) return rules.status();
  absl::StatusOr<std::vector<RuleViolation>> unmet =
      domain::CheckRecordTraining(before, facts, today, **rules);
  if (!unmet.ok()) return unmet.status();
  if (absl::Status s = Refusal(Step::kRecordTraining, before.stage(), *unmet);
      !s.ok()) {
    return s;
  }
  v1::Person after = before;
  after.set_stage(*domain::NextStage(Step::kRecordTraining, before.stage()));
  v1::TrainingCertificate* cert =
      after.mutable_admission()->mutable_training_certificate();
  *cert = facts.certificate;
  *cert->mutable_valid_until() =
      FromCivilDay(domain::CertificateValidUntil(*cert, **rules));
  StampRuleSet(after, **rules);
  return CommitStep(
      *context_, call, request, Step::kRecordTraining, *person,
      std::move(after), facts.certificate.issued_on(),
      absl::StrCat("Ghi nhận giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng "
                   "số ",
                   facts.certificate.number(), " của ", Who(before),
                   external ? " (cấp ngoài hệ thống)" : ""),
      "", response);
}

// ---------------------------------------------------------------------------
// RecordApplication: the application (đơn xin vào Đảng) and background form
// (lý lịch), valid 12 months by default (unconfirmed).

absl::Status AdmissionServiceImpl::DoRecordApplication(
    const CallContext& call, const v1::RecordApplicationRequest& request,
    v1::Person& response) {
  FieldChecker check;
  CheckDate(request.filed_on(), "filed_on", check);
  CheckDate(request.background_form_on(), "background_form_on", check);
  CheckNotFuture(request.filed_on(), "filed_on", check);
  CheckNotFuture(request.background_form_on(), "background_form_on", check);
  absl::StatusOr<StoredPerson> person =
      LoadForStep(*context_, call, request.name(), request.etag(), check,
                  "record an application");
  if (!person.ok()) return person.status();
  absl::StatusOr<const v1::RuleSet*> rules =
      RulesOn(*context_, request.filed_on());
  if (!rules.ok()) return rules.status();
  const v1::Person& before = person->message;
  absl::StatusOr<std::vector<RuleViolation>> unmet =
      domain::CheckRecordApplication(before, request, **rules);
  if (!unmet.ok()) return unmet.status();
  if (absl::Status s =
          Refusal(Step::kRecordApplication, before.stage(), *unmet);
      !s.ok()) {
    return s;
  }
  v1::Person after = before;
  after.set_stage(*domain::NextStage(Step::kRecordApplication, before.stage()));
  v1::ApplicationRecord* app = after.mutable_admission()->mutable_application();
  app->Clear();
  *app->mutable_filed_on() = request.filed_on();
  *app->mutable_background_form_on() = request.background_form_on();
  if (request.has_document()) *app->mutable_document() = request.document();
  *app->mutable_valid_until() =
      FromCivilDay(domain::ApplicationValidUntil(*app, **rules));
  StampRuleSet(after, **rules);
  return CommitStep(
      *context_, call, request, Step::kRecordApplication, *person,
      std::move(after), request.filed_on(),
      absl::StrCat("Ghi nhận đơn xin vào Đảng và lý lịch của ", Who(before)),
      "", response);
}

// ---------------------------------------------------------------------------
// RecordBackgroundVerification: thẩm tra lý lịch by the grassroots
// committee, or its exemption where a close relative is a member.

absl::Status AdmissionServiceImpl::DoRecordBackgroundVerification(
    const CallContext& call,
    const v1::RecordBackgroundVerificationRequest& request,
    v1::Person& response) {
  FieldChecker check;
  cv1::Date act_date;
  if (request.has_verification()) {
    const v1::VerificationResult& v = request.verification();
    CheckDate(v.concluded_on(), "verification.concluded_on", check);
    CheckNotFuture(v.concluded_on(), "verification.concluded_on", check);
    CheckOrganizationRef(check, v.verifying_organization(),
                         "verification.verifying_organization");
    act_date = v.concluded_on();
  } else if (request.has_exemption()) {
    const v1::VerificationExemption& e = request.exemption();
    CheckDate(e.recorded_on(), "exemption.recorded_on", check);
    CheckNotFuture(e.recorded_on(), "exemption.recorded_on", check);
    if (!e.member_relative().empty()) {
      CheckPersonName(check, e.member_relative(), "exemption.member_relative");
    }
    act_date = e.recorded_on();
  } else {
    check.Add("verification", "is required (or exemption)");
  }
  absl::StatusOr<StoredPerson> person =
      LoadForStep(*context_, call, request.name(), request.etag(), check,
                  "record a background verification");
  if (!person.ok()) return person.status();
  absl::StatusOr<const v1::RuleSet*> rules = RulesOn(*context_, act_date);
  if (!rules.ok()) return rules.status();
  const v1::Person& before = person->message;
  domain::BackgroundFacts facts;
  absl::StatusOr<v1::Organization> grassroots =
      GrassrootsOf(*context_, before.organization());
  if (!grassroots.ok()) return grassroots.status();
  facts.grassroots_committee = grassroots->name();
  // The person record holds no family data: the candidate and the parents
  // are always verified; spouse, parents-in-law and adult children are
  // checked when the committee lists them (their absence is not known).
  facts.relatives = {v1::RELATIVE_KIND_SELF, v1::RELATIVE_KIND_PARENTS};
  if (request.has_exemption() &&
      !request.exemption().member_relative().empty()) {
    absl::StatusOr<StoredPerson> relative =
        context_->people().Get(request.exemption().member_relative());
    if (relative.ok()) {
      const cv1::Stage s = relative->message.stage();
      facts.relative_is_member =
          s == cv1::STAGE_OFFICIAL || s == cv1::STAGE_PROBATION;
    } else if (!absl::IsNotFound(relative.status())) {
      return relative.status();
    }
  }
  absl::StatusOr<std::vector<RuleViolation>> unmet =
      domain::CheckRecordBackgroundVerification(before, request, facts,
                                                **rules);
  if (!unmet.ok()) return unmet.status();
  if (absl::Status s =
          Refusal(Step::kRecordBackgroundVerification, before.stage(), *unmet);
      !s.ok()) {
    return s;
  }
  v1::Person after = before;
  after.set_stage(
      *domain::NextStage(Step::kRecordBackgroundVerification, before.stage()));
  v1::BackgroundVerification* bg =
      after.mutable_admission()->mutable_background();
  bg->Clear();
  if (request.has_verification()) {
    const v1::VerificationResult& v = request.verification();
    *bg->mutable_concluded_on() = v.concluded_on();
    bg->set_verifying_organization(v.verifying_organization());
    *bg->mutable_subjects() = v.subjects();
    bg->set_conclusion(v.conclusion());
  } else {
    const v1::VerificationExemption& e = request.exemption();
    bg->set_exempted(true);
    *bg->mutable_concluded_on() = e.recorded_on();
    bg->set_verifying_organization(grassroots->name());
    bg->set_member_relative(e.member_relative());
    bg->set_member_relative_details(e.member_relative_details());
    bg->set_member_relative_kind(e.relationship());
  }
  *bg->mutable_valid_until() =
      FromCivilDay(domain::BackgroundValidUntil(*bg, **rules));
  StampRuleSet(after, **rules);
  return CommitStep(
      *context_, call, request, Step::kRecordBackgroundVerification, *person,
      std::move(after), act_date,
      absl::StrCat(request.has_exemption() ? "Ghi nhận miễn thẩm tra lý lịch "
                                           : "Ghi nhận kết quả thẩm tra lý "
                                             "lịch ",
                   "của ", Who(before)),
      "", response);
}

// ---------------------------------------------------------------------------
// RecordIntroductions: Charter art. 4.2, two introducers (or the youth
// union / trade union route).

absl::Status AdmissionServiceImpl::DoRecordIntroductions(
    const CallContext& call, const v1::RecordIntroductionsRequest& request,
    v1::Person& response) {
  FieldChecker check;
  cv1::Date act_date;
  for (int i = 0; i < request.introductions_size(); ++i) {
    const v1::Introduction& intro = request.introductions(i);
    const std::string field = absl::StrCat("introductions[", i, "]");
    CheckNotFuture(intro.introduced_on(), field + ".introduced_on", check);
    if (!intro.introducer().empty()) {
      CheckPersonName(check, intro.introducer(), field + ".introducer");
    }
    if (!intro.union_organization().empty()) {
      CheckOrganizationRef(check, intro.union_organization(),
                           field + ".union_organization");
    }
    if (IsValidDate(intro.introduced_on()) &&
        (IsUnset(act_date) ||
         CivilDayOf(intro.introduced_on()) > CivilDayOf(act_date))) {
      act_date = intro.introduced_on();
    }
  }
  if (request.introductions().empty()) {
    check.Add("introductions", "is required");
  }
  absl::StatusOr<StoredPerson> person =
      LoadForStep(*context_, call, request.name(), request.etag(), check,
                  "record introductions");
  if (!person.ok()) return person.status();
  if (IsUnset(act_date)) act_date = Today();
  // The introductions are judged together, by the rules of the day both
  // are in place (the later one).
  absl::StatusOr<const v1::RuleSet*> rules = RulesOn(*context_, act_date);
  if (!rules.ok()) return rules.status();
  const v1::Person& before = person->message;

  domain::IntroductionFacts facts;
  std::vector<std::string> unions;
  for (const v1::Introduction& intro : request.introductions()) {
    if (intro.route() == v1::INTRODUCTION_ROUTE_PARTY_MEMBER &&
        !intro.introducer().empty()) {
      absl::StatusOr<std::optional<domain::MemberFacts>> m =
          MemberOn(*context_, intro.introducer(), intro.introduced_on());
      if (!m.ok()) return m.status();
      if (m->has_value()) facts.introducers.push_back(**m);
    }
    if (!intro.union_organization().empty()) {
      unions.push_back(intro.union_organization());
    }
  }
  for (const v1::UnionMembership& m : before.union_memberships()) {
    unions.push_back(m.organization());
  }
  for (const std::string& u : unions) {
    if (facts.union_kinds.count(u) > 0) continue;
    absl::StatusOr<v1::Organization> org = ReadOrganization(*context_, u);
    if (org.ok()) {
      facts.union_kinds[u] = org->kind();
    } else if (!absl::IsNotFound(org.status())) {
      return org.status();
    }
  }
  // A youth union branch (trade union) exists where the candidate works or
  // studies: one attached to the candidate's cell or to its grassroots
  // organisation (mass organisations sit under the party organisation they
  // are attached to).
  std::vector<std::string> places = {OrganizationId(before.organization())};
  absl::StatusOr<v1::Organization> grassroots =
      GrassrootsOf(*context_, before.organization());
  if (grassroots.ok() && grassroots->name() != before.organization()) {
    places.push_back(OrganizationId(grassroots->name()));
  }
  for (const std::string& place : places) {
    absl::StatusOr<OrganizationPage> children =
        context_->organizations().ListChildren(place, "", 1000);
    if (!children.ok()) return children.status();
    for (const StoredOrganization& c : children->organizations) {
      if (c.organization.state() != v1::ORGANIZATION_STATE_ACTIVE) continue;
      if (c.organization.kind() == "YOUTH_UNION") {
        facts.youth_union_branch_exists = true;
      }
      if (c.organization.kind() == "TRADE_UNION") {
        facts.trade_union_exists = true;
      }
      facts.union_kinds.emplace(c.organization.name(), c.organization.kind());
    }
  }
  absl::StatusOr<std::vector<RuleViolation>> unmet =
      domain::CheckRecordIntroductions(before, request, facts, **rules);
  if (!unmet.ok()) return unmet.status();
  if (absl::Status s =
          Refusal(Step::kRecordIntroductions, before.stage(), *unmet);
      !s.ok()) {
    return s;
  }
  v1::RecordIntroductionsRequest filled = request;
  domain::FillSharedMonths(filled);
  v1::Person after = before;
  after.set_stage(
      *domain::NextStage(Step::kRecordIntroductions, before.stage()));
  *after.mutable_admission()->mutable_introductions() = filled.introductions();
  StampRuleSet(after, **rules);
  return CommitStep(
      *context_, call, request, Step::kRecordIntroductions, *person,
      std::move(after), act_date,
      absl::StrCat("Ghi nhận người giới thiệu ", Who(before), " vào Đảng"), "",
      response);
}

// ---------------------------------------------------------------------------
// RecordCellResolution: Charter art. 4.3, the cell's vote (2/3 of its
// official members by default); every admission condition on held_on.

absl::Status AdmissionServiceImpl::DoRecordCellResolution(
    const CallContext& call, const v1::RecordCellResolutionRequest& request,
    v1::Person& response) {
  FieldChecker check;
  if (!request.has_ballot()) check.Add("ballot", "is required");
  CheckNotFuture(request.ballot().held_on(), "ballot.held_on", check);
  absl::StatusOr<StoredPerson> person =
      LoadForStep(*context_, call, request.name(), request.etag(), check,
                  "record the cell's resolution");
  if (!person.ok()) return person.status();
  if (absl::Status s = domain::ValidateBallot(request.ballot(), "ballot");
      !s.ok()) {
    return s;
  }
  const cv1::Date& held_on = request.ballot().held_on();
  absl::StatusOr<const v1::RuleSet*> rules = RulesOn(*context_, held_on);
  if (!rules.ok()) return rules.status();
  const v1::Person& before = person->message;

  domain::CellResolutionFacts facts;
  absl::StatusOr<domain::VotingRoll> roll =
      CellRoll(*context_, before.organization());
  if (!roll.ok()) return roll.status();
  facts.roll = *roll;
  absl::StatusOr<std::vector<Stored<v1::AdmissionException>>> exceptions =
      ExceptionsOf(*context_, before.name());
  if (!exceptions.ok()) return exceptions.status();
  facts.exceptions = Messages(*exceptions);
  std::vector<RuleViolation> readmission_unmet;
  if (before.admission().readmission()) {
    // Re-admission conditions hold again on the day the cell votes.
    domain::ReadmissionFacts r;
    for (const v1::Admission& a : before.previous_admissions()) {
      if (a.readmission() && !a.admission_decision().number().empty()) {
        ++r.previous_readmissions;
      }
    }
    const v1::AdmissionException* exc = domain::FindActiveException(
        facts.exceptions, v1::ADMISSION_EXCEPTION_KIND_READMISSION);
    if (exc != nullptr) {
      absl::StatusOr<v1::Organization> approver =
          ReadOrganization(*context_, exc->approval().deciding_organization());
      if (approver.ok()) r.approving_level = approver->level();
    }
    facts.readmission = r;
  }
  absl::StatusOr<domain::BallotOutcome> outcome =
      domain::CheckCellResolution(before, request.ballot(), facts, **rules);
  if (!outcome.ok()) return outcome.status();
  if (absl::Status s =
          Refusal(Step::kRecordCellResolution, before.stage(), outcome->unmet);
      !s.ok()) {
    return s;
  }
  v1::Person after = before;
  v1::Admission* a = after.mutable_admission();
  v1::Ballot* ballot = a->add_cell_ballots();
  *ballot = request.ballot();
  *ballot->mutable_threshold() = outcome->threshold;
  ballot->set_passed(outcome->passed);
  ballot->set_attempt(a->cell_ballots_size());
  ballot->set_rule_set((*rules)->name());
  // The exceptions the case relies on (over-age, education, re-admission).
  for (const v1::AdmissionException& e : facts.exceptions) {
    if (e.state() != v1::ADMISSION_EXCEPTION_STATE_ACTIVE) continue;
    if (std::find(a->exceptions().begin(), a->exceptions().end(), e.name()) ==
        a->exceptions().end()) {
      a->add_exceptions(e.name());
    }
  }
  if (outcome->passed) {
    after.set_stage(
        *domain::NextStage(Step::kRecordCellResolution, before.stage()));
    // domain.md: the admission decision within 60 working days (rule set)
    // of the cell's resolution; the superior level decides.
    absl::StatusOr<v1::Organization> grassroots =
        GrassrootsOf(*context_, before.organization());
    if (!grassroots.ok()) return grassroots.status();
    if (absl::Status s = AddWorkingDayDeadline(
            *context_, after, cv1::DEADLINE_KIND_ADMISSION_DECISION_DUE,
            CivilDayOf(held_on),
            (*rules)->admission().decision_deadline_working_days(),
            "admission.decision_deadline_working_days",
            grassroots->parent().empty() ? grassroots->name()
                                         : grassroots->parent());
        !s.ok()) {
      return s;
    }
  }
  StampRuleSet(after, **rules);
  return CommitStep(
      *context_, call, request, Step::kRecordCellResolution, *person,
      std::move(after), held_on,
      absl::StrCat("Chi bộ biểu quyết đề nghị kết nạp ", Who(before), ": ",
                   request.ballot().votes_for(), "/", outcome->total,
                   " tán thành, ", outcome->passed ? "đạt" : "không đạt"),
      "", response);
}

// ---------------------------------------------------------------------------
// RecordCommitteeResolution: the grassroots committee's vote (2/3 of its
// members by default), not for a grassroots cell.

absl::Status AdmissionServiceImpl::DoRecordCommitteeResolution(
    const CallContext& call,
    const v1::RecordCommitteeResolutionRequest& request, v1::Person& response) {
  FieldChecker check;
  if (!request.has_ballot()) check.Add("ballot", "is required");
  CheckNotFuture(request.ballot().held_on(), "ballot.held_on", check);
  absl::StatusOr<StoredPerson> person =
      LoadForStep(*context_, call, request.name(), request.etag(), check,
                  "record the committee's resolution");
  if (!person.ok()) return person.status();
  if (absl::Status s = domain::ValidateBallot(request.ballot(), "ballot");
      !s.ok()) {
    return s;
  }
  const cv1::Date& held_on = request.ballot().held_on();
  absl::StatusOr<const v1::RuleSet*> rules = RulesOn(*context_, held_on);
  if (!rules.ok()) return rules.status();
  const v1::Person& before = person->message;
  absl::StatusOr<v1::Organization> cell =
      ReadOrganization(*context_, before.organization());
  if (!cell.ok()) return cell.status();
  // The store keeps no roster of committee members (cấp ủy viên): the
  // ballot's total is taken as the committee's size.
  absl::StatusOr<domain::BallotOutcome> outcome =
      domain::CheckCommitteeResolution(before.admission(), request.ballot(),
                                       cell->grassroots(),
                                       request.ballot().total(), **rules);
  if (!outcome.ok()) return outcome.status();
  if (absl::Status s = Refusal(Step::kRecordCommitteeResolution, before.stage(),
                               outcome->unmet);
      !s.ok()) {
    return s;
  }
  v1::Person after = before;
  v1::Admission* a = after.mutable_admission();
  v1::Ballot* ballot = a->add_committee_ballots();
  *ballot = request.ballot();
  *ballot->mutable_threshold() = outcome->threshold;
  ballot->set_passed(outcome->passed);
  ballot->set_attempt(a->committee_ballots_size());
  ballot->set_rule_set((*rules)->name());
  if (outcome->passed) {
    after.set_stage(
        *domain::NextStage(Step::kRecordCommitteeResolution, before.stage()));
  }
  StampRuleSet(after, **rules);
  return CommitStep(
      *context_, call, request, Step::kRecordCommitteeResolution, *person,
      std::move(after), held_on,
      absl::StrCat("Đảng ủy cơ sở biểu quyết đề nghị kết nạp ", Who(before),
                   ": ", request.ballot().votes_for(), "/", outcome->total,
                   " tán thành, ", outcome->passed ? "đạt" : "không đạt"),
      "", response);
}

// ---------------------------------------------------------------------------
// RecordAdmissionDecision: the signed decision (quyết định kết nạp); party
// age counts from its date; the ceremony within 30 working days of receipt.

absl::Status AdmissionServiceImpl::DoRecordAdmissionDecision(
    const CallContext& call, const v1::RecordAdmissionDecisionRequest& request,
    v1::Person& response) {
  FieldChecker check;
  domain::ValidateDecisionRef(request.decision(), "decision", check);
  if (request.authority() == v1::DECISION_AUTHORITY_UNSPECIFIED) {
    check.Add("authority", "is required");
  }
  CheckDate(request.received_on(), "received_on", check);
  CheckNotFuture(request.decision().signed_on(), "decision.signed_on", check);
  CheckNotFuture(request.received_on(), "received_on", check);
  absl::StatusOr<StoredPerson> person =
      LoadForStep(*context_, call, request.name(), request.etag(), check,
                  "record the admission decision");
  if (!person.ok()) return person.status();
  const v1::Person& before = person->message;
  // The deadline is judged by the rules of the cell's resolution (decisions.h).
  const v1::Ballot* cell_ballot =
      domain::LastPassed(before.admission().cell_ballots());
  const cv1::Date& rules_date = cell_ballot != nullptr
                                    ? cell_ballot->held_on()
                                    : request.decision().signed_on();
  absl::StatusOr<const v1::RuleSet*> rules = RulesOn(*context_, rules_date);
  if (!rules.ok()) return rules.status();
  domain::DecisionFacts facts;
  absl::StatusOr<domain::AuthorityFacts> authority =
      AuthorityOf(*context_, before.organization(),
                  request.decision().deciding_organization());
  if (!authority.ok()) return authority.status();
  facts.authority = *authority;
  absl::StatusOr<v1::Organization> cell =
      ReadOrganization(*context_, before.organization());
  if (!cell.ok()) return cell.status();
  facts.cell_is_grassroots = cell->grassroots();
  facts.extension_working_days =
      ExtendedDays(before, cv1::DEADLINE_KIND_ADMISSION_DECISION_DUE);
  absl::StatusOr<std::vector<RuleViolation>> unmet =
      domain::CheckAdmissionDecision(before.admission(), request, facts,
                                     context_->calendar(), **rules);
  if (!unmet.ok()) return unmet.status();
  if (absl::Status s =
          Refusal(Step::kRecordAdmissionDecision, before.stage(), *unmet);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<const v1::RuleSet*> receipt_rules =
      RulesOn(*context_, request.received_on());
  if (!receipt_rules.ok()) return receipt_rules.status();

  v1::Person after = before;
  after.set_stage(
      *domain::NextStage(Step::kRecordAdmissionDecision, before.stage()));
  v1::Admission* a = after.mutable_admission();
  *a->mutable_admission_decision() = request.decision();
  a->set_decision_authority(request.authority());
  *a->mutable_decision_received_on() = request.received_on();
  if (request.categories().empty()) {
    *a->mutable_categories_at_admission() = before.categories();
  } else {
    *a->mutable_categories_at_admission() = request.categories();
  }
  // Party age counts from the first admission decision (domain.md); a
  // re-admitted member keeps the first.
  if (IsUnset(after.first_admitted_on())) {
    *after.mutable_first_admitted_on() = request.decision().signed_on();
  }
  RemoveDeadlines(after, {cv1::DEADLINE_KIND_ADMISSION_DECISION_DUE});
  // domain.md: the ceremony within 30 working days (rule set in force on
  // the receipt) of the cell receiving the decision.
  if (absl::Status s = AddWorkingDayDeadline(
          *context_, after, cv1::DEADLINE_KIND_CEREMONY_DUE,
          CivilDayOf(request.received_on()),
          (*receipt_rules)->admission().ceremony_deadline_working_days(),
          "admission.ceremony_deadline_working_days", before.organization());
      !s.ok()) {
    return s;
  }
  StampRuleSet(after, **rules);

  // The exceptions the case relied on are used up by the decision
  // (AdmissionExceptionState USED; a re-admission is allowed only once).
  absl::StatusOr<std::vector<Stored<v1::AdmissionException>>> exceptions =
      ExceptionsOf(*context_, before.name());
  if (!exceptions.ok()) return exceptions.status();
  std::vector<Stored<v1::AdmissionException>> used;
  for (const auto& e : *exceptions) {
    if (e.message.state() == v1::ADMISSION_EXCEPTION_STATE_ACTIVE &&
        std::find(a->exceptions().begin(), a->exceptions().end(),
                  e.message.name()) != a->exceptions().end()) {
      used.push_back(e);
      used.back().message.set_state(v1::ADMISSION_EXCEPTION_STATE_USED);
    }
  }
  const int age_years =
      FullYearsBetween(CivilDayOf(before.date_of_birth()),
                       CivilDayOf(request.decision().signed_on()));
  const v1::Admission admission_after = *a;
  return CommitStep(
      *context_, call, request, Step::kRecordAdmissionDecision, *person,
      std::move(after), request.decision().signed_on(),
      absl::StrCat("Quyết định kết nạp ", Who(before), " số ",
                   request.decision().number()),
      "", response,
      [&](const PersonChangeRecorder& recorder) {
        ev1::Event event =
            recorder.NewPersonEvent(before, request.decision().signed_on());
        ev1::MemberAdmitted* m = event.mutable_member_admitted();
        m->set_person(before.name());
        m->set_organization(before.organization());
        *m->mutable_decision() = request.decision();
        *m->mutable_categories() = admission_after.categories_at_admission();
        m->set_readmission(admission_after.readmission());
        m->set_age_years(age_years);
        return std::vector<ev1::Event>{std::move(event)};
      },
      [&](PersonChangeRecorder& recorder, Change& change) {
        for (const auto& e : used) {
          recorder.RecordResource(change, before, e.message.name(), e.version,
                                  e.message, kExceptions);
        }
      });
}

// ---------------------------------------------------------------------------
// RecordCeremony: lễ kết nạp; probation 12 months from it (Party Charter
// art. 5.1: 12-month probation).

absl::Status AdmissionServiceImpl::DoRecordCeremony(
    const CallContext& call, const v1::RecordCeremonyRequest& request,
    v1::Person& response) {
  FieldChecker check;
  CheckDate(request.held_on(), "held_on", check);
  CheckNotFuture(request.held_on(), "held_on", check);
  absl::StatusOr<StoredPerson> person =
      LoadForStep(*context_, call, request.name(), request.etag(), check,
                  "record the admission ceremony");
  if (!person.ok()) return person.status();
  const v1::Person& before = person->message;
  // The ceremony's deadline and the probation length come from the rules in
  // force on the decision's receipt (decisions.h).
  const cv1::Date& rules_date =
      IsValidDate(before.admission().decision_received_on())
          ? before.admission().decision_received_on()
          : request.held_on();
  absl::StatusOr<const v1::RuleSet*> rules = RulesOn(*context_, rules_date);
  if (!rules.ok()) return rules.status();
  absl::StatusOr<domain::CeremonyOutcome> outcome = domain::CheckCeremony(
      before.admission(), request,
      ExtendedDays(before, cv1::DEADLINE_KIND_CEREMONY_DUE),
      context_->calendar(), **rules);
  if (!outcome.ok()) return outcome.status();
  if (absl::Status s =
          Refusal(Step::kRecordCeremony, before.stage(), outcome->unmet);
      !s.ok()) {
    return s;
  }
  v1::Person after = before;
  after.set_stage(*domain::NextStage(Step::kRecordCeremony, before.stage()));
  v1::Admission* a = after.mutable_admission();
  *a->mutable_ceremony_on() = request.held_on();
  *a->mutable_probation_ends_on() = FromCivilDay(outcome->probation_ends_on);
  RemoveDeadlines(after, {cv1::DEADLINE_KIND_CEREMONY_DUE});
  // Probation ends (Charter art. 5.1), then the cell votes within 30
  // working days (rule set) after it.
  v1::Deadline* ends = after.add_deadlines();
  ends->set_kind(cv1::DEADLINE_KIND_PROBATION_ENDS);
  ends->set_subject(before.name());
  *ends->mutable_counted_from() = request.held_on();
  ends->set_length((*rules)->admission().probation_months());
  ends->set_unit(v1::DURATION_UNIT_MONTHS);
  *ends->mutable_due_on() = FromCivilDay(outcome->probation_ends_on);
  ends->set_rule_id("admission.probation_months");
  ends->set_responsible_organization(before.organization());
  if (absl::Status s = AddWorkingDayDeadline(
          *context_, after, cv1::DEADLINE_KIND_RECOGNITION_VOTE_DUE,
          outcome->probation_ends_on,
          (*rules)->admission().recognition_vote_deadline_working_days(),
          "admission.recognition_vote_deadline_working_days",
          before.organization());
      !s.ok()) {
    return s;
  }
  StampRuleSet(after, **rules);
  const cv1::Date probation_end = FromCivilDay(outcome->probation_ends_on);
  return CommitStep(
      *context_, call, request, Step::kRecordCeremony, *person,
      std::move(after), request.held_on(),
      absl::StrCat("Lễ kết nạp ", Who(before), " ngày ",
                   FormatDate(request.held_on()), "; dự bị đến ngày ",
                   FormatDate(probation_end)),
      "", response, [&](const PersonChangeRecorder& recorder) {
        ev1::Event event = recorder.NewPersonEvent(before, request.held_on());
        ev1::ProbationStarted* p = event.mutable_probation_started();
        p->set_person(before.name());
        p->set_organization(before.organization());
        *p->mutable_ceremony_on() = request.held_on();
        *p->mutable_probation_ends_on() = probation_end;
        return std::vector<ev1::Event>{std::move(event)};
      });
}

// ---------------------------------------------------------------------------
// RecordRecognitionVote: the cell votes within 30 working days after the 12
// months (2/3); a late vote is recorded and flagged, never refused.

absl::Status AdmissionServiceImpl::DoRecordRecognitionVote(
    const CallContext& call, const v1::RecordRecognitionVoteRequest& request,
    v1::Person& response) {
  FieldChecker check;
  if (!request.has_ballot()) check.Add("ballot", "is required");
  CheckNotFuture(request.ballot().held_on(), "ballot.held_on", check);
  absl::StatusOr<StoredPerson> person =
      LoadForStep(*context_, call, request.name(), request.etag(), check,
                  "record the recognition vote");
  if (!person.ok()) return person.status();
  if (absl::Status s = domain::ValidateBallot(request.ballot(), "ballot");
      !s.ok()) {
    return s;
  }
  const cv1::Date& held_on = request.ballot().held_on();
  absl::StatusOr<const v1::RuleSet*> rules = RulesOn(*context_, held_on);
  if (!rules.ok()) return rules.status();
  const v1::Person& before = person->message;
  absl::StatusOr<domain::VotingRoll> roll =
      CellRoll(*context_, before.organization());
  if (!roll.ok()) return roll.status();
  absl::StatusOr<domain::RecognitionVoteOutcome> outcome =
      domain::CheckRecognitionVote(before.admission(), request.ballot(), *roll,
                                   context_->calendar(), **rules);
  if (!outcome.ok()) return outcome.status();
  if (absl::Status s = Refusal(Step::kRecordRecognitionVote, before.stage(),
                               outcome->ballot.unmet);
      !s.ok()) {
    return s;
  }
  v1::Person after = before;
  v1::Admission* a = after.mutable_admission();
  v1::Ballot* ballot = a->add_recognition_ballots();
  *ballot = request.ballot();
  *ballot->mutable_threshold() = outcome->ballot.threshold;
  ballot->set_passed(outcome->ballot.passed);
  ballot->set_attempt(outcome->attempt);
  ballot->set_rule_set((*rules)->name());
  if (outcome->ballot.passed) {
    RemoveDeadlines(after, {cv1::DEADLINE_KIND_RECOGNITION_VOTE_DUE,
                            cv1::DEADLINE_KIND_PROBATION_ENDS});
    // The decision within 30 working days (rule set) of the passed vote.
    absl::StatusOr<v1::Organization> grassroots =
        GrassrootsOf(*context_, before.organization());
    if (!grassroots.ok()) return grassroots.status();
    if (absl::Status s = AddWorkingDayDeadline(
            *context_, after, cv1::DEADLINE_KIND_RECOGNITION_DECISION_DUE,
            CivilDayOf(held_on),
            (*rules)->admission().recognition_decision_deadline_working_days(),
            "admission.recognition_decision_deadline_working_days",
            grassroots->parent().empty() ? grassroots->name()
                                         : grassroots->parent());
        !s.ok()) {
      return s;
    }
  } else if (outcome->escalate) {
    // After the rule set's failed votes (3) the superior committee takes
    // the case: the cell does not vote again.
    a->set_recognition_escalated(true);
    RemoveDeadlines(after, {cv1::DEADLINE_KIND_RECOGNITION_VOTE_DUE});
  }
  if (outcome->late) {
    // A late vote is flagged on its deadline; the official date stays the
    // end of probation.
    for (v1::Deadline& d : *after.mutable_deadlines()) {
      if (d.kind() == cv1::DEADLINE_KIND_RECOGNITION_VOTE_DUE) {
        d.set_overdue(true);
      }
    }
  }
  StampRuleSet(after, **rules);
  return CommitStep(
      *context_, call, request, Step::kRecordRecognitionVote, *person,
      std::move(after), held_on,
      absl::StrCat("Chi bộ biểu quyết công nhận đảng viên chính thức cho ",
                   Who(before), " (lần ", outcome->attempt,
                   "): ", outcome->ballot.passed ? "đạt" : "không đạt",
                   outcome->late ? "; biểu quyết muộn" : "",
                   outcome->escalate ? "; chuyển cấp ủy cấp trên" : ""),
      "", response);
}

// ---------------------------------------------------------------------------
// RecogniseMember: công nhận đảng viên chính thức; official from the end of
// probation even when the vote or decision came late (Charter art. 5).

absl::Status AdmissionServiceImpl::DoRecogniseMember(
    const CallContext& call, const v1::RecogniseMemberRequest& request,
    v1::Person& response) {
  FieldChecker check;
  domain::ValidateDecisionRef(request.decision(), "decision", check);
  CheckNotFuture(request.decision().signed_on(), "decision.signed_on", check);
  absl::StatusOr<StoredPerson> person =
      LoadForStep(*context_, call, request.name(), request.etag(), check,
                  "recognise a member");
  if (!person.ok()) return person.status();
  const v1::Person& before = person->message;
  absl::StatusOr<const v1::RuleSet*> rules =
      RulesOn(*context_, request.decision().signed_on());
  if (!rules.ok()) return rules.status();
  absl::StatusOr<domain::AuthorityFacts> authority =
      AuthorityOf(*context_, before.organization(),
                  request.decision().deciding_organization());
  if (!authority.ok()) return authority.status();
  absl::StatusOr<domain::RecognitionOutcome> outcome = domain::CheckRecognition(
      before.admission(), request, *authority,
      ExtendedDays(before, cv1::DEADLINE_KIND_RECOGNITION_DECISION_DUE),
      context_->calendar(), **rules);
  if (!outcome.ok()) return outcome.status();
  if (absl::Status s =
          Refusal(Step::kRecogniseMember, before.stage(), outcome->unmet);
      !s.ok()) {
    return s;
  }
  v1::Person after = before;
  after.set_stage(*domain::NextStage(Step::kRecogniseMember, before.stage()));
  const cv1::Date official_on = FromCivilDay(outcome->official_on);
  v1::Admission* a = after.mutable_admission();
  *a->mutable_recognition_decision() = request.decision();
  *a->mutable_official_on() = official_on;
  *after.mutable_official_on() = official_on;
  RemoveCaseDeadlines(after);
  StampRuleSet(after, **rules);
  return CommitStep(
      *context_, call, request, Step::kRecogniseMember, *person,
      std::move(after), request.decision().signed_on(),
      absl::StrCat("Công nhận ", Who(before),
                   " là đảng viên chính thức từ ngày ", FormatDate(official_on),
                   " (quyết định số ", request.decision().number(), ")"),
      "", response, [&](const PersonChangeRecorder& recorder) {
        ev1::Event event =
            recorder.NewPersonEvent(before, request.decision().signed_on());
        ev1::MemberRecognised* m = event.mutable_member_recognised();
        m->set_person(before.name());
        m->set_organization(before.organization());
        *m->mutable_official_on() = official_on;
        *m->mutable_decision() = request.decision();
        return std::vector<ev1::Event>{std::move(event)};
      });
}

// ---------------------------------------------------------------------------
// RemoveFromProbation: xóa tên trong danh sách đảng viên dự bị; a
// probationary member is removed, never expelled.

absl::Status AdmissionServiceImpl::DoRemoveFromProbation(
    const CallContext& call, const v1::RemoveFromProbationRequest& request,
    v1::Person& response) {
  FieldChecker check;
  CheckNotFuture(request.effective_on(), "effective_on", check);
  absl::StatusOr<StoredPerson> person =
      LoadForStep(*context_, call, request.name(), request.etag(), check,
                  "remove from the probationary list");
  if (!person.ok()) return person.status();
  const v1::Person& before = person->message;
  const cv1::Date& act_date =
      IsValidDate(request.effective_on()) ? request.effective_on() : Today();
  absl::StatusOr<const v1::RuleSet*> rules = RulesOn(*context_, act_date);
  if (!rules.ok()) return rules.status();
  absl::StatusOr<domain::AuthorityFacts> authority =
      AuthorityOf(*context_, before.organization(),
                  request.decision().deciding_organization());
  if (!authority.ok()) return authority.status();
  absl::StatusOr<std::vector<RuleViolation>> unmet =
      domain::CheckRemoveFromProbation(request, *authority, **rules);
  if (!unmet.ok()) return unmet.status();
  if (absl::Status s =
          Refusal(Step::kRemoveFromProbation, before.stage(), *unmet);
      !s.ok()) {
    return s;
  }
  v1::Person after = before;
  after.set_stage(
      *domain::NextStage(Step::kRemoveFromProbation, before.stage()));
  after.set_status(v1::PERSON_STATUS_CLOSED);
  v1::Admission* a = after.mutable_admission();
  if (request.has_cell_ballot()) {
    v1::Ballot* ballot = a->add_recognition_ballots();
    *ballot = request.cell_ballot();
    ballot->set_attempt(a->recognition_ballots_size());
    ballot->set_rule_set((*rules)->name());
  }
  v1::CaseClosure* closure = a->mutable_closure();
  closure->set_stage(after.stage());
  closure->set_closed_at_stage(before.stage());
  *closure->mutable_closed_on() = request.effective_on();
  closure->set_reason(request.reason());
  *closure->mutable_decision() = request.decision();
  RemoveCaseDeadlines(after);
  StampRuleSet(after, **rules);
  return CommitStep(
      *context_, call, request, Step::kRemoveFromProbation, *person,
      std::move(after), request.effective_on(),
      absl::StrCat("Xóa tên ", Who(before),
                   " trong danh sách đảng viên dự bị: ", request.reason()),
      request.reason(), response, [&](const PersonChangeRecorder& recorder) {
        ev1::Event event =
            recorder.NewPersonEvent(before, request.effective_on());
        ev1::RemovedFromProbation* r = event.mutable_removed_from_probation();
        r->set_person(before.name());
        r->set_organization(before.organization());
        *r->mutable_decision() = request.decision();
        *r->mutable_admitted_on() =
            before.admission().admission_decision().signed_on();
        *r->mutable_categories() = before.admission().categories_at_admission();
        r->set_reason(request.reason());
        return std::vector<ev1::Event>{std::move(event)};
      });
}

// ---------------------------------------------------------------------------
// ExtendDeadline: the admission decision (at most 30 working days more),
// the ceremony (the superior's approval), the recognition decision (at most
// 30 more).

absl::Status AdmissionServiceImpl::DoExtendDeadline(
    const CallContext& call, const v1::ExtendDeadlineRequest& request,
    v1::Person& response) {
  FieldChecker check;
  domain::ValidateDecisionRef(request.approval(), "approval", check);
  CheckNotFuture(request.approval().signed_on(), "approval.signed_on", check);
  if (request.reason().empty()) check.Add("reason", "is required");
  absl::StatusOr<StoredPerson> person =
      LoadForStep(*context_, call, request.name(), request.etag(), check,
                  "extend a deadline");
  if (!person.ok()) return person.status();
  const v1::Person& before = person->message;
  const v1::Deadline* running = FindDeadline(before, request.kind());
  // The deadline's numbers are those of the rule set in force when its clock
  // started (types.proto Deadline).
  absl::StatusOr<const v1::RuleSet*> rules =
      RulesOn(*context_, running != nullptr ? running->counted_from()
                                            : request.approval().signed_on());
  if (!rules.ok()) return rules.status();
  int granted = 0;
  absl::StatusOr<std::vector<RuleViolation>> unmet = domain::CheckExtension(
      request.kind(), before.stage(), request.working_days(),
      ExtendedDays(before, request.kind()), **rules, &granted);
  if (!unmet.ok()) return unmet.status();
  if (running == nullptr && unmet->empty() &&
      !domain::StageViolation(Step::kExtendDeadline, before.stage())) {
    domain::Violations v(**rules);
    v.Add("extension.kind_extendable", "kind",
          absl::StrCat("Hồ sơ không có thời hạn ",
                       cv1::DeadlineKind_Name(request.kind()), " đang chạy"));
    *unmet = v.Take();
  }
  if (absl::Status s = Refusal(Step::kExtendDeadline, before.stage(), *unmet);
      !s.ok()) {
    return s;
  }
  v1::Person after = before;
  for (v1::Deadline& d : *after.mutable_deadlines()) {
    if (d.kind() != request.kind()) continue;
    v1::DeadlineExtension* e = d.add_extensions();
    e->set_length(granted);
    *e->mutable_approval() = request.approval();
    e->set_reason(request.reason());
    d.set_length(d.length() + granted);
    absl::StatusOr<absl::CivilDay> due = context_->calendar().AddWorkingDays(
        CivilDayOf(d.counted_from()), d.length());
    if (!due.ok()) return due.status();
    *d.mutable_due_on() = FromCivilDay(*due);
    d.set_overdue(false);
    break;
  }
  return CommitStep(
      *context_, call, request, Step::kExtendDeadline, *person,
      std::move(after), request.approval().signed_on(),
      absl::StrCat("Gia hạn ", granted, " ngày làm việc (",
                   cv1::DeadlineKind_Name(request.kind()), ") cho hồ sơ của ",
                   Who(before), ": ", request.reason()),
      request.reason(), response);
}

// ---------------------------------------------------------------------------
// WithdrawCandidacy / RejectCandidacy: a candidate may be withdrawn or
// rejected at any candidate step, with a reason (domain.md).

absl::Status AdmissionServiceImpl::DoWithdrawCandidacy(
    const CallContext& call, const v1::WithdrawCandidacyRequest& request,
    v1::Person& response) {
  FieldChecker check;
  CheckNotFuture(request.withdrawn_on(), "withdrawn_on", check);
  absl::StatusOr<StoredPerson> person =
      LoadForStep(*context_, call, request.name(), request.etag(), check,
                  "withdraw a candidacy");
  if (!person.ok()) return person.status();
  if (absl::Status s = domain::ValidateWithdrawal(request); !s.ok()) return s;
  const v1::Person& before = person->message;
  absl::StatusOr<const v1::RuleSet*> rules =
      RulesOn(*context_, request.withdrawn_on());
  if (!rules.ok()) return rules.status();
  if (absl::Status s = Refusal(Step::kWithdrawCandidacy, before.stage(), {});
      !s.ok()) {
    return s;
  }
  v1::Person after = before;
  after.set_stage(*domain::NextStage(Step::kWithdrawCandidacy, before.stage()));
  after.set_status(v1::PERSON_STATUS_CLOSED);
  *after.mutable_admission()->mutable_closure() =
      domain::WithdrawalClosure(request, before.stage());
  RemoveCaseDeadlines(after);
  StampRuleSet(after, **rules);
  return CommitStep(*context_, call, request, Step::kWithdrawCandidacy, *person,
                    std::move(after), request.withdrawn_on(),
                    absl::StrCat("Dừng xem xét kết nạp ", Who(before), ": ",
                                 request.reason()),
                    request.reason(), response);
}

absl::Status AdmissionServiceImpl::DoRejectCandidacy(
    const CallContext& call, const v1::RejectCandidacyRequest& request,
    v1::Person& response) {
  FieldChecker check;
  CheckNotFuture(request.rejected_on(), "rejected_on", check);
  absl::StatusOr<StoredPerson> person =
      LoadForStep(*context_, call, request.name(), request.etag(), check,
                  "reject a candidacy");
  if (!person.ok()) return person.status();
  if (absl::Status s = domain::ValidateRejection(request); !s.ok()) return s;
  const v1::Person& before = person->message;
  absl::StatusOr<const v1::RuleSet*> rules =
      RulesOn(*context_, request.rejected_on());
  if (!rules.ok()) return rules.status();
  if (absl::Status s = Refusal(Step::kRejectCandidacy, before.stage(), {});
      !s.ok()) {
    return s;
  }
  v1::Person after = before;
  after.set_stage(*domain::NextStage(Step::kRejectCandidacy, before.stage()));
  after.set_status(v1::PERSON_STATUS_CLOSED);
  *after.mutable_admission()->mutable_closure() =
      domain::RejectionClosure(request, before.stage());
  RemoveCaseDeadlines(after);
  StampRuleSet(after, **rules);
  return CommitStep(
      *context_, call, request, Step::kRejectCandidacy, *person,
      std::move(after), request.rejected_on(),
      absl::StrCat("Không kết nạp ", Who(before), ": ", request.reason()),
      request.reason(), response);
}

// ---------------------------------------------------------------------------
// RestartCandidacy: a new case after a closed one, or a re-admission (kết
// nạp lại: 36 months' wait, provincial consent, only once).

absl::Status AdmissionServiceImpl::DoRestartCandidacy(
    const CallContext& call, const v1::RestartCandidacyRequest& request,
    v1::Person& response) {
  FieldChecker check;
  if (!request.has_source()) {
    check.Add("source", "is required");
  } else {
    if (request.source().kind() == v1::SOURCE_KIND_UNSPECIFIED) {
      check.Add("source.kind", "is required");
    }
    CheckDate(request.source().sourced_on(), "source.sourced_on", check);
    CheckNotFuture(request.source().sourced_on(), "source.sourced_on", check);
  }
  CheckOrganizationRef(check, request.organization(), "organization",
                       /*required=*/false);
  if (!request.readmission_exception().empty() &&
      !absl::StartsWith(request.readmission_exception(),
                        absl::StrCat(request.name(), "/", kExceptions, "/"))) {
    check.Add("readmission_exception",
              "must be an exception of the person, "
              "people/{person}/admissionExceptions/{exception}");
  }
  absl::StatusOr<StoredPerson> person =
      LoadForStep(*context_, call, request.name(), request.etag(), check,
                  "restart a candidacy");
  if (!person.ok()) return person.status();
  const v1::Person& before = person->message;
  // The case stays with the person's home cell: moving a person is a
  // transfer (PersonService), not a step of the pipeline.
  if (!request.organization().empty() &&
      request.organization() != before.organization()) {
    return InvalidField("organization",
                        "must be the person's home cell; a move is a transfer");
  }
  const cv1::Date& on = request.source().sourced_on();
  absl::StatusOr<const v1::RuleSet*> rules = RulesOn(*context_, on);
  if (!rules.ok()) return rules.status();
  // A former member (left, or removed from probation after an admission
  // decision) is re-admitted, never simply restarted.
  bool former_member =
      before.stage() == cv1::STAGE_LEFT ||
      !before.admission().admission_decision().number().empty();
  std::vector<RuleViolation> unmet;
  std::vector<std::string> exceptions;
  if (former_member) {
    std::vector<v1::AdmissionException> given;
    if (!request.readmission_exception().empty()) {
      absl::StatusOr<Stored<v1::AdmissionException>> exc =
          context_->records().Get<v1::AdmissionException>(
              request.readmission_exception());
      if (absl::IsNotFound(exc.status())) {
        return InvalidField("readmission_exception", "not found");
      }
      if (!exc.ok()) return exc.status();
      if (exc->message.kind() == v1::ADMISSION_EXCEPTION_KIND_READMISSION) {
        given.push_back(exc->message);
        exceptions.push_back(exc->message.name());
      }
    }
    const v1::AdmissionException* active = domain::FindActiveException(
        given, v1::ADMISSION_EXCEPTION_KIND_READMISSION);
    domain::ReadmissionFacts facts;
    for (const v1::Admission& a : before.previous_admissions()) {
      if (a.readmission() && !a.admission_decision().number().empty()) {
        ++facts.previous_readmissions;
      }
    }
    if (before.admission().readmission() &&
        !before.admission().admission_decision().number().empty()) {
      ++facts.previous_readmissions;
    }
    if (active != nullptr) {
      absl::StatusOr<v1::Organization> approver = ReadOrganization(
          *context_, active->approval().deciding_organization());
      if (approver.ok()) facts.approving_level = approver->level();
    }
    unmet = domain::CheckReadmission(active, facts, CivilDayOf(on), **rules);
  }
  if (absl::Status s =
          Refusal(Step::kRestartCandidacy, before.stage(), std::move(unmet));
      !s.ok()) {
    return s;
  }
  v1::Person after = before;
  after.set_stage(*domain::NextStage(Step::kRestartCandidacy, before.stage()));
  after.set_status(v1::PERSON_STATUS_ACTIVE);
  if (before.has_admission()) {
    *after.add_previous_admissions() = before.admission();
  }
  v1::Admission* a = after.mutable_admission();
  a->Clear();
  a->set_organization(before.organization());
  *a->mutable_source() = request.source();
  a->set_readmission(former_member);
  for (const std::string& e : exceptions) a->add_exceptions(e);
  *after.mutable_source() = request.source();
  RemoveCaseDeadlines(after);
  StampRuleSet(after, **rules);
  return CommitStep(*context_, call, request, Step::kRestartCandidacy, *person,
                    std::move(after), on,
                    absl::StrCat(former_member ? "Mở hồ sơ kết nạp lại "
                                               : "Mở lại hồ sơ "
                                                 "kết nạp ",
                                 Who(before)),
                    "", response);
}

// ---------------------------------------------------------------------------
// Admission exceptions (over 60, re-admission, education), approved by the
// provincial-level committee by default.

absl::Status AdmissionServiceImpl::DoCreateAdmissionException(
    const CallContext& call, const v1::CreateAdmissionExceptionRequest& request,
    v1::AdmissionException& response) {
  FieldChecker check;
  CheckPersonName(check, request.parent(), "parent");
  if (!request.admission_exception_id().empty() &&
      !IsValidResourceId(request.admission_exception_id())) {
    check.Add("admission_exception_id", "must match [a-z0-9-]{1,63}");
  }
  const v1::AdmissionException& given = request.admission_exception();
  CheckOrganizationRef(check, given.approval().deciding_organization(),
                       "admission_exception.approval.deciding_organization");
  CheckNotFuture(given.approval().signed_on(),
                 "admission_exception.approval.signed_on", check);
  if (absl::Status s = check.status(); !s.ok()) return s;
  if (absl::Status s =
          RequireRecorder(call.principal, "record an admission exception");
      !s.ok()) {
    return s;
  }
  absl::StatusOr<StoredPerson> person =
      ReadPersonForChange(*context_, call, request.parent(), "parent");
  if (!person.ok()) return person.status();
  const cv1::Date& on = IsValidDate(given.approval().signed_on())
                            ? given.approval().signed_on()
                            : Today();
  absl::StatusOr<const v1::RuleSet*> rules = RulesOn(*context_, on);
  if (!rules.ok()) return rules.status();
  std::string approving_level;
  absl::StatusOr<v1::Organization> approver =
      ReadOrganization(*context_, given.approval().deciding_organization());
  if (approver.ok()) {
    approving_level = approver->level();
  } else if (absl::IsNotFound(approver.status())) {
    return InvalidField("admission_exception.approval.deciding_organization",
                        "not found");
  } else {
    return approver.status();
  }
  absl::StatusOr<std::vector<RuleViolation>> unmet =
      domain::CheckAdmissionException(given, approving_level, **rules);
  if (!unmet.ok()) return unmet.status();
  if (absl::Status s = domain::StatusOf(*unmet); !s.ok()) return s;

  const std::string id = request.admission_exception_id().empty()
                             ? NewUuid()
                             : request.admission_exception_id();
  v1::AdmissionException exception = given;
  exception.set_name(absl::StrCat(request.parent(), "/", kExceptions, "/", id));
  exception.set_state(v1::ADMISSION_EXCEPTION_STATE_ACTIVE);
  if (request.validate_only()) {
    response = exception;
    return absl::OkStatus();
  }
  const v1::Person& owner = person->message;
  return IdempotentChange(
      context_->redis(), context_->prefix(), "CreateAdmissionException",
      request.request_id(), request, response, [&](Change& change) {
        // The name must be new: a second create with the same id is
        // ALREADY_EXISTS (the staged write expects it absent too).
        absl::StatusOr<Stored<v1::AdmissionException>> existing =
            context_->records().Get<v1::AdmissionException>(exception.name());
        if (existing.ok()) {
          return absl::AlreadyExistsError(
              absl::StrCat(exception.name(), " already exists"));
        }
        if (!absl::IsNotFound(existing.status())) return existing.status();
        PersonChangeRecorder recorder(*context_, call, request.request_id(),
                                      "");
        *exception.mutable_create_stamp() = recorder.stamp();
        recorder.RecordResource(change, owner, exception.name(), 0, exception,
                                kExceptions);
        recorder.RecordJournal(
            change, owner, MethodName(kService, "CreateAdmissionException"),
            exception.name(),
            absl::StrCat("Ghi nhận ngoại lệ kết nạp (",
                         v1::AdmissionExceptionKind_Name(exception.kind()),
                         ") cho ", Who(owner), ", quyết định số ",
                         exception.approval().number()),
            "", {});
        response = exception;
        ApplyEtag(response, 1);
        return absl::OkStatus();
      });
}

namespace {

// The exception as `caller` may see it: a cleared criminal record is
// personal data (Decree 13/2023).
v1::AdmissionException VisibleException(v1::AdmissionException exception,
                                        const Principal& caller,
                                        const v1::Person& person) {
  if (!MaySeePersonalData(caller, person)) {
    exception.mutable_readmission()->clear_record_details();
  }
  return exception;
}

}  // namespace

absl::Status AdmissionServiceImpl::DoGetAdmissionException(
    const CallContext& call, const v1::GetAdmissionExceptionRequest& request,
    v1::AdmissionException& response) {
  const std::string marker = absl::StrCat("/", kExceptions, "/");
  const size_t at = request.name().find(marker);
  if (at == std::string::npos ||
      !IsValidResourceId(request.name().substr(at + marker.size()))) {
    return InvalidField("name",
                        "must be people/{person}/admissionExceptions/{id}");
  }
  const std::string parent = request.name().substr(0, at);
  absl::StatusOr<StoredPerson> person =
      ReadPersonForRead(*context_, call, parent, "name");
  if (!person.ok()) return person.status();
  absl::StatusOr<Stored<v1::AdmissionException>> exception =
      context_->records().Get<v1::AdmissionException>(request.name());
  if (!exception.ok()) return exception.status();
  response =
      VisibleException(exception->message, call.principal, person->message);
  return absl::OkStatus();
}

absl::Status AdmissionServiceImpl::DoListAdmissionExceptions(
    const CallContext& call, const v1::ListAdmissionExceptionsRequest& request,
    v1::ListAdmissionExceptionsResponse& response) {
  absl::StatusOr<int> limit = ResolvePageSize(request.page_size());
  if (!limit.ok()) return limit.status();
  if (!request.filter().empty()) {
    return InvalidField("filter", "is not supported");
  }
  const std::string fingerprint = RequestFingerprint(request);
  absl::StatusOr<std::string> cursor =
      DecodePageToken(request.page_token(), fingerprint);
  if (!cursor.ok()) return cursor.status();
  if (request.parent() == "people/-") {
    // A subtree's exceptions: those of the people at home in `organization`
    // (the organisation index), which the caller's subtree must hold.
    FieldChecker check;
    CheckOrganizationRef(check, request.organization(), "organization");
    if (absl::Status s = check.status(); !s.ok()) return s;
    absl::StatusOr<v1::Organization> org =
        ReadOrganization(*context_, request.organization());
    if (!org.ok()) return org.status();
    const Principal& caller = call.principal;
    const bool covers = caller.HasRole("admin") ||
                        std::find(org->path().begin(), org->path().end(),
                                  caller.organization) != org->path().end();
    if (!covers) {
      return WithReason(
          absl::PermissionDeniedError(absl::StrCat(
              request.organization(), " is outside the caller's subtree")),
          "OUTSIDE_SUBTREE");
    }
    absl::StatusOr<IdPage> page = context_->records().Page(
        context_->records().OrganizationIndexKey(
            OrganizationId(request.organization()), kExceptions),
        *cursor, *limit);
    if (!page.ok()) return page.status();
    absl::StatusOr<std::vector<Stored<v1::AdmissionException>>> stored =
        context_->records().GetMany<v1::AdmissionException>(page->ids);
    if (!stored.ok()) return stored.status();
    const bool personal = caller.HasAnyRole({"personal_data", "admin"});
    for (auto& s : *stored) {
      if (!personal) s.message.mutable_readmission()->clear_record_details();
      *response.add_admission_exceptions() = std::move(s.message);
    }
    response.set_total_size(page->total_size);
    if (!page->next_cursor.empty()) {
      response.set_next_page_token(
          EncodePageToken(page->next_cursor, fingerprint));
    }
    return absl::OkStatus();
  }
  absl::StatusOr<StoredPerson> person =
      ReadPersonForRead(*context_, call, request.parent(), "parent");
  if (!person.ok()) return person.status();
  absl::StatusOr<IdPage> page = context_->records().Page(
      context_->records().CollectionKey(request.parent(), kExceptions), *cursor,
      *limit);
  if (!page.ok()) return page.status();
  std::vector<std::string> names;
  for (const std::string& id : page->ids) {
    names.push_back(absl::StrCat(request.parent(), "/", kExceptions, "/", id));
  }
  absl::StatusOr<std::vector<Stored<v1::AdmissionException>>> stored =
      context_->records().GetMany<v1::AdmissionException>(names);
  if (!stored.ok()) return stored.status();
  for (auto& s : *stored) {
    *response.add_admission_exceptions() =
        VisibleException(std::move(s.message), call.principal, person->message);
  }
  response.set_total_size(page->total_size);
  if (!page->next_cursor.empty()) {
    response.set_next_page_token(
        EncodePageToken(page->next_cursor, fingerprint));
  }
  return absl::OkStatus();
}

}  // namespace partydev::membership
