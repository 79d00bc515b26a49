#include "services/notification/directive_store.h"

#include <algorithm>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/ids.h"

namespace partydev::notification {

DirectiveStore::DirectiveStore(NotificationContext& context)
    : context_(context) {}

std::string DirectiveStore::IndexKey() const {
  return context_.records().CollectionKey("", "directives");
}

std::string DirectiveStore::NumberingName(const std::string& sequence) const {
  return absl::StrCat("directive-numbers/", Sha256Hex(sequence).substr(0, 24));
}

std::string DirectiveStore::UsedKey(const std::string& sequence) const {
  return absl::StrCat(context_.prefix(),
                      "dnum:", Sha256Hex(sequence).substr(0, 24));
}

absl::StatusOr<Stored<v1::Directive>> DirectiveStore::Get(
    absl::string_view name) {
  absl::StatusOr<Stored<v1::Directive>> stored =
      context_.records().Get<v1::Directive>(name);
  if (stored.ok()) stored->message.set_name(std::string(name));
  return stored;
}

absl::StatusOr<std::vector<Stored<v1::Directive>>> DirectiveStore::All() {
  absl::StatusOr<std::vector<std::string>> ids =
      context_.records().All(IndexKey());
  if (!ids.ok()) return ids.status();
  std::vector<std::string> names;
  names.reserve(ids->size());
  for (const std::string& id : *ids) names.push_back("directives/" + id);
  // Records keep their name, so GetMany's skipping of absent ones (a
  // draft deleted meanwhile) loses nothing.
  return context_.records().GetMany<v1::Directive>(names);
}

void DirectiveStore::StagePut(AtomicWrite& write,
                              const v1::Directive& directive,
                              int64_t version) const {
  v1::Directive stored = directive;
  stored.clear_rendered_text();
  stored.clear_delivery_counts();
  context_.records().StagePut(write, directive.name(), version, stored);
  if (version == 0) {
    write.ZAdd(IndexKey(), 0,
               directive.name().substr(std::string("directives/").size()));
  }
}

void DirectiveStore::StageDelete(AtomicWrite& write, absl::string_view name,
                                 int64_t version) const {
  const std::string key = context_.records().RecordKey(name);
  write.Expect(key, version);
  write.Delete(key);
  write.ZRem(IndexKey(), name.substr(std::string("directives/").size()));
}

std::string DirectiveStore::IssueDueKey() const {
  return absl::StrCat(context_.prefix(), "directives:issue_due");
}

void DirectiveStore::StageIssueAt(AtomicWrite& write, absl::string_view name,
                                  absl::Time at) const {
  write.ZAdd(IssueDueKey(), static_cast<double>(absl::ToUnixSeconds(at)), name);
}

void DirectiveStore::StageIssueDone(AtomicWrite& write,
                                    absl::string_view name) const {
  write.ZRem(IssueDueKey(), name);
}

absl::StatusOr<std::vector<std::string>> DirectiveStore::IssueDueBy(
    absl::Time now, int limit) {
  absl::StatusOr<RedisReply> reply = context_.records().redis().Command(
      {"ZRANGEBYSCORE", IssueDueKey(), "-inf",
       absl::StrCat(absl::ToUnixSeconds(now)), "LIMIT", "0",
       absl::StrCat(limit)});
  if (!reply.ok()) return reply.status();
  std::vector<std::string> names;
  for (const RedisReply& member : reply->elements()) {
    names.push_back(member.str());
  }
  return names;
}

absl::StatusOr<Numbering> DirectiveStore::ReadNumbering(
    const std::string& sequence) {
  Numbering numbering;
  numbering.sequence = sequence;
  absl::StatusOr<VersionedRecord> record = ReadRecord(
      context_.redis(), context_.records().RecordKey(NumberingName(sequence)));
  if (!record.ok()) return record.status();
  numbering.version = record->version;
  if (record->exists() && !absl::SimpleAtoi(record->data, &numbering.last)) {
    return absl::DataLossError(
        absl::StrCat("numbering of ", sequence, " is not a number"));
  }
  return numbering;
}

absl::StatusOr<bool> DirectiveStore::NumberUsed(const std::string& sequence,
                                                int number) {
  absl::StatusOr<RedisReply> reply = context_.redis().Command(
      {"ZSCORE", UsedKey(sequence), absl::StrCat(number)});
  if (!reply.ok()) return reply.status();
  return !reply->is_nil();
}

void DirectiveStore::StageNumber(AtomicWrite& write, const Numbering& numbering,
                                 int number) const {
  const std::string key =
      context_.records().RecordKey(NumberingName(numbering.sequence));
  write.Expect(key, numbering.version);
  write.Put(key, absl::StrCat(std::max(numbering.last, number)));
  write.ZAdd(UsedKey(numbering.sequence), number, absl::StrCat(number));
}

}  // namespace partydev::notification
