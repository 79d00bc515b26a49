// IMPORT_KIND_DUES_PAYMENTS: a cell's dues book (sổ thu đảng phí) as rows
// of CellLifeService.CreateDuesPayment (csv_imports.h).

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/dates.h"
#include "common/errors.h"
#include "common/paging.h"
#include "services/membership/cell_life_records.h"
#include "services/membership/cell_life_service.h"
#include "services/membership/csv_imports.h"
#include "services/membership/csv_rows.h"
#include "services/membership/organization_tree.h"
#include "services/membership/person_store.h"

namespace partydev::membership {
namespace {

// The columns of IMPORT_KIND_DUES_PAYMENTS (import_export.proto), in the
// order EXPORT_KIND_DUES_PAYMENTS writes them.
const std::vector<std::string>& DuesPaymentColumns() {
  static const auto* const kColumns = new std::vector<std::string>{
      "person_id", "citizen_id", "month", "amount_paid_vnd", "paid_on", "note"};
  return *kColumns;
}

const std::vector<std::string>& RequiredDuesPaymentColumns() {
  static const auto* const kColumns =
      new std::vector<std::string>{"month", "amount_paid_vnd", "paid_on"};
  return *kColumns;
}

// The payment resource's collection under the person (dues.proto:
// "people/{person}/duesPayments/{YYYY-MM}").
constexpr char kDuesPayments[] = "duesPayments";

// How CreateDuesPayment's refusals name the columns of a row whose person
// is in `person_column` (person_id, or citizen_id when the row has only
// that).
RefusalColumns DuesRefusalColumns(const std::string& person_column) {
  return RefusalColumns{[person_column](absl::string_view field,
                                        absl::string_view rule) -> std::string {
                          if (rule == "dues.members_only") return person_column;
                          if (rule == "dues.paid_on") return "paid_on";
                          if (!rule.empty()) return "month";
                          if (field == "parent") return person_column;
                          if (field == "dues_payment_id") return "month";
                          absl::string_view rest = field;
                          if (absl::ConsumePrefix(&rest, "dues_payment.")) {
                            return std::string(rest);
                          }
                          return std::string(field);
                        },
                        "dues_payment.", "month", "dues.paid_once",
                        person_column};
}

// A row read: what it asks to record, or its problems in `rejected`.
struct DuesRow {
  std::string person_id;
  std::string citizen_id;
  std::string month_id;  // "YYYY-MM"
  int64_t amount_paid_vnd = 0;
  common::v1::Date paid_on;
  std::string note;
};

DuesRow ParseDuesRow(const CsvRow& row, v1::RejectedRow& rejected) {
  DuesRow out;
  out.person_id = row.Get("person_id");
  out.citizen_id = row.Get("citizen_id");
  if (out.person_id.empty() && out.citizen_id.empty()) {
    AddRowProblem(rejected, "person_id", "import.person_required",
                  "person_id or citizen_id is required: whose dues these are");
  } else if (out.person_id.empty() && !IsCitizenIdShape(out.citizen_id)) {
    AddRowProblem(rejected, "citizen_id", "person.citizen_id_format",
                  "must be the 12 digits of the citizen identity card");
  }
  const std::string month = row.Get("month");
  std::optional<v1::YearMonth> ym = ParseYearMonthId(month);
  if (month.empty()) {
    AddRowProblem(rejected, "month", "import.month", "is required (YYYY-MM)");
  } else if (!ym.has_value()) {
    AddRowProblem(rejected, "month", "import.month_format",
                  "is not a month (YYYY-MM)");
  } else {
    out.month_id = YearMonthId(ym->year(), ym->month());
  }
  const std::string amount = row.Get("amount_paid_vnd");
  if (amount.empty()) {
    AddRowProblem(rejected, "amount_paid_vnd", "import.amount_paid_vnd",
                  "is required (đồng)");
  } else if (!absl::SimpleAtoi(amount, &out.amount_paid_vnd)) {
    AddRowProblem(rejected, "amount_paid_vnd", "import.amount",
                  "must be a whole number of đồng");
  }
  const std::string paid_on = row.Get("paid_on");
  if (paid_on.empty()) {
    AddRowProblem(rejected, "paid_on", "import.paid_on", "is required");
  } else if (std::optional<common::v1::Date> d = ParseCsvDate(paid_on);
             !d.has_value()) {
    AddRowProblem(rejected, "paid_on", "import.date_format",
                  "is not a date (YYYY-MM-DD or DD/MM/YYYY)");
  } else {
    out.paid_on = *d;
  }
  out.note = row.Get("note");
  return out;
}

// Whether the organisation `org_id`'s path passes through `scope_name`,
// read once per organisation of the file.
class ScopeCheck {
 public:
  ScopeCheck(MembershipContext& context, std::string scope_name)
      : context_(context), scope_name_(std::move(scope_name)) {}

