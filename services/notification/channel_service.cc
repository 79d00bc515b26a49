#include "services/notification/channel_service.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/authorization.h"
#include "common/change.h"
#include "common/errors.h"
#include "common/filters.h"
#include "common/paging.h"
#include "common/record_store.h"

namespace partydev::notification {
namespace {

void CheckTimeZone(const std::string& zone, absl::string_view field,
                   FieldChecker& check) {
  absl::TimeZone tz;
  if (!zone.empty() && !absl::LoadTimeZone(zone, &tz)) {
    check.Add(field, "is not an IANA time zone");
  }
}

void CheckLocale(const std::string& locale, absl::string_view field,
                 FieldChecker& check) {
  if (locale.empty()) return;
  for (char c : locale) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '-';
    if (!ok) {
      check.Add(field, "is not a BCP 47 language tag (\"vi-VN\")");
      return;
    }
  }
}

}  // namespace

ChannelServiceImpl::ChannelServiceImpl(
    std::shared_ptr<NotificationContext> context)
    : context_(std::move(context)),
      recipients_(*context_),
      inbox_(*context_),
      channels_(*context_),
      sender_(std::make_unique<ChannelSender>(
          ChannelDeliveryOptionsFor(context_->runtime().config()))) {}

PARTYDEV_UNARY_METHOD(ChannelServiceImpl, GetRecipient, v1::GetRecipientRequest,
                      v1::Recipient)
PARTYDEV_UNARY_METHOD(ChannelServiceImpl, ListRecipients,
                      v1::ListRecipientsRequest, v1::ListRecipientsResponse)
PARTYDEV_UNARY_METHOD(ChannelServiceImpl, CreateRecipient,
                      v1::CreateRecipientRequest, v1::Recipient)
PARTYDEV_UNARY_METHOD(ChannelServiceImpl, UpdateRecipient,
                      v1::UpdateRecipientRequest, v1::Recipient)

absl::Status ChannelServiceImpl::FillUnread(v1::Recipient& recipient) {
  absl::StatusOr<std::map<v1::MessageCategory, int>> counts =
      inbox_.UnreadCounts(recipient.name());
  if (!counts.ok()) return counts.status();
  int total = 0;
  for (const auto& [category, count] : *counts) total += count;
  recipient.set_unread_count(total);
  return absl::OkStatus();
}

absl::Status ChannelServiceImpl::DoGetRecipient(
    const CallContext& call, const v1::GetRecipientRequest& request,
    v1::Recipient& response) {
  absl::StatusOr<std::string> name =
      ResolveRecipientName(call.principal, request.name(), "name");
  if (!name.ok()) return name.status();
  absl::StatusOr<Stored<v1::Recipient>> stored = recipients_.Get(*name);
  if (absl::IsNotFound(stored.status())) {
    // Only those who could see it learn that it does not exist.
    return call.principal.HasRole(roles::kAdmin) ||
                   *name == PersonRecipientName(call.principal.subject)
               ? stored.status()
               : RecipientDenied(call.principal, *name);
  }
  if (!stored.ok()) return stored.status();
  absl::StatusOr<TreeOnDay> tree = CurrentTree(*context_);
  if (!tree.ok()) return tree.status();
  if (!MayManageRecipient(*tree, call.principal, stored->message)) {
    return RecipientDenied(call.principal, *name);
  }
  response = std::move(stored->message);
  return FillUnread(response);
}

