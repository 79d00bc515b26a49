// File: common/logger.h
//
// Structured logs: one JSON object per line on stderr, with the time, the
// level, the service and an event name, plus fields. Kubernetes collects
// stderr; log shippers parse the JSON. Personal data (citizen id numbers,
// dates of birth) is never passed to a logger.
//
//   logger.Info("rpc", {{"method", "GetPerson"}, {"code", "OK"},
//                       {"request_id", id}, {"ms", 1.2}});

#ifndef PARTYDEV_COMMON_LOGGER_H_
#define PARTYDEV_COMMON_LOGGER_H_

#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace spdlog {
class logger;
}

namespace partydev {

class Logger {
 public:
  enum class Level { kTrace, kDebug, kInfo, kWarn, kError };

  // `level` is one of trace, debug, info, warn, error.
  Logger(std::string service, absl::string_view level);
  ~Logger();

  void Log(Level level, absl::string_view event, nlohmann::json fields = {});
  void Debug(absl::string_view event, nlohmann::json fields = {}) {
    Log(Level::kDebug, event, std::move(fields));
  }
  void Info(absl::string_view event, nlohmann::json fields = {}) {
    Log(Level::kInfo, event, std::move(fields));
  }
  void Warn(absl::string_view event, nlohmann::json fields = {}) {
    Log(Level::kWarn, event, std::move(fields));
  }
  void Error(absl::string_view event, nlohmann::json fields = {}) {
    Log(Level::kError, event, std::move(fields));
  }
  bool Enabled(Level level) const { return level >= level_; }

 private:
  const std::string service_;
  const Level level_;
  std::shared_ptr<spdlog::logger> sink_;
};

}  // namespace partydev

#endif  // PARTYDEV_COMMON_LOGGER_H_
