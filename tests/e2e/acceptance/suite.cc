#include "tests/e2e/acceptance/suite.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/errors.h"
#include "common/grpc_status.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace partydev::acceptance {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

const char* BinaryOf(Service service) {
  switch (service) {
    case Service::kMembership:
      return "membershipd";
    case Service::kQuota:
      return "quotad";
    case Service::kNotification:
      return "notifyd";
  }
  return "?";
}

const char* FaultName(Fault fault) {
  switch (fault) {
    case Fault::kNone:
      return "NoFault";
    case Fault::kKillMembershipd:
      return "KillMembershipd";
    case Fault::kKillQuotad:
      return "KillQuotad";
    case Fault::kKillNotifyd:
      return "KillNotifyd";
    case Fault::kRestartRedis:
      return "RestartRedis";
  }
  return "?";
}

std::vector<Fault> AllFaults() {
  return {Fault::kNone, Fault::kKillMembershipd, Fault::kKillQuotad,
          Fault::kKillNotifyd, Fault::kRestartRedis};
}

std::set<std::string> RulesOf(const grpc::Status& status) {
  std::set<std::string> rules;
  for (const RuleViolation& v : RuleViolationsOf(FromGrpcStatus(status))) {
    rules.insert(v.rule);
  }
  return rules;
}

std::string OfficeOf(const std::string& organization) {
  absl::string_view id = organization;
  (void)absl::ConsumePrefix(&id, "organizations/");
  return absl::StrCat("recipients/org-", id);
}

std::string OrganizationOfOffice(const std::string& recipient) {
  absl::string_view id = recipient;
  if (!absl::ConsumePrefix(&id, "recipients/org-")) return "";
  return absl::StrCat("organizations/", id);
}

namespace {

// Reconnect quickly after a restart on the same port: gRPC's default
// backoff (1 s, growing to two minutes) would keep a channel failing for
// seconds after the binary serves again.
grpc::ChannelArguments FastReconnect() {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 500);
  return args;
}

}  // namespace

// AOF with fsync on every write: a SIGKILL of Redis loses no acknowledged
// write, which is what the Redis fault checks the services against.
Suite::Suite() : redis_("always") {}

Suite::~Suite() {
  for (auto& [service, binary] : binaries_) {
    if (binary.process.running()) {
      binary.process.Signal(SIGKILL);
      (void)binary.process.Wait(absl::Seconds(10));
    }
  }
  // Logs are kept when a test failed (LogTails names the folder).
  if (!::testing::Test::HasFailure()) testing::RemoveTree(log_dir_);
}

absl::Status Suite::Start() {
  if (absl::Status s = redis_.Start(); !s.ok()) return s;
  log_dir_ = testing::MakeTempDir("partydev-acceptance");
  for (Service service :
       {Service::kMembership, Service::kQuota, Service::kNotification}) {
    Binary& binary = binaries_[service];
    binary.log = absl::StrCat(log_dir_, "/", BinaryOf(service), ".log");
    // A port free a moment ago may be taken before the binary binds it
    // (ctest runs several stacks side by side): then it exits at once, and
    // it starts again on other ports.
    absl::Status serving;
    for (int attempt = 0; attempt < 3; ++attempt) {
      binary.port = testing::FreePort();
      binary.metrics_port = testing::FreePort();
      if (absl::Status s = StartBinary(service); !s.ok()) return s;
      serving = WaitServing(service, absl::Seconds(30));
      if (serving.ok() || binary.process.running()) break;
    }
    if (!serving.ok()) return serving;
  }
  const grpc::ChannelArguments args = FastReconnect();
  auto channel = [&](Service service) {
    return grpc::CreateCustomChannel(
        absl::StrCat("127.0.0.1:", binaries_[service].port),
        grpc::InsecureChannelCredentials(), args);
  };
  auto membership = channel(Service::kMembership);
  auto quota = channel(Service::kQuota);
  auto notification = channel(Service::kNotification);
  organizations_ = membership::v1::OrganizationService::NewStub(membership);
  people_ = membership::v1::PersonService::NewStub(membership);
  admission_ = membership::v1::AdmissionService::NewStub(membership);
  classification_ = membership::v1::ClassificationService::NewStub(membership);
  targets_ = quota::v1::TargetService::NewStub(quota);
  allocations_ = quota::v1::AllocationService::NewStub(quota);
  achievements_ = quota::v1::AchievementService::NewStub(quota);
  reports_ = quota::v1::ReportService::NewStub(quota);
  directives_ = notification::v1::DirectiveService::NewStub(notification);
  inbox_ = notification::v1::InboxService::NewStub(notification);
  channels_ = notification::v1::ChannelService::NewStub(notification);
  reminders_ = notification::v1::ReminderService::NewStub(notification);
  return absl::OkStatus();
}