absl::Status ChannelServiceImpl::DoListRecipients(
    const CallContext& call, const v1::ListRecipientsRequest& request,
    v1::ListRecipientsResponse& response) {
  absl::StatusOr<Filter> filter =
      Filter::Parse(request.filter(), *v1::Recipient::descriptor(),
                    {"kind", "display_name", "organization", "person"});
  if (!filter.ok()) return filter.status();
  if (!request.under_organization().empty() &&
      !absl::StartsWith(request.under_organization(), "organizations/")) {
    return InvalidField("under_organization", "must be organizations/{org}");
  }
  absl::StatusOr<OffsetPage> page =
      OffsetPage::Of(request, request.page_size(), request.page_token());
  if (!page.ok()) return page.status();
  absl::StatusOr<TreeOnDay> tree = CurrentTree(*context_);
  if (!tree.ok()) return tree.status();
  if (!request.under_organization().empty()) {
    if (absl::Status s =
            CheckCovers(*tree, call.principal, request.under_organization(),
                        "under_organization");
        !s.ok()) {
      return s;
    }
  }
  absl::StatusOr<std::vector<Stored<v1::Recipient>>> all = recipients_.All();
  if (!all.ok()) return all.status();
  std::vector<v1::Recipient*> rows;
  for (Stored<v1::Recipient>& s : *all) {
    if (!MayManageRecipient(*tree, call.principal, s.message)) continue;
    // "Owned by it or by an organisation below it" (channels.proto).
    if (!request.under_organization().empty() &&
        !IsWithin(*tree, request.under_organization(),
                  s.message.owner_organization())) {
      continue;
    }
    if (!filter->Matches(s.message)) continue;
    rows.push_back(&s.message);
  }
  absl::Status status;
  page->Fill(rows.size(), response, [&](int i) {
    v1::Recipient* out = response.add_recipients();
    *out = *rows[i];
    if (status.ok()) status = FillUnread(*out);
  });
  return status;
}

absl::Status ChannelServiceImpl::DoCreateRecipient(
    const CallContext& call, const v1::CreateRecipientRequest& request,
    v1::Recipient& response) {
  const v1::Recipient& in = request.recipient();
  FieldChecker check;
  if (!IsValidResourceId(request.recipient_id())) {
    check.Add("recipient_id",
              "must match ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$");
  } else if (absl::StartsWith(request.recipient_id(), "org-") ||
             absl::StartsWith(request.recipient_id(), "person-")) {
    check.Add("recipient_id",
              "must not start with \"org-\" or \"person-\" (ids of "
              "organisations and persons, created by the server)");
  } else if (request.recipient_id() == "me") {
    check.Add("recipient_id", "\"me\" names the caller");
  }
  if (in.kind() != v1::RECIPIENT_KIND_EXTERNAL_SYSTEM) {
    check.Add("recipient.kind",
              "must be RECIPIENT_KIND_EXTERNAL_SYSTEM (organisations and "
              "persons are created from membership's events)");
  }
  if (!absl::StartsWith(in.owner_organization(), "organizations/")) {
    check.Add("recipient.owner_organization",
              "is required: organizations/{org}");
  }
  if (!in.organization().empty()) {
    check.Add("recipient.organization", "is output only");
  }
  if (!in.person().empty()) check.Add("recipient.person", "is output only");
  if (in.display_name().empty()) {
    check.Add("recipient.display_name", "is required");
  }
  CheckTimeZone(in.time_zone(), "recipient.time_zone", check);
  CheckLocale(in.locale(), "recipient.locale", check);
  if (!check.ok()) return check.status();
  if (absl::Status s =
          RequireAnyRole(call.principal, {roles::kSecretary, roles::kSystem},
                         "CreateRecipient");
      !s.ok()) {
    return s;
  }
  const std::string name = absl::StrCat("recipients/", request.recipient_id());
  v1::Recipient recipient;
  recipient.set_name(name);
  recipient.set_kind(v1::RECIPIENT_KIND_EXTERNAL_SYSTEM);
  recipient.set_owner_organization(in.owner_organization());
  absl::StatusOr<TreeOnDay> tree = CurrentTree(*context_);
  if (!tree.ok()) return tree.status();
  if (!MayManageRecipient(*tree, call.principal, recipient)) {
    return RecipientDenied(call.principal, in.owner_organization());
  }
  recipient.set_display_name(in.display_name());
  recipient.set_time_zone(in.time_zone().empty() ? "Asia/Ho_Chi_Minh"
                                                 : in.time_zone());
  recipient.set_locale(in.locale().empty() ? "vi-VN" : in.locale());
  return RunStagedChange(
      context_->redis(), context_->prefix(), context_->events_key(),
      "CreateRecipient", request.request_id(), request, response,
      [&](StagedChange& change) -> absl::Status {
        absl::StatusOr<Stored<v1::Recipient>> existing = recipients_.Get(name);
        if (existing.ok()) {
          return absl::AlreadyExistsError(
              absl::StrCat(name, " already exists"));
        }
        if (!absl::IsNotFound(existing.status())) return existing.status();
        *recipient.mutable_create_stamp() =
            Stamp(call, request.request_id(), "CreateRecipient");
        *recipient.mutable_update_stamp() = recipient.create_stamp();
        response = recipient;
        ApplyEtag(response, 1);
        if (request.validate_only()) return absl::OkStatus();
        recipients_.StagePut(change.write, recipient, 0);
        return absl::OkStatus();
      });
}

