#include "common/json_config.h"

#include <algorithm>
#include <filesystem>
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

absl::StatusOr<std::vector<ConfigFile>> ReadJsonFiles(
    const std::string& directory) {
  std::error_code error;
  std::vector<std::string> paths;
  for (const auto& entry :
       std::filesystem::directory_iterator(directory, error)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      paths.push_back(entry.path().string());
    }
  }
  if (error) {
    return absl::NotFoundError(absl::StrCat("cannot read directory ", directory,
                                            ": ", error.message()));
  }
  if (paths.empty()) {
    return absl::NotFoundError(absl::StrCat("no *.json file in ", directory));
  }
  std::sort(paths.begin(), paths.end());
  std::vector<ConfigFile> files;
  for (std::string& path : paths) {
    absl::StatusOr<std::string> text = ReadTextFile(path);
    if (!text.ok()) return text.status();
    files.push_back({std::move(path), *std::move(text)});
  }
  return files;
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
