// File: services/notification/templates/template_renderer.h
//
// Mustache rendering of message and letter templates (templates.proto
// Template, TemplateVariant), with kainjow mustache (header only), and the
// check a template must pass at save time: every variant renders with the
// template's sample context (templates.proto: "a template that does not
// render with its sample context ... is refused at save time").
//
// Contexts are JSON objects (nlohmann::json): the API carries them as JSON
// text (Template.sample_context_json, RenderTemplateRequest.context_json).
// Numbers render as JSON prints them (12, 0.25), null and false as nothing.
// Text is UTF-8 throughout and never HTML-escaped: messages and letters are
// plain text, and "Đảng & Nhà nước" must stay as written (a text/html
// e-mail variant escapes its values in the template itself).
//
// Other templates are included as partials by id (`{{> letter-header}}`).
// kainjow renders a missing variable or partial as empty; the renderer
// looks every name up through its own context and reports the misses, so
// validation can refuse them.
//
//   Partials partials = {{"letter-header", "ĐẢNG CỘNG SẢN VIỆT NAM"}};
//   absl::StatusOr<Rendered> out =
//       RenderText("{{> letter-header}}\n{{reference}}", context, partials);

#ifndef PARTYDEV_SERVICES_NOTIFICATION_TEMPLATES_TEMPLATE_RENDERER_H_
#define PARTYDEV_SERVICES_NOTIFICATION_TEMPLATES_TEMPLATE_RENDERER_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/errors.h"
#include "nlohmann/json.hpp"
#include "partydev/notification/v1/templates.pb.h"

namespace partydev::notification::templates {

// Partial templates by id (the template id, i.e. `templates/{id}` without
// the prefix) → mustache text.
using Partials = absl::flat_hash_map<std::string, std::string>;

// The result of rendering one text.
struct Rendered {
  std::string text;
  // Names looked up and absent from the context, in first-use order (a name
  // used only as an inverted section, `{{^name}}`, may be absent).
  std::vector<std::string> missing_variables;
  // Partials used and not in `partials`.
  std::vector<std::string> missing_partials;
};

// Parses a context given as JSON text: INVALID_ARGUMENT naming `field`
// unless it is a JSON object.
absl::StatusOr<nlohmann::json> ParseContext(absl::string_view json,
                                            absl::string_view field);

// Renders `text` with `context`. INVALID_ARGUMENT naming `field` for a
// syntax error (unclosed tag or section, unopened section, bad delimiter),
// with the byte offset, line and column kainjow reports; any exception of
// the library is caught here.
absl::StatusOr<Rendered> RenderText(absl::string_view text,
                                    const nlohmann::json& context,
                                    const Partials& partials,
                                    absl::string_view field = "template");

// Renders every variant of `tmpl` (or only `channel`'s when it is not
// UNSPECIFIED, falling back to IN_APP as templates.proto says) with
// `context`. `missing_variables`, when given, receives the variables the
// context lacked (each once).
absl::StatusOr<std::vector<v1::RenderedVariant>> RenderTemplate(
    const v1::Template& tmpl, const nlohmann::json& context,
    const Partials& partials, v1::ChannelType channel,
    std::vector<std::string>* missing_variables = nullptr);

// Every problem of `tmpl` at save time, each naming the part:
//   "sample_context_json"               not a JSON object;
//   "variants"                          none;
//   "variants[i].channel"               unspecified;
//   "variants[i].subject_template",
//   "variants[i].body_template"         syntax error (with position), a
//                                       variable the sample context lacks,
//                                       a partial that does not exist, an
//                                       empty result, a subject of more
//                                       than one line;
//   "variables[i]"                      a required variable the sample
//                                       context lacks.
std::vector<FieldViolation> TemplateProblems(const v1::Template& tmpl,
                                             const Partials& partials);

// OK, or INVALID_ARGUMENT listing every TemplateProblems entry.
absl::Status ValidateTemplate(const v1::Template& tmpl,
                              const Partials& partials);

}  // namespace partydev::notification::templates

#endif  // PARTYDEV_SERVICES_NOTIFICATION_TEMPLATES_TEMPLATE_RENDERER_H_
