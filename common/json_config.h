// File: common/json_config.h
//
// The one place where the rules of a service touch files: reading the
// configuration the rules come from (rule sets, the working-day calendar) and
// parsing protobuf messages from their JSON form (the proto3 JSON mapping, so
// that a configuration file reads like the API's own JSON). Unknown fields are
// errors: a misspelt "probaton_months" must stop the service at start, not
// leave a rule at zero.
//
// Example:
//   absl::StatusOr<std::string> text = ReadTextFile(path);
//   v1::RuleSet rules;
//   absl::Status parsed = ParseProtoJson(*text, path, &rules);

#ifndef PARTYDEV_COMMON_JSON_CONFIG_H_
#define PARTYDEV_COMMON_JSON_CONFIG_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace partydev {

// The whole content of `path`; NOT_FOUND naming the path when it cannot be
// opened.
absl::StatusOr<std::string> ReadTextFile(const std::string& path);

// A configuration file: its path and content.
struct ConfigFile {
  std::string path;
  std::string text;
};

// Every *.json file of `directory`, by path. NOT_FOUND naming the
// directory when it cannot be read or holds no such file.
absl::StatusOr<std::vector<ConfigFile>> ReadJsonFiles(
    const std::string& directory);

// Parses `json` into `message` (cleared first). INVALID_ARGUMENT naming
// `origin` (a file, or a file and an entry) and the parser's reason.
absl::Status ParseProtoJson(absl::string_view json, absl::string_view origin,
                            google::protobuf::Message* message);

}  // namespace partydev

#endif  // PARTYDEV_COMMON_JSON_CONFIG_H_
