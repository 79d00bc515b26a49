// The REST gateway (deploy/gateway, grpc-gateway 1.6.4) in front of the real
// services: redis-server, membershipd, quotad and notifyd in JWT mode and
// partydev-gateway, all as processes, called with a real HTTP client
// (libcurl). Skipped only when the gateway was not built (no Go).
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <jwt.h>
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "tests/support/process.h"
#include "tests/support/redis_server.h"

namespace partydev {
namespace {

using nlohmann::json;
using testing::BinaryPath;
using testing::FreePort;
using testing::Process;
using testing::RedisServer;

constexpr char kSecret[] = "0123456789abcdef0123456789abcdef-gateway-test";
constexpr char kIssuer[] = "https://sso.partydev.test";
constexpr char kAudience[] = "partydev";

struct Response {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  json Json() const { return json::parse(body, nullptr, false); }
};

size_t AppendBody(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

size_t AppendHeader(char* data, size_t size, size_t n, void* out) {
  std::string line(data, size * n);
  const size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(tolower(c));
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    value.erase(value.find_last_not_of("\r\n") + 1);
    (*static_cast<std::map<std::string, std::string>*>(out))[name] = value;
  }
  return size * n;
}

// A signed token as the single sign-on would issue it.
std::string Token(const std::string& subject, const std::string& org,
                  const std::string& roles_json, const std::string& key) {
  jwt_t* jwt = nullptr;
  jwt_new(&jwt);
  jwt_add_grant(jwt, "iss", kIssuer);
  jwt_add_grant(jwt, "sub", subject.c_str());
  if (!org.empty()) jwt_add_grant(jwt, "org", org.c_str());
  jwt_add_grant_int(jwt, "exp",
                    absl::ToUnixSeconds(absl::Now() + absl::Minutes(10)));
  jwt_add_grants_json(jwt, absl::StrCat("{\"aud\":\"", kAudience,
                                        "\",\"roles\":", roles_json, "}")
                               .c_str());
  jwt_set_alg(jwt, JWT_ALG_HS256,
              reinterpret_cast<const unsigned char*>(key.data()),
              static_cast<int>(key.size()));
  char* encoded = jwt_encode_str(jwt);
  std::string out = encoded != nullptr ? encoded : "";
  free(encoded);
  jwt_free(jwt);
  return out;
}

class GatewayTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    struct stat st;
    built_ = stat(BinaryPath("partydev-gateway").c_str(), &st) == 0;
    if (!built_) return;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    redis_ = new RedisServer();
    ASSERT_TRUE(redis_->Start().ok());
    dir_ = testing::MakeTempDir("partydev-gateway");
    const std::string key_file = dir_ + "/jwt.key";
    std::ofstream(key_file) << kSecret;
    const std::vector<std::string> auth = {
        "--auth=jwt", absl::StrCat("--jwt_issuer=", kIssuer),
        absl::StrCat("--jwt_audience=", kAudience),
        absl::StrCat("--jwt_key_file=", key_file)};
    std::map<std::string, std::string> addresses;
    for (const char* name : {"membershipd", "quotad", "notifyd"}) {
      const std::string address = absl::StrCat("127.0.0.1:", FreePort());
      std::vector<std::string> args = {
          absl::StrCat("--listen=", address),
          absl::StrCat("--metrics_listen=127.0.0.1:", FreePort())};
      args.insert(args.end(), auth.begin(), auth.end());
      auto* process = new Process();
      ASSERT_TRUE(process
                      ->Start(BinaryPath(name), args,
                              {{"PARTYDEV_REDIS", redis_->url()},
                               {"PARTYDEV_HEALTH_INTERVAL_MS", "200"}},
                              absl::StrCat(dir_, "/", name, ".log"))
                      .ok());
      services_.push_back(process);
      addresses[name] = address;
    }
    base_ = absl::StrCat("http://127.0.0.1:", FreePort());
    gateway_ = new Process();
    ASSERT_TRUE(
        gateway_
            ->Start(BinaryPath("partydev-gateway"),
                    {absl::StrCat("--listen=", base_.substr(7)),
                     absl::StrCat("--membership=", addresses["membershipd"]),
                     absl::StrCat("--quota=", addresses["quotad"]),
                     absl::StrCat("--notification=", addresses["notifyd"]),
                     "--drain_seconds=5"},
                    {}, absl::StrCat(dir_, "/gateway.log"))
            .ok());
    // Ready when /healthz says every backend is SERVING.
    const absl::Time until = absl::Now() + absl::Seconds(30);
    while (absl::Now() < until && Call("GET", "/healthz").status != 200) {
      absl::SleepFor(absl::Milliseconds(100));
    }
  }

