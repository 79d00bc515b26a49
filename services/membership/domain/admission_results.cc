#include "services/membership/domain/admission_results.h"

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "services/membership/domain/standing.h"

namespace partydev::membership::domain {

std::string AdmittingOrganization(const v1::Person& person,
                                  const v1::Admission& admission) {
  const std::string home =
      AffiliationOn(person,
                    CivilDayOf(admission.admission_decision().signed_on()))
          .home;
  if (!home.empty()) return "organizations/" + home;
  if (!admission.organization().empty()) return admission.organization();
  return person.organization();
}

int AdmissionsInYear(const v1::Person& person, int year,
                     const std::function<bool(const std::string&)>& counts_at) {
  auto counts = [&](const v1::Admission& a) {
    const Date& signed_on = a.admission_decision().signed_on();
    return !IsUnset(signed_on) && signed_on.year() == year &&
           counts_at(AdmittingOrganization(person, a));
  };
  int n = counts(person.admission()) ? 1 : 0;
  for (const v1::Admission& a : person.previous_admissions()) {
    if (counts(a)) ++n;
  }
  return n;
}

std::vector<RuleViolation> CheckAdmittedFromRecords(int given, int counted,
                                                    const std::string& subject,
                                                    int year) {
  if (given == 0 || given == counted) return {};
  return {{kAdmissionResultsFromRecords, subject,
           absl::StrCat(
               "Kết quả kết nạp đảng viên năm ", year,
               " là tiêu chí xếp loại tổ chức đảng (công văn 1849-CV/ĐUK) và "
               "được đếm từ hồ sơ đảng viên: hồ sơ ghi ",
               counted, " quyết định kết nạp ký trong năm, không phải ", given,
               " như đề nghị (admission_results.admitted ", given,
               " differs from the ", counted,
               " admissions on record; leave it 0 to have it filled).")}};
}

void ApplyAdmissionCount(int counted,
                         v1::AdmissionResultsCriterion& criterion) {
  criterion.set_admitted(counted);
  criterion.set_percent(
      criterion.target() > 0 ? 100.0 * counted / criterion.target() : 0);
}

}  // namespace partydev::membership::domain