absl::Status Suite::StartBinary(Service service) {
  Binary& binary = binaries_[service];
  ++binary.starts;
  // Each start appends to its own log, so a restart keeps the crash's.
  const std::string log = binary.starts == 1
                              ? binary.log
                              : absl::StrCat(binary.log, ".", binary.starts);
  return binary.process.Start(
      testing::BinaryPath(BinaryOf(service)),
      {absl::StrCat("--listen=127.0.0.1:", binary.port),
       absl::StrCat("--metrics_listen=127.0.0.1:", binary.metrics_port)},
      {{"PARTYDEV_REDIS", redis_.url()},
       {"PARTYDEV_AUTH", "dev"},
       // Health follows Redis within 0.2 s after the Redis fault.
       {"PARTYDEV_HEALTH_INTERVAL_MS", "200"},
       {"PARTYDEV_DRAIN_SECONDS", "1"},
       {"PARTYDEV_LOG_LEVEL", "warn"},
       // Deadline scans and reminder sweeps every second, so that a
       // scenario sees them within its steps.
       {"PARTYDEV_SWEEP_PERIOD_SECONDS", "1"},
       // A stable name: a binary killed mid-event takes its pending
       // entries back as soon as it is started again.
       {"PARTYDEV_CONSUMER_NAME", BinaryOf(service)},
       {"PARTYDEV_CLOCK_OFFSET_DAYS", absl::StrCat(clock_offset_days_)}},
      log);
}

