#include "services/notification/inbox_service.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/authorization.h"
#include "common/change.h"
#include "common/errors.h"
#include "common/filters.h"
#include "common/ids.h"
#include "common/paging.h"
#include "services/notification/channel_preferences.h"
#include "services/notification/channel_store.h"
#include "services/notification/delivery_store.h"
#include "services/notification/templates/template_renderer.h"

namespace partydev::notification {
namespace {

constexpr absl::string_view kMessages = "/messages/";
constexpr size_t kMaxIdempotencyKeyLength = 256;
// How often an idle subscription looks for new messages.
constexpr std::chrono::milliseconds kPollInterval(200);

// Stream ids ("<ms>-<seq>") as comparable numbers.
std::pair<uint64_t, uint64_t> IdOrder(absl::string_view id) {
  std::pair<uint64_t, uint64_t> order{0, 0};
  const size_t dash = id.find('-');
  if (dash == absl::string_view::npos) return order;
  (void)absl::SimpleAtoi(id.substr(0, dash), &order.first);
  (void)absl::SimpleAtoi(id.substr(dash + 1), &order.second);
  return order;
}

bool InCategories(const google::protobuf::RepeatedField<int>& categories,
                  v1::MessageCategory category) {
  return categories.empty() || std::find(categories.begin(), categories.end(),
                                         category) != categories.end();
}

std::string IdOf(absl::string_view message_name) {
  return std::string(message_name.substr(message_name.rfind('/') + 1));
}

// The "sent" marker of a delivery key: its job was enqueued.
std::string SentKey(const NotificationContext& context,
                    absl::string_view delivery_key) {
  return absl::StrCat(context.prefix(), "inbox:sent:", delivery_key);
}

// The message a SendNotification request renders (without its recipient).
absl::StatusOr<v1::Message> RenderRequest(
    const NotificationContext& context,
    const v1::SendNotificationRequest& request) {
  v1::Message message;
  message.set_category(request.category());
  message.set_priority(request.priority() == v1::MESSAGE_PRIORITY_UNSPECIFIED
                           ? v1::MESSAGE_PRIORITY_NORMAL
                           : request.priority());
  message.set_subject_resource(request.subject_resource());
  *message.mutable_attachments() = request.attachments();
  message.set_idempotency_key(request.idempotency_key());
  const v1::NotificationContent& content = request.content();
  if (content.has_text()) {
    FieldChecker check;
    if (content.text().subject().empty()) {
      check.Add("content.text.subject", "is required");
    } else if (absl::StrContains(content.text().subject(), '\n')) {
      check.Add("content.text.subject", "must be one line");
    }
    if (content.text().body().empty()) {
      check.Add("content.text.body", "is required");
    }
    if (!check.ok()) return check.status();
    message.set_subject(content.text().subject());
    message.set_body(content.text().body());
    return message;
  }
  if (!content.has_template_()) {
    return InvalidField("content", "is required: a template or a text");
  }
  const v1::TemplateContent& t = content.template_();
  // Issue #6: only the shipped library; templates saved through
  // TemplateService are not looked up yet. A revision suffix is accepted
  // and ignored (shipped templates have one revision).
  absl::string_view name = t.template_();
  name = name.substr(0, name.find('@'));
  const v1::Template* tmpl = context.rules().templates != nullptr
                                 ? context.rules().templates->Find(name)
                                 : nullptr;
  if (tmpl == nullptr) {
    return InvalidField("content.template.template",
                        absl::StrCat("no template ", t.template_()));
  }
  absl::StatusOr<nlohmann::json> values = templates::ParseContext(
      t.context_json(), "content.template.context_json");
  if (!values.ok()) return values.status();
  std::vector<std::string> missing;
  absl::StatusOr<std::vector<v1::RenderedVariant>> rendered =
      templates::RenderTemplate(*tmpl, *values,
                                context.rules().templates->partials,
                                v1::CHANNEL_TYPE_IN_APP, &missing);
  if (!rendered.ok()) return rendered.status();
  if (!missing.empty()) {
    return InvalidField("content.template.context_json",
                        absl::StrCat("lacks the variable ", missing.front()));
  }
  if (rendered->empty()) {
    return InvalidField("content.template.template",
                        "has no variant for the in-app channel");
  }
  message.set_subject(rendered->front().subject());
  message.set_body(rendered->front().body());
  message.set_template_(
      tmpl->revision_id().empty()
          ? tmpl->name()
          : absl::StrCat(tmpl->name(), "@", tmpl->revision_id()));
  return message;
}

// Stages, beside a recipient's in-app job, one job per verified, enabled
// channel of the recipient that accepts the category and whose preferences
// do not mute it (channel_preferences.h).
absl::Status StageChannelJobs(NotificationContext& context,
                              const v1::Recipient& recipient,
                              const v1::SendNotificationRequest& request,
                              const storage::v1::Job& in_app_job,
                              absl::Time now, AtomicWrite& write) {
  ChannelStore channels(context);
  absl::StatusOr<std::vector<Stored<storage::v1::StoredChannel>>> list =
      channels.List(recipient.name());
  if (!list.ok()) return list.status();
  if (list->empty()) return absl::OkStatus();
  absl::StatusOr<Stored<v1::Preferences>> preferences =
      channels.GetPreferences(recipient.name());
  if (!preferences.ok()) return preferences.status();
  const v1::MessageCategory category = request.category();
  // Quiet hours hold non-urgent messages on the outbound channels: the job
  // waits in the delayed set until they end (a delayed job, not a deferral
  // at send time, so no worker wakes for it during the night).
  const absl::Time not_before = EarliestDelivery(
      preferences->message, recipient, in_app_job.priority(), now);
  for (const Stored<storage::v1::StoredChannel>& stored : *list) {
    const v1::Channel& channel = stored.message.channel();
    if (channel.state() != v1::CHANNEL_STATE_ACTIVE || channel.paused() ||
        !ChannelAccepts(channel, category) ||
        CategoryMuted(preferences->message, category, channel.type())) {
      continue;
    }
    storage::v1::Job job = in_app_job;
    job.clear_id();
    // One key per recipient, business key and channel: the webhook-id (and
    // the e-mail's Message-ID) stays the same on every attempt.
    job.set_idempotency_key(DeliveryKey(
        recipient.name(),
        absl::StrCat(request.idempotency_key(), ":",
                     channel.name().substr(channel.name().rfind('/') + 1))));
    job.set_channel_type(channel.type());
    job.set_channel(channel.name());
    if (not_before > now) *job.mutable_not_before() = ToTimestamp(not_before);
    context.queue().StageEnqueue(write, job, now);
  }
  return absl::OkStatus();
}

}  // namespace

std::string DeliveryKey(absl::string_view recipient,
                        absl::string_view idempotency_key) {
  return Sha256Hex(absl::StrCat(recipient, "\n", idempotency_key));
}

// One SubscribeMessages stream: a thread reads the inbox stream from the
// cursor and writes one response at a time (gRPC allows one outstanding
// write), until the client cancels.
class InboxServiceImpl::Subscription
    : public grpc::ServerWriteReactor<v1::SubscribeMessagesResponse> {
 public:
  Subscription(InboxServiceImpl& service, grpc::CallbackServerContext* context,
               const v1::SubscribeMessagesRequest& request)
      : service_(service), context_(context), request_(request) {
    thread_ = std::thread([this] { Run(); });
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard<std::mutex> lock(mu_);
    write_pending_ = false;
    write_ok_ = ok;
    cv_.notify_all();
  }
  void OnCancel() override {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = true;
    cv_.notify_all();
  }
  void OnDone() override {
    if (thread_.get_id() == std::this_thread::get_id()) {
      thread_.detach();  // Finish ran OnDone inline: Run touches nothing after
    } else {
      thread_.join();
    }
    delete this;
  }

 private:
  bool cancelled() {
    std::lock_guard<std::mutex> lock(mu_);
    return cancelled_;
  }

  // Writes `response` and waits for its completion; false when the stream
  // is gone.
  bool Send(v1::SubscribeMessagesResponse response) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (cancelled_) return false;
      write_pending_ = true;
      out_ = std::move(response);
    }
    StartWrite(&out_);
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return !write_pending_; });
    return write_ok_;
  }

  absl::StatusOr<std::string> StartCursor(const std::string& recipient) {
    const std::string& after = request_.after_message();
    if (after.empty()) return service_.inbox_.LatestId(recipient);
    if (absl::StartsWith(after, "recipients/")) {
      absl::StatusOr<MessageName> parsed =
          ParseMessageName(after, "after_message");
      if (!parsed.ok()) return parsed.status();
      if (parsed->recipient != recipient) {
        return InvalidField("after_message", "is a message of another inbox");
      }
      return parsed->id;
    }
    absl::StatusOr<MessageName> parsed = ParseMessageName(
        absl::StrCat(recipient, kMessages, after), "after_message");
    if (!parsed.ok()) return parsed.status();
    return parsed->id;
  }

  absl::Status Stream(const CallContext& call) {
    absl::StatusOr<v1::Recipient> recipient =
        service_.AuthorizeInbox(call, request_.parent(), "parent");
    if (!recipient.ok()) return recipient.status();
    absl::Duration heartbeat = absl::Seconds(30);
    if (request_.has_heartbeat_interval()) {
      heartbeat = absl::Seconds(request_.heartbeat_interval().seconds()) +
                  absl::Nanoseconds(request_.heartbeat_interval().nanos());
      heartbeat = std::clamp(heartbeat, absl::Seconds(5), absl::Minutes(5));
    }
    absl::StatusOr<std::string> cursor = StartCursor(recipient->name());
    if (!cursor.ok()) return cursor.status();
    std::string sent_cursor =
        request_.after_message().empty() ? "" : IdOf(request_.after_message());
    absl::Time last_write = absl::Now();
    while (!cancelled()) {
      // Short polls rather than XREAD BLOCK: a blocked read would hold one
      // of the shared Redis connections for as long as the stream is idle.
      absl::StatusOr<std::vector<std::string>> ids = service_.inbox_.IdsAfter(
          recipient->name(), *cursor, 100, absl::ZeroDuration());
      if (!ids.ok()) return ids.status();
      if (ids->empty()) {
        if (absl::Now() - last_write >= heartbeat) {
          v1::SubscribeMessagesResponse beat;
          *beat.mutable_heartbeat()->mutable_time() =
              ToTimestamp(service_.context_->clock().Now());
          beat.set_cursor(sent_cursor);
          if (!Send(std::move(beat))) break;
          last_write = absl::Now();
        }
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait_for(lock, kPollInterval, [this] { return cancelled_; });
        continue;
      }
      absl::StatusOr<std::vector<Stored<v1::Message>>> messages =
          service_.inbox_.GetMany(recipient->name(), *ids);
      if (!messages.ok()) return messages.status();
      for (Stored<v1::Message>& m : *messages) {
        if (!InCategories(request_.categories(), m.message.category())) {
          continue;
        }
        sent_cursor = IdOf(m.message.name());
        v1::SubscribeMessagesResponse event;
        *event.mutable_message() = std::move(m.message);
        event.set_cursor(sent_cursor);
        if (!Send(std::move(event))) return absl::CancelledError("stream gone");
        last_write = absl::Now();
      }
      *cursor = ids->back();
    }
    return absl::CancelledError("the client cancelled the subscription");
  }

  void Run() {
    CallContext call;
    absl::Status status = service_.context_->runtime().BeginCall(
        context_, "SubscribeMessages", &call);
    if (status.ok()) status = Stream(call);
    Finish(service_.context_->runtime().FinishCall(call, status));
  }

  InboxServiceImpl& service_;
  grpc::CallbackServerContext* const context_;
  const v1::SubscribeMessagesRequest request_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool cancelled_ = false;
  bool write_pending_ = false;
  bool write_ok_ = true;
  v1::SubscribeMessagesResponse out_;
  std::thread thread_;
};

