#include "common/logger.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace partydev {
namespace {

Logger::Level ParseLevel(absl::string_view level) {
  if (level == "trace") return Logger::Level::kTrace;
  if (level == "debug") return Logger::Level::kDebug;
  if (level == "warn") return Logger::Level::kWarn;
  if (level == "error") return Logger::Level::kError;
  return Logger::Level::kInfo;
}

const char* LevelName(Logger::Level level) {
  switch (level) {
    case Logger::Level::kTrace:
      return "trace";
    case Logger::Level::kDebug:
      return "debug";
    case Logger::Level::kInfo:
      return "info";
    case Logger::Level::kWarn:
      return "warn";
    case Logger::Level::kError:
      return "error";
  }
  return "info";
}

}  // namespace

Logger::Logger(std::string service, absl::string_view level)
    : service_(std::move(service)), level_(ParseLevel(level)) {
  // Not registered in spdlog's global registry: each Logger is owned by
  // whoever made it.
  sink_ = std::make_shared<spdlog::logger>(
      service_, std::make_shared<spdlog::sinks::stderr_sink_mt>());
  sink_->set_pattern("%v");
  sink_->set_level(spdlog::level::trace);
  sink_->flush_on(spdlog::level::trace);
}

Logger::~Logger() = default;

void Logger::Log(Level level, absl::string_view event, nlohmann::json fields) {
  if (!Enabled(level)) return;
  nlohmann::json line = {
      {"ts", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(),
                              absl::UTCTimeZone())},
      {"level", LevelName(level)},
      {"service", service_},
      {"event", std::string(event)},
  };
  if (fields.is_object()) {
    for (auto it = fields.begin(); it != fields.end(); ++it) {
      line[it.key()] = it.value();
    }
  }
  sink_->info(
      line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace partydev
