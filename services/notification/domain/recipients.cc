#include "services/notification/domain/recipients.h"

#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/errors.h"

namespace partydev::notification::domain {
namespace {

using events::v1::OrganizationSnapshot;

// Adds targets, keeping one per (kind, target) with the strongest purpose.
class TargetSet {
 public:
  explicit TargetSet(size_t expected) {
    targets_.reserve(expected);
    index_.reserve(expected);
  }

  void Add(DeliveryTarget target) {
    std::string key =
        absl::StrCat(static_cast<int>(target.kind), "|", target.target, "|",
                     static_cast<int>(target.committee_body));
    auto [it, inserted] = index_.try_emplace(std::move(key), targets_.size());
    if (inserted) {
      targets_.push_back(std::move(target));
      return;
    }
    DeliveryTarget& kept = targets_[it->second];
    const bool ack =
        kept.acknowledgement_required || target.acknowledgement_required;
    const bool listed = kept.origin == v1::DELIVERY_ORIGIN_LISTED ||
                        target.origin == v1::DELIVERY_ORIGIN_LISTED;
    const bool stronger =
        PurposeRank(target.purpose) > PurposeRank(kept.purpose);
    const bool promotes =
        target.origin == v1::DELIVERY_ORIGIN_LISTED &&
        kept.origin == v1::DELIVERY_ORIGIN_DISSEMINATED &&
        PurposeRank(target.purpose) >= PurposeRank(kept.purpose);
    if (stronger || promotes) kept = std::move(target);
    kept.acknowledgement_required = ack;
    if (listed && kept.origin != v1::DELIVERY_ORIGIN_LISTED) {
      kept.origin = v1::DELIVERY_ORIGIN_LISTED;
      kept.disseminated_under.clear();
    }
  }

  void Reserve(size_t n) {
    targets_.reserve(n);
    index_.reserve(n);
  }
  size_t size() const { return targets_.size(); }
  std::vector<DeliveryTarget> Take() { return std::move(targets_); }

 private:
  std::vector<DeliveryTarget> targets_;
  absl::flat_hash_map<std::string, size_t> index_;
};

bool HasAnyTag(const OrganizationSnapshot& org,
               const v1::OrganizationSelector& selector) {
  if (selector.sector_tags().empty()) return true;
  for (int want : selector.sector_tags()) {
    for (int have : org.sector_tags()) {
      if (want == have) return true;
    }
  }
  return false;
}

bool KindMatches(const OrganizationSnapshot& org,
                 const v1::OrganizationSelector& selector) {
  if (selector.kinds().empty()) return true;
  for (const std::string& kind : selector.kinds()) {
    if (kind == org.kind()) return true;
  }
  return false;
}

struct Expander {
  Expander(const v1::Directive& d, const OrgTree& t, absl::CivilDay on,
           const ExpandOptions& o)
      : directive(d), tree(t), day(on), options(o) {}

  const v1::Directive& directive;
  const OrgTree& tree;
  absl::CivilDay day;
  const ExpandOptions& options;
  TargetSet listed{static_cast<size_t>(directive.recipients_size())};
  // Disseminated targets, added after the listed ones.
  std::vector<DeliveryTarget> disseminated;
  FieldChecker check;

  std::string LabelOf(const std::string& org) const {
    const OrganizationSnapshot* s = tree.On(org, day);
    return s == nullptr || s->display_name().empty() ? org : s->display_name();
  }

  // Adds the organisations below `root` (not `root` itself) that `scope`
  // reaches.
  void Disseminate(const std::string& root, v1::DisseminationScope scope,
                   const std::string& line_key, bool ack_required) {
    if (scope == v1::DISSEMINATION_SCOPE_CELLS) {
      std::vector<std::string> below = tree.SubtreeOn(root, day);
      disseminated.reserve(disseminated.size() + below.size());
      for (size_t i = 1; i < below.size(); ++i) {
        AddDisseminated(std::move(below[i]), root, line_key, ack_required);
      }
    } else if (scope == v1::DISSEMINATION_SCOPE_GRASSROOTS) {
      // Depth first, stopping below grassroots organisations.
      std::vector<std::string> stack = tree.ChildrenOn(root, day);
      while (!stack.empty()) {
        std::string org = std::move(stack.back());
        stack.pop_back();
        const OrganizationSnapshot* s = tree.On(org, day);
        if (s == nullptr) continue;
        if (!options.grassroots_levels.contains(s->level())) {
          std::vector<std::string> children = tree.ChildrenOn(org, day);
          for (auto it = children.rbegin(); it != children.rend(); ++it) {
            stack.push_back(std::move(*it));
          }
        }
        AddDisseminated(std::move(org), root, line_key, ack_required);
      }
    }
  }