InboxServiceImpl::InboxServiceImpl(std::shared_ptr<NotificationContext> context)
    : context_(std::move(context)), recipients_(*context_), inbox_(*context_) {}

InboxServiceImpl::~InboxServiceImpl() = default;

void InboxServiceImpl::AttachWorkers(std::unique_ptr<DeliveryWorkers> workers) {
  workers_ = std::move(workers);
}

PARTYDEV_UNARY_METHOD(InboxServiceImpl, ListMessages, v1::ListMessagesRequest,
                      v1::ListMessagesResponse)
PARTYDEV_UNARY_METHOD(InboxServiceImpl, GetMessage, v1::GetMessageRequest,
                      v1::Message)
PARTYDEV_UNARY_METHOD(InboxServiceImpl, CountUnreadMessages,
                      v1::CountUnreadMessagesRequest,
                      v1::CountUnreadMessagesResponse)
PARTYDEV_UNARY_METHOD(InboxServiceImpl, MarkMessageRead,
                      v1::MarkMessageReadRequest, v1::Message)
PARTYDEV_UNARY_METHOD(InboxServiceImpl, MarkMessageUnread,
                      v1::MarkMessageUnreadRequest, v1::Message)
PARTYDEV_UNARY_METHOD(InboxServiceImpl, MarkAllMessagesRead,
                      v1::MarkAllMessagesReadRequest,
                      v1::MarkAllMessagesReadResponse)
