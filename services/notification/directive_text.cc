#include "services/notification/directive_text.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "services/notification/templates/letter_context.h"
#include "services/notification/templates/template_renderer.h"

namespace partydev::notification {
namespace {

constexpr char kFrame[] = "letter-frame";

}  // namespace

DirectiveText::DirectiveText(TemplateStore& templates)
    : templates_(templates) {}

absl::StatusOr<std::string> DirectiveText::Document(
    const v1::Directive& directive, absl::CivilDay signed_on) {
  absl::StatusOr<CurrentTemplate> frame = templates_.GetCurrent(kFrame);
  if (!frame.ok()) return frame.status();
  if (frame->message.variants().empty()) {
    return absl::FailedPreconditionError("templates/letter-frame is empty");
  }
  absl::StatusOr<templates::Partials> partials = templates_.Partials(kFrame);
  if (!partials.ok()) return partials.status();
  absl::StatusOr<templates::Rendered> rendered =
      templates::RenderText(frame->message.variants(0).body_template(),
                            templates::LetterContext(directive, signed_on),
                            *partials, "templates/letter-frame");
  if (!rendered.ok()) return rendered.status();
  return std::move(rendered->text);
}

absl::StatusOr<std::string> DirectiveText::BodyFor(
    const v1::Directive& directive, const std::string& recipient_label,
    const google::protobuf::Map<std::string, std::string>& values,
    std::vector<std::string>* missing) {
  nlohmann::json context = nlohmann::json::object();
  for (const auto& [key, value] : values) context[key] = value;
  context["recipient_label"] = recipient_label;
  context["reference"] = directive.reference();
  context["dated_line"] = directive.dated_line();
  absl::StatusOr<templates::Rendered> rendered =
      templates::RenderText(directive.body(), context, {}, "directive.body");
  if (!rendered.ok()) return rendered.status();
  if (missing != nullptr) *missing = rendered->missing_variables;
  return std::move(rendered->text);
}

absl::StatusOr<std::string> DirectiveText::ForDelivery(
    const v1::Directive& directive, const v1::Delivery& delivery,
    absl::CivilDay signed_on) {
  const v1::DirectiveRecipient* line = nullptr;
  for (const v1::DirectiveRecipient& r : directive.recipients()) {
    if (r.key() == delivery.recipient_key()) line = &r;
  }
  static const google::protobuf::Map<std::string, std::string> kNoValues;
  absl::StatusOr<std::string> body =
      BodyFor(directive, delivery.recipient_label(),
              line != nullptr && delivery.origin() == v1::DELIVERY_ORIGIN_LISTED
                  ? line->values()
                  : kNoValues,
              nullptr);
  if (!body.ok()) return body.status();
  v1::Directive personal = directive;
  if (!delivery.extra_text().empty()) {
    absl::StrAppend(&*body, "\n\n", delivery.extra_text());
  }
  personal.set_body(std::move(*body));
  return Document(personal, signed_on);
}

}  // namespace partydev::notification
