// File: services/membership/administration_service.h
//
// partydev.membership.v1.AdministrationService: the rule sets in force (read
// by every authenticated caller, so a secretary can see which numbers judge
// an act) and the audit log of an organisation and its subtree (read by the
// organisation and its superiors), the working-day calendar in force, and
// the bulk CSV import and export of the roll (issue #4).
//
// ImportCsv (columns in import_export.proto) reads the whole client
// stream first (at most 64 MiB, RESOURCE_EXHAUSTED beyond), checks the
// header (the organisation exists, the caller's subtree holds it, the
// caller records for it), then works on the runtime's executor, each row
// through the function of the RPC that records one such thing, so that a
// row meets exactly its validation, authorisation and journal; good rows
// are kept, bad ones named with line, column and rule; each row's request
// id is derived from its content, so a retried import is idempotent.
//   IMPORT_KIND_PEOPLE: each row a CreatePersonRequest registered through
//     RegisterPerson. A row whose citizen id (or person_id) is already
//     registered in the same organisation counts as unchanged. Updating a
//     registered person from a changed row is not done yet: such a row is
//     counted unchanged (same organisation) or rejected (another one).
//   IMPORT_KIND_ORGANIZATIONS, IMPORT_KIND_DUES_PAYMENTS: csv_imports.h
//     (CreateOrganization, CreateDuesPayment).
//
// ExportCsv streams a file a chunk at a time. EXPORT_KIND_PEOPLE and
// EXPORT_KIND_ORGANIZATIONS page through the home roll (or the tree) in the
// import columns; sensitive columns need the role personal_data
// (PERMISSION_DENIED when asked without it). The other kinds (dues
// payments, in the import columns; people counts, meeting life, attendance
// rates, early warnings, member classifications, dues collections) are
// paged through the code of the RPC answering the same question, with its
// access checks (csv_exports.h, which documents their columns). What the
// imports and exports share of a sheet's values is in csv_rows.h.
//
// UpdateWorkingDayCalendar answers UNIMPLEMENTED: the calendar is
// configuration (services/membership/rules/calendar_vn.json), loaded at
// start.

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_ADMINISTRATION_SERVICE_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_ADMINISTRATION_SERVICE_H_

#include <memory>
#include <vector>

#include "common/csv.h"
#include "common/service_runtime.h"
#include "partydev/membership/v1/administration.grpc.pb.h"
#include "services/membership/domain/rule_sets.h"
#include "services/membership/membership_context.h"
#include "services/membership/organization_store.h"

namespace partydev::membership {

class AdministrationServiceImpl final
    : public v1::AdministrationService::CallbackService {
 public:
  AdministrationServiceImpl(
      std::shared_ptr<MembershipContext> context,
      std::shared_ptr<const domain::RuleSetRegistry> rule_sets);

  grpc::ServerUnaryReactor* GetRuleSet(grpc::CallbackServerContext* context,
                                       const v1::GetRuleSetRequest* request,
                                       v1::RuleSet* response) override;
  grpc::ServerUnaryReactor* ListRuleSets(
      grpc::CallbackServerContext* context,
      const v1::ListRuleSetsRequest* request,
      v1::ListRuleSetsResponse* response) override;
  grpc::ServerUnaryReactor* ListAuditEntries(
      grpc::CallbackServerContext* context,
      const v1::ListAuditEntriesRequest* request,
      v1::ListAuditEntriesResponse* response) override;
  grpc::ServerUnaryReactor* GetAuditEntry(
      grpc::CallbackServerContext* context,
      const v1::GetAuditEntryRequest* request,
      v1::AuditEntry* response) override;
  grpc::ServerUnaryReactor* GetWorkingDayCalendar(
      grpc::CallbackServerContext* context,
      const v1::GetWorkingDayCalendarRequest* request,
      v1::WorkingDayCalendar* response) override;
  grpc::ServerUnaryReactor* UpdateWorkingDayCalendar(
      grpc::CallbackServerContext* context,
      const v1::UpdateWorkingDayCalendarRequest* request,
      v1::WorkingDayCalendar* response) override;
  grpc::ServerReadReactor<v1::ImportCsvRequest>* ImportCsv(
      grpc::CallbackServerContext* context,
      v1::ImportCsvReport* response) override;
  grpc::ServerWriteReactor<v1::ExportCsvChunk>* ExportCsv(
      grpc::CallbackServerContext* context,
      const v1::ExportCsvRequest* request) override;

 private:
  class ImportReactor;
  class ExportReactor;

  // The import of a whole file, once every chunk has arrived.
  absl::Status Import(const CallContext& call,
                      const v1::ImportCsvHeader& header, absl::string_view file,
                      v1::ImportCsvReport& report);
  // Its people part (the other kinds: csv_imports.h).
  absl::Status ImportPeople(const CallContext& call,
                            const v1::ImportCsvHeader& header,
                            const v1::Organization& scope,
                            const std::vector<csv::Record>& records,
                            v1::ImportCsvReport& report);

  // "workingDayCalendars/{year}" → the year, or INVALID_ARGUMENT on `field`.
  static absl::StatusOr<int> CalendarYearOf(absl::string_view name,
                                            absl::string_view field);
  absl::Status UpdateCalendar(
      const CallContext& call,
      const v1::UpdateWorkingDayCalendarRequest& request,
      v1::WorkingDayCalendar& response);

  // Who may read the audit entries of organisation `id` ("-": the
  // installation's own, for installation admins).
  absl::Status AuthorizeAuditRead(const CallContext& call,
                                  const std::string& id,
                                  const std::string& parent);
  absl::Status AuditEntries(const CallContext& call,
                            const v1::ListAuditEntriesRequest& request,
                            v1::ListAuditEntriesResponse& response);
  absl::Status AuditEntry(const CallContext& call,
                          const v1::GetAuditEntryRequest& request,
                          v1::AuditEntry& response);

  const std::shared_ptr<MembershipContext> context_;
  ServiceRuntime& runtime_;
  const std::shared_ptr<const domain::RuleSetRegistry> rule_sets_;
  OrganizationStore store_;
};

}  // namespace partydev::membership

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_ADMINISTRATION_SERVICE_H_