PARTYDEV_UNARY_METHOD(InboxServiceImpl, ArchiveMessage,
                      v1::ArchiveMessageRequest, v1::Message)
PARTYDEV_UNARY_METHOD(InboxServiceImpl, UnarchiveMessage,
                      v1::UnarchiveMessageRequest, v1::Message)
PARTYDEV_UNARY_METHOD(InboxServiceImpl, SendNotification,
                      v1::SendNotificationRequest, v1::SendNotificationResponse)

grpc::ServerWriteReactor<v1::SubscribeMessagesResponse>*
InboxServiceImpl::SubscribeMessages(
    grpc::CallbackServerContext* context,
    const v1::SubscribeMessagesRequest* request) {
  return new Subscription(*this, context, *request);
}

absl::StatusOr<v1::Recipient> InboxServiceImpl::AuthorizeInbox(
    const CallContext& call, absl::string_view name, absl::string_view field) {
  absl::StatusOr<std::string> resolved =
      ResolveRecipientName(call.principal, name, field);
  if (!resolved.ok()) return resolved.status();
  const std::string recipient_name = resolved->substr(
      0, resolved->find('/', std::string("recipients/").size()));
  absl::StatusOr<Stored<v1::Recipient>> stored =
      recipients_.Get(recipient_name);
  if (absl::IsNotFound(stored.status())) {
    return call.principal.HasRole(roles::kAdmin)
               ? stored.status()
               : RecipientDenied(call.principal, recipient_name);
  }
  if (!stored.ok()) return stored.status();
  if (!MayReadInbox(call.principal, stored->message)) {
    return RecipientDenied(call.principal, recipient_name);
  }
  return std::move(stored->message);
}

