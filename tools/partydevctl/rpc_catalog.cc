#include "tools/partydevctl/rpc_catalog.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"

namespace partydev::ctl {

namespace pb = google::protobuf;

std::string KebabCase(absl::string_view camel) {
  std::string out;
  for (size_t i = 0; i < camel.size(); ++i) {
    const char c = camel[i];
    if (std::isupper(static_cast<unsigned char>(c))) {
      if (i > 0) out += '-';
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      out += c;
    }
  }
  return out;
}

std::map<std::string, std::vector<RpcCommand>> LoadCatalog(
    absl::string_view proto_files) {
  std::map<std::string, std::vector<RpcCommand>> groups;
  // The packages people call; storage and testing are internal.
  const std::set<std::string> kPublic = {"membership", "quota", "notification"};
  for (absl::string_view name : absl::StrSplit(proto_files, ',')) {
    const pb::FileDescriptor* file =
        pb::DescriptorPool::generated_pool()->FindFileByName(std::string(name));
    if (file == nullptr) continue;
    std::vector<std::string> package = absl::StrSplit(file->package(), '.');
    if (package.size() < 2 || package[0] != "partydev" ||
        kPublic.count(package[1]) == 0) {
      continue;
    }
    for (int s = 0; s < file->service_count(); ++s) {
      const pb::ServiceDescriptor* service = file->service(s);
      for (int m = 0; m < service->method_count(); ++m) {
        const pb::MethodDescriptor* method = service->method(m);
        if (method->client_streaming() || method->server_streaming()) continue;
        groups[package[1]].push_back({KebabCase(method->name()), method});
      }
    }
  }
  for (auto& [group, commands] : groups) {
    std::sort(commands.begin(), commands.end(),
              [](const RpcCommand& a, const RpcCommand& b) {
                return a.name < b.name;
              });
  }
  return groups;
}

}  // namespace partydev::ctl
