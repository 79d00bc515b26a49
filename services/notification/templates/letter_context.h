// File: services/notification/templates/letter_context.h
//
// The mustache context of the letter frame (template "letter-frame" and its
// partials "letter-header", "letter-signer", "letter-recipients") built from
// a Directive, so that Directive.rendered_text is the default template
// rendered with this context. The frame follows the seeds (06-CT/TU,
// 1849-CV/ĐUK): the issuing body lines and "ĐẢNG CỘNG SẢN VIỆT NAM", "Số
// 1849-CV/ĐUK", the place-and-date line, the type title and "về ..." (or
// "V/v ..." for a letter), "Kính gửi:" with the addressees, the body, the
// signer block ("T/M BAN THƯỜNG VỤ" / "BÍ THƯ" / name) and "Nơi nhận:"
// with "Như trên" for the addressees, "(báo cáo)" after bodies reported
// to, and "Lưu" before the archive copy.
//
// Variables (all strings unless noted):
//   issuing_body_lines  list of {line}
//   reference           "1849-CV/ĐUK" ("   -CV/ĐUK" on a draft)
//   dated_line          "Đà Lạt, ngày 17 tháng 9 năm 2023"
//   urgency_mark        "KHẨN", "THƯỢNG KHẨN", "HỎA TỐC" or ""
//   has_urgency         bool: urgency_mark is not empty
//   is_letter           bool: a công văn (subject printed "V/v ...")
//   type_title          "CHỈ THỊ" (empty for letters)
//   subject             "V/v đôn đốc ..." for letters, "về ..." otherwise
//   has_addressees      bool;  addressees  list of {label}
//   body                the body text
//   capacity_line       "T/M BAN THƯỜNG VỤ", "K/T BÍ THƯ" or ""
//   has_capacity        bool: capacity_line is not empty
//   signer_title, signer_name
//   recipient_lines     list of {text}: "Như trên", "Ban Thường vụ Tỉnh ủy
//                       (báo cáo)", ..., "Lưu VPĐUK"

#ifndef PARTYDEV_SERVICES_NOTIFICATION_TEMPLATES_LETTER_CONTEXT_H_
#define PARTYDEV_SERVICES_NOTIFICATION_TEMPLATES_LETTER_CONTEXT_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "nlohmann/json.hpp"
#include "partydev/notification/v1/directives.pb.h"

namespace partydev::notification::templates {

// The printed line of one recipient: "(báo cáo)" appended for REPORT_TO,
// "Lưu " prefixed for ARCHIVE (unless the label already says so); empty for
// an unlabelled continuation line.
std::string RecipientLine(const v1::DirectiveRecipient& recipient);

// The capacity line of a signer block: "T/M BAN THƯỜNG VỤ", "K/T BÍ THƯ",
// "T/L ...", "T/U ..."; empty for PERSONAL.
std::string CapacityLine(const v1::SignerBlock& signer);

// The context of the letter frame for `directive`, dated `signed_on` when
// the directive has no signing date.
nlohmann::json LetterContext(const v1::Directive& directive,
                             absl::CivilDay signed_on);

}  // namespace partydev::notification::templates

#endif  // PARTYDEV_SERVICES_NOTIFICATION_TEMPLATES_LETTER_CONTEXT_H_