absl::Status InboxServiceImpl::DoGetMessage(
    const CallContext& call, const v1::GetMessageRequest& request,
    v1::Message& response) {
  absl::StatusOr<std::string> name =
      ResolveRecipientName(call.principal, request.name(), "name");
  if (!name.ok()) return name.status();
  absl::StatusOr<MessageName> parsed = ParseMessageName(*name, "name");
  if (!parsed.ok()) return parsed.status();
  absl::StatusOr<v1::Recipient> recipient =
      AuthorizeInbox(call, parsed->recipient, "name");
  if (!recipient.ok()) return recipient.status();
  absl::StatusOr<Stored<v1::Message>> stored = inbox_.Get(*name);
  if (!stored.ok()) return stored.status();
  response = std::move(stored->message);
  return absl::OkStatus();
}

absl::Status InboxServiceImpl::DoListMessages(
    const CallContext& call, const v1::ListMessagesRequest& request,
    v1::ListMessagesResponse& response) {
  // AIP-160 over what inbox.proto names; checked before anything is read.
  absl::StatusOr<Filter> filter = Filter::Parse(
      request.filter(), *v1::Message::descriptor(),
      {"priority", "subject_resource", "create_time", "delivery"});
  if (!filter.ok()) return filter.status();
  const bool ascending = request.order_by() == "create_time";
  if (!ascending && !request.order_by().empty() &&
      request.order_by() != "create_time desc") {
    return InvalidField("order_by",
                        "must be \"create_time desc\" or \"create_time\"");
  }
  absl::StatusOr<int> size = ResolvePageSize(request.page_size());
  if (!size.ok()) return size.status();
  const std::string fingerprint = RequestFingerprint(request);
  absl::StatusOr<std::string> cursor =
      DecodePageToken(request.page_token(), fingerprint);
  if (!cursor.ok()) return cursor.status();
  absl::StatusOr<v1::Recipient> recipient =
      AuthorizeInbox(call, request.parent(), "parent");
  if (!recipient.ok()) return recipient.status();
  // The whole inbox, newest first (bounded by the message retention); the
  // token's cursor is a message id, so paging is stable under new arrivals.
  absl::StatusOr<std::vector<std::string>> ids =
      inbox_.IdsNewestFirst(recipient->name(), "", 1 << 30);
  if (!ids.ok()) return ids.status();
  absl::StatusOr<std::vector<Stored<v1::Message>>> messages =
      inbox_.GetMany(recipient->name(), *ids);
  if (!messages.ok()) return messages.status();
  std::vector<v1::Message*> rows;
  for (Stored<v1::Message>& m : *messages) {
    const v1::Message& msg = m.message;
    if (!request.include_archived() && msg.has_archive_time()) continue;
    if (request.unread_only() && msg.has_read_time()) continue;
    if (!InCategories(request.categories(), msg.category())) continue;
    if (!filter->Matches(msg)) continue;
    rows.push_back(&m.message);
  }
  if (ascending) std::reverse(rows.begin(), rows.end());
  response.set_total_size(static_cast<int>(rows.size()));
  const auto cut = IdOrder(*cursor);
  for (v1::Message* row : rows) {
    if (!cursor->empty()) {
      const auto order = IdOrder(IdOf(row->name()));
      if (ascending ? order <= cut : order >= cut) continue;
    }
    if (response.messages_size() == *size) {
      response.set_next_page_token(EncodePageToken(
          IdOf(response.messages(*size - 1).name()), fingerprint));
      break;
    }
    *response.add_messages() = std::move(*row);
  }
  return absl::OkStatus();
}

