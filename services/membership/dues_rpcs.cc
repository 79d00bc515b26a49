// Party dues (đảng phí) of CellLifeService: payments per member and month,
// the yearly statement with arrears, the cell's monthly collection and its
// remittance upward (dues.proto; cell_life_records.h "Dues"). The rules
// are in domain/dues.h; this file reads, authorises and stores.

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/authorization.h"
#include "common/dates.h"
#include "common/errors.h"
#include "common/filters.h"
#include "common/paging.h"
#include "services/membership/cell_life_records.h"
#include "services/membership/cell_life_service.h"
#include "services/membership/domain/dues.h"
#include "services/membership/organization_tree.h"
#include "services/membership/person_service.h"

namespace partydev::membership {
namespace {

using common::v1::Date;

constexpr absl::string_view kService = "CellLifeService";
constexpr absl::string_view kDuesPayments = "duesPayments";
constexpr absl::string_view kDuesStatements = "duesStatements";
constexpr absl::string_view kDuesCollections = "duesCollections";
// The first year of dues records (as classification_service.cc's records).
constexpr int kFirstYear = 2000;
// People read per page of a roll.
constexpr int kRollPage = 1000;

int MonthIndex(int year, int month) { return year * 12 + month - 1; }

// "organizations/{org}/duesCollections/{YYYY-MM}" split and checked: the
// organisation and the month; empty organisation on error. (A person's
// records split with SplitPersonRecordName, cell_life_records.h.)
struct CollectionRef {
  std::string organization;
  std::optional<v1::YearMonth> month;
};
std::optional<v1::YearMonth> CheckMonthId(FieldChecker& check,
                                          const std::string& id,
                                          absl::string_view field);
CollectionRef SplitCollectionName(FieldChecker& check,
                                  const std::string& name) {
  constexpr absl::string_view kForm =
      "organizations/{org}/duesCollections/{YYYY-MM}";
  std::vector<std::string> parts = absl::StrSplit(name, '/');
  if (parts.size() != 4 || parts[0] != "organizations" ||
      !IsValidResourceId(parts[1]) || parts[2] != kDuesCollections) {
    check.Add("name",
              absl::StrCat("\"", name, "\" is not a name of the form \"", kForm,
                           "\""));
    return {};
  }
  return {absl::StrCat(parts[0], "/", parts[1]),
          CheckMonthId(check, parts[3], "name")};
}

// "YYYY-MM" of a dues month, checked: none before kFirstYear, none after
// December of next year (an advance payment is for the months ahead, not
// for years).
std::optional<v1::YearMonth> CheckMonthId(FieldChecker& check,
                                          const std::string& id,
                                          absl::string_view field) {
  std::optional<v1::YearMonth> ym = ParseYearMonthId(id);
  if (!ym.has_value() || ym->year() < kFirstYear ||
      ym->year() > Today().year() + 1) {
    check.Add(field,
              absl::StrCat("\"", id, "\" is not a month \"YYYY-MM\" from ",
                           kFirstYear, " to ", Today().year() + 1));
    return std::nullopt;
  }
  return ym;
}

std::string PaymentName(const std::string& person, int year, int month) {
  return absl::StrCat(person, "/", kDuesPayments, "/",
                      YearMonthId(year, month));
}

std::string CollectionName(const std::string& org, int year, int month) {
  return absl::StrCat(org, "/", kDuesCollections, "/",
                      YearMonthId(year, month));
}

// The rule set a month's dues are judged by (domain::ReferenceDay).
absl::StatusOr<const v1::RuleSet*> RulesOfMonth(MembershipContext& context,
                                                int year, int month) {
  return context.rules()(domain::ReferenceDay(year, month));
}

// The cell a member's dues count for: the host of a temporary transfer
// when the rule set says members pay there, else the home cell.
std::string PayingOrganization(const v1::Person& person,
                               const v1::RuleSet& rules) {
  if (!person.host_organization().empty() &&
      rules.dues().temporary_members_pay_at_host()) {
    return person.host_organization();
  }
  return person.organization();
}

// What decides `person`'s dues: membership from the latest admission
// decision (a re-admitted member owes from it) to the departure, party age
// with its gaps (PartyAgeOf), the dues profile.
absl::StatusOr<domain::MemberDuesFacts> DuesFactsOf(MembershipContext& context,
                                                    const v1::Person& person,
                                                    const Date& today) {
  domain::MemberDuesFacts facts;
  facts.profile = person.dues();
  if (IsUnset(person.first_admitted_on())) return facts;
  facts.first_admitted_on = person.first_admitted_on();
  const Date& decided = person.admission().admission_decision().signed_on();
  facts.member_from = IsUnset(decided) ? person.first_admitted_on() : decided;
  if (person.has_departure() && !IsUnset(person.departure().left_on())) {
    facts.member_until = person.departure().left_on();
  }
  absl::StatusOr<v1::PartyAge> age = PartyAgeOf(context, person, today, {});
  if (!age.ok()) return age.status();
  facts.gaps.assign(age->gaps().begin(), age->gaps().end());
  return facts;
}

// One month of a statement: what is owed, what `payment` (if any) paid.
// Adds the rule set's name to `rule_sets` once.
absl::StatusOr<v1::DuesStatementMonth> StatementMonth(
    MembershipContext& context, const domain::MemberDuesFacts& facts, int year,
    int month, const v1::DuesPayment* payment, const Date& today,
    std::vector<std::string>& rule_sets) {
  absl::StatusOr<const v1::RuleSet*> rules = RulesOfMonth(context, year, month);
  if (!rules.ok()) return rules.status();
  if (std::find(rule_sets.begin(), rule_sets.end(), (*rules)->name()) ==
      rule_sets.end()) {
    rule_sets.push_back((*rules)->name());
  }
  absl::StatusOr<domain::MonthDue> due =
      domain::DueForMonth(facts, year, month, (*rules)->dues());
  if (!due.ok()) return due.status();
  v1::DuesStatementMonth m;
  m.mutable_month()->set_year(year);
  m.mutable_month()->set_month(month);
  std::optional<int64_t> paid;
  if (payment != nullptr) {
    paid = payment->amount_paid_vnd();
    m.set_paid_vnd(*paid);
    m.set_payment(payment->name());
  }
  m.set_due_vnd(due->amount_vnd);
  m.set_state(
      domain::MonthState(*due, paid, domain::IsPastMonth(year, month, today)));
  return m;
}

// Whether `caller` sees the amounts of `person`'s dues: for a salary or a
// pension they reveal the income (DuesProfile.base_amount_vnd is
// Sensitive, shown to the member, the cell's secretary and roles allowed
// personal data). States are always shown.
bool MaySeeAmounts(const Principal& caller, const v1::Person& person) {
  const v1::DuesCategory c = person.dues().category();
  if (c != v1::DUES_CATEGORY_SALARY && c != v1::DUES_CATEGORY_PENSION) {
    return true;
  }
  return MaySeePersonalData(caller, person) ||
         caller.HasRole(roles::kSecretary);
}

void WithholdAmounts(v1::DuesPayment& payment) {
  payment.clear_amount_due_vnd();
  payment.clear_amount_paid_vnd();
}

void WithholdAmounts(v1::DuesStatement& statement) {
  for (auto& m : *statement.mutable_months()) {
    m.clear_due_vnd();
    m.clear_paid_vnd();
  }
  statement.clear_total_due_vnd();
  statement.clear_total_paid_vnd();
  statement.clear_arrears_vnd();
}

// The members whose dues count for `org` (with their facts): those at home
// there (unless they pay at a host) and, when the rule set says so, those
// hosted there on a temporary transfer; on the rolls now.
struct Payer {
  v1::Person person;
  domain::MemberDuesFacts facts;
};
absl::StatusOr<std::vector<Payer>> PayersOf(MembershipContext& context,
                                            const v1::Organization& org,
                                            const v1::RuleSet& rules,
                                            const Date& today) {
  const std::string id = OrganizationId(org.name());
  std::vector<std::string> names;
  std::vector<Roll> rolls = {Roll::kHome};
  if (rules.dues().temporary_members_pay_at_host()) {
    rolls.push_back(Roll::kHosted);
  }
  for (Roll roll : rolls) {
    std::string cursor;
    do {
      absl::StatusOr<PersonIdPage> page =
          context.people().Page({id}, roll, cursor, "", kRollPage);
      if (!page.ok()) return page.status();
      for (const auto& p : page->ids)
        names.push_back(absl::StrCat("people/", p));
      cursor = page->next_cursor;
    } while (!cursor.empty());
  }
  absl::StatusOr<std::vector<StoredPerson>> people =
      context.people().GetMany(names);
  if (!people.ok()) return people.status();
  std::vector<Payer> payers;
  for (auto& p : *people) {
    if (!IsMemberOnRolls(p.message) ||
        PayingOrganization(p.message, rules) != org.name()) {
      continue;
    }
    absl::StatusOr<domain::MemberDuesFacts> facts =
        DuesFactsOf(context, p.message, today);
    if (!facts.ok()) return facts.status();
    payers.push_back({std::move(p.message), *std::move(facts)});
  }
  return payers;
}

// The collections of `org` for `months` ((year, month) pairs), computed
// from its payers and the payments counted for it, with the remittance of
// each month remitted.
absl::StatusOr<std::vector<v1::DuesCollection>> CollectionsOf(
    MembershipContext& context, const v1::Organization& org,
    const std::vector<std::pair<int, int>>& months, const Date& today) {
  std::vector<v1::DuesCollection> out;
  if (months.empty()) return out;
  // The payers of the latest month's rule set (where temporary members
  // pay is one rule for the period listed).
  absl::StatusOr<const v1::RuleSet*> latest =
      RulesOfMonth(context, months.back().first, months.back().second);
  if (!latest.ok()) return latest.status();
  absl::StatusOr<std::vector<Payer>> payers =
      PayersOf(context, org, **latest, today);
  if (!payers.ok()) return payers.status();
  absl::StatusOr<std::vector<std::string>> indexed =
      context.records().All(context.records().OrganizationIndexKey(
          OrganizationId(org.name()), kDuesPayments));
  if (!indexed.ok()) return indexed.status();
  for (const auto& [year, month] : months) {
    const std::string id = YearMonthId(year, month);
    // Payments counted for the cell: those indexed there (a member since
    // gone keeps her payments here) and those of its payers now.
    std::set<std::string> names;
    for (const auto& n : *indexed) {
      if (absl::EndsWith(n, absl::StrCat("/", id))) names.insert(n);
    }
    for (const auto& p : *payers) {
      names.insert(PaymentName(p.person.name(), year, month));
    }
    absl::StatusOr<std::vector<Stored<v1::DuesPayment>>> payments =
        context.records().GetMany<v1::DuesPayment>(
            std::vector<std::string>(names.begin(), names.end()));
    if (!payments.ok()) return payments.status();
    std::map<std::string, const v1::DuesPayment*> by_name;
    v1::DuesCollection c;
    c.set_name(CollectionName(org.name(), year, month));
    c.mutable_month()->set_year(year);
    c.mutable_month()->set_month(month);
    for (const auto& p : *payments) {
      by_name[p.message.name()] = &p.message;
      if (p.message.organization() == org.name()) {
        c.set_collected_vnd(c.collected_vnd() + p.message.amount_paid_vnd());
      }
    }
    std::vector<std::string> ignored;
    for (const auto& p : *payers) {
      auto it = by_name.find(PaymentName(p.person.name(), year, month));
      absl::StatusOr<v1::DuesStatementMonth> m = StatementMonth(
          context, p.facts, year, month,
          it == by_name.end() ? nullptr : it->second, today, ignored);
      if (!m.ok()) return m.status();
      if (m->state() == v1::DUES_MONTH_STATE_NOT_DUE) continue;
      c.set_members_due(c.members_due() + 1);
      c.set_expected_vnd(c.expected_vnd() + m->due_vnd());
      if (m->state() == v1::DUES_MONTH_STATE_PAID) {
        c.set_members_paid(c.members_paid() + 1);
      } else {
        c.add_unpaid_members(p.person.name());
      }
    }
    std::sort(c.mutable_unpaid_members()->begin(),
              c.mutable_unpaid_members()->end());
    absl::StatusOr<Stored<v1::DuesCollection>> remitted =
        context.records().Get<v1::DuesCollection>(c.name());
    if (remitted.ok()) {
      c.set_state(v1::DUES_COLLECTION_STATE_REMITTED);
      *c.mutable_remittance() = remitted->message.remittance();
      *c.mutable_update_stamp() = remitted->message.update_stamp();
      c.set_etag(EtagOf(remitted->version));
    } else if (absl::IsNotFound(remitted.status())) {
      c.set_state(v1::DUES_COLLECTION_STATE_OPEN);
      c.set_etag(EtagOf(0));
    } else {
      return remitted.status();
    }
    out.push_back(std::move(c));
  }
  return out;
}

// Reads the payment's person for recording: the recorder of the cell the
// dues count for (the host of a temporary transfer, as the rule set says)
// or a committee above it.
absl::Status RequirePayingCellRecorder(MembershipContext& context,
                                       const CallContext& call,
                                       const std::string& paying_org) {
  absl::StatusOr<StoredOrganization> org =
      context.organizations().Get(OrganizationId(paying_org));
  if (!org.ok()) return org.status();
  return RequireWithinSubtree(
      call.principal,
      {org->organization.path().begin(), org->organization.path().end()},
      paying_org);
}

absl::Status CheckPaidOn(const Date& paid_on, const std::string& subject,
                         const v1::RuleSet& rules) {
  if (CivilDayOf(paid_on) <= CivilDayOf(Today())) return absl::OkStatus();
  return RulesViolated(
      {{"dues.paid_on", subject,
        absl::StrCat("Ngày nộp đảng phí ", FormatDate(paid_on),
                     " ở tương lai; chỉ ghi khoản đã nộp. (Bộ quy tắc ",
                     rules.name(), ")")}});
}

// Checks the payment fields a request sets (named under "dues_payment").
void CheckPaymentFields(FieldChecker& check, const v1::DuesPayment& p,
                        bool amount, bool paid_on, bool collected_by) {
  if (amount && p.amount_paid_vnd() <= 0) {
    check.Add("dues_payment.amount_paid_vnd", "must be > 0 (đồng)");
  }
  if (paid_on) {
    if (IsUnset(p.paid_on())) {
      check.Add("dues_payment.paid_on", "is required");
    } else {
      CheckDate(p.paid_on(), "dues_payment.paid_on", check);
    }
  }
  if (collected_by) {
    CheckPersonName(check, p.collected_by(), "dues_payment.collected_by",
                    /*required=*/false);
  }
}

// Whether the month's collection of `org` was remitted: a payment of it is
// then a correction, audited as such.
absl::StatusOr<bool> IsRemitted(MembershipContext& context,
                                const std::string& collection) {
  absl::StatusOr<Stored<v1::DuesCollection>> stored =
      context.records().Get<v1::DuesCollection>(collection);
  if (stored.ok()) return true;
  if (absl::IsNotFound(stored.status())) return false;
  return stored.status();
}

std::string Vnd(int64_t amount) { return absl::StrCat(amount, " đ"); }

// "people/{p}/duesPayments/{YYYY-MM}" → "people/{p}".
std::string PayerOf(const std::string& payment) {
  return payment.substr(0, payment.find(absl::StrCat("/", kDuesPayments, "/")));
}

}  // namespace

absl::StatusOr<v1::DuesStatement> ComputeDuesStatement(
    MembershipContext& context, const v1::Person& person, int year,
    const Date& today) {
  absl::StatusOr<domain::MemberDuesFacts> facts =
      DuesFactsOf(context, person, today);
  if (!facts.ok()) return facts.status();
  std::vector<std::string> names;
  for (int m = 1; m <= 12; ++m)
    names.push_back(PaymentName(person.name(), year, m));
  absl::StatusOr<std::vector<Stored<v1::DuesPayment>>> payments =
      context.records().GetMany<v1::DuesPayment>(names);
  if (!payments.ok()) return payments.status();
  std::map<int, const v1::DuesPayment*> by_month;
  for (const auto& p : *payments)
    by_month[p.message.month().month()] = &p.message;
  v1::DuesStatement statement;
  statement.set_name(
      absl::StrCat(person.name(), "/", kDuesStatements, "/", year));
  statement.set_year(year);
  std::vector<std::string> rule_sets;
  for (int m = 1; m <= 12; ++m) {
    auto it = by_month.find(m);
    absl::StatusOr<v1::DuesStatementMonth> month = StatementMonth(
        context, *facts, year, m, it == by_month.end() ? nullptr : it->second,
        today, rule_sets);
    if (!month.ok()) return month.status();
    *statement.add_months() = *std::move(month);
  }
  for (auto& r : rule_sets) statement.add_rule_sets(std::move(r));
  domain::FillStatementTotals(statement, today);
  return statement;
}

absl::StatusOr<v1::DuesCollection> ComputeDuesCollection(
    MembershipContext& context, const std::string& org_id, int year, int month,
    const Date& today) {
  absl::StatusOr<StoredOrganization> org = context.organizations().Get(org_id);
  if (!org.ok()) return org.status();
  absl::StatusOr<std::vector<v1::DuesCollection>> one =
      CollectionsOf(context, org->organization, {{year, month}}, today);
  if (!one.ok()) return one.status();
  return std::move(one->front());
}

absl::Status CellLifeServiceImpl::DoCreateDuesPayment(
    const CallContext& call, const v1::CreateDuesPaymentRequest& request,
    v1::DuesPayment& response) {
  if (absl::Status s = RequireRecorder(call.principal, "Recording dues");
      !s.ok()) {
    return s;
  }
  const std::string parent = ResolveMe(call, request.parent());
  FieldChecker check;
  CheckPersonName(check, parent, "parent");
  const std::optional<v1::YearMonth> month =
      CheckMonthId(check, request.dues_payment_id(), "dues_payment_id");
  if (!request.has_dues_payment()) check.Add("dues_payment", "is required");
  const v1::DuesPayment& in = request.dues_payment();
  CheckPaymentFields(check, in, true, true, true);
  if (!check.ok()) return check.status();
  absl::StatusOr<StoredPerson> person =
      ReadPersonForRead(*context_, call, parent, "parent");
  if (!person.ok()) return person.status();
  const int year = month->year();
  const int mon = month->month();
  absl::StatusOr<const v1::RuleSet*> rules = RulesOfMonth(*context_, year, mon);
  if (!rules.ok()) return rules.status();
  const std::string paying = PayingOrganization(person->message, **rules);
  if (absl::Status s = RequirePayingCellRecorder(*context_, call, paying);
      !s.ok()) {
    return s;
  }
  const std::string name = PaymentName(parent, year, mon);
  const Date today = Today();
  return IdempotentChange(
      context_->redis(), context_->prefix(), "CreateDuesPayment",
      request.request_id(), request, response, [&](Change& change) {
        const v1::Person& p = person->message;
        // Dues are a member's duty (Party Charter art. 2, 8); a candidate
        // pays none.
        if (!IsMember(p)) {
          return RulesViolated(
              {{"dues.members_only", p.name(),
                absl::StrCat(p.full_name(),
                             " không phải đảng viên; chỉ đảng viên đóng "
                             "đảng phí. (Bộ quy tắc ",
                             (*rules)->name(), ")")}});
        }
        if (absl::Status s = CheckPaidOn(in.paid_on(), name, **rules);
            !s.ok()) {
          return s;
        }
        absl::StatusOr<Stored<v1::DuesPayment>> existing =
            context_->records().Get<v1::DuesPayment>(name);
        if (existing.ok()) {
          return absl::AlreadyExistsError(absl::StrCat(
              name,
              " already exists: a month is paid once; correct it with "
              "UpdateDuesPayment"));
        }
        if (!absl::IsNotFound(existing.status())) return existing.status();
        absl::StatusOr<domain::MemberDuesFacts> facts =
            DuesFactsOf(*context_, p, today);
        if (!facts.ok()) return facts.status();
        absl::StatusOr<domain::MonthDue> due =
            domain::DueForMonth(*facts, year, mon, (*rules)->dues());
        if (!due.ok()) return due.status();
        // A member free by party age may still give (voluntarily); a month
        // outside her membership is nobody's dues.
        if (!due->owed && !due->free_by_party_age) {
          return RulesViolated(
              {{"dues.month_of_membership", name,
                absl::StrCat(p.full_name(),
                             " không là đảng viên vào cuối "
                             "tháng ",
                             mon, "/", year,
                             "; không có đảng phí của tháng này. (Bộ quy "
                             "tắc ",
                             (*rules)->name(), ")")}});
        }
        absl::StatusOr<bool> remitted =
            IsRemitted(*context_, CollectionName(paying, year, mon));
        if (!remitted.ok()) return remitted.status();
        v1::DuesPayment record;
        record.set_name(name);
        *record.mutable_month() = *month;
        record.set_amount_due_vnd(due->amount_vnd);
        record.set_amount_paid_vnd(in.amount_paid_vnd());
        *record.mutable_paid_on() = in.paid_on();
        record.set_collected_by(in.collected_by());
        record.set_state(
            domain::PaymentState(due->amount_vnd, in.amount_paid_vnd()));
        record.set_organization(paying);
        record.set_collection(CollectionName(paying, year, mon));
        record.set_note(in.note());
        PersonChangeRecorder recorder(*context_, call, request.request_id(),
                                      "");
        *record.mutable_create_stamp() = recorder.stamp();
        *record.mutable_update_stamp() = recorder.stamp();
        if (!request.validate_only()) {
          record.set_etag(EtagOf(1));
          recorder.RecordResource(change, p, name, 0, record, kDuesPayments);
          // A member paying at her host cell is in its index too, so the
          // host's "people/-" list and collection see the payment.
          if (paying != p.organization()) {
            change.write.ZAdd(context_->records().OrganizationIndexKey(
                                  OrganizationId(paying), kDuesPayments),
                              0, name);
          }
          recorder.RecordJournal(
              change, p, MethodName(kService, "CreateDuesPayment"), name,
              absl::StrCat("Ghi nhận đảng phí tháng ", mon, "/", year, " của ",
                           p.full_name(), ": ", Vnd(in.amount_paid_vnd()),
                           " / ", Vnd(due->amount_vnd),
                           *remitted ? " (ghi bổ sung sau khi đã nộp lên cấp "
                                       "trên)"
                                     : ""),
              "", {});
          change.journal.audit->set_etag_after(record.etag());
        }
        response = record;
        if (!MaySeeAmounts(call.principal, p)) WithholdAmounts(response);
        return absl::OkStatus();
      });
}

absl::Status CellLifeServiceImpl::DoGetDuesPayment(
    const CallContext& call, const v1::GetDuesPaymentRequest& request,
    v1::DuesPayment& response) {
  absl::StatusOr<std::pair<std::string, std::string>> split =
      SplitPersonRecordName(call, request.name(), kDuesPayments, "name");
  if (!split.ok()) return split.status();
  FieldChecker check;
  const std::optional<v1::YearMonth> month =
      CheckMonthId(check, split->second, "name");
  if (!check.ok()) return check.status();
  const std::string name =
      PaymentName(split->first, month->year(), month->month());
  absl::StatusOr<StoredPerson> person =
      ReadPersonForCellLife(*context_, call, split->first, "name");
  if (!person.ok()) return person.status();
  absl::StatusOr<Stored<v1::DuesPayment>> stored =
      context_->records().Get<v1::DuesPayment>(name);
  if (!stored.ok()) return stored.status();
  response = std::move(stored->message);
  if (!MaySeeAmounts(call.principal, person->message)) {
    WithholdAmounts(response);
  }
  return absl::OkStatus();
}

absl::Status CellLifeServiceImpl::DoListDuesPayments(
    const CallContext& call, const v1::ListDuesPaymentsRequest& request,
    v1::ListDuesPaymentsResponse& response) {
  FieldChecker check;
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) check.Add("page_size", page_size.status().message());
  if (request.year() != 0 &&
      (request.year() < kFirstYear || request.year() > Today().year() + 1)) {
    check.Add("year", "is not a year of records");
  }
  if (!check.ok()) return check.status();
  absl::StatusOr<Filter> filter = Filter::Parse(
      request.filter(), *v1::DuesPayment::descriptor(),
      {"month.year", "month.month", "state", "paid_on", "collected_by"});
  if (!filter.ok()) return filter.status();
  const std::string fingerprint = RequestFingerprint(request);
  absl::StatusOr<std::string> cursor =
      DecodePageToken(request.page_token(), fingerprint);
  if (!cursor.ok()) return cursor.status();
  // A person's payments, or with "people/-" those indexed by the cells of
  // the subtree (a hosted member's also at her host): sorted, by person
  // then month.
  absl::StatusOr<std::vector<std::string>> all = PersonRecordNames(
      *context_, call, request.parent(), request.organization(), kDuesPayments);
  if (!all.ok()) return all.status();
  std::vector<std::string> names = *std::move(all);
  if (request.year() != 0) {
    const std::string part =
        absl::StrCat("/", kDuesPayments, "/", request.year(), "-");
    names.erase(std::remove_if(names.begin(), names.end(),
                               [&](const std::string& n) {
                                 return !absl::StrContains(n, part);
                               }),
                names.end());
  }
  // Without a filter a page is read alone; with one every payment is read
  // to be matched.
  std::vector<v1::DuesPayment> matched;
  if (filter->empty()) {
    response.set_total_size(static_cast<int>(names.size()));
    const std::vector<std::string> page =
        PageAfter(names, *cursor, *page_size, fingerprint,
                  response.mutable_next_page_token());
    absl::StatusOr<std::vector<Stored<v1::DuesPayment>>> read =
        context_->records().GetMany<v1::DuesPayment>(page);
    if (!read.ok()) return read.status();
    for (auto& r : *read) matched.push_back(std::move(r.message));
  } else {
    absl::StatusOr<std::vector<Stored<v1::DuesPayment>>> read =
        context_->records().GetMany<v1::DuesPayment>(names);
    if (!read.ok()) return read.status();
    int total = 0;
    for (auto& r : *read) {
      if (!filter->Matches(r.message)) continue;
      ++total;
      if (!cursor->empty() && r.message.name() <= *cursor) continue;
      if (static_cast<int>(matched.size()) == *page_size) {
        if (response.next_page_token().empty()) {
          response.set_next_page_token(
              EncodePageToken(matched.back().name(), fingerprint));
        }
        continue;
      }
      matched.push_back(std::move(r.message));
    }
    response.set_total_size(total);
  }
  // The payers of the page, for the amounts a caller may see.
  std::vector<std::string> payers;
  for (const auto& p : matched) payers.push_back(PayerOf(p.name()));
  std::sort(payers.begin(), payers.end());
  payers.erase(std::unique(payers.begin(), payers.end()), payers.end());
  absl::StatusOr<std::vector<StoredPerson>> read =
      context_->people().GetMany(payers);
  if (!read.ok()) return read.status();
  std::map<std::string, v1::Person> people;
  for (auto& p : *read) people[p.message.name()] = std::move(p.message);
  for (auto& p : matched) {
    auto it = people.find(PayerOf(p.name()));
    if (it == people.end() || !MaySeeAmounts(call.principal, it->second)) {
      WithholdAmounts(p);
    }
    *response.add_dues_payments() = std::move(p);
  }
  return absl::OkStatus();
}

