// File: services/membership/csv_imports.h
//
// The kinds of AdministrationService.ImportCsv beyond the people (whose
// rows become CreatePersonRequests in administration_service.cc). Each
// takes a file already parsed, whose header the service has checked (the
// organisation exists, the caller's subtree holds it, the caller records
// for it), and writes each row through the RPC that records one such
// thing, so that a row meets exactly its validation, authorisation and
// journal. Good rows are kept, bad ones named in the report with line,
// column and rule; re-importing the same file changes nothing.

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_CSV_IMPORTS_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_CSV_IMPORTS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/csv.h"
#include "common/service_runtime.h"
#include "partydev/membership/v1/import_export.pb.h"
#include "partydev/membership/v1/organizations.pb.h"
#include "services/membership/membership_context.h"

namespace partydev::membership {

// IMPORT_KIND_DUES_PAYMENTS (columns in import_export.proto): each row is
// a CellLifeService.CreateDuesPayment of the person named by person_id or
// citizen_id, for `month`, so its rules hold (dues.members_only,
// dues.month_of_membership, dues.paid_on not in the future, a month paid
// once). A month already paid with the same amount and date is unchanged;
// paid otherwise it is rejected (dues.paid_once: a correction is
// UpdateDuesPayment, audited with its reason). The person's home cell must
// be within `scope` (or, for a member hosted on a temporary transfer, the
// cell her dues count for).
absl::Status ImportDuesPayments(std::shared_ptr<MembershipContext> context,
                                const CallContext& call,
                                const v1::ImportCsvHeader& header,
                                const v1::Organization& scope,
                                const std::vector<csv::Record>& records,
                                v1::ImportCsvReport& report);

// IMPORT_KIND_ORGANIZATIONS (columns in import_export.proto): each row is
// a CreateOrganization (RegisterOrganization, organization_service.h) under
// its parent_id, so the tree's rules hold (no cell under a cell, kinds and
// levels of the rule set in force on valid_from...). The tree is read in
// file order: a parent is in the store or on an earlier line. A new
// organisation is placed within `scope`; a row of an organisation already
// in the store is unchanged when every column of the file says what the
// store holds, and rejected otherwise (import.organization_differs: a
// change is UpdateOrganization's or MoveOrganization's, with its
// decision). A caller without the role organization_board is refused
// (PERMISSION_DENIED) for the whole file. In a dry run a row under an
// organisation the file would create (and so did not write) is checked
// against the tree's placement rules only (organization_tree.h).
absl::Status ImportOrganizations(MembershipContext& context,
                                 const CallContext& call,
                                 const v1::ImportCsvHeader& header,
                                 const v1::Organization& scope,
                                 const std::vector<csv::Record>& records,
                                 v1::ImportCsvReport& report);

// The columns of IMPORT_KIND_ORGANIZATIONS and EXPORT_KIND_ORGANIZATIONS,
// in export order, and an organisation as a row of them (what the export
// writes and the import compares a stored organisation with).
const std::vector<std::string>& OrganizationColumns();
std::vector<std::string> OrganizationRow(const v1::Organization& o);

}  // namespace partydev::membership

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_CSV_IMPORTS_H_
