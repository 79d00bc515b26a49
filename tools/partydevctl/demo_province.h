// File: tools/partydevctl/demo_province.h
//
// A demo province, generated deterministically from a seed, as the public
// calls that load it (issue #8: "loaded through the public API, not by
// writing Redis keys"; people in bulk through the CSV import, one
// ImportCsv per grassroots organisation, everything without a CSV form by
// its RPC): the provincial committee of Lâm Đồng and its
// agencies bloc (Đảng ủy Khối, as in letter 1849-CV/ĐUK) with grassroots
// organisations (colleges and a university among them) and their cells;
// official members and candidates in every cell; the congress terms, the
// bloc's term target and its allocation to the grassroots organisations;
// and the bloc's letter urging party development, issued to every
// grassroots organisation for dissemination to every cell.
//
// The same seed and size give the same calls, names and ids, so a demo
// can be reloaded (a second load finds everything and skips it) and a
// scenario can name what it expects.
//
//   for (const DemoCall& call : DemoProvince({.seed = 1})) { ... }

#ifndef PARTYDEV_TOOLS_PARTYDEVCTL_DEMO_PROVINCE_H_
#define PARTYDEV_TOOLS_PARTYDEVCTL_DEMO_PROVINCE_H_

#include <cstdint>
#include <string>
#include <vector>

namespace partydev::ctl {

struct DemoSize {
  uint32_t seed = 1;
  // Grassroots organisations under the bloc.
  int grassroots = 6;
  // Cells in each grassroots organisation.
  int cells_per_grassroots = 3;
  // Official members in each cell (more or less by up to a third).
  int members_per_cell = 12;
  // Candidates in each cell.
  int candidates_per_cell = 3;
};

// The sizes by name: "small" (about 300 people, the README's run command),
// "district" (about 6,000), "city" (about 200,000 members).
bool DemoSizeByName(const std::string& name, DemoSize& size);

// One public call of the load.
struct DemoCall {
  // "partydev.membership.v1.OrganizationService/CreateOrganization".
  std::string method;
  // The request in proto3 JSON.
  std::string request_json;
  // What it loads, for the progress line ("organisations", "people"...).
  std::string stage;
  // A refusal that means the call was made by an earlier load (issuing a
  // letter that is already issued: FAILED_PRECONDITION, or ABORTED for the
  // draft's etag it had); ALREADY_EXISTS always means so.
  bool done_if_refused = false;
  // The request takes the `etag` of the previous call's response (issuing
  // the draft just created: the issuer names the version reviewed).
  bool etag_from_previous = false;
  // For AdministrationService/ImportCsv: request_json is the first
  // message (the header) and `csv` the file streamed after it.
  std::string csv;
  // Records the call loads (a CSV import's rows; 1 otherwise): what the
  // progress bar counts.
  int64_t records = 1;
};

// Every call that loads the demo, in an order that works (parents before
// children, the tree before the people and the targets).
std::vector<DemoCall> DemoProvince(const DemoSize& size);

}  // namespace partydev::ctl

#endif  // PARTYDEV_TOOLS_PARTYDEVCTL_DEMO_PROVINCE_H_
