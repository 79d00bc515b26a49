// AdmissionService: the records around the pipeline that are not steps of
// it: training classes with their enrollments (nomination, assessment,
// certificate) and the periodic evaluations of candidates.
//
// Storage (record_store.h; P is the hash-tagged prefix):
//   P r:trainingClasses/{c}                      the class
//   P r:trainingClasses/{c}/enrollments/{e}      an enrollment
//   P r:trainingClasses/{c}/people/{person id}   guard: one enrollment per
//                                                person and class (value:
//                                                the enrollment's name)
//   P r:trainingClasses/{c}/certificates/{no}    guard: a certificate number
//                                                once per class
//   P r:people/{p}/evaluations/{e}               an evaluation
//   P r:people/{p}/evaluationPeriods/{period}    guard: one evaluation per
//                                                person and period
//   P c:trainingClasses                          zset of every class name
//   P c:trainingClasses/{c}/enrollments          zset of enrollment ids
//   P c:people/{p}/enrollments                   zset of a person's
//                                                enrollment names
//   P c:people/{p}/evaluations, P o:<org>:evaluations (RecordResource)
// Guards are written with Expect(key, 0) in the same atomic write as the
// record, so two concurrent duplicates cannot both commit.

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "common/authorization.h"
#include "common/dates.h"
#include "common/errors.h"
#include "common/filters.h"
#include "common/ids.h"
#include "common/paging.h"
#include "common/record_store.h"
#include "services/membership/admission_service.h"
#include "services/membership/organization_tree.h"
#include "services/membership/person_access.h"

