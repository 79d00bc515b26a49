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
// Authorisation (design.md "Security"): a caller bound to organisation X
// reads and manages the recipients owned by X or by an organisation below X
// as notifyd's projection of the tree stands today
// (notification_access.h), and its own person recipient; an installation
// admin (no organisation) every recipient. An inbox is read only by its
// recipient itself (MayReadInbox): reaching a cell does not make a superior
// committee's officer the cell's reader.
//
// Every organisation's office recipient is created by the tree projection
// (organization_projection.h) when the organisation first appears, through
// StageEnsureOrganization: NewOrganizationRecipient is the one place that
// says what such a recipient is.

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
#include "services/notification/notification_access.h"
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

// True when `caller` may read and manage `recipient`: the person itself,
// or a caller whose subtree holds the recipient's owner organisation on
// `tree`'s day (notification_access.h Covers; an admin without an
// organisation covers everything). A recipient without an owner is the
// admin's only.
bool MayManageRecipient(const TreeOnDay& tree, const Principal& caller,
                        const v1::Recipient& recipient);

// True when `caller` may read `recipient`'s inbox: the person itself, an
// officer of the organisation for an organisation's inbox, or an admin.
// Deliberately not the subtree: reading (and marking read) an inbox is
// acting as its recipient.
bool MayReadInbox(const Principal& caller, const v1::Recipient& recipient);

// The office recipient of `organization` ("recipients/org-{id}" for
// "organizations/{id}", owned by the organisation itself, read by its
// officers) as it is created, before its stamps and defaults: the one place
// building it (EnsureOrganization, StageEnsureOrganization).
// INVALID_ARGUMENT naming "organization" when the name is malformed.
absl::StatusOr<v1::Recipient> NewOrganizationRecipient(
    absl::string_view organization, absl::string_view display_name);

class RecipientStore {
 public:
  explicit RecipientStore(NotificationContext& context);
  // Over notifyd's record store alone (the tree projection, which is part of
  // the context and so cannot borrow it).
  explicit RecipientStore(RecordStore& records);

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
  // Stages into `write` the creation of `organization`'s office recipient
  // when it does not exist yet (the write then expects it still absent:
  // ABORTED when created meanwhile, and a retry finds it). Returns whether
  // it staged the creation.
  absl::StatusOr<bool> StageEnsureOrganization(AtomicWrite& write,
                                               absl::string_view organization,
                                               absl::string_view display_name);

 private:
  absl::StatusOr<v1::Recipient> Ensure(v1::Recipient recipient);

  RecordStore& records_;
};

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_RECIPIENT_STORE_H_
