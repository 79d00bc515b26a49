// Checks the v1 contracts against the conventions of protos/README.md (the
// Google AIPs), on the descriptors compiled into partydev_protos, so that a
// later change that breaks a convention fails here.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "google/api/annotations.pb.h"
#include "google/protobuf/descriptor.h"

namespace partydev {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::DescriptorPool;
using google::protobuf::FieldDescriptor;
using google::protobuf::FileDescriptor;
using google::protobuf::MethodDescriptor;

std::vector<const FileDescriptor*> Files() {
  std::vector<const FileDescriptor*> files;
  for (absl::string_view name : absl::StrSplit(PARTYDEV_PROTO_FILES, ',')) {
    const FileDescriptor* file =
        DescriptorPool::generated_pool()->FindFileByName(std::string(name));
    EXPECT_NE(file, nullptr) << name << " is not linked in";
    if (file != nullptr) files.push_back(file);
  }
  return files;
}

std::vector<const MethodDescriptor*> PublicMethods() {
  std::vector<const MethodDescriptor*> methods;
  for (const FileDescriptor* file : Files()) {
    if (absl::StartsWith(file->package(), "partydev.testing")) continue;
    for (int s = 0; s < file->service_count(); ++s) {
      for (int m = 0; m < file->service(s)->method_count(); ++m) {
        methods.push_back(file->service(s)->method(m));
      }
    }
  }
  return methods;
}

TEST(ContractsTest, EachServicePackageHasServices) {
  std::set<std::string> packages;
  for (const MethodDescriptor* m : PublicMethods()) {
    packages.insert(m->service()->file()->package());
  }
  EXPECT_TRUE(packages.count("partydev.membership.v1"));
  EXPECT_TRUE(packages.count("partydev.quota.v1"));
  EXPECT_TRUE(packages.count("partydev.notification.v1"));
  EXPECT_GT(PublicMethods().size(), 150u);
}

TEST(ContractsTest, EveryRpcHasAnHttpAnnotationUnderV1) {
  std::set<std::string> routes;
  for (const MethodDescriptor* m : PublicMethods()) {
    ASSERT_TRUE(m->options().HasExtension(google::api::http)) << m->full_name();
    const google::api::HttpRule& rule =
        m->options().GetExtension(google::api::http);
    std::string verb, path;
    switch (rule.pattern_case()) {
      case google::api::HttpRule::kGet:
        verb = "GET";
        path = rule.get();
        break;
      case google::api::HttpRule::kPost:
        verb = "POST";
        path = rule.post();
        break;
      case google::api::HttpRule::kPatch:
        verb = "PATCH";
        path = rule.patch();
        break;
      case google::api::HttpRule::kDelete:
        verb = "DELETE";
        path = rule.delete_();
        break;
      case google::api::HttpRule::kPut:
        verb = "PUT";
        path = rule.put();
        break;
      default:
        ADD_FAILURE() << m->full_name() << " has no HTTP pattern";
    }
    EXPECT_TRUE(absl::StartsWith(path, "/v1/"))
        << m->full_name() << ": " << path;
    EXPECT_TRUE(routes.insert(verb + " " + path).second)
        << m->full_name() << " reuses " << verb << " " << path;
    if (verb == "GET" || verb == "DELETE") {
      EXPECT_TRUE(rule.body().empty())
          << m->full_name() << ": GET/DELETE with a body";
    }
  }
}

TEST(ContractsTest, NoGetResponseMessages) {  // AIP-131
  for (const MethodDescriptor* m : PublicMethods()) {
    if (!absl::StartsWith(m->name(), "Get")) continue;
    EXPECT_FALSE(absl::EndsWith(m->output_type()->name(), "Response"))
        << m->full_name() << " returns " << m->output_type()->full_name();
  }
}

TEST(ContractsTest, ListMethodsPage) {  // AIP-132, AIP-158
  for (const MethodDescriptor* m : PublicMethods()) {
    if (!absl::StartsWith(m->name(), "List") || m->client_streaming() ||
        m->server_streaming()) {
      continue;
    }
    const Descriptor* request = m->input_type();
    const FieldDescriptor* size = request->FindFieldByName("page_size");
    ASSERT_NE(size, nullptr) << m->full_name();
    EXPECT_EQ(size->type(), FieldDescriptor::TYPE_INT32) << m->full_name();
    EXPECT_NE(request->FindFieldByName("page_token"), nullptr)
        << m->full_name();
    EXPECT_NE(m->output_type()->FindFieldByName("next_page_token"), nullptr)
        << m->full_name();
  }
}

// Custom methods that POST a request but change nothing (dry runs,
// renderings); they need no request_id.
bool IsReadOnlyCustomMethod(const MethodDescriptor* m) {
  for (absl::string_view verb : {"Preview", "Render"}) {
    if (absl::StartsWith(m->name(), verb)) return true;
  }
  return false;
}

TEST(ContractsTest, MutationsTakeARequestId) {  // AIP-155
  for (const MethodDescriptor* m : PublicMethods()) {
    const google::api::HttpRule& rule =
        m->options().GetExtension(google::api::http);
    if (rule.pattern_case() == google::api::HttpRule::kGet ||
        IsReadOnlyCustomMethod(m)) {
      continue;
    }
    const Descriptor* request = m->input_type();
    bool has_request_id = request->FindFieldByName("request_id") != nullptr;
    // A client-streaming import carries it in its first (header) message.
    for (int i = 0; !has_request_id && i < request->field_count(); ++i) {
      const Descriptor* inner = request->field(i)->message_type();
      has_request_id =
          inner != nullptr && inner->FindFieldByName("request_id") != nullptr;
    }
    EXPECT_TRUE(has_request_id) << m->full_name();
  }
}

TEST(ContractsTest, EnumsStartWithUnspecified) {
  for (const FileDescriptor* file : Files()) {
    std::vector<const google::protobuf::EnumDescriptor*> enums;
    for (int i = 0; i < file->enum_type_count(); ++i)
      enums.push_back(file->enum_type(i));
    std::vector<const Descriptor*> stack;
    for (int i = 0; i < file->message_type_count(); ++i)
      stack.push_back(file->message_type(i));
    while (!stack.empty()) {
      const Descriptor* d = stack.back();
      stack.pop_back();
      for (int i = 0; i < d->enum_type_count(); ++i)
        enums.push_back(d->enum_type(i));
      for (int i = 0; i < d->nested_type_count(); ++i)
        stack.push_back(d->nested_type(i));
    }
    for (const auto* e : enums) {
      ASSERT_GT(e->value_count(), 0);
      EXPECT_EQ(e->value(0)->number(), 0) << e->full_name();
      EXPECT_TRUE(absl::EndsWith(e->value(0)->name(), "_UNSPECIFIED"))
          << e->full_name();
    }
  }
}

TEST(ContractsTest, ResourcesHaveANameFirst) {  // AIP-122
  for (const MethodDescriptor* m : PublicMethods()) {
    if (!absl::StartsWith(m->name(), "Get")) continue;
    const FieldDescriptor* name = m->output_type()->FindFieldByNumber(1);
    if (m->output_type()->FindFieldByName("name") == nullptr)
      continue;  // reports
    ASSERT_NE(name, nullptr) << m->output_type()->full_name();
    EXPECT_EQ(name->name(), "name") << m->output_type()->full_name();
  }
}

}  // namespace
}  // namespace partydev
