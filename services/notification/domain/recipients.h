// File: services/notification/domain/recipients.h
//
// Who receives a directive: its recipient lines (Nơi nhận, DirectiveRecipient)
// and its dissemination order expanded over the organisation tree as it
// stood on the issue date into delivery targets, one per organisation,
// person, committee or external recipient. The kinds the seeds list:
//   - party organisations, alone or with their subtree ("Các tổ chức cơ sở
//     đảng trực thuộc", "phổ biến đến chi bộ": every organisation below,
//     down to every cell);
//   - the committee's own departments and office, mass organisations,
//     superior bodies "(báo cáo)": organisations of the tree, never
//     disseminated below unless their line says so;
//   - individual officials and the members of a committee ("Ủy viên Ban
//     Chấp hành Đảng bộ Khối"): personal targets; committee members are
//     resolved to people by the service from its people projection;
//   - the archive copy ("Lưu VPĐUK"): a target with purpose ARCHIVE, no
//     acknowledgement, never reminded (directives.proto RecipientPurpose);
//   - "Như trên": printed for the addressees (DirectiveRecipient.addressee),
//     who are targets through their own lines.
// An organisation reached twice gets one delivery with the strongest
// purpose (ACT > COORDINATE > DIRECT > REPORT_TO > INFORM > ARCHIVE: the
// duty to act outranks being told), listed beating disseminated.
//
// Scale: a national "down to every cell" directive reaches ~270,000 cells
// (domain.md "Scale"): expansion is one pass over each subtree with a hash
// index for deduplication (linear, no pairwise comparison).

#ifndef PARTYDEV_SERVICES_NOTIFICATION_DOMAIN_RECIPIENTS_H_
#define PARTYDEV_SERVICES_NOTIFICATION_DOMAIN_RECIPIENTS_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/org_tree.h"
#include "partydev/notification/v1/deliveries.pb.h"
#include "partydev/notification/v1/directives.pb.h"

namespace partydev::notification::domain {

// What a target is.
enum class TargetKind {
  kOrganization,      // `organizations/{org}`
  kPerson,            // `people/{person}`
  kCommitteeMembers,  // `organizations/{org}` + body; people resolved later
  kRecipient,         // `recipients/{recipient}` (another agency's system)
};

// One delivery to create.
struct DeliveryTarget {
  TargetKind kind = TargetKind::kOrganization;
  // The resource name (see TargetKind).
  std::string target;
  // For kCommitteeMembers: which body.
  v1::CommitteeBody committee_body = v1::COMMITTEE_BODY_UNSPECIFIED;
  v1::RecipientPurpose purpose = v1::RECIPIENT_PURPOSE_UNSPECIFIED;
  v1::DeliveryOrigin origin = v1::DELIVERY_ORIGIN_LISTED;
  // The key of the recipient line it came from (for a disseminated one,
  // the line of the listed ancestor).
  std::string recipient_key;
  // For a disseminated target, the listed organisation it was reached below.
  std::string disseminated_under;
  // The name shown: the line's label for a listed organisation, the
  // organisation's display name otherwise.
  std::string label;
  bool acknowledgement_required = false;
};

// How to expand.
struct ExpandOptions {
  // Levels (OrganizationSnapshot.level) of grassroots organisations: scope
  // GRASSROOTS stops below them. Levels are data (domain.md).
  absl::flat_hash_set<std::string> grassroots_levels = {"GRASSROOTS"};
  // Fail when the expansion exceeds this (rule set
  // directive_rules.max_deliveries_per_directive); 0: no limit.
  int max_deliveries = 0;
};

// The result.
struct RecipientExpansion {
  // Every target, deduplicated, listed lines first in printed order, then
  // disseminated ones in tree (pre-order) order.
  std::vector<DeliveryTarget> targets;
  // The labels of the addressee lines, printed under "Kính gửi:" and
  // summarised as "Như trên" at the head of "Nơi nhận".
  std::vector<std::string> addressees;
};

// The purpose rank used for deduplication (higher wins).
int PurposeRank(v1::RecipientPurpose purpose);

// The scope that applies to `line` of `directive`: the line's own, else the
// directive's dissemination scope for ACT lines, else RECIPIENTS_ONLY.
v1::DisseminationScope EffectiveScope(const v1::Directive& directive,
                                      const v1::DirectiveRecipient& line);

// Whether a listed line must acknowledge: its acknowledgement_duty, else
// its purpose's default (ACT and COORDINATE).
bool ListedAcknowledgementRequired(const v1::DirectiveRecipient& line);

// Expands `directive`'s recipients and dissemination over `tree` on `day`.
// Errors: INVALID_ARGUMENT naming `recipients[i]...` for a line without a
// purpose or target, or whose organisation (or selector root, committee
// organisation) did not exist on `day` (dissolved, not yet created);
// `dissemination.under_organizations[i]` likewise; FAILED_PRECONDITION
// rule `directive.fan_out.limit` when more than options.max_deliveries.
// Organisations reached by dissemination are party organisations only
// (departments and mass organisations below are not disseminated to).
absl::StatusOr<RecipientExpansion> ExpandRecipients(
    const v1::Directive& directive, const OrgTree& tree, absl::CivilDay day,
    const ExpandOptions& options = {});

}  // namespace partydev::notification::domain

#endif  // PARTYDEV_SERVICES_NOTIFICATION_DOMAIN_RECIPIENTS_H_
