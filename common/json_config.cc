#include "common/json_config.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "google/protobuf/util/json_util.h"

namespace partydev {

absl::StatusOr<std::string> ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

absl::Status ParseProtoJson(absl::string_view json, absl::string_view origin,
                            google::protobuf::Message* message) {
  message->Clear();
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(
      std::string(json), message, options);
  if (!status.ok()) {
    return InvalidField(
        origin, absl::StrCat("is not a valid ", message->GetTypeName(), ": ",
                             status.ToString()));
  }
  return absl::OkStatus();
}

}  // namespace partydev
