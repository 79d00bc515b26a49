// IMPORT_KIND_ORGANIZATIONS: a committee's list of its organisations as
// rows of OrganizationService.CreateOrganization (csv_imports.h).

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/errors.h"
#include "common/paging.h"
#include "services/membership/csv_imports.h"
#include "services/membership/csv_rows.h"
#include "services/membership/organization_service.h"
#include "services/membership/organization_store.h"
#include "services/membership/organization_tree.h"
#include "services/membership/person_store.h"

namespace partydev::membership {
namespace {

const std::vector<std::string>& RequiredOrganizationColumns() {
  static const auto* const kColumns = new std::vector<std::string>{
      "organization_id", "parent_id", "display_name", "kind",
      "level",           "valid_from"};
  return *kColumns;
}

// How CreateOrganization's refusals name the columns of a row.
RefusalColumns OrganizationRefusalColumns() {
  return RefusalColumns{
      [](absl::string_view field, absl::string_view) -> std::string {
        absl::string_view rest = field;
        absl::ConsumePrefix(&rest, "organization.");
        if (rest == "parent" || rest == "new_parent") return "parent_id";
        if (rest == "founding_decision.signed_on") {
          return "founding_decision_date";
        }
        if (absl::StartsWith(rest, "founding_decision")) {
          return "founding_decision_number";
        }
        if (rest == "admission_authority") return "level";
        return std::string(rest);
      },
      "organization.", "organization_id", "tree.organization_id_unique",
      "parent_id"};
}

// Reads a row into a CreateOrganizationRequest; problems of form go into
// `rejected`.
v1::CreateOrganizationRequest ParseOrganizationRow(const CsvRow& row,
                                                   v1::RejectedRow& rejected) {
  v1::CreateOrganizationRequest request;
  request.set_organization_id(row.Get("organization_id"));
  if (request.organization_id().empty()) {
    AddRowProblem(rejected, "organization_id", "import.organization_id",
                  "is required: the id of the organisation");
  }
  v1::Organization* o = request.mutable_organization();
  o->set_parent(row.Get("parent_id").empty()
                    ? ""
                    : OrganizationResourceName(row.Get("parent_id")));
  o->set_display_name(row.Get("display_name"));
  o->set_kind(row.Get("kind"));
  o->set_level(row.Get("level"));
  o->set_short_name(row.Get("short_name"));
  o->set_document_code(row.Get("document_code"));
  for (absl::string_view t :
       absl::StrSplit(row.Get("sector_tags"), ';', absl::SkipWhitespace())) {
    std::optional<int> v =
        ParseCsvEnum(common::v1::SectorTag_descriptor(), "SECTOR_TAG_",
                     absl::StripAsciiWhitespace(t));
    if (!v.has_value()) {
      AddRowProblem(
          rejected, "sector_tags", "import.enum_value",
          absl::StrCat(
              "must be \";\"-separated values of ",
              CsvEnumNames(common::v1::SectorTag_descriptor(), "SECTOR_TAG_")));
      break;
    }
    o->add_sector_tags(static_cast<common::v1::SectorTag>(*v));
  }
  auto date = [&](const std::string& column, common::v1::Date* out) {
    const std::string text = row.Get(column);
    if (text.empty()) return;
    std::optional<common::v1::Date> d = ParseCsvDate(text);
    if (!d.has_value()) {
      AddRowProblem(rejected, column, "import.date_format",
                    "is not a date (YYYY-MM-DD or DD/MM/YYYY)");
      return;
    }
    *out = *d;
  };
  date("valid_from", o->mutable_valid_from());
  if (!row.Get("founding_decision_number").empty() ||
      !row.Get("founding_decision_date").empty()) {
    o->mutable_founding_decision()->set_number(
        row.Get("founding_decision_number"));
    date("founding_decision_date",
         o->mutable_founding_decision()->mutable_signed_on());
  }
  return request;
}

}  // namespace

const std::vector<std::string>& OrganizationColumns() {
  static const auto* const kColumns =
      new std::vector<std::string>{"organization_id",
                                   "parent_id",
                                   "display_name",
                                   "kind",
                                   "level",
                                   "short_name",
                                   "sector_tags",
                                   "valid_from",
                                   "document_code",
                                   "founding_decision_number",
                                   "founding_decision_date"};
  return *kColumns;
}

std::vector<std::string> OrganizationRow(const v1::Organization& o) {
  std::vector<std::string> tags;
  for (int t : o.sector_tags()) {
    tags.push_back(
        CsvEnum(common::v1::SectorTag_descriptor(), "SECTOR_TAG_", t));
  }
  return {LastSegment(o.name()),
          LastSegment(o.parent()),
          o.display_name(),
          o.kind(),
          o.level(),
          o.short_name(),
          absl::StrJoin(tags, ";"),
          CsvDate(o.valid_from()),
          o.document_code(),
          o.founding_decision().number(),
          CsvDate(o.founding_decision().signed_on())};
}

absl::Status ImportOrganizations(MembershipContext& context,
                                 const CallContext& call,
                                 const v1::ImportCsvHeader& header,
                                 const v1::Organization& scope,
                                 const std::vector<csv::Record>& records,
                                 v1::ImportCsvReport& report) {
  absl::StatusOr<std::map<std::string, int>> columns =
      CsvColumnsOf(records[0].fields, OrganizationColumns(),
                   RequiredOrganizationColumns(), "IMPORT_KIND_ORGANIZATIONS");
  if (!columns.ok()) return columns.status();
  // The organisations of this file by id → the line that names it, so
  // that a child names its parent's line.
  std::map<std::string, int64_t> seen;
  // In a dry run nothing is written: the organisations the file would
  // create, as CreateOrganization answered, stand for their rows' parents.
  std::map<std::string, v1::Organization> would_create;
  absl::Status imported = ForEachImportRow(
      records, *columns, header.validate_only(),
      [&call] { return call.Cancelled(); }, report,
      [&](const csv::Record& record, const CsvRow& row,
          v1::RejectedRow& rejected) -> absl::StatusOr<ImportedRow> {
        rejected.set_label(row.Get("organization_id"));
        v1::CreateOrganizationRequest request =
            ParseOrganizationRow(row, rejected);
        if (rejected.problems_size() > 0) {
          return ImportedRow::kRejected;
        }
        const std::string& id = request.organization_id();
        auto [same, fresh] = seen.emplace(id, record.line);
        if (!fresh) {
          AddRowProblem(rejected, "organization_id",
                        "import.organization_id_unique",
                        absl::StrCat("the same organization_id is on line ",
                                     same->second));
          return ImportedRow::kRejected;
        }

        // Already in the store: unchanged when every column of the file says
        // what the store holds (the re-import of a file, or an export of the
        // tree, whose first row is the header's organisation itself); a change
        // is UpdateOrganization's or MoveOrganization's, with its decision.
        absl::StatusOr<StoredOrganization> stored =
            context.organizations().Get(id);
        if (stored.ok()) {
          const v1::Organization& o = stored->organization;
          if (std::find(o.path().begin(), o.path().end(), scope.name()) ==
              o.path().end()) {
            AddRowProblem(rejected, "organization_id", "import.within_header",
                          absl::StrCat("is not within ", scope.name(),
                                       ", the organisation of this import"));
            return ImportedRow::kRejected;
          }
          v1::Organization in = request.organization();
          in.set_name(o.name());
          const std::vector<std::string> want = OrganizationRow(in);
          const std::vector<std::string> have = OrganizationRow(o);
          for (size_t c = 0; c < OrganizationColumns().size(); ++c) {
            const std::string& column = OrganizationColumns()[c];
            if (columns->count(column) == 0 || want[c] == have[c]) continue;
            AddRowProblem(
                rejected, column, "import.organization_differs",
                absl::StrCat(o.name(),
                             " exists with another value: an import "
                             "creates organisations; change it with "
                             "UpdateOrganization or MoveOrganization, "
                             "giving the decision"));
          }
          if (rejected.problems_size() > 0) {
            return ImportedRow::kRejected;
          }
          return ImportedRow::kUnchanged;
        } else if (!absl::IsNotFound(stored.status())) {
          return stored.status();
        }

        // Within the header's organisation: the parent is it or below it, in
        // the store or (a dry run) created by an earlier row.
        const v1::Organization& in = request.organization();
        if (in.parent().empty()) {
          AddRowProblem(
              rejected, "parent_id", "import.within_header",
              absl::StrCat("is required: a new organisation is placed "
                           "under ",
                           scope.name(), " or one of its organisations"));
          return ImportedRow::kRejected;
        }
        const std::string parent_id = LastSegment(in.parent());
        std::optional<v1::Organization> parent;
        if (auto w = would_create.find(parent_id); w != would_create.end()) {
          parent = w->second;
        } else if (absl::StatusOr<StoredOrganization> p =
                       context.organizations().Get(parent_id);
                   p.ok()) {
          parent = std::move(p->organization);
        } else if (!absl::IsNotFound(p.status())) {
          return p.status();
        }
        if (!parent.has_value()) {
          auto earlier = seen.find(parent_id);
          AddRowProblem(
              rejected, "parent_id", "import.parent_first",
              earlier != seen.end() && earlier->first != id
                  ? absl::StrCat("the parent on line ", earlier->second,
                                 " was not created")
                  : "no organisation has this id: a parent comes before its "
                    "children in the file, or is already in the store");
          return ImportedRow::kRejected;
        }
        const bool parent_within =
            std::find(parent->path().begin(), parent->path().end(),
                      scope.name()) != parent->path().end();
        if (!parent_within) {
          AddRowProblem(rejected, "parent_id", "import.within_header",
                        absl::StrCat("is not within ", scope.name(),
                                     ", the organisation of this import"));
          return ImportedRow::kRejected;
        }
        if (would_create.count(parent_id) > 0) {
          // A dry run cannot ask CreateOrganization about a child of an
          // organisation it did not write: the child is placed under the
          // parent the dry run answered with the tree's rules
          // CreateOrganization applies (organization_tree.h), of the rule set
          // in force on its valid_from; the rest is checked when the file is
          // imported.
          absl::StatusOr<const v1::RuleSet*> rules =
              context.rules()(in.valid_from());
          if (!rules.ok()) return rules.status();
          v1::Organization child = in;
          child.set_name(absl::StrCat("organizations/", id));
          DeriveStructure((*rules)->organization(), &*parent, child);
          std::vector<RuleViolation> unmet =
              CheckPlacement((*rules)->organization(), child, &*parent);
          if (!unmet.empty()) {
            RowProblemsOf(RulesViolated(std::move(unmet)),
                          OrganizationRefusalColumns(), rejected);
            return ImportedRow::kRejected;
          }
          would_create.emplace(id, std::move(child));
          return ImportedRow::kWritten;
        }

        // The same row always gets the same request id, so that a retry of a
        // write whose answer was lost is answered, not repeated.
        request.set_validate_only(header.validate_only());
        request.set_request_id(absl::StrCat(
            "csv-", absl::BytesToHexString(RequestFingerprint(request))));
        v1::Organization created;
        absl::Status status =
            RegisterOrganization(context, call, request, created);
        if (status.ok()) {
          if (header.validate_only()) {
            would_create.emplace(id, std::move(created));
          }
          return ImportedRow::kWritten;
        }
        // The parent is within the header's organisation, which is within the
        // caller's subtree: a refusal is the caller's role (organization_board
        // creates organisations), the same for every row.
        if (absl::IsPermissionDenied(status)) return status;
        if (!RowProblemsOf(status, OrganizationRefusalColumns(), rejected)) {
          return status;
        }
        return ImportedRow::kRejected;
      });
  return imported;
}

}  // namespace partydev::membership
