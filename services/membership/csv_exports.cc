#include "services/membership/csv_exports.h"

#include <functional>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/dates.h"
#include "common/errors.h"
#include "google/protobuf/util/time_util.h"
#include "partydev/membership/v1/classification.pb.h"
#include "partydev/membership/v1/dues.pb.h"
#include "partydev/membership/v1/organizations.pb.h"
#include "partydev/membership/v1/warnings.pb.h"
#include "services/membership/cell_life_records.h"
#include "services/membership/cell_life_service.h"
#include "services/membership/classification_service.h"
#include "services/membership/csv_rows.h"
#include "services/membership/organization_service.h"
#include "services/membership/person_store.h"

namespace partydev::membership {
namespace {

// The lists are read in their largest pages.
constexpr int kListPageSize = 1000;

// Reads one page of a list: from `token`, appends the page's rows and
// returns the next page's token ("" after the last page).
using PageReader =
    std::function<absl::StatusOr<std::string>(const std::string&, CsvRows&)>;

class PagedSource final : public CsvRowSource {
 public:
  explicit PagedSource(PageReader read) : read_(std::move(read)) {}

  absl::StatusOr<bool> Next(CsvRows& rows) override {
    absl::StatusOr<std::string> next = read_(token_, rows);
    if (!next.ok()) return next.status();
    token_ = *std::move(next);
    return !token_.empty();
  }

