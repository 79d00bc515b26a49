#include "services/notification/templates/template_renderer.h"

#include <exception>
#include <map>
#include <memory>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "kainjow/mustache.hpp"

namespace partydev::notification::templates {
namespace {

namespace mustache = kainjow::mustache;

mustache::data ToData(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object: {
      mustache::data out(mustache::data::type::object);
      for (const auto& [key, item] : value.items()) out.set(key, ToData(item));
      return out;
    }
    case nlohmann::json::value_t::array: {
      mustache::data out(mustache::data::type::list);
      for (const auto& item : value) out.push_back(ToData(item));
      return out;
    }
    case nlohmann::json::value_t::string:
      return mustache::data(value.get<std::string>());
    case nlohmann::json::value_t::boolean:
      return mustache::data(value.get<bool>());
    case nlohmann::json::value_t::null:
      return mustache::data(false);
    default:  // Numbers, as JSON prints them.
      return mustache::data(value.dump());
  }
}

// The names used as inverted sections ("{{^name}}") in `text`, which may
// be absent from a context without being an error.
void CollectInverted(absl::string_view text,
                     absl::flat_hash_set<std::string>& out) {
  size_t at = 0;
  while ((at = text.find("{{^", at)) != absl::string_view::npos) {
    const size_t end = text.find("}}", at + 3);
    if (end == absl::string_view::npos) return;
    out.insert(std::string(
        absl::StripAsciiWhitespace(text.substr(at + 3, end - at - 3))));
    at = end + 2;
  }
}

// A kainjow context that records every name it fails to find.
class RecordingContext : public mustache::basic_context<std::string> {
 public:
  RecordingContext(const mustache::data* root, const Partials& partials)
      : base_(root), partials_(partials) {}

  void push(const mustache::data* data) override { base_.push(data); }
  void pop() override { base_.pop(); }

  const mustache::data* get(const std::string& name) const override {
    const mustache::data* found = base_.get(name);
    if (found == nullptr && seen_missing_.insert(name).second) {
      missing_.push_back(name);
    }
    return found;
  }

  const mustache::data* get_partial(const std::string& name) const override {
    auto cached = partial_data_.find(name);
    if (cached != partial_data_.end()) return &cached->second;
    auto it = partials_.find(name);
    if (it == partials_.end()) {
      if (seen_missing_partials_.insert(name).second) {
        missing_partials_.push_back(name);
      }
      return nullptr;
    }
    return &partial_data_.emplace(name, mustache::data(it->second))
                .first->second;
  }

  std::vector<std::string> missing_variables(
      const absl::flat_hash_set<std::string>& allowed) const {
    std::vector<std::string> out;
    for (const std::string& name : missing_) {
      if (!allowed.contains(name)) out.push_back(name);
    }
    return out;
  }
  const std::vector<std::string>& missing_partials() const {
    return missing_partials_;
  }
  std::vector<std::string> used_partials() const {
    std::vector<std::string> out;
    for (const auto& [name, data] : partial_data_) out.push_back(name);
    return out;
  }

 private:
  mustache::context<std::string> base_;
  const Partials& partials_;
  mutable std::map<std::string, mustache::data> partial_data_;
  mutable std::vector<std::string> missing_;
  mutable absl::flat_hash_set<std::string> seen_missing_;
  mutable std::vector<std::string> missing_partials_;
  mutable absl::flat_hash_set<std::string> seen_missing_partials_;
};

// "Unclosed section \"x\" at 12" → "... at 12 (line 1, column 13)".
std::string WithLineAndColumn(absl::string_view message,
                              absl::string_view text) {
  const size_t at = message.rfind(" at ");
  size_t offset = 0;
  if (at == absl::string_view::npos ||
      !absl::SimpleAtoi(message.substr(at + 4), &offset) ||
      offset > text.size()) {
    return std::string(message);
  }
  int line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return absl::StrCat(message, " (line ", line, ", column ",
                      offset - line_start + 1, ")");
}

std::string NoEscape(const std::string& s) { return s; }

const v1::TemplateVariant* VariantFor(const v1::Template& tmpl,
                                      v1::ChannelType channel) {
  const v1::TemplateVariant* in_app = nullptr;
  for (const auto& variant : tmpl.variants()) {
    if (variant.channel() == channel) return &variant;
    if (variant.channel() == v1::CHANNEL_TYPE_IN_APP) in_app = &variant;
  }
  return in_app;
}

void AddUnique(std::vector<std::string>& to,
               const std::vector<std::string>& from) {
  for (const std::string& name : from) {
    bool present = false;
    for (const std::string& have : to) present = present || have == name;
    if (!present) to.push_back(name);
  }
}

}  // namespace

absl::StatusOr<nlohmann::json> ParseContext(absl::string_view json,
                                            absl::string_view field) {
  nlohmann::json parsed = nlohmann::json::parse(json, nullptr,
                                                /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return InvalidField(field, "is not valid JSON");
  }
  if (!parsed.is_object()) {
    return InvalidField(field, "must be a JSON object");
  }
  return parsed;
}

