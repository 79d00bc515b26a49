// File: tests/e2e/acceptance/suite.h
//
// The acceptance harness of issue #8 (item 4): redis-server (AOF,
// appendfsync always) and the three real binaries, membershipd, quotad and
// notifyd, as processes on free ports with their logs in a temporary
// directory, driven only through their public gRPC APIs.
//
//   Suite suite;
//   ASSERT_TRUE(suite.Start().ok());
//   membership::v1::Person out;
//   grpc::Status s = suite.Call(*suite.admission(),
//       &membership::v1::AdmissionService::Stub::AssignMentor,
//       Secretary(cell), request, &out);
//   suite.Inject(Fault::kKillQuotad);      // kill -9 and start it again
//   EXPECT_TRUE(suite.Eventually([&] { return ...; }, absl::Seconds(20)));
//
// Call retries a call that failed with UNAVAILABLE (the service is down or
// restarting, Redis is away) with the SAME request, so the same request_id:
// the services answer a replay with the first response (AIP-155), which is
// how a scenario shows that a fault loses nothing and doubles nothing.

#ifndef PARTYDEV_TESTS_E2E_ACCEPTANCE_SUITE_H_
#define PARTYDEV_TESTS_E2E_ACCEPTANCE_SUITE_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "partydev/common/v1/types.pb.h"
#include "partydev/membership/v1/admission.grpc.pb.h"
#include "partydev/membership/v1/classification.grpc.pb.h"
#include "partydev/membership/v1/organizations.grpc.pb.h"
#include "partydev/membership/v1/people.grpc.pb.h"
#include "partydev/notification/v1/channels.grpc.pb.h"
#include "partydev/notification/v1/directive_service.grpc.pb.h"
#include "partydev/notification/v1/inbox.grpc.pb.h"
#include "partydev/notification/v1/reminders.grpc.pb.h"
#include "partydev/quota/v1/achievements.grpc.pb.h"
#include "partydev/quota/v1/allocations.grpc.pb.h"
#include "partydev/quota/v1/reports.grpc.pb.h"
#include "partydev/quota/v1/targets.grpc.pb.h"
#include "tests/support/process.h"
#include "tests/support/redis_server.h"

