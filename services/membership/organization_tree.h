// File: services/membership/organization_tree.h
//
// The rules of the organisation tree (domain.md "Organisation tree"), pure:
// levels and kinds are data from the rule set in force, so the pre-2025 tree
// (province → district or bloc → grassroots → cell) and the post-2025 tree
// (central → province → commune → grassroots → cell) are checked by the
// same code. Every check returns every unmet rule, with the rule ids the
// contract names (tree.kind_unknown, tree.level_not_allowed,
// tree.cell_has_no_children, tree.no_cycle, ...).

#ifndef PARTYDEV_SERVICES_MEMBERSHIP_ORGANIZATION_TREE_H_
#define PARTYDEV_SERVICES_MEMBERSHIP_ORGANIZATION_TREE_H_

#include <string>
#include <vector>

#include "common/errors.h"
#include "partydev/membership/v1/organizations.pb.h"
#include "partydev/membership/v1/rules.pb.h"

namespace partydev::membership {

using v1::Organization;
using v1::OrganizationRules;

// Fills the fields derived from the vocabulary (organization_class,
// grassroots) and the parent (parent, path, depth) of `org`. `parent` is
// null for a root.
void DeriveStructure(const OrganizationRules& rules, const Organization* parent,
                     Organization& org);

// The rules an organisation of `org.kind()` and `org.level()` must meet to
// sit under `parent` (null: a root). Checks that the kind and level are in
// the vocabulary, the kind may have that level, the level may sit under the
// parent's level, nothing but an attached unit sits under a cell, nothing
// sits under a department or a mass organisation, and the parent is active.
std::vector<RuleViolation> CheckPlacement(const OrganizationRules& rules,
                                          const Organization& org,
                                          const Organization* parent);

// The rules of moving `org` under `new_parent`: its placement there, and no
// cycle (the new parent is not the organisation or one of its descendants).
std::vector<RuleViolation> CheckMove(const OrganizationRules& rules,
                                     const Organization& org,
                                     const Organization& new_parent);

// The rules of dissolving `org` that has `active_children` and
// `active_people` (people whose home affiliation there is open): refused
// while anything remains unless a receiving organisation is given
// (`tree.dissolve_not_empty`, DissolveOrganizationRequest).
std::vector<RuleViolation> CheckDissolve(const Organization& org,
                                         int active_children, int active_people,
                                         bool has_receiver);

// True when `org` is `ancestor` or lies in its subtree (by path).
bool IsWithin(const Organization& org, const Organization& ancestor);

// The rules of an organisation `receiver` that takes over what `from`
// holds (merge, split part, dissolution's receiving organisation), named
// as `field`: it is active, it is not `from` nor in its subtree
// (`tree.no_cycle`), and when it receives people it is a cell (people
// belong to a cell or grassroots cell, domain.md; `tree.people_in_cells`).
std::vector<RuleViolation> CheckReceiver(const Organization& from,
                                         const Organization& receiver,
                                         bool receives_people,
                                         const std::string& field);

// The rules of merging `sources` into `receiver`
// (MergeOrganizationsRequest): each source is active, distinct, not the
// receiver, of the receiver's class and level ("cells into a cell,
// committees into a committee"), and neither the receiver nor another
// source lies in a source's subtree (`tree.no_cycle`).
std::vector<RuleViolation> CheckMerge(const Organization& receiver,
                                      const std::vector<Organization>& sources);

// The materialized path of `org` as stored in the path index: its ids root
// first, joined by '!', which sorts before every id character, so that a
// subtree is one contiguous range in depth-first order.
std::string PathKey(const Organization& org);

// "organizations/{id}" -> "{id}" (empty when not of that form).
std::string OrganizationId(const std::string& name);

}  // namespace partydev::membership

#endif  // PARTYDEV_SERVICES_MEMBERSHIP_ORGANIZATION_TREE_H_