absl::Status InboxServiceImpl::DoCountUnreadMessages(
    const CallContext& call, const v1::CountUnreadMessagesRequest& request,
    v1::CountUnreadMessagesResponse& response) {
  absl::StatusOr<v1::Recipient> recipient =
      AuthorizeInbox(call, request.parent(), "parent");
  if (!recipient.ok()) return recipient.status();
  absl::StatusOr<std::map<v1::MessageCategory, int>> counts =
      inbox_.UnreadCounts(recipient->name());
  if (!counts.ok()) return counts.status();
  int total = 0;
  for (const auto& [category, count] : *counts) {
    if (!InCategories(request.categories(), category)) continue;
    total += count;
    v1::CategoryCount* c = response.add_by_category();
    c->set_category(category);
    c->set_count(count);
  }
  response.set_unread_count(total);
  absl::StatusOr<std::string> latest = inbox_.LatestId(recipient->name());
  if (!latest.ok()) return latest.status();
  if (*latest != "0-0") {
    response.set_latest_message(
        absl::StrCat(recipient->name(), kMessages, *latest));
  }
  return absl::OkStatus();
}

absl::Status InboxServiceImpl::ChangeMessage(
    const CallContext& call, const google::protobuf::Message& request,
    absl::string_view method, const std::string& name, const std::string& etag,
    const std::string& request_id,
    const std::function<std::optional<int>(v1::Message&)>& mutate,
    v1::Message& response) {
  absl::StatusOr<std::string> resolved =
      ResolveRecipientName(call.principal, name, "name");
  if (!resolved.ok()) return resolved.status();
  absl::StatusOr<MessageName> parsed = ParseMessageName(*resolved, "name");
  if (!parsed.ok()) return parsed.status();
  absl::StatusOr<v1::Recipient> recipient =
      AuthorizeInbox(call, parsed->recipient, "name");
  if (!recipient.ok()) return recipient.status();
  return RunStagedChange(
      context_->redis(), context_->prefix(), context_->events_key(), method,
      request_id, request, response, [&](StagedChange& change) -> absl::Status {
        absl::StatusOr<Stored<v1::Message>> stored = inbox_.Get(*resolved);
        if (!stored.ok()) return stored.status();
        if (absl::Status s = CheckEtag(etag, stored->version, *resolved);
            !s.ok()) {
          return s;
        }
        v1::Message message = stored->message;
        std::optional<int> delta = mutate(message);
        if (!delta.has_value()) {  // already in that state: idempotent
          response = std::move(stored->message);
          return absl::OkStatus();
        }
        inbox_.StageUpdate(change.write, message, stored->version, *delta);
        response = std::move(message);
        ApplyEtag(response, stored->version + 1);
        return absl::OkStatus();
      });
}

