#include "services/membership/domain/validity.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/dates.h"

namespace partydev::membership::domain {
namespace {

// Adds a violation when `what` (issued on `from`, valid `months`) is not
// valid on `on`.
void CheckValidOn(absl::string_view rule, absl::string_view subject,
                  absl::string_view what, const Date& from, int months,
                  absl::CivilDay on, Violations& unmet) {
  if (IsUnset(from) || !IsValidDate(from)) {
    unmet.Add(rule, subject, absl::StrCat("Hồ sơ còn thiếu: ", what));
    return;
  }
  const absl::CivilDay start = CivilDayOf(from);
  const absl::CivilDay until = ValidUntil(start, months);
  if (on < start) {
    unmet.Add(rule, subject,
              absl::StrCat(what, " đề ngày ", FormatDay(start),
                           ", sau ngày xét ", FormatDay(on)));
  } else if (on > until) {
    unmet.Add(
        rule, subject,
        absl::StrCat(what, " đề ngày ", FormatDay(start), " chỉ có giá trị ",
                     months, " tháng, đến hết ngày ", FormatDay(until),
                     "; ngày xét ", FormatDay(on), " đã hết hạn"));
  }
}

}  // namespace

absl::CivilDay CertificateValidUntil(const v1::TrainingCertificate& cert,
                                     const v1::RuleSet& rules) {
  return ValidUntil(CivilDayOf(cert.issued_on()),
                    rules.admission().certificate_validity_months());
}

absl::CivilDay ApplicationValidUntil(const v1::ApplicationRecord& application,
                                     const v1::RuleSet& rules) {
  absl::CivilDay start = CivilDayOf(application.filed_on());
  if (!IsUnset(application.background_form_on())) {
    start = std::min(start, CivilDayOf(application.background_form_on()));
  }
  return ValidUntil(start, rules.admission().application_validity_months());
}

absl::CivilDay IntroductionValidUntil(const v1::Introduction& introduction,
                                      const v1::RuleSet& rules) {
  return ValidUntil(CivilDayOf(introduction.introduced_on()),
                    rules.admission().introduction_validity_months());
}

absl::CivilDay BackgroundValidUntil(const v1::BackgroundVerification& bg,
                                    const v1::RuleSet& rules) {
  return ValidUntil(CivilDayOf(bg.concluded_on()),
                    rules.admission().background_validity_months());
}

void CheckDocumentsValid(const v1::Person& person, absl::CivilDay on,
                         const v1::RuleSet& rules, Violations& unmet) {
  const v1::Admission& a = person.admission();
  const v1::AdmissionRules& r = rules.admission();
  CheckValidOn("admission.certificate_validity_months",
               "admission.training_certificate",
               "Giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng",
               a.training_certificate().issued_on(),
               r.certificate_validity_months(), on, unmet);
  Date application_start = a.application().filed_on();
  if (!IsUnset(a.application().background_form_on()) &&
      IsValidDate(application_start) &&
      CivilDayOf(a.application().background_form_on()) <
          CivilDayOf(application_start)) {
    application_start = a.application().background_form_on();
  }
  CheckValidOn("admission.application_validity_months", "admission.application",
               "Đơn xin vào Đảng và lý lịch", application_start,
               r.application_validity_months(), on, unmet);
  if (a.introductions_size() == 0) {
    unmet.Add("admission.introduction_validity_months",
              "admission.introductions", "Hồ sơ chưa có giấy giới thiệu");
  }
  for (int i = 0; i < a.introductions_size(); ++i) {
    CheckValidOn("admission.introduction_validity_months",
                 absl::StrCat("admission.introductions[", i, "]"),
                 absl::StrCat("Giấy giới thiệu thứ ", i + 1),
                 a.introductions(i).introduced_on(),
                 r.introduction_validity_months(), on, unmet);
  }
  CheckValidOn("admission.background_validity_months", "admission.background",
               a.background().exempted() ? "Việc miễn thẩm tra lý lịch"
                                         : "Kết luận thẩm tra lý lịch",
               a.background().concluded_on(), r.background_validity_months(),
               on, unmet);
}

}  // namespace partydev::membership::domain