  absl::StatusOr<bool> Holds(const std::string& org_name) {
    auto it = within_.find(org_name);
    if (it != within_.end()) return it->second;
    absl::StatusOr<StoredOrganization> org =
        context_.organizations().Get(OrganizationId(org_name));
    bool within = false;
    if (org.ok()) {
      const auto& path = org->organization.path();
      within = std::find(path.begin(), path.end(), scope_name_) != path.end();
    } else if (!absl::IsNotFound(org.status())) {
      return org.status();
    }
    within_.emplace(org_name, within);
    return within;
  }

 private:
  MembershipContext& context_;
  const std::string scope_name_;
  std::map<std::string, bool> within_;
};

}  // namespace

absl::Status ImportDuesPayments(std::shared_ptr<MembershipContext> context,
                                const CallContext& call,
                                const v1::ImportCsvHeader& header,
                                const v1::Organization& scope,
                                const std::vector<csv::Record>& records,
                                v1::ImportCsvReport& report) {
  absl::StatusOr<std::map<std::string, int>> columns =
      CsvColumnsOf(records[0].fields, DuesPaymentColumns(),
                   RequiredDuesPaymentColumns(), "IMPORT_KIND_DUES_PAYMENTS");
  if (!columns.ok()) return columns.status();
  if (columns->count("person_id") == 0 && columns->count("citizen_id") == 0) {
    return InvalidField("chunk",
                        "the column \"person_id\" or \"citizen_id\" is "
                        "required: whose dues each row records");
  }
  CellLifeServiceImpl cell_life(context);
  ScopeCheck within(*context, scope.name());
  // (person, month) of this file: a second row of the same month is a
  // mistake in the sheet, not a re-import.
  std::map<std::pair<std::string, std::string>, int64_t> month_lines;
  absl::Status imported = ForEachImportRow(
      records, *columns, header.validate_only(),
      [&call] { return call.Cancelled(); }, report,
      [&](const csv::Record& record, const CsvRow& row,
          v1::RejectedRow& rejected) -> absl::StatusOr<ImportedRow> {
        // Labelled by person_id until the person is found: the citizen id is
        // personal data, never echoed.
        rejected.set_label(row.Get("person_id"));
        const DuesRow in = ParseDuesRow(row, rejected);
        if (rejected.problems_size() > 0) {
          return ImportedRow::kRejected;
        }
        const std::string person_column =
            in.person_id.empty() ? "citizen_id" : "person_id";

        // Whose dues: person_id first, else the citizen id.
        std::optional<StoredPerson> person;
        if (!in.person_id.empty()) {
          absl::StatusOr<StoredPerson> by_id =
              context->people().Get(absl::StrCat("people/", in.person_id));
          if (by_id.ok()) {
            person = *std::move(by_id);
          } else if (!absl::IsNotFound(by_id.status())) {
            return by_id.status();
          }
        } else {
          absl::StatusOr<std::optional<std::string>> holder =
              context->people().FindByCitizenId(in.citizen_id);
          if (!holder.ok()) return holder.status();
          if (holder->has_value()) {
            absl::StatusOr<StoredPerson> stored =
                context->people().Get(**holder);
            if (!stored.ok()) return stored.status();
            person = *std::move(stored);
          }
        }
        if (!person.has_value()) {
          AddRowProblem(rejected, person_column, "import.person_exists",
                        "no person of the roll has it");
          return ImportedRow::kRejected;
        }
        const v1::Person& p = person->message;
        rejected.set_label(p.full_name());
        if (!in.person_id.empty() && !in.citizen_id.empty() &&
            p.citizen_id() != in.citizen_id) {
          AddRowProblem(rejected, "citizen_id", "import.person_id_matches",
                        "this person_id is registered with another citizen "
                        "identity number");
          return ImportedRow::kRejected;
        }
        auto [line, fresh] = month_lines.emplace(
            std::make_pair(p.name(), in.month_id), record.line);
        if (!fresh) {
          AddRowProblem(rejected, "month", "dues.paid_once",
                        absl::StrCat("the same member and month are on line ",
                                     line->second, ": a month is paid once"));
          return ImportedRow::kRejected;
        }

        v1::CreateDuesPaymentRequest request;
        request.set_parent(p.name());
        request.set_dues_payment_id(in.month_id);
        request.mutable_dues_payment()->set_amount_paid_vnd(in.amount_paid_vnd);
        *request.mutable_dues_payment()->mutable_paid_on() = in.paid_on;
        request.mutable_dues_payment()->set_note(in.note);
        request.set_validate_only(header.validate_only());
        // The same row always gets the same request id, so that a retry of a
        // write whose answer was lost is answered, not repeated.
        request.set_request_id(absl::StrCat(
            "csv-", absl::BytesToHexString(RequestFingerprint(request))));

        // Within the header's organisation: the member's home cell, or for a
        // member hosted on a temporary transfer the cell her dues count for
        // (CreateDuesPayment says which, in a dry run).
        absl::StatusOr<bool> home_within = within.Holds(p.organization());
        if (!home_within.ok()) return home_within.status();
        if (!*home_within) {
          v1::CreateDuesPaymentRequest dry = request;
          dry.set_validate_only(true);
          dry.set_request_id(absl::StrCat(
              "csv-", absl::BytesToHexString(RequestFingerprint(dry))));
          v1::DuesPayment would_be;
          absl::Status tried =
              cell_life.DoCreateDuesPayment(call, dry, would_be);
          bool counted_within = false;
          if (tried.ok()) {
            absl::StatusOr<bool> host_within =
                within.Holds(would_be.organization());
            if (!host_within.ok()) return host_within.status();
            counted_within = *host_within;
          }
          if (!counted_within) {
            AddRowProblem(
                rejected, person_column, "import.within_header",
                absl::StrCat("this member's dues are not counted within ",
                             scope.name(),
                             ", the organisation of this import"));
            return ImportedRow::kRejected;
          }
        }

        // Already recorded: unchanged when the same (the re-import of a
        // file); otherwise a correction, which UpdateDuesPayment makes with its
        // reason, audited (not an import).
        absl::StatusOr<Stored<v1::DuesPayment>> existing =
            context->records().Get<v1::DuesPayment>(
                absl::StrCat(p.name(), "/", kDuesPayments, "/", in.month_id));
        if (existing.ok()) {
          const v1::DuesPayment& paid = existing->message;
          const bool same_amount = paid.amount_paid_vnd() == in.amount_paid_vnd;
          if (same_amount &&
              CivilDayOf(paid.paid_on()) == CivilDayOf(in.paid_on)) {
            return ImportedRow::kUnchanged;
          }
          AddRowProblem(
              rejected, same_amount ? "paid_on" : "amount_paid_vnd",
              "dues.paid_once",
              absl::StrCat(
                  "the month ", in.month_id,
                  " is already recorded otherwise: a month is paid once; "
                  "correct it with UpdateDuesPayment, giving the reason"));
          return ImportedRow::kRejected;
        } else if (!absl::IsNotFound(existing.status())) {
          return existing.status();
        }

        v1::DuesPayment created;
        absl::Status status =
            cell_life.DoCreateDuesPayment(call, request, created);
        if (status.ok()) return ImportedRow::kWritten;
        if (!RowProblemsOf(status, DuesRefusalColumns(person_column),
                           rejected)) {
          return status;
        }
        return ImportedRow::kRejected;
      });
  return imported;
}

}  // namespace partydev::membership