absl::Status InboxServiceImpl::DoMarkMessageRead(
    const CallContext& call, const v1::MarkMessageReadRequest& request,
    v1::Message& response) {
  const absl::Time now = context_->clock().Now();
  absl::Status changed = ChangeMessage(
      call, request, "MarkMessageRead", request.name(), request.etag(),
      request.request_id(),
      [&](v1::Message& m) -> std::optional<int> {
        if (m.has_read_time()) return std::nullopt;  // the first read is kept
        const int delta = InboxStore::CountsUnread(m) ? -1 : 0;
        *m.mutable_read_time() = ToTimestamp(now);
        m.set_read_by(call.principal.subject);
        return delta;
      },
      response);
  if (!changed.ok() || response.delivery().empty() ||
      !response.has_read_time()) {
    return changed;
  }
  // The message of a directive's delivery: the delivery is READ too
  // (DELIVERED → READ, read_time/read_by of the message's first read). A
  // second write, idempotent: a retried MarkMessageRead completes it.
  return DeliveryStore(*context_).RecordRead(
      response.delivery(), response.read_by(),
      FromTimestamp(response.read_time()));
}

absl::Status InboxServiceImpl::DoMarkMessageUnread(
    const CallContext& call, const v1::MarkMessageUnreadRequest& request,
    v1::Message& response) {
  return ChangeMessage(
      call, request, "MarkMessageUnread", request.name(), request.etag(),
      request.request_id(),
      [&](v1::Message& m) -> std::optional<int> {
        if (!m.has_read_time()) return std::nullopt;
        m.clear_read_time();
        m.clear_read_by();
        return InboxStore::CountsUnread(m) ? 1 : 0;
      },
      response);
}

absl::Status InboxServiceImpl::DoArchiveMessage(
    const CallContext& call, const v1::ArchiveMessageRequest& request,
    v1::Message& response) {
  const absl::Time now = context_->clock().Now();
  return ChangeMessage(
      call, request, "ArchiveMessage", request.name(), request.etag(),
      request.request_id(),
      [&](v1::Message& m) -> std::optional<int> {
        if (m.has_archive_time()) return std::nullopt;
        const int delta = InboxStore::CountsUnread(m) ? -1 : 0;
        *m.mutable_archive_time() = ToTimestamp(now);
        return delta;
      },
      response);
}

