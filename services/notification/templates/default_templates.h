// File: services/notification/templates/default_templates.h
//
// The default templates notifyd ships (services/notification/rules/
// templates/): the letter frame of the seeds and its partials, the urging
// letter (công văn đôn đốc) in the style of 1849-CV/ĐUK, the directive
// messages (delivered, acknowledgement and report reminders, escalation,
// withdrawal) and one reminder per deadline kind addressed to the role that
// must act. They are seeded into the template store at first start and
// then edited through TemplateService.
//
// Format: `index.json` is {"templates": [{"template": <Template in proto3
// JSON, without sampleContextJson>, "sampleContext": <JSON object>}, ...]};
// a variant's bodyTemplate (or subjectTemplate) of the form "@file.mustache"
// is read from that file of the same directory, so long letters are edited
// as plain text; the file's final newline is dropped, so that a partial's
// last line continues on the line that includes it.
//
// kainjow drops the line of a section tag only when the section renders; a
// false section standing alone on its line leaves a blank line. The letter
// files therefore open conditional sections at the end of the previous
// line ("Số {{reference}}{{#is_letter}}\n{{subject}}{{/is_letter}}").
//
// Each template's sample context becomes its sample_context_json and must
// make it pass ValidateTemplate.

#ifndef PARTYDEV_SERVICES_NOTIFICATION_TEMPLATES_DEFAULT_TEMPLATES_H_
#define PARTYDEV_SERVICES_NOTIFICATION_TEMPLATES_DEFAULT_TEMPLATES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "partydev/notification/v1/templates.pb.h"
#include "services/notification/templates/template_renderer.h"

namespace partydev::notification::templates {

struct TemplateLibrary {
  // In index order, names "templates/{id}".
  std::vector<v1::Template> templates;
  // Every template's id → its IN_APP (else first) body: the partials.
  Partials partials;

  // The template named `name` ("templates/{id}" or "{id}"); nullptr if none.
  const v1::Template* Find(absl::string_view name) const;
};

// The id of "templates/{id}" (the text after the prefix).
absl::string_view TemplateId(absl::string_view name);

// The partials of `templates` (id → IN_APP or first variant's body).
Partials PartialsOf(const std::vector<v1::Template>& templates);

// Loads `directory`/index.json and the files it names. Errors name the file
// and entry: unreadable files, bad JSON, unknown fields, a name not
// "templates/{id}", an id used twice. Does not validate rendering (call
// ValidateTemplate with `partials`).
absl::StatusOr<TemplateLibrary> LoadTemplateLibrary(
    const std::string& directory);

}  // namespace partydev::notification::templates

#endif  // PARTYDEV_SERVICES_NOTIFICATION_TEMPLATES_DEFAULT_TEMPLATES_H_