namespace partydev::acceptance {

// How long a scenario waits for asynchronous work (event consumers,
// fan-out, urging letters, the sweeps that run every second here). The
// binaries run with stable consumer names, so one killed mid-event takes
// its pending entries back as soon as it restarts; the margin is for slow
// (sanitizer) builds on a loaded machine.
inline constexpr absl::Duration kAsyncTimeout = absl::Seconds(75);

// The three services.
enum class Service { kMembership, kQuota, kNotification };
const char* BinaryOf(Service service);

// What goes wrong at a scenario's midpoint.
enum class Fault {
  kNone,
  kKillMembershipd,  // SIGKILL, then started again on the same port
  kKillQuotad,
  kKillNotifyd,
  kRestartRedis,  // SIGKILL of redis-server, started again on its AOF
};
const char* FaultName(Fault fault);
// Every fault, kNone first.
std::vector<Fault> AllFaults();

// An identity in development auth (--auth=dev): x-partydev-sub, -org and
// -roles metadata. Empty roles = admin.
struct Caller {
  std::string subject = "people/admin";
  std::string organization;
  std::string roles;
};
inline Caller Admin() { return {}; }
inline Caller Board(const std::string& org) {
  return {"people/board", org, "organization_board,personal_data"};
}
inline Caller Secretary(const std::string& org) {
  return {"people/secretary", org, "secretary,personal_data"};
}
inline Caller Reader(const std::string& org) {
  return {"people/reader", org, "reader"};
}

inline common::v1::Date D(int y, int m, int d) {
  common::v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

// The rule ids a refusal names (google.rpc PreconditionFailure), sorted.
std::set<std::string> RulesOf(const grpc::Status& status);

// The office inbox of `organization` ("recipients/org-{id}" for
// "organizations/{id}", services/notification/recipient_store.h): what the
// organisation receives, read by its officers (Secretary(organization)).
std::string OfficeOf(const std::string& organization);
// The organisation whose office `recipient` is; "" for a person's inbox.
std::string OrganizationOfOffice(const std::string& recipient);

class Suite {
 public:
  Suite();
  ~Suite();
  Suite(const Suite&) = delete;
  Suite& operator=(const Suite&) = delete;

  // Starts Redis and the three binaries, and waits for every health
  // service to be SERVING.
  absl::Status Start();

  // Applies `fault` (nothing for kNone) and waits until the stack serves
  // again.
  absl::Status Inject(Fault fault);
  // SIGKILL of `service`, then the same binary with the same flags on the
  // same ports, until its health is SERVING.
  absl::Status KillAndRestart(Service service);
  // SIGKILL of redis-server, then started again on the same port and AOF,
  // until every service reports SERVING again.
  absl::Status RestartRedis();
  // Starts `fault` in the background, so that the scenario's next calls
  // meet it (and are retried); EndFault waits until it is over and the
  // stack serves again.
  void BeginFault(Fault fault);
  absl::Status EndFault();

  // Rehearsal time: membershipd's deadline scan and notifyd (its sweeps
  // and decisions) run `days` ahead of the real time from now on
  // (--clock_offset_days); both are stopped gracefully and started again
  // with it. Not during a fault window.
  absl::Status SetClockOffsetDays(int days);

  // Every message of `recipient`'s inbox, oldest first, as `reader` reads
  // it (InboxService.ListMessages, every page): only those matching
  // `filter` (AIP-160 over priority, subject_resource, create_time,
  // delivery) and of `categories` (empty: all). Returns the first failed
  // call's status.
  grpc::Status ReadInbox(
      const std::string& recipient, const Caller& reader,
      const std::string& filter,
      const std::vector<notification::v1::MessageCategory>& categories,
      std::vector<notification::v1::Message>* messages);

  // Polls `predicate` until it holds or `timeout` passes.
  static bool Eventually(const std::function<bool()>& predicate,
                         absl::Duration timeout = absl::Seconds(30));

  // A context carrying `caller`'s development metadata and a deadline.
  static std::unique_ptr<grpc::ClientContext> Context(const Caller& caller);

  // Calls `method` of `stub` as `caller`; an UNAVAILABLE or
  // DEADLINE_EXCEEDED answer (a fault window) is retried with the same
  // request for up to 60 s. Returns the last status.
  template <typename Stub, typename Request, typename Response>
  grpc::Status Call(Stub& stub,
                    grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                 const Request&, Response*),
                    const Caller& caller, const Request& request,
                    Response* response) {
    const absl::Time until = absl::Now() + absl::Seconds(60);
    grpc::Status status;
    while (true) {
      std::unique_ptr<grpc::ClientContext> context = Context(caller);
      status = (stub.*method)(context.get(), request, response);
      if (status.error_code() != grpc::StatusCode::UNAVAILABLE &&
          status.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED) {
        return status;
      }
      ++retries_;
      if (absl::Now() > until) return status;
      absl::SleepFor(absl::Milliseconds(100));
    }
  }

  // Where the processes write their logs, and their tails, for a failure
  // message.
  const std::string& log_dir() const { return log_dir_; }
  std::string LogTails() const;
  // Calls retried during fault windows so far.
  int retries() const { return retries_; }

  membership::v1::OrganizationService::Stub& organizations() {
    return *organizations_;
  }
  membership::v1::PersonService::Stub& people() { return *people_; }
  membership::v1::AdmissionService::Stub& admission() { return *admission_; }
  membership::v1::ClassificationService::Stub& classification() {
    return *classification_;
  }
  quota::v1::TargetService::Stub& targets() { return *targets_; }
  quota::v1::AllocationService::Stub& allocations() { return *allocations_; }
  quota::v1::AchievementService::Stub& achievements() { return *achievements_; }
  quota::v1::ReportService::Stub& reports() { return *reports_; }
  notification::v1::DirectiveService::Stub& directives() {
    return *directives_;
  }
  notification::v1::InboxService::Stub& inbox() { return *inbox_; }
  notification::v1::ChannelService::Stub& channels() { return *channels_; }
  notification::v1::ReminderService::Stub& reminders() { return *reminders_; }

 private:
  struct Binary {
    testing::Process process;
    int port = 0;
    int metrics_port = 0;
    std::string log;
    int starts = 0;
  };
  absl::Status StartBinary(Service service);
  absl::Status WaitServing(Service service, absl::Duration timeout);

  testing::RedisServer redis_;
  std::string log_dir_;
  std::map<Service, Binary> binaries_;
  std::atomic<int> retries_{0};
  int clock_offset_days_ = 0;
  std::future<absl::Status> fault_;
  std::unique_ptr<membership::v1::OrganizationService::Stub> organizations_;
  std::unique_ptr<membership::v1::PersonService::Stub> people_;
  std::unique_ptr<membership::v1::AdmissionService::Stub> admission_;
  std::unique_ptr<membership::v1::ClassificationService::Stub> classification_;
  std::unique_ptr<quota::v1::TargetService::Stub> targets_;
  std::unique_ptr<quota::v1::AllocationService::Stub> allocations_;
  std::unique_ptr<quota::v1::AchievementService::Stub> achievements_;
  std::unique_ptr<quota::v1::ReportService::Stub> reports_;
  std::unique_ptr<notification::v1::DirectiveService::Stub> directives_;
  std::unique_ptr<notification::v1::InboxService::Stub> inbox_;
  std::unique_ptr<notification::v1::ChannelService::Stub> channels_;
  std::unique_ptr<notification::v1::ReminderService::Stub> reminders_;
};

// What a scenario observed, as sorted lines: a run with a fault must give
// the same lines as one without.
using Outcome = std::vector<std::string>;

// Writes a scenario's outcome: its lines, and each failed call both as a
// line (so the run cannot equal a good one) and as a test failure.
class Recorder {
 public:
  explicit Recorder(Outcome& outcome) : outcome_(outcome) {}
  // True when `status` is OK; else records "failed: {what}".
  bool Ok(const std::string& what, const grpc::Status& status);
  void Add(std::string line) { outcome_.push_back(std::move(line)); }

