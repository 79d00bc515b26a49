// File: services/membership/domain/admission_results.h
//
// Admission results as a criterion of an organisation's yearly
// classification (letter 1849-CV/ĐUK: "lấy kết quả kết nạp đảng viên làm
// tiêu chí đánh giá, xếp loại tổ chức đảng hằng năm"; domain.md "Yearly
// quality classification"), pure. Membership is the system of record of
// admissions, so the number admitted (OrganizationClassification
// .admission_results.admitted) is counted from the people's admission
// cases, never taken from the client; only the year's target comes from
// the client, who reads it from the quota service.
//
// An admission counts for year Y at organisation O when its decision
// (quyết định kết nạp) was signed in Y and the organisation the person
// belonged to on that day lies in O's subtree: the admissions quotad
// counts from membership's MemberAdmitted events under decision-date
// counting (services/quota/admission_ledger.h). Every admission case of a
// person counts (a re-admission too), as every MemberAdmitted does; a case
// closed before its decision (no signed decision) does not.
//
// Example:
//   int admitted = 0;
//   for (const v1::Person& p : people) {
//     admitted += AdmissionsInYear(p, 2025, [&](const std::string& org) {
//       return subtree.count(org) > 0;
//     });
//   }
//   std::vector<RuleViolation> unmet = CheckAdmittedFromRecords(
//       given.admitted(), admitted, record.name(), 2025);
//   if (unmet.empty()) ApplyAdmissionCount(admitted, given);

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_ADMISSION_RESULTS_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_ADMISSION_RESULTS_H_

#include <functional>
#include <string>
#include <vector>

#include "common/errors.h"
#include "partydev/membership/v1/classification.pb.h"
#include "partydev/membership/v1/people.pb.h"
#include "partydev/membership/v1/pipeline.pb.h"

namespace partydev::membership::domain {

// The rule id of a client-supplied `admitted` that is not the records'.
inline constexpr char kAdmissionResultsFromRecords[] =
    "classification.admission_results_from_records";

// The organisation ("organizations/{id}") `person` belonged to when the
// decision of `admission` was signed: the home affiliation open that day
// (the latest to start, when a transfer starts on the day), else the
// organisation that handled the case (a member entered into partydev has
// no affiliation before the registration), else the person's home.
std::string AdmittingOrganization(const v1::Person& person,
                                  const v1::Admission& admission);

// The admissions of `person` (its current and earlier admission cases)
// whose decision was signed in `year` at an organisation `counts_at`
// accepts.
int AdmissionsInYear(const v1::Person& person, int year,
                     const std::function<bool(const std::string&)>& counts_at);

// The rule kAdmissionResultsFromRecords: empty when `given` is 0 (not
// supplied) or equals `counted`, else one violation about `subject` naming
// both numbers.
std::vector<RuleViolation> CheckAdmittedFromRecords(int given, int counted,
                                                    const std::string& subject,
                                                    int year);

// Sets `criterion.admitted` to `counted` and derives the percent
// (admitted / target x 100; 0 without a target).
void ApplyAdmissionCount(int counted, v1::AdmissionResultsCriterion& criterion);

}  // namespace partydev::membership::domain

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_ADMISSION_RESULTS_H_
