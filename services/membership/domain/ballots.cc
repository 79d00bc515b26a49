#include "services/membership/domain/ballots.h"

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/errors.h"

namespace partydev::membership::domain {

int CountedTotal(const VotingRoll& roll, const v1::AdmissionRules& rules) {
  int total = roll.members;
  if (rules.ballot_total_excludes_exempt()) total -= roll.exempt;
  if (rules.ballot_total_excludes_temporarily_away()) {
    total -= roll.temporarily_away;
  }
  return total;
}

absl::Status ValidateBallot(const v1::Ballot& ballot, absl::string_view field) {
  FieldChecker check;
  CheckDate(ballot.held_on(), absl::StrCat(field, ".held_on"), check);
  const std::pair<const char*, int> counts[] = {
      {"votes_for", ballot.votes_for()},
      {"votes_against", ballot.votes_against()},
      {"present", ballot.present()},
      {"total", ballot.total()}};
  for (const auto& [name, value] : counts) {
    if (value < 0) check.Add(absl::StrCat(field, ".", name), "must be >= 0");
  }
  if (ballot.total() == 0) {
    check.Add(absl::StrCat(field, ".total"), "must be > 0");
  }
  return check.status();
}

void CheckBallot(const v1::Ballot& ballot, absl::string_view field,
                 int counted_total, absl::string_view body, Violations& unmet) {
  if (ballot.votes_for() + ballot.votes_against() > ballot.present() ||
      ballot.present() > ballot.total()) {
    unmet.Add("ballot.counts_consistent", field,
              absl::StrCat("Biên bản ghi ", ballot.votes_for(),
                           " phiếu tán thành, ", ballot.votes_against(),
                           " phiếu không tán thành, ", ballot.present(),
                           " người có mặt trên tổng số ", ballot.total(),
                           "; số phiếu không được vượt số có mặt và số có "
                           "mặt không được vượt tổng số"));
  }
  if (ballot.total() != counted_total) {
    unmet.Add("ballot.total_matches_roll", absl::StrCat(field, ".total"),
              absl::StrCat("Biên bản ghi tổng số ", ballot.total(),
                           " người có quyền biểu quyết nhưng danh sách ", body,
                           " ngày ", FormatDate(ballot.held_on()), " có ",
                           counted_total, " người"));
  }
}

void Judge(const v1::Ballot& ballot, int counted_total,
           const v1::Fraction& threshold, BallotOutcome& outcome) {
  outcome.total = counted_total;
  outcome.threshold = threshold;
  outcome.least_needed = LeastReaching(counted_total, threshold);
  outcome.passed = Reaches(ballot.votes_for(), counted_total, threshold);
}

}  // namespace partydev::membership::domain