absl::Status CellLifeServiceImpl::DoUpdateDuesPayment(
    const CallContext& call, const v1::UpdateDuesPaymentRequest& request,
    v1::DuesPayment& response) {
  if (absl::Status s = RequireRecorder(call.principal, "Correcting dues");
      !s.ok()) {
    return s;
  }
  const v1::DuesPayment& in = request.dues_payment();
  absl::StatusOr<std::pair<std::string, std::string>> split =
      SplitPersonRecordName(call, in.name(), kDuesPayments,
                            "dues_payment.name");
  if (!split.ok()) return split.status();
  FieldChecker check;
  const std::optional<v1::YearMonth> month =
      CheckMonthId(check, split->second, "dues_payment.name");
  static const auto* const kMask = new std::set<std::string>{
      "amount_paid_vnd", "paid_on", "collected_by", "note"};
  if (request.update_mask().paths().empty()) {
    check.Add("update_mask",
              absl::StrCat("is required (", absl::StrJoin(*kMask, ", "), ")"));
  }
  for (const auto& path : request.update_mask().paths()) {
    if (kMask->count(path) == 0) {
      check.Add("update_mask",
                absl::StrCat("\"", path, "\" may not be updated (",
                             absl::StrJoin(*kMask, ", "), ")"));
    }
  }
  const google::protobuf::FieldMask& mask = request.update_mask();
  CheckPaymentFields(check, in, InMask(mask, "amount_paid_vnd"),
                     InMask(mask, "paid_on"), InMask(mask, "collected_by"));
  if (request.reason().empty()) {
    check.Add("reason", "is required: why the record is corrected");
  }
  if (!check.ok()) return check.status();
  const std::string name =
      PaymentName(split->first, month->year(), month->month());
  absl::StatusOr<StoredPerson> person =
      ReadPersonForRead(*context_, call, split->first, "dues_payment.name");
  if (!person.ok()) return person.status();
  absl::StatusOr<const v1::RuleSet*> rules =
      RulesOfMonth(*context_, month->year(), month->month());
  if (!rules.ok()) return rules.status();
  const Date today = Today();
  return IdempotentChange(
      context_->redis(), context_->prefix(), "UpdateDuesPayment",
      request.request_id(), request, response, [&](Change& change) {
        const v1::Person& p = person->message;
        absl::StatusOr<Stored<v1::DuesPayment>> stored =
            context_->records().Get<v1::DuesPayment>(name);
        if (!stored.ok()) return stored.status();
        if (absl::Status s = RequirePayingCellRecorder(
                *context_, call, stored->message.organization());
            !s.ok()) {
          return s;
        }
        if (absl::Status s = CheckEtag(in.etag(), stored->version, name);
            !s.ok()) {
          return s;
        }
        v1::DuesPayment record = stored->message;
        if (InMask(mask, "amount_paid_vnd")) {
          record.set_amount_paid_vnd(in.amount_paid_vnd());
        }
        if (InMask(mask, "paid_on")) *record.mutable_paid_on() = in.paid_on();
        if (InMask(mask, "collected_by")) {
          record.set_collected_by(in.collected_by());
        }
        if (InMask(mask, "note")) record.set_note(in.note());
        if (absl::Status s = CheckPaidOn(record.paid_on(), name, **rules);
            !s.ok()) {
          return s;
        }
        // The amount due is recomputed: a corrected profile corrects it.
        absl::StatusOr<domain::MemberDuesFacts> facts =
            DuesFactsOf(*context_, p, today);
        if (!facts.ok()) return facts.status();
        absl::StatusOr<domain::MonthDue> due = domain::DueForMonth(
            *facts, month->year(), month->month(), (*rules)->dues());
        if (!due.ok()) return due.status();
        record.set_amount_due_vnd(due->amount_vnd);
        record.set_state(domain::PaymentState(record.amount_due_vnd(),
                                              record.amount_paid_vnd()));
        absl::StatusOr<bool> remitted =
            IsRemitted(*context_, record.collection());
        if (!remitted.ok()) return remitted.status();
        PersonChangeRecorder recorder(*context_, call, request.request_id(),
                                      request.reason());
        *record.mutable_update_stamp() = recorder.stamp();
        if (request.validate_only()) {
          record.set_etag(EtagOf(stored->version));
        } else {
          record.set_etag(EtagOf(stored->version + 1));
          recorder.RecordResource(change, p, name, stored->version, record,
                                  kDuesPayments);
          // A collection already remitted upward is corrected after the
          // fact: the audit entry says so, for the committee above.
          recorder.RecordJournal(
              change, p, MethodName(kService, "UpdateDuesPayment"), name,
              absl::StrCat(*remitted ? "Sửa khoản đảng phí của tháng đã nộp "
                                       "lên cấp trên: "
                                     : "Sửa khoản đảng phí: ",
                           "tháng ", month->month(), "/", month->year(),
                           " của ", p.full_name(), ", ",
                           Vnd(stored->message.amount_paid_vnd()), " → ",
                           Vnd(record.amount_paid_vnd())),
              EtagOf(stored->version), {});
          *change.journal.audit->mutable_changed_fields() = mask;
          change.journal.audit->set_etag_after(record.etag());
        }
        response = record;
        if (!MaySeeAmounts(call.principal, p)) WithholdAmounts(response);
        return absl::OkStatus();
      });
}

