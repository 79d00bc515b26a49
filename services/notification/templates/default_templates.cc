#include "services/notification/templates/default_templates.h"

#include <exception>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/json_config.h"
#include "nlohmann/json.hpp"

namespace partydev::notification::templates {
namespace {

constexpr absl::string_view kPrefix = "templates/";

// Replaces "@file" by the content of that file of `directory`.
absl::Status Inline(const std::string& directory, std::string* text) {
  if (!absl::StartsWith(*text, "@")) return absl::OkStatus();
  absl::StatusOr<std::string> content =
      ReadTextFile(absl::StrCat(directory, "/", text->substr(1)));
  if (!content.ok()) return content.status();
  // Editors end files with a newline; the template's text does not (a
  // partial's last line continues on the including line).
  if (absl::EndsWith(*content, "\n")) content->pop_back();
  *text = std::move(*content);
  return absl::OkStatus();
}

}  // namespace

absl::string_view TemplateId(absl::string_view name) {
  absl::ConsumePrefix(&name, kPrefix);
  return name;
}

const v1::Template* TemplateLibrary::Find(absl::string_view name) const {
  const absl::string_view id = TemplateId(name);
  for (const v1::Template& t : templates) {
    if (TemplateId(t.name()) == id) return &t;
  }
  return nullptr;
}

Partials PartialsOf(const std::vector<v1::Template>& templates) {
  Partials partials;
  for (const v1::Template& t : templates) {
    const v1::TemplateVariant* chosen = nullptr;
    for (const auto& variant : t.variants()) {
      if (variant.channel() == v1::CHANNEL_TYPE_IN_APP) {
        chosen = &variant;
        break;
      }
      if (chosen == nullptr) chosen = &variant;
    }
    if (chosen != nullptr) {
      partials[std::string(TemplateId(t.name()))] = chosen->body_template();
    }
  }
  return partials;
}

absl::StatusOr<TemplateLibrary> LoadTemplateLibrary(
    const std::string& directory) {
  const std::string path = absl::StrCat(directory, "/index.json");
  absl::StatusOr<std::string> text = ReadTextFile(path);
  if (!text.ok()) return text.status();
  nlohmann::json index =
      nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (index.is_discarded() || !index.is_object() ||
      !index.contains("templates") || !index["templates"].is_array()) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": must be a JSON object with a \"templates\" array"));
  }
  TemplateLibrary library;
  absl::flat_hash_set<std::string> ids;
  for (size_t i = 0; i < index["templates"].size(); ++i) {
    const nlohmann::json& entry = index["templates"][i];
    const std::string origin = absl::StrCat(path, " templates[", i, "]");
    if (!entry.is_object() || !entry.contains("template") ||
        !entry.contains("sampleContext") ||
        !entry["sampleContext"].is_object()) {
      return absl::InvalidArgumentError(absl::StrCat(
          origin, ": needs \"template\" and an object \"sampleContext\""));
    }
    v1::Template tmpl;
    if (absl::Status s =
            ParseProtoJson(entry["template"].dump(), origin, &tmpl);
        !s.ok()) {
      return s;
    }
    const absl::string_view id = TemplateId(tmpl.name());
    if (!absl::StartsWith(tmpl.name(), kPrefix) || id.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(origin, ": name must be \"templates/{id}\""));
    }
    if (!ids.insert(std::string(id)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(origin, ": ", tmpl.name(), " is defined twice"));
    }
    for (v1::TemplateVariant& variant : *tmpl.mutable_variants()) {
      for (std::string* part : {variant.mutable_subject_template(),
                                variant.mutable_body_template()}) {
        if (absl::Status s = Inline(directory, part); !s.ok()) {
          return absl::Status(s.code(),
                              absl::StrCat(origin, ": ", s.message()));
        }
      }
    }
    tmpl.set_sample_context_json(entry["sampleContext"].dump());
    if (tmpl.locale().empty()) tmpl.set_locale("vi-VN");
    library.templates.push_back(std::move(tmpl));
  }
  library.partials = PartialsOf(library.templates);
  return library;
}

}  // namespace partydev::notification::templates
