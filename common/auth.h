// File: common/auth.h
//
// The one place that turns a call's credentials into a Principal.
//
// Production: `Authorization: Bearer <JWT>`, verified with libjwt against the
// configured key (an HS256 secret, or an RS256/ES256 public key in PEM; the
// algorithm must match the key's kind, so a token signed with HS256 over a
// public key is refused), with `iss`, `aud` and `exp` checked. Claims:
// `sub`, `org` (an organisation's resource name), `roles` (a list).
//
// Development mode (PARTYDEV_AUTH=dev, logged loudly at start): the identity
// comes from metadata `x-partydev-sub`, `x-partydev-org` and
// `x-partydev-roles` (comma-separated), defaulting to an admin of the whole
// installation. Never for production.

#ifndef PARTYDEV_COMMON_AUTH_H_
#define PARTYDEV_COMMON_AUTH_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/config.h"
#include "common/principal.h"

namespace partydev {

// What the runtime reads from a call's metadata for authentication.
struct CallCredentials {
  std::string authorization;     // the "authorization" header, verbatim
  std::string dev_subject;       // x-partydev-sub
  std::string dev_organization;  // x-partydev-org
  std::string dev_roles;         // x-partydev-roles
  // x-partydev-name-bin, x-partydev-title-bin: binary headers, so that a
  // Vietnamese name travels as UTF-8 (gRPC's text headers are ASCII).
  std::string dev_name;
  std::string dev_title;
};

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // kUnauthenticated with a reason when the credentials are missing or
  // invalid.
  virtual absl::StatusOr<Principal> Authenticate(
      const CallCredentials& credentials, absl::Time now) const = 0;
};

struct JwtSettings {
  std::string issuer;
  std::string audience;
  std::string key;  // file contents: a secret or a PEM public key
  absl::Duration leeway = absl::Seconds(30);  // clock skew allowed
};

// Verifies bearer JWTs.
std::unique_ptr<Authenticator> MakeJwtAuthenticator(JwtSettings settings);

// The explicit development mode.
std::unique_ptr<Authenticator> MakeDevAuthenticator();

// Builds the authenticator the configuration asks for (reads the key file).
absl::StatusOr<std::unique_ptr<Authenticator>> MakeAuthenticator(
    const ServiceConfig& config);

}  // namespace partydev

#endif  // PARTYDEV_COMMON_AUTH_H_