absl::Status CellLifeServiceImpl::DoGetDuesStatement(
    const CallContext& call, const v1::GetDuesStatementRequest& request,
    v1::DuesStatement& response) {
  absl::StatusOr<std::pair<std::string, std::string>> split =
      SplitPersonRecordName(call, request.name(), kDuesStatements, "name");
  if (!split.ok()) return split.status();
  int year = 0;
  if (split->second.size() != 4 || !absl::SimpleAtoi(split->second, &year) ||
      year < kFirstYear || year > Today().year() + 1) {
    return InvalidField(
        "name", absl::StrCat("\"", split->second, "\" is not a year from ",
                             kFirstYear, " to ", Today().year() + 1));
  }
  absl::StatusOr<StoredPerson> person =
      ReadPersonForCellLife(*context_, call, split->first, "name");
  if (!person.ok()) return person.status();
  absl::StatusOr<v1::DuesStatement> statement =
      ComputeDuesStatement(*context_, person->message, year, Today());
  if (!statement.ok()) return statement.status();
  response = *std::move(statement);
  if (!MaySeeAmounts(call.principal, person->message)) {
    WithholdAmounts(response);
  }
  return absl::OkStatus();
}

absl::Status CellLifeServiceImpl::DoGetDuesCollection(
    const CallContext& call, const v1::GetDuesCollectionRequest& request,
    v1::DuesCollection& response) {
  FieldChecker check;
  const CollectionRef split = SplitCollectionName(check, request.name());
  const std::optional<v1::YearMonth>& month = split.month;
  if (!check.ok()) return check.status();
  absl::StatusOr<StoredOrganization> org = ReadOrganizationForCellLife(
      *context_, call, split.organization, "name", /*for_recording=*/false);
  if (!org.ok()) return org.status();
  absl::StatusOr<v1::DuesCollection> collection =
      ComputeDuesCollection(*context_, OrganizationId(split.organization),
                            month->year(), month->month(), Today());
  if (!collection.ok()) return collection.status();
  response = *std::move(collection);
  return absl::OkStatus();
}