absl::Status Suite::SetClockOffsetDays(int days) {
  clock_offset_days_ = days;
  // Both stop before either starts again, so that neither runs on the old
  // clock beside the other on the new one; then both start side by side
  // (a start takes seconds on a loaded machine).
  const Service clocked[] = {Service::kMembership, Service::kNotification};
  for (Service service : clocked) binaries_[service].process.Signal(SIGTERM);
  for (Service service : clocked) {
    absl::StatusOr<int> code =
        binaries_[service].process.Wait(absl::Seconds(30));
    if (!code.ok()) return code.status();
  }
  for (Service service : clocked) {
    if (absl::Status s = StartBinary(service); !s.ok()) return s;
  }
  for (Service service : clocked) {
    if (absl::Status s = WaitServing(service, absl::Seconds(30)); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status Suite::WaitServing(Service service, absl::Duration timeout) {
  auto stub = Health::NewStub(grpc::CreateCustomChannel(
      absl::StrCat("127.0.0.1:", binaries_[service].port),
      grpc::InsecureChannelCredentials(), FastReconnect()));
  const absl::Time until = absl::Now() + timeout;
  while (absl::Now() < until) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(1));
    HealthCheckRequest request;
    HealthCheckResponse response;
    if (stub->Check(&context, request, &response).ok() &&
        response.status() == HealthCheckResponse::SERVING) {
      return absl::OkStatus();
    }
    // Exited (e.g. its port was taken): no use waiting.
    if (binaries_[service].process.Wait(absl::ZeroDuration()).ok()) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::UnavailableError(absl::StrCat(
      BinaryOf(service), " not SERVING; logs in ", log_dir_, "\n", LogTails()));
}

absl::Status Suite::KillAndRestart(Service service) {
  Binary& binary = binaries_[service];
  binary.process.Signal(SIGKILL);
  absl::StatusOr<int> code = binary.process.Wait(absl::Seconds(10));
  if (!code.ok()) return code.status();
  if (absl::Status s = StartBinary(service); !s.ok()) return s;
  return WaitServing(service, absl::Seconds(30));
}

absl::Status Suite::RestartRedis() {
  redis_.Kill();
  if (absl::Status s = redis_.Start(); !s.ok()) return s;
  for (Service service :
       {Service::kMembership, Service::kQuota, Service::kNotification}) {
    if (absl::Status s = WaitServing(service, absl::Seconds(30)); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status Suite::Inject(Fault fault) {
  switch (fault) {
    case Fault::kNone:
      return absl::OkStatus();
    case Fault::kKillMembershipd:
      return KillAndRestart(Service::kMembership);
    case Fault::kKillQuotad:
      return KillAndRestart(Service::kQuota);
    case Fault::kKillNotifyd:
      return KillAndRestart(Service::kNotification);
    case Fault::kRestartRedis:
      return RestartRedis();
  }
  return absl::InvalidArgumentError("unknown fault");
}

void Suite::BeginFault(Fault fault) {
  fault_ = std::async(std::launch::async, [this, fault] {
    const absl::Time start = absl::Now();
    absl::Status status = Inject(fault);
    // How long the stack was not (fully) serving, in the test's output.
    std::cout << FaultName(fault) << " over after "
              << absl::ToInt64Milliseconds(absl::Now() - start) << " ms\n";
    return status;
  });
}

absl::Status Suite::EndFault() {
  if (!fault_.valid()) return absl::OkStatus();
  return fault_.get();
}

grpc::Status Suite::ReadInbox(
    const std::string& recipient, const Caller& reader,
    const std::string& filter,
    const std::vector<notification::v1::MessageCategory>& categories,
    std::vector<notification::v1::Message>* messages) {
  messages->clear();
  notification::v1::ListMessagesRequest request;
  request.set_parent(recipient);
  request.set_page_size(1000);
  request.set_filter(filter);
  request.set_order_by("create_time");
  for (notification::v1::MessageCategory category : categories) {
    request.add_categories(category);
  }
  while (true) {
    notification::v1::ListMessagesResponse page;
    grpc::Status status =
        Call(inbox(), &notification::v1::InboxService::Stub::ListMessages,
             reader, request, &page);
    if (!status.ok()) return status;
    for (notification::v1::Message& m : *page.mutable_messages()) {
      messages->push_back(std::move(m));
    }
    if (page.next_page_token().empty()) return status;
    request.set_page_token(page.next_page_token());
  }
}

bool Suite::Eventually(const std::function<bool()>& predicate,
                       absl::Duration timeout) {
  const absl::Time until = absl::Now() + timeout;
  while (true) {
    if (predicate()) return true;
    if (absl::Now() > until) return false;
    absl::SleepFor(absl::Milliseconds(100));
  }
}

std::unique_ptr<grpc::ClientContext> Suite::Context(const Caller& caller) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("x-partydev-sub", caller.subject);
  context->AddMetadata("x-partydev-org", caller.organization);
  context->AddMetadata("x-partydev-roles", caller.roles);
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(10));
  return context;
}

std::string Suite::LogTails() const {
  std::string out;
  for (const auto& [service, binary] : binaries_) {
    for (int start = 1; start <= binary.starts; ++start) {
      const std::string path =
          start == 1 ? binary.log : absl::StrCat(binary.log, ".", start);
      std::ifstream in(path);
      std::stringstream text;
      text << in.rdbuf();
      std::string log = text.str();
      if (log.size() > 2000) log = log.substr(log.size() - 2000);
      absl::StrAppend(&out, "--- ", path, "\n", log, "\n");
    }
  }
  return out;
}

std::string CreateOrganization(Suite& suite, Recorder& recorder,
                               const std::string& request_prefix,
                               const NewOrganization& org) {
  membership::v1::CreateOrganizationRequest q;
  q.set_organization_id(org.id);
  q.set_request_id(request_prefix + "org-" + org.id);
  membership::v1::Organization* o = q.mutable_organization();
  o->set_parent(org.parent);
  o->set_display_name(org.display_name);
  o->set_kind(org.kind);
  o->set_level(org.level);
  for (common::v1::SectorTag tag : org.sector_tags) o->add_sector_tags(tag);
  *o->mutable_valid_from() = D(2020, 1, 1);
  membership::v1::Organization out;
  recorder.Ok(
      "create " + org.id,
      suite.Call(suite.organizations(),
                 &membership::v1::OrganizationService::Stub::CreateOrganization,
                 Admin(), q, &out));
  return out.name();
}

bool Recorder::Ok(const std::string& what, const grpc::Status& status) {
  if (status.ok()) return true;
  ADD_FAILURE() << what << ": " << status.error_code() << " "
                << status.error_message();
  outcome_.push_back(absl::StrCat("failed: ", what));
  return false;
}

bool Has(const Outcome& outcome, const std::string& line) {
  return std::find(outcome.begin(), outcome.end(), line) != outcome.end();
}

Outcome RunComparedWithoutFault(Outcome (*scenario)(Suite&, Fault),
                                Fault fault) {
  std::future<Outcome> clean;
  if (fault != Fault::kNone) {
    clean = std::async(std::launch::async, [scenario] {
      Suite suite;
      if (absl::Status s = suite.Start(); !s.ok()) {
        ADD_FAILURE() << "the stack without a fault did not start: " << s;
        return Outcome{};
      }
      return scenario(suite, Fault::kNone);
    });
  }
  Suite suite;
  if (absl::Status s = suite.Start(); !s.ok()) {
    ADD_FAILURE() << s << "\n" << suite.LogTails();
    if (clean.valid()) clean.wait();
    return {};
  }
  Outcome outcome = scenario(suite, fault);
  if (fault == Fault::kNone) {
    std::cout << "outcome:\n" << absl::StrJoin(outcome, "\n") << "\n";
    return outcome;
  }
  EXPECT_EQ(outcome, clean.get()) << "logs: " << suite.log_dir();
  std::cout << "calls retried during the fault: " << suite.retries() << "\n";
  return outcome;
}

}  // namespace partydev::acceptance
