#include "services/notification/organization_projection.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/atomic_write.h"
#include "common/event_consumer.h"
#include "common/record_store.h"
#include "services/notification/recipient_store.h"

namespace partydev::notification {
namespace {

// notifyd's consumer group on membership's stream (one per projection, so
// each keeps its own position and pending entries).
constexpr char kGroup[] = "notifyd-organizations";
// Attempts of one event against concurrent writers (ABORTED) before the
// entry is left pending for the consumer's next poll.
constexpr int kAttempts = 4;

// The organisations an event carries a full snapshot of: those whose
// office recipient it can create (a dissolution or the sources of a merger
// name organisations already known, without a display name).
std::vector<const events::v1::OrganizationSnapshot*> Snapshots(
    const events::v1::Event& event) {
  using E = events::v1::Event;
  std::vector<const events::v1::OrganizationSnapshot*> out;
  switch (event.payload_case()) {
    case E::kOrganizationCreated:
      out.push_back(&event.organization_created().organization());
      break;
    case E::kOrganizationUpdated:
      out.push_back(&event.organization_updated().organization());
      break;
    case E::kOrganizationMoved:
      out.push_back(&event.organization_moved().organization());
      break;
    case E::kOrganizationsMerged:
      out.push_back(&event.organizations_merged().result());
      break;
    case E::kOrganizationSplit:
      for (const auto& result : event.organization_split().results()) {
        out.push_back(&result);
      }
      break;
    default:
      break;
  }
  return out;
}

}  // namespace

class OrganizationProjection::Impl {
 public:
  Impl(RedisClient& redis, RedisClient& source,
       OrganizationProjectionOptions options)
      : redis_(redis),
        options_(std::move(options)),
        tree_(redis, options_.prefix + "organizations:"),
        records_(redis, options_.prefix),
        recipients_(records_),
        consumer_(
            source, ConsumerOptions(options_),
            [this](const StreamEntry& entry, const events::v1::Event& event) {
              return Apply(entry.id, event);
            }) {}

  absl::StatusOr<std::shared_ptr<const OrgTree>> Tree() {
    return tree_.Snapshot();
  }
  absl::StatusOr<int> DrainAll() { return consumer_.Drain(); }
  void Start() { consumer_.Start(); }
  void Stop() { consumer_.Stop(); }

 private:
  static EventConsumerOptions ConsumerOptions(
      const OrganizationProjectionOptions& options) {
    EventConsumerOptions consumer;
    consumer.stream = options.membership_stream;
    consumer.group = kGroup;
    consumer.consumer = options.consumer;
    consumer.block = absl::Milliseconds(500);
    // Named under notifyd's prefix, as quotad names its own.
    consumer.parked_stream = options.prefix + "organizations:parked";
    return consumer;
  }

  // The marker of an applied event. Kept forever (no TTL): a replay of the
  // stream months later must still find it.
  std::string MarkerKey(const events::v1::Event& event,
                        const std::string& entry_id) const {
    return absl::StrCat(options_.prefix, "organizations:seen:",
                        event.id().empty() ? "entry-" + entry_id : event.id());
  }

  absl::StatusOr<bool> Exists(const std::string& key) {
    absl::StatusOr<RedisReply> reply = redis_.Command({"EXISTS", key});
    if (!reply.ok()) return reply.status();
    return reply->integer() == 1;
  }

  // Applies one event: the tree's change, the office recipients of the
  // organisations it carries that have none yet, and the event's marker, in
  // one AtomicWrite. A redelivered event finds its marker and changes
  // nothing; a concurrent writer (another replica, EnsureOrganization)
  // makes the write ABORTED, and it is staged again from what is now there.
  absl::Status Apply(const std::string& entry_id,
                     const events::v1::Event& event) {
    const std::string marker = MarkerKey(event, entry_id);
    absl::Status last;
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
      absl::StatusOr<bool> seen = Exists(marker);
      if (!seen.ok()) return seen.status();
      if (*seen) return absl::OkStatus();
      AtomicWrite write;
      absl::StatusOr<bool> staged = tree_.StageApply(event, write);
      if (!staged.ok()) return staged.status();
      if (!*staged) return absl::OkStatus();  // not an organisation event
      for (const events::v1::OrganizationSnapshot* org : Snapshots(event)) {
        // A name notifyd cannot make a recipient of must not hold back the
        // tree's change (the event would be parked).
        if (OrganizationRecipientName(org->name()).empty()) continue;
        absl::StatusOr<bool> office = recipients_.StageEnsureOrganization(
            write, org->name(), org->display_name());
        if (!office.ok()) return office.status();
      }
      write.Expect(marker, 0);
      write.Put(marker, entry_id);
      absl::StatusOr<WriteResult> committed = write.Commit(redis_);
      if (committed.ok()) return absl::OkStatus();
      if (!absl::IsAborted(committed.status())) return committed.status();
      last = committed.status();
    }
    return last;
  }

  RedisClient& redis_;
  const OrganizationProjectionOptions options_;
  OrgTreeStore tree_;
  RecordStore records_;
  RecipientStore recipients_;
  EventConsumer consumer_;  // last: its thread uses the members above
};

OrganizationProjection::OrganizationProjection(
    RedisClient& redis, RedisClient& source,
    OrganizationProjectionOptions options)
    : impl_(std::make_unique<Impl>(redis, source, std::move(options))) {}

OrganizationProjection::~OrganizationProjection() { Stop(); }

absl::StatusOr<std::shared_ptr<const OrgTree>> OrganizationProjection::Tree() {
  return impl_->Tree();
}

absl::StatusOr<int> OrganizationProjection::DrainAll() {
  return impl_->DrainAll();
}

void OrganizationProjection::Start() { impl_->Start(); }
void OrganizationProjection::Stop() { impl_->Stop(); }

}  // namespace partydev::notification
