// ChannelService, the preferences and the attempts log: GetPreferences,
// UpdatePreferences and ListDeliveryAttempts (see channel_service.h).

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/change.h"
#include "common/errors.h"
#include "common/filters.h"
#include "common/paging.h"
#include "common/vietnam_time.h"
#include "services/notification/channel_preferences.h"
#include "services/notification/channel_service.h"
#include "services/notification/domain/rule_sets.h"

namespace partydev::notification {
namespace {

constexpr absl::string_view kPreferences = "/preferences";

// "recipients/{r}" of "recipients/{r}/preferences"; INVALID_ARGUMENT
// naming `field` otherwise.
absl::StatusOr<std::string> RecipientOfPreferences(absl::string_view name,
                                                   absl::string_view field) {
  if (!absl::EndsWith(name, kPreferences)) {
    return InvalidField(field, "must be recipients/{recipient}/preferences");
  }
  return std::string(name.substr(0, name.size() - kPreferences.size()));
}

}  // namespace

PARTYDEV_UNARY_METHOD(ChannelServiceImpl, GetPreferences,
                      v1::GetPreferencesRequest, v1::Preferences)
PARTYDEV_UNARY_METHOD(ChannelServiceImpl, UpdatePreferences,
                      v1::UpdatePreferencesRequest, v1::Preferences)
PARTYDEV_UNARY_METHOD(ChannelServiceImpl, ListDeliveryAttempts,
                      v1::ListDeliveryAttemptsRequest,
                      v1::ListDeliveryAttemptsResponse)

absl::Status ChannelServiceImpl::DoGetPreferences(
    const CallContext& call, const v1::GetPreferencesRequest& request,
    v1::Preferences& response) {
  absl::StatusOr<std::string> recipient =
      RecipientOfPreferences(request.name(), "name");
  if (!recipient.ok()) return recipient.status();
  absl::StatusOr<v1::Recipient> managed =
      ManagedRecipient(call, *recipient, "name");
  if (!managed.ok()) return managed.status();
  absl::StatusOr<Stored<v1::Preferences>> stored =
      channels_.GetPreferences(managed->name());
  if (!stored.ok()) return stored.status();
  response = std::move(stored->message);
  ApplyEtag(response, stored->version);
  return absl::OkStatus();
}

absl::Status ChannelServiceImpl::DoUpdatePreferences(
    const CallContext& call, const v1::UpdatePreferencesRequest& request,
    v1::Preferences& response) {
  if (absl::Status s = CheckUpdateMask(request.update_mask(),
                                       {"categories", "quiet_hours", "digest"});
      !s.ok()) {
    return s;
  }
  const v1::Preferences& in = request.preferences();
  absl::StatusOr<std::string> recipient =
      RecipientOfPreferences(in.name(), "preferences.name");
  if (!recipient.ok()) return recipient.status();
  absl::StatusOr<const v1::NotificationRuleSet*> set =
      context_->rule_sets().ForDay(
          absl::ToCivilDay(context_->clock().Now(), VietnamTimeZone()));
  if (absl::Status s = CheckPreferences(in, request.update_mask(),
                                        set.ok() ? *set : nullptr);
      !s.ok()) {
    return s;
  }
  return RunStagedChange(
      context_->redis(), context_->prefix(), context_->events_key(),
      "UpdatePreferences", request.request_id(), request, response,
      [&](StagedChange& change) -> absl::Status {
        absl::StatusOr<v1::Recipient> managed =
            ManagedRecipient(call, *recipient, "preferences.name");
        if (!managed.ok()) return managed.status();
        absl::StatusOr<Stored<v1::Preferences>> stored =
            channels_.GetPreferences(managed->name());
        if (!stored.ok()) return stored.status();
        if (absl::Status s =
                CheckEtag(in.etag(), stored->version, stored->message.name());
            !s.ok()) {
          return s;
        }
        v1::Preferences updated = stored->message;
        const auto& mask = request.update_mask();
        if (InMask(mask, "categories")) {
          *updated.mutable_categories() = in.categories();
        }
        if (InMask(mask, "quiet_hours")) {
          *updated.mutable_quiet_hours() = in.quiet_hours();
        }
        if (InMask(mask, "digest")) *updated.mutable_digest() = in.digest();
        *updated.mutable_update_stamp() =
            Stamp(call, request.request_id(), "UpdatePreferences");
        updated.clear_etag();
        response = updated;
        ApplyEtag(response, request.validate_only() ? stored->version
                                                    : stored->version + 1);
        if (request.validate_only()) return absl::OkStatus();
        channels_.StagePutPreferences(change.write, updated, stored->version);
        return absl::OkStatus();
      });
}

absl::Status ChannelServiceImpl::DoListDeliveryAttempts(
    const CallContext& call, const v1::ListDeliveryAttemptsRequest& request,
    v1::ListDeliveryAttemptsResponse& response) {
  absl::StatusOr<Filter> filter =
      Filter::Parse(request.filter(), *v1::DeliveryAttempt::descriptor(),
                    {"channel_type", "start_time", "http_status"});
  if (!filter.ok()) return filter.status();
  absl::StatusOr<std::string> parent =
      ResolveRecipientName(call.principal, request.parent(), "parent");
  if (!parent.ok()) return parent.status();
  const size_t at = parent->find("/messages/");
  if (at == std::string::npos || at + 10 >= parent->size()) {
    return InvalidField("parent",
                        "must be recipients/{recipient}/messages/{message} "
                        "or recipients/{recipient}/messages/-");
  }
  const std::string recipient_name = parent->substr(0, at);
  const std::string message = parent->substr(at + 10);
  if (!request.channel().empty() &&
      !absl::StartsWith(request.channel(),
                        absl::StrCat(recipient_name, "/channels/"))) {
    return InvalidField("channel",
                        "must be a channel of the parent's "
                        "recipient");
  }
  absl::StatusOr<OffsetPage> page =
      OffsetPage::Of(request, request.page_size(), request.page_token());
  if (!page.ok()) return page.status();
  absl::StatusOr<v1::Recipient> recipient =
      ManagedRecipient(call, recipient_name, "parent");
  if (!recipient.ok()) return recipient.status();
  absl::StatusOr<std::vector<v1::DeliveryAttempt>> all =
      channels_.Attempts(recipient->name());
  if (!all.ok()) return all.status();
  const std::string message_prefix =
      absl::StrCat(recipient->name(), "/messages/", message, "/attempts/");
  std::vector<const v1::DeliveryAttempt*> rows;
  for (const v1::DeliveryAttempt& a : *all) {
    if (message != "-" && !absl::StartsWith(a.name(), message_prefix)) continue;
    if (!request.channel().empty() && a.channel() != request.channel()) {
      continue;
    }
    if (!request.outcomes().empty() &&
        std::find(request.outcomes().begin(), request.outcomes().end(),
                  a.outcome()) == request.outcomes().end()) {
      continue;
    }
    if (!filter->Matches(a)) continue;
    rows.push_back(&a);
  }
  page->Fill(rows.size(), response,
             [&](int i) { *response.add_delivery_attempts() = *rows[i]; });
  return absl::OkStatus();
}

}  // namespace partydev::notification
