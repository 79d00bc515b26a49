#include "services/membership/administration_service.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/authorization.h"
#include "common/csv.h"
#include "common/dates.h"
#include "common/errors.h"
#include "common/ids.h"
#include "common/paging.h"
#include "services/membership/calendar_store.h"
#include "services/membership/cell_life_records.h"
#include "services/membership/csv_exports.h"
#include "services/membership/csv_imports.h"
#include "services/membership/csv_rows.h"
#include "services/membership/domain/names.h"
#include "services/membership/journal.h"
#include "services/membership/organization_tree.h"
#include "services/membership/person_access.h"
#include "services/membership/person_service.h"

namespace partydev::membership {
namespace {

using common::v1::Date;

// Past this the import refuses the file: it is held in memory whole.
constexpr size_t kMaxImportBytes = 64u << 20;
constexpr size_t kMaxChunkBytes = 1u << 20;
// The export reads this many people at a time and sends chunks of about
// kExportChunkBytes.
constexpr int kExportPageSize = 200;
constexpr size_t kExportChunkBytes = 64u << 10;

// The columns of IMPORT_KIND_PEOPLE / EXPORT_KIND_PEOPLE, in export order
// (import_export.proto).
const std::vector<std::string>& PeopleColumns() {
  static const auto* const kColumns = new std::vector<std::string>{
      "person_id",
      "citizen_id",
      "full_name",
      "date_of_birth",
      "gender",
      "ethnicity",
      "religion",
      "general_education",
      "qualification",
      "occupation",
      "workplace",
      "categories",
      "organization",
      "stage",
      "sourced_on",
      "source_kind",
      "admission_decision_number",
      "admission_decision_date",
      "admission_deciding_organization",
      "ceremony_on",
      "official_on",
      "party_card_number",
      "dues_category",
      "dues_base_vnd",
      "phone",
      "email",
      "residence_address",
      "place_of_origin",
  };
  return *kColumns;
}

// Without these a row cannot be a person: their absence refuses the file.
const std::vector<std::string>& RequiredPeopleColumns() {
  static const auto* const kColumns = new std::vector<std::string>{
      "citizen_id", "full_name",         "date_of_birth",
      "gender",     "general_education", "organization"};
  return *kColumns;
}

bool IsSensitiveColumn(absl::string_view column) {
  for (const auto& f : SensitiveFields()) {
    if (f == column) return true;
  }
  return false;
}

// Reads a people row into a CreatePersonRequest; problems of form go into
// `rejected`. Never quotes a value: some columns are personal data.
v1::CreatePersonRequest ParsePersonRow(const CsvRow& row,
                                       v1::RejectedRow& rejected) {
  v1::CreatePersonRequest request;
  v1::Person* p = request.mutable_person();
  request.set_person_id(row.Get("person_id"));
  p->set_citizen_id(row.Get("citizen_id"));
  p->set_full_name(row.Get("full_name"));
  auto date = [&](const std::string& column, Date* out, bool required) {
    const std::string text = row.Get(column);
    if (text.empty()) {
      if (required) {
        AddRowProblem(rejected, column, absl::StrCat("import.", column),
                      "is required");
      }
      return;
    }
    std::optional<Date> d = ParseCsvDate(text);
    if (!d.has_value()) {
      AddRowProblem(rejected, column, "import.date_format",
                    "is not a date (YYYY-MM-DD or DD/MM/YYYY)");
      return;
    }
    *out = *d;
  };
  auto enumeration = [&](const std::string& column,
                         const google::protobuf::EnumDescriptor* type,
                         absl::string_view prefix, bool required) -> int {
    const std::string text = row.Get(column);
    if (text.empty()) {
      if (required) {
        AddRowProblem(
            rejected, column, absl::StrCat("import.", column),
            absl::StrCat("is required: ", CsvEnumNames(type, prefix)));
      }
      return 0;
    }
    std::optional<int> v = ParseCsvEnum(type, prefix, text);
    if (!v.has_value()) {
      AddRowProblem(
          rejected, column, "import.enum_value",
          absl::StrCat("must be one of ", CsvEnumNames(type, prefix)));
      return 0;
    }
    return *v;
  };
  date("date_of_birth", p->mutable_date_of_birth(), true);

  const std::string gender = row.Get("gender");
  if (gender == "Nam") {
    p->set_gender(v1::GENDER_MALE);
  } else if (gender == "N\xe1\xbb\xaf") {  // "Nữ" in NFC
    p->set_gender(v1::GENDER_FEMALE);
  } else {
    p->set_gender(static_cast<v1::Gender>(
        enumeration("gender", v1::Gender_descriptor(), "GENDER_", true)));
  }
  p->set_ethnicity(row.Get("ethnicity"));
  p->set_religion(row.Get("religion"));

  const std::string education = row.Get("general_education");
  if (education == "5/12") {
    p->set_general_education(v1::GENERAL_EDUCATION_PRIMARY);
  } else if (education == "9/12") {
    p->set_general_education(v1::GENERAL_EDUCATION_LOWER_SECONDARY);
  } else if (education == "12/12") {
    p->set_general_education(v1::GENERAL_EDUCATION_UPPER_SECONDARY);
  } else {
    p->set_general_education(static_cast<v1::GeneralEducation>(
        enumeration("general_education", v1::GeneralEducation_descriptor(),
                    "GENERAL_EDUCATION_", true)));
  }
  p->set_qualification(static_cast<v1::Qualification>(
      enumeration("qualification", v1::Qualification_descriptor(),
                  "QUALIFICATION_", false)));
  p->set_occupation(row.Get("occupation"));
  p->set_workplace(row.Get("workplace"));
  for (absl::string_view c :
       absl::StrSplit(row.Get("categories"), ';', absl::SkipWhitespace())) {
    std::optional<int> v =
        ParseCsvEnum(common::v1::Category_descriptor(), "CATEGORY_",
                     absl::StripAsciiWhitespace(c));
    if (!v.has_value()) {
      AddRowProblem(rejected, "categories", "import.enum_value",
                    absl::StrCat("must be \";\"-separated values of ",
                                 CsvEnumNames(common::v1::Category_descriptor(),
                                              "CATEGORY_")));
      break;
    }
    p->add_categories(static_cast<common::v1::Category>(*v));
  }
  p->set_organization(OrganizationResourceName(row.Get("organization")));
  if (p->organization().empty()) {
    AddRowProblem(rejected, "organization", "import.organization",
                  "is required: the id of the cell");
  }

  int stage = common::v1::STAGE_SOURCED;
  if (!row.Get("stage").empty()) {
    stage =
        enumeration("stage", common::v1::Stage_descriptor(), "STAGE_", false);
  }
  if (stage == common::v1::STAGE_SOURCED) {
    v1::CandidateSource* source = p->mutable_source();
    date("sourced_on", source->mutable_sourced_on(), true);
    int kind = v1::SOURCE_KIND_CELL;
    if (!row.Get("source_kind").empty()) {
      kind = enumeration("source_kind", v1::SourceKind_descriptor(),
                         "SOURCE_KIND_", false);
    }
    source->set_kind(static_cast<v1::SourceKind>(kind));
    // The cell found her unless the sheet says otherwise: the roll has no
    // column for another finder.
    if (kind == v1::SOURCE_KIND_CELL) {
      source->set_organization(p->organization());
    }
  } else if (stage == common::v1::STAGE_PROBATION ||
             stage == common::v1::STAGE_OFFICIAL) {
    v1::ExistingMembership* m = request.mutable_existing_membership();
    m->mutable_admission_decision()->set_number(
        row.Get("admission_decision_number"));
    date("admission_decision_date",
         m->mutable_admission_decision()->mutable_signed_on(), true);
    m->mutable_admission_decision()->set_deciding_organization(
        OrganizationResourceName(row.Get("admission_deciding_organization")));
    date("ceremony_on", m->mutable_ceremony_on(),
         stage == common::v1::STAGE_PROBATION);
    if (stage == common::v1::STAGE_OFFICIAL) {
      date("official_on", m->mutable_official_on(), true);
    } else if (!row.Get("official_on").empty()) {
      AddRowProblem(rejected, "official_on", "import.stage",
                    "must be empty for a PROBATION member (stage OFFICIAL has "
                    "an official date)");
    }
  } else if (stage != 0) {
    AddRowProblem(rejected, "stage", "import.stage",
                  "an import registers SOURCED candidates or PROBATION and "
                  "OFFICIAL members; the steps between are recorded by "
                  "AdmissionService");
  }
  p->set_party_card_number(row.Get("party_card_number"));
  const int dues = enumeration("dues_category", v1::DuesCategory_descriptor(),
                               "DUES_CATEGORY_", false);
  if (dues != 0) {
    p->mutable_dues()->set_category(static_cast<v1::DuesCategory>(dues));
  }
  const std::string base = row.Get("dues_base_vnd");
  if (!base.empty()) {
    int64_t amount = 0;
    if (!absl::SimpleAtoi(base, &amount) || amount < 0) {
      AddRowProblem(rejected, "dues_base_vnd", "import.amount",
                    "must be a whole number of đồng");
    } else {
      p->mutable_dues()->set_base_amount_vnd(amount);
    }
  }
  p->set_phone(row.Get("phone"));
  p->set_email(row.Get("email"));
  p->set_residence_address(row.Get("residence_address"));
  p->set_place_of_origin(row.Get("place_of_origin"));
  return request;
}

// The column of a CreatePersonRequest field path named by RegisterPerson.
std::string ColumnOf(absl::string_view field) {
  static const auto* const kColumns = new std::map<std::string, std::string>{
      {"person_id", "person_id"},
      {"person.source.sourced_on", "sourced_on"},
      {"person.source", "source_kind"},
      {"person.source.kind", "source_kind"},
      {"person.source.organization", "source_kind"},
      {"person.source.recommended_by", "source_kind"},
      {"person.dues.category", "dues_category"},
      {"person.dues.base_amount_vnd", "dues_base_vnd"},
      {"existing_membership.admission_decision.number",
       "admission_decision_number"},
      {"existing_membership.admission_decision.signed_on",
       "admission_decision_date"},
      {"existing_membership.admission_decision.deciding_organization",
       "admission_deciding_organization"},
      {"existing_membership.ceremony_on", "ceremony_on"},
      {"existing_membership.official_on", "official_on"},
  };
  auto it = kColumns->find(std::string(field));
  if (it != kColumns->end()) return it->second;
  absl::string_view rest = field;
  if (absl::ConsumePrefix(&rest, "person.")) {
    for (const auto& c : PeopleColumns()) {
      if (absl::StartsWith(rest, c)) return c;
    }
  }
  return std::string(field);
}

// How RegisterPerson's refusals name the columns of a people row.
const RefusalColumns& PeopleRefusalColumns() {
  static const auto* const kColumns = new RefusalColumns{
      [](absl::string_view field, absl::string_view) {
        return ColumnOf(field);
      },
      "person.", "citizen_id", "person.citizen_id_unique", "organization"};
  return *kColumns;
}

std::vector<std::string> PersonRow(const v1::Person& p, bool sensitive) {
  const v1::Admission& a = p.admission();
  std::vector<std::string> row;
  row.reserve(PeopleColumns().size());
  for (const std::string& c : PeopleColumns()) {
    if (!sensitive && IsSensitiveColumn(c)) {
      row.emplace_back();
      continue;
    }
    std::string v;
    if (c == "person_id") {
      v = LastSegment(p.name());
    } else if (c == "citizen_id") {
      v = p.citizen_id();
    } else if (c == "full_name") {
      v = p.full_name();
    } else if (c == "date_of_birth") {
      v = CsvDate(p.date_of_birth());
    } else if (c == "gender") {
      v = CsvEnum(v1::Gender_descriptor(), "GENDER_", p.gender());
    } else if (c == "ethnicity") {
      v = p.ethnicity();
    } else if (c == "religion") {
      v = p.religion();
    } else if (c == "general_education") {
      v = CsvEnum(v1::GeneralEducation_descriptor(), "GENERAL_EDUCATION_",
                  p.general_education());
    } else if (c == "qualification") {
      v = CsvEnum(v1::Qualification_descriptor(), "QUALIFICATION_",
                  p.qualification());
    } else if (c == "occupation") {
      v = p.occupation();
    } else if (c == "workplace") {
      v = p.workplace();
    } else if (c == "categories") {
      std::vector<std::string> names;
      for (int cat : p.categories()) {
        names.push_back(
            CsvEnum(common::v1::Category_descriptor(), "CATEGORY_", cat));
      }
      v = absl::StrJoin(names, ";");
    } else if (c == "organization") {
      v = LastSegment(p.organization());
    } else if (c == "stage") {
      v = CsvEnum(common::v1::Stage_descriptor(), "STAGE_", p.stage());
    } else if (c == "sourced_on") {
      v = CsvDate(p.has_source() ? p.source().sourced_on()
                                 : a.source().sourced_on());
    } else if (c == "source_kind") {
      v = CsvEnum(v1::SourceKind_descriptor(), "SOURCE_KIND_",
                  p.has_source() ? p.source().kind() : a.source().kind());
    } else if (c == "admission_decision_number") {
      v = a.admission_decision().number();
    } else if (c == "admission_decision_date") {
      v = CsvDate(a.admission_decision().signed_on());
    } else if (c == "admission_deciding_organization") {
      v = LastSegment(a.admission_decision().deciding_organization());
    } else if (c == "ceremony_on") {
      v = CsvDate(a.ceremony_on());
    } else if (c == "official_on") {
      v = CsvDate(a.official_on());
    } else if (c == "party_card_number") {
      v = p.party_card_number();
    } else if (c == "dues_category") {
      v = CsvEnum(v1::DuesCategory_descriptor(), "DUES_CATEGORY_",
                  p.dues().category());
    } else if (c == "dues_base_vnd") {
      if (p.dues().base_amount_vnd() != 0) {
        v = absl::StrCat(p.dues().base_amount_vnd());
      }
    } else if (c == "phone") {
      v = p.phone();
    } else if (c == "email") {
      v = p.email();
    } else if (c == "residence_address") {
      v = p.residence_address();
    } else if (c == "place_of_origin") {
      v = p.place_of_origin();
    }
    row.push_back(std::move(v));
  }
  return row;
}

}  // namespace

AdministrationServiceImpl::AdministrationServiceImpl(
    std::shared_ptr<MembershipContext> context,
    std::shared_ptr<const domain::RuleSetRegistry> rule_sets)
    : context_(std::move(context)),
      runtime_(context_->runtime()),
      rule_sets_(std::move(rule_sets)),
      store_(runtime_.redis(), HashTaggedPrefix(runtime_.config().key_prefix)) {
}

grpc::ServerUnaryReactor* AdministrationServiceImpl::GetRuleSet(
    grpc::CallbackServerContext* context, const v1::GetRuleSetRequest* request,
    v1::RuleSet* response) {
  return runtime_.Unary(context, "GetRuleSet", [=](const CallContext&) {
    // "ruleSets/-" with a date: the one in force that day.
    absl::StatusOr<const v1::RuleSet*> found =
        request->name() == "ruleSets/-"
            ? rule_sets_->ForDate(request->effective_on(), "effective_on")
            : rule_sets_->Get(request->name());
    if (!found.ok()) return found.status();
    *response = **found;
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AdministrationServiceImpl::ListRuleSets(
    grpc::CallbackServerContext* context,
    const v1::ListRuleSetsRequest* request,
    v1::ListRuleSetsResponse* response) {
  return runtime_.Unary(context, "ListRuleSets", [=](const CallContext&) {
    absl::StatusOr<int> page_size = ResolvePageSize(request->page_size());
    if (!page_size.ok()) return page_size.status();
    const std::string fingerprint = RequestFingerprint(*request);
    absl::StatusOr<std::string> cursor =
        DecodePageToken(request->page_token(), fingerprint);
    if (!cursor.ok()) return cursor.status();
    int offset = 0;
    if (!cursor->empty() && !absl::SimpleAtoi(*cursor, &offset)) {
      return InvalidField("page_token", "malformed");
    }
    const auto& all = rule_sets_->rule_sets();
    for (int i = offset;
         i < static_cast<int>(all.size()) && i < offset + *page_size; ++i) {
      *response->add_rule_sets() = all[i];
    }
    response->set_total_size(static_cast<int>(all.size()));
    if (offset + *page_size < static_cast<int>(all.size())) {
      response->set_next_page_token(
          EncodePageToken(absl::StrCat(offset + *page_size), fingerprint));
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AdministrationServiceImpl::ListAuditEntries(
    grpc::CallbackServerContext* context,
    const v1::ListAuditEntriesRequest* request,
    v1::ListAuditEntriesResponse* response) {
  return runtime_.Unary(context, "ListAuditEntries",
                        [=](const CallContext& call) {
                          return AuditEntries(call, *request, *response);
                        });
}

grpc::ServerUnaryReactor* AdministrationServiceImpl::GetAuditEntry(
    grpc::CallbackServerContext* context,
    const v1::GetAuditEntryRequest* request, v1::AuditEntry* response) {
  return runtime_.Unary(context, "GetAuditEntry", [=](const CallContext& call) {
    return AuditEntry(call, *request, *response);
  });
}

absl::Status AdministrationServiceImpl::AuthorizeAuditRead(
    const CallContext& call, const std::string& id, const std::string& parent) {
  if (id == "-") {
    // Installation-wide changes (the working-day calendar).
    if (call.principal.HasRole(roles::kAdmin) &&
        call.principal.organization.empty()) {
      return absl::OkStatus();
    }
    return WithReason(absl::PermissionDeniedError(
                          "only installation admins read the installation's "
                          "audit entries (organizations/-)"),
                      "ROLE_REQUIRED");
  }
  absl::StatusOr<StoredOrganization> org = store_.Get(id);
  if (!org.ok()) return org.status();
  return RequireWithinSubtree(
      call.principal,
      {org->organization.path().begin(), org->organization.path().end()},
      parent);
}

absl::Status AdministrationServiceImpl::AuditEntries(
    const CallContext& call, const v1::ListAuditEntriesRequest& request,
    v1::ListAuditEntriesResponse& response) {
  const std::string id = OrganizationId(request.parent());
  if (id.empty()) {
    return InvalidField("parent", "is required (\"organizations/{id}\")");
  }
  if (!request.filter().empty()) {
    return InvalidField("filter",
                        "filtering audit entries is not supported yet; page "
                        "through them newest first");
  }
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) return page_size.status();
  if (absl::Status s = AuthorizeAuditRead(call, id, request.parent());
      !s.ok()) {
    return s;
  }
  const std::string fingerprint = RequestFingerprint(request);
  absl::StatusOr<std::string> cursor =
      DecodePageToken(request.page_token(), fingerprint);
  if (!cursor.ok()) return cursor.status();
  absl::StatusOr<std::vector<v1::AuditEntry>> entries = store_.AuditEntries(
      id, request.include_descendants(), *cursor, *page_size);
  if (!entries.ok()) return entries.status();
  for (auto& e : *entries) *response.add_audit_entries() = std::move(e);
  if (static_cast<int>(entries->size()) == *page_size) {
    const std::string& last = response.audit_entries().rbegin()->name();
    response.set_next_page_token(
        EncodePageToken(last.substr(last.rfind('/') + 1), fingerprint));
  }
  return absl::OkStatus();
}

absl::Status AdministrationServiceImpl::AuditEntry(
    const CallContext& call, const v1::GetAuditEntryRequest& request,
    v1::AuditEntry& response) {
  // organizations/{org}/auditEntries/{stream id}
  std::vector<std::string> parts = absl::StrSplit(request.name(), '/');
  if (parts.size() != 4 || parts[0] != "organizations" ||
      parts[2] != "auditEntries") {
    return InvalidField("name",
                        "must be organizations/{org}/auditEntries/{entry}");
  }
  if (absl::Status s = AuthorizeAuditRead(call, parts[1], request.name());
      !s.ok()) {
    return s;
  }
  absl::StatusOr<v1::AuditEntry> entry =
      store_.GetAuditEntry(parts[1], parts[3]);
  if (!entry.ok()) return entry.status();
  response = *std::move(entry);
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* AdministrationServiceImpl::GetWorkingDayCalendar(
    grpc::CallbackServerContext* context,
    const v1::GetWorkingDayCalendarRequest* request,
    v1::WorkingDayCalendar* response) {
  return runtime_.Unary(
      context, "GetWorkingDayCalendar", [=](const CallContext&) {
        absl::StatusOr<int> year = CalendarYearOf(request->name(), "name");
        if (!year.ok()) return year.status();
        if (absl::Status s = RefreshCalendar(*context_); !s.ok()) return s;
        absl::StatusOr<Stored<v1::WorkingDayCalendar>> stored =
            StoredCalendarYear(*context_, *year);
        if (!stored.ok()) return stored.status();
        for (const auto& y : context_->calendar().years()) {
          if (y.year() != *year) continue;
          *response = y;
          if (stored->version > 0) {
            response->set_etag(EtagOf(stored->version));
            *response->mutable_update_stamp() = stored->message.update_stamp();
          }
          return absl::OkStatus();
        }
        return absl::NotFoundError(
            absl::StrCat(request->name(),
                         " is not in the calendar: an admin adds it with "
                         "UpdateWorkingDayCalendar"));
      });
}

grpc::ServerUnaryReactor* AdministrationServiceImpl::UpdateWorkingDayCalendar(
    grpc::CallbackServerContext* context,
    const v1::UpdateWorkingDayCalendarRequest* request,
    v1::WorkingDayCalendar* response) {
  return runtime_.Unary(context, "UpdateWorkingDayCalendar",
                        [=](const CallContext& call) {
                          return UpdateCalendar(call, *request, *response);
                        });
}

absl::StatusOr<int> AdministrationServiceImpl::CalendarYearOf(
    absl::string_view name, absl::string_view field) {
  int year = 0;
  if (!absl::ConsumePrefix(&name, "workingDayCalendars/") ||
      !absl::SimpleAtoi(name, &year) || year < 1900 || year > 9999) {
    return InvalidField(field, "must be workingDayCalendars/{year}");
  }
  return year;
}

absl::Status AdministrationServiceImpl::UpdateCalendar(
    const CallContext& call, const v1::UpdateWorkingDayCalendarRequest& request,
    v1::WorkingDayCalendar& response) {
  // The calendar decides every working-day deadline of the installation:
  // only an installation admin changes it.
  if (!call.principal.HasRole(roles::kAdmin) ||
      !call.principal.organization.empty()) {
    return WithReason(
        absl::PermissionDeniedError("only an installation admin may change the "
                                    "working-day calendar"),
        "ROLE_REQUIRED");
  }
  absl::StatusOr<int> year =
      CalendarYearOf(request.calendar().name(), "calendar.name");
  if (!year.ok()) return year.status();
  static const std::set<std::string> kMaskable = {
      "weekend_days", "holidays", "make_up_working_days", "source"};
  if (request.update_mask().paths().empty()) {
    return InvalidField("update_mask", "is required");
  }
  for (const std::string& path : request.update_mask().paths()) {
    if (kMaskable.count(path) == 0) {
      return InvalidField("update_mask",
                          absl::StrCat("cannot update \"", path,
                                       "\"; allowed: weekend_days, holidays, "
                                       "make_up_working_days, source"));
    }
  }
  if (absl::Status s = RefreshCalendar(*context_); !s.ok()) return s;
  return IdempotentChange<v1::WorkingDayCalendar>(
      context_->redis(), context_->prefix(),
      MethodName("AdministrationService", "UpdateWorkingDayCalendar"),
      request.request_id(), request, response, [&](Change& change) {
        absl::StatusOr<Stored<v1::WorkingDayCalendar>> stored =
            StoredCalendarYear(*context_, *year);
        if (!stored.ok()) return stored.status();
        if (!request.calendar().etag().empty() &&
            request.calendar().etag() != EtagOf(stored->version)) {
          return WithReason(absl::AbortedError(absl::StrCat(
                                request.calendar().name(),
                                " changed since it was read: read it again")),
                            "CONCURRENT_CHANGE");
        }
        // Start from the year in force (an update, or the shipped file's),
        // or an empty year (allow_missing), and apply the masked fields.
        v1::WorkingDayCalendar year_calendar;
        for (const auto& y : context_->calendar().years()) {
          if (y.year() == *year) year_calendar = y;
        }
        year_calendar.set_name(CalendarName(*year));
        year_calendar.set_year(*year);
        for (const std::string& path : request.update_mask().paths()) {
          const v1::WorkingDayCalendar& in = request.calendar();
          if (path == "weekend_days") {
            *year_calendar.mutable_weekend_days() = in.weekend_days();
          } else if (path == "holidays") {
            *year_calendar.mutable_holidays() = in.holidays();
          } else if (path == "make_up_working_days") {
            *year_calendar.mutable_make_up_working_days() =
                in.make_up_working_days();
          } else if (path == "source") {
            *year_calendar.mutable_source() = in.source();
          }
        }
        year_calendar.clear_working_days();
        year_calendar.clear_etag();
        year_calendar.clear_update_stamp();
        // Validate the whole merged calendar (FromYears's rules: dates in
        // the year, holidays not on weekend days, weekdays 1..7).
        absl::StatusOr<domain::WorkingDayCalendar> merged =
            MergeCalendar(context_->shipped_calendar(), {year_calendar});
        if (!merged.ok()) {
          return InvalidField("calendar", merged.status().message());
        }
        for (const auto& y : merged->years()) {
          if (y.year() == *year) response = y;
        }
        const common::v1::ChangeStamp stamp =
            Stamp(call, request.request_id(), request.reason());
        *response.mutable_update_stamp() = stamp;
        response.set_etag(EtagOf(stored->version + 1));
        if (request.validate_only()) return absl::OkStatus();
        v1::WorkingDayCalendar record = year_calendar;
        *record.mutable_update_stamp() = stamp;
        context_->records().StagePut(change.write, record.name(),
                                     stored->version, record);
        change.write.ZAdd(CalendarIndexKey(context_->prefix()), 0,
                          record.name());
        // Installation-wide changes are audited under "organizations/-",
        // which installation admins read.
        change.journal.audit = NewAuditEntry(
            stamp,
            MethodName("AdministrationService", "UpdateWorkingDayCalendar"),
            record.name(), {},
            absl::StrCat("Cập nhật lịch ngày làm việc năm ", *year),
            stored->version > 0 ? EtagOf(stored->version) : "", "");
        change.journal.audit_organization_id = "-";
        return absl::OkStatus();
      });
}

// Reads the header and every chunk, then imports on the executor.
class AdministrationServiceImpl::ImportReactor final
    : public grpc::ServerReadReactor<v1::ImportCsvRequest> {
 public:
  ImportReactor(AdministrationServiceImpl& service,
                grpc::CallbackServerContext* context,
                v1::ImportCsvReport* response)
      : service_(service), response_(response) {
    absl::Status admitted =
        service_.runtime_.BeginCall(context, "ImportCsv", &call_);
    if (!admitted.ok()) {
      Fail(admitted);
      return;
    }
    StartRead(&message_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      // The client closed its side (or the call is gone: Import sees it).
      service_.runtime_.executor().Submit([this] {
        absl::Status status;
        if (call_.Cancelled()) {
          status = absl::CancelledError("the import was cancelled");
        } else if (!have_header_) {
          status =
              InvalidField("header", "the first message must be the header");
        } else {
          status = service_.Import(call_, header_, file_, *response_);
        }
        Finish(service_.runtime_.FinishCall(call_, status));
      });
      return;
    }
    if (!have_header_) {
      if (!message_.has_header()) {
        Fail(InvalidField("header", "the first message must be the header"));
        return;
      }
      header_ = message_.header();
      have_header_ = true;
    } else {
      if (message_.has_header()) {
        Fail(InvalidField("header", "only the first message is a header"));
        return;
      }
      if (message_.chunk().size() > kMaxChunkBytes) {
        Fail(InvalidField("chunk", "at most 1 MiB per chunk"));
        return;
      }
      if (file_.size() + message_.chunk().size() > kMaxImportBytes) {
        Fail(WithReason(absl::ResourceExhaustedError(
                            "the file is larger than 64 MiB: split it"),
                        "RESOURCE_EXHAUSTED"));
        return;
      }
      file_ += message_.chunk();
    }
    StartRead(&message_);
  }

  void OnDone() override { delete this; }

 private:
  void Fail(const absl::Status& status) {
    Finish(service_.runtime_.FinishCall(call_, status));
  }

  AdministrationServiceImpl& service_;
  v1::ImportCsvReport* const response_;
  CallContext call_;
  v1::ImportCsvRequest message_;
  v1::ImportCsvHeader header_;
  bool have_header_ = false;
  std::string file_;
};

grpc::ServerReadReactor<v1::ImportCsvRequest>*
AdministrationServiceImpl::ImportCsv(grpc::CallbackServerContext* context,
                                     v1::ImportCsvReport* response) {
  return new ImportReactor(*this, context, response);
}

absl::Status AdministrationServiceImpl::Import(
    const CallContext& call, const v1::ImportCsvHeader& header,
    absl::string_view file, v1::ImportCsvReport& report) {
  if (header.kind() == v1::IMPORT_KIND_UNSPECIFIED) {
    return InvalidField("header.kind", "is required");
  }
  absl::StatusOr<char> delimiter =
      CsvDelimiterOf(header.delimiter(), "header.delimiter");
  if (!delimiter.ok()) return delimiter.status();
  const std::string scope_name = header.organization();
  if (!absl::StartsWith(scope_name, "organizations/") ||
      LastSegment(scope_name).empty()) {
    return InvalidField("header.organization",
                        "is required (\"organizations/{id}\")");
  }
  absl::StatusOr<StoredOrganization> scope =
      context_->organizations().Get(LastSegment(scope_name));
  if (absl::IsNotFound(scope.status())) {
    return InvalidField("header.organization",
                        absl::StrCat(scope_name, " does not exist"));
  }
  if (!scope.ok()) return scope.status();
  if (absl::Status s = RequireWithinSubtree(call.principal,
                                            {scope->organization.path().begin(),
                                             scope->organization.path().end()},
                                            scope_name);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = RequireRecorder(call.principal, "import a roll");
      !s.ok()) {
    return s;
  }

  absl::StatusOr<std::vector<csv::Record>> records =
      csv::Parse(file, *delimiter);
  if (!records.ok()) {
    return InvalidField("chunk", records.status().message());
  }
  if (records->empty()) {
    return InvalidField("chunk",
                        "the file is empty: the first line must "
                        "name the columns");
  }
  report.set_kind(header.kind());
  report.set_validate_only(header.validate_only());
  *report.mutable_stamp() = Stamp(
      call, header.request_id().empty() ? call.request_id : header.request_id(),
      header.file_name());
  absl::Status imported;
  switch (header.kind()) {
    case v1::IMPORT_KIND_PEOPLE:
      imported =
          ImportPeople(call, header, scope->organization, *records, report);
      break;
    case v1::IMPORT_KIND_ORGANIZATIONS:
      imported = ImportOrganizations(*context_, call, header,
                                     scope->organization, *records, report);
      break;
    case v1::IMPORT_KIND_DUES_PAYMENTS:
      imported = ImportDuesPayments(context_, call, header, scope->organization,
                                    *records, report);
      break;
    default:
      return InvalidField("header.kind", "is not a kind of import");
  }
  if (!imported.ok()) return imported;
  context_->runtime().logger().Info(
      "csv_imported", {{"organization", scope_name},
                       {"kind", v1::ImportKind_Name(header.kind())},
                       {"file_name", header.file_name()},
                       {"validate_only", header.validate_only()},
                       {"rows_read", report.rows_read()},
                       {"rows_created", report.rows_created()},
                       {"rows_unchanged", report.rows_unchanged()},
                       {"rows_rejected", report.rows_rejected()}});
  return absl::OkStatus();
}

// IMPORT_KIND_PEOPLE: each row a CreatePerson (RegisterPerson), within
// `scope`; a person already registered in the row's organisation is
// unchanged.
absl::Status AdministrationServiceImpl::ImportPeople(
    const CallContext& call, const v1::ImportCsvHeader& header,
    const v1::Organization& scope, const std::vector<csv::Record>& records,
    v1::ImportCsvReport& report) {
  absl::StatusOr<std::map<std::string, int>> column_map =
      CsvColumnsOf(records[0].fields, PeopleColumns(), RequiredPeopleColumns(),
                   "IMPORT_KIND_PEOPLE");
  if (!column_map.ok()) return column_map.status();
  const std::map<std::string, int>& columns = *column_map;
  // Citizen ids and person ids of this file: a second row of the same
  // person is a mistake in the sheet, not a re-import.
  std::map<std::string, int64_t> citizen_lines;
  std::map<std::string, int64_t> person_lines;
  std::map<std::string, std::optional<StoredOrganization>> orgs;
  const std::string scope_path_name = scope.name();
  absl::Status imported = ForEachImportRow(
      records, columns, header.validate_only(),
      [&call] { return call.Cancelled(); }, report,
      [&](const csv::Record& record, const CsvRow& row,
          v1::RejectedRow& rejected) -> absl::StatusOr<ImportedRow> {
        rejected.set_label(row.Get("full_name"));
        v1::CreatePersonRequest request = ParsePersonRow(row, rejected);
        if (rejected.problems_size() > 0) {
          return ImportedRow::kRejected;
        }
        const v1::Person& in = request.person();

        // Within the header's organisation: the caller named where this file
        // belongs, a row elsewhere is a mistake even where she may write.
        const std::string org_id = LastSegment(in.organization());
        auto found = orgs.find(org_id);
        if (found == orgs.end()) {
          absl::StatusOr<StoredOrganization> org =
              context_->organizations().Get(org_id);
          if (!org.ok() && !absl::IsNotFound(org.status())) return org.status();
          found =
              orgs.emplace(org_id, org.ok() ? std::optional<StoredOrganization>(
                                                  *std::move(org))
                                            : std::nullopt)
                  .first;
        }
        if (!found->second.has_value()) {
          AddRowProblem(rejected, "organization", "import.organization_exists",
                        "no organisation has this id");
          return ImportedRow::kRejected;
        }
        const auto& path = found->second->organization.path();
        if (std::find(path.begin(), path.end(), scope_path_name) ==
            path.end()) {
          AddRowProblem(rejected, "organization", "import.within_header",
                        absl::StrCat("is not within ", scope_path_name,
                                     ", the organisation of this import"));
          return ImportedRow::kRejected;
        }

        if (!in.citizen_id().empty()) {
          auto [it, fresh] =
              citizen_lines.emplace(in.citizen_id(), record.line);
          if (!fresh) {
            AddRowProblem(
                rejected, "citizen_id", "person.citizen_id_unique",
                absl::StrCat("the same citizen identity number is on line ",
                             it->second));
            return ImportedRow::kRejected;
          }
        }
        if (!request.person_id().empty()) {
          auto [it, fresh] =
              person_lines.emplace(request.person_id(), record.line);
          if (!fresh) {
            AddRowProblem(
                rejected, "person_id", "import.person_id_unique",
                absl::StrCat("the same person_id is on line ", it->second));
            return ImportedRow::kRejected;
          }
        }

        // Already registered: unchanged when in the same organisation (the
        // re-import of a file); elsewhere it is a transfer, not an import.
        std::optional<std::string> registered;
        if (!request.person_id().empty()) {
          absl::StatusOr<StoredPerson> by_id = context_->people().Get(
              absl::StrCat("people/", request.person_id()));
          if (by_id.ok()) {
            registered = by_id->message.name();
            if (by_id->message.citizen_id() != in.citizen_id()) {
              AddRowProblem(rejected, "person_id", "import.person_id_matches",
                            "this person_id is registered with another citizen "
                            "identity number");
              return ImportedRow::kRejected;
            }
          } else if (!absl::IsNotFound(by_id.status())) {
            return by_id.status();
          }
        }
        if (!registered.has_value() && IsCitizenIdShape(in.citizen_id())) {
          absl::StatusOr<std::optional<std::string>> holder =
              context_->people().FindByCitizenId(in.citizen_id());
          if (!holder.ok()) return holder.status();
          registered = *holder;
        }
        if (registered.has_value()) {
          absl::StatusOr<StoredPerson> stored =
              context_->people().Get(*registered);
          if (!stored.ok()) return stored.status();
          if (stored->message.organization() != in.organization()) {
            AddRowProblem(rejected, "citizen_id", "person.citizen_id_unique",
                          "this person is already registered in another "
                          "organisation (a move is a transfer, not an import)");
            return ImportedRow::kRejected;
          }
          return ImportedRow::kUnchanged;
        }

        // The same row always gets the same request id, so that a retry of a
        // write whose answer was lost is answered, not repeated.
        request.set_validate_only(header.validate_only());
        request.set_request_id(absl::StrCat(
            "csv-", absl::BytesToHexString(RequestFingerprint(request))));
        v1::Person created;
        absl::Status status = RegisterPerson(*context_, call, request, created);
        if (status.ok()) return ImportedRow::kWritten;
        if (!RowProblemsOf(status, PeopleRefusalColumns(), rejected)) {
          return status;
        }
        return ImportedRow::kRejected;
      });
  if (!imported.ok()) return imported;
  return absl::OkStatus();
}

// Produces the file a chunk at a time on the executor, sending each chunk
// before reading the next page, so a large roll never sits in memory.
class AdministrationServiceImpl::ExportReactor final
    : public grpc::ServerWriteReactor<v1::ExportCsvChunk> {
 public:
  ExportReactor(AdministrationServiceImpl& service,
                grpc::CallbackServerContext* context,
                const v1::ExportCsvRequest* request)
      : service_(service), request_(*request) {
    absl::Status admitted =
        service_.runtime_.BeginCall(context, "ExportCsv", &call_);
    if (!admitted.ok()) {
      Done(admitted);
      return;
    }
    service_.runtime_.executor().Submit([this] {
      absl::Status status = Start();
      if (!status.ok()) {
        Done(status);
        return;
      }
      Next();
    });
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Done(absl::CancelledError("the client stopped reading the export"));
      return;
    }
    if (last_) {
      Done(absl::OkStatus());
      return;
    }
    service_.runtime_.executor().Submit([this] { Next(); });
  }

  void OnDone() override { delete this; }

 private:
  absl::Status Start() {
    const std::string& name = request_.organization();
    if (!absl::StartsWith(name, "organizations/") ||
        LastSegment(name).empty()) {
      return InvalidField("organization",
                          "is required (\"organizations/{id}\")");
    }
    if (request_.kind() == v1::EXPORT_KIND_UNSPECIFIED) {
      return InvalidField("kind", "is required");
    }
    absl::StatusOr<char> delimiter =
        CsvDelimiterOf(request_.delimiter(), "delimiter");
    if (!delimiter.ok()) return delimiter.status();
    delimiter_ = *delimiter;
    const bool list = IsCsvListExport(request_.kind());
    if (!list && request_.kind() != v1::EXPORT_KIND_PEOPLE &&
        request_.kind() != v1::EXPORT_KIND_ORGANIZATIONS) {
      return InvalidField("kind", "is not a kind of export");
    }
    if (!list && !request_.filter().empty()) {
      return InvalidField("filter", "filtering an export is not supported yet");
    }
    if (!list && !IsUnset(request_.as_of()) &&
        CivilDayOf(request_.as_of()) != CivilDayOf(Today())) {
      return InvalidField("as_of", "only today's roll is exported yet");
    }
    MembershipContext& context = *service_.context_;
    absl::StatusOr<StoredOrganization> root =
        context.organizations().Get(LastSegment(name));
    if (absl::IsNotFound(root.status())) {
      return InvalidField("organization",
                          absl::StrCat(name, " does not exist"));
    }
    if (!root.ok()) return root.status();
    if (absl::Status s =
            RequireWithinSubtree(call_.principal,
                                 {root->organization.path().begin(),
                                  root->organization.path().end()},
                                 name);
        !s.ok()) {
      return s;
    }
    if (request_.include_sensitive() &&
        !call_.principal.HasRole(roles::kPersonalData) &&
        !call_.principal.HasRole(roles::kAdmin)) {
      return WithReason(
          absl::PermissionDeniedError(
              "exporting the sensitive columns (citizen id, date of birth, "
              "contacts...) needs the role personal_data"),
          "ROLE_REQUIRED");
    }
    sensitive_ = request_.include_sensitive();
    const std::string slug = FileSlug(root->organization.display_name().empty()
                                          ? LastSegment(name)
                                          : root->organization.display_name());
    if (list) {
      absl::StatusOr<CsvListExport> started =
          StartCsvListExport(service_.context_, call_, request_);
      if (!started.ok()) return started.status();
      source_ = std::move(started->source);
      const int year = request_.year() == 0 ? Today().year() : request_.year();
      chunk_.set_file_name(absl::StrCat(
          started->file_word, "_", slug, "_", year,
          request_.month() == 0 ? ""
                                : absl::StrFormat("-%02d", request_.month()),
          ".csv"));
      std::string head(csv::kUtf8Bom);
      csv::AppendRow(started->columns, delimiter_, head);
      chunk_.set_data(std::move(head));
      return absl::OkStatus();
    }
    orgs_.push_back(root->organization);
    if (request_.include_descendants()) {
      std::string after;
      while (true) {
        absl::StatusOr<OrganizationPage> page =
            context.organizations().ListSubtree(PathKey(root->organization),
                                                after, 1000);
        if (!page.ok()) return page.status();
        for (auto& o : page->organizations) {
          orgs_.push_back(std::move(o.organization));
        }
        if (page->next_cursor.empty()) break;
        after = page->next_cursor;
      }
    }
    for (const auto& o : orgs_) org_ids_.push_back(LastSegment(o.name()));
    const bool people = request_.kind() == v1::EXPORT_KIND_PEOPLE;
    chunk_.set_file_name(absl::StrCat(people ? "dang-vien_" : "to-chuc_", slug,
                                      "_", CsvDate(Today()), ".csv"));
    std::string head(csv::kUtf8Bom);
    csv::AppendRow(people ? PeopleColumns() : OrganizationColumns(), delimiter_,
                   head);
    chunk_.set_data(std::move(head));
    return absl::OkStatus();
  }

  // Fills the next chunk and sends it.
  void Next() {
    if (call_.Cancelled()) {
      Done(absl::CancelledError("the export was cancelled"));
      return;
    }
    // The first chunk already holds the header line and the file name.
    if (sent_first_) chunk_.Clear();
    std::string data = std::move(*chunk_.mutable_data());
    int64_t rows = 0;
    bool exhausted = false;
    if (source_ != nullptr) {
      while (data.size() < kExportChunkBytes && !exhausted) {
        CsvRows page;
        absl::StatusOr<bool> more = source_->Next(page);
        if (!more.ok()) {
          Done(more.status());
          return;
        }
        for (const auto& row : page) {
          csv::AppendRow(row, delimiter_, data);
          ++rows;
        }
        exhausted = !*more;
      }
    } else if (request_.kind() == v1::EXPORT_KIND_ORGANIZATIONS) {
      for (; next_org_ < orgs_.size() && data.size() < kExportChunkBytes;
           ++next_org_) {
        csv::AppendRow(OrganizationRow(orgs_[next_org_]), delimiter_, data);
        ++rows;
      }
      exhausted = next_org_ >= orgs_.size();
    } else {
      MembershipContext& context = *service_.context_;
      while (data.size() < kExportChunkBytes && !exhausted) {
        absl::StatusOr<PersonIdPage> page = context.people().Page(
            org_ids_, Roll::kHome, cursor_, "", kExportPageSize);
        if (!page.ok()) {
          Done(page.status());
          return;
        }
        std::vector<std::string> names;
        for (const auto& id : page->ids) names.push_back("people/" + id);
        absl::StatusOr<std::vector<StoredPerson>> people =
            context.people().GetMany(names);
        if (!people.ok()) {
          Done(people.status());
          return;
        }
        for (const auto& p : *people) {
          csv::AppendRow(PersonRow(p.message, sensitive_), delimiter_, data);
          ++rows;
        }
        exhausted = page->next_cursor.empty() ||
                    static_cast<int>(page->ids.size()) < kExportPageSize;
        cursor_ = page->next_cursor;
      }
    }
    total_rows_ += rows;
    chunk_.set_data(std::move(data));
    chunk_.set_rows(rows);
    if (exhausted) {
      chunk_.set_total_rows(total_rows_);
      last_ = true;
    }
    // The chunk stays untouched until OnWriteDone: the next one is built
    // only after it is sent. Nothing of `this` is touched after StartWrite:
    // OnWriteDone may finish and delete the reactor on another thread.
    sent_first_ = true;
    StartWrite(&chunk_);
  }

  void Done(const absl::Status& status) {
    Finish(service_.runtime_.FinishCall(call_, status));
  }

  AdministrationServiceImpl& service_;
  const v1::ExportCsvRequest request_;
  CallContext call_;
  char delimiter_ = ',';
  bool sensitive_ = false;
  std::vector<v1::Organization> orgs_;
  std::vector<std::string> org_ids_;
  // The rows of a list or report (csv_exports.h), read a page at a time.
  std::unique_ptr<CsvRowSource> source_;
  size_t next_org_ = 0;
  std::string cursor_;
  int64_t total_rows_ = 0;
  bool last_ = false;
  bool sent_first_ = false;
  v1::ExportCsvChunk chunk_;
};

grpc::ServerWriteReactor<v1::ExportCsvChunk>*
AdministrationServiceImpl::ExportCsv(grpc::CallbackServerContext* context,
                                     const v1::ExportCsvRequest* request) {
  return new ExportReactor(*this, context, request);
}

}  // namespace partydev::membership