absl::Status CellLifeServiceImpl::DoListDuesCollections(
    const CallContext& call, const v1::ListDuesCollectionsRequest& request,
    v1::ListDuesCollectionsResponse& response) {
  FieldChecker check;
  CheckOrganizationRef(check, request.parent(), "parent");
  absl::StatusOr<int> page_size = ResolvePageSize(request.page_size());
  if (!page_size.ok()) check.Add("page_size", page_size.status().message());
  const Date today = Today();
  if (request.year() != 0 &&
      (request.year() < kFirstYear || request.year() > today.year())) {
    check.Add("year", absl::StrCat("is not a year from ", kFirstYear, " to ",
                                   today.year()));
  }
  if (!check.ok()) return check.status();
  absl::StatusOr<Filter> filter =
      Filter::Parse(request.filter(), *v1::DuesCollection::descriptor(),
                    {"month.year", "month.month", "state"});
  if (!filter.ok()) return filter.status();
  const std::string fingerprint = RequestFingerprint(request);
  absl::StatusOr<std::string> cursor =
      DecodePageToken(request.page_token(), fingerprint);
  if (!cursor.ok()) return cursor.status();
  absl::StatusOr<StoredOrganization> root = ReadOrganizationForCellLife(
      *context_, call, request.parent(), "parent", /*for_recording=*/false);
  if (!root.ok()) return root.status();
  std::vector<std::string> ids = {OrganizationId(root->organization.name())};
  if (request.include_descendants()) {
    absl::StatusOr<std::vector<std::string>> all =
        context_->organizations().SubtreeIds(root->organization);
    if (!all.ok()) return all.status();
    ids = *std::move(all);
  }
  absl::StatusOr<std::vector<StoredOrganization>> orgs =
      context_->organizations().GetMany(ids);
  if (!orgs.ok()) return orgs.status();
  // A collection exists from the month the organisation was founded (or
  // the year asked) to today's month: the open month is computed, the
  // months before it were (or are to be) remitted. In path order, then by
  // month; the cursor is the last collection's name.
  const int now = MonthIndex(today.year(), today.month());
  struct Slot {
    const v1::Organization* org;
    int year;
    int month;
  };
  std::vector<Slot> slots;
  for (const auto& o : *orgs) {
    int first = MonthIndex(request.year(), 1);
    int last = std::min(now, MonthIndex(request.year(), 12));
    if (request.year() == 0) {
      const Date& from = o.organization.valid_from();
      first = IsUnset(from) ? MonthIndex(today.year(), 1)
                            : MonthIndex(from.year(), from.month());
      last = now;
    }
    for (int i = first; i <= last; ++i) {
      slots.push_back({&o.organization, i / 12, i % 12 + 1});
    }
  }
  // Computes the collections of slots [begin, end), one read of each
  // organisation's payers.
  auto compute =
      [&](size_t begin,
          size_t end) -> absl::StatusOr<std::vector<v1::DuesCollection>> {
    std::vector<v1::DuesCollection> out;
    size_t i = begin;
    while (i < end) {
      std::vector<std::pair<int, int>> months;
      size_t j = i;
      for (; j < end && slots[j].org == slots[i].org; ++j) {
        months.push_back({slots[j].year, slots[j].month});
      }
      absl::StatusOr<std::vector<v1::DuesCollection>> computed =
          CollectionsOf(*context_, *slots[i].org, months, today);
      if (!computed.ok()) return computed.status();
      for (auto& c : *computed) out.push_back(std::move(c));
      i = j;
    }
    return out;
  };
  auto after_cursor = [&](const std::vector<std::string>& names) -> size_t {
    if (cursor->empty()) return 0;
    auto it = std::find(names.begin(), names.end(), *cursor);
    return it == names.end() ? 0 : static_cast<size_t>(it - names.begin()) + 1;
  };
  std::vector<v1::DuesCollection> page;
  if (filter->empty()) {
    // Only the page is computed.
    std::vector<std::string> names;
    for (const Slot& s : slots) {
      names.push_back(CollectionName(s.org->name(), s.year, s.month));
    }
    const size_t begin = after_cursor(names);
    const size_t end =
        std::min(slots.size(), begin + static_cast<size_t>(*page_size));
    absl::StatusOr<std::vector<v1::DuesCollection>> computed =
        compute(begin, end);
    if (!computed.ok()) return computed.status();
    page = *std::move(computed);
    if (end < slots.size() && !page.empty()) {
      response.set_next_page_token(
          EncodePageToken(page.back().name(), fingerprint));
    }
    response.set_total_size(static_cast<int>(slots.size()));
  } else {
    // Every collection is computed to be matched.
    absl::StatusOr<std::vector<v1::DuesCollection>> computed =
        compute(0, slots.size());
    if (!computed.ok()) return computed.status();
    std::vector<v1::DuesCollection> matched;
    std::vector<std::string> names;
    for (auto& c : *computed) {
      if (!filter->Matches(c)) continue;
      names.push_back(c.name());
      matched.push_back(std::move(c));
    }
    const size_t begin = after_cursor(names);
    const size_t end =
        std::min(matched.size(), begin + static_cast<size_t>(*page_size));
    for (size_t i = begin; i < end; ++i) page.push_back(std::move(matched[i]));
    if (end < matched.size() && !page.empty()) {
      response.set_next_page_token(
          EncodePageToken(page.back().name(), fingerprint));
    }
    response.set_total_size(static_cast<int>(matched.size()));
  }
  for (auto& c : page) *response.add_dues_collections() = std::move(c);
  return absl::OkStatus();
}