  void AddDisseminated(std::string org, const std::string& under,
                       const std::string& line_key, bool ack_required) {
    const OrganizationSnapshot* s = tree.On(org, day);
    if (s == nullptr || !s->is_party_organization()) return;
    DeliveryTarget t;
    t.kind = TargetKind::kOrganization;
    t.label = s->display_name().empty() ? org : s->display_name();
    t.target = std::move(org);
    t.purpose = v1::RECIPIENT_PURPOSE_ACT;
    t.origin = v1::DELIVERY_ORIGIN_DISSEMINATED;
    t.recipient_key = line_key;
    t.disseminated_under = under;
    t.acknowledgement_required = ack_required;
    disseminated.push_back(std::move(t));
  }

  bool Exists(const std::string& org, const std::string& field) {
    if (tree.On(org, day) != nullptr) return true;
    check.Add(field,
              tree.Known(org)
                  ? absl::StrCat(org, " did not exist on ", FormatDay(day),
                                 " (dissolved, merged or not yet "
                                 "created)")
                  : absl::StrCat(org,
                                 " is not in the organisation "
                                 "tree"));
    return false;
  }

  void Line(int i, const v1::DirectiveRecipient& line) {
    const std::string field = absl::StrCat("recipients[", i, "]");
    if (line.purpose() == v1::RECIPIENT_PURPOSE_UNSPECIFIED) {
      check.Add(field + ".purpose", "is required");
      return;
    }
    const bool ack = ListedAcknowledgementRequired(line);
    const v1::DisseminationScope scope = EffectiveScope(directive, line);
    const bool ack_below = directive.dissemination().acknowledgement_required();
    DeliveryTarget t;
    t.purpose = line.purpose();
    t.recipient_key = line.key();
    t.acknowledgement_required = ack;
    switch (line.target_case()) {
      case v1::DirectiveRecipient::kOrganization: {
        if (!Exists(line.organization(), field + ".organization")) return;
        t.kind = TargetKind::kOrganization;
        t.target = line.organization();
        t.label = line.label().empty() ? LabelOf(t.target) : line.label();
        listed.Add(std::move(t));
        Disseminate(line.organization(), scope, line.key(), ack_below);
        return;
      }
      case v1::DirectiveRecipient::kPerson:
        t.kind = TargetKind::kPerson;
        t.target = line.person();
        t.label = line.label();
        listed.Add(std::move(t));
        return;
      case v1::DirectiveRecipient::kRecipient:
        t.kind = TargetKind::kRecipient;
        t.target = line.recipient();
        t.label = line.label();
        listed.Add(std::move(t));
        return;
      case v1::DirectiveRecipient::kCommitteeMembers: {
        const v1::CommitteeMembers& members = line.committee_members();
        if (!Exists(members.organization(),
                    field + ".committee_members.organization")) {
          return;
        }
        if (members.body() == v1::COMMITTEE_BODY_UNSPECIFIED) {
          check.Add(field + ".committee_members.body", "is required");
          return;
        }
        t.kind = TargetKind::kCommitteeMembers;
        t.target = members.organization();
        t.committee_body = members.body();
        t.label = line.label();
        listed.Add(std::move(t));
        return;
      }
      case v1::DirectiveRecipient::kOrganizations: {
        const v1::OrganizationSelector& selector = line.organizations();
        if (!Exists(selector.under(), field + ".organizations.under")) return;
        std::vector<std::string> matches =
            selector.direct_children_only()
                ? tree.ChildrenOn(selector.under(), day)
                : tree.SubtreeOn(selector.under(), day);
        for (std::string& org : matches) {
          if (org == selector.under()) continue;
          const OrganizationSnapshot* s = tree.On(org, day);
          if (s == nullptr || !KindMatches(*s, selector) ||
              !HasAnyTag(*s, selector)) {
            continue;
          }
          DeliveryTarget m = t;
          m.kind = TargetKind::kOrganization;
          m.label = s->display_name().empty() ? org : s->display_name();
          m.target = org;
          listed.Add(std::move(m));
          Disseminate(org, scope, line.key(), ack_below);
        }
        return;
      }
      default:
        check.Add(field,
                  "a target (organization, person, "
                  "committee_members, organizations or recipient) is "
                  "required");
    }
  }
};

}  // namespace

int PurposeRank(v1::RecipientPurpose purpose) {
  switch (purpose) {
    case v1::RECIPIENT_PURPOSE_ACT:
      return 6;
    case v1::RECIPIENT_PURPOSE_COORDINATE:
      return 5;
    case v1::RECIPIENT_PURPOSE_DIRECT:
      return 4;
    case v1::RECIPIENT_PURPOSE_REPORT_TO:
      return 3;
    case v1::RECIPIENT_PURPOSE_INFORM:
      return 2;
    case v1::RECIPIENT_PURPOSE_ARCHIVE:
      return 1;
    default:
      return 0;
  }
}

v1::DisseminationScope EffectiveScope(const v1::Directive& directive,
                                      const v1::DirectiveRecipient& line) {
  if (line.dissemination() != v1::DISSEMINATION_SCOPE_UNSPECIFIED) {
    return line.dissemination();
  }
  if (line.purpose() == v1::RECIPIENT_PURPOSE_ACT &&
      directive.dissemination().scope() !=
          v1::DISSEMINATION_SCOPE_UNSPECIFIED) {
    return directive.dissemination().scope();
  }
  return v1::DISSEMINATION_SCOPE_RECIPIENTS_ONLY;
}

bool ListedAcknowledgementRequired(const v1::DirectiveRecipient& line) {
  switch (line.acknowledgement_duty()) {
    case v1::ACKNOWLEDGEMENT_DUTY_REQUIRED:
      return true;
    case v1::ACKNOWLEDGEMENT_DUTY_NOT_REQUIRED:
      return false;
    default:
      return line.purpose() == v1::RECIPIENT_PURPOSE_ACT ||
             line.purpose() == v1::RECIPIENT_PURPOSE_COORDINATE;
  }
}

absl::StatusOr<RecipientExpansion> ExpandRecipients(
    const v1::Directive& directive, const OrgTree& tree, absl::CivilDay day,
    const ExpandOptions& options) {
  Expander expander(directive, tree, day, options);
  RecipientExpansion out;
  for (int i = 0; i < directive.recipients_size(); ++i) {
    const v1::DirectiveRecipient& line = directive.recipients(i);
    expander.Line(i, line);
    if (line.addressee() && !line.label().empty()) {
      out.addressees.push_back(line.label());
    }
  }
  const v1::Dissemination& dissemination = directive.dissemination();
  const v1::DisseminationScope extra_scope = dissemination.scope();
  for (int i = 0; i < dissemination.under_organizations_size(); ++i) {
    const std::string& org = dissemination.under_organizations(i);
    if (!expander.Exists(
            org, absl::StrCat("dissemination.under_organizations[", i, "]"))) {
      continue;
    }
    expander.Disseminate(org, extra_scope, "",
                         dissemination.acknowledgement_required());
  }
  if (!expander.check.ok()) return expander.check.status();
  TargetSet& all = expander.listed;
  all.Reserve(all.size() + expander.disseminated.size());
  for (DeliveryTarget& t : expander.disseminated) all.Add(std::move(t));
  if (options.max_deliveries > 0 &&
      all.size() > static_cast<size_t>(options.max_deliveries)) {
    return RulesViolated(
        {{"directive.fan_out.limit", directive.name(),
          absl::StrCat("Văn bản sẽ gửi đến ", all.size(),
                       " nơi nhận, vượt giới hạn ", options.max_deliveries,
                       " của bộ quy tắc; cần quản trị viên ban hành.")}});
  }
  out.targets = all.Take();
  return out;
}

}  // namespace partydev::notification::domain
