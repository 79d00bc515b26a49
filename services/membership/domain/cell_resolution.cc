#include "services/membership/domain/cell_resolution.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/errors.h"
#include "services/membership/domain/readmission.h"
#include "services/membership/domain/validity.h"

namespace partydev::membership::domain {
namespace {

std::string EducationTitle(v1::GeneralEducation education) {
  switch (education) {
    case v1::GENERAL_EDUCATION_LITERATE:
      return "biết đọc, biết viết";
    case v1::GENERAL_EDUCATION_PRIMARY:
      return "tiểu học";
    case v1::GENERAL_EDUCATION_LOWER_SECONDARY:
      return "trung học cơ sở";
    case v1::GENERAL_EDUCATION_UPPER_SECONDARY:
      return "trung học phổ thông";
    default:
      return "chưa ghi";
  }
}

}  // namespace

void CheckAge(const v1::Person& person, absl::CivilDay on,
              const std::vector<v1::AdmissionException>& exceptions,
              const v1::RuleSet& rules, Violations& unmet) {
  const v1::AdmissionRules& r = rules.admission();
  const absl::CivilDay born = CivilDayOf(person.date_of_birth());
  const int months = FullMonthsBetween(born, on);
  const std::string who = NameOr(person.full_name(), person.name());
  const absl::CivilDay eligible_from = AddMonths(born, r.min_age_months());
  const absl::CivilDay eligible_until = AddMonths(born, r.max_age_months());
  if (on < eligible_from) {
    unmet.Add("admission.min_age_months", person.name(),
              absl::StrCat("Quần chúng ", who, " sinh ngày ", FormatDay(born),
                           ", đến ngày chi bộ xét (", FormatDay(on), ") mới ",
                           FormatMonths(months), " tuổi; cần đủ ",
                           FormatMonths(r.min_age_months()), ", tức từ ngày ",
                           FormatDay(eligible_from)));
  }
  if (on > eligible_until &&
      FindActiveException(
          exceptions, v1::ADMISSION_EXCEPTION_KIND_OVER_AGE_LIMIT) == nullptr) {
    unmet.Add("admission.max_age_months", person.name(),
              absl::StrCat("Quần chúng ", who, " sinh ngày ", FormatDay(born),
                           ", đã quá ", FormatMonths(r.max_age_months()),
                           " tuổi từ ngày ", FormatDay(eligible_until + 1),
                           " (ngày chi bộ xét: ", FormatDay(on),
                           "); cần có ý kiến đồng ý của cấp ủy cấp ",
                           r.exception_approving_level()));
  }
}

void CheckEducation(const v1::Person& person,
                    const std::vector<v1::AdmissionException>& exceptions,
                    const v1::RuleSet& rules, Violations& unmet) {
  const v1::GeneralEducation minimum =
      rules.admission().min_general_education();
  if (person.general_education() >= minimum) return;
  if (FindActiveException(exceptions, v1::ADMISSION_EXCEPTION_KIND_EDUCATION) !=
      nullptr) {
    return;
  }
  unmet.Add("admission.min_general_education", person.name(),
            absl::StrCat("Trình độ giáo dục phổ thông của quần chúng: ",
                         EducationTitle(person.general_education()),
                         "; cần tốt nghiệp ", EducationTitle(minimum),
                         " trở lên, hoặc được cấp ủy cấp ",
                         rules.admission().exception_approving_level(),
                         " đồng ý theo diện ngoại lệ"));
}

absl::StatusOr<BallotOutcome> CheckCellResolution(
    const v1::Person& person, const v1::Ballot& ballot,
    const CellResolutionFacts& facts, const v1::RuleSet& rules) {
  if (absl::Status s = ValidateBallot(ballot, "ballot"); !s.ok()) return s;
  if (absl::Status s =
          ValidateDate(person.date_of_birth(), "person.date_of_birth");
      !s.ok()) {
    return s;
  }
  const absl::CivilDay on = CivilDayOf(ballot.held_on());
  Violations unmet(rules);
  CheckAge(person, on, facts.exceptions, rules, unmet);
  CheckEducation(person, facts.exceptions, rules, unmet);
  CheckDocumentsValid(person, on, rules, unmet);
  if (facts.readmission.has_value()) {
    unmet.Append(CheckReadmission(
        FindActiveException(facts.exceptions,
                            v1::ADMISSION_EXCEPTION_KIND_READMISSION),
        *facts.readmission, on, rules));
  }
  const int total = CountedTotal(facts.roll, rules.admission());
  CheckBallot(ballot, "ballot", total, "đảng viên chính thức của chi bộ",
              unmet);
  BallotOutcome outcome;
  Judge(ballot, total, rules.admission().cell_threshold(), outcome);
  outcome.unmet = unmet.Take();
  return outcome;
}

}  // namespace partydev::membership::domain
