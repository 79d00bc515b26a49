#include "services/notification/recipient_store.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/change.h"
#include "common/errors.h"

namespace partydev::notification {
namespace {

constexpr absl::string_view kRecipients = "recipients/";
constexpr absl::string_view kDefaultTimeZone = "Asia/Ho_Chi_Minh";
constexpr absl::string_view kDefaultLocale = "vi-VN";

// What every recipient notifyd creates by itself carries: the defaults of
// its time zone and locale, and notifyd as the author.
void PrepareNew(v1::Recipient& recipient) {
  if (recipient.time_zone().empty()) {
    recipient.set_time_zone(std::string(kDefaultTimeZone));
  }
  if (recipient.locale().empty()) {
    recipient.set_locale(std::string(kDefaultLocale));
  }
  *recipient.mutable_create_stamp()->mutable_time() = NowTimestamp();
  recipient.mutable_create_stamp()->set_actor("svc:notifyd");
  *recipient.mutable_update_stamp() = recipient.create_stamp();
}

}  // namespace

std::string PersonRecipientName(absl::string_view person) {
  absl::string_view id = person;
  if (!absl::ConsumePrefix(&id, "people/") || !IsValidResourceId(id)) {
    return "";
  }
  return absl::StrCat(kRecipients, "person-", id);
}

std::string OrganizationRecipientName(absl::string_view organization) {
  absl::string_view id = organization;
  if (!absl::ConsumePrefix(&id, "organizations/") || !IsValidResourceId(id)) {
    return "";
  }
  return absl::StrCat(kRecipients, "org-", id);
}

absl::StatusOr<std::string> ResolveRecipientName(const Principal& caller,
                                                 absl::string_view name,
                                                 absl::string_view field) {
  absl::string_view rest = name;
  if (!absl::ConsumePrefix(&rest, kRecipients)) {
    return InvalidField(field, "must be recipients/{recipient}");
  }
  const size_t slash = rest.find('/');
  absl::string_view id = rest.substr(0, slash);
  absl::string_view tail =
      slash == absl::string_view::npos ? "" : rest.substr(slash);
  if (id == "me") {
    std::string own = PersonRecipientName(caller.subject);
    if (own.empty()) {
      return InvalidField(
          field, "recipients/me names a person; the caller is not one");
    }
    return absl::StrCat(own, tail);
  }
  if (!IsValidResourceId(id)) {
    return InvalidField(field, "the recipient id is not a valid resource id");
  }
  return std::string(name);
}

absl::Status RecipientDenied(const Principal& caller,
                             absl::string_view target) {
  return WithMetadata(
      WithReason(absl::PermissionDeniedError(absl::StrCat(
                     target, " is outside the reach of ",
                     caller.organization.empty() ? caller.subject
                                                 : caller.organization)),
                 "OUTSIDE_SUBTREE"),
      "resource", target);
}

bool MayManageRecipient(const TreeOnDay& tree, const Principal& caller,
                        const v1::Recipient& recipient) {
  if (!recipient.person().empty() && recipient.person() == caller.subject) {
    return true;
  }
  return Covers(tree, caller, recipient.owner_organization());
}

bool MayReadInbox(const Principal& caller, const v1::Recipient& recipient) {
  if (caller.HasRole(roles::kAdmin)) return true;
  switch (recipient.kind()) {
    case v1::RECIPIENT_KIND_PERSON:
      return recipient.person() == caller.subject;
    case v1::RECIPIENT_KIND_ORGANIZATION:
      return !caller.organization.empty() &&
             recipient.organization() == caller.organization;
    default:
      return false;
  }
}

absl::StatusOr<v1::Recipient> NewOrganizationRecipient(
    absl::string_view organization, absl::string_view display_name) {
  v1::Recipient recipient;
  recipient.set_name(OrganizationRecipientName(organization));
  if (recipient.name().empty()) {
    return InvalidField("organization", "must be organizations/{org}");
  }
  recipient.set_kind(v1::RECIPIENT_KIND_ORGANIZATION);
  recipient.set_organization(std::string(organization));
  recipient.set_owner_organization(std::string(organization));
  recipient.set_display_name(std::string(display_name));
  return recipient;
}

RecipientStore::RecipientStore(NotificationContext& context)
    : RecipientStore(context.records()) {}

RecipientStore::RecipientStore(RecordStore& records) : records_(records) {}

std::string RecipientStore::IndexKey() const {
  return records_.CollectionKey("", "recipients");
}

absl::StatusOr<Stored<v1::Recipient>> RecipientStore::Get(
    absl::string_view name) {
  return records_.Get<v1::Recipient>(name);
}

absl::StatusOr<std::vector<Stored<v1::Recipient>>> RecipientStore::GetMany(
    const std::vector<std::string>& names) {
  return records_.GetMany<v1::Recipient>(names);
}

absl::StatusOr<std::vector<Stored<v1::Recipient>>> RecipientStore::All() {
  absl::StatusOr<std::vector<std::string>> ids = records_.All(IndexKey());
  if (!ids.ok()) return ids.status();
  std::vector<std::string> names;
  names.reserve(ids->size());
  for (const std::string& id : *ids)
    names.push_back(absl::StrCat(kRecipients, id));
  return GetMany(names);
}

void RecipientStore::StagePut(AtomicWrite& write,
                              const v1::Recipient& recipient,
                              int64_t version) const {
  v1::Recipient stored = recipient;
  stored.clear_unread_count();  // computed on read from the inbox
  records_.StagePut(write, stored.name(), version, stored);
  write.ZAdd(IndexKey(), 0, absl::StripPrefix(recipient.name(), kRecipients));
}

absl::StatusOr<v1::Recipient> RecipientStore::EnsurePerson(
    absl::string_view person, absl::string_view organization,
    absl::string_view display_name) {
  v1::Recipient recipient;
  recipient.set_name(PersonRecipientName(person));
  if (recipient.name().empty()) {
    return InvalidField("person", "must be people/{person}");
  }
  recipient.set_kind(v1::RECIPIENT_KIND_PERSON);
  recipient.set_person(std::string(person));
  recipient.set_owner_organization(std::string(organization));
  recipient.set_display_name(std::string(display_name));
  return Ensure(std::move(recipient));
}

absl::StatusOr<v1::Recipient> RecipientStore::EnsureOrganization(
    absl::string_view organization, absl::string_view display_name) {
  absl::StatusOr<v1::Recipient> recipient =
      NewOrganizationRecipient(organization, display_name);
  if (!recipient.ok()) return recipient.status();
  return Ensure(*std::move(recipient));
}

absl::StatusOr<bool> RecipientStore::StageEnsureOrganization(
    AtomicWrite& write, absl::string_view organization,
    absl::string_view display_name) {
  absl::StatusOr<v1::Recipient> recipient =
      NewOrganizationRecipient(organization, display_name);
  if (!recipient.ok()) return recipient.status();
  absl::StatusOr<Stored<v1::Recipient>> existing = Get(recipient->name());
  if (existing.ok()) return false;
  if (!absl::IsNotFound(existing.status())) return existing.status();
  PrepareNew(*recipient);
  StagePut(write, *recipient, 0);
  return true;
}

absl::StatusOr<v1::Recipient> RecipientStore::Ensure(v1::Recipient recipient) {
  absl::StatusOr<Stored<v1::Recipient>> existing = Get(recipient.name());
  if (existing.ok()) return existing->message;
  if (!absl::IsNotFound(existing.status())) return existing.status();
  PrepareNew(recipient);
  AtomicWrite write;
  StagePut(write, recipient, 0);
  absl::StatusOr<WriteResult> written = write.Commit(records_.redis());
  if (!written.ok() && !absl::IsAborted(written.status())) {
    return written.status();
  }
  // Aborted: created meanwhile by another caller; read what won.
  absl::StatusOr<Stored<v1::Recipient>> stored = Get(recipient.name());
  if (!stored.ok()) return stored.status();
  return stored->message;
}

}  // namespace partydev::notification
