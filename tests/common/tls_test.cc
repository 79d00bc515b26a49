// TLS and mutual TLS of the shared server (PARTYDEV_TLS_CERT, _KEY,
// _CLIENT_CA), with certificates made by the openssl command for this test.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "partydev/testing/v1/echo.grpc.pb.h"
#include "tests/support/echo_service.h"
#include "tests/support/in_process_server.h"
#include "tests/support/redis_server.h"

namespace partydev {
namespace {

using partydev::testing::v1::EchoRequest;
using partydev::testing::v1::EchoResponse;
using partydev::testing::v1::EchoService;

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(redis_.Start().ok());
    dir_ = testing::MakeTempDir("partydev-tls");
    // A CA, a server certificate for localhost, a client certificate.
    const std::string script = absl::StrCat(
        "set -e; cd ", dir_, "\n",
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=test-ca "
        "-keyout ca.key -out ca.pem 2>/dev/null\n",
        "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1' > san.ext\n",
        "for who in server client; do\n",
        "  openssl req -newkey rsa:2048 -nodes -subj /CN=localhost "
        "-keyout $who.key -out $who.csr 2>/dev/null\n",
        "  openssl x509 -req -in $who.csr -CA ca.pem -CAkey ca.key "
        "-CAcreateserial -days 1 -extfile san.ext -out $who.pem 2>/dev/null\n",
        "done\n");
    ASSERT_EQ(std::system(absl::StrCat("bash -c '", script, "'").c_str()), 0);
  }
  void TearDown() override { testing::RemoveTree(dir_); }

  std::unique_ptr<testing::InProcessServer> StartServer(bool mutual) {
    std::vector<std::string> flags = {
        absl::StrCat("--tls_cert=", dir_, "/server.pem"),
        absl::StrCat("--tls_key=", dir_, "/server.key")};
    if (mutual)
      flags.push_back(absl::StrCat("--tls_client_ca=", dir_, "/ca.pem"));
    auto server = std::make_unique<testing::InProcessServer>(
        testing::TestConfig(redis_.url(), flags),
        [](ServiceRuntime& runtime)
            -> absl::StatusOr<std::vector<ServiceRegistration>> {
          std::vector<ServiceRegistration> services;
          services.push_back(
              {std::make_unique<testing::EchoServiceImpl>(runtime),
               EchoService::service_full_name()});
          return services;
        });
    EXPECT_TRUE(server->Start().ok());
    return server;
  }

  grpc::Status Call(const std::string& address,
                    std::shared_ptr<grpc::ChannelCredentials> credentials) {
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    auto stub = EchoService::NewStub(
        grpc::CreateCustomChannel(address, credentials, args));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(3));
    EchoResponse response;
    return stub->Echo(&context, EchoRequest(), &response);
  }

  grpc::SslCredentialsOptions Options(bool with_client_cert) {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = Read(dir_ + "/ca.pem");
    if (with_client_cert) {
      options.pem_private_key = Read(dir_ + "/client.key");
      options.pem_cert_chain = Read(dir_ + "/client.pem");
    }
    return options;
  }

  testing::RedisServer redis_;
  std::string dir_;
};

TEST_F(TlsTest, ServerTlsAcceptsTlsClientsAndRefusesPlaintext) {
  auto server = StartServer(/*mutual=*/false);
  const std::string address =
      absl::StrCat("localhost:", server->server().port());
  EXPECT_TRUE(Call(address, grpc::SslCredentials(Options(false))).ok());
  EXPECT_FALSE(Call(address, grpc::InsecureChannelCredentials()).ok());
}

TEST_F(TlsTest, MutualTlsRequiresAClientCertificateFromTheCa) {
  auto server = StartServer(/*mutual=*/true);
  const std::string address =
      absl::StrCat("localhost:", server->server().port());
  grpc::Status with_cert = Call(address, grpc::SslCredentials(Options(true)));
  EXPECT_TRUE(with_cert.ok()) << with_cert.error_message();
  EXPECT_FALSE(Call(address, grpc::SslCredentials(Options(false))).ok());
}

TEST_F(TlsTest, UnreadableCertificateIsAClearStartError) {
  testing::InProcessServer server(
      testing::TestConfig(redis_.url(), {"--tls_cert=/nonexistent.pem",
                                         "--tls_key=/nonexistent.key"}),
      [](ServiceRuntime&) -> absl::StatusOr<std::vector<ServiceRegistration>> {
        return std::vector<ServiceRegistration>{};
      });
  absl::Status status = server.Start();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("/nonexistent.pem"), absl::string_view::npos);
}

}  // namespace
}  // namespace partydev
