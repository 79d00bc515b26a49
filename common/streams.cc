#include "common/streams.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace partydev {

std::string StreamEntry::Field(absl::string_view field) const {
  for (const auto& [name, value] : fields) {
    if (name == field) return value;
  }
  return "";
}

std::vector<StreamEntry> ParseStreamEntries(const RedisReply& reply) {
  std::vector<StreamEntry> entries;
  if (!reply.is_array()) return entries;
  for (const RedisReply& item : reply.elements()) {
    // A deleted entry still pending shows as [id, nil].
    if (!item.is_array() || item.elements().size() != 2) continue;
    StreamEntry entry;
    entry.id = item.elements()[0].str();
    const RedisReply& kv = item.elements()[1];
    if (!kv.is_array()) continue;
    for (size_t i = 0; i + 1 < kv.elements().size(); i += 2) {
      entry.fields.emplace_back(kv.elements()[i].str(),
                                kv.elements()[i + 1].str());
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

namespace {

// XREADGROUP answers [[key, [entries...]]] or nil.
std::vector<StreamEntry> ParseReadReply(const RedisReply& reply) {
  if (!reply.is_array() || reply.elements().empty()) return {};
  const RedisReply& stream = reply.elements()[0];
  if (!stream.is_array() || stream.elements().size() != 2) return {};
  return ParseStreamEntries(stream.elements()[1]);
}

}  // namespace

absl::StatusOr<std::string> Streams::Append(
    const std::string& key,
    const std::vector<std::pair<std::string, std::string>>& fields) {
  RedisCommand command = {"XADD", key, "*"};
  for (const auto& [name, value] : fields) {
    command.push_back(name);
    command.push_back(value);
  }
  absl::StatusOr<RedisReply> reply = redis_.Command(command);
  if (!reply.ok()) return reply.status();
  return reply->str();
}

absl::Status Streams::EnsureGroup(const std::string& key,
                                  const std::string& group,
                                  const std::string& start_id) {
  absl::StatusOr<RedisReply> reply =
      redis_.Command({"XGROUP", "CREATE", key, group, start_id, "MKSTREAM"});
  if (!reply.ok() && absl::StrContains(reply.status().message(), "BUSYGROUP")) {
    return absl::OkStatus();
  }
  return reply.status();
}

absl::StatusOr<std::vector<StreamEntry>> Streams::ReadGroup(
    const std::string& key, const std::string& group,
    const std::string& consumer, int count, absl::Duration block) {
  RedisCommand command = {"XREADGROUP", "GROUP", group,
                          consumer,     "COUNT", absl::StrCat(count)};
  if (block > absl::ZeroDuration()) {
    command.push_back("BLOCK");
    command.push_back(absl::StrCat(absl::ToInt64Milliseconds(block)));
  }
  command.insert(command.end(), {"STREAMS", key, ">"});
  // The read timeout must outlast the BLOCK.
  absl::StatusOr<RedisReply> reply =
      block > absl::ZeroDuration()
          ? redis_.Command(command, block + redis_.options().command_timeout)
          : redis_.Command(command);
  if (!reply.ok()) return reply.status();
  return ParseReadReply(*reply);
}

absl::StatusOr<std::vector<StreamEntry>> Streams::ReadOwnPending(
    const std::string& key, const std::string& group,
    const std::string& consumer, int count) {
  absl::StatusOr<RedisReply> reply =
      redis_.Command({"XREADGROUP", "GROUP", group, consumer, "COUNT",
                      absl::StrCat(count), "STREAMS", key, "0"});
  if (!reply.ok()) return reply.status();
  return ParseReadReply(*reply);
}

absl::StatusOr<int64_t> Streams::Ack(const std::string& key,
                                     const std::string& group,
                                     const std::vector<std::string>& ids) {
  if (ids.empty()) return 0;
  RedisCommand command = {"XACK", key, group};
  command.insert(command.end(), ids.begin(), ids.end());
  absl::StatusOr<RedisReply> reply = redis_.Command(command);
  if (!reply.ok()) return reply.status();
  return reply->integer();
}

absl::StatusOr<ClaimResult> Streams::Claim(const std::string& key,
                                           const std::string& group,
                                           const std::string& consumer,
                                           absl::Duration min_idle,
                                           const std::string& cursor,
                                           int count) {
  absl::StatusOr<RedisReply> reply =
      redis_.Command({"XAUTOCLAIM", key, group, consumer,
                      absl::StrCat(absl::ToInt64Milliseconds(min_idle)), cursor,
                      "COUNT", absl::StrCat(count)});
  if (!reply.ok()) return reply.status();
  ClaimResult result;
  const auto& parts = reply->elements();
  if (parts.size() >= 2) {
    result.next_cursor = parts[0].str();
    result.entries = ParseStreamEntries(parts[1]);
  }
  if (parts.size() >= 3) {  // Redis 7: ids of deleted entries
    for (const RedisReply& id : parts[2].elements()) {
      result.deleted_ids.push_back(id.str());
    }
  }
  return result;
}

absl::StatusOr<PendingSummary> Streams::Pending(const std::string& key,
                                                const std::string& group) {
  absl::StatusOr<RedisReply> reply = redis_.Command({"XPENDING", key, group});
  if (!reply.ok()) return reply.status();
  PendingSummary summary;
  const auto& parts = reply->elements();
  if (parts.size() >= 3) {
    summary.count = parts[0].integer();
    summary.oldest_id = parts[1].str();
    summary.newest_id = parts[2].str();
  }
  return summary;
}

absl::StatusOr<int64_t> Streams::Length(const std::string& key) {
  absl::StatusOr<RedisReply> reply = redis_.Command({"XLEN", key});
  if (!reply.ok()) return reply.status();
  return reply->integer();
}

absl::StatusOr<std::vector<StreamEntry>> Streams::Range(
    const std::string& key, const std::string& start, const std::string& end,
    int count) {
  absl::StatusOr<RedisReply> reply =
      redis_.Command({"XRANGE", key, start, end, "COUNT", absl::StrCat(count)});
  if (!reply.ok()) return reply.status();
  return ParseStreamEntries(*reply);
}

namespace {

// Field/value pairs of a flat XINFO reply.
const RedisReply* InfoField(const RedisReply& reply, absl::string_view name) {
  const auto& parts = reply.elements();
  for (size_t i = 0; i + 1 < parts.size(); i += 2) {
    if (parts[i].str() == name) return &parts[i + 1];
  }
  return nullptr;
}

int64_t InfoInteger(const RedisReply& reply, absl::string_view name) {
  const RedisReply* value = InfoField(reply, name);
  if (value == nullptr || value->is_nil()) return -1;
  return value->integer();
}

std::string InfoString(const RedisReply& reply, absl::string_view name) {
  const RedisReply* value = InfoField(reply, name);
  return value == nullptr ? "" : value->str();
}

// The id of an [id, [fields]] entry reply, or "".
std::string EntryId(const RedisReply* entry) {
  if (entry == nullptr || !entry->is_array() || entry->elements().empty()) {
    return "";
  }
  return entry->elements()[0].str();
}

bool NoSuchKey(const absl::Status& status) {
  return absl::StrContains(status.message(), "no such key");
}

}  // namespace

absl::StatusOr<std::vector<GroupInfo>> Streams::Groups(const std::string& key) {
  absl::StatusOr<RedisReply> reply = redis_.Command({"XINFO", "GROUPS", key});
  if (!reply.ok()) {
    if (NoSuchKey(reply.status())) return std::vector<GroupInfo>();
    return reply.status();
  }
  std::vector<GroupInfo> groups;
  for (const RedisReply& item : reply->elements()) {
    GroupInfo group;
    group.name = InfoString(item, "name");
    group.consumers = InfoInteger(item, "consumers");
    group.pending = InfoInteger(item, "pending");
    group.last_delivered_id = InfoString(item, "last-delivered-id");
    group.entries_read = InfoInteger(item, "entries-read");
    group.lag = InfoInteger(item, "lag");
    groups.push_back(std::move(group));
  }
  return groups;
}

absl::StatusOr<StreamInfo> Streams::Info(const std::string& key) {
  absl::StatusOr<RedisReply> reply = redis_.Command({"XINFO", "STREAM", key});
  StreamInfo info;
  if (!reply.ok()) {
    if (NoSuchKey(reply.status())) return info;
    return reply.status();
  }
  info.exists = true;
  info.length = InfoInteger(*reply, "length");
  info.last_generated_id = InfoString(*reply, "last-generated-id");
  info.max_deleted_entry_id = InfoString(*reply, "max-deleted-entry-id");
  info.entries_added = InfoInteger(*reply, "entries-added");
  info.first_entry_id = EntryId(InfoField(*reply, "first-entry"));
  info.last_entry_id = EntryId(InfoField(*reply, "last-entry"));
  return info;
}

absl::Status Streams::SetGroupId(const std::string& key,
                                 const std::string& group,
                                 const std::string& id, int64_t entries_read) {
  RedisCommand command = {"XGROUP", "SETID", key, group, id};
  if (entries_read >= 0) {
    command.push_back("ENTRIESREAD");
    command.push_back(absl::StrCat(entries_read));
  }
  return redis_.Command(command).status();
}

}  // namespace partydev
