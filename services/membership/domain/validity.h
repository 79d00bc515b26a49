// File: services/membership/domain/validity.h
//
// How long the documents of an admission case stay valid, and the check
// that they are still valid on the day the cell considers the case. The
// training certificate is commonly valid 60 months, the application and
// background form, the introductions and the background verification 12
// months (domain.md marks these numbers "unconfirmed": they come from the
// rule set, where each is cited and flagged). A document is valid up to and
// including the day AddMonths(start, months) (Civil Code art. 148; see
// dates.h).
//
// Example:
//   absl::CivilDay until = CertificateValidUntil(certificate, rules);
//   Violations unmet(rules);
//   CheckDocumentsValid(person, day_of_vote, rules, unmet);

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_VALIDITY_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_VALIDITY_H_

#include "absl/time/civil_time.h"
#include "partydev/membership/v1/people.pb.h"
#include "partydev/membership/v1/pipeline.pb.h"
#include "partydev/membership/v1/rules.pb.h"
#include "services/membership/domain/violations.h"

namespace partydev::membership::domain {

// Last valid day of a training certificate (from issued_on).
absl::CivilDay CertificateValidUntil(const v1::TrainingCertificate& cert,
                                     const v1::RuleSet& rules);

// Last valid day of an application and background form (from the earlier
// of filed_on and background_form_on: the older paper expires first).
absl::CivilDay ApplicationValidUntil(const v1::ApplicationRecord& application,
                                     const v1::RuleSet& rules);

// Last valid day of an introduction (from introduced_on).
absl::CivilDay IntroductionValidUntil(const v1::Introduction& introduction,
                                      const v1::RuleSet& rules);

// Last valid day of a background verification or its exemption (from
// concluded_on).
absl::CivilDay BackgroundValidUntil(const v1::BackgroundVerification& bg,
                                    const v1::RuleSet& rules);

// Adds a violation for each document of `person`'s admission case that is
// missing, or not valid on `on` (not yet issued, or expired): the
// certificate ("admission.certificate_validity_months"), the application
// ("admission.application_validity_months"), each introduction
// ("admission.introduction_validity_months") and the background
// ("admission.background_validity_months"). Dates of the case are assumed
// validated when they were recorded.
void CheckDocumentsValid(const v1::Person& person, absl::CivilDay on,
                         const v1::RuleSet& rules, Violations& unmet);

}  // namespace partydev::membership::domain

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_DOMAIN_VALIDITY_H_