absl::Status CellLifeServiceImpl::DoRemitDuesCollection(
    const CallContext& call, const v1::RemitDuesCollectionRequest& request,
    v1::DuesCollection& response) {
  FieldChecker check;
  const CollectionRef split = SplitCollectionName(check, request.name());
  const std::optional<v1::YearMonth>& month = split.month;
  const v1::DuesRemittance& in = request.remittance();
  if (!request.has_remittance()) check.Add("remittance", "is required");
  if (in.amount_remitted_vnd() < 0) {
    check.Add("remittance.amount_remitted_vnd", "must be >= 0 (đồng)");
  }
  if (in.amount_retained_vnd() < 0) {
    check.Add("remittance.amount_retained_vnd", "must be >= 0 (đồng)");
  }
  if (IsUnset(in.remitted_on())) {
    check.Add("remittance.remitted_on", "is required");
  } else {
    CheckDate(in.remitted_on(), "remittance.remitted_on", check);
  }
  if (!check.ok()) return check.status();
  absl::StatusOr<StoredOrganization> org = ReadOrganizationForCellLife(
      *context_, call, split.organization, "name", /*for_recording=*/true);
  if (!org.ok()) return org.status();
  const v1::Organization& o = org->organization;
  const int year = month->year();
  const int mon = month->month();
  absl::StatusOr<const v1::RuleSet*> rules = RulesOfMonth(*context_, year, mon);
  if (!rules.ok()) return rules.status();
  const Date today = Today();
  return IdempotentChange(
      context_->redis(), context_->prefix(), "RemitDuesCollection",
      request.request_id(), request, response, [&](Change& change) {
        absl::StatusOr<std::vector<v1::DuesCollection>> computed =
            CollectionsOf(*context_, o, {{year, mon}}, today);
        if (!computed.ok()) return computed.status();
        v1::DuesCollection record = std::move(computed->front());
        if (absl::Status s = CheckEtag(
                request.etag(), VersionOfEtag(record.etag()), record.name());
            !s.ok()) {
          return s;
        }
        // A month is remitted once (a state change of the collection, so
        // FAILED_PRECONDITION as for any action in the wrong state);
        // payments recorded afterwards are corrections, audited.
        std::vector<RuleViolation> unmet;
        if (record.state() == v1::DUES_COLLECTION_STATE_REMITTED) {
          unmet.push_back(
              {"dues.remit_once", record.name(),
               absl::StrCat("Đảng phí tháng ", mon, "/", year,
                            " đã được nộp lên cấp trên ngày ",
                            FormatDate(record.remittance().remitted_on()),
                            "; mỗi tháng chỉ nộp một lần.")});
          return RulesViolated(std::move(unmet));
        }
        if (MonthIndex(year, mon) > MonthIndex(today.year(), today.month()) ||
            CivilDayOf(in.remitted_on()) > CivilDayOf(today)) {
          unmet.push_back(
              {"dues.remit_month", record.name(),
               absl::StrCat("Chỉ nộp đảng phí của tháng đã bắt đầu, vào ngày "
                            "không sau hôm nay (tháng ",
                            mon, "/", year, ", ngày nộp ",
                            FormatDate(in.remitted_on()), ").")});
        }
        if (o.parent().empty()) {
          unmet.push_back({"dues.remit_parent", o.name(),
                           "Tổ chức cao nhất không có cấp trên để nộp đảng "
                           "phí."});
        }
        std::vector<RuleViolation> amounts = domain::CheckRemittance(
            in, record.collected_vnd(), o.level(), **rules, record.name());
        unmet.insert(unmet.end(), amounts.begin(), amounts.end());
        if (!unmet.empty()) return RulesViolated(std::move(unmet));
        *record.mutable_remittance() = in;
        record.mutable_remittance()->set_to_organization(o.parent());
        record.set_state(v1::DUES_COLLECTION_STATE_REMITTED);
        *record.mutable_update_stamp() = Stamp(call, request.request_id(), "");
        if (request.validate_only()) {
          response = record;
          return absl::OkStatus();
        }
        record.set_etag(EtagOf(1));
        RecordStore& records = context_->records();
        records.StagePut(change.write, record.name(), 0, record);
        change.write.ZAdd(records.CollectionKey(o.name(), kDuesCollections), 0,
                          YearMonthId(year, mon));
        v1::AuditEntry entry = NewAuditEntry(
            record.update_stamp(), MethodName(kService, "RemitDuesCollection"),
            record.name(), o.path(),
            absl::StrCat("Nộp đảng phí tháng ", mon, "/", year,
                         " lên cấp "
                         "trên: nộp ",
                         Vnd(in.amount_remitted_vnd()), ", giữ lại ",
                         Vnd(in.amount_retained_vnd()), ", đã thu ",
                         Vnd(record.collected_vnd())),
            "", "");
        entry.set_etag_after(record.etag());
        change.journal.audit = std::move(entry);
        change.journal.audit_organization_id = OrganizationId(o.name());
        response = record;
        return absl::OkStatus();
      });
}

}  // namespace partydev::membership
