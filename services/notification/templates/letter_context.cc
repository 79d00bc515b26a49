#include "services/notification/templates/letter_context.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "services/notification/domain/reference_numbers.h"
#include "services/notification/domain/vietnamese_dates.h"

namespace partydev::notification::templates {
namespace {

absl::string_view UrgencyMark(v1::Urgency urgency) {
  switch (urgency) {
    case v1::URGENCY_URGENT:
      return "KHẨN";
    case v1::URGENCY_VERY_URGENT:
      return "THƯỢNG KHẨN";
    case v1::URGENCY_IMMEDIATE:
      return "HỎA TỐC";
    default:
      return "";
  }
}

}  // namespace

std::string RecipientLine(const v1::DirectiveRecipient& recipient) {
  if (recipient.label().empty()) return "";
  switch (recipient.purpose()) {
    case v1::RECIPIENT_PURPOSE_REPORT_TO:
      return absl::StrContains(recipient.label(), "báo cáo")
                 ? recipient.label()
                 : absl::StrCat(recipient.label(), " (báo cáo)");
    case v1::RECIPIENT_PURPOSE_ARCHIVE:
      return absl::StartsWith(recipient.label(), "Lưu")
                 ? recipient.label()
                 : absl::StrCat("Lưu ", recipient.label());
    default:
      return recipient.label();
  }
}

std::string CapacityLine(const v1::SignerBlock& signer) {
  absl::string_view prefix;
  switch (signer.capacity()) {
    case v1::SIGNING_CAPACITY_ON_BEHALF_OF:
      prefix = "T/M";
      break;
    case v1::SIGNING_CAPACITY_DEPUTY_FOR:
      prefix = "K/T";
      break;
    case v1::SIGNING_CAPACITY_BY_ORDER_OF:
      prefix = "T/L";
      break;
    case v1::SIGNING_CAPACITY_BY_DELEGATION:
      prefix = "T/U";
      break;
    default:
      return "";
  }
  return absl::StrCat(prefix, " ", signer.collective());
}

nlohmann::json LetterContext(const v1::Directive& directive,
                             absl::CivilDay signed_on) {
  nlohmann::json context = nlohmann::json::object();
  nlohmann::json header = nlohmann::json::array();
  for (const std::string& line : directive.issuing_body_lines()) {
    header.push_back({{"line", line}});
  }
  context["issuing_body_lines"] = header;
  context["reference"] =
      !directive.reference().empty()
          ? directive.reference()
          : absl::StrCat("    -",
                         domain::DocumentTypeCode(directive.document_type()),
                         "/", directive.issuer_code());
  const absl::CivilDay day = IsValidDate(directive.signed_on())
                                 ? CivilDayOf(directive.signed_on())
                                 : signed_on;
  context["dated_line"] = domain::DatedLine(directive.place(), day);
  context["urgency_mark"] = std::string(UrgencyMark(directive.urgency()));
  context["has_urgency"] = !UrgencyMark(directive.urgency()).empty();
  const bool letter =
      directive.document_type() == v1::DOCUMENT_TYPE_OFFICIAL_LETTER;
  context["is_letter"] = letter;
  context["type_title"] =
      std::string(domain::DocumentTypeTitle(directive.document_type()));
  std::string subject = directive.subject();
  if (letter && !absl::StartsWith(subject, "V/v")) {
    subject = absl::StrCat("V/v ", subject);
  }
  context["subject"] = subject;
  nlohmann::json addressees = nlohmann::json::array();
  nlohmann::json lines = nlohmann::json::array();
  for (const v1::DirectiveRecipient& r : directive.recipients()) {
    if (r.addressee()) {
      if (!r.label().empty()) addressees.push_back({{"label", r.label()}});
      continue;
    }
    std::string line = RecipientLine(r);
    if (!line.empty()) lines.push_back({{"text", line}});
  }
  if (!addressees.empty()) {
    lines.insert(lines.begin(), nlohmann::json{{"text", "Như trên"}});
  }
  context["has_addressees"] = !addressees.empty();
  context["addressees"] = addressees;
  context["body"] = directive.body();
  context["capacity_line"] = CapacityLine(directive.signer());
  context["has_capacity"] = !CapacityLine(directive.signer()).empty();
  context["signer_title"] = directive.signer().title();
  context["signer_name"] = directive.signer().signer_name();
  context["recipient_lines"] = lines;
  return context;
}

}  // namespace partydev::notification::templates
