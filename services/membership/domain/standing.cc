#include "services/membership/domain/standing.h"

#include <vector>

#include "common/dates.h"
#include "partydev/membership/v1/pipeline.pb.h"

namespace partydev::membership::domain {
namespace {

namespace cv1 = ::partydev::common::v1;

// One dated act of a case and the stage it leads to.
struct Act {
  cv1::Stage stage;
  const cv1::Date* on;  // nullptr or unset: the record does not have it
};

const cv1::Date* FirstPassed(
    const google::protobuf::RepeatedPtrField<v1::Ballot>& ballots) {
  for (const v1::Ballot& b : ballots) {
    if (b.passed()) return &b.held_on();
  }
  return nullptr;
}

// The acts of a case in pipeline order (pipeline.h).
std::vector<Act> ActsOf(const v1::Admission& a) {
  const cv1::Date* introduced = nullptr;
  for (const v1::Introduction& i : a.introductions()) {
    if (introduced == nullptr ||
        CivilDayOf(i.introduced_on()) > CivilDayOf(*introduced)) {
      introduced = &i.introduced_on();
    }
  }
  return {
      {cv1::STAGE_SOURCED, &a.source().sourced_on()},
      {cv1::STAGE_MENTOR_ASSIGNED,
       a.mentors().empty() ? nullptr : &a.mentors(0).assigned_on()},
      {cv1::STAGE_TRAINING_PASSED, &a.training_certificate().issued_on()},
      {cv1::STAGE_APPLICATION_FILED, &a.application().filed_on()},
      {cv1::STAGE_BACKGROUND_VERIFIED, &a.background().concluded_on()},
      {cv1::STAGE_INTRODUCED, introduced},
      {cv1::STAGE_CELL_RESOLVED, FirstPassed(a.cell_ballots())},
      {cv1::STAGE_COMMITTEE_RESOLVED, FirstPassed(a.committee_ballots())},
      {cv1::STAGE_ADMISSION_DECIDED, &a.admission_decision().signed_on()},
      {cv1::STAGE_PROBATION, &a.ceremony_on()},
      {cv1::STAGE_OFFICIAL, &a.official_on()},
  };
}

bool Dated(const cv1::Date* on) {
  return on != nullptr && !IsUnset(*on) && IsValidDate(*on);
}

// The first dated act of a case: the day it began.
std::optional<absl::CivilDay> StartOf(const v1::Admission& a) {
  for (const Act& act : ActsOf(a)) {
    if (Dated(act.on)) return CivilDayOf(*act.on);
  }
  return std::nullopt;
}

// The stage of case `a` on `day`, or nullopt before it began.
std::optional<cv1::Stage> StageOfCase(const v1::Admission& a,
                                      absl::CivilDay day) {
  if (a.has_closure() && Dated(&a.closure().closed_on()) &&
      CivilDayOf(a.closure().closed_on()) <= day) {
    return a.closure().stage();
  }
  std::optional<cv1::Stage> stage;
  for (const Act& act : ActsOf(a)) {
    if (!Dated(act.on)) continue;  // an act this record does not have
    if (CivilDayOf(*act.on) > day) break;
    stage = act.stage;
  }
  return stage;
}

bool Covers(const v1::Affiliation& a, absl::CivilDay day) {
  if (!Dated(&a.starts_on()) || CivilDayOf(a.starts_on()) > day) return false;
  return !Dated(&a.ends_on()) || CivilDayOf(a.ends_on()) >= day;
}

}  // namespace

std::optional<Standing> StandingOn(const v1::Person& person,
                                   absl::CivilDay day) {
  // After a departure the record is as it is today.
  if (person.has_departure() && Dated(&person.departure().left_on()) &&
      CivilDayOf(person.departure().left_on()) <= day) {
    return Standing{person.stage(), person.status()};
  }
  // The latest case begun by `day`: the current one, else an earlier one.
  std::optional<cv1::Stage> stage;
  std::optional<absl::CivilDay> start = StartOf(person.admission());
  if (start.has_value() && *start <= day) {
    stage = StageOfCase(person.admission(), day);
  } else {
    for (int i = person.previous_admissions_size() - 1; i >= 0; --i) {
      const v1::Admission& earlier = person.previous_admissions(i);
      std::optional<absl::CivilDay> began = StartOf(earlier);
      if (began.has_value() && *began <= day) {
        stage = StageOfCase(earlier, day);
        break;
      }
    }
  }
  if (!stage.has_value()) return std::nullopt;
  Standing standing{*stage, v1::PERSON_STATUS_ACTIVE};
  switch (*stage) {
    case cv1::STAGE_WITHDRAWN:
    case cv1::STAGE_REJECTED:
    case cv1::STAGE_REMOVED_FROM_PROBATION:
      standing.status = v1::PERSON_STATUS_CLOSED;
      break;
    default:
      // Only an exemption from meetings too makes a member EXEMPT
      // (types.proto PERSON_STATUS_EXEMPT).
      if (person.has_exemption() &&
          person.exemption().scope() == v1::EXEMPTION_SCOPE_WORK_AND_MEETINGS &&
          Dated(&person.exemption().starts_on()) &&
          CivilDayOf(person.exemption().starts_on()) <= day &&
          (!Dated(&person.exemption().ends_on()) ||
           CivilDayOf(person.exemption().ends_on()) >= day)) {
        standing.status = v1::PERSON_STATUS_EXEMPT;
      }
      break;
  }
  return standing;
}

AffiliationsOn AffiliationOn(const v1::Person& person, absl::CivilDay day) {
  AffiliationsOn on;
  for (const v1::Affiliation& a : person.affiliations()) {
    if (!Covers(a, day)) continue;
    const std::string& name = a.organization();
    const size_t slash = name.rfind('/');
    std::string id = slash == std::string::npos ? name : name.substr(slash + 1);
    if (a.role() == v1::AFFILIATION_ROLE_TEMPORARY_HOST) {
      on.host = std::move(id);
    } else {
      on.home = std::move(id);
    }
  }
  return on;
}

}  // namespace partydev::membership::domain