absl::Status ChannelServiceImpl::DoUpdateRecipient(
    const CallContext& call, const v1::UpdateRecipientRequest& request,
    v1::Recipient& response) {
  if (absl::Status s = CheckUpdateMask(request.update_mask(),
                                       {"display_name", "time_zone", "locale"});
      !s.ok()) {
    return s;
  }
  const v1::Recipient& in = request.recipient();
  absl::StatusOr<std::string> name =
      ResolveRecipientName(call.principal, in.name(), "recipient.name");
  if (!name.ok()) return name.status();
  FieldChecker check;
  if (InMask(request.update_mask(), "display_name") &&
      in.display_name().empty()) {
    check.Add("recipient.display_name", "must not be empty");
  }
  CheckTimeZone(in.time_zone(), "recipient.time_zone", check);
  CheckLocale(in.locale(), "recipient.locale", check);
  if (!check.ok()) return check.status();
  return RunStagedChange(
      context_->redis(), context_->prefix(), context_->events_key(),
      "UpdateRecipient", request.request_id(), request, response,
      [&](StagedChange& change) -> absl::Status {
        absl::StatusOr<Stored<v1::Recipient>> stored = recipients_.Get(*name);
        if (absl::IsNotFound(stored.status()) &&
            !call.principal.HasRole(roles::kAdmin)) {
          return RecipientDenied(call.principal, *name);
        }
        if (!stored.ok()) return stored.status();
        absl::StatusOr<TreeOnDay> tree = CurrentTree(*context_);
        if (!tree.ok()) return tree.status();
        if (!MayManageRecipient(*tree, call.principal, stored->message)) {
          return RecipientDenied(call.principal, *name);
        }
        if (absl::Status s = CheckEtag(in.etag(), stored->version, *name);
            !s.ok()) {
          return s;
        }
        v1::Recipient updated = stored->message;
        if (InMask(request.update_mask(), "display_name")) {
          updated.set_display_name(in.display_name());
        }
        if (InMask(request.update_mask(), "time_zone")) {
          updated.set_time_zone(in.time_zone().empty() ? "Asia/Ho_Chi_Minh"
                                                       : in.time_zone());
        }
        if (InMask(request.update_mask(), "locale")) {
          updated.set_locale(in.locale().empty() ? "vi-VN" : in.locale());
        }
        *updated.mutable_update_stamp() =
            Stamp(call, request.request_id(), "UpdateRecipient");
        response = updated;
        ApplyEtag(response, stored->version + 1);
        if (absl::Status s = FillUnread(response); !s.ok()) return s;
        if (request.validate_only()) {
          ApplyEtag(response, stored->version);
          return absl::OkStatus();
        }
        recipients_.StagePut(change.write, updated, stored->version);
        return absl::OkStatus();
      });
}

}  // namespace partydev::notification
