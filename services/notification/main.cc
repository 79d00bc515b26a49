// notifyd: the notification service of partydev (see README.md and
// protos/partydev/notification/v1/). A thin main: configuration, runtime,
// server and signals live in common/.
#include "common/service_main.h"
#include "partydev/notification/v1/channels.grpc.pb.h"
#include "partydev/notification/v1/directive_service.grpc.pb.h"
#include "partydev/notification/v1/inbox.grpc.pb.h"
#include "partydev/notification/v1/operations.grpc.pb.h"
#include "partydev/notification/v1/reminders.grpc.pb.h"
#include "partydev/notification/v1/templates.grpc.pb.h"

namespace partydev {
namespace {

absl::StatusOr<std::vector<ServiceRegistration>> MakeServices(ServiceRuntime&) {
  std::vector<ServiceRegistration> services;
  services.push_back(
      UnimplementedService<notification::v1::DirectiveService>());
  services.push_back(UnimplementedService<notification::v1::InboxService>());
  services.push_back(UnimplementedService<notification::v1::ChannelService>());
  services.push_back(UnimplementedService<notification::v1::TemplateService>());
  services.push_back(UnimplementedService<notification::v1::ReminderService>());
  services.push_back(
      UnimplementedService<notification::v1::OperationsService>());
  return services;
}

}  // namespace
}  // namespace partydev

int main(int argc, char** argv) {
  return partydev::RunServiceMain(
      argc, argv, {"notifyd", 50053, 9093, "pd:notification:", ""},
      partydev::MakeServices);
}
