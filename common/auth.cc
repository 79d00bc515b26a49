#include "common/auth.h"

#include <jwt.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/errors.h"
#include "nlohmann/json.hpp"

namespace partydev {
namespace {

absl::Status Unauthenticated(absl::string_view why) {
  return WithReason(absl::UnauthenticatedError(why), "UNAUTHENTICATED");
}

// Frees a jwt_t on scope exit.
struct JwtDeleter {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtDeleter>;

// A claim that is a JSON string or a list of strings, as a list.
std::vector<std::string> StringList(jwt_t* jwt, const char* claim) {
  std::vector<std::string> out;
  char* json = jwt_get_grants_json(jwt, claim);
  if (json == nullptr) return out;
  nlohmann::json parsed = nlohmann::json::parse(json, nullptr, false);
  free(json);
  if (parsed.is_string()) {
    out.push_back(parsed.get<std::string>());
  } else if (parsed.is_array()) {
    for (const auto& item : parsed) {
      if (item.is_string()) out.push_back(item.get<std::string>());
    }
  }
  return out;
}

class JwtAuthenticator final : public Authenticator {
 public:
  explicit JwtAuthenticator(JwtSettings settings)
      : settings_(std::move(settings)),
        public_key_(absl::StrContains(settings_.key, "-----BEGIN")) {}

  absl::StatusOr<Principal> Authenticate(const CallCredentials& credentials,
                                         absl::Time now) const override {
    absl::string_view header = credentials.authorization;
    if (header.empty()) {
      return Unauthenticated("missing authorization: send \"Bearer <JWT>\"");
    }
    if (!absl::ConsumePrefix(&header, "Bearer ") &&
        !absl::ConsumePrefix(&header, "bearer ")) {
      return Unauthenticated("authorization must be \"Bearer <JWT>\"");
    }
    std::string token(absl::StripAsciiWhitespace(header));
    jwt_t* raw = nullptr;
    if (jwt_decode(&raw, token.c_str(),
                   reinterpret_cast<const unsigned char*>(settings_.key.data()),
                   static_cast<int>(settings_.key.size())) != 0 ||
        raw == nullptr) {
      return Unauthenticated("token signature or format is invalid");
    }
    JwtPtr jwt(raw);
    const jwt_alg_t alg = jwt_get_alg(jwt.get());
    const bool alg_fits = public_key_
                              ? (alg == JWT_ALG_RS256 || alg == JWT_ALG_ES256)
                              : alg == JWT_ALG_HS256;
    if (!alg_fits) {
      return Unauthenticated(absl::StrCat("token algorithm ", jwt_alg_str(alg),
                                          " is not accepted for this key"));
    }
    const char* iss = jwt_get_grant(jwt.get(), "iss");
    if (iss == nullptr || settings_.issuer != iss) {
      return Unauthenticated("token issuer (iss) is not the expected one");
    }
    const std::vector<std::string> audiences = StringList(jwt.get(), "aud");
    if (std::find(audiences.begin(), audiences.end(), settings_.audience) ==
        audiences.end()) {
      return Unauthenticated("token audience (aud) does not name this service");
    }
    errno = 0;
    const long exp = jwt_get_grant_int(jwt.get(), "exp");
    if (errno != 0 || exp <= 0) return Unauthenticated("token has no exp");
    if (absl::FromUnixSeconds(exp) + settings_.leeway < now) {
      return Unauthenticated("token expired");
    }
    errno = 0;
    const long nbf = jwt_get_grant_int(jwt.get(), "nbf");
    if (errno == 0 && absl::FromUnixSeconds(nbf) - settings_.leeway > now) {
      return Unauthenticated("token not valid yet (nbf)");
    }
    Principal principal;
    const char* sub = jwt_get_grant(jwt.get(), "sub");
    if (sub == nullptr || *sub == '\0')
      return Unauthenticated("token has no sub");
    principal.subject = sub;
    const char* org = jwt_get_grant(jwt.get(), "org");
    principal.organization = org != nullptr ? org : "";
    principal.roles = StringList(jwt.get(), "roles");
    const char* name = jwt_get_grant(jwt.get(), "name");
    principal.display_name = name != nullptr ? name : "";
    const char* title = jwt_get_grant(jwt.get(), "title");
    principal.title = title != nullptr ? title : "";
    if (principal.organization.empty() && !principal.HasRole(roles::kAdmin)) {
      // Only installation admins may be unbound; anyone else without an
      // organisation would otherwise see nothing, or everything.
      return Unauthenticated("token has no org claim");
    }
    return principal;
  }

 private:
  const JwtSettings settings_;
  const bool public_key_;
};

class DevAuthenticator final : public Authenticator {
 public:
  absl::StatusOr<Principal> Authenticate(const CallCredentials& credentials,
                                         absl::Time) const override {
    Principal principal;
    principal.development = true;
    principal.subject =
        credentials.dev_subject.empty() ? "dev" : credentials.dev_subject;
    principal.organization = credentials.dev_organization;
    principal.display_name = credentials.dev_name;
    principal.title = credentials.dev_title;
    if (credentials.dev_roles.empty()) {
      principal.roles = {std::string(roles::kAdmin),
                         std::string(roles::kPersonalData)};
    } else {
      for (absl::string_view r :
           absl::StrSplit(credentials.dev_roles, ',', absl::SkipWhitespace())) {
        principal.roles.emplace_back(absl::StripAsciiWhitespace(r));
      }
    }
    return principal;
  }
};

}  // namespace

std::unique_ptr<Authenticator> MakeJwtAuthenticator(JwtSettings settings) {
  return std::make_unique<JwtAuthenticator>(std::move(settings));
}

std::unique_ptr<Authenticator> MakeDevAuthenticator() {
  return std::make_unique<DevAuthenticator>();
}

absl::StatusOr<std::unique_ptr<Authenticator>> MakeAuthenticator(
    const ServiceConfig& config) {
  if (config.auth_mode == AuthMode::kDev) return MakeDevAuthenticator();
  std::ifstream in(config.jwt_key_file, std::ios::binary);
  if (!in) {
    return InvalidField("jwt_key_file",
                        absl::StrCat("cannot read ", config.jwt_key_file));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  JwtSettings settings;
  settings.issuer = config.jwt_issuer;
  settings.audience = config.jwt_audience;
  settings.key = buffer.str();
  if (!absl::StrContains(settings.key, "-----BEGIN")) {
    // A secret file usually ends with a newline that is not part of it.
    settings.key =
        std::string(absl::StripTrailingAsciiWhitespace(settings.key));
  }
  if (settings.key.size() < 32 &&
      !absl::StrContains(settings.key, "-----BEGIN")) {
    return InvalidField("jwt_key_file",
                        "an HS256 secret must be at least 32 bytes (RFC 7518 "
                        "3.2: at least the hash size)");
  }
  return MakeJwtAuthenticator(std::move(settings));
}

}  // namespace partydev
