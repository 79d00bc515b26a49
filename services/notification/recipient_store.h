// File: services/notification/recipient_store.h
//
// Recipients (channels.proto Recipient): whoever receives messages — a
// person, an organisation's office (read by its officers) or another
// agency's system. Records `{pd:notification}:r:recipients/{id}` with the
// index `{pd:notification}:c:/recipients` (ids in lexicographic order).
// Ids: `person-{person}` for `people/{person}`, `org-{org}` for
// `organizations/{org}`, the chosen id for an external system;
// `recipients/me` names the caller's own person recipient. Every recipient
// has exactly one in-app channel, implicitly (no channel record yet).
//
// Authorisation (limitation, issue #6): notifyd has no projection of the
// organisation tree yet, so "the caller's subtree" is approximated: admins
// may do everything; other callers only touch recipients whose owner
// organisation equals the caller's organisation, or whose person is the
// caller's own subject. An officer of a superior organisation is therefore
// refused for recipients below it until the tree projection exists.

#ifndef PARTYDEV_SERVICES_NOTIFICATION_RECIPIENT_STORE_H_
#define PARTYDEV_SERVICES_NOTIFICATION_RECIPIENT_STORE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/atomic_write.h"
#include "common/principal.h"
#include "common/record_store.h"
#include "partydev/notification/v1/channels.pb.h"
#include "services/notification/notification_context.h"

namespace partydev::notification {

// "recipients/person-{id}" for "people/{id}"; "" when `person` is not a
// person's name.
std::string PersonRecipientName(absl::string_view person);
// "recipients/org-{id}" for "organizations/{id}"; "" otherwise.
std::string OrganizationRecipientName(absl::string_view organization);

// Resolves `recipients/me` (and `recipients/me/...`) to the caller's person
// recipient; other names are returned as given. INVALID_ARGUMENT naming
// `field` when the name is not `recipients/{id}[/...]`, or "me" is used by a
// caller that is not a person.
absl::StatusOr<std::string> ResolveRecipientName(const Principal& caller,
                                                 absl::string_view name,
                                                 absl::string_view field);

// PERMISSION_DENIED (OUTSIDE_SUBTREE) for `target`, without revealing
// whether it exists.
absl::Status RecipientDenied(const Principal& caller, absl::string_view target);

// True when `caller` may read and manage `recipient` (see the file comment:
// admin, same owner organisation, or the person itself).
bool MayManageRecipient(const Principal& caller,
                        const v1::Recipient& recipient);

// True when `caller` may read `recipient`'s inbox: the person itself, an
// officer of the organisation for an organisation's inbox, or an admin.
bool MayReadInbox(const Principal& caller, const v1::Recipient& recipient);

class RecipientStore {
 public:
  explicit RecipientStore(NotificationContext& context);

  // The index of every recipient id.
  std::string IndexKey() const;

  // The recipient named `name` ("recipients/{id}"), or NOT_FOUND.
  absl::StatusOr<Stored<v1::Recipient>> Get(absl::string_view name);
  // The recipients that exist among `names`, in order (absent ones
  // skipped).
  absl::StatusOr<std::vector<Stored<v1::Recipient>>> GetMany(
      const std::vector<std::string>& names);
  // Every recipient, in id order.
  absl::StatusOr<std::vector<Stored<v1::Recipient>>> All();

  // Stages the write of `recipient` (read at `version`, 0: new) and its
  // index entry.
  void StagePut(AtomicWrite& write, const v1::Recipient& recipient,
                int64_t version) const;

  // Creates the person recipient of `person` (owner `organization`) when
  // absent, in a write of its own; returns it. What the consumer of
  // membership's events will call (issue #6), and the tests.
  absl::StatusOr<v1::Recipient> EnsurePerson(absl::string_view person,
                                             absl::string_view organization,
                                             absl::string_view display_name);
  // The same for an organisation's office.
  absl::StatusOr<v1::Recipient> EnsureOrganization(
      absl::string_view organization, absl::string_view display_name);

 private:
  absl::StatusOr<v1::Recipient> Ensure(v1::Recipient recipient);

  NotificationContext& context_;
};

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_RECIPIENT_STORE_H_
