#include "services/membership/classification_service.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/authorization.h"
#include "common/dates.h"
#include "common/errors.h"
#include "common/paging.h"
#include "common/record_store.h"
#include "services/membership/admission_counts.h"
#include "services/membership/domain/admission_results.h"
#include "services/membership/domain/classification.h"
#include "services/membership/journal.h"
#include "services/membership/organization_tree.h"
#include "services/membership/person_access.h"
#include "services/membership/rpc_forwarding.h"

namespace partydev::membership {
namespace {

using common::v1::Date;

constexpr absl::string_view kService = "ClassificationService";
constexpr absl::string_view kClassifications = "classifications";
constexpr absl::string_view kActionProgrammes = "actionProgrammes";
// Index, held by a committee, of the classifications of the organisations
// directly below it: the scope of the cap on organisations.
constexpr absl::string_view kChildClassifications = "childClassifications";

// The years a record may be about: none before the system's first rule
// set era, none after the next year (a programme is registered early in
// its year, possibly in the December before).
constexpr int kFirstYear = 2000;

int DayNumber(const Date& d) {
  return d.year() * 10000 + d.month() * 100 + d.day();
}

// "YYYY" of a resource id, checked: 0 (with a violation) when malformed.
int ParseYear(FieldChecker& check, const std::string& id,
              absl::string_view field, int last_year) {
  int year = 0;
  if (id.size() != 4 || !absl::SimpleAtoi(id, &year) || year < kFirstYear ||
      year > last_year) {
    check.Add(field, absl::StrCat("\"", id, "\" is not a year \"YYYY\" from ",
                                  kFirstYear, " to ", last_year));
    return 0;
  }
  return year;
}

// "people/{p}/<collection>/{year}" → ("people/{p}", year); empty on error.
std::pair<std::string, int> SplitRecordName(FieldChecker& check,
                                            const std::string& name,
                                            absl::string_view parent_kind,
                                            absl::string_view collection,
                                            absl::string_view field) {
  const std::string example =
      absl::StrCat(parent_kind, "{id}/", collection, "/{year}");
  std::vector<std::string> parts = absl::StrSplit(name, '/');
  if (name.empty()) {
    check.Add(field, absl::StrCat("is required (\"", example, "\")"));
    return {"", 0};
  }
  int year = 0;
  if (parts.size() != 4 || absl::StrCat(parts[0], "/") != parent_kind ||
      !IsValidResourceId(parts[1]) || parts[2] != collection ||
      parts[3].size() != 4 || !absl::SimpleAtoi(parts[3], &year)) {
    check.Add(field, absl::StrCat("\"", name, "\" is not a name of the form \"",
                                  example, "\""));
    return {"", 0};
  }
  return {absl::StrCat(parts[0], "/", parts[1]), year};
}

// The rule set an act about `year` is judged by: the one in force at the
// year's end (the classification is of the whole year), or today for the
// current year.
absl::StatusOr<const v1::RuleSet*> RulesForYear(MembershipContext& context,
                                                int year) {
  Date end = MakeDate(year, 12, 31);
  const Date today = Today();
  if (DayNumber(today) < DayNumber(end)) end = today;
  return context.rules()(end);
}

// Members (IsMember, person_access.h) are classified and keep action
// programmes; candidates are not (domain.md: "only members (probationary or
// official)").
bool IsOnRolls(const v1::Person& person) {
  switch (person.status()) {
    case v1::PERSON_STATUS_ACTIVE:
    case v1::PERSON_STATUS_EXEMPT:
    case v1::PERSON_STATUS_TEMPORARILY_AWAY:
    case v1::PERSON_STATUS_TRANSFER_PENDING:
      return true;
    default:
      return false;
  }
}

absl::Status RequireMember(const v1::Person& person, const v1::RuleSet& rules,
                           absl::string_view rule, absl::string_view what) {
  if (IsMember(person) && IsOnRolls(person)) return absl::OkStatus();
  return RulesViolated(
      {{std::string(rule), person.name(),
        absl::StrCat(person.full_name(),
                     " không phải đảng viên (dự bị hoặc "
                     "chính thức) đang sinh hoạt; chỉ đảng viên mới ",
                     what, ". (Bộ quy tắc ", rules.name(), ")")}});
}

// The member's situation in `year`, for NotClassifiedReasonFor. The date of
// admission is that of the latest admission decision (a readmitted member
// counts from it), else the first admission.
domain::MemberYearFacts FactsOf(const v1::Person& person, int year) {
  domain::MemberYearFacts facts;
  facts.year = year;
  facts.exempt = person.status() == v1::PERSON_STATUS_EXEMPT;
  // Suspension (đình chỉ sinh hoạt) is a discipline recorded elsewhere;
  // the Person carries no flag of it yet.
  facts.suspended = false;
  if (!IsUnset(person.admission().admission_decision().signed_on())) {
    facts.admitted_on = person.admission().admission_decision().signed_on();
  } else if (!IsUnset(person.first_admitted_on())) {
    facts.admitted_on = person.first_admitted_on();
  }
  return facts;
}

const char* LevelName(v1::QualityLevel level) {
  switch (level) {
    case v1::QUALITY_LEVEL_EXCELLENT:
      return "Hoàn thành xuất sắc nhiệm vụ";
    case v1::QUALITY_LEVEL_GOOD:
      return "Hoàn thành tốt nhiệm vụ";
    case v1::QUALITY_LEVEL_COMPLETED:
      return "Hoàn thành nhiệm vụ";
    case v1::QUALITY_LEVEL_NOT_COMPLETED:
      return "Không hoàn thành nhiệm vụ";
    default:
      return "chưa xác định";
  }
}

const char* ReasonName(v1::NotClassifiedReason reason) {
  switch (reason) {
    case v1::NOT_CLASSIFIED_REASON_EXEMPT:
      return "được miễn công tác và sinh hoạt đảng";
    case v1::NOT_CLASSIFIED_REASON_SUSPENDED:
      return "đang bị đình chỉ sinh hoạt đảng";
    case v1::NOT_CLASSIFIED_REASON_ADMITTED_RECENTLY:
      return "được kết nạp chưa đủ thời gian đến cuối năm";
    case v1::NOT_CLASSIFIED_REASON_ON_LEAVE:
      return "nghỉ ốm hoặc nghỉ thai sản";
    case v1::NOT_CLASSIFIED_REASON_FOUNDED_RECENTLY:
      return "mới thành lập";
    default:
      return "lý do khác";
  }
}

bool ValidLevel(int level) {
  return level >= v1::QUALITY_LEVEL_EXCELLENT &&
         level <= v1::QUALITY_LEVEL_NOT_COMPLETED;
}

// The fields a member and an organisation classification share, as
// pointers into either message, so that one function judges both.
struct Judged {
  bool classified;
  v1::NotClassifiedReason reason;
  google::protobuf::RepeatedPtrField<v1::CriterionScore>* criteria;
  bool all_tasks_completed;
  google::protobuf::RepeatedField<int>* triggers;
  v1::QualityLevel level;
  v1::ClassificationState state;
  const common::v1::DecisionRef* decision;
};

// Checks the request fields of a classification (INVALID_ARGUMENT naming
// each, under `prefix`).
void CheckClassificationFields(FieldChecker& check, const Judged& j,
                               absl::string_view prefix) {
  if (!j.classified && j.reason == v1::NOT_CLASSIFIED_REASON_UNSPECIFIED) {
    check.Add(absl::StrCat(prefix, ".not_classified_reason"),
              "is required when classified is false");
  }
  if (j.classified && j.reason != v1::NOT_CLASSIFIED_REASON_UNSPECIFIED) {
    check.Add(absl::StrCat(prefix, ".not_classified_reason"),
              "must be empty when classified is true");
  }
  if (j.level != v1::QUALITY_LEVEL_UNSPECIFIED && !ValidLevel(j.level)) {
    check.Add(absl::StrCat(prefix, ".level"), "is not a quality level");
  }
  if (!j.classified && j.level != v1::QUALITY_LEVEL_UNSPECIFIED) {
    check.Add(absl::StrCat(prefix, ".level"),
              "must be empty when classified is false");
  }
  for (int i = 0; i < j.triggers->size(); ++i) {
    const int t = j.triggers->Get(i);
    if (t <= v1::NOT_COMPLETED_TRIGGER_UNSPECIFIED ||
        t > v1::NOT_COMPLETED_TRIGGER_UNIT_UNDER_TARGETS) {
      check.Add(absl::StrCat(prefix, ".triggers[", i, "]"), "is not a trigger");
    }
  }
  if (j.state != v1::CLASSIFICATION_STATE_UNSPECIFIED &&
      j.state != v1::CLASSIFICATION_STATE_DRAFT &&
      j.state != v1::CLASSIFICATION_STATE_DECIDED) {
    check.Add(absl::StrCat(prefix, ".state"), "is not a state");
  }
  // A decided classification names the decision or conclusion (proto:
  // "required for DECIDED").
  if (j.state == v1::CLASSIFICATION_STATE_DECIDED) {
    if (j.decision->number().empty()) {
      check.Add(absl::StrCat(prefix, ".decision.number"),
                "is required for state DECIDED");
    }
    if (IsUnset(j.decision->signed_on())) {
      check.Add(absl::StrCat(prefix, ".decision.signed_on"),
                "is required for state DECIDED");
    } else {
      CheckDate(j.decision->signed_on(),
                absl::StrCat(prefix, ".decision.signed_on"), check);
    }
  }
}

// Applies the scoring rules of the rule set (366-QĐ/TW by default) to a
// classification: fills titles, maximum points, score and computed level,
// takes the computed level when none was decided, and refuses a decided
// level above what the score and triggers allow.
absl::Status JudgeLevel(Judged& j, bool for_members, const v1::RuleSet& rules,
                        const std::string& subject, absl::string_view prefix,
                        double& score, v1::QualityLevel& computed,
                        v1::QualityLevel& level) {
  const v1::ClassificationRules& cr = rules.classification();
  for (v1::CriterionScore& c : *j.criteria) {
    for (const auto& def : cr.criteria()) {
      if (def.code() == c.criterion()) {
        c.set_title(def.title());
        c.set_max_score(def.max_score());
      }
    }
  }
  if (!j.classified) {
    score = 0;
    computed = v1::QUALITY_LEVEL_UNSPECIFIED;
    level = v1::QUALITY_LEVEL_UNSPECIFIED;
    return absl::OkStatus();
  }
  absl::StatusOr<double> total =
      domain::TotalScore(*j.criteria, for_members, cr);
  if (!total.ok()) {
    // TotalScore names "criteria[i]"; name the field of the request.
    std::vector<FieldViolation> v = FieldViolationsOf(total.status());
    if (v.empty()) return total.status();
    for (auto& f : v) f.field = absl::StrCat(prefix, ".", f.field);
    return InvalidFields(std::move(v));
  }
  absl::StatusOr<v1::QualityLevel> allowed = domain::ComputedLevel(
      *j.criteria, for_members, j.all_tasks_completed, *j.triggers, cr);
  if (!allowed.ok()) return allowed.status();
  score = *total;
  computed = *allowed;
  level = j.level == v1::QUALITY_LEVEL_UNSPECIFIED ? computed : j.level;
  // A lower enum value is a higher level: the decided level may not be
  // above the computed one (rule classification.level_within_score).
  if (level < computed) {
    bool forced = !j.triggers->empty();
    for (const auto& c : *j.criteria) forced = forced || c.poor();
    if (forced) {
      return RulesViolated(
          {{"classification.not_completed_triggers", subject,
            absl::StrCat("Có tình huống buộc xếp loại Không hoàn thành nhiệm "
                         "vụ (tiêu chí bị đánh giá kém, kỷ luật trong năm, suy "
                         "thoái, vi phạm quy định đảng viên không được làm, "
                         "hoặc đơn vị hoàn thành dưới mức chỉ tiêu); không "
                         "thể xếp loại ",
                         LevelName(level), ". (Bộ quy tắc ", rules.name(),
                         ")")}});
    }
    return RulesViolated(
        {{"classification.level_within_score", subject,
          absl::StrCat(
              "Tổng điểm ", *total, "/", cr.max_score(),
              j.all_tasks_completed ? "" : " (chưa hoàn thành mọi nhiệm vụ)",
              " chỉ cho phép xếp loại cao nhất là ", LevelName(computed),
              ", không thể xếp loại ", LevelName(level), " (xuất sắc từ ",
              cr.excellent_min_score(),
              " điểm và hoàn thành mọi nhiệm vụ; "
              "tốt từ ",
              cr.good_min_score(), "; hoàn thành từ ", cr.completed_min_score(),
              "). (Bộ quy tắc ", rules.name(), ")")}});
  }
  return absl::OkStatus();
}

// Checks the etag sent with an update or action (ABORTED when stale).
absl::Status CheckEtag(const std::string& etag, int64_t version,
                       const std::string& name) {
  if (etag.empty() || VersionOfEtag(etag) == version) return absl::OkStatus();
  return absl::AbortedError(
      absl::StrCat(name, " was changed by someone else (etag ", etag, ", now ",
                   EtagOf(version), "); read it again and retry"));
}

// Validates an update mask against the fields a request may change.
void CheckMask(FieldChecker& check, const google::protobuf::FieldMask& mask,
               const std::set<std::string>& allowed) {
  if (mask.paths().empty()) {
    check.Add("update_mask",
              absl::StrCat("is required (", absl::StrJoin(allowed, ", "), ")"));
  }
  for (const auto& p : mask.paths()) {
    if (allowed.count(p) == 0) {
      check.Add("update_mask", absl::StrCat("\"", p, "\" may not be updated (",
                                            absl::StrJoin(allowed, ", "), ")"));
    }
  }
}

bool InMask(const google::protobuf::FieldMask& mask, absl::string_view path) {
  for (const auto& p : mask.paths()) {
    if (p == path) return true;
  }
  return false;
}

// Reads an organisation named "organizations/{id}" that the caller's
// subtree holds (PERMISSION_DENIED otherwise, without revealing whether it
// exists).
absl::StatusOr<StoredOrganization> ReadOrganization(MembershipContext& context,
                                                    const CallContext& call,
                                                    const std::string& name,
                                                    absl::string_view field) {
  FieldChecker check;
  CheckOrganizationRef(check, name, field);
  if (!check.ok()) return check.status();
  absl::StatusOr<StoredOrganization> org =
      context.organizations().Get(OrganizationId(name));
  if (!org.ok()) {
    if (absl::IsNotFound(org.status()) &&
        !call.principal.organization.empty()) {
      return RequireWithinSubtree(call.principal, {}, name);
    }
    return org.status();
  }
  if (absl::Status s = RequireWithinSubtree(
          call.principal,
          {org->organization.path().begin(), org->organization.path().end()},
          name);
      !s.ok()) {
    return s;
  }
  return org;
}

// The scope of the cap on members: the grassroots organisation of the
// member (domain.md: "Members are classified by their cell with the
// grassroots committee's conclusion"), else their own organisation.
absl::StatusOr<StoredOrganization> MemberCapScope(MembershipContext& context,
                                                  const v1::Person& person) {
  std::vector<std::string> ids;
  for (const auto& p : person.organization_path()) {
    ids.push_back(OrganizationId(p));
  }
  absl::StatusOr<std::vector<StoredOrganization>> path =
      context.organizations().GetMany(ids);
  if (!path.ok()) return path.status();
  for (auto it = path->rbegin(); it != path->rend(); ++it) {
    if (it->organization.grassroots()) return *it;
  }
  return context.organizations().Get(OrganizationId(person.organization()));
}

// Every member classification of `year` held by the organisations `org_ids`.
absl::StatusOr<std::vector<Stored<v1::MemberClassification>>>
MemberClassificationsOf(MembershipContext& context,
                        const std::vector<std::string>& org_ids, int year) {
  std::vector<std::string> names;
  const std::string suffix = absl::StrCat("/", kClassifications, "/", year);
  for (const auto& id : org_ids) {
    absl::StatusOr<std::vector<std::string>> all = context.records().All(
        context.records().OrganizationIndexKey(id, kClassifications));
    if (!all.ok()) return all.status();
    for (auto& n : *all) {
      if (year == 0 || absl::EndsWith(n, suffix)) names.push_back(n);
    }
  }
  return context.records().GetMany<v1::MemberClassification>(names);
}

domain::RatedRecord Rated(bool classified, v1::QualityLevel level,
                          v1::ClassificationState state) {
  domain::RatedRecord r;
  r.classified = classified;
  r.level = level;
  r.decided = state == v1::CLASSIFICATION_STATE_DECIDED;
  return r;
}

// Refuses deciding one more EXCELLENT beyond the cap (rule
// classification.excellent_cap, checked at DECIDED as the proto says):
// the decided EXCELLENT ones, with this one, against the base counted over
// every record of the scope. Draft EXCELLENT ones are proposals, not yet
// counted against the cap (CheckClassificationCap shows them). Every record
// read is expected unchanged at commit.
absl::Status CheckCapOnDecide(
    const std::vector<std::pair<std::string, domain::RatedRecord>>& others,
    const domain::RatedRecord& self, const std::string& scope, int year,
    const v1::RuleSet& rules) {
  if (!self.classified || !self.decided ||
      self.level != v1::QUALITY_LEVEL_EXCELLENT) {
    return absl::OkStatus();
  }
  std::vector<domain::RatedRecord> records = {self};
  for (const auto& [name, r] : others) {
    if (r.level == v1::QUALITY_LEVEL_EXCELLENT && !r.decided) continue;
    records.push_back(r);
  }
  v1::ClassificationCapCheck check =
      domain::CheckExcellentCap(records, rules.classification());
  check.set_organization(scope);
  check.set_year(year);
  std::vector<RuleViolation> unmet = domain::CapViolations(check, rules);
  if (unmet.empty()) return absl::OkStatus();
  return RulesViolated(std::move(unmet));
}

}  // namespace

namespace {

Judged MemberJudged(v1::MemberClassification& m) {
  return {m.classified(),
          m.not_classified_reason(),
          m.mutable_criteria(),
          m.all_tasks_completed(),
          m.mutable_triggers(),
          m.level(),
          m.state(),
          &m.decision()};
}

Judged OrganizationJudged(v1::OrganizationClassification& o) {
  return {o.classified(),
          o.not_classified_reason(),
          o.mutable_criteria(),
          o.all_tasks_completed(),
          o.mutable_triggers(),
          o.level(),
          o.state(),
          &o.decision()};
}

// Applies the rules of a member's classification to `record` (output
// fields filled): who is not classified (NotClassifiedReasonFor: exempt,
// suspended, admitted less than the rule set's months before the year's
// end) and the level the score allows.
absl::Status PrepareMember(v1::MemberClassification& record,
                           const v1::Person& person, int year,
                           const v1::RuleSet& rules) {
  std::optional<v1::NotClassifiedReason> must_not =
      domain::NotClassifiedReasonFor(FactsOf(person, year),
                                     rules.classification());
  if (record.classified() && must_not.has_value()) {
    return RulesViolated(
        {{"classification.not_classified", person.name(),
          absl::StrCat(person.full_name(),
                       " không được xếp loại chất lượng "
                       "năm ",
                       year, " vì ", ReasonName(*must_not), " (kết nạp dưới ",
                       rules.classification().min_months_since_admission(),
                       " tháng tính đến 31/12 thì không xếp loại); hãy ghi "
                       "\"không xếp loại\" với lý do này. (Bộ quy tắc ",
                       rules.name(), ")")}});
  }
  // A reason the record can check must match the facts: a member admitted
  // long ago is not "admitted recently", an active one is not "exempt".
  const v1::NotClassifiedReason claimed = record.not_classified_reason();
  if (!record.classified() &&
      (claimed == v1::NOT_CLASSIFIED_REASON_EXEMPT ||
       claimed == v1::NOT_CLASSIFIED_REASON_ADMITTED_RECENTLY) &&
      must_not != claimed) {
    return RulesViolated(
        {{"classification.not_classified", person.name(),
          absl::StrCat("Lý do không xếp loại \"", ReasonName(claimed),
                       "\" không đúng với hồ sơ của ", person.full_name(),
                       " trong năm ", year, ". (Bộ quy tắc ", rules.name(),
                       ")")}});
  }
  Judged j = MemberJudged(record);
  double score = 0;
  v1::QualityLevel computed = v1::QUALITY_LEVEL_UNSPECIFIED;
  v1::QualityLevel level = v1::QUALITY_LEVEL_UNSPECIFIED;
  if (absl::Status s = JudgeLevel(j, /*for_members=*/true, rules, record.name(),
                                  "classification", score, computed, level);
      !s.ok()) {
    return s;
  }
  record.set_score(score);
  record.set_computed_level(computed);
  record.set_level(level);
  if (record.state() == v1::CLASSIFICATION_STATE_UNSPECIFIED) {
    record.set_state(v1::CLASSIFICATION_STATE_DRAFT);
  }
  record.set_rule_set(rules.name());
  return absl::OkStatus();
}

// The cap on members for `record` of `person`: refuses deciding an
// EXCELLENT beyond it; expects every record read unchanged at commit.
absl::Status MemberCap(MembershipContext& context, const v1::Person& person,
                       const v1::MemberClassification& record, int year,
                       const v1::RuleSet& rules, Change* change) {
  const domain::RatedRecord self =
      Rated(record.classified(), record.level(), record.state());
  if (!self.decided || self.level != v1::QUALITY_LEVEL_EXCELLENT) {
    return absl::OkStatus();
  }
  absl::StatusOr<StoredOrganization> scope = MemberCapScope(context, person);
  if (!scope.ok()) return scope.status();
  absl::StatusOr<std::vector<std::string>> ids =
      context.organizations().SubtreeIds(scope->organization);
  if (!ids.ok()) return ids.status();
  absl::StatusOr<std::vector<Stored<v1::MemberClassification>>> all =
      MemberClassificationsOf(context, *ids, year);
  if (!all.ok()) return all.status();
  std::vector<std::pair<std::string, domain::RatedRecord>> others;
  for (const auto& s : *all) {
    if (s.message.name() == record.name()) continue;
    others.push_back(
        {s.message.name(),
         Rated(s.message.classified(), s.message.level(), s.message.state())});
    if (change != nullptr) {
      change->write.Expect(context.records().RecordKey(s.message.name()),
                           s.version);
    }
  }
  return CheckCapOnDecide(others, self, scope->organization.name(), year,
                          rules);
}

// The organisation classified must lie strictly below the caller's: an
// organisation is classified by the committee above it (classification
// .proto), never by itself.
absl::Status RequireCommitteeAbove(const CallContext& call,
                                   const v1::Organization& org) {
  if (call.principal.organization.empty() ||
      call.principal.organization != org.name()) {
    return absl::OkStatus();
  }
  return WithReason(
      absl::PermissionDeniedError(absl::StrCat(
          "an organisation is classified by the committee above it; ",
          org.name(), " may not classify itself")),
      "OUTSIDE_SUBTREE");
}

absl::Status PrepareOrganization(v1::OrganizationClassification& record,
                                 const v1::RuleSet& rules) {
  Judged j = OrganizationJudged(record);
  double score = 0;
  v1::QualityLevel computed = v1::QUALITY_LEVEL_UNSPECIFIED;
  v1::QualityLevel level = v1::QUALITY_LEVEL_UNSPECIFIED;
  if (absl::Status s =
          JudgeLevel(j, /*for_members=*/false, rules, record.name(),
                     "classification", score, computed, level);
      !s.ok()) {
    return s;
  }
  record.set_score(score);
  record.set_computed_level(computed);
  record.set_level(level);
  if (record.state() == v1::CLASSIFICATION_STATE_UNSPECIFIED) {
    record.set_state(v1::CLASSIFICATION_STATE_DRAFT);
  }
  record.set_rule_set(rules.name());
  return absl::OkStatus();
}

// The fields of an admission results criterion given by the client, at
// `prefix` ("classification.admission_results"): the year's target is the
// client's (read from the quota service) and must be positive, a criterion
// without a target measures nothing; admitted, when given, is a count.
void CheckAdmissionResultsFields(FieldChecker& check,
                                 const v1::AdmissionResultsCriterion& given,
                                 absl::string_view prefix) {
  if (given.target() <= 0) {
    check.Add(absl::StrCat(prefix, ".target"),
              "must be greater than 0: the year's admission target of the "
              "organisation, from the quota service (letter 1849-CV/ĐUK)");
  }
  if (given.admitted() < 0) {
    check.Add(absl::StrCat(prefix, ".admitted"),
              "must not be negative; leave it 0 to have it counted");
  }
}

// Letter 1849-CV/ĐUK makes the admission results of the year a criterion
// of the organisation's classification. Membership is the system of record
// of admissions: `admitted` is counted from the records (the decisions
// signed in `year` by organisations of `org`'s subtree, admission_counts.h)
// and the percent derived from the client's target; a non-zero `admitted`
// from the client that differs is refused
// (classification.admission_results_from_records), never stored. Nothing
// to do when the record has no criterion.
absl::Status CountAdmissionResults(MembershipContext& context,
                                   const v1::Organization& org, int year,
                                   v1::OrganizationClassification& record) {
  if (!record.has_admission_results()) return absl::OkStatus();
  absl::StatusOr<int> counted = CountAdmissionsInYear(context, org, year);
  if (!counted.ok()) return counted.status();
  std::vector<RuleViolation> unmet = domain::CheckAdmittedFromRecords(
      record.admission_results().admitted(), *counted, record.name(), year);
  if (!unmet.empty()) return RulesViolated(std::move(unmet));
  domain::ApplyAdmissionCount(*counted, *record.mutable_admission_results());
  return absl::OkStatus();
}

absl::Status OrganizationCap(MembershipContext& context,
                             const v1::Organization& org,
                             const v1::OrganizationClassification& record,
                             int year, const v1::RuleSet& rules,
                             Change* change) {
  const domain::RatedRecord self =
      Rated(record.classified(), record.level(), record.state());
  if (!self.decided || self.level != v1::QUALITY_LEVEL_EXCELLENT ||
      org.parent().empty()) {
    return absl::OkStatus();
  }
  const std::string suffix = absl::StrCat("/", kClassifications, "/", year);
  absl::StatusOr<std::vector<std::string>> names =
      context.records().All(context.records().OrganizationIndexKey(
          OrganizationId(org.parent()), kChildClassifications));
  if (!names.ok()) return names.status();
  std::vector<std::string> of_year;
  for (auto& n : *names) {
    if (absl::EndsWith(n, suffix) && n != record.name()) of_year.push_back(n);
  }
  absl::StatusOr<std::vector<Stored<v1::OrganizationClassification>>> all =
      context.records().GetMany<v1::OrganizationClassification>(of_year);
  if (!all.ok()) return all.status();
  std::vector<std::pair<std::string, domain::RatedRecord>> others;
  for (const auto& s : *all) {
    others.push_back(
        {s.message.name(),
         Rated(s.message.classified(), s.message.level(), s.message.state())});
    if (change != nullptr) {
      change->write.Expect(context.records().RecordKey(s.message.name()),
                           s.version);
    }
  }
  return CheckCapOnDecide(others, self, org.parent(), year, rules);
}

// Stages an organisation's record with its audit entry (not below a
// person, so PersonChangeRecorder does not apply).
void RecordOrganizationResource(MembershipContext& context, Change& change,
                                const v1::Organization& org,
                                const std::string& name, int64_t version,
                                const google::protobuf::Message& message,
                                absl::string_view method,
                                const common::v1::ChangeStamp& stamp,
                                std::string summary) {
  RecordStore& records = context.records();
  records.StagePut(change.write, name, version, message);
  if (version == 0) {
    change.write.ZAdd(records.CollectionKey(org.name(), kClassifications), 0,
                      name.substr(name.rfind('/') + 1));
    if (!org.parent().empty()) {
      change.write.ZAdd(
          records.OrganizationIndexKey(OrganizationId(org.parent()),
                                       kChildClassifications),
          0, name);
    }
  }
  v1::AuditEntry entry =
      NewAuditEntry(stamp, method, name, org.path(), std::move(summary),
                    version > 0 ? EtagOf(version) : "", "");
  entry.set_etag_after(EtagOf(version + 1));
  change.journal.audit = std::move(entry);
  change.journal.audit_organization_id = OrganizationId(org.name());
}

// A page of the records of a person's collection, or with "people/-" of
// every person of an organisation's subtree (the home organisation's
// index of the collection), in name order.
template <typename Message, typename Request>
absl::Status ListPersonRecords(MembershipContext& context,
                               const CallContext& call, const Request& request,
                               absl::string_view collection,
                               google::protobuf::RepeatedPtrField<Message>* out,
                               std::string* next_page_token, int* total_size) {
  FieldChecker check;
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) check.Add("page_size", page_size.status().message());
  if (!request.filter().empty()) {
    check.Add("filter", "is not supported yet; use year");
  }
  if (request.year() != 0 &&
      (request.year() < kFirstYear || request.year() > Today().year() + 1)) {
    check.Add("year", "is not a year of records");
  }
  if (request.parent() != "people/-") {
    CheckPersonName(check, request.parent(), "parent");
  } else {
    CheckOrganizationRef(check, request.organization(), "organization",
                         /*required=*/false);
  }
  if (!check.ok()) return check.status();
  const std::string fingerprint = RequestFingerprint(request);
  absl::StatusOr<std::string> cursor =
      DecodePageToken(request.page_token(), fingerprint);
  if (!cursor.ok()) return cursor.status();