absl::Status InboxServiceImpl::DoUnarchiveMessage(
    const CallContext& call, const v1::UnarchiveMessageRequest& request,
    v1::Message& response) {
  return ChangeMessage(
      call, request, "UnarchiveMessage", request.name(), request.etag(),
      request.request_id(),
      [&](v1::Message& m) -> std::optional<int> {
        if (!m.has_archive_time()) return std::nullopt;
        m.clear_archive_time();
        return InboxStore::CountsUnread(m) ? 1 : 0;
      },
      response);
}

absl::Status InboxServiceImpl::DoMarkAllMessagesRead(
    const CallContext& call, const v1::MarkAllMessagesReadRequest& request,
    v1::MarkAllMessagesReadResponse& response) {
  absl::StatusOr<v1::Recipient> recipient =
      AuthorizeInbox(call, request.parent(), "parent");
  if (!recipient.ok()) return recipient.status();
  std::string up_to;
  if (!request.up_to_message().empty()) {
    std::string name = request.up_to_message();
    if (!absl::StartsWith(name, "recipients/")) {
      name = absl::StrCat(recipient->name(), kMessages, name);
    }
    absl::StatusOr<MessageName> parsed =
        ParseMessageName(name, "up_to_message");
    if (!parsed.ok()) return parsed.status();
    if (parsed->recipient != recipient->name()) {
      return InvalidField("up_to_message", "is a message of another inbox");
    }
    up_to = parsed->id;
  }
  const absl::Time now = context_->clock().Now();
  return RunStagedChange(
      context_->redis(), context_->prefix(), context_->events_key(),
      "MarkAllMessagesRead", request.request_id(), request, response,
      [&](StagedChange& change) -> absl::Status {
        absl::StatusOr<std::vector<std::string>> ids =
            inbox_.IdsNewestFirst(recipient->name(), "", 1 << 30);
        if (!ids.ok()) return ids.status();
        if (!up_to.empty()) {
          const auto limit = IdOrder(up_to);
          ids->erase(std::remove_if(ids->begin(), ids->end(),
                                    [&](const std::string& id) {
                                      return IdOrder(id) > limit;
                                    }),
                     ids->end());
        }
        absl::StatusOr<std::vector<Stored<v1::Message>>> messages =
            inbox_.GetMany(recipient->name(), *ids);
        if (!messages.ok()) return messages.status();
        int marked = 0;
        for (Stored<v1::Message>& m : *messages) {
          if (m.message.has_read_time() ||
              !InCategories(request.categories(), m.message.category())) {
            continue;
          }
          const int delta = InboxStore::CountsUnread(m.message) ? -1 : 0;
          *m.message.mutable_read_time() = ToTimestamp(now);
          m.message.set_read_by(call.principal.subject);
          inbox_.StageUpdate(change.write, m.message, m.version, delta);
          ++marked;
        }
        response.set_marked_count(marked);
        return absl::OkStatus();
      });
}

