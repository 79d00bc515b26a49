// File: services/notification/domain/reference_numbers.h
//
// Document references (số, ký hiệu văn bản) as party documents print them:
// "{number}-{type code}/{issuer code}", e.g. 06-CT/TU (directive number 6
// of the city committee), 1849-CV/ĐUK (official letter 1849 of the bloc
// committee), 12-KH/ĐUK. The number is zero-padded to the rule set's
// minimum digits (2: "06") and restarts at 01 for each document type in
// each issuing committee in each congress term (domain.md "Directives and
// official letters"; directives.proto DocumentType). Assigning the next
// number is the service's job (a counter per issuer, type and term); the
// formats, the codes and the restart rule are here.
//
//   absl::StatusOr<std::string> ref =
//       FormatReference(v1::DOCUMENT_TYPE_DIRECTIVE, 6, "TU", 2);  // 06-CT/TU
//   absl::StatusOr<ParsedReference> parsed = ParseReference("1849-CV/ĐUK");

#ifndef PARTYDEV_SERVICES_NOTIFICATION_DOMAIN_REFERENCE_NUMBERS_H_
#define PARTYDEV_SERVICES_NOTIFICATION_DOMAIN_REFERENCE_NUMBERS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "partydev/notification/v1/directives.pb.h"

namespace partydev::notification::domain {

// The type code of `type` ("CT", "CV", "QĐ", "TTr"...); empty for
// UNSPECIFIED or an unknown value.
absl::string_view DocumentTypeCode(v1::DocumentType type);

// The type whose code is `code` (exact, UTF-8: "QĐ" with Đ U+0110);
// UNSPECIFIED when none.
v1::DocumentType DocumentTypeOfCode(absl::string_view code);

// The type's name as printed above the subject of documents that are not
// letters ("CHỈ THỊ", "NGHỊ QUYẾT"); empty for OFFICIAL_LETTER (a letter
// prints "V/v ..." instead) and UNSPECIFIED.
absl::string_view DocumentTypeTitle(v1::DocumentType type);

// OK when `code` is a valid issuer code: 1..16 characters, each an
// uppercase ASCII letter, a digit, or Đ (U+0110) — "TU", "HU", "ĐU", "ĐUK",
// "CB", "BTCTW", "VPTW". INVALID_ARGUMENT naming `field` otherwise.
absl::Status ValidateIssuerCode(absl::string_view code,
                                absl::string_view field = "issuer_code");

// The reference "{number}-{code}/{issuer}", the number zero-padded to
// `min_digits` (directive_rules.reference_number_min_digits). Errors
// (INVALID_ARGUMENT naming the field): type unspecified or unknown
// ("document_type"), number < 1 ("number"), bad issuer code
// ("issuer_code"), min_digits outside 1..9 ("min_digits").
absl::StatusOr<std::string> FormatReference(v1::DocumentType type, int number,
                                            absl::string_view issuer_code,
                                            int min_digits);

// A reference taken apart.
struct ParsedReference {
  int number = 0;
  v1::DocumentType type = v1::DOCUMENT_TYPE_UNSPECIFIED;
  std::string issuer_code;
};

// Parses "06-CT/TU", "1849-CV/ĐUK", also with a leading "Số " as printed
// ("Số 06-CT/TU"). INVALID_ARGUMENT naming `field` when the shape is wrong,
// the number is not a positive decimal, the type code is unknown or the
// issuer code invalid.
absl::StatusOr<ParsedReference> ParseReference(
    absl::string_view reference, absl::string_view field = "reference");

// The numbering sequence a number belongs to: numbers restart at 01 for
// each (issuer organisation, type, term) when `restarts_each_term`
// (domain.md: yes), else for each (issuer organisation, type). The service
// keys its counter by this string, e.g.
// "organizations/tu-hcm|DOCUMENT_TYPE_DIRECTIVE|terms/2020-2025".
std::string NumberingSequence(absl::string_view issuing_organization,
                              v1::DocumentType type, absl::string_view term,
                              bool restarts_each_term);

}  // namespace partydev::notification::domain

#endif  // PARTYDEV_SERVICES_NOTIFICATION_DOMAIN_REFERENCE_NUMBERS_H_