 private:
  Outcome& outcome_;
};

// An organisation of a scenario's tree.
struct NewOrganization {
  std::string parent;  // "" for a root
  std::string id;
  std::string display_name;
  std::string kind;
  std::string level;
  std::vector<common::v1::SectorTag> sector_tags = {};
};

// Creates `org` as the administrator, valid from 2020-01-01, with the
// request id "{request_prefix}org-{id}" (a retried call is answered, not
// repeated); a failure is recorded in `recorder`. Returns its name.
std::string CreateOrganization(Suite& suite, Recorder& recorder,
                               const std::string& request_prefix,
                               const NewOrganization& org);

// True when `outcome` has `line`.
bool Has(const Outcome& outcome, const std::string& line);

// Runs `scenario` on a fresh stack with `fault`. With a fault, it also runs
// it without one on a second stack at the same time (both wait for the same
// background work, so side by side costs little more than one) and EXPECTs
// the two outcomes equal: nothing lost, nothing done twice. Returns the
// outcome of the run with `fault`, for the scenario's own assertions
// (empty, with a failure recorded, when a stack did not start).
Outcome RunComparedWithoutFault(Outcome (*scenario)(Suite&, Fault),
                                Fault fault);

}  // namespace partydev::acceptance

#endif  // PARTYDEV_TESTS_E2E_ACCEPTANCE_SUITE_H_
