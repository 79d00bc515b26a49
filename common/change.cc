#include "common/change.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/vietnam_time.h"
#include "google/protobuf/util/time_util.h"

namespace partydev {

void Outbox::StageInto(const std::string& events_key,
                       AtomicWrite& write) const {
  for (const auto& event : events) {
    write.XAdd(events_key, {{"e", event.SerializeAsString()}});
  }
  if (!request_key.empty()) {
    write.RecordResponse(request_key, request_value, kRequestIdTtl);
  }
}

absl::StatusOr<bool> ReplayRecordedResponse(
    RedisClient& redis, const std::string& prefix, absl::string_view method,
    const google::protobuf::Message& request,
    google::protobuf::Message& response) {
  const auto* field = request.GetDescriptor()->FindFieldByName("request_id");
  if (field == nullptr ||
      field->type() != google::protobuf::FieldDescriptor::TYPE_STRING) {
    return false;
  }
  const std::string request_id =
      request.GetReflection()->GetString(request, field);
  if (request_id.empty()) return false;
  if (absl::Status s = ValidateRequestId(request_id); !s.ok()) return s;
  IdempotencyKey key(prefix, method, request_id, request);
  absl::StatusOr<std::optional<std::string>> cached = key.Lookup(redis);
  if (!cached.ok()) return cached.status();
  if (!cached->has_value()) return false;
  if (!response.ParseFromString(**cached)) {
    return absl::DataLossError("stored response is not valid");
  }
  return true;
}

google::protobuf::Timestamp NowTimestamp() {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
      absl::ToUnixNanos(absl::Now()));
}

common::v1::Date Today() {
  const absl::CivilDay day = absl::ToCivilDay(absl::Now(), VietnamTimeZone());
  common::v1::Date d;
  d.set_year(static_cast<int>(day.year()));
  d.set_month(day.month());
  d.set_day(day.day());
  return d;
}

common::v1::ChangeStamp Stamp(const CallContext& call,
                              const std::string& request_id,
                              const std::string& reason) {
  common::v1::ChangeStamp stamp;
  stamp.set_actor(call.principal.subject);
  stamp.set_actor_organization(call.principal.organization);
  *stamp.mutable_time() = NowTimestamp();
  stamp.set_request_id(request_id);
  stamp.set_reason(reason);
  return stamp;
}

events::v1::Event NewEvent(
    absl::string_view producer, const CallContext& call,
    const std::string& request_id, const common::v1::Date& act_date,
    const google::protobuf::RepeatedPtrField<std::string>& organization_path) {
  events::v1::Event event;
  event.set_id(NewUuid());
  *event.mutable_recorded_at() = NowTimestamp();
  *event.mutable_act_date() = act_date;
  event.set_producer(std::string(producer));
  for (const auto& p : organization_path) event.add_organization_path(p);
  event.set_actor(call.principal.subject);
  event.set_request_id(request_id);
  return event;
}

void SetType(events::v1::Event& event) {
  const auto* field = event.GetReflection()->GetOneofFieldDescriptor(
      event, event.GetDescriptor()->FindOneofByName("payload"));
  if (field != nullptr) event.set_type(field->message_type()->full_name());
}

std::string EtagOf(int64_t version) { return absl::StrCat("v", version); }

absl::Status CheckEtag(const std::string& given, int64_t version,
                       const std::string& name) {
  if (given.empty() || given == EtagOf(version)) return absl::OkStatus();
  return WithReason(absl::AbortedError(absl::StrCat(
                        "etag ", given, " is stale; ", name, " is at ",
                        EtagOf(version), ": read it again")),
                    "CONCURRENT_CHANGE");
}

absl::Status CheckUpdateMask(const google::protobuf::FieldMask& mask,
                             const std::set<std::string>& allowed) {
  if (mask.paths().empty()) {
    return InvalidField(
        "update_mask",
        absl::StrCat("is required (", absl::StrJoin(allowed, ", "), ")"));
  }
  for (const std::string& path : mask.paths()) {
    if (allowed.count(path) == 0) {
      return InvalidField("update_mask",
                          absl::StrCat("\"", path, "\" cannot be changed; use ",
                                       absl::StrJoin(allowed, ", ")));
    }
  }
  return absl::OkStatus();
}

bool InMask(const google::protobuf::FieldMask& mask, absl::string_view path) {
  return std::find(mask.paths().begin(), mask.paths().end(), path) !=
         mask.paths().end();
}

int64_t VersionOfEtag(const std::string& etag) {
  int64_t version = 0;
  if (etag.size() < 2 || etag[0] != 'v' ||
      !absl::SimpleAtoi(absl::string_view(etag).substr(1), &version)) {
    return 0;
  }
  return version;
}

absl::Status CommitChange(RedisClient& redis, const std::string& events_key,
                          StagedChange& change) {
  change.journal.StageInto(events_key, change.write);
  absl::StatusOr<WriteResult> written = change.write.Commit(redis);
  return written.ok() ? absl::OkStatus() : written.status();
}

}  // namespace partydev