absl::Status InboxServiceImpl::DoSendNotification(
    const CallContext& call, const v1::SendNotificationRequest& request,
    v1::SendNotificationResponse& response) {
  return RunStagedChange(
      context_->redis(), context_->prefix(), context_->events_key(),
      "SendNotification", request.request_id(), request, response,
      [&](StagedChange& change) -> absl::Status {
        // The fields, every problem at once.
        FieldChecker check;
        const int n = request.recipients_size();
        if (n == 0) {
          check.Add("recipients", "at least one recipient is required");
        } else if (n > kMaxRecipientsPerSend) {
          check.Add("recipients",
                    absl::StrCat("at most ", kMaxRecipientsPerSend,
                                 " recipients per request; got ", n));
        }
        std::vector<std::string> names;
        std::set<std::string> seen;
        for (int i = 0; i < n && n <= kMaxRecipientsPerSend; ++i) {
          const std::string field = absl::StrCat("recipients[", i, "]");
          absl::StatusOr<std::string> name = ResolveRecipientName(
              call.principal, request.recipients(i), field);
          if (!name.ok() || name->find('/', 11) != std::string::npos) {
            check.Add(field, "must be recipients/{recipient}");
            continue;
          }
          if (!seen.insert(*name).second) {
            check.Add(field, absl::StrCat(*name, " is listed twice"));
            continue;
          }
          names.push_back(*name);
        }
        if (request.category() == v1::MESSAGE_CATEGORY_UNSPECIFIED) {
          check.Add("category", "is required");
        }
        if (request.idempotency_key().empty()) {
          check.Add("idempotency_key", "is required");
        } else if (request.idempotency_key().size() >
                   kMaxIdempotencyKeyLength) {
          check.Add(
              "idempotency_key",
              absl::StrCat("at most ", kMaxIdempotencyKeyLength, " bytes"));
        }
        if (!check.ok()) return check.status();
        if (absl::Status s = RequireAnyRole(call.principal,
                                            {roles::kSystem, roles::kSecretary},
                                            "SendNotification");
            !s.ok()) {
          return s;
        }
        absl::StatusOr<v1::Message> message = RenderRequest(*context_, request);
        if (!message.ok()) return message.status();

        // Every recipient exists and is the caller's to notify.
        absl::StatusOr<std::vector<Stored<v1::Recipient>>> found =
            recipients_.GetMany(names);
        if (!found.ok()) return found.status();
        std::map<std::string, const v1::Recipient*> by_name;
        for (const Stored<v1::Recipient>& r : *found) {
          by_name[r.message.name()] = &r.message;
        }
        absl::StatusOr<TreeOnDay> tree = CurrentTree(*context_);
        if (!tree.ok()) return tree.status();
        std::vector<FieldViolation> unknown;
        for (size_t i = 0; i < names.size(); ++i) {
          auto it = by_name.find(names[i]);
          if (it == by_name.end()) {
            unknown.push_back({absl::StrCat("recipients[", i, "]"),
                               absl::StrCat(names[i], " does not exist")});
          } else if (!call.principal.HasRole(roles::kAdmin) &&
                     !Covers(*tree, call.principal,
                             it->second->owner_organization())) {
            // The caller notifies only within its subtree.
            return RecipientDenied(call.principal, names[i]);
          }
        }
        if (!unknown.empty()) return InvalidFields(std::move(unknown));

        // Duplicates by the idempotency key: their job was enqueued before.
        std::vector<std::string> keys, sent_keys;
        for (const std::string& name : names) {
          keys.push_back(DeliveryKey(name, request.idempotency_key()));
          sent_keys.push_back(SentKey(*context_, keys.back()));
        }
        absl::StatusOr<std::vector<VersionedRecord>> sent =
            ReadRecords(context_->redis(), sent_keys);
        if (!sent.ok()) return sent.status();
        absl::StatusOr<std::vector<std::string>> delivered =
            inbox_.Delivered(names, keys);
        if (!delivered.ok()) return delivered.status();

        const absl::Time now = context_->clock().Now();
        for (size_t i = 0; i < names.size(); ++i) {
          v1::SentNotification* result = response.add_results();
          result->set_recipient(names[i]);
          result->set_message((*delivered)[i]);
          result->set_duplicate((*sent)[i].exists() ||
                                !(*delivered)[i].empty());
          if (result->duplicate() || request.validate_only()) continue;
          storage::v1::Job job;
          job.set_idempotency_key(keys[i]);
          job.set_kind(v1::JOB_KIND_CHANNEL_DELIVERY);
          job.set_priority(message->priority());
          job.set_channel_type(v1::CHANNEL_TYPE_IN_APP);
          job.set_recipient(names[i]);
          job.set_payload(message->SerializeAsString());
          // The marker is expected absent: a concurrent request with the
          // same key makes this commit abort instead of a second job.
          change.write.Expect(sent_keys[i], 0);
          const std::string job_id =
              context_->queue().StageEnqueue(change.write, job, now);
          change.write.Put(sent_keys[i], job_id);
          if (absl::Status s =
                  StageChannelJobs(*context_, *by_name[names[i]], request, job,
                                   now, change.write);
              !s.ok()) {
            return s;
          }
        }
        return absl::OkStatus();
      });
}

}  // namespace partydev::notification