  static void TearDownTestSuite() {
    if (!built_) return;
    delete gateway_;  // the gateway first, then its backends
    gateway_ = nullptr;
    for (Process* p : services_) delete p;
    services_.clear();
    delete redis_;
    redis_ = nullptr;
    testing::RemoveTree(dir_);
    curl_global_cleanup();
  }

  void SetUp() override {
    if (!built_) {
      GTEST_SKIP() << BinaryPath("partydev-gateway")
                   << " was not built (no Go: apt-get install golang-go)";
    }
    ASSERT_NE(gateway_, nullptr) << "the suite's processes did not start";
    ASSERT_EQ(Call("GET", "/healthz").status, 200) << gateway_->Log();
    admin_ = Token("people/admin", "", R"(["admin","personal_data"])", kSecret);
  }

  static Response Call(const std::string& method, const std::string& path,
                       const std::string& token = "",
                       const std::string& body = "",
                       const std::vector<std::string>& headers = {}) {
    Response response;
    CURL* curl = curl_easy_init();
    const std::string url = base_ + path;
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, AppendHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);
    curl_slist* list = nullptr;
    if (!token.empty()) {
      list = curl_slist_append(
          list, absl::StrCat("Authorization: Bearer ", token).c_str());
    }
    for (const std::string& h : headers)
      list = curl_slist_append(list, h.c_str());
    if (!body.empty()) {
      list = curl_slist_append(list, "Content-Type: application/json");
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    if (curl_easy_perform(curl) == CURLE_OK) {
      curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
    }
    curl_slist_free_all(list);
    curl_easy_cleanup(curl);
    return response;
  }

  // Creates an organisation as admin through REST; returns the response.
  Response CreateOrganization(const std::string& parent, const std::string& id,
                              const std::string& display,
                              const std::string& kind,
                              const std::string& level) {
    json org = {{"display_name", display},
                {"kind", kind},
                {"level", level},
                {"valid_from", {{"year", 2025}, {"month", 7}, {"day", 1}}}};
    if (!parent.empty()) org["parent"] = parent;
    return Call("POST", "/v1/organizations?organization_id=" + id, admin_,
                org.dump());
  }

  // A root with three communes under it, ids prefixed by `prefix`.
  void CreateTree(const std::string& prefix) {
    Response root = CreateOrganization("", prefix, "Đảng bộ tỉnh Lâm Đồng",
                                       "PROVINCIAL_COMMITTEE", "PROVINCE");
    ASSERT_EQ(root.status, 200) << root.body;
    for (int i = 1; i <= 3; ++i) {
      Response child = CreateOrganization(
          "organizations/" + prefix, absl::StrCat(prefix, "-xa-", i),
          absl::StrCat("Đảng bộ xã ", i), "COMMUNE_COMMITTEE", "COMMUNE");
      ASSERT_EQ(child.status, 200) << child.body;
    }
  }

  static json DetailOfType(const json& error, const std::string& type) {
    for (const json& detail : error.value("details", json::array())) {
      if (detail.value("@type", "") == "type.googleapis.com/" + type) {
        return detail;
      }
    }
    return json();
  }

  static bool built_;
  static RedisServer* redis_;
  static std::vector<Process*> services_;
  static Process* gateway_;
  static std::string dir_;
  static std::string base_;
  std::string admin_;
};

bool GatewayTest::built_ = false;
RedisServer* GatewayTest::redis_ = nullptr;
std::vector<Process*> GatewayTest::services_;
Process* GatewayTest::gateway_ = nullptr;
std::string GatewayTest::dir_;
std::string GatewayTest::base_;

