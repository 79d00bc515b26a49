// File: services/membership/person_filter.h
//
// ListPeople's AIP-160 filter (people.proto ListPeopleRequest.filter): terms
// over the person's own fields (gender, general_education, date_of_birth,
// first_admitted_on, official_on, party_age_months, dues.category), with
// common/filters.h, and terms over what the cell's life knows of a member
// (directive 06-CT/TU; Quy định 213-QĐ/TW), computed per person:
//
//   residence_registered = false        no ACTIVE residential registration
//   residential_comment_missing = 2026  registered, and no comments of the
//                                       residential cell for 2026
//   dues_unpaid_months >= 2             past months of this year unpaid
//   absent_months >= 2                  months of this year absent without
//                                       reason from the regular meeting
//
// so a secretary lists who has not registered where they live, whose
// comments are missing before the yearly classification, and who is
// drifting away.
//
//   absl::StatusOr<PersonFilter> filter =
//       PersonFilter::Parse(request.filter(), call.principal);
//   absl::StatusOr<bool> keep = filter->Matches(context, person, Today());

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_PERSON_FILTER_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_PERSON_FILTER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/filters.h"
#include "common/principal.h"
#include "partydev/common/v1/types.pb.h"
#include "partydev/membership/v1/people.pb.h"
#include "services/membership/membership_context.h"

namespace partydev::membership {

class PersonFilter {
 public:
  // Parses `text` (terms joined by AND). INVALID_ARGUMENT on `filter` for
  // a malformed term or an unknown field; PERMISSION_DENIED for a term on
  // date_of_birth without the personal_data role.
  static absl::StatusOr<PersonFilter> Parse(absl::string_view text,
                                            const Principal& caller);

  // True when no term was given.
  bool empty() const { return empty_; }

  // True when `person` satisfies every term, reading the cell-life facts
  // a term needs as of `today`.
  absl::StatusOr<bool> Matches(MembershipContext& context,
                               const v1::Person& person,
                               const common::v1::Date& today) const;

 private:
  // A term over a computed fact: `name op number` (booleans as 0 and 1).
  struct FactTerm {
    std::string name;
    std::string op;
    int64_t value = 0;
  };

  bool empty_ = true;
  Filter own_;
  std::vector<FactTerm> facts_;
};

}  // namespace partydev::membership

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_PERSON_FILTER_H_