namespace partydev::membership {
namespace {

using common::v1::Date;

constexpr absl::string_view kClassesPrefix = "trainingClasses/";

std::string Method(absl::string_view rpc) {
  return MethodName("AdmissionService", rpc);
}

bool IsCandidate(common::v1::Stage stage) {
  return stage >= common::v1::STAGE_SOURCED &&
         stage <= common::v1::STAGE_ADMISSION_DECIDED;
}

bool IsUnsetDate(const Date& d) {
  return d.year() == 0 && d.month() == 0 && d.day() == 0;
}

std::vector<std::string> PathOf(const v1::Organization& org) {
  return {org.path().begin(), org.path().end()};
}

std::vector<std::string> PathOf(const v1::Person& person) {
  return {person.organization_path().begin(), person.organization_path().end()};
}

bool PathHolds(const std::vector<std::string>& path, const std::string& org) {
  return std::find(path.begin(), path.end(), org) != path.end();
}

template <typename Repeated>
bool PathHolds(const Repeated& path, const std::string& org) {
  return std::find(path.begin(), path.end(), org) != path.end();
}

// ABORTED when the client sent an etag that is not the stored version.
absl::Status CheckEtag(const std::string& etag, int64_t version,
                       const std::string& name) {
  if (etag.empty() || VersionOfEtag(etag) == version) return absl::OkStatus();
  return absl::AbortedError(
      absl::StrCat(name, " was changed since it was read (etag ", etag,
                   ", now ", EtagOf(version), "); read it again"));
}

// True when a guard key (one per person and class, per certificate number,
// per person and period) is taken; its value is the name holding it.
absl::StatusOr<VersionedRecord> ReadGuard(MembershipContext& context,
                                          const std::string& name) {
  return ReadRecord(context.redis(), context.records().RecordKey(name));
}

void StageGuard(Change& change, MembershipContext& context,
                const std::string& name, const std::string& holder) {
  const std::string key = context.records().RecordKey(name);
  change.write.Expect(key, 0);
  change.write.Put(key, holder);
}

void StageReleaseGuard(Change& change, MembershipContext& context,
                       const std::string& name) {
  change.write.Delete(context.records().RecordKey(name));
}

std::string ClassIndexKey(MembershipContext& context) {
  return absl::StrCat(context.prefix(), "c:trainingClasses");
}

// "trainingClasses/{c}" → "{c}", or "" when malformed.
std::string ClassId(const std::string& name) {
  absl::string_view rest(name);
  if (!absl::ConsumePrefix(&rest, kClassesPrefix)) return "";
  return IsValidResourceId(rest) ? std::string(rest) : "";
}

// "trainingClasses/{c}/enrollments/{e}" → ("trainingClasses/{c}", "{e}").
bool SplitEnrollmentName(const std::string& name, std::string& class_name,
                         std::string& id) {
  std::vector<std::string> parts = absl::StrSplit(name, '/');
  if (parts.size() != 4 || parts[0] != "trainingClasses" ||
      parts[2] != "enrollments" || !IsValidResourceId(parts[1]) ||
      !IsValidResourceId(parts[3])) {
    return false;
  }
  class_name = absl::StrCat(parts[0], "/", parts[1]);
  id = parts[3];
  return true;
}

// "people/{p}/evaluations/{e}" → "people/{p}".
bool SplitEvaluationName(const std::string& name, std::string& person) {
  std::vector<std::string> parts = absl::StrSplit(name, '/');
  if (parts.size() != 4 || parts[0] != "people" || parts[2] != "evaluations" ||
      !IsValidResourceId(parts[1]) || !IsValidResourceId(parts[3])) {
    return false;
  }
  person = absl::StrCat(parts[0], "/", parts[1]);
  return true;
}

void CheckDateField(FieldChecker& check, const Date& date,
                    absl::string_view field, bool required) {
  if (IsUnsetDate(date)) {
    if (required) check.Add(field, "is required (a date: year, month, day)");
    return;
  }
  CheckDate(date, field, check);
}

// A date of an act already done may not lie after today.
void CheckNotFuture(FieldChecker& check, const Date& date,
                    absl::string_view field, const Date& today) {
  if (IsValidDate(date) && CivilDayOf(date) > CivilDayOf(today)) {
    check.Add(field, absl::StrCat("is in the future (", FormatDate(date),
                                  "; today is ", FormatDate(today), ")"));
  }
}

absl::StatusOr<StoredOrganization> ReadOrganization(MembershipContext& context,
                                                    const std::string& name) {
  absl::StatusOr<StoredOrganization> org =
      context.organizations().Get(OrganizationId(name));
  if (!org.ok() && absl::IsNotFound(org.status())) {
    return absl::NotFoundError(absl::StrCat(name, " not found"));
  }
  return org;
}

// Lists computed in memory page by offset; the token binds the offset to
// the request's filters.
absl::StatusOr<size_t> PageOffset(const google::protobuf::Message& request,
                                  const std::string& token) {
  absl::StatusOr<std::string> cursor =
      DecodePageToken(token, RequestFingerprint(request));
  if (!cursor.ok()) return cursor.status();
  size_t offset = 0;
  if (!cursor->empty() && !absl::SimpleAtoi(*cursor, &offset)) {
    return InvalidField("page_token", "is not a token of this list");
  }
  return offset;
}

template <typename T, typename Repeated>
std::string FillPage(const google::protobuf::Message& request,
                     std::vector<T>& items, size_t offset, int size,
                     Repeated& out) {
  for (size_t i = offset; i < items.size() && i < offset + size; ++i) {
    *out.Add() = std::move(items[i]);
  }
  if (offset + size < items.size()) {
    return EncodePageToken(absl::StrCat(offset + size),
                           RequestFingerprint(request));
  }
  return "";
}

// --- Training classes --------------------------------------------------------

// The state a class shows on `today`: CANCELLED is stored, the rest follows
// from the dates.
void DeriveState(v1::TrainingClass& c, const Date& today) {
  if (c.state() == v1::TRAINING_CLASS_STATE_CANCELLED) return;
  const absl::CivilDay now = CivilDayOf(today);
  if (now < CivilDayOf(c.starts_on())) {
    c.set_state(v1::TRAINING_CLASS_STATE_PLANNED);
  } else if (now <= CivilDayOf(c.ends_on())) {
    c.set_state(v1::TRAINING_CLASS_STATE_IN_PROGRESS);
  } else {
    c.set_state(v1::TRAINING_CLASS_STATE_COMPLETED);
  }
}

absl::CivilDay NominationDeadline(const v1::TrainingClass& c) {
  if (!IsUnsetDate(c.nomination_deadline())) {
    return CivilDayOf(c.nomination_deadline());
  }
  return CivilDayOf(c.starts_on()) - 1;
}

// Checks the writable fields of a class (as created, or after an update);
// `field` prefixes each path ("training_class").
void CheckClassFields(FieldChecker& check, const v1::TrainingClass& c) {
  if (c.title().empty()) check.Add("training_class.title", "is required");
  if (c.kind() == v1::TRAINING_CLASS_KIND_UNSPECIFIED ||
      !v1::TrainingClassKind_IsValid(c.kind())) {
    check.Add("training_class.kind",
              "is required (ADMISSION_CANDIDATES or NEW_MEMBERS)");
  }
  CheckOrganizationRef(check, c.organizer(), "training_class.organizer");
  CheckDateField(check, c.starts_on(), "training_class.starts_on", true);
  CheckDateField(check, c.ends_on(), "training_class.ends_on", true);
  CheckDateField(check, c.nomination_deadline(),
                 "training_class.nomination_deadline", false);
  if (IsValidDate(c.starts_on()) && IsValidDate(c.ends_on()) &&
      CivilDayOf(c.ends_on()) < CivilDayOf(c.starts_on())) {
    check.Add("training_class.ends_on", "is before starts_on");
  }
  if (IsValidDate(c.nomination_deadline()) && IsValidDate(c.ends_on()) &&
      CivilDayOf(c.nomination_deadline()) > CivilDayOf(c.ends_on())) {
    check.Add("training_class.nomination_deadline", "is after ends_on");
  }
  if (c.capacity() <= 0) check.Add("training_class.capacity", "must be > 0");
  for (int i = 0; i < c.participating_organizations_size(); ++i) {
    CheckOrganizationRef(
        check, c.participating_organizations(i),
        absl::StrCat("training_class.participating_organizations[", i, "]"));
  }
}

// Every participating organisation exists and lies in the organizer's
// subtree (it narrows who may nominate, never widens it).
absl::Status CheckParticipating(MembershipContext& context,
                                const v1::TrainingClass& c) {
  FieldChecker check;
  for (int i = 0; i < c.participating_organizations_size(); ++i) {
    const std::string field =
        absl::StrCat("training_class.participating_organizations[", i, "]");
    absl::StatusOr<StoredOrganization> org =
        ReadOrganization(context, c.participating_organizations(i));
    if (absl::IsNotFound(org.status())) {
      check.Add(field, "does not exist");
    } else if (!org.ok()) {
      return org.status();
    } else if (!PathHolds(org->organization.path(), c.organizer())) {
      check.Add(field, absl::StrCat("is not in the subtree of the organizer ",
                                    c.organizer()));
    }
  }
  return check.ok() ? absl::OkStatus() : check.status();
}

void ClearClassOutputs(v1::TrainingClass& c) {
  c.clear_enrolled_count();
  c.clear_state();
  c.clear_cancel_reason();
  c.clear_etag();
  c.clear_create_stamp();
  c.clear_update_stamp();
}

// Stages the audit entry of a change of class `c` in its organizer's
// streams.
void AuditClass(Change& change, const common::v1::ChangeStamp& stamp,
                absl::string_view rpc, const v1::TrainingClass& c,
                const v1::Organization& organizer, std::string summary,
                const std::string& etag_before, const std::string& etag_after) {
  v1::AuditEntry entry =
      NewAuditEntry(stamp, Method(rpc), c.name(), organizer.path(),
                    std::move(summary), etag_before, "");
  entry.set_etag_after(etag_after);
  change.journal.audit = std::move(entry);
  change.journal.audit_organization_id = OrganizationId(organizer.name());
}

struct ReadClass {
  Stored<v1::TrainingClass> stored;
  StoredOrganization organizer;
};

absl::StatusOr<ReadClass> ReadClassWithOrganizer(MembershipContext& context,
                                                 const std::string& name,
                                                 absl::string_view field) {
  if (ClassId(name).empty()) {
    return InvalidField(field, absl::StrCat("\"", name,
                                            "\" is not a name of the form "
                                            "\"trainingClasses/{id}\""));
  }
  absl::StatusOr<Stored<v1::TrainingClass>> c =
      context.records().Get<v1::TrainingClass>(name);
  if (!c.ok()) return c.status();
  absl::StatusOr<StoredOrganization> org =
      ReadOrganization(context, c->message.organizer());
  if (!org.ok()) return org.status();
  return ReadClass{std::move(*c), std::move(*org)};
}

// Whether `caller` may read class `c`: its organizer's subtree, or an
// organisation inside that subtree (the class is open to it).
absl::StatusOr<bool> CallerMaySeeClass(MembershipContext& context,
                                       const Principal& caller,
                                       const v1::Organization& organizer) {
  if (CoversPath(caller, PathOf(organizer))) return true;
  if (caller.organization.empty()) return false;
  absl::StatusOr<StoredOrganization> own =
      ReadOrganization(context, caller.organization);
  if (absl::IsNotFound(own.status())) return false;
  if (!own.ok()) return own.status();
  return PathHolds(own->organization.path(), organizer.name());
}

// --- Evaluation periods ------------------------------------------------------

absl::CivilDay PeriodStart(const v1::EvaluationPeriod& p) {
  if (p.cadence() == v1::EVALUATION_CADENCE_QUARTERLY) {
    return absl::CivilDay(p.year(), 3 * (p.quarter() - 1) + 1, 1);
  }
  return absl::CivilDay(p.year(), p.month(), 1);
}

absl::CivilDay PeriodEnd(const v1::EvaluationPeriod& p) {
  const int months = p.cadence() == v1::EVALUATION_CADENCE_QUARTERLY ? 3 : 1;
  return absl::CivilDay(absl::CivilMonth(PeriodStart(p)) + months) - 1;
}

v1::EvaluationPeriod PeriodOf(absl::CivilDay day,
                              v1::EvaluationCadence cadence) {
  v1::EvaluationPeriod p;
  p.set_cadence(cadence);
  p.set_year(static_cast<int32_t>(day.year()));
  if (cadence == v1::EVALUATION_CADENCE_QUARTERLY) {
    p.set_quarter((day.month() - 1) / 3 + 1);
  } else {
    p.set_month(day.month());
  }
  return p;
}

v1::EvaluationPeriod NextPeriod(const v1::EvaluationPeriod& p) {
  return PeriodOf(PeriodEnd(p) + 1, p.cadence());
}

// The guard id of a period: "2026-m03", "2026-q1".
std::string PeriodKey(const v1::EvaluationPeriod& p) {
  if (p.cadence() == v1::EVALUATION_CADENCE_QUARTERLY) {
    return absl::StrCat(p.year(), "-q", p.quarter());
  }
  return absl::StrFormat("%d-m%02d", p.year(), p.month());
}

// In the words of the evaluation book: "tháng 3/2026", "quý 1/2026".
std::string PeriodWords(const v1::EvaluationPeriod& p) {
  if (p.cadence() == v1::EVALUATION_CADENCE_QUARTERLY) {
    return absl::StrCat("quý ", p.quarter(), "/", p.year());
  }
  return absl::StrCat("tháng ", p.month(), "/", p.year());
}

void CheckPeriod(FieldChecker& check, const v1::EvaluationPeriod& p) {
  if (p.cadence() == v1::EVALUATION_CADENCE_UNSPECIFIED ||
      !v1::EvaluationCadence_IsValid(p.cadence())) {
    check.Add("evaluation.period.cadence",
              "is required (MONTHLY or QUARTERLY)");
    return;
  }
  if (p.year() < 1900 || p.year() > 9999) {
    check.Add("evaluation.period.year", "must be a year in 1900..9999");
  }
  if (p.cadence() == v1::EVALUATION_CADENCE_MONTHLY) {
    if (p.month() < 1 || p.month() > 12) {
      check.Add("evaluation.period.month", "must be 1..12 for MONTHLY");
    }
    if (p.quarter() != 0) {
      check.Add("evaluation.period.quarter", "must be empty for MONTHLY");
    }
  } else {
    if (p.quarter() < 1 || p.quarter() > 4) {
      check.Add("evaluation.period.quarter", "must be 1..4 for QUARTERLY");
    }
    if (p.month() != 0) {
      check.Add("evaluation.period.month", "must be empty for QUARTERLY");
    }
  }
}

// The writable fields of an evaluation other than its period.
void CheckEvaluationFields(FieldChecker& check, const v1::Evaluation& e,
                           const Date& today) {
  if (e.rating() == v1::EVALUATION_RATING_UNSPECIFIED ||
      !v1::EvaluationRating_IsValid(e.rating())) {
    check.Add("evaluation.rating", "is required (GOOD, FAIR, AVERAGE, WEAK)");
  }
  if (absl::StripAsciiWhitespace(e.comment()).empty()) {
    check.Add("evaluation.comment", "is required");
  }
  if (e.evaluator_role() == v1::EVALUATOR_ROLE_UNSPECIFIED ||
      !v1::EvaluatorRole_IsValid(e.evaluator_role())) {
    check.Add("evaluation.evaluator_role", "is required (MENTOR or CELL)");
  }
  CheckPersonName(check, e.evaluator(), "evaluation.evaluator",
                  /*required=*/false);
  CheckDateField(check, e.evaluated_on(), "evaluation.evaluated_on", true);
  CheckNotFuture(check, e.evaluated_on(), "evaluation.evaluated_on", today);
}

// The current mentors of a candidate (assignments not ended).
std::vector<std::string> CurrentMentors(const v1::Person& person) {
  std::vector<std::string> out;
  for (const auto& m : person.admission().mentors()) {
    if (IsUnsetDate(m.ended_on())) out.push_back(m.mentor());
  }
  return out;
}

// The rules an evaluation of `person` must meet beyond its fields;
// `cadence` is the cadence in force for the person's cell. Fills the
// evaluator of a mentor's evaluation when it was left empty.
std::vector<RuleViolation> CheckEvaluationRules(const v1::Person& person,
                                                v1::EvaluationCadence cadence,
                                                v1::Evaluation& e,
                                                bool check_period) {
  std::vector<RuleViolation> unmet;
  if (!IsCandidate(person.stage())) {
    unmet.push_back(
        {"evaluation.candidate_only", person.name(),
         absl::StrCat("Chỉ đánh giá quần chúng đang trong quá trình phát "
                      "triển đảng (giai đoạn tạo nguồn đến có quyết định kết "
                      "nạp); người này đang ở giai đoạn ",
                      common::v1::Stage_Name(person.stage()), ".")});
  }
  if (check_period && e.period().cadence() != cadence) {
    unmet.push_back(
        {"evaluation.period_cadence", "evaluation.period",
         absl::StrCat("Tổ chức đảng của quần chúng đánh giá định kỳ ",
                      cadence == v1::EVALUATION_CADENCE_QUARTERLY
                          ? "hằng quý"
                          : "hằng tháng",
                      "; kỳ đánh giá phải theo định kỳ đó.")});
  }
  if (check_period && IsValidDate(e.evaluated_on()) &&
      CivilDayOf(e.evaluated_on()) < PeriodStart(e.period())) {
    unmet.push_back(
        {"evaluation.period_cadence", "evaluation.evaluated_on",
         absl::StrCat("Ngày đánh giá ", FormatDate(e.evaluated_on()),
                      " trước khi ", PeriodWords(e.period()), " bắt đầu.")});
  }
  if (e.evaluator_role() == v1::EVALUATOR_ROLE_MENTOR) {
    const std::vector<std::string> mentors = CurrentMentors(person);
    if (mentors.empty()) {
      unmet.push_back({"evaluation.mentor_is_assigned", person.name(),
                       "Quần chúng chưa được phân công đảng viên theo dõi, "
                       "giúp đỡ; đánh giá với tư cách chi bộ."});
    } else if (e.evaluator().empty()) {
      e.set_evaluator(mentors.back());
    } else if (!PathHolds(mentors, e.evaluator())) {
      unmet.push_back({"evaluation.mentor_is_assigned", e.evaluator(),
                       absl::StrCat(e.evaluator(),
                                    " không phải đảng viên đang được phân "
                                    "công theo dõi, giúp đỡ quần chúng.")});
    }
  }
  return unmet;
}

// The cadence in force for `organization` (a cell): the nearest
// organisation of its path that chose one, else the rule set's default.
absl::StatusOr<v1::EvaluationCadence> CadenceFor(
    MembershipContext& context, const std::vector<std::string>& path,
    const v1::RuleSet& rules,
    std::map<std::string, v1::EvaluationCadence>* cache) {
  if (cache != nullptr && !path.empty()) {
    auto it = cache->find(path.back());
    if (it != cache->end()) return it->second;
  }
  std::vector<std::string> ids;
  for (const auto& n : path) ids.push_back(OrganizationId(n));
  absl::StatusOr<std::vector<StoredOrganization>> orgs =
      context.organizations().GetMany(ids);
  if (!orgs.ok()) return orgs.status();
  v1::EvaluationCadence cadence = rules.evaluations().default_cadence();
  // GetMany keeps the order of the path, root first: the last choice wins.
  for (const auto& o : *orgs) {
    if (o.organization.candidate_evaluation_cadence() !=
        v1::EVALUATION_CADENCE_UNSPECIFIED) {
      cadence = o.organization.candidate_evaluation_cadence();
    }
  }
  if (cadence == v1::EVALUATION_CADENCE_UNSPECIFIED) {
    cadence = v1::EVALUATION_CADENCE_MONTHLY;
  }
  if (cache != nullptr && !path.empty()) (*cache)[path.back()] = cadence;
  return cadence;
}

absl::StatusOr<const v1::RuleSet*> RulesOn(MembershipContext& context,
                                           const Date& date) {
  return context.rules()(date);
}

// Every evaluation of a person, read in one round trip after the index.
absl::StatusOr<std::vector<Stored<v1::Evaluation>>> EvaluationsOf(
    MembershipContext& context, const std::string& person) {
  RecordStore& records = context.records();
  absl::StatusOr<std::vector<std::string>> ids =
      records.All(records.CollectionKey(person, "evaluations"));
  if (!ids.ok()) return ids.status();
  std::vector<std::string> names;
  for (const auto& id : *ids) {
    names.push_back(absl::StrCat(person, "/evaluations/", id));
  }
  return records.GetMany<v1::Evaluation>(names);
}

bool NewerPeriodFirst(const v1::Evaluation& a, const v1::Evaluation& b) {
  const auto ka = std::make_tuple(PeriodStart(a.period()), a.name());
  const auto kb = std::make_tuple(PeriodStart(b.period()), b.name());
  return ka > kb;
}

// The people at home in the organisations `ids`.
absl::StatusOr<std::vector<StoredPerson>> PeopleOf(
    MembershipContext& context, const std::vector<std::string>& ids) {
  std::vector<std::string> names;
  std::string cursor;
  do {
    absl::StatusOr<PersonIdPage> page =
        context.people().Page(ids, Roll::kHome, cursor, "", kMaxPageSize);
    if (!page.ok()) return page.status();
    for (const auto& id : page->ids) names.push_back("people/" + id);
    cursor = page->next_cursor;
  } while (!cursor.empty());
  return context.people().GetMany(names);
}

// The TrainingEnrollmentChanged event of `enrollment` of `person` moving to
// `state` ("enrolled", "passed", "failed", "withdrawn"), in `envelope`.
events::v1::Event EnrollmentChanged(const events::v1::Event& envelope,
                                    const v1::Person& person,
                                    const v1::Enrollment& enrollment,
                                    absl::string_view state) {
  events::v1::Event event = envelope;
  events::v1::TrainingEnrollmentChanged* e =
      event.mutable_training_enrollment_changed();
  e->set_person(person.name());
  e->set_organization(person.organization());
  e->set_training_class(
      enrollment.name().substr(0, enrollment.name().find("/enrollments/")));
  e->set_enrollment(enrollment.name());
  e->set_state(std::string(state));
  *e->mutable_categories() = person.categories();
  SetType(event);
  return event;
}

}  // namespace

// --- Evaluations -------------------------------------------------------------

absl::Status AdmissionServiceImpl::DoCreateEvaluation(
    const CallContext& call, const v1::CreateEvaluationRequest& request,
    v1::Evaluation& response) {
  const Date today = Today();
  FieldChecker check;
  CheckPersonName(check, request.parent(), "parent");
  CheckPeriod(check, request.evaluation().period());
  CheckEvaluationFields(check, request.evaluation(), today);
  if (!request.evaluation_id().empty() &&
      !IsValidResourceId(request.evaluation_id())) {
    check.Add("evaluation_id", "is not a resource id (a-z, 0-9, -)");
  }
  if (!check.ok()) return check.status();
  if (absl::Status s = RequireRecorder(call.principal, "record evaluations");
      !s.ok()) {
    return s;
  }
  // Everything below runs inside the idempotent change, so that a retry
  // is answered from the first response before any rule is re-checked.
  return IdempotentChange(
      context_->redis(), context_->prefix(), "CreateEvaluation",
      request.request_id(), request, response,
      [&](Change& change) -> absl::Status {
        absl::StatusOr<StoredPerson> person =
            ReadPersonForChange(*context_, call, request.parent(), "parent");
        if (!person.ok()) return person.status();

        v1::Evaluation e = request.evaluation();
        e.clear_etag();
        e.clear_create_stamp();
        e.clear_update_stamp();
        const std::string id = request.evaluation_id().empty()
                                   ? NewUuid()
                                   : request.evaluation_id();
        e.set_name(absl::StrCat(request.parent(), "/evaluations/", id));

        // One evaluation per person and period (the evaluation book has one
        // entry a month or quarter): ALREADY_EXISTS names the one recorded.
        const std::string guard = absl::StrCat(
            request.parent(), "/evaluationPeriods/", PeriodKey(e.period()));
        absl::StatusOr<VersionedRecord> taken = ReadGuard(*context_, guard);
        if (!taken.ok()) return taken.status();
        if (taken->exists()) {
          return absl::AlreadyExistsError(
              absl::StrCat(request.parent(), " already has an evaluation for ",
                           PeriodWords(e.period()), ": ", taken->data));
        }
        absl::StatusOr<Stored<v1::Evaluation>> existing =
            context_->records().Get<v1::Evaluation>(e.name());
        if (existing.ok()) {
          return absl::AlreadyExistsError(
              absl::StrCat(e.name(), " already exists"));
        }
        if (!absl::IsNotFound(existing.status())) return existing.status();

        absl::StatusOr<const v1::RuleSet*> rules =
            RulesOn(*context_, e.evaluated_on());
        if (!rules.ok()) return rules.status();
        absl::StatusOr<v1::EvaluationCadence> cadence =
            CadenceFor(*context_, PathOf(person->message), **rules, nullptr);
        if (!cadence.ok()) return cadence.status();
        std::vector<RuleViolation> unmet = CheckEvaluationRules(
            person->message, *cadence, e, /*check_period=*/true);
        if (!unmet.empty()) return RulesViolated(std::move(unmet));

        PersonChangeRecorder recorder(*context_, call, request.request_id(),
                                      "");
        *e.mutable_create_stamp() = recorder.stamp();
        *e.mutable_update_stamp() = recorder.stamp();
        e.set_etag(EtagOf(1));
        response = e;
        if (request.validate_only()) return absl::OkStatus();
        recorder.RecordResource(change, person->message, e.name(), 0, e,
                                "evaluations");
        StageGuard(change, *context_, guard, e.name());
        recorder.RecordJournal(
            change, person->message, Method("CreateEvaluation"), e.name(),
            absl::StrCat("Đánh giá quần chúng ", person->message.full_name(),
                         " ", PeriodWords(e.period()), ": ",
                         v1::EvaluationRating_Name(e.rating())),
            "", {});
        change.journal.audit->set_etag_after(e.etag());
        return absl::OkStatus();
      });
}

absl::Status AdmissionServiceImpl::DoGetEvaluation(
    const CallContext& call, const v1::GetEvaluationRequest& request,
    v1::Evaluation& response) {
  std::string person_name;
  if (!SplitEvaluationName(request.name(), person_name)) {
    return InvalidField("name", absl::StrCat("\"", request.name(),
                                             "\" is not a name of the form "
                                             "\"people/{p}/evaluations/{e}\""));
  }
  absl::StatusOr<StoredPerson> person =
      ReadPersonForRead(*context_, call, person_name, "name");
  if (!person.ok()) return person.status();
  absl::StatusOr<Stored<v1::Evaluation>> e =
      context_->records().Get<v1::Evaluation>(request.name());
  if (!e.ok()) return e.status();
  response = std::move(e->message);
  return absl::OkStatus();
}

absl::Status AdmissionServiceImpl::DoListEvaluations(
    const CallContext& call, const v1::ListEvaluationsRequest& request,
    v1::ListEvaluationsResponse& response) {
  absl::StatusOr<int> size = ResolvePageSize(request.page_size());
  if (!size.ok()) return size.status();
  absl::StatusOr<Filter> filter =
      Filter::Parse(request.filter(), *v1::Evaluation::descriptor(),
                    {"period.year", "period.month", "period.quarter",
                     "period.cadence", "rating", "evaluator_role"});
  if (!filter.ok()) return filter.status();
  absl::StatusOr<size_t> offset = PageOffset(request, request.page_token());
  if (!offset.ok()) return offset.status();

  std::vector<v1::Evaluation> found;
  if (request.parent() == "people/-") {
    // A subtree's evaluations, from the organisation indexes of its cells.
    const std::string org_name = request.organization().empty()
                                     ? call.principal.organization
                                     : request.organization();
    FieldChecker check;
    CheckOrganizationRef(check, org_name, "organization");
    if (!check.ok()) return check.status();
    absl::StatusOr<StoredOrganization> org =
        ReadOrganization(*context_, org_name);
    if (!org.ok()) return org.status();
    if (absl::Status s = RequireWithinSubtree(
            call.principal, PathOf(org->organization), org_name);
        !s.ok()) {
      return s;
    }
    absl::StatusOr<std::vector<std::string>> ids =
        context_->organizations().SubtreeIds(org->organization);
    if (!ids.ok()) return ids.status();
    std::vector<std::string> names;
    for (const auto& id : *ids) {
      absl::StatusOr<std::vector<std::string>> in = context_->records().All(
          context_->records().OrganizationIndexKey(id, "evaluations"));
      if (!in.ok()) return in.status();
      names.insert(names.end(), in->begin(), in->end());
    }
    absl::StatusOr<std::vector<Stored<v1::Evaluation>>> all =
        context_->records().GetMany<v1::Evaluation>(names);
    if (!all.ok()) return all.status();
    for (auto& s : *all) found.push_back(std::move(s.message));
  } else {
    absl::StatusOr<StoredPerson> person =
        ReadPersonForRead(*context_, call, request.parent(), "parent");
    if (!person.ok()) return person.status();
    absl::StatusOr<std::vector<Stored<v1::Evaluation>>> all =
        EvaluationsOf(*context_, request.parent());
    if (!all.ok()) return all.status();
    for (auto& s : *all) found.push_back(std::move(s.message));
  }
  found.erase(std::remove_if(
                  found.begin(), found.end(),
                  [&](const v1::Evaluation& e) { return !filter->Matches(e); }),
              found.end());
  std::sort(found.begin(), found.end(), NewerPeriodFirst);
  response.set_total_size(static_cast<int32_t>(found.size()));
  response.set_next_page_token(FillPage(request, found, *offset, *size,
                                        *response.mutable_evaluations()));
  return absl::OkStatus();
}

absl::Status AdmissionServiceImpl::DoUpdateEvaluation(
    const CallContext& call, const v1::UpdateEvaluationRequest& request,
    v1::Evaluation& response) {
  const Date today = Today();
  const v1::Evaluation& in = request.evaluation();
  std::string person_name;
  if (!SplitEvaluationName(in.name(), person_name)) {
    return InvalidField("evaluation.name",
                        absl::StrCat("\"", in.name(),
                                     "\" is not a name of the form "
                                     "\"people/{p}/evaluations/{e}\""));
  }
  static const std::set<std::string> kUpdatable = {
      "rating", "comment", "evaluator_role", "evaluator", "evaluated_on"};
  FieldChecker check;
  if (request.update_mask().paths_size() == 0) {
    check.Add("update_mask", "is required");
  }
  for (const auto& path : request.update_mask().paths()) {
    if (kUpdatable.count(path) == 0) {
      check.Add("update_mask", absl::StrCat("cannot update \"", path,
                                            "\"; updatable: rating, comment, "
                                            "evaluator_role, evaluator, "
                                            "evaluated_on"));
    }
  }
  if (!check.ok()) return check.status();
  if (absl::Status s = RequireRecorder(call.principal, "correct evaluations");
      !s.ok()) {
    return s;
  }
  return IdempotentChange(
      context_->redis(), context_->prefix(), "UpdateEvaluation",
      request.request_id(), request, response,
      [&](Change& change) -> absl::Status {
        absl::StatusOr<StoredPerson> person = ReadPersonForChange(
            *context_, call, person_name, "evaluation.name");
        if (!person.ok()) return person.status();
        absl::StatusOr<Stored<v1::Evaluation>> stored =
            context_->records().Get<v1::Evaluation>(in.name());
        if (!stored.ok()) return stored.status();
        if (absl::Status s = CheckEtag(in.etag(), stored->version, in.name());
            !s.ok()) {
          return s;
        }
        v1::Evaluation after = stored->message;
        for (const auto& path : request.update_mask().paths()) {
          if (path == "rating") after.set_rating(in.rating());
          if (path == "comment") after.set_comment(in.comment());
          if (path == "evaluator_role")
            after.set_evaluator_role(in.evaluator_role());
          if (path == "evaluator") after.set_evaluator(in.evaluator());
          if (path == "evaluated_on") {
            *after.mutable_evaluated_on() = in.evaluated_on();
          }
        }
        CheckEvaluationFields(check, after, today);
        if (!check.ok()) return check.status();
        // A correction keeps the period; its cadence was checked on creation
        // and the cell may have changed its cadence since.
        std::vector<RuleViolation> unmet =
            CheckEvaluationRules(person->message, after.period().cadence(),
                                 after, /*check_period=*/true);
        // Correcting the evaluation of a person who has since been admitted is
        // allowed: the record stays a candidate's evaluation.
        unmet.erase(std::remove_if(unmet.begin(), unmet.end(),
                                   [](const RuleViolation& v) {
                                     return v.rule ==
                                            "evaluation.candidate_only";
                                   }),
                    unmet.end());
        if (!unmet.empty()) return RulesViolated(std::move(unmet));

        PersonChangeRecorder recorder(*context_, call, request.request_id(),
                                      request.reason());
        *after.mutable_update_stamp() = recorder.stamp();
        after.set_etag(EtagOf(stored->version + 1));
        response = after;
        if (request.validate_only()) return absl::OkStatus();
        recorder.RecordResource(change, person->message, after.name(),
                                stored->version, after, "evaluations");
        recorder.RecordJournal(
            change, person->message, Method("UpdateEvaluation"), after.name(),
            absl::StrCat("Sửa đánh giá ", PeriodWords(after.period()), " của ",
                         person->message.full_name(), " (",
                         absl::StrJoin(request.update_mask().paths(), ", "),
                         ")"),
            EtagOf(stored->version), {});
        *change.journal.audit->mutable_changed_fields() = request.update_mask();
        change.journal.audit->set_etag_after(after.etag());
        return absl::OkStatus();
      });
}

absl::Status AdmissionServiceImpl::DoListOverdueEvaluations(
    const CallContext& call, const v1::ListOverdueEvaluationsRequest& request,
    v1::ListOverdueEvaluationsResponse& response) {
  FieldChecker check;
  CheckOrganizationRef(check, request.organization(), "organization");
  CheckDateField(check, request.as_of(), "as_of", false);
  if (!check.ok()) return check.status();
  absl::StatusOr<int> size = ResolvePageSize(request.page_size());
  if (!size.ok()) return size.status();
  absl::StatusOr<size_t> offset = PageOffset(request, request.page_token());
  if (!offset.ok()) return offset.status();
  const Date as_of = IsUnsetDate(request.as_of()) ? Today() : request.as_of();
  const absl::CivilDay day = CivilDayOf(as_of);

  absl::StatusOr<StoredOrganization> org =
      ReadOrganization(*context_, request.organization());
  if (!org.ok()) return org.status();
  if (absl::Status s = RequireWithinSubtree(
          call.principal, PathOf(org->organization), request.organization());
      !s.ok()) {
    return s;
  }
  absl::StatusOr<const v1::RuleSet*> rules = RulesOn(*context_, as_of);
  if (!rules.ok()) return rules.status();
  const int grace = (*rules)->evaluations().grace_days();

  absl::StatusOr<std::vector<std::string>> ids =
      context_->organizations().SubtreeIds(org->organization);
  if (!ids.ok()) return ids.status();
  absl::StatusOr<std::vector<StoredPerson>> people = PeopleOf(*context_, *ids);
  if (!people.ok()) return people.status();

  std::map<std::string, v1::EvaluationCadence> cadences;
  std::vector<v1::OverdueEvaluation> overdue;
  for (const auto& stored : *people) {
    const v1::Person& p = stored.message;
    if (!IsCandidate(p.stage())) continue;
    const Date& sourced = p.source().sourced_on().year() != 0
                              ? p.source().sourced_on()
                              : p.admission().source().sourced_on();
    if (!IsValidDate(sourced) || CivilDayOf(sourced) > day) continue;
    absl::StatusOr<v1::EvaluationCadence> cadence =
        CadenceFor(*context_, PathOf(p), **rules, &cadences);
    if (!cadence.ok()) return cadence.status();

    // Due periods: from the one the candidate was sourced in, each whose
    // end plus the grace days lies before `as_of`.
    std::vector<v1::EvaluationPeriod> due;
    for (v1::EvaluationPeriod period = PeriodOf(CivilDayOf(sourced), *cadence);
         PeriodEnd(period) + grace < day; period = NextPeriod(period)) {
      due.push_back(period);
    }
    if (due.empty()) continue;

    absl::StatusOr<std::vector<Stored<v1::Evaluation>>> evaluations =
        EvaluationsOf(*context_, p.name());
    if (!evaluations.ok()) return evaluations.status();
    const v1::EvaluationPeriod* last = nullptr;
    for (const auto& e : *evaluations) {
      if (last == nullptr || PeriodEnd(e.message.period()) > PeriodEnd(*last)) {
        last = &e.message.period();
      }
    }
    // Overdue when the latest evaluation ends before the latest due period
    // starts: the cell has let a whole period pass without one.
    if (last != nullptr && PeriodEnd(*last) >= PeriodStart(due.back())) {
      continue;
    }
    auto covered = [&](const v1::EvaluationPeriod& period) {
      for (const auto& e : *evaluations) {
        if (PeriodStart(e.message.period()) <= PeriodEnd(period) &&
            PeriodEnd(e.message.period()) >= PeriodStart(period)) {
          return true;
        }
      }
      return false;
    };
    v1::OverdueEvaluation o;
    o.set_person(p.name());
    o.set_full_name(p.full_name());
    o.set_organization(p.organization());
    const std::vector<std::string> mentors = CurrentMentors(p);
    if (!mentors.empty()) o.set_mentor(mentors.back());
    o.set_cadence(*cadence);
    int missing = 0;
    for (const auto& period : due) {
      if (covered(period)) continue;
      if (missing == 0) *o.mutable_missing_period() = period;
      ++missing;
    }
    o.set_missing_periods(missing);
    if (last != nullptr) *o.mutable_last_period() = *last;
    v1::Deadline* deadline = o.mutable_deadline();
    deadline->set_kind(common::v1::DEADLINE_KIND_EVALUATION_DUE);
    deadline->set_subject(p.name());
    *deadline->mutable_counted_from() =
        FromCivilDay(PeriodEnd(o.missing_period()));
    deadline->set_length(grace);
    deadline->set_unit(v1::DURATION_UNIT_CALENDAR_DAYS);
    *deadline->mutable_due_on() =
        FromCivilDay(PeriodEnd(o.missing_period()) + grace);
    deadline->set_overdue(true);
    deadline->set_rule_id("evaluation.grace_days");
    deadline->set_responsible_organization(p.organization());
    overdue.push_back(std::move(o));
  }
  std::sort(overdue.begin(), overdue.end(),
            [](const v1::OverdueEvaluation& a, const v1::OverdueEvaluation& b) {
              return std::make_tuple(PeriodStart(a.missing_period()),
                                     a.full_name(), a.person()) <
                     std::make_tuple(PeriodStart(b.missing_period()),
                                     b.full_name(), b.person());
            });
  response.set_total_size(static_cast<int32_t>(overdue.size()));
  response.set_next_page_token(
      FillPage(request, overdue, *offset, *size,
               *response.mutable_overdue_evaluations()));
  return absl::OkStatus();
}

// --- Training classes --------------------------------------------------------

absl::Status AdmissionServiceImpl::DoCreateTrainingClass(
    const CallContext& call, const v1::CreateTrainingClassRequest& request,
    v1::TrainingClass& response) {
  const Date today = Today();
  FieldChecker check;
  CheckClassFields(check, request.training_class());
  if (!request.training_class_id().empty() &&
      !IsValidResourceId(request.training_class_id())) {
    check.Add("training_class_id", "is not a resource id (a-z, 0-9, -)");
  }
  if (!check.ok()) return check.status();
  if (absl::Status s = RequireRecorder(call.principal, "open training classes");
      !s.ok()) {
    return s;
  }
  return IdempotentChange(
      context_->redis(), context_->prefix(), "CreateTrainingClass",
      request.request_id(), request, response,
      [&](Change& change) -> absl::Status {
        v1::TrainingClass c = request.training_class();
        absl::StatusOr<StoredOrganization> organizer =
            ReadOrganization(*context_, c.organizer());
        if (!organizer.ok()) return organizer.status();
        if (absl::Status s = RequireWithinSubtree(
                call.principal, PathOf(organizer->organization), c.organizer());
            !s.ok()) {
          return s;
        }
        if (absl::Status s = CheckParticipating(*context_, c); !s.ok())
          return s;
        ClearClassOutputs(c);
        c.set_name(
            absl::StrCat(kClassesPrefix, request.training_class_id().empty()
                                             ? NewUuid()
                                             : request.training_class_id()));
        absl::StatusOr<Stored<v1::TrainingClass>> existing =
            context_->records().Get<v1::TrainingClass>(c.name());
        if (existing.ok()) {
          return absl::AlreadyExistsError(
              absl::StrCat(c.name(), " already exists"));
        }
        if (!absl::IsNotFound(existing.status())) return existing.status();

        const common::v1::ChangeStamp stamp =
            Stamp(call, request.request_id(), "");
        *c.mutable_create_stamp() = stamp;
        *c.mutable_update_stamp() = stamp;
        c.set_etag(EtagOf(1));
        response = c;
        DeriveState(response, today);
        if (request.validate_only()) return absl::OkStatus();
        context_->records().StagePut(change.write, c.name(), 0, c);
        change.write.ZAdd(ClassIndexKey(*context_), 0, c.name());
        AuditClass(change, stamp, "CreateTrainingClass", c,
                   organizer->organization,
                   absl::StrCat("Mở lớp \"", c.title(), "\" từ ",
                                FormatDate(c.starts_on()), " đến ",
                                FormatDate(c.ends_on()), ", ", c.capacity(),
                                " học viên"),
                   "", c.etag());
        return absl::OkStatus();
      });
}

absl::Status AdmissionServiceImpl::DoGetTrainingClass(
    const CallContext& call, const v1::GetTrainingClassRequest& request,
    v1::TrainingClass& response) {
  absl::StatusOr<ReadClass> c =
      ReadClassWithOrganizer(*context_, request.name(), "name");
  if (!c.ok()) return c.status();
  absl::StatusOr<bool> may =
      CallerMaySeeClass(*context_, call.principal, c->organizer.organization);
  if (!may.ok()) return may.status();
  if (!*may) {
    return RequireWithinSubtree(
        call.principal, PathOf(c->organizer.organization), request.name());
  }
  response = std::move(c->stored.message);
  DeriveState(response, Today());
  return absl::OkStatus();
}

absl::Status AdmissionServiceImpl::DoListTrainingClasses(
    const CallContext& call, const v1::ListTrainingClassesRequest& request,
    v1::ListTrainingClassesResponse& response) {
  absl::StatusOr<int> size = ResolvePageSize(request.page_size());
  if (!size.ok()) return size.status();
  absl::StatusOr<Filter> filter =
      Filter::Parse(request.filter(), *v1::TrainingClass::descriptor(),
                    {"kind", "state", "starts_on", "organizer"});
  if (!filter.ok()) return filter.status();
  absl::StatusOr<size_t> offset = PageOffset(request, request.page_token());
  if (!offset.ok()) return offset.status();
  const Date today = Today();

  const std::string org_name = request.organization().empty()
                                   ? call.principal.organization
                                   : request.organization();
  std::vector<std::string> org_path;  // empty: every class (admin)
  if (!org_name.empty()) {
    FieldChecker check;
    CheckOrganizationRef(check, org_name, "organization");
    if (!check.ok()) return check.status();
    absl::StatusOr<StoredOrganization> org =
        ReadOrganization(*context_, org_name);
    if (!org.ok()) return org.status();
    org_path = PathOf(org->organization);
    if (absl::Status s =
            RequireWithinSubtree(call.principal, org_path, org_name);
        !s.ok()) {
      return s;
    }
  }
  // Classes are few (a committee opens a handful a year), so the list is
  // read whole and filtered here.
  absl::StatusOr<std::vector<std::string>> names =
      context_->records().All(ClassIndexKey(*context_));
  if (!names.ok()) return names.status();
  absl::StatusOr<std::vector<Stored<v1::TrainingClass>>> all =
      context_->records().GetMany<v1::TrainingClass>(*names);
  if (!all.ok()) return all.status();
  std::map<std::string, std::vector<std::string>> organizer_paths;
  std::vector<v1::TrainingClass> found;
  for (auto& s : *all) {
    v1::TrainingClass& c = s.message;
    DeriveState(c, today);
    if (!org_path.empty()) {
      auto it = organizer_paths.find(c.organizer());
      if (it == organizer_paths.end()) {
        absl::StatusOr<StoredOrganization> o =
            ReadOrganization(*context_, c.organizer());
        std::vector<std::string> path;
        if (o.ok()) path = PathOf(o->organization);
        it = organizer_paths.emplace(c.organizer(), std::move(path)).first;
      }
      // Organised in the organisation's subtree, or open to it.
      const bool organised_below = PathHolds(it->second, org_name);
      const bool open_to_it = PathHolds(org_path, c.organizer());
      if (!organised_below && !open_to_it) continue;
    }
    if (!filter->Matches(c)) continue;
    found.push_back(std::move(c));
  }
  std::sort(found.begin(), found.end(),
            [](const v1::TrainingClass& a, const v1::TrainingClass& b) {
              return std::make_tuple(CivilDayOf(a.starts_on()), a.name()) >
                     std::make_tuple(CivilDayOf(b.starts_on()), b.name());
            });
  response.set_total_size(static_cast<int32_t>(found.size()));
  response.set_next_page_token(FillPage(request, found, *offset, *size,
                                        *response.mutable_training_classes()));
  return absl::OkStatus();
}

absl::Status AdmissionServiceImpl::DoUpdateTrainingClass(
    const CallContext& call, const v1::UpdateTrainingClassRequest& request,
    v1::TrainingClass& response) {
  const v1::TrainingClass& in = request.training_class();
  static const std::set<std::string> kUpdatable = {
      "title",
      "venue",
      "starts_on",
      "ends_on",
      "capacity",
      "nomination_deadline",
      "participating_organizations",
      "decision"};
  FieldChecker check;
  if (request.update_mask().paths_size() == 0) {
    check.Add("update_mask", "is required");
  }
  for (const auto& path : request.update_mask().paths()) {
    if (kUpdatable.count(path) == 0) {
      check.Add("update_mask",
                absl::StrCat("cannot update \"", path, "\"; updatable: ",
                             absl::StrJoin(kUpdatable, ", ")));
    }
  }
  if (!check.ok()) return check.status();
  if (absl::Status s =
          RequireRecorder(call.principal, "update training classes");
      !s.ok()) {
    return s;
  }
  return IdempotentChange(
      context_->redis(), context_->prefix(), "UpdateTrainingClass",
      request.request_id(), request, response,
      [&](Change& change) -> absl::Status {
        absl::StatusOr<ReadClass> c =
            ReadClassWithOrganizer(*context_, in.name(), "training_class.name");
        if (!c.ok()) return c.status();
        if (absl::Status s = RequireWithinSubtree(
                call.principal, PathOf(c->organizer.organization), in.name());
            !s.ok()) {
          return s;
        }
        if (absl::Status s = CheckEtag(in.etag(), c->stored.version, in.name());
            !s.ok()) {
          return s;
        }
        v1::TrainingClass after = c->stored.message;
        for (const auto& path : request.update_mask().paths()) {
          if (path == "title") after.set_title(in.title());
          if (path == "venue") after.set_venue(in.venue());
          if (path == "starts_on") *after.mutable_starts_on() = in.starts_on();
          if (path == "ends_on") *after.mutable_ends_on() = in.ends_on();
          if (path == "capacity") after.set_capacity(in.capacity());
          if (path == "nomination_deadline") {
            *after.mutable_nomination_deadline() = in.nomination_deadline();
          }
          if (path == "participating_organizations") {
            *after.mutable_participating_organizations() =
                in.participating_organizations();
          }
          if (path == "decision") *after.mutable_decision() = in.decision();
        }
        CheckClassFields(check, after);
        if (!check.ok()) return check.status();
        if (absl::Status s = CheckParticipating(*context_, after); !s.ok())
          return s;
        std::vector<RuleViolation> unmet;
        if (after.state() == v1::TRAINING_CLASS_STATE_CANCELLED) {
          unmet.push_back({"training.class_cancelled", after.name(),
                           "Lớp đã bị hủy; không sửa được."});
        }
        if (after.capacity() < after.enrolled_count()) {
          unmet.push_back(
              {"training.capacity", "training_class.capacity",
               absl::StrCat(
                   "Lớp đã có ", after.enrolled_count(),
                   " học viên được cử; số chỉ tiêu không thể nhỏ hơn.")});
        }
        if (!unmet.empty()) return RulesViolated(std::move(unmet));

        const common::v1::ChangeStamp stamp =
            Stamp(call, request.request_id(), "");
        *after.mutable_update_stamp() = stamp;
        after.set_etag(EtagOf(c->stored.version + 1));
        response = after;
        DeriveState(response, Today());
        if (request.validate_only()) return absl::OkStatus();
        context_->records().StagePut(change.write, after.name(),
                                     c->stored.version, after);
        AuditClass(change, stamp, "UpdateTrainingClass", after,
                   c->organizer.organization,
                   absl::StrCat(
                       "Sửa lớp \"", after.title(), "\" (",
                       absl::StrJoin(request.update_mask().paths(), ", "), ")"),
                   EtagOf(c->stored.version), after.etag());
        *change.journal.audit->mutable_changed_fields() = request.update_mask();
        return absl::OkStatus();
      });
}

absl::Status AdmissionServiceImpl::DoCancelTrainingClass(
    const CallContext& call, const v1::CancelTrainingClassRequest& request,
    v1::TrainingClass& response) {
  if (absl::StripAsciiWhitespace(request.reason()).empty()) {
    return InvalidField("reason", "is required");
  }
  if (absl::Status s =
          RequireRecorder(call.principal, "cancel training classes");
      !s.ok()) {
    return s;
  }
  return IdempotentChange(
      context_->redis(), context_->prefix(), "CancelTrainingClass",
      request.request_id(), request, response,
      [&](Change& change) -> absl::Status {
        absl::StatusOr<ReadClass> c =
            ReadClassWithOrganizer(*context_, request.name(), "name");
        if (!c.ok()) return c.status();
        if (absl::Status s = RequireWithinSubtree(
                call.principal, PathOf(c->organizer.organization),
                request.name());
            !s.ok()) {
          return s;
        }
        if (absl::Status s =
                CheckEtag(request.etag(), c->stored.version, request.name());
            !s.ok()) {
          return s;
        }
        RecordStore& records = context_->records();
        absl::StatusOr<std::vector<std::string>> ids =
            records.All(records.CollectionKey(request.name(), "enrollments"));
        if (!ids.ok()) return ids.status();
        std::vector<std::string> names;
        for (const auto& id : *ids) {
          names.push_back(absl::StrCat(request.name(), "/enrollments/", id));
        }
        absl::StatusOr<std::vector<Stored<v1::Enrollment>>> enrollments =
            records.GetMany<v1::Enrollment>(names);
        if (!enrollments.ok()) return enrollments.status();

        std::vector<RuleViolation> unmet;
        if (c->stored.message.state() == v1::TRAINING_CLASS_STATE_CANCELLED) {
          unmet.push_back({"training.class_cancelled", request.name(),
                           "Lớp đã bị hủy trước đó."});
        }
        int certified = 0;
        for (const auto& e : *enrollments) {
          if (e.message.state() == v1::ENROLLMENT_STATE_CERTIFIED) ++certified;
        }
        if (certified > 0) {
          unmet.push_back(
              {"training.cancel_after_certificates", request.name(),
               absl::StrCat("Lớp đã cấp ", certified,
                            " giấy chứng nhận; không thể hủy lớp đã cấp giấy "
                            "chứng nhận.")});
        }
        if (!unmet.empty()) return RulesViolated(std::move(unmet));

        const common::v1::ChangeStamp stamp =
            Stamp(call, request.request_id(), request.reason());
        v1::TrainingClass after = c->stored.message;
        after.set_state(v1::TRAINING_CLASS_STATE_CANCELLED);
        after.set_cancel_reason(request.reason());
        *after.mutable_update_stamp() = stamp;
        std::vector<std::string> withdrawn;
        std::map<std::string, v1::Enrollment> withdrawn_of;  // by person
        for (const auto& e : *enrollments) {
          const std::string key = records.RecordKey(e.message.name());
          if (e.message.state() != v1::ENROLLMENT_STATE_NOMINATED) {
            // Guard against a certificate issued meanwhile.
            change.write.Expect(key, e.version);
            continue;
          }
          v1::Enrollment w = e.message;
          w.set_state(v1::ENROLLMENT_STATE_WITHDRAWN);
          w.set_withdraw_reason(absl::StrCat("Lớp bị hủy: ", request.reason()));
          *w.mutable_update_stamp() = stamp;
          records.StagePut(change.write, w.name(), e.version, w);
          StageReleaseGuard(change, *context_,
                            absl::StrCat(request.name(), "/people/",
                                         LastSegment(w.person())));
          withdrawn.push_back(w.name());
          withdrawn_of[w.person()] = w;
        }
        after.set_enrolled_count(std::max(
            0, after.enrolled_count() - static_cast<int>(withdrawn.size())));
        after.set_etag(EtagOf(c->stored.version + 1));
        response = after;
        if (request.validate_only()) {
          change = Change();
          return absl::OkStatus();
        }
        records.StagePut(change.write, after.name(), c->stored.version, after);
        if (!withdrawn_of.empty()) {
          // Each withdrawn nominee's TrainingEnrollmentChanged (quota's pool
          // stops counting them in training).
          std::vector<std::string> people;
          for (const auto& [person, e] : withdrawn_of) people.push_back(person);
          absl::StatusOr<std::vector<StoredPerson>> nominees =
              context_->people().GetMany(people);
          if (!nominees.ok()) return nominees.status();
          for (const StoredPerson& p : *nominees) {
            change.journal.events.push_back(EnrollmentChanged(
                NewEvent(call, request.request_id(), Today(),
                         p.message.organization_path()),
                p.message, withdrawn_of[p.message.name()], "withdrawn"));
          }
        }
        AuditClass(
            change, stamp, "CancelTrainingClass", after,
            c->organizer.organization,
            absl::StrCat("Hủy lớp \"", after.title(), "\": ", request.reason(),
                         "; rút ", withdrawn.size(), " học viên"),
            EtagOf(c->stored.version), after.etag());
        for (const auto& w : withdrawn) change.journal.audit->add_related(w);
        return absl::OkStatus();
      });
}

// --- Enrollments -------------------------------------------------------------

namespace {

struct ReadEnrollment {
  Stored<v1::Enrollment> stored;
  ReadClass training_class;
  StoredPerson person;
};

absl::StatusOr<ReadEnrollment> ReadEnrollmentByName(MembershipContext& context,
                                                    const std::string& name) {
  std::string class_name, id;
  if (!SplitEnrollmentName(name, class_name, id)) {
    return InvalidField(
        "name", absl::StrCat("\"", name,
                             "\" is not a name of the form "
                             "\"trainingClasses/{c}/enrollments/{e}\""));
  }
  absl::StatusOr<Stored<v1::Enrollment>> e =
      context.records().Get<v1::Enrollment>(name);
  if (!e.ok()) return e.status();
  absl::StatusOr<ReadClass> c =
      ReadClassWithOrganizer(context, class_name, "name");
  if (!c.ok()) return c.status();
  absl::StatusOr<StoredPerson> person =
      context.people().Get(e->message.person());
  if (!person.ok()) return person.status();
  return ReadEnrollment{std::move(*e), std::move(*c), std::move(*person)};
}

// The organiser's committee records results; the nominating side (who
// holds the person) may also withdraw.
absl::Status RequireClassOrganizer(const Principal& caller,
                                   const ReadEnrollment& r,
                                   const std::string& name) {
  return RequireWithinSubtree(
      caller, PathOf(r.training_class.organizer.organization), name);
}

// Records a change of one enrollment (read at `version`) in the person's
// audit streams (the organiser, above the person, sees it in its subtree
// stream), with a TrainingEnrollmentChanged event dated `act_date` when
// `event_state` is not empty.
void RecordEnrollment(MembershipContext& context, const CallContext& call,
                      Change& change, const std::string& request_id,
                      const std::string& reason, const v1::Person& person,
                      v1::Enrollment& after, int64_t version,
                      absl::string_view rpc, std::string summary,
                      absl::string_view event_state = "",
                      const common::v1::Date& act_date = {}) {
  PersonChangeRecorder recorder(context, call, request_id, reason);
  *after.mutable_update_stamp() = recorder.stamp();
  if (version == 0) *after.mutable_create_stamp() = recorder.stamp();
  after.set_etag(EtagOf(version + 1));
  context.records().StagePut(change.write, after.name(), version, after);
  std::vector<events::v1::Event> events;
  if (!event_state.empty()) {
    events.push_back(EnrollmentChanged(
        recorder.NewPersonEvent(person, act_date), person, after, event_state));
  }
  recorder.RecordJournal(
      change, person, Method(rpc), after.name(), std::move(summary),
      version == 0 ? "" : EtagOf(version), std::move(events));
  change.journal.audit->set_etag_after(after.etag());
}

}  // namespace

absl::Status AdmissionServiceImpl::DoCreateEnrollment(
    const CallContext& call, const v1::CreateEnrollmentRequest& request,
    v1::Enrollment& response) {
  const Date today = Today();
  FieldChecker check;
  if (ClassId(request.parent()).empty()) {
    check.Add("parent", "is required (\"trainingClasses/{id}\")");
  }
  CheckPersonName(check, request.enrollment().person(), "enrollment.person");
  CheckOrganizationRef(check, request.enrollment().nominating_organization(),
                       "enrollment.nominating_organization");
  if (!request.enrollment_id().empty() &&
      !IsValidResourceId(request.enrollment_id())) {
    check.Add("enrollment_id", "is not a resource id (a-z, 0-9, -)");
  }
  if (!check.ok()) return check.status();
  if (absl::Status s = RequireRecorder(call.principal, "nominate to classes");
      !s.ok()) {
    return s;
  }
  return IdempotentChange(
      context_->redis(), context_->prefix(), "CreateEnrollment",
      request.request_id(), request, response,
      [&](Change& change) -> absl::Status {
        absl::StatusOr<ReadClass> c =
            ReadClassWithOrganizer(*context_, request.parent(), "parent");
        if (!c.ok()) return c.status();
        const v1::TrainingClass& tc = c->stored.message;
        absl::StatusOr<StoredPerson> person =
            ReadPersonForChange(*context_, call, request.enrollment().person(),
                                "enrollment.person");
        if (!person.ok()) return person.status();
        const v1::Person& p = person->message;
        const std::string& nominator =
            request.enrollment().nominating_organization();
        absl::StatusOr<StoredOrganization> nominating =
            ReadOrganization(*context_, nominator);
        if (!nominating.ok()) return nominating.status();
        if (absl::Status s = RequireWithinSubtree(
                call.principal, PathOf(nominating->organization), nominator);
            !s.ok()) {
          return s;
        }

        const std::string guard =
            absl::StrCat(request.parent(), "/people/", LastSegment(p.name()));
        absl::StatusOr<VersionedRecord> taken = ReadGuard(*context_, guard);
        if (!taken.ok()) return taken.status();
        if (taken->exists()) {
          return absl::AlreadyExistsError(
              absl::StrCat(p.name(), " is already enrolled in ",
                           request.parent(), ": ", taken->data));
        }
        v1::Enrollment e;
        e.set_name(absl::StrCat(request.parent(), "/enrollments/",
                                request.enrollment_id().empty()
                                    ? NewUuid()
                                    : request.enrollment_id()));
        absl::StatusOr<Stored<v1::Enrollment>> existing =
            context_->records().Get<v1::Enrollment>(e.name());
        if (existing.ok()) {
          return absl::AlreadyExistsError(
              absl::StrCat(e.name(), " already exists"));
        }
        if (!absl::IsNotFound(existing.status())) return existing.status();

        std::vector<RuleViolation> unmet;
        if (tc.state() == v1::TRAINING_CLASS_STATE_CANCELLED) {
          unmet.push_back({"training.class_cancelled", tc.name(),
                           "Lớp đã bị hủy; không cử học viên được."});
        }
        if (!PathHolds(p.organization_path(), nominator)) {
          unmet.push_back(
              {"training.participating", "enrollment.nominating_organization",
               absl::StrCat(p.full_name(), " không thuộc tổ chức cử đi học (",
                            nominating->organization.display_name(), ").")});
        }
        bool participating = PathHolds(p.organization_path(), tc.organizer());
        if (participating && tc.participating_organizations_size() > 0) {
          participating = false;
          for (const auto& o : tc.participating_organizations()) {
            if (PathHolds(p.organization_path(), o)) participating = true;
          }
        }
        if (!participating) {
          unmet.push_back(
              {"training.participating", p.name(),
               absl::StrCat(
                   p.full_name(),
                   " không thuộc các tổ chức được cử học viên dự lớp do ",
                   c->organizer.organization.display_name(), " mở.")});
        }
        if (tc.kind() == v1::TRAINING_CLASS_KIND_ADMISSION_CANDIDATES &&
            !IsCandidate(p.stage())) {
          unmet.push_back(
              {"training.person_stage", p.name(),
               absl::StrCat(
                   "Lớp bồi dưỡng nhận thức về Đảng dành cho quần chúng "
                   "đang được phát triển; ",
                   p.full_name(), " đang ở giai đoạn ",
                   common::v1::Stage_Name(p.stage()), ".")});
        }
        if (tc.kind() == v1::TRAINING_CLASS_KIND_NEW_MEMBERS &&
            p.stage() != common::v1::STAGE_PROBATION) {
          unmet.push_back(
              {"training.person_stage", p.name(),
               absl::StrCat(
                   "Lớp bồi dưỡng đảng viên mới dành cho đảng viên dự bị; ",
                   p.full_name(), " đang ở giai đoạn ",
                   common::v1::Stage_Name(p.stage()), ".")});
        }
        if (tc.enrolled_count() >= tc.capacity()) {
          unmet.push_back({"training.capacity", tc.name(),
                           absl::StrCat("Lớp đã đủ ", tc.capacity(),
                                        " học viên theo chỉ tiêu.")});
        }
        // The deadline binds nominations to a class not yet started. A class
        // that has started is being recorded after the fact (its attendance
        // entered from the paper register), where the deadline has no meaning.
        const absl::CivilDay now = CivilDayOf(today);
        if (now < CivilDayOf(tc.starts_on()) && now > NominationDeadline(tc)) {
          unmet.push_back({"training.nomination_deadline", tc.name(),
                           absl::StrCat("Hạn cử học viên là ",
                                        FormatDay(NominationDeadline(tc)),
                                        "; đã quá hạn.")});
        }
        if (!unmet.empty()) return RulesViolated(std::move(unmet));

        e.set_person(p.name());
        e.set_nominating_organization(nominator);
        *e.mutable_nominated_on() = today;
        e.set_state(v1::ENROLLMENT_STATE_NOMINATED);
        RecordEnrollment(
            *context_, call, change, request.request_id(), "", p, e, 0,
            "CreateEnrollment",
            absl::StrCat("Cử ", p.full_name(), " dự lớp \"", tc.title(), "\""),
            "enrolled", today);
        change.journal.audit->add_related(tc.name());
        response = e;
        if (request.validate_only()) {
          change = Change();
          return absl::OkStatus();
        }
        // The class is written back with its count: two nominations racing
        // for the last place cannot both commit.
        v1::TrainingClass after = tc;
        after.set_enrolled_count(tc.enrolled_count() + 1);
        after.clear_state();
        if (tc.state() == v1::TRAINING_CLASS_STATE_CANCELLED) {
          after.set_state(tc.state());
        }
        context_->records().StagePut(change.write, tc.name(), c->stored.version,
                                     after);
        StageGuard(change, *context_, guard, e.name());
        RecordStore& records = context_->records();
        change.write.ZAdd(records.CollectionKey(tc.name(), "enrollments"), 0,
                          LastSegment(e.name()));
        change.write.ZAdd(records.CollectionKey(p.name(), "enrollments"), 0,
                          e.name());
        return absl::OkStatus();
      });
}

absl::Status AdmissionServiceImpl::DoGetEnrollment(
    const CallContext& call, const v1::GetEnrollmentRequest& request,
    v1::Enrollment& response) {
  absl::StatusOr<ReadEnrollment> r =
      ReadEnrollmentByName(*context_, request.name());
  if (!r.ok()) return r.status();
  if (!CoversPath(call.principal,
                  PathOf(r->training_class.organizer.organization)) &&
      !CallerCoversPerson(*context_, call.principal, r->person.message,
                          /*for_reading=*/true)) {
    return RequireWithinSubtree(call.principal, PathOf(r->person.message),
                                request.name());
  }
  response = std::move(r->stored.message);
  return absl::OkStatus();
}

absl::Status AdmissionServiceImpl::DoListEnrollments(
    const CallContext& call, const v1::ListEnrollmentsRequest& request,
    v1::ListEnrollmentsResponse& response) {
  absl::StatusOr<int> size = ResolvePageSize(request.page_size());
  if (!size.ok()) return size.status();
  absl::StatusOr<Filter> filter =
      Filter::Parse(request.filter(), *v1::Enrollment::descriptor(),
                    {"person", "nominating_organization", "state"});
  if (!filter.ok()) return filter.status();
  absl::StatusOr<size_t> offset = PageOffset(request, request.page_token());
  if (!offset.ok()) return offset.status();
  RecordStore& records = context_->records();

  std::vector<std::string> names;
  bool covers_all = false;
  if (request.parent() == "trainingClasses/-") {
    // A person's enrollments across classes (AIP-159): the filter names
    // the person.
    const std::string person = filter->EqualityValue("person");
    if (person.empty()) {
      return InvalidField("filter",
                          "with \"trainingClasses/-\" must name the person "
                          "(person = \"people/{id}\")");
    }
    absl::StatusOr<StoredPerson> p =
        ReadPersonForRead(*context_, call, person, "filter");
    if (!p.ok()) return p.status();
    absl::StatusOr<std::vector<std::string>> in =
        records.All(records.CollectionKey(person, "enrollments"));
    if (!in.ok()) return in.status();
    names = std::move(*in);
    covers_all = true;
  } else {
    absl::StatusOr<ReadClass> c =
        ReadClassWithOrganizer(*context_, request.parent(), "parent");
    if (!c.ok()) return c.status();
    absl::StatusOr<bool> may =
        CallerMaySeeClass(*context_, call.principal, c->organizer.organization);
    if (!may.ok()) return may.status();
    if (!*may) {
      return RequireWithinSubtree(
          call.principal, PathOf(c->organizer.organization), request.parent());
    }
    // The organiser sees every nominee; a nominating organisation sees its
    // own people only.
    covers_all = CoversPath(call.principal, PathOf(c->organizer.organization));
    absl::StatusOr<std::vector<std::string>> ids =
        records.All(records.CollectionKey(request.parent(), "enrollments"));
    if (!ids.ok()) return ids.status();
    for (const auto& id : *ids) {
      names.push_back(absl::StrCat(request.parent(), "/enrollments/", id));
    }
  }
  absl::StatusOr<std::vector<Stored<v1::Enrollment>>> all =
      records.GetMany<v1::Enrollment>(names);
  if (!all.ok()) return all.status();
  std::set<std::string> visible;
  if (!covers_all) {
    std::vector<std::string> people;
    for (const auto& e : *all) people.push_back(e.message.person());
    absl::StatusOr<std::vector<StoredPerson>> ps =
        context_->people().GetMany(people);
    if (!ps.ok()) return ps.status();
    for (const auto& p : *ps) {
      if (CallerCoversPerson(*context_, call.principal, p.message, true)) {
        visible.insert(p.message.name());
      }
    }
  }
  std::vector<v1::Enrollment> found;
  for (auto& e : *all) {
    if (!covers_all && visible.count(e.message.person()) == 0) continue;
    if (!filter->Matches(e.message)) continue;
    found.push_back(std::move(e.message));
  }
  std::sort(found.begin(), found.end(),
            [](const v1::Enrollment& a, const v1::Enrollment& b) {
              return a.name() < b.name();
            });
  response.set_total_size(static_cast<int32_t>(found.size()));
  response.set_next_page_token(FillPage(request, found, *offset, *size,
                                        *response.mutable_enrollments()));
  return absl::OkStatus();
}

absl::Status AdmissionServiceImpl::DoAssessEnrollment(
    const CallContext& call, const v1::AssessEnrollmentRequest& request,
    v1::Enrollment& response) {
  const Date today = Today();
  const v1::Assessment& a = request.assessment();
  FieldChecker check;
  CheckDateField(check, a.assessed_on(), "assessment.assessed_on", true);
  CheckNotFuture(check, a.assessed_on(), "assessment.assessed_on", today);
  if (!std::isfinite(a.score()) || a.score() < 0) {
    check.Add("assessment.score", "must be a number >= 0");
  }
  if (!check.ok()) return check.status();
  if (absl::Status s = RequireRecorder(call.principal, "record assessments");
      !s.ok()) {
    return s;
  }
  return IdempotentChange(
      context_->redis(), context_->prefix(), "AssessEnrollment",
      request.request_id(), request, response,
      [&](Change& change) -> absl::Status {
        absl::StatusOr<ReadEnrollment> r =
            ReadEnrollmentByName(*context_, request.name());
        if (!r.ok()) return r.status();
        if (absl::Status s =
                RequireClassOrganizer(call.principal, *r, request.name());
            !s.ok()) {
          return s;
        }
        if (absl::Status s =
                CheckEtag(request.etag(), r->stored.version, request.name());
            !s.ok()) {
          return s;
        }
        const v1::TrainingClass& tc = r->training_class.stored.message;
        std::vector<RuleViolation> unmet;
        if (tc.state() == v1::TRAINING_CLASS_STATE_CANCELLED) {
          unmet.push_back(
              {"training.class_cancelled", tc.name(), "Lớp đã bị hủy."});
        }
        if (r->stored.message.state() != v1::ENROLLMENT_STATE_NOMINATED) {
          unmet.push_back(
              {"training.enrollment_state", request.name(),
               absl::StrCat("Chỉ đánh giá kết quả học viên đang được cử học; "
                            "trạng thái hiện tại: ",
                            v1::EnrollmentState_Name(r->stored.message.state()),
                            ".")});
        }
        if (CivilDayOf(a.assessed_on()) < CivilDayOf(tc.starts_on())) {
          unmet.push_back(
              {"training.class_started", "assessment.assessed_on",
               absl::StrCat("Lớp khai giảng ngày ", FormatDate(tc.starts_on()),
                            "; không kiểm tra cuối khóa trước đó.")});
        }
        if (!unmet.empty()) return RulesViolated(std::move(unmet));

        v1::Enrollment after = r->stored.message;
        *after.mutable_assessment() = a;
        after.set_state(a.passed() ? v1::ENROLLMENT_STATE_PASSED
                                   : v1::ENROLLMENT_STATE_NOT_PASSED);
        RecordEnrollment(*context_, call, change, request.request_id(), "",
                         r->person.message, after, r->stored.version,
                         "AssessEnrollment",
                         absl::StrCat("Kết quả lớp \"", tc.title(), "\" của ",
                                      r->person.message.full_name(), ": ",
                                      a.passed() ? "đạt" : "không đạt",
                                      " (điểm ", a.score(), ")"),
                         a.passed() ? "passed" : "failed", a.assessed_on());
        response = after;
        if (request.validate_only()) change = Change();
        return absl::OkStatus();
      });
}

absl::Status AdmissionServiceImpl::DoIssueCertificate(
    const CallContext& call, const v1::IssueCertificateRequest& request,
    v1::Enrollment& response) {
  const Date today = Today();
  const v1::Certificate& cert = request.certificate();
  FieldChecker check;
  if (absl::StripAsciiWhitespace(cert.number()).empty()) {
    check.Add("certificate.number", "is required");
  }
  CheckDateField(check, cert.issued_on(), "certificate.issued_on", true);
  CheckNotFuture(check, cert.issued_on(), "certificate.issued_on", today);
  if (!check.ok()) return check.status();
  if (absl::Status s = RequireRecorder(call.principal, "issue certificates");
      !s.ok()) {
    return s;
  }
  return IdempotentChange(
      context_->redis(), context_->prefix(), "IssueCertificate",
      request.request_id(), request, response,
      [&](Change& change) -> absl::Status {
        absl::StatusOr<ReadEnrollment> r =
            ReadEnrollmentByName(*context_, request.name());
        if (!r.ok()) return r.status();
        if (absl::Status s =
                RequireClassOrganizer(call.principal, *r, request.name());
            !s.ok()) {
          return s;
        }
        if (absl::Status s =
                CheckEtag(request.etag(), r->stored.version, request.name());
            !s.ok()) {
          return s;
        }
        const v1::TrainingClass& tc = r->training_class.stored.message;
        const v1::Enrollment& before = r->stored.message;
        const std::string guard =
            absl::StrCat(tc.name(), "/certificates/", cert.number());
        absl::StatusOr<VersionedRecord> taken = ReadGuard(*context_, guard);
        if (!taken.ok()) return taken.status();
        if (taken->exists()) {
          return absl::AlreadyExistsError(absl::StrCat(
              "certificate number ", cert.number(), " was already issued in ",
              tc.name(), ": ", taken->data));
        }
        std::vector<RuleViolation> unmet;
        if (tc.state() == v1::TRAINING_CLASS_STATE_CANCELLED) {
          unmet.push_back(
              {"training.class_cancelled", tc.name(), "Lớp đã bị hủy."});
        }
        if (before.state() != v1::ENROLLMENT_STATE_PASSED) {
          unmet.push_back(
              {"training.certificate_requires_pass", request.name(),
               absl::StrCat("Chỉ cấp giấy chứng nhận cho học viên đạt yêu cầu; "
                            "trạng thái hiện tại: ",
                            v1::EnrollmentState_Name(before.state()), ".")});
        } else if (CivilDayOf(cert.issued_on()) <
                   CivilDayOf(before.assessment().assessed_on())) {
          unmet.push_back(
              {"training.certificate_requires_pass", "certificate.issued_on",
               absl::StrCat("Ngày cấp trước ngày kiểm tra cuối khóa (",
                            FormatDate(before.assessment().assessed_on()),
                            ").")});
        }
        if (!unmet.empty()) return RulesViolated(std::move(unmet));
        absl::StatusOr<const v1::RuleSet*> rules =
            RulesOn(*context_, cert.issued_on());
        if (!rules.ok()) return rules.status();

        v1::Enrollment after = before;
        v1::Certificate* out = after.mutable_certificate();
        out->set_number(cert.number());
        *out->mutable_issued_on() = cert.issued_on();
        // Validity comes from the rule set in force on the day of issue.
        *out->mutable_valid_until() = FromCivilDay(
            ValidUntil(CivilDayOf(cert.issued_on()),
                       (*rules)->admission().certificate_validity_months()));
        after.set_state(v1::ENROLLMENT_STATE_CERTIFIED);
        RecordEnrollment(
            *context_, call, change, request.request_id(), "",
            r->person.message, after, r->stored.version, "IssueCertificate",
            absl::StrCat("Cấp giấy chứng nhận số ", cert.number(), " cho ",
                         r->person.message.full_name(), ", có giá trị đến ",
                         FormatDate(out->valid_until())));
        if (tc.kind() == v1::TRAINING_CLASS_KIND_NEW_MEMBERS) {
          // The new-member course (lớp bồi dưỡng đảng viên mới) is a
          // condition of official recognition (Regulation 24-QĐ/TW, point
          // 4.1): the certificate goes into the probationary member's
          // case, where RecordRecognitionVote reads it.
          v1::Person person = r->person.message;
          v1::TrainingCertificate* held =
              person.mutable_admission()->mutable_new_member_certificate();
          held->set_enrollment(after.name());
          held->set_number(out->number());
          *held->mutable_issued_on() = out->issued_on();
          *held->mutable_valid_until() = out->valid_until();
          held->set_issuer(tc.organizer());
          *person.mutable_update_stamp() = after.update_stamp();
          person.set_etag(EtagOf(r->person.version + 1));
          context_->people().StageWrite(change.write, &r->person, person);
        }
        response = after;
        if (request.validate_only()) {
          change = Change();
          return absl::OkStatus();
        }
        StageGuard(change, *context_, guard, after.name());
        return absl::OkStatus();
      });
}

absl::Status AdmissionServiceImpl::DoWithdrawEnrollment(
    const CallContext& call, const v1::WithdrawEnrollmentRequest& request,
    v1::Enrollment& response) {
  if (absl::StripAsciiWhitespace(request.reason()).empty()) {
    return InvalidField("reason", "is required");
  }
  if (absl::Status s = RequireRecorder(call.principal, "withdraw nominations");
      !s.ok()) {
    return s;
  }
  return IdempotentChange(
      context_->redis(), context_->prefix(), "WithdrawEnrollment",
      request.request_id(), request, response,
      [&](Change& change) -> absl::Status {
        absl::StatusOr<ReadEnrollment> r =
            ReadEnrollmentByName(*context_, request.name());
        if (!r.ok()) return r.status();
        // The organiser, or the side that nominated (holds the person).
        if (!CoversPath(call.principal,
                        PathOf(r->training_class.organizer.organization)) &&
            !CallerCoversPerson(*context_, call.principal, r->person.message,
                                /*for_reading=*/false)) {
          return RequireWithinSubtree(call.principal, PathOf(r->person.message),
                                      request.name());
        }
        if (absl::Status s =
                CheckEtag(request.etag(), r->stored.version, request.name());
            !s.ok()) {
          return s;
        }
        const Stored<v1::TrainingClass>& tc = r->training_class.stored;
        if (r->stored.message.state() != v1::ENROLLMENT_STATE_NOMINATED) {
          return RulesViolated(
              {{"training.enrollment_state", request.name(),
                absl::StrCat(
                    "Chỉ rút học viên chưa có kết quả cuối khóa; trạng "
                    "thái hiện tại: ",
                    v1::EnrollmentState_Name(r->stored.message.state()),
                    ".")}});
        }
        v1::Enrollment after = r->stored.message;
        after.set_state(v1::ENROLLMENT_STATE_WITHDRAWN);
        after.set_withdraw_reason(request.reason());
        RecordEnrollment(
            *context_, call, change, request.request_id(), request.reason(),
            r->person.message, after, r->stored.version, "WithdrawEnrollment",
            absl::StrCat("Rút ", r->person.message.full_name(), " khỏi lớp \"",
                         tc.message.title(), "\": ", request.reason()),
            "withdrawn", Today());
        response = after;
        if (request.validate_only()) {
          change = Change();
          return absl::OkStatus();
        }
        // The place is freed and the person may be nominated again.
        v1::TrainingClass c = tc.message;
        c.set_enrolled_count(std::max(0, c.enrolled_count() - 1));
        context_->records().StagePut(change.write, c.name(), tc.version, c);
        StageReleaseGuard(
            change, *context_,
            absl::StrCat(c.name(), "/people/", LastSegment(after.person())));
        return absl::OkStatus();
      });
}

}  // namespace partydev::membership