TEST_F(GatewayTest, CreatesGetsAndListsWithPageTokens) {
  ASSERT_NO_FATAL_FAILURE(CreateTree("crud"));
  Response got = Call("GET", "/v1/organizations/crud-xa-2", admin_);
  ASSERT_EQ(got.status, 200) << got.body;
  json org = got.Json();
  EXPECT_EQ(org["name"], "organizations/crud-xa-2");
  EXPECT_EQ(org["display_name"], "Đảng bộ xã 2");  // UTF-8 kept
  EXPECT_EQ(org["parent"], "organizations/crud");
  EXPECT_EQ(org["state"], "ORGANIZATION_STATE_ACTIVE");  // enums by name
  EXPECT_EQ(org["depth"], 1);
  EXPECT_EQ(org["valid_from"],
            json({{"year", 2025}, {"month", 7}, {"day", 1}}));
  // Timestamps in RFC 3339, UTC.
  EXPECT_TRUE(std::regex_match(org["create_stamp"]["time"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT[0-9:.]+Z)")))
      << org.dump();

  std::vector<std::string> names;
  std::string token;
  int pages = 0;
  do {
    Response page = Call(
        "GET",
        absl::StrCat("/v1/organizations?parent=organizations/crud&page_size=1",
                     token.empty() ? "" : "&page_token=", token),
        admin_);
    ASSERT_EQ(page.status, 200) << page.body;
    json list = page.Json();
    ASSERT_EQ(list["organizations"].size(), 1u) << page.body;
    names.push_back(list["organizations"][0]["name"]);
    EXPECT_EQ(list["total_size"], 3);
    token = list.value("next_page_token", "");
    ASSERT_LT(++pages, 10);
  } while (!token.empty());
  EXPECT_EQ(names, (std::vector<std::string>{"organizations/crud-xa-1",
                                             "organizations/crud-xa-2",
                                             "organizations/crud-xa-3"}));
}

TEST_F(GatewayTest, InvalidArgumentIs400WithTheFieldViolations) {
  Response refused =
      Call("POST", "/v1/organizations", admin_,
           R"({"kind":"CELL","level":"CELL","parent":"organizations/none"})");
  EXPECT_EQ(refused.status, 400);
  json error = refused.Json();
  EXPECT_EQ(error["code"], 3) << refused.body;
  EXPECT_EQ(error["status"], "INVALID_ARGUMENT");
  json bad_request = DetailOfType(error, "google.rpc.BadRequest");
  ASSERT_TRUE(bad_request.is_object()) << refused.body;
  std::set<std::string> fields;
  for (const json& v : bad_request["field_violations"])
    fields.insert(v["field"]);
  EXPECT_TRUE(fields.count("organization.display_name")) << refused.body;
  EXPECT_TRUE(fields.count("organization.valid_from")) << refused.body;
  EXPECT_EQ(DetailOfType(error, "google.rpc.ErrorInfo")["domain"],
            "partydev.vn");
}

TEST_F(GatewayTest, NoOrABadTokenIs401) {
  Response none = Call("GET", "/v1/organizations");
  EXPECT_EQ(none.status, 401) << none.body;
  EXPECT_EQ(none.Json()["status"], "UNAUTHENTICATED");
  EXPECT_EQ(DetailOfType(none.Json(), "google.rpc.ErrorInfo")["reason"],
            "UNAUTHENTICATED");
  const std::string forged = Token("people/admin", "", R"(["admin"])",
                                   "another-secret-another-secret-xx");
  EXPECT_EQ(Call("GET", "/v1/organizations", forged).status, 401);
  // The development headers are not an identity in JWT mode.
  EXPECT_EQ(Call("GET", "/v1/organizations", "", "",
                 {"x-partydev-sub: people/admin", "x-partydev-roles: admin"})
                .status,
            401);
}

TEST_F(GatewayTest, OutsideTheCallersSubtreeIs403) {
  ASSERT_NO_FATAL_FAILURE(CreateTree("perm"));
  const std::string reader = Token("people/reader", "organizations/perm-xa-1",
                                   R"(["reader"])", kSecret);
  EXPECT_EQ(Call("GET", "/v1/organizations/perm-xa-1", reader).status, 200);
  Response denied = Call("GET", "/v1/organizations/perm-xa-2", reader);
  EXPECT_EQ(denied.status, 403) << denied.body;
  EXPECT_EQ(denied.Json()["status"], "PERMISSION_DENIED");
  EXPECT_EQ(DetailOfType(denied.Json(), "google.rpc.ErrorInfo")["reason"],
            "OUTSIDE_SUBTREE")
      << denied.body;
}

TEST_F(GatewayTest, ServerStreamIsNewlineDelimitedJson) {
  ASSERT_NO_FATAL_FAILURE(CreateTree("csv"));
  Response export_csv =
      Call("GET",
           "/v1/organizations/csv:exportCsv?kind=EXPORT_KIND_ORGANIZATIONS"
           "&include_descendants=true",
           admin_);
  ASSERT_EQ(export_csv.status, 200) << export_csv.body;
  std::string csv;
  int64_t total_rows = -1;
  for (absl::string_view line :
       absl::StrSplit(export_csv.body, '\n', absl::SkipEmpty())) {
    json chunk = json::parse(line, nullptr, false);
    ASSERT_TRUE(chunk.contains("result")) << line;
    std::string data;  // bytes are base64
    ASSERT_TRUE(absl::Base64Unescape(chunk["result"].value("data", ""), &data));
    csv += data;
    if (chunk["result"].contains("total_rows")) {
      // int64 is a JSON string.
      ASSERT_TRUE(chunk["result"]["total_rows"].is_string()) << line;
      total_rows = std::stoll(chunk["result"]["total_rows"].get<std::string>());
    }
  }
  EXPECT_EQ(total_rows, 4);
  for (const char* id : {"csv-xa-1", "csv-xa-2", "csv-xa-3"}) {
    EXPECT_NE(csv.find(id), std::string::npos) << csv;
  }
  EXPECT_NE(csv.find("Đảng bộ xã 3"), std::string::npos) << csv;

  // A stream refused before its first message: the HTTP status of the
  // error and one line {"error": {...}}.
  Response refused =
      Call("GET", "/v1/organizations/csv:exportCsv?kind=EXPORT_KIND_PEOPLE");
  EXPECT_EQ(refused.status, 401) << refused.body;
  EXPECT_EQ(refused.Json()["error"]["grpc_code"], 16) << refused.body;
}

TEST_F(GatewayTest, RequestIdGoesToTheServiceAndBack) {
  Response r = Call("GET", "/v1/organizations", admin_, "",
                    {"X-Request-Id: gateway-test-42"});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["x-request-id"], "gateway-test-42");
  // membershipd echoes the id it received as response metadata.
  EXPECT_EQ(r.headers["grpc-metadata-x-request-id"], "gateway-test-42");
  EXPECT_NE(gateway_->Log().find("\"request_id\":\"gateway-test-42\""),
            std::string::npos);
}

TEST_F(GatewayTest, HealthzNamesEveryBackend) {
  Response health = Call("GET", "/healthz");
  ASSERT_EQ(health.status, 200);
  EXPECT_EQ(health.Json()["backends"], json({{"membership", "SERVING"},
                                             {"quota", "SERVING"},
                                             {"notification", "SERVING"}}));
}

TEST_F(GatewayTest, LivezAnswersWithoutTheBackends) {
  // A gateway whose backends do not exist: not ready, but alive.
  Process gateway;
  const int port = FreePort();
  ASSERT_TRUE(
      gateway
          .Start(BinaryPath("partydev-gateway"),
                 {absl::StrCat("--listen=127.0.0.1:", port),
                  absl::StrCat("--membership=127.0.0.1:", FreePort()),
                  absl::StrCat("--quota=127.0.0.1:", FreePort()),
                  absl::StrCat("--notification=127.0.0.1:", FreePort())},
                 {}, absl::StrCat(dir_, "/gateway-livez.log"))
          .ok());
  const std::string saved = base_;
  base_ = absl::StrCat("http://127.0.0.1:", port);
  Response live;
  for (int i = 0; i < 50 && live.status != 200; ++i) {
    absl::SleepFor(absl::Milliseconds(100));
    live = Call("GET", "/livez");
  }
  Response health = Call("GET", "/healthz");
  base_ = saved;
  EXPECT_EQ(live.status, 200) << gateway.Log();
  EXPECT_EQ(health.status, 503);
  EXPECT_EQ(health.Json()["backends"]["membership"], "UNREACHABLE")
      << health.body;
}

TEST_F(GatewayTest, UnknownPathIs404) {
  Response r = Call("GET", "/v1/noSuchCollection", admin_);
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(r.Json()["status"], "NOT_FOUND");
}

// Every RPC's google.api.http binding in the protos reaches its service
// through the gateway: without a token each one is refused UNAUTHENTICATED by
// the service (401), never 404 by the gateway; and the OpenAPI document has
// one operation per binding.
TEST_F(GatewayTest, EveryHttpBindingIsServedAndInTheOpenApiDocument) {
  // "get: \"/v1/{name=organizations/*}:move\"" -> GET /v1/organizations/x:move
  const std::regex binding(R"re((get|post|patch|delete|put): "([^"]+)")re");
  const std::regex variable(R"(\{[a-z_.]+(=([^}]*))?\})");
  std::vector<std::pair<std::string, std::string>> bindings;
  for (const char* package : {"membership", "quota", "notification"}) {
    for (const auto& entry : std::filesystem::directory_iterator(absl::StrCat(
             PARTYDEV_SOURCE_DIR, "/protos/partydev/", package, "/v1"))) {
      if (entry.path().extension() != ".proto") continue;
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      const std::string s = text.str();
      for (std::sregex_iterator it(s.begin(), s.end(), binding), end; it != end;
           ++it) {
        std::string verb = (*it)[1];
        for (char& c : verb) c = static_cast<char>(toupper(c));
        const std::string path = (*it)[2];
        std::string concrete;
        size_t last = 0;
        for (std::sregex_iterator v(path.begin(), path.end(), variable), vend;
             v != vend; ++v) {
          concrete += path.substr(last, v->position() - last);
          const std::string pattern = (*v)[2].matched ? (*v)[2].str() : "*";
          concrete += std::regex_replace(pattern, std::regex(R"(\*\*?)"), "x");
          last = v->position() + v->length();
        }
        bindings.emplace_back(verb, concrete + path.substr(last));
      }
    }
  }
  ASSERT_GT(bindings.size(), 200u);
  std::vector<std::string> not_served;
  for (const auto& [verb, path] : bindings) {
    const bool has_body = verb == "POST" || verb == "PATCH" || verb == "PUT";
    Response r = Call(verb, path, "", has_body ? "{}" : "");
    if (r.status != 401) {
      not_served.push_back(
          absl::StrCat(verb, " ", path, " -> ", r.status, " ", r.body));
    }
  }
  EXPECT_TRUE(not_served.empty())
      << not_served.size() << " not served, e.g. " << not_served.front();

  Response doc = Call("GET", "/openapi.json");
  ASSERT_EQ(doc.status, 200);
  json openapi = doc.Json();
  ASSERT_TRUE(openapi.is_object());
  EXPECT_EQ(openapi["swagger"], "2.0");
  size_t operations = 0;
  for (const auto& [path, methods] : openapi["paths"].items()) {
    operations += methods.size();
  }
  EXPECT_EQ(operations, bindings.size());
  EXPECT_TRUE(openapi["paths"].contains("/v1/organizations"));
  EXPECT_TRUE(openapi["paths"]["/v1/organizations"].contains("post"));
}

TEST_F(GatewayTest, SigtermDrainsAndExitsZero) {
  // A gateway of its own, so the suite's keeps serving.
  Process gateway;
  const std::string address = absl::StrCat("127.0.0.1:", FreePort());
  ASSERT_TRUE(gateway
                  .Start(BinaryPath("partydev-gateway"),
                         {absl::StrCat("--listen=", address)}, {},
                         absl::StrCat(dir_, "/gateway-drain.log"))
                  .ok());
  absl::SleepFor(absl::Milliseconds(300));
  gateway.Signal(SIGTERM);
  auto code = gateway.Wait(absl::Seconds(10));
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 0) << gateway.Log();
  EXPECT_NE(gateway.Log().find("\"draining\""), std::string::npos)
      << gateway.Log();
}

TEST_F(GatewayTest, BadConfigurationExitsTwo) {
  Process gateway;
  ASSERT_TRUE(gateway
                  .Start(BinaryPath("partydev-gateway"), {"--auth=maybe"}, {},
                         absl::StrCat(dir_, "/gateway-bad.log"))
                  .ok());
  auto code = gateway.Wait(absl::Seconds(10));
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 2) << gateway.Log();
}

}  // namespace
}  // namespace partydev
