#include "common/service_main.h"

#include <signal.h>
#include <unistd.h>

#include <iostream>

#include "common/server.h"

extern char** environ;

namespace partydev {

int RunServiceMain(int argc, char** argv, const ServiceDefaults& defaults,
                   const ServiceFactory& factory) {
  // Block the stop signals in every thread (threads inherit the mask), and
  // wait for them in this one: no handler runs in an arbitrary thread.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  absl::StatusOr<ServiceConfig> config =
      ParseServiceConfig(argc, argv, environ, defaults);
  if (!config.ok()) {
    if (absl::IsCancelled(config.status())) {
      std::cout << ServiceHelp(defaults);
      return 0;
    }
    std::cerr << defaults.program << ": " << config.status().message() << "\n";
    return 2;
  }
  absl::StatusOr<std::unique_ptr<ServiceRuntime>> runtime =
      ServiceRuntime::Create(*config);
  if (!runtime.ok()) {
    std::cerr << defaults.program << ": " << runtime.status().message() << "\n";
    return 2;
  }
  absl::StatusOr<std::vector<ServiceRegistration>> services =
      factory(**runtime);
  if (!services.ok()) {
    (*runtime)->logger().Error(
        "start_failed", {{"error", std::string(services.status().message())}});
    return 1;
  }
  int exit_code = 0;
  {
    Server server(**runtime);
    for (auto& registration : *services) {
      server.AddService(registration.service.get(), registration.full_name);
    }
    absl::Status started = server.Start();
    if (!started.ok()) {
      (*runtime)->logger().Error("start_failed",
                                 {{"error", std::string(started.message())}});
      return 1;
    }
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    (*runtime)->logger().Info("signal", {{"signal", strsignal(signal_number)}});
    server.Shutdown();
  }
  services->clear();
  return exit_code;
}

}  // namespace partydev
