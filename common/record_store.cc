#include "common/record_store.h"

#include "absl/strings/str_cat.h"
#include "services/membership/journal.h"

namespace partydev {
namespace {

// Resources carry their version as an etag field: set on read, never
// stored (the version in the record is the truth).
void SetEtag(google::protobuf::Message& message, int64_t version) {
  const auto* field = message.GetDescriptor()->FindFieldByName("etag");
  if (field != nullptr &&
      field->type() == google::protobuf::FieldDescriptor::TYPE_STRING &&
      !field->is_repeated()) {
    message.GetReflection()->SetString(&message, field, EtagOf(version));
  }
}

}  // namespace

bool IsValidResourceId(absl::string_view id) {
  if (id.empty() || id.size() > 63 || id.front() == '-' || id.back() == '-') {
    return false;
  }
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return false;
    }
  }
  return true;
}

void ApplyEtag(google::protobuf::Message& message, int64_t version) {
  SetEtag(message, version);
}

RecordStore::RecordStore(RedisClient& redis, std::string prefix)
    : redis_(redis), prefix_(std::move(prefix)) {}

std::string RecordStore::RecordKey(absl::string_view name) const {
  return absl::StrCat(prefix_, "r:", name);
}

std::string RecordStore::CollectionKey(absl::string_view parent,
                                       absl::string_view collection) const {
  return absl::StrCat(prefix_, "c:", parent, "/", collection);
}

std::string RecordStore::OrganizationIndexKey(
    absl::string_view org_id, absl::string_view collection) const {
  return absl::StrCat(prefix_, "o:", org_id, ":", collection);
}

absl::StatusOr<int64_t> RecordStore::Read(absl::string_view name,
                                          google::protobuf::Message& message) {
  absl::StatusOr<VersionedRecord> record = ReadRecord(redis_, RecordKey(name));
  if (!record.ok()) return record.status();
  if (!record->exists()) {
    return absl::NotFoundError(absl::StrCat(name, " not found"));
  }
  if (!message.ParseFromString(record->data)) {
    return absl::DataLossError(absl::StrCat(name, " is not a valid record"));
  }
  SetEtag(message, record->version);
  return record->version;
}

absl::StatusOr<IdPage> RecordStore::Page(const std::string& index_key,
                                         const std::string& cursor, int limit) {
  absl::StatusOr<std::vector<RedisReply>> replies = redis_.Pipeline(
      {{"ZRANGE", index_key, cursor.empty() ? "-" : absl::StrCat("(", cursor),
        "+", "BYLEX", "LIMIT", "0", absl::StrCat(limit + 1)},
       {"ZCARD", index_key}});
  if (!replies.ok()) return replies.status();
  IdPage page;
  const RedisReply& range = (*replies)[0];
  for (size_t i = 0; i < range.elements().size(); ++i) {
    if (static_cast<int>(i) == limit) {
      page.next_cursor = page.ids.back();
      break;
    }
    page.ids.push_back(range.elements()[i].str());
  }
  page.total_size = static_cast<int>((*replies)[1].integer());
  return page;
}

absl::StatusOr<std::vector<std::string>> RecordStore::All(
    const std::string& index_key) {
  absl::StatusOr<RedisReply> reply =
      redis_.Command({"ZRANGE", index_key, "0", "-1"});
  if (!reply.ok()) return reply.status();
  std::vector<std::string> out;
  out.reserve(reply->elements().size());
  for (const auto& e : reply->elements()) out.push_back(e.str());
  return out;
}

void RecordStore::StagePut(AtomicWrite& write, absl::string_view name,
                           int64_t version,
                           const google::protobuf::Message& message) const {
  const std::string key = RecordKey(name);
  write.Expect(key, version);
  std::unique_ptr<google::protobuf::Message> copy(message.New());
  copy->CopyFrom(message);
  const auto* etag = copy->GetDescriptor()->FindFieldByName("etag");
  if (etag != nullptr && !etag->is_repeated()) {
    copy->GetReflection()->ClearField(copy.get(), etag);
  }
  write.Put(key, copy->SerializeAsString());
}

}  // namespace partydev
