// File: services/notification/directive_text.h
//
// The text of a directive as printed, from the letter-frame template and its
// partials (templates/letter_context.h; the current revisions, so an edited
// frame applies at once): the whole document (Directive.rendered_text), and
// the document as one recipient sees it (Delivery.rendered_text): its body
// with the recipient's mustache values (DirectiveRecipient.values and the
// standard variables recipient_label, reference, dated_line) and its own
// paragraph (extra_text) after the body.

#ifndef PARTYDEV_SERVICES_NOTIFICATION_DIRECTIVE_TEXT_H_
#define PARTYDEV_SERVICES_NOTIFICATION_DIRECTIVE_TEXT_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "partydev/notification/v1/deliveries.pb.h"
#include "partydev/notification/v1/directives.pb.h"
#include "services/notification/template_store.h"

namespace partydev::notification {

class DirectiveText {
 public:
  // Borrows the template store (current revisions of the frame).
  explicit DirectiveText(TemplateStore& templates);

  // The whole document, dated `signed_on` when the directive has no date.
  // Variables of the body are left as written ({{admission_rate}}).
  absl::StatusOr<std::string> Document(const v1::Directive& directive,
                                       absl::CivilDay signed_on);

  // The body for one recipient: rendered with `values` and the standard
  // variables; the names it uses that are missing land in `missing`.
  static absl::StatusOr<std::string> BodyFor(
      const v1::Directive& directive, const std::string& recipient_label,
      const google::protobuf::Map<std::string, std::string>& values,
      std::vector<std::string>* missing);

  // The document as the recipient of `delivery` sees it (its line's values
  // and extra_text).
  absl::StatusOr<std::string> ForDelivery(const v1::Directive& directive,
                                          const v1::Delivery& delivery,
                                          absl::CivilDay signed_on);

 private:
  TemplateStore& templates_;
};

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_DIRECTIVE_TEXT_H_
