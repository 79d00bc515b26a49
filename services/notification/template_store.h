// File: services/notification/template_store.h
//
// Where notifyd keeps its message templates (templates.proto Template) and
// their revisions (AIP-162): the only code of templates that speaks Redis.
// Keys (P is notifyd's prefix "{pd:notification}:", records as in
// common/record_store.h):
//
//   P r:templates/{id}             the current revision (its etag: the
//                                  record's version)
//   P r:templates/{id}@{rev}       every revision, immutable
//   P c:/templates                 zset, score 0: ids of stored templates
//   P c:templates/{id}/revisions   zset, score = revision number: its
//                                  revision ids
//
// Revision ids are decimal numbers counting from 1, each save the previous
// plus one. The templates shipped with notifyd (rules/templates/, loaded
// into NotificationContext::rules().templates) are the starting content:
// a shipped template is read from the library until an operator saves a
// revision of the same id, after which the stored one wins. Its shipped
// content is revision "0" (etag "v0": the first save expects no record),
// so it stays listable and a rollback can restore it. Shipped templates are
// never deleted; stored ones neither (templates are archived, not deleted).
//
//   TemplateStore store(context.records(), *context.rules().templates);
//   absl::StatusOr<CurrentTemplate> t = store.GetCurrent("evaluation-due");
//   v1::Template next = t->message; ... next.set_revision_id("2") ...
//   store.StageSave(change.write, next, t->version);

#ifndef PARTYDEV_SERVICES_NOTIFICATION_TEMPLATE_STORE_H_
#define PARTYDEV_SERVICES_NOTIFICATION_TEMPLATE_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/atomic_write.h"
#include "common/record_store.h"
#include "partydev/notification/v1/templates.pb.h"
#include "services/notification/templates/default_templates.h"
#include "services/notification/templates/template_renderer.h"

namespace partydev::notification {

// The revision id of a shipped template's own content.
inline constexpr absl::string_view kShippedRevisionId = "0";
// Locale of a template that names none (templates.proto Template.locale).
inline constexpr absl::string_view kDefaultLocale = "vi-VN";

// The parts of "templates/{id}" or "templates/{id}@{revision}".
struct TemplateRef {
  std::string id;
  std::string revision_id;  // empty: the current revision
};

// INVALID_ARGUMENT naming `field` unless `name` is "templates/{id}" (or,
// with `allow_revision`, "templates/{id}@{revision_id}") with a valid id.
absl::StatusOr<TemplateRef> ParseTemplateName(absl::string_view name,
                                              absl::string_view field,
                                              bool allow_revision);

// "templates/{id}" and "templates/{id}@{revision_id}".
std::string TemplateNameOf(absl::string_view id);
std::string RevisionNameOf(absl::string_view id, absl::string_view revision_id);

// A template's current revision and the version its etag is made from
// (0 for a shipped template nobody has saved yet).
struct CurrentTemplate {
  v1::Template message;
  int64_t version = 0;
  bool shipped = false;  // The id is one of the shipped templates.
  bool stored = false;   // A revision has been saved.
};

class TemplateStore {
 public:
  TemplateStore(RecordStore& records,
                const templates::TemplateLibrary& shipped);

  // The current revision of template `id`: the stored one, else the
  // shipped one; NOT_FOUND naming "templates/{id}" when neither exists.
  absl::StatusOr<CurrentTemplate> GetCurrent(const std::string& id);

  // Revision `revision_id` of template `id` (named "templates/{id}@{rev}",
  // no etag: revisions are immutable); "0" is the shipped content.
  // NOT_FOUND when it does not exist.
  absl::StatusOr<v1::Template> GetRevision(const std::string& id,
                                           const std::string& revision_id);

  // Every template's current revision (shipped ones not yet saved
  // included), by name.
  absl::StatusOr<std::vector<v1::Template>> Current();

  // Every revision of template `id`, newest first (the shipped content,
  // revision "0", last). NOT_FOUND when the template does not exist.
  absl::StatusOr<std::vector<v1::Template>> Revisions(const std::string& id);

  // The partials every save and render uses: each current template's
  // IN_APP (else first) body by id, without `exclude_id` (a template never
  // includes itself, which would recurse).
  absl::StatusOr<templates::Partials> Partials(absl::string_view exclude_id);

  // Stages `current` (named "templates/{id}", with a new revision_id) as the
  // template's current revision, read at `version` (0: no record yet; the
  // commit aborts if it changed since), and as the immutable revision
  // record, with both index entries.
  void StageSave(AtomicWrite& write, const v1::Template& current,
                 int64_t version) const;

 private:
  std::string IndexKey() const;
  std::string RevisionsKey(absl::string_view id) const;

  RecordStore& records_;
  const templates::TemplateLibrary& shipped_;
};

// Fills the defaults a reader sees: locale "vi-VN", state ACTIVE.
void FillTemplateDefaults(v1::Template& t);

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_TEMPLATE_STORE_H_