  std::vector<std::string> names;
  if (request.parent() == "people/-") {
    const std::string org_name = request.organization().empty()
                                     ? call.principal.organization
                                     : request.organization();
    if (org_name.empty()) {
      return InvalidField("organization",
                          "is required with parent \"people/-\" for a caller "
                          "bound to no organisation");
    }
    absl::StatusOr<StoredOrganization> org =
        ReadOrganization(context, call, org_name, "organization");
    if (!org.ok()) return org.status();
    absl::StatusOr<std::vector<std::string>> ids =
        context.organizations().SubtreeIds(org->organization);
    if (!ids.ok()) return ids.status();
    for (const auto& id : *ids) {
      absl::StatusOr<std::vector<std::string>> all = context.records().All(
          context.records().OrganizationIndexKey(id, collection));
      if (!all.ok()) return all.status();
      names.insert(names.end(), all->begin(), all->end());
    }
  } else {
    absl::StatusOr<StoredPerson> person =
        ReadPersonForRead(context, call, request.parent(), "parent");
    if (!person.ok()) return person.status();
    absl::StatusOr<std::vector<std::string>> all = context.records().All(
        context.records().CollectionKey(request.parent(), collection));
    if (!all.ok()) return all.status();
    for (const auto& id : *all) {
      names.push_back(absl::StrCat(request.parent(), "/", collection, "/", id));
    }
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  if (request.year() != 0) {
    const std::string suffix = absl::StrCat("/", request.year());
    names.erase(std::remove_if(names.begin(), names.end(),
                               [&](const std::string& n) {
                                 return !absl::EndsWith(n, suffix);
                               }),
                names.end());
  }
  *total_size = static_cast<int>(names.size());
  const std::vector<std::string> page =
      PageAfter(names, *cursor, *page_size, fingerprint, next_page_token);
  absl::StatusOr<std::vector<Stored<Message>>> records =
      context.records().GetMany<Message>(page);
  if (!records.ok()) return records.status();
  for (auto& r : *records) *out->Add() = std::move(r.message);
  return absl::OkStatus();
}

// Checks an action programme's commitments and registration date.
void CheckProgramme(FieldChecker& check, const v1::ActionProgramme& p,
                    absl::string_view prefix, bool commitments,
                    bool registered_on) {
  if (commitments) {
    if (p.commitments().empty()) {
      check.Add(absl::StrCat(prefix, ".commitments"),
                "needs at least one commitment");
    }
    for (int i = 0; i < p.commitments_size(); ++i) {
      if (p.commitments(i).title().empty()) {
        check.Add(absl::StrCat(prefix, ".commitments[", i, "].title"),
                  "is required");
      }
      if (!IsUnset(p.commitments(i).due_on())) {
        CheckDate(p.commitments(i).due_on(),
                  absl::StrCat(prefix, ".commitments[", i, "].due_on"), check);
      }
    }
  }
  if (registered_on) {
    if (IsUnset(p.registered_on())) {
      check.Add(absl::StrCat(prefix, ".registered_on"), "is required");
    } else {
      CheckDate(p.registered_on(), absl::StrCat(prefix, ".registered_on"),
                check);
    }
  }
}

// A programme is registered early in its year (directive 06-CT/TU): from
// December of the year before to the year's end, never in the future.
absl::Status CheckRegistrationDate(const v1::ActionProgramme& p, int year,
                                   const v1::RuleSet& rules) {
  const int day = DayNumber(p.registered_on());
  if (day < (year - 1) * 10000 + 1201 || day > year * 10000 + 1231 ||
      day > DayNumber(Today())) {
    return RulesViolated(
        {{"action_programme.registration_period", p.name(),
          absl::StrCat("Chương trình hành động năm ", year,
                       " phải được đăng ký trong khoảng từ 01/12/", year - 1,
                       " đến 31/12/", year,
                       " và không sau ngày hôm nay; ngày đăng ký ",
                       FormatDate(p.registered_on()),
                       " không hợp lệ. (Bộ quy tắc ", rules.name(), ")")}});
  }
  return absl::OkStatus();
}

}  // namespace

ClassificationServiceImpl::ClassificationServiceImpl(
    std::shared_ptr<MembershipContext> context)
    : context_(std::move(context)) {}
PARTYDEV_MEMBERSHIP_FORWARD(ClassificationServiceImpl,
                            CreateMemberClassification,
                            v1::CreateMemberClassificationRequest,
                            v1::MemberClassification)
PARTYDEV_MEMBERSHIP_FORWARD(ClassificationServiceImpl, GetMemberClassification,
                            v1::GetMemberClassificationRequest,
                            v1::MemberClassification)
PARTYDEV_MEMBERSHIP_FORWARD(ClassificationServiceImpl,
                            ListMemberClassifications,
                            v1::ListMemberClassificationsRequest,
                            v1::ListMemberClassificationsResponse)
PARTYDEV_MEMBERSHIP_FORWARD(ClassificationServiceImpl,
                            UpdateMemberClassification,
                            v1::UpdateMemberClassificationRequest,
                            v1::MemberClassification)
PARTYDEV_MEMBERSHIP_FORWARD(ClassificationServiceImpl,
                            CreateOrganizationClassification,
                            v1::CreateOrganizationClassificationRequest,
                            v1::OrganizationClassification)
PARTYDEV_MEMBERSHIP_FORWARD(ClassificationServiceImpl,
                            GetOrganizationClassification,
                            v1::GetOrganizationClassificationRequest,
                            v1::OrganizationClassification)
PARTYDEV_MEMBERSHIP_FORWARD(ClassificationServiceImpl,
                            ListOrganizationClassifications,
                            v1::ListOrganizationClassificationsRequest,
                            v1::ListOrganizationClassificationsResponse)
PARTYDEV_MEMBERSHIP_FORWARD(ClassificationServiceImpl,
                            UpdateOrganizationClassification,
                            v1::UpdateOrganizationClassificationRequest,
                            v1::OrganizationClassification)
PARTYDEV_MEMBERSHIP_FORWARD(ClassificationServiceImpl, CheckClassificationCap,
                            v1::CheckClassificationCapRequest,
                            v1::ClassificationCapCheck)
PARTYDEV_MEMBERSHIP_FORWARD(ClassificationServiceImpl, CreateActionProgramme,
                            v1::CreateActionProgrammeRequest,
                            v1::ActionProgramme)
PARTYDEV_MEMBERSHIP_FORWARD(ClassificationServiceImpl, GetActionProgramme,
                            v1::GetActionProgrammeRequest, v1::ActionProgramme)
PARTYDEV_MEMBERSHIP_FORWARD(ClassificationServiceImpl, ListActionProgrammes,
                            v1::ListActionProgrammesRequest,
                            v1::ListActionProgrammesResponse)
PARTYDEV_MEMBERSHIP_FORWARD(ClassificationServiceImpl, UpdateActionProgramme,
                            v1::UpdateActionProgrammeRequest,
                            v1::ActionProgramme)
PARTYDEV_MEMBERSHIP_FORWARD(ClassificationServiceImpl, EvaluateActionProgramme,
                            v1::EvaluateActionProgrammeRequest,
                            v1::ActionProgramme)

absl::Status ClassificationServiceImpl::DoCreateMemberClassification(
    const CallContext& call,
    const v1::CreateMemberClassificationRequest& request,
    v1::MemberClassification& response) {
  if (absl::Status s =
          RequireRecorder(call.principal, "Recording a classification");
      !s.ok()) {
    return s;
  }
  FieldChecker check;
  CheckPersonName(check, request.parent(), "parent");
  // A year is classified once it is under way; never a future one.
  const int year = ParseYear(check, request.classification_id(),
                             "classification_id", Today().year());
  if (!request.has_classification()) {
    check.Add("classification", "is required");
  }
  v1::MemberClassification record = request.classification();
  CheckClassificationFields(check, MemberJudged(record), "classification");
  if (!check.ok()) return check.status();
  absl::StatusOr<StoredPerson> person =
      ReadPersonForChange(*context_, call, request.parent(), "parent");
  if (!person.ok()) return person.status();
  absl::StatusOr<const v1::RuleSet*> rules = RulesForYear(*context_, year);
  if (!rules.ok()) return rules.status();
  const std::string name =
      absl::StrCat(request.parent(), "/", kClassifications, "/", year);
  return IdempotentChange(
      context_->redis(), context_->prefix(), "CreateMemberClassification",
      request.request_id(), request, response, [&](Change& change) {
        if (absl::Status s = RequireMember(
                person->message, **rules, "classification.members_only",
                "được đánh giá, xếp loại chất lượng");
            !s.ok()) {
          return s;
        }
        // One classification per member per year.
        absl::StatusOr<Stored<v1::MemberClassification>> existing =
            context_->records().Get<v1::MemberClassification>(name);
        if (existing.ok()) {
          return absl::AlreadyExistsError(absl::StrCat(
              name,
              " already exists: a member is classified once a year; "
              "update it instead"));
        }
        if (!absl::IsNotFound(existing.status())) return existing.status();
        record.set_name(name);
        record.set_year(year);
        record.set_organization(person->message.organization());
        record.clear_etag();
        if (absl::Status s =
                PrepareMember(record, person->message, year, **rules);
            !s.ok()) {
          return s;
        }
        Change* staged = request.validate_only() ? nullptr : &change;
        if (absl::Status s = MemberCap(*context_, person->message, record, year,
                                       **rules, staged);
            !s.ok()) {
          return s;
        }
        PersonChangeRecorder recorder(*context_, call, request.request_id(),
                                      "");
        *record.mutable_create_stamp() = recorder.stamp();
        *record.mutable_update_stamp() = recorder.stamp();
        if (request.validate_only()) {
          response = record;
          return absl::OkStatus();
        }
        record.set_etag(EtagOf(1));
        response = record;
        recorder.RecordResource(change, person->message, name, 0, record,
                                kClassifications);
        recorder.RecordJournal(
            change, person->message,
            MethodName(kService, "CreateMemberClassification"), name,
            absl::StrCat(
                "Xếp loại chất lượng năm ", year, " của ",
                person->message.full_name(), ": ",
                record.classified()
                    ? LevelName(record.level())
                    : absl::StrCat("không xếp loại (",
                                   ReasonName(record.not_classified_reason()),
                                   ")")),
            "", {});
        change.journal.audit->set_etag_after(record.etag());
        return absl::OkStatus();
      });
}

absl::Status ClassificationServiceImpl::DoGetMemberClassification(
    const CallContext& call, const v1::GetMemberClassificationRequest& request,
    v1::MemberClassification& response) {
  FieldChecker check;
  auto [parent, year] = SplitRecordName(check, request.name(), "people/",
                                        kClassifications, "name");
  if (!check.ok()) return check.status();
  absl::StatusOr<StoredPerson> person =
      ReadPersonForRead(*context_, call, parent, "name");
  if (!person.ok()) return person.status();
  absl::StatusOr<Stored<v1::MemberClassification>> stored =
      context_->records().Get<v1::MemberClassification>(request.name());
  if (!stored.ok()) return stored.status();
  response = std::move(stored->message);
  ApplyEtag(response, stored->version);
  return absl::OkStatus();
}

absl::Status ClassificationServiceImpl::DoListMemberClassifications(
    const CallContext& call,
    const v1::ListMemberClassificationsRequest& request,
    v1::ListMemberClassificationsResponse& response) {
  int total = 0;
  absl::Status s = ListPersonRecords<v1::MemberClassification>(
      *context_, call, request, kClassifications,
      response.mutable_classifications(), response.mutable_next_page_token(),
      &total);
  response.set_total_size(total);
  return s;
}

absl::Status ClassificationServiceImpl::DoUpdateMemberClassification(
    const CallContext& call,
    const v1::UpdateMemberClassificationRequest& request,
    v1::MemberClassification& response) {
  if (absl::Status s =
          RequireRecorder(call.principal, "Updating a classification");
      !s.ok()) {
    return s;
  }
  const v1::MemberClassification& in = request.classification();
  FieldChecker check;
  auto [parent, year] = SplitRecordName(
      check, in.name(), "people/", kClassifications, "classification.name");
  CheckMask(check, request.update_mask(),
            {"classified", "not_classified_reason", "criteria",
             "all_tasks_completed", "triggers", "level", "self_assessment",
             "evidence", "decision", "state"});
  if (!check.ok()) return check.status();
  absl::StatusOr<StoredPerson> person =
      ReadPersonForChange(*context_, call, parent, "classification.name");
  if (!person.ok()) return person.status();
  absl::StatusOr<const v1::RuleSet*> rules = RulesForYear(*context_, year);
  if (!rules.ok()) return rules.status();
  return IdempotentChange(
      context_->redis(), context_->prefix(), "UpdateMemberClassification",
      request.request_id(), request, response, [&](Change& change) {
        absl::StatusOr<Stored<v1::MemberClassification>> stored =
            context_->records().Get<v1::MemberClassification>(in.name());
        if (!stored.ok()) return stored.status();
        if (absl::Status s = CheckEtag(in.etag(), stored->version, in.name());
            !s.ok()) {
          return s;
        }
        const v1::MemberClassification& before = stored->message;
        // A decided classification is changed only as a correction, with
        // its reason (classification.proto).
        if (before.state() == v1::CLASSIFICATION_STATE_DECIDED &&
            request.reason().empty()) {
          return InvalidField("reason",
                              "is required to change a DECIDED "
                              "classification");
        }
        v1::MemberClassification record = before;
        const auto& mask = request.update_mask();
        if (InMask(mask, "classified")) record.set_classified(in.classified());
        if (InMask(mask, "not_classified_reason")) {
          record.set_not_classified_reason(in.not_classified_reason());
        }
        if (InMask(mask, "criteria"))
          *record.mutable_criteria() = in.criteria();
        if (InMask(mask, "all_tasks_completed")) {
          record.set_all_tasks_completed(in.all_tasks_completed());
        }
        if (InMask(mask, "triggers"))
          *record.mutable_triggers() = in.triggers();
        if (InMask(mask, "level")) record.set_level(in.level());
        if (InMask(mask, "self_assessment")) {
          record.set_self_assessment(in.self_assessment());
        }
        if (InMask(mask, "evidence"))
          *record.mutable_evidence() = in.evidence();
        if (InMask(mask, "decision"))
          *record.mutable_decision() = in.decision();
        if (InMask(mask, "state")) record.set_state(in.state());
        if (before.state() == v1::CLASSIFICATION_STATE_DECIDED &&
            record.state() == v1::CLASSIFICATION_STATE_DRAFT) {
          return RulesViolated(
              {{"classification.decided_final", in.name(),
                "Xếp loại đã được quyết định không thể trở lại dự thảo; "
                "hãy sửa trực tiếp kèm lý do."}});
        }
        FieldChecker fields;
        CheckClassificationFields(fields, MemberJudged(record),
                                  "classification");
        if (!fields.ok()) return fields.status();
        if (absl::Status s =
                PrepareMember(record, person->message, year, **rules);
            !s.ok()) {
          return s;
        }
        Change* staged = request.validate_only() ? nullptr : &change;
        if (absl::Status s = MemberCap(*context_, person->message, record, year,
                                       **rules, staged);
            !s.ok()) {
          return s;
        }
        PersonChangeRecorder recorder(*context_, call, request.request_id(),
                                      request.reason());
        *record.mutable_update_stamp() = recorder.stamp();
        if (request.validate_only()) {
          response = record;
          ApplyEtag(response, stored->version);
          return absl::OkStatus();
        }
        record.set_etag(EtagOf(stored->version + 1));
        response = record;
        recorder.RecordResource(change, person->message, in.name(),
                                stored->version, record, kClassifications);
        recorder.RecordJournal(
            change, person->message,
            MethodName(kService, "UpdateMemberClassification"), in.name(),
            absl::StrCat("Cập nhật xếp loại chất lượng năm ", year, " của ",
                         person->message.full_name(), ": ",
                         record.classified() ? LevelName(record.level())
                                             : "không xếp loại"),
            EtagOf(stored->version), {});
        change.journal.audit->set_etag_after(record.etag());
        return absl::OkStatus();
      });
}

absl::Status ClassificationServiceImpl::DoCreateOrganizationClassification(
    const CallContext& call,
    const v1::CreateOrganizationClassificationRequest& request,
    v1::OrganizationClassification& response) {
  if (absl::Status s =
          RequireRecorder(call.principal, "Recording a classification");
      !s.ok()) {
    return s;
  }
  FieldChecker check;
  CheckOrganizationRef(check, request.parent(), "parent");
  const int year = ParseYear(check, request.classification_id(),
                             "classification_id", Today().year());
  if (!request.has_classification()) {
    check.Add("classification", "is required");
  }
  v1::OrganizationClassification record = request.classification();
  CheckClassificationFields(check, OrganizationJudged(record),
                            "classification");
  if (record.has_admission_results()) {
    CheckAdmissionResultsFields(check, record.admission_results(),
                                "classification.admission_results");
  }
  if (!check.ok()) return check.status();
  absl::StatusOr<StoredOrganization> org =
      ReadOrganization(*context_, call, request.parent(), "parent");
  if (!org.ok()) return org.status();
  if (absl::Status s = RequireCommitteeAbove(call, org->organization);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<const v1::RuleSet*> rules = RulesForYear(*context_, year);
  if (!rules.ok()) return rules.status();
  const std::string name =
      absl::StrCat(request.parent(), "/", kClassifications, "/", year);
  return IdempotentChange(
      context_->redis(), context_->prefix(), "CreateOrganizationClassification",
      request.request_id(), request, response, [&](Change& change) {
        absl::StatusOr<Stored<v1::OrganizationClassification>> existing =
            context_->records().Get<v1::OrganizationClassification>(name);
        if (existing.ok()) {
          return absl::AlreadyExistsError(absl::StrCat(
              name,
              " already exists: an organisation is classified once a "
              "year; update it instead"));
        }
        if (!absl::IsNotFound(existing.status())) return existing.status();
        record.set_name(name);
        record.set_year(year);
        record.clear_etag();
        if (absl::Status s = CountAdmissionResults(*context_, org->organization,
                                                   year, record);
            !s.ok()) {
          return s;
        }
        if (absl::Status s = PrepareOrganization(record, **rules); !s.ok()) {
          return s;
        }
        Change* staged = request.validate_only() ? nullptr : &change;
        if (absl::Status s = OrganizationCap(*context_, org->organization,
                                             record, year, **rules, staged);
            !s.ok()) {
          return s;
        }
        const common::v1::ChangeStamp stamp =
            Stamp(call, request.request_id(), "");
        *record.mutable_create_stamp() = stamp;
        *record.mutable_update_stamp() = stamp;
        if (request.validate_only()) {
          response = record;
          return absl::OkStatus();
        }
        record.set_etag(EtagOf(1));
        response = record;
        RecordOrganizationResource(
            *context_, change, org->organization, name, 0, record,
            MethodName(kService, "CreateOrganizationClassification"), stamp,
            absl::StrCat("Xếp loại chất lượng năm ", year, " của ",
                         org->organization.display_name(), ": ",
                         record.classified() ? LevelName(record.level())
                                             : "không xếp loại"));
        return absl::OkStatus();
      });
}

absl::Status ClassificationServiceImpl::DoGetOrganizationClassification(
    const CallContext& call,
    const v1::GetOrganizationClassificationRequest& request,
    v1::OrganizationClassification& response) {
  FieldChecker check;
  auto [parent, year] = SplitRecordName(check, request.name(), "organizations/",
                                        kClassifications, "name");
  if (!check.ok()) return check.status();
  absl::StatusOr<StoredOrganization> org =
      ReadOrganization(*context_, call, parent, "name");
  if (!org.ok()) return org.status();
  absl::StatusOr<Stored<v1::OrganizationClassification>> stored =
      context_->records().Get<v1::OrganizationClassification>(request.name());
  if (!stored.ok()) return stored.status();
  response = std::move(stored->message);
  ApplyEtag(response, stored->version);
  return absl::OkStatus();
}

absl::Status ClassificationServiceImpl::DoListOrganizationClassifications(
    const CallContext& call,
    const v1::ListOrganizationClassificationsRequest& request,
    v1::ListOrganizationClassificationsResponse& response) {
  FieldChecker check;
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) check.Add("page_size", page_size.status().message());
  if (!request.filter().empty()) {
    check.Add("filter", "is not supported yet; use year");
  }
  CheckOrganizationRef(check, request.parent(), "parent");
  if (!check.ok()) return check.status();
  const std::string fingerprint = RequestFingerprint(request);
  absl::StatusOr<std::string> cursor =
      DecodePageToken(request.page_token(), fingerprint);
  if (!cursor.ok()) return cursor.status();
  absl::StatusOr<StoredOrganization> org =
      ReadOrganization(*context_, call, request.parent(), "parent");
  if (!org.ok()) return org.status();
  std::vector<std::string> ids = {OrganizationId(request.parent())};
  if (request.include_descendants()) {
    absl::StatusOr<std::vector<std::string>> sub =
        context_->organizations().SubtreeIds(org->organization);
    if (!sub.ok()) return sub.status();
    ids = *sub;
  }
  std::vector<std::string> names;
  for (const auto& id : ids) {
    const std::string org_name = absl::StrCat("organizations/", id);
    absl::StatusOr<std::vector<std::string>> all = context_->records().All(
        context_->records().CollectionKey(org_name, kClassifications));
    if (!all.ok()) return all.status();
    for (const auto& y : *all) {
      if (request.year() != 0 && y != absl::StrCat(request.year())) continue;
      names.push_back(absl::StrCat(org_name, "/", kClassifications, "/", y));
    }
  }
  std::sort(names.begin(), names.end());
  response.set_total_size(static_cast<int>(names.size()));
  const std::vector<std::string> page =
      PageAfter(names, *cursor, *page_size, fingerprint,
                response.mutable_next_page_token());
  absl::StatusOr<std::vector<Stored<v1::OrganizationClassification>>> records =
      context_->records().GetMany<v1::OrganizationClassification>(page);
  if (!records.ok()) return records.status();
  for (auto& r : *records) {
    *response.add_classifications() = std::move(r.message);
  }
  return absl::OkStatus();
}

absl::Status ClassificationServiceImpl::DoUpdateOrganizationClassification(
    const CallContext& call,
    const v1::UpdateOrganizationClassificationRequest& request,
    v1::OrganizationClassification& response) {
  if (absl::Status s =
          RequireRecorder(call.principal, "Updating a classification");
      !s.ok()) {
    return s;
  }
  const v1::OrganizationClassification& in = request.classification();
  FieldChecker check;
  auto [parent, year] =
      SplitRecordName(check, in.name(), "organizations/", kClassifications,
                      "classification.name");
  CheckMask(
      check, request.update_mask(),
      {"classified", "not_classified_reason", "criteria", "all_tasks_completed",
       "triggers", "level", "admission_results", "decision", "state"});
  if (InMask(request.update_mask(), "admission_results") &&
      in.has_admission_results()) {
    CheckAdmissionResultsFields(check, in.admission_results(),
                                "classification.admission_results");
  }
  if (!check.ok()) return check.status();
  absl::StatusOr<StoredOrganization> org =
      ReadOrganization(*context_, call, parent, "classification.name");
  if (!org.ok()) return org.status();
  if (absl::Status s = RequireCommitteeAbove(call, org->organization);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<const v1::RuleSet*> rules = RulesForYear(*context_, year);
  if (!rules.ok()) return rules.status();
  return IdempotentChange(
      context_->redis(), context_->prefix(), "UpdateOrganizationClassification",
      request.request_id(), request, response, [&](Change& change) {
        absl::StatusOr<Stored<v1::OrganizationClassification>> stored =
            context_->records().Get<v1::OrganizationClassification>(in.name());
        if (!stored.ok()) return stored.status();
        if (absl::Status s = CheckEtag(in.etag(), stored->version, in.name());
            !s.ok()) {
          return s;
        }
        const v1::OrganizationClassification& before = stored->message;
        if (before.state() == v1::CLASSIFICATION_STATE_DECIDED &&
            request.reason().empty()) {
          return InvalidField("reason",
                              "is required to change a DECIDED "
                              "classification");
        }
        v1::OrganizationClassification record = before;
        const auto& mask = request.update_mask();
        if (InMask(mask, "classified")) record.set_classified(in.classified());
        if (InMask(mask, "not_classified_reason")) {
          record.set_not_classified_reason(in.not_classified_reason());
        }
        if (InMask(mask, "criteria"))
          *record.mutable_criteria() = in.criteria();
        if (InMask(mask, "all_tasks_completed")) {
          record.set_all_tasks_completed(in.all_tasks_completed());
        }
        if (InMask(mask, "triggers"))
          *record.mutable_triggers() = in.triggers();
        if (InMask(mask, "level")) record.set_level(in.level());
        if (InMask(mask, "admission_results")) {
          *record.mutable_admission_results() = in.admission_results();
        }
        if (InMask(mask, "decision"))
          *record.mutable_decision() = in.decision();
        if (InMask(mask, "state")) record.set_state(in.state());
        if (before.state() == v1::CLASSIFICATION_STATE_DECIDED &&
            record.state() == v1::CLASSIFICATION_STATE_DRAFT) {
          return RulesViolated(
              {{"classification.decided_final", in.name(),
                "Xếp loại đã được quyết định không thể trở lại dự thảo; "
                "hãy sửa trực tiếp kèm lý do."}});
        }
        FieldChecker fields;
        CheckClassificationFields(fields, OrganizationJudged(record),
                                  "classification");
        if (!fields.ok()) return fields.status();
        // Recounted whenever the criterion is rewritten: the count is the
        // records' on the day of the change.
        if (InMask(mask, "admission_results")) {
          if (absl::Status s = CountAdmissionResults(
                  *context_, org->organization, year, record);
              !s.ok()) {
            return s;
          }
        }
        if (absl::Status s = PrepareOrganization(record, **rules); !s.ok()) {
          return s;
        }
        Change* staged = request.validate_only() ? nullptr : &change;
        if (absl::Status s = OrganizationCap(*context_, org->organization,
                                             record, year, **rules, staged);
            !s.ok()) {
          return s;
        }
        const common::v1::ChangeStamp stamp =
            Stamp(call, request.request_id(), request.reason());
        *record.mutable_update_stamp() = stamp;
        if (request.validate_only()) {
          response = record;
          ApplyEtag(response, stored->version);
          return absl::OkStatus();
        }
        record.set_etag(EtagOf(stored->version + 1));
        response = record;
        RecordOrganizationResource(
            *context_, change, org->organization, in.name(), stored->version,
            record, MethodName(kService, "UpdateOrganizationClassification"),
            stamp,
            absl::StrCat("Cập nhật xếp loại chất lượng năm ", year, " của ",
                         org->organization.display_name()));
        return absl::OkStatus();
      });
}

absl::Status ClassificationServiceImpl::DoCheckClassificationCap(
    const CallContext& call, const v1::CheckClassificationCapRequest& request,
    v1::ClassificationCapCheck& response) {
  FieldChecker check;
  CheckOrganizationRef(check, request.organization(), "organization");
  if (request.year() < kFirstYear || request.year() > Today().year()) {
    check.Add("year", absl::StrCat("is required, from ", kFirstYear, " to ",
                                   Today().year()));
  }
  if (request.subject() != v1::CLASSIFICATION_SUBJECT_MEMBERS &&
      request.subject() != v1::CLASSIFICATION_SUBJECT_ORGANIZATIONS) {
    check.Add("subject", "is required (MEMBERS or ORGANIZATIONS)");
  }
  if (!check.ok()) return check.status();
  absl::StatusOr<StoredOrganization> org =
      ReadOrganization(*context_, call, request.organization(), "organization");
  if (!org.ok()) return org.status();
  absl::StatusOr<const v1::RuleSet*> rules =
      RulesForYear(*context_, request.year());
  if (!rules.ok()) return rules.status();
  std::vector<domain::RatedRecord> records;
  if (request.subject() == v1::CLASSIFICATION_SUBJECT_MEMBERS) {
    absl::StatusOr<std::vector<std::string>> ids =
        context_->organizations().SubtreeIds(org->organization);
    if (!ids.ok()) return ids.status();
    absl::StatusOr<std::vector<Stored<v1::MemberClassification>>> all =
        MemberClassificationsOf(*context_, *ids, request.year());
    if (!all.ok()) return all.status();
    for (const auto& s : *all) {
      records.push_back(
          Rated(s.message.classified(), s.message.level(), s.message.state()));
    }
  } else {
    const std::string suffix =
        absl::StrCat("/", kClassifications, "/", request.year());
    absl::StatusOr<std::vector<std::string>> names =
        context_->records().All(context_->records().OrganizationIndexKey(
            OrganizationId(request.organization()), kChildClassifications));
    if (!names.ok()) return names.status();
    std::vector<std::string> of_year;
    for (auto& n : *names) {
      if (absl::EndsWith(n, suffix)) of_year.push_back(n);
    }
    absl::StatusOr<std::vector<Stored<v1::OrganizationClassification>>> all =
        context_->records().GetMany<v1::OrganizationClassification>(of_year);
    if (!all.ok()) return all.status();
    for (const auto& s : *all) {
      records.push_back(
          Rated(s.message.classified(), s.message.level(), s.message.state()));
    }
  }
  response = domain::CheckExcellentCap(records, (*rules)->classification());
  response.set_organization(request.organization());
  response.set_year(request.year());
  response.set_subject(request.subject());
  response.set_rule_set((*rules)->name());
  return absl::OkStatus();
}

absl::Status ClassificationServiceImpl::DoCreateActionProgramme(
    const CallContext& call, const v1::CreateActionProgrammeRequest& request,
    v1::ActionProgramme& response) {
  if (absl::Status s =
          RequireRecorder(call.principal, "Registering an action programme");
      !s.ok()) {
    return s;
  }
  FieldChecker check;
  CheckPersonName(check, request.parent(), "parent");
  // A programme may be registered for the coming year in December.
  const int year = ParseYear(check, request.action_programme_id(),
                             "action_programme_id", Today().year() + 1);
  if (!request.has_action_programme()) {
    check.Add("action_programme", "is required");
  }
  v1::ActionProgramme record = request.action_programme();
  CheckProgramme(check, record, "action_programme", true, true);
  if (!check.ok()) return check.status();
  absl::StatusOr<StoredPerson> person =
      ReadPersonForChange(*context_, call, request.parent(), "parent");
  if (!person.ok()) return person.status();
  absl::StatusOr<const v1::RuleSet*> rules =
      context_->rules()(record.registered_on());
  if (!rules.ok()) return rules.status();
  const std::string name =
      absl::StrCat(request.parent(), "/", kActionProgrammes, "/", year);
  return IdempotentChange(
      context_->redis(), context_->prefix(), "CreateActionProgramme",
      request.request_id(), request, response, [&](Change& change) {
        if (absl::Status s = RequireMember(
                person->message, **rules, "action_programme.members_only",
                "đăng ký chương trình hành động hàng năm");
            !s.ok()) {
          return s;
        }
        absl::StatusOr<Stored<v1::ActionProgramme>> existing =
            context_->records().Get<v1::ActionProgramme>(name);
        if (existing.ok()) {
          return absl::AlreadyExistsError(
              absl::StrCat(name,
                           " already exists: a member registers one action "
                           "programme a year; amend it instead"));
        }
        if (!absl::IsNotFound(existing.status())) return existing.status();
        record.set_name(name);
        record.set_year(year);
        if (absl::Status s = CheckRegistrationDate(record, year, **rules);
            !s.ok()) {
          return s;
        }
        // Results and outcomes are output only until the evaluation.
        for (auto& c : *record.mutable_commitments()) {
          c.clear_result();
          c.clear_outcome();
        }
        record.clear_evaluation();
        record.set_state(v1::ACTION_PROGRAMME_STATE_REGISTERED);
        record.set_organization(person->message.organization());
        record.clear_etag();
        PersonChangeRecorder recorder(*context_, call, request.request_id(),
                                      "");
        *record.mutable_create_stamp() = recorder.stamp();
        *record.mutable_update_stamp() = recorder.stamp();
        if (request.validate_only()) {
          response = record;
          return absl::OkStatus();
        }
        record.set_etag(EtagOf(1));
        response = record;
        recorder.RecordResource(change, person->message, name, 0, record,
                                kActionProgrammes);
        recorder.RecordJournal(
            change, person->message,
            MethodName(kService, "CreateActionProgramme"), name,
            absl::StrCat("Đăng ký chương trình hành động năm ", year, " của ",
                         person->message.full_name(), " (",
                         record.commitments_size(), " nội dung)"),
            "", {});
        change.journal.audit->set_etag_after(record.etag());
        return absl::OkStatus();
      });
}

absl::Status ClassificationServiceImpl::DoGetActionProgramme(
    const CallContext& call, const v1::GetActionProgrammeRequest& request,
    v1::ActionProgramme& response) {
  FieldChecker check;
  auto [parent, year] = SplitRecordName(check, request.name(), "people/",
                                        kActionProgrammes, "name");
  if (!check.ok()) return check.status();
  absl::StatusOr<StoredPerson> person =
      ReadPersonForRead(*context_, call, parent, "name");
  if (!person.ok()) return person.status();
  absl::StatusOr<Stored<v1::ActionProgramme>> stored =
      context_->records().Get<v1::ActionProgramme>(request.name());
  if (!stored.ok()) return stored.status();
  response = std::move(stored->message);
  ApplyEtag(response, stored->version);
  return absl::OkStatus();
}

absl::Status ClassificationServiceImpl::DoListActionProgrammes(
    const CallContext& call, const v1::ListActionProgrammesRequest& request,
    v1::ListActionProgrammesResponse& response) {
  int total = 0;
  absl::Status s = ListPersonRecords<v1::ActionProgramme>(
      *context_, call, request, kActionProgrammes,
      response.mutable_action_programmes(), response.mutable_next_page_token(),
      &total);
  response.set_total_size(total);
  return s;
}

namespace {

// The evaluated state is read-only (action_programmes.proto).
absl::Status RequireRegistered(const v1::ActionProgramme& p,
                               absl::string_view what) {
  if (p.state() == v1::ACTION_PROGRAMME_STATE_REGISTERED) {
    return absl::OkStatus();
  }
  return RulesViolated(
      {{"action_programme.registered", p.name(),
        absl::StrCat("Chương trình hành động năm ", p.year(),
                     " đã được kiểm điểm, đánh giá; không thể ", what, ".")}});
}

}  // namespace

absl::Status ClassificationServiceImpl::DoUpdateActionProgramme(
    const CallContext& call, const v1::UpdateActionProgrammeRequest& request,
    v1::ActionProgramme& response) {
  if (absl::Status s =
          RequireRecorder(call.principal, "Amending an action programme");
      !s.ok()) {
    return s;
  }
  const v1::ActionProgramme& in = request.action_programme();
  FieldChecker check;
  auto [parent, year] = SplitRecordName(
      check, in.name(), "people/", kActionProgrammes, "action_programme.name");
  CheckMask(check, request.update_mask(), {"commitments", "registered_on"});
  CheckProgramme(check, in, "action_programme",
                 InMask(request.update_mask(), "commitments"),
                 InMask(request.update_mask(), "registered_on"));
  if (!check.ok()) return check.status();
  absl::StatusOr<StoredPerson> person =
      ReadPersonForChange(*context_, call, parent, "action_programme.name");
  if (!person.ok()) return person.status();
  return IdempotentChange(
      context_->redis(), context_->prefix(), "UpdateActionProgramme",
      request.request_id(), request, response, [&](Change& change) {
        absl::StatusOr<Stored<v1::ActionProgramme>> stored =
            context_->records().Get<v1::ActionProgramme>(in.name());
        if (!stored.ok()) return stored.status();
        if (absl::Status s = CheckEtag(in.etag(), stored->version, in.name());
            !s.ok()) {
          return s;
        }
        if (absl::Status s = RequireRegistered(stored->message, "sửa đổi");
            !s.ok()) {
          return s;
        }
        v1::ActionProgramme record = stored->message;
        if (InMask(request.update_mask(), "commitments")) {
          *record.mutable_commitments() = in.commitments();
          for (auto& c : *record.mutable_commitments()) {
            c.clear_result();
            c.clear_outcome();
          }
        }
        if (InMask(request.update_mask(), "registered_on")) {
          *record.mutable_registered_on() = in.registered_on();
        }
        absl::StatusOr<const v1::RuleSet*> rules =
            context_->rules()(record.registered_on());
        if (!rules.ok()) return rules.status();
        if (absl::Status s = CheckRegistrationDate(record, year, **rules);
            !s.ok()) {
          return s;
        }
        PersonChangeRecorder recorder(*context_, call, request.request_id(),
                                      request.reason());
        *record.mutable_update_stamp() = recorder.stamp();
        if (request.validate_only()) {
          response = record;
          ApplyEtag(response, stored->version);
          return absl::OkStatus();
        }
        record.set_etag(EtagOf(stored->version + 1));
        response = record;
        recorder.RecordResource(change, person->message, in.name(),
                                stored->version, record, kActionProgrammes);
        recorder.RecordJournal(
            change, person->message,
            MethodName(kService, "UpdateActionProgramme"), in.name(),
            absl::StrCat("Sửa chương trình hành động năm ", year, " của ",
                         person->message.full_name()),
            EtagOf(stored->version), {});
        change.journal.audit->set_etag_after(record.etag());
        return absl::OkStatus();
      });
}

absl::Status ClassificationServiceImpl::DoEvaluateActionProgramme(
    const CallContext& call, const v1::EvaluateActionProgrammeRequest& request,
    v1::ActionProgramme& response) {
  if (absl::Status s =
          RequireRecorder(call.principal, "Evaluating an action programme");
      !s.ok()) {
    return s;
  }
  FieldChecker check;
  auto [parent, year] = SplitRecordName(check, request.name(), "people/",
                                        kActionProgrammes, "name");
  const v1::ActionProgrammeEvaluation& ev = request.evaluation();
  if (ev.outcome() < v1::COMMITMENT_OUTCOME_FULFILLED ||
      ev.outcome() > v1::COMMITMENT_OUTCOME_NOT_FULFILLED) {
    check.Add("evaluation.outcome", "is required");
  }
  if (ev.comment().empty()) check.Add("evaluation.comment", "is required");
  if (IsUnset(ev.evaluated_on())) {
    check.Add("evaluation.evaluated_on", "is required");
  } else {
    CheckDate(ev.evaluated_on(), "evaluation.evaluated_on", check);
  }
  for (int i = 0; i < request.results_size(); ++i) {
    const v1::CommitmentResult& r = request.results(i);
    if (r.result().empty()) {
      check.Add(absl::StrCat("results[", i, "].result"), "is required");
    }
    if (r.outcome() < v1::COMMITMENT_OUTCOME_FULFILLED ||
        r.outcome() > v1::COMMITMENT_OUTCOME_NOT_FULFILLED) {
      check.Add(absl::StrCat("results[", i, "].outcome"), "is required");
    }
  }
  if (!check.ok()) return check.status();
  absl::StatusOr<StoredPerson> person =
      ReadPersonForChange(*context_, call, parent, "name");
  if (!person.ok()) return person.status();
  return IdempotentChange(
      context_->redis(), context_->prefix(), "EvaluateActionProgramme",
      request.request_id(), request, response, [&](Change& change) {
        // Evaluation only after registration: an unregistered programme is
        // NOT_FOUND, an evaluated one is read-only.
        absl::StatusOr<Stored<v1::ActionProgramme>> stored =
            context_->records().Get<v1::ActionProgramme>(request.name());
        if (absl::IsNotFound(stored.status())) {
          return RulesViolated(
              {{"action_programme.registered", request.name(),
                absl::StrCat(person->message.full_name(),
                             " chưa đăng ký chương trình hành động năm ", year,
                             "; chỉ đánh giá được chương trình đã đăng ký.")}});
        }
        if (!stored.ok()) return stored.status();
        if (absl::Status s =
                CheckEtag(request.etag(), stored->version, request.name());
            !s.ok()) {
          return s;
        }
        if (absl::Status s = RequireRegistered(stored->message, "đánh giá lại");
            !s.ok()) {
          return s;
        }
        v1::ActionProgramme record = stored->message;
        FieldChecker results;
        std::vector<bool> seen(record.commitments_size(), false);
        for (int i = 0; i < request.results_size(); ++i) {
          const int index = request.results(i).index();
          if (index < 0 || index >= record.commitments_size()) {
            results.Add(absl::StrCat("results[", i, "].index"),
                        absl::StrCat("must be from 0 to ",
                                     record.commitments_size() - 1));
          } else if (seen[index]) {
            results.Add(absl::StrCat("results[", i, "].index"), "is repeated");
          } else {
            seen[index] = true;
          }
        }
        for (int i = 0; i < record.commitments_size(); ++i) {
          if (!seen[i]) {
            results.Add("results",
                        absl::StrCat("needs a result for commitment ", i));
          }
        }
        if (!results.ok()) return results.status();
        // The evaluation is of what was registered: not before the
        // registration, not in the future.
        const int evaluated = DayNumber(ev.evaluated_on());
        if (evaluated < DayNumber(record.registered_on()) ||
            evaluated > DayNumber(Today())) {
          return RulesViolated(
              {{"action_programme.evaluation_date", request.name(),
                absl::StrCat("Ngày đánh giá ", FormatDate(ev.evaluated_on()),
                             " phải sau ngày đăng ký ",
                             FormatDate(record.registered_on()),
                             " và không sau ngày hôm nay.")}});
        }
        for (const auto& r : request.results()) {
          auto* c = record.mutable_commitments(r.index());
          c->set_result(r.result());
          c->set_outcome(r.outcome());
        }
        *record.mutable_evaluation() = ev;
        record.set_state(v1::ACTION_PROGRAMME_STATE_EVALUATED);
        PersonChangeRecorder recorder(*context_, call, request.request_id(),
                                      "");
        *record.mutable_update_stamp() = recorder.stamp();
        if (request.validate_only()) {
          response = record;
          ApplyEtag(response, stored->version);
          return absl::OkStatus();
        }
        record.set_etag(EtagOf(stored->version + 1));
        response = record;
        recorder.RecordResource(change, person->message, request.name(),
                                stored->version, record, kActionProgrammes);
        recorder.RecordJournal(
            change, person->message,
            MethodName(kService, "EvaluateActionProgramme"), request.name(),
            absl::StrCat("Đánh giá chương trình hành động năm ", year, " của ",
                         person->message.full_name()),
            EtagOf(stored->version), {});
        change.journal.audit->set_etag_after(record.etag());
        return absl::OkStatus();
      });
}

}  // namespace partydev::membership