 private:
  const PageReader read_;
  std::string token_;
};

// The PageReader of a paged list: `base` is the request without its paging;
// `list` answers one page (the RPC's own code, with its checks); `rows_of`
// appends the rows of a page. Every export of a list reads through it.
template <typename Request, typename Response>
PageReader ListPages(
    Request base, std::function<absl::Status(const Request&, Response&)> list,
    std::function<absl::Status(const Response&, CsvRows&)> rows_of) {
  return [base = std::move(base), list = std::move(list),
          rows_of = std::move(rows_of)](
             const std::string& token,
             CsvRows& rows) -> absl::StatusOr<std::string> {
    Request request = base;
    request.set_page_size(kListPageSize);
    request.set_page_token(token);
    Response page;
    if (absl::Status s = list(request, page); !s.ok()) return s;
    if (absl::Status s = rows_of(page, rows); !s.ok()) return s;
    return page.next_page_token();
  };
}

std::string Months(const google::protobuf::RepeatedPtrField<v1::YearMonth>& m) {
  std::vector<std::string> out;
  for (const v1::YearMonth& ym : m)
    out.push_back(CsvMonth(ym.year(), ym.month()));
  return absl::StrJoin(out, " ");
}

std::string Percent(double value) { return absl::StrFormat("%.1f", value); }

// A count of đồng; "" for 0 where 0 means withheld (a payment is > 0).
std::string AmountOrEmpty(int64_t vnd) {
  return vnd == 0 ? "" : absl::StrCat(vnd);
}

std::vector<std::string> MeetingLifeCells(const v1::MeetingLifeRow& row) {
  return {row.organization(),
          row.display_name(),
          absl::StrCat(row.regular_expected()),
          absl::StrCat(row.regular_held()),
          Months(row.months_not_held()),
          absl::StrCat(row.thematic_expected()),
          absl::StrCat(row.thematic_held()),
          Percent(row.thematic_share_percent()),
          absl::StrCat(row.held_without_quorum()),
          Percent(row.attendance_rate_percent()),
          absl::StrCat(row.attended_by_superiors()),
          absl::StrCat(row.superior_officials()),
          absl::StrCat(row.warnings_reminder()),
          absl::StrCat(row.warnings_follow_up()),
          absl::StrCat(row.warnings_removal_proposal()),
          absl::StrCat(row.dues_expected_vnd()),
          absl::StrCat(row.dues_collected_vnd()),
          absl::StrCat(row.dues_remitted_vnd())};
}

// ReportMeetingLife: a row per cell, then the subtree's total.
CsvListExport MeetingLife(std::shared_ptr<MembershipContext> context,
                          const CallContext& call, int year, int month,
                          const std::string& organization) {
  v1::ReportMeetingLifeRequest request;
  request.set_organization(organization);
  request.mutable_period()->set_year(year);
  request.mutable_period()->set_month(month);
  PageReader read =
      ListPages<v1::ReportMeetingLifeRequest, v1::MeetingLifeReport>(
          std::move(request),
          [context, call](const v1::ReportMeetingLifeRequest& q,
                          v1::MeetingLifeReport& page) {
            return BuildMeetingLifeReport(*context, call, q, page);
          },
          [](const v1::MeetingLifeReport& page, CsvRows& rows) {
            for (const v1::MeetingLifeRow& row : page.cells()) {
              rows.push_back(MeetingLifeCells(row));
            }
            if (page.next_page_token().empty()) {
              rows.push_back(MeetingLifeCells(page.total()));
            }
            return absl::OkStatus();
          });
  return {
      {"organization", "display_name", "regular_expected", "regular_held",
       "months_not_held", "thematic_expected", "thematic_held",
       "thematic_share_percent", "held_without_quorum",
       "attendance_rate_percent", "attended_by_superiors", "superior_officials",
       "warnings_reminder", "warnings_follow_up", "warnings_removal_proposal",
       "dues_expected_vnd", "dues_collected_vnd", "dues_remitted_vnd"},
      "sinh-hoat-chi-bo",
      std::make_unique<PagedSource>(std::move(read))};
}

// ListDuesPayments of every person of the subtree, in the import columns.
CsvListExport DuesPayments(std::shared_ptr<MembershipContext> context,
                           const CallContext& call,
                           const v1::ExportCsvRequest& export_request,
                           int year) {
  auto cell_life = std::make_shared<CellLifeServiceImpl>(context);
  v1::ListDuesPaymentsRequest request;
  request.set_parent("people/-");
  request.set_organization(export_request.organization());
  request.set_year(year);
  request.set_filter(export_request.filter());
  const bool sensitive = export_request.include_sensitive();
  PageReader read =
      ListPages<v1::ListDuesPaymentsRequest, v1::ListDuesPaymentsResponse>(
          std::move(request),
          [cell_life, call](const v1::ListDuesPaymentsRequest& q,
                            v1::ListDuesPaymentsResponse& page) {
            return cell_life->DoListDuesPayments(call, q, page);
          },
          [context, sensitive](const v1::ListDuesPaymentsResponse& page,
                               CsvRows& rows) -> absl::Status {
            auto payer = [](const v1::DuesPayment& p) {
              return p.name().substr(0, p.name().find("/duesPayments/"));
            };
            // The citizen ids of the page's payers, for a caller allowed them.
            std::map<std::string, std::string> citizen_ids;
            if (sensitive) {
              std::vector<std::string> payers;
              for (const v1::DuesPayment& p : page.dues_payments()) {
                payers.push_back(payer(p));
              }
              absl::StatusOr<std::vector<StoredPerson>> people =
                  context->people().GetMany(payers);
              if (!people.ok()) return people.status();
              for (const StoredPerson& p : *people) {
                citizen_ids[p.message.name()] = p.message.citizen_id();
              }
            }
            for (const v1::DuesPayment& p : page.dues_payments()) {
              const std::string person = payer(p);
              rows.push_back({LastSegment(person), citizen_ids[person],
                              CsvMonth(p.month().year(), p.month().month()),
                              AmountOrEmpty(p.amount_paid_vnd()),
                              CsvDate(p.paid_on()), p.note()});
            }
            return absl::OkStatus();
          });
  return {{"person_id", "citizen_id", "month", "amount_paid_vnd", "paid_on",
           "note"},
          "dang-phi",
          std::make_unique<PagedSource>(std::move(read))};
}

// ListDuesCollections of every cell of the subtree.
CsvListExport DuesCollections(std::shared_ptr<MembershipContext> context,
                              const CallContext& call,
                              const v1::ExportCsvRequest& export_request,
                              int year) {
  auto cell_life = std::make_shared<CellLifeServiceImpl>(context);
  v1::ListDuesCollectionsRequest request;
  request.set_parent(export_request.organization());
  request.set_include_descendants(true);
  request.set_year(year);
  request.set_filter(export_request.filter());
  PageReader read = ListPages<v1::ListDuesCollectionsRequest,
                              v1::ListDuesCollectionsResponse>(
      std::move(request),
      [cell_life, call](const v1::ListDuesCollectionsRequest& q,
                        v1::ListDuesCollectionsResponse& page) {
        return cell_life->DoListDuesCollections(call, q, page);
      },
      [](const v1::ListDuesCollectionsResponse& page, CsvRows& rows) {
        for (const v1::DuesCollection& c : page.dues_collections()) {
          std::vector<std::string> unpaid;
          for (const std::string& p : c.unpaid_members()) {
            unpaid.push_back(LastSegment(p));
          }
          const v1::DuesRemittance& r = c.remittance();
          const bool remitted = c.has_remittance();
          rows.push_back(
              {LastSegment(
                   c.name().substr(0, c.name().find("/duesCollections/"))),
               CsvMonth(c.month().year(), c.month().month()),
               absl::StrCat(c.members_due()), absl::StrCat(c.members_paid()),
               absl::StrCat(c.expected_vnd()), absl::StrCat(c.collected_vnd()),
               absl::StrJoin(unpaid, ";"),
               CsvEnum(v1::DuesCollectionState_descriptor(),
                       "DUES_COLLECTION_STATE_", c.state()),
               remitted ? absl::StrCat(r.amount_remitted_vnd()) : "",
               remitted ? absl::StrCat(r.amount_retained_vnd()) : "",
               CsvDate(r.remitted_on()), LastSegment(r.to_organization()),
               r.receipt_number()});
        }
        return absl::OkStatus();
      });
  return {{"organization", "month", "members_due", "members_paid",
           "expected_vnd", "collected_vnd", "unpaid_members", "state",
           "amount_remitted_vnd", "amount_retained_vnd", "remitted_on",
           "to_organization", "receipt_number"},
          "thu-dang-phi",
          std::make_unique<PagedSource>(std::move(read))};
}

// ListMemberAttendanceRates of the subtree, lowest rate first.
CsvListExport AttendanceRates(std::shared_ptr<MembershipContext> context,
                              const CallContext& call, int year, int month,
                              const std::string& organization) {
  auto cell_life = std::make_shared<CellLifeServiceImpl>(context);
  v1::ListMemberAttendanceRatesRequest request;
  request.set_organization(organization);
  request.mutable_period()->set_year(year);
  request.mutable_period()->set_month(month);
  PageReader read = ListPages<v1::ListMemberAttendanceRatesRequest,
                              v1::ListMemberAttendanceRatesResponse>(
      std::move(request),
      [cell_life, call](const v1::ListMemberAttendanceRatesRequest& q,
                        v1::ListMemberAttendanceRatesResponse& page) {
        return cell_life->DoListMemberAttendanceRates(call, q, page);
      },
      [](const v1::ListMemberAttendanceRatesResponse& page, CsvRows& rows) {
        for (const v1::MemberAttendanceRate& r : page.rates()) {
          rows.push_back({LastSegment(r.person()), r.full_name(),
                          LastSegment(r.organization()),
                          absl::StrCat(r.expected()), absl::StrCat(r.present()),
                          absl::StrCat(r.excused()), absl::StrCat(r.absent()),
                          Percent(r.rate_percent()),
                          Months(r.absent_months())});
        }
        return absl::OkStatus();
      });
  return {{"person_id", "full_name", "organization", "expected", "present",
           "excused", "absent", "rate_percent", "absent_months"},
          "chuyen-can",
          std::make_unique<PagedSource>(std::move(read))};
}

// ListEarlyWarnings of every member of the subtree.
CsvListExport EarlyWarnings(std::shared_ptr<MembershipContext> context,
                            const CallContext& call,
                            const v1::ExportCsvRequest& export_request,
                            int year) {
  auto cell_life = std::make_shared<CellLifeServiceImpl>(context);
  v1::ListEarlyWarningsRequest request;
  request.set_parent("people/-");
  request.set_organization(export_request.organization());
  request.set_year(year);
  request.set_filter(export_request.filter());
  PageReader read =
      ListPages<v1::ListEarlyWarningsRequest, v1::ListEarlyWarningsResponse>(
          std::move(request),
          [cell_life, call](const v1::ListEarlyWarningsRequest& q,
                            v1::ListEarlyWarningsResponse& page) {
            return cell_life->DoListEarlyWarnings(call, q, page);
          },
          [](const v1::ListEarlyWarningsResponse& page, CsvRows& rows) {
            for (const v1::EarlyWarning& w : page.early_warnings()) {
              std::vector<std::string> more;
              for (int c : w.additional_causes()) {
                more.push_back(CsvEnum(v1::WarningCause_descriptor(),
                                       "WARNING_CAUSE_", c));
              }
              rows.push_back({LastSegment(w.name()),
                              LastSegment(w.name().substr(
                                  0, w.name().find("/earlyWarnings/"))),
                              LastSegment(w.organization()),
                              absl::StrCat(w.year()),
                              CsvEnum(v1::WarningLevel_descriptor(),
                                      "WARNING_LEVEL_", w.level()),
                              CsvEnum(v1::WarningCause_descriptor(),
                                      "WARNING_CAUSE_", w.cause()),
                              absl::StrJoin(more, ";"), Months(w.months()),
                              CsvEnum(v1::WarningState_descriptor(),
                                      "WARNING_STATE_", w.state()),
                              CsvEnum(v1::WarningResolution_descriptor(),
                                      "WARNING_RESOLUTION_", w.resolution()),
                              absl::StrCat(w.follow_ups_size()),
                              w.raise_stamp().has_time()
                                  ? google::protobuf::util::TimeUtil::ToString(
                                        w.raise_stamp().time())
                                  : "",
                              w.rule_set()});
            }
            return absl::OkStatus();
          });
  return {{"warning_id", "person_id", "organization", "year", "level", "cause",
           "additional_causes", "months", "state", "resolution", "follow_ups",
           "raised_at", "rule_set"},
          "canh-bao-som",
          std::make_unique<PagedSource>(std::move(read))};
}

// CountPeople with a row per direct child (each covering its subtree),
// then the organisation's total: one page.
std::vector<std::string> PeopleCountCells(const v1::OrganizationTally& t) {
  return {LastSegment(t.organization()),
          t.display_name(),
          absl::StrCat(t.members()),
          absl::StrCat(t.official_members()),
          absl::StrCat(t.probationary_members()),
          absl::StrCat(t.candidates()),
          absl::StrCat(t.exempt_members()),
          absl::StrCat(t.hosted_temporary_members())};
}

CsvListExport PeopleCounts(std::shared_ptr<MembershipContext> context,
                           const CallContext& call,
                           const v1::ExportCsvRequest& export_request) {
  auto organizations = std::make_shared<OrganizationServiceImpl>(context);
  PageReader read = [organizations, call, export_request](
                        const std::string&,
                        CsvRows& rows) -> absl::StatusOr<std::string> {
    v1::CountPeopleRequest request;
    request.set_organization(export_request.organization());
    request.set_include_descendants(true);
    request.set_per_child(true);
    if (!IsUnset(export_request.as_of())) {
      *request.mutable_as_of() = export_request.as_of();
    }
    v1::PeopleCounts counts;
    if (absl::Status s = organizations->Count(call, request, counts); !s.ok()) {
      return s;
    }
    for (const v1::OrganizationTally& t : counts.children()) {
      rows.push_back(PeopleCountCells(t));
    }
    rows.push_back(PeopleCountCells(counts.total()));
    return std::string();
  };
  return {{"organization", "display_name", "members", "official_members",
           "probationary_members", "candidates", "exempt_members",
           "hosted_temporary_members"},
          "so-luong-dang-vien",
          std::make_unique<PagedSource>(std::move(read))};
}

// ListMemberClassifications of every member of the subtree, the year.
CsvListExport MemberClassifications(std::shared_ptr<MembershipContext> context,
                                    const CallContext& call,
                                    const v1::ExportCsvRequest& export_request,
                                    int year) {
  auto classification = std::make_shared<ClassificationServiceImpl>(context);
  v1::ListMemberClassificationsRequest request;
  request.set_parent("people/-");
  request.set_organization(export_request.organization());
  request.set_year(year);
  request.set_filter(export_request.filter());
  PageReader read = ListPages<v1::ListMemberClassificationsRequest,
                              v1::ListMemberClassificationsResponse>(
      std::move(request),
      [classification, call](const v1::ListMemberClassificationsRequest& q,
                             v1::ListMemberClassificationsResponse& page) {
        return classification->DoListMemberClassifications(call, q, page);
      },
      [](const v1::ListMemberClassificationsResponse& page, CsvRows& rows) {
        for (const v1::MemberClassification& c : page.classifications()) {
          rows.push_back(
              {LastSegment(
                   c.name().substr(0, c.name().find("/classifications/"))),
               LastSegment(c.organization()), absl::StrCat(c.year()),
               c.classified() ? "true" : "false",
               CsvEnum(v1::NotClassifiedReason_descriptor(),
                       "NOT_CLASSIFIED_REASON_", c.not_classified_reason()),
               absl::StrFormat("%.1f", c.score()),
               c.all_tasks_completed() ? "true" : "false",
               CsvEnum(v1::QualityLevel_descriptor(), "QUALITY_LEVEL_",
                       c.computed_level()),
               CsvEnum(v1::QualityLevel_descriptor(), "QUALITY_LEVEL_",
                       c.level()),
               CsvEnum(v1::ClassificationState_descriptor(),
                       "CLASSIFICATION_STATE_", c.state()),
               c.decision().number(), CsvDate(c.decision().signed_on()),
               c.rule_set()});
        }
        return absl::OkStatus();
      });
  return {{"person_id", "organization", "year", "classified",
           "not_classified_reason", "score", "all_tasks_completed",
           "computed_level", "level", "state", "decision_number",
           "decision_date", "rule_set"},
          "xep-loai-dang-vien",
          std::make_unique<PagedSource>(std::move(read))};
}

}  // namespace

bool IsCsvListExport(v1::ExportKind kind) {
  switch (kind) {
    case v1::EXPORT_KIND_MEETING_LIFE:
    case v1::EXPORT_KIND_DUES_PAYMENTS:
    case v1::EXPORT_KIND_DUES_COLLECTIONS:
    case v1::EXPORT_KIND_ATTENDANCE_RATES:
    case v1::EXPORT_KIND_EARLY_WARNINGS:
    case v1::EXPORT_KIND_PEOPLE_COUNTS:
    case v1::EXPORT_KIND_MEMBER_CLASSIFICATIONS:
      return true;
    default:
      return false;
  }
}

absl::StatusOr<CsvListExport> StartCsvListExport(
    std::shared_ptr<MembershipContext> context, const CallContext& call,
    const v1::ExportCsvRequest& request) {
  const int year = request.year() == 0 ? Today().year() : request.year();
  switch (request.kind()) {
    case v1::EXPORT_KIND_MEETING_LIFE:
    case v1::EXPORT_KIND_ATTENDANCE_RATES:
      if (!request.filter().empty()) {
        return InvalidField("filter", "a report is not filtered");
      }
      return request.kind() == v1::EXPORT_KIND_MEETING_LIFE
                 ? MeetingLife(context, call, year, request.month(),
                               request.organization())
                 : AttendanceRates(context, call, year, request.month(),
                                   request.organization());
    case v1::EXPORT_KIND_DUES_PAYMENTS:
      return DuesPayments(context, call, request, year);
    case v1::EXPORT_KIND_DUES_COLLECTIONS:
      return DuesCollections(context, call, request, year);
    case v1::EXPORT_KIND_EARLY_WARNINGS:
      return EarlyWarnings(context, call, request, year);
    case v1::EXPORT_KIND_MEMBER_CLASSIFICATIONS:
      return MemberClassifications(context, call, request, year);
    case v1::EXPORT_KIND_PEOPLE_COUNTS:
      if (!request.filter().empty()) {
        return InvalidField("filter", "the counts are not filtered");
      }
      return PeopleCounts(context, call, request);
    default:
      return absl::UnimplementedError(
          absl::StrCat(v1::ExportKind_Name(request.kind()),
                       " is not exported by the cell-life lists"));
  }
}

}  // namespace partydev::membership
