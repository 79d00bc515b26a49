#include "common/auth.h"

#include <gtest/gtest.h>
#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace partydev {
namespace {

const std::string kSecret = "0123456789abcdef0123456789abcdef-test-secret";

struct KeyPair {
  std::string private_pem;
  std::string public_pem;
};

// A fresh key pair of `type` ("RSA" or "EC"), so no key is committed.
KeyPair GenerateKeyPair(const char* type) {
  EVP_PKEY* key = std::string(type) == "RSA"
                      ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048})
                      : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  KeyPair pair;
  BIO* priv = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(priv, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(priv, &data);
  pair.private_pem.assign(data, len);
  BIO* pub = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(pub, key);
  len = BIO_get_mem_data(pub, &data);
  pair.public_pem.assign(data, len);
  BIO_free(priv);
  BIO_free(pub);
  EVP_PKEY_free(key);
  return pair;
}

struct Claims {
  std::string iss = "https://sso.partydev.vn";
  std::string aud_json = "\"membership\"";
  std::string sub = "people/42";
  std::string org = "organizations/duk";
  std::string roles_json = "[\"secretary\",\"personal_data\"]";
  std::string name;   // OIDC "name", when set
  std::string title;  // "title", when set
  long exp = absl::ToUnixSeconds(absl::Now() + absl::Minutes(5));
};

std::string Sign(jwt_alg_t alg, const std::string& key, const Claims& c) {
  jwt_t* jwt = nullptr;
  jwt_new(&jwt);
  jwt_add_grant(jwt, "iss", c.iss.c_str());
  jwt_add_grant(jwt, "sub", c.sub.c_str());
  if (!c.org.empty()) jwt_add_grant(jwt, "org", c.org.c_str());
  if (!c.name.empty()) jwt_add_grant(jwt, "name", c.name.c_str());
  if (!c.title.empty()) jwt_add_grant(jwt, "title", c.title.c_str());
  jwt_add_grant_int(jwt, "exp", c.exp);
  jwt_add_grants_json(jwt, absl::StrCat("{\"aud\":", c.aud_json,
                                        ",\"roles\":", c.roles_json, "}")
                               .c_str());
  jwt_set_alg(jwt, alg, reinterpret_cast<const unsigned char*>(key.data()),
              static_cast<int>(key.size()));
  char* token = jwt_encode_str(jwt);
  std::string out = token != nullptr ? token : "";
  free(token);
  jwt_free(jwt);
  return out;
}

std::unique_ptr<Authenticator> Verifier(const std::string& key) {
  return MakeJwtAuthenticator({"https://sso.partydev.vn", "membership", key});
}

absl::StatusOr<Principal> Check(const Authenticator& auth,
                                const std::string& token) {
  CallCredentials credentials;
  credentials.authorization = absl::StrCat("Bearer ", token);
  return auth.Authenticate(credentials, absl::Now());
}

TEST(JwtTest, AcceptsAValidHs256TokenAndReadsItsClaims) {
  auto principal = Check(*Verifier(kSecret), Sign(JWT_ALG_HS256, kSecret, {}));
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(principal->subject, "people/42");
  EXPECT_EQ(principal->organization, "organizations/duk");
  EXPECT_TRUE(principal->HasRole("secretary"));
  EXPECT_TRUE(principal->HasRole("personal_data"));
  EXPECT_FALSE(principal->HasRole("admin"));
  EXPECT_FALSE(principal->development);
}

TEST(JwtTest, ReadsTheCallersNameAndTitle) {
  Claims c;
  c.name = "Nguyễn Thị Lan";
  c.title = "Bí thư chi bộ";
  auto principal = Check(*Verifier(kSecret), Sign(JWT_ALG_HS256, kSecret, c));
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(principal->display_name, "Nguyễn Thị Lan");
  EXPECT_EQ(principal->title, "Bí thư chi bộ");
  // Absent claims leave them empty.
  principal = Check(*Verifier(kSecret), Sign(JWT_ALG_HS256, kSecret, {}));
  ASSERT_TRUE(principal.ok());
  EXPECT_EQ(principal->display_name, "");
}

