#include "services/notification/template_store.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/errors.h"

namespace partydev::notification {
namespace {

constexpr absl::string_view kPrefix = "templates/";

bool IsRevisionId(absl::string_view revision_id) {
  int64_t n = 0;
  return !revision_id.empty() && revision_id.size() <= 18 &&
         absl::SimpleAtoi(revision_id, &n) && n >= 0 &&
         absl::StrCat(n) == revision_id;
}

// The shipped template `id` as revision "0" (not yet named as a revision).
v1::Template ShippedContent(const v1::Template& shipped) {
  v1::Template t = shipped;
  t.set_revision_id(std::string(kShippedRevisionId));
  FillTemplateDefaults(t);
  return t;
}

}  // namespace

void FillTemplateDefaults(v1::Template& t) {
  if (t.locale().empty()) t.set_locale(std::string(kDefaultLocale));
  if (t.state() == v1::TEMPLATE_STATE_UNSPECIFIED) {
    t.set_state(v1::TEMPLATE_STATE_ACTIVE);
  }
}

absl::StatusOr<TemplateRef> ParseTemplateName(absl::string_view name,
                                              absl::string_view field,
                                              bool allow_revision) {
  if (name.empty()) return InvalidField(field, "is required");
  const absl::string_view shape = allow_revision
                                      ? "\"templates/{template}\" or "
                                        "\"templates/{template}@{revision_id}\""
                                      : "\"templates/{template}\"";
  absl::string_view rest = name;
  if (!absl::ConsumePrefix(&rest, kPrefix)) {
    return InvalidField(field, absl::StrCat("\"", name, "\" is not ", shape));
  }
  TemplateRef ref;
  const size_t at = rest.find('@');
  if (at != absl::string_view::npos) {
    if (!allow_revision) {
      return InvalidField(
          field, absl::StrCat("\"", name, "\" names a revision; ", shape,
                              " is required"));
    }
    ref.revision_id = std::string(rest.substr(at + 1));
    rest = rest.substr(0, at);
    if (!IsRevisionId(ref.revision_id)) {
      return InvalidField(field, absl::StrCat("revision id \"", ref.revision_id,
                                              "\" is not a revision number"));
    }
  }
  if (!IsValidResourceId(rest)) {
    return InvalidField(field,
                        absl::StrCat("\"", name, "\" is not ", shape,
                                     " with an id matching "
                                     "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"));
  }
  ref.id = std::string(rest);
  return ref;
}

std::string TemplateNameOf(absl::string_view id) {
  return absl::StrCat(kPrefix, id);
}

std::string RevisionNameOf(absl::string_view id,
                           absl::string_view revision_id) {
  return absl::StrCat(kPrefix, id, "@", revision_id);
}

TemplateStore::TemplateStore(RecordStore& records,
                             const templates::TemplateLibrary& shipped)
    : records_(records), shipped_(shipped) {}

std::string TemplateStore::IndexKey() const {
  return records_.CollectionKey("", "templates");
}

std::string TemplateStore::RevisionsKey(absl::string_view id) const {
  return records_.CollectionKey(TemplateNameOf(id), "revisions");
}

absl::StatusOr<CurrentTemplate> TemplateStore::GetCurrent(
    const std::string& id) {
  const std::string name = TemplateNameOf(id);
  const v1::Template* shipped = shipped_.Find(name);
  absl::StatusOr<Stored<v1::Template>> stored =
      records_.Get<v1::Template>(name);
  CurrentTemplate out;
  out.shipped = shipped != nullptr;
  if (stored.ok()) {
    out.message = std::move(stored->message);
    out.version = stored->version;
    out.stored = true;
  } else if (!absl::IsNotFound(stored.status())) {
    return stored.status();
  } else if (shipped != nullptr) {
    out.message = ShippedContent(*shipped);
    out.version = 0;
    ApplyEtag(out.message, 0);
  } else {
    return absl::NotFoundError(absl::StrCat(name, " does not exist"));
  }
  FillTemplateDefaults(out.message);
  return out;
}

absl::StatusOr<v1::Template> TemplateStore::GetRevision(
    const std::string& id, const std::string& revision_id) {
  const std::string name = RevisionNameOf(id, revision_id);
  v1::Template out;
  if (revision_id == kShippedRevisionId) {
    const v1::Template* shipped = shipped_.Find(TemplateNameOf(id));
    if (shipped == nullptr) {
      return absl::NotFoundError(absl::StrCat(
          name,
          " does not exist (revision 0 is the content shipped with "
          "notifyd, and ",
          TemplateNameOf(id), " is not shipped)"));
    }
    out = ShippedContent(*shipped);
  } else {
    absl::StatusOr<Stored<v1::Template>> stored =
        records_.Get<v1::Template>(name);
    if (!stored.ok()) return stored.status();
    out = std::move(stored->message);
  }
  out.set_name(name);
  out.clear_etag();
  FillTemplateDefaults(out);
  return out;
}

absl::StatusOr<std::vector<v1::Template>> TemplateStore::Current() {
  absl::StatusOr<std::vector<std::string>> ids = records_.All(IndexKey());
  if (!ids.ok()) return ids.status();
  std::vector<std::string> names;
  names.reserve(ids->size());
  for (const std::string& id : *ids) names.push_back(TemplateNameOf(id));
  absl::StatusOr<std::vector<Stored<v1::Template>>> stored =
      records_.GetMany<v1::Template>(names);
  if (!stored.ok()) return stored.status();
  std::map<std::string, v1::Template> by_name;
  for (const v1::Template& t : shipped_.templates) {
    v1::Template shipped = ShippedContent(t);
    ApplyEtag(shipped, 0);
    by_name[t.name()] = std::move(shipped);
  }
  for (Stored<v1::Template>& s : *stored) {
    FillTemplateDefaults(s.message);
    by_name[s.message.name()] = std::move(s.message);
  }
  std::vector<v1::Template> out;
  out.reserve(by_name.size());
  for (auto& [name, t] : by_name) out.push_back(std::move(t));
  return out;
}

absl::StatusOr<std::vector<v1::Template>> TemplateStore::Revisions(
    const std::string& id) {
  absl::StatusOr<CurrentTemplate> current = GetCurrent(id);
  if (!current.ok()) return current.status();
  absl::StatusOr<RedisReply> reply =
      records_.redis().Command({"ZREVRANGE", RevisionsKey(id), "0", "-1"});
  if (!reply.ok()) return reply.status();
  std::vector<std::string> names;
  for (const auto& e : reply->elements()) {
    names.push_back(RevisionNameOf(id, e.str()));
  }
  absl::StatusOr<std::vector<Stored<v1::Template>>> stored =
      records_.GetMany<v1::Template>(names);
  if (!stored.ok()) return stored.status();
  std::vector<v1::Template> out;
  out.reserve(stored->size() + 1);
  for (Stored<v1::Template>& s : *stored) {
    s.message.clear_etag();
    FillTemplateDefaults(s.message);
    out.push_back(std::move(s.message));
  }
  if (current->shipped) {
    absl::StatusOr<v1::Template> shipped =
        GetRevision(id, std::string(kShippedRevisionId));
    if (!shipped.ok()) return shipped.status();
    out.push_back(*std::move(shipped));
  }
  return out;
}

absl::StatusOr<templates::Partials> TemplateStore::Partials(
    absl::string_view exclude_id) {
  absl::StatusOr<std::vector<v1::Template>> current = Current();
  if (!current.ok()) return current.status();
  templates::Partials partials = templates::PartialsOf(*current);
  partials.erase(std::string(exclude_id));
  return partials;
}

void TemplateStore::StageSave(AtomicWrite& write, const v1::Template& current,
                              int64_t version) const {
  const std::string id(templates::TemplateId(current.name()));
  records_.StagePut(write, current.name(), version, current);
  v1::Template revision = current;
  revision.set_name(RevisionNameOf(id, current.revision_id()));
  records_.StagePut(write, revision.name(), 0, revision);
  int64_t number = 0;
  (void)absl::SimpleAtoi(current.revision_id(), &number);
  write.ZAdd(RevisionsKey(id), static_cast<double>(number),
             current.revision_id());
  write.ZAdd(IndexKey(), 0, id);
}

}  // namespace partydev::notification
