// File: services/notification/channel_store.h
//
// The channels of recipients (channels.proto Channel), their preferences
// and the log of delivery attempts, on Redis. Keys (P =
// "{pd:notification}:", R = "recipients/{id}"):
//
//   P r:R/channels/{c}       the channel record (RecordStore) holding a
//                            storage.v1.StoredChannel: the public Channel
//                            plus its webhook signing secrets and e-mail
//                            verification code, which reads never return
//   P c:R/channels           zset index of the recipient's channel ids
//   P chhealth:R/channels/{c} the channel's ChannelHealth, written by the
//                            delivery engine after each attempt. Kept out
//                            of the record so that an attempt never
//                            changes the etag a client holds (AIP-154) nor
//                            aborts a client's concurrent update
//   P r:R/preferences        the recipient's Preferences (RecordStore);
//                            absent = the defaults (nothing muted)
//   P attempts:R             list of DeliveryAttempt, newest first, capped
//                            at kMaxAttemptsPerRecipient (LPUSH + LTRIM):
//                            a bounded recent history, not an archive
//
// The in-app channel `R/channels/in-app` has no record: every recipient
// has it implicitly (InAppChannel builds it). Webhook secrets are
// "whsec_" + base64 of random bytes (Standard Webhooks v1); during a
// rotation's overlap both secrets sign (ActiveSecrets).

#ifndef PARTYDEV_SERVICES_NOTIFICATION_CHANNEL_STORE_H_
#define PARTYDEV_SERVICES_NOTIFICATION_CHANNEL_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/atomic_write.h"
#include "common/record_store.h"
#include "partydev/notification/v1/channels.pb.h"
#include "partydev/storage/v1/channels.pb.h"
#include "services/notification/notification_context.h"

namespace partydev::notification {

// The id of every recipient's implicit in-app channel.
inline constexpr absl::string_view kInAppChannelId = "in-app";
// Attempts kept per recipient (older ones are dropped).
inline constexpr int kMaxAttemptsPerRecipient = 1000;

// The parts of "recipients/{r}/channels/{c}".
struct ChannelName {
  std::string recipient;  // "recipients/{r}"
  std::string id;         // "{c}"
  std::string full() const { return recipient + "/channels/" + id; }
};
// INVALID_ARGUMENT naming `field` when `name` is not a channel's name.
absl::StatusOr<ChannelName> ParseChannelName(absl::string_view name,
                                             absl::string_view field);

// The implicit in-app channel of `recipient` (state ACTIVE).
v1::Channel InAppChannel(absl::string_view recipient);

// The secrets that sign a webhook message at `now`: the current one, then
// the previous one while its overlap lasts (Standard Webhooks: several
// space-separated signatures). Empty for a channel that is not a webhook.
std::vector<std::string> ActiveSecrets(const storage::v1::StoredChannel& stored,
                                       absl::Time now);

// "…" + the last four characters of `secret` (WebhookConfig.secret_hint).
std::string SecretHint(absl::string_view secret);

class ChannelStore {
 public:
  explicit ChannelStore(NotificationContext& context);

  // The index of `recipient`'s channel ids.
  std::string IndexKey(absl::string_view recipient) const;

  // The stored channel named `name`, or NOT_FOUND. Its channel's health
  // and etag are filled in (the secrets stay in the StoredChannel).
  absl::StatusOr<Stored<storage::v1::StoredChannel>> Get(
      absl::string_view name);
  // Every stored channel of `recipient` (in-app excluded), in id order,
  // with health and etags.
  absl::StatusOr<std::vector<Stored<storage::v1::StoredChannel>>> List(
      absl::string_view recipient);

  // Stages the write of `stored` (read at `version`, 0: new) and its index
  // entry. The channel's health and etag are not stored in the record.
  void StagePut(AtomicWrite& write, const storage::v1::StoredChannel& stored,
                int64_t version) const;
  // Stages the removal of the channel `name` read at `version`, its index
  // entry and its health.
  void StageDelete(AtomicWrite& write, const ChannelName& name,
                   int64_t version) const;

  // Replaces the health of channel `name`.
  absl::Status PutHealth(absl::string_view name,
                         const v1::ChannelHealth& health);

  // `recipient`'s preferences with their version; the defaults (nothing
  // muted, no quiet hours, no digest) at version 0 when never written.
  absl::StatusOr<Stored<v1::Preferences>> GetPreferences(
      absl::string_view recipient);
  // Stages the write of `preferences` read at `version`.
  void StagePutPreferences(AtomicWrite& write,
                           const v1::Preferences& preferences,
                           int64_t version) const;

  // Appends one attempt to its recipient's log (the recipient is the
  // prefix of attempt.channel()).
  absl::Status RecordAttempt(const v1::DeliveryAttempt& attempt);
  // `recipient`'s recent attempts, newest first.
  absl::StatusOr<std::vector<v1::DeliveryAttempt>> Attempts(
      absl::string_view recipient);

 private:
  std::string HealthKey(absl::string_view name) const;
  std::string AttemptsKey(absl::string_view recipient) const;
  // Reads the health of `channels` into them, one round trip.
  absl::Status FillHealth(
      std::vector<Stored<storage::v1::StoredChannel>>& channels);

  NotificationContext& context_;
};

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_CHANNEL_STORE_H_
