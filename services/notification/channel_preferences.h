// File: services/notification/channel_preferences.h
//
// What a recipient's preferences (channels.proto Preferences) decide about
// one message on one channel, and the rules of the preferences themselves.
// Pure functions over the protos, shared by SendNotification (which stages
// one job per channel that may carry the message, delayed past the quiet
// hours), the delivery dispatcher (which re-checks the opt-outs at send
// time) and ChannelService (which validates UpdatePreferences).
//
// Scope: opt-outs and quiet hours apply to the outbound channels (webhook,
// e-mail); the in-app inbox always receives the message (it is the record
// of what was sent, and never interrupts anyone). So does the daily
// digest: HeldForDigest decides which messages the outbound channels hold
// for it (digest.h gathers and sends them at NextDigestTime); with the
// digest off, DIGEST-priority messages are sent as normal ones.

#ifndef PARTYDEV_SERVICES_NOTIFICATION_CHANNEL_PREFERENCES_H_
#define PARTYDEV_SERVICES_NOTIFICATION_CHANNEL_PREFERENCES_H_

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "google/protobuf/field_mask.pb.h"
#include "partydev/notification/v1/channels.pb.h"
#include "partydev/notification/v1/rule_sets.pb.h"
#include "partydev/notification/v1/types.pb.h"

namespace partydev::notification {

// True when `preferences` opt `category` out of channels of `type`.
bool CategoryMuted(const v1::Preferences& preferences,
                   v1::MessageCategory category, v1::ChannelType type);

// True when the channel's own filter lets `category` through (a webhook's
// event_types; empty = every category).
bool ChannelAccepts(const v1::Channel& channel, v1::MessageCategory category);

// When a message of `priority` to `recipient` may go out, at `now`: `now`,
// or the end of the recipient's quiet hours (in their time zone, else the
// recipient's, else Asia/Ho_Chi_Minh) for a non-urgent message.
absl::Time EarliestDelivery(const v1::Preferences& preferences,
                            const v1::Recipient& recipient,
                            v1::MessagePriority priority, absl::Time now);

// True when the outbound channels hold a message of `category` and
// `priority` for the recipient's daily digest instead of sending it: the
// digest is enabled, the message is not urgent, not itself a digest, not of
// a mandatory category of `rule_set` (may be null: none), and is either
// DIGEST priority or of a category listed in digest.categories.
bool HeldForDigest(const v1::Preferences& preferences,
                   v1::MessageCategory category, v1::MessagePriority priority,
                   const v1::NotificationRuleSet* rule_set);

// The recipient's time zone (IANA name; empty or unknown: Asia/Ho_Chi_Minh).
absl::TimeZone RecipientTimeZone(const std::string& name);

// The first digest.send_at strictly after `now`, in `zone` (a send_at that
// does not exist that day, skipped by a clock change, is taken as the
// instant after the gap). Without a send_at: 18:00.
absl::Time NextDigestTime(const v1::DigestSettings& digest, absl::TimeZone zone,
                          absl::Time now);

// Checks the parts of `preferences` named by `mask` (`categories`,
// `quiet_hours`, `digest`): every problem as INVALID_ARGUMENT naming
// "preferences.<field>"; then FAILED_PRECONDITION (RulesViolated) when the
// in-app channel is opted out of a mandatory category of `rule_set` (may
// be null: no mandatory categories).
absl::Status CheckPreferences(const v1::Preferences& preferences,
                              const google::protobuf::FieldMask& mask,
                              const v1::NotificationRuleSet* rule_set);

}  // namespace partydev::notification

#endif  // PARTYDEV_SERVICES_NOTIFICATION_CHANNEL_PREFERENCES_H_