absl::StatusOr<Rendered> RenderText(absl::string_view text,
                                    const nlohmann::json& context,
                                    const Partials& partials,
                                    absl::string_view field) {
  try {
    mustache::mustache tmpl{std::string(text)};
    if (!tmpl.is_valid()) {
      return InvalidField(
          field, absl::StrCat("syntax error: ",
                              WithLineAndColumn(tmpl.error_message(), text)));
    }
    tmpl.set_custom_escape(NoEscape);
    const mustache::data root = ToData(context);
    RecordingContext ctx(&root, partials);
    Rendered out;
    out.text = tmpl.render(ctx);
    if (!tmpl.is_valid()) {
      // A partial that does not parse surfaces at render time.
      return InvalidField(field, absl::StrCat("syntax error in a partial: ",
                                              tmpl.error_message()));
    }
    absl::flat_hash_set<std::string> inverted;
    CollectInverted(text, inverted);
    for (const std::string& name : ctx.used_partials()) {
      CollectInverted(partials.at(name), inverted);
    }
    out.missing_variables = ctx.missing_variables(inverted);
    out.missing_partials = ctx.missing_partials();
    return out;
  } catch (const std::exception& e) {
    return InvalidField(field, absl::StrCat("does not render: ", e.what()));
  }
}

absl::StatusOr<std::vector<v1::RenderedVariant>> RenderTemplate(
    const v1::Template& tmpl, const nlohmann::json& context,
    const Partials& partials, v1::ChannelType channel,
    std::vector<std::string>* missing_variables) {
  std::vector<const v1::TemplateVariant*> variants;
  if (channel == v1::CHANNEL_TYPE_UNSPECIFIED) {
    for (const auto& variant : tmpl.variants()) variants.push_back(&variant);
  } else if (const v1::TemplateVariant* v = VariantFor(tmpl, channel)) {
    variants.push_back(v);
  }
  if (variants.empty()) {
    return InvalidField("channel",
                        absl::StrCat(tmpl.name(), " has no variant for ",
                                     v1::ChannelType_Name(channel)));
  }
  std::vector<v1::RenderedVariant> out;
  for (const v1::TemplateVariant* variant : variants) {
    absl::StatusOr<Rendered> subject = RenderText(
        variant->subject_template(), context, partials, "subject_template");
    if (!subject.ok()) return subject.status();
    absl::StatusOr<Rendered> body = RenderText(
        variant->body_template(), context, partials, "body_template");
    if (!body.ok()) return body.status();
    if (missing_variables != nullptr) {
      AddUnique(*missing_variables, subject->missing_variables);
      AddUnique(*missing_variables, body->missing_variables);
    }
    v1::RenderedVariant rendered;
    rendered.set_channel(
        channel == v1::CHANNEL_TYPE_UNSPECIFIED ? variant->channel() : channel);
    rendered.set_locale(!variant->locale().empty() ? variant->locale()
                        : !tmpl.locale().empty()   ? tmpl.locale()
                                                   : "vi-VN");
    rendered.set_subject(
        std::string(absl::StripTrailingAsciiWhitespace(subject->text)));
    rendered.set_body(std::move(body->text));
    rendered.set_media_type(
        variant->media_type().empty() ? "text/plain" : variant->media_type());
    out.push_back(std::move(rendered));
  }
  return out;
}

std::vector<FieldViolation> TemplateProblems(const v1::Template& tmpl,
                                             const Partials& partials) {
  std::vector<FieldViolation> problems;
  auto add = [&problems](std::string field, std::string description) {
    problems.push_back({std::move(field), std::move(description)});
  };
  absl::StatusOr<nlohmann::json> context =
      ParseContext(tmpl.sample_context_json(), "sample_context_json");
  if (!context.ok()) {
    add("sample_context_json", std::string(context.status().message()));
    return problems;
  }
  if (tmpl.variants().empty()) add("variants", "at least one is required");
  for (int i = 0; i < tmpl.variables_size(); ++i) {
    const v1::TemplateVariable& variable = tmpl.variables(i);
    if (variable.required() && !context->contains(variable.name())) {
      add(absl::StrCat("variables[", i, "]"),
          absl::StrCat("required variable \"", variable.name(),
                       "\" is missing from the sample context"));
    }
  }
  for (int i = 0; i < tmpl.variants_size(); ++i) {
    const v1::TemplateVariant& variant = tmpl.variants(i);
    const std::string prefix = absl::StrCat("variants[", i, "]");
    if (variant.channel() == v1::CHANNEL_TYPE_UNSPECIFIED) {
      add(prefix + ".channel", "is required");
    }
    const std::pair<const char*, const std::string*> parts[] = {
        {"subject_template", &variant.subject_template()},
        {"body_template", &variant.body_template()}};
    for (const auto& [part, text] : parts) {
      const std::string field = absl::StrCat(prefix, ".", part);
      absl::StatusOr<Rendered> rendered =
          RenderText(*text, *context, partials, field);
      if (!rendered.ok()) {
        for (const FieldViolation& v : FieldViolationsOf(rendered.status())) {
          problems.push_back(v);
        }
        if (FieldViolationsOf(rendered.status()).empty()) {
          add(field, std::string(rendered.status().message()));
        }
        continue;
      }
      for (const std::string& name : rendered->missing_variables) {
        add(field, absl::StrCat("uses variable \"", name,
                                "\" that the sample context lacks"));
      }
      for (const std::string& name : rendered->missing_partials) {
        add(field, absl::StrCat("includes partial \"", name,
                                "\" that does not exist"));
      }
      if (absl::StripAsciiWhitespace(rendered->text).empty()) {
        add(field, "renders empty with the sample context");
      } else if (std::string(part) == "subject_template" &&
                 absl::StrContains(absl::StripAsciiWhitespace(rendered->text),
                                   '\n')) {
        add(field, "renders more than one line; a subject is one line");
      }
    }
  }
  return problems;
}

absl::Status ValidateTemplate(const v1::Template& tmpl,
                              const Partials& partials) {
  std::vector<FieldViolation> problems = TemplateProblems(tmpl, partials);
  if (problems.empty()) return absl::OkStatus();
  return InvalidFields(std::move(problems));
}

}  // namespace partydev::notification::templates
