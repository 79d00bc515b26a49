#include "services/notification/directive_issuing.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/errors.h"
#include "google/protobuf/util/time_util.h"
#include "services/notification/directive_text.h"
#include "services/notification/domain/reference_numbers.h"
#include "services/notification/domain/vietnamese_dates.h"

namespace partydev::notification {

DirectiveIssuing::DirectiveIssuing(NotificationContext& context,
                                   DirectiveFanOut& fan_out)
    : context_(context), directives_(context), fan_out_(fan_out) {}

absl::Status DirectiveIssuing::ValidateIssuable(const v1::Directive& d) {
  std::vector<FieldViolation> bad;
  if (d.place().empty())
    bad.push_back({"directive.place", "required at issue"});
  if (d.body().empty()) bad.push_back({"directive.body", "required at issue"});
  if (d.recipients().empty()) {
    bad.push_back({"directive.recipients", "at least one at issue"});
  }
  // The signature block of the seeds: "T/M BAN THƯỜNG VỤ" (capacity and
  // collective), "BÍ THƯ" (title) and the signer's name (Regulation
  // 66-QĐ/TW on the format of party documents).
  const v1::SignerBlock& s = d.signer();
  if (s.capacity() == v1::SIGNING_CAPACITY_UNSPECIFIED) {
    bad.push_back({"directive.signer.capacity", "required at issue"});
  }
  if (s.capacity() != v1::SIGNING_CAPACITY_PERSONAL && s.collective().empty()) {
    bad.push_back({"directive.signer.collective",
                   "required unless the capacity is PERSONAL"});
  }
  if (s.title().empty()) {
    bad.push_back({"directive.signer.title", "required at issue"});
  }
  if (s.signer_name().empty()) {
    bad.push_back({"directive.signer.signer_name", "required at issue"});
  }
  if (!bad.empty()) return InvalidFields(std::move(bad));
  return absl::OkStatus();
}

absl::StatusOr<domain::RecipientExpansion> DirectiveIssuing::ExpandIssuable(
    const v1::Directive& d, absl::CivilDay day) {
  if (absl::Status s = ValidateIssuable(d); !s.ok()) return s;
  absl::StatusOr<domain::RecipientExpansion> expansion =
      fan_out_.Expand(d, day);
  if (!expansion.ok()) return expansion.status();
  std::vector<RuleViolation> unmet;
  for (int i = 0; i < d.recipients_size(); ++i) {
    std::vector<std::string> missing;
    absl::StatusOr<std::string> body = DirectiveText::BodyFor(
        d, d.recipients(i).label(), d.recipients(i).values(), &missing);
    if (!body.ok()) return body.status();
    for (const std::string& m : missing) {
      const std::string field =
          absl::StrCat("directive.recipients[", i, "].values");
      unmet.push_back({"directive.body.variable", field,
                       absl::StrCat(field, ": the body uses {{", m,
                                    "}} and this recipient has no value")});
    }
  }
  const bool disseminated =
      std::any_of(expansion->targets.begin(), expansion->targets.end(),
                  [](const domain::DeliveryTarget& t) {
                    return t.origin == v1::DELIVERY_ORIGIN_DISSEMINATED;
                  });
  if (disseminated) {
    std::vector<std::string> missing;
    absl::StatusOr<std::string> body =
        DirectiveText::BodyFor(d, "", {}, &missing);
    if (!body.ok()) return body.status();
    for (const std::string& m : missing) {
      if (m == "recipient_label") continue;
      unmet.push_back({"directive.body.variable", "directive.body",
                       absl::StrCat("the body uses {{", m,
                                    "}}, which organisations reached by "
                                    "dissemination have no value for")});
    }
  }
  if (!unmet.empty()) return RulesViolated(std::move(unmet));
  return expansion;
}

// Terms run five years from the congress years divisible by five
// (2020-2025, 2025-2030; domain.md), numbered from the congress in the
// autumn of the first year. Quota's TermDefined events would give exact
// dates per committee (not yet projected here).
std::string DirectiveIssuing::DefaultTerm(absl::CivilDay day) {
  int start = static_cast<int>(day.year()) - static_cast<int>(day.year()) % 5;
  if (day.year() % 5 == 0 && day.month() < 10) start -= 5;
  return absl::StrCat("terms/", start, "-", start + 5);
}

absl::StatusOr<DirectiveIssuing::Issue> DirectiveIssuing::Prepare(
    v1::Directive d, const Options& options) {
  const absl::Time now = context_.clock().Now();
  if (!d.has_signed_on()) {
    *d.mutable_signed_on() = FromCivilDay(domain::VietnamDayOf(now));
  }
  const absl::CivilDay signed_on = CivilDayOf(d.signed_on());
  absl::StatusOr<const v1::NotificationRuleSet*> rules =
      context_.rule_sets().ForDay(signed_on);
  if (!rules.ok()) return rules.status();
  const v1::DirectiveRules& dr = (*rules)->directive_rules();
  d.set_term(options.term.empty() ? DefaultTerm(signed_on) : options.term);
  // Numbers run per issuer, document type and term (Regulation 66-QĐ/TW:
  // "Số 1849-CV/ĐUK"), or for ever when the rule set says so.
  const std::string sequence =
      domain::NumberingSequence(d.issuing_organization(), d.document_type(),
                                d.term(), dr.numbering_restarts_each_term());
  absl::StatusOr<Numbering> numbering = directives_.ReadNumbering(sequence);
  if (!numbering.ok()) return numbering.status();
  int number = numbering->last + 1;
  if (options.number > 0) {
    absl::StatusOr<bool> used =
        directives_.NumberUsed(sequence, options.number);
    if (!used.ok()) return used.status();
    if (*used) {
      return RulesViolated(
          {{"directive.number.unused", "number",
            absl::StrCat("Số ", options.number,
                         " đã được dùng cho loại văn bản này của cấp "
                         "ủy trong nhiệm kỳ ",
                         d.term(), " (the number is already used)")}});
    }
    number = options.number;
  }
  d.set_number(number);
  absl::StatusOr<std::string> reference =
      domain::FormatReference(d.document_type(), number, d.issuer_code(),
                              std::max(1, dr.reference_number_min_digits()));
  if (!reference.ok()) return reference.status();
  d.set_reference(*reference);
  d.set_dated_line(domain::DatedLine(d.place(), signed_on));
  absl::StatusOr<domain::RecipientExpansion> expansion =
      ExpandIssuable(d, signed_on);
  if (!expansion.ok()) return expansion.status();
  d.set_state(v1::DIRECTIVE_STATE_ISSUING);
  *d.mutable_issue_stamp() = options.stamp;
  *d.mutable_update_stamp() = options.stamp;
  v1::FanOut& fan_out = *d.mutable_fan_out();
  fan_out.set_planned_deliveries(static_cast<int>(expansion->targets.size()));
  fan_out.set_created_deliveries(0);
  *fan_out.mutable_start_time() =
      google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
          absl::ToUnixNanos(now));
  return Issue{std::move(d), *std::move(numbering)};
}

void DirectiveIssuing::Stage(AtomicWrite& write, const Issue& issue,
                             int64_t version) {
  directives_.StageNumber(write, issue.numbering, issue.directive.number());
  directives_.StagePut(write, issue.directive, version);
  fan_out_.StageJob(write, issue.directive.name(),
                    absl::StrCat(issue.directive.name(), ":issue"));
}

}  // namespace partydev::notification