TEST(JwtTest, AcceptsAnAudienceList) {
  Claims c;
  c.aud_json = "[\"quota\",\"membership\"]";
  EXPECT_TRUE(Check(*Verifier(kSecret), Sign(JWT_ALG_HS256, kSecret, c)).ok());
}

TEST(JwtTest, RefusesExpired) {
  Claims c;
  c.exp = absl::ToUnixSeconds(absl::Now() - absl::Minutes(5));
  auto p = Check(*Verifier(kSecret), Sign(JWT_ALG_HS256, kSecret, c));
  ASSERT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(p.status().message().find("expired"), absl::string_view::npos);
}

TEST(JwtTest, RefusesWrongKey) {
  auto p =
      Check(*Verifier(kSecret),
            Sign(JWT_ALG_HS256, "another-secret-another-secret-another", {}));
  EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated);
}

TEST(JwtTest, RefusesWrongAudienceAndIssuer) {
  Claims wrong_aud;
  wrong_aud.aud_json = "\"quota\"";
  auto p = Check(*Verifier(kSecret), Sign(JWT_ALG_HS256, kSecret, wrong_aud));
  ASSERT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(p.status().message().find("aud"), absl::string_view::npos);
  Claims wrong_iss;
  wrong_iss.iss = "https://evil";
  p = Check(*Verifier(kSecret), Sign(JWT_ALG_HS256, kSecret, wrong_iss));
  ASSERT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(p.status().message().find("iss"), absl::string_view::npos);
}

TEST(JwtTest, RefusesMissingOrMalformedHeader) {
  CallCredentials none;
  EXPECT_EQ(Verifier(kSecret)->Authenticate(none, absl::Now()).status().code(),
            absl::StatusCode::kUnauthenticated);
  CallCredentials basic;
  basic.authorization = "Basic dXNlcjpwdw==";
  EXPECT_EQ(Verifier(kSecret)->Authenticate(basic, absl::Now()).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(Check(*Verifier(kSecret), "not.a.jwt").status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(JwtTest, RefusesATokenWithoutOrganisationUnlessAdmin) {
  Claims c;
  c.org = "";
  EXPECT_FALSE(Check(*Verifier(kSecret), Sign(JWT_ALG_HS256, kSecret, c)).ok());
  c.roles_json = "[\"admin\"]";
  EXPECT_TRUE(Check(*Verifier(kSecret), Sign(JWT_ALG_HS256, kSecret, c)).ok());
}

TEST(JwtTest, AcceptsRs256AndEs256WithTheirPublicKeys) {
  for (auto [type, alg] :
       {std::pair{"RSA", JWT_ALG_RS256}, std::pair{"EC", JWT_ALG_ES256}}) {
    KeyPair pair = GenerateKeyPair(type);
    auto p = Check(*Verifier(pair.public_pem), Sign(alg, pair.private_pem, {}));
    EXPECT_TRUE(p.ok()) << type << ": " << p.status();
    KeyPair other = GenerateKeyPair(type);
    EXPECT_FALSE(
        Check(*Verifier(other.public_pem), Sign(alg, pair.private_pem, {}))
            .ok())
        << type;
  }
}

TEST(JwtTest, RefusesHs256SignedWithThePublicKey) {
  // The classic algorithm confusion: the public key used as an HMAC secret.
  KeyPair pair = GenerateKeyPair("RSA");
  auto p = Check(*Verifier(pair.public_pem),
                 Sign(JWT_ALG_HS256, pair.public_pem, {}));
  EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated);
}

TEST(DevAuthTest, TakesIdentityFromMetadataAndMarksIt) {
  auto auth = MakeDevAuthenticator();
  CallCredentials c;
  c.dev_subject = "people/1";
  c.dev_organization = "organizations/cell-1";
  c.dev_roles = "secretary, member";
  auto p = auth->Authenticate(c, absl::Now());
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->development);
  EXPECT_EQ(p->organization, "organizations/cell-1");
  EXPECT_TRUE(p->HasRole("member"));
  EXPECT_TRUE(p->HasRole("secretary"));
  auto admin = auth->Authenticate({}, absl::Now());
  ASSERT_TRUE(admin.ok());
  EXPECT_TRUE(admin->HasRole("admin"));
}

}  // namespace
}  // namespace partydev
