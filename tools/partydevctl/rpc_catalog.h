// File: tools/partydevctl/rpc_catalog.h
//
// The RPCs partydevctl offers: every unary method of every public partydev
// service (membership, quota, notification), read from the contracts
// linked into the binary, so a new RPC is a new command without a line of
// code. Commands are grouped by service package and named by the method in
// kebab case: partydev.membership.v1.PersonService/ListPeople is
// `partydevctl membership list-people`.

#ifndef PARTYDEV_TOOLS_PARTYDEVCTL_RPC_CATALOG_H_
#define PARTYDEV_TOOLS_PARTYDEVCTL_RPC_CATALOG_H_

#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace partydev::ctl {

// A command: one RPC.
struct RpcCommand {
  std::string name;  // "list-people"
  const google::protobuf::MethodDescriptor* method = nullptr;
};

// Groups ("membership", "quota", "notification") → their commands, sorted
// by name. `proto_files` are the contract files ("partydev/membership/v1/
// people.proto", ...), comma-separated.
std::map<std::string, std::vector<RpcCommand>> LoadCatalog(
    absl::string_view proto_files);

// "ListPeople" → "list-people"; "GetMyOverview" → "get-my-overview".
std::string KebabCase(absl::string_view camel);

}  // namespace partydev::ctl

#endif  // PARTYDEV_TOOLS_PARTYDEVCTL_RPC_CATALOG_H_
